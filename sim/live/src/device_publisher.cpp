#include <twindesk/live/device_publisher.h>
#include "text_util.h"
#include <twindesk/live/topic_map.h>
#include <twindesk/twin/units.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <system_error>
#include <thread>
#include <unistd.h>

namespace twindesk::live {

using text::pointerToken;
using text::trimmed;

namespace {

using twin::ErrorCode;
using twin::makeError;
using Json = nlohmann::ordered_json;

constexpr const char* kTopicPrefix = "twindesk";
constexpr const char* kDiscoveryPrefix = "homeassistant";

bool isAsciiAlnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool equalsIgnoringCase(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               auto lower = [](char c) {
                   return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
               };
               return lower(x) == lower(y);
           });
}

/// The payload quoted for messages: printable ASCII kept, the rest as \xNN, cut at 40 bytes.
std::string quoted(std::string_view payload)
{
    constexpr std::size_t kMax = 40;
    std::string out = "\"";
    for (std::size_t i = 0; i < payload.size() && i < kMax; ++i) {
        const auto c = static_cast<unsigned char>(payload[i]);
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            out += static_cast<char>(c);
        } else {
            constexpr const char* kHex = "0123456789abcdef";
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 0xf];
        }
    }
    if (payload.size() > kMax)
        out += "...";
    out += '"';
    return out;
}

PointRole roleOf(sim::Variable v)
{
    using sim::Variable;
    switch (v) {
    case Variable::ZoneOccupancy:
    case Variable::AhuFanStatus:
        return PointRole::BinarySensor;
    case Variable::ZoneHeatingSetpoint:
    case Variable::ZoneCoolingSetpoint:
        return PointRole::Setpoint;
    case Variable::ZoneLightLevel:
        return PointRole::LightLevel;
    default:
        return PointRole::Sensor;
    }
}

/// The twin's canonical symbol of a unit text; empty when unknown or empty.
std::string canonicalUnit(std::string_view text)
{
    if (trimmed(text).empty())
        return {};
    auto found = twin::findUnit(text);
    return found ? std::string((*found)->symbol) : std::string();
}

std::optional<twin::Quantity> quantityOf(const std::string& unit)
{
    if (unit.empty())
        return std::nullopt;
    auto found = twin::findUnit(unit);
    if (!found)
        return std::nullopt;
    return (*found)->quantity;
}

/// Home Assistant's spelling of a twin unit; empty for units HA shows without one.
std::string haUnit(const std::string& unit)
{
    if (unit == "%RH")
        return "%";
    if (unit == "bool" || unit == "count" || unit == "1" || unit == "fraction")
        return {};
    return unit;
}

std::string haDeviceClass(const PublishedPoint& p)
{
    using sim::Variable;
    if (p.variable == Variable::ZoneOccupancy)
        return "occupancy";
    if (p.variable == Variable::AhuFanStatus)
        return "running";
    if (p.variable == Variable::ZoneCo2)
        return "carbon_dioxide";
    const auto q = quantityOf(p.unit);
    if (!q)
        return {};
    switch (*q) {
    case twin::Quantity::Temperature:
        return "temperature";
    case twin::Quantity::Power:
        return "power";
    case twin::Quantity::Energy:
        return "energy";
    case twin::Quantity::Illuminance:
        return "illuminance";
    case twin::Quantity::Pressure:
        return "pressure";
    case twin::Quantity::RelativeHumidity:
        return "humidity";
    default:
        return {};
    }
}

const char* componentOf(PointRole role)
{
    switch (role) {
    case PointRole::BinarySensor:
        return "binary_sensor";
    case PointRole::Setpoint:
    case PointRole::LightLevel:
        return "number";
    case PointRole::Sensor:
        break;
    }
    return "sensor";
}

/// Parses a decimal number (trimmed, optional leading '+'), finite and in double range.
std::optional<double> parseNumber(std::string_view text)
{
    text = trimmed(text);
    if (!text.empty() && text.front() == '+')
        text.remove_prefix(1);
    if (text.empty())
        return std::nullopt;
    double value = 0.0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end || !std::isfinite(value))
        return std::nullopt;
    return value;
}

} // namespace

std::string siteSlug(std::string_view name)
{
    std::string out;
    bool dash = false;
    for (const char c : name) {
        if (isAsciiAlnum(c)) {
            if (dash && !out.empty())
                out += '-';
            dash = false;
            out += c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
        } else {
            dash = true;
        }
    }
    return out.empty() ? std::string("site") : out;
}

