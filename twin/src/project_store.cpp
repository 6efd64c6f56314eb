#include <twindesk/twin/project_store.h>
#include <twindesk/twin/sql_connection.h>
#include <twindesk/twin/sqlite_statement.h>

#include <algorithm>
#include <array>
#include <limits>
#include <sstream>
#include <unistd.h>

namespace twindesk::twin {

namespace {

// Forward migrations: kMigrations[i] takes a file from schema version i to i + 1.
// Never edit a migration that has shipped; add a new one and bump kSchemaVersion.
constexpr std::array<const char*, ProjectStore::kSchemaVersion> kMigrations{
    // 0 → 1: the twin model.
    R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE entities(
    id INTEGER PRIMARY KEY,
    iri TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    subtype TEXT NOT NULL DEFAULT '',
    use TEXT NOT NULL DEFAULT '',
    categories INTEGER NOT NULL DEFAULT 0,
    classes TEXT NOT NULL DEFAULT ''
);
CREATE TABLE attributes(
    entity INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    unit TEXT NOT NULL DEFAULT '',
    PRIMARY KEY(entity, key)
) WITHOUT ROWID;
CREATE TABLE points(
    entity INTEGER PRIMARY KEY REFERENCES entities(id) ON DELETE CASCADE,
    point_type TEXT NOT NULL,
    quantity TEXT NOT NULL,
    unit TEXT NOT NULL,
    unit_explicit INTEGER NOT NULL,
    timeseries_id TEXT NOT NULL DEFAULT ''
);
CREATE TABLE relations(
    id INTEGER PRIMARY KEY,
    source INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    relation TEXT NOT NULL CHECK (relation IN ('hasPart','feeds','hasPoint','hasLocation','runsOn')),
    target INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    UNIQUE(source, relation, target)
);
CREATE INDEX relations_by_target ON relations(target, relation);
)sql",
    // 1 → 2: historian and decision log. Series are keyed by point IRI, not entity row id, so
    // replacing the model never orphans history.
    R"sql(
CREATE TABLE series(id INTEGER PRIMARY KEY, point TEXT NOT NULL UNIQUE);
CREATE TABLE historian(
    series INTEGER NOT NULL REFERENCES series(id),
    t INTEGER NOT NULL,
    value REAL,
    PRIMARY KEY(series, t)
) WITHOUT ROWID;
CREATE TABLE decision_log(
    seq INTEGER PRIMARY KEY,
    t INTEGER NOT NULL,
    policy_id TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    policy_hash TEXT NOT NULL,
    model_hash TEXT NOT NULL DEFAULT '',
    inputs TEXT NOT NULL DEFAULT '',
    proposed TEXT NOT NULL DEFAULT '',
    verdict TEXT NOT NULL DEFAULT '',
    approval TEXT NOT NULL DEFAULT '',
    applied TEXT NOT NULL DEFAULT '',
    latency TEXT NOT NULL DEFAULT '',
    prev_hash TEXT NOT NULL,
    row_hash TEXT NOT NULL
);
CREATE TRIGGER decision_log_append_only_update BEFORE UPDATE ON decision_log
BEGIN SELECT RAISE(ABORT, 'decision_log is append-only'); END;
CREATE TRIGGER decision_log_append_only_delete BEFORE DELETE ON decision_log
BEGIN SELECT RAISE(ABORT, 'decision_log is append-only'); END;
)sql",
    // 2 → 3: approval requests of high-impact actions (policies/approval_gate.h). The action is
    // stored field by field so an approved request is applied exactly as proposed; times are
    // the loop's source time (ms), decided_at the wall-clock UTC time of a person's decision.
    // The in-memory gate (approval_gate.cpp) creates the same table: keep them in step.
    R"sql(
CREATE TABLE approvals(
    id INTEGER PRIMARY KEY,
    requested_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    policy_id TEXT NOT NULL,
    action TEXT NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    value REAL NOT NULL DEFAULT 0,
    text TEXT NOT NULL DEFAULT '',
    destination TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN
        ('pending','approved','rejected','expired','applied','superseded','failed')),
    decided_by TEXT NOT NULL DEFAULT '',
    decided_at TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    decision_seq INTEGER NOT NULL DEFAULT 0,
    outcome_seq INTEGER
);
CREATE INDEX approvals_by_status ON approvals(status);
CREATE INDEX approvals_by_target ON approvals(target, status);
CREATE INDEX approvals_unresolved ON approvals(outcome_seq, status);
)sql",
    // 3 → 4: recordings (policies/recording.h). Every frame the control loop observed (its
    // time) and the values that changed since the loop's previous frame, clustered by time so
    // a replay reads them in one sequential pass. value NULL: a bad-quality sample.
    R"sql(
