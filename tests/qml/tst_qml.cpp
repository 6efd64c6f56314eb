// Qt Quick Test runner for the console's panels (issue #8 §10): the real QML files of app/qml
// (imported as a directory by each tests/qml/tst_*.qml) over the real view models, on results
// files the CLI makes in-process. One CTest test per QML file (`tst_qml -input FILE`).
//
// The QML gets one context property, `fixture`, which builds what a test asks for on first use
// (a week of the conference demo with its decision log, a copy whose approvals wait for a
// person, the bundled scenarios) so a file that tests one panel pays only for that panel.
#include "approvals_model.h"
#include "console_test_util.h"
#include "decision_log_model.h"
#include "live_events_model.h"
#include "simulation_controller.h"
#include "trend_model.h"
#include "whatif_controller.h"

#include <QApplication>
#include <QDir>
#include <QQmlContext>
#include <QQmlEngine>
#include <QTemporaryDir>
#include <QtQuickTest>

#include <sstream>

#include <twindesk/live/live_events.h>
#include <twindesk/twin/project_store.h>

namespace {

using namespace twindesk::app;

class Fixture : public QObject
{
    Q_OBJECT
public:
    /// What went wrong building the fixture ("" when nothing did).
    Q_INVOKABLE QString lastError() const { return m_error; }

    /// A week of the conference demo run by the rules policy: historian and decision log.
    Q_INVOKABLE QString rulesResults() { return results(m_rules, "rules.twin", false); }
    /// The same week with auto-approval off: the loop's actions wait in the approvals table.
    Q_INVOKABLE QString waitingResults() { return results(m_waiting, "waiting.twin", true); }

    Q_INVOKABLE QObject* decisionModel()
    {
        auto* m = own(new DecisionLogModel(this));
        static_cast<DecisionLogModel*>(m)->load(rulesResults());
        return m;
    }
    Q_INVOKABLE QObject* approvalsModel()
    {
        auto* m = own(new ApprovalsModel(this));
        static_cast<ApprovalsModel*>(m)->load(waitingResults());
        return m;
    }
    Q_INVOKABLE QObject* trendModel()
    {
        auto* m = own(new TrendModel(this));
        static_cast<TrendModel*>(m)->load(rulesResults());
        return m;
    }
    Q_INVOKABLE QObject* simulationController()
    {
        auto* c = new SimulationController(this);
        c->setOntology({QStringLiteral(TWINDESK_SOURCE_DIR "/assets/ontology/brick-1.3-classes.ttl"),
                        QStringLiteral(TWINDESK_SOURCE_DIR "/assets/ontology/twindesk.ttl")});
        c->setAnchorsDir(QStringLiteral(TWINDESK_ANCHORS_DIR));
        return own(c);
    }
    /// A live events model over a project with a few events written through the live
    /// connector's own table (a gap alarm, a stale sensor, an ordinary connect).
    Q_INVOKABLE QObject* liveEventsModel()
    {
        auto* m = own(new LiveEventsModel(this));
        static_cast<LiveEventsModel*>(m)->load(liveProject());
        return m;
    }
    /// A what-if controller over a project holding two stored sweeps written by `twindesk
    /// sweep --project P --sweep-name N`: "setpoints" (heating 18 and 22 °C, whole) and "seeds"
    /// (variant 0 of 3 only).
    Q_INVOKABLE QObject* storedSweepsController()
    {
        auto* c = new WhatIfController(this);
        c->setProject(sweepsProject());
        return own(c);
    }
    /// The bundled scenarios the simulation view offers: [{name, path}].
    Q_INVOKABLE QVariantList scenarios() const
    {
        QVariantList out;
        for (const auto& name : {"bestest-600", "conference-rules"})
            out.push_back(QVariantMap{
                {QStringLiteral("name"), QString::fromLatin1(name)},
                {QStringLiteral("path"),
                 QStringLiteral(TWINDESK_SOURCE_DIR "/assets/scenarios/%1.json").arg(name)}});
        return out;
    }
    Q_INVOKABLE bool haveWeather() const
    {
        return QDir(QStringLiteral(TWINDESK_ANCHORS_DIR "/weather")).exists();
    }
    Q_INVOKABLE QString missingPath() const { return m_dir.filePath("no-such.twin"); }

private:
    QObject* own(QObject* o)
    {
        QQmlEngine::setObjectOwnership(o, QQmlEngine::CppOwnership);
        return o;
    }

