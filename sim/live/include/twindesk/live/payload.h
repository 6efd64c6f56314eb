#pragma once
/// \file payload.h
/// Decoding one MQTT payload into one value of a twin point, or rejecting it with a reason.
///
/// The decoder is on the ingest path of the live connector: it never throws (short of
/// std::bad_alloc), never touches the network or a clock, and is safe to call concurrently.
/// Every accepted value is finite, within ±DecodeOptions::maxMagnitude, inside the binding's
/// min/max and in the point's unit.
///
/// Rules (format reference with examples: docs/live.md, section "Topic map"):
///   - A payload longer than DecodeOptions::maxPayloadBytes is rejected (TooLarge) unread.
///   - Plain: the payload, trimmed of ASCII whitespace, is a decimal number ("21.5", "-3e2",
///     "+4") or one of the boolean words on/off, true/false, open/closed (compared ignoring
///     ASCII case: "ON", "Off", "TRUE", "Closed") which give 1 and 0. "nan", "inf",
///     "infinity" (any case, any sign) are NonFinite; anything else is NotANumber.
///   - Json: the payload is parsed as JSON; TopicBinding::valueKey picks the value (a
///     top-level key, or a JSON pointer when it starts with '/'; empty: the whole payload).
///     A JSON number is the value; true/false give 1/0; a string is read by the plain rules
///     ("21.5", "ON"); null is Empty (a device with no reading yet); an object or array is
///     NotANumber.
///   - Units: the payload's unit is the message's TopicBinding::unitKey field when present,
///     else TopicBinding::unit. When both it and the point's unit are set, the value is
///     converted with twin::convert. Boolean words and JSON booleans are not converted (1/0
///     in any unit). An unknown unit, or one of another quantity, is WrongUnit.
///   - Finally the value is checked against ±maxMagnitude (TooLarge) and the binding's min/max
///     in the point's unit (OutOfRange).

#include <twindesk/live/topic_map.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace twindesk::live {

/// Why a payload was not accepted. Persist by rejectionName(), not by value.
enum class RejectReason : std::uint8_t {
    Empty,         ///< no bytes, only whitespace, an empty string or JSON null
    NotANumber,    ///< text that is neither a number nor a boolean word; an object/array
    NonFinite,     ///< NaN or ±infinity, as text ("nan", "inf") or after conversion
    OutOfRange,    ///< outside the binding's min/max (in the point's unit)
    TooLarge,      ///< payload over the byte limit, or |value| > maxMagnitude
    MalformedJson, ///< Json format and the payload is not valid JSON
    MissingField,  ///< the value key/pointer is absent (or the payload is no JSON object)
    WrongUnit,     ///< unknown unit, or one that does not convert to the point's unit
    UnknownTopic,  ///< no binding for the topic (never returned by decodePayload)
};

/// Every RejectReason in declaration order.
inline constexpr std::array kAllRejectReasons{
    RejectReason::Empty,        RejectReason::NotANumber, RejectReason::NonFinite,
    RejectReason::OutOfRange,   RejectReason::TooLarge,   RejectReason::MalformedJson,
    RejectReason::MissingField, RejectReason::WrongUnit,  RejectReason::UnknownTopic,
};
inline constexpr std::size_t kRejectReasonCount = kAllRejectReasons.size();

/// Stable snake_case name: "empty", "not_a_number", "non_finite", "out_of_range",
/// "too_large", "malformed_json", "missing_field", "wrong_unit", "unknown_topic".
std::string_view rejectionName(RejectReason reason);

/// Limits of the decoder.
struct DecodeOptions
{
    std::size_t maxPayloadBytes = 64 * 1024; ///< longer payloads are TooLarge
    double maxMagnitude = 1e12;              ///< |value| above this (before or after
                                             ///< conversion) is TooLarge
};

/// Either a value or a rejection.
struct DecodeResult
{
    /// The accepted value, finite and in the point's unit; nullopt when rejected.
    std::optional<double> value;
    /// Why it was rejected (meaningful only when !ok()).
    RejectReason reason = RejectReason::Empty;
    /// Names the topic, the point, what is wrong and the payload (escaped, at most ~60
    /// bytes: non-printable and non-ASCII bytes as \xNN); empty when accepted.
    std::string message;

    [[nodiscard]] bool ok() const { return value.has_value(); }
};

/// Decodes `payload` by the rules of `binding`. Messages name binding.topic and
/// binding.point; the target unit is binding.pointUnit.
DecodeResult decodePayload(std::string_view payload, const TopicBinding& binding,
                           const DecodeOptions& options = {});

/// Decodes a payload that arrived on `topic` and was matched by TopicMap::match(): messages
/// name `topic` and the resolved point; the target unit is match.pointUnit. A match without a
/// binding gives UnknownTopic.
DecodeResult decodePayload(std::string_view topic, std::string_view payload,
                           const TopicMatch& match, const DecodeOptions& options = {});

/// A rejection for a message on a topic no binding matches (UnknownTopic), with the same
/// message style as decodePayload().
DecodeResult unknownTopic(std::string_view topic, std::string_view payload);

/// Counts of rejections per reason. Not synchronised: one owner (the live source) updates it.
struct RejectionCounts
{
    std::array<std::uint64_t, kRejectReasonCount> byReason{};
    std::uint64_t total = 0;

    void add(RejectReason reason)
    {
        ++byReason[static_cast<std::size_t>(reason)];
        ++total;
    }
    /// Adds the reason of a rejected result; does nothing for an accepted one.
    void add(const DecodeResult& result)
    {
        if (!result.ok())
            add(result.reason);
    }
    [[nodiscard]] std::uint64_t count(RejectReason reason) const
    {
        return byReason[static_cast<std::size_t>(reason)];
    }
    /// "3 rejected: not_a_number 2, wrong_unit 1" ("0 rejected" when none).
    [[nodiscard]] std::string summary() const;
};

} // namespace twindesk::live
