#pragma once
/// \file compute.h
/// Data-centre compute: hosts with SPECpower tables, VMs driven by CPU-utilisation traces, live
/// migration, and the consolidation metrics of Beloglazov & Buyya, "Optimal online deterministic
/// algorithms and adaptive heuristics for energy and performance efficient dynamic consolidation
/// of virtual machines in Cloud data centers", CCPE 24(13), 2012 — with the mechanics of the
/// CloudSim 3.0 power package that produced that paper's figures.
///
/// ## The CloudSim 3.0 semantics reproduced here (file names are CloudSim sources)
/// - Power (PowerModelSpecPower.getPower): watts at 0, 10, ..., 100 % load, linear in between,
///   computed with CloudSim's exact arithmetic.
/// - CPU sharing (VmSchedulerTimeSharedOverSubscription + HostDynamicWorkload): every VM asks for
///   demand = trace(t) × VM MIPS, capped at one core's MIPS (a VM is single-core). If the host's
///   cores cannot serve every request, every VM gets floor(request × capacity / Σ requests)
///   MIPS; the unserved MIPS are the SLA violation of the VM, and the host is at 100 %.
/// - Live migration (PowerDatacenter, VmSchedulerTimeShared, HostDynamicWorkload): lasts
///   VM RAM ÷ (share × destination bandwidth), share = ½ ("the other half is for VM
///   communication"), e.g. 870 MB over 1 Gbit/s: 870 / 62.5 MB/s = 13.92 s. During it the VM
///   keeps running on the source with 90 % of its allocation (the 10 % lost is the performance
///   degradation due to migration, PDM), the source host still counts the VM at 100 % for its
///   own utilisation and power, and the destination spends 10 % of the VM's request as
///   migration overhead (utilisation and power). The destination reserves the VM's RAM and
///   bandwidth for the whole migration. Migrations complete mid-step; every host's energy frame
///   is split at each completion time, as CloudSim's VM_MIGRATE event does.
/// - Energy (PowerDatacenter, PowerHost.getEnergyLinearInterpolation): each frame between two
///   updates integrates (P(u_start) + (P(u_end) − P(u_start)) / 2) × Δt, where u_start is the
///   utilisation after the decisions taken at the frame start and u_end the utilisation at the
///   frame end before any decision there.
/// - Metrics (examples/power/Helper.java): SLATAH = Σ_hosts T_violation / Σ_hosts T_active,
///   PDM = Σ_VMs C_degradation / Σ_VMs C_requested, both ratios of sums (the paper writes means
///   of per-host / per-VM ratios; those are reported too, as slatahHostMean and pdmVmMean).
///   SLAV = SLATAH × PDM, ESV = energy (kWh) × SLAV, overall and average SLA violation as
///   printed by Helper.printResults.
/// - Utilisation history (PowerVm, PowerHostUtilizationHistory): the last 30 requested
///   utilisations of every VM, newest first, one per scheduling interval (300 s); a host's
///   CloudSim history is derived from the histories of the VMs it holds now
///   (hostHistoryFromVms()).
///
/// ## What TwinDesk does differently, on purpose
/// - Hosts have explicit states Off / Booting / On. Accounting::Physical (the default): an On
///   host draws P(u), P(0) when idle; Booting draws P(0); Off draws 0; "active" means On; a
///   host violates its SLA while it is overloaded. Accounting::CloudSim reproduces CloudSim's
///   accounting: a frame that starts at 0 % utilisation costs no energy (CloudSim treats an idle
///   host as switched off, whatever its state), "active" means utilisation > 0, a host violates
///   while allocated < requested MIPS — which includes CloudSim's quirk that a migration's
///   destination counts as violating for the migration's duration (it requests the VM's full
///   MIPS but is allocated the 10 % overhead) — and host shutdowns are counted as Helper does
///   (active→inactive transitions, the first update counting as one for every idle host).
/// - The trace is held constant within a trace interval (index = floor((t − start) / interval),
///   the last value held past the end). CloudSim interpolates linearly between samples; it only
///   ever samples 0.1 s after a sample time, except at migration completions.
/// - A VM "fits" a host only if one core has at least the VM's nominal MIPS (CoreFit::
///   NominalMips, the rule). CloudSim 3.0 (Host.isSuitableForVm) compares the core with
///   the VM's *current demand*, so a 2500-MIPS VM idling at 500 MIPS may migrate onto an
///   1860-MIPS core; CoreFit::CurrentDemand reproduces that.
/// - A VM in migration reserves its full current demand on the destination for admission
///   (availableMips), so two migrations started in one round cannot over-commit a host;
///   CloudSim's scheduler would only count the 10 % overhead there.
/// - Placement reserves the VM's full MIPS until the next step evaluates its trace (CloudSim's
///   "being instantiated" VM). CloudSim's first update after placement sees a previous
///   utilisation of 0 on every host and so books no energy for the first interval; TwinDesk
///   books every step. CloudSim's day ends at 86 100.1 s (287 frames, NPA = 100.8 kW ×
///   86 100 s = 2410.8 kWh); stepping 288 × 300 s here covers the full 86 400 s.
///
/// ## Time and order within one step(now, dt)
/// Commands (place, migrate, setHostPower) happen between steps, at time(). step(now, dt):
/// 1. evaluates every host at `now` with the demands at `now` and the placement as the commands
///    left it (the state that starts the frame);
/// 2. for each migration completing in (now, now + dt], in order of completion time then VM
///    index: evaluates at that time, books the frame, moves the VM, re-evaluates;
/// 3. hosts whose boot has finished by now + dt become On;
/// 4. evaluates at now + dt with the demands there and books the last frame; if the step reached
///    a multiple of config.historyInterval, appends one sample to every utilisation history.
///    The state that policies read between steps is this one.
///
/// Determinism: no hash containers, no randomness, no clocks, no threads; two runs with the
/// same inputs and commands give bit-identical state (stateHash()) and metrics.
/// Units: MIPS, MB, Mbit/s, W, J, s (Seconds are integers; completion times are fractional).
/// Errors are twin::Result / twin::Status; nothing throws out of this API except std::bad_alloc.

