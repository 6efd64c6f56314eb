#pragma once
/// \file live_source.h
/// The live telemetry source (issue #7): MQTT messages in, twin samples out — the third source
/// of the one control loop, beside the simulator and recordings.
///
/// Every message the client receives is matched against the topic map (every binding whose
/// filter matches: one JSON message may feed several points), decoded (payload.h) and, when
/// good, stored in the project's historian and kept as the point's latest value. Bad payloads
/// (not a number, NaN, huge, wrong unit, malformed JSON, unknown topic) are counted per reason
/// and recorded as `bad_payload` events (the first per topic and reason); they never reach a
/// policy. A frame is cut every `frameInterval` of wall time: its time is the wall clock
/// (whole seconds since the epoch, strictly increasing from frame to frame — a frame interval
/// under a second runs ahead of the clock) and its samples the latest good value of each point
/// that reported since the previous frame.
///
/// Staleness: a point whose binding expects a sample every `interval_s` and has had none for
/// longer (or never, `interval_s` after the start, for points the map names literally) goes
/// stale: the next frame carries it with quality false, so the Observation holds no value for
/// it and the policy cannot act on an old reading (the rules treat it as unknown; the loop's
/// fallback covers what the policy then leaves undecided). A `stale` event is recorded, and a
/// `fresh` one when it reports again.
///
/// Home Assistant discovery (enableDiscovery): retained `<prefix>/<component>/[<node>/]<object>/
/// config` messages become bindings of the topic map at run time — the point is matched by the
/// caller's function (e.g. a twin point whose local name is the object id) or created as
/// `urn:twindesk:mqtt:<unique_id>` — and their state topics are subscribed. A removal (empty
/// payload) leaves the binding: the point then goes stale. A config that cannot be read is a
/// `bad_payload` event and counted.
///
/// Gaps: the client's disconnects and reconnects are recorded as events; the historian simply
/// has no samples in between (a gap stays a gap, nothing is invented).
///
/// Historian: every accepted sample is stored (nothing is averaged away), in batches, one
/// transaction per batch (WAL, sqlite3 C API). Its time is the receive time in ms; two
/// samples of one point within the same millisecond are stored 1 ms apart so neither
/// replaces the other.
///
/// Threads: one owner thread (the loop's). requestStop() may be called from any thread or a
/// signal handler.

#include <twindesk/live/ha_discovery.h>
#include <twindesk/live/live_events.h>
#include <twindesk/live/mqtt_client.h>
#include <twindesk/live/payload.h>
#include <twindesk/live/topic_map.h>
#include <twindesk/sim/telemetry.h>
#include <twindesk/twin/historian.h>
#include <twindesk/twin/project_store.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <set>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace twindesk::live {

struct LiveSourceOptions
{
    /// Wall time per frame: the loop observes (and may decide) at most this often.
    std::chrono::milliseconds frameInterval{1000};
    /// Historian rows buffered before a write (a frame boundary writes too).
    std::size_t historianBatch = 50'000;
    /// Stop after this much wall time (0: run until requestStop()).
    std::chrono::milliseconds duration{0};
};

struct LiveCounters
{
    std::uint64_t messages = 0; ///< messages taken from the client
    std::uint64_t retained = 0; ///< of which retained (the broker's last known value)
    std::uint64_t accepted = 0; ///< samples decoded (one message may give several)
    std::uint64_t stored = 0;   ///< historian rows written
    RejectionCounts rejected;   ///< per reason
    std::uint64_t disconnects = 0;
    std::uint64_t frames = 0;
    std::uint64_t discovered = 0;     ///< bindings learnt from discovery
    std::uint64_t discoveryErrors = 0; ///< discovery configs that could not be used
};

class LiveSource : public sim::TelemetrySource
{
public:
    /// `store` (the historian: the project file or a shared store, twin/historian.h) and
    /// `events` may be null. All references must outlive the
    /// source; `map` grows when discovery is on (the command sink may share it). Subscribes
    /// nothing yet (subscribe()).
    LiveSource(MqttClient& client, TopicMap& map, twin::Historian* store, LiveEvents* events,
               LiveSourceOptions options = {});

    /// Learns bindings from Home Assistant discovery under `prefix` (e.g. "homeassistant");
    /// `pointFor` gives the twin point of a discovered entity (empty: defaultPointId()). Call
    /// before subscribe().
    void enableDiscovery(std::string prefix,
                         std::function<std::string(const DiscoveredEntity&)> pointFor);

    /// Subscribes every filter of the topic map with its QoS (and the discovery topics).
    twin::Status subscribe();

    /// Collects messages until the next frame boundary and returns that frame; false once
    /// stopped (requestStop() or the duration passed). A historian write error is returned
    /// (nothing already stored is lost).
    twin::Result<bool> next(sim::TelemetryFrame& frame) override;
    [[nodiscard]] sim::Seconds now() const override { return m_now; }

    void requestStop() { m_stop.store(true); }
    /// Writes the buffered historian rows and events.
    twin::Status flush();

    /// Called for every accepted sample (point, value in its unit, receive time ms): the
    /// command sink confirms commands with it.
    void setSampleListener(std::function<void(const std::string&, double, std::int64_t)> f)
    {
        m_listener = std::move(f);
    }
    /// Called at every frame boundary with the wall time in ms (command timeouts).
    void setTickListener(std::function<void(std::int64_t)> f) { m_tick = std::move(f); }

    [[nodiscard]] const LiveCounters& counters() const { return m_counters; }
    /// Points stale now, sorted.
    [[nodiscard]] std::vector<std::string> stalePoints() const;

private:
    struct PointState
    {
        std::int64_t series = 0;                ///< historian series id (0: not yet)
        std::int64_t lastMs = 0;                ///< last stored time (monotonic per point)
        std::optional<std::int64_t> lastGoodMs; ///< receive time of the last good sample
        sim::Seconds interval = 0;              ///< expected interval (0: none)
        bool stale = false;
        bool pending = false; ///< a value waits for the next frame
        double value = 0.0;
    };
    PointState& stateOf(const std::string& point, sim::Seconds interval);
    twin::Status ingest(const Message& m);
    twin::Status discover(const Message& m, std::int64_t ms);
    twin::Status writeHistorian();
    void connectionEvents();
    void reject(const std::string& topic, const DecodeResult& result, std::int64_t ms);
    [[nodiscard]] std::int64_t wallMs(std::int64_t steadyNs) const;

    MqttClient& m_client;
    TopicMap& m_map;
    std::string m_discoveryPrefix; ///< empty: discovery off
    std::function<std::string(const DiscoveredEntity&)> m_pointFor;
    twin::Historian* m_store;
    LiveEvents* m_events;
    LiveSourceOptions m_options;
    std::unordered_map<std::string, PointState> m_points;
    std::vector<std::string> m_order; ///< points in first-seen order (frame order)
    std::vector<twin::SeriesSample> m_batch;
    std::set<std::pair<std::string, int>> m_reported; ///< (topic, reason) reported once
    std::vector<Message> m_messages;
    std::function<void(const std::string&, double, std::int64_t)> m_listener;
    std::function<void(std::int64_t)> m_tick;
    std::atomic<bool> m_stop{false};
    std::int64_t m_steadyToWallMs = 0;
    std::chrono::steady_clock::time_point m_start;
    std::chrono::steady_clock::time_point m_nextFrame;
    std::int64_t m_startMs = 0;
    sim::Seconds m_now = 0;
    LiveCounters m_counters;
};

} // namespace twindesk::live
