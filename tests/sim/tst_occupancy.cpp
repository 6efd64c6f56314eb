// Occupancy per room: location matching, meetings → people and bookings, the seeded
// open-office model (determinism, weekly and daily shape, DST) and a check of its occupied
// share against the labelled office-room data in anchors/occupancy.
#include "test_registry.h"

#include <twindesk/sim/calendar.h>
#include <twindesk/sim/occupancy.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

using namespace twindesk::sim;

namespace {

constexpr Seconds kMinute = 60;
constexpr Seconds kHour = 3600;
constexpr Seconds kDay = 86400;

Meeting meeting(const std::string& uid, const std::string& location, Seconds start, Seconds minutes,
                int attendees)
{
    Meeting m;
    m.uid = uid;
    m.summary = uid;
    m.location = location;
    m.start = start;
    m.end = start + minutes * kMinute;
    m.attendees = attendees;
    return m;
}

RoomMap twoRooms()
{
    return RoomMap({{"urn:x#room_106", RoomMap::aliasesFromLabel("106 Huddle Room Oak"), 4},
                    {"urn:x#room_309", RoomMap::aliasesFromLabel("309 Boardroom"), 20},
                    {"urn:x#room_201", RoomMap::aliasesFromLabel("201 Open Office North"), 28}});
}

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

/// One open office (index 0) with `headcount` people, on a `step` grid over `days` days.
OccupancySchedule openOffice(std::uint64_t seed, Seconds start, std::int64_t days, int headcount,
                             const TimeZone& zone = {}, Seconds step = 15 * kMinute)
{
    const RoomMap rooms({{"urn:x#room_201", {"201 Open Office North"}, 28}});
    OccupancyOptions options;
    options.seed = seed;
    options.zone = zone;
    options.openOffices = {{0, headcount}};
    auto schedule = OccupancySchedule::build(rooms, {}, start, step, days * kDay / step, options);
    return std::move(schedule).value();
}

} // namespace

