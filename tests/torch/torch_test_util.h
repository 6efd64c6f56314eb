#pragma once
// Helpers shared by the torch module's tests: small TorchScript models with their schema.
#include <twindesk/torch/model_schema.h>
#include <twindesk/torch/torch_model.h>

#include <QtTest>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace twindesk::test {

inline void writeTextFile(const std::filesystem::path& file, const std::string& text)
{
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
}

inline std::string readBytes(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

/// A schema with the given inputs and one output "y" in [lo, hi].
inline torch::ModelSchema simpleSchema(std::vector<torch::TensorSpec> inputs, double lo = -100,
                                       double hi = 100, std::size_t outputs = 1)
{
    torch::ModelSchema schema;
    schema.modelId = "test-model";
    schema.version = "1";
    schema.inputs = std::move(inputs);
    schema.outputs = {{"y", outputs, lo, hi}};
    return schema;
}

/// Saves `forward` (TorchScript source) as model.pt in `dir` with `schema` beside it.
inline std::filesystem::path writeModel(const std::filesystem::path& dir, const std::string& name,
                                        const std::string& source, const torch::ModelSchema& schema,
                                        std::vector<std::pair<std::string, std::string>> extra = {})
{
    const std::filesystem::path model = dir / (name + ".pt");
    const auto saved = torch::saveTorchScriptSource(model, source, extra);
    if (!saved)
        qWarning("%s", saved.error().toString().c_str());
    writeTextFile(torch::schemaPathFor(model), schema.toJson());
    return model;
}

} // namespace twindesk::test
