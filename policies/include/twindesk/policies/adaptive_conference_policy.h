#pragma once
/// \file adaptive_conference_policy.h
/// The adaptive conference room: setpoints, lighting and ventilation that follow bookings and
/// presence instead of a time clock.
///
/// For every room of use "conference" (twin ZoneUse::Conference), each decision:
///  - comfort (occupied setpoints) while a meeting is booked, while the occupancy sensor sees
///    people, and from a lead time before the next booked meeting (pre-conditioning);
///  - standby setpoints otherwise, once the room has been empty for `vacancyDelay` after its
///    last meeting or presence (setback after meetings end, with a grace period for overruns)
///    and only when the standby would last at least `minStandby` before the next
///    pre-conditioning (short gaps between meetings stay in comfort: no flip-flop);
///  - lights on while people are present, off after `vacancyDelay` of vacancy;
///  - ventilation demand-controlled (by the people present), commanded once at the start.
/// The pre-conditioning lead is "optimal start": (occupied heating setpoint − air temperature)
/// / warm-up rate, clamped to [minLead, maxLead]; the warm-up rate starts at `warmupRateKPerH`
/// and is learned per room from observed recoveries (exponential smoothing of the rate seen
/// while the room heats towards the comfort setpoint). The same for cooling with
/// `cooldownRateKPerH`. Rooms without a calendar entry still react to presence.
/// It decides every 5 minutes and at once when an occupancy sensor changes (an event trigger),
/// so lights follow people without waiting for the next round.
/// Decisions depend only on observations and bookings (deterministic).

#include <twindesk/policies/policy.h>
#include <twindesk/policies/room_context.h>

#include <map>

namespace twindesk::policies {

struct AdaptiveConferenceParams
{
    double comfortHeating = 21.0;
    double comfortCooling = 24.0;
    double standbyHeating = 16.0;
    double standbyCooling = 28.0;
    double warmupRateKPerH = 4.0; ///< initial estimate of how fast a room heats, K/h
    double cooldownRateKPerH = 3.0;
    Seconds minLead = 900;               ///< pre-conditioning at least this early
    Seconds maxLead = Seconds{3} * 3600; ///< and at most this early
    Seconds vacancyDelay = 600;          ///< empty this long before setback and lights off
    /// A room in comfort is set back only when standby would last at least this long before
    /// the next pre-conditioning starts (no flip-flop between close meetings).
    Seconds minStandby = 3600;
    bool learnRates = true;
};

class AdaptiveConferencePolicy : public Policy
{
public:
    static twin::Result<std::unique_ptr<AdaptiveConferencePolicy>>
    make(AdaptiveConferenceParams params);

    [[nodiscard]] const PolicyInfo& info() const override { return m_info; }
    twin::Result<std::vector<Action>> decide(const Observation& observation) override;

    /// The learned warm-up rate of a room (K/h), for tests and reports.
    [[nodiscard]] double warmupRate(const std::string& room) const;

private:
    explicit AdaptiveConferencePolicy(AdaptiveConferenceParams params) : m_params(params) {}

    struct RoomState
    {
        Seconds lastPresence = -1; ///< last time people were seen or a meeting was booked
        Seconds lastSeen = -1;     ///< last time the occupancy sensor saw people
        bool ventilationSet = false;
        double warmupRate = 0.0;
        double cooldownRate = 0.0;
        Seconds lastTime = -1; ///< previous observation of a recovery
        double lastAir = 0.0;
        bool recovering = false;
    };
    AdaptiveConferenceParams m_params;
    PolicyInfo m_info;
    bool m_resolved = false;
    std::vector<RoomPoints> m_rooms;
    std::map<std::string, RoomState> m_state;
};

} // namespace twindesk::policies
