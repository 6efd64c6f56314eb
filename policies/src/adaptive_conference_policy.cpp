#include <twindesk/policies/adaptive_conference_policy.h>
#include <twindesk/policies/decision_log.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace twindesk::policies {

namespace {
constexpr double kLearningWeight = 0.3; // weight of a new observation in the smoothed rate
constexpr double kMinRateKPerH = 0.5;   // below this the estimate is noise (door open, sun)
constexpr double kMaxRateKPerH = 30.0;
} // namespace

twin::Result<std::unique_ptr<AdaptiveConferencePolicy>>
AdaptiveConferencePolicy::make(AdaptiveConferenceParams p)
{
    auto bad = [](std::string message) {
        return twin::makeError(twin::ErrorCode::InvalidArgument,
                               "adaptive-conference: " + std::move(message));
    };
    for (double v : {p.comfortHeating, p.comfortCooling, p.standbyHeating, p.standbyCooling,
                     p.warmupRateKPerH, p.cooldownRateKPerH})
        if (!std::isfinite(v))
            return bad("every parameter must be a finite number");
    if (p.comfortCooling < p.comfortHeating || p.standbyCooling < p.standbyHeating)
        return bad("a cooling setpoint is below its heating setpoint");
    if (p.standbyHeating > p.comfortHeating || p.standbyCooling < p.comfortCooling)
        return bad("standby setpoints must be at or outside the comfort setpoints");
    if (p.warmupRateKPerH <= 0.0 || p.cooldownRateKPerH <= 0.0)
        return bad("warm-up and cool-down rates must be positive (K/h)");
    if (p.minLead < 0 || p.maxLead < p.minLead || p.vacancyDelay < 0 || p.minStandby < 0)
        return bad("need 0 <= min_lead <= max_lead, vacancy_delay >= 0 and min_standby >= 0");
    std::unique_ptr<AdaptiveConferencePolicy> policy(new AdaptiveConferencePolicy(p));
    std::ostringstream canonical;
    canonical.precision(17);
    canonical << "adaptive-conference|" << p.comfortHeating << '|' << p.comfortCooling << '|'
              << p.standbyHeating << '|' << p.standbyCooling << '|' << p.warmupRateKPerH << '|'
              << p.cooldownRateKPerH << '|' << p.minLead << '|' << p.maxLead << '|'
              << p.vacancyDelay << '|' << p.learnRates << '|' << p.minStandby;
    auto hash = sha256Hex(canonical.str());
    if (!hash)
        return hash.error();
    auto& info = policy->m_info;
    info.id = "adaptive-conference";
    info.version = "1.0.0";
    info.hash = "sha256:" + *hash;
    info.period = 300;
    info.emits = {ActionKind::SetSetpoint, ActionKind::Dim, ActionKind::SetMode};
    info.reads = {"Zone_Air_Temperature_Sensor", "Occupancy_Sensor",
                  "Zone_Air_Heating_Temperature_Setpoint", "Zone_Air_Cooling_Temperature_Setpoint",
                  "Light_Command"};
    // People arriving or leaving: decide at once, not at the next 5-minute round (lights).
    info.triggers = {"Occupancy_Sensor"};
    return policy;
}

double AdaptiveConferencePolicy::warmupRate(const std::string& room) const
{
    const auto it = m_state.find(room);
    return it == m_state.end() || it->second.warmupRate <= 0.0 ? m_params.warmupRateKPerH
                                                               : it->second.warmupRate;
}

