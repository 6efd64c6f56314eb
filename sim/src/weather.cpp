#include <twindesk/sim/weather.h>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <istream>
#include <limits>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>

namespace twindesk::sim {

namespace {

using twin::ErrorCode;
using twin::makeError;

constexpr std::uintmax_t kMaxFileBytes = 64U << 20U;
constexpr std::size_t kHeaderLineCount = 8;
constexpr std::size_t kFieldsPerRow = 35;
constexpr std::size_t kHoursPerDay = 24;
constexpr Seconds kHour = 3600;
constexpr Seconds kDay = 86400;
/// The Gregorian calendar repeats exactly every 400 years = 146097 days.
constexpr Seconds kGregorianCycle = 146097LL * kDay;
constexpr double kDefaultAlbedo = 0.2;
constexpr double kKelvin = 273.15;
constexpr double kInf = std::numeric_limits<double>::infinity();

constexpr std::array<int, 13> kMonthStart365{0,   31,  59,  90,  120, 151, 181,
                                             212, 243, 273, 304, 334, 365};
constexpr std::array<int, 13> kMonthStart366{0,   31,  60,  91,  121, 152, 182,
                                             213, 244, 274, 305, 335, 366};

constexpr std::array<const char*, kHeaderLineCount> kHeaderKeywords{"LOCATION",
                                                                    "DESIGN CONDITIONS",
                                                                    "TYPICAL/EXTREME PERIODS",
                                                                    "GROUND TEMPERATURES",
                                                                    "HOLIDAYS/DAYLIGHT SAVINGS",
                                                                    "COMMENTS 1",
                                                                    "COMMENTS 2",
                                                                    "DATA PERIODS"};

/// How a missing value of a field is filled.
enum class Fill { Linear, Angle, Zero };

/// What happens when a field is missing in every row.
enum class WhenAbsent { Error, UseDefault };

/// One kept data field, from the EPW data dictionary (EnergyPlus Auxiliary Programs,
/// "Data Field Descriptions"): column, missing-value code and valid range.
struct FieldSpec
{
    WeatherField field;
    int column;
    const char* name;
    double missingCode; ///< a value >= this is missing
    const char* missingText;
    double minimum;
    bool minimumExclusive;
    double maximum;
    bool maximumExclusive;
    Fill fill;
    WhenAbsent whenAbsent;
    double absentValue;
};

// Order must follow WeatherField.
constexpr std::array<FieldSpec, kWeatherFieldCount> kFields{{
    {WeatherField::DryBulb, 6, "dry bulb temperature", 99.9, "99.9", -70, true, 70, true,
     Fill::Linear, WhenAbsent::Error, 0},
    {WeatherField::DewPoint, 7, "dew point temperature", 99.9, "99.9", -70, true, 70, true,
     Fill::Linear, WhenAbsent::Error, 0},
    {WeatherField::RelativeHumidity, 8, "relative humidity", 999, "999", 0, false, 110, false,
     Fill::Linear, WhenAbsent::Error, 0},
    {WeatherField::Pressure, 9, "atmospheric station pressure", 999999, "999999", 31000, true,
     120000, true, Fill::Linear, WhenAbsent::Error, 0},
    {WeatherField::ExtraterrestrialHorizontal, 10, "extraterrestrial horizontal radiation", 9999,
     "9999", 0, false, kInf, false, Fill::Linear, WhenAbsent::Error, 0},
    {WeatherField::ExtraterrestrialDirectNormal, 11, "extraterrestrial direct normal radiation",
     9999, "9999", 0, false, kInf, false, Fill::Linear, WhenAbsent::Error, 0},
    {WeatherField::HorizontalInfrared, 12, "horizontal infrared radiation", 9999, "9999", 0, false,
     kInf, false, Fill::Linear, WhenAbsent::Error, 0},
    {WeatherField::GlobalHorizontal, 13, "global horizontal radiation", 9999, "9999", 0, false,
     kInf, false, Fill::Linear, WhenAbsent::Error, 0},
    {WeatherField::DirectNormal, 14, "direct normal radiation", 9999, "9999", 0, false, kInf, false,
     Fill::Linear, WhenAbsent::Error, 0},
    {WeatherField::DiffuseHorizontal, 15, "diffuse horizontal radiation", 9999, "9999", 0, false,
     kInf, false, Fill::Linear, WhenAbsent::Error, 0},
    {WeatherField::WindDirection, 20, "wind direction", 999, "999", 0, false, 360, false,
     Fill::Angle, WhenAbsent::Error, 0},
    {WeatherField::WindSpeed, 21, "wind speed", 999, "999", 0, false, 40, false, Fill::Linear,
     WhenAbsent::Error, 0},
    {WeatherField::TotalSkyCover, 22, "total sky cover", 99, "99", 0, false, 10, false,
     Fill::Linear, WhenAbsent::Error, 0},
    {WeatherField::OpaqueSkyCover, 23, "opaque sky cover", 99, "99", 0, false, 10, false,
     Fill::Linear, WhenAbsent::Error, 0},
    {WeatherField::Albedo, 32, "albedo", 999, "999", 0, false, 1, false, Fill::Linear,
     WhenAbsent::UseDefault, kDefaultAlbedo},
    {WeatherField::LiquidPrecipitation, 33, "liquid precipitation depth", 999, "999", 0, false,
     kInf, false, Fill::Zero, WhenAbsent::UseDefault, 0},
}};

constexpr std::array<double WeatherHour::*, kWeatherFieldCount> kMembers{
    &WeatherHour::dryBulb,
    &WeatherHour::dewPoint,
    &WeatherHour::relativeHumidity,
    &WeatherHour::pressure,
    &WeatherHour::extraterrestrialHorizontal,
    &WeatherHour::extraterrestrialDirectNormal,
    &WeatherHour::horizontalInfrared,
    &WeatherHour::globalHorizontal,
    &WeatherHour::directNormal,
    &WeatherHour::diffuseHorizontal,
    &WeatherHour::windDirection,
    &WeatherHour::windSpeed,
    &WeatherHour::totalSkyCover,
    &WeatherHour::opaqueSkyCover,
    &WeatherHour::albedo,
    &WeatherHour::liquidPrecipitation,
};

constexpr Seconds floorDiv(Seconds a, Seconds b)
{
    const Seconds q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

constexpr Seconds floorMod(Seconds a, Seconds b)
{
    return a - floorDiv(a, b) * b;
}

struct CivilDate
{
    std::int64_t year;
    int month;
    int day;
};

// Howard Hinnant's civil_from_days: exact proleptic-Gregorian date of a day count since
// 1970-01-01 (same algorithm as sim_time.cpp, which keeps its copy private).
constexpr CivilDate civilFromDays(std::int64_t z)
{
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<std::uint32_t>(z - era * 146097);
    const std::uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
    const std::uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::uint32_t mp = (5 * doy + 2) / 153;
    const std::uint32_t d = doy - (153 * mp + 2) / 5 + 1;
    const std::uint32_t m = mp < 10 ? mp + 3 : mp - 9;
    return {y + (m <= 2 ? 1 : 0), static_cast<int>(m), static_cast<int>(d)};
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto ca = static_cast<unsigned char>(a[i]);
        const auto cb = static_cast<unsigned char>(b[i]);
        const auto la = (ca >= 'a' && ca <= 'z') ? ca - 'a' + 'A' : ca;
        const auto lb = (cb >= 'a' && cb <= 'z') ? cb - 'a' + 'A' : cb;
        if (la != lb)
            return false;
    }
    return true;
}

/// Latin-1 bytes to UTF-8 (every byte is a code point U+0000..U+00FF).
std::string latin1ToUtf8(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x80) {
            out.push_back(c);
        } else {
            out.push_back(static_cast<char>(0xC0U | (u >> 6U)));
            out.push_back(static_cast<char>(0x80U | (u & 0x3FU)));
        }
    }
    return out;
}

