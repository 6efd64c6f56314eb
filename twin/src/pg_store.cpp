#include <twindesk/twin/pg_store.h>
#include <twindesk/twin/project_store.h>
#include <twindesk/twin/sql_connection.h>
#include <twindesk/twin/store_schema.h>

#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <cmath>
#include <limits>
#include <map>
#include <poll.h>
#include <regex>
#include <unordered_map>

namespace twindesk::twin {

namespace {

// Key of the transaction-level advisory lock that serialises schema migrations ('TWND' + 1).
constexpr std::int64_t kMigrationLockKey = 0x54574E4401;
// Bytes of COPY text handed to libpq at a time.
constexpr std::size_t kCopyChunk = 1 << 20;

struct ConnDeleter
{
    void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultDeleter
{
    void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

std::string trimmed(const char* message)
{
    std::string s = message != nullptr ? message : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    return s;
}

void appendInt(std::string& out, std::int64_t v)
{
    std::array<char, 24> buf{};
    const auto end = std::to_chars(buf.data(), buf.data() + buf.size(), v).ptr;
    out.append(buf.data(), end);
}

void appendDouble(std::string& out, double v)
{
    std::array<char, 32> buf{};
    // Shortest text that reads back to the same double: the value survives bit for bit.
    const auto end = std::to_chars(buf.data(), buf.data() + buf.size(), v).ptr;
    out.append(buf.data(), end);
}

std::int64_t toInt64(const char* text)
{
    std::int64_t v = 0;
    std::from_chars(text, text + std::strlen(text), v);
    return v;
}

double toDouble(const char* text)
{
    // PostgreSQL writes doubles with extra_float_digits = 1 (the default since 12): shortest
    // exact text, which strtod reads back exactly.
    return std::strtod(text, nullptr);
}

// `?` and `?N` placeholders (SqlConnection's notation) → `$n`; quoted text is left alone.
std::string postgresPlaceholders(std::string_view sql)
{
    std::string out;
    out.reserve(sql.size() + 8);
    int next = 0;
    char quote = 0;
    for (std::size_t i = 0; i < sql.size(); ++i) {
        const char c = sql[i];
        if (quote != 0) {
            out += c;
            if (c == quote)
                quote = 0;
            continue;
        }
        if (c == '\'' || c == '"') {
            quote = c;
            out += c;
            continue;
        }
        if (c != '?') {
            out += c;
            continue;
        }
        std::size_t j = i + 1;
        while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9')
            ++j;
        out += '$';
        if (j > i + 1) {
            out.append(sql.substr(i + 1, j - i - 1));
            i = j - 1;
        } else {
            out += std::to_string(++next);
        }
    }
    return out;
}

// PostgreSQL type OIDs (pg_type.h) of the parameters and columns SqlConnection handles.
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kTextOid = 25;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;
constexpr Oid kByteaOid = 17;

} // namespace

struct PgStore::Impl
{
    std::unique_ptr<PGconn, ConnDeleter> conn;
    std::string url; // redacted
    int schemaVersion = 0;
    std::map<std::string, std::int64_t> seriesCache;
    std::vector<std::string> channels; // LISTENed, renewed after a reconnect

    [[nodiscard]] Error fail(const std::string& what) const
    {
        return makeError(ErrorCode::StorageError,
                         what + ": " + trimmed(PQerrorMessage(conn.get())), url);
    }

    [[nodiscard]] Error fail(const std::string& what, const PGresult* r) const
    {
        const char* msg = r != nullptr ? PQresultErrorMessage(r) : nullptr;
        return makeError(ErrorCode::StorageError,
                         what + ": " +
                             trimmed(msg != nullptr && *msg != '\0' ? msg
                                                                    : PQerrorMessage(conn.get())),
                         url);
    }

    // Runs `sql` and requires `expected` as the result status.
    Result<PgResult> run(const std::string& sql, const std::string& what,
                         ExecStatusType expected = PGRES_COMMAND_OK) const
    {
        PgResult r(PQexec(conn.get(), sql.c_str()));
        if (!r || PQresultStatus(r.get()) != expected)
            return fail(what, r.get());
        return r;
    }

