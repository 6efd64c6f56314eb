#pragma once
/// \file engine.h
/// The fixed-step deterministic simulation engine.
///
/// Immutable configuration (SimConfig, shared read-only between runs and threads) apart from
/// one copyable mutable state (SimState). Time is an integer step index on a TimeGrid. Each
/// step runs, in this order:
///   1. apply queued actions (setpoints, modes, lights); compute commands (VM placement and
///      migration, host power) are applied when submitted: the cluster waits between steps at
///      the time this step starts, so that is the same instant, and a refusal is returned
///   2. weather: the sample at the step's mid-point; solar position and irradiance per facade
///   3. occupancy: people per zone (calendar meetings, stochastic open offices)
///   4. internal gains: people, lighting, plug loads, and IT heat of the hosts in each zone
///      (host power of the previous step: the compute step comes later in the order)
///   5. built-in thermostat schedule (only when no policy drives the setpoints)
///   6. HVAC: ideal loads per zone within capacity, delivered to the air node; in equipment
///      mode (hvac.h) the zones on a VAV box get its supply air instead: each AHU first
///      decides its mode (occupied, night cycle, off) from the schedules, its command and the
///      zone temperatures at the start of the step, then every box sets its flow and reheat
///   7. thermal: the 5R1C network of every zone advances (Crank–Nicolson); in equipment mode
///      the AHUs then mix return and outdoor air, run their fans and coils, and the CO2 of the
///      VAV zones advances with the supply air's
///   8. compute hosts: VM demand from traces, migrations, host power and SLA metrics; then the
///      runtime fleet (runtime.h): workload lifecycle, service latency, energy and cost
///   9. meters: energy per carrier (electricity, gas, district heat) and per end use, KPIs
///  10. telemetry: bound point values become available through `sample()`
/// The engine owns no clock, no threads and no std::random_device: randomness comes from the
/// scenario's seed. Same configuration + seed → bit-identical state (see stateHash()).

#include <twindesk/sim/action.h>
#include <twindesk/sim/hvac.h>
#include <twindesk/sim/sim_time.h>
#include <twindesk/sim/telemetry.h>
#include <twindesk/sim/thermal.h>
#include <twindesk/twin/result.h>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace twindesk::sim {

class WeatherFile;
class OccupancySchedule;
class ComputeCluster;
class RuntimeFleet;

std::string_view carrierName(Carrier carrier);

/// Weekly thermostat schedule of a zone: occupied setpoints on the given weekdays and hours
/// (local standard time), setback otherwise. A policy, when attached, replaces it.
struct ThermostatSchedule
{
    double occupiedHeating = 21.0;
    double occupiedCooling = 24.0;
    double unoccupiedHeating = 16.0;
    double unoccupiedCooling = 28.0;
    int startHour = 7; ///< local standard time, inclusive
    int endHour = 19;  ///< exclusive
    std::array<bool, 7> days{false, true, true, true, true, true, false}; ///< Sunday first
    bool alwaysOccupied = false; ///< constant occupied setpoints (e.g. BESTEST)
};

/// Everything about one zone the engine needs; built by the scenario loader.
struct ZoneConfig
{
    std::string id; ///< room/zone entity id
    std::string name;
    std::string use; ///< twin ZoneUse name ("office", "conference", "server_room", ...)
    ZoneThermalParams thermal;
    std::vector<std::pair<std::uint16_t, double>> windowSolar; ///< (orientation, Σ A·g·F_sh) m²
    std::vector<std::pair<std::uint16_t, double>> opaqueSolar; ///< (orientation, Σ α·R_se·U·A) m²
    double skyLoss = 0.0;            ///< W/K: Σ R_se·U·A·h_r·F_r, times (θ_e − θ_sky)
    double infiltrationAch = 0.5;    ///< air changes per hour at the site's air density
    double convectiveFraction = 0.5; ///< of internal gains
    double fixedGainW = 0.0;         ///< constant internal gain (e.g. BESTEST's 200 W)
    double lightingWPerM2 = 0.0;     ///< installed, at full level
    double plugWPerM2 = 0.0;         ///< when occupied
    double plugBaseFraction = 0.3;   ///< of plug loads when unoccupied
    double sensibleWPerPerson = 75.0;
    double co2LpsPerPerson = 0.0052; ///< CO2 generation, L/s per person (≈1.2 met)
    /// Outdoor air while occupied: EN 16798-1 category II for a low-polluting building,
    /// 7 L/s per person + 0.7 L/s per m² (≈ 10 L/s per person in an office; ASHRAE 62.1's
    /// breathing-zone minimum of 2.5 + 0.3 would let a full meeting room pass 2000 ppm).
    double outdoorAirLpsPerPerson = 7.0;
    double outdoorAirLpsPerM2 = 0.7;
    int capacity = 0; ///< seats/people
    bool conditioned = true;
    IdealLoads loads; ///< capacities; setpoints come from the state
    ThermostatSchedule schedule;
    double heatingEfficiency = 0.9; ///< boiler seasonal efficiency (heat → fuel)
    Carrier heatingCarrier = Carrier::Gas;
    double coolingCop = 3.5;          ///< chiller/CRAC COP (heat removed → electricity)
    std::vector<std::uint32_t> hosts; ///< compute hosts whose power heats this zone
    std::vector<std::uint32_t> runtimeHosts; ///< runtime-fleet hosts whose power heats it
    bool occupancyModelled = false;   ///< people simulated (meetings, open office); else schedule
    bool comfortTracked = true;       ///< counts towards the discomfort KPI while in use
};

