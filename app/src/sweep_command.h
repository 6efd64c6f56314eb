#pragma once
/// \file sweep_command.h
/// `twindesk sweep` and `twindesk compare`: several scenarios, or one scenario under parameter
/// variants, run in parallel threads and compared in one table. Each run is the same deterministic
/// engine as `simulate`; threads only change the wall time, never a result.

#include "cli.h"

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace twindesk::app {

struct SweepOptions
{
    std::vector<std::filesystem::path> scenarios;
    /// "key=v1,v2,..." axes; the runs are the cartesian product of all axes per scenario.
    std::vector<std::pair<std::string, std::vector<std::string>>> axes;
    unsigned threads = 0; ///< 0: the number of cores
    bool json = false;
    std::filesystem::path anchors;
    /// Run only this variant: its 0-based position in the full sweep's order (scenarios in
    /// the order given, then the cartesian product of the axes, the last axis fastest). What
    /// each pod of the Indexed Job runs.
    std::optional<std::size_t> variantIndex;
    /// Also write each run's row to `<dir>/variant-NNNN.json` (NNNN its index), atomically.
    std::filesystem::path resultsDir;
    /// Read the rows a sweep wrote to this folder (by --results-dir, e.g. one per pod) and
    /// print the comparison table, instead of running anything.
    std::filesystem::path collect;
    /// Write the Kubernetes manifests (sweep_k8s.h) to this folder instead of running.
    std::filesystem::path emitK8s;
    std::string image;        ///< --image (default twindesk:<version>)
    std::string jobName;      ///< --job-name (default twindesk-sweep)
    unsigned parallelism = 0; ///< --parallelism (0: all variants at once)
    std::string resultsClaim; ///< --results-claim (default twindesk-results)

    // The store (sweep_store.h, docs/packaging.md): the project file or the shared PostgreSQL
    // store, table sweep_results.
    /// --store: postgresql://... or "project"; with --emit-k8s the URL the pods write to.
    std::optional<std::string> store;
    std::filesystem::path project; ///< --project: its store (meta key `store`, else the file)
    /// --sweep-name: the name the rows are stored under (with --emit-k8s: the Job's name).
    std::string sweepName;
    /// --collect-store NAME: print the table of the rows stored under NAME instead of running.
    std::string collectStore;
    bool listStored = false; ///< --list-stored: the sweeps the store holds
    /// --store-secret (with --emit-k8s): the Secret whose key `password` becomes the pods'
    /// PGPASSWORD (default <job name>-store).
    std::string storeSecret;
};

int runSweep(const SweepOptions& options, CliIo& io);

struct CompareOptions
{
    std::filesystem::path baseline;
    std::filesystem::path candidate;
    std::vector<std::string> uses; ///< KPI scope: zone uses (empty: the whole site)
    std::vector<std::pair<std::string, std::string>> overrides; ///< applied to both
    bool json = false;
    std::filesystem::path anchors;
};

/// `twindesk compare`: two scenarios (typically one building under two policies) run side by
/// side in two threads; their KPIs within a scope, with the change.
int runCompare(const CompareOptions& options, CliIo& io);

} // namespace twindesk::app
