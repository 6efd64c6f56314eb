#include "replay_controller.h"

#include "building_scene.h"
#include "downsample.h"
#include "replay_command.h"
#include "validate_command.h"

#include <twindesk/policies/policy_registry.h>
#include <twindesk/policies/replay.h>
#include <twindesk/sim/sim_time.h>
#include <twindesk/twin/project_store.h>
#include <twindesk/twin/twin_graph.h>

#include <QCoreApplication>
#include <QDesktopServices>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QMetaObject>
#include <QUrl>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>

namespace twindesk::app {

namespace {

using Clock = std::chrono::steady_clock;

QString localName(const std::string& id)
{
    const auto cut = id.find_last_of("#/:");
    return QString::fromStdString(cut == std::string::npos ? id : id.substr(cut + 1));
}

/// The recorded policy as `--policy` spells it: "name", or "name:{params}" with parameters.
QString policySpec(const std::string& policyJson)
{
    const auto j = nlohmann::json::parse(policyJson, nullptr, false);
    if (!j.is_object() || !j.contains("name") || !j["name"].is_string())
        return {};
    std::string spec = j["name"].get<std::string>();
    if (j.contains("params") && j["params"].is_object() && !j["params"].empty())
        spec += ":" + j["params"].dump();
    return QString::fromStdString(spec);
}

/// Default chart points: a zone temperature the recorded policy acted on (the room of its first
/// action's target, else the most active temperature sensor) and up to three of its siblings
/// of the same quantity (same id up to the last '_': the room's setpoints), most active first.
QStringList defaultChartPoints(const RecordingTimeline& t, const twin::TwinGraph* graph,
                               const std::vector<policies::ProposedAction>& recorded)
{
    const auto& points = t.points();
    std::vector<std::size_t> changes(points.size(), 0);
    std::vector<bool> temperature(points.size(), false);
    std::vector<int> quantity(points.size(), -1);
    for (std::size_t p = 0; p < points.size(); ++p) {
        changes[p] = t.changes(static_cast<int>(p), t.start(), t.end()).size();
        if (graph != nullptr)
            if (const auto e = graph->find(points[p])) {
                const auto& point = graph->entity(*e).point;
                if (point)
                    quantity[p] = static_cast<int>(point->quantity);
                temperature[p] = point && point->type == twin::PointType::Sensor &&
                                 point->quantity == twin::Quantity::Temperature;
            }
    }
    std::vector<std::size_t> order(points.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return changes[a] > changes[b]; });
    QStringList out;
    if (order.empty())
        return out;
    auto prefixOf = [](const std::string& id) {
        const auto cut = id.find_last_of('_');
        return cut == std::string::npos ? id : id.substr(0, cut + 1);
    };
    // The room the policy acted on first: its target's id up to the last '_' (a point) or
    // the target followed by '_' (a room).
    std::vector<std::string> wanted;
    if (!recorded.empty()) {
        const auto& action = recorded.front().action;
        const auto at = action.find("target=");
        if (at != std::string::npos) {
            const auto target = action.substr(at + 7, action.find(' ', at) - at - 7);
            wanted = {target + "_", prefixOf(target)};
        }
    }
    std::size_t top = order.front();
    bool found = false;
    for (const auto& prefix : wanted) {
        for (const auto i : order)
            if (temperature[i] && points[i].rfind(prefix, 0) == 0) {
                top = i;
                found = true;
                break;
            }
        if (found)
            break;
    }
    if (!found)
        for (const auto i : order)
            if (temperature[i]) {
                top = i;
                break;
            }
    out.push_back(QString::fromStdString(points[top]));
    const std::string prefix = prefixOf(points[top]);
    // Siblings of the same quantity only (setpoints beside a temperature share its axis).
    for (const auto i : order)
        if (out.size() < ReplayController::kMaxChartPoints && i != top &&
            quantity[i] == quantity[top] && points[i].rfind(prefix, 0) == 0 && changes[i] > 1)
            out.push_back(QString::fromStdString(points[i]));
    return out;
}

QString formatNumber(double v)
{
    if (!std::isfinite(v))
        return QStringLiteral("n/a");
    if (v != 0.0 && (std::abs(v) < 0.01 || std::abs(v) >= 1e6))
        return QString::number(v, 'g', 3);
    return QString::number(v, 'f', 2);
}

} // namespace

