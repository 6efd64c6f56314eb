// The 3D building view's model (issue #8 §2) without a window: the layout (every room on its
// floor, areas kept, no overlaps, footprints from the model), metric values and banded
// colours, picking by ray, isolate and explode, the vertex buffers, 2 000 rooms, and the
// historian's values at a time from a real results file.
#include "test_registry.h"

#include "building_scene.h"
#include "console_test_util.h"

#include <twindesk/twin/project_store.h>
#include <twindesk/twin/twin_graph.h>

#include <QSignalSpy>
#include <QTemporaryDir>

#include <cmath>

using twindesk::app::BuildingLayout;
using twindesk::app::BuildingScene;
using twindesk::app::Metric;
namespace twin = twindesk::twin;

namespace {

const std::string kBrick = "https://brickschema.org/schema/Brick#";

twin::EntityIndex add(twin::TwinGraph& g, const std::string& id, twin::EntityKind kind,
                      const std::vector<std::pair<std::string, std::string>>& attrs = {},
                      const std::string& cls = {})
{
    twin::Entity e;
    e.id = id;
    e.name = id;
    e.kind = kind;
    if (!cls.empty())
        e.classes.push_back(kBrick + cls);
    for (const auto& [k, v] : attrs)
        e.setAttribute(k, v);
    auto r = g.addEntity(std::move(e));
    return *r;
}

twin::EntityIndex addPoint(twin::TwinGraph& g, const std::string& id, const std::string& cls,
                           twin::Quantity q, const std::string& unit)
{
    twin::Entity e;
    e.id = id;
    e.name = id;
    e.kind = twin::EntityKind::Point;
    e.classes.push_back(kBrick + cls);
    e.point = twin::PointInfo{twin::PointType::Sensor, q, unit, true, {}};
    return *g.addEntity(std::move(e));
}

/// `floors` floors of `rooms` rooms each (areas 10, 20, 30, ... m²), each room with a zone
/// air temperature sensor "r<f>_<i>_zat".
twin::TwinGraph building(int floors, int rooms)
{
    twin::TwinGraph g;
    const auto b = add(g, "b", twin::EntityKind::Building);
    for (int f = 0; f < floors; ++f) {
        const auto fl = add(g, "f" + std::to_string(f), twin::EntityKind::Floor,
                            {{"level", std::to_string(floors - f)}}); // declared top first
        (void)g.addRelation(b, twin::Relation::HasPart, fl);
        for (int i = 0; i < rooms; ++i) {
            const auto id = "r" + std::to_string(f) + "_" + std::to_string(i);
            const auto r = add(g, id, twin::EntityKind::Room,
                               {{"area", std::to_string(10 * (1 + i % 5))}});
            (void)g.addRelation(fl, twin::Relation::HasPart, r);
            const auto p = addPoint(g, id + "_zat", "Zone_Air_Temperature_Sensor",
                                    twin::Quantity::Temperature, "°C");
            (void)g.addRelation(r, twin::Relation::HasPoint, p);
        }
    }
    return g;
}

bool overlap(const std::vector<twindesk::app::Vec2>& a, const std::vector<twindesk::app::Vec2>& b)
{
    // Axis-aligned rectangles from the treemap: overlapping interiors.
    auto box = [](const auto& p) {
        double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
        for (const auto& v : p) {
            x0 = std::min(x0, v.x);
            y0 = std::min(y0, v.y);
            x1 = std::max(x1, v.x);
            y1 = std::max(y1, v.y);
        }
        return std::array<double, 4>{x0, y0, x1, y1};
    };
    const auto p = box(a);
    const auto q = box(b);
    return p[0] < q[2] - 1e-9 && q[0] < p[2] - 1e-9 && p[1] < q[3] - 1e-9 && q[1] < p[3] - 1e-9;
}

double polygonArea(const std::vector<twindesk::app::Vec2>& p)
{
    double a = 0;
    for (std::size_t i = 0; i < p.size(); ++i)
        a += p[i].x * p[(i + 1) % p.size()].y - p[(i + 1) % p.size()].x * p[i].y;
    return a / 2;
}

} // namespace

