#include "building_scene.h"

#include <twindesk/twin/project_store.h>

#include <QColor>
#include <QDateTime>

#include <algorithm>
#include <cmath>
#include <limits>

namespace twindesk::app {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr Rgb kSlabColour{0x9a, 0xa1, 0xab};
constexpr Rgb kSelectedFloorColour{0x5c, 0x6b, 0xc0};
constexpr Rgb kEquipmentColour{0xef, 0x6c, 0x00};
constexpr Rgb kHostColour{0x7e, 0x57, 0xc2};
constexpr Rgb kSelectionColour{0x00, 0xb8, 0xd4};
constexpr double kSlabThickness = 0.2;

/// Appends vertices (x, y, z, r, g, b, a as floats) and tracks the bounds.
class VertexWriter
{
public:
    explicit VertexWriter(QByteArray& out)
        : m_out(out)
    {
        m_out.clear();
    }

    void vertex(double x, double y, double z, Rgb c, double shade)
    {
        const std::array<float, 7> v{static_cast<float>(x),
                                     static_cast<float>(y),
                                     static_cast<float>(z),
                                     static_cast<float>(c.r * shade / 255.0),
                                     static_cast<float>(c.g * shade / 255.0),
                                     static_cast<float>(c.b * shade / 255.0),
                                     1.0F};
        m_out.append(reinterpret_cast<const char*>(v.data()),
                     static_cast<qsizetype>(sizeof(float) * v.size()));
        m_min = QVector3D(std::min(m_min.x(), v[0]), std::min(m_min.y(), v[1]),
                          std::min(m_min.z(), v[2]));
        m_max = QVector3D(std::max(m_max.x(), v[0]), std::max(m_max.y(), v[1]),
                          std::max(m_max.z(), v[2]));
    }

    /// A prism: `plan` (counter-clockwise, world x/z) from y0 to y1; the top face exactly
    /// `c`, walls shaded by their orientation towards a fixed light, the bottom darker.
    void prism(const std::vector<Vec2>& plan, double y0, double y1, Rgb c)
    {
        const auto tris = triangulate(plan);
        // Wound counter-clockwise seen from outside (the plan's y is the world's z, which
        // flips the plan's orientation), so back faces can be culled.
        for (const auto& t : tris)
            for (const int i : {t[0], t[2], t[1]})
                vertex(plan[static_cast<std::size_t>(i)].x, y1,
                       plan[static_cast<std::size_t>(i)].y, c, 1.0);
        for (const auto& t : tris)
            for (const int i : t)
                vertex(plan[static_cast<std::size_t>(i)].x, y0,
                       plan[static_cast<std::size_t>(i)].y, c, 0.45);
        for (std::size_t i = 0; i < plan.size(); ++i) {
            const auto& a = plan[i];
            const auto& b = plan[(i + 1) % plan.size()];
            const double ex = b.x - a.x;
            const double ey = b.y - a.y;
            const double len = std::hypot(ex, ey);
            if (len < 1e-9)
                continue;
            // Outward normal in the plan, lit from one side so neighbouring walls differ.
            const double nx = ey / len;
            const double ny = -ex / len;
            const double shade = 0.6 + 0.25 * std::max(0.0, nx * 0.53 + ny * 0.85);
            vertex(a.x, y0, a.y, c, shade);
            vertex(b.x, y1, b.y, c, shade);
            vertex(b.x, y0, b.y, c, shade);
            vertex(a.x, y0, a.y, c, shade);
            vertex(a.x, y1, a.y, c, shade);
            vertex(b.x, y1, b.y, c, shade);
        }
    }

    void box(double cx, double cz, double half, double y0, double y1, Rgb c)
    {
        prism({{cx - half, cz - half}, {cx + half, cz - half}, {cx + half, cz + half},
               {cx - half, cz + half}},
              y0, y1, c);
    }

    void line(double x0, double y0, double z0, double x1, double y1, double z1, Rgb c)
    {
        vertex(x0, y0, z0, c, 1.0);
        vertex(x1, y1, z1, c, 1.0);
    }

