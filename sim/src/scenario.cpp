#include "json_reader.h"
#include "scenario_runtimes.h"

#include <twindesk/sim/calendar.h>
#include <twindesk/sim/compute.h>
#include <twindesk/sim/occupancy.h>
#include <twindesk/sim/scenario.h>
#include <twindesk/sim/weather.h>
#include <twindesk/twin/brick_import.h>
#include <twindesk/twin/project_store.h>
#include <twindesk/twin/units.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <numbers>
#include <random>
#include <sstream>

namespace twindesk::sim {

namespace fs = std::filesystem;
using json::Json;
using json::ObjectReader;

namespace {

constexpr double kSigma = 5.670374419e-8;
constexpr std::uint32_t kNoRoom = static_cast<std::uint32_t>(-1);

/// Defaults per room use: lighting and plug power densities (W/m²), floor area per person.
struct UseDefaults
{
    const char* use;
    double lightingWPerM2;
    double plugWPerM2;
    double m2PerPerson;
    bool perimeter;
    bool conditioned;
};

constexpr std::array kUseDefaults{
    UseDefaults{"office", 9.0, 10.0, 10.0, true, true},
    UseDefaults{"conference", 10.0, 5.0, 2.5, true, true},
    UseDefaults{"server_room", 6.0, 0.0, 0.0, false, true},
    UseDefaults{"corridor", 5.0, 0.0, 0.0, false, true},
    UseDefaults{"restroom", 6.0, 0.0, 0.0, false, true},
    UseDefaults{"kitchen", 8.0, 20.0, 5.0, true, true},
    UseDefaults{"storage", 4.0, 0.0, 0.0, false, false},
    UseDefaults{"lobby", 8.0, 2.0, 10.0, true, true},
    UseDefaults{"plant", 4.0, 0.0, 0.0, false, false},
    UseDefaults{"other", 8.0, 5.0, 10.0, false, true},
    UseDefaults{"unknown", 8.0, 5.0, 10.0, false, true},
};

const UseDefaults& defaultsFor(const std::string& use)
{
    for (const auto& d : kUseDefaults)
        if (use == d.use)
            return d;
    return kUseDefaults.back();
}

// Expands ${anchors}; resolves relative paths against the scenario's folder.
twin::Result<fs::path> resolvePath(const std::string& text, const fs::path& base,
                                   const fs::path& anchors, const std::string& where)
{
    std::string s = text;
    const std::string var = "${anchors}";
    if (const auto pos = s.find(var); pos != std::string::npos) {
        fs::path dir = anchors;
        if (dir.empty())
            // NOLINTNEXTLINE(concurrency-mt-unsafe): nothing sets the environment meanwhile
            if (const char* env = std::getenv("TWINDESK_ANCHORS_DIR");
                env != nullptr && *env != '\0')
                dir = env;
        if (dir.empty())
            return twin::makeError(twin::ErrorCode::NotFound,
                                   "'" + text +
                                       "' uses ${anchors} but the shared data folder is not "
                                       "known: set TWINDESK_ANCHORS_DIR or pass --anchors DIR",
                                   where);
        s.replace(pos, var.size(), dir.string());
    }
    fs::path p(s);
    if (p.is_relative())
        p = base / p;
    std::error_code ec;
    if (!fs::exists(p, ec))
        return twin::makeError(twin::ErrorCode::NotFound,
                               "file not found: " + p.lexically_normal().string(), where);
    return p.lexically_normal();
}

void applyOverride(Json& root, const std::string& key, const std::string& value)
{
    Json* node = &root;
    std::stringstream ss(key);
    std::string part;
    std::vector<std::string> parts;
    while (std::getline(ss, part, '.'))
        parts.push_back(part);
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const bool last = i + 1 == parts.size();
        const auto& p = parts[i];
        if (node->is_array() && !p.empty() && std::all_of(p.begin(), p.end(), ::isdigit)) {
            const auto idx = std::stoul(p);
            while (node->size() <= idx)
                node->push_back(Json::object());
            node = &(*node)[idx];
        } else {
            if (!node->is_object())
                *node = Json::object();
            node = &(*node)[p];
        }
        if (last) {
            Json parsed = Json::parse(value, nullptr, false);
            *node = parsed.is_discarded() ? Json(value) : parsed;
        }
    }
}

class OrientationTable
{
public:
    std::uint16_t index(double tilt, double azimuth)
    {
        // Vertical and tilted surfaces keep their azimuth; horizontal ones have none.
        if (std::abs(tilt) < 1e-9 || std::abs(tilt - 180.0) < 1e-9)
            azimuth = 0.0;
        for (std::size_t i = 0; i < m_list.size(); ++i)
            if (std::abs(m_list[i].first - tilt) < 1e-9 &&
                std::abs(m_list[i].second - azimuth) < 1e-9)
                return static_cast<std::uint16_t>(i);
        m_list.emplace_back(tilt, azimuth);
        return static_cast<std::uint16_t>(m_list.size() - 1);
    }
    std::vector<std::pair<double, double>> take() { return std::move(m_list); }

private:
    std::vector<std::pair<double, double>> m_list;
};

void addSolar(std::vector<std::pair<std::uint16_t, double>>& list, std::uint16_t o, double coef)
{
    for (auto& [orientation, c] : list)
        if (orientation == o) {
            c += coef;
            return;
        }
    list.emplace_back(o, coef);
}

// Solar and sky-radiation coefficients of a zone from its envelope (ISO 13790 §11.3).
void solarCoefficients(const ZoneEnvelope& env, double outsideFilm, OrientationTable& table,
                       ZoneConfig& zone)
{
    const double rse = 1.0 / outsideFilm;
    const double tMean = 283.15;
    for (const auto& o : env.opaque) {
        if (!o.exterior || !o.sunlit)
            continue;
        const auto idx = table.index(o.tiltDeg, o.azimuthDeg);
        addSolar(zone.opaqueSolar, idx, o.solarAbsorptance * rse * o.uValue * o.areaM2);
        const double hr = 4.0 * kSigma * o.emissivity * tMean * tMean * tMean;
        const double fr = (1.0 + std::cos(o.tiltDeg * std::numbers::pi / 180.0)) / 2.0;
        zone.skyLoss += rse * o.uValue * o.areaM2 * hr * fr;
    }
    for (const auto& w : env.windows) {
        const auto idx = table.index(w.tiltDeg, w.azimuthDeg);
        addSolar(zone.windowSolar, idx, w.areaM2 * w.shgc * w.shading);
        const double hr = 4.0 * kSigma * 0.84 * tMean * tMean * tMean;
        const double fr = (1.0 + std::cos(w.tiltDeg * std::numbers::pi / 180.0)) / 2.0;
        zone.skyLoss += rse * w.uValue * w.areaM2 * hr * fr;
    }
}

void readHvac(ObjectReader& r, ZoneConfig& z)
{
    auto& s = z.schedule;
    z.conditioned = r.boolean("conditioned", z.conditioned);
    const auto schedule =
        r.choice("schedule", s.alwaysOccupied ? "constant" : "office", {"constant", "office"});
    s.alwaysOccupied = schedule == "constant";
    s.occupiedHeating = r.number("heating_setpoint_c", s.occupiedHeating, -50, 60);
    s.occupiedCooling = r.number("cooling_setpoint_c", s.occupiedCooling, -50, 60);
    s.unoccupiedHeating = r.number(
        "setback_heating_c", s.alwaysOccupied ? s.occupiedHeating : s.unoccupiedHeating, -50, 60);
    s.unoccupiedCooling = r.number(
        "setback_cooling_c", s.alwaysOccupied ? s.occupiedCooling : s.unoccupiedCooling, -50, 60);
    s.startHour = static_cast<int>(r.integer("occupied_from_h", s.startHour, 0, 23));
    s.endHour = static_cast<int>(r.integer("occupied_to_h", s.endHour, 1, 24));
    if (s.occupiedCooling < s.occupiedHeating)
        r.fail(r.pathOf("cooling_setpoint_c"),
               "the cooling setpoint is below the heating setpoint");
    z.loads.maxHeatingW = r.number("max_heating_w", z.loads.maxHeatingW, 0, 1e12);
    z.loads.maxCoolingW = r.number("max_cooling_w", z.loads.maxCoolingW, 0, 1e12);
    z.loads.heatingAvailable = r.boolean("heating", z.loads.heatingAvailable);
    z.loads.coolingAvailable = r.boolean("cooling", z.loads.coolingAvailable);
    const auto carrier = r.choice("heating_carrier", std::string(carrierName(z.heatingCarrier)),
                                  {"electricity", "gas", "district_heat"});
    z.heatingCarrier = carrier == "gas"             ? Carrier::Gas
                       : carrier == "district_heat" ? Carrier::DistrictHeat
                                                    : Carrier::Electricity;
    z.heatingEfficiency = r.number("heating_efficiency", z.heatingEfficiency, 0.05, 10);
    z.coolingCop = r.number("cooling_cop", z.coolingCop, 0.05, 20);
    r.rejectUnknown();
}

// The top-level "hvac" object: ideal loads or equipment mode, and the equipment's parameters.
HvacParams readHvacParams(ObjectReader& r)
{
    HvacParams p;
    p.mode = r.choice("mode", "ideal", {"ideal", "vav"}) == "vav" ? HvacMode::Vav : HvacMode::Ideal;
    p.supplyAirC = r.number("supply_air_c", p.supplyAirC, 4, 25);
    p.reheatMaxSupplyC = r.number("reheat_max_supply_c", p.reheatMaxSupplyC, 10, 60);
    p.minFlowFraction = r.number("min_flow_fraction", p.minFlowFraction, 0, 1);
    const bool heatingMaxGiven = r.has("heating_max_flow_fraction");
    p.heatingMaxFlowFraction =
        r.number("heating_max_flow_fraction", p.heatingMaxFlowFraction, 0, 1);
    p.designFlowLpsPerM2 = r.number("design_flow_lps_per_m2", p.designFlowLpsPerM2, 0.1, 100);
    p.fanDesignPressurePa = r.number("fan_design_pressure_pa", p.fanDesignPressurePa, 0, 10000);
    p.fanEfficiency = r.number("fan_efficiency", p.fanEfficiency, 0.05, 1);
    p.fanCurve = r.choice("fan_curve", "ashrae90.1", {"ashrae90.1", "cubic"}) == "cubic"
                     ? FanCurve::Cubic
                     : FanCurve::AshraeAppendixG;
    p.minOutdoorAirFraction = r.number("min_outdoor_air_fraction", p.minOutdoorAirFraction, 0, 1);
    p.economizer = r.boolean("economizer", p.economizer);
    p.economizerLowLimitC = r.number("economizer_low_limit_c", p.economizerLowLimitC, -60, 40);
    p.chillerCop = r.number("chiller_cop", p.chillerCop, 0.5, 20);
    p.chillerRatingOutdoorC =
        r.number("chiller_rating_outdoor_c", p.chillerRatingOutdoorC, -20, 60);
    p.chillerCopSlopePerK = r.number("chiller_cop_slope_per_k", p.chillerCopSlopePerK, 0, 0.2);
    p.boilerEfficiency = r.number("boiler_efficiency", p.boilerEfficiency, 0.05, 1);
    const auto carrier = r.choice("boiler_carrier", "gas", {"gas", "electricity", "district_heat"});
    p.boilerCarrier = carrier == "gas"             ? Carrier::Gas
                      : carrier == "district_heat" ? Carrier::DistrictHeat
                                                   : Carrier::Electricity;
    p.noReheatHeating =
        r.choice("heating_without_reheat", "radiator", {"radiator", "none"}) == "none"
            ? NoReheatHeating::None
            : NoReheatHeating::Radiator;
    p.nightCycle = r.boolean("night_cycle", p.nightCycle);
    r.rejectUnknown();
    if (!(p.reheatMaxSupplyC > p.supplyAirC))
        r.fail(r.pathOf("reheat_max_supply_c"),
               "the reheat discharge limit must be above supply_air_c (" +
                   ObjectReader::fmt(p.supplyAirC) + " °C)");
    if (heatingMaxGiven && p.heatingMaxFlowFraction < p.minFlowFraction)
        r.fail(r.pathOf("heating_max_flow_fraction"),
               "the heating maximum must not be below min_flow_fraction (" +
                   ObjectReader::fmt(p.minFlowFraction) + ")");
    return p;
}

// A zone's own VAV box ("vav": {...} in an explicit zone).
struct ExplicitVav
{
    bool reheat = true;
    double maxFlowLps = 0.0; // 0: design_flow_lps_per_m2 × floor area
};

// One explicitly described zone ("zones": [...]).
void readExplicitZone(ObjectReader& r, const std::string& file, OrientationTable& table,
                      std::optional<twin::Error>& error, ZoneConfig& z,
                      std::optional<ExplicitVav>& vav)
{
    z.id = r.string("id", "", true);
    z.name = r.string("name", z.id);
    z.use = r.string("use", "other");
    ZoneEnvelope env;
    env.floorAreaM2 = r.number("floor_area_m2", 0, 1e-3, 1e7, true);
    env.volumeM3 = r.number("volume_m3", 0, 1e-3, 1e8, true);
    env.internalAreaM2 = r.number("internal_area_m2", 0, 0, 1e8);
    env.furnitureCapacity = r.number("furniture_capacity_j_k", 0, 0, 1e12);
    const double film = r.number("outside_film_w_m2k", 25.0, 1, 1000);
    z.infiltrationAch = r.number("infiltration_ach", 0.5, 0, 100);
    z.fixedGainW = r.number("internal_gains_w", 0, 0, 1e9);
    z.convectiveFraction = r.number("convective_fraction", 0.5, 0, 1);
    z.lightingWPerM2 = r.number("lighting_w_m2", 0, 0, 1000);
    z.plugWPerM2 = r.number("plug_w_m2", 0, 0, 10000);
    z.capacity = static_cast<int>(r.integer("capacity", 0, 0, 100000));
    if (const Json* list = r.raw("opaque")) {
        if (!list->is_array())
            r.fail(r.pathOf("opaque"), "expected an array of opaque elements");
        else
            for (std::size_t i = 0; i < list->size(); ++i) {
                ObjectReader o((*list)[i], file, r.pathOf("opaque") + "/" + std::to_string(i),
                               &error);
                OpaqueElement e;
                e.areaM2 = o.number("area_m2", 0, 0, 1e7, true);
                e.uValue = o.number("u", 0, 0, 100, true);
                e.kappa = o.number("kappa_j_m2k", 0, 0, 1e7);
                e.solarAbsorptance = o.number("absorptance", 0.6, 0, 1);
                e.emissivity = o.number("emissivity", 0.9, 0, 1);
                e.tiltDeg = o.number("tilt_deg", 90, 0, 180);
                e.azimuthDeg = o.number("azimuth_deg", 180, 0, 360);
                e.exterior = o.boolean("exterior", true);
                e.sunlit = o.boolean("sunlit", e.exterior);
                o.string("name", "");
                o.rejectUnknown();
                env.opaque.push_back(e);
            }
    }
    if (const Json* list = r.raw("windows")) {
        if (!list->is_array())
            r.fail(r.pathOf("windows"), "expected an array of windows");
        else
            for (std::size_t i = 0; i < list->size(); ++i) {
                ObjectReader o((*list)[i], file, r.pathOf("windows") + "/" + std::to_string(i),
                               &error);
                WindowElement w;
                w.areaM2 = o.number("area_m2", 0, 0, 1e7, true);
                w.uValue = o.number("u", 0, 0, 100, true);
                w.shgc = o.number("shgc", 0, 0, 1, true);
                w.tiltDeg = o.number("tilt_deg", 90, 0, 180);
                w.azimuthDeg = o.number("azimuth_deg", 180, 0, 360);
                w.shading = o.number("shading", 1.0, 0, 1);
                o.string("name", "");
                o.rejectUnknown();
                env.windows.push_back(w);
            }
    }
    if (env.internalAreaM2 <= 0.0) {
        double area = 0.0;
        for (const auto& o : env.opaque)
            area += o.areaM2;
        for (const auto& w : env.windows)
            area += w.areaM2;
        env.internalAreaM2 = area;
    }
    z.schedule.alwaysOccupied = true;
    if (const Json* hvac = r.raw("hvac")) {
        ObjectReader h(*hvac, file, r.pathOf("hvac"), &error);
        readHvac(h, z);
    }
    if (const Json* box = r.raw("vav")) {
        ObjectReader v(*box, file, r.pathOf("vav"), &error);
        ExplicitVav spec;
        spec.reheat = v.boolean("reheat", spec.reheat);
        spec.maxFlowLps = v.number("max_flow_lps", 0, 0.1, 1e6);
        v.rejectUnknown();
        if (!z.conditioned)
            r.fail(r.pathOf("vav"), "a VAV box needs a conditioned zone (hvac.conditioned)");
        vav = spec;
    }
    r.rejectUnknown();
    if (error)
        return;
    auto params = deriveThermalParams(env);
    if (!params) {
        r.fail(r.path(), params.error().message);
        return;
    }
    z.thermal = *params;
    solarCoefficients(env, film, table, z);
}

struct BuildingDefaults
{
    double wallU = 0.35;
    double roofU = 0.25;
    double windowU = 1.8;
    double shgc = 0.40;
    double windowToWall = 0.35;
    double wallKappa = 60e3;
    double floorKappa = 60e3;
    double ceilingKappa = 10e3;
    double furniturePerM2 = 10e3;
    double infiltrationAch = 0.3;
    // The built-in thermostat schedule of the rooms kept comfortable (not storage, plant or the
    // server room): ThermostatSchedule's values unless the scenario says otherwise.
    ThermostatSchedule comfort;
};

std::string lowerLocal(const std::string& iri)
{
    std::string s(twin::localName(iri));
    for (auto& ch : s)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
}

bool classHas(const twin::Entity& e, std::initializer_list<const char*> words)
{
    for (const auto& c : e.classes) {
        const auto l = lowerLocal(c);
        bool all = true;
        for (const char* w : words)
            all = all && l.find(w) != std::string::npos;
        if (all)
            return true;
    }
    return false;
}

bool isVav(const twin::Entity& e)
{
    return e.equipmentType == twin::EquipmentType::Vav || (e.categories & twin::kCatVav) != 0U;
}

// Equipment mode from a Brick building: AHU → VAV → (HVAC zone →) room, through the twin graph.
struct BrickHvac
{
    std::map<twin::EntityIndex, std::uint32_t> boxOfVav; // VAV → its first terminal
    std::map<twin::EntityIndex, std::uint32_t> ahuOf;    // AHU → index
};

BrickHvac hvacFromBrick(const twin::TwinGraph& g,
                        const std::map<twin::EntityIndex, std::size_t>& zoneOfRoom,
                        SimConfig& config, std::vector<std::string>& warnings)
{
    BrickHvac out;
    auto& hv = config.hvac;
    const auto& p = hv.params;
    hv.terminalOfZone.resize(config.zones.size(), kNoTerminal);
    std::map<twin::EntityIndex, bool> reached; // VAVs fed by some AHU
    for (auto ahuEntity : g.equipmentOfType(twin::EquipmentType::Ahu)) {
        // The VAVs this AHU feeds, directly or through other distribution equipment.
        std::vector<twin::EntityIndex> vavs;
        std::vector<twin::EntityIndex> queue{ahuEntity};
        std::map<twin::EntityIndex, bool> seen{{ahuEntity, true}};
        for (std::size_t i = 0; i < queue.size(); ++i)
            for (auto next : g.outgoing(queue[i], twin::Relation::Feeds)) {
                if (seen[next])
                    continue;
                seen[next] = true;
                if (isVav(g.entity(next)))
                    vavs.push_back(next);
                else if (g.entity(next).kind == twin::EntityKind::Equipment)
                    queue.push_back(next);
            }
        AirHandler ahu;
        ahu.id = g.entity(ahuEntity).id;
        ahu.firstTerminal = static_cast<std::uint32_t>(hv.terminals.size());
        const auto ahuIndex = static_cast<std::uint32_t>(hv.ahus.size());
        for (auto vav : vavs) {
            const auto& ve = g.entity(vav);
            if (reached[vav]) {
                warnings.push_back("VAV '" + ve.id +
                                   "' is fed by more than one AHU; it stays on the first");
                continue;
            }
            reached[vav] = true;
            bool reheat = classHas(ve, {"reheat"}) || classHas(ve, {"rvav"});
            for (auto part : g.outgoing(vav, twin::Relation::HasPart))
                reheat = reheat || classHas(g.entity(part), {"reheat"});
            const auto first = static_cast<std::uint32_t>(hv.terminals.size());
            for (auto fed : g.zonesFedBy(vav)) {
                const auto it = zoneOfRoom.find(fed);
                if (it == zoneOfRoom.end())
                    continue;
                const auto z = it->second;
                if (!config.zones[z].conditioned)
                    continue;
                if (hv.terminalOfZone[z] != kNoTerminal) {
                    warnings.push_back("room '" + config.zones[z].id +
                                       "' is fed by more than one VAV; it stays on '" +
                                       hv.terminals[hv.terminalOfZone[z]].id + "'");
                    continue;
                }
                VavTerminal t;
                t.id = ve.id;
                t.ahu = ahuIndex;
                t.zone = static_cast<std::uint32_t>(z);
                t.firstOfBox = first;
                t.maxFlowM3s = p.designFlowLpsPerM2 * config.zones[z].thermal.floorAreaM2 / 1000.0;
                t.reheat = reheat;
                hv.terminalOfZone[z] = static_cast<std::uint32_t>(hv.terminals.size());
                hv.terminals.push_back(std::move(t));
            }
            if (hv.terminals.size() == first)
                warnings.push_back("VAV '" + ve.id + "' feeds no conditioned room");
            else
                out.boxOfVav[vav] = first;
        }
        ahu.endTerminal = static_cast<std::uint32_t>(hv.terminals.size());
        if (ahu.endTerminal == ahu.firstTerminal)
            continue; // an AHU without boxes (e.g. a DOAS) is not simulated
        for (auto t = ahu.firstTerminal; t < ahu.endTerminal; ++t)
            ahu.designFlowM3s += hv.terminals[t].maxFlowM3s;
        ahu.designFanW = p.fanDesignPressurePa * ahu.designFlowM3s / p.fanEfficiency;
        out.ahuOf[ahuEntity] = ahuIndex;
        hv.ahus.push_back(std::move(ahu));
    }
    for (auto e : g.entitiesOfKind(twin::EntityKind::Equipment))
        if (isVav(g.entity(e)) && !reached[e])
            warnings.push_back("VAV '" + g.entity(e).id +
                               "' is fed by no AHU: the rooms it feeds keep ideal loads");
    return out;
}

// The equipment-mode points of a Brick building: VAV flow, damper and reheat valve; AHU supply
// and return air temperatures, supply setpoint, fan status and speed.
std::optional<std::pair<Variable, std::uint32_t>> equipmentVariable(const twin::TwinGraph& g,
                                                                    const BrickHvac& hvac,
                                                                    twin::EntityIndex owner,
                                                                    const twin::Entity& point)
{
    if (hvac.boxOfVav.empty() && hvac.ahuOf.empty())
        return std::nullopt; // ideal-loads mode
    if (const auto it = hvac.boxOfVav.find(owner); it != hvac.boxOfVav.end()) {
        if (classHas(point, {"air_flow"}))
            return std::pair{Variable::VavAirFlow, it->second};
        if (classHas(point, {"damper"}))
            return std::pair{Variable::VavDamperCommand, it->second};
        if (classHas(point, {"valve"}))
            return std::pair{Variable::VavReheatValveCommand, it->second};
        return std::nullopt;
    }
    auto ahuPoint = [&](std::uint32_t ahu) -> std::optional<std::pair<Variable, std::uint32_t>> {
        if (classHas(point, {"supply_air_temperature", "setpoint"}) ||
            classHas(point, {"discharge_air_temperature", "setpoint"}))
            return std::pair{Variable::AhuSupplyAirTemperatureSetpoint, ahu};
        if (classHas(point, {"supply_air_temperature", "sensor"}) ||
            classHas(point, {"discharge_air_temperature", "sensor"}))
            return std::pair{Variable::AhuSupplyAirTemperature, ahu};
        if (classHas(point, {"return_air_temperature", "sensor"}))
            return std::pair{Variable::AhuReturnAirTemperature, ahu};
        if (classHas(point, {"fan", "status"}))
            return std::pair{Variable::AhuFanStatus, ahu};
        if (classHas(point, {"fan", "speed"}))
            return std::pair{Variable::AhuFanSpeedCommand, ahu};
        return std::nullopt;
    };
    if (const auto it = hvac.ahuOf.find(owner); it != hvac.ahuOf.end())
        return ahuPoint(it->second);
    // Points of parts: a VAV's reheat valve, an AHU's supply fan.
    for (auto parent : g.incoming(owner, twin::Relation::HasPart)) {
        if (const auto it = hvac.boxOfVav.find(parent);
            it != hvac.boxOfVav.end() && classHas(point, {"valve"}))
            return std::pair{Variable::VavReheatValveCommand, it->second};
        if (const auto it = hvac.ahuOf.find(parent); it != hvac.ahuOf.end()) {
            if (classHas(point, {"status"}))
                return std::pair{Variable::AhuFanStatus, it->second};
            if (classHas(point, {"speed"}))
                return std::pair{Variable::AhuFanSpeedCommand, it->second};
        }
    }
    return std::nullopt;
}

} // namespace

