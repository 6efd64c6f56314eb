#include <twindesk/policies/control_loop.h>
#include <twindesk/policies/room_context.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <iterator>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace twindesk::policies {

namespace {

using Clock = std::chrono::steady_clock;

double micros(Clock::time_point a, Clock::time_point b)
{
    return std::chrono::duration<double, std::micro>(b - a).count();
}

std::string fmt(double us)
{
    return std::to_string(static_cast<long long>(std::llround(us)));
}

// What `applied` (the guard's possibly modified action) needs: its own rules, plus the round's
// rooms-per-round rule when that fired for the proposed action.
ImpactAssessment needFor(const ApprovalConfig& config, const Action& proposed,
                         const Action& applied, const ImpactAssessment& roundAssessment,
                         const Observation& observation)
{
    if (applied == proposed)
        return roundAssessment;
    auto need = assessAction(config, applied, &observation);
    ImpactAssessment roundOnly;
    for (std::size_t i = 0; i < roundAssessment.rules.size(); ++i)
        if (roundAssessment.rules[i] == "rooms-per-round") {
            roundOnly.rules.push_back(roundAssessment.rules[i]);
            roundOnly.reasons.push_back(roundAssessment.reasons[i]);
        }
    need.merge(roundOnly);
    return need;
}

/// What a policy said: its actions, or why it failed (empty when it did not).
struct Outcome
{
    std::vector<Action> actions;
    std::string failure;
};

Outcome ask(Policy& policy, const Observation& observation)
{
    Outcome out;
    try {
        auto decided = policy.decide(observation);
        if (decided)
            out.actions = std::move(decided).value();
        else
            out.failure = decided.error().toString();
    } catch (const std::exception& e) {
        out.failure = std::string("policy threw: ") + e.what();
    } catch (...) {
        out.failure = "policy threw a non-standard exception";
    }
    return out;
}

/// Why a policy's output is invalid (empty when it is not): the first action that breaks its
/// kind's schema or is of a kind the policy did not declare.
std::string invalidOutput(const PolicyInfo& info, const std::vector<Action>& actions)
{
    for (const auto& a : actions) {
        if (auto v = sim::validateAction(a); !v)
            return "invalid output: " + v.error().message;
        if (std::find(info.emits.begin(), info.emits.end(), a.kind) == info.emits.end())
            return "invalid output: " + std::string(sim::actionKindName(a.kind)) +
                   " is not among the kinds " + info.id + " declared";
    }
    return {};
}

std::string requestTag(std::int64_t id)
{
    return "#" + std::to_string(id);
}

} // namespace

/// Runs decide() on its own thread so the loop can stop waiting after the timeout. The policy
/// decides on a copy of the observation (the loop moves on while a late policy still runs); a
/// late result is discarded, and while the policy is still busy every round falls back.
class ControlLoop::DecideWorker
{
public:
    explicit DecideWorker(Policy& policy) : m_policy(policy), m_thread([this] { run(); }) {}
    ~DecideWorker()
    {
        {
            const std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_all();
        m_thread.join(); // a policy that never returns holds this up: documented
    }
    DecideWorker(const DecideWorker&) = delete;
    DecideWorker& operator=(const DecideWorker&) = delete;
    DecideWorker(DecideWorker&&) = delete;
    DecideWorker& operator=(DecideWorker&&) = delete;

    /// The policy's outcome, or a failure when it is still busy or misses the deadline.
    Outcome decide(const Observation& observation, std::chrono::milliseconds timeout)
    {
        std::unique_lock lock(m_mutex);
        if (m_submitted && !m_done)
            return Outcome{{}, "policy still busy with an earlier round that timed out"};
        m_observation = observation; // the copy it decides on
        m_observation.detachCompute();
        m_submitted = true;
        m_done = false;
        m_wake.notify_all();
        if (!m_finished.wait_for(lock, timeout, [this] { return m_done; }))
            return Outcome{{}, "policy timed out after " + std::to_string(timeout.count()) + " ms"};
        m_submitted = false;
        return std::move(m_outcome);
    }

private:
    void run()
    {
        std::unique_lock lock(m_mutex);
        while (true) {
            m_wake.wait(lock, [this] { return m_stop || (m_submitted && !m_done); });
            if (m_stop)
                return;
            lock.unlock();
            Outcome outcome = ask(m_policy, m_observation);
            lock.lock();
            m_outcome = std::move(outcome);
            m_done = true;
            m_finished.notify_all();
        }
    }

    Policy& m_policy;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_finished;
    Observation m_observation;
    Outcome m_outcome;
    bool m_submitted = false; ///< a round was handed over and not yet collected
    bool m_done = false;      ///< its outcome is ready
    bool m_stop = false;
    std::thread m_thread; // last: starts after the members it uses exist
};

ControlLoop::~ControlLoop() = default;

void ControlLoop::setDecisionTimeout(std::chrono::milliseconds timeout)
{
    m_timeout = timeout;
    if (timeout.count() > 0 && !m_worker)
        m_worker = std::make_unique<DecideWorker>(m_policy);
}

double percentile(std::vector<double> samples, double p)
{
    if (samples.empty())
        return 0.0;
    std::sort(samples.begin(), samples.end());
    const auto rank =
        static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(samples.size())));
    return samples[std::min(samples.size() - 1, rank == 0 ? 0 : rank - 1)];
}

