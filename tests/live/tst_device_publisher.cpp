// DevicePublisher (simulate --publish) against a real mosquitto broker (tests/live/broker.h):
// discovery configs that parseDiscovery() reads back, state messages equal to what the engine
// sampled, heartbeats, commands on /set topics applied at the next step, garbage commands
// rejected, the topic map round trip, and determinism. No timing assertions: deadlines only.
#include "broker.h"
#include "test_registry.h"

#include <twindesk/live/device_publisher.h>
#include <twindesk/live/ha_discovery.h>
#include <twindesk/live/mqtt_client.h>
#include <twindesk/live/topic_map.h>
#include <twindesk/sim/engine.h>
#include <twindesk/sim/scenario.h>

#include <QTemporaryDir>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

using namespace twindesk;
using namespace twindesk::live;
using twindesk::test::TestBroker;
using namespace std::chrono_literals;

namespace {

const std::filesystem::path kSource = TWINDESK_SOURCE_DIR;
constexpr auto kConnectTimeout = 10s;
constexpr auto kDeadline = 30s;

/// The demo office from Monday 00:00 for `hours` hours (60 s steps).
std::shared_ptr<const sim::SimConfig> demoConfig(int hours)
{
    sim::ScenarioOptions o;
    o.ontology = {kSource / "assets/ontology/brick-1.3-classes.ttl",
                  kSource / "assets/ontology/twindesk.ttl"};
    o.anchorsDir = TWINDESK_ANCHORS_DIR;
    char end[32];
    std::snprintf(end, sizeof end, "\"2025-01-06T%02d:00\"", hours);
    o.overrides = {{"period.end", end}};
    auto s = sim::loadScenario(kSource / "assets/scenarios/demo-office.json", o);
    if (!s)
        qFatal("%s", s.error().toString().c_str());
    return s->config;
}

std::unique_ptr<sim::Engine> makeEngine(const std::shared_ptr<const sim::SimConfig>& config)
{
    auto e = sim::Engine::create(config);
    if (!e)
        qFatal("%s", e.error().toString().c_str());
    return std::move(e).value();
}

std::unique_ptr<MqttClient> connected(const std::string& url)
{
    ClientOptions o;
    auto parsed = parseBrokerUrl(url);
    if (!parsed)
        qFatal("%s", parsed.error().toString().c_str());
    o.broker = *parsed;
    auto client = MqttClient::create(o);
    if (!client)
        qFatal("%s", client.error().toString().c_str());
    if (auto s = (*client)->connect(kConnectTimeout); !s)
        qFatal("%s", s.error().toString().c_str());
    return std::move(client).value();
}

/// Drains `client` into `all` until `done()` or the deadline; returns done().
bool collectUntil(MqttClient& client, std::vector<Message>& all, const std::function<bool()>& done)
{
    const auto end = std::chrono::steady_clock::now() + kDeadline;
    std::vector<Message> batch;
    while (!done() && std::chrono::steady_clock::now() < end) {
        batch.clear();
        client.drain(batch, 100000, 50ms);
        std::move(batch.begin(), batch.end(), std::back_inserter(all));
    }
    return done();
}

bool waitFor(const std::function<bool()>& done)
{
    const auto end = std::chrono::steady_clock::now() + kDeadline;
    while (!done() && std::chrono::steady_clock::now() < end)
        std::this_thread::sleep_for(10ms);
    return done();
}

double sampled(const sim::Engine& engine, const std::string& point)
{
    sim::TelemetryFrame frame;
    engine.sample(frame);
    for (const auto& s : frame.samples)
        if (s.point == point)
            return s.value;
    return std::nan("");
}

bool startsWith(const std::string& s, const std::string& prefix)
{
    return s.compare(0, prefix.size(), prefix) == 0;
}

} // namespace

