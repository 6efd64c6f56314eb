#include <twindesk/policies/room_context.h>
#include <twindesk/sim/engine.h>
#include <twindesk/sim/occupancy.h>

#include <algorithm>
#include <cctype>
#include <map>

namespace twindesk::policies {

namespace {

bool classHas(const twin::Entity& e, std::initializer_list<std::string_view> words)
{
    for (const auto& c : e.classes) {
        std::string l(twin::localName(c));
        for (auto& ch : l)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (std::all_of(words.begin(), words.end(),
                        [&l](std::string_view w) { return l.find(w) != std::string::npos; }))
            return true;
    }
    return false;
}

} // namespace

std::string_view pointRole(const twin::Entity& p)
{
    if (classHas(p, {"heating", "setpoint"}))
        return "heating_setpoint";
    if (classHas(p, {"cooling", "setpoint"}))
        return "cooling_setpoint";
    if (classHas(p, {"air_temperature_sensor"}))
        return "air_temperature";
    if (classHas(p, {"co2"}))
        return "co2";
    if (classHas(p, {"occupancy_count"}))
        return "occupant_count";
    if (classHas(p, {"occupancy"}))
        return "occupancy";
    if (classHas(p, {"light", "command"}) || classHas(p, {"luminance", "command"}))
        return "light_command";
    return {};
}

std::vector<RoomPoints> roomPoints(const twin::TwinGraph& g)
{
    std::vector<RoomPoints> out;
    for (auto r : g.entitiesOfKind(twin::EntityKind::Room)) {
        const auto& re = g.entity(r);
        RoomPoints rp;
        rp.room = re.id;
        rp.name = re.name;
        rp.use = re.use;
        rp.areaM2 = re.number("area").value_or(re.number("area_m2").value_or(0.0));
        rp.capacity = static_cast<int>(
            re.number("maxOccupancy").value_or(re.number("max_occupancy").value_or(0.0)));
        std::vector<twin::EntityIndex> points = g.pointsOf(r);
        // Points of equipment located in the room (luminaires, sensors) and of the HVAC zone
        // the room is part of.
        for (auto eq : g.incoming(r, twin::Relation::HasLocation))
            for (auto p : g.pointsOf(eq))
                points.push_back(p);
        for (auto z : g.incoming(r, twin::Relation::HasPart))
            if (g.entity(z).kind == twin::EntityKind::Zone)
                for (auto p : g.pointsOf(z))
                    points.push_back(p);
        for (auto p : points) {
            const auto& pe = g.entity(p);
            const auto role = pointRole(pe);
            std::string* slot = nullptr;
            if (role == "air_temperature")
                slot = &rp.airTemperature;
            else if (role == "heating_setpoint")
                slot = &rp.heatingSetpoint;
            else if (role == "cooling_setpoint")
                slot = &rp.coolingSetpoint;
            else if (role == "occupancy")
                slot = &rp.occupancy;
            else if (role == "occupant_count")
                slot = &rp.occupantCount;
            else if (role == "co2")
                slot = &rp.co2;
            else if (role == "light_command")
                slot = &rp.lightCommand;
            if (slot != nullptr && slot->empty())
                *slot = pe.id;
        }
        out.push_back(std::move(rp));
    }
    return out;
}

struct ScheduleBookings::Impl
{
    std::shared_ptr<const sim::OccupancySchedule> schedule;
    std::map<std::string, std::size_t, std::less<>> roomIndex; // room id → schedule room
};

std::shared_ptr<const ScheduleBookings> ScheduleBookings::fromConfig(const sim::SimConfig& c)
{
    if (!c.occupancy)
        return nullptr;
    auto impl = std::make_shared<Impl>();
    impl->schedule = c.occupancy;
    for (std::size_t z = 0; z < c.zones.size() && z < c.occupancyRoomOfZone.size(); ++z)
        if (c.occupancyRoomOfZone[z] != static_cast<std::uint32_t>(-1))
            impl->roomIndex.emplace(c.zones[z].id, c.occupancyRoomOfZone[z]);
    return std::shared_ptr<const ScheduleBookings>(new ScheduleBookings(std::move(impl)));
}

bool ScheduleBookings::booked(std::string_view room, Seconds t) const
{
    const auto it = m_impl->roomIndex.find(room);
    if (it == m_impl->roomIndex.end())
        return false;
    const auto& s = *m_impl->schedule;
    if (t < s.start())
        return false;
    return s.booked(it->second, (t - s.start()) / s.step());
}

std::optional<Seconds> ScheduleBookings::nextMeetingStart(std::string_view room, Seconds t) const
{
    const auto it = m_impl->roomIndex.find(room);
    if (it == m_impl->roomIndex.end())
        return std::nullopt;
    return m_impl->schedule->nextMeetingStart(it->second, t);
}

bool ScheduleBookings::knows(std::string_view room) const
{
    return m_impl->roomIndex.find(room) != m_impl->roomIndex.end();
}

} // namespace twindesk::policies
