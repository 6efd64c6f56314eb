#pragma once
/// \file live_events_model.h
/// The console's live alarm list (issue #8 §8): what happened on a project's live connection
/// (sim/live/live_events.h) — telemetry gaps, stale sensors, unconfirmed or dropped commands,
/// bad payloads — newest first, alarms only unless told otherwise. Qt Core only.

#include <twindesk/live/live_events.h>

#include <QAbstractListModel>
#include <QString>

#include <vector>

namespace twindesk::app {

class LiveEventsModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(bool alarmsOnly READ alarmsOnly WRITE setAlarmsOnly NOTIFY changed)
    Q_PROPERTY(int alarms READ alarms NOTIFY changed)
    Q_PROPERTY(int events READ events NOTIFY changed)
    Q_PROPERTY(QString broker READ broker NOTIFY changed)
    Q_PROPERTY(QString error READ error NOTIFY changed)

public:
    enum Role { TimeRole = Qt::UserRole + 1, KindRole, SubjectRole, DetailRole, AlarmRole };

    explicit LiveEventsModel(QObject* parent = nullptr);

    /// Reads the events of `projectPath` (read-only). False with error().
    Q_INVOKABLE bool load(const QString& projectPath);
    Q_INVOKABLE bool refresh() { return load(m_path); }

    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    [[nodiscard]] bool alarmsOnly() const { return m_alarmsOnly; }
    void setAlarmsOnly(bool on);
    [[nodiscard]] int alarms() const { return m_alarmCount; }
    [[nodiscard]] int events() const { return static_cast<int>(m_all.size()); }
    [[nodiscard]] QString broker() const { return m_broker; }
    [[nodiscard]] QString error() const { return m_error; }

Q_SIGNALS:
    void changed();

private:
    void refilter();
    QString m_path;
    std::vector<live::LiveEvent> m_all; ///< newest first
    std::vector<int> m_visible;
    bool m_alarmsOnly = true;
    int m_alarmCount = 0;
    QString m_broker;
    QString m_error;
};

} // namespace twindesk::app