class TestBuildingScene : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void layoutKeepsEveryRoomOnItsFloor()
    {
        const auto g = building(3, 12);
        const BuildingLayout layout(g);
        QCOMPARE(layout.floors().size(), std::size_t{3});
        // Ordered by level: "f2" has level 1, so it is the lowest.
        QCOMPARE(layout.floors()[0].name, std::string("f2"));
        QCOMPARE(layout.floors()[2].name, std::string("f0"));
        QCOMPARE(layout.rooms().size(), std::size_t{36});
        for (std::size_t f = 0; f < 3; ++f) {
            const auto& floor = layout.floors()[f];
            QCOMPARE(floor.roomCount, 12);
            for (int i = floor.firstRoom; i < floor.firstRoom + floor.roomCount; ++i) {
                const auto& room = layout.rooms()[static_cast<std::size_t>(i)];
                QCOMPARE(room.floor, static_cast<int>(f));
                QVERIFY(polygonArea(room.footprint) > 0); // counter-clockwise
                // The treemap keeps areas (less the gap between rooms).
                const double drawn = polygonArea(room.footprint);
                QVERIFY2(drawn <= room.area && drawn > 0.6 * room.area,
                         qPrintable(QString::number(drawn) + " of " + QString::number(room.area)));
                for (const auto& v : room.footprint) {
                    QVERIFY(v.x >= -1e-9 && v.x <= layout.width() + 1e-9);
                    QVERIFY(v.y >= -1e-9 && v.y <= layout.depth() + 1e-9);
                }
                for (int j = floor.firstRoom; j < i; ++j)
                    QVERIFY(!overlap(room.footprint, layout.rooms()[static_cast<std::size_t>(j)].footprint));
            }
        }
    }

    void footprintsFromTheModel()
    {
        auto fp = twindesk::app::parseFootprint("0 0, 0 4, 6 4, 6 0"); // clockwise, 24 m²
        QVERIFY(fp.has_value());
        QCOMPARE(polygonArea(*fp), 24.0); // returned counter-clockwise
        QVERIFY(!twindesk::app::parseFootprint("0 0, 1 1").has_value());
        QVERIFY(!twindesk::app::parseFootprint("0 0, 1 x, 2 2").has_value());
        QVERIFY(!twindesk::app::parseFootprint("0 0, 1 1, 2 2").has_value()); // no area
        // An L-shaped room is triangulated into four triangles covering its area.
        const std::vector<twindesk::app::Vec2> l{{0, 0}, {4, 0}, {4, 1}, {1, 1}, {1, 3}, {0, 3}};
        const auto tris = twindesk::app::triangulate(l);
        QCOMPARE(tris.size(), std::size_t{4});
        double covered = 0;
        for (const auto& t : tris)
            covered += polygonArea({l[static_cast<std::size_t>(t[0])], l[static_cast<std::size_t>(t[1])],
                                    l[static_cast<std::size_t>(t[2])]});
        QCOMPARE(covered, 6.0);

        twin::TwinGraph g;
        const auto f = add(g, "f", twin::EntityKind::Floor);
        const auto a = add(g, "a", twin::EntityKind::Room, {{"footprint", "0 0, 4 0, 4 1, 1 1, 1 3, 0 3"}});
        const auto b = add(g, "b", twin::EntityKind::Room, {{"footprint", "not a polygon"}, {"area", "12"}});
        (void)g.addRelation(f, twin::Relation::HasPart, a);
        (void)g.addRelation(f, twin::Relation::HasPart, b);
        const BuildingLayout layout(g);
        QCOMPARE(layout.rooms().size(), std::size_t{2});
        const auto& ra = layout.rooms()[static_cast<std::size_t>(layout.roomOf(a))];
        QVERIFY(ra.fromModel);
        QCOMPARE(ra.footprint.size(), std::size_t{6});
        // A malformed footprint falls back to the automatic layout by area.
        const auto& rb = layout.rooms()[static_cast<std::size_t>(layout.roomOf(b))];
        QVERIFY(!rb.fromModel);
        QCOMPARE(rb.area, 12.0);
    }

    void metricValuesAndBandedColours()
    {
        const auto g = building(1, 3);
        const BuildingLayout layout(g);
        std::unordered_map<std::string, double> values{{"r0_0_zat", 21.5},
                                                        {"r0_1_zat", std::nan("")}};
        const auto v = layout.metricValues(Metric::Temperature, values);
        QCOMPARE(v.size(), std::size_t{3});
        QCOMPARE(v[static_cast<std::size_t>(layout.roomOf(*g.find("r0_0")))], 21.5);
        QVERIFY(std::isnan(v[static_cast<std::size_t>(layout.roomOf(*g.find("r0_1")))])); // bad sample
        QVERIFY(std::isnan(v[static_cast<std::size_t>(layout.roomOf(*g.find("r0_2")))])); // none
        // Bands: a value takes exactly its band's legend colour; no value is grey.
        using twindesk::app::colourFor;
        using twindesk::app::Rgb;
        QCOMPARE(colourFor(Metric::Temperature, 21.5), (Rgb{0x66, 0xbd, 0x63}));
        QCOMPARE(colourFor(Metric::Temperature, 21.0), (Rgb{0x66, 0xbd, 0x63}));
        QCOMPARE(colourFor(Metric::Temperature, 20.99), (Rgb{0x74, 0xad, 0xd1}));
        QCOMPARE(colourFor(Metric::Temperature, -40), (Rgb{0x31, 0x36, 0x95}));
        QCOMPARE(colourFor(Metric::Co2, 1600), (Rgb{0xd7, 0x30, 0x27}));
        QCOMPARE(colourFor(Metric::Temperature, std::nan("")), twindesk::app::kNoDataColour);
        QVERIFY(!twindesk::app::parseMetric("humidity").has_value());
        QCOMPARE(*twindesk::app::parseMetric("cpu"), Metric::HostCpu);
    }

    void unitsAreConverted()
    {
        twin::TwinGraph g;
        const auto f = add(g, "f", twin::EntityKind::Floor);
        const auto r = add(g, "r", twin::EntityKind::Room);
        (void)g.addRelation(f, twin::Relation::HasPart, r);
        const auto t = addPoint(g, "t", "Zone_Air_Temperature_Sensor", twin::Quantity::Temperature, "°F");
        const auto p1 = addPoint(g, "p1", "Electric_Power_Sensor", twin::Quantity::Power, "W");
        const auto p2 = addPoint(g, "p2", "Electric_Power_Sensor", twin::Quantity::Power, "kW");
        for (const auto p : {t, p1, p2})
            (void)g.addRelation(r, twin::Relation::HasPoint, p);
        const BuildingLayout layout(g);
        const std::unordered_map<std::string, double> values{{"t", 71.6}, {"p1", 500}, {"p2", 1.25}};
        QVERIFY(std::abs(layout.metricValues(Metric::Temperature, values)[0] - 22.0) < 1e-9);
        QVERIFY(std::abs(layout.metricValues(Metric::Power, values)[0] - 1.75) < 1e-9); // summed, kW
    }

    void pickingHitsTheRoomUnderTheRay()
    {
        const auto g = building(3, 8);
        BuildingScene scene;
        scene.setGraph(&g);
        const auto* layout = scene.layout();
        for (const int floor : {0, 1, 2}) {
            const auto& fl = layout->floors()[static_cast<std::size_t>(floor)];
            const auto& room = layout->rooms()[static_cast<std::size_t>(fl.firstRoom + 3)];
            const QVector3D above(static_cast<float>(room.centre.x - layout->width() / 2), 1000.F,
                                  static_cast<float>(room.centre.y - layout->depth() / 2));
            // Straight down, the top floor's room over it is hit first...
            const int hit = scene.pick(above, {0, -1, 0});
            QVERIFY(hit >= 0);
            QCOMPARE(layout->rooms()[static_cast<std::size_t>(layout->roomOf(static_cast<twin::EntityIndex>(hit)))].floor, 2);
            // ... unless the floor is isolated: then the room itself.
            scene.setIsolatedFloor(floor);
            QCOMPARE(scene.pick(above, {0, -1, 0}), static_cast<int>(room.entity));
            scene.setIsolatedFloor(-1);
        }
        // From the side, level with the lowest floor, the ray meets a wall of floor 0.
        const double y = layout->roomHeight(0) / 2;
        const int side = scene.pick(QVector3D(-1000, static_cast<float>(y), 0), {1, 0, 0});
        QVERIFY(side >= 0);
        QCOMPARE(layout->rooms()[static_cast<std::size_t>(layout->roomOf(static_cast<twin::EntityIndex>(side)))].floor, 0);
        // A ray pointing away from the building hits nothing.
        QCOMPARE(scene.pick(QVector3D(0, 1000, 0), {0, 1, 0}), -1);
    }

    void buffersFollowTheView()
    {
        const auto g = building(3, 10);
        BuildingScene scene;
        QSignalSpy rebuilt(&scene, &BuildingScene::geometryChanged);
        scene.setGraph(&g);
        QVERIFY(rebuilt.count() >= 4);
        const int all = scene.vertexCount(BuildingScene::Rooms);
        // Rectangles: two triangles on top, two below, eight on the walls.
        QCOMPARE(all, 30 * 12 * 3);
        QCOMPARE(scene.vertexCount(BuildingScene::Slabs), 3 * 12 * 3);
        scene.setIsolatedFloor(1);
        QCOMPARE(scene.vertexCount(BuildingScene::Rooms), all / 3);
        QCOMPARE(scene.vertexCount(BuildingScene::Slabs), 12 * 3);
        scene.setIsolatedFloor(7); // out of range: all floors
        QCOMPARE(scene.isolatedFloor(), -1);
        // Exploding raises the top floor by a storey per floor below it at explode 1.
        const float before = scene.boundsMax(BuildingScene::Rooms).y();
        scene.setExplode(1.0);
        const float after = scene.boundsMax(BuildingScene::Rooms).y();
        QVERIFY(std::abs((after - before) - 2 * 3.5F) < 1e-3F);
        // Top faces carry the legend colour exactly: a room at 22 °C.
        std::unordered_map<std::string, double> values;
        for (int i = 0; i < 10; ++i)
            for (int f = 0; f < 3; ++f)
                values["r" + std::to_string(f) + "_" + std::to_string(i) + "_zat"] = 22.0;
        scene.setValues(values, "test");
        QCOMPARE(scene.roomsWithData(), 30);
        const auto* v = reinterpret_cast<const float*>(scene.vertices(BuildingScene::Rooms).constData());
        QCOMPARE(qRound(v[3] * 255), 0x66);
        QCOMPARE(qRound(v[4] * 255), 0xbd);
        QCOMPARE(qRound(v[5] * 255), 0x63);
        // A selection draws a pin and the room's outline; a floor selection only its slab.
        const int room = static_cast<int>(*g.find("r0_4"));
        scene.setSelectedEntity(room);
        QVERIFY(scene.vertexCount(BuildingScene::Selection) > 0);
        QVERIFY(scene.vertexCount(BuildingScene::Outline) > 0);
        QVERIFY(scene.selectionText().contains("22.0 °C"));
        scene.setSelectedEntity(static_cast<int>(*g.find("f1")));
        QCOMPARE(scene.vertexCount(BuildingScene::Selection), 0);
        QVERIFY(scene.selectionText().contains("10 rooms"));
    }

    void twoThousandRooms()
    {
        const auto g = building(10, 200);
        BuildingScene scene;
        scene.setGraph(&g);
        QCOMPARE(scene.roomCount(), 2000);
        QCOMPARE(scene.vertexCount(BuildingScene::Rooms), 2000 * 36);
        // Every room is pickable from above when its floor is isolated (spot check).
        const auto* layout = scene.layout();
        int hits = 0;
        for (std::size_t r = 0; r < layout->rooms().size(); r += 97) {
            const auto& room = layout->rooms()[r];
            scene.setIsolatedFloor(room.floor);
            const QVector3D above(static_cast<float>(room.centre.x - layout->width() / 2), 500.F,
                                  static_cast<float>(room.centre.y - layout->depth() / 2));
            hits += scene.pick(above, {0, -1, 0}) == static_cast<int>(room.entity) ? 1 : 0;
        }
        QCOMPARE(hits, static_cast<int>((layout->rooms().size() + 96) / 97));
    }

    void historianValuesAtATime()
    {
        QTemporaryDir dir;
        const QString results = dir.filePath("days.twin");
        const auto err = twindesk::test::simulateInto(
            TWINDESK_SOURCE_DIR "/assets/scenarios/demo-office.json", results,
            {"--set", "period.end=\"2025-01-08T00:00\""});
        QVERIFY2(err.empty(), err.c_str());
        auto store = twin::ProjectStore::open(results.toStdString(), twin::OpenMode::ReadOnly);
        QVERIFY(static_cast<bool>(store));
        auto graph = store->loadModel();
        QVERIFY(static_cast<bool>(graph));
        BuildingScene scene;
        scene.setGraph(&*graph);
        // Tuesday 7 January 2025, 15:00 in Chicago (21:00 UTC): occupied, heated to 21–23 °C.
        const double at = 1736283600000.0;
        QVERIFY2(scene.loadHistorian(results, at), qPrintable(scene.error()));
        QVERIFY(scene.valuesLabel().contains("2025-01-07 21:00"));
        QVERIFY(scene.roomsWithData() >= 30);
        const auto room = scene.layout()->roomOf(*graph->find("urn:twindesk:demo:office#room_201"));
        QVERIFY(room >= 0);
        const auto samples = store->samples("urn:twindesk:demo:office#room_201_zat", 0,
                                            static_cast<std::int64_t>(at) + 1);
        QVERIFY(samples && !samples->empty());
        QCOMPARE(scene.roomValue(room), samples->back().value); // the latest at or before
        // CPU: the server room's hosts.
        scene.setMetric("cpu");
        QVERIFY(scene.roomsWithData() >= 1);
        // An unreadable file keeps what was shown and says why.
        QVERIFY(!scene.loadHistorian(dir.filePath("missing.twin")));
        QVERIFY(scene.error().contains("missing.twin"));
        QVERIFY(scene.roomsWithData() >= 1);
    }
};

TWINDESK_TEST(TestBuildingScene)
#include "tst_building_scene.moc"
