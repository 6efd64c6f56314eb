#pragma once
/// \file consolidation.h
/// Dynamic VM consolidation heuristics of Beloglazov & Buyya, CCPE 24(13), 2012, with the
/// semantics of CloudSim 3.0's power package (PowerVmAllocationPolicyMigration*,
/// PowerVmSelectionPolicy*, MathUtil), planned over a sim::ComputeCluster.
///
/// One round (planConsolidation), as PowerVmAllocationPolicyMigrationAbstract.optimizeAllocation:
/// 1. Overload detection on every host (index order): THR, IQR, MAD, LR or LRR (see
///    OverloadDetector for the formulas). The detectors read the host's utilisation history as
///    CloudSim derives it from the VMs the host holds (hostHistoryFromVms) and its requested
///    utilisation (Σ VM demand / host MIPS).
/// 2. VM selection on each overloaded host: MMT, MC, RS or MU picks one VM not in migration;
///    it is taken off the host and the detector runs again, until the host is no longer
///    overloaded (or has nothing left to select).
/// 3. PABFD placement of the selected VMs, sorted by decreasing current demand (stable): each
///    goes to the host, overloaded hosts excluded, with the least power increase
///    P(u_after) − P(u_now) that is not overloaded after the placement (a host with no
///    allocated MIPS skips that check, as CloudSim). A selected VM that fits nowhere stays.
/// 4. Under-utilised hosts: repeatedly the active host (0 < utilisation) with the least
///    utilisation, not overloaded, not switched off, not yet tried, not a destination of this
///    round and not "all VMs migrating out or any migrating in", has all its VMs placed
///    (PABFD, excluding overloaded, switched-off and all tried hosts) — all or nothing.
///    Its destinations are then excluded from the under-utilised search.
/// 5. Idle hosts (On, no VMs, nothing incoming, no VM planned to them) are switched off
///    (IdleHosts::SwitchOff). A host evacuated in step 4 still holds its VMs until their
///    migrations complete, so it is listed in evacuatedHosts and switched off by the next round.
///
/// Deliberate differences from CloudSim 3.0 (see docs/consolidation.md):
/// - CloudSim's under-utilised step builds its "hosts receiving VMs" exclusion from an empty
///   list (a bug), so a destination of step 3 may be evacuated in step 4, migrating a VM that
///   has not arrived yet. Here destinations of steps 3 and 4 are excluded.
/// - Off hosts are PABFD candidates for step 3 when the cluster boots instantly
///   (config().bootTime == 0): the plan switches them on first (CloudSim's idle hosts are
///   simply candidates at 0 % utilisation).
/// - MC: a rank-deficient regression (|R_kk| ≤ 1e-10 × the column norm in the Householder QR)
///   counts as singular and falls back to MMT, as CloudSim does when commons-math throws.
///
/// Determinism: a pure function of (cluster state, config); RS draws from a std::mt19937_64
/// seeded with splitmix64(config.seed ⊕ cluster.time()) and the project's own uniform draw.
/// No clocks, threads or hash containers.

#include <twindesk/policies/drift.h>
#include <twindesk/sim/action.h>
#include <twindesk/sim/compute.h>
#include <twindesk/twin/result.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace twindesk::policies {

/// When is a host overloaded? u = Σ demand of its VMs / host MIPS (requested, uncapped);
/// h = its utilisation history, newest first (hostHistoryFromVms), n = h's length.
enum class OverloadDetector : std::uint8_t {
    Thr, ///< u > parameter (static threshold, e.g. 0.8)
    Iqr, ///< u > 1 − parameter × IQR(h); THR(fallback) when n < 12
    Mad, ///< u > 1 − parameter × MAD(h); THR(fallback) when n < 12
    Lr,  ///< parameter × (a + b (10 + ⌈T_mig / interval⌉)) ≥ 1, fit on the last 10 samples
    Lrr, ///< as Lr with CloudSim's robust (bisquare) re-weighting
    /// parameter × predictor(h, ⌈T_mig / interval⌉) ≥ 1: a learned forecaster (e.g. the
    /// LibTorch model of policies/torch) in place of LR's line; THR(fallback) when n is below
    /// the predictor's minimum history or when it fails (counted, with its message)
    Ml,
};

/// A forecaster of a host's utilisation for OverloadDetector::Ml. Implementations must be
/// deterministic and may be called from the planner's thread only (one at a time).
class UtilisationPredictor
{
public:
    virtual ~UtilisationPredictor() = default;
    UtilisationPredictor() = default;
    UtilisationPredictor(const UtilisationPredictor&) = delete;
    UtilisationPredictor& operator=(const UtilisationPredictor&) = delete;
    UtilisationPredictor(UtilisationPredictor&&) = delete;
    UtilisationPredictor& operator=(UtilisationPredictor&&) = delete;