#include <twindesk/sim/sim_time.h>
#include <twindesk/twin/result.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace twindesk::sim {

using HostIndex = std::size_t;
using VmIndex = std::size_t;

/// "No host": returned by vmHost() for a VM that is not placed and by vmMigrationTarget().
inline constexpr std::size_t kNoHost = static_cast<std::size_t>(-1);
/// Samples kept per utilisation history (CloudSim's PowerVm.HISTORY_LENGTH).
inline constexpr std::size_t kHistoryLength = 30;
/// Share of a migrating VM's allocation lost on the source, and spent as overhead on the
/// destination (CloudSim: "performance degradation due to migration = 10 % MIPS").
inline constexpr double kMigrationDegradation = 0.1;

/// A SPECpower-style power table: watts at 0, 10, ..., 100 % CPU load, linear in between.
struct PowerModel
{
    std::array<double, 11> watts{};

    /// Power in W at a CPU utilisation 0..1. Values outside [0, 1] are clamped (CloudSim would
    /// abort); NaN gives NaN. The arithmetic is CloudSim's PowerModelSpecPower.getPower.
    [[nodiscard]] double powerAt(double utilisation) const;

    /// A built-in table: "hp-proliant-ml110-g4" (86 … 117 W) or "hp-proliant-ml110-g5"
    /// (93.7 … 135 W), the two servers of the Beloglazov & Buyya experiment. NotFound otherwise.
    static twin::Result<PowerModel> named(std::string_view name);
    /// Validates 11 finite, non-negative, non-decreasing values (W at 0, 10, ..., 100 %).
    static twin::Result<PowerModel> fromTable(std::span<const double> watts);
};

