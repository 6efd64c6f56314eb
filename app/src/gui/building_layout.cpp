#include "building_layout.h"

#include <twindesk/twin/units.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <numeric>

namespace twindesk::app {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kDefaultRoomArea = 20.0; // m², a room without an area (or a median)
constexpr double kRoomHeightShare = 0.88; // the rest of the storey shows the slab

bool classHas(const twin::Entity& e, std::string_view part)
{
    return std::any_of(e.classes.begin(), e.classes.end(), [part](const std::string& c) {
        return twin::localName(c).find(part) != std::string_view::npos;
    });
}

double signedArea(const std::vector<Vec2>& p)
{
    double a = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
        const auto& u = p[i];
        const auto& v = p[(i + 1) % p.size()];
        a += u.x * v.y - v.x * u.y;
    }
    return a / 2;
}

Vec2 centroid(const std::vector<Vec2>& p)
{
    const double a = signedArea(p);
    if (std::abs(a) < 1e-12) {
        Vec2 c;
        for (const auto& v : p) {
            c.x += v.x / static_cast<double>(p.size());
            c.y += v.y / static_cast<double>(p.size());
        }
        return c;
    }
    Vec2 c;
    for (std::size_t i = 0; i < p.size(); ++i) {
        const auto& u = p[i];
        const auto& v = p[(i + 1) % p.size()];
        const double cross = u.x * v.y - v.x * u.y;
        c.x += (u.x + v.x) * cross;
        c.y += (u.y + v.y) * cross;
    }
    c.x /= 6 * a;
    c.y /= 6 * a;
    return c;
}

bool insidePolygon(const std::vector<Vec2>& p, double x, double y)
{
    bool inside = false;
    for (std::size_t i = 0, j = p.size() - 1; i < p.size(); j = i++) {
        if ((p[i].y > y) != (p[j].y > y) &&
            x < (p[j].x - p[i].x) * (y - p[i].y) / (p[j].y - p[i].y) + p[i].x)
            inside = !inside;
    }
    return inside;
}

struct Rect
{
    double x, y, w, h;
};

/// Squarified treemap: `areas` (sorted descending, summing to r.w × r.h) into rectangles.
std::vector<Rect> squarify(const std::vector<double>& areas, Rect r)
{
    std::vector<Rect> out;
    out.reserve(areas.size());
    std::size_t i = 0;
    while (i < areas.size()) {
        const double side = std::min(r.w, r.h);
        auto worst = [side](double sum, double lo, double hi) {
            const double s2 = sum * sum;
            const double w2 = side * side;
            return std::max(w2 * hi / s2, s2 / (w2 * lo));
        };
        std::size_t end = i + 1;
        double sum = areas[i];
        double lo = areas[i];
        double hi = areas[i];
        while (end < areas.size()) {
            const double a = areas[end];
            if (worst(sum + a, std::min(lo, a), std::max(hi, a)) > worst(sum, lo, hi))
                break;
            sum += a;
            lo = std::min(lo, a);
            hi = std::max(hi, a);
            ++end;
        }
        if (r.w >= r.h) { // a column on the left
            const double colW = r.h > 0 ? sum / r.h : 0;
            double y = r.y;
            for (std::size_t k = i; k < end; ++k) {
                const double h = colW > 0 ? areas[k] / colW : 0;
                out.push_back({r.x, y, colW, h});
                y += h;
            }
            r.x += colW;
            r.w -= colW;
        } else { // a row at the bottom
            const double rowH = r.w > 0 ? sum / r.w : 0;
            double x = r.x;
            for (std::size_t k = i; k < end; ++k) {
                const double w = rowH > 0 ? areas[k] / rowH : 0;
                out.push_back({x, r.y, w, rowH});
                x += w;
            }
            r.y += rowH;
            r.h -= rowH;
        }
        r.w = std::max(r.w, 0.0);
        r.h = std::max(r.h, 0.0);
        i = end;
    }
    return out;
}

double convertOr(double value, const std::string& from, std::string_view to)
{
    if (from.empty())
        return value;
    auto v = twin::convert(value, from, to);
    return v ? *v : value;
}

