#include <twindesk/policies/decision_log.h>
#include <twindesk/policies/room_context.h>
#include <twindesk/policies/rule_policy.h>
#include <twindesk/twin/units.h>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

namespace twindesk::policies {

namespace {

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

/// Point roles, in the order of RoomPoints' fields (see room_context.h).
enum class Role : std::uint8_t {
    AirTemperature,
    HeatingSetpoint,
    CoolingSetpoint,
    Occupancy,
    OccupantCount,
    Co2,
    LightCommand,
};
constexpr std::size_t kRoleCount = 7;

struct RoleInfo
{
    Role role;
    std::string_view name;
    twin::Quantity quantity;
};

constexpr std::array<RoleInfo, kRoleCount> kRoles{{
    {Role::AirTemperature, "air_temperature", twin::Quantity::Temperature},
    {Role::HeatingSetpoint, "heating_setpoint", twin::Quantity::Temperature},
    {Role::CoolingSetpoint, "cooling_setpoint", twin::Quantity::Temperature},
    {Role::Occupancy, "occupancy", twin::Quantity::Boolean},
    {Role::OccupantCount, "occupant_count", twin::Quantity::Count},
    {Role::Co2, "co2", twin::Quantity::Concentration},
    {Role::LightCommand, "light_command", twin::Quantity::Ratio},
}};

const RoleInfo& roleInfo(Role r)
{
    return kRoles[static_cast<std::size_t>(r)];
}

std::optional<Role> parseRole(std::string_view text)
{
    for (const auto& r : kRoles)
        if (r.name == text)
            return r.role;
    return std::nullopt;
}

std::string roleList()
{
    std::vector<std::string_view> names;
    for (const auto& r : kRoles)
        names.push_back(r.name);
    std::sort(names.begin(), names.end());
    std::string out;
    for (auto n : names)
        out += (out.empty() ? "" : ", ") + std::string(n);
    return out;
}

constexpr std::array<std::string_view, 7> kDayNames{"mon", "tue", "wed", "thu",
                                                    "fri", "sat", "sun"};

constexpr int kMaxConditionDepth = 32;
constexpr std::size_t kMaxConditions = 10000;
constexpr Seconds kMaxDuration = 366LL * 86400;

// ---------------------------------------------------------------------------------------------
// The parsed rule set
// ---------------------------------------------------------------------------------------------

struct Loc
{
    int line = 1;
    int column = 1;
};

/// A point named by a rule: a role of the scope room, the scope point itself, or a full IRI.
struct PointRef
{
    enum class Kind : std::uint8_t { Role, Self, Iri } kind = Kind::Iri;
    Role role = Role::AirTemperature;
    std::string iri;

    [[nodiscard]] std::string key() const
    {
        switch (kind) {
        case Kind::Role:
            return std::string(roleInfo(role).name);
        case Kind::Self:
            return "self";
        case Kind::Iri:
            break;
        }
        return iri;
    }
};

enum class CondKind : std::uint8_t {
    All,
    Any,
    Not,
    Point,
    MeetingNow,
    MeetingWithin,
    NoMeetingWithin,
    Time
};

struct Condition
{
    CondKind kind = CondKind::All;
    Loc loc;
    std::size_t slot = 0; ///< index of this node's state in InstanceState::nodes
    Seconds forDuration = 0;
    std::vector<Condition> children; // All, Any, Not

    // Point
    PointRef point;
    std::optional<double> above;
    std::optional<double> below;
    std::optional<double> equals;
    double hysteresis = 0.0;
    std::string unit; ///< unit of above/below/equals/hysteresis; empty: the point's unit

    // Calendar
    bool meetingNow = true;
    Seconds within = 0;
    std::string room; ///< empty: the scope room

    // Time (site local standard time)
    std::array<bool, 7> days{true, true, true, true, true, true, true}; ///< Monday first
    bool hasBetween = false;
    int startS = 0; ///< seconds of the day, inclusive
    int endS = 0;   ///< exclusive; end < start wraps midnight
};

enum class Verb : std::uint8_t { Set, Lights, Hvac };

struct ActionSpec
{
    Verb verb = Verb::Set;
    Loc loc;
    ActionKind kind = ActionKind::SetSetpoint;
    PointRef target; ///< Set, Lights
    double value = 0.0;
    std::string unit; ///< Set: unit of `value`; empty: the point's unit
    std::string mode; ///< Hvac: "on" / "off"
};

struct Scope
{
    enum class Kind : std::uint8_t { Rooms, Points } kind = Kind::Rooms;
    std::vector<twin::ZoneUse> uses; ///< empty: any use
    std::vector<std::pair<std::string, Loc>> ids;
    std::vector<std::pair<std::string, Loc>> points;
};

struct Rule
{
    std::string name;
    Loc loc;
    Scope scope;
    Condition when;
    std::vector<ActionSpec> then;
    std::vector<ActionSpec> otherwise;
    Seconds minDwell = 0;
    std::size_t slotCount = 0;
};

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

/// Thrown inside the parser and the evaluator; caught at the API boundary.
struct Failure
{
    twin::Error error;
};

Loc locOf(const YAML::Node& n)
{
    const auto m = n.Mark();
    return Loc{m.line < 0 ? 1 : m.line + 1, m.column < 0 ? 1 : m.column + 1};
}

std::string where(const std::string& file, Loc loc)
{
    return file + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.column);
}

/// Quotes user text for a message: clipped, control bytes replaced (garbage stays readable).
std::string quote(std::string_view text)
{
    std::string out = "'";
    const std::size_t n = std::min<std::size_t>(text.size(), 60);
    for (std::size_t i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
    }
    if (text.size() > n)
        out += "...";
    return out + "'";
}

std::string describe(const YAML::Node& n)
{
    switch (n.Type()) {
    case YAML::NodeType::Null:
        return "nothing (an empty value)";
    case YAML::NodeType::Scalar:
        return quote(n.Scalar());
    case YAML::NodeType::Sequence:
        return "a list";
    case YAML::NodeType::Map:
        return "a map";
    case YAML::NodeType::Undefined:
        break;
    }
    return "an undefined value";
}

std::string trim(std::string_view s)
{
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string_view::npos)
        return {};
    const auto e = s.find_last_not_of(" \t");
    return std::string(s.substr(b, e - b + 1));
}

std::string joined(const std::vector<std::string_view>& words)
{
    std::vector<std::string_view> sorted(words);
    std::sort(sorted.begin(), sorted.end());
    std::string out;
    for (auto w : sorted)
        out += (out.empty() ? "" : ", ") + std::string(w);
    return out;
}

struct Field
{
    std::string key;
    YAML::Node keyNode;
    YAML::Node value;
};

/// A map's fields in file order, keys checked against an allowed set.
struct MapView
{
    Loc loc;
    std::vector<Field> fields;

    [[nodiscard]] const Field* find(std::string_view key) const
    {
        for (const auto& f : fields)
            if (f.key == key)
                return &f;
        return nullptr;
    }
    [[nodiscard]] bool has(std::string_view key) const { return find(key) != nullptr; }
};

