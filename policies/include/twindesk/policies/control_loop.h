#pragma once
/// \file control_loop.h
/// The one control loop: observe → decide → guard → approve → act → log.
///
/// It is the only path an action takes to a sink, whichever TelemetrySource feeds it (the
/// simulator, a recording, a live broker). Each frame updates the Observation; when the
/// policy's period has elapsed the policy decides, every proposed action passes the
/// SafetyGuard (schema, declared kinds, bounds, rate, dwell, migrations, oscillation),
/// is approved (automatically in this first version: the approval gate is the next step of
/// the decision layer), submitted to the sink, and logged with its per-stage latency in the
/// tamper-evident DecisionLog (when one is given). When the policy fails or throws, the
/// configured fallback policy decides that round and the log says why.
/// Determinism: decisions depend only on the frames, never on the wall clock; latencies are
/// measured but only logged.

#include <twindesk/policies/decision_log.h>
#include <twindesk/policies/policy.h>
#include <twindesk/policies/safety_guard.h>

#include <cstdint>
#include <vector>

namespace twindesk::policies {

struct StageLatency
{
    std::vector<double> observeUs;
    std::vector<double> decideUs;
    std::vector<double> guardUs;
    std::vector<double> actUs;
    std::vector<double> logUs;
};

struct LoopStats
{
    std::int64_t frames = 0;
    std::int64_t decisions = 0;    ///< times the policy was asked
    std::int64_t proposed = 0;     ///< actions it returned
    std::int64_t applied = 0;      ///< accepted by the sink
    std::int64_t rejected = 0;     ///< refused by the checks or the sink
    std::int64_t policyErrors = 0; ///< decide() failed or threw
    std::int64_t fallbacks = 0;    ///< rounds decided by the fallback policy instead
    std::int64_t modified = 0;     ///< actions the guard clamped
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

    /// The safety envelope (default: GuardConfig{}).
    void setGuard(const GuardConfig& config) { m_guard = SafetyGuard(config); }
    /// The safe default policy asked when the policy fails, throws or returns nothing usable
    /// (e.g. the fixed-schedule baseline). Not owned; may be null (then: no action that round).
    void setFallback(Policy* fallback) { m_fallback = fallback; }

    /// Runs until the source ends; the log is flushed at the end.
    twin::Status run();
    /// One frame: pulls it from the source and, when due, decides. Returns false at the end.
    twin::Result<bool> step();

    [[nodiscard]] const LoopStats& stats() const { return m_stats; }
    [[nodiscard]] const Observation& observation() const { return m_observation; }

private:
    twin::Status decideAndAct();
    twin::Status act(const Policy& by, const std::vector<Action>& actions, double decideUs,
                     const std::string& note);

    sim::TelemetrySource& m_source;
    sim::ActuatorSink& m_sink;
    Policy& m_policy;
    Observation m_observation;
    DecisionLog* m_log;
    SafetyGuard m_guard;
    Policy* m_fallback = nullptr;
    std::string m_modelHash;
    Seconds m_nextDecision = 0;
    bool m_started = false;
    double m_observeUs = 0.0;
    LoopStats m_stats;
};

} // namespace twindesk::policies
