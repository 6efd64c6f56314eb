#include <twindesk/torch/model_schema.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <sstream>
#include <system_error>

namespace twindesk::torch {

using twin::ErrorCode;
using twin::makeError;

namespace {

using Json = nlohmann::json;

twin::Error schemaError(const std::filesystem::path& file, const std::string& path,
                        const std::string& what)
{
    return makeError(ErrorCode::ParseError,
                     path + ": " + what + " (see docs/torch.md for the model schema)",
                     file.string());
}

std::string typeName(const Json& j)
{
    return j.type_name();
}

twin::Result<std::string> requireString(const Json& object, const char* key,
                                        const std::string& path, const std::filesystem::path& file,
                                        bool allowEmpty = false)
{
    const std::string at = path + "." + key;
    if (!object.contains(key))
        return schemaError(file, at, "missing; expected a string");
    const Json& v = object.at(key);
    if (!v.is_string())
        return schemaError(file, at, "expected a string, got " + typeName(v));
    std::string s = v.get<std::string>();
    if (s.empty() && !allowEmpty)
        return schemaError(file, at, "must not be empty");
    return s;
}

twin::Result<double> requireNumber(const Json& object, const char* key, const std::string& path,
                                   const std::filesystem::path& file)
{
    const std::string at = path + "." + key;
    if (!object.contains(key))
        return schemaError(file, at, "missing; expected a number");
    const Json& v = object.at(key);
    if (!v.is_number())
        return schemaError(file, at, "expected a number, got " + typeName(v));
    const double d = v.get<double>();
    if (!std::isfinite(d))
        return schemaError(file, at, "expected a finite number");
    return d;
}

twin::Result<std::vector<TensorSpec>> parseSpecs(const Json& root, const char* key,
                                                 const std::filesystem::path& file)
{
    const std::string at = std::string("$.") + key;
    if (!root.contains(key))
        return schemaError(file, at,
                           "missing; expected a non-empty array of {name, count, min, max}");
    const Json& array = root.at(key);
    if (!array.is_array() || array.empty())
        return schemaError(file, at, "expected a non-empty array of {name, count, min, max}");
    std::vector<TensorSpec> specs;
    for (std::size_t i = 0; i < array.size(); ++i) {
        const std::string item = at + "[" + std::to_string(i) + "]";
        const Json& e = array[i];
        if (!e.is_object())
            return schemaError(file, item, "expected an object, got " + typeName(e));
        TensorSpec spec;
        auto name = requireString(e, "name", item, file);
        if (!name)
            return name.error();
        spec.name = *name;
        for (const TensorSpec& other : specs)
            if (other.name == spec.name)
                return schemaError(file, item + ".name", "duplicate name '" + spec.name + "'");
        if (!e.contains("count"))
            return schemaError(file, item + ".count", "missing; expected a positive integer");
        const Json& count = e.at("count");
        if (!count.is_number_integer() || count.get<std::int64_t>() < 1 ||
            count.get<std::int64_t>() > 1'000'000)
            return schemaError(file, item + ".count",
                               "expected an integer in 1..1000000, got " + count.dump());
        spec.count = count.get<std::size_t>();
        auto lo = requireNumber(e, "min", item, file);
        if (!lo)
            return lo.error();
        auto hi = requireNumber(e, "max", item, file);
        if (!hi)
            return hi.error();
        if (*hi < *lo)
            return schemaError(file, item + ".max",
                               "max " + std::to_string(*hi) + " is below min " +
                                   std::to_string(*lo));
        spec.min = *lo;
        spec.max = *hi;
        specs.push_back(std::move(spec));
    }
    return specs;
}

nlohmann::ordered_json specsJson(const std::vector<TensorSpec>& specs)
{
    nlohmann::ordered_json array = nlohmann::ordered_json::array();
    for (const TensorSpec& s : specs) {
        nlohmann::ordered_json e;
        e["name"] = s.name;
        e["count"] = s.count;
        e["min"] = s.min;
        e["max"] = s.max;
        array.push_back(e);
    }
    return array;
}

} // namespace

std::size_t ModelSchema::inputCount() const
{
    std::size_t n = 0;
    for (const TensorSpec& s : inputs)
        n += s.count;
    return n;
}

std::size_t ModelSchema::outputCount() const
{
    std::size_t n = 0;
    for (const TensorSpec& s : outputs)
        n += s.count;
    return n;
}

const TensorSpec* ModelSchema::input(std::string_view name) const
{
    for (const TensorSpec& s : inputs)
        if (s.name == name)
            return &s;
    return nullptr;
}

twin::Result<ModelSchema> ModelSchema::parse(std::string_view text,
                                             const std::filesystem::path& file)
{
    Json root;
    try {
        root = Json::parse(text.begin(), text.end());
    } catch (const Json::parse_error& e) {
        return makeError(ErrorCode::ParseError,
                         std::string("not valid JSON (") + e.what() +
                             "); the schema is the JSON file TwinDesk writes beside the model",
                         file.string());
    }
    try {
        if (!root.is_object())
            return schemaError(file, "$", "expected an object, got " + typeName(root));
        ModelSchema schema;
        if (!root.contains("schema_version"))
            return schemaError(file, "$.schema_version", "missing; expected 1");
        const Json& version = root.at("schema_version");
        if (!version.is_number_integer() || version.get<std::int64_t>() < 1)
            return schemaError(file, "$.schema_version",
                               "expected a positive integer, got " + version.dump());
        if (version.get<std::int64_t>() > kModelSchemaVersion)
            return makeError(ErrorCode::SchemaTooNew,
                             "$.schema_version: " + version.dump() +
                                 " is newer than this TwinDesk reads (" +
                                 std::to_string(kModelSchemaVersion) + "); update TwinDesk",
                             file.string());
        schema.schemaVersion = version.get<int>();
        auto id = requireString(root, "model_id", "$", file);
        if (!id)
            return id.error();
        schema.modelId = *id;
        auto modelVersion = requireString(root, "version", "$", file);
        if (!modelVersion)
            return modelVersion.error();
        schema.version = *modelVersion;
        if (root.contains("description")) {
            auto d = requireString(root, "description", "$", file, true);
            if (!d)
                return d.error();
            schema.description = *d;
        }
        auto inputs = parseSpecs(root, "inputs", file);
        if (!inputs)
            return inputs.error();
        schema.inputs = std::move(*inputs);
        auto outputs = parseSpecs(root, "outputs", file);
        if (!outputs)
            return outputs.error();
        schema.outputs = std::move(*outputs);
        if (root.contains("training")) {
            const Json& training = root.at("training");
            if (!training.is_object())
                return schemaError(file, "$.training",
                                   "expected an object, got " + typeName(training));
            if (training.contains("data_sha256")) {
                auto hash = requireString(training, "data_sha256", "$.training", file, true);
                if (!hash)
                    return hash.error();
                const bool hex = hash->find_first_not_of("0123456789abcdef") == std::string::npos;
                if (!hash->empty() && (hash->size() != 64 || !hex))
                    return schemaError(file, "$.training.data_sha256",
                                       "expected 64 lower-case hex digits, got '" + *hash + "'");
                schema.trainingDataSha256 = *hash;
            }
            // Keep the stored key order (nlohmann::json would sort the keys).
            schema.trainingJson =
                nlohmann::ordered_json::parse(text.begin(), text.end())["training"].dump();
        }
        return schema;
    } catch (const std::exception& e) {
        // nlohmann type errors should be unreachable after the checks above; never let them out
        return schemaError(file, "$", std::string("unexpected content: ") + e.what());
    }
}

twin::Result<ModelSchema> ModelSchema::read(const std::filesystem::path& file)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec))
        return makeError(ErrorCode::NotFound,
                         "model schema not found: every model needs its JSON schema beside it "
                         "(model.pt → model.json)",
                         file.string());
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return makeError(ErrorCode::IoError, "cannot open the model schema for reading",
                         file.string());
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad())
        return makeError(ErrorCode::IoError, "cannot read the model schema", file.string());
    return parse(text.str(), file);
}

std::string ModelSchema::toJson() const
{
    nlohmann::ordered_json j;
    j["schema_version"] = schemaVersion;
    j["model_id"] = modelId;
    j["version"] = version;
    j["description"] = description;
    j["inputs"] = specsJson(inputs);
    j["outputs"] = specsJson(outputs);
    // The hash first, then the rest of "training" in its stored order.
    nlohmann::ordered_json training;
    training["data_sha256"] = trainingDataSha256;
    const nlohmann::ordered_json rest = nlohmann::ordered_json::parse(trainingJson, nullptr, false);
    if (!rest.is_discarded() && rest.is_object())
        for (const auto& [key, value] : rest.items())
            if (key != "data_sha256")
                training[key] = value;
    j["training"] = training;
    return j.dump(2) + "\n";
}

std::filesystem::path schemaPathFor(const std::filesystem::path& model)
{
    std::filesystem::path p = model;
    p.replace_extension(".json");
    return p;
}

} // namespace twindesk::torch