ReplayController::ReplayController(QObject* parent)
    : QObject(parent), m_rounds(new ReplayRoundsModel(this))
{
}

ReplayController::~ReplayController()
{
    stopWork();
}

void ReplayController::stopWork()
{
    if (!m_thread.joinable())
        return;
    m_cancel = true;
    m_thread.join();
    m_working = false;
}

bool ReplayController::busy() const
{
    return m_working;
}

void ReplayController::setError(const QString& message)
{
    m_error = message;
    Q_EMIT errorChanged();
}

bool ReplayController::open(const QString& recordingPath)
{
    const std::filesystem::path file = recordingPath.toStdString();
    auto timeline = RecordingTimeline::open(file);
    if (!timeline) {
        setError(QString::fromStdString(timeline.error().toString()));
        return false;
    }
    std::vector<policies::ProposedAction> recorded;
    std::string policyJson;
    std::unique_ptr<twin::TwinGraph> graph; // for the default chart points only
    {
        auto store = twin::ProjectStore::open(file, twin::OpenMode::ReadOnly);
        if (!store) {
            setError(QString::fromStdString(store.error().toString()));
            return false;
        }
        auto proposals = policies::recordedProposals(*store);
        if (!proposals) {
            setError(QString::fromStdString(proposals.error().toString()));
            return false;
        }
        recorded = std::move(proposals).value();
        if (auto meta = store->allMeta())
            if (auto it = meta->find("policy_json"); it != meta->end())
                policyJson = it->second;
        if (auto model = store->loadModel())
            graph = std::make_unique<twin::TwinGraph>(std::move(model).value());
    }
    stopWork();
    ++m_generation;
    m_path = QFileInfo(recordingPath).absoluteFilePath();
    m_timeline = std::make_shared<const RecordingTimeline>(std::move(timeline).value());
    m_pointIds.clear();
    for (const auto& p : m_timeline->points())
        m_pointIds.push_back(QString::fromStdString(p));
    m_recorded = std::move(recorded);
    m_candidateActions.clear();
    m_recordedPolicy = policySpec(policyJson);
    if (m_candidate.isEmpty())
        m_candidate = m_recordedPolicy;
    m_replayState = QStringLiteral("idle");
    m_replayProgress = 0;
    m_summary.clear();
    m_rounds->setRounds({});
    m_gateState = QStringLiteral("idle");
    m_gateProgress[0] = m_gateProgress[1] = 0;
    m_gateResults.clear();
    m_gateBaseline.clear();
    m_gateCandidate.clear();
    m_reportPath.clear();
    // The gate whose name the recorded scenario or policy mentions (conference, consolidation).
    if (m_gatePath.isEmpty() || !QFileInfo::exists(m_gatePath)) {
        QString scenario;
        if (auto store = twin::ProjectStore::open(file, twin::OpenMode::ReadOnly))
            if (auto meta = store->allMeta())
                if (auto it = meta->find("scenario"); it != meta->end())
                    scenario = QFileInfo(QString::fromStdString(it->second)).completeBaseName();
        const QString haystack = scenario + QLatin1Char(' ') + m_recordedPolicy;
        m_gatePath = m_gateFiles.value(0);
        for (const auto& g : m_gateFiles)
            if (haystack.contains(QFileInfo(g).completeBaseName(), Qt::CaseInsensitive)) {
                m_gatePath = g;
                break;
            }
    }
    m_chartPoints = defaultChartPoints(*m_timeline, graph.get(), m_recorded);
    m_error.clear();
    m_frame = 0;
    m_positionMs = static_cast<double>(m_timeline->start()) * 1000.0;
    m_values = m_timeline->valuesAfterFrame(0);
    Q_EMIT opened();
    Q_EMIT errorChanged();
    Q_EMIT chartPointsChanged();
    Q_EMIT candidateChanged();
    Q_EMIT replayChanged();
    Q_EMIT gateChanged();
    Q_EMIT positionChanged();
    pushToScene();
    return true;
}

void ReplayController::setDefaultRecording(const QString& path)
{
    if (path == m_default)
        return;
    m_default = path;
    m_defaultTried = false;
}

