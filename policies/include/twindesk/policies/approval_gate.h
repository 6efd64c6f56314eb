#pragma once
/// \file approval_gate.h
/// The approval gate: high-impact actions wait for a person before the control loop applies
/// them (observe → decide → guard → **approve** → act → log).
///
/// ## What is high-impact (ApprovalConfig, every rule configurable, each named when it fires)
///  - `power-host-off`: PowerHost with value 0;
///  - `setpoint-outside-band`: SetSetpoint outside [comfortLowC, comfortHighC] (°C; a setpoint
///    published in another unit is converted when the twin says which) — a 16 °C heating
///    setback is outside the default 19..26 °C band;
///  - `rooms-per-round`: a round whose actions touch more than maxRoomsPerRound rooms makes
///    every action of the round high-impact. A target's room is its nearest Room/Zone (a point
///    counts for the entity that has it) when the Observation has a twin; without one, or when
///    no room is found, each distinct target counts as its own room. Data-centre commands
///    (PlaceVm, MigrateVm, PowerHost, Throttle) are not counted: they touch no room;
///  - `always-kind`: the kinds listed in alwaysKinds (e.g. MigrateVm) always need approval.
///
/// ## Requests (table `approvals` of the project file, schema v3; see project_store.cpp)
/// A request holds the action exactly (kind, target, value, text, destination) so it is
/// re-applied as proposed, the source time it was requested at and expires at (ms since the
/// Unix epoch, the loop's clock, never the wall clock), the policy, the reason, and the
/// decision-log rows that proposed it (`decision_seq`) and recorded its outcome (`outcome_seq`,
/// NULL until the loop logged it). Statuses:
///
///     pending ─approve─▶ approved ─the loop applies it─▶ applied
///                                 └─the guard or the sink refuses it then─▶ failed
///     pending ─reject─▶ rejected
///     pending or approved ─source time ≥ expires─▶ expired
///     pending or approved ─a later action on the same target and kind─▶ superseded
///
/// Requests are committed at once, decision-log rows when the log flushes its batch: after a
/// crash, `decision_seq` may name a row that was never written.
///
/// approve()/reject() act only on pending requests and are refused (NotFound for an unknown
/// id, InvalidArgument otherwise) with a message naming the id. The human decision records
/// the approver, the wall-clock UTC time (ISO 8601) and a note.
///
/// ## Several connections
/// A gate borrows a store's connection (twin::SqlConnection): the project file's or a shared
/// PostgreSQL store's. Another process (the CLI, a console on another machine) approving
/// through its own connection is seen by the loop's next poll(): every call runs its own short
/// statements (no read transaction is held between calls). On a project file writers wait for
/// each other through the busy timeout (WAL mode); on the shared store every status change is
/// a conditional UPDATE (`... WHERE status = 'pending'`), so two consoles deciding the same
/// request at once cannot both win, and the winner's decision commits together with a NOTIFY
/// on kApprovalsChannel (docs/store.md). The live loop polls every frame (1 s by default):
/// an approval reaches it within a frame whether or not the notification arrives.
///
/// Without a store (inMemory()) the gate keeps its requests in a private in-memory database:
/// the same behaviour for quick what-ifs, nothing persisted.
///
/// Thread affinity: one thread per gate, like the ProjectStore whose connection it borrows.
/// Determinism: the gate reads no clock except for decided_at (wall time of a human
/// decision), which never feeds back into a decision.

#include <twindesk/sim/action.h>
#include <twindesk/sim/sim_time.h>
#include <twindesk/twin/result.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace twindesk::twin {
class ProjectStore;
class SqlConnection;
} // namespace twindesk::twin

