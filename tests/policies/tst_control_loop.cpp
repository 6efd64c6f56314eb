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

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <set>
#include <thread>

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
        m_info = PolicyInfo{"thrower", "0", "sha256:0", 3600, {ActionKind::SetSetpoint}, {}, {}};
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
        m_info = PolicyInfo{"bad-output", "0", "sha256:0", 3600, {ActionKind::SetSetpoint}, {}, {}};
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

// A tiny plant for the approval tests: the sink sets points, the source reports them every
// five minutes. `offline` makes the sink refuse everything.
class FakePlant : public sim::TelemetrySource, public sim::ActuatorSink
{
public:
    FakePlant(Seconds start, Seconds end) : m_t(start), m_end(end) {}
    twin::Result<bool> next(sim::TelemetryFrame& frame) override
    {
        if (m_t >= m_end)
            return false;
        frame.time = m_t;
        frame.samples.clear();
        for (const auto& [point, value] : values)
            frame.samples.push_back(bad.contains(point) ? sim::PointSample{point, NAN, false}
                                                        : sim::PointSample{point, value, true});
        m_last = m_t;
        m_t += 300;
        return true;
    }
    [[nodiscard]] Seconds now() const override { return m_last; }
    twin::Status submit(const Action& action) override
    {
        if (offline)
            return twin::makeError(twin::ErrorCode::IoError, "the BMS gateway is offline");
        if (values.find(action.target) == values.end())
            return twin::makeError(twin::ErrorCode::NotFound, "no point " + action.target);
        values[action.target] = action.value;
        submitted.push_back(action);
        return {};
    }

    std::map<std::string, double> values;
    std::set<std::string> bad; ///< sent as bad samples (a stale or faulty sensor)
    std::vector<Action> submitted;
    bool offline = false;

private:
    Seconds m_t;
    Seconds m_end;
    Seconds m_last = 0;
};

// Wants fixed setpoint values; proposes each one that differs from what it observes.
class WantPolicy : public Policy
{
public:
    WantPolicy()
    {
        m_info = PolicyInfo{"want", "1", "sha256:1", 300, {ActionKind::SetSetpoint}, {}, {}};
    }
    const PolicyInfo& info() const override { return m_info; }
    twin::Result<std::vector<Action>> decide(const Observation& observation) override
    {
        std::vector<Action> out;
        for (const auto& [point, value] : wanted)
            if (observation.value(point) != value)
                out.push_back(Action{ActionKind::SetSetpoint, point, value, {}, {}});
        return out;
    }
    std::map<std::string, double> wanted;

private:
    PolicyInfo m_info;
};

// Slow once (the first decision takes `firstMs`), then wants 23 °C at once.
class SlowPolicy : public Policy
{
public:
    explicit SlowPolicy(int firstMs) : m_firstMs(firstMs)
    {
        m_info = PolicyInfo{"slow", "1", "sha256:2", 300, {ActionKind::SetSetpoint}, {}, {}};
    }
    const PolicyInfo& info() const override { return m_info; }
    twin::Result<std::vector<Action>> decide(const Observation&) override
    {
        if (m_calls++ == 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(m_firstMs));
            return std::vector<Action>{Action{ActionKind::SetSetpoint, "urn:t:heat", 22, {}, {}}};
        }
        return std::vector<Action>{Action{ActionKind::SetSetpoint, "urn:t:heat", 23, {}, {}}};
    }

private:
    int m_firstMs;
    int m_calls = 0;
    PolicyInfo m_info;
};

// Proposes one fixed list of actions every round.
class ScriptPolicy : public Policy
{
public:
    ScriptPolicy(std::vector<ActionKind> kinds, std::vector<std::vector<Action>> rounds)
        : m_rounds(std::move(rounds))
    {
        m_info = PolicyInfo{"script", "1", "sha256:3", 300, std::move(kinds), {}, {}};
    }
    const PolicyInfo& info() const override { return m_info; }
    twin::Result<std::vector<Action>> decide(const Observation&) override
    {
        return m_rounds[m_round++ % m_rounds.size()];
    }

private:
    std::vector<std::vector<Action>> m_rounds;
    std::size_t m_round = 0;
    PolicyInfo m_info;
};

const std::string kHeat = "urn:t:heat";
const std::string kCool = "urn:t:cool";
const Seconds kStart = sim::utcSeconds(2025, 1, 6, 0);

