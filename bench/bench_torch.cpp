// bench_torch: the LibTorch forecaster (policies/torch) on one core.
// 1. Single-decision latency of TorchUtilisationPredictor::predict (the ML detector's call):
//    p50 / p99 / max over N calls (default 200 000) on histories taken from a simulated
//    PlanetLab day, after 1 000 warm-up calls.
// 2. Training time of the shipped model's configuration (simulated history of the five
//    training days + 6 epochs), and whether the result reproduces the shipped model bit for bit.
// 3. One PlanetLab day (800 hosts, CloudSim accounting and memory rule) with ML-MMT-1.2 vs
//    LR-MMT-1.2: run time, predictor calls and the time spent in them.
// Usage (from the source root): bench_torch [PLANETLAB_DIR] [MODEL.pt] [--calls N]
//   [--day DAY] [--no-training]
//   PLANETLAB_DIR defaults to ../shared/anchors/planetlab, MODEL to
//   assets/models/host-forecaster.pt. docs/benchmarks.md records the figures.
#include "bench_util.h"

#include <twindesk/policies/consolidation.h>
#include <twindesk/sim/compute.h>
#include <twindesk/torch/forecaster.h>
#include <twindesk/torch/torch_predictor.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

using namespace twindesk;
using twindesk::bench::Clock;
using twindesk::bench::peakRssKb;
using twindesk::bench::seconds;

namespace {

/// Forwards to the torch predictor, counting calls and the time spent in them.
class CountingPredictor final : public policies::UtilisationPredictor
{
public:
    explicit CountingPredictor(std::shared_ptr<const policies::UtilisationPredictor> inner)
        : m_inner(std::move(inner))
    {
    }
    [[nodiscard]] twin::Result<double> predict(std::span<const double> history,
                                               int horizon) const override
    {
        const auto t0 = Clock::now();
        auto out = m_inner->predict(history, horizon);
        m_seconds += seconds(t0, Clock::now());
        ++m_calls;
        return out;
    }
    [[nodiscard]] std::size_t minimumHistory() const override { return m_inner->minimumHistory(); }
    [[nodiscard]] std::string identity() const override { return m_inner->identity(); }
    mutable std::size_t m_calls = 0;
    mutable double m_seconds = 0.0;

private:
    std::shared_ptr<const policies::UtilisationPredictor> m_inner;
};

double quantile(std::vector<double> sorted, double q)
{
    const auto at = static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1));
    return sorted[at];
}

