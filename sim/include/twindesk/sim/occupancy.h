#pragma once
/// \file occupancy.h
/// Occupancy per room over a run: meeting rooms filled from calendar meetings, open offices
/// from a seeded stochastic arrival/departure model.
///
/// Time: the schedule lives on a fixed grid of `steps` steps of `step` seconds from `start`
/// (UTC). Step k describes the state at its midpoint, start + k * step + step / 2: a meeting
/// from 10:00 to 10:30 on a 15-minute grid fills the 10:00 and 10:15 steps.
///
/// Determinism: the same inputs and seed give a bit-identical schedule on every run and
/// platform we build for. Randomness comes only from std::mt19937_64 and this module's own
/// distribution code (Box–Muller normals, inverse-CDF exponentials), never from the standard
/// library's distributions. Each (open office, local day) draws from its own generator seeded
/// from (seed, room id, day), so a day's occupancy does not depend on where the grid starts.
///
/// No Qt, no exceptions; errors are twin::Error values.

#include <twindesk/sim/calendar.h>
#include <twindesk/sim/sim_time.h>
#include <twindesk/twin/result.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace twindesk::sim {

/// A room that meetings can take place in (or an open office).
struct RoomMapping
{
    std::string roomId;               ///< e.g. "urn:twindesk:demo:office#room_106"
    std::vector<std::string> aliases; ///< names people type: the label, "Training Room", ...
    int capacity = 0;                 ///< seats (td:maxOccupancy)
};

/// Why a LOCATION did or did not map to a room.
enum class LocationMatchKind {
    Alias,     ///< the whole text equals one alias (case- and punctuation-insensitive)
    Contains,  ///< the text contains one room's alias or room number as whole words
    Ambiguous, ///< the text names more than one room
    Unmapped,  ///< the text names no room (or is empty)
};

struct LocationMatch
{
    std::optional<std::size_t> room; ///< index into RoomMap::rooms(); set for Alias/Contains
    LocationMatchKind kind = LocationMatchKind::Unmapped;
};

/// Matches a meeting's LOCATION text to a room.
///
/// Rule: texts are compared after normalising — ASCII letters lower-cased, every character
/// that is not a letter or digit turned into a space, runs of spaces collapsed ("Rm. 208 /
/// Zoom" → "rm 208 zoom"). Then:
///  1. if the whole text equals an alias of exactly one room, that room;
///  2. otherwise every room is a candidate whose alias occurs in the text as whole words, or
///     whose room number (the trailing digits of its id, or a leading number in an alias:
///     "106" for "106 Huddle Room Oak") occurs as a word; exactly one candidate → that room,
///     several → Ambiguous, none → Unmapped.
/// Unmapped and ambiguous locations are reported by OccupancySchedule::unmapped().
class RoomMap
{
public:
    RoomMap() = default;
    explicit RoomMap(std::vector<RoomMapping> rooms);

    /// Aliases derived from a Brick label: the label itself and, when it starts with a room
    /// number, the rest ("106 Huddle Room Oak" → {"106 Huddle Room Oak", "Huddle Room Oak"}).
    static std::vector<std::string> aliasesFromLabel(std::string_view label);

    [[nodiscard]] LocationMatch match(std::string_view location) const;
    [[nodiscard]] const std::vector<RoomMapping>& rooms() const { return m_rooms; }
    [[nodiscard]] std::size_t size() const { return m_rooms.size(); }
    /// Index of the room with this id, if any.
    [[nodiscard]] std::optional<std::size_t> indexOf(std::string_view roomId) const;

private:
    std::vector<RoomMapping> m_rooms;
    std::vector<std::vector<std::string>> m_aliases; ///< normalised, per room
    std::vector<std::vector<std::string>> m_numbers; ///< room numbers, per room
};

/// An open-plan office whose occupants follow the stochastic workday model.
struct OpenOffice
{
    std::size_t room = 0; ///< index into the RoomMap
    int headcount = -1;   ///< people who work there; negative: the room's capacity
};

