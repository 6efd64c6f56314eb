// Tests for twindesk/sim/runtime.h: workload lifecycle and warm pools, the latency model on
// hand-computed cases, energy and cost accounting, meeting outcomes, determinism.
#include "test_registry.h"

#include <twindesk/sim/runtime.h>

#include <QObject>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace twindesk::sim;
using twindesk::twin::WorkloadType;

namespace {

/// A flat power table: 100 W idle, 200 W at full load, linear.
PowerModel linearPower()
{
    std::vector<double> w;
    for (int i = 0; i <= 10; ++i)
        w.push_back(100.0 + 10.0 * i);
    return *PowerModel::fromTable(w);
}

/// Exact start-ups (median = p95: no spread), no CPU overhead: numbers by hand.
RuntimeConfig handConfig()
{
    RuntimeConfig c;
    c.start = 0;
    c.seed = 1;
    for (auto& p : c.profiles) {
        p.cold = {10.0, 10.0};
        p.warm = {1.0, 1.0};
        p.stopS = 5.0;
        p.cpuOverhead = 0.0;
        p.memoryOverheadMb = 0.0;
    }
    c.hosts.push_back({"h1", 4.0, 16384.0, linearPower(), {}});
    c.hosts.push_back({"h2", 4.0, 16384.0, linearPower(), {1, 24.0, 30.0, 300.0}});
    RuntimeWorkloadSpec svc;
    svc.id = "w-svc";
    svc.kind = WorkloadType::Container;
    svc.cores = 1.0;
    svc.host = "h1";
    RuntimeWorkloadSpec batch;
    batch.id = "w-batch";
    batch.kind = WorkloadType::Container;
    batch.cores = 2.0;
    batch.batch = true;
    batch.running = true;
    batch.host = "h1";
    c.workloads = {svc, batch};
    c.services.push_back({"s-conf", "w-svc", 20.0, 80.0, {}});
    return c;
}

} // namespace

