#pragma once
/// \file fixed_schedule_policy.h
/// The baseline a typical BMS runs: occupied setpoints on weekdays 7–19 h (site standard
/// time), setback otherwise, for every zone heating/cooling setpoint point of the twin.
/// It emits a SetSetpoint only when the observed setpoint differs from the scheduled one.
/// Optionally it also runs the lights on the same time clock (on during occupied hours) and
/// ventilates at the design rate during occupied hours (SetMode "ventilation-design", and
/// "ventilation-demand" outside them), and limits itself to rooms of given uses.

#include <twindesk/policies/policy.h>

#include <array>
#include <map>
#include <utility>
#include <vector>

namespace twindesk::policies {

struct FixedScheduleParams
{
    double occupiedHeating = 21.0;
    double occupiedCooling = 24.0;
    double setbackHeating = 16.0;
    double setbackCooling = 28.0;
    int startHour = 7; ///< inclusive, local standard time
    int endHour = 19;  ///< exclusive
    std::array<bool, 7> days{false, true, true, true, true, true, false}; ///< Sunday first
    bool lights = false;             ///< drive room light commands on the time clock
    bool designVentilation = false;  ///< design outdoor air during occupied hours
    std::vector<twin::ZoneUse> uses; ///< only rooms of these uses (empty: every setpoint point)
};

class FixedSchedulePolicy : public Policy
{
public:
    static twin::Result<std::unique_ptr<FixedSchedulePolicy>> make(FixedScheduleParams params);

    [[nodiscard]] const PolicyInfo& info() const override { return m_info; }
    twin::Result<std::vector<Action>> decide(const Observation& observation) override;

    /// Whether `utc` falls in the occupied hours for a site `tzHours` from UTC.
    [[nodiscard]] bool occupied(Seconds utc, double tzHours) const;

private:
    explicit FixedSchedulePolicy(FixedScheduleParams params) : m_params(std::move(params)) {}
    FixedScheduleParams m_params;
    PolicyInfo m_info;
    std::map<std::string, bool> m_ventilation; ///< room → design ventilation commanded
};

} // namespace twindesk::policies
