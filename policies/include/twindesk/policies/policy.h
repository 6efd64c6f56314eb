#pragma once
/// \file policy.h
/// The policy API: what a policy reads, what it may emit, and how it is identified.
///
/// A Policy is called by the ControlLoop (control_loop.h) on its period with an Observation —
/// the latest value of every point the source publishes — and returns typed actions. It never
/// talks to a source or a sink itself: the loop guards, approves, applies and logs what it
/// returns, the same way whichever source is attached (simulator, recording, live broker).
/// A policy is identified by id + version + content hash (SHA-256 of its canonical parameters),
/// which every decision-log row records.
/// Thread affinity: a Policy instance is used by one loop on one thread.

#include <twindesk/sim/action.h>
#include <twindesk/sim/telemetry.h>
#include <twindesk/twin/result.h>
#include <twindesk/twin/twin_graph.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace twindesk::sim {
class ComputeCluster;
class RuntimeFleet;
}

namespace twindesk::policies {

using sim::Action;
using sim::ActionKind;
using sim::Seconds;

/// What the calendar says about rooms: the meetings booked in them. Rooms are twin entity ids.
/// Implemented over the simulator's occupancy schedule (ScheduleBookings, room_context.h) and,
/// live, over the same calendars. Immutable; shared between threads.
class Bookings
{
public:
    virtual ~Bookings() = default;
    Bookings() = default;
    Bookings(const Bookings&) = delete;
    Bookings& operator=(const Bookings&) = delete;
    Bookings(Bookings&&) = delete;
    Bookings& operator=(Bookings&&) = delete;

    /// Whether a meeting holds `room` at time `t` (false for a room the calendar does not know).
    [[nodiscard]] virtual bool booked(std::string_view room, Seconds t) const = 0;
    /// Start of the first meeting in `room` starting at or after `t` (a meeting already running
    /// at `t` does not count); nullopt when none is booked.
    [[nodiscard]] virtual std::optional<Seconds> nextMeetingStart(std::string_view room,
                                                                  Seconds t) const = 0;
    /// Whether the calendar knows `room` at all.
    [[nodiscard]] virtual bool knows(std::string_view room) const = 0;
};

/// The latest value of every point, plus time and context. Built by the loop; immutable while
/// a policy decides.
class Observation
{
public:
    Observation() = default;
    Observation(std::shared_ptr<const twin::TwinGraph> twin, double timeZoneHours);

    /// Merges a frame: its samples replace earlier values of the same points.
    void update(const sim::TelemetryFrame& frame);

    [[nodiscard]] Seconds time() const { return m_time; }
    /// Local standard time offset of the site, hours (for schedules).
    [[nodiscard]] double timeZoneHours() const { return m_timeZoneHours; }
    /// The value of a point, or nullopt when it has never been seen or its last sample was bad
    /// (quality false, NaN or infinite).
    [[nodiscard]] std::optional<double> value(std::string_view point) const;
    [[nodiscard]] std::size_t pointCount() const { return m_points.size(); }
    /// Points whose last sample was bad (quality false, NaN or infinite: a stale or faulty
    /// sensor), sorted. Empty in the common case at no cost.
    [[nodiscard]] std::vector<std::string> badPoints() const;
    /// The twin model (may be null for sources without one).
    [[nodiscard]] const twin::TwinGraph* twin() const { return m_twin.get(); }
    /// The room bookings (may be null: no calendar attached).
    [[nodiscard]] const Bookings* bookings() const { return m_bookings.get(); }
    void setBookings(std::shared_ptr<const Bookings> bookings) { m_bookings = std::move(bookings); }
    /// The compute hosts and workloads at time() (TelemetrySource::computeView; null when the
    /// source has none): what a consolidation policy plans over. Read-only.
    [[nodiscard]] const sim::ComputeCluster* compute() const { return m_compute.get(); }
    void setCompute(std::shared_ptr<const sim::ComputeCluster> compute)
    {
        m_compute = std::move(compute);
    }
    /// The virtualization runtimes at time() (TelemetrySource::runtimeView; null when the
    /// source has none): services, workloads, meeting needs (runtime.h). Read-only.
    [[nodiscard]] const sim::RuntimeFleet* runtimes() const { return m_runtimes.get(); }
    void setRuntimes(std::shared_ptr<const sim::RuntimeFleet> runtimes)
    {
        m_runtimes = std::move(runtimes);
    }
    /// Replaces the compute view by a private deep copy, so the observation stays valid while
    /// the source moves on (a policy deciding on another thread).
    void detachCompute();

private:
    struct Entry
    {
        std::string point;
        double value;
        bool quality;
    };
    struct Hash
    {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const
        {
            return std::hash<std::string_view>{}(s);
        }
    };
    /// Hot path (every sample of every frame, every policy lookup): one hash lookup per point,
    /// and for a source that sends its points in the same order every frame, one comparison.
    std::vector<Entry> m_points; // in the order first seen
    std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> m_index;
    std::vector<std::uint32_t> m_byPosition; // entry of the last frame's i-th sample + 1 (0: none)
    std::size_t m_bad = 0;                   // entries whose quality is false
    std::shared_ptr<const twin::TwinGraph> m_twin;
    std::shared_ptr<const Bookings> m_bookings;
    std::shared_ptr<const sim::ComputeCluster> m_compute;
    std::shared_ptr<const sim::RuntimeFleet> m_runtimes;
    Seconds m_time = 0;
    double m_timeZoneHours = 0.0;
};

struct PolicyInfo
{
    std::string id;                 ///< registry name, e.g. "fixed-schedule"
    std::string version;            ///< semantic version of the policy's code
    std::string hash;               ///< "sha256:<hex>" of its canonical parameters
    Seconds period = 300;           ///< how often the loop asks it to decide
    std::vector<ActionKind> emits;  ///< the only action kinds it may return
    std::vector<std::string> reads; ///< Brick class local names of the points it reads
    /// Events: Brick class local names (e.g. "Occupancy_Sensor") of points whose change of
    /// value makes the loop ask the policy at once, between its periodic decisions.
    std::vector<std::string> triggers;
};

class Policy
{
public:
    virtual ~Policy() = default;
    Policy() = default;
    Policy(const Policy&) = delete;
    Policy& operator=(const Policy&) = delete;
    Policy(Policy&&) = delete;
    Policy& operator=(Policy&&) = delete;

    [[nodiscard]] virtual const PolicyInfo& info() const = 0;
    /// The actions for this observation. An Error (or an exception) makes the loop fall back.
    virtual twin::Result<std::vector<Action>> decide(const Observation& observation) = 0;
    /// Findings of the last decide() that are not actions (e.g. "meeting booked too late to
    /// prepare"); the loop logs each as a decision-log row with verdict "note" and clears them.
    virtual std::vector<std::string> takeNotes() { return {}; }
};

} // namespace twindesk::policies
