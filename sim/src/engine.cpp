#include <twindesk/sim/compute.h>
#include <twindesk/sim/runtime.h>
#include <twindesk/sim/engine.h>
#include <twindesk/sim/occupancy.h>
#include <twindesk/sim/solar.h>
#include <twindesk/sim/weather.h>
#include <twindesk/twin/units.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>
#include <type_traits>

namespace twindesk::sim {

namespace {

constexpr double kSigma = 5.670374419e-8; // W/(m²K⁴)

// Solar transmittance of clear double glazing relative to normal incidence, by incidence
// angle (0°, 10°, …, 90°): ASHRAE Handbook of Fundamentals, Fenestration chapter, glazing 5a.
constexpr std::array<double, 10> kIam{1.000, 0.999, 0.994, 0.983, 0.961,
                                      0.918, 0.838, 0.686, 0.420, 0.000};
constexpr double kDiffuseIam = 0.864; // hemispherical average of the curve above

double incidenceModifier(double cosTheta)
{
    if (cosTheta <= 0.0)
        return 0.0;
    const double deg = std::acos(std::min(1.0, cosTheta)) * 180.0 / std::numbers::pi;
    const double x = deg / 10.0;
    const auto i = static_cast<std::size_t>(x);
    if (i >= kIam.size() - 1)
        return 0.0;
    const double f = x - static_cast<double>(i);
    return kIam[i] + f * (kIam[i + 1] - kIam[i]);
}

void mix(std::uint64_t& h, const void* data, std::size_t bytes)
{
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < bytes; ++i) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
}

void mixVector(std::uint64_t& h, const std::vector<double>& v)
{
    mix(h, v.data(), v.size() * sizeof(double));
}

bool scheduleOccupied(const ThermostatSchedule& s, LocalTime t)
{
    if (s.alwaysOccupied)
        return true;
    return s.days[static_cast<std::size_t>(t.weekday)] && t.hour() >= s.startHour &&
           t.hour() < s.endHour;
}

// Equipment mode ------------------------------------------------------------------------------

constexpr double kNightCycleDifferentialK = 1.0; // night cycles heat/cool this far past setback
constexpr double kNightCycleToleranceK = 0.01;   // "reached" despite rounding
constexpr double kNominalAirRhoC = 1.2 * kAirHeatCapacity; // J/(m³K), before the first step

void mixBytes(std::uint64_t& h, const std::vector<std::uint8_t>& v)
{
    mix(h, v.data(), v.size());
}

bool zoneServed(const SimConfig& c, const SimState& s, std::uint32_t zone)
{
    return c.zones[zone].conditioned && s.hvacOn[zone] != 0U;
}

// The AHUs decide their mode at the start of the step from the schedules, their commands and
// the zone temperatures the previous step left (what their controllers can measure).
void prepareAirHandlers(const SimConfig& c, SimState& s, LocalTime local)
{
    const auto& p = c.hvac.params;
    auto& h = s.hvac;
    for (std::size_t a = 0; a < c.hvac.ahus.size(); ++a) {
        const auto& ahu = c.hvac.ahus[a];
        const auto command = static_cast<AhuCommand>(h.ahuCommand[a]);
        const auto previous = static_cast<AhuMode>(h.ahuMode[a]);
        AhuMode mode = AhuMode::Off;
        if (command == AhuCommand::On) {
            mode = AhuMode::Occupied;
        } else if (command == AhuCommand::Auto) {
            bool occupied = false;
            bool heat = false;
            bool cool = false;
            for (auto t = ahu.firstTerminal; t < ahu.endTerminal; ++t) {
                const auto z = c.hvac.terminals[t].zone;
                const auto& zc = c.zones[z];
                occupied = occupied || scheduleOccupied(zc.schedule, local);
                if (!zoneServed(c, s, z))
                    continue;
                const double air = s.thetaAir[z];
                if (c.hvac.terminals[t].reheat && zc.loads.heatingAvailable) {
                    const double limit =
                        previous == AhuMode::NightHeating
                            ? s.heatSet[z] + kNightCycleDifferentialK - kNightCycleToleranceK
                            : s.heatSet[z];
                    heat = heat || air < limit;
                }
                if (zc.loads.coolingAvailable) {
                    const double limit =
                        previous == AhuMode::NightCooling
                            ? s.coolSet[z] - kNightCycleDifferentialK + kNightCycleToleranceK
                            : s.coolSet[z];
                    cool = cool || air > limit;
                }
            }
            if (occupied)
                mode = AhuMode::Occupied;
            else if (p.nightCycle && heat)
                mode = AhuMode::NightHeating;
            else if (p.nightCycle && cool)
                mode = AhuMode::NightCooling;
        }
        h.ahuMode[a] = static_cast<std::uint8_t>(mode);
        h.ahuSupplySetpointC[a] = p.supplyAirC;
        if (mode == AhuMode::NightHeating) {
            // The cooling coil is locked out: the supply leaves at the recirculated return air
            // plus the fan's heat at minimum flow, as measured and estimated at the start of
            // the step (the coils trim the small difference to what the step then brings).
            double minFlow = 0.0;
            for (auto t = ahu.firstTerminal; t < ahu.endTerminal; ++t)
                minFlow += p.minFlowFraction * c.hvac.terminals[t].maxFlowM3s;
            const double rhoC = h.airRhoC > 0.0 ? h.airRhoC : kNominalAirRhoC;
            const double fanRise =
                minFlow > 0.0
                    ? ahu.designFanW * fanPowerFraction(p.fanCurve, minFlow / ahu.designFlowM3s) /
                          (rhoC * minFlow)
                    : 0.0;
            h.ahuSupplySetpointC[a] = std::max(p.supplyAirC, h.ahuReturnC[a] + fanRise);
        }
    }
}

twin::Status validateHvac(const SimConfig& c)
{
    const auto& hv = c.hvac;
    auto bad = [](const std::string& what) {
        return twin::makeError(twin::ErrorCode::InvalidArgument, "hvac: " + what);
    };
    if (hv.terminals.empty() && hv.ahus.empty() && hv.terminalOfZone.empty())
        return {};
    if (hv.terminalOfZone.size() != c.zones.size())
        return bad("terminalOfZone must have one entry per zone");
    const auto& p = hv.params;
    if (!(p.minFlowFraction >= 0.0 && p.minFlowFraction <= 1.0) ||
        !(p.heatingMaxFlowFraction >= 0.0 && p.heatingMaxFlowFraction <= 1.0) ||
        !(p.boilerEfficiency > 0.0) || !(p.chillerCop > 0.0) || !(p.fanEfficiency > 0.0) ||
        !(p.reheatMaxSupplyC > p.supplyAirC))
        return bad("parameters out of range (flow fractions 0..1, efficiencies and COP > 0, "
                   "reheat limit above the supply temperature)");
    for (std::size_t a = 0; a < hv.ahus.size(); ++a) {
        const auto& ahu = hv.ahus[a];
        if (ahu.firstTerminal > ahu.endTerminal || ahu.endTerminal > hv.terminals.size() ||
            (a > 0 && ahu.firstTerminal != hv.ahus[a - 1].endTerminal))
            return bad("AHU '" + ahu.id + "' has an invalid terminal range");
        if (!(ahu.designFanW >= 0.0) || !(ahu.designFlowM3s > 0.0))
            return bad("AHU '" + ahu.id + "' has no design flow");
        for (auto t = ahu.firstTerminal; t < ahu.endTerminal; ++t)
            if (hv.terminals[t].ahu != a)
                return bad("terminal '" + hv.terminals[t].id + "' is not grouped with its AHU");
    }
    if (!hv.ahus.empty() && hv.ahus.back().endTerminal != hv.terminals.size())
        return bad("terminals without an AHU");
    for (std::size_t t = 0; t < hv.terminals.size(); ++t) {
        const auto& term = hv.terminals[t];
        if (term.zone >= c.zones.size() || hv.terminalOfZone[term.zone] != t ||
            term.firstOfBox > t || !(term.maxFlowM3s > 0.0))
            return bad("terminal '" + term.id + "' has an invalid zone, box or flow");
    }
    for (std::size_t z = 0; z < c.zones.size(); ++z) {
        const auto t = hv.terminalOfZone[z];
        if (t != kNoTerminal && (t >= hv.terminals.size() || hv.terminals[t].zone != z))
            return bad("zone '" + c.zones[z].id + "' points at a wrong terminal");
    }
    return {};
}

// One VAV zone's box for this step; returns the zone's step.
ZoneStep stepVavZone(const SimConfig& c, SimState& s, std::uint32_t t, const ZoneInputs& in,
                     double rhoC, double dtS)
{
    const auto& p = c.hvac.params;
    const auto& term = c.hvac.terminals[t];
    const auto z = term.zone;
    const auto& zc = c.zones[z];
    const auto mode = static_cast<AhuMode>(s.hvac.ahuMode[term.ahu]);
    const bool served = zoneServed(c, s, z);
    const bool fanOn = mode != AhuMode::Off && served;

    VavBoxInputs b;
    b.rhoC = rhoC;
    b.supplyC = s.hvac.ahuSupplySetpointC[term.ahu];
    if (fanOn) {
        b.minFlowM3s = p.minFlowFraction * term.maxFlowM3s;
        b.maxFlowM3s = term.maxFlowM3s;
        b.heatingMaxFlowM3s =
            std::max(p.minFlowFraction, p.heatingMaxFlowFraction) * term.maxFlowM3s;
    }
    b.reheatMaxC = p.reheatMaxSupplyC;
    b.heatingSetpoint = s.heatSet[z];
    b.coolingSetpoint = std::max(s.coolSet[z], s.heatSet[z]);
    if (mode == AhuMode::NightHeating && term.reheat)
        b.heatingSetpoint =
            std::min(b.heatingSetpoint + kNightCycleDifferentialK, b.coolingSetpoint);
    if (mode == AhuMode::NightCooling)
        b.coolingSetpoint =
            std::max(b.coolingSetpoint - kNightCycleDifferentialK, b.heatingSetpoint);
    b.reheat = term.reheat && fanOn;
    b.heating = served && zc.loads.heatingAvailable;
    b.cooling = fanOn && zc.loads.coolingAvailable;
    if (!term.reheat && p.noReheatHeating == NoReheatHeating::Radiator && b.heating)
        b.radiatorMaxW = zc.loads.maxHeatingW;

    const ZoneAffine affine = solveZoneAffine(zc.thermal, s.thetaM[z], in, dtS);
    const VavBoxStep box = controlVavBox(affine, b);
    s.hvac.flowM3s[t] = box.flowM3s;
    s.hvac.dischargeC[t] = box.dischargeC;
    s.hvac.reheatW[t] = box.reheatW;
    s.hvac.radiatorW[t] = box.radiatorW;
    return evaluateZone(affine, s.thetaM[z], box.phiHc);
}

// After the zones: every AHU's return and mixed air, economizer, fan and coils; then the CO2
// of its zones, whose supply air carries the AHU's mix of outdoor and return air.
void finishAirHandlers(const SimConfig& c, SimState& s, const std::vector<double>& infiltration,
                       const std::vector<double>& outdoorAirNeed, double outdoorC, double rhoC,
                       double dtS)
{
    const auto& p = c.hvac.params;
    auto& h = s.hvac;
    h.airRhoC = rhoC;
    for (std::size_t a = 0; a < c.hvac.ahus.size(); ++a) {
        const auto& ahu = c.hvac.ahus[a];
        const auto mode = static_cast<AhuMode>(h.ahuMode[a]);
        double flow = 0.0;
        double flowTemp = 0.0;
        double flowCo2 = 0.0;
        for (auto t = ahu.firstTerminal; t < ahu.endTerminal; ++t) {
            const auto z = c.hvac.terminals[t].zone;
            flow += h.flowM3s[t];
            flowTemp += h.flowM3s[t] * s.thetaAir[z];
            flowCo2 += h.flowM3s[t] * s.co2[z]; // start of step: CO2 advances below
        }
        double supplyCo2 = c.outdoorCo2Ppm;
        if (mode == AhuMode::Off || !(flow > 0.0)) {
            // Fan stopped: the unit's air settles at the last return temperature.
            h.ahuFlowM3s[a] = 0.0;
            h.ahuSupplyC[a] = h.ahuReturnC[a];
            h.ahuMixedC[a] = h.ahuReturnC[a];
            h.ahuCoilEnteringC[a] = h.ahuReturnC[a];
            h.ahuOutdoorFraction[a] = 0.0;
            h.ahuFanW[a] = 0.0;
            h.ahuCoolingCoilW[a] = 0.0;
            h.ahuPreheatW[a] = 0.0;
        } else {
            AirHandlerInputs in;
            in.rhoC = rhoC;
            in.flowM3s = flow;
            in.returnC = flowTemp / flow;
            in.outdoorC = outdoorC;
            in.supplyC = h.ahuSupplySetpointC[a];
            // Ventilation (ASHRAE 62.1 rates of the occupied zones) sets the damper minimum
            // while occupied; night cycles recirculate with the outdoor damper closed.
            in.minOutdoorFraction =
                mode == AhuMode::Occupied
                    ? std::min(1.0, std::max(p.minOutdoorAirFraction, outdoorAirNeed[a] / flow))
                    : 0.0;
            in.economizer = p.economizer && mode != AhuMode::NightHeating;
            in.economizerLowLimitC = p.economizerLowLimitC;
            in.designFlowM3s = ahu.designFlowM3s;
            in.designFanW = ahu.designFanW;
            in.fanCurve = p.fanCurve;
            const AirHandlerStep r = stepAirHandler(in);
            h.ahuFlowM3s[a] = flow;
            h.ahuSupplyC[a] = in.supplyC;
            h.ahuReturnC[a] = in.returnC;
            h.ahuMixedC[a] = r.mixedC;
            h.ahuCoilEnteringC[a] = r.coilEnteringC;
            h.ahuOutdoorFraction[a] = r.outdoorFraction;
            h.ahuFanW[a] = r.fanW;
            h.ahuCoolingCoilW[a] = r.coolingCoilW;
            h.ahuPreheatW[a] = r.preheatW;
            s.totals.ahuRunS += dtS;
            if (r.economizing)
                s.totals.economizerS += dtS;
            supplyCo2 =
                r.outdoorFraction * c.outdoorCo2Ppm + (1.0 - r.outdoorFraction) * (flowCo2 / flow);
        }
        // CO2 mass balance (well mixed) with infiltration and supply air, exact over the step:
        // V dC/dt = G·10⁶ + Q_inf·(C_out − C) + V̇·(C_sup − C).
        for (auto t = ahu.firstTerminal; t < ahu.endTerminal; ++t) {
            const auto z = c.hvac.terminals[t].zone;
            const auto& zc = c.zones[z];
            const double gen = s.people[z] * zc.co2LpsPerPerson / 1000.0 * 1e6; // ppm·m³/s
            const double qInf = infiltration[t];
            const double q = qInf + h.flowM3s[t];
            const double vol = zc.thermal.volumeM3;
            if (q > 0.0) {
                const double eq = (gen + qInf * c.outdoorCo2Ppm + h.flowM3s[t] * supplyCo2) / q;
                s.co2[z] = eq + (s.co2[z] - eq) * std::exp(-q * dtS / vol);
            } else {
                s.co2[z] += gen * dtS / vol;
            }
            const double co2PpmH = std::max(0.0, s.co2[z] - 1000.0) * dtS / 3600.0;
            s.totals.co2PpmH += co2PpmH;
            s.totals.zones[z].co2PpmH += co2PpmH;
        }
    }
}

} // namespace

