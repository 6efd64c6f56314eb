#pragma once
/// \file device_publisher.h
/// The device simulator of issue #7 §6 (`twindesk simulate --publish`): publishes a simulated
/// building's telemetry to a real MQTT broker as devices would, with Home Assistant discovery
/// configs and a topic map, and turns messages on command topics into sim::Actions. Layout and
/// policy: docs/live.md, section "Device simulator (simulate --publish)".
///
/// Topics (`<site>` = siteSlug(scenario name), `<local>` = localName(point IRI), unique per
/// site):
///   - state `twindesk/<site>/<local>/state`: the value in the point's own unit, plain text
///     (shortest decimal that reads back to the same double), QoS 0, not retained;
///   - command `twindesk/<site>/<local>/set` for setpoints and light levels;
///   - discovery `homeassistant/<component>/<site>/<local>/config`, retained, QoS 1.
///
/// The publisher never steps the engine and never reads a clock: the caller steps, samples
/// (sim::Engine::sample) and hands the frame over, and applies commands between steps, so the
/// simulation stays deterministic (pacing belongs to the app).
///
/// Threads: one owner thread for every member (the MqttClient's own network thread runs
/// inside the client). The client must outlive the publisher.

#include <twindesk/live/mqtt_client.h>
#include <twindesk/sim/action.h>
#include <twindesk/sim/engine.h>
#include <twindesk/sim/telemetry.h>
#include <twindesk/twin/result.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace twindesk::live {

/// Default heartbeat: every point is published at least this often (simulated seconds).
inline constexpr sim::Seconds kDefaultHeartbeat = 300;
/// The topic map's interval_s when the run is not paced (it may run much faster than real
/// time, so any value is a guess): generous.
inline constexpr sim::Seconds kUnpacedMapInterval = 60;
/// Plausible range of a temperature setpoint command, °C (converted to the point's unit).
inline constexpr double kSetpointMinC = 5.0;
inline constexpr double kSetpointMaxC = 35.0;

/// "Demo Office (2025)" → "demo-office-2025": ASCII letters and digits lower-cased, every
/// other run of bytes one '-', none at either end; "site" when nothing is left.
std::string siteSlug(std::string_view name);

/// The local name of an IRI (after the last '#', else the last '/'), with every byte outside
/// [A-Za-z0-9_-] replaced by '_'; "point" when empty.
std::string localName(std::string_view iri);

/// What a published point is to Home Assistant and to commands.
enum class PointRole : std::uint8_t {
    Sensor,       ///< read-only value: HA `sensor`
    BinarySensor, ///< 0/1 (occupancy): HA `binary_sensor`, payload_on "1", payload_off "0"
    Setpoint,     ///< zone heating/cooling setpoint: HA `number`; commands → SetSetpoint
    LightLevel,   ///< lighting level in %: HA `number`; numbers → Dim, on/off words → Switch
};

/// One bound point as published.
struct PublishedPoint
{
    std::string point; ///< IRI
    std::string local; ///< sanitised local name, unique within the site
    sim::Variable variable = sim::Variable::ZoneAirTemperature;
    PointRole role = PointRole::Sensor;
    std::string unit;         ///< twin unit symbol ("°C", "%", "kW"); empty when unknown/none
    std::string stateTopic;   ///< twindesk/<site>/<local>/state
    std::string commandTopic; ///< twindesk/<site>/<local>/set; empty when not commandable
    std::string discoveryTopic;
    double commandMin = 0.0; ///< commandable points: accepted command range, point's unit
    double commandMax = 0.0;
};

/// Turns a command payload for `point` into the action to submit. Payload: a decimal number
/// (ASCII whitespace around it and a leading '+' allowed); for light levels also on/off,
/// true/false (any case) → Switch 1/0. Errors (InvalidArgument, `where` = the command topic):
/// the point takes no commands, not a number, not finite or beyond double range ("nan",
/// "1e309"), outside [commandMin, commandMax], or sim::validateAction() refuses it.
twin::Result<sim::Action> commandAction(const PublishedPoint& point, std::string_view payload);

/// Shortest decimal text that reads back to exactly `value` ("21.5", "1", "0.1").
std::string formatStateValue(double value);

struct DevicePublisherOptions
{
    /// `<site>`; empty: siteSlug(config.name).
    std::string site;
    /// Every point is published at least this often, simulated seconds (> 0), even when its
    /// value did not change, so the live side can judge staleness.
    sim::Seconds heartbeat = kDefaultHeartbeat;
    /// Simulated seconds per wall second when the app paces the run; nullopt: as fast as
    /// possible. Only used for the topic map's interval_s (and HA's expire_after).
    std::optional<double> realtimeFactor;
    /// The device name in discovery; empty: the scenario name.
    std::string deviceName;
};

