#pragma once
/// \file calendar.h
/// Meeting calendars: iCalendar (RFC 5545) files read with libical and expanded into concrete,
/// UTC-timed meetings, plus the small time-zone helper the occupancy model uses.
///
/// What is understood: VEVENTs with DTSTART and DTEND or DURATION (DATE-TIME or DATE values),
/// RRULE (any FREQ, COUNT, UNTIL — UTC "Z" UNTIL on zoned events included), RDATE, EXDATE
/// (several, comma lists, TZID / UTC / floating / DATE), RECURRENCE-ID overrides (moved,
/// edited or STATUS:CANCELLED instances), STATUS:CANCELLED series, VTIMEZONEs embedded in the
/// file (IANA, Windows or made-up TZIDs) and TZID references to Olson names that the file does
/// not define (libical's builtin zones, read from the system zoneinfo).
///
/// Time rules (the contract):
///  - A TZID value is local time in that zone: a weekly 10:00 meeting stays at 10:00 local
///    across a DST change (its UTC time moves by an hour).
///  - A UTC value ("...Z") is UTC.
///  - A *floating* value (no TZID, no Z) and every DATE value (all-day events) is local time in
///    the calendar's default zone: CalendarOptions::defaultZone if set, otherwise the file's
///    X-WR-TIMEZONE if it has one, otherwise UTC. An all-day event runs from local midnight of
///    its first day to local midnight after its last day.
///  - An EXDATE or RECURRENCE-ID matches an instance when both denote the same UTC instant; on
///    an all-day series (or when the value is a DATE) it matches by calendar date instead, so
///    Exchange's `RECURRENCE-ID;TZID=...:20200416T000000` finds the all-day 2020-04-16 instance.
///  - DTSTART is always the first instance, even where the RRULE would not produce it (COUNT
///    then includes it, as RFC 5545 says). DTEND wins over DURATION when a component has both.
///    Without either, a timed event lasts 0 s and an all-day event one day. Instances of a
///    timed series keep the exact duration of DTSTART..DTEND (or DURATION, days counted as
///    86 400 s); all-day instances keep their number of days.
///  - An override (RECURRENCE-ID) replaces the matching instance and stands on its own even
///    when no instance matches; the one with the highest SEQUENCE wins if several match.
///    STATUS:CANCELLED on an override removes that instance; on a series removes all of it.
///    Two series with the same UID are one event in two versions: the higher SEQUENCE (else the
///    later in the file) is kept.
///
/// Errors: load()/parse() return an Error (never throw, never abort, print nothing) for a
/// missing or unreadable file, text that is not an iCalendar object (no VCALENDAR, binary data,
/// END without BEGIN, crossed or unclosed BEGIN/END — located by line), a VEVENT with no readable
/// DTSTART, DTEND before DTSTART, a negative DURATION, an unreadable RRULE/EXDATE/RDATE/
/// RECURRENCE-ID, or a TZID that neither the file nor the builtin zones define. `where` is
/// "<file>:<line>" with the line of the offending BEGIN:VEVENT, and the message names the UID.
/// libical is tolerant where that is harmless: `BYDAY=MO, TU` (spaces) is accepted, and
/// unreadable properties that do not affect timing (an empty DESCRIPTION) are ignored.
///
/// Thread safety: a Calendar is immutable after load and cheap to copy (copies share the
/// parsed data). All libical use in this module is serialised by one internal mutex, so
/// calendars may be used from several threads. On first use the module switches libical's
/// process-wide "errors are fatal" flag off (libical would otherwise abort on bad input).
/// Deterministic: same file → same meetings.

#include <twindesk/sim/sim_time.h>
#include <twindesk/twin/result.h>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace twindesk::sim {