double roomArea(const twin::Entity& e)
{
    for (const char* key : {"area", "area_m2", "floorArea"})
        if (auto a = e.number(key); a && *a > 0 && std::isfinite(*a))
            return *a;
    return 0;
}

} // namespace

std::optional<Metric> parseMetric(std::string_view name)
{
    if (name == "temperature")
        return Metric::Temperature;
    if (name == "co2")
        return Metric::Co2;
    if (name == "occupancy")
        return Metric::Occupancy;
    if (name == "power" || name == "energy")
        return Metric::Power;
    if (name == "cpu")
        return Metric::HostCpu;
    return std::nullopt;
}

std::string_view metricName(Metric metric)
{
    switch (metric) {
    case Metric::Temperature: return "temperature";
    case Metric::Co2: return "co2";
    case Metric::Occupancy: return "occupancy";
    case Metric::Power: return "power";
    case Metric::HostCpu: return "cpu";
    }
    return "temperature";
}

std::string_view metricLabel(Metric metric)
{
    switch (metric) {
    case Metric::Temperature: return "Zone air temperature (°C)";
    case Metric::Co2: return "CO₂ (ppm)";
    case Metric::Occupancy: return "Occupancy (people)";
    case Metric::Power: return "Electric power (kW)";
    case Metric::HostCpu: return "Host CPU (%)";
    }
    return "";
}

const std::vector<ScaleStop>& metricScale(Metric metric)
{
    // Banded ColorBrewer scales (RdYlBu, RdYlGn, Blues, YlOrRd): readable on the grey slabs and
    // distinct from the no-data grey.
    static const std::vector<ScaleStop> temperature{
        {-1e300, {0x31, 0x36, 0x95}, "< 17"}, {17, {0x45, 0x75, 0xb4}, "17–19"},
        {19, {0x74, 0xad, 0xd1}, "19–21"},    {21, {0x66, 0xbd, 0x63}, "21–23"},
        {23, {0xfe, 0xe0, 0x90}, "23–25"},    {25, {0xf4, 0x6d, 0x43}, "25–27"},
        {27, {0xa5, 0x00, 0x26}, "≥ 27"}};
    static const std::vector<ScaleStop> co2{
        {-1e300, {0x1a, 0x98, 0x50}, "< 600"}, {600, {0x91, 0xcf, 0x60}, "600–800"},
        {800, {0xd9, 0xef, 0x8b}, "800–1000"}, {1000, {0xfe, 0xe0, 0x8b}, "1000–1200"},
        {1200, {0xfc, 0x8d, 0x59}, "1200–1500"}, {1500, {0xd7, 0x30, 0x27}, "≥ 1500"}};
    static const std::vector<ScaleStop> occupancy{
        {-1e300, {0xde, 0xeb, 0xf7}, "0"}, {0.5, {0x9e, 0xca, 0xe1}, "1"},
        {1.5, {0x42, 0x92, 0xc6}, "2–3"},  {3.5, {0x21, 0x71, 0xb5}, "4–9"},
        {9.5, {0x08, 0x45, 0x94}, "≥ 10"}};
    static const std::vector<ScaleStop> power{
        {-1e300, {0xff, 0xff, 0xb2}, "< 0.5"}, {0.5, {0xfe, 0xd9, 0x76}, "0.5–1"},
        {1, {0xfe, 0xb2, 0x4c}, "1–2"},        {2, {0xfd, 0x8d, 0x3c}, "2–5"},
        {5, {0xf0, 0x3b, 0x20}, "5–10"},       {10, {0xbd, 0x00, 0x26}, "≥ 10"}};
    static const std::vector<ScaleStop> cpu{
        {-1e300, {0xc7, 0xe9, 0xc0}, "< 20"}, {20, {0x74, 0xc4, 0x76}, "20–40"},
        {40, {0x31, 0xa3, 0x54}, "40–60"},    {60, {0xfd, 0x8d, 0x3c}, "60–80"},
        {80, {0xd7, 0x30, 0x1f}, "≥ 80"}};
    switch (metric) {
    case Metric::Temperature: return temperature;
    case Metric::Co2: return co2;
    case Metric::Occupancy: return occupancy;
    case Metric::Power: return power;
    case Metric::HostCpu: return cpu;
    }
    return temperature;
}

