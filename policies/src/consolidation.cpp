#include <twindesk/policies/consolidation.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <random>

namespace twindesk::policies {

using sim::ComputeCluster;
using sim::HostIndex;
using sim::kNoHost;
using sim::VmIndex;
using twin::ErrorCode;
using twin::makeError;

// --- statistics ----------------------------------------------------------------------------------

double percentile(std::span<const double> data, double p)
{
    const std::size_t n = data.size();
    if (n == 0)
        return std::numeric_limits<double>::quiet_NaN();
    std::vector<double> sorted(data.begin(), data.end());
    std::sort(sorted.begin(), sorted.end());
    if (n == 1)
        return sorted[0];
    // org.apache.commons.math3.stat.descriptive.rank.Percentile.evaluate (legacy estimation)
    const double pos = p * static_cast<double>(n + 1) / 100.0;
    const double fpos = std::floor(pos);
    const auto intPos = static_cast<std::size_t>(fpos);
    const double dif = pos - fpos;
    if (pos < 1)
        return sorted[0];
    if (pos >= static_cast<double>(n))
        return sorted[n - 1];
    const double lower = sorted[intPos - 1];
    const double upper = sorted[intPos];
    return lower + dif * (upper - lower);
}

double median(std::span<const double> data)
{
    return percentile(data, 50.0);
}

double interQuartileRange(std::span<const double> data)
{
    std::vector<double> sorted(data.begin(), data.end());
    std::sort(sorted.begin(), sorted.end());
    const auto n1 = static_cast<double>(sorted.size() + 1);
    // Java's Math.round: floor(x + 0.5).
    const auto q1 = static_cast<std::size_t>(std::floor(0.25 * n1 + 0.5)) - 1;
    const auto q3 = static_cast<std::size_t>(std::floor(0.75 * n1 + 0.5)) - 1;
    return sorted[q3] - sorted[q1];
}

double medianAbsoluteDeviation(std::span<const double> data)
{
    if (data.empty())
        return 0.0;
    const double m = median(data);
    std::vector<double> deviation(data.size());
    for (std::size_t i = 0; i < data.size(); ++i)
        deviation[i] = std::abs(m - data[i]);
    return median(deviation);
}

namespace {

/// commons-math3 SimpleRegression (with intercept): the same incremental sums, so the same
/// rounding as the Java reference.
class SimpleRegression
{
public:
    void add(double x, double y)
    {
        if (m_n == 0) {
            m_xbar = x;
            m_ybar = y;
        } else {
            const double fact1 = 1.0 + static_cast<double>(m_n);
            const double fact2 = static_cast<double>(m_n) / (1.0 + static_cast<double>(m_n));
            const double dx = x - m_xbar;
            const double dy = y - m_ybar;
            m_sumXX += dx * dx * fact2;
            m_sumXY += dx * dy * fact2;
            m_xbar += dx / fact1;
            m_ybar += dy / fact1;
        }
        m_sumX += x;
        m_sumY += y;
        ++m_n;
    }
    [[nodiscard]] double slope() const
    {
        if (m_n < 2 || std::abs(m_sumXX) < 10 * std::numeric_limits<double>::denorm_min())
            return std::numeric_limits<double>::quiet_NaN();
        return m_sumXY / m_sumXX;
    }
    [[nodiscard]] double intercept() const
    {
        return (m_sumY - slope() * m_sumX) / static_cast<double>(m_n);
    }
    [[nodiscard]] LineFit fit() const { return {intercept(), slope()}; }

private:
    std::size_t m_n = 0;
    double m_sumX = 0, m_sumY = 0, m_sumXX = 0, m_sumXY = 0, m_xbar = 0, m_ybar = 0;
};

/// MathUtil.createWeigthedLinearRegression: the weights are applied (as √w × x, √w × y) only
/// when at least 40 % of them are ≤ 0 — never for the tricube weights, which are ≥ 1.
LineFit weightedFit(std::span<const double> x, std::span<const double> y,
                    std::span<const double> weights)
{
    const auto zero = static_cast<double>(
        std::count_if(weights.begin(), weights.end(), [](double w) { return w <= 0; }));
    const bool weighted = zero >= 0.4 * static_cast<double>(weights.size());
    SimpleRegression regression;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double s = weighted ? std::sqrt(weights[i]) : 1.0;
        regression.add(weighted ? s * x[i] : x[i], weighted ? s * y[i] : y[i]);
    }
    return regression.fit();
}

/// MathUtil.getTricubeWeigts: 1 / (1 − ((n−1−i)/(n−1))³)³ for i ≥ 2, the first two = the third.
std::vector<double> computeTricubeWeights(std::size_t n)
{
    std::vector<double> weights(n, 0.0);
    const auto top = static_cast<double>(n - 1);
    const double spread = top;
    for (std::size_t i = 2; i < n; ++i) {
        const double k = std::pow(1 - std::pow((top - static_cast<double>(i)) / spread, 3), 3);
        weights[i] = k > 0 ? 1 / k : std::numeric_limits<double>::max();
    }
    if (n > 2)
        weights[0] = weights[1] = weights[2];
    return weights;
}

/// computeTricubeWeights(n), computed once per n up to the history length (the detectors
/// ask for the same n on every host of every round).
std::vector<double> tricubeWeights(std::size_t n)
{
    static const std::vector<std::vector<double>> kCache = [] {
        std::vector<std::vector<double>> cache;
        for (std::size_t k = 0; k <= sim::kHistoryLength; ++k)
            cache.push_back(computeTricubeWeights(k));
        return cache;
    }();
    return n < kCache.size() ? kCache[n] : computeTricubeWeights(n);
}

std::vector<double> onesToN(std::size_t n)
{
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i)
        x[i] = static_cast<double>(i + 1);
    return x;
}

} // namespace

