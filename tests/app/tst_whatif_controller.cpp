// The console's what-if view model (issue #8 §7): a scenario and a variant of it run side by
// side. An untouched variant equals the base and a direct `simulate`; a lower heating setpoint
// saves heating energy in a Chicago January; a policy change and a saved variant run as
// `simulate` runs them; a bad weather file, policy or override is named; the series are
// bounded and share their x values; the console draws the comparison; stored sweeps are read
// back from the project's store.
#include "test_registry.h"

#include "console_test_util.h"
#include "postgres_server.h"
#include "whatif_controller.h"

#include <twindesk/twin/project_store.h>
#include <twindesk/twin/sweep_results.h>

#include <nlohmann/json.hpp>

#include <QDir>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <cmath>
#include <sstream>

using twindesk::app::WhatIfController;

namespace {

const QString kDemo = TWINDESK_SOURCE_DIR "/assets/scenarios/demo-office.json";
const QString kConference = TWINDESK_SOURCE_DIR "/assets/scenarios/conference-baseline.json";
// Three January days at 5 min: the runs take about a second.
const QStringList kShort{"period.end=\"2025-01-09T00:00\"", "step_s=300"};

QStringList ontology()
{
    return {TWINDESK_SOURCE_DIR "/assets/ontology/brick-1.3-classes.ttl",
            TWINDESK_SOURCE_DIR "/assets/ontology/twindesk.ttl"};
}

void setUp(WhatIfController& c)
{
    c.setOntology(ontology());
    c.setAnchorsDir(TWINDESK_ANCHORS_DIR);
}

/// Runs both and waits (bounded) until they are over.
bool runBoth(WhatIfController& c)
{
    QSignalSpy done(&c, &WhatIfController::finished);
    c.runBoth();
    for (int i = 0; i < 1200 && done.isEmpty(); ++i)
        done.wait(100);
    return !done.isEmpty();
}

/// The row of one KPI.
QVariantMap row(const WhatIfController& c, const QString& key)
{
    for (const auto& r : c.kpis())
        if (r.toMap().value("key").toString() == key)
            return r.toMap();
    return {};
}

/// `twindesk simulate SCENARIO --json --no-progress EXTRA...` in-process: its KPI report.
nlohmann::json simulateKpis(const std::string& scenario, const std::vector<std::string>& extra,
                            std::string& error)
{
    std::vector<std::string> args{"simulate", scenario, "--json", "--no-progress"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::ostringstream o;
    std::ostringstream e;
    if (twindesk::app::runCli(args, {o, e}) != 0) {
        error = e.str();
        return {};
    }
    return nlohmann::json::parse(o.str())["kpis"];
}

std::vector<std::string> setArgs(const QStringList& overrides)
{
    std::vector<std::string> args;
    for (const auto& o : overrides) {
        args.emplace_back("--set");
        args.push_back(o.toStdString());
    }
    return args;
}

} // namespace

class TestWhatifController : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void anUntouchedVariantIsTheBase()
    {
        WhatIfController c;
        setUp(c);
        QVERIFY2(c.open(kDemo), qPrintable(c.error()));
        c.setCommonOverrides(kShort);
        QVERIFY(c.variantOverrides().isEmpty());
        // What applies to a Brick building with modelled hosts: setpoints (the building's
        // defaults), weather, calendar; no host count (its hosts are the model's).
        QVERIFY(c.hasSetpoints());
        QCOMPARE(c.setpointScope(), QStringLiteral("building"));
        QCOMPARE(c.heatingSetpoint(), 21.0);
        QCOMPARE(c.coolingSetpoint(), 24.0);
        QVERIFY(c.hasWeather() && c.weather().endsWith(".epw"));
        QVERIFY(c.hasCalendar() && c.calendar().endsWith("meetings.ics"));
        QVERIFY(!c.hasHostCount());
        QCOMPARE(c.policy(), QString());
        QVERIFY(c.policyNames().contains("adaptive-conference"));

