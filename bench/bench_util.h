#pragma once
// Shared helpers of the benchmark executables: elapsed seconds, the process's peak RSS, main().

#include <chrono>
#include <cstdio>
#include <exception>
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