bool ReplayController::openDefault()
{
    if (m_default.isEmpty() || m_defaultTried)
        return ready();
    m_defaultTried = true;
    if (ready() && m_path == QFileInfo(m_default).absoluteFilePath())
        return true;
    const QString before = m_error;
    if (open(m_default))
        return true;
    if (m_error != before)
        setError(before); // not a recording: no error, the view offers to open one
    return false;
}

double ReplayController::startMs() const
{
    return m_timeline ? static_cast<double>(m_timeline->start()) * 1000.0 : 0.0;
}

double ReplayController::endMs() const
{
    return m_timeline ? static_cast<double>(m_timeline->end()) * 1000.0 : 0.0;
}

int ReplayController::frameCount() const
{
    return m_timeline ? static_cast<int>(m_timeline->frameCount()) : 0;
}

void ReplayController::setPosition(double ms)
{
    if (!m_timeline || !std::isfinite(ms))
        return;
    ms = std::clamp(ms, startMs(), endMs());
    const auto frame = m_timeline->frameAt(static_cast<sim::Seconds>(std::floor(ms / 1000.0)));
    const bool moved = ms != m_positionMs;
    m_positionMs = ms;
    if (frame != m_frame || m_values.empty()) {
        m_frame = frame;
        m_values = m_timeline->valuesAfterFrame(frame);
        pushToScene();
    }
    if (moved)
        Q_EMIT positionChanged();
}

void ReplayController::seekFrame(int frame)
{
    if (!m_timeline)
        return;
    const auto f = static_cast<std::size_t>(
        std::clamp(frame, 0, static_cast<int>(m_timeline->frameCount()) - 1));
    setPosition(static_cast<double>(m_timeline->frameTime(f)) * 1000.0);
}

void ReplayController::step(int frames)
{
    seekFrame(static_cast<int>(m_frame) + frames);
}

void ReplayController::seekFirstDivergence()
{
    const auto ms = m_summary.value(QStringLiteral("firstDivergenceMs")).toDouble();
    if (m_summary.contains(QStringLiteral("firstDivergenceMs")) && std::isfinite(ms))
        setPosition(ms);
}

QString ReplayController::positionText() const
{
    if (!m_timeline)
        return {};
    return QString::fromStdString(
        sim::formatUtc(static_cast<sim::Seconds>(std::floor(m_positionMs / 1000.0))));
}

QVariantList ReplayController::values() const
{
    QVariantList out;
    if (!m_timeline)
        return out;
    for (const auto& p : m_chartPoints) {
        const int i = m_timeline->pointIndex(p.toStdString());
        const double v = i >= 0 ? m_values[static_cast<std::size_t>(i)]
                                : std::numeric_limits<double>::quiet_NaN();
        out.push_back(QVariantMap{{QStringLiteral("point"), p},
                                  {QStringLiteral("name"), pointName(p)},
                                  {QStringLiteral("value"), v},
                                  {QStringLiteral("text"), formatNumber(v)}});
    }
    return out;
}

QVariantMap ReplayController::pointValues() const
{
    QVariantMap out;
    if (!m_timeline)
        return out;
    const auto& points = m_timeline->points();
    for (std::size_t i = 0; i < points.size(); ++i)
        out.insert(QString::fromStdString(points[i]), m_values[i]);
    return out;
}

QVariantList ReplayController::decisionsNear() const
{
    QVariantList out;
    if (!m_timeline)
        return out;
    const auto t = static_cast<sim::Seconds>(std::floor(m_positionMs / 1000.0));
    std::vector<std::pair<const policies::ProposedAction*, bool>> near; // (action, candidate?)
    auto collect = [&](const std::vector<policies::ProposedAction>& actions, bool candidate) {
        auto lo = std::lower_bound(actions.begin(), actions.end(), t - m_nearWindowS,
                                   [](const auto& a, sim::Seconds s) { return a.time < s; });
        for (auto it = lo; it != actions.end() && it->time <= t + m_nearWindowS; ++it)
            near.emplace_back(&*it, candidate);
    };
    collect(m_recorded, false);
    collect(m_candidateActions, true);
    std::stable_sort(near.begin(), near.end(),
                     [](const auto& a, const auto& b) { return a.first->time < b.first->time; });
    constexpr std::size_t kMax = 200;
    for (std::size_t i = 0; i < near.size() && i < kMax; ++i) {
        const auto& [a, candidate] = near[i];
        out.push_back(QVariantMap{
            {QStringLiteral("time"), static_cast<double>(a->time) * 1000.0},
            {QStringLiteral("timeText"), QString::fromStdString(sim::formatUtc(a->time))},
            {QStringLiteral("side"),
             candidate ? QStringLiteral("candidate") : QStringLiteral("recorded")},
            {QStringLiteral("action"), QString::fromStdString(a->action)}});
    }
    return out;
}