twin::Result<std::vector<Action>> AdaptiveConferencePolicy::decide(const Observation& obs)
{
    const auto* g = obs.twin();
    if (g == nullptr)
        return twin::makeError(twin::ErrorCode::InvalidArgument,
                               "adaptive-conference needs the twin model to find its rooms");
    if (!m_resolved) {
        for (auto& r : roomPoints(*g))
            if (r.use == twin::ZoneUse::Conference)
                m_rooms.push_back(std::move(r));
        m_resolved = true;
    }
    const auto* bookings = obs.bookings();
    const Seconds now = obs.time();
    const auto& p = m_params;
    std::vector<Action> actions;
    auto setIfDifferent = [&](ActionKind kind, const std::string& point, double wanted) {
        if (point.empty())
            return;
        const auto current = obs.value(point);
        if (!current || std::abs(*current - wanted) > 1e-9)
            actions.push_back(Action{kind, point, wanted, {}, {}});
    };

    for (const auto& room : m_rooms) {
        auto& st = m_state[room.room];
        if (st.warmupRate <= 0.0) {
            st.warmupRate = p.warmupRateKPerH;
            st.cooldownRate = p.cooldownRateKPerH;
        }
        // Unknown values are NaN here: every comparison with them is false.
        auto valueOf = [&obs](const std::string& point) {
            constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();
            if (point.empty())
                return kUnknown;
            const auto v = obs.value(point);
            return v ? *v : kUnknown;
        };
        const double airNow = valueOf(room.airTemperature);
        const double seen = valueOf(room.occupancy);
        const bool present = seen > 0.5;
        const bool booked = bookings != nullptr && bookings->booked(room.room, now);
        if (present || booked)
            st.lastPresence = now;
        if (present)
            st.lastSeen = now;
        const bool recentlyUsed = st.lastPresence >= 0 && now - st.lastPresence < p.vacancyDelay;

        // Learn the warm-up rate from the last interval of a recovery towards comfort.
        if (p.learnRates && !std::isnan(airNow) && st.recovering && st.lastTime >= 0 &&
            now > st.lastTime) {
            const double hours = static_cast<double>(now - st.lastTime) / 3600.0;
            const double rate = (airNow - st.lastAir) / hours;
            if (rate >= kMinRateKPerH && rate <= kMaxRateKPerH)
                st.warmupRate = (1.0 - kLearningWeight) * st.warmupRate + kLearningWeight * rate;
        }
        const bool atComfort = std::abs(valueOf(room.heatingSetpoint) - p.comfortHeating) < 1e-9;
        st.recovering = atComfort && airNow < p.comfortHeating - 0.3;
        st.lastTime = now;
        st.lastAir = std::isnan(airNow) ? 0.0 : airNow;

        // Pre-conditioning: comfort from the lead time before the next booked meeting.
        bool precondition = false;
        if (bookings != nullptr && !std::isnan(airNow)) {
            if (const auto next = bookings->nextMeetingStart(room.room, now)) {
                const double heatDeficit = std::max(0.0, p.comfortHeating - airNow);
                const double coolDeficit = std::max(0.0, airNow - p.comfortCooling);
                const double hours =
                    std::max(heatDeficit / st.warmupRate, coolDeficit / st.cooldownRate);
                const auto lead = std::clamp(static_cast<Seconds>(std::llround(hours * 3600.0)),
                                             p.minLead, p.maxLead);
                // In comfort already: stay there unless standby would last minStandby.
                precondition = *next - now <= lead + (atComfort ? p.minStandby : 0);
            }
        }
        const bool comfort = present || booked || recentlyUsed || precondition;
        setIfDifferent(ActionKind::SetSetpoint, room.heatingSetpoint,
                       comfort ? p.comfortHeating : p.standbyHeating);
        setIfDifferent(ActionKind::SetSetpoint, room.coolingSetpoint,
                       comfort ? p.comfortCooling : p.standbyCooling);
        // Lights follow people, not bookings: nobody there, nothing to light.
        if (!std::isnan(seen))
            setIfDifferent(ActionKind::Dim, room.lightCommand,
                           st.lastSeen >= 0 && now - st.lastSeen < p.vacancyDelay ? 100.0 : 0.0);
        if (!st.ventilationSet) {
            actions.push_back(
                Action{ActionKind::SetMode, room.room, 0.0, "ventilation-demand", {}});
            st.ventilationSet = true;
        }
    }
    return actions;
}

} // namespace twindesk::policies
