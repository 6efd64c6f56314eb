#pragma once
/// \file weather.h
/// EnergyPlus weather files (EPW): a strict reader and O(1) sampling at any simulation time.
///
/// An EPW file holds one typical year of hourly records in local *standard* time (never
/// daylight saving time). Record `hour = h` of a day covers the interval (h-1, h] and is
/// stamped at its end, h:00. The reader accepts exactly what the EnergyPlus "Auxiliary
/// Programs" weather-format chapter describes: 8 header lines, then 8760 hourly rows (8784 when
/// the HOLIDAYS/DAYLIGHT SAVINGS line says the file is a leap year), 35 fields per row.
///
/// ## Two kinds of quantities
/// - *Instantaneous* values (dry bulb, dew point, relative humidity, pressure, wind speed and
///   direction, sky cover) are observations at the stamp h:00. Between two stamps they are
///   linearly interpolated; wind direction along the shorter arc.
/// - *Energies* (all radiation fields, Wh/m²) are summed over the hour that ends at the stamp,
///   so the mean irradiance during that hour, in W/m², equals the record's value.
///   `sampleAt(t)` returns the mean of the hour [M, M + 1 h) that contains t, where M is the
///   hour mark at or before t (an instant exactly on a mark belongs to the hour that *starts*
///   there). A simulation step [t, t + step) with a step that divides an hour (see TimeGrid)
///   lies inside one hour, so the step average is exact and the hourly energy is conserved.
///   The horizontal infrared radiation and the sky temperature derived from it follow this
///   rule too, so that σ·T_sky⁴ equals the hour's mean infrared irradiance.
///   Liquid precipitation (mm) and albedo are hourly values of the same hour.
///
/// ## Mapping simulation time onto the typical year
/// `utc` is converted to local standard time with the file's time zone (LOCATION field 8);
/// daylight saving time is never applied. The local calendar date then selects the record by
/// month and day; the EPW year column is ignored (in a TMY file each month comes from a
/// different year). Every calendar year replays the same typical year; Dec 31 24:00 wraps to
/// Jan 1 01:00 of the next year.
/// *Leap days:* for a non-leap file, Feb 29 of a leap calendar year replays Feb 28's records
/// (so Feb 28 and Feb 29 are identical days and Mar 1 follows unchanged). For a leap-year file
/// (8784 rows) in a non-leap calendar year, the file's Feb 29 is never used.
///
/// ## Missing values
/// The EPW missing-value codes are recognised per field (dry bulb and dew point 99.9,
/// relative humidity 999, pressure 999999, radiation 9999, wind 999, sky cover 99, albedo 999,
/// liquid precipitation 999; any value at or above the code counts as missing). They are never
/// used as measurements. Each missing value is filled by linear interpolation in time between
/// the nearest valid values before and after it (cyclically across the year end, the same wrap
/// as sampling; wind direction along the shorter arc), and counted: see missingValueCount().
/// Exceptions, because interpolation would invent data:
/// - liquid precipitation: a missing hour is filled with 0 mm (interpolating across long gaps
///   would spread one shower over days);
/// - a field missing in *every* row is an error naming the field, except albedo (then 0.2,
///   the EnergyPlus default ground reflectance) and liquid precipitation (then 0 mm), which
///   many published files never fill in. Such a field has missingValueCount(field) ==
///   hourCount().
/// Values that are present but outside the EPW data dictionary's range (e.g. a dry bulb of
/// -80 °C or a relative humidity of 150 %) are errors, not missing values.
///
/// ## Errors
/// load() never throws and never crashes on garbage (empty, binary, truncated, NaN text).
/// Every error's `where` is "<path>:<line>" (the path as given, the 1-based line) and its
/// message says what is wrong, naming the field (0-based EPW column and name) where one is
/// involved, e.g. `USA_x.epw:57: field 6 (dry bulb temperature) is 'abc', expected a number`.
/// Header strings are converted from Latin-1 to UTF-8.
///
/// ## Cost and determinism
/// load() streams the file once (about 10 ms of CPU for a 1.6 MB TMY3 file); sampleAt() is
/// O(1) (two calendar conversions, no search) and allocation-free. All results are pure
/// functions of the file's bytes and the argument.

#include <twindesk/sim/sim_time.h>
#include <twindesk/twin/result.h>

#include <array>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace twindesk::sim {

/// The LOCATION header line.
struct EpwLocation
{
    std::string city;         ///< UTF-8
    std::string region;       ///< state, province or region (UTF-8, may be empty or "-")
    std::string country;      ///< UTF-8
    std::string source;       ///< data source, e.g. "TMY3"
    std::string wmo;          ///< WMO station number, kept as text
    double latitudeDeg = 0;   ///< degrees, +N, in [-90, 90]
    double longitudeDeg = 0;  ///< degrees, +E (US sites are negative), in [-180, 180]
    double timeZoneHours = 0; ///< standard time minus UTC in hours, in [-12, 14]
    double elevationM = 0;    ///< metres above sea level, in [-1000, 9999.9)
};

/// One hourly EPW record after missing values were filled. Instantaneous values are at the
/// stamp (`hour`:00 local standard time); energies are sums over the hour ending there.
struct WeatherHour
{
    int month = 1; ///< 1-12
    int day = 1;   ///< 1-31
    int hour = 1;  ///< 1-24: the record covers (hour-1, hour] local standard time