ControlLoop::ControlLoop(sim::TelemetrySource& source, sim::ActuatorSink& sink, Policy& policy,
                         Observation observation, DecisionLog* log, std::string modelHash)
    : m_source(source), m_sink(sink), m_policy(policy), m_observation(std::move(observation)),
      m_log(log), m_modelHash(std::move(modelHash))
{
}

twin::Result<bool> ControlLoop::step()
{
    sim::TelemetryFrame frame;
    const auto t0 = Clock::now();
    auto more = m_source.next(frame);
    if (!more)
        return more.error();
    if (!*more)
        return false;
    const bool event = m_started && triggered(frame);
    m_observation.update(frame);
    m_observation.setCompute(m_source.computeView());
    m_observation.setRuntimes(m_source.runtimeView());
    m_observeUs = micros(t0, Clock::now());
    ++m_stats.frames;
    if (!m_started) {
        m_nextDecision = frame.time;
        m_started = true;
    }
    bool decided = false;
    if (frame.time >= m_nextDecision) {
        decided = true;
        if (auto s = decideAndAct(); !s)
            return s.error();
        while (m_nextDecision <= frame.time)
            m_nextDecision += m_policy.info().period;
    } else if (event) {
        decided = true;
        ++m_stats.events;
        if (auto s = decideAndAct(); !s)
            return s.error();
    }
    if (m_recorder != nullptr)
        if (auto s = m_recorder->record(frame, decided); !s)
            return s.error();
    // Every frame, after the decisions: a person may have decided meanwhile (another process
    // writes to the same file), and requests expire on source time.
    if (m_gate != nullptr)
        if (auto s = processApprovals(); !s)
            return s.error();
    return true;
}

std::string ControlLoop::inputsJson() const
{
    return "{\"t\":" + std::to_string(m_observation.time()) +
           ",\"points\":" + std::to_string(m_observation.pointCount()) + R"(,"ref":"historian"})";
}

twin::Status ControlLoop::run()
{
    while (true) {
        auto more = step();
        if (!more)
            return more.error();
        if (!*more)
            break;
    }
    if (m_recorder != nullptr)
        if (auto s = m_recorder->flush(); !s)
            return s;
    if (m_log != nullptr)
        return m_log->flush();
    return {};
}

twin::Status ControlLoop::decideAndAct()
{
    const auto start = Clock::now();
    auto s = decideAndActRound();
    m_stats.latency.roundUs.push_back(m_observeUs + micros(start, Clock::now()));
    return s;
}