/// One physical server. Immutable once in a ComputeCluster.
struct HostSpec
{
    std::string id;
    int cores = 1;
    double mipsPerCore = 0.0;   ///< MIPS of one core
    double ramMb = 0.0;         ///< MB
    double bandwidthMbps = 0.0; ///< Mbit/s
    PowerModel power;
};

/// One single-core VM and its CPU-utilisation trace.
struct VmSpec
{
    std::string id;
    double mips = 0.0;              ///< requested MIPS (its one vCPU)
    double ramMb = 0.0;             ///< MB
    double bandwidthMbps = 0.0;     ///< Mbit/s
    std::vector<float> utilisation; ///< fraction 0..1 of `mips` per trace interval
    Seconds traceInterval = 300;    ///< s per utilisation sample
};

/// The four VM types of the experiment (MIPS, RAM MB), assigned in contiguous blocks.
struct VmType
{
    double mips;
    double ramMb;
};
inline constexpr std::array<VmType, 4> kPlanetLabVmTypes{
    {{2500.0, 870.0}, {2000.0, 1740.0}, {1000.0, 1740.0}, {500.0, 613.0}}};
inline constexpr double kPlanetLabVmBandwidthMbps = 100.0;

/// Reads one PlanetLab day folder: one VM per regular file (names starting with '.' are
/// skipped), files sorted by name (byte order), VM i of N gets type i / ceil(N / 4) of
/// kPlanetLabVmTypes and 100 Mbit/s; id = file name. Every line must be an integer percentage
/// 0..100 ("\r\n" endings accepted); anything else — a non-number, a blank line, 101, −1, an
/// empty file — is a ParseError whose `where` is "path:line". `maxVms` > 0 keeps the first
/// `maxVms` files (types are then assigned over that count, as CloudSim would).
twin::Result<std::vector<VmSpec>> loadPlanetLabDay(const std::filesystem::path& folder,
                                                   std::size_t maxVms = 0);

/// The experiment's fleet: host i is an HP ProLiant ML110 G4 (2 × 1860 MIPS) when i is even, a
/// G5 (2 × 2660 MIPS) when odd; 4096 MB and 1000 Mbit/s each; ids "host-<i>".
std::vector<HostSpec> planetLabHosts(std::size_t count);

enum class HostState : std::uint8_t { Off, Booting, On };

/// How energy, host activity, host SLA violation and shutdowns are accounted; see the file
/// comment. The CPU, migration and VM-level mechanics are identical in both.
enum class Accounting : std::uint8_t {
    Physical, ///< explicit states: On draws P(u) incl. P(0); active = On; violation = overload
    CloudSim, ///< CloudSim 3.0: 0 % utilisation = off (0 W, inactive); violation = alloc < req
    /// The paper's non-power-aware baseline (PowerDatacenterNonPowerAware): every host draws
    /// its full-load power all the time, whatever its load or state; otherwise as Physical.
    NonPowerAware,
};

/// Which MIPS a VM's single vCPU must find on one core of its host.
enum class CoreFit : std::uint8_t {
    NominalMips,   ///< the VM's nominal MIPS (a 2500-MIPS VM never fits an 1860-MIPS core)
    CurrentDemand, ///< its current demand, as CloudSim 3.0 checks for migrations
};

enum class MemoryRule : std::uint8_t { Always, PlacementOnly };