    [[nodiscard]] QVector3D min() const { return m_out.isEmpty() ? QVector3D() : m_min; }
    [[nodiscard]] QVector3D max() const { return m_out.isEmpty() ? QVector3D() : m_max; }

private:
    QByteArray& m_out;
    QVector3D m_min{1e30F, 1e30F, 1e30F};
    QVector3D m_max{-1e30F, -1e30F, -1e30F};
};

QString unitOf(Metric metric)
{
    switch (metric) {
    case Metric::Temperature: return QStringLiteral("°C");
    case Metric::Co2: return QStringLiteral("ppm");
    case Metric::Occupancy: return QStringLiteral("people");
    case Metric::Power: return QStringLiteral("kW");
    case Metric::HostCpu: return QStringLiteral("%");
    }
    return {};
}

QString formatValue(Metric metric, double v)
{
    if (!std::isfinite(v))
        return QStringLiteral("no data");
    const int decimals = metric == Metric::Co2 || metric == Metric::Occupancy ? 0 : 1;
    return QString::number(v, 'f', decimals) + QLatin1Char(' ') + unitOf(metric);
}

} // namespace

BuildingScene::BuildingScene(QObject* parent)
    : QObject(parent)
{
}

BuildingScene::~BuildingScene() = default;

void BuildingScene::setGraph(const twin::TwinGraph* graph)
{
    m_graph = graph;
    m_layout = graph != nullptr ? std::make_unique<BuildingLayout>(*graph) : nullptr;
    m_isolatedFloor = -1;
    m_selected = -1;
    recolour();
    Q_EMIT layoutChanged();
    Q_EMIT viewChanged();
    Q_EMIT selectionChanged();
    rebuild();
}

void BuildingScene::setValues(std::unordered_map<std::string, double> values,
                              const QString& label)
{
    m_values = std::move(values);
    m_valuesLabel = label;
    recolour();
    rebuildRooms();
    rebuildMarkers();
    Q_EMIT selectionChanged(); // the selection's value
}

void BuildingScene::setPointValues(const QVariantMap& values, const QString& label)
{
    std::unordered_map<std::string, double> map;
    map.reserve(static_cast<std::size_t>(values.size()));
    for (auto it = values.cbegin(); it != values.cend(); ++it) {
        bool ok = false;
        const double v = it.value().toDouble(&ok);
        map.emplace(it.key().toStdString(), ok ? v : kNaN);
    }
    setValues(std::move(map), label);
}

bool BuildingScene::loadHistorian(const QString& projectPath, double atMs)
{
    auto store = twin::ProjectStore::open(projectPath.toStdString(), twin::OpenMode::ReadOnly);
    if (!store) {
        m_error = QString::fromStdString(store.error().toString());
        return false;
    }
    const auto at = atMs < 0 ? std::numeric_limits<std::int64_t>::max()
                             : static_cast<std::int64_t>(atMs);
    auto historian = m_shared.historian(*store);
    if (!historian) {
        m_error = QString::fromStdString(historian.error().toString());
        return false;
    }
    auto samples = (*historian)->latestSamples(at);
    if (!samples) {
        m_error = QString::fromStdString(samples.error().toString());
        return false;
    }
    std::unordered_map<std::string, double> values;
    std::int64_t latest = std::numeric_limits<std::int64_t>::min();
    for (auto& s : *samples) {
        latest = std::max(latest, s.time);
        values.emplace(std::move(s.point), s.value);
    }
    m_error.clear();
    const QString label =
        samples->empty()
            ? QStringLiteral("no historian data in this project")
            : QStringLiteral("historian at ") +
                  QDateTime::fromMSecsSinceEpoch(latest, Qt::UTC)
                      .toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'"));
    setValues(std::move(values), label);
    return true;
}

QString BuildingScene::metric() const
{
    return QString::fromUtf8(metricName(m_metric).data(),
                             static_cast<qsizetype>(metricName(m_metric).size()));
}

void BuildingScene::setMetric(const QString& metric)
{
    const auto parsed = parseMetric(metric.toStdString());
    if (!parsed || *parsed == m_metric)
        return;
    m_metric = *parsed;
    recolour();
    Q_EMIT metricChanged();
    Q_EMIT selectionChanged();
    rebuildRooms();
    rebuildMarkers();
}

QString BuildingScene::metricLabel() const
{
    const auto label = twindesk::app::metricLabel(m_metric);
    return QString::fromUtf8(label.data(), static_cast<qsizetype>(label.size()));
}

