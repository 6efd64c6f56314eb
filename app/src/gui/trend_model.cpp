#include "trend_model.h"

#include "downsample.h"

#include <twindesk/twin/project_store.h>
#include <twindesk/twin/sql_connection.h>

#include <algorithm>

#include <QVariantMap>


namespace twindesk::app {

TrendModel::TrendModel(QObject* parent) : QObject(parent) {}

TrendModel::~TrendModel() = default;

bool TrendModel::load(const QString& projectPath)
{
    auto store = twin::ProjectStore::open(projectPath.toStdString(), twin::OpenMode::ReadOnly);
    if (!store) {
        m_error = QString::fromStdString(store.error().toString());
        Q_EMIT loaded();
        return false;
    }
    m_store = std::make_unique<twin::ProjectStore>(std::move(store).value());
    m_historian = nullptr;
    m_points.clear();
    // The history is where the project's store is: its file, or the shared store.
    auto historian = m_shared.historian(*m_store);
    auto sql = m_shared.sql(*m_store);
    if (!historian || !sql) {
        m_error = QString::fromStdString((!historian ? historian.error() : sql.error()).toString());
        Q_EMIT loaded();
        return false;
    }
    m_historian = *historian;
    // Points with history, by name (sorted here: the same order on both back ends).
    auto points = (*sql)->query("SELECT point FROM series s WHERE EXISTS (SELECT 1 FROM "
                                "historian h WHERE h.series = s.id)",
                                {}, "listing the points with history");
    if (points) {
        std::vector<std::string> names;
        for (const auto& row : *points)
            names.push_back(row.text(0));
        std::sort(names.begin(), names.end());
        for (const auto& n : names)
            m_points.push_back(QString::fromStdString(n));
    }
    if (auto range = m_historian->historianRange(); range && *range) {
        m_fromMs = static_cast<double>((*range)->first);
        m_toMs = static_cast<double>((*range)->second) + 1;
    } else {
        m_fromMs = 0; // no history: an empty range of one ms, as before
        m_toMs = 1;
    }
    m_error.clear();
    Q_EMIT loaded();
    return true;
}

QVariantList TrendModel::series(const QString& point, double fromMs, double toMs,
                                int maxPoints) const
{
    QVariantList out;
    if (m_historian == nullptr || maxPoints < 2)
        return out;
    auto samples = m_historian->samples(point.toStdString(), static_cast<std::int64_t>(fromMs),
                                    static_cast<std::int64_t>(toMs));
    if (!samples || samples->empty())
        return out;
    const auto& s = *samples;
    auto add = [&out](const twin::Sample& x) {
        out.push_back(QVariantMap{{QStringLiteral("t"), static_cast<double>(x.time)},
                                  {QStringLiteral("v"), x.value}});
    };
    for (const std::size_t i : minMaxIndices(s.size(), static_cast<std::size_t>(maxPoints),
                                             [&s](std::size_t k) { return s[k].value; }))
        add(s[i]);
    return out;
}

} // namespace twindesk::app
