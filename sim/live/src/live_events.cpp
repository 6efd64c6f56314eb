#include <twindesk/live/live_events.h>
#include <twindesk/twin/sqlite_statement.h>

#include <sqlite3.h>

#include <array>
#include <string_view>

namespace twindesk::live {

using twin::sql::Statement;

bool isAlarm(const std::string& kind)
{
    static constexpr std::array<std::string_view, 6> kAlarms{
        event::kDisconnected,        event::kRefused,         event::kStale,
        event::kCommandUnconfirmed, event::kCommandDropped, event::kBadPayload};
    for (auto a : kAlarms)
        if (kind == a)
            return true;
    return false;
}

twin::Result<LiveEvents> LiveEvents::open(twin::ProjectStore& store)
{
    std::string error;
    if (!twin::sql::exec(store.handle(),
                         "CREATE TABLE IF NOT EXISTS live_events(t INTEGER NOT NULL, kind TEXT "
                         "NOT NULL, subject TEXT NOT NULL, detail TEXT NOT NULL)",
                         &error))
        return twin::makeError(twin::ErrorCode::StorageError,
                               "cannot create the live event table: " + error, "live_events");
    return LiveEvents(store);
}

twin::Status LiveEvents::flush()
{
    if (m_pending.empty())
        return {};
    sqlite3* db = m_store->handle();
    const std::string where = "live_events";
    std::string error;
    if (!twin::sql::exec(db, "BEGIN IMMEDIATE", &error))
        return twin::makeError(twin::ErrorCode::StorageError, "storing live events: " + error,
                               where);
    {
        Statement insert(db, "INSERT INTO live_events(t, kind, subject, detail) VALUES (?,?,?,?)");
        if (!insert.valid()) {
            auto e = twin::sql::storageError(db, "preparing the live event insert", where);
            twin::sql::exec(db, "ROLLBACK", nullptr);
            return e;
        }
        for (const auto& e : m_pending) {
            insert.bind(1, e.timeMs);
            insert.bindStatic(2, e.kind);
            insert.bindStatic(3, e.subject);
            insert.bindStatic(4, e.detail);
            if (insert.step() != SQLITE_DONE) {
                auto err = twin::sql::storageError(db, "storing a live event", where);
                twin::sql::exec(db, "ROLLBACK", nullptr);
                return err;
            }
            insert.reset();
        }
    }
    if (!twin::sql::exec(db, "COMMIT", &error)) {
        auto err = twin::sql::storageError(db, "committing live events", where);
        twin::sql::exec(db, "ROLLBACK", nullptr);
        return err;
    }
    m_pending.clear();
    return {};
}

twin::Result<std::vector<LiveEvent>> LiveEvents::all(const std::string& kind) const
{
    sqlite3* db = m_store->handle();
    Statement st(db, kind.empty()
                         ? "SELECT t, kind, subject, detail FROM live_events ORDER BY rowid"
                         : "SELECT t, kind, subject, detail FROM live_events WHERE kind = ? "
                           "ORDER BY rowid");
    if (!st.valid())
        return twin::sql::storageError(db, "reading the live events", "live_events");
    if (!kind.empty())
        st.bind(1, std::string_view(kind));
    std::vector<LiveEvent> out;
    while (st.step() == SQLITE_ROW)
        out.push_back({st.int64(0), st.text(1), st.text(2), st.text(3)});
    return out;
}

namespace {

/// Whether the project has the table (a project that never ran live has none).
twin::Result<bool> hasEventTable(sqlite3* db)
{
    Statement exists(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = "
                         "'live_events'");
    if (!exists.valid())
        return twin::sql::storageError(db, "reading the schema", "live_events");
    return exists.step() == SQLITE_ROW;
}

} // namespace

twin::Result<std::vector<LiveEvent>> readLiveEvents(const twin::ProjectStore& store)
{
    sqlite3* db = store.handle();
    auto has = hasEventTable(db);
    if (!has)
        return has.error();
    std::vector<LiveEvent> out;
    if (!*has)
        return out;
    Statement st(db, "SELECT t, kind, subject, detail FROM live_events ORDER BY rowid");
    if (!st.valid())
        return twin::sql::storageError(db, "reading the live events", "live_events");
    while (st.step() == SQLITE_ROW)
        out.push_back({st.int64(0), st.text(1), st.text(2), st.text(3)});
    return out;
}

twin::Result<std::map<std::string, std::int64_t>> liveEventCounts(const twin::ProjectStore& store)
{
    sqlite3* db = store.handle();
    std::map<std::string, std::int64_t> out;
    auto has = hasEventTable(db);
    if (!has)
        return has.error();
    if (!*has)
        return out;
    Statement st(db, "SELECT kind, count(*) FROM live_events GROUP BY kind ORDER BY kind");
    if (!st.valid())
        return twin::sql::storageError(db, "counting the live events", "live_events");
    while (st.step() == SQLITE_ROW)
        out[st.text(0)] = st.int64(1);
    return out;
}

} // namespace twindesk::live
