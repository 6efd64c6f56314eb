// Input drift of learned models (issue #6 §7): decile references, PSI and KS on distributions
// with a known answer, the alarm threshold, and the reference's JSON round trip.
#include "test_registry.h"

#include <twindesk/policies/drift.h>

#include <cmath>
#include <random>

using namespace twindesk::policies;

class TestDrift : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decileReferenceOfAUniformSample()
    {
        std::vector<double> v;
        for (int i = 0; i < 1000; ++i)
            v.push_back(i / 1000.0);
        const auto r = buildInputReference("u", v);
        QCOMPARE(r.edges.size(), std::size_t{9});
        QCOMPARE(r.proportions.size(), std::size_t{10});
        for (const double p : r.proportions)
            QVERIFY(std::abs(p - 0.1) < 1e-12);
        // Constant data: one edge, no empty interior bins.
        const auto c = buildInputReference("c", std::vector<double>(50, 0.3));
        QCOMPARE(c.edges.size(), std::size_t{1});
        QCOMPARE(c.proportions.size(), std::size_t{2});
    }

    void sameDistributionHasNoDriftShiftedHasAlarm()
    {
        std::mt19937_64 rng(7);
        std::normal_distribution<double> train(0.3, 0.1);
        std::vector<double> v;
        for (int i = 0; i < 20000; ++i)
            v.push_back(train(rng));
        const auto ref = buildInputReference("x", v);
        DriftMonitor same({ref});
        DriftMonitor shifted({ref});
        std::normal_distribution<double> later(0.3, 0.1);
        std::normal_distribution<double> moved(0.5, 0.1);
        for (int i = 0; i < 5000; ++i) {
            same.add(0, later(rng));
            shifted.add(0, moved(rng));
        }
        const auto a = same.report().front();
        const auto b = shifted.report().front();
        QCOMPARE(a.samples, std::int64_t{5000});
        QVERIFY2(a.psi < 0.02, qPrintable(QString::number(a.psi)));
        QVERIFY(!a.alarm);
        QVERIFY(a.ks < 0.03);
        QVERIFY2(b.psi > 1.0, qPrintable(QString::number(b.psi))); // two σ away
        QVERIFY(b.alarm);
        QVERIFY(b.ks > 0.6);
        // PSI by hand on two bins: a = (0.9, 0.1), e = (0.5, 0.5).
        InputReference half{"h", {0.5}, {0.5, 0.5}};
        DriftMonitor m({half});
        for (int i = 0; i < 90; ++i)
            m.add(0, 0.1);
        for (int i = 0; i < 10; ++i)
            m.add(0, 0.9);
        m.add(0, std::nan("")); // ignored
        m.add(3, 0.1);          // no such input: ignored
        const auto d = m.report().front();
        const double expected =
            (0.9 - 0.5) * std::log(0.9 / 0.5) + (0.1 - 0.5) * std::log(0.1 / 0.5);
        QVERIFY(std::abs(d.psi - expected) < 1e-12);
        QVERIFY(std::abs(d.ks - 0.4) < 1e-12);
        QCOMPARE(d.samples, std::int64_t{100});
        QVERIFY(d.alarm); // 0.88 ≥ 0.2 with 100 samples
        // Too few samples: reported, no alarm.
        DriftMonitor few({half});
        for (int i = 0; i < 10; ++i)
            few.add(0, 0.1);
        QVERIFY(!few.report().front().alarm);
    }

    void referencesRoundTripAndBadJsonIsNamed()
    {
        const std::vector<InputReference> refs{{"a", {0.1, 0.2}, {0.3, 0.3, 0.4}},
                                               {"b", {}, {1.0}}};
        const auto back = parseInputReferences(inputReferencesJson(refs), "m.json");
        QVERIFY(back.ok());
        QCOMPARE(back->size(), std::size_t{2});
        QCOMPARE((*back)[0].edges, refs[0].edges);
        QCOMPARE((*back)[1].proportions, refs[1].proportions);
        for (const char* bad :
             {"{}", "[1]", R"([{"name":"a","edges":[2,1],"proportions":[1,1,1]}])",
              R"([{"name":"a","edges":[1],"proportions":[1]}])",
              R"([{"name":"a","edges":["x"],"proportions":[1,1]}])", "not json"}) {
            const auto r = parseInputReferences(bad, "m.json");
            QVERIFY2(!r.ok(), bad);
            QCOMPARE(r.error().where, std::string("m.json"));
        }
    }
};

TWINDESK_TEST(TestDrift)
#include "tst_drift.moc"
