// Scenario files: validation errors name the file and JSON path; a valid file builds a config.
#include "test_registry.h"

#include <twindesk/sim/compute.h>
#include <twindesk/sim/scenario.h>

#include <QTemporaryDir>

#include <fstream>

using namespace twindesk::sim;
namespace fs = std::filesystem;

namespace {

const fs::path kSource = TWINDESK_SOURCE_DIR;
const fs::path kWeather = kSource / "assets/weather/USA_IL_Chicago-OHare.Intl.AP.725300_TMY3.epw";

std::string zoneJson(const std::string& extra = "")
{
    return R"({"id": "urn:t:z", "floor_area_m2": 30, "volume_m3": 90,
               "opaque": [{"area_m2": 20, "u": 0.4, "kappa_j_m2k": 60000}],
               "windows": [{"area_m2": 6, "u": 1.6, "shgc": 0.4}])" +
           extra + "}";
}

std::string scenarioJson(const std::string& zone, const std::string& extra = "")
{
    return R"({"name": "t", "weather": ")" + kWeather.string() + R"(",
               "period": {"start": "2025-01-01T00:00", "end": "2025-01-02T00:00"},
               "step_s": 300, "zones": [)" +
           zone + "]" + extra + "}";
}

} // namespace

class TestScenario : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

    twindesk::twin::Result<Scenario> load(const std::string& text, ScenarioOptions options = {})
    {
        const auto path = fs::path(m_dir.path().toStdString()) / "s.json";
        std::ofstream(path) << text;
        return loadScenario(path, options);
    }

    void expectError(const std::string& text, const std::string& path, const std::string& words)
    {
        auto s = load(text);
        QVERIFY2(!s.ok(), text.c_str());
        const auto msg = s.error().toString();
        QVERIFY2(msg.find("s.json: " + path) != std::string::npos, msg.c_str());
        QVERIFY2(msg.find(words) != std::string::npos, msg.c_str());
    }