CREATE TABLE recording_frames(t INTEGER PRIMARY KEY, decided INTEGER NOT NULL DEFAULT 0);
CREATE TABLE recording_samples(
    t INTEGER NOT NULL,
    series INTEGER NOT NULL REFERENCES series(id),
    value REAL,
    PRIMARY KEY(t, series)
) WITHOUT ROWID;
)sql",
    // 4 → 5: historian aggregates (historian_rollup.h): per series, 1-minute and 15-minute
    // buckets (t = bucket start, ms) with min, max, mean and count, so raw samples can be
    // retained for a shorter time than their trends.
    R"sql(
CREATE TABLE historian_1m(
    series INTEGER NOT NULL REFERENCES series(id),
    t INTEGER NOT NULL,
    min REAL NOT NULL, max REAL NOT NULL, mean REAL NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY(series, t)
) WITHOUT ROWID;
CREATE TABLE historian_15m(
    series INTEGER NOT NULL REFERENCES series(id),
    t INTEGER NOT NULL,
    min REAL NOT NULL, max REAL NOT NULL, mean REAL NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY(series, t)
) WITHOUT ROWID;
)sql",
    // 5 → 6: the loop that made an approval request (approval_gate.h, "origin"): on a shared
    // store several loops use one queue, and only the loop that asked applies, expires or
    // supersedes a request. '' for requests made before (a project file has one loop).
    R"sql(
ALTER TABLE approvals ADD COLUMN origin TEXT NOT NULL DEFAULT '';
CREATE INDEX approvals_by_origin ON approvals(origin, outcome_seq, status);
)sql",
    // 6 → 7: results of `twindesk sweep` variants (sweep_results.h), one row per (sweep,
    // variant): a retried variant (a Kubernetes pod run again) replaces its row. row_json is
    // the row `sweep --json` prints; written_at wall-clock UTC, ms.
    R"sql(
CREATE TABLE sweep_results(
    sweep TEXT NOT NULL,
    variant_index INTEGER NOT NULL CHECK (variant_index >= 0),
    variant_count INTEGER NOT NULL CHECK (variant_count > variant_index),
    run_label TEXT NOT NULL,
    ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
    row_json TEXT NOT NULL,
    written_at INTEGER NOT NULL,
    twindesk_version TEXT NOT NULL,
    PRIMARY KEY(sweep, variant_index)
) WITHOUT ROWID;
)sql",
};

struct DbDeleter
{
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};

std::string entitySubtype(const Entity& e)
{
    if (e.kind == EntityKind::Equipment)
        return std::string(equipmentTypeName(e.equipmentType));
    if (e.kind == EntityKind::Workload)
        return std::string(workloadTypeName(e.workloadType));
    return {};
}

std::string joinClasses(const std::vector<std::string>& classes)
{
    std::string out;
    for (const auto& c : classes) {
        if (!out.empty())
            out += ' ';
        out += c;
    }
    return out;
}

std::vector<std::string> splitClasses(const std::string& text)
{
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string c; in >> c;)
        out.push_back(c);
    return out;
}

} // namespace

struct ProjectStore::Impl
{
    std::unique_ptr<sqlite3, DbDeleter> db;
    // Declared after db: destroyed first, its prepared statements before the connection.
    mutable std::unique_ptr<SqlConnection> sql;
    std::filesystem::path path;
    int schemaVersion = 0;
    bool readOnly = false;

    [[nodiscard]] std::string where() const { return path.string(); }

    Status exec(const char* text, const std::string& what) const
    {
        std::string error;
        if (!sql::exec(db.get(), text, &error))
            return sql::storageError(db.get(), what, where());
        return {};
    }

    Result<int> pragmaInt(const char* pragma) const
    {
        std::string error;
        sql::Statement st(db.get(), std::string("PRAGMA ") + pragma, &error);
        if (!st.valid())
            return sql::storageError(db.get(), std::string("reading PRAGMA ") + pragma, where());
        if (st.step() != SQLITE_ROW)
            return sql::storageError(db.get(), std::string("reading PRAGMA ") + pragma, where());
        return static_cast<int>(st.int64(0));
    }

