// bench_compute: one PlanetLab day on the Beloglazov & Buyya fleet (800 hosts), first-fit
// placement, no migrations, 288 steps of 300 s. Prints load, step and total time and peak RSS.
// Usage: bench_compute [DAY_FOLDER] [HOSTS]   (defaults: ../shared/anchors/planetlab/20110303,
// 800 — run from the source root). Prints one line per figure; docs/benchmarks.md records them.
#include "bench_util.h"

#include <twindesk/sim/compute.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>

using namespace twindesk::sim;
using twindesk::bench::Clock;
using twindesk::bench::peakRssKb;
using twindesk::bench::seconds;

namespace {

int run(int argc, char** argv)
{
    const std::filesystem::path folder =
        argc > 1 ? argv[1] : "../shared/anchors/planetlab/20110303";
    const std::size_t hostCount = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 800;
    constexpr Seconds kStep = 300;
    constexpr int kSteps = 288;

    const auto t0 = Clock::now();
    auto vms = loadPlanetLabDay(folder);
    if (!vms) {
        std::fprintf(stderr, "%s\n", vms.error().toString().c_str());
        return 1;
    }
    const auto t1 = Clock::now();
    const std::size_t vmCount = vms->size();

    for (const Accounting accounting : {Accounting::Physical, Accounting::CloudSim}) {
        const char* name = accounting == Accounting::Physical ? "physical" : "cloudsim";
        const auto s0 = Clock::now();
        ComputeConfig config;
        config.accounting = accounting;
        auto cluster = ComputeCluster::make(planetLabHosts(hostCount), *vms, config);
        if (!cluster) {
            std::fprintf(stderr, "%s\n", cluster.error().toString().c_str());
            return 1;
        }
        auto placed = placeFirstFit(*cluster);
        if (!placed) {
            std::fprintf(stderr, "%s\n", placed.error().toString().c_str());
            return 1;
        }
        std::size_t used = 0;
        for (std::size_t h = 0; h < cluster->hostCount(); ++h) {
            if (!cluster->hostVms(h).empty())
                ++used;
            else if (accounting == Accounting::Physical)
                (void)cluster->setHostPower(h, false); // DVFS-style: idle servers off
        }
        const auto s1 = Clock::now();
        for (int k = 0; k < kSteps; ++k) {
            if (auto ok = cluster->step(k * kStep, kStep); !ok) {
                std::fprintf(stderr, "%s\n", ok.error().toString().c_str());
                return 1;
            }
        }
        const auto s2 = Clock::now();
        const ComputeMetrics m = cluster->metrics();
        std::printf("[%s] build + first fit   %.4f s (%zu VMs on %zu of %zu hosts)\n", name,
                    seconds(s0, s1), *placed, used, cluster->hostCount());
        std::printf("[%s] %d steps × %lld s   %.4f s (%.1f µs/step)\n", name, kSteps,
                    static_cast<long long>(kStep), seconds(s1, s2), 1e6 * seconds(s1, s2) / kSteps);
        std::printf("[%s] energy             %.2f kWh, SLATAH %.4f, PDM %.4f, shutdowns %lld\n",
                    name, m.energyKwh, m.slatah, m.pdm, static_cast<long long>(m.hostShutdowns));
    }
    const auto t2 = Clock::now();
    std::printf("day                       %s (%zu VMs)\n", folder.string().c_str(), vmCount);
    std::printf("load traces               %.4f s\n", seconds(t0, t1));
    std::printf("total                     %.4f s\n", seconds(t0, t2));
    std::printf("peak RSS                  %.1f MB\n", static_cast<double>(peakRssKb()) / 1024.0);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    return twindesk::bench::guardedMain("bench_compute", run, argc, argv);
}