class Parser
{
public:
    explicit Parser(std::string file) : m_file(std::move(file)) {}

    [[noreturn]] void fail(Loc loc, std::string message,
                           twin::ErrorCode code = twin::ErrorCode::InvalidArgument) const
    {
        throw Failure{twin::makeError(code, std::move(message), where(m_file, loc))};
    }

    /// `n` as a map whose keys are all in `allowed`; `what` names it in messages.
    MapView map(const YAML::Node& n, std::string_view what,
                const std::vector<std::string_view>& allowed) const
    {
        if (!n.IsMap())
            fail(locOf(n), std::string(what) + " must be a map of key: value pairs (keys: " +
                               joined(allowed) + "); got " + describe(n));
        MapView view{locOf(n), {}};
        for (auto it = n.begin(); it != n.end(); ++it) {
            const YAML::Node key = it->first;
            if (!key.IsScalar())
                fail(locOf(key), "a key of " + std::string(what) + " must be a plain name; got " +
                                     describe(key));
            const std::string k = key.Scalar();
            if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
                fail(locOf(key), "unknown " + std::string(what) + " key " + quote(k) +
                                     "; expected one of: " + joined(allowed));
            if (view.has(k))
                fail(locOf(key), "duplicate key " + quote(k) + " in " + std::string(what));
            view.fields.push_back(Field{k, key, it->second});
        }
        return view;
    }

    const Field& required(const MapView& m, std::string_view key, std::string_view what) const
    {
        const auto* f = m.find(key);
        if (f == nullptr)
            fail(m.loc, std::string(what) + " needs the key '" + std::string(key) + "'");
        return *f;
    }

    std::string scalar(const YAML::Node& n, std::string_view what) const
    {
        if (!n.IsScalar())
            fail(locOf(n), std::string(what) + " must be a single value; got " + describe(n));
        return n.Scalar();
    }

    std::vector<YAML::Node> list(const YAML::Node& n, std::string_view what) const
    {
        if (!n.IsSequence())
            fail(locOf(n), std::string(what) + " must be a list; got " + describe(n));
        if (n.size() == 0)
            fail(locOf(n), std::string(what) + " must not be empty");
        std::vector<YAML::Node> out;
        for (const auto& e : n)
            out.push_back(e);
        return out;
    }

