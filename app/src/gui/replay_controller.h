#pragma once
/// \file replay_controller.h
/// The console's replay view (issue #8 §6): a timeline scrubber over a recording. At the
/// scrubber's position the 3D building and a value panel show the state at that time (every
/// recorded point's last value at or before it, RecordingTimeline), the charts of a few chosen
/// points show a cursor there and the recorded decisions nearby are listed. A candidate policy
/// (the spec of `twindesk replay --policy`) is replayed open loop on a worker thread and its
/// decisions are set against the recorded ones round by round (ReplayRoundsModel); the
/// validation gate (`twindesk validate`) runs on a worker thread too and its HTML report opens
/// in the browser.
///
/// The CLI and this controller call the same functions (app::replayCandidate,
/// app::validateRecording). Threads: work runs on one worker thread at a time; progress and
/// results reach the UI thread by queued calls, results of an older run (another recording
/// opened meanwhile) are dropped. Everything else is UI-thread only. Qt Core and Gui
/// (QDesktopServices) only.

#include "recording_timeline.h"
#include "replay_rounds_model.h"

#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QVariantList>
#include <QVariantMap>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace twindesk::app {

class BuildingScene;

class ReplayController : public QObject
{
    Q_OBJECT
    // The recording.
    Q_PROPERTY(QString recordingPath READ recordingPath NOTIFY opened)
    Q_PROPERTY(bool ready READ ready NOTIFY opened)
    Q_PROPERTY(double startMs READ startMs NOTIFY opened)
    Q_PROPERTY(double endMs READ endMs NOTIFY opened)
    Q_PROPERTY(int frameCount READ frameCount NOTIFY opened)
    Q_PROPERTY(QStringList pointIds READ pointIds NOTIFY opened)
    /// The recorded policy as `replay --policy` spells it (name, or name:{params}).
    Q_PROPERTY(QString recordedPolicy READ recordedPolicy NOTIFY opened)
    Q_PROPERTY(int recordedDecisions READ recordedDecisions NOTIFY opened)
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)
    // The scrubber.
    Q_PROPERTY(double position READ position WRITE setPosition NOTIFY positionChanged)
    Q_PROPERTY(int frame READ frame NOTIFY positionChanged)
    Q_PROPERTY(QString positionText READ positionText NOTIFY positionChanged)
    /// The chart points' values at the position: [{point, name, value}] (value NaN: none).
    Q_PROPERTY(QVariantList values READ values NOTIFY positionChanged)
    /// Recorded (and candidate, once replayed) actions within ±nearWindowS of the position:
    /// [{time (ms), timeText, side ("recorded"/"candidate"), action}], in time order.
    Q_PROPERTY(QVariantList decisionsNear READ decisionsNear NOTIFY positionChanged)
    Q_PROPERTY(int nearWindowS READ nearWindowS WRITE setNearWindowS NOTIFY positionChanged)
    /// The points charted (ids), at most kMaxChartPoints.
    Q_PROPERTY(
        QStringList chartPoints READ chartPoints WRITE setChartPoints NOTIFY chartPointsChanged)
    // The candidate's replay.
    Q_PROPERTY(QString candidate READ candidate WRITE setCandidate NOTIFY candidateChanged)
    /// The registry's policy names.
    Q_PROPERTY(QStringList policyNames READ policyNames CONSTANT)
    /// "idle", "running", "finished", "cancelled", "failed".
    Q_PROPERTY(QString replayState READ replayState NOTIFY replayChanged)
    Q_PROPERTY(double replayProgress READ replayProgress NOTIFY replayChanged)
    /// {candidate, agreement (0…1), recorded, candidateActions, matched, decisions, fallbacks,
    ///  firstDivergenceMs (NaN: none), firstDivergenceText, byKind: [{kind, recorded,
    ///  candidate, matched}], shifted, meanShiftS, maxAbsShiftS}; empty before a replay.
    Q_PROPERTY(QVariantMap summary READ summary NOTIFY replayChanged)
    Q_PROPERTY(ReplayRoundsModel* rounds READ rounds CONSTANT)
    // The validation gate.
    Q_PROPERTY(QString gatePath READ gatePath WRITE setGatePath NOTIFY gateChanged)
    /// The bundled gate files (assets/gates/*.yaml).
    Q_PROPERTY(QStringList gateFiles READ gateFiles CONSTANT)
    /// "idle", "running", "passed", "failed" (the gate), "cancelled", "error".
    Q_PROPERTY(QString gateState READ gateState NOTIFY gateChanged)
    Q_PROPERTY(QVariantList gateProgress READ gateProgress NOTIFY gateChanged)
    /// [{kpi, rule, baseline, candidate, change, pass, reason}].
    Q_PROPERTY(QVariantList gateResults READ gateResults NOTIFY gateChanged)
    Q_PROPERTY(QString gateBaseline READ gateBaseline NOTIFY gateChanged)
    Q_PROPERTY(QString gateCandidate READ gateCandidate NOTIFY gateChanged)
    Q_PROPERTY(QString reportPath READ reportPath NOTIFY gateChanged)