class TestDevicePublisher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void namesAndCommandDecoding()
    {
        QCOMPARE(siteSlug("demo-office"), std::string("demo-office"));
        QCOMPARE(siteSlug("  Demo Office (2025)! "), std::string("demo-office-2025"));
        QCOMPARE(siteSlug("°°°"), std::string("site"));
        QCOMPARE(localName("urn:twindesk:demo:office#room_101_zat"), std::string("room_101_zat"));
        QCOMPARE(localName("http://example.org/b/AHU-1.sat"), std::string("AHU-1_sat"));
        QCOMPARE(localName("urn:x#"), std::string("point"));
        for (double v : {21.5, 0.1, 1.0 / 3.0, -0.0, 1e-300, 123456789.125})
            QCOMPARE(std::stod(formatStateValue(v)), v);
        QCOMPARE(formatStateValue(1.0), std::string("1"));

        PublishedPoint sp;
        sp.point = "urn:x#zhsp";
        sp.role = PointRole::Setpoint;
        sp.unit = "°C";
        sp.commandTopic = "twindesk/s/zhsp/set";
        sp.commandMin = 5;
        sp.commandMax = 35;
        auto ok = commandAction(sp, " +19.5\n");
        QVERIFY2(ok, ok ? "" : ok.error().toString().c_str());
        QCOMPARE(ok->kind, sim::ActionKind::SetSetpoint);
        QCOMPARE(ok->value, 19.5);
        for (const char* bad : {"abc", "nan", "NaN", "inf", "1e309", "", "  ", "19,5", "0x10", "99",
                                "-4", "on", "19.5abc"}) {
            auto r = commandAction(sp, bad);
            QVERIFY2(!r, bad);
            QCOMPARE(r.error().where, sp.commandTopic);
            QVERIFY(r.error().message.find("urn:x#zhsp") != std::string::npos);
        }
        PublishedPoint light = sp;
        light.role = PointRole::LightLevel;
        light.unit = "%";
        light.commandMin = 0;
        light.commandMax = 100;
        QCOMPARE(commandAction(light, "40")->kind, sim::ActionKind::Dim);
        QCOMPARE(commandAction(light, "OFF")->kind, sim::ActionKind::Switch);
        QCOMPARE(commandAction(light, "On")->value, 1.0);
        QVERIFY(!commandAction(light, "101"));
        PublishedPoint sensor = sp;
        sensor.role = PointRole::Sensor;
        sensor.commandTopic.clear();
        QVERIFY(!commandAction(sensor, "1"));
    }

    void publishesDiscoveryStatesAndObeysCommands()
    {
        TestBroker broker;
        QVERIFY2(broker.start(), qPrintable(broker.lastError()));
        auto watcher = connected(broker.url());
        QVERIFY(watcher->subscribe("twindesk/#", 1));
        QVERIFY(watcher->subscribe("homeassistant/#", 1));

        const auto config = demoConfig(3);
        auto engine = makeEngine(config);
        auto client = connected(broker.url());
        auto made = DevicePublisher::create(*config, *client);
        QVERIFY2(made, made ? "" : made.error().toString().c_str());
        auto& pub = *made;
        QCOMPARE(pub.site(), std::string("demo-office"));
        QCOMPARE(pub.points().size(), config->bindings.size());
        QVERIFY(pub.points().size() > 50);
        QVERIFY2(pub.start(), "start");

        // Discovery: one retained config per point, readable by parseDiscovery().
        std::vector<Message> all;
        auto discoveryCount = [&] {
            return std::count_if(all.begin(), all.end(), [](const Message& m) {
                return startsWith(m.topic, "homeassistant/");
            });
        };
        QVERIFY(collectUntil(*watcher, all, [&] {
            return discoveryCount() == static_cast<long>(pub.points().size());
        }));
        std::map<std::string, const PublishedPoint*> byState;
        for (const auto& p : pub.points())
            byState[p.stateTopic] = &p;
        int numbers = 0;
        int binaries = 0;
        for (const auto& m : all) {
            auto d = parseDiscovery(m.topic, m.payload);
            QVERIFY2(d, d ? "" : d.error().toString().c_str());
            QVERIFY(!d->removed());
            const auto& e = *d->entity;
            QCOMPARE(d->topic.prefix, std::string("homeassistant"));
            QCOMPARE(d->topic.nodeId, std::string("demo-office"));
            QVERIFY2(byState.count(e.stateTopic) == 1, e.stateTopic.c_str());
            const auto& p = *byState[e.stateTopic];
            QCOMPARE(e.uniqueId, "twindesk_demo-office_" + p.local);
            QCOMPARE(e.commandTopic, p.commandTopic);
            QCOMPARE(e.device.identifiers, std::vector<std::string>{"twindesk_demo-office"});
            QVERIFY2(e.warnings.empty(), e.warnings.empty() ? "" : e.warnings.front().c_str());
            if (!p.unit.empty() && e.component != "binary_sensor")
                QCOMPARE(e.twinUnit, p.unit);
            if (p.role == PointRole::Setpoint) {
                ++numbers;
                QCOMPARE(e.component, std::string("number"));
                QCOMPARE(std::string(brickClassFor(e)), std::string("Temperature_Setpoint"));
            }
            if (p.variable == sim::Variable::ZoneOccupancy) {
                ++binaries;
                QCOMPARE(e.component, std::string("binary_sensor"));
                QCOMPARE(std::string(brickClassFor(e)), std::string("Occupancy_Sensor"));
            }
            if (p.variable == sim::Variable::ZoneAirTemperature)
                QCOMPARE(std::string(brickClassFor(e)), std::string("Temperature_Sensor"));
            if (p.variable == sim::Variable::ZoneCo2)
                QCOMPARE(std::string(brickClassFor(e)), std::string("CO2_Sensor"));
        }
        QVERIFY(numbers > 0);
        QVERIFY(binaries > 0);
        all.clear();

        // Two hours: states equal the engine's samples; constant points keep a heartbeat.
        sim::TelemetryFrame frame;
        std::size_t states = 0;
        auto stepAndPublish = [&]() -> bool {
            if (engine->finished() || !engine->step())
                return false;
            engine->sample(frame);
            auto sent = pub.publish(frame);
            if (!sent)
                qWarning("%s", sent.error().toString().c_str());
            states += sent ? *sent : 0;
            return static_cast<bool>(sent);
        };
        for (int i = 0; i < 120; ++i)
            QVERIFY(stepAndPublish());
        QCOMPARE(pub.stats().failedPublishes, std::uint64_t(0));
        QCOMPARE(pub.stats().nonFinite, std::uint64_t(0));
        QCOMPARE(pub.stats().published, pub.stats().discoveryPublished + states);
        QVERIFY(pub.flush(kDeadline));
        QVERIFY(collectUntil(*watcher, all, [&] { return all.size() >= states; }));
        QCOMPARE(all.size(), states);
        std::map<std::string, std::vector<std::string>> received;
        for (const auto& m : all) {
            QVERIFY2(byState.count(m.topic) == 1, m.topic.c_str());
            QVERIFY(!m.retained);
            received[m.topic].push_back(m.payload);
        }
        QCOMPARE(received.size(), pub.points().size()); // every point at least once
        for (std::size_t i = 0; i < pub.points().size(); ++i) {
            // The last state of each point is the value the engine sampled last.
            QCOMPARE(std::stod(received[pub.points()[i].stateTopic].back()),
                     frame.samples[i].value);
        }
        // Sunday evening in Chicago: the setback setpoints stay constant, so they go out only
        // on the heartbeat (at 60 s, then every 300 s of the 7200 s: 24 times).
        const PublishedPoint* setpoint = nullptr;
        const PublishedPoint* light = nullptr;
        for (const auto& p : pub.points()) {
            if (p.role == PointRole::Setpoint && setpoint == nullptr)
                setpoint = &p;
            if (p.role == PointRole::LightLevel && light == nullptr)
                light = &p;
        }
        QVERIFY(setpoint != nullptr && light != nullptr);
        const auto& heartbeats = received[setpoint->stateTopic];
        QCOMPARE(heartbeats.size(), std::size_t(24));
        for (const auto& payload : heartbeats)
            QCOMPARE(payload, heartbeats.front());
        QVERIFY(heartbeats.front() != "19.5");

        // Commands on /set topics: applied at the next step, confirmed by the next state.
        all.clear();
        QVERIFY(watcher->publish(setpoint->commandTopic, "19.5", 1, false));
        QVERIFY(watcher->publish(light->commandTopic, "40", 1, false));
        std::size_t applied = 0;
        QVERIFY(waitFor([&] {
            applied += pub.applyCommands(*engine);
            return applied == 2;
        }));
        QCOMPARE(pub.stats().commandsApplied, std::uint64_t(2));
        QCOMPARE(pub.stats().commandsRejected, std::uint64_t(0));
        QVERIFY(stepAndPublish());
        QCOMPARE(sampled(*engine, setpoint->point), 19.5);
        QCOMPARE(sampled(*engine, light->point), 40.0);
        auto lastOn = [&](const std::string& topic) {
            std::string last;
            for (const auto& m : all)
                if (m.topic == topic)
                    last = m.payload;
            return last;
        };
        QVERIFY(collectUntil(*watcher, all, [&] {
            return lastOn(setpoint->stateTopic) == "19.5" && lastOn(light->stateTopic) == "40";
        }));

        // Garbage commands are counted and change nothing.
        for (const char* garbage : {"abc", "nan", "1e309", "99", ""})
            QVERIFY(watcher->publish(setpoint->commandTopic, garbage, 1, false));
        QVERIFY(watcher->publish("twindesk/demo-office/no_such_point/set", "20", 1, false));
        QVERIFY(waitFor([&] {
            pub.applyCommands(*engine);
            return pub.stats().commandsRejected == 6;
        }));
        QCOMPARE(pub.stats().commandsApplied, std::uint64_t(2));
        QVERIFY(pub.stats().lastRejection.find("no_such_point") != std::string::npos);
        for (int i = 0; i < 5; ++i)
            QVERIFY(stepAndPublish());
        QCOMPARE(sampled(*engine, setpoint->point), 19.5);
        QCOMPARE(pub.stats().failedPublishes, std::uint64_t(0));
        client->disconnect();
    }

    void topicMapRoundTrip()
    {
        // No broker: the map needs no network.
        const auto config = demoConfig(1);
        ClientOptions co;
        co.broker = *parseBrokerUrl("mqtt://127.0.0.1:1");
        auto client = MqttClient::create(co);
        QVERIFY(client);
        DevicePublisherOptions o;
        o.realtimeFactor = 60.0; // 300 s heartbeat = 5 wall seconds → interval_s 15
        auto pub = DevicePublisher::create(*config, **client, o);
        QVERIFY(pub);
        QCOMPARE(pub->mapInterval(), sim::Seconds(15));
        auto map = TopicMap::parse(pub->topicMapJson(), "map.json");
        QVERIFY2(map, map ? "" : map.error().toString().c_str());
        QCOMPARE(map->size(), pub->points().size());
        for (const auto& p : pub->points()) {
            const auto m = map->match(p.stateTopic);
            QVERIFY2(m, p.stateTopic.c_str());
            QCOMPARE(m->point, p.point);
            QCOMPARE(m->binding->interval, sim::Seconds(15));
            QCOMPARE(m->binding->unit, p.unit);
            if (p.commandTopic.empty())
                QVERIFY(!map->commandTopicFor(p.point));
            else
                QCOMPARE(*map->commandTopicFor(p.point), p.commandTopic);
        }
        QTemporaryDir dir;
        const auto file = std::filesystem::path(dir.path().toStdString()) / "map.json";
        QVERIFY(pub->writeTopicMap(file));
        auto loaded = TopicMap::load(file);
        QVERIFY2(loaded, loaded ? "" : loaded.error().toString().c_str());
        QCOMPARE(loaded->size(), pub->points().size());
        QVERIFY(!pub->writeTopicMap(file.parent_path() / "missing" / "map.json"));
        // Unpaced: a generous interval; a bad factor is refused.
        auto unpaced = DevicePublisher::create(*config, **client);
        QCOMPARE(unpaced->mapInterval(), kUnpacedMapInterval);
        o.realtimeFactor = 0.0;
        QVERIFY(!DevicePublisher::create(*config, **client, o));
    }

    void publishingDoesNotChangeTheSimulation()
    {
        TestBroker broker;
        QVERIFY2(broker.start(), qPrintable(broker.lastError()));
        const auto config = demoConfig(1);
        auto plain = makeEngine(config);
        QVERIFY(plain->run());
        auto engine = makeEngine(config);
        auto client = connected(broker.url());
        auto pub = DevicePublisher::create(*config, *client);
        QVERIFY(pub);
        QVERIFY(pub->start());
        sim::TelemetryFrame frame;
        while (!engine->finished()) {
            QCOMPARE(pub->applyCommands(*engine), std::size_t(0));
            QVERIFY(engine->step());
            engine->sample(frame);
            QVERIFY(pub->publish(frame));
        }
        QVERIFY(pub->stats().published > pub->points().size());
        QCOMPARE(engine->stateHash(), plain->stateHash());
        client->disconnect();
    }
};

TWINDESK_TEST(TestDevicePublisher)
#include "tst_device_publisher.moc"