    /// A name for a policy or rule: letters, digits, '-', '_', '.'.
    std::string identifier(const YAML::Node& n, std::string_view what) const
    {
        const auto s = scalar(n, what);
        const bool ok = !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' ||
                   c == '.';
        });
        if (!ok)
            fail(locOf(n), std::string(what) + " " + quote(s) +
                               " is not a valid name; use 1 to 64 letters, digits, '-', '_' or "
                               "'.'");
        return s;
    }

    double number(const YAML::Node& n, std::string_view what) const
    {
        const auto raw = scalar(n, what);
        std::string s = trim(raw);
        if (!s.empty() && s.front() == '+')
            s.erase(0, 1);
        double v = 0.0;
        const auto* end = s.data() + s.size();
        const auto [ptr, ec] = std::from_chars(s.data(), end, v);
        std::string word = s.empty() || s.front() != '-' ? s : s.substr(1);
        for (auto& c : word)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        const bool nonFinite = word == ".inf" || word == "inf" || word == "infinity" ||
                               word == ".nan" || word == "nan" ||
                               ec == std::errc::result_out_of_range;
        if (nonFinite)
            fail(locOf(n), std::string(what) + " must be a finite number; got " + quote(raw));
        if (s.empty() || ec != std::errc() || ptr != end)
            fail(locOf(n), std::string(what) + " must be a number; got " + quote(raw));
        if (!std::isfinite(v))
            fail(locOf(n), std::string(what) + " must be a finite number; got " + quote(raw));
        return v;
    }

    bool boolean(const YAML::Node& n, std::string_view what) const
    {
        const auto s = scalar(n, what);
        if (s == "true")
            return true;
        if (s == "false")
            return false;
        fail(locOf(n), std::string(what) + " must be true or false; got " + quote(s));
    }

    /// "90s", "30 s", "15min", "2h", "1.5h", "1d" → seconds (whole, 0 .. 366 d).
    Seconds duration(const YAML::Node& n, std::string_view what) const
    {
        const auto raw = scalar(n, what);
        const std::string s = trim(raw);
        const std::string expected =
            "; expected a number followed by s, min, h or d (e.g. 90s, 15min, 2h)";
        std::size_t numEnd = 0;
        while (numEnd < s.size() &&
               (std::isdigit(static_cast<unsigned char>(s[numEnd])) != 0 || s[numEnd] == '.'))
            ++numEnd;
        double v = 0.0;
        const auto [ptr, ec] = std::from_chars(s.data(), s.data() + numEnd, v);
        if (numEnd == 0 || ec != std::errc() || ptr != s.data() + numEnd)
            fail(locOf(n), std::string(what) + ": bad duration " + quote(raw) + expected);
        const std::string unit = trim(std::string_view(s).substr(numEnd));
        double scale = 0.0;
        if (unit == "s" || unit == "sec" || unit == "second" || unit == "seconds")
            scale = 1.0;
        else if (unit == "min" || unit == "minute" || unit == "minutes")
            scale = 60.0;
        else if (unit == "h" || unit == "hour" || unit == "hours")
            scale = 3600.0;
        else if (unit == "d" || unit == "day" || unit == "days")
            scale = 86400.0;
        else if (unit.empty())
            fail(locOf(n),
                 std::string(what) + ": duration " + quote(raw) + " has no unit" + expected);
        else
            fail(locOf(n), std::string(what) + ": unknown duration unit " + quote(unit) + " in " +
                               quote(raw) + expected);
        const double seconds = v * scale;
        if (!std::isfinite(seconds) || seconds > static_cast<double>(kMaxDuration))
            fail(locOf(n),
                 std::string(what) + ": duration " + quote(raw) + " is longer than 366 days");
        if (std::abs(seconds - std::round(seconds)) > 1e-6)
            fail(locOf(n), std::string(what) + ": duration " + quote(raw) +
                               " is not a whole number of seconds");
        return static_cast<Seconds>(std::llround(seconds));
    }

    /// A unit known to twin/units.h; when `role` is given, of the quantity its points measure.
    std::string unit(const YAML::Node& n, std::optional<Role> role) const
    {
        const auto s = scalar(n, "unit");
        auto u = twin::findUnit(s);
        if (!u)
            fail(locOf(n), u.error().message, twin::ErrorCode::UnknownUnit);
        if (role && (*u)->quantity != roleInfo(*role).quantity)
            fail(locOf(n),
                 "unit " + quote(s) + " measures " +
                     std::string(twin::quantityName((*u)->quantity)) + ", but " +
                     std::string(roleInfo(*role).name) + " points measure " +
                     std::string(twin::quantityName(roleInfo(*role).quantity)),
                 twin::ErrorCode::UnitMismatch);
        return std::string((*u)->symbol);
    }

    PointRef pointRef(const YAML::Node& n, const Scope& scope, std::string_view what) const
    {
        const auto s = trim(scalar(n, what));
        PointRef ref;
        if (auto role = parseRole(s)) {
            if (scope.kind == Scope::Kind::Points)
                fail(locOf(n), std::string(what) + ": the role " + quote(s) +
                                   " needs a rooms scope; in a points scope use 'self' or a "
                                   "full point IRI");
            ref.kind = PointRef::Kind::Role;
            ref.role = *role;
        } else if (s == "self") {
            if (scope.kind != Scope::Kind::Points)
                fail(locOf(n), std::string(what) +
                                   ": 'self' names the point of a points scope; in a rooms "
                                   "scope use a role (" +
                                   roleList() + ") or a full point IRI");
            ref.kind = PointRef::Kind::Self;
        } else if (s.find(':') != std::string::npos &&
                   s.find_first_of(" \t<>\"") == std::string::npos) {
            ref.kind = PointRef::Kind::Iri;
            ref.iri = s;
        } else {
            fail(locOf(n), std::string(what) + ": unknown point role " + quote(s) +
                               "; expected one of: " + roleList() +
                               (scope.kind == Scope::Kind::Points ? ", self" : "") +
                               ", or a full point IRI");
        }
        return ref;
    }

    Scope scope(const YAML::Node& n) const
    {
        const auto m = map(n, "scope", {"points", "rooms"});
        if (m.fields.size() != 1)
            fail(m.loc, "a scope has exactly one of 'rooms' or 'points'");
        Scope s;
        const auto& f = m.fields.front();
        if (f.key == "points") {
            s.kind = Scope::Kind::Points;
            for (const auto& p : list(f.value, "scope points")) {
                const auto iri = trim(scalar(p, "a scope point"));
                if (iri.find(':') == std::string::npos)
                    fail(locOf(p), "scope point " + quote(iri) + " is not a full point IRI");
                s.points.emplace_back(iri, locOf(p));
            }
            return s;
        }
        s.kind = Scope::Kind::Rooms;
        const auto rooms = map(f.value, "rooms scope", {"ids", "use"});
        if (const auto* use = rooms.find("use")) {
            std::vector<YAML::Node> uses;
            if (use->value.IsSequence())
                uses = list(use->value, "use");
            else
                uses.push_back(use->value);
            for (const auto& u : uses) {
                const auto text = trim(scalar(u, "use"));
                const auto parsed = twin::parseZoneUse(text);
                if (!parsed) {
                    std::vector<std::string_view> names;
                    for (int i = 0; i <= static_cast<int>(twin::ZoneUse::Other); ++i)
                        names.push_back(twin::zoneUseName(static_cast<twin::ZoneUse>(i)));
                    fail(locOf(u),
                         "unknown zone use " + quote(text) + "; expected one of: " + joined(names));
                }
                s.uses.push_back(*parsed);
            }
        }
        if (const auto* ids = rooms.find("ids"))
            for (const auto& id : list(ids->value, "room ids")) {
                const auto iri = trim(scalar(id, "a room id"));
                if (iri.empty())
                    fail(locOf(id), "a room id must not be empty");
                s.ids.emplace_back(iri, locOf(id));
            }
        return s;
    }

    Condition condition(const YAML::Node& n, const Scope& scope, Rule& rule, int depth)
    {
        if (depth > kMaxConditionDepth)
            fail(locOf(n), "conditions are nested more than " + std::to_string(kMaxConditionDepth) +
                               " levels deep");
        if (++m_conditions > kMaxConditions)
            fail(locOf(n),
                 "the file holds more than " + std::to_string(kMaxConditions) + " conditions");
        Condition c;
        c.loc = locOf(n);
        c.slot = rule.slotCount++;
        // A list is shorthand for all: [...].
        if (n.IsSequence()) {
            c.kind = CondKind::All;
            for (const auto& e : list(n, "a condition list"))
                c.children.push_back(condition(e, scope, rule, depth + 1));
            return c;
        }
        if (!n.IsMap())
            fail(locOf(n), "a condition must be a map (e.g. {point: occupancy, equals: 0}) or a "
                           "list of conditions; got " +
                               describe(n));

        // Which kind of condition: exactly one discriminating key.
        static const std::vector<std::string_view> kKinds{
            "all", "any", "not", "point", "meeting_now", "meeting_within", "no_meeting_within",
            "time"};
        std::vector<std::string> found;
        for (auto it = n.begin(); it != n.end(); ++it)
            if (it->first.IsScalar() &&
                std::find(kKinds.begin(), kKinds.end(), it->first.Scalar()) != kKinds.end())
                found.push_back(it->first.Scalar());
        if (found.size() > 1)
            fail(locOf(n), "a condition has exactly one of " + joined(kKinds) + "; found '" +
                               found[0] + "' and '" + found[1] +
                               "' — combine them in an all: or any: list");
        static const std::vector<std::string_view> kPointKeys{
            "above", "below", "equals", "for", "hysteresis", "point", "unit"};
        std::string kind;
        if (found.empty()) {
            // Point-comparison keys without 'point:' most likely mean a misspelt point key.
            bool looksLikePoint = false;
            for (auto it = n.begin(); it != n.end(); ++it)
                if (it->first.IsScalar() &&
                    (it->first.Scalar() == "above" || it->first.Scalar() == "below" ||
                     it->first.Scalar() == "equals"))
                    looksLikePoint = true;
            if (!looksLikePoint) {
                for (auto it = n.begin(); it != n.end(); ++it)
                    fail(locOf(it->first),
                         "unknown condition key " + describe(it->first) +
                             "; a condition starts with one of: " + joined(kKinds));
                fail(locOf(n), "a condition needs one of: " + joined(kKinds));
            }
            map(n, "condition", kPointKeys); // names the unknown key
            fail(locOf(n), "a point condition needs the key 'point'");
        }
        kind = found.front();

        if (kind == "all" || kind == "any") {
            const auto m = map(n, "condition", {kind, "for"});
            c.kind = kind == "all" ? CondKind::All : CondKind::Any;
            for (const auto& e : list(m.find(kind)->value, kind))
                c.children.push_back(condition(e, scope, rule, depth + 1));
            if (const auto* f = m.find("for"))
                c.forDuration = duration(f->value, "for");
        } else if (kind == "not") {
            const auto m = map(n, "condition", {"not", "for"});
            c.kind = CondKind::Not;
            c.children.push_back(condition(m.find("not")->value, scope, rule, depth + 1));
            if (const auto* f = m.find("for"))
                c.forDuration = duration(f->value, "for");
        } else if (kind == "point") {
            pointCondition(c, map(n, "condition", kPointKeys), scope);
        } else if (kind == "time") {
            const auto m = map(n, "condition", {"time", "for"});
            timeCondition(c, m.find("time")->value);
            if (const auto* f = m.find("for"))
                c.forDuration = duration(f->value, "for");
        } else {
            const auto m = map(n, "condition", {kind, "for", "room"});
            const auto& v = m.find(kind)->value;
            if (kind == "meeting_now") {
                c.kind = CondKind::MeetingNow;
                c.meetingNow = boolean(v, "meeting_now");
            } else {
                c.kind =
                    kind == "meeting_within" ? CondKind::MeetingWithin : CondKind::NoMeetingWithin;
                c.within = duration(v, kind);
            }
            if (const auto* r = m.find("room")) {
                c.room = trim(scalar(r->value, "room"));
                if (c.room.find(':') == std::string::npos)
                    fail(locOf(r->value), "room " + quote(c.room) + " is not a full room IRI");
            } else if (scope.kind != Scope::Kind::Rooms) {
                fail(c.loc, "a calendar condition in a points scope needs 'room: <room IRI>' "
                            "(a points scope has no room of its own)");
            }
            if (const auto* f = m.find("for"))
                c.forDuration = duration(f->value, "for");
        }
        return c;
    }

    void pointCondition(Condition& c, const MapView& m, const Scope& scope) const
    {
        c.kind = CondKind::Point;
        c.point = pointRef(m.find("point")->value, scope, "point");
        const std::optional<Role> role =
            c.point.kind == PointRef::Kind::Role ? std::optional<Role>(c.point.role) : std::nullopt;
        if (const auto* u = m.find("unit"))
            c.unit = unit(u->value, role);
        if (const auto* f = m.find("above"))
            c.above = number(f->value, "above");
        if (const auto* f = m.find("below"))
            c.below = number(f->value, "below");
        if (const auto* f = m.find("equals")) {
            const auto& v = f->value;
            if (v.IsScalar() && (v.Scalar() == "true" || v.Scalar() == "false"))
                c.equals = v.Scalar() == "true" ? 1.0 : 0.0;
            else
                c.equals = number(v, "equals");
        }
        if (const auto* f = m.find("hysteresis")) {
            c.hysteresis = number(f->value, "hysteresis");
            if (c.hysteresis < 0.0)
                fail(locOf(f->value), "hysteresis must not be negative");
            if (!c.above && !c.below)
                fail(locOf(f->keyNode), "hysteresis applies to above: or below:, not to equals:");
        }
        if (const auto* f = m.find("for"))
            c.forDuration = duration(f->value, "for");
        if (c.equals && (c.above || c.below))
            fail(c.loc, "a point condition has either equals: or above:/below:, not both");
        if (!c.equals && !c.above && !c.below)
            fail(c.loc, "a point condition needs a comparison: above:, below: or equals:");
        if (c.above && c.below && !(*c.above < *c.below))
            fail(c.loc, "above: must be less than below: (the condition is a range)");
    }

    static std::optional<int> timeOfDay(std::string_view s)
    {
        // "HH:MM", 00:00 .. 24:00
        const auto colon = s.find(':');
        if (colon == std::string_view::npos || colon == 0 || colon > 2 || s.size() != colon + 3)
            return std::nullopt;
        int h = 0;
        int m = 0;
        if (std::from_chars(s.data(), s.data() + colon, h).ptr != s.data() + colon ||
            std::from_chars(s.data() + colon + 1, s.data() + s.size(), m).ptr !=
                s.data() + s.size())
            return std::nullopt;
        if (h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0))
            return std::nullopt;
        return h * 3600 + m * 60;
    }

    void timeCondition(Condition& c, const YAML::Node& n) const
    {
        c.kind = CondKind::Time;
        const auto m = map(n, "time", {"between", "days"});
        if (m.fields.empty())
            fail(m.loc, "a time condition needs days:, between: or both");
        if (const auto* d = m.find("days")) {
            c.days.fill(false);
            if (d->value.IsScalar()) {
                const auto s = d->value.Scalar();
                if (s == "weekdays")
                    c.days = {true, true, true, true, true, false, false};
                else if (s == "weekend")
                    c.days = {false, false, false, false, false, true, true};
                else if (s == "daily")
                    c.days.fill(true);
                else
                    fail(locOf(d->value), "days: " + quote(s) +
                                              " is not a day set; use weekdays, weekend, daily "
                                              "or a list of mon, tue, wed, thu, fri, sat, sun");
            } else {
                for (const auto& day : list(d->value, "days")) {
                    const auto s = trim(scalar(day, "a day"));
                    const auto it = std::find(kDayNames.begin(), kDayNames.end(), s);
                    if (it == kDayNames.end())
                        fail(locOf(day),
                             "unknown day " + quote(s) +
                                 "; expected one of: mon, tue, wed, thu, fri, sat, sun");
                    c.days[static_cast<std::size_t>(it - kDayNames.begin())] = true;
                }
            }
        }
        if (const auto* b = m.find("between")) {
            const auto items = list(b->value, "between");
            if (items.size() != 2)
                fail(locOf(b->value), "between: needs two times, [\"HH:MM\", \"HH:MM\"]");
            std::array<int, 2> t{};
            for (std::size_t i = 0; i < 2; ++i) {
                const auto s = trim(scalar(items[i], "a time of day"));
                const auto v = timeOfDay(s);
                if (!v)
                    fail(locOf(items[i]), "bad time of day " + quote(s) +
                                              "; expected HH:MM between 00:00 and 24:00");
                t[i] = *v;
            }
            if (t[0] == t[1])
                fail(locOf(b->value), "between: start and end are equal; leave between: out "
                                      "for the whole day");
            if (t[0] == 86400)
                fail(locOf(items[0]), "between: cannot start at 24:00");
            c.hasBetween = true;
            c.startS = t[0];
            c.endS = t[1];
        }
    }

    std::vector<ActionSpec> actions(const YAML::Node& n, const Scope& scope,
                                    std::string_view what) const
    {
        std::vector<ActionSpec> out;
        std::map<std::string, Loc> targets;
        for (const auto& e : list(n, what)) {
            if (!e.IsMap())
                fail(locOf(e), "an action must be a map, e.g. {set: heating_setpoint, value: "
                               "16} or {lights: 0}; got " +
                                   describe(e));
            static const std::vector<std::string_view> kVerbs{"hvac", "lights", "set"};
            std::vector<std::string> verbs;
            for (auto it = e.begin(); it != e.end(); ++it)
                if (it->first.IsScalar() &&
                    std::find(kVerbs.begin(), kVerbs.end(), it->first.Scalar()) != kVerbs.end())
                    verbs.push_back(it->first.Scalar());
            if (verbs.empty()) {
                map(e, "action", {"hvac", "lights", "point", "set", "unit", "value"});
                fail(locOf(e), "an action needs one of: hvac, lights, set");
            }
            if (verbs.size() > 1)
                fail(locOf(e), "an action has exactly one of hvac, lights, set; found '" +
                                   verbs[0] + "' and '" + verbs[1] + "'");
            ActionSpec a;
            a.loc = locOf(e);
            std::string key;
            if (verbs[0] == "set") {
                const auto m = map(e, "set action", {"set", "unit", "value"});
                a.verb = Verb::Set;
                a.kind = ActionKind::SetSetpoint;
                const auto& t = m.find("set")->value;
                a.target = pointRef(t, scope, "set");
                if (a.target.kind == PointRef::Kind::Role &&
                    a.target.role != Role::HeatingSetpoint &&
                    a.target.role != Role::CoolingSetpoint)
                    fail(locOf(t), "set: drives setpoints (heating_setpoint, cooling_setpoint); " +
                                       quote(roleInfo(a.target.role).name) +
                                       (a.target.role == Role::LightCommand
                                            ? " is driven with lights:"
                                            : " is a sensor and cannot be set"));
                a.value = number(required(m, "value", "a set action").value, "value");
                if (const auto* u = m.find("unit"))
                    a.unit = unit(u->value, a.target.kind == PointRef::Kind::Role
                                                ? std::optional<Role>(a.target.role)
                                                : std::nullopt);
                key = a.target.key();
            } else if (verbs[0] == "lights") {
                const auto m = map(e, "lights action", {"lights", "point"});
                a.verb = Verb::Lights;
                const auto& v = m.find("lights")->value;
                if (v.IsScalar() && (v.Scalar() == "on" || v.Scalar() == "off")) {
                    a.kind = ActionKind::Switch;
                    a.value = v.Scalar() == "on" ? 1.0 : 0.0;
                } else {
                    a.kind = ActionKind::Dim;
                    a.value = number(v, "lights");
                    if (a.value < 0.0 || a.value > 100.0)
                        fail(locOf(v),
                             "lights: is a dimming level 0..100 % (or on/off); got " + describe(v));
                }
                if (const auto* p = m.find("point")) {
                    a.target = pointRef(p->value, scope, "point");
                    if (a.target.kind == PointRef::Kind::Role &&
                        a.target.role != Role::LightCommand)
                        fail(locOf(p->value), "lights: drives light_command points, not " +
                                                  quote(roleInfo(a.target.role).name));
                } else if (scope.kind == Scope::Kind::Points) {
                    fail(a.loc, "lights: in a points scope needs 'point: self' or a full point "
                                "IRI (a points scope has no room lights)");
                } else {
                    a.target.kind = PointRef::Kind::Role;
                    a.target.role = Role::LightCommand;
                }
                key = a.target.key();
            } else {
                const auto m = map(e, "hvac action", {"hvac"});
                a.verb = Verb::Hvac;
                a.kind = ActionKind::SetMode;
                const auto mode = scalar(m.find("hvac")->value, "hvac");
                if (mode != "on" && mode != "off")
                    fail(locOf(m.find("hvac")->value),
                         "hvac: switches a room's conditioning; expected on or off, got " +
                             quote(mode));
                if (scope.kind != Scope::Kind::Rooms)
                    fail(a.loc, "hvac: switches a room's conditioning, and a points scope has "
                                "no room; use a rooms scope");
                a.mode = mode;
                key = "hvac";
            }
            if (auto [it, inserted] = targets.emplace(key, a.loc); !inserted)
                fail(a.loc, "this list already drives " + quote(key) + " (line " +
                                std::to_string(it->second.line) + "); one action per target");
            out.push_back(std::move(a));
        }
        return out;
    }

    Rule rule(const YAML::Node& n)
    {
        const auto m =
            map(n, "rule", {"description", "else", "min_dwell", "name", "scope", "then", "when"});
        Rule r;
        r.loc = m.loc;
        r.name = identifier(required(m, "name", "a rule").value, "rule name");
        if (const auto* d = m.find("description"))
            scalar(d->value, "description");
        r.scope = scope(required(m, "scope", "rule '" + r.name + "'").value);
        r.when = condition(required(m, "when", "rule '" + r.name + "'").value, r.scope, r, 0);
        r.then = actions(required(m, "then", "rule '" + r.name + "'").value, r.scope, "then");
        if (const auto* e = m.find("else"))
            r.otherwise = actions(e->value, r.scope, "else");
        if (const auto* d = m.find("min_dwell"))
            r.minDwell = duration(d->value, "min_dwell");
        return r;
    }

