// The console's replay view model (issue #8 §6): a recording opened and scrubbed — the values
// at a position are those the recording's frames give (rebuilt independently here, frame by
// frame), forwards and back; the recorded policy replayed agrees fully, another diverges and
// its first divergence is the CLI's; the validation gate's verdict and report are read back;
// bad files and policies are named; everything is deterministic.
#include "console_test_util.h"
#include "replay_controller.h"
#include "replay_rounds_model.h"
#include "test_registry.h"

#include <twindesk/policies/recording.h>

#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <sstream>

using twindesk::app::ReplayController;
using twindesk::app::ReplayRoundsModel;

namespace {

const std::string kScenarios = TWINDESK_SOURCE_DIR "/assets/scenarios/";
const QString kGates = TWINDESK_SOURCE_DIR "/assets/gates/";

void setUp(ReplayController& c)
{
    c.setAnchorsDir(TWINDESK_ANCHORS_DIR);
    c.setGateFiles({kGates + "conference.yaml", kGates + "consolidation.yaml"});
}

bool same(double a, double b)
{
    return (std::isnan(a) && std::isnan(b)) || a == b;
}

/// Every point's value after each frame, rebuilt from RecordedSource directly (the frames the
/// loop observed): (frame time, id → value) for the frames `wanted` asks for.
std::map<std::int64_t, std::map<std::string, double>>
referenceValues(const QString& file, const std::vector<std::int64_t>& wantedTimes)
{
    std::map<std::int64_t, std::map<std::string, double>> out;
    auto source = twindesk::policies::RecordedSource::open(file.toStdString());
    if (!source)
        return out;
    std::map<std::string, double> values;
    twindesk::sim::TelemetryFrame frame;
    while (true) {
        auto more = (*source)->next(frame);
        if (!more || !*more)
            break;
        for (const auto& s : frame.samples)
            values[s.point] = s.quality ? s.value : std::numeric_limits<double>::quiet_NaN();
        for (auto t : wantedTimes)
            if (t == frame.time)
                out[t] = values;
    }
    return out;
}

nlohmann::json cliJson(const std::vector<std::string>& args, int& code)
{
    std::ostringstream o;
    std::ostringstream e;
    code = twindesk::app::runCli(args, {o, e});
    return nlohmann::json::parse(o.str(), nullptr, false);
}

} // namespace

