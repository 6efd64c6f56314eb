#include "validate_command.h"

#include "replay_command.h"
#include "run_series.h"
#include "validation_report.h"

#include <twindesk/policies/policy_registry.h>
#include <twindesk/policies/scenario_run.h>
#include <twindesk/policies/validation.h>
#include <twindesk/sim/compute.h>
#include <twindesk/sim/engine.h>
#include <twindesk/version.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <ostream>
#include <thread>

namespace twindesk::app {

namespace {

constexpr int kPass = 0;
constexpr int kFail = 1;
constexpr int kError = 2;

int errorOut(CliIo& io, const std::string& message)
{
    io.err << "error: " << message << '\n';
    return kError;
}

/// One closed-loop run and what the report plots of it.
struct Side
{
    std::string label;
    std::string policyJson;
    std::string name; ///< id version short-hash
    std::string error;
    std::map<std::string, double> kpis;
    ReportSeries temperature, power, hosts, actions;
    std::vector<policies::InputDrift> drift;
};

void runSide(Side& side, int index, const sim::Scenario& scenario, const policies::KpiScope& scope,
             const ValidateHooks& hooks, bool& cancelled)
{
    policies::RunOptions o;
    o.policyJson = side.policyJson;
    o.where = side.label;
    auto made = policies::ScenarioRun::make(scenario, o);
    if (!made) {
        side.error = made.error().toString();
        return;
    }
    auto& run = **made;
    const auto& info = run.policy()->info();
    side.name = info.id + " " + info.version + " " + info.hash.substr(0, 19) + "…";
    // About 2000 samples of the run, whatever its length and step (the what-if view's too).
    RunSeriesOptions seriesOptions;
    seriesOptions.scope = scope;
    RunSampler sampler(run, seriesOptions);
    // Step by step (ScenarioRun::run's loop) so a cancel is seen between steps.
    const auto steps = run.engine().config().grid.stepCount();
    const auto every = std::max<std::int64_t>(1, steps / 200);
    twin::Status status;
    while (!run.finished()) {
        if (hooks.cancel != nullptr && hooks.cancel->load()) {
            cancelled = true;
            return;
        }
        status = run.step();
        if (!status)
            break;
        sampler.observe(run);
        const auto step = run.engine().state().step;
        if (hooks.progress && step % every == 0)
            hooks.progress(index, static_cast<double>(step) / static_cast<double>(steps));
    }
    for (auto [series, key] :
         {std::pair{&side.temperature, "zone_air_c"}, std::pair{&side.power, "electric_kw"},
          std::pair{&side.hosts, "hosts_on"}, std::pair{&side.actions, "actions_per_h"}})
        if (const auto* sampled = sampler.find(key))
            series->points = sampled->points;
    if (!status) {
        side.error = status.error().toString();
        return;
    }
    std::optional<sim::ComputeMetrics> compute;
    if (run.engine().state().compute)
        compute = run.engine().state().compute->metrics();
    side.kpis = policies::gateKpiValues(run.kpis(scope), compute,
                                        run.loop() != nullptr ? &run.loop()->stats() : nullptr);
    side.drift = policies::policyDrift(run.policy());
    double worst = 0.0;
    for (const auto& d : side.drift)
        if (d.samples >= policies::kDriftMinSamples)
            worst = std::max(worst, d.psi);
    side.kpis["drift_psi_max"] = worst;
    for (auto* series : {&side.temperature, &side.power, &side.hosts, &side.actions})
        series->label = side.label;
}

std::string fmt(double v)
{
    char buf[48];
    if (v != 0.0 && (std::abs(v) < 0.01 || std::abs(v) >= 1e6))
        std::snprintf(buf, sizeof buf, "%.3g", v);
    else
        std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

} // namespace

twin::Result<ValidationOutcome> validateRecording(const ValidateOptions& options,
                                                  const ValidateHooks& hooks)
{
    ValidationOutcome out;
    auto gate = policies::Gate::load(options.gate);
    if (!gate)
        return gate.error();
    auto ctx = loadRecordingContext(options.recording, options.scenario, options.anchors);
    if (!ctx)
        return ctx.error();
    std::array<Side, 2> sides;
    sides[0].label = "baseline";
    sides[1].label = "candidate";
    for (auto [side, spec] :
         {std::pair{&sides[0], options.baseline}, std::pair{&sides[1], options.candidate}}) {
        auto json = candidatePolicyJson(ctx->policy, spec, "--" + side->label);
        if (!json)
            return json.error();
        side->policyJson = *json;
        // Fail fast on a bad policy, before two long runs.
        if (auto p = policies::createPolicy(side->policyJson, "--" + side->label,
                                            ctx->scenario.file.parent_path());
            !p)
            return p.error();
    }
    const policies::KpiScope scope{gate->scope};
    {
        bool cancelled[2] = {false, false};
        std::thread other([&] { runSide(sides[1], 1, ctx->scenario, scope, hooks, cancelled[1]); });
        runSide(sides[0], 0, ctx->scenario, scope, hooks, cancelled[0]);
        other.join();
        if (cancelled[0] || cancelled[1]) {
            out.cancelled = true;
            return out;
        }
    }
    for (const auto& s : sides)
        if (!s.error.empty())
            return twin::makeError(twin::ErrorCode::InvalidArgument, s.label + " run: " + s.error);

    const auto results = policies::evaluateGate(*gate, sides[0].kpis, sides[1].kpis);
    const bool pass = std::all_of(results.begin(), results.end(),
                                  [](const policies::GateResult& r) { return r.pass; });
    const auto& c = *ctx->scenario.config;
    const std::string scopeText = gate->scope.empty() ? "site" : [&] {
        std::string s;
        for (const auto& u : gate->scope)
            s += (s.empty() ? "" : "+") + u;
        return s;
    }();

    ValidationReport report;
    report.title = "Validation: " + sides[1].name.substr(0, sides[1].name.find(' ')) + " vs " +
                   sides[0].name.substr(0, sides[0].name.find(' '));
    report.recording = options.recording.string();
    report.period = sim::formatUtc(c.grid.start()) + " – " + sim::formatUtc(c.grid.end());
    report.scope = scopeText;
    report.baselineName = sides[0].name;
    report.candidateName = sides[1].name;
    report.gateFile = options.gate.string();
    report.pass = pass;
    report.generatedBy = std::string("twindesk ") + kVersion;
    for (const auto& r : results) {
        ReportThreshold t;
        t.kpi = r.threshold.kpi;
        t.rule = r.rule;
        t.baseline = fmt(r.baseline);
        t.candidate = fmt(r.candidate);
        if (r.change) {
            const bool pct = r.threshold.rule == policies::GateRule::MaxChangePct ||
                             r.threshold.rule == policies::GateRule::MinChangePct;
            t.change = (*r.change >= 0 ? "+" : "") + fmt(*r.change) + (pct ? " %" : "");
        } else {
            t.change = "n/a";
        }
        t.pass = r.pass;
        report.thresholds.push_back(std::move(t));
    }
    const std::vector<std::tuple<const char*, const char*, const char*>> shown{
        {"energy_kwh", "Energy, all carriers", "kWh"},
        {"heating_kwh", "Heating delivered", "kWh"},
        {"cooling_kwh", "Cooling delivered", "kWh"},
        {"it_kwh", "IT (compute hosts)", "kWh"},
        {"discomfort_kh", "Discomfort", "K·h"},
        {"compute_energy_kwh", "Compute energy", "kWh"},
        {"migrations", "VM migrations", ""},
        {"actions_applied", "Actions applied", ""},
        {"fallbacks", "Fallback rounds", ""},
        {"decision_p99_ms", "Decision round p99", "ms"},
    };
    for (const auto& [key, label, unit] : shown) {
        const auto b = sides[0].kpis.find(key);
        const auto k = sides[1].kpis.find(key);
        if (b == sides[0].kpis.end() || k == sides[1].kpis.end())
            continue;
        if (b->second == 0.0 && k->second == 0.0 && std::string(key) != "fallbacks")
            continue;
        report.kpis.push_back({label, unit, b->second, k->second});
    }
    auto plot = [&](const char* title, const char* unit, ReportSeries Side::*member, bool step) {
        ReportPlot p;
        p.title = title;
        p.unit = unit;
        p.step = step;
        for (const auto& s : sides)
            if (!(s.*member).points.empty())
                p.series.push_back(s.*member);
        if (!p.series.empty())
            report.plots.push_back(std::move(p));
    };
    plot(("Zone air temperature, " + scopeText + " (mean of the zones in scope)").c_str(), "°C",
         &Side::temperature, false);
    if (!report.plots.empty())
        report.plots.back().band = std::pair{sim::kComfortOccupiedLowC, sim::kComfortOccupiedHighC};
    plot("Site electric power", "kW", &Side::power, false);
    plot("Compute hosts switched on", "hosts", &Side::hosts, true);
    plot("Actions applied", "actions/h", &Side::actions, true);
    report.notes = {
        "Closed loop: the recording's scenario (" + ctx->scenario.file.string() +
            ") supplies the exogenous inputs — weather file, calendar, seeded occupancy, VM "
            "demand traces — and the initial state; each policy acts through the same control "
            "loop (guard, approvals, log) and the twin's physics responds.",
        "Comfort band: " + fmt(sim::kComfortOccupiedLowC) + "–" + fmt(sim::kComfortOccupiedHighC) +
            " °C while in use.",
    };
    for (const auto& side : sides) {
        if (side.drift.empty())
            continue;
        std::string line = "Input drift of the " + side.label + "'s model (PSI / KS per input, " +
                           "alarm at PSI ≥ 0.2):";
        for (const auto& d : side.drift)
            line += " " + d.name + " " + fmt(d.psi) + "/" + fmt(d.ks) + (d.alarm ? " ALARM" : "");
        report.notes.push_back(line);
    }
    if (options.report)
        if (auto s = writeValidationReport(report, *options.report); !s)
            return s.error();
    out.pass = pass;
    out.results = results;
    out.scope = scopeText;
    out.names = {sides[0].name, sides[1].name};
    out.drift = {sides[0].drift, sides[1].drift};
    out.report = std::move(report);
    return out;
}

int runValidate(const ValidateOptions& options, CliIo& io)
{
    auto outcome = validateRecording(options);
    if (!outcome)
        return errorOut(io, outcome.error().toString());
    const bool pass = outcome->pass;
    const auto& results = outcome->results;
    const auto& report = outcome->report;
    const auto& scopeText = outcome->scope;
    struct Named
    {
        std::string label, name;
        const std::vector<policies::InputDrift>& drift;
    };
    const std::array<Named, 2> sides{Named{"baseline", outcome->names[0], outcome->drift[0]},
                                     Named{"candidate", outcome->names[1], outcome->drift[1]}};

    if (options.json) {
        nlohmann::ordered_json j;
        j["pass"] = pass;
        j["recording"] = report.recording;
        j["scope"] = scopeText;
        j["baseline"] = sides[0].name;
        j["candidate"] = sides[1].name;
        nlohmann::ordered_json rows = nlohmann::ordered_json::array();
        for (const auto& r : results) {
            nlohmann::ordered_json row{{"kpi", r.threshold.kpi},
                                       {"rule", r.rule},
                                       {"baseline", r.baseline},
                                       {"candidate", r.candidate},
                                       {"pass", r.pass}};
            row["change"] = r.change ? nlohmann::ordered_json(*r.change) : nullptr;
            if (!r.pass)
                row["reason"] = r.reason;
            rows.push_back(row);
        }
        j["thresholds"] = rows;
        for (const auto& side : sides)
            if (!side.drift.empty())
                j["drift"][side.label] =
                    nlohmann::ordered_json::parse(policies::inputDriftJson(side.drift));
        if (options.report)
            j["report"] = options.report->string();
        io.out << j.dump(2) << '\n';
        return pass ? kPass : kFail;
    }
    char line[512];
    io.out << "recording  " << report.recording << "\nscope      " << scopeText << "\nbaseline   "
           << sides[0].name << "\ncandidate  " << sides[1].name << "\n\n";
    std::snprintf(line, sizeof line, "%-30s %-22s %14s %14s %12s  %s\n", "KPI", "rule", "baseline",
                  "candidate", "change", "verdict");
    io.out << line;
    for (std::size_t i = 0; i < results.size(); ++i) {
        const auto& t = report.thresholds[i];
        std::snprintf(line, sizeof line, "%-30s %-22s %14s %14s %12s  %s\n", t.kpi.c_str(),
                      t.rule.c_str(), t.baseline.c_str(), t.candidate.c_str(), t.change.c_str(),
                      t.pass ? "pass" : "FAIL");
        io.out << line;
    }
    for (const auto& side : sides)
        for (const auto& d : side.drift)
            if (d.alarm)
                io.out << "drift alarm (" << side.label << "): " << d.name << " PSI " << fmt(d.psi)
                       << " over " << d.samples << " inputs\n";
    io.out << '\n'
           << (pass ? "PASS" : "FAIL") << ": " << results.size() << " thresholds, "
           << std::count_if(results.begin(), results.end(),
                            [](const policies::GateResult& r) { return !r.pass; })
           << " failed\n";
    if (options.report)
        io.out << "report     " << options.report->string() << '\n';
    return pass ? kPass : kFail;
}

} // namespace twindesk::app
