// The historian's contract (historian.h) on both back ends: the project's SQLite file and a
// real PostgreSQL 15 server (started by the test in a temporary directory). Every data-driven
// test runs once per back end with the same assertions.
#include "postgres_server.h"
#include "test_registry.h"

#include <twindesk/twin/pg_store.h>
#include <twindesk/twin/project_store.h>
#include <twindesk/twin/store_schema.h>

#include <QTemporaryDir>

#include <atomic>
#include <cmath>
#include <memory>
#include <thread>

using namespace twindesk::twin;

class TestHistorianBackends : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    twindesk::test::TestPostgres m_pg;
    int m_databases = 0;
    std::string m_lastUrl; // the last PostgreSQL database made, for second connections
    std::filesystem::path m_lastFile;

    // A new, empty store of the row's back end.
    std::unique_ptr<Historian> freshStore()
    {
        QFETCH(QString, backend);
        const QString name = QStringLiteral("h%1").arg(++m_databases);
        if (backend == QLatin1String("sqlite")) {
            m_lastFile = m_dir.filePath(name + QStringLiteral(".twin")).toStdString();
            auto store = ProjectStore::create(m_lastFile);
            if (!store) {
                qWarning("%s", store.error().toString().c_str());
                return nullptr;
            }
            return std::make_unique<ProjectStore>(std::move(store).value());
        }
        m_lastUrl = m_pg.createDatabase(name);
        if (m_lastUrl.empty()) {
            qWarning("%s", qPrintable(m_pg.lastError()));
            return nullptr;
        }
        return connectAgain();
    }

    // Another connection to the store freshStore() made last.
    std::unique_ptr<Historian> connectAgain()
    {
        QFETCH(QString, backend);
        if (backend == QLatin1String("sqlite")) {
            auto store = ProjectStore::open(m_lastFile);
            if (!store)
                return nullptr;
            return std::make_unique<ProjectStore>(std::move(store).value());
        }
        auto store = PgStore::connect(m_lastUrl);
        if (!store) {
            qWarning("%s", store.error().toString().c_str());
            return nullptr;
        }
        return std::make_unique<PgStore>(std::move(store).value());
    }

    static void backends()
    {
        QTest::addColumn<QString>("backend");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgresql") << QStringLiteral("postgresql");
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_pg.start(), qPrintable(m_pg.lastError()));
    }
    void cleanupTestCase() { m_pg.stop(); }

    void appendQueryReplace_data() { backends(); }
    void appendQueryReplace()
    {
        auto store = freshStore();
        QVERIFY(store);
        std::vector<Sample> batch;
        for (int i = 0; i < 1000; ++i)
            batch.push_back(
                Sample{i % 2 == 0 ? "urn:x:temp" : "urn:x:co2", i * 60000LL, 20.0 + i * 0.01});
        QVERIFY(store->appendSamples(batch).ok());
        QCOMPARE(store->sampleCount().value(), std::int64_t{1000});
        auto temp = store->samples("urn:x:temp", 0, 600000);
        QVERIFY(temp.ok());
        QCOMPARE(temp->size(), std::size_t{5}); // t = 0, 2, 4, 6, 8 min
        QCOMPARE(temp->front().value, 20.0);
        QCOMPARE(temp->back().time, std::int64_t{480000});
        QCOMPARE(temp->back().value, 20.0 + 8 * 0.01); // bit for bit
        // A sample at an existing (point, time) replaces it rather than duplicating.
        const Sample again{"urn:x:temp", 0, 99.0};
        QVERIFY(store->appendSamples(std::span(&again, 1)).ok());
        QCOMPARE(store->sampleCount().value(), std::int64_t{1000});
        QCOMPARE(store->samples("urn:x:temp", 0, 1)->front().value, 99.0);
        // Inside one batch the last sample of a (point, time) wins.
        const std::vector<Sample> twice{{"urn:x:co2", 60000, 1.0}, {"urn:x:co2", 60000, 2.0}};
        QVERIFY(store->appendSamples(twice).ok());
        QCOMPARE(store->samples("urn:x:co2", 60000, 60001)->front().value, 2.0);
        QCOMPARE(store->sampleCount().value(), std::int64_t{1000});
    }

    void seriesFastPath_data() { backends(); }
    void seriesFastPath()
    {
        auto store = freshStore();
        QVERIFY(store);
        auto a = store->seriesId("urn:x:a");
        auto b = store->seriesId("urn:x:b");
        QVERIFY(a.ok() && b.ok());
        QVERIFY(*a != *b);
        QCOMPARE(store->seriesId("urn:x:a").value(), *a); // stable
        auto other = connectAgain();
        QVERIFY(other);
        QCOMPARE(other->seriesId("urn:x:b").value(), *b); // the same on another connection
        std::vector<SeriesSample> batch;
        for (int i = 0; i < 5000; ++i)
            batch.push_back({i % 2 == 0 ? *a : *b, i * 1000LL, i * 0.5});
        QVERIFY(store->appendSeries(batch).ok());
        QCOMPARE(store->sampleCount().value(), std::int64_t{5000});
        auto read = store->samples("urn:x:b", 0, 10000);
        QVERIFY(read.ok());
        QCOMPARE(read->size(), std::size_t{5});
        QCOMPARE(read->front().value, 0.5);
        // A batch that fails half-way (a series that does not exist) stores nothing of itself,
        // and the error says so.
        std::vector<SeriesSample> bad{{*a, 99998000, 1.0}, {*b + 1000, 99999000, 2.0}};
        const auto failed = store->appendSeries(bad);
        QVERIFY(!failed.ok());
        QVERIFY2(failed.error().message.find("not stored") != std::string::npos,
                 failed.error().message.c_str());
        QCOMPARE(store->sampleCount().value(), std::int64_t{5000});
        // The connection is usable after the failure.
        QVERIFY(store->appendSeries(std::span(batch.data(), 1)).ok());
    }

    void latestAndRange_data() { backends(); }
    void latestAndRange()
    {
        auto store = freshStore();
        QVERIFY(store);
        QVERIFY(store->historianRange().ok());
        QVERIFY(!store->historianRange()->has_value());
        QVERIFY(store->latestSamples(1000)->empty());
        const std::vector<Sample> rows{{"urn:x:b", 1000, 1.5},
                                       {"urn:x:b", 2000, std::nan("")}, // bad quality
                                       {"urn:x:a", 1500, 7.25},
                                       {"urn:x:a", 3000, 8.0},
                                       {"urn:x:c", 5000, 3.0}};
        QVERIFY(store->appendSamples(rows).ok());
        const auto range = store->historianRange();
        QVERIFY(range.ok() && range->has_value());
        QCOMPARE((*range)->first, std::int64_t{1000});
        QCOMPARE((*range)->second, std::int64_t{5000});
        const auto latest = store->latestSamples(2500);
        QVERIFY(latest.ok());
        QCOMPARE(latest->size(), std::size_t{2}); // c has no sample by 2500
        QCOMPARE(latest->at(0).point, std::string("urn:x:a"));
        QCOMPARE(latest->at(0).time, std::int64_t{1500});
        QCOMPARE(latest->at(0).value, 7.25);
        QCOMPARE(latest->at(1).point, std::string("urn:x:b"));
        QCOMPARE(latest->at(1).time, std::int64_t{2000});
        QVERIFY(std::isnan(latest->at(1).value));
        QCOMPARE(store->samples("urn:x:b", 2000, 2001)->front().value, 0.0); // see historian.h
        QCOMPARE(store->latestSamples(999)->size(), std::size_t{0});
        QCOMPARE(store->latestSamples(5000)->size(), std::size_t{3});
    }

    // Two writers (each its own connection, as two live loops) and a reader at the same time:
    // nothing is lost, and the reader never sees a batch half-stored.
    void twoWritersAndAReader_data() { backends(); }
    void twoWritersAndAReader()
    {
        constexpr int kBatches = 40;
        constexpr int kPerBatch = 250;
        auto first = freshStore();
        QVERIFY(first);
        auto second = connectAgain();
        auto reader = connectAgain();
        QVERIFY(second && reader);
        std::atomic<int> failures{0};
        std::atomic<bool> writing{true};
        auto writer = [&failures](Historian* h, const std::string& prefix) {
            std::vector<std::int64_t> ids;
            for (int p = 0; p < 5; ++p) {
                auto id = h->seriesId(prefix + std::to_string(p));
                if (!id) {
                    qWarning("%s", id.error().toString().c_str());
                    ++failures;
                    return;
                }
                ids.push_back(*id);
            }
            for (int b = 0; b < kBatches; ++b) {
                std::vector<SeriesSample> batch;
                for (int i = 0; i < kPerBatch; ++i)
                    batch.push_back({ids[static_cast<std::size_t>(i % 5)],
                                     (b * kPerBatch + i) * 1000LL, double(i)});
                if (auto s = h->appendSeries(batch); !s) {
                    qWarning("%s", s.error().toString().c_str());
                    ++failures;
                }
            }
        };
        std::vector<std::int64_t> seen;
        std::atomic<int> readFailures{0};
        std::thread readerThread([&] {
            while (writing.load()) {
                auto n = reader->sampleCount();
                if (!n)
                    ++readFailures;
                else
                    seen.push_back(*n);
            }
        });
        // Both writers share the series "urn:shared:0..4": concurrent series creation too.
        std::thread w1(writer, first.get(), "urn:shared:");
        std::thread w2(writer, second.get(), "urn:shared:");
        w1.join();
        w2.join();
        writing = false;
        readerThread.join();
        QCOMPARE(failures.load(), 0);
        QCOMPARE(readFailures.load(), 0);
        // Same (series, t) from both writers replace each other: the count is one writer's.
        QCOMPARE(reader->sampleCount().value(), std::int64_t{kBatches * kPerBatch});
        for (std::size_t i = 1; i < seen.size(); ++i)
            QVERIFY(seen[i] >= seen[i - 1]);
        for (const auto n : seen) // whole batches only
            QCOMPARE(n % kPerBatch, std::int64_t{0});

        // Distinct series per writer: the counts add up.
        std::thread w3(writer, first.get(), "urn:one:");
        std::thread w4(writer, second.get(), "urn:two:");
        w3.join();
        w4.join();
        QCOMPARE(failures.load(), 0);
        QCOMPARE(reader->sampleCount().value(), std::int64_t{3 * kBatches * kPerBatch});
    }

    void postgresTranslationCoversEveryMigration()
    {
        bool sawHistorian = false;
        bool sawTrigger = false;
        for (int v = 1; v <= ProjectStore::kSchemaVersion; ++v) {
            auto lite = schemaMigration(SqlDialect::Sqlite, v);
            auto pg = schemaMigration(SqlDialect::Postgres, v);
            QVERIFY2(lite.ok(), lite ? "" : lite.error().toString().c_str());
            QVERIFY2(pg.ok(), pg ? "" : pg.error().toString().c_str());
            for (const auto& s : *pg) {
                QVERIFY2(s.find("WITHOUT ROWID") == std::string::npos, s.c_str());
                QVERIFY2(s.find("INTEGER PRIMARY KEY") == std::string::npos, s.c_str());
                QVERIFY2(s.find("REAL") == std::string::npos, s.c_str());
                sawHistorian |= s.find("CREATE TABLE historian(") != std::string::npos;
                sawTrigger |= s.find("EXECUTE FUNCTION decision_log_append_only_update_fn")
                              != std::string::npos;
                QVERIFY2(s.find("CREATE TABLE entities") == std::string::npos, s.c_str());
            }
        }
        QVERIFY(sawHistorian);
        QVERIFY(sawTrigger);
        QVERIFY(!schemaMigration(SqlDialect::Postgres, ProjectStore::kSchemaVersion + 1).ok());
        // A trigger body keeps its inner ';'.
        const auto split = splitSqlStatements(
            "CREATE TABLE a(x TEXT DEFAULT ';');\nCREATE TRIGGER t BEFORE DELETE ON a BEGIN "
            "SELECT RAISE(ABORT, 'no'); END;\nCREATE INDEX i ON a(x);");
        QCOMPARE(split.size(), std::size_t{3});
        QVERIFY(split[1].ends_with("END"));
    }

    void postgresSchemaAndRefusals()
    {
        const auto url = m_pg.createDatabase(QStringLiteral("schema"));
        QVERIFY2(!url.empty(), qPrintable(m_pg.lastError()));
        {
            auto a = PgStore::connect(url);
            QVERIFY2(a.ok(), a ? "" : a.error().toString().c_str());
            QCOMPARE(a->schemaVersion(), ProjectStore::kSchemaVersion);
            // The decision log is append-only on this back end too.
            QVERIFY(a->exec("INSERT INTO decision_log(seq, t, policy_id, policy_version, "
                            "policy_hash, prev_hash, row_hash) VALUES (1, 0, 'p', '1', 'h', "
                            "'g', 'r')")
                        .ok());
            const auto forged = a->exec("UPDATE decision_log SET verdict = 'forged'");
            QVERIFY(!forged.ok());
            QVERIFY2(forged.error().message.find("append-only") != std::string::npos,
                     forged.error().message.c_str());
            QVERIFY(!a->exec("DELETE FROM decision_log").ok());
            // The model stays in the project file.
            QCOMPARE(a->queryText("SELECT to_regclass('entities')::text").value(),
                     std::optional<std::string>{});
        }
        // Connecting again migrates nothing and keeps the data.
        auto again = PgStore::connect(url);
        QVERIFY(again.ok());
        QCOMPARE(again->queryText("SELECT count(*) FROM decision_log").value(),
                 std::optional<std::string>("1"));
        // A schema from a newer TwinDesk is refused, naming the versions.
        QVERIFY(again->exec("UPDATE twindesk_schema SET version = 99").ok());
        auto newer = PgStore::connect(url);
        QVERIFY(!newer.ok());
        QCOMPARE(newer.error().code, ErrorCode::SchemaTooNew);
        QVERIFY(newer.error().message.find("99") != std::string::npos);
        // No server there: a clear error naming the (redacted) URL.
        const auto nowhere =
            "postgresql://twindesk:secret@127.0.0.1:" +
            std::to_string(twindesk::test::TestPostgres::freePort()) + "/none";
        auto refused = PgStore::connect(nowhere);
        QVERIFY(!refused.ok());
        QVERIFY(refused.error().where.find("secret") == std::string::npos);
        QVERIFY(refused.error().where.find("twindesk:***@127.0.0.1") != std::string::npos);
        QVERIFY(refused.error().message.find("cannot connect") != std::string::npos);
    }

    // NOTIFY on one connection reaches a LISTENing connection (as an approval decided in one
    // console reaches the loop in another): asserted on the notification, not on timing.
    void postgresNotificationReachesAnotherConnection()
    {
        const auto url = m_pg.createDatabase(QStringLiteral("notify"));
        QVERIFY(!url.empty());
        auto loop = PgStore::connect(url);
        auto console = PgStore::connect(url);
        QVERIFY(loop.ok() && console.ok());
        QVERIFY(loop->listen("twindesk_approvals").ok());
        QVERIFY(!loop->listen("bad channel; DROP TABLE x").ok());
        QVERIFY(loop->waitForNotifications(0)->empty());
        QVERIFY(console->notify("twindesk_approvals", "7 approved").ok());
        std::vector<StoreNotification> got;
        for (int i = 0; i < 50 && got.empty(); ++i) // bounded wait, not a timing assertion
            got = loop->waitForNotifications(200).value();
        QCOMPARE(got.size(), std::size_t{1});
        QCOMPARE(got[0].channel, std::string("twindesk_approvals"));
        QCOMPARE(got[0].payload, std::string("7 approved"));
    }

    // The server goes away and comes back: the write that failed meanwhile changed nothing,
    // the connection is re-established by the next call, and the writer's retry stores the
    // batch it kept (as LiveSource does); LISTEN is renewed. Declared last: it restarts the server.
    void postgresReconnectsAfterARestart()
    {
        const auto url = m_pg.createDatabase(QStringLiteral("restart"));
        QVERIFY(!url.empty());
        auto writer = PgStore::connect(url);
        auto listener = PgStore::connect(url);
        QVERIFY(writer.ok() && listener.ok());
        QVERIFY(listener->listen("twindesk_approvals").ok());
        const std::vector<Sample> first{{"urn:x:a", 1000, 1.0}, {"urn:x:b", 1000, 2.0}};
        QVERIFY(writer->appendSamples(first).ok());
        QVERIFY2(m_pg.restart(), qPrintable(m_pg.lastError()));
        const auto id = writer->seriesId("urn:x:a"); // cached: no round trip
        QVERIFY(id.ok());
        const std::vector<SeriesSample> kept{{*id, 2000, 3.0}, {*id, 3000, 4.0}};
        // The first call after the restart finds the connection broken and fails (nothing
        // stored); a later one has reconnected and succeeds.
        auto s = writer->appendSeries(kept);
        for (int retry = 0; retry < 2 && !s; ++retry)
            s = writer->appendSeries(kept);
        QVERIFY2(s.ok(), s ? "" : s.error().toString().c_str());
        const auto count = writer->sampleCount();
        QVERIFY2(count.ok(), count ? "" : count.error().toString().c_str());
        QCOMPARE(*count, std::int64_t{4});
        QCOMPARE(writer->samples("urn:x:a", 0, 10000)->size(), std::size_t{3});
        // The listener renews its LISTEN when it reconnects.
        // It learns of the restart when it reads (an error: notifications may have been
        // missed, so a reader polls its state then); the call after that has reconnected
        // (libpq may first read the server's goodbye message and only then the closed socket).
        bool sawLoss = false;
        bool back = false;
        for (int i = 0; i < 4 && !back; ++i) {
            const auto pending = listener->waitForNotifications(0);
            sawLoss |= !pending.ok();
            back = sawLoss && pending.ok();
        }
        QVERIFY(sawLoss);
        QVERIFY(back);
        QVERIFY(writer->notify("twindesk_approvals", "after restart").ok());
        std::vector<StoreNotification> got;
        for (int i = 0; i < 50 && got.empty(); ++i) {
            auto n = listener->waitForNotifications(200);
            QVERIFY2(n.ok(), n ? "" : n.error().toString().c_str());
            got = *n;
        }
        QCOMPARE(got.size(), std::size_t{1});
        QCOMPARE(got[0].payload, std::string("after restart"));
    }
};

TWINDESK_TEST(TestHistorianBackends)
#include "tst_historian_backends.moc"
