#pragma once
/// \file historian.h
/// Historian: the time-series store behind a project, whichever back end holds it. Two
/// implementations: ProjectStore (the project's own SQLite file, the default, no server) and
/// PgStore (a shared PostgreSQL 15 database, see docs/store.md). Both give the same semantics,
/// checked by the same tests (tests/twin/tst_historian_backends.cpp):
/// - a sample at an existing (point, time) replaces it (last one wins inside a batch too);
/// - every append is one transaction: it stores all of its samples or none;
/// - a NaN value is stored as NULL (bad quality); latestSamples() reads it back as NaN,
///   samples() as 0.0 (the SQLite file's behaviour since v2, kept on both back ends);
/// - series ids are stable for the life of the store and never reused.
/// Times are milliseconds since the Unix epoch (UTC). Thread affinity: one thread at a time
/// per object (one connection); several objects (threads, processes) may share one store.

#include <twindesk/twin/result.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace twindesk::twin {

/// One historian sample. `time` is milliseconds since the Unix epoch (UTC).
struct Sample
{
    std::string point; ///< point entity id (IRI)
    std::int64_t time = 0;
    double value = 0.0;
    bool operator==(const Sample&) const = default;
};

/// A sample of a series whose id the writer resolved up front (Historian::seriesId).
struct SeriesSample
{
    std::int64_t series = 0;
    std::int64_t time = 0; ///< ms since the Unix epoch
    double value = 0.0;
};

class Historian
{
public:
    Historian() = default;
    virtual ~Historian() = default;
    Historian(const Historian&) = delete;
    Historian& operator=(const Historian&) = delete;

    /// Where the store is, for messages: the project file path or the PostgreSQL URL
    /// (without its password).
    [[nodiscard]] virtual std::string location() const = 0;

    /// Appends samples in one transaction (a sample at an existing (point, time) replaces it).
    virtual Status appendSamples(std::span<const Sample> samples) = 0;
    /// Samples of one point with from <= time < to, ordered by time.
    [[nodiscard]] virtual Result<std::vector<Sample>> samples(const std::string& point,
                                                              std::int64_t from,
                                                              std::int64_t to) const = 0;
    [[nodiscard]] virtual Result<std::int64_t> sampleCount() const = 0;
    /// The latest sample of every series at or before `atOrBefore` (ms since the epoch):
    /// what a point read then. Value NaN for a bad-quality (NULL) sample. Points without a
    /// sample by then are left out. Ordered by point.
    [[nodiscard]] virtual Result<std::vector<Sample>> latestSamples(
        std::int64_t atOrBefore) const = 0;
    /// First and last sample time in the historian (ms), std::nullopt when it is empty.
    [[nodiscard]] virtual Result<std::optional<std::pair<std::int64_t, std::int64_t>>>
    historianRange() const = 0;

    /// Hot path for writers that know their points up front (the simulator, the live
    /// historian): resolve each point to a series id once (creating the series if needed; safe
    /// when several writers resolve the same point at once), then append (series, time, value)
    /// rows in large batches, one transaction per batch.
    virtual Result<std::int64_t> seriesId(const std::string& point) = 0;
    virtual Status appendSeries(std::span<const SeriesSample> samples) = 0;

protected:
    Historian(Historian&&) noexcept = default;
    Historian& operator=(Historian&&) noexcept = default;
};

} // namespace twindesk::twin