std::string_view carrierName(Carrier carrier)
{
    switch (carrier) {
    case Carrier::Electricity:
        return "electricity";
    case Carrier::Gas:
        return "gas";
    case Carrier::DistrictHeat:
        return "district_heat";
    }
    return "unknown";
}

std::string_view variableName(Variable variable)
{
    switch (variable) {
    case Variable::ZoneAirTemperature:
        return "zone_air_temperature";
    case Variable::ZoneHeatingSetpoint:
        return "zone_heating_setpoint";
    case Variable::ZoneCoolingSetpoint:
        return "zone_cooling_setpoint";
    case Variable::ZoneCo2:
        return "zone_co2";
    case Variable::ZoneOccupancy:
        return "zone_occupancy";
    case Variable::ZoneOccupantCount:
        return "zone_occupant_count";
    case Variable::ZoneLightLevel:
        return "zone_light_level";
    case Variable::ZoneHvacPower:
        return "zone_hvac_power";
    case Variable::OutdoorAirTemperature:
        return "outdoor_air_temperature";
    case Variable::BuildingElectricPower:
        return "building_electric_power";
    case Variable::BuildingElectricEnergy:
        return "building_electric_energy";
    case Variable::BuildingGasPower:
        return "building_gas_power";
    case Variable::BuildingGasEnergy:
        return "building_gas_energy";
    case Variable::HostPower:
        return "host_power";
    case Variable::HostUtilisation:
        return "host_utilisation";
    case Variable::VavAirFlow:
        return "vav_air_flow";
    case Variable::VavDamperCommand:
        return "vav_damper_command";
    case Variable::VavReheatValveCommand:
        return "vav_reheat_valve_command";
    case Variable::AhuSupplyAirTemperature:
        return "ahu_supply_air_temperature";
    case Variable::AhuSupplyAirTemperatureSetpoint:
        return "ahu_supply_air_temperature_setpoint";
    case Variable::AhuReturnAirTemperature:
        return "ahu_return_air_temperature";
    case Variable::AhuFanStatus:
        return "ahu_fan_status";
    case Variable::AhuFanSpeedCommand:
        return "ahu_fan_speed_command";
    }
    return "unknown";
}

