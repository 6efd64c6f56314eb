#pragma once
/// \file validation.h
/// The validation gate (issue #6 §5): KPI thresholds a candidate policy must meet against a
/// baseline before it is deployed. The gate file is YAML or JSON (docs/replay.md):
///
///     scope: [conference]          # optional: room uses the building KPIs cover
///     thresholds:
///       - kpi: energy_kwh
///         max_change_pct: -10      # candidate at least 10 % below the baseline
///       - kpi: discomfort_kh_per_zone_day
///         max_increase: 0.5
///       - kpi: fallbacks
///         max: 0
///
/// Rules: `max` / `min` (the candidate's value), `max_change_pct` / `min_change_pct`
/// ((candidate − baseline) ÷ |baseline| × 100), `max_increase` (candidate − baseline). One rule
/// per entry. Errors name the file, line and column, and list the known KPIs or rules.

#include <twindesk/policies/control_loop.h>
#include <twindesk/policies/drift.h>
#include <twindesk/policies/kpi.h>
#include <twindesk/sim/compute.h>
#include <twindesk/twin/result.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace twindesk::policies {

enum class GateRule : std::uint8_t { Max, Min, MaxChangePct, MinChangePct, MaxIncrease };

struct GateThreshold
{
    std::string kpi;
    GateRule rule = GateRule::Max;
    double value = 0.0;
    std::string where; ///< file:line:col of the entry
};

struct Gate
{
    std::vector<std::string> scope; ///< room uses; empty: the whole site
    std::vector<GateThreshold> thresholds;

    static twin::Result<Gate> load(const std::filesystem::path& file);
    /// `name` is what error locations start with (the file name).
    static twin::Result<Gate> parse(std::string_view text, const std::string& name);
};

/// The KPIs a gate may name, with their meaning (for errors and docs).
const std::vector<std::pair<std::string, std::string>>& gateKpis();

/// The gate KPIs of one run: building KPIs within the scope, compute metrics (when the run
/// has hosts), loop statistics (when it has a policy).
std::map<std::string, double> gateKpiValues(const KpiReport& scoped,
                                            const std::optional<sim::ComputeMetrics>& compute,
                                            const LoopStats* loop);

/// The input drift of a run's policy when it uses a learned model (empty otherwise).
std::vector<InputDrift> policyDrift(const Policy* policy);

struct GateResult
{
    GateThreshold threshold;
    double baseline = 0.0;
    double candidate = 0.0;
    std::optional<double> change; ///< percent or absolute, as the rule uses; none when n/a
    bool pass = false;
    std::string rule;   ///< "change ≤ −10 %"
    std::string reason; ///< why it failed, or what was missing
};

/// Evaluates every threshold; a KPI missing from either side fails with the reason.
std::vector<GateResult> evaluateGate(const Gate& gate,
                                     const std::map<std::string, double>& baseline,
                                     const std::map<std::string, double>& candidate);

} // namespace twindesk::policies