// A project file with a decision log and a gate, plus the plant and policy around a loop.
struct GateRig
{
    GateRig(fs::path file, twin::ProjectStore projectStore, DecisionLog decisionLog,
            ApprovalGate approvalGate)
        : path(std::move(file)), store(std::move(projectStore)), log(std::move(decisionLog)),
          gate(std::move(approvalGate))
    {
    }

    fs::path path;
    twin::ProjectStore store;
    DecisionLog log;
    ApprovalGate gate;
    FakePlant plant{kStart, kStart + 6 * 3600};
    WantPolicy policy;
    std::unique_ptr<ControlLoop> loop;

    // Heating setback to 16 °C (outside the band: high-impact), cooling to 24 °C (not).
    static std::unique_ptr<GateRig> make(const fs::path& path, ApprovalConfig config)
    {
        auto store = twin::ProjectStore::create(path, twin::CreateMode::Replace);
        if (!store)
            qFatal("%s", store.error().toString().c_str());
        auto log = DecisionLog::open(*store, DecisionLogOptions{1});
        auto gate = ApprovalGate::open(*store);
        if (!log || !gate)
            qFatal("cannot open the log or the gate");
        auto rig = std::make_unique<GateRig>(path, std::move(store).value(), std::move(log).value(),
                                             std::move(gate).value());
        rig->plant.values = {{kHeat, 20.0}, {kCool, 25.0}};
        rig->policy.wanted = {{kHeat, 16.0}, {kCool, 24.0}};
        rig->loop = std::make_unique<ControlLoop>(rig->plant, rig->plant, rig->policy,
                                                  Observation{}, &rig->log, "model");
        rig->loop->setApprovals(&rig->gate, std::move(config));
        return rig;
    }

    // The rows logged so far (the log writes every row at once: batch size 1).
    std::vector<DecisionRecord> rows() const { return log.read(1, 10000).value(); }
    // The newest row whose approval text starts with `prefix`.
    std::optional<DecisionRecord> lastRow(const std::string& prefix) const
    {
        std::optional<DecisionRecord> found;
        for (auto& r : rows())
            if (r.approval.rfind(prefix, 0) == 0)
                found = r;
        return found;
    }
    [[nodiscard]] bool everApplied(double heat) const
    {
        return std::any_of(plant.submitted.begin(), plant.submitted.end(), [heat](const Action& a) {
            return a.target == kHeat && a.value == heat;
        });
    }
};

ApprovalConfig manual()
{
    ApprovalConfig c;
    c.autoApprove = false;
    c.maxRoomsPerRound = 0;
    return c;
}

// Decides through a second connection to the file, as `twindesk approvals` does.
ApprovalRequest decideElsewhere(const fs::path& path, std::int64_t id, bool approve,
                                const std::string& user, const std::string& note)
{
    auto store = twin::ProjectStore::open(path);
    if (!store)
        qFatal("%s", store.error().toString().c_str());
    auto gate = ApprovalGate::open(*store);
    ApprovalDecision d;
    d.user = user;
    d.note = note;
    auto r = approve ? gate->approve(id, d) : gate->reject(id, d);
    if (!r)
        qFatal("%s", r.error().toString().c_str());
    return *r;
}

} // namespace

