// MqttClient against a real mosquitto broker (tests/live/broker.h): URLs and credentials,
// round trips, retained and wildcard subscriptions, failures (broker down, not authorised, TLS),
// reconnection after a broker restart and a burst of 20 000 messages. No timing assertions:
// every wait is a generous deadline only.
#include "broker.h"
#include "test_registry.h"

#include <twindesk/live/mqtt_client.h>

#include <QElapsedTimer>
#include <QFile>

#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace twindesk::live;
using twindesk::test::TestBroker;
using twindesk::test::TestBrokerOptions;
using namespace std::chrono_literals;

namespace {

constexpr auto kConnectTimeout = 10s;
constexpr auto kDeadline = 30s;

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

/// Sets (or unsets) an environment variable for one scope.
class EnvGuard
{
public:
    EnvGuard(const char* name, const std::optional<QByteArray>& value) : m_name(name)
    {
        if (qEnvironmentVariableIsSet(name))
            m_old = qgetenv(name);
        if (value)
            qputenv(name, *value);
        else
            qunsetenv(name);
    }
    ~EnvGuard()
    {
        if (m_old)
            qputenv(m_name, *m_old);
        else
            qunsetenv(m_name);
    }
    EnvGuard(const EnvGuard&) = delete;
    EnvGuard& operator=(const EnvGuard&) = delete;
    EnvGuard(EnvGuard&&) = delete;
    EnvGuard& operator=(EnvGuard&&) = delete;

private:
    const char* m_name;
    std::optional<QByteArray> m_old;
};

ClientOptions optionsFor(const std::string& url)
{
    ClientOptions o;
    auto parsed = parseBrokerUrl(url);
    if (parsed)
        o.broker = *parsed;
    o.reconnectMin = 1s;
    o.reconnectMax = 2s;
    return o;
}

/// Drains until `count` messages arrived or the deadline passed.
std::vector<Message> receive(MqttClient& client, std::size_t count,
                             std::chrono::steady_clock::duration deadline = kDeadline)
{
    std::vector<Message> all;
    std::vector<Message> batch;
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (all.size() < count && std::chrono::steady_clock::now() < end) {
        batch.clear();
        client.drain(batch, count - all.size(), 100ms);
        std::move(batch.begin(), batch.end(), std::back_inserter(all));
    }
    return all;
}

/// Topics received until `last` arrived (or the deadline passed), without probe messages.
std::vector<std::string> topicsUntil(MqttClient& client, const std::string& last)
{
    std::vector<std::string> topics;
    std::vector<Message> batch;
    const auto end = std::chrono::steady_clock::now() + kDeadline;
    while ((topics.empty() || topics.back() != last) && std::chrono::steady_clock::now() < end) {
        batch.clear();
        client.drain(batch, 1, 100ms);
        for (const auto& m : batch)
            if (!contains(m.topic, "probe"))
                topics.push_back(m.topic);
    }
    return topics;
}

/// Waits until `done()` or the deadline; returns done().
bool waitFor(const std::function<bool()>& done,
             std::chrono::steady_clock::duration deadline = kDeadline)
{
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (!done() && std::chrono::steady_clock::now() < end)
        std::this_thread::sleep_for(20ms);
    return done();
}

/// Collects acknowledged ids until all of `mids` are in.
bool waitForAcks(MqttClient& client, const std::vector<int>& mids)
{
    std::set<int> acked;
    return waitFor([&] {
        for (const int mid : client.takeAcknowledged())
            acked.insert(mid);
        return std::all_of(mids.begin(), mids.end(),
                           [&](int mid) { return acked.count(mid) != 0; });
    });
}

QString text(const twindesk::twin::Error& e)
{
    return QString::fromStdString(e.toString());
}

} // namespace

class TestMqttClient : public QObject
{
    Q_OBJECT