    Result<PgResult> runParams(const std::string& sql, const std::vector<std::string>& params,
                               const std::string& what,
                               ExecStatusType expected = PGRES_TUPLES_OK) const
    {
        std::vector<const char*> values;
        values.reserve(params.size());
        for (const auto& p : params)
            values.push_back(p.c_str());
        PgResult r(PQexecParams(conn.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                                values.data(), nullptr, nullptr, 0));
        if (!r || PQresultStatus(r.get()) != expected)
            return fail(what, r.get());
        return r;
    }

    void rollback() const { PgResult r(PQexec(conn.get(), "ROLLBACK")); }

    // What a session needs beyond the connection; run again after a reconnect.
    Status setUpSession() const
    {
        // Quiet the NOTICEs of IF NOT EXISTS; name the connection in pg_stat_activity.
        if (auto r = run("SET client_min_messages = warning; SET application_name = 'twindesk'",
                         "configuring the session");
            !r)
            return r.error();
        // Staging table of historian ingest: private to this session, emptied at each commit.
        if (auto r = run("CREATE TEMP TABLE IF NOT EXISTS historian_in(n BIGINT, series BIGINT, "
                         "t BIGINT, value DOUBLE PRECISION) ON COMMIT DELETE ROWS",
                         "creating the ingest staging table");
            !r)
            return r.error();
        for (const auto& channel : channels)
            if (auto r = run("LISTEN " + channel, "listening on '" + channel + "'"); !r)
                return r.error();
        return {};
    }

    // A connection the server dropped (restart, failover, network) is re-established once per
    // call: the caller's operation then runs on the new session, and a writer's batch that
    // failed while the server was away is stored by its next flush.
    Status ensureConnected() const
    {
        if (PQstatus(conn.get()) == CONNECTION_OK)
            return {};
        PQreset(conn.get());
        if (PQstatus(conn.get()) != CONNECTION_OK)
            return fail("the connection to the shared store is lost and reconnecting failed");
        return setUpSession();
    }

    Status migrate()
    {
        if (auto r = run("BEGIN", "starting the schema migration"); !r)
            return r.error();
        auto abort = [this](Error e) -> Status {
            rollback();
            return e;
        };
        if (auto r = run("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLockKey) + ")",
                         "locking the schema", PGRES_TUPLES_OK);
            !r)
            return abort(r.error());
        if (auto r = run("CREATE TABLE IF NOT EXISTS twindesk_schema(version INTEGER NOT NULL)",
                         "creating twindesk_schema");
            !r)
            return abort(r.error());
        auto version = run("SELECT version FROM twindesk_schema", "reading the schema version",
                           PGRES_TUPLES_OK);
        if (!version)
            return abort(version.error());
        int from = 0;
        if (PQntuples(version->get()) == 0) {
            if (auto r = run("INSERT INTO twindesk_schema(version) VALUES (0)",
                             "initialising the schema version");
                !r)
                return abort(r.error());
        } else {
            from = static_cast<int>(toInt64(PQgetvalue(version->get(), 0, 0)));
        }
        if (from > ProjectStore::kSchemaVersion)
            return abort(makeError(ErrorCode::SchemaTooNew,
                                   "the shared store has schema version " + std::to_string(from) +
                                       ", newer than this TwinDesk's " +
                                       std::to_string(ProjectStore::kSchemaVersion) +
                                       "; upgrade TwinDesk",
                                   url));
        for (int v = from + 1; v <= ProjectStore::kSchemaVersion; ++v) {
            auto statements = schemaMigration(SqlDialect::Postgres, v);
            if (!statements)
                return abort(statements.error());
            for (const auto& s : *statements)
                if (auto r = run(s, "schema migration " + std::to_string(v - 1) + " → " +
                                        std::to_string(v) + " failed (nothing was changed)");
                    !r)
                    return abort(r.error());
        }
        if (auto r = run("UPDATE twindesk_schema SET version = " +
                             std::to_string(ProjectStore::kSchemaVersion),
                         "setting the schema version");
            !r)
            return abort(r.error());
        if (auto r = run("COMMIT", "committing the schema migration"); !r)
            return abort(r.error());
        schemaVersion = std::max(from, ProjectStore::kSchemaVersion);
        return {};
    }
};

// SqlConnection over the store's connection (sql_connection.h): the decision log and the
// approval queue on the shared store.
class PgStore::Sql final : public SqlConnection
{
public:
    explicit Sql(PgStore::Impl& impl) : m_impl(impl) {}

