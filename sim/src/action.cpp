#include <twindesk/sim/action.h>

#include <array>
#include <cmath>
#include <utility>

namespace twindesk::sim {

namespace {
constexpr std::array kNames{
    std::pair{ActionKind::SetSetpoint, std::string_view{"SetSetpoint"}},
    std::pair{ActionKind::SetMode, std::string_view{"SetMode"}},
    std::pair{ActionKind::Switch, std::string_view{"Switch"}},
    std::pair{ActionKind::Dim, std::string_view{"Dim"}},
    std::pair{ActionKind::MigrateVm, std::string_view{"MigrateVm"}},
    std::pair{ActionKind::PowerHost, std::string_view{"PowerHost"}},
    std::pair{ActionKind::Throttle, std::string_view{"Throttle"}},
    std::pair{ActionKind::PlaceVm, std::string_view{"PlaceVm"}},
};

std::string formatValue(double v)
{
    std::string s = std::to_string(v);
    while (!s.empty() && s.back() == '0')
        s.pop_back();
    if (!s.empty() && s.back() == '.')
        s.pop_back();
    return s;
}
} // namespace

std::string_view actionKindName(ActionKind kind)
{
    for (const auto& [k, name] : kNames)
        if (k == kind)
            return name;
    return "Unknown";
}

std::optional<ActionKind> parseActionKind(std::string_view name)
{
    for (const auto& [k, n] : kNames)
        if (n == name)
            return k;
    return std::nullopt;
}

twin::Status validateAction(const Action& a)
{
    auto bad = [&a](const std::string& why) {
        return twin::makeError(twin::ErrorCode::InvalidArgument,
                               std::string(actionKindName(a.kind)) + " on '" + a.target +
                                   "': " + why);
    };
    if (a.target.empty())
        return bad("the target is empty");
    if (!std::isfinite(a.value))
        return bad("value is not a finite number");
    switch (a.kind) {
    case ActionKind::SetSetpoint:
        break;
    case ActionKind::SetMode:
        if (a.text.empty())
            return bad("a mode is required");
        break;
    case ActionKind::Switch:
    case ActionKind::PowerHost:
        if (a.value != 0.0 && a.value != 1.0)
            return bad("value must be 0 (off) or 1 (on), got " + formatValue(a.value));
        break;
    case ActionKind::Dim:
    case ActionKind::Throttle:
        if (a.value < 0.0 || a.value > 100.0)
            return bad("value must be within 0..100 %, got " + formatValue(a.value));
        break;
    case ActionKind::MigrateVm:
    case ActionKind::PlaceVm:
        if (a.destination.empty())
            return bad("a destination host is required");
        if (a.destination == a.target)
            return bad("destination equals the target");
        break;
    }
    return {};
}

std::string describeAction(const Action& a)
{
    std::string s = std::string(actionKindName(a.kind)) + " target=" + a.target;
    switch (a.kind) {
    case ActionKind::SetMode:
        s += " mode=" + a.text;
        break;
    case ActionKind::MigrateVm:
    case ActionKind::PlaceVm:
        s += " destination=" + a.destination;
        if (!a.text.empty())
            s += " runtime=" + a.text; // PlaceVm of a runtime workload: the kind chosen
        break;
    default:
        s += " value=" + formatValue(a.value);
        break;
    }
    return s;
}

} // namespace twindesk::sim
