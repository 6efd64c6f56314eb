#include <twindesk/sim/runtime.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>
#include <set>

namespace twindesk::sim {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

twin::Error bad(const std::string& message, const std::string& where)
{
    return twin::makeError(twin::ErrorCode::InvalidArgument, message, where);
}

std::size_t profileSlot(twin::WorkloadType kind)
{
    switch (kind) {
    case twin::WorkloadType::Container:
        return 1;
    case twin::WorkloadType::MicroVm:
        return 2;
    case twin::WorkloadType::WasmModule:
        return 3;
    case twin::WorkloadType::SandboxedContainer:
        return 4;
    default:
        return 0;
    }
}

struct Fnv
{
    std::uint64_t h = 14695981039346656037ULL;
    void bytes(const void* p, std::size_t n)
    {
        const auto* b = static_cast<const unsigned char*>(p);
        for (std::size_t i = 0; i < n; ++i) {
            h ^= b[i];
            h *= 1099511628211ULL;
        }
    }
    void num(double v) { bytes(&v, sizeof v); }
    void num(std::int64_t v) { bytes(&v, sizeof v); }
};

} // namespace

std::string_view workloadPhaseName(WorkloadPhase phase)
{
    switch (phase) {
    case WorkloadPhase::Gone:
        return "gone";
    case WorkloadPhase::Starting:
        return "starting";
    case WorkloadPhase::Running:
        return "running";
    case WorkloadPhase::Stopping:
        return "stopping";
    }
    return "gone";
}

const twin::RuntimeProfile& RuntimeConfig::profile(twin::WorkloadType kind) const
{
    return profiles[profileSlot(kind)];
}

double serviceLatencyMs(double baseMs, double cpuOverhead, double utilisation, double maxFactor)
{
    const double s = baseMs * (1.0 + cpuOverhead);
    const double cap = s * maxFactor;
    if (!(utilisation < 1.0))
        return cap;
    return std::min(cap, s / (1.0 - std::max(0.0, utilisation)));
}

twin::Result<RuntimeFleet> RuntimeFleet::make(RuntimeConfig config)
{
    const std::string where = "runtimes";
    std::set<std::string> ids;
    for (const auto& h : config.hosts) {
        if (h.id.empty() || !ids.insert(h.id).second)
            return bad("host id '" + h.id + "' is empty or not unique", where + "/hosts");
        if (!(h.cores > 0.0) || !(h.ramMb > 0.0))
            return bad("host '" + h.id + "' needs cores > 0 and ramMb > 0", where + "/hosts");
    }
    for (const auto& p : config.profiles)
        if (auto st = p.validate(where + "/profiles/" + std::string(twin::workloadTypeName(p.kind)));
            !st)
            return st.error();
    if (!(config.maxLatencyFactor > 1.0))
        return bad("max_latency_factor must be > 1", where);
    if (!(config.gpuCostPerHour >= 0.0) || !(config.electricityPricePerKwh >= 0.0))
        return bad("prices must be >= 0", where);
    RuntimeFleet f;
    f.m_config = std::move(config);
    auto& c = f.m_config;
    f.m_clock = c.start;
    f.m_rng.seed(c.seed ^ 0x9e3779b97f4a7c15ULL);
    f.m_wl.resize(c.workloads.size());
    f.m_servicesOf.resize(c.workloads.size());
    for (std::size_t w = 0; w < c.workloads.size(); ++w) {
        const auto& spec = c.workloads[w];
        const std::string at = where + "/workloads/" + spec.id;
        if (spec.id.empty() || !ids.insert(spec.id).second)
            return bad("workload id '" + spec.id + "' is empty or not unique", at);
        if (spec.kind == twin::WorkloadType::None)
            return bad("workload '" + spec.id + "' has no runtime kind", at);
        if (!(spec.cores > 0.0) || !(spec.ramMb >= 0.0) || spec.gpus < 0 ||
            !(spec.costPerHour >= 0.0))
            return bad("workload '" + spec.id + "' needs cores > 0, ram, gpus, cost >= 0", at);
        auto h = f.hostIndex(spec.host);
        if (!h)
            return bad("workload '" + spec.id + "' names unknown host '" + spec.host + "'", at);
        f.m_wl[w].host = *h;
        f.m_wl[w].kind = spec.kind;
    }
    for (std::size_t s = 0; s < c.services.size(); ++s) {
        const auto& svc = c.services[s];
        if (svc.id.empty() || !ids.insert(svc.id).second)
            return bad("service id '" + svc.id + "' is empty or not unique", where + "/services");
        auto w = f.workloadIndex(svc.workload);
        if (!w)
            return bad("service '" + svc.id + "' runs on unknown workload '" + svc.workload + "'",
                       where + "/services/" + svc.id);
        if (!(svc.baseLatencyMs > 0.0) || !(svc.objectiveMs > 0.0))
            return bad("service '" + svc.id + "' needs base latency and objective > 0 ms",
                       where + "/services/" + svc.id);
        f.m_servicesOf[*w].push_back(s);
        ++f.m_wl[*w].services;
    }
    for (const auto& p : c.pools) {
        if (!f.hostIndex(p.host))
            return bad("warm pool names unknown host '" + p.host + "'", where + "/warm_pools");
        if (p.size < 0 || p.kind == twin::WorkloadType::None)
            return bad("warm pool size must be >= 0 and its kind known", where + "/warm_pools");
        f.m_poolIdle.push_back(p.size);
    }
    std::stable_sort(c.needs.begin(), c.needs.end(),
                     [](const MeetingNeed& a, const MeetingNeed& b) { return a.start < b.start; });
    for (const auto& n : c.needs)
        for (const auto& s : n.services)
            if (!f.serviceIndex(s))
                return bad("meeting '" + n.title + "' needs unknown service '" + s + "'",
                           where + "/needs");
    f.m_outcomes.resize(c.needs.size());
    f.m_activeNeeds.assign(c.services.size(), 0);
    // Workloads running from the start are up at once (no start-up, no draw).
    for (std::size_t w = 0; w < c.workloads.size(); ++w) {
        if (!c.workloads[w].running)
            continue;
        if (auto st = f.checkFits(w, f.m_wl[w].host, f.m_wl[w].kind); !st)
            return st.error();
        f.m_wl[w].phase = WorkloadPhase::Running;
    }
    f.meetingStarts(static_cast<double>(c.start));
    return f;
}

