// `twindesk live` end to end against a real mosquitto (tests/live/broker.h): the demo office's
// project, a topic map for one office, a rule policy; a device on the broker publishes its
// readings (one of them garbage) and obeys the command topic. The loop decides, the command
// goes out once and is confirmed by the device's state, SIGTERM stops it with everything
// stored: historian, decision log (audit chain intact), recording, events. No timing
// assertions: waits are deadlines.
#include "../live/broker.h"
#include "console_test_util.h"
#include "live_events_model.h"
#include "test_registry.h"

#include <twindesk/live/live_events.h>
#include <twindesk/live/mqtt_client.h>
#include <twindesk/twin/project_store.h>
#include <twindesk/version.h>

#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

using namespace twindesk::live;
using twindesk::test::TestBroker;
using namespace std::chrono_literals;

namespace {

struct Run
{
    int code = -1;
    std::string out, err;
};

Run runTwindesk(const QStringList& args)
{
    QProcess p;
    p.start(TWINDESK_EXE, args);
    if (!p.waitForFinished(120000))
        return {-1, {}, "timeout"};
    return {p.exitCode(), p.readAllStandardOutput().toStdString(),
            p.readAllStandardError().toStdString()};
}

std::unique_ptr<MqttClient> device(const std::string& url)
{
    ClientOptions o;
    o.broker = parseBrokerUrl(url).value();
    auto c = MqttClient::create(o);
    if (!c || !(*c)->connect(10s))
        qFatal("the device cannot connect to %s", url.c_str());
    return std::move(c).value();
}

const char* kOffice = "urn:twindesk:demo:office#room_201";

} // namespace

class TestLiveCli : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    [[nodiscard]] QString path(const char* name) const { return m_dir.filePath(name); }

