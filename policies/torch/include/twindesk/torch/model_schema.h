#pragma once
/// \file model_schema.h
/// The schema of a TorchScript model: the JSON file beside it (`model.pt` → `model.json`),
/// documented in docs/torch.md. It declares what the model reads and writes — named inputs and
/// outputs with a value count and a [min, max] range each, concatenated in order into one flat
/// float vector — and where the model comes from (id, version, training-data SHA-256).
/// TorchModel checks every prediction against it. Torch-free: parse and write it anywhere.

#include <twindesk/twin/result.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace twindesk::torch {

/// One named slice of a model's flat input or output vector.
struct TensorSpec
{
    std::string name;
    std::size_t count = 1; ///< values in the slice, ≥ 1
    double min = 0.0;      ///< every value must lie in [min, max]
    double max = 0.0;
};

/// The format written and read here. A schema with a larger "schema_version" is refused.
inline constexpr int kModelSchemaVersion = 1;

struct ModelSchema
{
    int schemaVersion = kModelSchemaVersion;
    std::string modelId;     ///< e.g. "host-forecaster"
    std::string version;     ///< the model's own version, e.g. "1"
    std::string description; ///< free text
    std::vector<TensorSpec> inputs;
    std::vector<TensorSpec> outputs;
    std::string trainingDataSha256; ///< 64 hex digits, or empty for a model not trained on data
    /// Anything else under "training" (days, sample counts, options, held-out results): kept
    /// verbatim as compact JSON text ("{}" when absent).
    std::string trainingJson = "{}";

    [[nodiscard]] std::size_t inputCount() const;
    [[nodiscard]] std::size_t outputCount() const;
    /// The input slice called `name`, or nullptr.
    [[nodiscard]] const TensorSpec* input(std::string_view name) const;

    /// Parses and validates schema JSON text. Errors: where = `file`, the message starts with
    /// the JSON path of the offending value ("$.inputs[1].max: …").
    static twin::Result<ModelSchema> parse(std::string_view text,
                                           const std::filesystem::path& file);
    /// Reads and parses `file` (NotFound / IoError / ParseError naming it).
    static twin::Result<ModelSchema> read(const std::filesystem::path& file);
    /// Pretty JSON (2-space indent, stable key order) that parse() reads back.
    [[nodiscard]] std::string toJson() const;
};

/// The schema file beside a model: the same path with the extension ".json".
std::filesystem::path schemaPathFor(const std::filesystem::path& model);

} // namespace twindesk::torch
