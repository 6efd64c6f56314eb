#include <twindesk/live/topic_map.h>
#include "text_util.h"
#include <twindesk/twin/units.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <mutex>
#include <span>
#include <sstream>
#include <unordered_map>
#include <utility>

namespace twindesk::live {

using text::pointerToken;
using text::trimmed;

namespace {

using twin::ErrorCode;
using twin::makeError;
using Json = nlohmann::json;

// MQTT strings are length-prefixed with 16 bits.
constexpr std::size_t kMaxTopicLength = 65535;

std::string inQuotes(std::string_view text)
{
    constexpr std::size_t kMax = 80;
    std::string out = "'";
    out += text.substr(0, kMax);
    if (text.size() > kMax)
        out += "...";
    out += "'";
    return out;
}

/// Matches level by level; `captures` (may be null) receives one entry per '+' and, for a
/// trailing '#', the rest. Expects a valid filter and a valid topic name.
bool matchLevels(std::string_view filter, std::string_view topic,
                 std::vector<std::string>* captures)
{
    // A wildcard first level must not reach the broker's '$' topics (MQTT §4.7.2).
    if ((filter.front() == '+' || filter.front() == '#') && topic.front() == '$')
        return false;
    std::size_t fi = 0;
    std::size_t ti = 0;
    bool topicDone = false; // every topic level consumed
    while (true) {
        std::size_t fe = filter.find('/', fi);
        if (fe == std::string_view::npos)
            fe = filter.size();
        const std::string_view fl = filter.substr(fi, fe - fi);
        if (fl == "#") {
            if (captures)
                captures->emplace_back(topicDone ? std::string_view{} : topic.substr(ti));
            return true;
        }
        if (topicDone)
            return false;
        std::size_t te = topic.find('/', ti);
        if (te == std::string_view::npos)
            te = topic.size();
        const std::string_view tl = topic.substr(ti, te - ti);
        if (fl == "+") {
            if (captures)
                captures->emplace_back(tl);
        } else if (fl != tl) {
            return false;
        }
        const bool filterLast = fe == filter.size();
        const bool topicLast = te == topic.size();
        if (filterLast)
            return topicLast;
        fi = fe + 1;
        if (topicLast)
            topicDone = true;
        else
            ti = te + 1;
    }
}

bool validTopicName(std::string_view topic)
{
    return !topic.empty() && topic.size() <= kMaxTopicLength &&
           topic.find_first_of(std::string_view("+#\0", 3)) == std::string_view::npos;
}

struct FilterShape
{
    int plus = 0;
    bool hash = false;
};

FilterShape shapeOf(std::string_view filter)
{
    FilterShape s;
    s.plus = static_cast<int>(std::count(filter.begin(), filter.end(), '+'));
    s.hash = !filter.empty() && filter.back() == '#';
    return s;
}

// ---- placeholders ---------------------------------------------------------------------------

constexpr int kLiteral = -1;
constexpr int kRestSlot = 0; // "{#}"; "{n}" is slot n >= 1

struct Piece
{
    std::string_view literal; // when slot == kLiteral
    int slot = kLiteral;
};

/// Splits "urn:x#room_{1}_zat" into literal and placeholder pieces. "{0}" gives slot -2 (an
/// error for validateBinding); braces not forming "{#}" or "{digits}" stay literal.
std::vector<Piece> parseTemplate(std::string_view text)
{
    std::vector<Piece> pieces;
    std::size_t literalStart = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] != '{') {
            ++i;
            continue;
        }
        const std::size_t close = text.find('}', i + 1);
        if (close == std::string_view::npos)
            break;
        const std::string_view inner = text.substr(i + 1, close - i - 1);
        int slot = kLiteral;
        if (inner == "#") {
            slot = kRestSlot;
        } else if (!inner.empty() && inner.size() <= 3 &&
                   std::all_of(inner.begin(), inner.end(),
                               [](char c) { return c >= '0' && c <= '9'; })) {
            slot = 0;
            for (char c : inner)
                slot = slot * 10 + (c - '0');
            if (slot == 0)
                slot = -2;
        }
        if (slot == kLiteral) {
            ++i;
            continue;
        }
        if (i > literalStart)
            pieces.push_back({text.substr(literalStart, i - literalStart), kLiteral});
        pieces.push_back({{}, slot});
        i = close + 1;
        literalStart = i;
    }
    if (literalStart < text.size())
        pieces.push_back({text.substr(literalStart), kLiteral});
    return pieces;
}