class TestRuntime : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void latencyModelHandCases()
    {
        // R = base (1 + o) / (1 − ρ), capped at 50 × base (1 + o).
        QCOMPARE(serviceLatencyMs(20.0, 0.0, 0.0, 50.0), 20.0);
        QVERIFY(std::abs(serviceLatencyMs(20.0, 0.01, 0.5, 50.0) - 40.4) < 1e-12);
        QVERIFY(std::abs(serviceLatencyMs(20.0, 0.01, 0.8, 50.0) - 101.0) < 1e-9);
        QVERIFY(std::abs(serviceLatencyMs(20.0, 0.30, 0.5, 50.0) - 52.0) < 1e-12); // WASM
        QCOMPARE(serviceLatencyMs(20.0, 0.0, 0.99, 50.0), 1000.0); // 2000 capped at 1000
        QCOMPARE(serviceLatencyMs(20.0, 0.0, 1.3, 50.0), 1000.0);  // saturated
    }

    void lifecycleAndContention()
    {
        auto f = RuntimeFleet::make(handConfig());
        QVERIFY2(f, f ? "" : f.error().message.c_str());
        const auto svc = *f->workloadIndex("w-svc");
        const auto batch = *f->workloadIndex("w-batch");
        QVERIFY(f->phase(svc) == WorkloadPhase::Gone);
        QVERIFY(f->phase(batch) == WorkloadPhase::Running);
        QVERIFY(std::isinf(f->serviceLatency(0)));
        QVERIFY(f->start(svc, 0).ok());
        QVERIFY(f->phase(svc) == WorkloadPhase::Starting);
        QVERIFY(!f->start(svc, 0)); // already starting
        QVERIFY(f->step(0, 5).ok());
        QVERIFY(f->phase(svc) == WorkloadPhase::Starting); // ready at 10 s
        QVERIFY(f->step(5, 5).ok());
        QVERIFY(f->phase(svc) == WorkloadPhase::Running);
        // ρ = (1 + 2) / 4 = 0.75 → 20 / 0.25 = 80 ms.
        QCOMPARE(f->hostUtilisation(0), 0.75);
        QVERIFY(std::abs(f->serviceLatency(0) - 80.0) < 1e-12);
        // Throttling the batch job to 50 %: ρ = (1 + 1) / 4 = 0.5 → 40 ms.
        QVERIFY(f->throttle(batch, 0.5).ok());
        QVERIFY(std::abs(f->serviceLatency(0) - 40.0) < 1e-12);
        // Moving it away: it stops on h1 (5 s), cold-starts on h2 (10 s more).
        QVERIFY(f->move(batch, 1).ok());
        QVERIFY(f->phase(batch) == WorkloadPhase::Stopping);
        QVERIFY(std::abs(f->serviceLatency(0) - 20.0 / 0.75) < 1e-12); // only itself: ρ = 0.25
        QVERIFY(f->step(10, 10).ok());                                   // gone at 15, starts
        QVERIFY(f->phase(batch) == WorkloadPhase::Starting);
        QCOMPARE(f->host(batch), std::size_t{1});
        QVERIFY(f->step(20, 10).ok()); // ready at 25
        QVERIFY(f->phase(batch) == WorkloadPhase::Running);
        QCOMPARE(f->hostUtilisation(1), 0.25); // 2 cores × 0.5 throttle / 4
        QVERIFY(f->stop(svc).ok());
        QVERIFY(f->step(30, 10).ok());
        QVERIFY(f->phase(svc) == WorkloadPhase::Gone);
        const auto m = f->metrics();
        QCOMPARE(m.starts, std::int64_t{1});
        QCOMPARE(m.moves, std::int64_t{1});
        QCOMPARE(m.stops, std::int64_t{1});
        QCOMPARE(m.throttles, std::int64_t{1});
    }

    void warmPools()
    {
        auto c = handConfig();
        c.pools.push_back({WorkloadType::Container, "h1", 1});
        RuntimeWorkloadSpec second = c.workloads[0];
        second.id = "w-svc2";
        c.workloads.push_back(second);
        auto f = RuntimeFleet::make(c);
        QVERIFY(f);
        QCOMPARE(f->idleWarm(0), 1);
        QVERIFY(f->start(0, 0).ok()); // takes the warm instance: ready at 1 s
        QCOMPARE(f->readyAt(0), 1.0);
        QCOMPARE(f->idleWarm(0), 0);
        QVERIFY(f->start(2, 0).ok()); // pool empty: cold, ready at 10 s
        QCOMPARE(f->readyAt(2), 10.0);
        // A warm start of a different kind does not use the container pool.
        QVERIFY(f->step(0, 9).ok());
        QCOMPARE(f->idleWarm(0), 0); // re-warms at 0 + 10 s (a cold start)
        QVERIFY(f->step(9, 1).ok());
        QCOMPARE(f->idleWarm(0), 1);
        QCOMPARE(f->metrics().warmStarts, std::int64_t{1});
        QCOMPARE(f->metrics().starts, std::int64_t{2});
        // The idle pool instance costs 25 % of a 1-vCPU container-hour while idle: 10 s of
        // idle at the start is not counted (taken at once), then 0..9 s none, 10 s: one idle.
        QVERIFY(f->step(10, 3600).ok());
        const double expected = 0.040 * 0.25 * 1.0; // one idle instance for one hour
        QVERIFY(std::abs(f->metrics().warmPoolCost - expected) < 1e-12);
    }

    void energyAndCost()
    {
        auto c = handConfig();
        c.workloads[1].running = false; // no batch
        c.workloads[0].host = "h2";
        c.workloads[0].gpus = 1;
        c.workloads[0].cores = 2.0;
        c.workloads[0].running = true;
        auto f = RuntimeFleet::make(c);
        QVERIFY2(f, f ? "" : f.error().message.c_str());
        // h1 idle: 100 W. h2: ρ = 0.5 → 150 W + one busy GPU 300 W = 450 W.
        QCOMPARE(f->hostPowerW(0), 100.0);
        QCOMPARE(f->hostPowerW(1), 450.0);
        QVERIFY(f->step(0, 3600).ok());
        const auto m = f->metrics();
        QVERIFY(std::abs(m.hostEnergyKwh - 0.55) < 1e-12);
        // The workload: dynamic 50 W + GPU 300 W = 0.35 kWh.
        QVERIFY(std::abs(m.serviceEnergyKwh - 0.35) < 1e-12);
        // Instance: 0.040 × 2 vCPU + 1 GPU × 2.0 = 2.08 per hour.
        QVERIFY(std::abs(m.instanceCost - 2.08) < 1e-12);
        QVERIFY(std::abs(m.serviceCost - (2.08 + 0.35 * 0.25)) < 1e-12);
        QVERIFY(std::abs(m.energyCost - 0.55 * 0.25) < 1e-12);
        // No meeting needed it: one idle instance-hour and one idle GPU-hour.
        QVERIFY(std::abs(m.idleInstanceHours - 1.0) < 1e-12);
        QVERIFY(std::abs(m.idleGpuHours - 1.0) < 1e-12);
    }

    void refusals()
    {
        auto c = handConfig();
        c.workloads[0].gpus = 1;
        auto f = RuntimeFleet::make(c);
        QVERIFY(f);
        const auto micro = f->start(0, 1, WorkloadType::MicroVm);
        QVERIFY(!micro);
        QVERIFY(micro.error().message.find("cannot hold a GPU") != std::string::npos);
        const auto noGpu = f->start(0, 0); // h1 has no GPU
        QVERIFY(!noGpu);
        QVERIFY(noGpu.error().message.find("GPU") != std::string::npos);
        QVERIFY(f->start(0, 1, WorkloadType::VirtualMachine).ok());
        auto big = handConfig();
        big.workloads[0].ramMb = 1e6;
        big.workloads[0].running = true;
        const auto made = RuntimeFleet::make(big);
        QVERIFY(!made);
        QVERIFY(made.error().message.find("MB free") != std::string::npos);
        auto badRef = handConfig();
        badRef.services[0].workload = "nope";
        QVERIFY(!RuntimeFleet::make(badRef));
    }

    void meetingOutcomes()
    {
        auto c = handConfig();
        MeetingNeed early; // starts at 60; the service is asked for at 55: 5 s late
        early.room = "r1";
        early.title = "early";
        early.start = 60;
        early.end = 660;
        early.services = {"s-conf"};
        MeetingNeed later = early; // 720..1320, service long running by then
        later.title = "later";
        later.start = 720;
        later.end = 1320;
        c.needs = {later, early}; // make() sorts by start
        auto f = RuntimeFleet::make(c);
        QVERIFY(f);
        QVERIFY(f->step(0, 55).ok());
        QVERIFY(f->start(0, 0).ok()); // ready at 65
        QVERIFY(f->step(55, 5).ok());
        QVERIFY(f->step(60, 1440).ok());
        const auto& o = f->outcomes();
        QVERIFY(o[0].started && o[1].started);
        QVERIFY(!o[0].readyAtStart); // "early" (sorted first)
        QVERIFY(o[1].readyAtStart);
        // 5 s unavailable; then ρ = 0.75 → exactly 80 ms = the objective: not over.
        QVERIFY(std::abs(o[0].minutesOver - 5.0 / 60.0) < 1e-12);
        QCOMPARE(o[1].minutesOver, 0.0);
        QVERIFY(std::abs(o[1].maxLatencyMs - 80.0) < 1e-12);
        const auto m = f->metrics();
        QCOMPARE(m.meetings, std::int64_t{2});
        QCOMPARE(m.meetingsNotReady, std::int64_t{1});
        // Idle: billed (starting or running) 55..1500 outside the meetings 60..660 and
        // 720..1320: 5 + 60 + 180 s.
        QVERIFY2(std::abs(m.idleInstanceHours - 245.0 / 3600.0) < 1e-9,
                 std::to_string(m.idleInstanceHours * 3600.0).c_str());
    }

    void seededStartupDistribution()
    {
        // Cold starts of 2 s median, 6 s p95: the sample median and p95 are close.
        RuntimeConfig c;
        c.seed = 7;
        c.hosts.push_back({"h", 1000.0, 1e9, linearPower(), {}});
        for (int i = 0; i < 2000; ++i) {
            RuntimeWorkloadSpec w;
            w.id = "w" + std::to_string(i);
            w.host = "h";
            w.cores = 0.01;
            c.workloads.push_back(w);
        }
        auto f = RuntimeFleet::make(c);
        QVERIFY(f);
        std::vector<double> lat;
        for (std::size_t i = 0; i < 2000; ++i) {
            QVERIFY(f->start(i, 0).ok());
            lat.push_back(f->readyAt(i));
        }
        std::sort(lat.begin(), lat.end());
        QVERIFY(std::abs(lat[1000] - 2.0) < 0.2);
        QVERIFY(std::abs(lat[1900] - 6.0) < 0.8);
    }

    void determinism()
    {
        auto run = [](std::uint64_t seed) {
            auto c = handConfig();
            c.seed = seed;
            c.profiles = twindesk::twin::defaultRuntimeProfiles();
            c.pools.push_back({WorkloadType::Container, "h1", 1});
            auto f = *RuntimeFleet::make(c);
            for (Seconds t = 0; t < 3600; t += 60) {
                if (t % 600 == 0)
                    (void)f.start(0, 0);
                if (t % 600 == 300)
                    (void)f.stop(0);
                (void)f.step(t, 60);
            }
            return std::pair{f.stateHash(), f.metrics()};
        };
        const auto a = run(42);
        const auto b = run(42);
        QCOMPARE(a.first, b.first);
        QVERIFY(a.second == b.second);
        QVERIFY(run(43).first != a.first);
    }
};

TWINDESK_TEST(TestRuntime)
#include "tst_runtime.moc"
