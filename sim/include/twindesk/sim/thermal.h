#pragma once
/// \file thermal.h
/// Zone thermal model: the ISO 13790 (ISO 52016-1 predecessor) 5R1C network, integrated with
/// Crank–Nicolson at the engine's fixed step, plus the ideal-loads controller.
///
/// Nodes: θ_air (zone air), θ_s (the "star" node mixing air and mean radiant temperature) and
/// θ_m (the thermal mass, state). Conductances (W/K):
///   H_ve      ventilation + infiltration air, outside (or supply) → θ_air   (per step: ρ·c·V̇)
///   H_tr,is   θ_air ↔ θ_s         = h_is · A_t        (h_is = 3.45 W/m²K)
///   H_tr,w    outside ↔ θ_s       = Σ U_w · A_w       (windows, no mass)
///   H_tr,ms   θ_s ↔ θ_m           = h_ms · A_m        (h_ms = 9.1 W/m²K)
///   H_tr,em   outside ↔ θ_m       from 1/H_tr,em = 1/H_op − 1/H_tr,ms (opaque elements)
///   C_m       J/K, the internal heat capacity (ISO 13790 §12.3.1.2: Σ κ_j·A_j)
/// Heat inputs: Φ_ia = f_conv·Φ_int + Φ_HC to air; Φ_m = A_m/A_t·(f_rad·Φ_int + Φ_sol) to mass;
/// Φ_st = (1 − A_m/A_t − H_tr,w/(9.1·A_t))·(f_rad·Φ_int + Φ_sol) to the star node, where
/// f_rad = 1 − f_conv (ISO's default f_conv = 0.5).
/// The step equations are ISO 13790 Annex C.3 with 3600 s replaced by the step Δt, so every
/// quantity is exact for the trapezoidal (Crank–Nicolson) rule: energy balance closes per step.
///
/// All functions are pure and deterministic; units are SI (W, W/K, J/K, °C, s).

#include <twindesk/twin/result.h>

#include <vector>

