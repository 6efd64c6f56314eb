#include <twindesk/twin/runtime_profile.h>

#include <cmath>
#include <string>

namespace twindesk::twin {

namespace {

constexpr double kZ95 = 1.6448536269514722;

constexpr std::array kIsolationNames{
    std::pair{IsolationClass::SharedKernel, std::string_view{"shared-kernel"}},
    std::pair{IsolationClass::LanguageSandbox, std::string_view{"language-sandbox"}},
    std::pair{IsolationClass::SandboxedKernel, std::string_view{"sandboxed-kernel"}},
    std::pair{IsolationClass::Hardware, std::string_view{"hardware"}},
};

RuntimeProfile make(WorkloadType kind, StartupLatency cold, StartupLatency warm, double stopS,
                    double memMb, double cpu, IsolationClass iso, double cost, bool gpu,
                    double maxCores)
{
    RuntimeProfile p;
    p.kind = kind;
    p.cold = cold;
    p.warm = warm;
    p.stopS = stopS;
    p.memoryOverheadMb = memMb;
    p.cpuOverhead = cpu;
    p.isolation = iso;
    p.costPerCoreHour = cost;
    p.gpuCapable = gpu;
    p.maxCores = maxCores;
    return p;
}

} // namespace

std::string_view isolationClassName(IsolationClass isolation)
{
    for (const auto& [c, n] : kIsolationNames)
        if (c == isolation)
            return n;
    return "shared-kernel";
}

std::optional<IsolationClass> parseIsolationClass(std::string_view text)
{
    for (const auto& [c, n] : kIsolationNames)
        if (n == text)
            return c;
    return std::nullopt;
}

double normalQuantile(double q)
{
    // P. J. Acklam's rational approximation of the inverse normal CDF.
    static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                   -2.759285104469687e+02, 1.383577518672690e+02,
                                   -3.066479806614716e+01, 2.506628277459239e+00};
    static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                   -1.556989798598866e+02, 6.680131188771972e+01,
                                   -1.328068155288572e+01};
    static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                   -2.400758277161838e+00, -2.549732539343734e+00,
                                   4.374664141464968e+00,  2.938163982698783e+00};
    static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                   2.445134137142996e+00, 3.754408661907416e+00};
    if (!(q > 0.0 && q < 1.0))
        return std::nan("");
    constexpr double low = 0.02425;
    if (q < low) {
        const double t = std::sqrt(-2.0 * std::log(q));
        return (((((c[0] * t + c[1]) * t + c[2]) * t + c[3]) * t + c[4]) * t + c[5]) /
               ((((d[0] * t + d[1]) * t + d[2]) * t + d[3]) * t + 1.0);
    }
    if (q > 1.0 - low) {
        const double t = std::sqrt(-2.0 * std::log(1.0 - q));
        return -(((((c[0] * t + c[1]) * t + c[2]) * t + c[3]) * t + c[4]) * t + c[5]) /
               ((((d[0] * t + d[1]) * t + d[2]) * t + d[3]) * t + 1.0);
    }
    const double u = q - 0.5;
    const double r = u * u;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * u /
           (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
}

double StartupLatency::sigma() const
{
    return std::log(p95S / medianS) / kZ95;
}

double StartupLatency::quantile(double q) const
{
    return medianS * std::exp(sigma() * normalQuantile(q));
}

