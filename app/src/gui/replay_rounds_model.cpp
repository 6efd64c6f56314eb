#include "replay_rounds_model.h"

#include <twindesk/sim/sim_time.h>

#include <QStringList>

#include <algorithm>
#include <cmath>
#include <limits>

namespace twindesk::app {

namespace {

QString lines(const std::vector<std::string>& actions)
{
    if (actions.empty())
        return QStringLiteral("—");
    QStringList out;
    for (const auto& a : actions)
        out.push_back(QString::fromStdString(a));
    return out.join(QLatin1Char('\n'));
}

} // namespace

ReplayRoundsModel::ReplayRoundsModel(QObject* parent) : QAbstractListModel(parent) {}

void ReplayRoundsModel::setRounds(std::vector<ReplayRound> rounds)
{
    beginResetModel();
    m_rounds = std::move(rounds);
    m_divergent = 0;
    m_first = -1;
    for (std::size_t i = 0; i < m_rounds.size(); ++i)
        if (!m_rounds[i].agree) {
            ++m_divergent;
            if (m_first < 0)
                m_first = static_cast<int>(i);
        }
    endResetModel();
    refilter();
    Q_EMIT loaded();
}

void ReplayRoundsModel::refilter()
{
    beginResetModel();
    m_shown.clear();
    for (std::size_t i = 0; i < m_rounds.size(); ++i)
        if (!m_divergentOnly || !m_rounds[i].agree)
            m_shown.push_back(static_cast<int>(i));
    endResetModel();
    Q_EMIT rowsShownChanged();
}

void ReplayRoundsModel::setDivergentOnly(bool on)
{
    if (on == m_divergentOnly)
        return;
    m_divergentOnly = on;
    refilter();
}

int ReplayRoundsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_shown.size());
}

QVariant ReplayRoundsModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() < 0 || index.row() >= static_cast<int>(m_shown.size()))
        return {};
    const int i = m_shown[static_cast<std::size_t>(index.row())];
    const auto& r = m_rounds[static_cast<std::size_t>(i)];
    switch (role) {
    case TimeRole:
        return static_cast<double>(r.time) * 1000.0;
    case Qt::DisplayRole:
    case TimeTextRole:
        return QString::fromStdString(sim::formatUtc(r.time));
    case RecordedRole:
        return lines(r.recorded);
    case CandidateRole:
        return lines(r.candidate);
    case AgreeRole:
        return r.agree;
    case FirstDivergenceRole:
        return i == m_first;
    default:
        return {};
    }
}

QHash<int, QByteArray> ReplayRoundsModel::roleNames() const
{
    return {{TimeRole, "time"},         {TimeTextRole, "timeText"},
            {RecordedRole, "recorded"}, {CandidateRole, "candidate"},
            {AgreeRole, "agree"},       {FirstDivergenceRole, "firstDivergence"}};
}

int ReplayRoundsModel::rowAt(double ms) const
{
    if (m_shown.empty())
        return -1;
    const auto t = static_cast<sim::Seconds>(std::floor(ms / 1000.0));
    const auto it = std::upper_bound(m_shown.begin(), m_shown.end(), t, [this](auto time, int i) {
        return time < m_rounds[static_cast<std::size_t>(i)].time;
    });
    return it == m_shown.begin() ? 0 : static_cast<int>(it - m_shown.begin()) - 1;
}

double ReplayRoundsModel::timeOf(int row) const
{
    if (row < 0 || row >= static_cast<int>(m_shown.size()))
        return std::numeric_limits<double>::quiet_NaN();
    return static_cast<double>(m_rounds[static_cast<std::size_t>(m_shown[row])].time) * 1000.0;
}

int ReplayRoundsModel::firstDivergenceRow() const
{
    if (m_first < 0)
        return -1;
    const auto it = std::lower_bound(m_shown.begin(), m_shown.end(), m_first);
    return it != m_shown.end() && *it == m_first ? static_cast<int>(it - m_shown.begin()) : -1;
}

} // namespace twindesk::app
