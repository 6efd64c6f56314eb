#pragma once
/// \file kpi.h
/// Key performance indicators of a run, each with its formula (docs/kpis.md has the list).
///
/// Computed from the engine's accumulated totals (sim::SimTotals and its per-zone
/// sim::ZoneTotals), the compute cluster's consolidation metrics and the control loop's
/// statistics — never from wall-clock time, except the decision latencies, which are measured.
/// A scope limits the building KPIs to the zones of some uses (e.g. the conference rooms).

#include <twindesk/policies/control_loop.h>
#include <twindesk/sim/compute.h>
#include <twindesk/sim/engine.h>

#include <optional>
#include <string>
#include <vector>

namespace twindesk::policies {

struct KpiScope
{
    /// Zone uses counted (names as in the scenario/twin: "conference", "office", ...); empty:
    /// the whole site, including central plant, IT and everything metered.
    std::vector<std::string> uses;
};

struct EnergyKpis
{
    double electricityKwh = 0.0; ///< delivered electricity
    double gasKwh = 0.0;         ///< delivered fuel (boiler input)
    double districtHeatKwh = 0.0;
    double totalKwh = 0.0; ///< sum of the carriers (no primary-energy factors)
    double areaM2 = 0.0;   ///< conditioned floor area in scope
    double totalKwhPerM2 = 0.0;
    double heatingKwh = 0.0;  ///< thermal energy delivered by heating
    double coolingKwh = 0.0;  ///< thermal energy removed by cooling
    double lightingKwh = 0.0; ///< electricity
    double plugKwh = 0.0;     ///< electricity
    double itKwh = 0.0;       ///< electricity of the compute hosts (in the zones in scope)
};

struct ComfortKpis
{
    int zones = 0;             ///< zones whose comfort is tracked, in scope
    double discomfortKh = 0.0; ///< Σ zones ∫ in use: max(0, 20 − θ) + max(0, θ − 26) dt, K·h
    double discomfortKhPerZone = 0.0; ///< mean over tracked zones (BOPTEST's tdis_tot)
    double co2PpmH = 0.0;             ///< Σ zones ∫ max(0, CO2 − 1000 ppm) dt, ppm·h
    double occupiedHours = 0.0;       ///< Σ zones time in use, h
    std::int64_t meetingsStarted = 0;
    std::int64_t meetingsStartedOutside = 0; ///< air outside 20–26 °C when it began
    double meetingMinutesOutside = 0.0;      ///< Σ minutes from such starts to the band
};

struct LoopKpis
{
    std::int64_t decisions = 0;
    std::int64_t actionsProposed = 0;
    std::int64_t actionsApplied = 0;
    std::int64_t actionsModified = 0;
    std::int64_t guardRejections = 0;
    std::int64_t oscillations = 0; ///< guard rejections by the oscillation rule
    std::int64_t fallbacks = 0;
    std::int64_t policyErrors = 0;
    double decideP50Us = 0.0;
    double decideP99Us = 0.0;
    double decisionP50Us = 0.0; ///< observe → log of one decision round
    double decisionP99Us = 0.0;
};

/// Meeting-aware compute (issue #10, docs/runtimes.md), from the runtime fleet's metrics.
struct RuntimeKpis
{
    std::int64_t meetings = 0;         ///< flagged meetings that started in the run
    std::int64_t meetingsNotReady = 0; ///< a needed service not Running at the start
    double minutesOverObjective = 0.0; ///< Σ minutes a needed service was down or too slow
    double serviceCost = 0.0;   ///< service instances + their energy + warm pools
    double costPerMeeting = 0.0; ///< serviceCost ÷ meetings (0 without meetings)
    double idleInstanceHours = 0.0; ///< service instances up outside their meetings + idle pools
    double idleGpuHours = 0.0;
    double batchCoreHoursDeferred = 0.0; ///< the price of throttling
    double batchCost = 0.0;
    double hostEnergyKwh = 0.0; ///< runtime hosts, incl. GPUs
    std::int64_t starts = 0;
    std::int64_t warmStarts = 0;
};

struct KpiReport
{
    std::string scope; ///< "site" or the uses joined with '+'
    int zonesInScope = 0;
    double hours = 0.0; ///< simulated
    EnergyKpis energy;
    ComfortKpis comfort;
    std::optional<sim::ComputeMetrics> hosts;
    std::optional<RuntimeKpis> runtimes; ///< when the scenario simulates runtimes
    std::optional<LoopKpis> loop;
};

/// Which way a KPI improves: energy, discomfort, SLA violations and fallbacks are better
/// lower; counts such as decisions or meetings have no direction.
enum class KpiDirection : std::uint8_t { None, LowerIsBetter, HigherIsBetter };

/// One KPI of two runs side by side (`twindesk compare`, the console's what-if view).
struct KpiComparison
{
    std::string key;   ///< snake_case, as in compare's JSON ("total_kwh", "discomfort_kh", ...)
    std::string label; ///< "energy, all carriers"
    std::string unit;  ///< "kWh", "K·h", "" for counts
    KpiDirection direction = KpiDirection::None;
    double baseline = 0.0;
    double candidate = 0.0;
    [[nodiscard]] double change() const { return candidate - baseline; }
    /// change ÷ |baseline| × 100; nullopt when the baseline is 0 (and the candidate is not).
    [[nodiscard]] std::optional<double> changePercent() const;
    /// +1 better, −1 worse, 0 equal (within 1e-9 relative) or no direction.
    [[nodiscard]] int verdict() const;
};

/// The KPIs of two reports in a fixed order: the energy and comfort figures always; the
/// hosts' (compute energy, SLATAH, PDM, SLAV, migrations), the runtimes' (meetings not ready,
/// minutes over the latency objective, cost per meeting, idle instance-hours, decisions per
/// meeting = actions applied ÷ meetings, ...) and the loop's (actions applied, guard
/// rejections, fallbacks, policy errors) when either report has them — a side without them
/// counts 0.
std::vector<KpiComparison> compareKpis(const KpiReport& baseline, const KpiReport& candidate);

/// The building and host KPIs of a run so far, from its configuration and state.
KpiReport computeKpis(const sim::SimConfig& config, const sim::SimState& state,
                      const KpiScope& scope = {});
inline KpiReport computeKpis(const sim::Engine& engine, const KpiScope& scope = {})
{
    return computeKpis(engine.config(), engine.state(), scope);
}
/// The control loop's KPIs.
LoopKpis loopKpis(const LoopStats& stats);
/// The report as a JSON object (keys in snake_case with units in the names).
std::string kpiJson(const KpiReport& report);
/// What a shadow policy did beside the active one (LoopStats::Shadow) as a JSON object:
/// rounds, agreeing_rounds, proposed, active_proposed, matched, agreement (matched ÷ the
/// larger of the two proposal counts; 1 when both are 0), errors. One shape for simulate and
/// live.
std::string shadowJson(const LoopStats::Shadow& shadow);

} // namespace twindesk::policies
