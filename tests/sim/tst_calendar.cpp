// Meeting calendars: the real-world exports in anchors/ical (each issue_* file checked against
// the behaviour its upstream bug report settled on), synthetic edge cases, errors, garbage and
// the demo office calendar.
#include "test_registry.h"

#include <twindesk/sim/calendar.h>
#include <twindesk/sim/occupancy.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace twindesk::sim;

namespace {

const std::filesystem::path kIcalDir = std::filesystem::path(TWINDESK_ANCHORS_DIR) / "ical";
const std::filesystem::path kDemoDir = std::filesystem::path(TWINDESK_SOURCE_DIR) / "assets/demo";

std::string readText(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// UTC instant of a wall-clock time in an Olson zone.
Seconds local(const char* zone, int y, int mo, int d, int h = 0, int mi = 0)
{
    auto tz = TimeZone::named(zone);
    if (!tz.ok())
        return 0;
    return tz->toUtc(utcSeconds(y, mo, d, h, mi));
}

/// Local wall-clock hour of a UTC instant.
int localHour(const char* zone, Seconds utc)
{
    auto tz = TimeZone::named(zone);
    const Seconds wall = utc + (tz.ok() ? tz->utcOffset(utc) : 0);
    return static_cast<int>(((wall % 86400) + 86400) % 86400 / 3600);
}

std::string localDate(const char* zone, Seconds utc)
{
    auto tz = TimeZone::named(zone);
    return formatUtc(utc + (tz.ok() ? tz->utcOffset(utc) : 0)).substr(0, 10);
}

std::vector<Meeting> withUid(const std::vector<Meeting>& all, const std::string& uid)
{
    std::vector<Meeting> out;
    std::copy_if(all.begin(), all.end(), std::back_inserter(out),
                 [&](const Meeting& m) { return m.uid == uid; });
    return out;
}

/// A Chicago calendar around the given VEVENT lines (Google-style export).
std::string chicagoCalendar(const std::string& events)
{
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
           "BEGIN:VTIMEZONE\r\nTZID:America/Chicago\r\n"
           "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:-0600\r\nTZOFFSETTO:-0500\r\nTZNAME:CDT\r\n"
           "DTSTART:19700308T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\nEND:DAYLIGHT\r\n"
           "BEGIN:STANDARD\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0600\r\nTZNAME:CST\r\n"
           "DTSTART:19701101T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\n"
           "END:STANDARD\r\nEND:VTIMEZONE\r\n" +
           events + "END:VCALENDAR\r\n";
}

/// RoomMap of the demo office's conference rooms (ids, labels and seats from office.ttl).
RoomMap demoRooms()
{
    const std::vector<std::pair<std::string, int>> rooms = {
        {"106 Huddle Room Oak", 4},      {"107 Training Room", 12},    {"207 Huddle Room Birch", 4},
        {"208 Meeting Room Cedar", 8},   {"209 Meeting Room Elm", 10}, {"307 Huddle Room Maple", 4},
        {"308 Meeting Room Willow", 12}, {"309 Boardroom", 20}};
    std::vector<RoomMapping> mappings;
    mappings.reserve(rooms.size());
    for (const auto& [label, seats] : rooms)
        mappings.push_back({"urn:twindesk:demo:office#room_" + label.substr(0, 3),
                            RoomMap::aliasesFromLabel(label), seats});
    return RoomMap(std::move(mappings));
}

} // namespace

/// Loads anchors/ical/<file> into `var` (a const Calendar&), failing the test on error.
#define LOAD_ANCHOR(var, file, ...)                                                                \
    auto var##Loaded = Calendar::load(kIcalDir / (file)__VA_OPT__(, ) __VA_ARGS__);                \
    QVERIFY2(var##Loaded.ok(), var##Loaded.ok() ? "" : var##Loaded.error().toString().c_str());    \
    const Calendar& var = var##Loaded.value()

class TestCalendar : public QObject
{
    Q_OBJECT
private:
    static bool haveAnchors() { return std::filesystem::is_directory(kIcalDir); }

private Q_SLOTS:
    void everyAnchorLoads()
    {
        if (!haveAnchors())
            QSKIP("shared anchors not found at " TWINDESK_ANCHORS_DIR "/ical");
        const std::map<std::string, std::size_t> events = {
            {"Germany.ics", 159},
            {"issue_165_missing_event.ics", 1},
            {"issue_20_exdate_ignored.ics", 1},
            {"issue_27_t1.ics", 1},
            {"issue_28_rrule_with_UTC_endinginZ.ics", 5},
            {"issue_48_dst.ics", 13},
            {"issue_62_moved_event.ics", 2},
            {"machbar_16_feb_2019.ics", 64},
            {"recurring_events_moved.ics", 5}};
        std::size_t seen = 0;
        for (const auto& entry : std::filesystem::directory_iterator(kIcalDir)) {
            if (entry.path().extension() != ".ics")
                continue;
            ++seen;
            auto calendar = Calendar::load(entry.path());
            QVERIFY2(calendar.ok(), calendar.ok() ? "" : calendar.error().toString().c_str());
            const auto expected = events.find(entry.path().filename().string());
            QVERIFY2(expected != events.end(), entry.path().filename().string().c_str());
            QCOMPARE(calendar->eventCount(), expected->second);
            // Expanding a wide window works and yields sorted, well-formed meetings.
            const auto all = calendar->expand(utcSeconds(2005, 1, 1), utcSeconds(2026, 1, 1));
            QVERIFY(!all.empty());
            for (std::size_t i = 0; i < all.size(); ++i) {
                QVERIFY(all[i].end >= all[i].start);
                if (i > 0)
                    QVERIFY(all[i - 1].start <= all[i].start);
            }
        }
        QCOMPARE(seen, events.size());
    }

    // Exchange CDO: a quoted TZID with spaces, slashes and parentheses, and a folded RRULE with
    // spaces inside BYDAY. The event must not go missing: 14 weekday stand-ups, 10:00 local.
    void issue165MalformedRuleIsRead()
    {
        if (!haveAnchors())
            QSKIP("shared anchors not found");
        LOAD_ANCHOR(cal, "issue_165_missing_event.ics");
        const auto all = cal.expand(utcSeconds(2015, 6, 1), utcSeconds(2015, 9, 1));
        QCOMPARE(all.size(), std::size_t{14});
        QCOMPARE(formatUtc(all.front().start), std::string("2015-07-03T08:00:00Z"));
        QCOMPARE(formatUtc(all.back().start), std::string("2015-07-22T08:00:00Z"));
        for (const Meeting& m : all) {
            QCOMPARE(m.end - m.start, Seconds{1800});
            QCOMPARE(localHour("Europe/Berlin", m.start), 10);
            const std::int64_t weekday = ((m.start / 86400) + 3) % 7; // 0 = Monday
            QVERIFY(weekday < 5);
            QVERIFY(m.uid.empty());
            QCOMPARE(m.summary, std::string("Sprint 25 Daily Standup"));
        }
    }

    // DAVx5: one EXDATE line with nine UTC values against a Europe/Berlin series (some in CEST,
    // some in CET) and an UNTIL one second before the February instance: 7 remain.
    void issue20ExdatesAndUntil()
    {
        if (!haveAnchors())
            QSKIP("shared anchors not found");
        LOAD_ANCHOR(cal, "issue_20_exdate_ignored.ics");
        const auto all = cal.expand(utcSeconds(2019, 1, 1), utcSeconds(2021, 1, 1));
        const std::vector<std::string> expected = {"2019-10-29", "2019-11-12", "2019-12-10",
                                                   "2020-01-07", "2020-01-14", "2020-01-21",
                                                   "2020-01-28"};
        QCOMPARE(all.size(), expected.size());
        for (std::size_t i = 0; i < all.size(); ++i) {
            QCOMPARE(localDate("Europe/Berlin", all[i].start), expected[i]);
            QCOMPARE(localHour("Europe/Berlin", all[i].start), 16); // 16:15 local
            QCOMPARE(all[i].end - all[i].start, Seconds{5400});     // DURATION:PT1H30M
            QCOMPARE(all[i].location, std::string("Example"));
        }
    }

    // Exchange: TZID=Europe/Berlin is not defined in the file (only "W. Europe Standard Time")
    // → libical's builtin zone; a floating UNTIL; an EXDATE in UTC. Two instances remain.
    void issue27FloatingUntilAndUtcExdate()
    {
        if (!haveAnchors())
            QSKIP("shared anchors not found");
        LOAD_ANCHOR(cal, "issue_27_t1.ics");
        const auto all = cal.expand(utcSeconds(2020, 4, 25), utcSeconds(2020, 4, 30));
        QCOMPARE(all.size(), std::size_t{2});
        QCOMPARE(formatUtc(all[0].start), std::string("2020-04-26T12:00:00Z"));
        QCOMPARE(formatUtc(all[1].start), std::string("2020-04-28T12:00:00Z"));
        QCOMPARE(all[0].end - all[0].start, Seconds{1800});
    }

    // Exchange: all-day biweekly rules with a UTC date-time UNTIL, and RECURRENCE-IDs written
    // as TZID date-times at midnight that point at all-day instances (matched by date).
    // Outlook shows 15 events between 2020-05-25 and 2020-09-05.
    void issue28AllDayWithUtcUntil()
    {
        if (!haveAnchors())
            QSKIP("shared anchors not found");
        LOAD_ANCHOR(cal, "issue_28_rrule_with_UTC_endinginZ.ics");
        const auto window = cal.expand(utcSeconds(2020, 5, 25), utcSeconds(2020, 9, 5));
        QCOMPARE(window.size(), std::size_t{15});
        for (const Meeting& m : window) {
            QVERIFY(m.allDay);
            QCOMPARE(m.end - m.start, Seconds{86400});
            QCOMPARE(m.start % 86400, Seconds{0}); // no X-WR-TIMEZONE: dates are UTC days
        }
        const auto all = cal.expand(utcSeconds(2020, 1, 1), utcSeconds(2021, 1, 1));
        std::set<std::string> dates;
        for (const Meeting& m : all)
            dates.insert(formatUtc(m.start).substr(0, 10));
        // Moved instances appear on their new (Friday) dates, never on the original Thursday.
        for (const char* moved : {"2020-04-17", "2020-05-29", "2020-09-04"})
            QVERIFY2(dates.count(moved) == 1, moved);
        for (const char* original : {"2020-04-16", "2020-05-28", "2020-09-03"})
            QVERIFY2(dates.count(original) == 0, original);
        QVERIFY(dates.count("2020-04-02") == 1);
        QVERIFY(dates.count("2020-09-10") == 1); // last blue bin
        // UNTIL=20200916T230000Z is before 2020-09-17T00:00Z: libical (and we) end the black
        // series on 2020-09-03 (moved to 09-04); 12 + 12 instances in all.
        QVERIFY(dates.count("2020-09-17") == 0);
        QCOMPARE(all.size(), std::size_t{24});
    }

    // Google, America/Chicago, across the 2020-11-01 DST change: wall-clock times stay put.
    void issue48WallClockAcrossDst()
    {
        if (!haveAnchors())
            QSKIP("shared anchors not found");
        LOAD_ANCHOR(cal, "issue_48_dst.ics");
        const char* chicago = "America/Chicago";
        QCOMPARE(
            cal.expand(local(chicago, 2020, 12, 11, 10), local(chicago, 2020, 12, 11, 15)).size(),
            std::size_t{3});
        QCOMPARE(
            cal.expand(local(chicago, 2020, 12, 11, 8), local(chicago, 2020, 12, 11, 15)).size(),
            std::size_t{4});
        QCOMPARE(
            cal.expand(local(chicago, 2020, 12, 11, 9), local(chicago, 2020, 12, 11, 15)).size(),
            std::size_t{3});
        // Event#2 (weekly Friday 10:15 local): 15:15Z in CDT, 16:15Z in CST.
        const auto friday = withUid(cal.expand(utcSeconds(2020, 10, 29), utcSeconds(2020, 11, 8)),
                                    "p1lc8@google.com");
        QCOMPARE(friday.size(), std::size_t{2});
        QCOMPARE(formatUtc(friday[0].start), std::string("2020-10-30T15:15:00Z"));
        QCOMPARE(formatUtc(friday[1].start), std::string("2020-11-06T16:15:00Z"));
        // EXDATE;TZID=America/Chicago removes Thanksgiving (both the Thursday and Friday).
        const auto thanksgiving =
            cal.expand(local(chicago, 2020, 11, 26), local(chicago, 2020, 11, 28));
        QVERIFY(withUid(thanksgiving, "c4p6@google.com").empty());
        QVERIFY(withUid(thanksgiving, "7l8ium@google.com").empty());
        // UNTIL=20200923T045959Z: the last Event#1 instance is 2020-09-22 (09-16 excluded).
        const auto early =
            withUid(cal.expand(utcSeconds(2020, 9, 1), utcSeconds(2020, 10, 1)), "p1lg@google.com");
        QCOMPARE(early.size(), std::size_t{5}); // 15, 17, 18, 21, 22 September
        QCOMPARE(localDate(chicago, early.back().start), std::string("2020-09-22"));
    }

    // Google: last Friday monthly; the 2021-12-31 instance moved to 2021-12-17.
    void issue62MovedInstance()
    {
        if (!haveAnchors())
            QSKIP("shared anchors not found");
        LOAD_ANCHOR(cal, "issue_62_moved_event.ics");
        const auto december =
            cal.expand(local("Europe/Berlin", 2021, 12, 1), local("Europe/Berlin", 2022, 1, 1));
        QCOMPARE(december.size(), std::size_t{1});
        QCOMPARE(localDate("Europe/Berlin", december[0].start), std::string("2021-12-17"));
        QCOMPARE(december[0].end, december[0].start); // no DTEND: a 0-length event
        const auto november = cal.expand(utcSeconds(2021, 11, 1), utcSeconds(2021, 12, 1));
        QCOMPARE(november.size(), std::size_t{1});
        QCOMPARE(localDate("Europe/Berlin", november[0].start), std::string("2021-11-26"));
    }

    // Thunderbird: overrides that edit one instance and move two by an hour either way.
    void recurringEventsMoved()
    {
        if (!haveAnchors())
            QSKIP("shared anchors not found");
        LOAD_ANCHOR(cal, "recurring_events_moved.ics");
        const auto all = cal.expand(utcSeconds(2019, 3, 1), utcSeconds(2019, 4, 1));
        QCOMPARE(all.size(), std::size_t{7});
        const auto moved = withUid(all, "a0c78729-30b1-4ba3-a86e-6aedd995d788");
        QCOMPARE(moved.size(), std::size_t{4});
        const int hours[] = {2, 1, 3, 2}; // 7, 8, 9, 10 March, local time
        for (std::size_t i = 0; i < moved.size(); ++i) {
            QCOMPARE(localDate("Europe/Berlin", moved[i].start),
                     "2019-03-" + std::string(i + 7 < 10 ? "0" : "") + std::to_string(i + 7));
            QCOMPARE(localHour("Europe/Berlin", moved[i].start), hours[i]);
        }
        QCOMPARE(moved[1].end - moved[1].start, Seconds{3600}); // DTEND wins over DURATION:PT0S
        const auto edited = withUid(all, "5d4c6843-9300-4f91-8d88-6094d4b0b840");
        QCOMPARE(edited.size(), std::size_t{3});
        QCOMPARE(edited[1].summary, std::string("test7 - edited"));
        QCOMPARE(edited[1].location, std::string("location"));
        QCOMPARE(edited[0].summary, std::string("test7"));
        QCOMPARE(formatUtc(edited[2].start), std::string("2019-03-20T03:00:00Z")); // UNTIL incl.
    }

    // Google, public: monthly ordinal weekdays with UTC UNTIL, moved instances and EXDATEs.
    void machbarOnTourDates()
    {
        if (!haveAnchors())
            QSKIP("shared anchors not found");
        LOAD_ANCHOR(cal, "machbar_16_feb_2019.ics");
        QCOMPARE(cal.defaultZone(), std::string("Europe/Berlin")); // from X-WR-TIMEZONE
        const std::vector<std::string> expected = {
            "2018-09-22", "2018-10-20", "2018-11-17", "2018-12-08", "2019-01-12", "2019-01-27",
            "2019-02-09", "2019-02-24", "2019-03-23", "2019-04-27", "2019-05-25", "2019-06-22"};
        std::vector<std::string> found;
        for (const Meeting& m : cal.expand(utcSeconds(2018, 9, 1), utcSeconds(2019, 8, 1))) {
            if (m.summary.find("mB-onTour") != std::string::npos)
                found.push_back(localDate("Europe/Berlin", m.start));
        }
        QCOMPARE(found, expected);
        // Google's ATTENDEE lines (with X-NUM-GUESTS) are counted; the file has no ORGANIZER.
        const auto all = cal.expand(utcSeconds(2017, 1, 1), utcSeconds(2020, 1, 1));
        QVERIFY(std::any_of(all.begin(), all.end(), [](const Meeting& m) {
            return m.attendees > 0 && m.organizer.empty();
        }));
    }

    void germanyAllDayHolidays()
    {
        if (!haveAnchors())
            QSKIP("shared anchors not found");
        LOAD_ANCHOR(cal, "Germany.ics");
        const auto all = cal.expand(utcSeconds(2000, 1, 1), utcSeconds(2030, 1, 1));
        QCOMPARE(all.size(), std::size_t{159});
        for (const Meeting& m : all) {
            QVERIFY(m.allDay);
            QCOMPARE(m.location, std::string("Germany"));
        }
        const auto mothersDay = cal.expand(utcSeconds(2014, 5, 11), utcSeconds(2014, 5, 12));
        QCOMPARE(mothersDay.size(), std::size_t{1});
        QCOMPARE(mothersDay[0].summary,
                 std::string("Germany: Mother's Day [Not a public holiday]"));
        // With a default zone, all-day dates are local days there.
        LOAD_ANCHOR(berlin, "Germany.ics", CalendarOptions{"Europe/Berlin"});
        const auto local = berlin.expand(utcSeconds(2014, 5, 10), utcSeconds(2014, 5, 12));
        const auto it = std::find_if(local.begin(), local.end(), [](const Meeting& m) {
            return m.summary.find("Mother") != std::string::npos;
        });
        QVERIFY(it != local.end());
        QCOMPARE(formatUtc(it->start), std::string("2014-05-10T22:00:00Z"));
        QCOMPARE(it->end - it->start, Seconds{86400});
    }

    // ---- synthetic cases ----------------------------------------------------------------------

    void weeklyMeetingKeepsLocalTimeAcrossDst()
    {
        const auto cal = Calendar::parse(
            chicagoCalendar("BEGIN:VEVENT\r\nUID:weekly\r\nDTSTART;TZID=America/Chicago:"
                            "20250303T100000\r\nDTEND;TZID=America/Chicago:20250303T110000\r\n"
                            "RRULE:FREQ=WEEKLY;COUNT=3\r\nSUMMARY:Weekly\r\nEND:VEVENT\r\n"),
            "dst.ics");
        QVERIFY(cal.ok());
        const auto all = cal->expand(utcSeconds(2025, 1, 1), utcSeconds(2026, 1, 1));
        QCOMPARE(all.size(), std::size_t{3});
        QCOMPARE(formatUtc(all[0].start), std::string("2025-03-03T16:00:00Z")); // CST
        QCOMPARE(formatUtc(all[1].start), std::string("2025-03-10T15:00:00Z")); // CDT
        QCOMPARE(formatUtc(all[2].start), std::string("2025-03-17T15:00:00Z"));
        for (const Meeting& m : all)
            QCOMPARE(m.end - m.start, Seconds{3600});
    }

    void exdateRecurrenceIdAndCancellation()
    {
        const auto cal = Calendar::parse(
            chicagoCalendar(
                "BEGIN:VEVENT\r\nUID:daily\r\nDTSTART;TZID=America/Chicago:20250106T091500\r\n"
                "DTEND;TZID=America/Chicago:20250106T093000\r\n"
                "RRULE:FREQ=DAILY;UNTIL=20250110T235959Z\r\n"
                "EXDATE;TZID=America/Chicago:20250107T091500\r\n"
                "SUMMARY:Stand-up\r\nEND:VEVENT\r\n"
                "BEGIN:VEVENT\r\nUID:daily\r\nRECURRENCE-ID;TZID=America/Chicago:20250108T091500"
                "\r\nDTSTART;TZID=America/Chicago:20250108T140000\r\n"
                "DTEND;TZID=America/Chicago:20250108T141500\r\nSUMMARY:Stand-up (moved)\r\n"
                "END:VEVENT\r\n"
                "BEGIN:VEVENT\r\nUID:daily\r\nRECURRENCE-ID;TZID=America/Chicago:20250109T091500"
                "\r\nDTSTART;TZID=America/Chicago:20250109T091500\r\n"
                "DTEND;TZID=America/Chicago:20250109T093000\r\nSTATUS:CANCELLED\r\n"
                "END:VEVENT\r\n"),
            "overrides.ics");
        QVERIFY(cal.ok());
        const auto all = cal->expand(utcSeconds(2025, 1, 1), utcSeconds(2025, 2, 1));
        QCOMPARE(all.size(), std::size_t{3}); // 6, 8 (moved), 10; 7 excluded, 9 cancelled
        QCOMPARE(formatUtc(all[0].start), std::string("2025-01-06T15:15:00Z"));
        QCOMPARE(formatUtc(all[1].start), std::string("2025-01-08T20:00:00Z"));
        QCOMPARE(all[1].summary, std::string("Stand-up (moved)"));
        QCOMPARE(all[1].end - all[1].start, Seconds{900});
        QCOMPARE(formatUtc(all[2].start), std::string("2025-01-10T15:15:00Z"));
        // A cancelled series disappears entirely.
        const auto cancelled = Calendar::parse(
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:gone\r\nDTSTART:20250106T150000Z\r\n"
            "RRULE:FREQ=DAILY;COUNT=5\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "cancelled.ics");
        QVERIFY(cancelled.ok());
        QVERIFY(cancelled->expand(utcSeconds(2025, 1, 1), utcSeconds(2025, 2, 1)).empty());
    }

    void fieldsFloatingTimesAndDuration()
    {
        const std::string text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:f1\r\n"
                                 "DTSTART:20250115T100000\r\nDURATION:PT45M\r\n"
                                 "SUMMARY:Review\\, part 2\r\nLOCATION:Room 208\\, 2nd floor\r\n"
                                 "CATEGORIES:demo,video\r\nCATEGORIES:training\r\n"
                                 "ORGANIZER;CN=Alex:mailto:alex@example.com\r\n"
                                 "ATTENDEE;CN=Alex:mailto:alex@example.com\r\n"
                                 "ATTENDEE;CUTYPE=INDIVIDUAL:mailto:bo@example.com\r\n"
                                 "ATTENDEE;CUTYPE=ROOM:mailto:room208@example.com\r\n"
                                 "ATTENDEE;CUTYPE=RESOURCE:mailto:projector@example.com\r\n"
                                 "END:VEVENT\r\nEND:VCALENDAR\r\n";
        const auto utc = Calendar::parse(text, "floating.ics");
        QVERIFY(utc.ok());
        QCOMPARE(utc->defaultZone(), std::string("UTC"));
        auto all = utc->expand(utcSeconds(2025, 1, 1), utcSeconds(2025, 2, 1));
        QCOMPARE(all.size(), std::size_t{1});
        const Meeting& m = all[0];
        QCOMPARE(formatUtc(m.start), std::string("2025-01-15T10:00:00Z"));
        QCOMPARE(m.end - m.start, Seconds{2700});
        QCOMPARE(m.summary, std::string("Review, part 2"));
        QCOMPARE(m.location, std::string("Room 208, 2nd floor"));
        QCOMPARE(m.categories, (std::vector<std::string>{"demo", "video", "training"}));
        QCOMPARE(m.attendees, 2);
        QCOMPARE(m.organizer, std::string("alex@example.com"));
        QVERIFY(!m.allDay);
        // The same floating time in the building's zone.
        const auto chicago = Calendar::parse(text, "floating.ics", {"America/Chicago"});
        QVERIFY(chicago.ok());
        all = chicago->expand(utcSeconds(2025, 1, 1), utcSeconds(2025, 2, 1));
        QCOMPARE(formatUtc(all.at(0).start), std::string("2025-01-15T16:00:00Z"));
    }

    void countIncludesDtstartAndOverlapWindow()
    {
        // DTSTART (a Wednesday) does not match BYDAY=MO, yet it is the first of COUNT=3.
        const auto cal = Calendar::parse(
            chicagoCalendar("BEGIN:VEVENT\r\nUID:c\r\nDTSTART;TZID=America/Chicago:"
                            "20250305T100000\r\nDTEND;TZID=America/Chicago:20250305T120000\r\n"
                            "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3\r\nEND:VEVENT\r\n"),
            "count.ics");
        QVERIFY(cal.ok());
        const auto all = cal->expand(utcSeconds(2025, 1, 1), utcSeconds(2026, 1, 1));
        QCOMPARE(all.size(), std::size_t{3});
        QCOMPARE(localDate("America/Chicago", all[0].start), std::string("2025-03-05"));
        QCOMPARE(localDate("America/Chicago", all[1].start), std::string("2025-03-10"));
        QCOMPARE(localDate("America/Chicago", all[2].start), std::string("2025-03-17"));
        // A window that starts mid-meeting still returns it; one that ends at its start not.
        const Seconds s = all[1].start;
        QCOMPARE(cal->expand(s + 3600, s + 3601).size(), std::size_t{1});
        QCOMPARE(cal->expand(s - 60, s).size(), std::size_t{0});
        QCOMPARE(cal->expand(s + 7200, s + 7260).size(), std::size_t{0});
        QVERIFY(cal->expand(s, s).empty());
    }

    void malformedInputsGiveClearErrors()
    {
        auto missing = Calendar::load("/nonexistent/meetings.ics");
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().code, twindesk::twin::ErrorCode::NotFound);
        QVERIFY(missing.error().where.find("meetings.ics") != std::string::npos);

        auto notIcal = Calendar::parse("hello, this is a CSV file\n1,2,3\n", "notes.csv");
        QVERIFY(!notIcal.ok());
        QVERIFY(notIcal.error().message.find("BEGIN:VCALENDAR") != std::string::npos);
        QCOMPARE(notIcal.error().where, std::string("notes.csv"));

        auto bareEvent = Calendar::parse(
            "BEGIN:VEVENT\r\nUID:x\r\nDTSTART:20250101T100000Z\r\nEND:VEVENT\r\n", "bare.ics");
        QVERIFY(!bareEvent.ok());
        QVERIFY(bareEvent.error().message.find("VCALENDAR") != std::string::npos);

        auto truncated = Calendar::parse("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:t\r\n", "t.ics");
        QVERIFY(!truncated.ok());
        QVERIFY(truncated.error().message.find("truncated") != std::string::npos);
        QCOMPARE(truncated.error().where, std::string("t.ics:2"));

        // Structure errors carry line numbers (libical itself has none).
        auto strayEnd =
            Calendar::parse("BEGIN:VCALENDAR\nEND:VCALENDAR\nEND:VCALENDAR\n", "stray.ics");
        QVERIFY(!strayEnd.ok());
        QCOMPARE(strayEnd.error().where, std::string("stray.ics:3"));
        auto crossed = Calendar::parse(
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:c\nEND:VTODO\nEND:VCALENDAR\n", "crossed.ics");
        QVERIFY(!crossed.ok());
        QCOMPARE(crossed.error().where, std::string("crossed.ics:4"));
        QVERIFY(crossed.error().message.find("BEGIN:VEVENT from line 2") != std::string::npos);
        auto binary =
            Calendar::parse(std::string("BEGIN:VCALENDAR\n\0\nEND:VCALENDAR\n", 32), "nul.ics");
        QVERIFY(!binary.ok());
        QCOMPARE(binary.error().where, std::string("nul.ics:2"));

        auto backwards = Calendar::parse(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:ok\r\n"
            "DTSTART:20250101T100000Z\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:backwards-1\r\n"
            "DTSTART:20250101T100000Z\r\nDTEND:20250101T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "backwards.ics");
        QVERIFY(!backwards.ok());
        QCOMPARE(backwards.error().where, std::string("backwards.ics:7"));
        QVERIFY(backwards.error().message.find("backwards-1") != std::string::npos);
        QVERIFY(backwards.error().message.find("before DTSTART") != std::string::npos);

        auto unknownZone = Calendar::parse(
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:z1\r\nDTSTART;TZID=Mars/Olympus_Mons:"
            "20250101T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "mars.ics");
        QVERIFY(!unknownZone.ok());
        QCOMPARE(unknownZone.error().where, std::string("mars.ics:2"));
        QVERIFY(unknownZone.error().message.find("Mars/Olympus_Mons") != std::string::npos);
        QVERIFY(unknownZone.error().message.find("z1") != std::string::npos);

        auto badRule = Calendar::parse(
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:r1\r\nDTSTART:20250101T100000Z\r\n"
            "RRULE:FREQ=SOMETIMES\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "rule.ics");
        QVERIFY(!badRule.ok());
        QVERIFY(badRule.error().message.find("RRULE") != std::string::npos);

        auto noStart = Calendar::parse(
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:n1\r\nSUMMARY:x\r\nEND:VEVENT\r\n"
            "END:VCALENDAR\r\n",
            "nostart.ics");
        QVERIFY(!noStart.ok());
        QVERIFY(noStart.error().message.find("DTSTART") != std::string::npos);

        auto badDate = Calendar::parse(
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:d1\r\nDTSTART:2025-01-01 10:00\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n",
            "date.ics");
        QVERIFY(!badDate.ok());
        QVERIFY(badDate.error().message.find("DTSTART") != std::string::npos);

        auto badDefault = Calendar::parse("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "empty.ics",
                                          {"Nowhere/Atlantis"});
        QVERIFY(!badDefault.ok());
        QCOMPARE(badDefault.error().code, twindesk::twin::ErrorCode::InvalidArgument);

        // An unknown X-WR-TIMEZONE only matters when a floating time or a date needs it.
        const std::string wrongZone = "BEGIN:VCALENDAR\r\nX-WR-TIMEZONE:Europe/Atlantis\r\n"
                                      "BEGIN:VEVENT\r\nUID:w1\r\nDTSTART:20250101T100000Z\r\n"
                                      "END:VEVENT\r\n";
        QVERIFY(Calendar::parse(wrongZone + "END:VCALENDAR\r\n", "zoned.ics").ok());
        auto floating = Calendar::parse(wrongZone + "BEGIN:VEVENT\r\nUID:w2\r\nDTSTART;VALUE=DATE:"
                                                    "20250102\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                                        "floating.ics");
        QVERIFY(!floating.ok());
        QCOMPARE(floating.error().where, std::string("floating.ics:7"));
        QVERIFY(floating.error().message.find("Europe/Atlantis") != std::string::npos);
        QVERIFY(floating.error().message.find("defaultZone") != std::string::npos);

        auto empty = Calendar::parse("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "e");
        QVERIFY(empty.ok());
        QVERIFY(empty->expand(0, utcSeconds(2100, 1, 1)).empty());
    }

    // Random bytes and damaged copies of real files: errors or calendars, never a crash.
    void garbageNeverCrashes()
    {
        std::mt19937_64 random(20250106);
        for (int i = 0; i < 50; ++i) {
            std::string bytes(static_cast<std::size_t>(random() % 4000), '\0');
            for (char& c : bytes)
                c = static_cast<char>(random() & 0xFF);
            auto result = Calendar::parse(bytes, "random.bin");
            if (result.ok())
                (void)result->expand(0, utcSeconds(2030, 1, 1));
        }
        if (!haveAnchors())
            return;
        for (const char* file : {"issue_48_dst.ics", "machbar_16_feb_2019.ics",
                                 "issue_28_rrule_with_UTC_endinginZ.ics"}) {
            const std::string text = readText(kIcalDir / file);
            std::vector<std::string> lines;
            std::istringstream in(text);
            for (std::string line; std::getline(in, line);)
                lines.push_back(line);
            for (int i = 0; i < 40; ++i) {
                std::string damaged;
                for (const std::string& line : lines) {
                    const auto roll = random() % 100;
                    if (roll < 3)
                        continue; // drop a line
                    if (roll < 6)
                        damaged += line.substr(0, line.size() / 2) + "\n"; // cut it
                    else if (roll < 8)
                        damaged += line + ";X=Y:,;:\n"; // append junk
                    else
                        damaged += line + "\n";
                }
                damaged.resize(damaged.size() * (50 + random() % 51) / 100); // truncate
                auto result = Calendar::parse(damaged, file);
                if (result.ok())
                    (void)result->expand(utcSeconds(2015, 1, 1), utcSeconds(2022, 1, 1));
                else
                    QVERIFY(!result.error().message.empty());
            }
        }
    }

    // ---- the demo office calendar -------------------------------------------------------------

    void demoCalendarLoadsAndMapsEveryLocation()
    {
        auto cal = Calendar::load(kDemoDir / "meetings.ics");
        QVERIFY2(cal.ok(), cal.ok() ? "" : cal.error().toString().c_str());
        QCOMPARE(cal->defaultZone(), std::string("America/Chicago"));
        QCOMPARE(cal->eventCount(), std::size_t{28});
        const char* chicago = "America/Chicago";
        const auto all = cal->expand(local(chicago, 2025, 1, 6), local(chicago, 2025, 4, 5));
        QCOMPARE(all.size(), std::size_t{291}); // printed by generate_meetings.py

        const RoomMap rooms = demoRooms();
        std::map<std::string, int> perRoom;
        std::set<std::string> overbooked;
        int demos = 0;
        int trainings = 0;
        int videos = 0;
        for (const Meeting& m : all) {
            const LocationMatch match = rooms.match(m.location);
            QVERIFY2(match.room.has_value(), m.location.c_str());
            const RoomMapping& room = rooms.rooms()[*match.room];
            ++perRoom[room.roomId.substr(room.roomId.size() - 3)];
            if (m.attendees > room.capacity)
                overbooked.insert(m.uid);
            const auto has = [&](const char* c) {
                return std::find(m.categories.begin(), m.categories.end(), c) != m.categories.end();
            };
            demos += has("demo") ? 1 : 0;
            trainings += has("training") ? 1 : 0;
            videos += has("video") ? 1 : 0;
        }
        const std::map<std::string, int> expected = {{"106", 66}, {"107", 9},  {"207", 75},
                                                     {"208", 20}, {"209", 13}, {"307", 76},
                                                     {"308", 15}, {"309", 17}};
        QCOMPARE(perRoom, expected);
        QCOMPARE(overbooked, (std::set<std::string>{"budget-review-2025q1@twindesk.example"}));
        QCOMPARE(demos, 6);
        QCOMPARE(trainings, 8);
        QCOMPARE(videos, 21);

        // The sales weekly (Mondays 10:00 local) moves from 16:00Z to 15:00Z on 2025-03-09.
        const auto sales = withUid(all, "sales-weekly-2025q1@twindesk.example");
        QCOMPARE(sales.size(), std::size_t{11}); // 13 Mondays minus two holidays
        for (const Meeting& m : sales) {
            QCOMPARE(localHour(chicago, m.start), 10);
            const int utcHour = static_cast<int>((m.start % 86400) / 3600);
            QCOMPARE(utcHour, m.start < utcSeconds(2025, 3, 9, 8) ? 16 : 15);
        }
        // Holidays excluded, one stand-up moved, one cancelled.
        const auto standups = withUid(all, "standup-eng-2025q1@twindesk.example");
        std::set<std::string> days;
        for (const Meeting& m : standups)
            days.insert(localDate(chicago, m.start));
        QCOMPARE(days.count("2025-01-20"), std::size_t{0});
        QCOMPARE(days.count("2025-02-17"), std::size_t{0});
        QCOMPARE(days.count("2025-03-07"), std::size_t{0});
        const auto moved = std::find_if(standups.begin(), standups.end(), [&](const Meeting& m) {
            return localDate(chicago, m.start) == "2025-02-12";
        });
        QVERIFY(moved != standups.end());
        QCOMPARE(localHour(chicago, moved->start), 10);
        QCOMPARE(standups.size(), std::size_t{62}); // 65 weekdays - 2 holidays - 1 cancelled
        QCOMPARE(standups.front().attendees, 4);    // the room attendee is not a person
    }
};

TWINDESK_TEST(TestCalendar)
#include "tst_calendar.moc"
