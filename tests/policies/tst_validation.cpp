// The validation gate: gate files (YAML and JSON) parsed with their errors located, and the
// thresholds evaluated on hand-made KPI values (issue #6 §5).
#include "test_registry.h"

#include <twindesk/policies/validation.h>

#include <cmath>

using namespace twindesk;
using namespace twindesk::policies;

namespace {

void expectError(const char* text, const char* needle, const char* where = nullptr)
{
    const auto g = Gate::parse(text, "gate.yaml");
    QVERIFY2(!g.ok(), text);
    QVERIFY2(g.error().message.find(needle) != std::string::npos, g.error().toString().c_str());
    if (where != nullptr)
        QVERIFY2(g.error().where == where, g.error().toString().c_str());
}

} // namespace

class TestValidation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesYamlAndJson()
    {
        const auto yaml = Gate::parse("scope: [conference, office]\n"
                                      "thresholds:\n"
                                      "  - kpi: energy_kwh\n"
                                      "    max_change_pct: -10\n"
                                      "  - {kpi: fallbacks, max: 0, note: clean loop}\n",
                                      "g.yaml");
        QVERIFY2(yaml.ok(), yaml.ok() ? "" : yaml.error().toString().c_str());
        QCOMPARE(yaml->scope.size(), std::size_t{2});
        QCOMPARE(yaml->thresholds.size(), std::size_t{2});
        QCOMPARE(yaml->thresholds[0].rule, GateRule::MaxChangePct);
        QCOMPARE(yaml->thresholds[0].value, -10.0);
        QCOMPARE(yaml->thresholds[0].where, std::string("g.yaml:3:5"));
        const auto json = Gate::parse(
            R"({"thresholds": [{"kpi": "slav", "max_change_pct": 5}, {"kpi": "discomfort_kh_per_zone_day", "max_increase": 0.5}]})",
            "g.json");
        QVERIFY(json.ok());
        QVERIFY(json->scope.empty());
        QCOMPARE(json->thresholds[1].rule, GateRule::MaxIncrease);
        QVERIFY(!Gate::load("/no/such/gate.yaml").ok());
    }

    void badGateFilesSayWhereAndWhat()
    {
        expectError("thresholds:\n  - kpi: energy\n    max: 1\n", "unknown KPI 'energy'",
                    "gate.yaml:2:10");
        expectError("thresholds:\n  - kpi: energy_kwh\n    below: 1\n", "unknown rule 'below'",
                    "gate.yaml:3:5");
        expectError("thresholds:\n  - kpi: energy_kwh\n    max: 1\n    min: 0\n",
                    "one rule per threshold");
        expectError("thresholds:\n  - kpi: energy_kwh\n    max: lots\n", "needs a number");
        expectError("thresholds:\n  - kpi: energy_kwh\n    max: .nan\n", "finite");
        expectError("thresholds:\n  - kpi: energy_kwh\n", "has no rule");
        expectError("thresholds:\n  - max: 3\n", "names no kpi");
        expectError("thresholds: []\n", "non-empty list");
        expectError("scope: conference\n", "non-empty list");
        expectError("gate: 1\n", "unknown key 'gate'");
        expectError("- 1\n- 2\n", "a gate file is a map");
        expectError("thresholds: [\n", "syntax error");
        expectError("", "a gate file is a map");
        expectError("}} garbage: [", "syntax error");
    }

    void thresholdsAreEvaluated()
    {
        const auto gate = Gate::parse("thresholds:\n"
                                      "  - {kpi: energy_kwh, max_change_pct: -10}\n"
                                      "  - {kpi: discomfort_kh, max_increase: 0.5}\n"
                                      "  - {kpi: fallbacks, max: 0}\n"
                                      "  - {kpi: slav, max_change_pct: 5}\n"
                                      "  - {kpi: migrations, min_change_pct: -50}\n"
                                      "  - {kpi: decision_p99_ms, min: 0}\n",
                                      "g")
                              .value();
        const std::map<std::string, double> baseline{{"energy_kwh", 100.0},
                                                     {"discomfort_kh", 2.0},
                                                     {"fallbacks", 0.0},
                                                     {"slav", 0.0},
                                                     {"decision_p99_ms", 1.0}};
        const std::map<std::string, double> candidate{{"energy_kwh", 89.0},
                                                      {"discomfort_kh", 2.6},
                                                      {"fallbacks", 1.0},
                                                      {"slav", 0.0},
                                                      {"decision_p99_ms", 2.0}};
        const auto r = evaluateGate(gate, baseline, candidate);
        QCOMPARE(r.size(), std::size_t{6});
        QVERIFY(r[0].pass);
        QVERIFY(std::abs(*r[0].change + 11.0) < 1e-12);
        QVERIFY(!r[1].pass); // +0.6 K·h
        QVERIFY(r[1].reason.find("discomfort_kh") != std::string::npos);
        QVERIFY(!r[2].pass);
        QVERIFY(r[3].pass);  // 0 → 0: no change
        QVERIFY(!r[4].pass); // migrations not measured (no hosts)
        QVERIFY(r[4].reason.find("not measured") != std::string::npos);
        QVERIFY(r[5].pass);
        // A zero baseline with a non-zero candidate has no relative change: it fails, saying so.
        const auto zero = evaluateGate(gate, {{"energy_kwh", 0.0}}, {{"energy_kwh", 1.0}});
        QVERIFY(!zero[0].pass);
        QVERIFY(zero[0].reason.find("undefined") != std::string::npos);
    }
};

TWINDESK_TEST(TestValidation)
#include "tst_validation.moc"