    // Applies migrations from `from` to kSchemaVersion in one transaction.
    Status migrate(int from)
    {
        if (auto s = exec("BEGIN IMMEDIATE", "starting the schema migration"); !s)
            return s;
        for (int v = from; v < kSchemaVersion; ++v) {
            std::string error;
            if (!sql::exec(db.get(), kMigrations[static_cast<std::size_t>(v)], &error)) {
                auto err = makeError(ErrorCode::StorageError,
                                     "schema migration " + std::to_string(v) + " → " +
                                         std::to_string(v + 1) + " failed: " + error +
                                         "; the file was left unchanged",
                                     where());
                (void)exec("ROLLBACK", "rolling back");
                return err;
            }
        }
        const std::string set = "PRAGMA user_version = " + std::to_string(kSchemaVersion);
        if (auto s = exec(set.c_str(), "setting the schema version"); !s) {
            (void)exec("ROLLBACK", "rolling back");
            return s;
        }
        if (auto s = exec("COMMIT", "committing the schema migration"); !s) {
            (void)exec("ROLLBACK", "rolling back");
            return s;
        }
        schemaVersion = kSchemaVersion;
        return {};
    }
};

ProjectStore::ProjectStore(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
ProjectStore::ProjectStore(ProjectStore&&) noexcept = default;
ProjectStore& ProjectStore::operator=(ProjectStore&&) noexcept = default;
ProjectStore::~ProjectStore() = default;

const std::filesystem::path& ProjectStore::path() const
{
    return m_impl->path;
}
int ProjectStore::schemaVersion() const
{
    return m_impl->schemaVersion;
}
std::string ProjectStore::location() const
{
    return m_impl->path.string();
}
sqlite3* ProjectStore::handle() const
{
    return m_impl->db.get();
}

SqlConnection& ProjectStore::sql() const
{
    if (!m_impl->sql)
        m_impl->sql = borrowSqlite(m_impl->db.get(), m_impl->path.string());
    return *m_impl->sql;
}

Result<ProjectStore> ProjectStore::create(const std::filesystem::path& file, CreateMode mode)
{
    std::error_code ec;
    if (std::filesystem::exists(file, ec)) {
        if (mode == CreateMode::FailIfExists)
            return makeError(ErrorCode::AlreadyExists,
                             "a file exists already; choose another name or pass --force to "
                             "replace it",
                             file.string());
        for (const char* suffix : {"", "-wal", "-shm"})
            std::filesystem::remove(file.string() + suffix, ec);
    }
    sqlite3* raw = nullptr;
    const int rc =
        sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    auto impl = std::make_unique<Impl>();
    impl->db.reset(raw);
    impl->path = file;
    if (rc != SQLITE_OK)
        return makeError(ErrorCode::IoError,
                         std::string("cannot create the project file: ") +
                             (raw != nullptr ? sqlite3_errmsg(raw) : "out of memory"),
                         file.string());
    sqlite3_busy_timeout(raw, kBusyTimeoutMs);
    const std::string setup = "PRAGMA application_id = " + std::to_string(kApplicationId) +
                              "; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                              " PRAGMA foreign_keys = ON;";
    if (auto s = impl->exec(setup.c_str(), "initialising the project file"); !s)
        return s.error();
    if (auto s = impl->migrate(0); !s)
        return s.error();
    return ProjectStore(std::move(impl));
}

Result<ProjectStore> ProjectStore::open(const std::filesystem::path& file, OpenMode mode)
{
    std::error_code ec;
    if (!std::filesystem::exists(file, ec))
        return makeError(ErrorCode::NotFound,
                         "project file does not exist; create one with `twindesk import-brick`",
                         file.string());
    if (std::filesystem::is_directory(file, ec))
        return makeError(ErrorCode::IoError, "is a directory, expected a .twin project file",
                         file.string());
    sqlite3* raw = nullptr;
    const int flags = mode == OpenMode::ReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    const int rc = sqlite3_open_v2(file.c_str(), &raw, flags, nullptr);
    auto impl = std::make_unique<Impl>();
    impl->db.reset(raw);
    impl->path = file;
    impl->readOnly = mode == OpenMode::ReadOnly;
    if (rc != SQLITE_OK)
        return makeError(ErrorCode::IoError,
                         std::string("cannot open the project file: ") +
                             (raw != nullptr ? sqlite3_errmsg(raw) : "out of memory"),
                         file.string());
    // Another process (the loop, `twindesk approvals approve`) may hold the write lock for a
    // moment: wait for it rather than fail at once.
    sqlite3_busy_timeout(raw, kBusyTimeoutMs);

    auto appId = impl->pragmaInt("application_id");
    if (!appId)
        return makeError(ErrorCode::CorruptFile,
                         "not a TwinDesk project: the file is not a readable SQLite database (" +
                             appId.error().message + ")",
                         file.string());
    auto version = impl->pragmaInt("user_version");
    if (!version)
        return version.error();
    if (*appId != kApplicationId)
        return makeError(ErrorCode::CorruptFile,
                         "not a TwinDesk project: an SQLite database with application_id " +
                             std::to_string(*appId) + " (a TwinDesk project has " +
                             std::to_string(kApplicationId) + ")",
                         file.string());
    if (*version > kSchemaVersion)
        return makeError(ErrorCode::SchemaTooNew,
                         "written by a newer TwinDesk (schema version " + std::to_string(*version) +
                             "; this build reads up to " + std::to_string(kSchemaVersion) +
                             "); upgrade TwinDesk to open it. The file was not changed",
                         file.string());
    impl->schemaVersion = *version;

    if (mode == OpenMode::ReadWrite) {
        if (auto s = impl->exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                                "PRAGMA foreign_keys = ON;",
                                "configuring the project file");
            !s)
            return s.error();
        if (*version < kSchemaVersion) {
            // Keep the pre-migration file: a migration is the one write a user cannot undo.
            const auto backup = file.string() + ".schema-v" + std::to_string(*version) + ".bak";
            if (auto s = impl->exec("PRAGMA wal_checkpoint(TRUNCATE)", "checkpointing"); !s)
                return s.error();
            std::filesystem::copy_file(file, backup,
                                       std::filesystem::copy_options::overwrite_existing, ec);
            if (ec)
                return makeError(ErrorCode::IoError,
                                 "cannot keep a backup before migrating (" + ec.message() +
                                     "); the file was not changed",
                                 backup);
            if (auto s = impl->migrate(*version); !s)
                return s.error();
        }
    } else if (*version < kSchemaVersion) {
        return makeError(ErrorCode::InvalidArgument,
                         "project uses schema version " + std::to_string(*version) +
                             " and needs a migration to " + std::to_string(kSchemaVersion) +
                             "; open it read-write once (any command that writes) to upgrade it",
                         file.string());
    }
    // Touch the schema so a damaged file fails here, with a clear message, not later.
    if (auto s = impl->exec("SELECT count(*) FROM entities", "reading the model tables"); !s)
        return makeError(ErrorCode::CorruptFile,
                         "the project file is damaged: " + s.error().message, file.string());
    return ProjectStore(std::move(impl));
}

