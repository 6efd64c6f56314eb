#include <twindesk/policies/replay.h>
#include <twindesk/twin/sqlite_statement.h>

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace twindesk::policies {

using twin::sql::Statement;

namespace {

/// Forwards to a policy and keeps what it proposed.
class CapturingPolicy final : public Policy
{
public:
    CapturingPolicy(Policy& inner, std::vector<ProposedAction>& out) : m_inner(inner), m_out(out) {}
    [[nodiscard]] const PolicyInfo& info() const override { return m_inner.info(); }
    twin::Result<std::vector<Action>> decide(const Observation& observation) override
    {
        auto actions = m_inner.decide(observation);
        if (actions)
            for (const auto& a : *actions)
                m_out.push_back({observation.time(), sim::describeAction(a)});
        return actions;
    }

private:
    Policy& m_inner;
    std::vector<ProposedAction>& m_out;
};

/// Accepts every action and applies none: open loop.
class NullSink final : public sim::ActuatorSink
{
public:
    twin::Status submit(const Action& /*action*/) override { return {}; }
};

std::string kindOf(const std::string& described)
{
    return described.substr(0, described.find(' '));
}

std::string targetOf(const std::string& described)
{
    const auto at = described.find(" target=");
    if (at == std::string::npos)
        return {};
    const auto start = at + 8;
    const auto end = described.find(' ', start);
    return described.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

} // namespace

twin::Result<std::vector<ProposedAction>> recordedProposals(const twin::ProjectStore& store)
{
    sqlite3* db = store.handle();
    Statement st(db, "SELECT t, proposed, verdict FROM decision_log WHERE proposed <> '' "
                     "ORDER BY seq");
    if (!st.valid())
        return twin::sql::storageError(db, "reading the decision log", "recording");
    std::vector<ProposedAction> out;
    int rc = SQLITE_ROW;
    while ((rc = st.step()) == SQLITE_ROW) {
        const auto verdict = st.text(2);
        // Approval outcomes and shadow proposals are not the active policy's proposals.
        if (verdict == "not applied" || verdict.starts_with("shadow:"))
            continue;
        out.push_back({st.int64(0) / 1000, st.text(1)});
    }
    if (rc != SQLITE_DONE)
        return twin::sql::storageError(db, "reading the decision log", "recording");
    return out;
}

twin::Result<OpenLoopReplay> replayOpenLoop(sim::TelemetrySource& source, Policy& policy,
                                            Policy* fallback, Observation observation,
                                            const LoopSettings& settings, DecisionLog* log)
{
    OpenLoopReplay out;
    CapturingPolicy capture(policy, out.proposals);
    std::optional<CapturingPolicy> captureFallback;
    if (fallback != nullptr)
        captureFallback.emplace(*fallback, out.proposals);
    NullSink sink;
    auto gate = ApprovalGate::inMemory();
    if (!gate)
        return gate.error();
    ControlLoop loop(source, sink, capture, std::move(observation), log, "replay");
    loop.setGuard(settings.guard);
    loop.setApprovals(&*gate, settings.approvals);
    if (captureFallback)
        loop.setFallback(&*captureFallback);
    if (settings.timeoutMs > 0)
        loop.setDecisionTimeout(std::chrono::milliseconds(settings.timeoutMs));
    if (auto s = loop.run(); !s)
        return s.error();
    out.stats = loop.stats();
    return out;
}

ProposalComparison compareProposals(const std::vector<ProposedAction>& recorded,
                                    const std::vector<ProposedAction>& candidate)
{
    ProposalComparison c;
    c.recorded = static_cast<std::int64_t>(recorded.size());
    c.candidate = static_cast<std::int64_t>(candidate.size());
    auto sorted = [](std::vector<ProposedAction> v) {
        std::sort(v.begin(), v.end(), [](const ProposedAction& a, const ProposedAction& b) {
            return a.time != b.time ? a.time < b.time : a.action < b.action;
        });
        return v;
    };
    const auto a = sorted(recorded);
    const auto b = sorted(candidate);
    std::vector<ProposedAction> onlyA;
    std::vector<ProposedAction> onlyB;
    std::size_t i = 0;
    std::size_t j = 0;
    auto less = [](const ProposedAction& x, const ProposedAction& y) {
        return x.time != y.time ? x.time < y.time : x.action < y.action;
    };
    while (i < a.size() || j < b.size()) {
        if (j == b.size() || (i < a.size() && less(a[i], b[j]))) {
            onlyA.push_back(a[i++]);
        } else if (i == a.size() || less(b[j], a[i])) {
            onlyB.push_back(b[j++]);
        } else {
            ++c.matched;
            c.byKind[kindOf(a[i].action)][2] += 1;
            ++i;
            ++j;
        }
    }
    for (const auto& p : a)
        c.byKind[kindOf(p.action)][0] += 1;
    for (const auto& p : b)
        c.byKind[kindOf(p.action)][1] += 1;
    const auto most = std::max(c.recorded, c.candidate);
    c.agreement = most == 0 ? 1.0 : static_cast<double>(c.matched) / static_cast<double>(most);

    std::map<std::string, std::int64_t> unmatched;
    for (const auto& p : onlyA)
        ++unmatched[targetOf(p.action)];
    for (const auto& p : onlyB)
        ++unmatched[targetOf(p.action)];
    c.topTargets.assign(unmatched.begin(), unmatched.end());
    std::stable_sort(c.topTargets.begin(), c.topTargets.end(),
                     [](const auto& x, const auto& y) { return x.second > y.second; });
    if (c.topTargets.size() > 10)
        c.topTargets.resize(10);

    if (!onlyA.empty() || !onlyB.empty()) {
        const sim::Seconds first = onlyA.empty() ? onlyB.front().time
                                   : onlyB.empty()
                                       ? onlyA.front().time
                                       : std::min(onlyA.front().time, onlyB.front().time);
        c.firstDivergence = first;
        for (const auto& p : onlyA)
            if (p.time == first)
                c.recordedAtDivergence.push_back(p.action);
        for (const auto& p : onlyB)
            if (p.time == first)
                c.candidateAtDivergence.push_back(p.action);
    }
    // Timing: an unmatched recorded action the candidate proposed at another time.
    std::map<std::string, std::vector<sim::Seconds>> candidateTimes;
    for (const auto& p : onlyB)
        candidateTimes[p.action].push_back(p.time);
    double sum = 0.0;
    for (const auto& p : onlyA) {
        const auto it = candidateTimes.find(p.action);
        if (it == candidateTimes.end())
            continue;
        double best = std::numeric_limits<double>::infinity();
        for (const auto t : it->second) {
            const auto d = static_cast<double>(t - p.time);
            if (std::abs(d) < std::abs(best))
                best = d;
        }
        ++c.shifted;
        sum += best;
        c.maxAbsShiftS = std::max(c.maxAbsShiftS, std::abs(best));
    }
    c.meanShiftS = c.shifted > 0 ? sum / static_cast<double>(c.shifted) : 0.0;
    return c;
}

} // namespace twindesk::policies