    /// The utilisation (fraction; may exceed 1) expected `horizon` ≥ 1 history intervals after
    /// the newest sample of `historyNewestFirst` (size ≥ minimumHistory()). An Error (e.g. the
    /// model produced NaN or a value outside its declared range) makes the detector fall back.
    [[nodiscard]] virtual twin::Result<double> predict(std::span<const double> historyNewestFirst,
                                                       int horizon) const = 0;
    /// Fewer samples than this: the detector falls back to THR(fallbackThreshold).
    [[nodiscard]] virtual std::size_t minimumHistory() const = 0;
    /// "id version hash", recorded in the policy's content hash.
    [[nodiscard]] virtual std::string identity() const = 0;
    /// The history of a host as it is, at each round's detection step (not the hypothetical
    /// states selection and placement ask about): what drift() compares with the training
    /// data, which was sampled the same way.
    virtual void observe(std::span<const double> historyNewestFirst) const
    {
        (void)historyNewestFirst;
    }
    /// Drift of the observed inputs against the model's training data (drift.h); empty when
    /// the model carries no reference.
    [[nodiscard]] virtual std::vector<InputDrift> drift() const { return {}; }
};

/// Which VM leaves an overloaded host first.
enum class VmSelection : std::uint8_t {
    Mmt, ///< minimum migration time: least RAM / migration bandwidth (first on ties)
    Mc,  ///< maximum correlation: largest R² of its history regressed on the others'
    Rs,  ///< random: uniform over the migratable VMs (seeded)
    Mu,  ///< minimum utilisation: least demand / VM MIPS (first on ties)
};

enum class IdleHosts : std::uint8_t {
    SwitchOff, ///< plan PowerHost 0 for hosts left idle
    KeepOn,    ///< leave them On (CloudSim accounting books 0 W for them anyway)
};

/// What planConsolidation does. The defaults are LR-MMT-1.2.
struct ConsolidationConfig
{
    OverloadDetector detector = OverloadDetector::Lr;
    /// THR: the utilisation threshold (0..1); IQR, MAD, LR, LRR: the safety parameter.
    double parameter = 1.2;
    VmSelection selection = VmSelection::Mmt;
    std::uint64_t seed = 0;             ///< RS only
    double fallbackThreshold = 0.7;     ///< THR used by IQR/MAD/LR/LRR with too short a history
    std::size_t minSpreadSamples = 12;  ///< IQR/MAD need at least this many samples
    std::size_t regressionSamples = 10; ///< LR/LRR fit this many newest samples
    IdleHosts idleHosts = IdleHosts::SwitchOff;
    /// OverloadDetector::Ml only: the forecaster (shared, immutable). Without one every Ml
    /// decision falls back to THR(fallbackThreshold) and counts as a predictor error.
    std::shared_ptr<const UtilisationPredictor> predictor;

    /// "THR-MMT-0.8", "IQR-MC-1.5", "LRR-RS-1.2", "ML-MMT-1.2" (case-insensitive; ML needs a
    /// predictor set afterwards). InvalidArgument otherwise.
    static twin::Result<ConsolidationConfig> parse(std::string_view name);
    /// The name parse() reads, e.g. "LR-MMT-1.2".
    [[nodiscard]] std::string name() const;
};

/// One command of a plan, by index, in the order it must be applied.
struct PlannedCommand
{
    enum class Kind : std::uint8_t { PowerOn, Migrate, PowerOff };
    Kind kind = Kind::Migrate;
    sim::HostIndex host = sim::kNoHost; ///< the destination of a migration
    sim::VmIndex vm = sim::kNoHost;     ///< Migrate only
};

/// The result of one round. actions[i] and commands[i] describe the same command: the typed
/// action (MigrateVm target = VM id, destination = host id; PowerHost target = host id, value
/// 1 or 0) and its indices. Every command is valid on the cluster in order, right away.
struct ConsolidationPlan
{
    std::vector<sim::Action> actions;
    std::vector<PlannedCommand> commands;
    std::vector<sim::HostIndex> overloadedHosts; ///< detected in step 1, index order
    std::vector<sim::HostIndex> evacuatedHosts;  ///< emptied in step 4 (off next round)
    std::size_t vmsSelected = 0;                 ///< taken off overloaded hosts in step 2
    std::size_t vmsNotPlaced = 0;                ///< of those, the ones no host could take
    std::size_t underloadedHostsTried = 0;       ///< step 4 candidates examined
    std::size_t migrations = 0;
    std::size_t hostsPoweredOn = 0;
    std::size_t hostsPoweredOff = 0;
    std::size_t fallbackDecisions = 0; ///< detector calls that fell back to THR
    std::size_t mcFallbacks = 0;       ///< MC selections that fell back to MMT
    std::size_t predictorErrors = 0;   ///< Ml decisions whose predictor failed (fell back)
    std::string firstPredictorError;   ///< the first such failure's message, e.g. "NaN …"
};

