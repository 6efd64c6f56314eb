#pragma once
/// \file historian_rollup.h
/// Historian levels and retention (issue #7 §2): raw samples (`historian`), 1-minute and
/// 15-minute aggregates (`historian_1m`, `historian_15m`: min, max, mean, count per series and
/// bucket; t = the bucket's start, ms since the epoch), each kept for its own retention.
///
/// rollup() aggregates every *complete* bucket before `upToMs` that holds raw samples newer
/// than what was rolled up last time (kept in meta `historian_rolled_up_ms`): 1-minute buckets
/// from raw samples, 15-minute buckets from the 1-minute ones (mean weighted by count). A
/// bucket is written whole (INSERT OR REPLACE), so running it again changes nothing; the last
/// quarter-hour before the previous run's end is aggregated again, so a sample that arrived up
/// to 15 minutes late is folded into its bucket. Then samples older than each level's retention are
/// deleted — raw first, so a trend outlives its detail. One transaction; on error nothing
/// changes.

#include <twindesk/twin/project_store.h>
#include <twindesk/twin/result.h>

#include <cstdint>

namespace twindesk::twin {

struct Retention
{
    /// How long each level is kept, ms before `upToMs`; 0 keeps it forever.
    std::int64_t rawMs = 0;
    std::int64_t oneMinuteMs = 0;
    std::int64_t fifteenMinuteMs = 0;
};

struct RollupStats
{
    std::int64_t oneMinuteBuckets = 0;     ///< written (new or replaced)
    std::int64_t fifteenMinuteBuckets = 0; ///< written
    std::int64_t rawDeleted = 0;
    std::int64_t oneMinuteDeleted = 0;
    std::int64_t fifteenMinuteDeleted = 0;
};

inline constexpr std::int64_t kMinuteMs = 60'000;
inline constexpr std::int64_t kQuarterHourMs = 15 * kMinuteMs;

/// Aggregates and applies retention up to `upToMs` (see the file comment).
Result<RollupStats> rollup(ProjectStore& store, std::int64_t upToMs, const Retention& retention);

/// Parses a retention spec "raw=7d,1m=90d,15m=0" (units s, min, h, d; 0 = forever; levels
/// not named keep their default of forever). Errors name the part that is wrong.
Result<Retention> parseRetention(std::string_view spec);

} // namespace twindesk::twin
