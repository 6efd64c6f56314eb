// Recordings and open-loop replay (issue #6 §1, §2, §4): a run's results file holds every frame
// the loop observed; replaying it through the same loop with the policy that produced it
// reproduces its proposals exactly (same actions, same times), twice over bit for bit; a
// different candidate is compared action by action; files that are no recording are refused.
#include "test_registry.h"

#include <twindesk/policies/decision_log.h>
#include <twindesk/policies/policy_registry.h>
#include <twindesk/policies/recording.h>
#include <twindesk/policies/replay.h>
#include <twindesk/policies/scenario_run.h>
#include <twindesk/sim/scenario.h>
#include <twindesk/twin/project_store.h>

#include <QTemporaryDir>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

using namespace twindesk;
using namespace twindesk::policies;
namespace fs = std::filesystem;

namespace {

const fs::path kSource = TWINDESK_SOURCE_DIR;

sim::Scenario twoDays(const char* file, const char* recordingScope = nullptr)
{
    sim::ScenarioOptions o;
    o.ontology = {kSource / "assets/ontology/brick-1.3-classes.ttl",
                  kSource / "assets/ontology/twindesk.ttl"};
    o.overrides = {{"period.end", "\"2025-01-08T00:00\""}};
    if (recordingScope != nullptr)
        o.overrides.emplace_back("outputs.recording", std::string("\"") + recordingScope + "\"");
    auto s = sim::loadScenario(kSource / "assets/scenarios" / file, o);
    if (!s)
        qFatal("%s", s.error().toString().c_str());
    return std::move(s).value();
}

/// Simulates `scenario` into `file` with its decision log and recording; returns the stats.
LoopStats record(const sim::Scenario& scenario, const fs::path& file)
{
    auto store = twin::ProjectStore::create(file, twin::CreateMode::Replace);
    if (!store)
        qFatal("%s", store.error().toString().c_str());
    auto log = DecisionLog::open(*store);
    auto recorder = FrameRecorder::open(*store, 64); // small batches: several transactions
    if (!log || !recorder)
        qFatal("cannot open the log or the recorder");
    RunOptions options;
    options.log = &*log;
    options.recorder = recorder->get();
    auto run = ScenarioRun::make(scenario, options);
    if (!run || !(*run)->run() || !(*recorder)->flush() || !log->flush())
        qFatal("the recorded run failed");
    return (*run)->loop()->stats();
}

OpenLoopReplay replay(const sim::Scenario& scenario, const fs::path& file,
                      const std::string& policyJson)
{
    auto source = RecordedSource::open(file);
    if (!source)
        qFatal("%s", source.error().toString().c_str());
    const auto base = scenario.file.parent_path();
    auto policy = createPolicy(policyJson, "candidate", base);
    auto fallback = createFallbackPolicy(policyJson, "candidate", base);
    auto settings = loopSettings(policyJson, "candidate");
    if (!policy || !fallback || !settings)
        qFatal("bad candidate");
    auto out = replayOpenLoop(**source, **policy, fallback->get(), observationFor(scenario),
                              *settings, nullptr);
    if (!out)
        qFatal("%s", out.error().toString().c_str());
    return std::move(out).value();
}

} // namespace

class TestRecording : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    [[nodiscard]] fs::path file(const char* name) const
    {
        return fs::path(m_dir.path().toStdString()) / name;
    }

