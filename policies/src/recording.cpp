#include <twindesk/policies/recording.h>
#include <twindesk/policies/room_context.h>
#include <twindesk/twin/sqlite_statement.h>

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace twindesk::policies {

using twin::ErrorCode;
using twin::makeError;
using twin::sql::Statement;

namespace {

bool sameValue(double a, double b)
{
    return a == b || (std::isnan(a) && std::isnan(b));
}

} // namespace

// --- FrameRecorder
// --------------------------------------------------------------------------------

FrameRecorder::FrameRecorder(twin::ProjectStore& store, std::size_t batchFrames)
    : m_store(store), m_batchFrames(batchFrames == 0 ? 1 : batchFrames)
{
}

FrameRecorder::~FrameRecorder() = default;

twin::Result<std::unique_ptr<FrameRecorder>> FrameRecorder::open(twin::ProjectStore& store,
                                                                 std::size_t batchFrames)
{
    if (store.schemaVersion() < 4)
        return makeError(ErrorCode::InvalidArgument,
                         "the project's schema has no recording tables (version " +
                             std::to_string(store.schemaVersion()) + ")");
    return std::unique_ptr<FrameRecorder>(new FrameRecorder(store, batchFrames));
}

void FrameRecorder::keepOnly(std::vector<std::string> points)
{
    std::sort(points.begin(), points.end());
    points.erase(std::unique(points.begin(), points.end()), points.end());
    m_keep = std::move(points);
}

twin::Status FrameRecorder::record(const sim::TelemetryFrame& frame, bool decided)
{
    const std::int64_t tMs = frame.time * 1000;
    m_frameRows.emplace_back(tMs, decided);
    ++m_frames;
    if (m_byPosition.size() < frame.samples.size())
        m_byPosition.resize(frame.samples.size(), nullptr);
    for (std::size_t i = 0; i < frame.samples.size(); ++i) {
        const auto& s = frame.samples[i];
        Last* cached = m_byPosition[i];
        if (cached == nullptr || *cached->point != s.point) {
            auto it = m_last.find(s.point);
            if (it == m_last.end()) {
                std::int64_t series = 0;
                if (!m_keep || std::binary_search(m_keep->begin(), m_keep->end(), s.point)) {
                    auto id = m_store.seriesId(s.point);
                    if (!id)
                        return id.error();
                    series = *id;
                }
                it = m_last.emplace(s.point, Last{nullptr, series, 0.0, true, false}).first;
                it->second.point = &it->first;
            }
            cached = m_byPosition[i] = &it->second;
        }
        Last& last = *cached;
        if (last.series == 0)
            continue;
        if (last.seen && last.quality == s.quality && sameValue(last.value, s.value))
            continue;
        last.value = s.value;
        last.quality = s.quality;
        last.seen = true;
        m_rows.push_back({tMs, last.series, s.value, s.quality && std::isfinite(s.value)});
        ++m_samples;
    }
    if (m_frameRows.size() >= m_batchFrames)
        return flush();
    return {};
}

twin::Status FrameRecorder::flush()
{
    if (m_frameRows.empty())
        return {};
    sqlite3* db = m_store.handle();
    const std::string where = "recording";
    std::string error;
    if (!twin::sql::exec(db, "BEGIN IMMEDIATE", &error))
        return makeError(ErrorCode::StorageError, "starting a recording batch: " + error, where);
    auto rollback = [&](const std::string& what) {
        auto e = twin::sql::storageError(db, what, where);
        twin::sql::exec(db, "ROLLBACK", nullptr);
        return e;
    };
    {
        Statement frame(db, "INSERT OR REPLACE INTO recording_frames(t, decided) VALUES (?, ?)");
        Statement sample(
            db, "INSERT OR REPLACE INTO recording_samples(t, series, value) VALUES (?, ?, ?)");
        if (!frame.valid() || !sample.valid())
            return rollback("preparing the recording inserts");
        for (const auto& [t, decided] : m_frameRows) {
            frame.bind(1, t);
            frame.bind(2, decided ? 1 : 0);
            if (frame.step() != SQLITE_DONE)
                return rollback("recording a frame");
            frame.reset();
        }
        for (const auto& r : m_rows) {
            sample.bind(1, r.t);
            sample.bind(2, r.series);
            if (r.quality)
                sample.bind(3, r.value);
            else
                sample.bindNull(3);
            if (sample.step() != SQLITE_DONE)
                return rollback("recording a sample");
            sample.reset();
        }
    }
    if (!twin::sql::exec(db, "COMMIT", &error))
        return rollback("committing a recording batch");
    m_frameRows.clear();
    m_rows.clear();
    return {};
}

// --- RecordedSource
// -------------------------------------------------------------------------------

twin::Result<std::unique_ptr<RecordedSource>>
RecordedSource::open(const std::filesystem::path& file)
{
    auto store = twin::ProjectStore::open(file, twin::OpenMode::ReadOnly);
    if (!store)
        return store.error();
    sqlite3* db = store->handle();
    const std::string where = file.string();
    if (store->schemaVersion() < 4)
        return makeError(ErrorCode::InvalidArgument,
                         "written before recordings existed (schema version " +
                             std::to_string(store->schemaVersion()) +
                             "); run the scenario again with --out",
                         where);
    std::unique_ptr<RecordedSource> source(new RecordedSource());
    std::map<std::int64_t, std::uint32_t> pointOfSeries;
    {
        Statement st(db, "SELECT id, point FROM series ORDER BY id");
        if (!st.valid())
            return twin::sql::storageError(db, "reading the recorded points", where);
        while (st.step() == SQLITE_ROW) {
            pointOfSeries.emplace(st.int64(0), static_cast<std::uint32_t>(source->m_points.size()));
            source->m_points.push_back(st.text(1));
        }
    }
    // Frames and samples in one ordered pass each (both tables are clustered by time).
    Statement frames(db, "SELECT t FROM recording_frames ORDER BY t");
    Statement samples(db, "SELECT t, series, value FROM recording_samples ORDER BY t, series");
    if (!frames.valid() || !samples.valid())
        return twin::sql::storageError(db, "reading the recording", where);
    int rc = samples.step();
    while (frames.step() == SQLITE_ROW) {
        const std::int64_t tMs = frames.int64(0);
        source->m_frames.emplace_back(tMs / 1000, source->m_samples.size());
        while (rc == SQLITE_ROW && samples.int64(0) <= tMs) {
            if (samples.int64(0) == tMs) {
                const auto it = pointOfSeries.find(samples.int64(1));
                if (it == pointOfSeries.end())
                    return makeError(ErrorCode::CorruptFile,
                                     "a recorded sample refers to series " +
                                         std::to_string(samples.int64(1)) + ", which is missing",
                                     where);
                Sample s;
                s.point = it->second;
                s.quality = !samples.null(2);
                s.value = s.quality ? samples.real(2) : std::numeric_limits<double>::quiet_NaN();
                source->m_samples.push_back(s);
            }
            rc = samples.step();
        }
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return twin::sql::storageError(db, "reading the recorded samples", where);
    if (source->m_frames.empty())
        return makeError(ErrorCode::InvalidArgument,
                         "holds no recorded frames: it was not written by a run with a policy",
                         where);
    source->m_now = source->m_frames.front().first;
    return source;
}

twin::Result<bool> RecordedSource::next(sim::TelemetryFrame& frame)
{
    if (m_next >= m_frames.size())
        return false;
    const auto [time, first] = m_frames[m_next];
    const std::size_t end =
        m_next + 1 < m_frames.size() ? m_frames[m_next + 1].second : m_samples.size();
    ++m_next;
    frame.time = time;
    frame.samples.clear();
    frame.samples.reserve(end - first);
    for (std::size_t i = first; i < end; ++i)
        frame.samples.push_back(
            {m_points[m_samples[i].point], m_samples[i].value, m_samples[i].quality});
    m_now = time;
    return true;
}

// --- policyInputPoints
// ---------------------------------------------------------------------------

std::vector<std::string> policyInputPoints(const twin::TwinGraph& graph, const PolicyInfo& info)
{
    std::set<std::string, std::less<>> names(info.reads.begin(), info.reads.end());
    names.insert(info.triggers.begin(), info.triggers.end());
    std::vector<std::string> out;
    for (auto index : graph.entitiesOfKind(twin::EntityKind::Point)) {
        const auto& p = graph.entity(index);
        bool keep = names.contains(p.id) || names.contains(pointRole(p));
        if (!keep && p.point)
            keep = p.point->type == twin::PointType::Setpoint ||
                   p.point->type == twin::PointType::Command;
        for (const auto& c : p.classes)
            keep = keep || names.contains(twin::localName(c));
        if (keep)
            out.push_back(p.id);
    }
    std::sort(out.begin(), out.end());
    return out;
}

twin::Status checkLeanRecordingCovers(const twin::TwinGraph& graph, const PolicyInfo& recorded,
                                      const PolicyInfo& candidate, const std::string& where)
{
    const auto have = policyInputPoints(graph, recorded);
    const auto want = policyInputPoints(graph, candidate);
    std::vector<std::string> missing;
    std::set_difference(want.begin(), want.end(), have.begin(), have.end(),
                        std::back_inserter(missing));
    if (missing.empty())
        return {};
    std::string examples;
    for (std::size_t i = 0; i < missing.size() && i < 3; ++i)
        examples += (i > 0 ? ", " : "") + missing[i];
    return makeError(ErrorCode::InvalidArgument,
                     "this recording keeps only the points " + recorded.id + " observes "
                     "(outputs.recording = \"policy-inputs\"), and " + candidate.id +
                         " reads " + std::to_string(missing.size()) +
                         " point(s) it did not record (" + examples +
                         (missing.size() > 3 ? ", ..." : "") +
                         "); record the scenario with outputs.recording = \"all\" to replay "
                         "this candidate",
                     where);
}

// --- describeRecording
// ----------------------------------------------------------------------------

twin::Result<RecordingInfo> describeRecording(const twin::ProjectStore& store)
{
    RecordingInfo info;
    sqlite3* db = store.handle();
    const std::string where = "recording";
    if (store.schemaVersion() < 4)
        return info;
    {
        Statement st(db, "SELECT count(*), coalesce(min(t), 0), coalesce(max(t), 0), "
                         "coalesce(sum(decided), 0) FROM recording_frames");
        if (!st.valid() || st.step() != SQLITE_ROW)
            return twin::sql::storageError(db, "reading the recorded frames", where);
        info.frames = st.int64(0);
        info.start = st.int64(1) / 1000;
        info.end = st.int64(2) / 1000;
        info.decisionFrames = st.int64(3);
    }
    {
        Statement st(db, "SELECT count(*), count(DISTINCT series) FROM recording_samples");
        if (!st.valid() || st.step() != SQLITE_ROW)
            return twin::sql::storageError(db, "reading the recorded samples", where);
        info.samples = st.int64(0);
        info.points = st.int64(1);
    }
    {
        Statement st(db, "SELECT policy_id, policy_version, policy_hash, count(*) FROM "
                         "decision_log GROUP BY policy_id, policy_version, policy_hash "
                         "ORDER BY min(seq)");
        if (!st.valid())
            return twin::sql::storageError(db, "reading the decision log", where);
        while (st.step() == SQLITE_ROW)
            info.policies.push_back({st.text(0), st.text(1), st.text(2), st.int64(3)});
    }
    return info;
}

} // namespace twindesk::policies
