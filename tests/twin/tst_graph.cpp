// Graph queries on a small hand-built twin whose answers are known.
#include "test_registry.h"

#include <twindesk/twin/model_stats.h>
#include <twindesk/twin/twin_graph.h>

using namespace twindesk::twin;

namespace {

Entity make(const std::string& id, EntityKind kind, EquipmentType eq = EquipmentType::None)
{
    Entity e;
    e.id = "urn:t:" + id;
    e.name = id;
    e.kind = kind;
    e.equipmentType = eq;
    return e;
}

Entity point(const std::string& id, PointType type)
{
    Entity e = make(id, EntityKind::Point);
    e.point = PointInfo{type, Quantity::Temperature, "°C", true, {}};
    return e;
}

// site ⊃ building ⊃ {floor1 ⊃ {roomA, roomB}, floor2 ⊃ {roomC}}
// ahu → vav1 → zoneZ ⊃ roomA ; ahu → vav2 → roomB ; ahu2 → vav3 → roomC
// vav1 hasLocation roomA ; vav1 hasPoint flow ; roomA hasPoint temp, sp
// rack (in roomC) ⊃ host ; vm runsOn host ; island (unconnected)
TwinGraph buildSample()
{
    TwinGraph g;
    for (auto e : {make("site", EntityKind::Site),
                   make("building", EntityKind::Building),
                   make("floor1", EntityKind::Floor),
                   make("floor2", EntityKind::Floor),
                   make("roomA", EntityKind::Room),
                   make("roomB", EntityKind::Room),
                   make("roomC", EntityKind::Room),
                   make("zoneZ", EntityKind::Zone),
                   make("ahu", EntityKind::Equipment, EquipmentType::Ahu),
                   make("ahu2", EntityKind::Equipment, EquipmentType::Ahu),
                   make("vav1", EntityKind::Equipment, EquipmentType::Vav),
                   make("vav2", EntityKind::Equipment, EquipmentType::Vav),
                   make("vav3", EntityKind::Equipment, EquipmentType::Vav),
                   point("flow", PointType::Sensor),
                   point("temp", PointType::Sensor),
                   point("sp", PointType::Setpoint),
                   make("rack", EntityKind::Equipment, EquipmentType::Rack),
                   make("host", EntityKind::Equipment, EquipmentType::ComputeHost),
                   make("vm", EntityKind::Workload),
                   make("island", EntityKind::Other)}) {
        auto r = g.addEntity(e);
        if (!r)
            qFatal("addEntity failed: %s", r.error().message.c_str());
    }
    auto rel = [&g](const char* a, Relation r, const char* b) {
        auto s = g.addRelation(std::string("urn:t:") + a, r, std::string("urn:t:") + b);
        if (!s)
            qFatal("addRelation failed: %s", s.error().message.c_str());
    };
    rel("site", Relation::HasPart, "building");
    rel("building", Relation::HasPart, "floor1");
    rel("building", Relation::HasPart, "floor2");
    rel("floor1", Relation::HasPart, "roomA");
    rel("floor1", Relation::HasPart, "roomB");
    rel("floor2", Relation::HasPart, "roomC");
    rel("zoneZ", Relation::HasPart, "roomA");
    rel("ahu", Relation::Feeds, "vav1");
    rel("ahu", Relation::Feeds, "vav2");
    rel("vav1", Relation::Feeds, "zoneZ");
    rel("vav2", Relation::Feeds, "roomB");
    rel("ahu2", Relation::Feeds, "vav3");
    rel("vav3", Relation::Feeds, "roomC");
    rel("vav1", Relation::HasLocation, "roomA");
    rel("vav1", Relation::HasPoint, "flow");
    rel("roomA", Relation::HasPoint, "temp");
    rel("roomA", Relation::HasPoint, "sp");
    rel("rack", Relation::HasLocation, "roomC");
    rel("rack", Relation::HasPart, "host");
    rel("vm", Relation::RunsOn, "host");
    return g;
}

std::vector<std::string> names(const TwinGraph& g, const std::vector<EntityIndex>& v)
{
    std::vector<std::string> out;
    for (auto i : v)
        out.push_back(g.entity(i).name);
    return out;
}

EntityIndex at(const TwinGraph& g, const char* id)
{
    return *g.find(std::string("urn:t:") + id);
}

} // namespace

