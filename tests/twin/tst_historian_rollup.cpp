// Historian levels (issue #7 §2): 1-minute and 15-minute aggregates checked against values
// computed by hand, idempotence, late samples folded in, retention per level that never drops
// raw samples before they are aggregated, and retention specs with clear errors.
#include "test_registry.h"

#include <twindesk/twin/historian_rollup.h>
#include <twindesk/twin/project_store.h>
#include <twindesk/twin/sqlite_statement.h>

#include <QTemporaryDir>

#include <sqlite3.h>

#include <cmath>
#include <vector>

using namespace twindesk::twin;

namespace {

struct Bucket
{
    std::int64_t t;
    double min, max, mean;
    std::int64_t count;
};

std::vector<Bucket> buckets(const ProjectStore& store, const char* table)
{
    sql::Statement st(store.handle(), std::string("SELECT t, min, max, mean, count FROM ") +
                                          table + " ORDER BY series, t");
    std::vector<Bucket> out;
    while (st.step() == SQLITE_ROW)
        out.push_back({st.int64(0), st.real(1), st.real(2), st.real(3), st.int64(4)});
    return out;
}

std::int64_t rawRows(const ProjectStore& store)
{
    sql::Statement st(store.handle(), "SELECT count(*) FROM historian");
    return st.step() == SQLITE_ROW ? st.int64(0) : -1;
}

} // namespace

class TestHistorianRollup : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void aggregatesMatchHandComputedValues()
    {
        auto store = ProjectStore::create(m_dir.filePath("r.twin").toStdString());
        QVERIFY(store.ok());
        const auto s = store->seriesId("urn:p").value();
        // Minute 0: 1, 2, 6 → min 1, max 6, mean 3; minute 1: 10 → 10; minute 16: 4, 8.
        std::vector<ProjectStore::SeriesSample> rows{
            {s, 0, 1.0},         {s, 10'000, 2.0},    {s, 59'999, 6.0}, {s, 60'000, 10.0},
            {s, 16 * kMinuteMs, 4.0}, {s, 16 * kMinuteMs + 1, 8.0}};
        QVERIFY(store->appendSeries(rows).ok());
        // Up to 20 min: the first quarter-hour is complete, the second is not.
        auto r = rollup(*store, 20 * kMinuteMs, {});
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        const auto m1 = buckets(*store, "historian_1m");
        QCOMPARE(m1.size(), std::size_t{3});
        QCOMPARE(m1[0].t, std::int64_t{0});
        QCOMPARE(m1[0].min, 1.0);
        QCOMPARE(m1[0].max, 6.0);
        QCOMPARE(m1[0].mean, 3.0);
        QCOMPARE(m1[0].count, std::int64_t{3});
        QCOMPARE(m1[1].mean, 10.0);
        QCOMPARE(m1[2].t, 16 * kMinuteMs);
        QCOMPARE(m1[2].mean, 6.0);
        const auto m15 = buckets(*store, "historian_15m");
        QCOMPARE(m15.size(), std::size_t{1}); // 15–30 min is not complete at 20 min
        QCOMPARE(m15[0].min, 1.0);
        QCOMPARE(m15[0].max, 10.0);
        QCOMPARE(m15[0].count, std::int64_t{4});
        QCOMPARE(m15[0].mean, (1.0 + 2.0 + 6.0 + 10.0) / 4.0); // weighted by count, not 6.5

        // Again: nothing changes.
        QVERIFY(rollup(*store, 20 * kMinuteMs, {}).ok());
        QCOMPARE(buckets(*store, "historian_15m").size(), std::size_t{1});
        QCOMPARE(buckets(*store, "historian_1m")[0].mean, 3.0);

        // A late sample in minute 0 is folded in on the next run.
        const std::vector<ProjectStore::SeriesSample> late{{s, 30'000, 3.0}};
        QVERIFY(store->appendSeries(late).ok());
        QVERIFY(rollup(*store, 31 * kMinuteMs, {}).ok());
        const auto again = buckets(*store, "historian_1m");
        QCOMPARE(again[0].count, std::int64_t{4});
        QCOMPARE(again[0].mean, 3.0); // (1 + 2 + 3 + 6) / 4
        QCOMPARE(buckets(*store, "historian_15m").size(), std::size_t{2});
    }

    void retentionKeepsTrendsLongerThanDetail()
    {
        auto store = ProjectStore::create(m_dir.filePath("k.twin").toStdString());
        QVERIFY(store.ok());
        const auto s = store->seriesId("urn:q").value();
        std::vector<ProjectStore::SeriesSample> rows;
        for (std::int64_t m = 0; m < 120; ++m) // two hours, one sample a minute
            rows.push_back({s, m * kMinuteMs, static_cast<double>(m)});
        QVERIFY(store->appendSeries(rows).ok());
        Retention keep;
        keep.rawMs = 30 * kMinuteMs;       // raw: the last half hour
        keep.oneMinuteMs = 60 * kMinuteMs; // 1-minute: the last hour
        auto r = rollup(*store, 120 * kMinuteMs, keep);
        QVERIFY(r.ok());
        QCOMPARE(r->rawDeleted, std::int64_t{90});
        QCOMPARE(rawRows(*store), std::int64_t{30});
        QCOMPARE(buckets(*store, "historian_1m").size(), std::size_t{60});
        QCOMPARE(buckets(*store, "historian_15m").size(), std::size_t{8}); // forever
        QCOMPARE(buckets(*store, "historian_15m")[0].mean, 7.0);         // mean of 0..14

        // Raw samples newer than the last complete quarter-hour are never deleted, whatever
        // the retention says: they have no aggregate yet.
        const std::vector<ProjectStore::SeriesSample> more{{s, 125 * kMinuteMs, 1.0}};
        QVERIFY(store->appendSeries(more).ok());
        Retention tight;
        tight.rawMs = 1;
        QVERIFY(rollup(*store, 126 * kMinuteMs, tight).ok());
        QCOMPARE(rawRows(*store), std::int64_t{1}); // the one at 125 min stays
    }

    void retentionSpecs()
    {
        auto r = parseRetention("raw=7d,1m=90d,15m=0");
        QVERIFY(r.ok());
        QCOMPARE(r->rawMs, std::int64_t{7} * 86'400'000);
        QCOMPARE(r->oneMinuteMs, std::int64_t{90} * 86'400'000);
        QCOMPARE(r->fifteenMinuteMs, std::int64_t{0});
        QCOMPARE(parseRetention("raw=90min")->rawMs, std::int64_t{90} * kMinuteMs);
        auto badLevel = parseRetention("hourly=1d");
        QVERIFY(!badLevel.ok());
        QVERIFY(badLevel.error().message.find("raw, 1m or 15m") != std::string::npos);
        QVERIFY(!parseRetention("raw=7weeks").ok());
        QVERIFY(!parseRetention("raw").ok());
        QVERIFY(!parseRetention("raw=-1d").ok());
    }
};

TWINDESK_TEST(TestHistorianRollup)
#include "tst_historian_rollup.moc"