void ReplayController::setNearWindowS(int seconds)
{
    seconds = std::max(0, seconds);
    if (seconds == m_nearWindowS)
        return;
    m_nearWindowS = seconds;
    Q_EMIT positionChanged();
}

void ReplayController::setChartPoints(const QStringList& points)
{
    QStringList kept;
    for (const auto& p : points)
        if (!kept.contains(p) && kept.size() < kMaxChartPoints &&
            (!m_timeline || m_timeline->pointIndex(p.toStdString()) >= 0))
            kept.push_back(p);
    if (kept == m_chartPoints)
        return;
    m_chartPoints = kept;
    Q_EMIT chartPointsChanged();
    Q_EMIT positionChanged(); // the value panel
}

QVariantList ReplayController::series(const QString& point, int maxPoints) const
{
    QVariantList out;
    if (!m_timeline)
        return out;
    const auto changes = m_timeline->changes(m_timeline->pointIndex(point.toStdString()),
                                             m_timeline->start(), m_timeline->end());
    if (changes.empty())
        return out;
    // Steps: each value holds until the next change, and the last until the end.
    std::vector<std::pair<double, double>> steps;
    steps.reserve(changes.size() * 2 + 1);
    for (std::size_t i = 0; i < changes.size(); ++i) {
        if (i > 0)
            steps.emplace_back(static_cast<double>(changes[i].first) * 1000.0,
                               changes[i - 1].second);
        steps.emplace_back(static_cast<double>(changes[i].first) * 1000.0, changes[i].second);
    }
    steps.emplace_back(endMs(), changes.back().second);
    for (const auto i :
         minMaxIndices(steps.size(), static_cast<std::size_t>(std::max(2, maxPoints)),
                       [&steps](std::size_t k) { return steps[k].second; }))
        if (std::isfinite(steps[i].second))
            out.push_back(QVariantMap{{QStringLiteral("x"), steps[i].first},
                                      {QStringLiteral("y"), steps[i].second}});
    return out;
}

QString ReplayController::pointName(const QString& point) const
{
    return localName(point.toStdString());
}

void ReplayController::setScene(BuildingScene* scene)
{
    m_scene = scene;
}

void ReplayController::setSceneFollows(bool follows)
{
    m_sceneFollows = follows;
    pushToScene();
}

void ReplayController::pushToScene()
{
    if (!m_sceneFollows || m_scene == nullptr || !m_timeline)
        return;
    std::unordered_map<std::string, double> values;
    const auto& points = m_timeline->points();
    values.reserve(points.size());
    for (std::size_t i = 0; i < points.size(); ++i)
        values.emplace(points[i], m_values[i]);
    m_scene->setValues(std::move(values), QStringLiteral("recording at ") + positionText());
}

void ReplayController::setCandidate(const QString& spec)
{
    if (spec == m_candidate)
        return;
    m_candidate = spec.trimmed();
    Q_EMIT candidateChanged();
}

QStringList ReplayController::policyNames() const
{
    QStringList out;
    for (const auto& d : policies::availablePolicies())
        out.push_back(QString::fromStdString(d.name));
    return out;
}

void ReplayController::setGatePath(const QString& path)
{
    if (path == m_gatePath)
        return;
    m_gatePath = path;
    Q_EMIT gateChanged();
}

void ReplayController::cancel()
{
    m_cancel = true;
}

bool ReplayController::waitForIdle(int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (m_working && timer.elapsed() < timeoutMs)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    return !m_working;
}

