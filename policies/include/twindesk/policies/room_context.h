#pragma once
/// \file room_context.h
/// What building policies need to know about rooms, found once from the twin model: each
/// room's points by role (air temperature, setpoints, occupancy, CO2, lighting command —
/// its own points and those of equipment located in it), and the calendar's bookings over the
/// simulator's occupancy schedule.

#include <twindesk/policies/policy.h>

#include <memory>
#include <string>
#include <vector>

namespace twindesk::sim {
struct SimConfig;
}

namespace twindesk::policies {

/// A room and the ids of its points by role (empty when the room has none).
struct RoomPoints
{
    std::string room; ///< entity id
    std::string name;
    twin::ZoneUse use = twin::ZoneUse::Unknown;
    double areaM2 = 0.0;
    int capacity = 0;
    std::string airTemperature;  ///< Zone_Air_Temperature_Sensor
    std::string heatingSetpoint; ///< *Heating_Temperature_Setpoint
    std::string coolingSetpoint; ///< *Cooling_Temperature_Setpoint
    std::string occupancy;       ///< Occupancy_Sensor (0/1)
    std::string occupantCount;   ///< Occupancy_Count_Sensor
    std::string co2;             ///< CO2 sensor
    std::string lightCommand;    ///< Light_Command / Luminance_Command of a luminaire in the room
};

/// Every Room entity of the twin with its points, in the model's order.
std::vector<RoomPoints> roomPoints(const twin::TwinGraph& graph);

/// The role a point plays ("air_temperature", "heating_setpoint", "cooling_setpoint",
/// "occupancy", "occupant_count", "co2", "light_command"), or empty.
std::string_view pointRole(const twin::Entity& point);

/// Bookings over the simulator's occupancy schedule: a zone's room id books what the schedule
/// books for that zone. Meetings of rooms that are not simulated zones are unknown.
class ScheduleBookings : public Bookings
{
public:
    /// Null when the configuration has no occupancy schedule.
    static std::shared_ptr<const ScheduleBookings> fromConfig(const sim::SimConfig& config);

    [[nodiscard]] bool booked(std::string_view room, Seconds t) const override;
    [[nodiscard]] std::optional<Seconds> nextMeetingStart(std::string_view room,
                                                          Seconds t) const override;
    [[nodiscard]] bool knows(std::string_view room) const override;

private:
    struct Impl;
    explicit ScheduleBookings(std::shared_ptr<const Impl> impl) : m_impl(std::move(impl)) {}
    std::shared_ptr<const Impl> m_impl;
};

} // namespace twindesk::policies