bool hasPlaceholders(const std::vector<Piece>& pieces)
{
    return std::any_of(pieces.begin(), pieces.end(),
                       [](const Piece& p) { return p.slot != kLiteral; });
}

/// Fills a template from the captures of `filter` (one per '+', then the '#' rest). Nullopt
/// when a placeholder would be empty.
std::optional<std::string> fillFromCaptures(std::string_view text, std::string_view filter,
                                            const std::vector<std::string>& captures)
{
    if (text.find('{') == std::string_view::npos)
        return std::string(text);
    const FilterShape shape = shapeOf(filter);
    std::string out;
    for (const Piece& p : parseTemplate(text)) {
        if (p.slot == kLiteral) {
            out += p.literal;
            continue;
        }
        std::size_t index = 0;
        if (p.slot == kRestSlot && shape.hash)
            index = captures.size() - 1;
        else if (p.slot >= 1 && p.slot <= shape.plus)
            index = static_cast<std::size_t>(p.slot - 1);
        else
            return std::nullopt; // excluded by validateBinding
        if (index >= captures.size() || captures[index].empty())
            return std::nullopt;
        out += captures[index];
    }
    return out;
}

/// Fills a template from values indexed by slot (0: "{#}", n: "{n}").
std::optional<std::string> fillFromValues(std::string_view text,
                                          const std::vector<std::string>& values)
{
    std::string out;
    for (const Piece& p : parseTemplate(text)) {
        if (p.slot == kLiteral) {
            out += p.literal;
            continue;
        }
        if (p.slot < 0 || static_cast<std::size_t>(p.slot) >= values.size() ||
            values[static_cast<std::size_t>(p.slot)].empty())
            return std::nullopt;
        out += values[static_cast<std::size_t>(p.slot)];
    }
    return out;
}

/// Does `text` come out of the template `pieces` (from piece `pi` on)? Placeholder values are
/// non-empty; a "{n}" value is one topic level, so it holds no '/'. A repeated placeholder
/// must repeat its value. Backtracking; templates are short.
bool reverseMatch(const std::vector<Piece>& pieces, std::size_t pi, std::string_view text,
                  std::vector<std::string_view>& values)
{
    if (pi == pieces.size())
        return text.empty();
    const Piece& p = pieces[pi];
    if (p.slot == kLiteral) {
        if (text.substr(0, p.literal.size()) != p.literal)
            return false;
        return reverseMatch(pieces, pi + 1, text.substr(p.literal.size()), values);
    }
    const auto slot = static_cast<std::size_t>(p.slot);
    if (!values[slot].empty()) {
        const std::string_view v = values[slot];
        return text.substr(0, v.size()) == v &&
               reverseMatch(pieces, pi + 1, text.substr(v.size()), values);
    }
    for (std::size_t len = 1; len <= text.size(); ++len) {
        if (p.slot != kRestSlot && text[len - 1] == '/')
            break;
        values[slot] = text.substr(0, len);
        if (reverseMatch(pieces, pi + 1, text.substr(len), values))
            return true;
    }
    values[slot] = {};
    return false;
}

// ---- the map file ---------------------------------------------------------------------------

std::size_t editDistance(std::string_view a, std::string_view b)
{
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] =
                std::min({row[j] + 1, row[j - 1] + 1,
                          diagonal + (a[i - 1] != b[j - 1] ? std::size_t{1} : std::size_t{0})});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::string unknownKeyMessage(std::string_view key, std::span<const std::string_view> known)
{
    std::string list;
    std::string_view closest;
    std::size_t best = 3; // suggest only near misses
    for (std::string_view k : known) {
        list += (list.empty() ? "" : ", ") + std::string(k);
        const std::size_t d = editDistance(key, k);
        if (d < best) {
            best = d;
            closest = k;
        }
    }
    std::string message = "unknown key";
    if (!closest.empty())
        message += " (did you mean '" + std::string(closest) + "'?)";
    return message + "; known: " + list;
}

constexpr std::array<std::string_view, 13> kPointKeys{
    "topic", "point", "format",     "value", "unit",          "unit_key",   "point_unit",
    "min",   "max",   "interval_s", "qos",   "command_topic", "state_topic"};
