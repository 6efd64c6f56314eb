// bench_store: the historian on both store back ends — ingest rate and query latency of one day
// of 500 zones at 1-minute resolution (720 000 samples).
// Usage: bench_store [--postgres URL] [--zones N] [--minutes M]
//   Always measures the project's SQLite file (a new temporary project); with --postgres also
//   the shared store at URL (an empty database: the bench writes series "urn:bench:*" and
//   refuses a database that already holds samples).
// Two ingest patterns per back end, each into series of its own:
//   live: one appendSeries() batch per minute (N samples), as a live loop writes;
//   bulk: batches of 100 minutes (100·N samples), as an import or a simulation writes.
// Query latency on the live-ingested day (before the bulk pattern runs): samples() of one
// zone over the whole day (M rows), samples() of one hour, latestSamples() at a random minute
// (N rows), sampleCount().
// Prints one line per figure; docs/benchmarks.md records them with the command.
#include "bench_check.h"
#include "bench_util.h"

#include <twindesk/twin/pg_store.h>
#include <twindesk/twin/project_store.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

using namespace twindesk;
using bench::check;
using bench::Clock;
using bench::median;
using bench::p95;

namespace {

constexpr std::int64_t kDayStart = 1'700'006'400'000; // 2023-11-15 00:00 UTC
constexpr std::int64_t kMinute = 60'000;

struct Options
{
    std::string postgres;
    int zones = 500;
    int minutes = 1440;
};

// Zone air temperature: smooth daily swing plus a per-zone offset (deterministic).
double value(int zone, int minute)
{
    return 21.0 + 0.01 * zone + 2.0 * static_cast<double>((minute * 7 + zone) % 240) / 240.0;
}

std::vector<std::int64_t> makeSeries(twin::Historian& h, const std::string& prefix, int zones)
{
    std::vector<std::int64_t> ids;
    for (int z = 0; z < zones; ++z)
        ids.push_back(check(h.seriesId(prefix + std::to_string(z)), "resolving a series"));
    return ids;
}

double ingest(twin::Historian& h, const std::vector<std::int64_t>& ids, int minutes,
              int minutesPerBatch)
{
    std::vector<twin::SeriesSample> batch;
    const auto t0 = Clock::now();
    for (int m0 = 0; m0 < minutes; m0 += minutesPerBatch) {
        batch.clear();
        for (int m = m0; m < std::min(minutes, m0 + minutesPerBatch); ++m)
            for (std::size_t z = 0; z < ids.size(); ++z)
                batch.push_back({ids[z], kDayStart + m * kMinute, value(static_cast<int>(z), m)});
        check(h.appendSeries(batch), "appending a batch");
    }
    return bench::seconds(t0, Clock::now());
}

void run(const char* name, twin::Historian& live, twin::Historian& bulk, const Options& o)
{
    const auto samples = static_cast<double>(o.zones) * o.minutes;
    const auto liveIds = makeSeries(live, "urn:bench:live:zone", o.zones);
    const double tLive = ingest(live, liveIds, o.minutes, 1);
    std::printf("%s ingest live (1 batch/minute of %d): %.2f s, %.0f samples/s, %.2f ms/batch\n",
                name, o.zones, tLive, samples / tLive, 1e3 * tLive / o.minutes);
    if (check(live.sampleCount(), "counting") != static_cast<std::int64_t>(samples))
        throw std::runtime_error("sample count after ingest is wrong");

    std::mt19937_64 rng(42);
    std::uniform_int_distribution<int> zone(0, o.zones - 1);
    std::uniform_int_distribution<int> minute(0, o.minutes - 1);
    std::vector<double> day, hour, latest, count;
    for (int i = 0; i < 200; ++i) {
        const auto point = "urn:bench:live:zone" + std::to_string(zone(rng));
        auto t0 = Clock::now();
        const auto rows = check(live.samples(point, kDayStart, kDayStart + o.minutes * kMinute),
                                "querying a day");
        day.push_back(1e3 * bench::seconds(t0, Clock::now()));
        if (rows.size() != static_cast<std::size_t>(o.minutes))
            throw std::runtime_error("a day query returned the wrong number of rows");
        const std::int64_t from = kDayStart + minute(rng) * kMinute;
        t0 = Clock::now();
        (void)check(live.samples(point, from, from + 60 * kMinute), "querying an hour");
        hour.push_back(1e3 * bench::seconds(t0, Clock::now()));
    }
    for (int i = 0; i < 30; ++i) {
        auto t0 = Clock::now();
        const auto rows = check(live.latestSamples(kDayStart + minute(rng) * kMinute), "latest");
        latest.push_back(1e3 * bench::seconds(t0, Clock::now()));
        if (rows.size() != static_cast<std::size_t>(o.zones))
            throw std::runtime_error("latestSamples returned the wrong number of rows");
        t0 = Clock::now();
        (void)check(live.sampleCount(), "counting");
        count.push_back(1e3 * bench::seconds(t0, Clock::now()));
    }
    std::printf("%s query one zone, whole day (%d rows): median %.3f ms, p95 %.3f ms\n", name,
                o.minutes, median(day), p95(day));
    std::printf("%s query one zone, one hour (60 rows): median %.3f ms, p95 %.3f ms\n", name,
                median(hour), p95(hour));
    std::printf("%s latestSamples at a minute (%d rows): median %.2f ms, p95 %.2f ms\n", name,
                o.zones, median(latest), p95(latest));
    std::printf("%s sampleCount (%.0f rows): median %.2f ms\n", name, samples, median(count));
    // Last, so the queries above see exactly the live day (the bulk series may share the
    // database, as on PostgreSQL).
    const auto bulkIds = makeSeries(bulk, "urn:bench:bulk:zone", o.zones);
    const double tBulk = ingest(bulk, bulkIds, o.minutes, 100);
    std::printf("%s ingest bulk (batches of %d): %.2f s, %.0f samples/s\n", name, 100 * o.zones,
                tBulk, samples / tBulk);
}

int benchMain(int argc, char** argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--postgres" && i + 1 < argc)
            o.postgres = argv[++i];
        else if (arg == "--zones" && i + 1 < argc)
            o.zones = std::atoi(argv[++i]);
        else if (arg == "--minutes" && i + 1 < argc)
            o.minutes = std::atoi(argv[++i]);
        else
            throw std::runtime_error("unknown argument '" + arg +
                                     "'; usage: bench_store [--postgres URL] [--zones N] "
                                     "[--minutes M]");
    }
    if (o.zones < 1 || o.minutes < 1)
        throw std::runtime_error("--zones and --minutes must be at least 1");
    std::printf("day: %d zones x %d minutes = %ld samples per pattern\n", o.zones, o.minutes,
                static_cast<long>(o.zones) * o.minutes);