    QString results(QString& cached, const char* name, bool waiting)
    {
        if (!cached.isEmpty())
            return cached;
        const QString out = m_dir.filePath(QString::fromLatin1(name));
        std::vector<std::string> extra{"--set", "period.end=\"2025-01-08T00:00\""};
        if (waiting)
            extra.insert(extra.end(), {"--set", "policy.approvals.auto_approve=false"});
        const auto err = twindesk::test::simulateInto(
            TWINDESK_SOURCE_DIR "/assets/scenarios/conference-rules.json", out, extra);
        if (!err.empty()) {
            m_error += QString::fromStdString(err);
            return {};
        }
        cached = out;
        return cached;
    }

    QString sweepsProject()
    {
        if (!m_sweeps.isEmpty())
            return m_sweeps;
        const QString file = m_dir.filePath("sweeps.twin");
        if (auto store = twindesk::twin::ProjectStore::create(file.toStdString()); !store) {
            m_error += QString::fromStdString(store.error().message);
            return {};
        }
        const std::string demo = TWINDESK_SOURCE_DIR "/assets/scenarios/demo-office.json";
        for (const auto& extra : std::vector<std::vector<std::string>>{
                 {"--vary", "seed=1,2,3", "--variant-index", "0", "--sweep-name", "seeds"},
                 {"--vary", "building.defaults.heating_setpoint_c=18,22", "--sweep-name",
                  "setpoints"}}) {
            std::vector<std::string> args{"sweep", demo, "--project", file.toStdString(),
                                          "--vary", "period.end=\"2025-01-07T00:00\""};
            args.insert(args.end(), extra.begin(), extra.end());
            std::ostringstream out;
            std::ostringstream err;
            if (runCli(args, {out, err}) != 0) {
                m_error += QString::fromStdString(err.str());
                return {};
            }
        }
        m_sweeps = file;
        return m_sweeps;
    }

    QString liveProject()
    {
        if (!m_live.isEmpty())
            return m_live;
        const QString file = m_dir.filePath("live.twin");
        auto store = twindesk::twin::ProjectStore::create(file.toStdString());
        if (!store) {
            m_error += QString::fromStdString(store.error().message);
            return {};
        }
        auto events = twindesk::live::LiveEvents::open(*store);
        if (!events) {
            m_error += QString::fromStdString(events.error().message);
            return {};
        }
        const std::int64_t t0 = 1736150400000; // 2025-01-06T08:00Z
        namespace ev = twindesk::live::event;
        events->add({t0, ev::kConnected, "mqtt://127.0.0.1:1883", "session 1"});
        events->add({t0 + 60000, ev::kStale, "room_101/temperature", "no sample for 600 s"});
        events->add({t0 + 120000, ev::kCommandUnconfirmed, "room_102/setpoint", "no echo in 30 s"});
        events->add({t0 + 180000, ev::kFresh, "room_101/temperature", "back"});
        if (auto s = events->flush(); !s) {
            m_error += QString::fromStdString(s.error().message);
            return {};
        }
        m_live = file;
        return m_live;
    }

    QTemporaryDir m_dir;
    QString m_rules;
    QString m_waiting;
    QString m_live;
    QString m_sweeps;
    QString m_error;
};

class Setup : public QObject
{
    Q_OBJECT

public Q_SLOTS:
    void qmlEngineAvailable(QQmlEngine* engine)
    {
        engine->rootContext()->setContextProperty(QStringLiteral("fixture"), &m_fixture);
    }

private:
    Fixture m_fixture;
};

} // namespace

int main(int argc, char** argv)
{
    // Qt Charts' QML types need a QApplication; quick_test_main uses the one that exists.
    QApplication app(argc, argv);
    QTEST_SET_MAIN_SOURCE_PATH
    Setup setup;
    return quick_test_main_with_setup(argc, argv, "tst_qml", QUICK_TEST_SOURCE_DIR, &setup);
}

#include "tst_qml.moc"