/// A point bound to a simulated variable (so the engine can publish and accept it).
enum class Variable : std::uint8_t {
    ZoneAirTemperature,
    ZoneHeatingSetpoint,
    ZoneCoolingSetpoint,
    ZoneCo2,
    ZoneOccupancy, ///< 0/1
    ZoneOccupantCount,
    ZoneLightLevel, ///< % of full output; a command point for lights
    ZoneHvacPower,  ///< kW, + heating, − cooling (VAV zones: box air + radiator, sensible)
    OutdoorAirTemperature,
    BuildingElectricPower,  ///< kW
    BuildingElectricEnergy, ///< kWh since start
    BuildingGasPower,       ///< kW
    BuildingGasEnergy,      ///< kWh
    HostPower,              ///< W
    HostUtilisation,        ///< %
    // Equipment mode (hvac.h); index = the box's first terminal or the AHU.
    VavAirFlow,                      ///< L/s supplied by the box
    VavDamperCommand,                ///< % of the box's maximum flow
    VavReheatValveCommand,           ///< % of the reheat coil's heat at its limits
    AhuSupplyAirTemperature,         ///< °C leaving the coils (the unit's air while off)
    AhuSupplyAirTemperatureSetpoint, ///< °C
    AhuReturnAirTemperature,         ///< °C (last value while off)
    AhuFanStatus,                    ///< 0/1
    AhuFanSpeedCommand,              ///< % (speed ∝ flow: % of design flow)
};
std::string_view variableName(Variable variable);

struct PointBinding
{
    std::string point; ///< point entity id
    Variable variable = Variable::ZoneAirTemperature;
    std::uint32_t index = 0; ///< zone or host index
    std::string unit;        ///< the unit values are published in (the point's own unit)
};

struct SimConfig
{
    std::string name;
    std::uint64_t seed = 0;
    TimeGrid grid = *TimeGrid::make(0, 3600, 60);
    std::shared_ptr<const WeatherFile> weather;
    double groundAlbedo = 0.2;
    bool perezSky = true;
    std::vector<std::pair<double, double>> orientations; ///< (tilt, azimuth) degrees
    std::vector<ZoneConfig> zones;
    bool scheduleEnabled = true; ///< the built-in thermostat schedules drive the setpoints
    std::shared_ptr<const OccupancySchedule> occupancy; ///< may be null: nobody
    std::vector<std::uint32_t> occupancyRoomOfZone;     ///< zone → occupancy room index (or npos)
    std::shared_ptr<const ComputeCluster> compute;      ///< initial cluster (copied), may be null
    /// Virtualization runtimes (runtime.h): initial fleet (copied), may be null. Its hosts are
    /// not the cluster's (a host is simulated by one of the two); their power heats their zone
    /// and counts as IT electricity like the cluster's.
    std::shared_ptr<const RuntimeFleet> runtimes;
    std::vector<PointBinding> bindings;
    double initialTemperature = 20.0; ///< °C, all nodes at the start
    double outdoorCo2Ppm = 420.0;
    HvacSystem hvac; ///< equipment mode: AHUs and VAV boxes (none in ideal-loads mode)
};