    const auto dir = std::filesystem::temp_directory_path() / "twindesk-bench-store";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    {
        auto live = check(twin::ProjectStore::create(dir / "live.twin"), "creating a project");
        auto bulk = check(twin::ProjectStore::create(dir / "bulk.twin"), "creating a project");
        run("sqlite", live, bulk, o);
        std::printf("sqlite file size (live day): %.1f MB\n",
                    static_cast<double>(std::filesystem::file_size(dir / "live.twin")) / 1e6);
    }
    std::filesystem::remove_all(dir);

    if (!o.postgres.empty()) {
        auto live = check(twin::PgStore::connect(o.postgres), "connecting to PostgreSQL");
        if (check(live.sampleCount(), "counting") != 0)
            throw std::runtime_error("the database at " + live.location() +
                                     " already holds samples: give the bench an empty one");
        // Both patterns into one database: the bulk one writes other series, after the
        // queries on the live day.
        auto bulk = check(twin::PgStore::connect(o.postgres), "connecting to PostgreSQL");
        run("postgresql", live, bulk, o);
        std::printf("postgresql table size (both patterns): %s\n",
                    check(live.queryText("SELECT pg_size_pretty(pg_total_relation_size("
                                         "'historian'))"),
                          "sizing")
                        .value_or("?")
                        .c_str());
    }
    std::printf("peak RSS: %ld kB\n", bench::peakRssKb());
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    return bench::guardedMain("bench_store", benchMain, argc, argv);
}