public:
    static constexpr int kMaxChartPoints = 4;

    explicit ReplayController(QObject* parent = nullptr);
    ~ReplayController() override;
    ReplayController(const ReplayController&) = delete;
    ReplayController& operator=(const ReplayController&) = delete;
    ReplayController(ReplayController&&) = delete;
    ReplayController& operator=(ReplayController&&) = delete;

    /// The shared-data folder `${anchors}` in the recorded scenario stands for.
    void setAnchorsDir(QString dir) { m_anchors = std::move(dir); }
    /// The bundled gate files offered (and the default one picked from).
    void setGateFiles(QStringList files) { m_gateFiles = std::move(files); }
    /// The 3D building to colour with the values at the position (may be null; not owned).
    /// Only while the replay view is shown (setSceneFollows) so the Twin tab keeps its own.
    void setScene(BuildingScene* scene);
    /// Where the report is written: a folder (default: the system's temporary folder).
    void setReportDir(QString dir) { m_reportDir = std::move(dir); }

    /// Opens a recording (a results file with recorded frames): stops any work, reads its
    /// frames, decisions and recorded policy, puts the scrubber at its start, picks default
    /// chart points and gate file. False with error() — the file and what is wrong — when it
    /// cannot be read or is not a recording; the previous recording then stays.
    Q_INVOKABLE bool open(const QString& recordingPath);
    /// A file to open when the view is first shown (the console's project, which may be a
    /// recording): openDefault() opens it then, so a large recording costs nothing at start.
    void setDefaultRecording(const QString& path);
    /// Opens the default recording unless it is open or was tried already; a file that is not
    /// a recording leaves no error (the view offers to open one). True when it is open.
    Q_INVOKABLE bool openDefault();
    /// Forgets the last error message.
    Q_INVOKABLE void clearError() { setError({}); }
    /// The scrubber to frame `frame` (clamped).
    Q_INVOKABLE void seekFrame(int frame);
    /// Moves the scrubber by `frames` (negative: back).
    Q_INVOKABLE void step(int frames);
    /// The position jumps to the candidate's first divergence (no-op without one).
    Q_INVOKABLE void seekFirstDivergence();
    /// Points of a chart: [{x: ms, y}] as steps (a value holds until it changes), min/max
    /// downsampled to at most maxPoints; the whole recording.
    Q_INVOKABLE QVariantList series(const QString& point, int maxPoints) const;
    /// A point's short name (its IRI's local part).
    Q_INVOKABLE QString pointName(const QString& point) const;
    /// Whether the 3D building shows the position's values (the replay view is shown); on
    /// pushes them at once.
    Q_INVOKABLE void setSceneFollows(bool follows);

    /// Replays the recording with candidate() on a worker thread; then summary() and rounds().
    /// Ignored while work runs.
    Q_INVOKABLE void runReplay();
    /// Runs the validation gate (baseline: the recorded policy, candidate(), gatePath()) on a
    /// worker thread and writes the HTML report to reportPath(). Ignored while work runs.
    Q_INVOKABLE void runGate();
    /// Stops the running work after its current frame or step.
    Q_INVOKABLE void cancel();
    /// Opens the report in the desktop's browser. False when there is none.
    Q_INVOKABLE bool openReport() const;
    /// Blocks (processing events) until the worker is done; for tests and --screenshot.
    bool waitForIdle(int timeoutMs);

    [[nodiscard]] QString recordingPath() const { return m_path; }
    [[nodiscard]] bool ready() const { return m_timeline != nullptr; }
    [[nodiscard]] double startMs() const;
    [[nodiscard]] double endMs() const;
    [[nodiscard]] int frameCount() const;
    [[nodiscard]] QStringList pointIds() const { return m_pointIds; }
    [[nodiscard]] QString recordedPolicy() const { return m_recordedPolicy; }
    [[nodiscard]] int recordedDecisions() const { return static_cast<int>(m_recorded.size()); }
    [[nodiscard]] QString error() const { return m_error; }
    [[nodiscard]] double position() const { return m_positionMs; }
    void setPosition(double ms);
    [[nodiscard]] int frame() const { return static_cast<int>(m_frame); }
    [[nodiscard]] QString positionText() const;
    [[nodiscard]] QVariantList values() const;
    [[nodiscard]] QVariantList decisionsNear() const;
    [[nodiscard]] int nearWindowS() const { return m_nearWindowS; }
    void setNearWindowS(int seconds);
    [[nodiscard]] QStringList chartPoints() const { return m_chartPoints; }
    void setChartPoints(const QStringList& points);
    /// Every point's value at the position (id → value), what the 3D building gets.
    [[nodiscard]] QVariantMap pointValues() const;
    [[nodiscard]] QString candidate() const { return m_candidate; }
    void setCandidate(const QString& spec);
    [[nodiscard]] QStringList policyNames() const;
    [[nodiscard]] QString replayState() const { return m_replayState; }
    [[nodiscard]] double replayProgress() const { return m_replayProgress; }
    [[nodiscard]] QVariantMap summary() const { return m_summary; }
    [[nodiscard]] ReplayRoundsModel* rounds() const { return m_rounds; }
    [[nodiscard]] QString gatePath() const { return m_gatePath; }
    void setGatePath(const QString& path);
    [[nodiscard]] QStringList gateFiles() const { return m_gateFiles; }
    [[nodiscard]] QString gateState() const { return m_gateState; }
    [[nodiscard]] QVariantList gateProgress() const
    {
        return {m_gateProgress[0], m_gateProgress[1]};
    }
    [[nodiscard]] QVariantList gateResults() const { return m_gateResults; }
    [[nodiscard]] QString gateBaseline() const { return m_gateBaseline; }
    [[nodiscard]] QString gateCandidate() const { return m_gateCandidate; }
    [[nodiscard]] QString reportPath() const { return m_reportPath; }