private:
    std::string m_file;
    std::size_t m_conditions = 0;
};

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

enum class Tri : std::uint8_t { False, True, Unknown };

Tri fromBool(bool b)
{
    return b ? Tri::True : Tri::False;
}

struct NodeState
{
    std::optional<Seconds> trueSince; ///< `for:` — since when the inner condition holds
    std::optional<bool> latched;      ///< hysteresis: the last decided value
};

struct InstanceState
{
    std::vector<NodeState> nodes;
    std::optional<bool> active; ///< the rule's state after dwell; nullopt: never known
    Seconds changedAt = 0;
    std::set<std::size_t> modeSent; ///< SetMode actions sent since the branch was entered
};

/// What one of a rule's actions resolves to for one instance, found once per model: the
/// target, its claim slot (earlier rule wins), the wanted value in the target's unit — or the
/// error decide() raises when the action is reached (a target the model lacks, a unit that
/// does not convert).
struct PreparedAction
{
    std::string target;          ///< empty: the room has no such point (Hvac: the room)
    int slot = -1;               ///< claim slot of the target (Hvac: of the room's mode)
    double wanted = 0.0;         ///< the action's value, in the target's unit
    double observedWanted = 0.0; ///< what the target publishes once it holds `wanted`
    std::optional<twin::Error> error;
};

