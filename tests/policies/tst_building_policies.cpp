// The building policies on constructed situations: the fixed-schedule baseline's lighting,
// ventilation and scope options; the adaptive conference room's pre-conditioning, setback,
// lighting, learning and anti-flip-flop; the registry's parameter checks; and a ScenarioRun
// of the demo office under both, deterministic.
#include "test_registry.h"

#include <twindesk/policies/adaptive_conference_policy.h>
#include <twindesk/policies/fixed_schedule_policy.h>
#include <twindesk/policies/policy_registry.h>
#include <twindesk/policies/room_context.h>
#include <twindesk/policies/scenario_run.h>
#include <twindesk/sim/scenario.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>

using namespace twindesk;
using namespace twindesk::policies;
namespace fs = std::filesystem;

namespace {

const fs::path kSource = TWINDESK_SOURCE_DIR;
const std::string kBrick = "https://brickschema.org/schema/Brick#";
constexpr const char* kRoom = "urn:t#conf";
constexpr const char* kZat = "urn:t#conf_zat";
constexpr const char* kHsp = "urn:t#conf_hsp";
constexpr const char* kCsp = "urn:t#conf_csp";
constexpr const char* kOcc = "urn:t#conf_occ";
constexpr const char* kLight = "urn:t#light_level";

// Monday 6 January 2025 00:00 in Chicago (UTC−6), as UTC seconds.
constexpr Seconds kMonday = 1736143200;
constexpr Seconds at(int hour, int minute = 0)
{
    return kMonday + hour * 3600 + minute * 60;
}

std::shared_ptr<twin::TwinGraph> conferenceRoom()
{
    auto g = std::make_shared<twin::TwinGraph>();
    twin::Entity room;
    room.id = kRoom;
    room.name = "Conference";
    room.kind = twin::EntityKind::Room;
    room.use = twin::ZoneUse::Conference;
    room.classes = {kBrick + "Conference_Room"};
    (void)g->addEntity(room);
    auto point = [&](const char* id, const char* cls, twin::PointType type, const char* unit) {
        twin::Entity p;
        p.id = id;
        p.kind = twin::EntityKind::Point;
        p.classes = {kBrick + cls};
        p.point = twin::PointInfo{type, twin::Quantity::Unknown, unit, true, {}};
        (void)g->addEntity(p);
    };
    point(kZat, "Zone_Air_Temperature_Sensor", twin::PointType::Sensor, "°C");
    point(kHsp, "Zone_Air_Heating_Temperature_Setpoint", twin::PointType::Setpoint, "°C");
    point(kCsp, "Zone_Air_Cooling_Temperature_Setpoint", twin::PointType::Setpoint, "°C");
    point(kOcc, "Occupancy_Sensor", twin::PointType::Sensor, "");
    point(kLight, "Light_Command", twin::PointType::Command, "%");
    twin::Entity lum;
    lum.id = "urn:t#light";
    lum.kind = twin::EntityKind::Equipment;
    lum.equipmentType = twin::EquipmentType::Lighting;
    lum.classes = {kBrick + "Luminaire"};
    (void)g->addEntity(lum);
    for (const char* p : {kZat, kHsp, kCsp, kOcc})
        (void)g->addRelation(kRoom, twin::Relation::HasPoint, p);
    (void)g->addRelation("urn:t#light", twin::Relation::HasPoint, kLight);
    (void)g->addRelation("urn:t#light", twin::Relation::HasLocation, kRoom);
    return g;
}

/// A calendar with fixed meetings in the one room.
class FixedBookings : public Bookings
{
public:
    std::vector<std::pair<Seconds, Seconds>> meetings; // [start, end)
    bool booked(std::string_view room, Seconds t) const override
    {
        return room == kRoom && std::any_of(meetings.begin(), meetings.end(),
                                            [t](auto m) { return t >= m.first && t < m.second; });
    }
    std::optional<Seconds> nextMeetingStart(std::string_view room, Seconds t) const override
    {
        std::optional<Seconds> next;
        if (room == kRoom)
            for (auto [s, e] : meetings)
                if (s >= t && (!next || s < *next))
                    next = s;
        return next;
    }
    bool knows(std::string_view room) const override { return room == kRoom; }
};

struct RoomState
{
    double air = 16.0;
    double heat = 16.0;
    double cool = 28.0;
    double occupied = 0.0;
    double light = 0.0;
};

sim::TelemetryFrame frameAt(Seconds t, const RoomState& r)
{
    return sim::TelemetryFrame{t,
                               {{kZat, r.air, true},
                                {kHsp, r.heat, true},
                                {kCsp, r.cool, true},
                                {kOcc, r.occupied, true},
                                {kLight, r.light, true}}};
}

/// What the actions set, by target (SetMode by its text).
std::map<std::string, double> targets(const std::vector<Action>& actions)
{
    std::map<std::string, double> out;
    for (const auto& a : actions)
        out[a.kind == ActionKind::SetMode ? a.target + "|" + a.text : a.target] = a.value;
    return out;
}

/// Applies the actions to the simulated room state (an ideal actuator).
void applyTo(RoomState& r, const std::vector<Action>& actions)
{
    for (const auto& a : actions) {
        if (a.target == kHsp)
            r.heat = a.value;
        else if (a.target == kCsp)
            r.cool = a.value;
        else if (a.target == kLight)
            r.light = a.value;
    }
}

sim::ScenarioOptions scenarioOptions(std::vector<std::pair<std::string, std::string>> overrides)
{
    sim::ScenarioOptions o;
    o.ontology = {kSource / "assets/ontology/brick-1.3-classes.ttl",
                  kSource / "assets/ontology/twindesk.ttl"};
    o.overrides = std::move(overrides);
    return o;
}

} // namespace

