// Meeting calendars: libical parses and iterates; this file resolves zones, applies EXDATE /
// RECURRENCE-ID / STATUS and turns instances into UTC Meetings. See calendar.h for the rules.
#include <twindesk/sim/calendar.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <libical/ical.h>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <system_error>
#include <tuple>
#include <utility>

namespace twindesk::sim {

namespace {

using twin::ErrorCode;
using twin::makeError;

/// Most instances one series may generate in one expand() call: a guard against rules that
/// would run for ever (FREQ=SECONDLY over a decade), far above any real meeting series.
constexpr std::size_t kMaxInstancesPerSeries = 1'000'000;
constexpr Seconds kSecondsPerDay = 86'400;

/// libical keeps global state (error flags, the builtin zone cache, lazily expanded zone
/// transitions); every call into it from this module holds this mutex.
std::mutex& icalMutex()
{
    static std::mutex mutex;
    return mutex;
}

/// Called with icalMutex() held: errors become icalerrno values instead of assert()/abort()
/// with a message on stderr.
void initLibical()
{
    static bool done = false;
    if (done)
        return;
    icalerror_set_errors_are_fatal(0);
    for (int e = ICAL_BADARG_ERROR; e <= ICAL_UNKNOWN_ERROR; ++e)
        icalerror_set_error_state(static_cast<icalerrorenum>(e), ICAL_ERROR_NONFATAL);
    done = true;
}

struct ComponentDeleter
{
    void operator()(icalcomponent* component) const
    {
        const std::lock_guard<std::mutex> lock(icalMutex());
        icalcomponent_free(component);
    }
};
using ComponentPtr = std::unique_ptr<icalcomponent, ComponentDeleter>;

std::string lower(std::string_view text)
{
    std::string out(text);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string str(const char* text)
{
    return text == nullptr ? std::string() : std::string(text);
}

std::string timeText(const icaltimetype& tt)
{
    return str(icaltime_as_ical_string(tt));
}

std::int64_t dayNumber(int year, int month, int day)
{
    return utcSeconds(year, month, day) / kSecondsPerDay;
}

Seconds toUtcSeconds(const icaltimetype& tt, icaltimezone* zone)
{
    return static_cast<Seconds>(icaltime_as_timet_with_zone(tt, zone));
}

/// Looks a TZID up: the calendar's own VTIMEZONEs first, then libical's builtin (Olson) zones,
/// then the Olson tail of a prefixed TZID ("/mozilla.org/20050126_1/Europe/Berlin").
icaltimezone* lookupZone(icalcomponent* vcalendar, const std::string& tzid)
{
    if (tzid.empty())
        return nullptr;
    icaltimezone* zone = icalcomponent_get_timezone(vcalendar, tzid.c_str());
    if (zone == nullptr) {
        const std::string l = lower(tzid);
        if (l == "utc" || l == "z" || l == "etc/utc" || l == "gmt" || l == "etc/gmt")
            zone = icaltimezone_get_utc_timezone();
    }
    if (zone == nullptr)
        zone = icaltimezone_get_builtin_timezone(tzid.c_str());
    if (zone == nullptr)
        zone = icaltimezone_get_builtin_timezone_from_tzid(tzid.c_str());
    for (std::size_t slash = tzid.find('/'); zone == nullptr && slash != std::string::npos;
         slash = tzid.find('/', slash + 1)) {
        const std::string tail = tzid.substr(slash + 1);
        if (tail.find('/') != std::string::npos)
            zone = icaltimezone_get_builtin_timezone(tail.c_str());
    }
    icalerror_clear_errno();
    return zone;
}

/// A value of EXDATE / RECURRENCE-ID, ready for matching against instances.
struct TimeKey
{
    bool isDate = false;
    Seconds utc = 0;      ///< the instant (timed values)
    std::int64_t day = 0; ///< the calendar date as written, days since 1970-01-01
};

bool keyMatches(const TimeKey& key, bool allDaySeries, Seconds instanceUtc,
                std::int64_t instanceDay)
{
    if (allDaySeries || key.isDate)
        return key.day == instanceDay;
    return key.utc == instanceUtc;
}

bool sameKey(const TimeKey& a, const TimeKey& b)
{
    if (a.isDate || b.isDate)
        return a.day == b.day;
    return a.utc == b.utc;
}

/// An RDATE: an extra instance start, optionally with its own end (PERIOD values).
struct ExtraDate
{
    icaltimetype start{};
    std::optional<Seconds> end;
};

/// A VEVENT without RECURRENCE-ID: a single event or a recurring series.
struct Series
{
    Meeting proto; ///< everything but start/end
    int line = 0;
    int sequence = 0;
    bool cancelled = false;
    icaltimetype dtstart{};       ///< as written, zone attached for zoned/floating DATE-TIMEs
    icaltimezone* zone = nullptr; ///< zone that turns local instance times into UTC
    Seconds durationSeconds = 0;  ///< timed series
    int durationDays = 1;         ///< all-day series
    std::vector<icalrecurrencetype> rules;
    std::vector<TimeKey> exdates;
    std::vector<ExtraDate> rdates;
};

/// A VEVENT with RECURRENCE-ID: replaces (or cancels) one instance of its series.
struct Override
{
    Meeting meeting; ///< fully resolved
    TimeKey recurrenceId;
    int sequence = 0;
    bool cancelled = false;
};

struct Problem
{
    ErrorCode code = ErrorCode::ParseError;
    std::string message;
};

} // namespace

struct Calendar::Data
{
    // Declared first so it is destroyed last: the zones below point into it.
    ComponentPtr root;
    std::string name;
    std::string defaultZoneName;
    std::size_t eventCount = 0;
    std::vector<Series> series;
    std::vector<Override> overrides;
    std::map<std::string, std::vector<std::size_t>> overridesByUid;
    std::map<std::string, bool> cancelledUids; ///< UIDs whose whole series is cancelled
};

namespace {

/// The BEGIN/END skeleton of the text, checked before libical sees it: libical keeps no line
/// numbers, and on an END without BEGIN it prints a warning to stderr (that message cannot be
/// switched off). `eventLines` holds the line of each VEVENT directly inside a VCALENDAR;
/// libical keeps file order, so the n-th VEVENT component is on the n-th of these lines.
struct Outline
{
    std::vector<int> eventLines;
};

std::string upperTrimmed(std::string value)
{
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
        value.pop_back();
    const std::size_t first = value.find_first_not_of(" \t");
    value.erase(0, first == std::string::npos ? value.size() : first);
    for (char& c : value)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return value;
}

twin::Result<Outline> outline(std::string_view text, const std::string& name)
{
    std::vector<std::string_view> lines;
    for (std::size_t pos = 0; pos <= text.size();) {
        const std::size_t eol = text.find('\n', pos);
        std::string_view line =
            text.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        lines.push_back(line);
        if (eol == std::string_view::npos)
            break;
        pos = eol + 1;
    }
    const auto at = [&](std::size_t index) { return name + ":" + std::to_string(index + 1); };
    struct Open
    {
        std::string component;
        std::size_t line = 0;
    };
    std::vector<Open> open;
    Outline result;
    bool sawCalendar = false;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string_view line = lines[i];
        if (line.find('\0') != std::string_view::npos)
            return makeError(ErrorCode::ParseError,
                             "binary data (a NUL byte), not an iCalendar text file", at(i));
        if (line.empty() || line.front() == ' ' || line.front() == '\t')
            continue; // continuation lines carry no BEGIN/END
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos)
            continue;
        const std::string property = lower(line.substr(0, line.find_first_of(";:")));
        if (property != "begin" && property != "end")
            continue;
        std::string value(line.substr(colon + 1));
        for (std::size_t j = i + 1; j < lines.size() && !lines[j].empty() &&
                                    (lines[j].front() == ' ' || lines[j].front() == '\t');
             ++j)
            value += lines[j].substr(1);
        value = upperTrimmed(std::move(value));
        if (property == "begin") {
            if (open.empty() && value != "VCALENDAR")
                return makeError(ErrorCode::ParseError,
                                 "not an iCalendar file: the top-level object is " + value +
                                     ", expected BEGIN:VCALENDAR",
                                 at(i));
            sawCalendar = sawCalendar || value == "VCALENDAR";
            if (value == "VEVENT" && open.size() == 1)
                result.eventLines.push_back(static_cast<int>(i + 1));
            open.push_back({value, i});
        } else if (open.empty()) {
            return makeError(ErrorCode::ParseError,
                             std::string("END:")
                                 .append(value)
                                 .append(" without a matching BEGIN:")
                                 .append(value),
                             at(i));
        } else if (open.back().component != value) {
            return makeError(ErrorCode::ParseError,
                             "END:" + value + " does not close BEGIN:" + open.back().component +
                                 " from line " + std::to_string(open.back().line + 1),
                             at(i));
        } else {
            open.pop_back();
        }
    }
    if (!open.empty())
        return makeError(ErrorCode::ParseError,
                         "BEGIN:" + open.back().component + " is never closed by END:" +
                             open.back().component + " (is the file truncated?)",
                         at(open.back().line));
    if (!sawCalendar)
        return makeError(ErrorCode::ParseError,
                         "not an iCalendar file: there is no BEGIN:VCALENDAR", name);
    return result;
}

/// Context for reading one VCALENDAR.
struct Reader
{
    icalcomponent* vcalendar = nullptr;
    icaltimezone* defaultZone = nullptr; ///< nullptr: X-WR-TIMEZONE names an unknown zone
    std::string defaultZoneName;
};

/// The zone that turns `tt` (a value of property `what`) into UTC, or nullptr and a message.
icaltimezone* zoneOf(const Reader& reader, icalproperty* prop, const icaltimetype& tt,
                     const char* what, std::string& problem)
{
    icaltimezone* zone = nullptr;
    if (icaltime_is_utc(tt) != 0 && tt.is_date == 0)
        return icaltimezone_get_utc_timezone();
    icalparameter* param = icalproperty_get_first_parameter(prop, ICAL_TZID_PARAMETER);
    if (tt.is_date != 0 || param == nullptr) { // a DATE or a floating time
        zone = reader.defaultZone;
        if (zone == nullptr)
            problem = std::string(what) + " is a floating time or a date, and the calendar's " +
                      "X-WR-TIMEZONE \"" + reader.defaultZoneName +
                      "\" is not a known time zone; pass CalendarOptions::defaultZone";
        return zone;
    }
    const std::string tzid = str(icalparameter_get_tzid(param));
    zone = lookupZone(reader.vcalendar, tzid);
    if (zone == nullptr)
        problem = std::string(what) + " refers to TZID \"" + tzid +
                  "\", which the file defines no VTIMEZONE for and which is not a known Olson "
                  "zone; add the VTIMEZONE or use an Olson name such as \"America/Chicago\"";
    return zone;
}

std::string stripMailto(std::string value)
{
    if (lower(value.substr(0, 7)) == "mailto:")
        value.erase(0, 7);
    return value;
}

/// The description fields every VEVENT carries.
Meeting describe(icalcomponent* event, bool allDay)
{
    Meeting m;
    m.uid = str(icalcomponent_get_uid(event));
    m.summary = str(icalcomponent_get_summary(event));
    m.location = str(icalcomponent_get_location(event));
    m.allDay = allDay;
    for (icalproperty* p = icalcomponent_get_first_property(event, ICAL_CATEGORIES_PROPERTY);
         p != nullptr; p = icalcomponent_get_next_property(event, ICAL_CATEGORIES_PROPERTY)) {
        std::string value = str(icalproperty_get_categories(p));
        if (!value.empty())
            m.categories.push_back(std::move(value));
    }
    for (icalproperty* p = icalcomponent_get_first_property(event, ICAL_ATTENDEE_PROPERTY);
         p != nullptr; p = icalcomponent_get_next_property(event, ICAL_ATTENDEE_PROPERTY)) {
        icalparameter* cutype = icalproperty_get_first_parameter(p, ICAL_CUTYPE_PARAMETER);
        if (cutype != nullptr) {
            const icalparameter_cutype kind = icalparameter_get_cutype(cutype);
            if (kind == ICAL_CUTYPE_ROOM || kind == ICAL_CUTYPE_RESOURCE)
                continue;
        }
        ++m.attendees;
    }
    // CREATED is UTC by RFC 5545 (3.8.7.1): when the booking became known.
    if (icalproperty* p = icalcomponent_get_first_property(event, ICAL_CREATED_PROPERTY)) {
        const icaltimetype created = icalproperty_get_created(p);
        if (!icaltime_is_null_time(created))
            m.created = toUtcSeconds(created, icaltimezone_get_utc_timezone());
    }
    if (icalproperty* p = icalcomponent_get_first_property(event, ICAL_ORGANIZER_PROPERTY))
        m.organizer = stripMailto(str(icalproperty_get_organizer(p)));
    return m;
}

int sequenceOf(icalcomponent* event)
{
    icalproperty* p = icalcomponent_get_first_property(event, ICAL_SEQUENCE_PROPERTY);
    return p == nullptr ? 0 : icalproperty_get_sequence(p);
}

bool isCancelled(icalcomponent* event)
{
    icalproperty* p = icalcomponent_get_first_property(event, ICAL_STATUS_PROPERTY);
    return p != nullptr && icalproperty_get_status(p) == ICAL_STATUS_CANCELLED;
}

/// libical drops a property it cannot read and leaves an X-LIC-ERROR in its place. Those that
/// concern timing are fatal; others (an empty DESCRIPTION, a bad CLASS) are harmless.
std::optional<std::string> timingParseError(icalcomponent* event)
{
    constexpr std::array<std::string_view, 7> kTimingProperties = {
        "DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID"};
    for (icalproperty* p = icalcomponent_get_first_property(event, ICAL_XLICERROR_PROPERTY);
         p != nullptr; p = icalcomponent_get_next_property(event, ICAL_XLICERROR_PROPERTY)) {
        const std::string text = str(icalproperty_get_xlicerror(p));
        for (const std::string_view name : kTimingProperties) {
            if (text.find(std::string(name) + " property") != std::string::npos)
                return "libical could not read it: " + text;
        }
    }
    return std::nullopt;
}

struct TimeValue
{
    icaltimetype tt{};
    icaltimezone* zone = nullptr;
    Seconds utc = 0;
};

std::optional<TimeValue> readTime(const Reader& reader, icalproperty* prop, icaltimetype tt,
                                  const char* what, Problem& problem)
{
    std::string zoneProblem;
    icaltimezone* zone = zoneOf(reader, prop, tt, what, zoneProblem);
    if (zone == nullptr) {
        problem = {ErrorCode::ParseError, zoneProblem};
        return std::nullopt;
    }
    if (icaltime_is_null_time(tt) != 0 || icaltime_is_valid_time(tt) == 0) {
        problem = {ErrorCode::ParseError, std::string(what) + " has no valid date-time value"};
        return std::nullopt;
    }
    if (tt.is_date == 0 && icaltime_is_utc(tt) == 0 && zone != nullptr)
        tt = icaltime_set_timezone(&tt, zone);
    return TimeValue{tt, zone, toUtcSeconds(tt, zone)};
}

std::optional<TimeKey> readKey(const Reader& reader, icalproperty* prop, const icaltimetype& tt,
                               const char* what, Problem& problem)
{
    auto value = readTime(reader, prop, tt, what, problem);
    if (!value)
        return std::nullopt;
    return TimeKey{tt.is_date != 0, value->utc, dayNumber(tt.year, tt.month, tt.day)};
}

/// Reads DTSTART and the end (DTEND, else DURATION, else the RFC 5545 default).
struct Span
{
    TimeValue start;
    bool allDay = false;
    Seconds durationSeconds = 0;
    int durationDays = 1;
};

std::optional<Span> readSpan(const Reader& reader, icalcomponent* event, Problem& problem)
{
    icalproperty* startProp = icalcomponent_get_first_property(event, ICAL_DTSTART_PROPERTY);
    if (startProp == nullptr) {
        problem = {ErrorCode::ParseError, "has no DTSTART; every meeting needs a start time"};
        return std::nullopt;
    }
    auto start =
        readTime(reader, startProp, icalproperty_get_dtstart(startProp), "DTSTART", problem);
    if (!start)
        return std::nullopt;
    Span span;
    span.start = *start;
    span.allDay = start->tt.is_date != 0;

    if (icalproperty* endProp = icalcomponent_get_first_property(event, ICAL_DTEND_PROPERTY)) {
        auto end = readTime(reader, endProp, icalproperty_get_dtend(endProp), "DTEND", problem);
        if (!end)
            return std::nullopt;
        if (end->utc < start->utc) {
            problem = {ErrorCode::ParseError, "DTEND " + timeText(end->tt) + " is before DTSTART " +
                                                  timeText(start->tt) +
                                                  "; the end must not precede the start"};
            return std::nullopt;
        }
        if (span.allDay) {
            const std::int64_t days = dayNumber(end->tt.year, end->tt.month, end->tt.day) -
                                      dayNumber(start->tt.year, start->tt.month, start->tt.day);
            // DTEND equal to DTSTART on a DATE event: Outlook writes it for one-day events.
            span.durationDays = static_cast<int>(std::max<std::int64_t>(1, days));
        } else {
            span.durationSeconds = end->utc - start->utc;
        }
        return span;
    }
    if (icalproperty* durProp = icalcomponent_get_first_property(event, ICAL_DURATION_PROPERTY)) {
        const icaldurationtype duration = icalproperty_get_duration(durProp);
        const Seconds seconds = icaldurationtype_as_int(duration);
        if (seconds < 0 || duration.is_neg != 0) {
            problem = {ErrorCode::ParseError,
                       "DURATION " + str(icaldurationtype_as_ical_string(duration)) +
                           " is negative; the end must not precede the start"};
            return std::nullopt;
        }
        if (span.allDay)
            span.durationDays = static_cast<int>(
                std::max<Seconds>(1, (seconds + kSecondsPerDay - 1) / kSecondsPerDay));
        else
            span.durationSeconds = seconds;
        return span;
    }
    span.durationDays = 1;
    span.durationSeconds = 0;
    return span;
}

Seconds allDayStart(const icaltimetype& date, icaltimezone* zone)
{
    icaltimetype midnight = icaltime_null_time();
    midnight.year = date.year;
    midnight.month = date.month;
    midnight.day = date.day;
    return toUtcSeconds(midnight, zone);
}

Seconds allDayEnd(const icaltimetype& date, int days, icaltimezone* zone)
{
    icaltimetype midnight = icaltime_null_time();
    midnight.year = date.year;
    midnight.month = date.month;
    midnight.day = date.day;
    icaltime_adjust(&midnight, days, 0, 0, 0);
    return toUtcSeconds(midnight, zone);
}

twin::Error eventError(const std::string& name, int line, const std::string& uid,
                       const Problem& problem)
{
    std::string where = name;
    if (line > 0)
        where += ":" + std::to_string(line);
    const std::string who = uid.empty() ? "event without UID" : "event \"" + uid + "\"";
    return makeError(problem.code, who + ": " + problem.message, where);
}

/// Reads one VEVENT into `data` (a series or an override).
std::optional<twin::Error> readEvent(Calendar::Data& data, const Reader& reader,
                                     icalcomponent* event, int line)
{
    Problem problem;
    const std::string uid = str(icalcomponent_get_uid(event));
    auto fail = [&]() { return eventError(data.name, line, uid, problem); };

    if (auto parseError = timingParseError(event)) {
        problem = {ErrorCode::ParseError, *parseError};
        return fail();
    }
    auto span = readSpan(reader, event, problem);
    if (!span)
        return fail();

    if (icalproperty* ridProp =
            icalcomponent_get_first_property(event, ICAL_RECURRENCEID_PROPERTY)) {
        auto key = readKey(reader, ridProp, icalproperty_get_recurrenceid(ridProp), "RECURRENCE-ID",
                           problem);
        if (!key)
            return fail();
        Override o;
        o.meeting = describe(event, span->allDay);
        if (span->allDay) {
            o.meeting.start = allDayStart(span->start.tt, reader.defaultZone);
            o.meeting.end = allDayEnd(span->start.tt, span->durationDays, reader.defaultZone);
        } else {
            o.meeting.start = span->start.utc;
            o.meeting.end = span->start.utc + span->durationSeconds;
        }
        o.recurrenceId = *key;
        o.sequence = sequenceOf(event);
        o.cancelled = isCancelled(event);
        data.overrides.push_back(std::move(o));
        return std::nullopt;
    }

    Series s;
    s.proto = describe(event, span->allDay);
    s.line = line;
    s.sequence = sequenceOf(event);
    s.cancelled = isCancelled(event);
    s.dtstart = span->start.tt;
    s.zone = span->start.zone;
    s.durationSeconds = span->durationSeconds;
    s.durationDays = span->durationDays;
    for (icalproperty* p = icalcomponent_get_first_property(event, ICAL_RRULE_PROPERTY);
         p != nullptr; p = icalcomponent_get_next_property(event, ICAL_RRULE_PROPERTY)) {
        const icalrecurrencetype rule = icalproperty_get_rrule(p);
        if (rule.freq == ICAL_NO_RECURRENCE) {
            problem = {ErrorCode::ParseError, "RRULE has no valid FREQ"};
            return fail();
        }
        s.rules.push_back(rule);
    }
    for (icalproperty* p = icalcomponent_get_first_property(event, ICAL_EXDATE_PROPERTY);
         p != nullptr; p = icalcomponent_get_next_property(event, ICAL_EXDATE_PROPERTY)) {
        auto key = readKey(reader, p, icalproperty_get_exdate(p), "EXDATE", problem);
        if (!key)
            return fail();
        s.exdates.push_back(*key);
    }
    for (icalproperty* p = icalcomponent_get_first_property(event, ICAL_RDATE_PROPERTY);
         p != nullptr; p = icalcomponent_get_next_property(event, ICAL_RDATE_PROPERTY)) {
        const icaldatetimeperiodtype rdate = icalproperty_get_rdate(p);
        ExtraDate extra;
        if (icaltime_is_null_time(rdate.time) == 0) {
            auto value = readTime(reader, p, rdate.time, "RDATE", problem);
            if (!value)
                return fail();
            extra.start = value->tt;
        } else {
            auto value = readTime(reader, p, rdate.period.start, "RDATE", problem);
            if (!value)
                return fail();
            extra.start = value->tt;
            if (icaltime_is_null_time(rdate.period.end) == 0) {
                auto end = readTime(reader, p, rdate.period.end, "RDATE", problem);
                if (!end)
                    return fail();
                extra.end = end->utc;
            } else {
                extra.end = value->utc + icaldurationtype_as_int(rdate.period.duration);
            }
        }
        if (span->allDay != (extra.start.is_date != 0)) {
            problem = {ErrorCode::ParseError,
                       "RDATE " + timeText(extra.start) +
                           " is not of the same type (DATE or DATE-TIME) as DTSTART"};
            return fail();
        }
        s.rdates.push_back(extra);
    }
    data.series.push_back(std::move(s));
    return std::nullopt;
}

/// RFC 5545: one UID is one event. Duplicated series keep the newest (highest SEQUENCE, then
/// the later one in the file); duplicated overrides of one instance likewise.
void deduplicate(Calendar::Data& data)
{
    std::map<std::string, std::size_t> newest;
    std::vector<bool> keep(data.series.size(), true);
    for (std::size_t i = 0; i < data.series.size(); ++i) {
        const std::string& uid = data.series[i].proto.uid;
        if (uid.empty())
            continue;
        auto [it, inserted] = newest.emplace(uid, i);
        if (!inserted) {
            if (data.series[i].sequence >= data.series[it->second].sequence) {
                keep[it->second] = false;
                it->second = i;
            } else {
                keep[i] = false;
            }
        }
    }
    std::vector<Series> series;
    for (std::size_t i = 0; i < data.series.size(); ++i) {
        if (keep[i])
            series.push_back(std::move(data.series[i]));
    }
    data.series = std::move(series);
    for (const Series& s : data.series) {
        if (!s.proto.uid.empty() && s.cancelled)
            data.cancelledUids[s.proto.uid] = true;
    }

    std::vector<Override> overrides;
    for (Override& o : data.overrides) {
        auto same = std::find_if(overrides.begin(), overrides.end(), [&](const Override& kept) {
            return kept.meeting.uid == o.meeting.uid && !o.meeting.uid.empty() &&
                   sameKey(kept.recurrenceId, o.recurrenceId);
        });
        if (same == overrides.end())
            overrides.push_back(std::move(o));
        else if (o.sequence >= same->sequence)
            *same = std::move(o);
    }
    data.overrides = std::move(overrides);
    data.overridesByUid.clear();
    for (std::size_t i = 0; i < data.overrides.size(); ++i)
        data.overridesByUid[data.overrides[i].meeting.uid].push_back(i);
}

std::optional<std::string> xWrTimezone(icalcomponent* vcalendar)
{
    for (icalproperty* p = icalcomponent_get_first_property(vcalendar, ICAL_X_PROPERTY);
         p != nullptr; p = icalcomponent_get_next_property(vcalendar, ICAL_X_PROPERTY)) {
        if (lower(str(icalproperty_get_x_name(p))) == "x-wr-timezone") {
            std::string value = str(icalproperty_get_x(p));
            if (!value.empty())
                return value;
        }
    }
    return std::nullopt;
}

/// Called with icalMutex() held.
twin::Result<std::shared_ptr<Calendar::Data>>
parseLocked(std::string_view text, std::string_view name, const CalendarOptions& options)
{
    initLibical();
    auto data = std::make_shared<Calendar::Data>();
    data->name = std::string(name);

    auto skeleton = outline(text, data->name);
    if (!skeleton.ok())
        return skeleton.error();

    const std::string buffer(text); // libical wants a NUL-terminated string
    icalerror_clear_errno();
    icalcomponent* parsed = icalparser_parse_string(buffer.c_str());
    icalerror_clear_errno();
    if (parsed == nullptr)
        return makeError(ErrorCode::ParseError, "libical could not read the calendar", data->name);
    // Owned here while the mutex is held (ComponentDeleter would lock it again); moved into
    // data->root once everything has been read.
    std::unique_ptr<icalcomponent, void (*)(icalcomponent*)> guard(parsed, icalcomponent_free);

    std::vector<icalcomponent*> calendars;
    const icalcomponent_kind kind = icalcomponent_isa(parsed);
    if (kind == ICAL_VCALENDAR_COMPONENT) {
        calendars.push_back(parsed);
    } else if (kind == ICAL_XROOT_COMPONENT) {
        for (icalcomponent* c = icalcomponent_get_first_component(parsed, ICAL_VCALENDAR_COMPONENT);
             c != nullptr; c = icalcomponent_get_next_component(parsed, ICAL_VCALENDAR_COMPONENT))
            calendars.push_back(c);
    }
    if (calendars.empty())
        return makeError(ErrorCode::ParseError,
                         "not an iCalendar file: the top-level object is " +
                             str(icalcomponent_kind_to_string(kind)) + ", expected VCALENDAR",
                         data->name);

    const std::vector<int>& lines = skeleton->eventLines;
    std::size_t eventIndex = 0;
    for (icalcomponent* vcalendar : calendars) {
        Reader reader;
        reader.vcalendar = vcalendar;
        std::string zoneName = options.defaultZone;
        if (zoneName.empty())
            zoneName = xWrTimezone(vcalendar).value_or("UTC");
        reader.defaultZone = lookupZone(vcalendar, zoneName);
        reader.defaultZoneName = zoneName;
        if (reader.defaultZone == nullptr && !options.defaultZone.empty())
            return makeError(ErrorCode::InvalidArgument,
                             "the default zone \"" + zoneName +
                                 R"(" is not a known time zone; use an Olson name such as )"
                                 R"("America/Chicago")",
                             data->name);
        // An unknown X-WR-TIMEZONE only matters if a floating time or a date needs it.
        if (data->defaultZoneName.empty())
            data->defaultZoneName = zoneName;

        for (icalcomponent* event =
                 icalcomponent_get_first_component(vcalendar, ICAL_VEVENT_COMPONENT);
             event != nullptr;
             event = icalcomponent_get_next_component(vcalendar, ICAL_VEVENT_COMPONENT)) {
            const int line = eventIndex < lines.size() ? lines[eventIndex] : 0;
            ++eventIndex;
            if (auto error = readEvent(*data, reader, event, line))
                return *error;
        }
    }
    data->eventCount = eventIndex;
    deduplicate(*data);
    icalerror_clear_errno();
    data->root.reset(guard.release());
    return data;
}

