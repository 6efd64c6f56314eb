#include <twindesk/policies/approval_gate.h>
#include <twindesk/sim/runtime.h>
#include <twindesk/policies/policy.h>
#include <twindesk/twin/project_store.h>
#include <twindesk/twin/sql_connection.h>
#include <twindesk/twin/sqlite_statement.h>
#include <twindesk/twin/units.h>

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <iomanip>
#include <set>
#include <sstream>
#include <utility>

namespace twindesk::policies {

using twin::ErrorCode;
using twin::makeError;
using twin::Result;
using twin::Status;

namespace {

// The in-memory gate creates its table with the project file's own migrations: the table
// (schema v3) and its origin column (v6).
constexpr std::array<int, 2> kApprovalsMigrations{3, 6};

constexpr const char* kSelect =
    "SELECT id, requested_ms, expires_ms, policy_id, kind, target, value, text, destination, "
    "reason, status, decided_by, decided_at, note, decision_seq, outcome_seq, origin FROM "
    "approvals";

// Open = may still be applied.
constexpr const char* kOpen = "status IN ('pending','approved')";
// What the loop acts on at its poll (when it has not logged an outcome for it yet).
constexpr const char* kToReport =
    "status IN ('approved','rejected','expired','superseded','failed')";

struct DbClose
{
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};

std::string num(double v)
{
    std::ostringstream s;
    s << std::setprecision(6) << v;
    return s.str();
}

std::string idText(std::int64_t id)
{
    return "request #" + std::to_string(id);
}

// The room (or zone) a target belongs to, or the target itself when the twin does not say.
std::string roomOf(const std::string& target, const twin::TwinGraph* g)
{
    if (g == nullptr)
        return target;
    const auto index = g->find(target);
    if (!index)
        return target;
    auto isRoom = [g](twin::EntityIndex i) {
        const auto kind = g->entity(i).kind;
        return kind == twin::EntityKind::Room || kind == twin::EntityKind::Zone;
    };
    std::vector<twin::EntityIndex> starts{*index};
    // A point belongs to whatever has it (a room, a VAV in a room, a host in a server room).
    if (g->entity(*index).kind == twin::EntityKind::Point)
        for (auto owner : g->incoming(*index, twin::Relation::HasPoint))
            starts.push_back(owner);
    for (auto s : starts) {
        if (isRoom(s))
            return g->entity(s).id;
        for (auto a : g->ancestors(s))
            if (isRoom(a))
                return g->entity(a).id;
    }
    return target;
}

// A setpoint's value in °C: converted when the twin gives the point another unit.
double setpointC(const sim::Action& action, const Observation* observation)
{
    const auto* g = observation != nullptr ? observation->twin() : nullptr;
    if (g == nullptr)
        return action.value;
    const auto index = g->find(action.target);
    if (!index)
        return action.value;
    const auto& point = g->entity(*index).point;
    if (!point || point->unit.empty() || point->unit == "°C")
        return action.value;
    auto c = twin::convert(action.value, point->unit, "°C");
    return c ? *c : action.value;
}

} // namespace

// ---- assessment ----------------------------------------------------------------------------

std::string ImpactAssessment::reason() const
{
    std::string out;
    for (std::size_t i = 0; i < rules.size(); ++i) {
        if (!out.empty())
            out += "; ";
        out += rules[i] + ": " + (i < reasons.size() ? reasons[i] : std::string{});
    }
    return out;
}

void ImpactAssessment::merge(const ImpactAssessment& other)
{
    for (std::size_t i = 0; i < other.rules.size(); ++i)
        if (std::find(rules.begin(), rules.end(), other.rules[i]) == rules.end()) {
            rules.push_back(other.rules[i]);
            reasons.push_back(i < other.reasons.size() ? other.reasons[i] : std::string{});
        }
}

ImpactAssessment assessAction(const ApprovalConfig& config, const sim::Action& action,
                              const Observation* observation)
{
    ImpactAssessment a;
    if (config.powerHostOff && action.kind == sim::ActionKind::PowerHost && action.value == 0.0) {
        a.rules.emplace_back("power-host-off");
        a.reasons.push_back("powers host '" + action.target + "' off");
    }
    if (config.setpointOutsideBand && action.kind == sim::ActionKind::SetSetpoint) {
        const double c = setpointC(action, observation);
        // NaN is outside every band: the guard rejects it first, but never wave it through.
        if (!(c >= config.comfortLowC && c <= config.comfortHighC)) {
            a.rules.emplace_back("setpoint-outside-band");
            a.reasons.push_back("setpoint " + num(c) + " °C for '" + action.target +
                                "' is outside the comfort band " + num(config.comfortLowC) + ".." +
                                num(config.comfortHighC) + " °C");
        }
    }
    // gpu-instance: starting a workload with GPUs whose hourly price reaches the threshold.
    const auto* fleet = observation != nullptr ? observation->runtimes() : nullptr;
    const bool starts = action.kind == sim::ActionKind::PlaceVm ||
                        (action.kind == sim::ActionKind::Switch && action.value == 1.0);
    if (config.gpuInstanceCostPerHour > 0.0 && fleet != nullptr && starts) {
        if (const auto w = fleet->workloadIndex(action.target)) {
            const auto& spec = fleet->config().workloads[*w];
            auto kind = spec.kind;
            if (action.kind == sim::ActionKind::PlaceVm && !action.text.empty())
                kind = twin::parseWorkloadType(action.text).value_or(spec.kind);
            const double perHour =
                spec.costPerHour > 0.0
                    ? spec.costPerHour
                    : fleet->config().profile(kind).costPerCoreHour * spec.cores +
                          spec.gpus * fleet->config().gpuCostPerHour;
            if (spec.gpus > 0 && perHour >= config.gpuInstanceCostPerHour) {
                a.rules.emplace_back("gpu-instance");
                a.reasons.push_back("starts '" + action.target + "' with " +
                                    std::to_string(spec.gpus) + " GPU(s) at " + num(perHour) +
                                    " per hour (threshold " +
                                    num(config.gpuInstanceCostPerHour) + ")");
            }
        }
    }
    if (std::find(config.alwaysKinds.begin(), config.alwaysKinds.end(), action.kind) !=
        config.alwaysKinds.end()) {
        a.rules.emplace_back("always-kind");
        a.reasons.push_back(std::string(sim::actionKindName(action.kind)) +
                            " always needs approval");
    }
    return a;
}

std::size_t roomsTouched(const std::vector<sim::Action>& round, const Observation* observation)
{
    const auto* g = observation != nullptr ? observation->twin() : nullptr;
    std::set<std::string> rooms;
    for (const auto& action : round) {
        // Data-centre commands have their own rules (host power-off; the guard's migration
        // budget): a consolidation round moving hundreds of VMs touches no room.
        if (action.kind == sim::ActionKind::MigrateVm || action.kind == sim::ActionKind::PlaceVm ||
            action.kind == sim::ActionKind::PowerHost || action.kind == sim::ActionKind::Throttle)
            continue;
        // Starting or stopping a runtime workload is a data-centre command too.
        if (observation != nullptr && observation->runtimes() != nullptr &&
            observation->runtimes()->workloadIndex(action.target))
            continue;
        rooms.insert(roomOf(action.target, g));
    }
    return rooms.size();
}

std::vector<ImpactAssessment> ApprovalGate::assess(const ApprovalConfig& config,
                                                   const std::vector<sim::Action>& round,
                                                   const Observation* observation)
{
    std::vector<ImpactAssessment> out;
    out.reserve(round.size());
    for (const auto& action : round)
        out.push_back(assessAction(config, action, observation));
    if (config.maxRoomsPerRound > 0) {
        const auto rooms = roomsTouched(round, observation);
        if (rooms > static_cast<std::size_t>(config.maxRoomsPerRound)) {
            ImpactAssessment wide;
            wide.rules.emplace_back("rooms-per-round");
            wide.reasons.push_back("the round touches " + std::to_string(rooms) +
                                   " rooms (more than " + std::to_string(config.maxRoomsPerRound) +
                                   ")");
            for (auto& a : out)
                a.merge(wide);
        }
    }
    return out;
}

// ---- statuses ------------------------------------------------------------------------------

std::string_view approvalStatusName(ApprovalStatus status)
{
    switch (status) {
    case ApprovalStatus::Pending:
        return "pending";
    case ApprovalStatus::Approved:
        return "approved";
    case ApprovalStatus::Rejected:
        return "rejected";
    case ApprovalStatus::Expired:
        return "expired";
    case ApprovalStatus::Applied:
        return "applied";
    case ApprovalStatus::Superseded:
        return "superseded";
    case ApprovalStatus::Failed:
        return "failed";
    }
    return "unknown";
}

std::optional<ApprovalStatus> parseApprovalStatus(std::string_view name)
{
    for (auto s : {ApprovalStatus::Pending, ApprovalStatus::Approved, ApprovalStatus::Rejected,
                   ApprovalStatus::Expired, ApprovalStatus::Applied, ApprovalStatus::Superseded,
                   ApprovalStatus::Failed})
        if (approvalStatusName(s) == name)
            return s;
    return std::nullopt;
}

// ---- the gate ------------------------------------------------------------------------------

using twin::SqlRow;
using twin::SqlValue;

struct ApprovalGate::Impl
{
    twin::SqlConnection* sql = nullptr; // the store's, or ownedSql
    std::unique_ptr<sqlite3, DbClose> owned; // the in-memory database
    std::unique_ptr<twin::SqlConnection> ownedSql;
    std::string where;
    bool readOnly = false;
    std::string origin; // the loop this gate asks for; its requests are the ones it acts on