/// One concrete occurrence of a calendar event.
struct Meeting
{
    std::string uid;                     ///< UID of the VEVENT (empty if the file has none)
    std::string summary;                 ///< SUMMARY, unescaped
    std::string location;                ///< LOCATION as typed by the organiser (may be empty)
    std::vector<std::string> categories; ///< CATEGORIES values, in file order
    Seconds start = 0;                   ///< UTC, seconds since the epoch
    Seconds end = 0;                     ///< UTC, exclusive; end >= start
    /// Number of ATTENDEE properties, not counting resource attendees (CUTYPE=ROOM or
    /// CUTYPE=RESOURCE: the room itself, a projector). 0 when the event lists none.
    int attendees = 0;
    bool allDay = false;   ///< DTSTART was a DATE
    std::string organizer; ///< ORGANIZER address without "mailto:" (empty if none)
    /// CREATED (UTC s): when the booking was made; nullopt when the event does not say.
    /// Recurrences share their series' value.
    std::optional<Seconds> created;
};

/// How to read a calendar.
struct CalendarOptions
{
    /// Olson name ("America/Chicago", "UTC") used for floating times and all-day dates. Empty:
    /// the file's X-WR-TIMEZONE, else UTC. An unknown name is an error.
    std::string defaultZone;
};

/// A parsed iCalendar file. Immutable; copies share the parsed data.
class Calendar
{
public:
    /// Reads and parses `path`. Errors: NotFound (no such file), IoError, ParseError.
    static twin::Result<Calendar> load(const std::filesystem::path& path,
                                       const CalendarOptions& options = {});
    /// Parses iCalendar text; `name` (e.g. the file name) is used in error locations.
    static twin::Result<Calendar> parse(std::string_view text, std::string_view name,
                                        const CalendarOptions& options = {});

    /// All occurrences overlapping [from, to) — start < to and end > from; a 0-length meeting
    /// counts when from <= start < to — sorted by (start, uid, end, summary). Cancelled and
    /// excluded instances are left out; moved ones appear at their new time.
    [[nodiscard]] std::vector<Meeting> expand(Seconds from, Seconds to) const;

    /// The name given to parse() (the path for load()).
    [[nodiscard]] const std::string& name() const;
    /// Number of VEVENT components in the file (series, single events and overrides).
    [[nodiscard]] std::size_t eventCount() const;
    /// The zone used for floating times and DATE values (an Olson name or a VTIMEZONE TZID).
    [[nodiscard]] const std::string& defaultZone() const;

    struct Data; // implementation detail (calendar.cpp)

private:
    explicit Calendar(std::shared_ptr<const Data> data);
    std::shared_ptr<const Data> m_data;
};

/// A time zone for turning simulation time (UTC) into local wall-clock time: either a fixed
/// offset or an Olson name resolved with libical's builtin zones (DST-aware). Cheap to copy.
class TimeZone
{
public:
    /// UTC.
    TimeZone() = default;
    /// A fixed offset east of UTC, in seconds (e.g. -6 * 3600 for CST without DST).
    static TimeZone fixedOffset(Seconds offsetEastOfUtc);
    /// An Olson zone ("America/Chicago"; "UTC" also works). Error NotFound if unknown.
    static twin::Result<TimeZone> named(std::string_view olsonName);

    /// Offset east of UTC at instant `utc`: local wall-clock seconds = utc + utcOffset(utc).
    [[nodiscard]] Seconds utcOffset(Seconds utc) const;
    /// UTC instant of local wall-clock seconds `local` (seconds since 1970-01-01T00:00 local).
    /// A local time skipped by a DST change maps as if the old offset still applied; a
    /// repeated one maps to its first occurrence.
    [[nodiscard]] Seconds toUtc(Seconds local) const;
    /// "UTC", "UTC+02:00" or the Olson name.
    [[nodiscard]] std::string name() const;

private:
    std::string m_name;           ///< Olson name; empty for a fixed offset
    const void* m_zone = nullptr; ///< libical builtin zone (owned by libical, never freed)
    Seconds m_fixed = 0;
};

} // namespace twindesk::sim