/// One consolidation round on the cluster as it is between two steps.
ConsolidationPlan planConsolidation(const sim::ComputeCluster& cluster,
                                    const ConsolidationConfig& config);

/// Applies a plan's commands in order (setHostPower, migrate at cluster.time()). Stops at the
/// first refusal and returns it; commands before it stay applied.
twin::Status applyConsolidationPlan(sim::ComputeCluster& cluster, const ConsolidationPlan& plan);

struct PabfdPlacement
{
    std::size_t placed = 0;
    /// VMs that no host could take without becoming overloaded, placed by least power
    /// increase alone. CloudSim fails such a VM's creation and runs the day without it (with
    /// the fallback THR 0.7 a G5 takes one 2000/2500-MIPS VM at full MIPS, and the PlanetLab
    /// days have more of those than the 400 G5s).
    std::size_t overloadIgnored = 0;
};

/// Initial PABFD placement of every unplaced VM (CloudSim's allocateHostForVm with the
/// migration policy): VMs by decreasing MIPS (stable, i.e. index order for PlanetLab's type
/// blocks), each asking its full MIPS, to the host with the least power increase that is not
/// overloaded after the placement (config's detector; with no history that is THR(fallback),
/// or THR(parameter) for Thr). Only On hosts take VMs. Fails naming the first VM that fits
/// nowhere even without the overload check (VMs before it stay placed).
twin::Result<PabfdPlacement> placePabfd(sim::ComputeCluster& cluster,
                                        const ConsolidationConfig& config);

// --- the statistics, as CloudSim's MathUtil computes them (exposed for tests) ----------------

/// Commons-math's default percentile (p in (0, 100]): pos = p (n + 1) / 100, linear between
/// the order statistics around pos, clamped to the extremes. NaN for no data.
double percentile(std::span<const double> data, double p);
/// percentile(data, 50).
double median(std::span<const double> data);
/// MathUtil.iqr: sorted s, q1 = round(0.25 (n + 1)) − 1, q3 = round(0.75 (n + 1)) − 1,
/// s[q3] − s[q1] (round = half up). Precondition: n ≥ 3 (the detectors ask ≥ 12).
double interQuartileRange(std::span<const double> data);
/// MathUtil.mad: median(|data − median(data)|); 0 for no data.
double medianAbsoluteDeviation(std::span<const double> data);

/// Intercept a and slope b of y ≈ a + b x.
struct LineFit
{
    double intercept = 0.0;
    double slope = 0.0;
};
/// MathUtil.getLoessParameterEstimates on y (oldest first) at x = 1..n. CloudSim's tricube
/// "weights" are all positive, so its weighting rule (weights apply only when ≥ 40 % are
/// ≤ 0) never fires and this is the ordinary least-squares line, computed as commons-math's
/// SimpleRegression does. Precondition: n ≥ 3.
LineFit loessEstimates(std::span<const double> y);
/// MathUtil.getRobustLoessParameterEstimates: residuals of loessEstimates, bisquare weights
/// with s = 6 × median |residual|, refit (same weighting rule), the first fit if NaN.
LineFit robustLoessEstimates(std::span<const double> y);

/// The detector's decision on one history (newest first) and requested utilisation.
struct OverloadDecision
{
    bool overloaded = false;
    bool fallback = false;      ///< the history was too short: THR(fallbackThreshold) decided
    double threshold = 0.0;     ///< THR/IQR/MAD: the threshold used; LR/LRR/ML: s × prediction
    std::string predictorError; ///< ML: why the predictor failed (then fallback is true)
};
/// `migrationIntervals` = ⌈longest migration of the host's VMs / history interval⌉ (LR/LRR/ML).
OverloadDecision detectOverload(const ConsolidationConfig& config,
                                std::span<const double> historyNewestFirst,
                                double requestedUtilisation, double migrationIntervals);

/// R² of each row regressed (OLS with intercept) on all the other rows: CloudSim's
/// PowerVmSelectionPolicyMaximumCorrelation.getCorrelationCoefficients. rows[i] has m values.
/// Empty result when CloudSim would throw (fewer than 2 rows, m < rows, singular design).
std::vector<double> multipleCorrelations(const std::vector<std::vector<double>>& rows);

} // namespace twindesk::policies