    /// A client for `url` (options adjusted by `tweak`), not yet connected.
    static std::unique_ptr<MqttClient>
    makeClient(const std::string& url, const std::function<void(ClientOptions&)>& tweak = {})
    {
        ClientOptions o = optionsFor(url);
        if (tweak)
            tweak(o);
        auto client = MqttClient::create(std::move(o));
        if (!client) {
            qWarning("MqttClient::create failed: %s", client.error().toString().c_str());
            return nullptr;
        }
        return std::move(client).value();
    }

private Q_SLOTS:
    void parsesGoodUrls()
    {
        auto plain = parseBrokerUrl("mqtt://localhost");
        QVERIFY(plain.ok());
        QCOMPARE(plain->host, std::string("localhost"));
        QCOMPARE(plain->port, 1883);
        QVERIFY(!plain->tls);
        QVERIFY(plain->username.empty());

        auto tls = parseBrokerUrl("mqtts://broker.example.org");
        QVERIFY(tls.ok());
        QVERIFY(tls->tls);
        QCOMPARE(tls->port, 8883);

        auto full = parseBrokerUrl("mqtts://alice@10.0.0.5:8884/");
        QVERIFY(full.ok());
        QCOMPARE(full->username, std::string("alice"));
        QCOMPARE(full->host, std::string("10.0.0.5"));
        QCOMPARE(full->port, 8884);

        auto v6 = parseBrokerUrl("MQTT://[::1]:1999");
        QVERIFY(v6.ok());
        QCOMPARE(v6->host, std::string("::1"));
        QCOMPARE(v6->port, 1999);
        QVERIFY(!v6->tls);
    }

    void refusesBadUrls()
    {
        for (const char* bad :
             {"localhost:1883", "http://localhost", "mqtt://", "mqtt://:1883", "mqtt://h:0",
              "mqtt://h:65536", "mqtt://h:12ab", "mqtt://h:", "mqtt://h/some/topic", "mqtt://@h",
              "mqtt://::1:1883", "mqtt://[::1", "mqtt://bad host"}) {
            auto r = parseBrokerUrl(bad);
            QVERIFY2(!r.ok(), bad);
            QVERIFY2(!r.error().message.empty(), bad);
        }
        // The message says what is expected.
        auto r = parseBrokerUrl("tcp://h");
        QVERIFY(!r.ok());
        QVERIFY2(contains(r.error().message, "mqtt://"), r.error().toString().c_str());
    }

    void refusesPasswordInUrl()
    {
        auto r = parseBrokerUrl("mqtt://alice:hunter2@broker.local:1883");
        QVERIFY(!r.ok());
        const std::string all = r.error().toString();
        QVERIFY2(!contains(all, "hunter2"), all.c_str()); // never repeat the secret
        QVERIFY2(contains(all, "TWINDESK_MQTT_PASSWORD"), all.c_str());
        QVERIFY2(contains(all, "password file"), all.c_str());
        QVERIFY2(contains(all, "broker.local"), all.c_str());
        // Also with an empty user or an empty password.
        QVERIFY(!parseBrokerUrl("mqtts://:hunter2@h").ok());
        QVERIFY(!parseBrokerUrl("mqtt://alice:@h").ok());
    }

    void describeHidesNothingSecret()
    {
        QCOMPARE(describe(*parseBrokerUrl("mqtts://alice@h.example:8884")),
                 std::string("mqtts://alice@h.example:8884"));
        QCOMPARE(describe(*parseBrokerUrl("mqtt://h")), std::string("mqtt://h:1883"));
        QCOMPARE(describe(*parseBrokerUrl("mqtt://[::1]")), std::string("mqtt://[::1]:1883"));
        // The password from the environment appears nowhere in what the client reports.
        EnvGuard env(kPasswordEnvVar, QByteArray("s3cr3t-from-env"));
        auto client =
            makeClient("mqtt://alice@127.0.0.1:" + std::to_string(TestBroker::freePort()));
        QVERIFY(client);
        QVERIFY(!contains(describe(client->broker()), "s3cr3t"));
        auto status = client->connect(2s); // nobody listens
        QVERIFY(!status.ok());
        QVERIFY2(!contains(status.error().toString(), "s3cr3t"), status.error().toString().c_str());
    }

