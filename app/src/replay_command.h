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

#include <filesystem>
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

} // namespace twindesk::app
