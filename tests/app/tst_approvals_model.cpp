// The console's approvals queue (issue #8 §5) over a real results file whose policy waited
// for people: pending requests first, approve and reject recorded under the user's name
// (refused without one, or twice), the queue re-read after each decision, and a screenshot
// of the view with the pending count.
#include "test_registry.h"

#include "approvals_model.h"
#include "console_test_util.h"

#include <QTemporaryDir>

using twindesk::app::ApprovalsModel;

class TestApprovalsModel : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_results;

    static QString statusOf(const ApprovalsModel& m, qlonglong id)
    {
        for (int r = 0; r < m.rowCount(); ++r)
            if (m.data(m.index(r), ApprovalsModel::IdRole).toLongLong() == id)
                return m.data(m.index(r), ApprovalsModel::StatusRole).toString() + "|" +
                       m.data(m.index(r), ApprovalsModel::DecidedByRole).toString();
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_results = m_dir.filePath("waiting.twin");
        const auto err = twindesk::test::simulateInto(
            TWINDESK_SOURCE_DIR "/assets/scenarios/conference-rules.json", m_results,
            {"--set", "period.end=\"2025-01-08T00:00\"", "--set",
             "policy.approvals.auto_approve=false"});
        QVERIFY2(err.empty(), err.c_str());
    }

    void approveAndRejectUnderTheUsersName()
    {
        ApprovalsModel model;
        QVERIFY2(model.load(m_results), qPrintable(model.error()));
        const int pending = model.pending();
        QVERIFY(pending >= 2);
        // Pending first.
        QCOMPARE(model.data(model.index(0), ApprovalsModel::StatusRole).toString(),
                 QStringLiteral("pending"));
        const auto first = model.data(model.index(0), ApprovalsModel::IdRole).toLongLong();
        const auto second = model.data(model.index(1), ApprovalsModel::IdRole).toLongLong();
        QVERIFY(model.data(model.index(0), ApprovalsModel::ReasonRole).toString().contains(
            "comfort band"));

        model.setUser({});
        QVERIFY(!model.approve(first, "ok"));
        QVERIFY2(model.error().contains("user"), qPrintable(model.error()));
        QCOMPARE(model.pending(), pending);

        model.setUser("alice");
        QVERIFY2(model.approve(first, "pre-heat is fine"), qPrintable(model.error()));
        QCOMPARE(statusOf(model, first), QStringLiteral("approved|alice"));
        QVERIFY(model.reject(second, "keep it warm"));
        QCOMPARE(statusOf(model, second), QStringLiteral("rejected|alice"));
        QCOMPARE(model.pending(), pending - 2);
        // Deciding twice is refused and changes nothing.
        QVERIFY(!model.reject(first, "changed my mind"));
        QCOMPARE(statusOf(model, first), QStringLiteral("approved|alice"));

        // Another reader sees the same (the table is the loop's and the CLI's too).
        ApprovalsModel other;
        QVERIFY(other.load(m_results));
        QCOMPARE(other.pending(), pending - 2);
        QCOMPARE(statusOf(other, second), QStringLiteral("rejected|alice"));
    }

    void aMissingProjectIsNamed()
    {
        ApprovalsModel model;
        QVERIFY(!model.load(m_dir.filePath("none.twin")));
        QVERIFY(model.error().contains("none.twin"));
    }

    void theConsoleHighlightsPendingApprovals()
    {
        QString error;
        const QImage image = twindesk::test::consoleScreenshot(
            m_results, {"--view", "approvals"}, m_dir.filePath("approvals.png"), error);
        QVERIFY2(!image.isNull(), qPrintable(error));
        // Pending requests are drawn as amber cards (#fff7e6).
        const int amber = twindesk::test::pixelsNear(image, QColor("#fff7e6"), 2);
        QVERIFY2(amber > 5000, qPrintable(QString::number(amber)));
    }
};

TWINDESK_TEST(TestApprovalsModel)
#include "tst_approvals_model.moc"