    void createRejectsBadOptions()
    {
        QVERIFY(!MqttClient::create(ClientOptions{}).ok()); // no host
        auto o = optionsFor("mqtt://h");
        o.cleanSession = false; // persistent session without a client id
        QVERIFY(!MqttClient::create(o).ok());
        o = optionsFor("mqtt://h");
        o.caFile = "/tmp/ca.crt"; // TLS file on a plain URL
        auto tlsOnPlain = MqttClient::create(o);
        QVERIFY(!tlsOnPlain.ok());
        QVERIFY(contains(tlsOnPlain.error().message, "mqtts://"));
        o = optionsFor("mqtt://h");
        o.keepaliveS = 1;
        QVERIFY(!MqttClient::create(o).ok());
        o = optionsFor("mqtts://h");
        o.certFile = "/tmp/client.crt"; // without keyFile
        QVERIFY(!MqttClient::create(o).ok());
        o = optionsFor("mqtt://h");
        o.reconnectMin = 10s;
        o.reconnectMax = 5s;
        QVERIFY(!MqttClient::create(o).ok());
    }

    void roundTripQos0AndQos1()
    {
        TestBroker broker;
        QVERIFY2(broker.start(), qPrintable(broker.lastError()));
        auto client = makeClient(broker.url());
        QVERIFY(client);
        QCOMPARE(client->state(), ConnectionState::Disconnected);
        auto connected = client->connect(kConnectTimeout);
        QVERIFY2(connected.ok(), connected.ok() ? "" : qPrintable(text(connected.error())));
        QCOMPARE(client->state(), ConnectionState::Connected);
        QCOMPARE(client->connects(), std::uint64_t(1));
        auto sub = client->subscribe("twin/test/#", 1);
        QVERIFY2(sub.ok(), sub.ok() ? "" : qPrintable(text(sub.error())));

        auto mid0 = client->publish("twin/test/qos0", "hello", 0, false);
        QVERIFY(mid0.ok());
        auto mid1 = client->publish("twin/test/qos1", std::string("wor\0ld", 6), 1, false);
        QVERIFY(mid1.ok());
        QVERIFY(*mid0 != *mid1);

        const auto messages = receive(*client, 2);
        QCOMPARE(messages.size(), std::size_t(2));
        QCOMPARE(messages[0].topic, std::string("twin/test/qos0"));
        QCOMPARE(messages[0].payload, std::string("hello"));
        QVERIFY(!messages[0].retained);
        QVERIFY(messages[0].receivedNs > 0);
        QCOMPARE(messages[1].topic, std::string("twin/test/qos1"));
        QCOMPARE(messages[1].payload, std::string("wor\0ld", 6)); // binary-safe
        QVERIFY(messages[1].receivedNs >= messages[0].receivedNs);
        QVERIFY(waitForAcks(*client, {*mid0, *mid1}));
        QCOMPARE(client->received(), std::uint64_t(2));
        QCOMPARE(client->dropped(), std::uint64_t(0));

        // Bad arguments fail clearly and send nothing.
        QVERIFY(!client->publish("twin/+/x", "p", 0, false).ok());
        QVERIFY(!client->publish("twin/x", "p", 3, false).ok());
        QVERIFY(!client->subscribe("twin/#/x", 0).ok());

        client->disconnect();
        QCOMPARE(client->state(), ConnectionState::Disconnected);
        const auto events = client->takeEvents();
        QCOMPARE(events.size(), std::size_t(2));
        QCOMPARE(events[0].kind, ConnectionEventKind::Connected);
        QCOMPARE(events[1].kind, ConnectionEventKind::Disconnected);
        QVERIFY(events[1].steadyNs >= events[0].steadyNs);
        auto afterDisconnect = client->publish("twin/test/late", "x", 1, false);
        QVERIFY(!afterDisconnect.ok());
        QVERIFY2(contains(afterDisconnect.error().message, "not connected"),
                 qPrintable(text(afterDisconnect.error())));
    }