    [[nodiscard]] SqlDialect dialect() const override { return SqlDialect::Postgres; }
    [[nodiscard]] const std::string& location() const override { return m_impl.url; }
    [[nodiscard]] bool readOnly() const override { return false; }

    Status forEach(std::string_view sql, std::span<const SqlValue> params,
                   const std::function<bool(const SqlRow&)>& row, const std::string& what) override
    {
        if (auto c = connected(); !c)
            return c;
        auto* conn = m_impl.conn.get();
        Params p(params);
        const std::string& text = translated(sql);
        if (PQsendQueryParams(conn, text.c_str(), p.count(), p.types.data(), p.values.data(),
                              nullptr, nullptr, 0) != 1)
            return m_impl.fail(what);
        // Row by row: a long decision log is verified without holding it in memory.
        PQsetSingleRowMode(conn);
        std::optional<Error> error;
        bool stopped = false;
        SqlRow r;
        while (PgResult res{PQgetResult(conn)}) {
            const auto status = PQresultStatus(res.get());
            if (status == PGRES_SINGLE_TUPLE) {
                if (stopped || error)
                    continue; // drain the rest: the connection must be idle afterwards
                read(res.get(), r);
                if (!row(r))
                    stopped = true;
            } else if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK && !error) {
                error = m_impl.fail(what, res.get());
            }
        }
        if (error)
            return *error;
        return {};
    }

    Result<std::int64_t> execute(std::string_view sql, std::span<const SqlValue> params,
                                 const std::string& what) override
    {
        if (auto c = connected(); !c)
            return c.error();
        Params p(params);
        const std::string& text = translated(sql);
        PgResult r(PQexecParams(m_impl.conn.get(), text.c_str(), p.count(), p.types.data(),
                                p.values.data(), nullptr, nullptr, 0));
        const auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
            return m_impl.fail(what, r.get());
        const char* changed = PQcmdTuples(r.get());
        return changed != nullptr && *changed != '\0' ? toInt64(changed) : std::int64_t{0};
    }

    Status beginWrite(const std::string& what) override { return begin("BEGIN", what); }
    Status beginRead(const std::string& what) override
    {
        return begin("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", what);
    }
    Status commit(const std::string& what) override
    {
        auto s = run("COMMIT", what);
        m_inTransaction = false;
        return s;
    }
    void rollback() override
    {
        m_inTransaction = false;
        if (PQstatus(m_impl.conn.get()) == CONNECTION_OK &&
            PQtransactionStatus(m_impl.conn.get()) != PQTRANS_IDLE)
            m_impl.rollback();
    }
    Status notify(const std::string& channel, const std::string& payload) override
    {
        const std::array<SqlValue, 2> params{channel, payload};
        auto r = execute("SELECT pg_notify(?, ?)", params, "notifying '" + channel + "'");
        if (!r)
            return r.error();
        return {};
    }

private:
    struct Params
    {
        explicit Params(std::span<const SqlValue> params)
        {
            text.reserve(params.size());
            for (const auto& v : params) {
                if (const auto* i = std::get_if<std::int64_t>(&v)) {
                    text.push_back(std::to_string(*i));
                    types.push_back(kInt8Oid);
                } else if (const auto* d = std::get_if<double>(&v)) {
                    std::string t;
                    appendDouble(t, *d);
                    text.push_back(std::move(t));
                    types.push_back(kFloat8Oid);
                } else if (const auto* s = std::get_if<std::string>(&v)) {
                    text.push_back(*s);
                    types.push_back(kTextOid);
                } else {
                    text.emplace_back();
                    types.push_back(0); // NULL: the server infers the type
                }
            }
            for (std::size_t i = 0; i < params.size(); ++i)
                values.push_back(std::holds_alternative<std::monostate>(params[i])
                                     ? nullptr
                                     : text[i].c_str());
        }
        [[nodiscard]] int count() const { return static_cast<int>(values.size()); }
        std::vector<std::string> text;
        std::vector<Oid> types;
        std::vector<const char*> values;
    };

