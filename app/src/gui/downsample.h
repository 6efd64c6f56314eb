#pragma once
/// \file downsample.h
/// Reducing a time series for drawing: the trends and the replay view's charts keep the minimum
/// and the maximum of each bucket, in time order, so a spike is never averaged away. Qt-free.

#include <algorithm>
#include <cstddef>
#include <vector>

namespace twindesk::app {

/// The indices of the samples to draw out of `n` (in time order), at most `maxPoints` (≥ 2):
/// every index when n ≤ maxPoints, else the minimum and the maximum of each of maxPoints ÷ 2
/// equal-count buckets, the earlier of the two first. `value(i)` gives sample i's value.
template <typename ValueOf>
std::vector<std::size_t> minMaxIndices(std::size_t n, std::size_t maxPoints, ValueOf value)
{
    std::vector<std::size_t> out;
    if (maxPoints < 2 || n == 0)
        return out;
    if (n <= maxPoints) {
        out.resize(n);
        for (std::size_t i = 0; i < n; ++i)
            out[i] = i;
        return out;
    }
    const std::size_t buckets = maxPoints / 2;
    out.reserve(buckets * 2);
    for (std::size_t b = 0; b < buckets; ++b) {
        const std::size_t lo = b * n / buckets;
        const std::size_t hi = (b + 1) * n / buckets;
        if (lo >= hi)
            continue;
        std::size_t mn = lo;
        std::size_t mx = lo;
        for (std::size_t i = lo + 1; i < hi; ++i) {
            if (value(i) < value(mn))
                mn = i;
            if (value(i) > value(mx))
                mx = i;
        }
        out.push_back(std::min(mn, mx));
        if (mx != mn)
            out.push_back(std::max(mn, mx));
    }
    return out;
}

} // namespace twindesk::app
