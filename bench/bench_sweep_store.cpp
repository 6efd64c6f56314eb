// bench_sweep_store: sweep results (twin/sweep_results.h) on both store back ends.
// Usage: bench_sweep_store [--postgres URL] [--variants N]
//   Always measures a new temporary project file; with --postgres also the shared store at URL
//   (the bench writes sweeps named "bench-*" and removes nothing).
// Patterns, N variants (default 1000) of a sweep, each row ~0.5 kB of JSON like `sweep --json`:
//   pods: N times "open the store, write one row" (what each Kubernetes pod does: connect,
//         which checks the schema, then one upsert);
//   retried: the same N rows written again (every pod retried: replace, not add);
//   whole: one write of N rows replacing the sweep (a local `sweep --store`);
//   open only: opening the store 50 times (no write), to tell the connection from the write;
//   read: read() of the N rows (`--collect-store`, the console's table), 20 times;
//   list: list() over the stored sweeps, 20 times.
// Exits 1 if a read returns the wrong number of rows. docs/benchmarks.md records the figures.
#include "bench_check.h"
#include "bench_util.h"

#include <twindesk/twin/pg_store.h>
#include <twindesk/twin/project_store.h>
#include <twindesk/twin/sweep_results.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

using namespace twindesk;
using bench::check;
using bench::Clock;
using bench::median;
using bench::p95;

namespace {

twin::SweepResultRow row(const std::string& sweep, int index, int count)
{
    char json[640];
    std::snprintf(
        json, sizeof json,
        R"({"run":"algorithm=LR-MMT-1.2 seed=%d","ok":true,"annual_heating_mwh":%.6f,)"
        R"("annual_cooling_mwh":%.6f,"electricity_kwh":%.3f,"gas_kwh":%.3f,)"
        R"("discomfort_kh":%.3f,"compute_kwh":%.3f,"migrations":%d,"slav":%.6g,)"
        R"("wall_time_s":%.3f,"state_hash":"%016x","index":%d,"variants":%d,)"
        R"("scenario":"/usr/share/twindesk/assets/scenarios/server-room-consolidation.json",)"
        R"("overrides":{"seed":"%d"},"twindesk_version":"0.1.0"})",
        index, 1.0 + index * 1e-3, 0.5, 650.0 + index, 1400.0 + index, 600.0 - index, 91.1,
        index % 17, 1e-4 * index, 0.05, index * 2654435761U, index, count, index);
    twin::SweepResultRow r;
    r.sweep = sweep;
    r.variantIndex = index;
    r.variantCount = count;
    r.label = "algorithm=LR-MMT-1.2 seed=" + std::to_string(index);
    r.ok = true;
    r.rowJson = json;
    r.version = "0.1.0";
    return r;
}

/// A store opened afresh (what a pod does), holding what it needs alive.
struct Opened
{
    std::unique_ptr<twin::ProjectStore> project;
    std::unique_ptr<twin::PgStore> shared;
    std::unique_ptr<twin::SweepResultStore> results;
};

void measure(const char* backend, const std::function<Opened()>& open, int variants)
{
    const std::string sweep =
        "bench-" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
    {
        // Opening alone (a pod's connection, schema check and session set-up), to tell it
        // from the write.
        std::vector<double> ms;
        for (int i = 0; i < 50; ++i) {
            const auto t0 = Clock::now();
            auto store = open();
            ms.push_back(bench::seconds(t0, Clock::now()) * 1e3);
        }
        std::printf("%s open only: median %.2f ms, p95 %.2f ms\n", backend, median(ms), p95(ms));
    }
    for (const char* pattern : {"pods", "retried"}) {
        std::vector<double> ms;
        const auto start = Clock::now();
        for (int i = 0; i < variants; ++i) {
            const auto t0 = Clock::now();
            auto store = open();
            const auto r = row(sweep, i, variants);
            check(store.results->write(std::span(&r, 1), twin::SweepWriteMode::ReplaceRows),
                  "writing a row");
            ms.push_back(bench::seconds(t0, Clock::now()) * 1e3);
        }
        const double total = bench::seconds(start, Clock::now());
        std::printf(
            "%s %s: %d × (open + write one row): median %.2f ms, p95 %.2f ms, %.0f rows/s\n",
            backend, pattern, variants, median(ms), p95(ms), variants / total);
    }
    auto store = open();
    std::vector<twin::SweepResultRow> rows;
    for (int i = 0; i < variants; ++i)
        rows.push_back(row(sweep + "-whole", i, variants));
    auto t0 = Clock::now();
    check(store.results->write(rows, twin::SweepWriteMode::ReplaceSweep), "writing a sweep");
    std::printf("%s whole: one write of %d rows: %.1f ms\n", backend, variants,
                bench::seconds(t0, Clock::now()) * 1e3);
    std::vector<double> readMs;
    for (int k = 0; k < 20; ++k) {
        t0 = Clock::now();
        const auto got = check(store.results->read(sweep), "reading the sweep");
        readMs.push_back(bench::seconds(t0, Clock::now()) * 1e3);
        if (static_cast<int>(got.size()) != variants)
            throw std::runtime_error("read " + std::to_string(got.size()) + " rows, expected " +
                                     std::to_string(variants));
    }
    std::vector<double> listMs;
    std::size_t sweeps = 0;
    for (int k = 0; k < 20; ++k) {
        t0 = Clock::now();
        sweeps = check(store.results->list(), "listing").size();
        listMs.push_back(bench::seconds(t0, Clock::now()) * 1e3);
    }
    std::printf("%s read: %d rows: median %.2f ms, p95 %.2f ms; list (%zu sweeps): median %.2f "
                "ms\n",
                backend, variants, median(readMs), p95(readMs), sweeps, median(listMs));
}

int benchMain(int argc, char** argv)
{
    std::string postgres;
    int variants = 1000;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--postgres" && i + 1 < argc)
            postgres = argv[++i];
        else if (arg == "--variants" && i + 1 < argc)
            variants = std::atoi(argv[++i]);
        else
            throw std::runtime_error("usage: bench_sweep_store [--postgres URL] [--variants N]");
    }
    const auto dir = std::filesystem::temp_directory_path() / "twindesk-bench-sweep-store";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const auto file = dir / "sweeps.twin";
    check(twin::ProjectStore::create(file), "creating the project");
    measure(
        "sqlite",
        [&] {
            Opened o;
            o.project = std::make_unique<twin::ProjectStore>(
                check(twin::ProjectStore::open(file), "opening the project"));
            o.results = std::make_unique<twin::SweepResultStore>(*o.project);
            return o;
        },
        variants);
    if (!postgres.empty())
        measure(
            "postgresql",
            [&] {
                Opened o;
                o.shared = std::make_unique<twin::PgStore>(
                    check(twin::PgStore::connect(postgres), "connecting"));
                o.results = std::make_unique<twin::SweepResultStore>(*o.shared);
                return o;
            },
            variants);
    std::filesystem::remove_all(dir);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    return bench::guardedMain("bench_sweep_store", benchMain, argc, argv);
}