/// Accumulated results of one zone (SI unless the name says otherwise): what room-level KPIs
/// (kpi.h) are computed from.
struct ZoneTotals
{
    double heatingJ = 0.0;  ///< thermal energy the zone's heating delivered (ideal loads)
    double coolingJ = 0.0;  ///< thermal energy its cooling removed (positive)
    double lightingJ = 0.0; ///< lighting electricity
    double plugJ = 0.0;     ///< plug-load electricity
    double itJ = 0.0;       ///< electricity of the compute hosts in the zone (their heat)
    double discomfortKh = 0.0;
    double co2PpmH = 0.0;   ///< ppm·h above 1000 ppm
    double occupiedS = 0.0; ///< seconds in use (people present, or scheduled hours)
    std::int64_t meetingsStarted = 0;
    std::int64_t meetingsStartedOutside = 0; ///< air temperature outside the band at the start
    double meetingMinutesOutside = 0.0;      ///< minutes from such starts until the band is reached
};

/// Accumulated results of a run (all SI unless the name says otherwise).
struct SimTotals
{
    std::array<double, kCarrierCount> energyJ{}; ///< delivered energy per carrier
    /// Thermal energy added by the heating equipment: ideal loads to zone air, and in
    /// equipment mode the reheat, preheat and radiator heat.
    double heatingJ = 0.0;
    /// Thermal energy removed (positive): ideal loads, and the AHUs' cooling coils.
    double coolingJ = 0.0;
    double lightingJ = 0.0;
    double plugJ = 0.0;
    double itJ = 0.0;          ///< compute hosts
    double peakHeatingW = 0.0; ///< from hourly-integrated loads
    double peakCoolingW = 0.0;
    Seconds peakHeatingTime = 0; ///< end of the peak hour
    Seconds peakCoolingTime = 0;
    double discomfortKh = 0.0; ///< occupied K·h outside the comfort band, all zones
    double co2PpmH = 0.0;      ///< ppm·h above 1000 ppm, all zones
    double minAirC = 1e9;
    double maxAirC = -1e9;
    double sumAirCSteps = 0.0;        ///< for the mean zone temperature
    std::int64_t numericalIssues = 0; ///< NaN/∞ caught and reported (never silently clamped)
    // End uses of equipment mode (hvac.h); all zero in ideal-loads mode.
    double fanJ = 0.0;             ///< supply-fan electricity
    double coolingCoilJ = 0.0;     ///< heat removed by AHU cooling coils
    double chillerJ = 0.0;         ///< chiller electricity for the cooling coils
    double reheatJ = 0.0;          ///< heat added by VAV reheat coils
    double preheatJ = 0.0;         ///< heat added by AHU preheat coils
    double radiatorJ = 0.0;        ///< heat of the radiators in zones whose box has no reheat
    double boilerFuelJ = 0.0;      ///< boiler input for reheat, preheat and radiators
    double economizerS = 0.0;      ///< AHU-seconds with outdoor air above the minimum
    double ahuRunS = 0.0;          ///< AHU-seconds with the supply fan running
    std::vector<ZoneTotals> zones; ///< per zone, in SimConfig::zones order
};

/// Comfort band of the discomfort KPI: K·h below/above it while a zone is in use (people
/// present where they are simulated, else its scheduled hours); time out of use does not count
/// (BOPTEST's unoccupied band is wide enough that setbacks rarely leave it).
inline constexpr double kComfortOccupiedLowC = 20.0;
inline constexpr double kComfortOccupiedHighC = 26.0;

/// Bits of SimState::commanded: what a policy has taken over in a zone. The built-in schedule
/// keeps driving what no action has touched.
inline constexpr std::uint8_t kCommandedSetpoints = 1;
inline constexpr std::uint8_t kCommandedLights = 2;

