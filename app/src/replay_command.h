#pragma once
/// \file replay_command.h
/// `twindesk replay REC.twin [--policy NAME[:PARAMS]]`: open-loop replay of a recording
/// (policies/replay.h). The recording's frames go through the same control loop with the
/// candidate policy (default: the recorded one); its proposals are compared with the recorded
/// decisions. The calendar and twin come from the recording's scenario (kept in its meta).
///
/// Exit codes: 0 replayed (whatever the agreement); 1 the recording, scenario or policy could
/// not be used (the message names which); 2 usage.

#include "cli.h"

#include <twindesk/policies/control_loop.h>
#include <twindesk/policies/replay.h>
#include <twindesk/sim/scenario.h>
#include <twindesk/twin/result.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace twindesk::app {

struct ReplayOptions
{
    std::filesystem::path recording;
    std::optional<std::string> policy;             ///< "NAME" or "NAME:{json params}"
    std::optional<std::filesystem::path> scenario; ///< overrides the recorded scenario path
    std::filesystem::path anchors;
    bool json = false;
};

int runReplay(const ReplayOptions& options, CliIo& io);

/// What a recording says about the run that wrote it: its scenario (reloaded from the path
/// and --set overrides kept in its meta, or `scenario` when given) and its policy object.
struct RecordingContext
{
    sim::Scenario scenario;
    nlohmann::json policy; ///< the recorded "policy" object ({} when none)
    std::map<std::string, std::string> meta;
};
twin::Result<RecordingContext>
loadRecordingContext(const std::filesystem::path& recording,
                     const std::optional<std::filesystem::path>& scenario,
                     const std::filesystem::path& anchors);

/// The policy object to run: the recorded one, or with the name and params of `spec`
/// ("NAME" or "NAME:{json params}"; "recorded" keeps it). Its guard and approvals stay.
twin::Result<std::string> candidatePolicyJson(const nlohmann::json& recorded,
                                              const std::string& spec, const std::string& where);

/// What a candidate's open-loop replay of a recording gives: `twindesk replay` prints it, the
/// console's replay view shows it.
struct CandidateReplay
{
    std::string candidateId, candidateVersion, candidateHash;
    std::size_t frames = 0;   ///< frames in the recording
    std::size_t replayed = 0; ///< frames fed through the loop (< frames when cancelled)
    bool cancelled = false;   ///< stopped by ReplayHooks::cancel; the rest is partial
    policies::LoopStats stats;
    std::vector<policies::ProposedAction> recorded;  ///< the decision log's proposals
    std::vector<policies::ProposedAction> candidate; ///< the candidate's, in order
    policies::ProposalComparison comparison;
    double replayS = 0.0; ///< wall time of the loop
};

struct ReplayHooks
{
    /// Checked before every frame: when it turns true the replay stops (cancelled). May be null.
    const std::atomic<bool>* cancel = nullptr;
    /// Called on the replaying thread before every frame: (frames done, frames). May be empty.
    std::function<void(std::size_t, std::size_t)> progress;
};

/// Replays `recording` open loop with the candidate `spec` ("recorded", "NAME" or
/// "NAME:{json params}"; `where` names it in errors, e.g. "--policy") and compares its
/// proposals with the recorded ones. Errors name the recording, scenario or policy.
twin::Result<CandidateReplay> replayCandidate(const std::filesystem::path& recording,
                                              const std::string& spec, const std::string& where,
                                              const std::optional<std::filesystem::path>& scenario,
                                              const std::filesystem::path& anchors,
                                              const ReplayHooks& hooks = {});

/// One decision time of a replay: what the recording and the candidate proposed then.
struct ReplayRound
{
    sim::Seconds time = 0;
    std::vector<std::string> recorded;  ///< sorted
    std::vector<std::string> candidate; ///< sorted
    bool agree = false;                 ///< the same actions (as multisets)
};
/// The rounds of both sides merged by time (every time either proposed something), in time
/// order. The first that disagrees is ProposalComparison::firstDivergence.
std::vector<ReplayRound> replayRounds(const std::vector<policies::ProposedAction>& recorded,
                                      const std::vector<policies::ProposedAction>& candidate);

} // namespace twindesk::app
