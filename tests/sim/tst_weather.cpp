// EPW weather files: the four real TMY3 files in shared/anchors/weather (location, statistics,
// missing values), time mapping and interpolation, and strict errors on malformed input.
#include "test_registry.h"

#include <twindesk/sim/weather.h>

#include <QTemporaryDir>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace twindesk::sim;
using twindesk::twin::ErrorCode;

#define EXPECT_NEAR(actual, expected, tolerance)                                                   \
    QVERIFY2(std::abs((actual) - (expected)) <= (tolerance),                                       \
             qPrintable(QStringLiteral("%1 = %2, expected %3 +- %4")                               \
                            .arg(QStringLiteral(#actual))                                          \
                            .arg(static_cast<double>(actual), 0, 'g', 12)                          \
                            .arg(static_cast<double>(expected), 0, 'g', 12)                        \
                            .arg(static_cast<double>(tolerance))))

namespace {

constexpr Seconds kHour = 3600;

std::filesystem::path weatherDir()
{
    return std::filesystem::path(TWINDESK_ANCHORS_DIR) / "weather";
}

bool contains(const std::string& haystack, const std::string& needle)
{
    return haystack.find(needle) != std::string::npos;
}

bool endsWith(const std::string& s, const std::string& suffix)
{
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::vector<std::string> splitCsv(const std::string& line)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t comma = line.find(','); comma != std::string::npos;
         comma = line.find(',', start)) {
        out.push_back(line.substr(start, comma - start));
        start = comma + 1;
    }
    out.push_back(line.substr(start));
    return out;
}

std::string joinCsv(const std::vector<std::string>& fields)
{
    std::string out;
    for (std::size_t i = 0; i < fields.size(); ++i)
        out += (i == 0 ? "" : ",") + fields[i];
    return out;
}

std::string joinLines(const std::vector<std::string>& lines)
{
    std::string out;
    for (const auto& l : lines)
        out += l + "\n";
    return out;
}

std::string fmt(const char* format, double v)
{
    std::array<char, 64> buf{};
    std::snprintf(buf.data(), buf.size(), format, v);
    return buf.data();
}

/// A synthetic but valid EPW year. The dry bulb encodes the record: -20 + 0.1·day + 0.001·hour
/// (day 0-based in file order, hour 0-23), so a sampled value tells which record was used.
struct Synthetic
{
    double timeZone = 1.0;
    bool leapYear = false;

    static double dryBulb(std::size_t row)
    {
        const std::size_t day = row / 24;
        const std::size_t hour = row % 24;
        return -20.0 + 0.1 * static_cast<double>(day) + 0.001 * static_cast<double>(hour);
    }

    [[nodiscard]] std::vector<std::string> lines() const
    {
        std::vector<std::string> out{
            "LOCATION,Testville,TS,XXX,Synthetic,012345,45.00,10.00," + fmt("%.1f", timeZone) +
                ",100.0",
            "DESIGN CONDITIONS,0",
            "TYPICAL/EXTREME PERIODS,0",
            "GROUND TEMPERATURES,0",
            std::string("HOLIDAYS/DAYLIGHT SAVINGS,") + (leapYear ? "Yes" : "No") + ",0,0,0",
            "COMMENTS 1,written by tst_weather",
            "COMMENTS 2,synthetic data",
            "DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31",
        };
        const std::array<int, 12> monthDays{
            31, leapYear ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        std::size_t row = 0;
        for (int m = 1; m <= 12; ++m) {
            for (int d = 1; d <= monthDays.at(static_cast<std::size_t>(m - 1)); ++d) {
                for (int h = 1; h <= 24; ++h, ++row) {
                    const double db = dryBulb(row);
                    const double ghi = (h >= 8 && h <= 16) ? 100.0 * (h - 7) : 0.0;
                    out.push_back("1999," + std::to_string(m) + "," + std::to_string(d) + "," +
                                  std::to_string(h) + ",0,?9?9?9?9E0?9?9?9?9*9," + fmt("%.3f", db) +
                                  "," + fmt("%.3f", db - 5) + ",50," +
                                  std::to_string(100000 + (row % 10) * 10) + ",0,1400,300," +
                                  fmt("%.0f", ghi) + ",50,30,0,0,0,0," +
                                  std::to_string((row * 10) % 360) +
                                  ",3.0,5,3,16.0,77777,9,999999999,10,0.1000,0,88,0.200,0.0,1.0");
                }
            }
        }
        return out;
    }
};

double dailyMeanDegreeDays(const WeatherFile& w, double base, bool heating)
{
    double sum = 0;
    for (std::size_t day = 0; day < w.hourCount() / 24; ++day) {
        double mean = 0;
        for (std::size_t h = 0; h < 24; ++h)
            mean += w.hour(day * 24 + h).dryBulb / 24.0;
        sum += heating ? std::max(0.0, base - mean) : std::max(0.0, mean - base);
    }
    return sum;
}

double hourlyDegreeDays(const WeatherFile& w, double base, bool heating)
{
    double sum = 0;
    for (std::size_t i = 0; i < w.hourCount(); ++i) {
        const double t = w.hour(i).dryBulb;
        sum += (heating ? std::max(0.0, base - t) : std::max(0.0, t - base)) / 24.0;
    }
    return sum;
}

/// UTC instant of the stamp of record `index` (non-leap file) in calendar year `year`.
Seconds stampUtc(const WeatherFile& w, int year, std::size_t index)
{
    return utcSeconds(year, 1, 1) + static_cast<Seconds>(index + 1) * kHour - w.utcOffsetSeconds();
}

} // namespace

class TestWeather : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;

    std::filesystem::path write(const std::string& name, const std::string& content)
    {
        auto path = std::filesystem::path(m_tmp.path().toStdString()) / name;
        std::ofstream out(path, std::ios::binary);
        out << content;
        return path;
    }

    /// Loads the synthetic file after `edit` changed its lines; returns the error (must fail).
    template <typename Edit> twindesk::twin::Error expectError(const std::string& name, Edit edit)
    {
        auto lines = Synthetic{}.lines();
        edit(lines);
        const auto path = write(name, joinLines(lines));
        auto result = WeatherFile::load(path);
        if (result.ok())
            return {ErrorCode::InvalidArgument, "unexpectedly loaded", path.string()};
        return result.error();
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_tmp.isValid()); }

    // ---- the real TMY3 files ---------------------------------------------------------------

    // QtTest requires the "<test>_data" name.
    // NOLINTNEXTLINE(readability-identifier-naming)
    void realFiles_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("city");
        QTest::addColumn<QString>("region");
        QTest::addColumn<QString>("wmo");
        QTest::addColumn<double>("lat");
        QTest::addColumn<double>("lon");
        QTest::addColumn<double>("tz");
        QTest::addColumn<double>("elevation");
        QTest::addColumn<double>("minT");
        QTest::addColumn<double>("meanT");
        QTest::addColumn<double>("maxT");
        QTest::addColumn<double>("hddHourly");
        QTest::addColumn<double>("cddHourly");
        QTest::addColumn<double>("hddDaily");
        QTest::addColumn<double>("cddDaily");
        QTest::addColumn<int>("missingAlbedo");
        QTest::addColumn<int>("missingPrecipitation");

        // Location: each file's own LOCATION line. min/mean/max, hddHourly/cddHourly: the
        // README's checked values (1 decimal; whole degree-days). These degree-days are
        // degree-hours / 24 (sum over the hours of max(0, 18 - T) / 24): that is the only
        // definition that reproduces the README. hddDaily/cddDaily: base 18 °C applied to each
        // day's mean of its 24 hourly values, computed independently of this reader (awk over
        // the raw files), to 0.1. Missing counts: rows holding 999 in columns 32/33 (awk).
        QTest::newRow("Denver") << "USA_CO_Denver.Intl.AP.725650_TMY3.epw"
                                << "Denver Intl Ap"
                                << "CO"
                                << "725650" << 39.83 << -104.65 << -7.0 << 1650.0 << -19.4 << 10.9
                                << 40.0 << 3255.0 << 654.0 << 3129.3 << 528.8 << 0 << 1974;
        QTest::newRow("Chicago") << "USA_IL_Chicago-OHare.Intl.AP.725300_TMY3.epw"
                                 << "Chicago Ohare Intl Ap"
                                 << "IL"
                                 << "725300" << 41.98 << -87.92 << -6.0 << 201.0 << -22.8 << 10.0
                                 << 35.0 << 3524.0 << 599.0 << 3430.0 << 505.7 << 8040 << 8041;
        // The README lists San Francisco at -8 m; the file's LOCATION line says 2.0 m.
        QTest::newRow("San Francisco") << "USA_CA_San.Francisco.Intl.AP.724940_TMY3.epw"
                                       << "San Francisco Intl Ap"
                                       << "CA"
                                       << "724940" << 37.62 << -122.40 << -8.0 << 2.0 << 2.2 << 13.8
                                       << 32.8 << 1667.0 << 132.0 << 1557.2 << 21.9 << 2160 << 2170;
        QTest::newRow("Tucson") << "USA_AZ_Davis-Monthan.AFB.722745_TMY3.epw"
                                << "Davis Monthan Afb"
                                << "AZ"
                                << "722745" << 32.17 << -110.88 << -7.0 << 809.0 << -1.1 << 21.7
                                << 42.0 << 802.0 << 2155.0 << 642.3 << 1994.8 << 0 << 8287;
    }

    void realFiles()
    {
        if (!std::filesystem::is_directory(weatherDir()))
            QSKIP(qPrintable("no weather anchors at " +
                             QString::fromStdString(weatherDir().string()) +
                             " (set TWINDESK_ANCHORS_DIR to the shared/anchors folder)"));
        QFETCH(QString, file);
        QFETCH(QString, city);
        QFETCH(QString, region);
        QFETCH(QString, wmo);
        QFETCH(double, lat);
        QFETCH(double, lon);
        QFETCH(double, tz);
        QFETCH(double, elevation);
        QFETCH(double, minT);
        QFETCH(double, meanT);
        QFETCH(double, maxT);
        QFETCH(double, hddHourly);
        QFETCH(double, cddHourly);
        QFETCH(double, hddDaily);
        QFETCH(double, cddDaily);
        QFETCH(int, missingAlbedo);
        QFETCH(int, missingPrecipitation);

        auto loaded = WeatherFile::load(weatherDir() / file.toStdString());
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : loaded.error().toString().c_str());
        const WeatherFile& w = *loaded;

        QCOMPARE(w.location().city, city.toStdString());
        QCOMPARE(w.location().region, region.toStdString());
        QCOMPARE(w.location().country, std::string("USA"));
        QCOMPARE(w.location().source, std::string("TMY3"));
        QCOMPARE(w.location().wmo, wmo.toStdString());
        QCOMPARE(w.location().latitudeDeg, lat);
        QCOMPARE(w.location().longitudeDeg, lon);
        QCOMPARE(w.location().timeZoneHours, tz);
        QCOMPARE(w.location().elevationM, elevation);
        QCOMPARE(w.utcOffsetSeconds(), static_cast<Seconds>(tz * 3600));
        QVERIFY(!w.isLeapYearFile());
        QCOMPARE(w.hourCount(), std::size_t{8760});
        QCOMPARE(w.hour(0).month, 1);
        QCOMPARE(w.hour(0).day, 1);
        QCOMPARE(w.hour(0).hour, 1);
        QCOMPARE(w.hour(8759).month, 12);
        QCOMPARE(w.hour(8759).day, 31);
        QCOMPARE(w.hour(8759).hour, 24);

        double lo = 1e9;
        double hi = -1e9;
        double sum = 0;
        for (std::size_t i = 0; i < w.hourCount(); ++i) {
            lo = std::min(lo, w.hour(i).dryBulb);
            hi = std::max(hi, w.hour(i).dryBulb);
            sum += w.hour(i).dryBulb;
        }
        EXPECT_NEAR(lo, minT, 1e-9);
        EXPECT_NEAR(hi, maxT, 1e-9);
        EXPECT_NEAR(sum / 8760.0, meanT, 0.05);
        EXPECT_NEAR(hourlyDegreeDays(w, 18, true), hddHourly, 0.5);
        EXPECT_NEAR(hourlyDegreeDays(w, 18, false), cddHourly, 0.5);
        EXPECT_NEAR(dailyMeanDegreeDays(w, 18, true), hddDaily, 0.051);
        EXPECT_NEAR(dailyMeanDegreeDays(w, 18, false), cddDaily, 0.051);

        // Missing-value codes: only albedo and liquid precipitation have any in these files,
        // and no filled value may look like a code.
        QCOMPARE(w.missingValueCount(WeatherField::Albedo), std::size_t(missingAlbedo));
        QCOMPARE(w.missingValueCount(WeatherField::LiquidPrecipitation),
                 std::size_t(missingPrecipitation));
        QCOMPARE(w.missingValueCount(), std::size_t(missingAlbedo + missingPrecipitation));
        for (std::size_t i = 0; i < w.hourCount(); ++i) {
            const WeatherHour& h = w.hour(i);
            QVERIFY(h.albedo >= 0 && h.albedo <= 1);
            QVERIFY(h.liquidPrecipitation >= 0 && h.liquidPrecipitation < 999);
            QVERIFY(h.globalHorizontal < 9999 && h.directNormal < 9999);
        }
    }

    void sampleAtHourMarksAndHalfway()
    {
        if (!std::filesystem::is_directory(weatherDir()))
            QSKIP("no weather anchors (TWINDESK_ANCHORS_DIR/weather)");
        auto loaded = WeatherFile::load(weatherDir() / "USA_CO_Denver.Intl.AP.725650_TMY3.epw");
        QVERIFY(loaded.ok());
        const WeatherFile& w = *loaded;
        for (const std::size_t i : {std::size_t{0}, std::size_t{100}, std::size_t{4691},
                                    std::size_t{8758}, std::size_t{8759}}) {
            const Seconds stamp = stampUtc(w, 2023, i);
            const std::size_t next = (i + 1) % w.hourCount(); // 8759 wraps to Jan 1 hour 1
            const WeatherSample atMark = w.sampleAt(stamp);
            QCOMPARE(atMark.dryBulb, w.hour(i).dryBulb);
            QCOMPARE(atMark.dewPoint, w.hour(i).dewPoint);
            QCOMPARE(atMark.pressure, w.hour(i).pressure);
            const WeatherSample half = w.sampleAt(stamp + kHour / 2);
            EXPECT_NEAR(half.dryBulb, (w.hour(i).dryBulb + w.hour(next).dryBulb) / 2, 1e-12);
            EXPECT_NEAR(half.relativeHumidity,
                        (w.hour(i).relativeHumidity + w.hour(next).relativeHumidity) / 2, 1e-12);
            EXPECT_NEAR(half.windSpeed, (w.hour(i).windSpeed + w.hour(next).windSpeed) / 2, 1e-12);
            // Radiation: the instant belongs to the hour that starts at the stamp.
            QCOMPARE(half.recordIndex, next);
            QCOMPARE(half.globalHorizontal, w.hour(next).globalHorizontal);
            QCOMPARE(atMark.recordIndex, next);
        }
    }

    void timeZoneMapping()
    {
        if (!std::filesystem::is_directory(weatherDir()))
            QSKIP("no weather anchors (TWINDESK_ANCHORS_DIR/weather)");
        auto denver = WeatherFile::load(weatherDir() / "USA_CO_Denver.Intl.AP.725650_TMY3.epw");
        auto chicago =
            WeatherFile::load(weatherDir() / "USA_IL_Chicago-OHare.Intl.AP.725300_TMY3.epw");
        QVERIFY(denver.ok() && chicago.ok());

        // 2023-07-15 19:00 UTC is 12:00 MST in Denver (UTC-7, no DST ever) and 13:00 CST in
        // Chicago (UTC-6). Jul 15 is day 195 (0-based), so the record stamped 12:00 is 4691.
        const Seconds utc = utcSeconds(2023, 7, 15, 19, 0, 0);
        const WeatherHour& noon = denver->hour(4691);
        QCOMPARE(noon.month, 7);
        QCOMPARE(noon.day, 15);
        QCOMPARE(noon.hour, 12);
        QCOMPARE(denver->sampleAt(utc).dryBulb, noon.dryBulb);
        QCOMPARE(chicago->sampleAt(utc).dryBulb, chicago->hour(4692).dryBulb);
        QCOMPARE(chicago->hour(4692).hour, 13);

        // The hour 12:00-13:00 MST is record "hour 13" (stamped at its end).
        QCOMPARE(denver->recordIndexAt(utc), std::size_t{4692});
        QCOMPARE(denver->recordIndexAt(utc + 3599), std::size_t{4692});
        QCOMPARE(denver->recordIndexAt(utc - 1), std::size_t{4691});
        const WeatherSample s = denver->sampleAt(utc + 1200);
        QCOMPARE(s.globalHorizontal, denver->hour(4692).globalHorizontal);
        QCOMPARE(s.directNormal, denver->hour(4692).directNormal);
        QCOMPARE(s.diffuseHorizontal, denver->hour(4692).diffuseHorizontal);
        QVERIFY(s.globalHorizontal > 0);

        // Sub-hourly steps inside one hour average to the hour's energy exactly.
        double energy = 0;
        for (Seconds k = 0; k < 4; ++k)
            energy += denver->sampleAt(utc + k * 900).globalHorizontal * 900.0 / 3600.0;
        QCOMPARE(energy, denver->hour(4692).globalHorizontal);

        // Sky temperature from the hour's infrared: σ T⁴ = IR.
        const double ir = denver->hour(4692).horizontalInfrared;
        EXPECT_NEAR(s.skyTemperature, std::pow(ir / kStefanBoltzmann, 0.25) - 273.15, 1e-9);
        QCOMPARE(s.horizontalInfrared, ir);
    }

    void yearWrapsAround()
    {
        if (!std::filesystem::is_directory(weatherDir()))
            QSKIP("no weather anchors (TWINDESK_ANCHORS_DIR/weather)");
        auto loaded = WeatherFile::load(weatherDir() / "USA_CO_Denver.Intl.AP.725650_TMY3.epw");
        QVERIFY(loaded.ok());
        const WeatherFile& w = *loaded;
        const Seconds offset = w.utcOffsetSeconds();
        // Local Dec 31 24:00 (= Jan 1 00:00) is the last record; 00:30 is halfway to the first.
        const Seconds newYear = utcSeconds(2024, 1, 1) - offset;
        QCOMPARE(w.sampleAt(newYear).dryBulb, w.hour(8759).dryBulb);
        EXPECT_NEAR(w.sampleAt(newYear + 1800).dryBulb,
                    (w.hour(8759).dryBulb + w.hour(0).dryBulb) / 2, 1e-12);
        EXPECT_NEAR(w.sampleAt(newYear - 1800).dryBulb,
                    (w.hour(8758).dryBulb + w.hour(8759).dryBulb) / 2, 1e-12);
        QCOMPARE(w.recordIndexAt(newYear), std::size_t{0});
        QCOMPARE(w.recordIndexAt(newYear - 1), std::size_t{8759});
        // Every year replays the typical year, far past and future included.
        for (const int year : {1850, 1969, 2023, 2400, 9999}) {
            const Seconds t = utcSeconds(year, 7, 15, 19, 10, 0);
            QCOMPARE(w.sampleAt(t).dryBulb, w.sampleAt(utcSeconds(2023, 7, 15, 19, 10, 0)).dryBulb);
        }
    }

    // ---- calendar rules on synthetic files ----------------------------------------------------

    void leapDayRule()
    {
        Synthetic plain;
        plain.timeZone = 0;
        auto normal = WeatherFile::load(write("plain.epw", joinLines(plain.lines())));
        QVERIFY2(normal.ok(), normal.ok() ? "" : normal.error().toString().c_str());
        QVERIFY(!normal->isLeapYearFile());
        // Non-leap file in a leap year: Feb 29 replays Feb 28 (day 58); Mar 1 is day 59.
        QCOMPARE(normal->sampleAt(utcSeconds(2024, 2, 29, 12)).dryBulb,
                 Synthetic::dryBulb(58 * 24 + 11));
        QCOMPARE(normal->sampleAt(utcSeconds(2024, 2, 28, 12)).dryBulb,
                 Synthetic::dryBulb(58 * 24 + 11));
        QCOMPARE(normal->sampleAt(utcSeconds(2024, 3, 1, 12)).dryBulb,
                 Synthetic::dryBulb(59 * 24 + 11));
        QCOMPARE(normal->sampleAt(utcSeconds(2023, 3, 1, 12)).dryBulb,
                 Synthetic::dryBulb(59 * 24 + 11));
        QCOMPARE(normal->sampleAt(utcSeconds(2024, 12, 31, 12)).dryBulb,
                 Synthetic::dryBulb(364 * 24 + 11));

        Synthetic leapSpec;
        leapSpec.timeZone = 0;
        leapSpec.leapYear = true;
        auto leap = WeatherFile::load(write("leap.epw", joinLines(leapSpec.lines())));
        QVERIFY2(leap.ok(), leap.ok() ? "" : leap.error().toString().c_str());
        QVERIFY(leap->isLeapYearFile());
        QCOMPARE(leap->hourCount(), std::size_t{8784});
        QCOMPARE(leap->sampleAt(utcSeconds(2024, 2, 29, 12)).dryBulb,
                 Synthetic::dryBulb(59 * 24 + 11));
        // A leap file in a non-leap year skips its Feb 29: Mar 1 is the file's day 60.
        QCOMPARE(leap->sampleAt(utcSeconds(2023, 3, 1, 12)).dryBulb,
                 Synthetic::dryBulb(60 * 24 + 11));
        QCOMPARE(leap->sampleAt(utcSeconds(2024, 12, 31, 24 - 1)).dryBulb,
                 Synthetic::dryBulb(365 * 24 + 22));
    }

    void fractionalTimeZone()
    {
        Synthetic india;
        india.timeZone = 5.5;
        auto w = WeatherFile::load(write("india.epw", joinLines(india.lines())));
        QVERIFY(w.ok());
        QCOMPARE(w->utcOffsetSeconds(), Seconds{19800});
        // 06:30 UTC = 12:00 IST on Jan 10 (day 9): the record stamped 12:00.
        QCOMPARE(w->sampleAt(utcSeconds(2023, 1, 10, 6, 30)).dryBulb,
                 Synthetic::dryBulb(9 * 24 + 11));
    }

    // ---- missing values -------------------------------------------------------------------

    void missingValuesAreInterpolated()
    {
        auto lines = Synthetic{}.lines();
        auto setField = [&](std::size_t row, std::size_t column, const std::string& value) {
            auto fields = splitCsv(lines[8 + row]);
            fields[column] = value;
            lines[8 + row] = joinCsv(fields);
        };
        setField(0, 6, "99.9");     // first row: interpolated across the year end
        setField(91, 6, "99.9");    // single gap
        setField(200, 9, "999999"); // three-hour gap in pressure
        setField(201, 9, "999999");
        setField(202, 9, "999999");
        setField(299, 20, "350"); // wind direction across north
        setField(300, 20, "999");
        setField(301, 20, "10");
        setField(400, 13, "9999"); // radiation
        setField(500, 33, "999");  // precipitation: filled with 0, never interpolated
        setField(499, 33, "4.0");
        setField(501, 33, "6.0");
        auto w = WeatherFile::load(write("missing.epw", joinLines(lines)));
        QVERIFY2(w.ok(), w.ok() ? "" : w.error().toString().c_str());
        QCOMPARE(w->missingValueCount(), std::size_t{8});
        QCOMPARE(w->missingValueCount(WeatherField::DryBulb), std::size_t{2});
        QCOMPARE(w->missingValueCount(WeatherField::Pressure), std::size_t{3});
        QCOMPARE(w->missingValueCount(WeatherField::WindDirection), std::size_t{1});
        QCOMPARE(w->missingValueCount(WeatherField::GlobalHorizontal), std::size_t{1});
        QCOMPARE(w->missingValueCount(WeatherField::LiquidPrecipitation), std::size_t{1});

        EXPECT_NEAR(w->hour(0).dryBulb, (Synthetic::dryBulb(8759) + Synthetic::dryBulb(1)) / 2,
                    1e-9);
        EXPECT_NEAR(w->hour(91).dryBulb, (Synthetic::dryBulb(90) + Synthetic::dryBulb(92)) / 2,
                    1e-9);
        const double p199 = 100000 + (199 % 10) * 10;
        const double p203 = 100000 + (203 % 10) * 10;
        for (std::size_t k = 1; k <= 3; ++k)
            EXPECT_NEAR(w->hour(199 + k).pressure, p199 + (p203 - p199) * k / 4.0, 1e-9);
        EXPECT_NEAR(w->hour(300).windDirection, 0.0, 1e-9);
        QCOMPARE(w->hour(400).globalHorizontal,
                 (w->hour(399).globalHorizontal + w->hour(401).globalHorizontal) / 2);
        QCOMPARE(w->hour(500).liquidPrecipitation, 0.0);
    }

    void fieldMissingEverywhere()
    {
        const auto error = expectError("nodrybulb.epw", [](std::vector<std::string>& lines) {
            for (std::size_t i = 8; i < lines.size(); ++i) {
                auto f = splitCsv(lines[i]);
                f[6] = "99.9";
                lines[i] = joinCsv(f);
            }
        });
        QCOMPARE(error.code, ErrorCode::ParseError);
        QVERIFY2(contains(error.message, "field 6 (dry bulb temperature)"), error.message.c_str());
        QVERIFY2(contains(error.message, "every data row"), error.message.c_str());
        QVERIFY(contains(error.where, "nodrybulb.epw:9"));

        // Albedo absent everywhere is common in published files: default 0.2, counted.
        auto lines = Synthetic{}.lines();
        for (std::size_t i = 8; i < lines.size(); ++i) {
            auto f = splitCsv(lines[i]);
            f[32] = "999.000";
            lines[i] = joinCsv(f);
        }
        auto w = WeatherFile::load(write("noalbedo.epw", joinLines(lines)));
        QVERIFY(w.ok());
        QCOMPARE(w->missingValueCount(WeatherField::Albedo), w->hourCount());
        QCOMPARE(w->hour(1234).albedo, 0.2);
    }

    // ---- malformed files --------------------------------------------------------------------

    void missingFile()
    {
        auto r = WeatherFile::load(std::filesystem::path(m_tmp.path().toStdString()) / "nope.epw");
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::NotFound);
        QVERIFY(contains(r.error().where, "nope.epw"));
        QVERIFY(contains(r.error().message, "no such weather file"));
        auto dir = WeatherFile::load(m_tmp.path().toStdString());
        QVERIFY(!dir.ok());
        QCOMPARE(dir.error().code, ErrorCode::IoError);
    }

    void emptyFile()
    {
        auto r = WeatherFile::load(write("empty.epw", ""));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::ParseError);
        QVERIFY(endsWith(r.error().where, "empty.epw:1"));
        QVERIFY2(contains(r.error().message, "empty"), r.error().message.c_str());
    }

    void wrongHeaderKeyword()
    {
        const auto e =
            expectError("keyword.epw", [](auto& lines) { lines[2] = "TYPICAL PERIODS,0"; });
        QVERIFY(endsWith(e.where, "keyword.epw:3"));
        QVERIFY2(contains(e.message, "expected the header keyword 'TYPICAL/EXTREME PERIODS'"),
                 e.message.c_str());
        QVERIFY(contains(e.message, "'TYPICAL PERIODS'"));
    }

    void shortRow()
    {
        const auto e = expectError("short.epw", [](auto& lines) {
            auto f = splitCsv(lines[56]);
            f.resize(30);
            lines[56] = joinCsv(f);
        });
        QVERIFY(endsWith(e.where, "short.epw:57"));
        QCOMPARE(e.message, std::string("data row has 30 fields, expected 35"));
    }

    void nonNumericField()
    {
        const auto e = expectError("USA_x.epw", [](auto& lines) {
            auto f = splitCsv(lines[56]);
            f[6] = "abc";
            lines[56] = joinCsv(f);
        });
        QCOMPARE(e.code, ErrorCode::ParseError);
        QVERIFY(endsWith(e.where, "USA_x.epw:57"));
        QCOMPARE(e.message,
                 std::string("field 6 (dry bulb temperature) is 'abc', expected a number"));
        QVERIFY(
            endsWith(e.toString(),
                     "USA_x.epw:57: field 6 (dry bulb temperature) is 'abc', expected a number"));

        for (const char* bad : {"nan", "NaN", "inf", "1.5x", "", "1e999"}) {
            const auto n = expectError("nan.epw", [bad](auto& lines) {
                auto f = splitCsv(lines[99]);
                f[21] = bad;
                lines[99] = joinCsv(f);
            });
            QVERIFY(endsWith(n.where, "nan.epw:100"));
            QVERIFY2(contains(n.message, "field 21 (wind speed)") &&
                         contains(n.message, "expected a number"),
                     n.message.c_str());
        }
    }

    void truncatedFile()
    {
        const auto e = expectError("truncated.epw", [](auto& lines) { lines.resize(8 + 100); });
        QVERIFY(endsWith(e.where, "truncated.epw:109"));
        QVERIFY2(contains(e.message, "ends after 100 data rows") && contains(e.message, "8760"),
                 e.message.c_str());

        const auto header = expectError("header.epw", [](auto& lines) { lines.resize(3); });
        QVERIFY(endsWith(header.where, "header.epw:4"));
        QVERIFY(contains(header.message, "ends inside the header"));
    }

    void outOfRangeAndSequence()
    {
        const auto rh = expectError("rh.epw", [](auto& lines) {
            auto f = splitCsv(lines[20]);
            f[8] = "150";
            lines[20] = joinCsv(f);
        });
        QVERIFY(endsWith(rh.where, "rh.epw:21"));
        QVERIFY2(
            contains(rh.message, "field 8 (relative humidity) is 150, outside the valid range"),
            rh.message.c_str());

        const auto swapped =
            expectError("order.epw", [](auto& lines) { std::swap(lines[30], lines[31]); });
        QVERIFY(endsWith(swapped.where, "order.epw:31"));
        QVERIFY2(contains(swapped.message, "data row is for 1/1 hour 24, expected 1/1 hour 23"),
                 swapped.message.c_str());

        const auto extra =
            expectError("extra.epw", [](auto& lines) { lines.push_back(lines.back()); });
        QVERIFY(endsWith(extra.where, "extra.epw:8769"));
        QVERIFY(contains(extra.message, "exactly 8760 data rows"));

        const auto lat = expectError(
            "lat.epw", [](auto& lines) { lines[0] = "LOCATION,X,Y,Z,S,1,95.0,10.0,1.0,100.0"; });
        QVERIFY(endsWith(lat.where, "lat.epw:1"));
        QVERIFY2(contains(lat.message, "latitude") && contains(lat.message, "95"),
                 lat.message.c_str());

        const auto leapFlag = expectError("leapflag.epw", [](auto& lines) {
            lines[4] = "HOLIDAYS/DAYLIGHT SAVINGS,Yes,0,0,0"; // says leap, has 8760 rows
        });
        QVERIFY2(contains(leapFlag.message, "2/29"), leapFlag.message.c_str());
    }

    void garbageNeverCrashes()
    {
        // Binary noise (with NULs and high bytes), a lone header, a CR-only file.
        std::string noise;
        unsigned state = 12345;
        for (int i = 0; i < 20000; ++i) {
            state = state * 1103515245U + 12345U;
            noise.push_back(static_cast<char>((state >> 16U) & 0xFFU));
        }
        auto r = WeatherFile::load(write("noise.epw", noise));
        QVERIFY(!r.ok());
        QVERIFY(contains(r.error().where, "noise.epw:"));
        auto lone = WeatherFile::load(write("lone.epw", "LOCATION"));
        QVERIFY(!lone.ok());
        QVERIFY2(contains(lone.error().message, "LOCATION has 0 fields"),
                 lone.error().message.c_str());
        auto cr =
            WeatherFile::load(write("cr.epw", "LOCATION,a,b,c,d,1,1,1,1,1\rDESIGN CONDITIONS"));
        QVERIFY(!cr.ok());
        // Latin-1 in the header is accepted and converted to UTF-8.
        auto lines = Synthetic{}.lines();
        lines[0] = "LOCATION,M\xFCnchen,BY,DEU,IWEC,108660,48.13,11.70,1.0,529.0";
        auto munich = WeatherFile::load(write("munich.epw", joinLines(lines)));
        QVERIFY2(munich.ok(), munich.ok() ? "" : munich.error().toString().c_str());
        QCOMPARE(munich->location().city, std::string("M\xC3\xBCnchen"));
        // CRLF line ends load like LF.
        std::string crlf;
        for (const auto& l : Synthetic{}.lines())
            crlf += l + "\r\n";
        QVERIFY(WeatherFile::load(write("crlf.epw", crlf)).ok());
    }
};

TWINDESK_TEST(TestWeather)
#include "tst_weather.moc"