std::optional<std::size_t> RuntimeFleet::hostIndex(std::string_view id) const
{
    for (std::size_t i = 0; i < m_config.hosts.size(); ++i)
        if (m_config.hosts[i].id == id)
            return i;
    return std::nullopt;
}

std::optional<std::size_t> RuntimeFleet::workloadIndex(std::string_view id) const
{
    for (std::size_t i = 0; i < m_config.workloads.size(); ++i)
        if (m_config.workloads[i].id == id)
            return i;
    return std::nullopt;
}

std::optional<std::size_t> RuntimeFleet::serviceIndex(std::string_view id) const
{
    for (std::size_t i = 0; i < m_config.services.size(); ++i)
        if (m_config.services[i].id == id)
            return i;
    return std::nullopt;
}

double RuntimeFleet::drawStartup(const twin::StartupLatency& latency)
{
    // Log-normal with the project's own normal variate (Box–Muller on mt19937_64), so every
    // platform draws the same numbers.
    const double u1 = (static_cast<double>(m_rng() >> 11) + 0.5) * 0x1.0p-53;
    const double u2 = (static_cast<double>(m_rng() >> 11) + 0.5) * 0x1.0p-53;
    const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    return latency.medianS * std::exp(latency.sigma() * z);
}

double RuntimeFleet::load(std::size_t w) const
{
    if (m_wl[w].phase != WorkloadPhase::Running)
        return 0.0;
    return m_config.workloads[w].cores * (1.0 + m_config.profile(m_wl[w].kind).cpuOverhead) *
           m_wl[w].throttle;
}

double RuntimeFleet::hostLoad(std::size_t h) const
{
    double l = 0.0;
    for (std::size_t w = 0; w < m_wl.size(); ++w)
        if (m_wl[w].host == h)
            l += load(w);
    return l;
}

double RuntimeFleet::hostUtilisation(std::size_t h) const
{
    return hostLoad(h) / m_config.hosts[h].cores;
}