Rgb colourFor(Metric metric, double value)
{
    if (!std::isfinite(value))
        return kNoDataColour;
    const auto& scale = metricScale(metric);
    Rgb c = scale.front().colour;
    for (const auto& stop : scale)
        if (value >= stop.from)
            c = stop.colour;
    return c;
}

std::optional<std::vector<Vec2>> parseFootprint(std::string_view text)
{
    std::vector<Vec2> out;
    std::vector<double> numbers;
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c == ' ' || c == ',' || c == ';' || c == '\t' || c == '\n') {
            ++i;
            continue;
        }
        double v = 0;
        const auto [ptr, ec] = std::from_chars(text.data() + i, text.data() + text.size(), v);
        if (ec != std::errc() || !std::isfinite(v))
            return std::nullopt;
        numbers.push_back(v);
        i = static_cast<std::size_t>(ptr - text.data());
    }
    if (numbers.size() < 6 || numbers.size() % 2 != 0)
        return std::nullopt;
    for (std::size_t k = 0; k < numbers.size(); k += 2)
        out.push_back({numbers[k], numbers[k + 1]});
    if (out.size() > 3 && std::abs(out.front().x - out.back().x) < 1e-9 &&
        std::abs(out.front().y - out.back().y) < 1e-9)
        out.pop_back(); // closed ring
    const double a = signedArea(out);
    if (std::abs(a) < 1e-9)
        return std::nullopt;
    if (a < 0)
        std::reverse(out.begin(), out.end());
    return out;
}

std::vector<std::array<int, 3>> triangulate(const std::vector<Vec2>& polygon)
{
    std::vector<std::array<int, 3>> out;
    std::vector<int> idx(polygon.size());
    std::iota(idx.begin(), idx.end(), 0);
    auto cross = [&](int a, int b, int c) {
        const auto& p = polygon[static_cast<std::size_t>(a)];
        const auto& q = polygon[static_cast<std::size_t>(b)];
        const auto& r = polygon[static_cast<std::size_t>(c)];
        return (q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x);
    };
    auto inTriangle = [&](int a, int b, int c, int p) {
        return cross(a, b, p) >= 0 && cross(b, c, p) >= 0 && cross(c, a, p) >= 0;
    };
    std::size_t guard = 0;
    while (idx.size() > 3 && guard++ < polygon.size() * polygon.size()) {
        bool clipped = false;
        for (std::size_t i = 0; i < idx.size(); ++i) {
            const int a = idx[(i + idx.size() - 1) % idx.size()];
            const int b = idx[i];
            const int c = idx[(i + 1) % idx.size()];
            if (cross(a, b, c) <= 0)
                continue; // reflex
            bool ear = true;
            for (const int p : idx)
                if (p != a && p != b && p != c && inTriangle(a, b, c, p)) {
                    ear = false;
                    break;
                }
            if (!ear)
                continue;
            out.push_back({a, b, c});
            idx.erase(idx.begin() + static_cast<std::ptrdiff_t>(i));
            clipped = true;
            break;
        }
        if (!clipped)
            break; // degenerate: fan the rest
    }
    for (std::size_t i = 1; i + 1 < idx.size(); ++i)
        out.push_back({idx[0], idx[i], idx[i + 1]});
    return out;
}

BuildingLayout::BuildingLayout(const twin::TwinGraph& graph)
    : m_graph(graph)
{
    collectFloors();
    placeMarkers();
}

