// bench_control_loop: decisions per second and per-stage latency of the one control loop
// (observe → decide → guard → act → log), on a scenario with its policy, the audit trail
// written to a real project file with batched appends.
// Usage: bench_control_loop [SCENARIO.json] [POLICY_JSON] [DAYS]
//   defaults: assets/scenarios/conference-adaptive.json, the scenario's policy, its period.
// The physics steps between decisions are not part of the loop's figures (they are timed
// apart). Prints one line per figure; docs/benchmarks.md records them.
#include "bench_util.h"

#include <twindesk/policies/decision_log.h>
#include <twindesk/policies/scenario_run.h>
#include <twindesk/sim/scenario.h>
#include <twindesk/twin/project_store.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <unistd.h>

using namespace twindesk;
namespace fs = std::filesystem;

int main(int argc, char** argv)
{
    const fs::path source = TWINDESK_SOURCE_DIR;
    const fs::path scenarioFile =
        argc > 1 ? fs::path(argv[1]) : source / "assets/scenarios/conference-adaptive.json";
    const std::string policyJson = argc > 2 ? argv[2] : "";
    sim::ScenarioOptions so;
    so.ontology = {source / "assets/ontology/brick-1.3-classes.ttl",
                   source / "assets/ontology/twindesk.ttl"};
    if (argc > 3)
        so.overrides = {{"period.end", std::string("\"") + argv[3] + "\""}};
    auto scenario = sim::loadScenario(scenarioFile, so);
    if (!scenario) {
        std::fprintf(stderr, "%s\n", scenario.error().toString().c_str());
        return 1;
    }
    const fs::path file =
        fs::temp_directory_path() / ("bench-loop-" + std::to_string(::getpid()) + ".twin");
    auto store = twin::ProjectStore::create(file, twin::CreateMode::Replace);
    if (!store) {
        std::fprintf(stderr, "%s\n", store.error().toString().c_str());
        return 1;
    }
    auto log = policies::DecisionLog::open(*store);
    if (!log) {
        std::fprintf(stderr, "%s\n", log.error().toString().c_str());
        return 1;
    }
    policies::RunOptions options;
    options.policyJson = policyJson;
    options.log = &*log;
    auto run = policies::ScenarioRun::make(*scenario, options);
    if (!run || (*run)->loop() == nullptr) {
        std::fprintf(stderr, "%s\n",
                     run ? "the scenario names no policy" : run.error().toString().c_str());
        return 1;
    }
    const auto t0 = bench::Clock::now();
    if (auto s = (*run)->run(); !s) {
        std::fprintf(stderr, "%s\n", s.error().toString().c_str());
        return 1;
    }
    if (auto s = log->flush(); !s) {
        std::fprintf(stderr, "%s\n", s.error().toString().c_str());
        return 1;
    }
    const double wall = bench::seconds(t0, bench::Clock::now());
    const auto& st = (*run)->loop()->stats();
    const auto& l = st.latency;
    double loopUs = 0.0;
    for (const auto* v : {&l.observeUs, &l.decideUs, &l.guardUs, &l.actUs, &l.logUs})
        for (double x : *v)
            loopUs += x;
    std::printf("scenario           %s, policy %s, %lld decision rounds, %lld actions proposed\n",
                scenario->name.c_str(), (*run)->policy()->info().id.c_str(),
                static_cast<long long>(st.decisions), static_cast<long long>(st.proposed));
    std::printf("run                %.2f s wall (physics + loop), loop %.3f s\n", wall,
                loopUs / 1e6);
    std::printf("decision rounds/s  %.0f (loop time only)\n",
                loopUs > 0 ? static_cast<double>(st.decisions) / (loopUs / 1e6) : 0.0);
    std::printf("actions/s          %.0f (loop time only)\n",
                loopUs > 0 ? static_cast<double>(st.proposed) / (loopUs / 1e6) : 0.0);
    auto row = [](const char* name, const std::vector<double>& v) {
        std::printf("%-20s p50 %8.1f µs   p99 %8.1f µs   max %8.1f µs   (n=%zu)\n", name,
                    policies::percentile(v, 50), policies::percentile(v, 99),
                    policies::percentile(v, 100), v.size());
    };
    row("observe (round)", l.observeUs);
    row("decide (round)", l.decideUs);
    row("guard (action)", l.guardUs);
    row("act (action)", l.actUs);
    row("log (action)", l.logUs);
    row("round (observe→log)", l.roundUs);
    std::printf("peak RSS           %ld kB\n", bench::peakRssKb());
    run->reset();
    (void)log->flush(); // flushed above; the figures are printed
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"})
        fs::remove(file.string() + suffix, ec);
    return 0;
}