    void retainedMessageSeenByLaterSubscriber()
    {
        TestBroker broker;
        QVERIFY2(broker.start(), qPrintable(broker.lastError()));
        auto writer = makeClient(broker.url());
        QVERIFY(writer);
        QVERIFY(writer->connect(kConnectTimeout).ok());
        auto mid = writer->publish("site/ahu1/mode", "occupied", 1, true);
        QVERIFY(mid.ok());
        QVERIFY(waitForAcks(*writer, {*mid})); // the broker holds it now

        auto reader = makeClient(broker.url());
        QVERIFY(reader);
        QVERIFY(reader->connect(kConnectTimeout).ok());
        QVERIFY(reader->subscribe("site/+/mode", 1).ok());
        const auto messages = receive(*reader, 1);
        QCOMPARE(messages.size(), std::size_t(1));
        QCOMPARE(messages[0].topic, std::string("site/ahu1/mode"));
        QCOMPARE(messages[0].payload, std::string("occupied"));
        QVERIFY(messages[0].retained);
    }

    void wildcardSubscriptions()
    {
        TestBroker broker;
        QVERIFY2(broker.start(), qPrintable(broker.lastError()));
        auto plus = makeClient(broker.url());
        auto hash = makeClient(broker.url());
        auto writer = makeClient(broker.url());
        QVERIFY(plus && hash && writer);
        // Subscribing before connecting records the subscription; it is made at connect.
        QVERIFY(plus->subscribe("site/+/temp", 0).ok());
        QVERIFY(plus->connect(kConnectTimeout).ok());
        QVERIFY(hash->connect(kConnectTimeout).ok());
        QVERIFY(hash->subscribe("site/#", 0).ok());
        QVERIFY(writer->connect(kConnectTimeout).ok());
        // plus's subscription was sent at connect: publish probes until it takes effect.
        std::vector<Message> first;
        QVERIFY(waitFor([&] {
            (void)writer->publish("site/probe/temp", "p", 0, false);
            return plus->drain(first, 1, 100ms) == 1;
        }));

        for (const char* topic :
             {"site/a/temp", "site/b/humidity", "site/c/temp", "site/c/d/temp", "site/end/temp"})
            QVERIFY(writer->publish(topic, topic, 0, false).ok());

        // One publisher, one subscriber: the broker keeps the order, so once "end" arrived
        // everything that was going to arrive before it did. Late probes are left out.
        QCOMPARE(topicsUntil(*plus, "site/end/temp"),
                 std::vector<std::string>({"site/a/temp", "site/c/temp", "site/end/temp"}));
        QCOMPARE(topicsUntil(*hash, "site/end/temp"),
                 std::vector<std::string>({"site/a/temp", "site/b/humidity", "site/c/temp",
                                           "site/c/d/temp", "site/end/temp"}));
    }

    void brokerDownAtConnect()
    {
        const int port = TestBroker::freePort(); // nobody listens there
        QVERIFY(port > 0);
        const std::string url = "mqtt://127.0.0.1:" + std::to_string(port);
        auto client = makeClient(url);
        QVERIFY(client);
        auto status = client->connect(5s);
        QVERIFY(!status.ok());
        const std::string message = status.error().toString();
        QVERIFY2(contains(message, "127.0.0.1:" + std::to_string(port)), message.c_str());
        QVERIFY2(contains(message, "refused"), message.c_str());
        QCOMPARE(client->state(), ConnectionState::Disconnected);
        QCOMPARE(client->connects(), std::uint64_t(0));
        auto publish = client->publish("a/b", "x", 0, false);
        QVERIFY(!publish.ok());
        QVERIFY2(contains(publish.error().message, "not connected"),
                 publish.error().toString().c_str());
        client->disconnect(); // harmless when not connected
    }

