#pragma once
/// \file replay.h
/// Open-loop replay (issue #6 §2): a recording's frames (RecordedSource) fed through a policy
/// by the same ControlLoop that produced them, the actions it proposes captured and compared
/// with the ones the recording's decision log holds.
///
/// Open loop means the policy's actions change nothing: the sink accepts them and the next
/// frame is the recorded one. So a policy whose decisions depend only on what it observes
/// (every built-in one) reproduces a recording of itself exactly — same actions at the same
/// times — which is the proof that simulation, replay and live run one loop (tested).

#include <twindesk/policies/control_loop.h>
#include <twindesk/policies/policy_registry.h>
#include <twindesk/twin/project_store.h>

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace twindesk::policies {

/// One proposed action at a decision time.
struct ProposedAction
{
    sim::Seconds time = 0;
    std::string action; ///< sim::describeAction
    bool operator==(const ProposedAction&) const = default;
};

/// What the recording's decision log says was proposed: rows with an action, without the
/// approval-outcome rows (verdict "not applied"), in log order.
twin::Result<std::vector<ProposedAction>> recordedProposals(const twin::ProjectStore& store);

struct OpenLoopReplay
{
    std::vector<ProposedAction> proposals; ///< the candidate's, fallback rounds included
    LoopStats stats;
};

/// Runs `policy` over every frame of `source` through a ControlLoop with `settings` (guard,
/// approvals, timeout) and `fallback` (may be null), into `log` (may be null). Nothing is
/// applied anywhere.
twin::Result<OpenLoopReplay> replayOpenLoop(sim::TelemetrySource& source, Policy& policy,
                                            Policy* fallback, Observation observation,
                                            const LoopSettings& settings, DecisionLog* log);

/// How a candidate's proposals compare with the recorded ones.
struct ProposalComparison
{
    std::int64_t recorded = 0;
    std::int64_t candidate = 0;
    std::int64_t matched = 0; ///< same action at the same time (as multisets)
    double agreement = 1.0;   ///< matched / max(recorded, candidate); 1 when both are empty
    /// Per action kind ("SetSetpoint", ...): recorded, candidate, matched.
    std::map<std::string, std::array<std::int64_t, 3>> byKind;
    /// Targets with the most unmatched actions, most first (at most 10): (target, unmatched).
    std::vector<std::pair<std::string, std::int64_t>> topTargets;
    /// The earliest time the two differ, and what each proposed then (empty when identical).
    std::optional<sim::Seconds> firstDivergence;
    std::vector<std::string> recordedAtDivergence;
    std::vector<std::string> candidateAtDivergence;
    /// Unmatched actions that the other side proposed too, at another time: how far apart
    /// (candidate time − recorded time, s; nearest occurrence).
    std::int64_t shifted = 0;
    double meanShiftS = 0.0;
    double maxAbsShiftS = 0.0;
};
ProposalComparison compareProposals(const std::vector<ProposedAction>& recorded,
                                    const std::vector<ProposedAction>& candidate);

} // namespace twindesk::policies
