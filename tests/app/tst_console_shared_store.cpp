// The console's views on a project whose history lives in a shared PostgreSQL store (a real
// server): the approvals queue, the decision log, the trends and the 3D colours read the
// server, not the (empty) project file, and an approval made in the view lands on the server
// where the loops poll it. A store that is down is an error naming it, not a crash.
#include "postgres_server.h"
#include "test_registry.h"

#include "approvals_model.h"
#include "building_scene.h"
#include "decision_log_model.h"
#include "trend_model.h"

#include <twindesk/policies/approval_gate.h>
#include <twindesk/policies/decision_log.h>
#include <twindesk/twin/pg_store.h>
#include <twindesk/twin/project_store.h>
#include <twindesk/twin/store_location.h>

#include <QTemporaryDir>

using namespace twindesk;
using twindesk::app::ApprovalsModel;

namespace {

constexpr std::int64_t kT0 = 1'736'186'400'000; // 2025-01-06T18:00:00Z

} // namespace

class TestConsoleSharedStore : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    twindesk::test::TestPostgres m_pg;
    std::string m_url;
    QString m_project;
    std::int64_t m_request = 0;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_pg.start(), qPrintable(m_pg.lastError()));
        m_url = m_pg.createDatabase(QStringLiteral("console"));
        QVERIFY2(!m_url.empty(), qPrintable(m_pg.lastError()));
        // A site's loop has written history, decisions and a request to the shared store.
        auto pg = twin::PgStore::connect(m_url);
        QVERIFY2(pg.ok(), pg.ok() ? "" : pg.error().toString().c_str());
        std::vector<twin::Sample> samples;
        for (int i = 0; i < 60; ++i)
            samples.push_back({"urn:site#room_1_zat", kT0 + i * 60'000, 20.0 + i * 0.05});
        samples.push_back({"urn:site#room_2_zat", kT0, 22.5});
        QVERIFY(pg->appendSamples(samples).ok());
        {
            auto log = policies::DecisionLog::open(*pg);
            QVERIFY(log.ok());
            for (int i = 0; i < 3; ++i) {
                policies::DecisionRecord r;
                r.timeMs = kT0 + i * 60'000;
                r.policyId = "rules.setback";
                r.proposed = "SetSetpoint target=urn:site#room_1_zhsp value=16";
                r.verdict = "accepted";
                r.approval = i == 2 ? "pending request #1" : "not required";
                QVERIFY(log->append(r).ok());
            }
        }
        auto gate = policies::ApprovalGate::open(pg->sql());
        QVERIFY(gate.ok());
        gate->setOrigin("site-host:/srv/site.twin");
        policies::ApprovalRequest request;
        request.requestedMs = kT0 + 120'000;
        request.expiresMs = request.requestedMs + 3'600'000;
        request.policyId = "rules.setback";
        request.action = {sim::ActionKind::SetSetpoint, "urn:site#room_1_zhsp", 16.0, {}, {}};
        request.reason = "setpoint-outside-band: 16 °C below 19 °C";
        request.decisionSeq = 3;
        auto id = gate->request(request);
        QVERIFY(id.ok());
        m_request = *id;
        // The console's project: the model only; its meta key names the shared store.
        m_project = m_dir.filePath(QStringLiteral("console.twin"));
        auto project = twin::ProjectStore::create(m_project.toStdString());
        QVERIFY(project.ok());
        QVERIFY(project->setMeta(std::string(twin::kStoreMetaKey), m_url).ok());
    }
    void cleanupTestCase() { m_pg.stop(); }

    void approvalsViewDecidesOnTheSharedQueue()
    {
        ApprovalsModel model;
        QVERIFY2(model.load(m_project), qPrintable(model.error()));
        QCOMPARE(model.pending(), 1);
        QCOMPARE(model.data(model.index(0), ApprovalsModel::IdRole).toLongLong(), m_request);
        model.setUser(QStringLiteral("zoë"));
        QVERIFY2(model.approve(m_request, QStringLiteral("building empty")),
                 qPrintable(model.error()));
        QCOMPARE(model.pending(), 0);
        // On the server, where the site's loop polls it.
        auto pg = twin::PgStore::connect(m_url);
        QVERIFY(pg.ok());
        auto gate = policies::ApprovalGate::open(pg->sql());
        QVERIFY(gate.ok());
        auto stored = gate->get(m_request);
        QVERIFY(stored.ok());
        QCOMPARE(stored->status, policies::ApprovalStatus::Approved);
        QCOMPARE(stored->decidedBy, std::string("zoë"));
        // The project file's own queue stayed empty.
        auto file = twin::ProjectStore::open(m_project.toStdString(), twin::OpenMode::ReadOnly);
        QVERIFY(file.ok());
        QVERIFY(policies::ApprovalGate::open(*file)->list(std::nullopt)->empty());
    }

    void aRequestFromAnotherLoopShowsAtOnce()
    {
        // The console listens to the store: a request a loop elsewhere makes shows in the
        // queue (and the tab's pending count) without anyone pressing Refresh.
        ApprovalsModel model;
        QVERIFY2(model.load(m_project), qPrintable(model.error()));
        QVERIFY(model.watching());
        const int before = model.pending();
        auto pg = twin::PgStore::connect(m_url);
        QVERIFY(pg.ok());
        auto gate = policies::ApprovalGate::open(pg->sql());
        QVERIFY(gate.ok());
        gate->setOrigin("other-host:/srv/annex.twin");
        policies::ApprovalRequest request;
        request.requestedMs = kT0 + 300'000;
        request.expiresMs = request.requestedMs + 3'600'000;
        request.policyId = "rules.setback";
        request.action = {sim::ActionKind::SetSetpoint, "urn:annex#room_9_zhsp", 15.0, {}, {}};
        request.reason = "setpoint-outside-band";
        QVERIFY(gate->request(request).ok());
        // A deadline, not a speed claim: the model's own watch re-reads (nothing else does).
        QTRY_COMPARE_WITH_TIMEOUT(model.pending(), before + 1, 10000);
        // A project file is not watched (its view re-reads periodically).
        const auto local = m_dir.filePath(QStringLiteral("local.twin"));
        QVERIFY(twin::ProjectStore::create(local.toStdString()).ok());
        ApprovalsModel plain;
        QVERIFY(plain.load(local));
        QVERIFY(!plain.watching());
    }

    void decisionsTrendsAnd3dReadTheServer()
    {
        app::DecisionLogModel decisions;
        QVERIFY2(decisions.load(m_project), qPrintable(decisions.error()));
        QCOMPARE(decisions.totalRows(), 3);
        QCOMPARE(decisions.policies(), QStringList{QStringLiteral("rules.setback")});

        app::TrendModel trends;
        QVERIFY2(trends.load(m_project), qPrintable(trends.error()));
        QCOMPARE(trends.points(), (QStringList{QStringLiteral("urn:site#room_1_zat"),
                                               QStringLiteral("urn:site#room_2_zat")}));
        QCOMPARE(trends.fromMs(), static_cast<double>(kT0));
        QCOMPARE(trends.toMs(), static_cast<double>(kT0 + 59 * 60'000 + 1));
        const auto series = trends.series(QStringLiteral("urn:site#room_1_zat"), trends.fromMs(),
                                          trends.toMs(), 1000);
        QCOMPARE(series.size(), 60);
        QCOMPARE(series.last().toMap()[QStringLiteral("v")].toDouble(), 20.0 + 59 * 0.05);

        app::BuildingScene scene;
        QVERIFY2(scene.loadHistorian(m_project), qPrintable(scene.error()));
    }

    void aStoreThatIsDownIsNamed()
    {
        const auto dead = m_dir.filePath(QStringLiteral("dead.twin"));
        {
            auto project = twin::ProjectStore::create(dead.toStdString());
            QVERIFY(project.ok());
            // A port nothing listens on.
            QVERIFY(project
                        ->setMeta(std::string(twin::kStoreMetaKey),
                                  "postgresql://twindesk@127.0.0.1:1/nowhere")
                        .ok());
        }
        ApprovalsModel approvals;
        QVERIFY(!approvals.load(dead));
        QVERIFY2(approvals.error().contains(QStringLiteral("127.0.0.1:1")),
                 qPrintable(approvals.error()));
        app::DecisionLogModel decisions;
        QVERIFY(!decisions.load(dead));
        QVERIFY(decisions.error().contains(QStringLiteral("cannot connect")));
        app::TrendModel trends;
        QVERIFY(!trends.load(dead));
        QVERIFY(!trends.error().isEmpty());
        app::BuildingScene scene;
        QVERIFY(!scene.loadHistorian(dead));
        QVERIFY(scene.error().contains(QStringLiteral("shared store")));
    }
};

TWINDESK_TEST(TestConsoleSharedStore)
#include "tst_console_shared_store.moc"
