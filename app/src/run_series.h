#pragma once
/// \file run_series.h
/// A few aggregate time series of a run — mean zone air temperature, outdoor air, site
/// electric power, HVAC heating and cooling, cumulative energy and discomfort, the compute
/// hosts' CPU, power and count switched on, the loop's actions — sampled as it steps, at most
/// `maxPoints` points each: what `twindesk validate` plots and the console's what-if view
/// overlays. Sampling reads the engine's state only (no telemetry frame), every k-th step with
/// k = ⌈steps ÷ maxPoints⌉, so two runs on the same time grid have the same x values. Qt-free.

#include <twindesk/policies/kpi.h>
#include <twindesk/policies/scenario_run.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace twindesk::app {

struct RunSeriesOptions
{
    std::size_t maxPoints = 2000; ///< per series (≥ 1)
    /// Zones whose mean air temperature is taken (comfort-tracked, conditioned ones in scope).
    policies::KpiScope scope;
};

struct RunSeries
{
    std::string key;   ///< "zone_air_c", "electric_kw", ...
    std::string label; ///< "Mean zone air temperature"
    std::string unit;  ///< "°C", "kW", "kWh", "K·h", "%", "hosts", "actions/h"
    std::vector<std::pair<double, double>> points; ///< (time, Unix seconds UTC; value)
};

class RunSampler
{
public:
    /// The series that apply to this configuration (no temperatures without zones, no host
    /// series without compute hosts, no actions without a policy), each empty.
    RunSampler(const policies::ScenarioRun& run, RunSeriesOptions options = {});

    /// After each step of the run: appends a point to every series when the step is sampled.
    void observe(const policies::ScenarioRun& run);

    [[nodiscard]] const std::vector<RunSeries>& series() const { return m_series; }
    /// The series with this key, or null.
    [[nodiscard]] const RunSeries* find(std::string_view key) const;
    /// Steps between samples.
    [[nodiscard]] std::int64_t every() const { return m_every; }

    /// Every series key a sampler can have, in display order.
    static const std::vector<std::string>& allKeys();

private:
    std::vector<RunSeries> m_series;
    std::vector<std::size_t> m_zones; ///< zones of the mean air temperature
    std::int64_t m_every = 1;
    std::int64_t m_lastApplied = 0;
    double m_lastTime = 0.0;
    // Indices into m_series (or npos).
    std::size_t m_zoneAir, m_outdoor, m_electric, m_heating, m_cooling, m_energy, m_discomfort,
        m_cpu, m_itPower, m_hostsOn, m_actions;
};

} // namespace twindesk::app