    void wrongPasswordIsNotAuthorised()
    {
        TestBroker broker(TestBrokerOptions{.auth = TestBroker::Auth::PasswordFile});
        QVERIFY2(broker.start(), qPrintable(broker.lastError()));

        EnvGuard env(kPasswordEnvVar, QByteArray("not-the-password"));
        auto client = makeClient(broker.urlWithUser());
        QVERIFY(client);
        auto status = client->connect(kConnectTimeout);
        QVERIFY(!status.ok());
        const std::string message = status.error().toString();
        QVERIFY2(contains(message, "not authorised"), message.c_str());
        QVERIFY2(contains(message, broker.url().substr(7)), message.c_str()); // host:port
        QVERIFY2(!contains(message, "not-the-password"), message.c_str());
        QCOMPARE(client->state(), ConnectionState::Disconnected);

        // No credentials at all: not authorised either.
        auto anonymous = makeClient(broker.url());
        QVERIFY(anonymous);
        auto anon = anonymous->connect(kConnectTimeout);
        QVERIFY(!anon.ok());
        QVERIFY2(contains(anon.error().message, "not authorised"), anon.error().toString().c_str());
    }

    void passwordFromEnvironment()
    {
        TestBroker broker(TestBrokerOptions{.auth = TestBroker::Auth::PasswordFile});
        QVERIFY2(broker.start(), qPrintable(broker.lastError()));
        EnvGuard env(kPasswordEnvVar, broker.options().password.toUtf8());
        auto client = makeClient(broker.urlWithUser());
        QVERIFY(client);
        auto status = client->connect(kConnectTimeout);
        QVERIFY2(status.ok(), status.ok() ? "" : qPrintable(text(status.error())));
        QVERIFY(client->subscribe("auth/#", 1).ok());
        QVERIFY(client->publish("auth/ok", "1", 1, false).ok());
        QCOMPARE(receive(*client, 1).size(), std::size_t(1));

        // The user may also come from the options instead of the URL.
        auto byOption = makeClient(broker.url(), [&](ClientOptions& o) {
            o.username = broker.options().user.toStdString();
        });
        QVERIFY(byOption);
        QVERIFY(byOption->connect(kConnectTimeout).ok());
    }

    void passwordFromFile()
    {
        TestBroker broker(TestBrokerOptions{.auth = TestBroker::Auth::PasswordFile});
        QVERIFY2(broker.start(), qPrintable(broker.lastError()));
        const QString file = QString::fromStdString(broker.directory()) + "/client-password";
        {
            QFile out(file);
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(broker.options().password.toUtf8() + "\n");
        }
        // A wrong password in the environment: the file takes precedence.
        EnvGuard env(kPasswordEnvVar, QByteArray("wrong"));
        auto client = makeClient(broker.urlWithUser(),
                                 [&](ClientOptions& o) { o.passwordFile = file.toStdString(); });
        QVERIFY(client);
        auto status = client->connect(kConnectTimeout);
        QVERIFY2(status.ok(), status.ok() ? "" : qPrintable(text(status.error())));

        // A missing password file is named in the error.
        auto missing = makeClient(broker.urlWithUser(), [&](ClientOptions& o) {
            o.passwordFile = broker.directory() + "/no-such-file";
        });
        QVERIFY(missing);
        auto failed = missing->connect(kConnectTimeout);
        QVERIFY(!failed.ok());
        QVERIFY2(contains(failed.error().toString(), "no-such-file"),
                 failed.error().toString().c_str());
    }

    void tlsWithCaFileRoundTrips()
    {
        TestBroker broker(TestBrokerOptions{.transport = TestBroker::Transport::Tls});
        QVERIFY2(broker.start(), qPrintable(broker.lastError()));
        auto client =
            makeClient(broker.url(), [&](ClientOptions& o) { o.caFile = broker.caFile(); });
        QVERIFY(client);
        auto status = client->connect(kConnectTimeout);
        QVERIFY2(status.ok(),
                 status.ok() ? "" : qPrintable(text(status.error()) + "\n" + broker.logTail()));
        QVERIFY(client->subscribe("secure/#", 1).ok());
        auto mid = client->publish("secure/x", "over TLS", 1, false);
        QVERIFY(mid.ok());
        const auto messages = receive(*client, 1);
        QCOMPARE(messages.size(), std::size_t(1));
        QCOMPARE(messages[0].payload, std::string("over TLS"));
        QVERIFY(waitForAcks(*client, {*mid}));
    }

