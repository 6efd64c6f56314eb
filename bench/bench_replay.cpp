// bench_replay: issue #6 §8 — a year of a 500-zone office building under a rule policy.
//  1. Closed loop: the simulator and the rule policy through the control loop for the year,
//     every decision into the tamper-evident log, the frames into a lean recording
//     (outputs.recording = "policy-inputs") in a real project file.
//  2. Open loop: that recording replayed through the same loop with the same policy
//     (RecordedSource); its proposals must equal the recorded ones (agreement 100 %).
// Usage: bench_replay [--rooms N] [--days D] [--step S] [--rules FILE] [--keep DIR]
//   defaults: 500 rooms, 365 days, 300 s steps (the rules' period; the occupancy grid of
//   500 rooms × a year at 60 s would pass its 10⁸-cell bound), assets/rules/office-hours.yaml.
// The building is generated here as Brick Turtle (10 floors of offices, each with air
// temperature, heating/cooling setpoints, occupancy, CO2 and a dimmable luminaire) and
// imported through the same Brick path as any model. Prints one line per figure;
// docs/benchmarks.md records them.
#include "bench_building.h"
#include "bench_util.h"

#include <twindesk/policies/decision_log.h>
#include <twindesk/policies/policy_registry.h>
#include <twindesk/policies/recording.h>
#include <twindesk/policies/replay.h>
#include <twindesk/policies/room_context.h>
#include <twindesk/policies/scenario_run.h>
#include <twindesk/sim/scenario.h>
#include <twindesk/twin/project_store.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

using namespace twindesk;
namespace fs = std::filesystem;

namespace {

/// 2025-01-01 plus `days`, as "YYYY-MM-DDT00:00".
std::string endDate(int days)
{
    using namespace std::chrono;
    const year_month_day end{sys_days{2025y / January / 1} + std::chrono::days{days}};
    char text[32];
    std::snprintf(text, sizeof text, "%04d-%02u-%02uT00:00", static_cast<int>(end.year()),
                  static_cast<unsigned>(end.month()), static_cast<unsigned>(end.day()));
    return text;
}

void writeScenario(const fs::path& file, const fs::path& building, const fs::path& weather,
                   const fs::path& rules, int days, int step)
{
    std::ofstream out(file);
    out << R"({
  "name": "bench-replay",
  "description": "Benchmark (bench_replay): offices for a year under a rule policy, lean recording.",
  "building": { "brick": ")"
        << building.string() << R"(" },
  "weather": ")" << weather.string()
        << R"(",
  "period": { "start": "2025-01-01T00:00", "end": ")"
        << endDate(days) << R"(" },
  "step_s": )" << step
        << R"(,
  "seed": 7,
  "occupancy": { "open_offices": true, "time_zone": "America/Chicago" },
  "policy": { "name": "rules", "params": { "file": ")"
        << rules.string() << R"(" } },
  "outputs": { "interval_s": 3600, "historian": false, "recording": "policy-inputs" }
})";
}

int fail(const twin::Error& e)
{
    std::fprintf(stderr, "bench_replay: %s\n", e.toString().c_str());
    return 1;
}

