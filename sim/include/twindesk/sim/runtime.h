#pragma once
/// \file runtime.h
/// Virtualization runtimes in the simulator (issue #10, docs/runtimes.md): workloads of every
/// runtime kind on compute hosts (optionally with GPUs), their lifecycle with seeded start-up
/// latency and warm pools, service latency from host contention, energy and cost, and what
/// the flagged meetings got from the services they needed.
///
/// ## Lifecycle
/// Gone → (start) Starting → Running → (stop) Stopping → Gone. start() is a request at time();
/// its start-up latency is drawn at once: from the kind's *warm* distribution when the warm pool
/// of that kind on that host has an idle instance (the instance is taken and re-warms after a
/// cold start-up of its own), else from the *cold* one. A stopping workload holds its memory
/// and GPUs for the kind's stop time. move() is a stop on the old host and a cold start on the
/// new one (a checkpoint-free batch job restarts). Billing runs from the request until gone.
///
/// ## Latency model (per service)
/// The service runs on one workload W on host H. Its mean response time is the M/M/1 sojourn
/// time  R = S / (1 − ρ_H)  with S = base × (1 + cpuOverhead of W's kind) the service time on an
/// idle host and ρ_H = Σ_{running w on H} cores_w × (1 + overhead_w) × throttle_w / cores_H the
/// host's CPU utilisation. R is capped at S × maxLatencyFactor (default 50) — reached from
/// ρ ≥ 1 − 1/50 — because a saturated queue has no steady state. A service whose workload is
/// not Running is unavailable (its latency is +∞). Example: base 20 ms, container (1 %),
/// ρ = 0.5 → 20.2 / 0.5 = 40.4 ms; ρ = 0.8 → 101 ms.
///
/// ## Energy and cost
/// Hosts are always on: P_H = PowerModel(min(ρ_H, 1)) + Σ GPUs (busyW when held by a running
/// workload, idleW otherwise). A workload's energy is its share of the host's dynamic power
/// (P(ρ) − P(0)) × load_w / load_H plus the busy power of its GPUs. Costs: instance (a kind's
/// price per vCPU-hour × cores + GPUs × gpuCostPerHour, from request to gone), warm-pool
/// instances while idle, and energy × electricityPrice. Service cost = what the workloads that
/// serve services cost (instances, their energy) plus the warm pools; batch cost apart.
///
/// ## Meetings
/// A MeetingNeed is a flagged meeting (scenario `runtimes.needs`) and the services it needs.
/// For each need the fleet records whether all its services were Running at its start, and the
/// minutes (exact, events split the steps) during which any of them was unavailable or slower
/// than its objective. Idle instance-hours: service workloads running (or starting) while no
/// need of their services is in progress, plus idle warm-pool instances.
///
/// Time: steps (now, now + dt] are split at every transition, meeting start/end and re-warm, in
/// time order (ties: transitions before meeting boundaries). Determinism: one seeded
/// std::mt19937_64 and the project's own normal variate; no clocks, no hash containers. Same
/// config + commands → bit-identical stateHash(). Units: s, ms (latency), W, J, cores (vCPUs).

#include <twindesk/sim/compute.h>
#include <twindesk/sim/sim_time.h>
#include <twindesk/twin/result.h>
#include <twindesk/twin/runtime_profile.h>

#include <array>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace twindesk::sim {

enum class WorkloadPhase : std::uint8_t { Gone, Starting, Running, Stopping };
std::string_view workloadPhaseName(WorkloadPhase phase);

struct RuntimeHostSpec
{
    std::string id;
    double cores = 1.0; ///< vCPUs it can run
    double ramMb = 0.0;
    PowerModel power;
    twin::GpuSpec gpu;
};

struct RuntimeWorkloadSpec
{
    std::string id;
    twin::WorkloadType kind = twin::WorkloadType::Container; ///< its declared (default) kind
    double cores = 1.0; ///< CPU demand while running, vCPUs
    double ramMb = 512.0;
    int gpus = 0;
    bool critical = false; ///< never throttled (the guard's rule, docs/runtimes.md)
    bool batch = false;    ///< background batch work (may be throttled or moved)
    std::string host;      ///< the host it is placed on (or starts on by default)
    bool running = false;  ///< running at the start of the run
    /// Hourly price; 0: the kind's price per vCPU-hour × cores + gpus × gpuCostPerHour.
    double costPerHour = 0.0;
};

