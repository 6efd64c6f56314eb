// The console's live connection (issue #8 §8) against a real mosquitto on 127.0.0.1: connect
// from the view model, the loop's state and counters arriving after every frame, the project
// receiving the connection's events, a clean disconnect; a broker that is down, a second
// connect while connected and no project give errors that say what to do.
#include "test_registry.h"

#include "../live/broker.h"
#include "cli.h"
#include "live_controller.h"
#include "live_events_model.h"

#include <QSignalSpy>
#include <QTemporaryDir>

#include <twindesk/live/mqtt_client.h>

#include <chrono>
#include <fstream>
#include <sstream>

using twindesk::app::LiveController;
using twindesk::app::LiveEventsModel;
using twindesk::test::TestBroker;
using namespace std::chrono_literals;

class TestLiveController : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_project;
    [[nodiscard]] QString path(const char* name) const { return m_dir.filePath(name); }

private Q_SLOTS:
    void initTestCase()
    {
        m_project = path("office.twin");
        std::ostringstream out;
        std::ostringstream err;
        const int code = twindesk::app::runCli(
            {"import-brick", TWINDESK_SOURCE_DIR "/assets/demo/office.ttl", "-o",
             m_project.toStdString()},
            {out, err});
        QVERIFY2(code == 0, err.str().c_str());
        std::ofstream map(path("map.json").toStdString());
        const std::string p = "urn:twindesk:demo:office#room_201";
        map << "{\"points\": [\n"
            << "{\"topic\": \"dev/room_201/zat\", \"point\": \"" << p << "_zat\"},\n"
            << "{\"topic\": \"dev/room_201/occ\", \"point\": \"" << p << "_occ\"},\n"
            << "{\"topic\": \"dev/room_201/zhsp\", \"point\": \"" << p
            << "_zhsp\", \"command_topic\": \"dev/room_201/zhsp/set\"}\n]}\n";
    }

    void connectRunAndDisconnect()
    {
        TestBroker broker;
        QVERIFY2(broker.start(), qPrintable(broker.lastError()));
        using namespace twindesk::live;
        ClientOptions co;
        co.broker = parseBrokerUrl(broker.url()).value();
        auto device = MqttClient::create(co);
        QVERIFY(device && (*device)->connect(10s));
        QVERIFY((*device)->publish("dev/room_201/zat", "20.5", 1, true).ok());
        QVERIFY((*device)->publish("dev/room_201/occ", "1", 1, true).ok());
        QVERIFY((*device)->publish("dev/room_201/zhsp", "17", 1, true).ok());

        LiveController live;
        live.setProject(m_project);
        QSignalSpy frames(&live, &LiveController::frame);
        QSignalSpy finished(&live, &LiveController::finished);
        QVERIFY2(live.connectTo(QString::fromStdString(broker.url()), path("map.json"),
                                "fixed-schedule", 200),
                 qPrintable(live.error()));
        QVERIFY(live.running());
        QCOMPARE(live.broker(), QString::fromStdString(broker.url()));
        QTRY_COMPARE_WITH_TIMEOUT(live.state(), QStringLiteral("connected"), 20000);
        // The retained readings arrive and are stored; frames tick.
        QTRY_VERIFY_WITH_TIMEOUT(live.messages() >= 3 && live.stored() >= 3, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(frames.count() >= 3, 20000);
        QVERIFY(!live.lastFrame().isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(live.decisions() >= 1, 30000);
        // A garbage reading is rejected and counted, not stored.
        const double storedBefore = live.stored();
        QVERIFY((*device)->publish("dev/room_201/zat", "not-a-number", 1, false).ok());
        QTRY_VERIFY_WITH_TIMEOUT(live.rejected() >= 1, 20000);
        QCOMPARE(live.stored(), storedBefore);

        // A second connection while connected is refused; the first keeps running.
        QVERIFY(!live.connectTo(QString::fromStdString(broker.url()), path("map.json"),
                                "fixed-schedule"));
        QVERIFY2(live.error().contains("already connected"), qPrintable(live.error()));
        QVERIFY(live.running());
        // So is switching projects under it.
        live.setProject(path("other.twin"));
        QCOMPARE(live.project(), m_project);

        live.disconnectLive();
        QTRY_VERIFY_WITH_TIMEOUT(!live.running(), 20000);
        QCOMPARE(finished.count(), 1);
        QCOMPARE(live.state(), QStringLiteral("disconnected"));
        QVERIFY2(live.summary().startsWith("stopped: "), qPrintable(live.summary()));
        QVERIFY(live.messages() >= 4);

        // Everything the loop saw is in the project: the connection's events for the alarm list.
        LiveEventsModel events;
        QVERIFY2(events.load(m_project), qPrintable(events.error()));
        QVERIFY2(events.broker().startsWith("mqtt://127.0.0.1:"), qPrintable(events.broker()));
        QVERIFY(events.events() >= 1);
    }

    void brokerDownFailsWithItsAddress()
    {
        LiveController live;
        live.setProject(m_project);
        QSignalSpy finished(&live, &LiveController::finished);
        QVERIFY(live.connectTo("mqtt://127.0.0.1:1", path("map.json"), "fixed-schedule"));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        QCOMPARE(live.state(), QStringLiteral("failed"));
        QVERIFY2(live.error().contains("127.0.0.1:1"), qPrintable(live.error()));
        QVERIFY(!live.running());
    }

    void badArgumentsSayWhatToDo()
    {
        LiveController live;
        QVERIFY(!live.connectTo("mqtt://127.0.0.1:1883", path("map.json"), "fixed-schedule"));
        QVERIFY2(live.error().contains("open a project"), qPrintable(live.error()));
        live.setProject(m_project);
        QVERIFY(!live.connectTo("", path("map.json"), "fixed-schedule"));
        QVERIFY2(live.error().contains("broker"), qPrintable(live.error()));
        QVERIFY(!live.connectTo("mqtt://127.0.0.1:1883", "", "fixed-schedule"));
        QVERIFY2(live.error().contains("discovery:"), qPrintable(live.error()));
        // A map that does not exist: the loop fails naming the file.
        QSignalSpy finished(&live, &LiveController::finished);
        QVERIFY(live.connectTo("mqtt://127.0.0.1:1", path("no-map.json"), "fixed-schedule"));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        QVERIFY2(live.error().contains("no-map.json"), qPrintable(live.error()));
        QCOMPARE(live.state(), QStringLiteral("failed"));
    }
};

TWINDESK_TEST(TestLiveController)
#include "tst_live_controller.moc"