constexpr std::array<std::string_view, 9> kDefaultKeys{
    "format", "value", "unit", "unit_key", "point_unit", "min", "max", "interval_s", "qos"};
constexpr std::array<std::string_view, 2> kTopKeys{"defaults", "points"};

bool isOneOf(std::string_view key, std::span<const std::string_view> keys)
{
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

/// Reads one key of a point (or of "defaults") into the binding; errors carry only the
/// message (the caller knows the path).
twin::Status applyKey(TopicBinding& b, std::string_view key, const Json& v)
{
    auto text = [&](std::string& out) -> twin::Status {
        if (!v.is_string())
            return makeError(ErrorCode::ParseError, "expected a string, found " + v.dump());
        out = v.get<std::string>();
        return {};
    };
    auto number = [&](std::optional<double>& out) -> twin::Status {
        if (!v.is_number() || !std::isfinite(v.get<double>()))
            return makeError(ErrorCode::ParseError, "expected a number, found " + v.dump());
        out = v.get<double>();
        return {};
    };
    if (key == "topic")
        return text(b.topic);
    if (key == "point")
        return text(b.point);
    if (key == "value")
        return text(b.valueKey);
    if (key == "unit")
        return text(b.unit);
    if (key == "unit_key")
        return text(b.unitKey);
    if (key == "point_unit")
        return text(b.pointUnit);
    if (key == "command_topic")
        return text(b.commandTopic);
    if (key == "state_topic")
        return text(b.stateTopic);
    if (key == "min")
        return number(b.min);
    if (key == "max")
        return number(b.max);
    if (key == "format") {
        if (v == "plain")
            b.format = PayloadFormat::Plain;
        else if (v == "json")
            b.format = PayloadFormat::Json;
        else
            return makeError(ErrorCode::ParseError,
                             "expected \"plain\" or \"json\", found " + v.dump());
        return {};
    }
    if (key == "interval_s") {
        if (!v.is_number_integer() || v.get<std::int64_t>() <= 0)
            return makeError(ErrorCode::ParseError,
                             "expected a whole number of seconds > 0, found " + v.dump());
        b.interval = v.get<sim::Seconds>();
        return {};
    }
    if (key == "qos") {
        if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() > 2)
            return makeError(ErrorCode::ParseError, "expected 0, 1 or 2, found " + v.dump());
        b.qos = v.get<int>();
        return {};
    }
    return makeError(ErrorCode::ParseError, "unknown key");
}

/// "line:column" (1-based; column in bytes) of a byte offset.
std::string lineColumn(std::string_view text, std::size_t offset)
{
    offset = std::min(offset, text.size());
    const std::string_view before = text.substr(0, offset);
    const auto line = 1 + std::count(before.begin(), before.end(), '\n');
    const std::size_t lineStart = before.rfind('\n');
    const std::size_t column =
        offset - (lineStart == std::string_view::npos ? 0 : lineStart + 1) + 1;
    return std::to_string(line) + ":" + std::to_string(column);
}

/// nlohmann's parse_error::what() without its "[json.exception...] parse error at line L,
/// column C: " prefix (the position is reported in `where`).
std::string parseErrorText(const std::string& what)
{
    const std::size_t column = what.find(", column ");
    const std::size_t start = what.find(": ", column == std::string::npos ? 0 : column);
    return start == std::string::npos ? what : what.substr(start + 2);
}

} // namespace

// ---- free functions -------------------------------------------------------------------------

bool topicMatches(std::string_view filter, std::string_view topic)
{
    return validateFilter(filter).ok() && validTopicName(topic) &&
           matchLevels(filter, topic, nullptr);
}

std::vector<std::string> wildcardLevels(std::string_view filter, std::string_view topic)
{
    std::vector<std::string> captures;
    if (!validateFilter(filter).ok() || !validTopicName(topic) ||
        !matchLevels(filter, topic, &captures))
        return {};
    return captures;
}

