#pragma once
/// \file twin_graph.h
/// The twin model: entities and typed relations held in a Boost.Graph adjacency_list.
///
/// Ownership: TwinGraph owns its entities. Entity handles (EntityIndex) are dense indices,
/// valid until the graph is destroyed or moved-from; entities are never removed, so indices
/// stay stable while a graph lives (edits that remove things build a new graph).
/// Thread affinity: none; a const TwinGraph may be read from several threads at once.
/// Determinism: every query returns its results in a defined order (insertion order of
/// entities, or BFS order with ties broken by insertion order), never in hash order.

#include <twindesk/twin/entity.h>
#include <twindesk/twin/relation.h>
#include <twindesk/twin/result.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace twindesk::twin {

using EntityIndex = std::size_t;

/// One stored relation, by entity index.
struct RelationEdge
{
    EntityIndex source = 0;
    Relation relation = Relation::HasPart;
    EntityIndex target = 0;
    bool operator==(const RelationEdge&) const = default;
};

/// One hop on a path between two entities; `forward` is false when the edge was walked from
/// its target to its source (e.g. isPartOf instead of hasPart).
struct PathStep
{
    EntityIndex from = 0;
    Relation relation = Relation::HasPart;
    bool forward = true;
    EntityIndex to = 0;
};

/// Which containment relations count as "parent of" for children()/ancestors().
enum class Containment : std::uint8_t {
    PartsOnly,         ///< hasPart only
    PartsAndLocations, ///< hasPart, and hasLocation read as "is located in" (the tree view)
};

class TwinGraph
{
public:
    TwinGraph();
    ~TwinGraph();
    TwinGraph(TwinGraph&&) noexcept;
    TwinGraph& operator=(TwinGraph&&) noexcept;
    TwinGraph(const TwinGraph& other);
    TwinGraph& operator=(const TwinGraph& other);

    // --- building the model -------------------------------------------------------------

    /// Adds an entity; fails with InvalidArgument when the id is empty or already present.
    Result<EntityIndex> addEntity(Entity entity);
    /// Adds a relation between two existing entities. Unknown ids give DanglingRelation naming
    /// the missing end. Adding a relation that exists already is a no-op (relations are a set).
    Status addRelation(std::string_view sourceId, Relation relation, std::string_view targetId);
    Status addRelation(EntityIndex source, Relation relation, EntityIndex target);

    // --- access ---------------------------------------------------------------------------

    [[nodiscard]] std::size_t entityCount() const;
    [[nodiscard]] std::size_t relationCount() const;
    [[nodiscard]] std::size_t relationCount(Relation relation) const;
    [[nodiscard]] const Entity& entity(EntityIndex index) const;
    Entity& entity(EntityIndex index);
    /// Index of the entity with this id, or std::nullopt.
    [[nodiscard]] std::optional<EntityIndex> find(std::string_view id) const;
    /// Every relation, in insertion order.
    [[nodiscard]] std::vector<RelationEdge> relations() const;
    [[nodiscard]] bool hasRelation(EntityIndex source, Relation relation, EntityIndex target) const;

    // --- queries --------------------------------------------------------------------------

    /// Targets of `relation` edges leaving `index` (e.g. HasPoint → its points).
    [[nodiscard]] std::vector<EntityIndex> outgoing(EntityIndex index, Relation relation) const;
    /// Sources of `relation` edges arriving at `index` (e.g. Feeds → what feeds it).
    [[nodiscard]] std::vector<EntityIndex> incoming(EntityIndex index, Relation relation) const;
    /// Direct children: hasPart targets, plus (PartsAndLocations) entities located in it.
    [[nodiscard]] std::vector<EntityIndex>
    children(EntityIndex index, Containment containment = Containment::PartsOnly) const;
    /// Transitive parents, nearest first (a VAV in room R → R, floor, building, site).
    [[nodiscard]] std::vector<EntityIndex>
    ancestors(EntityIndex index, Containment containment = Containment::PartsAndLocations) const;
    /// Rooms and zones an AHU (or any entity) feeds, transitively through VAVs/terminal units;
    /// rooms that are parts of a fed HVAC zone count as fed. Breadth-first order.
    [[nodiscard]] std::vector<EntityIndex> zonesFedBy(EntityIndex index) const;
    /// The entity's points (hasPoint targets).
    [[nodiscard]] std::vector<EntityIndex> pointsOf(EntityIndex index) const;
    /// All entities of a kind, in insertion order.
    [[nodiscard]] std::vector<EntityIndex> entitiesOfKind(EntityKind kind) const;
    [[nodiscard]] std::vector<EntityIndex> equipmentOfType(EquipmentType type) const;
    /// Entities with no containing parent (roots of the hasPart/hasLocation forest).
    [[nodiscard]] std::vector<EntityIndex> roots() const;
    /// Shortest path between two entities over any relation in either direction (BFS,
    /// unweighted). Empty when from == to; NotFound error when they are not connected.
    [[nodiscard]] Result<std::vector<PathStep>> shortestPath(EntityIndex from,
                                                             EntityIndex to) const;

    /// Human-readable path "A -hasPart-> B <-hasPoint- C" with entity names.
    [[nodiscard]] std::string describePath(const std::vector<PathStep>& path) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace twindesk::twin
