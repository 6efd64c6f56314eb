#include "sweep_command.h"

#include "assets.h"
#include "simulate_command.h"

#include <twindesk/sim/compute.h>
#include <twindesk/sim/engine.h>
#include <twindesk/sim/scenario.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <mutex>
#include <ostream>
#include <thread>

namespace twindesk::app {

namespace {

struct Run
{
    std::filesystem::path scenario;
    std::vector<std::pair<std::string, std::string>> overrides;
    std::string label;
    // results
    bool ok = false;
    std::string error;
    double heatingMwh = 0;
    double coolingMwh = 0;
    double electricityKwh = 0;
    double gasKwh = 0;
    double discomfortKh = 0;
    double computeKwh = 0;
    double wallS = 0;
    std::uint64_t hash = 0;
};

void execute(Run& run, const sim::ScenarioOptions& base)
{
    const auto start = std::chrono::steady_clock::now();
    sim::ScenarioOptions o = base;
    o.overrides = run.overrides;
    auto scenario = sim::loadScenario(run.scenario, o);
    if (!scenario) {
        run.error = scenario.error().toString();
        return;
    }
    auto engine = sim::Engine::create(scenario->config);
    if (!engine) {
        run.error = engine.error().toString();
        return;
    }
    if (auto s = (*engine)->run(); !s) {
        run.error = s.error().toString();
        return;
    }
    const auto& t = (*engine)->state().totals;
    run.heatingMwh = t.heatingJ / 3.6e9;
    run.coolingMwh = t.coolingJ / 3.6e9;
    run.electricityKwh = t.energyJ[0] / 3.6e6;
    run.gasKwh = t.energyJ[1] / 3.6e6;
    run.discomfortKh = t.discomfortKh;
    if ((*engine)->state().compute)
        run.computeKwh = (*engine)->state().compute->metrics().energyKwh;
    run.hash = (*engine)->stateHash();
    run.wallS = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    run.ok = true;
}

} // namespace

int runSweep(const SweepOptions& options, CliIo& io)
{
    // The runs: every scenario × the cartesian product of the axes.
    std::vector<Run> runs;
    for (const auto& scenario : options.scenarios) {
        std::vector<std::vector<std::pair<std::string, std::string>>> combos{{}};
        for (const auto& [key, values] : options.axes) {
            std::vector<std::vector<std::pair<std::string, std::string>>> next;
            for (const auto& combo : combos)
                for (const auto& v : values) {
                    auto c = combo;
                    c.emplace_back(key, v);
                    next.push_back(std::move(c));
                }
            combos = std::move(next);
        }
        for (auto& combo : combos) {
            Run r;
            r.scenario = scenario;
            r.label = scenario.stem().string();
            for (const auto& [k, v] : combo)
                r.label.append(" ").append(k).append("=").append(v);
            r.overrides = std::move(combo);
            runs.push_back(std::move(r));
        }
    }
    sim::ScenarioOptions base;
    if (const auto assets = assetsDir())
        base.ontology = bundledOntology(*assets);
    base.anchorsDir = options.anchors.empty() ? defaultAnchorsDir() : options.anchors;

    unsigned threads = options.threads != 0 ? options.threads : std::thread::hardware_concurrency();
    threads = std::max(1U, std::min<unsigned>(threads, static_cast<unsigned>(runs.size())));
    std::atomic<std::size_t> nextRun{0};
    std::vector<std::thread> pool;
    const auto start = std::chrono::steady_clock::now();
    for (unsigned t = 0; t < threads; ++t)
        pool.emplace_back([&] {
            for (std::size_t i = nextRun++; i < runs.size(); i = nextRun++)
                execute(runs[i], base);
        });
    for (auto& th : pool)
        th.join();
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    int failures = 0;
    if (options.json) {
        nlohmann::ordered_json j = nlohmann::ordered_json::array();
        for (const auto& r : runs) {
            nlohmann::ordered_json o{{"run", r.label}, {"ok", r.ok}};
            if (r.ok) {
                char hash[32];
                std::snprintf(hash, sizeof hash, "%016" PRIx64, r.hash);
                o["annual_heating_mwh"] = r.heatingMwh;
                o["annual_cooling_mwh"] = r.coolingMwh;
                o["electricity_kwh"] = r.electricityKwh;
                o["gas_kwh"] = r.gasKwh;
                o["discomfort_kh"] = r.discomfortKh;
                o["compute_kwh"] = r.computeKwh;
                o["wall_time_s"] = r.wallS;
                o["state_hash"] = hash;
            } else {
                o["error"] = r.error;
                ++failures;
            }
            j.push_back(o);
        }
        io.out << j.dump(2) << '\n';
    } else {
        char line[512];
        std::snprintf(line, sizeof line, "%-44s %10s %10s %12s %12s %10s %8s\n", "run", "heat MWh",
                      "cool MWh", "elec kWh", "gas kWh", "disc K·h", "wall s");
        io.out << line;
        for (const auto& r : runs) {
            if (!r.ok) {
                io.out << r.label << "  FAILED: " << r.error << '\n';
                ++failures;
                continue;
            }
            std::snprintf(line, sizeof line, "%-44s %10.3f %10.3f %12.1f %12.1f %10.1f %8.2f\n",
                          r.label.substr(0, 44).c_str(), r.heatingMwh, r.coolingMwh,
                          r.electricityKwh, r.gasKwh, r.discomfortKh, r.wallS);
            io.out << line;
        }
        std::snprintf(line, sizeof line, "%zu runs on %u threads in %.2f s\n", runs.size(), threads,
                      wall);
        io.out << line;
    }
    return failures == 0 ? 0 : 1;
}

} // namespace twindesk::app