/// One thing a rule applies to: a room (rooms scope) or a point (points scope).
struct Instance
{
    std::string id;   ///< state key: room or point id
    std::string room; ///< rooms scope: the room (calendar, hvac)
    std::array<std::string, kRoleCount> roles;
    std::array<std::vector<PreparedAction>, 2> actions; ///< then, otherwise
};

/// Receives parser events only to find where a second document starts.
class DocumentCounter : public YAML::EventHandler
{
public:
    std::vector<YAML::Mark> starts;
    void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  const std::string&) override
    {
    }
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override
    {
    }
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override
    {
    }
    void OnMapEnd() override {}
};

/// Where a second YAML document starts, if the text has one. Reads at most two documents:
/// yaml-cpp 0.7's LoadAll() loops forever on some malformed input (a stray ',' at the top
/// level yields endless empty documents; jbeder/yaml-cpp#1040, fixed by #1319 after 0.8.0).
std::optional<YAML::Mark> secondDocumentStart(const std::string& text)
{
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentCounter counter;
    for (int i = 0; i < 2 && parser.HandleNextDocument(counter); ++i) {
    }
    if (counter.starts.size() < 2)
        return std::nullopt;
    return counter.starts[1];
}

} // namespace

struct RulePolicy::Impl
{
    std::string file;
    std::vector<Rule> rules;
    /// Per rule, its instances in the twin the last decision saw, resolved once per model
    /// (nullopt: not yet resolved); and per rule × instance the evaluation state (timers,
    /// latches, dwell), parallel to it. A new model starts from a fresh state.
    std::vector<std::optional<std::vector<Instance>>> instanceCache;
    std::vector<std::vector<InstanceState>> states;
    /// decide()'s undo copy: restored when it fails (kept to reuse its memory).
    std::vector<std::vector<InstanceState>> savedStates;
    std::optional<Seconds> lastTime;
    /// Claim slots (targets and room modes) of the cached instances, and the round that last
    /// claimed each: "the earlier rule wins" without a set of strings per round.
    std::map<std::string, int, std::less<>> slotOf;
    std::vector<std::uint64_t> claimedIn;
    std::uint64_t round = 0;

