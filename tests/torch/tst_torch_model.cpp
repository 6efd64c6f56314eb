// TorchModel: loading a TorchScript model with its schema, guarded prediction (NaN, ±inf, out of
// range rejected with the output and value named), and clear errors naming the file for a
// missing model, a missing or malformed schema, a corrupt .pt and a shape mismatch.
#include "test_registry.h"
#include "torch_test_util.h"

#include <twindesk/torch/model_schema.h>
#include <twindesk/torch/torch_model.h>

#include <QTemporaryDir>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace twindesk;
using namespace twindesk::torch;
using twindesk::test::simpleSchema;
using twindesk::test::writeModel;
using twindesk::test::writeTextFile;

namespace {

constexpr const char* kSum = R"(
def forward(self, x: Tensor) -> Tensor:
    return x.sum(dim=1, keepdim=True) * 0.5
)";

std::filesystem::path dirOf(const QTemporaryDir& dir)
{
    return std::filesystem::path(dir.path().toStdString());
}

ModelSchema sumSchema(double lo = -100, double hi = 100)
{
    return simpleSchema({{"a", 3, 0.0, 1.0}, {"b", 1, 0.0, 10.0}}, lo, hi);
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

} // namespace

class TestTorchModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void loadAndPredict()
    {
        QTemporaryDir dir;
        const auto model = writeModel(dirOf(dir), "sum", kSum, sumSchema());
        auto loaded = TorchModel::load(model);
        QVERIFY2(loaded.ok(), loaded ? "" : loaded.error().toString().c_str());
        QCOMPARE(loaded->schema().inputCount(), std::size_t{4});
        QCOMPARE(loaded->schema().outputCount(), std::size_t{1});
        QCOMPARE(loaded->schema().modelId, std::string("test-model"));
        const std::vector<float> input{0.2F, 0.4F, 0.6F, 2.0F};
        auto out = loaded->predict(input);
        QVERIFY2(out.ok(), out ? "" : out.error().toString().c_str());
        QCOMPARE(out->size(), std::size_t{1});
        QVERIFY(std::abs((*out)[0] - 1.6F) < 1e-6F);
        // Deterministic: the same input, bit-identical output.
        for (int i = 0; i < 20; ++i)
            QCOMPARE(loaded->predict(input).value()[0], (*out)[0]);
        // A copy shares the module.
        const TorchModel copy = *loaded;
        QCOMPARE(copy.predict(input).value()[0], (*out)[0]);
    }

    void rejectsBadInputs()
    {
        QTemporaryDir dir;
        const auto model = writeModel(dirOf(dir), "sum", kSum, sumSchema());
        auto loaded = TorchModel::load(model);
        QVERIFY(loaded.ok());
        auto wrongCount = loaded->predict(std::vector<float>{0.1F, 0.2F});
        QVERIFY(!wrongCount.ok());
        QVERIFY(contains(wrongCount.error().message, "expects 4 input values, got 2"));
        auto outside = loaded->predict(std::vector<float>{0.1F, 1.5F, 0.2F, 1.0F});
        QVERIFY(!outside.ok());
        QVERIFY2(contains(outside.error().message, "input 'a'[1] = 1.5"),
                 outside.error().message.c_str());
        QCOMPARE(outside.error().where, model.string());
        auto nan = loaded->predict(
            std::vector<float>{0.1F, 0.2F, 0.3F, std::numeric_limits<float>::quiet_NaN()});
        QVERIFY(!nan.ok());
        QVERIFY(contains(nan.error().message, "input 'b' = NaN"));
    }

    void nanOutputRejected()
    {
        QTemporaryDir dir;
        const auto model = writeModel(dirOf(dir), "nan", R"(
def forward(self, x: Tensor) -> Tensor:
    return x.sum(dim=1, keepdim=True) * float('nan')
)",
                                      sumSchema());
        auto loaded = TorchModel::load(model); // the probe's value is not judged
        QVERIFY2(loaded.ok(), loaded ? "" : loaded.error().toString().c_str());
        auto out = loaded->predict(std::vector<float>{0.1F, 0.2F, 0.3F, 1.0F});
        QVERIFY(!out.ok());
        QVERIFY2(contains(out.error().message, "output 'y' is NaN"), out.error().message.c_str());
        QCOMPARE(out.error().where, model.string());
    }

    void infiniteOutputRejected()
    {
        QTemporaryDir dir;
        const auto model = writeModel(dirOf(dir), "inf", R"(
def forward(self, x: Tensor) -> Tensor:
    return x.sum(dim=1, keepdim=True) * float('-inf')
)",
                                      sumSchema());
        auto loaded = TorchModel::load(model);
        QVERIFY(loaded.ok());
        auto out = loaded->predict(std::vector<float>{0.1F, 0.2F, 0.3F, 1.0F});
        QVERIFY(!out.ok());
        QVERIFY2(contains(out.error().message, "output 'y' is -inf"), out.error().message.c_str());
    }

    void outOfRangeRejected()
    {
        QTemporaryDir dir;
        const auto model = writeModel(dirOf(dir), "big", R"(
def forward(self, x: Tensor) -> Tensor:
    return x.sum(dim=1, keepdim=True) * 0.0 + 1000.0
)",
                                      sumSchema(-1.0, 10.0));
        auto loaded = TorchModel::load(model);
        QVERIFY(loaded.ok());
        auto out = loaded->predict(std::vector<float>{0.1F, 0.2F, 0.3F, 1.0F});
        QVERIFY(!out.ok());
        QVERIFY2(contains(out.error().message, "output 'y' = 1000 is outside its declared range "
                                               "[-1, 10]"),
                 out.error().message.c_str());
    }

    void missingModel()
    {
        QTemporaryDir dir;
        const auto model = dirOf(dir) / "nowhere.pt";
        auto loaded = TorchModel::load(model);
        QVERIFY(!loaded.ok());
        QCOMPARE(loaded.error().code, twin::ErrorCode::NotFound);
        QCOMPARE(loaded.error().where, model.string());
        QVERIFY(contains(loaded.error().message, "model file not found"));
    }

    void missingSchema()
    {
        QTemporaryDir dir;
        const auto model = writeModel(dirOf(dir), "sum", kSum, sumSchema());
        std::filesystem::remove(schemaPathFor(model));
        auto loaded = TorchModel::load(model);
        QVERIFY(!loaded.ok());
        QCOMPARE(loaded.error().code, twin::ErrorCode::NotFound);
        QCOMPARE(loaded.error().where, (dirOf(dir) / "sum.json").string());
        QVERIFY(contains(loaded.error().message, "schema not found"));
    }

    void malformedSchema()
    {
        QTemporaryDir dir;
        const auto model = writeModel(dirOf(dir), "sum", kSum, sumSchema());
        const auto schemaFile = schemaPathFor(model);

        writeTextFile(schemaFile, "{ \"schema_version\": 1, ");
        auto truncated = TorchModel::load(model);
        QVERIFY(!truncated.ok());
        QCOMPARE(truncated.error().code, twin::ErrorCode::ParseError);
        QCOMPARE(truncated.error().where, schemaFile.string());
        QVERIFY(contains(truncated.error().message, "not valid JSON"));

        std::string text = sumSchema().toJson();
        text.replace(text.find("\"count\": 3"), 10, "\"count\": \"three\"");
        writeTextFile(schemaFile, text);
        auto badCount = TorchModel::load(model);
        QVERIFY(!badCount.ok());
        QCOMPARE(badCount.error().where, schemaFile.string());
        QVERIFY2(contains(badCount.error().message, "$.inputs[0].count: expected an integer"),
                 badCount.error().message.c_str());

        writeTextFile(schemaFile, R"({"schema_version": 1, "model_id": "m", "version": "1",
            "inputs": [{"name": "a", "count": 1, "min": 2, "max": 1}],
            "outputs": [{"name": "y", "count": 1, "min": 0, "max": 1}]})");
        auto badRange = TorchModel::load(model);
        QVERIFY(!badRange.ok());
        QVERIFY2(contains(badRange.error().message, "$.inputs[0].max: max 1"),
                 badRange.error().message.c_str());

        writeTextFile(schemaFile, R"({"schema_version": 1, "model_id": "m", "version": "1",
            "inputs": [{"name": "a", "count": 1, "min": 0, "max": 1}]})");
        auto noOutputs = TorchModel::load(model);
        QVERIFY(!noOutputs.ok());
        QVERIFY(contains(noOutputs.error().message, "$.outputs: missing"));

        writeTextFile(schemaFile, R"({"schema_version": 7, "model_id": "m", "version": "1"})");
        auto tooNew = TorchModel::load(model);
        QVERIFY(!tooNew.ok());
        QCOMPARE(tooNew.error().code, twin::ErrorCode::SchemaTooNew);
    }

    void corruptModel()
    {
        QTemporaryDir dir;
        const auto good = writeModel(dirOf(dir), "sum", kSum, sumSchema());
        const std::string bytes = twindesk::test::readBytes(good);
        QVERIFY(bytes.size() > 100);

        // Random bytes (fixed seed).
        const auto random = dirOf(dir) / "random.pt";
        std::mt19937_64 rng(42);
        std::string noise(4096, '\0');
        for (char& c : noise)
            c = static_cast<char>(rng() & 0xFF);
        writeTextFile(random, noise);
        writeTextFile(schemaPathFor(random), sumSchema().toJson());
        auto fromNoise = TorchModel::load(random);
        QVERIFY(!fromNoise.ok());
        QCOMPARE(fromNoise.error().code, twin::ErrorCode::CorruptFile);
        QCOMPARE(fromNoise.error().where, random.string());
        QVERIFY(contains(fromNoise.error().message, "not a loadable TorchScript model"));

        // Truncated at several lengths; an empty file.
        for (const std::size_t length : {bytes.size() / 2, bytes.size() - 10, std::size_t{0}}) {
            const auto cut = dirOf(dir) / ("cut" + std::to_string(length) + ".pt");
            writeTextFile(cut, bytes.substr(0, length));
            writeTextFile(schemaPathFor(cut), sumSchema().toJson());
            auto loaded = TorchModel::load(cut);
            QVERIFY2(!loaded.ok(), ("truncated to " + std::to_string(length)).c_str());
            QCOMPARE(loaded.error().where, cut.string());
        }
    }

    void shapeMismatch()
    {
        QTemporaryDir dir;
        // The schema declares two outputs; the model returns one value.
        const auto twoOut =
            writeModel(dirOf(dir), "two", kSum,
                       simpleSchema({{"a", 3, 0.0, 1.0}, {"b", 1, 0.0, 10.0}}, -100, 100, 2));
        auto loaded = TorchModel::load(twoOut);
        QVERIFY(!loaded.ok());
        QCOMPARE(loaded.error().where, twoOut.string());
        QVERIFY2(contains(loaded.error().message, "shape mismatch: the model returns 1 values"),
                 loaded.error().message.c_str());

        // The model needs 5 inputs (a [5, 1] weight); the schema declares 4.
        const auto wide = writeModel(dirOf(dir), "wide", R"(
def forward(self, x: Tensor) -> Tensor:
    return torch.mm(x, torch.ones(5, 1))
)",
                                     sumSchema());
        auto narrow = TorchModel::load(wide);
        QVERIFY(!narrow.ok());
        QVERIFY2(contains(narrow.error().message, "shape mismatch with the schema"),
                 narrow.error().message.c_str());
    }

    void metadataMustMatchSchema()
    {
        QTemporaryDir dir;
        const std::string metadata =
            R"({"model_id": "test-model", "version": "2", "training_data_sha256": ""})";
        const auto model =
            writeModel(dirOf(dir), "meta", kSum, sumSchema(), {{kMetadataExtraFile, metadata}});
        auto loaded = TorchModel::load(model);
        QVERIFY(!loaded.ok());
        QVERIFY2(contains(loaded.error().message, "version = '2' but its schema"),
                 loaded.error().message.c_str());
        auto extra = readTorchScriptExtraFile(model, kMetadataExtraFile);
        QVERIFY(extra.ok());
        QCOMPARE(*extra, metadata);
        auto absent = readTorchScriptExtraFile(model, "other.json");
        QVERIFY(absent.ok());
        QVERIFY(absent->empty());
    }

    void schemaRoundTrip()
    {
        ModelSchema schema = sumSchema();
        schema.trainingDataSha256 = std::string(64, 'a');
        schema.trainingJson = R"({"samples": 12})";
        auto back = ModelSchema::parse(schema.toJson(), "x.json");
        QVERIFY2(back.ok(), back ? "" : back.error().toString().c_str());
        QCOMPARE(back->toJson(), schema.toJson());
        QCOMPARE(back->trainingDataSha256, schema.trainingDataSha256);
        QCOMPARE(schemaPathFor("dir/model.pt"), std::filesystem::path("dir/model.json"));
    }
};

TWINDESK_TEST(TestTorchModel)
#include "tst_torch_model.moc"
