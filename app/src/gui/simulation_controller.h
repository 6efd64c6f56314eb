#pragma once
/// \file simulation_controller.h
/// The console's simulation view (issue #8 §4): a scenario runs through ScenarioRun (the run
/// path of `simulate`) on a worker thread; the UI commands it (run, pause, one step, speed)
/// through a small queue the worker drains between steps, and receives immutable snapshots
/// (time, progress, KPIs) through queued calls — the engine is never touched by the UI
/// thread while it runs. Pacing (real time × N) happens here, never in the engine, so a run is
/// as deterministic as `simulate`. Qt Core only.

#include <QObject>
#include <QStringList>
#include <QVariantMap>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

namespace twindesk::sim {
struct Scenario;
}
namespace twindesk::policies {
class ScenarioRun;
}

namespace twindesk::app {

class SimulationController : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString state READ state NOTIFY changed)
    Q_PROPERTY(double progress READ progress NOTIFY changed)
    Q_PROPERTY(QString simTime READ simTime NOTIFY changed)
    Q_PROPERTY(QVariantMap kpis READ kpis NOTIFY changed)
    Q_PROPERTY(QString scenario READ scenario NOTIFY changed)
    Q_PROPERTY(double speed READ speed WRITE setSpeed NOTIFY changed)
    Q_PROPERTY(QString error READ error NOTIFY changed)

public:
    explicit SimulationController(QObject* parent = nullptr);
    ~SimulationController() override;

    /// The ontology files scenarios with a Brick building are imported with.
    void setOntology(QStringList files) { m_ontology = std::move(files); }
    /// The shared-data folder `${anchors}` in scenario files stands for.
    void setAnchorsDir(QString dir) { m_anchors = std::move(dir); }

    /// Loads a scenario (stopping a running one). False with error(); state "idle" on success.
    Q_INVOKABLE bool open(const QString& scenarioPath);
    /// Runs to the end (at speed()), from where it is.
    Q_INVOKABLE void run();
    Q_INVOKABLE void pause();
    /// One step while paused or idle.
    Q_INVOKABLE void step();

    /// "idle", "running", "paused", "finished", "failed".
    [[nodiscard]] QString state() const { return m_state; }
    [[nodiscard]] double progress() const { return m_progress; }
    [[nodiscard]] QString simTime() const { return m_simTime; }
    [[nodiscard]] QVariantMap kpis() const { return m_kpis; }
    [[nodiscard]] QString scenario() const { return m_scenarioName; }
    /// Simulated seconds per wall second; 0: as fast as possible.
    [[nodiscard]] double speed() const { return m_speed; }
    void setSpeed(double speed);
    [[nodiscard]] QString error() const { return m_error; }

Q_SIGNALS:
    void changed();
    void finished();
    /// With every snapshot: the current value of every point the scenario binds (point id →
    /// value in the point's unit) and the simulated time, e.g. to colour the 3D building.
    void pointValues(const QVariantMap& values, const QString& time);

private:
    enum class Command : std::uint8_t { None, Run, Pause, Step, Quit };
    void worker();
    void stopWorker();
    void publish(const QString& state, const QString& error = {});

    QStringList m_ontology;
    QString m_anchors;
    // Owned by the worker while it runs; handed over at open().
    std::unique_ptr<sim::Scenario> m_scenario;
    std::unique_ptr<policies::ScenarioRun> m_run;
    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    Command m_command = Command::None; ///< guarded by m_mutex
    double m_pacing = 0;               ///< guarded by m_mutex (speed for the worker)
    // UI thread only: the latest snapshot.
    QString m_state = QStringLiteral("idle");
    double m_progress = 0;
    QString m_simTime;
    QVariantMap m_kpis;
    QString m_scenarioName;
    double m_speed = 0;
    QString m_error;
};

} // namespace twindesk::app
