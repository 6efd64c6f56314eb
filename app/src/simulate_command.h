#pragma once
/// \file simulate_command.h
/// `twindesk simulate`: loads a scenario, runs the engine, writes telemetry to the historian of
/// a results project and prints KPIs. Kept apart from cli.cpp so the CLI table stays readable.
/// With `publish` it is also the device simulator of issue #7 §6: the building's points go to
/// an MQTT broker (twindesk::live::DevicePublisher; docs/live.md "Device simulator").

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
    /// Broker URL (mqtt://HOST[:PORT], mqtts://...): publish telemetry and Home Assistant
    /// discovery there and obey the command topics. None: no network.
    std::optional<std::string> publish;
    /// Simulated seconds per wall second (> 0) when publishing; none: as fast as possible.
    /// Pacing happens here in the app, between steps: the engine stays deterministic.
    std::optional<double> realtimeFactor;
    /// Where to write the topic map of the published points (with `publish` only).
    std::optional<std::filesystem::path> mapOut;
};

/// Runs the scenario. When publishing: connects first (exit 1 with the broker URL in the
/// message when that fails), writes the topic map, publishes discovery, then applies received
/// commands before each step and publishes after it. SIGINT/SIGTERM while publishing end the
/// run cleanly after the current step (exit 0; a results file is then not written). Returns
/// the process exit code.
int runSimulate(const SimulateOptions& options, CliIo& io);

/// A --realtime-factor value: a finite decimal number > 0; nullopt otherwise.
std::optional<double> parseRealtimeFactor(const std::string& text);

/// The shared-data folder: --anchors, else $TWINDESK_ANCHORS_DIR, else ../shared/anchors next
/// to the source tree when present (development checkouts and CI).
std::filesystem::path defaultAnchorsDir();

} // namespace twindesk::app
