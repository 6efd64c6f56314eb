#pragma once
/// \file relation.h
/// Typed relations between twin entities.
///
/// Only the forward direction is stored; each inverse (isPartOf, isFedBy, isPointOf,
/// isLocationOf, hosts, isUsedBy) is the same edge read backwards. Importers fold an inverse statement
/// into the forward edge, so `A isPartOf B` and `B hasPart A` are one relation.

#include <cstdint>
#include <optional>
#include <string_view>

namespace twindesk::twin {

enum class Relation : std::uint8_t {
    HasPart,     ///< source contains target (site → building → floor → room; AHU → fan)
    Feeds,       ///< source supplies target (AHU → VAV → zone; meter → equipment)
    HasPoint,    ///< entity → its point
    HasLocation, ///< equipment/point → the place it is in (inverse: isLocationOf)
    RunsOn,      ///< workload → compute host; service → workload (inverse: hosts)
    Uses,        ///< room → the service it uses, e.g. its conferencing service (isUsedBy)
};

inline constexpr int kRelationCount = 6;

std::string_view relationName(Relation relation);             ///< "hasPart", "feeds", ...
std::string_view inverseRelationName(Relation relation);      ///< "isPartOf", "isFedBy", ...
std::optional<Relation> parseRelation(std::string_view name); ///< forward names only

} // namespace twindesk::twin