twin::Status validateFilter(std::string_view filter)
{
    if (filter.empty())
        return makeError(ErrorCode::InvalidArgument,
                         "empty topic filter; write a topic such as 'bms/room_101/zat', or "
                         "use '+' for one level and '#' for the rest");
    if (filter.size() > kMaxTopicLength)
        return makeError(ErrorCode::InvalidArgument,
                         "topic filter longer than 65535 bytes (the MQTT limit)");
    if (filter.find('\0') != std::string_view::npos)
        return makeError(ErrorCode::InvalidArgument,
                         "topic filter " + inQuotes(filter) + " contains a NUL character");
    std::size_t start = 0;
    while (true) {
        std::size_t end = filter.find('/', start);
        const bool last = end == std::string_view::npos;
        if (last)
            end = filter.size();
        const std::string_view level = filter.substr(start, end - start);
        if (level.find('#') != std::string_view::npos) {
            if (level != "#")
                return makeError(ErrorCode::InvalidArgument,
                                 "in topic filter " + inQuotes(filter) + " the level " +
                                     inQuotes(level) +
                                     " mixes '#' with other characters; '#' must be a whole "
                                     "level (e.g. 'a/#')");
            if (!last)
                return makeError(ErrorCode::InvalidArgument,
                                 "in topic filter " + inQuotes(filter) +
                                     " '#' is not the last level; '#' matches all remaining "
                                     "levels, so it may only end a filter (e.g. 'a/b/#'); "
                                     "use '+' for a single level");
        }
        if (level.find('+') != std::string_view::npos && level != "+")
            return makeError(ErrorCode::InvalidArgument,
                             "in topic filter " + inQuotes(filter) + " the level " +
                                 inQuotes(level) +
                                 " mixes '+' with other characters; '+' must be a whole "
                                 "level (e.g. 'a/+/c')");
        if (last)
            return {};
        start = end + 1;
    }
}

twin::Status validateTopicName(std::string_view topic)
{
    if (topic.empty())
        return makeError(ErrorCode::InvalidArgument, "empty topic name");
    if (topic.size() > kMaxTopicLength)
        return makeError(ErrorCode::InvalidArgument,
                         "topic name longer than 65535 bytes (the MQTT limit)");
    if (topic.find_first_of(std::string_view("+#\0", 3)) != std::string_view::npos)
        return makeError(ErrorCode::InvalidArgument,
                         "topic name " + inQuotes(topic) +
                             " contains '+', '#' or NUL; messages are published to one "
                             "exact topic, wildcards belong in subscriptions only");
    return {};
}

std::string_view payloadFormatName(PayloadFormat format)
{
    return format == PayloadFormat::Json ? "json" : "plain";
}

bool isStale(std::optional<sim::Seconds> lastGoodSample, sim::Seconds now, sim::Seconds interval)
{
    return !lastGoodSample || now - *lastGoodSample > interval;
}

