#include <twindesk/policies/adaptive_conference_policy.h>
#include <twindesk/policies/consolidation_policy.h>
#include <twindesk/policies/fixed_schedule_policy.h>
#include <twindesk/policies/meeting_compute_policy.h>
#include <twindesk/policies/policy_registry.h>
#include <twindesk/policies/rule_policy.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <functional>
#include <map>

namespace twindesk::policies {

namespace {

using Json = nlohmann::json;

/// Reads a JSON object of settings (a policy's "params", the "guard", the "approvals"): every
/// key must be declared, every value of its type; errors name "<where>/<key>".
class Params
{
public:
    Params(const Json& params, std::string where, std::string policy)
        : m_params(params), m_where(std::move(where)), m_policy(std::move(policy))
    {
    }

    /// Declares the keys; unknown keys are refused with the list of known ones.
    twin::Status known(std::initializer_list<const char*> keys) const
    {
        for (const auto& [key, value] : m_params.items()) {
            bool found = false;
            for (const char* k : keys)
                found = found || key == k;
            if (!found) {
                std::string list;
                for (const char* k : keys)
                    list += (list.empty() ? "" : ", ") + std::string(k);
                return twin::makeError(twin::ErrorCode::ParseError,
                                       "unknown parameter '" + key + "' of " + m_policy +
                                           " (known: " + list + ")",
                                       at(key));
            }
        }
        return {};
    }
    twin::Status number(const char* key, double& out) const
    {
        if (!m_params.contains(key))
            return {};
        const auto& v = m_params[key];
        if (!v.is_number() || !std::isfinite(v.get<double>()))
            return twin::makeError(twin::ErrorCode::ParseError, "expected a number", at(key));
        out = v.get<double>();
        return {};
    }
    twin::Status integer(const char* key, int& out) const
    {
        if (!m_params.contains(key))
            return {};
        const auto& v = m_params[key];
        if (!v.is_number_integer())
            return twin::makeError(twin::ErrorCode::ParseError, "expected an integer", at(key));
        out = v.get<int>();
        return {};
    }
    twin::Status seconds(const char* key, Seconds& out) const
    {
        if (!m_params.contains(key))
            return {};
        const auto& v = m_params[key];
        if (!v.is_number_integer() || v.get<std::int64_t>() < 0)
            return twin::makeError(twin::ErrorCode::ParseError,
                                   "expected a whole number of seconds >= 0", at(key));
        out = v.get<Seconds>();
        return {};
    }
    twin::Status text(const char* key, std::string& out) const
    {
        if (!m_params.contains(key))
            return {};
        if (!m_params[key].is_string() || m_params[key].get<std::string>().empty())
            return twin::makeError(twin::ErrorCode::ParseError, "expected a non-empty string",
                                   at(key));
        out = m_params[key].get<std::string>();
        return {};
    }
    twin::Status boolean(const char* key, bool& out) const
    {
        if (!m_params.contains(key))
            return {};
        if (!m_params[key].is_boolean())
            return twin::makeError(twin::ErrorCode::ParseError, "expected true or false", at(key));
        out = m_params[key].get<bool>();
        return {};
    }
    twin::Status uses(const char* key, std::vector<twin::ZoneUse>& out) const
    {
        if (!m_params.contains(key))
            return {};
        const auto& v = m_params[key];
        if (!v.is_array())
            return twin::makeError(twin::ErrorCode::ParseError,
                                   R"(expected an array of room uses, e.g. ["conference"])",
                                   at(key));
        for (const auto& item : v) {
            const auto use =
                item.is_string() ? twin::parseZoneUse(item.get<std::string>()) : std::nullopt;
            if (!use)
                return twin::makeError(twin::ErrorCode::ParseError,
                                       "'" + item.dump() +
                                           "' is not a room use (office, conference, "
                                           "server_room, corridor, ...)",
                                       at(key));
            out.push_back(*use);
        }
        return {};
    }
    [[nodiscard]] std::string at(const std::string& key) const { return m_where + "/" + key; }
    [[nodiscard]] const std::string& where() const { return m_where; }

private:
    const Json& m_params;
    std::string m_where;
    std::string m_policy;
};

/// Chains Status-returning reads: the first error wins.
twin::Status all(std::initializer_list<twin::Status> statuses)
{
    for (const auto& s : statuses)
        if (!s)
            return s;
    return {};
}

} // namespace

namespace {

std::string jsonText(const Json& value)
{
    return value.dump();
}

/// The parameters of each policy, with the defaults of its params struct.
std::vector<PolicyParameter> fixedScheduleParameters()
{
    const FixedScheduleParams d;
    return {{"occupied_heating_c", "number", jsonText(d.occupiedHeating), "°C", {}},
            {"occupied_cooling_c", "number", jsonText(d.occupiedCooling), "°C", {}},
            {"setback_heating_c", "number", jsonText(d.setbackHeating), "°C", {}},
            {"setback_cooling_c", "number", jsonText(d.setbackCooling), "°C", {}},
            {"start_hour", "integer", jsonText(d.startHour), "h", {}},
            {"end_hour", "integer", jsonText(d.endHour), "h", {}},
            {"lights", "boolean", jsonText(d.lights), "", {}},
            {"ventilation", "choice", d.designVentilation ? R"("design")" : R"("demand")", "",
             {"demand", "design"}},
            {"zone_use", "uses", "[]", "", {}}};
}

std::vector<PolicyParameter> adaptiveConferenceParameters()
{
    const AdaptiveConferenceParams d;
    return {{"comfort_heating_c", "number", jsonText(d.comfortHeating), "°C", {}},
            {"comfort_cooling_c", "number", jsonText(d.comfortCooling), "°C", {}},
            {"standby_heating_c", "number", jsonText(d.standbyHeating), "°C", {}},
            {"standby_cooling_c", "number", jsonText(d.standbyCooling), "°C", {}},
            {"warmup_rate_k_per_h", "number", jsonText(d.warmupRateKPerH), "K/h", {}},
            {"cooldown_rate_k_per_h", "number", jsonText(d.cooldownRateKPerH), "K/h", {}},
            {"min_lead_s", "seconds", jsonText(d.minLead), "s", {}},
            {"max_lead_s", "seconds", jsonText(d.maxLead), "s", {}},
            {"vacancy_delay_s", "seconds", jsonText(d.vacancyDelay), "s", {}},
            {"min_standby_s", "seconds", jsonText(d.minStandby), "s", {}},
            {"learn_rates", "boolean", jsonText(d.learnRates), "", {}}};
}

std::vector<PolicyParameter> consolidationParameters()
{
    const ConsolidationPolicyParams d;
    return {{"algorithm", "text", jsonText(d.algorithm), "", {}},
            {"seed", "integer", jsonText(d.seed), "", {}},
            {"switch_off_idle_hosts", "boolean", jsonText(d.switchOffIdleHosts), "", {}},
            {"model", "file", "", "", {}},
            {"period_s", "seconds", jsonText(d.period), "s", {}}};
}

std::vector<PolicyParameter> meetingComputeParameters()
{
    const MeetingComputeParams d;
    return {{"lead_quantile", "number", jsonText(d.leadQuantile), "", {}},
            {"period_s", "seconds", jsonText(d.period), "s", {}},
            {"teardown_delay_s", "seconds", jsonText(d.teardownDelay), "s", {}},
            {"batch_throttle_pct", "number", jsonText(d.batchThrottlePct), "%", {}}};
    // batch_host (move batch work there instead of throttling) has no default value to offer:
    // it is accepted in params but not listed for editors.
}

} // namespace

std::vector<PolicyDescription> availablePolicies()
{
    return {
        {"adaptive-conference",
         "conference rooms driven by bookings and presence: comfort while booked or occupied, "
         "pre-conditioning before meetings (learned warm-up rate), standby setback after "
         "vacancy, lights by presence, demand-controlled ventilation (params: "
         "comfort_heating_c, comfort_cooling_c, standby_heating_c, standby_cooling_c, "
         "warmup_rate_k_per_h, cooldown_rate_k_per_h, min_lead_s, max_lead_s, "
         "vacancy_delay_s, min_standby_s, learn_rates)",
         adaptiveConferenceParameters()},
        {"consolidation",
         "dynamic VM consolidation of Beloglazov & Buyya 2012 on the compute hosts: overload "
         "detection, VM selection, PABFD placement and idle hosts off, every 300 s (params: "
         "algorithm (NPA, DVFS or DETECTOR-SELECTION-PARAMETER with THR, IQR, MAD, LR, LRR or "
         "ML and MMT, MC, RS or MU, e.g. LR-MMT-1.2), seed, switch_off_idle_hosts, model (the "
         "forecaster of ML detectors), period_s)",
         consolidationParameters()},
        {"meeting-compute",
         "meeting-aware compute (docs/runtimes.md): provisions the services flagged meetings "
         "need ahead of them (lead time from the start-up distribution), picks the runtime by "
         "isolation and deadline, throttles or moves batch work while they run, tears down "
         "after (params: lead_quantile, period_s, teardown_delay_s, batch_throttle_pct, "
         "batch_host)",
         meetingComputeParameters()},
        {"always-on-compute",
         "the compute baseline: every service's workload always on, no throttling (params: "
         "period_s)",
         {{"period_s", "seconds", "300", "s", {}}}},
        {"rules",
         "declarative rules from a YAML or JSON file: conditions over points, time and "
         "calendar with hysteresis, for-durations and minimum dwell (params: file; format in "
         "docs/rules.md)",
         {{"file", "file", "", "", {}}}},
        {"fixed-schedule",
         "the BMS baseline: occupied setpoints on weekdays within set hours, setback otherwise "
         "(params: occupied_heating_c, occupied_cooling_c, setback_heating_c, "
         "setback_cooling_c, start_hour, end_hour, lights (time-clock lighting), ventilation "
         "(\"design\" during occupied hours or \"demand\"), zone_use (only rooms of these uses))",
         fixedScheduleParameters()},
    };
}

twin::Result<std::unique_ptr<Policy>> createPolicy(const std::string& policyJson,
                                                   const std::string& where,
                                                   const std::filesystem::path& baseDir)
{
    const auto j = Json::parse(policyJson, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return twin::makeError(twin::ErrorCode::ParseError,
                               R"(expected an object {"name": ..., "params": {...}})", where);
    if (!j.contains("name") || !j["name"].is_string())
        return twin::makeError(twin::ErrorCode::ParseError, "missing the policy's \"name\"",
                               where + "/name");
    const std::string name = j["name"].get<std::string>();
    for (const auto& [key, value] : j.items())
        if (key != "name" && key != "params" && key != "guard" && key != "approvals" &&
            key != "timeout_ms" && key != "fallback" && key != "shadow")
            return twin::makeError(twin::ErrorCode::ParseError, "unknown key '" + key + "'",
                                   where + "/" + key);
    const Json params = j.value("params", Json::object());
    if (!params.is_object())
        return twin::makeError(twin::ErrorCode::ParseError, "expected an object",
                               where + "/params");
    const Params in(params, where + "/params", name);
    auto wrap = [&](auto made) -> twin::Result<std::unique_ptr<Policy>> {
        if (!made)
            return twin::makeError(made.error().code, made.error().message, where + "/params");
        return std::unique_ptr<Policy>(std::move(made).value());
    };

    if (name == "fixed-schedule") {
        FixedScheduleParams p;
        if (auto s = in.known({"occupied_heating_c", "occupied_cooling_c", "setback_heating_c",
                               "setback_cooling_c", "start_hour", "end_hour", "lights",
                               "ventilation", "zone_use"});
            !s)
            return s.error();
        if (auto s = all({in.number("occupied_heating_c", p.occupiedHeating),
                          in.number("occupied_cooling_c", p.occupiedCooling),
                          in.number("setback_heating_c", p.setbackHeating),
                          in.number("setback_cooling_c", p.setbackCooling),
                          in.integer("start_hour", p.startHour), in.integer("end_hour", p.endHour),
                          in.boolean("lights", p.lights), in.uses("zone_use", p.uses)});
            !s)
            return s.error();
        if (params.contains("ventilation")) {
            const auto& v = params["ventilation"];
            if (!v.is_string() || (v != "design" && v != "demand"))
                return twin::makeError(twin::ErrorCode::ParseError,
                                       R"(expected "design" or "demand")", in.at("ventilation"));
            p.designVentilation = v == "design";
        }
        return wrap(FixedSchedulePolicy::make(p));
    }
    if (name == "adaptive-conference") {
        AdaptiveConferenceParams p;
        if (auto s = in.known({"comfort_heating_c", "comfort_cooling_c", "standby_heating_c",
                               "standby_cooling_c", "warmup_rate_k_per_h", "cooldown_rate_k_per_h",
                               "min_lead_s", "max_lead_s", "vacancy_delay_s", "min_standby_s",
                               "learn_rates"});
            !s)
            return s.error();
        if (auto s = all({in.number("comfort_heating_c", p.comfortHeating),
                          in.number("comfort_cooling_c", p.comfortCooling),
                          in.number("standby_heating_c", p.standbyHeating),
                          in.number("standby_cooling_c", p.standbyCooling),
                          in.number("warmup_rate_k_per_h", p.warmupRateKPerH),
                          in.number("cooldown_rate_k_per_h", p.cooldownRateKPerH),
                          in.seconds("min_lead_s", p.minLead), in.seconds("max_lead_s", p.maxLead),
                          in.seconds("vacancy_delay_s", p.vacancyDelay),
                          in.seconds("min_standby_s", p.minStandby),
                          in.boolean("learn_rates", p.learnRates)});
            !s)
            return s.error();
        return wrap(AdaptiveConferencePolicy::make(p));
    }
    if (name == "consolidation") {
        ConsolidationPolicyParams p;
        int seed = 0;
        std::string model;
        if (auto s = in.known({"algorithm", "seed", "switch_off_idle_hosts", "model", "period_s"});
            !s)
            return s.error();
        if (auto s = all({in.text("algorithm", p.algorithm), in.integer("seed", seed),
                          in.boolean("switch_off_idle_hosts", p.switchOffIdleHosts),
                          in.text("model", model), in.seconds("period_s", p.period)});
            !s)
            return s.error();
        if (seed < 0)
            return twin::makeError(twin::ErrorCode::ParseError, "expected an integer >= 0",
                                   in.at("seed"));
        p.seed = static_cast<std::uint64_t>(seed);
        if (!model.empty()) {
            p.model = model;
            if (p.model.is_relative() && !baseDir.empty())
                p.model = baseDir / p.model;
        }
        return wrap(ConsolidationPolicy::make(p));
    }
    if (name == "meeting-compute") {
        MeetingComputeParams p;
        if (auto s = in.known({"lead_quantile", "period_s", "teardown_delay_s",
                               "batch_throttle_pct", "batch_host"});
            !s)
            return s.error();
        if (auto s = all({in.number("lead_quantile", p.leadQuantile),
                          in.seconds("period_s", p.period),
                          in.seconds("teardown_delay_s", p.teardownDelay),
                          in.number("batch_throttle_pct", p.batchThrottlePct),
                          in.text("batch_host", p.batchHost)});
            !s)
            return s.error();
        return wrap(MeetingComputePolicy::make(p));
    }
    if (name == "always-on-compute") {
        Seconds period = 300;
        if (auto s = in.known({"period_s"}); !s)
            return s.error();
        if (auto s = in.seconds("period_s", period); !s)
            return s.error();
        if (period <= 0)
            return twin::makeError(twin::ErrorCode::ParseError, "expected a period > 0 s",
                                   in.at("period_s"));
        return std::unique_ptr<Policy>(std::make_unique<AlwaysOnComputePolicy>(period));
    }
    if (name == "rules") {
        if (auto s = in.known({"file"}); !s)
            return s.error();
        if (!params.contains("file") || !params["file"].is_string())
            return twin::makeError(twin::ErrorCode::ParseError,
                                   "expected the rule file's path (YAML or JSON)", in.at("file"));
        std::filesystem::path file = params["file"].get<std::string>();
        if (file.is_relative() && !baseDir.empty())
            file = baseDir / file;
        auto policy = RulePolicy::load(file);
        if (!policy) // the rule file's own file:line:col says more than the scenario path
            return policy.error();
        return std::unique_ptr<Policy>(std::move(policy).value());
    }
    std::string names;
    for (const auto& d : availablePolicies())
        names += (names.empty() ? "" : ", ") + d.name;
    return twin::makeError(twin::ErrorCode::NotFound,
                           "no policy named '" + name + "' (available: " + names + ")",
                           where + "/name");
}

twin::Result<std::unique_ptr<Policy>> createFallbackPolicy(const std::string& policyJson,
                                                           const std::string& where,
                                                           const std::filesystem::path& baseDir)
{
    const auto j = Json::parse(policyJson, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return twin::makeError(twin::ErrorCode::ParseError,
                               R"(expected an object {"name": ..., "params": {...}})", where);
    if (j.contains("fallback")) {
        const auto& f = j["fallback"];
        if (f.is_null())
            return std::unique_ptr<Policy>();
        if (f.is_object() && f.contains("fallback"))
            return twin::makeError(twin::ErrorCode::ParseError,
                                   "a fallback policy has no fallback of its own",
                                   where + "/fallback/fallback");
        return createPolicy(f.dump(), where + "/fallback", baseDir);
    }
    const std::string name = j.value("name", std::string());
    // Compute-only policies have no building fallback: the fixed schedule would take over
    // every room's setpoints.
    if (name == "fixed-schedule" || name == "meeting-compute" || name == "always-on-compute")
        return std::unique_ptr<Policy>();
    if (name == "consolidation") {
        ConsolidationPolicyParams p; // LR-MMT-1.2: the paper's best heuristic, no model
        const auto params = j.value("params", Json::object());
        if (params.is_object() && params.contains("period_s") &&
            params["period_s"].is_number_integer())
            p.period = params["period_s"].get<Seconds>();
        auto made = ConsolidationPolicy::make(p);
        if (!made)
            return made.error();
        return std::unique_ptr<Policy>(std::move(made).value());
    }
    auto baseline = FixedSchedulePolicy::make({});
    if (!baseline)
        return baseline.error();
    return std::unique_ptr<Policy>(std::move(baseline).value());
}

twin::Result<std::unique_ptr<Policy>> createShadowPolicy(const std::string& policyJson,
                                                         const std::string& where,
                                                         const std::filesystem::path& baseDir)
{
    const auto j = Json::parse(policyJson, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("shadow") || j["shadow"].is_null())
        return std::unique_ptr<Policy>();
    const auto& shadow = j["shadow"];
    if (shadow.is_object() && (shadow.contains("shadow") || shadow.contains("fallback")))
        return twin::makeError(twin::ErrorCode::ParseError,
                               "a shadow policy has no shadow or fallback of its own",
                               where + "/shadow");
    return createPolicy(shadow.dump(), where + "/shadow", baseDir);
}

twin::Result<LoopSettings> loopSettings(const std::string& policyJson, const std::string& where)
{
    LoopSettings out;
    const auto j = Json::parse(policyJson, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return twin::makeError(twin::ErrorCode::ParseError,
                               R"(expected an object {"name": ..., "params": {...}})", where);
    if (j.contains("timeout_ms")) {
        const auto& t = j["timeout_ms"];
        if (!t.is_number_integer() || t.get<std::int64_t>() < 0)
            return twin::makeError(twin::ErrorCode::ParseError,
                                   "expected a whole number of milliseconds >= 0",
                                   where + "/timeout_ms");
        out.timeoutMs = t.get<std::int64_t>();
    }
    if (j.contains("guard")) {
        const auto& g = j["guard"];
        if (!g.is_object())
            return twin::makeError(twin::ErrorCode::ParseError, "expected an object",
                                   where + "/guard");
        const Params in(g, where + "/guard", "the guard");
        auto& c = out.guard;
        int reversals = c.oscillationReversals;
        int migrations = c.maxMigrationsPerInterval;
        if (auto s =
                in.known({"min_setpoint_c", "max_setpoint_c", "clamp_out_of_bounds",
                          "max_setpoint_step_k", "min_dwell_s", "max_migrations_per_interval",
                          "migration_interval_s", "oscillation_reversals", "oscillation_window_s"});
            !s)
            return s.error();
        if (auto s = all({in.number("min_setpoint_c", c.minSetpointC),
                          in.number("max_setpoint_c", c.maxSetpointC),
                          in.boolean("clamp_out_of_bounds", c.clampOutOfBounds),
                          in.number("max_setpoint_step_k", c.maxSetpointStep),
                          in.seconds("min_dwell_s", c.minDwell),
                          in.integer("max_migrations_per_interval", migrations),
                          in.seconds("migration_interval_s", c.migrationInterval),
                          in.integer("oscillation_reversals", reversals),
                          in.seconds("oscillation_window_s", c.oscillationWindow)});
            !s)
            return s.error();
        c.oscillationReversals = reversals;
        c.maxMigrationsPerInterval = migrations;
        if (c.maxSetpointC < c.minSetpointC || c.maxSetpointStep <= 0.0 || reversals < 1 ||
            migrations < 0)
            return twin::makeError(twin::ErrorCode::InvalidArgument,
                                   "need min_setpoint_c <= max_setpoint_c, max_setpoint_step_k > "
                                   "0, oscillation_reversals >= 1, "
                                   "max_migrations_per_interval >= 0",
                                   where + "/guard");
    }
    if (j.contains("approvals")) {
        const auto& a = j["approvals"];
        if (!a.is_object())
            return twin::makeError(twin::ErrorCode::ParseError, "expected an object",
                                   where + "/approvals");
        const Params in(a, where + "/approvals", "the approvals");
        auto& c = out.approvals;
        if (auto s =
                in.known({"auto_approve", "expiry_s", "power_host_off", "setpoint_outside_band",
                          "comfort_low_c", "comfort_high_c", "max_rooms_per_round", "always",
                          "gpu_instance_cost_per_hour"});
            !s)
            return s.error();
        if (auto s =
                all({in.boolean("auto_approve", c.autoApprove), in.seconds("expiry_s", c.expiry),
                     in.boolean("power_host_off", c.powerHostOff),
                     in.boolean("setpoint_outside_band", c.setpointOutsideBand),
                     in.number("comfort_low_c", c.comfortLowC),
                     in.number("comfort_high_c", c.comfortHighC),
                     in.integer("max_rooms_per_round", c.maxRoomsPerRound),
                     in.number("gpu_instance_cost_per_hour", c.gpuInstanceCostPerHour)});
            !s)
            return s.error();
        if (a.contains("always")) {
            if (!a["always"].is_array())
                return twin::makeError(twin::ErrorCode::ParseError,
                                       R"(expected an array of action kinds, e.g. ["MigrateVm"])",
                                       in.at("always"));
            for (const auto& k : a["always"]) {
                const auto kind =
                    k.is_string() ? sim::parseActionKind(k.get<std::string>()) : std::nullopt;
                if (!kind)
                    return twin::makeError(twin::ErrorCode::ParseError,
                                           k.dump() + " is not an action kind (SetSetpoint, "
                                                      "SetMode, Switch, Dim, MigrateVm, "
                                                      "PowerHost, Throttle, PlaceVm)",
                                           in.at("always"));
                c.alwaysKinds.push_back(*kind);
            }
        }
    }
    return out;
}

} // namespace twindesk::policies