class TestBuildingPolicies : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void roomPointsFindTheLuminaire()
    {
        auto g = conferenceRoom();
        const auto rooms = roomPoints(*g);
        QCOMPARE(rooms.size(), std::size_t{1});
        QCOMPARE(rooms[0].airTemperature, std::string(kZat));
        QCOMPARE(rooms[0].heatingSetpoint, std::string(kHsp));
        QCOMPARE(rooms[0].coolingSetpoint, std::string(kCsp));
        QCOMPARE(rooms[0].occupancy, std::string(kOcc));
        QCOMPARE(rooms[0].lightCommand, std::string(kLight)); // through hasLocation
        QVERIFY(rooms[0].co2.empty());
    }

    void fixedScheduleLightsAndVentilationOnTheClock()
    {
        FixedScheduleParams p;
        p.lights = true;
        p.designVentilation = true;
        p.uses = {twin::ZoneUse::Conference};
        auto policy = FixedSchedulePolicy::make(p);
        QVERIFY(policy.ok());
        const auto& info = (*policy)->info();
        QVERIFY(std::find(info.emits.begin(), info.emits.end(), ActionKind::Dim) !=
                info.emits.end());
        Observation obs(conferenceRoom(), -6.0);
        RoomState r;
        obs.update(frameAt(at(6, 55), r));
        auto night = (*policy)->decide(obs);
        QVERIFY(night.ok());
        auto t = targets(*night);
        QVERIFY(t.count(kHsp) == 0); // already at setback
        QCOMPARE(t.count(std::string(kRoom) + "|ventilation-demand"), std::size_t{1});
        obs.update(frameAt(at(7, 0), r));
        auto morning = (*policy)->decide(obs);
        t = targets(*morning);
        QCOMPARE(t[kHsp], 21.0);
        QCOMPARE(t[kCsp], 24.0);
        QCOMPARE(t[kLight], 100.0);
        QCOMPARE(t.count(std::string(kRoom) + "|ventilation-design"), std::size_t{1});
        applyTo(r, *morning);
        // Nothing new while nothing changes: no repeated actions.
        obs.update(frameAt(at(9, 0), r));
        QVERIFY((*policy)->decide(obs)->empty());
        // A room of another use is not this policy's.
        FixedScheduleParams officeOnly = p;
        officeOnly.uses = {twin::ZoneUse::Office};
        auto other = FixedSchedulePolicy::make(officeOnly);
        Observation o2(conferenceRoom(), -6.0);
        o2.update(frameAt(at(7, 0), RoomState{}));
        QVERIFY((*other)->decide(o2)->empty());
        // The 1.0 hash of the plain baseline is unchanged by the new options.
        auto plain = FixedSchedulePolicy::make({});
        QVERIFY((*plain)->info().hash != info.hash);
    }

    void adaptivePreconditionsForABookedMeeting()
    {
        auto policy = AdaptiveConferencePolicy::make({});
        QVERIFY(policy.ok());
        auto bookings = std::make_shared<FixedBookings>();
        bookings->meetings = {{at(10), at(11)}};
        Observation obs(conferenceRoom(), -6.0);
        obs.setBookings(bookings);
        RoomState r; // 16 °C, standby
        // 5 K to recover at 4 K/h: 75 min of lead. At 08:40 too early, at 08:45 start.
        obs.update(frameAt(at(8, 40), r));
        auto early = (*policy)->decide(obs);
        QVERIFY(early.ok());
        QVERIFY(targets(*early).count(kHsp) == 0);
        QCOMPARE(targets(*early).count(std::string(kRoom) + "|ventilation-demand"), std::size_t{1});
        obs.update(frameAt(at(8, 45), r));
        auto start = (*policy)->decide(obs);
        QCOMPARE(targets(*start)[kHsp], 21.0);
        QCOMPARE(targets(*start)[kCsp], 24.0);
        QVERIFY(targets(*start).count(kLight) == 0); // nobody there yet: lights stay off
        applyTo(r, *start);
        // The meeting: people → lights on.
        r.air = 21.0;
        r.occupied = 1.0;
        obs.update(frameAt(at(10, 5), r));
        auto meeting = (*policy)->decide(obs);
        QCOMPARE(targets(*meeting)[kLight], 100.0);
        applyTo(r, *meeting);
        // It ends at 11:00; people leave. Grace period of 10 min, then standby and dark.
        obs.update(frameAt(at(10, 55), r));
        QVERIFY((*policy)->decide(obs)->empty());
        r.occupied = 0.0;
        obs.update(frameAt(at(11, 0), r));
        QVERIFY((*policy)->decide(obs)->empty());
        obs.update(frameAt(at(11, 5), r));
        auto after = (*policy)->decide(obs);
        QCOMPARE(targets(*after)[kHsp], 16.0);
        QCOMPARE(targets(*after)[kCsp], 28.0);
        QCOMPARE(targets(*after)[kLight], 0.0);
    }

    // Occupancy changes are events: the loop asks the policy at once, between its 5-minute
    // rounds, so the lights come on when people arrive.
    void occupancyIsAnEventTrigger()
    {
        class MinuteRoom : public sim::TelemetrySource, public sim::ActuatorSink
        {
        public:
            twin::Result<bool> next(sim::TelemetryFrame& frame) override
            {
                if (m_t > at(9, 5))
                    return false;
                state.occupied = m_t >= at(9, 2) ? 1.0 : 0.0;
                frame = frameAt(m_t, state);
                m_now = m_t;
                m_t += 60;
                return true;
            }
            [[nodiscard]] Seconds now() const override { return m_now; }
            twin::Status submit(const Action& action) override
            {
                applied.emplace_back(m_now, action);
                applyTo(state, {action});
                return {};
            }
            RoomState state;
            std::vector<std::pair<Seconds, Action>> applied;

        private:
            Seconds m_t = at(9);
            Seconds m_now = at(9);
        };
        auto policy = AdaptiveConferencePolicy::make({});
        QCOMPARE((*policy)->info().triggers, std::vector<std::string>{"Occupancy_Sensor"});
        MinuteRoom room;
        ControlLoop loop(room, room, **policy, Observation(conferenceRoom(), -6.0), nullptr);
        QVERIFY(loop.run().ok());
        // Rounds at 09:00 and 09:05; the event at 09:02.
        QCOMPARE(loop.stats().decisions, std::int64_t{3});
        QCOMPARE(loop.stats().events, std::int64_t{1});
        bool lightsAtArrival = false;
        for (const auto& [t, a] : room.applied)
            lightsAtArrival =
                lightsAtArrival || (t == at(9, 2) && a.target == kLight && a.value == 100.0);
        QVERIFY(lightsAtArrival);
    }

    void adaptiveReactsToWalkInsAndAvoidsFlipFlops()
    {
        auto policy = AdaptiveConferencePolicy::make({});
        auto bookings = std::make_shared<FixedBookings>();
        bookings->meetings = {{at(14), at(15)}};
        Observation obs(conferenceRoom(), -6.0);
        obs.setBookings(bookings);
        RoomState r;
        r.occupied = 1.0; // unbooked walk-in at 12:40
        obs.update(frameAt(at(12, 40), r));
        auto walkIn = (*policy)->decide(obs);
        QCOMPARE(targets(*walkIn)[kHsp], 21.0);
        applyTo(r, *walkIn);
        r.air = 21.0;
        // They leave; at 12:50 the grace period is over, and the next meeting is at 14:00.
        // Comfort → standby only if the standby would last an hour before pre-conditioning
        // (15 min lead at 21 °C): 70 min remain → stay in comfort.
        r.occupied = 0.0;
        obs.update(frameAt(at(12, 50), r));
        auto gap = (*policy)->decide(obs);
        QVERIFY2(targets(*gap).count(kHsp) == 0, "set back for a 70-minute gap");
        // With the meeting at 16:00 instead, the gap is long enough: standby.
        bookings->meetings = {{at(16), at(17)}};
        obs.update(frameAt(at(12, 55), r));
        auto longGap = (*policy)->decide(obs);
        QCOMPARE(targets(*longGap)[kHsp], 16.0);
    }

    void adaptiveLearnsTheWarmUpRate()
    {
        auto policy = AdaptiveConferencePolicy::make({});
        Observation obs(conferenceRoom(), -6.0);
        RoomState r;
        r.heat = 21.0; // recovering towards comfort at 8 K/h
        r.occupied = 1.0;
        for (int i = 0; i <= 6; ++i) {
            r.air = 16.0 + 8.0 * (i * 5.0 / 60.0);
            obs.update(frameAt(at(9, i * 5), r));
            QVERIFY((*policy)->decide(obs).ok());
        }
        const double learned = (*policy)->warmupRate(kRoom);
        QVERIFY2(learned > 6.0 && learned <= 8.0, qPrintable(QString::number(learned)));
        AdaptiveConferenceParams fixed;
        fixed.learnRates = false;
        auto still = AdaptiveConferencePolicy::make(fixed);
        Observation o2(conferenceRoom(), -6.0);
        for (int i = 0; i <= 6; ++i) {
            r.air = 16.0 + 8.0 * (i * 5.0 / 60.0);
            o2.update(frameAt(at(9, i * 5), r));
            (void)(*still)->decide(o2);
        }
        QCOMPARE((*still)->warmupRate(kRoom), 4.0);
    }

    void registryChecksParameters()
    {
        auto ok = createPolicy(
            R"({"name":"adaptive-conference","params":{"vacancy_delay_s":900,"comfort_heating_c":21.5}})",
            "s.json: /policy");
        QVERIFY(ok.ok());
        QCOMPARE((*ok)->info().id, std::string("adaptive-conference"));
        auto typo = createPolicy(R"({"name":"adaptive-conference","params":{"vacancy_dely_s":1}})",
                                 "s.json: /policy");
        QVERIFY(!typo.ok());
        QCOMPARE(typo.error().where, std::string("s.json: /policy/params/vacancy_dely_s"));
        QVERIFY(typo.error().message.find("vacancy_delay_s") != std::string::npos);
        auto badUse =
            createPolicy(R"({"name":"fixed-schedule","params":{"zone_use":["ballroom"]}})", "x");
        QVERIFY(!badUse.ok());
        QCOMPARE(badUse.error().where, std::string("x/params/zone_use"));
        auto badVent =
            createPolicy(R"({"name":"fixed-schedule","params":{"ventilation":"max"}})", "x");
        QVERIFY(!badVent.ok());
        auto inverted = createPolicy(
            R"({"name":"adaptive-conference","params":{"standby_heating_c":22}})", "x");
        QVERIFY(!inverted.ok());
        QVERIFY(inverted.error().message.find("standby") != std::string::npos);
        auto negative =
            createPolicy(R"({"name":"adaptive-conference","params":{"min_lead_s":-5}})", "x");
        QVERIFY(!negative.ok());
    }

    void registryDescribesParameters()
    {
        // Every policy's parameters with defaults that the registry itself accepts.
        for (const auto& d : availablePolicies()) {
            QVERIFY2(!d.params.empty(), d.name.c_str());
            nlohmann::json params = nlohmann::json::object();
            for (const auto& p : d.params) {
                QVERIFY2(!p.type.empty(), p.name.c_str());
                if (!p.defaultJson.empty())
                    params[p.name] = nlohmann::json::parse(p.defaultJson);
            }
            if (d.name == "rules")
                continue; // its one parameter, the file, has no default
            const nlohmann::json policy{{"name", d.name}, {"params", params}};
            auto made = createPolicy(policy.dump(), "x");
            QVERIFY2(made.ok(), made.ok() ? "" : made.error().toString().c_str());
        }
    }

    void registryLoadsRuleFilesAndLoopSettings()
    {
        const auto scenarios = kSource / "assets/scenarios";
        auto rules =
            createPolicy(R"({"name":"rules","params":{"file":"../rules/conference-setback.yaml"}})",
                         "c.json: /policy", scenarios);
        QVERIFY2(rules.ok(), rules.ok() ? "" : rules.error().toString().c_str());
        QCOMPARE((*rules)->info().id, std::string("rules:conference-setback"));
        auto missing = createPolicy(R"({"name":"rules","params":{"file":"nope.yaml"}})",
                                    "c.json: /policy", scenarios);
        QVERIFY(!missing.ok());
        QVERIFY2(missing.error().toString().find("nope.yaml") != std::string::npos,
                 missing.error().toString().c_str());
        auto noFile = createPolicy(R"({"name":"rules","params":{}})", "c.json: /policy");
        QVERIFY(!noFile.ok());
        QCOMPARE(noFile.error().where, std::string("c.json: /policy/params/file"));

        auto settings = loopSettings(
            R"({"name":"fixed-schedule","timeout_ms":250,
                "guard":{"min_dwell_s":120,"oscillation_reversals":4},
                "approvals":{"auto_approve":false,"expiry_s":900,"always":["MigrateVm"]}})",
            "c.json: /policy");
        QVERIFY(settings.ok());
        QCOMPARE(settings->timeoutMs, std::int64_t{250});
        QCOMPARE(settings->guard.minDwell, Seconds{120});
        QCOMPARE(settings->guard.oscillationReversals, 4);
        QVERIFY(!settings->approvals.autoApprove);
        QCOMPARE(settings->approvals.expiry, Seconds{900});
        QCOMPARE(settings->approvals.alwaysKinds.size(), std::size_t{1});
        // Simulation approves automatically unless told otherwise.
        QVERIFY(loopSettings(R"({"name":"fixed-schedule"})", "x")->approvals.autoApprove);
        auto badGuard = loopSettings(R"({"name":"x","guard":{"min_dwel_s":1}})", "c.json: /policy");
        QVERIFY(!badGuard.ok());
        QCOMPARE(badGuard.error().where, std::string("c.json: /policy/guard/min_dwel_s"));
        auto badKind =
            loopSettings(R"({"name":"x","approvals":{"always":["Reboot"]}})", "c.json: /policy");
        QVERIFY(!badKind.ok());
        QVERIFY(badKind.error().message.find("Reboot") != std::string::npos);
        QVERIFY(!loopSettings(R"({"name":"x","timeout_ms":-1})", "x").ok());
    }

    // Two days of the demo office: the adaptive rooms use less energy in scope than the
    // time-clock baseline, meetings still start in the band, runs are bit-identical.
    void scenarioRunsCompareAndRepeat()
    {
        const std::vector<std::pair<std::string, std::string>> twoDays{
            {"period.end", "\"2025-01-08T00:00\""}};
        auto runOf = [&](const char* file) {
            auto s =
                sim::loadScenario(kSource / "assets/scenarios" / file, scenarioOptions(twoDays));
            if (!s)
                qFatal("%s", s.error().toString().c_str());
            auto run = ScenarioRun::make(*s, {});
            if (!run)
                qFatal("%s", run.error().toString().c_str());
            if (auto st = (*run)->run(); !st)
                qFatal("%s", st.error().toString().c_str());
            return std::move(run).value();
        };
        auto baseline = runOf("conference-baseline.json");
        auto adaptive = runOf("conference-adaptive.json");
        auto again = runOf("conference-adaptive.json");
        auto rules = runOf("conference-rules.json");
        QCOMPARE(adaptive->engine().stateHash(), again->engine().stateHash());
        QCOMPARE(adaptive->loop()->stats().applied, again->loop()->stats().applied);
        const KpiScope conference{{"conference"}};
        const auto a = baseline->kpis(conference);
        const auto b = adaptive->kpis(conference);
        QCOMPARE(a.zonesInScope, 8);
        QVERIFY(a.loop && b.loop);
        QVERIFY(b.energy.totalKwh < a.energy.totalKwh);
        QVERIFY(b.energy.lightingKwh < a.energy.lightingKwh);
        QVERIFY(b.comfort.meetingsStarted > 0);
        QCOMPARE(b.comfort.meetingsStarted, a.comfort.meetingsStarted);
        QVERIFY(b.comfort.meetingsStartedOutside <= b.comfort.meetingsStarted / 10);
        QCOMPARE(b.loop->fallbacks, std::int64_t{0});
        const auto c = rules->kpis(conference);
        QVERIFY(c.energy.totalKwh < a.energy.totalKwh);
        QCOMPARE(c.loop->policyErrors, std::int64_t{0});
        QVERIFY(c.loop->actionsApplied > 0);
        QVERIFY(b.loop->actionsApplied > 0);
    }
};

TWINDESK_TEST(TestBuildingPolicies)
#include "tst_building_policies.moc"
