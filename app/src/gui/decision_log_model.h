#pragma once
/// \file decision_log_model.h
/// The console's decision log view (issue #8 §5): a thin table model over a project's
/// tamper-evident decision log (policies/decision_log.h), filtered by policy, by text (target,
/// action, verdict, approval) and by kind of outcome. Reads the rows once per load() — the
/// log is append-only — and filters in memory. Qt Core only: QML shows it, tests drive it.

#include "shared_store_cache.h"

#include <twindesk/policies/decision_log.h>

#include <QAbstractTableModel>
#include <QStringList>
#include <QVariantMap>

#include <limits>
#include <vector>

namespace twindesk::app {

class DecisionLogModel : public QAbstractTableModel
{
    Q_OBJECT
    Q_PROPERTY(QString policyFilter READ policyFilter WRITE setPolicyFilter NOTIFY filterChanged)
    Q_PROPERTY(QString textFilter READ textFilter WRITE setTextFilter NOTIFY filterChanged)
    Q_PROPERTY(bool appliedOnly READ appliedOnly WRITE setAppliedOnly NOTIFY filterChanged)
    /// The time filter as set (ISO 8601, "" = open) and what is wrong with it ("" = fine).
    Q_PROPERTY(QString timeFrom READ timeFrom NOTIFY filterChanged)
    Q_PROPERTY(QString timeTo READ timeTo NOTIFY filterChanged)
    Q_PROPERTY(QString timeError READ timeError NOTIFY filterChanged)
    Q_PROPERTY(int totalRows READ totalRows NOTIFY loaded)
    Q_PROPERTY(int visibleRows READ visibleRows NOTIFY filterChanged)
    Q_PROPERTY(QStringList policies READ policies NOTIFY loaded)
    Q_PROPERTY(QString error READ error NOTIFY loaded)

public:
    enum Column { Time, Policy, Action, Verdict, Approval, Applied, ColumnCount };
    enum Role { SeqRole = Qt::UserRole + 1, ColumnNameRole };

    /// The newest rows a load reads at most (the console shows a window of the log).
    static constexpr std::size_t kMaxRows = 200'000;

    explicit DecisionLogModel(QObject* parent = nullptr);

    /// Reads the decision log of `projectPath` (read-only). False with error() when the file
    /// cannot be opened or holds no log; the previous rows are kept then.
    Q_INVOKABLE bool load(const QString& projectPath);
    /// Everything a row records: seq, time, policy id/version/hash, model hash, inputs,
    /// proposed, verdict, approval, applied, latency, hashes. Empty for a bad row.
    Q_INVOKABLE [[nodiscard]] QVariantMap detail(int row) const;
    /// Only decisions with from <= time < to. Each bound is ISO 8601 (2025-01-06T08:00, a
    /// date, or with an offset; without one it is UTC) or "" for open. A bound that does not
    /// parse, or from after to, leaves the filter as it was and sets timeError naming it.
    Q_INVOKABLE bool setTimeRange(const QString& from, const QString& to);

    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    [[nodiscard]] QString policyFilter() const { return m_policyFilter; }
    void setPolicyFilter(const QString& policy);
    [[nodiscard]] QString textFilter() const { return m_textFilter; }
    void setTextFilter(const QString& text);
    [[nodiscard]] bool appliedOnly() const { return m_appliedOnly; }
    void setAppliedOnly(bool on);
    [[nodiscard]] QString timeFrom() const { return m_timeFrom; }
    [[nodiscard]] QString timeTo() const { return m_timeTo; }
    [[nodiscard]] QString timeError() const { return m_timeError; }
    [[nodiscard]] int totalRows() const { return static_cast<int>(m_rows.size()); }
    [[nodiscard]] int visibleRows() const { return static_cast<int>(m_visible.size()); }
    [[nodiscard]] QStringList policies() const { return m_policies; }
    [[nodiscard]] QString error() const { return m_error; }

Q_SIGNALS:
    void filterChanged();
    void loaded();

private:
    void refilter();
    [[nodiscard]] bool matches(const policies::DecisionRecord& r) const;

    SharedStoreCache m_shared; ///< the project's shared store, when it names one
    std::vector<policies::DecisionRecord> m_rows;
    std::vector<int> m_visible; ///< indices into m_rows, in seq order
    QStringList m_policies;
    QString m_policyFilter;
    QString m_textFilter;
    bool m_appliedOnly = false;
    QString m_timeFrom;
    QString m_timeTo;
    QString m_timeError;
    std::int64_t m_fromMs = std::numeric_limits<std::int64_t>::min();
    std::int64_t m_toMs = std::numeric_limits<std::int64_t>::max();
    QString m_error;
};

} // namespace twindesk::app