/// A raw field made safe to quote in a message: control bytes become '?', long text is cut.
std::string quoted(std::string_view raw)
{
    constexpr std::size_t kMaxQuoted = 40;
    const bool cut = raw.size() > kMaxQuoted;
    std::string clean(raw.substr(0, kMaxQuoted));
    for (char& c : clean) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F)
            c = '?';
    }
    return "'" + latin1ToUtf8(clean) + (cut ? "...'" : "'");
}

std::string formatNumber(double v)
{
    std::array<char, 32> buf{};
    std::snprintf(buf.data(), buf.size(), "%g", v);
    return buf.data();
}

/// A finite decimal number filling the whole (trimmed) field, or nothing.
std::optional<double> parseNumber(std::string_view text)
{
    text = trim(text);
    if (!text.empty() && text.front() == '+')
        text.remove_prefix(1);
    if (text.empty())
        return std::nullopt;
    double value = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end || !std::isfinite(value))
        return std::nullopt;
    return value;
}

std::optional<int> parseInt(std::string_view text)
{
    text = trim(text);
    if (!text.empty() && text.front() == '+')
        text.remove_prefix(1);
    if (text.empty())
        return std::nullopt;
    int value = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end)
        return std::nullopt;
    return value;
}

/// Splits on ',' into `out` (reused to avoid allocations per row).
void splitFields(std::string_view line, std::vector<std::string_view>& out)
{
    out.clear();
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = line.find(',', start);
        if (comma == std::string_view::npos) {
            out.push_back(line.substr(start));
            return;
        }
        out.push_back(line.substr(start, comma - start));
        start = comma + 1;
    }
}