twin::Status ControlLoop::decideAndActRound()
{
    ++m_stats.decisions;
    m_stats.latency.observeUs.push_back(m_observeUs);

    const auto t0 = Clock::now();
    auto [actions, failure] =
        m_worker ? m_worker->decide(m_observation, m_timeout) : ask(m_policy, m_observation);
    const double decideUs = micros(t0, Clock::now());
    m_stats.latency.decideUs.push_back(decideUs);
    // Invalid output (a malformed action, a kind the policy did not declare) discredits the
    // whole round: the safe default decides instead, and the log says what was wrong.
    if (failure.empty())
        failure = invalidOutput(m_policy.info(), actions);
    if (failure.empty()) {
        std::string note;
        auto covered = fallbackForBadInputs(actions, note);
        if (!covered)
            return covered.error();
        if (auto s = act(m_policy, actions, decideUs, {}); !s)
            return s;
        if (auto s = logNotes(m_policy); !s)
            return s;
        if (!note.empty())
            if (auto s = act(*m_fallback, *covered, decideUs, note); !s)
                return s;
        return shadowRound(actions);
    }

    ++m_stats.policyErrors;
    if (m_fallback != nullptr) {
        auto safe = ask(*m_fallback, m_observation);
        if (safe.failure.empty()) {
            ++m_stats.fallbacks;
            if (auto s = act(*m_fallback, safe.actions, decideUs,
                             "fallback after " + m_policy.info().id + ": " + failure);
                !s)
                return s;
            return shadowRound(safe.actions);
        }
        failure += "; fallback " + m_fallback->info().id + " failed too: " + safe.failure;
    }
    if (m_log == nullptr)
        return {};
    DecisionRecord r = recordFor(m_policy.info());
    r.inputs.clear();
    r.verdict = "fallback: no action (" + failure + ")";
    r.latency = "{\"decide\":" + fmt(decideUs) + "}";
    return m_log->append(std::move(r));
}

twin::Result<std::vector<Action>> ControlLoop::fallbackForBadInputs(std::vector<Action>& actions,
                                                                     std::string& note)
{
    std::vector<Action> covered;
    if (m_fallback == nullptr || m_observation.twin() == nullptr)
        return covered;
    const auto bad = m_observation.badPoints();
    if (bad.empty())
        return covered;
    if (!m_roomOfPoint) {
        m_roomOfPoint.emplace();
        for (const auto& r : roomPoints(*m_observation.twin())) {
            std::vector<std::string> ids{r.room};
            for (const auto* p : {&r.airTemperature, &r.heatingSetpoint, &r.coolingSetpoint,
                                  &r.occupancy, &r.occupantCount, &r.co2, &r.lightCommand})
                if (!p->empty())
                    ids.push_back(*p);
            for (const auto& id : ids)
                (*m_roomOfPoint)[id] = ids;
        }
    }
    std::set<std::string, std::less<>> affected;
    for (const auto& point : bad)
        if (auto it = m_roomOfPoint->find(point); it != m_roomOfPoint->end())
            affected.insert(it->second.begin(), it->second.end());
    if (affected.empty())
        return covered;
    auto safe = ask(*m_fallback, m_observation);
    if (!safe.failure.empty())
        return covered; // the policy's actions stand: it saw the bad inputs as unknown
    std::erase_if(actions, [&](const Action& a) { return affected.contains(a.target); });
    for (auto& a : safe.actions)
        if (affected.contains(a.target))
            covered.push_back(std::move(a));
    ++m_stats.staleFallbackRounds;
    note = "fallback for bad inputs: ";
    for (std::size_t i = 0; i < bad.size() && i < 3; ++i)
        note += (i > 0 ? ", " : "") + bad[i];
    if (bad.size() > 3)
        note += ", ... (" + std::to_string(bad.size()) + " points)";
    return covered;
}

DecisionRecord ControlLoop::recordFor(const PolicyInfo& info) const
{
    DecisionRecord r;
    r.timeMs = m_observation.time() * 1000;
    r.policyId = info.id;
    r.policyVersion = info.version;
    r.policyHash = info.hash;
    r.modelHash = m_modelHash;
    r.inputs = inputsJson();
    return r;
}

