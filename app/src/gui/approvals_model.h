#pragma once
/// \file approvals_model.h
/// The console's approvals queue (issue #8 §5): the high-impact actions a control loop holds
/// back for a person (policies/approval_gate.h), with approve and reject recorded under the
/// user's name — the same table `twindesk approvals` and a running `twindesk live` use, so a
/// decision made here reaches the loop at its next poll. Qt Core only.

#include "shared_store_cache.h"

#include <QAbstractListModel>
#include <QString>

#include <memory>
#include <vector>

namespace twindesk::app {

class ApprovalsModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(int pending READ pending NOTIFY changed)
    Q_PROPERTY(QString user READ user WRITE setUser NOTIFY changed)
    Q_PROPERTY(QString error READ error NOTIFY changed)

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

Q_SIGNALS:
    void changed();

private:
    struct Row;
    bool decide(qlonglong id, const QString& note, bool approve);
    QString m_path;
    SharedStoreCache m_shared; ///< the project's shared store, when it names one
    QString m_user;
    QString m_error;
    std::vector<Row> m_rows;
};

} // namespace twindesk::app
