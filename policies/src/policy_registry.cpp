#include <twindesk/policies/fixed_schedule_policy.h>
#include <twindesk/policies/policy_registry.h>

#include <nlohmann/json.hpp>

#include <set>

namespace twindesk::policies {

namespace {
// "where/part/key" for error locations.
std::string pathOf(const std::string& where, std::string_view part, std::string_view key = {})
{
    std::string out = where;
    out.append(part).append(key);
    return out;
}
} // namespace

std::vector<PolicyDescription> availablePolicies()
{
    return {{"fixed-schedule",
             "the BMS baseline: occupied setpoints on weekdays within set hours, setback otherwise "
             "(params: occupied_heating_c, occupied_cooling_c, setback_heating_c, "
             "setback_cooling_c, start_hour, end_hour)"}};
}

twin::Result<std::unique_ptr<Policy>> createPolicy(const std::string& policyJson,
                                                   const std::string& where)
{
    const auto j = nlohmann::json::parse(policyJson, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return twin::makeError(twin::ErrorCode::ParseError,
                               R"(expected an object {"name": ..., "params": {...}})", where);
    if (!j.contains("name") || !j["name"].is_string())
        return twin::makeError(twin::ErrorCode::ParseError, "missing the policy's \"name\"",
                               where + "/name");
    const std::string name = j["name"].get<std::string>();
    for (const auto& [key, value] : j.items())
        if (key != "name" && key != "params")
            return twin::makeError(twin::ErrorCode::ParseError, pathOf("unknown key '", key, "'"),
                                   pathOf(where, "/", key));
    const nlohmann::json params = j.value("params", nlohmann::json::object());
    if (!params.is_object())
        return twin::makeError(twin::ErrorCode::ParseError, "expected an object",
                               where + "/params");

    if (name == "fixed-schedule") {
        FixedScheduleParams p;
        const std::set<std::string> known{"occupied_heating_c", "occupied_cooling_c",
                                          "setback_heating_c",  "setback_cooling_c",
                                          "start_hour",         "end_hour"};
        for (const auto& [key, value] : params.items()) {
            if (known.count(key) == 0)
                return twin::makeError(twin::ErrorCode::ParseError,
                                       pathOf("unknown parameter '", key, "' of fixed-schedule"),
                                       pathOf(where, "/params/", key));
            if (!value.is_number())
                return twin::makeError(twin::ErrorCode::ParseError, "expected a number",
                                       pathOf(where, "/params/", key));
        }
        p.occupiedHeating = params.value("occupied_heating_c", p.occupiedHeating);
        p.occupiedCooling = params.value("occupied_cooling_c", p.occupiedCooling);
        p.setbackHeating = params.value("setback_heating_c", p.setbackHeating);
        p.setbackCooling = params.value("setback_cooling_c", p.setbackCooling);
        p.startHour = params.value("start_hour", p.startHour);
        p.endHour = params.value("end_hour", p.endHour);
        auto policy = FixedSchedulePolicy::make(p);
        if (!policy)
            return twin::makeError(policy.error().code, policy.error().message, where + "/params");
        return std::unique_ptr<Policy>(std::move(policy).value());
    }
    std::string names;
    for (const auto& d : availablePolicies())
        names += (names.empty() ? "" : ", ") + d.name;
    return twin::makeError(twin::ErrorCode::NotFound,
                           "no policy named '" + name + "' (available: " + names + ")",
                           where + "/name");
}

} // namespace twindesk::policies
