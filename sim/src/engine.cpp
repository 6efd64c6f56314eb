#include <twindesk/sim/compute.h>
#include <twindesk/sim/engine.h>
#include <twindesk/sim/occupancy.h>
#include <twindesk/sim/solar.h>
#include <twindesk/sim/weather.h>
#include <twindesk/twin/units.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>

namespace twindesk::sim {

namespace {

constexpr double kSigma = 5.670374419e-8; // W/(m²K⁴)
constexpr double kComfortLow = 20.0;      // °C, occupied comfort band for the discomfort KPI
constexpr double kComfortHigh = 26.0;

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

// Weekday (0 = Sunday) and hour of a local standard time.
struct LocalTime
{
    int weekday;
    int hour;
};

LocalTime localTime(Seconds utc, double tzHours)
{
    const Seconds local = utc + static_cast<Seconds>(std::llround(tzHours * 3600.0));
    Seconds days = local / 86400;
    Seconds rem = local % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    // 1970-01-01 was a Thursday (4).
    const int weekday = static_cast<int>(((days % 7) + 7 + 4) % 7);
    return {weekday, static_cast<int>(rem / 3600)};
}

bool scheduleOccupied(const ThermostatSchedule& s, LocalTime t)
{
    if (s.alwaysOccupied)
        return true;
    return s.days[static_cast<std::size_t>(t.weekday)] && t.hour >= s.startHour &&
           t.hour < s.endHour;
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
    if (c.compute) {
        s.compute = std::make_shared<ComputeCluster>(*c.compute);
        for (std::uint32_t h = 0; h < c.compute->hostCount(); ++h)
            engine->m_hostIds.emplace(c.compute->hostSpec(h).id, h);
        for (std::uint32_t v = 0; v < c.compute->vmCount(); ++v)
            engine->m_vmIds.emplace(c.compute->vmSpec(v).id, v);
    }
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
        const bool zone = std::any_of(c.zones.begin(), c.zones.end(),
                                      [&](const ZoneConfig& z) { return z.id == action.target; });
        if (!zone)
            return twin::makeError(twin::ErrorCode::InvalidArgument,
                                   "SetMode: '" + action.target + "' is not a simulated zone");
        if (action.text != "on" && action.text != "off")
            return twin::makeError(twin::ErrorCode::InvalidArgument,
                                   "SetMode: zone conditioning modes are 'on' and 'off', not '" +
                                       action.text + "'");
        break;
    }
    case ActionKind::MigrateVm:
    case ActionKind::PowerHost:
    case ActionKind::Throttle:
        if (!m_state.compute)
            return twin::makeError(twin::ErrorCode::InvalidArgument,
                                   std::string(actionKindName(action.kind)) +
                                       ": the scenario simulates no compute hosts");
        break;
    }
    m_state.pending.push_back(action);
    return {};
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
    switch (a.kind) {
    case ActionKind::SetSetpoint: {
        const auto* b = binding();
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
        return {};
    }
    case ActionKind::Dim:
    case ActionKind::Switch: {
        const auto* b = binding();
        s.lightLevel[b->index] = a.kind == ActionKind::Switch ? a.value : a.value / 100.0;
        return {};
    }
    case ActionKind::SetMode:
        for (std::size_t z = 0; z < c.zones.size(); ++z)
            if (c.zones[z].id == a.target)
                s.hvacOn[z] = a.text == "on" ? 1 : 0;
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
    case ActionKind::Throttle:
        return twin::makeError(twin::ErrorCode::InvalidArgument,
                               "Throttle is not simulated yet for '" + a.target + "'");
    }
    return {};
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
    const double dtS = static_cast<double>(dt);

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
    const double hostsW = s.compute ? s.compute->totalPowerW() : 0.0;

