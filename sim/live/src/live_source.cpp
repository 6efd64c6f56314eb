#include <twindesk/live/live_source.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace twindesk::live {

namespace {

std::int64_t steadyNowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::int64_t wallNowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::int64_t toMs(std::chrono::system_clock::time_point t)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

} // namespace

LiveSource::LiveSource(MqttClient& client, TopicMap& map, twin::Historian* store,
                       LiveEvents* events, LiveSourceOptions options)
    : m_client(client), m_map(map), m_store(store), m_events(events), m_options(options),
      m_steadyToWallMs(wallNowMs() - steadyNowNs() / 1'000'000),
      m_start(std::chrono::steady_clock::now()), m_nextFrame(m_start + options.frameInterval),
      m_startMs(wallNowMs()), m_now(m_startMs / 1000)
{
    if (m_options.frameInterval.count() <= 0)
        m_options.frameInterval = std::chrono::milliseconds(1000);
    // Points the map names literally are expected from the start: never reporting is stale.
    for (std::size_t i = 0; i < m_map.size(); ++i) {
        const auto& b = m_map.binding(i);
        if (b.point.find('{') == std::string::npos)
            stateOf(b.point, b.interval);
    }
}

void LiveSource::enableDiscovery(std::string prefix,
                                 std::function<std::string(const DiscoveredEntity&)> pointFor)
{
    m_discoveryPrefix = std::move(prefix);
    m_pointFor = std::move(pointFor);
}

twin::Status LiveSource::discover(const Message& m, std::int64_t ms)
{
    auto fail = [&](const std::string& why) {
        ++m_counters.discoveryErrors;
        if (m_events != nullptr)
            m_events->add({ms, event::kBadPayload, m.topic, "discovery: " + why});
        return twin::Status{};
    };
    auto parsed = parseDiscovery(m.topic, m.payload, {m_discoveryPrefix});
    if (!parsed)
        return fail(parsed.error().message);
    if (parsed->removed() || parsed->entity->stateTopic.empty())
        return {}; // a removal, or an entity without values (a button): nothing to observe
    const auto& entity = *parsed->entity;
    std::string point = m_pointFor ? m_pointFor(entity) : std::string{};
    if (point.empty())
        point = defaultPointId(entity);
    if (m_map.forPoint(point) != nullptr)
        return {}; // already bound (a map entry, or a repeated retained config)
    auto binding = bindingFor(entity, point);
    const std::string filter = binding.topic;
    const int qos = binding.qos;
    if (auto added = m_map.add(std::move(binding)); !added)
        return fail(added.error().toString());
    ++m_counters.discovered;
    if (auto sub = m_client.subscribe(filter, qos); !sub)
        return sub;
    return {};
}

twin::Status LiveSource::subscribe()
{
    if (!m_discoveryPrefix.empty())
        if (auto ok = m_client.subscribe(m_discoveryPrefix + "/#", 1); !ok)
            return ok;
    for (const auto& s : m_map.subscriptionsWithQos())
        if (auto ok = m_client.subscribe(s.filter, s.qos); !ok)
            return ok;
    return {};
}

LiveSource::PointState& LiveSource::stateOf(const std::string& point, sim::Seconds interval)
{
    auto [it, inserted] = m_points.try_emplace(point);
    if (inserted) {
        it->second.interval = interval;
        m_order.push_back(point);
    }
    return it->second;
}

std::int64_t LiveSource::wallMs(std::int64_t steadyNs) const
{
    return steadyNs / 1'000'000 + m_steadyToWallMs;
}

void LiveSource::reject(const std::string& topic, const DecodeResult& result, std::int64_t ms)
{
    m_counters.rejected.add(result);
    // One event per topic and reason: a device spewing garbage is an alarm, not a flood.
    const auto key = std::make_pair(topic, static_cast<int>(result.reason));
    if (m_events != nullptr && m_reported.insert(key).second)
        m_events->add({ms, event::kBadPayload, topic,
                       std::string(rejectionName(result.reason)) + ": " + result.message});
}

twin::Status LiveSource::ingest(const Message& m)
{
    ++m_counters.messages;
    if (m.retained)
        ++m_counters.retained;
    const std::int64_t ms = wallMs(m.receivedNs);
    if (!m_discoveryPrefix.empty() && m.topic.size() > m_discoveryPrefix.size() &&
        m.topic.compare(0, m_discoveryPrefix.size(), m_discoveryPrefix) == 0 &&
        m.topic[m_discoveryPrefix.size()] == '/') {
        if (m.topic.ends_with("/config"))
            return discover(m, ms);
        if (m_map.matchAll(m.topic).empty())
            return {}; // other traffic under the prefix (a birth message): not telemetry
    }
    const auto matches = m_map.matchAll(m.topic);
    if (matches.empty()) {
        reject(m.topic, unknownTopic(m.topic, m.payload), ms);
        return {};
    }
    for (const auto& match : matches) {
        const auto decoded = decodePayload(m.topic, m.payload, match);
        if (!decoded.ok()) {
            reject(m.topic, decoded, ms);
            continue;
        }
        ++m_counters.accepted;
        auto& st = stateOf(match.point, match.binding->interval);
        st.value = *decoded.value;
        st.pending = true;
        st.lastGoodMs = ms;
        if (m_store != nullptr) {
            if (st.series == 0) {
                auto id = m_store->seriesId(match.point);
                if (!id)
                    return id.error();
                st.series = *id;
            }
            st.lastMs = std::max(ms, st.lastMs + 1);
            m_batch.push_back({st.series, st.lastMs, st.value});
        }
        if (m_listener)
            m_listener(match.point, st.value, ms);
    }
    if (m_batch.size() >= m_options.historianBatch)
        return writeHistorian();
    return {};
}

