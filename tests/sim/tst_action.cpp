// Action schema validation: every kind's required fields and ranges.
#include "test_registry.h"

#include <twindesk/sim/action.h>

#include <cmath>
#include <limits>

using namespace twindesk::sim;

class TestAction : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void namesRoundTrip()
    {
        for (auto k :
             {ActionKind::SetSetpoint, ActionKind::SetMode, ActionKind::Switch, ActionKind::Dim,
              ActionKind::MigrateVm, ActionKind::PowerHost, ActionKind::Throttle})
            QCOMPARE(parseActionKind(actionKindName(k)).value(), k);
        QVERIFY(!parseActionKind("Explode").has_value());
    }

    void validActions()
    {
        QVERIFY(validateAction({ActionKind::SetSetpoint, "urn:sp", 21.5, {}, {}}).ok());
        QVERIFY(validateAction({ActionKind::SetMode, "urn:ahu", 0, "unoccupied", {}}).ok());
        QVERIFY(validateAction({ActionKind::Switch, "urn:light", 1, {}, {}}).ok());
        QVERIFY(validateAction({ActionKind::Dim, "urn:light", 35, {}, {}}).ok());
        QVERIFY(validateAction({ActionKind::MigrateVm, "urn:vm", 0, {}, "urn:host2"}).ok());
        QVERIFY(validateAction({ActionKind::PowerHost, "urn:host", 0, {}, {}}).ok());
        QVERIFY(validateAction({ActionKind::Throttle, "urn:vm", 50, {}, {}}).ok());
    }

    void invalidActions()
    {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        auto nanSetpoint = validateAction({ActionKind::SetSetpoint, "urn:sp", nan, {}, {}});
        QVERIFY(!nanSetpoint.ok());
        QVERIFY(nanSetpoint.error().message.find("urn:sp") != std::string::npos);
        QVERIFY(!validateAction({ActionKind::SetSetpoint, "", 20, {}, {}}).ok());
        QVERIFY(!validateAction({ActionKind::SetMode, "urn:ahu", 0, "", {}}).ok());
        QVERIFY(!validateAction({ActionKind::Switch, "urn:l", 0.5, {}, {}}).ok());
        QVERIFY(!validateAction({ActionKind::Dim, "urn:l", 101, {}, {}}).ok());
        QVERIFY(!validateAction({ActionKind::Throttle, "urn:vm", -1, {}, {}}).ok());
        QVERIFY(!validateAction({ActionKind::MigrateVm, "urn:vm", 0, {}, ""}).ok());
        QVERIFY(!validateAction({ActionKind::MigrateVm, "urn:vm", 0, {}, "urn:vm"}).ok());
        QVERIFY(!validateAction({ActionKind::PowerHost, "urn:h", INFINITY, {}, {}}).ok());
    }

    void description()
    {
        QCOMPARE(describeAction({ActionKind::SetSetpoint, "urn:sp", 21.5, {}, {}}),
                 std::string("SetSetpoint target=urn:sp value=21.5"));
        QCOMPARE(describeAction({ActionKind::MigrateVm, "urn:vm", 0, {}, "urn:h2"}),
                 std::string("MigrateVm target=urn:vm destination=urn:h2"));
    }
};

TWINDESK_TEST(TestAction)
#include "tst_action.moc"