int run(int argc, char** argv)
{
    const fs::path source = TWINDESK_SOURCE_DIR;
    int rooms = 500;
    int days = 365;
    int step = 300;
    fs::path rules = source / "assets/rules/office-hours.yaml";
    fs::path keep;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--rooms")
            rooms = std::stoi(argv[i + 1]);
        else if (flag == "--days")
            days = std::stoi(argv[i + 1]);
        else if (flag == "--step")
            step = std::stoi(argv[i + 1]);
        else if (flag == "--rules")
            rules = fs::absolute(argv[i + 1]);
        else if (flag == "--keep")
            keep = argv[i + 1];
        else {
            std::fprintf(stderr, "bench_replay: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    const fs::path dir =
        keep.empty() ? fs::temp_directory_path() / ("bench-replay-" + std::to_string(::getpid()))
                     : keep;
    fs::create_directories(dir);
    bench::writeBuilding(dir / "offices.ttl", rooms);
    writeScenario(dir / "scenario.json", dir / "offices.ttl",
                  source / "assets/weather/USA_IL_Chicago-OHare.Intl.AP.725300_TMY3.epw", rules,
                  days, step);

    sim::ScenarioOptions so;
    so.ontology = {source / "assets/ontology/brick-1.3-classes.ttl",
                   source / "assets/ontology/twindesk.ttl"};
    auto scenario = sim::loadScenario(dir / "scenario.json", so);
    if (!scenario)
        return fail(scenario.error());
    std::size_t offices = 0;
    for (const auto& r : policies::roomPoints(*scenario->building))
        offices += r.use == twin::ZoneUse::Office ? 1 : 0;

    // 1. Closed loop with a lean recording.
    const fs::path file = dir / "year.twin";
    const auto c0 = bench::Clock::now();
    std::int64_t closedRounds = 0;
    std::int64_t closedActions = 0;
    std::int64_t recordedFrames = 0;
    std::int64_t recordedSamples = 0;
    {
        auto store = twin::ProjectStore::create(file, twin::CreateMode::Replace);
        if (!store)
            return fail(store.error());
        auto log = policies::DecisionLog::open(*store);
        if (!log)
            return fail(log.error());
        auto recorder = policies::FrameRecorder::open(*store);
        if (!recorder)
            return fail(recorder.error());
        policies::RunOptions options;
        options.log = &*log;
        options.recorder = recorder->get();
        auto run = policies::ScenarioRun::make(*scenario, options);
        if (!run)
            return fail(run.error());
        if (auto s = (*run)->run(); !s)
            return fail(s.error());
        if (auto s = (*recorder)->flush(); !s)
            return fail(s.error());
        if (auto s = log->flush(); !s)
            return fail(s.error());
        closedRounds = (*run)->loop()->stats().decisions;
        closedActions = (*run)->loop()->stats().applied;
        recordedFrames = (*recorder)->frames();
        recordedSamples = (*recorder)->samples();
    }
    const double closedS = bench::seconds(c0, bench::Clock::now());

    // 2. Open loop over the recording, same policy.
    std::vector<policies::ProposedAction> recorded;
    {
        auto store = twin::ProjectStore::open(file, twin::OpenMode::ReadOnly);
        if (!store)
            return fail(store.error());
        auto proposals = policies::recordedProposals(*store);
        if (!proposals)
            return fail(proposals.error());
        recorded = std::move(proposals).value();
    }
    const auto l0 = bench::Clock::now();
    auto recording = policies::RecordedSource::open(file);
    if (!recording)
        return fail(recording.error());
    const double loadS = bench::seconds(l0, bench::Clock::now());
    auto candidate = policies::createPolicy(scenario->policyJson, "bench", dir);
    if (!candidate)
        return fail(candidate.error());
    auto settings = policies::loopSettings(scenario->policyJson, "bench");
    if (!settings)
        return fail(settings.error());
    const auto r0 = bench::Clock::now();
    auto replayed = policies::replayOpenLoop(**recording, **candidate, nullptr,
                                             policies::observationFor(*scenario), *settings,
                                             nullptr);
    if (!replayed)
        return fail(replayed.error());
    const double replayS = bench::seconds(r0, bench::Clock::now());
    const auto cmp = policies::compareProposals(recorded, replayed->proposals);
    const auto rounds = replayed->stats.decisions;
    const auto zoneDecisions = static_cast<double>(rounds) * static_cast<double>(offices);

    std::printf("building            %d rooms (%zu offices in the rules' scope), %d days at %d s\n",
                rooms, offices, days, step);
    std::printf("policy              %s, period %lld s\n", (*candidate)->info().id.c_str(),
                static_cast<long long>((*candidate)->info().period));
    std::printf("closed loop         %.1f s wall: %lld decision rounds, %lld actions applied\n",
                closedS, static_cast<long long>(closedRounds),
                static_cast<long long>(closedActions));
    std::printf("lean recording      %lld frames, %lld changed values, %.1f MB file\n",
                static_cast<long long>(recordedFrames), static_cast<long long>(recordedSamples),
                static_cast<double>(fs::file_size(file)) / 1e6);
    std::printf("recording load      %.2f s (%zu frames, %zu values)\n", loadS,
                (*recording)->frameCount(), (*recording)->sampleCount());
    std::printf("open-loop replay    %.2f s: %lld rounds (%.0f rounds/s), %.3g zone decisions "
                "(%.0f zone decisions/s)\n",
                replayS, static_cast<long long>(rounds), static_cast<double>(rounds) / replayS,
                zoneDecisions, zoneDecisions / replayS);
    std::printf("agreement           %.4f (%lld of %lld recorded actions, candidate %lld)\n",
                cmp.agreement, static_cast<long long>(cmp.matched),
                static_cast<long long>(cmp.recorded), static_cast<long long>(cmp.candidate));
    std::printf("peak RSS            %.0f MB\n", static_cast<double>(bench::peakRssKb()) / 1024.0);
    if (keep.empty())
        fs::remove_all(dir);
    return cmp.agreement == 1.0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv)
{
    return bench::guardedMain("bench_replay", run, argc, argv);
}
