// Tests for the meeting-aware compute policy and its baseline (meeting_compute_policy.h): the
// runtime choice by isolation and deadline, lead-time provisioning against the start-up
// distributions, meetings booked too late, teardown, the guard's critical-workload rule, the
// approval gate's gpu-instance rule, and the month demo's scenarios end to end (determinism,
// and the policy beating the always-on baseline on idle compute and latency).
#include "test_registry.h"

#include <twindesk/policies/approval_gate.h>
#include <twindesk/policies/meeting_compute_policy.h>
#include <twindesk/policies/safety_guard.h>
#include <twindesk/policies/scenario_run.h>
#include <twindesk/sim/runtime.h>
#include <twindesk/sim/scenario.h>

#include <QObject>
#include <QtTest>

#include <filesystem>

using namespace twindesk;
using namespace twindesk::policies;
using twindesk::twin::IsolationClass;
using twindesk::twin::WorkloadType;
namespace fs = std::filesystem;

namespace {

const fs::path kSource = TWINDESK_SOURCE_DIR;

sim::PowerModel flat()
{
    std::vector<double> w(11, 100.0);
    return *sim::PowerModel::fromTable(w);
}

/// One host with a GPU, three services: a 2-vCPU room service (shared-kernel), a 1-vCPU
/// filter (language-sandbox) and an untrusted GPU demo (hardware, 1 GPU); a batch job and a
/// critical batch job. Default profiles.
sim::RuntimeConfig fleetConfig()
{
    sim::RuntimeConfig c;
    c.start = 0;
    c.seed = 3;
    c.hosts.push_back({"h", 32.0, 1e6, flat(), {2, 24.0, 30.0, 250.0}});
    auto wl = [&](std::string id, WorkloadType kind, double cores, int gpus, bool batch,
                  bool critical, bool running) {
        sim::RuntimeWorkloadSpec w;
        w.id = std::move(id);
        w.kind = kind;
        w.cores = cores;
        w.gpus = gpus;
        w.batch = batch;
        w.critical = critical;
        w.running = running;
        w.host = "h";
        c.workloads.push_back(w);
    };
    wl("w-room", WorkloadType::Container, 2.0, 0, false, false, false);
    wl("w-filter", WorkloadType::WasmModule, 1.0, 0, false, false, false);
    wl("w-demo", WorkloadType::VirtualMachine, 8.0, 1, false, false, false);
    wl("w-batch", WorkloadType::Container, 8.0, 0, true, false, true);
    wl("w-backup", WorkloadType::Container, 2.0, 0, true, true, true);
    c.services.push_back({"s-room", "w-room", 25.0, 80.0, IsolationClass::SharedKernel});
    c.services.push_back({"s-filter", "w-filter", 5.0, 80.0, IsolationClass::LanguageSandbox});
    c.services.push_back({"s-demo", "w-demo", 30.0, 80.0, IsolationClass::Hardware});
    return c;
}

sim::MeetingNeed need(std::string title, Seconds start, Seconds end,
                      std::vector<std::string> services)
{
    sim::MeetingNeed n;
    n.room = "room";
    n.title = std::move(title);
    n.start = start;
    n.end = end;
    n.services = std::move(services);
    return n;
}

Observation at(const std::shared_ptr<const sim::RuntimeFleet>& fleet, Seconds t)
{
    Observation o;
    sim::TelemetryFrame f;
    f.time = t;
    o.update(f);
    o.setRuntimes(fleet);
    return o;
}

const Action* find(const std::vector<Action>& actions, ActionKind kind, const std::string& target)
{
    for (const auto& a : actions)
        if (a.kind == kind && a.target == target)
            return &a;
    return nullptr;
}

sim::ScenarioOptions options(std::vector<std::pair<std::string, std::string>> overrides)
{
    sim::ScenarioOptions o;
    o.ontology = {kSource / "assets/ontology/brick-1.3-classes.ttl",
                  kSource / "assets/ontology/twindesk.ttl"};
    o.overrides = std::move(overrides);
    return o;
}

} // namespace

