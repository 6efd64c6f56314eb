// Dynamic VM consolidation (Beloglazov & Buyya 2012, CloudSim 3.0 semantics): the statistics and
// detectors on hand-computed histories, each selection rule and PABFD on small clusters, the
// under-utilised step and its PowerHost action, determinism and a PlanetLab invariant run.
#include "test_registry.h"

#include <twindesk/policies/consolidation.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

using namespace twindesk;
using namespace twindesk::policies;
using sim::ComputeCluster;
using sim::HostSpec;
using sim::Seconds;
using sim::VmSpec;

namespace {

constexpr Seconds kStep = 300;

// 100 W idle, +10 W per 10 % load: P(u) = 100 + 100 u.
sim::PowerModel linearModel(double slope = 100.0)
{
    std::array<double, 11> watts{};
    for (std::size_t i = 0; i < watts.size(); ++i)
        watts[i] = 100.0 + slope * static_cast<double>(i) / 10.0;
    return sim::PowerModel::fromTable(watts).value();
}

// 2 cores × 1000 MIPS, 4096 MB, 1 Gbit/s.
HostSpec makeHost(std::string id, double slope = 100.0)
{
    HostSpec h;
    h.id = std::move(id);
    h.cores = 2;
    h.mipsPerCore = 1000.0;
    h.ramMb = 4096.0;
    h.bandwidthMbps = 1000.0;
    h.power = linearModel(slope);
    return h;
}

VmSpec makeVm(std::string id, double mips, double ramMb, std::vector<float> trace)
{
    VmSpec v;
    v.id = std::move(id);
    v.mips = mips;
    v.ramMb = ramMb;
    v.bandwidthMbps = 100.0;
    v.utilisation = std::move(trace);
    return v;
}

sim::ComputeConfig cloudSimConfig()
{
    sim::ComputeConfig config;
    config.accounting = sim::Accounting::CloudSim;
    return config;
}

ConsolidationConfig thr(double threshold, VmSelection selection = VmSelection::Mmt)
{
    ConsolidationConfig config;
    config.detector = OverloadDetector::Thr;
    config.parameter = threshold;
    config.selection = selection;
    return config;
}

// Host A (index 0) with three 600-MIPS VMs at the given trace values, B and C empty but On.
// Stepped once so the demands are the traces' (600 × value).
ComputeCluster overloadedA(std::array<float, 3> traces, std::array<double, 3> ram,
                           double slopeB = 100.0, double slopeC = 100.0)
{
    std::vector<VmSpec> vms;
    for (std::size_t j = 0; j < 3; ++j)
        vms.push_back(makeVm("v" + std::to_string(j), 600, ram[j], {traces[j]}));
    auto cluster =
        ComputeCluster::make({makeHost("A"), makeHost("B", slopeB), makeHost("C", slopeC)},
                             std::move(vms), cloudSimConfig())
            .value();
    for (std::size_t j = 0; j < 3; ++j)
        (void)cluster.place(j, 0);
    (void)cluster.step(0, kStep);
    return cluster;
}

std::vector<std::string> migratedVms(const ConsolidationPlan& plan)
{
    std::vector<std::string> out;
    for (const auto& action : plan.actions)
        if (action.kind == sim::ActionKind::MigrateVm)
            out.push_back(action.target);
    return out;
}

std::filesystem::path planetLabDay(const char* day)
{
    return std::filesystem::path(TWINDESK_ANCHORS_DIR) / "planetlab" / day;
}

} // namespace

