#pragma once
/// \file live_command.h
/// `twindesk live`: the control loop connected to a real building through an MQTT broker
/// (issue #7 §7). Telemetry in through the topic map (LiveSource), the policy deciding on its
/// period, every action through the guard and the approval gate (people approve high-impact
/// actions with `twindesk approvals`; live never approves them by itself), commands out on
/// the command topics (MqttSink, confirmed by the device's state). Everything is recorded in
/// the project: historian, decision log, the frames the loop observed (a recording to replay)
/// and the connection's events and alarms. SIGINT/SIGTERM stop it cleanly, everything flushed.
///
/// Exit codes: 0 stopped cleanly; 1 the project, map, policy or broker could not be used (the
/// message names which), or storing failed; 2 usage.

#include "cli.h"

#include <twindesk/twin/historian_rollup.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace twindesk::app {

/// What a running live loop reports to an embedding (the console's Live view) after every
/// frame: the connection and the loop's counters.
struct LiveProgress
{
    std::string state;     ///< "connecting", then the MQTT client's state name
    std::int64_t nowMs = 0; ///< the loop's clock (the last frame), ms since the epoch
    std::uint64_t messages = 0;
    std::uint64_t stored = 0;
    std::uint64_t rejected = 0; ///< bad payloads, unknown topics, wrong units, NaN
    std::size_t stalePoints = 0;
    std::int64_t decisions = 0;
    std::int64_t applied = 0;
    std::int64_t pendingApprovals = 0;
    std::uint64_t commandsSent = 0;
    std::uint64_t commandsConfirmed = 0;
};

struct LiveCommandOptions
{
    std::string broker; ///< mqtt://[user@]host[:port] or mqtts://...
    std::filesystem::path project;
    std::filesystem::path map; ///< may be empty with a discovery prefix
    std::string discovery;     ///< Home Assistant discovery prefix; empty: off
    std::string policy; ///< "NAME" or "NAME:{json params}"
    std::optional<std::string> shadow;
    std::string passwordFile;
    std::string caFile;
    double utcOffsetHours = 0.0; ///< the site's standard time, for schedules
    std::chrono::milliseconds frame{1000};
    std::chrono::milliseconds duration{0}; ///< 0: until SIGINT/SIGTERM
    std::chrono::milliseconds confirmTimeout{30'000};
    double statusEveryS = 10.0;
    /// Historian levels kept (raw, 1-minute, 15-minute); rolled up every minute.
    twin::Retention retention;
    /// Historian store: a postgresql:// URL or "project" (twin/store_location.h); std::nullopt:
    /// the project's meta key `store`, else the project file.
    std::optional<std::string> store;
    bool json = false;
    /// For an embedding (the console): when set, read after every frame; true stops the loop
    /// as SIGINT does (everything flushed), and no signal handlers are installed.
    const std::atomic<bool>* stop = nullptr;
    /// For an embedding: called on the loop's thread before connecting and after every frame.
    std::function<void(const LiveProgress&)> onProgress;
};

int runLive(const LiveCommandOptions& options, CliIo& io);

} // namespace twindesk::app
