#pragma once
/// \file model_stats.h
/// The counts `twindesk info` reports, computed from a TwinGraph with Brick semantics.
///
/// Class counts use the Brick category bits (kCat* in entity.h) stored on each entity at
/// import (an entity counts for class C when one of its types reaches C through
/// subclass/equivalent-class edges).
/// Relation counts are distinct (source, target) pairs with inverses folded forward.

#include <twindesk/twin/twin_graph.h>

#include <cstddef>

namespace twindesk::twin {

struct ModelCounts
{
    std::size_t triples = 0; ///< distinct triples of the source model file (0 if not imported)
    std::size_t entities = 0;
    std::size_t sites = 0;
    std::size_t buildings = 0;
    std::size_t floors = 0;
    std::size_t rooms = 0; ///< brick:Space and subclasses
    std::size_t zones = 0; ///< brick:HVAC_Zone and subclasses
    std::size_t ahus = 0;
    std::size_t vavs = 0;
    std::size_t equipment = 0;
    std::size_t points = 0;
    std::size_t sensors = 0;
    std::size_t setpoints = 0;
    std::size_t commands = 0;
    std::size_t computeHosts = 0;
    std::size_t vms = 0;
    std::size_t unknownTyped = 0;
    std::size_t hasPart = 0;
    std::size_t feeds = 0;
    std::size_t hasPoint = 0;
    std::size_t hasLocation = 0;
    std::size_t runsOn = 0;
};

ModelCounts countModel(const TwinGraph& graph, std::size_t sourceTriples);

} // namespace twindesk::twin
