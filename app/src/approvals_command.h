#pragma once
/// \file approvals_command.h
/// `twindesk approvals list | approve | reject`: a person decides on the high-impact actions
/// the control loop holds back (policies/approval_gate.h), through the project/results file
/// the loop writes, or the shared PostgreSQL store it names. The loop sees the decision on its
/// next step (its own connection to the same file or server; NOTIFY on the shared store).
///
/// Exit codes: 0 done; 1 refused (unknown id, not pending, expired — the message says which);
/// 2 usage errors and files that cannot be opened or read.

#include "cli.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace twindesk::app {

struct ApprovalsOptions
{
    enum class Verb : std::uint8_t { List, Approve, Reject };
    Verb verb = Verb::List;
    std::filesystem::path file;
    std::int64_t id = 0; ///< approve/reject
    std::string user;    ///< approve/reject: the person deciding
    std::string text;    ///< approve: note; reject: reason
    /// The store holding the queue: a postgresql:// URL or "project"; std::nullopt: the
    /// project's meta key `store`, else the project file (twin/store_location.h).
    std::optional<std::string> store;
    bool all = false;    ///< list: every request, not only pending ones
    bool json = false;
};

int runApprovals(const ApprovalsOptions& options, CliIo& io);

/// "12" or "#12" → 12; nullopt for anything else (signs, spaces, 0, overflow, "1e3").
std::optional<std::int64_t> parseApprovalId(std::string_view text);

/// Milliseconds since the Unix epoch as UTC ISO 8601 ("2025-01-06T19:00:00Z", with ".250"
/// when the milliseconds are not zero).
std::string isoFromMs(std::int64_t ms);

} // namespace twindesk::app
