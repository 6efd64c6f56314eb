#pragma once
/// \file replay_rounds_model.h
/// The replay view's table (issue #8 §6): per decision round of a replay, its time, what the
/// recording proposed and what the candidate proposes, whether they agree, the first
/// divergence marked; optionally only the rounds that diverge. A thin list model over
/// app::replayRounds (replay_command.h). UI thread only. Qt Core only.

#include "replay_command.h"

#include <QAbstractListModel>

#include <vector>

namespace twindesk::app {

class ReplayRoundsModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(int totalRounds READ totalRounds NOTIFY loaded)
    Q_PROPERTY(int divergentRounds READ divergentRounds NOTIFY loaded)
    /// Row (in the rows shown) of the first divergence, -1 when there is none or it is hidden.
    Q_PROPERTY(int firstDivergenceRow READ firstDivergenceRow NOTIFY rowsShownChanged)
    /// Show only the rounds where the two disagree.
    Q_PROPERTY(bool divergentOnly READ divergentOnly WRITE setDivergentOnly NOTIFY rowsShownChanged)

public:
    enum Role {
        TimeRole = Qt::UserRole + 1, ///< ms UTC
        TimeTextRole,                ///< "2025-01-06T14:00:00Z"
        RecordedRole,                ///< the recorded actions, one a line ("—" for none)
        CandidateRole,               ///< the candidate's
        AgreeRole,
        FirstDivergenceRole,
    };

    explicit ReplayRoundsModel(QObject* parent = nullptr);

    /// Replaces the rounds (empty: clears).
    void setRounds(std::vector<ReplayRound> rounds);
    [[nodiscard]] const std::vector<ReplayRound>& rounds() const { return m_rounds; }

    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    /// The shown row at or before `ms` (the nearest after when none is before), -1 when empty.
    Q_INVOKABLE [[nodiscard]] int rowAt(double ms) const;
    /// The time (ms UTC) of a shown row, NaN for a bad row.
    Q_INVOKABLE [[nodiscard]] double timeOf(int row) const;

    [[nodiscard]] int totalRounds() const { return static_cast<int>(m_rounds.size()); }
    [[nodiscard]] int divergentRounds() const { return m_divergent; }
    [[nodiscard]] int firstDivergenceRow() const;
    [[nodiscard]] bool divergentOnly() const { return m_divergentOnly; }
    void setDivergentOnly(bool on);

Q_SIGNALS:
    void loaded();
    void rowsShownChanged();

private:
    void refilter();

    std::vector<ReplayRound> m_rounds;
    std::vector<int> m_shown; ///< indices into m_rounds
    int m_divergent = 0;
    int m_first = -1; ///< index into m_rounds of the first divergence
    bool m_divergentOnly = false;
};

} // namespace twindesk::app