struct ComputeConfig
{
    Seconds start = 0;    ///< the run start: trace sample 0 and the initial time()
    Seconds bootTime = 0; ///< s from setHostPower(on) to On (CloudSim: 0)
    HostState initialState = HostState::On; ///< On or Off
    Accounting accounting = Accounting::Physical;
    CoreFit coreFit = CoreFit::NominalMips;
    /// Share of the destination host's bandwidth a migration uses (CloudSim: 0.5).
    double migrationBandwidthShare = 0.5;
    /// s between utilisation-history samples (CloudSim's scheduling interval). A sample is
    /// taken at the end of every step that reaches or crosses a multiple of it since start, so
    /// the history means the same whatever the step length.
    Seconds historyInterval = 300;
    /// Whether a live migration needs (and reserves) the VM's RAM and bandwidth on the
    /// destination. Always: the default, a VM fits only where its memory is free. PlacementOnly:
    /// CloudSim 3.0's books — a running VM's *requested* RAM and bandwidth are 0 (the
    /// PlanetLab runner's UtilizationModelNull; Vm.getCurrentRequestedRam), so only the first
    /// placement checks and holds them, a migration neither checks nor reserves them, and a
    /// migrated VM holds none on its new host (its old host frees what it held).
    MemoryRule memoryRule = MemoryRule::Always;
};

/// Consolidation metrics since the cluster was made. Fractions are 0..1.
struct ComputeMetrics
{
    double energyKwh = 0.0;
    double slatah = 0.0; ///< SLA violation time per active host: Σ T_s / Σ T_a (Helper.java)
    double pdm = 0.0;    ///< performance degradation due to migration: Σ C_d / Σ C_r
    double slav = 0.0;   ///< slatah × pdm
    double esv = 0.0;    ///< energyKwh × slav
    std::int64_t migrations = 0; ///< started
    std::int64_t migrationsCompleted = 0;
    double overallSlaViolation = 0.0; ///< (Σ requested − Σ allocated) / Σ requested, MIPS·s
    double averageSlaViolation = 0.0; ///< mean shortfall/request over VM frames with a shortfall
    std::int64_t hostShutdowns = 0;
    double slatahHostMean = 0.0;    ///< the paper's (1/N) Σ_i T_si / T_ai over hosts ever active
    double pdmVmMean = 0.0;         ///< the paper's (1/M) Σ_j C_dj / C_rj over VMs that ran
    double activeHostSeconds = 0.0; ///< Σ T_a, s
    double violationHostSeconds = 0.0;            ///< Σ T_s, s
    double requestedMipsSeconds = 0.0;            ///< Σ C_r, MIPS·s (= million instructions)
    double allocatedMipsSeconds = 0.0;            ///< Σ allocated, MIPS·s
    double migrationDegradationMipsSeconds = 0.0; ///< Σ C_d, MIPS·s
    double simulatedSeconds = 0.0;

    bool operator==(const ComputeMetrics&) const = default;
};

/// A read-only view of one fixed-size ring of utilisation samples (fractions), newest first.
/// Valid until the next step().
class HistoryView
{
public:
    HistoryView(const double* ring, std::size_t next, std::size_t count)
        : m_ring(ring), m_next(next), m_count(count)
    {
    }
    [[nodiscard]] std::size_t size() const { return m_count; }
    [[nodiscard]] bool empty() const { return m_count == 0; }
    /// Sample `age` steps old (0 = newest). Precondition: age < size().
    [[nodiscard]] double operator[](std::size_t age) const
    {
        return m_ring[(m_next + kHistoryLength - 1 - age) % kHistoryLength];
    }

private:
    const double* m_ring;
    std::size_t m_next;
    std::size_t m_count;
};

/// A host utilisation history as CloudSim computes it, newest first, zero tail trimmed.
struct UtilisationHistory
{
    std::array<double, kHistoryLength> values{};
    std::size_t size = 0;
};

/// Hosts and VMs of one data centre: immutable specs plus the mutable state, held as
/// struct-of-arrays indexed by HostIndex / VmIndex (the order of the spec vectors).
/// Copyable (a copy is an independent snapshot). Not thread-safe; const access from several
/// threads at once is fine.
class ComputeCluster
{
public:
    /// Validates the specs (positive cores, MIPS, RAM, bandwidth; valid power tables; unique,
    /// non-empty ids; traces non-empty with values in [0, 1]; positive trace intervals) and the
    /// config. Every VM starts unplaced, every host in config.initialState.
    static twin::Result<ComputeCluster> make(std::vector<HostSpec> hosts, std::vector<VmSpec> vms,
                                             ComputeConfig config = {});

