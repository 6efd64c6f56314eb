#pragma once
/// \file sweep_results.h
/// The results of `twindesk sweep` variants kept in a store: the project file or the shared
/// PostgreSQL store (table `sweep_results`, schema v7, the same on both through store_schema.h).
/// One row per (sweep name, variant index): each Kubernetes pod writes its variant's row, a
/// retried pod replaces it, and `sweep --collect-store NAME` and the console's what-if view
/// read the sweep back (docs/packaging.md).
///
/// The row's content is opaque here: `rowJson` is the row `twindesk sweep --json` prints
/// (app/src/sweep_command.cpp writes and parses it); this layer keeps the columns a listing
/// needs (label, ok, index, count, time, version).
/// Every write is one transaction: all of its rows or none. Both back ends run the same
/// statements through SqlConnection (sql_connection.h), values as typed parameters.
/// Thread affinity: that of the store it uses (one thread at a time).

#include <twindesk/twin/result.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace twindesk::twin {

class PgStore;
class ProjectStore;
class SqlConnection;

/// One variant's stored result.
struct SweepResultRow
{
    std::string sweep;             ///< the sweep's name (`--sweep-name`, the Job's name)
    std::int64_t variantIndex = 0; ///< 0-based, in the sweep's order
    std::int64_t variantCount = 0; ///< the whole sweep's number of variants (> variantIndex)
    std::string label;             ///< the run's label ("algorithm=LR-MMT-1.2")
    bool ok = false;               ///< false: the run failed (rowJson holds "error")
    std::string rowJson;           ///< the row `sweep --json` prints, as text
    std::int64_t writtenAtMs = 0;  ///< wall-clock UTC when written, ms since the epoch
    std::string version;           ///< the TwinDesk version that ran it
};

/// A sweep as a listing shows it.
struct StoredSweep
{
    std::string name;
    std::int64_t stored = 0;   ///< rows stored
    std::int64_t variants = 0; ///< the sweep's size (the largest variant_count of its rows)
    std::int64_t failed = 0;   ///< rows of failed runs
    std::int64_t firstWrittenMs = 0;
    std::int64_t lastWrittenMs = 0;
    [[nodiscard]] std::int64_t missing() const { return variants > stored ? variants - stored : 0; }
};

enum class SweepWriteMode : std::uint8_t {
    /// Each row replaces the row at its (sweep, index); other rows stay (one pod's variant).
    ReplaceRows,
    /// The sweeps the rows belong to lose every other row first (a whole sweep run at once).
    ReplaceSweep,
};

/// The sweep results of one store. Does not own the store.
class SweepResultStore
{
public:
    explicit SweepResultStore(ProjectStore& project);
    explicit SweepResultStore(PgStore& shared);

    /// Writes `rows` in one transaction. A row with an empty sweep name, a negative index or
    /// an index not below its count is refused (InvalidArgument) before anything is written.
    Status write(std::span<const SweepResultRow> rows, SweepWriteMode mode);
    /// The rows of `sweep` by variant index (empty: no such sweep).
    [[nodiscard]] Result<std::vector<SweepResultRow>> read(const std::string& sweep) const;
    /// Every stored sweep, the most recently written first.
    [[nodiscard]] Result<std::vector<StoredSweep>> list() const;
    /// "project file <path>" or the redacted URL, for messages.
    [[nodiscard]] std::string location() const;

private:
    SqlConnection* m_sql; ///< the store's connection
    std::string m_location;
};

} // namespace twindesk::twin
