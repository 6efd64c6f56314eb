#pragma once
/// \file sqlite_statement.h
/// Small RAII helpers over the SQLite C API, shared by the modules that own tables in a
/// project file (the project store, the decision log, the approval gate). Includes
/// <sqlite3.h>: only for translation units that link SQLite themselves.

#include <twindesk/twin/result.h>

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace twindesk::twin::sql {

class Statement
{
public:
    Statement() = default;
    /// Prepares a long-lived statement; on failure valid() is false and `error` (when given)
    /// holds SQLite's message.
    Statement(sqlite3* db, std::string_view text, std::string* error)
        : Statement(db, text, SQLITE_PREPARE_PERSISTENT)
    {
        if (m_stmt == nullptr && error != nullptr)
            *error = sqlite3_errmsg(db);
    }
    /// Prepares with sqlite3_prepare_v3 flags (0: a statement for one call).
    Statement(sqlite3* db, std::string_view text, unsigned int flags = 0)
    {
        if (sqlite3_prepare_v3(db, text.data(), static_cast<int>(text.size()), flags, &m_stmt,
                               nullptr) != SQLITE_OK)
            m_stmt = nullptr;
    }
    ~Statement() { sqlite3_finalize(m_stmt); }
    Statement(Statement&& o) noexcept : m_stmt(o.m_stmt) { o.m_stmt = nullptr; }
    Statement& operator=(Statement&& o) noexcept
    {
        if (this != &o) {
            sqlite3_finalize(m_stmt);
            m_stmt = o.m_stmt;
            o.m_stmt = nullptr;
        }
        return *this;
    }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    [[nodiscard]] bool valid() const { return m_stmt != nullptr; }
    [[nodiscard]] sqlite3_stmt* get() const { return m_stmt; }

    /// Binds text, copied by SQLite.
    void bind(int i, std::string_view text) { bindText(i, text, SQLITE_TRANSIENT); }
    /// Binds text without a copy: `text` must stay alive until the statement is stepped and
    /// reset (hot paths that bind fields of a record they hold).
    void bindStatic(int i, std::string_view text) { bindText(i, text, SQLITE_STATIC); }
    template <typename T>
    requires std::is_integral_v<T>
    void bind(int i, T v) { sqlite3_bind_int64(m_stmt, i, static_cast<sqlite3_int64>(v)); }
    void bind(int i, double v) { sqlite3_bind_double(m_stmt, i, v); }
    void bindNull(int i) { sqlite3_bind_null(m_stmt, i); }
    int step() { return sqlite3_step(m_stmt); }
    void reset()
    {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }
    [[nodiscard]] std::string text(int col) const
    {
        const auto* p = sqlite3_column_text(m_stmt, col);
        return p == nullptr
                   ? std::string{}
                   : std::string(reinterpret_cast<const char*>(p), // NOLINT
                                 static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, col)));
    }
    [[nodiscard]] std::int64_t int64(int col) const { return sqlite3_column_int64(m_stmt, col); }
    [[nodiscard]] double real(int col) const { return sqlite3_column_double(m_stmt, col); }
    [[nodiscard]] int type(int col) const { return sqlite3_column_type(m_stmt, col); }
    [[nodiscard]] bool null(int col) const { return type(col) == SQLITE_NULL; }

private:
    void bindText(int i, std::string_view text, sqlite3_destructor_type copy)
    {
        // An empty string_view may have a null data(): SQLite would store NULL, not ''.
        sqlite3_bind_text(m_stmt, i, text.data() != nullptr ? text.data() : "",
                          static_cast<int>(text.size()), copy);
    }
    sqlite3_stmt* m_stmt = nullptr;
};

/// An Error from the connection's last failure: CorruptFile for a damaged or foreign file,
/// StorageError otherwise; the message is "<what>: <SQLite's message>".
inline Error storageError(sqlite3* db, const std::string& what, const std::string& where)
{
    const int code = sqlite3_extended_errcode(db);
    const int primary = code & 0xff;
    const ErrorCode ec = (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
                             ? ErrorCode::CorruptFile
                             : ErrorCode::StorageError;
    return makeError(ec, what + ": " + sqlite3_errmsg(db), where);
}

/// Runs statements without results; returns the SQLite message on failure.
inline bool exec(sqlite3* db, const char* sqlText, std::string* error)
{
    char* message = nullptr;
    if (sqlite3_exec(db, sqlText, nullptr, nullptr, &message) != SQLITE_OK) {
        if (error != nullptr)
            *error = message != nullptr ? message : sqlite3_errmsg(db);
        sqlite3_free(message);
        return false;
    }
    return true;
}

} // namespace twindesk::twin::sql
