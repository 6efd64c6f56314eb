#include <twindesk/policies/policy.h>
#include <twindesk/sim/compute.h>

#include <algorithm>
#include <cmath>

namespace twindesk::policies {

Observation::Observation(std::shared_ptr<const twin::TwinGraph> twin, double timeZoneHours)
    : m_twin(std::move(twin)), m_timeZoneHours(timeZoneHours)
{
}

void Observation::detachCompute()
{
    if (m_compute)
        m_compute = std::make_shared<const sim::ComputeCluster>(*m_compute);
}

void Observation::update(const sim::TelemetryFrame& frame)
{
    m_time = frame.time;
    for (const auto& s : frame.samples) {
        const auto it =
            std::lower_bound(m_points.begin(), m_points.end(), s.point,
                             [](const Entry& e, const std::string& p) { return e.point < p; });
        // A non-finite value is never valid data for a policy, whatever its source said.
        const bool quality = s.quality && std::isfinite(s.value);
        if (it != m_points.end() && it->point == s.point) {
            it->value = s.value;
            it->quality = quality;
        } else {
            m_points.insert(it, Entry{s.point, s.value, quality});
        }
    }
}

std::optional<double> Observation::value(std::string_view point) const
{
    const auto it =
        std::lower_bound(m_points.begin(), m_points.end(), point,
                         [](const Entry& e, std::string_view p) { return e.point < p; });
    if (it == m_points.end() || it->point != point || !it->quality)
        return std::nullopt;
    return it->value;
}

} // namespace twindesk::policies
