#include <twindesk/sim/solar.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <numbers>

namespace twindesk::sim {

namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kDegToRad = kPi / 180.0;
constexpr double kRadToDeg = 180.0 / kPi;
constexpr double kUnixEpochJulianDay = 2440587.5;
constexpr double kJ2000JulianDay = 2451545.0;
constexpr double kDaysPerJulianCentury = 36525.0;
constexpr double kSecondsPerDay = 86400.0;

double sinDeg(double deg)
{
    return std::sin(deg * kDegToRad);
}
double cosDeg(double deg)
{
    return std::cos(deg * kDegToRad);
}

/// x mod m in [0, m).
double wrap(double x, double m)
{
    double r = std::fmod(x, m);
    if (r < 0)
        r += m;
    return r;
}

/// Perez et al. (1990) "allsitescomposite1990" coefficients, one row per clearness bin:
/// f11, f12, f13, f21, f22, f23.
constexpr std::array<std::array<double, 6>, 8> kPerez1990{{
    {-0.0080, 0.5880, -0.0620, -0.0600, 0.0720, -0.0220},
    {0.1300, 0.6830, -0.1510, -0.0190, 0.0660, -0.0290},
    {0.3300, 0.4870, -0.2210, 0.0550, -0.0640, -0.0260},
    {0.5680, 0.1870, -0.2950, 0.1090, -0.1520, -0.0140},
    {0.8730, -0.3920, -0.3620, 0.2260, -0.4620, 0.0010},
    {1.1320, -1.2370, -0.4120, 0.2880, -0.8230, 0.0560},
    {1.0600, -1.6000, -0.3590, 0.2640, -1.1270, 0.1310},
    {0.6780, -0.3270, -0.2500, 0.1560, -1.3770, 0.2510},
}};

/// Upper edges of the first seven sky-clearness (ε) bins; the eighth is open.
constexpr std::array<double, 7> kClearnessEdges{1.065, 1.23, 1.5, 1.95, 2.8, 4.5, 6.2};

/// Kasten & Young (1989) relative optical air mass; zenith in degrees, < 90.
double relativeAirMass(double zenithDeg)
{
    return 1.0 / (cosDeg(zenithDeg) + 0.50572 * std::pow(96.07995 - zenithDeg, -1.6364));
}

double isotropicSky(double diffuseHorizontal, double cosTilt)
{
    return diffuseHorizontal * (1.0 + cosTilt) / 2.0;
}

double perezSky(const SolarPosition& sun, double cosTilt, double sinTilt, double incidenceCos,
                double directNormal, double diffuseHorizontal, double extraterrestrialNormal)
{
    const double cosZenith = std::cos(sun.zenithRad);
    if (diffuseHorizontal <= 0)
        return 0;
    if (cosZenith <= 0 || !(extraterrestrialNormal > 0))
        return isotropicSky(diffuseHorizontal, cosTilt);

    constexpr double kKappa = 1.041;
    const double z = sun.zenithRad;
    const double kz3 = kKappa * z * z * z;
    const double clearness =
        ((diffuseHorizontal + directNormal) / diffuseHorizontal + kz3) / (1.0 + kz3);
    const double brightness =
        diffuseHorizontal * relativeAirMass(z * kRadToDeg) / extraterrestrialNormal;

    std::size_t bin = 0;
    while (bin < kClearnessEdges.size() && clearness >= kClearnessEdges.at(bin))
        ++bin;
    const auto& f = kPerez1990.at(bin);
    const double f1 = std::max(0.0, f[0] + f[1] * brightness + f[2] * z);
    const double f2 = f[3] + f[4] * brightness + f[5] * z;

    const double a = std::max(0.0, incidenceCos);
    const double b = std::max(cosDeg(85.0), cosZenith);
    const double sky =
        diffuseHorizontal * ((1.0 - f1) * (1.0 + cosTilt) / 2.0 + f1 * a / b + f2 * sinTilt);
    return std::max(0.0, sky);
}

} // namespace

