#pragma once
// Small RAII helpers over the SQLite C API, private to the twin module.

#include <twindesk/twin/result.h>

#include <sqlite3.h>

#include <string>
#include <string_view>

namespace twindesk::twin::sql {

class Statement
{
public:
    Statement() = default;
    Statement(sqlite3* db, std::string_view text, std::string* error)
    {
        if (sqlite3_prepare_v3(db, text.data(), static_cast<int>(text.size()),
                               SQLITE_PREPARE_PERSISTENT, &m_stmt, nullptr) != SQLITE_OK) {
            if (error != nullptr)
                *error = sqlite3_errmsg(db);
            m_stmt = nullptr;
        }
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

    void bind(int i, std::string_view text)
    {
        // An empty string_view may have a null data(): SQLite would store NULL, not ''.
        sqlite3_bind_text(m_stmt, i, text.data() != nullptr ? text.data() : "",
                          static_cast<int>(text.size()), SQLITE_TRANSIENT);
    }
    void bind(int i, sqlite3_int64 v) { sqlite3_bind_int64(m_stmt, i, v); }
    void bind(int i, double v) { sqlite3_bind_double(m_stmt, i, v); }
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
    [[nodiscard]] sqlite3_int64 int64(int col) const { return sqlite3_column_int64(m_stmt, col); }
    [[nodiscard]] double real(int col) const { return sqlite3_column_double(m_stmt, col); }

private:
    sqlite3_stmt* m_stmt = nullptr;
};

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