    // The loop's calls see only its own requests (setOrigin); a console's see every one.
    [[nodiscard]] std::string mine() const { return origin.empty() ? "" : " AND origin = ?"; }
    void mine(std::vector<SqlValue>& params) const
    {
        if (!origin.empty())
            params.emplace_back(origin);
    }

    // Whether `target` has an open request of `kind`: one indexed read (a consolidation round
    // applies hundreds of actions; the statement stays prepared on SQLite).
    Result<bool> anyOpen(const std::string& target, std::string_view kind)
    {
        std::vector<SqlValue> params{target, std::string(kind)};
        mine(params);
        auto r = sql->query(std::string("SELECT EXISTS(SELECT 1 FROM approvals WHERE "
                                        "target = ? AND kind = ? AND ") +
                                kOpen + mine() + ")",
                            params, "looking for open requests");
        if (!r)
            return located(r.error());
        return !r->empty() && r->front().int64(0) != 0;
    }

    // Whether poll(nowMs) has anything to do: one indexed read, no write lock.
    Result<bool> anythingDue(std::int64_t nowMs)
    {
        // Rows without an outcome are the open ones and those not yet logged: few, and found
        // through approvals_unresolved however long the table grows.
        std::vector<SqlValue> params{nowMs};
        mine(params);
        auto r = sql->query(std::string("SELECT EXISTS(SELECT 1 FROM approvals WHERE "
                                        "outcome_seq IS NULL AND (") +
                                kToReport + " OR expires_ms <= ?)" + mine() + ")",
                            params, "polling approvals");
        if (!r)
            return located(r.error());
        return !r->empty() && r->front().int64(0) != 0;
    }

