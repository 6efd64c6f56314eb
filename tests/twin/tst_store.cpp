// The SQLite project file: round trips, migrations, refusals and atomicity, on real files.
#include "test_registry.h"

#include <twindesk/twin/project_store.h>

#include <QTemporaryDir>

#include <sqlite3.h>

#include <fstream>
#include <sstream>

using namespace twindesk::twin;
namespace fs = std::filesystem;

namespace {

TwinGraph sampleGraph()
{
    TwinGraph g;
    Entity b;
    b.id = "urn:x:building";
    b.name = "HQ";
    b.kind = EntityKind::Building;
    b.classes = {"https://brickschema.org/schema/Brick#Building"};
    b.categories = kCatBuilding;
    Entity r;
    r.id = "urn:x:room";
    r.name = "Room 1 «Конференц»"; // non-ASCII survives
    r.kind = EntityKind::Room;
    r.use = ZoneUse::Conference;
    r.categories = kCatSpace;
    r.setAttribute("area", "42.5", "m²");
    r.setAttribute("maxOccupancy", "12");
    Entity p;
    p.id = "urn:x:temp";
    p.name = "Temp";
    p.kind = EntityKind::Point;
    p.point = PointInfo{PointType::Sensor, Quantity::Temperature, "°C", true, "ts-17"};
    Entity h;
    h.id = "urn:x:host";
    h.name = "host";
    h.kind = EntityKind::Equipment;
    h.equipmentType = EquipmentType::ComputeHost;
    Entity vm;
    vm.id = "urn:x:vm";
    vm.name = "vm";
    vm.kind = EntityKind::Workload;
    vm.workloadType = WorkloadType::VirtualMachine;
    for (auto& e : {b, r, p, h, vm})
        (void)g.addEntity(e);
    (void)g.addRelation("urn:x:building", Relation::HasPart, "urn:x:room");
    (void)g.addRelation("urn:x:room", Relation::HasPoint, "urn:x:temp");
    (void)g.addRelation("urn:x:vm", Relation::RunsOn, "urn:x:host");
    (void)g.addRelation("urn:x:host", Relation::HasLocation, "urn:x:room");
    return g;
}

std::string readAll(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void execRaw(const fs::path& file, const char* sqlText)
{
    sqlite3* db = nullptr;
    QCOMPARE(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    char* msg = nullptr;
    const int rc = sqlite3_exec(db, sqlText, nullptr, nullptr, &msg);
    if (rc != SQLITE_OK)
        qWarning("sqlite: %s", msg);
    sqlite3_free(msg);
    sqlite3_close(db);
    QCOMPARE(rc, SQLITE_OK);
}

} // namespace

class TestStore : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    fs::path file(const char* name) const { return fs::path(m_dir.path().toStdString()) / name; }

private Q_SLOTS:
    void roundTrip()
    {
        const auto path = file("round.twin");
        const auto g = sampleGraph();
        {
            auto store = ProjectStore::create(path);
            QVERIFY2(store.ok(), store.ok() ? "" : store.error().toString().c_str());
            QCOMPARE(store->schemaVersion(), ProjectStore::kSchemaVersion);
            QVERIFY(store->saveModel(g).ok());
            QVERIFY(store->setMeta("source_triples", "123").ok());
        }
        auto store = ProjectStore::open(path, OpenMode::ReadOnly);
        QVERIFY(store.ok());
        auto loaded = store->loadModel();
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : loaded.error().toString().c_str());
        QCOMPARE(loaded->entityCount(), g.entityCount());
        QCOMPARE(loaded->relations(), g.relations());
        for (EntityIndex i = 0; i < g.entityCount(); ++i) {
            const auto& a = g.entity(i);
            const auto& b = loaded->entity(i);
            QCOMPARE(b.id, a.id);
            QCOMPARE(b.name, a.name);
            QCOMPARE(b.kind, a.kind);
            QCOMPARE(b.equipmentType, a.equipmentType);
            QCOMPARE(b.workloadType, a.workloadType);
            QCOMPARE(b.use, a.use);
            QCOMPARE(b.categories, a.categories);
            QCOMPARE(b.classes, a.classes);
            QCOMPARE(b.attributes, a.attributes);
            QCOMPARE(b.point.has_value(), a.point.has_value());
            if (a.point) {
                QCOMPARE(b.point->unit, a.point->unit);
                QCOMPARE(b.point->quantity, a.point->quantity);
                QCOMPARE(b.point->type, a.point->type);
                QCOMPARE(b.point->timeseriesId, a.point->timeseriesId);
                QCOMPARE(b.point->unitExplicit, a.point->unitExplicit);
            }
        }
        auto meta = store->meta("source_triples");
        QVERIFY(meta.ok() && meta->has_value());
        QCOMPARE(**meta, std::string("123"));
        auto missing = store->meta("nope");
        QVERIFY(missing.ok() && !missing->has_value());
    }

