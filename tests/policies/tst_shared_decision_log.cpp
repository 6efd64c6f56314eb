// The decision log on the shared PostgreSQL store (a real server started by the test): the
// same chain as in a project file, several loops appending to one chain at once, queries,
// verify() catching an edited row on the server, and the server going away mid-run.
#include "postgres_server.h"
#include "test_registry.h"

#include <twindesk/policies/decision_log.h>
#include <twindesk/twin/pg_store.h>
#include <twindesk/twin/project_store.h>

#include <QTemporaryDir>

#include <algorithm>
#include <thread>

using namespace twindesk::policies;
using twindesk::twin::ErrorCode;
using twindesk::twin::PgStore;
using twindesk::twin::ProjectStore;

namespace {

DecisionRecord makeRecord(int i, const std::string& policy = "mpc.zone-temp")
{
    DecisionRecord r;
    r.timeMs = 1'700'000'000'000 + std::int64_t{i} * 60'000;
    r.policyId = policy;
    r.policyVersion = "1.2." + std::to_string(i % 4);
    r.inputs = R"({"zone":"urn:x:room","T":)" + std::to_string(20 + i % 5) + R"(.5,"occ":3})";
    r.proposed = "SetSetpoint target=urn:x:sp value=" + std::to_string(18 + i % 4);
    r.verdict = i % 5 == 0 ? "modified" : "accepted";
    r.approval = i % 7 == 0 ? "approved by Zoë" : "auto";
    r.applied = r.proposed;
    r.latency = R"({"policy":412,"guard":35})";
    return r;
}

} // namespace