namespace twindesk::policies {

class Observation;

/// The channel on which the shared store announces a new or decided request (payload: its
/// id), so consoles and loops elsewhere need not wait for their next poll.
inline constexpr std::string_view kApprovalsChannel = "twindesk_approvals";

/// Which actions need a person's approval, and for how long a request stays open.
struct ApprovalConfig
{
    /// Approve high-impact actions automatically (simulation runs that have nobody to ask);
    /// they are applied at once and logged "auto (high-impact: …)". Off by default: a caller
    /// that means to skip people says so.
    bool autoApprove = false;
    /// Seconds of source time a request stays open (pending, or approved but not applied).
    sim::Seconds expiry = 3600;
    bool powerHostOff = true;        ///< rule power-host-off
    bool setpointOutsideBand = true; ///< rule setpoint-outside-band
    double comfortLowC = 19.0;       ///< band for setpoint-outside-band, °C (inclusive)
    double comfortHighC = 26.0;
    /// Rule rooms-per-round: more rooms than this in one round (0 turns the rule off).
    int maxRoomsPerRound = 10;
    /// Rule gpu-instance: starting a runtime workload with GPUs whose hourly price (instance +
    /// GPUs, runtime.h) is at least this (0 turns the rule off).
    double gpuInstanceCostPerHour = 1.0;
    /// Rule always-kind: kinds that always need approval (e.g. {ActionKind::MigrateVm}).
    std::vector<sim::ActionKind> alwaysKinds;
};

/// Why one action needs approval: the rules that fired, each with its explanation.
struct ImpactAssessment
{
    std::vector<std::string> rules;   ///< "power-host-off", "setpoint-outside-band", ...
    std::vector<std::string> reasons; ///< one per rule, naming the target and the limit

    [[nodiscard]] bool highImpact() const { return !rules.empty(); }
    /// "rule: reason; rule: reason" (empty when not high-impact).
    [[nodiscard]] std::string reason() const;
    /// Adds the rules of `other` that are not present yet.
    void merge(const ImpactAssessment& other);
};

/// The rules of one action on its own (every rule except rooms-per-round).
ImpactAssessment assessAction(const ApprovalConfig& config, const sim::Action& action,
                              const Observation* observation = nullptr);

/// The distinct rooms a round touches (see the file comment for what counts as a room).
std::size_t roomsTouched(const std::vector<sim::Action>& round, const Observation* observation);

enum class ApprovalStatus : std::uint8_t {
    Pending,
    Approved,
    Rejected,
    Expired,
    Applied,
    Superseded,
    Failed, ///< approved, but the guard or the sink refused it when the loop applied it
};

/// "pending", "approved", ... as stored in the table.
std::string_view approvalStatusName(ApprovalStatus status);
std::optional<ApprovalStatus> parseApprovalStatus(std::string_view name);

/// One row of the approvals table.
struct ApprovalRequest
{
    std::int64_t id = 0;          ///< assigned by request()
    std::int64_t requestedMs = 0; ///< source time, ms since the Unix epoch
    std::int64_t expiresMs = 0;   ///< source time after which it can no longer be applied
    std::string policyId;
    sim::Action action; ///< exactly as it would be applied (after the guard's modifications)
    std::string reason; ///< ImpactAssessment::reason()
    ApprovalStatus status = ApprovalStatus::Pending;
    std::string decidedBy; ///< the approver/rejecter (empty until a person decided)
    std::string decidedAt; ///< wall-clock UTC, ISO 8601 ("2025-01-06T19:02:11Z")
    std::string note;      ///< the approver's note, the rejection reason, or what the loop saw
    std::int64_t decisionSeq = 0; ///< decision-log row that proposed it (0: no log)
    /// Decision-log row that recorded the outcome; nullopt until the loop logged it (0: the
    /// loop runs without a log).
    std::optional<std::int64_t> outcomeSeq;
    /// The loop that asked (set by request() from the gate's origin; "" on a project file
    /// with its one loop).
    std::string origin;

    bool operator==(const ApprovalRequest&) const = default;
};

/// A person's decision on a pending request.
struct ApprovalDecision
{
    std::string user; ///< required: who decides
    std::string note; ///< approval note or rejection reason (may be empty)
    /// Wall-clock UTC ISO 8601 of the decision; empty: now.
    std::string decidedAt;
    /// Source time of the decision when the caller knows it (in-process consoles, tests): a
    /// request whose expiry has passed is refused. The CLI does not know the loop's source
    /// time; it relies on the loop marking overdue requests expired (an approval that comes
    /// too late is expired, not applied, at the loop's next poll).
    std::optional<std::int64_t> nowMs;
};

class ApprovalGate
{
public:
    /// The gate of `store` (schema v3 or later: the `approvals` table). The store must
    /// outlive the gate. A read-only store gives a gate that can list() but not write.
    static twin::Result<ApprovalGate> open(twin::ProjectStore& store);
    /// The gate of any store's connection: a project file's (ProjectStore::sql()) or the
    /// shared PostgreSQL store's (PgStore::sql()), which every console and loop of a site
    /// opens to share one queue. The connection must outlive the gate.
    static twin::Result<ApprovalGate> open(twin::SqlConnection& connection);
    /// A gate in a private in-memory database (nothing persisted).
    static twin::Result<ApprovalGate> inMemory();