    [[nodiscard]] std::size_t hostCount() const { return m_hostSpecs.size(); }
    [[nodiscard]] std::size_t vmCount() const { return m_vmSpecs.size(); }
    [[nodiscard]] const HostSpec& hostSpec(HostIndex host) const { return m_hostSpecs[host]; }
    [[nodiscard]] const VmSpec& vmSpec(VmIndex vm) const { return m_vmSpecs[vm]; }
    [[nodiscard]] const ComputeConfig& config() const { return m_config; }
    /// The time commands apply at: config.start, then the end of the last step.
    [[nodiscard]] Seconds time() const { return m_clock; }

    // --- commands ----------------------------------------------------------------------------

    /// Starts an unplaced VM on an On host. It must fit with its full MIPS: one core ≥ the VM's
    /// MIPS, and MIPS, RAM and bandwidth free (availableMips() etc.).
    twin::Status place(VmIndex vm, HostIndex host);
    /// Starts a live migration at `now` (must equal time()) to another On host; the VM must be
    /// placed and not migrating, and fit the destination with its current demand (core rule per
    /// config.coreFit). It completes after migrationSeconds(vm, destination) within a later
    /// step(). Counts one migration.
    twin::Status migrate(VmIndex vm, HostIndex destination, Seconds now);
    /// Switches a host on (Off → Booting → On after config.bootTime, or On at once when that is
    /// 0) or off. Refuses to switch off a host that holds VMs or is receiving a migration.
    /// Switching an On/Booting host on, or an Off host off, changes nothing.
    twin::Status setHostPower(HostIndex host, bool on);
    /// Advances from `now` (must equal time()) by `dt` > 0 s; see the file comment.
    twin::Status step(Seconds now, Seconds dt);

    // --- what a policy may ask ---------------------------------------------------------------

    /// Why `vm` could (not) be placed on `host` now (the checks of place()).
    [[nodiscard]] twin::Status canPlace(VmIndex vm, HostIndex host) const;
    /// Why `vm` could (not) start migrating to `host` now (the checks of migrate()).
    [[nodiscard]] twin::Status canMigrate(VmIndex vm, HostIndex host) const;
    /// canPlace(vm, host).ok() without building a message: for a policy's inner loop.
    [[nodiscard]] bool fitsForPlacement(VmIndex vm, HostIndex host) const;
    /// canMigrate(vm, host).ok() without building a message: for a policy's inner loop.
    [[nodiscard]] bool fitsForMigration(VmIndex vm, HostIndex host) const;
    /// Seconds a migration of `vm` to `destination` takes: RAM / (share × bandwidth / 8).
    [[nodiscard]] double migrationSeconds(VmIndex vm, HostIndex destination) const;