    double dryBulb = 0;                      ///< °C, instantaneous
    double dewPoint = 0;                     ///< °C, instantaneous
    double relativeHumidity = 0;             ///< %, instantaneous
    double pressure = 0;                     ///< station pressure, Pa, instantaneous
    double extraterrestrialHorizontal = 0;   ///< Wh/m² over the hour
    double extraterrestrialDirectNormal = 0; ///< Wh/m² over the hour
    double horizontalInfrared = 0;           ///< sky long-wave on a horizontal plane, Wh/m²
    double globalHorizontal = 0;             ///< Wh/m² over the hour
    double directNormal = 0;                 ///< Wh/m² over the hour
    double diffuseHorizontal = 0;            ///< Wh/m² over the hour
    double windDirection = 0;                ///< degrees the wind comes from, 0 N, 90 E
    double windSpeed = 0;                    ///< m/s, instantaneous
    double totalSkyCover = 0;                ///< tenths (0-10)
    double opaqueSkyCover = 0;               ///< tenths (0-10)
    double albedo = 0;                       ///< ground reflectance, 0-1
    double liquidPrecipitation = 0;          ///< mm over the hour
};

/// Weather at one instant, as returned by WeatherFile::sampleAt().
struct WeatherSample
{
    // Instantaneous values, linearly interpolated between hour stamps.
    double dryBulb = 0;          ///< °C
    double dewPoint = 0;         ///< °C
    double relativeHumidity = 0; ///< %
    double pressure = 0;         ///< Pa
    double windSpeed = 0;        ///< m/s
    double windDirection = 0;    ///< degrees the wind comes from, [0, 360), 0 N, 90 E
    double totalSkyCover = 0;    ///< tenths
    double opaqueSkyCover = 0;   ///< tenths

    // Means over the hour [M, M + 1 h) that contains the instant (see the file comment).
    double globalHorizontal = 0;             ///< W/m²
    double directNormal = 0;                 ///< W/m²
    double diffuseHorizontal = 0;            ///< W/m²
    double extraterrestrialDirectNormal = 0; ///< W/m² (0 while the sun is down all hour)
    double horizontalInfrared = 0;           ///< W/m²
    double skyTemperature = 0;               ///< °C, (horizontalInfrared / σ)^(1/4) - 273.15
    double albedo = 0;                       ///< ground reflectance of that hour, 0-1
    double liquidPrecipitation = 0;          ///< mm during that hour

    std::size_t recordIndex = 0; ///< index of the record whose hour contains the instant
};

/// The EPW data fields the reader keeps, for per-field statistics.
enum class WeatherField {
    DryBulb,
    DewPoint,
    RelativeHumidity,
    Pressure,
    ExtraterrestrialHorizontal,
    ExtraterrestrialDirectNormal,
    HorizontalInfrared,
    GlobalHorizontal,
    DirectNormal,
    DiffuseHorizontal,
    WindDirection,
    WindSpeed,
    TotalSkyCover,
    OpaqueSkyCover,
    Albedo,
    LiquidPrecipitation,
};
inline constexpr std::size_t kWeatherFieldCount = 16;

/// Human-readable name, e.g. "dry bulb temperature".
const char* weatherFieldName(WeatherField field);
/// 0-based column of the field in an EPW data row, e.g. 6 for the dry bulb.
int weatherFieldColumn(WeatherField field);

/// Stefan–Boltzmann constant, W/(m²·K⁴).
inline constexpr double kStefanBoltzmann = 5.670374419e-8;

/// A loaded EPW typical year. Immutable after load(); cheap to share by const reference and
/// safe to read from several threads at once.
class WeatherFile
{
public:
    /// Reads and validates `path` (see the file comment for every rule). Error codes:
    /// NotFound (no such file), IoError (unreadable, a directory, or larger than 64 MiB),
    /// ParseError (anything wrong with the content).
    static twin::Result<WeatherFile> load(const std::filesystem::path& path);

    [[nodiscard]] const EpwLocation& location() const { return m_location; }
    /// True for an 8784-row file (the header's leap-year flag is "Yes").
    [[nodiscard]] bool isLeapYearFile() const { return m_leapYearFile; }
    /// Local standard time minus UTC, seconds (time zone hours × 3600, rounded).
    [[nodiscard]] Seconds utcOffsetSeconds() const { return m_utcOffset; }

    /// 8760, or 8784 for a leap-year file.
    [[nodiscard]] std::size_t hourCount() const { return m_hours.size(); }
    /// Record `index` in file order (0 = Jan 1 hour 1). Precondition: index < hourCount()
    /// (asserted; an out-of-range index returns the last record in release builds).
    [[nodiscard]] const WeatherHour& hour(std::size_t index) const;

    /// Number of values that were missing codes and were filled, over all kept fields.
    [[nodiscard]] std::size_t missingValueCount() const { return m_missingTotal; }
    /// Number of filled values of one field (== hourCount() if the field was absent).
    [[nodiscard]] std::size_t missingValueCount(WeatherField field) const;

    /// Index of the record whose hour contains the instant `utc` (the hour [M, M + 1 h) after
    /// the hour mark M at or before utc, in local standard time). O(1).
    [[nodiscard]] std::size_t recordIndexAt(Seconds utc) const;

    /// The weather at the instant `utc` (seconds since the Unix epoch). O(1), no allocation.
    /// Works for any int64 time: the Gregorian calendar repeats every 400 years, so the time
    /// is reduced modulo that cycle before the calendar arithmetic.
    [[nodiscard]] WeatherSample sampleAt(Seconds utc) const;

private:
    WeatherFile() = default;

    /// Index of the record stamped at the local-standard-time hour mark `localMark`.
    [[nodiscard]] std::size_t recordEndingAt(Seconds localMark) const;

    EpwLocation m_location;
    std::vector<WeatherHour> m_hours;
    std::vector<double> m_skyTemperature; ///< °C per record, from horizontalInfrared
    std::array<std::size_t, kWeatherFieldCount> m_missing{};
    std::size_t m_missingTotal = 0;
    Seconds m_utcOffset = 0;
    bool m_leapYearFile = false;
};

} // namespace twindesk::sim