    // Per decide() call.
    const Observation* obs = nullptr;
    /// The rooms of the twin the last decision saw: found once per model, not per decision
    /// (walking the graph is most of a decision's cost otherwise).
    std::optional<std::vector<RoomPoints>> rooms;
    const twin::TwinGraph* roomsTwin = nullptr;

    int slotFor(const std::string& key)
    {
        const auto [it, inserted] = slotOf.emplace(key, static_cast<int>(slotOf.size()));
        if (inserted)
            claimedIn.push_back(0);
        return it->second;
    }

    /// Resolves `specs` for `in` (see PreparedAction). Errors are kept, not raised.
    std::vector<PreparedAction> prepare(const Rule& r, const std::vector<ActionSpec>& specs,
                                        const Instance& in)
    {
        const auto* g = obs->twin();
        std::vector<PreparedAction> out(specs.size());
        for (std::size_t i = 0; i < specs.size(); ++i) {
            const auto& a = specs[i];
            auto& p = out[i];
            if (a.verb == Verb::Hvac) {
                p.target = in.room;
                p.slot = slotFor("mode:" + in.room);
                continue;
            }
            p.target = resolve(a.target, in);
            if (p.target.empty())
                continue;
            p.slot = slotFor(p.target);
            try {
                if (g != nullptr && a.target.kind != PointRef::Kind::Role) {
                    const auto idx = g->find(p.target);
                    if (!idx)
                        fail(r, a.loc, "target " + quote(p.target) + " is not in the twin model",
                             twin::ErrorCode::NotFound);
                    const auto& e = g->entity(*idx);
                    const bool ok = a.verb == Verb::Set
                                        ? (e.point && e.point->type == twin::PointType::Setpoint)
                                        : pointRole(e) == "light_command";
                    if (!ok)
                        fail(r, a.loc,
                             "target " + quote(p.target) +
                                 (a.verb == Verb::Set ? " is not a setpoint point"
                                                      : " is not a light command point"));
                }
                p.wanted = a.value;
                p.observedWanted = a.value;
                if (a.verb == Verb::Set) {
                    p.wanted = toPointUnit(r, a.loc, a.value, a.unit, p.target);
                    p.observedWanted = p.wanted;
                } else if (a.kind == ActionKind::Switch) {
                    p.observedWanted = a.value * 100.0; // a light command publishes its level in %
                }
            } catch (const Failure& f) {
                p.error = f.error;
            }
        }
        return out;
    }

    /// The instances of rule `ri` (resolved on first use per model) and their states.
    std::vector<Instance>& instancesOf(std::size_t ri)
    {
        auto& cached = instanceCache[ri];
        if (!cached) {
            const auto& r = rules[ri];
            auto list = instances(r);
            for (auto& in : list) {
                in.actions[0] = prepare(r, r.then, in);
                in.actions[1] = prepare(r, r.otherwise, in);
            }
            cached = std::move(list);
            states[ri].assign(cached->size(), InstanceState{});
            for (auto& st : states[ri])
                st.nodes.resize(r.slotCount);
        }
        return *cached;
    }

    [[noreturn]] void fail(const Rule& r, Loc loc, const std::string& message,
                           twin::ErrorCode code = twin::ErrorCode::InvalidArgument) const
    {
        throw Failure{twin::makeError(code, "rule '" + r.name + "': " + message, where(file, loc))};
    }

    std::vector<Instance> instances(const Rule& r)
    {
        std::vector<Instance> out;
        const auto* g = obs->twin();
        if (r.scope.kind == Scope::Kind::Points) {
            for (const auto& [id, loc] : r.scope.points) {
                if (g != nullptr && !g->find(id))
                    fail(r, loc, "scope point " + quote(id) + " is not in the twin model",
                         twin::ErrorCode::NotFound);
                out.push_back(Instance{id, {}, {}, {}});
            }
            return out;
        }
        if (g == nullptr)
            fail(r, r.loc, "a rooms scope needs the twin model to find the rooms");
        if (!rooms)
            rooms = roomPoints(*g);
        for (const auto& id : r.scope.ids)
            if (std::none_of(rooms->begin(), rooms->end(),
                             [&id](const RoomPoints& rp) { return rp.room == id.first; }))
                fail(r, id.second, "room " + quote(id.first) + " is not a room of the twin model",
                     twin::ErrorCode::NotFound);
        for (const auto& rp : *rooms) {
            if (!r.scope.uses.empty() &&
                std::find(r.scope.uses.begin(), r.scope.uses.end(), rp.use) == r.scope.uses.end())
                continue;
            if (!r.scope.ids.empty() &&
                std::none_of(r.scope.ids.begin(), r.scope.ids.end(),
                             [&rp](const auto& id) { return id.first == rp.room; }))
                continue;
            Instance in;
            in.id = rp.room;
            in.room = rp.room;
            in.roles = {rp.airTemperature, rp.heatingSetpoint, rp.coolingSetpoint,
                        rp.occupancy,      rp.occupantCount,   rp.co2,
                        rp.lightCommand};
            out.push_back(std::move(in));
        }
        return out;
    }

    /// The point a reference names for an instance; empty when the room has no such point.
    static std::string resolve(const PointRef& ref, const Instance& in)
    {
        switch (ref.kind) {
        case PointRef::Kind::Role:
            return in.roles[static_cast<std::size_t>(ref.role)];
        case PointRef::Kind::Self:
            return in.id;
        case PointRef::Kind::Iri:
            break;
        }
        return ref.iri;
    }

    /// The unit a point's values are published in (empty when unknown).
    [[nodiscard]] std::string pointUnit(const std::string& point) const
    {
        const auto* g = obs->twin();
        if (g == nullptr)
            return {};
        const auto i = g->find(point);
        if (!i || !g->entity(*i).point)
            return {};
        return g->entity(*i).point->unit;
    }

    /// `value` in `unit` (empty: already in the point's unit) expressed in the point's unit.
    /// A point without a unit is taken to publish in its quantity's display unit (°C, ppm, ...).
    double toPointUnit(const Rule& r, Loc loc, double value, const std::string& unit,
                       const std::string& point) const
    {
        if (unit.empty())
            return value;
        std::string to = pointUnit(point);
        if (to.empty())
            to = std::string(twin::displayUnit(twin::findUnit(unit).value()->quantity).symbol);
        auto converted = twin::convert(value, unit, to);
        if (!converted)
            fail(r, loc, "point " + quote(point) + ": " + converted.error().message,
                 converted.error().code);
        return *converted;
    }

