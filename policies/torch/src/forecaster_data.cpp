// The forecaster's data side, torch-free: PlanetLab day runs, simulated history, the training
// data hash, the plain-C++ forward pass and the comparison with CloudSim's LR line.
#include <twindesk/torch/forecaster.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <fstream>
#include <memory>
#include <openssl/evp.h>
#include <sstream>
#include <system_error>

namespace twindesk::torch {

using sim::ComputeCluster;
using twin::ErrorCode;
using twin::makeError;

namespace {

constexpr sim::Seconds kStep = 300;

} // namespace

twin::Result<DayRunResult> runPlanetLabDay(const std::vector<sim::VmSpec>& vms,
                                           const policies::ConsolidationConfig& config,
                                           const DayRunOptions& options,
                                           const StepObserver& observer)
{
    const auto t0 = std::chrono::steady_clock::now();
    sim::ComputeConfig computeConfig;
    computeConfig.accounting = sim::Accounting::CloudSim;
    computeConfig.memoryRule = options.memoryRule;
    auto made = ComputeCluster::make(sim::planetLabHosts(options.hosts), vms, computeConfig);
    if (!made)
        return made.error();
    ComputeCluster& cluster = *made;
    if (auto placed = policies::placePabfd(cluster, config); !placed)
        return placed.error();
    DayRunResult out;
    for (int k = 0; k < options.steps; ++k) {
        if (auto ok = cluster.step(k * kStep, kStep); !ok)
            return ok.error();
        if (observer)
            observer(cluster, k);
        if (k + 1 == options.steps)
            continue;
        const policies::ConsolidationPlan plan = policies::planConsolidation(cluster, config);
        out.overloadedHosts += plan.overloadedHosts.size();
        out.fallbackDecisions += plan.fallbackDecisions;
        if (plan.predictorErrors > 0 && out.predictorErrors == 0)
            out.firstPredictorError = plan.firstPredictorError;
        out.predictorErrors += plan.predictorErrors;
        if (auto ok = policies::applyConsolidationPlan(cluster, plan); !ok)
            return ok.error();
    }
    out.metrics = cluster.metrics();
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
}

void ForecastDataset::append(const ForecastDataset& other)
{
    if (rows() == 0 && inputs.empty())
        historyLength = other.historyLength;
    inputs.insert(inputs.end(), other.inputs.begin(), other.inputs.end());
    targets.insert(targets.end(), other.targets.begin(), other.targets.end());
}

twin::Result<ForecastDataset> simulateHistory(const std::vector<sim::VmSpec>& vms,
                                              const DatasetOptions& options)
{
    if (options.historyLength < 1 || options.historyLength > sim::kHistoryLength ||
        options.maxHorizon < 1)
        return makeError(ErrorCode::InvalidArgument,
                         "simulated history: historyLength must be 1.." +
                             std::to_string(sim::kHistoryLength) + " and maxHorizon ≥ 1");
    auto config = policies::ConsolidationConfig::parse(options.policy);
    if (!config)
        return config.error();
    if (config->detector == policies::OverloadDetector::Ml)
        return makeError(ErrorCode::InvalidArgument,
                         "simulated history: the policy must not need a model (e.g. LR-MMT-1.2)");
    ForecastDataset data;
    data.historyLength = options.historyLength;
    const std::size_t k = options.historyLength;
    const auto observe = [&](const ComputeCluster& cluster, int /*step*/) {
        for (std::size_t h = 0; h < cluster.hostCount(); ++h) {
            const auto resident = cluster.hostVms(h);
            const auto incoming = cluster.hostIncomingVms(h);
            if (resident.empty() && incoming.empty())
                continue;
            const sim::UtilisationHistory history = cluster.hostHistoryFromVms(h);
            if (history.size < k)
                continue;
            const double hostMips = cluster.hostTotalMips(h);
            for (int horizon = 1; horizon <= options.maxHorizon; ++horizon) {
                double target = 0.0;
                bool pastEnd = false;
                const auto add = [&](std::uint32_t j) {
                    const sim::VmSpec& vm = cluster.vmSpec(j);
                    // Index of the newest history sample, as appendHistories takes it.
                    const auto newest = static_cast<std::size_t>(
                        (cluster.time() - cluster.config().start) / vm.traceInterval);
                    const std::size_t at = newest + static_cast<std::size_t>(horizon);
                    if (at >= vm.utilisation.size()) {
                        pastEnd = true;
                        return;
                    }
                    target += static_cast<double>(vm.utilisation[at]) * vm.mips / hostMips;
                };
                for (const std::uint32_t j : resident)
                    add(j);
                for (const std::uint32_t j : incoming)
                    add(j);
                if (pastEnd)
                    continue;
                for (std::size_t i = 0; i < k; ++i)
                    data.inputs.push_back(static_cast<float>(history.values[i]));
                data.inputs.push_back(static_cast<float>(horizon));
                data.targets.push_back(static_cast<float>(target));
            }
        }
    };
    auto run = runPlanetLabDay(vms, *config, options.run, observe);
    if (!run)
        return run.error();
    return data;
}

twin::Result<std::string> trainingDataSha256(std::vector<std::filesystem::path> dayFolders)
{
    namespace fs = std::filesystem;
    std::sort(dayFolders.begin(), dayFolders.end(), [](const fs::path& a, const fs::path& b) {
        return a.filename().string() < b.filename().string();
    });
    const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                      &EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
        return makeError(ErrorCode::IoError, "OpenSSL could not start a SHA-256 digest");
    const auto update = [&](const std::string& bytes) {
        EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size());
    };
    for (const fs::path& day : dayFolders) {
        std::error_code ec;
        if (!fs::is_directory(day, ec))
            return makeError(ErrorCode::NotFound, "trace day folder not found", day.string());
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(day, ec)) {
            const std::string name = entry.path().filename().string();
            if (!name.empty() && name[0] != '.' && entry.is_regular_file(ec))
                files.push_back(entry.path());
        }
        if (ec)
            return makeError(ErrorCode::IoError, "cannot list the folder: " + ec.message(),
                             day.string());
        std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
            return a.filename().string() < b.filename().string();
        });
        for (const fs::path& file : files) {
            std::ifstream in(file, std::ios::binary);
            if (!in)
                return makeError(ErrorCode::IoError, "cannot read the trace", file.string());
            std::ostringstream buffer;
            buffer << in.rdbuf();
            const std::string contents = buffer.str();
            update(day.filename().string() + "/" + file.filename().string() + "\n" +
                   std::to_string(contents.size()) + "\n");
            update(contents);
        }
    }
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(ctx.get(), digest.data(), &length) != 1)
        return makeError(ErrorCode::IoError, "OpenSSL could not finish the SHA-256 digest");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < length; ++i) {
        hex.push_back(kHex[digest[i] >> 4]);
        hex.push_back(kHex[digest[i] & 0xF]);
    }
    return hex;
}

