// Home Assistant MQTT discovery: the 26 real Zigbee2MQTT messages of the shared anchors,
// abbreviations and '~', removal, malformed payloads, Brick classes and bindings.
#include "test_registry.h"

#include <twindesk/live/ha_discovery.h>
#include <twindesk/live/payload.h>

#include <QDir>
#include <QRegularExpression>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

using namespace twindesk::live;
using twindesk::twin::ErrorCode;
using Json = nlohmann::json;

namespace {

const QString kMqttAnchors = QStringLiteral(TWINDESK_ANCHORS_DIR "/mqtt");
const char* const kSkipMessage =
    "the shared anchors folder " TWINDESK_ANCHORS_DIR "/mqtt is missing (set TWINDESK_ANCHORS_DIR)";

struct Line
{
    std::string topic;
    Json payload;
};

std::vector<Line> readJsonl(const QString& file)
{
    std::vector<Line> lines;
    std::ifstream in((kMqttAnchors + "/" + file).toStdString());
    std::string text;
    while (std::getline(in, text)) {
        if (text.empty())
            continue;
        const Json j = Json::parse(text);
        lines.push_back({j.at("topic").get<std::string>(), j.at("payload")});
    }
    return lines;
}

const Line* findLine(const std::vector<Line>& lines, const std::string& topic)
{
    for (const Line& l : lines)
        if (l.topic == topic)
            return &l;
    return nullptr;
}

DiscoveredEntity entityOf(const Line& line)
{
    auto r = parseDiscovery(line.topic, line.payload.dump());
    if (!r.ok() || !r->entity)
        return {};
    return *r->entity;
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

} // namespace

// JSON holding '#' is written as ordinary strings below: moc misreads such raw strings
// inside function bodies.
class TestHaDiscovery : public QObject
{
    Q_OBJECT
private:
    std::vector<Line> m_discovery;
    std::vector<Line> m_states;

private Q_SLOTS:
    void initTestCase()
    {
        if (!QDir(kMqttAnchors).exists())
            return; // anchor tests skip themselves
        m_discovery = readJsonl("ha-discovery.jsonl");
        m_states = readJsonl("ha-states.jsonl");
    }

    void anchorsAllParse()
    {
        if (!QDir(kMqttAnchors).exists())
            QSKIP(kSkipMessage);
        QCOMPARE(m_discovery.size(), std::size_t{26});
        // The value key is checked against an independent reading of the template.
        const QRegularExpression simpleTemplate(R"re(^\{\{ value_json\["(\w+)"\] \}\}$)re");
        for (const Line& line : m_discovery) {
            const auto r = parseDiscovery(line.topic, line.payload.dump());
            QVERIFY2(r.ok(), (line.topic + ": " + (r.ok() ? "" : r.error().toString())).c_str());
            QVERIFY(!r->removed());
            const DiscoveredEntity& e = *r->entity;
            QCOMPARE(e.uniqueId, line.payload.at("unique_id").get<std::string>());
            if (line.payload.contains("state_topic"))
                QCOMPARE(e.stateTopic, line.payload["state_topic"].get<std::string>());
            if (line.payload.contains("command_topic"))
                QCOMPARE(e.commandTopic, line.payload["command_topic"].get<std::string>());
            if (line.payload.contains("value_template")) {
                const auto tpl = line.payload["value_template"].get<std::string>();
                QCOMPARE(e.valueTemplate, tpl);
                const auto m = simpleTemplate.match(QString::fromStdString(tpl));
                if (m.hasMatch())
                    QCOMPARE(e.valueJsonKey, m.captured(1).toStdString());
            }
            QCOMPARE(e.availabilityTopic, std::string("zigbee2mqtt/bridge/state"));
            QCOMPARE(e.device.identifiers,
                     line.payload["device"]["identifiers"].get<std::vector<std::string>>());
            QCOMPARE(e.device.name, line.payload["device"]["name"].get<std::string>());
        }
    }

