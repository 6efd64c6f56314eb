#pragma once
/// \file project_store.h
/// The project file: one SQLite database (`*.twin`, WAL mode) holding the twin model, the
/// historian, the decision log and the approval requests.
///
/// Identification: `PRAGMA application_id` = 'TWND'; `PRAGMA user_version` = schema version.
/// Opening a file with a newer schema fails (SchemaTooNew); an older one is migrated forward
/// inside one transaction after a copy is kept next to it (`<file>.schema-vN.bak`).
/// Every write is one transaction: it succeeds completely or changes nothing. New projects
/// are written to a temporary file and renamed into place, so a crash never leaves a
/// half-written project under the real name.
/// Several connections (the control loop, `twindesk approvals approve` in another process) may
/// use one file: a connection waits up to kBusyTimeoutMs for another's write transaction.
/// Schema history: v1 the twin model; v2 historian and decision log; v3 approval requests; v4
/// recordings (the frames the control loop observed); v5 historian aggregates; v6 the loop
/// that made an approval request (approvals.origin); v7 sweep results (sweep_results.h).
/// Thread affinity: a ProjectStore is used from one thread at a time (one sqlite3 handle).
/// Hot paths (historian, decision log) use prepared statements of the SQLite C API.

#include <twindesk/twin/historian.h>
#include <twindesk/twin/result.h>
#include <twindesk/twin/twin_graph.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

struct sqlite3;

namespace twindesk::twin {

class SqlConnection;

enum class OpenMode : std::uint8_t { ReadOnly, ReadWrite };
enum class CreateMode : std::uint8_t { FailIfExists, Replace };

/// The project file. Its historian is the default Historian back end (historian.h); a shared
/// PostgreSQL store (pg_store.h) can take the historian's place (`--store`, docs/store.md).
class ProjectStore final : public Historian
{
public:
    static constexpr int kSchemaVersion = 7;
    /// The SQL of the migration that takes a file to schema `toVersion` (1..kSchemaVersion),
    /// for modules that keep their table in an in-memory database too (the approval gate).
    [[nodiscard]] static std::string_view migrationSql(int toVersion);
    /// How long a connection waits for another connection's write lock, ms.
    static constexpr int kBusyTimeoutMs = 5000;
    static constexpr std::int32_t kApplicationId = 0x54574E44; // 'TWND'

    /// Creates a new, empty project (all migrations applied) at `file`.
    static Result<ProjectStore> create(const std::filesystem::path& file,
                                       CreateMode mode = CreateMode::FailIfExists);
    /// Opens an existing project; migrates an older schema forward (ReadWrite only).
    static Result<ProjectStore> open(const std::filesystem::path& file,
                                     OpenMode mode = OpenMode::ReadWrite);
    /// Writes a complete new project atomically (temporary file + rename): model and meta.
    static Status writeNew(const std::filesystem::path& file, const TwinGraph& graph,
                           const std::map<std::string, std::string>& meta, CreateMode mode);

    ProjectStore(ProjectStore&&) noexcept;
    ProjectStore& operator=(ProjectStore&&) noexcept;
    ~ProjectStore() override;
    ProjectStore(const ProjectStore&) = delete;
    ProjectStore& operator=(const ProjectStore&) = delete;

    [[nodiscard]] const std::filesystem::path& path() const;
    [[nodiscard]] int schemaVersion() const;
    [[nodiscard]] std::string location() const override;

    /// Replaces the stored model with `graph` (one transaction).
    Status saveModel(const TwinGraph& graph);
    /// Loads the model. A row that refers to a missing entity gives DanglingRelation/CorruptFile.
    [[nodiscard]] Result<TwinGraph> loadModel() const;

    Status setMeta(const std::string& key, const std::string& value);
    [[nodiscard]] Result<std::optional<std::string>> meta(const std::string& key) const;
    [[nodiscard]] Result<std::map<std::string, std::string>> allMeta() const;

    // Historian (historian.h), in this file's tables.
    Status appendSamples(std::span<const Sample> samples) override;
    [[nodiscard]] Result<std::vector<Sample>> samples(const std::string& point, std::int64_t from,
                                                      std::int64_t to) const override;
    [[nodiscard]] Result<std::int64_t> sampleCount() const override;
    [[nodiscard]] Result<std::vector<Sample>> latestSamples(std::int64_t atOrBefore) const override;
    [[nodiscard]] Result<std::optional<std::pair<std::int64_t, std::int64_t>>>
    historianRange() const override;
    Result<std::int64_t> seriesId(const std::string& point) override;
    using SeriesSample = twin::SeriesSample;
    Status appendSeries(std::span<const SeriesSample> samples) override;

    /// The raw handle, for modules that own their own tables in this file (decision log,
    /// approvals).
    [[nodiscard]] sqlite3* handle() const;
    /// This file's connection as a SqlConnection (sql_connection.h), for modules that keep
    /// their tables on either back end (decision log, approvals). Valid while the store is.
    [[nodiscard]] SqlConnection& sql() const;

private:
    struct Impl;
    explicit ProjectStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace twindesk::twin