    Tri evaluate(const Rule& r, const Condition& c, const Instance& in, InstanceState& st)
    {
        Tri raw = Tri::Unknown;
        switch (c.kind) {
        case CondKind::All:
        case CondKind::Any: {
            // Every child is evaluated (no short-circuit) so that timers and latches advance.
            bool anyTrue = false;
            bool anyFalse = false;
            bool anyUnknown = false;
            for (const auto& child : c.children) {
                const auto v = evaluate(r, child, in, st);
                anyTrue = anyTrue || v == Tri::True;
                anyFalse = anyFalse || v == Tri::False;
                anyUnknown = anyUnknown || v == Tri::Unknown;
            }
            if (c.kind == CondKind::All)
                raw = anyFalse ? Tri::False : (anyUnknown ? Tri::Unknown : Tri::True);
            else
                raw = anyTrue ? Tri::True : (anyUnknown ? Tri::Unknown : Tri::False);
            break;
        }
        case CondKind::Not: {
            const auto v = evaluate(r, c.children.front(), in, st);
            raw = v == Tri::Unknown ? Tri::Unknown : fromBool(v == Tri::False);
            break;
        }
        case CondKind::Point:
            raw = evaluatePoint(r, c, in, st.nodes[c.slot]);
            break;
        case CondKind::MeetingNow:
        case CondKind::MeetingWithin:
        case CondKind::NoMeetingWithin:
            raw = evaluateCalendar(r, c, in);
            break;
        case CondKind::Time:
            raw = fromBool(evaluateTime(c));
            break;
        }
        if (c.forDuration <= 0)
            return raw;
        // `for:` — true once the inner condition has held continuously this long. Unknown
        // neither starts nor resets the timer.
        auto& ns = st.nodes[c.slot];
        const Seconds now = obs->time();
        if (raw == Tri::True) {
            if (!ns.trueSince)
                ns.trueSince = now;
            return fromBool(now - *ns.trueSince >= c.forDuration);
        }
        if (raw == Tri::False)
            ns.trueSince.reset();
        return raw;
    }

    Tri evaluatePoint(const Rule& r, const Condition& c, const Instance& in, NodeState& ns) const
    {
        const auto point = resolve(c.point, in);
        if (point.empty())
            return Tri::Unknown; // the room has no point of this role
        const auto v = obs->value(point);
        if (!v)
            return Tri::Unknown;
        auto conv = [&](double x) { return toPointUnit(r, c.loc, x, c.unit, point); };
        if (c.equals) {
            const double want = conv(*c.equals);
            return fromBool(std::abs(*v - want) <= 1e-9 * std::max(1.0, std::abs(want)));
        }
        // A range (above and/or below) with hysteresis: true once strictly inside, false
        // again only once outside by more than the hysteresis, otherwise unchanged.
        const bool inside = (!c.above || *v > conv(*c.above)) && (!c.below || *v < conv(*c.below));
        bool value = inside;
        if (!inside && c.hysteresis > 0.0) {
            const bool outside = (c.above && *v < conv(*c.above - c.hysteresis)) ||
                                 (c.below && *v > conv(*c.below + c.hysteresis));
            value = outside ? false : ns.latched.value_or(false);
        }
        ns.latched = value;
        return fromBool(value);
    }

    Tri evaluateCalendar(const Rule& r, const Condition& c, const Instance& in) const
    {
        const auto* b = obs->bookings();
        if (b == nullptr)
            fail(r, c.loc,
                 "a calendar condition needs a calendar, but no Bookings are attached to the "
                 "observation");
        const std::string& room = c.room.empty() ? in.room : c.room;
        if (!b->knows(room))
            return Tri::Unknown; // a room the calendar does not know: no evidence either way
        const Seconds now = obs->time();
        const bool running = b->booked(room, now);
        if (c.kind == CondKind::MeetingNow)
            return fromBool(running == c.meetingNow);
        const auto next = b->nextMeetingStart(room, now);
        const bool soon = running || (next && *next <= now + c.within);
        return fromBool(c.kind == CondKind::MeetingWithin ? soon : !soon);
    }

    [[nodiscard]] bool evaluateTime(const Condition& c) const
    {
        const auto local = sim::localTime(obs->time(), obs->timeZoneHours());
        // The rule's days are Monday first (kDayNames).
        const auto weekday = static_cast<std::size_t>((local.weekday + 6) % 7);
        if (!c.days[weekday])
            return false;
        if (!c.hasBetween)
            return true;
        const auto t = static_cast<int>(local.secondOfDay);
        return c.startS < c.endS ? (t >= c.startS && t < c.endS) : (t >= c.startS || t < c.endS);
    }

    void act(const std::vector<ActionSpec>& specs, const std::vector<PreparedAction>& prepared,
             InstanceState& st, std::vector<Action>& out)
    {
        for (std::size_t i = 0; i < specs.size(); ++i) {
            const auto& a = specs[i];
            const auto& p = prepared[i];
            if (p.slot < 0)
                continue; // the room has no such point
            auto& claimed = claimedIn[static_cast<std::size_t>(p.slot)];
            if (claimed == round)
                continue; // an earlier rule drives this target (or this room's mode)
            claimed = round;
            if (a.verb == Verb::Hvac) {
                if (st.modeSent.insert(i).second)
                    out.push_back(Action{ActionKind::SetMode, p.target, 0.0, a.mode, {}});
                continue;
            }
            if (p.error)
                throw Failure{*p.error};
            const auto current = obs->value(p.target);
            if (!current)
                continue; // a target the source does not publish is not ours to drive
            if (std::abs(*current - p.observedWanted) >
                1e-6 * std::max(1.0, std::abs(p.observedWanted)))
                out.push_back(Action{a.kind, p.target, p.wanted, {}, {}});
        }
    }

    std::vector<Action> decide(const Observation& observation)
    {
        obs = &observation;
        const Seconds now = observation.time();
        if (observation.twin() != roomsTwin || instanceCache.size() != rules.size() ||
            (lastTime && now < *lastTime)) {
            // A new model, or time went backwards (a new run): resolve again, start afresh.
            rooms.reset();
            roomsTwin = observation.twin();
            instanceCache.assign(rules.size(), std::nullopt);
            states.assign(rules.size(), {});
            slotOf.clear();
            claimedIn.clear();
        }
        lastTime = now;
        ++round;
        std::vector<Action> out;
        for (std::size_t ri = 0; ri < rules.size(); ++ri) {
            const auto& r = rules[ri];
            const auto& list = instancesOf(ri);
            for (std::size_t k = 0; k < list.size(); ++k) {
                const auto& in = list[k];
                auto& st = states[ri][k];
                const auto raw = evaluate(r, r.when, in, st);
                if (raw == Tri::Unknown)
                    continue; // no evidence: keep the state, ask for nothing
                const bool wants = raw == Tri::True;
                if (!st.active || (*st.active != wants && now - st.changedAt >= r.minDwell)) {
                    st.active = wants;
                    st.changedAt = now;
                    st.modeSent.clear();
                }
                act(*st.active ? r.then : r.otherwise, in.actions[*st.active ? 0 : 1], st, out);
            }
        }
        obs = nullptr;
        return out;
    }
};

RulePolicy::RulePolicy() : m_impl(std::make_unique<Impl>()) {}

RulePolicy::~RulePolicy() = default;