/// "m/d" with optional blanks around the numbers (" 1/ 1", "12/31").
std::optional<std::pair<int, int>> parseMonthDay(std::string_view text)
{
    const std::size_t slash = text.find('/');
    if (slash == std::string_view::npos)
        return std::nullopt;
    const auto m = parseInt(text.substr(0, slash));
    const auto d = parseInt(text.substr(slash + 1));
    if (!m || !d)
        return std::nullopt;
    return std::make_pair(*m, *d);
}

double lerp(double a, double b, double t)
{
    return a + (b - a) * t;
}

/// Interpolates compass angles along the shorter arc; result in [0, 360).
double lerpAngle(double a, double b, double t)
{
    const double d = std::fmod(b - a + 540.0, 360.0) - 180.0;
    double r = std::fmod(a + d * t, 360.0);
    if (r < 0)
        r += 360.0;
    return r;
}

double skyTemperatureFromInfrared(double infrared)
{
    return std::pow(std::max(infrared, 0.0) / kStefanBoltzmann, 0.25) - kKelvin;
}

/// Fills the NaN (missing) values of one field of `hours` cyclically (see weather.h). The
/// field must hold at least one number.
void fillMissing(std::vector<WeatherHour>& hours, double WeatherHour::*member, Fill fill)
{
    const std::size_t n = hours.size();
    const auto at = [&](std::size_t i) -> double& { return hours[i].*member; };
    if (fill == Fill::Zero) {
        for (std::size_t i = 0; i < n; ++i) {
            if (std::isnan(at(i)))
                at(i) = 0;
        }
        return;
    }
    std::size_t first = 0;
    while (first < n && std::isnan(at(first)))
        ++first;
    if (first == n)
        return;
    // Walk once around the year from the first valid value; offset n is that value again.
    std::size_t prev = 0;
    for (std::size_t off = 1; off <= n; ++off) {
        const std::size_t idx = (first + off) % n;
        if (off < n && std::isnan(at(idx)))
            continue;
        if (off - prev > 1) {
            const double a = at((first + prev) % n);
            const double b = at(idx);
            const auto span = static_cast<double>(off - prev);
            for (std::size_t k = prev + 1; k < off; ++k) {
                const double t = static_cast<double>(k - prev) / span;
                at((first + k) % n) = fill == Fill::Angle ? lerpAngle(a, b, t) : lerp(a, b, t);
            }
        }
        prev = off;
    }
}

twin::Error parseError(const std::string& file, std::size_t line, std::string message)
{
    return makeError(ErrorCode::ParseError, std::move(message), file + ":" + std::to_string(line));
}

std::string fieldLabel(const FieldSpec& spec)
{
    return "field " + std::to_string(spec.column) + " (" + spec.name + ")";
}

