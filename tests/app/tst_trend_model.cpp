// The console's trends (issue #8 §3) over a real results file: the points with history, the
// data's extent, a series in time order with plausible values, downsampling that keeps the
// extremes, an unknown point, and a screenshot in which both chosen series were drawn.
#include "test_registry.h"

#include "console_test_util.h"
#include "trend_model.h"

#include <QTemporaryDir>

#include <algorithm>
#include <cmath>

using twindesk::app::TrendModel;

namespace {

const QString kZat = "urn:twindesk:demo:office#room_201_zat";
const QString kZhsp = "urn:twindesk:demo:office#room_201_zhsp";

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
        const auto err =
            twindesk::test::simulateInto(TWINDESK_SOURCE_DIR "/assets/scenarios/demo-office.json",
                                         m_results, {"--set", "period.end=\"2025-01-09T00:00\""});
        QVERIFY2(err.empty(), err.c_str());
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
        QString error;
        const QImage image = twindesk::test::consoleScreenshot(
            m_results, {"--view", "trends", "--trend", kZat, "--trend", kZhsp},
            m_dir.filePath("trends.png"), error);
        QVERIFY2(!image.isNull(), qPrintable(error));
        // The first series is drawn in #1f77b4, the second in #d62728.
        QVERIFY2(twindesk::test::pixelsNear(image, QColor("#1f77b4"), 1, 30) > 300,
                 "the first series is not drawn");
        QVERIFY2(twindesk::test::pixelsNear(image, QColor("#d62728"), 1, 30) > 300,
                 "the second series is not drawn");
    }
};

TWINDESK_TEST(TestTrendModel)
#include "tst_trend_model.moc"
