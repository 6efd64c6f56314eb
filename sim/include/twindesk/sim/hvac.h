#pragma once
/// \file hvac.h
/// Equipment mode: VAV boxes with reheat on air handlers (AHUs), a chiller and a boiler.
///
/// In ideal-loads mode (the default) every conditioned zone receives exactly the heating or
/// cooling power that holds its setpoints (thermal.h, stepZoneIdeal). In equipment mode
/// ("hvac": {"mode": "vav"}) the zones served by a VAV box are conditioned by supply air
/// instead, and the plant that makes that air is simulated and metered. Zones without a box
/// (a server room on its CRAC, restrooms, unconditioned rooms) keep ideal loads.
///
/// ## Box (per zone, per step)
/// The box delivers V̇ (m³/s) of air at the discharge temperature T_d into the zone air node.
/// Its heat input is Φ_box = ρc·V̇·(T_d − θ_air) with ρc the volumetric heat capacity of the
/// step's outdoor air (the density the engine uses for infiltration; volumes are not converted
/// to standard air). The 5R1C air node has no capacitance: θ_air = a₀ + a₁·Φ_HC is affine in
/// the heat delivered to it (solveZoneAffine), so Φ_box = H·(T_d − a₀)/(1 + a₁·H) with
/// H = ρc·V̇ is *exact*: it is the same network as adding H to H_ve with θ_sup = T_d, at any
/// step length. The controller (ASHRAE Guideline 36 single/dual maximum sequence) is solved in
/// closed form from the same relation, no iteration:
///   cooling   θ(V̇_min, T_s) > T_cool: V̇ = (a₀ − T_cool)/(a₁·ρc·(T_cool − T_s)),
///             limited to V̇_min..V̇_max (at V̇_max the zone rises above its setpoint)
///   deadband  V̇ = V̇_min, T_d = T_s (no reheat)
///   heating   stage 1: V̇ = V̇_min, T_d = T_h + (T_h − a₀)/(a₁·ρc·V̇_min) up to T_d,max;
///             stage 2: T_d = T_d,max, V̇ rises from V̇_min to V̇_heat,max (dual maximum;
///             single maximum when heating_max_flow_fraction = min_flow_fraction)
///   reheat    Q_rh = ρc·V̇·(T_d − T_s)   (hot water from the boiler)
/// A box without a reheat coil (brick:Variable_Air_Volume_Box) heats with a perimeter
/// radiator on the boiler (ideal heating within the zone's max_heating_w, working with or
/// without the fan) unless "heating_without_reheat" is "none".
///
/// ## Air handler (per AHU, per step, after the zones)
///   V̇        = Σ V̇_box                        (no leakage, no return fan)
///   T_ret     = Σ V̇_i·θ_air,i / V̇             (flow-weighted zone air; no plenum)
///   f_min     = max(min_outdoor_air_fraction, V̇_oz/V̇) while occupied, V̇_oz = Σ occupied
///               zones' people·R_p + A·R_a (ASHRAE 62.1 rates of the zone); 0 in night cycles
///   economizer (dry-bulb differential with low-limit lockout): when
///               T_lowlimit ≤ T_oa < T_ret, f = (T_ret − T_mix*)/(T_ret − T_oa) within f_min..1,
///               aiming the mixed air at T_mix* = T_s − ΔT_fan so the coil idles when it can
///   T_mix     = f·T_oa + (1 − f)·T_ret
///   P_fan     = P_design·F(PLR), PLR = V̇/V̇_design, P_design = Δp·V̇_design/η_fan,
///               V̇_design = Σ V̇_box,max. F is ASHRAE 90.1-2019 Appendix G, Table G3.1.3.15
///               (VAV fan part-load, method 2): F = 0.0013 + 0.1470·PLR + 0.9506·PLR²
///               − 0.0998·PLR³, or the fan-affinity cube F = PLR³ ("cubic").
///   ΔT_fan    = P_fan/(ρc·V̇): all fan power ends up in the air stream (motor in the air
///               stream, blow-through: the coils see T_in = T_mix + ΔT_fan)
///   coil      Q_cc = ρc·V̇·(T_in − T_s) when > 0 (sensible only: a dry coil, no latent load),
///               else preheat Q_ph = ρc·V̇·(T_s − T_in). Coils have unlimited capacity, so the
///               supply leaves at its setpoint.
///   chiller   E = Q_cc/COP(T_oa), COP = COP_rated·(1 + s·(T_rated − max(T_oa, 10 °C))):
///               the COP of an air-cooled chiller rises as the condenser air cools (default
///               2 %/K, a typical full-load figure; take s from the machine's data), down to
///               10 °C where head-pressure control stops the gain; never below COP_rated/4
///               far above the rating. s = 0 gives a constant COP.
///   boiler    fuel = (Σ Q_rh + Σ Q_radiator + Q_ph)/η_boiler on the boiler's carrier
/// Pumps, duct and pipe losses, humidity and latent loads are not modelled.
///
/// ## Operation
/// An AHU runs (occupied mode, supply at supply_air_c, outdoor air at least f_min) while any of
/// its zones' thermostat schedules is occupied, or when a SetMode "on" holds it on; "off"
/// holds it off; "auto" returns it to the schedule. Otherwise it is off and its zones float
/// (only infiltration enters; radiators keep working), unless night cycling is enabled
/// (default; ASHRAE 90.1 Appendix G §G3.1.2.4 cycles fans to meet unoccupied loads, as do
/// Guideline 36's setback/setup modes): when a zone it serves with a reheat box is below its
/// (setback) heating setpoint at the start of a step, the fan cycles on with the outdoor
/// damper closed, the cooling coil locked out (supply at the return air temperature measured
/// at the start of the step plus the fan's heat at minimum flow; the coils trim what the step
/// then differs by) and the boxes heating to 1 K above the setpoint, until every such zone
/// has reached that; likewise for cooling above the setup cooling setpoint (supply at
/// supply_air_c, economizer allowed, boxes to 1 K below).
///
/// Ventilation and CO2: a VAV zone receives no outdoor air of its own (only infiltration, as
/// in ideal mode); its ASHRAE 62.1 outdoor air arrives mixed into the supply air, and its CO2
/// balance sees the supply air's concentration f·C_out + (1 − f)·C_ret (C_ret from the zones'
/// concentrations at the start of the step).
///
/// ## Scenario ("hvac" object; every key optional; errors name the JSON path)
///   mode                      "ideal" | "vav"                          "ideal"
///   supply_air_c              AHU supply air temperature, 4..25 °C     13
///   reheat_max_supply_c       box discharge limit, 10..60 °C (> supply) 32
///   min_flow_fraction         box minimum / maximum flow, 0..1         0.3
///   heating_max_flow_fraction dual-maximum heating flow, ≥ minimum     0.5
///   design_flow_lps_per_m2    box maximum flow per m² of floor         5
///   fan_design_pressure_pa    fan total pressure at design flow        1000
///   fan_efficiency            fan × motor × drive, 0.05..1             0.6
///   fan_curve                 "ashrae90.1" | "cubic"                   "ashrae90.1"
///   min_outdoor_air_fraction  outdoor damper minimum while occupied    0.2
///   economizer                dry-bulb differential economizer         true
///   economizer_low_limit_c    outdoor lockout below, °C                −20
///   chiller_cop               at the rating condition                  3.0
///   chiller_rating_outdoor_c  °C                                       35
///   chiller_cop_slope_per_k   relative COP gain per K below rating     0.02
///   boiler_efficiency         heat → fuel, 0.05..1                     0.9
///   boiler_carrier            "gas" | "electricity" | "district_heat"  "gas"
///   heating_without_reheat    "radiator" | "none"                      "radiator"
///   night_cycle               fans cycle on at night for setback/setup true
/// Boxes come from the Brick building (an AHU brick:feeds VAVs, directly or through other
/// equipment; a VAV feeds rooms or HVAC zones whose parts are rooms; a reheat coil is a
/// "…With_Reheat" class or a Reheat_Valve part), sized design_flow_lps_per_m2 × room floor
/// area. Rooms without a box keep ideal loads and their carriers. In explicit-zone scenarios a
/// zone declares "vav": {"reheat": true, "max_flow_lps": …} and all such zones
/// share one notional AHU with the id "ahu". Mode "vav" without any box is an error; in ideal
/// mode the boxes are ignored and every result is bit-identical to a scenario without "hvac".
/// Metering: SimTotals::heatingJ/coolingJ hold the plant's thermal energy (reheat, preheat,
/// radiators; cooling coils) plus the ideal loads of zones without boxes; end uses go to
/// SimTotals::fanJ, chillerJ, coolingCoilJ, reheatJ, preheatJ, radiatorJ and boilerFuelJ.
///
/// All functions are pure and deterministic; units are SI (W, m³/s, °C, J/(m³·K)).