std::string rangeText(const FieldSpec& spec)
{
    std::string text;
    if (spec.maximum == kInf)
        return std::string(spec.minimumExclusive ? "above " : "at least ") +
               formatNumber(spec.minimum);
    text = (spec.minimumExclusive ? "above " : "from ") + formatNumber(spec.minimum) +
           (spec.maximumExclusive ? " and below " : " to ") + formatNumber(spec.maximum);
    return text;
}

bool inRange(const FieldSpec& spec, double v)
{
    const bool aboveMin = spec.minimumExclusive ? v > spec.minimum : v >= spec.minimum;
    const bool belowMax = spec.maximumExclusive ? v < spec.maximum : v <= spec.maximum;
    return aboveMin && belowMax;
}

std::string monthDayHour(int month, int day, int hour)
{
    return std::to_string(month) + "/" + std::to_string(day) + " hour " + std::to_string(hour);
}

/// Everything load() extracts, before it becomes a WeatherFile.
struct ParsedEpw
{
    EpwLocation location;
    bool leapYear = false;
    std::vector<WeatherHour> hours;
    std::array<std::size_t, kWeatherFieldCount> missing{};
};

/// Reads lines through one reused 64 KiB chunk, so a file is never held in memory whole (fresh
/// memory costs a page fault per 4 KiB). Lines end in "\n" or "\r\n"; a last line without an
/// end counts, a trailing newline does not start another line. A returned view stays valid
/// until the next call.
class LineReader
{
public:
    explicit LineReader(std::istream& in) : m_in(in), m_chunk(kChunkBytes) {}

    /// The next line, or nothing at the end of the input (or after a read error).
    std::optional<std::string_view> next()
    {
        m_carry.clear(); // the previous line's storage, if it needed any
        while (true) {
            if (m_pos < m_end) {
                const char* begin = m_chunk.data() + m_pos;
                const std::size_t available = m_end - m_pos;
                const auto* newline = static_cast<const char*>(std::memchr(begin, '\n', available));
                if (newline != nullptr) {
                    const auto length = static_cast<std::size_t>(newline - begin);
                    m_pos += length + 1;
                    if (m_carry.empty())
                        return finish(std::string_view(begin, length));
                    m_carry.append(begin, length);
                    return finish(m_carry);
                }
                m_carry.append(begin, available); // a line continuing in the next chunk
                m_pos = m_end;
            }
            if (m_eof)
                return m_carry.empty() ? std::nullopt : finish(m_carry);
            m_in.read(m_chunk.data(), static_cast<std::streamsize>(m_chunk.size()));
            m_pos = 0;
            m_end = static_cast<std::size_t>(m_in.gcount());
            m_failed = m_in.bad();
            m_eof = m_end == 0 || m_failed;
        }
    }

    /// 1-based number of the line last returned.
    [[nodiscard]] std::size_t lineNumber() const { return m_lineNumber; }
    [[nodiscard]] bool failed() const { return m_failed; }

private:
    static constexpr std::size_t kChunkBytes = 65536;

    std::optional<std::string_view> finish(std::string_view line)
    {
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        ++m_lineNumber;
        return line;
    }

    std::istream& m_in;
    std::vector<char> m_chunk;
    std::string m_carry;
    std::size_t m_pos = 0;
    std::size_t m_end = 0;
    std::size_t m_lineNumber = 0;
    bool m_eof = false;
    bool m_failed = false;
};

class EpwParser
{
public:
    EpwParser(std::string file, std::istream& in) : m_file(std::move(file)), m_reader(in) {}

    twin::Result<ParsedEpw> parse()
    {
        auto result = parseAll();
        if (!result.ok() && m_reader.failed())
            return makeError(ErrorCode::IoError,
                             "reading the file failed after line " +
                                 std::to_string(m_reader.lineNumber()),
                             m_file);
        return result;
    }

private:
    twin::Result<ParsedEpw> parseAll()
    {
        if (auto status = parseHeader(); !status.ok())
            return status.error();
        if (auto status = parseRows(); !status.ok())
            return status.error();
        if (auto status = fillAll(); !status.ok())
            return status.error();
        return std::move(m_out);
    }