void ReplayController::runReplay()
{
    if (!m_timeline || m_working)
        return;
    stopWork();
    const auto generation = ++m_generation;
    const std::filesystem::path recording = m_path.toStdString();
    const std::string spec = m_candidate.isEmpty() ? "recorded" : m_candidate.toStdString();
    const std::filesystem::path anchors = m_anchors.toStdString();
    m_cancel = false;
    m_working = true;
    m_replayState = QStringLiteral("running");
    m_replayProgress = 0;
    m_summary.clear();
    m_candidateActions.clear();
    m_rounds->setRounds({});
    m_error.clear();
    Q_EMIT errorChanged();
    Q_EMIT replayChanged();

    m_thread = std::thread([this, generation, recording, spec, anchors] {
        auto lastPublish = Clock::now();
        ReplayHooks hooks;
        hooks.cancel = &m_cancel;
        hooks.progress = [&](std::size_t done, std::size_t frames) {
            if (Clock::now() - lastPublish < std::chrono::milliseconds(50))
                return;
            lastPublish = Clock::now();
            const double progress =
                frames > 0 ? static_cast<double>(done) / static_cast<double>(frames) : 1.0;
            QMetaObject::invokeMethod(
                this,
                [this, generation, progress] {
                    if (generation != m_generation || m_replayState != QStringLiteral("running"))
                        return;
                    m_replayProgress = progress;
                    Q_EMIT replayChanged();
                },
                Qt::QueuedConnection);
        };
        auto replayed = replayCandidate(recording, spec, "candidate", std::nullopt, anchors, hooks);
        // The results, built here and handed over as immutable copies.
        QString state;
        QString error;
        QVariantMap summary;
        std::vector<ReplayRound> rounds;
        std::vector<policies::ProposedAction> actions;
        if (!replayed) {
            state = QStringLiteral("failed");
            error = QString::fromStdString(replayed.error().toString());
        } else if (replayed->cancelled) {
            state = QStringLiteral("cancelled");
        } else {
            state = QStringLiteral("finished");
            const auto& c = replayed->comparison;
            QVariantList byKind;
            for (const auto& [kind, n] : c.byKind)
                byKind.push_back(
                    QVariantMap{{QStringLiteral("kind"), QString::fromStdString(kind)},
                                {QStringLiteral("recorded"), static_cast<qlonglong>(n[0])},
                                {QStringLiteral("candidate"), static_cast<qlonglong>(n[1])},
                                {QStringLiteral("matched"), static_cast<qlonglong>(n[2])}});
            summary = {
                {QStringLiteral("candidate"),
                 QString::fromStdString(replayed->candidateId + " " + replayed->candidateVersion)},
                {QStringLiteral("agreement"), c.agreement},
                {QStringLiteral("recorded"), static_cast<qlonglong>(c.recorded)},
                {QStringLiteral("candidateActions"), static_cast<qlonglong>(c.candidate)},
                {QStringLiteral("matched"), static_cast<qlonglong>(c.matched)},
                {QStringLiteral("decisions"), static_cast<qlonglong>(replayed->stats.decisions)},
                {QStringLiteral("fallbacks"), static_cast<qlonglong>(replayed->stats.fallbacks)},
                {QStringLiteral("firstDivergenceMs"),
                 c.firstDivergence ? static_cast<double>(*c.firstDivergence) * 1000.0
                                   : std::numeric_limits<double>::quiet_NaN()},
                {QStringLiteral("firstDivergenceText"),
                 c.firstDivergence ? QString::fromStdString(sim::formatUtc(*c.firstDivergence))
                                   : QString()},
                {QStringLiteral("byKind"), byKind},
                {QStringLiteral("shifted"), static_cast<qlonglong>(c.shifted)},
                {QStringLiteral("meanShiftS"), c.meanShiftS},
                {QStringLiteral("maxAbsShiftS"), c.maxAbsShiftS},
            };
            rounds = replayRounds(replayed->recorded, replayed->candidate);
            actions = std::move(replayed->candidate);
        }
        QMetaObject::invokeMethod(
            this,
            [this, generation, state, error, summary, rounds = std::move(rounds),
             actions = std::move(actions)]() mutable {
                if (generation != m_generation)
                    return;
                m_working = false;
                m_replayState = state;
                m_replayProgress = state == QStringLiteral("finished") ? 1.0 : m_replayProgress;
                m_summary = summary;
                m_candidateActions = std::move(actions);
                m_rounds->setRounds(std::move(rounds));
                if (!error.isEmpty())
                    setError(error);
                Q_EMIT replayChanged();
                Q_EMIT positionChanged(); // the candidate's decisions near the position
                Q_EMIT workFinished();
            },
            Qt::QueuedConnection);
    });
}

