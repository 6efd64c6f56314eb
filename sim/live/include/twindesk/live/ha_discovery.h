#pragma once
/// \file ha_discovery.h
/// Home Assistant MQTT discovery: reading the retained `<prefix>/<component>/[<node_id>/]
/// <object_id>/config` messages that devices and bridges (Zigbee2MQTT, Tasmota, ESPHome)
/// publish, and proposing a twin point (Brick class, topic binding) for each entity.
/// Format reference with examples: docs/live.md, section "Home Assistant discovery".
///
/// Pure functions: no network, no clock, nothing throws (short of std::bad_alloc); safe to
/// call concurrently. Only the per-entity form is read; the device-level form
/// (`<prefix>/device/<id>/config` with a `cmps` map) is reported as an error.

#include <twindesk/live/topic_map.h>
#include <twindesk/twin/result.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace twindesk::live {

/// The parts of a discovery topic.
struct DiscoveryTopic
{
    std::string prefix;    ///< "homeassistant" by default; may span several levels
    std::string component; ///< entity platform: "sensor", "binary_sensor", "climate", ...
    std::string nodeId;    ///< empty when the topic has no node_id level
    std::string objectId;
};

/// Splits a discovery topic. With `prefix` empty, any prefix is accepted: a topic of four
/// levels is `<prefix>/<component>/<object_id>/config`; with five or more levels the
/// component is the fourth level from the end when that is a known Home Assistant platform
/// (layout with node_id), else the third from the end when that is one (no node_id), else the
/// fourth from the end. With `prefix` set (one or more levels), the topic must start with it
/// and the rest must be `<component>/[<node_id>/]<object_id>/config`.
/// Errors (InvalidArgument, `where` = the topic): the last level is not "config", too few
/// levels, an empty level, or a wrong prefix.
twin::Result<DiscoveryTopic> parseDiscoveryTopic(std::string_view topic,
                                                 std::string_view prefix = {});

struct DiscoveredDevice
{
    std::vector<std::string> identifiers; ///< `identifiers`/`ids` (a string becomes one entry)
    std::string name;                     ///< `name`
    std::string manufacturer;             ///< `manufacturer`/`mf`
    std::string model;                    ///< `model`/`mdl`
};

/// One entity of a discovery message, with abbreviations and `~` expanded. Strings are empty
/// when the payload lacks the key (or has it as null).
struct DiscoveredEntity
{
    std::string component;    ///< from the topic
    std::string nodeId;       ///< from the topic; may be empty
    std::string objectId;     ///< from the topic
    std::string objectIdHint; ///< the payload's `object_id`/`obj_id` (entity id suggestion)
    std::string uniqueId;     ///< `unique_id`/`uniq_id`
    std::string name;         ///< `name`; empty for null (Home Assistant then uses the device name)
    /// Where values arrive: `state_topic`/`stat_t`. For climate: `temperature_state_topic`
    /// (else `temperature_low_state_topic`), i.e. the setpoint.
    std::string stateTopic;
    /// `command_topic`/`cmd_t`; for climate `temperature_command_topic` (else
    /// `temperature_low_command_topic`).
    std::string commandTopic;
    std::string deviceClass; ///< `device_class`/`dev_cla`
    std::string unit;        ///< `unit_of_measurement`/`unit_of_meas`, trimmed; for climate
                             ///< `temperature_unit` ("C"/"F")
    std::string stateClass;  ///< `state_class`/`stat_cla`
    /// `value_template`/`val_tpl` (else `state_value_template`/`stat_val_tpl`); for climate
    /// `temperature_state_template` (else `temperature_low_state_template`).
    std::string valueTemplate;
    /// The field the template picks, from `{{ value_json.temperature }}`,
    /// `{{ value_json['temperature'] }}` or `{{ value_json["temperature"] }}`; a JSON pointer
    /// ("/ENERGY/Power") for a chain such as `{{ value_json['ENERGY']['Power'] }}`. For a
    /// `schema: json` light without a template: "state". Empty for any other template.
    std::string valueJsonKey;
    /// `availability_topic`/`avty_t`, else the first topic of `availability`/`avty`.
    std::string availabilityTopic;
    std::string jsonAttributesTopic; ///< `json_attributes_topic`/`json_attr_t`
    /// Climate only: the measured temperature (`current_temperature_topic` and the key its
    /// template picks).
    std::string currentTemperatureTopic;
    std::string currentTemperatureJsonKey;
    /// `expire_after`/`exp_aft` in seconds (0 when absent): the sensor is stale after it.
    sim::Seconds expireAfter = 0;
    DiscoveredDevice device; ///< `device`/`dev`
    /// The unit as twin units text ("°C", "%RH", "hPa"), empty when there is no unit or the
    /// twin's table lacks it. Humidity and moisture "%" become "%RH".
    std::string twinUnit;
    /// Things a user should know that did not stop the discovery, e.g. "unit 'lqi' is not in
    /// the twin units table: values are taken as they are".
    std::vector<std::string> warnings;
};

