#include <twindesk/policies/consolidation_policy.h>
#include <twindesk/policies/validation.h>

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace twindesk::policies {

namespace {

std::string at(const std::string& name, const YAML::Mark& m)
{
    return name + ":" + std::to_string(m.line < 0 ? 1 : m.line + 1) + ":" +
           std::to_string(m.column < 0 ? 1 : m.column + 1);
}

std::string number(double v)
{
    char buf[48];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

struct RuleName
{
    const char* key;
    GateRule rule;
};
constexpr RuleName kRules[] = {{"max", GateRule::Max},
                               {"min", GateRule::Min},
                               {"max_change_pct", GateRule::MaxChangePct},
                               {"min_change_pct", GateRule::MinChangePct},
                               {"max_increase", GateRule::MaxIncrease}};

} // namespace

const std::vector<std::pair<std::string, std::string>>& gateKpis()
{
    static const std::vector<std::pair<std::string, std::string>> kKpis{
        {"energy_kwh", "delivered energy, all carriers, in scope (kWh)"},
        {"electricity_kwh", "delivered electricity in scope (kWh)"},
        {"gas_kwh", "delivered gas in scope (kWh)"},
        {"heating_kwh", "heat delivered in scope (kWh)"},
        {"cooling_kwh", "heat removed in scope (kWh)"},
        {"lighting_kwh", "lighting electricity in scope (kWh)"},
        {"it_kwh", "compute hosts' electricity in scope (kWh)"},
        {"energy_kwh_per_m2", "energy per conditioned m² in scope"},
        {"discomfort_kh", "K·h outside 20–26 °C while in use, zones in scope"},
        {"discomfort_kh_per_zone_day", "discomfort per tracked zone and simulated day"},
        {"co2_ppmh", "ppm·h above 1000 ppm"},
        {"meetings_started_outside_band", "meetings that began outside 20–26 °C"},
        {"compute_energy_kwh", "hosts' energy as the compute accounting books it (kWh)"},
        {"slatah", "SLA violation time per active host (fraction)"},
        {"pdm", "performance degradation due to migration (fraction)"},
        {"slav", "SLATAH × PDM"},
        {"esv", "energy × SLAV"},
        {"migrations", "VM migrations started"},
        {"actions_applied", "actions the loop applied"},
        {"guard_rejections", "actions refused by the guard or the sink"},
        {"oscillations", "actions refused by the guard's oscillation rule"},
        {"fallbacks", "rounds decided by the fallback policy"},
        {"policy_errors", "rounds the policy failed, threw, timed out or returned invalid output"},
        {"decision_p99_ms", "99th percentile of one decision round (observe → log), ms"},
        {"decide_p99_ms", "99th percentile of the policy's decide(), ms"},
        {"drift_psi_max", "largest PSI of a learned model's inputs against its training data"},
    };
    return kKpis;
}

twin::Result<Gate> Gate::load(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return twin::makeError(twin::ErrorCode::NotFound, "cannot open the gate file",
                               file.string());
    std::stringstream text;
    text << in.rdbuf();
    return parse(text.str(), file.string());
}

twin::Result<Gate> Gate::parse(std::string_view text, const std::string& name)
{
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::ParserException& e) {
        return twin::makeError(twin::ErrorCode::ParseError, "YAML/JSON syntax error: " + e.msg,
                               at(name, e.mark));
    } catch (const std::exception& e) {
        return twin::makeError(twin::ErrorCode::ParseError, e.what(), name);
    }
    auto bad = [&](const YAML::Node& n, const std::string& why) {
        return twin::makeError(twin::ErrorCode::ParseError, why, at(name, n.Mark()));
    };
    if (!root.IsMap())
        return bad(root, "a gate file is a map with the keys scope (optional) and thresholds");
    Gate gate;
    for (const auto& kv : root) {
        const auto key = kv.first.Scalar();
        if (key != "scope" && key != "thresholds" && key != "description")
            return bad(kv.first,
                       "unknown key '" + key + "' (known: description, scope, thresholds)");
    }
    if (const auto scope = root["scope"]) {
        if (scope.IsScalar()) {
            gate.scope.push_back(scope.Scalar());
        } else if (scope.IsSequence()) {
            for (const auto& u : scope) {
                if (!u.IsScalar())
                    return bad(u, "a scope entry is a room use such as conference");
                gate.scope.push_back(u.Scalar());
            }
        } else {
            return bad(scope, "scope is a room use or a list of them, e.g. [conference]");
        }
    }
    const auto thresholds = root["thresholds"];
    if (!thresholds || !thresholds.IsSequence() || thresholds.size() == 0)
        return bad(thresholds ? thresholds : root,
                   "thresholds must be a non-empty list of {kpi: NAME, RULE: NUMBER}");
    for (const auto& entry : thresholds) {
        if (!entry.IsMap())
            return bad(entry,
                       "a threshold is a map such as {kpi: energy_kwh, max_change_pct: -10}");
        GateThreshold t;
        t.where = at(name, entry.Mark());
        bool haveRule = false;
        for (const auto& kv : entry) {
            const auto key = kv.first.Scalar();
            if (key == "kpi") {
                t.kpi = kv.second.Scalar();
                bool known = false;
                for (const auto& [k, meaning] : gateKpis())
                    known = known || k == t.kpi;
                if (!known) {
                    std::string list;
                    for (const auto& [k, meaning] : gateKpis())
                        list += (list.empty() ? "" : ", ") + k;
                    return bad(kv.second, "unknown KPI '" + t.kpi + "' (known: " + list + ")");
                }
                continue;
            }
            if (key == "note")
                continue;
            const RuleName* rule = nullptr;
            for (const auto& r : kRules)
                if (key == r.key)
                    rule = &r;
            if (rule == nullptr)
                return bad(kv.first, "unknown rule '" + key +
                                         "' (known: max, min, max_change_pct, min_change_pct, "
                                         "max_increase; and kpi, note)");
            if (haveRule)
                return bad(kv.first,
                           "one rule per threshold; write another entry for '" + key + "'");
            double v = 0.0;
            try {
                v = kv.second.as<double>();
            } catch (const std::exception&) {
                return bad(kv.second,
                           "'" + key + "' needs a number, got '" + kv.second.Scalar() + "'");
            }
            if (!std::isfinite(v))
                return bad(kv.second, "'" + key + "' needs a finite number");
            t.rule = rule->rule;
            t.value = v;
            haveRule = true;
        }
        if (t.kpi.empty())
            return bad(entry, "the threshold names no kpi");
        if (!haveRule)
            return bad(entry, "the threshold for '" + t.kpi +
                                  "' has no rule (max, min, max_change_pct, min_change_pct, "
                                  "max_increase)");
        gate.thresholds.push_back(std::move(t));
    }
    return gate;
}

std::map<std::string, double> gateKpiValues(const KpiReport& r,
                                            const std::optional<sim::ComputeMetrics>& compute,
                                            const LoopStats* loop)
{
    std::map<std::string, double> v;
    const auto& e = r.energy;
    v["energy_kwh"] = e.totalKwh;
    v["electricity_kwh"] = e.electricityKwh;
    v["gas_kwh"] = e.gasKwh;
    v["heating_kwh"] = e.heatingKwh;
    v["cooling_kwh"] = e.coolingKwh;
    v["lighting_kwh"] = e.lightingKwh;
    v["it_kwh"] = e.itKwh;
    v["energy_kwh_per_m2"] = e.totalKwhPerM2;
    const auto& k = r.comfort;
    v["discomfort_kh"] = k.discomfortKh;
    const double days = r.hours / 24.0;
    v["discomfort_kh_per_zone_day"] =
        k.zones > 0 && days > 0 ? k.discomfortKh / k.zones / days : 0.0;
    v["co2_ppmh"] = k.co2PpmH;
    v["meetings_started_outside_band"] = static_cast<double>(k.meetingsStartedOutside);
    if (compute) {
        v["compute_energy_kwh"] = compute->energyKwh;
        v["slatah"] = compute->slatah;
        v["pdm"] = compute->pdm;
        v["slav"] = compute->slav;
        v["esv"] = compute->esv;
        v["migrations"] = static_cast<double>(compute->migrations);
    }
    v["actions_applied"] = 0;
    v["guard_rejections"] = 0;
    v["oscillations"] = 0;
    v["fallbacks"] = 0;
    v["policy_errors"] = 0;
    v["decision_p99_ms"] = 0;
    v["decide_p99_ms"] = 0;
    if (loop != nullptr) {
        v["actions_applied"] = static_cast<double>(loop->applied);
        v["guard_rejections"] = static_cast<double>(loop->rejected);
        v["oscillations"] = static_cast<double>(loop->oscillations);
        v["fallbacks"] = static_cast<double>(loop->fallbacks);
        v["policy_errors"] = static_cast<double>(loop->policyErrors);
        v["decision_p99_ms"] = percentile(loop->latency.roundUs, 99) / 1000.0;
        v["decide_p99_ms"] = percentile(loop->latency.decideUs, 99) / 1000.0;
    }
    return v;
}

std::vector<InputDrift> policyDrift(const Policy* policy)
{
    if (const auto* c = dynamic_cast<const ConsolidationPolicy*>(policy))
        return c->drift();
    return {};
}

std::vector<GateResult> evaluateGate(const Gate& gate,
                                     const std::map<std::string, double>& baseline,
                                     const std::map<std::string, double>& candidate)
{
    std::vector<GateResult> out;
    for (const auto& t : gate.thresholds) {
        GateResult r;
        r.threshold = t;
        const auto b = baseline.find(t.kpi);
        const auto c = candidate.find(t.kpi);
        switch (t.rule) {
        case GateRule::Max:
            r.rule = "≤ " + number(t.value);
            break;
        case GateRule::Min:
            r.rule = "≥ " + number(t.value);
            break;
        case GateRule::MaxChangePct:
            r.rule = "change ≤ " + number(t.value) + " %";
            break;
        case GateRule::MinChangePct:
            r.rule = "change ≥ " + number(t.value) + " %";
            break;
        case GateRule::MaxIncrease:
            r.rule = "increase ≤ " + number(t.value);
            break;
        }
        if (b == baseline.end() || c == candidate.end()) {
            r.reason = "'" + t.kpi + "' is not measured in this run (e.g. no compute hosts)";
            out.push_back(std::move(r));
            continue;
        }
        r.baseline = b->second;
        r.candidate = c->second;
        switch (t.rule) {
        case GateRule::Max:
            r.pass = r.candidate <= t.value;
            break;
        case GateRule::Min:
            r.pass = r.candidate >= t.value;
            break;
        case GateRule::MaxChangePct:
        case GateRule::MinChangePct: {
            if (r.baseline == 0.0) {
                if (r.candidate == 0.0)
                    r.change = 0.0;
            } else {
                r.change = (r.candidate - r.baseline) / std::abs(r.baseline) * 100.0;
            }
            if (!r.change) {
                r.reason = "the baseline is 0: a relative change is undefined";
                r.pass = false;
            } else {
                r.pass =
                    t.rule == GateRule::MaxChangePct ? *r.change <= t.value : *r.change >= t.value;
            }
            break;
        }
        case GateRule::MaxIncrease:
            r.change = r.candidate - r.baseline;
            r.pass = *r.change <= t.value;
            break;
        }
        if (!r.pass && r.reason.empty())
            r.reason = t.kpi + " " + number(r.candidate) + " breaks " + r.rule +
                       (r.change ? " (change " + number(*r.change) + ")" : "");
        out.push_back(std::move(r));
    }
    return out;
}

} // namespace twindesk::policies
