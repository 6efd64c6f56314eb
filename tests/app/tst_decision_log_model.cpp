// The console's decision-log view model (issue #8 §5) over a real results file: rows, the
// policies in it, filters by policy, text and outcome, a row's full record, and a file that
// cannot be read (an error naming it; the rows shown before stay).
#include "test_registry.h"

#include "console_test_util.h"
#include "decision_log_model.h"

#include <QDateTime>
#include <QSignalSpy>
#include <QTemporaryDir>

using twindesk::app::DecisionLogModel;

class TestDecisionLogModel : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_results;

private Q_SLOTS:
    void initTestCase()
    {
        m_results = m_dir.filePath("rules.twin");
        const auto err =
            twindesk::test::simulateInto(TWINDESK_SOURCE_DIR "/assets/scenarios/conference-rules.json",
                                         m_results, {"--set", "period.end=\"2025-01-08T00:00\""});
        QVERIFY2(err.empty(), err.c_str());
    }

    void rowsFiltersAndDetail()
    {
        DecisionLogModel model;
        QSignalSpy loaded(&model, &DecisionLogModel::loaded);
        QVERIFY(model.load(m_results));
        QCOMPARE(loaded.count(), 1);
        QVERIFY(model.error().isEmpty());
        QVERIFY(model.totalRows() > 20);
        QCOMPARE(model.rowCount(), model.totalRows());
        QCOMPARE(model.columnCount(), int(DecisionLogModel::ColumnCount));
        QCOMPARE(model.policies(), QStringList{"rules:conference-setback"});
        QCOMPARE(model.headerData(DecisionLogModel::Verdict, Qt::Horizontal, Qt::DisplayRole)
                     .toString(),
                 QStringLiteral("Guard verdict"));
        // The table shows local names, the detail the full record.
        const auto action =
            model.data(model.index(0, DecisionLogModel::Action), Qt::DisplayRole).toString();
        QVERIFY2(action.contains("target=room_") && !action.contains("urn:"), qPrintable(action));
        const auto detail = model.detail(0);
        QVERIFY(detail.value("proposed").toString().contains("urn:twindesk:demo:office#"));
        QVERIFY(detail.value("rowHash").toString().size() >= 64);
        QVERIFY(!detail.value("inputs").toString().isEmpty());
        QVERIFY(model.detail(-1).isEmpty());
        QVERIFY(model.detail(model.rowCount()).isEmpty());

        // Text: only the rows about room 106.
        model.setTextFilter("room_106");
        QVERIFY(model.rowCount() > 0 && model.rowCount() < model.totalRows());
        for (int r = 0; r < model.rowCount(); ++r)
            QVERIFY(model.data(model.index(r, DecisionLogModel::Action), Qt::DisplayRole)
                        .toString()
                        .contains("room_106"));
        model.setTextFilter({});
        QCOMPARE(model.rowCount(), model.totalRows());
        // Outcome: applied only.
        model.setAppliedOnly(true);
        QVERIFY(model.rowCount() > 0);
        for (int r = 0; r < model.rowCount(); ++r)
            QCOMPARE(model.data(model.index(r, DecisionLogModel::Applied), Qt::DisplayRole)
                         .toString(),
                     QStringLiteral("applied"));
        model.setAppliedOnly(false);
        // Policy: an unknown one shows nothing.
        model.setPolicyFilter("fixed-schedule");
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.visibleRows(), 0);
        model.setPolicyFilter("rules:conference-setback");
        QCOMPARE(model.rowCount(), model.totalRows());
    }

    void timeFilter()
    {
        DecisionLogModel model;
        QVERIFY(model.load(m_results));
        const int total = model.totalRows();
        QVERIFY(model.setTimeRange("2025-01-06T00:00", "2025-01-07"));
        QVERIFY(model.rowCount() > 0 && model.rowCount() < total);
        const auto from = QDateTime(QDate(2025, 1, 6), QTime(0, 0), Qt::UTC);
        const auto to = QDateTime(QDate(2025, 1, 7), QTime(0, 0), Qt::UTC);
        for (int r = 0; r < model.rowCount(); ++r) {
            const auto t = QDateTime::fromMSecsSinceEpoch(
                model.detail(r).value("timeMs").toLongLong(), Qt::UTC);
            QVERIFY2(t >= from && t < to, qPrintable(t.toString(Qt::ISODate)));
        }
        const int day = model.rowCount();
        // With an offset: the same instant range written in Chicago's standard time.
        QVERIFY(model.setTimeRange("2025-01-05T18:00-06:00", "2025-01-06T18:00-06:00"));
        QCOMPARE(model.rowCount(), day);
        // Combined with the other filters.
        model.setAppliedOnly(true);
        QVERIFY(model.rowCount() <= day);
        model.setAppliedOnly(false);
        // Bad bounds name themselves and change nothing.
        QVERIFY(!model.setTimeRange("monday", ""));
        QVERIFY2(model.timeError().contains("from time \"monday\""), qPrintable(model.timeError()));
        QCOMPARE(model.rowCount(), day);
        QVERIFY(!model.setTimeRange("2025-01-07", "2025-01-06"));
        QVERIFY2(model.timeError().contains("not before"), qPrintable(model.timeError()));
        QCOMPARE(model.timeFrom(), QStringLiteral("2025-01-05T18:00-06:00"));
        // Open bounds: everything again.
        QVERIFY(model.setTimeRange("", ""));
        QVERIFY(model.timeError().isEmpty());
        QCOMPARE(model.rowCount(), total);
    }

    void theConsoleShowsTheDecisionsView()
    {
        // `twindesk PROJECT --view decisions --screenshot F`: the table drew its rows (the
        // alternate-row colour covers a good part of the picture) — offscreen is fine for 2D.
        QString error;
        const QImage image = twindesk::test::consoleScreenshot(
            m_results, {"--view", "decisions"}, m_dir.filePath("decisions.png"), error);
        QVERIFY2(!image.isNull(), qPrintable(error));
        const int striped = twindesk::test::pixelsNear(image, QColor("#f6f6f6"), 2);
        QVERIFY2(striped > 5000, qPrintable(QString::number(striped)));
    }

    void anUnreadableFileKeepsWhatWasShown()
    {
        DecisionLogModel model;
        QVERIFY(model.load(m_results));
        const int rows = model.totalRows();
        QVERIFY(!model.load(m_dir.filePath("missing.twin")));
        QVERIFY2(model.error().contains("missing.twin"), qPrintable(model.error()));
        QCOMPARE(model.totalRows(), rows);
    }
};

TWINDESK_TEST(TestDecisionLogModel)
#include "tst_decision_log_model.moc"