LineFit loessEstimates(std::span<const double> y)
{
    const std::vector<double> x = onesToN(y.size());
    return weightedFit(x, y, tricubeWeights(y.size()));
}

LineFit robustLoessEstimates(std::span<const double> y)
{
    const std::size_t n = y.size();
    const std::vector<double> x = onesToN(n);
    const std::vector<double> weights = tricubeWeights(n);
    const LineFit first = weightedFit(x, y, weights);
    std::vector<double> residuals(n);
    std::vector<double> absResiduals(n);
    for (std::size_t i = 0; i < n; ++i) {
        residuals[i] = y[i] - (first.intercept + first.slope * x[i]);
        absResiduals[i] = std::abs(residuals[i]);
    }
    // MathUtil.getTricubeBisquareWeigts
    const double s6 = median(absResiduals) * 6;
    std::vector<double> weights2(n, 0.0);
    for (std::size_t i = 2; i < n; ++i) {
        const double k = std::pow(1 - std::pow(residuals[i] / s6, 2), 2);
        weights2[i] = k > 0 ? (1 / k) * weights[i] : std::numeric_limits<double>::max();
    }
    if (n > 2)
        weights2[0] = weights2[1] = weights2[2];
    const LineFit second = weightedFit(x, y, weights2);
    if (std::isnan(second.intercept) || std::isnan(second.slope))
        return first;
    return second;
}

OverloadDecision detectOverload(const ConsolidationConfig& config, std::span<const double> history,
                                double requestedUtilisation, double migrationIntervals)
{
    OverloadDecision out;
    const auto fallback = [&] {
        out.fallback = true;
        out.threshold = config.fallbackThreshold;
        out.overloaded = requestedUtilisation > config.fallbackThreshold;
        return out;
    };
    switch (config.detector) {
    case OverloadDetector::Thr:
        out.threshold = config.parameter;
        out.overloaded = requestedUtilisation > config.parameter;
        return out;
    case OverloadDetector::Iqr:
    case OverloadDetector::Mad: {
        if (history.size() < config.minSpreadSamples)
            return fallback();
        const double spread = config.detector == OverloadDetector::Iqr
                                  ? interQuartileRange(history)
                                  : medianAbsoluteDeviation(history);
        out.threshold = 1 - config.parameter * spread;
        out.overloaded = requestedUtilisation > out.threshold;
        return out;
    }
    case OverloadDetector::Lr:
    case OverloadDetector::Lrr: {
        const std::size_t length = config.regressionSamples;
        if (history.size() < length || length < 3)
            return fallback();
        std::vector<double> oldestFirst(length);
        for (std::size_t i = 0; i < length; ++i)
            oldestFirst[i] = history[length - i - 1];
        const LineFit fit = config.detector == OverloadDetector::Lr
                                ? loessEstimates(oldestFirst)
                                : robustLoessEstimates(oldestFirst);
        double predicted =
            fit.intercept + fit.slope * (static_cast<double>(length) + migrationIntervals);
        predicted *= config.parameter;
        out.threshold = predicted;
        out.overloaded = predicted >= 1;
        return out;
    }
    case OverloadDetector::Ml: {
        if (!config.predictor) {
            out.predictorError = "no utilisation predictor (model) is attached";
            return fallback();
        }
        if (history.size() < config.predictor->minimumHistory())
            return fallback();
        const int horizon = std::max(1, static_cast<int>(migrationIntervals));
        auto predicted = config.predictor->predict(history, horizon);
        if (!predicted || !std::isfinite(*predicted)) {
            out.predictorError =
                predicted ? "the predictor returned a non-finite value" : predicted.error().message;
            return fallback();
        }
        out.threshold = config.parameter * *predicted;
        out.overloaded = out.threshold >= 1;
        return out;
    }
    }
    return out;
}

