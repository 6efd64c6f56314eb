#pragma once
/// \file scenario_run.h
/// One run of a scenario: the engine stepping, and — when the scenario (or the caller) names a
/// policy — the control loop deciding on the policy's period, with the guard, the fallback
/// baseline and the decision log. What `twindesk simulate`, `twindesk compare` and the
/// console's simulation view all drive, so a what-if runs exactly like a simulation.
///
/// The policy takes over what it commands (a zone's setpoints, its lights; see
/// sim::SimState::commanded); the engine's built-in schedule keeps everything else running.
/// Deterministic: same scenario, seed and policy → bit-identical engine state and decisions.

#include <twindesk/policies/control_loop.h>
#include <twindesk/policies/kpi.h>
#include <twindesk/sim/engine.h>
#include <twindesk/sim/scenario.h>

#include <memory>
#include <optional>
#include <string>

namespace twindesk::policies {

/// What a policy starts from in this scenario: the twin, the site's time zone and the
/// calendar's bookings (replays build the same Observation from the recording's scenario).
Observation observationFor(const sim::Scenario& scenario);

struct RunOptions
{
    /// {"name", "params"} JSON of the policy; empty: the scenario's own (none: no policy).
    std::string policyJson;
    /// Where policy errors point (e.g. "office.json: /policy").
    std::string where;
    DecisionLog* log = nullptr; ///< the audit trail (may be null); not owned
    /// Records the frames the loop observes, for replay (may be null); not owned.
    FrameRecorder* recorder = nullptr;
    /// Where approval requests live (the results project's gate); null: an in-memory gate.
    /// Not owned.
    ApprovalGate* approvals = nullptr;
    /// Replaces the guard of the policy object's "guard" key.
    std::optional<GuardConfig> guard;
    /// The safe default when the policy fails: the fixed-schedule baseline (unless the policy
    /// is that baseline already).
    bool fallbackToBaseline = true;
};

class ScenarioRun
{
public:
    static twin::Result<std::unique_ptr<ScenarioRun>> make(const sim::Scenario& scenario,
                                                           RunOptions options);
    ~ScenarioRun();
    ScenarioRun(const ScenarioRun&) = delete;
    ScenarioRun& operator=(const ScenarioRun&) = delete;
    ScenarioRun(ScenarioRun&&) = delete;
    ScenarioRun& operator=(ScenarioRun&&) = delete;

    /// Decides (when due) and advances the engine one step. Fails on a numerical blow-up or
    /// when the decision log cannot be written; the error names the scenario.
    twin::Status step();
    /// Steps to the end; `progress` (may be empty) is called after every step.
    twin::Status run(const std::function<void(const sim::Engine&)>& progress = {});
    [[nodiscard]] bool finished() const;
    /// Hands an outside action (an operator's or a device command, e.g. `simulate --publish`'s
    /// command topics) to the engine: validated and queued, applied at the start of the next
    /// step, i.e. before that step's policy decision takes effect; compute commands apply at
    /// once (sim::Engine::submit). It bypasses the control loop (no guard, no approval, no
    /// decision log) and is not sent to the shadow twin. Deterministic given the same actions
    /// at the same steps. Errors: those of sim::Engine::submit, naming the action.
    twin::Status submit(const sim::Action& action);

    [[nodiscard]] const sim::Engine& engine() const { return *m_engine; }
    [[nodiscard]] const Policy* policy() const { return m_policy.get(); }
    [[nodiscard]] const ControlLoop* loop() const { return m_loop.get(); }
    /// Building (and host) KPIs so far, plus the loop's when a policy runs.
    [[nodiscard]] KpiReport kpis(const KpiScope& scope = {}) const;
    /// The shadow policy's KPI estimate (issue #6 §6): when the policy object has a `shadow`,
    /// a second twin of the same scenario steps in lockstep with the shadow as its active
    /// policy (its own guard, fallback and auto-approval; no log, no recording), so its KPIs
    /// say what would have happened had the shadow been in charge. nullopt without a shadow.
    /// It doubles the run's simulation cost.
    [[nodiscard]] std::optional<KpiReport> shadowKpis(const KpiScope& scope = {}) const;

private:
    class FrameSource;
    ScenarioRun() = default;
    twin::Status decideIfDue();

    std::string m_name;
    std::unique_ptr<sim::Engine> m_engine;
    std::unique_ptr<Policy> m_policy;
    std::unique_ptr<Policy> m_fallback;
    std::unique_ptr<Policy> m_shadow;
    std::unique_ptr<FrameSource> m_source;
    std::optional<ApprovalGate> m_ownGate;
    std::unique_ptr<ControlLoop> m_loop;
    std::unique_ptr<ScenarioRun> m_shadowTwin; ///< the shadow in charge of its own twin
};

} // namespace twindesk::policies