        QVERIFY(runBoth(c));
        QCOMPARE(c.state(), QStringLiteral("finished"));
        QVERIFY(c.kpis().size() >= 15);
        for (const auto& r : c.kpis()) {
            const auto m = r.toMap();
            QCOMPARE(m["base"].toDouble(), m["variant"].toDouble());
            QCOMPARE(m["delta"].toDouble(), 0.0);
            QVERIFY(m["verdict"] == "same" || m["verdict"] == "");
        }
        // The same figures as `twindesk simulate` prints for the scenario.
        std::string error;
        const auto direct = simulateKpis(kDemo.toStdString(), setArgs(kShort), error);
        QVERIFY2(error.empty(), error.c_str());
        QCOMPARE(row(c, "total_kwh")["base"].toDouble(),
                 direct["energy"]["total_kwh"].get<double>());
        QCOMPARE(row(c, "heating_kwh")["base"].toDouble(),
                 direct["energy"]["heating_kwh"].get<double>());
        QCOMPARE(row(c, "discomfort_kh")["variant"].toDouble(),
                 direct["comfort"]["discomfort_kh"].get<double>());
        QCOMPARE(row(c, "compute_energy_kwh")["base"].toDouble(),
                 direct["hosts"]["energy_kwh"].get<double>());
    }

    void aLowerHeatingSetpointSavesHeatingAndSeriesAreBounded()
    {
        WhatIfController c;
        setUp(c);
        c.setMaxPoints(100);
        QVERIFY(c.open(kDemo));
        c.setCommonOverrides(kShort);
        c.setHeatingSetpoint(19.0);
        QCOMPARE(c.heatingSetpoint(), 19.0);
        QCOMPARE(c.baseHeatingSetpoint(), 21.0);
        QCOMPARE(c.variantOverrides(), QStringList{"building.defaults.heating_setpoint_c=19.0"});
        QVERIFY(runBoth(c));
        QCOMPARE(c.state(), QStringLiteral("finished"));
        // Chicago in January: heating dominates; 2 K less heats less and is less comfortable.
        const auto heating = row(c, "heating_kwh");
        QVERIFY2(heating["variant"].toDouble() < 0.97 * heating["base"].toDouble(),
                 qPrintable(QString("heating %1 → %2")
                                .arg(heating["base"].toDouble())
                                .arg(heating["variant"].toDouble())));
        QCOMPARE(heating["verdict"].toString(), QStringLiteral("better"));
        QVERIFY(heating["deltaPercent"].toDouble() < 0);
        QCOMPARE(row(c, "total_kwh")["verdict"].toString(), QStringLiteral("better"));
        QCOMPARE(row(c, "discomfort_kh")["verdict"].toString(), QStringLiteral("worse"));
        QCOMPARE(row(c, "meetings_started")["verdict"].toString(), QString());

        // Series: at most 100 points, the same x values in both runs.
        QStringList keys;
        for (const auto& s : c.seriesList())
            keys.push_back(s.toMap()["key"].toString());
        for (const char* k : {"zone_air_c", "electric_kw", "energy_kwh", "heating_kw",
                              "host_cpu_pct", "it_kw"})
            QVERIFY2(keys.contains(k), k);
        for (const auto& key : keys) {
            const auto a = c.series(key, 0);
            const auto b = c.series(key, 1);
            QVERIFY2(a.size() > 50 && a.size() <= 100, qPrintable(key));
            QCOMPARE(a.size(), b.size());
            for (qsizetype i = 0; i < a.size(); ++i)
                QCOMPARE(a[i].toMap()["x"].toDouble(), b[i].toMap()["x"].toDouble());
        }
        // The variant's zones are cooler; the energy series end at the KPI.
        const auto airA = c.series("zone_air_c", 0);
        const auto airB = c.series("zone_air_c", 1);
        double sumA = 0;
        double sumB = 0;
        for (qsizetype i = 0; i < airA.size(); ++i) {
            sumA += airA[i].toMap()["y"].toDouble();
            sumB += airB[i].toMap()["y"].toDouble();
        }
        QVERIFY(sumB < sumA);
        const auto energy = c.series("energy_kwh", 1);
        QVERIFY(std::abs(energy.last().toMap()["y"].toDouble() -
                         row(c, "total_kwh")["variant"].toDouble()) <
                1e-6 * row(c, "total_kwh")["variant"].toDouble());

        // Saved as a scenario of its own (elsewhere: relative paths rebased), it simulates to
        // the variant's KPIs.
        const QString saved = m_dir.filePath("variants/colder.json");
        QVERIFY(QDir().mkpath(m_dir.filePath("variants")));
        QVERIFY2(c.saveVariant(saved), qPrintable(c.error()));
        std::string error;
        const auto direct = simulateKpis(saved.toStdString(), {}, error);
        QVERIFY2(error.empty(), error.c_str());
        QCOMPARE(direct["energy"]["total_kwh"].get<double>(),
                 row(c, "total_kwh")["variant"].toDouble());
        QCOMPARE(direct["comfort"]["discomfort_kh"].get<double>(),
                 row(c, "discomfort_kh")["variant"].toDouble());
    }

