#include <twindesk/twin/model_stats.h>

namespace twindesk::twin {

ModelCounts countModel(const TwinGraph& graph, std::size_t sourceTriples)
{
    ModelCounts c;
    c.triples = sourceTriples;
    c.entities = graph.entityCount();
    for (EntityIndex i = 0; i < graph.entityCount(); ++i) {
        const auto& e = graph.entity(i);
        std::uint32_t bits = e.categories;
        // Entities built in TwinDesk (not imported) carry no Brick categories: fall back on
        // the kind so programmatic models count the same way.
        if (bits == 0 && e.classes.empty()) {
            switch (e.kind) {
            case EntityKind::Site:
                bits = kCatSite;
                break;
            case EntityKind::Building:
                bits = kCatBuilding;
                break;
            case EntityKind::Floor:
                bits = kCatFloor;
                break;
            case EntityKind::Room:
                bits = kCatSpace;
                break;
            case EntityKind::Zone:
                bits = kCatHvacZone;
                break;
            case EntityKind::Workload:
                bits = kCatVm;
                break;
            case EntityKind::Equipment:
                bits = kCatEquipment;
                if (e.equipmentType == EquipmentType::Ahu)
                    bits |= kCatAhu;
                if (e.equipmentType == EquipmentType::Vav)
                    bits |= kCatVav;
                if (e.equipmentType == EquipmentType::ComputeHost)
                    bits |= kCatComputeHost;
                break;
            case EntityKind::Point:
                bits = kCatPoint;
                if (e.point && e.point->type == PointType::Sensor)
                    bits |= kCatSensor;
                if (e.point && e.point->type == PointType::Setpoint)
                    bits |= kCatSetpoint;
                if (e.point && e.point->type == PointType::Command)
                    bits |= kCatCommand;
                break;
            case EntityKind::Other:
            case EntityKind::Service: // software, not a Brick category
                break;
            }
        }
        auto has = [bits](std::uint32_t bit) { return (bits & bit) != 0U ? 1U : 0U; };
        c.sites += has(kCatSite);
        c.buildings += has(kCatBuilding);
        c.floors += has(kCatFloor);
        c.rooms += has(kCatSpace);
        c.zones += has(kCatHvacZone);
        c.ahus += has(kCatAhu);
        c.vavs += has(kCatVav);
        c.equipment += has(kCatEquipment);
        c.points += has(kCatPoint);
        c.sensors += has(kCatSensor);
        c.setpoints += has(kCatSetpoint);
        c.commands += has(kCatCommand);
        c.computeHosts += has(kCatComputeHost);
        c.vms += has(kCatVm);
        c.unknownTyped += has(kCatUnknownTyped);
    }
    c.hasPart = graph.relationCount(Relation::HasPart);
    c.feeds = graph.relationCount(Relation::Feeds);
    c.hasPoint = graph.relationCount(Relation::HasPoint);
    c.hasLocation = graph.relationCount(Relation::HasLocation);
    c.runsOn = graph.relationCount(Relation::RunsOn);
    return c;
}

} // namespace twindesk::twin