Status ProjectStore::writeNew(const std::filesystem::path& file, const TwinGraph& graph,
                              const std::map<std::string, std::string>& meta, CreateMode mode)
{
    std::error_code ec;
    if (mode == CreateMode::FailIfExists && std::filesystem::exists(file, ec))
        return makeError(ErrorCode::AlreadyExists,
                         "a file exists already and may hold history; choose another name or "
                         "pass --force to replace it",
                         file.string());
    const std::filesystem::path tmp =
        file.string() + ".tmp-" + std::to_string(static_cast<long>(::getpid()));
    auto cleanup = [&tmp] {
        std::error_code ignored;
        for (const char* suffix : {"", "-wal", "-shm"})
            std::filesystem::remove(tmp.string() + suffix, ignored);
    };
    cleanup();
    {
        auto store = create(tmp, CreateMode::Replace);
        if (!store) {
            cleanup();
            auto error = store.error();
            error.where = file.string();
            return error;
        }
        if (auto s = store->saveModel(graph); !s) {
            cleanup();
            return s;
        }
        for (const auto& [key, value] : meta)
            if (auto s = store->setMeta(key, value); !s) {
                cleanup();
                return s;
            }
        // Fold the WAL back so the renamed file is complete on its own.
        if (auto s = store->m_impl->exec("PRAGMA wal_checkpoint(TRUNCATE)", "checkpointing"); !s) {
            cleanup();
            return s;
        }
    } // closed here
    std::filesystem::rename(tmp, file, ec);
    if (ec) {
        cleanup();
        return makeError(ErrorCode::IoError,
                         "cannot move the new project into place: " + ec.message(), file.string());
    }
    for (const char* suffix : {"-wal", "-shm"})
        std::filesystem::remove(file.string() + suffix, ec);
    return {};
}