Engine::Engine(std::shared_ptr<const SimConfig> config) : m_config(std::move(config)) {}
Engine::~Engine() = default;

twin::Result<std::unique_ptr<Engine>> Engine::create(std::shared_ptr<const SimConfig> config)
{
    if (!config)
        return twin::makeError(twin::ErrorCode::InvalidArgument, "no simulation configuration");
    if (!config->weather && !config->zones.empty())
        return twin::makeError(twin::ErrorCode::InvalidArgument,
                               "the building has zones but the scenario has no weather file");
    for (const auto& z : config->zones)
        if (!(z.thermal.cm > 0.0) || !(z.thermal.at > 0.0))
            return twin::makeError(twin::ErrorCode::InvalidArgument,
                                   "zone '" + z.id + "' has no valid thermal parameters");
    if (auto st = validateHvac(*config); !st)
        return st.error();
    std::unique_ptr<Engine> engine(new Engine(std::move(config)));
    const auto& c = *engine->m_config;
    auto& s = engine->m_state;
    const auto n = c.zones.size();
    s.time = c.grid.start();
    s.thetaM.assign(n, c.initialTemperature);
    s.thetaAir.assign(n, c.initialTemperature);
    s.thetaS.assign(n, c.initialTemperature);
    s.co2.assign(n, c.outdoorCo2Ppm);
    s.heatSet.resize(n);
    s.coolSet.resize(n);
    for (std::size_t z = 0; z < n; ++z) {
        s.heatSet[z] = c.zones[z].schedule.occupiedHeating;
        s.coolSet[z] = c.zones[z].schedule.occupiedCooling;
    }
    s.lightLevel.assign(n, 0.0);
    s.people.assign(n, 0.0);
    s.hvacW.assign(n, 0.0);
    s.hvacOn.assign(n, 1);
    s.commanded.assign(n, 0);
    s.ventilationDesign.assign(n, 0);
    s.meetingWait.assign(n, 0);
    s.totals.zones.assign(n, ZoneTotals{});
    if (c.runtimes)
        s.runtimes = std::make_shared<RuntimeFleet>(*c.runtimes);
    if (c.compute) {
        s.compute = std::make_shared<ComputeCluster>(*c.compute);
        for (std::uint32_t h = 0; h < c.compute->hostCount(); ++h)
            engine->m_hostIds.emplace(c.compute->hostSpec(h).id, h);
        for (std::uint32_t v = 0; v < c.compute->vmCount(); ++v)
            engine->m_vmIds.emplace(c.compute->vmSpec(v).id, v);
    }
    const auto terminals = c.hvac.terminals.size();
    const auto ahus = c.hvac.ahus.size();
    auto& h = s.hvac;
    h.flowM3s.assign(terminals, 0.0);
    h.dischargeC.assign(terminals, c.hvac.params.supplyAirC);
    h.reheatW.assign(terminals, 0.0);
    h.radiatorW.assign(terminals, 0.0);
    h.ahuMode.assign(ahus, static_cast<std::uint8_t>(AhuMode::Off));
    h.ahuCommand.assign(ahus, static_cast<std::uint8_t>(AhuCommand::Auto));
    h.ahuFlowM3s.assign(ahus, 0.0);
    h.ahuSupplyC.assign(ahus, c.initialTemperature);
    h.ahuSupplySetpointC.assign(ahus, c.hvac.params.supplyAirC);
    h.ahuReturnC.assign(ahus, c.initialTemperature);
    h.ahuMixedC.assign(ahus, c.initialTemperature);
    h.ahuCoilEnteringC.assign(ahus, c.initialTemperature);
    h.ahuOutdoorFraction.assign(ahus, 0.0);
    h.ahuFanW.assign(ahus, 0.0);
    h.ahuCoolingCoilW.assign(ahus, 0.0);
    h.ahuPreheatW.assign(ahus, 0.0);
    engine->m_terminalInfiltration.assign(terminals, 0.0);
    engine->m_ahuOutdoorAirNeed.assign(ahus, 0.0);
    engine->m_orientationWindow.assign(c.orientations.size(), 0.0);
    engine->m_orientationTotal.assign(c.orientations.size(), 0.0);
    engine->m_bindingIndex.resize(c.bindings.size());
    for (std::size_t i = 0; i < c.bindings.size(); ++i)
        engine->m_bindingIndex[i] = i;
    std::sort(
        engine->m_bindingIndex.begin(), engine->m_bindingIndex.end(),
        [&c](std::size_t a, std::size_t b) { return c.bindings[a].point < c.bindings[b].point; });
    return engine;
}

