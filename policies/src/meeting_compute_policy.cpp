#include <twindesk/policies/decision_log.h>
#include <twindesk/policies/meeting_compute_policy.h>
#include <twindesk/sim/runtime.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace twindesk::policies {

namespace {

using sim::WorkloadPhase;

std::string utcText(Seconds t)
{
    const auto days = t / 86400;
    const auto sod = t % 86400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    auto z = days + 719468;
    const auto era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = z - era * 146097;
    const auto yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    auto y = yoe + era * 400;
    const auto doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const auto mp = (5 * doy + 2) / 153;
    const auto d = doy - (153 * mp + 2) / 5 + 1;
    const auto m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2 ? 1 : 0;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lldZ", static_cast<long long>(y),
                  static_cast<long long>(m), static_cast<long long>(d),
                  static_cast<long long>(sod / 3600), static_cast<long long>(sod % 3600 / 60));
    return buf;
}

double leadOf(const sim::RuntimeFleet& fleet, std::size_t w, twin::WorkloadType kind,
              double quantile, Seconds period)
{
    const auto& c = fleet.config();
    const auto& p = c.profile(kind);
    bool warm = false;
    for (std::size_t i = 0; i < c.pools.size(); ++i)
        warm = warm || (c.pools[i].kind == kind &&
                        c.pools[i].host == c.hosts[fleet.host(w)].id && fleet.idleWarm(i) > 0);
    return (warm ? p.warm : p.cold).quantile(quantile) + static_cast<double>(period);
}

} // namespace

KindChoice chooseRuntime(const sim::RuntimeFleet& fleet, std::size_t service, double timeLeftS,
                         double quantile, Seconds period)
{
    const auto& c = fleet.config();
    const auto& svc = c.services[service];
    const auto w = *fleet.workloadIndex(svc.workload);
    const auto& spec = c.workloads[w];
    KindChoice best;
    KindChoice fastest;
    double bestCost = std::numeric_limits<double>::infinity();
    std::string why;
    for (const auto& p : c.profiles) {
        const std::string name(twin::workloadTypeName(p.kind));
        if (p.isolation < svc.isolation) {
            why += name + ": isolation " + std::string(twin::isolationClassName(p.isolation)) +
                   " below " + std::string(twin::isolationClassName(svc.isolation)) + "; ";
            continue;
        }
        if (spec.gpus > 0 && !p.gpuCapable) {
            why += name + ": cannot hold a GPU; ";
            continue;
        }
        if (p.maxCores > 0.0 && spec.cores > p.maxCores) {
            why += name + ": at most " + std::to_string(p.maxCores) + " vCPUs; ";
            continue;
        }
        const double lead = leadOf(fleet, w, p.kind, quantile, period);
        if (fastest.kind == twin::WorkloadType::None || lead < fastest.leadS)
            fastest = {p.kind, lead, {}};
        if (lead <= timeLeftS && p.costPerCoreHour < bestCost) {
            best = {p.kind, lead, {}};
            bestCost = p.costPerCoreHour;
        }
    }
    if (best.kind != twin::WorkloadType::None)
        return best;
    if (fastest.kind != twin::WorkloadType::None)
        return fastest;
    KindChoice none;
    none.why = why;
    return none;
}

twin::Result<std::unique_ptr<MeetingComputePolicy>>
MeetingComputePolicy::make(MeetingComputeParams p)
{
    if (!(p.leadQuantile > 0.0 && p.leadQuantile < 1.0))
        return twin::makeError(twin::ErrorCode::InvalidArgument,
                               "meeting-compute: lead_quantile must be within (0, 1)");
    if (p.period <= 0 || p.teardownDelay < 0)
        return twin::makeError(twin::ErrorCode::InvalidArgument,
                               "meeting-compute: period_s must be > 0, teardown_delay_s >= 0");
    if (!(p.batchThrottlePct >= 0.0 && p.batchThrottlePct <= 100.0))
        return twin::makeError(twin::ErrorCode::InvalidArgument,
                               "meeting-compute: batch_throttle_pct must be within 0..100");
    std::unique_ptr<MeetingComputePolicy> policy(new MeetingComputePolicy(p));
    std::ostringstream canonical;
    canonical.precision(17);
    canonical << "meeting-compute|" << p.leadQuantile << '|' << p.period << '|'
              << p.teardownDelay << '|' << p.batchThrottlePct << '|' << p.batchHost;
    auto hash = sha256Hex(canonical.str());
    if (!hash)
        return hash.error();
    auto& info = policy->m_info;
    info.id = "meeting-compute";
    info.version = "1.0.0";
    info.hash = "sha256:" + *hash;
    info.period = p.period;
    info.emits = {ActionKind::PlaceVm, ActionKind::Switch, ActionKind::Throttle,
                  ActionKind::MigrateVm};
    return policy;
}