namespace {

/// Least squares y ≈ X β by Householder QR (X m × p, column-major copy). False if singular.
bool leastSquaresResidual(std::vector<std::vector<double>> columns, std::vector<double> y,
                          double& rss)
{
    const std::size_t p = columns.size();
    const std::size_t m = y.size();
    std::vector<double> norms(p);
    for (std::size_t k = 0; k < p; ++k) {
        double s = 0;
        for (const double v : columns[k])
            s += v * v;
        norms[k] = std::sqrt(s);
    }
    for (std::size_t k = 0; k < p; ++k) {
        auto& a = columns[k];
        double s = 0;
        for (std::size_t i = k; i < m; ++i)
            s += a[i] * a[i];
        const double alpha = a[k] > 0 ? -std::sqrt(s) : std::sqrt(s);
        if (!(std::abs(alpha) > 1e-10 * norms[k]) || alpha == 0)
            return false; // rank deficient: commons-math would throw SingularMatrixException
        // v = a − alpha e_k, stored in a[k..]
        a[k] -= alpha;
        double vv = 0;
        for (std::size_t i = k; i < m; ++i)
            vv += a[i] * a[i];
        const auto reflect = [&](std::vector<double>& b) {
            double dot = 0;
            for (std::size_t i = k; i < m; ++i)
                dot += a[i] * b[i];
            const double f = 2 * dot / vv;
            for (std::size_t i = k; i < m; ++i)
                b[i] -= f * a[i];
        };
        for (std::size_t j = k + 1; j < p; ++j)
            reflect(columns[j]);
        reflect(y);
    }
    // After the reflections, y[p..m) holds the residual's coordinates: RSS = their sum of squares.
    rss = 0;
    for (std::size_t i = p; i < m; ++i)
        rss += y[i] * y[i];
    return true;
}

} // namespace

std::vector<double> multipleCorrelations(const std::vector<std::vector<double>>& rows)
{
    const std::size_t n = rows.size();
    if (n < 2)
        return {};
    const std::size_t m = rows[0].size();
    for (const auto& row : rows)
        if (row.size() != m)
            return {};
    // OLSMultipleLinearRegression.validateSampleData: predictors + 1 ≤ observations.
    if (m == 0 || n > m)
        return {};
    std::vector<double> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::vector<std::vector<double>> columns;
        columns.emplace_back(m, 1.0); // the intercept
        for (std::size_t j = 0; j < n; ++j)
            if (j != i)
                columns.push_back(rows[j]);
        double rss = 0;
        if (!leastSquaresResidual(std::move(columns), rows[i], rss))
            return {};
        // SecondMoment: Σ (y − ȳ)², updated incrementally as commons-math does.
        double mean = 0, m2 = 0;
        for (std::size_t k = 0; k < m; ++k) {
            const double d = rows[i][k] - mean;
            const double nk = static_cast<double>(k + 1);
            mean += d / nk;
            m2 += static_cast<double>(k) * d * d / nk;
        }
        out.push_back(1 - rss / m2); // NaN for a constant row: never the maximum
    }
    return out;
}

// --- config --------------------------------------------------------------------------------------

twin::Result<ConsolidationConfig> ConsolidationConfig::parse(std::string_view name)
{
    std::string upper(name);
    for (char& ch : upper)
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    const auto bad = [&](const std::string& why) {
        return makeError(ErrorCode::InvalidArgument,
                         "consolidation policy '" + std::string(name) + "': " + why +
                             "; expected DETECTOR-SELECTION-PARAMETER with DETECTOR one of THR, "
                             "IQR, MAD, LR, LRR, ML and SELECTION one of MMT, MC, RS, MU, e.g. "
                             "LR-MMT-1.2");
    };
    const std::size_t a = upper.find('-');
    const std::size_t b = a == std::string::npos ? a : upper.find('-', a + 1);
    if (b == std::string::npos)
        return bad("not three parts separated by '-'");
    const std::string detector = upper.substr(0, a);
    const std::string selection = upper.substr(a + 1, b - a - 1);
    const std::string parameter = upper.substr(b + 1);
    ConsolidationConfig config;
    if (detector == "THR")
        config.detector = OverloadDetector::Thr;
    else if (detector == "IQR")
        config.detector = OverloadDetector::Iqr;
    else if (detector == "MAD")
        config.detector = OverloadDetector::Mad;
    else if (detector == "LR")
        config.detector = OverloadDetector::Lr;
    else if (detector == "LRR")
        config.detector = OverloadDetector::Lrr;
    else if (detector == "ML")
        config.detector = OverloadDetector::Ml;
    else
        return bad("unknown detector '" + detector + "'");
    if (selection == "MMT")
        config.selection = VmSelection::Mmt;
    else if (selection == "MC")
        config.selection = VmSelection::Mc;
    else if (selection == "RS")
        config.selection = VmSelection::Rs;
    else if (selection == "MU")
        config.selection = VmSelection::Mu;
    else
        return bad("unknown selection '" + selection + "'");
    double value = 0;
    const auto [end, ec] =
        std::from_chars(parameter.data(), parameter.data() + parameter.size(), value);
    if (ec != std::errc{} || end != parameter.data() + parameter.size() || parameter.empty() ||
        !std::isfinite(value) || value < 0)
        return bad("the parameter '" + parameter + "' is not a non-negative number");
    config.parameter = value;
    return config;
}