class TestSharedDecisionLog : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    twindesk::test::TestPostgres m_pg;

    PgStore connect(const std::string& url)
    {
        auto store = PgStore::connect(url);
        if (!store)
            qFatal("%s", store.error().toString().c_str());
        return std::move(store).value();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_pg.start(), qPrintable(m_pg.lastError()));
    }
    void cleanupTestCase() { m_pg.stop(); }

    void sameChainAsAProjectFile()
    {
        // The same decisions logged to a project file and to the shared store give the same
        // rows, hashes included: one format, whichever back end holds it.
        const auto file = std::filesystem::path(m_dir.path().toStdString()) / "same.twin";
        auto project = ProjectStore::create(file);
        QVERIFY(project.ok());
        auto pg = connect(m_pg.createDatabase(QStringLiteral("same")));
        std::vector<DecisionRecord> fromFile;
        {
            auto fileLog = DecisionLog::open(*project);
            auto pgLog = DecisionLog::open(pg);
            QVERIFY(fileLog.ok() && pgLog.ok());
            QVERIFY(pgLog->shared());
            QVERIFY(!fileLog->shared());
            for (int i = 1; i <= 40; ++i) {
                QVERIFY(fileLog->append(makeRecord(i)).ok());
                QVERIFY(pgLog->append(makeRecord(i)).ok());
                QCOMPARE(pgLog->pending(), std::size_t{0}); // written at once on the shared store
                QCOMPARE(pgLog->lastSeq(), std::int64_t{i});
            }
            QVERIFY(fileLog->flush().ok());
            fromFile = fileLog->read(1, 100).value();
            QCOMPARE(pgLog->read(1, 100).value(), fromFile);
            QCOMPARE(pgLog->headHash(), fileLog->headHash());
        }
        auto report = DecisionLog::verify(pg);
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().toString().c_str());
        QVERIFY2(report->ok, report->reason.c_str());
        QCOMPARE(report->rows, std::int64_t{40});
        QCOMPARE(report->headHash, fromFile.back().rowHash);
        QVERIFY(report->warnings.empty());
        // Reopening continues the chain.
        auto again = DecisionLog::open(pg);
        QVERIFY(again.ok());
        QCOMPARE(again->lastSeq(), std::int64_t{40});
        QVERIFY(again->append(makeRecord(41)).ok());
        QCOMPARE(again->read(41, 1)->front().prevHash, fromFile.back().rowHash);
    }

    void loopsOnSeveralMachinesShareOneChain()
    {
        // Three loops (three connections, three threads) append at once: nothing is lost,
        // the chain is one line 1..N, and each loop's rows keep their order.
        const auto url = m_pg.createDatabase(QStringLiteral("many"));
        constexpr int kLoops = 3;
        constexpr int kRows = 150;
        std::vector<std::string> errors(kLoops);
        std::vector<std::vector<std::int64_t>> seqs(kLoops);
        {
            std::vector<std::thread> threads;
            for (int l = 0; l < kLoops; ++l)
                threads.emplace_back([&, l] {
                    auto store = PgStore::connect(url);
                    if (!store) {
                        errors[l] = store.error().toString();
                        return;
                    }
                    auto log = DecisionLog::open(*store);
                    if (!log) {
                        errors[l] = log.error().toString();
                        return;
                    }
                    for (int i = 0; i < kRows; ++i) {
                        if (auto s = log->append(makeRecord(i, "loop-" + std::to_string(l))); !s) {
                            errors[l] = s.error().toString();
                            return;
                        }
                        seqs[l].push_back(log->lastSeq());
                    }
                });
            for (auto& t : threads)
                t.join();
        }
        for (const auto& e : errors)
            QVERIFY2(e.empty(), e.c_str());
        auto pg = connect(url);
        auto report = DecisionLog::verify(pg);
        QVERIFY(report.ok());
        QVERIFY2(report->ok, report->reason.c_str());
        QCOMPARE(report->rows, std::int64_t{kLoops * kRows});
        QCOMPARE(report->lastSeq, std::int64_t{kLoops * kRows});
        // Each loop saw its own rows' final seqs, increasing, and they are its rows.
        auto log = DecisionLog::open(pg);
        QVERIFY(log.ok());
        std::vector<std::int64_t> all;
        for (int l = 0; l < kLoops; ++l) {
            QCOMPARE(seqs[l].size(), std::size_t{kRows});
            QVERIFY(std::is_sorted(seqs[l].begin(), seqs[l].end()));
            DecisionQuery q;
            q.policyId = "loop-" + std::to_string(l);
            auto mine = log->query(q);
            QVERIFY(mine.ok());
            QCOMPARE(mine->size(), std::size_t{kRows});
            for (std::size_t i = 0; i < mine->size(); ++i)
                QCOMPARE((*mine)[i].seq, seqs[l][i]);
            all.insert(all.end(), seqs[l].begin(), seqs[l].end());
        }
        std::sort(all.begin(), all.end());
        QCOMPARE(std::adjacent_find(all.begin(), all.end()), all.end()); // no seq twice
    }

    void verifyFindsAnEditedRowOnTheServer()
    {
        const auto url = m_pg.createDatabase(QStringLiteral("tamper"));
        auto pg = connect(url);
        {
            auto log = DecisionLog::open(pg);
            QVERIFY(log.ok());
            for (int i = 1; i <= 10; ++i)
                QVERIFY(log->append(makeRecord(i)).ok());
        }
        // The append-only trigger refuses an edit...
        QVERIFY(!pg.exec("UPDATE decision_log SET verdict = 'accepted' WHERE seq = 5").ok());
        // ...so an attacker with the rights drops it first: verify names both.
        QVERIFY(pg.exec("DROP TRIGGER decision_log_append_only_update ON decision_log").ok());
        QVERIFY(pg.exec("UPDATE decision_log SET verdict = 'rejected' WHERE seq = 6").ok());
        auto report = DecisionLog::verify(pg);
        QVERIFY(report.ok());
        QVERIFY(!report->ok);
        QCOMPARE(report->firstBrokenSeq, std::optional<std::int64_t>(6));
        QVERIFY2(report->reason.find("content does not match") != std::string::npos,
                 report->reason.c_str());
        QCOMPARE(report->warnings.size(), std::size_t{1});
        QVERIFY(report->warnings.front().find("decision_log_append_only_update") !=
                std::string::npos);
    }

    void serverDownKeepsTheRowAndWritesItLater()
    {
        // The server goes away: append fails naming the store, the row stays buffered, and
        // the next append after the restart writes both, chained.
        const auto url = m_pg.createDatabase(QStringLiteral("down"));
        auto pg = connect(url);
        auto log = DecisionLog::open(pg);
        QVERIFY(log.ok());
        QVERIFY(log->append(makeRecord(1)).ok());
        m_pg.stop();
        auto failed = log->append(makeRecord(2));
        QVERIFY(!failed.ok());
        QCOMPARE(failed.error().code, ErrorCode::StorageError);
        QVERIFY2(failed.error().where.find("postgresql://") == 0, failed.error().where.c_str());
        QVERIFY2(failed.error().message.find("kept in memory") != std::string::npos,
                 failed.error().message.c_str());
        QCOMPARE(log->pending(), std::size_t{1});
        QVERIFY2(m_pg.restart(), qPrintable(m_pg.lastError()));
        QVERIFY2(log->append(makeRecord(3)).ok(), "append after the restart");
        QCOMPARE(log->pending(), std::size_t{0});
        auto report = DecisionLog::verify(pg);
        QVERIFY(report.ok());
        QVERIFY2(report->ok, report->reason.c_str());
        QCOMPARE(report->rows, std::int64_t{3});
    }
};

TWINDESK_TEST(TestSharedDecisionLog)
#include "tst_shared_decision_log.moc"
