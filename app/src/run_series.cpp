#include "run_series.h"

#include <twindesk/sim/compute.h>

#include <algorithm>
#include <limits>

namespace twindesk::app {

namespace {

constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

struct Definition
{
    const char* key;
    const char* label;
    const char* unit;
};

constexpr Definition kDefinitions[] = {
    {"zone_air_c", "Mean zone air temperature", "°C"},
    {"outdoor_air_c", "Outdoor air temperature", "°C"},
    {"electric_kw", "Site electric power", "kW"},
    {"heating_kw", "HVAC heating to the zones (thermal)", "kW"},
    {"cooling_kw", "HVAC cooling of the zones (thermal)", "kW"},
    {"energy_kwh", "Cumulative energy, all carriers", "kWh"},
    {"discomfort_kh", "Cumulative discomfort", "K·h"},
    {"host_cpu_pct", "Mean CPU of the hosts switched on", "%"},
    {"it_kw", "Compute hosts' power", "kW"},
    {"hosts_on", "Compute hosts switched on", "hosts"},
    {"actions_per_h", "Actions applied", "actions/h"},
};

} // namespace

const std::vector<std::string>& RunSampler::allKeys()
{
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> k;
        for (const auto& d : kDefinitions)
            k.emplace_back(d.key);
        return k;
    }();
    return keys;
}

RunSampler::RunSampler(const policies::ScenarioRun& run, RunSeriesOptions options)
{
    const auto& engine = run.engine();
    const auto& c = engine.config();
    for (std::size_t z = 0; z < c.zones.size(); ++z) {
        const auto& uses = options.scope.uses;
        const bool inScope =
            uses.empty() || std::find(uses.begin(), uses.end(), c.zones[z].use) != uses.end();
        if (inScope && c.zones[z].comfortTracked && c.zones[z].conditioned)
            m_zones.push_back(z);
    }
    const auto steps = c.grid.stepCount();
    const auto maxPoints = static_cast<std::int64_t>(std::max<std::size_t>(1, options.maxPoints));
    m_every = std::max<std::int64_t>(1, (steps + maxPoints - 1) / maxPoints);
    m_lastTime = static_cast<double>(engine.state().time);
    if (const auto* loop = run.loop())
        m_lastApplied = loop->stats().applied;

    const bool zones = !c.zones.empty();
    const bool hosts = engine.state().compute != nullptr;
    auto add = [&](std::size_t definition, bool applies) {
        if (!applies)
            return kNone;
        const auto& d = kDefinitions[definition];
        m_series.push_back({d.key, d.label, d.unit, {}});
        m_series.back().points.reserve(static_cast<std::size_t>(steps / m_every));
        return m_series.size() - 1;
    };
    m_zoneAir = add(0, !m_zones.empty());
    m_outdoor = add(1, zones && c.weather != nullptr);
    m_electric = add(2, true);
    m_heating = add(3, zones);
    m_cooling = add(4, zones);
    m_energy = add(5, true);
    m_discomfort = add(6, zones);
    m_cpu = add(7, hosts);
    m_itPower = add(8, hosts);
    m_hostsOn = add(9, hosts);
    m_actions = add(10, run.loop() != nullptr);
}

const RunSeries* RunSampler::find(std::string_view key) const
{
    for (const auto& s : m_series)
        if (s.key == key)
            return &s;
    return nullptr;
}

void RunSampler::observe(const policies::ScenarioRun& run)
{
    const auto& s = run.engine().state();
    if (s.step % m_every != 0)
        return;
    const auto t = static_cast<double>(s.time);
    auto put = [&](std::size_t series, double value) {
        if (series != kNone)
            m_series[series].points.emplace_back(t, value);
    };
    if (m_zoneAir != kNone) {
        double sum = 0.0;
        for (auto z : m_zones)
            sum += s.thetaAir[z];
        put(m_zoneAir, sum / static_cast<double>(m_zones.size()));
    }
    put(m_outdoor, s.outdoorC);
    put(m_electric, s.electricW / 1000.0);
    if (m_heating != kNone) {
        double heating = 0.0;
        double cooling = 0.0;
        for (double w : s.hvacW) {
            heating += std::max(0.0, w);
            cooling += std::max(0.0, -w);
        }
        put(m_heating, heating / 1000.0);
        put(m_cooling, cooling / 1000.0);
    }
    double energyJ = 0.0;
    for (double j : s.totals.energyJ)
        energyJ += j;
    put(m_energy, energyJ / 3.6e6);
    put(m_discomfort, s.totals.discomfortKh);
    if (s.compute) {
        const auto& cluster = *s.compute;
        int on = 0;
        double cpu = 0.0;
        for (std::size_t h = 0; h < cluster.hostCount(); ++h)
            if (cluster.hostState(h) == sim::HostState::On) {
                ++on;
                cpu += cluster.hostUtilisation(h);
            }
        put(m_cpu, on > 0 ? 100.0 * cpu / on : 0.0);
        put(m_itPower, cluster.totalPowerW() / 1000.0);
        put(m_hostsOn, on);
    }
    if (const auto* loop = run.loop(); loop != nullptr && m_actions != kNone) {
        const auto applied = loop->stats().applied;
        const double hours = (t - m_lastTime) / 3600.0;
        if (hours > 0)
            put(m_actions, static_cast<double>(applied - m_lastApplied) / hours);
        m_lastApplied = applied;
        m_lastTime = t;
    }
}

} // namespace twindesk::app
