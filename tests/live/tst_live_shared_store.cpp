// Two live loops and a console on one shared PostgreSQL store: each loop (its own LiveSource,
// MQTT client and store connection, on its own thread) ingests its site's telemetry from a real
// mosquitto into the shared historian while a console's connection reads it. Nothing is lost:
// every accepted message is a stored row, and the console sees the sum. Real mosquitto, real
// PostgreSQL (tests/live/broker.h, tests/common/postgres_server.h); no timing assertions.
#include "broker.h"
#include "postgres_server.h"
#include "test_registry.h"

#include <twindesk/live/live_source.h>
#include <twindesk/live/mqtt_client.h>
#include <twindesk/live/topic_map.h>
#include <twindesk/twin/pg_store.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

using namespace twindesk;
using namespace twindesk::live;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<MqttClient> connectedClient(const std::string& url)
{
    auto parsed = parseBrokerUrl(url);
    if (!parsed)
        return nullptr;
    ClientOptions o;
    o.broker = *parsed;
    auto c = MqttClient::create(o);
    if (!c || !(*c)->connect(10s))
        return nullptr;
    return std::move(c).value();
}

TopicMap siteMap(const std::string& site)
{
    auto m = TopicMap::parse(R"({"points": [{"topic": ")" + site + R"(/+/zat", "point": "urn:)" +
                                 site + R"(#room_{1}_zat"}]})",
                             site + ".json");
    if (!m)
        qFatal("%s", m.error().toString().c_str());
    return std::move(m).value();
}

} // namespace

class TestLiveSharedStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void twoLoopsAndAConsoleLoseNothing()
    {
        constexpr int kRooms = 10;
        constexpr int kRounds = 50;
        constexpr std::uint64_t kPerSite = kRooms * kRounds;
        test::TestBroker broker;
        QVERIFY2(broker.start(), qPrintable(broker.lastError()));
        test::TestPostgres pg;
        QVERIFY2(pg.start(), qPrintable(pg.lastError()));
        const auto url = pg.createDatabase(QStringLiteral("shared"));
        QVERIFY2(!url.empty(), qPrintable(pg.lastError()));

        struct Loop
        {
            std::string site;
            TopicMap map;
            std::unique_ptr<MqttClient> client;
            std::unique_ptr<twin::PgStore> store;
            std::unique_ptr<LiveSource> source;
            std::string error;
        };
        std::vector<std::unique_ptr<Loop>> loops;
        for (const char* site : {"north", "south"}) {
            auto loop = std::make_unique<Loop>(Loop{site, siteMap(site), nullptr, nullptr,
                                                    nullptr, {}});
            loop->client = connectedClient(broker.url());
            QVERIFY(loop->client);
            auto store = twin::PgStore::connect(url);
            QVERIFY2(store.ok(), store ? "" : store.error().toString().c_str());
            loop->store = std::make_unique<twin::PgStore>(std::move(store).value());
            LiveSourceOptions options;
            options.frameInterval = 200ms;
            options.historianBatch = 64; // many small transactions, interleaved
            loop->source = std::make_unique<LiveSource>(*loop->client, loop->map,
                                                        loop->store.get(), nullptr, options);
            QVERIFY(loop->source->subscribe().ok());
            loops.push_back(std::move(loop));
        }
        auto console = twin::PgStore::connect(url);
        QVERIFY(console.ok());

        auto run = [](Loop* loop) {
            sim::TelemetryFrame frame;
            const auto end = std::chrono::steady_clock::now() + 60s; // a deadline, not a test
            while (loop->source->counters().messages < kPerSite &&
                   std::chrono::steady_clock::now() < end) {
                auto more = loop->source->next(frame);
                if (!more) {
                    loop->error = more.error().toString();
                    return;
                }
            }
            if (auto s = loop->source->flush(); !s)
                loop->error = s.error().toString();
        };
        std::atomic<bool> running{true};
        std::vector<std::int64_t> seen;
        std::string consoleError;
        std::thread reader([&] {
            while (running.load()) {
                auto n = console->sampleCount();
                if (!n) {
                    consoleError = n.error().toString();
                    return;
                }
                seen.push_back(*n);
                std::this_thread::sleep_for(5ms);
            }
        });
        std::thread north(run, loops[0].get());
        std::thread south(run, loops[1].get());

        auto publisher = connectedClient(broker.url());
        QVERIFY(publisher);
        for (int r = 0; r < kRounds; ++r)
            for (const auto& loop : loops)
                for (int room = 0; room < kRooms; ++room)
                    QVERIFY(publisher
                                ->publish(loop->site + "/" + std::to_string(room) + "/zat",
                                          std::to_string(20 + r % 5), 1, false)
                                .ok());
        north.join();
        south.join();
        running = false;
        reader.join();

        for (const auto& loop : loops) {
            QVERIFY2(loop->error.empty(), loop->error.c_str());
            QCOMPARE(loop->source->counters().messages, kPerSite);
            QCOMPARE(loop->source->counters().stored, loop->source->counters().accepted);
        }
        QVERIFY2(consoleError.empty(), consoleError.c_str());
        // Every accepted message of both loops is one row the console reads.
        const auto stored = loops[0]->source->counters().stored + loops[1]->source->counters().stored;
        QVERIFY(stored > 0);
        QCOMPARE(console->sampleCount().value(), static_cast<std::int64_t>(stored));
        QVERIFY(std::is_sorted(seen.begin(), seen.end())); // the count never went down
        const auto latest = console->latestSamples(std::int64_t{1} << 62);
        QVERIFY(latest.ok());
        QCOMPARE(latest->size(), std::size_t{2 * kRooms}); // every room of both sites
    }
};

TWINDESK_TEST(TestLiveSharedStore)
#include "tst_live_shared_store.moc"