std::string localName(std::string_view iri)
{
    auto cut = iri.rfind('#');
    if (cut == std::string_view::npos)
        cut = iri.rfind('/');
    const std::string_view local = cut == std::string_view::npos ? iri : iri.substr(cut + 1);
    std::string out;
    out.reserve(local.size());
    for (const char c : local)
        out += isAsciiAlnum(c) || c == '_' || c == '-' ? c : '_';
    return out.empty() ? std::string("point") : out;
}

std::string formatStateValue(double value)
{
    char buf[64];
    const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, value);
    if (ec != std::errc())
        return "nan"; // unreachable for 64 bytes; never published (values are finite)
    return {buf, ptr};
}

twin::Result<sim::Action> commandAction(const PublishedPoint& point, std::string_view payload)
{
    auto bad = [&](const std::string& why) {
        return makeError(ErrorCode::InvalidArgument,
                         "command for '" + point.point + "' " + why + "; payload " +
                             quoted(payload) + " ignored",
                         point.commandTopic);
    };
    if (point.commandTopic.empty())
        return bad("refused: the point takes no commands");
    sim::Action action;
    action.target = point.point;
    const std::string_view text = trimmed(payload);
    if (point.role == PointRole::LightLevel) {
        for (const auto& [word, value] :
             {std::pair{"on", 1.0}, {"off", 0.0}, {"true", 1.0}, {"false", 0.0}}) {
            if (equalsIgnoringCase(text, word)) {
                action.kind = sim::ActionKind::Switch;
                action.value = value;
                if (auto s = sim::validateAction(action); !s)
                    return bad("refused: " + s.error().message);
                return action;
            }
        }
        action.kind = sim::ActionKind::Dim;
    } else {
        action.kind = sim::ActionKind::SetSetpoint;
    }
    const auto value = parseNumber(text);
    if (!value)
        return bad(std::string("is not a finite decimal number") +
                   (point.role == PointRole::LightLevel ? " (or on/off)" : ""));
    if (*value < point.commandMin || *value > point.commandMax)
        return bad("is outside " + formatStateValue(point.commandMin) + " ... " +
                   formatStateValue(point.commandMax) +
                   (point.unit.empty() ? std::string() : " " + point.unit));
    action.value = *value;
    if (auto s = sim::validateAction(action); !s)
        return bad("refused: " + s.error().message);
    return action;
}

twin::Result<DevicePublisher> DevicePublisher::create(const sim::SimConfig& config,
                                                      MqttClient& client,
                                                      DevicePublisherOptions options)
{
    if (options.heartbeat <= 0)
        return makeError(ErrorCode::InvalidArgument,
                         "the heartbeat must be > 0 simulated seconds, got " +
                             std::to_string(options.heartbeat),
                         "heartbeat");
    if (options.realtimeFactor &&
        (!std::isfinite(*options.realtimeFactor) || *options.realtimeFactor <= 0.0))
        return makeError(ErrorCode::InvalidArgument,
                         "the real-time factor must be a number > 0 (simulated seconds per wall "
                         "second), got " +
                             formatStateValue(*options.realtimeFactor),
                         "realtime factor");
    DevicePublisher p;
    p.m_client = &client;
    p.m_site = options.site.empty() ? siteSlug(config.name) : options.site;
    if (p.m_site.find_first_of("/+#") != std::string::npos ||
        p.m_site.find('\0') != std::string::npos)
        return makeError(ErrorCode::InvalidArgument,
                         "the site '" + p.m_site +
                             "' must be one topic level: no '/', '+', '#' (use siteSlug())",
                         "site");
    p.m_deviceName = options.deviceName.empty() ? (config.name.empty() ? p.m_site : config.name)
                                                : options.deviceName;
    p.m_options = std::move(options);

    std::set<std::string> taken;
    const std::string base = std::string(kTopicPrefix) + "/" + p.m_site + "/";
    for (const auto& b : config.bindings) {
        PublishedPoint pt;
        pt.point = b.point;
        pt.variable = b.variable;
        pt.role = roleOf(b.variable);
        pt.unit = canonicalUnit(b.unit);
        // Two IRIs may share a local name (different namespaces): number the later ones.
        const std::string local = localName(b.point);
        pt.local = local;
        for (int n = 2; taken.count(pt.local) != 0; ++n)
            pt.local = local + "_" + std::to_string(n);
        taken.insert(pt.local);
        pt.stateTopic = base + pt.local + "/state";
        pt.discoveryTopic = std::string(kDiscoveryPrefix) + "/" + componentOf(pt.role) + "/" +
                            p.m_site + "/" + pt.local + "/config";
        if (pt.role == PointRole::Setpoint) {
            pt.commandTopic = base + pt.local + "/set";
            pt.commandMin = kSetpointMinC;
            pt.commandMax = kSetpointMaxC;
            if (quantityOf(pt.unit) == twin::Quantity::Temperature) {
                if (auto lo = twin::convert(kSetpointMinC, "°C", pt.unit))
                    pt.commandMin = *lo;
                if (auto hi = twin::convert(kSetpointMaxC, "°C", pt.unit))
                    pt.commandMax = *hi;
            }
        } else if (pt.role == PointRole::LightLevel) {
            pt.commandTopic = base + pt.local + "/set";
            pt.commandMin = 0.0;
            pt.commandMax = 100.0;
        }
        if (!pt.commandTopic.empty())
            p.m_byCommandTopic.emplace(pt.commandTopic, p.m_points.size());
        p.m_points.push_back(std::move(pt));
    }
    p.m_lastPayload.assign(p.m_points.size(), std::string());
    p.m_lastTime.assign(p.m_points.size(), 0);
    return p;
}