#include <twindesk/sim/thermal.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace twindesk::sim {

/// Energy carriers metered per run (declared here so the plant can name its boiler's carrier;
/// engine.h names them with carrierName()).
enum class Carrier : std::uint8_t { Electricity, Gas, DistrictHeat };
inline constexpr std::size_t kCarrierCount = 3;

enum class HvacMode : std::uint8_t {
    Ideal, ///< ideal loads in every conditioned zone (the default)
    Vav,   ///< VAV boxes on AHUs where the building has them, ideal loads elsewhere
};

/// Part-load power curve of a variable-speed supply fan.
enum class FanCurve : std::uint8_t {
    AshraeAppendixG, ///< ASHRAE 90.1-2019 Table G3.1.3.15 (VAV, method 2)
    Cubic,           ///< fan affinity laws with no static-pressure floor: PLR³
};

/// How zones whose box has no reheat coil are heated.
enum class NoReheatHeating : std::uint8_t {
    Radiator, ///< a perimeter radiator on the boiler's hot water (ideal heating, capped)
    None,     ///< not at all
};

/// What an AHU does during a step.
enum class AhuMode : std::uint8_t { Off, Occupied, NightHeating, NightCooling };

/// The operator's (or a policy's) command for an AHU (ActionKind::SetMode "auto"/"on"/"off").
enum class AhuCommand : std::uint8_t { Auto, On, Off };

