#include <twindesk/twin/sql_connection.h>
#include <twindesk/twin/sqlite_statement.h>

#include <sqlite3.h>

#include <array>
#include <charconv>
#include <cstdlib>
#include <unordered_map>

namespace twindesk::twin {

// ---- SqlRow ----

bool SqlRow::null(std::size_t column) const
{
    return std::holds_alternative<std::monostate>(values.at(column));
}

std::int64_t SqlRow::int64(std::size_t column) const
{
    const auto& v = values.at(column);
    if (const auto* i = std::get_if<std::int64_t>(&v))
        return *i;
    if (const auto* d = std::get_if<double>(&v))
        return static_cast<std::int64_t>(*d);
    if (const auto* s = std::get_if<std::string>(&v)) {
        std::int64_t out = 0;
        std::from_chars(s->data(), s->data() + s->size(), out);
        return out;
    }
    return 0;
}

double SqlRow::real(std::size_t column) const
{
    const auto& v = values.at(column);
    if (const auto* d = std::get_if<double>(&v))
        return *d;
    if (const auto* i = std::get_if<std::int64_t>(&v))
        return static_cast<double>(*i);
    if (const auto* s = std::get_if<std::string>(&v))
        return std::strtod(s->c_str(), nullptr);
    return 0.0;
}

std::string SqlRow::text(std::size_t column) const
{
    const auto& v = values.at(column);
    if (const auto* s = std::get_if<std::string>(&v))
        return *s;
    if (const auto* i = std::get_if<std::int64_t>(&v))
        return std::to_string(*i);
    if (const auto* d = std::get_if<double>(&v)) {
        std::array<char, 32> buf{};
        const auto end = std::to_chars(buf.data(), buf.data() + buf.size(), *d).ptr;
        return {buf.data(), end};
    }
    return {};
}

Result<std::vector<SqlRow>> SqlConnection::query(std::string_view sql,
                                                 std::span<const SqlValue> params,
                                                 const std::string& what)
{
    std::vector<SqlRow> rows;
    if (auto s = forEach(
            sql, params,
            [&rows](const SqlRow& r) {
                rows.push_back(r);
                return true;
            },
            what);
        !s)
        return s.error();
    return rows;
}

// ---- SQLite ----

namespace {

class SqliteConnection final : public SqlConnection
{
public:
    SqliteConnection(sqlite3* db, std::string location)
        : m_db(db), m_location(std::move(location)),
          m_readOnly(sqlite3_db_readonly(db, "main") == 1)
    {
    }

    [[nodiscard]] SqlDialect dialect() const override { return SqlDialect::Sqlite; }
    [[nodiscard]] const std::string& location() const override { return m_location; }
    [[nodiscard]] bool readOnly() const override { return m_readOnly; }

    Status forEach(std::string_view sql, std::span<const SqlValue> params,
                   const std::function<bool(const SqlRow&)>& row, const std::string& what) override
    {
        auto st = statement(sql, params, what);
        if (!st)
            return st.error();
        sql::Statement& s = **st;
        SqlRow r;
        int rc = 0;
        while ((rc = s.step()) == SQLITE_ROW) {
            const int columns = sqlite3_column_count(s.get());
            r.values.resize(static_cast<std::size_t>(columns));
            r.types.resize(static_cast<std::size_t>(columns));
            for (int c = 0; c < columns; ++c) {
                const auto i = static_cast<std::size_t>(c);
                switch (s.type(c)) {
                case SQLITE_INTEGER:
                    r.values[i] = s.int64(c);
                    r.types[i] = SqlType::Integer;
                    break;
                case SQLITE_FLOAT:
                    r.values[i] = s.real(c);
                    r.types[i] = SqlType::Real;
                    break;
                case SQLITE_NULL:
                    r.values[i] = std::monostate{};
                    r.types[i] = SqlType::Null;
                    break;
                case SQLITE_BLOB:
                    r.values[i] = s.text(c);
                    r.types[i] = SqlType::Blob;
                    break;
                default:
                    r.values[i] = s.text(c);
                    r.types[i] = SqlType::Text;
                    break;
                }
            }
            if (!row(r)) {
                s.reset();
                return {};
            }
        }
        if (rc != SQLITE_DONE) {
            auto err = sql::storageError(m_db, what, m_location);
            s.reset();
            return err;
        }
        s.reset();
        return {};
    }

    Result<std::int64_t> execute(std::string_view sql, std::span<const SqlValue> params,
                                 const std::string& what) override
    {
        auto st = statement(sql, params, what);
        if (!st)
            return st.error();
        sql::Statement& s = **st;
        int rc = 0;
        while ((rc = s.step()) == SQLITE_ROW) {
        }
        if (rc != SQLITE_DONE) {
            auto err = sql::storageError(m_db, what, m_location);
            s.reset();
            return err;
        }
        s.reset();
        return static_cast<std::int64_t>(sqlite3_changes(m_db));
    }

    Status beginWrite(const std::string& what) override { return run("BEGIN IMMEDIATE", what); }
    Status beginRead(const std::string& what) override { return run("BEGIN", what); }
    Status commit(const std::string& what) override { return run("COMMIT", what); }
    void rollback() override
    {
        if (sqlite3_get_autocommit(m_db) == 0)
            (void)sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    Status notify(const std::string& /*channel*/, const std::string& /*payload*/) override
    {
        return {};
    }

private:
    // The statement for `sql`, prepared once and kept, with `params` bound.
    Result<sql::Statement*> statement(std::string_view sql, std::span<const SqlValue> params,
                                      const std::string& what)
    {
        auto it = m_statements.find(std::string(sql));
        if (it == m_statements.end()) {
            // A bounded cache: callers use a fixed set of statements, a runaway caller
            // building statements from values would otherwise grow it for ever.
            if (m_statements.size() >= kMaxStatements)
                m_statements.clear();
            sql::Statement st(m_db, sql, SQLITE_PREPARE_PERSISTENT);
            if (!st.valid())
                return sql::storageError(m_db, what + " (preparing the statement)", m_location);
            it = m_statements.emplace(std::string(sql), std::move(st)).first;
        }
        sql::Statement& st = it->second;
        st.reset();
        int i = 1;
        for (const auto& p : params) {
            if (const auto* v = std::get_if<std::int64_t>(&p))
                st.bind(i, *v);
            else if (const auto* d = std::get_if<double>(&p))
                st.bind(i, *d);
            else if (const auto* s = std::get_if<std::string>(&p))
                st.bind(i, std::string_view(*s));
            else
                st.bindNull(i);
            ++i;
        }
        return &st;
    }

    Status run(const char* text, const std::string& what)
    {
        std::string error;
        if (!sql::exec(m_db, text, &error))
            return sql::storageError(m_db, what, m_location);
        return {};
    }

    static constexpr std::size_t kMaxStatements = 64;
    sqlite3* m_db;
    std::string m_location;
    bool m_readOnly;
    std::unordered_map<std::string, sql::Statement> m_statements;
};

} // namespace

std::unique_ptr<SqlConnection> borrowSqlite(sqlite3* db, std::string location)
{
    return std::make_unique<SqliteConnection>(db, std::move(location));
}

} // namespace twindesk::twin
