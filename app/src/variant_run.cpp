#include "variant_run.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace twindesk::app {

VariantOutcome runVariant(const Variant& variant, const sim::ScenarioOptions& base,
                          const VariantHooks& hooks)
{
    const auto start = std::chrono::steady_clock::now();
    VariantOutcome out;
    sim::ScenarioOptions options = base;
    options.overrides.insert(options.overrides.end(), variant.overrides.begin(),
                             variant.overrides.end());
    auto scenario = sim::loadScenario(variant.scenario, options);
    if (!scenario) {
        out.error = scenario.error().toString();
        return out;
    }
    out.scenario = std::make_unique<sim::Scenario>(std::move(scenario).value());
    // Through the same run as `simulate`: a scenario's policy decides through the control loop.
    auto made = policies::ScenarioRun::make(*out.scenario, {});
    if (!made) {
        out.error = made.error().toString();
        return out;
    }
    out.run = std::move(made).value();
    auto& run = *out.run;
    if (hooks.started)
        hooks.started(run);
    while (!run.finished()) {
        if (hooks.cancel != nullptr && hooks.cancel->load()) {
            out.cancelled = true;
            break;
        }
        if (auto s = run.step(); !s) {
            out.error = s.error().toString();
            break;
        }
        if (hooks.afterStep)
            hooks.afterStep(run);
    }
    out.wallS = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
}

ParallelRun runParallel(std::size_t count, unsigned threads,
                        const std::function<void(std::size_t)>& job)
{
    if (threads == 0)
        threads = std::thread::hardware_concurrency();
    threads = std::max(1U, std::min<unsigned>(threads, static_cast<unsigned>(count)));
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> pool;
    const auto start = std::chrono::steady_clock::now();
    for (unsigned t = 0; t < threads; ++t)
        pool.emplace_back([&] {
            for (std::size_t i = next++; i < count; i = next++)
                job(i);
        });
    for (auto& th : pool)
        th.join();
    return {std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
            threads};
}

} // namespace twindesk::app