twin::Status Engine::submit(const Action& action)
{
    if (auto s = validateAction(action); !s)
        return s;
    if (m_state.runtimes && m_state.runtimes->workloadIndex(action.target))
        return applyRuntimeAction(action);
    // The target must be a bound point of a kind that accepts this action, or a host/VM.
    const auto& c = *m_config;
    const auto it = std::lower_bound(
        m_bindingIndex.begin(), m_bindingIndex.end(), action.target,
        [&c](std::size_t i, const std::string& id) { return c.bindings[i].point < id; });
    const bool bound = it != m_bindingIndex.end() && c.bindings[*it].point == action.target;
    switch (action.kind) {
    case ActionKind::SetSetpoint: {
        if (!bound || (c.bindings[*it].variable != Variable::ZoneHeatingSetpoint &&
                       c.bindings[*it].variable != Variable::ZoneCoolingSetpoint))
            return twin::makeError(twin::ErrorCode::InvalidArgument,
                                   "SetSetpoint: '" + action.target +
                                       "' is not a simulated zone setpoint point");
        break;
    }
    case ActionKind::Dim:
    case ActionKind::Switch: {
        if (!bound || c.bindings[*it].variable != Variable::ZoneLightLevel)
            return twin::makeError(twin::ErrorCode::InvalidArgument,
                                   std::string(actionKindName(action.kind)) + ": '" +
                                       action.target +
                                       "' is not a simulated lighting command point");
        break;
    }
    case ActionKind::SetMode: {
        const bool ahu = std::any_of(c.hvac.ahus.begin(), c.hvac.ahus.end(),
                                     [&](const AirHandler& a) { return a.id == action.target; });
        if (ahu) {
            if (action.text != "auto" && action.text != "on" && action.text != "off")
                return twin::makeError(twin::ErrorCode::InvalidArgument,
                                       "SetMode: AHU modes are 'auto', 'on' and 'off', not '" +
                                           action.text + "'");
            break;
        }
        const bool zone = std::any_of(c.zones.begin(), c.zones.end(),
                                      [&](const ZoneConfig& z) { return z.id == action.target; });
        if (!zone)
            return twin::makeError(twin::ErrorCode::InvalidArgument,
                                   "SetMode: '" + action.target +
                                       "' is not a simulated zone or air handler");
        if (action.text != "on" && action.text != "off" && action.text != "ventilation-design" &&
            action.text != "ventilation-demand")
            return twin::makeError(twin::ErrorCode::InvalidArgument,
                                   "SetMode: zone modes are 'on', 'off', 'ventilation-design' and "
                                   "'ventilation-demand', not '" +
                                       action.text + "'");
        break;
    }
    case ActionKind::MigrateVm:
    case ActionKind::PowerHost:
    case ActionKind::Throttle:
    case ActionKind::PlaceVm:
        if (!m_state.compute)
            return twin::makeError(twin::ErrorCode::InvalidArgument,
                                   std::string(actionKindName(action.kind)) +
                                       ": the scenario simulates no compute hosts");
        // The cluster sits between steps at the time the next step starts, so its commands
        // take effect now, in the order submitted, and a refusal (host full, VM migrating,
        // host still running VMs) reaches the caller instead of vanishing in the queue.
        return applyAction(action);
    }
    m_state.pending.push_back(action);
    return {};
}

std::optional<int> Engine::workloadsOn(const std::string& host) const
{
    const auto index = hostIndex(host);
    if (!index || !m_state.compute)
        return std::nullopt;
    // Compute commands apply when submitted: a VM migrating away is still on the host (it
    // leaves when its migration completes), so it counts.
    return static_cast<int>(m_state.compute->hostVms(*index).size() +
                            m_state.compute->hostIncomingVms(*index).size());
}

twin::Status Engine::applyAction(const Action& a)
{
    const auto& c = *m_config;
    auto& s = m_state;
    auto binding = [&]() -> const PointBinding* {
        for (const auto& b : c.bindings)
            if (b.point == a.target)
                return &b;
        return nullptr;
    };
    auto unbound = [&] {
        return twin::makeError(twin::ErrorCode::NotFound, std::string(actionKindName(a.kind)) +
                                                              ": '" + a.target +
                                                              "' is not a bound point");
    };
    switch (a.kind) {
    case ActionKind::SetSetpoint: {
        const auto* b = binding();
        if (b == nullptr) // submit() checked it; guards direct state edits
            return unbound();
        // Setpoint values arrive in the point's unit.
        double celsius = a.value;
        if (!b->unit.empty() && b->unit != "°C") {
            auto converted = twin::convert(a.value, b->unit, "°C");
            if (!converted)
                return converted.error();
            celsius = *converted;
        }
        if (b->variable == Variable::ZoneHeatingSetpoint)
            s.heatSet[b->index] = celsius;
        else
            s.coolSet[b->index] = celsius;
        s.commanded[b->index] |= kCommandedSetpoints;
        return {};
    }
    case ActionKind::Dim:
    case ActionKind::Switch: {
        const auto* b = binding();
        if (b == nullptr)
            return unbound();
        s.lightLevel[b->index] = a.kind == ActionKind::Switch ? a.value : a.value / 100.0;
        s.commanded[b->index] |= kCommandedLights;
        return {};
    }
    case ActionKind::SetMode:
        for (std::size_t z = 0; z < c.zones.size(); ++z) {
            if (c.zones[z].id != a.target)
                continue;
            if (a.text == "ventilation-design" || a.text == "ventilation-demand")
                s.ventilationDesign[z] = a.text == "ventilation-design" ? 1 : 0;
            else
                s.hvacOn[z] = a.text == "on" ? 1 : 0;
        }
        for (std::size_t i = 0; i < c.hvac.ahus.size(); ++i)
            if (c.hvac.ahus[i].id == a.target)
                s.hvac.ahuCommand[i] = static_cast<std::uint8_t>(
                    a.text == "on" ? AhuCommand::On
                                   : (a.text == "off" ? AhuCommand::Off : AhuCommand::Auto));
        return {};
    case ActionKind::MigrateVm: {
        auto vm = vmIndex(a.target);
        auto host = hostIndex(a.destination);
        if (!vm || !host)
            return twin::makeError(twin::ErrorCode::NotFound, "MigrateVm: unknown VM '" + a.target +
                                                                  "' or host '" + a.destination +
                                                                  "'");
        return s.compute->migrate(*vm, *host, s.time);
    }
    case ActionKind::PowerHost: {
        auto host = hostIndex(a.target);
        if (!host)
            return twin::makeError(twin::ErrorCode::NotFound,
                                   "PowerHost: unknown host '" + a.target + "'");
        return s.compute->setHostPower(*host, a.value != 0.0);
    }
    case ActionKind::PlaceVm: {
        auto vm = vmIndex(a.target);
        auto host = hostIndex(a.destination);
        if (!vm || !host)
            return twin::makeError(twin::ErrorCode::NotFound, "PlaceVm: unknown VM '" + a.target +
                                                                  "' or host '" + a.destination +
                                                                  "'");
        return s.compute->place(*vm, *host);
    }
    case ActionKind::Throttle:
        return twin::makeError(twin::ErrorCode::InvalidArgument,
                               "Throttle is not simulated yet for '" + a.target + "'");
    }
    return {};
}

