// Training the host forecaster with the LibTorch C++ frontend and saving it as TorchScript. One
// of the two translation units that include LibTorch headers (the other is torch_model.cpp).
#include "torch_message.h"

#include <twindesk/torch/forecaster.h>
#include <twindesk/torch/model_schema.h>
#include <twindesk/torch/torch_model.h>

#include <nlohmann/json.hpp>
#include <torch/optim/adam.h>
#include <torch/script.h>

#include <ATen/Parallel.h>
#include <chrono>
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>
#include <system_error>

namespace twindesk::torch {

using twin::ErrorCode;
using twin::makeError;

namespace {

/// Declared ranges of the shipped forecaster's schema: wide sanity bounds, not clamps. A host's
/// requested utilisation may exceed 1 (Σ VM demand above its MIPS); beyond these something is
/// wrong with the input or the model.
constexpr double kHistoryMax = 10.0;
constexpr double kOutputMin = -1.0;
constexpr double kOutputMax = 10.0;

/// y = w2 · relu(W1 x + b1) + b2 + skip · x, the same ops as the TorchScript forward below, so
/// training and inference compute the same function.
constexpr const char* kForwardSource = R"JIT(
def forward(self, x: Tensor) -> Tensor:
    h = torch.relu(torch.addmm(self.b1, x, self.w1.t()))
    return torch.addmm(self.b2, h, self.w2.t()) + torch.mm(x, self.skip.t())
)JIT";

struct Parameters
{
    at::Tensor w1, b1, w2, b2, skip; // [H, I], [H], [1, H], [1], [1, I]

    [[nodiscard]] at::Tensor forward(const at::Tensor& x) const
    {
        const at::Tensor h = at::relu(at::addmm(b1, x, w1.t()));
        return at::addmm(b2, h, w2.t()) + at::mm(x, skip.t());
    }
};

/// Uniform in [−bound, bound) from LibTorch's seeded generator.
at::Tensor uniform(at::IntArrayRef shape, double bound)
{
    return (::torch::rand(shape) * 2 - 1) * bound;
}

std::vector<float> toVector(const at::Tensor& t)
{
    const at::Tensor c = t.detach().to(at::kFloat).contiguous();
    const float* p = c.data_ptr<float>();
    return {p, p + c.numel()};
}

at::Tensor fromVector(const std::vector<float>& v, at::IntArrayRef shape)
{
    return at::from_blob(const_cast<float*>(v.data()), shape, at::kFloat).clone(); // NOLINT
}

using detail::torchMessage;

nlohmann::ordered_json optionsJson(const ForecasterOptions& o)
{
    nlohmann::ordered_json j;
    j["history_length"] = o.historyLength;
    j["max_horizon"] = o.maxHorizon;
    j["hidden_units"] = o.hiddenUnits;
    j["epochs"] = o.epochs;
    j["batch_size"] = o.batchSize;
    j["learning_rate"] = o.learningRate;
    j["quantile"] = o.quantile;
    j["seed"] = o.seed;
    return j;
}

twin::Status writeFileAtomically(const std::filesystem::path& file, const std::string& bytes)
{
    const std::filesystem::path tmp = file.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << bytes;
        out.close();
        if (!out)
            return makeError(ErrorCode::IoError, "cannot write the file", tmp.string());
    }
    std::error_code ec;
    std::filesystem::rename(tmp, file, ec);
    if (ec)
        return makeError(ErrorCode::IoError, "cannot rename into place: " + ec.message(),
                         file.string());
    return {};
}

} // namespace