    [[nodiscard]] HostState hostState(HostIndex host) const { return m_hosts.state[host]; }
    /// Cores × MIPS per core.
    [[nodiscard]] double hostTotalMips(HostIndex host) const { return m_hosts.totalMips[host]; }
    /// MIPS the host's cores run now: allocations of resident VMs (a VM migrating out counted
    /// at 100 %) + the 10 % overhead of VMs migrating in. hostUtilisation() = this / total.
    [[nodiscard]] double hostAllocatedMips(HostIndex host) const { return m_hosts.allocated[host]; }
    /// Σ current demand of resident and incoming VMs (CloudSim's host "requested MIPS").
    [[nodiscard]] double hostRequestedMips(HostIndex host) const { return m_hosts.requested[host]; }
    /// MIPS still free for admission: total − Σ (demand capped at a core) of resident and
    /// incoming VMs (a VM placed since the last step counts with its full MIPS); ≥ 0.
    [[nodiscard]] double hostAvailableMips(HostIndex host) const;
    /// CPU utilisation 0..1 (CloudSim snaps 1..1.01 to 1).
    [[nodiscard]] double hostUtilisation(HostIndex host) const { return m_hosts.utilisation[host]; }
    /// True while the VMs' requests exceed the cores: every VM gets a scaled-down share.
    [[nodiscard]] bool hostOverloaded(HostIndex host) const
    {
        return m_hosts.overloaded[host] != 0;
    }
    [[nodiscard]] double hostRamUsedMb(HostIndex host) const { return m_hosts.ramUsed[host]; }
    [[nodiscard]] double hostRamAvailableMb(HostIndex host) const;
    [[nodiscard]] double hostBandwidthUsedMbps(HostIndex host) const
    {
        return m_hosts.bwUsed[host];
    }
    [[nodiscard]] double hostBandwidthAvailableMbps(HostIndex host) const;
    /// Electric power now, W, as the accounting books it (Off: 0; CloudSim accounting: 0 at
    /// 0 % utilisation). This is the heat the host gives to the room that holds its rack.
    [[nodiscard]] double hostPowerW(HostIndex host) const;
    /// Σ hostPowerW() over all hosts: the internal gain of the server room, W.
    [[nodiscard]] double totalPowerW() const;
    /// Energy the host has drawn since the cluster was made, J.
    [[nodiscard]] double hostEnergyJ(HostIndex host) const { return m_hosts.energyJ[host]; }
    /// VMs running on the host, including VMs migrating away from it, in placement order.
    /// Valid until the next command or step.
    [[nodiscard]] std::span<const std::uint32_t> hostVms(HostIndex host) const
    {
        return m_hosts.resident[host];
    }
    /// VMs migrating onto the host (not yet in hostVms()).
    [[nodiscard]] std::span<const std::uint32_t> hostIncomingVms(HostIndex host) const
    {
        return m_hosts.incoming[host];
    }
    /// The host's own measured utilisation at each history sample, newest first.
    [[nodiscard]] HistoryView hostUtilisationHistory(HostIndex host) const;
    /// CloudSim's PowerHostUtilizationHistory.getUtilizationHistory(): Σ over the VMs on the
    /// host now (incoming ones too) of their history × VM MIPS / host MIPS, zero tail trimmed.
    /// This is what CloudSim's IQR/MAD/LR/LRR policies read.
    [[nodiscard]] UtilisationHistory hostHistoryFromVms(HostIndex host) const;

    /// Host the VM runs on (the source while it migrates), or kNoHost.
    [[nodiscard]] HostIndex vmHost(VmIndex vm) const;
    [[nodiscard]] bool vmMigrating(VmIndex vm) const { return m_vms.target[vm] != kNone; }
    /// Destination of a migration in progress, or kNoHost.
    [[nodiscard]] HostIndex vmMigrationTarget(VmIndex vm) const;
    /// Seconds since config.start at which the migration in progress completes (NaN if none).
    [[nodiscard]] double vmMigrationEnd(VmIndex vm) const;
    /// Requested MIPS now: trace × MIPS (full MIPS for a VM placed since the last step).
    [[nodiscard]] double vmDemandMips(VmIndex vm) const { return m_vms.demand[vm]; }
    /// MIPS allocated to the VM on its host now (90 % of its share while migrating).
    [[nodiscard]] double vmAllocatedMips(VmIndex vm) const { return m_vms.allocated[vm]; }
    /// MIPS the destination spends on the VM's migration now (0 when not migrating).
    [[nodiscard]] double vmIncomingAllocatedMips(VmIndex vm) const
    {
        return m_vms.incomingAllocated[vm];
    }
    /// Requested utilisation (trace value) at each history sample while placed, newest first.
    [[nodiscard]] HistoryView vmUtilisationHistory(VmIndex vm) const;

    [[nodiscard]] ComputeMetrics metrics() const;
    /// FNV-1a over the whole mutable state: equal hashes ⇔ (practically) identical runs.
    [[nodiscard]] std::uint64_t stateHash() const;

private:
    static constexpr std::uint32_t kNone = 0xFFFFFFFFU;