    void anchorsCustomPrefix()
    {
        if (!QDir(kMqttAnchors).exists())
            QSKIP(kSkipMessage);
        const std::string topic =
            "my_custom_discovery_topic/sensor/0x0017880104e45522/temperature/config";
        const Line* line = findLine(m_discovery, topic);
        QVERIFY(line != nullptr);
        const auto any = parseDiscovery(topic, line->payload.dump());
        QVERIFY(any.ok());
        QCOMPARE(any->topic.prefix, std::string("my_custom_discovery_topic"));
        QCOMPARE(any->topic.component, std::string("sensor"));
        QCOMPARE(any->topic.nodeId, std::string("0x0017880104e45522"));
        QCOMPARE(any->topic.objectId, std::string("temperature"));
        QCOMPARE(any->entity->stateTopic, std::string("zigbee2mqtt/weather_sensor"));
        QVERIFY(parseDiscovery(topic, line->payload.dump(), {"my_custom_discovery_topic"}).ok());
        const auto wrong = parseDiscovery(topic, line->payload.dump(), {"homeassistant"});
        QVERIFY(!wrong.ok());
        QVERIFY(contains(wrong.error().message, "prefix"));
    }

    void anchorsSpotChecks()
    {
        if (!QDir(kMqttAnchors).exists())
            QSKIP(kSkipMessage);
        const Line* t =
            findLine(m_discovery, "homeassistant/sensor/0x0017880104e45522/temperature/config");
        QVERIFY(t != nullptr);
        const DiscoveredEntity temp = entityOf(*t);
        QCOMPARE(temp.component, std::string("sensor"));
        QCOMPARE(temp.nodeId, std::string("0x0017880104e45522"));
        QCOMPARE(temp.stateTopic, t->payload["state_topic"].get<std::string>());
        QCOMPARE(temp.unit, t->payload["unit_of_measurement"].get<std::string>());
        QCOMPARE(temp.deviceClass, std::string("temperature"));
        QCOMPARE(temp.stateClass, std::string("measurement"));
        QCOMPARE(temp.valueJsonKey, std::string("temperature"));
        QCOMPARE(temp.twinUnit, std::string("°C"));
        QCOMPARE(temp.objectIdHint, std::string("weather_sensor_temperature"));
        QCOMPARE(temp.device.manufacturer, std::string("Aqara"));
        QCOMPARE(temp.device.model, std::string("Temperature and humidity sensor"));
        QVERIFY(temp.warnings.empty());
        QCOMPARE(brickClassFor(temp), std::string_view("Temperature_Sensor"));
        QCOMPARE(defaultPointId(temp),
                 std::string("urn:twindesk:mqtt:0x0017880104e45522_temperature_zigbee2mqtt"));

        const DiscoveredEntity hum = entityOf(
            *findLine(m_discovery, "homeassistant/sensor/0x0017880104e45522/humidity/config"));
        QCOMPARE(hum.twinUnit, std::string("%RH")); // "%" of a humidity sensor
        QCOMPARE(brickClassFor(hum), std::string_view("Humidity_Sensor"));
        const DiscoveredEntity pressure = entityOf(
            *findLine(m_discovery, "homeassistant/sensor/0x0017880104e45522/pressure/config"));
        QCOMPARE(pressure.twinUnit, std::string("hPa"));
        QCOMPARE(brickClassFor(pressure), std::string_view("Pressure_Sensor"));
        const DiscoveredEntity battery = entityOf(
            *findLine(m_discovery, "homeassistant/sensor/0x0017880104e45522/battery/config"));
        QCOMPARE(battery.twinUnit, std::string("%"));
        const DiscoveredEntity lqi = entityOf(
            *findLine(m_discovery, "homeassistant/sensor/0x0017880104e45522/linkquality/config"));
        QCOMPARE(lqi.unit, std::string("lqi"));
        QVERIFY(lqi.twinUnit.empty());
        QCOMPARE(lqi.warnings.size(), std::size_t{1});
        QVERIFY(contains(lqi.warnings[0], "'lqi'"));
        QCOMPARE(brickClassFor(lqi), std::string_view("Point"));

        // Climate: the setpoint is the state, the measured temperature is kept apart.
        const Line* radiator =
            findLine(m_discovery, "homeassistant/climate/0x18fc2600000d7ae2/climate/config");
        QVERIFY(radiator != nullptr);
        const DiscoveredEntity climate = entityOf(*radiator);
        QCOMPARE(climate.stateTopic,
                 radiator->payload["temperature_state_topic"].get<std::string>());
        QCOMPARE(climate.commandTopic,
                 radiator->payload["temperature_command_topic"].get<std::string>());
        QCOMPARE(climate.valueJsonKey, std::string("occupied_heating_setpoint"));
        QCOMPARE(climate.twinUnit, std::string("°C"));
        QCOMPARE(climate.currentTemperatureTopic,
                 radiator->payload["current_temperature_topic"].get<std::string>());
        QCOMPARE(climate.currentTemperatureJsonKey, std::string("local_temperature"));
        QCOMPARE(brickClassFor(climate), std::string_view("Zone_Air_Temperature_Setpoint"));
        const DiscoveredEntity dual = entityOf(
            *findLine(m_discovery, "homeassistant/climate/0x18fc2600000d7ae3/climate/config"));
        QCOMPARE(dual.commandTopic,
                 std::string("zigbee2mqtt/bosch_rm230z/set/occupied_heating_setpoint"));
        QCOMPARE(dual.valueJsonKey, std::string("occupied_heating_setpoint"));

        const DiscoveredEntity left = entityOf(
            *findLine(m_discovery, "homeassistant/switch/0x0017880104e45542/switch_left/config"));
        QCOMPARE(left.valueJsonKey, std::string("state_left"));
        QCOMPARE(brickClassFor(left), std::string_view("On_Off_Command"));
        const DiscoveredEntity bulb =
            entityOf(*findLine(m_discovery, "homeassistant/light/0x000b57fffec6a5b2/light/config"));
        QCOMPARE(bulb.valueJsonKey, std::string("state")); // schema json, no template
        QCOMPARE(brickClassFor(bulb), std::string_view("Light_Command"));
        const DiscoveredEntity fan =
            entityOf(*findLine(m_discovery, "homeassistant/fan/0x0017880104e45548/fan/config"));
        QCOMPARE(fan.valueJsonKey, std::string("fan_state")); // state_value_template
        const DiscoveredEntity lastSeen = entityOf(
            *findLine(m_discovery, "homeassistant/sensor/0x000b57fffec6a5b2/last_seen/config"));
        QCOMPARE(lastSeen.valueJsonKey, std::string("last_seen")); // value_json.last_seen
        const DiscoveredEntity update = entityOf(
            *findLine(m_discovery, "homeassistant/update/0x000b57fffec6a5b2/update/config"));
        QVERIFY(update.valueJsonKey.empty());
        QVERIFY(!update.warnings.empty());
        const DiscoveredEntity siren =
            entityOf(*findLine(m_discovery, "homeassistant/siren/0x0017880104e45549/siren/config"));
        QVERIFY(siren.stateTopic.empty()); // optimistic: no state, still parsed
        QCOMPARE(siren.commandTopic, std::string("zigbee2mqtt/siren/set"));
    }

