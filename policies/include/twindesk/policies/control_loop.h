#pragma once
/// \file control_loop.h
/// The one control loop: observe → decide → guard → approve → act → log.
///
/// It is the only path an action takes to a sink, whichever TelemetrySource feeds it (the
/// simulator, a recording, a live broker). Each frame updates the Observation; when the
/// policy's period has elapsed the policy decides, every proposed action passes the
/// SafetyGuard (schema, declared kinds, bounds, rate, dwell, migrations, oscillation),
/// is approved, submitted to the sink, and logged with its per-stage latency in the
/// tamper-evident DecisionLog (when one is given). When the policy fails, throws, times out or
/// returns invalid output (an action that breaks its kind's schema, e.g. a NaN setpoint, or of
/// a kind it did not declare), the configured fallback policy decides that round and the log
/// says why.
///
/// ## Approval (setApprovals; approval_gate.h)
/// Without a gate every action that passes the guard is applied (log: approval "auto").
/// With a gate, the round is assessed: an action that is not high-impact is applied
/// ("not required"); a high-impact one is applied at once under autoApprove
/// ("auto (high-impact: <reason>)"), otherwise stored as a request and not applied
/// ("pending #ID: <reason>"; "pending #ID (requested earlier)" when the same action is open
/// already). Applying any action on a target supersedes the open requests for that target.
/// After each frame's decisions the loop polls the gate: overdue requests expire
/// ("expired #ID"), approved ones are checked by the guard again (the state may have changed)
/// and applied ("approved #ID by USER", with the applied action; when the guard or the sink
/// refuses, the request is marked failed), rejected ones are logged
/// ("rejected #ID by USER: <reason>"), superseded ones too ("superseded #ID: <by what>").
/// These outcome rows carry the verdict "not applied" unless the action was (re)checked.
///
/// ## Bad inputs (stale or faulty sensors)
/// When the observation holds bad points (a live sensor gone stale, a NaN from a device), the
/// policy still decides, but for every room with a bad point (its own points and those of
/// equipment located in it, room_context.h) the fallback decides instead: the policy's actions
/// on that room's points are dropped and the fallback's for them are applied ("fallback for
/// bad inputs: <points>"). Rooms whose inputs are good keep the policy. Without a fallback the
/// policy's actions stand (it saw the bad point as unknown).
///
/// Determinism: decisions depend only on the frames, never on the wall clock; latencies are
/// measured but only logged. With a gate, a run is deterministic as long as no person
/// decides (auto-approval, or requests that only expire); approvals arrive when they arrive.

#include <twindesk/policies/approval_gate.h>
#include <twindesk/policies/decision_log.h>
#include <twindesk/policies/policy.h>
#include <twindesk/policies/recording.h>
#include <twindesk/policies/safety_guard.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <string>
#include <vector>

namespace twindesk::policies {

struct StageLatency
{
    std::vector<double> observeUs;
    std::vector<double> decideUs;
    std::vector<double> guardUs;
    std::vector<double> actUs;
    std::vector<double> logUs;
    std::vector<double> roundUs; ///< one decision round, observe → log of its last action
};

struct LoopStats
{
    std::int64_t frames = 0;
    std::int64_t decisions = 0;    ///< times the policy was asked
    std::int64_t events = 0;       ///< of which asked early because a trigger point changed
    std::int64_t proposed = 0;     ///< actions it returned
    std::int64_t applied = 0;      ///< accepted by the sink
    std::int64_t rejected = 0;     ///< refused by the checks or the sink
    std::int64_t policyErrors = 0; ///< decide() failed or threw
    std::int64_t fallbacks = 0;    ///< rounds decided by the fallback policy instead
    /// Rounds in which some room had a bad input (a stale or faulty sensor) and the fallback
    /// drove that room's targets instead of the policy (see the file comment).
    std::int64_t staleFallbackRounds = 0;
    std::int64_t modified = 0;     ///< actions the guard clamped
    std::int64_t oscillations = 0; ///< actions the guard's oscillation rule refused
    std::int64_t notes = 0;        ///< findings a policy reported besides actions (takeNotes)
    // Approval (only with a gate):
    std::int64_t pendingApprovals = 0;   ///< approval requests made (high-impact, not auto)
    std::int64_t autoApproved = 0;       ///< high-impact actions applied under autoApprove
    std::int64_t approved = 0;           ///< approved requests applied
    std::int64_t rejectedByApprover = 0; ///< requests a person rejected
    std::int64_t expired = 0;            ///< requests that expired before being applied
    std::int64_t superseded = 0;         ///< requests made obsolete by a later action
    /// Shadow mode (setShadow): what the shadow policy proposed beside the active one.
    struct Shadow
    {
        std::int64_t rounds = 0;         ///< decision rounds it was asked in
        std::int64_t agreeingRounds = 0; ///< rounds it proposed exactly the active actions
        std::int64_t proposed = 0;       ///< its actions (never applied)
        std::int64_t activeProposed = 0; ///< the active side's actions in those rounds
        std::int64_t matched = 0;        ///< its actions the active side proposed too
        std::int64_t errors = 0;         ///< rounds it failed or returned invalid output
    } shadow;
    StageLatency latency;
};

/// p-th percentile (0..100) of `samples` (nearest rank); 0 for an empty set.
double percentile(std::vector<double> samples, double p);

class ControlLoop
{
public:
    /// `log` may be null (no audit trail, e.g. quick what-ifs). All references must outlive
    /// the loop. `modelHash` identifies the twin model the policy sees.
    ControlLoop(sim::TelemetrySource& source, sim::ActuatorSink& sink, Policy& policy,
                Observation observation, DecisionLog* log, std::string modelHash = {});
    ~ControlLoop();
    ControlLoop(const ControlLoop&) = delete;
    ControlLoop& operator=(const ControlLoop&) = delete;
    ControlLoop(ControlLoop&&) = delete;
    ControlLoop& operator=(ControlLoop&&) = delete;