Status ProjectStore::saveModel(const TwinGraph& graph)
{
    auto* db = m_impl->db.get();
    const auto where = m_impl->where();
    if (auto s = m_impl->exec("BEGIN IMMEDIATE", "starting to save the model"); !s)
        return s;
    auto fail = [&](const std::string& what) -> Status {
        auto err = sql::storageError(db, what + " (nothing was saved)", where);
        (void)m_impl->exec("ROLLBACK", "rolling back");
        return err;
    };
    if (!sql::exec(db,
                   "DELETE FROM relations; DELETE FROM points; DELETE FROM attributes; "
                   "DELETE FROM entities;",
                   nullptr))
        return fail("clearing the old model");

    std::string error;
    sql::Statement insEntity(db,
                             "INSERT INTO entities(id, iri, name, kind, subtype, use, categories, "
                             "classes) VALUES (?,?,?,?,?,?,?,?)",
                             &error);
    sql::Statement insAttr(db, "INSERT INTO attributes(entity, key, value, unit) VALUES (?,?,?,?)",
                           &error);
    sql::Statement insPoint(db,
                            "INSERT INTO points(entity, point_type, quantity, unit, unit_explicit, "
                            "timeseries_id) VALUES (?,?,?,?,?,?)",
                            &error);
    sql::Statement insRel(db, "INSERT INTO relations(source, relation, target) VALUES (?,?,?)",
                          &error);
    if (!insEntity.valid() || !insAttr.valid() || !insPoint.valid() || !insRel.valid())
        return fail("preparing statements");

    for (EntityIndex i = 0; i < graph.entityCount(); ++i) {
        const auto& e = graph.entity(i);
        const auto rowId = static_cast<sqlite3_int64>(i) + 1;
        insEntity.reset();
        insEntity.bind(1, rowId);
        insEntity.bind(2, e.id);
        insEntity.bind(3, e.name);
        insEntity.bind(4, entityKindName(e.kind));
        insEntity.bind(5, entitySubtype(e));
        insEntity.bind(6, e.use == ZoneUse::Unknown ? std::string_view{} : zoneUseName(e.use));
        insEntity.bind(7, static_cast<sqlite3_int64>(e.categories));
        insEntity.bind(8, joinClasses(e.classes));
        if (insEntity.step() != SQLITE_DONE)
            return fail("saving entity '" + e.id + "'");
        for (const auto& a : e.attributes) {
            insAttr.reset();
            insAttr.bind(1, rowId);
            insAttr.bind(2, a.key);
            insAttr.bind(3, a.value);
            insAttr.bind(4, a.unit);
            if (insAttr.step() != SQLITE_DONE)
                return fail("saving attribute '" + a.key + "' of '" + e.id + "'");
        }
        if (e.point) {
            insPoint.reset();
            insPoint.bind(1, rowId);
            insPoint.bind(2, pointTypeName(e.point->type));
            insPoint.bind(3, quantityName(e.point->quantity));
            insPoint.bind(4, e.point->unit);
            insPoint.bind(5, static_cast<sqlite3_int64>(e.point->unitExplicit ? 1 : 0));
            insPoint.bind(6, e.point->timeseriesId);
            if (insPoint.step() != SQLITE_DONE)
                return fail("saving point '" + e.id + "'");
        }
    }
    for (const auto& r : graph.relations()) {
        insRel.reset();
        insRel.bind(1, static_cast<sqlite3_int64>(r.source) + 1);
        insRel.bind(2, relationName(r.relation));
        insRel.bind(3, static_cast<sqlite3_int64>(r.target) + 1);
        if (insRel.step() != SQLITE_DONE)
            return fail("saving a relation");
    }
    if (!sql::exec(db, "COMMIT", nullptr))
        return fail("committing the model");
    return {};
}