const PublishedPoint* DevicePublisher::findLocal(std::string_view local) const
{
    for (const auto& p : m_points)
        if (p.local == local)
            return &p;
    return nullptr;
}

sim::Seconds DevicePublisher::mapInterval() const
{
    if (!m_options.realtimeFactor)
        return kUnpacedMapInterval;
    const double wall = static_cast<double>(m_options.heartbeat) / *m_options.realtimeFactor * 3.0;
    // Beyond a year the value means "never stale" anyway; keep it an integer that fits.
    constexpr double kMax = 365.0 * 86400.0;
    return std::max<sim::Seconds>(1, static_cast<sim::Seconds>(std::ceil(std::min(wall, kMax))));
}

bool DevicePublisher::send(const std::string& topic, const std::string& payload, int qos,
                           bool retain)
{
    if (auto id = m_client->publish(topic, payload, qos, retain); !id) {
        ++m_stats.failedPublishes;
        return false;
    }
    ++m_stats.published;
    return true;
}

void DevicePublisher::collectAcknowledged()
{
    m_acknowledged += m_client->takeAcknowledged().size();
}

std::string DevicePublisher::discoveryPayload(const PublishedPoint& p) const
{
    Json j;
    j["name"] = p.local;
    j["unique_id"] = "twindesk_" + m_site + "_" + p.local;
    j["object_id"] = "twindesk_" + m_site + "_" + p.local;
    j["state_topic"] = p.stateTopic;
    if (!p.commandTopic.empty()) {
        j["command_topic"] = p.commandTopic;
        j["min"] = p.commandMin;
        j["max"] = p.commandMax;
        j["step"] = p.role == PointRole::LightLevel ? 1.0 : 0.5;
        j["mode"] = "box";
    }
    if (p.role == PointRole::BinarySensor) {
        j["payload_on"] = "1";
        j["payload_off"] = "0";
    } else if (const auto unit = haUnit(p.unit); !unit.empty()) {
        j["unit_of_measurement"] = unit;
    }
    if (const auto dc = haDeviceClass(p); !dc.empty())
        j["device_class"] = dc;
    if (p.role == PointRole::Sensor && !haUnit(p.unit).empty())
        j["state_class"] =
            quantityOf(p.unit) == twin::Quantity::Energy ? "total_increasing" : "measurement";
    // Paced runs promise a cadence: let Home Assistant mark silent sensors unavailable.
    if (m_options.realtimeFactor &&
        (p.role == PointRole::Sensor || p.role == PointRole::BinarySensor))
        j["expire_after"] = mapInterval();
    j["device"] = {{"identifiers", Json::array({"twindesk_" + m_site})},
                   {"name", m_deviceName},
                   {"manufacturer", "TwinDesk"},
                   {"model", "simulated building (twindesk simulate --publish)"}};
    return j.dump();
}

twin::Status DevicePublisher::start()
{
    if (!m_byCommandTopic.empty()) {
        const std::string filter = std::string(kTopicPrefix) + "/" + m_site + "/+/set";
        if (auto s = m_client->subscribe(filter, 1); !s)
            return makeError(s.error().code,
                             "cannot subscribe to the command topics: " + s.error().message,
                             filter);
    }
    std::string firstFailure;
    std::size_t failures = 0;
    for (const auto& p : m_points) {
        if (send(p.discoveryTopic, discoveryPayload(p), 1, true)) {
            ++m_stats.discoveryPublished;
        } else {
            if (failures++ == 0)
                firstFailure = p.discoveryTopic;
        }
    }
    if (failures > 0)
        return makeError(ErrorCode::IoError,
                         std::to_string(failures) +
                             " discovery config(s) could not be published (is the broker "
                             "connection up? see MqttClient::connect())",
                         firstFailure);
    return {};
}

