// The live source and the command sink against a real mosquitto (tests/live/broker.h):
// ingest counts (received = accepted + rejected, accepted = stored in the historian), bad
// payloads counted per reason and never delivered, staleness as a bad-quality sample, command
// round trip with confirmation, an unconfirmed command's alarm, a command while the broker is
// down (dropped, never queued), and a broker restart recorded as a gap. No timing assertions:
// waits are generous deadlines only.
#include "broker.h"
#include "test_registry.h"

#include <twindesk/live/ha_discovery.h>
#include <twindesk/live/live_events.h>
#include <twindesk/live/live_source.h>
#include <twindesk/live/mqtt_client.h>
#include <twindesk/live/mqtt_sink.h>
#include <twindesk/live/topic_map.h>
#include <twindesk/twin/project_store.h>
#include <twindesk/twin/sqlite_statement.h>

#include <QTemporaryDir>

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

using namespace twindesk;
using namespace twindesk::live;
using twindesk::test::TestBroker;
using namespace std::chrono_literals;

namespace {

constexpr auto kDeadline = 30s;

std::unique_ptr<MqttClient> connected(const std::string& url)
{
    auto parsed = parseBrokerUrl(url);
    if (!parsed)
        qFatal("%s", parsed.error().toString().c_str());
    ClientOptions o;
    o.broker = *parsed;
    auto c = MqttClient::create(o);
    if (!c || !(*c)->connect(10s))
        qFatal("cannot connect to %s", url.c_str());
    return std::move(c).value();
}

/// A topic map from JSON written with single quotes (moc cannot read raw strings that hold
/// '#' and quotes, so the tests spell JSON this way).
TopicMap mapOf(std::string json)
{
    std::replace(json.begin(), json.end(), '\'', '"');
    auto m = TopicMap::parse(json, "map.json");
    if (!m)
        qFatal("%s", m.error().toString().c_str());
    return std::move(m).value();
}

std::int64_t historianRows(const twin::ProjectStore& store)
{
    twin::sql::Statement st(store.handle(), "SELECT count(*) FROM historian");
    return st.step() == SQLITE_ROW ? st.int64(0) : -1;
}

/// Steps `source` until `done` or the deadline; returns whether `done` held.
template <typename Done> bool pump(LiveSource& source, sim::TelemetryFrame& frame, Done done)
{
    const auto end = std::chrono::steady_clock::now() + kDeadline;
    while (std::chrono::steady_clock::now() < end) {
        auto more = source.next(frame);
        if (!more || !*more)
            return false;
        if (done(frame))
            return true;
    }
    return false;
}

bool hasSample(const sim::TelemetryFrame& f, const std::string& point, bool quality)
{
    for (const auto& s : f.samples)
        if (s.point == point && s.quality == quality)
            return true;
    return false;
}

} // namespace

class TestLiveSource : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    [[nodiscard]] std::filesystem::path file(const char* name) const
    {
        return std::filesystem::path(m_dir.path().toStdString()) / name;
    }

