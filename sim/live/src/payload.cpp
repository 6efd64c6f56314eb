#include <twindesk/live/payload.h>
#include "text_util.h"
#include <twindesk/twin/units.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <exception>
#include <system_error>
#include <utility>

namespace twindesk::live {

using text::pointerToken;
using text::trimmed;

namespace {

using Json = nlohmann::json;

/// How much of a payload a message quotes.
constexpr std::size_t kShownBytes = 60;

std::string escaped(std::string_view text)
{
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (out.size() >= kShownBytes) {
            out += "...";
            break;
        }
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else {
            out += "\\x";
            out += kHex[c >> 4U];
            out += kHex[c & 0xfU];
        }
    }
    return out;
}

std::string formatNumber(double v)
{
    char buffer[32];
    // Ten significant digits: "100", not the "99.99999999999997" of a °F → °C conversion.
    const auto [end, ec] =
        std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::general, 10);
    return ec == std::errc() ? std::string(buffer, end) : std::string("?");
}

bool equalsIgnoringCase(std::string_view a, std::string_view lowerB)
{
    if (a.size() != lowerB.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
        if (c != lowerB[i])
            return false;
    }
    return true;
}

/// A value read from text or JSON, before units and range.
struct Raw
{
    std::optional<RejectReason> reason; // set when rejected
    std::string what;                   // why, for the message
    double value = 0.0;
    bool boolean = false; // from a boolean word or JSON boolean: no unit conversion
};

Raw reject(RejectReason reason, std::string what)
{
    Raw r;
    r.reason = reason;
    r.what = std::move(what);
    return r;
}

