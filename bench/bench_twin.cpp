// bench_twin: Brick import time and peak memory, and graph queries per second.
// Usage: bench_twin MODEL.ttl [ONTOLOGY.ttl...]   (defaults: the largest anchor model and the
// bundled ontology). Prints one line per figure; docs/benchmarks.md records them.
#include "bench_util.h"

#include <twindesk/twin/brick_import.h>
#include <twindesk/twin/model_stats.h>
#include <twindesk/twin/project_store.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <vector>

using namespace twindesk::twin;
using twindesk::bench::Clock;
using twindesk::bench::peakRssKb;
using twindesk::bench::seconds;

namespace {
int run(int argc, char** argv)
{
    if (argc < 3) {
        std::fprintf(stderr, "usage: bench_twin MODEL.ttl ONTOLOGY.ttl...\n");
        return 2;
    }
    std::vector<std::filesystem::path> ontologyFiles(argv + 2, argv + argc);
    const auto t0 = Clock::now();
    auto ontology = BrickOntology::load(ontologyFiles);
    if (!ontology) {
        std::fprintf(stderr, "%s\n", ontology.error().toString().c_str());
        return 1;
    }
    const auto t1 = Clock::now();
    auto imported = importBrick(argv[1], *ontology);
    if (!imported) {
        std::fprintf(stderr, "%s\n", imported.error().toString().c_str());
        return 1;
    }
    const auto t2 = Clock::now();
    const auto project = std::filesystem::temp_directory_path() / "bench_twin.twin";
    auto written = ProjectStore::writeNew(project, imported->graph, {}, CreateMode::Replace);
    const auto t3 = Clock::now();
    auto store = ProjectStore::open(project, OpenMode::ReadOnly);
    auto loaded = store ? store->loadModel() : Result<TwinGraph>(store.error());
    const auto t4 = Clock::now();
    if (!written || !loaded) {
        std::fprintf(stderr, "store round trip failed\n");
        return 1;
    }
    const auto& g = imported->graph;
    const auto counts = countModel(g, imported->stats.triples);
    std::printf("model            %s\n", argv[1]);
    std::printf("triples          %zu\n", counts.triples);
    std::printf("entities         %zu\n", counts.entities);
    std::printf("relations        %zu\n", g.relationCount());
    std::printf("ontology load    %.3f s (%zu classes)\n", seconds(t0, t1), ontology->classCount());
    std::printf("import           %.3f s (%.0f triples/s)\n", seconds(t1, t2),
                static_cast<double>(counts.triples) / seconds(t1, t2));
    std::printf("save project     %.3f s\n", seconds(t2, t3));
    std::printf("load project     %.3f s\n", seconds(t3, t4));
    std::printf("peak RSS         %.1f MB\n", static_cast<double>(peakRssKb()) / 1024.0);

    // Graph queries: each query over every entity, repeated until ~0.5 s has passed.
    const auto n = g.entityCount();
    auto bench = [&](const char* name, auto&& query) {
        std::size_t calls = 0;
        std::size_t sink = 0;
        const auto start = Clock::now();
        while (seconds(start, Clock::now()) < 0.5)
            for (EntityIndex i = 0; i < n; ++i, ++calls)
                sink += query(i);
        const double s = seconds(start, Clock::now());
        std::printf("%-16s %.0f queries/s (%zu calls, checksum %zu)\n", name,
                    static_cast<double>(calls) / s, calls, sink);
    };
    bench("pointsOf", [&](EntityIndex i) { return g.pointsOf(i).size(); });
    bench("children", [&](EntityIndex i) { return g.children(i).size(); });
    bench("ancestors", [&](EntityIndex i) { return g.ancestors(i).size(); });
    bench("zonesFedBy", [&](EntityIndex i) { return g.zonesFedBy(i).size(); });
    bench("find(id)", [&](EntityIndex i) { return g.find(g.entity(i).id).value_or(0); });
    {
        std::size_t calls = 0;
        std::size_t sink = 0;
        const auto start = Clock::now();
        EntityIndex a = 0;
        while (seconds(start, Clock::now()) < 0.5) {
            const EntityIndex b = (a * 7919 + 13) % n;
            auto p = g.shortestPath(a, b);
            sink += p ? p->size() : 0;
            ++calls;
            a = (a + 1) % n;
        }
        const double s = seconds(start, Clock::now());
        std::printf("%-16s %.0f queries/s (%zu calls, checksum %zu)\n", "shortestPath",
                    static_cast<double>(calls) / s, calls, sink);
    }
    std::filesystem::remove(project);
    return 0;
}
} // namespace

int main(int argc, char** argv)
{
    return twindesk::bench::guardedMain("bench_twin", run, argc, argv);
}