    void anchorsWeatherStateThroughBindings()
    {
        if (!QDir(kMqttAnchors).exists())
            QSKIP(kSkipMessage);
        const Line* state = findLine(m_states, "zigbee2mqtt/weather_sensor");
        QVERIFY(state != nullptr);
        const std::string payload = state->payload.dump();
        TopicMap map;
        int numbers = 0;
        for (const char* key : {"temperature", "humidity", "pressure"}) {
            const Line* config = findLine(m_discovery, std::string("homeassistant/sensor/"
                                                                   "0x0017880104e45522/") +
                                                           key + "/config");
            QVERIFY(config != nullptr);
            const DiscoveredEntity e = entityOf(*config);
            const TopicBinding b = bindingFor(e, defaultPointId(e));
            QCOMPARE(b.topic, state->topic);
            QCOMPARE(b.format, PayloadFormat::Json);
            QCOMPARE(b.valueKey, std::string(key));
            QVERIFY(map.add(b).ok());
            const DecodeResult r =
                decodePayload(state->topic, payload,
                              TopicMatch{std::make_shared<TopicBinding>(b), b.point, b.pointUnit});
            const Json& expected = state->payload.at(key);
            if (expected.is_number()) {
                ++numbers;
                QVERIFY2(r.ok(), r.message.c_str());
                QCOMPARE(*r.value, expected.get<double>());
            } else {
                // Zigbee2MQTT publishes null for a reading it does not have yet.
                QVERIFY(expected.is_null());
                QVERIFY(!r.ok());
                QCOMPARE(r.reason, RejectReason::Empty);
            }
        }
        QVERIFY(numbers >= 1);
        // One message feeds every point on the topic.
        const auto all = map.matchAll(state->topic);
        QCOMPARE(all.size(), std::size_t{3});
        QCOMPARE(all[0].point,
                 std::string("urn:twindesk:mqtt:0x0017880104e45522_temperature_zigbee2mqtt"));
        // Converted to the point's unit.
        TopicBinding fahrenheit = all[0].binding ? *all[0].binding : TopicBinding{};
        fahrenheit.pointUnit = "°F";
        const double celsius = state->payload.at("temperature").get<double>();
        const DecodeResult f = decodePayload(payload, fahrenheit);
        QVERIFY(f.ok());
        QVERIFY(std::fabs(*f.value - (celsius * 9 / 5 + 32)) < 1e-9);
    }