    twin::Status parseHeader()
    {
        for (std::size_t i = 0; i < kHeaderLineCount; ++i) {
            const auto line = m_reader.next();
            if (!line && i == 0)
                return parseError(m_file, 1,
                                  "the file is empty; an EPW file starts with a LOCATION line");
            if (!line)
                return parseError(m_file, i + 1,
                                  "the file ends inside the header; expected " +
                                      std::to_string(kHeaderLineCount) +
                                      " header lines (LOCATION ... DATA PERIODS) before the data");
            splitFields(*line, m_fields);
            const std::string_view keyword = trim(m_fields.front());
            if (!equalsIgnoreCase(keyword, kHeaderKeywords.at(i)))
                return parseError(m_file, i + 1,
                                  std::string("expected the header keyword '") +
                                      kHeaderKeywords.at(i) + "', found " + quoted(keyword) +
                                      " (an EPW file has 8 header lines in a fixed order)");
            twin::Status status;
            if (i == 0)
                status = parseLocation();
            else if (i == 4)
                status = parseHolidays();
            else if (i == 7)
                status = parseDataPeriods();
            if (!status.ok())
                return status;
        }
        return {};
    }

    twin::Status parseLocation()
    {
        constexpr std::size_t kLine = 1;
        constexpr std::size_t kLocationFields = 10;
        if (m_fields.size() < kLocationFields)
            return parseError(m_file, kLine,
                              "LOCATION has " + std::to_string(m_fields.size() - 1) +
                                  " fields, expected 9 (city, region, country, source, WMO, "
                                  "latitude, longitude, time zone, elevation)");
        for (std::size_t i = kLocationFields; i < m_fields.size(); ++i) {
            if (!trim(m_fields[i]).empty())
                return parseError(m_file, kLine,
                                  "LOCATION has an unexpected 11th field " + quoted(m_fields[i]));
        }
        EpwLocation& loc = m_out.location;
        loc.city = latin1ToUtf8(trim(m_fields[1]));
        loc.region = latin1ToUtf8(trim(m_fields[2]));
        loc.country = latin1ToUtf8(trim(m_fields[3]));
        loc.source = latin1ToUtf8(trim(m_fields[4]));
        loc.wmo = latin1ToUtf8(trim(m_fields[5]));

        struct Numeric
        {
            std::size_t index;
            const char* name;
            double min;
            double max;
            double* target;
        };
        const std::array<Numeric, 4> numerics{{
            {6, "latitude (degrees, +N)", -90, 90, &loc.latitudeDeg},
            {7, "longitude (degrees, +E)", -180, 180, &loc.longitudeDeg},
            {8, "time zone (hours from UTC)", -12, 14, &loc.timeZoneHours},
            {9, "elevation (m)", -1000, 9999.9, &loc.elevationM},
        }};
        for (const Numeric& n : numerics) {
            const auto value = parseNumber(m_fields[n.index]);
            if (!value)
                return parseError(m_file, kLine,
                                  "LOCATION field " + std::to_string(n.index) + " (" + n.name +
                                      ") is " + quoted(m_fields[n.index]) + ", expected a number");
            if (*value < n.min || *value > n.max)
                return parseError(m_file, kLine,
                                  "LOCATION field " + std::to_string(n.index) + " (" + n.name +
                                      ") is " + formatNumber(*value) + ", outside " +
                                      formatNumber(n.min) + " to " + formatNumber(n.max));
            *n.target = *value;
        }
        return {};
    }

    twin::Status parseHolidays()
    {
        constexpr std::size_t kLine = 5;
        const std::string_view flag = m_fields.size() > 1 ? trim(m_fields[1]) : std::string_view();
        if (equalsIgnoreCase(flag, "Yes") || equalsIgnoreCase(flag, "Y")) {
            m_out.leapYear = true;
        } else if (equalsIgnoreCase(flag, "No") || equalsIgnoreCase(flag, "N")) {
            m_out.leapYear = false;
        } else {
            return parseError(m_file, kLine,
                              "HOLIDAYS/DAYLIGHT SAVINGS field 1 (leap year) is " + quoted(flag) +
                                  ", expected Yes or No");
        }
        return {};
    }