/// For a from_chars result_out_of_range: true when the number is too small (rounds to 0)
/// rather than too large. `s` is a syntactically valid decimal number.
bool isUnderflow(std::string_view s)
{
    std::size_t i = 0;
    if (i < s.size() && (s[i] == '-' || s[i] == '+'))
        ++i;
    bool seenDot = false;
    bool significant = false;
    long long intDigits = 0;
    long long leadingFractionZeros = 0;
    for (; i < s.size() && s[i] != 'e' && s[i] != 'E'; ++i) {
        const char c = s[i];
        if (c == '.') {
            seenDot = true;
            continue;
        }
        if (!significant && c == '0') {
            if (seenDot)
                ++leadingFractionZeros;
            continue;
        }
        significant = true;
        if (!seenDot)
            ++intDigits;
    }
    if (!significant)
        return true;
    long long exponent = 0;
    if (i < s.size()) {
        ++i;
        bool negative = false;
        if (i < s.size() && (s[i] == '-' || s[i] == '+'))
            negative = s[i++] == '-';
        for (; i < s.size(); ++i)
            exponent = std::min(exponent * 10 + (s[i] - '0'), 1'000'000'000LL);
        if (negative)
            exponent = -exponent;
    }
    const long long order = intDigits > 0 ? intDigits - 1 : -(leadingFractionZeros + 1);
    return order + exponent < 0;
}

/// The plain rules: a number or a boolean word, surrounding whitespace ignored.
Raw readText(std::string_view text)
{
    const std::string_view s = trimmed(text);
    if (s.empty())
        return reject(RejectReason::Empty, text.empty() ? "empty payload" : "only whitespace");
    Raw r;
    for (auto [word, value] :
         {std::pair{"on", 1.0}, std::pair{"off", 0.0}, std::pair{"true", 1.0},
          std::pair{"false", 0.0}, std::pair{"open", 1.0}, std::pair{"closed", 0.0}})
        if (equalsIgnoringCase(s, word)) {
            r.value = value;
            r.boolean = true;
            return r;
        }
    std::string_view body = s;
    if (body.front() == '+') {
        body.remove_prefix(1);
        if (body.empty() || body.front() == '+' || body.front() == '-')
            return reject(RejectReason::NotANumber, "not a number");
    }
    const std::string_view magnitude = body.front() == '-' ? body.substr(1) : body;
    if (equalsIgnoringCase(magnitude, "nan") || equalsIgnoringCase(magnitude, "inf") ||
        equalsIgnoringCase(magnitude, "infinity") ||
        (magnitude.size() > 4 && equalsIgnoringCase(magnitude.substr(0, 4), "nan(")))
        return reject(RejectReason::NonFinite, "not a finite number");
    double v = 0.0;
    const char* end = body.data() + body.size();
    const auto [ptr, ec] = std::from_chars(body.data(), end, v);
    if (ec == std::errc::invalid_argument || ptr != end)
        return reject(RejectReason::NotANumber, "not a number");
    if (ec == std::errc::result_out_of_range) {
        if (!isUnderflow(body))
            return reject(RejectReason::TooLarge, "number beyond the range of a double");
        v = 0.0;
    }
    if (!std::isfinite(v))
        return reject(RejectReason::NonFinite, "not a finite number");
    r.value = v;
    return r;
}

std::string_view jsonTypeName(const Json& j)
{
    switch (j.type()) {
    case Json::value_t::object:
        return "an object";
    case Json::value_t::array:
        return "an array";
    case Json::value_t::string:
        return "a string";
    case Json::value_t::boolean:
        return "a boolean";
    case Json::value_t::null:
        return "null";
    default:
        return "a number";
    }
}

/// The JSON rules; `unitOut` receives the message's unit_key value when present.
Raw readJson(std::string_view payload, const TopicBinding& binding, std::string& unitOut,
             bool& unitKeyFound)
{
    Json doc;
    try {
        doc = Json::parse(payload.begin(), payload.end());
    } catch (const Json::parse_error& e) {
        return reject(RejectReason::MalformedJson,
                      "malformed JSON (at byte " + std::to_string(e.byte) + ")");
    } catch (const Json::out_of_range&) {
        // nlohmann refuses numbers that overflow a double ("1e400").
        return reject(RejectReason::TooLarge, "a JSON number beyond the range of a double");
    } catch (const std::exception&) {
        return reject(RejectReason::MalformedJson, "malformed JSON");
    }

    if (!binding.unitKey.empty() && doc.is_object()) {
        if (const auto it = doc.find(binding.unitKey); it != doc.end()) {
            unitKeyFound = true;
            if (!it->is_string())
                return reject(RejectReason::WrongUnit,
                              "the unit field '" + binding.unitKey + "' is " +
                                  std::string(jsonTypeName(*it)) + ", not a unit text");
            unitOut = it->get<std::string>();
        }
    }

    const Json* value = &doc;
    const std::string& key = binding.valueKey;
    if (!key.empty() && key.front() == '/') {
        try {
            const Json::json_pointer pointer(key);
            if (!doc.contains(pointer))
                return reject(RejectReason::MissingField, "no value at JSON pointer '" + key + "'");
            value = &doc.at(pointer);
        } catch (const std::exception&) {
            return reject(RejectReason::MissingField, "no value at JSON pointer '" + key + "'");
        }
    } else if (!key.empty()) {
        if (!doc.is_object())
            return reject(RejectReason::MissingField, "the payload is " +
                                                          std::string(jsonTypeName(doc)) +
                                                          ", not an object with key '" + key + "'");
        const auto it = doc.find(key);
        if (it == doc.end())
            return reject(RejectReason::MissingField, "no key '" + key + "'");
        value = &*it;
    }

    Raw r;
    switch (value->type()) {
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
        r.value = value->get<double>();
        if (!std::isfinite(r.value))
            return reject(RejectReason::NonFinite, "not a finite number");
        return r;
    case Json::value_t::boolean:
        r.value = value->get<bool>() ? 1.0 : 0.0;
        r.boolean = true;
        return r;
    case Json::value_t::string: {
        Raw text = readText(value->get_ref<const std::string&>());
        if (text.reason && text.what == "empty payload")
            text.what = "empty string";
        return text;
    }
    case Json::value_t::null:
        return reject(RejectReason::Empty, "the value is null (no reading)");
    default:
        return reject(RejectReason::NotANumber,
                      "the value is " + std::string(jsonTypeName(*value)) + ", not a number");
    }
}

DecodeResult rejected(RejectReason reason, std::string_view topic, std::string_view point,
                      const std::string& what, std::string_view payload)
{
    DecodeResult result;
    result.reason = reason;
    result.message = "topic '" + escaped(topic) + "'";
    if (!point.empty())
        result.message += ", point '" + std::string(point) + "'";
    result.message += ": " + what + " [" + std::string(rejectionName(reason)) + "]; payload \"" +
                      escaped(payload) + "\" (" + std::to_string(payload.size()) +
                      (payload.size() == 1 ? " byte)" : " bytes)");
    return result;
}

DecodeResult decode(std::string_view payload, const TopicBinding& binding, std::string_view topic,
                    std::string_view point, std::string_view pointUnit,
                    const DecodeOptions& options)
{
    auto fail = [&](RejectReason reason, const std::string& what) {
        return rejected(reason, topic, point, what, payload);
    };
    if (payload.size() > options.maxPayloadBytes)
        return fail(RejectReason::TooLarge, "payload larger than the limit of " +
                                                std::to_string(options.maxPayloadBytes) + " bytes");
    if (trimmed(payload).empty())
        return fail(RejectReason::Empty, payload.empty() ? "empty payload" : "only whitespace");

    std::string messageUnit;
    bool unitKeyFound = false;
    const Raw raw = binding.format == PayloadFormat::Json
                        ? readJson(payload, binding, messageUnit, unitKeyFound)
                        : readText(payload);
    if (raw.reason)
        return fail(*raw.reason, raw.what);
    if (std::fabs(raw.value) > options.maxMagnitude)
        return fail(RejectReason::TooLarge, formatNumber(raw.value) + " exceeds the plausible " +
                                                "magnitude " + formatNumber(options.maxMagnitude));

    double value = raw.value;
    const std::string_view unitText =
        unitKeyFound ? std::string_view(messageUnit) : std::string_view(binding.unit);
    if (!raw.boolean && !trimmed(unitText).empty()) {
        const auto from = twin::findUnit(unitText);
        if (!from)
            return fail(RejectReason::WrongUnit, "unknown unit '" + escaped(unitText) + "'");
        if (!pointUnit.empty()) {
            const auto to = twin::findUnit(pointUnit);
            if (!to)
                return fail(RejectReason::WrongUnit,
                            "the point's unit '" + std::string(pointUnit) + "' is unknown");
            const auto converted = twin::convert(value, **from, **to);
            if (!converted)
                return fail(RejectReason::WrongUnit, converted.error().message);
            value = *converted;
            if (!std::isfinite(value))
                return fail(RejectReason::NonFinite, "not finite after unit conversion");
            if (std::fabs(value) > options.maxMagnitude)
                return fail(RejectReason::TooLarge, formatNumber(value) + " " +
                                                        std::string((*to)->symbol) +
                                                        " exceeds the plausible magnitude " +
                                                        formatNumber(options.maxMagnitude));
        }
    }

    if ((binding.min && value < *binding.min) || (binding.max && value > *binding.max)) {
        const std::string unit = pointUnit.empty() ? std::string() : " " + std::string(pointUnit);
        return fail(RejectReason::OutOfRange,
                    formatNumber(value) + unit + " is outside the plausible range " +
                        (binding.min ? formatNumber(*binding.min) : std::string("-inf")) + " ... " +
                        (binding.max ? formatNumber(*binding.max) : std::string("+inf")) + unit);
    }
    DecodeResult result;
    result.value = value;
    return result;
}

} // namespace

