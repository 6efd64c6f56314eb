// bench_decision_log: cost of the audit write in the decision loop, and of verifying the chain.
// Usage: bench_decision_log [ROWS] [BATCH]   (defaults 200000 and 256)
// Appends ROWS realistic decisions (≈300-byte inputs JSON) to a new temporary project, timing
// every append() (which includes the batch flush when it happens), then verifies the whole log.
// Prints one line per figure; docs/benchmarks.md records them.
#include "bench_util.h"

#include <twindesk/policies/decision_log.h>
#include <twindesk/twin/project_store.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

using namespace twindesk;
using Clock = std::chrono::steady_clock;

namespace {

double micros(Clock::duration d)
{
    return std::chrono::duration<double, std::micro>(d).count();
}

double percentile(std::vector<double>& sorted, double p)
{
    if (sorted.empty())
        return 0.0;
    const auto index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
    return sorted[index];
}

// A decision as the loop would log it: a 12-zone snapshot of inputs, one setpoint action.
policies::DecisionRecord makeRecord(long i)
{
    policies::DecisionRecord r;
    r.timeMs = 1'700'000'000'000 + i * 60'000;
    r.policyId = i % 4 == 0 ? "rule.night-setback" : "mpc.zone-temp";
    r.policyVersion = "1.4.2";
    r.policyHash = "sha256:5f0c1e2a9d8b7c6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa9988";
    r.modelHash = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    std::string inputs = R"({"t":)" + std::to_string(r.timeMs) + R"(,"oat":)" +
                         std::to_string(5 + i % 20) + R"(.25,"zones":[)";
    for (int z = 0; z < 12; ++z) { // [temperature °C, setpoint °C, occupants, valve 0..1]
        if (z > 0)
            inputs += ',';
        inputs += "[" + std::to_string(20 + (i + z) % 5) + ".5," +
                  std::to_string(19 + (i + z) % 4) + ".0," + std::to_string((i + z) % 9) + ",0." +
                  std::to_string(10 + (i * 7 + z) % 90) + "]";
    }
    inputs += R"(],"occ":)" + std::to_string(i % 40) + R"(,"price":0.231,"co2":412})";
    r.inputs = std::move(inputs);
    r.proposed = "SetSetpoint target=urn:twindesk:zone-" + std::to_string(i % 12) +
                 ":sp value=" + std::to_string(19 + i % 4);
    r.verdict = i % 50 == 0 ? "modified" : "accepted";
    r.approval = "auto";
    r.applied = r.proposed;
    r.latency = R"({"observe":38,"policy":412,"guard":21,"approve":2,"act":15})";
    return r;
}

std::uintmax_t fileSize(const std::filesystem::path& p)
{
    std::error_code ec;
    const auto size = std::filesystem::file_size(p, ec);
    return ec ? 0 : size;
}

int run(int argc, char** argv)
{
    const long rows = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 200'000;
    const long batch = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 256;
    if (rows <= 0 || batch <= 0) {
        std::fprintf(stderr, "usage: bench_decision_log [ROWS] [BATCH]\n");
        return 2;
    }
    const auto project = std::filesystem::temp_directory_path() / "bench_decision_log.twin";
    std::vector<double> latency;
    std::vector<double> flushLatency;
    latency.reserve(static_cast<std::size_t>(rows));
    std::size_t inputBytes = 0;
    Clock::duration total{};
    std::int64_t transactions = 0;
    {
        auto store = twin::ProjectStore::create(project, twin::CreateMode::Replace);
        if (!store) {
            std::fprintf(stderr, "%s\n", store.error().toString().c_str());
            return 1;
        }
        policies::DecisionLogOptions options;
        options.batchSize = static_cast<std::size_t>(batch);
        auto log = policies::DecisionLog::open(*store, options);
        if (!log) {
            std::fprintf(stderr, "%s\n", log.error().toString().c_str());
            return 1;
        }
        // Records are built outside the timed region: the loop has them already.
        std::vector<policies::DecisionRecord> records;
        records.reserve(static_cast<std::size_t>(rows));
        for (long i = 0; i < rows; ++i) {
            records.push_back(makeRecord(i));
            inputBytes += records.back().inputs.size();
        }
        const auto start = Clock::now();
        for (auto& record : records) {
            const auto t0 = Clock::now();
            auto s = log->append(std::move(record));
            const auto t1 = Clock::now();
            if (!s) {
                std::fprintf(stderr, "%s\n", s.error().toString().c_str());
                return 1;
            }
            latency.push_back(micros(t1 - t0));
            if (log->pending() == 0)
                flushLatency.push_back(micros(t1 - t0));
        }
        if (auto s = log->flush(); !s) {
            std::fprintf(stderr, "%s\n", s.error().toString().c_str());
            return 1;
        }
        total = Clock::now() - start;
        transactions = log->transactionCount();
    }
    const auto dbBytes = fileSize(project);
    const auto walBytes = fileSize(project.string() + "-wal");

    const auto v0 = Clock::now();
    auto report = policies::DecisionLog::verify(project);
    const auto v1 = Clock::now();
    if (!report || !report->ok) {
        std::fprintf(stderr, "verify failed: %s\n",
                     report ? report->reason.c_str() : report.error().toString().c_str());
        return 1;
    }

    std::sort(latency.begin(), latency.end());
    std::sort(flushLatency.begin(), flushLatency.end());
    const double seconds = std::chrono::duration<double>(total).count();
    std::printf("rows               %ld (batch %ld, %lld transactions)\n", rows, batch,
                static_cast<long long>(transactions));
    std::printf("mean inputs JSON   %.0f bytes\n",
                static_cast<double>(inputBytes) / static_cast<double>(rows));
    std::printf("append p50         %.2f us\n", percentile(latency, 0.50));
    std::printf("append p99         %.2f us\n", percentile(latency, 0.99));
    std::printf("append p99.9       %.2f us\n", percentile(latency, 0.999));
    std::printf("append max         %.2f us\n", latency.back());
    std::printf("flushing append    p50 %.0f us, p99 %.0f us, max %.0f us (%zu flushes)\n",
                percentile(flushLatency, 0.50), percentile(flushLatency, 0.99),
                flushLatency.empty() ? 0.0 : flushLatency.back(), flushLatency.size());
    std::printf("throughput         %.0f records/s (%.3f s incl. final flush)\n",
                static_cast<double>(rows) / seconds, seconds);
    std::printf("file size          %.1f MB (+ %.1f MB WAL) = %.0f bytes/row\n",
                static_cast<double>(dbBytes) / 1e6, static_cast<double>(walBytes) / 1e6,
                static_cast<double>(dbBytes + walBytes) / static_cast<double>(rows));
    std::printf("verify             %.3f s for %lld rows (%.0f rows/s)\n",
                std::chrono::duration<double>(v1 - v0).count(),
                static_cast<long long>(report->rows),
                static_cast<double>(report->rows) / std::chrono::duration<double>(v1 - v0).count());
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(project.string() + suffix, ec);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    return twindesk::bench::guardedMain("bench_decision_log", run, argc, argv);
}