std::string ConsolidationConfig::name() const
{
    static constexpr std::array<const char*, 6> kDetectors{"THR", "IQR", "MAD", "LR", "LRR", "ML"};
    static constexpr std::array<const char*, 4> kSelections{"MMT", "MC", "RS", "MU"};
    std::array<char, 32> number{};
    std::snprintf(number.data(), number.size(), "%g", parameter);
    return std::string(kDetectors[static_cast<std::size_t>(detector)]) + "-" +
           kSelections[static_cast<std::size_t>(selection)] + "-" + number.data();
}

// --- the planner ---------------------------------------------------------------------------------

namespace {

std::uint64_t splitmix64(std::uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27U)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31U);
}

/// Uniform in [0, n) without the standard library's implementation-defined distributions.
std::size_t uniformBelow(std::mt19937_64& rng, std::size_t n)
{
    const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    const std::uint64_t limit = max - max % n;
    std::uint64_t x = 0;
    do {
        x = rng();
    } while (x >= limit);
    return static_cast<std::size_t>(x % n);
}

enum class Demand : std::uint8_t { Current, FullMips };

/// The cluster as the round's decisions change it (CloudSim's vmCreate / vmDestroy between
/// saveAllocation and restoreAllocation). The cluster itself is never touched.
class Shadow
{
public:
    Shadow(const ComputeCluster& cluster, const ConsolidationConfig& config, Demand demand)
        : m_c(cluster), m_config(config),
          // Memory counts for placements, and for migrations unless CloudSim's rule applies.
          m_memory(demand == Demand::FullMips ||
                   cluster.config().memoryRule == sim::MemoryRule::Always)
    {
        const std::size_t hosts = cluster.hostCount();
        const std::size_t vms = cluster.vmCount();
        m_demand.resize(vms);
        m_alloc.resize(vms);
        for (std::size_t j = 0; j < vms; ++j) {
            const bool placed = cluster.vmHost(j) != kNoHost;
            m_demand[j] = demand == Demand::FullMips && !placed ? cluster.vmSpec(j).mips
                                                                : cluster.vmDemandMips(j);
        }
        m_vms.resize(hosts);
        m_requested.assign(hosts, 0.0);
        m_allocMips.resize(hosts);
        m_available.resize(hosts);
        m_ramFree.resize(hosts);
        m_bwFree.resize(hosts);
        m_startUtil.resize(hosts);
        m_startPower.resize(hosts);
        m_on.resize(hosts);
        for (std::size_t h = 0; h < hosts; ++h) {
            double alloc = cluster.hostAllocatedMips(h);
            for (const std::uint32_t j : cluster.hostVms(h)) {
                m_vms[h].push_back(j);
                m_requested[h] += m_demand[j];
                const double a = cluster.vmAllocatedMips(j);
                m_alloc[j] = cluster.vmMigrating(j) ? a / (1 - sim::kMigrationDegradation) : a;
            }
            for (const std::uint32_t j : cluster.hostIncomingVms(h)) {
                m_vms[h].push_back(j);
                m_requested[h] += m_demand[j];
                // PowerVmAllocationPolicyMigrationAbstract.getUtilizationOfCpuMips counts a VM
                // migrating in at its full allocation (10 % overhead × 10).
                alloc += cluster.vmIncomingAllocatedMips(j) * (1 / sim::kMigrationDegradation - 1);
            }
            m_allocMips[h] = alloc;
            m_available[h] = cluster.hostAvailableMips(h);
            m_ramFree[h] = cluster.hostRamAvailableMb(h);
            m_bwFree[h] = cluster.hostBandwidthAvailableMbps(h);
            m_startUtil[h] = cluster.hostUtilisation(h);
            m_startPower[h] = cluster.hostSpec(h).power.powerAt(m_startUtil[h]);
            m_on[h] = cluster.hostState(h) == sim::HostState::On ? 1 : 0;
        }
    }

    [[nodiscard]] const std::vector<std::uint32_t>& vms(HostIndex h) const { return m_vms[h]; }
    [[nodiscard]] double demand(VmIndex j) const { return m_demand[j]; }
    [[nodiscard]] double startUtil(HostIndex h) const { return m_startUtil[h]; }
    [[nodiscard]] double allocMips(HostIndex h) const { return m_allocMips[h]; }
    [[nodiscard]] bool on(HostIndex h) const { return m_on[h] != 0; }
    void setOn(HostIndex h) { m_on[h] = 1; }
    [[nodiscard]] std::size_t fallbacks() const { return m_fallbacks; }
    [[nodiscard]] std::size_t predictorErrors() const { return m_predictorErrors; }
    [[nodiscard]] const std::string& firstPredictorError() const { return m_firstPredictorError; }