twin::Result<ForecasterWeights> trainForecaster(const ForecastDataset& data,
                                                const ForecasterOptions& options,
                                                TrainingReport* report)
{
    const auto bad = [](const std::string& why) {
        return makeError(ErrorCode::InvalidArgument, "forecaster training: " + why);
    };
    if (data.rows() == 0)
        return bad("no training samples (are the training days' traces empty or too short?)");
    if (data.historyLength != options.historyLength)
        return bad("the dataset has histories of " + std::to_string(data.historyLength) +
                   " samples, the options ask " + std::to_string(options.historyLength));
    if (data.inputs.size() != data.rows() * data.width())
        return bad("the dataset's inputs and targets disagree in size");
    if (options.hiddenUnits < 1 || options.epochs < 1 || options.batchSize < 1 ||
        !(options.learningRate > 0) || !(options.quantile > 0 && options.quantile < 1) ||
        options.maxHorizon < 1)
        return bad("hidden units, epochs and batch size must be ≥ 1, the learning rate > 0, the "
                   "quantile in (0, 1) and the maximum horizon ≥ 1");
    const auto t0 = std::chrono::steady_clock::now();
    try {
        // One intra-op thread and fixed seeds: the same data + options → the same weights.
        at::set_num_threads(1);
        ::torch::manual_seed(options.seed);
        const auto inputs = static_cast<std::int64_t>(data.width());
        const auto hidden = static_cast<std::int64_t>(options.hiddenUnits);
        const auto rows = static_cast<std::int64_t>(data.rows());

        Parameters p;
        const double inBound = 1.0 / std::sqrt(static_cast<double>(inputs));
        const double hiddenBound = 1.0 / std::sqrt(static_cast<double>(hidden));
        p.w1 = uniform({hidden, inputs}, inBound);
        p.b1 = uniform({hidden}, inBound);
        p.w2 = uniform({1, hidden}, hiddenBound) * 0.1;
        p.b2 = at::zeros({1});
        // Start at persistence (forecast = the newest sample); training learns the rest.
        p.skip = at::zeros({1, inputs});
        p.skip.index_put_({0, 0}, 1.0);
        std::vector<at::Tensor> params{p.w1, p.b1, p.w2, p.b2, p.skip};
        for (at::Tensor& t : params)
            t.requires_grad_(true);

        const at::Tensor x = at::from_blob(const_cast<float*>(data.inputs.data()), // NOLINT
                                           {rows, inputs}, at::kFloat);
        const at::Tensor y = at::from_blob(const_cast<float*>(data.targets.data()), // NOLINT
                                           {rows, 1}, at::kFloat);
        ::torch::optim::Adam optimiser(params, ::torch::optim::AdamOptions(options.learningRate));
        const auto tau = static_cast<float>(options.quantile);

        std::mt19937_64 rng(options.seed ^ 0x9E3779B97F4A7C15ULL);
        std::vector<std::int64_t> order(static_cast<std::size_t>(rows));
        for (std::int64_t i = 0; i < rows; ++i)
            order[static_cast<std::size_t>(i)] = i;
        const auto batch = static_cast<std::int64_t>(options.batchSize);
        TrainingReport local;
        local.samples = data.rows();
        for (int epoch = 0; epoch < options.epochs; ++epoch) {
            // Fisher–Yates with our own bounded draw (no std distribution: they differ
            // between standard libraries).
            for (std::size_t i = order.size() - 1; i > 0; --i) {
                const std::uint64_t bound = i + 1;
                const std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
                std::uint64_t r = rng();
                while (r >= limit)
                    r = rng();
                std::swap(order[i], order[static_cast<std::size_t>(r % bound)]);
            }
            const at::Tensor perm =
                at::from_blob(order.data(), {rows}, at::kLong); // valid during the epoch
            double lossSum = 0.0;
            std::int64_t batches = 0;
            for (std::int64_t start = 0; start < rows; start += batch) {
                const std::int64_t end = std::min(rows, start + batch);
                const at::Tensor idx = perm.slice(0, start, end);
                const at::Tensor xb = x.index_select(0, idx);
                const at::Tensor yb = y.index_select(0, idx);
                const at::Tensor e = yb - p.forward(xb);
                // Pinball loss: τ e for under-forecasts (e > 0), (τ − 1) e for over-forecasts.
                const at::Tensor loss = at::maximum(tau * e, (tau - 1) * e).mean();
                optimiser.zero_grad();
                loss.backward();
                optimiser.step();
                lossSum += loss.item<double>();
                ++batches;
            }
            local.epochLoss.push_back(lossSum / static_cast<double>(batches));
        }
        ForecasterWeights w;
        w.inputs = data.width();
        w.hidden = options.hiddenUnits;
        w.w1 = toVector(p.w1);
        w.b1 = toVector(p.b1);
        w.w2 = toVector(p.w2);
        w.b2 = toVector(p.b2).front();
        w.skip = toVector(p.skip);
        local.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (report)
            *report = std::move(local);
        for (const std::vector<float>* v : {&w.w1, &w.b1, &w.w2, &w.skip})
            for (const float f : *v)
                if (!std::isfinite(f))
                    return bad("training diverged (non-finite weights); lower the learning rate");
        return w;
    } catch (const std::exception& e) {
        return bad("LibTorch failed: " + torchMessage(e));
    }
}

