// The host forecaster: deterministic training (bit-identical weights and outputs for the same
// data and options), the TorchScript file carrying version and data hash, inference through
// TorchModel matching the plain-C++ forward pass, the training-data hash, and simulated history
// on a small PlanetLab cluster.
#include "test_registry.h"
#include "torch_test_util.h"

#include <twindesk/sim/compute.h>
#include <twindesk/torch/forecaster.h>
#include <twindesk/torch/model_schema.h>
#include <twindesk/torch/torch_model.h>
#include <twindesk/torch/torch_predictor.h>

#include <QTemporaryDir>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

using namespace twindesk;
using namespace twindesk::torch;

namespace {

std::filesystem::path dirOf(const QTemporaryDir& dir)
{
    return std::filesystem::path(dir.path().toStdString());
}

std::filesystem::path planetLabDay(const char* day)
{
    return std::filesystem::path(TWINDESK_ANCHORS_DIR) / "planetlab" / day;
}

/// 600 rows of smooth synthetic host histories (k = 12) and horizons 1..3; the target continues
/// each series. Deterministic, no randomness.
ForecastDataset tinyDataset()
{
    ForecastDataset data;
    data.historyLength = 12;
    for (int r = 0; r < 200; ++r) {
        const double level = 0.2 + 0.6 * ((r * 37) % 100) / 100.0;
        const double slope = 0.01 * ((r * 13) % 7 - 3);
        for (int horizon = 1; horizon <= 3; ++horizon) {
            for (int i = 0; i < 12; ++i) // newest first: age i
                data.inputs.push_back(static_cast<float>(level - slope * i));
            data.inputs.push_back(static_cast<float>(horizon));
            data.targets.push_back(static_cast<float>(level + slope * horizon));
        }
    }
    return data;
}

ForecasterOptions tinyOptions()
{
    ForecasterOptions o;
    o.historyLength = 12;
    o.hiddenUnits = 8;
    o.epochs = 3;
    o.batchSize = 32;
    o.seed = 7;
    return o;
}

std::vector<float> fixedInput()
{
    std::vector<float> x;
    for (int i = 0; i < 12; ++i)
        x.push_back(0.5F + 0.01F * static_cast<float>(i));
    x.push_back(1.0F);
    return x;
}

} // namespace

