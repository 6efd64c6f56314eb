// KPI formulas on hand-computed cases (docs/kpis.md): delivered energy per carrier from the
// zones' thermal energy, efficiencies and electricity; per m²; discomfort per zone; meeting
// starts; scope by use; the loop's percentiles; the JSON form.
#include "test_registry.h"

#include <twindesk/policies/kpi.h>

#include <nlohmann/json.hpp>

#include <cmath>

using namespace twindesk;
using namespace twindesk::policies;

namespace {

constexpr double kJ = 3.6e6; // J per kWh

struct Case
{
    sim::SimConfig config;
    sim::SimState state;
};

Case twoZones()
{
    Case c;
    sim::ZoneConfig conf;
    conf.id = "conf";
    conf.use = "conference";
    conf.thermal.floorAreaM2 = 20.0;
    conf.heatingEfficiency = 0.9;
    conf.coolingCop = 3.5;
    sim::ZoneConfig office = conf;
    office.id = "office";
    office.use = "office";
    office.thermal.floorAreaM2 = 30.0;
    c.config.zones = {conf, office};
    c.state.time = c.config.grid.start() + 48 * 3600;
    sim::ZoneTotals a;
    a.heatingJ = 9 * kJ; // 9 kWh heat at 90 % → 10 kWh gas
    a.coolingJ = 7 * kJ; // 7 kWh cooling at COP 3.5 → 2 kWh electricity
    a.lightingJ = 1 * kJ;
    a.plugJ = 0.5 * kJ;
    a.discomfortKh = 2.0;
    a.co2PpmH = 100.0;
    a.occupiedS = 5 * 3600.0;
    a.meetingsStarted = 4;
    a.meetingsStartedOutside = 1;
    a.meetingMinutesOutside = 12.0;
    sim::ZoneTotals b;
    b.heatingJ = 18 * kJ; // → 20 kWh gas
    b.lightingJ = 2 * kJ;
    b.discomfortKh = 4.0;
    c.state.totals.zones = {a, b};
    c.state.totals.energyJ = {100 * kJ, 200 * kJ, 0.0}; // the site's meters
    c.state.totals.heatingJ = 40 * kJ;
    c.state.totals.discomfortKh = 6.0;
    return c;
}

bool near(double a, double b)
{
    return std::abs(a - b) <= 1e-9 * std::max(1.0, std::abs(b));
}

} // namespace

