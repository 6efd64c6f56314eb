#pragma once
/// \file safety_guard.h
/// The safety envelope every proposed action passes before it can be approved and applied.
///
/// Rules per action kind (all configurable, all named in the verdict when they fire):
///  - schema: the action is well formed (sim::validateAction) and of a kind the policy declared;
///  - bounds: setpoints within [min, max] — clamped ("modified") by default, or rejected;
///  - rate: a setpoint moves at most `maxSetpointStep` per decision — clamped;
///  - dwell: the same target is not changed again within `minDwell` seconds — rejected;
///  - migrations: at most `maxMigrationsPerInterval` VM migrations per `migrationInterval`;
///  - host-workloads: never power off a host that still runs (or is receiving) workloads, nor
///    one whose workloads are unknown;
///  - critical-workload: never throttle, move or stop a workload marked critical (its twin
///    entity's attribute `critical` = true; the loop tells the guard);
///  - oscillation: a target whose value reversed direction `oscillationReversals` times within
///    `oscillationWindow` seconds is frozen for the rest of the window — rejected.
/// The guard is deterministic (decisions depend on action times, never the wall clock) and
/// keeps per-target history; one guard serves one loop on one thread.

#include <twindesk/sim/action.h>
#include <twindesk/sim/sim_time.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace twindesk::policies {

struct GuardConfig
{
    double minSetpointC = 12.0;
    double maxSetpointC = 30.0;
    bool clampOutOfBounds = true; ///< false: reject instead of clamping
    double maxSetpointStep = 5.0; ///< K per change
    sim::Seconds minDwell = 600;  ///< between two changes of the same target
    int maxMigrationsPerInterval = 100;
    sim::Seconds migrationInterval = 300;
    int oscillationReversals = 3;
    sim::Seconds oscillationWindow = 3600;
};

enum class Verdict : std::uint8_t { Accepted, Modified, Rejected };

struct GuardResult
{
    Verdict verdict = Verdict::Accepted;
    sim::Action action; ///< the action to apply (possibly modified)
    std::string rule;   ///< the rule that fired ("bounds", "rate", "dwell", ...), empty if none
    std::string reason; ///< human-readable, names the target and the limit
};

std::string_view verdictName(Verdict verdict);

class SafetyGuard
{
public:
    explicit SafetyGuard(GuardConfig config = {}) : m_config(config) {}

    /// Checks `action` proposed at `now`; `declared` are the kinds the policy may emit;
    /// `current` is the target's present value when known (for rate limiting);
    /// `workloadsOnTarget` the workloads on a host target (PowerHost), when known;
    /// `criticalTarget` whether the target is a workload marked critical.
    GuardResult check(const sim::Action& action, sim::Seconds now,
                      const std::vector<sim::ActionKind>& declared, std::optional<double> current,
                      std::optional<int> workloadsOnTarget = std::nullopt,
                      bool criticalTarget = false);
    /// Records that `action` was applied at `now` (dwell, migrations, oscillation history).
    void applied(const sim::Action& action, sim::Seconds now);

    [[nodiscard]] const GuardConfig& config() const { return m_config; }

private:
    struct History
    {
        std::vector<std::pair<sim::Seconds, double>> changes; ///< within the window
        sim::Seconds frozenUntil = 0;
    };
    GuardConfig m_config;
    std::map<std::string, History> m_targets; // by target id; ordered, deterministic
    std::vector<sim::Seconds> m_migrations;   // start times within the interval
};

} // namespace twindesk::policies