private Q_SLOTS:
    void validScenario()
    {
        auto s = load(scenarioJson(zoneJson()));
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().toString().c_str());
        QCOMPARE(s->config->zones.size(), std::size_t{1});
        QCOMPARE(s->config->grid.step(), Seconds{300});
        QCOMPARE(s->config->grid.stepCount(), std::int64_t{288});
        // Chicago is UTC−6: local midnight is 06:00 UTC.
        QCOMPARE(formatUtc(s->config->grid.start()), std::string("2025-01-01T06:00:00Z"));
        QVERIFY(!s->config->bindings.empty());
    }

    void countReplicatesZones()
    {
        auto s = load(scenarioJson(zoneJson(R"(, "count": 25)")));
        QVERIFY(s.ok());
        QCOMPARE(s->config->zones.size(), std::size_t{25});
        QCOMPARE(s->config->zones[24].id, std::string("urn:t:z#25"));
    }

    void errorsNameThePath()
    {
        expectError(scenarioJson(zoneJson(R"(, "volme_m3": 3)")), "/zones/0/volme_m3",
                    "did you mean 'volume_m3'");
        expectError(scenarioJson(zoneJson(R"(, "infiltration_ach": "lots")")),
                    "/zones/0/infiltration_ach", "expected a number");
        expectError(scenarioJson(R"({"id": "z", "floor_area_m2": 30, "volume_m3": 90,
                                     "windows": [{"area_m2": 6, "u": 1.6, "shgc": 1.7}]})"),
                    "/zones/0/windows/0/shgc", "within 0..1");
        expectError(scenarioJson(zoneJson(), R"(, "stepp_s": 60)"), "/stepp_s",
                    "did you mean 'step_s'");
        expectError(scenarioJson(R"({"floor_area_m2": 30, "volume_m3": 90})"), "/zones/0/id",
                    "missing required string");
    }

    void badStepAndPeriod()
    {
        auto text = scenarioJson(zoneJson());
        auto s = load(text.replace(text.find("\"step_s\": 300"), 13, "\"step_s\": 7"));
        QVERIFY(!s.ok());
        QVERIFY2(s.error().toString().find("/step_s") != std::string::npos,
                 s.error().toString().c_str());
        QVERIFY(s.error().message.find("divide an hour") != std::string::npos);
        text = scenarioJson(zoneJson());
        s = load(text.replace(text.find("2025-01-02T00:00"), 16, "2025-13-02T00:00"));
        QVERIFY(!s.ok());
        QVERIFY2(s.error().toString().find("/period/end") != std::string::npos,
                 s.error().toString().c_str());
    }

    void missingFiles()
    {
        auto s = load(R"({"weather": "nowhere.epw", "period": {"start": "2025-01-01T00:00",
                          "end": "2025-01-02T00:00"}, "zones": [)" +
                      zoneJson() + "]}");
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, twindesk::twin::ErrorCode::NotFound);
        QVERIFY2(s.error().toString().find("/weather") != std::string::npos,
                 s.error().toString().c_str());
        QVERIFY(s.error().message.find("nowhere.epw") != std::string::npos);
        auto anchors = load(R"({"weather": "${anchors}/weather/x.epw", "period": {"start":
                          "2025-01-01T00:00", "end": "2025-01-02T00:00"}, "zones": [)" +
                                zoneJson() + "]}",
                            ScenarioOptions{{}, "/definitely/not/here", {}});
        QVERIFY(!anchors.ok());
        QVERIFY(anchors.error().message.find("/definitely/not/here") != std::string::npos);
    }

    void notJson()
    {
        auto s = load("{ \"name\": \"t\", ");
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, twindesk::twin::ErrorCode::ParseError);
        QVERIFY(s.error().message.find("not valid JSON") != std::string::npos);
        QVERIFY(s.error().message.find("line") != std::string::npos);
    }

    void overrides()
    {
        ScenarioOptions o;
        o.overrides = {{"step_s", "60"}, {"zones.0.infiltration_ach", "1.5"}};
        auto s = load(scenarioJson(zoneJson()), o);
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().toString().c_str());
        QCOMPARE(s->config->grid.step(), Seconds{60});
        QCOMPARE(s->config->zones[0].infiltrationAch, 1.5);
    }

    void overridesAsADocument()
    {
        const auto path = fs::path(m_dir.path().toStdString()) / "doc.json";
        std::ofstream(path) << scenarioJson(zoneJson());
        auto text = twindesk::sim::scenarioJson(path, {{"step_s", "60"}, {"policy", "null"}});
        QVERIFY(text.ok());
        QVERIFY(text->find("\"step_s\": 60") != std::string::npos);
        QVERIFY(text->find("\"policy\": null") != std::string::npos);
        auto missing = twindesk::sim::scenarioJson(path.string() + ".no", {});
        QVERIFY(!missing.ok());
        QVERIFY(missing.error().toString().find("doc.json.no") != std::string::npos);
    }

    void policyNullIsNoPolicy()
    {
        auto with = load(scenarioJson(zoneJson(), R"(, "policy": {"name": "fixed-schedule"})"));
        QVERIFY(with.ok());
        QVERIFY(!with->policyJson.empty());
        ScenarioOptions o;
        o.overrides = {{"policy", "null"}};
        auto without =
            load(scenarioJson(zoneJson(), R"(, "policy": {"name": "fixed-schedule"})"), o);
        QVERIFY2(without.ok(), without.ok() ? "" : without.error().toString().c_str());
        QVERIFY(without->policyJson.empty());
    }

    void buildingSetpointDefaults()
    {
        ScenarioOptions o;
        o.ontology = {kSource / "assets/ontology/brick-1.3-classes.ttl",
                      kSource / "assets/ontology/twindesk.ttl"};
        const auto file = kSource / "assets/scenarios/demo-office.json";
        auto plain = loadScenario(file, o);
        QVERIFY(plain.ok());
        o.overrides = {{"building.defaults.heating_setpoint_c", "19.5"},
                       {"building.defaults.setback_cooling_c", "30"}};
        auto changed = loadScenario(file, o);
        QVERIFY2(changed.ok(), changed.ok() ? "" : changed.error().toString().c_str());
        int offices = 0;
        for (std::size_t z = 0; z < plain->config->zones.size(); ++z) {
            const auto& a = plain->config->zones[z];
            const auto& b = changed->config->zones[z];
            if (a.use == "office") {
                ++offices;
                QCOMPARE(a.schedule.occupiedHeating, 21.0);
                QCOMPARE(b.schedule.occupiedHeating, 19.5);
                QCOMPARE(b.schedule.occupiedCooling, 24.0);
                QCOMPARE(b.schedule.unoccupiedCooling, 30.0);
            } else if (a.use == "server_room" || !a.comfortTracked) {
                // The server room and frost-protected rooms keep their own setpoints.
                QCOMPARE(b.schedule.occupiedHeating, a.schedule.occupiedHeating);
            }
        }
        QVERIFY(offices > 0);
        o.overrides = {{"building.defaults.heating_setpoint_c", "25"}};
        auto bad = loadScenario(file, o);
        QVERIFY(!bad.ok());
        QVERIFY2(bad.error().toString().find("/building/defaults/cooling_setpoint_c") !=
                     std::string::npos,
                 bad.error().toString().c_str());
    }

    void dateTimes()
    {
        QCOMPARE(parseDateTime("2025-01-01T00:00", -6).value(), utcSeconds(2025, 1, 1, 6));
        QCOMPARE(parseDateTime("2025-01-01T00:00:00Z", -6).value(), utcSeconds(2025, 1, 1));
        QCOMPARE(parseDateTime("2025-01-01T00:00+02:00", -6).value(), utcSeconds(2024, 12, 31, 22));
        QVERIFY(!parseDateTime("yesterday", 0).ok());
        QVERIFY(!parseDateTime("2025-01-01T00:00 CET", 0).ok());
    }

    void demoScenarioLoads()
    {
        ScenarioOptions o;
        o.ontology = {kSource / "assets/ontology/brick-1.3-classes.ttl",
                      kSource / "assets/ontology/twindesk.ttl"};
        auto s = loadScenario(kSource / "assets/scenarios/demo-office.json", o);
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().toString().c_str());
        QCOMPARE(s->config->zones.size(), std::size_t{40});
        QVERIFY(s->config->occupancy != nullptr);
        QVERIFY(s->config->compute != nullptr);
        QCOMPARE(s->config->compute->hostCount(), std::size_t{40});
        QCOMPARE(s->config->compute->vmCount(), std::size_t{60});
        QVERIFY2(s->warnings.empty(), s->warnings.empty() ? "" : s->warnings.front().c_str());
        std::size_t hostsInRooms = 0;
        for (const auto& z : s->config->zones)
            hostsInRooms += z.hosts.size();
        QCOMPARE(hostsInRooms, std::size_t{40}); // all heat the server room
        QVERIFY(s->config->bindings.size() > 200);
    }
};

TWINDESK_TEST(TestScenario)
#include "tst_scenario.moc"
