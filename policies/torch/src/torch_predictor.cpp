#include <twindesk/policies/consolidation_policy.h>
#include <twindesk/torch/torch_predictor.h>

#include <nlohmann/json.hpp>

#include <array>

namespace twindesk::torch {

using twin::ErrorCode;
using twin::makeError;

namespace {

/// Histories longer than this are refused by make() (the planner keeps 30 samples).
constexpr std::size_t kMaxHistory = 64;

} // namespace

TorchUtilisationPredictor::TorchUtilisationPredictor(TorchModel model) : m_model(std::move(model))
{
    const ModelSchema& schema = m_model.schema();
    m_historyLength = schema.inputs.front().count;
    const std::string& hash = schema.trainingDataSha256;
    m_identity = schema.modelId + " " + schema.version + " " +
                 (hash.empty() ? std::string("untrained") : hash.substr(0, 12));
    // The training distribution of the inputs, when the schema carries it (drift.h). A model
    // without one (or with a malformed one) simply reports no drift.
    const auto training = nlohmann::json::parse(schema.trainingJson, nullptr, false);
    if (training.is_object() && training.contains("input_reference"))
        if (auto refs = policies::parseInputReferences(training["input_reference"].dump(),
                                                       m_model.file().string()))
            m_drift = policies::DriftMonitor(std::move(refs).value());
}

void TorchUtilisationPredictor::observe(std::span<const double> historyNewestFirst) const
{
    // The training windows hold m_historyLength samples: so do the observed ones.
    if (historyNewestFirst.size() < m_historyLength)
        return;
    for (std::size_t i = 0; i < m_historyLength; ++i)
        m_drift.add(i, historyNewestFirst[i]);
}

std::vector<policies::InputDrift> TorchUtilisationPredictor::drift() const
{
    return m_drift.report();
}

twin::Result<std::shared_ptr<const TorchUtilisationPredictor>>
TorchUtilisationPredictor::make(TorchModel model)
{
    const ModelSchema& schema = model.schema();
    const auto bad = [&](const std::string& why) {
        return makeError(ErrorCode::InvalidArgument,
                         "not a host utilisation forecaster: " + why +
                             " (expected inputs 'history' (k values, newest first) and "
                             "'horizon' (1 value), in that order, and one output)",
                         model.file().string());
    };
    if (schema.inputs.size() != 2 || schema.inputs[0].name != "history" ||
        schema.inputs[1].name != "horizon")
        return bad("its schema declares other inputs");
    if (schema.inputs[1].count != 1)
        return bad("'horizon' has " + std::to_string(schema.inputs[1].count) + " values");
    if (schema.inputs[0].count > kMaxHistory)
        return bad("'history' has " + std::to_string(schema.inputs[0].count) +
                   " values, more than the planner keeps");
    if (schema.outputCount() != 1)
        return bad("its schema declares " + std::to_string(schema.outputCount()) + " outputs");
    return std::make_shared<const TorchUtilisationPredictor>(std::move(model));
}

twin::Result<std::shared_ptr<const TorchUtilisationPredictor>>
TorchUtilisationPredictor::load(const std::filesystem::path& model)
{
    auto loaded = TorchModel::load(model);
    if (!loaded)
        return loaded.error();
    return make(std::move(*loaded));
}

twin::Result<double> TorchUtilisationPredictor::predict(std::span<const double> historyNewestFirst,
                                                        int horizon) const
{
    const std::size_t k = m_historyLength;
    if (historyNewestFirst.size() < k)
        return makeError(ErrorCode::InvalidArgument,
                         "the forecaster needs " + std::to_string(k) + " history samples, got " +
                             std::to_string(historyNewestFirst.size()),
                         m_model.file().string());
    std::array<float, kMaxHistory + 1> input{};
    for (std::size_t i = 0; i < k; ++i)
        input[i] = static_cast<float>(historyNewestFirst[i]);
    input[k] = static_cast<float>(horizon);
    auto out = m_model.predict(std::span<const float>(input.data(), k + 1));
    if (!out) {
        // The planner records only the message: let it name the model too.
        twin::Error error = out.error();
        error.message = "model " + m_model.file().filename().string() + ": " + error.message;
        return error;
    }
    return static_cast<double>(out->front());
}

twin::Status installTorchPredictorLoader()
{
    policies::setPredictorLoader(
        [](const std::filesystem::path& model)
            -> twin::Result<std::shared_ptr<const policies::UtilisationPredictor>> {
            auto loaded = TorchUtilisationPredictor::load(model);
            if (!loaded)
                return loaded.error();
            return std::shared_ptr<const policies::UtilisationPredictor>(std::move(*loaded));
        });
    return {};
}

} // namespace twindesk::torch
