#pragma once
// Shared helpers of the benchmark executables: elapsed seconds and the process's peak RSS.

#include <chrono>
#include <sys/resource.h>

namespace twindesk::bench {

using Clock = std::chrono::steady_clock;

inline double seconds(Clock::time_point a, Clock::time_point b)
{
    return std::chrono::duration<double>(b - a).count();
}

/// Peak resident set size of this process so far, in kB.
inline long peakRssKb()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

} // namespace twindesk::bench