class TestGraph : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void counts()
    {
        const auto g = buildSample();
        QCOMPARE(g.entityCount(), std::size_t{20});
        QCOMPARE(g.relationCount(), std::size_t{20});
        QCOMPARE(g.relationCount(Relation::HasPart), std::size_t{8});
        QCOMPARE(g.relationCount(Relation::Feeds), std::size_t{6});
        QCOMPARE(g.relationCount(Relation::RunsOn), std::size_t{1});
    }

    void children()
    {
        const auto g = buildSample();
        QCOMPARE(names(g, g.children(at(g, "floor1"))),
                 (std::vector<std::string>{"roomA", "roomB"}));
        QCOMPARE(names(g, g.children(at(g, "roomA"))), std::vector<std::string>{});
        QCOMPARE(names(g, g.children(at(g, "roomA"), Containment::PartsAndLocations)),
                 std::vector<std::string>{"vav1"});
    }

    void ancestors()
    {
        const auto g = buildSample();
        // Nearest first; roomA is part of floor1 and of zoneZ.
        QCOMPARE(names(g, g.ancestors(at(g, "vav1"))),
                 (std::vector<std::string>{"roomA", "floor1", "zoneZ", "building", "site"}));
        QCOMPARE(names(g, g.ancestors(at(g, "vav1"), Containment::PartsOnly)),
                 std::vector<std::string>{});
        QCOMPARE(names(g, g.ancestors(at(g, "host"))),
                 (std::vector<std::string>{"rack", "roomC", "floor2", "building", "site"}));
        QVERIFY(g.ancestors(at(g, "site")).empty());
    }

    void zonesFedByAnAhuTransitively()
    {
        const auto g = buildSample();
        // ahu → vav1 → zoneZ (⊃ roomA), ahu → vav2 → roomB; not roomC (ahu2's).
        QCOMPARE(names(g, g.zonesFedBy(at(g, "ahu"))),
                 (std::vector<std::string>{"zoneZ", "roomB", "roomA"}));
        QCOMPARE(names(g, g.zonesFedBy(at(g, "ahu2"))), std::vector<std::string>{"roomC"});
        QCOMPARE(names(g, g.zonesFedBy(at(g, "vav2"))), std::vector<std::string>{"roomB"});
        QVERIFY(g.zonesFedBy(at(g, "roomA")).empty());
    }

    void zonesFedBySurvivesFeedCycles()
    {
        auto g = buildSample();
        QVERIFY(g.addRelation("urn:t:vav2", Relation::Feeds, "urn:t:ahu").ok());
        QCOMPARE(g.zonesFedBy(at(g, "ahu")).size(), std::size_t{3});
    }

    void pointsOf()
    {
        const auto g = buildSample();
        QCOMPARE(names(g, g.pointsOf(at(g, "roomA"))), (std::vector<std::string>{"temp", "sp"}));
        QCOMPARE(names(g, g.pointsOf(at(g, "vav1"))), std::vector<std::string>{"flow"});
        QVERIFY(g.pointsOf(at(g, "ahu")).empty());
    }

    void entitiesOfKind()
    {
        const auto g = buildSample();
        QCOMPARE(names(g, g.entitiesOfKind(EntityKind::Room)),
                 (std::vector<std::string>{"roomA", "roomB", "roomC"}));
        QCOMPARE(names(g, g.equipmentOfType(EquipmentType::Vav)),
                 (std::vector<std::string>{"vav1", "vav2", "vav3"}));
        QCOMPARE(g.entitiesOfKind(EntityKind::Point).size(), std::size_t{3});
        QVERIFY(g.entitiesOfKind(EntityKind::Floor).size() == 2);
    }

    void shortestPath()
    {
        const auto g = buildSample();
        auto path = g.shortestPath(at(g, "vm"), at(g, "building"));
        QVERIFY(path.ok());
        // vm -runsOn-> host <-hasPart- rack -hasLocation-> roomC <-hasPart- floor2 <-hasPart-
        // building
        QCOMPARE(path->size(), std::size_t{5});
        QCOMPARE(g.describePath(*path),
                 std::string("vm -runsOn-> host <-hasPart- rack -hasLocation-> roomC <-hasPart- "
                             "floor2 <-hasPart- building"));
        auto self = g.shortestPath(at(g, "vm"), at(g, "vm"));
        QVERIFY(self.ok() && self->empty());
        auto temp = g.shortestPath(at(g, "temp"), at(g, "flow"));
        QVERIFY(temp.ok());
        QCOMPARE(temp->size(), std::size_t{3}); // temp ← roomA ← vav1 → flow
    }

    void shortestPathNotConnected()
    {
        const auto g = buildSample();
        auto path = g.shortestPath(at(g, "island"), at(g, "site"));
        QVERIFY(!path.ok());
        QCOMPARE(path.error().code, ErrorCode::NotFound);
        QVERIFY(path.error().message.find("island") != std::string::npos);
    }

    void danglingRelationIsRefused()
    {
        auto g = buildSample();
        auto s = g.addRelation("urn:t:ahu", Relation::Feeds, "urn:t:ghost");
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, ErrorCode::DanglingRelation);
        QVERIFY(s.error().message.find("urn:t:ghost") != std::string::npos);
        QCOMPARE(g.relationCount(), std::size_t{20}); // unchanged
        QVERIFY(!g.addRelation(0, Relation::HasPart, 999).ok());
    }

    void duplicatesAreHandled()
    {
        auto g = buildSample();
        QVERIFY(g.addRelation("urn:t:site", Relation::HasPart, "urn:t:building").ok());
        QCOMPARE(g.relationCount(), std::size_t{20}); // a set: no second edge
        auto dup = g.addEntity(make("site", EntityKind::Site));
        QVERIFY(!dup.ok());
        QCOMPARE(dup.error().code, ErrorCode::InvalidArgument);
        Entity empty;
        QVERIFY(!g.addEntity(empty).ok());
    }

    void copyIsIndependent()
    {
        const auto g = buildSample();
        TwinGraph copy = g;
        QVERIFY(copy.addEntity(make("extra", EntityKind::Other)).ok());
        QCOMPARE(g.entityCount(), std::size_t{20});
        QCOMPARE(copy.entityCount(), std::size_t{21});
    }

    void roots()
    {
        const auto g = buildSample();
        // Entities with no containing parent: site, zoneZ, the AHUs, VAVs 2/3, points, vm, island.
        const auto r = names(g, g.roots());
        QVERIFY(std::find(r.begin(), r.end(), "site") != r.end());
        QVERIFY(std::find(r.begin(), r.end(), "island") != r.end());
        QVERIFY(std::find(r.begin(), r.end(), "roomA") == r.end());
        QVERIFY(std::find(r.begin(), r.end(), "host") == r.end());
    }

    void countsFallBackOnKinds()
    {
        const auto g = buildSample();
        const auto c = countModel(g, 0);
        QCOMPARE(c.rooms, std::size_t{3});
        QCOMPARE(c.zones, std::size_t{1});
        QCOMPARE(c.ahus, std::size_t{2});
        QCOMPARE(c.vavs, std::size_t{3});
        QCOMPARE(c.points, std::size_t{3});
        QCOMPARE(c.sensors, std::size_t{2});
        QCOMPARE(c.setpoints, std::size_t{1});
        QCOMPARE(c.computeHosts, std::size_t{1});
        QCOMPARE(c.vms, std::size_t{1});
        QCOMPARE(c.equipment, std::size_t{7});
        QCOMPARE(c.hasPart, std::size_t{8});
    }

    void entityAttributes()
    {
        Entity e;
        e.setAttribute("volume_m3", "90");
        e.setAttribute("area", "30.5", "m²");
        e.setAttribute("cores", "two");
        QCOMPARE(e.attributes.front().key, std::string("area")); // kept sorted
        QCOMPARE(e.number("area").value_or(-1), 30.5);
        QVERIFY(!e.number("cores").has_value());
        QVERIFY(!e.number("missing").has_value());
        e.setAttribute("area", "31");
        QCOMPARE(e.attributes.size(), std::size_t{3});
        QCOMPARE(e.number("area").value_or(-1), 31.0);
    }
};

TWINDESK_TEST(TestGraph)
#include "tst_graph.moc"