    static void read(const PGresult* res, SqlRow& r)
    {
        const int columns = PQnfields(res);
        r.values.resize(static_cast<std::size_t>(columns));
        r.types.resize(static_cast<std::size_t>(columns));
        for (int c = 0; c < columns; ++c) {
            const auto i = static_cast<std::size_t>(c);
            if (PQgetisnull(res, 0, c) != 0) {
                r.values[i] = std::monostate{};
                r.types[i] = SqlType::Null;
                continue;
            }
            const char* v = PQgetvalue(res, 0, c);
            switch (PQftype(res, c)) {
            case kBoolOid: // EXISTS(...) and comparisons: 1 or 0, as SQLite gives them
                r.values[i] = std::int64_t{*v == 't' ? 1 : 0};
                r.types[i] = SqlType::Integer;
                break;
            case kInt8Oid:
            case kInt4Oid:
            case kInt2Oid:
                r.values[i] = toInt64(v);
                r.types[i] = SqlType::Integer;
                break;
            case kFloat8Oid:
            case kFloat4Oid:
            case kNumericOid:
                r.values[i] = toDouble(v);
                r.types[i] = SqlType::Real;
                break;
            case kByteaOid:
                r.values[i] = std::string(v, static_cast<std::size_t>(PQgetlength(res, 0, c)));
                r.types[i] = SqlType::Blob;
                break;
            default:
                r.values[i] = std::string(v, static_cast<std::size_t>(PQgetlength(res, 0, c)));
                r.types[i] = SqlType::Text;
                break;
            }
        }
    }

    // Inside a transaction a lost connection is an error (the transaction and what it wrote
    // are gone; running the rest outside it would store half of it); outside one, the
    // connection is re-established once.
    Status connected()
    {
        if (m_inTransaction && PQstatus(m_impl.conn.get()) != CONNECTION_OK)
            return m_impl.fail("the connection to the shared store was lost during a "
                               "transaction (nothing of it was stored)");
        return m_impl.ensureConnected();
    }

    const std::string& translated(std::string_view sql)
    {
        auto it = m_translated.find(std::string(sql));
        if (it == m_translated.end()) {
            if (m_translated.size() >= 64)
                m_translated.clear();
            it = m_translated.emplace(std::string(sql), postgresPlaceholders(sql)).first;
        }
        return it->second;
    }

    Status run(const char* text, const std::string& what)
    {
        if (auto c = connected(); !c)
            return c;
        if (auto r = m_impl.run(text, what); !r)
            return r.error();
        return {};
    }

    Status begin(const char* text, const std::string& what)
    {
        if (auto s = run(text, what); !s)
            return s;
        m_inTransaction = true;
        return {};
    }

