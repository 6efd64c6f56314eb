#include <twindesk/policies/policy.h>
#include <twindesk/sim/compute.h>
#include <twindesk/sim/runtime.h>

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
    if (m_runtimes)
        m_runtimes = std::make_shared<const sim::RuntimeFleet>(*m_runtimes);
}

void Observation::update(const sim::TelemetryFrame& frame)
{
    m_time = frame.time;
    if (m_byPosition.size() < frame.samples.size())
        m_byPosition.resize(frame.samples.size(), 0);
    for (std::size_t i = 0; i < frame.samples.size(); ++i) {
        const auto& s = frame.samples[i];
        auto& cached = m_byPosition[i];
        if (cached == 0 || m_points[cached - 1].point != s.point) {
            auto it = m_index.find(s.point);
            if (it == m_index.end()) {
                it = m_index.emplace(s.point, static_cast<std::uint32_t>(m_points.size())).first;
                m_points.push_back({s.point, 0.0, true});
            }
            cached = it->second + 1;
        }
        // A non-finite value is never valid data for a policy, whatever its source said.
        auto& e = m_points[cached - 1];
        const bool quality = s.quality && std::isfinite(s.value);
        if (quality != e.quality)
            m_bad = quality ? m_bad - 1 : m_bad + 1;
        e.value = s.value;
        e.quality = quality;
    }
}

std::vector<std::string> Observation::badPoints() const
{
    std::vector<std::string> out;
    if (m_bad == 0)
        return out;
    for (const auto& e : m_points)
        if (!e.quality)
            out.push_back(e.point);
    std::sort(out.begin(), out.end());
    return out;
}

std::optional<double> Observation::value(std::string_view point) const
{
    const auto it = m_index.find(point);
    if (it == m_index.end() || !m_points[it->second].quality)
        return std::nullopt;
    return m_points[it->second].value;
}

} // namespace twindesk::policies
