// The twindesk CLI, in-process (runCli) and end to end (the built executable).
#include "../live/broker.h"
#include "cli.h"
#include "test_registry.h"

#include "cli_test_util.h"

#include <twindesk/live/topic_map.h>
#include <twindesk/policies/approval_gate.h>
#include <twindesk/twin/project_store.h>
#include <twindesk/version.h>

#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

using twindesk::app::runCli;
namespace fs = std::filesystem;

namespace {

using Run = twindesk::test::CliRun;
using twindesk::test::cli;

const std::string kDemo = std::string(TWINDESK_SOURCE_DIR) + "/assets/demo/office.ttl";

// Runs the built executable (a separate process, its own connection to the file).
Run exe(const QStringList& args, const QString& user = QStringLiteral("cli-tester"))
{
    QProcess p;
    auto env = QProcessEnvironment::systemEnvironment();
    if (user.isEmpty())
        env.remove("USER");
    else
        env.insert("USER", user);
    p.setProcessEnvironment(env);
    p.start(TWINDESK_EXE, args);
    if (!p.waitForFinished(60000))
        return {-1, {}, "timeout"};
    return {p.exitCode(), p.readAllStandardOutput().toStdString(),
            p.readAllStandardError().toStdString()};
}

std::string readAll(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::string path(const char* name) const { return m_dir.filePath(name).toStdString(); }

private Q_SLOTS:
    void versionAndHelp()
    {
        auto v = cli({"--version"});
        QCOMPARE(v.code, 0);
        QVERIFY(v.out.find("twindesk 0.") == 0);
        auto h = cli({"--help"});
        QCOMPARE(h.code, 0);
        for (const char* cmd : {"import-brick", "info", "query", "demo"})
            QVERIFY2(h.out.find(cmd) != std::string::npos, cmd);
    }

    void importThenInfoJson()
    {
        const auto project = path("demo.twin");
        auto imp = cli({"import-brick", kDemo, "-o", project});
        QVERIFY2(imp.code == 0, imp.err.c_str());
        QVERIFY(fs::exists(project));
        auto info = cli({"info", project, "--json"});
        QCOMPARE(info.code, 0);
        const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(info.out));
        QVERIFY(doc.isObject());
        const auto o = doc.object();
        // Exactly the documented keys, nothing else.
        const QStringList expected{"triples",       "buildings", "floors",        "rooms",
                                   "zones",         "ahus",      "vavs",          "equipment",
                                   "points",        "sensors",   "setpoints",     "commands",
                                   "compute_hosts", "vms",       "unknown_typed", "relations"};
        QCOMPARE(o.keys().size(), expected.size());
        for (const auto& k : expected)
            QVERIFY2(o.contains(k), qPrintable(k));
        QCOMPARE(o["triples"].toInt(), 3184);
        QCOMPARE(o["rooms"].toInt(), 40);
        QCOMPARE(o["compute_hosts"].toInt(), 40);
        QCOMPARE(o["vms"].toInt(), 60);
        const auto rel = o["relations"].toObject();
        QCOMPARE(rel.keys().size(), 5);
        QCOMPARE(rel["hasPart"].toInt(), 142);
        QCOMPARE(rel["runsOn"].toInt(), 60);
        auto human = cli({"info", project});
        QCOMPARE(human.code, 0);
        QVERIFY(human.out.find("schema       6") != std::string::npos);
    }

    void importRefusesToOverwrite()
    {
        const auto project = path("keep.twin");
        QCOMPARE(cli({"import-brick", kDemo, "-o", project}).code, 0);
        const auto before = readAll(project);
        auto again = cli({"import-brick", kDemo, "-o", project});
        QCOMPARE(again.code, 1);
        QVERIFY(again.err.find("--force") != std::string::npos);
        QCOMPARE(readAll(project), before);
        QCOMPARE(cli({"import-brick", kDemo, "-o", project, "--force"}).code, 0);
    }