twin::Status ControlLoop::shadowRound(const std::vector<Action>& active)
{
    if (m_shadow == nullptr)
        return {};
    auto& sh = m_stats.shadow;
    ++sh.rounds;
    const auto t0 = Clock::now();
    auto [proposed, failure] = ask(*m_shadow, m_observation);
    const double decideUs = micros(t0, Clock::now());
    if (failure.empty())
        failure = invalidOutput(m_shadow->info(), proposed);
    std::vector<std::string> mine;
    std::vector<std::string> theirs;
    if (failure.empty())
        for (const auto& a : proposed)
            mine.push_back(sim::describeAction(a));
    for (const auto& a : active)
        theirs.push_back(sim::describeAction(a));
    std::sort(mine.begin(), mine.end());
    std::sort(theirs.begin(), theirs.end());
    std::vector<std::string> common;
    std::set_intersection(mine.begin(), mine.end(), theirs.begin(), theirs.end(),
                          std::back_inserter(common));
    if (!failure.empty())
        ++sh.errors;
    sh.proposed += static_cast<std::int64_t>(mine.size());
    sh.activeProposed += static_cast<std::int64_t>(theirs.size());
    sh.matched += static_cast<std::int64_t>(common.size());
    if (failure.empty() && mine == theirs)
        ++sh.agreeingRounds;
    if (m_log == nullptr)
        return {};
    const auto& info = m_shadow->info();
    auto row = [&](std::string proposedText, std::string verdict) {
        DecisionRecord r = recordFor(info);
        r.proposed = std::move(proposedText);
        r.verdict = std::move(verdict);
        r.approval = "shadow";
        r.latency = "{\"decide\":" + fmt(decideUs) + "}";
        return m_log->append(std::move(r));
    };
    if (!failure.empty())
        return row({}, "shadow: failed (" + failure + ")");
    for (const auto& a : proposed) {
        const auto text = sim::describeAction(a);
        const bool agrees = std::binary_search(theirs.begin(), theirs.end(), text);
        if (auto s = row(text, agrees ? "shadow: not applied (the active policy proposed it too)"
                                      : "shadow: not applied (differs from the active policy)");
            !s)
            return s;
    }
    return {};
}

bool ControlLoop::triggered(const sim::TelemetryFrame& frame)
{
    const auto& triggers = m_policy.info().triggers;
    if (triggers.empty())
        return false;
    if (!m_triggerPoints) {
        m_triggerPoints.emplace();
        if (const auto* g = m_observation.twin())
            for (auto p : g->entitiesOfKind(twin::EntityKind::Point))
                for (const auto& c : g->entity(p).classes)
                    if (std::find(triggers.begin(), triggers.end(), twin::localName(c)) !=
                        triggers.end()) {
                        m_triggerPoints->push_back(g->entity(p).id);
                        break;
                    }
        std::sort(m_triggerPoints->begin(), m_triggerPoints->end());
    }
    for (const auto& sample : frame.samples) {
        if (!std::binary_search(m_triggerPoints->begin(), m_triggerPoints->end(), sample.point))
            continue;
        const auto before = m_observation.value(sample.point);
        const std::optional<double> after =
            sample.quality ? std::optional<double>(sample.value) : std::nullopt;
        if (before != after)
            return true;
    }
    return false;
}

twin::Status ControlLoop::logNotes(Policy& policy)
{
    for (auto& text : policy.takeNotes()) {
        ++m_stats.notes;
        if (m_log == nullptr)
            continue;
        DecisionRecord r = recordFor(policy.info());
        r.proposed = "note: " + text;
        r.verdict = "note";
        r.approval = "n/a";
        if (auto s = m_log->append(std::move(r)); !s)
            return s;
    }
    return {};
}

bool ControlLoop::criticalTarget(const Action& action) const
{
    const auto* twin = m_observation.twin();
    if (twin == nullptr)
        return false;
    const auto index = twin->find(action.target);
    if (!index)
        return false;
    const auto* flag = twin->entity(*index).attribute("critical");
    return flag != nullptr && flag->value == "true";
}

std::optional<int> ControlLoop::workloadsOf(const Action& action) const
{
    if (action.kind != ActionKind::PowerHost)
        return std::nullopt;
    return m_sink.workloadsOn(action.target);
}