struct RuntimeServiceSpec
{
    std::string id;
    std::string workload; ///< the workload it runs on
    double baseLatencyMs = 20.0;
    double objectiveMs = 80.0;
    /// Isolation its code needs (e.g. untrusted demo code: hardware).
    twin::IsolationClass isolation = twin::IsolationClass::SharedKernel;
};

struct WarmPoolSpec
{
    twin::WorkloadType kind = twin::WorkloadType::Container;
    std::string host;
    int size = 1;
};

/// One flagged meeting and what it needs.
struct MeetingNeed
{
    std::string room;                  ///< room entity id
    std::string title;                 ///< SUMMARY
    Seconds start = 0;                 ///< UTC s
    Seconds end = 0;                   ///< exclusive
    Seconds bookedAt = kBookedAlways;  ///< when the booking became known (CREATED)
    std::vector<std::string> services; ///< service ids, sorted
    double objectiveMs = 0.0;          ///< overrides the services' objectives when > 0
    static constexpr Seconds kBookedAlways = std::numeric_limits<Seconds>::min();
};

struct RuntimeConfig
{
    Seconds start = 0;
    std::uint64_t seed = 0;
    std::vector<RuntimeHostSpec> hosts;
    std::vector<RuntimeWorkloadSpec> workloads;
    std::vector<RuntimeServiceSpec> services;
    std::vector<WarmPoolSpec> pools;
    std::vector<MeetingNeed> needs; ///< sorted by start
    std::array<twin::RuntimeProfile, 5> profiles = twin::defaultRuntimeProfiles();
    double gpuCostPerHour = 2.0;
    double electricityPricePerKwh = 0.25;
    double maxLatencyFactor = 50.0;

    [[nodiscard]] const twin::RuntimeProfile& profile(twin::WorkloadType kind) const;
};

/// The latency model on its own: R = S / (1 − ρ), S = base × (1 + overhead), capped at
/// S × maxFactor (also for ρ ≥ 1). Pure; for hand checks and policies' estimates.
double serviceLatencyMs(double baseMs, double cpuOverhead, double utilisation, double maxFactor);

struct NeedOutcome
{
    bool started = false;       ///< the meeting's start lay within the run
    bool readyAtStart = false;  ///< every needed service Running at its start
    double minutesOver = 0.0;   ///< unavailable or over objective, while it ran
    double maxLatencyMs = 0.0;  ///< worst latency of its services while available
};

struct RuntimeMetrics
{
    double hostEnergyKwh = 0.0;
    double serviceEnergyKwh = 0.0; ///< attributed to workloads that serve services
    double batchEnergyKwh = 0.0;
    double instanceCost = 0.0;    ///< all instances
    double serviceCost = 0.0;     ///< service workloads' instances + energy + warm pools
    double warmPoolCost = 0.0;
    double batchCost = 0.0;       ///< batch instances + their energy
    double energyCost = 0.0;      ///< all host energy × price
    double idleInstanceHours = 0.0;
    double idleGpuHours = 0.0;    ///< GPUs held by service workloads outside their meetings
    double batchCoreHoursDeferred = 0.0; ///< Σ cores × (1 − throttle) × h of throttled batch
    std::int64_t starts = 0, warmStarts = 0, stops = 0, moves = 0, throttles = 0;
    std::int64_t meetings = 0; ///< needs whose start lay within the run
    std::int64_t meetingsNotReady = 0;
    double minutesOverObjective = 0.0;
    bool operator==(const RuntimeMetrics&) const = default;
};

class RuntimeFleet
{
public:
    /// Validates the configuration (unique ids, hosts exist, profiles valid, services on known
    /// workloads, initial placements fit); errors name the entity and the field.
    static twin::Result<RuntimeFleet> make(RuntimeConfig config);