    void tlsWithoutTheRightCaFails()
    {
        TestBroker broker(TestBrokerOptions{.transport = TestBroker::Transport::Tls});
        QVERIFY2(broker.start(), qPrintable(broker.lastError()));
        // No CA file: the system store does not know the test CA. A wrong CA: no better.
        for (const std::string& ca : {std::string(), broker.otherCaFile()}) {
            auto client = makeClient(broker.url(), [&](ClientOptions& o) { o.caFile = ca; });
            QVERIFY(client);
            auto status = client->connect(kConnectTimeout);
            QVERIFY(!status.ok());
            const std::string message = status.error().toString();
            QVERIFY2(contains(message, "TLS"), message.c_str());
            QVERIFY2(contains(message, "certificate"), message.c_str());
            QVERIFY2(contains(message, broker.url().substr(8)), message.c_str()); // host:port
            QCOMPARE(client->state(), ConnectionState::Disconnected);
        }
        // A plain client on the TLS port does not get in either.
        auto plain = makeClient("mqtt://127.0.0.1:" + std::to_string(broker.port()));
        QVERIFY(plain);
        QVERIFY(!plain->connect(kConnectTimeout).ok());
    }

    void reconnectsAfterBrokerRestart()
    {
        TestBroker broker;
        QVERIFY2(broker.start(), qPrintable(broker.lastError()));
        auto client = makeClient(broker.url());
        QVERIFY(client);
        QVERIFY(client->connect(kConnectTimeout).ok());
        QVERIFY(client->subscribe("plant/#", 1).ok());

        broker.stop();
        QVERIFY2(waitFor([&] { return client->state() != ConnectionState::Connected; }),
                 "the client did not notice that the broker stopped");
        QCOMPARE(client->state(), ConnectionState::Connecting); // trying again by itself
        QVERIFY(!client->publish("plant/x", "lost", 1, false).ok());
        QVERIFY2(broker.restart(), qPrintable(broker.lastError()));
        QVERIFY2(waitFor([&] { return client->connects() >= 2; }),
                 qPrintable(QStringLiteral("no reconnect; state %1\n%2")
                                .arg(connectionStateName(client->state()), broker.logTail())));
        QCOMPARE(client->state(), ConnectionState::Connected);

        // Published after the restart by another client: arrives only through the renewed
        // subscription (retained, so it also arrives if the renewal lands after the publish).
        auto writer = makeClient(broker.url());
        QVERIFY(writer);
        QVERIFY(writer->connect(kConnectTimeout).ok());
        auto mid = writer->publish("plant/after-restart", "back", 1, true);
        QVERIFY(mid.ok());
        const auto messages = receive(*client, 1);
        QCOMPARE(messages.size(), std::size_t(1));
        QCOMPARE(messages[0].topic, std::string("plant/after-restart"));
        QCOMPARE(messages[0].payload, std::string("back"));

        const auto events = client->takeEvents();
        const auto kindAt = [&](ConnectionEventKind kind, std::size_t from) {
            for (std::size_t i = from; i < events.size(); ++i)
                if (events[i].kind == kind)
                    return i;
            return events.size();
        };
        const std::size_t firstConnect = kindAt(ConnectionEventKind::Connected, 0);
        const std::size_t loss = kindAt(ConnectionEventKind::Disconnected, firstConnect);
        const std::size_t again = kindAt(ConnectionEventKind::Connected, loss);
        QVERIFY(firstConnect < events.size());
        QVERIFY2(loss < events.size(), "no Disconnected event after the first connect");
        QVERIFY2(again < events.size(), "no Connected event after the loss");
        QVERIFY(events[again].wallTime >= events[loss].wallTime ||
                events[again].steadyNs >= events[loss].steadyNs);
        QCOMPARE(client->disconnects(), std::uint64_t(1));
    }