private Q_SLOTS:
    void liveLoopDecidesCommandsIsConfirmedAndStopsCleanly()
    {
        TestBroker broker;
        QVERIFY2(broker.start(), qPrintable(broker.lastError()));
        const auto project = path("office.twin");
        auto imported = runTwindesk({"import-brick", TWINDESK_SOURCE_DIR "/assets/demo/office.ttl",
                                  "-o", project});
        QVERIFY2(imported.code == 0, imported.err.c_str());
        {
            std::ofstream map(path("map.json").toStdString());
            const std::string p = kOffice;
            map << "{\"points\": [\n"
                << "{\"topic\": \"dev/room_201/zat\", \"point\": \"" << p << "_zat\"},\n"
                << "{\"topic\": \"dev/room_201/occ\", \"point\": \"" << p << "_occ\"},\n"
                << "{\"topic\": \"dev/room_201/zhsp\", \"point\": \"" << p
                << "_zhsp\", \"command_topic\": \"dev/room_201/zhsp/set\"}\n]}\n";
            std::ofstream rules(path("rules.yaml").toStdString());
            rules << "policy: live-test\nversion: 1.0.0\nperiod: 1min\nrules:\n"
                     "  - name: occupied\n"
                     "    scope: { rooms: { use: office } }\n"
                     "    when: { point: occupancy, equals: 1 }\n"
                     "    then:\n      - set: heating_setpoint\n        value: 21\n"
                     "        unit: °C\n"
                     "    else:\n      - set: heating_setpoint\n        value: 20\n"
                     "        unit: °C\n";
        }
        // The device's current state, retained: the loop sees it on its first frame.
        auto dev = device(broker.url());
        QVERIFY(dev->subscribe("dev/+/+/set", 1).ok());
        QVERIFY(dev->publish("dev/room_201/zat", "20.5", 1, true).ok());
        QVERIFY(dev->publish("dev/room_201/occ", "1", 1, true).ok());
        QVERIFY(dev->publish("dev/room_201/zhsp", "17", 1, true).ok());

        QProcess live;
        live.start(TWINDESK_EXE,
                   {"live", "--broker", QString::fromStdString(broker.url()), "--project", project,
                    "--map", path("map.json"), "--policy",
                    QStringLiteral("rules:{\"file\":\"%1\"}").arg(path("rules.yaml")),
                    "--frame-ms", "1000", "--confirm-timeout", "20", "--json"});
        QVERIFY(live.waitForStarted(10000));
        // The device obeys the command by reporting it as its state (after one garbage reading).
        std::vector<Message> commands;
        // The first decision normally sees the retained state; if it came too early, the next
        // one (the rules' period is a minute) does.
        const auto end = std::chrono::steady_clock::now() + 150s;
        while (commands.empty() && std::chrono::steady_clock::now() < end &&
               live.state() == QProcess::Running)
            dev->drain(commands, 10, 200ms);
        QCOMPARE(commands.size(), std::size_t{1});
        QCOMPARE(commands[0].topic, std::string("dev/room_201/zhsp/set"));
        QCOMPARE(commands[0].payload, std::string("21"));
        QVERIFY(dev->publish("dev/room_201/zat", "not-a-number", 1, false).ok());
        QVERIFY(dev->publish("dev/room_201/zhsp", commands[0].payload, 1, true).ok());
        // Wait (reading the project while the loop writes it, WAL) until the confirmation is in.
        const auto confirmBy = std::chrono::steady_clock::now() + 60s;
        bool confirmed = false;
        while (!confirmed && std::chrono::steady_clock::now() < confirmBy) {
            std::this_thread::sleep_for(250ms);
            auto store = twindesk::twin::ProjectStore::open(project.toStdString(),
                                                           twindesk::twin::OpenMode::ReadOnly);
            if (!store)
                continue;
            auto counts = liveEventCounts(*store);
            confirmed = counts && counts->count("command_confirmed") > 0;
        }
        QVERIFY(confirmed);
        live.terminate(); // SIGTERM: a clean stop
        QVERIFY(live.waitForFinished(60000));
        const auto err = live.readAllStandardError();
        QVERIFY2(live.exitStatus() == QProcess::NormalExit && live.exitCode() == 0,
                 err.constData());
        const auto s = QJsonDocument::fromJson(live.readAllStandardOutput()).object();
        QVERIFY2(!s.isEmpty(), err.constData());
        QVERIFY(s["messages"].toInt() >= 5);
        QCOMPARE(s["rejected_by_reason"].toObject()["not_a_number"].toInt(), 1);
        QCOMPARE(s["stored"].toInt(), s["accepted"].toInt());
        QVERIFY(s["decisions"].toInt() >= 1);
        const auto c = s["commands"].toObject();
        QCOMPARE(c["sent"].toInt(), 1);
        QCOMPARE(c["confirmed"].toInt(), 1);
        QCOMPARE(c["unconfirmed"].toInt(), 0);
        // No second command arrived after the confirmation.
        commands.clear();
        dev->drain(commands, 10, 300ms);
        QVERIFY(commands.empty());

        // Everything is in the project: the audit chain verifies; info shows the recording.
        auto audit = runTwindesk({"audit", "verify", project});
        QVERIFY2(audit.code == 0, (audit.out + audit.err).c_str());
        auto info = runTwindesk({"info", project, "--json"});
        QVERIFY2(info.code == 0, info.err.c_str());
        const auto rec = QJsonDocument::fromJson(QByteArray::fromStdString(info.out))
                             .object()["recording"]
                             .toObject();
        QVERIFY2(rec["frames"].toInt() >= 2, info.out.c_str());
        QVERIFY2(rec["decision_frames"].toInt() >= 1, info.out.c_str()); // the decided frame
        {
            // The live recording's decision log names the version that wrote it.
            auto store = twindesk::twin::ProjectStore::open(project.toStdString(),
                                                            twindesk::twin::OpenMode::ReadOnly);
            QVERIFY(store);
            const auto version = store->meta("twindesk_version");
            QVERIFY(version && *version);
            QCOMPARE(**version, std::string(twindesk::kVersion));
        }
        // The garbage reading is an alarm the project keeps.
        const auto liveInfo = QJsonDocument::fromJson(QByteArray::fromStdString(info.out))
                                  .object()["live"]
                                  .toObject();
        QCOMPARE(liveInfo["events"].toObject()["bad_payload"].toInt(), 1);
        QCOMPARE(liveInfo["events"].toObject()["command_confirmed"].toInt(), 1);
        QVERIFY(liveInfo["alarms"].toInt() >= 1);
        // The console's Live tab lists them, alarms first in red.
        twindesk::app::LiveEventsModel events;
        QVERIFY2(events.load(project), qPrintable(events.error()));
        QVERIFY(events.alarms() >= 1);
        QVERIFY(events.broker().startsWith("mqtt://127.0.0.1:"));
        QCOMPARE(events.rowCount(), events.alarms());
        for (int r = 0; r < events.rowCount(); ++r)
            QVERIFY(events.data(events.index(r), twindesk::app::LiveEventsModel::AlarmRole)
                        .toBool());
        events.setAlarmsOnly(false);
        QCOMPARE(events.rowCount(), events.events());
        QVERIFY(events.events() > events.alarms()); // connected, command sent/confirmed, ...
        {
            QString error;
            const QImage image = twindesk::test::consoleScreenshot(project, {"--view", "live"},
                                                                   path("live.png"), error);
            QVERIFY2(!image.isNull(), qPrintable(error));
            const int red = twindesk::test::pixelsNear(image, QColor("#fdecea"));
            QVERIFY2(red > 2000, qPrintable(QString::number(red))); // the alarm row is drawn
        }
        auto human = runTwindesk({"info", project});
        QVERIFY2(human.out.find("alarms       bad_payload 1") != std::string::npos,
                 human.out.c_str());
    }

    void discoveryFromTheDeviceSimulatorFindsTheTwinsPoints()
    {
        // simulate --publish announces every point (Home Assistant discovery); live with
        // --discovery and no map binds them to the project's twin points by name.
        TestBroker broker;
        QVERIFY2(broker.start(), qPrintable(broker.lastError()));
        const auto project = path("discovered.twin");
        QCOMPARE(runTwindesk({"import-brick", TWINDESK_SOURCE_DIR "/assets/demo/office.ttl", "-o",
                              project})
                     .code,
                 0);
        QProcess building;
        building.start(TWINDESK_EXE,
                       {"simulate", TWINDESK_SOURCE_DIR "/assets/scenarios/demo-office.json",
                        "--publish", QString::fromStdString(broker.url()), "--realtime-factor",
                        "3600", "--no-progress"});
        QVERIFY(building.waitForStarted(10000));
        auto live = runTwindesk({"live", "--broker", QString::fromStdString(broker.url()),
                                 "--project", project, "--discovery", "homeassistant", "--policy",
                                 "fixed-schedule", "--duration", "12", "--frame-ms", "1000",
                                 "--json"});
        building.terminate();
        QVERIFY(building.waitForFinished(30000));
        QVERIFY2(live.code == 0, live.err.c_str());
        const auto s = QJsonDocument::fromJson(QByteArray::fromStdString(live.out)).object();
        QVERIFY2(s["discovered"].toInt() >= 200, live.out.c_str()); // the office's 236 points
        QVERIFY(s["stored"].toInt() > 0);
        QCOMPARE(s["rejected"].toInt(), 0);
        QCOMPARE(s["stored"].toInt(), s["accepted"].toInt());
        // Discovered points are the twin's: the historian has the office's own series.
        auto info = runTwindesk({"info", project});
        QVERIFY(info.out.find("samples") != std::string::npos);
    }

    void liveRefusesWhatItCannotUse()
    {
        const auto project = path("refuse.twin");
        QCOMPARE(runTwindesk({"import-brick", TWINDESK_SOURCE_DIR "/assets/demo/office.ttl", "-o",
                           project})
                     .code,
                 0);
        {
            std::ofstream map(path("map2.json").toStdString());
            map << "{\"points\": [{\"topic\": \"a/b\", \"point\": \"urn:x#p\"}]}";
        }
        // Broker down: the message names the broker; exit 1.
        auto down = runTwindesk({"live", "--broker", "mqtt://127.0.0.1:1", "--project", project,
                              "--map", path("map2.json"), "--policy", "fixed-schedule"});
        QCOMPARE(down.code, 1);
        QVERIFY2(down.err.find("127.0.0.1:1") != std::string::npos, down.err.c_str());
        // A password in the URL is refused before anything connects.
        auto secret = runTwindesk({"live", "--broker", "mqtt://u:hunter2@127.0.0.1:1", "--project",
                                project, "--map", path("map2.json"), "--policy",
                                "fixed-schedule"});
        QCOMPARE(secret.code, 1);
        QVERIFY(secret.err.find("hunter2") == std::string::npos);
        QVERIFY(secret.err.find("TWINDESK_MQTT_PASSWORD") != std::string::npos);
        // A bad map names the file.
        {
            std::ofstream bad(path("bad.json").toStdString());
            bad << "{\"points\": [{\"topic\": \"a/#/b\", \"point\": \"p\"}]}";
        }
        auto badMap = runTwindesk({"live", "--broker", "mqtt://127.0.0.1:1", "--project", project,
                                "--map", path("bad.json"), "--policy", "fixed-schedule"});
        QCOMPARE(badMap.code, 1);
        QVERIFY2(badMap.err.find("bad.json") != std::string::npos, badMap.err.c_str());
        // Usage: a required option missing.
        QCOMPARE(runTwindesk({"live", "--project", project}).code, 2);
    }
};

TWINDESK_TEST(TestLiveCli)
#include "tst_live_cli.moc"
