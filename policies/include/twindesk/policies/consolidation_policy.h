#pragma once
/// \file consolidation_policy.h
/// Dynamic VM consolidation as a Policy: the planner of consolidation.h run through the one
/// control loop (guard, approvals, decision log), on the compute view its source provides
/// (Observation::compute()).
///
/// Each round (every `period`, 300 s by default, CloudSim's scheduling interval):
/// - VMs not placed yet (scenario placement "none") are placed by PABFD (placePabfd on a copy
///   of the view): one PlaceVm action each, the whole fleet in the first round;
/// - otherwise one planConsolidation round: MigrateVm and PowerHost actions, in the plan's
///   order (power on before the migrations to that host).
/// Algorithms "NPA" and "DVFS" are the paper's baselines: they decide nothing (their energy
/// comes from the simulator's accounting and first-fit placement).
/// A learned detector ("ML-…") needs a model: `params.model` is loaded through the process's
/// PredictorLoader (the LibTorch module installs one). When the model cannot be loaded, or it
/// fails on a host (NaN, out of range), decide() returns an error naming the model, so the
/// loop falls back (its fallback policy decides the round) and logs why.

#include <twindesk/policies/consolidation.h>
#include <twindesk/policies/policy.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace twindesk::policies {

/// Loads a utilisation forecaster from a model file (e.g. TorchScript + schema JSON).
using PredictorLoader = std::function<twin::Result<std::shared_ptr<const UtilisationPredictor>>(
    const std::filesystem::path& model)>;

/// Installs the process-wide loader for "model" parameters (call once at start-up, before
/// policies are created; the LibTorch module's installTorchPredictorLoader() does).
void setPredictorLoader(PredictorLoader loader);
/// Loads `model` with the installed loader; an Error when none is installed or loading fails.
twin::Result<std::shared_ptr<const UtilisationPredictor>>
loadUtilisationPredictor(const std::filesystem::path& model);

struct ConsolidationPolicyParams
{
    /// "NPA", "DVFS" or DETECTOR-SELECTION-PARAMETER, e.g. "LR-MMT-1.2", "ML-MMT-1.2".
    std::string algorithm = "LR-MMT-1.2";
    std::uint64_t seed = 0; ///< RS selection
    bool switchOffIdleHosts = true;
    std::filesystem::path model; ///< ML detectors: the forecaster's model file
    Seconds period = 300;
};

class ConsolidationPolicy final : public Policy
{
public:
    /// Validates the algorithm name; loads the model of an ML detector. A model that cannot be
    /// loaded does not fail here: every decide() then errs with the reason (loop fallback).
    static twin::Result<std::unique_ptr<ConsolidationPolicy>>
    make(const ConsolidationPolicyParams& params);

    [[nodiscard]] const PolicyInfo& info() const override { return m_info; }
    twin::Result<std::vector<Action>> decide(const Observation& observation) override;

    /// The planner's configuration (algorithm, predictor).
    [[nodiscard]] const ConsolidationConfig& config() const { return m_config; }
    /// Whether the algorithm is a baseline that never acts (NPA, DVFS).
    [[nodiscard]] bool baseline() const { return m_baseline; }
    /// The last round's plan counters (overloaded hosts, fallbacks, predictor errors, ...).
    [[nodiscard]] const ConsolidationPlan& lastPlan() const { return m_lastPlan; }
    /// Input drift of its model against the training data (drift.h); empty without a model
    /// or a reference.
    [[nodiscard]] std::vector<InputDrift> drift() const
    {
        return m_config.predictor ? m_config.predictor->drift() : std::vector<InputDrift>{};
    }
    /// Why the model could not be loaded (empty when it was, or when none is needed).
    [[nodiscard]] const std::string& modelError() const { return m_modelError; }

private:
    ConsolidationPolicy() = default;
    PolicyInfo m_info;
    ConsolidationConfig m_config;
    ConsolidationPlan m_lastPlan;
    std::string m_modelError;
    bool m_baseline = false;
};

} // namespace twindesk::policies