class TestConsolidation : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void statisticsAsMathUtil()
    {
        // median {1, 2, 3, 4}: pos = 0.5 × 5 = 2.5 → s[1] + 0.5 (s[2] − s[1]) = 2.5
        const std::vector<double> four{4, 1, 3, 2};
        QCOMPARE(median(four), 2.5);
        // MAD {1, 2, 3, 4, 100}: median 3; |deviations| {2, 1, 0, 1, 97} → median 1
        const std::vector<double> five{1, 2, 3, 4, 100};
        QCOMPARE(medianAbsoluteDeviation(five), 1.0);
        // IQR of 1..12: q1 = round(0.25 × 13) − 1 = round(3.25) − 1 = 2 → 3;
        //               q3 = round(0.75 × 13) − 1 = round(9.75) − 1 = 9 → 10; IQR = 7
        std::vector<double> twelve;
        for (int i = 12; i >= 1; --i)
            twelve.push_back(i);
        QCOMPARE(interQuartileRange(twelve), 7.0);
        // n = 30 (a full history): q1 = round(7.75) − 1 = 7, q3 = round(23.25) − 1 = 22
        std::vector<double> thirty;
        for (int i = 0; i < 30; ++i)
            thirty.push_back(i);
        QCOMPARE(interQuartileRange(thirty), 15.0);
    }

    void thresholdDetector()
    {
        const ConsolidationConfig config = thr(0.8);
        QVERIFY(detectOverload(config, {}, 0.81, 0).overloaded);
        QVERIFY(!detectOverload(config, {}, 0.8, 0).overloaded); // strictly above
    }

    void iqrDetector()
    {
        ConsolidationConfig config;
        config.detector = OverloadDetector::Iqr;
        config.parameter = 1.5;
        // 12 samples: six 0.5 and six 0.7; sorted, q1 = s[2] = 0.5, q3 = s[9] = 0.7,
        // IQR = 0.2 → threshold 1 − 1.5 × 0.2 = 0.7
        const std::vector<double> h{0.5, 0.7, 0.5, 0.7, 0.5, 0.7, 0.5, 0.7, 0.5, 0.7, 0.5, 0.7};
        const OverloadDecision over = detectOverload(config, h, 0.75, 0);
        QVERIFY(over.overloaded);
        QVERIFY(!over.fallback);
        QVERIFY(std::abs(over.threshold - 0.7) < 1e-12);
        QVERIFY(!detectOverload(config, h, 0.65, 0).overloaded);
        // Safety 0.5: threshold 1 − 0.5 × 0.2 = 0.9
        config.parameter = 0.5;
        QVERIFY(!detectOverload(config, h, 0.85, 0).overloaded);
    }

    void madDetector()
    {
        ConsolidationConfig config;
        config.detector = OverloadDetector::Mad;
        config.parameter = 2.5;
        // 12 samples: four each of 0.4, 0.5, 0.6 → median 0.5; |deviations| four 0 and eight
        // 0.1 → median 0.1; threshold 1 − 2.5 × 0.1 = 0.75
        const std::vector<double> h{0.4, 0.5, 0.6, 0.4, 0.5, 0.6, 0.4, 0.5, 0.6, 0.4, 0.5, 0.6};
        const OverloadDecision d = detectOverload(config, h, 0.76, 0);
        QVERIFY(d.overloaded);
        QVERIFY(std::abs(d.threshold - 0.75) < 1e-12);
        QVERIFY(!detectOverload(config, h, 0.74, 0).overloaded);
    }

    void fallbackWithShortHistories()
    {
        // IQR/MAD need 12 samples, LR/LRR 10: fewer → THR 0.7 on the requested utilisation.
        const std::vector<double> eleven(11, 0.5);
        const std::vector<double> nine(9, 0.5);
        for (const OverloadDetector detector : {OverloadDetector::Iqr, OverloadDetector::Mad,
                                                OverloadDetector::Lr, OverloadDetector::Lrr}) {
            ConsolidationConfig config;
            config.detector = detector;
            config.parameter = 1.5;
            const bool regression =
                detector == OverloadDetector::Lr || detector == OverloadDetector::Lrr;
            const std::vector<double>& shortHistory = regression ? nine : eleven;
            const OverloadDecision over = detectOverload(config, shortHistory, 0.71, 1);
            QVERIFY(over.fallback);
            QVERIFY(over.overloaded);
            QCOMPARE(over.threshold, 0.7);
            QVERIFY(!detectOverload(config, shortHistory, 0.7, 1).overloaded);
        }
    }

    void regressionDetectors()
    {
        // Oldest first y(x) = 0.05 + 0.05 x at x = 1..10 (0.10, 0.15, ..., 0.55): exact line, a =
        // 0.05, b = 0.05. One migration interval ahead: x = 10 + 1 = 11 → 0.6; × 1.2 = 0.72 < 1.
        std::vector<double> newestFirst;
        for (int x = 10; x >= 1; --x)
            newestFirst.push_back(0.05 + 0.05 * x);
        std::vector<double> oldestFirst(newestFirst.rbegin(), newestFirst.rend());
        const LineFit fit = loessEstimates(oldestFirst);
        QVERIFY(std::abs(fit.intercept - 0.05) < 1e-12);
        QVERIFY(std::abs(fit.slope - 0.05) < 1e-12);
        ConsolidationConfig config; // LR-MMT-1.2
        OverloadDecision d = detectOverload(config, newestFirst, 0.5, 1);
        QVERIFY(!d.overloaded);
        QVERIFY(std::abs(d.threshold - 0.72) < 1e-12);
        // y = 0.08 x: at x = 11, 0.88 × 1.2 = 1.056 ≥ 1 → overloaded, whatever u is now.
        std::vector<double> steeper;
        for (int x = 10; x >= 1; --x)
            steeper.push_back(0.08 * x);
        d = detectOverload(config, steeper, 0.1, 1);
        QVERIFY(d.overloaded);
        QVERIFY(std::abs(d.threshold - 1.056) < 1e-12);
        // Two intervals ahead (a migration longer than one interval) on the first line:
        // x = 12 → 0.65 × 1.2 = 0.78.
        QVERIFY(std::abs(detectOverload(config, newestFirst, 0.5, 2).threshold - 0.78) < 1e-12);
        // Only the newest 10 samples count: older ones do not change the fit.
        std::vector<double> longer = newestFirst;
        longer.insert(longer.end(), {0.9, 0.9, 0.9});
        QCOMPARE(detectOverload(config, longer, 0.5, 1).threshold,
                 detectOverload(config, newestFirst, 0.5, 1).threshold);
    }

    void robustRegressionMatchesCloudSim()
    {
        // CloudSim's bisquare weights are all > 0, so its rule (weights only when ≥ 40 % are
        // ≤ 0) leaves the fit unweighted: LRR's estimates equal LR's on noisy data.
        const std::vector<double> y{0.2, 0.35, 0.1, 0.4, 0.3, 0.25, 0.6, 0.45, 0.5, 0.7};
        const LineFit lr = loessEstimates(y);
        const LineFit lrr = robustLoessEstimates(y);
        QCOMPARE(lrr.intercept, lr.intercept);
        QCOMPARE(lrr.slope, lr.slope);
        // OLS by hand: x̄ = 5.5, ȳ = 0.385, Sxx = 82.5,
        // Sxy = Σ (x − 5.5) y = −0.9 − 1.225 − 0.25 − 0.6 − 0.15 + 0.125 + 0.9 + 1.125 + 1.75
        //     + 3.15 = 3.925 → b = 3.925 / 82.5 = 0.0475758, a = 0.385 − 5.5 b = 0.1233333
        QVERIFY(std::abs(lr.slope - 3.925 / 82.5) < 1e-12);
        QVERIFY(std::abs(lr.intercept - (0.385 - 5.5 * 3.925 / 82.5)) < 1e-12);
    }

    void multipleCorrelationTwoRows()
    {
        // Two rows: R² = r². {1,2,3,4} vs {1,3,2,4}: deviations (−1.5, −.5, .5, 1.5) and
        // (−1.5, .5, −.5, 1.5); covariance sum 4, variance sums 5 → r = 0.8, R² = 0.64.
        const std::vector<std::vector<double>> rows{{1, 2, 3, 4}, {1, 3, 2, 4}};
        const std::vector<double> r2 = multipleCorrelations(rows);
        QCOMPARE(r2.size(), std::size_t{2});
        QVERIFY(std::abs(r2[0] - 0.64) < 1e-12);
        QVERIFY(std::abs(r2[1] - 0.64) < 1e-12);
        // CloudSim throws (→ MMT) with one row, fewer samples than rows, or a singular design.
        QVERIFY(multipleCorrelations({{1, 2, 3}}).empty());
        QVERIFY(multipleCorrelations({{1, 2}, {2, 1}, {3, 3}}).empty());
        QVERIFY(multipleCorrelations({{1, 2, 3, 4}, {0, 0, 0, 0}}).empty());
    }

    void mmtSelectsLeastRamUntilNotOverloaded()
    {
        // A: 3 × 600 MIPS at 100 % = 1800 / 2000 = 0.9 > 0.8. MMT takes the least RAM (v1,
        // 300 MB): 1200 / 2000 = 0.6 → done. With THR 0.5 it also takes v0 (500 MB): 0.3.
        ComputeCluster cluster = overloadedA({1.0F, 1.0F, 1.0F}, {500, 300, 800});
        ConsolidationPlan plan = planConsolidation(cluster, thr(0.8));
        QCOMPARE(plan.overloadedHosts, std::vector<std::size_t>{0});
        QCOMPARE(plan.vmsSelected, std::size_t{1});
        QCOMPARE(migratedVms(plan), std::vector<std::string>{"v1"});
        plan = planConsolidation(cluster, thr(0.5));
        QCOMPARE(plan.vmsSelected, std::size_t{2});
        // Both go (decreasing demand, equal: selection order) by PABFD: v1 to B (first of the
        // equal increases 0.3 × 100 W), then v0: B would be at 0.6 (+60 W vs its start 0 %) and
        // C at 0.3 (+30 W) → C.
        QCOMPARE(migratedVms(plan), (std::vector<std::string>{"v1", "v0"}));
        QCOMPARE(plan.actions[0].destination, std::string("B"));
        QCOMPARE(plan.actions[1].destination, std::string("C"));
    }

    void muSelectsLeastUtilisation()
    {
        // Traces 1.0, 0.9, 0.95 → 600 + 540 + 570 = 1710 / 2000 = 0.855 > 0.8. MU takes v1
        // (0.9 of its MIPS): 1170 / 2000 = 0.585 → done. MMT would take v2 (least RAM).
        ComputeCluster cluster = overloadedA({1.0F, 0.9F, 0.95F}, {500, 800, 300});
        QCOMPARE(migratedVms(planConsolidation(cluster, thr(0.8, VmSelection::Mu))),
                 std::vector<std::string>{"v1"});
        QCOMPARE(migratedVms(planConsolidation(cluster, thr(0.8, VmSelection::Mmt))),
                 std::vector<std::string>{"v2"});
    }

    void rsIsSeededAndUniformOverMigratable()
    {
        ComputeCluster cluster = overloadedA({1.0F, 1.0F, 1.0F}, {500, 300, 800});
        std::array<int, 3> seen{};
        for (std::uint64_t seed = 0; seed < 60; ++seed) {
            ConsolidationConfig config = thr(0.8, VmSelection::Rs);
            config.seed = seed;
            const auto first = migratedVms(planConsolidation(cluster, config));
            QCOMPARE(first.size(), std::size_t{1});
            QCOMPARE(migratedVms(planConsolidation(cluster, config)), first); // same seed
            ++seen[static_cast<std::size_t>(first[0][1] - '0')];
        }
        for (const int count : seen)
            QVERIFY(count > 5); // every VM drawn (60 draws over 3)
    }

    void mcSelectsTheMostCorrelatedVm()
    {
        // v0 and v1 move together (v1 = 0.2 + 0.5 v0 ± 0.02), v2 does not: R²(v0 | v1, v2) and
        // R²(v1 | v0, v2) are near 1, R²(v2 | v0, v1) is not. MC takes v0 or v1; MMT would take
        // v2 (least RAM). (An exactly collinear pair would make v2's design near-singular and
        // its R² meaningless, in CloudSim as here.)
        const std::vector<float> a{0.9F, 0.5F,  0.7F,  0.6F,  1.0F,  0.4F, 0.8F,
                                   0.3F, 0.65F, 0.55F, 0.95F, 0.45F, 0.75F};
        const std::vector<float> noise{0.02F, -0.01F, 0.0F,   0.01F, -0.02F, 0.02F, -0.01F,
                                       0.0F,  0.01F,  -0.02F, 0.01F, 0.0F,   -0.01F};
        std::vector<float> b;
        for (std::size_t i = 0; i < a.size(); ++i)
            b.push_back(0.2F + 0.5F * a[i] + noise[i]);
        const std::vector<float> c{0.5F, 0.9F, 0.5F, 0.8F, 0.6F, 0.7F, 0.4F,
                                   0.9F, 0.6F, 0.5F, 0.8F, 0.7F, 0.6F};
        auto cluster = ComputeCluster::make({makeHost("A"), makeHost("B"), makeHost("C")},
                                            {makeVm("v0", 600, 500, a), makeVm("v1", 600, 800, b),
                                             makeVm("v2", 600, 300, c)},
                                            cloudSimConfig())
                           .value();
        for (std::size_t j = 0; j < 3; ++j)
            QVERIFY(cluster.place(j, 0).ok());
        for (int k = 0; k < 12; ++k) // 12 history samples ≥ 3 VMs
            QVERIFY(cluster.step(k * kStep, kStep).ok());
        ConsolidationPlan plan = planConsolidation(cluster, thr(0.3, VmSelection::Mc));
        QVERIFY(plan.vmsSelected >= 1);
        QCOMPARE(plan.mcFallbacks, std::size_t{0});
        const std::string first = migratedVms(plan).empty() ? "" : plan.actions[0].target;
        QVERIFY2(first == "v0" || first == "v1", first.c_str());
        // With one sample per VM the regression is impossible: MC falls back to MMT (v2).
        auto fresh = ComputeCluster::make({makeHost("A"), makeHost("B"), makeHost("C")},
                                          {makeVm("v0", 600, 500, a), makeVm("v1", 600, 800, b),
                                           makeVm("v2", 600, 300, c)},
                                          cloudSimConfig())
                         .value();
        for (std::size_t j = 0; j < 3; ++j)
            QVERIFY(fresh.place(j, 0).ok());
        QVERIFY(fresh.step(0, kStep).ok());
        plan = planConsolidation(fresh, thr(0.3, VmSelection::Mc));
        QVERIFY(plan.mcFallbacks >= 1);
        QCOMPARE(plan.actions.at(0).target, std::string("v2"));
    }

    void pabfdChoosesLeastPowerIncrease()
    {
        // B draws 100 + 200 u, C 100 + 50 u. v1 (600 MIPS = 0.3 of a host) costs +60 W on B,
        // +15 W on C → C, although B comes first.
        ComputeCluster cluster = overloadedA({1.0F, 1.0F, 1.0F}, {500, 300, 800}, 200.0, 50.0);
        const ConsolidationPlan plan = planConsolidation(cluster, thr(0.8));
        QCOMPARE(plan.actions.size(), std::size_t{2}); // the migration, then B (idle) off
        QCOMPARE(plan.actions[0].kind, sim::ActionKind::MigrateVm);
        QCOMPARE(plan.actions[0].target, std::string("v1"));
        QCOMPARE(plan.actions[0].destination, std::string("C"));
        QCOMPARE(plan.actions[1].kind, sim::ActionKind::PowerHost);
        QCOMPARE(plan.actions[1].target, std::string("B"));
        QCOMPARE(plan.actions[1].value, 0.0);
        QVERIFY(applyConsolidationPlan(cluster, plan).ok());
        QCOMPARE(cluster.vmMigrationTarget(1), std::size_t{2});
    }

    void pabfdSkipsHostsOverloadedAfterPlacement()
    {
        // A at 0.9 sends v1 (0.3). B already runs at 0.6 (two 600-MIPS VMs at 100 %): 0.9 >
        // 0.8 after placement → refused although cheapest (B's slope 50); C (slope 200) takes it.
        auto cluster =
            ComputeCluster::make({makeHost("A"), makeHost("B", 50.0), makeHost("C", 200.0)},
                                 {makeVm("v0", 600, 500, {1.0F}), makeVm("v1", 600, 300, {1.0F}),
                                  makeVm("v2", 600, 800, {1.0F}), makeVm("w0", 600, 500, {1.0F}),
                                  makeVm("w1", 600, 500, {1.0F})},
                                 cloudSimConfig())
                .value();
        for (std::size_t j = 0; j < 3; ++j)
            QVERIFY(cluster.place(j, 0).ok());
        QVERIFY(cluster.place(3, 1).ok() && cluster.place(4, 1).ok());
        QVERIFY(cluster.step(0, kStep).ok());
        const ConsolidationPlan plan = planConsolidation(cluster, thr(0.8));
        QCOMPARE(plan.actions.at(0).target, std::string("v1"));
        QCOMPARE(plan.actions.at(0).destination, std::string("C"));
    }

    void placePabfdRespectsTheThreshold()
    {
        // Three 600-MIPS VMs asking full MIPS on two linear hosts, THR 0.8. v0 → A (tie, first);
        // v1: A would be at 0.6 (+60 W over its start P(0)), B at 0.3 (+30 W) → B; v2: +60 W
        // on both → A (first); A = 1200 / 2000 = 0.6 ≤ 0.8.
        auto cluster =
            ComputeCluster::make({makeHost("A"), makeHost("B")},
                                 {makeVm("v0", 600, 500, {0.5F}), makeVm("v1", 600, 500, {0.5F}),
                                  makeVm("v2", 600, 500, {0.5F})},
                                 cloudSimConfig())
                .value();
        const auto placed = placePabfd(cluster, thr(0.8));
        QVERIFY(placed.ok());
        QCOMPARE(placed->placed, std::size_t{3});
        QCOMPARE(placed->overloadIgnored, std::size_t{0});
        QCOMPARE(cluster.vmHost(0), std::size_t{0});
        QCOMPARE(cluster.vmHost(1), std::size_t{1});
        QCOMPARE(cluster.vmHost(2), std::size_t{0});
    }

    void underUtilisedHostIsEmptiedThenSwitchedOff()
    {
        // A runs v0 at 0.1 × 600 = 60 MIPS (3 %), B runs v1 at 0.5 × 600 (15 %), C is idle.
        // No host is overloaded; the least-used active host A moves v0 to B (C is excluded as
        // "switched off": 0 % at the round's start). C gets PowerHost 0 now, A next round.
        auto cluster =
            ComputeCluster::make({makeHost("A"), makeHost("B"), makeHost("C")},
                                 {makeVm("v0", 600, 500, {0.1F}), makeVm("v1", 600, 500, {0.5F})},
                                 cloudSimConfig())
                .value();
        QVERIFY(cluster.place(0, 0).ok() && cluster.place(1, 1).ok());
        QVERIFY(cluster.step(0, kStep).ok());
        ConsolidationPlan plan = planConsolidation(cluster, thr(0.8));
        QVERIFY(plan.overloadedHosts.empty());
        QCOMPARE(plan.evacuatedHosts, std::vector<std::size_t>{0});
        QCOMPARE(plan.actions.size(), std::size_t{2});
        QCOMPARE(plan.actions[0].kind, sim::ActionKind::MigrateVm);
        QCOMPARE(plan.actions[0].target, std::string("v0"));
        QCOMPARE(plan.actions[0].destination, std::string("B"));
        QCOMPARE(plan.actions[1].kind, sim::ActionKind::PowerHost);
        QCOMPARE(plan.actions[1].target, std::string("C"));
        QCOMPARE(plan.actions[1].value, 0.0);
        QVERIFY(applyConsolidationPlan(cluster, plan).ok());
        QVERIFY(cluster.step(kStep, kStep).ok()); // 500 MB / 62.5 MB/s = 8 s
        plan = planConsolidation(cluster, thr(0.8));
        QCOMPARE(plan.actions.size(), std::size_t{1});
        QCOMPARE(plan.actions[0].kind, sim::ActionKind::PowerHost);
        QCOMPARE(plan.actions[0].target, std::string("A"));
        QVERIFY(applyConsolidationPlan(cluster, plan).ok());
        QCOMPARE(cluster.hostState(0), sim::HostState::Off);
        QCOMPARE(cluster.hostState(2), sim::HostState::Off);
        // All or nothing: B alone (the only active host) finds no destination → no action.
        QVERIFY(cluster.step(2 * kStep, kStep).ok());
        QVERIFY(planConsolidation(cluster, thr(0.8)).actions.empty());
    }

    void offHostsAreWokenForOverloadedVms()
    {
        // B and C off: the overloaded A's VM goes to B, switched on first.
        ComputeCluster cluster = overloadedA({1.0F, 1.0F, 1.0F}, {500, 300, 800});
        QVERIFY(cluster.setHostPower(1, false).ok() && cluster.setHostPower(2, false).ok());
        const ConsolidationPlan plan = planConsolidation(cluster, thr(0.8));
        QCOMPARE(plan.actions.size(), std::size_t{2});
        QCOMPARE(plan.actions[0].kind, sim::ActionKind::PowerHost);
        QCOMPARE(plan.actions[0].target, std::string("B"));
        QCOMPARE(plan.actions[0].value, 1.0);
        QCOMPARE(plan.actions[1].destination, std::string("B"));
        QCOMPARE(plan.hostsPoweredOn, std::size_t{1});
        QVERIFY(applyConsolidationPlan(cluster, plan).ok());
    }

    void detectorFallsBackOnAClusterWithShortHistory()
    {
        // One history sample: IQR falls back to THR 0.7. A at 0.9 → overloaded; B at 0.6 not.
        ComputeCluster cluster = overloadedA({1.0F, 1.0F, 1.0F}, {500, 300, 800});
        ConsolidationConfig config;
        config.detector = OverloadDetector::Iqr;
        config.parameter = 1.5;
        const ConsolidationPlan plan = planConsolidation(cluster, config);
        QCOMPARE(plan.overloadedHosts, std::vector<std::size_t>{0});
        QVERIFY(plan.fallbackDecisions > 0);
        // 1800 → 1200 MIPS after v1 leaves: 0.6 ≤ 0.7, one VM selected.
        QCOMPARE(plan.vmsSelected, std::size_t{1});
    }

    void parsesPolicyNames()
    {
        const auto config = ConsolidationConfig::parse("lrr-mc-1.2");
        QVERIFY(config.ok());
        QCOMPARE(config->detector, OverloadDetector::Lrr);
        QCOMPARE(config->selection, VmSelection::Mc);
        QCOMPARE(config->parameter, 1.2);
        QCOMPARE(config->name(), std::string("LRR-MC-1.2"));
        QCOMPARE(ConsolidationConfig::parse("THR-MMT-0.8")->name(), std::string("THR-MMT-0.8"));
        QVERIFY(!ConsolidationConfig::parse("XYZ-MMT-1").ok());
        QVERIFY(!ConsolidationConfig::parse("LR-ABC-1").ok());
        QVERIFY(!ConsolidationConfig::parse("LR-MMT").ok());
        QVERIFY(!ConsolidationConfig::parse("LR-MMT-x").ok());
    }

    void planetLabDayKeepsInvariantsAndIsDeterministic()
    {
        const auto folder = planetLabDay("20110303");
        if (!std::filesystem::exists(folder))
            QSKIP("PlanetLab traces not found at TWINDESK_ANCHORS_DIR/planetlab/20110303");
        // A fifth of the experiment (210 VMs, 160 hosts) for the whole day, twice.
        const auto vms = sim::loadPlanetLabDay(folder, 210);
        QVERIFY2(vms.ok(), vms.ok() ? "" : vms.error().toString().c_str());
        std::array<std::uint64_t, 2> hashes{};
        std::array<std::int64_t, 2> migrations{};
        for (std::size_t run = 0; run < 2; ++run) {
            auto cluster =
                ComputeCluster::make(sim::planetLabHosts(160), *vms, cloudSimConfig()).value();
            ConsolidationConfig config; // LR-MMT-1.2
            const auto placed = placePabfd(cluster, config);
            QVERIFY(placed.ok());
            for (int k = 0; k < 288; ++k) {
                QVERIFY(cluster.step(k * kStep, kStep).ok());
                for (std::size_t j = 0; j < cluster.vmCount(); ++j)
                    QVERIFY(cluster.vmHost(j) != sim::kNoHost);
                for (std::size_t h = 0; h < cluster.hostCount(); ++h)
                    QVERIFY(cluster.hostAllocatedMips(h) <= cluster.hostTotalMips(h) * (1 + 1e-9));
                const ConsolidationPlan plan = planConsolidation(cluster, config);
                if (k == 100 && run == 0)
                    QCOMPARE(planConsolidation(cluster, config).actions, plan.actions);
                QVERIFY(applyConsolidationPlan(cluster, plan).ok());
            }
            hashes[run] = cluster.stateHash();
            migrations[run] = cluster.metrics().migrations;
        }
        QCOMPARE(hashes[0], hashes[1]);
        QVERIFY(migrations[0] > 0);
    }
};

TWINDESK_TEST(TestConsolidation)
#include "tst_consolidation.moc"