twin::Status validateBinding(const TopicBinding& b)
{
    auto fail = [](ErrorCode code, std::string message, const char* key) {
        return makeError(code, std::move(message), key);
    };
    if (auto s = validateFilter(b.topic); !s)
        return fail(s.error().code, s.error().message, "topic");
    if (!b.stateTopic.empty())
        if (auto s = validateFilter(b.stateTopic); !s)
            return fail(s.error().code, s.error().message, "state_topic");
    if (b.point.empty())
        return fail(ErrorCode::InvalidArgument,
                    "missing the point id (the twin entity IRI the topic feeds)", "point");

    const FilterShape topicShape = shapeOf(b.topic);
    const FilterShape stateShape = b.stateTopic.empty() ? topicShape : shapeOf(b.stateTopic);
    const std::vector<Piece> pointPieces = parseTemplate(b.point);
    for (const Piece& p : pointPieces) {
        if (p.slot == kLiteral)
            continue;
        if (p.slot < 0)
            return fail(ErrorCode::InvalidArgument,
                        "placeholder {0} in " + inQuotes(b.point) +
                            ": placeholders count from {1} (the first '+' of the topic)",
                        "point");
        if (p.slot == kRestSlot && !(topicShape.hash && stateShape.hash))
            return fail(ErrorCode::InvalidArgument,
                        "placeholder {#} in " + inQuotes(b.point) +
                            " needs a topic filter ending in '#'",
                        "point");
        if (p.slot > std::min(topicShape.plus, stateShape.plus))
            return fail(ErrorCode::InvalidArgument,
                        "placeholder {" + std::to_string(p.slot) + "} in " + inQuotes(b.point) +
                            " has no matching '+' in the topic filter " +
                            inQuotes(topicShape.plus < p.slot ? b.topic : b.stateTopic) +
                            " (it has " +
                            std::to_string(std::min(topicShape.plus, stateShape.plus)) + ")",
                        "point");
    }

    if (!b.commandTopic.empty()) {
        if (auto s = validateTopicName(b.commandTopic); !s)
            return fail(s.error().code, s.error().message, "command_topic");
        for (const Piece& p : parseTemplate(b.commandTopic)) {
            if (p.slot == kLiteral)
                continue;
            const bool inPoint = std::any_of(pointPieces.begin(), pointPieces.end(),
                                             [&](const Piece& q) { return q.slot == p.slot; });
            if (p.slot < 0 || !inPoint)
                return fail(ErrorCode::InvalidArgument,
                            "placeholders of the command topic " + inQuotes(b.commandTopic) +
                                " must also appear in the point id " + inQuotes(b.point) +
                                ", which is what a command names",
                            "command_topic");
        }
    }

    if (b.format == PayloadFormat::Plain) {
        if (!b.valueKey.empty())
            return fail(ErrorCode::InvalidArgument,
                        "\"value\" selects a field of a JSON payload; add \"format\": \"json\" "
                        "or remove it",
                        "value");
        if (!b.unitKey.empty())
            return fail(ErrorCode::InvalidArgument,
                        "\"unit_key\" names a field of a JSON payload; add \"format\": "
                        "\"json\" or remove it",
                        "unit_key");
    } else if (!b.valueKey.empty() && b.valueKey.front() == '/') {
        try {
            const Json::json_pointer pointer(b.valueKey);
            (void)pointer;
        } catch (const Json::exception&) {
            return fail(ErrorCode::InvalidArgument,
                        inQuotes(b.valueKey) +
                            " is not a valid JSON pointer (RFC 6901: '/a/0/b'; write '~1' for "
                            "'/' and '~0' for '~' inside a key)",
                        "value");
        }
    }

    const twin::Unit* unit = nullptr;
    if (!b.unit.empty()) {
        auto u = twin::findUnit(b.unit);
        if (!u)
            return fail(u.error().code, u.error().message, "unit");
        unit = *u;
    }
    if (!b.pointUnit.empty()) {
        auto u = twin::findUnit(b.pointUnit);
        if (!u)
            return fail(u.error().code, u.error().message, "point_unit");
        if (unit && unit->quantity != (*u)->quantity)
            return fail(ErrorCode::UnitMismatch,
                        "the payload unit " + inQuotes(unit->symbol) + " (" +
                            std::string(twin::quantityName(unit->quantity)) +
                            ") does not convert to the point unit " + inQuotes((*u)->symbol) +
                            " (" + std::string(twin::quantityName((*u)->quantity)) + ")",
                        "unit");
    }
    if (b.min && !std::isfinite(*b.min))
        return fail(ErrorCode::InvalidArgument, "min must be a finite number", "min");
    if (b.max && !std::isfinite(*b.max))
        return fail(ErrorCode::InvalidArgument, "max must be a finite number", "max");
    if (b.min && b.max && *b.min > *b.max)
        return fail(ErrorCode::InvalidArgument,
                    "min (" + std::to_string(*b.min) + ") is above max (" + std::to_string(*b.max) +
                        "); swap them",
                    "min");
    if (b.interval <= 0)
        return fail(ErrorCode::InvalidArgument, "the expected sample interval must be at least 1 s",
                    "interval_s");
    if (b.qos < 0 || b.qos > 2)
        return fail(ErrorCode::InvalidArgument, "qos must be 0, 1 or 2", "qos");
    return {};
}

// ---- TopicMap -------------------------------------------------------------------------------