twin::Status Engine::applyRuntimeAction(const Action& a)
{
    auto& fleet = *m_state.runtimes;
    const auto w = *fleet.workloadIndex(a.target);
    const std::string what = std::string(actionKindName(a.kind)) + " '" + a.target + "': ";
    auto named = [&](twin::Status st) -> twin::Status {
        if (!st)
            return twin::makeError(st.error().code, what + st.error().message, st.error().where);
        return st;
    };
    // Runtime commands apply at once: the fleet waits between steps at this step's start.
    switch (a.kind) {
    case ActionKind::Switch:
        return named(a.value == 0.0 ? fleet.stop(w) : fleet.start(w, fleet.host(w)));
    case ActionKind::Throttle:
        return named(fleet.throttle(w, a.value / 100.0));
    case ActionKind::PlaceVm:
    case ActionKind::MigrateVm: {
        const auto host = fleet.hostIndex(a.destination);
        if (!host)
            return twin::makeError(twin::ErrorCode::NotFound,
                                   what + "unknown runtime host '" + a.destination + "'");
        if (a.kind == ActionKind::MigrateVm)
            return named(fleet.move(w, *host));
        auto kind = twin::WorkloadType::None;
        if (!a.text.empty()) {
            const auto parsed = twin::parseWorkloadType(a.text);
            if (!parsed || *parsed == twin::WorkloadType::None)
                return twin::makeError(twin::ErrorCode::InvalidArgument,
                                       what + "unknown runtime kind '" + a.text + "'");
            kind = *parsed;
        }
        return named(fleet.start(w, *host, kind));
    }
    default:
        return twin::makeError(twin::ErrorCode::InvalidArgument,
                               what + "a runtime workload takes Switch, PlaceVm, MigrateVm or "
                                      "Throttle");
    }
}

std::optional<std::uint32_t> Engine::hostIndex(const std::string& id) const
{
    const auto it = m_hostIds.find(id);
    if (it == m_hostIds.end())
        return std::nullopt;
    return it->second;
}

std::optional<std::uint32_t> Engine::vmIndex(const std::string& id) const
{
    const auto it = m_vmIds.find(id);
    if (it == m_vmIds.end())
        return std::nullopt;
    return it->second;
}

