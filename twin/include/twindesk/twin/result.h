#pragma once
/// \file result.h
/// Result<T>: the error-carrying return type used at every parse, I/O and storage boundary.
///
/// An Error names *what* went wrong (`message`), *where* (`where`: a file path with
/// line/column, a JSON path, a table/row) and a machine-readable `code`. Messages are written
/// for the person who has to fix the input: they say what was expected and what to do.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace twindesk::twin {

enum class ErrorCode {
    InvalidArgument,  ///< a caller passed something the contract forbids
    NotFound,         ///< a file, entity or row that should exist does not
    ParseError,       ///< malformed input text (Turtle, JSON, EPW, ...)
    UnknownUnit,      ///< a unit string/IRI that the unit table does not know
    UnitMismatch,     ///< a conversion between units of different quantities
    DanglingRelation, ///< a relation whose end does not exist
    IoError,          ///< the operating system refused a read or write
    StorageError,     ///< SQLite reported an error
    CorruptFile,      ///< the file is not a valid project (or is damaged)
    SchemaTooNew,     ///< written by a newer TwinDesk; refuse rather than guess
    AlreadyExists,    ///< refusing to overwrite something that holds data
};

/// Human-readable name of an error code, e.g. "parse error".
const char* errorCodeName(ErrorCode code);

struct Error
{
    ErrorCode code = ErrorCode::InvalidArgument;
    std::string message; ///< what is wrong and what to do about it
    std::string where;   ///< file:line:column, JSON path, table name, ... (may be empty)

    /// "where: message" (or just the message when `where` is empty).
    [[nodiscard]] std::string toString() const
    {
        return where.empty() ? message : where + ": " + message;
    }
};

inline Error makeError(ErrorCode code, std::string message, std::string where = {})
{
    return Error{code, std::move(message), std::move(where)};
}

/// Either a value or an Error. Cheap to move; never throws on access in release builds
/// (accessing the wrong alternative is a programming error caught by assert).
template <typename T> class [[nodiscard]] Result
{
public:
    Result(T value)
        : m_data(std::in_place_index<0>, std::move(value)) {} // NOLINT(google-explicit-constructor)
    Result(Error error)
        : m_data(std::in_place_index<1>, std::move(error)) {} // NOLINT(google-explicit-constructor)

    [[nodiscard]] bool ok() const { return m_data.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() &
    {
        assert(ok());
        return std::get<0>(m_data);
    }
    const T& value() const&
    {
        assert(ok());
        return std::get<0>(m_data);
    }
    T&& value() &&
    {
        assert(ok());
        return std::get<0>(std::move(m_data));
    }
    [[nodiscard]] const Error& error() const
    {
        assert(!ok());
        return std::get<1>(m_data);
    }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

private:
    std::variant<T, Error> m_data;
};

/// Result of an operation that yields nothing but may fail.
template <> class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(Error error)
        : m_error(std::move(error)), m_ok(false) {} // NOLINT(google-explicit-constructor)

    [[nodiscard]] bool ok() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    [[nodiscard]] const Error& error() const
    {
        assert(!m_ok);
        return m_error;
    }

private:
    Error m_error;
    bool m_ok = true;
};

using Status = Result<void>;

} // namespace twindesk::twin