class TestControlLoop : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

    // A run where the setback request expires after 15 minutes, again and again; `trail`
    // gets every logged row (without latencies).
    void expiryRun(const char* name, std::vector<std::string>& trail, std::int64_t& expiredCount)
    {
        auto config = manual();
        config.expiry = 900;
        auto rig = GateRig::make(fs::path(m_dir.path().toStdString()) / name, config);
        auto& loop = *rig->loop;
        // Frames at 0, 300, 600 s: still pending; at 900 s it expires.
        for (int i = 0; i < 3; ++i)
            QVERIFY(loop.step().value());
        QCOMPARE(rig->gate.get(1)->status, ApprovalStatus::Pending);
        QCOMPARE(loop.stats().expired, std::int64_t{0});
        QVERIFY(loop.step().value());
        QCOMPARE(rig->gate.get(1)->status, ApprovalStatus::Expired);
        QCOMPARE(loop.stats().expired, std::int64_t{1});
        const auto expired = rig->lastRow("expired #1");
        QVERIFY(expired.has_value());
        QCOMPARE(expired->approval, std::string("expired #1"));
        QCOMPARE(expired->verdict, std::string("not applied"));
        QCOMPARE(expired->timeMs, (kStart + 900) * 1000);
        QCOMPARE(expired->applied, std::string());
        QCOMPARE(rig->gate.get(1)->outcomeSeq, std::optional<std::int64_t>(expired->seq));
        // Approving it now is refused; the next round asks again with a new request.
        {
            auto store = twin::ProjectStore::open(rig->path);
            QVERIFY(store.ok());
            auto other = ApprovalGate::open(*store);
            ApprovalDecision d;
            d.user = "late";
            auto late = other->approve(1, d);
            QVERIFY(!late.ok());
            QVERIFY(late.error().message.find("not pending (expired") != std::string::npos);
        }
        QVERIFY(loop.step().value());
        QCOMPARE(rig->gate.get(2)->status, ApprovalStatus::Pending);
        QVERIFY(loop.run().ok());
        QVERIFY(!rig->everApplied(16.0));
        QCOMPARE(rig->plant.values[kHeat], 20.0);
        auto report = DecisionLog::verify(rig->path);
        QVERIFY(report.ok() && report->ok);
        for (const auto& r : rig->rows())
            trail.push_back(std::to_string(r.timeMs) + "|" + r.proposed + "|" + r.verdict + "|" +
                            r.approval + "|" + r.applied);
        expiredCount = loop.stats().expired;
    }

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

    // A stale occupancy sensor in one room: the fallback drives that room, the policy the rest.
    void badInputsHandTheirRoomToTheFallback()
    {
        auto rig = makeRig();
        const std::string office = "urn:twindesk:demo:office#";
        const auto heat201 = office + "room_201_zhsp";
        const auto heat202 = office + "room_202_zhsp";
        FakePlant plant(kStart, kStart + 12 * 300);
        plant.values = {{heat201, 20}, {heat202, 20}, {office + "room_201_occ", 1},
                        {office + "room_202_occ", 1}};
        plant.bad = {office + "room_201_occ"};
        WantPolicy policy;
        policy.wanted = {{heat201, 23}, {heat202, 23}};
        ScriptPolicy fallback({ActionKind::SetSetpoint},
                              {{Action{ActionKind::SetSetpoint, heat201, 18, {}, {}},
                                Action{ActionKind::SetSetpoint, heat202, 18, {}, {}}}});
        ControlLoop loop(plant, plant, policy, observationFor(rig), nullptr);
        loop.setFallback(&fallback);
        QVERIFY(loop.step().ok());
        QCOMPARE(plant.values[heat201], 18.0); // the room with the stale sensor: fallback
        QCOMPARE(plant.values[heat202], 23.0); // the healthy room: the policy
        QCOMPARE(loop.stats().staleFallbackRounds, std::int64_t{1});
        QCOMPARE(loop.stats().fallbacks, std::int64_t{0}); // not a failed round
        // The sensor recovers: the policy takes the room back (once the guard's dwell allows).
        plant.bad.clear();
        for (int i = 0; i < 10 && plant.values[heat201] != 23.0; ++i)
            QVERIFY(loop.step().ok());
        QCOMPARE(plant.values[heat201], 23.0);
        QCOMPARE(loop.stats().staleFallbackRounds, std::int64_t{1});
        QVERIFY(loop.observation().badPoints().empty());
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

    // A policy that takes too long: the round falls back and says why, the next round too
    // while the late decide() still runs, and its late result is never applied.
    void timeoutFallsBack()
    {
        FakePlant plant(kStart, kStart + 3600);
        plant.values = {{kHeat, 20.0}};
        SlowPolicy slow(400);
        WantPolicy safe;
        safe.wanted = {{kHeat, 19.0}};
        const auto path = fs::path(m_dir.path().toStdString()) / "timeout.twin";
        auto store = twin::ProjectStore::create(path);
        auto log = DecisionLog::open(*store);
        QVERIFY(log.ok());
        ControlLoop loop(plant, plant, slow, Observation(nullptr, 0.0), &*log);
        loop.setFallback(&safe);
        loop.setDecisionTimeout(std::chrono::milliseconds(50));
        QVERIFY(loop.step().value()); // t=0: times out → 19 from the fallback
        QCOMPARE(loop.stats().policyErrors, std::int64_t{1});
        QCOMPARE(loop.stats().fallbacks, std::int64_t{1});
        QCOMPARE(plant.values[kHeat], 19.0);
        QVERIFY(loop.step().value()); // t=300: still busy → fallback again (nothing to do)
        QCOMPARE(loop.stats().policyErrors, std::int64_t{2});
        std::this_thread::sleep_for(std::chrono::milliseconds(600));
        QVERIFY(loop.step().value()); // t=600: the policy answers in time again
        QCOMPARE(loop.stats().policyErrors, std::int64_t{2});
        QCOMPARE(plant.values[kHeat], 23.0);
        for (const auto& a : plant.submitted)
            QVERIFY(a.value != 22.0); // the late answer was discarded
        QVERIFY(log->flush().ok());
        auto rows = log->read(1, 10);
        QVERIFY(rows.ok() && !rows->empty());
        QVERIFY2(rows->front().verdict.find("policy timed out after 50 ms") != std::string::npos,
                 rows->front().verdict.c_str());
        QVERIFY(loop.stats().latency.roundUs.size() == 3);
    }

    // Never power off a host that still runs workloads: the guard asks the sink.
    void hostWithWorkloadsStaysOn()
    {
        class Cluster : public FakePlant
        {
        public:
            using FakePlant::FakePlant;
            std::optional<int> workloadsOn(const std::string& host) const override
            {
                return host == "urn:t:busy" ? 2 : (host == "urn:t:idle" ? 0 : -1);
            }
        };
        Cluster plant(kStart, kStart + 300);
        ScriptPolicy off({ActionKind::PowerHost},
                         {{Action{ActionKind::PowerHost, "urn:t:busy", 0, {}, {}},
                           Action{ActionKind::PowerHost, "urn:t:idle", 0, {}, {}}}});
        const auto path = fs::path(m_dir.path().toStdString()) / "hosts.twin";
        auto store = twin::ProjectStore::create(path);
        auto log = DecisionLog::open(*store);
        ControlLoop loop(plant, plant, off, Observation(nullptr, 0.0), &*log);
        QVERIFY(loop.step().value());
        QCOMPARE(loop.stats().proposed, std::int64_t{2});
        // The busy host is refused by the guard; the idle one reaches the sink (which knows no
        // such point and refuses it in turn: it is a fake plant).
        QVERIFY(log->flush().ok());
        auto rows = log->read(1, 2);
        QVERIFY(rows.ok() && rows->size() == 2);
        QVERIFY2(rows->at(0).verdict.find("host-workloads") != std::string::npos,
                 rows->at(0).verdict.c_str());
        QVERIFY(rows->at(0).verdict.find("2 workload") != std::string::npos);
        QVERIFY(rows->at(1).verdict.find("host-workloads") == std::string::npos);
    }

    // A flip-flopping policy is frozen by the guard and counted as oscillating.
    void oscillationsAreCounted()
    {
        FakePlant plant(kStart, kStart + 3 * 3600);
        plant.values = {{kHeat, 20.0}};
        ScriptPolicy flip({ActionKind::SetSetpoint},
                          {{Action{ActionKind::SetSetpoint, kHeat, 22, {}, {}}},
                           {Action{ActionKind::SetSetpoint, kHeat, 20, {}, {}}}});
        GuardConfig g;
        g.minDwell = 0;
        ControlLoop loop(plant, plant, flip, Observation(nullptr, 0.0), nullptr);
        loop.setGuard(g);
        // 22, 20, 22, 20, 22: the fifth change is the third reversal → frozen for an hour.
        for (int i = 0; i < 5; ++i)
            QVERIFY(loop.step().value());
        QCOMPARE(loop.stats().applied, std::int64_t{5});
        QCOMPARE(loop.stats().oscillations, std::int64_t{0});
        QVERIFY(loop.step().value());
        QCOMPARE(loop.stats().oscillations, std::int64_t{1});
        QVERIFY(loop.run().ok());
        QCOMPARE(loop.stats().rejected, loop.stats().oscillations);
        QVERIFY(loop.stats().oscillations >= 12); // at least an hour of 5-minute rounds frozen
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
        // A NaN setpoint and an undeclared PowerHost make the whole output invalid: nothing of
        // it is applied, and without a fallback nothing happens that round.
        QCOMPARE(loop.stats().policyErrors, std::int64_t{1});
        QCOMPARE(loop.stats().proposed, std::int64_t{0});
        QCOMPARE(loop.stats().applied, std::int64_t{0});

        // With a fallback, the safe default decides and the log says why.
        auto rig2 = makeRig();
        const auto path = fs::path(m_dir.path().toStdString()) / "invalid.twin";
        auto store = twin::ProjectStore::create(path);
        auto log = DecisionLog::open(*store);
        auto baseline = FixedSchedulePolicy::make({}).value();
        sim::SimulatedSource source2(*rig2.engine, 3600);
        ControlLoop guarded(source2, *rig2.engine, bad, observationFor(rig2), &*log);
        guarded.setFallback(baseline.get());
        QVERIFY(guarded.step().value());
        QCOMPARE(guarded.stats().fallbacks, std::int64_t{1});
        QVERIFY(guarded.stats().applied > 0);
        QVERIFY(log->flush().ok());
        auto rows = log->read(1, 1);
        QVERIFY(rows.ok() && !rows->empty());
        QVERIFY2(rows->front().verdict.find("invalid output") != std::string::npos,
                 rows->front().verdict.c_str());
        QCOMPARE(rows->front().policyId, std::string("fixed-schedule"));

        // Well-formed actions the sink cannot carry out are refused one by one, no fallback.
        ScriptPolicy unknown({ActionKind::SetSetpoint},
                             {{Action{ActionKind::SetSetpoint, "urn:nowhere", 20.0, {}, {}}}});
        auto rig3 = makeRig();
        sim::SimulatedSource source3(*rig3.engine, 3600);
        ControlLoop plain(source3, *rig3.engine, unknown, observationFor(rig3), nullptr);
        QVERIFY(plain.step().value());
        QCOMPARE(plain.stats().policyErrors, std::int64_t{0});
        QCOMPARE(plain.stats().rejected, std::int64_t{1});
    }

    void highImpactWaitsForApproval()
    {
        auto rig = GateRig::make(fs::path(m_dir.path().toStdString()) / "approve.twin", manual());
        auto& loop = *rig->loop;
        QVERIFY(loop.step().value());
        // The in-band cooling change is applied; the setback waits.
        QCOMPARE(rig->plant.values[kCool], 24.0);
        QCOMPARE(rig->plant.values[kHeat], 20.0);
        QCOMPARE(loop.stats().pendingApprovals, std::int64_t{1});
        QCOMPARE(loop.stats().applied, std::int64_t{1});
        auto rows = rig->rows();
        QCOMPARE(rows.size(), std::size_t{2}); // cool first (the policy's order), then heat
        QCOMPARE(rows[0].approval, std::string("not required"));
        QVERIFY(rows[0].applied.find("SetSetpoint target=urn:t:cool") == 0);
        QCOMPARE(rows[1].approval, std::string("pending #1: setpoint-outside-band: setpoint 16 °C "
                                               "for 'urn:t:heat' is outside the comfort band "
                                               "19..26 °C"));
        QCOMPARE(rows[1].applied, std::string());
        QCOMPARE(rows[1].verdict, std::string("accepted"));
        auto request = rig->gate.get(1).value();
        QCOMPARE(request.status, ApprovalStatus::Pending);
        QCOMPARE(request.decisionSeq, rows[1].seq); // the row that proposed it
        QCOMPARE(request.requestedMs, kStart * 1000);
        QCOMPARE(request.expiresMs, (kStart + 3600) * 1000);

        // Asked again next round: the same request, not a new one.
        QVERIFY(loop.step().value());
        QCOMPARE(rig->plant.values[kHeat], 20.0);
        QCOMPARE(loop.stats().pendingApprovals, std::int64_t{1});
        QCOMPARE(rig->rows().back().approval, std::string("pending #1 (requested earlier)"));
        QCOMPARE(rig->gate.list()->size(), std::size_t{1});

        // Approved elsewhere (another connection): applied at the next step and logged.
        decideElsewhere(rig->path, 1, true, "zoë", "cold snap is over");
        QVERIFY(!rig->everApplied(16.0));
        QVERIFY(loop.step().value());
        QCOMPARE(rig->plant.values[kHeat], 16.0);
        QCOMPARE(loop.stats().approved, std::int64_t{1});
        const auto applied = rig->lastRow("approved #1");
        QVERIFY(applied.has_value());
        QCOMPARE(applied->approval, std::string("approved #1 by zoë"));
        QCOMPARE(applied->applied, std::string("SetSetpoint target=urn:t:heat value=16"));
        QCOMPARE(applied->verdict, std::string("accepted")); // checked again by the guard
        QCOMPARE(applied->policyId, std::string("want"));
        QCOMPARE(applied->policyVersion, std::string("1"));
        const auto done = rig->gate.get(1).value();
        QCOMPARE(done.status, ApprovalStatus::Applied);
        QCOMPARE(done.outcomeSeq, std::optional<std::int64_t>(applied->seq));

        QVERIFY(loop.run().ok());
        QCOMPARE(loop.stats().approved, std::int64_t{1}); // applied once
        QCOMPARE(std::count_if(rig->plant.submitted.begin(), rig->plant.submitted.end(),
                               [](const Action& a) { return a.target == kHeat; }),
                 std::ptrdiff_t{1});
        auto report = DecisionLog::verify(rig->path);
        QVERIFY(report.ok());
        QVERIFY2(report->ok, report->reason.c_str());
    }

    void rejectedIsNeverApplied()
    {
        auto rig = GateRig::make(fs::path(m_dir.path().toStdString()) / "reject.twin", manual());
        auto& loop = *rig->loop;
        QVERIFY(loop.step().value());
        decideElsewhere(rig->path, 1, false, "ops", "too cold for the cleaners");
        QVERIFY(loop.step().value());
        const auto rejected = rig->lastRow("rejected #1");
        QVERIFY(rejected.has_value());
        QCOMPARE(rejected->approval, std::string("rejected #1 by ops: too cold for the cleaners"));
        QCOMPARE(rejected->verdict, std::string("not applied"));
        QCOMPARE(rejected->applied, std::string());
        QCOMPARE(rejected->proposed, std::string("SetSetpoint target=urn:t:heat value=16"));
        QCOMPARE(loop.stats().rejectedByApprover, std::int64_t{1});
        QCOMPARE(rig->gate.get(1)->outcomeSeq, std::optional<std::int64_t>(rejected->seq));
        QVERIFY(loop.run().ok());
        QVERIFY(!rig->everApplied(16.0));
        QCOMPARE(rig->plant.values[kHeat], 20.0);
        QCOMPARE(loop.stats().rejectedByApprover, std::int64_t{1}); // logged once
        // The policy keeps asking: new requests, never the rejected one.
        QVERIFY(loop.stats().pendingApprovals >= 2);
        QCOMPARE(rig->gate.get(1)->status, ApprovalStatus::Rejected);
        QVERIFY(DecisionLog::verify(rig->path)->ok);
    }

    void expiredIsLoggedNotApplied()
    {
        // No person involved: the same run twice gives the same decisions.
        std::vector<std::string> a;
        std::vector<std::string> b;
        std::int64_t expiredA = 0;
        std::int64_t expiredB = 0;
        expiryRun("expire-a.twin", a, expiredA);
        if (QTest::currentTestFailed())
            return;
        expiryRun("expire-b.twin", b, expiredB);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(a, b);
        QCOMPARE(expiredA, expiredB);
        QVERIFY(expiredA >= 6); // six hours, one request per 15 minutes at most
    }

    void autoApprovalAppliesAtOnce()
    {
        auto config = manual();
        config.autoApprove = true;
        auto rig = GateRig::make(fs::path(m_dir.path().toStdString()) / "auto.twin", config);
        QVERIFY(rig->loop->step().value());
        QCOMPARE(rig->plant.values[kHeat], 16.0);
        QCOMPARE(rig->loop->stats().autoApproved, std::int64_t{1});
        QCOMPARE(rig->loop->stats().pendingApprovals, std::int64_t{0});
        const auto row = rig->lastRow("auto");
        QVERIFY(row.has_value());
        QCOMPARE(row->approval, std::string("auto (high-impact: setpoint-outside-band: setpoint 16 "
                                            "°C for 'urn:t:heat' is outside the comfort band "
                                            "19..26 °C)"));
        QCOMPARE(row->applied, std::string("SetSetpoint target=urn:t:heat value=16"));
        QCOMPARE(rig->rows().front().approval, std::string("not required"));
        QVERIFY(rig->gate.list(std::nullopt)->empty()); // nothing to ask anyone
        QVERIFY(rig->loop->run().ok());
        QVERIFY(DecisionLog::verify(rig->path)->ok);
    }

    void laterActionSupersedesAndSinkFailureIsRecorded()
    {
        auto rig = GateRig::make(fs::path(m_dir.path().toStdString()) / "supersede.twin", manual());
        auto& loop = *rig->loop;
        QVERIFY(loop.step().value()); // #1: heat 16 pending
        // The policy changes its mind to an in-band value: applied, #1 is obsolete.
        rig->policy.wanted[kHeat] = 21.0;
        QVERIFY(loop.step().value());
        QCOMPARE(rig->plant.values[kHeat], 21.0);
        QCOMPARE(rig->gate.get(1)->status, ApprovalStatus::Superseded);
        QCOMPARE(loop.stats().superseded, std::int64_t{1});
        const auto superseded = rig->lastRow("superseded #1");
        QVERIFY(superseded.has_value());
        QVERIFY2(superseded->approval.find("SetSetpoint target=urn:t:heat value=21") !=
                     std::string::npos,
                 superseded->approval.c_str());

        // Approved, but the sink is down when the loop applies it: failed, logged, not retried.
        rig->policy.wanted[kHeat] = 16.0;
        for (int i = 0; i < 2; ++i) // past the guard's dwell on the heating setpoint
            QVERIFY(loop.step().value());
        auto open = rig->gate.list().value();
        QCOMPARE(open.size(), std::size_t{1});
        const auto id = open.front().id;
        decideElsewhere(rig->path, id, true, "ops", {});
        rig->plant.offline = true;
        QVERIFY(loop.step().value());
        QCOMPARE(rig->gate.get(id)->status, ApprovalStatus::Failed);
        QVERIFY(rig->gate.get(id)->note.find("offline") != std::string::npos);
        const auto failed = rig->lastRow("approved #" + std::to_string(id));
        QVERIFY(failed.has_value());
        QVERIFY(failed->verdict.find("rejected by the sink") == 0);
        QCOMPARE(failed->applied, std::string());
        QCOMPARE(loop.stats().approved, std::int64_t{0});
        QVERIFY(!rig->everApplied(16.0));
        QVERIFY(DecisionLog::verify(rig->path)->ok);
    }

    void demoOfficeSetbackNeedsApproval()
    {
        // The fixed schedule's night setback (16 °C heating, 28 °C cooling) is outside the
        // comfort band: without a person it waits; under auto-approval it runs as before.
        auto night = [this](bool autoApprove, const char* name) {
            auto rig = makeRig();
            const auto path = fs::path(m_dir.path().toStdString()) / name;
            auto store = twin::ProjectStore::create(path);
            auto log = DecisionLog::open(*store);
            auto gate = ApprovalGate::open(*store);
            if (!log || !gate)
                qFatal("open");
            auto policy = FixedSchedulePolicy::make({}).value();
            sim::SimulatedSource source(*rig.engine, 300);
            ControlLoop loop(source, *rig.engine, *policy, observationFor(rig), &*log, "demo");
            ApprovalConfig config;
            config.autoApprove = autoApprove;
            loop.setApprovals(&*gate, config);
            while (rig.engine->state().time < sim::utcSeconds(2025, 1, 6, 10)) // 04:00 local
                if (!loop.step().value())
                    qFatal("ended early");
            std::size_t setback = 0;
            for (const auto& b : rig.engine->config().bindings)
                if (b.variable == sim::Variable::ZoneHeatingSetpoint &&
                    rig.engine->state().heatSet[b.index] == 16.0)
                    ++setback;
            if (!log->flush())
                qFatal("flush");
            auto rows = log->read(1, 100).value();
            return std::tuple{setback, loop.stats(), rows.front().approval};
        };
        const auto [heldBack, heldStats, heldApproval] = night(false, "demo-held.twin");
        QCOMPARE(heldBack, std::size_t{0});
        QVERIFY(heldStats.pendingApprovals >= 20);
        QCOMPARE(heldStats.autoApproved, std::int64_t{0});
        QVERIFY2(heldApproval.rfind("pending #1: setpoint-outside-band", 0) == 0,
                 heldApproval.c_str());
        // Every zone at once is also a wide round (rooms found through the twin).
        QVERIFY2(heldApproval.find("rooms-per-round: the round touches") != std::string::npos,
                 heldApproval.c_str());
        const auto [applied, autoStats, autoApproval] = night(true, "demo-auto.twin");
        QVERIFY(applied >= 20);
        QVERIFY(autoStats.autoApproved >= 40);
        QCOMPARE(autoStats.pendingApprovals, std::int64_t{0});
        QVERIFY2(autoApproval.rfind("auto (high-impact: setpoint-outside-band", 0) == 0,
                 autoApproval.c_str());
    }
};

TWINDESK_TEST(TestControlLoop)
#include "tst_control_loop.moc"