twin::Result<std::size_t> DevicePublisher::publish(const sim::TelemetryFrame& frame)
{
    if (frame.samples.size() != m_points.size())
        return makeError(ErrorCode::InvalidArgument,
                         "the frame has " + std::to_string(frame.samples.size()) +
                             " samples, the publisher " + std::to_string(m_points.size()) +
                             " points: pass Engine::sample() of the engine it was made for",
                         "DevicePublisher::publish");
    for (std::size_t i = 0; i < m_points.size(); ++i)
        if (frame.samples[i].point != m_points[i].point)
            return makeError(ErrorCode::InvalidArgument,
                             "sample " + std::to_string(i) + " is '" + frame.samples[i].point +
                                 "', expected '" + m_points[i].point +
                                 "': pass Engine::sample() of the engine it was made for",
                             "DevicePublisher::publish");
    collectAcknowledged(); // keeps the client's id list short
    std::size_t sent = 0;
    for (std::size_t i = 0; i < m_points.size(); ++i) {
        const double v = frame.samples[i].value;
        if (!std::isfinite(v)) {
            ++m_stats.nonFinite;
            continue;
        }
        std::string payload = formatStateValue(v);
        const bool never = m_lastPayload[i].empty();
        const bool changed = payload != m_lastPayload[i];
        const bool heartbeat = frame.time - m_lastTime[i] >= m_options.heartbeat;
        if (!never && !changed && !heartbeat)
            continue;
        if (!send(m_points[i].stateTopic, payload, 0, false))
            continue; // stays due: goes out at the next call once connected
        m_lastPayload[i] = std::move(payload);
        m_lastTime[i] = frame.time;
        ++sent;
    }
    return sent;
}

void DevicePublisher::reject(std::string why)
{
    ++m_stats.commandsRejected;
    m_stats.lastRejection = std::move(why);
}

std::size_t DevicePublisher::applyCommands(const ActionSubmitter& submit)
{
    m_inbox.clear();
    m_client->drain(m_inbox, static_cast<std::size_t>(-1), std::chrono::milliseconds(0));
    std::size_t applied = 0;
    for (const auto& m : m_inbox) {
        const auto it = m_byCommandTopic.find(m.topic);
        if (it == m_byCommandTopic.end()) {
            reject("message on '" + m.topic + "' ignored: no point takes commands there");
            continue;
        }
        const auto& point = m_points[it->second];
        if (m.retained) {
            reject("retained command on '" + m.topic +
                   "' ignored: a command kept by the broker is stale; publish commands without "
                   "the retain flag");
            continue;
        }
        auto action = commandAction(point, m.payload);
        if (!action) {
            reject(action.error().toString());
            continue;
        }
        if (auto s = submit(*action); !s) {
            reject(m.topic + ": the simulation refused " + sim::describeAction(*action) + ": " +
                   s.error().message);
            continue;
        }
        ++m_stats.commandsApplied;
        ++applied;
    }
    m_inbox.clear();
    return applied;
}

std::size_t DevicePublisher::applyCommands(sim::ActuatorSink& sink)
{
    return applyCommands([&sink](const sim::Action& a) { return sink.submit(a); });
}

bool DevicePublisher::flush(std::chrono::milliseconds timeout)
{
    const auto end = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        collectAcknowledged();
        if (m_acknowledged >= m_stats.published)
            return true;
        if (std::chrono::steady_clock::now() >= end)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

std::string DevicePublisher::topicMapJson() const
{
    const auto interval = mapInterval();
    Json points = Json::array();
    for (const auto& p : m_points) {
        Json b;
        b["topic"] = p.stateTopic;
        b["point"] = p.point;
        if (!p.unit.empty())
            b["unit"] = p.unit;
        b["interval_s"] = interval;
        if (!p.commandTopic.empty())
            b["command_topic"] = p.commandTopic;
        points.push_back(std::move(b));
    }
    Json doc;
    doc["defaults"] = {{"format", "plain"}, {"interval_s", interval}, {"qos", 0}};
    doc["points"] = std::move(points);
    return doc.dump(2) + "\n";
}

twin::Status DevicePublisher::writeTopicMap(const std::filesystem::path& path) const
{
    // Written beside the target and renamed into place: a reader never sees half a map.
    const std::filesystem::path tmp = path.string() + ".tmp-" + std::to_string(::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << topicMapJson();
        out.close();
        if (!out)
            return makeError(ErrorCode::IoError,
                             "cannot write the topic map: check that the folder exists and is "
                             "writable",
                             path.string());
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        const std::string why = ec.message();
        std::filesystem::remove(tmp, ec);
        return makeError(ErrorCode::IoError, "cannot move the topic map into place: " + why,
                         path.string());
    }
    return {};
}

} // namespace twindesk::live