float forecastWithWeights(const ForecasterWeights& w, std::span<const float> x)
{
    float y = w.b2;
    for (std::size_t j = 0; j < w.hidden; ++j) {
        float a = w.b1[j];
        for (std::size_t i = 0; i < w.inputs; ++i)
            a += w.w1[j * w.inputs + i] * x[i];
        y += w.w2[j] * std::max(a, 0.0F);
    }
    for (std::size_t i = 0; i < w.inputs; ++i)
        y += w.skip[i] * x[i];
    return y;
}

double ForecastScore::hitRate() const
{
    return overloads == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(overloads);
}

double ForecastScore::falseAlarmRate() const
{
    const std::size_t normal = samples - overloads;
    return normal == 0 ? 0.0 : static_cast<double>(falseAlarms) / static_cast<double>(normal);
}

ForecastComparison compareWithLr(const ForecastDataset& data,
                                 const policies::UtilisationPredictor& predictor, double safety)
{
    ForecastComparison out;
    const std::size_t k = data.historyLength;
    const auto score = [&](ForecastScore& s, double forecast, double target) {
        ++s.samples;
        s.mae += std::abs(forecast - target);
        s.bias += forecast - target;
        const bool overload = target > 1.0;
        const bool fired = safety * forecast >= 1.0;
        if (overload) {
            ++s.overloads;
            if (fired)
                ++s.hits;
        } else if (fired) {
            ++s.falseAlarms;
        }
    };
    constexpr std::size_t kLrSamples = 10; // ConsolidationConfig::regressionSamples
    std::vector<double> history(k);
    std::array<double, kLrSamples> oldestFirst{};
    for (std::size_t r = 0; r < data.rows(); ++r) {
        const auto row = data.row(r);
        for (std::size_t i = 0; i < k; ++i)
            history[i] = row[i];
        const int horizon = static_cast<int>(row[k]);
        const double target = data.targets[r];
        auto forecast = predictor.predict(history, horizon);
        if (forecast)
            score(out.model, *forecast, target);
        else
            ++out.model.failures;
        if (k >= kLrSamples) {
            for (std::size_t i = 0; i < kLrSamples; ++i)
                oldestFirst[i] = history[kLrSamples - 1 - i];
            const policies::LineFit fit = policies::loessEstimates(oldestFirst);
            score(out.lr, fit.intercept + fit.slope * static_cast<double>(kLrSamples + horizon),
                  target);
        }
    }
    for (ForecastScore* s : {&out.model, &out.lr}) {
        if (s->samples > 0) {
            s->mae /= static_cast<double>(s->samples);
            s->bias /= static_cast<double>(s->samples);
        }
    }
    return out;
}

} // namespace twindesk::torch