    [[nodiscard]] const RuntimeConfig& config() const { return m_config; }
    [[nodiscard]] Seconds time() const { return m_clock; }
    [[nodiscard]] std::optional<std::size_t> hostIndex(std::string_view id) const;
    [[nodiscard]] std::optional<std::size_t> workloadIndex(std::string_view id) const;
    [[nodiscard]] std::optional<std::size_t> serviceIndex(std::string_view id) const;

    // Commands, at time(). Errors say why (wrong phase, does not fit, kind cannot hold a GPU).
    /// Starts `w` on `host` as `kind` (None: its declared kind).
    twin::Status start(std::size_t w, std::size_t host,
                       twin::WorkloadType kind = twin::WorkloadType::None);
    twin::Status stop(std::size_t w);
    /// fraction 0..1 of its CPU demand it may use (1: unthrottled).
    twin::Status throttle(std::size_t w, double fraction);
    twin::Status move(std::size_t w, std::size_t host);

    /// Advances (now, now + dt]; now must equal time().
    twin::Status step(Seconds now, Seconds dt);

    [[nodiscard]] WorkloadPhase phase(std::size_t w) const { return m_wl[w].phase; }
    [[nodiscard]] std::size_t host(std::size_t w) const { return m_wl[w].host; }
    [[nodiscard]] twin::WorkloadType kind(std::size_t w) const { return m_wl[w].kind; }
    [[nodiscard]] double readyAt(std::size_t w) const { return m_wl[w].readyAt; }
    [[nodiscard]] double throttleOf(std::size_t w) const { return m_wl[w].throttle; }
    [[nodiscard]] double hostUtilisation(std::size_t h) const;
    [[nodiscard]] double hostPowerW(std::size_t h) const;
    [[nodiscard]] int freeGpus(std::size_t h) const;
    [[nodiscard]] double freeRamMb(std::size_t h) const;
    [[nodiscard]] int idleWarm(std::size_t pool) const { return m_poolIdle[pool]; }
    /// The service's latency now, ms (+∞ when its workload is not Running).
    [[nodiscard]] double serviceLatency(std::size_t s) const;
    /// Whether the workload serves some service.
    [[nodiscard]] bool servesService(std::size_t w) const { return m_wl[w].services > 0; }
    [[nodiscard]] double totalPowerW() const;
    [[nodiscard]] const std::vector<NeedOutcome>& outcomes() const { return m_outcomes; }
    [[nodiscard]] RuntimeMetrics metrics() const { return m_metrics; }
    [[nodiscard]] std::uint64_t stateHash() const;

private:
    struct Wl
    {
        WorkloadPhase phase = WorkloadPhase::Gone;
        std::size_t host = 0;
        twin::WorkloadType kind = twin::WorkloadType::Container;
        double readyAt = 0.0;  ///< s since epoch, while Starting
        double goneAt = 0.0;   ///< while Stopping
        double throttle = 1.0;
        int services = 0;      ///< how many services run on it
        std::optional<std::size_t> pendingMove; ///< start on this host once gone
    };
    RuntimeFleet() = default;
    [[nodiscard]] double drawStartup(const twin::StartupLatency& latency);
    [[nodiscard]] double load(std::size_t w) const;
    [[nodiscard]] double hostLoad(std::size_t h) const;
    [[nodiscard]] double instanceCostPerHour(std::size_t w) const;
    [[nodiscard]] double ramNeed(std::size_t w, twin::WorkloadType kind) const;
    twin::Status checkFits(std::size_t w, std::size_t host, twin::WorkloadType kind) const;
    void beginStart(std::size_t w, std::size_t host, twin::WorkloadType kind, double at);
    void transitions(double t);
    void integrate(double a, double b);
    void meetingStarts(double t);

    RuntimeConfig m_config;
    std::vector<Wl> m_wl;
    std::vector<int> m_poolIdle;
    std::vector<std::pair<double, std::size_t>> m_rewarm; ///< (time, pool), sorted
    std::vector<std::vector<std::size_t>> m_servicesOf;   ///< workload → services
    std::vector<NeedOutcome> m_outcomes;
    std::vector<std::int32_t> m_activeNeeds; ///< per service: needs in progress
    RuntimeMetrics m_metrics;
    std::mt19937_64 m_rng;
    Seconds m_clock = 0;
};

} // namespace twindesk::sim