    /// The detector on host h holding its shadow VMs (plus `extra` unless kNoHost).
    /// `observed`: the host as it is (step 1), not a hypothetical state of selection or
    /// placement — the learned detector's drift monitor counts only those inputs.
    bool overloaded(HostIndex h, VmIndex extra = kNoHost, bool observed = false)
    {
        const double total = m_c.hostTotalMips(h);
        double requested = m_requested[h];
        if (extra != kNoHost)
            requested += m_demand[extra];
        if (m_config.detector == OverloadDetector::Thr)
            return requested / total > m_config.parameter;
        // PowerHostUtilizationHistory.getUtilizationHistory: Σ VM history × VM MIPS / host MIPS.
        std::array<double, sim::kHistoryLength> history{};
        double maxRam = 0;
        bool any = false;
        const auto add = [&](std::uint32_t j) {
            const sim::HistoryView view = m_c.vmUtilisationHistory(j);
            const double scale = m_c.vmSpec(j).mips / total;
            for (std::size_t i = 0; i < view.size(); ++i)
                history[i] += view[i] * scale;
            maxRam = any ? std::max(maxRam, m_c.vmSpec(j).ramMb) : m_c.vmSpec(j).ramMb;
            any = true;
        };
        for (const std::uint32_t j : m_vms[h])
            add(j);
        if (extra != kNoHost)
            add(static_cast<std::uint32_t>(extra));
        std::size_t size = history.size();
        while (size > 0 && history[size - 1] == 0.0)
            --size;
        double intervals = 0;
        if (m_config.detector == OverloadDetector::Lr ||
            m_config.detector == OverloadDetector::Lrr ||
            m_config.detector == OverloadDetector::Ml) {
            // getMaximumVmMigrationTime: the largest RAM over half the host's bandwidth.
            const double seconds =
                maxRam / (m_c.hostSpec(h).bandwidthMbps * m_c.config().migrationBandwidthShare / 8);
            intervals = std::ceil(seconds / static_cast<double>(m_c.config().historyInterval));
        }
        if (observed && m_config.predictor && m_config.detector == OverloadDetector::Ml)
            m_config.predictor->observe(std::span<const double>(history.data(), size));
        const OverloadDecision d = detectOverload(
            m_config, std::span<const double>(history.data(), size), requested / total, intervals);
        if (d.fallback)
            ++m_fallbacks;
        if (!d.predictorError.empty()) {
            if (m_predictorErrors++ == 0)
                m_firstPredictorError = m_c.hostSpec(h).id + ": " + d.predictorError;
        }
        return d.overloaded;
    }

    /// isSuitableForVm on the shadow: On (or Off and bootable at once when allowOff), a core
    /// for the VM, MIPS, RAM and bandwidth free.
    [[nodiscard]] bool suitable(VmIndex j, HostIndex h, bool allowOff, Demand mode) const
    {
        if (m_on[h] == 0 &&
            !(allowOff && m_c.hostState(h) == sim::HostState::Off && m_c.config().bootTime == 0))
            return false;
        const auto& vm = m_c.vmSpec(j);
        const double request = mode == Demand::FullMips ? vm.mips : m_demand[j];
        const double core =
            mode == Demand::FullMips || m_c.config().coreFit == sim::CoreFit::NominalMips
                ? vm.mips
                : m_demand[j];
        return core <= m_c.hostSpec(h).mipsPerCore && request <= m_available[h] &&
               (!m_memory || (vm.ramMb <= m_ramFree[h] && vm.bandwidthMbps <= m_bwFree[h]));
    }

    void add(VmIndex j, HostIndex h)
    {
        const double capped = std::min(m_demand[j], m_c.hostSpec(h).mipsPerCore);
        m_vms[h].push_back(static_cast<std::uint32_t>(j));
        m_requested[h] += m_demand[j];
        m_allocMips[h] += capped;
        m_alloc[j] = capped;
        m_available[h] -= capped;
        m_ramFree[h] -= m_c.vmSpec(j).ramMb;
        m_bwFree[h] -= m_c.vmSpec(j).bandwidthMbps;
    }

    void remove(VmIndex j, HostIndex h)
    {
        auto& list = m_vms[h];
        list.erase(std::find(list.begin(), list.end(), static_cast<std::uint32_t>(j)));
        m_requested[h] -= m_demand[j];
        m_allocMips[h] -= m_alloc[j];
        m_available[h] += std::min(m_demand[j], m_c.hostSpec(h).mipsPerCore);
        m_ramFree[h] += m_c.vmSpec(j).ramMb;
        m_bwFree[h] += m_c.vmSpec(j).bandwidthMbps;
    }