namespace {
struct StringHash
{
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
} // namespace

struct TopicMap::Cache
{
    std::mutex mutex;
    std::unordered_map<std::string, std::shared_ptr<const std::vector<TopicMatch>>, StringHash,
                       std::equal_to<>>
        entries;
};

TopicMap::TopicMap() : m_cache(std::make_unique<Cache>()) {}
TopicMap::~TopicMap() = default;
TopicMap::TopicMap(const TopicMap& other)
    : m_bindings(other.m_bindings), m_resolver(other.m_resolver), m_cache(std::make_unique<Cache>())
{
}
TopicMap& TopicMap::operator=(const TopicMap& other)
{
    if (this != &other) {
        m_bindings = other.m_bindings;
        m_resolver = other.m_resolver;
        m_cache = std::make_unique<Cache>();
    }
    return *this;
}
TopicMap::TopicMap(TopicMap&& other) noexcept = default;
TopicMap& TopicMap::operator=(TopicMap&& other) noexcept = default;

twin::Result<TopicMap> TopicMap::parse(std::string_view json, std::string name)
{
    Json root;
    try {
        root = Json::parse(json.begin(), json.end());
    } catch (const Json::parse_error& e) {
        // nlohmann's byte is 1-based and points at the last character read.
        const std::size_t offset = e.byte > 0 ? e.byte - 1 : 0;
        return makeError(ErrorCode::ParseError,
                         "malformed JSON: " + parseErrorText(e.what()) +
                             "; fix the syntax at this position",
                         name + ":" + lineColumn(json, offset));
    } catch (const Json::exception& e) {
        return makeError(ErrorCode::ParseError, std::string("malformed JSON: ") + e.what(), name);
    }
    auto at = [&](const std::string& path) { return name + ": " + path; };
    if (!root.is_object())
        return makeError(ErrorCode::ParseError,
                         R"(expected an object {"defaults": {...}, "points": [...]})", at("/"));
    for (const auto& [key, value] : root.items())
        if (!isOneOf(key, kTopKeys))
            return makeError(ErrorCode::ParseError, unknownKeyMessage(key, kTopKeys),
                             at("/" + pointerToken(key)));

    TopicBinding base;
    if (root.contains("defaults")) {
        const Json& defaults = root["defaults"];
        if (!defaults.is_object())
            return makeError(ErrorCode::ParseError, "expected an object", at("/defaults"));
        for (const auto& [key, value] : defaults.items()) {
            const std::string path = "/defaults/" + pointerToken(key);
            if (!isOneOf(key, kDefaultKeys))
                return makeError(ErrorCode::ParseError, unknownKeyMessage(key, kDefaultKeys),
                                 at(path));
            if (auto s = applyKey(base, key, value); !s)
                return makeError(s.error().code, s.error().message, at(path));
        }
    }

    if (!root.contains("points") || !root["points"].is_array())
        return makeError(ErrorCode::ParseError,
                         R"(expected "points": [ {"topic": ..., "point": ...}, ... ])",
                         at("/points"));
    TopicMap map;
    const Json& points = root["points"];
    for (std::size_t i = 0; i < points.size(); ++i) {
        const std::string prefix = "/points/" + std::to_string(i);
        const Json& entry = points[i];
        if (!entry.is_object())
            return makeError(ErrorCode::ParseError,
                             R"(expected an object {"topic": ..., "point": ...})", at(prefix));
        TopicBinding b = base;
        for (const auto& [key, value] : entry.items()) {
            const std::string path = prefix + "/" + pointerToken(key);
            if (!isOneOf(key, kPointKeys))
                return makeError(ErrorCode::ParseError, unknownKeyMessage(key, kPointKeys),
                                 at(path));
            if (auto s = applyKey(b, key, value); !s)
                return makeError(s.error().code, s.error().message, at(path));
        }
        for (const char* required : {"topic", "point"})
            if (!entry.contains(required))
                return makeError(ErrorCode::ParseError, std::string("missing \"") + required + "\"",
                                 at(prefix));
        if (auto s = validateBinding(b); !s)
            return makeError(s.error().code, s.error().message, at(prefix + "/" + s.error().where));
        map.m_bindings.push_back(std::make_shared<const TopicBinding>(std::move(b)));
    }
    return map;
}

twin::Result<TopicMap> TopicMap::load(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    if (in)
        text << in.rdbuf();
    if (!in || in.bad())
        return makeError(ErrorCode::IoError,
                         "cannot read the topic map; check that the file exists and is readable",
                         path.string());
    return parse(text.str(), path.string());
}

twin::Status TopicMap::add(TopicBinding binding)
{
    if (auto s = validateBinding(binding); !s)
        return makeError(s.error().code, s.error().message,
                         "binding " + inQuotes(binding.topic) + ": " + s.error().where);
    m_bindings.push_back(std::make_shared<const TopicBinding>(std::move(binding)));
    if (m_cache) {
        const std::lock_guard lock(m_cache->mutex);
        m_cache->entries.clear();
    }
    return {};
}

void TopicMap::setPointUnitResolver(PointUnitResolver resolver)
{
    m_resolver = std::move(resolver);
    if (m_cache) {
        const std::lock_guard lock(m_cache->mutex);
        m_cache->entries.clear();
    }
}

TopicMap::Matches TopicMap::lookup(std::string_view topic) const
{
    if (!m_cache || topic.size() > kMaxCachedTopicLength)
        return std::make_shared<const std::vector<TopicMatch>>(matchUncached(topic));
    {
        const std::lock_guard lock(m_cache->mutex);
        if (const auto it = m_cache->entries.find(topic); it != m_cache->entries.end())
            return it->second;
    }
    // Resolved outside the lock: the resolver may be slow (a twin lookup).
    auto result = std::make_shared<const std::vector<TopicMatch>>(matchUncached(topic));
    const std::lock_guard lock(m_cache->mutex);
    if (m_cache->entries.size() >= kMaxCachedTopics)
        m_cache->entries.clear();
    m_cache->entries.emplace(std::string(topic), result);
    return result;
}

std::optional<TopicMatch> TopicMap::match(std::string_view topic) const
{
    const Matches matches = lookup(topic);
    if (matches->empty())
        return std::nullopt;
    return matches->front();
}

std::vector<TopicMatch> TopicMap::matchAll(std::string_view topic) const
{
    return *lookup(topic);
}

std::vector<TopicMatch> TopicMap::matchUncached(std::string_view topic) const
{
    std::vector<TopicMatch> matches;
    if (!validTopicName(topic))
        return matches;
    std::vector<std::string> captures;
    for (const auto& b : m_bindings) {
        for (const std::string* filter : {&b->topic, &b->stateTopic}) {
            if (filter->empty() || (filter == &b->stateTopic && b->stateTopic == b->topic))
                continue;
            captures.clear();
            if (!matchLevels(*filter, topic, &captures))
                continue;
            std::optional<std::string> point = fillFromCaptures(b->point, *filter, captures);
            if (!point)
                continue;
            std::string unit = pointUnitOf(*point, *b);
            matches.push_back(TopicMatch{b, std::move(*point), std::move(unit)});
            break; // one match per binding
        }
    }
    return matches;
}

std::string TopicMap::pointUnitOf(std::string_view point, const TopicBinding& binding) const
{
    if (m_resolver) {
        std::string unit = m_resolver(point);
        if (!unit.empty())
            return unit;
    }
    return binding.pointUnit;
}

std::vector<std::string> TopicMap::subscriptions() const
{
    std::vector<std::string> out;
    for (const Subscription& s : subscriptionsWithQos())
        out.push_back(s.filter);
    return out;
}

std::vector<Subscription> TopicMap::subscriptionsWithQos() const
{
    std::vector<Subscription> out;
    auto add = [&](const std::string& filter, int qos) {
        for (Subscription& s : out)
            if (s.filter == filter) {
                s.qos = std::max(s.qos, qos);
                return;
            }
        out.push_back({filter, qos});
    };
    for (const auto& b : m_bindings) {
        add(b->topic, b->qos);
        if (!b->stateTopic.empty())
            add(b->stateTopic, b->qos);
    }
    return out;
}

const TopicBinding* TopicMap::findForPoint(std::string_view point,
                                           std::vector<std::string>* values) const
{
    for (const auto& b : m_bindings)
        if (b->point == point && b->point.find('{') == std::string::npos) {
            if (values)
                values->clear();
            return b.get();
        }
    for (const auto& b : m_bindings) {
        const std::vector<Piece> pieces = parseTemplate(b->point);
        if (!hasPlaceholders(pieces))
            continue;
        int maxSlot = 0;
        for (const Piece& p : pieces)
            maxSlot = std::max(maxSlot, p.slot);
        std::vector<std::string_view> found(static_cast<std::size_t>(maxSlot) + 1);
        if (!reverseMatch(pieces, 0, point, found))
            continue;
        if (values)
            values->assign(found.begin(), found.end());
        return b.get();
    }
    return nullptr;
}

const TopicBinding* TopicMap::forPoint(std::string_view point) const
{
    return findForPoint(point, nullptr);
}

std::optional<std::string> TopicMap::commandTopicFor(std::string_view point) const
{
    std::vector<std::string> values;
    const TopicBinding* b = findForPoint(point, &values);
    if (!b || b->commandTopic.empty())
        return std::nullopt;
    return fillFromValues(b->commandTopic, values);
}

} // namespace twindesk::live