    void abbreviationsAndBaseTopic()
    {
        const std::string payload = R"({
            "~": "home/livingroom/sensor", "name": "Temp", "stat_t": "~/state",
            "cmd_t": "set/~", "uniq_id": "lr_temp", "dev_cla": "temperature",
            "unit_of_meas": "°F", "stat_cla": "measurement",
            "val_tpl": "{{ value_json.temperature }}", "avty_t": "~/availability",
            "json_attr_t": "~/attrs", "obj_id": "lr_t", "exp_aft": 900,
            "dev": {"ids": "lr01", "name": "Living", "mf": "Acme", "mdl": "T1000"}})";
        const auto r = parseDiscovery("homeassistant/sensor/livingroom/temp/config", payload);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        const DiscoveredEntity& e = *r->entity;
        QCOMPARE(e.stateTopic, std::string("home/livingroom/sensor/state"));
        QCOMPARE(e.commandTopic, std::string("set/home/livingroom/sensor"));
        QCOMPARE(e.availabilityTopic, std::string("home/livingroom/sensor/availability"));
        QCOMPARE(e.jsonAttributesTopic, std::string("home/livingroom/sensor/attrs"));
        QCOMPARE(e.uniqueId, std::string("lr_temp"));
        QCOMPARE(e.name, std::string("Temp"));
        QCOMPARE(e.objectIdHint, std::string("lr_t"));
        QCOMPARE(e.deviceClass, std::string("temperature"));
        QCOMPARE(e.unit, std::string("°F"));
        QCOMPARE(e.twinUnit, std::string("°F"));
        QCOMPARE(e.stateClass, std::string("measurement"));
        QCOMPARE(e.valueJsonKey, std::string("temperature"));
        QCOMPARE(e.expireAfter, twindesk::sim::Seconds{900});
        QCOMPARE(e.device.identifiers, std::vector<std::string>{"lr01"});
        QCOMPARE(e.device.name, std::string("Living"));
        QCOMPARE(e.device.manufacturer, std::string("Acme"));
        QCOMPARE(e.device.model, std::string("T1000"));
        const TopicBinding b = bindingFor(e, defaultPointId(e));
        QCOMPARE(b.interval, twindesk::sim::Seconds{900});
        QCOMPARE(b.unit, std::string("°F"));