twin::Status Engine::step()
{
    if (finished())
        return twin::makeError(twin::ErrorCode::InvalidArgument, "the run has ended");
    const auto& c = *m_config;
    auto& s = m_state;
    const Seconds dt = c.grid.step();
    const Seconds t0 = s.time;
    const Seconds mid = t0 + dt / 2;
    const auto dtS = static_cast<double>(dt);

    // 1. queued actions
    for (const auto& a : s.pending)
        (void)applyAction(a); // validated on submit; a host refusing power-off stays as it is
    s.pending.clear();

    // 2. weather and sun
    WeatherSample w{};
    double tzHours = 0.0;
    if (c.weather) {
        w = c.weather->sampleAt(mid);
        tzHours = c.weather->location().timeZoneHours;
        const auto& loc = c.weather->location();
        const SolarPosition sun = solarPosition(mid, loc.latitudeDeg, loc.longitudeDeg);
        const double extraNormal = extraterrestrialNormalIrradiance(sun);
        for (std::size_t o = 0; o < c.orientations.size(); ++o) {
            const Surface surface{c.orientations[o].first, c.orientations[o].second};
            const auto irr = irradianceOnSurface(
                sun, surface, w.directNormal, w.diffuseHorizontal, w.globalHorizontal, extraNormal,
                c.groundAlbedo, c.perezSky ? SkyModel::Perez : SkyModel::Isotropic);
            m_orientationWindow[o] = irr.beam * incidenceModifier(irr.incidenceCos) +
                                     (irr.skyDiffuse + irr.groundReflected) * kDiffuseIam;
            m_orientationTotal[o] = irr.total;
        }
    }
    s.outdoorC = w.dryBulb;
    const double rho = c.weather ? airDensity(w.pressure, w.dryBulb) : 1.2;
    const double rhoC = rho * kAirHeatCapacity;
    const LocalTime local = localTime(mid, tzHours);

    double electricW = 0.0;
    double gasW = 0.0;
    double districtW = 0.0;
    double heatingW = 0.0;
    double coolingW = 0.0;
    double lightingW = 0.0;
    double plugW = 0.0;
    const double hostsW = (s.compute ? s.compute->totalPowerW() : 0.0) +
                          (s.runtimes ? s.runtimes->totalPowerW() : 0.0);
    const bool equipment = !c.hvac.terminalOfZone.empty();
    if (equipment) {
        prepareAirHandlers(c, s, local);
        std::fill(m_ahuOutdoorAirNeed.begin(), m_ahuOutdoorAirNeed.end(), 0.0);
    }

    // The zone loop, compiled twice so that ideal-loads runs pay nothing for equipment mode.
    auto stepZones = [&](auto equipmentMode) -> twin::Status {
        constexpr bool kEquipment = decltype(equipmentMode)::value;
        for (std::size_t z = 0; z < c.zones.size(); ++z) {
            const auto& zc = c.zones[z];
            std::uint32_t terminal = kNoTerminal;
            if constexpr (kEquipment)
                terminal = c.hvac.terminalOfZone[z];
            // 3. occupancy
            double people = 0.0;
            bool booked = false;
            bool bookedBefore = false;
            if (c.occupancy && z < c.occupancyRoomOfZone.size() &&
                c.occupancyRoomOfZone[z] != static_cast<std::uint32_t>(-1)) {
                const auto room = c.occupancyRoomOfZone[z];
                people = c.occupancy->people(room, s.step);
                booked = c.occupancy->booked(room, s.step);
                bookedBefore = s.step > 0 && c.occupancy->booked(room, s.step - 1);
            }
            const double airBefore = s.thetaAir[z];
            auto& zt = s.totals.zones[z];
            s.people[z] = people;
            const bool occupied = people > 0.0;

            // 4. internal gains (lights follow occupancy unless commanded by a policy)
            const bool scheduled = scheduleOccupied(zc.schedule, local);
            // Rooms whose people are simulated follow them; the others follow the schedule.
            const bool inUse = zc.occupancyModelled ? occupied : scheduled;
            if (c.scheduleEnabled && (s.commanded[z] & kCommandedLights) == 0)
                s.lightLevel[z] = inUse ? 1.0 : 0.0;
            const double lights = zc.lightingWPerM2 * zc.thermal.floorAreaM2 * s.lightLevel[z];
            const double plugs =
                zc.plugWPerM2 * zc.thermal.floorAreaM2 * (inUse ? 1.0 : zc.plugBaseFraction);
            double it = 0.0;
            if (s.compute)
                for (auto h : zc.hosts)
                    it += s.compute->hostPowerW(h);
            if (s.runtimes)
                for (auto h : zc.runtimeHosts)
                    it += s.runtimes->hostPowerW(h);
            const double phiInt =
                zc.fixedGainW + people * zc.sensibleWPerPerson + lights + plugs + it;
            lightingW += lights;
            plugW += plugs;
            zt.lightingJ += lights * dtS;
            zt.plugJ += plugs * dtS;
            zt.itJ += it * dtS;

            // 5. thermostat schedule
            if (c.scheduleEnabled && (s.commanded[z] & kCommandedSetpoints) == 0) {
                s.heatSet[z] =
                    scheduled ? zc.schedule.occupiedHeating : zc.schedule.unoccupiedHeating;
                s.coolSet[z] =
                    scheduled ? zc.schedule.occupiedCooling : zc.schedule.unoccupiedCooling;
            }

            // 6–7. ventilation, solar, HVAC and the thermal network
            double ventM3s = zc.infiltrationAch * zc.thermal.volumeM3 * (1.0 / 3600.0);
            const bool designAir =
                s.ventilationDesign[z] != 0 && zoneServed(c, s, static_cast<std::uint32_t>(z));
            if ((occupied || designAir) && zc.conditioned) {
                const double ventPeople =
                    designAir ? std::max(people, static_cast<double>(zc.capacity)) : people;
                const double outdoorAir = (ventPeople * zc.outdoorAirLpsPerPerson +
                                           zc.outdoorAirLpsPerM2 * zc.thermal.floorAreaM2) /
                                          1000.0;
                // A VAV zone's outdoor air comes mixed into its AHU's supply air.
                if (terminal == kNoTerminal)
                    ventM3s += outdoorAir;
                else
                    m_ahuOutdoorAirNeed[c.hvac.terminals[terminal].ahu] += outdoorAir;
            }
            double phiSol = 0.0;
            for (const auto& [o, coef] : zc.windowSolar)
                phiSol += coef * m_orientationWindow[o];
            for (const auto& [o, coef] : zc.opaqueSolar)
                phiSol += coef * m_orientationTotal[o];
            phiSol -= zc.skyLoss * (w.dryBulb - w.skyTemperature);

            ZoneInputs in;
            in.thetaE = w.dryBulb;
            in.thetaSup = w.dryBulb;
            in.hVe = rhoC * ventM3s;
            in.phiInt = phiInt;
            in.convectiveFraction = zc.convectiveFraction;
            in.phiSol = phiSol;

            ZoneStep r{};
            if (terminal != kNoTerminal) {
                r = stepVavZone(c, s, terminal, in, rhoC, dtS);
                m_terminalInfiltration[terminal] = ventM3s;
            } else if (zc.conditioned && s.hvacOn[z] != 0U) {
                IdealLoads loads = zc.loads;
                loads.heatingSetpoint = s.heatSet[z];
                loads.coolingSetpoint = std::max(s.coolSet[z], s.heatSet[z]);
                r = stepZoneIdeal(zc.thermal, s.thetaM[z], in, loads, dtS);
            } else {
                r = stepZone(zc.thermal, s.thetaM[z], in, 0.0, dtS);
            }
            if (!std::isfinite(r.thetaAir) || !std::isfinite(r.thetaMEnd)) {
                ++s.totals.numericalIssues;
                return twin::makeError(twin::ErrorCode::InvalidArgument,
                                       "numerical blow-up in zone '" + zc.id + "' at " +
                                           formatUtc(t0) + " (check its envelope and gains)");
            }
            s.thetaM[z] = r.thetaMEnd;
            s.thetaAir[z] = r.thetaAir;
            s.thetaS[z] = r.thetaS;
            s.hvacW[z] = r.phiHc;
            if (r.phiHc > 0.0)
                zt.heatingJ += r.phiHc * dtS;
            else
                zt.coolingJ -= r.phiHc * dtS;
            if (terminal != kNoTerminal) {
                // Metered with the plant below (reheat, radiators, coils, fans).
            } else if (r.phiHc > 0.0) {
                heatingW += r.phiHc;
                const double fuel = r.phiHc / zc.heatingEfficiency;
                switch (zc.heatingCarrier) {
                case Carrier::Gas:
                    gasW += fuel;
                    break;
                case Carrier::Electricity:
                    electricW += fuel;
                    break;
                case Carrier::DistrictHeat:
                    districtW += fuel;
                    break;
                }
            } else if (r.phiHc < 0.0) {
                coolingW -= r.phiHc;
                electricW += -r.phiHc / zc.coolingCop;
            }

            // CO2 mass balance (well mixed): V dC/dt = G·10⁶ + Q (C_out − C), exact over the step.
            // (VAV zones: with their supply air, after the AHUs.)
            if (terminal == kNoTerminal) {
                const double gen = people * zc.co2LpsPerPerson / 1000.0 * 1e6; // ppm·m³/s
                const double q = ventM3s;
                const double vol = zc.thermal.volumeM3;
                // (Nobody in the zone: the equilibrium is the outdoor level, no division.)
                const double eq =
                    q > 0.0 ? (gen > 0.0 ? c.outdoorCo2Ppm + gen / q : c.outdoorCo2Ppm) : s.co2[z];
                // At equilibrium the update is the identity (eq + 0·e^x): skip the exp.
                if (q > 0.0 && s.co2[z] != eq)
                    s.co2[z] = eq + (s.co2[z] - eq) * std::exp(-q * dtS / vol);
                else if (q <= 0.0)
                    s.co2[z] += gen * dtS / vol;
                const double co2PpmH = std::max(0.0, s.co2[z] - 1000.0) * dtS / 3600.0;
                s.totals.co2PpmH += co2PpmH;
                zt.co2PpmH += co2PpmH;
            }

            // Comfort KPIs: K·h outside the band of the moment (BOPTEST-style), and how long
            // booked meetings started outside the occupied band.
            if (zc.comfortTracked) {
                if (inUse) {
                    const double below = std::max(0.0, kComfortOccupiedLowC - r.thetaAir);
                    const double above = std::max(0.0, r.thetaAir - kComfortOccupiedHighC);
                    const double kh = (below + above) * dtS / 3600.0;
                    s.totals.discomfortKh += kh;
                    zt.discomfortKh += kh;
                }
                auto inBand = [](double theta) {
                    return theta >= kComfortOccupiedLowC && theta <= kComfortOccupiedHighC;
                };
                if (booked && !bookedBefore) {
                    ++zt.meetingsStarted;
                    if (!inBand(airBefore)) {
                        ++zt.meetingsStartedOutside;
                        s.meetingWait[z] = 1;
                    }
                }
                if (s.meetingWait[z] != 0) {
                    if (!booked || inBand(r.thetaAir))
                        s.meetingWait[z] = 0;
                    else
                        zt.meetingMinutesOutside += dtS / 60.0;
                }
            }
            if (inUse)
                zt.occupiedS += dtS;
            s.totals.minAirC = std::min(s.totals.minAirC, r.thetaAir);
            s.totals.maxAirC = std::max(s.totals.maxAirC, r.thetaAir);
            s.totals.sumAirCSteps += r.thetaAir;
        }
        return {};
    };
    if (auto st = equipment ? stepZones(std::true_type{}) : stepZones(std::false_type{}); !st)
        return st;

    // 7b. air handlers and the plant behind them
    if (equipment) {
        finishAirHandlers(c, s, m_terminalInfiltration, m_ahuOutdoorAirNeed, w.dryBulb, rhoC, dtS);
        const auto& p = c.hvac.params;
        const auto& h = s.hvac;
        double reheatW = 0.0;
        double radiatorW = 0.0;
        for (std::size_t t = 0; t < h.reheatW.size(); ++t) {
            reheatW += h.reheatW[t];
            radiatorW += h.radiatorW[t];
        }
        double fanW = 0.0;
        double coilW = 0.0;
        double preheatW = 0.0;
        for (std::size_t a = 0; a < h.ahuFanW.size(); ++a) {
            fanW += h.ahuFanW[a];
            coilW += h.ahuCoolingCoilW[a];
            preheatW += h.ahuPreheatW[a];
        }
        const double chillerW = coilW / chillerCop(p, w.dryBulb);
        const double boilerHeatW = reheatW + radiatorW + preheatW;
        const double fuelW = boilerHeatW / p.boilerEfficiency;
        switch (p.boilerCarrier) {
        case Carrier::Gas:
            gasW += fuelW;
            break;
        case Carrier::Electricity:
            electricW += fuelW;
            break;
        case Carrier::DistrictHeat:
            districtW += fuelW;
            break;
        }
        electricW += fanW + chillerW;
        heatingW += boilerHeatW;
        coolingW += coilW;
        auto& t = s.totals;
        t.fanJ += fanW * dtS;
        t.coolingCoilJ += coilW * dtS;
        t.chillerJ += chillerW * dtS;
        t.reheatJ += reheatW * dtS;
        t.preheatJ += preheatW * dtS;
        t.radiatorJ += radiatorW * dtS;
        t.boilerFuelJ += fuelW * dtS;
    }

    // 8. compute hosts
    if (s.compute) {
        if (auto st = s.compute->step(t0, dt); !st)
            return st;
    }
    if (s.runtimes) {
        if (auto st = s.runtimes->step(t0, dt); !st)
            return st;
    }

    // 9. meters and KPIs
    electricW += lightingW + plugW + hostsW;
    s.electricW = electricW;
    s.gasW = gasW;
    s.totals.energyJ[static_cast<std::size_t>(Carrier::Electricity)] += electricW * dtS;
    s.totals.energyJ[static_cast<std::size_t>(Carrier::Gas)] += gasW * dtS;
    s.totals.energyJ[static_cast<std::size_t>(Carrier::DistrictHeat)] += districtW * dtS;
    s.totals.heatingJ += heatingW * dtS;
    s.totals.coolingJ += coolingW * dtS;
    s.totals.lightingJ += lightingW * dtS;
    s.totals.plugJ += plugW * dtS;
    s.totals.itJ += hostsW * dtS;
    // Peaks from hourly-integrated loads (as ASHRAE 140 reports them).
    s.hourHeatingJ += heatingW * dtS;
    s.hourCoolingJ += coolingW * dtS;
    ++s.step;
    s.time = c.grid.timeAt(s.step);
    if ((s.time - c.grid.start()) % 3600 == 0) {
        if (s.hourHeatingJ / 3600.0 > s.totals.peakHeatingW) {
            s.totals.peakHeatingW = s.hourHeatingJ / 3600.0;
            s.totals.peakHeatingTime = s.time;
        }
        if (s.hourCoolingJ / 3600.0 > s.totals.peakCoolingW) {
            s.totals.peakCoolingW = s.hourCoolingJ / 3600.0;
            s.totals.peakCoolingTime = s.time;
        }
        s.hourHeatingJ = 0.0;
        s.hourCoolingJ = 0.0;
    }
    return {};
}

