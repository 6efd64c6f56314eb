#include <twindesk/twin/entity.h>
#include <twindesk/twin/relation.h>
#include <twindesk/twin/result.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <utility>

namespace twindesk::twin {

namespace {

template <typename Enum, std::size_t N>
std::string_view nameOf(const std::array<std::pair<Enum, std::string_view>, N>& table, Enum value)
{
    for (const auto& [e, name] : table)
        if (e == value)
            return name;
    return "unknown";
}

template <typename Enum, std::size_t N>
std::optional<Enum> parseOf(const std::array<std::pair<Enum, std::string_view>, N>& table,
                            std::string_view text)
{
    for (const auto& [e, name] : table)
        if (name == text)
            return e;
    return std::nullopt;
}

constexpr std::array kKindNames{
    std::pair{EntityKind::Site, std::string_view{"site"}},
    std::pair{EntityKind::Building, std::string_view{"building"}},
    std::pair{EntityKind::Floor, std::string_view{"floor"}},
    std::pair{EntityKind::Room, std::string_view{"room"}},
    std::pair{EntityKind::Zone, std::string_view{"zone"}},
    std::pair{EntityKind::Equipment, std::string_view{"equipment"}},
    std::pair{EntityKind::Point, std::string_view{"point"}},
    std::pair{EntityKind::Workload, std::string_view{"workload"}},
    std::pair{EntityKind::Other, std::string_view{"other"}},
    std::pair{EntityKind::Service, std::string_view{"service"}},
};

constexpr std::array kEquipmentNames{
    std::pair{EquipmentType::None, std::string_view{"none"}},
    std::pair{EquipmentType::Ahu, std::string_view{"ahu"}},
    std::pair{EquipmentType::Vav, std::string_view{"vav"}},
    std::pair{EquipmentType::Fcu, std::string_view{"fcu"}},
    std::pair{EquipmentType::Crac, std::string_view{"crac"}},
    std::pair{EquipmentType::Chiller, std::string_view{"chiller"}},
    std::pair{EquipmentType::Boiler, std::string_view{"boiler"}},
    std::pair{EquipmentType::Fan, std::string_view{"fan"}},
    std::pair{EquipmentType::Pump, std::string_view{"pump"}},
    std::pair{EquipmentType::Lighting, std::string_view{"lighting"}},
    std::pair{EquipmentType::AudioVisual, std::string_view{"audio_visual"}},
    std::pair{EquipmentType::Meter, std::string_view{"meter"}},
    std::pair{EquipmentType::SensorDevice, std::string_view{"sensor_device"}},
    std::pair{EquipmentType::Rack, std::string_view{"rack"}},
    std::pair{EquipmentType::ComputeHost, std::string_view{"compute_host"}},
    std::pair{EquipmentType::Network, std::string_view{"network"}},
    std::pair{EquipmentType::Other, std::string_view{"other"}},
};

constexpr std::array kWorkloadNames{
    std::pair{WorkloadType::None, std::string_view{"none"}},
    std::pair{WorkloadType::VirtualMachine, std::string_view{"virtual_machine"}},
    std::pair{WorkloadType::Container, std::string_view{"container"}},
    std::pair{WorkloadType::MicroVm, std::string_view{"micro_vm"}},
    std::pair{WorkloadType::WasmModule, std::string_view{"wasm_module"}},
    std::pair{WorkloadType::SandboxedContainer, std::string_view{"sandboxed_container"}},
};

constexpr std::array kPointNames{
    std::pair{PointType::None, std::string_view{"none"}},
    std::pair{PointType::Sensor, std::string_view{"sensor"}},
    std::pair{PointType::Setpoint, std::string_view{"setpoint"}},
    std::pair{PointType::Command, std::string_view{"command"}},
    std::pair{PointType::StatusPoint, std::string_view{"status"}},
    std::pair{PointType::Alarm, std::string_view{"alarm"}},
    std::pair{PointType::Parameter, std::string_view{"parameter"}},
    std::pair{PointType::Other, std::string_view{"other"}},
};

constexpr std::array kUseNames{
    std::pair{ZoneUse::Unknown, std::string_view{"unknown"}},
    std::pair{ZoneUse::Office, std::string_view{"office"}},
    std::pair{ZoneUse::Conference, std::string_view{"conference"}},
    std::pair{ZoneUse::ServerRoom, std::string_view{"server_room"}},
    std::pair{ZoneUse::Corridor, std::string_view{"corridor"}},
    std::pair{ZoneUse::Restroom, std::string_view{"restroom"}},
    std::pair{ZoneUse::Kitchen, std::string_view{"kitchen"}},
    std::pair{ZoneUse::Storage, std::string_view{"storage"}},
    std::pair{ZoneUse::Lobby, std::string_view{"lobby"}},
    std::pair{ZoneUse::Plant, std::string_view{"plant"}},
    std::pair{ZoneUse::Other, std::string_view{"other"}},
};

constexpr std::array kRelationNames{
    std::pair{Relation::HasPart, std::string_view{"hasPart"}},
    std::pair{Relation::Feeds, std::string_view{"feeds"}},
    std::pair{Relation::HasPoint, std::string_view{"hasPoint"}},
    std::pair{Relation::HasLocation, std::string_view{"hasLocation"}},
    std::pair{Relation::RunsOn, std::string_view{"runsOn"}},
    std::pair{Relation::Uses, std::string_view{"uses"}},
};

constexpr std::array kInverseRelationNames{
    std::pair{Relation::HasPart, std::string_view{"isPartOf"}},
    std::pair{Relation::Feeds, std::string_view{"isFedBy"}},
    std::pair{Relation::HasPoint, std::string_view{"isPointOf"}},
    std::pair{Relation::HasLocation, std::string_view{"isLocationOf"}},
    std::pair{Relation::RunsOn, std::string_view{"hosts"}},
    std::pair{Relation::Uses, std::string_view{"isUsedBy"}},
};

} // namespace

const char* errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidArgument:
        return "invalid argument";
    case ErrorCode::NotFound:
        return "not found";
    case ErrorCode::ParseError:
        return "parse error";
    case ErrorCode::UnknownUnit:
        return "unknown unit";
    case ErrorCode::UnitMismatch:
        return "unit mismatch";
    case ErrorCode::DanglingRelation:
        return "dangling relation";
    case ErrorCode::IoError:
        return "I/O error";
    case ErrorCode::StorageError:
        return "storage error";
    case ErrorCode::CorruptFile:
        return "corrupt file";
    case ErrorCode::SchemaTooNew:
        return "schema too new";
    case ErrorCode::AlreadyExists:
        return "already exists";
    }
    return "error";
}