twin::Result<Seconds> parseDateTime(const std::string& text, double siteTzHours)
{
    int y = 0;
    int mo = 0;
    int d = 0;
    int h = 0;
    int mi = 0;
    int s = 0;
    char rest[16] = {};
    const int n =
        std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%15s", &y, &mo, &d, &h, &mi, &s, rest);
    if (n < 6) { // no seconds: "2025-01-01T00:00[suffix]"
        rest[0] = '\0';
        const int m =
            std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d%15s", &y, &mo, &d, &h, &mi, rest);
        if (m < 5)
            return twin::makeError(twin::ErrorCode::ParseError,
                                   "'" + text + "' is not a date-time like 2025-01-01T00:00");
        s = 0;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 24 || mi < 0 || mi > 59 || s < 0 ||
        s > 59)
        return twin::makeError(twin::ErrorCode::ParseError, "'" + text + "' is out of range");
    Seconds local = utcSeconds(y, mo, d, h, mi, s);
    std::string tail(rest);
    if (tail.empty())
        return local - static_cast<Seconds>(std::llround(siteTzHours * 3600.0));
    if (tail == "Z")
        return local;
    int oh = 0;
    int om = 0;
    if ((tail[0] == '+' || tail[0] == '-') &&
        std::sscanf(tail.c_str() + 1, "%2d:%2d", &oh, &om) == 2) {
        const Seconds offset = (Seconds{oh} * 3600 + Seconds{om} * 60) * (tail[0] == '-' ? -1 : 1);
        return local - offset;
    }
    return twin::makeError(twin::ErrorCode::ParseError,
                           "'" + text + "' has an unknown time-zone suffix '" + tail + "'");
}