void BuildingLayout::collectFloors()
{
    using twin::EntityKind;
    auto floors = m_graph.entitiesOfKind(EntityKind::Floor);
    auto level = [&](twin::EntityIndex f) {
        for (const char* key : {"level", "storey", "floorNumber"})
            if (auto v = m_graph.entity(f).number(key))
                return *v;
        return std::numeric_limits<double>::quiet_NaN();
    };
    std::stable_sort(floors.begin(), floors.end(), [&](auto a, auto b) {
        const double la = level(a);
        const double lb = level(b);
        if (std::isfinite(la) && std::isfinite(lb) && la != lb)
            return la < lb;
        return m_graph.entity(a).name < m_graph.entity(b).name;
    });

    std::vector<bool> assigned(m_graph.entityCount(), false);
    // The rooms under a floor: through zones and other groupings, not into rooms.
    auto roomsUnder = [&](twin::EntityIndex floor, EntityKind kind) {
        std::vector<twin::EntityIndex> found;
        std::vector<twin::EntityIndex> stack{floor};
        std::vector<bool> seen(m_graph.entityCount(), false);
        seen[floor] = true;
        while (!stack.empty()) {
            const auto at = stack.back();
            stack.pop_back();
            for (const auto c : m_graph.children(at, twin::Containment::PartsAndLocations)) {
                if (seen[c])
                    continue;
                seen[c] = true;
                const auto k = m_graph.entity(c).kind;
                if (k == kind) {
                    if (!assigned[c]) {
                        found.push_back(c);
                        assigned[c] = true;
                    }
                } else if (k == EntityKind::Zone || k == EntityKind::Other) {
                    stack.push_back(c);
                }
            }
        }
        return found;
    };

    std::vector<std::vector<twin::EntityIndex>> floorRooms;
    for (const auto f : floors) {
        LayoutFloor floor;
        floor.entity = f;
        floor.name = m_graph.entity(f).name;
        if (auto h = m_graph.entity(f).number("height"); h && *h > 1 && *h < 20)
            floor.height = *h;
        auto rooms = roomsUnder(f, EntityKind::Room);
        if (rooms.empty())
            rooms = roomsUnder(f, EntityKind::Zone);
        m_floors.push_back(floor);
        floorRooms.push_back(std::move(rooms));
    }
    // Rooms on no floor: one more storey, named after the building if there is one.
    std::vector<twin::EntityIndex> loose;
    for (const auto r : m_graph.entitiesOfKind(EntityKind::Room))
        if (!assigned[r])
            loose.push_back(r);
    if (!loose.empty() || m_floors.empty()) {
        LayoutFloor floor;
        const auto buildings = m_graph.entitiesOfKind(EntityKind::Building);
        floor.entity = buildings.empty() ? (m_graph.entityCount() > 0 ? 0 : 0) : buildings.front();
        floor.name = m_floors.empty() && !buildings.empty()
                         ? m_graph.entity(buildings.front()).name
                         : std::string("Rooms on no floor");
        if (m_graph.entityCount() > 0 || !loose.empty()) {
            m_floors.push_back(floor);
            floorRooms.push_back(std::move(loose));
        }
    }

    // The shared rectangle: wide enough for the largest floor at an aspect of about 1.6.
    double largest = 0;
    for (const auto& rooms : floorRooms) {
        double total = 0;
        for (const auto r : rooms)
            if (!m_graph.entity(r).attribute("footprint"))
                total += roomArea(m_graph.entity(r)) > 0 ? roomArea(m_graph.entity(r))
                                                         : kDefaultRoomArea;
        largest = std::max(largest, total);
    }
    m_width = largest > 0 ? std::sqrt(largest * 1.6) : 10.0;
    m_depth = largest > 0 ? largest / m_width : 10.0 / 1.6;
    for (std::size_t i = 0; i < m_floors.size(); ++i)
        layoutFloor(m_floors[i], std::move(floorRooms[i]));
    for (std::size_t i = 0; i < m_rooms.size(); ++i)
        m_roomByEntity.emplace(m_rooms[i].entity, static_cast<int>(i));
}