twin::Status saveForecaster(const ForecasterWeights& weights, const ForecasterOptions& options,
                            const ForecasterProvenance& provenance,
                            const std::filesystem::path& model)
{
    const auto h = static_cast<std::int64_t>(weights.hidden);
    const auto in = static_cast<std::int64_t>(weights.inputs);
    if (weights.inputs != options.historyLength + 1 ||
        weights.w1.size() != weights.hidden * weights.inputs ||
        weights.b1.size() != weights.hidden || weights.w2.size() != weights.hidden ||
        weights.skip.size() != weights.inputs)
        return makeError(ErrorCode::InvalidArgument,
                         "forecaster weights do not match the options (history length " +
                             std::to_string(options.historyLength) + ")",
                         model.string());

    nlohmann::ordered_json metadata;
    metadata["format"] = "twindesk-host-forecaster";
    metadata["model_id"] = options.modelId;
    metadata["version"] = options.version;
    metadata["training_data_sha256"] = provenance.dataSha256;
    metadata["train_days"] = provenance.trainDays;
    metadata["samples"] = provenance.samples;
    metadata["policy"] = provenance.policy;
    metadata["options"] = optionsJson(options);

    ModelSchema schema;
    schema.modelId = options.modelId;
    schema.version = options.version;
    schema.description =
        "Host CPU utilisation forecaster for the ML consolidation detector: the newest " +
        std::to_string(options.historyLength) +
        " samples of a host's utilisation history (fractions of its MIPS, newest first) and "
        "the horizon in 300-s intervals -> the host's requested utilisation that many "
        "intervals after the newest sample.";
    schema.inputs = {{"history", options.historyLength, 0.0, kHistoryMax},
                     {"horizon", 1, 1.0, static_cast<double>(options.maxHorizon)}};
    schema.outputs = {{"utilisation", 1, kOutputMin, kOutputMax}};
    schema.trainingDataSha256 = provenance.dataSha256;
    nlohmann::ordered_json training;
    training["train_days"] = provenance.trainDays;
    training["samples"] = provenance.samples;
    training["policy"] = provenance.policy;
    std::ostringstream loss;
    loss << "pinball, quantile " << options.quantile;
    training["loss"] = loss.str();
    training["options"] = optionsJson(options);
    const nlohmann::ordered_json extra =
        nlohmann::ordered_json::parse(provenance.extraJson, nullptr, false);
    if (!extra.is_discarded() && extra.is_object())
        for (const auto& [key, value] : extra.items())
            training[key] = value;
    schema.trainingJson = training.dump();

    std::error_code ec;
    if (model.has_parent_path())
        std::filesystem::create_directories(model.parent_path(), ec);
    const std::filesystem::path tmp = model.string() + ".tmp";
    try {
        ::torch::jit::Module module(c10::QualifiedName("__torch__.twindesk.HostForecaster"));
        module.register_parameter("w1", fromVector(weights.w1, {h, in}), false);
        module.register_parameter("b1", fromVector(weights.b1, {h}), false);
        module.register_parameter("w2", fromVector(weights.w2, {1, h}), false);
        module.register_parameter("b2", fromVector({weights.b2}, {1}), false);
        module.register_parameter("skip", fromVector(weights.skip, {1, in}), false);
        module.define(kForwardSource);
        module.eval();
        module.save(tmp.string(), {{kMetadataExtraFile, metadata.dump(2)}});
    } catch (const std::exception& e) {
        return makeError(ErrorCode::IoError,
                         "cannot save the TorchScript model: " + torchMessage(e), model.string());
    }
    std::filesystem::rename(tmp, model, ec);
    if (ec)
        return makeError(ErrorCode::IoError, "cannot rename into place: " + ec.message(),
                         model.string());
    return writeFileAtomically(schemaPathFor(model), schema.toJson());
}

} // namespace twindesk::torch