class TestKpi : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void conferenceScope()
    {
        const auto c = twoZones();
        const auto r = computeKpis(c.config, c.state, KpiScope{{"conference"}});
        QCOMPARE(r.scope, std::string("conference"));
        QCOMPARE(r.zonesInScope, 1);
        QVERIFY(near(r.hours, 48.0));
        QVERIFY(near(r.energy.gasKwh, 10.0));
        QVERIFY(near(r.energy.electricityKwh, 2.0 + 1.0 + 0.5));
        QVERIFY(near(r.energy.totalKwh, 13.5));
        QVERIFY(near(r.energy.areaM2, 20.0));
        QVERIFY(near(r.energy.totalKwhPerM2, 13.5 / 20.0));
        QVERIFY(near(r.energy.heatingKwh, 9.0));
        QVERIFY(near(r.energy.coolingKwh, 7.0));
        QVERIFY(near(r.comfort.discomfortKh, 2.0));
        QVERIFY(near(r.comfort.discomfortKhPerZone, 2.0));
        QVERIFY(near(r.comfort.co2PpmH, 100.0));
        QVERIFY(near(r.comfort.occupiedHours, 5.0));
        QCOMPARE(r.comfort.meetingsStarted, std::int64_t{4});
        QCOMPARE(r.comfort.meetingsStartedOutside, std::int64_t{1});
        QVERIFY(near(r.comfort.meetingMinutesOutside, 12.0));
        QVERIFY(!r.hosts);
    }

    void severalUsesAndTheSite()
    {
        auto c = twoZones();
        const auto both = computeKpis(c.config, c.state, KpiScope{{"conference", "office"}});
        QCOMPARE(both.scope, std::string("conference+office"));
        QVERIFY(near(both.energy.gasKwh, 30.0));
        QVERIFY(near(both.energy.electricityKwh, 5.5));
        QVERIFY(near(both.energy.totalKwhPerM2, 35.5 / 50.0));
        QVERIFY(near(both.comfort.discomfortKh, 6.0));
        QVERIFY(near(both.comfort.discomfortKhPerZone, 3.0)); // BOPTEST: mean over zones
        // An untracked zone (e.g. a server room) adds energy but not discomfort.
        c.config.zones[1].comfortTracked = false;
        const auto untracked = computeKpis(c.config, c.state, KpiScope{{"conference", "office"}});
        QCOMPARE(untracked.comfort.zones, 1);
        QVERIFY(near(untracked.comfort.discomfortKh, 2.0));
        // The site: what the meters saw.
        const auto site = computeKpis(c.config, c.state);
        QCOMPARE(site.scope, std::string("site"));
        QVERIFY(near(site.energy.electricityKwh, 100.0));
        QVERIFY(near(site.energy.gasKwh, 200.0));
        QVERIFY(near(site.energy.heatingKwh, 40.0));
        QVERIFY(near(site.comfort.discomfortKh, 6.0));
        // Electric heating counts as electricity.
        c.config.zones[0].heatingCarrier = sim::Carrier::Electricity;
        c.config.zones[0].heatingEfficiency = 1.0;
        const auto electric = computeKpis(c.config, c.state, KpiScope{{"conference"}});
        QVERIFY(near(electric.energy.gasKwh, 0.0));
        QVERIFY(near(electric.energy.electricityKwh, 9.0 + 3.5));
    }

    void loopPercentilesAndJson()
    {
        LoopStats st;
        st.decisions = 100;
        st.applied = 7;
        st.rejected = 3;
        st.fallbacks = 1;
        for (int i = 1; i <= 100; ++i)
            st.latency.decideUs.push_back(static_cast<double>(101 - i));
        const auto l = loopKpis(st);
        QCOMPARE(l.decideP50Us, 50.0); // nearest rank
        QCOMPARE(l.decideP99Us, 99.0);
        QCOMPARE(l.actionsApplied, std::int64_t{7});
        QCOMPARE(l.guardRejections, std::int64_t{3});
        QCOMPARE(l.fallbacks, std::int64_t{1});
        const auto c = twoZones();
        auto r = computeKpis(c.config, c.state, KpiScope{{"conference"}});
        r.loop = l;
        const auto j = nlohmann::json::parse(kpiJson(r));
        QCOMPARE(j["energy"]["gas_kwh"].get<double>(), r.energy.gasKwh);
        QCOMPARE(j["comfort"]["meetings_started_outside_band"].get<int>(), 1);
        QCOMPARE(j["loop"]["decide_p99_us"].get<double>(), 99.0);
        QVERIFY(!j.contains("hosts"));
    }

    void comparisonDirectionsAndChanges()
    {
        const auto c = twoZones();
        const auto a = computeKpis(c.config, c.state);
        auto b = a;
        b.energy.totalKwh = a.energy.totalKwh * 0.9;
        b.comfort.discomfortKh = a.comfort.discomfortKh + 2.0;
        b.comfort.meetingsStarted = a.comfort.meetingsStarted + 1;
        b.loop = LoopKpis{};
        b.loop->actionsApplied = 4;
        const auto rows = compareKpis(a, b);
        auto find = [&](const std::string& key) {
            for (const auto& r : rows)
                if (r.key == key)
                    return r;
            return KpiComparison{};
        };
        QCOMPARE(rows.front().key, std::string("total_kwh"));
        QCOMPARE(find("total_kwh").verdict(), 1); // less energy: better
        QVERIFY(std::abs(*find("total_kwh").changePercent() + 10.0) < 1e-9);
        QCOMPARE(find("discomfort_kh").verdict(), -1); // more discomfort: worse
        QCOMPARE(find("meetings_started").verdict(), 0); // no direction
        QCOMPARE(find("gas_kwh").verdict(), 0);          // unchanged
        // The loop's rows appear when either side has a loop; the other side counts 0.
        QCOMPARE(find("actions_applied").baseline, 0.0);
        QCOMPARE(find("actions_applied").candidate, 4.0);
        QVERIFY(find("slav").key.empty()); // no hosts on either side
        KpiComparison fromZero{"x", "x", "", KpiDirection::LowerIsBetter, 0.0, 1.0};
        QVERIFY(!fromZero.changePercent());
        QCOMPARE(fromZero.verdict(), -1);
    }
};

TWINDESK_TEST(TestKpi)
#include "tst_kpi.moc"