Status RuntimeProfile::validate(std::string_view where) const
{
    auto fail = [&](const std::string& what) -> Status {
        return makeError(ErrorCode::InvalidArgument,
                         std::string(workloadTypeName(kind)) + " runtime: " + what,
                         std::string(where));
    };
    for (const auto* l : {&cold, &warm}) {
        const char* name = l == &cold ? "cold" : "warm";
        if (!(l->medianS > 0.0) || !std::isfinite(l->medianS))
            return fail(std::string(name) + " start-up median must be > 0 s");
        if (!(l->p95S >= l->medianS) || !std::isfinite(l->p95S))
            return fail(std::string(name) + " start-up p95 must be >= its median");
    }
    if (!(stopS >= 0.0) || !std::isfinite(stopS))
        return fail("stop time must be >= 0 s");
    if (!(memoryOverheadMb >= 0.0) || !std::isfinite(memoryOverheadMb))
        return fail("memory overhead must be >= 0 MB");
    if (!(cpuOverhead >= 0.0 && cpuOverhead <= 10.0))
        return fail("CPU overhead must be within 0..10 (a fraction of the workload's demand)");
    if (!(costPerCoreHour >= 0.0) || !std::isfinite(costPerCoreHour))
        return fail("cost per vCPU-hour must be >= 0");
    if (!(warmIdleCostFraction >= 0.0 && warmIdleCostFraction <= 1.0))
        return fail("warm idle cost fraction must be within 0..1");
    if (!(maxCores >= 0.0) || !std::isfinite(maxCores))
        return fail("max cores must be >= 0 (0: no limit)");
    return {};
}

const std::array<RuntimeProfile, 5>& defaultRuntimeProfiles()
{
    using I = IsolationClass;
    using W = WorkloadType;
    // Sources and reasoning for every figure: docs/runtimes.md.
    static const std::array<RuntimeProfile, 5> kProfiles{
        make(W::VirtualMachine, {40.0, 90.0}, {2.0, 5.0}, 10.0, 150.0, 0.05, I::Hardware, 0.048,
             true, 0.0),
        make(W::Container, {2.0, 6.0}, {0.3, 0.8}, 2.0, 5.0, 0.01, I::SharedKernel, 0.040, true,
             0.0),
        make(W::MicroVm, {0.8, 2.0}, {0.05, 0.15}, 0.5, 30.0, 0.03, I::Hardware, 0.044, false,
             32.0),
        make(W::WasmModule, {0.02, 0.08}, {0.001, 0.005}, 0.01, 2.0, 0.30, I::LanguageSandbox,
             0.030, false, 1.0),
        make(W::SandboxedContainer, {3.0, 8.0}, {0.5, 1.5}, 2.0, 40.0, 0.10, I::SandboxedKernel,
             0.042, true, 0.0),
    };
    return kProfiles;
}

const RuntimeProfile& defaultRuntimeProfile(WorkloadType kind)
{
    for (const auto& p : defaultRuntimeProfiles())
        if (p.kind == kind)
            return p;
    return defaultRuntimeProfiles()[0];
}

Result<GpuSpec> gpuSpecOf(const Entity& host)
{
    GpuSpec g;
    auto read = [&](std::string_view key, double& out) -> Status {
        const auto* a = host.attribute(key);
        if (a == nullptr)
            return {};
        const auto v = host.number(key);
        if (!v || !std::isfinite(*v) || *v < 0.0)
            return makeError(ErrorCode::InvalidArgument,
                             "attribute " + std::string(key) + " = '" + a->value +
                                 "' must be a number >= 0",
                             "host '" + host.id + "'");
        out = *v;
        return {};
    };
    double count = 0.0;
    if (auto st = read("gpuCount", count); !st)
        return st.error();
    if (count != std::floor(count))
        return makeError(ErrorCode::InvalidArgument, "attribute gpuCount must be a whole number",
                         "host '" + host.id + "'");
    g.count = static_cast<int>(count);
    for (auto [key, out] : {std::pair{"gpuMemoryGb", &g.memoryGb}, std::pair{"gpuIdleW", &g.idleW},
                            std::pair{"gpuBusyW", &g.busyW}})
        if (auto st = read(key, *out); !st)
            return st.error();
    if (g.busyW < g.idleW)
        return makeError(ErrorCode::InvalidArgument, "gpuBusyW must be >= gpuIdleW",
                         "host '" + host.id + "'");
    return g;
}

} // namespace twindesk::twin
