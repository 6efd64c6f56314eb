#include "trend_model.h"

#include "downsample.h"

#include <twindesk/twin/project_store.h>
#include <twindesk/twin/sqlite_statement.h>

#include <sqlite3.h>

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
    sqlite3* db = m_store->handle();
    m_points.clear();
    {
        // Points with history, by name.
        twin::sql::Statement st(db, "SELECT point FROM series s WHERE EXISTS (SELECT 1 FROM "
                                    "historian h WHERE h.series = s.id) ORDER BY point");
        while (st.valid() && st.step() == SQLITE_ROW)
            m_points.push_back(QString::fromStdString(st.text(0)));
    }
    {
        twin::sql::Statement st(db, "SELECT coalesce(min(t), 0), coalesce(max(t), 0) FROM "
                                    "historian");
        if (st.valid() && st.step() == SQLITE_ROW) {
            m_fromMs = static_cast<double>(st.int64(0));
            m_toMs = static_cast<double>(st.int64(1)) + 1;
        }
    }
    m_error.clear();
    Q_EMIT loaded();
    return true;
}

QVariantList TrendModel::series(const QString& point, double fromMs, double toMs,
                                int maxPoints) const
{
    QVariantList out;
    if (!m_store || maxPoints < 2)
        return out;
    auto samples = m_store->samples(point.toStdString(), static_cast<std::int64_t>(fromMs),
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
