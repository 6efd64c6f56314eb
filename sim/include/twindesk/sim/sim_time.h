#pragma once
/// \file sim_time.h
/// Simulation time: an integer count of seconds since the Unix epoch (UTC) plus a fixed step.
///
/// Time is never a floating-point accumulation: step k of a run starting at t0 is exactly
/// t0 + k * step, so two runs of the same scenario agree to the second forever.

#include <twindesk/twin/result.h>

#include <cstdint>
#include <string>

namespace twindesk::sim {

using Seconds = std::int64_t;

/// The fixed time grid of one run. Immutable once made.
class TimeGrid
{
public:
    /// `step` must be positive and divide an hour (1, 2, ..., 60, ..., 900, 1800, 3600 s) so
    /// that every hourly weather record and every quarter-hour falls on a step.
    static twin::Result<TimeGrid> make(Seconds start, Seconds end, Seconds step);

    [[nodiscard]] Seconds start() const { return m_start; }
    [[nodiscard]] Seconds end() const { return m_end; }
    [[nodiscard]] Seconds step() const { return m_step; }
    [[nodiscard]] std::int64_t stepCount() const { return (m_end - m_start) / m_step; }
    [[nodiscard]] Seconds timeAt(std::int64_t stepIndex) const
    {
        return m_start + stepIndex * m_step;
    }

private:
    TimeGrid(Seconds start, Seconds end, Seconds step) : m_start(start), m_end(end), m_step(step) {}
    Seconds m_start = 0;
    Seconds m_end = 0;
    Seconds m_step = 60;
};

/// Seconds since the epoch for a UTC civil date-time (proleptic Gregorian), no time zone.
Seconds utcSeconds(int year, int month, int day, int hour = 0, int minute = 0, int second = 0);

/// ISO 8601 "YYYY-MM-DDTHH:MM:SSZ".
std::string formatUtc(Seconds t);

/// Weekday and time of day in a site's local standard time (no daylight saving: schedules
/// and rules are written in standard time).
struct LocalTime
{
    int weekday = 0;         ///< 0 = Sunday … 6 = Saturday
    Seconds secondOfDay = 0; ///< 0 … 86 399
    [[nodiscard]] int hour() const { return static_cast<int>(secondOfDay / 3600); }
};
/// The local standard time at `utc` for a site `tzHours` east of UTC.
LocalTime localTime(Seconds utc, double tzHours);

} // namespace twindesk::sim