std::string_view entityKindName(EntityKind kind)
{
    return nameOf(kKindNames, kind);
}
std::string_view equipmentTypeName(EquipmentType type)
{
    return nameOf(kEquipmentNames, type);
}
std::string_view workloadTypeName(WorkloadType type)
{
    return nameOf(kWorkloadNames, type);
}
std::string_view pointTypeName(PointType type)
{
    return nameOf(kPointNames, type);
}
std::string_view zoneUseName(ZoneUse use)
{
    return nameOf(kUseNames, use);
}
std::string_view relationName(Relation relation)
{
    return nameOf(kRelationNames, relation);
}
std::string_view inverseRelationName(Relation relation)
{
    return nameOf(kInverseRelationNames, relation);
}

std::optional<EntityKind> parseEntityKind(std::string_view text)
{
    return parseOf(kKindNames, text);
}
std::optional<EquipmentType> parseEquipmentType(std::string_view text)
{
    return parseOf(kEquipmentNames, text);
}
std::optional<WorkloadType> parseWorkloadType(std::string_view text)
{
    return parseOf(kWorkloadNames, text);
}
std::optional<PointType> parsePointType(std::string_view text)
{
    return parseOf(kPointNames, text);
}
std::optional<ZoneUse> parseZoneUse(std::string_view text)
{
    return parseOf(kUseNames, text);
}
std::optional<Relation> parseRelation(std::string_view name)
{
    return parseOf(kRelationNames, name);
}

std::string_view localName(std::string_view iri)
{
    const auto pos = iri.find_last_of("#/:");
    return pos == std::string_view::npos ? iri : iri.substr(pos + 1);
}

const Attribute* Entity::attribute(std::string_view key) const
{
    const auto it =
        std::lower_bound(attributes.begin(), attributes.end(), key,
                         [](const Attribute& a, std::string_view k) { return a.key < k; });
    return (it != attributes.end() && it->key == key) ? &*it : nullptr;
}

std::optional<double> Entity::number(std::string_view key) const
{
    const auto* a = attribute(key);
    if (a == nullptr || a->value.empty())
        return std::nullopt;
    double value = 0.0;
    const auto* first = a->value.data();
    const auto* last = first + a->value.size();
    const auto [ptr, ec] = std::from_chars(first, last, value);
    if (ec != std::errc() || ptr != last || !std::isfinite(value))
        return std::nullopt;
    return value;
}

void Entity::setAttribute(std::string key, std::string value, std::string unit)
{
    const auto it =
        std::lower_bound(attributes.begin(), attributes.end(), key,
                         [](const Attribute& a, const std::string& k) { return a.key < k; });
    if (it != attributes.end() && it->key == key) {
        it->value = std::move(value);
        it->unit = std::move(unit);
        return;
    }
    attributes.insert(it, Attribute{std::move(key), std::move(value), std::move(unit)});
}

} // namespace twindesk::twin