SolarPosition solarPosition(Seconds utc, double latitudeDeg, double longitudeDeg)
{
    // Julian day and Julian centuries since J2000.0 (UT; the NOAA sheet ignores ΔT).
    const double julianDay = static_cast<double>(utc) / kSecondsPerDay + kUnixEpochJulianDay;
    const double t = (julianDay - kJ2000JulianDay) / kDaysPerJulianCentury;

    const double meanLongitude = wrap(280.46646 + t * (36000.76983 + t * 0.0003032), 360.0);
    const double meanAnomaly = 357.52911 + t * (35999.05029 - 0.0001537 * t);
    const double eccentricity = 0.016708634 - t * (0.000042037 + 0.0000001267 * t);
    const double centre = sinDeg(meanAnomaly) * (1.914602 - t * (0.004817 + 0.000014 * t)) +
                          sinDeg(2 * meanAnomaly) * (0.019993 - 0.000101 * t) +
                          sinDeg(3 * meanAnomaly) * 0.000289;
    const double trueLongitude = meanLongitude + centre;
    const double trueAnomaly = meanAnomaly + centre;
    const double radius = (1.000001018 * (1 - eccentricity * eccentricity)) /
                          (1 + eccentricity * cosDeg(trueAnomaly));
    const double omega = 125.04 - 1934.136 * t;
    const double apparentLongitude = trueLongitude - 0.00569 - 0.00478 * sinDeg(omega);
    const double meanObliquity =
        23.0 + (26.0 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60.0) / 60.0;
    const double obliquity = meanObliquity + 0.00256 * cosDeg(omega);
    const double declination = std::asin(sinDeg(obliquity) * sinDeg(apparentLongitude)); // radians

    const double y = std::pow(std::tan(obliquity * kDegToRad / 2.0), 2);
    const double l0 = meanLongitude * kDegToRad;
    const double m = meanAnomaly * kDegToRad;
    const double equationOfTime =
        4.0 * kRadToDeg *
        (y * std::sin(2 * l0) - 2 * eccentricity * std::sin(m) +
         4 * eccentricity * y * std::sin(m) * std::cos(2 * l0) - 0.5 * y * y * std::sin(4 * l0) -
         1.25 * eccentricity * eccentricity * std::sin(2 * m));

    // True solar time in minutes, then the hour angle in [-180°, 180°).
    const auto secondOfDay = static_cast<double>(((utc % 86400) + 86400) % 86400);
    const double trueSolarMinutes =
        wrap(secondOfDay / 60.0 + equationOfTime + 4.0 * longitudeDeg, 1440.0);
    const double hourAngle = (trueSolarMinutes / 4.0 - 180.0) * kDegToRad;

    const double lat = latitudeDeg * kDegToRad;
    const double cosZenith =
        std::clamp(std::sin(lat) * std::sin(declination) +
                       std::cos(lat) * std::cos(declination) * std::cos(hourAngle),
                   -1.0, 1.0);
    const double zenith = std::acos(cosZenith);
    // Azimuth from north, clockwise: atan2 stays well defined near the zenith and the poles.
    const double azimuth =
        wrap(std::atan2(-std::cos(declination) * std::sin(hourAngle),
                        std::sin(declination) * std::cos(lat) -
                            std::cos(declination) * std::sin(lat) * std::cos(hourAngle)),
             2 * kPi);

    SolarPosition sun;
    sun.zenithRad = zenith;
    sun.azimuthRad = azimuth;
    sun.altitudeRad = kPi / 2 - zenith;
    sun.declinationRad = declination;
    sun.hourAngleRad = hourAngle;
    sun.equationOfTimeMinutes = equationOfTime;
    sun.earthSunDistanceAu = radius;
    return sun;
}

double extraterrestrialNormalIrradiance(const SolarPosition& sun)
{
    return kSolarConstant / (sun.earthSunDistanceAu * sun.earthSunDistanceAu);
}

SurfaceIrradiance irradianceOnSurface(const SolarPosition& sun, const Surface& surface,
                                      double directNormal, double diffuseHorizontal,
                                      double globalHorizontal, double extraterrestrialNormal,
                                      double groundAlbedo, SkyModel model)
{
    directNormal = std::max(0.0, directNormal);
    diffuseHorizontal = std::max(0.0, diffuseHorizontal);
    globalHorizontal = std::max(0.0, globalHorizontal);
    groundAlbedo = std::max(0.0, groundAlbedo);

    const double tilt = surface.tiltDeg * kDegToRad;
    const double cosTilt = std::cos(tilt);
    const double sinTilt = std::sin(tilt);
    const double cosZenith = std::cos(sun.zenithRad);
    const double sinZenith = std::sin(sun.zenithRad);

    SurfaceIrradiance out;
    out.incidenceCos =
        cosZenith * cosTilt +
        sinZenith * sinTilt * std::cos(sun.azimuthRad - surface.azimuthDeg * kDegToRad);
    out.beam = cosZenith > 0 ? directNormal * std::max(0.0, out.incidenceCos) : 0.0;
    out.skyDiffuse = model == SkyModel::Perez
                         ? perezSky(sun, cosTilt, sinTilt, out.incidenceCos, directNormal,
                                    diffuseHorizontal, extraterrestrialNormal)
                         : isotropicSky(diffuseHorizontal, cosTilt);
    // (1 - cos β) / 2 is ≥ 0 for every tilt; max() guards the rounding at β = 0.
    out.groundReflected = std::max(0.0, globalHorizontal * groundAlbedo * (1.0 - cosTilt) / 2.0);
    out.total = out.beam + out.skyDiffuse + out.groundReflected;
    return out;
}

} // namespace twindesk::sim
