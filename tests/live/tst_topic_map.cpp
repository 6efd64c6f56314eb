// Topic filters (MQTT wildcard rules), the topic-map file and its lookups.
#include "test_registry.h"

#include <twindesk/live/topic_map.h>

#include <QTemporaryDir>

#include <fstream>
#include <string>
#include <vector>

using namespace twindesk::live;
using twindesk::twin::ErrorCode;

namespace {

const char* const kExampleMap = R"({
  "defaults": { "format": "plain", "interval_s": 300, "qos": 1 },
  "points": [
    { "topic": "bms/+/zat", "point": "urn:twindesk:demo:office#room_{1}_zat", "unit": "degF", "interval_s": 60 },
    { "topic": "z2m/weather_sensor", "point": "urn:x#ws_t", "format": "json", "value": "temperature", "unit_key": "unit" },
    { "topic": "bms/room_101/zhsp", "point": "urn:twindesk:demo:office#room_101_zhsp", "command_topic": "bms/room_101/zhsp/set", "min": 5, "max": 35 }
  ]
})";

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

TopicBinding binding(std::string topic, std::string point)
{
    TopicBinding b;
    b.topic = std::move(topic);
    b.point = std::move(point);
    return b;
}

} // namespace

// JSON holding '#' is written as ordinary strings below: moc misreads such raw strings
// inside function bodies.
class TestTopicMap : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void wildcardRules_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<QString>("topic");
        QTest::addColumn<bool>("expected");
        auto row = [](const char* filter, const char* topic, bool expected) {
            QTest::addRow("'%s' on '%s'", filter, topic)
                << QString::fromUtf8(filter) << QString::fromUtf8(topic) << expected;
        };
        row("a/b/c", "a/b/c", true);
        row("a/b/c", "a/b", false);
        row("a/b", "a/b/c", false);
        row("A/b", "a/b", false); // case-sensitive
        row("a/+/c", "a/b/c", true);
        row("a/+/c", "a/b/c/d", false);
        row("a/+/c", "a//c", true); // '+' matches an empty level
        row("a/+", "a/", true);
        row("a/+", "a", false);
        row("+", "a", true);
        row("+", "a/b", false);
        row("+", "/", false);
        row("+/+", "/b", true);
        row("/+", "/x", true);
        row("a//c", "a//c", true);
        row("a//c", "a/c", false);
        row("a/b/", "a/b", false);
        row("a/b/", "a/b/", true);
        row("a/#", "a", true); // '#' also matches the parent level
        row("a/#", "a/b/c", true);
        row("a/#", "ab", false);
        row("a/+/#", "a/b", true);
        row("#", "a/b", true);
        row("#", "/", true);
        row("#", "$SYS/broker/uptime", false); // '$' topics are not matched by wildcards
        row("+/broker/uptime", "$SYS/broker/uptime", false);
        row("$SYS/#", "$SYS/broker/uptime", true);
        row("$SYS/+/uptime", "$SYS/broker/uptime", true);
        row("a/+", "a/$b", true);     // only a leading '$' is special
        row("a/#/c", "a/b/c", false); // invalid filter
        row("a+/b", "a+/b", false);   // invalid filter
        row("a/b#", "a/b#", false);   // invalid filter
        row("", "", false);
        row("#", "", false);    // empty topic
        row("#", "a/+", false); // wildcards are not allowed in topic names
    }
    void wildcardRules()
    {
        QFETCH(QString, filter);
        QFETCH(QString, topic);
        QFETCH(bool, expected);
        QCOMPARE(topicMatches(filter.toStdString(), topic.toStdString()), expected);
    }

    void capturedLevels()
    {
        using V = std::vector<std::string>;
        QCOMPARE(wildcardLevels("bms/+/zat", "bms/room_101/zat"), V{"room_101"});
        QCOMPARE(wildcardLevels("a/+/+/#", "a/b/c/d/e"), (V{"b", "c", "d/e"}));
        QCOMPARE(wildcardLevels("a/#", "a"), V{""});
        QCOMPARE(wildcardLevels("+/x", "/x"), V{""});
        QCOMPARE(wildcardLevels("a/b", "a/b"), V{});
        QCOMPARE(wildcardLevels("bms/+/zat", "bms/room_101/zhsp"), V{});
    }

    void filterValidation()
    {
        for (const char* good : {"a/+/c/#", "#", "+", "/", "$SYS/#", "a//b", "+/+/+"})
            QVERIFY2(validateFilter(good).ok(), good);
        const auto empty = validateFilter("");
        QVERIFY(!empty.ok());
        QVERIFY(contains(empty.error().message, "empty"));
        const auto hashInside = validateFilter("a/#/c");
        QVERIFY(!hashInside.ok());
        QVERIFY(contains(hashInside.error().message, "not the last level"));
        QVERIFY(contains(hashInside.error().message, "'a/#/c'"));
        const auto plusMixed = validateFilter("a+/b");
        QVERIFY(!plusMixed.ok());
        QVERIFY(contains(plusMixed.error().message, "'+' must be a whole level"));
        const auto hashMixed = validateFilter("a/b#");
        QVERIFY(!hashMixed.ok());
        QVERIFY(contains(hashMixed.error().message, "'#' must be a whole level"));
        QVERIFY(validateTopicName("bms/room_101/zhsp/set").ok());
        QVERIFY(!validateTopicName("bms/+/set").ok());
        QVERIFY(!validateTopicName("").ok());
    }

    void staleness()
    {
        QVERIFY(isStale(std::nullopt, 1000, 300));
        QVERIFY(!isStale(100, 400, 300)); // exactly one interval old: still fresh
        QVERIFY(isStale(100, 401, 300));
        QVERIFY(!isStale(500, 400, 300)); // from the future (clock skew)
    }

    void parseExampleMap()
    {
        auto map = TopicMap::parse(kExampleMap, "map.json");
        QVERIFY2(map.ok(), map.ok() ? "" : map.error().toString().c_str());
        QCOMPARE(map->size(), std::size_t{3});
        const TopicBinding& zat = map->binding(0);
        QCOMPARE(zat.unit, std::string("degF"));
        QCOMPARE(zat.interval, twindesk::sim::Seconds{60});
        QCOMPARE(zat.qos, 1);
        QCOMPARE(zat.format, PayloadFormat::Plain);
        const TopicBinding& ws = map->binding(1);
        QCOMPARE(ws.format, PayloadFormat::Json);
        QCOMPARE(ws.valueKey, std::string("temperature"));
        QCOMPARE(ws.unitKey, std::string("unit"));
        QCOMPARE(ws.interval, twindesk::sim::Seconds{300}); // from the defaults
        const TopicBinding& sp = map->binding(2);
        QCOMPARE(sp.commandTopic, std::string("bms/room_101/zhsp/set"));
        QCOMPARE(sp.effectiveStateTopic(), std::string("bms/room_101/zhsp"));
        QVERIFY(sp.min && *sp.min == 5.0);
        QVERIFY(sp.max && *sp.max == 35.0);
        QVERIFY(!zat.min && !zat.max);
    }

    void matchAndPlaceholders()
    {
        auto map = TopicMap::parse(kExampleMap, "map.json");
        QVERIFY(map.ok());
        for (int pass = 0; pass < 2; ++pass) { // the second pass is served from the cache
            const auto zat = map->match("bms/101/zat");
            QVERIFY(zat.has_value());
            QCOMPARE(zat->point, std::string("urn:twindesk:demo:office#room_101_zat"));
            QCOMPARE(zat->binding->topic, std::string("bms/+/zat"));
            const auto other = map->match("bms/lobby/zat");
            QVERIFY(other.has_value());
            QCOMPARE(other->point, std::string("urn:twindesk:demo:office#room_lobby_zat"));
            QVERIFY(!map->match("bms//zat").has_value()); // empty placeholder value
            QVERIFY(!map->match("bms/101/zat/extra").has_value());
            QVERIFY(!map->match("unknown/topic").has_value());
            const auto sp = map->match("bms/room_101/zhsp");
            QVERIFY(sp.has_value());
            QCOMPARE(sp->point, std::string("urn:twindesk:demo:office#room_101_zhsp"));
        }

        TopicMap more;
        QVERIFY(more.add(binding("site/#", "urn:x#{#}")).ok());
        QVERIFY(more.add(binding("b/+/+/v", "urn:x#{2}_{1}")).ok());
        QCOMPARE(more.match("site/a/b")->point, std::string("urn:x#a/b"));
        QVERIFY(!more.match("site").has_value()); // '#' matched the parent: {#} would be empty
        QCOMPARE(more.match("b/r1/f2/v")->point, std::string("urn:x#f2_r1"));
    }

    void matchAllReturnsEveryBinding()
    {
        TopicMap map;
        TopicBinding t = binding("z2m/weather", "urn:x#t");
        t.format = PayloadFormat::Json;
        t.valueKey = "temperature";
        TopicBinding h = binding("z2m/+", "urn:x#{1}_h");
        h.format = PayloadFormat::Json;
        h.valueKey = "humidity";
        QVERIFY(map.add(t).ok());
        QVERIFY(map.add(h).ok());
        QVERIFY(map.add(binding("other", "urn:x#o")).ok());
        for (int pass = 0; pass < 2; ++pass) {
            const auto all = map.matchAll("z2m/weather");
            QCOMPARE(all.size(), std::size_t{2});
            QCOMPARE(all[0].point, std::string("urn:x#t"));
            QCOMPARE(all[1].point, std::string("urn:x#weather_h"));
            QCOMPARE(map.match("z2m/weather")->point, std::string("urn:x#t"));
        }
        QVERIFY(map.matchAll("nothing").empty());
    }

    void cacheIsInvalidatedAndBounded()
    {
        TopicMap map;
        QVERIFY(map.add(binding("a/+", "urn:x#{1}")).ok());
        QVERIFY(!map.match("b/1").has_value()); // a cached miss...
        QVERIFY(map.add(binding("b/+", "urn:y#{1}")).ok());
        QVERIFY(map.match("b/1").has_value()); // ...forgotten by add()
        // More distinct topics than the cache holds: every answer stays right.
        for (std::size_t i = 0; i < TopicMap::kMaxCachedTopics + 100; ++i) {
            const std::string n = std::to_string(i);
            const auto m = map.match("a/" + n);
            QVERIFY(m.has_value());
            QCOMPARE(m->point, "urn:x#" + n);
        }
        QCOMPARE(map.match("a/7")->point, std::string("urn:x#7"));
        // A copy answers on its own.
        const TopicMap copy = map;
        QCOMPARE(copy.match("b/2")->point, std::string("urn:y#2"));
        const std::string longLevel(TopicMap::kMaxCachedTopicLength + 10, 'z');
        QCOMPARE(map.match("a/" + longLevel)->point, "urn:x#" + longLevel);
    }

    void pointUnitResolver()
    {
        TopicMap map;
        TopicBinding b = binding("bms/+/zat", "urn:x#{1}_zat");
        b.unit = "degF";
        b.pointUnit = "K";
        QVERIFY(map.add(b).ok());
        QCOMPARE(map.match("bms/r1/zat")->pointUnit, std::string("K"));
        int calls = 0;
        map.setPointUnitResolver([&calls](std::string_view point) {
            ++calls;
            return point == "urn:x#r1_zat" ? std::string("°C") : std::string();
        });
        QCOMPARE(map.match("bms/r1/zat")->pointUnit, std::string("°C"));
        QCOMPARE(map.match("bms/r1/zat")->pointUnit, std::string("°C"));
        QCOMPARE(calls, 1); // resolved once per topic, then cached
        QCOMPARE(map.match("bms/r2/zat")->pointUnit, std::string("K")); // resolver: unknown
        map.setPointUnitResolver(nullptr);
        QCOMPARE(map.match("bms/r1/zat")->pointUnit, std::string("K"));
    }

    void stateTopicFeedsThePoint()
    {
        TopicMap map;
        TopicBinding b = binding("dev/sp", "urn:x#sp");
        b.stateTopic = "dev/sp/state";
        b.commandTopic = "dev/sp/set";
        b.qos = 2;
        QVERIFY(map.add(b).ok());
        QVERIFY(map.add(binding("dev/sp", "urn:x#sp_copy")).ok());
        QCOMPARE(map.match("dev/sp/state")->point, std::string("urn:x#sp"));
        QCOMPARE(map.match("dev/sp")->point, std::string("urn:x#sp"));
        QCOMPARE(map.subscriptions(), (std::vector<std::string>{"dev/sp", "dev/sp/state"}));
        const auto withQos = map.subscriptionsWithQos();
        QCOMPARE(withQos.size(), std::size_t{2});
        QCOMPARE(withQos[0].qos, 2); // the highest asked for the shared filter
    }

    void subscriptionsAreDistinct()
    {
        auto map = TopicMap::parse(kExampleMap, "map.json");
        QVERIFY(map.ok());
        QCOMPARE(map->subscriptions(), (std::vector<std::string>{"bms/+/zat", "z2m/weather_sensor",
                                                                 "bms/room_101/zhsp"}));
        QVERIFY(map->add(binding("bms/+/zat", "urn:other#{1}")).ok());
        QCOMPARE(map->subscriptions().size(), std::size_t{3});
        QVERIFY(TopicMap().subscriptions().empty());
    }

    void forPointAndCommands()
    {
        auto map = TopicMap::parse(kExampleMap, "map.json");
        QVERIFY(map.ok());
        const TopicBinding* sp = map->forPoint("urn:twindesk:demo:office#room_101_zhsp");
        QVERIFY(sp != nullptr);
        QCOMPARE(sp->commandTopic, std::string("bms/room_101/zhsp/set"));
        QCOMPARE(map->commandTopicFor("urn:twindesk:demo:office#room_101_zhsp").value_or(""),
                 std::string("bms/room_101/zhsp/set"));
        const TopicBinding* zat = map->forPoint("urn:twindesk:demo:office#room_205_zat");
        QVERIFY(zat != nullptr);
        QCOMPARE(zat->topic, std::string("bms/+/zat"));
        QVERIFY(!map->commandTopicFor("urn:twindesk:demo:office#room_205_zat").has_value());
        QVERIFY(map->forPoint("urn:twindesk:demo:office#room__zat") == nullptr);
        QVERIFY(map->forPoint("urn:nothing") == nullptr);

        TopicMap templ;
        TopicBinding b = binding("bms/+/sp", "urn:x#{1}_sp");
        b.commandTopic = "bms/{1}/sp/set";
        QVERIFY(templ.add(b).ok());
        QCOMPARE(templ.commandTopicFor("urn:x#r7_sp").value_or(""), std::string("bms/r7/sp/set"));
        QVERIFY(!templ.commandTopicFor("urn:x#r/7_sp").has_value()); // '/' cannot be one level
    }

    void parseErrors()
    {
        // Unknown key, with the JSON path and the known keys.
        const auto unknown = TopicMap::parse(R"({"points": [
            {"topic": "a", "point": "p"}, {"topic": "b", "point": "q"},
            {"topic": "c", "point": "r", "formt": "json"}]})",
                                             "map.json");
        QVERIFY(!unknown.ok());
        QCOMPARE(unknown.error().where, std::string("map.json: /points/2/formt"));
        QVERIFY(contains(unknown.error().toString(), "map.json: /points/2/formt: unknown key"));
        QVERIFY(contains(unknown.error().message, "did you mean 'format'"));
        QVERIFY(contains(unknown.error().message, "known: topic, point, format"));

        const auto unknownTop = TopicMap::parse(R"({"points": [], "version": 2})", "m.json");
        QVERIFY(!unknownTop.ok());
        QCOMPARE(unknownTop.error().where, std::string("m.json: /version"));
        const auto unknownDefault =
            TopicMap::parse(R"({"defaults": {"topic": "x"}, "points": []})", "m.json");
        QVERIFY(!unknownDefault.ok());
        QCOMPARE(unknownDefault.error().where, std::string("m.json: /defaults/topic"));

        // Bad JSON: line and column of the offending character.
        const auto badJson =
            TopicMap::parse("{\n  \"points\": [\n    {\"topic\": \"a\",, }\n  ]\n}", "map.json");
        QVERIFY(!badJson.ok());
        QCOMPARE(badJson.error().code, ErrorCode::ParseError);
        QCOMPARE(badJson.error().where, std::string("map.json:3:19"));
        QVERIFY(!contains(badJson.error().message, "[json.exception"));
        const auto truncated = TopicMap::parse("{\"points\": [", "t.json");
        QVERIFY(!truncated.ok());
        QCOMPARE(truncated.error().where, std::string("t.json:1:13"));

        // Bad unit, unit of another quantity.
        const auto badUnit = TopicMap::parse(
            R"({"points": [{"topic": "a", "point": "p", "unit": "furlongs"}]})", "m.json");
        QVERIFY(!badUnit.ok());
        QCOMPARE(badUnit.error().code, ErrorCode::UnknownUnit);
        QCOMPARE(badUnit.error().where, std::string("m.json: /points/0/unit"));
        QVERIFY(contains(badUnit.error().message, "furlongs"));
        const auto mismatch = TopicMap::parse(
            R"({"points": [{"topic": "a", "point": "p", "unit": "ppm", "point_unit": "°C"}]})",
            "m.json");
        QVERIFY(!mismatch.ok());
        QCOMPARE(mismatch.error().code, ErrorCode::UnitMismatch);

        // Bad filter.
        const auto badFilter =
            TopicMap::parse("{\"points\": [{\"topic\": \"a/#/b\", \"point\": \"p\"}]}", "m.json");
        QVERIFY(!badFilter.ok());
        QCOMPARE(badFilter.error().where, std::string("m.json: /points/0/topic"));
        QVERIFY(contains(badFilter.error().message, "not the last level"));

        // Placeholders without wildcards to fill them.
        const auto noPlus =
            TopicMap::parse(R"({"points": [{"topic": "a/+", "point": "p{2}"}]})", "m.json");
        QVERIFY(!noPlus.ok());
        QCOMPARE(noPlus.error().where, std::string("m.json: /points/0/point"));
        const auto noHash =
            TopicMap::parse("{\"points\": [{\"topic\": \"a/+\", \"point\": \"p{#}\"}]}", "m");
        QVERIFY(!noHash.ok());
        QVERIFY(!TopicMap::parse(R"({"points": [{"topic": "a/+", "point": "p{0}"}]})", "m").ok());
        QVERIFY(TopicMap::parse(R"({"points": [{"topic": "a/+", "point": "p{x}"}]})", "m").ok());

        // Types and ranges.
        auto failsAt = [](const char* json, const char* where) {
            const auto r = TopicMap::parse(json, "m");
            return !r.ok() && r.error().where == where;
        };
        QVERIFY(
            failsAt(R"({"points": [{"topic": "a", "point": "p", "qos": 3}]})", "m: /points/0/qos"));
        QVERIFY(failsAt(R"({"points": [{"topic": "a", "point": "p", "interval_s": 0}]})",
                        "m: /points/0/interval_s"));
        QVERIFY(failsAt(R"({"points": [{"topic": "a", "point": "p", "min": "x"}]})",
                        "m: /points/0/min"));
        QVERIFY(failsAt(R"({"points": [{"topic": "a", "point": "p", "min": 9, "max": 1}]})",
                        "m: /points/0/min"));
        QVERIFY(failsAt(R"({"points": [{"topic": "a", "point": "p", "format": "xml"}]})",
                        "m: /points/0/format"));
        QVERIFY(failsAt(R"({"points": [{"topic": "a", "point": "p", "value": "t"}]})",
                        "m: /points/0/value"));
        QVERIFY(failsAt(R"({"points": [{"topic": "a", "point": "p", "format": "json",
                            "value": "/a/~2"}]})",
                        "m: /points/0/value"));
        QVERIFY(failsAt(R"({"points": [{"topic": "a", "point": "p", "command_topic": "a/+"}]})",
                        "m: /points/0/command_topic"));
        QVERIFY(failsAt(R"({"points": [{"topic": "a/+", "point": "p{1}",
                            "command_topic": "a/{2}/set"}]})",
                        "m: /points/0/command_topic"));
        QVERIFY(failsAt(R"({"points": [{"topic": "a"}]})", "m: /points/0"));
        QVERIFY(failsAt(R"({"points": {}})", "m: /points"));
        QVERIFY(failsAt(R"([1, 2])", "m: /"));
        QVERIFY(failsAt(R"({"points": [{"topic": "a", "point": "p", "state_topic": "a+"}]})",
                        "m: /points/0/state_topic"));
    }

    void addValidates()
    {
        TopicMap map;
        const auto bad = map.add(binding("a/#/b", "p"));
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().where, std::string("binding 'a/#/b': topic"));
        QVERIFY(map.empty());
        TopicBinding noPoint = binding("a", "");
        QVERIFY(!map.add(noPoint).ok());
        QVERIFY(map.empty());
        QVERIFY(map.add(binding("a", "p")).ok());
        QCOMPARE(map.size(), std::size_t{1});
    }

    void loadFromFile()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = dir.filePath("map.json").toStdString();
        {
            std::ofstream out(path);
            out << kExampleMap;
        }
        auto map = TopicMap::load(path);
        QVERIFY2(map.ok(), map.ok() ? "" : map.error().toString().c_str());
        QCOMPARE(map->size(), std::size_t{3});
        {
            std::ofstream out(path);
            out << R"({"points": [{"topic": "a", "point": "p", "qos": 9}]})";
        }
        const auto bad = TopicMap::load(path);
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().where, path + ": /points/0/qos");
        const auto missing = TopicMap::load(dir.filePath("nope.json").toStdString());
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().code, ErrorCode::IoError);
        QVERIFY(contains(missing.error().where, "nope.json"));
    }
};

TWINDESK_TEST(TestTopicMap)
#include "tst_topic_map.moc"
