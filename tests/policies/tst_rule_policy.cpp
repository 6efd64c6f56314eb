// Declarative rule policies on small hand-built rooms: the issue's conference-room setback,
// hysteresis, dwell, `for:` timers, site time, units, rule precedence, the calendar, the
// shipped rule files, and refusal of malformed files with file:line:column and a reason.
#include "test_registry.h"

#include <twindesk/policies/decision_log.h>
#include <twindesk/policies/room_context.h>
#include <twindesk/policies/rule_policy.h>
#include <twindesk/sim/sim_time.h>
#include <twindesk/twin/brick_import.h>
#include <twindesk/twin/brick_ontology.h>

#include <QTemporaryDir>

#include <algorithm>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

using namespace twindesk;
using namespace twindesk::policies;
namespace fs = std::filesystem;

namespace {

const fs::path kSource = TWINDESK_SOURCE_DIR;
const std::string kBrick = "https://brickschema.org/schema/Brick#";

// Point ids of the test building.
const std::string kRoom = "urn:t:conf1";
const std::string kZat = "urn:t:conf1_zat";
const std::string kHsp = "urn:t:conf1_zhsp";
const std::string kCsp = "urn:t:conf1_zcsp";
const std::string kOcc = "urn:t:conf1_occ";
const std::string kLight = "urn:t:light1_level";
const std::string kRoomF = "urn:t:conf2"; // a conference room whose points are in °F
const std::string kHspF = "urn:t:conf2_zhsp";
const std::string kOccF = "urn:t:conf2_occ";
const std::string kOffice = "urn:t:office1";
const std::string kOfficeHsp = "urn:t:office1_zhsp";
const std::string kOfficeOcc = "urn:t:office1_occ";

twin::Entity room(const std::string& id, twin::ZoneUse use)
{
    twin::Entity e;
    e.id = id;
    e.name = id;
    e.kind = twin::EntityKind::Room;
    e.use = use;
    e.classes = {kBrick + (use == twin::ZoneUse::Conference ? "Conference_Room" : "Office")};
    return e;
}

twin::Entity point(const std::string& id, const std::string& cls, twin::PointType type,
                   twin::Quantity q, const std::string& unit)
{
    twin::Entity e;
    e.id = id;
    e.name = id;
    e.kind = twin::EntityKind::Point;
    e.classes = {kBrick + cls};
    e.point = twin::PointInfo{type, q, unit, true, {}};
    return e;
}

void add(twin::TwinGraph& g, twin::Entity e)
{
    if (auto r = g.addEntity(std::move(e)); !r)
        qFatal("%s", r.error().toString().c_str());
}

void rel(twin::TwinGraph& g, const std::string& a, twin::Relation r, const std::string& b)
{
    if (auto s = g.addRelation(a, r, b); !s)
        qFatal("%s", s.error().toString().c_str());
}

void addRoomPoints(twin::TwinGraph& g, const std::string& r, const std::string& unit)
{
    using twin::PointType;
    using twin::Quantity;
    add(g, point(r + "_zat", "Zone_Air_Temperature_Sensor", PointType::Sensor,
                 Quantity::Temperature, unit));
    add(g, point(r + "_zhsp", "Zone_Air_Heating_Temperature_Setpoint", PointType::Setpoint,
                 Quantity::Temperature, unit));
    add(g, point(r + "_zcsp", "Zone_Air_Cooling_Temperature_Setpoint", PointType::Setpoint,
                 Quantity::Temperature, unit));
    add(g, point(r + "_occ", "Occupancy_Sensor", PointType::Sensor, Quantity::Boolean, "bool"));
    for (const char* s : {"_zat", "_zhsp", "_zcsp", "_occ"})
        rel(g, r, twin::Relation::HasPoint, r + s);
}

// conf1 (°C, with a luminaire), conf2 (°F), office1 (°C).
std::shared_ptr<const twin::TwinGraph> building()
{
    auto g = std::make_shared<twin::TwinGraph>();
    add(*g, room(kRoom, twin::ZoneUse::Conference));
    add(*g, room(kRoomF, twin::ZoneUse::Conference));
    add(*g, room(kOffice, twin::ZoneUse::Office));
    addRoomPoints(*g, kRoom, "°C");
    addRoomPoints(*g, kRoomF, "°F");
    addRoomPoints(*g, kOffice, "°C");
    twin::Entity lum;
    lum.id = "urn:t:light1";
    lum.name = "light1";
    lum.kind = twin::EntityKind::Equipment;
    lum.equipmentType = twin::EquipmentType::Lighting;
    lum.classes = {kBrick + "Luminaire"};
    add(*g, lum);
    add(*g, point(kLight, "Light_Command", twin::PointType::Command, twin::Quantity::Ratio, "%"));
    rel(*g, "urn:t:light1", twin::Relation::HasLocation, kRoom);
    rel(*g, "urn:t:light1", twin::Relation::HasPoint, kLight);
    return g;
}

/// Meetings as [start, end) per room.
class TestBookings : public Bookings
{
public:
    std::map<std::string, std::vector<std::pair<Seconds, Seconds>>, std::less<>> meetings;