    // The connection names the file or URL; messages name the table too.
    twin::Error located(twin::Error e) const
    {
        e.where = where;
        return e;
    }

    Status writable() const
    {
        if (readOnly)
            return makeError(ErrorCode::InvalidArgument,
                             "the project was opened read-only; open it read-write to change "
                             "approvals",
                             where);
        return {};
    }

    static ApprovalRequest readRow(const SqlRow& st)
    {
        ApprovalRequest r;
        r.id = st.int64(0);
        r.requestedMs = st.int64(1);
        r.expiresMs = st.int64(2);
        r.policyId = st.text(3);
        r.action.kind = sim::parseActionKind(st.text(4)).value_or(sim::ActionKind::SetSetpoint);
        r.action.target = st.text(5);
        r.action.value = st.real(6);
        r.action.text = st.text(7);
        r.action.destination = st.text(8);
        r.reason = st.text(9);
        r.status = parseApprovalStatus(st.text(10)).value_or(ApprovalStatus::Pending);
        r.decidedBy = st.text(11);
        r.decidedAt = st.text(12);
        r.note = st.text(13);
        r.decisionSeq = st.int64(14);
        if (!st.null(15))
            r.outcomeSeq = st.int64(15);
        r.origin = st.text(16);
        return r;
    }

    Result<std::vector<ApprovalRequest>> select(const std::string& condition,
                                                std::vector<SqlValue> params,
                                                const std::string& what) const
    {
        std::vector<ApprovalRequest> out;
        if (auto s = sql->forEach(std::string(kSelect) + " WHERE " + condition + " ORDER BY id",
                                  params,
                                  [&out](const SqlRow& row) {
                                      out.push_back(readRow(row));
                                      return true;
                                  },
                                  what);
            !s)
            return located(s.error());
        return out;
    }

