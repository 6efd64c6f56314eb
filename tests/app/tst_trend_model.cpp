// The console's trends (issue #8 §3) over a real results file: the points with history, the
// data's extent, a series in time order with plausible values, downsampling that keeps the
// extremes, an unknown point, and a screenshot in which both chosen series were drawn.
#include "test_registry.h"

#include "cli.h"
#include "trend_model.h"

#include <QImage>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <sstream>

using twindesk::app::TrendModel;

namespace {

const QString kZat = "urn:twindesk:demo:office#room_201_zat";
const QString kZhsp = "urn:twindesk:demo:office#room_201_zhsp";

int near(const QImage& image, const QColor& c)
{
    int n = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x) {
            const QColor p = image.pixelColor(x, y);
            n += std::abs(p.red() - c.red()) + std::abs(p.green() - c.green()) +
                             std::abs(p.blue() - c.blue()) <
                         30
                     ? 1
                     : 0;
        }
    return n;
}

} // namespace

class TestTrendModel : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_results;

private Q_SLOTS:
    void initTestCase()
    {
        m_results = m_dir.filePath("week.twin");
        std::ostringstream out;
        std::ostringstream err;
        const int code = twindesk::app::runCli(
            {"simulate", TWINDESK_SOURCE_DIR "/assets/scenarios/demo-office.json", "--out",
             m_results.toStdString(), "--no-progress", "--set", "period.end=\"2025-01-09T00:00\""},
            {out, err});
        QVERIFY2(code == 0, err.str().c_str());
    }

    void seriesFromTheHistorian()
    {
        TrendModel model;
        QVERIFY2(model.load(m_results), qPrintable(model.error()));
        QVERIFY(model.points().contains(kZat));
        QVERIFY(model.points().contains(kZhsp));
        QVERIFY(model.toMs() - model.fromMs() >= 2 * 86400000.0); // three days at 15 min
        const auto all = model.series(kZat, model.fromMs(), model.toMs(), 100000);
        QVERIFY(all.size() > 200);
        double last = -1;
        double lo = 1e9;
        double hi = -1e9;
        for (const auto& p : all) {
            const auto m = p.toMap();
            QVERIFY(m["t"].toDouble() > last);
            last = m["t"].toDouble();
            lo = std::min(lo, m["v"].toDouble());
            hi = std::max(hi, m["v"].toDouble());
        }
        QVERIFY(lo > 5 && hi < 35); // zone air, °C
        // Downsampled: at most the limit, and the extremes survive.
        const auto few = model.series(kZat, model.fromMs(), model.toMs(), 40);
        QVERIFY(few.size() <= 40 && few.size() >= 20);
        double fewLo = 1e9;
        double fewHi = -1e9;
        for (const auto& p : few) {
            fewLo = std::min(fewLo, p.toMap()["v"].toDouble());
            fewHi = std::max(fewHi, p.toMap()["v"].toDouble());
        }
        QCOMPARE(fewLo, lo);
        QCOMPARE(fewHi, hi);
        QVERIFY(model.series("urn:no-such-point", model.fromMs(), model.toMs(), 100).isEmpty());
        QVERIFY(model.series(kZat, model.fromMs(), model.toMs(), 1).isEmpty());
    }

    void theConsoleDrawsTheChosenSeries()
    {
        const auto png = m_dir.filePath("trends.png");
        QProcess p;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("QT_QPA_PLATFORM", "offscreen");
        p.setProcessEnvironment(env);
        p.start(TWINDESK_EXE, {m_results, "--view", "trends", "--trend", kZat, "--trend", kZhsp,
                               "--screenshot", png});
        QVERIFY(p.waitForFinished(120000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        QImage image(png);
        QVERIFY(!image.isNull());
        // The first series is drawn in #1f77b4, the second in #d62728.
        QVERIFY2(near(image, QColor("#1f77b4")) > 300, "the first series is not drawn");
        QVERIFY2(near(image, QColor("#d62728")) > 300, "the second series is not drawn");
    }
};

TWINDESK_TEST(TestTrendModel)
#include "tst_trend_model.moc"