    bool booked(std::string_view r, Seconds t) const override
    {
        const auto it = meetings.find(r);
        if (it == meetings.end())
            return false;
        return std::any_of(it->second.begin(), it->second.end(),
                           [t](const auto& m) { return t >= m.first && t < m.second; });
    }
    std::optional<Seconds> nextMeetingStart(std::string_view r, Seconds t) const override
    {
        const auto it = meetings.find(r);
        if (it == meetings.end())
            return std::nullopt;
        std::optional<Seconds> best;
        for (const auto& m : it->second)
            if (m.first >= t && (!best || m.first < *best))
                best = m.first;
        return best;
    }
    bool knows(std::string_view r) const override { return meetings.count(r) != 0; }
};

std::shared_ptr<TestBookings> emptyCalendar()
{
    auto b = std::make_shared<TestBookings>();
    b->meetings[kRoom] = {};
    b->meetings[kRoomF] = {};
    b->meetings[kOffice] = {};
    return b;
}

/// A simulated room: it applies the actions it is given, so the next observation shows them.
struct Rig
{
    Observation obs;
    std::map<std::string, double> values;

    explicit Rig(double tz = 0.0, std::shared_ptr<const Bookings> bookings = emptyCalendar())
        : obs(building(), tz)
    {
        obs.setBookings(std::move(bookings));
        values = {{kZat, 21.0},
                  {kHsp, 21.0},
                  {kCsp, 24.0},
                  {kOcc, 1.0},
                  {kLight, 100.0},
                  {kHspF, 69.8},
                  {kOccF, 1.0},
                  {kOfficeHsp, 21.0},
                  {kOfficeOcc, 1.0},
                  {kRoomF + "_zat", 70.0},
                  {kRoomF + "_zcsp", 75.2},
                  {kOffice + "_zat", 21.0},
                  {kOffice + "_zcsp", 24.0}};
    }

    /// Publishes the current values at `t`, lets the policy decide, applies the actions.
    std::vector<Action> step(Policy& p, Seconds t)
    {
        sim::TelemetryFrame f;
        f.time = t;
        for (const auto& [id, v] : values)
            f.samples.push_back(sim::PointSample{id, v, true});
        obs.update(f);
        auto r = p.decide(obs);
        if (!r)
            qFatal("decide failed: %s", r.error().toString().c_str());
        for (const auto& a : *r)
            if (a.kind == ActionKind::Switch)
                values[a.target] = a.value * 100.0;
            else if (a.kind != ActionKind::SetMode)
                values[a.target] = a.value;
        return *r;
    }
};

std::unique_ptr<RulePolicy> parseOk(const std::string& text)
{
    auto p = RulePolicy::parse(text, "test.yaml");
    if (!p)
        qFatal("parse failed: %s", p.error().toString().c_str());
    return std::move(p).value();
}

const Action* find(const std::vector<Action>& actions, const std::string& target)
{
    for (const auto& a : actions)
        if (a.target == target)
            return &a;
    return nullptr;
}

// Monday 6 January 2025, 10:00 UTC.
const Seconds kMonday10 = sim::utcSeconds(2025, 1, 6, 10);
constexpr Seconds kMin = 60;

const std::string kHeader = "policy: t\nversion: 1.0.0\nrules:\n";

} // namespace