/// Counters of one publisher (cumulative).
struct DevicePublisherStats
{
    std::uint64_t published = 0;          ///< messages handed to the client (state + discovery)
    std::uint64_t discoveryPublished = 0; ///< of which discovery configs
    std::uint64_t failedPublishes = 0;    ///< publish() refused (not connected): not retried as
                                          ///< such, the point is sent again at the next step
    std::uint64_t nonFinite = 0;          ///< samples skipped because NaN/±∞
    std::uint64_t commandsApplied = 0;    ///< commands submitted and accepted by the sink
    std::uint64_t commandsRejected = 0;   ///< invalid payload, unknown topic, retained, refused
    std::string lastRejection;            ///< why the last command was rejected
};

/// Submits an action to the simulation (sim::Engine::submit, policies::ScenarioRun::submit).
using ActionSubmitter = std::function<twin::Status(const sim::Action&)>;

class DevicePublisher
{
public:
    /// Prepares the points of `config.bindings` (in binding order). Does not touch the network.
    /// Errors (InvalidArgument): heartbeat <= 0, a realtimeFactor that is not > 0 and finite, a
    /// site that is not a valid topic level.
    static twin::Result<DevicePublisher> create(const sim::SimConfig& config, MqttClient& client,
                                                DevicePublisherOptions options = {});

    /// Subscribes to `twindesk/<site>/+/set` (QoS 1; when any point is commandable) and
    /// publishes every discovery config once (retained, QoS 1). Call after connect(). Errors
    /// (naming the topic) when the subscription fails or any discovery message cannot be
    /// published (also counted in failedPublishes).
    twin::Status start();

    /// Publishes the frame's points whose value changed since last published, and every point
    /// not published for `heartbeat` simulated seconds (or never). The frame must come from
    /// sample() of the engine of `config` (samples in binding order); otherwise
    /// InvalidArgument and nothing is published. Non-finite values are skipped and counted;
    /// failed publishes are counted (nothing is queued; the point stays due and goes out at the
    /// next call that finds the client connected). Returns how many were published.
    twin::Result<std::size_t> publish(const sim::TelemetryFrame& frame);

    /// Drains the commands received so far (no waiting) and submits them in arrival order.
    /// Invalid ones (see commandAction()), retained ones (stale commands from the broker's
    /// store), messages on unknown topics and those the submitter refuses are counted as
    /// rejected and change nothing. Returns how many were applied.
    std::size_t applyCommands(const ActionSubmitter& submit);
    /// As above, submitting to `sink` (e.g. a sim::Engine).
    std::size_t applyCommands(sim::ActuatorSink& sink);

    /// Waits (at most `timeout`) until every message published so far has been handed to the
    /// network (QoS 0) or acknowledged (QoS 1). True when none is outstanding. Call before
    /// MqttClient::disconnect() so the last values are not lost.
    bool flush(std::chrono::milliseconds timeout);

    /// The topic map (docs/live.md "Topic map") mapping every state topic to its point, with
    /// `unit`, `interval_s` and, for commandable points, `command_topic`.
    [[nodiscard]] std::string topicMapJson() const;
    /// Writes topicMapJson() to `path` (replacing it). Errors: IoError naming the path.
    twin::Status writeTopicMap(const std::filesystem::path& path) const;
    /// The discovery config payload (JSON) of one point.
    [[nodiscard]] std::string discoveryPayload(const PublishedPoint& point) const;

    /// The topic map's interval_s: heartbeat / realtimeFactor × 3, rounded up, at least 1;
    /// kUnpacedMapInterval when not paced.
    [[nodiscard]] sim::Seconds mapInterval() const;
    [[nodiscard]] const std::string& site() const { return m_site; }
    [[nodiscard]] const std::vector<PublishedPoint>& points() const { return m_points; }
    /// The point published under `local`, or null.
    [[nodiscard]] const PublishedPoint* findLocal(std::string_view local) const;
    [[nodiscard]] const DevicePublisherStats& stats() const { return m_stats; }

private:
    DevicePublisher() = default;
    bool send(const std::string& topic, const std::string& payload, int qos, bool retain);
    void collectAcknowledged();
    void reject(std::string why);

    MqttClient* m_client = nullptr; // not owned
    DevicePublisherOptions m_options;
    std::string m_site;
    std::string m_deviceName;
    std::vector<PublishedPoint> m_points;
    std::unordered_map<std::string, std::size_t> m_byCommandTopic;
    std::vector<std::string> m_lastPayload; // per point; empty: never published
    std::vector<sim::Seconds> m_lastTime;   // per point: sim time of the last publish
    DevicePublisherStats m_stats;
    std::uint64_t m_acknowledged = 0;
    std::vector<Message> m_inbox; // drain buffer
};

} // namespace twindesk::live
