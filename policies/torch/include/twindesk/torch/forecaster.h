#pragma once
/// \file forecaster.h
/// The host utilisation forecaster: TwinDesk's own model for the ML consolidation detector,
/// trained in C++ with the LibTorch frontend on "simulated history" and saved as TorchScript
/// (docs/torch.md). No torch header here.
///
/// Model: input = the newest `historyLength` samples of a host's utilisation history as the
/// planner's detector sees it (newest first, fractions of host MIPS, hostHistoryFromVms), then
/// the horizon (intervals, 1..maxHorizon); output = the host's requested utilisation `horizon`
/// intervals after the newest sample. y = w2 · relu(W1 x + b1) + b2 + skip · x: a small MLP
/// plus a linear skip term (which can express persistence and LR-like extrapolation).
///
/// Simulated history: a PlanetLab day run on the experiment's fleet with a consolidation policy
/// (LR-MMT-1.2 by default, CloudSim accounting and memory rule). After every step, for every
/// host holding VMs whose history has ≥ historyLength samples, and every horizon h, one sample:
/// the host's history window and target = Σ over the VMs it holds of trace[i + h] × VM MIPS /
/// host MIPS, i the trace index of the newest sample. Windows whose target would lie past the
/// end of the traces are skipped (no held values as targets).
///
/// Determinism: data generation is a pure function of (traces, options). Training seeds
/// torch::manual_seed(seed) for the initial weights, shuffles with its own std::mt19937_64
/// (seeded from seed) and runs on one LibTorch thread: the same data + options give
/// bit-identical weights.

#include <twindesk/policies/consolidation.h>
#include <twindesk/sim/compute.h>
#include <twindesk/twin/result.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace twindesk::torch {

/// How a PlanetLab day is run (bench_consolidation's experiment).
struct DayRunOptions
{
    std::size_t hosts = 800; ///< planetLabHosts(hosts)
    int steps = 288;         ///< × 300 s, a round after every step but the last
    sim::MemoryRule memoryRule = sim::MemoryRule::PlacementOnly; ///< CloudSim's books
};

/// What one day run measured.
struct DayRunResult
{
    sim::ComputeMetrics metrics;
    double seconds = 0.0;            ///< wall time of the whole run (placement + steps + plans)
    std::size_t overloadedHosts = 0; ///< Σ over rounds
    std::size_t fallbackDecisions = 0;
    std::size_t predictorErrors = 0;
    std::string firstPredictorError;
};

/// Called after every step with the cluster between steps and the step index (0-based).
using StepObserver = std::function<void(const sim::ComputeCluster&, int step)>;

/// CloudSim accounting, PABFD placement, then `steps` × (step, planConsolidation, apply).
twin::Result<DayRunResult> runPlanetLabDay(const std::vector<sim::VmSpec>& vms,
                                           const policies::ConsolidationConfig& config,
                                           const DayRunOptions& options,
                                           const StepObserver& observer = {});

/// Samples of the forecaster: rows of (history newest first ‖ horizon) → target.
struct ForecastDataset
{
    std::size_t historyLength = 0;
    std::vector<float> inputs;  ///< rows × (historyLength + 1)
    std::vector<float> targets; ///< rows

    [[nodiscard]] std::size_t rows() const { return targets.size(); }
    [[nodiscard]] std::size_t width() const { return historyLength + 1; }
    [[nodiscard]] std::span<const float> row(std::size_t i) const
    {
        return {inputs.data() + i * width(), width()};
    }
    /// Appends `other` (same historyLength).
    void append(const ForecastDataset& other);
};

struct DatasetOptions
{
    std::size_t historyLength = 12;
    int maxHorizon = 3;
    std::string policy = "LR-MMT-1.2"; ///< the policy that moves the VMs while history is taken
    DayRunOptions run;
};

/// Simulated history of one day (see the file comment).
twin::Result<ForecastDataset> simulateHistory(const std::vector<sim::VmSpec>& vms,
                                              const DatasetOptions& options);