twin::Status ControlLoop::act(const Policy& by, const std::vector<Action>& actions, double decideUs,
                              const std::string& note)
{
    const auto& info = by.info();
    // The round is assessed as proposed (rooms-per-round is about the policy's reach); each
    // action's own rules are checked again on what the guard lets through.
    std::vector<ImpactAssessment> impact;
    if (m_gate != nullptr)
        impact = ApprovalGate::assess(m_approvalConfig, actions, &m_observation);
    for (std::size_t i = 0; i < actions.size(); ++i) {
        const auto& action = actions[i];
        ++m_stats.proposed;
        const auto g0 = Clock::now();
        const auto checked =
            m_guard.check(action, m_observation.time(), info.emits,
                          m_observation.value(action.target), workloadsOf(action),
                          criticalTarget(action));
        const auto g1 = Clock::now();
        if (checked.rule == "oscillation")
            ++m_stats.oscillations;
        std::string verdict(verdictName(checked.verdict));
        if (!checked.rule.empty())
            verdict += " (" + checked.rule + "): " + checked.reason;
        if (!note.empty())
            verdict += " [" + note + "]";
        std::string applied;
        std::string approval;
        if (checked.verdict != Verdict::Rejected) {
            ImpactAssessment need;
            if (m_gate != nullptr)
                need = needFor(m_approvalConfig, action, checked.action, impact[i], m_observation);
            if (need.highImpact() && !m_approvalConfig.autoApprove) {
                auto requested = requestApproval(info, checked.action, need);
                if (!requested)
                    return requested.error();
                approval = std::move(requested).value();
            } else if (auto s = m_sink.submit(checked.action); s) {
                applied = sim::describeAction(checked.action);
                m_guard.applied(checked.action, m_observation.time());
                ++m_stats.applied;
                if (checked.verdict == Verdict::Modified)
                    ++m_stats.modified;
                if (m_gate != nullptr) {
                    if (need.highImpact())
                        ++m_stats.autoApproved;
                    // What waited for approval on this target is obsolete now.
                    if (auto old = m_gate->supersede(checked.action); !old)
                        return old.error();
                }
            } else {
                verdict = "rejected by the sink: " + s.error().message;
                ++m_stats.rejected;
            }
            if (m_gate == nullptr)
                approval = applied.empty() ? "" : "auto";
            else if (approval.empty())
                approval = need.highImpact() ? "auto (high-impact: " + need.reason() + ")"
                                             : "not required";
        } else {
            ++m_stats.rejected;
        }
        const auto g2 = Clock::now();
        const double guardUs = micros(g0, g1);
        const double actUs = micros(g1, g2);
        m_stats.latency.guardUs.push_back(guardUs);
        m_stats.latency.actUs.push_back(actUs);
        if (m_log == nullptr)
            continue;
        const auto l0 = Clock::now();
        DecisionRecord r = recordFor(info);
        r.proposed = sim::describeAction(action);
        r.verdict = verdict;
        r.approval = approval;
        r.applied = applied;
        r.latency = "{\"observe\":" + fmt(m_observeUs) + ",\"decide\":" + fmt(decideUs) +
                    ",\"guard\":" + fmt(guardUs) + ",\"act\":" + fmt(actUs) + "}";
        if (auto s = m_log->append(std::move(r)); !s)
            return s;
        // On a shared log (several loops append to one chain) the row's seq is known only now
        // that it is written: correct the request that predicted it.
        if (m_newRequest) {
            const auto [id, predicted] = *m_newRequest;
            m_newRequest.reset();
            if (m_log->pending() == 0 && m_log->lastSeq() != predicted)
                if (auto s = m_gate->setDecisionSeq(id, m_log->lastSeq()); !s)
                    return s;
        }
        m_stats.latency.logUs.push_back(micros(l0, Clock::now()));
    }
    return {};
}

twin::Result<std::string> ControlLoop::requestApproval(const PolicyInfo& info, const Action& action,
                                                       const ImpactAssessment& need)
{
    // A policy proposes the same change again each round until it is applied: one request.
    auto open = m_gate->findOpen(action);
    if (!open)
        return open.error();
    if (*open)
        return "pending " + requestTag((*open)->id) + " (requested earlier)";
    // A different change of the same target replaces what was waiting.
    if (auto old = m_gate->supersede(action); !old)
        return old.error();
    ApprovalRequest request;
    request.requestedMs = m_observation.time() * 1000;
    request.expiresMs = request.requestedMs + m_approvalConfig.expiry * 1000;
    request.policyId = info.id;
    request.action = action;
    request.reason = need.reason();
    // The row about to be appended proposes it (on a shared log another loop may append
    // first: act() corrects the seq once the row is written).
    request.decisionSeq = m_log != nullptr ? m_log->lastSeq() + 1 : 0;
    auto id = m_gate->request(request);
    if (!id)
        return id.error();
    if (m_log != nullptr)
        m_newRequest = std::pair{*id, request.decisionSeq};
    ++m_stats.pendingApprovals;
    return "pending " + requestTag(*id) + ": " + request.reason;
}