    void saveReplacesTheModel()
    {
        const auto path = file("replace.twin");
        auto store = ProjectStore::create(path);
        QVERIFY(store.ok());
        QVERIFY(store->saveModel(sampleGraph()).ok());
        TwinGraph small;
        Entity e;
        e.id = "urn:only";
        e.name = "only";
        (void)small.addEntity(e);
        QVERIFY(store->saveModel(small).ok());
        auto loaded = store->loadModel();
        QVERIFY(loaded.ok());
        QCOMPARE(loaded->entityCount(), std::size_t{1});
        QCOMPARE(loaded->relationCount(), std::size_t{0});
    }

    void historian()
    {
        const auto path = file("hist.twin");
        auto store = ProjectStore::create(path);
        QVERIFY(store.ok());
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
        // A sample at an existing (point, time) replaces it rather than duplicating.
        const Sample again{"urn:x:temp", 0, 99.0};
        QVERIFY(store->appendSamples(std::span(&again, 1)).ok());
        QCOMPARE(store->sampleCount().value(), std::int64_t{1000});
        QCOMPARE(store->samples("urn:x:temp", 0, 1)->front().value, 99.0);
        // History survives a model replacement (series are keyed by IRI).
        QVERIFY(store->saveModel(sampleGraph()).ok());
        QCOMPARE(store->sampleCount().value(), std::int64_t{1000});
    }

    void seriesFastPath()
    {
        const auto path = file("series.twin");
        auto store = ProjectStore::create(path);
        QVERIFY(store.ok());
        auto a = store->seriesId("urn:x:a");
        auto b = store->seriesId("urn:x:b");
        QVERIFY(a.ok() && b.ok());
        QVERIFY(*a != *b);
        QCOMPARE(store->seriesId("urn:x:a").value(), *a); // stable
        std::vector<ProjectStore::SeriesSample> batch;
        for (int i = 0; i < 5000; ++i)
            batch.push_back({i % 2 == 0 ? *a : *b, i * 1000LL, i * 0.5});
        QVERIFY(store->appendSeries(batch).ok());
        QCOMPARE(store->sampleCount().value(), std::int64_t{5000});
        auto read = store->samples("urn:x:b", 0, 10000);
        QVERIFY(read.ok());
        QCOMPARE(read->size(), std::size_t{5});
        QCOMPARE(read->front().value, 0.5);
        // A batch that fails half-way stores nothing of itself.
        QVERIFY(
            sqlite3_exec(store->handle(),
                         "CREATE TRIGGER poison BEFORE INSERT ON historian WHEN NEW.t = 99999000 "
                         "BEGIN SELECT RAISE(ABORT, 'poisoned'); END;",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
        std::vector<ProjectStore::SeriesSample> bad{{*a, 99998000, 1.0}, {*a, 99999000, 2.0}};
        QVERIFY(!store->appendSeries(bad).ok());
        QCOMPARE(store->sampleCount().value(), std::int64_t{5000});
    }

    void walModeAndIdentity()
    {
        const auto path = file("wal.twin");
        {
            auto store = ProjectStore::create(path);
            QVERIFY(store.ok());
            sqlite3_stmt* st = nullptr;
            sqlite3_prepare_v2(store->handle(), "PRAGMA journal_mode", -1, &st, nullptr);
            QCOMPARE(sqlite3_step(st), SQLITE_ROW);
            QCOMPARE(QByteArray(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))),
                     QByteArray("wal"));
            sqlite3_finalize(st);
        }
    }