QVariantList BuildingScene::legend() const
{
    QVariantList out;
    for (const auto& stop : metricScale(m_metric))
        out.push_back(QVariantMap{
            {QStringLiteral("colour"), QColor(stop.colour.r, stop.colour.g, stop.colour.b)},
            {QStringLiteral("label"), QString::fromStdString(stop.label)}});
    out.push_back(QVariantMap{
        {QStringLiteral("colour"), QColor(kNoDataColour.r, kNoDataColour.g, kNoDataColour.b)},
        {QStringLiteral("label"), QStringLiteral("no data")}});
    return out;
}

QStringList BuildingScene::metrics()
{
    return {QStringLiteral("temperature"), QStringLiteral("co2"), QStringLiteral("occupancy"),
            QStringLiteral("power"), QStringLiteral("cpu")};
}

QStringList BuildingScene::floorNames() const
{
    QStringList out;
    if (m_layout)
        for (const auto& f : m_layout->floors())
            out.push_back(QString::fromStdString(f.name));
    return out;
}

int BuildingScene::roomCount() const
{
    return m_layout ? static_cast<int>(m_layout->rooms().size()) : 0;
}

int BuildingScene::markerCount() const
{
    return m_layout ? static_cast<int>(m_layout->markers().size()) : 0;
}

double BuildingScene::extent() const
{
    if (!m_layout)
        return 10;
    const auto floors = static_cast<int>(m_layout->floors().size());
    const double h = m_layout->floorBase(floors, m_explode);
    return 0.5 * std::sqrt(m_layout->width() * m_layout->width() +
                           m_layout->depth() * m_layout->depth() + h * h);
}

void BuildingScene::setExplode(double explode)
{
    explode = std::clamp(explode, 0.0, 3.0);
    if (explode == m_explode)
        return;
    m_explode = explode;
    Q_EMIT viewChanged();
    rebuild();
}

void BuildingScene::setIsolatedFloor(int floor)
{
    if (!m_layout || floor < -1 || floor >= static_cast<int>(m_layout->floors().size()))
        floor = -1;
    if (floor == m_isolatedFloor)
        return;
    m_isolatedFloor = floor;
    Q_EMIT viewChanged();
    rebuild();
}

QVector3D BuildingScene::centre() const
{
    if (!m_layout || m_layout->floors().empty())
        return {};
    if (m_isolatedFloor >= 0) {
        const double base = m_layout->floorBase(m_isolatedFloor, m_explode);
        return QVector3D(0, static_cast<float>(base + m_layout->roomHeight(m_isolatedFloor) / 2),
                         0);
    }
    const auto floors = static_cast<int>(m_layout->floors().size());
    return QVector3D(0, static_cast<float>(m_layout->floorBase(floors, m_explode) / 2), 0);
}

void BuildingScene::setSelectedEntity(int entity)
{
    if (entity == m_selected)
        return;
    m_selected = entity;
    Q_EMIT selectionChanged();
    rebuildSelection();
    rebuildSlabs(); // a selected floor is highlighted
}

QString BuildingScene::selectionText() const
{
    if (!m_graph || m_selected < 0 || static_cast<std::size_t>(m_selected) >= m_graph->entityCount())
        return {};
    const auto d = describe(m_selected);
    return d.value(QStringLiteral("name")).toString() + QStringLiteral(" · ") +
           d.value(QStringLiteral("value")).toString();
}

int BuildingScene::roomsWithData() const
{
    return static_cast<int>(std::count_if(m_roomValues.begin(), m_roomValues.end(),
                                          [](double v) { return std::isfinite(v); }));
}

double BuildingScene::roomValue(int room) const
{
    if (room < 0 || static_cast<std::size_t>(room) >= m_roomValues.size())
        return kNaN;
    return m_roomValues[static_cast<std::size_t>(room)];
}

int BuildingScene::pick(const QVector3D& origin, const QVector3D& direction) const
{
    if (!m_layout)
        return -1;
    const int room = m_layout->pick({origin.x(), origin.y(), origin.z()},
                                    {direction.x(), direction.y(), direction.z()}, m_explode,
                                    m_isolatedFloor);
    return room < 0 ? -1
                    : static_cast<int>(m_layout->rooms()[static_cast<std::size_t>(room)].entity);
}

