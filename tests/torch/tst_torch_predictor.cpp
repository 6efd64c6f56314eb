// TorchUtilisationPredictor: the forecaster layout check, errors for short histories and
// untrained horizons, the ML detector in planConsolidation on a small PlanetLab cluster (a
// working model and a NaN model that the planner counts), the process-wide loader and the
// shipped model.
#include "test_registry.h"
#include "torch_test_util.h"

#include <twindesk/policies/consolidation.h>
#include <twindesk/policies/consolidation_policy.h>
#include <twindesk/sim/compute.h>
#include <twindesk/torch/torch_predictor.h>

#include <QTemporaryDir>

#include <filesystem>
#include <string>
#include <vector>

using namespace twindesk;
using namespace twindesk::torch;
using twindesk::test::simpleSchema;
using twindesk::test::writeModel;

namespace {

std::filesystem::path dirOf(const QTemporaryDir& dir)
{
    return std::filesystem::path(dir.path().toStdString());
}

/// Persistence: the forecast is the newest sample (x[:, 0]).
constexpr const char* kPersistence = R"(
def forward(self, x: Tensor) -> Tensor:
    return x[:, 0:1] * 1.0
)";

constexpr const char* kNan = R"(
def forward(self, x: Tensor) -> Tensor:
    return x[:, 0:1] * float('nan')
)";

ModelSchema forecasterSchema(std::size_t k = 12, double maxHorizon = 3)
{
    return simpleSchema({{"history", k, 0.0, 10.0}, {"horizon", 1, 1.0, maxHorizon}}, -1.0, 10.0);
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

struct RunCounts
{
    std::size_t rounds = 0;
    std::size_t predictorErrors = 0;
    std::size_t overloaded = 0;
    std::string firstError;
};

/// 16 hosts, the first 24 VMs of a PlanetLab day, 30 steps of 300 s with a round after each.
RunCounts runSmallCluster(const policies::ConsolidationConfig& config)
{
    RunCounts out;
    auto vms = sim::loadPlanetLabDay(
        std::filesystem::path(TWINDESK_ANCHORS_DIR) / "planetlab" / "20110303", 24);
    if (!vms)
        return out;
    sim::ComputeConfig computeConfig;
    computeConfig.accounting = sim::Accounting::CloudSim;
    computeConfig.memoryRule = sim::MemoryRule::PlacementOnly;
    auto cluster = sim::ComputeCluster::make(sim::planetLabHosts(16), *vms, computeConfig);
    if (!cluster || !policies::placePabfd(*cluster, config))
        return out;
    for (int k = 0; k < 30; ++k) {
        if (!cluster->step(k * 300, 300))
            return out;
        const policies::ConsolidationPlan plan = policies::planConsolidation(*cluster, config);
        ++out.rounds;
        out.predictorErrors += plan.predictorErrors;
        out.overloaded += plan.overloadedHosts.size();
        if (out.firstError.empty())
            out.firstError = plan.firstPredictorError;
        if (!policies::applyConsolidationPlan(*cluster, plan))
            return out;
    }
    return out;
}

} // namespace

