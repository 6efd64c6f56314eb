#include <twindesk/twin/pg_store.h>
#include <twindesk/twin/project_store.h>
#include <twindesk/twin/sql_connection.h>
#include <twindesk/twin/sweep_results.h>

#include <algorithm>
#include <chrono>
#include <set>

namespace twindesk::twin {

namespace {

std::int64_t nowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Status checkRows(std::span<const SweepResultRow> rows, const std::string& where)
{
    for (const auto& r : rows) {
        if (r.sweep.empty())
            return makeError(ErrorCode::InvalidArgument, "a sweep result needs a sweep name",
                             where);
        if (r.variantIndex < 0 || r.variantIndex >= r.variantCount)
            return makeError(ErrorCode::InvalidArgument,
                             "sweep '" + r.sweep + "': variant index " +
                                 std::to_string(r.variantIndex) + " is outside its " +
                                 std::to_string(r.variantCount) + " variants",
                             where);
    }
    // One row per variant and batch: PostgreSQL's ON CONFLICT DO UPDATE refuses a key twice in
    // one statement and SQLite would keep the last; refuse it alike on both.
    std::set<std::pair<std::string_view, std::int64_t>> seen;
    for (const auto& r : rows)
        if (!seen.emplace(r.sweep, r.variantIndex).second)
            return makeError(ErrorCode::InvalidArgument,
                             "sweep '" + r.sweep + "': variant " + std::to_string(r.variantIndex) +
                                 " given twice in one write",
                             where);
    return {};
}

Error withWhere(Error e, const std::string& where)
{
    if (e.where.empty())
        e.where = where;
    return e;
}

} // namespace

SweepResultStore::SweepResultStore(ProjectStore& project)
    : m_sql(&project.sql()), m_location("project file " + project.location())
{
}

SweepResultStore::SweepResultStore(PgStore& shared)
    : m_sql(&shared.sql()), m_location(shared.location())
{
}

std::string SweepResultStore::location() const
{
    return m_location;
}

Status SweepResultStore::write(std::span<const SweepResultRow> rows, SweepWriteMode mode)
{
    const auto& where = m_location;
    if (auto s = checkRows(rows, where); !s)
        return s;
    if (rows.empty())
        return {};
    const auto stamp = nowMs();
    std::vector<std::string> sweeps;
    for (const auto& r : rows)
        if (std::find(sweeps.begin(), sweeps.end(), r.sweep) == sweeps.end())
            sweeps.push_back(r.sweep);

    // One transaction, the same statements on both back ends (sql_connection.h).
    if (auto s = m_sql->beginWrite("storing sweep results"); !s)
        return withWhere(s.error(), where);
    const auto fail = [this, &where](const Error& e) -> Status {
        m_sql->rollback();
        return withWhere(e, where);
    };
    if (mode == SweepWriteMode::ReplaceSweep)
        for (const auto& sweep : sweeps)
            if (auto n = m_sql->execute("DELETE FROM sweep_results WHERE sweep = ?", {sweep},
                                        "removing the sweep's earlier results");
                !n)
                return fail(n.error());
    for (const auto& r : rows) {
        auto n = m_sql->execute(
            "INSERT INTO sweep_results(sweep, variant_index, variant_count, run_label, ok, "
            "row_json, written_at, twindesk_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (sweep, variant_index) DO UPDATE SET "
            "variant_count = excluded.variant_count, run_label = excluded.run_label, "
            "ok = excluded.ok, row_json = excluded.row_json, written_at = excluded.written_at, "
            "twindesk_version = excluded.twindesk_version",
            {r.sweep, r.variantIndex, r.variantCount, r.label, std::int64_t{r.ok ? 1 : 0},
             r.rowJson, r.writtenAtMs != 0 ? r.writtenAtMs : stamp, r.version},
            "storing the result of sweep '" + r.sweep + "' variant " +
                std::to_string(r.variantIndex));
        if (!n)
            return fail(n.error());
    }
    if (auto s = m_sql->commit("committing sweep results"); !s)
        return fail(s.error());
    return {};
}

Result<std::vector<SweepResultRow>> SweepResultStore::read(const std::string& sweep) const
{
    std::vector<SweepResultRow> out;
    if (auto s = m_sql->forEach(
            "SELECT variant_index, variant_count, ok, written_at, run_label, row_json, "
            "twindesk_version FROM sweep_results WHERE sweep = ? ORDER BY variant_index",
            std::vector<SqlValue>{sweep},
            [&out, &sweep](const SqlRow& row) {
                SweepResultRow r;
                r.sweep = sweep;
                r.variantIndex = row.int64(0);
                r.variantCount = row.int64(1);
                r.ok = row.int64(2) != 0;
                r.writtenAtMs = row.int64(3);
                r.label = row.text(4);
                r.rowJson = row.text(5);
                r.version = row.text(6);
                out.push_back(std::move(r));
                return true;
            },
            "reading sweep '" + sweep + "'");
        !s)
        return withWhere(s.error(), m_location);
    return out;
}

Result<std::vector<StoredSweep>> SweepResultStore::list() const
{
    std::vector<StoredSweep> out;
    if (auto s = m_sql->forEach(
            "SELECT sweep, count(*) AS n, max(variant_count) AS variants, sum(1 - ok) AS failed, "
            "min(written_at) AS first_at, max(written_at) AS last_at FROM sweep_results "
            "GROUP BY sweep ORDER BY last_at DESC, sweep",
            {},
            [&out](const SqlRow& row) {
                out.push_back({row.text(0), row.int64(1), row.int64(2), row.int64(3),
                               row.int64(4), row.int64(5)});
                return true;
            },
            "listing sweeps");
        !s)
        return withWhere(s.error(), m_location);
    return out;
}

} // namespace twindesk::twin