QVariantMap BuildingScene::describe(int entity) const
{
    if (!m_graph || !m_layout || entity < 0 ||
        static_cast<std::size_t>(entity) >= m_graph->entityCount())
        return {};
    const auto index = static_cast<twin::EntityIndex>(entity);
    const auto& e = m_graph->entity(index);
    QString value;
    for (const auto& m : m_layout->markers())
        if (m.entity == index && m.host)
            value = formatValue(Metric::HostCpu, m_layout->hostCpu(m, m_values)) +
                    QStringLiteral(" CPU");
    for (const auto& f : m_layout->floors())
        if (f.entity == index && e.kind == twin::EntityKind::Floor)
            value = QString::number(f.roomCount) + QStringLiteral(" rooms");
    if (value.isEmpty())
        value = formatValue(m_metric, roomValue(m_layout->roomOf(index)));
    const auto kind = twin::entityKindName(e.kind);
    return {{QStringLiteral("name"), QString::fromStdString(e.name)},
            {QStringLiteral("kind"),
             QString::fromUtf8(kind.data(), static_cast<qsizetype>(kind.size()))},
            {QStringLiteral("value"), value}};
}

int BuildingScene::vertexCount(Part part) const
{
    return static_cast<int>(m_buffers[part].size() / kStride);
}

bool BuildingScene::floorShown(int floor) const
{
    return m_isolatedFloor < 0 || floor == m_isolatedFloor;
}

void BuildingScene::recolour()
{
    m_roomValues = m_layout ? m_layout->metricValues(m_metric, m_values) : std::vector<double>{};
    Q_EMIT coloursChanged();
}

void BuildingScene::rebuild()
{
    rebuildRooms();
    rebuildSlabs();
    rebuildMarkers();
    rebuildSelection();
}

void BuildingScene::rebuildRooms()
{
    VertexWriter w(m_buffers[Rooms]);
    if (m_layout) {
        const double ox = m_layout->width() / 2;
        const double oz = m_layout->depth() / 2;
        const auto& rooms = m_layout->rooms();
        std::vector<Vec2> plan;
        for (std::size_t r = 0; r < rooms.size(); ++r) {
            const auto& room = rooms[r];
            if (!floorShown(room.floor))
                continue;
            plan.clear();
            for (const auto& v : room.footprint)
                plan.push_back({v.x - ox, v.y - oz});
            const double base = m_layout->floorBase(room.floor, m_explode);
            w.prism(plan, base, base + m_layout->roomHeight(room.floor),
                    colourFor(m_metric, roomValue(static_cast<int>(r))));
        }
    }
    m_min[Rooms] = w.min();
    m_max[Rooms] = w.max();
    Q_EMIT geometryChanged(Rooms);
}

void BuildingScene::rebuildSlabs()
{
    VertexWriter w(m_buffers[Slabs]);
    if (m_layout) {
        const double hx = m_layout->width() / 2 + 0.5;
        const double hz = m_layout->depth() / 2 + 0.5;
        const auto& floors = m_layout->floors();
        for (std::size_t f = 0; f < floors.size(); ++f) {
            if (!floorShown(static_cast<int>(f)))
                continue;
            const double base = m_layout->floorBase(static_cast<int>(f), m_explode);
            const bool selected = m_selected >= 0 && floors[f].entity ==
                                                         static_cast<twin::EntityIndex>(m_selected);
            w.prism({{-hx, -hz}, {hx, -hz}, {hx, hz}, {-hx, hz}}, base - kSlabThickness, base,
                    selected ? kSelectedFloorColour : kSlabColour);
        }
    }
    m_min[Slabs] = w.min();
    m_max[Slabs] = w.max();
    Q_EMIT geometryChanged(Slabs);
}