namespace {

// The file's JSON with the overrides applied, not yet validated.
twin::Result<Json> readScenarioJson(const fs::path& file,
                                    const std::vector<std::pair<std::string, std::string>>& overrides)
{
    const std::string name = file.string();
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return twin::makeError(twin::ErrorCode::NotFound, "scenario file not found or unreadable",
                               name);
    std::stringstream buffer;
    buffer << in.rdbuf();
    Json root;
    try {
        root = Json::parse(buffer.str());
    } catch (const Json::parse_error& e) {
        return twin::makeError(twin::ErrorCode::ParseError,
                               std::string("not valid JSON: ") + e.what(), name);
    }
    for (const auto& [key, value] : overrides)
        applyOverride(root, key, value);
    return root;
}

} // namespace

twin::Result<std::string>
scenarioJson(const fs::path& file, const std::vector<std::pair<std::string, std::string>>& overrides)
{
    auto root = readScenarioJson(file, overrides);
    if (!root)
        return root.error();
    return root->dump(2);
}

twin::Result<Scenario> loadScenario(const fs::path& file, const ScenarioOptions& options)
{
    const std::string name = file.string();
    auto read = readScenarioJson(file, options.overrides);
    if (!read)
        return read.error();
    Json root = std::move(read).value();

    const fs::path base = file.parent_path();
    std::optional<twin::Error> error;
    ObjectReader r(root, name, "", &error);
    Scenario scenario;
    scenario.file = file;
    auto config = std::make_shared<SimConfig>();
    scenario.name = r.string("name", file.stem().string());
    scenario.description = r.string("description", "");
    config->name = scenario.name;
    config->seed = static_cast<std::uint64_t>(r.integer("seed", 0, 0, INT64_MAX));
    const auto step = r.integer("step_s", 60, 1, 3600);
    if (error)
        return *error;

    // Weather first: the site time zone interprets the period.
    double tz = 0.0;
    if (const Json* w = r.raw("weather")) {
        if (!w->is_string())
            return twin::makeError(twin::ErrorCode::ParseError, "expected a path to an EPW file",
                                   name + ": /weather");
        auto path =
            resolvePath(w->get<std::string>(), base, options.anchorsDir, name + ": /weather");
        if (!path)
            return path.error();
        auto weather = WeatherFile::load(*path);
        if (!weather)
            return weather.error();
        tz = weather->location().timeZoneHours;
        config->weather = std::make_shared<const WeatherFile>(std::move(weather).value());
    }

    Seconds start = 0;
    Seconds end = 0;
    if (const Json* p = r.raw("period")) {
        ObjectReader pr(*p, name, "/period", &error);
        const auto s = pr.string("start", "", true);
        const auto e = pr.string("end", "", true);
        pr.rejectUnknown();
        if (error)
            return *error;
        auto ps = parseDateTime(s, tz);
        if (!ps)
            return twin::makeError(twin::ErrorCode::ParseError, ps.error().message,
                                   name + ": /period/start");
        auto pe = parseDateTime(e, tz);
        if (!pe)
            return twin::makeError(twin::ErrorCode::ParseError, pe.error().message,
                                   name + ": /period/end");
        start = *ps;
        end = *pe;
    } else {
        return twin::makeError(twin::ErrorCode::ParseError,
                               "missing required object 'period' {start, end}", name + ": /period");
    }
    auto grid = TimeGrid::make(start, end, step);
    if (!grid)
        return twin::makeError(twin::ErrorCode::ParseError, grid.error().message,
                               name + ": /step_s");
    config->grid = *grid;

    if (const Json* site = r.raw("site")) {
        ObjectReader sr(*site, name, "/site", &error);
        config->groundAlbedo = sr.number("ground_albedo", 0.2, 0, 1);
        config->perezSky = sr.choice("sky_model", "perez", {"perez", "isotropic"}) == "perez";
        config->outdoorCo2Ppm = sr.number("outdoor_co2_ppm", 420, 0, 5000);
        config->initialTemperature = sr.number("initial_temperature_c", 20, -50, 60);
        sr.rejectUnknown();
    }

    if (const Json* hj = r.raw("hvac")) {
        ObjectReader hr(*hj, name, "/hvac", &error);
        config->hvac.params = readHvacParams(hr);
        if (error)
            return *error;
    }
    const bool equipmentMode = config->hvac.params.mode == HvacMode::Vav;

    OrientationTable orientations;
    std::vector<std::optional<ExplicitVav>> explicitVav; // per explicit zone
    if (const Json* zones = r.raw("zones")) {
        if (!zones->is_array() || zones->empty())
            return twin::makeError(twin::ErrorCode::ParseError,
                                   "expected a non-empty array of zones", name + ": /zones");
        for (std::size_t i = 0; i < zones->size(); ++i) {
            ObjectReader zr((*zones)[i], name, "/zones/" + std::to_string(i), &error);
            ZoneConfig z;
            std::optional<ExplicitVav> vav;
            // "count": N replicates the zone (ids suffixed #1..#N): what-if and benchmark
            // buildings without N copies of the same JSON.
            const auto count = zr.integer("count", 1, 1, 100000);
            readExplicitZone(zr, name, orientations, error, z, vav);
            if (error)
                return *error;
            if (count == 1) {
                config->zones.push_back(std::move(z));
                explicitVav.push_back(vav);
            } else {
                for (std::int64_t k = 1; k <= count; ++k) {
                    ZoneConfig copy = z;
                    copy.id = z.id + "#" + std::to_string(k);
                    copy.name = z.name + " #" + std::to_string(k);
                    config->zones.push_back(std::move(copy));
                    explicitVav.push_back(vav);
                }
            }
        }
    }
    // Explicit zones with "vav" share one notional AHU, id "ahu".
    if (equipmentMode && std::any_of(explicitVav.begin(), explicitVav.end(),
                                     [](const auto& v) { return v.has_value(); })) {
        auto& hv = config->hvac;
        hv.terminalOfZone.assign(config->zones.size(), kNoTerminal);
        AirHandler ahu;
        ahu.id = "ahu";
        for (std::size_t z = 0; z < explicitVav.size(); ++z) {
            if (!explicitVav[z])
                continue;
            VavTerminal t;
            t.id = config->zones[z].id + "/vav";
            t.zone = static_cast<std::uint32_t>(z);
            t.firstOfBox = static_cast<std::uint32_t>(hv.terminals.size());
            t.maxFlowM3s =
                explicitVav[z]->maxFlowLps > 0.0
                    ? explicitVav[z]->maxFlowLps / 1000.0
                    : hv.params.designFlowLpsPerM2 * config->zones[z].thermal.floorAreaM2 / 1000.0;
            t.reheat = explicitVav[z]->reheat;
            ahu.designFlowM3s += t.maxFlowM3s;
            hv.terminalOfZone[z] = t.firstOfBox;
            hv.terminals.push_back(std::move(t));
        }
        ahu.endTerminal = static_cast<std::uint32_t>(hv.terminals.size());
        ahu.designFanW =
            hv.params.fanDesignPressurePa * ahu.designFlowM3s / hv.params.fanEfficiency;
        hv.ahus.push_back(std::move(ahu));
    }

    if (const Json* b = r.raw("building")) {
        ObjectReader br(*b, name, "/building", &error);
        const auto brick = br.string("brick", "");
        const auto project = br.string("project", "");
        BuildingDefaults d;
        if (const Json* dj = br.raw("defaults")) {
            ObjectReader dr(*dj, name, "/building/defaults", &error);
            d.wallU = dr.number("wall_u", d.wallU, 0.01, 10);
            d.roofU = dr.number("roof_u", d.roofU, 0.01, 10);
            d.windowU = dr.number("window_u", d.windowU, 0.1, 10);
            d.shgc = dr.number("window_shgc", d.shgc, 0, 1);
            d.windowToWall = dr.number("window_to_wall", d.windowToWall, 0, 0.95);
            d.infiltrationAch = dr.number("infiltration_ach", d.infiltrationAch, 0, 20);
            auto& c = d.comfort;
            c.occupiedHeating = dr.number("heating_setpoint_c", c.occupiedHeating, -50, 60);
            c.occupiedCooling = dr.number("cooling_setpoint_c", c.occupiedCooling, -50, 60);
            c.unoccupiedHeating = dr.number("setback_heating_c", c.unoccupiedHeating, -50, 60);
            c.unoccupiedCooling = dr.number("setback_cooling_c", c.unoccupiedCooling, -50, 60);
            if (c.occupiedCooling < c.occupiedHeating)
                dr.fail(dr.pathOf("cooling_setpoint_c"),
                        "the cooling setpoint is below the heating setpoint");
            else if (c.unoccupiedCooling < c.unoccupiedHeating)
                dr.fail(dr.pathOf("setback_cooling_c"),
                        "the setback cooling setpoint is below the setback heating setpoint");
            dr.rejectUnknown();
        }
        br.rejectUnknown();
        if (error)
            return *error;
        if (brick.empty() == project.empty())
            return twin::makeError(
                twin::ErrorCode::ParseError,
                "give exactly one of 'brick' (a Turtle model) or 'project' (a .twin file)",
                name + ": /building");
        std::shared_ptr<twin::TwinGraph> graph;
        if (!brick.empty()) {
            auto path = resolvePath(brick, base, options.anchorsDir, name + ": /building/brick");
            if (!path)
                return path.error();
            auto ontology = twin::BrickOntology::load(options.ontology);
            if (!ontology)
                return ontology.error();
            auto imported = twin::importBrick(*path, *ontology);
            if (!imported)
                return imported.error();
            graph = std::make_shared<twin::TwinGraph>(std::move(imported->graph));
        } else {
            auto path =
                resolvePath(project, base, options.anchorsDir, name + ": /building/project");
            if (!path)
                return path.error();
            auto store = twin::ProjectStore::open(*path, twin::OpenMode::ReadOnly);
            if (!store)
                return store.error();
            auto loaded = store->loadModel();
            if (!loaded)
                return loaded.error();
            graph = std::make_shared<twin::TwinGraph>(std::move(loaded).value());
        }
        // Floors in model order: the first is the ground floor, the last has the roof.
        const auto floors = graph->entitiesOfKind(twin::EntityKind::Floor);
        std::map<twin::EntityIndex, std::size_t> zoneOfRoom;
        std::size_t roomNumber = 0;
        for (auto room : graph->entitiesOfKind(twin::EntityKind::Room)) {
            const auto& e = graph->entity(room);
            ZoneConfig z;
            z.id = e.id;
            z.name = e.name;
            z.use = std::string(twin::zoneUseName(e.use));
            const auto& ud = defaultsFor(z.use);
            const double area = e.number("area").value_or(e.number("area_m2").value_or(25.0));
            const double volume = e.number("volume").value_or(area * 3.0);
            const double height = volume / area;
            std::size_t floorIndex = 0;
            bool onFloor = false;
            for (auto a : graph->ancestors(room))
                for (std::size_t f = 0; f < floors.size(); ++f)
                    if (floors[f] == a && !onFloor) {
                        floorIndex = f;
                        onFloor = true;
                    }
            ZoneEnvelope env;
            env.floorAreaM2 = area;
            env.volumeM3 = volume;
            env.furnitureCapacity = d.furniturePerM2 * area;
            const bool perimeter = e.number("exteriorWallM2").has_value() || ud.perimeter;
            if (perimeter) {
                const double wall = e.number("exteriorWallM2").value_or(std::sqrt(area) * height);
                const double window = e.number("windowM2").value_or(wall * d.windowToWall);
                static constexpr std::array<double, 4> kAzimuths{180.0, 90.0, 0.0, 270.0};
                const double azimuth =
                    e.number("facadeAzimuthDeg").value_or(kAzimuths[roomNumber % 4]);
                env.opaque.push_back({std::max(0.0, wall - window), d.wallU, 0.6, 0.9, d.wallKappa,
                                      90.0, azimuth, true, true});
                env.windows.push_back({window, d.windowU, d.shgc, 90.0, azimuth, 1.0});
                ++roomNumber;
            }
            const bool top = !floors.empty() && floorIndex + 1 == floors.size();
            const bool ground = floorIndex == 0;
            env.opaque.push_back(
                {area, top ? d.roofU : 0.0, 0.6, 0.9, d.ceilingKappa, 0.0, 0.0, top, top});
            env.opaque.push_back(
                {area, ground ? 0.3 : 0.0, 0.0, 0.9, d.floorKappa, 180.0, 0.0, ground, false});
            double at = 0.0;
            for (const auto& o : env.opaque)
                at += o.areaM2;
            for (const auto& w : env.windows)
                at += w.areaM2;
            env.internalAreaM2 = at + 2.0 * std::sqrt(area) * height; // plus partitions
            auto params = twin::Result<ZoneThermalParams>(
                twin::makeError(twin::ErrorCode::InvalidArgument, ""));
            params = deriveThermalParams(env);
            if (!params)
                return twin::makeError(twin::ErrorCode::InvalidArgument,
                                       "room '" + e.id + "': " + params.error().message,
                                       name + ": /building");
            z.thermal = *params;
            solarCoefficients(env, 25.0, orientations, z);
            z.infiltrationAch = d.infiltrationAch;
            z.lightingWPerM2 = ud.lightingWPerM2;
            z.plugWPerM2 = ud.plugWPerM2;
            // Rooms nobody conditions for comfort (storage, plant) are kept frost-free.
            z.conditioned = true;
            z.schedule = d.comfort;
            if (!ud.conditioned) {
                z.schedule.alwaysOccupied = true;
                z.schedule.occupiedHeating = 10.0;
                z.schedule.occupiedCooling = 35.0;
                z.comfortTracked = false;
            }
            z.capacity = static_cast<int>(
                e.number("maxOccupancy")
                    .value_or(ud.m2PerPerson > 0.0 ? std::floor(area / ud.m2PerPerson) : 0.0));
            if (z.use == "server_room") {
                z.comfortTracked = false;
                z.schedule.alwaysOccupied = true;
                z.schedule.occupiedHeating = 18.0;
                z.schedule.occupiedCooling = 27.0;
                z.heatingCarrier = Carrier::Electricity;
                z.heatingEfficiency = 1.0;
                z.coolingCop = 3.0;
            }
            zoneOfRoom[room] = config->zones.size();
            config->zones.push_back(std::move(z));
        }
        BrickHvac brickHvac;
        if (equipmentMode)
            brickHvac = hvacFromBrick(*graph, zoneOfRoom, *config, scenario.warnings);
        // Points bound to simulated variables.
        for (auto p : graph->entitiesOfKind(twin::EntityKind::Point)) {
            const auto& pe = graph->entity(p);
            const auto owners = graph->incoming(p, twin::Relation::HasPoint);
            if (owners.empty())
                continue;
            const auto owner = owners.front();
            const auto& oe = graph->entity(owner);
            std::optional<std::size_t> zone;
            if (auto it = zoneOfRoom.find(owner); it != zoneOfRoom.end())
                zone = it->second;
            if (!zone && oe.kind == twin::EntityKind::Zone)
                for (auto part : graph->outgoing(owner, twin::Relation::HasPart))
                    if (auto it = zoneOfRoom.find(part); it != zoneOfRoom.end() && !zone)
                        zone = it->second;
            if (!zone && oe.kind == twin::EntityKind::Equipment &&
                oe.equipmentType == twin::EquipmentType::Lighting)
                for (auto place : graph->outgoing(owner, twin::Relation::HasLocation))
                    if (auto it = zoneOfRoom.find(place); it != zoneOfRoom.end() && !zone)
                        zone = it->second;
            PointBinding binding;
            binding.point = pe.id;
            binding.unit = pe.point ? pe.point->unit : std::string();
            bool bound = true;
            if (zone) {
                binding.index = static_cast<std::uint32_t>(*zone);
                if (classHas(pe, {"heating", "setpoint"}))
                    binding.variable = Variable::ZoneHeatingSetpoint;
                else if (classHas(pe, {"cooling", "setpoint"}))
                    binding.variable = Variable::ZoneCoolingSetpoint;
                else if (classHas(pe, {"air_temperature_sensor"}))
                    binding.variable = Variable::ZoneAirTemperature;
                else if (classHas(pe, {"co2"}))
                    binding.variable = Variable::ZoneCo2;
                else if (classHas(pe, {"occupancy_count"}))
                    binding.variable = Variable::ZoneOccupantCount;
                else if (classHas(pe, {"occupancy"}))
                    binding.variable = Variable::ZoneOccupancy;
                else if (classHas(pe, {"light", "command"}) ||
                         classHas(pe, {"luminance", "command"}))
                    binding.variable = Variable::ZoneLightLevel;
                else
                    bound = false;
            } else if (classHas(pe, {"outside_air_temperature"})) {
                binding.variable = Variable::OutdoorAirTemperature;
            } else if (oe.kind == twin::EntityKind::Equipment &&
                       oe.equipmentType == twin::EquipmentType::Meter &&
                       classHas(graph->entity(owner), {"building"})) {
                const bool gas = classHas(oe, {"gas"});
                const bool energy = pe.point && pe.point->quantity == twin::Quantity::Energy;
                const bool power = pe.point && pe.point->quantity == twin::Quantity::Power;
                if (energy)
                    binding.variable =
                        gas ? Variable::BuildingGasEnergy : Variable::BuildingElectricEnergy;
                else if (power)
                    binding.variable =
                        gas ? Variable::BuildingGasPower : Variable::BuildingElectricPower;
                else
                    bound = false;
            } else if (auto found = equipmentVariable(*graph, brickHvac, owner, pe)) {
                binding.variable = found->first;
                binding.index = found->second;
            } else {
                bound = false;
            }
            if (bound)
                config->bindings.push_back(std::move(binding));
        }
        scenario.building = graph;
    }
    // A scenario simulates zones (which need weather), compute hosts, or both.
    if (config->zones.empty() && !root.contains("compute"))
        return twin::makeError(
            twin::ErrorCode::ParseError,
            "the scenario simulates nothing: give 'zones', a 'building' or 'compute'",
            name + ": /");
    if (!config->weather && !config->zones.empty())
        return twin::makeError(twin::ErrorCode::ParseError,
                               "missing required 'weather' (an EPW file)", name + ": /weather");

    if (equipmentMode && config->hvac.terminals.empty())
        return twin::makeError(twin::ErrorCode::ParseError,
                               "mode 'vav' needs VAV boxes: a Brick building with AHUs feeding "
                               "VAVs, or zones with a \"vav\" object",
                               name + ": /hvac/mode");
    if (!config->hvac.terminalOfZone.empty())
        config->hvac.terminalOfZone.resize(config->zones.size(), kNoTerminal);

    // Explicit zones have no Brick points: publish their main variables under derived ids.
    if (!scenario.building && !config->zones.empty()) {
        for (std::size_t z = 0; z < config->zones.size(); ++z) {
            const auto& id = config->zones[z].id;
            const auto idx = static_cast<std::uint32_t>(z);
            config->bindings.push_back(
                {id + "/air_temperature", Variable::ZoneAirTemperature, idx, "°C"});
            config->bindings.push_back({id + "/hvac_power", Variable::ZoneHvacPower, idx, "kW"});
            config->bindings.push_back(
                {id + "/heating_setpoint", Variable::ZoneHeatingSetpoint, idx, "°C"});
            config->bindings.push_back(
                {id + "/cooling_setpoint", Variable::ZoneCoolingSetpoint, idx, "°C"});
        }
        config->bindings.push_back(
            {"site/outdoor_air_temperature", Variable::OutdoorAirTemperature, 0, "°C"});
        // Equipment mode: the boxes and the notional AHU.
        for (std::uint32_t t = 0; t < config->hvac.terminals.size(); ++t) {
            const auto& term = config->hvac.terminals[t];
            const auto& id = config->zones[term.zone].id;
            config->bindings.push_back({id + "/vav_flow", Variable::VavAirFlow, t, "L/s"});
            config->bindings.push_back({id + "/vav_damper", Variable::VavDamperCommand, t, "%"});
            if (term.reheat)
                config->bindings.push_back(
                    {id + "/reheat_valve", Variable::VavReheatValveCommand, t, "%"});
        }
        for (std::uint32_t a = 0; a < config->hvac.ahus.size(); ++a) {
            const auto& id = config->hvac.ahus[a].id;
            config->bindings.push_back(
                {id + "/supply_air_temperature", Variable::AhuSupplyAirTemperature, a, "°C"});
            config->bindings.push_back({id + "/supply_air_temperature_setpoint",
                                        Variable::AhuSupplyAirTemperatureSetpoint, a, "°C"});
            config->bindings.push_back(
                {id + "/return_air_temperature", Variable::AhuReturnAirTemperature, a, "°C"});
            config->bindings.push_back({id + "/fan_status", Variable::AhuFanStatus, a, ""});
            config->bindings.push_back({id + "/fan_speed", Variable::AhuFanSpeedCommand, a, "%"});
        }
    }
    config->bindings.push_back({"site/electric_power", Variable::BuildingElectricPower, 0, "kW"});

    // Occupancy: calendars (meetings mapped to rooms by LOCATION) and open offices.
    {
        std::vector<Meeting> meetings;
        std::string zoneName;
        if (const Json* cals = r.raw("calendars")) {
            if (!cals->is_array())
                return twin::makeError(twin::ErrorCode::ParseError,
                                       "expected an array of calendars", name + ": /calendars");
            for (std::size_t i = 0; i < cals->size(); ++i) {
                const std::string path = "/calendars/" + std::to_string(i);
                ObjectReader cr((*cals)[i], name, path, &error);
                const auto f = cr.string("file", "", true);
                const auto zone = cr.string("default_zone", "");
                cr.rejectUnknown();
                if (error)
                    return *error;
                auto resolved =
                    resolvePath(f, base, options.anchorsDir, name + ": " + (path + "/file"));
                if (!resolved)
                    return resolved.error();
                CalendarOptions co;
                co.defaultZone = zone;
                auto cal = Calendar::load(*resolved, co);
                if (!cal)
                    return cal.error();
                if (zoneName.empty())
                    zoneName = cal->defaultZone();
                auto expanded = cal->expand(config->grid.start(), config->grid.end());
                meetings.insert(meetings.end(), expanded.begin(), expanded.end());
            }
        }
        bool openOffices = true;
        OccupancyOptions oo;
        oo.seed = config->seed;
        if (const Json* occ = r.raw("occupancy")) {
            ObjectReader orr(*occ, name, "/occupancy", &error);
            openOffices = orr.boolean("open_offices", true);
            const auto tzName = orr.string("time_zone", "");
            if (!tzName.empty())
                zoneName = tzName;
            oo.defaultMeetingSize =
                static_cast<int>(orr.integer("default_meeting_size", 4, 0, 1000));
            oo.arrivalSpread = orr.integer("arrival_spread_s", 0, 0, 3600);
            oo.profile.presenceProbability =
                orr.number("presence_probability", oo.profile.presenceProbability, 0, 1);
            orr.rejectUnknown();
            if (error)
                return *error;
        }
        if (!zoneName.empty() && zoneName != "UTC") {
            auto tzone = TimeZone::named(zoneName);
            if (tzone)
                oo.zone = *tzone;
            else
                oo.zone = TimeZone::fixedOffset(static_cast<Seconds>(std::llround(tz * 3600.0)));
        } else {
            oo.zone = TimeZone::fixedOffset(static_cast<Seconds>(std::llround(tz * 3600.0)));
        }
        std::vector<RoomMapping> rooms;
        for (const auto& z : config->zones) {
            RoomMapping m;
            m.roomId = z.id;
            m.aliases = RoomMap::aliasesFromLabel(z.name);
            m.capacity = z.capacity;
            rooms.push_back(std::move(m));
        }
        RoomMap map(rooms);
        if (openOffices && scenario.building) {
            // Offices (open and enclosed) follow the stochastic workday of their occupants.
            for (std::size_t z = 0; z < config->zones.size(); ++z)
                if (config->zones[z].use == "office" && config->zones[z].capacity > 0) {
                    oo.openOffices.push_back({z, -1});
                    config->zones[z].occupancyModelled = true;
                }
        }
        if (!meetings.empty())
            for (const auto& m : meetings)
                if (auto match = map.match(m.location); match.room)
                    config->zones[*match.room].occupancyModelled = true;
        if (!meetings.empty() || !oo.openOffices.empty()) {
            auto schedule =
                OccupancySchedule::build(map, meetings, config->grid.start(), config->grid.step(),
                                         config->grid.stepCount(), oo);
            if (!schedule)
                return twin::makeError(schedule.error().code, schedule.error().message,
                                       name + ": /calendars");
            for (const auto& u : schedule->unmapped())
                scenario.warnings.push_back("meeting location '" + u.location + "' (" +
                                            std::to_string(u.occurrences) + " occurrences, e.g. '" +
                                            u.exampleSummary + "') maps to no single room");
            config->occupancy =
                std::make_shared<const OccupancySchedule>(std::move(schedule).value());
            config->occupancyRoomOfZone.resize(config->zones.size());
            for (std::size_t z = 0; z < config->zones.size(); ++z)
                config->occupancyRoomOfZone[z] = static_cast<std::uint32_t>(z);
        }
    }

    // Compute hosts and their workload.
    if (const Json* cj = r.raw("compute")) {
        ObjectReader cr(*cj, name, "/compute", &error);
        std::vector<HostSpec> hosts;
        std::vector<VmSpec> vms;
        std::vector<std::pair<std::size_t, std::size_t>> modelledPlacement; // (vm, host)
        const Json* hostsJson = cr.raw("hosts");
        const auto vmsFrom = cr.choice("vms", "building", {"building", "traces"});
        const auto tracesPath = cr.string("traces", "");
        const auto placement =
            cr.choice("placement", "as-modelled", {"as-modelled", "first-fit", "none"});
        const auto accounting =
            cr.choice("accounting", "physical", {"physical", "cloudsim", "non-power-aware"});
        const auto memory = cr.choice("memory", "always", {"always", "placement-only"});
        double utilMean = 0.25;
        double utilAmplitude = 0.15;
        if (const Json* uj = cr.raw("utilisation")) {
            ObjectReader ur(*uj, name, "/compute/utilisation", &error);
            ur.choice("model", "diurnal", {"diurnal"});
            utilMean = ur.number("mean", utilMean, 0, 1);
            utilAmplitude = ur.number("amplitude", utilAmplitude, 0, 1);
            ur.rejectUnknown();
        }
        cr.rejectUnknown();
        if (error)
            return *error;
        std::map<std::string, std::size_t> hostOfId;
        if (hostsJson != nullptr && hostsJson->is_number_integer()) {
            const auto n = hostsJson->get<std::int64_t>();
            if (n < 1 || n > 1000000)
                return twin::makeError(twin::ErrorCode::ParseError, "expected 1..1000000 hosts",
                                       name + ": /compute/hosts");
            hosts = planetLabHosts(static_cast<std::size_t>(n));
        } else if (scenario.building) {
            const auto& g = *scenario.building;
            for (auto h : g.equipmentOfType(twin::EquipmentType::ComputeHost)) {
                const auto& e = g.entity(h);
                HostSpec spec;
                spec.id = e.id;
                spec.cores = static_cast<int>(e.number("cores").value_or(2));
                spec.mipsPerCore = e.number("mipsPerCore").value_or(2000);
                spec.ramMb = e.number("ramMb").value_or(4096);
                spec.bandwidthMbps = e.number("bandwidthMbps").value_or(1000);
                const auto* model = e.attribute("powerModel");
                auto power =
                    PowerModel::named(model != nullptr ? model->value : "hp-proliant-ml110-g5");
                if (!power)
                    return twin::makeError(power.error().code,
                                           "host '" + e.id + "': " + power.error().message,
                                           name + ": /compute");
                spec.power = *power;
                hostOfId[e.id] = hosts.size();
                hosts.push_back(std::move(spec));
                // Its heat goes to the room that holds it (directly or through its rack).
                for (auto a : g.ancestors(h))
                    if (g.entity(a).kind == twin::EntityKind::Room) {
                        for (auto& z : config->zones)
                            if (z.id == g.entity(a).id)
                                z.hosts.push_back(static_cast<std::uint32_t>(hosts.size() - 1));
                        break;
                    }
            }
        } else {
            return twin::makeError(
                twin::ErrorCode::ParseError,
                "'hosts' must be a number of PlanetLab hosts when there is no building",
                name + ": /compute/hosts");
        }
        // The "traces" folder, resolved and read (one VM per trace file).
        auto loadTraces = [&]() -> twin::Result<std::vector<VmSpec>> {
            auto folder =
                resolvePath(tracesPath, base, options.anchorsDir, name + ": /compute/traces");
            if (!folder)
                return folder.error();
            return loadPlanetLabDay(*folder);
        };
        if (vmsFrom == "traces") {
            if (tracesPath.empty())
                return twin::makeError(twin::ErrorCode::ParseError,
                                       "vms from traces needs 'traces' (a PlanetLab day folder)",
                                       name + ": /compute/traces");
            auto loaded = loadTraces();
            if (!loaded)
                return loaded.error();
            vms = std::move(loaded).value();
        } else if (scenario.building) {
            const auto& g = *scenario.building;
            std::vector<VmSpec> traceVms;
            if (!tracesPath.empty()) {
                auto loaded = loadTraces();
                if (!loaded)
                    return loaded.error();
                traceVms = std::move(loaded).value();
            }
            // Seeded diurnal demand when no traces are given: the project's own normal
            // variate (Box–Muller on mt19937_64), so every platform draws the same numbers.
            std::mt19937_64 rng(config->seed ^ 0x5bd1e995ULL);
            auto uniform = [&rng] { return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53; };
            const auto workloads = g.entitiesOfKind(twin::EntityKind::Workload);
            for (std::size_t i = 0; i < workloads.size(); ++i) {
                const auto& e = g.entity(workloads[i]);
                VmSpec vm;
                vm.id = e.id;
                vm.mips = e.number("requestedMips").value_or(1000);
                vm.ramMb = e.number("requestedRamMb").value_or(1024);
                vm.bandwidthMbps = kPlanetLabVmBandwidthMbps;
                if (!traceVms.empty()) {
                    vm.utilisation = traceVms[i % traceVms.size()].utilisation;
                } else {
                    const auto samples = static_cast<std::size_t>(
                        (config->grid.end() - config->grid.start()) / 300 + 1);
                    vm.utilisation.resize(samples);
                    const double phase = uniform() * 2.0;
                    for (std::size_t k = 0; k < samples; ++k) {
                        const double hours =
                            static_cast<double>(
                                (config->grid.start() + static_cast<Seconds>(k) * 300) % 86400) /
                                3600.0 +
                            tz;
                        const double u1 = uniform();
                        const double u2 = uniform();
                        const double noise =
                            std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
                        const double v = utilMean +
                                         utilAmplitude * std::sin(2.0 * std::numbers::pi *
                                                                  (hours - 9.0 - phase) / 24.0) +
                                         0.05 * noise;
                        vm.utilisation[k] = static_cast<float>(std::clamp(v, 0.01, 1.0));
                    }
                }
                for (auto host : g.outgoing(workloads[i], twin::Relation::RunsOn))
                    if (auto it = hostOfId.find(g.entity(host).id); it != hostOfId.end())
                        modelledPlacement.emplace_back(vms.size(), it->second);
                vms.push_back(std::move(vm));
            }
        }
        ComputeConfig cc;
        cc.start = config->grid.start();
        cc.accounting = accounting == "cloudsim"          ? Accounting::CloudSim
                        : accounting == "non-power-aware" ? Accounting::NonPowerAware
                                                          : Accounting::Physical;
        cc.memoryRule = memory == "placement-only" ? MemoryRule::PlacementOnly : MemoryRule::Always;
        auto cluster = ComputeCluster::make(std::move(hosts), std::move(vms), cc);
        if (!cluster)
            return twin::makeError(cluster.error().code, cluster.error().message,
                                   name + ": /compute");
        if (placement == "none") {
            // Every VM waits for the policy to place it (its first decision, e.g. PABFD).
        } else if (placement == "first-fit" || modelledPlacement.empty()) {
            auto placed = placeFirstFit(*cluster);
            if (!placed)
                return twin::makeError(placed.error().code, placed.error().message,
                                       name + ": /compute/placement");
        } else {
            for (const auto& [vm, host] : modelledPlacement)
                if (auto st =
                        cluster->place(static_cast<VmIndex>(vm), static_cast<HostIndex>(host));
                    !st)
                    return twin::makeError(st.error().code,
                                           "the model's runsOn placement does not fit: " +
                                               st.error().message,
                                           name + ": /compute/placement");
        }
        config->compute = std::make_shared<const ComputeCluster>(std::move(cluster).value());
        // Host points.
        if (scenario.building) {
            const auto& g = *scenario.building;
            for (const auto& [id, h] : hostOfId) {
                const auto index = g.find(id);
                for (auto p : g.pointsOf(*index)) {
                    const auto& pe = g.entity(p);
                    if (!pe.point)
                        continue;
                    if (pe.point->quantity == twin::Quantity::Power)
                        config->bindings.push_back({pe.id, Variable::HostPower,
                                                    static_cast<std::uint32_t>(h), pe.point->unit});
                    else if (classHas(pe, {"cpu"}))
                        config->bindings.push_back({pe.id, Variable::HostUtilisation,
                                                    static_cast<std::uint32_t>(h), pe.point->unit});
                }
            }
        }
    }

    if (const Json* rj = r.raw("runtimes"))
        if (auto st = readRuntimes(*rj, name, scenario, *config); !st)
            return st.error();

    // "policy": null is no policy (so `--set policy=null` turns a scenario's policy off).
    if (const Json* p = r.raw("policy"); p != nullptr && !p->is_null())
        scenario.policyJson = p->dump();
    if (const Json* o = r.raw("outputs")) {
        ObjectReader orr(*o, name, "/outputs", &error);
        scenario.outputs.interval = orr.integer("interval_s", 3600, 1, std::int64_t{86400} * 31);
        scenario.outputs.historian = orr.boolean("historian", true);
        const auto recording = orr.string("recording", "all");
        if (recording == "policy-inputs")
            scenario.outputs.recording = RecordingScope::PolicyInputs;
        else if (recording != "all")
            orr.fail("/outputs/recording",
                     "unknown recording scope \"" + recording + "\"; use \"all\" or \"policy-inputs\"");
        orr.rejectUnknown();
        if (!error && scenario.outputs.interval % step != 0)
            orr.fail("/outputs/interval_s",
                     "must be a multiple of step_s (" + std::to_string(step) + ")");
    }
    r.rejectUnknown();
    if (error)
        return *error;
    config->orientations = orientations.take();
    scenario.config = config;
    return scenario;
}

} // namespace twindesk::sim