/// The scenario's "hvac" object (keys and defaults: see the file comment).
struct HvacParams
{
    HvacMode mode = HvacMode::Ideal;
    double supplyAirC = 13.0;            ///< AHU supply (leaving-coil) air temperature
    double reheatMaxSupplyC = 32.0;      ///< box discharge limit (≈ space + 11 K, Guideline 36)
    double minFlowFraction = 0.3;        ///< box minimum, of its maximum flow
    double heatingMaxFlowFraction = 0.5; ///< dual-maximum heating flow (≥ the minimum)
    double designFlowLpsPerM2 = 5.0;     ///< box maximum per m² of floor (≈ 1 cfm/ft²)
    double fanDesignPressurePa = 1000.0; ///< total pressure rise at design flow
    double fanEfficiency = 0.6;          ///< total: fan × motor × drive
    FanCurve fanCurve = FanCurve::AshraeAppendixG;
    double minOutdoorAirFraction = 0.2;   ///< outdoor damper minimum while occupied
    bool economizer = true;               ///< dry-bulb differential economizer
    double economizerLowLimitC = -20.0;   ///< outdoor lockout below this (freeze protection)
    double chillerCop = 3.0;              ///< at the rating condition (≈ 90.1 air-cooled minimum)
    double chillerRatingOutdoorC = 35.0;  ///< AHRI 550/590 air-cooled rating condition
    double chillerCopSlopePerK = 0.02;    ///< relative COP gain per K below the rating
    double boilerEfficiency = 0.9;        ///< heat → fuel, as the zones' default in ideal mode
    Carrier boilerCarrier = Carrier::Gas; ///< reheat, preheat and radiators
    NoReheatHeating noReheatHeating = NoReheatHeating::Radiator;
    bool nightCycle = true; ///< fans cycle on to hold setback/setup temperatures
};

/// One VAV box serving one zone. A Brick VAV that feeds several rooms becomes one terminal per
/// room (sized by the room's floor area, each on the room's thermostat); its points report
/// their sum, so `firstOfBox` names the terminal carrying the box's bindings.
struct VavTerminal
{
    std::string id;               ///< the VAV entity id (or "<zone id>/vav")
    std::uint32_t ahu = 0;        ///< index into HvacSystem::ahus
    std::uint32_t zone = 0;       ///< index into SimConfig::zones
    std::uint32_t firstOfBox = 0; ///< first terminal of the same box (itself for one room)
    double maxFlowM3s = 0.0;      ///< cooling maximum
    bool reheat = true;           ///< has a hot-water reheat coil
};

/// An air handler; its terminals are the contiguous range [firstTerminal, endTerminal).
struct AirHandler
{
    std::string id;
    std::uint32_t firstTerminal = 0;
    std::uint32_t endTerminal = 0;
    double designFlowM3s = 0.0; ///< Σ of its boxes' maximum flows
    double designFanW = 0.0;    ///< Δp·V̇_design/η
};

inline constexpr std::uint32_t kNoTerminal = 0xFFFFFFFFU;

/// The equipment of a run (empty in ideal mode).
struct HvacSystem
{
    HvacParams params;
    std::vector<AirHandler> ahus;
    std::vector<VavTerminal> terminals;        ///< grouped by AHU
    std::vector<std::uint32_t> terminalOfZone; ///< zone → terminal or kNoTerminal (or empty)
};

