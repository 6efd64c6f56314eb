#pragma once
/// \file entity.h
/// The twin's vocabulary: entity kinds, equipment/point/zone sub-types and the Entity record.
///
/// An Entity is plain data. Its `id` is a stable string: the IRI for entities imported from
/// Brick, a `urn:twindesk:...` IRI for entities created in TwinDesk. The Brick classes an
/// entity was declared with are kept verbatim in `classes`, so nothing the importer did not
/// understand is lost.

#include <twindesk/twin/units.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace twindesk::twin {

/// What an entity is, at the level the simulator and the console care about.
enum class EntityKind : std::uint8_t {
    Site,
    Building,
    Floor,
    Room,      ///< a Brick Space/Room: has area, volume and a use
    Zone,      ///< an HVAC (or lighting) zone: a group of rooms served together
    Equipment, ///< see EquipmentType
    Point,     ///< see PointType
    Workload,  ///< a virtual machine or container running on a compute host
    Other,     ///< typed with a class TwinDesk does not map, or not typed at all
    /// A software service people use (a room's conferencing service, a demo backend): it
    /// runsOn a workload, and rooms use it (Relation::Uses). See docs/runtimes.md.
    Service,
};

enum class EquipmentType : std::uint8_t {
    None,
    Ahu,
    Vav,
    Fcu,
    Crac,
    Chiller,
    Boiler,
    Fan,
    Pump,
    Lighting,
    AudioVisual,
    Meter,
    SensorDevice,
    Rack,
    ComputeHost,
    Network,
    Other,
};

/// The runtime a workload runs in. Each kind's start-up latency, overheads, isolation class and
/// cost are in runtime_profile.h (defaults documented in docs/runtimes.md).
enum class WorkloadType : std::uint8_t {
    None,
    VirtualMachine,     ///< a full VM (KVM / KubeVirt style)
    Container,          ///< a container (a pod on Kubernetes)
    MicroVm,            ///< a microVM (Firecracker style)
    WasmModule,         ///< a WebAssembly module (a Wasm runtime on the host)
    SandboxedContainer, ///< a container in a sandbox (gVisor / Kata style)
};

enum class PointType : std::uint8_t {
    None,
    Sensor,
    Setpoint,
    Command,
    StatusPoint,
    Alarm,
    Parameter,
    Other
};

/// What a room or zone is used for; drives default schedules and internal gains.
enum class ZoneUse : std::uint8_t {
    Unknown,
    Office,
    Conference,
    ServerRoom,
    Corridor,
    Restroom,
    Kitchen,
    Storage,
    Lobby,
    Plant,
    Other,
};

/// Brick class families an entity belongs to, computed once at import from the ontology's
/// subclass/equivalent-class closure (see BrickOntology). Stored as bits in
/// Entity::categories so that `twindesk info` can count with Brick semantics without reloading
/// the ontology.
inline constexpr std::uint32_t kCatBuilding = 1U << 0;
inline constexpr std::uint32_t kCatFloor = 1U << 1;
inline constexpr std::uint32_t kCatSpace = 1U << 2; ///< brick:Space and subclasses ("rooms")
inline constexpr std::uint32_t kCatHvacZone = 1U << 3;
inline constexpr std::uint32_t kCatAhu = 1U << 4;
inline constexpr std::uint32_t kCatVav = 1U << 5;
inline constexpr std::uint32_t kCatEquipment = 1U << 6;
inline constexpr std::uint32_t kCatPoint = 1U << 7;
inline constexpr std::uint32_t kCatSensor = 1U << 8;
inline constexpr std::uint32_t kCatSetpoint = 1U << 9;
inline constexpr std::uint32_t kCatCommand = 1U << 10;
inline constexpr std::uint32_t kCatComputeHost = 1U << 11;
inline constexpr std::uint32_t kCatVm = 1U << 12; ///< td:Workload and subclasses
/// Typed, but no type is known to the ontology.
inline constexpr std::uint32_t kCatUnknownTyped = 1U << 13;
inline constexpr std::uint32_t kCatSite = 1U << 14;
inline constexpr std::uint32_t kCatStatus = 1U << 15;

/// A point's measurement semantics. `unit` is a symbol from units.h; `unitExplicit` says
/// whether the source model stated it (true) or TwinDesk chose the quantity's default (false).
struct PointInfo
{
    PointType type = PointType::None;
    Quantity quantity = Quantity::Unknown;
    std::string unit;
    bool unitExplicit = false;
    std::string timeseriesId; ///< external id (brick:hasTimeseriesId, BACnet ref), may be empty
};

/// A free-form attribute (Brick entity property, td: datatype property, ...). `value` keeps
/// the literal text; `unit` is a units.h symbol when one was stated.
struct Attribute
{
    std::string key;
    std::string value;
    std::string unit;
    bool operator==(const Attribute&) const = default;
};

struct Entity
{
    std::string id;   ///< stable id: IRI for Brick entities
    std::string name; ///< display name (rdfs:label, else the IRI's local name)
    EntityKind kind = EntityKind::Other;
    EquipmentType equipmentType = EquipmentType::None;
    WorkloadType workloadType = WorkloadType::None;
    ZoneUse use = ZoneUse::Unknown;
    std::uint32_t categories = 0;      ///< kCat* bits
    std::vector<std::string> classes;  ///< declared rdf:type IRIs, sorted, verbatim
    std::optional<PointInfo> point;    ///< set for kind == Point
    std::vector<Attribute> attributes; ///< sorted by key

    /// Attribute value by key, or nullptr.
    [[nodiscard]] const Attribute* attribute(std::string_view key) const;
    /// Numeric attribute (area_m2, volume_m3, cores, ...) or std::nullopt if absent/not a number.
    [[nodiscard]] std::optional<double> number(std::string_view key) const;
    /// Set or replace an attribute, keeping the list sorted.
    void setAttribute(std::string key, std::string value, std::string unit = {});
};

std::string_view entityKindName(EntityKind kind);
std::string_view equipmentTypeName(EquipmentType type);
std::string_view workloadTypeName(WorkloadType type);
std::string_view pointTypeName(PointType type);
std::string_view zoneUseName(ZoneUse use);

/// Inverse of the *Name functions; unknown text gives std::nullopt.
std::optional<EntityKind> parseEntityKind(std::string_view text);
std::optional<EquipmentType> parseEquipmentType(std::string_view text);
std::optional<WorkloadType> parseWorkloadType(std::string_view text);
std::optional<PointType> parsePointType(std::string_view text);
std::optional<ZoneUse> parseZoneUse(std::string_view text);

/// The part of an IRI after the last '#' or '/', e.g. "Zone_Air_Temperature_Sensor".
std::string_view localName(std::string_view iri);

} // namespace twindesk::twin
