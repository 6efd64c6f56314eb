#include "approvals_model.h"

#include <twindesk/policies/approval_gate.h>
#include <twindesk/sim/action.h>
#include <twindesk/sim/sim_time.h>
#include <twindesk/twin/project_store.h>
#include <twindesk/twin/store_location.h>

#include <algorithm>

namespace twindesk::app {

struct ApprovalsModel::Row
{
    policies::ApprovalRequest request;
};

namespace {

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

} // namespace

namespace {
// How often a listening model looks for announcements (a non-blocking read of the socket),
// and how long it waits before trying again when the store is unreachable.
constexpr int kWatchMs = 250;
constexpr int kRetryMs = 30'000;
} // namespace

ApprovalsModel::ApprovalsModel(QObject* parent) : QAbstractListModel(parent)
{
    m_user = qEnvironmentVariable("USER");
    connect(&m_watch, &QTimer::timeout, this, &ApprovalsModel::checkAnnouncements);
}

ApprovalsModel::~ApprovalsModel() = default;

bool ApprovalsModel::load(const QString& projectPath)
{
    m_path = projectPath;
    const bool ok = refresh();
    watch();
    Q_EMIT changed();
    return ok;
}

void ApprovalsModel::watch()
{
    m_watch.stop();
    m_listener.reset();
    auto store = twin::ProjectStore::open(m_path.toStdString(), twin::OpenMode::ReadOnly);
    if (!store)
        return; // refresh() reported it
    auto url = twin::sharedStoreUrl(*store, std::nullopt);
    if (!url || !*url)
        return; // a project file: the view's periodic refresh reads it
    auto listener = twin::PgStore::connect(**url);
    if (!listener || !listener->listen(std::string(policies::kApprovalsChannel))) {
        m_watch.start(kRetryMs); // try again later; refresh() names the store's error
        return;
    }
    m_listener = std::make_unique<twin::PgStore>(std::move(listener).value());
    m_watch.start(kWatchMs);
}

void ApprovalsModel::checkAnnouncements()
{
    if (!m_listener) {
        watch();
        Q_EMIT changed();
        return;
    }
    auto got = m_listener->waitForNotifications(0);
    if (!got) {
        // The store went away: PgStore reconnects (and LISTENs again) on a later call; do not
        // block the interface trying every 250 ms.
        m_watch.setInterval(kRetryMs);
        return;
    }
    m_watch.setInterval(kWatchMs);
    if (!got->empty())
        refresh();
}

bool ApprovalsModel::refresh()
{
    auto store = twin::ProjectStore::open(m_path.toStdString(), twin::OpenMode::ReadOnly);
    auto fail = [&](const twin::Error& e) {
        m_error = qs(e.toString());
        Q_EMIT changed();
        return false;
    };
    if (!store)
        return fail(store.error());
    // The queue is where the project's store is: its file, or the shared store.
    auto sql = m_shared.sql(*store);
    if (!sql)
        return fail(sql.error());
    auto gate = policies::ApprovalGate::open(**sql);
    if (!gate)
        return fail(gate.error());
    auto all = gate->list(std::nullopt);
    if (!all)
        return fail(all.error());
    beginResetModel();
    m_rows.clear();
    // Pending first (oldest first: they expire first), then the decided ones, newest first.
    for (auto& r : *all)
        m_rows.push_back({std::move(r)});
    std::stable_sort(m_rows.begin(), m_rows.end(), [](const Row& a, const Row& b) {
        const bool pa = a.request.status == policies::ApprovalStatus::Pending;
        const bool pb = b.request.status == policies::ApprovalStatus::Pending;
        if (pa != pb)
            return pa;
        return pa ? a.request.id < b.request.id : a.request.id > b.request.id;
    });
    endResetModel();
    m_error.clear();
    Q_EMIT changed();
    return true;
}

bool ApprovalsModel::decide(qlonglong id, const QString& note, bool approve)
{
    twin::Status done;
    {
        auto store = twin::ProjectStore::open(m_path.toStdString(), twin::OpenMode::ReadWrite);
        auto sql = store ? m_shared.sql(*store) : twin::Result<twin::SqlConnection*>(store.error());
        if (!sql) {
            done = sql.error();
        } else {
            auto gate = policies::ApprovalGate::open(**sql);
            if (!gate) {
                done = gate.error();
            } else {
                policies::ApprovalDecision d;
                d.user = m_user.trimmed().toStdString();
                d.note = note.toStdString();
                auto r = approve ? gate->approve(id, d) : gate->reject(id, d);
                if (!r)
                    done = r.error();
            }
        }
    }
    const QString error = done ? QString() : qs(done.error().toString());
    refresh();
    if (!error.isEmpty()) {
        m_error = error;
        Q_EMIT changed();
        return false;
    }
    return true;
}

bool ApprovalsModel::approve(qlonglong id, const QString& note)
{
    return decide(id, note, true);
}

bool ApprovalsModel::reject(qlonglong id, const QString& reason)
{
    return decide(id, reason, false);
}

int ApprovalsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

QVariant ApprovalsModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() < 0 || index.row() >= rowCount())
        return {};
    const auto& r = m_rows[static_cast<std::size_t>(index.row())].request;
    switch (role) {
    case IdRole:
        return QVariant::fromValue(static_cast<qlonglong>(r.id));
    case Qt::DisplayRole:
    case ActionRole:
        return qs(sim::describeAction(r.action));
    case ReasonRole:
        return qs(r.reason);
    case PolicyRole:
        return qs(r.policyId);
    case RequestedRole:
        return qs(sim::formatUtc(r.requestedMs / 1000));
    case ExpiresRole:
        return qs(sim::formatUtc(r.expiresMs / 1000));
    case StatusRole:
        return qs(std::string(policies::approvalStatusName(r.status)));
    case DecidedByRole:
        return qs(r.decidedBy);
    default:
        return {};
    }
}

QHash<int, QByteArray> ApprovalsModel::roleNames() const
{
    return {{IdRole, "requestId"},       {ActionRole, "action"},   {ReasonRole, "reason"},
            {PolicyRole, "policy"},      {RequestedRole, "requested"},
            {ExpiresRole, "expires"},    {StatusRole, "status"},   {DecidedByRole, "decidedBy"}};
}

int ApprovalsModel::pending() const
{
    return static_cast<int>(std::count_if(m_rows.begin(), m_rows.end(), [](const Row& r) {
        return r.request.status == policies::ApprovalStatus::Pending;
    }));
}

void ApprovalsModel::setUser(const QString& user)
{
    if (user == m_user)
        return;
    m_user = user;
    Q_EMIT changed();
}

} // namespace twindesk::app
