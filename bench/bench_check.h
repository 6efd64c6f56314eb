#pragma once
// A benchmark stops at the first failed store call: check() turns a twin::Result or Status
// error into an exception that bench::guardedMain prints as "<bench>: <what>: <error>".

#include <twindesk/twin/result.h>

#include <stdexcept>
#include <string>
#include <utility>

namespace twindesk::bench {

template <typename T> T check(twin::Result<T> r, const char* what)
{
    if (!r)
        throw std::runtime_error(std::string(what) + ": " + r.error().toString());
    return std::move(r).value();
}

inline void check(const twin::Status& s, const char* what)
{
    if (!s)
        throw std::runtime_error(std::string(what) + ": " + s.error().toString());
}

} // namespace twindesk::bench
