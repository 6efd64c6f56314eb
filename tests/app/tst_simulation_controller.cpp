// The console's simulation view model (issue #8 §4): a scenario on a worker thread — one step
// at a time while paused, a run paced at real time × N that pauses at once, a run to the end
// as fast as possible whose KPIs equal the same scenario run directly (one run path, and
// snapshots that are copies of the engine's state, not views into it).
#include "test_registry.h"

#include "simulation_controller.h"

#include <twindesk/policies/scenario_run.h>
#include <twindesk/sim/scenario.h>

#include <QDir>
#include <QSignalSpy>

#include <filesystem>

using twindesk::app::SimulationController;

namespace {

const QString kScenario = TWINDESK_SOURCE_DIR "/assets/scenarios/bestest-600.json";

QStringList ontology()
{
    return {TWINDESK_SOURCE_DIR "/assets/ontology/brick-1.3-classes.ttl",
            TWINDESK_SOURCE_DIR "/assets/ontology/twindesk.ttl"};
}

/// Waits (bounded) until the controller reports `state`.
bool waitFor(SimulationController& c, const QString& state)
{
    QSignalSpy spy(&c, &SimulationController::changed);
    for (int i = 0; i < 600 && c.state() != state; ++i)
        spy.wait(100);
    return c.state() == state;
}

} // namespace

class TestSimulationController : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (!QDir(TWINDESK_ANCHORS_DIR "/weather").exists())
            QSKIP("../shared/anchors/weather is absent: the BESTEST scenario needs its weather");
    }

    void snapshotsCarryThePointValues()
    {
        // A Brick-building scenario: every snapshot hands over the bound points' values (what
        // the 3D building is coloured with while a simulation runs), copies keyed by point id.
        SimulationController c;
        c.setOntology(ontology());
        c.setAnchorsDir(TWINDESK_ANCHORS_DIR);
        QVERIFY2(c.open(TWINDESK_SOURCE_DIR "/assets/scenarios/conference-rules.json"),
                 qPrintable(c.error()));
        QSignalSpy values(&c, &SimulationController::pointValues);
        c.step();
        QVERIFY(waitFor(c, QStringLiteral("paused")));
        QTRY_VERIFY(!values.isEmpty());
        const auto map = values.last().at(0).toMap();
        QVERIFY2(map.size() > 40, qPrintable(QString::number(map.size())));
        const QString zat = QStringLiteral("urn:twindesk:demo:office#room_201_zat");
        QVERIFY2(map.contains(zat), qPrintable(map.firstKey()));
        const double t = map.value(zat).toDouble();
        QVERIFY2(t > 5 && t < 35, qPrintable(QString::number(t)));
        QCOMPARE(values.last().at(1).toString(), c.simTime());
    }

    void stepRunPauseAndFinish()
    {
        SimulationController c;
        c.setOntology(ontology());
        c.setAnchorsDir(TWINDESK_ANCHORS_DIR);
        QVERIFY2(c.open(kScenario), qPrintable(c.error()));
        QCOMPARE(c.state(), QStringLiteral("idle"));
        QCOMPARE(c.progress(), 0.0);

        c.step();
        QVERIFY(waitFor(c, "paused"));
        const double oneStep = c.progress();
        QVERIFY(oneStep > 0 && oneStep < 0.01);
        c.step();
        QSignalSpy spy(&c, &SimulationController::changed);
        QVERIFY(spy.wait(10000));
        QVERIFY(std::abs(c.progress() - 2 * oneStep) < 1e-12);

        // Paced (real time × 3600): it runs, and pauses when told.
        c.setSpeed(3600);
        c.run();
        QVERIFY(waitFor(c, "running"));
        c.pause();
        QVERIFY(waitFor(c, "paused"));
        QVERIFY(c.progress() < 0.5);

        // As fast as possible to the end: the KPIs of the same scenario run directly.
        c.setSpeed(0);
        QSignalSpy done(&c, &SimulationController::finished);
        c.run();
        QVERIFY(done.wait(120000) || c.state() == "finished");
        QCOMPARE(c.state(), QStringLiteral("finished"));
        QCOMPARE(c.progress(), 1.0);

        twindesk::sim::ScenarioOptions o;
        for (const auto& f : ontology())
            o.ontology.push_back(f.toStdString());
        o.anchorsDir = TWINDESK_ANCHORS_DIR;
        auto scenario = twindesk::sim::loadScenario(kScenario.toStdString(), o);
        QVERIFY(scenario.ok());
        auto direct = twindesk::policies::ScenarioRun::make(*scenario, {});
        QVERIFY(direct.ok() && (*direct)->run().ok());
        QCOMPARE(c.kpis().value("energy_kwh").toDouble(), (*direct)->kpis().energy.totalKwh);
        QCOMPARE(c.kpis().value("discomfort_kh").toDouble(),
                 (*direct)->kpis().comfort.discomfortKh);
    }

    void aBadScenarioIsNamed()
    {
        SimulationController c;
        c.setOntology(ontology());
        QVERIFY(!c.open(TWINDESK_SOURCE_DIR "/assets/scenarios/no-such.json"));
        QCOMPARE(c.state(), QStringLiteral("failed"));
        QVERIFY2(c.error().contains("no-such.json"), qPrintable(c.error()));
    }
};

TWINDESK_TEST(TestSimulationController)
#include "tst_simulation_controller.moc"