Result<TwinGraph> ProjectStore::loadModel() const
{
    auto* db = m_impl->db.get();
    const auto where = m_impl->where();
    std::string error;
    TwinGraph graph;
    std::map<sqlite3_int64, EntityIndex> byRow;

    // One read transaction so the model is a consistent snapshot even with a writer around.
    if (auto s = m_impl->exec("BEGIN", "starting to read the model"); !s)
        return s.error();
    struct EndRead
    {
        const Impl* impl;
        ~EndRead() { (void)impl->exec("COMMIT", "ending the read"); }
    } endRead{m_impl.get()};

    sql::Statement entities(db,
                            "SELECT id, iri, name, kind, subtype, use, categories, classes FROM "
                            "entities ORDER BY id",
                            &error);
    if (!entities.valid())
        return sql::storageError(db, "reading entities", where);
    int rc = 0;
    while ((rc = entities.step()) == SQLITE_ROW) {
        Entity e;
        const auto row = entities.int64(0);
        e.id = entities.text(1);
        e.name = entities.text(2);
        const auto kindText = entities.text(3);
        const auto kind = parseEntityKind(kindText);
        if (!kind)
            return makeError(ErrorCode::CorruptFile,
                             "entity '" + e.id + "' has unknown kind '" + kindText + "'",
                             where + ": table entities, row " + std::to_string(row));
        e.kind = *kind;
        const auto subtype = entities.text(4);
        if (e.kind == EntityKind::Equipment)
            e.equipmentType = parseEquipmentType(subtype).value_or(EquipmentType::Other);
        if (e.kind == EntityKind::Workload)
            e.workloadType = parseWorkloadType(subtype).value_or(WorkloadType::VirtualMachine);
        e.use = parseZoneUse(entities.text(5)).value_or(ZoneUse::Unknown);
        e.categories = static_cast<std::uint32_t>(entities.int64(6));
        e.classes = splitClasses(entities.text(7));
        auto added = graph.addEntity(std::move(e));
        if (!added)
            return makeError(ErrorCode::CorruptFile, added.error().message,
                             where + ": table entities, row " + std::to_string(row));
        byRow.emplace(row, *added);
    }
    if (rc != SQLITE_DONE)
        return sql::storageError(db, "reading entities", where);

    auto lookup = [&byRow](sqlite3_int64 row) -> std::optional<EntityIndex> {
        const auto it = byRow.find(row);
        if (it == byRow.end())
            return std::nullopt;
        return it->second;
    };

    sql::Statement attrs(db, "SELECT entity, key, value, unit FROM attributes ORDER BY entity, key",
                         &error);
    if (!attrs.valid())
        return sql::storageError(db, "reading attributes", where);
    while ((rc = attrs.step()) == SQLITE_ROW) {
        const auto index = lookup(attrs.int64(0));
        if (!index)
            return makeError(ErrorCode::CorruptFile,
                             "attribute '" + attrs.text(1) + "' belongs to missing entity row " +
                                 std::to_string(attrs.int64(0)),
                             where + ": table attributes");
        graph.entity(*index).attributes.push_back(
            Attribute{attrs.text(1), attrs.text(2), attrs.text(3)});
    }
    if (rc != SQLITE_DONE)
        return sql::storageError(db, "reading attributes", where);

    sql::Statement points(db,
                          "SELECT entity, point_type, quantity, unit, unit_explicit, timeseries_id "
                          "FROM points ORDER BY entity",
                          &error);
    if (!points.valid())
        return sql::storageError(db, "reading points", where);
    while ((rc = points.step()) == SQLITE_ROW) {
        const auto index = lookup(points.int64(0));
        if (!index)
            return makeError(ErrorCode::CorruptFile,
                             "point row refers to missing entity row " +
                                 std::to_string(points.int64(0)),
                             where + ": table points");
        PointInfo info;
        info.type = parsePointType(points.text(1)).value_or(PointType::Other);
        const auto quantity = parseQuantity(points.text(2));
        info.quantity = quantity ? *quantity : Quantity::Unknown;
        info.unit = points.text(3);
        if (!info.unit.empty() && !findUnit(info.unit))
            return makeError(ErrorCode::UnknownUnit,
                             "point '" + graph.entity(*index).id + "' has unknown unit '" +
                                 info.unit + "'",
                             where + ": table points");
        info.unitExplicit = points.int64(4) != 0;
        info.timeseriesId = points.text(5);
        graph.entity(*index).point = std::move(info);
    }
    if (rc != SQLITE_DONE)
        return sql::storageError(db, "reading points", where);

    sql::Statement rels(db, "SELECT id, source, relation, target FROM relations ORDER BY id",
                        &error);
    if (!rels.valid())
        return sql::storageError(db, "reading relations", where);
    while ((rc = rels.step()) == SQLITE_ROW) {
        const auto row = rels.int64(0);
        const auto source = lookup(rels.int64(1));
        const auto target = lookup(rels.int64(3));
        const auto relation = parseRelation(rels.text(2));
        if (!source || !target)
            return makeError(ErrorCode::DanglingRelation,
                             "relation " + rels.text(2) + " refers to missing entity row " +
                                 std::to_string(!source ? rels.int64(1) : rels.int64(3)) +
                                 "; the project file is damaged",
                             where + ": table relations, row " + std::to_string(row));
        if (!relation)
            return makeError(ErrorCode::CorruptFile, "unknown relation '" + rels.text(2) + "'",
                             where + ": table relations, row " + std::to_string(row));
        if (auto s = graph.addRelation(*source, *relation, *target); !s)
            return s.error();
    }
    if (rc != SQLITE_DONE)
        return sql::storageError(db, "reading relations", where);
    return graph;
}

