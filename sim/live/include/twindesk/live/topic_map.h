#pragma once
/// \file topic_map.h
/// MQTT topic filters and the topic map: which broker topics carry which twin points, and how
/// their payloads are to be read (see payload.h) — the pure, network-free half of the live
/// connector (issue #7). The file format is described in docs/live.md, section "Topic map".
///
/// Topic filters follow MQTT 3.1.1 §4.7 / MQTT 5 §4.7:
///   - levels are separated by '/'; a level may be empty ("a//c" has three levels);
///   - '+' matches exactly one whole level (which may be empty);
///   - '#' matches any number of levels, must be the last level, and also matches the parent
///     level itself ("a/#" matches "a", "a/b" and "a/b/c");
///   - a filter whose first level is a wildcard never matches a topic starting with '$'
///     ("#" does not match "$SYS/broker/uptime"; "$SYS/#" does).
///
/// Nothing here throws (except std::bad_alloc) and nothing touches the network or a clock.

#include <twindesk/sim/sim_time.h>
#include <twindesk/twin/result.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace twindesk::live {

/// True when the topic name `topic` matches the subscription filter `filter` under the rules
/// above. False (never an error) when the filter is invalid (see validateFilter) or the topic
/// is not a valid topic name (empty, or holding '+' or '#').
bool topicMatches(std::string_view filter, std::string_view topic);

/// The levels captured by the wildcards of `filter` when it matches `topic`, in filter order:
/// one entry per '+' (the whole level, possibly empty) and, when the filter ends in '#', one
/// last entry with the remaining levels joined by '/' (empty when '#' matched the parent level
/// only: "a/#" on "a" captures {""}). Empty when the filter does not match — callers that need
/// to tell "no match" from "no wildcards" call topicMatches() first.
std::vector<std::string> wildcardLevels(std::string_view filter, std::string_view topic);

/// Checks a subscription filter. Errors (InvalidArgument; the message quotes the filter and
/// says how to fix it): empty filter; '#' not the last level ("a/#/c"); '+' or '#' sharing a
/// level with other characters ("a+/b", "a/b#"); a NUL character.
twin::Status validateFilter(std::string_view filter);

/// Checks a topic name for publishing (a command topic): non-empty, no '+', '#' or NUL.
twin::Status validateTopicName(std::string_view topic);

/// How a payload carries its value (see payload.h for the exact rules).
enum class PayloadFormat : std::uint8_t {
    Plain, ///< the payload is a number or a boolean word ("21.5", " 400 ", "ON")
    Json,  ///< the payload is JSON; TopicBinding::valueKey selects the value
};

/// "plain" or "json" (the spellings of the topic-map file).
std::string_view payloadFormatName(PayloadFormat format);

/// Default expected interval between samples of a point (the map file's `interval_s`).
inline constexpr sim::Seconds kDefaultSampleInterval = 300;

/// Staleness: true when no good sample arrived for longer than `interval` seconds, i.e. when
/// `lastGoodSample` is nullopt (none yet) or `now - lastGoodSample > interval`. A sample
/// exactly `interval` old is still fresh. Times are seconds since the epoch (sim::Seconds); a
/// sample from the future (clock skew) is fresh.
bool isStale(std::optional<sim::Seconds> lastGoodSample, sim::Seconds now, sim::Seconds interval);