    /// The longest a policy may take to decide (0, the default: no limit, decide() runs on
    /// the loop's thread). With a limit, decide() runs on a worker thread on a copy of the
    /// observation; a round that misses it falls back ("policy timed out after N ms"), and so
    /// does every round while that late decide() is still running. Its late result is
    /// discarded. A policy that never returns keeps its worker, and the loop's destructor
    /// waits for it. Timeouts depend on the wall clock: a run is deterministic only while no
    /// policy comes near its limit.
    void setDecisionTimeout(std::chrono::milliseconds timeout);

    /// The safety envelope (default: GuardConfig{}).
    void setGuard(const GuardConfig& config) { m_guard = SafetyGuard(config); }
    /// The safe default policy asked when the policy fails, throws or returns nothing usable
    /// (e.g. the fixed-schedule baseline). Not owned; may be null (then: no action that round).
    void setFallback(Policy* fallback) { m_fallback = fallback; }
    /// The approval gate and what needs approval. Not owned; null (the default): every action
    /// that passes the guard is applied. The gate must outlive the loop.
    void setApprovals(ApprovalGate* gate, ApprovalConfig config = {})
    {
        m_gate = gate;
        m_approvalConfig = std::move(config);
    }

    /// Shadow mode: after every round, `shadow` decides on the same observation; its actions
    /// are logged (approval "shadow", verdict "shadow: not applied (...)") and compared with
    /// what the active side proposed (LoopStats::shadow), never guarded, approved or applied.
    /// Not owned; null (the default): no shadow.
    void setShadow(Policy* shadow) { m_shadow = shadow; }

    /// Records every frame the loop observes (recording.h), after its decisions. Not owned;
    /// null (the default): nothing recorded. Flushed at the end of run().
    void setRecorder(FrameRecorder* recorder) { m_recorder = recorder; }

    /// Runs until the source ends; the log is flushed at the end.
    twin::Status run();
    /// One frame: pulls it from the source and, when due, decides. Returns false at the end.
    twin::Result<bool> step();

    [[nodiscard]] const LoopStats& stats() const { return m_stats; }
    [[nodiscard]] const Observation& observation() const { return m_observation; }

private:
    class DecideWorker;
    twin::Status decideAndAct();
    twin::Status decideAndActRound();
    /// Asks the shadow policy (if any) and logs/compares its proposals with `active`.
    twin::Status shadowRound(const std::vector<Action>& active);
    /// Workloads on a PowerHost target, as the sink knows them (for the guard).
    [[nodiscard]] std::optional<int> workloadsOf(const Action& action) const;
    /// Whether the target is a workload the twin marks critical (attribute critical = true).
    [[nodiscard]] bool criticalTarget(const Action& action) const;
    /// Logs the policy's notes (Policy::takeNotes) as rows with verdict "note".
    twin::Status logNotes(Policy& policy);
    /// Whether `frame` changes a trigger point of the policy (PolicyInfo::triggers).
    [[nodiscard]] bool triggered(const sim::TelemetryFrame& frame);
    twin::Status act(const Policy& by, const std::vector<Action>& actions, double decideUs,
                     const std::string& note);
    /// The request made for the action being logged and the seq predicted for its row.
    std::optional<std::pair<std::int64_t, std::int64_t>> m_newRequest;
    /// Stores a request for `action` (or finds the open one); returns the log's approval text.
    twin::Result<std::string> requestApproval(const PolicyInfo& info, const Action& action,
                                              const ImpactAssessment& need);
    /// Expires, applies approved and logs decided requests (see the file comment).
    twin::Status processApprovals();
    twin::Status applyApproved(const ApprovalRequest& request);
    /// Appends an outcome row for `request`; returns its seq (0 without a log).
    twin::Result<std::int64_t> logOutcome(const ApprovalRequest& request, std::string verdict,
                                          std::string approval, std::string applied,
                                          std::string latency);
    [[nodiscard]] std::string inputsJson() const;
    /// A log row of `info`'s at the observation's time, with the inputs reference.
    [[nodiscard]] DecisionRecord recordFor(const PolicyInfo& info) const;
    /// Splits `actions` for the bad-input rule: returns the fallback's actions for rooms with
    /// bad points (and removes the policy's on them from `actions`); empty when none.
    twin::Result<std::vector<Action>> fallbackForBadInputs(std::vector<Action>& actions,
                                                            std::string& note);

    sim::TelemetrySource& m_source;
    sim::ActuatorSink& m_sink;
    Policy& m_policy;
    Observation m_observation;
    DecisionLog* m_log;
    SafetyGuard m_guard;
    Policy* m_fallback = nullptr;
    std::chrono::milliseconds m_timeout{0};
    std::optional<std::vector<std::string>> m_triggerPoints; // sorted ids, found once
    std::unique_ptr<DecideWorker> m_worker;
    ApprovalGate* m_gate = nullptr;
    FrameRecorder* m_recorder = nullptr;
    Policy* m_shadow = nullptr;
    ApprovalConfig m_approvalConfig;
    /// Point id → the ids of its room's points and the room itself (the bad-input rule);
    /// built on first need from the twin.
    std::optional<std::map<std::string, std::vector<std::string>, std::less<>>> m_roomOfPoint;
    std::string m_modelHash;
    Seconds m_nextDecision = 0;
    bool m_started = false;
    double m_observeUs = 0.0;
    LoopStats m_stats;
};

} // namespace twindesk::policies