        // Availability as a list with abbreviated entries; a Tasmota-style nested template.
        const auto tasmota =
            parseDiscovery("homeassistant/sensor/35EBF6_ENERGY_Power/config",
                           R"({"~": "tele/plug", "stat_t": "~/SENSOR", "avty": [{"t": "~/LWT"}],
                "uniq_id": "35EBF6 Power", "dev_cla": "power", "unit_of_meas": "W",
                "val_tpl": "{{value_json['ENERGY']['Power']}}"})");
        QVERIFY2(tasmota.ok(), tasmota.ok() ? "" : tasmota.error().toString().c_str());
        const DiscoveredEntity& p = *tasmota->entity;
        QCOMPARE(p.availabilityTopic, std::string("tele/plug/LWT"));
        QCOMPARE(p.valueJsonKey, std::string("/ENERGY/Power"));
        QVERIFY(p.nodeId.empty());
        QCOMPARE(brickClassFor(p), std::string_view("Electric_Power_Sensor"));
        QCOMPARE(defaultPointId(p), std::string("urn:twindesk:mqtt:35EBF6%20Power"));
        TopicBinding kw = bindingFor(p, defaultPointId(p));
        kw.pointUnit = "kW";
        QVERIFY(validateBinding(kw).ok());
        const DecodeResult watts = decodePayload(R"({"ENERGY": {"Power": 1500}})", kw);
        QVERIFY(watts.ok());
        QCOMPARE(*watts.value, 1.5);
    }

    void removal()
    {
        const auto empty = parseDiscovery("homeassistant/sensor/node1/temp/config", "");
        QVERIFY(empty.ok());
        QVERIFY(empty->removed());
        QCOMPARE(empty->topic.component, std::string("sensor"));
        QCOMPARE(empty->topic.nodeId, std::string("node1"));
        QCOMPARE(empty->topic.objectId, std::string("temp"));
        const auto braces = parseDiscovery("homeassistant/sensor/temp/config", "{}");
        QVERIFY(braces.ok());
        QVERIFY(braces->removed());
        const auto present =
            parseDiscovery("homeassistant/sensor/temp/config", R"({"stat_t": "a/b"})");
        QVERIFY(present.ok());
        QVERIFY(!present->removed());
    }

    void malformed()
    {
        const std::string topic = "homeassistant/sensor/node1/temp/config";
        const auto bad = parseDiscovery(topic, "{not json");
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().code, ErrorCode::ParseError);
        QCOMPARE(bad.error().where, topic);
        const auto array = parseDiscovery(topic, "[1, 2]");
        QVERIFY(!array.ok());
        QCOMPARE(array.error().code, ErrorCode::ParseError);
        const auto noState = parseDiscovery(topic, R"({"name": "T", "dev_cla": "temperature"})");
        QVERIFY(!noState.ok());
        QVERIFY(contains(noState.error().message, "state_topic"));
        QCOMPARE(noState.error().where, topic);
        QVERIFY(!parseDiscovery("homeassistant/binary_sensor/x/config", R"({"name": "x"})").ok());
        QVERIFY(parseDiscovery("homeassistant/switch/x/config", R"({"cmd_t": "x/set"})").ok());
        const auto wrongType = parseDiscovery(topic, R"({"stat_t": 5})");
        QVERIFY(!wrongType.ok());
        QVERIFY(contains(wrongType.error().message, "'state_topic' must be a string"));
        const auto badState = parseDiscovery(topic, "{\"stat_t\": \"a/#/b\"}");
        QVERIFY(!badState.ok());
        QVERIFY(!parseDiscovery("homeassistant/switch/x/config", R"({"cmd_t": "x/+/set"})").ok());
        QVERIFY(!parseDiscovery(topic, R"({"stat_t": "a", "exp_aft": "soon"})").ok());
        QVERIFY(!parseDiscovery(topic, R"({"stat_t": "a", "dev": "x"})").ok());
        const auto deviceLevel =
            parseDiscovery("homeassistant/device/dev1/config", R"({"dev": {}, "cmps": {}})");
        QVERIFY(!deviceLevel.ok());
        QVERIFY(contains(deviceLevel.error().message, "cmps"));
        QVERIFY(!parseDiscovery("homeassistant/sensor/x/state", R"({"stat_t": "a"})").ok());
        QVERIFY(!parseDiscovery("homeassistant/sensor/config", R"({"stat_t": "a"})").ok());
        QVERIFY(!parseDiscovery("homeassistant/sensor//x/config", R"({"stat_t": "a"})").ok());
    }

    void discoveryTopics()
    {
        const auto four = parseDiscoveryTopic("homeassistant/sensor/temp/config");
        QVERIFY(four.ok());
        QCOMPARE(four->prefix, std::string("homeassistant"));
        QCOMPARE(four->component, std::string("sensor"));
        QVERIFY(four->nodeId.empty());
        QCOMPARE(four->objectId, std::string("temp"));
        const auto five = parseDiscoveryTopic("ha/binary_sensor/n1/motion/config");
        QVERIFY(five.ok());
        QCOMPARE(five->component, std::string("binary_sensor"));
        QCOMPARE(five->nodeId, std::string("n1"));
        const auto deepPrefix = parseDiscoveryTopic("site/ha/sensor/temp/config");
        QVERIFY(deepPrefix.ok());
        QCOMPARE(deepPrefix->prefix, std::string("site/ha"));
        QCOMPARE(deepPrefix->component, std::string("sensor"));
        QVERIFY(deepPrefix->nodeId.empty());
        const auto given = parseDiscoveryTopic("site/ha/sensor/n/temp/config", "site/ha");
        QVERIFY(given.ok());
        QCOMPARE(given->nodeId, std::string("n"));
        QVERIFY(!parseDiscoveryTopic("site/ha/sensor/a/b/temp/config", "site/ha").ok());
    }

    void valueTemplates()
    {
        QCOMPARE(valueJsonKeyOf("{{ value_json.temperature }}"), std::string("temperature"));
        QCOMPARE(valueJsonKeyOf("{{value_json['t']}}"), std::string("t"));
        QCOMPARE(valueJsonKeyOf(R"({{ value_json["t"] }})"), std::string("t"));
        QCOMPARE(valueJsonKeyOf(R"({{ value_json[ "a b" ] }})"), std::string("a b"));
        QCOMPARE(valueJsonKeyOf("{{ value_json.a.b }}"), std::string("/a/b"));
        QCOMPARE(valueJsonKeyOf("{{ value_json['a/b'] }}"), std::string("a/b"));
        QCOMPARE(valueJsonKeyOf("{{ value_json['/x'] }}"), std::string("/~1x"));
        QVERIFY(valueJsonKeyOf("{{ value_json.t | float }}").empty());
        QVERIFY(valueJsonKeyOf("{{ value }}").empty());
        QVERIFY(valueJsonKeyOf("{{ value_json[0] }}").empty());
        QVERIFY(valueJsonKeyOf("{{ value_json }}").empty());
        QVERIFY(valueJsonKeyOf("").empty());
        QVERIFY(valueJsonKeyOf("{% if x %}{{ value_json.t }}{% endif %}").empty());
    }

    void unitsAndBrickClasses()
    {
        const std::pair<const char*, const char*> units[] = {
            {"°C", "°C"},   {"°F", "°F"}, {"%", "%"},     {"hPa", "hPa"}, {"W", "W"},
            {"kWh", "kWh"}, {"lx", "lx"}, {"ppm", "ppm"}, {" kW ", "kW"}, {"", ""}};
        for (const auto& [ha, twin] : units)
            QCOMPARE(twinUnitFor(ha, "").value_or("<missing>"), std::string(twin));
        QCOMPARE(twinUnitFor("%", "humidity").value_or(""), std::string("%RH"));
        QCOMPARE(twinUnitFor("%", "moisture").value_or(""), std::string("%RH"));
        QVERIFY(!twinUnitFor("lqi", "").has_value());
        QVERIFY(!twinUnitFor("µg/m³", "pm25").has_value());

        auto cls = [](const char* component, const char* deviceClass) {
            DiscoveredEntity e;
            e.component = component;
            e.deviceClass = deviceClass;
            return std::string(brickClassFor(e));
        };
        QCOMPARE(cls("binary_sensor", "occupancy"), std::string("Occupancy_Sensor"));
        QCOMPARE(cls("binary_sensor", "presence"), std::string("Occupancy_Sensor"));
        QCOMPARE(cls("binary_sensor", "motion"), std::string("Occupancy_Sensor"));
        QCOMPARE(cls("binary_sensor", "door"), std::string("Contact_Sensor"));
        QCOMPARE(cls("binary_sensor", "smoke"), std::string("Point"));
        QCOMPARE(cls("sensor", "carbon_dioxide"), std::string("CO2_Sensor"));
        QCOMPARE(cls("sensor", "power"), std::string("Electric_Power_Sensor"));
        QCOMPARE(cls("sensor", "energy"), std::string("Energy_Sensor"));
        QCOMPARE(cls("sensor", "illuminance"), std::string("Illuminance_Sensor"));
        QCOMPARE(cls("sensor", "battery"), std::string("Sensor"));
        QCOMPARE(cls("sensor", "occupancy"), std::string("Point")); // not a binary_sensor
        QCOMPARE(cls("sensor", ""), std::string("Point"));
        QCOMPARE(cls("number", "temperature"), std::string("Temperature_Setpoint"));
        QCOMPARE(cls("select", ""), std::string("Point"));

        DiscoveredEntity noUnique;
        noUnique.nodeId = "n1";
        noUnique.objectId = "t{1}";
        QCOMPARE(defaultPointId(noUnique), std::string("urn:twindesk:mqtt:n1/t%7B1%7D"));
        noUnique.nodeId.clear();
        QCOMPARE(defaultPointId(noUnique), std::string("urn:twindesk:mqtt:t%7B1%7D"));
    }
};

TWINDESK_TEST(TestHaDiscovery)
#include "tst_ha_discovery.moc"