    Result<std::int64_t> execute(const std::string& text, std::vector<SqlValue> params,
                                 const std::string& what) const
    {
        auto r = sql->execute(text, params, what);
        if (!r)
            return located(r.error());
        return r;
    }

    // Runs `body` inside a write transaction; rolls back when it fails.
    template <typename T, typename F> Result<T> transaction(const std::string& what, F&& body)
    {
        if (auto s = sql->beginWrite("starting to " + what); !s)
            return located(s.error());
        Result<T> result = body();
        if (!result) {
            sql->rollback();
            return result;
        }
        if (auto s = sql->commit("committing (" + what + ")"); !s) {
            sql->rollback();
            return located(s.error());
        }
        return result;
    }

    // Tells consoles and loops on other machines that requests changed (the shared store's
    // NOTIFY; they also poll, so a lost notification only delays them).
    Status announce(std::int64_t id) const
    {
        if (auto s = sql->notify(std::string(kApprovalsChannel), std::to_string(id)); !s)
            return located(s.error());
        return {};
    }

    // Sets `status` on each listed request that is still open and appends `note` to its note.
    Status setStatus(const std::vector<ApprovalRequest>& requests, ApprovalStatus status,
                     const std::string& note)
    {
        const std::string text = std::string("UPDATE approvals SET status = ?, note = CASE WHEN "
                                             "note = '' THEN ? ELSE note || '; ' || ? END WHERE "
                                             "id = ? AND ") +
                                 kOpen;
        for (const auto& r : requests)
            if (auto u = execute(text,
                                 {std::string(approvalStatusName(status)), note, note, r.id},
                                 "updating " + idText(r.id));
                !u)
                return u.error();
        return {};
    }

    // Explains why `id` cannot be decided: unknown, not pending, or expired.
    twin::Error refusal(std::int64_t id, const char* verb,
                        const std::optional<std::int64_t>& nowMs) const
    {
        auto found = select("id = ?", {id}, "reading " + idText(id));
        if (!found)
            return found.error();
        if (found->empty())
            return makeError(ErrorCode::NotFound,
                             "cannot " + std::string(verb) + " " + idText(id) +
                                 ": there is no such request (see `twindesk approvals list`)",
                             where);
        const auto& r = found->front();
        if (r.status != ApprovalStatus::Pending) {
            std::string detail = std::string(approvalStatusName(r.status));
            if (!r.decidedBy.empty())
                detail += " by " + r.decidedBy;
            if (!r.decidedAt.empty())
                detail += " at " + r.decidedAt;
            return makeError(ErrorCode::InvalidArgument,
                             "cannot " + std::string(verb) + " " + idText(id) +
                                 ": it is not pending (" + detail + ")",
                             where);
        }
        if (nowMs && *nowMs >= r.expiresMs)
            return makeError(ErrorCode::InvalidArgument,
                             "cannot " + std::string(verb) + " " + idText(id) +
                                 ": it expired at source time " + std::to_string(r.expiresMs) +
                                 " ms (now " + std::to_string(*nowMs) + " ms)",
                             where);
        return makeError(
            ErrorCode::StorageError,
            "cannot " + std::string(verb) + " " + idText(id) + ": it changed meanwhile", where);
    }