private Q_SLOTS:
    void leanRecordingKeepsOnlyThePolicyInputsAndReplaysExactly()
    {
        const auto full = twoDays("conference-rules.json");
        const auto lean = twoDays("conference-rules.json", "policy-inputs");
        QVERIFY(lean.outputs.recording == sim::RecordingScope::PolicyInputs);
        const auto fullStats = record(full, file("rules-full.twin"));
        const auto leanStats = record(lean, file("rules-lean.twin"));
        QCOMPARE(leanStats.proposed, fullStats.proposed); // recording changes nothing else

        auto fullStore = twin::ProjectStore::open(file("rules-full.twin"), twin::OpenMode::ReadOnly);
        auto leanStore = twin::ProjectStore::open(file("rules-lean.twin"), twin::OpenMode::ReadOnly);
        QVERIFY(fullStore.ok() && leanStore.ok());
        const auto fullInfo = describeRecording(*fullStore).value();
        const auto leanInfo = describeRecording(*leanStore).value();
        QCOMPARE(leanInfo.frames, fullInfo.frames);
        // Only the points the rules observe: no air temperatures or CO2 every minute.
        auto policy = createPolicy(lean.policyJson, "lean", lean.file.parent_path());
        QVERIFY(policy.ok());
        const auto inputs = policyInputPoints(*lean.building, (*policy)->info());
        QVERIFY(!inputs.empty());
        QVERIFY(leanInfo.points <= static_cast<std::int64_t>(inputs.size()));
        QVERIFY2(leanInfo.samples * 5 < fullInfo.samples,
                 (std::to_string(leanInfo.samples) + " vs " + std::to_string(fullInfo.samples))
                     .c_str());
        for (const auto& id : inputs)
            QVERIFY2(id.find("_zat") == std::string::npos, id.c_str());

        const auto recorded = recordedProposals(*leanStore).value();
        const auto replayed = replay(lean, file("rules-lean.twin"), lean.policyJson);
        QCOMPARE(replayed.proposals, recorded);

        // A candidate that reads what was not recorded is refused, with the reason.
        auto adaptive = createPolicy(R"({"name":"adaptive-conference"})", "candidate");
        QVERIFY(adaptive.ok());
        QVERIFY(checkLeanRecordingCovers(*lean.building, (*policy)->info(), (*policy)->info(),
                                         "rec.twin")
                    .ok());
        const auto refused = checkLeanRecordingCovers(*lean.building, (*policy)->info(),
                                                      (*adaptive)->info(), "rec.twin");
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().where, std::string("rec.twin"));
        QVERIFY(refused.error().message.find("outputs.recording") != std::string::npos);
        QVERIFY(refused.error().message.find("adaptive-conference") != std::string::npos);
    }

    void unknownRecordingScopeIsRefused()
    {
        sim::ScenarioOptions o;
        o.ontology = {kSource / "assets/ontology/brick-1.3-classes.ttl",
                      kSource / "assets/ontology/twindesk.ttl"};
        o.overrides = {{"outputs.recording", "\"everything\""}};
        auto s = sim::loadScenario(kSource / "assets/scenarios/conference-rules.json", o);
        QVERIFY(!s.ok());
        QVERIFY(s.error().where.find("/outputs/recording") != std::string::npos);
        QVERIFY(s.error().message.find("policy-inputs") != std::string::npos);
    }

    void replayWithTheSamePolicyReproducesItsDecisions()
    {
        // The adaptive conference policy decides on its period and on occupancy events.
        const auto scenario = twoDays("conference-adaptive.json");
        const auto path = file("adaptive.twin");
        const auto stats = record(scenario, path);
        QVERIFY(stats.decisions > 100);
        QVERIFY(stats.events > 0);

        auto store = twin::ProjectStore::open(path, twin::OpenMode::ReadOnly);
        QVERIFY(store.ok());
        const auto info = describeRecording(*store);
        QVERIFY(info.ok());
        QCOMPARE(info->frames, stats.frames);
        QCOMPARE(info->decisionFrames, stats.decisions);
        QVERIFY(info->points > 100);
        QCOMPARE(info->policies.size(), std::size_t{1});
        QCOMPARE(info->policies[0].id, std::string("adaptive-conference"));
        const auto recorded = recordedProposals(*store);
        QVERIFY(recorded.ok());
        QCOMPARE(static_cast<std::int64_t>(recorded->size()), stats.proposed);

        const auto first = replay(scenario, path, scenario.policyJson);
        QCOMPARE(first.stats.decisions, stats.decisions);
        QCOMPARE(first.stats.events, stats.events);
        QCOMPARE(first.proposals, *recorded); // same actions, same times, same order
        const auto c = compareProposals(*recorded, first.proposals);
        QCOMPARE(c.agreement, 1.0);
        QVERIFY(!c.firstDivergence);

        const auto second = replay(scenario, path, scenario.policyJson);
        QCOMPARE(second.proposals, first.proposals); // bit-identical, run after run
    }

    void aDifferentCandidateIsComparedActionByAction()
    {
        const auto scenario = twoDays("conference-adaptive.json");
        const auto path = file("adaptive2.twin");
        record(scenario, path);
        auto store = twin::ProjectStore::open(path, twin::OpenMode::ReadOnly);
        QVERIFY(store.ok());
        const auto recorded = recordedProposals(*store).value();
        // A longer vacancy delay: the same pre-conditioning, setbacks later or not at all.
        const auto candidate = replay(
            scenario, path, R"({"name":"adaptive-conference","params":{"vacancy_delay_s":1800}})");
        const auto c = compareProposals(recorded, candidate.proposals);
        QVERIFY(c.matched > 0);
        QVERIFY(c.agreement < 1.0);
        QVERIFY(c.agreement > 0.3);
        QVERIFY(c.firstDivergence.has_value());
        QVERIFY(!c.recordedAtDivergence.empty() || !c.candidateAtDivergence.empty());
        QVERIFY(c.byKind.count("SetSetpoint") == 1);
        QVERIFY(!c.topTargets.empty());
        QVERIFY(c.matched < c.recorded || c.candidate != c.recorded);
        // Where it diverged, the recorded policy had already set back: the candidate waits.
        QVERIFY(std::any_of(c.recordedAtDivergence.begin(), c.recordedAtDivergence.end(),
                            [](const std::string& a) { return a.find("value=16") != a.npos; }));
    }

    void shadowPolicyIsLoggedComparedAndNeverApplied()
    {
        const auto plain = twoDays("conference-baseline.json");
        auto withShadow = plain;
        auto policy = nlohmann::json::parse(plain.policyJson);
        policy["shadow"] = {{"name", "adaptive-conference"}};
        withShadow.policyJson = policy.dump();
        const auto path = file("shadow.twin");
        const auto stats = record(withShadow, path);
        QCOMPARE(stats.shadow.rounds, stats.decisions);
        QVERIFY(stats.shadow.proposed > 0);
        QVERIFY(stats.shadow.matched < stats.shadow.proposed);
        // The twin never saw the shadow's actions: the same trajectory as without it.
        auto a = ScenarioRun::make(plain, {});
        auto b = ScenarioRun::make(withShadow, {});
        QVERIFY(a.ok() && b.ok());
        QVERIFY((*a)->run().ok() && (*b)->run().ok());
        QCOMPARE((*a)->engine().stateHash(), (*b)->engine().stateHash());
        QCOMPARE((*a)->loop()->stats().applied, (*b)->loop()->stats().applied);
        // Its KPI estimate: the shadow in charge of a twin of its own. The adaptive policy in
        // charge is what a run with it active gives, bit for bit, and differs from the BMS.
        QVERIFY(!(*a)->shadowKpis());
        const auto estimate = (*b)->shadowKpis();
        QVERIFY(estimate.has_value());
        auto adaptive = plain;
        adaptive.policyJson = R"({"name":"adaptive-conference"})";
        auto d = ScenarioRun::make(adaptive, {});
        QVERIFY(d.ok() && (*d)->run().ok());
        QCOMPARE(estimate->energy.totalKwh, (*d)->kpis().energy.totalKwh);
        QCOMPARE(estimate->comfort.discomfortKh, (*d)->kpis().comfort.discomfortKh);
        QVERIFY(estimate->energy.totalKwh < (*b)->kpis().energy.totalKwh);
        // Its rows are in the log, marked; replay compares only the active proposals.
        auto store = twin::ProjectStore::open(path, twin::OpenMode::ReadOnly);
        QVERIFY(store.ok());
        DecisionQuery q;
        q.policyId = "adaptive-conference";
        q.limit = 5;
        auto log = DecisionLog::open(*store);
        QVERIFY(log.ok());
        const auto rows = log->query(q);
        QVERIFY(rows.ok() && !rows->empty());
        QCOMPARE(rows->front().approval, std::string("shadow"));
        QVERIFY(rows->front().verdict.starts_with("shadow: not applied"));
        QVERIFY(rows->front().applied.empty());
        QCOMPARE(static_cast<std::int64_t>(recordedProposals(*store)->size()), stats.proposed);
        // A shadow identical to the active policy agrees on every round.
        auto same = plain;
        auto samePolicy = nlohmann::json::parse(plain.policyJson);
        samePolicy["shadow"] = nlohmann::json::parse(plain.policyJson);
        same.policyJson = samePolicy.dump();
        auto c = ScenarioRun::make(same, {});
        QVERIFY(c.ok() && (*c)->run().ok());
        const auto& sh = (*c)->loop()->stats().shadow;
        QCOMPARE(sh.agreeingRounds, sh.rounds);
        QCOMPARE(sh.matched, sh.proposed);
    }

    void comparisonOnHandMadeLists()
    {
        const std::vector<ProposedAction> a{{0, "Dim target=l1 value=0"},
                                            {300, "SetSetpoint target=s1 value=16"}};
        const std::vector<ProposedAction> b{{0, "Dim target=l1 value=0"},
                                            {900, "SetSetpoint target=s1 value=16"},
                                            {900, "Dim target=l2 value=0"}};
        const auto c = compareProposals(a, b);
        QCOMPARE(c.matched, std::int64_t{1});
        QCOMPARE(c.agreement, 1.0 / 3.0);
        QCOMPARE(c.firstDivergence.value(), sim::Seconds{300});
        QCOMPARE(c.recordedAtDivergence.size(), std::size_t{1});
        QVERIFY(c.candidateAtDivergence.empty());
        QCOMPARE(c.shifted, std::int64_t{1});
        QCOMPARE(c.meanShiftS, 600.0);
        QCOMPARE(c.byKind.at("Dim")[0], std::int64_t{1});
        QCOMPARE(c.byKind.at("Dim")[1], std::int64_t{2});
        QCOMPARE(compareProposals({}, {}).agreement, 1.0);
    }

    void filesThatAreNoRecordingAreRefused()
    {
        const auto missing = RecordedSource::open(file("none.twin"));
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().code, twin::ErrorCode::NotFound);
        const auto empty = file("empty.twin");
        QVERIFY(twin::ProjectStore::create(empty).ok());
        const auto refused = RecordedSource::open(empty);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message.find("no recorded frames") != std::string::npos,
                 refused.error().toString().c_str());
        {
            std::ofstream garbage(file("garbage.twin"), std::ios::binary);
            garbage << "this is not a project";
        }
        QVERIFY(!RecordedSource::open(file("garbage.twin")).ok());
    }

    void badQualityAndNaNAreRecordedAsBad()
    {
        const auto path = file("quality.twin");
        {
            auto store = twin::ProjectStore::create(path);
            QVERIFY(store.ok());
            auto recorder = FrameRecorder::open(*store);
            QVERIFY(recorder.ok());
            sim::TelemetryFrame f;
            f.time = 60;
            f.samples = {{"urn:a", 1.0, true}, {"urn:b", 2.0, true}};
            QVERIFY((*recorder)->record(f, true).ok());
            f.time = 120;
            f.samples = {{"urn:a", 1.0, true}, {"urn:b", std::nan(""), true}};
            QVERIFY((*recorder)->record(f, false).ok());
            f.time = 180;
            f.samples = {{"urn:a", 1.0, false}, {"urn:b", std::nan(""), true}};
            QVERIFY((*recorder)->record(f, false).ok());
            QVERIFY((*recorder)->flush().ok());
            QCOMPARE((*recorder)->samples(), std::int64_t{4}); // unchanged values are not stored
        }
        auto source = RecordedSource::open(path);
        QVERIFY(source.ok());
        QCOMPARE((*source)->frameCount(), std::size_t{3});
        Observation o;
        sim::TelemetryFrame f;
        QVERIFY((*source)->next(f).value());
        o.update(f);
        QCOMPARE(o.value("urn:b").value(), 2.0);
        QVERIFY((*source)->next(f).value());
        o.update(f);
        QVERIFY(!o.value("urn:b")); // NaN never reaches a policy as a value
        QCOMPARE(o.value("urn:a").value(), 1.0);
        QVERIFY((*source)->next(f).value());
        o.update(f);
        QVERIFY(!o.value("urn:a"));
        QCOMPARE(f.time, sim::Seconds{180});
        QVERIFY(!(*source)->next(f).value());
    }
};

TWINDESK_TEST(TestRecording)
#include "tst_recording.moc"