    struct Hosts
    {
        // immutable
        std::vector<double> totalMips, coreMips, ramMb, bwMbps;
        std::vector<PowerModel> power;
        // state
        std::vector<HostState> state;
        std::vector<double> bootDone; ///< s since start, while Booting
        std::vector<double> ramUsed, bwUsed, committed, allocated, requested, utilisation,
            modelPower;
        std::vector<std::uint8_t> overloaded;
        std::vector<std::vector<std::uint32_t>> resident, incoming;
        // the frame that started at the last evaluation time
        std::vector<double> entryPower;
        std::vector<std::uint8_t> entryDraws, entryActive, entryViolating, lastFinalActive;
        // accumulators
        std::vector<double> energyJ, activeSeconds, violationSeconds;
        // history ring
        std::vector<double> history;
        std::vector<std::uint8_t> historyNext, historyCount;
    };
    struct Vms
    {
        // immutable
        std::vector<double> mips, ramMb, bwMbps, interval;
        std::vector<std::size_t> traceOffset, traceLength;
        std::vector<float> trace; ///< every VM's trace, back to back
        // state
        std::vector<std::uint32_t> host, target;
        std::vector<double> migrationEnd, demand, allocated, incomingAllocated;
        std::vector<double> ramHeld, bwHeld; // what the VM holds on its host (MemoryRule)
        // the frame that started at the last evaluation time
        std::vector<double> entryRequested, entryAllocated;
        std::vector<std::uint8_t> entryPlaced, entryMigrating;
        // accumulators (MIPS·s)
        std::vector<double> requestedMs, allocatedMs, degradationMs;
        // history ring
        std::vector<double> history;
        std::vector<std::uint8_t> historyNext, historyCount;
    };

    enum class Fit : std::uint8_t { Yes, NoSuchHost, HostNotOn, Core, Mips, Ram, Bandwidth };

    ComputeCluster() = default;

    [[nodiscard]] Fit fit(VmIndex vm, HostIndex host, double requestMips, double coreRequestMips,
                          bool migration = false) const;
    [[nodiscard]] twin::Status explain(Fit result, VmIndex vm, HostIndex host, double requestMips,
                                       double coreRequestMips) const;
    [[nodiscard]] twin::Status checkVm(VmIndex vm) const;
    [[nodiscard]] double traceAt(VmIndex vm, double offset) const;
    [[nodiscard]] bool drawsPower(HostIndex host) const;
    void updateDemands(double offset);
    void evaluateHost(HostIndex host);
    void evaluateAll();
    void closeFrames(double offset);
    void setEntries(double offset);
    void completeMigration(VmIndex vm);
    void appendHistories(double offset);

    std::vector<HostSpec> m_hostSpecs;
    std::vector<VmSpec> m_vmSpecs;
    ComputeConfig m_config;
    Hosts m_hosts;
    Vms m_vms;
    Seconds m_clock = 0;
    double m_entryTime = 0.0; ///< s since start of the current entries
    bool m_hasEntries = false;
    double m_energyJ = 0.0;
    double m_simulatedSeconds = 0.0;
    double m_shortfallRatioSum = 0.0;
    std::int64_t m_shortfallFrames = 0;
    std::int64_t m_migrationsStarted = 0;
    std::int64_t m_migrationsCompleted = 0;
    std::int64_t m_switchOffs = 0;          ///< Physical: On → Off commands
    std::int64_t m_inactiveTransitions = 0; ///< CloudSim: active → inactive, finalised entries
};

/// The baselines' initial placement: every unplaced VM, in index order, on the first host (in
/// index order) that canPlace() it. Fails naming the first VM that fits nowhere (VMs before it
/// stay placed). Returns the number of VMs placed.
twin::Result<std::size_t> placeFirstFit(ComputeCluster& cluster);

} // namespace twindesk::sim