struct Instance
{
    icaltimetype local{}; ///< as the iterator produced it (series-local time or a DATE)
    Seconds start = 0;
    std::int64_t day = 0;
    std::optional<Seconds> end;
};

/// Expands one series into `out`. Called with icalMutex() held.
void expandSeries(const Calendar::Data& data, const Series& s, Seconds from, Seconds to,
                  std::vector<Meeting>& out)
{
    if (s.cancelled)
        return;
    const bool allDay = s.dtstart.is_date != 0;
    auto instanceOf = [&](const icaltimetype& local) {
        Instance i;
        i.local = local;
        i.start = allDay ? allDayStart(local, s.zone) : toUtcSeconds(local, s.zone);
        i.day = dayNumber(local.year, local.month, local.day);
        return i;
    };

    std::vector<Instance> instances;
    instances.push_back(instanceOf(s.dtstart)); // DTSTART is always the first instance
    for (const icalrecurrencetype& rule : s.rules) {
        icalrecur_iterator* it = icalrecur_iterator_new(rule, s.dtstart);
        if (it == nullptr) {
            icalerror_clear_errno();
            continue;
        }
        // COUNT includes DTSTART even when the rule itself would not produce it.
        const bool counted = rule.count > 0;
        std::size_t remaining =
            counted ? static_cast<std::size_t>(rule.count) : kMaxInstancesPerSeries;
        bool first = true;
        Seconds previous = LLONG_MIN;
        while (remaining > 0) {
            const icaltimetype next = icalrecur_iterator_next(it);
            if (icaltime_is_null_time(next) != 0)
                break;
            Instance i = instanceOf(next);
            if (first && counted && i.start != instances.front().start)
                --remaining; // DTSTART took one of the COUNT
            first = false;
            if (remaining == 0 || i.start >= to || i.start < previous)
                break;
            previous = i.start;
            instances.push_back(i);
            --remaining;
        }
        icalrecur_iterator_free(it);
        icalerror_clear_errno();
    }
    for (const ExtraDate& extra : s.rdates) {
        Instance i = instanceOf(extra.start);
        i.end = extra.end;
        instances.push_back(i);
    }
    std::sort(instances.begin(), instances.end(),
              [](const Instance& a, const Instance& b) { return a.start < b.start; });
    instances.erase(
        std::unique(instances.begin(), instances.end(),
                    [](const Instance& a, const Instance& b) { return a.start == b.start; }),
        instances.end());

    const std::vector<std::size_t>* overrides = nullptr;
    if (!s.proto.uid.empty()) {
        auto found = data.overridesByUid.find(s.proto.uid);
        if (found != data.overridesByUid.end())
            overrides = &found->second;
    }
    for (const Instance& i : instances) {
        if (i.start >= to)
            break;
        const Seconds end = i.end ? *i.end
                                  : (allDay ? allDayEnd(i.local, s.durationDays, s.zone)
                                            : i.start + s.durationSeconds);
        const bool overlaps = end > i.start ? (end > from) : (i.start >= from);
        if (!overlaps)
            continue;
        const auto excluded = [&](const TimeKey& key) {
            return keyMatches(key, allDay, i.start, i.day);
        };
        if (std::any_of(s.exdates.begin(), s.exdates.end(), excluded))
            continue;
        if (overrides != nullptr &&
            std::any_of(overrides->begin(), overrides->end(),
                        [&](std::size_t k) { return excluded(data.overrides[k].recurrenceId); }))
            continue; // replaced (or cancelled) by an override, emitted on its own
        Meeting m = s.proto;
        m.start = i.start;
        m.end = end;
        out.push_back(std::move(m));
    }
}

} // namespace