    void aPolicyChange()
    {
        WhatIfController c;
        setUp(c);
        QVERIFY(c.open(kConference));
        c.setCommonOverrides(kShort);
        QCOMPARE(c.basePolicy(), QStringLiteral("fixed-schedule"));
        // The base's own parameters are offered with their values.
        bool lights = false;
        for (const auto& p : c.policyParams())
            if (p.toMap()["name"] == "lights")
                lights = p.toMap()["value"].toBool();
        QVERIFY(lights);
        c.setPolicy("adaptive-conference");
        QCOMPARE(c.policy(), QStringLiteral("adaptive-conference"));
        QVERIFY(c.setPolicyParam("vacancy_delay_s", 900));
        QVERIFY(c.variantOverrides().contains("policy.name=\"adaptive-conference\""));
        QVERIFY(c.variantOverrides().contains("policy.params={\"vacancy_delay_s\":900}"));
        QVERIFY(!c.setPolicyParam("no_such_param", 1));
        QVERIFY(c.error().contains("no_such_param"));
        QVERIFY(runBoth(c));
        QCOMPARE(c.state(), QStringLiteral("finished"));
        QVERIFY(row(c, "total_kwh")["base"].toDouble() != row(c, "total_kwh")["variant"].toDouble());
        QVERIFY(row(c, "actions_applied")["variant"].toDouble() > 0);

        // No policy at all: the built-in schedules; the loop's figures are 0 on that side.
        c.setPolicy("");
        QCOMPARE(c.variantOverrides(), QStringList{"policy=null"});
        QVERIFY(runBoth(c));
        QCOMPARE(c.state(), QStringLiteral("finished"));
        QCOMPARE(row(c, "actions_applied")["variant"].toDouble(), 0.0);
        QVERIFY(row(c, "actions_applied")["base"].toDouble() > 0);
    }

    void badInputsAreNamed()
    {
        WhatIfController c;
        setUp(c);
        QVERIFY(c.open(kDemo));
        c.setCommonOverrides(kShort);
        c.setWeather("/no/such/folder/nowhere.epw");
        QVERIFY(runBoth(c));
        QCOMPARE(c.state(), QStringLiteral("failed"));
        QVERIFY2(c.error().startsWith("variant: ") && c.error().contains("nowhere.epw") &&
                     c.error().contains("/weather"),
                 qPrintable(c.error()));

        c.resetVariant();
        c.setPolicy("no-such-policy");
        QVERIFY(runBoth(c));
        QCOMPARE(c.state(), QStringLiteral("failed"));
        QVERIFY2(c.error().contains("no-such-policy"), qPrintable(c.error()));

        c.resetVariant();
        QVERIFY(c.addOverride("building.defaults.wall_uu=0.2"));
        QVERIFY(runBoth(c));
        QCOMPARE(c.state(), QStringLiteral("failed"));
        QVERIFY2(c.error().contains("wall_uu"), qPrintable(c.error()));
        QVERIFY(!c.addOverride("not an override"));
        QVERIFY2(c.error().contains("not an override"), qPrintable(c.error()));

        QVERIFY(!c.open(TWINDESK_SOURCE_DIR "/assets/scenarios/no-such.json"));
        QVERIFY2(c.error().contains("no-such.json"), qPrintable(c.error()));
    }