double RuntimeFleet::ramNeed(std::size_t w, twin::WorkloadType kind) const
{
    return m_config.workloads[w].ramMb + m_config.profile(kind).memoryOverheadMb;
}

double RuntimeFleet::freeRamMb(std::size_t h) const
{
    double used = 0.0;
    for (std::size_t w = 0; w < m_wl.size(); ++w)
        if (m_wl[w].host == h && m_wl[w].phase != WorkloadPhase::Gone)
            used += ramNeed(w, m_wl[w].kind);
    for (std::size_t p = 0; p < m_config.pools.size(); ++p)
        if (m_config.pools[p].host == m_config.hosts[h].id)
            used += m_config.pools[p].size * m_config.profile(m_config.pools[p].kind).memoryOverheadMb;
    return m_config.hosts[h].ramMb - used;
}

int RuntimeFleet::freeGpus(std::size_t h) const
{
    int used = 0;
    for (std::size_t w = 0; w < m_wl.size(); ++w)
        if (m_wl[w].host == h && m_wl[w].phase != WorkloadPhase::Gone)
            used += m_config.workloads[w].gpus;
    return m_config.hosts[h].gpu.count - used;
}

double RuntimeFleet::instanceCostPerHour(std::size_t w) const
{
    const auto& spec = m_config.workloads[w];
    if (spec.costPerHour > 0.0)
        return spec.costPerHour;
    return m_config.profile(m_wl[w].kind).costPerCoreHour * spec.cores +
           spec.gpus * m_config.gpuCostPerHour;
}

twin::Status RuntimeFleet::checkFits(std::size_t w, std::size_t host,
                                     twin::WorkloadType kind) const
{
    const auto& spec = m_config.workloads[w];
    const auto& p = m_config.profile(kind);
    const auto& h = m_config.hosts[host];
    const std::string what = "workload '" + spec.id + "' as " +
                             std::string(twin::workloadTypeName(kind)) + " on host '" + h.id + "'";
    if (spec.gpus > 0 && !p.gpuCapable)
        return bad(what + ": this runtime cannot hold a GPU", "runtimes");
    if (p.maxCores > 0.0 && spec.cores > p.maxCores)
        return bad(what + ": needs " + std::to_string(spec.cores) + " vCPUs, the runtime runs at most " +
                       std::to_string(p.maxCores),
                   "runtimes");
    const bool here = m_wl[w].host == host && m_wl[w].phase != WorkloadPhase::Gone;
    const double free = freeRamMb(host) + (here ? ramNeed(w, m_wl[w].kind) : 0.0);
    if (ramNeed(w, kind) > free)
        return bad(what + ": needs " + std::to_string(ramNeed(w, kind)) + " MB, " +
                       std::to_string(free) + " MB free",
                   "runtimes");
    const int gpus = freeGpus(host) + (here ? spec.gpus : 0);
    if (spec.gpus > gpus)
        return bad(what + ": needs " + std::to_string(spec.gpus) + " GPU(s), " +
                       std::to_string(gpus) + " free",
                   "runtimes");
    return {};
}

void RuntimeFleet::beginStart(std::size_t w, std::size_t host, twin::WorkloadType kind, double at)
{
    auto& wl = m_wl[w];
    wl.host = host;
    wl.kind = kind;
    const auto& p = m_config.profile(kind);
    double latency = 0.0;
    bool warm = false;
    for (std::size_t i = 0; i < m_config.pools.size(); ++i) {
        const auto& pool = m_config.pools[i];
        if (pool.kind == kind && pool.host == m_config.hosts[host].id && m_poolIdle[i] > 0) {
            --m_poolIdle[i];
            latency = drawStartup(p.warm);
            // The pool re-warms the instance it gave away: a cold start of its own.
            const double back = at + drawStartup(p.cold);
            m_rewarm.insert(std::upper_bound(m_rewarm.begin(), m_rewarm.end(),
                                             std::pair{back, i}),
                            std::pair{back, i});
            warm = true;
            break;
        }
    }
    if (!warm)
        latency = drawStartup(p.cold);
    wl.phase = WorkloadPhase::Starting;
    wl.readyAt = at + latency;
    ++m_metrics.starts;
    if (warm)
        ++m_metrics.warmStarts;
}