void BuildingScene::rebuildMarkers()
{
    VertexWriter w(m_buffers[Markers]);
    if (m_layout) {
        const double ox = m_layout->width() / 2;
        const double oz = m_layout->depth() / 2;
        for (const auto& m : m_layout->markers()) {
            if (!floorShown(m.floor))
                continue;
            double base = m_layout->floorBase(m.floor, m_explode);
            if (m.room < 0)
                base += m_layout->roomHeight(m.floor); // on the roof
            else
                base += m_layout->roomHeight(m.floor) + 0.05; // on the room's top
            if (m.host) {
                const Rgb c = m_metric == Metric::HostCpu
                                  ? colourFor(Metric::HostCpu, m_layout->hostCpu(m, m_values))
                                  : kHostColour;
                w.box(m.position.x - ox, m.position.y - oz, 0.22, base, base + 0.9, c);
            } else {
                w.box(m.position.x - ox, m.position.y - oz, 0.2, base, base + 0.4,
                      kEquipmentColour);
            }
        }
    }
    m_min[Markers] = w.min();
    m_max[Markers] = w.max();
    Q_EMIT geometryChanged(Markers);
}

void BuildingScene::rebuildSelection()
{
    VertexWriter pin(m_buffers[Selection]);
    VertexWriter outline(m_buffers[Outline]);
    if (m_layout && m_selected >= 0) {
        const auto index = static_cast<twin::EntityIndex>(m_selected);
        const double ox = m_layout->width() / 2;
        const double oz = m_layout->depth() / 2;
        const int room = m_layout->roomOf(index);
        if (room >= 0) {
            const auto& r = m_layout->rooms()[static_cast<std::size_t>(room)];
            if (floorShown(r.floor)) {
                const double base = m_layout->floorBase(r.floor, m_explode);
                const double top = base + m_layout->roomHeight(r.floor);
                Vec2 at{r.centre.x - ox, r.centre.y - oz};
                for (const auto& m : m_layout->markers())
                    if (m.entity == index)
                        at = {m.position.x - ox, m.position.y - oz};
                // An inverted pyramid floating over the whole stack (the room may be under
                // other floors), on a line down to the room.
                const auto floors = static_cast<int>(m_layout->floors().size());
                const double stackTop = m_isolatedFloor >= 0 ? top : m_layout->floorBase(floors, m_explode);
                const double s = std::max(0.8, 0.025 * extent());
                const double y0 = stackTop + 1.0;
                const double y1 = y0 + 2.5 * s;
                outline.line(at.x, top, at.y, at.x, y0, at.y, kSelectionColour);
                const std::array<Vec2, 4> corners{
                    {{at.x - s, at.y - s}, {at.x + s, at.y - s}, {at.x + s, at.y + s}, {at.x - s, at.y + s}}};
                for (std::size_t i = 0; i < 4; ++i) {
                    const auto& a = corners[i];
                    const auto& b = corners[(i + 1) % 4];
                    const double shade = 0.7 + 0.1 * static_cast<double>(i);
                    pin.vertex(at.x, y0, at.y, kSelectionColour, shade);
                    pin.vertex(a.x, y1, a.y, kSelectionColour, shade);
                    pin.vertex(b.x, y1, b.y, kSelectionColour, shade);
                }
                pin.vertex(corners[0].x, y1, corners[0].y, kSelectionColour, 1.0);
                pin.vertex(corners[1].x, y1, corners[1].y, kSelectionColour, 1.0);
                pin.vertex(corners[2].x, y1, corners[2].y, kSelectionColour, 1.0);
                pin.vertex(corners[0].x, y1, corners[0].y, kSelectionColour, 1.0);
                pin.vertex(corners[2].x, y1, corners[2].y, kSelectionColour, 1.0);
                pin.vertex(corners[3].x, y1, corners[3].y, kSelectionColour, 1.0);
                // The room's edges.
                const auto& p = r.footprint;
                for (std::size_t i = 0; i < p.size(); ++i) {
                    const auto& a = p[i];
                    const auto& b = p[(i + 1) % p.size()];
                    for (const double y : {base + 0.02, top + 0.02})
                        outline.line(a.x - ox, y, a.y - oz, b.x - ox, y, b.y - oz,
                                     kSelectionColour);
                    outline.line(a.x - ox, base, a.y - oz, a.x - ox, top + 0.02, a.y - oz,
                                 kSelectionColour);
                }
            }
        }
    }
    m_min[Selection] = pin.min();
    m_max[Selection] = pin.max();
    m_min[Outline] = outline.min();
    m_max[Outline] = outline.max();
    Q_EMIT geometryChanged(Selection);
    Q_EMIT geometryChanged(Outline);
}

} // namespace twindesk::app