class TestOccupancy : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void roomMapMatchingRules()
    {
        QCOMPARE(RoomMap::aliasesFromLabel("106 Huddle Room Oak"),
                 (std::vector<std::string>{"106 Huddle Room Oak", "Huddle Room Oak"}));
        QCOMPARE(RoomMap::aliasesFromLabel("Boardroom"), (std::vector<std::string>{"Boardroom"}));
        const RoomMap rooms = twoRooms();
        const auto roomOf = [&](const char* text) { return rooms.match(text).room; };
        QCOMPARE(rooms.match("huddle room OAK").kind, LocationMatchKind::Alias);
        QCOMPARE(roomOf("huddle room OAK"), std::optional<std::size_t>(0));
        QCOMPARE(rooms.match("Boardroom 3F").kind, LocationMatchKind::Contains);
        QCOMPARE(roomOf("Boardroom 3F"), std::optional<std::size_t>(1));
        QCOMPARE(roomOf("Rm. 309 / Zoom"), std::optional<std::size_t>(1));
        QCOMPARE(roomOf("Huddle-Room-Oak (Teams)"), std::optional<std::size_t>(0));
        QCOMPARE(rooms.match("Boardroom or 106").kind, LocationMatchKind::Ambiguous);
        QCOMPARE(rooms.match("Kitchen").kind, LocationMatchKind::Unmapped);
        QCOMPARE(rooms.match("").kind, LocationMatchKind::Unmapped);
        QCOMPARE(rooms.match("Room 1060").kind, LocationMatchKind::Unmapped); // whole words only
        QCOMPARE(rooms.match("Oak").kind, LocationMatchKind::Unmapped);       // not an alias
        QCOMPARE(rooms.indexOf("urn:x#room_309"), std::optional<std::size_t>(1));
        QVERIFY(!rooms.indexOf("urn:x#room_999"));
    }

    void meetingsFillRooms()
    {
        const RoomMap rooms = twoRooms();
        const Seconds t0 = utcSeconds(2025, 3, 3, 14); // Monday
        const std::vector<Meeting> meetings = {
            meeting("a", "Boardroom 3F", t0 + kHour, 60, 12),
            meeting("b", "106 Huddle Room Oak", t0 + 30 * kMinute, 30, 0), // no attendees
            meeting("c", "Huddle Room Oak", t0 + 2 * kHour, 30, 6),        // overbooked
            meeting("d", "Cafeteria", t0, 60, 5),
            meeting("e", "Cafeteria", t0 + kHour, 60, 5),
            meeting("f", "Boardroom / 106", t0, 30, 3),
        };
        auto built = OccupancySchedule::build(rooms, meetings, t0, 15 * kMinute, 16);
        QVERIFY(built.ok());
        const OccupancySchedule& s = *built;
        QCOMPARE(s.roomCount(), std::size_t{3});
        QCOMPARE(s.stepCount(), std::int64_t{16});
        // Boardroom: steps 4..7 (15:00-16:00) hold 12 people.
        for (std::int64_t k = 0; k < 16; ++k) {
            const bool in = k >= 4 && k < 8;
            QCOMPARE(s.people(1, k), in ? 12 : 0);
            QCOMPARE(s.booked(1, k), in);
        }
        // Huddle room: default size min(4, 4) at 14:30-15:00, six people at 16:00-16:30.
        QCOMPARE(s.people(0, 1), 0);
        QCOMPARE(s.people(0, 2), 4);
        QCOMPARE(s.people(0, 3), 4);
        QCOMPARE(s.people(0, 4), 0);
        QCOMPARE(s.people(0, 8), 6);
        QCOMPARE(s.people(0, 9), 6);
        QCOMPARE(s.people(0, 10), 0);
        // Out of range is harmless.
        QCOMPARE(s.people(7, 0), 0);
        QCOMPARE(s.people(0, -1), 0);
        QCOMPARE(s.people(0, 16), 0);
        QVERIFY(!s.booked(0, 99));
        // Unmapped locations are reported, with counts, in order of appearance.
        QCOMPARE(s.unmapped().size(), std::size_t{2});
        QCOMPARE(s.unmapped()[0].location, std::string("Cafeteria"));
        QCOMPARE(s.unmapped()[0].occurrences, 2);
        QCOMPARE(s.unmapped()[0].exampleUid, std::string("d"));
        QCOMPARE(s.unmapped()[1].kind, LocationMatchKind::Ambiguous);
        // Pre-conditioning lookups.
        QCOMPARE(s.nextMeetingStart(0, t0), std::optional<Seconds>(t0 + 30 * kMinute));
        QCOMPARE(s.nextMeetingStart(0, t0 + 31 * kMinute), std::optional<Seconds>(t0 + 2 * kHour));
        QCOMPARE(s.nextMeetingStart(0, t0 + 2 * kHour), std::optional<Seconds>(t0 + 2 * kHour));
        QVERIFY(!s.nextMeetingStart(0, t0 + 2 * kHour + 1));
        QVERIFY(!s.nextMeetingStart(2, t0));
        QCOMPARE(s.meetingsOf(0).size(), std::size_t{2});
        QCOMPARE(s.meetingsOf(0)[0].uid, std::string("b"));
        QVERIFY(s.meetingsOf(5).empty());
    }

    void arrivalsSpreadAndAllDay()
    {
        const RoomMap rooms = twoRooms();
        const Seconds t0 = utcSeconds(2025, 3, 3, 14);
        Meeting allDay = meeting("x", "309 Boardroom", utcSeconds(2025, 3, 4), Seconds{24} * 60, 0);
        allDay.allDay = true;
        OccupancyOptions options;
        options.arrivalSpread = 5 * kMinute;
        auto built =
            OccupancySchedule::build(rooms, {meeting("a", "Boardroom", t0, 30, 10), allDay}, t0,
                                     kMinute, std::int64_t{36} * 60, options);
        QVERIFY(built.ok());
        QCOMPARE(built->people(1, 0), 2);  // 14:00:30 — one arrives every 30 s
        QCOMPARE(built->people(1, 2), 6);  // 14:02:30
        QCOMPARE(built->people(1, 5), 10); // everyone after five minutes
        QCOMPARE(built->people(1, 29), 10);
        QCOMPARE(built->people(1, 30), 0);
        // All-day events book the room but bring nobody.
        const std::int64_t midday = (utcSeconds(2025, 3, 4, 12) - t0) / kMinute;
        QVERIFY(built->booked(1, midday));
        QCOMPARE(built->people(1, midday), 0);
    }

    void invalidArgumentsAreErrors()
    {
        const RoomMap rooms = twoRooms();
        QVERIFY(!OccupancySchedule::build(rooms, {}, 0, 0, 10).ok());
        QVERIFY(!OccupancySchedule::build(rooms, {}, 0, 60, -1).ok());
        OccupancyOptions badRoom;
        badRoom.openOffices = {{7, 10}};
        auto e = OccupancySchedule::build(rooms, {}, 0, 60, 10, badRoom);
        QVERIFY(!e.ok());
        QVERIFY(e.error().message.find("out of range") != std::string::npos);
        OccupancyOptions badProfile;
        badProfile.profile.lunchProbability = 1.5;
        QVERIFY(!OccupancySchedule::build(rooms, {}, 0, 60, 10, badProfile).ok());
        QVERIFY(OccupancySchedule::build(rooms, {}, 0, 60, 0).ok()); // an empty grid is fine
    }

    void demoCalendarOccupancy()
    {
        auto cal =
            Calendar::load(std::filesystem::path(TWINDESK_SOURCE_DIR) / "assets/demo/meetings.ics");
        QVERIFY(cal.ok());
        auto chicago = TimeZone::named("America/Chicago");
        QVERIFY(chicago.ok());
        const Seconds start = chicago->toUtc(utcSeconds(2025, 1, 6));
        const Seconds end = chicago->toUtc(utcSeconds(2025, 4, 5));
        const Seconds step = 15 * kMinute;
        const RoomMap rooms = demoRooms();
        auto built = OccupancySchedule::build(rooms, cal->expand(start, end), start, step,
                                              (end - start) / step);
        QVERIFY(built.ok());
        QVERIFY(built->unmapped().empty());
        const auto stepAt = [&](int month, int day, int hour, int minute) {
            return (chicago->toUtc(utcSeconds(2025, month, day, hour, minute)) - start) / step;
        };
        // The overbooked budget review: 6 people in the 4-seat room 106.
        QCOMPARE(built->people(0, stepAt(2, 20, 10, 15)), 6);
        // The all-hands on the last Friday of February: 18 in the boardroom.
        QCOMPARE(built->people(7, stepAt(2, 28, 15, 30)), 18);
        // Monday sales weekly in room 209 at 10:00 local on both sides of the DST change.
        QCOMPARE(built->people(4, stepAt(3, 3, 10, 0)), 8);
        QCOMPARE(built->people(4, stepAt(3, 10, 10, 0)), 8);
        QCOMPARE(built->people(4, stepAt(3, 10, 11, 0)), 0);
        // The boardroom is closed all day on 21 February.
        QVERIFY(built->booked(7, stepAt(2, 21, 3, 0)));
        // Nothing at night.
        for (std::size_t r = 0; r < rooms.size(); ++r)
            QCOMPARE(built->people(r, stepAt(2, 4, 3, 0)), 0);
        // Pre-conditioning: the next meeting in the training room after the BMS training.
        QCOMPARE(built->nextMeetingStart(1, chicago->toUtc(utcSeconds(2025, 3, 12, 10))),
                 std::optional<Seconds>(chicago->toUtc(utcSeconds(2025, 3, 27, 9))));
    }

    void sameSeedSameScheduleDifferentSeedDifferent()
    {
        const Seconds start = utcSeconds(2025, 1, 6);
        const auto a = openOffice(42, start, 28, 24);
        const auto b = openOffice(42, start, 28, 24);
        const auto c = openOffice(43, start, 28, 24);
        QCOMPARE(a.hash(), b.hash());
        bool identical = true;
        bool differs = false;
        for (std::int64_t k = 0; k < a.stepCount(); ++k) {
            identical = identical && a.people(0, k) == b.people(0, k);
            differs = differs || a.people(0, k) != c.people(0, k);
        }
        QVERIFY(identical);
        QVERIFY(differs);
        QVERIFY(a.hash() != c.hash());
        // A day's occupancy does not depend on where the grid starts.
        const auto later = openOffice(42, start + 7 * kDay, 7, 24);
        for (std::int64_t k = 0; k < later.stepCount(); ++k)
            QCOMPARE(later.people(0, k), a.people(0, k + 7 * kDay / (15 * kMinute)));
    }

    void plausibleDailyAndWeeklyProfile()
    {
        const Seconds start = utcSeconds(2025, 1, 6); // Monday
        const int headcount = 24;
        const Seconds step = 15 * kMinute;
        const auto s = openOffice(7, start, 70, headcount, {}, step);
        const std::int64_t perDay = kDay / step;
        double at10 = 0;
        double at1230 = 0;
        int weekdays = 0;
        for (std::int64_t day = 0; day < 70; ++day) {
            const bool weekend = day % 7 >= 5;
            for (std::int64_t k = 0; k < perDay; ++k) {
                const int people = s.people(0, day * perDay + k);
                QVERIFY(people >= 0 && people <= headcount);
                if (weekend)
                    QCOMPARE(people, 0);
            }
            if (weekend)
                continue;
            ++weekdays;
            QCOMPARE(s.people(0, day * perDay + 12), 0); // 03:00: nobody
            QCOMPARE(s.people(0, day * perDay + 92), 0); // 23:00: nobody
            at10 += s.people(0, day * perDay + 40);
            at1230 += s.people(0, day * perDay + 50);
        }
        at10 /= weekdays * headcount;
        at1230 /= weekdays * headcount;
        QVERIFY2(at10 > 0.7 && at10 < 0.95, std::to_string(at10).c_str()); // most are in
        QVERIFY2(at1230 < at10 - 0.2, std::to_string(at1230).c_str());     // lunch dip
    }

    void openOfficeFollowsLocalTimeAcrossDst()
    {
        auto chicago = TimeZone::named("America/Chicago");
        QVERIFY(chicago.ok());
        const Seconds step = 15 * kMinute;
        const Seconds start = chicago->toUtc(utcSeconds(2025, 3, 3)); // Monday, CST
        const auto s = openOffice(11, start, 14, 40, *chicago, step);
        // The same seed in a UTC "building" gives the same wall-clock day: each day's draws
        // depend only on (seed, room, local day), and local times are mapped with the day's
        // offset. So Chicago's occupancy at UTC t equals UTC-zone occupancy at local(t), on
        // both sides of the 9 March DST change, although the UTC times differ by an hour.
        const auto wallClock = openOffice(11, utcSeconds(2025, 3, 3), 14, 40, {}, step);
        int occupiedSteps[2] = {0, 0};
        for (std::int64_t k = 0; k < s.stepCount(); ++k) {
            const Seconds t = s.start() + k * step;
            const Seconds wall = t + chicago->utcOffset(t);
            const std::int64_t j = (wall - wallClock.start()) / step;
            QCOMPARE(s.people(0, k), wallClock.people(0, j));
            occupiedSteps[t < utcSeconds(2025, 3, 9, 8) ? 0 : 1] += s.people(0, k) > 0 ? 1 : 0;
            if (s.people(0, k) > 0) {
                const Seconds hour = (wall % kDay) / kHour;
                QVERIFY2(hour >= 5 && hour < 23, formatUtc(wall).c_str()); // local daytime
            }
        }
        QVERIFY(occupiedSteps[0] > 5 * 40 && occupiedSteps[1] > 5 * 40); // ~10 h a weekday
    }

    // anchors/occupancy: one office room, labelled once a minute in February 2015. On full
    // weekdays it is occupied 35.5 % of the time, at night never, at 10:00 almost always.
    // The model for a two-person office should land close to that.
    void occupiedShareMatchesMeasuredOffice()
    {
        const std::filesystem::path dir = std::filesystem::path(TWINDESK_ANCHORS_DIR) / "occupancy";
        if (!std::filesystem::is_directory(dir))
            QSKIP("shared anchors not found at " TWINDESK_ANCHORS_DIR "/occupancy");
        std::map<std::string, std::pair<int, int>> perDay; // date → (rows, occupied)
        std::map<int, std::pair<int, int>> perHour;        // hour → (rows, occupied), weekdays
        for (const char* file : {"datatraining.txt", "datatest.txt", "datatest2.txt"}) {
            std::ifstream in(dir / file);
            QVERIFY(in.good());
            std::string line;
            std::getline(in, line); // header
            while (std::getline(in, line)) {
                const auto c1 = line.find(',');
                const auto c2 = line.find(',', c1 + 1);
                std::string stamp = line.substr(c1 + 1, c2 - c1 - 1);
                if (!stamp.empty() && stamp.front() == '"')
                    stamp = stamp.substr(1, stamp.size() - 2);
                const int occupied = line.back() == '1' || line[line.size() - 2] == '1' ? 1 : 0;
                auto& day = perDay[stamp.substr(0, 10)];
                ++day.first;
                day.second += occupied;
                const int y = std::stoi(stamp.substr(0, 4));
                const int mo = std::stoi(stamp.substr(5, 2));
                const int d = std::stoi(stamp.substr(8, 2));
                const std::int64_t weekday = (utcSeconds(y, mo, d) / kDay + 3) % 7;
                if (weekday < 5) {
                    auto& hour = perHour[std::stoi(stamp.substr(11, 2))];
                    ++hour.first;
                    hour.second += occupied;
                }
            }
        }
        int rows = 0;
        int occupied = 0;
        for (const auto& [date, counts] : perDay) {
            const int y = std::stoi(date.substr(0, 4));
            const std::int64_t weekday =
                (utcSeconds(y, std::stoi(date.substr(5, 2)), std::stoi(date.substr(8, 2))) / kDay +
                 3) %
                7;
            if (weekday >= 5) {
                QCOMPARE(counts.second, 0); // weekends empty, as in the model
                continue;
            }
            if (counts.first < 1400)
                continue; // partial day
            rows += counts.first;
            occupied += counts.second;
        }
        QVERIFY(rows > 10000);
        const double measured = static_cast<double>(occupied) / rows;
        QVERIFY(measured > 0.33 && measured < 0.38);

        const auto s =
            openOffice(2015, utcSeconds(2025, 1, 6), std::int64_t{28} * 7, 2, {}, kMinute);
        int modelRows = 0;
        int modelOccupied = 0;
        for (std::int64_t k = 0; k < s.stepCount(); ++k) {
            if ((k / (kDay / kMinute)) % 7 >= 5)
                continue;
            ++modelRows;
            modelOccupied += s.people(0, k) > 0 ? 1 : 0;
        }
        const double modelled = static_cast<double>(modelOccupied) / modelRows;
        qInfo("occupied share on weekdays: measured %.3f, model (2 people) %.3f", measured,
              modelled);
        QVERIFY2(std::abs(modelled - measured) < 0.06, std::to_string(modelled).c_str());
        // Hour-of-day shape: empty at 03:00 in both; occupied at 10:00 most of the time.
        QCOMPARE(perHour[3].second, 0);
        QVERIFY(static_cast<double>(perHour[10].second) / perHour[10].first > 0.85);
    }
};

TWINDESK_TEST(TestOccupancy)
#include "tst_occupancy.moc"
