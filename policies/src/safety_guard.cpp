#include <twindesk/policies/safety_guard.h>

#include <algorithm>
#include <cmath>

namespace twindesk::policies {

namespace {
std::string num(double v)
{
    std::string s = std::to_string(v);
    while (!s.empty() && s.back() == '0')
        s.pop_back();
    if (!s.empty() && s.back() == '.')
        s.pop_back();
    return s;
}
} // namespace

std::string_view verdictName(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Accepted:
        return "accepted";
    case Verdict::Modified:
        return "modified";
    case Verdict::Rejected:
        return "rejected";
    }
    return "unknown";
}

GuardResult SafetyGuard::check(const sim::Action& action, sim::Seconds now,
                               const std::vector<sim::ActionKind>& declared,
                               std::optional<double> current, std::optional<int> workloadsOnTarget,
                               bool criticalTarget)
{
    GuardResult r;
    r.action = action;
    auto reject = [&r](std::string rule, std::string reason) {
        r.verdict = Verdict::Rejected;
        r.rule = std::move(rule);
        r.reason = std::move(reason);
        return r;
    };
    if (auto v = sim::validateAction(action); !v)
        return reject("schema", v.error().message);
    if (std::find(declared.begin(), declared.end(), action.kind) == declared.end())
        return reject("schema", std::string(sim::actionKindName(action.kind)) +
                                    " is not among the kinds the policy declared");

    if (criticalTarget &&
        (action.kind == sim::ActionKind::Throttle || action.kind == sim::ActionKind::MigrateVm ||
         (action.kind == sim::ActionKind::Switch && action.value == 0.0)))
        return reject("critical-workload", "'" + action.target +
                                               "' is marked critical: it is never throttled, "
                                               "moved or stopped by a policy");

    auto& h = m_targets[action.target];
    if (now < h.frozenUntil)
        return reject("oscillation", "'" + action.target + "' flip-flopped " +
                                         std::to_string(m_config.oscillationReversals) +
                                         " times within " +
                                         std::to_string(m_config.oscillationWindow) +
                                         " s; frozen until " + std::to_string(h.frozenUntil));
    if (!h.changes.empty() && now - h.changes.back().first < m_config.minDwell)
        return reject("dwell", "'" + action.target + "' changed " +
                                   std::to_string(now - h.changes.back().first) +
                                   " s ago; the minimum dwell is " +
                                   std::to_string(m_config.minDwell) + " s");

    if (action.kind == sim::ActionKind::PowerHost && action.value == 0.0) {
        if (!workloadsOnTarget)
            return reject("host-workloads", "cannot tell which workloads run on '" + action.target +
                                                "'; a host is powered off only when known empty");
        if (*workloadsOnTarget > 0)
            return reject("host-workloads", "'" + action.target + "' still runs " +
                                                std::to_string(*workloadsOnTarget) +
                                                " workload(s); migrate them away first");
    }
    if (action.kind == sim::ActionKind::MigrateVm) {
        std::erase_if(m_migrations,
                      [&](sim::Seconds t) { return now - t >= m_config.migrationInterval; });
        if (static_cast<int>(m_migrations.size()) >= m_config.maxMigrationsPerInterval)
            return reject("migrations", "already " + std::to_string(m_migrations.size()) +
                                            " migrations within " +
                                            std::to_string(m_config.migrationInterval) + " s");
    }
    if (action.kind == sim::ActionKind::SetSetpoint) {
        double v = action.value;
        if (v < m_config.minSetpointC || v > m_config.maxSetpointC) {
            if (!m_config.clampOutOfBounds)
                return reject("bounds", "setpoint " + num(v) + " for '" + action.target +
                                            "' is outside " + num(m_config.minSetpointC) + ".." +
                                            num(m_config.maxSetpointC));
            v = std::clamp(v, m_config.minSetpointC, m_config.maxSetpointC);
            r.rule = "bounds";
            r.reason = "setpoint " + num(action.value) + " clamped to " + num(v);
        }
        if (current && std::abs(v - *current) > m_config.maxSetpointStep) {
            const double limited = *current + std::copysign(m_config.maxSetpointStep, v - *current);
            r.rule = r.rule.empty() ? "rate" : r.rule + "+rate";
            r.reason += (r.reason.empty() ? "" : "; ") + std::string("step ") + num(v - *current) +
                        " K limited to " + num(m_config.maxSetpointStep) + " K";
            v = limited;
        }
        if (v != action.value) {
            r.verdict = Verdict::Modified;
            r.action.value = v;
        }
    }
    return r;
}

void SafetyGuard::applied(const sim::Action& action, sim::Seconds now)
{
    auto& h = m_targets[action.target];
    std::erase_if(h.changes,
                  [&](const auto& c) { return now - c.first > m_config.oscillationWindow; });
    h.changes.emplace_back(now, action.value);
    if (action.kind == sim::ActionKind::MigrateVm)
        m_migrations.push_back(now);
    // Count direction reversals of the value within the window (up-down-up ...).
    int reversals = 0;
    for (std::size_t i = 2; i < h.changes.size(); ++i) {
        const double d1 = h.changes[i - 1].second - h.changes[i - 2].second;
        const double d2 = h.changes[i].second - h.changes[i - 1].second;
        if (d1 * d2 < 0.0)
            ++reversals;
    }
    if (reversals >= m_config.oscillationReversals)
        h.frozenUntil = now + m_config.oscillationWindow;
}

} // namespace twindesk::policies