Status ProjectStore::setMeta(const std::string& key, const std::string& value)
{
    std::string error;
    sql::Statement st(m_impl->db.get(), "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                      &error);
    if (!st.valid())
        return sql::storageError(m_impl->db.get(), "writing meta '" + key + "'", m_impl->where());
    st.bind(1, key);
    st.bind(2, value);
    if (st.step() != SQLITE_DONE)
        return sql::storageError(m_impl->db.get(), "writing meta '" + key + "'", m_impl->where());
    return {};
}

Result<std::optional<std::string>> ProjectStore::meta(const std::string& key) const
{
    std::string error;
    sql::Statement st(m_impl->db.get(), "SELECT value FROM meta WHERE key = ?", &error);
    if (!st.valid())
        return sql::storageError(m_impl->db.get(), "reading meta", m_impl->where());
    st.bind(1, key);
    const int rc = st.step();
    if (rc == SQLITE_ROW)
        return std::optional<std::string>(st.text(0));
    if (rc == SQLITE_DONE)
        return std::optional<std::string>();
    return sql::storageError(m_impl->db.get(), "reading meta", m_impl->where());
}

Result<std::map<std::string, std::string>> ProjectStore::allMeta() const
{
    std::string error;
    sql::Statement st(m_impl->db.get(), "SELECT key, value FROM meta ORDER BY key", &error);
    if (!st.valid())
        return sql::storageError(m_impl->db.get(), "reading meta", m_impl->where());
    std::map<std::string, std::string> out;
    int rc = 0;
    while ((rc = st.step()) == SQLITE_ROW)
        out.emplace(st.text(0), st.text(1));
    if (rc != SQLITE_DONE)
        return sql::storageError(m_impl->db.get(), "reading meta", m_impl->where());
    return out;
}

Status ProjectStore::appendSamples(std::span<const Sample> samples)
{
    auto* db = m_impl->db.get();
    const auto where = m_impl->where();
    if (auto s = m_impl->exec("BEGIN IMMEDIATE", "starting a historian batch"); !s)
        return s;
    auto fail = [&](const std::string& what) -> Status {
        auto err = sql::storageError(db, what + " (the batch was not stored)", where);
        (void)m_impl->exec("ROLLBACK", "rolling back");
        return err;
    };
    std::string error;
    sql::Statement findSeries(db, "SELECT id FROM series WHERE point = ?", &error);
    sql::Statement addSeries(db, "INSERT INTO series(point) VALUES (?)", &error);
    sql::Statement insert(db, "INSERT OR REPLACE INTO historian(series, t, value) VALUES (?,?,?)",
                          &error);
    if (!findSeries.valid() || !addSeries.valid() || !insert.valid())
        return fail("preparing historian statements");
    std::string lastPoint;
    sqlite3_int64 series = 0;
    for (const auto& s : samples) {
        if (s.point != lastPoint || series == 0) {
            findSeries.reset();
            findSeries.bind(1, s.point);
            const int rc = findSeries.step();
            if (rc == SQLITE_ROW) {
                series = findSeries.int64(0);
            } else if (rc == SQLITE_DONE) {
                addSeries.reset();
                addSeries.bind(1, s.point);
                if (addSeries.step() != SQLITE_DONE)
                    return fail("adding series '" + s.point + "'");
                series = sqlite3_last_insert_rowid(db);
            } else {
                return fail("looking up series '" + s.point + "'");
            }
            lastPoint = s.point;
        }
        insert.reset();
        insert.bind(1, series);
        insert.bind(2, static_cast<sqlite3_int64>(s.time));
        insert.bind(3, s.value);
        if (insert.step() != SQLITE_DONE)
            return fail("storing a sample of '" + s.point + "'");
    }
    if (!sql::exec(db, "COMMIT", nullptr))
        return fail("committing a historian batch");
    return {};
}

Result<std::int64_t> ProjectStore::seriesId(const std::string& point)
{
    auto* db = m_impl->db.get();
    std::string error;
    // Insert-if-missing, then read: another connection (a second live loop) may create the same
    // series at the same moment, and both must end with its one id.
    sql::Statement add(db, "INSERT OR IGNORE INTO series(point) VALUES (?)", &error);
    sql::Statement find(db, "SELECT id FROM series WHERE point = ?", &error);
    if (!find.valid() || !add.valid())
        return sql::storageError(db, "preparing series statements", m_impl->where());
    find.bind(1, point);
    int rc = find.step();
    if (rc == SQLITE_ROW)
        return static_cast<std::int64_t>(find.int64(0));
    if (rc != SQLITE_DONE)
        return sql::storageError(db, "looking up series '" + point + "'", m_impl->where());
    add.bind(1, point);
    if (add.step() != SQLITE_DONE)
        return sql::storageError(db, "adding series '" + point + "'", m_impl->where());
    find.reset();
    find.bind(1, point);
    if (find.step() != SQLITE_ROW)
        return sql::storageError(db, "looking up series '" + point + "'", m_impl->where());
    return static_cast<std::int64_t>(find.int64(0));
}

Status ProjectStore::appendSeries(std::span<const SeriesSample> samples)
{
    auto* db = m_impl->db.get();
    const auto where = m_impl->where();
    if (auto s = m_impl->exec("BEGIN IMMEDIATE", "starting a historian batch"); !s)
        return s;
    std::string error;
    sql::Statement insert(db, "INSERT OR REPLACE INTO historian(series, t, value) VALUES (?,?,?)",
                          &error);
    if (!insert.valid()) {
        auto err = sql::storageError(db, "preparing the historian insert", where);
        (void)m_impl->exec("ROLLBACK", "rolling back");
        return err;
    }
    for (const auto& s : samples) {
        insert.reset();
        insert.bind(1, static_cast<sqlite3_int64>(s.series));
        insert.bind(2, static_cast<sqlite3_int64>(s.time));
        insert.bind(3, s.value);
        if (insert.step() != SQLITE_DONE) {
            auto err = sql::storageError(db, "storing a historian batch (the batch was not stored)",
                                         where);
            (void)m_impl->exec("ROLLBACK", "rolling back");
            return err;
        }
    }
    if (!sql::exec(db, "COMMIT", nullptr)) {
        auto err = sql::storageError(db, "committing a historian batch", where);
        (void)m_impl->exec("ROLLBACK", "rolling back");
        return err;
    }
    return {};
}

Result<std::vector<Sample>> ProjectStore::samples(const std::string& point, std::int64_t from,
                                                  std::int64_t to) const
{
    std::string error;
    sql::Statement st(m_impl->db.get(),
                      "SELECT h.t, h.value FROM historian h JOIN series s ON s.id = h.series "
                      "WHERE s.point = ? AND h.t >= ? AND h.t < ? ORDER BY h.t",
                      &error);
    if (!st.valid())
        return sql::storageError(m_impl->db.get(), "querying the historian", m_impl->where());
    st.bind(1, point);
    st.bind(2, static_cast<sqlite3_int64>(from));
    st.bind(3, static_cast<sqlite3_int64>(to));
    std::vector<Sample> out;
    int rc = 0;
    while ((rc = st.step()) == SQLITE_ROW)
        out.push_back(Sample{point, st.int64(0), st.real(1)});
    if (rc != SQLITE_DONE)
        return sql::storageError(m_impl->db.get(), "querying the historian", m_impl->where());
    return out;
}

Result<std::int64_t> ProjectStore::sampleCount() const
{
    std::string error;
    sql::Statement st(m_impl->db.get(), "SELECT count(*) FROM historian", &error);
    if (!st.valid() || st.step() != SQLITE_ROW)
        return sql::storageError(m_impl->db.get(), "counting samples", m_impl->where());
    return static_cast<std::int64_t>(st.int64(0));
}

Result<std::vector<Sample>> ProjectStore::latestSamples(std::int64_t atOrBefore) const
{
    std::string error;
    sql::Statement st(m_impl->db.get(),
                      "SELECT s.point, h.t, h.value FROM series s JOIN historian h "
                      "ON h.series = s.id AND h.t = (SELECT max(t) FROM historian "
                      "WHERE series = s.id AND t <= ?) ORDER BY s.point",
                      &error);
    if (!st.valid())
        return sql::storageError(m_impl->db.get(), "reading the latest samples", m_impl->where());
    st.bind(1, static_cast<sqlite3_int64>(atOrBefore));
    std::vector<Sample> out;
    int rc = 0;
    while ((rc = st.step()) == SQLITE_ROW)
        out.push_back(Sample{st.text(0), st.int64(1),
                             st.null(2) ? std::numeric_limits<double>::quiet_NaN() : st.real(2)});
    if (rc != SQLITE_DONE)
        return sql::storageError(m_impl->db.get(), "reading the latest samples", m_impl->where());
    return out;
}

Result<std::optional<std::pair<std::int64_t, std::int64_t>>> ProjectStore::historianRange() const
{
    std::string error;
    sql::Statement st(m_impl->db.get(), "SELECT min(t), max(t) FROM historian", &error);
    if (!st.valid() || st.step() != SQLITE_ROW)
        return sql::storageError(m_impl->db.get(), "reading the historian's range",
                                 m_impl->where());
    if (st.null(0))
        return std::optional<std::pair<std::int64_t, std::int64_t>>{};
    return std::optional<std::pair<std::int64_t, std::int64_t>>{
        std::pair<std::int64_t, std::int64_t>{st.int64(0), st.int64(1)}};
}

std::string_view ProjectStore::migrationSql(int toVersion)
{
    if (toVersion < 1 || toVersion > kSchemaVersion)
        return {};
    return kMigrations[static_cast<std::size_t>(toVersion - 1)];
}

} // namespace twindesk::twin