/// The mutable state: plain arrays, copyable, hashable.
struct SimState
{
    std::int64_t step = 0;
    Seconds time = 0;
    std::vector<double> thetaM;
    std::vector<double> thetaAir;
    std::vector<double> thetaS;
    std::vector<double> co2;
    std::vector<double> heatSet;
    std::vector<double> coolSet;
    std::vector<double> lightLevel; ///< 0..1
    std::vector<double> people;
    std::vector<double> hvacW;           ///< last step, + heating / − cooling (to the zone air)
    std::vector<std::uint8_t> hvacOn;    ///< zone conditioning enabled (SetMode)
    std::vector<std::uint8_t> commanded; ///< kCommanded* bits per zone
    /// Per zone: 1 = design outdoor air (capacity × per-person rate + area rate) whenever the
    /// zone is conditioned, as a time-clock BMS ventilates; 0 = demand-controlled (the people
    /// present). SetMode "ventilation-design" / "ventilation-demand".
    std::vector<std::uint8_t> ventilationDesign;
    std::vector<std::uint8_t> meetingWait; ///< a meeting started outside the band, not yet in it
    double outdoorC = 0.0;
    double electricW = 0.0; ///< last step, whole site
    double gasW = 0.0;
    double hourHeatingJ = 0.0;
    double hourCoolingJ = 0.0;
    SimTotals totals;
    HvacState hvac;                          ///< equipment mode (empty arrays in ideal-loads mode)
    std::vector<Action> pending;             ///< applied at the start of the next step
    std::shared_ptr<ComputeCluster> compute; ///< owned copy (deep-copied with the state)
    std::shared_ptr<RuntimeFleet> runtimes;  ///< owned copy, like compute
};

class Engine : public ActuatorSink
{
public:
    /// Validates the configuration and sets the initial state.
    static twin::Result<std::unique_ptr<Engine>> create(std::shared_ptr<const SimConfig> config);
    ~Engine() override;

    [[nodiscard]] const SimConfig& config() const { return *m_config; }
    [[nodiscard]] const SimState& state() const { return m_state; }
    [[nodiscard]] bool finished() const { return m_state.step >= m_config->grid.stepCount(); }

    /// Advances one step (see the order above). Fails only on a numerical blow-up, which it
    /// names (zone, time); NaNs in inputs are counted in totals.numericalIssues instead.
    twin::Status step();
    /// Runs to the end; `observer` (may be empty) is called after every step.
    twin::Status run(const std::function<void(const Engine&)>& observer = {});

    /// ActuatorSink: validates and queues the action for the next step.
    twin::Status submit(const Action& action) override;
    /// VMs resident on or migrating onto the host with this id; nullopt for an unknown host.
    [[nodiscard]] std::optional<int> workloadsOn(const std::string& host) const override;
    /// Current values of every bound point, in binding order, in the points' units.
    void sample(TelemetryFrame& frame) const;
    /// 64-bit FNV-1a over the exact bits of the state arrays: equal hashes ⇔ same trajectory.
    [[nodiscard]] std::uint64_t stateHash() const;

private:
    explicit Engine(std::shared_ptr<const SimConfig> config);
    twin::Status applyAction(const Action& action);
    /// Switch (0 stop, 1 start as declared), PlaceVm (start on the destination; `text` the
    /// runtime kind, empty: declared), MigrateVm (move), Throttle (% of its CPU) on a workload
    /// of the runtime fleet; applied at once, like compute commands.
    twin::Status applyRuntimeAction(const Action& action);
    [[nodiscard]] std::optional<std::uint32_t> hostIndex(const std::string& id) const;
    [[nodiscard]] std::optional<std::uint32_t> vmIndex(const std::string& id) const;

    std::shared_ptr<const SimConfig> m_config;
    SimState m_state;
    std::vector<std::size_t> m_bindingIndex;        // point → binding (sorted by id) for submit()
    std::vector<double> m_orientationWindow;        // per step scratch: window gain per m² g
    std::vector<double> m_orientationTotal;         // per step scratch: total irradiance
    std::vector<double> m_terminalInfiltration;     // per step scratch: m³/s per VAV terminal
    std::vector<double> m_ahuOutdoorAirNeed;        // per step scratch: m³/s per AHU (62.1)
    std::map<std::string, std::uint32_t> m_hostIds; // host id → index (lookup only)
    std::map<std::string, std::uint32_t> m_vmIds;   // VM id → index
};

/// A TelemetrySource over a running engine: each next() advances the engine to the next
/// output instant (every `interval` seconds of simulated time) and returns the bound points.
class SimulatedSource : public TelemetrySource
{
public:
    SimulatedSource(Engine& engine, Seconds interval);
    twin::Result<bool> next(TelemetryFrame& frame) override;
    [[nodiscard]] Seconds now() const override;
    [[nodiscard]] std::shared_ptr<const ComputeCluster> computeView() const override
    {
        return m_engine.state().compute;
    }
    [[nodiscard]] std::shared_ptr<const RuntimeFleet> runtimeView() const override
    {
        return m_engine.state().runtimes;
    }

private:
    Engine& m_engine;
    Seconds m_interval;
};

} // namespace twindesk::sim