    void decisionLogIsAppendOnly()
    {
        const auto path = file("audit.twin");
        auto store = ProjectStore::create(path);
        QVERIFY(store.ok());
        char* msg = nullptr;
        QCOMPARE(sqlite3_exec(store->handle(),
                              "INSERT INTO decision_log(t, policy_id, policy_version, policy_hash, "
                              "prev_hash, row_hash) VALUES (1, 'p', '1', 'h', '', 'x')",
                              nullptr, nullptr, &msg),
                 SQLITE_OK);
        QVERIFY(sqlite3_exec(store->handle(), "UPDATE decision_log SET verdict = 'forged'", nullptr,
                             nullptr, &msg) != SQLITE_OK);
        QVERIFY(QByteArray(msg).contains("append-only"));
        sqlite3_free(msg);
        QVERIFY(sqlite3_exec(store->handle(), "DELETE FROM decision_log", nullptr, nullptr,
                             nullptr) != SQLITE_OK);
    }

    void migratesVersion1Forward()
    {
        const auto path = file("v1.twin");
        // A schema-1 project as TwinDesk 0.1 pre-releases wrote it (model tables only).
        execRaw(
            path,
            "PRAGMA application_id = 1415007812;"
            "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
            "CREATE TABLE entities(id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE,"
            " name TEXT NOT NULL, kind TEXT NOT NULL, subtype TEXT NOT NULL DEFAULT '',"
            " use TEXT NOT NULL DEFAULT '', categories INTEGER NOT NULL DEFAULT 0,"
            " classes TEXT NOT NULL DEFAULT '');"
            "CREATE TABLE attributes(entity INTEGER NOT NULL, key TEXT NOT NULL,"
            " value TEXT NOT NULL, unit TEXT NOT NULL DEFAULT '',"
            " PRIMARY KEY(entity, key)) WITHOUT ROWID;"
            "CREATE TABLE points(entity INTEGER PRIMARY KEY, point_type TEXT NOT NULL,"
            " quantity TEXT NOT NULL, unit TEXT NOT NULL, unit_explicit INTEGER NOT NULL,"
            " timeseries_id TEXT NOT NULL DEFAULT '');"
            "CREATE TABLE relations(id INTEGER PRIMARY KEY, source INTEGER NOT NULL,"
            " relation TEXT NOT NULL, target INTEGER NOT NULL, UNIQUE(source, relation, target));"
            "INSERT INTO entities(id, iri, name, kind) VALUES (1, 'urn:old', 'Old', 'building');"
            "PRAGMA user_version = 1;");
        QCOMPARE(ProjectStore::kApplicationId, 1415007812);
        auto store = ProjectStore::open(path);
        QVERIFY2(store.ok(), store.ok() ? "" : store.error().toString().c_str());
        QCOMPARE(store->schemaVersion(), ProjectStore::kSchemaVersion); // 1 → 2 → … → 7 at once
        auto g = store->loadModel();
        QVERIFY(g.ok());
        QCOMPARE(g->entityCount(), std::size_t{1});
        QCOMPARE(g->entity(0).name, std::string("Old"));
        const Sample s{"urn:old:p", 1, 2.0};
        QVERIFY(store->appendSamples(std::span(&s, 1)).ok()); // the v2 tables exist now
        QVERIFY(fs::exists(path.string() + ".schema-v1.bak"));
    }

