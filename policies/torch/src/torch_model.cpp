// TorchModel: TorchScript loading and guarded inference. One of the two translation units that
// include LibTorch headers (the other is forecaster_training.cpp).
#include "torch_message.h"

#include <twindesk/torch/torch_model.h>

#include <nlohmann/json.hpp>
#include <torch/script.h>

#include <ATen/Parallel.h>
#include <cmath>
#include <cstring>
#include <sstream>
#include <system_error>

namespace twindesk::torch {

using twin::ErrorCode;
using twin::makeError;

struct TorchModel::Impl
{
    std::filesystem::path file;
    ModelSchema schema;
    std::string metadata;
    // forward() is not const in LibTorch; inference does not change the module.
    mutable ::torch::jit::Module module;
};

namespace {

using detail::torchMessage;

std::string formatValue(double v)
{
    if (std::isnan(v))
        return "NaN";
    if (std::isinf(v))
        return v > 0 ? "+inf" : "-inf";
    std::ostringstream s;
    s.precision(9);
    s << v;
    return s.str();
}

std::string rangeText(const TensorSpec& spec)
{
    return "[" + formatValue(spec.min) + ", " + formatValue(spec.max) + "]";
}

/// "output 'utilisation'" or "output 'utilisation'[3]" for a slice of several values.
std::string valueName(const char* kind, const TensorSpec& spec, std::size_t index)
{
    std::string s = std::string(kind) + " '" + spec.name + "'";
    if (spec.count > 1)
        s += "[" + std::to_string(index) + "]";
    return s;
}

/// Runs forward on a [1, n] float tensor; the flat float output, or an Error.
twin::Result<std::vector<float>> runForward(::torch::jit::Module& module,
                                            std::span<const float> input,
                                            const std::filesystem::path& file)
{
    try {
        const ::torch::NoGradGuard noGrad;
        const c10::InferenceMode inference; // no autograd or version-counter bookkeeping
        // Own copy of the input: the caller's buffer is const and the model must not see it.
        at::Tensor x = at::empty({1, static_cast<std::int64_t>(input.size())}, at::kFloat);
        std::memcpy(x.data_ptr<float>(), input.data(), input.size() * sizeof(float));
        std::vector<c10::IValue> args;
        args.emplace_back(std::move(x));
        const c10::IValue result = module.forward(args);
        if (!result.isTensor())
            return makeError(ErrorCode::InvalidArgument,
                             "the model's forward() returned a " + result.tagKind() +
                                 ", expected a tensor",
                             file.string());
        at::Tensor y = result.toTensor();
        if (y.is_complex() || !y.is_floating_point())
            return makeError(ErrorCode::InvalidArgument,
                             std::string("the model's forward() returned a tensor of ") +
                                 std::string(c10::toString(y.scalar_type())) +
                                 ", expected floating point",
                             file.string());
        y = y.to(at::kFloat).contiguous();
        const float* data = y.data_ptr<float>();
        return std::vector<float>(data, data + y.numel());
    } catch (const std::exception& e) {
        return makeError(ErrorCode::InvalidArgument,
                         "the model failed on an input of shape [1, " +
                             std::to_string(input.size()) + "]: " + torchMessage(e),
                         file.string());
    }
}

/// The metadata stored in the .pt must describe the same model as the schema beside it.
twin::Status checkMetadata(const std::string& metadata, const ModelSchema& schema,
                           const std::filesystem::path& model,
                           const std::filesystem::path& schemaFile)
{
    const nlohmann::json j = nlohmann::json::parse(metadata, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return makeError(ErrorCode::CorruptFile,
                         std::string("the model's embedded ") + kMetadataExtraFile +
                             " is not a JSON object",
                         model.string());
    const auto field = [&](const char* key) {
        return j.contains(key) && j.at(key).is_string() ? j.at(key).get<std::string>()
                                                        : std::string();
    };
    const std::pair<const char*, const std::string*> pairs[] = {
        {"model_id", &schema.modelId},
        {"version", &schema.version},
        {"training_data_sha256", &schema.trainingDataSha256},
    };
    for (const auto& [key, expected] : pairs) {
        const std::string actual = field(key);
        if (actual != *expected)
            return makeError(ErrorCode::CorruptFile,
                             std::string("the model says ") + key + " = '" + actual +
                                 "' but its schema " + schemaFile.string() + " says '" + *expected +
                                 "': the two files do not belong together (copy both from the "
                                 "same training run)",
                             model.string());
    }
    return {};
}

} // namespace

TorchModel::TorchModel(std::shared_ptr<Impl> impl) : m_impl(std::move(impl)) {}

const ModelSchema& TorchModel::schema() const
{
    return m_impl->schema;
}

const std::filesystem::path& TorchModel::file() const
{
    return m_impl->file;
}

const std::string& TorchModel::metadataJson() const
{
    return m_impl->metadata;
}

twin::Result<TorchModel> TorchModel::load(const std::filesystem::path& model)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(model, ec))
        return makeError(ErrorCode::NotFound,
                         "model file not found (train one with `twindesk train forecaster`, or "
                         "use assets/models/host-forecaster.pt)",
                         model.string());
    const std::filesystem::path schemaFile = schemaPathFor(model);
    auto schema = ModelSchema::read(schemaFile);
    if (!schema)
        return schema.error();

