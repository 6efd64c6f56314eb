#include "trend_model.h"

#include <twindesk/twin/project_store.h>
#include <twindesk/twin/sqlite_statement.h>

#include <sqlite3.h>

#include <QVariantMap>

#include <algorithm>

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
    if (static_cast<int>(s.size()) <= maxPoints) {
        for (const auto& x : s)
            add(x);
        return out;
    }
    // Min and max of each bucket, in time order.
    const std::size_t buckets = static_cast<std::size_t>(maxPoints) / 2;
    for (std::size_t b = 0; b < buckets; ++b) {
        const std::size_t lo = b * s.size() / buckets;
        const std::size_t hi = (b + 1) * s.size() / buckets;
        if (lo >= hi)
            continue;
        auto [mn, mx] = std::minmax_element(s.begin() + static_cast<std::ptrdiff_t>(lo),
                                            s.begin() + static_cast<std::ptrdiff_t>(hi),
                                            [](const auto& a, const auto& c) {
                                                return a.value < c.value;
                                            });
        if (mn->time <= mx->time) {
            add(*mn);
            if (mx != mn)
                add(*mx);
        } else {
            add(*mx);
            add(*mn);
        }
    }
    return out;
}

} // namespace twindesk::app