Q_SIGNALS:
    void opened();
    void errorChanged();
    void positionChanged();
    void chartPointsChanged();
    void candidateChanged();
    void replayChanged();
    void gateChanged();
    /// A replay or gate run is over (finished, cancelled or failed).
    void workFinished();

private:
    void stopWork();
    void setError(const QString& message);
    void pushToScene();
    [[nodiscard]] bool busy() const;

    QString m_anchors;
    QStringList m_gateFiles;
    QString m_reportDir;
    QPointer<BuildingScene> m_scene;
    bool m_sceneFollows = false;

    QString m_path;
    QString m_default;
    bool m_defaultTried = false;
    std::shared_ptr<const RecordingTimeline> m_timeline;
    QStringList m_pointIds;
    QString m_recordedPolicy;
    std::vector<policies::ProposedAction> m_recorded;
    std::vector<policies::ProposedAction> m_candidateActions;
    QString m_error;

    double m_positionMs = 0;
    std::size_t m_frame = 0;
    std::vector<double> m_values; ///< every point's, at m_frame
    int m_nearWindowS = 1800;
    QStringList m_chartPoints;

    QString m_candidate;
    QString m_replayState = QStringLiteral("idle");
    double m_replayProgress = 0;
    QVariantMap m_summary;
    ReplayRoundsModel* m_rounds;

    QString m_gatePath;
    QString m_gateState = QStringLiteral("idle");
    double m_gateProgress[2] = {0, 0};
    QVariantList m_gateResults;
    QString m_gateBaseline;
    QString m_gateCandidate;
    QString m_reportPath;

    std::thread m_thread;
    std::atomic<bool> m_cancel{false};
    std::uint64_t m_generation = 0;
    bool m_working = false;
};

} // namespace twindesk::app
