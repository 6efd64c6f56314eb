#pragma once
/// \file approvals_model.h
/// The console's approvals queue (issue #8 §5): the high-impact actions a control loop holds
/// back for a person (policies/approval_gate.h), with approve and reject recorded under the
/// user's name — the same table `twindesk approvals` and a running `twindesk live` use, so a
/// decision made here reaches the loop at its next poll. On a shared store the model also
/// LISTENs for the store's announcements (policies::kApprovalsChannel) and re-reads as soon as
/// a loop anywhere asks or a console anywhere decides, so the pending count (the tab's title)
/// is current without waiting for the view's periodic refresh. Qt Core only.

#include "shared_store_cache.h"

#include <QAbstractListModel>
#include <QString>
#include <QTimer>

#include <memory>
#include <vector>

namespace twindesk::app {

class ApprovalsModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(int pending READ pending NOTIFY changed)
    Q_PROPERTY(QString user READ user WRITE setUser NOTIFY changed)
    Q_PROPERTY(QString error READ error NOTIFY changed)
    /// True while the model listens to a shared store's announcements.
    Q_PROPERTY(bool watching READ watching NOTIFY changed)

public:
    enum Role {
        IdRole = Qt::UserRole + 1,
        ActionRole,
        ReasonRole,
        PolicyRole,
        RequestedRole,
        ExpiresRole,
        StatusRole,
        DecidedByRole
    };

    explicit ApprovalsModel(QObject* parent = nullptr);
    ~ApprovalsModel() override;

    /// Reads the requests of `projectPath` (all statuses, newest first). False with error().
    Q_INVOKABLE bool load(const QString& projectPath);
    /// Reads again from the same project (after the loop or another console changed it).
    Q_INVOKABLE bool refresh();
    /// Approves request `id` as user(), with `note`. False with error() when it is refused
    /// (no user, not pending, unknown id); the list is re-read either way.
    Q_INVOKABLE bool approve(qlonglong id, const QString& note);
    /// Rejects request `id` as user(); `reason` is recorded.
    Q_INVOKABLE bool reject(qlonglong id, const QString& reason);

    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    [[nodiscard]] int pending() const;
    [[nodiscard]] QString user() const { return m_user; }
    void setUser(const QString& user);
    [[nodiscard]] QString error() const { return m_error; }
    [[nodiscard]] bool watching() const { return m_listener != nullptr; }

Q_SIGNALS:
    void changed();

private:
    struct Row;
    bool decide(qlonglong id, const QString& note, bool approve);
    /// Listens to the shared store the project names, if any (a connection of its own).
    void watch();
    /// Non-blocking: re-reads when an announcement arrived.
    void checkAnnouncements();
    QString m_path;
    SharedStoreCache m_shared; ///< the project's shared store, when it names one
    QString m_user;
    QString m_error;
    std::vector<Row> m_rows;
    std::unique_ptr<twin::PgStore> m_listener; ///< LISTENs on the shared store
    QTimer m_watch;                            ///< checks m_listener without blocking
};

} // namespace twindesk::app
