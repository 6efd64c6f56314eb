#include <twindesk/live/ha_discovery.h>
#include "text_util.h"
#include <twindesk/twin/units.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <exception>
#include <utility>

namespace twindesk::live {

using text::pointerToken;
using text::trimmed;

namespace {

using twin::ErrorCode;
using twin::makeError;
using Json = nlohmann::json;

/// Home Assistant entity platforms that may appear as the component level.
constexpr std::array<std::string_view, 29> kComponents{"alarm_control_panel",
                                                       "binary_sensor",
                                                       "button",
                                                       "camera",
                                                       "climate",
                                                       "cover",
                                                       "device",
                                                       "device_automation",
                                                       "device_tracker",
                                                       "event",
                                                       "fan",
                                                       "humidifier",
                                                       "image",
                                                       "lawn_mower",
                                                       "light",
                                                       "lock",
                                                       "notify",
                                                       "number",
                                                       "scene",
                                                       "select",
                                                       "sensor",
                                                       "siren",
                                                       "switch",
                                                       "tag",
                                                       "text",
                                                       "update",
                                                       "vacuum",
                                                       "valve",
                                                       "water_heater"};

bool isComponent(std::string_view level)
{
    return std::find(kComponents.begin(), kComponents.end(), level) != kComponents.end();
}

struct Abbreviation
{
    std::string_view shortKey;
    std::string_view longKey;
};

/// Entity keys (homeassistant/components/mqtt/abbreviations.py, the subset TwinDesk reads or
/// passes on). Also applied to the entries of `availability` (`t` → `topic`).
constexpr std::array<Abbreviation, 56> kAbbreviations{{
    {"act_t", "action_topic"},
    {"act_tpl", "action_template"},
    {"avty", "availability"},
    {"avty_mode", "availability_mode"},
    {"avty_t", "availability_topic"},
    {"avty_tpl", "availability_template"},
    {"bri_cmd_t", "brightness_command_topic"},
    {"bri_stat_t", "brightness_state_topic"},
    {"clrm", "color_mode"},
    {"cmd_t", "command_topic"},
    {"cmd_tpl", "command_template"},
    {"curr_temp_t", "current_temperature_topic"},
    {"curr_temp_tpl", "current_temperature_template"},
    {"dev", "device"},
    {"dev_cla", "device_class"},
    {"en", "enabled_by_default"},
    {"ent_cat", "entity_category"},
    {"exp_aft", "expire_after"},
    {"frc_upd", "force_update"},
    {"ic", "icon"},
    {"json_attr_t", "json_attributes_topic"},
    {"json_attr_tpl", "json_attributes_template"},
    {"mode_cmd_t", "mode_command_topic"},
    {"mode_stat_t", "mode_state_topic"},
    {"mode_stat_tpl", "mode_state_template"},
    {"obj_id", "object_id"},
    {"pl_avail", "payload_available"},
    {"pl_not_avail", "payload_not_available"},
    {"pl_off", "payload_off"},
    {"pl_on", "payload_on"},
    {"pos_t", "position_topic"},
    {"pos_tpl", "position_template"},
    {"pr_mode_cmd_t", "preset_mode_command_topic"},
    {"pr_mode_stat_t", "preset_mode_state_topic"},
    {"pr_mode_val_tpl", "preset_mode_value_template"},
    {"pr_modes", "preset_modes"},
    {"set_pos_t", "set_position_topic"},
    {"stat_cla", "state_class"},
    {"stat_t", "state_topic"},
    {"stat_tpl", "state_template"},
    {"stat_val_tpl", "state_value_template"},
    {"sup_clrm", "supported_color_modes"},
    {"t", "topic"},
    {"temp_cmd_t", "temperature_command_topic"},
    {"temp_hi_cmd_t", "temperature_high_command_topic"},
    {"temp_hi_stat_t", "temperature_high_state_topic"},
    {"temp_hi_stat_tpl", "temperature_high_state_template"},
    {"temp_lo_cmd_t", "temperature_low_command_topic"},
    {"temp_lo_stat_t", "temperature_low_state_topic"},
    {"temp_lo_stat_tpl", "temperature_low_state_template"},
    {"temp_stat_t", "temperature_state_topic"},
    {"temp_stat_tpl", "temperature_state_template"},
    {"temp_unit", "temperature_unit"},
    {"uniq_id", "unique_id"},
    {"unit_of_meas", "unit_of_measurement"},
    {"val_tpl", "value_template"},
}};

/// Keys inside `device`/`dev`.
constexpr std::array<Abbreviation, 8> kDeviceAbbreviations{{
    {"cns", "connections"},
    {"cu", "configuration_url"},
    {"hw", "hw_version"},
    {"ids", "identifiers"},
    {"mdl", "model"},
    {"mf", "manufacturer"},
    {"sa", "suggested_area"},
    {"sw", "sw_version"},
}};

template <std::size_t N> constexpr bool allFilled(const std::array<Abbreviation, N>& table)
{
    for (const Abbreviation& a : table)
        if (a.shortKey.empty() || a.longKey.empty())
            return false;
    return true;
}
static_assert(allFilled(kAbbreviations), "kAbbreviations: fix the array size");
static_assert(allFilled(kDeviceAbbreviations), "kDeviceAbbreviations: fix the array size");

template <std::size_t N>
Json expandKeys(const Json& object, const std::array<Abbreviation, N>& table)
{
    Json out = Json::object();
    // Full names first, so that a full key wins over its abbreviation.
    for (const auto& [key, value] : object.items())
        out[key] = value;
    for (const auto& [key, value] : object.items())
        for (const Abbreviation& a : table)
            if (key == a.shortKey) {
                const std::string longKey(a.longKey);
                if (!object.contains(longKey))
                    out[longKey] = value;
                out.erase(key);
            }
    return out;
}

bool endsWith(std::string_view s, std::string_view suffix)
{
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

/// `~` at the start or end of a topic value stands for the base topic (the `~` key).
void expandBase(Json& value, const std::string& base)
{
    if (!value.is_string())
        return;
    std::string text = value.get<std::string>();
    if (text.empty())
        return;
    if (text.front() == '~')
        text = base + text.substr(1);
    if (!text.empty() && text.back() == '~')
        text = text.substr(0, text.size() - 1) + base;
    value = text;
}

/// Reads a string key; absent or null leaves `out` empty.
twin::Status readString(const Json& object, const char* key, std::string& out,
                        std::string_view topic)
{
    out.clear();
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return {};
    if (!it->is_string())
        return makeError(ErrorCode::InvalidArgument,
                         std::string("'") + key + "' must be a string, found " + it->dump(),
                         std::string(topic));
    out = it->get<std::string>();
    return {};
}

std::string joinLevels(const std::vector<std::string_view>& levels, std::size_t from,
                       std::size_t to)
{
    std::string out;
    for (std::size_t i = from; i < to; ++i) {
        if (i > from)
            out += '/';
        out += levels[i];
    }
    return out;
}

} // namespace

twin::Result<DiscoveryTopic> parseDiscoveryTopic(std::string_view topic, std::string_view prefix)
{
    const std::string where(topic);
    auto fail = [&](const std::string& message) {
        return makeError(ErrorCode::InvalidArgument,
                         message + "; a discovery topic is "
                                   "<prefix>/<component>/[<node_id>/]<object_id>/config",
                         where);
    };
    if (topic.find_first_of("+#") != std::string_view::npos)
        return fail("wildcards in a discovery topic");
    std::vector<std::string_view> levels;
    std::size_t start = 0;
    while (true) {
        const std::size_t end = topic.find('/', start);
        levels.push_back(topic.substr(start, end == std::string_view::npos ? end : end - start));
        if (end == std::string_view::npos)
            break;
        start = end + 1;
    }
    if (levels.back() != "config")
        return fail("the last level is not 'config'");
    if (std::any_of(levels.begin(), levels.end(), [](std::string_view l) { return l.empty(); }))
        return fail("an empty level");

    DiscoveryTopic out;
    std::size_t componentIndex = 0;
    bool hasNode = false;
    const std::size_t n = levels.size();
    if (!prefix.empty()) {
        const std::string wanted = std::string(prefix) + "/";
        if (topic.substr(0, wanted.size()) != wanted)
            return fail("the topic does not start with the discovery prefix '" +
                        std::string(prefix) + "'");
        const auto prefixLevels =
            static_cast<std::size_t>(std::count(prefix.begin(), prefix.end(), '/')) + 1;
        const std::size_t rest = n - prefixLevels;
        if (rest != 3 && rest != 4)
            return fail("expected 3 or 4 levels after the prefix, found " + std::to_string(rest));
        componentIndex = prefixLevels;
        hasNode = rest == 4;
    } else if (n < 4) {
        return fail("too few levels");
    } else if (n == 4) {
        componentIndex = 1;
    } else if (isComponent(levels[n - 4])) {
        componentIndex = n - 4;
        hasNode = true;
    } else if (isComponent(levels[n - 3])) {
        componentIndex = n - 3;
    } else {
        componentIndex = n - 4;
        hasNode = true;
    }
    out.prefix = joinLevels(levels, 0, componentIndex);
    out.component = std::string(levels[componentIndex]);
    if (hasNode)
        out.nodeId = std::string(levels[componentIndex + 1]);
    out.objectId = std::string(levels[n - 2]);
    return out;
}

std::string valueJsonKeyOf(std::string_view valueTemplate)
{
    std::string_view t = trimmed(valueTemplate);
    if (t.size() < 4 || t.substr(0, 2) != "{{" || t.substr(t.size() - 2) != "}}")
        return {};
    t = trimmed(t.substr(2, t.size() - 4));
    constexpr std::string_view kRoot = "value_json";
    if (t.substr(0, kRoot.size()) != kRoot)
        return {};
    t.remove_prefix(kRoot.size());
    auto isIdentStart = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    };
    auto isIdent = [&](char c) { return isIdentStart(c) || (c >= '0' && c <= '9'); };
    std::vector<std::string> keys;
    while (!t.empty()) {
        if (t.front() == '.') {
            std::size_t len = 1;
            if (len >= t.size() || !isIdentStart(t[len]))
                return {};
            while (len < t.size() && isIdent(t[len]))
                ++len;
            keys.emplace_back(t.substr(1, len - 1));
            t.remove_prefix(len);
        } else if (t.front() == '[') {
            std::string_view inner = t.substr(1);
            inner = trimmed(inner);
            if (inner.empty() || (inner.front() != '\'' && inner.front() != '"'))
                return {};
            const char quote = inner.front();
            const std::size_t close = inner.find(quote, 1);
            if (close == std::string_view::npos)
                return {};
            const std::string_view key = inner.substr(1, close - 1);
            if (key.empty() || key.find('\\') != std::string_view::npos)
                return {};
            std::string_view after = trimmed(inner.substr(close + 1));
            if (after.empty() || after.front() != ']')
                return {};
            keys.emplace_back(key);
            t = after.substr(1);
        } else {
            return {}; // a filter, an operator, arithmetic: not a plain lookup
        }
    }
    if (keys.empty())
        return {};
    if (keys.size() == 1 && keys.front().front() != '/')
        return keys.front();
    std::string pointer;
    for (const std::string& k : keys)
        pointer += "/" + pointerToken(k);
    return pointer;
}

std::optional<std::string> twinUnitFor(std::string_view haUnit, std::string_view deviceClass)
{
    const std::string_view unit = trimmed(haUnit);
    if (unit.empty())
        return std::string();
    // Home Assistant writes relative humidity as "%"; in the twin "%" is a Ratio.
    if (unit == "%" && (deviceClass == "humidity" || deviceClass == "moisture"))
        return std::string("%RH");
    const auto found = twin::findUnit(unit);
    if (!found)
        return std::nullopt;
    return std::string((*found)->symbol);
}

twin::Result<DiscoveryMessage> parseDiscovery(std::string_view topic, std::string_view payload,
                                              const DiscoveryOptions& options)
{
    auto parsedTopic = parseDiscoveryTopic(topic, options.prefix);
    if (!parsedTopic)
        return parsedTopic.error();
    DiscoveryMessage message{std::move(parsedTopic).value(), std::nullopt};
    if (payload.empty())
        return message; // removal
    const std::string where(topic);

    Json raw;
    try {
        raw = Json::parse(payload.begin(), payload.end());
    } catch (const std::exception& e) {
        const auto* parseError = dynamic_cast<const Json::parse_error*>(&e);
        return makeError(ErrorCode::ParseError,
                         "malformed JSON in the discovery payload" +
                             (parseError ? " (at byte " + std::to_string(parseError->byte) + ")"
                                         : std::string()) +
                             "; the publisher must send a JSON object, or an empty payload to "
                             "remove the entity",
                         where);
    }
    if (!raw.is_object())
        return makeError(ErrorCode::ParseError,
                         "the discovery payload is not a JSON object (found " +
                             std::string(raw.type_name()) + ")",
                         where);
    if (raw.empty())
        return message; // `{}` removes too
    const std::string& component = message.topic.component;
    if (component == "device" || raw.contains("cmps"))
        return makeError(ErrorCode::InvalidArgument,
                         "device-level discovery (one config with a 'cmps' map) is not "
                         "supported yet; configure the publisher for per-entity discovery",
                         where);

    Json e = expandKeys(raw, kAbbreviations);
    if (e.contains("availability")) {
        Json& list = e["availability"];
        if (list.is_object())
            list = Json::array({list});
        if (list.is_array())
            for (Json& entry : list)
                if (entry.is_object())
                    entry = expandKeys(entry, kAbbreviations);
    }
    if (e.contains("device") && e["device"].is_object())
        e["device"] = expandKeys(e["device"], kDeviceAbbreviations);
    if (e.contains("~")) {
        if (!e["~"].is_string())
            return makeError(ErrorCode::InvalidArgument,
                             "'~' (the base topic) must be a string, found " + e["~"].dump(),
                             where);
        const std::string base = e["~"].get<std::string>();
        for (auto& [key, value] : e.items())
            if (endsWith(key, "topic"))
                expandBase(value, base);
        if (e.contains("availability") && e["availability"].is_array())
            for (Json& entry : e["availability"])
                if (entry.is_object() && entry.contains("topic"))
                    expandBase(entry["topic"], base);
    }

    DiscoveredEntity entity;
    entity.component = component;
    entity.nodeId = message.topic.nodeId;
    entity.objectId = message.topic.objectId;

    std::string lowState;
    std::string lowCommand;
    std::string lowTemplate;
    std::string stateValueTemplate;
    std::string schema;
    std::string currentTemplate;
    for (const auto& [key, out] : std::initializer_list<std::pair<const char*, std::string*>>{
             {"object_id", &entity.objectIdHint},
             {"unique_id", &entity.uniqueId},
             {"name", &entity.name},
             {"state_topic", &entity.stateTopic},
             {"command_topic", &entity.commandTopic},
             {"device_class", &entity.deviceClass},
             {"unit_of_measurement", &entity.unit},
             {"state_class", &entity.stateClass},
             {"value_template", &entity.valueTemplate},
             {"state_value_template", &stateValueTemplate},
             {"availability_topic", &entity.availabilityTopic},
             {"json_attributes_topic", &entity.jsonAttributesTopic},
             {"schema", &schema},
         })
        if (auto s = readString(e, key, *out, topic); !s)
            return s.error();

    if (component == "climate") {
        std::string stateTopic;
        std::string commandTopic;
        std::string stateTemplate;
        for (const auto& [key, out] : std::initializer_list<std::pair<const char*, std::string*>>{
                 {"temperature_state_topic", &stateTopic},
                 {"temperature_command_topic", &commandTopic},
                 {"temperature_state_template", &stateTemplate},
                 {"temperature_low_state_topic", &lowState},
                 {"temperature_low_command_topic", &lowCommand},
                 {"temperature_low_state_template", &lowTemplate},
                 {"temperature_unit", &entity.unit},
                 {"current_temperature_topic", &entity.currentTemperatureTopic},
                 {"current_temperature_template", &currentTemplate},
             })
            if (auto s = readString(e, key, *out, topic); !s)
                return s.error();
        // The setpoint: the single target temperature, else the heating (low) one.
        const bool single = !stateTopic.empty() || !commandTopic.empty();
        entity.stateTopic = single ? stateTopic : lowState;
        entity.commandTopic = single ? commandTopic : lowCommand;
        entity.valueTemplate = single ? stateTemplate : lowTemplate;
        entity.currentTemperatureJsonKey = valueJsonKeyOf(currentTemplate);
    }
    if (entity.valueTemplate.empty())
        entity.valueTemplate = stateValueTemplate;
    entity.unit = std::string(trimmed(entity.unit));
    entity.valueJsonKey = valueJsonKeyOf(entity.valueTemplate);
    if (entity.valueTemplate.empty() && component == "light" && schema == "json")
        entity.valueJsonKey = "state";

    if (entity.availabilityTopic.empty() && e.contains("availability") &&
        e["availability"].is_array())
        for (const Json& entry : e["availability"]) {
            if (entry.is_object() && entry.contains("topic") && entry["topic"].is_string()) {
                entity.availabilityTopic = entry["topic"].get<std::string>();
                break;
            }
        }

    if (const auto it = e.find("expire_after"); it != e.end() && !it->is_null()) {
        if (!it->is_number() || !std::isfinite(it->get<double>()) || it->get<double>() < 0)
            return makeError(ErrorCode::InvalidArgument,
                             "'expire_after' must be a number of seconds >= 0, found " + it->dump(),
                             where);
        entity.expireAfter = static_cast<sim::Seconds>(std::ceil(it->get<double>()));
    }

    if (const auto it = e.find("device"); it != e.end() && !it->is_null()) {
        if (!it->is_object())
            return makeError(ErrorCode::InvalidArgument,
                             "'device' must be an object, found " + it->dump(), where);
        const Json& d = *it;
        if (const auto ids = d.find("identifiers"); ids != d.end()) {
            if (ids->is_string())
                entity.device.identifiers.push_back(ids->get<std::string>());
            else if (ids->is_array())
                for (const Json& id : *ids)
                    entity.device.identifiers.push_back(id.is_string() ? id.get<std::string>()
                                                                       : id.dump());
        }
        for (const auto& [key, out] : std::initializer_list<std::pair<const char*, std::string*>>{
                 {"name", &entity.device.name},
                 {"manufacturer", &entity.device.manufacturer},
                 {"model", &entity.device.model},
             })
            if (auto s = readString(d, key, *out, topic); !s)
                return makeError(s.error().code, "in 'device': " + s.error().message, where);
    }

    if (entity.stateTopic.empty() &&
        (component == "sensor" || component == "binary_sensor" || component == "event"))
        return makeError(ErrorCode::InvalidArgument,
                         "a " + component +
                             " needs a 'state_topic' ('stat_t'): without one it has no values "
                             "(Home Assistant rejects it too)",
                         where);
    for (const auto& [key, value] : std::initializer_list<std::pair<const char*, std::string*>>{
             {"state_topic", &entity.stateTopic},
             {"availability_topic", &entity.availabilityTopic},
             {"json_attributes_topic", &entity.jsonAttributesTopic},
             {"current_temperature_topic", &entity.currentTemperatureTopic}})
        if (!value->empty())
            if (auto s = validateFilter(*value); !s)
                return makeError(ErrorCode::InvalidArgument,
                                 "'" + std::string(key) + "': " + s.error().message, where);
    if (!entity.commandTopic.empty())
        if (auto s = validateTopicName(entity.commandTopic); !s)
            return makeError(ErrorCode::InvalidArgument, "'command_topic': " + s.error().message,
                             where);

    if (!entity.unit.empty()) {
        if (auto u = twinUnitFor(entity.unit, entity.deviceClass))
            entity.twinUnit = *u;
        else
            entity.warnings.push_back("unit '" + entity.unit +
                                      "' is not in the twin units table: values are taken as "
                                      "they are, without conversion");
    } else if (component == "climate") {
        entity.warnings.push_back("no 'temperature_unit': Home Assistant assumes its system "
                                  "unit; values are taken without conversion");
    }
    if (!entity.valueTemplate.empty() && entity.valueJsonKey.empty())
        entity.warnings.push_back("the value template is not a plain value_json lookup; the "
                                  "payload is read as a plain value");

    message.entity = std::move(entity);
    return message;
}

std::string_view brickClassFor(const DiscoveredEntity& entity)
{
    const std::string& c = entity.component;
    const std::string& d = entity.deviceClass;
    if (c == "climate")
        return "Zone_Air_Temperature_Setpoint";
    if (c == "light")
        return "Light_Command";
    if (c == "switch")
        return "On_Off_Command";
    if (c == "cover")
        return "Position_Command";
    if (c == "binary_sensor") {
        if (d == "occupancy" || d == "presence" || d == "motion")
            return "Occupancy_Sensor";
        if (d == "door" || d == "window" || d == "opening" || d == "garage_door")
            return "Contact_Sensor";
        return "Point";
    }
    if (c == "number" && d == "temperature")
        return "Temperature_Setpoint";
    if (c != "sensor")
        return "Point";
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 15> kByClass{{
        {"temperature", "Temperature_Sensor"},
        {"humidity", "Humidity_Sensor"},
        {"carbon_dioxide", "CO2_Sensor"},
        {"power", "Electric_Power_Sensor"},
        {"energy", "Energy_Sensor"},
        {"illuminance", "Illuminance_Sensor"},
        {"pressure", "Pressure_Sensor"},
        {"atmospheric_pressure", "Pressure_Sensor"},
        {"voltage", "Voltage_Sensor"},
        {"current", "Current_Sensor"},
        {"pm25", "PM2.5_Sensor"},
        {"pm10", "PM10_Sensor"},
        {"volatile_organic_compounds", "TVOC_Sensor"},
        {"volatile_organic_compounds_parts", "TVOC_Sensor"},
        {"battery", "Sensor"},
    }};
    for (const auto& [deviceClass, brick] : kByClass)
        if (d == deviceClass)
            return brick;
    return "Point";
}

std::string defaultPointId(const DiscoveredEntity& entity)
{
    const std::string id = !entity.uniqueId.empty() ? entity.uniqueId
                           : entity.nodeId.empty()  ? entity.objectId
                                                    : entity.nodeId + "/" + entity.objectId;
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out = "urn:twindesk:mqtt:";
    for (const char ch : id) {
        const auto c = static_cast<unsigned char>(ch);
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~' ||
                           c == ':' || c == '/';
        if (plain) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4U];
            out += kHex[c & 0xfU];
        }
    }
    return out;
}

TopicBinding bindingFor(const DiscoveredEntity& entity, std::string pointId)
{
    TopicBinding b;
    b.topic = entity.stateTopic;
    b.point = std::move(pointId);
    b.format = entity.valueJsonKey.empty() ? PayloadFormat::Plain : PayloadFormat::Json;
    b.valueKey = entity.valueJsonKey;
    b.unit = entity.twinUnit;
    b.commandTopic = entity.commandTopic;
    if (entity.expireAfter > 0)
        b.interval = entity.expireAfter;
    return b;
}

} // namespace twindesk::live