    void migratesVersion2Forward()
    {
        // A schema-2 project (model, historian, a decision) as TwinDesk 0.2 wrote it: a current
        // file with the v3 table removed and the version set back.
        const auto path = file("v2.twin");
        {
            auto store = ProjectStore::create(path);
            QVERIFY(store.ok());
            QVERIFY(store->saveModel(sampleGraph()).ok());
            QVERIFY(store->setMeta("source_triples", "123").ok());
            const Sample s{"urn:x:temp", 1'700'000'000'000, 21.5};
            QVERIFY(store->appendSamples(std::span(&s, 1)).ok());
        }
        execRaw(path, "INSERT INTO decision_log(seq, t, policy_id, policy_version, policy_hash, "
                      "prev_hash, row_hash) VALUES (1, 5, 'p', '1', 'h', 'g', 'r');"
                      "DROP TABLE approvals; DROP TABLE recording_samples; "
                      "DROP TABLE recording_frames; DROP TABLE historian_1m; "
                      "DROP TABLE historian_15m; DROP TABLE sweep_results; "
                      "PRAGMA user_version = 2;");
        QCOMPARE(ProjectStore::kSchemaVersion, 7);
        {
            auto readOnly = ProjectStore::open(path, OpenMode::ReadOnly);
            QVERIFY(!readOnly.ok()); // a migration needs a read-write open
            QVERIFY(readOnly.error().message.find("schema version 2") != std::string::npos);
        }
        const auto before = readAll(path);
        auto store = ProjectStore::open(path);
        QVERIFY2(store.ok(), store.ok() ? "" : store.error().toString().c_str());
        QCOMPARE(store->schemaVersion(), 7);
        // The pre-migration file is kept byte for byte.
        const auto backup = path.string() + ".schema-v2.bak";
        QVERIFY(fs::exists(backup));
        QCOMPARE(readAll(backup), before);
        // Everything is still there.
        auto g = store->loadModel();
        QVERIFY(g.ok());
        QCOMPARE(g->entityCount(), sampleGraph().entityCount());
        QCOMPARE(store->meta("source_triples").value(), std::optional<std::string>("123"));
        auto samples = store->samples("urn:x:temp", 0, 2'000'000'000'000);
        QVERIFY(samples.ok());
        QCOMPARE(samples->size(), std::size_t{1});
        QCOMPARE(samples->front().value, 21.5);
        auto count = [&store](const char* sqlText) {
            sqlite3_stmt* st = nullptr;
            if (sqlite3_prepare_v2(store->handle(), sqlText, -1, &st, nullptr) != SQLITE_OK)
                return std::int64_t{-1};
            const std::int64_t n =
                sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
            sqlite3_finalize(st);
            return n;
        };
        QCOMPARE(count("SELECT count(*) FROM decision_log"), std::int64_t{1});
        // The v3 table exists, empty, with its status check.
        QCOMPARE(count("SELECT count(*) FROM approvals"), std::int64_t{0});
        QVERIFY(sqlite3_exec(store->handle(),
                             "INSERT INTO approvals(requested_ms, expires_ms, policy_id, action, "
                             "kind, target, status) VALUES (1, 2, 'p', 'a', 'k', 't', 'maybe')",
                             nullptr, nullptr, nullptr) != SQLITE_OK);
        QCOMPARE(sqlite3_exec(store->handle(),
                              "INSERT INTO approvals(requested_ms, expires_ms, policy_id, action, "
                              "kind, target) VALUES (1, 2, 'p', 'a', 'k', 't')",
                              nullptr, nullptr, nullptr),
                 SQLITE_OK);
        QCOMPARE(count("SELECT count(*) FROM approvals WHERE status = 'pending'"), std::int64_t{1});
        // The v6 table exists, empty, and refuses an index outside its sweep.
        QCOMPARE(count("SELECT count(*) FROM sweep_results"), std::int64_t{0});
        QVERIFY(sqlite3_exec(store->handle(),
                             "INSERT INTO sweep_results VALUES ('s', 3, 3, 'x', 1, '{}', 0, 'v')",
                             nullptr, nullptr, nullptr) != SQLITE_OK);
        // Reopening does not migrate again.
        store = ProjectStore::open(path);
        QVERIFY(store.ok());
        QCOMPARE(readAll(backup), before);
    }

    void refusesNewerSchema()
    {
        const auto path = file("future.twin");
        QVERIFY(ProjectStore::create(path).ok());
        execRaw(path, "PRAGMA user_version = 99;");
        const auto before = readAll(path);
        auto store = ProjectStore::open(path);
        QVERIFY(!store.ok());
        QCOMPARE(store.error().code, ErrorCode::SchemaTooNew);
        QVERIFY(store.error().message.find("99") != std::string::npos);
        QCOMPARE(store.error().where, path.string());
        QCOMPARE(readAll(path), before);
    }

    void refusesGarbage()
    {
        const auto path = file("garbage.twin");
        {
            std::ofstream out(path, std::ios::binary);
            for (int i = 0; i < 2000; ++i)
                out << "this is not a database " << i << '\n';
        }
        auto store = ProjectStore::open(path);
        QVERIFY(!store.ok());
        QCOMPARE(store.error().code, ErrorCode::CorruptFile);
        QVERIFY(store.error().message.find("not a TwinDesk project") != std::string::npos);
        QCOMPARE(store.error().where, path.string());
    }

    void refusesForeignSqlite()
    {
        const auto path = file("foreign.sqlite");
        execRaw(path, "CREATE TABLE t(x); INSERT INTO t VALUES (1);");
        auto store = ProjectStore::open(path);
        QVERIFY(!store.ok());
        QCOMPARE(store.error().code, ErrorCode::CorruptFile);
        QVERIFY(store.error().message.find("application_id") != std::string::npos);
    }

