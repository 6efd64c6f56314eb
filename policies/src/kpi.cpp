#include <twindesk/policies/kpi.h>
#include <twindesk/sim/runtime.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace twindesk::policies {

namespace {
constexpr double kJPerKwh = 3.6e6;
} // namespace

KpiReport computeKpis(const sim::SimConfig& c, const sim::SimState& s, const KpiScope& scope)
{
    const auto& t = s.totals;
    KpiReport r;
    r.hours = static_cast<double>(s.time - c.grid.start()) / 3600.0;
    if (scope.uses.empty()) {
        r.scope = "site";
    } else {
        for (const auto& u : scope.uses)
            r.scope += (r.scope.empty() ? "" : "+") + u;
    }
    auto inScope = [&](const sim::ZoneConfig& z) {
        return scope.uses.empty() ||
               std::find(scope.uses.begin(), scope.uses.end(), z.use) != scope.uses.end();
    };
    auto& e = r.energy;
    auto& k = r.comfort;
    double electricJ = 0.0;
    double gasJ = 0.0;
    double districtJ = 0.0;
    for (std::size_t z = 0; z < c.zones.size() && z < t.zones.size(); ++z) {
        const auto& zc = c.zones[z];
        if (!inScope(zc))
            continue;
        const auto& zt = t.zones[z];
        ++r.zonesInScope;
        if (zc.conditioned)
            e.areaM2 += zc.thermal.floorAreaM2;
        e.heatingKwh += zt.heatingJ / kJPerKwh;
        e.coolingKwh += zt.coolingJ / kJPerKwh;
        e.lightingKwh += zt.lightingJ / kJPerKwh;
        e.plugKwh += zt.plugJ / kJPerKwh;
        e.itKwh += zt.itJ / kJPerKwh;
        // Delivered energy of the zone: its heating at the boiler's efficiency, its cooling at
        // the chiller's COP, lights and plugs (ideal-loads zones; VAV plant is site-level).
        const double fuel = zt.heatingJ / zc.heatingEfficiency;
        switch (zc.heatingCarrier) {
        case sim::Carrier::Gas:
            gasJ += fuel;
            break;
        case sim::Carrier::Electricity:
            electricJ += fuel;
            break;
        case sim::Carrier::DistrictHeat:
            districtJ += fuel;
            break;
        }
        electricJ += zt.coolingJ / zc.coolingCop + zt.lightingJ + zt.plugJ + zt.itJ;
        if (zc.comfortTracked) {
            ++k.zones;
            k.discomfortKh += zt.discomfortKh;
        }
        k.co2PpmH += zt.co2PpmH;
        k.occupiedHours += zt.occupiedS / 3600.0;
        k.meetingsStarted += zt.meetingsStarted;
        k.meetingsStartedOutside += zt.meetingsStartedOutside;
        k.meetingMinutesOutside += zt.meetingMinutesOutside;
    }
    if (scope.uses.empty()) {
        // The whole site: what the meters saw, central plant and IT included.
        electricJ = t.energyJ[static_cast<std::size_t>(sim::Carrier::Electricity)];
        gasJ = t.energyJ[static_cast<std::size_t>(sim::Carrier::Gas)];
        districtJ = t.energyJ[static_cast<std::size_t>(sim::Carrier::DistrictHeat)];
        e.heatingKwh = t.heatingJ / kJPerKwh;
        e.coolingKwh = t.coolingJ / kJPerKwh;
        e.itKwh = t.itJ / kJPerKwh;
        k.discomfortKh = t.discomfortKh;
        k.co2PpmH = t.co2PpmH;
    }
    e.electricityKwh = electricJ / kJPerKwh;
    e.gasKwh = gasJ / kJPerKwh;
    e.districtHeatKwh = districtJ / kJPerKwh;
    e.totalKwh = e.electricityKwh + e.gasKwh + e.districtHeatKwh;
    e.totalKwhPerM2 = e.areaM2 > 0.0 ? e.totalKwh / e.areaM2 : 0.0;
    k.discomfortKhPerZone = k.zones > 0 ? k.discomfortKh / k.zones : 0.0;
    if (s.compute && scope.uses.empty())
        r.hosts = s.compute->metrics();
    if (s.runtimes) {
        const auto m = s.runtimes->metrics();
        RuntimeKpis rk;
        rk.meetings = m.meetings;
        rk.meetingsNotReady = m.meetingsNotReady;
        rk.minutesOverObjective = m.minutesOverObjective;
        rk.serviceCost = m.serviceCost;
        rk.costPerMeeting = m.meetings > 0 ? m.serviceCost / static_cast<double>(m.meetings) : 0.0;
        rk.idleInstanceHours = m.idleInstanceHours;
        rk.idleGpuHours = m.idleGpuHours;
        rk.batchCoreHoursDeferred = m.batchCoreHoursDeferred;
        rk.batchCost = m.batchCost;
        rk.hostEnergyKwh = m.hostEnergyKwh;
        rk.starts = m.starts;
        rk.warmStarts = m.warmStarts;
        r.runtimes = rk;
    }
    return r;
}

