// bench_replay_scrub: issue #8 §6 — what scrubbing the console's replay view costs on a
// month-long recording: the conference month (assets/scenarios/conference-adaptive.json, 31
// days at 60 s, every frame observed) written by `simulate --out`, then
//  1. opening it (RecordingTimeline: every frame and changed value read, keyframes built),
//  2. random seeks: the state of every recorded point at a uniformly random instant
//     (RecordingTimeline::valuesAt), and through ReplayController::setPosition (what a move
//     of the scrubber runs on the UI thread), without and with the 3D building recoloured —
//     ms per seek, median and p99,
//  3. one chart series of the whole month (a temperature's changes, min/max downsampled to
//     1 500 points).
// Usage: bench_replay_scrub [--seeks N] [--days D] [--keep FILE]
//   defaults: 2 000 seeks, 31 days (1–31, from 2025-01-06); --keep reuses/keeps the recording at FILE.
#include "bench_util.h"
#include "building_scene.h"
#include "cli.h"
#include "recording_timeline.h"
#include "replay_controller.h"

#include <twindesk/twin/project_store.h>

#include <QCoreApplication>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

using namespace twindesk;
namespace fs = std::filesystem;

namespace {

struct Stats
{
    double median = 0, p99 = 0, max = 0;
};

Stats stats(std::vector<double> ms)
{
    std::sort(ms.begin(), ms.end());
    return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)], ms.back()};
}

int run(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    int seeks = 2000;
    int days = 31;
    std::string keep;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--seeks") == 0)
            seeks = std::max(10, std::atoi(argv[i + 1]));
        else if (std::strcmp(argv[i], "--days") == 0)
            days = std::clamp(std::atoi(argv[i + 1]), 1, 31); // from 2025-01-06
        else if (std::strcmp(argv[i], "--keep") == 0)
            keep = argv[i + 1];
    }
    const fs::path rec = keep.empty()
                             ? fs::temp_directory_path() /
                                   ("bench-replay-scrub-" + std::to_string(::getpid()) + ".twin")
                             : fs::path(keep);
    if (!fs::exists(rec)) {
        char end[48];
        std::snprintf(end, sizeof end, "period.end=\"2025-%02d-%02dT00:00\"", days > 25 ? 2 : 1,
                      days > 25 ? days - 25 : 6 + days);
        std::ostringstream out;
        std::ostringstream err;
        const auto t0 = bench::Clock::now();
        if (app::runCli(
                {"simulate",
                 std::string(TWINDESK_SOURCE_DIR) + "/assets/scenarios/conference-adaptive.json",
                 "--out", rec.string(), "--no-progress", "--set", end},
                {out, err}) != 0) {
            std::fprintf(stderr, "simulate failed: %s\n", err.str().c_str());
            return 1;
        }
        std::printf("recording     %s, written in %.2f s\n", rec.c_str(),
                    bench::seconds(t0, bench::Clock::now()));
    }
    std::printf("file          %.1f MB\n", static_cast<double>(fs::file_size(rec)) / 1e6);

    // 1. Open.
    auto t0 = bench::Clock::now();
    auto timeline = app::RecordingTimeline::open(rec);
    if (!timeline) {
        std::fprintf(stderr, "%s\n", timeline.error().toString().c_str());
        return 1;
    }
    const double openS = bench::seconds(t0, bench::Clock::now());
    std::printf("open          %.2f s: %zu frames, %zu changed values, %zu points\n", openS,
                timeline->frameCount(), timeline->sampleCount(), timeline->points().size());

    // 2. Random seeks (seeded: the same instants every run).
    std::mt19937_64 rng(42);
    const auto span = static_cast<std::uint64_t>(timeline->end() - timeline->start());
    std::vector<sim::Seconds> instants;
    for (int i = 0; i < seeks; ++i)
        instants.push_back(timeline->start() + static_cast<sim::Seconds>(rng() % (span + 1)));
    std::vector<double> ms;
    double checksum = 0;
    for (const auto t : instants) {
        const auto a = bench::Clock::now();
        const auto values = timeline->valuesAt(t);
        ms.push_back(bench::seconds(a, bench::Clock::now()) * 1e3);
        checksum += values.empty() ? 0.0 : values[values.size() / 2];
    }
    auto s = stats(ms);
    std::printf("seek          timeline: median %.4f ms, p99 %.4f ms, max %.4f ms over %d seeks "
                "(keyframe every %zu frames)\n",
                s.median, s.p99, s.max, seeks, app::RecordingTimeline::kKeyframeEvery);

    app::ReplayController controller;
    t0 = bench::Clock::now();
    if (!controller.open(QString::fromStdString(rec.string()))) {
        std::fprintf(stderr, "%s\n", controller.error().toStdString().c_str());
        return 1;
    }
    std::printf("open          controller %.2f s (timeline, decisions, model)\n",
                bench::seconds(t0, bench::Clock::now()));
    // One seek as the view makes it: the position, the value panel, the decisions near it.
    auto timeSeeks = [&] {
        ms.clear();
        for (const auto t : instants) {
            const auto a = bench::Clock::now();
            controller.setPosition(static_cast<double>(t) * 1000.0);
            const auto panel = controller.values();
            const auto near = controller.decisionsNear();
            ms.push_back(bench::seconds(a, bench::Clock::now()) * 1e3);
            checksum += static_cast<double>(panel.size() + near.size());
        }
        return stats(ms);
    };
    s = timeSeeks();
    std::printf("seek          controller (position, value panel, decisions near): median %.4f "
                "ms, p99 %.4f ms, max %.4f ms\n",
                s.median, s.p99, s.max);

    // The same with the 3D building recoloured on every seek (its vertex buffers rebuilt; the
    // GPU upload and the frame are the 3D benchmark's, bench_console_3d).
    auto store = twin::ProjectStore::open(rec, twin::OpenMode::ReadOnly);
    auto graph = store ? store->loadModel() : twin::Result<twin::TwinGraph>(store.error());
    if (!graph) {
        std::fprintf(stderr, "%s\n", graph.error().toString().c_str());
        return 1;
    }
    app::BuildingScene scene;
    scene.setGraph(&*graph);
    controller.setScene(&scene);
    controller.setSceneFollows(true);
    s = timeSeeks();
    checksum += static_cast<double>(scene.roomsWithData());
    std::printf("seek          with the 3D building recoloured (%d rooms): median %.3f ms, p99 "
                "%.3f ms, max %.3f ms\n",
                scene.roomCount(), s.median, s.p99, s.max);

    // 3. A chart of the month.
    const QString point = controller.chartPoints().value(0);
    t0 = bench::Clock::now();
    const auto series = controller.series(point, 1500);
    std::printf("chart         %s: %lld points in %.2f ms\n", point.toStdString().c_str(),
                static_cast<long long>(series.size()),
                bench::seconds(t0, bench::Clock::now()) * 1e3);
    std::printf("peak RSS      %.0f MB (checksum %.3f)\n",
                static_cast<double>(bench::peakRssKb()) / 1024.0, checksum);
    if (keep.empty())
        for (const char* suffix : {"", "-wal", "-shm"})
            fs::remove(rec.string() + suffix);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    return bench::guardedMain("bench_replay_scrub", run, argc, argv);
}
