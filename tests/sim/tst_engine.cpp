// The engine: determinism, the step order's effects, actions, BESTEST against published ranges.
#include "test_registry.h"

#include <twindesk/sim/compute.h>
#include <twindesk/sim/engine.h>
#include <twindesk/sim/scenario.h>

#include <cmath>

using namespace twindesk::sim;
namespace fs = std::filesystem;

namespace {

const fs::path kSource = TWINDESK_SOURCE_DIR;
const fs::path kAnchors = TWINDESK_ANCHORS_DIR;

ScenarioOptions options(std::vector<std::pair<std::string, std::string>> overrides = {})
{
    ScenarioOptions o;
    o.ontology = {kSource / "assets/ontology/brick-1.3-classes.ttl",
                  kSource / "assets/ontology/twindesk.ttl"};
    o.anchorsDir = kAnchors;
    o.overrides = std::move(overrides);
    return o;
}

std::unique_ptr<Engine> engineFor(const std::string& scenario,
                                  std::vector<std::pair<std::string, std::string>> overrides = {})
{
    auto s = loadScenario(kSource / "assets/scenarios" / scenario, options(std::move(overrides)));
    if (!s)
        qFatal("%s", s.error().toString().c_str());
    auto e = Engine::create(s->config);
    if (!e)
        qFatal("%s", e.error().toString().c_str());
    return std::move(e).value();
}

} // namespace