    twin::Status parseDataPeriods()
    {
        constexpr std::size_t kLine = 8;
        constexpr std::size_t kPeriodFields = 7;
        if (m_fields.size() < kPeriodFields)
            return parseError(m_file, kLine,
                              "DATA PERIODS has " + std::to_string(m_fields.size() - 1) +
                                  " fields, expected at least 6 (periods, records per hour, "
                                  "name, start weekday, start date, end date)");
        const auto periods = parseInt(m_fields[1]);
        if (!periods || *periods != 1)
            return parseError(m_file, kLine,
                              "DATA PERIODS field 1 (number of periods) is " + quoted(m_fields[1]) +
                                  ", expected 1: only single-period full-year files are supported");
        const auto perHour = parseInt(m_fields[2]);
        if (!perHour || *perHour != 1)
            return parseError(m_file, kLine,
                              "DATA PERIODS field 2 (records per hour) is " + quoted(m_fields[2]) +
                                  ", expected 1: only hourly files are supported");
        const auto start = parseMonthDay(m_fields[5]);
        const auto end = parseMonthDay(m_fields[6]);
        if (!start || *start != std::make_pair(1, 1) || !end || *end != std::make_pair(12, 31))
            return parseError(m_file, kLine,
                              "DATA PERIODS runs from " + quoted(trim(m_fields[5])) + " to " +
                                  quoted(trim(m_fields[6])) +
                                  ", expected 1/1 to 12/31: only full-year files are supported");
        return {};
    }

    twin::Status parseRows()
    {
        const std::size_t dayCount = m_out.leapYear ? 366 : 365;
        const std::size_t rowCount = dayCount * kHoursPerDay;
        const auto& monthStart = m_out.leapYear ? kMonthStart366 : kMonthStart365;
        const std::size_t firstLine = kHeaderLineCount; // 0-based index of the first data row

        m_out.hours.reserve(rowCount);

        int month = 1;
        for (std::size_t row = 0; row < rowCount; ++row) {
            const std::size_t lineIndex = firstLine + row;
            const std::size_t lineNumber = lineIndex + 1;
            const auto dayOfYear = static_cast<int>(row / kHoursPerDay);
            while (dayOfYear >= monthStart.at(static_cast<std::size_t>(month)))
                ++month;
            const int day = dayOfYear - monthStart.at(static_cast<std::size_t>(month - 1)) + 1;
            const int hour = static_cast<int>(row % kHoursPerDay) + 1;

            const auto line = m_reader.next();
            if (!line)
                return parseError(m_file, lineNumber,
                                  "the file ends after " + std::to_string(row) +
                                      " data rows; expected " + std::to_string(rowCount) +
                                      " hourly rows from 1/1 hour 1 to 12/31 hour 24 (the next "
                                      "row should be " +
                                      monthDayHour(month, day, hour) + ")");
            if (trim(*line).empty())
                return parseError(m_file, lineNumber,
                                  "empty line where the data row for " +
                                      monthDayHour(month, day, hour) + " was expected");
            splitFields(*line, m_fields);
            if (m_fields.size() != kFieldsPerRow)
                return parseError(m_file, lineNumber,
                                  "data row has " + std::to_string(m_fields.size()) +
                                      " fields, expected " + std::to_string(kFieldsPerRow));

            if (auto status = checkStamp(lineNumber, month, day, hour); !status.ok())
                return status;

            WeatherHour& h = m_out.hours.emplace_back();
            h.month = month;
            h.day = day;
            h.hour = hour;
            for (std::size_t f = 0; f < kWeatherFieldCount; ++f) {
                const FieldSpec& spec = kFields.at(f);
                const std::string_view raw = m_fields[static_cast<std::size_t>(spec.column)];
                const auto value = parseNumber(raw);
                if (!value)
                    return parseError(m_file, lineNumber,
                                      fieldLabel(spec) + " is " + quoted(raw) +
                                          ", expected a number");
                // A missing value is NaN until fillAll() replaces it (parsed numbers are finite).
                if (*value >= spec.missingCode) {
                    h.*kMembers.at(f) = std::numeric_limits<double>::quiet_NaN();
                    ++m_out.missing.at(f);
                    continue;
                }
                if (!inRange(spec, *value))
                    return parseError(m_file, lineNumber,
                                      fieldLabel(spec) + " is " + formatNumber(*value) +
                                          ", outside the valid range (" + rangeText(spec) +
                                          "; the missing-value code is " + spec.missingText + ")");
                h.*kMembers.at(f) = *value;
            }
        }

        while (const auto line = m_reader.next()) {
            if (!trim(*line).empty())
                return parseError(m_file, m_reader.lineNumber(),
                                  "unexpected line after the last data row (12/31 hour 24): a " +
                                      std::string(m_out.leapYear ? "leap-year" : "non-leap") +
                                      " file has exactly " + std::to_string(rowCount) +
                                      " data rows");
        }
        return {};
    }

