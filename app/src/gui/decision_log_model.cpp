#include "decision_log_model.h"

#include <QDateTime>

#include <twindesk/sim/sim_time.h>
#include <twindesk/twin/project_store.h>

#include <algorithm>
#include <set>

namespace twindesk::app {

namespace {

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

/// The action a row is about (what was applied, else what was proposed), with entity IRIs
/// shortened to their local names for the table: "target=room_106_zhsp".
QString actionOf(const policies::DecisionRecord& r)
{
    const std::string& text = r.applied.empty() ? r.proposed : r.applied;
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        out += text[i];
        if (text[i++] != '=')
            continue;
        const auto end = std::min(text.find(' ', i), text.size());
        const auto hash = text.rfind('#', end - 1);
        if (hash != std::string::npos && hash >= i && end > i)
            i = hash + 1; // drop the namespace of an IRI value
    }
    return QString::fromStdString(out);
}

} // namespace

DecisionLogModel::DecisionLogModel(QObject* parent) : QAbstractTableModel(parent) {}

bool DecisionLogModel::load(const QString& projectPath)
{
    auto fail = [&](const twin::Error& e) {
        m_error = qs(e.toString());
        Q_EMIT loaded();
        return false;
    };
    auto store = twin::ProjectStore::open(projectPath.toStdString(), twin::OpenMode::ReadOnly);
    if (!store)
        return fail(store.error());
    // The log is where the project's store is: its file, or the shared store.
    auto shared = m_shared.of(*store);
    if (!shared)
        return fail(shared.error());
    auto log = *shared != nullptr ? policies::DecisionLog::open(**shared)
                                  : policies::DecisionLog::open(*store);
    if (!log)
        return fail(log.error());
    // The newest kMaxRows rows.
    const std::int64_t last = log->lastSeq();
    policies::DecisionQuery q;
    q.fromSeq = std::max<std::int64_t>(1, last - static_cast<std::int64_t>(kMaxRows) + 1);
    q.limit = kMaxRows;
    auto rows = log->query(q);
    if (!rows)
        return fail(rows.error());
    beginResetModel();
    m_rows = std::move(rows).value();
    std::set<std::string> ids;
    for (const auto& r : m_rows)
        ids.insert(r.policyId);
    m_policies.clear();
    for (const auto& id : ids)
        m_policies.push_back(qs(id));
    m_error.clear();
    m_visible.clear();
    for (int i = 0; i < static_cast<int>(m_rows.size()); ++i)
        if (matches(m_rows[static_cast<std::size_t>(i)]))
            m_visible.push_back(i);
    endResetModel();
    Q_EMIT loaded();
    Q_EMIT filterChanged();
    return true;
}

bool DecisionLogModel::matches(const policies::DecisionRecord& r) const
{
    if (!m_policyFilter.isEmpty() && qs(r.policyId) != m_policyFilter)
        return false;
    if (m_appliedOnly && r.applied.empty())
        return false;
    if (r.timeMs < m_fromMs || r.timeMs >= m_toMs)
        return false;
    if (m_textFilter.isEmpty())
        return true;
    const auto needle = m_textFilter.toStdString();
    for (const auto* field : {&r.proposed, &r.applied, &r.verdict, &r.approval})
        if (field->find(needle) != std::string::npos)
            return true;
    return false;
}

void DecisionLogModel::refilter()
{
    beginResetModel();
    m_visible.clear();
    for (int i = 0; i < static_cast<int>(m_rows.size()); ++i)
        if (matches(m_rows[static_cast<std::size_t>(i)]))
            m_visible.push_back(i);
    endResetModel();
    Q_EMIT filterChanged();
}

void DecisionLogModel::setPolicyFilter(const QString& policy)
{
    if (policy == m_policyFilter)
        return;
    m_policyFilter = policy;
    refilter();
}

void DecisionLogModel::setTextFilter(const QString& text)
{
    if (text == m_textFilter)
        return;
    m_textFilter = text;
    refilter();
}