    /// PowerVmAllocationPolicyMigrationAbstract.findHostForVm: the least power increase
    /// P(u_after) − P(u_start) among suitable hosts not overloaded after the placement.
    HostIndex findHost(VmIndex j, const std::vector<std::uint8_t>& excluded, bool allowOff,
                       Demand mode, bool checkOverload = true)
    {
        const double request = mode == Demand::FullMips ? m_c.vmSpec(j).mips : m_demand[j];
        // CloudSim keeps the first host with the strictly least power increase among the
        // suitable hosts not overloaded after the placement. The same host is the first of
        // the candidates ordered by (increase, index) that passes the detector: order them
        // with a heap and run the (costly: regressions, a learned model) detector only until
        // one passes — usually once — instead of on every improving host.
        auto& candidates = m_candidates;
        candidates.clear();
        for (std::size_t h = 0; h < m_c.hostCount(); ++h) {
            if (excluded[h] != 0 || !suitable(j, h, allowOff, mode))
                continue;
            const double after = (m_allocMips[h] + request) / m_c.hostTotalMips(h);
            const double diff = m_c.hostSpec(h).power.powerAt(after) - m_startPower[h];
            if (!(diff < std::numeric_limits<double>::max())) // NaN/∞ never wins in CloudSim
                continue;
            candidates.emplace_back(diff, h);
        }
        const auto later = [](const std::pair<double, HostIndex>& a,
                              const std::pair<double, HostIndex>& b) {
            return a.first != b.first ? a.first > b.first : a.second > b.second;
        };
        std::make_heap(candidates.begin(), candidates.end(), later);
        while (!candidates.empty()) {
            std::pop_heap(candidates.begin(), candidates.end(), later);
            const HostIndex h = candidates.back().second;
            candidates.pop_back();
            if (checkOverload && m_allocMips[h] != 0 && overloaded(h, j))
                continue;
            return h;
        }
        return kNoHost;
    }

private:
    const ComputeCluster& m_c;
    const ConsolidationConfig& m_config;
    std::vector<double> m_demand, m_alloc; // per VM
    std::vector<std::vector<std::uint32_t>> m_vms;
    bool m_memory = true;
    std::vector<double> m_requested, m_allocMips, m_available, m_ramFree, m_bwFree, m_startUtil,
        m_startPower;
    std::vector<std::uint8_t> m_on;
    std::vector<std::pair<double, HostIndex>> m_candidates; // findHost's scratch
    std::size_t m_fallbacks = 0;
    std::size_t m_predictorErrors = 0;
    std::string m_firstPredictorError;
};

/// PowerVmList.sortByCpuUtilization: decreasing current demand, stable.
void sortByDemand(std::vector<VmIndex>& vms, const Shadow& shadow)
{
    std::stable_sort(vms.begin(), vms.end(),
                     [&](VmIndex a, VmIndex b) { return shadow.demand(a) > shadow.demand(b); });
}

class Planner
{
public:
    Planner(const ComputeCluster& cluster, const ConsolidationConfig& config)
        : m_c(cluster), m_config(config), m_shadow(cluster, config, Demand::Current),
          m_rng(splitmix64(config.seed ^ static_cast<std::uint64_t>(cluster.time())))
    {
    }

