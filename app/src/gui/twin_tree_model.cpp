#include "twin_tree_model.h"

#include <twindesk/twin/model_stats.h>

#include <algorithm>

namespace twindesk::app {

using twin::EntityIndex;
using twin::EntityKind;

TwinTreeModel::TwinTreeModel(QObject* parent) : QAbstractListModel(parent) {}

void TwinTreeModel::setGraph(twin::TwinGraph graph)
{
    beginResetModel();
    m_graph = std::move(graph);
    m_expanded.assign(m_graph.entityCount(), false);
    m_roots.clear();
    for (auto r : m_graph.roots()) {
        const auto kind = m_graph.entity(r).kind;
        if (kind == EntityKind::Point || kind == EntityKind::Workload)
            continue; // points show in the property panel, workloads under their host
        if (kind == EntityKind::Zone && !m_graph.outgoing(r, twin::Relation::HasPart).empty())
            continue; // HVAC zones group rooms that already appear under their floor
        m_roots.push_back(r);
    }
    // Sites and buildings first, then the rest in model order.
    std::stable_sort(m_roots.begin(), m_roots.end(), [this](EntityIndex a, EntityIndex b) {
        return static_cast<int>(m_graph.entity(a).kind) < static_cast<int>(m_graph.entity(b).kind);
    });
    for (auto r : m_roots) {
        m_expanded[r] = true;
        for (auto c : treeChildren(r))
            if (m_graph.entity(c).kind == EntityKind::Building)
                m_expanded[c] = true;
    }
    m_rows.clear();
    rebuild();
    endResetModel();
    Q_EMIT graphChanged();
}

std::vector<EntityIndex> TwinTreeModel::treeChildren(EntityIndex index) const
{
    std::vector<EntityIndex> out;
    for (auto c : m_graph.children(index, twin::Containment::PartsAndLocations))
        if (m_graph.entity(c).kind != EntityKind::Point)
            out.push_back(c);
    for (auto w : m_graph.incoming(index, twin::Relation::RunsOn))
        out.push_back(w);
    return out;
}

void TwinTreeModel::appendSubtree(EntityIndex index, int depth, std::vector<Row>& rows,
                                  std::vector<bool>& onPath) const
{
    rows.push_back(Row{index, depth, m_expanded[index]});
    if (!m_expanded[index] || onPath[index])
        return;
    onPath[index] = true; // models may contain containment cycles: never recurse into one
    for (auto c : treeChildren(index))
        appendSubtree(c, depth + 1, rows, onPath);
    onPath[index] = false;
}

void TwinTreeModel::rebuild()
{
    std::vector<Row> rows;
    std::vector<bool> onPath(m_graph.entityCount(), false);
    for (auto r : m_roots)
        appendSubtree(r, 0, rows, onPath);
    m_rows = std::move(rows);
}

int TwinTreeModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

QVariant TwinTreeModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() < 0 || index.row() >= static_cast<int>(m_rows.size()))
        return {};
    const auto& row = m_rows[static_cast<std::size_t>(index.row())];
    const auto& e = m_graph.entity(row.entity);
    switch (role) {
    case NameRole:
    case Qt::DisplayRole:
        return QString::fromStdString(e.name);
    case KindRole:
        return QString::fromUtf8(twin::entityKindName(e.kind).data());
    case SubtypeRole:
        if (e.kind == EntityKind::Equipment)
            return QString::fromUtf8(twin::equipmentTypeName(e.equipmentType).data());
        if (e.kind == EntityKind::Room || e.kind == EntityKind::Zone)
            return QString::fromUtf8(twin::zoneUseName(e.use).data());
        return QString();
    case DepthRole:
        return row.depth;
    case HasChildrenRole:
        return !treeChildren(row.entity).empty();
    case ExpandedRole:
        return row.expanded;
    case EntityIdRole:
        return QString::fromStdString(e.id);
    case PointCountRole:
        return static_cast<int>(m_graph.pointsOf(row.entity).size());
    default:
        return {};
    }
}

QHash<int, QByteArray> TwinTreeModel::roleNames() const
{
    return {{NameRole, "name"},
            {KindRole, "kind"},
            {SubtypeRole, "subtype"},
            {DepthRole, "depth"},
            {HasChildrenRole, "hasChildren"},
            {ExpandedRole, "expanded"},
            {EntityIdRole, "entityId"},
            {PointCountRole, "pointCount"}};
}

QString TwinTreeModel::summary() const
{
    const auto c = twin::countModel(m_graph, 0);
    return QStringLiteral("%1 floors · %2 rooms · %3 zones · %4 AHUs · %5 VAVs · %6 points · %7 "
                          "hosts · %8 VMs")
        .arg(c.floors)
        .arg(c.rooms)
        .arg(c.zones)
        .arg(c.ahus)
        .arg(c.vavs)
        .arg(c.points)
        .arg(c.computeHosts)
        .arg(c.vms);
}