LoopKpis loopKpis(const LoopStats& st)
{
    LoopKpis l;
    l.decisions = st.decisions;
    l.actionsProposed = st.proposed;
    l.actionsApplied = st.applied;
    l.actionsModified = st.modified;
    l.guardRejections = st.rejected;
    l.oscillations = st.oscillations;
    l.fallbacks = st.fallbacks;
    l.policyErrors = st.policyErrors;
    l.decideP50Us = percentile(st.latency.decideUs, 50);
    l.decideP99Us = percentile(st.latency.decideUs, 99);
    l.decisionP50Us = percentile(st.latency.roundUs, 50);
    l.decisionP99Us = percentile(st.latency.roundUs, 99);
    return l;
}

std::string kpiJson(const KpiReport& r)
{
    nlohmann::ordered_json j;
    j["scope"] = r.scope;
    j["zones"] = r.zonesInScope;
    j["hours"] = r.hours;
    const auto& e = r.energy;
    j["energy"] = {{"electricity_kwh", e.electricityKwh},
                   {"gas_kwh", e.gasKwh},
                   {"district_heat_kwh", e.districtHeatKwh},
                   {"total_kwh", e.totalKwh},
                   {"area_m2", e.areaM2},
                   {"total_kwh_per_m2", e.totalKwhPerM2},
                   {"heating_kwh", e.heatingKwh},
                   {"cooling_kwh", e.coolingKwh},
                   {"lighting_kwh", e.lightingKwh},
                   {"plug_kwh", e.plugKwh},
                   {"it_kwh", e.itKwh}};
    const auto& k = r.comfort;
    j["comfort"] = {{"zones", k.zones},
                    {"discomfort_kh", k.discomfortKh},
                    {"discomfort_kh_per_zone", k.discomfortKhPerZone},
                    {"co2_above_1000_ppmh", k.co2PpmH},
                    {"occupied_hours", k.occupiedHours},
                    {"meetings_started", k.meetingsStarted},
                    {"meetings_started_outside_band", k.meetingsStartedOutside},
                    {"meeting_minutes_outside_band", k.meetingMinutesOutside}};
    if (r.hosts) {
        const auto& m = *r.hosts;
        j["hosts"] = {{"energy_kwh", m.energyKwh},
                      {"slatah", m.slatah},
                      {"pdm", m.pdm},
                      {"slav", m.slav},
                      {"esv", m.esv},
                      {"migrations", m.migrations},
                      {"host_shutdowns", m.hostShutdowns}};
    }
    if (r.runtimes) {
        const auto& m = *r.runtimes;
        j["runtimes"] = {{"meetings", m.meetings},
                         {"meetings_not_ready", m.meetingsNotReady},
                         {"minutes_over_objective", m.minutesOverObjective},
                         {"service_cost", m.serviceCost},
                         {"cost_per_meeting", m.costPerMeeting},
                         {"idle_instance_hours", m.idleInstanceHours},
                         {"idle_gpu_hours", m.idleGpuHours},
                         {"batch_core_hours_deferred", m.batchCoreHoursDeferred},
                         {"batch_cost", m.batchCost},
                         {"host_energy_kwh", m.hostEnergyKwh},
                         {"starts", m.starts},
                         {"warm_starts", m.warmStarts}};
    }
    if (r.loop) {
        const auto& l = *r.loop;
        j["loop"] = {{"decisions", l.decisions},
                     {"actions_proposed", l.actionsProposed},
                     {"actions_applied", l.actionsApplied},
                     {"actions_modified", l.actionsModified},
                     {"guard_rejections", l.guardRejections},
                     {"oscillations", l.oscillations},
                     {"fallbacks", l.fallbacks},
                     {"policy_errors", l.policyErrors},
                     {"decide_p50_us", l.decideP50Us},
                     {"decide_p99_us", l.decideP99Us},
                     {"decision_p50_us", l.decisionP50Us},
                     {"decision_p99_us", l.decisionP99Us}};
    }
    return j.dump();
}