    ConsolidationPlan run()
    {
        const std::size_t hosts = m_c.hostCount();
        std::vector<std::uint8_t> overloaded(hosts, 0);
        std::vector<std::uint8_t> destination(hosts, 0);

        // 1. Overloaded hosts.
        for (std::size_t h = 0; h < hosts; ++h) {
            if (m_c.hostState(h) == sim::HostState::On && !m_shadow.vms(h).empty() &&
                m_shadow.overloaded(h, kNoHost, true)) {
                overloaded[h] = 1;
                m_plan.overloadedHosts.push_back(h);
            }
        }

        // 2. VM selection until each overloaded host is no longer overloaded.
        std::vector<VmIndex> selected;
        for (const HostIndex h : m_plan.overloadedHosts) {
            for (;;) {
                const VmIndex vm = select(h);
                if (vm == kNoHost)
                    break;
                selected.push_back(vm);
                m_shadow.remove(vm, h);
                if (!m_shadow.overloaded(h))
                    break;
            }
        }
        m_plan.vmsSelected = selected.size();

        // 3. PABFD for the selected VMs; overloaded hosts excluded, idle and Off hosts welcome.
        sortByDemand(selected, m_shadow);
        for (const VmIndex vm : selected) {
            const HostIndex h = m_shadow.findHost(vm, overloaded, true, Demand::Current);
            if (h == kNoHost) {
                ++m_plan.vmsNotPlaced;
                continue;
            }
            commitMigration(vm, h);
            destination[h] = 1;
        }

        // 4. Under-utilised hosts, all or nothing.
        std::vector<std::uint8_t> notCandidate(hosts, 0);
        std::vector<std::uint8_t> notDestination(hosts, 0);
        for (std::size_t h = 0; h < hosts; ++h) {
            // getSwitchedOffHosts: utilisation 0 at the start of the round (or Off).
            const bool off = m_shadow.startUtil(h) == 0 || !m_shadow.on(h) ||
                             m_c.hostState(h) != sim::HostState::On;
            if (overloaded[h] != 0 || off) {
                notCandidate[h] = 1;
                notDestination[h] = 1;
            }
            if (destination[h] != 0)
                notCandidate[h] = 1; // CloudSim means to exclude these (see the header)
        }
        for (;;) {
            const HostIndex h = underUtilisedHost(notCandidate);
            if (h == kNoHost)
                break;
            ++m_plan.underloadedHostsTried;
            notCandidate[h] = 1;
            notDestination[h] = 1;
            std::vector<VmIndex> vms;
            for (const std::uint32_t j : m_shadow.vms(h))
                if (!m_c.vmMigrating(j))
                    vms.push_back(j);
            if (vms.empty())
                continue;
            sortByDemand(vms, m_shadow);
            std::vector<std::pair<VmIndex, HostIndex>> moves;
            bool all = true;
            for (const VmIndex vm : vms) {
                const HostIndex to = m_shadow.findHost(vm, notDestination, false, Demand::Current);
                if (to == kNoHost) {
                    all = false;
                    break;
                }
                m_shadow.add(vm, to);
                moves.emplace_back(vm, to);
            }
            if (!all) {
                for (const auto& [vm, to] : moves)
                    m_shadow.remove(vm, to);
                continue;
            }
            for (const auto& [vm, to] : moves) {
                emitMigration(vm, to);
                notCandidate[to] = 1;
                destination[to] = 1;
            }
            m_plan.evacuatedHosts.push_back(h);
        }

        // 5. Idle hosts off.
        if (m_config.idleHosts == IdleHosts::SwitchOff) {
            for (std::size_t h = 0; h < hosts; ++h) {
                if (m_c.hostState(h) == sim::HostState::On && m_c.hostVms(h).empty() &&
                    m_c.hostIncomingVms(h).empty() && m_shadow.vms(h).empty()) {
                    sim::Action action;
                    action.kind = sim::ActionKind::PowerHost;
                    action.target = m_c.hostSpec(h).id;
                    action.value = 0;
                    m_plan.actions.push_back(std::move(action));
                    m_plan.commands.push_back({PlannedCommand::Kind::PowerOff, h, kNoHost});
                    ++m_plan.hostsPoweredOff;
                }
            }
        }
        m_plan.fallbackDecisions = m_shadow.fallbacks();
        m_plan.predictorErrors = m_shadow.predictorErrors();
        m_plan.firstPredictorError = m_shadow.firstPredictorError();
        return std::move(m_plan);
    }

private:
    void commitMigration(VmIndex vm, HostIndex h)
    {
        if (!m_shadow.on(h)) {
            m_shadow.setOn(h);
            sim::Action action;
            action.kind = sim::ActionKind::PowerHost;
            action.target = m_c.hostSpec(h).id;
            action.value = 1;
            m_plan.actions.push_back(std::move(action));
            m_plan.commands.push_back({PlannedCommand::Kind::PowerOn, h, kNoHost});
            ++m_plan.hostsPoweredOn;
        }
        m_shadow.add(vm, h);
        emitMigration(vm, h);
    }

    void emitMigration(VmIndex vm, HostIndex h)
    {
        sim::Action action;
        action.kind = sim::ActionKind::MigrateVm;
        action.target = m_c.vmSpec(vm).id;
        action.destination = m_c.hostSpec(h).id;
        m_plan.actions.push_back(std::move(action));
        m_plan.commands.push_back({PlannedCommand::Kind::Migrate, h, vm});
        ++m_plan.migrations;
    }

    /// getUnderUtilizedHost: least utilisation (at the round's start) in (0, 1), skipping
    /// hosts whose VM list starts with VMs migrating out and then one migrating in (or is
    /// empty) — CloudSim's areAllVmsMigratingOutOrAnyVmMigratingIn, literally.
    HostIndex underUtilisedHost(const std::vector<std::uint8_t>& excluded) const
    {
        double minUtil = 1;
        HostIndex best = kNoHost;
        for (std::size_t h = 0; h < m_c.hostCount(); ++h) {
            if (excluded[h] != 0)
                continue;
            const double u = m_shadow.startUtil(h);
            if (u > 0 && u < minUtil && !allMigratingOutOrAnyIn(h)) {
                minUtil = u;
                best = h;
            }
        }
        return best;
    }

    bool allMigratingOutOrAnyIn(HostIndex h) const
    {
        for (const std::uint32_t j : m_shadow.vms(h)) {
            if (!m_c.vmMigrating(j))
                return false;
            if (m_c.vmHost(j) != h)
                return true; // migrating in
        }
        return true;
    }