    for (std::size_t z = 0; z < c.zones.size(); ++z) {
        const auto& zc = c.zones[z];
        // 3. occupancy
        double people = 0.0;
        if (c.occupancy && z < c.occupancyRoomOfZone.size() &&
            c.occupancyRoomOfZone[z] != static_cast<std::uint32_t>(-1))
            people = c.occupancy->people(c.occupancyRoomOfZone[z], s.step);
        s.people[z] = people;
        const bool occupied = people > 0.0;

        // 4. internal gains (lights follow occupancy unless commanded by a policy)
        const bool scheduled = scheduleOccupied(zc.schedule, local);
        // Rooms whose people are simulated follow them; the others follow the schedule.
        const bool inUse = zc.occupancyModelled ? occupied : scheduled;
        if (c.scheduleEnabled)
            s.lightLevel[z] = inUse ? 1.0 : 0.0;
        const double lights = zc.lightingWPerM2 * zc.thermal.floorAreaM2 * s.lightLevel[z];
        const double plugs =
            zc.plugWPerM2 * zc.thermal.floorAreaM2 * (inUse ? 1.0 : zc.plugBaseFraction);
        double it = 0.0;
        if (s.compute)
            for (auto h : zc.hosts)
                it += s.compute->hostPowerW(h);
        const double phiInt = zc.fixedGainW + people * zc.sensibleWPerPerson + lights + plugs + it;
        lightingW += lights;
        plugW += plugs;

        // 5. thermostat schedule
        if (c.scheduleEnabled) {
            s.heatSet[z] = scheduled ? zc.schedule.occupiedHeating : zc.schedule.unoccupiedHeating;
            s.coolSet[z] = scheduled ? zc.schedule.occupiedCooling : zc.schedule.unoccupiedCooling;
        }

        // 6–7. ventilation, solar, HVAC and the thermal network
        double ventM3s = zc.infiltrationAch * zc.thermal.volumeM3 / 3600.0;
        if (occupied && zc.conditioned)
            ventM3s += (people * zc.outdoorAirLpsPerPerson +
                        zc.outdoorAirLpsPerM2 * zc.thermal.floorAreaM2) /
                       1000.0;
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
        if (zc.conditioned && s.hvacOn[z] != 0U) {
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
                                   "numerical blow-up in zone '" + zc.id + "' at " + formatUtc(t0) +
                                       " (check its envelope and gains)");
        }
        s.thetaM[z] = r.thetaMEnd;
        s.thetaAir[z] = r.thetaAir;
        s.thetaS[z] = r.thetaS;
        s.hvacW[z] = r.phiHc;
        if (r.phiHc > 0.0) {
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
        const double gen = people * zc.co2LpsPerPerson / 1000.0 * 1e6; // ppm·m³/s
        const double q = ventM3s;
        const double vol = zc.thermal.volumeM3;
        const double eq = q > 0.0 ? c.outdoorCo2Ppm + gen / q : s.co2[z];
        s.co2[z] =
            q > 0.0 ? eq + (s.co2[z] - eq) * std::exp(-q * dtS / vol) : s.co2[z] + gen * dtS / vol;

        // KPIs over occupied time
        if (inUse && zc.comfortTracked) {
            const double below = std::max(0.0, kComfortLow - r.thetaAir);
            const double above = std::max(0.0, r.thetaAir - kComfortHigh);
            s.totals.discomfortKh += (below + above) * dtS / 3600.0;
        }
        s.totals.co2PpmH += std::max(0.0, s.co2[z] - 1000.0) * dtS / 3600.0;
        s.totals.minAirC = std::min(s.totals.minAirC, r.thetaAir);
        s.totals.maxAirC = std::max(s.totals.maxAirC, r.thetaAir);
        s.totals.sumAirCSteps += r.thetaAir;
    }

    // 8. compute hosts
    if (s.compute) {
        if (auto st = s.compute->step(t0, dt); !st)
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
        }
        // Temperatures are simulated in °C; publish in the point's unit.
        if (!b.unit.empty() && b.unit != "°C" &&
            (b.variable == Variable::ZoneAirTemperature ||
             b.variable == Variable::ZoneHeatingSetpoint ||
             b.variable == Variable::ZoneCoolingSetpoint ||
             b.variable == Variable::OutdoorAirTemperature)) {
            if (auto converted = twin::convert(v, "°C", b.unit))
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
    if (s.compute) {
        const std::uint64_t ch = s.compute->stateHash();
        mix(h, &ch, sizeof ch);
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