    // Inference is single-threaded: deterministic and fastest for one sample.
    at::set_num_threads(1);
    auto impl = std::make_shared<Impl>();
    impl->file = model;
    impl->schema = std::move(*schema);
    try {
        ::torch::jit::ExtraFilesMap extra{{kMetadataExtraFile, ""}};
        impl->module = ::torch::jit::load(model.string(), c10::Device(c10::kCPU), extra);
        impl->module.eval();
        impl->metadata = extra[kMetadataExtraFile];
        if (!impl->module.find_method("forward"))
            return makeError(ErrorCode::CorruptFile, "the TorchScript module has no forward()",
                             model.string());
    } catch (const std::exception& e) {
        return makeError(ErrorCode::CorruptFile,
                         "not a loadable TorchScript model (" + torchMessage(e) +
                             "); the file may be truncated or not a model saved by "
                             "torch::jit / torch.jit.save",
                         model.string());
    }
    if (!impl->metadata.empty()) {
        if (auto ok = checkMetadata(impl->metadata, impl->schema, model, schemaFile); !ok)
            return ok.error();
    }

    // Probe: the schema's input shape must run and give the schema's output count. A few
    // passes also let the profiling executor settle before latency matters.
    std::vector<float> probe;
    for (const TensorSpec& spec : impl->schema.inputs)
        probe.insert(probe.end(), spec.count, static_cast<float>(spec.min));
    for (int pass = 0; pass < 3; ++pass) {
        auto out = runForward(impl->module, probe, model);
        if (!out)
            return makeError(ErrorCode::InvalidArgument,
                             "shape mismatch with the schema " + schemaFile.string() + " (" +
                                 std::to_string(probe.size()) +
                                 " inputs declared): " + out.error().message,
                             model.string());
        if (out->size() != impl->schema.outputCount())
            return makeError(ErrorCode::InvalidArgument,
                             "shape mismatch: the model returns " + std::to_string(out->size()) +
                                 " values but its schema " + schemaFile.string() + " declares " +
                                 std::to_string(impl->schema.outputCount()) + " outputs",
                             model.string());
    }
    return TorchModel(std::move(impl));
}

twin::Result<std::vector<float>> TorchModel::predict(std::span<const float> input) const
{
    const ModelSchema& schema = m_impl->schema;
    if (input.size() != schema.inputCount())
        return makeError(ErrorCode::InvalidArgument,
                         "the model expects " + std::to_string(schema.inputCount()) +
                             " input values, got " + std::to_string(input.size()),
                         m_impl->file.string());
    std::size_t at = 0;
    for (const TensorSpec& spec : schema.inputs) {
        for (std::size_t i = 0; i < spec.count; ++i, ++at) {
            const double v = input[at];
            if (!(v >= spec.min && v <= spec.max))
                return makeError(ErrorCode::InvalidArgument,
                                 valueName("input", spec, i) + " = " + formatValue(v) +
                                     " is outside the model's declared range " + rangeText(spec),
                                 m_impl->file.string());
        }
    }
    auto out = runForward(m_impl->module, input, m_impl->file);
    if (!out)
        return out.error();
    if (out->size() != schema.outputCount())
        return makeError(ErrorCode::InvalidArgument,
                         "the model returned " + std::to_string(out->size()) +
                             " values, its schema declares " + std::to_string(schema.outputCount()),
                         m_impl->file.string());
    at = 0;
    for (const TensorSpec& spec : schema.outputs) {
        for (std::size_t i = 0; i < spec.count; ++i, ++at) {
            const double v = (*out)[at];
            if (std::isnan(v) || std::isinf(v))
                return makeError(ErrorCode::InvalidArgument,
                                 valueName("output", spec, i) + " is " + formatValue(v) +
                                     " (not a finite number): rejected",
                                 m_impl->file.string());
            if (v < spec.min || v > spec.max)
                return makeError(ErrorCode::InvalidArgument,
                                 valueName("output", spec, i) + " = " + formatValue(v) +
                                     " is outside its declared range " + rangeText(spec) +
                                     ": rejected",
                                 m_impl->file.string());
        }
    }
    return out;
}

twin::Result<std::string> readTorchScriptExtraFile(const std::filesystem::path& model,
                                                   const std::string& name)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(model, ec))
        return makeError(ErrorCode::NotFound, "model file not found", model.string());
    try {
        ::torch::jit::ExtraFilesMap extra{{name, ""}};
        (void)::torch::jit::load(model.string(), c10::Device(c10::kCPU), extra);
        return extra[name];
    } catch (const std::exception& e) {
        return makeError(ErrorCode::CorruptFile,
                         "not a loadable TorchScript model (" + torchMessage(e) + ")",
                         model.string());
    }
}

twin::Status
saveTorchScriptSource(const std::filesystem::path& file, const std::string& source,
                      const std::vector<std::pair<std::string, std::string>>& extraFiles)
{
    try {
        ::torch::jit::Module module(c10::QualifiedName("__torch__.twindesk.ScriptModel"));
        module.define(source);
        ::torch::jit::ExtraFilesMap extra;
        for (const auto& [name, text] : extraFiles)
            extra[name] = text;
        module.save(file.string(), extra);
    } catch (const std::exception& e) {
        return makeError(ErrorCode::InvalidArgument,
                         "cannot compile or save the TorchScript source: " + torchMessage(e),
                         file.string());
    }
    return {};
}

} // namespace twindesk::torch