private Q_SLOTS:
    void ingestCountsEveryMessageAndStoresEveryGoodOne()
    {
        TestBroker broker;
        QVERIFY2(broker.start(), qPrintable(broker.lastError()));
        auto map = mapOf("{'points': [\n"
"            {'topic': 'bms/+/zat', 'point': 'urn:t#room_{1}_zat', 'unit': 'degF',\n"
"             'point_unit': '°C', 'min': -40, 'max': 80},\n"
"            {'topic': 'z2m/ws', 'point': 'urn:t#ws_t', 'format': 'json', 'value': 'temperature'}\n"
"        ]}");
        auto store = twin::ProjectStore::create(file("ingest.twin"), twin::CreateMode::Replace);
        QVERIFY(store.ok());
        auto events = LiveEvents::open(*store);
        QVERIFY(events.ok());
        auto client = connected(broker.url());
        LiveSourceOptions options;
        options.frameInterval = 200ms;
        options.historianBatch = 500; // several batches
        LiveSource source(*client, map, &*store, &*events, options);
        QVERIFY(source.subscribe().ok());

        auto publisher = connected(broker.url());
        constexpr int kRooms = 20;
        constexpr int kRounds = 100;
        for (int r = 0; r < kRounds; ++r)
            for (int room = 0; room < kRooms; ++room)
                QVERIFY(publisher
                            ->publish("bms/" + std::to_string(room) + "/zat",
                                      std::to_string(68 + room % 5), 1, false)
                            .ok());
        QVERIFY(publisher->publish("z2m/ws", "{\"temperature\": 21.5, \"humidity\": 40}", 1, false)
                    .ok());
        // Garbage: each is counted under its reason and never reaches a frame.
        QVERIFY(publisher->publish("bms/1/zat", "abc", 1, false).ok());
        QVERIFY(publisher->publish("bms/2/zat", "nan", 1, false).ok());
        QVERIFY(publisher->publish("bms/3/zat", "1e300", 1, false).ok());
        QVERIFY(publisher->publish("bms/4/zat", "500", 1, false).ok()); // 260 °C: out of range
        QVERIFY(publisher->publish("z2m/ws", "{\"temperature\": ", 1, false).ok());
        // On a subscribed filter, but no binding resolves it (an empty placeholder level).
        QVERIFY(publisher->publish("bms//zat", "1", 1, false).ok());
        const std::uint64_t good = kRooms * kRounds + 1;
        const std::uint64_t bad = 6;

        sim::TelemetryFrame frame;
        std::size_t seenPoints = 0;
        bool wsSeen = false;
        QVERIFY2(pump(source, frame, [&](const sim::TelemetryFrame& f) {
            seenPoints = std::max(seenPoints, f.samples.size());
            wsSeen = wsSeen || hasSample(f, "urn:t#ws_t", true);
            for (const auto& s : f.samples)
                if (!std::isfinite(s.value) && s.quality)
                    qFatal("a non-finite value reached a frame as good: %s", s.point.c_str());
            return source.counters().messages >= good + bad;
        }), qPrintable(QStringLiteral("messages %1 of %2").arg(source.counters().messages).arg(good + bad)));
        QVERIFY(source.flush().ok());
        const auto& c = source.counters();
        QCOMPARE(c.messages, good + bad);
        QCOMPARE(c.accepted, good);
        QCOMPARE(c.stored, good);
        QCOMPARE(historianRows(*store), static_cast<std::int64_t>(good));
        QCOMPARE(c.rejected.total, bad);
        QCOMPARE(c.rejected.count(RejectReason::NotANumber), std::uint64_t{1});
        QCOMPARE(c.rejected.count(RejectReason::NonFinite), std::uint64_t{1});
        QCOMPARE(c.rejected.count(RejectReason::TooLarge), std::uint64_t{1});
        QCOMPARE(c.rejected.count(RejectReason::OutOfRange), std::uint64_t{1});
        QCOMPARE(c.rejected.count(RejectReason::MalformedJson), std::uint64_t{1});
        QCOMPARE(c.rejected.count(RejectReason::UnknownTopic), std::uint64_t{1});
        QVERIFY(wsSeen);
        // °F converted to the point's °C: the room 0 series holds 20 °C (68 °F).
        auto samples = store->samples("urn:t#room_0_zat", 0, std::int64_t{1} << 62);
        QVERIFY(samples.ok());
        QCOMPARE(samples->size(), std::size_t{kRounds});
        QVERIFY(std::abs(samples->front().value - 20.0) < 1e-9);
        // Bad payloads are alarms: one event per topic and reason.
        auto badEvents = events->all(event::kBadPayload);
        QVERIFY(badEvents.ok());
        QCOMPARE(badEvents->size(), std::size_t{bad});
    }

    void aSilentPointGoesStaleAndComesBack()
    {
        TestBroker broker;
        QVERIFY2(broker.start(), qPrintable(broker.lastError()));
        auto map = mapOf("{'points': [\n"
"            {'topic': 'dev/p1', 'point': 'urn:t#p1', 'interval_s': 1}]}");
        auto store = twin::ProjectStore::create(file("stale.twin"), twin::CreateMode::Replace);
        auto events = LiveEvents::open(*store);
        QVERIFY(store.ok() && events.ok());
        auto client = connected(broker.url());
        LiveSourceOptions options;
        options.frameInterval = 200ms;
        LiveSource source(*client, map, &*store, &*events, options);
        QVERIFY(source.subscribe().ok());
        auto publisher = connected(broker.url());
        QVERIFY(publisher->publish("dev/p1", "7", 1, false).ok());
        sim::TelemetryFrame frame;
        QVERIFY(pump(source, frame,
                     [](const sim::TelemetryFrame& f) { return hasSample(f, "urn:t#p1", true); }));
        // Silence: after more than its interval the point is delivered as bad, once.
        QVERIFY(pump(source, frame,
                     [](const sim::TelemetryFrame& f) { return hasSample(f, "urn:t#p1", false); }));
        QCOMPARE(source.stalePoints(), std::vector<std::string>{"urn:t#p1"});
        // Frames 200 ms apart still have distinct, increasing times (whole seconds).
        const auto before = source.now();
        QVERIFY(source.next(frame).ok());
        QVERIFY(frame.time > before);
        QVERIFY(publisher->publish("dev/p1", "8", 1, false).ok());
        QVERIFY(pump(source, frame,
                     [](const sim::TelemetryFrame& f) { return hasSample(f, "urn:t#p1", true); }));
        QVERIFY(source.stalePoints().empty());
        QVERIFY(source.flush().ok());
        QCOMPARE(events->all(event::kStale)->size(), std::size_t{1});
        QCOMPARE(events->all(event::kFresh)->size(), std::size_t{1});
    }

    void commandsAreSentOnceConfirmedOrAlarmed()
    {
        TestBroker broker;
        QVERIFY2(broker.start(), qPrintable(broker.lastError()));
        auto map = mapOf("{'points': [\n"
"            {'topic': 'bms/+/zhsp', 'point': 'urn:t#room_{1}_zhsp', 'point_unit': '°C',\n"
"             'command_topic': 'bms/{1}/zhsp/set'}]}");
        auto store = twin::ProjectStore::create(file("cmd.twin"), twin::CreateMode::Replace);
        auto events = LiveEvents::open(*store);
        QVERIFY(store.ok() && events.ok());
        auto client = connected(broker.url());
        LiveSourceOptions options;
        options.frameInterval = 100ms;
        LiveSource source(*client, map, &*store, &*events, options);
        QVERIFY(source.subscribe().ok());
        SinkOptions so;
        so.confirmTimeout = 1500ms;
        MqttSink sink(*client, map, &*events, so);
        source.setSampleListener(
            [&](const std::string& p, double v, std::int64_t t) { sink.onSample(p, v, t); });
        source.setTickListener([&](std::int64_t t) { sink.tick(t); });

        // A device that obeys room 1 (echoes the command on its state topic); room 2 is dead.
        auto device = connected(broker.url());
        QVERIFY(device->subscribe("bms/+/zhsp/set", 1).ok());

        QVERIFY(sink.submit({sim::ActionKind::SetSetpoint, "urn:t#room_1_zhsp", 19.5, {}, {}})
                    .ok());
        QVERIFY(sink.submit({sim::ActionKind::SetSetpoint, "urn:t#room_2_zhsp", 18, {}, {}}).ok());
        QCOMPARE(sink.counters().sent, std::uint64_t{2});
        std::vector<Message> got;
        const auto end = std::chrono::steady_clock::now() + kDeadline;
        while (got.size() < 2 && std::chrono::steady_clock::now() < end)
            device->drain(got, 10, 200ms);
        QCOMPARE(got.size(), std::size_t{2});
        QCOMPARE(got[0].topic, std::string("bms/1/zhsp/set"));
        QCOMPARE(got[0].payload, std::string("19.5"));
        QVERIFY(device->publish("bms/1/zhsp", got[0].payload, 1, false).ok());

        sim::TelemetryFrame frame;
        QVERIFY(pump(source, frame, [&](const sim::TelemetryFrame&) {
            return sink.counters().confirmed == 1 && sink.counters().unconfirmed == 1;
        }));
        QCOMPARE(sink.pending(), std::size_t{0});
        QCOMPARE(events->all(event::kCommandUnconfirmed)->front().subject,
                 std::string("urn:t#room_2_zhsp"));
        // Nothing was sent twice: the device saw exactly the two commands.
        got.clear();
        device->drain(got, 10, 500ms);
        QVERIFY(got.empty());

        // A device that speaks °F gets °F: the twin's unit comes from the resolver.
        auto fahrenheit = mapOf("{'points': [{'topic': 'us/zhsp', 'point': 'urn:t#us_zhsp', "
                                "'unit': 'degF', 'command_topic': 'us/zhsp/set'}]}");
        fahrenheit.setPointUnitResolver([](std::string_view) { return std::string("°C"); });
        MqttSink usSink(*client, fahrenheit, nullptr, so);
        QVERIFY(device->subscribe("us/zhsp/set", 1).ok());
        QVERIFY(usSink.submit({sim::ActionKind::SetSetpoint, "urn:t#us_zhsp", 20, {}, {}}).ok());
        got.clear();
        const auto usEnd = std::chrono::steady_clock::now() + kDeadline;
        while (got.empty() && std::chrono::steady_clock::now() < usEnd)
            device->drain(got, 10, 200ms);
        QCOMPARE(got.size(), std::size_t{1});
        QCOMPARE(got[0].payload, std::string("68"));

        // Refused: no command topic, or an action MQTT does not carry.
        QVERIFY(!sink.submit({sim::ActionKind::SetSetpoint, "urn:t#other", 20, {}, {}}).ok());
        QVERIFY(!sink.submit({sim::ActionKind::PowerHost, "urn:t#room_1_zhsp", 0, {}, {}}).ok());
        // Broker down: dropped, not queued, and the refusal names the broker.
        broker.stop();
        const auto downBy = std::chrono::steady_clock::now() + kDeadline;
        while (client->state() == ConnectionState::Connected &&
               std::chrono::steady_clock::now() < downBy)
            std::this_thread::sleep_for(50ms);
        const auto dropped =
            sink.submit({sim::ActionKind::SetSetpoint, "urn:t#room_1_zhsp", 22, {}, {}});
        QVERIFY(!dropped.ok());
        QVERIFY(dropped.error().message.find("not connected") != std::string::npos);
        QCOMPARE(sink.counters().dropped, std::uint64_t{1});
        QVERIFY(source.flush().ok());
    }

    void homeAssistantDiscoveryBindsPointsAtRunTime()
    {
        TestBroker broker;
        QVERIFY2(broker.start(), qPrintable(broker.lastError()));
        TopicMap map; // empty: everything comes from discovery
        auto client = connected(broker.url());
        LiveSourceOptions options;
        options.frameInterval = 200ms;
        LiveSource source(*client, map, nullptr, nullptr, options);
        source.enableDiscovery("homeassistant", [](const DiscoveredEntity& e) {
            return e.objectId == "temp" ? std::string("urn:t#room_1_zat") : std::string{};
        });
        QVERIFY(source.subscribe().ok());
        auto dev = connected(broker.url());
        QVERIFY(dev->publish("homeassistant/sensor/dev1/temp/config",
                             "{\"name\": \"Temperature\", \"unique_id\": \"dev1_temp\", "
                             "\"state_topic\": \"dev1/state\", \"device_class\": "
                             "\"temperature\", \"unit_of_measurement\": \"°F\", "
                             "\"value_template\": \"{{ value_json.t }}\"}",
                             1, true)
                    .ok());
        QVERIFY(dev->publish("homeassistant/sensor/dev1/co2/config",
                             "{\"state_topic\": \"dev1/co2\", \"unit_of_measurement\": \"ppm\"}",
                             1, true)
                    .ok());
        QVERIFY(dev->publish("homeassistant/sensor/dev1/broken/config", "{not json", 1, true).ok());
        sim::TelemetryFrame frame;
        // Wait for the bindings, then send values.
        QVERIFY(pump(source, frame,
                     [&](const sim::TelemetryFrame&) { return source.counters().discovered == 2; }));
        QVERIFY(dev->publish("dev1/state", "{\"t\": 68}", 1, false).ok());
        QVERIFY(dev->publish("dev1/co2", "612", 1, false).ok());
        double temp = 0;
        bool co2 = false;
        QVERIFY(pump(source, frame, [&](const sim::TelemetryFrame& f) {
            for (const auto& s : f.samples) {
                if (s.point == "urn:t#room_1_zat")
                    temp = s.value;
                co2 = co2 || (s.point == "urn:twindesk:mqtt:dev1/co2" && s.value == 612);
            }
            return temp != 0 && co2;
        }));
        QCOMPARE(temp, 68.0); // the twin's point unit is not known here: taken as published
        QCOMPARE(source.counters().discoveryErrors, std::uint64_t{1});
        QCOMPARE(map.size(), std::size_t{2});
    }

    void aBrokerRestartIsRecordedAsAGap()
    {
        TestBroker broker;
        QVERIFY2(broker.start(), qPrintable(broker.lastError()));
        auto map = mapOf("{'points': [{'topic': 'dev/+', 'point': 'urn:t#{1}'}]}");
        auto store = twin::ProjectStore::create(file("gap.twin"), twin::CreateMode::Replace);
        auto events = LiveEvents::open(*store);
        QVERIFY(store.ok() && events.ok());
        auto client = connected(broker.url());
        LiveSourceOptions options;
        options.frameInterval = 200ms;
        LiveSource source(*client, map, &*store, &*events, options);
        QVERIFY(source.subscribe().ok());
        QVERIFY(broker.restart());
        // The subscription is renewed: a value published after the restart arrives.
        sim::TelemetryFrame frame;
        const auto end = std::chrono::steady_clock::now() + kDeadline;
        bool arrived = false;
        while (!arrived && std::chrono::steady_clock::now() < end) {
            auto publisher = connected(broker.url());
            QVERIFY(publisher->publish("dev/a", "1", 1, false).ok());
            for (int i = 0; i < 10 && !arrived; ++i) {
                QVERIFY(source.next(frame).ok());
                arrived = hasSample(frame, "urn:t#a", true);
            }
        }
        QVERIFY(arrived);
        QVERIFY(source.flush().ok());
        QCOMPARE(source.counters().disconnects, std::uint64_t{1});
        const auto all = events->all();
        QVERIFY(all.ok());
        std::vector<std::string> kinds;
        for (const auto& e : *all)
            if (e.kind == event::kConnected || e.kind == event::kDisconnected)
                kinds.push_back(e.kind);
        // The gap: disconnected, then connected again (the first connect came before).
        QVERIFY(kinds.size() >= 2);
        QCOMPARE(kinds[kinds.size() - 2], std::string(event::kDisconnected));
        QCOMPARE(kinds.back(), std::string(event::kConnected));
        QVERIFY(isAlarm(event::kDisconnected));
        QVERIFY(!isAlarm(event::kConnected));
    }
};

TWINDESK_TEST(TestLiveSource)
#include "tst_live_source.moc"