twin::Status RuntimeFleet::start(std::size_t w, std::size_t host, twin::WorkloadType kind)
{
    if (w >= m_wl.size() || host >= m_config.hosts.size())
        return twin::makeError(twin::ErrorCode::NotFound, "start: no such workload or host",
                               "runtimes");
    if (kind == twin::WorkloadType::None)
        kind = m_config.workloads[w].kind;
    if (m_wl[w].phase != WorkloadPhase::Gone)
        return bad("start: workload '" + m_config.workloads[w].id + "' is " +
                       std::string(workloadPhaseName(m_wl[w].phase)),
                   "runtimes");
    if (auto st = checkFits(w, host, kind); !st)
        return st;
    beginStart(w, host, kind, static_cast<double>(m_clock));
    return {};
}

twin::Status RuntimeFleet::stop(std::size_t w)
{
    if (w >= m_wl.size())
        return twin::makeError(twin::ErrorCode::NotFound, "stop: no such workload", "runtimes");
    auto& wl = m_wl[w];
    if (wl.phase != WorkloadPhase::Starting && wl.phase != WorkloadPhase::Running)
        return bad("stop: workload '" + m_config.workloads[w].id + "' is " +
                       std::string(workloadPhaseName(wl.phase)),
                   "runtimes");
    wl.phase = WorkloadPhase::Stopping;
    wl.goneAt = static_cast<double>(m_clock) + m_config.profile(wl.kind).stopS;
    ++m_metrics.stops;
    return {};
}

twin::Status RuntimeFleet::throttle(std::size_t w, double fraction)
{
    if (w >= m_wl.size())
        return twin::makeError(twin::ErrorCode::NotFound, "throttle: no such workload",
                               "runtimes");
    if (!(fraction >= 0.0 && fraction <= 1.0))
        return bad("throttle: fraction must be within 0..1", "runtimes");
    if (m_wl[w].throttle != fraction)
        ++m_metrics.throttles;
    m_wl[w].throttle = fraction;
    return {};
}

twin::Status RuntimeFleet::move(std::size_t w, std::size_t host)
{
    if (w >= m_wl.size() || host >= m_config.hosts.size())
        return twin::makeError(twin::ErrorCode::NotFound, "move: no such workload or host",
                               "runtimes");
    if (m_wl[w].host == host)
        return bad("move: workload '" + m_config.workloads[w].id + "' is on that host already",
                   "runtimes");
    if (auto st = checkFits(w, host, m_wl[w].kind); !st)
        return st;
    if (auto st = stop(w); !st)
        return st;
    --m_metrics.stops;
    ++m_metrics.moves;
    m_wl[w].pendingMove = host;
    return {};
}

double RuntimeFleet::serviceLatency(std::size_t s) const
{
    const auto& svc = m_config.services[s];
    const auto w = *workloadIndex(svc.workload);
    if (m_wl[w].phase != WorkloadPhase::Running)
        return kInf;
    return serviceLatencyMs(svc.baseLatencyMs, m_config.profile(m_wl[w].kind).cpuOverhead,
                            hostUtilisation(m_wl[w].host), m_config.maxLatencyFactor);
}

double RuntimeFleet::hostPowerW(std::size_t h) const
{
    const auto& host = m_config.hosts[h];
    double p = host.power.powerAt(std::min(1.0, hostUtilisation(h)));
    int busy = 0;
    for (std::size_t w = 0; w < m_wl.size(); ++w)
        if (m_wl[w].host == h && m_wl[w].phase == WorkloadPhase::Running)
            busy += m_config.workloads[w].gpus;
    busy = std::min(busy, host.gpu.count);
    p += busy * host.gpu.busyW + (host.gpu.count - busy) * host.gpu.idleW;
    return p;
}

double RuntimeFleet::totalPowerW() const
{
    double p = 0.0;
    for (std::size_t h = 0; h < m_config.hosts.size(); ++h)
        p += hostPowerW(h);
    return p;
}