std::vector<std::string> MeetingComputePolicy::takeNotes()
{
    return std::exchange(m_notes, {});
}

twin::Result<std::vector<Action>> MeetingComputePolicy::decide(const Observation& observation)
{
    const auto* fleet = observation.runtimes();
    if (fleet == nullptr)
        return twin::makeError(twin::ErrorCode::InvalidArgument,
                               "meeting-compute: the source simulates no runtimes (scenario "
                               "'runtimes' section)");
    const auto& c = fleet->config();
    const Seconds now = observation.time();
    const auto period = m_params.period;
    const double q = m_params.leadQuantile;
    std::vector<Action> actions;

    // Newly known needs: can they still be prepared?
    for (std::size_t i = 0; i < c.needs.size(); ++i) {
        const auto& n = c.needs[i];
        if (n.bookedAt > now || n.end <= now || m_seenNeeds.count(i) != 0)
            continue;
        m_seenNeeds.insert(i);
        double lead = 0.0;
        std::string kinds;
        for (const auto& sid : n.services) {
            const auto s = *fleet->serviceIndex(sid);
            const auto w = *fleet->workloadIndex(c.services[s].workload);
            if (fleet->phase(w) == WorkloadPhase::Running)
                continue;
            const auto fastest = chooseRuntime(*fleet, s, 0.0, q, period);
            if (fastest.kind == twin::WorkloadType::None)
                continue;
            lead = std::max(lead, fastest.leadS);
            kinds += (kinds.empty() ? "" : ", ") + sid + " as " +
                     std::string(twin::workloadTypeName(fastest.kind));
        }
        const double latest = static_cast<double>(n.start) - lead;
        const Seconds knownAt = n.bookedAt == sim::MeetingNeed::kBookedAlways ? now
                                                                              : std::max(now, n.bookedAt);
        if (lead > 0.0 && static_cast<double>(knownAt) > latest) {
            const auto key = n.title + "@" + utcText(n.start);
            m_tooLate.insert(key);
            std::ostringstream note;
            note << "booked too late to prepare: meeting '" << n.title << "' in " << n.room
                 << " at " << utcText(n.start) << " known "
                 << (n.start - knownAt) << " s before its start, needs " << std::lround(lead)
                 << " s (" << kinds << "); provisioning now";
            m_notes.push_back(note.str());
        }
    }

    // Per host: is a meeting's service there protected now (from a period before its start)?
    std::vector<std::uint8_t> protectedHost(c.hosts.size(), 0);
    for (std::size_t s = 0; s < c.services.size(); ++s) {
        const auto& svc = c.services[s];
        const auto w = *fleet->workloadIndex(svc.workload);
        const auto& wspec = c.workloads[w];
        bool active = false;
        const sim::MeetingNeed* next = nullptr;
        Seconds lastEnd = std::numeric_limits<Seconds>::min();
        for (const auto& n : c.needs) {
            if (n.bookedAt > now ||
                std::find(n.services.begin(), n.services.end(), svc.id) == n.services.end())
                continue;
            if (n.end <= now) {
                lastEnd = std::max(lastEnd, n.end);
                continue;
            }
            if (n.start <= now)
                active = true;
            else if (next == nullptr)
                next = &n;
        }
        const auto phase = fleet->phase(w);
        const bool up = phase == WorkloadPhase::Running || phase == WorkloadPhase::Starting;
        if (active || (next != nullptr && next->start - now <= period))
            if (up)
                protectedHost[fleet->host(w)] = 1;
        if (phase == WorkloadPhase::Gone && (active || next != nullptr)) {
            const double left = active ? 0.0 : static_cast<double>(next->start - now);
            const auto choice = chooseRuntime(*fleet, s, left, q, period);
            if (choice.kind == twin::WorkloadType::None) {
                m_notes.push_back("service " + svc.id + ": no runtime qualifies (" + choice.why +
                                  ")");
                continue;
            }
            if (active || left <= choice.leadS) {
                Action a;
                a.kind = ActionKind::PlaceVm;
                a.target = wspec.id;
                a.destination = c.hosts[fleet->host(w)].id;
                a.text = std::string(twin::workloadTypeName(choice.kind));
                actions.push_back(std::move(a));
            }
        } else if (up && !active && !wspec.batch && !wspec.critical) {
            // Tear down after the delay, unless the next need comes before we could restart.
            const bool endedLongAgo = lastEnd == std::numeric_limits<Seconds>::min() ||
                                      now - lastEnd >= m_params.teardownDelay;
            bool soon = false;
            if (next != nullptr) {
                const auto choice = chooseRuntime(*fleet, s, 0.0, q, period);
                soon = static_cast<double>(next->start - now) <=
                       choice.leadS + static_cast<double>(m_params.teardownDelay);
            }
            if (endedLongAgo && !soon && lastEnd != std::numeric_limits<Seconds>::min()) {
                Action a;
                a.kind = ActionKind::Switch;
                a.target = wspec.id;
                a.value = 0.0;
                actions.push_back(std::move(a));
            }
        }
    }
    // Batch work: throttled (or moved) on protected hosts, restored elsewhere.
    for (std::size_t w = 0; w < c.workloads.size(); ++w) {
        const auto& spec = c.workloads[w];
        // Critical work is never throttled or moved: the guard would refuse it (its
        // critical-workload rule stays the safety net), so the policy does not propose it.
        if (!spec.batch || spec.critical || fleet->phase(w) == WorkloadPhase::Gone ||
            fleet->phase(w) == WorkloadPhase::Stopping)
            continue;
        const bool prot = protectedHost[fleet->host(w)] != 0;
        if (!m_params.batchHost.empty()) {
            if (prot && c.hosts[fleet->host(w)].id != m_params.batchHost) {
                Action a;
                a.kind = ActionKind::MigrateVm;
                a.target = spec.id;
                a.destination = m_params.batchHost;
                actions.push_back(std::move(a));
            }
            continue;
        }
        const double want = prot ? m_params.batchThrottlePct : 100.0;
        if (std::abs(fleet->throttleOf(w) * 100.0 - want) > 1e-9) {
            Action a;
            a.kind = ActionKind::Throttle;
            a.target = spec.id;
            a.value = want;
            actions.push_back(std::move(a));
        }
    }
    return actions;
}

AlwaysOnComputePolicy::AlwaysOnComputePolicy(Seconds period)
{
    m_info.id = "always-on-compute";
    m_info.version = "1.0.0";
    m_info.hash = "sha256:" + sha256Hex("always-on-compute|" + std::to_string(period)).value();
    m_info.period = period;
    m_info.emits = {ActionKind::Switch};
}

twin::Result<std::vector<Action>> AlwaysOnComputePolicy::decide(const Observation& observation)
{
    const auto* fleet = observation.runtimes();
    if (fleet == nullptr)
        return twin::makeError(twin::ErrorCode::InvalidArgument,
                               "always-on-compute: the source simulates no runtimes");
    std::vector<Action> actions;
    for (std::size_t w = 0; w < fleet->config().workloads.size(); ++w)
        if (fleet->servesService(w) && fleet->phase(w) == WorkloadPhase::Gone) {
            Action a;
            a.kind = ActionKind::Switch;
            a.target = fleet->config().workloads[w].id;
            a.value = 1.0;
            actions.push_back(std::move(a));
        }
    return actions;
}

} // namespace twindesk::policies