namespace twindesk::sim {

inline constexpr double kHis = 3.45;               ///< W/(m²K), air ↔ star node per m² of A_t
inline constexpr double kHms = 9.1;                ///< W/(m²K), star node ↔ mass per m² of A_m
inline constexpr double kAirHeatCapacity = 1005.0; ///< J/(kg·K), dry air at constant pressure

/// An opaque element (wall, roof, floor). Orientation is used by the solar model.
struct OpaqueElement
{
    double areaM2 = 0.0;
    double uValue = 0.0;           ///< W/(m²K), including surface films
    double solarAbsorptance = 0.6; ///< outside face
    double emissivity = 0.9;       ///< outside face, long-wave
    double kappa = 0.0;            ///< J/(m²K): internal areal heat capacity (ISO 13786)
    double tiltDeg = 90.0;         ///< 0 = horizontal facing up, 90 = vertical, 180 = facing down
    double azimuthDeg = 180.0;     ///< 0 N, 90 E, 180 S, 270 W
    bool exterior = true;          ///< false: adiabatic (an internal partition): stores heat only
    bool sunlit = true;            ///< false for floors over ground/air with no sun
};

struct WindowElement
{
    double areaM2 = 0.0; ///< glazed area
    double uValue = 0.0; ///< W/(m²K)
    double shgc = 0.0;   ///< solar heat gain coefficient at normal incidence
    double tiltDeg = 90.0;
    double azimuthDeg = 180.0;
    double shading = 1.0; ///< external shading reduction factor F_sh (1 = none)
};

/// A zone's physical description. Everything else is derived by deriveThermalParams().
struct ZoneEnvelope
{
    double floorAreaM2 = 0.0;
    double volumeM3 = 0.0;
    std::vector<OpaqueElement> opaque;
    std::vector<WindowElement> windows;
    double internalAreaM2 = 0.0;    ///< A_t; 0 → 4.5 × floor area (ISO 13790 default)
    double furnitureCapacity = 0.0; ///< J/K added to C_m (furniture, internal partitions)
};

/// The derived 5R1C parameters. Immutable once made.
struct ZoneThermalParams
{
    double htrW = 0.0;  ///< W/K
    double htrEm = 0.0; ///< W/K
    double htrMs = 0.0; ///< W/K
    double htrIs = 0.0; ///< W/K
    double cm = 0.0;    ///< J/K
    double am = 0.0;    ///< m²
    double at = 0.0;    ///< m²
    double volumeM3 = 0.0;
    double floorAreaM2 = 0.0;
    double hOp = 0.0; ///< W/K, Σ U·A of exterior opaque elements
};

twin::Result<ZoneThermalParams> deriveThermalParams(const ZoneEnvelope& envelope);

/// Inputs of one zone for one step.
struct ZoneInputs
{
    double thetaE = 0.0;             ///< °C, outdoor air (for transmission)
    double thetaSup = 0.0;           ///< °C, temperature of the air entering through H_ve
    double hVe = 0.0;                ///< W/K, ρ·c·V̇ of all air entering the zone
    double phiInt = 0.0;             ///< W, internal gains (people, lights, equipment)
    double convectiveFraction = 0.5; ///< of phiInt, to the air node
    double phiSol = 0.0;             ///< W, solar gains through windows + net absorbed on opaque
};

struct ZoneStep
{
    double thetaAir = 0.0;   ///< °C at the end of the step (the trapezoidal mean, ISO's θ_air)
    double thetaS = 0.0;     ///< °C
    double thetaMEnd = 0.0;  ///< °C, mass temperature at the end of the step (the new state)
    double thetaMMean = 0.0; ///< °C, (θ_m,start + θ_m,end)/2
    double phiHc = 0.0;      ///< W, heating (+) or cooling (−) delivered to the air
};

/// The step's node temperatures as affine functions of the heat Φ_HC delivered to the air
/// node: the network is linear, so one pass gives the values at Φ_HC = 0 and their slopes.
/// θ_air = air0 + air1·Φ_HC, and air1 > 0. Controllers (ideal loads, VAV boxes) find the Φ_HC
/// they need from this exactly, then evaluateZone() gives the step.
struct ZoneAffine
{
    double mEnd0 = 0.0; ///< θ_m at the end of the step: mEnd0 + mEnd1·Φ_HC
    double mEnd1 = 0.0;
    double s0 = 0.0; ///< θ_s
    double s1 = 0.0;
    double air0 = 0.0; ///< θ_air
    double air1 = 0.0;
};

ZoneAffine solveZoneAffine(const ZoneThermalParams& p, double thetaMStart, const ZoneInputs& in,
                           double dt);
/// The step with heat `phiHc` to the air node (identical to stepZone with that power).
ZoneStep evaluateZone(const ZoneAffine& a, double thetaMStart, double phiHc);

/// One step of the network with a given heating/cooling power to the air node.
ZoneStep stepZone(const ZoneThermalParams& p, double thetaMStart, const ZoneInputs& in,
                  double phiHc, double dt);

/// Setpoints and capacities for the ideal-loads controller (ISO 13790 §C.4).
struct IdealLoads
{
    double heatingSetpoint = 20.0; ///< °C
    double coolingSetpoint = 27.0; ///< °C
    double maxHeatingW = 1e12;     ///< W (≥ 0)
    double maxCoolingW = 1e12;     ///< W (≥ 0, the magnitude of the cooling capacity)
    bool heatingAvailable = true;
    bool coolingAvailable = true;
};

/// The step with the heating/cooling power that holds θ_air at the nearer setpoint when it
/// would otherwise leave the band, limited by the capacities. Because the network is linear
/// in Φ_HC, the needed power is found exactly from two evaluations.
ZoneStep stepZoneIdeal(const ZoneThermalParams& p, double thetaMStart, const ZoneInputs& in,
                       const IdealLoads& loads, double dt);

/// Moist-air density (kg/m³) from station pressure (Pa) and dry-bulb temperature (°C), ideal
/// gas with R = 287.05 J/(kg·K).
double airDensity(double pressurePa, double dryBulbC);

} // namespace twindesk::sim
