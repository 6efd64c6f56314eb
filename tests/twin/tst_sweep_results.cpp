// Sweep results (sweep_results.h) on both back ends: the project file and a real PostgreSQL 15
// server started by the test. Every data-driven test runs once per back end with the same
// assertions.
#include "postgres_server.h"
#include "test_registry.h"

#include <twindesk/twin/pg_store.h>
#include <twindesk/twin/project_store.h>
#include <twindesk/twin/store_schema.h>
#include <twindesk/twin/sweep_results.h>

#include <QTemporaryDir>

#include <sqlite3.h>

#include <memory>

using namespace twindesk::twin;

namespace {

SweepResultRow row(const std::string& sweep, std::int64_t index, std::int64_t count,
                   const std::string& json, bool ok = true)
{
    SweepResultRow r;
    r.sweep = sweep;
    r.variantIndex = index;
    r.variantCount = count;
    r.label = "seed=" + std::to_string(index + 1);
    r.ok = ok;
    r.rowJson = json;
    r.version = "9.9.9";
    return r;
}

} // namespace

class TestSweepResults : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    twindesk::test::TestPostgres m_pg;
    int m_stores = 0;
    std::unique_ptr<ProjectStore> m_project;
    std::unique_ptr<PgStore> m_shared;

    // A new, empty store of the row's back end (kept until the next call).
    std::unique_ptr<SweepResultStore> freshStore()
    {
        QFETCH(QString, backend);
        const QString name = QStringLiteral("s%1").arg(++m_stores);
        m_project.reset();
        m_shared.reset();
        if (backend == QLatin1String("sqlite")) {
            auto store =
                ProjectStore::create(m_dir.filePath(name + QStringLiteral(".twin")).toStdString());
            if (!store)
                return nullptr;
            m_project = std::make_unique<ProjectStore>(std::move(store).value());
            return std::make_unique<SweepResultStore>(*m_project);
        }
        const auto url = m_pg.createDatabase(name);
        auto store = PgStore::connect(url);
        if (!store) {
            qWarning("%s", store.error().toString().c_str());
            return nullptr;
        }
        m_shared = std::make_unique<PgStore>(std::move(store).value());
        return std::make_unique<SweepResultStore>(*m_shared);
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
    void cleanupTestCase()
    {
        m_shared.reset();
        m_pg.stop();
    }

    void migrationTranslatesToPostgres()
    {
        auto pg = schemaMigration(SqlDialect::Postgres, 7);
        QVERIFY2(pg.ok(), pg ? "" : pg.error().toString().c_str());
        QCOMPARE(pg->size(), std::size_t{1});
        const auto& s = pg->front();
        QVERIFY2(s.find("CREATE TABLE sweep_results(") == 0, s.c_str());
        QVERIFY2(s.find("variant_index BIGINT NOT NULL") != std::string::npos, s.c_str());
        QVERIFY2(s.find("WITHOUT ROWID") == std::string::npos, s.c_str());
        QVERIFY2(s.find("PRIMARY KEY(sweep, variant_index)") != std::string::npos, s.c_str());
    }

    void writeReadList_data() { backends(); }
    void writeReadList()
    {
        auto store = freshStore();
        QVERIFY(store);
        QVERIFY(store->list()->empty());
        QVERIFY(store->read("none")->empty());
        // Three pods, in any order; text with quotes, a backslash, a newline and non-ASCII
        // goes through unchanged.
        const std::string tricky = "{\"run\":\"it's \\\"x\\\"\\\\ K·h\",\"ok\":true}\n";
        for (const auto i : {2, 0, 1}) {
            const auto r =
                row("office-seeds", i, 3, i == 1 ? tricky : "{\"i\":" + std::to_string(i) + "}");
            QVERIFY2(store->write(std::span(&r, 1), SweepWriteMode::ReplaceRows).ok(),
                     store->location().c_str());
        }
        auto rows = store->read("office-seeds");
        QVERIFY(rows.ok());
        QCOMPARE(rows->size(), std::size_t{3});
        for (std::int64_t i = 0; i < 3; ++i) {
            QCOMPARE((*rows)[i].variantIndex, i);
            QCOMPARE((*rows)[i].variantCount, std::int64_t{3});
            QCOMPARE((*rows)[i].label, "seed=" + std::to_string(i + 1));
            QCOMPARE((*rows)[i].version, std::string("9.9.9"));
            QVERIFY((*rows)[i].writtenAtMs > 1'700'000'000'000);
        }
        QCOMPARE((*rows)[1].rowJson, tricky);
        // A retried variant replaces its row: still three rows, the new content.
        auto retried = row("office-seeds", 1, 3, "{\"retry\":1}", false);
        QVERIFY(store->write(std::span(&retried, 1), SweepWriteMode::ReplaceRows).ok());
        rows = store->read("office-seeds");
        QCOMPARE(rows->size(), std::size_t{3});
        QCOMPARE((*rows)[1].rowJson, std::string("{\"retry\":1}"));
        QCOMPARE((*rows)[1].ok, false);
        // Another sweep, then the listing (both, the most recent first).
        const std::vector<SweepResultRow> other{row("o'ther \"sweep\"", 0, 4, "{}")};
        QVERIFY(store->write(other, SweepWriteMode::ReplaceRows).ok());
        auto list = store->list();
        QVERIFY(list.ok());
        QCOMPARE(list->size(), std::size_t{2});
        QCOMPARE(list->front().name, std::string("o'ther \"sweep\""));
        QCOMPARE(list->front().missing(), std::int64_t{3});
        const auto& seeds = list->back();
        QCOMPARE(seeds.name, std::string("office-seeds"));
        QCOMPARE(seeds.stored, std::int64_t{3});
        QCOMPARE(seeds.variants, std::int64_t{3});
        QCOMPARE(seeds.failed, std::int64_t{1});
        QCOMPARE(seeds.missing(), std::int64_t{0});
        QVERIFY(seeds.firstWrittenMs <= seeds.lastWrittenMs);
        // A whole sweep run again replaces the sweep: its old rows go, other sweeps stay.
        const std::vector<SweepResultRow> again{row("office-seeds", 0, 2, "{\"a\":0}"),
                                                row("office-seeds", 1, 2, "{\"a\":1}")};
        QVERIFY(store->write(again, SweepWriteMode::ReplaceSweep).ok());
        rows = store->read("office-seeds");
        QCOMPARE(rows->size(), std::size_t{2});
        QCOMPARE((*rows)[1].rowJson, std::string("{\"a\":1}"));
        QCOMPARE(store->read("o'ther \"sweep\"")->size(), std::size_t{1});
    }

    void badRowsChangeNothing_data() { backends(); }
    void badRowsChangeNothing()
    {
        auto store = freshStore();
        QVERIFY(store);
        const std::vector<SweepResultRow> first{row("s", 0, 2, "{\"kept\":true}")};
        QVERIFY(store->write(first, SweepWriteMode::ReplaceRows).ok());
        // An index outside the sweep is refused before anything is written.
        const std::vector<SweepResultRow> outside{row("s", 1, 2, "{}"), row("s", 2, 2, "{}")};
        auto refused = store->write(outside, SweepWriteMode::ReplaceRows);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, ErrorCode::InvalidArgument);
        QVERIFY2(refused.error().message.find("variant index 2") != std::string::npos,
                 refused.error().message.c_str());
        QVERIFY(!store->write(std::vector{row("", 0, 1, "{}")}, SweepWriteMode::ReplaceRows).ok());
        // The same variant twice in one batch is refused too (on both back ends alike).
        const std::vector<SweepResultRow> twice{row("s", 1, 2, "{}"), row("s", 1, 2, "{}")};
        auto repeated = store->write(twice, SweepWriteMode::ReplaceRows);
        QVERIFY(!repeated.ok());
        QVERIFY2(repeated.error().message.find("twice") != std::string::npos,
                 repeated.error().message.c_str());
        // A batch the database itself refuses half-way (a trigger the test adds rejects the
        // second row) leaves nothing behind: not the removal of the sweep's rows, not the
        // batch's first row.
        QFETCH(QString, backend);
        if (backend == QLatin1String("sqlite")) {
            char* error = nullptr;
            QCOMPARE(sqlite3_exec(m_project->handle(),
                                  "CREATE TRIGGER poison BEFORE INSERT ON sweep_results "
                                  "WHEN NEW.run_label = 'poison' "
                                  "BEGIN SELECT RAISE(ABORT, 'poisoned row'); END",
                                  nullptr, nullptr, &error),
                     SQLITE_OK);
        } else {
            QVERIFY(m_shared
                        ->exec("CREATE FUNCTION poison_fn() RETURNS trigger LANGUAGE plpgsql AS "
                               "$$BEGIN IF NEW.run_label = 'poison' THEN RAISE EXCEPTION "
                               "'poisoned row'; END IF; RETURN NEW; END$$; "
                               "CREATE TRIGGER poison BEFORE INSERT ON sweep_results FOR EACH "
                               "ROW EXECUTE FUNCTION poison_fn()")
                        .ok());
        }
        auto poisoned = row("s", 1, 2, "{}");
        poisoned.label = "poison";
        const std::vector<SweepResultRow> half{row("s", 0, 2, "{\"new\":true}"), poisoned};
        auto failed = store->write(half, SweepWriteMode::ReplaceSweep);
        QVERIFY(!failed.ok());
        QVERIFY2(failed.error().message.find("poisoned row") != std::string::npos,
                 failed.error().toString().c_str());
        auto rows = store->read("s");
        QVERIFY(rows.ok());
        QCOMPARE(rows->size(), std::size_t{1});
        QCOMPARE(rows->front().rowJson, std::string("{\"kept\":true}"));
        // The store still works after the failed transaction.
        QVERIFY(store->write(std::vector{row("s", 1, 2, "{}")}, SweepWriteMode::ReplaceRows).ok());
        QCOMPARE(store->read("s")->size(), std::size_t{2});
    }
};

TWINDESK_TEST(TestSweepResults)
#include "tst_sweep_results.moc"
