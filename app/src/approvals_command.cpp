#include "approvals_command.h"

#include <twindesk/policies/approval_gate.h>
#include <twindesk/twin/project_store.h>
#include <twindesk/twin/store_location.h>

#include <nlohmann/json.hpp>

#include <charconv>
#include <ctime>
#include <iomanip>
#include <ostream>
#include <sstream>

namespace twindesk::app {

namespace {

constexpr int kOk = 0;
constexpr int kRefused = 1;
constexpr int kFileError = 2;

using policies::ApprovalRequest;
using policies::ApprovalStatus;

int fileError(CliIo& io, const twin::Error& error)
{
    io.err << "error: " << error.toString() << '\n';
    return kFileError;
}

nlohmann::ordered_json requestJson(const ApprovalRequest& r)
{
    nlohmann::ordered_json j;
    j["id"] = r.id;
    j["status"] = std::string(policies::approvalStatusName(r.status));
    j["requested"] = isoFromMs(r.requestedMs);
    j["requested_ms"] = r.requestedMs;
    j["expires"] = isoFromMs(r.expiresMs);
    j["expires_ms"] = r.expiresMs;
    j["policy"] = r.policyId;
    j["action"] = sim::describeAction(r.action);
    j["kind"] = std::string(sim::actionKindName(r.action.kind));
    j["target"] = r.action.target;
    j["value"] = r.action.value;
    j["text"] = r.action.text;
    j["destination"] = r.action.destination;
    j["reason"] = r.reason;
    j["decided_by"] = r.decidedBy;
    j["decided_at"] = r.decidedAt;
    j["note"] = r.note;
    j["decision_seq"] = r.decisionSeq;
    j["loop"] = r.origin;
    if (r.outcomeSeq)
        j["outcome_seq"] = *r.outcomeSeq;
    else
        j["outcome_seq"] = nullptr;
    return j;
}

void printRequest(std::ostream& out, const ApprovalRequest& r, bool withStatus)
{
    out << '#' << r.id << "  ";
    if (withStatus)
        out << std::left << std::setw(11) << policies::approvalStatusName(r.status) << std::right;
    out << "requested " << isoFromMs(r.requestedMs) << "  expires " << isoFromMs(r.expiresMs)
        << "  policy " << r.policyId << '\n';
    if (!r.origin.empty())
        out << "    loop     " << r.origin << '\n';
    out << "    action   " << sim::describeAction(r.action) << '\n'
        << "    reason   " << r.reason << '\n';
    if (!r.decidedBy.empty() || !r.note.empty()) {
        out << "    decided  ";
        if (!r.decidedBy.empty())
            out << "by " << r.decidedBy << (r.decidedAt.empty() ? "" : " at " + r.decidedAt);
        if (!r.note.empty())
            out << (r.decidedBy.empty() ? "" : ": ") << r.note;
        out << '\n';
    }
}

int list(policies::ApprovalGate& gate, const ApprovalsOptions& o, CliIo& io)
{
    auto found = gate.list(o.all ? std::nullopt : std::optional(ApprovalStatus::Pending));
    if (!found)
        return fileError(io, found.error());
    if (o.json) {
        auto j = nlohmann::ordered_json::array();
        for (const auto& r : *found)
            j.push_back(requestJson(r));
        io.out << j.dump(2) << '\n';
        return kOk;
    }
    const char* what = o.all ? "approval request" : "pending approval request";
    if (found->empty()) {
        io.out << o.file.string() << ": no " << what << "s\n";
        return kOk;
    }
    io.out << o.file.string() << ": " << found->size() << ' ' << what
           << (found->size() == 1 ? "" : "s") << '\n';
    for (const auto& r : *found)
        printRequest(io.out, r, o.all);
    return kOk;
}

int decide(policies::ApprovalGate& gate, const ApprovalsOptions& o, CliIo& io)
{
    const bool approve = o.verb == ApprovalsOptions::Verb::Approve;
    policies::ApprovalDecision d;
    d.user = o.user;
    d.note = o.text;
    auto decided = approve ? gate.approve(o.id, d) : gate.reject(o.id, d);
    if (!decided) {
        const auto code = decided.error().code;
        // Refusals (unknown id, not pending, expired) differ from a file that fails.
        if (code == twin::ErrorCode::NotFound || code == twin::ErrorCode::InvalidArgument) {
            io.err << "error: " << decided.error().toString() << '\n';
            return kRefused;
        }
        return fileError(io, decided.error());
    }
    const auto& r = *decided;
    if (o.json) {
        io.out << requestJson(r).dump(2) << '\n';
        return kOk;
    }
    io.out << o.file.string() << ": " << (approve ? "approved" : "rejected") << " #" << r.id << " ("
           << sim::describeAction(r.action) << ") as " << r.decidedBy << '\n';
    if (approve)
        io.out << "the control loop applies it at its next step, unless the request expires "
                  "first (source time "
               << isoFromMs(r.expiresMs) << ") or the safety guard refuses it then\n";
    return kOk;
}

} // namespace

std::optional<std::int64_t> parseApprovalId(std::string_view text)
{
    if (!text.empty() && text.front() == '#')
        text.remove_prefix(1);
    if (text.empty() || text.front() < '0' || text.front() > '9')
        return std::nullopt;
    std::int64_t id = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, id);
    if (ec != std::errc{} || ptr != end || id <= 0)
        return std::nullopt;
    return id;
}

std::string isoFromMs(std::int64_t ms)
{
    std::int64_t seconds = ms / 1000;
    std::int64_t rest = ms % 1000;
    if (rest < 0) {
        rest += 1000;
        --seconds;
    }
    const auto t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::ostringstream s;
    s << std::put_time(&tm, "%Y-%m-%dT%H:%M:%S");
    if (rest != 0)
        s << '.' << std::setw(3) << std::setfill('0') << rest;
    s << 'Z';
    return s.str();
}

int runApprovals(const ApprovalsOptions& o, CliIo& io)
{
    const bool listing = o.verb == ApprovalsOptions::Verb::List;
    // Listing never writes: a file that still needs the schema migration says so.
    auto store = twin::ProjectStore::open(o.file, listing ? twin::OpenMode::ReadOnly
                                                          : twin::OpenMode::ReadWrite);
    if (!store)
        return fileError(io, store.error());
    // The queue is where the project's store is: its file, or the shared store.
    auto selection = twin::StoreSelection::resolve(*store, o.store);
    if (!selection)
        return fileError(io, selection.error());
    auto gate = policies::ApprovalGate::open(selection->sql());
    if (!gate)
        return fileError(io, gate.error());
    return listing ? list(*gate, o, io) : decide(*gate, o, io);
}

} // namespace twindesk::app