void BuildingLayout::layoutFloor(LayoutFloor& floor, std::vector<twin::EntityIndex> rooms)
{
    floor.firstRoom = static_cast<int>(m_rooms.size());
    const int floorIndex = static_cast<int>(&floor - m_floors.data());
    std::vector<std::pair<twin::EntityIndex, double>> automatic;
    std::vector<double> known;
    for (const auto r : rooms)
        if (const double a = roomArea(m_graph.entity(r)); a > 0)
            known.push_back(a);
    std::sort(known.begin(), known.end());
    const double fallback = known.empty() ? kDefaultRoomArea : known[known.size() / 2];
    for (const auto r : rooms) {
        const auto& e = m_graph.entity(r);
        if (const auto* fp = e.attribute("footprint")) {
            if (auto poly = parseFootprint(fp->value)) {
                LayoutRoom room;
                room.entity = r;
                room.floor = floorIndex;
                room.area = std::abs(signedArea(*poly));
                room.footprint = std::move(*poly);
                room.fromModel = true;
                room.centre = centroid(room.footprint);
                for (const auto& v : room.footprint) {
                    m_width = std::max(m_width, v.x);
                    m_depth = std::max(m_depth, v.y);
                }
                m_rooms.push_back(std::move(room));
                continue;
            }
        }
        const double a = roomArea(e);
        automatic.emplace_back(r, a > 0 ? a : fallback);
    }
    // Largest first (the treemap's order); ties by name so the layout is stable.
    std::stable_sort(automatic.begin(), automatic.end(), [&](const auto& a, const auto& b) {
        if (a.second != b.second)
            return a.second > b.second;
        return m_graph.entity(a.first).name < m_graph.entity(b.first).name;
    });
    double total = 0;
    for (const auto& [r, a] : automatic)
        total += a;
    if (total > 0) {
        const double w = m_width;
        const double h = total / w;
        std::vector<double> areas;
        for (const auto& [r, a] : automatic)
            areas.push_back(a);
        const auto rects = squarify(areas, {0, 0, w, h});
        for (std::size_t i = 0; i < automatic.size(); ++i) {
            const auto& rc = rects[i];
            const double gap = std::min(0.3, 0.12 * std::min(rc.w, rc.h));
            LayoutRoom room;
            room.entity = automatic[i].first;
            room.floor = floorIndex;
            room.area = automatic[i].second;
            room.footprint = {{rc.x + gap, rc.y + gap},
                              {rc.x + rc.w - gap, rc.y + gap},
                              {rc.x + rc.w - gap, rc.y + rc.h - gap},
                              {rc.x + gap, rc.y + rc.h - gap}};
            room.centre = {rc.x + rc.w / 2, rc.y + rc.h / 2};
            m_rooms.push_back(std::move(room));
        }
    }
    floor.roomCount = static_cast<int>(m_rooms.size()) - floor.firstRoom;
}

void BuildingLayout::placeMarkers()
{
    using twin::EntityKind;
    std::unordered_map<int, std::vector<twin::EntityIndex>> byRoom;
    std::vector<twin::EntityIndex> roof;
    for (const auto e : m_graph.entitiesOfKind(EntityKind::Equipment)) {
        int room = -1;
        for (const auto a : m_graph.ancestors(e, twin::Containment::PartsAndLocations))
            if (auto it = m_roomByEntity.find(a); it != m_roomByEntity.end()) {
                room = it->second;
                break;
            }
        if (room >= 0)
            byRoom[room].push_back(e);
        else if (m_graph.ancestors(e, twin::Containment::PartsAndLocations).empty() ||
                 m_graph.entity(e).equipmentType != twin::EquipmentType::None)
            roof.push_back(e);
    }
    std::vector<int> rooms;
    for (const auto& [r, list] : byRoom)
        rooms.push_back(r);
    std::sort(rooms.begin(), rooms.end());
    for (const int r : rooms) {
        const auto& list = byRoom[r];
        const auto& room = m_rooms[static_cast<std::size_t>(r)];
        double minX = 1e300, minY = 1e300, maxX = -1e300, maxY = -1e300;
        for (const auto& v : room.footprint) {
            minX = std::min(minX, v.x);
            maxX = std::max(maxX, v.x);
            minY = std::min(minY, v.y);
            maxY = std::max(maxY, v.y);
        }
        const int n = static_cast<int>(list.size());
        const int cols = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n))));
        const int rowsN = (n + cols - 1) / cols;
        for (int i = 0; i < n; ++i) {
            LayoutMarker m;
            m.entity = list[static_cast<std::size_t>(i)];
            m.room = r;
            m.floor = room.floor;
            m.position = {minX + (maxX - minX) * (i % cols + 0.5) / cols,
                          minY + (maxY - minY) * (i / cols + 0.5) / rowsN};
            m.host = m_graph.entity(m.entity).equipmentType == twin::EquipmentType::ComputeHost;
            m_markers.push_back(m);
        }
    }
    const int top = static_cast<int>(m_floors.size()) - 1;
    for (std::size_t i = 0; i < roof.size(); ++i) {
        LayoutMarker m;
        m.entity = roof[i];
        m.floor = std::max(top, 0);
        m.position = {m_width * (static_cast<double>(i) + 0.5) / static_cast<double>(roof.size()),
                      m_depth / 2};
        m.host = m_graph.entity(m.entity).equipmentType == twin::EquipmentType::ComputeHost;
        m_markers.push_back(m);
    }
}

