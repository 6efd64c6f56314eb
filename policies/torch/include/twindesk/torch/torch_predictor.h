#pragma once
/// \file torch_predictor.h
/// policies::UtilisationPredictor over a TorchModel: the ML detector's forecaster
/// (ConsolidationConfig::parse("ML-MMT-1.2"), config.predictor = this).
///
/// The model's schema must declare the inputs "history" (count k, the newest k samples, newest
/// first) and "horizon" (count 1) in that order and one output. predict() feeds the newest k
/// samples and the horizon and returns the output; a model error, an input outside the declared
/// ranges (e.g. a horizon the model was not trained for), NaN, ±inf or an output outside its
/// range is an Error — the planner then falls back to THR and counts it.

#include <twindesk/policies/consolidation.h>
#include <twindesk/torch/torch_model.h>
#include <twindesk/twin/result.h>

#include <filesystem>
#include <memory>
#include <span>
#include <string>

namespace twindesk::torch {

class TorchUtilisationPredictor final : public policies::UtilisationPredictor
{
public:
    /// Checks that the model has the forecaster's layout (see the file comment).
    static twin::Result<std::shared_ptr<const TorchUtilisationPredictor>> make(TorchModel model);
    /// TorchModel::load + make.
    static twin::Result<std::shared_ptr<const TorchUtilisationPredictor>>
    load(const std::filesystem::path& model);

    [[nodiscard]] twin::Result<double> predict(std::span<const double> historyNewestFirst,
                                               int horizon) const override;
    [[nodiscard]] std::size_t minimumHistory() const override { return m_historyLength; }
    /// "<model id> <version> <first 12 hex digits of the training-data hash>"
    [[nodiscard]] std::string identity() const override { return m_identity; }

    /// Counts an observed host history into the drift monitor.
    void observe(std::span<const double> historyNewestFirst) const override;
    /// Drift of the observed history inputs against the schema's
    /// training.input_reference (empty for a model without one).
    [[nodiscard]] std::vector<policies::InputDrift> drift() const override;

    [[nodiscard]] const TorchModel& model() const { return m_model; }

    explicit TorchUtilisationPredictor(TorchModel model); // use make()

private:
    TorchModel m_model;
    std::size_t m_historyLength = 0;
    std::string m_identity;
    mutable policies::DriftMonitor m_drift; // counts what predict() is given (one thread)
};

/// Installs TorchUtilisationPredictor::load as the process-wide policies::PredictorLoader
/// (consolidation_policy.h), so scenario policies with a "model" parameter load through it.
/// Call once at start-up.
twin::Status installTorchPredictorLoader();

} // namespace twindesk::torch
