// VM consolidation through the one control loop (ConsolidationPolicy + ScenarioRun on the
// shipped PlanetLab scenarios): the loop reproduces the planner run bit for bit, the issue's
// invariants hold every step, the NPA baseline draws full power all day, compute commands are
// refused at once with their reason, and a learned detector whose model is missing or returns
// NaN falls back to LR-MMT-1.2 — logged, and with LR-MMT-1.2's exact result.
#include "test_registry.h"

#include <twindesk/policies/consolidation.h>
#include <twindesk/policies/consolidation_policy.h>
#include <twindesk/policies/decision_log.h>
#include <twindesk/policies/scenario_run.h>
#include <twindesk/sim/compute.h>
#include <twindesk/sim/engine.h>
#include <twindesk/sim/scenario.h>
#include <twindesk/twin/project_store.h>

#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

using namespace twindesk;
using namespace twindesk::policies;
namespace fs = std::filesystem;

namespace {

const fs::path kSource = TWINDESK_SOURCE_DIR;
const fs::path kDay = fs::path(TWINDESK_ANCHORS_DIR) / "planetlab" / "20110303";
constexpr std::size_t kVms = 210;   // a fifth of the day's 1052 VMs
constexpr std::size_t kHosts = 160; // and of the 800 hosts

/// A folder holding links to the first kVms trace files of the day (sorted by name, as
/// loadPlanetLabDay orders them).
bool linkTraces(const fs::path& into)
{
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(kDay))
        if (entry.is_regular_file() && entry.path().filename().string().front() != '.')
            files.push_back(entry.path());
    std::sort(files.begin(), files.end(),
              [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
    if (files.size() < kVms)
        return false;
    fs::create_directories(into);
    for (std::size_t i = 0; i < kVms; ++i)
        fs::create_symlink(files[i], into / files[i].filename());
    return true;
}

sim::Scenario loadPlanetLab(const std::string& file, const fs::path& traces,
                            std::vector<std::pair<std::string, std::string>> extra = {})
{
    sim::ScenarioOptions o;
    o.overrides = {{"compute.hosts", std::to_string(kHosts)},
                   {"compute.traces", "\"" + traces.string() + "\""}};
    for (auto& kv : extra)
        o.overrides.push_back(std::move(kv));
    auto s = sim::loadScenario(kSource / "assets/scenarios" / file, o);
    if (!s)
        qFatal("%s", s.error().toString().c_str());
    return std::move(s).value();
}

/// The same experiment with the planner called directly (as bench_consolidation does).
sim::ComputeCluster directRun(const std::string& algorithm)
{
    sim::ComputeConfig config;
    config.start = sim::utcSeconds(2011, 3, 3);
    config.accounting = sim::Accounting::CloudSim;
    config.memoryRule = sim::MemoryRule::PlacementOnly;
    auto cluster = sim::ComputeCluster::make(sim::planetLabHosts(kHosts),
                                             sim::loadPlanetLabDay(kDay, kVms).value(), config)
                       .value();
    const auto consolidation = ConsolidationConfig::parse(algorithm).value();
    if (!placePabfd(cluster, consolidation))
        qFatal("placement failed");
    for (int k = 0; k < 288; ++k) {
        const sim::Seconds t = config.start + k * 300;
        if (!cluster.step(t, 300))
            qFatal("step failed");
        if (k + 1 < 288)
            if (!applyConsolidationPlan(cluster, planConsolidation(cluster, consolidation)))
                qFatal("plan refused");
    }
    return cluster;
}

/// Stands in for the model runtime: a forecaster that always answers `value`.
class ConstantPredictor final : public UtilisationPredictor
{
public:
    explicit ConstantPredictor(double value) : m_value(value) {}
    [[nodiscard]] twin::Result<double> predict(std::span<const double>, int) const override
    {
        return m_value;
    }
    [[nodiscard]] std::size_t minimumHistory() const override { return 10; }
    [[nodiscard]] std::string identity() const override { return "constant"; }

private:
    double m_value;
};

} // namespace

class TestConsolidationPolicy : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    fs::path m_traces;

private Q_SLOTS:
    void initTestCase()
    {
        if (!fs::exists(kDay))
            QSKIP("PlanetLab traces not found at TWINDESK_ANCHORS_DIR/planetlab/20110303");
        QVERIFY(m_dir.isValid());
        m_traces = fs::path(m_dir.path().toStdString()) / "day";
        QVERIFY(linkTraces(m_traces));
    }

