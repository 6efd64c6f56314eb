// `twindesk store`: which historian a project uses, recording a shared PostgreSQL store in the
// project, and the refusals. Runs against a real PostgreSQL started in a temporary directory.
#include "cli.h"
#include "postgres_server.h"
#include "test_registry.h"

#include "cli_test_util.h"

#include <twindesk/policies/approval_gate.h>
#include <twindesk/policies/decision_log.h>
#include <twindesk/twin/pg_store.h>
#include <twindesk/twin/project_store.h>
#include <twindesk/twin/store_location.h>

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <sstream>

using namespace twindesk;

namespace {

using Run = twindesk::test::CliRun;
using twindesk::test::cli;

} // namespace

class TestStoreCommand : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    test::TestPostgres m_pg;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_pg.start(), qPrintable(m_pg.lastError()));
    }

    void recordsASharedStoreAndGoesBack()
    {
        const auto project = m_dir.filePath(QStringLiteral("site.twin")).toStdString();
        {
            auto store = twin::ProjectStore::create(project);
            QVERIFY(store.ok());
            const twin::Sample local{"urn:x:local", 1000, 1.0};
            QVERIFY(store->appendSamples(std::span(&local, 1)).ok());
        }
        // Default: the project file.
        auto shown = cli({"store", project});
        QVERIFY2(shown.code == 0, shown.err.c_str());
        QVERIFY2(shown.out.find("store        project file") != std::string::npos,
                 shown.out.c_str());
        QVERIFY(shown.out.find("samples      1") != std::string::npos);

        // Another console's loop has written to the shared store already.
        const auto url = m_pg.createDatabase(QStringLiteral("site"));
        QVERIFY2(!url.empty(), qPrintable(m_pg.lastError()));
        {
            auto shared = twin::PgStore::connect(url);
            QVERIFY(shared.ok());
            const std::vector<twin::Sample> rows{{"urn:x:zat", 1'700'000'000'000, 21.5},
                                                 {"urn:x:zat", 1'700'000'060'000, 21.6}};
            QVERIFY(shared->appendSamples(rows).ok());
            // ...and a decision that waits for approval.
            auto log = policies::DecisionLog::open(*shared);
            QVERIFY(log.ok());
            policies::DecisionRecord r;
            r.timeMs = 1'700'000'060'000;
            r.policyId = "rules";
            QVERIFY(log->append(r).ok());
            auto gate = policies::ApprovalGate::open(shared->sql());
            QVERIFY(gate.ok());
            policies::ApprovalRequest q;
            q.requestedMs = r.timeMs;
            q.expiresMs = r.timeMs + 60'000;
            q.policyId = "rules";
            q.action = {sim::ActionKind::SetSetpoint, "urn:x:zhsp", 16.0, {}, {}};
            QVERIFY(gate->request(q).ok());
        }
        auto set = cli({"store", project, url, "--json"});
        QVERIFY2(set.code == 0, set.err.c_str());
        const auto o = QJsonDocument::fromJson(QByteArray::fromStdString(set.out)).object();
        QCOMPARE(o["store"].toString().toStdString(), url);
        QCOMPARE(o["samples"].toInt(), 2);
        QCOMPARE(o["decisions"].toInt(), 1);
        QCOMPARE(o["pending_approvals"].toInt(), 1);
        QCOMPARE(o["schema"].toInt(), twin::ProjectStore::kSchemaVersion);
        QCOMPARE(o["range"].toObject()["from"].toString(), QStringLiteral("2023-11-14T22:13:20Z"));
        {
            // Recorded in the project: a later command resolves it without --store.
            auto store = twin::ProjectStore::open(project);
            QVERIFY(store.ok());
            QCOMPARE(store->meta("store")->value_or(""), url);
            auto selection = twin::StoreSelection::resolve(*store, std::nullopt);
            QVERIFY(selection.ok());
            QVERIFY(selection->shared() != nullptr);
            QCOMPARE(selection->historian().sampleCount().value(), std::int64_t{2});
            // --store project overrides the meta key for one run.
            auto local = twin::StoreSelection::resolve(*store, std::string("project"));
            QVERIFY(local.ok());
            QVERIFY(local->shared() == nullptr);
            QCOMPARE(local->historian().sampleCount().value(), std::int64_t{1});
        }
        auto back = cli({"store", project, "project"});
        QVERIFY2(back.code == 0, back.err.c_str());
        QVERIFY(back.out.find("samples      1") != std::string::npos);
        QVERIFY2(back.out.find("decisions    0") != std::string::npos, back.out.c_str());
        QVERIFY(back.out.find("approvals    0 pending") != std::string::npos);
    }

    void refusals()
    {
        const auto project = m_dir.filePath(QStringLiteral("refuse.twin")).toStdString();
        QVERIFY(twin::ProjectStore::create(project).ok());
        // Not a store URL: names the argument and what to give.
        auto scheme = cli({"store", project, "mysql://x@host/db"});
        QCOMPARE(scheme.code, 1);
        QVERIFY2(scheme.err.find("--store") != std::string::npos, scheme.err.c_str());
        QVERIFY(scheme.err.find("postgresql://") != std::string::npos);
        // A password in the URL is never stored (nor printed).
        const auto url = m_pg.createDatabase(QStringLiteral("refuse"));
        QVERIFY(!url.empty());
        std::string withPassword = url;
        withPassword.replace(withPassword.find("twindesk@"), 9, "twindesk:s3cret@");
        auto pw = cli({"store", project, withPassword});
        QCOMPARE(pw.code, 1);
        QVERIFY2(pw.err.find("password") != std::string::npos, pw.err.c_str());
        QVERIFY(pw.err.find("s3cret") == std::string::npos);
        // No server: a clear error, and the project keeps its store.
        auto down = cli({"store", project,
                         "postgresql://twindesk@127.0.0.1:" +
                             std::to_string(test::TestPostgres::freePort()) + "/none"});
        QCOMPARE(down.code, 1);
        QVERIFY2(down.err.find("cannot connect") != std::string::npos, down.err.c_str());
        auto store = twin::ProjectStore::open(project);
        QVERIFY(store.ok());
        QVERIFY(!store->meta("store")->has_value());
    }
};

TWINDESK_TEST(TestStoreCommand)
#include "tst_store_command.moc"
