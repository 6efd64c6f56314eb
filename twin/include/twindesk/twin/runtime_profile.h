#pragma once
/// \file runtime_profile.h
/// The properties of each workload runtime kind (WorkloadType): start-up latency (cold, and
/// warm from a pre-started pool), memory and CPU overhead, isolation class, cost per hour and
/// whether it can hold a GPU. The defaults are documented, with their sources, in
/// docs/runtimes.md; a scenario overrides any of them (`runtimes.profiles`).
///
/// Start-up latency is a log-normal distribution given by its median and 95th percentile
/// (σ = ln(p95 / median) / 1.644854, μ = ln median): start-up times are positive and
/// right-skewed (an image pull, a cold page cache). sim/runtime.h draws from it with the
/// project's own seeded normal variate, and policies plan lead times from its quantiles.
/// Plain data, no state; thread-safe.

#include <twindesk/twin/entity.h>
#include <twindesk/twin/result.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace twindesk::twin {

/// How strongly a runtime isolates a workload from its neighbours, weakest first (the order is
/// meaningful: a need for class C is met by C and every stronger class).
enum class IsolationClass : std::uint8_t {
    SharedKernel,    ///< namespaces + cgroups on the host kernel (containers)
    LanguageSandbox, ///< a memory-safe VM with capability-based access (WebAssembly)
    SandboxedKernel, ///< a user-space or per-pod kernel between workload and host (gVisor, Kata)
    Hardware,        ///< hardware virtualisation, own guest kernel (microVMs, full VMs)
};
std::string_view isolationClassName(IsolationClass isolation); ///< "shared-kernel", ...
std::optional<IsolationClass> parseIsolationClass(std::string_view text);

/// A log-normal start-up latency, s.
struct StartupLatency
{
    double medianS = 1.0;
    double p95S = 2.0; ///< >= medianS

    /// σ of the underlying normal: ln(p95 / median) / z(0.95).
    [[nodiscard]] double sigma() const;
    /// The q-quantile (0 < q < 1), s: median × exp(σ × z(q)), z the standard normal quantile
    /// (Acklam's rational approximation, |error| < 1.2e-9).
    [[nodiscard]] double quantile(double q) const;
};

/// z(q): the standard normal quantile, 0 < q < 1 (Acklam's approximation, |error| < 1.2e-9).
double normalQuantile(double q);

struct RuntimeProfile
{
    WorkloadType kind = WorkloadType::None;
    StartupLatency cold;   ///< from nothing (image or kernel to load)
    StartupLatency warm;   ///< from an idle pre-started instance of the warm pool
    double stopS = 1.0;    ///< requested stop → gone, s (resources held until then)
    double memoryOverheadMb = 0.0; ///< per instance, on top of the workload's own memory
    double cpuOverhead = 0.0;      ///< fraction added to the workload's CPU demand
    IsolationClass isolation = IsolationClass::SharedKernel;
    double costPerCoreHour = 0.0; ///< instance price per vCPU-hour (currency units, e.g. €)
    /// An idle warm-pool instance costs this fraction of a 1-vCPU instance's hourly price.
    double warmIdleCostFraction = 0.25;
    bool gpuCapable = false; ///< can be given a GPU (passthrough / device plugin)
    double maxCores = 0.0;   ///< largest sensible instance, vCPUs (0: no limit)

    /// Checks positivity and order (median > 0, p95 >= median, fractions in range); the error
    /// names `where` and the field.
    [[nodiscard]] Status validate(std::string_view where) const;
};

/// The documented defaults of every runtime kind (docs/runtimes.md), in WorkloadType order
/// without None: VirtualMachine, Container, MicroVm, WasmModule, SandboxedContainer.
const std::array<RuntimeProfile, 5>& defaultRuntimeProfiles();
/// The default of one kind; kind None gives the full VM's.
const RuntimeProfile& defaultRuntimeProfile(WorkloadType kind);

/// GPUs a compute host carries: the host entity's attributes `gpuCount`, `gpuMemoryGb`,
/// `gpuIdleW`, `gpuBusyW` (td:gpuCount, ... in a Brick model). count 0: none.
struct GpuSpec
{
    int count = 0;
    double memoryGb = 0.0; ///< per GPU
    double idleW = 0.0;    ///< per GPU, powered but unused
    double busyW = 0.0;    ///< per GPU, serving a workload
};
/// Reads a host entity's GPU attributes (absent → count 0). Errors name the entity and the
/// attribute when a value is negative or not a number.
Result<GpuSpec> gpuSpecOf(const Entity& host);

} // namespace twindesk::twin
