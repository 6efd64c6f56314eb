#include <twindesk/live/mqtt_sink.h>
#include <twindesk/sim/action.h>
#include <twindesk/twin/units.h>

#include <charconv>
#include <cmath>

namespace twindesk::live {

namespace {

std::int64_t wallNowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// Ten significant digits: "68", not the "67.99999999999997" a °C → °F conversion leaves.
std::string numberText(double v)
{
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 10);
    return {buf, r.ptr};
}

} // namespace

MqttSink::MqttSink(MqttClient& client, const TopicMap& map, LiveEvents* events,
                   SinkOptions options)
    : m_client(client), m_map(map), m_events(events), m_options(options)
{
}

twin::Status MqttSink::submit(const sim::Action& action)
{
    const std::string what = sim::describeAction(action);
    auto refuse = [&](const std::string& why) {
        ++m_counters.refused;
        return twin::makeError(twin::ErrorCode::InvalidArgument, why, what);
    };
    if (auto valid = sim::validateAction(action); !valid)
        return refuse(valid.error().message);
    double value = action.value;
    switch (action.kind) {
    case sim::ActionKind::SetSetpoint:
    case sim::ActionKind::Dim:
        break;
    case sim::ActionKind::Switch:
        value = action.value * 100.0; // light commands carry their level in %
        break;
    default:
        return refuse("no MQTT command for " + std::string(sim::actionKindName(action.kind)) +
                      " actions yet (room modes and data-centre actions are simulated only)");
    }
    const auto* binding = m_map.forPoint(action.target);
    const auto topic = m_map.commandTopicFor(action.target);
    if (binding == nullptr || !topic)
        return refuse("the topic map has no command_topic for " + action.target +
                      "; add one to its binding");
    // The payload is in the unit the device speaks (the binding's), the value in the point's.
    double payloadValue = value;
    const std::string pointUnit = m_map.pointUnitOf(action.target, *binding);
    if (!binding->unit.empty() && !pointUnit.empty() && binding->unit != pointUnit) {
        auto converted = twin::convert(value, pointUnit, binding->unit);
        if (!converted)
            return refuse(converted.error().message);
        payloadValue = *converted;
    }
    const std::int64_t now = wallNowMs();
    if (m_client.state() != ConnectionState::Connected) {
        ++m_counters.dropped;
        if (m_events != nullptr)
            m_events->add({now, event::kCommandDropped, action.target,
                           what + ": broker not connected; dropped, not queued"});
        return twin::makeError(twin::ErrorCode::IoError,
                               "broker " + describe(m_client.broker()) +
                                   " not connected: command dropped (never queued: the policy "
                                   "decides again on fresh data)",
                               what);
    }
    auto sent = m_client.publish(*topic, numberText(payloadValue), m_options.qos, false);
    if (!sent) {
        ++m_counters.dropped;
        if (m_events != nullptr)
            m_events->add({now, event::kCommandDropped, action.target, sent.error().message});
        return twin::makeError(sent.error().code, sent.error().message, what);
    }
    ++m_counters.sent;
    // A newer command for the same point replaces the older one's confirmation.
    std::erase_if(m_pending, [&](const Pending& p) { return p.point == action.target; });
    m_pending.push_back({action.target, value, now});
    if (m_events != nullptr)
        m_events->add({now, event::kCommandSent, action.target, *topic + " " + numberText(value)});
    return {};
}

void MqttSink::onSample(const std::string& point, double value, std::int64_t timeMs)
{
    for (auto it = m_pending.begin(); it != m_pending.end(); ++it) {
        if (it->point != point || timeMs < it->sentMs)
            continue;
        if (std::abs(value - it->expected) > m_options.tolerance)
            return; // not (yet) the commanded value
        ++m_counters.confirmed;
        if (m_events != nullptr)
            m_events->add({timeMs, event::kCommandConfirmed, point,
                           "reported " + numberText(value) + " after " +
                               std::to_string(timeMs - it->sentMs) + " ms"});
        m_pending.erase(it);
        return;
    }
}

void MqttSink::tick(std::int64_t nowMs)
{
    std::erase_if(m_pending, [&](const Pending& p) {
        if (nowMs - p.sentMs <= m_options.confirmTimeout.count())
            return false;
        ++m_counters.unconfirmed;
        if (m_events != nullptr)
            m_events->add({nowMs, event::kCommandUnconfirmed, p.point,
                           "commanded " + numberText(p.expected) + ", not reported within " +
                               std::to_string(m_options.confirmTimeout.count()) + " ms"});
        return true;
    });
}

} // namespace twindesk::live