class TestForecaster : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void trainingIsDeterministic()
    {
        const ForecastDataset data = tinyDataset();
        TrainingReport first;
        TrainingReport second;
        auto a = trainForecaster(data, tinyOptions(), &first);
        auto b = trainForecaster(data, tinyOptions(), &second);
        QVERIFY2(a.ok(), a ? "" : a.error().toString().c_str());
        QVERIFY(b.ok());
        QVERIFY(*a == *b); // bit-identical weights
        QCOMPARE(first.epochLoss, second.epochLoss);
        QCOMPARE(first.epochLoss.size(), std::size_t{3});
        QVERIFY(first.epochLoss.back() < first.epochLoss.front());
        const std::vector<float> x = fixedInput();
        QCOMPARE(forecastWithWeights(*a, x), forecastWithWeights(*b, x));

        ForecasterOptions other = tinyOptions();
        other.seed = 8;
        auto c = trainForecaster(data, other);
        QVERIFY(c.ok());
        QVERIFY(!(*c == *a));
    }

    void trainingRejectsBadInput()
    {
        ForecastDataset empty;
        empty.historyLength = 12;
        QVERIFY(!trainForecaster(empty, tinyOptions()).ok());
        ForecasterOptions wrong = tinyOptions();
        wrong.historyLength = 10;
        auto mismatch = trainForecaster(tinyDataset(), wrong);
        QVERIFY(!mismatch.ok());
        QVERIFY(mismatch.error().message.find("histories of 12") != std::string::npos);
        ForecasterOptions quantile = tinyOptions();
        quantile.quantile = 1.0;
        QVERIFY(!trainForecaster(tinyDataset(), quantile).ok());
    }

    void savedModelCarriesVersionAndHash()
    {
        QTemporaryDir dir;
        const ForecastDataset data = tinyDataset();
        ForecasterOptions options = tinyOptions();
        options.version = "3";
        auto weights = trainForecaster(data, options);
        QVERIFY(weights.ok());
        ForecasterProvenance provenance;
        provenance.dataSha256 = std::string(64, 'c');
        provenance.trainDays = {"synthetic"};
        provenance.samples = data.rows();
        provenance.policy = "none";
        const auto file = dirOf(dir) / "forecaster.pt";
        auto saved = saveForecaster(*weights, options, provenance, file);
        QVERIFY2(saved.ok(), saved ? "" : saved.error().toString().c_str());
        QVERIFY(std::filesystem::exists(schemaPathFor(file)));

        // The .pt itself carries id, version and data hash (torch::jit::load's extra files).
        auto metadata = readTorchScriptExtraFile(file, kMetadataExtraFile);
        QVERIFY2(metadata.ok(), metadata ? "" : metadata.error().toString().c_str());
        const auto j = nlohmann::json::parse(*metadata);
        QCOMPARE(j.at("model_id").get<std::string>(), std::string("host-forecaster"));
        QCOMPARE(j.at("version").get<std::string>(), std::string("3"));
        QCOMPARE(j.at("training_data_sha256").get<std::string>(), std::string(64, 'c'));
        QCOMPARE(j.at("options").at("seed").get<int>(), 7);
        QVERIFY(!j.contains("date"));

        // Inference through TorchModel ≈ the plain C++ forward; bit-identical across loads.
        auto model = TorchModel::load(file);
        QVERIFY2(model.ok(), model ? "" : model.error().toString().c_str());
        QCOMPARE(model->schema().version, std::string("3"));
        QCOMPARE(model->schema().trainingDataSha256, std::string(64, 'c'));
        const std::vector<float> x = fixedInput();
        auto y = model->predict(x);
        QVERIFY2(y.ok(), y ? "" : y.error().toString().c_str());
        QVERIFY(std::abs((*y)[0] - forecastWithWeights(*weights, x)) < 1e-5F);
        auto again = TorchModel::load(file);
        QVERIFY(again.ok());
        QCOMPARE(again->predict(x).value()[0], (*y)[0]);

        // The same weights saved again give the same bytes (no dates, no random ids). The
        // archive's inner folder is named after the file, so save under the same name.
        std::filesystem::create_directories(dirOf(dir) / "again");
        const auto file2 = dirOf(dir) / "again" / "forecaster.pt";
        QVERIFY(saveForecaster(*weights, options, provenance, file2).ok());
        QVERIFY(twindesk::test::readBytes(file) == twindesk::test::readBytes(file2));
        QCOMPARE(twindesk::test::readBytes(schemaPathFor(file)),
                 twindesk::test::readBytes(schemaPathFor(file2)));

        // The predictor over it.
        auto predictor = TorchUtilisationPredictor::load(file);
        QVERIFY(predictor.ok());
        QCOMPARE((*predictor)->minimumHistory(), std::size_t{12});
        QCOMPARE((*predictor)->identity(), std::string("host-forecaster 3 cccccccccccc"));
    }

    void trainingDataHash()
    {
        QTemporaryDir dir;
        const auto root = dirOf(dir);
        for (const char* day : {"d1", "d2"}) {
            std::filesystem::create_directories(root / "a" / day);
            twindesk::test::writeTextFile(root / "a" / day / "vm1", "1\n2\n");
            twindesk::test::writeTextFile(root / "a" / day / "vm2", "3\n4\n");
            twindesk::test::writeTextFile(root / "a" / day / ".hidden", "x");
        }
        auto h1 = trainingDataSha256({root / "a" / "d1", root / "a" / "d2"});
        auto h2 = trainingDataSha256({root / "a" / "d2", root / "a" / "d1"});
        QVERIFY(h1.ok());
        QVERIFY(h2.ok());
        QCOMPARE(h1->size(), std::size_t{64});
        QCOMPARE(*h1, *h2); // order of the arguments does not matter
        // Moved elsewhere: same hash. A changed value: another hash.
        std::filesystem::rename(root / "a", root / "b");
        QCOMPARE(trainingDataSha256({root / "b" / "d1", root / "b" / "d2"}).value(), *h1);
        twindesk::test::writeTextFile(root / "b" / "d2" / "vm2", "3\n5\n");
        QVERIFY(trainingDataSha256({root / "b" / "d1", root / "b" / "d2"}).value() != *h1);
        auto missing = trainingDataSha256({root / "nope"});
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().where, (root / "nope").string());
    }

    void simulatedHistoryOnPlanetLab()
    {
        const auto day = planetLabDay("20110303");
        if (!std::filesystem::exists(day))
            QSKIP("PlanetLab traces not found at TWINDESK_ANCHORS_DIR/planetlab/20110303");
        auto vms = sim::loadPlanetLabDay(day, 60);
        QVERIFY(vms.ok());
        DatasetOptions options;
        options.maxHorizon = 2;
        options.run.hosts = 40;
        options.run.steps = 40;
        auto data = simulateHistory(*vms, options);
        QVERIFY2(data.ok(), data ? "" : data.error().toString().c_str());
        QVERIFY(data->rows() > 100);
        QCOMPARE(data->inputs.size(), data->rows() * 13);
        for (std::size_t r = 0; r < data->rows(); ++r) {
            const auto row = data->row(r);
            QVERIFY(row[12] == 1.0F || row[12] == 2.0F);
            QVERIFY(data->targets[r] >= 0.0F);
        }
        // Deterministic.
        auto again = simulateHistory(*vms, options);
        QVERIFY(again.ok());
        QVERIFY(again->inputs == data->inputs);
        QVERIFY(again->targets == data->targets);
    }
};

TWINDESK_TEST(TestForecaster)
#include "tst_forecaster.moc"
