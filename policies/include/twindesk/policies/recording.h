#pragma once
/// \file recording.h
/// Recordings: what the control loop observed, kept in a project file so a policy can be
/// replayed on it (issue #6).
///
/// Every run that writes a results/project file with a policy is a recording: besides the
/// historian (trends at the output interval) and the decision log, it holds every frame the
/// loop observed — its time (`recording_frames`) and the values that changed since the loop's
/// previous frame (`recording_samples`, NULL for a bad-quality sample). Replaying those frames
/// (RecordedSource) rebuilds the loop's Observation exactly, frame by frame: Observation keeps
/// the latest value of each point, so unchanged values need not be stored. Cost: one row per
/// changed value per observed frame (docs/replay.md has the figures).
///
/// A lean recording (scenario `outputs.recording: "policy-inputs"`, FrameRecorder::keepOnly)
/// keeps only the points the recorded policy observes (policyInputPoints): it replays that
/// policy — and any candidate reading no other points — exactly, at a fraction of the size.
///
/// Not recorded: the compute view (placement, utilisation histories) — consolidation policies
/// are validated closed-loop, from the recording's scenario, not open-loop.

#include <twindesk/policies/policy.h>
#include <twindesk/sim/telemetry.h>
#include <twindesk/twin/project_store.h>
#include <twindesk/twin/result.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace twindesk::policies {

/// Writes the frames the loop observes into a project's recording tables, in batches.
/// Borrows the store's connection: the store must outlive the recorder (flush, then destroy
/// the recorder first). One thread.
class FrameRecorder
{
public:
    static twin::Result<std::unique_ptr<FrameRecorder>> open(twin::ProjectStore& store,
                                                             std::size_t batchFrames = 2000);
    ~FrameRecorder();
    FrameRecorder(const FrameRecorder&) = delete;
    FrameRecorder& operator=(const FrameRecorder&) = delete;
    FrameRecorder(FrameRecorder&&) = delete;
    FrameRecorder& operator=(FrameRecorder&&) = delete;

    /// Keeps only these points (entity ids) from now on; the others are not recorded. Call
    /// before the first frame. Default: every point.
    void keepOnly(std::vector<std::string> points);

    /// Records one observed frame: its time, whether the loop decided on it, and the samples
    /// whose value or quality differ from the last recorded ones. Writes a batch when full.
    twin::Status record(const sim::TelemetryFrame& frame, bool decided);
    /// Writes what is buffered (one transaction).
    twin::Status flush();

    [[nodiscard]] std::int64_t frames() const { return m_frames; }
    [[nodiscard]] std::int64_t samples() const { return m_samples; }

private:
    FrameRecorder(twin::ProjectStore& store, std::size_t batchFrames);
    struct Last
    {
        const std::string* point = nullptr; ///< its key in m_last
        std::int64_t series = 0; ///< 0: a point keepOnly() leaves out
        double value = 0.0;
        bool quality = true;
        bool seen = false;
    };
    struct Row
    {
        std::int64_t t = 0;
        std::int64_t series = 0;
        double value = 0.0;
        bool quality = true;
    };
    twin::ProjectStore& m_store;
    std::size_t m_batchFrames;
    std::map<std::string, Last, std::less<>> m_last;
    /// m_last's entry of the previous frame's i-th sample: a source sends its points in the
    /// same order every frame, so one string comparison replaces a map search (hot path).
    std::vector<Last*> m_byPosition;
    std::optional<std::vector<std::string>> m_keep; // sorted; nullopt: every point
    std::vector<std::pair<std::int64_t, bool>> m_frameRows; // (t ms, decided)
    std::vector<Row> m_rows;
    std::int64_t m_frames = 0;
    std::int64_t m_samples = 0;
};

/// A TelemetrySource over a recording: the frames the loop observed, in time order, each with
/// the values that changed (the first with every value). Reads the file once at open.
class RecordedSource : public sim::TelemetrySource
{
public:
    /// Opens `file` read-only. NotFound / CorruptFile as ProjectStore; InvalidArgument when it
    /// holds no recorded frames (a file written before recordings existed, or without a policy).
    static twin::Result<std::unique_ptr<RecordedSource>> open(const std::filesystem::path& file);

    twin::Result<bool> next(sim::TelemetryFrame& frame) override;
    [[nodiscard]] sim::Seconds now() const override { return m_now; }

    [[nodiscard]] std::size_t frameCount() const { return m_frames.size(); }
    [[nodiscard]] std::size_t sampleCount() const { return m_samples.size(); }

private:
    RecordedSource() = default;
    struct Sample
    {
        std::uint32_t point = 0; // index into m_points
        double value = 0.0;
        bool quality = true;
    };
    std::vector<std::string> m_points;
    std::vector<std::pair<sim::Seconds, std::size_t>> m_frames; // (time, first sample)
    std::vector<Sample> m_samples;
    std::size_t m_next = 0;
    sim::Seconds m_now = 0;
};

/// The points a policy observes in `graph`: those with a class (local name) or room role that
/// its info reads or triggers on, or whose id it names, and every setpoint and command point
/// (policies compare what they would ask for with what is set). Sorted, unique ids.
std::vector<std::string> policyInputPoints(const twin::TwinGraph& graph, const PolicyInfo& info);

/// For a lean recording made with `recorded`: fails (naming `where`, a few of the points and
/// what to do) when `candidate` observes points that `recorded` does not, since those were
/// not recorded and the replay would show the candidate a world without them.
twin::Status checkLeanRecordingCovers(const twin::TwinGraph& graph, const PolicyInfo& recorded,
                                      const PolicyInfo& candidate, const std::string& where);

/// What `twindesk info` says about a recording.
struct RecordingInfo
{
    sim::Seconds start = 0; ///< first frame
    sim::Seconds end = 0;   ///< last frame
    std::int64_t frames = 0;
    std::int64_t decisionFrames = 0; ///< frames on which the loop decided
    std::int64_t samples = 0;
    std::int64_t points = 0; ///< distinct points recorded
    struct PolicyCount
    {
        std::string id, version, hash;
        std::int64_t decisions = 0; ///< decision-log rows
    };
    std::vector<PolicyCount> policies;
};
/// Reads the recording tables and the decision log of an open project.
twin::Result<RecordingInfo> describeRecording(const twin::ProjectStore& store);

} // namespace twindesk::policies