class TestEngine : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sameSeedSameTrajectory()
    {
        // A week of the demo office: meetings, stochastic occupants, hosts, 40 zones.
        const std::vector<std::pair<std::string, std::string>> week{
            {"period.end", "\"2025-01-13T00:00\""}};
        auto a = engineFor("demo-office.json", week);
        auto b = engineFor("demo-office.json", week);
        std::vector<std::uint64_t> hashesA;
        while (!a->finished()) {
            QVERIFY(a->step().ok());
            if (a->state().step % 360 == 0)
                hashesA.push_back(a->stateHash());
        }
        std::size_t i = 0;
        while (!b->finished()) {
            QVERIFY(b->step().ok());
            if (b->state().step % 360 == 0)
                QCOMPARE(b->stateHash(), hashesA[i++]);
        }
        QCOMPARE(a->stateHash(), b->stateHash());
        QCOMPARE(a->state().totals.energyJ, b->state().totals.energyJ);
        // A different seed changes the occupants, hence the trajectory.
        auto c =
            engineFor("demo-office.json", {{"period.end", "\"2025-01-13T00:00\""}, {"seed", "7"}});
        QVERIFY(c->run().ok());
        QVERIFY(c->stateHash() != a->stateHash());
    }

    void demoWeekIsPlausible()
    {
        auto e = engineFor("demo-office.json", {{"period.end", "\"2025-01-13T00:00\""}});
        double maxPeople = 0.0;
        double itW = 0.0;
        QVERIFY(e->run([&](const Engine& en) {
                     for (double p : en.state().people)
                         maxPeople = std::max(maxPeople, p);
                     itW = std::max(itW, en.state().compute->totalPowerW());
                 }).ok());
        const auto& t = e->state().totals;
        QVERIFY(t.heatingJ > 0.0);          // Chicago in January
        QVERIFY(t.energyJ[1] > t.heatingJ); // gas = heat / boiler efficiency
        QVERIFY(t.coolingJ > 0.0);          // the server room needs cooling even in winter
        QVERIFY(maxPeople >= 4.0);          // meetings and offices fill up
        QVERIFY(itW > 40 * 86.0);           // 40 hosts on, at least their idle power
        QCOMPARE(t.numericalIssues, std::int64_t{0});
        // Occupied rooms are held within the comfort band most of the time.
        QVERIFY(t.discomfortKh < 200.0);
    }

    void actionsReachTheZone()
    {
        auto e = engineFor("demo-office.json", {{"period.end", "\"2025-01-07T00:00\""}});
        const auto& bindings = e->config().bindings;
        std::string heatSp;
        std::uint32_t zone = 0;
        for (const auto& b : bindings)
            if (b.variable == Variable::ZoneHeatingSetpoint) {
                heatSp = b.point;
                zone = b.index;
                break;
            }
        QVERIFY(!heatSp.empty());
        auto bad = e->submit(Action{ActionKind::SetSetpoint, "urn:nothing", 20, {}, {}});
        QVERIFY(!bad.ok());
        auto nan = e->submit(Action{ActionKind::SetSetpoint, heatSp, std::nan(""), {}, {}});
        QVERIFY(!nan.ok());
        // Policies replace the built-in schedule.
        auto config = std::make_shared<SimConfig>(e->config());
        config->scheduleEnabled = false;
        auto engine = Engine::create(config);
        QVERIFY(engine.ok());
        QVERIFY((*engine)->submit(Action{ActionKind::SetSetpoint, heatSp, 25.0, {}, {}}).ok());
        for (int i = 0; i < 240; ++i)
            QVERIFY((*engine)->step().ok());
        QCOMPARE((*engine)->state().heatSet[zone], 25.0);
        QVERIFY(std::abs((*engine)->state().thetaAir[zone] - 25.0) < 0.01);
        TelemetryFrame frame;
        (*engine)->sample(frame);
        bool seen = false;
        for (const auto& s : frame.samples)
            if (s.point == heatSp) {
                QCOMPARE(s.value, 25.0);
                seen = true;
            }
        QVERIFY(seen);
    }

    // A policy takes over only what it commands: the schedule keeps running the other zones.
    void commandedZonesLeaveTheScheduleToTheRest()
    {
        // Monday 6 January 2025, 00:00 to 12:00 Chicago (06:00 to 18:00 UTC).
        auto e = engineFor("demo-office.json", {{"period.end", "\"2025-01-06T12:00\""}});
        std::string heatSp;
        std::uint32_t zone = 0;
        for (const auto& b : e->config().bindings)
            if (b.variable == Variable::ZoneHeatingSetpoint) {
                heatSp = b.point;
                zone = b.index;
                break;
            }
        QVERIFY(e->config().scheduleEnabled);
        QVERIFY(e->submit(Action{ActionKind::SetSetpoint, heatSp, 17.5, {}, {}}).ok());
        QVERIFY(e->run().ok());
        const auto& st = e->state();
        QCOMPARE(st.heatSet[zone], 17.5);
        QCOMPARE(st.commanded[zone] & kCommandedSetpoints, kCommandedSetpoints);
        // At 11:59 local every other office zone is in its occupied schedule.
        int scheduled = 0;
        for (std::size_t z = 0; z < st.heatSet.size(); ++z)
            if (z != zone && e->config().zones[z].use == "office") {
                QCOMPARE(st.heatSet[z], e->config().zones[z].schedule.occupiedHeating);
                ++scheduled;
            }
        QVERIFY(scheduled > 5);
    }

    // Per-zone totals add up to the site totals, and design ventilation costs heat.
    void zoneTotalsAndDesignVentilation()
    {
        const std::vector<std::pair<std::string, std::string>> day{
            {"period.end", "\"2025-01-07T00:00\""}};
        auto demand = engineFor("demo-office.json", day);
        auto design = engineFor("demo-office.json", day);
        std::uint32_t conf = 0;
        bool found = false;
        for (std::uint32_t z = 0; z < design->config().zones.size() && !found; ++z)
            if (design->config().zones[z].use == "conference" &&
                design->config().zones[z].capacity >= 8) {
                conf = z;
                found = true;
            }
        QVERIFY(found);
        const auto& id = design->config().zones[conf].id;
        QVERIFY(design->submit(Action{ActionKind::SetMode, id, 0, "ventilation-design", {}}).ok());
        QVERIFY(!design->submit(Action{ActionKind::SetMode, id, 0, "ventilation-max", {}}).ok());
        QVERIFY(demand->run().ok());
        QVERIFY(design->run().ok());
        const auto& a = demand->state().totals;
        const auto& b = design->state().totals;
        QCOMPARE(a.zones.size(), demand->config().zones.size());
        double lighting = 0;
        double co2 = 0;
        double heat = 0;
        for (const auto& z : a.zones) {
            lighting += z.lightingJ;
            co2 += z.co2PpmH;
            heat += z.heatingJ;
        }
        QVERIFY(std::abs(lighting - a.lightingJ) <= 1e-6 * a.lightingJ);
        QVERIFY(std::abs(co2 - a.co2PpmH) <= 1e-6 * std::max(1.0, a.co2PpmH));
        QVERIFY(std::abs(heat - a.heatingJ) <= 1e-6 * a.heatingJ);
        // Outdoor air for the full room all day long, in January: more heat in that room only.
        QVERIFY2(b.zones[conf].heatingJ > 1.5 * a.zones[conf].heatingJ,
                 qPrintable(
                     QString("%1 vs %2").arg(b.zones[conf].heatingJ).arg(a.zones[conf].heatingJ)));
        QVERIFY(b.zones[conf].co2PpmH <= a.zones[conf].co2PpmH);
        for (std::size_t z = 0; z < a.zones.size(); ++z)
            if (z != conf)
                QCOMPARE(b.zones[z].heatingJ, a.zones[z].heatingJ);
    }

    // A conference room left cold: its booked meetings start outside the band, and the
    // minutes until the band is reached are counted.
    void meetingStartsOutsideTheBandAreCounted()
    {
        const std::vector<std::pair<std::string, std::string>> days{
            {"period.end", "\"2025-01-09T00:00\""}};
        auto warm = engineFor("demo-office.json", days);
        auto cold = engineFor("demo-office.json", days);
        QVERIFY(warm->run().ok());
        std::int64_t started = 0;
        for (const auto& z : warm->state().totals.zones) {
            started += z.meetingsStarted;
            QCOMPARE(z.meetingsStartedOutside, std::int64_t{0});
        }
        QVERIFY(started > 0);
        // Every conference setpoint at 12 °C heating: the rooms float cold.
        for (const auto& b : cold->config().bindings)
            if (b.variable == Variable::ZoneHeatingSetpoint &&
                cold->config().zones[b.index].use == "conference")
                QVERIFY(cold->submit(Action{ActionKind::SetSetpoint, b.point, 12.0, {}, {}}).ok());
        QVERIFY(cold->run().ok());
        std::int64_t outside = 0;
        double minutes = 0;
        std::int64_t coldStarted = 0;
        for (const auto& z : cold->state().totals.zones) {
            coldStarted += z.meetingsStarted;
            outside += z.meetingsStartedOutside;
            minutes += z.meetingMinutesOutside;
            QVERIFY(z.meetingsStartedOutside <= z.meetingsStarted);
        }
        QCOMPARE(coldStarted, started);
        QVERIFY(outside > 0);
        QVERIFY(minutes > 0.0);
    }

    void simulatedSourceYieldsFrames()
    {
        auto e = engineFor("demo-office.json", {{"period.end", "\"2025-01-07T00:00\""}});
        SimulatedSource source(*e, 900);
        TelemetryFrame frame;
        int frames = 0;
        Seconds last = 0;
        while (true) {
            auto more = source.next(frame);
            QVERIFY(more.ok());
            if (!*more)
                break;
            QVERIFY(frame.time > last);
            QCOMPARE((frame.time - e->config().grid.start()) % 900, Seconds{0});
            last = frame.time;
            ++frames;
        }
        QCOMPARE(frames, 96); // one day at 15 min
    }

    void bestestWithinPublishedRanges_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<double>("heatMin");
        QTest::addColumn<double>("heatMax");
        QTest::addColumn<double>("coolMin");
        QTest::addColumn<double>("coolMax");
        // ASHRAE 140 example-result ranges (MWh) as used by Modelica Buildings' ISO 13790
        // validation; see docs/validation.md. The assertion allows 10 % beyond either bound:
        // where the 5R1C model stands is documented there, this guards against regressions.
        QTest::newRow("600") << "bestest-600.json" << 4.296 << 5.709 << 6.137 << 7.278;
        QTest::newRow("900") << "bestest-900.json" << 1.170 << 2.041 << 2.135 << 3.165;
    }

    void bestestWithinPublishedRanges()
    {
        QFETCH(QString, scenario);
        QFETCH(double, heatMin);
        QFETCH(double, heatMax);
        QFETCH(double, coolMin);
        QFETCH(double, coolMax);
        if (!fs::exists(kAnchors / "weather/USA_CO_Denver.Intl.AP.725650_TMY3.epw"))
            QSKIP("../shared/anchors/weather is absent: BESTEST needs the Denver TMY3 file");
        auto e = engineFor(scenario.toStdString(), {{"step_s", "300"}});
        QVERIFY(e->run().ok());
        const double heat = e->state().totals.heatingJ / 3.6e9;
        const double cool = e->state().totals.coolingJ / 3.6e9;
        QVERIFY2(heat > 0.9 * heatMin && heat < 1.1 * heatMax, qPrintable(QString::number(heat)));
        QVERIFY2(cool > 0.9 * coolMin && cool < 1.1 * coolMax, qPrintable(QString::number(cool)));
    }
};

TWINDESK_TEST(TestEngine)
#include "tst_engine.moc"