Calendar::Calendar(std::shared_ptr<const Data> data) : m_data(std::move(data)) {}

twin::Result<Calendar> Calendar::load(const std::filesystem::path& path,
                                      const CalendarOptions& options)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        return makeError(ErrorCode::NotFound,
                         "no such calendar file; check the path (expected an .ics file)",
                         path.string());
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return makeError(ErrorCode::IoError, "cannot open the calendar file for reading",
                         path.string());
    std::ostringstream content;
    content << in.rdbuf();
    if (in.bad())
        return makeError(ErrorCode::IoError, "reading the calendar file failed", path.string());
    return parse(content.str(), path.string(), options);
}

twin::Result<Calendar> Calendar::parse(std::string_view text, std::string_view name,
                                       const CalendarOptions& options)
{
    twin::Result<std::shared_ptr<Data>> data = [&]() {
        const std::lock_guard<std::mutex> lock(icalMutex());
        return parseLocked(text, name, options);
    }();
    // Destroyed outside the lock: the root's deleter takes the mutex itself.
    if (!data.ok())
        return data.error();
    return Calendar(std::move(data).value());
}

std::vector<Meeting> Calendar::expand(Seconds from, Seconds to) const
{
    std::vector<Meeting> out;
    if (to <= from)
        return out;
    {
        const std::lock_guard<std::mutex> lock(icalMutex());
        for (const Series& s : m_data->series)
            expandSeries(*m_data, s, from, to, out);
        icalerror_clear_errno();
    }
    for (const Override& o : m_data->overrides) {
        if (o.cancelled || m_data->cancelledUids.count(o.meeting.uid) != 0)
            continue;
        const Meeting& m = o.meeting;
        const bool overlaps =
            m.end > m.start ? (m.start < to && m.end > from) : (m.start >= from && m.start < to);
        if (overlaps)
            out.push_back(m);
    }
    std::sort(out.begin(), out.end(), [](const Meeting& a, const Meeting& b) {
        return std::tie(a.start, a.uid, a.end, a.summary) <
               std::tie(b.start, b.uid, b.end, b.summary);
    });
    return out;
}

