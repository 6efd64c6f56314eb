#pragma once
/// \file live_events.h
/// What happened on a live connection, kept in the project file beside the historian: the
/// connection's ups and downs (a telemetry gap is the time between a `disconnected` and the
/// next `connected`), points that went stale or came back, commands sent, confirmed or left
/// unconfirmed, and bad payloads. The alarm list of the console and `twindesk live` reads it.
///
/// Table `live_events(t INTEGER ms since the epoch, kind TEXT, subject TEXT, detail TEXT)`,
/// created when missing. Appends are buffered and written in one transaction per flush().
/// Borrows the store's connection: the store must outlive it. One thread.

#include <twindesk/twin/project_store.h>
#include <twindesk/twin/result.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace twindesk::live {

/// Event kinds. Alarms are the kinds an operator must look at.
namespace event {
inline constexpr const char* kConnected = "connected";
inline constexpr const char* kDisconnected = "disconnected"; ///< alarm: telemetry gap starts
inline constexpr const char* kRefused = "refused";           ///< alarm
inline constexpr const char* kStale = "stale";               ///< alarm: no sample in time
inline constexpr const char* kFresh = "fresh";               ///< a stale point is back
inline constexpr const char* kCommandSent = "command_sent";
inline constexpr const char* kCommandConfirmed = "command_confirmed";
inline constexpr const char* kCommandUnconfirmed = "command_unconfirmed"; ///< alarm
inline constexpr const char* kCommandDropped = "command_dropped";         ///< alarm
inline constexpr const char* kBadPayload = "bad_payload";                 ///< alarm
} // namespace event

/// Whether events of `kind` are alarms.
bool isAlarm(const std::string& kind);

struct LiveEvent
{
    std::int64_t timeMs = 0;
    std::string kind;
    std::string subject; ///< a point id, a topic, the broker URL
    std::string detail;
};

class LiveEvents
{
public:
    /// Creates the table when missing. StorageError when the file is read-only or damaged.
    static twin::Result<LiveEvents> open(twin::ProjectStore& store);

    void add(LiveEvent e) { m_pending.push_back(std::move(e)); }
    /// Writes what is buffered (one transaction).
    twin::Status flush();
    /// Every stored event, oldest first (`kind` empty: all kinds).
    [[nodiscard]] twin::Result<std::vector<LiveEvent>> all(const std::string& kind = {}) const;

private:
    explicit LiveEvents(twin::ProjectStore& store) : m_store(&store) {}
    twin::ProjectStore* m_store;
    std::vector<LiveEvent> m_pending;
};

/// The events of a project, oldest first (read-only; empty when it has no live_events table).
twin::Result<std::vector<LiveEvent>> readLiveEvents(const twin::ProjectStore& store);

/// How many events of each kind a project holds (empty when it has no live_events table).
twin::Result<std::map<std::string, std::int64_t>> liveEventCounts(const twin::ProjectStore& store);

} // namespace twindesk::live
