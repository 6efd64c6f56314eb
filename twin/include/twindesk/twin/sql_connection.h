#pragma once
/// \file sql_connection.h
/// SqlConnection: one small interface over the two store back ends — the project file
/// (SQLite) and the shared store (PostgreSQL 15) — for the code above the historian that
/// keeps its own tables there: the decision log and the approval queue (policies/). The
/// historian has its own, faster interface (historian.h: COPY, prepared series ids).
///
/// Statements are written once, in the SQL both dialects accept, with `?` placeholders
/// (numbered `?1`, `?2` ... when a parameter is used twice). On PostgreSQL they become `$1`,
/// `$2` ...; parameters are sent with their type (BIGINT, DOUBLE PRECISION, TEXT), and doubles
/// travel as their shortest exact text, so a value read back compares equal bit for bit.
/// What differs between the dialects (catalogue queries, advisory locks, NOTIFY) is asked of
/// dialect() by the caller, never hidden behind a special case here.
///
/// Errors name the store (the project file's path or the shared store's URL without its
/// password) and what was being done; SQLite's CORRUPT/NOTADB become CorruptFile, the rest
/// StorageError. A PostgreSQL connection the server dropped is re-established once per call
/// (PgStore), so a call after a server restart works again.
///
/// Thread affinity: that of the store whose connection it is (one thread at a time).

#include <twindesk/twin/result.h>
#include <twindesk/twin/store_schema.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

struct sqlite3;

namespace twindesk::twin {

/// A parameter or column value: NULL, a whole number, a real number or text.
using SqlValue = std::variant<std::monostate, std::int64_t, double, std::string>;

/// What a column held, as the store reported it (SQLite stores any type in any column:
/// integrity checks need to know).
enum class SqlType : std::uint8_t { Null, Integer, Real, Text, Blob };

/// One result row. Accessors convert as SQLite's column functions do (text of a number is its
/// decimal form, a number of NULL is 0, text of NULL is "").
struct SqlRow
{
    std::vector<SqlValue> values;
    std::vector<SqlType> types;

    [[nodiscard]] bool null(std::size_t column) const;
    [[nodiscard]] std::int64_t int64(std::size_t column) const;
    [[nodiscard]] double real(std::size_t column) const;
    [[nodiscard]] std::string text(std::size_t column) const;
    [[nodiscard]] SqlType type(std::size_t column) const { return types.at(column); }
};

class SqlConnection
{
public:
    SqlConnection() = default;
    virtual ~SqlConnection() = default;
    SqlConnection(const SqlConnection&) = delete;
    SqlConnection& operator=(const SqlConnection&) = delete;
    SqlConnection(SqlConnection&&) = delete;
    SqlConnection& operator=(SqlConnection&&) = delete;

    [[nodiscard]] virtual SqlDialect dialect() const = 0;
    /// The project file's path or the redacted URL, for messages.
    [[nodiscard]] virtual const std::string& location() const = 0;
    /// True when the store was opened read-only (a project file opened for reading).
    [[nodiscard]] virtual bool readOnly() const = 0;

    /// Runs one statement and calls `row` for every result row as it arrives (a large table
    /// is streamed, not held in memory). `row` returns false to stop early. `row` must not run
    /// statements on this connection (the statement is still being read).
    virtual Status forEach(std::string_view sql, std::span<const SqlValue> params,
                           const std::function<bool(const SqlRow&)>& row,
                           const std::string& what) = 0;
    /// Runs one statement; returns how many rows it inserted, updated or deleted.
    virtual Result<std::int64_t> execute(std::string_view sql, std::span<const SqlValue> params,
                                         const std::string& what) = 0;

    /// All rows of one statement.
    Result<std::vector<SqlRow>> query(std::string_view sql, std::span<const SqlValue> params,
                                      const std::string& what);
    Result<std::vector<SqlRow>> query(std::string_view sql,
                                      std::initializer_list<SqlValue> params,
                                      const std::string& what)
    {
        return query(sql, std::span<const SqlValue>(params.begin(), params.size()), what);
    }
    Result<std::int64_t> execute(std::string_view sql, std::initializer_list<SqlValue> params,
                                 const std::string& what)
    {
        return execute(sql, std::span<const SqlValue>(params.begin(), params.size()), what);
    }

    /// Starts a write transaction (SQLite: BEGIN IMMEDIATE, waiting for other writers up to
    /// the busy timeout; PostgreSQL: BEGIN, READ COMMITTED).
    virtual Status beginWrite(const std::string& what) = 0;
    /// Starts a read transaction that sees one snapshot until commit() (SQLite: BEGIN;
    /// PostgreSQL: BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY).
    virtual Status beginRead(const std::string& what) = 0;
    virtual Status commit(const std::string& what) = 0;
    /// Rolls back the open transaction, if any; never fails.
    virtual void rollback() = 0;

    /// Tells other connections that `channel` changed (PostgreSQL NOTIFY, delivered at
    /// commit). A no-op on a project file: there, readers poll.
    virtual Status notify(const std::string& channel, const std::string& payload) = 0;
};

/// A connection over an open SQLite handle that the caller keeps open for as long as the
/// connection is used. `location` names it in messages. Statements are prepared once and
/// kept (the approval gate polls every frame).
std::unique_ptr<SqlConnection> borrowSqlite(sqlite3* db, std::string location);

} // namespace twindesk::twin