const std::string& Calendar::name() const
{
    return m_data->name;
}

std::size_t Calendar::eventCount() const
{
    return m_data->eventCount;
}

const std::string& Calendar::defaultZone() const
{
    return m_data->defaultZoneName;
}

// ---- TimeZone ------------------------------------------------------------------------------

TimeZone TimeZone::fixedOffset(Seconds offsetEastOfUtc)
{
    TimeZone zone;
    zone.m_fixed = offsetEastOfUtc;
    return zone;
}

twin::Result<TimeZone> TimeZone::named(std::string_view olsonName)
{
    const std::string name(olsonName);
    const std::lock_guard<std::mutex> lock(icalMutex());
    initLibical();
    const std::string l = lower(name);
    if (l == "utc" || l == "etc/utc" || l == "z")
        return TimeZone();
    icaltimezone* zone = icaltimezone_get_builtin_timezone(name.c_str());
    icalerror_clear_errno();
    if (zone == nullptr)
        return makeError(ErrorCode::NotFound,
                         "unknown time zone \"" + name +
                             R"("; use an Olson name such as "America/Chicago" or "UTC")");
    TimeZone result;
    result.m_name = name;
    result.m_zone = zone;
    return result;
}

Seconds TimeZone::utcOffset(Seconds utc) const
{
    if (m_zone == nullptr)
        return m_fixed;
    const std::lock_guard<std::mutex> lock(icalMutex());
    auto* zone = static_cast<icaltimezone*>(const_cast<void*>(m_zone));
    icaltimetype tt =
        icaltime_from_timet_with_zone(static_cast<time_t>(utc), 0, icaltimezone_get_utc_timezone());
    int isDaylight = 0;
    const int offset = icaltimezone_get_utc_offset_of_utc_time(zone, &tt, &isDaylight);
    icalerror_clear_errno();
    return offset;
}

Seconds TimeZone::toUtc(Seconds local) const
{
    if (m_zone == nullptr)
        return local - m_fixed;
    // The offsets in force a day before and after bracket any single transition.
    const Seconds before = utcOffset(local - kSecondsPerDay);
    const Seconds after = utcOffset(local + kSecondsPerDay);
    if (utcOffset(local - before) == before)
        return local - before; // valid, and the first of two when the time repeats
    if (utcOffset(local - after) == after)
        return local - after;
    return local - before; // skipped by a spring-forward change: keep the old offset
}

std::string TimeZone::name() const
{
    if (m_zone != nullptr)
        return m_name;
    if (m_fixed == 0)
        return "UTC";
    const Seconds magnitude = m_fixed < 0 ? -m_fixed : m_fixed;
    char text[32];
    std::snprintf(text, sizeof text, "UTC%c%02lld:%02lld", m_fixed < 0 ? '-' : '+',
                  static_cast<long long>(magnitude / 3600),
                  static_cast<long long>((magnitude % 3600) / 60));
    return text;
}

} // namespace twindesk::sim
