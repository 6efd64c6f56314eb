#include <twindesk/twin/pg_store.h>
#include <twindesk/twin/project_store.h>
#include <twindesk/twin/sqlite_statement.h>
#include <twindesk/twin/sweep_results.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <sstream>

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

// PostgreSQL text literal that no value can break out of: the UTF-8 bytes in hex, decoded by
// the server (PgStore::exec takes no parameters).
std::string pgText(const std::string& text)
{
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(text.size() * 2);
    for (const unsigned char c : text) {
        hex += kHex[c >> 4];
        hex += kHex[c & 0x0f];
    }
    return "convert_from(decode('" + hex + "', 'hex'), 'UTF8')";
}

// A column PostgreSQL sent as encode(convert_to(x, 'UTF8'), 'hex').
std::optional<std::string> fromHex(const std::string& hex)
{
    if (hex.size() % 2 != 0)
        return std::nullopt;
    const auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        return -1;
    };
    std::string out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int hi = nibble(hex[i]);
        const int lo = nibble(hex[i + 1]);
        if (hi < 0 || lo < 0)
            return std::nullopt;
        out += static_cast<char>((hi << 4) | lo);
    }
    return out;
}

std::string pgHexColumn(const char* column)
{
    return std::string("encode(convert_to(") + column + ", 'UTF8'), 'hex')";
}

// The lines of a string_agg(concat_ws(' ', ...), E'\n') result, split into their fields.
std::vector<std::vector<std::string>> pgRows(const std::optional<std::string>& text)
{
    std::vector<std::vector<std::string>> rows;
    if (!text)
        return rows;
    std::istringstream in(*text);
    for (std::string line; std::getline(in, line);) {
        std::vector<std::string> fields;
        std::size_t pos = 0;
        for (;;) {
            const auto space = line.find(' ', pos);
            fields.push_back(line.substr(pos, space == std::string::npos ? space : space - pos));
            if (space == std::string::npos)
                break;
            pos = space + 1;
        }
        rows.push_back(std::move(fields));
    }
    return rows;
}

std::optional<std::int64_t> toInt64(const std::string& text)
{
    try {
        std::size_t used = 0;
        const auto v = std::stoll(text, &used);
        if (used == text.size())
            return v;
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

Error unreadable(const std::string& where)
{
    return makeError(ErrorCode::CorruptFile,
                     "the sweep_results table returned a row this build cannot read", where);
}

} // namespace

std::string SweepResultStore::location() const
{
    return m_shared != nullptr ? m_shared->location() : "project file " + m_project->location();
}

Status SweepResultStore::write(std::span<const SweepResultRow> rows, SweepWriteMode mode)
{
    const auto where = location();
    if (auto s = checkRows(rows, where); !s)
        return s;
    if (rows.empty())
        return {};
    const auto stamp = nowMs();
    const auto writtenAt = [stamp](const SweepResultRow& r) {
        return r.writtenAtMs != 0 ? r.writtenAtMs : stamp;
    };
    std::vector<std::string> sweeps;
    for (const auto& r : rows)
        if (std::find(sweeps.begin(), sweeps.end(), r.sweep) == sweeps.end())
            sweeps.push_back(r.sweep);

    if (m_shared != nullptr) {
        // One simple-query message: PostgreSQL runs its statements as one transaction, and a
        // failing one rolls all of them back.
        std::string sql;
        if (mode == SweepWriteMode::ReplaceSweep)
            for (const auto& s : sweeps)
                sql += "DELETE FROM sweep_results WHERE sweep = " + pgText(s) + ";\n";
        sql += "INSERT INTO sweep_results(sweep, variant_index, variant_count, run_label, ok, "
               "row_json, written_at, twindesk_version) VALUES ";
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const auto& r = rows[i];
            sql += (i == 0 ? "\n(" : ",\n(") + pgText(r.sweep) + ", " +
                   std::to_string(r.variantIndex) + ", " + std::to_string(r.variantCount) + ", " +
                   pgText(r.label) + ", " + (r.ok ? "1" : "0") + ", " + pgText(r.rowJson) + ", " +
                   std::to_string(writtenAt(r)) + ", " + pgText(r.version) + ")";
        }
        // Within one statement a key may not repeat under ON CONFLICT DO UPDATE: the caller's
        // rows are one per variant (a repeated index is refused by the server, nothing kept).
        sql += "\nON CONFLICT (sweep, variant_index) DO UPDATE SET "
               "variant_count = EXCLUDED.variant_count, run_label = EXCLUDED.run_label, "
               "ok = EXCLUDED.ok, row_json = EXCLUDED.row_json, "
               "written_at = EXCLUDED.written_at, twindesk_version = EXCLUDED.twindesk_version";
        if (auto s = m_shared->exec(sql); !s)
            return makeError(s.error().code, "storing sweep results: " + s.error().message,
                             s.error().where.empty() ? where : s.error().where);
        return {};
    }

    sqlite3* db = m_project->handle();
    std::string error;
    if (!sql::exec(db, "BEGIN IMMEDIATE", &error))
        return sql::storageError(db, "storing sweep results", where);
    const auto rollback = [db, &where](const std::string& what) {
        auto e = sql::storageError(db, what, where);
        std::string ignored;
        (void)sql::exec(db, "ROLLBACK", &ignored);
        return e;
    };
    if (mode == SweepWriteMode::ReplaceSweep) {
        sql::Statement del(db, "DELETE FROM sweep_results WHERE sweep = ?1");
        if (!del.valid())
            return rollback("removing the sweep's earlier results");
        for (const auto& s : sweeps) {
            del.bind(1, s);
            if (del.step() != SQLITE_DONE)
                return rollback("removing the sweep's earlier results");
            del.reset();
        }
    }
    sql::Statement ins(db, "INSERT INTO sweep_results(sweep, variant_index, variant_count, "
                           "run_label, ok, row_json, written_at, twindesk_version) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                           "ON CONFLICT (sweep, variant_index) DO UPDATE SET "
                           "variant_count = excluded.variant_count, "
                           "run_label = excluded.run_label, ok = excluded.ok, "
                           "row_json = excluded.row_json, written_at = excluded.written_at, "
                           "twindesk_version = excluded.twindesk_version");
    if (!ins.valid())
        return rollback("storing sweep results");
    for (const auto& r : rows) {
        ins.bind(1, r.sweep);
        ins.bind(2, r.variantIndex);
        ins.bind(3, r.variantCount);
        ins.bind(4, r.label);
        ins.bind(5, r.ok ? 1 : 0);
        ins.bind(6, r.rowJson);
        ins.bind(7, writtenAt(r));
        ins.bind(8, r.version);
        if (ins.step() != SQLITE_DONE)
            return rollback("storing the result of sweep '" + r.sweep + "' variant " +
                            std::to_string(r.variantIndex));
        ins.reset();
    }
    if (!sql::exec(db, "COMMIT", &error))
        return rollback("committing sweep results");
    return {};
}