/// SHA-256 (hex) over the training days: for each day folder sorted by name, each regular file
/// not starting with '.' sorted by name: "<day>/<file>\n<size>\n<contents>". Independent of
/// where the folders live, of dates and of directory order.
twin::Result<std::string> trainingDataSha256(std::vector<std::filesystem::path> dayFolders);

struct ForecasterOptions
{
    std::size_t historyLength = 12; ///< must match the dataset
    int maxHorizon = 3;             ///< declared input range of the horizon
    std::size_t hiddenUnits = 32;
    int epochs = 6;
    std::size_t batchSize = 256;
    double learningRate = 3e-3; ///< Adam
    /// Pinball (quantile) loss level τ: under-forecasts cost τ, over-forecasts 1 − τ. τ > 0.5
    /// leans towards seeing overloads (SLA) at the price of more migrations; 0.5 = MAE. 0.8 was
    /// chosen on a validation day (docs/torch.md).
    double quantile = 0.8;
    std::uint64_t seed = 1;
    std::string modelId = "host-forecaster";
    std::string version = "1";
};

/// The trained parameters (row-major), torch-free.
struct ForecasterWeights
{
    std::size_t inputs = 0; ///< historyLength + 1
    std::size_t hidden = 0;
    std::vector<float> w1; ///< hidden × inputs
    std::vector<float> b1; ///< hidden
    std::vector<float> w2; ///< hidden
    float b2 = 0.0F;
    std::vector<float> skip; ///< inputs

    bool operator==(const ForecasterWeights&) const = default;
};

/// The forward pass in plain C++ (float accumulation in the model's order, within rounding
/// of LibTorch's): for tests and checks.
float forecastWithWeights(const ForecasterWeights& weights, std::span<const float> input);

struct TrainingReport
{
    std::vector<double> epochLoss; ///< mean pinball loss per epoch
    std::size_t samples = 0;
    double seconds = 0.0;
};

/// Trains on `data` (deterministic, one thread). InvalidArgument for an empty or mismatched
/// dataset or bad options.
twin::Result<ForecasterWeights> trainForecaster(const ForecastDataset& data,
                                                const ForecasterOptions& options,
                                                TrainingReport* report = nullptr);

/// Where the training data came from: written into the schema and the .pt metadata.
struct ForecasterProvenance
{
    std::string dataSha256;
    std::vector<std::string> trainDays; ///< folder names
    std::size_t samples = 0;
    std::string policy;           ///< the policy that produced the simulated history
    std::string extraJson = "{}"; ///< merged into the schema's "training" object (e.g. results)
};

/// Builds a TorchScript module (register_parameter + define()), saves it to `model` with the
/// metadata extra file (model id, version, data hash, options; no dates) and writes the schema
/// beside it. Both files are written to temporaries and renamed into place.
twin::Status saveForecaster(const ForecasterWeights& weights, const ForecasterOptions& options,
                            const ForecasterProvenance& provenance,
                            const std::filesystem::path& model);

/// Forecast errors of one forecaster on a dataset. An overload is target > 1 (the host's
/// demand exceeds its MIPS); the detector "fires" when safety × forecast ≥ 1, as the ML and LR
/// detectors decide.
struct ForecastScore
{
    std::size_t samples = 0;
    double mae = 0.0;
    double bias = 0.0; ///< mean (forecast − target)
    std::size_t overloads = 0;
    std::size_t hits = 0;        ///< overloads the detector fired on
    std::size_t falseAlarms = 0; ///< fired on a non-overload
    std::size_t failures = 0;    ///< forecaster errors (not counted in the rest)
    [[nodiscard]] double hitRate() const;
    [[nodiscard]] double falseAlarmRate() const;
};

/// Scores `predictor` and CloudSim's LR line (policies::loessEstimates on the newest 10 samples,
/// evaluated at 10 + horizon) on the same rows.
struct ForecastComparison
{
    ForecastScore model;
    ForecastScore lr;
};
ForecastComparison compareWithLr(const ForecastDataset& data,
                                 const policies::UtilisationPredictor& predictor,
                                 double safety = 1.2);

} // namespace twindesk::torch