std::string_view rejectionName(RejectReason reason)
{
    switch (reason) {
    case RejectReason::Empty:
        return "empty";
    case RejectReason::NotANumber:
        return "not_a_number";
    case RejectReason::NonFinite:
        return "non_finite";
    case RejectReason::OutOfRange:
        return "out_of_range";
    case RejectReason::TooLarge:
        return "too_large";
    case RejectReason::MalformedJson:
        return "malformed_json";
    case RejectReason::MissingField:
        return "missing_field";
    case RejectReason::WrongUnit:
        return "wrong_unit";
    case RejectReason::UnknownTopic:
        return "unknown_topic";
    }
    return "unknown";
}

DecodeResult decodePayload(std::string_view payload, const TopicBinding& binding,
                           const DecodeOptions& options)
{
    return decode(payload, binding, binding.topic, binding.point, binding.pointUnit, options);
}

DecodeResult decodePayload(std::string_view topic, std::string_view payload,
                           const TopicMatch& match, const DecodeOptions& options)
{
    if (!match.binding)
        return unknownTopic(topic, payload);
    return decode(payload, *match.binding, topic, match.point, match.pointUnit, options);
}

DecodeResult unknownTopic(std::string_view topic, std::string_view payload)
{
    return rejected(RejectReason::UnknownTopic, topic, {}, "no topic-map entry matches this topic",
                    payload);
}

std::string RejectionCounts::summary() const
{
    std::string out = std::to_string(total) + " rejected";
    bool first = true;
    for (RejectReason r : kAllRejectReasons) {
        if (count(r) == 0)
            continue;
        out += first ? ": " : ", ";
        out += std::string(rejectionName(r)) + " " + std::to_string(count(r));
        first = false;
    }
    return out;
}

} // namespace twindesk::live
