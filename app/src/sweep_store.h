#pragma once
/// \file sweep_store.h
/// Where `twindesk sweep` keeps its results and where `sweep --collect-store` and the console's
/// what-if view read them: the store a project uses (twin/store_location.h: `--store` → the
/// project's meta key `store` → the project file), or, without a project (a Kubernetes pod),
/// the shared store a `--store postgresql://...` URL names. Qt-free.

#include <twindesk/twin/pg_store.h>
#include <twindesk/twin/project_store.h>
#include <twindesk/twin/store_location.h>
#include <twindesk/twin/sweep_results.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace twindesk::app {

/// An opened store and its sweep results; owns the connection or the project file.
class SweepStore
{
public:
    /// `project` (may be empty) and `store` (a `--store` value, may be absent): with a project,
    /// the usual resolution; without one, `store` must be a postgresql:// URL. Connecting to a
    /// shared store creates or migrates its tables. Errors name the input (`--store`, the
    /// project file or the redacted URL).
    static twin::Result<SweepStore> open(const std::filesystem::path& project,
                                         const std::optional<std::string>& store);

    [[nodiscard]] twin::SweepResultStore& results() { return *m_results; }
    /// "project file PATH" or the redacted URL.
    [[nodiscard]] std::string describe() const { return m_results->location(); }

private:
    SweepStore() = default;
    std::unique_ptr<twin::ProjectStore> m_project;
    std::unique_ptr<twin::StoreSelection> m_selection;
    std::unique_ptr<twin::PgStore> m_shared;
    std::unique_ptr<twin::SweepResultStore> m_results;
};

/// A column of a sweep's table, in the order `sweep` prints them: the row JSON key, a short
/// name and the unit. Columns marked `compute` exist only for runs with compute hosts; `ranked`
/// columns are KPIs where lower is better (the wall time is not one).
struct SweepColumn
{
    std::string_view key;
    std::string_view name;
    std::string_view unit;
    bool compute = false;
    bool ranked = true;
};
const std::vector<SweepColumn>& sweepColumns();

} // namespace twindesk::app