twin::Status ControlLoop::processApprovals()
{
    auto due = m_gate->poll(m_observation.time() * 1000);
    if (!due)
        return due.error();
    for (const auto& request : *due) {
        const auto tag = requestTag(request.id);
        twin::Result<std::int64_t> seq = std::int64_t{0};
        switch (request.status) {
        case ApprovalStatus::Approved:
            if (auto s = applyApproved(request); !s)
                return s;
            continue;
        case ApprovalStatus::Rejected:
            ++m_stats.rejectedByApprover;
            seq = logOutcome(request, "not applied",
                             "rejected " + tag + " by " + request.decidedBy +
                                 (request.note.empty() ? "" : ": " + request.note),
                             {}, {});
            break;
        case ApprovalStatus::Expired:
            ++m_stats.expired;
            seq = logOutcome(request, "not applied", "expired " + tag, {}, {});
            break;
        case ApprovalStatus::Superseded:
            ++m_stats.superseded;
            seq = logOutcome(request, "not applied", "superseded " + tag + ": " + request.note, {},
                             {});
            break;
        default: // failed without a logged outcome (a crash in between): log it now
            seq = logOutcome(request, "not applied", "failed " + tag + ": " + request.note, {}, {});
            break;
        }
        if (!seq)
            return seq.error();
        if (auto s = m_gate->markReported(request.id, *seq); !s)
            return s;
    }
    return {};
}

twin::Status ControlLoop::applyApproved(const ApprovalRequest& request)
{
    const auto now = m_observation.time();
    const std::string approval = "approved " + requestTag(request.id) + " by " + request.decidedBy;
    // The state may have changed since the request: the guard checks it again.
    const auto g0 = Clock::now();
    const auto checked =
        m_guard.check(request.action, now, {request.action.kind},
                      m_observation.value(request.action.target), workloadsOf(request.action),
                      criticalTarget(request.action));
    const auto g1 = Clock::now();
    std::string verdict(verdictName(checked.verdict));
    if (!checked.rule.empty())
        verdict += " (" + checked.rule + "): " + checked.reason;
    std::string applied;
    std::string failure;
    if (checked.verdict == Verdict::Rejected) {
        failure = "refused by the safety guard when applied: " + verdict;
    } else if (auto s = m_sink.submit(checked.action); s) {
        applied = sim::describeAction(checked.action);
        m_guard.applied(checked.action, now);
        ++m_stats.applied;
        ++m_stats.approved;
        if (checked.verdict == Verdict::Modified)
            ++m_stats.modified;
    } else {
        verdict = "rejected by the sink: " + s.error().message;
        failure = "refused by the sink when applied: " + s.error().message;
    }
    if (!failure.empty())
        ++m_stats.rejected;
    const auto g2 = Clock::now();
    m_stats.latency.guardUs.push_back(micros(g0, g1));
    m_stats.latency.actUs.push_back(micros(g1, g2));
    auto seq =
        logOutcome(request, verdict, approval, applied,
                   "{\"guard\":" + fmt(micros(g0, g1)) + ",\"act\":" + fmt(micros(g1, g2)) + "}");
    if (!seq)
        return seq.error();
    return failure.empty() ? m_gate->markApplied(request.id, *seq)
                           : m_gate->markFailed(request.id, failure, *seq);
}

twin::Result<std::int64_t> ControlLoop::logOutcome(const ApprovalRequest& request,
                                                   std::string verdict, std::string approval,
                                                   std::string applied, std::string latency)
{
    if (m_log == nullptr)
        return std::int64_t{0};
    DecisionRecord r;
    r.timeMs = m_observation.time() * 1000;
    r.policyId = request.policyId;
    // The policy that proposed it, when it is one of this loop's.
    for (const Policy* p :
         {static_cast<const Policy*>(&m_policy), static_cast<const Policy*>(m_fallback)})
        if (p != nullptr && p->info().id == request.policyId) {
            r.policyVersion = p->info().version;
            r.policyHash = p->info().hash;
            break;
        }
    r.modelHash = m_modelHash;
    r.inputs = inputsJson();
    r.proposed = sim::describeAction(request.action);
    r.verdict = std::move(verdict);
    r.approval = std::move(approval);
    r.applied = std::move(applied);
    r.latency = std::move(latency);
    if (auto s = m_log->append(std::move(r)); !s)
        return s.error();
    return m_log->lastSeq();
}

} // namespace twindesk::policies