    /// The selection rule over the host's VMs not in migration; kNoHost when there are none.
    VmIndex select(HostIndex h)
    {
        std::vector<VmIndex> migratable;
        for (const std::uint32_t j : m_shadow.vms(h))
            if (!m_c.vmMigrating(j))
                migratable.push_back(j);
        if (migratable.empty())
            return kNoHost;
        switch (m_config.selection) {
        case VmSelection::Mmt:
            return minimumMigrationTime(migratable, h);
        case VmSelection::Mu: {
            VmIndex best = kNoHost;
            double minMetric = std::numeric_limits<double>::max();
            for (const VmIndex j : migratable) {
                const double metric = m_shadow.demand(j) / m_c.vmSpec(j).mips;
                if (metric < minMetric) {
                    minMetric = metric;
                    best = j;
                }
            }
            return best;
        }
        case VmSelection::Rs:
            return migratable[uniformBelow(m_rng, migratable.size())];
        case VmSelection::Mc: {
            std::size_t m = sim::kHistoryLength;
            for (const VmIndex j : migratable)
                m = std::min(m, m_c.vmUtilisationHistory(j).size());
            std::vector<std::vector<double>> rows;
            for (const VmIndex j : migratable) {
                const sim::HistoryView view = m_c.vmUtilisationHistory(j);
                std::vector<double> row(m);
                for (std::size_t i = 0; i < m; ++i)
                    row[i] = view[i];
                rows.push_back(std::move(row));
            }
            const std::vector<double> r2 = multipleCorrelations(rows);
            if (r2.empty()) {
                ++m_plan.mcFallbacks;
                return minimumMigrationTime(migratable, h);
            }
            // maxMetric starts at Double.MIN_VALUE: with no positive R², the first VM.
            double maxMetric = std::numeric_limits<double>::denorm_min();
            std::size_t maxIndex = 0;
            for (std::size_t i = 0; i < r2.size(); ++i) {
                if (r2[i] > maxMetric) {
                    maxMetric = r2[i];
                    maxIndex = i;
                }
            }
            return migratable[maxIndex];
        }
        }
        return kNoHost;
    }

    /// Least RAM / migration bandwidth of the source (the destination is not known yet, and
    /// every host of the experiment has the same bandwidth, so this orders by RAM as CloudSim).
    VmIndex minimumMigrationTime(const std::vector<VmIndex>& migratable, HostIndex h) const
    {
        const double rate =
            m_c.hostSpec(h).bandwidthMbps * m_c.config().migrationBandwidthShare / 8;
        VmIndex best = kNoHost;
        double minMetric = std::numeric_limits<double>::max();
        for (const VmIndex j : migratable) {
            const double metric = m_c.vmSpec(j).ramMb / rate;
            if (metric < minMetric) {
                minMetric = metric;
                best = j;
            }
        }
        return best;
    }

    const ComputeCluster& m_c;
    const ConsolidationConfig& m_config;
    Shadow m_shadow;
    std::mt19937_64 m_rng;
    ConsolidationPlan m_plan;
};

} // namespace

ConsolidationPlan planConsolidation(const ComputeCluster& cluster,
                                    const ConsolidationConfig& config)
{
    return Planner(cluster, config).run();
}

twin::Status applyConsolidationPlan(ComputeCluster& cluster, const ConsolidationPlan& plan)
{
    for (const PlannedCommand& command : plan.commands) {
        twin::Status ok;
        switch (command.kind) {
        case PlannedCommand::Kind::PowerOn:
            ok = cluster.setHostPower(command.host, true);
            break;
        case PlannedCommand::Kind::PowerOff:
            ok = cluster.setHostPower(command.host, false);
            break;
        case PlannedCommand::Kind::Migrate:
            ok = cluster.migrate(command.vm, command.host, cluster.time());
            break;
        }
        if (!ok)
            return ok;
    }
    return {};
}

twin::Result<PabfdPlacement> placePabfd(ComputeCluster& cluster, const ConsolidationConfig& config)
{
    Shadow shadow(cluster, config, Demand::FullMips);
    std::vector<VmIndex> order;
    for (std::size_t j = 0; j < cluster.vmCount(); ++j)
        if (cluster.vmHost(j) == kNoHost)
            order.push_back(j);
    std::stable_sort(order.begin(), order.end(), [&](VmIndex a, VmIndex b) {
        return cluster.vmSpec(a).mips > cluster.vmSpec(b).mips;
    });
    const std::vector<std::uint8_t> none(cluster.hostCount(), 0);
    PabfdPlacement out;
    for (const VmIndex vm : order) {
        HostIndex h = shadow.findHost(vm, none, false, Demand::FullMips);
        if (h == kNoHost) {
            // CloudSim would fail the VM's creation and run without it; keep every VM.
            h = shadow.findHost(vm, none, false, Demand::FullMips, false);
            if (h != kNoHost)
                ++out.overloadIgnored;
        }
        if (h == kNoHost)
            return makeError(ErrorCode::InvalidArgument,
                             "PABFD found no host for VM '" + cluster.vmSpec(vm).id + "' (" +
                                 std::to_string(out.placed) +
                                 " placed before it); add hosts or switch them on");
        if (auto ok = cluster.place(vm, h); !ok)
            return ok.error();
        shadow.add(vm, h);
        ++out.placed;
    }
    return out;
}

} // namespace twindesk::policies
