#pragma once
/// \file variant_run.h
/// One scenario run under `--set`-style overrides — a variant — and several such runs in
/// parallel threads: the mechanism of `twindesk sweep`, `twindesk compare` and the console's
/// what-if view. A variant runs exactly like `simulate` (sim::loadScenario with the overrides,
/// then policies::ScenarioRun), so threads change the wall time, never a result. Qt-free.

#include <twindesk/policies/scenario_run.h>
#include <twindesk/sim/scenario.h>

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace twindesk::app {

/// A scenario file and the overrides ("key.path", JSON or plain text) applied to it.
struct Variant
{
    std::filesystem::path scenario;
    std::vector<std::pair<std::string, std::string>> overrides;
};

struct VariantHooks
{
    /// Called on the running thread once the run is made, before the first step (may be empty).
    std::function<void(const policies::ScenarioRun&)> started;
    /// Called on the running thread after every step (may be empty): progress, sampling.
    std::function<void(const policies::ScenarioRun&)> afterStep;
    /// Checked before every step: when it turns true the run stops, cancelled. May be null.
    const std::atomic<bool>* cancel = nullptr;
};

/// What a variant's run left: the finished run (engine state, KPIs) or why there is none.
struct VariantOutcome
{
    std::string error; ///< empty unless loading, making or a step failed (names the input)
    bool cancelled = false;
    std::unique_ptr<sim::Scenario> scenario;
    std::unique_ptr<policies::ScenarioRun> run; ///< null when it could not be made
    double wallS = 0.0;
    [[nodiscard]] bool ok() const { return error.empty() && !cancelled && run != nullptr; }
};

/// Loads `variant` on top of `base` (ontology, anchors; base.overrides come first, the
/// variant's after them) and runs it to the end through policies::ScenarioRun.
VariantOutcome runVariant(const Variant& variant, const sim::ScenarioOptions& base,
                          const VariantHooks& hooks = {});

struct ParallelRun
{
    double wallS = 0.0;
    unsigned threads = 1; ///< threads used
};

/// Calls job(0) … job(count − 1) on up to `threads` threads (0: the cores), at most one per
/// job; returns when all are done.
ParallelRun runParallel(std::size_t count, unsigned threads,
                        const std::function<void(std::size_t)>& job);

} // namespace twindesk::app
