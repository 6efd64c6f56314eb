// bench_consolidation: the PlanetLab experiment of Beloglazov & Buyya 2012 (CloudSim 3.0's power
// examples) on one day: 800 hosts, one VM per trace, CloudSim accounting, 288 steps of 300 s,
// a consolidation round after every step but the last, its plan applied through the cluster's
// commands. Prints per policy: energy, migrations, SLATAH, PDM, SLAV, ESV, host shutdowns,
// run time and the process's peak RSS so far.
// Usage: bench_consolidation [DAY_FOLDER] [POLICY...]
//   DAY_FOLDER defaults to ../shared/anchors/planetlab/20110303 (run from the source root);
//   POLICY is NPA, DVFS or DETECTOR-SELECTION-PARAMETER (e.g. LR-MMT-1.2); default: NPA, DVFS,
//   THR-MMT-0.8, IQR-MMT-1.5, MAD-MMT-2.5, LR-MMT-1.2, LRR-MMT-1.2, LR-MC-1.2, LR-RS-1.2,
//   LR-MU-1.2. docs/consolidation.md records the figures.
#include "bench_util.h"

#include <twindesk/policies/consolidation.h>
#include <twindesk/sim/compute.h>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

using namespace twindesk;
using namespace twindesk::sim;
using twindesk::bench::Clock;
using twindesk::bench::peakRssKb;
using twindesk::bench::seconds;

namespace {

constexpr std::size_t kHosts = 800;
constexpr Seconds kStep = 300;
constexpr int kSteps = 288;

struct Outcome
{
    ComputeMetrics metrics;
    double energyKwh = 0.0;
    std::size_t poweredOff = 0;
    std::size_t poweredOn = 0;
    std::size_t notPlaced = 0;
    std::size_t invariantBreaks = 0;
    std::size_t overloadIgnored = 0;
    double planSeconds = 0.0;
};

// Every VM placed, no host's allocation above its MIPS.
std::size_t invariantBreaks(const ComputeCluster& cluster)
{
    std::size_t breaks = 0;
    for (std::size_t j = 0; j < cluster.vmCount(); ++j)
        if (cluster.vmHost(j) == kNoHost)
            ++breaks;
    for (std::size_t h = 0; h < cluster.hostCount(); ++h)
        if (cluster.hostAllocatedMips(h) > cluster.hostTotalMips(h) * (1 + 1e-9))
            ++breaks;
    return breaks;
}

MemoryRule gMemoryRule = MemoryRule::Always;

twin::Result<Outcome> runPolicy(const std::vector<VmSpec>& vms, const std::string& policy)
{
    ComputeConfig config;
    config.accounting = Accounting::CloudSim;
    config.memoryRule = gMemoryRule;
    auto made = ComputeCluster::make(planetLabHosts(kHosts), vms, config);
    if (!made)
        return made.error();
    ComputeCluster& cluster = *made;
    const bool npa = policy == "NPA";
    const bool dvfs = policy == "DVFS";
    policies::ConsolidationConfig consolidation;
    if (!npa && !dvfs) {
        auto parsed = policies::ConsolidationConfig::parse(policy);
        if (!parsed)
            return parsed.error();
        consolidation = *parsed;
    }
    if (npa || dvfs) {
        if (auto placed = placeFirstFit(cluster); !placed)
            return placed.error();
    }
    Outcome out;
    if (!npa && !dvfs) {
        auto placed = policies::placePabfd(cluster, consolidation);
        if (!placed)
            return placed.error();
        out.overloadIgnored = placed->overloadIgnored;
    }

    for (int k = 0; k < kSteps; ++k) {
        if (auto ok = cluster.step(k * kStep, kStep); !ok)
            return ok.error();
        out.invariantBreaks += invariantBreaks(cluster);
        if (npa || dvfs || k + 1 == kSteps)
            continue;
        const auto p0 = Clock::now();
        const policies::ConsolidationPlan plan =
            policies::planConsolidation(cluster, consolidation);
        out.planSeconds += seconds(p0, Clock::now());
        out.poweredOff += plan.hostsPoweredOff;
        out.poweredOn += plan.hostsPoweredOn;
        out.notPlaced += plan.vmsNotPlaced;
        if (auto ok = policies::applyConsolidationPlan(cluster, plan); !ok)
            return ok.error();
    }
    out.metrics = cluster.metrics();
    out.energyKwh = out.metrics.energyKwh;
    if (npa) {
        // PowerDatacenterNonPowerAware: every host at full power all the time.
        double watts = 0.0;
        for (std::size_t h = 0; h < cluster.hostCount(); ++h)
            watts += cluster.hostSpec(h).power.powerAt(1.0);
        out.energyKwh = watts * out.metrics.simulatedSeconds / 3.6e6;
    }
    return out;
}

int run(int argc, char** argv)
{
    const std::filesystem::path folder =
        argc > 1 ? argv[1] : "../shared/anchors/planetlab/20110303";
    std::vector<std::string> policyNames;
    for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--memory=placement")
            gMemoryRule = MemoryRule::PlacementOnly; // CloudSim 3.0's books
        else if (arg == "--memory=always")
            gMemoryRule = MemoryRule::Always;
        else
            policyNames.push_back(arg);
    }
    if (policyNames.empty())
        policyNames = {"NPA",        "DVFS",        "THR-MMT-0.8", "IQR-MMT-1.5", "MAD-MMT-2.5",
                       "LR-MMT-1.2", "LRR-MMT-1.2", "LR-MC-1.2",   "LR-RS-1.2",   "LR-MU-1.2"};

    const auto t0 = Clock::now();
    auto vms = loadPlanetLabDay(folder);
    if (!vms) {
        std::fprintf(stderr, "%s\n", vms.error().toString().c_str());
        return 1;
    }
    std::printf("day %s: %zu VMs on %zu hosts, %d steps x %lld s, CloudSim accounting (load "
                "%.3f s)\n",
                folder.string().c_str(), vms->size(), kHosts, kSteps, static_cast<long long>(kStep),
                seconds(t0, Clock::now()));
    std::printf("%-12s %9s %6s %8s %8s %10s %10s %6s %6s %7s %7s %8s %4s %5s\n", "policy", "kWh",
                "migr", "SLATAH%", "PDM%", "SLAV(e-5)", "ESV(e-3)", "shutd", "offs", "run s",
                "plan s", "RSS MB", "inv", "forced");
    for (const std::string& policy : policyNames) {
        const auto s0 = Clock::now();
        auto outcome = runPolicy(*vms, policy);
        const double elapsed = seconds(s0, Clock::now());
        if (!outcome) {
            std::fprintf(stderr, "%s: %s\n", policy.c_str(), outcome.error().toString().c_str());
            return 1;
        }
        const ComputeMetrics& m = outcome->metrics;
        const double slav = m.slav; // ESV below uses the bench's energy (NPA's differs)
        std::printf("%-12s %9.2f %6lld %8.2f %8.3f %10.3f %10.3f %6lld %6zu %7.3f %7.3f %8.1f "
                    "%4zu %5zu\n",
                    policy.c_str(), outcome->energyKwh, static_cast<long long>(m.migrations),
                    100 * m.slatah, 100 * m.pdm, 1e5 * slav, 1e3 * outcome->energyKwh * slav,
                    static_cast<long long>(m.hostShutdowns), outcome->poweredOff, elapsed,
                    outcome->planSeconds, static_cast<double>(peakRssKb()) / 1024.0,
                    outcome->invariantBreaks, outcome->overloadIgnored);
        std::fflush(stdout);
    }
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    return twindesk::bench::guardedMain("bench_consolidation", run, argc, argv);
}
