#include <twindesk/sim/sim_time.h>

#include <array>
#include <cmath>
#include <cstdio>

namespace twindesk::sim {

namespace {

// Howard Hinnant's days_from_civil / civil_from_days: exact integer calendar arithmetic.
constexpr std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil
{
    std::int64_t year;
    unsigned month;
    unsigned day;
};

constexpr Civil civilFromDays(std::int64_t z)
{
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {y + (m <= 2 ? 1 : 0), m, d};
}

} // namespace

twin::Result<TimeGrid> TimeGrid::make(Seconds start, Seconds end, Seconds step)
{
    if (step <= 0 || 3600 % step != 0)
        return twin::makeError(twin::ErrorCode::InvalidArgument,
                               "step " + std::to_string(step) +
                                   " s does not divide an hour; use e.g. 60, 300, 900 or 3600");
    if (end <= start)
        return twin::makeError(twin::ErrorCode::InvalidArgument,
                               "the period is empty: end " + formatUtc(end) +
                                   " is not after start " + formatUtc(start));
    if ((end - start) % step != 0)
        return twin::makeError(twin::ErrorCode::InvalidArgument,
                               "the period (" + std::to_string(end - start) +
                                   " s) is not a whole number of " + std::to_string(step) +
                                   " s steps");
    return TimeGrid(start, end, step);
}

Seconds utcSeconds(int year, int month, int day, int hour, int minute, int second)
{
    return daysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
           Seconds{hour} * 3600 + Seconds{minute} * 60 + second;
}

LocalTime localTime(Seconds utc, double tzHours)
{
    const Seconds local = utc + static_cast<Seconds>(std::llround(tzHours * 3600.0));
    Seconds days = local / 86400;
    Seconds rem = local % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    // 1970-01-01 was a Thursday (4).
    return {static_cast<int>(((days % 7) + 7 + 4) % 7), rem};
}

std::string formatUtc(Seconds t)
{
    std::int64_t days = t / 86400;
    std::int64_t rem = t % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    const auto c = civilFromDays(days);
    std::array<char, 40> buf{};
    std::snprintf(buf.data(), buf.size(), "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ",
                  static_cast<long long>(c.year), c.month, c.day,
                  static_cast<long long>(rem / 3600), static_cast<long long>((rem / 60) % 60),
                  static_cast<long long>(rem % 60));
    return buf.data();
}

} // namespace twindesk::sim
