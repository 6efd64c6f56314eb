#pragma once
/// \file simulate_command.h
/// `twindesk simulate`: loads a scenario, runs the engine, writes telemetry to the historian of
/// a results project and prints KPIs. Kept apart from cli.cpp so the CLI table stays readable.

#include "cli.h"

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace twindesk::app {

struct SimulateOptions
{
    std::filesystem::path scenario;
    std::optional<std::filesystem::path> out; ///< results project (*.twin); none: no historian
    bool json = false;
    bool force = false;
    bool progress = true; ///< only drawn when stderr is a terminal
    std::filesystem::path anchors;
    std::vector<std::pair<std::string, std::string>> overrides;
};

int runSimulate(const SimulateOptions& options, CliIo& io);

/// The shared-data folder: --anchors, else $TWINDESK_ANCHORS_DIR, else ../shared/anchors next
/// to the source tree when present (development checkouts and CI).
std::filesystem::path defaultAnchorsDir();

} // namespace twindesk::app
