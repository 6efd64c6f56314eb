#pragma once
/// \file mqtt_sink.h
/// The live actuator sink (issue #7 §3): actions that passed the guard and the approval gate
/// are published to their point's command topic (the topic map's `command_topic`) at QoS 1,
/// and confirmed when the device's state topic reports the commanded value within a timeout;
/// an unconfirmed command is an alarm (`command_unconfirmed` event).
///
/// What is sent: SetSetpoint and Dim publish the value (converted from the point's unit —
/// TopicMap::pointUnitOf — to the binding's payload unit when the map gives one); Switch publishes the level in % (0 or 100),
/// the convention of the twin's light commands. Room modes and data-centre actions have no
/// MQTT command yet: submit() refuses them, naming the action, and the loop logs the refusal.
///
/// Never twice, never stale: a command is published once. When the broker is not connected
/// the command is dropped, not queued — when the connection returns the building may have
/// changed and the policy decides again on fresh data — and submit() fails, so the loop logs
/// it as refused by the sink; a `command_dropped` event is recorded. Commands are absolute
/// values (a setpoint, a level), so a broker-level QoS 1 redelivery is harmless.
///
/// Threads: the owner (the loop's) thread; onSample() and tick() are called by the LiveSource
/// on the same thread.

#include <twindesk/live/live_events.h>
#include <twindesk/live/mqtt_client.h>
#include <twindesk/live/topic_map.h>
#include <twindesk/sim/telemetry.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace twindesk::live {

struct SinkOptions
{
    /// How long the device has to report the commanded value on its state topic.
    std::chrono::milliseconds confirmTimeout{30'000};
    /// |reported − commanded| at most this (in the point's unit) confirms: devices round.
    double tolerance = 0.01;
    int qos = 1;
};

struct SinkCounters
{
    std::uint64_t sent = 0;
    std::uint64_t confirmed = 0;
    std::uint64_t unconfirmed = 0; ///< alarms raised
    std::uint64_t dropped = 0;     ///< broker not connected: not sent
    std::uint64_t refused = 0;     ///< no command topic, or an action MQTT cannot carry
};

class MqttSink : public sim::ActuatorSink
{
public:
    /// `events` may be null. References must outlive the sink. `nowMs` gives the wall clock
    /// in ms (default: the system clock); tests may pass their own.
    MqttSink(MqttClient& client, const TopicMap& map, LiveEvents* events,
             SinkOptions options = {});

    twin::Status submit(const sim::Action& action) override;

    /// A good sample arrived: confirms the pending command of `point` when it matches.
    void onSample(const std::string& point, double value, std::int64_t timeMs);
    /// Raises the alarms of commands past their timeout at `nowMs`.
    void tick(std::int64_t nowMs);

    [[nodiscard]] const SinkCounters& counters() const { return m_counters; }
    /// Commands waiting for their confirmation.
    [[nodiscard]] std::size_t pending() const { return m_pending.size(); }

private:
    struct Pending
    {
        std::string point;
        double expected = 0.0;
        std::int64_t sentMs = 0;
    };
    MqttClient& m_client;
    const TopicMap& m_map;
    LiveEvents* m_events;
    SinkOptions m_options;
    std::vector<Pending> m_pending;
    SinkCounters m_counters;
};

} // namespace twindesk::live