/// One discovery message: the topic parts and the entity, or no entity when the message
/// removes it (an empty payload, or `{}`, as Home Assistant treats them).
struct DiscoveryMessage
{
    DiscoveryTopic topic;
    std::optional<DiscoveredEntity> entity;

    [[nodiscard]] bool removed() const { return !entity.has_value(); }
};

struct DiscoveryOptions
{
    /// The discovery prefix; empty accepts any (see parseDiscoveryTopic()).
    std::string prefix;
};

/// Parses a discovery message. Errors (`where` = the topic): the topic (see
/// parseDiscoveryTopic()); ParseError for malformed JSON or a payload that is not an object;
/// InvalidArgument for a key of the wrong type (the message names the key), for a missing
/// `state_topic` where the component needs one (sensor, binary_sensor, event), for an invalid
/// topic value, and for the device-level form (`cmps`).
twin::Result<DiscoveryMessage> parseDiscovery(std::string_view topic, std::string_view payload,
                                              const DiscoveryOptions& options = {});

/// The field a Home Assistant value template picks (see DiscoveredEntity::valueJsonKey);
/// empty when the template is anything else.
std::string valueJsonKeyOf(std::string_view valueTemplate);

/// The twin units text for a Home Assistant unit of measurement, given the device class;
/// nullopt when the twin table lacks it. "%" with device class humidity or moisture is "%RH".
std::optional<std::string> twinUnitFor(std::string_view haUnit, std::string_view deviceClass);

/// The Brick class (local name, Brick 1.3) for an entity: by device class — temperature →
/// Temperature_Sensor, humidity → Humidity_Sensor, carbon_dioxide → CO2_Sensor, power →
/// Electric_Power_Sensor, energy → Energy_Sensor, illuminance → Illuminance_Sensor, pressure
/// and atmospheric_pressure → Pressure_Sensor, voltage → Voltage_Sensor, current →
/// Current_Sensor, pm25 → PM2.5_Sensor, pm10 → PM10_Sensor, battery → Sensor (Brick 1.3 has
/// no battery-level class); binary_sensor occupancy, presence, motion → Occupancy_Sensor;
/// door, window, opening → Contact_Sensor. By component: climate →
/// Zone_Air_Temperature_Setpoint, light → Light_Command, switch → On_Off_Command, cover →
/// Position_Command. Anything else → Point.
std::string_view brickClassFor(const DiscoveredEntity& entity);

/// "urn:twindesk:mqtt:" + unique_id, or + node_id "/" object_id (just object_id without a
/// node) when there is no unique_id. Bytes other than ASCII letters, digits and "-._~:/" are
/// percent-encoded (so the id never holds placeholder braces).
std::string defaultPointId(const DiscoveredEntity& entity);

/// A binding for the entity's state: topic = stateTopic, Json format with valueKey =
/// valueJsonKey when the template picks a field (Plain otherwise), unit = twinUnit, pointUnit
/// empty (set it, or use TopicMap::setPointUnitResolver, to convert), commandTopic,
/// interval = expireAfter when set. `pointId` must not contain "{n}"/"{#}" placeholders.
/// Check the result with validateBinding() / TopicMap::add() (the state topic may be empty
/// for entities without one, e.g. a siren).
TopicBinding bindingFor(const DiscoveredEntity& entity, std::string pointId);

} // namespace twindesk::live