void RuntimeFleet::transitions(double t)
{
    for (std::size_t w = 0; w < m_wl.size(); ++w) {
        auto& wl = m_wl[w];
        if (wl.phase == WorkloadPhase::Starting && wl.readyAt <= t) {
            wl.phase = WorkloadPhase::Running;
        } else if (wl.phase == WorkloadPhase::Stopping && wl.goneAt <= t) {
            wl.phase = WorkloadPhase::Gone;
            if (wl.pendingMove) {
                const auto to = *wl.pendingMove;
                wl.pendingMove.reset();
                beginStart(w, to, wl.kind, wl.goneAt);
                --m_metrics.starts; // counted as the move
                if (wl.readyAt <= t)
                    wl.phase = WorkloadPhase::Running;
            }
        }
    }
    while (!m_rewarm.empty() && m_rewarm.front().first <= t) {
        ++m_poolIdle[m_rewarm.front().second];
        m_rewarm.erase(m_rewarm.begin());
    }
}

void RuntimeFleet::meetingStarts(double t)
{
    const double runStart = static_cast<double>(m_config.start);
    for (std::size_t i = 0; i < m_config.needs.size(); ++i) {
        const auto& n = m_config.needs[i];
        auto& o = m_outcomes[i];
        const auto start = static_cast<double>(n.start);
        const auto end = static_cast<double>(n.end);
        if (start > t)
            break;
        if (start < runStart)
            continue; // began before the run: not counted
        if (!o.started && start <= t) {
            o.started = true;
            ++m_metrics.meetings;
            o.readyAtStart = std::all_of(n.services.begin(), n.services.end(), [&](const auto& s) {
                const auto w = *workloadIndex(m_config.services[*serviceIndex(s)].workload);
                return m_wl[w].phase == WorkloadPhase::Running;
            });
            if (!o.readyAtStart)
                ++m_metrics.meetingsNotReady;
            if (end > t)
                for (const auto& s : n.services)
                    ++m_activeNeeds[*serviceIndex(s)];
        } else if (o.started && end <= t && end > t - 1e-9 && end > start) {
            // (ends handled in integrate's bookkeeping below)
        }
    }
}

void RuntimeFleet::integrate(double a, double b)
{
    const double dt = b - a;
    if (!(dt > 0.0))
        return;
    const double h = dt / 3600.0;
    const double price = m_config.electricityPricePerKwh;
    std::vector<double> hostL(m_config.hosts.size(), 0.0);
    for (std::size_t w = 0; w < m_wl.size(); ++w)
        hostL[m_wl[w].host] += load(w);
    std::vector<double> dynamicW(m_config.hosts.size());
    for (std::size_t i = 0; i < m_config.hosts.size(); ++i) {
        const double p = hostPowerW(i);
        m_metrics.hostEnergyKwh += p * dt / 3.6e6;
        m_metrics.energyCost += p * dt / 3.6e6 * price;
        const auto& power = m_config.hosts[i].power;
        dynamicW[i] = power.powerAt(std::min(1.0, hostL[i] / m_config.hosts[i].cores)) -
                      power.powerAt(0.0);
    }
    for (std::size_t w = 0; w < m_wl.size(); ++w) {
        const auto& wl = m_wl[w];
        if (wl.phase == WorkloadPhase::Gone)
            continue;
        const auto& spec = m_config.workloads[w];
        double watts = hostL[wl.host] > 0.0 ? dynamicW[wl.host] * load(w) / hostL[wl.host] : 0.0;
        if (wl.phase == WorkloadPhase::Running)
            watts += spec.gpus * m_config.hosts[wl.host].gpu.busyW;
        const double kwh = watts * dt / 3.6e6;
        const double cost = instanceCostPerHour(w) * h;
        m_metrics.instanceCost += cost;
        if (m_wl[w].services > 0) {
            m_metrics.serviceEnergyKwh += kwh;
            m_metrics.serviceCost += cost + kwh * price;
            bool needed = false;
            for (auto s : m_servicesOf[w])
                needed = needed || m_activeNeeds[s] > 0;
            if (!needed && wl.phase != WorkloadPhase::Stopping) {
                m_metrics.idleInstanceHours += h;
                m_metrics.idleGpuHours += spec.gpus * h;
            }
        }
        if (spec.batch) {
            m_metrics.batchEnergyKwh += kwh;
            m_metrics.batchCost += cost + kwh * price;
            if (wl.phase == WorkloadPhase::Running && wl.throttle < 1.0)
                m_metrics.batchCoreHoursDeferred += spec.cores * (1.0 - wl.throttle) * h;
        }
    }
    for (std::size_t p = 0; p < m_poolIdle.size(); ++p) {
        const auto& prof = m_config.profile(m_config.pools[p].kind);
        const double cost = m_poolIdle[p] * prof.costPerCoreHour * prof.warmIdleCostFraction * h;
        m_metrics.warmPoolCost += cost;
        m_metrics.serviceCost += cost;
        m_metrics.idleInstanceHours += m_poolIdle[p] * h;
    }
    // Meetings in progress over [a, b): minutes with a needed service unavailable or slow.
    for (std::size_t i = 0; i < m_config.needs.size(); ++i) {
        const auto& n = m_config.needs[i];
        if (static_cast<double>(n.start) > a)
            break;
        auto& o = m_outcomes[i];
        if (!o.started || static_cast<double>(n.end) <= a)
            continue;
        bool over = false;
        for (const auto& sid : n.services) {
            const auto s = *serviceIndex(sid);
            const double lat = serviceLatency(s);
            const double objective = n.objectiveMs > 0.0 ? n.objectiveMs
                                                         : m_config.services[s].objectiveMs;
            if (std::isfinite(lat))
                o.maxLatencyMs = std::max(o.maxLatencyMs, lat);
            over = over || !(lat <= objective);
        }
        if (over) {
            o.minutesOver += dt / 60.0;
            m_metrics.minutesOverObjective += dt / 60.0;
        }
    }
}

