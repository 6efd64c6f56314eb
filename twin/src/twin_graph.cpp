#include <twindesk/twin/twin_graph.h>

#include <boost/graph/adjacency_list.hpp>

#include <algorithm>
#include <deque>
#include <unordered_map>
#include <unordered_set>

namespace twindesk::twin {

namespace {

struct VertexData
{
    Entity entity;
};

struct EdgeData
{
    Relation relation = Relation::HasPart;
};

// vecS/vecS: dense vertex indices that never move because vertices are never removed.
// bidirectionalS: incoming edges are as cheap to walk as outgoing ones (ancestors, isFedBy).
using Graph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, VertexData, EdgeData>;

struct EdgeKey
{
    EntityIndex source;
    EntityIndex target;
    Relation relation;
    bool operator==(const EdgeKey&) const = default;
};

struct EdgeKeyHash
{
    std::size_t operator()(const EdgeKey& key) const noexcept
    {
        std::size_t h = std::hash<std::size_t>{}(key.source);
        h ^= std::hash<std::size_t>{}(key.target) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
        return h * 8 + static_cast<std::size_t>(key.relation);
    }
};

} // namespace

struct TwinGraph::Impl
{
    Graph graph;
    std::unordered_map<std::string, EntityIndex> byId; // lookup only, never iterated
    std::unordered_set<EdgeKey, EdgeKeyHash> edgeSet;  // relations are a set
    std::vector<RelationEdge> edgeOrder;               // insertion order for stable output
    std::array<std::size_t, kRelationCount> perRelation{};
};

TwinGraph::TwinGraph() : m_impl(std::make_unique<Impl>()) {}
TwinGraph::~TwinGraph() = default;
TwinGraph::TwinGraph(TwinGraph&&) noexcept = default;
TwinGraph& TwinGraph::operator=(TwinGraph&&) noexcept = default;
TwinGraph::TwinGraph(const TwinGraph& other) : m_impl(std::make_unique<Impl>(*other.m_impl)) {}
TwinGraph& TwinGraph::operator=(const TwinGraph& other)
{
    if (this != &other)
        m_impl = std::make_unique<Impl>(*other.m_impl);
    return *this;
}

Result<EntityIndex> TwinGraph::addEntity(Entity entity)
{
    if (entity.id.empty())
        return makeError(ErrorCode::InvalidArgument, "an entity needs a non-empty id");
    if (m_impl->byId.count(entity.id) != 0)
        return makeError(ErrorCode::InvalidArgument,
                         "an entity with id '" + entity.id + "' exists already");
    std::string id = entity.id;
    const auto vertex = boost::add_vertex(VertexData{std::move(entity)}, m_impl->graph);
    m_impl->byId.emplace(std::move(id), vertex);
    return static_cast<EntityIndex>(vertex);
}

Status TwinGraph::addRelation(std::string_view sourceId, Relation relation,
                              std::string_view targetId)
{
    const auto source = find(sourceId);
    const auto target = find(targetId);
    if (!source || !target) {
        const std::string missing(!source ? sourceId : targetId);
        return makeError(ErrorCode::DanglingRelation,
                         "relation " + std::string(relationName(relation)) + " from '" +
                             std::string(sourceId) + "' to '" + std::string(targetId) +
                             "' refers to '" + missing +
                             "', which is not an entity of the model; add the entity first");
    }
    return addRelation(*source, relation, *target);
}

Status TwinGraph::addRelation(EntityIndex source, Relation relation, EntityIndex target)
{
    const auto n = entityCount();
    if (source >= n || target >= n)
        return makeError(ErrorCode::DanglingRelation,
                         "relation " + std::string(relationName(relation)) + " between index " +
                             std::to_string(source) + " and " + std::to_string(target) +
                             " but the model has only " + std::to_string(n) + " entities");
    if (!m_impl->edgeSet.insert(EdgeKey{source, target, relation}).second)
        return {};
    boost::add_edge(source, target, EdgeData{relation}, m_impl->graph);
    m_impl->edgeOrder.push_back(RelationEdge{source, relation, target});
    ++m_impl->perRelation[static_cast<std::size_t>(relation)];
    return {};
}

std::size_t TwinGraph::entityCount() const
{
    return boost::num_vertices(m_impl->graph);
}
std::size_t TwinGraph::relationCount() const
{
    return m_impl->edgeOrder.size();
}
std::size_t TwinGraph::relationCount(Relation relation) const
{
    return m_impl->perRelation[static_cast<std::size_t>(relation)];
}

const Entity& TwinGraph::entity(EntityIndex index) const
{
    return m_impl->graph[index].entity;
}
Entity& TwinGraph::entity(EntityIndex index)
{
    return m_impl->graph[index].entity;
}

std::optional<EntityIndex> TwinGraph::find(std::string_view id) const
{
    const auto it = m_impl->byId.find(std::string(id));
    if (it == m_impl->byId.end())
        return std::nullopt;
    return it->second;
}

std::vector<RelationEdge> TwinGraph::relations() const
{
    return m_impl->edgeOrder;
}

bool TwinGraph::hasRelation(EntityIndex source, Relation relation, EntityIndex target) const
{
    return m_impl->edgeSet.count(EdgeKey{source, target, relation}) != 0;
}

std::vector<EntityIndex> TwinGraph::outgoing(EntityIndex index, Relation relation) const
{
    std::vector<EntityIndex> result;
    const auto& g = m_impl->graph;
    for (auto [it, end] = boost::out_edges(index, g); it != end; ++it)
        if (g[*it].relation == relation)
            result.push_back(boost::target(*it, g));
    return result;
}

std::vector<EntityIndex> TwinGraph::incoming(EntityIndex index, Relation relation) const
{
    std::vector<EntityIndex> result;
    const auto& g = m_impl->graph;
    for (auto [it, end] = boost::in_edges(index, g); it != end; ++it)
        if (g[*it].relation == relation)
            result.push_back(boost::source(*it, g));
    std::sort(result.begin(), result.end()); // in_edges order follows insertion per source
    return result;
}

std::vector<EntityIndex> TwinGraph::children(EntityIndex index, Containment containment) const
{
    auto result = outgoing(index, Relation::HasPart);
    if (containment == Containment::PartsAndLocations) {
        // X hasLocation index  ⇒  X is inside index.
        for (auto located : incoming(index, Relation::HasLocation))
            if (std::find(result.begin(), result.end(), located) == result.end())
                result.push_back(located);
    }
    return result;
}

std::vector<EntityIndex> TwinGraph::ancestors(EntityIndex index, Containment containment) const
{
    std::vector<EntityIndex> result;
    std::vector<bool> seen(entityCount(), false);
    std::deque<EntityIndex> queue{index};
    seen[index] = true;
    while (!queue.empty()) {
        const auto current = queue.front();
        queue.pop_front();
        auto parents = incoming(current, Relation::HasPart);
        if (containment == Containment::PartsAndLocations) {
            const auto places = outgoing(current, Relation::HasLocation);
            parents.insert(parents.end(), places.begin(), places.end());
        }
        for (auto parent : parents) {
            if (seen[parent])
                continue;
            seen[parent] = true;
            result.push_back(parent);
            queue.push_back(parent);
        }
    }
    return result;
}

std::vector<EntityIndex> TwinGraph::zonesFedBy(EntityIndex index) const
{
    std::vector<EntityIndex> result;
    std::vector<bool> seen(entityCount(), false);
    std::deque<EntityIndex> queue{index};
    seen[index] = true;
    auto isPlace = [this](EntityIndex i) {
        const auto kind = entity(i).kind;
        return kind == EntityKind::Room || kind == EntityKind::Zone;
    };
    while (!queue.empty()) {
        const auto current = queue.front();
        queue.pop_front();
        auto next = outgoing(current, Relation::Feeds);
        // A fed HVAC zone serves the rooms it is made of.
        if (current != index && entity(current).kind == EntityKind::Zone) {
            const auto parts = outgoing(current, Relation::HasPart);
            next.insert(next.end(), parts.begin(), parts.end());
        }
        for (auto n : next) {
            if (seen[n])
                continue;
            seen[n] = true;
            if (isPlace(n))
                result.push_back(n);
            queue.push_back(n);
        }
    }
    return result;
}

std::vector<EntityIndex> TwinGraph::pointsOf(EntityIndex index) const
{
    return outgoing(index, Relation::HasPoint);
}

std::vector<EntityIndex> TwinGraph::entitiesOfKind(EntityKind kind) const
{
    std::vector<EntityIndex> result;
    const auto n = entityCount();
    for (EntityIndex i = 0; i < n; ++i)
        if (entity(i).kind == kind)
            result.push_back(i);
    return result;
}

std::vector<EntityIndex> TwinGraph::equipmentOfType(EquipmentType type) const
{
    std::vector<EntityIndex> result;
    const auto n = entityCount();
    for (EntityIndex i = 0; i < n; ++i)
        if (entity(i).kind == EntityKind::Equipment && entity(i).equipmentType == type)
            result.push_back(i);
    return result;
}

std::vector<EntityIndex> TwinGraph::roots() const
{
    std::vector<EntityIndex> result;
    const auto n = entityCount();
    for (EntityIndex i = 0; i < n; ++i)
        if (incoming(i, Relation::HasPart).empty() && outgoing(i, Relation::HasLocation).empty())
            result.push_back(i);
    return result;
}

Result<std::vector<PathStep>> TwinGraph::shortestPath(EntityIndex from, EntityIndex to) const
{
    const auto n = entityCount();
    if (from >= n || to >= n)
        return makeError(ErrorCode::InvalidArgument, "shortestPath: entity index out of range");
    if (from == to)
        return std::vector<PathStep>{};
    const auto& g = m_impl->graph;
    constexpr auto kNone = static_cast<EntityIndex>(-1);
    std::vector<PathStep> via(n, PathStep{kNone, Relation::HasPart, true, kNone});
    std::vector<bool> seen(n, false);
    std::deque<EntityIndex> queue{from};
    seen[from] = true;
    while (!queue.empty() && !seen[to]) {
        const auto current = queue.front();
        queue.pop_front();
        // Collect neighbours through both edge directions, then visit them in index order so
        // the path found does not depend on edge storage order.
        std::vector<PathStep> steps;
        for (auto [it, end] = boost::out_edges(current, g); it != end; ++it)
            steps.push_back({current, g[*it].relation, true, boost::target(*it, g)});
        for (auto [it, end] = boost::in_edges(current, g); it != end; ++it)
            steps.push_back({current, g[*it].relation, false, boost::source(*it, g)});
        std::sort(steps.begin(), steps.end(), [](const PathStep& a, const PathStep& b) {
            return std::tie(a.to, a.relation, a.forward) < std::tie(b.to, b.relation, b.forward);
        });
        for (const auto& step : steps) {
            if (seen[step.to])
                continue;
            seen[step.to] = true;
            via[step.to] = step;
            queue.push_back(step.to);
        }
    }
    if (!seen[to])
        return makeError(ErrorCode::NotFound, "no relation path between '" + entity(from).id +
                                                  "' and '" + entity(to).id + "'");
    std::vector<PathStep> path;
    for (auto at = to; at != from; at = via[at].from)
        path.push_back(via[at]);
    std::reverse(path.begin(), path.end());
    return path;
}

std::string TwinGraph::describePath(const std::vector<PathStep>& path) const
{
    if (path.empty())
        return {};
    std::string text = entity(path.front().from).name;
    for (const auto& step : path) {
        if (step.forward)
            text += " -" + std::string(relationName(step.relation)) + "-> ";
        else
            text += " <-" + std::string(relationName(step.relation)) + "- ";
        text += entity(step.to).name;
    }
    return text;
}

} // namespace twindesk::twin