int BuildingLayout::roomOf(twin::EntityIndex entity) const
{
    if (auto it = m_roomByEntity.find(entity); it != m_roomByEntity.end())
        return it->second;
    if (entity >= m_graph.entityCount())
        return -1;
    for (const auto a : m_graph.ancestors(entity, twin::Containment::PartsAndLocations))
        if (auto it = m_roomByEntity.find(a); it != m_roomByEntity.end())
            return it->second;
    // A point: the room of the entity it belongs to.
    for (const auto owner : m_graph.incoming(entity, twin::Relation::HasPoint))
        if (const int r = roomOf(owner); r >= 0)
            return r;
    return -1;
}

std::vector<twin::EntityIndex> BuildingLayout::metricPoints(Metric metric, int room) const
{
    std::vector<twin::EntityIndex> candidates;
    const auto& r = m_rooms[static_cast<std::size_t>(room)];
    if (metric == Metric::HostCpu) {
        for (const auto& m : m_markers)
            if (m.room == room && m.host)
                for (const auto p : m_graph.pointsOf(m.entity))
                    if (classHas(m_graph.entity(p), "CPU"))
                        candidates.push_back(p);
        return candidates;
    }
    for (const auto p : m_graph.pointsOf(r.entity))
        candidates.push_back(p);
    for (const auto& m : m_markers)
        if (m.room == room && !m.host)
            for (const auto p : m_graph.pointsOf(m.entity))
                candidates.push_back(p);
    auto sensor = [&](twin::EntityIndex p) {
        const auto& e = m_graph.entity(p);
        return e.point && e.point->type == twin::PointType::Sensor;
    };
    std::vector<twin::EntityIndex> out;
    switch (metric) {
    case Metric::Temperature: {
        for (const auto p : candidates)
            if (sensor(p) && classHas(m_graph.entity(p), "Zone_Air_Temperature"))
                return {p};
        for (const auto p : candidates) {
            const auto& e = m_graph.entity(p);
            if (sensor(p) && e.point->quantity == twin::Quantity::Temperature &&
                classHas(e, "Air_Temperature") && !classHas(e, "Supply") &&
                !classHas(e, "Return") && !classHas(e, "Discharge") && !classHas(e, "Outside") &&
                !classHas(e, "Mixed"))
                return {p};
        }
        return {};
    }
    case Metric::Co2:
        for (const auto p : candidates)
            if (sensor(p) && m_graph.entity(p).point->quantity == twin::Quantity::Concentration &&
                classHas(m_graph.entity(p), "CO2"))
                return {p};
        return {};
    case Metric::Occupancy:
        for (const auto p : candidates)
            if (sensor(p) && classHas(m_graph.entity(p), "Occupancy_Count"))
                return {p};
        for (const auto p : candidates)
            if (sensor(p) && classHas(m_graph.entity(p), "Occupancy"))
                return {p};
        return {};
    case Metric::Power:
        for (const auto p : candidates)
            if (sensor(p) && m_graph.entity(p).point->quantity == twin::Quantity::Power)
                out.push_back(p);
        return out;
    case Metric::HostCpu: break;
    }
    return out;
}

