#pragma once
/// \file building_layout.h
/// The geometry of the console's 3D building view (issue #8 §2), computed from the twin
/// alone and free of Qt: floors as stacked slabs, rooms as footprints extruded to the floor
/// height, equipment and compute hosts as markers in the rooms they are located in.
///
/// Footprints come from the model where it has them (a room attribute `footprint`: "x y, x y,
/// ..." in metres, a simple polygon); otherwise every floor's rooms are laid out by area with
/// a squarified treemap (Bruls, Huizing, van Wijk 2000) in a rectangle shared by all floors, so
/// stacked floors line up. Rooms without an area get the floor's median (or 20 m²).
///
/// A metric (temperature, CO2, occupancy, power, host CPU) picks each room's points; given the
/// latest values by point IRI, `metricValues` returns one value per room and `colourFor` maps
/// it through the metric's fixed scale, whose stops the legend shows.
#include <twindesk/twin/twin_graph.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace twindesk::app {

struct Vec2
{
    double x = 0;
    double y = 0;
};

struct LayoutFloor
{
    twin::EntityIndex entity = 0; ///< the floor (or the building when it has no floors)
    std::string name;
    double height = 3.5;          ///< storey height, m
    int firstRoom = 0;            ///< rooms [firstRoom, firstRoom + roomCount) of rooms()
    int roomCount = 0;
};

struct LayoutRoom
{
    twin::EntityIndex entity = 0;
    int floor = 0;                 ///< index into floors()
    std::vector<Vec2> footprint;   ///< counter-clockwise, metres, in the floor plane
    bool fromModel = false;        ///< footprint read from the model (else laid out by area)
    double area = 0;               ///< m², as used by the layout
    Vec2 centre;                   ///< centroid of the footprint
};

struct LayoutMarker
{
    twin::EntityIndex entity = 0;
    int room = -1;   ///< index into rooms(), -1: on the roof of the top floor
    int floor = 0;
    Vec2 position;   ///< in the floor plane
    bool host = false; ///< a compute host (coloured by CPU), else equipment
};

enum class Metric : std::uint8_t { Temperature, Co2, Occupancy, Power, HostCpu };

/// "temperature", "co2", "occupancy", "power", "cpu" (std::nullopt for anything else).
std::optional<Metric> parseMetric(std::string_view name);
std::string_view metricName(Metric metric);
/// Label with the unit for the legend ("Zone air temperature (°C)").
std::string_view metricLabel(Metric metric);

struct Rgb
{
    std::uint8_t r = 0;
    std::uint8_t g = 0;
    std::uint8_t b = 0;
    bool operator==(const Rgb&) const = default;
};

/// One stop of a metric's colour scale; the legend shows the stops, rooms take the colour of
/// the band their value falls in (banded, so a legend colour is exactly a room colour).
struct ScaleStop
{
    double from = 0; ///< band lower bound (the first band is open below)
    Rgb colour;
    std::string label;
};
const std::vector<ScaleStop>& metricScale(Metric metric);
/// The colour rooms without a value (no point of that metric, or no sample yet) are drawn in.
inline constexpr Rgb kNoDataColour{0xb8, 0xbc, 0xc2};
Rgb colourFor(Metric metric, double value);

class BuildingLayout
{
public:
    /// Lays out `graph` (which must outlive the layout).
    explicit BuildingLayout(const twin::TwinGraph& graph);

    [[nodiscard]] const std::vector<LayoutFloor>& floors() const { return m_floors; }
    [[nodiscard]] const std::vector<LayoutRoom>& rooms() const { return m_rooms; }
    [[nodiscard]] const std::vector<LayoutMarker>& markers() const { return m_markers; }
    /// The shared floor rectangle: [0, width] × [0, depth].
    [[nodiscard]] double width() const { return m_width; }
    [[nodiscard]] double depth() const { return m_depth; }

    /// The room an entity is drawn as or in (itself, or the room it is located in), or -1.
    [[nodiscard]] int roomOf(twin::EntityIndex entity) const;

    /// One value per room (NaN: no data) for `metric` from `values` (point IRI → value, NaN for
    /// a bad sample): the room's sensor (or its equipment's) for temperature, CO2 and
    /// occupancy; the sum for power (kW); the mean of its hosts for host CPU (%).
    [[nodiscard]] std::vector<double>
    metricValues(Metric metric, const std::unordered_map<std::string, double>& values) const;
    /// The value of one host marker's CPU (%) from `values`, NaN without one.
    [[nodiscard]] double hostCpu(const LayoutMarker& marker,
                                 const std::unordered_map<std::string, double>& values) const;
    /// The points a metric reads for a room (for tests and the property panel).
    [[nodiscard]] std::vector<twin::EntityIndex> metricPoints(Metric metric, int room) const;

    /// Vertical placement: the base height of floor `floor` with the stack exploded by
    /// `explode` (0: stacked, 1: one storey of air between floors).
    [[nodiscard]] double floorBase(int floor, double explode) const;
    /// How tall rooms are drawn on a floor (most of the storey; the rest shows the slab).
    [[nodiscard]] double roomHeight(int floor) const;

    /// The room a ray hits first (origin, direction; y is up), among the floors drawn
    /// (`isolatedFloor` ≥ 0: only that one), or -1.
    [[nodiscard]] int pick(const std::array<double, 3>& origin,
                           const std::array<double, 3>& direction, double explode,
                           int isolatedFloor) const;

private:
    void collectFloors();
    void layoutFloor(LayoutFloor& floor, std::vector<twin::EntityIndex> rooms);
    void placeMarkers();

    const twin::TwinGraph& m_graph;
    std::vector<LayoutFloor> m_floors;
    std::vector<LayoutRoom> m_rooms;
    std::vector<LayoutMarker> m_markers;
    std::unordered_map<twin::EntityIndex, int> m_roomByEntity;
    double m_width = 0;
    double m_depth = 0;
};

/// Parses a footprint attribute ("x y, x y, ..." metres, at least three vertices); the
/// polygon is returned counter-clockwise. std::nullopt when malformed.
std::optional<std::vector<Vec2>> parseFootprint(std::string_view text);
/// Triangulates a simple polygon (ear clipping), counter-clockwise input; index triples.
std::vector<std::array<int, 3>> triangulate(const std::vector<Vec2>& polygon);

} // namespace twindesk::app
