#pragma once
/// \file validation_report.h
/// The validation report (issue #6 §5): one self-contained HTML document — inline CSS and
/// SVG charts drawn here, no JavaScript, no external files, fonts or URLs — showing the gate's
/// verdict, its thresholds, the KPIs of baseline and candidate and their time series.
///
/// Rendering is deterministic: the same report gives byte-identical HTML (no clock, no locale;
/// numbers are formatted with std::to_chars). Every text from the report is escaped.

#include <twindesk/twin/result.h>

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace twindesk::app {

struct ReportSeries
{
    std::string label;                             ///< e.g. "baseline", "candidate"
    std::vector<std::pair<double, double>> points; ///< (time, Unix seconds UTC; value)
};

struct ReportPlot
{
    std::string title;                ///< "Zone air temperature, conference rooms (mean)"
    std::string unit;                 ///< "°C", "kW", "hosts", "actions/h"
    std::vector<ReportSeries> series; ///< usually baseline + candidate
    std::optional<std::pair<double, double>> band; ///< shaded comfort band (low, high)
    bool step = false;                             ///< draw as a step line (counts)
};

struct ReportThreshold
{
    std::string kpi;      ///< "energy_kwh"
    std::string rule;     ///< human text: "change ≤ −10 %"
    std::string baseline; ///< formatted values
    std::string candidate;
    std::string change; ///< "−12.3 %" or "+0.20"
    bool pass = false;
};

struct ReportKpi
{
    std::string label; ///< "Energy, all carriers"
    std::string unit;  ///< "kWh"
    double baseline = 0.0;
    double candidate = 0.0;
};

struct ValidationReport
{
    std::string title;        ///< "Validation: adaptive-conference vs fixed-schedule"
    std::string recording;    ///< file path
    std::string period;       ///< "2025-01-06T06:00Z – 2025-02-06T06:00Z"
    std::string scope;        ///< "conference" or "site"
    std::string baselineName; ///< policy id + version + short hash
    std::string candidateName;
    std::string gateFile;
    bool pass = false;
    std::vector<ReportThreshold> thresholds;
    std::vector<ReportKpi> kpis;
    std::vector<ReportPlot> plots;
    std::vector<std::string> notes; ///< free lines (e.g. how exogenous inputs were replayed)
    std::string generatedBy;        ///< "twindesk 0.1.0"
};

/// The whole report as one HTML document (UTF-8, inline CSS and SVG only).
///
/// Time-series plots are 900 px wide SVGs; a series with more than 2000 points is reduced to
/// the minimum and maximum of each pixel column (≤ 2 points per column), so a month of minute
/// data stays small. Non-finite points are skipped and break the line; a plot without data
/// draws its frame with "no data".
std::string renderValidationReport(const ValidationReport& report);

/// renderValidationReport written atomically (temp file + rename); IoError naming the path.
twin::Status writeValidationReport(const ValidationReport& report,
                                   const std::filesystem::path& file);

} // namespace twindesk::app