Result<std::vector<SweepResultRow>> SweepResultStore::read(const std::string& sweep) const
{
    std::vector<SweepResultRow> out;
    if (m_shared != nullptr) {
        auto text = m_shared->queryText(
            "SELECT string_agg(concat_ws(' ', variant_index, variant_count, ok, written_at, " +
            pgHexColumn("run_label") + ", " + pgHexColumn("row_json") + ", " +
            pgHexColumn("twindesk_version") +
            "), E'\\n' ORDER BY variant_index) FROM sweep_results WHERE sweep = " + pgText(sweep));
        if (!text)
            return makeError(text.error().code,
                             "reading sweep '" + sweep + "': " + text.error().message,
                             text.error().where);
        for (const auto& f : pgRows(*text)) {
            if (f.size() != 7)
                return unreadable(location());
            SweepResultRow r;
            r.sweep = sweep;
            const auto index = toInt64(f[0]);
            const auto count = toInt64(f[1]);
            const auto ok = toInt64(f[2]);
            const auto at = toInt64(f[3]);
            auto label = fromHex(f[4]);
            auto json = fromHex(f[5]);
            auto version = fromHex(f[6]);
            if (!index || !count || !ok || !at || !label || !json || !version)
                return unreadable(location());
            r.variantIndex = *index;
            r.variantCount = *count;
            r.ok = *ok != 0;
            r.writtenAtMs = *at;
            r.label = std::move(*label);
            r.rowJson = std::move(*json);
            r.version = std::move(*version);
            out.push_back(std::move(r));
        }
        return out;
    }
    sqlite3* db = m_project->handle();
    sql::Statement st(db, "SELECT variant_index, variant_count, ok, written_at, run_label, "
                          "row_json, twindesk_version FROM sweep_results WHERE sweep = ?1 "
                          "ORDER BY variant_index");
    if (!st.valid())
        return sql::storageError(db, "reading sweep '" + sweep + "'", location());
    st.bind(1, sweep);
    int rc = SQLITE_ROW;
    while ((rc = st.step()) == SQLITE_ROW) {
        SweepResultRow r;
        r.sweep = sweep;
        r.variantIndex = st.int64(0);
        r.variantCount = st.int64(1);
        r.ok = st.int64(2) != 0;
        r.writtenAtMs = st.int64(3);
        r.label = st.text(4);
        r.rowJson = st.text(5);
        r.version = st.text(6);
        out.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE)
        return sql::storageError(db, "reading sweep '" + sweep + "'", location());
    return out;
}

Result<std::vector<StoredSweep>> SweepResultStore::list() const
{
    static constexpr const char* kGrouped =
        "SELECT sweep, count(*) AS n, max(variant_count) AS variants, sum(1 - ok) AS failed, "
        "min(written_at) AS first_at, max(written_at) AS last_at FROM sweep_results "
        "GROUP BY sweep";
    std::vector<StoredSweep> out;
    if (m_shared != nullptr) {
        auto text = m_shared->queryText(
            "SELECT string_agg(concat_ws(' ', " + pgHexColumn("sweep") +
            ", n, variants, failed, first_at, last_at), E'\\n' ORDER BY last_at DESC, sweep) "
            "FROM (" +
            kGrouped + ") AS s");
        if (!text)
            return makeError(text.error().code, "listing sweeps: " + text.error().message,
                             text.error().where);
        for (const auto& f : pgRows(*text)) {
            if (f.size() != 6)
                return unreadable(location());
            auto name = fromHex(f[0]);
            const auto n = toInt64(f[1]);
            const auto variants = toInt64(f[2]);
            const auto failed = toInt64(f[3]);
            const auto first = toInt64(f[4]);
            const auto last = toInt64(f[5]);
            if (!name || !n || !variants || !failed || !first || !last)
                return unreadable(location());
            out.push_back({std::move(*name), *n, *variants, *failed, *first, *last});
        }
        return out;
    }
    sqlite3* db = m_project->handle();
    sql::Statement st(db, std::string(kGrouped) + " ORDER BY last_at DESC, sweep");
    if (!st.valid())
        return sql::storageError(db, "listing sweeps", location());
    int rc = SQLITE_ROW;
    while ((rc = st.step()) == SQLITE_ROW)
        out.push_back(
            {st.text(0), st.int64(1), st.int64(2), st.int64(3), st.int64(4), st.int64(5)});
    if (rc != SQLITE_DONE)
        return sql::storageError(db, "listing sweeps", location());
    return out;
}

} // namespace twindesk::twin
