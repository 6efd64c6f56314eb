#pragma once
/// \file twin_tree_model.h
/// Thin list model over the twin graph for QML: the containment tree (site → building →
/// floor → room → equipment; rack → host → VMs) flattened into visible rows with a depth,
/// expand/collapse, and the selected entity's properties and points. Logic stays in the core;
/// this class only adapts it. GUI thread only.

#include <twindesk/twin/twin_graph.h>

#include <QAbstractListModel>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

#include <memory>
#include <vector>

namespace twindesk::app {

class TwinTreeModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("provided by the application")
    Q_PROPERTY(int entityCount READ entityCount NOTIFY graphChanged)
    Q_PROPERTY(QString summary READ summary NOTIFY graphChanged)

public:
    enum Roles {
        NameRole = Qt::UserRole + 1,
        KindRole,
        SubtypeRole,
        DepthRole,
        HasChildrenRole,
        ExpandedRole,
        EntityIdRole,
        PointCountRole,
    };

    explicit TwinTreeModel(QObject* parent = nullptr);

    /// Takes a loaded graph (moves it in) and shows its roots expanded one level.
    void setGraph(twin::TwinGraph graph);
    [[nodiscard]] const twin::TwinGraph& graph() const { return m_graph; }

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    int entityCount() const { return static_cast<int>(m_graph.entityCount()); }
    QString summary() const;

    Q_INVOKABLE void toggle(int row);
    /// Properties of the entity on `row`: [{key, value}] for display.
    Q_INVOKABLE QVariantList properties(int row) const;
    /// Points of the entity on `row`: [{name, type, quantity, unit, id}].
    Q_INVOKABLE QVariantList points(int row) const;
    /// Entities whose name or id contains `text` (case-insensitive), at most 200:
    /// [{name, kind, entity}] where `entity` is the index to pass to reveal().
    Q_INVOKABLE QVariantList search(const QString& text) const;
    /// Expands the ancestors of an entity and returns its row (-1 if it is not in the tree).
    Q_INVOKABLE int reveal(int entity);
    /// The entity index shown on `row` (-1 for a row out of range).
    Q_INVOKABLE int entityOfRow(int row) const;

    /// Tree children as shown (containment, hosted workloads; points are listed separately).
    [[nodiscard]] std::vector<twin::EntityIndex> treeChildren(twin::EntityIndex index) const;

Q_SIGNALS:
    void graphChanged();

private:
    struct Row
    {
        twin::EntityIndex entity;
        int depth;
        bool expanded;
    };
    void rebuild();
    void appendSubtree(twin::EntityIndex index, int depth, std::vector<Row>& rows,
                       std::vector<bool>& onPath) const;

    twin::TwinGraph m_graph;
    std::vector<twin::EntityIndex> m_roots;
    std::vector<bool> m_expanded; // by entity
    std::vector<Row> m_rows;
};

} // namespace twindesk::app
