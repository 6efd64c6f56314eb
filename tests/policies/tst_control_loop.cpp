// The control loop on the simulator: the fixed-schedule baseline drives the demo office's
// setpoints through observe → decide → check → act → log; faults fall back, never crash.
#include "test_registry.h"

#include <twindesk/policies/control_loop.h>
#include <twindesk/policies/fixed_schedule_policy.h>
#include <twindesk/sim/compute.h>
#include <twindesk/sim/engine.h>
#include <twindesk/sim/scenario.h>
#include <twindesk/sim/weather.h>
#include <twindesk/twin/project_store.h>

#include <QTemporaryDir>

#include <cmath>
#include <limits>
#include <stdexcept>

using namespace twindesk;
using namespace twindesk::policies;
namespace fs = std::filesystem;

namespace {

const fs::path kSource = TWINDESK_SOURCE_DIR;

struct Rig
{
    sim::Scenario scenario;
    std::unique_ptr<sim::Engine> engine;
};

// Monday 6 January 2025 00:00 to Wednesday 00:00 (Chicago), policy in charge of setpoints.
Rig makeRig()
{
    sim::ScenarioOptions o;
    o.ontology = {kSource / "assets/ontology/brick-1.3-classes.ttl",
                  kSource / "assets/ontology/twindesk.ttl"};
    o.overrides = {{"period.end", "\"2025-01-08T00:00\""}};
    auto s = sim::loadScenario(kSource / "assets/scenarios/demo-office.json", o);
    if (!s)
        qFatal("%s", s.error().toString().c_str());
    auto config = std::make_shared<sim::SimConfig>(*s->config);
    config->scheduleEnabled = false;
    auto e = sim::Engine::create(config);
    if (!e)
        qFatal("%s", e.error().toString().c_str());
    return Rig{std::move(s).value(), std::move(e).value()};
}

Observation observationFor(const Rig& rig)
{
    return Observation(rig.scenario.building,
                       rig.engine->config().weather->location().timeZoneHours);
}

class ThrowingPolicy : public Policy
{
public:
    ThrowingPolicy()
    {
        m_info = PolicyInfo{"thrower", "0", "sha256:0", 3600, {ActionKind::SetSetpoint}, {}};
    }
    const PolicyInfo& info() const override { return m_info; }
    twin::Result<std::vector<Action>> decide(const Observation&) override
    {
        throw std::runtime_error("division by zero in the model");
    }

private:
    PolicyInfo m_info;
};

class BadOutputPolicy : public Policy
{
public:
    explicit BadOutputPolicy(std::string point) : m_point(std::move(point))
    {
        m_info = PolicyInfo{"bad-output", "0", "sha256:0", 3600, {ActionKind::SetSetpoint}, {}};
    }
    const PolicyInfo& info() const override { return m_info; }
    twin::Result<std::vector<Action>> decide(const Observation&) override
    {
        return std::vector<Action>{
            Action{
                ActionKind::SetSetpoint, m_point, std::numeric_limits<double>::quiet_NaN(), {}, {}},
            Action{ActionKind::PowerHost, "urn:twindesk:demo:office#host_a01", 0, {}, {}},
            Action{ActionKind::SetSetpoint, "urn:nowhere", 20.0, {}, {}}};
    }

private:
    std::string m_point;
    PolicyInfo m_info;
};

} // namespace