class TestRulePolicy : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void issueExampleSetsBack()
    {
        auto p = RulePolicy::load(kSource / "assets/rules/conference-setback.yaml");
        QVERIFY2(p.ok(), p.ok() ? "" : p.error().toString().c_str());
        Rig rig;
        const Seconds t0 = kMonday10;
        rig.values[kOcc] = 0.0; // conf1 empties at t0
        for (Seconds m = 0; m < 15; m += 5) {
            const auto a = rig.step(**p, t0 + m * kMin);
            QVERIFY2(find(a, kHsp) == nullptr, qPrintable(QString::number(m))); // not before 15'
            QVERIFY(find(a, kLight) == nullptr);
        }
        const auto a = rig.step(**p, t0 + 15 * kMin);
        QVERIFY(find(a, kHsp) != nullptr);
        QCOMPARE(find(a, kHsp)->kind, ActionKind::SetSetpoint);
        QCOMPARE(find(a, kHsp)->value, 16.0);
        QCOMPARE(find(a, kCsp)->value, 28.0);
        QCOMPARE(find(a, kLight)->kind, ActionKind::Dim);
        QCOMPARE(find(a, kLight)->value, 0.0);
        // Only conference rooms; conf2 and the office are occupied / out of scope.
        QVERIFY(find(a, kOfficeHsp) == nullptr);
        QVERIFY(find(a, kHspF) == nullptr);
        QCOMPARE(a.size(), std::size_t{3});
        // The rule holds: no more actions while nothing changes.
        QVERIFY(rig.step(**p, t0 + 20 * kMin).empty());
        QVERIFY(rig.step(**p, t0 + 25 * kMin).empty());
        // Someone walks in (after the 10 min dwell): occupied setpoints back, lights on.
        rig.values[kOcc] = 1.0;
        const auto back = rig.step(**p, t0 + 30 * kMin);
        QCOMPARE(find(back, kHsp)->value, 21.0);
        QCOMPARE(find(back, kCsp)->value, 24.0);
        QCOMPARE(find(back, kLight)->value, 100.0); // second rule: lights follow occupancy
    }

    void issueExampleWaitsForTheNextMeeting()
    {
        auto p = RulePolicy::load(kSource / "assets/rules/conference-setback.yaml");
        QVERIFY(p.ok());
        auto cal = emptyCalendar();
        const Seconds t0 = kMonday10;
        // A meeting starts 20 minutes after the room has been empty 15 minutes.
        cal->meetings[kRoom] = {{t0 + 35 * kMin, t0 + 95 * kMin}};
        Rig rig(0.0, cal);
        rig.values[kOcc] = 0.0;
        for (Seconds m = 0; m <= 90; m += 5) {
            const auto a = rig.step(**p, t0 + m * kMin);
            QVERIFY2(find(a, kHsp) == nullptr, qPrintable(QString::number(m)));
        }
        // Meeting over at t0+95, room still empty (and has been for long): setback at once.
        const auto a = rig.step(**p, t0 + 95 * kMin);
        QVERIFY(find(a, kHsp) != nullptr);
        QCOMPARE(find(a, kHsp)->value, 16.0);
    }

    void hysteresisDoesNotChatter()
    {
        auto p = parseOk(kHeader + R"(
  - name: warm
    scope: { rooms: { ids: ["urn:t:conf1"] } }
    when: { point: air_temperature, above: 26, hysteresis: 1 }
    then: [ { set: cooling_setpoint, value: 22 } ]
    else: [ { set: cooling_setpoint, value: 24 } ]
)");
        Rig rig;
        Seconds t = kMonday10;
        const std::vector<std::pair<double, double>> trace{
            {25.5, 24}, {26.5, 22}, {25.8, 22}, {26.2, 22}, {25.1, 22},
            {25.9, 22}, {24.9, 24}, {25.9, 24}, {26.0, 24}, {26.1, 22}};
        int changes = 0;
        for (const auto& [temp, wanted] : trace) {
            rig.values[kZat] = temp;
            changes += static_cast<int>(rig.step(*p, t += 5 * kMin).size());
            QCOMPARE(rig.values[kCsp], wanted);
        }
        QCOMPARE(changes, 3); // 24→22, 22→24, 24→22; nothing in between
        // Without hysteresis the same trace flips on every crossing.
        auto plain = parseOk(kHeader + R"(
  - name: warm
    scope: { rooms: { ids: ["urn:t:conf1"] } }
    when: { point: air_temperature, above: 26 }
    then: [ { set: cooling_setpoint, value: 22 } ]
    else: [ { set: cooling_setpoint, value: 24 } ]
)");
        Rig rig2;
        int plainChanges = 0;
        for (const auto& tw : trace) {
            rig2.values[kZat] = tw.first;
            plainChanges += static_cast<int>(rig2.step(*plain, t += 5 * kMin).size());
        }
        QCOMPARE(plainChanges, 5);
    }

    void minDwellHoldsTheState()
    {
        auto p = parseOk(kHeader + R"(
  - name: occupied
    scope: { rooms: { ids: ["urn:t:conf1"] } }
    when: { point: occupancy, equals: 1 }
    then: [ { set: heating_setpoint, value: 21 } ]
    else: [ { set: heating_setpoint, value: 16 } ]
    min_dwell: 20min
)");
        Rig rig;
        const Seconds t0 = kMonday10;
        QVERIFY(rig.step(*p, t0).empty()); // true, already 21: nothing to do
        rig.values[kOcc] = 0.0;
        QVERIFY(rig.step(*p, t0 + 5 * kMin).empty());  // held true: dwell until t0+20
        QVERIFY(rig.step(*p, t0 + 15 * kMin).empty()); // still held
        const auto a = rig.step(*p, t0 + 20 * kMin);   // dwell over
        QCOMPARE(a.size(), std::size_t{1});
        QCOMPARE(a.front().value, 16.0);
        rig.values[kOcc] = 1.0;
        QVERIFY(rig.step(*p, t0 + 25 * kMin).empty()); // held false until t0+40
        QVERIFY(rig.step(*p, t0 + 35 * kMin).empty());
        QCOMPARE(rig.step(*p, t0 + 40 * kMin).front().value, 21.0);
    }

    void forTimerResetsWhenTheConditionBreaks()
    {
        auto p = parseOk(kHeader + R"(
  - name: empty
    scope: { rooms: { ids: ["urn:t:conf1"] } }
    when: { point: occupancy, equals: 0, for: 15min }
    then: [ { set: heating_setpoint, value: 16 } ]
)");
        Rig rig;
        const Seconds t0 = kMonday10;
        rig.values[kOcc] = 0.0;
        QVERIFY(rig.step(*p, t0).empty());
        QVERIFY(rig.step(*p, t0 + 10 * kMin).empty());
        rig.values[kOcc] = 1.0; // breaks at t0+12
        QVERIFY(rig.step(*p, t0 + 12 * kMin).empty());
        rig.values[kOcc] = 0.0; // empty again from t0+14
        QVERIFY(rig.step(*p, t0 + 14 * kMin).empty());
        QVERIFY(rig.step(*p, t0 + 15 * kMin).empty()); // would have fired without the reset
        QVERIFY(rig.step(*p, t0 + 28 * kMin).empty());
        QCOMPARE(rig.step(*p, t0 + 29 * kMin).size(), std::size_t{1}); // 15 min after t0+14
    }

    void timeOfDayInSiteTime()
    {
        auto p = parseOk(kHeader + R"(
  - name: hours
    scope: { rooms: { ids: ["urn:t:conf1"] } }
    when: { time: { days: [mon, tue, wed, thu, fri], between: ["07:00", "19:00"] } }
    then: [ { set: heating_setpoint, value: 21 } ]
    else: [ { set: heating_setpoint, value: 16 } ]
)");
        Rig rig(-6.0); // Chicago standard time
        auto heat = [&](Seconds utc) {
            rig.step(*p, utc);
            return rig.values[kHsp];
        };
        QCOMPARE(heat(sim::utcSeconds(2025, 1, 6, 12, 55)), 16.0); // Mon 06:55 local
        QCOMPARE(heat(sim::utcSeconds(2025, 1, 6, 13, 0)), 21.0);  // Mon 07:00 local
        QCOMPARE(heat(sim::utcSeconds(2025, 1, 7, 0, 55)), 21.0);  // Mon 18:55 local
        QCOMPARE(heat(sim::utcSeconds(2025, 1, 7, 1, 0)), 16.0);   // Mon 19:00 local
        QCOMPARE(heat(sim::utcSeconds(2025, 1, 11, 16, 0)), 16.0); // Sat 10:00 local
        QCOMPARE(heat(sim::utcSeconds(2025, 1, 13, 3, 0)), 16.0);  // Sun 21:00 local (Mon UTC)
        QCOMPARE(heat(sim::utcSeconds(2025, 1, 13, 16, 0)), 21.0); // Mon 10:00 local

        // A window across midnight, on one day only.
        auto night = parseOk(kHeader + R"(
  - name: night
    scope: { rooms: { ids: ["urn:t:conf1"] } }
    when: { time: { days: [sat], between: ["22:00", "06:00"] } }
    then: [ { set: heating_setpoint, value: 15 } ]
    else: [ { set: heating_setpoint, value: 17 } ]
)");
        Rig r2(0.0);
        r2.step(*night, sim::utcSeconds(2025, 1, 11, 23, 0)); // Sat 23:00
        QCOMPARE(r2.values[kHsp], 15.0);
        r2.step(*night, sim::utcSeconds(2025, 1, 11, 12, 0) + 86400 * 7); // next Sat 12:00
        QCOMPARE(r2.values[kHsp], 17.0);
        r2.step(*night, sim::utcSeconds(2025, 1, 25, 2, 0)); // Sat 02:00
        QCOMPARE(r2.values[kHsp], 15.0);
    }

    void unitsConvertToThePointsUnit()
    {
        // A °F value driven into a °C point, a °C value into a °F point, a °F threshold on a
        // °C sensor.
        auto p = parseOk(kHeader + R"(
  - name: f-to-c
    scope: { rooms: { ids: ["urn:t:conf1"] } }
    when: { point: air_temperature, above: 77, unit: °F }
    then: [ { set: heating_setpoint, value: 60.8, unit: °F } ]
  - name: c-to-f
    scope: { rooms: { ids: ["urn:t:conf2"] } }
    when: { point: occupancy, equals: 1 }
    then: [ { set: heating_setpoint, value: 16, unit: degC } ]
)");
        Rig rig;
        rig.values[kZat] = 24.9; // 76.8 °F: not above 77 °F
        auto a = rig.step(*p, kMonday10);
        QVERIFY(find(a, kHsp) == nullptr);
        QVERIFY(find(a, kHspF) != nullptr);
        QVERIFY(std::abs(find(a, kHspF)->value - 60.8) < 1e-9);
        rig.values[kZat] = 25.1; // 77.18 °F
        a = rig.step(*p, kMonday10 + 5 * kMin);
        QVERIFY(find(a, kHsp) != nullptr);
        QVERIFY(std::abs(find(a, kHsp)->value - 16.0) < 1e-9);
        QVERIFY(find(a, kHspF) == nullptr); // 60.8 °F already there: no repeat
    }

    void earlierRuleWins()
    {
        const std::string first = R"(
  - name: first
    scope: { rooms: { use: conference } }
    when: { point: occupancy, equals: 1 }
    then: [ { set: heating_setpoint, value: 17 } ]
)";
        const std::string second = R"(
  - name: second
    scope: { points: ["urn:t:conf1_zhsp"] }
    when: { point: "urn:t:conf1_occ", equals: 1 }
    then: [ { set: self, value: 19 }, { set: "urn:t:office1_zhsp", value: 19 } ]
)";
        Rig a;
        auto ab = a.step(*parseOk(kHeader + first + second), kMonday10);
        QCOMPARE(find(ab, kHsp)->value, 17.0);
        QCOMPARE(find(ab, kOfficeHsp)->value, 19.0); // not claimed by the first rule
        QCOMPARE(
            std::count_if(ab.begin(), ab.end(), [](const Action& x) { return x.target == kHsp; }),
            std::ptrdiff_t{1});
        Rig b;
        auto ba = b.step(*parseOk(kHeader + second + first), kMonday10);
        QCOMPARE(find(ba, kHsp)->value, 19.0);
    }

    void noActionAtTheWantedValue()
    {
        auto p = parseOk(kHeader + R"(
  - name: setback
    scope: { rooms: { use: conference } }
    when: { point: occupancy, equals: 0 }
    then: [ { set: heating_setpoint, value: 16, unit: °C }, { lights: off } ]
)");
        Rig rig;
        rig.values[kOcc] = 0.0;
        rig.values[kHsp] = 16.0;
        rig.values[kLight] = 0.0;
        QVERIFY(rig.step(*p, kMonday10).empty());
        rig.values[kLight] = 40.0; // someone dimmed up by hand
        const auto a = rig.step(*p, kMonday10 + 5 * kMin);
        QCOMPARE(a.size(), std::size_t{1});
        QCOMPARE(a.front().kind, ActionKind::Switch);
        QCOMPARE(a.front().value, 0.0);
    }

    void unknownValuesChangeNothing()
    {
        auto p = parseOk(kHeader + R"(
  - name: occupied
    scope: { rooms: { ids: ["urn:t:conf1"] } }
    when: { point: occupancy, equals: 1 }
    then: [ { set: heating_setpoint, value: 21 } ]
    else: [ { set: heating_setpoint, value: 16 } ]
)");
        Rig rig;
        QVERIFY(rig.step(*p, kMonday10).empty()); // occupied, already 21
        // The occupancy sensor goes bad and someone turns the setpoint up: the rule's
        // condition is unknown, so it neither fires (no 21, no 16) nor changes state.
        rig.obs.update(
            sim::TelemetryFrame{kMonday10 + 5 * kMin, {{kOcc, 0.0, false}, {kHsp, 25.0, true}}});
        QCOMPARE(rig.obs.value(kOcc), std::optional<double>{});
        auto r = p->decide(rig.obs);
        QVERIFY(r.ok());
        QVERIFY(r->empty());

        // An unknown sample neither starts nor resets a `for:` timer.
        auto timed = parseOk(kHeader + R"(
  - name: empty
    scope: { rooms: { ids: ["urn:t:conf1"] } }
    when: { point: occupancy, equals: 0, for: 15min }
    then: [ { set: heating_setpoint, value: 16 } ]
)");
        Rig r2;
        r2.values[kOcc] = 0.0;
        QVERIFY(r2.step(*timed, kMonday10).empty());
        r2.obs.update(sim::TelemetryFrame{kMonday10 + 10 * kMin, {{kOcc, 0.0, false}}});
        QVERIFY(timed->decide(r2.obs).value().empty());
        const auto a = r2.step(*timed, kMonday10 + 15 * kMin); // 15 min since t0
        QCOMPARE(a.size(), std::size_t{1});
        QCOMPARE(a.front().value, 16.0);
    }

    void calendarConditions()
    {
        const Seconds t0 = kMonday10;
        auto cal = emptyCalendar();
        cal->meetings[kRoom] = {{t0 + 10 * kMin, t0 + 40 * kMin}};
        cal->meetings.erase(kRoomF); // the calendar does not know conf2
        auto p = parseOk(kHeader + R"(
  - name: soon
    scope: { rooms: { use: conference } }
    when: { meeting_within: 10min }
    then: [ { set: heating_setpoint, value: 22 } ]
  - name: now
    scope: { rooms: { use: conference } }
    when: { meeting_now: true }
    then: [ { set: cooling_setpoint, value: 23 } ]
  - name: other-room
    scope: { points: ["urn:t:office1_zhsp"] }
    when: { meeting_now: false, room: "urn:t:conf1" }
    then: [ { set: self, value: 18 } ]
)");
        Rig rig(0.0, cal);
        auto a = rig.step(*p, t0 - 5 * kMin); // next meeting in 15 min
        QVERIFY(find(a, kHsp) == nullptr);
        QCOMPARE(find(a, kOfficeHsp)->value, 18.0);
        a = rig.step(*p, t0); // in 10 min: within
        QCOMPARE(find(a, kHsp)->value, 22.0);
        QVERIFY(find(a, kCsp) == nullptr);
        QVERIFY(find(a, kHspF) == nullptr); // unknown to the calendar: no evidence, no action
        a = rig.step(*p, t0 + 10 * kMin);   // running
        QCOMPARE(find(a, kCsp)->value, 23.0);

        // No calendar attached: an error naming the rule, not a silent false.
        Observation bare(building(), 0.0);
        bare.update(sim::TelemetryFrame{t0, {{kOcc, 1.0, true}}});
        auto r = parseOk(kHeader + R"(
  - name: needs-calendar
    scope: { rooms: { use: conference } }
    when: { no_meeting_within: 30min }
    then: [ { lights: 0 } ]
)")
                     ->decide(bare);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.find("needs-calendar") != std::string::npos,
                 r.error().message.c_str());
        QCOMPARE(r.error().where, std::string("test.yaml:7:11"));
    }

    void sameInputsSameDecisions()
    {
        auto run = [] {
            auto p = RulePolicy::load(kSource / "assets/rules/conference-setback.yaml").value();
            Rig rig;
            std::vector<std::string> log;
            for (int i = 0; i < 48; ++i) {
                rig.values[kOcc] = (i / 5) % 2 == 0 ? 0.0 : 1.0;
                rig.values[kOccF] = (i / 7) % 2 == 0 ? 0.0 : 1.0;
                for (const auto& a : rig.step(*p, kMonday10 + i * 5 * kMin))
                    log.push_back(sim::describeAction(a));
            }
            return log;
        };
        const auto a = run();
        QVERIFY(!a.empty());
        QCOMPARE(run(), a);
    }

    void infoDescribesThePolicy()
    {
        const std::string text = kHeader + R"(
  - name: r
    scope: { rooms: { use: conference } }
    when: [ { point: occupancy, equals: 0 }, { point: co2, below: 800 } ]
    then: [ { set: heating_setpoint, value: 16 }, { lights: off } ]
    else: [ { hvac: "on" } ]
)";
        auto p = parseOk(text);
        const auto& info = p->info();
        QCOMPARE(info.id, std::string("rules:t"));
        QCOMPARE(info.version, std::string("1.0.0"));
        QCOMPARE(info.hash, "sha256:" + sha256Hex(text).value());
        QCOMPARE(info.period, Seconds{300});
        QCOMPARE(info.emits, (std::vector<ActionKind>{ActionKind::SetSetpoint, ActionKind::SetMode,
                                                      ActionKind::Switch}));
        QCOMPARE(info.reads, (std::vector<std::string>{"co2", "occupancy"}));
        QCOMPARE(p->ruleNames(), std::vector<std::string>{"r"});
        auto q = parseOk("policy: t\nversion: 2\nperiod: 15min\nrules:" +
                         text.substr(kHeader.size() - 1));
        QCOMPARE(q->info().period, Seconds{900});
        QVERIFY(q->info().hash != info.hash);
    }

    void shippedRuleFilesLoad()
    {
        std::size_t n = 0;
        for (const auto& e : fs::directory_iterator(kSource / "assets/rules")) {
            const auto ext = e.path().extension();
            if (ext != ".yaml" && ext != ".yml" && ext != ".json")
                continue;
            auto p = RulePolicy::load(e.path());
            QVERIFY2(p.ok(), p.ok() ? "" : p.error().toString().c_str());
            QVERIFY((*p)->info().id.rfind("rules:", 0) == 0);
            QVERIFY(!(*p)->info().emits.empty());
            ++n;
        }
        QVERIFY(n >= 4);
        QVERIFY(fs::exists(kSource / "assets/rules/conference-setback.yaml"));
    }

    void conferenceSetbackOnTheDemoOffice()
    {
        auto onto = twin::BrickOntology::load({kSource / "assets/ontology/brick-1.3-classes.ttl",
                                               kSource / "assets/ontology/twindesk.ttl"});
        QVERIFY(onto.ok());
        auto imported = twin::importBrick(kSource / "assets/demo/office.ttl", *onto);
        QVERIFY2(imported.ok(), imported.ok() ? "" : imported.error().toString().c_str());
        auto g = std::make_shared<const twin::TwinGraph>(std::move(imported->graph));
        const auto rooms = roomPoints(*g);
        std::vector<std::string> conference;
        for (const auto& r : rooms)
            if (r.use == twin::ZoneUse::Conference) {
                conference.push_back(r.room);
                QVERIFY(!r.occupancy.empty() && !r.heatingSetpoint.empty() &&
                        !r.lightCommand.empty());
            }
        QVERIFY(conference.size() >= 5);
        // Everything empty for an hour, calendar empty: each conference room is set back.
        auto cal = std::make_shared<TestBookings>();
        for (const auto& r : rooms)
            cal->meetings[r.room] = {};
        Observation obs(g, -6.0);
        obs.setBookings(cal);
        auto p = RulePolicy::load(kSource / "assets/rules/conference-setback.yaml").value();
        std::vector<Action> last;
        for (Seconds m = 0; m <= 60; m += 5) {
            sim::TelemetryFrame f{kMonday10 + m * kMin, {}};
            for (const auto& r : rooms)
                for (const auto& [id, v] :
                     {std::pair{r.occupancy, 0.0}, std::pair{r.heatingSetpoint, 21.0},
                      std::pair{r.coolingSetpoint, 24.0}, std::pair{r.lightCommand, 100.0}})
                    if (!id.empty())
                        f.samples.push_back({id, v, true});
            obs.update(f);
            auto r = p->decide(obs);
            QVERIFY(r.ok());
            if (!r->empty())
                last = *r;
        }
        QCOMPARE(last.size(), conference.size() * 3);
        for (const auto& r : rooms) {
            const bool conf = r.use == twin::ZoneUse::Conference;
            QCOMPARE(find(last, r.heatingSetpoint) != nullptr, conf);
        }
    }

    void invalidFilesAreRefused_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("where");
        QTest::addColumn<QString>("reason");
        const QString h = QString::fromStdString(kHeader);
        const QString rule = "  - name: r\n    scope: { rooms: { use: conference } }\n";
        const QString then = "    then: [ { lights: 0 } ]\n";
        QTest::newRow("yaml syntax") << "policy: t\nversion: [1.0\nrules: []\n"
                                     << "bad.yaml:3:"
                                     << "YAML syntax error";
        QTest::newRow("unknown top key") << "policy: t\nversion: 1\nrulez: []\n"
                                         << "bad.yaml:3:1"
                                         << "unknown rule file key 'rulez'";
        QTest::newRow("unknown condition key")
            << h + rule + "    when: { point: air_temperature, abov: 26 }\n" + then
            << "bad.yaml:6:37"
            << "unknown condition key 'abov'; expected one of: above, below, equals, for, "
               "hysteresis, point, unit";
        QTest::newRow("unknown role")
            << h + rule + "    when: { point: occupncy, equals: 0 }\n" + then << "bad.yaml:6:20"
            << "unknown point role 'occupncy'";
        QTest::newRow("unknown use")
            << h +
                   "  - name: r\n    scope: { rooms: { use: kitchenette } }\n"
                   "    when: { point: occupancy, equals: 0 }\n" +
                   then
            << "bad.yaml:5:28"
            << "unknown zone use 'kitchenette'";
        QTest::newRow("bad duration")
            << h + rule + "    when: { point: occupancy, equals: 0, for: fifteen }\n" + then
            << "bad.yaml:6:47"
            << "bad duration 'fifteen'";
        QTest::newRow("duration without unit")
            << h + rule + "    when: { point: occupancy, equals: 0, for: 900 }\n" + then
            << "bad.yaml:6:47"
            << "has no unit";
        QTest::newRow("wrong type")
            << h + rule + "    when: { point: occupancy, equals: zero }\n" + then << "bad.yaml:6:39"
            << "equals must be a number; got 'zero'";
        QTest::newRow("non-finite")
            << h + rule + "    when: { point: co2, above: .inf }\n" + then << "bad.yaml:6:32"
            << "must be a finite number";
        QTest::newRow("empty rules") << "policy: t\nversion: 1\nrules: []\n"
                                     << "bad.yaml:3:8"
                                     << "at least one rule";
        QTest::newRow("unknown unit")
            << h + rule + "    when: { point: air_temperature, above: 26, unit: degX }\n" + then
            << "bad.yaml:6:54"
            << "degX";
        QTest::newRow("unit of another quantity")
            << h + rule + "    when: { point: co2, above: 26, unit: °C }\n" + then
            << "bad.yaml:6:42"
            << "co2 points measure concentration";
        QTest::newRow("set a sensor") << h + rule +
                                             "    when: { point: occupancy, equals: 0 }\n"
                                             "    then: [ { set: co2, value: 400 } ]\n"
                                      << "bad.yaml:7:20"
                                      << "cannot be set";
        QTest::newRow("lights in a points scope")
            << h +
                   "  - name: r\n    scope: { points: [\"urn:x:p\"] }\n"
                   "    when: { point: self, above: 1 }\n" +
                   then
            << "bad.yaml:7:13"
            << "points scope";
        QTest::newRow("role in a points scope")
            << h + "  - name: r\n    scope: { points: [\"urn:x:p\"] }\n"
                   "    when: { point: occupancy, equals: 1 }\n"
                   "    then: [ { set: self, value: 20 } ]\n"
            << "bad.yaml:6:20"
            << "needs a rooms scope";
        QTest::newRow("hysteresis on equals")
            << h + rule + "    when: { point: occupancy, equals: 0, hysteresis: 1 }\n" + then
            << "bad.yaml:6:42"
            << "hysteresis applies to above: or below:";
        QTest::newRow("missing then") << h + rule + "    when: { point: occupancy, equals: 0 }\n"
                                      << "bad.yaml:4:5"
                                      << "needs the key 'then'";
        QTest::newRow("bad time") << h + rule +
                                         "    when: { time: { between: [\"7am\", \"19:00\"] } }\n" +
                                         then
                                  << "bad.yaml:6:31"
                                  << "bad time of day '7am'";
        QTest::newRow("unknown day")
            << h + rule + "    when: { time: { days: [mon, funday] } }\n" + then << "bad.yaml:6:33"
            << "unknown day 'funday'";
        QTest::newRow("duplicate rule") << h + rule + "    when: { meeting_now: true }\n" + then +
                                               rule + "    when: { meeting_now: false }\n" + then
                                        << "bad.yaml:8:5"
                                        << "duplicate rule name 'r'";
        QTest::newRow("two kinds in one condition")
            << h + rule + "    when: { meeting_now: true, point: occupancy, equals: 1 }\n" + then
            << "bad.yaml:6:11"
            << "combine them";
        QTest::newRow("period not whole minutes")
            << "policy: t\nversion: 1\nperiod: 90s\nrules: []\n"
            << "bad.yaml:3:9"
            << "multiple of 60 s";
        QTest::newRow("lights out of range") << h + rule +
                                                    "    when: { meeting_now: true }\n"
                                                    "    then: [ { lights: 150 } ]\n"
                                             << "bad.yaml:7:23"
                                             << "0..100";
        QTest::newRow("empty file") << ""
                                    << "bad.yaml:1:1"
                                    << "empty";
        QTest::newRow("two documents")
            << h + rule + "    when: { meeting_now: true }\n" + then + "---\npolicy: u\n"
            << "bad.yaml:8:1"
            << "one document";
    }

    void invalidFilesAreRefused()
    {
        QFETCH(QString, text);
        QFETCH(QString, where);
        QFETCH(QString, reason);
        auto p = RulePolicy::parse(text.toStdString(), "bad.yaml");
        QVERIFY(!p.ok());
        const auto& e = p.error();
        QVERIFY2(QString::fromStdString(e.where).startsWith(where),
                 qPrintable(QString::fromStdString(e.toString())));
        QVERIFY2(QString::fromStdString(e.message).contains(reason),
                 qPrintable(QString::fromStdString(e.toString())));
    }

    void decideRefusesWhatTheModelLacks()
    {
        auto p = parseOk(kHeader + R"(
  - name: ghost
    scope: { rooms: { ids: ["urn:t:conf1", "urn:t:nowhere"] } }
    when: { point: occupancy, equals: 1 }
    then: [ { lights: 0 } ]
)");
        Rig rig;
        sim::TelemetryFrame f{kMonday10, {{kOcc, 1.0, true}}};
        rig.obs.update(f);
        auto r = p->decide(rig.obs);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().where, std::string("test.yaml:6:44"));
        QVERIFY(r.error().message.find("urn:t:nowhere") != std::string::npos);
        // A set: target that is not a setpoint.
        auto q = parseOk(kHeader + R"(
  - name: sensor
    scope: { rooms: { ids: ["urn:t:conf1"] } }
    when: { point: occupancy, equals: 1 }
    then: [ { set: "urn:t:conf1_zat", value: 20 } ]
)");
        auto s = q->decide(rig.obs);
        QVERIFY(!s.ok());
        QVERIFY(s.error().message.find("not a setpoint") != std::string::npos);
    }

    void missingFileNamesThePath()
    {
        const fs::path missing = kSource / "assets/rules/no-such-file.yaml";
        auto p = RulePolicy::load(missing);
        QVERIFY(!p.ok());
        QCOMPARE(p.error().code, twin::ErrorCode::NotFound);
        QVERIFY(p.error().toString().find(missing.string()) != std::string::npos);
        // A file's errors name the file.
        QTemporaryDir dir;
        const auto path = fs::path(dir.path().toStdString()) / "broken.yaml";
        std::ofstream(path) << "policy: t\nversion: 1\nrules:\n  - name: r\n    scopee: {}\n";
        auto b = RulePolicy::load(path);
        QVERIFY(!b.ok());
        QCOMPARE(b.error().where, path.string() + ":5:5");
    }

    void garbageNeverCrashes()
    {
        // JSON is YAML: a valid JSON rule file loads ...
        auto json = RulePolicy::parse(
            R"({"policy": "j", "version": "1.0.0", "rules": [{"name": "r",
                "scope": {"rooms": {"use": "conference"}},
                "when": {"point": "occupancy", "equals": 0, "for": "15min"},
                "then": [{"set": "heating_setpoint", "value": 16, "unit": "°C"}]}]})",
            "j.json");
        QVERIFY2(json.ok(), json.ok() ? "" : json.error().toString().c_str());
        QCOMPARE((*json)->info().id, std::string("rules:j"));
        // ... and valid JSON that is not a rule file is refused with a reason.
        auto other = RulePolicy::parse(R"({"name": "x", "values": [1, 2, 3]})", "o.json");
        QVERIFY(!other.ok());
        QVERIFY(other.error().where.rfind("o.json:1:", 0) == 0);
        QVERIFY(other.error().message.find("unknown rule file key 'name'") != std::string::npos);

        const std::vector<std::string> documents{
            std::string("\x00\x01\x02\xff\xfe binary \x7f\x80", 16),
            "[[[[[[[[[[[[[[[[[[[[[[[[",
            "{{{{{{}}}}",
            "- - - - -",
            "policy: &a [*a]",
            "rules: *undefined",
            "policy: t\nversion: 1\nrules:\n  - *x\n",
            "policy: t\nversion: 1\nrules: 7\n",
            "policy: t\nversion: 1\nrules:\n  - 7\n",
            "policy: t\nversion: 1\nrules:\n  - name: r\n    scope: 3\n",
            "policy: t\nversion: 1\nrules:\n  - name: r\n    scope: { rooms: { use: conference } "
            "}\n"
            "    when: { all: [] }\n    then: [ {lights: 0} ]\n",
            "policy: t\nversion: 1\nrules:\n  - name: r\n    scope: { rooms: { use: conference } "
            "}\n"
            "    when: { not: { not: { not: { any: [ { meeting_now: maybe } ] } } } }\n"
            "    then: [ {lights: 0} ]\n",
            "policy: t\n---\npolicy: u\n",
            ",", // yaml-cpp 0.7's LoadAll() loops forever on these
            ", x\n",
            "policy: t\n,\n",
            "\t\t\t:\n",
            "'unterminated",
            "policy: t\nversion: 1\nrules:\n  - name: r\n    scope: { rooms: { use: conference } "
            "}\n"
            "    when: { point: occupancy, equals: 0 }\n    then: [ {set: heating_setpoint} ]\n",
        };
        for (const auto& d : documents) {
            auto p = RulePolicy::parse(d, "g.yaml");
            QVERIFY2(!p.ok(), d.c_str());
            QVERIFY2(p.error().where.rfind("g.yaml:", 0) == 0, p.error().toString().c_str());
            QVERIFY(!p.error().message.empty());
        }
        // Deep nesting is refused, not a stack overflow.
        std::string deep = kHeader + "  - name: r\n    scope: { rooms: { use: conference } }\n"
                                     "    when: ";
        for (int i = 0; i < 200; ++i)
            deep += "{ not: ";
        deep += "{ meeting_now: true }";
        for (int i = 0; i < 200; ++i)
            deep += " }";
        deep += "\n    then: [ {lights: 0} ]\n";
        auto d = RulePolicy::parse(deep, "deep.yaml");
        QVERIFY(!d.ok());
        QVERIFY(d.error().message.find("nested") != std::string::npos);
        // Every prefix of a real file, and seeded random bytes: an answer, never a crash.
        std::ifstream in(kSource / "assets/rules/conference-setback.yaml", std::ios::binary);
        std::ostringstream bytes;
        bytes << in.rdbuf();
        const std::string full = bytes.str();
        for (std::size_t n = 0; n < full.size(); n += 7) {
            auto p = RulePolicy::parse(std::string_view(full).substr(0, n), "prefix.yaml");
            if (!p.ok())
                QVERIFY(p.error().where.rfind("prefix.yaml:", 0) == 0);
        }
        std::mt19937_64 rng(42);
        for (int i = 0; i < 300; ++i) {
            std::string s = full;
            for (int k = 0; k < 5; ++k)
                s[rng() % s.size()] = static_cast<char>(rng() % 256);
            auto p = RulePolicy::parse(s, "fuzz.yaml");
            if (p.ok()) {
                // Whatever it parsed decides: actions or an error, never a crash.
                Rig rig;
                rig.obs.update(sim::TelemetryFrame{kMonday10, {{kOcc, 0.0, true}}});
                (void)(*p)->decide(rig.obs);
            } else {
                QVERIFY(p.error().where.rfind("fuzz.yaml:", 0) == 0);
            }
        }
    }
};

TWINDESK_TEST(TestRulePolicy)
#include "tst_rule_policy.moc"