std::string shadowJson(const LoopStats::Shadow& sh)
{
    const auto most = std::max(sh.proposed, sh.activeProposed);
    nlohmann::ordered_json j;
    j["rounds"] = sh.rounds;
    j["agreeing_rounds"] = sh.agreeingRounds;
    j["proposed"] = sh.proposed;
    j["active_proposed"] = sh.activeProposed;
    j["matched"] = sh.matched;
    j["agreement"] = most > 0 ? static_cast<double>(sh.matched) / static_cast<double>(most) : 1.0;
    j["errors"] = sh.errors;
    return j.dump();
}

std::optional<double> KpiComparison::changePercent() const
{
    if (baseline == 0.0)
        return candidate == 0.0 ? std::optional<double>(0.0) : std::nullopt;
    return (candidate - baseline) / std::abs(baseline) * 100.0;
}

int KpiComparison::verdict() const
{
    const double scale = std::max(std::abs(baseline), std::abs(candidate));
    if (direction == KpiDirection::None || std::abs(candidate - baseline) <= 1e-9 * scale)
        return 0;
    const bool lower = candidate < baseline;
    return (lower == (direction == KpiDirection::LowerIsBetter)) ? 1 : -1;
}

std::vector<KpiComparison> compareKpis(const KpiReport& a, const KpiReport& b)
{
    constexpr auto kLower = KpiDirection::LowerIsBetter;
    constexpr auto kNone = KpiDirection::None;
    std::vector<KpiComparison> rows{
        {"total_kwh", "energy, all carriers", "kWh", kLower, a.energy.totalKwh, b.energy.totalKwh},
        {"total_kwh_per_m2", "energy per m²", "kWh/m²", kLower, a.energy.totalKwhPerM2,
         b.energy.totalKwhPerM2},
        {"electricity_kwh", "electricity", "kWh", kLower, a.energy.electricityKwh,
         b.energy.electricityKwh},
        {"gas_kwh", "gas", "kWh", kLower, a.energy.gasKwh, b.energy.gasKwh},
        {"district_heat_kwh", "district heat", "kWh", kLower, a.energy.districtHeatKwh,
         b.energy.districtHeatKwh},
        {"heating_kwh", "heating delivered", "kWh", kLower, a.energy.heatingKwh,
         b.energy.heatingKwh},
        {"cooling_kwh", "cooling delivered", "kWh", kLower, a.energy.coolingKwh,
         b.energy.coolingKwh},
        {"lighting_kwh", "lighting", "kWh", kLower, a.energy.lightingKwh, b.energy.lightingKwh},
        {"it_kwh", "IT, compute hosts", "kWh", kLower, a.energy.itKwh, b.energy.itKwh},
        {"discomfort_kh", "discomfort while in use", "K·h", kLower, a.comfort.discomfortKh,
         b.comfort.discomfortKh},
        {"discomfort_kh_per_zone", "discomfort per zone", "K·h", kLower,
         a.comfort.discomfortKhPerZone, b.comfort.discomfortKhPerZone},
        {"co2_above_1000_ppmh", "CO2 above 1000 ppm", "ppm·h", kLower, a.comfort.co2PpmH,
         b.comfort.co2PpmH},
        {"meetings_started", "meetings started", "", kNone,
         static_cast<double>(a.comfort.meetingsStarted),
         static_cast<double>(b.comfort.meetingsStarted)},
        {"meetings_started_outside_band", "  of which outside 20–26 °C", "", kLower,
         static_cast<double>(a.comfort.meetingsStartedOutside),
         static_cast<double>(b.comfort.meetingsStartedOutside)},
        {"meeting_minutes_outside_band", "  minutes until in band", "min", kLower,
         a.comfort.meetingMinutesOutside, b.comfort.meetingMinutesOutside},
    };
    if (a.hosts || b.hosts) {
        const sim::ComputeMetrics none;
        const auto& x = a.hosts ? *a.hosts : none;
        const auto& y = b.hosts ? *b.hosts : none;
        rows.push_back({"compute_energy_kwh", "compute hosts, as booked", "kWh", kLower,
                        x.energyKwh, y.energyKwh});
        rows.push_back({"slatah", "SLA violation time per active host", "", kLower, x.slatah,
                        y.slatah});
        rows.push_back({"pdm", "degradation due to migration", "", kLower, x.pdm, y.pdm});
        rows.push_back({"slav", "SLAV (SLATAH × PDM)", "", kLower, x.slav, y.slav});
        rows.push_back({"migrations", "VM migrations", "", kLower,
                        static_cast<double>(x.migrations), static_cast<double>(y.migrations)});
    }
    if (a.runtimes || b.runtimes) {
        const RuntimeKpis none;
        const auto& x = a.runtimes ? *a.runtimes : none;
        const auto& y = b.runtimes ? *b.runtimes : none;
        auto d = [](std::int64_t v) { return static_cast<double>(v); };
        rows.push_back({"flagged_meetings", "flagged meetings", "", kNone, d(x.meetings),
                        d(y.meetings)});
        rows.push_back({"meetings_not_ready", "  not ready at start", "", kLower,
                        d(x.meetingsNotReady), d(y.meetingsNotReady)});
        rows.push_back({"minutes_over_objective", "  minutes over latency objective", "min",
                        kLower, x.minutesOverObjective, y.minutesOverObjective});
        rows.push_back({"cost_per_meeting", "  cost per meeting (instances + energy)", "€",
                        kLower, x.costPerMeeting, y.costPerMeeting});
        rows.push_back({"service_cost", "service compute cost", "€", kLower, x.serviceCost,
                        y.serviceCost});
        rows.push_back({"idle_instance_hours", "idle compute (instance-hours)", "h", kLower,
                        x.idleInstanceHours, y.idleInstanceHours});
        rows.push_back({"idle_gpu_hours", "idle GPU-hours", "h", kLower, x.idleGpuHours,
                        y.idleGpuHours});
        rows.push_back({"batch_core_hours_deferred", "batch work deferred (core-hours)", "h",
                        kLower, x.batchCoreHoursDeferred, y.batchCoreHoursDeferred});
        rows.push_back({"runtime_host_kwh", "runtime hosts energy", "kWh", kLower,
                        x.hostEnergyKwh, y.hostEnergyKwh});
        auto perMeeting = [](const KpiReport& r, const RuntimeKpis& k) {
            return r.loop && k.meetings > 0
                       ? static_cast<double>(r.loop->actionsApplied) / static_cast<double>(k.meetings)
                       : 0.0;
        };
        rows.push_back({"decisions_per_meeting", "decisions (actions applied) per meeting", "",
                        kNone, perMeeting(a, x), perMeeting(b, y)});
    }
    if (a.loop || b.loop) {
        const LoopKpis none;
        const auto& x = a.loop ? *a.loop : none;
        const auto& y = b.loop ? *b.loop : none;
        rows.push_back({"actions_applied", "actions applied", "", kNone,
                        static_cast<double>(x.actionsApplied),
                        static_cast<double>(y.actionsApplied)});
        rows.push_back({"guard_rejections", "guard rejections", "", kLower,
                        static_cast<double>(x.guardRejections),
                        static_cast<double>(y.guardRejections)});
        rows.push_back({"fallbacks", "fallbacks", "", kLower, static_cast<double>(x.fallbacks),
                        static_cast<double>(y.fallbacks)});
        rows.push_back({"policy_errors", "policy errors", "", kLower,
                        static_cast<double>(x.policyErrors), static_cast<double>(y.policyErrors)});
    }
    return rows;
}

} // namespace twindesk::policies