void TwinTreeModel::toggle(int row)
{
    if (row < 0 || row >= static_cast<int>(m_rows.size()))
        return;
    const auto entity = m_rows[static_cast<std::size_t>(row)].entity;
    if (treeChildren(entity).empty())
        return;
    beginResetModel();
    m_expanded[entity] = !m_expanded[entity];
    rebuild();
    endResetModel();
}

QVariantList TwinTreeModel::properties(int row) const
{
    QVariantList out;
    if (row < 0 || row >= static_cast<int>(m_rows.size()))
        return out;
    const auto& e = m_graph.entity(m_rows[static_cast<std::size_t>(row)].entity);
    auto add = [&out](const QString& key, const QString& value) {
        out.append(QVariantMap{{QStringLiteral("key"), key}, {QStringLiteral("value"), value}});
    };
    add(QStringLiteral("id"), QString::fromStdString(e.id));
    add(QStringLiteral("kind"), QString::fromUtf8(twin::entityKindName(e.kind).data()));
    if (e.kind == EntityKind::Equipment)
        add(QStringLiteral("type"),
            QString::fromUtf8(twin::equipmentTypeName(e.equipmentType).data()));
    if (e.use != twin::ZoneUse::Unknown)
        add(QStringLiteral("use"), QString::fromUtf8(twin::zoneUseName(e.use).data()));
    for (const auto& c : e.classes)
        add(QStringLiteral("class"), QString::fromStdString(std::string(twin::localName(c))));
    for (const auto& a : e.attributes) {
        QString value = QString::fromStdString(a.value);
        if (!a.unit.empty())
            value += QLatin1Char(' ') + QString::fromStdString(a.unit);
        add(QString::fromStdString(a.key), value);
    }
    return out;
}

QVariantList TwinTreeModel::points(int row) const
{
    QVariantList out;
    if (row < 0 || row >= static_cast<int>(m_rows.size()))
        return out;
    for (auto p : m_graph.pointsOf(m_rows[static_cast<std::size_t>(row)].entity)) {
        const auto& e = m_graph.entity(p);
        QVariantMap m{{QStringLiteral("name"), QString::fromStdString(e.name)},
                      {QStringLiteral("id"), QString::fromStdString(e.id)}};
        if (e.point) {
            m[QStringLiteral("type")] =
                QString::fromUtf8(twin::pointTypeName(e.point->type).data());
            m[QStringLiteral("quantity")] =
                QString::fromUtf8(twin::quantityName(e.point->quantity).data());
            m[QStringLiteral("unit")] = QString::fromStdString(e.point->unit);
        }
        out.append(m);
    }
    return out;
}

QVariantList TwinTreeModel::search(const QString& text) const
{
    QVariantList out;
    const QString needle = text.trimmed();
    if (needle.isEmpty())
        return out;
    for (EntityIndex i = 0; i < m_graph.entityCount() && out.size() < 200; ++i) {
        const auto& e = m_graph.entity(i);
        const auto name = QString::fromStdString(e.name);
        if (name.contains(needle, Qt::CaseInsensitive) ||
            QString::fromStdString(e.id).contains(needle, Qt::CaseInsensitive))
            out.append(QVariantMap{
                {QStringLiteral("name"), name},
                {QStringLiteral("kind"), QString::fromUtf8(twin::entityKindName(e.kind).data())},
                {QStringLiteral("entity"), static_cast<int>(i)}});
    }
    return out;
}

int TwinTreeModel::entityOfRow(int row) const
{
    if (row < 0 || static_cast<std::size_t>(row) >= m_rows.size())
        return -1;
    return static_cast<int>(m_rows[static_cast<std::size_t>(row)].entity);
}

int TwinTreeModel::reveal(int entity)
{
    if (entity < 0 || static_cast<std::size_t>(entity) >= m_graph.entityCount())
        return -1;
    auto target = static_cast<EntityIndex>(entity);
    // A point is shown through its owner; a workload under its host.
    if (m_graph.entity(target).kind == EntityKind::Point) {
        const auto owners = m_graph.incoming(target, twin::Relation::HasPoint);
        if (!owners.empty())
            target = owners.front();
    }
    beginResetModel();
    auto chain = m_graph.ancestors(target);
    for (auto w : m_graph.outgoing(target, twin::Relation::RunsOn)) {
        chain.push_back(w);
        const auto more = m_graph.ancestors(w);
        chain.insert(chain.end(), more.begin(), more.end());
    }
    for (auto a : chain)
        m_expanded[a] = true;
    rebuild();
    endResetModel();
    for (std::size_t r = 0; r < m_rows.size(); ++r)
        if (m_rows[r].entity == target)
            return static_cast<int>(r);
    return -1;
}

} // namespace twindesk::app