/// One entry of the topic map: a topic filter and the point its messages feed.
struct TopicBinding
{
    /// Subscription filter the values arrive on (wildcards allowed).
    std::string topic;
    /// Point entity id (IRI). May hold placeholders filled from the wildcards of the filter
    /// that matched: "{1}", "{2}", ... for the first, second, ... '+' and "{#}" for the rest
    /// matched by '#'. Other braces are literal text.
    std::string point;
    PayloadFormat format = PayloadFormat::Plain;
    /// Json only: a top-level key ("temperature") or, when it starts with '/', a JSON pointer
    /// ("/sensors/0/t"). Empty: the payload itself is the value.
    std::string valueKey;
    /// Unit of the payload's value (twin units text: "°C", "degF", "ppm", "W", "kWh", "%");
    /// empty = the value is already in the point's unit.
    std::string unit;
    /// Json only: a top-level key whose string value names the unit in each message; when the
    /// message has it, it overrides `unit`.
    std::string unitKey;
    /// The point's own unit, the target of conversion (twin::convert). Empty = no conversion.
    /// TopicMap::setPointUnitResolver() can supply it per resolved point instead.
    std::string pointUnit;
    /// Plausible range of the value, in the point's unit (after conversion).
    std::optional<double> min;
    std::optional<double> max;
    /// Expected interval between samples, seconds (> 0); see isStale().
    sim::Seconds interval = kDefaultSampleInterval;
    /// MQTT QoS to subscribe with (0, 1 or 2).
    int qos = 1;
    /// Where commands for the point are published (a topic name, no wildcards); empty = the
    /// point takes no commands. May use the point's placeholders ("bms/{1}/zhsp/set").
    std::string commandTopic;
    /// Where the device reports the point's state, if it is not `topic` (e.g. a setpoint
    /// echoed on another topic after a command). Empty = `topic`. Messages on it feed the
    /// point like those on `topic`.
    std::string stateTopic;

    /// `stateTopic`, or `topic` when it is empty.
    [[nodiscard]] const std::string& effectiveStateTopic() const
    {
        return stateTopic.empty() ? topic : stateTopic;
    }
};

/// Checks a binding on its own: the filters, the placeholders (every "{n}" needs an n-th '+'
/// in each filter, "{#}" a '#'; placeholders of commandTopic must also appear in point), the
/// units (known to the twin units table; unit and pointUnit of one quantity), valueKey and
/// unitKey only with Json (a pointer must be a valid JSON pointer), min <= max (finite),
/// interval > 0, qos in 0..2. Errors: InvalidArgument (UnknownUnit / UnitMismatch for units)
/// with `where` = the file key at fault ("topic", "point", "unit", ...).
twin::Status validateBinding(const TopicBinding& binding);

/// A resolved match: the binding, the point id with its placeholders filled in, and the
/// point's unit (the resolver's answer, else the binding's pointUnit). Self-contained: it
/// stays valid when the map changes or is destroyed.
struct TopicMatch
{
    std::shared_ptr<const TopicBinding> binding;
    std::string point;
    std::string pointUnit;
};

/// A subscription the client should make: a distinct filter and the highest QoS any binding
/// asks for on it.
struct Subscription
{
    std::string filter;
    int qos = 1;
};

/// Returns the unit of a point id (twin units text), or an empty string when unknown.
using PointUnitResolver = std::function<std::string(std::string_view point)>;

/// An ordered list of bindings. The first binding (in file / add() order) whose topic (or
/// stateTopic) filter matches a topic wins.
///
/// Thread safety: const members may be called concurrently (match() guards its cache with a
/// mutex); add() and setPointUnitResolver() need exclusive access. Copies share no state
/// (a copy starts with an empty cache).
class TopicMap
{
public:
    /// match() and matchAll() remember at most this many distinct topics (hits and misses);
    /// when full the cache is emptied and refilled. Topics longer than kMaxCachedTopicLength are
    /// not cached.
    static constexpr std::size_t kMaxCachedTopics = 65536;
    static constexpr std::size_t kMaxCachedTopicLength = 512;

    TopicMap();
    ~TopicMap();
    TopicMap(const TopicMap& other);
    TopicMap& operator=(const TopicMap& other);
    TopicMap(TopicMap&& other) noexcept;
    TopicMap& operator=(TopicMap&& other) noexcept;

    /// Parses a topic-map document (JSON; format in docs/live.md). `name` (usually the file
    /// name) prefixes every error's `where`: "map.json: /points/2/formt" for a bad key (the
    /// message lists the known keys), "map.json:3:17" for malformed JSON. Every binding is
    /// checked with validateBinding(). Errors: ParseError, InvalidArgument, UnknownUnit,
    /// UnitMismatch.
    static twin::Result<TopicMap> parse(std::string_view json, std::string name);