twin::Status LiveSource::writeHistorian()
{
    if (m_store == nullptr || m_batch.empty())
        return {};
    if (auto s = m_store->appendSeries(m_batch); !s)
        return s; // the batch stays buffered: a later flush may still store it
    m_counters.stored += m_batch.size();
    m_batch.clear();
    return {};
}

void LiveSource::connectionEvents()
{
    for (const auto& e : m_client.takeEvents()) {
        const char* kind = e.kind == ConnectionEventKind::Connected      ? event::kConnected
                           : e.kind == ConnectionEventKind::Disconnected ? event::kDisconnected
                                                                         : event::kRefused;
        if (e.kind == ConnectionEventKind::Disconnected)
            ++m_counters.disconnects;
        if (m_events != nullptr)
            m_events->add({toMs(e.wallTime), kind, describe(m_client.broker()), e.detail});
    }
}

twin::Result<bool> LiveSource::next(sim::TelemetryFrame& frame)
{
    using Clock = std::chrono::steady_clock;
    if (m_stop.load())
        return false;
    if (m_options.duration.count() > 0 && Clock::now() - m_start >= m_options.duration)
        return false;
    // Collect until the frame boundary (or a stop request, checked every 100 ms).
    while (!m_stop.load()) {
        const auto now = Clock::now();
        if (now >= m_nextFrame)
            break;
        const auto wait = std::min(std::chrono::duration_cast<std::chrono::milliseconds>(
                                       m_nextFrame - now),
                                   std::chrono::milliseconds(100));
        m_messages.clear();
        m_client.drain(m_messages, std::numeric_limits<std::size_t>::max(), wait);
        for (const auto& m : m_messages)
            if (auto s = ingest(m); !s)
                return s.error();
    }
    // Whatever a stop interrupted is still delivered, so nothing received is left behind.
    m_nextFrame = std::max(m_nextFrame + m_options.frameInterval, Clock::now());
    connectionEvents();
    if (auto s = writeHistorian(); !s)
        return s.error();

    const std::int64_t nowMs = wallNowMs();
    // Frame times are whole seconds (the loop's clock) and strictly increasing: a recording
    // keys its frames by time, so two frames in one second would be one.
    frame.time = m_counters.frames == 0 ? nowMs / 1000 : std::max(nowMs / 1000, m_now + 1);
    frame.samples.clear();
    for (const auto& point : m_order) {
        auto& st = m_points[point];
        if (st.pending) {
            frame.samples.push_back({point, st.value, true});
            st.pending = false;
            if (st.stale) {
                st.stale = false;
                if (m_events != nullptr)
                    m_events->add({nowMs, event::kFresh, point, "reporting again"});
            }
            continue;
        }
        if (st.stale || st.interval <= 0)
            continue;
        const std::int64_t since = st.lastGoodMs.value_or(m_startMs);
        if (nowMs - since > st.interval * 1000) {
            st.stale = true;
            frame.samples.push_back({point, std::numeric_limits<double>::quiet_NaN(), false});
            if (m_events != nullptr)
                m_events->add({nowMs, event::kStale, point,
                               "no sample for " + std::to_string((nowMs - since) / 1000) +
                                   " s (expected every " + std::to_string(st.interval) + " s)"});
        }
    }
    m_now = frame.time;
    ++m_counters.frames;
    if (m_tick)
        m_tick(nowMs);
    if (m_events != nullptr)
        if (auto s = m_events->flush(); !s)
            return s.error();
    return true;
}

twin::Status LiveSource::flush()
{
    // Messages already received are ingested first: a stop loses nothing that arrived.
    m_messages.clear();
    m_client.drain(m_messages, std::numeric_limits<std::size_t>::max(),
                   std::chrono::milliseconds(0));
    for (const auto& m : m_messages)
        if (auto s = ingest(m); !s)
            return s;
    connectionEvents();
    if (auto s = writeHistorian(); !s)
        return s;
    if (m_events != nullptr)
        return m_events->flush();
    return {};
}

std::vector<std::string> LiveSource::stalePoints() const
{
    std::vector<std::string> out;
    for (const auto& [point, st] : m_points)
        if (st.stale)
            out.push_back(point);
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace twindesk::live