class TestTorchPredictor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void predictsThroughTheModel()
    {
        QTemporaryDir dir;
        const auto file = writeModel(dirOf(dir), "persist", kPersistence, forecasterSchema());
        auto predictor = TorchUtilisationPredictor::load(file);
        QVERIFY2(predictor.ok(), predictor ? "" : predictor.error().toString().c_str());
        QCOMPARE((*predictor)->minimumHistory(), std::size_t{12});
        QCOMPARE((*predictor)->identity(), std::string("test-model 1 untrained"));
        std::vector<double> history(30, 0.25);
        history[0] = 0.75;
        auto y = (*predictor)->predict(history, 1);
        QVERIFY(y.ok());
        QCOMPARE(*y, 0.75);

        auto shortHistory = (*predictor)->predict(std::vector<double>(11, 0.5), 1);
        QVERIFY(!shortHistory.ok());
        QVERIFY(contains(shortHistory.error().message, "needs 12 history samples, got 11"));
        auto farHorizon = (*predictor)->predict(history, 5);
        QVERIFY(!farHorizon.ok());
        QVERIFY2(contains(farHorizon.error().message,
                          "model persist.pt: input 'horizon' = 5 is outside"),
                 farHorizon.error().message.c_str());
    }

    void rejectsOtherLayouts()
    {
        QTemporaryDir dir;
        const auto file =
            writeModel(dirOf(dir), "other", kPersistence, simpleSchema({{"x", 13, 0.0, 10.0}}));
        auto predictor = TorchUtilisationPredictor::load(file);
        QVERIFY(!predictor.ok());
        QVERIFY(contains(predictor.error().message, "not a host utilisation forecaster"));
        QCOMPARE(predictor.error().where, file.string());
    }

    void mlDetectorInThePlanner()
    {
        if (!std::filesystem::exists(std::filesystem::path(TWINDESK_ANCHORS_DIR) / "planetlab" /
                                     "20110303"))
            QSKIP("PlanetLab traces not found at TWINDESK_ANCHORS_DIR/planetlab/20110303");
        QTemporaryDir dir;
        auto config = policies::ConsolidationConfig::parse("ML-MMT-1.2");
        QVERIFY(config.ok());
        QCOMPARE(config->detector, policies::OverloadDetector::Ml);

        auto good = TorchUtilisationPredictor::load(
            writeModel(dirOf(dir), "persist", kPersistence, forecasterSchema()));
        QVERIFY(good.ok());
        config->predictor = *good;
        const RunCounts ok = runSmallCluster(*config);
        QCOMPARE(ok.rounds, std::size_t{30});
        QCOMPARE(ok.predictorErrors, std::size_t{0});
        QVERIFY2(ok.firstError.empty(), ok.firstError.c_str());

        auto nan = TorchUtilisationPredictor::load(
            writeModel(dirOf(dir), "nan", kNan, forecasterSchema()));
        QVERIFY(nan.ok());
        config->predictor = *nan;
        const RunCounts bad = runSmallCluster(*config);
        QCOMPARE(bad.rounds, std::size_t{30});
        QVERIFY(bad.predictorErrors > 0);
        QVERIFY2(contains(bad.firstError, "output 'y' is NaN"), bad.firstError.c_str());
        QVERIFY2(contains(bad.firstError, "nan.pt"), bad.firstError.c_str());
    }

    void loaderInstalled()
    {
        QTemporaryDir dir;
        const auto file = writeModel(dirOf(dir), "persist", kPersistence, forecasterSchema());
        QVERIFY(installTorchPredictorLoader().ok());
        auto loaded = policies::loadUtilisationPredictor(file);
        QVERIFY2(loaded.ok(), loaded ? "" : loaded.error().toString().c_str());
        QCOMPARE((*loaded)->identity(), std::string("test-model 1 untrained"));
        auto missing = policies::loadUtilisationPredictor(dirOf(dir) / "missing.pt");
        QVERIFY(!missing.ok());
        QVERIFY(contains(missing.error().toString(), "missing.pt"));
    }

    void shippedModel()
    {
        const auto file =
            std::filesystem::path(TWINDESK_SOURCE_DIR) / "assets" / "models" / "host-forecaster.pt";
        if (!std::filesystem::exists(file))
            QFAIL("the shipped model assets/models/host-forecaster.pt is missing");
        auto predictor = TorchUtilisationPredictor::load(file);
        QVERIFY2(predictor.ok(), predictor ? "" : predictor.error().toString().c_str());
        QVERIFY(contains((*predictor)->identity(), "host-forecaster 1 "));
        const TorchModel& model = (*predictor)->model();
        QCOMPARE(model.schema().trainingDataSha256.size(), std::size_t{64});
        QVERIFY(contains(model.metadataJson(), model.schema().trainingDataSha256));
        std::vector<double> rising;
        for (int i = 0; i < 12; ++i)
            rising.push_back(0.8 - 0.02 * i); // newest first: rising towards 0.8
        auto y = (*predictor)->predict(rising, 1);
        QVERIFY2(y.ok(), y ? "" : y.error().toString().c_str());
        QVERIFY2(*y > 0.6 && *y < 1.1, std::to_string(*y).c_str());
        QCOMPARE((*predictor)->predict(rising, 1).value(), *y);
    }
};

TWINDESK_TEST(TestTorchPredictor)
#include "tst_torch_predictor.moc"