    Result<ApprovalRequest> decide(std::int64_t id, const ApprovalDecision& decision,
                                   ApprovalStatus to, const char* verb)
    {
        if (auto s = writable(); !s)
            return s.error();
        if (id <= 0)
            return makeError(ErrorCode::InvalidArgument,
                             "cannot " + std::string(verb) + " " + idText(id) +
                                 ": approval ids are positive whole numbers",
                             where);
        if (decision.user.empty())
            return makeError(ErrorCode::InvalidArgument,
                             "cannot " + std::string(verb) + " " + idText(id) +
                                 ": no user given (who decides?)",
                             where);
        std::string text = "UPDATE approvals SET status = ?, decided_by = ?, decided_at = ?, "
                           "note = ? WHERE id = ? AND status = 'pending'";
        const std::string at = decision.decidedAt.empty()
                                   ? sim::formatUtc(static_cast<sim::Seconds>(std::time(nullptr)))
                                   : decision.decidedAt;
        std::vector<SqlValue> params{std::string(approvalStatusName(to)), decision.user, at,
                                     decision.note, id};
        if (decision.nowMs) {
            text += " AND expires_ms > ?";
            params.emplace_back(*decision.nowMs);
        }
        // The decision and its notification commit together: a loop that is told about it
        // reads it.
        auto changed = transaction<std::int64_t>(
            "record the decision on " + idText(id), [&]() -> Result<std::int64_t> {
                auto n = execute(text, params, "recording the decision on " + idText(id));
                if (!n || *n != 1)
                    return n;
                if (auto s = announce(id); !s)
                    return s.error();
                return n;
            });
        if (!changed)
            return changed.error();
        if (*changed != 1)
            return refusal(id, verb, decision.nowMs);
        return get(id);
    }

    Result<ApprovalRequest> get(std::int64_t id) const
    {
        auto found = select("id = ?", {id}, "reading " + idText(id));
        if (!found)
            return found.error();
        if (found->empty())
            return makeError(ErrorCode::NotFound, "there is no " + idText(id), where);
        return found->front();
    }

