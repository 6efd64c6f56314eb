// Brick import: the demo office, every real model in ../shared/anchors/brick, and bad input.
//
// Expected counts were obtained independently of this code with rdflib
// (scripts/dev/brick_counts_rdflib.py MODEL Brick-1.3.ttl assets/ontology/twindesk.ttl) and
// spot-checked by hand against the Turtle: `grep -c " a brick:AHU"` gives 5 (soda_hall),
// 4 (rice_hall), 1 (ebu3b); `grep -c "a brick:Floor"` gives 7, 6, 5; the demo office's
// generator (assets/demo/generate_office.py) prints the same numbers for office.ttl.
#include "test_registry.h"

#include <twindesk/twin/brick_import.h>
#include <twindesk/twin/model_stats.h>

#include <filesystem>
#include <fstream>

using namespace twindesk::twin;
namespace fs = std::filesystem;

namespace {

const fs::path kSource = TWINDESK_SOURCE_DIR;
const fs::path kAnchors = TWINDESK_ANCHORS_DIR;

std::vector<fs::path> bundledOntology()
{
    return {kSource / "assets/ontology/brick-1.3-classes.ttl",
            kSource / "assets/ontology/twindesk.ttl"};
}

const BrickOntology& bundled()
{
    static const BrickOntology ontology = [] {
        auto o = BrickOntology::load(bundledOntology());
        if (!o)
            qFatal("bundled ontology failed to load: %s", o.error().toString().c_str());
        return std::move(o).value();
    }();
    return ontology;
}

struct Expected
{
    const char* file;
    ModelCounts counts;
};

ModelCounts counts(std::size_t triples, std::size_t buildings, std::size_t floors,
                   std::size_t rooms, std::size_t zones, std::size_t ahus, std::size_t vavs,
                   std::size_t equipment, std::size_t points, std::size_t sensors,
                   std::size_t setpoints, std::size_t commands, std::size_t hosts, std::size_t vms,
                   std::size_t unknown, std::size_t hasPart, std::size_t feeds,
                   std::size_t hasPoint, std::size_t hasLocation, std::size_t runsOn)
{
    ModelCounts c;
    c.triples = triples;
    c.buildings = buildings;
    c.floors = floors;
    c.rooms = rooms;
    c.zones = zones;
    c.ahus = ahus;
    c.vavs = vavs;
    c.equipment = equipment;
    c.points = points;
    c.sensors = sensors;
    c.setpoints = setpoints;
    c.commands = commands;
    c.computeHosts = hosts;
    c.vms = vms;
    c.unknownTyped = unknown;
    c.hasPart = hasPart;
    c.feeds = feeds;
    c.hasPoint = hasPoint;
    c.hasLocation = hasLocation;
    c.runsOn = runsOn;
    return c;
}

void compareCounts(const ModelCounts& got, const ModelCounts& want)
{
    QCOMPARE(got.triples, want.triples);
    QCOMPARE(got.buildings, want.buildings);
    QCOMPARE(got.floors, want.floors);
    QCOMPARE(got.rooms, want.rooms);
    QCOMPARE(got.zones, want.zones);
    QCOMPARE(got.ahus, want.ahus);
    QCOMPARE(got.vavs, want.vavs);
    QCOMPARE(got.equipment, want.equipment);
    QCOMPARE(got.points, want.points);
    QCOMPARE(got.sensors, want.sensors);
    QCOMPARE(got.setpoints, want.setpoints);
    QCOMPARE(got.commands, want.commands);
    QCOMPARE(got.computeHosts, want.computeHosts);
    QCOMPARE(got.vms, want.vms);
    QCOMPARE(got.unknownTyped, want.unknownTyped);
    QCOMPARE(got.hasPart, want.hasPart);
    QCOMPARE(got.feeds, want.feeds);
    QCOMPARE(got.hasPoint, want.hasPoint);
    QCOMPARE(got.hasLocation, want.hasLocation);
    QCOMPARE(got.runsOn, want.runsOn);
}

const std::vector<Expected>& expectedAnchorModels()
{
    static const std::vector<Expected> kModels{
        {"ebu3b.ttl", counts(14578, 1, 5, 246, 246, 1, 238, 1069, 2191, 606, 272, 962, 0, 0, 2417,
                             1310, 477, 6607, 1, 0)},
        {"rice_hall.ttl",
         counts(1665, 1, 6, 90, 8, 4, 8, 12, 489, 331, 7, 40, 0, 0, 144, 206, 16, 315, 181, 0)},
        {"soda_hall.ttl", counts(3774, 1, 7, 243, 243, 5, 243, 258, 921, 502, 240, 147, 0, 0, 22,
                                 493, 484, 926, 25, 0)},
    };
    return kModels;
}

const ModelCounts kDemoCounts =
    counts(3184, 1, 3, 40, 32, 2, 31, 165, 379, 199, 65, 111, 40, 60, 0, 142, 63, 379, 101, 60);

bool anchorsPresent()
{
    return fs::exists(kAnchors / "brick" / "Brick-1.3.ttl");
}

Result<ImportResult> importText(const std::string& body)
{
    const std::string prefixes = "@prefix brick: <https://brickschema.org/schema/Brick#> .\n"
                                 "@prefix unit: <http://qudt.org/vocab/unit/> .\n"
                                 "@prefix td: <https://twindesk.dev/schema#> .\n"
                                 "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                                 "@prefix ex: <urn:ex#> .\n";
    return importBrickString(prefixes + body, "inline.ttl", bundled());
}

} // namespace