twin::Status Engine::run(const std::function<void(const Engine&)>& observer)
{
    while (!finished()) {
        if (auto s = step(); !s)
            return s;
        if (observer)
            observer(*this);
    }
    return {};
}

namespace {

// A box's points: the sum over the terminals it feeds (usually one room).
double sampleBox(const SimConfig& c, const SimState& s, Variable variable, std::uint32_t first)
{
    const auto& p = c.hvac.params;
    double flow = 0.0;
    double maxFlow = 0.0;
    double reheat = 0.0;
    double reheatMax = 0.0;
    for (auto t = first; t < c.hvac.terminals.size() && c.hvac.terminals[t].firstOfBox == first;
         ++t) {
        const auto& term = c.hvac.terminals[t];
        flow += s.hvac.flowM3s[t];
        maxFlow += term.maxFlowM3s;
        reheat += s.hvac.reheatW[t];
        // The coil's heat at the dual-maximum flow and the discharge limit.
        reheatMax += s.hvac.airRhoC * std::max(p.minFlowFraction, p.heatingMaxFlowFraction) *
                     term.maxFlowM3s * (p.reheatMaxSupplyC - p.supplyAirC);
    }
    switch (variable) {
    case Variable::VavAirFlow:
        return flow * 1000.0;
    case Variable::VavDamperCommand:
        return maxFlow > 0.0 ? flow / maxFlow * 100.0 : 0.0;
    default:
        return reheatMax > 0.0 ? std::min(100.0, reheat / reheatMax * 100.0) : 0.0;
    }
}

} // namespace

