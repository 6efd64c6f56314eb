// bench_shared_loop: what a live loop pays when its decision log and approval queue live in
// the shared PostgreSQL store instead of the project file (issue #9 §2), and how fast an
// approval made in one console reaches a loop on another connection.
//
//   build/bench/bench_shared_loop [--postgres URL] [--rows N]
//
// Decision log: N appends on the project file (batch 256, and batch 1 = a transaction per
// row) and on the shared store (always a transaction per row: advisory lock, head read,
// insert), then 3 loops appending at once to one shared chain. Approvals: a console approves
// (one transaction with its NOTIFY); measured: the approve() call, the time until a listening
// connection has the notification, and the loop's poll() that returns the approved request.
// Without --postgres only the project-file figures are printed.
#include "bench_check.h"
#include "bench_util.h"

#include <twindesk/policies/approval_gate.h>
#include <twindesk/policies/decision_log.h>
#include <twindesk/twin/pg_store.h>
#include <twindesk/twin/project_store.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace twindesk;
using bench::check;
using bench::Clock;
using bench::percentile;

namespace {

policies::DecisionRecord record(int i, const std::string& policy)
{
    policies::DecisionRecord r;
    r.timeMs = 1'736'186'400'000 + std::int64_t{i} * 60'000;
    r.policyId = policy;
    r.policyVersion = "1.0.0";
    r.policyHash = "sha256:0a1b2c3d";
    r.modelHash = "sha256:9f8e7d6c";
    r.inputs = R"({"t":1736186400,"points":214,"ref":"historian"})";
    r.proposed = "SetSetpoint target=urn:site#room_" + std::to_string(i % 500) + "_zhsp value=21";
    r.verdict = "accepted";
    r.approval = "not required";
    r.applied = r.proposed;
    r.latency = R"({"observe":41,"decide":230,"guard":3,"act":12})";
    return r;
}

// Appends `rows` rows; per-append microseconds.
std::vector<double> appendAll(policies::DecisionLog& log, int rows, const std::string& policy)
{
    std::vector<double> us;
    us.reserve(static_cast<std::size_t>(rows));
    for (int i = 0; i < rows; ++i) {
        const auto t0 = Clock::now();
        check(log.append(record(i, policy)), "appending");
        us.push_back(bench::seconds(t0, Clock::now()) * 1e6);
    }
    check(log.flush(), "flushing");
    return us;
}

void report(const char* name, const std::vector<double>& us, double wallS)
{
    std::printf("%-40s %7.0f rows/s   median %8.1f us   p99 %8.1f us\n", name,
                static_cast<double>(us.size()) / wallS, percentile(us, 0.5),
                percentile(us, 0.99));
}

void decisionLogOnFile(const std::filesystem::path& dir, int rows)
{
    for (std::size_t batch : {std::size_t{256}, std::size_t{1}}) {
        const auto file = dir / ("log-" + std::to_string(batch) + ".twin");
        auto store = check(twin::ProjectStore::create(file), "creating a project");
        auto log = check(policies::DecisionLog::open(store, {batch}), "opening the log");
        const auto t0 = Clock::now();
        const auto us = appendAll(log, rows, "bench");
        const auto name = "decision log, project file, batch " + std::to_string(batch);
        report(name.c_str(), us, bench::seconds(t0, Clock::now()));
    }
}

void decisionLogShared(const std::string& url, int rows)
{
    {
        auto store = check(twin::PgStore::connect(url), "connecting");
        auto log = check(policies::DecisionLog::open(store), "opening the shared log");
        const auto t0 = Clock::now();
        const auto us = appendAll(log, rows, "bench-1");
        report("decision log, shared store, 1 loop", us, bench::seconds(t0, Clock::now()));
    }
    constexpr int kLoops = 3;
    std::vector<std::vector<double>> us(kLoops);
    std::vector<std::string> errors(kLoops);
    const auto t0 = Clock::now();
    std::vector<std::thread> threads;
    for (int l = 0; l < kLoops; ++l)
        threads.emplace_back([&, l] {
            try {
                auto store = check(twin::PgStore::connect(url), "connecting");
                auto log = check(policies::DecisionLog::open(store), "opening the shared log");
                us[l] = appendAll(log, rows, "bench-loop-" + std::to_string(l));
            } catch (const std::exception& e) {
                errors[l] = e.what();
            }
        });
    for (auto& t : threads)
        t.join();
    const double wall = bench::seconds(t0, Clock::now());
    for (const auto& e : errors)
        if (!e.empty())
            throw std::runtime_error(e);
    std::vector<double> all;
    for (const auto& v : us)
        all.insert(all.end(), v.begin(), v.end());
    report("decision log, shared store, 3 loops", all, wall);
    auto store = check(twin::PgStore::connect(url), "connecting");
    const auto verified = check(policies::DecisionLog::verify(store), "verifying");
    std::printf("shared chain after both runs: %lld rows, %s\n",
                static_cast<long long>(verified.rows), verified.ok ? "intact" : "BROKEN");
    if (!verified.ok)
        throw std::runtime_error("the shared chain is broken: " + verified.reason);
}

policies::ApprovalRequest request(int i)
{
    policies::ApprovalRequest r;
    r.requestedMs = 1'736'186'400'000 + std::int64_t{i} * 1000;
    r.expiresMs = r.requestedMs + 3'600'000;
    r.policyId = "bench";
    r.action = {sim::ActionKind::SetSetpoint, "urn:site#room_" + std::to_string(i) + "_zhsp",
                16.0, {}, {}};
    r.reason = "setpoint-outside-band";
    return r;
}

// A console approves; the loop (another connection) polls; a third connection LISTENs.
void approvalRoundTrip(const char* name, twin::SqlConnection& loopSql,
                       twin::SqlConnection& consoleSql, twin::PgStore* listener, int rounds)
{
    auto loop = check(policies::ApprovalGate::open(loopSql), "opening the loop's gate");
    auto console = check(policies::ApprovalGate::open(consoleSql), "opening the console's gate");
    loop.setOrigin("bench-loop");
    if (listener != nullptr)
        check(listener->listen(std::string(policies::kApprovalsChannel)), "listening");
    std::vector<double> approveUs;
    std::vector<double> notifiedUs;
    std::vector<double> pollUs;
    std::vector<double> idlePollUs;
    for (int i = 0; i < rounds; ++i) {
        const auto id = check(loop.request(request(i)), "requesting");
        if (listener != nullptr)
            (void)check(listener->waitForNotifications(1000), "draining");
        const auto q0 = Clock::now();
        (void)check(loop.poll(request(i).requestedMs), "idle poll");
        idlePollUs.push_back(bench::seconds(q0, Clock::now()) * 1e6);
        policies::ApprovalDecision d;
        d.user = "ops";
        const auto t0 = Clock::now();
        (void)check(console.approve(id, d), "approving");
        const auto t1 = Clock::now();
        approveUs.push_back(bench::seconds(t0, t1) * 1e6);
        if (listener != nullptr) {
            bool got = false;
            for (int tries = 0; tries < 100 && !got; ++tries)
                for (const auto& n : check(listener->waitForNotifications(100), "waiting"))
                    got = got || n.payload == std::to_string(id);
            if (!got)
                throw std::runtime_error("the approval's notification did not arrive");
            notifiedUs.push_back(bench::seconds(t1, Clock::now()) * 1e6);
        }
        const auto p0 = Clock::now();
        const auto due = check(loop.poll(request(i).requestedMs + 1000), "polling");
        pollUs.push_back(bench::seconds(p0, Clock::now()) * 1e6);
        if (due.size() != 1 || due.front().id != id)
            throw std::runtime_error("the loop's poll did not return the approved request");
        check(loop.markApplied(id, 0), "marking applied");
    }
    std::printf("%s: approve median %.0f us (p95 %.0f); loop poll with it median %.0f us (p95 "
                "%.0f); idle poll median %.0f us",
                name, percentile(approveUs, 0.5), percentile(approveUs, 0.95),
                percentile(pollUs, 0.5), percentile(pollUs, 0.95), percentile(idlePollUs, 0.5));
    if (listener != nullptr)
        std::printf("; NOTIFY after commit median %.0f us (p95 %.0f)", percentile(notifiedUs, 0.5),
                    percentile(notifiedUs, 0.95));
    std::printf("\n");
}

int benchMain(int argc, char** argv)
{
    std::string postgres;
    int rows = 2000;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--postgres" && i + 1 < argc)
            postgres = argv[++i];
        else if (arg == "--rows" && i + 1 < argc)
            rows = std::atoi(argv[++i]);
        else
            throw std::runtime_error("unknown argument '" + arg +
                                     "'; usage: bench_shared_loop [--postgres URL] [--rows N]");
    }
    if (rows < 1)
        throw std::runtime_error("--rows must be at least 1");
    const auto dir = std::filesystem::temp_directory_path() / "twindesk-bench-shared-loop";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    decisionLogOnFile(dir, rows);
    {
        auto loopFile = check(twin::ProjectStore::create(dir / "queue.twin"), "creating");
        auto consoleFile = check(twin::ProjectStore::open(dir / "queue.twin"), "opening");
        approvalRoundTrip("approvals, project file", loopFile.sql(), consoleFile.sql(), nullptr,
                          200);
    }
    std::filesystem::remove_all(dir);
    if (!postgres.empty()) {
        {
            auto probe = check(twin::PgStore::connect(postgres), "connecting");
            if (check(probe.queryText("SELECT count(*) FROM decision_log"), "counting")
                    .value_or("0") != "0")
                throw std::runtime_error("the database at " + probe.location() +
                                         " already holds decisions: give the bench an empty one");
        }
        decisionLogShared(postgres, rows);
        auto loop = check(twin::PgStore::connect(postgres), "connecting");
        auto console = check(twin::PgStore::connect(postgres), "connecting");
        auto listener = check(twin::PgStore::connect(postgres), "connecting");
        approvalRoundTrip("approvals, shared store", loop.sql(), console.sql(), &listener, 200);
    }
    std::printf("peak RSS: %ld kB\n", bench::peakRssKb());
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    return bench::guardedMain("bench_shared_loop", benchMain, argc, argv);
}
