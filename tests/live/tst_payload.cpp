// Payload decoding: every rejection reason, units, booleans, JSON selection, and a fuzz run.
#include "test_registry.h"

#include <twindesk/live/payload.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <set>
#include <string>

using namespace twindesk::live;

namespace {

TopicBinding plain(std::string unit = {}, std::string pointUnit = {})
{
    TopicBinding b;
    b.topic = "bms/room_101/zat";
    b.point = "urn:x#room_101_zat";
    b.unit = std::move(unit);
    b.pointUnit = std::move(pointUnit);
    return b;
}

TopicBinding json(std::string valueKey, std::string unit = {}, std::string pointUnit = {})
{
    TopicBinding b = plain(std::move(unit), std::move(pointUnit));
    b.topic = "z2m/weather_sensor";
    b.point = "urn:x#ws_t";
    b.format = PayloadFormat::Json;
    b.valueKey = std::move(valueKey);
    return b;
}

double valueOf(const DecodeResult& r)
{
    return r.value.value_or(std::nan(""));
}

bool near(double a, double b)
{
    return std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(b));
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

} // namespace

class TestPayload : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void plainNumbers()
    {
        QCOMPARE(valueOf(decodePayload("21.5", plain())), 21.5);
        QCOMPARE(valueOf(decodePayload("  -3e2\r\n", plain())), -300.0);
        QCOMPARE(valueOf(decodePayload("+4", plain())), 4.0);
        QCOMPARE(valueOf(decodePayload("0", plain())), 0.0);
        QCOMPARE(valueOf(decodePayload("1e-400", plain())), 0.0); // underflow rounds to 0
        const auto ok = decodePayload("400", plain());
        QVERIFY(ok.ok());
        QVERIFY(ok.message.empty());
    }

    void booleanWords()
    {
        // Booleans are 1/0 and never converted, even between temperature units.
        const TopicBinding b = plain("degF", "°C");
        for (const char* on : {"ON", "on", "On", "true", "TRUE", "open", " Open\n"})
            QCOMPARE(valueOf(decodePayload(on, b)), 1.0);
        for (const char* off : {"OFF", "off", "false", "False", "closed", "CLOSED"})
            QCOMPARE(valueOf(decodePayload(off, b)), 0.0);
        QCOMPARE(decodePayload("yes", b).reason, RejectReason::NotANumber);
        QCOMPARE(decodePayload("close", b).reason, RejectReason::NotANumber);
    }

    void emptyPayloads()
    {
        for (const char* p : {"", "   ", "\t\n"}) {
            const auto r = decodePayload(p, plain());
            QVERIFY(!r.ok());
            QCOMPARE(r.reason, RejectReason::Empty);
        }
        QCOMPARE(decodePayload("", json("temperature")).reason, RejectReason::Empty);
        QCOMPARE(decodePayload(R"({"temperature": ""})", json("temperature")).reason,
                 RejectReason::Empty);
        QCOMPARE(decodePayload(R"({"temperature": null})", json("temperature")).reason,
                 RejectReason::Empty);
    }

    void notANumber()
    {
        for (const char* p : {"abc", "12abc", "1,5", "0x10", "++1", "--1", "+-1", "1e", "."})
            QVERIFY2(decodePayload(p, plain()).reason == RejectReason::NotANumber, p);
        QCOMPARE(decodePayload(R"({"temperature": {"v": 1}})", json("temperature")).reason,
                 RejectReason::NotANumber);
        QCOMPARE(decodePayload("[1]", json("")).reason, RejectReason::NotANumber);
        QCOMPARE(decodePayload(R"({"temperature": "warm"})", json("temperature")).reason,
                 RejectReason::NotANumber);
    }

    void nonFinite()
    {
        for (const char* p : {"nan", "NaN", "NAN", "-nan", "+nan", "inf", "-inf", "Infinity",
                              "-INFINITY", "nan(0x1)"})
            QVERIFY2(decodePayload(p, plain()).reason == RejectReason::NonFinite, p);
        QCOMPARE(decodePayload(R"({"temperature": "NaN"})", json("temperature")).reason,
                 RejectReason::NonFinite);
    }

    void tooLarge()
    {
        QCOMPARE(decodePayload("1e13", plain()).reason, RejectReason::TooLarge);
        QCOMPARE(decodePayload("-2e12", plain()).reason, RejectReason::TooLarge);
        QVERIFY(decodePayload("1e12", plain()).ok()); // the limit itself is accepted
        QCOMPARE(decodePayload("1e400", plain()).reason, RejectReason::TooLarge);
        QCOMPARE(decodePayload(R"({"temperature": 1e400})", json("temperature")).reason,
                 RejectReason::TooLarge);
        QCOMPARE(decodePayload(R"({"temperature": 5e12})", json("temperature")).reason,
                 RejectReason::TooLarge);
        // The byte limit applies before anything is parsed.
        const std::string huge(70 * 1024, ' ');
        const auto r = decodePayload(huge + "1", plain());
        QCOMPARE(r.reason, RejectReason::TooLarge);
        QVERIFY(contains(r.message, "65536"));
        DecodeOptions tight;
        tight.maxPayloadBytes = 4;
        QCOMPARE(decodePayload("12345", plain(), tight).reason, RejectReason::TooLarge);
        QVERIFY(decodePayload("1234", plain(), tight).ok());
        // A conversion can carry a value past the magnitude limit.
        QCOMPARE(decodePayload("9e11", plain("kW", "W")).reason, RejectReason::TooLarge);
    }

    void outOfRange()
    {
        TopicBinding b = plain();
        b.min = 5;
        b.max = 35;
        QVERIFY(decodePayload("35", b).ok());
        QVERIFY(decodePayload("5", b).ok());
        QCOMPARE(decodePayload("35.01", b).reason, RejectReason::OutOfRange);
        QCOMPARE(decodePayload("4.9", b).reason, RejectReason::OutOfRange);
        // The range is in the point's unit: checked after conversion.
        b.unit = "degF";
        b.pointUnit = "°C";
        QVERIFY(near(valueOf(decodePayload("68", b)), 20.0));
        const auto hot = decodePayload("212", b);
        QCOMPARE(hot.reason, RejectReason::OutOfRange);
        QVERIFY(contains(hot.message, "100 °C"));
        QVERIFY(contains(hot.message, "5 ... 35"));
        TopicBinding onlyMax = plain();
        onlyMax.max = 1;
        QVERIFY(decodePayload("-1e6", onlyMax).ok());
        QCOMPARE(decodePayload("2", onlyMax).reason, RejectReason::OutOfRange);
    }

    void conversions()
    {
        QVERIFY(near(valueOf(decodePayload("68", plain("degF", "°C"))), 20.0));
        QVERIFY(near(valueOf(decodePayload("-40", plain("°F", "°C"))), -40.0));
        QVERIFY(near(valueOf(decodePayload("1500", plain("W", "kW"))), 1.5));
        QVERIFY(near(valueOf(decodePayload("1.5", plain("kWh", "kWh"))), 1.5));
        // No point unit: the value is taken as it is.
        QCOMPARE(valueOf(decodePayload("68", plain("degF", ""))), 68.0);
        // No payload unit: the value is already in the point's unit.
        QCOMPARE(valueOf(decodePayload("21", plain("", "°C"))), 21.0);
    }

    void wrongUnit()
    {
        QCOMPARE(decodePayload("21", plain("furlongs", "°C")).reason, RejectReason::WrongUnit);
        QCOMPARE(decodePayload("21", plain("furlongs", "")).reason, RejectReason::WrongUnit);
        const auto mismatch = decodePayload("400", plain("ppm", "°C"));
        QCOMPARE(mismatch.reason, RejectReason::WrongUnit);
        QVERIFY(contains(mismatch.message, "ppm"));
        QCOMPARE(decodePayload("21", plain("°C", "bogus")).reason, RejectReason::WrongUnit);
    }

    void jsonSelection()
    {
        QCOMPARE(
            valueOf(decodePayload(R"({"temperature": 22.1, "humidity": 40})", json("temperature"))),
            22.1);
        QCOMPARE(
            valueOf(decodePayload(R"({"sensors": [{"t": 1}, {"t": 21.5}]})", json("/sensors/1/t"))),
            21.5);
        QCOMPARE(valueOf(decodePayload(R"({"a/b": 3})", json("/a~1b"))), 3.0);
        QCOMPARE(valueOf(decodePayload("21", json(""))), 21.0);
        QCOMPARE(valueOf(decodePayload(R"("21.5")", json(""))), 21.5);
        QCOMPARE(valueOf(decodePayload(R"({"temperature": "22.5"})", json("temperature"))), 22.5);
        QCOMPARE(valueOf(decodePayload(R"({"temperature": " 7 "})", json("temperature"))), 7.0);
        QCOMPARE(valueOf(decodePayload(R"({"state": "ON"})", json("state"))), 1.0);
        QCOMPARE(valueOf(decodePayload(R"({"occupied": true})", json("occupied"))), 1.0);
        QCOMPARE(valueOf(decodePayload(R"({"occupied": false})", json("occupied"))), 0.0);
        QCOMPARE(valueOf(decodePayload("true", json(""))), 1.0);
        QCOMPARE(valueOf(decodePayload(R"({"n": 123})", json("n"))), 123.0);   // unsigned
        QCOMPARE(valueOf(decodePayload(R"({"n": -123})", json("n"))), -123.0); // signed
        QCOMPARE(decodePayload(R"({"n": 18446744073709551615})", json("n")).reason,
                 RejectReason::TooLarge);
    }

    void missingField()
    {
        const auto r = decodePayload(R"({"humidity": 40})", json("temperature"));
        QCOMPARE(r.reason, RejectReason::MissingField);
        QVERIFY(contains(r.message, "temperature"));
        QCOMPARE(decodePayload("5", json("temperature")).reason, RejectReason::MissingField);
        QCOMPARE(decodePayload(R"({"a": {"c": 1}})", json("/a/b")).reason,
                 RejectReason::MissingField);
        QCOMPARE(decodePayload(R"({"a": [1]})", json("/a/5")).reason, RejectReason::MissingField);
        QCOMPARE(decodePayload(R"({"a": [1]})", json("/a/x")).reason, RejectReason::MissingField);
    }

    void malformedJson()
    {
        for (const char* p : {"{", R"({"temperature":})", "not json", "{'a': 1}", "\"\xff\"",
                              R"({"a": 1} trailing)"})
            QVERIFY2(decodePayload(p, json("temperature")).reason == RejectReason::MalformedJson,
                     p);
    }

    void unitKey()
    {
        TopicBinding b = json("value", "°C", "°C");
        b.unitKey = "unit";
        QVERIFY(near(valueOf(decodePayload(R"({"value": 70, "unit": "°F"})", b)), 21.0 + 1.0 / 9));
        QCOMPARE(valueOf(decodePayload(R"({"value": 21})", b)), 21.0); // falls back to `unit`
        QCOMPARE(decodePayload(R"({"value": 1, "unit": "furlong"})", b).reason,
                 RejectReason::WrongUnit);
        QCOMPARE(decodePayload(R"({"value": 1, "unit": "ppm"})", b).reason,
                 RejectReason::WrongUnit);
        QCOMPARE(decodePayload(R"({"value": 1, "unit": 5})", b).reason, RejectReason::WrongUnit);
    }

    void messagesNameTheSource()
    {
        const auto r = decodePayload("abc", plain());
        QVERIFY(contains(r.message, "bms/room_101/zat"));
        QVERIFY(contains(r.message, "urn:x#room_101_zat"));
        QVERIFY(contains(r.message, "not_a_number"));
        QVERIFY(contains(r.message, "\"abc\""));
        // Long payloads are cut, control and non-ASCII bytes escaped.
        const std::string longPayload(200, 'x');
        const auto cut = decodePayload(longPayload, plain());
        QVERIFY(contains(cut.message, std::string(60, 'x') + "..."));
        QVERIFY(!contains(cut.message, std::string(61, 'x')));
        QVERIFY(contains(cut.message, "200 bytes"));
        const auto control = decodePayload(std::string("a\nb\x01\xc3", 5), plain());
        QVERIFY(contains(control.message, R"(a\x0ab\x01\xc3)"));

        // Through a match: the concrete topic, the resolved point and its unit.
        TopicMap map;
        TopicBinding b = plain("degF");
        b.topic = "bms/+/zat";
        b.point = "urn:x#{1}_zat";
        QVERIFY(map.add(b).ok());
        map.setPointUnitResolver([](std::string_view) { return std::string("°C"); });
        const auto m = map.match("bms/r9/zat");
        QVERIFY(m.has_value());
        QVERIFY(near(valueOf(decodePayload("bms/r9/zat", "212", *m)), 100.0));
        const auto bad = decodePayload("bms/r9/zat", "oops", *m);
        QVERIFY(contains(bad.message, "'bms/r9/zat'"));
        QVERIFY(contains(bad.message, "urn:x#r9_zat"));
    }

    void unknownTopicAndNames()
    {
        const auto r = decodePayload("nobody/listens", "1", TopicMatch{});
        QCOMPARE(r.reason, RejectReason::UnknownTopic);
        QVERIFY(contains(r.message, "nobody/listens"));
        QCOMPARE(unknownTopic("x/y", "2").reason, RejectReason::UnknownTopic);

        std::set<std::string> names;
        for (RejectReason reason : kAllRejectReasons)
            names.emplace(rejectionName(reason));
        QCOMPARE(names.size(), kRejectReasonCount);
        QCOMPARE(rejectionName(RejectReason::NotANumber), std::string_view("not_a_number"));
        QCOMPARE(rejectionName(RejectReason::MalformedJson), std::string_view("malformed_json"));
        QCOMPARE(rejectionName(RejectReason::UnknownTopic), std::string_view("unknown_topic"));
    }

    void rejectionCounts()
    {
        RejectionCounts counts;
        QCOMPARE(counts.summary(), std::string("0 rejected"));
        counts.add(decodePayload("abc", plain()));
        counts.add(decodePayload("xyz", plain()));
        counts.add(decodePayload("21", plain())); // accepted: not counted
        counts.add(RejectReason::WrongUnit);
        QCOMPARE(counts.total, std::uint64_t{3});
        QCOMPARE(counts.count(RejectReason::NotANumber), std::uint64_t{2});
        QCOMPARE(counts.count(RejectReason::WrongUnit), std::uint64_t{1});
        QCOMPARE(counts.count(RejectReason::Empty), std::uint64_t{0});
        QCOMPARE(counts.summary(), std::string("3 rejected: not_a_number 2, wrong_unit 1"));
    }

    void fuzz()
    {
        std::mt19937_64 rng(0x7d15c0ffeeULL);
        auto below = [&rng](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
        const std::string alphabet = "0123456789.-+eE nNaAiIfFtTrRuUlLsSoO{}[]\":,/\\\t\n";
        const std::string seeds[] = {R"({"value": 21.5, "unit": "°F"})", "21.5",  "ON",
                                     R"({"a": {"b": [1, 2.5e3]}})",      "-1e12", "\"7\""};
        TopicBinding ranged = json("value", "°C", "K");
        ranged.unitKey = "unit";
        ranged.min = 200;
        ranged.max = 400;
        const TopicBinding bindings[] = {plain(),       plain("degF", "°C"),       json(""),
                                         json("value"), json("/a/b/1", "W", "kW"), ranged};
        int accepted = 0;
        int rejected = 0;
        for (int i = 0; i < 4000; ++i) {
            std::string payload;
            switch (i % 3) {
            case 0: // any bytes
                payload.resize(below(80));
                for (char& c : payload)
                    c = static_cast<char>(rng() & 0xffU);
                break;
            case 1: // number- and JSON-like text
                payload.resize(below(24));
                for (char& c : payload)
                    c = alphabet[below(alphabet.size())];
                break;
            default: { // a valid payload with a few bytes changed
                payload = seeds[below(std::size(seeds))];
                const std::size_t flips = below(3);
                for (std::size_t f = 0; f < flips && !payload.empty(); ++f)
                    payload[below(payload.size())] = static_cast<char>(rng() & 0xffU);
            }
            }
            for (const TopicBinding& b : bindings) {
                const DecodeResult r = decodePayload(payload, b);
                if (r.ok()) {
                    ++accepted;
                    QVERIFY(std::isfinite(*r.value));
                    QVERIFY(std::fabs(*r.value) <= 1e12);
                    QVERIFY(!b.min || *r.value >= *b.min);
                    QVERIFY(!b.max || *r.value <= *b.max);
                } else {
                    ++rejected;
                    QVERIFY(r.reason != RejectReason::UnknownTopic);
                    QVERIFY(!r.message.empty());
                }
            }
        }
        QVERIFY(accepted > 100); // the run reaches the accepting paths too
        QVERIFY(rejected > 1000);
    }
};

TWINDESK_TEST(TestPayload)
#include "tst_payload.moc"
