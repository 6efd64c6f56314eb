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

#include <twindesk/sim/scenario.h>
#include <twindesk/twin/result.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>

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

} // namespace twindesk::app
