#include "sweep_command.h"

#include "assets.h"
#include "simulate_command.h"
#include "variant_run.h"

#include <twindesk/policies/scenario_run.h>
#include <twindesk/sim/compute.h>
#include <twindesk/sim/engine.h>
#include <twindesk/sim/scenario.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <ostream>

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
    std::int64_t migrations = 0;
    double slav = 0;
    bool hasCompute = false;
    double wallS = 0;
    std::uint64_t hash = 0;
    policies::KpiReport scoped; ///< KPIs within the requested scope
};

void execute(Run& run, const sim::ScenarioOptions& base, const policies::KpiScope& scope)
{
    auto outcome = runVariant({run.scenario, run.overrides}, base);
    if (!outcome.ok()) {
        run.error = outcome.error;
        return;
    }
    const auto& engine = outcome.run->engine();
    const auto& t = engine.state().totals;
    run.heatingMwh = t.heatingJ / 3.6e9;
    run.coolingMwh = t.coolingJ / 3.6e9;
    run.electricityKwh = t.energyJ[0] / 3.6e6;
    run.gasKwh = t.energyJ[1] / 3.6e6;
    run.discomfortKh = t.discomfortKh;
    if (engine.state().compute) {
        const auto m = engine.state().compute->metrics();
        run.hasCompute = true;
        run.computeKwh = m.energyKwh;
        run.migrations = m.migrations;
        run.slav = m.slav;
    }
    run.hash = engine.stateHash();
    run.scoped = outcome.run->kpis(scope);
    run.wallS = outcome.wallS;
    run.ok = true;
}

/// Runs every run in parallel threads (variant_run.h).
ParallelRun executeAll(std::vector<Run>& runs, const SweepOptions& options,
                       const policies::KpiScope& scope)
{
    sim::ScenarioOptions base;
    if (const auto assets = assetsDir())
        base.ontology = bundledOntology(*assets);
    base.anchorsDir = options.anchors.empty() ? defaultAnchorsDir() : options.anchors;
    return runParallel(runs.size(), options.threads,
                       [&](std::size_t i) { execute(runs[i], base, scope); });
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
            // One scenario: the label is its variant ("algorithm=LR-MMT-1.2"), the last part
            // of each varied key, so the table stays readable.
            if (options.scenarios.size() > 1 || combo.empty())
                r.label = scenario.stem().string();
            for (const auto& [k, v] : combo) {
                const auto dot = k.rfind('.');
                const std::string shortKey = dot == std::string::npos ? k : k.substr(dot + 1);
                r.label.append(r.label.empty() ? "" : " ").append(shortKey).append("=").append(v);
            }
            r.overrides = std::move(combo);
            runs.push_back(std::move(r));
        }
    }
    const auto [wall, threads] = executeAll(runs, options, {});

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
                if (r.hasCompute) {
                    o["compute_kwh"] = r.computeKwh;
                    o["migrations"] = r.migrations;
                    o["slav"] = r.slav;
                }
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
        char line[768];
        int width = 3;
        bool compute = false;
        for (const auto& r : runs) {
            width = std::max(width, static_cast<int>(std::min<std::size_t>(r.label.size(), 60)));
            compute = compute || r.hasCompute;
        }
        std::snprintf(line, sizeof line, "%-*s %10s %10s %12s %12s %10s", width, "run", "heat MWh",
                      "cool MWh", "elec kWh", "gas kWh", "disc K·h");
        io.out << line;
        if (compute) {
            std::snprintf(line, sizeof line, " %10s %8s %10s", "IT kWh", "migr", "SLAV");
            io.out << line;
        }
        io.out << "   wall s\n";
        for (const auto& r : runs) {
            if (!r.ok) {
                io.out << r.label << "  FAILED: " << r.error << '\n';
                ++failures;
                continue;
            }
            std::snprintf(line, sizeof line, "%-*s %10.3f %10.3f %12.1f %12.1f %10.1f", width,
                          r.label.substr(0, 60).c_str(), r.heatingMwh, r.coolingMwh,
                          r.electricityKwh, r.gasKwh, r.discomfortKh);
            io.out << line;
            if (compute) {
                std::snprintf(line, sizeof line, " %10.1f %8lld %10.3g", r.computeKwh,
                              static_cast<long long>(r.migrations), r.slav);
                io.out << line;
            }
            std::snprintf(line, sizeof line, " %8.2f\n", r.wallS);
            io.out << line;
        }
        std::snprintf(line, sizeof line, "%zu runs on %u threads in %.2f s\n", runs.size(), threads,
                      wall);
        io.out << line;
    }
    return failures == 0 ? 0 : 1;
}

} // namespace twindesk::app

namespace twindesk::app {

int runCompare(const CompareOptions& options, CliIo& io)
{
    std::vector<Run> runs(2);
    runs[0].scenario = options.baseline;
    runs[1].scenario = options.candidate;
    for (auto& r : runs) {
        r.label = r.scenario.stem().string();
        r.overrides = options.overrides;
    }
    SweepOptions so;
    so.anchors = options.anchors;
    policies::KpiScope scope;
    scope.uses = options.uses;
    const double wall = executeAll(runs, so, scope).wallS;
    for (const auto& r : runs)
        if (!r.ok) {
            io.err << "error: " << r.error << '\n';
            return 1;
        }
    const auto& a = runs[0].scoped;
    const auto& b = runs[1].scoped;
    const auto rows = policies::compareKpis(a, b);
    if (options.json) {
        nlohmann::ordered_json j;
        j["scope"] = a.scope;
        j["baseline"] = {{"scenario", options.baseline.string()},
                         {"kpis", nlohmann::json::parse(policies::kpiJson(a))}};
        j["candidate"] = {{"scenario", options.candidate.string()},
                          {"kpis", nlohmann::json::parse(policies::kpiJson(b))}};
        nlohmann::ordered_json d;
        for (const auto& r : rows)
            d[r.key] = {{"baseline", r.baseline},
                        {"candidate", r.candidate},
                        {"change", r.change()},
                        {"change_percent", r.changePercent().value_or(0.0)}};
        j["comparison"] = d;
        j["wall_time_s"] = wall;
        io.out << j.dump(2) << '\n';
        return 0;
    }
    char line[512];
    io.out << "scope      " << a.scope << " (" << a.zonesInScope << " zones, " << a.energy.areaM2
           << " m², " << a.hours << " h)\n";
    io.out << "baseline   " << options.baseline.string() << '\n';
    io.out << "candidate  " << options.candidate.string() << "\n\n";
    std::snprintf(line, sizeof line, "%-32s %14s %14s %12s %9s\n", "KPI", runs[0].label.c_str(),
                  runs[1].label.c_str(), "change", "%");
    io.out << line;
    for (const auto& r : rows) {
        const std::string label = r.unit.empty() ? r.label : r.label + " (" + r.unit + ")";
        std::snprintf(line, sizeof line, "%-32s %14.2f %14.2f %+12.2f %+8.1f%%\n", label.c_str(),
                      r.baseline, r.candidate, r.change(), r.changePercent().value_or(0.0));
        io.out << line;
    }
    std::snprintf(line, sizeof line, "\n2 runs in %.2f s\n", wall);
    io.out << line;
    return 0;
}

} // namespace twindesk::app
