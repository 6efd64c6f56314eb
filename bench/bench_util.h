#pragma once
// Shared helpers of the benchmark executables: elapsed seconds, the process's peak RSS, main().

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <sys/resource.h>
#include <vector>

namespace twindesk::bench {

using Clock = std::chrono::steady_clock;

inline double seconds(Clock::time_point a, Clock::time_point b)
{
    return std::chrono::duration<double>(b - a).count();
}

/// The value below which a fraction `p` (0..1) of `v` lies (nearest rank); 0 when empty.
inline double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0.0;
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}
inline double median(std::vector<double> v)
{
    if (v.empty())
        return 0.0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}
inline double p95(std::vector<double> v)
{
    return percentile(std::move(v), 0.95);
}

/// Peak resident set size of this process so far, in kB.
inline long peakRssKb()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

/// The body of a benchmark's main(): runs `run`; an exception escaping it is printed as
/// "<name>: <what>" and exits 1.
inline int guardedMain(const char* name, int (*run)(int, char**), int argc, char** argv)
{
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", name, e.what());
        return 1;
    }
}

} // namespace twindesk::bench
