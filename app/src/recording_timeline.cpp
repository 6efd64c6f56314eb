#include "recording_timeline.h"

#include <twindesk/policies/recording.h>

#include <algorithm>
#include <limits>
#include <map>

namespace twindesk::app {

twin::Result<RecordingTimeline> RecordingTimeline::open(const std::filesystem::path& file)
{
    auto source = policies::RecordedSource::open(file);
    if (!source)
        return source.error();
    RecordingTimeline t;
    // One pass over the frames: ids get provisional indices in order of appearance, sorted
    // and renumbered at the end.
    std::map<std::string, std::uint32_t, std::less<>> seen;
    std::vector<std::string> byFirstSeen;
    t.m_frameTimes.reserve((*source)->frameCount());
    t.m_frameFirst.reserve((*source)->frameCount() + 1);
    t.m_samples.reserve((*source)->sampleCount());
    sim::TelemetryFrame frame;
    while (true) {
        auto more = (*source)->next(frame);
        if (!more)
            return more.error();
        if (!*more)
            break;
        t.m_frameTimes.push_back(frame.time);
        t.m_frameFirst.push_back(t.m_samples.size());
        for (const auto& s : frame.samples) {
            auto it = seen.find(s.point);
            if (it == seen.end()) {
                it = seen.emplace(s.point, static_cast<std::uint32_t>(byFirstSeen.size())).first;
                byFirstSeen.push_back(s.point);
            }
            t.m_samples.push_back(
                {it->second, s.quality ? s.value : std::numeric_limits<double>::quiet_NaN()});
        }
    }
    t.m_frameFirst.push_back(t.m_samples.size());
    if (t.m_frameTimes.empty())
        return twin::makeError(twin::ErrorCode::InvalidArgument, "holds no recorded frames",
                               file.string());
    // Sorted ids; renumber the changes.
    std::vector<std::uint32_t> renumber(byFirstSeen.size());
    {
        std::uint32_t i = 0;
        for (const auto& [id, first] : seen) {
            renumber[first] = i++;
            t.m_points.push_back(id);
        }
    }
    t.m_byPoint.resize(t.m_points.size());
    for (std::size_t k = 0; k < t.m_samples.size(); ++k) {
        auto& c = t.m_samples[k];
        c.point = renumber[c.point];
        t.m_byPoint[c.point].push_back(static_cast<std::uint32_t>(k));
    }
    // A full snapshot after every kKeyframeEvery-th frame.
    std::vector<double> values(t.m_points.size(), std::numeric_limits<double>::quiet_NaN());
    for (std::size_t f = 0; f < t.m_frameTimes.size(); ++f) {
        for (std::size_t k = t.m_frameFirst[f]; k < t.m_frameFirst[f + 1]; ++k)
            values[t.m_samples[k].point] = t.m_samples[k].value;
        if (f % kKeyframeEvery == 0)
            t.m_keyframes.push_back(values);
    }
    return t;
}

int RecordingTimeline::pointIndex(const std::string& point) const
{
    const auto it = std::lower_bound(m_points.begin(), m_points.end(), point);
    return it != m_points.end() && *it == point ? static_cast<int>(it - m_points.begin()) : -1;
}

std::size_t RecordingTimeline::frameAt(sim::Seconds t) const
{
    const auto it = std::upper_bound(m_frameTimes.begin(), m_frameTimes.end(), t);
    return it == m_frameTimes.begin() ? 0 : static_cast<std::size_t>(it - m_frameTimes.begin()) - 1;
}

std::vector<double> RecordingTimeline::valuesAfterFrame(std::size_t frame) const
{
    frame = std::min(frame, m_frameTimes.size() - 1);
    const std::size_t key = frame / kKeyframeEvery;
    std::vector<double> values = m_keyframes[key];
    // The snapshot holds frame key·kKeyframeEvery; apply the frames after it up to `frame`.
    for (std::size_t k = m_frameFirst[key * kKeyframeEvery + 1]; k < m_frameFirst[frame + 1]; ++k)
        values[m_samples[k].point] = m_samples[k].value;
    return values;
}

std::vector<std::pair<sim::Seconds, double>>
RecordingTimeline::changes(int point, sim::Seconds from, sim::Seconds to) const
{
    std::vector<std::pair<sim::Seconds, double>> out;
    if (point < 0 || static_cast<std::size_t>(point) >= m_byPoint.size() || to < from)
        return out;
    const auto& idx = m_byPoint[static_cast<std::size_t>(point)];
    // The frame of change k: the last frame whose first change is ≤ k.
    auto timeOf = [this](std::uint32_t k) {
        const auto it =
            std::upper_bound(m_frameFirst.begin(), m_frameFirst.end(), static_cast<std::size_t>(k));
        return m_frameTimes[static_cast<std::size_t>(it - m_frameFirst.begin()) - 1];
    };
    // The first change after `from`; the one before it is the value in force at `from`.
    auto first = std::partition_point(idx.begin(), idx.end(),
                                      [&](std::uint32_t k) { return timeOf(k) <= from; });
    if (first != idx.begin())
        out.emplace_back(from, m_samples[*(first - 1)].value);
    for (auto it = first; it != idx.end(); ++it) {
        const auto time = timeOf(*it);
        if (time > to)
            break;
        out.emplace_back(time, m_samples[*it].value);
    }
    return out;
}

} // namespace twindesk::app
