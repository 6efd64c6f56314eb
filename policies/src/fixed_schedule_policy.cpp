#include <twindesk/policies/decision_log.h>
#include <twindesk/policies/fixed_schedule_policy.h>
#include <twindesk/policies/room_context.h>
#include <twindesk/twin/units.h>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace twindesk::policies {

namespace {

bool hasClassWord(const twin::Entity& e, std::string_view word)
{
    for (const auto& c : e.classes) {
        const auto local = twin::localName(c);
        if (local.find(word) != std::string_view::npos)
            return true;
    }
    return false;
}

} // namespace

twin::Result<std::unique_ptr<FixedSchedulePolicy>> FixedSchedulePolicy::make(FixedScheduleParams p)
{
    if (p.startHour < 0 || p.startHour > 23 || p.endHour <= p.startHour || p.endHour > 24)
        return twin::makeError(
            twin::ErrorCode::InvalidArgument,
            "fixed-schedule: occupied hours must satisfy 0 <= start < end <= 24");
    if (p.occupiedCooling < p.occupiedHeating || p.setbackCooling < p.setbackHeating)
        return twin::makeError(twin::ErrorCode::InvalidArgument,
                               "fixed-schedule: a cooling setpoint is below its heating setpoint");
    std::unique_ptr<FixedSchedulePolicy> policy(new FixedSchedulePolicy(p));
    // The content hash covers every parameter in a fixed order.
    std::ostringstream canonical;
    canonical.precision(17);
    canonical << "fixed-schedule|" << p.occupiedHeating << '|' << p.occupiedCooling << '|'
              << p.setbackHeating << '|' << p.setbackCooling << '|' << p.startHour << '|'
              << p.endHour << '|';
    for (bool d : p.days)
        canonical << (d ? '1' : '0');
    // Options added in 1.1 extend the canonical form only when used, so 1.0 hashes stay valid.
    if (p.lights || p.designVentilation || !p.uses.empty()) {
        canonical << '|' << p.lights << '|' << p.designVentilation << '|';
        for (auto u : p.uses)
            canonical << twin::zoneUseName(u) << ',';
    }
    auto hash = sha256Hex(canonical.str());
    if (!hash)
        return hash.error();
    policy->m_info.id = "fixed-schedule";
    policy->m_info.version = "1.1.0";
    policy->m_info.hash = "sha256:" + *hash;
    policy->m_info.period = 300;
    policy->m_info.emits = {ActionKind::SetSetpoint};
    if (p.lights)
        policy->m_info.emits.push_back(ActionKind::Dim);
    if (p.designVentilation)
        policy->m_info.emits.push_back(ActionKind::SetMode);
    policy->m_info.reads = {"Zone_Air_Heating_Temperature_Setpoint",
                            "Zone_Air_Cooling_Temperature_Setpoint"};
    return policy;
}

bool FixedSchedulePolicy::occupied(Seconds utc, double tzHours) const
{
    const auto local = sim::localTime(utc, tzHours);
    const auto weekday = static_cast<std::size_t>(local.weekday);
    const int hour = local.hour();
    return m_params.days[weekday] && hour >= m_params.startHour && hour < m_params.endHour;
}

twin::Result<std::vector<Action>> FixedSchedulePolicy::decide(const Observation& observation)
{
    std::vector<Action> actions;
    const auto* g = observation.twin();
    if (g == nullptr)
        return twin::makeError(twin::ErrorCode::InvalidArgument,
                               "fixed-schedule needs the twin model to find its setpoints");
    const bool occ = occupied(observation.time(), observation.timeZoneHours());
    auto scheduled = [&](const twin::Entity& e) -> std::optional<double> {
        if (hasClassWord(e, "Heating_Temperature_Setpoint"))
            return occ ? m_params.occupiedHeating : m_params.setbackHeating;
        if (hasClassWord(e, "Cooling_Temperature_Setpoint"))
            return occ ? m_params.occupiedCooling : m_params.setbackCooling;
        return std::nullopt;
    };
    auto drive = [&](const twin::Entity& e, double wanted) -> twin::Status {
        // Parameters are °C; a setpoint published in another unit is driven in that unit.
        if (!e.point->unit.empty() && e.point->unit != "°C") {
            auto converted = twin::convert(wanted, "°C", e.point->unit);
            if (!converted)
                return converted.error();
            wanted = *converted;
        }
        const auto current = observation.value(e.id);
        if (!current)
            return {}; // a setpoint the source does not publish is not ours to drive
        if (std::abs(*current - wanted) > 1e-9)
            actions.push_back(Action{ActionKind::SetSetpoint, e.id, wanted, {}, {}});
        return {};
    };
    if (m_params.uses.empty()) {
        for (auto p : g->entitiesOfKind(twin::EntityKind::Point)) {
            const auto& e = g->entity(p);
            if (!e.point || e.point->type != twin::PointType::Setpoint)
                continue;
            if (const auto wanted = scheduled(e))
                if (auto s = drive(e, *wanted); !s)
                    return s.error();
        }
    }
    if (m_params.uses.empty() && !m_params.lights && !m_params.designVentilation)
        return actions;
    for (const auto& room : roomPoints(*g)) {
        if (!m_params.uses.empty() &&
            std::find(m_params.uses.begin(), m_params.uses.end(), room.use) == m_params.uses.end())
            continue;
        if (!m_params.uses.empty())
            for (const auto* id : {&room.heatingSetpoint, &room.coolingSetpoint}) {
                if (id->empty())
                    continue;
                const auto& e = g->entity(*g->find(*id));
                if (const auto wanted = scheduled(e))
                    if (auto s = drive(e, *wanted); !s)
                        return s.error();
            }
        if (m_params.lights && !room.lightCommand.empty()) {
            const double wanted = occ ? 100.0 : 0.0;
            const auto current = observation.value(room.lightCommand);
            if (current && std::abs(*current - wanted) > 1e-9)
                actions.push_back(Action{ActionKind::Dim, room.lightCommand, wanted, {}, {}});
        }
        if (m_params.designVentilation) {
            const auto it = m_ventilation.find(room.room);
            if (it == m_ventilation.end() || it->second != occ) {
                actions.push_back(Action{ActionKind::SetMode,
                                         room.room,
                                         0.0,
                                         occ ? "ventilation-design" : "ventilation-demand",
                                         {}});
                m_ventilation[room.room] = occ;
            }
        }
    }
    return actions;
}

} // namespace twindesk::policies