    void cleanup() { setPredictorLoader({}); }

    void loopReproducesThePlannerAndKeepsTheInvariants()
    {
        const auto scenario = loadPlanetLab("planetlab-lr-mmt-1.2.json", m_traces);
        auto run = ScenarioRun::make(scenario, {});
        QVERIFY2(run.ok(), run.ok() ? "" : run.error().toString().c_str());
        auto& r = **run;
        std::int64_t steps = 0;
        while (!r.finished()) {
            QVERIFY(r.step().ok());
            ++steps;
            // The issue's invariants, every tick: every VM placed, no host over capacity.
            const auto& cluster = *r.engine().state().compute;
            for (std::size_t j = 0; j < cluster.vmCount(); ++j)
                QVERIFY2(cluster.vmHost(j) != sim::kNoHost, "a VM lost its host");
            for (std::size_t h = 0; h < cluster.hostCount(); ++h)
                QVERIFY(cluster.hostAllocatedMips(h) <= cluster.hostTotalMips(h) * (1 + 1e-12));
        }
        QCOMPARE(steps, std::int64_t{288});
        const auto& looped = *r.engine().state().compute;
        const auto direct = directRun("LR-MMT-1.2");
        // One planner, one set of commands: the loop adds guard, approvals and the log, and
        // changes nothing.
        QVERIFY(looped.metrics() == direct.metrics());
        QCOMPARE(looped.stateHash(), direct.stateHash());
        QVERIFY(looped.metrics().migrations > 100);
        const auto& stats = r.loop()->stats();
        QCOMPARE(stats.decisions, std::int64_t{288});
        QCOMPARE(stats.fallbacks, std::int64_t{0});
        QCOMPARE(stats.rejected, std::int64_t{0});
        // The first round placed the fleet, one PlaceVm each; the rest are migrations and
        // host power commands.
        QCOMPARE(stats.applied, stats.proposed);
        QVERIFY(stats.applied > static_cast<std::int64_t>(kVms) + looped.metrics().migrations);
    }

    void everyDecisionIsLoggedAndTheChainHolds()
    {
        const fs::path file = fs::path(m_dir.path().toStdString()) / "consolidation.twin";
        {
            auto store = twin::ProjectStore::create(file, twin::CreateMode::Replace);
            QVERIFY(store.ok());
            auto log = DecisionLog::open(*store);
            QVERIFY(log.ok());
            const auto scenario = loadPlanetLab("planetlab-thr-mmt-0.8.json", m_traces);
            RunOptions options;
            options.log = &*log;
            auto run = ScenarioRun::make(scenario, options);
            QVERIFY(run.ok());
            QVERIFY((*run)->run().ok());
            QVERIFY(log->flush().ok());
            const auto& stats = (*run)->loop()->stats();
            QCOMPARE(log->lastSeq(), stats.proposed);
            DecisionQuery query;
            query.fromSeq = 1;
            query.limit = 3;
            auto first = log->query(query);
            QVERIFY(first.ok());
            QCOMPARE(first->size(), std::size_t{3});
            QCOMPARE(first->front().policyId, std::string("consolidation"));
            QVERIFY(first->front().proposed.starts_with("PlaceVm target="));
            query.fromSeq = log->lastSeq();
            auto last = log->query(query);
            QVERIFY(last.ok() && last->size() == 1);
            QVERIFY(last->front().proposed.starts_with("MigrateVm") ||
                    last->front().proposed.starts_with("PowerHost"));
        }
        auto report = DecisionLog::verify(file);
        QVERIFY(report.ok());
        QVERIFY(report->ok);
    }

    void guardBudgetRejectsButTheClusterStaysConsistent()
    {
        // The default guard allows 100 migrations per 300 s: the rest of each big round is
        // refused and logged, the next round re-plans on the real state.
        const auto scenario = loadPlanetLab(
            "planetlab-lr-mmt-1.2.json", m_traces,
            {{"policy.guard", R"({"min_dwell_s": 0, "max_migrations_per_interval": 5})"}});
        auto run = ScenarioRun::make(scenario, {});
        QVERIFY(run.ok());
        QVERIFY((*run)->run().ok());
        const auto& stats = (*run)->loop()->stats();
        QVERIFY(stats.rejected > 0);
        const auto& cluster = *(*run)->engine().state().compute;
        QVERIFY(cluster.metrics().migrations <= 5 * 287);
        for (std::size_t j = 0; j < cluster.vmCount(); ++j)
            QVERIFY(cluster.vmHost(j) != sim::kNoHost);
    }