    void aComputeScenarioOffersTheHostCount()
    {
        // Only read (not run): what the form offers for a fleet without a building.
        const QString file = m_dir.filePath("fleet.json");
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"name": "fleet", "period": {"start": "2025-01-01T00:00Z", "end": "2025-01-01T06:00Z"},
                    "step_s": 300, "compute": {"hosts": 20, "vms": "traces",
                    "traces": "${anchors}/planetlab/20110303", "accounting": "cloudsim"}})");
        f.close();
        WhatIfController c;
        setUp(c);
        QVERIFY(c.open(file));
        QVERIFY(c.hasHostCount());
        QVERIFY(!c.hasSetpoints());
        QVERIFY(!c.hasWeather());
        QCOMPARE(c.baseHostCount(), 20);
        c.setHostCount(10);
        QCOMPARE(c.hostCount(), 10);
        QCOMPARE(c.variantOverrides(), QStringList{"compute.hosts=10"});
        c.setHostCount(20);
        QVERIFY(c.variantOverrides().isEmpty());
    }

    // Sweeps stored by `twindesk sweep --project P --sweep-name N` (as pods write a shared
    // store) are listed from the project's store; the chosen one's variants come with their
    // KPIs as `--collect-store` reads them, the missing indices and the best of each column.
    void storedSweepsComeFromTheProjectsStore()
    {
        const QString project = m_dir.filePath("sweeps.twin");
        QVERIFY(twindesk::twin::ProjectStore::create(project.toStdString()).ok());
        WhatIfController c;
        c.setProject(project);
        QSignalSpy changed(&c, &WhatIfController::storedChanged);
        QVERIFY2(c.refreshStoredSweeps(), qPrintable(c.storedError()));
        QVERIFY(!changed.isEmpty());
        QVERIFY(c.storedSweeps().isEmpty());
        QVERIFY2(c.storeLocation().startsWith("project file ") &&
                     c.storeLocation().endsWith("sweeps.twin"),
                 qPrintable(c.storeLocation()));

        const std::string demo = kDemo.toStdString();
        const std::vector<std::string> day{"--vary", "period.end=\"2025-01-07T00:00\""};
        const auto sweep = [&](std::vector<std::string> extra) {
            std::vector<std::string> args{"sweep", demo, "--project", project.toStdString()};
            args.insert(args.end(), day.begin(), day.end());
            args.insert(args.end(), extra.begin(), extra.end());
            std::ostringstream o;
            std::ostringstream e;
            const int code = twindesk::app::runCli(args, {o, e});
            return code == 0 ? std::string() : e.str() + o.str();
        };
        // Two of three pods of one sweep; a whole sweep over two heating setpoints.
        for (const char* index : {"0", "2"}) {
            const auto err = sweep({"--vary", "seed=1,2,3", "--variant-index", index,
                                    "--sweep-name", "seeds"});
            QVERIFY2(err.empty(), err.c_str());
        }
        const auto err = sweep({"--vary", "building.defaults.heating_setpoint_c=18,22",
                                "--sweep-name", "setpoints", "--threads", "2"});
        QVERIFY2(err.empty(), err.c_str());

        QVERIFY2(c.refreshStoredSweeps(), qPrintable(c.storedError()));
        QCOMPARE(c.storedSweeps().size(), 2);
        const auto seedsInfo = c.storedSweeps()[1].toMap(); // the most recent first
        QCOMPARE(seedsInfo["name"].toString(), QStringLiteral("seeds"));
        QCOMPARE(seedsInfo["variants"].toLongLong(), 3);
        QCOMPARE(seedsInfo["stored"].toLongLong(), 2);
        QCOMPARE(seedsInfo["missing"].toLongLong(), 1);
        QVERIFY(seedsInfo["lastWritten"].toString().endsWith("Z"));

        QVERIFY2(c.showStoredSweep("seeds"), qPrintable(c.storedError()));
        QCOMPARE(c.storedSweep(), QStringLiteral("seeds"));
        QCOMPARE(c.storedMissing(), (QVariantList{1}));
        QCOMPARE(c.storedRows().size(), 2);
        // The values are those --collect-store prints.
        std::ostringstream o;
        std::ostringstream e;
        QCOMPARE(twindesk::app::runCli({"sweep", "--collect-store", "seeds", "--project",
                                        project.toStdString(), "--json"},
                                       {o, e}),
                 1); // one variant missing
        const auto collected = nlohmann::json::parse(o.str());
        QCOMPARE(collected.size(), std::size_t{2});
        // The table's columns in order; the compute ones as the rows have them (the demo
        // office's server room has hosts).
        QStringList keys;
        for (const auto& col : c.storedColumns())
            keys << col.toMap()["key"].toString();
        QStringList expected{"annual_heating_mwh", "annual_cooling_mwh", "electricity_kwh",
                             "gas_kwh", "discomfort_kh"};
        if (collected[0].contains("compute_kwh"))
            expected << "compute_kwh" << "migrations" << "slav";
        expected << "wall_time_s";
        QCOMPARE(keys, expected);
        for (int i = 0; i < 2; ++i) {
            const auto r = c.storedRows()[i].toMap();
            QCOMPARE(r["index"].toLongLong(), i == 0 ? 0 : 2);
            QCOMPARE(r["label"].toString().toStdString(), collected[i]["run"].get<std::string>());
            QVERIFY(r["ok"].toBool());
            QCOMPARE(r["values"].toList()[0].toDouble(),
                     collected[i]["annual_heating_mwh"].get<double>());
            QCOMPARE(r["values"].toList()[4].toDouble(),
                     collected[i]["discomfort_kh"].get<double>());
        }

        // The setpoints sweep: 18 °C heats less and is shaded as the best heating, 22 °C not.
        QVERIFY2(c.showStoredSweep("setpoints"), qPrintable(c.storedError()));
        QVERIFY(c.storedMissing().isEmpty());
        const auto low = c.storedRows()[0].toMap();
        const auto high = c.storedRows()[1].toMap();
        QVERIFY(low["label"].toString().contains("heating_setpoint_c=18"));
        QVERIFY(low["values"].toList()[0].toDouble() < high["values"].toList()[0].toDouble());
        QVERIFY(low["best"].toList()[0].toBool());
        QVERIFY(!high["best"].toList()[0].toBool());
        // The wall time is no KPI: never the best.
        QVERIFY(!low["best"].toList().last().toBool() && !high["best"].toList().last().toBool());

        // A stored variant into the comparison: the scenario as the base, what all variants
        // share (the period) common, what makes this one (18 °C) the variant's.
        QVERIFY2(c.compareStoredVariant(0), qPrintable(c.storedError() + c.error()));
        QCOMPARE(c.scenarioPath(), QFileInfo(kDemo).absoluteFilePath());
        QCOMPARE(c.commonOverrides(), QStringList{"period.end=\"2025-01-07T00:00\""});
        QCOMPARE(c.extraOverrides(), QStringList{"building.defaults.heating_setpoint_c=18"});
        QCOMPARE(c.heatingSetpoint(), 18.0);
        QVERIFY(!c.compareStoredVariant(7));
        QVERIFY2(c.storedError().contains("variant 7"), qPrintable(c.storedError()));
        // Rows written by pods name the image's paths: the bundled assets map to this
        // machine's; a scenario that travelled in the ConfigMap is named as missing.
        {
            auto store = twindesk::twin::ProjectStore::open(project.toStdString());
            QVERIFY(store.ok());
            twindesk::twin::SweepResultStore results(*store);
            auto rows = results.read("setpoints");
            QVERIFY(rows.ok() && rows->size() == 2);
            for (int i = 0; i < 2; ++i) {
                auto j = nlohmann::json::parse((*rows)[i].rowJson);
                j["scenario"] = i == 0 ? "/usr/share/twindesk/assets/scenarios/demo-office.json"
                                       : "/etc/twindesk-sweep/mine.json";
                (*rows)[i].sweep = "pods";
                (*rows)[i].rowJson = j.dump();
            }
            QVERIFY(results.write(*rows, twindesk::twin::SweepWriteMode::ReplaceRows).ok());
        }
        QVERIFY(c.refreshStoredSweeps());
        QVERIFY2(c.showStoredSweep("pods"), qPrintable(c.storedError()));
        QVERIFY2(c.compareStoredVariant(0), qPrintable(c.storedError() + c.error()));
        QCOMPARE(QFileInfo(c.scenarioPath()).fileName(), QStringLiteral("demo-office.json"));
        QVERIFY(QFileInfo::exists(c.scenarioPath()));
        QVERIFY(!c.compareStoredVariant(1));
        QVERIFY2(c.storedError().contains("/etc/twindesk-sweep/mine.json"),
                 qPrintable(c.storedError()));
        QVERIFY(c.showStoredSweep("setpoints"));

        // Refreshing keeps the shown sweep; an unknown one is named and changes nothing.
        QVERIFY(c.refreshStoredSweeps());
        QCOMPARE(c.storedSweep(), QStringLiteral("setpoints"));
        QVERIFY(!c.showStoredSweep("never-ran"));
        QVERIFY2(c.storedError().contains("never-ran") && c.storedError().contains("sweeps.twin"),
                 qPrintable(c.storedError()));
        QCOMPARE(c.storedSweep(), QStringLiteral("setpoints"));

        // A store that is down: the error names it (redacted), the list stays.
        const auto down = QStringLiteral("postgresql://twindesk:secret@127.0.0.1:%1/none")
                              .arg(twindesk::test::TestPostgres::freePort());
        c.setProject(project, down);
        QVERIFY(!c.refreshStoredSweeps());
        QVERIFY2(c.storedError().contains("cannot connect") &&
                     c.storedError().contains("twindesk:***@127.0.0.1") &&
                     !c.storedError().contains("secret"),
                 qPrintable(c.storedError()));
        // A missing project: named.
        c.setProject(m_dir.filePath("gone.twin"));
        QVERIFY(!c.refreshStoredSweeps());
        QVERIFY2(c.storedError().contains("gone.twin"), qPrintable(c.storedError()));
    }

    void theConsoleDrawsTheComparison()
    {
        const QString project = m_dir.filePath("day.twin");
        const auto err = twindesk::test::simulateInto(
            kDemo.toStdString(), project, {"--set", "period.end=\"2025-01-07T00:00\""});
        QVERIFY2(err.empty(), err.c_str());
        QStringList args{"--view", "whatif", "--whatif", kDemo, "--whatif-run",
                         "--whatif-set", "building.defaults.heating_setpoint_c=19"};
        for (const auto& o : kShort)
            args << "--whatif-common" << o;
        QString error;
        const QImage image = twindesk::test::consoleScreenshot(
            project, args, m_dir.filePath("whatif.png"), error);
        QVERIFY2(!image.isNull(), qPrintable(error));
        // Better in green, worse in red (the change cells' fills).
        QVERIFY2(twindesk::test::pixelsNear(image, QColor("#c8e6c9")) > 500,
                 "no KPI drawn as better");
        QVERIFY2(twindesk::test::pixelsNear(image, QColor("#ffcdd2")) > 500,
                 "no KPI drawn as worse");
        // The chart: base (#1f77b4, solid) and variant (#d62728, dashed) below the table (the
        // only things in those colours in the lower half of the window).
        const QImage chart =
            image.copy(0, image.height() * 11 / 20, image.width(), image.height() * 9 / 20);
        QVERIFY2(twindesk::test::pixelsNear(chart, QColor("#1f77b4"), 1, 30) > 300,
                 "the base series is not drawn");
        QVERIFY2(twindesk::test::pixelsNear(chart, QColor("#d62728"), 1, 30) > 150,
                 "the variant series is not drawn");
    }
};

TWINDESK_TEST(TestWhatifController)
#include "tst_whatif_controller.moc"
