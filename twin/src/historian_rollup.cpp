#include <twindesk/twin/historian_rollup.h>
#include <twindesk/twin/sqlite_statement.h>

#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <string>

namespace twindesk::twin {

namespace {

/// Runs a statement with up to three int64 parameters; returns the rows it changed.
Result<std::int64_t> run(sqlite3* db, const char* text, std::initializer_list<std::int64_t> args,
                         const char* what)
{
    sql::Statement st(db, text);
    if (!st.valid())
        return sql::storageError(db, std::string("preparing ") + what, "historian");
    int i = 1;
    for (auto a : args)
        st.bind(i++, a);
    if (st.step() != SQLITE_DONE)
        return sql::storageError(db, what, "historian");
    return static_cast<std::int64_t>(sqlite3_changes(db));
}

} // namespace

Result<RollupStats> rollup(ProjectStore& store, std::int64_t upToMs, const Retention& retention)
{
    sqlite3* db = store.handle();
    if (store.schemaVersion() < 5)
        return makeError(ErrorCode::InvalidArgument,
                         "the project has no historian aggregate tables (schema version " +
                             std::to_string(store.schemaVersion()) +
                             "); open it read-write once to migrate it",
                         "historian");
    // Only complete buckets: the 15-minute boundary at or before upToMs bounds both levels.
    const std::int64_t end1m = upToMs / kMinuteMs * kMinuteMs;
    const std::int64_t end15m = upToMs / kQuarterHourMs * kQuarterHourMs;
    auto last = store.meta("historian_rolled_up_ms");
    if (!last)
        return last.error();
    std::int64_t from = 0;
    if (*last) {
        const auto& text = **last;
        std::from_chars(text.data(), text.data() + text.size(), from);
    }
    // The last quarter-hour before the previous run's end is aggregated again, so samples
    // that arrived late (up to 15 minutes) are folded into their buckets.
    const std::int64_t from1m = std::max<std::int64_t>(0, from - kQuarterHourMs);
    std::string error;
    if (!sql::exec(db, "BEGIN IMMEDIATE", &error))
        return makeError(ErrorCode::StorageError, "starting a historian rollup: " + error,
                         "historian");
    auto rollback = [&](Error e) {
        sql::exec(db, "ROLLBACK", nullptr);
        return e;
    };
    RollupStats stats;
    if (end1m > from1m) {
        auto n = run(db,
                     "INSERT OR REPLACE INTO historian_1m(series, t, min, max, mean, count) "
                     "SELECT series, (t / 60000) * 60000 AS b, min(value), max(value), "
                     "avg(value), count(*) FROM historian WHERE t >= ? AND t < ? AND value IS "
                     "NOT NULL GROUP BY series, b",
                     {from1m, end1m}, "aggregating 1-minute buckets");
        if (!n)
            return rollback(n.error());
        stats.oneMinuteBuckets = *n;
    }
    if (end15m > from1m) {
        auto n = run(db,
                     "INSERT OR REPLACE INTO historian_15m(series, t, min, max, mean, count) "
                     "SELECT series, (t / 900000) * 900000 AS b, min(min), max(max), "
                     "sum(mean * count) / sum(count), sum(count) FROM historian_1m WHERE t >= ? "
                     "AND t < ? GROUP BY series, b",
                     {from1m, end15m}, "aggregating 15-minute buckets");
        if (!n)
            return rollback(n.error());
        stats.fifteenMinuteBuckets = *n;
    }
    struct Level
    {
        std::int64_t keepMs;
        const char* sql;
        std::int64_t* deleted;
    };
    for (const auto& l :
         {Level{retention.rawMs, "DELETE FROM historian WHERE t < ?", &stats.rawDeleted},
          Level{retention.oneMinuteMs, "DELETE FROM historian_1m WHERE t < ?",
                &stats.oneMinuteDeleted},
          Level{retention.fifteenMinuteMs, "DELETE FROM historian_15m WHERE t < ?",
                &stats.fifteenMinuteDeleted}}) {
        if (l.keepMs <= 0)
            continue;
        // Never delete raw samples that are not aggregated yet.
        const std::int64_t cut = std::min(upToMs - l.keepMs, end15m);
        auto n = run(db, l.sql, {cut}, "applying the retention");
        if (!n)
            return rollback(n.error());
        *l.deleted = *n;
    }
    if (!store.setMeta("historian_rolled_up_ms", std::to_string(std::max(from, end15m))))
        return rollback(sql::storageError(db, "recording the rollup", "historian"));
    if (!sql::exec(db, "COMMIT", &error))
        return rollback(sql::storageError(db, "committing the rollup", "historian"));
    return stats;
}

Result<Retention> parseRetention(std::string_view spec)
{
    Retention r;
    const std::string where = "retention '" + std::string(spec) + "'";
    std::size_t pos = 0;
    while (pos < spec.size()) {
        const auto comma = spec.find(',', pos);
        const auto part = spec.substr(pos, comma == std::string_view::npos ? std::string_view::npos
                                                                           : comma - pos);
        pos = comma == std::string_view::npos ? spec.size() : comma + 1;
        const auto eq = part.find('=');
        if (eq == std::string_view::npos)
            return makeError(ErrorCode::ParseError,
                             "'" + std::string(part) + "' needs LEVEL=DURATION (raw, 1m, 15m)",
                             where);
        const auto level = part.substr(0, eq);
        const auto value = part.substr(eq + 1);
        double number = 0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
        const std::string_view unit(end, static_cast<std::size_t>(value.data() + value.size() - end));
        double scale = 0;
        if (unit == "s")
            scale = 1e3;
        else if (unit == "min")
            scale = 6e4;
        else if (unit == "h")
            scale = 3.6e6;
        else if (unit == "d")
            scale = 8.64e7;
        else if (unit.empty() && number == 0)
            scale = 1;
        if (ec != std::errc() || scale == 0 || number < 0)
            return makeError(ErrorCode::ParseError,
                             "'" + std::string(value) +
                                 "' is not a duration: a number with s, min, h or d (0: forever)",
                             where);
        const auto ms = static_cast<std::int64_t>(number * scale);
        if (level == "raw")
            r.rawMs = ms;
        else if (level == "1m")
            r.oneMinuteMs = ms;
        else if (level == "15m")
            r.fifteenMinuteMs = ms;
        else
            return makeError(ErrorCode::ParseError,
                             "unknown level '" + std::string(level) + "'; use raw, 1m or 15m",
                             where);
    }
    return r;
}

} // namespace twindesk::twin
