#pragma once
/// \file torch_model.h
/// The single inference path for LibTorch models: a TorchScript file loaded with
/// torch::jit::load plus its schema JSON beside it (model_schema.h). No torch header here
/// (pimpl), so users of this header compile without LibTorch's 20-s headers.
///
/// Contract:
/// - load() never throws and never crashes on bad input: a missing model, a missing or
///   malformed schema, a corrupt .pt (truncated, random bytes), metadata that disagrees with
///   the schema, or a model whose output does not have the schema's shape are each an Error
///   naming the file (and the JSON path for schema errors).
/// - predict() runs on the CPU under torch::NoGradGuard with LibTorch's intra-op thread count
///   set to 1 (at::set_num_threads(1), process-wide, set by load()): the same input gives
///   bit-identical output. It checks the input (count, finite, within each declared range) and
///   rejects outputs that are NaN, ±inf or outside their declared range, naming the output
///   and the value. Nothing is clamped.
/// - Copies share one immutable module. predict() may be called from one thread at a time per
///   model (the planner's thread).

#include <twindesk/torch/model_schema.h>
#include <twindesk/twin/result.h>

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace twindesk::torch {

/// The name of the extra file inside every .pt TwinDesk writes: metadata JSON with at least
/// "model_id", "version" and "training_data_sha256" (docs/torch.md).
inline constexpr const char* kMetadataExtraFile = "twindesk_metadata.json";

class TorchModel
{
public:
    /// Loads `model` (TorchScript) and `schemaPathFor(model)`. If the .pt carries
    /// kMetadataExtraFile, its model_id, version and training_data_sha256 must match the
    /// schema's. A probe forward pass at the inputs' minima must yield schema.outputCount()
    /// values.
    static twin::Result<TorchModel> load(const std::filesystem::path& model);

    /// One forward pass on a flat input of schema().inputCount() floats (the inputs' slices in
    /// order); returns schema().outputCount() floats. See the file comment for the checks.
    [[nodiscard]] twin::Result<std::vector<float>> predict(std::span<const float> input) const;

    [[nodiscard]] const ModelSchema& schema() const;
    [[nodiscard]] const std::filesystem::path& file() const;
    /// The kMetadataExtraFile text stored in the .pt ("" when it carries none).
    [[nodiscard]] const std::string& metadataJson() const;

    struct Impl;

private:
    explicit TorchModel(std::shared_ptr<Impl> impl);
    std::shared_ptr<Impl> m_impl;
};

/// Reads one extra file stored in a TorchScript archive (torch::jit::load's extra files) — ""
/// when the archive does not hold it; an Error naming the file when it cannot be loaded.
twin::Result<std::string> readTorchScriptExtraFile(const std::filesystem::path& model,
                                                   const std::string& name);

/// Compiles TorchScript `source` (methods of a module without parameters; at least
/// `def forward(self, x: Tensor) -> Tensor`) with torch::jit::Module::define and saves the
/// module to `file` with the given extra files. For tests and tools (e.g. a model that returns
/// NaN); errors name the file and quote LibTorch's message.
twin::Status
saveTorchScriptSource(const std::filesystem::path& file, const std::string& source,
                      const std::vector<std::pair<std::string, std::string>>& extraFiles = {});

} // namespace twindesk::torch
