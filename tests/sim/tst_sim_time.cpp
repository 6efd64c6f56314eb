// Simulation time: exact integer calendar arithmetic and grid validation.
#include "test_registry.h"

#include <twindesk/sim/sim_time.h>

using namespace twindesk::sim;

class TestSimTime : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void civilConversion()
    {
        QCOMPARE(utcSeconds(1970, 1, 1), Seconds{0});
        QCOMPARE(utcSeconds(2000, 3, 1), Seconds{951868800});
        QCOMPARE(utcSeconds(2026, 11, 25, 6, 51, 35), Seconds{1795589495});
        QCOMPARE(formatUtc(0), std::string("1970-01-01T00:00:00Z"));
        QCOMPARE(formatUtc(utcSeconds(2024, 2, 29, 23, 59, 59)),
                 std::string("2024-02-29T23:59:59Z"));
        QCOMPARE(formatUtc(-1), std::string("1969-12-31T23:59:59Z"));
    }

    // Monday 6 January 2025 06:00 UTC is Monday 00:00 in Chicago (UTC−6) and Sunday 23:00 at
    // UTC−7; before the epoch the weekday still comes out right (1969-12-31 was a Wednesday).
    void localStandardTime()
    {
        const Seconds t = utcSeconds(2025, 1, 6, 6);
        const auto chicago = localTime(t, -6.0);
        QCOMPARE(chicago.weekday, 1);
        QCOMPARE(chicago.secondOfDay, Seconds{0});
        const auto denver = localTime(t, -7.0);
        QCOMPARE(denver.weekday, 0);
        QCOMPARE(denver.hour(), 23);
        const auto india = localTime(t + 30 * 60, 5.5); // 06:30Z + 5:30 = 12:00 Monday
        QCOMPARE(india.weekday, 1);
        QCOMPARE(india.secondOfDay, Seconds{12 * 3600});
        const auto before = localTime(-3600, 0.0);
        QCOMPARE(before.weekday, 3);
        QCOMPARE(before.hour(), 23);
    }

    void gridAcceptsDivisorsOfAnHour()
    {
        for (Seconds step : {1, 60, 120, 300, 600, 900, 1800, 3600}) {
            auto grid = TimeGrid::make(0, 86400, step);
            QVERIFY(grid.ok());
            QCOMPARE(grid->stepCount(), 86400 / step);
            QCOMPARE(grid->timeAt(grid->stepCount()), Seconds{86400});
        }
    }

    void gridRefusesBadInput()
    {
        auto odd = TimeGrid::make(0, 86400, 7);
        QVERIFY(!odd.ok());
        QVERIFY(odd.error().message.find("divide an hour") != std::string::npos);
        QVERIFY(!TimeGrid::make(0, 86400, 0).ok());
        QVERIFY(!TimeGrid::make(0, 86400, -60).ok());
        QVERIFY(!TimeGrid::make(100, 100, 60).ok());
        auto ragged = TimeGrid::make(0, 90, 60);
        QVERIFY(!ragged.ok());
        QVERIFY(ragged.error().message.find("whole number") != std::string::npos);
    }
};

TWINDESK_TEST(TestSimTime)
#include "tst_sim_time.moc"