void ReplayController::runGate()
{
    if (!m_timeline || m_working)
        return;
    stopWork();
    const auto generation = ++m_generation;
    ValidateOptions options;
    options.recording = m_path.toStdString();
    options.candidate = m_candidate.isEmpty() ? "recorded" : m_candidate.toStdString();
    options.baseline = "recorded";
    options.gate = m_gatePath.toStdString();
    options.anchors = m_anchors.toStdString();
    const QString dir = m_reportDir.isEmpty() ? QDir::tempPath() : m_reportDir;
    const QString report = QDir(dir).filePath(QFileInfo(m_path).completeBaseName() +
                                              QStringLiteral("-validation.html"));
    options.report = report.toStdString();
    m_cancel = false;
    m_working = true;
    m_gateState = QStringLiteral("running");
    m_gateProgress[0] = m_gateProgress[1] = 0;
    m_gateResults.clear();
    m_gateBaseline.clear();
    m_gateCandidate.clear();
    m_reportPath.clear();
    m_error.clear();
    Q_EMIT errorChanged();
    Q_EMIT gateChanged();

    m_thread = std::thread([this, generation, options, report] {
        ValidateHooks hooks;
        hooks.cancel = &m_cancel;
        hooks.progress = [this, generation](int side, double progress) {
            QMetaObject::invokeMethod(
                this,
                [this, generation, side, progress] {
                    if (generation != m_generation || m_gateState != QStringLiteral("running"))
                        return;
                    m_gateProgress[side == 0 ? 0 : 1] = progress;
                    Q_EMIT gateChanged();
                },
                Qt::QueuedConnection);
        };
        auto outcome = validateRecording(options, hooks);
        QString state;
        QString error;
        QVariantList results;
        QString baseline;
        QString candidate;
        if (!outcome) {
            state = QStringLiteral("error");
            error = QString::fromStdString(outcome.error().toString());
        } else if (outcome->cancelled) {
            state = QStringLiteral("cancelled");
        } else {
            state = outcome->pass ? QStringLiteral("passed") : QStringLiteral("failed");
            baseline = QString::fromStdString(outcome->names[0]);
            candidate = QString::fromStdString(outcome->names[1]);
            for (std::size_t i = 0; i < outcome->results.size(); ++i) {
                const auto& r = outcome->results[i];
                const auto& t = outcome->report.thresholds[i];
                results.push_back(
                    QVariantMap{{QStringLiteral("kpi"), QString::fromStdString(t.kpi)},
                                {QStringLiteral("rule"), QString::fromStdString(t.rule)},
                                {QStringLiteral("baseline"), QString::fromStdString(t.baseline)},
                                {QStringLiteral("candidate"), QString::fromStdString(t.candidate)},
                                {QStringLiteral("change"), QString::fromStdString(t.change)},
                                {QStringLiteral("pass"), r.pass},
                                {QStringLiteral("reason"), QString::fromStdString(r.reason)}});
            }
        }
        QMetaObject::invokeMethod(
            this,
            [this, generation, state, error, results, baseline, candidate, report] {
                if (generation != m_generation)
                    return;
                m_working = false;
                m_gateState = state;
                m_gateResults = results;
                m_gateBaseline = baseline;
                m_gateCandidate = candidate;
                if (state == QStringLiteral("passed") || state == QStringLiteral("failed")) {
                    m_reportPath = report;
                    m_gateProgress[0] = m_gateProgress[1] = 1.0;
                }
                if (!error.isEmpty())
                    setError(error);
                Q_EMIT gateChanged();
                Q_EMIT workFinished();
            },
            Qt::QueuedConnection);
    });
}

bool ReplayController::openReport() const
{
    if (m_reportPath.isEmpty() || !QFileInfo::exists(m_reportPath))
        return false;
    return QDesktopServices::openUrl(QUrl::fromLocalFile(m_reportPath));
}

} // namespace twindesk::app
