#pragma once
// Typed, path-aware reading of JSON objects for scenario files: every error names the file and
// the JSON path (e.g. "office.json: /zones/3/windows/0/shgc: expected a number within 0..1,
// got 1.7"), and keys nobody read are reported as unknown (with a near-miss suggestion).

#include <twindesk/twin/result.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace twindesk::sim::json {

using Json = nlohmann::json;

inline std::size_t editDistance(const std::string& a, const std::string& b)
{
    std::vector<std::size_t> prev(b.size() + 1);
    std::vector<std::size_t> cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min(
                {prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0U : 1U)});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

/// Reads one JSON object; collects the first error; remembers which keys were read.
class ObjectReader
{
public:
    ObjectReader(const Json& object, std::string file, std::string path,
                 std::optional<twin::Error>* error)
        : m_object(object), m_file(std::move(file)), m_path(std::move(path)), m_error(error)
    {
        if (!object.is_object())
            fail(m_path.empty() ? "/" : m_path, "expected an object");
    }

    [[nodiscard]] const std::string& path() const { return m_path; }
    [[nodiscard]] std::string pathOf(const std::string& key) const { return m_path + "/" + key; }
    [[nodiscard]] bool ok() const { return !m_error->has_value(); }

    void fail(const std::string& path, const std::string& message) const
    {
        if (!m_error->has_value())
            *m_error = twin::makeError(twin::ErrorCode::ParseError, message,
                                       m_file + ": " + (path.empty() ? "/" : path));
    }

    [[nodiscard]] bool has(const std::string& key)
    {
        m_known.insert(key);
        return m_object.is_object() && m_object.contains(key);
    }

    /// The raw value (marks the key as known); nullptr when absent.
    const Json* raw(const std::string& key)
    {
        if (!has(key))
            return nullptr;
        return &m_object.at(key);
    }

    double number(const std::string& key, double fallback, double lo, double hi,
                  bool required = false)
    {
        const Json* v = raw(key);
        if (v == nullptr) {
            if (required)
                fail(pathOf(key), "missing required number");
            return fallback;
        }
        if (!v->is_number()) {
            fail(pathOf(key), "expected a number, got " + std::string(v->type_name()));
            return fallback;
        }
        const double d = v->get<double>();
        if (!std::isfinite(d) || d < lo || d > hi) {
            fail(pathOf(key),
                 "expected a number within " + fmt(lo) + ".." + fmt(hi) + ", got " + v->dump());
            return fallback;
        }
        return d;
    }

    std::int64_t integer(const std::string& key, std::int64_t fallback, std::int64_t lo,
                         std::int64_t hi, bool required = false)
    {
        const Json* v = raw(key);
        if (v == nullptr) {
            if (required)
                fail(pathOf(key), "missing required integer");
            return fallback;
        }
        if (!v->is_number_integer()) {
            fail(pathOf(key), "expected an integer, got " + v->dump());
            return fallback;
        }
        const auto i = v->get<std::int64_t>();
        if (i < lo || i > hi) {
            fail(pathOf(key), "expected an integer within " + std::to_string(lo) + ".." +
                                  std::to_string(hi) + ", got " + std::to_string(i));
            return fallback;
        }
        return i;
    }

    std::string string(const std::string& key, const std::string& fallback, bool required = false)
    {
        const Json* v = raw(key);
        if (v == nullptr) {
            if (required)
                fail(pathOf(key), "missing required string");
            return fallback;
        }
        if (!v->is_string()) {
            fail(pathOf(key), "expected a string, got " + std::string(v->type_name()));
            return fallback;
        }
        return v->get<std::string>();
    }

    bool boolean(const std::string& key, bool fallback)
    {
        const Json* v = raw(key);
        if (v == nullptr)
            return fallback;
        if (!v->is_boolean()) {
            fail(pathOf(key), "expected true or false, got " + v->dump());
            return fallback;
        }
        return v->get<bool>();
    }

    std::string choice(const std::string& key, const std::string& fallback,
                       const std::vector<std::string>& allowed)
    {
        auto s = string(key, fallback);
        if (std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
            std::string list;
            for (const auto& a : allowed)
                list += (list.empty() ? "" : ", ") + a;
            fail(pathOf(key), "'" + s + "' is not one of: " + list);
            return fallback;
        }
        return s;
    }

    /// Reports the first key that was never read (call last).
    void rejectUnknown()
    {
        if (!m_object.is_object())
            return;
        for (const auto& [key, value] : m_object.items()) {
            if (m_known.count(key) != 0)
                continue;
            std::string suggestion;
            std::size_t best = 3;
            for (const auto& k : m_known) {
                const auto d = editDistance(key, k);
                if (d < best) {
                    best = d;
                    suggestion = k;
                }
            }
            fail(pathOf(key),
                 "unknown key '" + key + "'" +
                     (suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)"));
            return;
        }
    }

    static std::string fmt(double v)
    {
        if (v >= 1e15)
            return "∞";
        if (v <= -1e15)
            return "-∞";
        std::string s = std::to_string(v);
        while (!s.empty() && s.back() == '0')
            s.pop_back();
        if (!s.empty() && s.back() == '.')
            s.pop_back();
        return s;
    }

private:
    const Json& m_object;
    std::string m_file;
    std::string m_path;
    std::optional<twin::Error>* m_error;
    std::set<std::string> m_known;
};

} // namespace twindesk::sim::json