class TestMeetingComputePolicy : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void runtimeChoiceByIsolationAndDeadline()
    {
        const auto fleet = *sim::RuntimeFleet::make(fleetConfig());
        // Plenty of time: the cheapest eligible kind. A 1-vCPU language-sandbox filter → WASM.
        QVERIFY(chooseRuntime(fleet, 1, 3600.0, 0.99, 60).kind == WorkloadType::WasmModule);
        // A 2-vCPU shared-kernel service: WASM runs one vCPU at most; the container is cheapest.
        QVERIFY(chooseRuntime(fleet, 0, 3600.0, 0.99, 60).kind == WorkloadType::Container);
        // Its deadline too close for a container's p99 cold start (2 s median, 6 s p95 →
        // p99 9.5 s, + 60 s period = 69.5 s): the fastest, a microVM (p99 2.9 s + 60 s).
        const auto tight = chooseRuntime(fleet, 0, 65.0, 0.99, 60);
        QVERIFY(tight.kind == WorkloadType::MicroVm);
        QVERIFY(std::abs(tight.leadS - (twin::StartupLatency{0.8, 2.0}.quantile(0.99) + 60.0)) <
                1e-9);
        // Untrusted demo code with a GPU: hardware isolation and a GPU → only the full VM.
        const auto demo = chooseRuntime(fleet, 2, 0.0, 0.99, 60);
        QVERIFY(demo.kind == WorkloadType::VirtualMachine);
        QVERIFY(std::abs(demo.leadS - (twin::StartupLatency{40.0, 90.0}.quantile(0.99) + 60.0)) <
                1e-9);
    }

    void provisionsAheadAndTearsDown()
    {
        auto c = fleetConfig();
        c.needs.push_back(need("demo", 7200, 9000, {"s-demo", "s-room"}));
        auto fleet = std::make_shared<sim::RuntimeFleet>(*sim::RuntimeFleet::make(c));
        auto policy = std::move(MeetingComputePolicy::make({})).value();
        const double lead = chooseRuntime(*fleet, 2, 0.0, 0.99, 60).leadS; // ≈ 186 s
        // Well before: nothing to start; batch unthrottled.
        auto early = policy->decide(at(fleet, 7200 - 600));
        QVERIFY(early);
        QVERIFY(!find(*early, ActionKind::PlaceVm, "w-demo"));
        QVERIFY(!find(*early, ActionKind::Throttle, "w-batch"));
        // Within the lead: the VM is placed (as a full VM), the room service too (container).
        const auto t = static_cast<Seconds>(7200 - lead) + 1;
        auto due = policy->decide(at(fleet, t));
        QVERIFY(due);
        const auto* place = find(*due, ActionKind::PlaceVm, "w-demo");
        QVERIFY(place != nullptr);
        QCOMPARE(place->text, std::string("virtual_machine"));
        QCOMPARE(place->destination, std::string("h"));
        // The room's container needs only ≈ 70 s: not due yet (each service its own lead).
        QVERIFY(find(*due, ActionKind::PlaceVm, "w-room") == nullptr);
        QVERIFY(policy->takeNotes().empty()); // known long before: prepared in time
        // Start them as the loop would, run to the meeting: both ready at start.
        fleet->step(0, t);
        QVERIFY(fleet->start(2, 0, WorkloadType::VirtualMachine).ok());
        QVERIFY(fleet->start(0, 0, WorkloadType::Container).ok());
        fleet->step(t, 7200 - t);
        QVERIFY(fleet->phase(2) == sim::WorkloadPhase::Running);
        // During it: batch throttled; the critical backup is left alone (never proposed).
        auto during = policy->decide(at(fleet, 7260));
        QVERIFY(during);
        const auto* thr = find(*during, ActionKind::Throttle, "w-batch");
        QVERIFY(thr != nullptr);
        QCOMPARE(thr->value, 20.0);
        QVERIFY(find(*during, ActionKind::Throttle, "w-backup") == nullptr);
        QVERIFY(!find(*during, ActionKind::Switch, "w-demo"));
        // After the end + teardown delay: stopped, and the batch restored.
        QVERIFY(fleet->throttle(3, 0.2).ok());
        fleet->step(7200, 9000 + 300 - 7200);
        auto after = policy->decide(at(fleet, 9300));
        QVERIFY(after);
        const auto* off = find(*after, ActionKind::Switch, "w-demo");
        QVERIFY(off != nullptr);
        QCOMPARE(off->value, 0.0);
        const auto* restore = find(*after, ActionKind::Throttle, "w-batch");
        QVERIFY(restore != nullptr);
        QCOMPARE(restore->value, 100.0);
    }

    void bookedTooLateIsReported()
    {
        auto c = fleetConfig();
        auto late = need("walk-in demo", 7200, 9000, {"s-demo"});
        late.bookedAt = 7200 - 120; // a full VM needs ≈ 186 s
        auto onTime = need("planned demo", 20000, 21000, {"s-demo"});
        onTime.bookedAt = 0;
        c.needs = {late, onTime};
        auto fleet = std::make_shared<sim::RuntimeFleet>(*sim::RuntimeFleet::make(c));
        auto policy = std::move(MeetingComputePolicy::make({})).value();
        // Before it is booked the policy does not know it.
        auto before = policy->decide(at(fleet, 7000));
        QVERIFY(before);
        QVERIFY(!find(*before, ActionKind::PlaceVm, "w-demo"));
        QVERIFY(policy->takeNotes().empty());
        auto booked = policy->decide(at(fleet, 7080));
        QVERIFY(booked);
        const auto notes = policy->takeNotes();
        QCOMPARE(notes.size(), std::size_t{1});
        QVERIFY2(notes[0].find("booked too late to prepare") != std::string::npos,
                 notes[0].c_str());
        QVERIFY(notes[0].find("walk-in demo") != std::string::npos);
        QVERIFY(notes[0].find("120 s before its start") != std::string::npos);
        QCOMPARE(policy->tooLate().size(), std::size_t{1});
        // Still provisioned at once (best effort), and reported only once.
        QVERIFY(find(*booked, ActionKind::PlaceVm, "w-demo") != nullptr);
        QVERIFY(policy->decide(at(fleet, 7140)));
        QVERIFY(policy->takeNotes().empty());
    }

    void guardNeverThrottlesCritical()
    {
        SafetyGuard guard;
        Action a;
        a.kind = ActionKind::Throttle;
        a.target = "w-backup";
        a.value = 20.0;
        const std::vector<ActionKind> kinds{ActionKind::Throttle, ActionKind::Switch,
                                            ActionKind::MigrateVm};
        const auto r = guard.check(a, 0, kinds, std::nullopt, std::nullopt, true);
        QVERIFY(r.verdict == Verdict::Rejected);
        QCOMPARE(r.rule, std::string("critical-workload"));
        a.kind = ActionKind::Switch;
        a.value = 0.0;
        QVERIFY(guard.check(a, 0, kinds, std::nullopt, std::nullopt, true).verdict ==
                Verdict::Rejected);
        a.kind = ActionKind::MigrateVm;
        a.destination = "h2";
        QVERIFY(guard.check(a, 0, kinds, std::nullopt, std::nullopt, true).verdict ==
                Verdict::Rejected);
        // Starting a critical workload is fine; so is throttling a non-critical one.
        a.kind = ActionKind::Switch;
        a.value = 1.0;
        QVERIFY(guard.check(a, 0, kinds, std::nullopt, std::nullopt, true).verdict ==
                Verdict::Accepted);
        a.kind = ActionKind::Throttle;
        a.value = 20.0;
        QVERIFY(guard.check(a, 0, kinds, std::nullopt, std::nullopt, false).verdict ==
                Verdict::Accepted);
    }

    void gpuInstancesNeedApprovalAboveCost()
    {
        auto fleet = std::make_shared<const sim::RuntimeFleet>(
            *sim::RuntimeFleet::make(fleetConfig()));
        const auto obs = at(fleet, 0);
        Action place;
        place.kind = ActionKind::PlaceVm;
        place.target = "w-demo";
        place.destination = "h";
        place.text = "virtual_machine";
        ApprovalConfig config; // threshold 1.0 per hour
        // 8 vCPU × 0.048 + 1 GPU × 2.0 = 2.384 per hour ≥ 1.0
        const auto need = assessAction(config, place, &obs);
        QCOMPARE(need.rules, std::vector<std::string>{"gpu-instance"});
        QVERIFY2(need.reasons[0].find("2.384") != std::string::npos, need.reasons[0].c_str());
        config.gpuInstanceCostPerHour = 3.0;
        QVERIFY(!assessAction(config, place, &obs).highImpact());
        config.gpuInstanceCostPerHour = 1.0;
        Action room = place;
        room.target = "w-room"; // no GPU
        room.text = "container";
        QVERIFY(!assessAction(config, room, &obs).highImpact());
        Action stop;
        stop.kind = ActionKind::Switch;
        stop.target = "w-demo";
        stop.value = 0.0;
        QVERIFY(!assessAction(config, stop, &obs).highImpact());
    }

    void monthDemoScenariosTwoWeeks()
    {
        // The shipped pair over two weeks (the Contoso demo on 15 January is booked two
        // minutes before it starts): deterministic, and the policy beats the baseline.
        const std::vector<std::pair<std::string, std::string>> twoWeeks{
            {"period.end", "\"2025-01-20T00:00\""}};
        auto runOf = [&](const std::string& file) {
            auto sc = sim::loadScenario(kSource / "assets/scenarios" / file, options(twoWeeks));
            if (!sc)
                qFatal("%s", sc.error().message.c_str());
            auto run = ScenarioRun::make(*sc, {});
            if (!run)
                qFatal("%s", run.error().message.c_str());
            if (auto st = (*run)->run(); !st)
                qFatal("%s", st.error().message.c_str());
            return std::move(run).value();
        };
        const auto base = runOf("runtime-baseline.json");
        const auto aware = runOf("runtime-meeting-aware.json");
        const auto again = runOf("runtime-meeting-aware.json");
        QCOMPARE(aware->engine().stateHash(), again->engine().stateHash());
        const auto b = *base->kpis().runtimes;
        const auto a = *aware->kpis().runtimes;
        QVERIFY(a.meetings >= 3);
        QCOMPARE(a.meetings, b.meetings);
        QVERIFY2(a.idleInstanceHours < 0.5 * b.idleInstanceHours,
                 (std::to_string(a.idleInstanceHours) + " vs " +
                  std::to_string(b.idleInstanceHours))
                     .c_str());
        QVERIFY(a.minutesOverObjective < b.minutesOverObjective);
        QVERIFY(a.costPerMeeting < b.costPerMeeting);
        const auto* policy = dynamic_cast<const MeetingComputePolicy*>(aware->policy());
        QVERIFY(policy != nullptr);
        QCOMPARE(policy->tooLate().size(), std::size_t{1});
        QVERIFY(policy->tooLate().begin()->find("Contoso") != std::string::npos);
        QVERIFY(aware->loop()->stats().notes >= 1);
        // The policy respects critical work itself: the guard had nothing to refuse.
        QCOMPARE(aware->loop()->stats().rejected, std::int64_t{0});
    }
};

TWINDESK_TEST(TestMeetingComputePolicy)
#include "tst_meeting_compute_policy.moc"