twin::Status RuntimeFleet::step(Seconds now, Seconds dt)
{
    if (now != m_clock || dt <= 0)
        return bad("step: expected now = " + std::to_string(m_clock) + " and dt > 0", "runtimes");
    const double end = static_cast<double>(now + dt);
    double t = static_cast<double>(now);
    while (true) {
        double next = end;
        for (const auto& wl : m_wl) {
            if (wl.phase == WorkloadPhase::Starting && wl.readyAt > t)
                next = std::min(next, wl.readyAt);
            if (wl.phase == WorkloadPhase::Stopping && wl.goneAt > t)
                next = std::min(next, wl.goneAt);
        }
        if (!m_rewarm.empty() && m_rewarm.front().first > t)
            next = std::min(next, m_rewarm.front().first);
        for (const auto& n : m_config.needs) {
            const auto s = static_cast<double>(n.start);
            const auto e = static_cast<double>(n.end);
            if (s > t) {
                next = std::min(next, s);
                break;
            }
            if (e > t)
                next = std::min(next, e);
        }
        integrate(t, next);
        // Needs ending at `next` release their services (for the idle accounting).
        for (std::size_t i = 0; i < m_config.needs.size(); ++i) {
            const auto& n = m_config.needs[i];
            if (static_cast<double>(n.start) > t)
                break;
            const auto e = static_cast<double>(n.end);
            if (m_outcomes[i].started && e > t && e <= next)
                for (const auto& s : n.services)
                    --m_activeNeeds[*serviceIndex(s)];
        }
        t = next;
        transitions(t);
        meetingStarts(t);
        if (t >= end)
            break;
    }
    m_clock = now + dt;
    return {};
}

std::uint64_t RuntimeFleet::stateHash() const
{
    Fnv f;
    f.num(static_cast<std::int64_t>(m_clock));
    for (const auto& wl : m_wl) {
        f.num(static_cast<std::int64_t>(wl.phase));
        f.num(static_cast<std::int64_t>(wl.host));
        f.num(static_cast<std::int64_t>(wl.kind));
        f.num(wl.readyAt);
        f.num(wl.goneAt);
        f.num(wl.throttle);
    }
    for (auto p : m_poolIdle)
        f.num(static_cast<std::int64_t>(p));
    for (const auto& [t, p] : m_rewarm) {
        f.num(t);
        f.num(static_cast<std::int64_t>(p));
    }
    for (const auto& o : m_outcomes) {
        f.num(static_cast<std::int64_t>(o.readyAtStart));
        f.num(o.minutesOver);
    }
    const auto& m = m_metrics;
    for (double v : {m.hostEnergyKwh, m.serviceEnergyKwh, m.instanceCost, m.serviceCost,
                     m.warmPoolCost, m.idleInstanceHours, m.minutesOverObjective})
        f.num(v);
    return f.h;
}

} // namespace twindesk::sim
