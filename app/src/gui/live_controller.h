#pragma once
/// \file live_controller.h
/// The console's live connection (issue #8 §8): the same loop as `twindesk live` (runLive:
/// telemetry in through a topic map or Home Assistant discovery, the policy, the guard, the
/// approval gate — nothing high-impact is applied without a person — commands out, everything
/// recorded in the project) on a worker thread, started and stopped from the Live view. The
/// view gets the connection state and the loop's counters after every frame; the alarm list
/// and the approvals queue read what the loop stores (LiveEventsModel, ApprovalsModel).

#include <QObject>
#include <QString>

#include <atomic>
#include <memory>
#include <thread>

namespace twindesk::app {

struct LiveProgress;

class LiveController : public QObject
{
    Q_OBJECT
    /// "disconnected", "connecting", "connected", "reconnecting", "stopping", "failed".
    Q_PROPERTY(QString state READ state NOTIFY changed)
    Q_PROPERTY(bool running READ running NOTIFY changed)
    Q_PROPERTY(QString project READ project WRITE setProject NOTIFY changed)
    Q_PROPERTY(QString broker READ broker NOTIFY changed)
    Q_PROPERTY(QString lastFrame READ lastFrame NOTIFY changed)
    Q_PROPERTY(double messages READ messages NOTIFY changed)
    Q_PROPERTY(double stored READ stored NOTIFY changed)
    Q_PROPERTY(double rejected READ rejected NOTIFY changed)
    Q_PROPERTY(int stalePoints READ stalePoints NOTIFY changed)
    Q_PROPERTY(int decisions READ decisions NOTIFY changed)
    Q_PROPERTY(int applied READ applied NOTIFY changed)
    Q_PROPERTY(int pendingApprovals READ pendingApprovals NOTIFY changed)
    Q_PROPERTY(QString summary READ summary NOTIFY changed)
    Q_PROPERTY(QString error READ error NOTIFY changed)

public:
    explicit LiveController(QObject* parent = nullptr);
    ~LiveController() override; ///< stops a running loop and waits for it (everything flushed)

    [[nodiscard]] QString state() const { return m_state; }
    [[nodiscard]] bool running() const { return m_thread.joinable(); }
    [[nodiscard]] QString project() const { return m_project; }
    /// The project the loop records into; refused (error) while connected.
    void setProject(const QString& project);
    [[nodiscard]] QString broker() const { return m_broker; }
    [[nodiscard]] QString lastFrame() const { return m_lastFrame; }
    [[nodiscard]] double messages() const { return m_messages; }
    [[nodiscard]] double stored() const { return m_stored; }
    [[nodiscard]] double rejected() const { return m_rejected; }
    [[nodiscard]] int stalePoints() const { return m_stale; }
    [[nodiscard]] int decisions() const { return m_decisions; }
    [[nodiscard]] int applied() const { return m_applied; }
    [[nodiscard]] int pendingApprovals() const { return m_pending; }
    /// The stopped loop's one-line summary (what `twindesk live` prints at the end).
    [[nodiscard]] QString summary() const { return m_summary; }
    [[nodiscard]] QString error() const { return m_error; }

    /// Connects: `broker` mqtt://[user@]host[:port]; `mapOrDiscovery` a topic map file, or
    /// `discovery:PREFIX` (e.g. discovery:homeassistant); `policy` NAME[:PARAMS_JSON].
    /// False (error set) when already running or an argument is empty; a broker that cannot be
    /// reached or a bad map shows up as state "failed" with the loop's message.
    Q_INVOKABLE bool connectTo(const QString& broker, const QString& mapOrDiscovery,
                               const QString& policy, int frameMs = 1000);
    /// Stops the loop cleanly after its current frame (asynchronous: watch `running`).
    Q_INVOKABLE void disconnectLive();

Q_SIGNALS:
    void changed();
    /// The loop stored something new (after every frame): views re-read the project.
    void frame();
    /// The loop ended (stopped or failed).
    void finished();

private:
    void onProgress(const LiveProgress& p);
    void onFinished(int code, const QString& out, const QString& err);
    void join();

    QString m_project;
    QString m_state = QStringLiteral("disconnected");
    QString m_broker;
    QString m_lastFrame;
    double m_messages = 0;
    double m_stored = 0;
    double m_rejected = 0;
    int m_stale = 0;
    int m_decisions = 0;
    int m_applied = 0;
    int m_pending = 0;
    QString m_summary;
    QString m_error;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

} // namespace twindesk::app
