#pragma once
/// \file fixed_schedule_policy.h
/// The baseline a typical BMS runs: occupied setpoints on weekdays 7–19 h (site standard
/// time), setback otherwise, for every zone heating/cooling setpoint point of the twin.
/// It emits a SetSetpoint only when the observed setpoint differs from the scheduled one.

#include <twindesk/policies/policy.h>

#include <array>

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
    explicit FixedSchedulePolicy(FixedScheduleParams params) : m_params(params) {}
    FixedScheduleParams m_params;
    PolicyInfo m_info;
};

} // namespace twindesk::policies
