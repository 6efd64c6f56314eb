#pragma once
/// \file solar.h
/// Solar geometry and irradiance on tilted surfaces (walls, roofs, windows).
///
/// All functions are pure, deterministic and allocation-free; angles are radians unless a name
/// ends in `Deg`; irradiances are W/m².
///
/// ## Solar position
/// solarPosition() implements the NOAA "General Solar Position Calculations" (the NOAA Solar
/// Calculator spreadsheet), which is Jean Meeus, *Astronomical Algorithms* (2nd ed., 1998),
/// ch. 25, low-accuracy Sun: geometric mean longitude and anomaly, equation of centre, apparent
/// longitude with the nutation/aberration term, obliquity with its nutation correction,
/// declination, and the equation of time in its Smart (1956) series form. The true solar time
/// is UTC minutes + equation of time + 4·longitude, the hour angle is true solar time / 4 -
/// 180°. Accuracy: about 0.01° in zenith and azimuth for 1901-2099 (checked against NREL's SPA
/// in the tests). The angles are *geometric*: no atmospheric refraction and no parallax; UT is
/// used for TT (ΔT ignored, worth < 0.001°).
///
/// ## Irradiance on a surface
/// `cos θ = cos Z cos β + sin Z sin β cos(γs - γ)` with solar zenith Z, solar azimuth γs,
/// surface tilt β and surface azimuth γ (both azimuths clockwise from north).
/// - beam = DNI · max(0, cos θ), and 0 while the sun is at or below the horizon (cos Z ≤ 0).
/// - ground-reflected = GHI · ρ · (1 - cos β) / 2 (isotropic ground, both models).
/// - sky diffuse, SkyModel::Isotropic (Liu & Jordan 1963): DHI · (1 + cos β) / 2.
/// - sky diffuse, SkyModel::Perez: Perez, Ineichen, Seals, Michalsky & Stewart (1990),
///   "Modeling daylight availability and irradiance components from direct and global
///   irradiance", Solar Energy 44(5) 271-289, with the "allsitescomposite1990" coefficients
///   (Table 6 of that paper; the set EnergyPlus and pvlib use by default):
///     ε = ((DHI + DNI)/DHI + κZ³) / (1 + κZ³), κ = 1.041 (Z in radians)
///     Δ = DHI · AM / E₀ₙ, AM = Kasten & Young (1989) relative air mass
///         1 / (cos Z + 0.50572 (96.07995 - Z°)^-1.6364)
///     F1 = max(0, f11 + f12 Δ + f13 Z), F2 = f21 + f22 Δ + f23 Z (coefficients by ε bin,
///         bin edges 1.065, 1.23, 1.5, 1.95, 2.8, 4.5, 6.2)
///     sky = max(0, DHI · [(1 - F1)(1 + cos β)/2 + F1 · a/b + F2 · sin β]),
///         a = max(0, cos θ), b = max(cos 85°, cos Z).
///   With the sun at or below the horizon (the model is undefined there) the Perez model falls
///   back to the isotropic sky, which keeps the hourly diffuse energy of a sunrise or sunset
///   hour; with DHI = 0 the sky term is 0.
/// Negative irradiance inputs are treated as 0; every returned component is ≥ 0 (NaN inputs
/// propagate as NaN, they are not hidden).

#include <twindesk/sim/sim_time.h>

namespace twindesk::sim {

/// The solar constant used for the extraterrestrial irradiance, W/m² (WMO 1981 value, the one
/// behind TMY3/EPW extraterrestrial radiation).
inline constexpr double kSolarConstant = 1367.0;

/// Where the Sun is, seen from one place at one instant. All angles in radians.
struct SolarPosition
{
    double zenithRad = 0;             ///< geometric, 0 overhead, > π/2 below the horizon
    double azimuthRad = 0;            ///< clockwise from north, [0, 2π): π/2 east, π south
    double altitudeRad = 0;           ///< π/2 - zenith
    double declinationRad = 0;        ///< apparent solar declination
    double hourAngleRad = 0;          ///< [-π, π), 0 at true solar noon, > 0 afternoon
    double equationOfTimeMinutes = 0; ///< true solar time minus mean solar time
    double earthSunDistanceAu = 1;    ///< radius vector, astronomical units
};

/// Solar position (NOAA/Meeus, see the file comment) at `utc` seconds since the Unix epoch for
/// a place at `latitudeDeg` (+N) and `longitudeDeg` (+E). Valid 1901-2099 to ~0.01°.
SolarPosition solarPosition(Seconds utc, double latitudeDeg, double longitudeDeg);

/// Extraterrestrial normal irradiance kSolarConstant / r², W/m² (about 1322 to 1414).
double extraterrestrialNormalIrradiance(const SolarPosition& sun);

/// A plane receiving sunlight.
struct Surface
{
    double tiltDeg = 0;    ///< 0 = horizontal facing up (roof), 90 = vertical wall, 180 = down
    double azimuthDeg = 0; ///< direction the outward normal faces: 0 N, 90 E, 180 S, 270 W
};

enum class SkyModel { Isotropic, Perez };

/// Irradiance on a surface, W/m², all components ≥ 0.
struct SurfaceIrradiance
{
    double beam = 0;            ///< direct beam from the Sun's disc
    double skyDiffuse = 0;      ///< diffuse from the sky dome
    double groundReflected = 0; ///< reflected from the ground
    double total = 0;           ///< beam + skyDiffuse + groundReflected
    double incidenceCos = 0;    ///< cos θ of the beam on the surface; < 0 when behind it
};

/// Splits and transposes the horizontal irradiance onto `surface` (see the file comment).
/// `directNormal`, `diffuseHorizontal`, `globalHorizontal` in W/m² (for hourly data: the
/// hour's mean, with `sun` evaluated at the middle of the hour); `extraterrestrialNormal` in
/// W/m² (only the Perez model uses it; it must be > 0, else Perez falls back to isotropic);
/// `groundAlbedo` in [0, 1].
SurfaceIrradiance irradianceOnSurface(const SolarPosition& sun, const Surface& surface,
                                      double directNormal, double diffuseHorizontal,
                                      double globalHorizontal, double extraterrestrialNormal,
                                      double groundAlbedo, SkyModel model);

} // namespace twindesk::sim