class TestReplayController : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_rec;      // two days of adaptive-conference
    QString m_baseline; // four days of the BMS time clock

    QString path(const char* name) const { return m_dir.filePath(QString::fromUtf8(name)); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_rec = path("rec.twin");
        const auto err =
            twindesk::test::simulateInto(kScenarios + "conference-adaptive.json", m_rec,
                                         {"--set", "period.end=\"2025-01-08T00:00\""});
        QVERIFY2(err.empty(), err.c_str());
    }

    void aFileThatIsNotARecordingIsNamed()
    {
        ReplayController c;
        setUp(c);
        QVERIFY(!c.open(path("none.twin")));
        QVERIFY2(c.error().contains("none.twin"), qPrintable(c.error()));
        QVERIFY(!c.ready());

        // A results file of a run without a policy has no recorded frames.
        const QString plain = path("plain.twin");
        const auto err = twindesk::test::simulateInto(kScenarios + "demo-office.json", plain,
                                                      {"--set", "period.end=\"2025-01-07T00:00\""});
        QVERIFY2(err.empty(), err.c_str());
        QVERIFY(!c.open(plain));
        QVERIFY2(c.error().contains("plain.twin") && c.error().contains("no recorded frames"),
                 qPrintable(c.error()));

        // A text file is not a project at all.
        const QString text = path("notes.twin");
        {
            QFile f(text);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("not a database\n");
        }
        QVERIFY(!c.open(text));
        QVERIFY2(c.error().contains("notes.twin"), qPrintable(c.error()));

        // A good one opens; a bad one afterwards leaves it in place.
        QVERIFY2(c.open(m_rec), qPrintable(c.error()));
        QVERIFY(c.ready());
        QVERIFY(!c.open(plain));
        QVERIFY(c.ready());
        QCOMPARE(c.recordingPath(), QFileInfo(m_rec).absoluteFilePath());
    }

    void theProjectOpensWhenTheViewIsShownIfItIsARecording()
    {
        ReplayController c;
        setUp(c);
        // The demo office without a policy: not a recording, and no error either.
        const QString plain = path("plain-default.twin");
        const auto err = twindesk::test::simulateInto(kScenarios + "demo-office.json", plain,
                                                      {"--set", "period.end=\"2025-01-07T00:00\""});
        QVERIFY2(err.empty(), err.c_str());
        c.setDefaultRecording(plain);
        QVERIFY(!c.ready()); // nothing read before the view is shown
        QVERIFY(!c.openDefault());
        QVERIFY(c.error().isEmpty());
        // A recording opens on the first show only.
        c.setDefaultRecording(m_rec);
        QVERIFY(c.openDefault());
        QVERIFY(c.ready());
        c.seekFrame(100);
        QVERIFY(c.openDefault());
        QCOMPARE(c.frame(), 100); // not reopened
    }

    void openDescribesTheRecording()
    {
        ReplayController c;
        setUp(c);
        QVERIFY2(c.open(m_rec), qPrintable(c.error()));
        int code = 0;
        const auto info = cliJson({"info", m_rec.toStdString(), "--json"}, code);
        QCOMPARE(code, 0);
        QCOMPARE(c.frameCount(), info["recording"]["frames"].get<int>());
        QCOMPARE(c.pointIds().size(), info["recording"]["points"].get<int>());
        QCOMPARE(c.recordedPolicy(), QStringLiteral("adaptive-conference"));
        QVERIFY(c.recordedDecisions() > 50);
        QVERIFY(c.endMs() > c.startMs());
        QCOMPARE(c.position(), c.startMs());
        QCOMPARE(c.frame(), 0);
        // The matching gate for a conference recording.
        QCOMPARE(c.gatePath(), kGates + "conference.yaml");
        // A few points to chart, all recorded.
        QVERIFY(!c.chartPoints().isEmpty());
        QVERIFY(c.chartPoints().size() <= ReplayController::kMaxChartPoints);
        for (const auto& p : c.chartPoints())
            QVERIFY(c.pointIds().contains(p));
    }

    void valuesAtAPositionAreTheRecordings()
    {
        ReplayController c;
        setUp(c);
        QVERIFY(c.open(m_rec));
        // Positions spread over the recording, some between frames.
        std::vector<double> positions;
        const double span = c.endMs() - c.startMs();
        for (int i = 0; i <= 12; ++i)
            positions.push_back(c.startMs() + span * i / 12.0 + (i % 3 == 1 ? 30'000.0 : 0.0));
        std::vector<std::int64_t> frameTimes;
        std::vector<QVariantMap> got;
        for (double p : positions) {
            c.setPosition(p);
            got.push_back(c.pointValues());
            // The frame at or before the position.
            frameTimes.push_back(static_cast<std::int64_t>(
                std::floor(std::min(p, c.endMs()) / 1000.0 / 60.0) * 60.0));
        }
        const auto reference = referenceValues(m_rec, frameTimes);
        QCOMPARE(reference.size(),
                 std::set<std::int64_t>(frameTimes.begin(), frameTimes.end()).size());
        int compared = 0;
        for (std::size_t i = 0; i < positions.size(); ++i) {
            const auto& ref = reference.at(frameTimes[i]);
            QCOMPARE(static_cast<std::size_t>(got[i].size()), ref.size());
            for (const auto& [id, v] : ref) {
                const double mine = got[i].value(QString::fromStdString(id)).toDouble();
                QVERIFY2(same(mine, v), (id + " at " + std::to_string(frameTimes[i])).c_str());
                ++compared;
            }
        }
        QVERIFY(compared > 1000);
        // The value panel shows the chart points' values of the same state.
        for (const auto& v : c.values()) {
            const auto m = v.toMap();
            QVERIFY(same(m.value("value").toDouble(),
                         got.back().value(m.value("point").toString()).toDouble()));
        }
    }

    void scrubbingForwardAndBackAgrees()
    {
        ReplayController c;
        setUp(c);
        QVERIFY(c.open(m_rec));
        // Forwards frame by frame over a stretch, then the same frames backwards, then random
        // jumps: the same frame always gives the same values, and the frame follows position.
        std::map<int, QVariantMap> forwards;
        int last = -1;
        c.seekFrame(300);
        for (int i = 0; i < 600; ++i) {
            QVERIFY(c.frame() > last);
            last = c.frame();
            forwards[c.frame()] = c.pointValues();
            c.step(1);
        }
        for (int i = 0; i < 600; ++i) {
            c.step(-1);
            QVERIFY(forwards.count(c.frame()) == 1);
            QCOMPARE(c.pointValues(), forwards[c.frame()]);
        }
        for (int f : {899, 301, 650, 420, 777, 300}) {
            c.seekFrame(f);
            QCOMPARE(c.frame(), f);
            QCOMPARE(c.pointValues(), forwards[f]);
        }
        // Clamped at both ends.
        c.setPosition(c.endMs() + 1e9);
        QCOMPARE(c.frame(), c.frameCount() - 1);
        c.setPosition(0);
        QCOMPARE(c.frame(), 0);
        c.step(-5);
        QCOMPARE(c.frame(), 0);
    }

    void chartsAreBoundedStepsOverTheRecording()
    {
        ReplayController c;
        setUp(c);
        QVERIFY(c.open(m_rec));
        const QString p = c.chartPoints().front();
        const auto full = c.series(p, 1'000'000);
        const auto small = c.series(p, 200);
        QVERIFY(full.size() > 200);
        QVERIFY(small.size() <= 200);
        double lastX = -1;
        for (const auto& v : small) {
            const double x = v.toMap().value("x").toDouble();
            QVERIFY(x >= c.startMs() && x <= c.endMs());
            QVERIFY(x >= lastX);
            lastX = x;
        }
        // Downsampling keeps the extremes.
        auto extremes = [](const QVariantList& s) {
            double lo = 1e300;
            double hi = -1e300;
            for (const auto& v : s) {
                lo = std::min(lo, v.toMap().value("y").toDouble());
                hi = std::max(hi, v.toMap().value("y").toDouble());
            }
            return std::pair{lo, hi};
        };
        QCOMPARE(extremes(small), extremes(full));
        // The value in force at the position is on the full step line there.
        c.setPosition((c.startMs() + c.endMs()) / 2);
        double atCursor = std::numeric_limits<double>::quiet_NaN();
        for (const auto& v : full)
            if (v.toMap().value("x").toDouble() <= c.position())
                atCursor = v.toMap().value("y").toDouble();
        QCOMPARE(atCursor, c.values().front().toMap().value("value").toDouble());
        QVERIFY(c.series(QStringLiteral("urn:no#such"), 100).isEmpty());
    }

    void theRecordedPolicyAgreesFully()
    {
        ReplayController c;
        setUp(c);
        QVERIFY(c.open(m_rec));
        QCOMPARE(c.candidate(), QStringLiteral("adaptive-conference"));
        QSignalSpy done(&c, &ReplayController::workFinished);
        c.runReplay();
        QCOMPARE(c.replayState(), QStringLiteral("running"));
        QVERIFY(c.waitForIdle(120000));
        QCOMPARE(done.size(), 1);
        QCOMPARE(c.replayState(), QStringLiteral("finished"));
        const auto s = c.summary();
        QCOMPARE(s.value("agreement").toDouble(), 1.0);
        QVERIFY(std::isnan(s.value("firstDivergenceMs").toDouble()));
        auto* rounds = c.rounds();
        QVERIFY(rounds->totalRounds() > 20);
        QCOMPARE(rounds->divergentRounds(), 0);
        QCOMPARE(rounds->firstDivergenceRow(), -1);
        for (int r = 0; r < rounds->rowCount(); ++r)
            QVERIFY(rounds->data(rounds->index(r), ReplayRoundsModel::AgreeRole).toBool());
        // The CLI says the same (one function behind both).
        int code = 0;
        const auto j = cliJson({"replay", m_rec.toStdString(), "--json"}, code);
        QCOMPARE(code, 0);
        QCOMPARE(s.value("matched").toLongLong(), j["matched"].get<long long>());
        QCOMPARE(s.value("decisions").toLongLong(), j["decisions"].get<long long>());
        // Decisions near a round's time include it, recorded and candidate alike.
        const double t = rounds->timeOf(rounds->rowCount() / 2);
        c.setPosition(t);
        int recorded = 0;
        int candidate = 0;
        for (const auto& d : c.decisionsNear()) {
            const auto m = d.toMap();
            if (m.value("time").toDouble() == t)
                ++(m.value("side").toString() == "recorded" ? recorded : candidate);
        }
        QVERIFY(recorded > 0);
        QCOMPARE(candidate, recorded);
        QCOMPARE(rounds->rowAt(t), rounds->rowCount() / 2);
    }

    void anotherCandidateDivergesAndTheFirstDivergenceIsFound()
    {
        ReplayController c;
        setUp(c);
        QVERIFY(c.open(m_rec));
        c.setCandidate(QStringLiteral("fixed-schedule"));
        c.runReplay();
        QVERIFY(c.waitForIdle(120000));
        QCOMPARE(c.replayState(), QStringLiteral("finished"));
        const auto s = c.summary();
        QVERIFY(s.value("agreement").toDouble() < 0.5);
        auto* rounds = c.rounds();
        QVERIFY(rounds->divergentRounds() > 0);
        const int first = rounds->firstDivergenceRow();
        QVERIFY(first >= 0);
        QVERIFY(
            rounds->data(rounds->index(first), ReplayRoundsModel::FirstDivergenceRole).toBool());
        QVERIFY(!rounds->data(rounds->index(first), ReplayRoundsModel::AgreeRole).toBool());
        for (int r = 0; r < first; ++r)
            QVERIFY(rounds->data(rounds->index(r), ReplayRoundsModel::AgreeRole).toBool());
        QCOMPARE(rounds->timeOf(first), s.value("firstDivergenceMs").toDouble());
        // The CLI's first divergence, with what each side proposed then.
        int code = 0;
        const auto j =
            cliJson({"replay", m_rec.toStdString(), "--policy", "fixed-schedule", "--json"}, code);
        QCOMPARE(code, 0);
        QCOMPARE(s.value("firstDivergenceText").toString().toStdString(),
                 j["first_divergence"]["time"].get<std::string>());
        QCOMPARE(s.value("agreement").toDouble(), j["agreement"].get<double>());
        // The round shows every action of that time; the CLI lists the unmatched ones.
        const QStringList shownRecorded =
            rounds->data(rounds->index(first), ReplayRoundsModel::RecordedRole)
                .toString()
                .split('\n');
        const QStringList shownCandidate =
            rounds->data(rounds->index(first), ReplayRoundsModel::CandidateRole)
                .toString()
                .split('\n');
        QVERIFY(!j["first_divergence"]["recorded"].empty() ||
                !j["first_divergence"]["candidate"].empty());
        for (const auto& a : j["first_divergence"]["recorded"])
            QVERIFY(shownRecorded.contains(QString::fromStdString(a.get<std::string>())));
        for (const auto& a : j["first_divergence"]["candidate"])
            QVERIFY(shownCandidate.contains(QString::fromStdString(a.get<std::string>())));
        // Only the divergent rounds: the first divergence is the first row.
        rounds->setDivergentOnly(true);
        QCOMPARE(rounds->rowCount(), rounds->divergentRounds());
        QCOMPARE(rounds->firstDivergenceRow(), 0);
        // The scrubber jumps there.
        c.seekFirstDivergence();
        QCOMPARE(c.position(), s.value("firstDivergenceMs").toDouble());
    }

    void badCandidatesAndCancelAreReported()
    {
        ReplayController c;
        setUp(c);
        QVERIFY(c.open(m_rec));
        c.setCandidate(QStringLiteral("no-such-policy"));
        c.runReplay();
        QVERIFY(c.waitForIdle(60000));
        QCOMPARE(c.replayState(), QStringLiteral("failed"));
        QVERIFY2(c.error().contains("no policy named"), qPrintable(c.error()));
        c.setCandidate(QStringLiteral("adaptive-conference:[1]"));
        c.runReplay();
        QVERIFY(c.waitForIdle(60000));
        QCOMPARE(c.replayState(), QStringLiteral("failed"));
        QVERIFY2(c.error().contains("JSON object") && c.error().contains("candidate"),
                 qPrintable(c.error()));
        // Cancelled before the first frame: no rounds.
        c.setCandidate(QStringLiteral("adaptive-conference"));
        c.runReplay();
        c.cancel();
        QVERIFY(c.waitForIdle(60000));
        QCOMPARE(c.replayState(), QStringLiteral("cancelled"));
        QCOMPARE(c.rounds()->totalRounds(), 0);
        QVERIFY(c.error().isEmpty());
    }

    void replaysAreDeterministic()
    {
        std::vector<std::vector<twindesk::app::ReplayRound>> runs;
        std::vector<QVariantMap> states;
        for (int i = 0; i < 2; ++i) {
            ReplayController c;
            setUp(c);
            QVERIFY(c.open(m_rec));
            c.setCandidate(QStringLiteral("adaptive-conference:{\"vacancy_delay_s\":1800}"));
            c.runReplay();
            QVERIFY(c.waitForIdle(120000));
            QCOMPARE(c.replayState(), QStringLiteral("finished"));
            runs.push_back(c.rounds()->rounds());
            c.setPosition((c.startMs() + c.endMs()) / 3);
            states.push_back(c.pointValues());
        }
        QCOMPARE(runs[0].size(), runs[1].size());
        for (std::size_t i = 0; i < runs[0].size(); ++i) {
            QCOMPARE(runs[0][i].time, runs[1][i].time);
            QCOMPARE(runs[0][i].candidate, runs[1][i].candidate);
            QCOMPARE(runs[0][i].agree, runs[1][i].agree);
        }
        QVERIFY(states[0] == states[1]);
    }

    void theGatePassesOrFailsWithItsReport()
    {
        // Four days of the BMS time clock (the gate's baseline is the recorded policy).
        const QString rec = path("baseline.twin");
        const auto err = twindesk::test::simulateInto(kScenarios + "conference-baseline.json", rec,
                                                      {"--set", "period.end=\"2025-01-10T00:00\""});
        QVERIFY2(err.empty(), err.c_str());
        ReplayController c;
        setUp(c);
        c.setReportDir(m_dir.path());
        QVERIFY(c.open(rec));
        QCOMPARE(c.gatePath(), kGates + "conference.yaml");
        c.setCandidate(QStringLiteral("adaptive-conference"));
        c.runGate();
        QCOMPARE(c.gateState(), QStringLiteral("running"));
        QVERIFY(c.waitForIdle(300000));
        QVERIFY2(c.gateState() == QStringLiteral("passed"), qPrintable(c.gateState() + c.error()));
        QVERIFY(c.gateResults().size() >= 5);
        for (const auto& r : c.gateResults())
            QVERIFY(r.toMap().value("pass").toBool());
        QCOMPARE(c.gateResults().front().toMap().value("kpi").toString(),
                 QStringLiteral("energy_kwh"));
        QVERIFY(c.gateCandidate().startsWith("adaptive-conference"));
        QVERIFY(c.gateBaseline().startsWith("fixed-schedule"));
        QVERIFY(c.reportPath().startsWith(m_dir.path()));
        QFile report(c.reportPath());
        QVERIFY(report.open(QIODevice::ReadOnly));
        const QByteArray html = report.readAll();
        QVERIFY(html.contains("<svg"));
        QVERIFY(html.contains("PASS"));

        // Always on: the energy threshold fails, like `validate` says.
        const QString alwaysOn = QStringLiteral(
            R"(fixed-schedule:{"zone_use":["conference"],"lights":true,"ventilation":"design","start_hour":0,"end_hour":24})");
        c.setCandidate(alwaysOn);
        c.runGate();
        QVERIFY(c.waitForIdle(300000));
        QCOMPARE(c.gateState(), QStringLiteral("failed"));
        const auto first = c.gateResults().front().toMap();
        QCOMPARE(first.value("kpi").toString(), QStringLiteral("energy_kwh"));
        QCOMPARE(first.value("pass").toBool(), false);
        int code = 0;
        const auto j = cliJson({"validate", "--recording", rec.toStdString(), "--candidate",
                                alwaysOn.toStdString(), "--gate",
                                (kGates + "conference.yaml").toStdString(), "--json"},
                               code);
        QCOMPARE(code, 1);
        QCOMPARE(static_cast<std::size_t>(c.gateResults().size()), j["thresholds"].size());
        for (std::size_t i = 0; i < j["thresholds"].size(); ++i)
            QCOMPARE(c.gateResults()[static_cast<int>(i)].toMap().value("pass").toBool(),
                     j["thresholds"][i]["pass"].get<bool>());

        // A bad gate file is named.
        const QString bad = path("bad-gate.yaml");
        {
            QFile f(bad);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("thresholds:\n  - kpi: energy\n    max: 1\n");
        }
        c.setGatePath(bad);
        c.runGate();
        QVERIFY(c.waitForIdle(60000));
        QCOMPARE(c.gateState(), QStringLiteral("error"));
        QVERIFY2(c.error().contains("bad-gate.yaml:2"), qPrintable(c.error()));
        QVERIFY(c.reportPath().isEmpty());
    }

    void theConsoleDrawsTheReplay()
    {
        // The Replay tab on the recording with a diverging candidate: the rounds table draws
        // the divergent rounds (light red) and the first divergence (darker red).
        QString error;
        const QImage image = twindesk::test::consoleScreenshot(
            m_rec, {"--view", "replay", "--candidate", "fixed-schedule"}, path("replay.png"),
            error);
        QVERIFY2(!image.isNull(), qPrintable(error));
        int diverging = 0;
        int first = 0;
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < image.width(); ++x) {
                const QRgb c = image.pixel(x, y) & 0xffffff;
                diverging += c == 0xffcdd2 ? 1 : 0;
                first += c == 0xef9a9a ? 1 : 0;
            }
        QVERIFY2(first > 500, qPrintable(QString::number(first)));
        QVERIFY2(diverging > 500, qPrintable(QString::number(diverging)));

        // A --recording that is not one: exit 1, the file named.
        QProcess p;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("QT_QPA_PLATFORM", "offscreen");
        p.setProcessEnvironment(env);
        p.start(TWINDESK_EXE, {m_rec, "--view", "replay", "--recording", path("none.twin"),
                               "--screenshot", path("none.png")});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 1);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains("--recording") && err.contains("none.twin"), qPrintable(err));
    }
};

TWINDESK_TEST(TestReplayController)
#include "tst_replay_controller.moc"
