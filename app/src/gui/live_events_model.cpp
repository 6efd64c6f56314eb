#include "live_events_model.h"

#include <twindesk/sim/sim_time.h>
#include <twindesk/twin/project_store.h>

#include <algorithm>

namespace twindesk::app {

LiveEventsModel::LiveEventsModel(QObject* parent) : QAbstractListModel(parent) {}

bool LiveEventsModel::load(const QString& projectPath)
{
    m_path = projectPath;
    auto fail = [&](const twin::Error& e) {
        m_error = QString::fromStdString(e.toString());
        Q_EMIT changed();
        return false;
    };
    auto store = twin::ProjectStore::open(projectPath.toStdString(), twin::OpenMode::ReadOnly);
    if (!store)
        return fail(store.error());
    auto events = live::readLiveEvents(*store);
    if (!events)
        return fail(events.error());
    auto broker = store->meta("live_broker");
    m_all = std::move(events).value();
    std::reverse(m_all.begin(), m_all.end());
    m_alarmCount = static_cast<int>(std::count_if(
        m_all.begin(), m_all.end(), [](const live::LiveEvent& e) { return live::isAlarm(e.kind); }));
    m_broker = broker && *broker ? QString::fromStdString(**broker) : QString();
    m_error.clear();
    refilter();
    return true;
}

void LiveEventsModel::refilter()
{
    beginResetModel();
    m_visible.clear();
    for (int i = 0; i < static_cast<int>(m_all.size()); ++i)
        if (!m_alarmsOnly || live::isAlarm(m_all[static_cast<std::size_t>(i)].kind))
            m_visible.push_back(i);
    endResetModel();
    Q_EMIT changed();
}

void LiveEventsModel::setAlarmsOnly(bool on)
{
    if (on == m_alarmsOnly)
        return;
    m_alarmsOnly = on;
    refilter();
}

int LiveEventsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_visible.size());
}

QVariant LiveEventsModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() < 0 || index.row() >= rowCount())
        return {};
    const auto& e = m_all[static_cast<std::size_t>(m_visible[static_cast<std::size_t>(index.row())])];
    switch (role) {
    case TimeRole:
        return QString::fromStdString(sim::formatUtc(e.timeMs / 1000));
    case Qt::DisplayRole:
    case KindRole:
        return QString::fromStdString(e.kind);
    case SubjectRole:
        return QString::fromStdString(e.subject);
    case DetailRole:
        return QString::fromStdString(e.detail);
    case AlarmRole:
        return live::isAlarm(e.kind);
    default:
        return {};
    }
}

QHash<int, QByteArray> LiveEventsModel::roleNames() const
{
    return {{TimeRole, "time"},
            {KindRole, "kind"},
            {SubjectRole, "subject"},
            {DetailRole, "detail"},
            {AlarmRole, "alarm"}};
}

} // namespace twindesk::app