    /// Reads and parses a file; `name` is the file's path. Errors: IoError (unreadable), as
    /// parse() otherwise.
    static twin::Result<TopicMap> load(const std::filesystem::path& path);

    /// Appends a binding after checking it with validateBinding(); on error nothing changes
    /// (`where` is "binding '<topic>': <key>"). Clears the match cache.
    twin::Status add(TopicBinding binding);

    /// The first binding whose filter matches `topic`, with the resolved point id. A binding
    /// whose placeholders would be filled with an empty level ("bms//zat" for "bms/+/zat")
    /// does not match; the search goes on. Nullopt when nothing matches or `topic` is not a
    /// valid topic name. Repeated topics cost one hash lookup (see kMaxCachedTopics).
    [[nodiscard]] std::optional<TopicMatch> match(std::string_view topic) const;

    /// Every binding whose filter matches `topic`, one match per binding, in map order: a JSON
    /// payload often feeds several points (a Zigbee2MQTT sensor publishes temperature and
    /// humidity in one message). Same rules and cache as match().
    [[nodiscard]] std::vector<TopicMatch> matchAll(std::string_view topic) const;

    /// The distinct filters to subscribe to (each binding's topic, then its stateTopic when it
    /// differs), in order of first appearance.
    [[nodiscard]] std::vector<std::string> subscriptions() const;
    /// As subscriptions(), with the highest QoS asked for each filter.
    [[nodiscard]] std::vector<Subscription> subscriptionsWithQos() const;

    /// The binding that feeds point id `point` (for commands): a binding whose point is
    /// exactly `point`, else the first whose point template produces `point` with non-empty
    /// placeholder values. Null when none. Valid until the map is changed or destroyed.
    [[nodiscard]] const TopicBinding* forPoint(std::string_view point) const;

    /// The command topic for point id `point`, with placeholders filled from the point id
    /// ("urn:x#room_101_zhsp" via point template "urn:x#room_{1}_zhsp" and command topic
    /// "bms/{1}/zhsp/set" gives "bms/101/zhsp/set"). Nullopt when no binding feeds the point
    /// or it has no command topic.
    [[nodiscard]] std::optional<std::string> commandTopicFor(std::string_view point) const;

    /// Sets the function that gives a resolved point's unit (e.g. a lookup in the twin). It is
    /// called once per distinct topic (results are cached with the match); when it returns an
    /// empty string, the binding's pointUnit is used. Pass nullptr to remove it. Clears the
    /// match cache. The resolver runs inside match()/matchAll(), so it must not throw and must
    /// be safe to call from every thread that matches.
    void setPointUnitResolver(PointUnitResolver resolver);
    /// The unit of point id `point` fed by `binding`: the resolver's answer, else the binding's
    /// pointUnit (what match() puts in TopicMatch::pointUnit; commands convert with it too).
    [[nodiscard]] std::string pointUnitOf(std::string_view point,
                                          const TopicBinding& binding) const;

    [[nodiscard]] std::size_t size() const { return m_bindings.size(); }
    [[nodiscard]] bool empty() const { return m_bindings.empty(); }
    /// The i-th binding (0 <= i < size()), in file / add() order.
    [[nodiscard]] const TopicBinding& binding(std::size_t i) const { return *m_bindings[i]; }

private:
    struct Cache;

    using Matches = std::shared_ptr<const std::vector<TopicMatch>>;
    [[nodiscard]] Matches lookup(std::string_view topic) const;
    [[nodiscard]] std::vector<TopicMatch> matchUncached(std::string_view topic) const;
    /// forPoint(), also giving the placeholder values found in `point` (index 0: "{#}",
    /// index n: "{n}"; empty when unused).
    const TopicBinding* findForPoint(std::string_view point,
                                     std::vector<std::string>* values) const;

    std::vector<std::shared_ptr<const TopicBinding>> m_bindings;
    PointUnitResolver m_resolver;
    std::unique_ptr<Cache> m_cache; // never null except in a moved-from map
};

} // namespace twindesk::live