int run(int argc, char** argv)
{
    std::filesystem::path traces = "../shared/anchors/planetlab";
    std::filesystem::path modelFile = "assets/models/host-forecaster.pt";
    std::size_t calls = 200000;
    std::string dayName = "20110303";
    bool training = true;
    int positional = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--calls" && i + 1 < argc)
            calls = std::stoul(argv[++i]);
        else if (arg == "--day" && i + 1 < argc)
            dayName = argv[++i];
        else if (arg == "--no-training")
            training = false;
        else if (positional++ == 0)
            traces = arg;
        else
            modelFile = arg;
    }
    auto predictor = torch::TorchUtilisationPredictor::load(modelFile);
    if (!predictor) {
        std::fprintf(stderr, "%s\n", predictor.error().toString().c_str());
        return 1;
    }
    std::printf("model %s: %s\n", modelFile.string().c_str(), (*predictor)->identity().c_str());

    // --- 1. latency on real host histories ---------------------------------------------------
    auto vms = sim::loadPlanetLabDay(traces / dayName);
    if (!vms) {
        std::fprintf(stderr, "%s\n", vms.error().toString().c_str());
        return 1;
    }
    torch::DatasetOptions dataOptions;
    dataOptions.maxHorizon = 1;
    auto data = torch::simulateHistory(*vms, dataOptions);
    if (!data || data->rows() == 0) {
        std::fprintf(stderr, "no simulated history for %s\n", dayName.c_str());
        return 1;
    }
    const std::size_t k = data->historyLength;
    std::vector<std::vector<double>> histories;
    for (std::size_t r = 0; r < data->rows(); ++r) {
        const auto row = data->row(r);
        histories.emplace_back(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(k));
    }
    for (std::size_t i = 0; i < 1000; ++i)
        (void)(*predictor)->predict(histories[i % histories.size()], 1);
    std::vector<double> latency;
    latency.reserve(calls);
    std::size_t failures = 0;
    double checksum = 0.0;
    for (std::size_t i = 0; i < calls; ++i) {
        const auto& h = histories[(i * 7919) % histories.size()];
        const auto t0 = Clock::now();
        auto y = (*predictor)->predict(h, 1);
        latency.push_back(seconds(t0, Clock::now()) * 1e6);
        if (y)
            checksum += *y;
        else
            ++failures;
    }
    std::sort(latency.begin(), latency.end());
    double mean = 0.0;
    for (const double v : latency)
        mean += v;
    mean /= static_cast<double>(latency.size());
    std::printf("predict latency over %zu calls (%zu histories of day %s): p50 %.2f us, p99 %.2f "
                "us, max %.1f us, mean %.2f us; %zu failures (checksum %.6f)\n",
                calls, histories.size(), dayName.c_str(), quantile(latency, 0.5),
                quantile(latency, 0.99), latency.back(), mean, failures, checksum);

    // --- 2. training time of the shipped configuration ---------------------------------------
    if (training) {
        const std::vector<std::string> days{"20110303", "20110306", "20110309", "20110322",
                                            "20110325"};
        const auto t0 = Clock::now();
        torch::DatasetOptions options; // the shipped model's: k 12, horizons 1..3, LR-MMT-1.2
        torch::ForecastDataset all;
        all.historyLength = options.historyLength;
        for (const std::string& day : days) {
            auto dayVms = sim::loadPlanetLabDay(traces / day);
            if (!dayVms)
                return std::fprintf(stderr, "%s\n", dayVms.error().toString().c_str()), 1;
            auto dayData = torch::simulateHistory(*dayVms, options);
            if (!dayData)
                return std::fprintf(stderr, "%s\n", dayData.error().toString().c_str()), 1;
            all.append(*dayData);
        }
        const double dataSeconds = seconds(t0, Clock::now());
        torch::TrainingReport report;
        auto weights = torch::trainForecaster(all, torch::ForecasterOptions{}, &report);
        if (!weights)
            return std::fprintf(stderr, "%s\n", weights.error().toString().c_str()), 1;
        // Same function as the shipped model? Compare on every 97th history.
        std::size_t same = 0;
        std::size_t compared = 0;
        double worst = 0.0;
        for (std::size_t i = 0; i < histories.size(); i += 97) {
            std::vector<float> x(histories[i].begin(), histories[i].end());
            x.push_back(1.0F);
            const double mine = torch::forecastWithWeights(*weights, x);
            auto shipped = (*predictor)->predict(histories[i], 1);
            if (!shipped)
                continue;
            ++compared;
            worst = std::max(worst, std::abs(mine - *shipped));
            same += std::abs(mine - *shipped) < 1e-5 ? 1 : 0;
        }
        std::printf("training (shipped configuration, 5 days): simulated history %.2f s, %zu "
                    "samples, %zu epochs %.2f s (final loss %.5f); matches the shipped model on "
                    "%zu/%zu histories (max |diff| %.2g)\n",
                    dataSeconds, report.samples, report.epochLoss.size(), report.seconds,
                    report.epochLoss.back(), same, compared, worst);
    }

    // --- 3. the PlanetLab day, ML vs LR -------------------------------------------------------
    torch::DayRunOptions runOptions;
    auto lr = policies::ConsolidationConfig::parse("LR-MMT-1.2").value();
    auto ml = policies::ConsolidationConfig::parse("ML-MMT-1.2").value();
    auto counting = std::make_shared<CountingPredictor>(*predictor);
    ml.predictor = counting;
    for (const policies::ConsolidationConfig* config : {&lr, &ml}) {
        auto result = torch::runPlanetLabDay(*vms, *config, runOptions);
        if (!result)
            return std::fprintf(stderr, "%s\n", result.error().toString().c_str()), 1;
        const sim::ComputeMetrics& m = result->metrics;
        std::printf("day %s %-11s: run %.2f s, %.2f kWh, %lld migrations, SLATAH %.2f %%, PDM "
                    "%.3f %%",
                    dayName.c_str(), config->name().c_str(), result->seconds, m.energyKwh,
                    static_cast<long long>(m.migrations), 100 * m.slatah, 100 * m.pdm);
        if (config == &ml)
            std::printf("; %zu predictor calls, %.2f s in them (%.2f us each), %zu errors",
                        counting->m_calls, counting->m_seconds,
                        1e6 * counting->m_seconds / static_cast<double>(counting->m_calls),
                        result->predictorErrors);
        std::printf("\n");
    }
    std::printf("peak RSS %.1f MB\n", static_cast<double>(peakRssKb()) / 1024.0);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    return twindesk::bench::guardedMain("bench_torch", run, argc, argv);
}
