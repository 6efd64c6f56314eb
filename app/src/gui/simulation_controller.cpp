#include "simulation_controller.h"

#include <twindesk/policies/scenario_run.h>
#include <twindesk/sim/scenario.h>
#include <twindesk/sim/sim_time.h>
#include <twindesk/sim/telemetry.h>

#include <QMetaObject>

#include <chrono>

namespace twindesk::app {

namespace {

using Clock = std::chrono::steady_clock;

/// What the UI shows of a run, computed on the worker thread.
struct Snapshot
{
    double progress = 0;
    QString time;
    QVariantMap kpis;
    QVariantMap values; ///< every bound point's current value (point id → value, its unit)
};

Snapshot snapshotOf(const policies::ScenarioRun& run)
{
    const auto& e = run.engine();
    Snapshot s;
    const auto steps = e.config().grid.stepCount();
    s.progress = steps > 0 ? static_cast<double>(e.state().step) / static_cast<double>(steps) : 1;
    s.time = QString::fromStdString(sim::formatUtc(e.state().time));
    const auto k = run.kpis();
    s.kpis = {{QStringLiteral("energy_kwh"), k.energy.totalKwh},
              {QStringLiteral("electricity_kwh"), k.energy.electricityKwh},
              {QStringLiteral("discomfort_kh"), k.comfort.discomfortKh},
              {QStringLiteral("co2_ppmh"), k.comfort.co2PpmH}};
    if (const auto* loop = run.loop()) {
        s.kpis[QStringLiteral("decisions")] = static_cast<qlonglong>(loop->stats().decisions);
        s.kpis[QStringLiteral("applied")] = static_cast<qlonglong>(loop->stats().applied);
    }
    sim::TelemetryFrame frame;
    e.sample(frame);
    for (const auto& p : frame.samples)
        if (p.quality)
            s.values.insert(QString::fromStdString(p.point), p.value);
    return s;
}

} // namespace

SimulationController::SimulationController(QObject* parent) : QObject(parent) {}

SimulationController::~SimulationController()
{
    stopWorker();
}

void SimulationController::stopWorker()
{
    if (!m_thread.joinable())
        return;
    {
        std::lock_guard lock(m_mutex);
        m_command = Command::Quit;
    }
    m_wake.notify_all();
    m_thread.join();
}

bool SimulationController::open(const QString& scenarioPath)
{
    stopWorker();
    sim::ScenarioOptions options;
    for (const auto& f : m_ontology)
        options.ontology.push_back(f.toStdString());
    options.anchorsDir = m_anchors.toStdString();
    auto scenario = sim::loadScenario(scenarioPath.toStdString(), options);
    if (!scenario) {
        m_error = QString::fromStdString(scenario.error().toString());
        m_state = QStringLiteral("failed");
        Q_EMIT changed();
        return false;
    }
    m_scenario = std::make_unique<sim::Scenario>(std::move(scenario).value());
    auto run = policies::ScenarioRun::make(*m_scenario, {});
    if (!run) {
        m_error = QString::fromStdString(run.error().toString());
        m_state = QStringLiteral("failed");
        Q_EMIT changed();
        return false;
    }
    m_run = std::move(run).value();
    const auto first = snapshotOf(*m_run);
    m_scenarioName = QString::fromStdString(m_scenario->name);
    m_progress = first.progress;
    m_simTime = first.time;
    m_kpis = first.kpis;
    m_error.clear();
    m_state = QStringLiteral("idle");
    m_command = Command::None;
    m_thread = std::thread([this] { worker(); });
    Q_EMIT changed();
    return true;
}

void SimulationController::run()
{
    {
        std::lock_guard lock(m_mutex);
        m_command = Command::Run;
    }
    m_wake.notify_all();
}

void SimulationController::pause()
{
    {
        std::lock_guard lock(m_mutex);
        m_command = Command::Pause;
    }
    m_wake.notify_all();
}

void SimulationController::step()
{
    {
        std::lock_guard lock(m_mutex);
        m_command = Command::Step;
    }
    m_wake.notify_all();
}

void SimulationController::setSpeed(double speed)
{
    if (speed < 0 || speed == m_speed)
        return;
    m_speed = speed;
    {
        std::lock_guard lock(m_mutex);
        m_pacing = speed;
    }
    Q_EMIT changed();
}

void SimulationController::publish(const QString& state, const QString& error)
{
    // Worker thread: hand an immutable copy to the UI thread.
    Snapshot s = snapshotOf(*m_run);
    QMetaObject::invokeMethod(
        this,
        [this, s = std::move(s), state, error] {
            m_progress = s.progress;
            m_simTime = s.time;
            m_kpis = s.kpis;
            m_state = state;
            if (!error.isEmpty())
                m_error = error;
            Q_EMIT changed();
            if (!s.values.isEmpty())
                Q_EMIT pointValues(s.values, s.time);
            if (state == QStringLiteral("finished"))
                Q_EMIT finished();
        },
        Qt::QueuedConnection);
}

void SimulationController::worker()
{
    auto& run = *m_run;
    while (true) {
        Command command = Command::None;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_command != Command::None; });
            command = m_command;
            m_command = Command::None;
        }
        if (command == Command::Quit)
            return;
        if (command == Command::Pause) {
            publish(QStringLiteral("paused"));
            continue;
        }
        if (run.finished()) {
            publish(QStringLiteral("finished"));
            continue;
        }
        if (command == Command::Step) {
            if (auto s = run.step(); !s) {
                publish(QStringLiteral("failed"), QString::fromStdString(s.error().toString()));
                continue;
            }
            publish(run.finished() ? QStringLiteral("finished") : QStringLiteral("paused"));
            continue;
        }
        // Run: step until the end, a pause or quit; snapshots about 20 times a second.
        auto wallStart = Clock::now();
        auto simStart = run.engine().state().time;
        double lastPacing = -1;
        auto lastPublish = Clock::now();
        publish(QStringLiteral("running"));
        bool stopped = false;
        while (!run.finished()) {
            double pacing = 0;
            {
                std::lock_guard lock(m_mutex);
                if (m_command == Command::Pause || m_command == Command::Quit) {
                    stopped = true;
                    break;
                }
                pacing = m_pacing;
            }
            if (pacing != lastPacing) { // a new speed counts from now
                lastPacing = pacing;
                wallStart = Clock::now();
                simStart = run.engine().state().time;
            }
            if (auto s = run.step(); !s) {
                publish(QStringLiteral("failed"), QString::fromStdString(s.error().toString()));
                stopped = true;
                break;
            }
            if (pacing > 0) {
                // Real time × pacing: wait for the step's wall-clock due time, in slices so a
                // pause is taken at once.
                const auto due =
                    wallStart + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<
                                                                            double>(
                                    static_cast<double>(run.engine().state().time - simStart) /
                                    pacing));
                while (Clock::now() < due) {
                    {
                        std::lock_guard lock(m_mutex);
                        if (m_command != Command::None)
                            break;
                    }
                    std::this_thread::sleep_until(
                        std::min(due, Clock::now() + std::chrono::milliseconds(100)));
                    if (Clock::now() - lastPublish > std::chrono::milliseconds(200)) {
                        lastPublish = Clock::now();
                        publish(QStringLiteral("running"));
                    }
                }
            }
            if (Clock::now() - lastPublish > std::chrono::milliseconds(50)) {
                lastPublish = Clock::now();
                publish(QStringLiteral("running"));
            }
        }
        if (!stopped)
            publish(QStringLiteral("finished"));
    }
}

} // namespace twindesk::app