bool DecisionLogModel::setTimeRange(const QString& from, const QString& to)
{
    auto parse = [](const QString& text, const char* which, std::int64_t open, std::int64_t& ms,
                    QString& error) {
        const QString t = text.trimmed();
        if (t.isEmpty()) {
            ms = open;
            return true;
        }
        QDateTime at = QDateTime::fromString(t, Qt::ISODate);
        if (!at.isValid())
            at = QDateTime::fromString(t, QStringLiteral("yyyy-MM-dd hh:mm"));
        if (!at.isValid()) {
            error = QStringLiteral("%1 time \"%2\": expected ISO 8601, e.g. 2025-01-06T08:00 "
                                   "(UTC) or 2025-01-06T08:00-06:00")
                        .arg(QLatin1String(which), t);
            return false;
        }
        if (at.timeSpec() == Qt::LocalTime)
            at.setTimeSpec(Qt::UTC);
        ms = at.toMSecsSinceEpoch();
        return true;
    };
    std::int64_t fromMs = 0;
    std::int64_t toMs = 0;
    QString error;
    bool ok = parse(from, "from", std::numeric_limits<std::int64_t>::min(), fromMs, error) &&
              parse(to, "to", std::numeric_limits<std::int64_t>::max(), toMs, error);
    if (ok && fromMs >= toMs) {
        error = QStringLiteral("from %1 is not before to %2").arg(from.trimmed(), to.trimmed());
        ok = false;
    }
    if (!ok) {
        m_timeError = error;
        Q_EMIT filterChanged();
        return false;
    }
    m_timeError.clear();
    m_timeFrom = from.trimmed();
    m_timeTo = to.trimmed();
    m_fromMs = fromMs;
    m_toMs = toMs;
    refilter();
    return true;
}

void DecisionLogModel::setAppliedOnly(bool on)
{
    if (on == m_appliedOnly)
        return;
    m_appliedOnly = on;
    refilter();
}

int DecisionLogModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_visible.size());
}

int DecisionLogModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DecisionLogModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() < 0 || index.row() >= rowCount())
        return {};
    const auto& r = m_rows[static_cast<std::size_t>(m_visible[static_cast<std::size_t>(index.row())])];
    if (role == SeqRole)
        return QVariant::fromValue(static_cast<qlonglong>(r.seq));
    if (role == ColumnNameRole)
        return headerData(index.column(), Qt::Horizontal, Qt::DisplayRole);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Time:
        return qs(sim::formatUtc(r.timeMs / 1000));
    case Policy:
        return qs(r.policyId);
    case Action:
        return actionOf(r);
    case Verdict:
        return qs(r.verdict);
    case Approval:
        return qs(r.approval);
    case Applied:
        return r.applied.empty() ? QStringLiteral("—") : QStringLiteral("applied");
    default:
        return {};
    }
}

QVariant DecisionLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char* const kNames[] = {"Time (UTC)", "Policy",   "Action",
                                         "Guard verdict", "Approval", "Applied"};
    return section >= 0 && section < ColumnCount ? QString::fromUtf8(kNames[section]) : QVariant();
}

QHash<int, QByteArray> DecisionLogModel::roleNames() const
{
    auto roles = QAbstractTableModel::roleNames();
    roles[SeqRole] = "seq";
    roles[ColumnNameRole] = "columnName";
    return roles;
}

QVariantMap DecisionLogModel::detail(int row) const
{
    if (row < 0 || row >= rowCount())
        return {};
    const auto& r = m_rows[static_cast<std::size_t>(m_visible[static_cast<std::size_t>(row)])];
    return {{QStringLiteral("seq"), static_cast<qlonglong>(r.seq)},
            {QStringLiteral("time"), qs(sim::formatUtc(r.timeMs / 1000))},
            {QStringLiteral("timeMs"), static_cast<qlonglong>(r.timeMs)},
            {QStringLiteral("policy"), qs(r.policyId + " " + r.policyVersion)},
            {QStringLiteral("policyHash"), qs(r.policyHash)},
            {QStringLiteral("modelHash"), qs(r.modelHash)},
            {QStringLiteral("inputs"), qs(r.inputs)},
            {QStringLiteral("proposed"), qs(r.proposed)},
            {QStringLiteral("verdict"), qs(r.verdict)},
            {QStringLiteral("approval"), qs(r.approval)},
            {QStringLiteral("applied"), qs(r.applied)},
            {QStringLiteral("latency"), qs(r.latency)},
            {QStringLiteral("rowHash"), qs(r.rowHash)}};
}

} // namespace twindesk::app