    void refusesTruncatedProject()
    {
        const auto path = file("trunc.twin");
        QVERIFY(ProjectStore::writeNew(path, sampleGraph(), {}, CreateMode::FailIfExists).ok());
        const auto bytes = readAll(path);
        {
            std::ofstream out(path, std::ios::binary | std::ios::trunc);
            out << bytes.substr(0, 100) << std::string(3000, 'x'); // header survives, pages don't
        }
        auto store = ProjectStore::open(path);
        if (store.ok()) {
            auto g = store->loadModel();
            QVERIFY(!g.ok());
        } else {
            QVERIFY(store.error().code == ErrorCode::CorruptFile ||
                    store.error().code == ErrorCode::StorageError);
        }
    }

    void missingFile()
    {
        auto store = ProjectStore::open(file("does-not-exist.twin"));
        QVERIFY(!store.ok());
        QCOMPARE(store.error().code, ErrorCode::NotFound);
        QVERIFY(store.error().where.find("does-not-exist.twin") != std::string::npos);
    }

    void failedSaveChangesNothing()
    {
        const auto path = file("atomic.twin");
        auto store = ProjectStore::create(path);
        QVERIFY(store.ok());
        QVERIFY(store->saveModel(sampleGraph()).ok());
        // A real SQLite failure half-way through the save: the third entity is refused.
        QVERIFY(sqlite3_exec(store->handle(),
                             "CREATE TRIGGER poison BEFORE INSERT ON entities WHEN NEW.iri = "
                             "'urn:x:poison' BEGIN SELECT RAISE(ABORT, 'poisoned'); END;",
                             nullptr, nullptr, nullptr) == SQLITE_OK);
        auto g = sampleGraph();
        Entity poison;
        poison.id = "urn:x:poison";
        poison.name = "poison";
        (void)g.addEntity(poison);
        auto s = store->saveModel(g);
        QVERIFY(!s.ok());
        QVERIFY(s.error().message.find("nothing was saved") != std::string::npos);
        auto loaded = store->loadModel();
        QVERIFY(loaded.ok());
        QCOMPARE(loaded->entityCount(), sampleGraph().entityCount());
        QCOMPARE(loaded->relationCount(), sampleGraph().relationCount());
    }

    void danglingRowIsReported()
    {
        const auto path = file("dangling.twin");
        QVERIFY(ProjectStore::writeNew(path, sampleGraph(), {}, CreateMode::FailIfExists).ok());
        execRaw(path, "PRAGMA foreign_keys = OFF;"
                      "INSERT INTO relations(source, relation, target) VALUES (1, 'feeds', 77);");
        auto store = ProjectStore::open(path);
        QVERIFY(store.ok());
        auto g = store->loadModel();
        QVERIFY(!g.ok());
        QCOMPARE(g.error().code, ErrorCode::DanglingRelation);
        QVERIFY(g.error().message.find("77") != std::string::npos);
        QVERIFY(g.error().where.find("table relations") != std::string::npos);
    }

    void writeNewIsAtomicAndRefusesToOverwrite()
    {
        const auto path = file("new.twin");
        QVERIFY(ProjectStore::writeNew(path, sampleGraph(), {{"k", "v"}}, CreateMode::FailIfExists)
                    .ok());
        const auto before = readAll(path);
        auto again = ProjectStore::writeNew(path, TwinGraph{}, {}, CreateMode::FailIfExists);
        QVERIFY(!again.ok());
        QCOMPARE(again.error().code, ErrorCode::AlreadyExists);
        QVERIFY(again.error().message.find("--force") != std::string::npos);
        QCOMPARE(readAll(path), before);
        // No temporary or WAL files left behind.
        for (const auto& entry : fs::directory_iterator(path.parent_path()))
            QVERIFY2(entry.path().string().find("new.twin.tmp") == std::string::npos,
                     entry.path().c_str());
        QVERIFY(!fs::exists(path.string() + "-wal"));
        QVERIFY(ProjectStore::writeNew(path, TwinGraph{}, {}, CreateMode::Replace).ok());
        QCOMPARE(ProjectStore::open(path)->loadModel()->entityCount(), std::size_t{0});
    }

    void writeNewIntoMissingFolderFails()
    {
        const auto path = file("no/such/dir/x.twin");
        auto s = ProjectStore::writeNew(path, sampleGraph(), {}, CreateMode::FailIfExists);
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, ErrorCode::IoError);
        QVERIFY(!fs::exists(path));
    }
};

TWINDESK_TEST(TestStore)
#include "tst_store.moc"
