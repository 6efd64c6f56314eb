#pragma once
/// \file drift.h
/// Input drift of a learned model (issue #6 §7): how far the inputs it sees now are from the
/// inputs it was trained on, per input.
///
/// The reference is stored with the model (its schema's training.input_reference): for each
/// input, the inner edges of up to 10 bins at the training data's deciles and the training
/// share in each bin. At run time every input value the model receives is counted into the
/// same bins. Per input:
/// - PSI (population stability index) = Σ_bins (a − e) · ln(a / e), a = the run's share,
///   e = the training share, both floored at 10⁻⁴ so empty bins stay finite. Rule of thumb
///   (and the alarm): < 0.1 no drift, 0.1–0.2 moderate, ≥ 0.2 significant → alarm.
/// - KS = max over bin edges |CDF_run − CDF_train| (the Kolmogorov–Smirnov distance on the
///   binned distributions).
/// Fewer than 100 samples: reported, never an alarm.

#include <twindesk/twin/result.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace twindesk::policies {

inline constexpr double kDriftPsiAlarm = 0.2;
inline constexpr std::int64_t kDriftMinSamples = 100;

struct InputReference
{
    std::string name;
    std::vector<double> edges;       ///< inner bin edges, ascending (bins = edges + 1)
    std::vector<double> proportions; ///< training share per bin, Σ = 1
};

/// Decile bins of `values` (duplicate edges merged) and their shares.
InputReference buildInputReference(std::string name, std::vector<double> values);

/// References as JSON ([{"name", "edges", "proportions"}, ...]) and back; errors name `where`.
std::string inputReferencesJson(const std::vector<InputReference>& refs);
twin::Result<std::vector<InputReference>> parseInputReferences(std::string_view json,
                                                               const std::string& where);

struct InputDrift
{
    std::string name;
    std::int64_t samples = 0;
    double psi = 0.0;
    double ks = 0.0;
    bool alarm = false; ///< psi ≥ kDriftPsiAlarm with at least kDriftMinSamples samples
};

/// The report as JSON: [{"input", "samples", "psi", "ks", "alarm"}, ...].
std::string inputDriftJson(const std::vector<InputDrift>& drift);

/// Counts values into the references' bins.
class DriftMonitor
{
public:
    DriftMonitor() = default;
    explicit DriftMonitor(std::vector<InputReference> refs);
    [[nodiscard]] bool empty() const { return m_refs.empty(); }
    [[nodiscard]] std::size_t inputs() const { return m_refs.size(); }
    /// Counts `value` for input `index` (ignored when out of range or not finite).
    void add(std::size_t index, double value);
    [[nodiscard]] std::vector<InputDrift> report() const;

private:
    std::vector<InputReference> m_refs;
    std::vector<std::vector<std::int64_t>> m_counts;
};

} // namespace twindesk::policies