/// The equipment's mutable state: contiguous arrays, part of SimState (and of its hash).
/// Per-terminal arrays are indexed like HvacSystem::terminals, per-AHU ones like ::ahus.
/// Values are those of the last step.
struct HvacState
{
    double airRhoC = 0.0; ///< J/(m³·K), ρc of the air this step (flows are at this density)
    std::vector<double> flowM3s;            ///< box supply flow
    std::vector<double> dischargeC;         ///< box discharge temperature
    std::vector<double> reheatW;            ///< box reheat coil heat
    std::vector<double> radiatorW;          ///< zone radiator heat (boxes without reheat)
    std::vector<std::uint8_t> ahuMode;      ///< AhuMode
    std::vector<std::uint8_t> ahuCommand;   ///< AhuCommand
    std::vector<double> ahuFlowM3s;         ///< supply fan flow
    std::vector<double> ahuSupplyC;         ///< leaving the coils (= the setpoint while on)
    std::vector<double> ahuSupplySetpointC; ///< supply air temperature setpoint
    std::vector<double> ahuReturnC;         ///< return air (kept while off)
    std::vector<double> ahuMixedC;          ///< after the outdoor/return dampers
    std::vector<double> ahuCoilEnteringC;   ///< mixed air plus the fan's heat
    std::vector<double> ahuOutdoorFraction; ///< of the supply flow
    std::vector<double> ahuFanW;            ///< fan electric power
    std::vector<double> ahuCoolingCoilW;    ///< heat removed by the cooling coil
    std::vector<double> ahuPreheatW;        ///< heat added by the preheat coil
};

/// Fraction of design fan power at a part-load ratio (flow/design flow, clamped to 0..1).
double fanPowerFraction(FanCurve curve, double partLoadRatio);

/// Chiller COP at an outdoor dry-bulb temperature (see the header comment).
double chillerCop(const HvacParams& params, double outdoorC);

/// Inputs of one box for one step.
struct VavBoxInputs
{
    double rhoC = 1206.0;           ///< J/(m³·K)
    double supplyC = 13.0;          ///< the AHU's supply air temperature
    double minFlowM3s = 0.0;        ///< 0 with the fan off
    double maxFlowM3s = 0.0;        ///< cooling maximum
    double heatingMaxFlowM3s = 0.0; ///< dual-maximum heating flow (≥ min)
    double reheatMaxC = 32.0;       ///< discharge temperature limit
    double heatingSetpoint = 20.0;
    double coolingSetpoint = 26.0;
    double radiatorMaxW = 0.0; ///< radiator capacity (0: none)
    bool reheat = false;       ///< a reheat coil is available (needs airflow)
    bool heating = true;       ///< the zone may be heated
    bool cooling = true;       ///< the zone may be cooled (flow above the minimum)
};

struct VavBoxStep
{
    double flowM3s = 0.0;
    double dischargeC = 0.0;
    double reheatW = 0.0; ///< ρc·V̇·(T_d − T_s)
    double radiatorW = 0.0;
    double phiHc = 0.0; ///< W to the zone air: ρc·V̇·(T_d − θ_air) + radiator
};

/// The box's flow, discharge temperature and reheat for one step of the zone whose air node
/// is `zone` (closed form, see the header comment). Evaluate the zone with evaluateZone(zone,
/// θ_m, result.phiHc).
VavBoxStep controlVavBox(const ZoneAffine& zone, const VavBoxInputs& in);

/// Inputs of one AHU for one step.
struct AirHandlerInputs
{
    double rhoC = 1206.0; ///< J/(m³·K)
    double flowM3s = 0.0; ///< Σ box flows
    double returnC = 22.0;
    double outdoorC = 10.0;
    double supplyC = 13.0;           ///< supply air temperature setpoint
    double minOutdoorFraction = 0.2; ///< damper minimum this step (0: closed)
    bool economizer = true;          ///< economizing allowed this step
    double economizerLowLimitC = -20.0;
    double designFlowM3s = 1.0;
    double designFanW = 0.0;
    FanCurve fanCurve = FanCurve::AshraeAppendixG;
};

struct AirHandlerStep
{
    double outdoorFraction = 0.0;
    double mixedC = 0.0;
    double fanW = 0.0;
    double coilEnteringC = 0.0; ///< T_mix + ΔT_fan
    double coolingCoilW = 0.0;  ///< ρc·V̇·(T_in − T_s) when positive
    double preheatW = 0.0;      ///< ρc·V̇·(T_s − T_in) when positive
    bool economizing = false;   ///< outdoor air above the minimum for free cooling
};

/// Mixing, economizer, fan and coils of one AHU for one step (see the header comment).
AirHandlerStep stepAirHandler(const AirHandlerInputs& in);

std::string_view ahuModeName(AhuMode mode);

} // namespace twindesk::sim