class TestBrickImport : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void ontologyClosure()
    {
        const auto& o = bundled();
        QVERIFY(o.classCount() > 1000);
        const std::string b = "https://brickschema.org/schema/Brick#";
        QVERIFY(o.isA(b + "Zone_Air_Temperature_Sensor", b + "Temperature_Sensor"));
        QVERIFY(o.isA(b + "Zone_Air_Temperature_Sensor", b + "Point"));
        QVERIFY(!o.isA(b + "Zone_Air_Temperature_Sensor", b + "Setpoint"));
        // Equivalences, both ways (Brick 1.3 links these by owl:equivalentClass only).
        QVERIFY(o.isA(b + "Air_Handling_Unit", b + "AHU"));
        QVERIFY(o.isA(b + "AHU", b + "Air_Handling_Unit"));
        QVERIFY(o.isA(b + "Variable_Air_Volume_Box_With_Reheat", b + "VAV"));
        QVERIFY(o.isA(b + "Conference_Room", b + "Space"));
        QVERIFY(o.isA("https://twindesk.dev/schema#Compute_Host", b + "Equipment"));
        QVERIFY(!o.knows("https://brickschema.org/schema/1.0.2/Brick#Pre_Heat_Coil"));
        QCOMPARE(o.label(b + "Conference_Room").value_or(""), std::string("Conference Room"));
        QVERIFY(o.quantityOf(b + "Zone_Air_Temperature_Sensor").has_value());
    }

    void bundledSubsetEqualsFullOntology()
    {
        if (!anchorsPresent())
            QSKIP("../shared/anchors/brick is absent: cannot compare with the full Brick 1.3");
        auto full = BrickOntology::load(
            {kAnchors / "brick/Brick-1.3.ttl", kSource / "assets/ontology/twindesk.ttl"});
        QVERIFY(full.ok());
        QCOMPARE(full->classCount(), bundled().classCount());
        QCOMPARE(full->subclassEdgeCount(), bundled().subclassEdgeCount());
    }

    void demoOffice()
    {
        auto r = importBrick(kSource / "assets/demo/office.ttl", bundled());
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        compareCounts(countModel(r->graph, r->stats.triples), kDemoCounts);
        QCOMPARE(r->stats.untypedEntities, std::size_t{0});
        QVERIFY2(r->stats.warnings.empty(),
                 r->stats.warnings.empty() ? "" : r->stats.warnings.front().c_str());
    }

    void demoOfficeSemantics()
    {
        auto r = importBrick(kSource / "assets/demo/office.ttl", bundled());
        QVERIFY(r.ok());
        const auto& g = r->graph;
        auto at = [&g](const char* local) {
            auto i = g.find(std::string("urn:twindesk:demo:office#") + local);
            if (!i)
                qFatal("missing %s", local);
            return *i;
        };
        const auto& ahu = g.entity(at("ahu_1"));
        QCOMPARE(ahu.kind, EntityKind::Equipment);
        QCOMPARE(ahu.equipmentType, EquipmentType::Ahu);
        QCOMPARE(ahu.name, std::string("AHU-1 (serves floors 1 and 2)"));
        QCOMPARE(g.entity(at("vav_101")).equipmentType, EquipmentType::Vav);
        QCOMPARE(g.entity(at("crac_1")).equipmentType, EquipmentType::Crac);

        const auto& room = g.entity(at("room_106"));
        QCOMPARE(room.kind, EntityKind::Room);
        QCOMPARE(room.use, ZoneUse::Conference);
        QCOMPARE(room.number("area").value_or(-1), 11.8);
        QCOMPARE(room.attribute("area")->unit, std::string("m²"));
        QCOMPARE(room.number("volume").value_or(-1), 35.4);
        QCOMPARE(room.number("maxOccupancy").value_or(-1), 4.0);

        const auto& zat = g.entity(at("room_106_zat"));
        QCOMPARE(zat.kind, EntityKind::Point);
        QVERIFY(zat.point.has_value());
        QCOMPARE(zat.point->type, PointType::Sensor);
        QCOMPARE(zat.point->quantity, Quantity::Temperature);
        QCOMPARE(zat.point->unit, std::string("°C"));
        QVERIFY(zat.point->unitExplicit);
        const auto& co2 = g.entity(at("room_106_co2"));
        QCOMPARE(co2.point->quantity, Quantity::Concentration);
        QCOMPARE(co2.point->unit, std::string("ppm"));
        const auto& occ = g.entity(at("room_106_occ"));
        QCOMPARE(occ.point->type, PointType::Sensor);
        QVERIFY(!occ.point->unitExplicit); // no hasUnit: the quantity's display unit
        QCOMPARE(g.entity(at("room_106_zhsp")).point->type, PointType::Setpoint);

        std::size_t conference = 0;
        std::size_t serverRooms = 0;
        for (auto i : g.entitiesOfKind(EntityKind::Room)) {
            conference += g.entity(i).use == ZoneUse::Conference ? 1 : 0;
            serverRooms += g.entity(i).use == ZoneUse::ServerRoom ? 1 : 0;
        }
        QCOMPARE(conference, std::size_t{8});
        QCOMPARE(serverRooms, std::size_t{1});

        const auto& host = g.entity(at("host_a01"));
        QCOMPARE(host.equipmentType, EquipmentType::ComputeHost);
        QCOMPARE(host.number("cores").value_or(-1), 2.0);
        QCOMPARE(host.number("mipsPerCore").value_or(-1), 1860.0);
        const auto vm = at("vm_001");
        QCOMPARE(g.entity(vm).kind, EntityKind::Workload);
        QCOMPARE(g.entity(vm).workloadType, WorkloadType::VirtualMachine);
        QCOMPARE(g.outgoing(vm, Relation::RunsOn).size(), std::size_t{1});
        QCOMPARE(g.entity(g.outgoing(vm, Relation::RunsOn).front()).id,
                 std::string("urn:twindesk:demo:office#host_a08"));

        // Both AHUs together serve every VAV-fed room; the server room is the CRAC's.
        const auto fed1 = g.zonesFedBy(at("ahu_1"));
        const auto fed2 = g.zonesFedBy(at("ahu_2"));
        QVERIFY(!fed1.empty() && !fed2.empty());
        const auto crac = g.zonesFedBy(at("crac_1"));
        bool cracFeedsServerRoom = false;
        for (auto i : crac)
            cracFeedsServerRoom |= g.entity(i).use == ZoneUse::ServerRoom;
        QVERIFY(cracFeedsServerRoom);
        // Every VM reaches the building through the graph.
        const auto building = g.entitiesOfKind(EntityKind::Building).front();
        for (auto w : g.entitiesOfKind(EntityKind::Workload))
            QVERIFY(g.shortestPath(w, building).ok());
    }

    void anchorModels_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("fullOntology");
        for (const auto& m : expectedAnchorModels()) {
            QTest::newRow((std::string(m.file) + "/bundled").c_str()) << QString(m.file) << false;
            QTest::newRow((std::string(m.file) + "/Brick-1.3.ttl").c_str())
                << QString(m.file) << true;
        }
    }

    void anchorModels()
    {
        QFETCH(QString, file);
        QFETCH(bool, fullOntology);
        if (!anchorsPresent())
            QSKIP("../shared/anchors/brick is absent: the real Brick models cannot be imported");
        std::optional<BrickOntology> full;
        if (fullOntology) {
            auto o = BrickOntology::load(
                {kAnchors / "brick/Brick-1.3.ttl", kSource / "assets/ontology/twindesk.ttl"});
            QVERIFY(o.ok());
            full = std::move(o).value();
        }
        auto r = importBrick(kAnchors / "brick" / file.toStdString(), full ? *full : bundled());
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        for (const auto& m : expectedAnchorModels())
            if (file == m.file)
                compareCounts(countModel(r->graph, r->stats.triples), m.counts);
        // Unknown (e.g. Brick 1.0.2-only) classes are kept with their IRIs, never dropped.
        for (EntityIndex i = 0; i < r->graph.entityCount(); ++i) {
            const auto& e = r->graph.entity(i);
            if ((e.categories & kCatUnknownTyped) != 0U) {
                QCOMPARE(e.kind, EntityKind::Other);
                QVERIFY(!e.classes.empty());
            }
        }
    }

    void inverseRelationsFold()
    {
        auto r = importText("ex:b a brick:Building ; brick:hasPart ex:f .\n"
                            "ex:f a brick:Floor ; brick:isPartOf ex:b .\n"
                            "ex:t a brick:Zone_Air_Temperature_Sensor ; brick:isPointOf ex:r .\n"
                            "ex:r a brick:Room ; brick:hasPoint ex:t ; brick:isPartOf ex:f .\n"
                            "ex:vm a td:Virtual_Machine ; td:runsOn ex:h .\n"
                            "ex:h a td:Compute_Host ; td:hosts ex:vm .\n");
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        const auto c = countModel(r->graph, r->stats.triples);
        QCOMPARE(c.hasPart, std::size_t{2});
        QCOMPARE(c.hasPoint, std::size_t{1});
        QCOMPARE(c.runsOn, std::size_t{1});
        const auto& g = r->graph;
        QVERIFY(g.hasRelation(*g.find("urn:ex#b"), Relation::HasPart, *g.find("urn:ex#f")));
    }

    void unknownAndUntypedAreKept()
    {
        auto r = importText("ex:x a ex:Flux_Capacitor ; rdfs:label \"Doc's\" ; brick:feeds ex:y .\n"
                            "ex:z a <https://brickschema.org/schema/1.0.2/Brick#Old_Thing> .\n");
        QVERIFY(r.ok());
        const auto& g = r->graph;
        QCOMPARE(g.entityCount(), std::size_t{3}); // x, y (untyped, in a relation), z
        const auto& x = g.entity(*g.find("urn:ex#x"));
        QCOMPARE(x.kind, EntityKind::Other);
        QCOMPARE(x.classes, std::vector<std::string>{"urn:ex#Flux_Capacitor"});
        QCOMPARE(x.name, std::string("Doc's"));
        QVERIFY((x.categories & kCatUnknownTyped) != 0U);
        QCOMPARE(g.entity(*g.find("urn:ex#y")).classes.size(), std::size_t{0});
        QCOMPARE(r->stats.untypedEntities, std::size_t{1});
        QCOMPARE(countModel(g, 0).unknownTyped, std::size_t{2});
        QVERIFY(!r->stats.warnings.empty());
    }

    void classDeclarationsInTheModelCount()
    {
        auto r = importText("ex:Smart_Room rdfs:subClassOf brick:Conference_Room .\n"
                            "ex:r a ex:Smart_Room .\n");
        QVERIFY(r.ok());
        const auto& e = r->graph.entity(*r->graph.find("urn:ex#r"));
        QCOMPARE(e.kind, EntityKind::Room);
        QCOMPARE(e.use, ZoneUse::Conference);
        QCOMPARE(countModel(r->graph, 0).rooms, std::size_t{1});
        QCOMPARE(r->graph.entityCount(), std::size_t{1}); // the class itself is not an entity
    }

    void unitsFromQudt()
    {
        auto r =
            importText("ex:t a brick:Zone_Air_Temperature_Sensor ; brick:hasUnit unit:DEG_F .\n"
                       "ex:f a brick:Supply_Air_Flow_Sensor ; brick:hasUnit unit:FT3-PER-MIN .\n"
                       "ex:p a brick:Active_Power_Sensor .\n");
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        const auto& g = r->graph;
        QCOMPARE(g.entity(*g.find("urn:ex#t")).point->unit, std::string("°F"));
        QCOMPARE(g.entity(*g.find("urn:ex#f")).point->unit, std::string("cfm"));
        QCOMPARE(g.entity(*g.find("urn:ex#f")).point->quantity, Quantity::VolumeFlow);
        const auto& p = g.entity(*g.find("urn:ex#p")).point;
        QCOMPARE(p->quantity, Quantity::Power);
        QVERIFY(!p->unitExplicit);
        QCOMPARE(p->unit, std::string(displayUnit(Quantity::Power).symbol));
    }

    void deterministic()
    {
        auto a = importBrick(kSource / "assets/demo/office.ttl", bundled());
        auto b = importBrick(kSource / "assets/demo/office.ttl", bundled());
        QVERIFY(a.ok() && b.ok());
        QCOMPARE(a->graph.relations(), b->graph.relations());
        for (EntityIndex i = 0; i < a->graph.entityCount(); ++i)
            QCOMPARE(a->graph.entity(i).id, b->graph.entity(i).id);
    }

    // --- bad input -------------------------------------------------------------------------

    void malformedTurtleNamesFileLineColumn()
    {
        auto r = importBrickString("@prefix brick: <https://brickschema.org/schema/Brick#> .\n"
                                   "<urn:a> a brick:Room .\n"
                                   "<urn:b> a brick:Room , , .\n"
                                   "<urn:c> a brick:Room .\n",
                                   "broken.ttl", bundled());
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::ParseError);
        const auto text = r.error().toString();
        QVERIFY2(text.find("broken.ttl:3:") != std::string::npos, text.c_str());
        QVERIFY2(text.find("malformed Turtle") != std::string::npos, text.c_str());
    }

    void undefinedPrefixIsAnError()
    {
        auto r = importBrickString("<urn:a> a nope:Room .\n", "prefix.ttl", bundled());
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::ParseError);
        QVERIFY2(r.error().toString().find("prefix.ttl:1:") != std::string::npos,
                 r.error().toString().c_str());
    }

    void malformedFileOnDisk()
    {
        const auto path = fs::temp_directory_path() / "twindesk-tst-malformed.ttl";
        {
            std::ofstream out(path);
            out << "@prefix brick: <https://brickschema.org/schema/Brick#> .\n\n"
                   "<urn:a> a brick:Room .\n<urn:b> brick:hasPart \"unterminated .\n";
        }
        auto r = importBrick(path, bundled());
        fs::remove(path);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::ParseError);
        QVERIFY2(r.error().toString().find(path.string() + ":4:") != std::string::npos,
                 r.error().toString().c_str());
    }

    void missingModelFile()
    {
        auto r = importBrick("/nonexistent/model.ttl", bundled());
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::NotFound);
        QCOMPARE(r.error().where, std::string("/nonexistent/model.ttl"));
    }

    void missingOntology()
    {
        auto o = BrickOntology::load({"/nonexistent/Brick.ttl"});
        QVERIFY(!o.ok());
        QCOMPARE(o.error().code, ErrorCode::NotFound);
        QCOMPARE(o.error().where, std::string("/nonexistent/Brick.ttl"));
        QVERIFY(o.error().message.find("--ontology") != std::string::npos);
    }

    void unknownUnitNamesPointAndLine()
    {
        auto r = importText("ex:a a brick:Room .\n"
                            "ex:t a brick:Zone_Air_Temperature_Sensor ;\n"
                            "    brick:hasUnit unit:FURLONG-PER-FORTNIGHT .\n");
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::UnknownUnit);
        QVERIFY(r.error().message.find("urn:ex#t") != std::string::npos);
        QVERIFY(r.error().message.find("FURLONG-PER-FORTNIGHT") != std::string::npos);
        QCOMPARE(r.error().where, std::string("inline.ttl:8")); // 5 prefix lines + 3
    }

    void literalRelationIsDangling()
    {
        auto r = importText("ex:a a brick:AHU ;\n    brick:feeds \"VAV-1\" .\n");
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::DanglingRelation);
        QVERIFY(r.error().message.find("VAV-1") != std::string::npos);
        QCOMPARE(r.error().where, std::string("inline.ttl:7"));
    }

    void areaInWrongUnit()
    {
        auto r = importText("ex:r a brick:Room ;\n"
                            "  brick:area [ brick:value \"30\" ; brick:hasUnit unit:DEG_C ] .\n");
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::UnitMismatch);
        QVERIFY(r.error().message.find("area") != std::string::npos);
    }

    void areaConvertsToSi()
    {
        auto r = importText("ex:r a brick:Room ;\n"
                            "  brick:area [ brick:value \"1000\" ; brick:hasUnit unit:FT2 ] .\n");
        QVERIFY(r.ok());
        const auto area = r->graph.entity(0).number("area");
        QVERIFY(area.has_value());
        QVERIFY(std::abs(*area - 92.90304) < 1e-9);
    }

    void badUsageValue()
    {
        auto r = importText("ex:r a brick:Room ;\n  td:usage \"ballroom\" .\n");
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.find("ballroom") != std::string::npos);
        QCOMPARE(r.error().where, std::string("inline.ttl:7"));
    }
};

TWINDESK_TEST(TestBrickImport)
#include "tst_brick_import.moc"