    void nonPowerAwareDrawsFullPowerAllDay()
    {
        const auto scenario = loadPlanetLab("planetlab-npa.json", m_traces);
        auto run = ScenarioRun::make(scenario, {});
        QVERIFY(run.ok());
        QVERIFY((*run)->run().ok());
        const auto m = (*run)->engine().state().compute->metrics();
        // 80 G4 at 117 W + 80 G5 at 135 W, 86 400 s.
        const double expected = (80 * 117.0 + 80 * 135.0) * 86400 / 3.6e6;
        QVERIFY(std::abs(m.energyKwh - expected) < 1e-9 * expected);
        QCOMPARE(m.migrations, std::int64_t{0});
        // DVFS, same placement: by utilisation, far less.
        const auto dvfs = loadPlanetLab("planetlab-dvfs.json", m_traces);
        auto dvfsRun = ScenarioRun::make(dvfs, {});
        QVERIFY(dvfsRun.ok());
        QVERIFY((*dvfsRun)->run().ok());
        QVERIFY((*dvfsRun)->engine().state().compute->metrics().energyKwh < 0.7 * expected);
    }

    void computeCommandsAreRefusedAtOnceWithTheReason()
    {
        const auto scenario = loadPlanetLab("planetlab-dvfs.json", m_traces);
        auto engine = sim::Engine::create(scenario.config);
        QVERIFY(engine.ok());
        auto& e = **engine;
        const auto& cluster = *e.state().compute;
        const std::string busy = cluster.hostSpec(cluster.vmHost(0)).id;
        sim::Action off{sim::ActionKind::PowerHost, busy, 0.0, {}, {}};
        const auto refused = e.submit(off);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message.find("VM") != std::string::npos,
                 refused.error().message.c_str());
        sim::Action place{sim::ActionKind::PlaceVm, "no-such-vm", 0.0, {}, "host-1"};
        QCOMPARE(e.submit(place).error().code, twin::ErrorCode::NotFound);
        sim::Action again{sim::ActionKind::PlaceVm, cluster.vmSpec(0).id, 0.0, {}, "host-1"};
        QVERIFY(!e.submit(again).ok()); // placed already
        QVERIFY(!sim::validateAction({sim::ActionKind::PlaceVm, "vm", 0.0, {}, {}}).ok());
        QCOMPARE(sim::describeAction({sim::ActionKind::PlaceVm, "vm", 0.0, {}, "h"}),
                 std::string("PlaceVm target=vm destination=h"));
    }

    void missingModelFallsBackToLrMmtAndSaysWhy()
    {
        // No model runtime installed in this test binary: the ML policy loads, every round
        // errs with the reason, and the loop's default fallback (LR-MMT-1.2) decides.
        const auto scenario = loadPlanetLab(
            "planetlab-lr-mmt-1.2.json", m_traces,
            {{"policy.params", R"({"algorithm": "ML-MMT-1.2", "model": "no-such-model.pt"})"}});
        const fs::path file = fs::path(m_dir.path().toStdString()) / "fallback.twin";
        auto store = twin::ProjectStore::create(file, twin::CreateMode::Replace);
        QVERIFY(store.ok());
        auto log = DecisionLog::open(*store);
        QVERIFY(log.ok());
        RunOptions options;
        options.log = &*log;
        auto run = ScenarioRun::make(scenario, options);
        QVERIFY2(run.ok(), run.ok() ? "" : run.error().toString().c_str());
        QVERIFY((*run)->run().ok());
        const auto& stats = (*run)->loop()->stats();
        QCOMPARE(stats.fallbacks, std::int64_t{288});
        QCOMPARE(stats.policyErrors, std::int64_t{288});
        QVERIFY((*run)->engine().state().compute->metrics() == directRun("LR-MMT-1.2").metrics());
        QVERIFY(log->flush().ok());
        DecisionQuery query;
        query.fromSeq = 1;
        query.limit = 1;
        const auto rows = log->query(query);
        QVERIFY(rows.ok() && rows->size() == 1);
        // The fallback placed the fleet in round 1; its rows say after what, and why.
        const auto& verdict = rows->front().verdict;
        QVERIFY(rows->front().proposed.starts_with("PlaceVm"));
        QVERIFY2(verdict.find("fallback after consolidation") != std::string::npos &&
                     verdict.find("no-such-model.pt") != std::string::npos &&
                     verdict.find("could not be loaded") != std::string::npos,
                 verdict.c_str());
    }

    void failingPredictorFallsBackEachRound()
    {
        // A runtime whose model answers NaN: the planner counts it, decide() errs, the loop
        // falls back; a sane model (always 0.1 → never overloaded) decides itself.
        setPredictorLoader(
            [](const fs::path&) -> twin::Result<std::shared_ptr<const UtilisationPredictor>> {
                return std::shared_ptr<const UtilisationPredictor>(
                    std::make_shared<const ConstantPredictor>(
                        std::numeric_limits<double>::quiet_NaN()));
            });
        ConsolidationPolicyParams params;
        params.algorithm = "ML-MMT-1.2";
        params.model = "nan.pt";
        auto policy = ConsolidationPolicy::make(params);
        QVERIFY(policy.ok());
        QVERIFY((*policy)->modelError().empty());
        const auto scenario =
            loadPlanetLab("planetlab-lr-mmt-1.2.json", m_traces,
                          {{"policy.params", R"({"algorithm": "ML-MMT-1.2", "model": "nan.pt"})"}});
        auto run = ScenarioRun::make(scenario, {});
        QVERIFY(run.ok());
        QVERIFY((*run)->run().ok());
        // Round 1 places the fleet (no detector); the first rounds have short histories
        // (THR fallback, no model call); from the 10th sample on the NaN model is asked.
        const auto& stats = (*run)->loop()->stats();
        QVERIFY(stats.fallbacks > 250);
        QVERIFY(stats.fallbacks < 288);

        setPredictorLoader(
            [](const fs::path&) -> twin::Result<std::shared_ptr<const UtilisationPredictor>> {
                return std::shared_ptr<const UtilisationPredictor>(
                    std::make_shared<const ConstantPredictor>(0.1));
            });
        auto sane = ScenarioRun::make(scenario, {});
        QVERIFY(sane.ok());
        QVERIFY((*sane)->run().ok());
        QCOMPARE((*sane)->loop()->stats().fallbacks, std::int64_t{0});
        QVERIFY((*sane)->engine().state().compute->metrics().migrations > 0);
    }

    void parametersAreChecked()
    {
        ConsolidationPolicyParams p;
        p.algorithm = "LR-XYZ-1.2";
        QVERIFY(!ConsolidationPolicy::make(p).ok());
        p.algorithm = "ML-MMT-1.2"; // no model
        QVERIFY(!ConsolidationPolicy::make(p).ok());
        p.algorithm = "LR-MMT-1.2";
        p.model = "x.pt"; // a model for a heuristic
        QVERIFY(!ConsolidationPolicy::make(p).ok());
        p.model.clear();
        auto lr = ConsolidationPolicy::make(p);
        QVERIFY(lr.ok());
        p.seed = 1;
        auto seeded = ConsolidationPolicy::make(p);
        QVERIFY(seeded.ok());
        QVERIFY((*lr)->info().hash != (*seeded)->info().hash);
        p.algorithm = "DVFS";
        auto dvfs = ConsolidationPolicy::make(p);
        QVERIFY(dvfs.ok() && (*dvfs)->baseline());
        QVERIFY((*dvfs)->decide(Observation{}).ok());
        QVERIFY(!(*lr)->decide(Observation{}).ok()); // no compute view: an error, not a crash
        // An unknown key is refused when the policy is created, naming its path.
        const auto s =
            loadPlanetLab("planetlab-lr-mmt-1.2.json", m_traces,
                          {{"policy.params", R"({"algorithm": "LR-MMT-1.2", "sed": 1})"}});
        auto made = ScenarioRun::make(s, {});
        QVERIFY(!made.ok());
        QVERIFY2(made.error().where.find("/policy/params/sed") != std::string::npos,
                 made.error().toString().c_str());
    }
};

TWINDESK_TEST(TestConsolidationPolicy)
#include "tst_consolidation_policy.moc"