    // Sets the loop's bookkeeping on one request; InvalidArgument naming `refused` when the
    // request is not in the state the update requires.
    Status update(const std::string& text, std::vector<SqlValue> params, const std::string& what,
                  const std::string& refused)
    {
        if (auto s = writable(); !s)
            return s;
        auto n = execute(text, std::move(params), what);
        if (!n)
            return n.error();
        if (*n != 1)
            return makeError(ErrorCode::InvalidArgument, refused, where);
        return {};
    }
};

ApprovalGate::ApprovalGate(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
ApprovalGate::ApprovalGate(ApprovalGate&&) noexcept = default;
ApprovalGate& ApprovalGate::operator=(ApprovalGate&&) noexcept = default;
ApprovalGate::~ApprovalGate() = default;

Result<ApprovalGate> ApprovalGate::open(twin::ProjectStore& store)
{
    auto gate = open(store.sql());
    if (!gate) {
        auto e = gate.error();
        if (e.code == ErrorCode::CorruptFile)
            e.message += " (project schema " + std::to_string(store.schemaVersion()) + ")";
        return e;
    }
    return gate;
}

Result<ApprovalGate> ApprovalGate::open(twin::SqlConnection& connection)
{
    auto impl = std::make_unique<Impl>();
    impl->sql = &connection;
    impl->where = connection.location() + ": table approvals";
    impl->readOnly = connection.readOnly();
    if (auto probe = connection.query(std::string(kSelect) + " LIMIT 0", {}, "probing");
        !probe)
        return makeError(ErrorCode::CorruptFile,
                         "the store has no readable approvals table: " + probe.error().message,
                         impl->where);
    return ApprovalGate(std::move(impl));
}

Result<ApprovalGate> ApprovalGate::inMemory()
{
    auto impl = std::make_unique<Impl>();
    sqlite3* raw = nullptr;
    const int rc =
        sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    impl->owned.reset(raw);
    impl->where = "(in memory): table approvals";
    if (rc != SQLITE_OK)
        return makeError(ErrorCode::StorageError, "cannot open an in-memory database", impl->where);
    for (int version : kApprovalsMigrations) {
        const std::string schema(twin::ProjectStore::migrationSql(version));
        std::string error;
        if (!twin::sql::exec(raw, schema.c_str(), &error))
            return makeError(ErrorCode::StorageError, "creating the approvals table: " + error,
                             impl->where);
    }
    impl->ownedSql = twin::borrowSqlite(raw, "(in memory)");
    impl->sql = impl->ownedSql.get();
    return ApprovalGate(std::move(impl));
}

const std::string& ApprovalGate::where() const
{
    return m_impl->where;
}

void ApprovalGate::setOrigin(std::string origin)
{
    m_impl->origin = std::move(origin);
}

const std::string& ApprovalGate::origin() const
{
    return m_impl->origin;
}

Result<std::int64_t> ApprovalGate::request(const ApprovalRequest& r)
{
    auto& d = *m_impl;
    if (auto s = d.writable(); !s)
        return s.error();
    if (r.policyId.empty())
        return makeError(ErrorCode::InvalidArgument,
                         "an approval request needs the policy that proposed it", d.where);
    if (auto v = sim::validateAction(r.action); !v)
        return makeError(ErrorCode::InvalidArgument,
                         "cannot request approval of an invalid action: " + v.error().message,
                         d.where);
    if (r.expiresMs < r.requestedMs)
        return makeError(ErrorCode::InvalidArgument,
                         "an approval request cannot expire (" + std::to_string(r.expiresMs) +
                             " ms) before it is made (" + std::to_string(r.requestedMs) + " ms)",
                         d.where);
    const std::vector<SqlValue> params{d.origin,
                                       r.requestedMs,
                                       r.expiresMs,
                                       r.policyId,
                                       sim::describeAction(r.action),
                                       std::string(sim::actionKindName(r.action.kind)),
                                       r.action.target,
                                       r.action.value,
                                       r.action.text,
                                       r.action.destination,
                                       r.reason,
                                       r.decisionSeq};
    return d.transaction<std::int64_t>("store an approval request", [&]() -> Result<std::int64_t> {
        auto row = d.sql->query("INSERT INTO approvals(origin, requested_ms, expires_ms, "
                                "policy_id, action, kind, target, value, text, destination, "
                                "reason, status, decision_seq) VALUES "
                                "(?,?,?,?,?,?,?,?,?,?,?,'pending',?) RETURNING id",
                                params, "storing an approval request");
        if (!row)
            return d.located(row.error());
        if (row->empty())
            return makeError(ErrorCode::StorageError, "the new approval request got no id",
                             d.where);
        const auto id = row->front().int64(0);
        if (auto s = d.announce(id); !s)
            return s.error();
        return id;
    });
}

Result<ApprovalRequest> ApprovalGate::get(std::int64_t id) const
{
    return m_impl->get(id);
}

Result<std::vector<ApprovalRequest>> ApprovalGate::list(std::optional<ApprovalStatus> status) const
{
    if (!status)
        return m_impl->select("TRUE", {}, "listing approvals");
    return m_impl->select("status = ?", {std::string(approvalStatusName(*status))},
                          "listing approvals");
}

Result<std::optional<ApprovalRequest>> ApprovalGate::findOpen(const sim::Action& action) const
{
    std::vector<SqlValue> params{action.target, std::string(sim::actionKindName(action.kind)),
                                 action.value, action.text, action.destination};
    m_impl->mine(params);
    auto found = m_impl->select(std::string("target = ? AND kind = ? AND value = ? AND text = ? "
                                            "AND destination = ? AND ") +
                                    kOpen + m_impl->mine(),
                                params, "looking for an open request");
    if (!found)
        return found.error();
    if (found->empty())
        return std::optional<ApprovalRequest>{};
    return std::optional<ApprovalRequest>{found->front()};
}

Result<ApprovalRequest> ApprovalGate::approve(std::int64_t id, const ApprovalDecision& decision)
{
    return m_impl->decide(id, decision, ApprovalStatus::Approved, "approve");
}

Result<ApprovalRequest> ApprovalGate::reject(std::int64_t id, const ApprovalDecision& decision)
{
    return m_impl->decide(id, decision, ApprovalStatus::Rejected, "reject");
}

Result<std::vector<ApprovalRequest>> ApprovalGate::expire(std::int64_t nowMs)
{
    auto& d = *m_impl;
    const std::string condition = std::string(kOpen) + " AND expires_ms <= ?" + d.mine();
    std::vector<SqlValue> params{nowMs};
    d.mine(params);
    // A plain read first: most calls find nothing and need no write lock.
    auto due = d.select(condition, params, "looking for overdue requests");
    if (!due || due->empty())
        return due;
    if (auto s = d.writable(); !s)
        return s.error();
    return d.transaction<std::vector<ApprovalRequest>>(
        "expire approval requests", [&]() -> Result<std::vector<ApprovalRequest>> {
            auto overdue = d.select(condition, params, "looking for overdue requests");
            if (!overdue)
                return overdue;
            for (const auto& r : *overdue)
                if (auto s = d.setStatus(
                        {r}, ApprovalStatus::Expired,
                        "expired at source time " + std::to_string(r.expiresMs) + " ms" +
                            (r.status == ApprovalStatus::Approved ? " before it was applied" : ""));
                    !s)
                    return s.error();
            auto out = *overdue;
            for (auto& r : out)
                r.status = ApprovalStatus::Expired;
            return out;
        });
}

Result<std::vector<ApprovalRequest>> ApprovalGate::supersede(const sim::Action& by)
{
    auto& d = *m_impl;
    const std::string condition = std::string("target = ? AND kind = ? AND ") + kOpen + d.mine();
    std::vector<SqlValue> keys{by.target, std::string(sim::actionKindName(by.kind))};
    d.mine(keys);
    auto any = d.anyOpen(by.target, sim::actionKindName(by.kind));
    if (!any)
        return any.error();
    if (!*any)
        return std::vector<ApprovalRequest>{};
    auto open = d.select(condition, keys, "looking for open requests");
    if (!open || open->empty())
        return open;
    if (auto s = d.writable(); !s)
        return s.error();
    return d.transaction<std::vector<ApprovalRequest>>(
        "supersede approval requests", [&]() -> Result<std::vector<ApprovalRequest>> {
            auto current = d.select(condition, keys, "looking for open requests");
            if (!current)
                return current;
            if (auto s = d.setStatus(*current, ApprovalStatus::Superseded,
                                     "superseded by " + sim::describeAction(by));
                !s)
                return s.error();
            auto out = *current;
            for (auto& r : out)
                r.status = ApprovalStatus::Superseded;
            return out;
        });
}

Result<std::vector<ApprovalRequest>> ApprovalGate::poll(std::int64_t nowMs)
{
    auto due = m_impl->anythingDue(nowMs);
    if (!due)
        return due.error();
    if (!*due)
        return std::vector<ApprovalRequest>{};
    if (auto expired = expire(nowMs); !expired)
        return expired.error();
    // Approved rows have no outcome yet either: markApplied/markFailed set both at once.
    std::vector<SqlValue> params;
    m_impl->mine(params);
    return m_impl->select(std::string("outcome_seq IS NULL AND ") + kToReport + m_impl->mine(),
                          params, "polling approvals");
}

Status ApprovalGate::markApplied(std::int64_t id, std::int64_t outcomeSeq)
{
    return m_impl->update("UPDATE approvals SET status = 'applied', outcome_seq = ? WHERE id = ? "
                          "AND status = 'approved'",
                          {outcomeSeq, id}, "marking " + idText(id) + " applied",
                          "cannot mark " + idText(id) + " applied: it is not approved");
}

Status ApprovalGate::markFailed(std::int64_t id, const std::string& why, std::int64_t outcomeSeq)
{
    return m_impl->update("UPDATE approvals SET status = 'failed', outcome_seq = ?, note = CASE "
                          "WHEN note = '' THEN ? ELSE note || '; ' || ? END WHERE id = ? AND "
                          "status = 'approved'",
                          {outcomeSeq, why, why, id}, "marking " + idText(id) + " failed",
                          "cannot mark " + idText(id) + " failed: it is not approved");
}

Status ApprovalGate::markReported(std::int64_t id, std::int64_t outcomeSeq)
{
    return m_impl->update("UPDATE approvals SET outcome_seq = ? WHERE id = ? AND outcome_seq IS "
                          "NULL AND status IN ('rejected','expired','superseded','failed')",
                          {outcomeSeq, id}, "recording the logged outcome of " + idText(id),
                          "cannot record the outcome of " + idText(id) +
                              ": it is not a closed request waiting to be logged");
}

Status ApprovalGate::setDecisionSeq(std::int64_t id, std::int64_t decisionSeq)
{
    return m_impl->update("UPDATE approvals SET decision_seq = ? WHERE id = ?", {decisionSeq, id},
                          "recording the decision that proposed " + idText(id),
                          "cannot record the decision that proposed " + idText(id) +
                              ": there is no such request");
}

} // namespace twindesk::policies