class TestControlLoop : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void scheduleRule()
    {
        auto p = FixedSchedulePolicy::make({});
        QVERIFY(p.ok());
        const double chicago = -6.0;
        QVERIFY((*p)->occupied(sim::utcSeconds(2025, 1, 6, 16), chicago));  // Mon 10:00
        QVERIFY(!(*p)->occupied(sim::utcSeconds(2025, 1, 6, 10), chicago)); // Mon 04:00
        QVERIFY(!(*p)->occupied(sim::utcSeconds(2025, 1, 5, 16), chicago)); // Sun 10:00
        QVERIFY((*p)->info().hash.rfind("sha256:", 0) == 0);
        FixedScheduleParams other;
        other.occupiedHeating = 20.5;
        QVERIFY(FixedSchedulePolicy::make(other).value()->info().hash != (*p)->info().hash);
        FixedScheduleParams bad;
        bad.endHour = 5;
        QVERIFY(!FixedSchedulePolicy::make(bad).ok());
    }

    void baselineDrivesTheSimulator()
    {
        auto rig = makeRig();
        const auto path = fs::path(m_dir.path().toStdString()) / "loop.twin";
        auto store = twin::ProjectStore::create(path);
        QVERIFY(store.ok());
        auto log = DecisionLog::open(*store);
        QVERIFY(log.ok());
        auto policy = FixedSchedulePolicy::make({}).value();
        sim::SimulatedSource source(*rig.engine, 300);
        ControlLoop loop(source, *rig.engine, *policy, observationFor(rig), &*log, "demo");

        // Step to Monday 10:00 local (16:00 UTC) and check the setpoints were driven.
        const auto mondayTen = sim::utcSeconds(2025, 1, 6, 16);
        while (rig.engine->state().time < mondayTen)
            QVERIFY(loop.step().value());
        QVERIFY(loop.stats().applied > 0);
        std::size_t heating = 0;
        for (const auto& b : rig.engine->config().bindings)
            if (b.variable == sim::Variable::ZoneHeatingSetpoint) {
                QCOMPARE(rig.engine->state().heatSet[b.index], 21.0);
                ++heating;
            }
        QVERIFY(heating >= 20);
        QVERIFY(loop.run().ok());
        // Tuesday night: setback again.
        for (const auto& b : rig.engine->config().bindings)
            if (b.variable == sim::Variable::ZoneHeatingSetpoint)
                QCOMPARE(rig.engine->state().heatSet[b.index], 16.0);
        const auto& st = loop.stats();
        QCOMPARE(st.rejected, std::int64_t{0});
        QCOMPARE(st.policyErrors, std::int64_t{0});
        QCOMPARE(st.decisions, std::int64_t{2 * 288}); // every 5 minutes for two days
        QVERIFY(percentile(st.latency.decideUs, 99) > 0.0);
        // Every action is in the tamper-evident log, and the chain verifies.
        auto report = DecisionLog::verify(path);
        QVERIFY(report.ok());
        QVERIFY(report->ok);
        QCOMPARE(report->rows, st.applied);
        auto rows = log->read(1, 5);
        QVERIFY(rows.ok());
        QCOMPARE(rows->front().policyId, std::string("fixed-schedule"));
        QCOMPARE(rows->front().verdict, std::string("accepted"));
        QVERIFY(rows->front().applied.find("SetSetpoint") == 0);
    }

    void sameInputsSameDecisions()
    {
        auto run = [] {
            auto rig = makeRig();
            auto policy = FixedSchedulePolicy::make({}).value();
            sim::SimulatedSource source(*rig.engine, 300);
            ControlLoop loop(source, *rig.engine, *policy, observationFor(rig), nullptr);
            if (!loop.run().ok())
                qFatal("loop failed");
            return std::pair{rig.engine->stateHash(), loop.stats().applied};
        };
        const auto a = run();
        const auto b = run();
        QCOMPARE(a.first, b.first);
        QCOMPARE(a.second, b.second);
    }

    void faultsFallBackAndAreLogged()
    {
        auto rig = makeRig();
        const auto path = fs::path(m_dir.path().toStdString()) / "faults.twin";
        auto store = twin::ProjectStore::create(path);
        auto log = DecisionLog::open(*store);
        QVERIFY(log.ok());
        ThrowingPolicy thrower;
        sim::SimulatedSource source(*rig.engine, 3600);
        ControlLoop loop(source, *rig.engine, thrower, observationFor(rig), &*log);
        QVERIFY(loop.run().ok()); // a throwing policy never stops the loop
        QCOMPARE(loop.stats().policyErrors, std::int64_t{48});
        QCOMPARE(loop.stats().applied, std::int64_t{0});
        auto rows = log->read(1, 1);
        QVERIFY(rows.ok() && !rows->empty());
        QVERIFY2(rows->front().verdict.find("division by zero") != std::string::npos,
                 rows->front().verdict.c_str());
    }

    void fallbackPolicyTakesOver()
    {
        auto rig = makeRig();
        ThrowingPolicy thrower;
        auto baseline = FixedSchedulePolicy::make({}).value();
        sim::SimulatedSource source(*rig.engine, 3600);
        ControlLoop loop(source, *rig.engine, thrower, observationFor(rig), nullptr);
        loop.setFallback(baseline.get());
        QVERIFY(loop.run().ok());
        QCOMPARE(loop.stats().policyErrors, std::int64_t{48});
        QCOMPARE(loop.stats().fallbacks, std::int64_t{48});
        QVERIFY(loop.stats().applied > 0); // the baseline kept the building controlled
    }

    void invalidActionsAreRejected()
    {
        auto rig = makeRig();
        std::string point;
        for (const auto& b : rig.engine->config().bindings)
            if (b.variable == sim::Variable::ZoneHeatingSetpoint) {
                point = b.point;
                break;
            }
        BadOutputPolicy bad(point);
        sim::SimulatedSource source(*rig.engine, 3600);
        ControlLoop loop(source, *rig.engine, bad, observationFor(rig), nullptr);
        QVERIFY(loop.step().value());
        // NaN setpoint (schema), PowerHost (not declared), unknown target (sink): all refused.
        QCOMPARE(loop.stats().proposed, std::int64_t{3});
        QCOMPARE(loop.stats().rejected, std::int64_t{3});
        QCOMPARE(loop.stats().applied, std::int64_t{0});
    }
};

TWINDESK_TEST(TestControlLoop)
#include "tst_control_loop.moc"
