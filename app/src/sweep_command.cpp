#include "sweep_command.h"

#include "assets.h"
#include "simulate_command.h"

#include <twindesk/policies/scenario_run.h>
#include <twindesk/sim/compute.h>
#include <twindesk/sim/engine.h>
#include <twindesk/sim/scenario.h>

#include <nlohmann/json.hpp>

#include <algorithm>
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
    std::int64_t migrations = 0;
    double slav = 0;
    bool hasCompute = false;
    double wallS = 0;
    std::uint64_t hash = 0;
    policies::KpiReport scoped; ///< KPIs within the requested scope
};

void execute(Run& run, const sim::ScenarioOptions& base, const policies::KpiScope& scope)
{
    const auto start = std::chrono::steady_clock::now();
    sim::ScenarioOptions o = base;
    o.overrides = run.overrides;
    auto scenario = sim::loadScenario(run.scenario, o);
    if (!scenario) {
        run.error = scenario.error().toString();
        return;
    }
    // Through the same run as `simulate`: a scenario's policy decides through the control loop.
    auto made = policies::ScenarioRun::make(*scenario, {});
    if (!made) {
        run.error = made.error().toString();
        return;
    }
    if (auto s = (*made)->run(); !s) {
        run.error = s.error().toString();
        return;
    }
    const auto& engine = (*made)->engine();
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
    run.scoped = (*made)->kpis(scope);
    run.wallS = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    run.ok = true;
}

struct Execution
{
    double wallS = 0.0;
    unsigned threads = 1; ///< threads used: options.threads (0: the cores), at most one per run
};

/// Runs every run in parallel threads.
Execution executeAll(std::vector<Run>& runs, const SweepOptions& options,
                     const policies::KpiScope& scope)
{
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
                execute(runs[i], base, scope);
        });
    for (auto& th : pool)
        th.join();
    return {std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
            threads};
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
    struct Row
    {
        const char* key;
        const char* label;
        double a;
        double b;
    };
    std::vector<Row> rows{
        {"total_kwh", "energy, all carriers (kWh)", a.energy.totalKwh, b.energy.totalKwh},
        {"total_kwh_per_m2", "energy per m² (kWh/m²)", a.energy.totalKwhPerM2,
         b.energy.totalKwhPerM2},
        {"electricity_kwh", "electricity (kWh)", a.energy.electricityKwh, b.energy.electricityKwh},
        {"gas_kwh", "gas (kWh)", a.energy.gasKwh, b.energy.gasKwh},
        {"heating_kwh", "heating delivered (kWh)", a.energy.heatingKwh, b.energy.heatingKwh},
        {"cooling_kwh", "cooling delivered (kWh)", a.energy.coolingKwh, b.energy.coolingKwh},
        {"lighting_kwh", "lighting (kWh)", a.energy.lightingKwh, b.energy.lightingKwh},
        {"it_kwh", "IT, compute hosts (kWh)", a.energy.itKwh, b.energy.itKwh},
        {"discomfort_kh", "discomfort (K·h, in use)", a.comfort.discomfortKh,
         b.comfort.discomfortKh},
        {"discomfort_kh_per_zone", "discomfort per zone (K·h)", a.comfort.discomfortKhPerZone,
         b.comfort.discomfortKhPerZone},
        {"co2_above_1000_ppmh", "CO2 above 1000 ppm (ppm·h)", a.comfort.co2PpmH, b.comfort.co2PpmH},
        {"meetings_started", "meetings started", static_cast<double>(a.comfort.meetingsStarted),
         static_cast<double>(b.comfort.meetingsStarted)},
        {"meetings_started_outside_band", "  of which outside 20–26 °C",
         static_cast<double>(a.comfort.meetingsStartedOutside),
         static_cast<double>(b.comfort.meetingsStartedOutside)},
        {"meeting_minutes_outside_band", "  minutes until in band", a.comfort.meetingMinutesOutside,
         b.comfort.meetingMinutesOutside},
    };
    auto loopValue = [](const policies::KpiReport& r, auto field) {
        return r.loop ? static_cast<double>((*r.loop).*field) : 0.0;
    };
    rows.push_back({"actions_applied", "actions applied",
                    loopValue(a, &policies::LoopKpis::actionsApplied),
                    loopValue(b, &policies::LoopKpis::actionsApplied)});
    rows.push_back({"guard_rejections", "guard rejections",
                    loopValue(a, &policies::LoopKpis::guardRejections),
                    loopValue(b, &policies::LoopKpis::guardRejections)});
    rows.push_back({"fallbacks", "fallbacks", loopValue(a, &policies::LoopKpis::fallbacks),
                    loopValue(b, &policies::LoopKpis::fallbacks)});
    auto delta = [](double x, double y) { return x != 0.0 ? (y - x) / std::abs(x) * 100.0 : 0.0; };
    if (options.json) {
        nlohmann::ordered_json j;
        j["scope"] = a.scope;
        j["baseline"] = {{"scenario", options.baseline.string()},
                         {"kpis", nlohmann::json::parse(policies::kpiJson(a))}};
        j["candidate"] = {{"scenario", options.candidate.string()},
                          {"kpis", nlohmann::json::parse(policies::kpiJson(b))}};
        nlohmann::ordered_json d;
        for (const auto& r : rows)
            d[r.key] = {{"baseline", r.a},
                        {"candidate", r.b},
                        {"change", r.b - r.a},
                        {"change_percent", delta(r.a, r.b)}};
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
        std::snprintf(line, sizeof line, "%-32s %14.2f %14.2f %+12.2f %+8.1f%%\n", r.label, r.a,
                      r.b, r.b - r.a, delta(r.a, r.b));
        io.out << line;
    }
    std::snprintf(line, sizeof line, "\n2 runs in %.2f s\n", wall);
    io.out << line;
    return 0;
}

} // namespace twindesk::app