    twin::Status checkStamp(std::size_t lineNumber, int month, int day, int hour)
    {
        struct Stamp
        {
            std::size_t column;
            const char* name;
            int expected;
        };
        const std::array<Stamp, 3> stamps{
            {{1, "month", month}, {2, "day", day}, {3, "hour", hour}}};
        std::array<int, 3> found{};
        for (std::size_t i = 0; i < stamps.size(); ++i) {
            const auto value = parseInt(m_fields[stamps.at(i).column]);
            if (!value)
                return parseError(
                    m_file, lineNumber,
                    "field " + std::to_string(stamps.at(i).column) + " (" + stamps.at(i).name +
                        ") is " + quoted(m_fields[stamps.at(i).column]) + ", expected an integer");
            found.at(i) = *value;
        }
        if (found[0] != month || found[1] != day || found[2] != hour)
            return parseError(m_file, lineNumber,
                              "data row is for " + monthDayHour(found[0], found[1], found[2]) +
                                  ", expected " + monthDayHour(month, day, hour) +
                                  ": rows must run hourly from 1/1 hour 1 to 12/31 hour 24 "
                                  "without gaps or repeats" +
                                  (m_out.leapYear ? " (including 2/29)" : " (without 2/29)"));
        return {};
    }

    twin::Status fillAll()
    {
        const std::size_t rowCount = m_out.hours.size();
        for (std::size_t f = 0; f < kWeatherFieldCount; ++f) {
            const FieldSpec& spec = kFields.at(f);
            const auto member = kMembers.at(f);
            if (m_out.missing.at(f) == rowCount) {
                if (spec.whenAbsent == WhenAbsent::Error)
                    return parseError(m_file, kHeaderLineCount + 1,
                                      fieldLabel(spec) + " has the missing-value code (" +
                                          spec.missingText + ") in every data row (lines " +
                                          std::to_string(kHeaderLineCount + 1) + "-" +
                                          std::to_string(kHeaderLineCount + rowCount) +
                                          "); the file has no usable " + spec.name);
                for (WeatherHour& h : m_out.hours)
                    h.*member = spec.absentValue;
            } else if (m_out.missing.at(f) > 0) {
                fillMissing(m_out.hours, member, spec.fill);
            }
        }
        return {};
    }

    std::string m_file;
    LineReader m_reader;
    std::vector<std::string_view> m_fields;
    ParsedEpw m_out;
};

} // namespace

const char* weatherFieldName(WeatherField field)
{
    return kFields.at(static_cast<std::size_t>(field)).name;
}

int weatherFieldColumn(WeatherField field)
{
    return kFields.at(static_cast<std::size_t>(field)).column;
}

twin::Result<WeatherFile> WeatherFile::load(const std::filesystem::path& path)
{
    const std::string name = path.string();
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status))
        return makeError(ErrorCode::NotFound,
                         "no such weather file; check the path (an EPW file is expected)", name);
    if (std::filesystem::is_directory(status))
        return makeError(ErrorCode::IoError, "is a directory, expected an EPW weather file", name);
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    if (ec)
        return makeError(ErrorCode::IoError, "cannot read the file size: " + ec.message(), name);
    if (size > kMaxFileBytes)
        return makeError(ErrorCode::IoError,
                         "the file has " + std::to_string(size) +
                             " bytes; an hourly EPW file is about 1.6 MB (limit 64 MiB)",
                         name);

    std::ifstream in(path, std::ios::binary);
    if (!in)
        return makeError(ErrorCode::IoError, "cannot open the file for reading", name);
    EpwParser parser(name, in);
    auto parsed = parser.parse();
    if (!parsed.ok())
        return parsed.error();

    WeatherFile file;
    ParsedEpw& p = parsed.value();
    file.m_location = std::move(p.location);
    file.m_leapYearFile = p.leapYear;
    file.m_hours = std::move(p.hours);
    file.m_missing = p.missing;
    for (const std::size_t count : file.m_missing)
        file.m_missingTotal += count;
    file.m_utcOffset = std::llround(file.m_location.timeZoneHours * static_cast<double>(kHour));
    file.m_skyTemperature.reserve(file.m_hours.size());
    for (const WeatherHour& h : file.m_hours)
        file.m_skyTemperature.push_back(skyTemperatureFromInfrared(h.horizontalInfrared));
    return file;
}

