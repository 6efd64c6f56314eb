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
/// recordings (the frames the control loop observed). Thread affinity: a ProjectStore is used from
/// one thread at a time (one sqlite3 handle). Hot paths (historian, decision log) use prepared
/// statements of the SQLite C API.

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

enum class OpenMode : std::uint8_t { ReadOnly, ReadWrite };
enum class CreateMode : std::uint8_t { FailIfExists, Replace };

/// One historian sample. `time` is milliseconds since the Unix epoch (UTC).
struct Sample
{
    std::string point; ///< point entity id (IRI)
    std::int64_t time = 0;
    double value = 0.0;
    bool operator==(const Sample&) const = default;
};

class ProjectStore
{
public:
    static constexpr int kSchemaVersion = 5;
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
    ~ProjectStore();
    ProjectStore(const ProjectStore&) = delete;
    ProjectStore& operator=(const ProjectStore&) = delete;

    [[nodiscard]] const std::filesystem::path& path() const;
    [[nodiscard]] int schemaVersion() const;

    /// Replaces the stored model with `graph` (one transaction).
    Status saveModel(const TwinGraph& graph);
    /// Loads the model. A row that refers to a missing entity gives DanglingRelation/CorruptFile.
    [[nodiscard]] Result<TwinGraph> loadModel() const;

    Status setMeta(const std::string& key, const std::string& value);
    [[nodiscard]] Result<std::optional<std::string>> meta(const std::string& key) const;
    [[nodiscard]] Result<std::map<std::string, std::string>> allMeta() const;

    /// Appends samples in one transaction (a sample at an existing (point, time) replaces it).
    Status appendSamples(std::span<const Sample> samples);
    /// Samples of one point with from <= time < to, ordered by time.
    [[nodiscard]] Result<std::vector<Sample>> samples(const std::string& point, std::int64_t from,
                                                      std::int64_t to) const;
    [[nodiscard]] Result<std::int64_t> sampleCount() const;
    /// The latest sample of every series at or before `atOrBefore` (ms since the epoch):
    /// what a point read then. Value NaN for a bad-quality (NULL) sample. Points without a
    /// sample by then are left out. One index seek per series.
    [[nodiscard]] Result<std::vector<Sample>> latestSamples(std::int64_t atOrBefore) const;
    /// First and last sample time in the historian (ms), std::nullopt when it is empty.
    [[nodiscard]] Result<std::optional<std::pair<std::int64_t, std::int64_t>>>
    historianRange() const;

    /// Hot path for writers that know their points up front (the simulator, the live
    /// historian): resolve each point to a series id once, then append (series, time, value)
    /// rows in large batches, one transaction per batch.
    Result<std::int64_t> seriesId(const std::string& point);
    struct SeriesSample
    {
        std::int64_t series = 0;
        std::int64_t time = 0; ///< ms since the Unix epoch
        double value = 0.0;
    };
    Status appendSeries(std::span<const SeriesSample> samples);

    /// The raw handle, for modules that own their own tables in this file (decision log,
    /// approvals).
    [[nodiscard]] sqlite3* handle() const;

private:
    struct Impl;
    explicit ProjectStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace twindesk::twin