    PgStore::Impl& m_impl;
    std::unordered_map<std::string, std::string> m_translated;
    bool m_inTransaction = false;
};

SqlConnection& PgStore::sql()
{
    if (!m_sql)
        m_sql = std::make_unique<Sql>(*m_impl);
    return *m_sql;
}

bool PgStore::isPostgresUrl(std::string_view url)
{
    return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

std::string PgStore::redactedUrl(std::string_view url)
{
    static const std::regex password(R"(^(postgres(?:ql)?://[^:@/]*):[^@/]*@)");
    static const std::regex keyword(R"((\bpassword\s*=\s*)\S+)");
    std::string out = std::regex_replace(std::string(url), password, "$1:***@");
    return std::regex_replace(out, keyword, "$1***");
}

PgStore::PgStore(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
PgStore::PgStore(PgStore&&) noexcept = default;
PgStore& PgStore::operator=(PgStore&&) noexcept = default;
PgStore::~PgStore() = default;

Result<PgStore> PgStore::connect(const std::string& url)
{
    auto impl = std::make_unique<Impl>();
    impl->url = redactedUrl(url);
    impl->conn.reset(PQconnectdb(url.c_str()));
    if (!impl->conn || PQstatus(impl->conn.get()) != CONNECTION_OK)
        return makeError(ErrorCode::StorageError,
                         "cannot connect to the shared store: " +
                             trimmed(impl->conn ? PQerrorMessage(impl->conn.get())
                                                : "out of memory") +
                             " (is the server running, and the URL "
                             "postgresql://user@host:port/database right?)",
                         impl->url);
    if (auto r = impl->run("SET client_min_messages = warning", "configuring the session"); !r)
        return r.error();
    if (auto s = impl->migrate(); !s)
        return s.error();
    if (auto s = impl->setUpSession(); !s)
        return s.error();
    return PgStore(std::move(impl));
}

int PgStore::schemaVersion() const
{
    return m_impl->schemaVersion;
}

std::string PgStore::location() const
{
    return m_impl->url;
}

Result<std::int64_t> PgStore::seriesId(const std::string& point)
{
    if (auto c = m_impl->ensureConnected(); !c)
        return c.error();
    if (const auto it = m_impl->seriesCache.find(point); it != m_impl->seriesCache.end())
        return it->second;
    // ON CONFLICT DO NOTHING returns no row when the series exists: then read it. When another
    // writer created it after this statement's snapshot was taken, neither part sees a row:
    // the next statement (a new snapshot) does.
    PgResult found;
    for (int attempt = 0; attempt < 3 && !found; ++attempt) {
        auto r = m_impl->runParams("WITH added AS (INSERT INTO series(point) VALUES ($1) "
                                   "ON CONFLICT (point) DO NOTHING RETURNING id) "
                                   "SELECT id FROM added UNION ALL "
                                   "SELECT id FROM series WHERE point = $1",
                                   {point}, "resolving series '" + point + "'");
        if (!r)
            return r.error();
        if (PQntuples(r->get()) > 0)
            found = std::move(*r);
    }
    if (!found)
        return makeError(ErrorCode::StorageError, "series '" + point + "' was not created",
                         m_impl->url);
    const auto* r = &found;
    const auto id = toInt64(PQgetvalue(r->get(), 0, 0));
    m_impl->seriesCache.emplace(point, id);
    return id;
}

Status PgStore::appendSeries(std::span<const SeriesSample> samples)
{
    if (auto c = m_impl->ensureConnected(); !c)
        return c.error();
    if (samples.empty())
        return {};
    auto* conn = m_impl->conn.get();
    if (auto r = m_impl->run("BEGIN", "starting a historian batch"); !r)
        return r.error();
    auto abort = [this](Error e) -> Status {
        e.message += " (the batch was not stored)";
        m_impl->rollback();
        return e;
    };
    if (auto r = m_impl->run("COPY historian_in(n, series, t, value) FROM STDIN",
                             "starting the historian COPY", PGRES_COPY_IN);
        !r)
        return abort(r.error());
    std::string chunk;
    chunk.reserve(kCopyChunk + 128);
    std::int64_t n = 0;
    bool copyFailed = false;
    for (const auto& s : samples) {
        appendInt(chunk, n++);
        chunk += '\t';
        appendInt(chunk, s.series);
        chunk += '\t';
        appendInt(chunk, s.time);
        chunk += '\t';
        if (std::isnan(s.value)) // bad quality: NULL, as SQLite stores a NaN
            chunk += "\\N";
        else
            appendDouble(chunk, s.value);
        chunk += '\n';
        if (chunk.size() >= kCopyChunk) {
            if (PQputCopyData(conn, chunk.data(), static_cast<int>(chunk.size())) != 1) {
                copyFailed = true;
                break;
            }
            chunk.clear();
        }
    }
    if (!copyFailed && !chunk.empty() &&
        PQputCopyData(conn, chunk.data(), static_cast<int>(chunk.size())) != 1)
        copyFailed = true;
    if (PQputCopyEnd(conn, copyFailed ? "client failed to send the batch" : nullptr) != 1)
        return abort(m_impl->fail("ending the historian COPY"));
    {
        PgResult r(PQgetResult(conn));
        if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
            auto e = m_impl->fail("sending the historian batch", r.get());
            while (PgResult more{PQgetResult(conn)}) {
            }
            return abort(e);
        }
        while (PgResult more{PQgetResult(conn)}) {
        }
    }
    // Last sample wins for a (series, t) that appears twice in the batch, as in SQLite.
    if (auto r = m_impl->run("INSERT INTO historian(series, t, value) "
                             "SELECT DISTINCT ON (series, t) series, t, value FROM historian_in "
                             "ORDER BY series, t, n DESC "
                             "ON CONFLICT (series, t) DO UPDATE SET value = EXCLUDED.value",
                             "storing a historian batch");
        !r)
        return abort(r.error());
    if (auto r = m_impl->run("COMMIT", "committing a historian batch"); !r)
        return abort(r.error());
    return {};
}

Status PgStore::appendSamples(std::span<const Sample> samples)
{
    std::vector<SeriesSample> rows;
    rows.reserve(samples.size());
    for (const auto& s : samples) {
        auto id = seriesId(s.point);
        if (!id) {
            auto e = id.error();
            e.message += " (the batch was not stored)";
            return e;
        }
        rows.push_back({*id, s.time, s.value});
    }
    return appendSeries(rows);
}

Result<std::vector<Sample>> PgStore::samples(const std::string& point, std::int64_t from,
                                             std::int64_t to) const
{
    if (auto c = m_impl->ensureConnected(); !c)
        return c.error();
    auto r = m_impl->runParams("SELECT h.t, h.value FROM historian h JOIN series s "
                               "ON s.id = h.series WHERE s.point = $1 AND h.t >= $2 AND h.t < $3 "
                               "ORDER BY h.t",
                               {point, std::to_string(from), std::to_string(to)},
                               "querying the historian");
    if (!r)
        return r.error();
    std::vector<Sample> out;
    const int rows = PQntuples(r->get());
    out.reserve(static_cast<std::size_t>(rows));
    for (int i = 0; i < rows; ++i)
        // A NULL (bad-quality) value reads as 0.0 here, as the SQLite back end's samples() does.
        out.push_back(Sample{point, toInt64(PQgetvalue(r->get(), i, 0)),
                             PQgetisnull(r->get(), i, 1) ? 0.0
                                                         : toDouble(PQgetvalue(r->get(), i, 1))});
    return out;
}

Result<std::int64_t> PgStore::sampleCount() const
{
    if (auto c = m_impl->ensureConnected(); !c)
        return c.error();
    auto r = m_impl->run("SELECT count(*) FROM historian", "counting samples", PGRES_TUPLES_OK);
    if (!r)
        return r.error();
    return toInt64(PQgetvalue(r->get(), 0, 0));
}

Result<std::vector<Sample>> PgStore::latestSamples(std::int64_t atOrBefore) const
{
    if (auto c = m_impl->ensureConnected(); !c)
        return c.error();
    // One index seek per series (LATERAL ... ORDER BY t DESC LIMIT 1 on the primary key).
    auto r = m_impl->runParams("SELECT s.point, h.t, h.value FROM series s CROSS JOIN LATERAL "
                               "(SELECT t, value FROM historian WHERE series = s.id AND t <= $1 "
                               "ORDER BY t DESC LIMIT 1) h ORDER BY s.point COLLATE \"C\"",
                               {std::to_string(atOrBefore)}, "reading the latest samples");
    if (!r)
        return r.error();
    std::vector<Sample> out;
    const int rows = PQntuples(r->get());
    for (int i = 0; i < rows; ++i)
        out.push_back(Sample{PQgetvalue(r->get(), i, 0), toInt64(PQgetvalue(r->get(), i, 1)),
                             PQgetisnull(r->get(), i, 2)
                                 ? std::numeric_limits<double>::quiet_NaN()
                                 : toDouble(PQgetvalue(r->get(), i, 2))});
    return out;
}

Result<std::optional<std::pair<std::int64_t, std::int64_t>>> PgStore::historianRange() const
{
    if (auto c = m_impl->ensureConnected(); !c)
        return c.error();
    auto r = m_impl->run("SELECT min(t), max(t) FROM historian", "reading the historian's range",
                         PGRES_TUPLES_OK);
    if (!r)
        return r.error();
    if (PQgetisnull(r->get(), 0, 0))
        return std::optional<std::pair<std::int64_t, std::int64_t>>{};
    return std::optional<std::pair<std::int64_t, std::int64_t>>{std::pair<std::int64_t, std::int64_t>{
        toInt64(PQgetvalue(r->get(), 0, 0)), toInt64(PQgetvalue(r->get(), 0, 1))}};
}

Status PgStore::exec(const std::string& sql)
{
    if (auto c = m_impl->ensureConnected(); !c)
        return c.error();
    PgResult r(PQexec(m_impl->conn.get(), sql.c_str()));
    const auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        return m_impl->fail("running SQL", r.get());
    return {};
}

Result<std::optional<std::string>> PgStore::queryText(const std::string& sql) const
{
    if (auto c = m_impl->ensureConnected(); !c)
        return c.error();
    auto r = m_impl->run(sql, "running a query", PGRES_TUPLES_OK);
    if (!r)
        return r.error();
    if (PQntuples(r->get()) == 0 || PQgetisnull(r->get(), 0, 0))
        return std::optional<std::string>{};
    return std::optional<std::string>{PQgetvalue(r->get(), 0, 0)};
}

Status PgStore::listen(const std::string& channel)
{
    static const std::regex identifier(R"(^[A-Za-z_][A-Za-z0-9_]*$)");
    if (!std::regex_match(channel, identifier))
        return makeError(ErrorCode::InvalidArgument,
                         "notification channel '" + channel +
                             "' is not an identifier (letters, digits, '_')",
                         m_impl->url);
    if (auto c = m_impl->ensureConnected(); !c)
        return c.error();
    if (auto r = m_impl->run("LISTEN " + channel, "listening on '" + channel + "'"); !r)
        return r.error();
    m_impl->channels.push_back(channel);
    return {};
}

Status PgStore::notify(const std::string& channel, const std::string& payload)
{
    if (auto c = m_impl->ensureConnected(); !c)
        return c.error();
    if (auto r = m_impl->runParams("SELECT pg_notify($1, $2)", {channel, payload},
                                   "notifying '" + channel + "'");
        !r)
        return r.error();
    return {};
}

Result<std::vector<StoreNotification>> PgStore::waitForNotifications(int timeoutMs)
{
    if (auto c = m_impl->ensureConnected(); !c)
        return c.error();
    auto* conn = m_impl->conn.get();
    std::vector<StoreNotification> out;
    auto drain = [&]() -> bool {
        // A server that shut down sends a FATAL message before it closes: consuming it may
        // succeed and leave the connection bad.
        if (PQconsumeInput(conn) != 1 || PQstatus(conn) != CONNECTION_OK)
            return false;
        while (PGnotify* n = PQnotifies(conn)) {
            out.push_back({n->relname, n->extra, n->be_pid});
            PQfreemem(n);
        }
        return true;
    };
    if (!drain())
        return m_impl->fail("reading notifications");
    if (!out.empty() || timeoutMs <= 0)
        return out;
    pollfd fd{PQsocket(conn), POLLIN, 0};
    if (fd.fd < 0)
        return m_impl->fail("waiting for notifications");
    const int ready = ::poll(&fd, 1, timeoutMs);
    if (ready < 0)
        return makeError(ErrorCode::IoError, "poll() failed while waiting for notifications",
                         m_impl->url);
    if (ready > 0 && !drain())
        return m_impl->fail("reading notifications");
    return out;
}

} // namespace twindesk::twin