const WeatherHour& WeatherFile::hour(std::size_t index) const
{
    assert(index < m_hours.size());
    return m_hours[std::min(index, m_hours.size() - 1)];
}

std::size_t WeatherFile::missingValueCount(WeatherField field) const
{
    return m_missing.at(static_cast<std::size_t>(field));
}

std::size_t WeatherFile::recordEndingAt(Seconds localMark) const
{
    // The record stamped at mark M covers (M - 1 h, M]: its date and hour come from M - 1 h.
    const Seconds start = localMark - kHour;
    const Seconds days = floorDiv(start, kDay);
    const auto hourOfDay = static_cast<std::size_t>((start - days * kDay) / kHour);
    const CivilDate date = civilFromDays(days);
    const auto& monthStart = m_leapYearFile ? kMonthStart366 : kMonthStart365;
    std::size_t dayIndex = 0;
    if (!m_leapYearFile && date.month == 2 && date.day == 29)
        dayIndex = static_cast<std::size_t>(kMonthStart365[1]) + 27; // Feb 29 replays Feb 28
    else
        dayIndex = static_cast<std::size_t>(
            monthStart.at(static_cast<std::size_t>(date.month - 1)) + date.day - 1);
    return dayIndex * kHoursPerDay + hourOfDay;
}

std::size_t WeatherFile::recordIndexAt(Seconds utc) const
{
    const Seconds local = floorMod(utc, kGregorianCycle) + m_utcOffset;
    const Seconds mark = floorDiv(local, kHour) * kHour;
    return recordEndingAt(mark + kHour);
}

WeatherSample WeatherFile::sampleAt(Seconds utc) const
{
    const Seconds local = floorMod(utc, kGregorianCycle) + m_utcOffset;
    const Seconds mark = floorDiv(local, kHour) * kHour;
    const double t = static_cast<double>(local - mark) / static_cast<double>(kHour);
    const std::size_t ia = recordEndingAt(mark);
    const std::size_t ib = recordEndingAt(mark + kHour);
    const WeatherHour& a = m_hours[ia];
    const WeatherHour& b = m_hours[ib];

    WeatherSample s;
    s.dryBulb = lerp(a.dryBulb, b.dryBulb, t);
    s.dewPoint = lerp(a.dewPoint, b.dewPoint, t);
    s.relativeHumidity = lerp(a.relativeHumidity, b.relativeHumidity, t);
    s.pressure = lerp(a.pressure, b.pressure, t);
    s.windSpeed = lerp(a.windSpeed, b.windSpeed, t);
    s.windDirection = lerpAngle(a.windDirection, b.windDirection, t);
    s.totalSkyCover = lerp(a.totalSkyCover, b.totalSkyCover, t);
    s.opaqueSkyCover = lerp(a.opaqueSkyCover, b.opaqueSkyCover, t);

    // Wh/m² over one hour is the hour's mean irradiance in W/m².
    s.globalHorizontal = b.globalHorizontal;
    s.directNormal = b.directNormal;
    s.diffuseHorizontal = b.diffuseHorizontal;
    s.extraterrestrialDirectNormal = b.extraterrestrialDirectNormal;
    s.horizontalInfrared = b.horizontalInfrared;
    s.skyTemperature = m_skyTemperature[ib];
    s.albedo = b.albedo;
    s.liquidPrecipitation = b.liquidPrecipitation;
    s.recordIndex = ib;
    return s;
}

} // namespace twindesk::sim