    void malformedModelWritesNothing()
    {
        const auto bad = path("bad.ttl");
        {
            std::ofstream out(bad);
            out << "@prefix brick: <https://brickschema.org/schema/Brick#> .\n<urn:a> a "
                   "brick:Room\n";
        }
        const auto project = path("bad.twin");
        auto r = cli({"import-brick", bad, "-o", project});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.find(bad + ":") != std::string::npos, r.err.c_str());
        QVERIFY(!fs::exists(project));
        for (const auto& e : fs::directory_iterator(m_dir.path().toStdString()))
            QVERIFY2(e.path().filename().string().find("bad.twin.tmp") == std::string::npos,
                     e.path().c_str());
    }

    void missingOntologyOption()
    {
        auto r =
            cli({"import-brick", kDemo, "--ontology", "/nowhere/Brick.ttl", "-o", path("x.twin")});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.find("/nowhere/Brick.ttl") != std::string::npos);
        QVERIFY(!fs::exists(path("x.twin")));
    }

    void usageErrors()
    {
        QCOMPARE(cli({"frobnicate"}).code, 2);
        QCOMPARE(cli({"import-brick", kDemo}).code, 2);       // no -o
        QCOMPARE(cli({"import-brick", kDemo, "-o"}).code, 2); // -o without value
        QCOMPARE(cli({"info"}).code, 2);
        QCOMPARE(cli({"info", "a", "--bogus"}).code, 2);
    }

    void infoOnGarbage()
    {
        const auto garbage = path("garbage.twin");
        {
            std::ofstream out(garbage);
            out << std::string(5000, 'z');
        }
        auto r = cli({"info", garbage});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.find("not a TwinDesk project") != std::string::npos, r.err.c_str());
        QVERIFY(r.err.find(garbage) != std::string::npos);
        QCOMPARE(cli({"info", path("missing.twin")}).code, 1);
    }

    void queries()
    {
        const auto project = path("q.twin");
        QCOMPARE(cli({"import-brick", kDemo, "-o", project}).code, 0);
        auto fed = cli({"query", project, "fed-by", "ahu_2", "--json"});
        QVERIFY2(fed.code == 0, fed.err.c_str());
        const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(fed.out));
        QVERIFY(doc.isArray() && !doc.array().isEmpty());
        auto path = cli({"query", project, "path", "vm_001", "building"});
        QCOMPARE(path.code, 0);
        QVERIFY(path.out.find("-runsOn->") != std::string::npos);
        auto rooms = cli({"query", project, "kind", "room"});
        QVERIFY(rooms.out.find("40 result(s)") != std::string::npos);
        QCOMPARE(cli({"query", project, "points", "no_such_thing"}).code, 1);
    }

    void simulatePlanetLabPrintsTheConsolidationFigures()
    {
        const fs::path day = fs::path(TWINDESK_ANCHORS_DIR) / "planetlab" / "20110303";
        if (!fs::exists(day))
            QSKIP("PlanetLab traces not found at TWINDESK_ANCHORS_DIR/planetlab/20110303");
        const auto scenarios = std::string(TWINDESK_SOURCE_DIR) + "/assets/scenarios/";
        // The non-power-aware baseline: 400 G4 at 117 W + 400 G5 at 135 W for 24 h.
        auto r = cli({"simulate", scenarios + "planetlab-npa.json", "--trace-dir", day.string(),
                      "--json", "--no-progress"});
        QVERIFY2(r.code == 0, r.err.c_str());
        auto o = QJsonDocument::fromJson(QByteArray::fromStdString(r.out)).object();
        for (const char* key :
             {"energy_kwh", "migrations", "slatah", "pdm", "slav", "esv", "host_shutdowns"})
            QVERIFY2(o[key].isDouble(), key);
        QVERIFY(std::abs(o["energy_kwh"].toDouble() - 2419.2) < 1e-6);
        QCOMPARE(o["migrations"].toInt(), 0);
        // A wrong trace folder is named in the error.
        r = cli({"simulate", scenarios + "planetlab-dvfs.json", "--trace-dir", path("no-such-day"),
                 "--json", "--no-progress"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.find("no-such-day") != std::string::npos, r.err.c_str());
        QVERIFY2(r.err.find("/compute/traces") != std::string::npos, r.err.c_str());
    }

    void mlConsolidationLoadsTheLibTorchModelOnDemand()
    {
        // The shipped forecaster through the plugin (libtwindesk-torch.so, opened on first
        // use), on 120 VMs and 96 hosts of a day it was not trained on.
        const fs::path day = fs::path(TWINDESK_ANCHORS_DIR) / "planetlab" / "20110403";
        if (!fs::exists(day))
            QSKIP("PlanetLab traces not found at TWINDESK_ANCHORS_DIR/planetlab/20110403");
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(day))
            files.push_back(e.path());
        std::sort(files.begin(), files.end());
        const fs::path subset = path("ml-day");
        fs::create_directories(subset);
        for (std::size_t i = 0; i < 120; ++i)
            fs::create_symlink(files[i], subset / files[i].filename());
        const auto scenarios = std::string(TWINDESK_SOURCE_DIR) + "/assets/scenarios/";
        auto r = cli({"simulate", scenarios + "planetlab-ml-mmt-1.2.json", "--trace-dir",
                      subset.string(), "--set", "compute.hosts=96", "--json", "--no-progress"});
        QVERIFY2(r.code == 0, r.err.c_str());
        const auto o = QJsonDocument::fromJson(QByteArray::fromStdString(r.out)).object();
        const auto policy = o["policy"].toObject();
        QCOMPARE(policy["fallbacks"].toInt(), 0); // the model answered every round
        QVERIFY(o["migrations"].toInt() > 0);
        // Input drift against the model's reference, one entry per history input.
        const auto drift = policy["drift"].toArray();
        QCOMPARE(drift.size(), 12);
        QCOMPARE(drift[0].toObject()["input"].toString(), QStringLiteral("history[0]"));
        QVERIFY(drift[0].toObject()["samples"].toInt() > 100);
        QVERIFY(std::isfinite(drift[0].toObject()["psi"].toDouble()));
        // The consolidation gate on a recorded LR-MMT-1.2 run with the ML candidate: the drift
        // threshold is evaluated from the candidate's model, the SLAV and energy ones too.
        const auto rec = path("lr.twin");
        r = cli({"simulate", scenarios + "planetlab-lr-mmt-1.2.json", "--trace-dir",
                 subset.string(), "--set", "compute.hosts=96", "--out", rec, "--no-progress"});
        QVERIFY2(r.code == 0, r.err.c_str());
        r = cli(
            {"validate", "--recording", rec, "--candidate",
             R"(consolidation:{"algorithm":"ML-MMT-1.2","model":"../models/host-forecaster.pt"})",
             "--gate", std::string(TWINDESK_SOURCE_DIR) + "/assets/gates/consolidation.yaml",
             "--json"});
        QVERIFY2(r.code == 0 || r.code == 1, r.err.c_str());
        const auto v = QJsonDocument::fromJson(QByteArray::fromStdString(r.out)).object();
        const auto rows = v["thresholds"].toArray();
        QCOMPARE(rows.size(), 4);
        QCOMPARE(rows[2].toObject()["kpi"].toString(), QStringLiteral("drift_psi_max"));
        QVERIFY(rows[2].toObject()["candidate"].toDouble() >= 0.0);
        QCOMPARE(v["drift"].toObject()["candidate"].toArray().size(), 12);
        QCOMPARE(r.code, v["pass"].toBool() ? 0 : 1);

        // A missing model: every round falls back to LR-MMT-1.2, and the run still completes.
        r = cli({"simulate", scenarios + "planetlab-ml-mmt-1.2.json", "--trace-dir",
                 subset.string(), "--set", "compute.hosts=96", "--set",
                 R"(policy.params.model="no-such.pt")", "--json", "--no-progress"});
        QVERIFY2(r.code == 0, r.err.c_str());
        const auto f = QJsonDocument::fromJson(QByteArray::fromStdString(r.out)).object();
        QCOMPARE(f["policy"].toObject()["fallbacks"].toInt(),
                 f["policy"].toObject()["decisions"].toInt());
    }

    void replayARecordingWithItsOwnPolicyAndAnother()
    {
        // simulate --out writes a recording; replay with the recorded policy agrees fully, a
        // different candidate is compared, info describes it, bad input is named.
        const auto scenario =
            std::string(TWINDESK_SOURCE_DIR) + "/assets/scenarios/conference-adaptive.json";
        const auto rec = path("rec.twin");
        auto r = cli({"simulate", scenario, "--out", rec, "--json", "--no-progress", "--set",
                      "period.end=\"2025-01-08T00:00\""});
        QVERIFY2(r.code == 0, r.err.c_str());
        const auto sim = QJsonDocument::fromJson(QByteArray::fromStdString(r.out)).object();
        const int frames = sim["recording"].toObject()["frames"].toInt();
        QVERIFY(frames > 1000);
        {
            // The recording (and the decision log in it) names the version that wrote it.
            auto store =
                twindesk::twin::ProjectStore::open(rec, twindesk::twin::OpenMode::ReadOnly);
            QVERIFY(store);
            const auto version = store->meta("twindesk_version");
            QVERIFY(version && *version);
            QCOMPARE(**version, std::string(twindesk::kVersion));
        }

        auto info = cli({"info", rec, "--json"});
        QCOMPARE(info.code, 0);
        const auto recording = QJsonDocument::fromJson(QByteArray::fromStdString(info.out))
                                   .object()["recording"]
                                   .toObject();
        QCOMPARE(recording["frames"].toInt(), frames);
        QCOMPARE(recording["policies"].toArray()[0].toObject()["id"].toString(),
                 QStringLiteral("adaptive-conference"));

        auto same = cli({"replay", rec, "--json"});
        QVERIFY2(same.code == 0, same.err.c_str());
        const auto s = QJsonDocument::fromJson(QByteArray::fromStdString(same.out)).object();
        QCOMPARE(s["agreement"].toDouble(), 1.0);
        QVERIFY(s["first_divergence"].isNull());
        QVERIFY(s["matched"].toInt() > 50);
        QCOMPARE(s["decisions"].toInt(), sim["policy"].toObject()["decisions"].toInt());

        auto other = cli({"replay", rec, "--policy", "fixed-schedule", "--json"});
        QVERIFY2(other.code == 0, other.err.c_str());
        const auto o = QJsonDocument::fromJson(QByteArray::fromStdString(other.out)).object();
        QVERIFY(o["agreement"].toDouble() < 0.5);
        QVERIFY(o["first_divergence"].isObject());

        auto badParams = cli({"replay", rec, "--policy", "adaptive-conference:[1]"});
        QCOMPARE(badParams.code, 1);
        QVERIFY2(badParams.err.find("JSON object") != std::string::npos, badParams.err.c_str());
        auto unknown = cli({"replay", rec, "--policy", "no-such-policy"});
        QCOMPARE(unknown.code, 1);
        QVERIFY(unknown.err.find("no policy named") != std::string::npos);
        auto notRecording = cli({"replay", path("none.twin")});
        QCOMPARE(notRecording.code, 1);
        QCOMPARE(cli({"replay"}).code, 2);
    }

    void leanRecordingReplaysItsPolicyAndRefusesOthers()
    {
        // outputs.recording = "policy-inputs": only what the rules observe is recorded; the
        // recorded policy replays exactly, a candidate reading other points is refused (exit 1).
        const auto scenario =
            std::string(TWINDESK_SOURCE_DIR) + "/assets/scenarios/conference-rules.json";
        const auto rec = path("lean.twin");
        auto r = cli({"simulate", scenario, "--out", rec, "--json", "--no-progress", "--set",
                      "period.end=\"2025-01-08T00:00\"", "--set",
                      "outputs.recording=\"policy-inputs\""});
        QVERIFY2(r.code == 0, r.err.c_str());
        auto same = cli({"replay", rec, "--json"});
        QVERIFY2(same.code == 0, same.err.c_str());
        const auto s = QJsonDocument::fromJson(QByteArray::fromStdString(same.out)).object();
        QCOMPARE(s["agreement"].toDouble(), 1.0);
        QVERIFY(s["matched"].toInt() > 20);
        auto other = cli({"replay", rec, "--policy", "adaptive-conference"});
        QCOMPARE(other.code, 1);
        QVERIFY2(other.err.find("outputs.recording") != std::string::npos, other.err.c_str());
        QVERIFY2(other.err.find(rec) != std::string::npos, other.err.c_str());
    }

    void validateGatePassesFailsAndReports()
    {
        // A week of the BMS time clock is the recording; the adaptive policy passes the
        // conference gate, an always-on time clock fails it, bad input is exit 2.
        const auto scenarios = std::string(TWINDESK_SOURCE_DIR) + "/assets/scenarios/";
        const auto gate = std::string(TWINDESK_SOURCE_DIR) + "/assets/gates/conference.yaml";
        const auto rec = path("baseline.twin");
        auto r = cli({"simulate", scenarios + "conference-baseline.json", "--out", rec,
                      "--no-progress", "--set", "period.end=\"2025-01-10T00:00\""});
        QVERIFY2(r.code == 0, r.err.c_str());
        const auto report = path("report.html");
        auto pass = cli({"validate", "--recording", rec, "--candidate", "adaptive-conference",
                         "--gate", gate, "--report", report});
        QVERIFY2(pass.code == 0, (pass.out + pass.err).c_str());
        QVERIFY(pass.out.find("PASS") != std::string::npos);
        const auto html = readAll(report);
        QVERIFY(html.find("<svg") != std::string::npos);
        QVERIFY(html.find("PASS") != std::string::npos);
        QVERIFY(html.find("<script") == std::string::npos);

        auto fail = cli(
            {"validate", "--recording", rec, "--candidate",
             R"(fixed-schedule:{"zone_use":["conference"],"lights":true,"ventilation":"design","start_hour":0,"end_hour":24})",
             "--gate", gate, "--json"});
        QCOMPARE(fail.code, 1);
        const auto j = QJsonDocument::fromJson(QByteArray::fromStdString(fail.out)).object();
        QCOMPARE(j["pass"].toBool(), false);
        QCOMPARE(j["thresholds"].toArray()[0].toObject()["kpi"].toString(),
                 QStringLiteral("energy_kwh"));
        QCOMPARE(j["thresholds"].toArray()[0].toObject()["pass"].toBool(), false);

        const auto badGate = path("bad-gate.yaml");
        {
            std::ofstream out(badGate);
            out << "thresholds:\n  - kpi: energy\n    max: 1\n";
        }
        auto bad = cli({"validate", "--recording", rec, "--candidate", "adaptive-conference",
                        "--gate", badGate});
        QCOMPARE(bad.code, 2);
        QVERIFY2(bad.err.find("bad-gate.yaml:2:10") != std::string::npos, bad.err.c_str());
        QCOMPARE(cli({"validate", "--recording", path("none.twin"), "--candidate", "rules",
                      "--gate", gate})
                     .code,
                 2);
        QCOMPARE(cli({"validate", "--recording", rec, "--gate", gate}).code, 2);
        QCOMPARE(cli({"validate", "--recording", rec, "--candidate", "nope", "--gate", gate}).code,
                 2);
    }

    void simulateWritesResultsAtomically()
    {
        const auto scenario =
            std::string(TWINDESK_SOURCE_DIR) + "/assets/scenarios/demo-office.json";
        const auto out = path("day.twin");
        auto r = cli({"simulate", scenario, "--out", out, "--json", "--no-progress", "--set",
                      "period.end=\"2025-01-07T00:00\""});
        QVERIFY2(r.code == 0, r.err.c_str());
        const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(r.out));
        QVERIFY(doc.isObject());
        const auto o = doc.object();
        for (const char* key : {"annual_heating_mwh", "annual_cooling_mwh", "peak_heating_kw",
                                "peak_cooling_kw", "energy_kwh", "state_hash", "samples_written"})
            QVERIFY2(o.contains(key), key);
        QVERIFY(o["annual_heating_mwh"].toDouble() > 0.0);
        QVERIFY(o["samples_written"].toInt() > 1000);
        QVERIFY(fs::exists(out));
        // The results project holds the model and the telemetry.
        auto info = cli({"info", out});
        QCOMPARE(info.code, 0);
        QVERIFY2(info.out.find("rooms                 40") != std::string::npos, info.out.c_str());
        QVERIFY(info.out.find("kind         results") != std::string::npos);
        // Same scenario, same seed: the same state hash, run after run.
        auto again = cli({"simulate", scenario, "--json", "--no-progress", "--set",
                          "period.end=\"2025-01-07T00:00\""});
        QCOMPARE(
            QJsonDocument::fromJson(QByteArray::fromStdString(again.out)).object()["state_hash"],
            o["state_hash"]);
        // A failing scenario leaves no results file behind.
        const auto bad = path("bad.json");
        {
            std::ofstream f(bad);
            f << "{\"zones\": [], \"period\": {\"start\": \"x\"}}";
        }
        const auto none = path("none.twin");
        auto failed = cli({"simulate", bad, "--out", none});
        QCOMPARE(failed.code, 1);
        QVERIFY2(failed.err.find("bad.json") != std::string::npos, failed.err.c_str());
        QVERIFY(!fs::exists(none));
    }

    void simulatePublishesToABroker()
    {
        twindesk::test::TestBroker broker;
        QVERIFY2(broker.start(), qPrintable(broker.lastError()));
        const auto scenario =
            std::string(TWINDESK_SOURCE_DIR) + "/assets/scenarios/demo-office.json";
        const auto map = path("published-map.json");
        auto r = cli({"simulate", scenario, "--publish", broker.url(), "--map-out", map, "--json",
                      "--no-progress", "--set", "period.end=\"2025-01-06T02:00\""});
        QVERIFY2(r.code == 0, r.err.c_str());
        const auto mqtt =
            QJsonDocument::fromJson(QByteArray::fromStdString(r.out)).object()["mqtt"].toObject();
        QVERIFY2(mqtt["messages_published"].toInteger() > mqtt["points"].toInteger(),
                 r.out.c_str());
        QCOMPARE(mqtt["failed_publishes"].toInteger(), 0);
        QCOMPARE(mqtt["commands_rejected"].toInteger(), 0);
        QCOMPARE(mqtt["interrupted"].toBool(), false);
        auto parsed = twindesk::live::TopicMap::load(map);
        QVERIFY2(parsed, parsed ? "" : parsed.error().toString().c_str());
        QCOMPARE(static_cast<qint64>(parsed->size()), mqtt["points"].toInteger());

        // Nothing listens on the port: exit 1, the URL in the message, no map written.
        const std::string down =
            "mqtt://127.0.0.1:" + std::to_string(twindesk::test::TestBroker::freePort());
        const auto noMap = path("unpublished-map.json");
        auto failed = cli({"simulate", scenario, "--publish", down, "--map-out", noMap,
                           "--no-progress", "--set", "period.end=\"2025-01-06T02:00\""});
        QCOMPARE(failed.code, 1);
        QVERIFY2(failed.err.find(down) != std::string::npos, failed.err.c_str());
        QVERIFY(!fs::exists(noMap));
        QCOMPARE(cli({"simulate", scenario, "--map-out", noMap}).code, 2);
        QCOMPARE(cli({"simulate", scenario, "--publish", down, "--realtime-factor", "0"}).code, 2);
    }

    void simulateWithPolicyLogsDecisions()
    {
        const auto scenario =
            std::string(TWINDESK_SOURCE_DIR) + "/assets/scenarios/demo-office.json";
        const auto out = path("policy.twin");
        auto r = cli({"simulate", scenario, "--out", out, "--json", "--no-progress", "--set",
                      "period.end=\"2025-01-08T00:00\"", "--set",
                      R"(policy={"name":"fixed-schedule","params":{"setback_heating_c":17}})"});
        QVERIFY2(r.code == 0, r.err.c_str());
        const auto kpi = QJsonDocument::fromJson(QByteArray::fromStdString(r.out)).object();
        const auto policy = kpi["policy"].toObject();
        QCOMPARE(policy["name"].toString(), QString("fixed-schedule"));
        QCOMPARE(policy["decisions"].toInt(), 2 * 288);
        QVERIFY(policy["actions_applied"].toInt() > 0);
        auto audit = cli({"audit", "verify", out, "--json"});
        QCOMPARE(audit.code, 0);
        const auto report = QJsonDocument::fromJson(QByteArray::fromStdString(audit.out)).object();
        QVERIFY(report["ok"].toBool());
        QVERIFY(report["rows"].toInt() >= policy["actions_applied"].toInt());
        auto unknown =
            cli({"simulate", scenario, "--no-progress", "--set", R"(policy={"name":"magic"})"});
        QCOMPARE(unknown.code, 1);
        QVERIFY(unknown.err.find("/policy/name") != std::string::npos);
    }

    void sweepIsDeterministicAcrossThreads()
    {
        const auto scenario =
            std::string(TWINDESK_SOURCE_DIR) + "/assets/scenarios/demo-office.json";
        const std::vector<std::string> base{
            "sweep",  scenario,     "--vary", "period.end=\"2025-01-07T00:00\"",
            "--vary", "seed=1,2,3", "--json"};
        auto one = base;
        one.insert(one.end(), {"--threads", "1"});
        auto two = base;
        two.insert(two.end(), {"--threads", "2"});
        auto a = cli(one);
        auto b = cli(two);
        QVERIFY2(a.code == 0, a.err.c_str());
        QVERIFY2(b.code == 0, b.err.c_str());
        const auto ja = QJsonDocument::fromJson(QByteArray::fromStdString(a.out)).array();
        const auto jb = QJsonDocument::fromJson(QByteArray::fromStdString(b.out)).array();
        QCOMPARE(ja.size(), 3);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(ja[i].toObject()["state_hash"], jb[i].toObject()["state_hash"]);
        QVERIFY(ja[0].toObject()["state_hash"] != ja[1].toObject()["state_hash"]); // seeds differ
    }

    void serverRoomConsolidationSavesItAndCooling()
    {
        // The demo office's server room, two days: no consolidation (DVFS) against LR-MMT-1.2.
        // Hosts switched off draw nothing and heat nothing: IT and cooling both drop.
        const auto scenario =
            std::string(TWINDESK_SOURCE_DIR) + "/assets/scenarios/server-room-consolidation.json";
        auto r = cli({"sweep", scenario, "--vary", "period.end=\"2025-01-08T00:00\"", "--vary",
                      "policy.params.algorithm=DVFS,LR-MMT-1.2", "--json"});
        QVERIFY2(r.code == 0, r.err.c_str());
        const auto runs = QJsonDocument::fromJson(QByteArray::fromStdString(r.out)).array();
        QCOMPARE(runs.size(), 2);
        const auto dvfs = runs[0].toObject();
        const auto lr = runs[1].toObject();
        QVERIFY2(lr["run"].toString().contains("algorithm=LR-MMT-1.2"),
                 qPrintable(lr["run"].toString()));
        QCOMPARE(dvfs["migrations"].toInt(), 0);
        QVERIFY(lr["migrations"].toInt() > 0);
        QVERIFY(lr["compute_kwh"].toDouble() < 0.9 * dvfs["compute_kwh"].toDouble());
        QVERIFY(lr["annual_cooling_mwh"].toDouble() < 0.9 * dvfs["annual_cooling_mwh"].toDouble());
        QVERIFY(lr["electricity_kwh"].toDouble() < dvfs["electricity_kwh"].toDouble());
    }

    void auditVerify()
    {
        const auto project = path("audit.twin");
        QCOMPARE(cli({"import-brick", kDemo, "-o", project}).code, 0);
        // An empty log is intact.
        auto ok = cli({"audit", "verify", project});
        QVERIFY2(ok.code == 0, ok.err.c_str());
        QVERIFY(ok.out.find("intact, 0 rows") != std::string::npos);
        QCOMPARE(cli({"audit", "verify", path("none.twin")}).code, 1);
        QCOMPARE(cli({"audit", "check", project}).code, 2);
    }

    void approvalsThroughTheExecutable()
    {
        // A results file with two requests the loop is holding back (made here as the loop
        // would), then decided by the real executable.
        const auto file = path("approvals.twin");
        const std::int64_t t0 = 1'736'186'400'000; // 2025-01-06T18:00:00Z
        {
            auto store = twindesk::twin::ProjectStore::create(file);
            QVERIFY(store.ok());
            auto gate = twindesk::policies::ApprovalGate::open(*store);
            QVERIFY(gate.ok());
            twindesk::policies::ApprovalRequest r;
            r.requestedMs = t0;
            r.expiresMs = t0 + 3'600'000;
            r.policyId = "fixed-schedule";
            r.action = {twindesk::sim::ActionKind::SetSetpoint, "urn:t:heat", 16.0, {}, {}};
            r.reason = "setpoint-outside-band: setpoint 16 °C is outside 19..26 °C";
            QCOMPARE(gate->request(r).value(), std::int64_t{1});
            r.action = {twindesk::sim::ActionKind::PowerHost, "urn:t:host7", 0.0, {}, {}};
            r.reason = "power-host-off: powers host 'urn:t:host7' off";
            QCOMPARE(gate->request(r).value(), std::int64_t{2});
        }
        const auto qfile = QString::fromStdString(file);

        auto list = exe({"approvals", "list", qfile});
        QVERIFY2(list.code == 0, list.err.c_str());
        QVERIFY2(list.out.find("2 pending approval requests") != std::string::npos,
                 list.out.c_str());
        QVERIFY(list.out.find("#1  requested 2025-01-06T18:00:00Z  expires "
                              "2025-01-06T19:00:00Z  policy fixed-schedule") != std::string::npos);
        QVERIFY(list.out.find("SetSetpoint target=urn:t:heat value=16") != std::string::npos);
        QVERIFY(list.out.find("power-host-off: powers host 'urn:t:host7' off") !=
                std::string::npos);
        auto json = exe({"approvals", "list", qfile, "--json"});
        QCOMPARE(json.code, 0);
        const auto array = QJsonDocument::fromJson(QByteArray::fromStdString(json.out)).array();
        QCOMPARE(array.size(), 2);
        const auto first = array[0].toObject();
        QCOMPARE(first["id"].toInt(), 1);
        QCOMPARE(first["status"].toString(), QString("pending"));
        QCOMPARE(first["requested"].toString(), QString("2025-01-06T18:00:00Z"));
        QCOMPARE(first["expires_ms"].toDouble(), double(t0 + 3'600'000));
        QCOMPARE(first["kind"].toString(), QString("SetSetpoint"));
        QCOMPARE(first["value"].toDouble(), 16.0);
        QVERIFY(first["outcome_seq"].isNull());

        auto approve = exe(
            {"approvals", "approve", qfile, "1", "--user", "zoë", "--note", "cold snap is over"});
        QVERIFY2(approve.code == 0, approve.err.c_str());
        QVERIFY(approve.out.find("approved #1") != std::string::npos);
        QVERIFY(approve.out.find("as zoë") != std::string::npos);
        // $USER is the default approver; "#2" is accepted as the id.
        auto reject =
            exe({"approvals", "reject", qfile, "#2", "--reason", "runs the payroll VM"}, "ops");
        QVERIFY2(reject.code == 0, reject.err.c_str());
        {
            auto store =
                twindesk::twin::ProjectStore::open(file, twindesk::twin::OpenMode::ReadOnly);
            QVERIFY(store.ok());
            auto gate = twindesk::policies::ApprovalGate::open(*store);
            const auto one = gate->get(1).value();
            QCOMPARE(one.status, twindesk::policies::ApprovalStatus::Approved);
            QCOMPARE(one.decidedBy, std::string("zoë"));
            QCOMPARE(one.note, std::string("cold snap is over"));
            QVERIFY(one.decidedAt.size() == 20 && one.decidedAt.back() == 'Z');
            const auto two = gate->get(2).value();
            QCOMPARE(two.status, twindesk::policies::ApprovalStatus::Rejected);
            QCOMPARE(two.decidedBy, std::string("ops"));
            QCOMPARE(two.note, std::string("runs the payroll VM"));
        }

        // Refusals: exit 1, the file and the id named.
        auto again = exe({"approvals", "reject", qfile, "1"});
        QCOMPARE(again.code, 1);
        QVERIFY2(again.err.find(file) != std::string::npos, again.err.c_str());
        QVERIFY(again.err.find("#1") != std::string::npos);
        QVERIFY(again.err.find("not pending (approved by zoë") != std::string::npos);
        auto unknown = exe({"approvals", "approve", qfile, "99"});
        QCOMPARE(unknown.code, 1);
        QVERIFY(unknown.err.find("#99") != std::string::npos);
        QVERIFY(unknown.err.find("no such request") != std::string::npos);
        // Usage and file errors: exit 2.
        for (const char* bad : {"abc", "0", "-1", "1.5", "#", "99999999999999999999"}) {
            auto r = exe({"approvals", "approve", qfile, bad});
            QVERIFY2(r.code == 2, bad);
            QVERIFY(r.err.find("usage: twindesk approvals") != std::string::npos);
        }
        const auto missing = path("missing.twin");
        auto noFile = exe({"approvals", "list", QString::fromStdString(missing)});
        QCOMPARE(noFile.code, 2);
        QVERIFY(noFile.err.find(missing) != std::string::npos);
        QVERIFY(!fs::exists(missing));
        QCOMPARE(exe({"approvals", "approve", qfile, "1", "--reason", "x"}).code, 2);
        QCOMPARE(exe({"approvals", "list", qfile, "--note", "x"}).code, 2);
        QCOMPARE(exe({"approvals", "frobnicate", qfile}).code, 2);
        QCOMPARE(exe({"approvals"}).code, 2);
        auto nobody = exe({"approvals", "approve", qfile, "1"}, QString());
        QCOMPARE(nobody.code, 2);
        QVERIFY(nobody.err.find("--user") != std::string::npos);

        // Nothing pending any more; --all shows the outcomes.
        auto none = exe({"approvals", "list", qfile});
        QCOMPARE(none.code, 0);
        QVERIFY(none.out.find("no pending approval requests") != std::string::npos);
        auto all = exe({"approvals", "list", qfile, "--all"});
        QCOMPARE(all.code, 0);
        QVERIFY(all.out.find("2 approval requests") != std::string::npos);
        QVERIFY(all.out.find("#1  approved") != std::string::npos);
        QVERIFY(all.out.find("#2  rejected") != std::string::npos);
        QVERIFY(all.out.find("by ops at ") != std::string::npos);
        QVERIFY(all.out.find("runs the payroll VM") != std::string::npos);
        // The command is in the help text.
        auto help = cli({"--help"});
        QVERIFY(help.out.find("approvals (list PROJECT.twin") != std::string::npos);
    }

    void executableHeadlessDemo()
    {
        QProcess p;
        auto env = QProcessEnvironment::systemEnvironment();
        env.remove("DISPLAY");
        env.remove("WAYLAND_DISPLAY");
        env.remove("QT_QPA_PLATFORM");
        p.setProcessEnvironment(env);
        p.start(TWINDESK_EXE, {});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        const auto out = p.readAllStandardOutput();
        QVERIFY2(out.contains("compute hosts"), out.constData());
        QVERIFY(p.readAllStandardError().contains("no display"));
    }

    void consoleScreenshotOffscreen()
    {
        // 2D Qt Quick renders with the offscreen platform; the 3D view will need Xvfb.
        const auto project = path("gui.twin");
        QCOMPARE(cli({"import-brick", kDemo, "-o", project}).code, 0);
        const QString png = m_dir.filePath("console.png");
        QProcess p;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("QT_QPA_PLATFORM", "offscreen");
        p.setProcessEnvironment(env);
        p.start(TWINDESK_EXE, {QString::fromStdString(project), "--screenshot", png});
        QVERIFY(p.waitForFinished(60000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        QImage image(png);
        QVERIFY(!image.isNull());
        QCOMPARE(image.width(), 1280);
        // Not a blank frame: the tree and toolbars put many distinct colours on screen.
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 7)
            for (int x = 0; x < image.width(); x += 7)
                colours.insert(image.pixel(x, y));
        QVERIFY2(colours.size() > 20, qPrintable(QString::number(colours.size())));
    }
};

TWINDESK_TEST(TestCli)
#include "tst_cli.moc"