/// The open-office workday model, in local time. Weekdays only (Monday–Friday); nobody comes
/// in on Saturdays and Sundays. Per person and weekday:
///  - comes in at all with probability `presenceProbability` (leave, sickness, remote work);
///  - arrives at Normal(arrivalMeanHours, arrivalSdMinutes), clamped to 05:00–12:00;
///  - leaves at Normal(departureMeanHours, departureSdMinutes), clamped to at least one hour
///    after arriving and at most 23:00;
///  - is away for lunch from lunchStartHours to lunchEndHours with probability
///    `lunchProbability`;
///  - takes short breaks as a Poisson process of `breaksPerHour` while in, each lasting
///    Exponential(breakMeanMinutes), at most 30 minutes.
/// The local day's UTC offset is taken at local noon, so DST changes (at night) are exact.
struct OpenOfficeProfile
{
    double presenceProbability = 0.9;
    double arrivalMeanHours = 8.5;
    double arrivalSdMinutes = 30.0;
    double departureMeanHours = 17.5;
    double departureSdMinutes = 45.0;
    double lunchProbability = 0.5;
    double lunchStartHours = 12.0;
    double lunchEndHours = 13.0;
    double breaksPerHour = 0.5;
    double breakMeanMinutes = 8.0;
};

struct OccupancyOptions
{
    std::uint64_t seed = 1;
    TimeZone zone; ///< local time of the open-office model (UTC by default)
    std::vector<OpenOffice> openOffices;
    OpenOfficeProfile profile;
    /// People in a meeting whose event lists no ATTENDEEs: min(room capacity, this).
    int defaultMeetingSize = 4;
    /// > 0: a meeting's people arrive one by one, evenly over its first `arrivalSpread`
    /// seconds (e.g. 300); 0: all are there from the start.
    Seconds arrivalSpread = 0;
};

/// A LOCATION that mapped to no single room, with how often it occurred.
struct UnmappedLocation
{
    std::string location;
    LocationMatchKind kind = LocationMatchKind::Unmapped;
    int occurrences = 0;
    std::string exampleUid;     ///< UID of the first meeting with this location
    std::string exampleSummary; ///< its SUMMARY
};

/// People and bookings per room and step. Immutable once built. Stored contiguously, one
/// vector per quantity, room-major (index room * steps + step).
class OccupancySchedule
{
public:
    /// Builds the schedule. Meetings are mapped with `rooms.match(location)`; a mapped meeting
    /// books its room while it runs and puts its people in it: `attendees`, or when the event
    /// lists none, min(capacity, options.defaultMeetingSize). An overbooked meeting keeps its
    /// real head count (people may exceed capacity). All-day events book the room for their
    /// days but put no people in it. Unmapped meetings are listed in unmapped(), not dropped
    /// silently. Errors (InvalidArgument): step <= 0, steps < 0, a grid too large, an open
    /// office index out of range, probabilities outside [0, 1], negative durations.
    static twin::Result<OccupancySchedule> build(const RoomMap& rooms,
                                                 const std::vector<Meeting>& meetings,
                                                 Seconds start, Seconds step, std::int64_t steps,
                                                 const OccupancyOptions& options = {});

    [[nodiscard]] std::size_t roomCount() const { return m_meetings.size(); }
    [[nodiscard]] std::int64_t stepCount() const { return m_steps; }
    [[nodiscard]] Seconds start() const { return m_start; }
    [[nodiscard]] Seconds step() const { return m_step; }

    /// People in `room` during step `step` (0 outside the grid or for an unknown room).
    [[nodiscard]] int people(std::size_t room, std::int64_t step) const;
    /// Whether a meeting holds `room` during step `step` (false outside the grid).
    [[nodiscard]] bool booked(std::size_t room, std::int64_t step) const;
    /// Start of the first meeting in `room` that starts at or after `t` (a meeting already
    /// running at t does not count), for pre-conditioning; nullopt if none.
    [[nodiscard]] std::optional<Seconds> nextMeetingStart(std::size_t room, Seconds t) const;
    /// The meetings mapped to `room`, sorted by start (all given, also those off the grid).
    [[nodiscard]] std::vector<Meeting> meetingsOf(std::size_t room) const;
    /// Locations that mapped to no single room, in order of first appearance.
    [[nodiscard]] const std::vector<UnmappedLocation>& unmapped() const { return m_unmapped; }
    /// FNV-1a hash of all people and booking values: equal schedules hash equal.
    [[nodiscard]] std::uint64_t hash() const;

private:
    OccupancySchedule() = default;
    Seconds m_start = 0;
    Seconds m_step = 60;
    std::int64_t m_steps = 0;
    std::vector<int> m_people;                    ///< room-major
    std::vector<std::uint8_t> m_booked;           ///< room-major, 0/1
    std::vector<std::vector<Meeting>> m_meetings; ///< per room, sorted by start
    std::vector<UnmappedLocation> m_unmapped;
};

} // namespace twindesk::sim