    ApprovalGate(ApprovalGate&&) noexcept;
    ApprovalGate& operator=(ApprovalGate&&) noexcept;
    ApprovalGate(const ApprovalGate&) = delete;
    ApprovalGate& operator=(const ApprovalGate&) = delete;
    ~ApprovalGate();

    /// Assesses a round of actions: one entry per action, in order, each with its own rules
    /// and, when the round touches more than maxRoomsPerRound rooms, rooms-per-round.
    static std::vector<ImpactAssessment> assess(const ApprovalConfig& config,
                                                const std::vector<sim::Action>& round,
                                                const Observation* observation = nullptr);

    /// Stores a new pending request (id and status of `request` are ignored); returns its id.
    /// Errors: InvalidArgument (empty policy id, an invalid action, expiry before the request,
    /// a read-only store), StorageError.
    twin::Result<std::int64_t> request(const ApprovalRequest& request);
    /// The request `id`; NotFound when there is none.
    [[nodiscard]] twin::Result<ApprovalRequest> get(std::int64_t id) const;
    /// Requests with `status` (nullopt: all), ordered by id.
    [[nodiscard]] twin::Result<std::vector<ApprovalRequest>>
    list(std::optional<ApprovalStatus> status = ApprovalStatus::Pending) const;
    /// An open request (pending or approved, not yet applied) for exactly this action.
    [[nodiscard]] twin::Result<std::optional<ApprovalRequest>>
    findOpen(const sim::Action& action) const;

    /// Approves a pending request; returns it as stored now. Refused with a message naming the
    /// id when it does not exist (NotFound), is not pending, has expired (decision.nowMs given
    /// and ≥ its expiry) or no user is given (InvalidArgument).
    twin::Result<ApprovalRequest> approve(std::int64_t id, const ApprovalDecision& decision);
    /// Rejects a pending request; the note is the reason. Refused as approve().
    twin::Result<ApprovalRequest> reject(std::int64_t id, const ApprovalDecision& decision);

    /// Marks open requests (pending, or approved but not applied) with expiresMs ≤ nowMs
    /// expired; returns them, ordered by id.
    twin::Result<std::vector<ApprovalRequest>> expire(std::int64_t nowMs);
    /// Marks the open requests for the same kind and target as `by` superseded (a later action
    /// changed that target, or a new request replaces them); returns them.
    twin::Result<std::vector<ApprovalRequest>> supersede(const sim::Action& by);

    /// The loop's poll at source time `nowMs`: expire(nowMs), then every request the loop has
    /// to act on, ordered by id: approved ones to apply, and rejected/expired/superseded/failed
    /// ones whose outcome it has not logged yet (outcomeSeq unset).
    twin::Result<std::vector<ApprovalRequest>> poll(std::int64_t nowMs);
    /// Approved → applied; `outcomeSeq` is the log row that recorded it. Fails (InvalidArgument)
    /// when the request is no longer approved.
    twin::Status markApplied(std::int64_t id, std::int64_t outcomeSeq);
    /// Approved → failed (the guard or the sink refused it at application); `why` goes to note.
    twin::Status markFailed(std::int64_t id, const std::string& why, std::int64_t outcomeSeq);
    /// Records that the loop logged the outcome of a rejected/expired/superseded request.
    twin::Status markReported(std::int64_t id, std::int64_t outcomeSeq);
    /// Sets the decision-log row that proposed request `id` (a loop on a shared log learns the
    /// row's seq only when the row is written: several loops append to one chain).
    twin::Status setDecisionSeq(std::int64_t id, std::int64_t decisionSeq);

    /// The file (or "(in memory)") and table, for messages.
    [[nodiscard]] const std::string& where() const;

    /// Names the loop this gate works for (e.g. "host:/path/site.twin"). Its requests carry
    /// the name, and the loop's own calls — findOpen, supersede, expire, poll — see only the
    /// requests with that name, so loops sharing one queue never apply, expire or supersede
    /// each other's. Consoles leave it empty: list/approve/reject see every request.
    void setOrigin(std::string origin);
    [[nodiscard]] const std::string& origin() const;

private:
    struct Impl;
    explicit ApprovalGate(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace twindesk::policies