    void disconnectWhileBrokerIsGone()
    {
        TestBroker broker;
        QVERIFY2(broker.start(), qPrintable(broker.lastError()));
        auto client = makeClient(broker.url());
        QVERIFY(client);
        QVERIFY(client->connect(kConnectTimeout).ok());
        broker.stop();
        QVERIFY(waitFor([&] { return client->state() != ConnectionState::Connected; }));
        client->disconnect(); // must return, with the thread stopped
        QCOMPARE(client->state(), ConnectionState::Disconnected);
        // Connected again later, on a new broker (other port): a fresh connect works.
        TestBroker other;
        QVERIFY2(other.start(), qPrintable(other.lastError()));
        auto second = makeClient(other.url());
        QVERIFY(second);
        QVERIFY(second->connect(kConnectTimeout).ok());
        other.stop();
        second.reset(); // the destructor copes with a vanished broker too
    }

    void fullQueueDropsAndCounts()
    {
        constexpr int kSent = 1000;
        constexpr std::size_t kBound = 100;
        TestBroker broker;
        QVERIFY2(broker.start(), qPrintable(broker.lastError()));
        auto reader =
            makeClient(broker.url(), [](ClientOptions& o) { o.maxQueuedMessages = kBound; });
        auto writer = makeClient(broker.url());
        QVERIFY(reader && writer);
        QVERIFY(reader->connect(kConnectTimeout).ok());
        QVERIFY(reader->subscribe("bound/#", 0).ok());
        QVERIFY(writer->connect(kConnectTimeout).ok());
        for (int i = 0; i < kSent; ++i)
            QVERIFY(writer->publish("bound/x", std::to_string(i), 0, false).ok());
        // Nobody drains meanwhile: the network thread keeps going and counts what it drops.
        QVERIFY2(waitFor([&] { return reader->received() == std::uint64_t(kSent); }),
                 qPrintable(QStringLiteral("received %1").arg(reader->received())));
        QCOMPARE(reader->dropped(), std::uint64_t(kSent - kBound));
        std::vector<Message> out;
        QCOMPARE(reader->drain(out, 10, 0ms), std::size_t(10)); // partial: keeps the rest
        QCOMPARE(reader->drain(out, 1000, 0ms), kBound - 10);
        QCOMPARE(out.size(), kBound);
        QCOMPARE(out.front().payload, std::string("0")); // the oldest are kept
        QCOMPARE(out.back().payload, std::to_string(kBound - 1));
        QCOMPARE(reader->drain(out, 1000, 0ms), std::size_t(0));
    }

    void burstIsReceivedCompletely()
    {
        constexpr int kCount = 20'000;
        TestBroker broker;
        QVERIFY2(broker.start(), qPrintable(broker.lastError()));
        auto reader = makeClient(broker.url());
        auto writer = makeClient(broker.url());
        QVERIFY(reader && writer);
        QVERIFY(reader->connect(kConnectTimeout).ok());
        QVERIFY(reader->subscribe("burst/#", 0).ok());
        QVERIFY(writer->connect(kConnectTimeout).ok());

        QElapsedTimer timer;
        timer.start();
        std::vector<int> mids;
        mids.reserve(kCount);
        for (int i = 0; i < kCount; ++i) {
            auto mid =
                writer->publish("burst/p" + std::to_string(i % 50), std::to_string(i), 0, false);
            QVERIFY2(mid.ok(), mid.ok() ? "" : qPrintable(text(mid.error())));
            mids.push_back(*mid);
        }
        const auto messages = receive(*reader, kCount, 120s);
        const qint64 elapsedMs = timer.elapsed();
        QCOMPARE(messages.size(), std::size_t(kCount));
        QCOMPARE(reader->dropped(), std::uint64_t(0));
        std::vector<bool> seen(kCount, false);
        for (const auto& m : messages) {
            const int i = std::stoi(m.payload);
            QVERIFY(i >= 0 && i < kCount && !seen[static_cast<std::size_t>(i)]);
            seen[static_cast<std::size_t>(i)] = true;
        }
        QVERIFY(waitForAcks(*writer, mids)); // QoS 0: every message was written out
        qInfo("burst: %d QoS 0 messages received in %lld ms (%.0f msg/s, informational)", kCount,
              static_cast<long long>(elapsedMs),
              elapsedMs > 0 ? 1000.0 * kCount / static_cast<double>(elapsedMs) : 0.0);
    }
};

TWINDESK_TEST(TestMqttClient)
#include "tst_mqtt_client.moc"
