#pragma once
/// \file recording_timeline.h
/// Random access into a recording (policies/recording.h) by time: the value of every recorded
/// point at any instant — the last value at or before it — and each point's changes over a
/// period. What the console's replay view scrubs with.
///
/// A recording stores, per observed frame, only the values that changed; to answer "the state
/// at t" without replaying from the start, the timeline keeps a full snapshot of every point
/// every kKeyframeEvery frames and applies the changes of at most that many frames after the
/// nearest one (docs/benchmarks.md: a seek in a month at 60 s costs microseconds). Reads the
/// file once, through RecordedSource (the frames the control loop saw, exactly). Immutable after
/// open: safe to share between threads. Qt-free.

#include <twindesk/sim/sim_time.h>
#include <twindesk/twin/result.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace twindesk::app {

class RecordingTimeline
{
public:
    static constexpr std::size_t kKeyframeEvery = 256;

    /// Reads the recording of `file`. The errors of RecordedSource::open (NotFound, CorruptFile,
    /// InvalidArgument for a file that holds no recorded frames), naming the file.
    static twin::Result<RecordingTimeline> open(const std::filesystem::path& file);

    /// The recorded points' ids, sorted.
    [[nodiscard]] const std::vector<std::string>& points() const { return m_points; }
    /// Index of a point in points(), or -1.
    [[nodiscard]] int pointIndex(const std::string& point) const;
    [[nodiscard]] std::size_t frameCount() const { return m_frameTimes.size(); }
    [[nodiscard]] std::size_t sampleCount() const { return m_samples.size(); }
    /// Time of frame i (Unix seconds, UTC).
    [[nodiscard]] sim::Seconds frameTime(std::size_t i) const { return m_frameTimes[i]; }
    [[nodiscard]] sim::Seconds start() const { return m_frameTimes.front(); }
    [[nodiscard]] sim::Seconds end() const { return m_frameTimes.back(); }

    /// The last frame at or before `t` (0 before the first).
    [[nodiscard]] std::size_t frameAt(sim::Seconds t) const;
    /// Every point's value after frame `frame` (index into points()); NaN for a point not yet
    /// seen or whose last sample was bad.
    [[nodiscard]] std::vector<double> valuesAfterFrame(std::size_t frame) const;
    /// valuesAfterFrame(frameAt(t)).
    [[nodiscard]] std::vector<double> valuesAt(sim::Seconds t) const
    {
        return valuesAfterFrame(frameAt(t));
    }
    /// The changes of point `point` (index) with from ≤ time ≤ to: (time, value), the value
    /// holding from that time on; the first is the value in force at `from` (time `from`).
    [[nodiscard]] std::vector<std::pair<sim::Seconds, double>> changes(int point, sim::Seconds from,
                                                                       sim::Seconds to) const;

private:
    RecordingTimeline() = default;
    struct Change
    {
        std::uint32_t point = 0;
        double value = 0.0;
    };
    std::vector<std::string> m_points;
    std::vector<sim::Seconds> m_frameTimes;
    std::vector<std::size_t> m_frameFirst; ///< first change of each frame in m_samples
    std::vector<Change> m_samples;
    std::vector<std::vector<double>> m_keyframes; ///< values after frame k·kKeyframeEvery
    /// Per point, the indices of its changes in m_samples, in time order (for changes()).
    std::vector<std::vector<std::uint32_t>> m_byPoint;
};

} // namespace twindesk::app
