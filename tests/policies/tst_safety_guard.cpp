// Each SafetyGuard rule on constructed situations.
#include "test_registry.h"

#include <twindesk/policies/safety_guard.h>

#include <cmath>

using namespace twindesk;
using namespace twindesk::policies;

namespace {
const std::vector<sim::ActionKind> kSetpoints{sim::ActionKind::SetSetpoint};
sim::Action sp(double v, const char* target = "urn:sp")
{
    return sim::Action{sim::ActionKind::SetSetpoint, target, v, {}, {}};
}
} // namespace

class TestSafetyGuard : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void schema()
    {
        SafetyGuard g;
        auto nan = g.check(sp(std::nan("")), 0, kSetpoints, 20.0);
        QCOMPARE(nan.verdict, Verdict::Rejected);
        QCOMPARE(nan.rule, std::string("schema"));
        auto undeclared = g.check(sim::Action{sim::ActionKind::PowerHost, "urn:h", 0, {}, {}}, 0,
                                  kSetpoints, std::nullopt);
        QCOMPARE(undeclared.verdict, Verdict::Rejected);
        QVERIFY(undeclared.reason.find("PowerHost") != std::string::npos);
    }

    void neverPowersOffAHostWithWorkloads()
    {
        SafetyGuard g;
        const std::vector<sim::ActionKind> power{sim::ActionKind::PowerHost};
        const sim::Action off{sim::ActionKind::PowerHost, "urn:host-7", 0.0, {}, {}};
        auto busy = g.check(off, 0, power, std::nullopt, 3);
        QCOMPARE(busy.verdict, Verdict::Rejected);
        QCOMPARE(busy.rule, std::string("host-workloads"));
        QVERIFY(busy.reason.find("urn:host-7") != std::string::npos);
        QVERIFY(busy.reason.find("3 workload") != std::string::npos);
        // Unknown occupancy is refused too: powering off is only safe when known empty.
        auto unknown = g.check(off, 0, power, std::nullopt, std::nullopt);
        QCOMPARE(unknown.verdict, Verdict::Rejected);
        QCOMPARE(unknown.rule, std::string("host-workloads"));
        QCOMPARE(g.check(off, 0, power, std::nullopt, 0).verdict, Verdict::Accepted);
        // Powering on is never held back by this rule.
        const sim::Action on{sim::ActionKind::PowerHost, "urn:host-8", 1.0, {}, {}};
        QCOMPARE(g.check(on, 0, power, std::nullopt, std::nullopt).verdict, Verdict::Accepted);
    }

    void boundsClampOrReject()
    {
        SafetyGuard g;
        auto hot = g.check(sp(35.0), 0, kSetpoints, 29.0);
        QCOMPARE(hot.verdict, Verdict::Modified);
        QCOMPARE(hot.action.value, 30.0);
        QCOMPARE(hot.rule, std::string("bounds"));
        GuardConfig strict;
        strict.clampOutOfBounds = false;
        SafetyGuard s(strict);
        auto cold = s.check(sp(5.0), 0, kSetpoints, 20.0);
        QCOMPARE(cold.verdict, Verdict::Rejected);
        QVERIFY(cold.reason.find("outside 12..30") != std::string::npos);
    }

    void rateOfChange()
    {
        SafetyGuard g;
        auto jump = g.check(sp(28.0), 0, kSetpoints, 18.0);
        QCOMPARE(jump.verdict, Verdict::Modified);
        QCOMPARE(jump.action.value, 23.0); // 5 K per change
        QCOMPARE(jump.rule, std::string("rate"));
        auto down = g.check(sp(12.0), 0, kSetpoints, 21.0);
        QCOMPARE(down.action.value, 16.0);
        QCOMPARE(g.check(sp(22.0), 0, kSetpoints, 21.0).verdict, Verdict::Accepted);
    }

    void dwell()
    {
        SafetyGuard g;
        g.applied(sp(21.0), 1000);
        auto soon = g.check(sp(22.0), 1300, kSetpoints, 21.0);
        QCOMPARE(soon.verdict, Verdict::Rejected);
        QCOMPARE(soon.rule, std::string("dwell"));
        QCOMPARE(g.check(sp(22.0), 1600, kSetpoints, 21.0).verdict, Verdict::Accepted);
        QCOMPARE(g.check(sp(22.0, "urn:other"), 1300, kSetpoints, 21.0).verdict, Verdict::Accepted);
    }

    void migrationsPerInterval()
    {
        GuardConfig c;
        c.maxMigrationsPerInterval = 2;
        SafetyGuard g(c);
        const std::vector<sim::ActionKind> kinds{sim::ActionKind::MigrateVm};
        auto mig = [](const char* vm) {
            return sim::Action{sim::ActionKind::MigrateVm, vm, 0, {}, "urn:h2"};
        };
        g.applied(mig("urn:vm1"), 0);
        g.applied(mig("urn:vm2"), 10);
        auto third = g.check(mig("urn:vm3"), 20, kinds, std::nullopt);
        QCOMPARE(third.verdict, Verdict::Rejected);
        QCOMPARE(third.rule, std::string("migrations"));
        QCOMPARE(g.check(mig("urn:vm3"), 400, kinds, std::nullopt).verdict, Verdict::Accepted);
    }

    void oscillationFreezesTheTarget()
    {
        GuardConfig c;
        c.minDwell = 0;
        SafetyGuard g(c);
        // 20 → 22 → 20 → 22 → 20: three reversals within the hour.
        double v = 20.0;
        for (int i = 0; i < 5; ++i, v = v == 20.0 ? 22.0 : 20.0)
            g.applied(sp(v), i * 300);
        auto next = g.check(sp(22.0), 1500, kSetpoints, 20.0);
        QCOMPARE(next.verdict, Verdict::Rejected);
        QCOMPARE(next.rule, std::string("oscillation"));
        QCOMPARE(g.check(sp(22.0), 1200 + 3601, kSetpoints, 20.0).verdict, Verdict::Accepted);
    }
};

TWINDESK_TEST(TestSafetyGuard)
#include "tst_safety_guard.moc"