std::vector<double>
BuildingLayout::metricValues(Metric metric,
                             const std::unordered_map<std::string, double>& values) const
{
    std::vector<double> out(m_rooms.size(), kNaN);
    for (std::size_t r = 0; r < m_rooms.size(); ++r) {
        const auto points = metricPoints(metric, static_cast<int>(r));
        double sum = 0;
        int n = 0;
        for (const auto p : points) {
            const auto& e = m_graph.entity(p);
            const auto it = values.find(e.id);
            if (it == values.end() || !std::isfinite(it->second))
                continue;
            const std::string& unit = e.point ? e.point->unit : std::string();
            double v = it->second;
            switch (metric) {
            case Metric::Temperature: v = convertOr(v, unit, "°C"); break;
            case Metric::Power: v = convertOr(v, unit, "kW"); break;
            case Metric::HostCpu: v = convertOr(v, unit, "%"); break;
            default: break;
            }
            sum += v;
            ++n;
        }
        if (n > 0)
            out[r] = metric == Metric::HostCpu ? sum / n : sum;
    }
    return out;
}

double BuildingLayout::hostCpu(const LayoutMarker& marker,
                               const std::unordered_map<std::string, double>& values) const
{
    for (const auto p : m_graph.pointsOf(marker.entity)) {
        const auto& e = m_graph.entity(p);
        if (!classHas(e, "CPU"))
            continue;
        const auto it = values.find(e.id);
        if (it != values.end() && std::isfinite(it->second))
            return convertOr(it->second, e.point ? e.point->unit : std::string(), "%");
    }
    return kNaN;
}

double BuildingLayout::floorBase(int floor, double explode) const
{
    double base = 0;
    for (int i = 0; i < floor && i < static_cast<int>(m_floors.size()); ++i)
        base += m_floors[static_cast<std::size_t>(i)].height * (1.0 + explode);
    return base;
}

double BuildingLayout::roomHeight(int floor) const
{
    return m_floors[static_cast<std::size_t>(floor)].height * kRoomHeightShare;
}

int BuildingLayout::pick(const std::array<double, 3>& origin,
                         const std::array<double, 3>& direction, double explode,
                         int isolatedFloor) const
{
    // World: X = x − width/2, Y up, Z = y − depth/2.
    const double ox = origin[0] + m_width / 2;
    const double oy = origin[1];
    const double oz = origin[2] + m_depth / 2;
    const double dx = direction[0];
    const double dy = direction[1];
    const double dz = direction[2];
    double bestT = std::numeric_limits<double>::infinity();
    int best = -1;
    for (std::size_t r = 0; r < m_rooms.size(); ++r) {
        const auto& room = m_rooms[r];
        if (isolatedFloor >= 0 && room.floor != isolatedFloor)
            continue;
        const double base = floorBase(room.floor, explode);
        const double top = base + roomHeight(room.floor);
        auto consider = [&](double t) {
            if (t > 1e-9 && t < bestT) {
                bestT = t;
                best = static_cast<int>(r);
            }
        };
        // Top and bottom caps.
        if (std::abs(dy) > 1e-12) {
            for (const double y : {top, base}) {
                const double t = (y - oy) / dy;
                if (t > 0 && insidePolygon(room.footprint, ox + t * dx, oz + t * dz))
                    consider(t);
            }
        }
        // Walls: the ray against each edge in the plan, then the height.
        const auto& p = room.footprint;
        for (std::size_t i = 0; i < p.size(); ++i) {
            const auto& a = p[i];
            const auto& b = p[(i + 1) % p.size()];
            const double ex = b.x - a.x;
            const double ez = b.y - a.y;
            const double den = dx * ez - dz * ex;
            if (std::abs(den) < 1e-12)
                continue;
            const double t = ((a.x - ox) * ez - (a.y - oz) * ex) / den;
            const double s = ((a.x - ox) * dz - (a.y - oz) * dx) / den;
            if (t <= 0 || s < 0 || s > 1)
                continue;
            const double y = oy + t * dy;
            if (y >= base && y <= top)
                consider(t);
        }
    }
    return best;
}

} // namespace twindesk::app