twin::Result<std::unique_ptr<RulePolicy>> RulePolicy::load(const std::filesystem::path& file)
{
    std::error_code ec;
    if (!std::filesystem::exists(file, ec))
        return twin::makeError(twin::ErrorCode::NotFound,
                               "rule file not found: " + file.string() + "; check the path",
                               file.string());
    if (std::filesystem::is_directory(file, ec))
        return twin::makeError(twin::ErrorCode::IoError,
                               file.string() + " is a directory, not a rule file", file.string());
    std::ifstream in(file, std::ios::binary);
    if (!in.is_open())
        return twin::makeError(twin::ErrorCode::IoError,
                               "cannot open the rule file " + file.string() + " (permissions?)",
                               file.string());
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad())
        return twin::makeError(twin::ErrorCode::IoError,
                               "cannot read the rule file " + file.string(), file.string());
    return parse(text.str(), file.string());
}

twin::Result<std::unique_ptr<RulePolicy>> RulePolicy::parse(std::string_view text, std::string name)
{
    std::unique_ptr<RulePolicy> policy(new RulePolicy());
    auto& impl = *policy->m_impl;
    impl.file = name;
    try {
        YAML::Node root;
        std::optional<YAML::Mark> secondDocument;
        try {
            const std::string bytes(text);
            root = YAML::Load(bytes);
            secondDocument = secondDocumentStart(bytes);
        } catch (const YAML::ParserException& e) {
            const Loc loc{e.mark.line < 0 ? 1 : e.mark.line + 1,
                          e.mark.column < 0 ? 1 : e.mark.column + 1};
            return twin::makeError(twin::ErrorCode::ParseError,
                                   "YAML syntax error: " + e.msg +
                                       "; the file must be YAML (or JSON) — see docs/rules.md",
                                   where(name, loc));
        }
        Parser p(name);
        if (secondDocument)
            p.fail(Loc{secondDocument->line < 0 ? 1 : secondDocument->line + 1,
                       secondDocument->column < 0 ? 1 : secondDocument->column + 1},
                   root.IsNull() ? "unexpected content at the top level; a rule file is a YAML "
                                   "map with the keys policy, version and rules"
                                 : "unexpected content after the first YAML document; a rule "
                                   "file holds one document, a map with the keys policy, "
                                   "version and rules");
        if (root.IsNull())
            p.fail(Loc{}, "the rule file is empty; expected a map with the keys policy, "
                          "version and rules");
        const auto rootMap =
            p.map(root, "rule file", {"description", "period", "policy", "rules", "version"});
        const auto id =
            p.identifier(p.required(rootMap, "policy", "the rule file").value, "policy");
        const auto& versionNode = p.required(rootMap, "version", "the rule file").value;
        const auto version = trim(p.scalar(versionNode, "version"));
        if (version.empty() || version.find_first_of(" \t\r\n") != std::string::npos)
            p.fail(locOf(versionNode), "version must be one word, e.g. 1.0.0");
        Seconds period = 300;
        if (const auto* f = rootMap.find("period")) {
            period = p.duration(f->value, "period");
            if (period <= 0 || period % 60 != 0)
                p.fail(locOf(f->value), "period must be a positive whole number of minutes "
                                        "(a multiple of 60 s), e.g. 5min");
        }
        if (const auto* d = rootMap.find("description"))
            p.scalar(d->value, "description");
        const auto& rulesNode = p.required(rootMap, "rules", "the rule file").value;
        if (rulesNode.IsSequence() && rulesNode.size() == 0)
            p.fail(locOf(rulesNode), "rules: is empty; a rule file needs at least one rule");
        std::map<std::string, Loc> names;
        for (const auto& n : p.list(rulesNode, "rules")) {
            auto r = p.rule(n);
            if (auto [it, inserted] = names.emplace(r.name, r.loc); !inserted)
                p.fail(r.loc, "duplicate rule name " + quote(r.name) + " (first at line " +
                                  std::to_string(it->second.line) + ")");
            impl.rules.push_back(std::move(r));
        }

        // What the policy declares: the kinds it may emit and the points it reads.
        std::set<ActionKind> kinds;
        std::set<std::string> reads;
        std::function<void(const Condition&, const Rule&)> collect = [&](const Condition& c,
                                                                         const Rule& r) {
            if (c.kind == CondKind::Point) {
                if (c.point.kind == PointRef::Kind::Self)
                    for (const auto& pt : r.scope.points)
                        reads.insert(pt.first);
                else
                    reads.insert(c.point.key());
            }
            for (const auto& child : c.children)
                collect(child, r);
        };
        for (const auto& r : impl.rules) {
            collect(r.when, r);
            for (const auto* list : {&r.then, &r.otherwise})
                for (const auto& a : *list)
                    kinds.insert(a.kind);
        }
        auto hash = sha256Hex(text);
        if (!hash)
            return hash.error();
        auto& info = policy->m_info;
        info.id = "rules:" + id;
        info.version = version;
        info.hash = "sha256:" + *hash;
        info.period = period;
        info.emits.assign(kinds.begin(), kinds.end());
        info.reads.assign(reads.begin(), reads.end());
    } catch (const Failure& f) {
        return f.error;
    } catch (const YAML::Exception& e) {
        const Loc loc{e.mark.line < 0 ? 1 : e.mark.line + 1,
                      e.mark.column < 0 ? 1 : e.mark.column + 1};
        return twin::makeError(twin::ErrorCode::ParseError, "cannot read the rule file: " + e.msg,
                               where(name, loc));
    } catch (const std::exception& e) {
        return twin::makeError(twin::ErrorCode::ParseError,
                               std::string("cannot read the rule file: ") + e.what(),
                               where(name, Loc{}));
    }
    return policy;
}

twin::Result<std::vector<Action>> RulePolicy::decide(const Observation& observation)
{
    // A failed decision changes nothing: timers, latches and dwell are restored. The undo
    // copy reuses its memory round after round (element-wise assignment of same-shape states).
    auto& impl = *m_impl;
    impl.savedStates = impl.states;
    const auto savedTime = impl.lastTime;
    const auto savedTwin = impl.roomsTwin;
    try {
        return impl.decide(observation);
    } catch (const Failure& f) {
        impl.obs = nullptr;
        if (impl.roomsTwin != savedTwin || impl.states.size() != impl.savedStates.size()) {
            impl.roomsTwin = nullptr; // the failure came while resolving a new model
            impl.instanceCache.clear();
        } else {
            // A rule resolved in this round has no saved states: resolve it again next time.
            for (std::size_t ri = 0; ri < impl.states.size(); ++ri)
                if (impl.states[ri].size() != impl.savedStates[ri].size())
                    impl.instanceCache[ri].reset();
            impl.states = impl.savedStates;
        }
        impl.lastTime = savedTime;
        return f.error;
    }
}

std::vector<std::string> RulePolicy::ruleNames() const
{
    std::vector<std::string> out;
    for (const auto& r : m_impl->rules)
        out.push_back(r.name);
    return out;
}

} // namespace twindesk::policies