void Engine::sample(TelemetryFrame& frame) const
{
    const auto& s = m_state;
    frame.time = s.time;
    frame.samples.resize(m_config->bindings.size());
    for (std::size_t i = 0; i < m_config->bindings.size(); ++i) {
        const auto& b = m_config->bindings[i];
        double v = 0.0;
        switch (b.variable) {
        case Variable::ZoneAirTemperature:
            v = s.thetaAir[b.index];
            break;
        case Variable::ZoneHeatingSetpoint:
            v = s.heatSet[b.index];
            break;
        case Variable::ZoneCoolingSetpoint:
            v = s.coolSet[b.index];
            break;
        case Variable::ZoneCo2:
            v = s.co2[b.index];
            break;
        case Variable::ZoneOccupancy:
            v = s.people[b.index] > 0.0 ? 1.0 : 0.0;
            break;
        case Variable::ZoneOccupantCount:
            v = s.people[b.index];
            break;
        case Variable::ZoneLightLevel:
            v = s.lightLevel[b.index] * 100.0;
            break;
        case Variable::ZoneHvacPower:
            v = s.hvacW[b.index] / 1000.0;
            break;
        case Variable::OutdoorAirTemperature:
            v = s.outdoorC;
            break;
        case Variable::BuildingElectricPower:
            v = s.electricW / 1000.0;
            break;
        case Variable::BuildingElectricEnergy:
            v = s.totals.energyJ[static_cast<std::size_t>(Carrier::Electricity)] / 3.6e6;
            break;
        case Variable::BuildingGasPower:
            v = s.gasW / 1000.0;
            break;
        case Variable::BuildingGasEnergy:
            v = s.totals.energyJ[static_cast<std::size_t>(Carrier::Gas)] / 3.6e6;
            break;
        case Variable::HostPower:
            v = s.compute ? s.compute->hostPowerW(b.index) : 0.0;
            break;
        case Variable::HostUtilisation:
            v = s.compute ? s.compute->hostUtilisation(b.index) * 100.0 : 0.0;
            break;
        case Variable::VavAirFlow:
        case Variable::VavDamperCommand:
        case Variable::VavReheatValveCommand:
            v = sampleBox(*m_config, s, b.variable, b.index);
            break;
        case Variable::AhuSupplyAirTemperature:
            v = s.hvac.ahuSupplyC[b.index];
            break;
        case Variable::AhuSupplyAirTemperatureSetpoint:
            v = s.hvac.ahuSupplySetpointC[b.index];
            break;
        case Variable::AhuReturnAirTemperature:
            v = s.hvac.ahuReturnC[b.index];
            break;
        case Variable::AhuFanStatus:
            v = s.hvac.ahuFlowM3s[b.index] > 0.0 ? 1.0 : 0.0;
            break;
        case Variable::AhuFanSpeedCommand:
            v = s.hvac.ahuFlowM3s[b.index] / m_config->hvac.ahus[b.index].designFlowM3s * 100.0;
            break;
        }
        // Temperatures are simulated in °C; publish in the point's unit.
        if (!b.unit.empty() && b.unit != "°C" &&
            (b.variable == Variable::ZoneAirTemperature ||
             b.variable == Variable::ZoneHeatingSetpoint ||
             b.variable == Variable::ZoneCoolingSetpoint ||
             b.variable == Variable::OutdoorAirTemperature ||
             b.variable == Variable::AhuSupplyAirTemperature ||
             b.variable == Variable::AhuSupplyAirTemperatureSetpoint ||
             b.variable == Variable::AhuReturnAirTemperature)) {
            if (auto converted = twin::convert(v, "°C", b.unit))
                v = *converted;
        }
        // Flows are published in L/s, commands in %.
        if (!b.unit.empty() && b.variable == Variable::VavAirFlow && b.unit != "L/s") {
            if (auto converted = twin::convert(v, "L/s", b.unit))
                v = *converted;
        }
        if (!b.unit.empty() && b.unit != "%" &&
            (b.variable == Variable::VavDamperCommand ||
             b.variable == Variable::VavReheatValveCommand ||
             b.variable == Variable::AhuFanSpeedCommand)) {
            if (auto converted = twin::convert(v, "%", b.unit))
                v = *converted;
        }
        auto& sample = frame.samples[i];
        sample.point = b.point;
        sample.value = v;
        sample.quality = std::isfinite(v);
    }
}

std::uint64_t Engine::stateHash() const
{
    const auto& s = m_state;
    std::uint64_t h = 1469598103934665603ULL;
    mix(h, &s.step, sizeof s.step);
    mixVector(h, s.thetaM);
    mixVector(h, s.thetaAir);
    mixVector(h, s.thetaS);
    mixVector(h, s.co2);
    mixVector(h, s.heatSet);
    mixVector(h, s.coolSet);
    mixVector(h, s.lightLevel);
    mixVector(h, s.people);
    mixVector(h, s.hvacW);
    mix(h, s.totals.energyJ.data(), sizeof(double) * s.totals.energyJ.size());
    mix(h, &s.totals.heatingJ, sizeof(double));
    mix(h, &s.totals.coolingJ, sizeof(double));
    // Equipment mode only, so ideal-loads runs keep their hashes.
    if (!m_config->hvac.terminals.empty()) {
        const auto& hv = s.hvac;
        for (const auto* v :
             {&hv.flowM3s, &hv.dischargeC, &hv.reheatW, &hv.radiatorW, &hv.ahuFlowM3s,
              &hv.ahuSupplyC, &hv.ahuSupplySetpointC, &hv.ahuReturnC, &hv.ahuMixedC,
              &hv.ahuCoilEnteringC, &hv.ahuOutdoorFraction, &hv.ahuFanW, &hv.ahuCoolingCoilW,
              &hv.ahuPreheatW})
            mixVector(h, *v);
        mixBytes(h, hv.ahuMode);
        mixBytes(h, hv.ahuCommand);
        const auto& t = s.totals;
        for (const double* v : {&t.fanJ, &t.coolingCoilJ, &t.chillerJ, &t.reheatJ, &t.preheatJ,
                                &t.radiatorJ, &t.boilerFuelJ, &t.economizerS, &t.ahuRunS})
            mix(h, v, sizeof(double));
    }
    if (s.compute) {
        const std::uint64_t ch = s.compute->stateHash();
        mix(h, &ch, sizeof ch);
    }
    if (s.runtimes) {
        const std::uint64_t rh = s.runtimes->stateHash();
        mix(h, &rh, sizeof rh);
    }
    return h;
}

SimulatedSource::SimulatedSource(Engine& engine, Seconds interval)
    : m_engine(engine), m_interval(interval)
{
}

twin::Result<bool> SimulatedSource::next(TelemetryFrame& frame)
{
    if (m_engine.finished())
        return false;
    const Seconds start = m_engine.config().grid.start();
    do {
        if (auto s = m_engine.step(); !s)
            return s.error();
    } while (!m_engine.finished() && (m_engine.state().time - start) % m_interval != 0);
    m_engine.sample(frame);
    return true;
}

Seconds SimulatedSource::now() const
{
    return m_engine.state().time;
}

} // namespace twindesk::sim
