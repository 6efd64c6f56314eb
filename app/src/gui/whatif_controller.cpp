#include "whatif_controller.h"

#include "assets.h"
#include "run_series.h"
#include "sweep_store.h"
#include "variant_run.h"

#include <twindesk/policies/kpi.h>
#include <twindesk/policies/policy_registry.h>
#include <twindesk/sim/engine.h>
#include <twindesk/sim/scenario.h>

#include <QDateTime>
#include <QFileInfo>
#include <QMetaObject>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

namespace twindesk::app {

namespace fs = std::filesystem;
using nlohmann::json;

struct WhatIfController::Json
{
    json value;
};

namespace {

using Clock = std::chrono::steady_clock;
using Overrides = std::vector<std::pair<std::string, std::string>>;

/// "KEY=VALUE" → (KEY, VALUE); nullopt when there is no '=' or the key is empty or has spaces.
std::optional<std::pair<std::string, std::string>> parseLine(const QString& line)
{
    const auto eq = line.indexOf(QLatin1Char('='));
    if (eq <= 0)
        return std::nullopt;
    const QString key = line.left(eq).trimmed();
    if (key.isEmpty() || key.contains(QLatin1Char(' ')))
        return std::nullopt;
    return std::pair{key.toStdString(), line.mid(eq + 1).trimmed().toStdString()};
}

std::string quoted(const std::string& text)
{
    return json(text).dump();
}

QString joinLine(const std::pair<std::string, std::string>& o)
{
    return QString::fromStdString(o.first + "=" + o.second);
}

/// "zones" when the scenario describes its zones, "building" for a Brick model or project.
std::string setpointScopeOf(const json& j)
{
    if (j.contains("zones") && j["zones"].is_array() && !j["zones"].empty())
        return "zones";
    if (j.contains("building") && j["building"].is_object())
        return "building";
    return {};
}

/// The occupied setpoint `key` of the scenario: the first explicit zone's, or the building's
/// defaults; the engine's default when the file does not say.
double setpointOf(const json& j, const char* key, double fallback)
{
    const auto scope = setpointScopeOf(j);
    const json* holder = nullptr;
    if (scope == "zones")
        holder = j["zones"][0].contains("hvac") ? &j["zones"][0]["hvac"] : nullptr;
    else if (scope == "building")
        holder = j["building"].contains("defaults") ? &j["building"]["defaults"] : nullptr;
    if (holder != nullptr && holder->is_object() && holder->contains(key) &&
        (*holder)[key].is_number())
        return (*holder)[key].get<double>();
    return fallback;
}

std::string policyNameOf(const json& j)
{
    if (!j.contains("policy") || !j["policy"].is_object())
        return {};
    const auto& p = j["policy"];
    return p.contains("name") && p["name"].is_string() ? p["name"].get<std::string>()
                                                        : std::string();
}

json policyParamsOf(const json& j)
{
    if (!j.contains("policy") || !j["policy"].is_object())
        return json::object();
    const auto& p = j["policy"];
    return p.contains("params") && p["params"].is_object() ? p["params"] : json::object();
}

std::optional<policies::PolicyDescription> describe(const std::string& name)
{
    for (auto& d : policies::availablePolicies())
        if (d.name == name)
            return d;
    return std::nullopt;
}

std::string stringAt(const json& j, std::initializer_list<const char*> path)
{
    const json* node = &j;
    for (const char* k : path) {
        if (!node->is_object() || !node->contains(k))
            return {};
        node = &(*node)[k];
    }
    return node->is_string() ? node->get<std::string>() : std::string();
}

std::string calendarOf(const json& j)
{
    if (!j.contains("calendars") || !j["calendars"].is_array() || j["calendars"].empty())
        return {};
    return stringAt(j["calendars"][0], {"file"});
}

/// A parameter's value as QML shows it: numbers, booleans, text ("uses": comma-separated).
QVariant toVariant(const json& v)
{
    if (v.is_boolean())
        return v.get<bool>();
    if (v.is_number_integer())
        return static_cast<qlonglong>(v.get<std::int64_t>());
    if (v.is_number())
        return v.get<double>();
    if (v.is_string())
        return QString::fromStdString(v.get<std::string>());
    if (v.is_array()) {
        QStringList items;
        for (const auto& item : v)
            items.push_back(item.is_string() ? QString::fromStdString(item.get<std::string>())
                                             : QString::fromStdString(item.dump()));
        return items.join(QStringLiteral(", "));
    }
    return {};
}

/// A QML value converted to the parameter's type; nullopt when it does not fit.
std::optional<json> fromVariant(const QVariant& value, const std::string& type)
{
    bool ok = false;
    if (type == "number") {
        const double d = value.toDouble(&ok);
        return ok && std::isfinite(d) ? std::optional<json>(d) : std::nullopt;
    }
    if (type == "integer" || type == "seconds") {
        const double d = value.toDouble(&ok);
        if (!ok || !std::isfinite(d) || (type == "seconds" && d < 0))
            return std::nullopt;
        return json(static_cast<std::int64_t>(std::llround(d)));
    }
    if (type == "boolean")
        return json(value.toBool());
    if (type == "uses") {
        json list = json::array();
        const QStringList items = value.canConvert<QStringList>() && value.typeId() != QMetaType::QString
                                      ? value.toStringList()
                                      : value.toString().split(QLatin1Char(','));
        for (const auto& item : items)
            if (!item.trimmed().isEmpty())
                list.push_back(item.trimmed().toStdString());
        return list;
    }
    return json(value.toString().toStdString());
}

/// Makes the scenario's relative file references relative to `to` (they were relative to
/// `from`); `${anchors}` and absolute paths stay. The keys that hold paths are those of
/// docs/scenarios.md: weather, building.brick/project, calendars[].file, compute.traces, and
/// the rules policy's `file` and consolidation's `model` in the policy, its shadow and
/// fallback.
void rebasePaths(json& j, const fs::path& from, const fs::path& to)
{
    auto rebase = [&](json& node) {
        if (!node.is_string())
            return;
        const std::string text = node.get<std::string>();
        if (text.empty() || text.find("${anchors}") != std::string::npos ||
            fs::path(text).is_absolute())
            return;
        const fs::path absolute = (from / text).lexically_normal();
        const fs::path relative = absolute.lexically_relative(to);
        node = relative.empty() ? absolute.string() : relative.generic_string();
    };
    auto at = [](json& parent, const char* key) -> json* {
        return parent.is_object() && parent.contains(key) ? &parent[key] : nullptr;
    };
    if (auto* w = at(j, "weather"))
        rebase(*w);
    if (auto* b = at(j, "building")) {
        if (auto* brick = at(*b, "brick"))
            rebase(*brick);
        if (auto* project = at(*b, "project"))
            rebase(*project);
    }
    if (auto* cals = at(j, "calendars"); cals != nullptr && cals->is_array())
        for (auto& c : *cals)
            if (auto* f = at(c, "file"))
                rebase(*f);
    if (auto* c = at(j, "compute"))
        if (auto* t = at(*c, "traces"))
            rebase(*t);
    auto policyPaths = [&](json* p) {
        if (p == nullptr || !p->is_object())
            return;
        if (auto* params = at(*p, "params")) {
            if (auto* f = at(*params, "file"))
                rebase(*f);
            if (auto* m = at(*params, "model"))
                rebase(*m);
        }
    };
    if (auto* p = at(j, "policy")) {
        policyPaths(p);
        policyPaths(at(*p, "shadow"));
        policyPaths(at(*p, "fallback"));
    }
}

QVariantMap kpiRow(const policies::KpiComparison& c)
{
    const auto percent = c.changePercent();
    const int verdict = c.verdict();
    QString label = QString::fromStdString(c.label);
    const bool indent = label.startsWith(QLatin1Char(' '));
    return {{QStringLiteral("key"), QString::fromStdString(c.key)},
            {QStringLiteral("name"), label.trimmed()},
            {QStringLiteral("indent"), indent},
            {QStringLiteral("unit"), QString::fromStdString(c.unit)},
            {QStringLiteral("base"), c.baseline},
            {QStringLiteral("variant"), c.candidate},
            {QStringLiteral("delta"), c.change()},
            {QStringLiteral("deltaPercent"),
             percent ? *percent : std::numeric_limits<double>::quiet_NaN()},
            {QStringLiteral("direction"),
             c.direction == policies::KpiDirection::LowerIsBetter    ? QStringLiteral("lower")
             : c.direction == policies::KpiDirection::HigherIsBetter ? QStringLiteral("higher")
                                                                      : QString()},
            {QStringLiteral("verdict"), c.direction == policies::KpiDirection::None ? QString()
                                        : verdict > 0                               ? QStringLiteral("better")
                                        : verdict < 0                               ? QStringLiteral("worse")
                                                                                    : QStringLiteral("same")}};
}

} // namespace

WhatIfController::WhatIfController(QObject* parent)
    : QObject(parent), m_baseJson(std::make_unique<Json>()),
      m_variantJson(std::make_unique<Json>()), m_policyParams(std::make_unique<Json>())
{
}

WhatIfController::~WhatIfController()
{
    stopRuns();
}

void WhatIfController::stopRuns()
{
    if (!m_thread.joinable())
        return;
    m_cancel = true;
    m_thread.join();
}

void WhatIfController::failed(const QString& message)
{
    m_error = message;
    m_state = QStringLiteral("failed");
    Q_EMIT changed();
}

void WhatIfController::reportError(const QString& message)
{
    m_error = message;
    Q_EMIT changed();
}

bool WhatIfController::open(const QString& scenarioPath)
{
    stopRuns();
    ++m_generation;
    auto text = sim::scenarioJson(scenarioPath.toStdString(), {});
    json parsed;
    if (text)
        parsed = json::parse(*text, nullptr, false);
    if (!text || !parsed.is_object()) {
        failed(text ? scenarioPath + QStringLiteral(": not a scenario (a JSON object)")
                    : QString::fromStdString(text.error().toString()));
        return false;
    }
    m_path = QFileInfo(scenarioPath).absoluteFilePath(); // as the view's scenario list has it
    m_name = QString::fromStdString(
        parsed.contains("name") && parsed["name"].is_string()
            ? parsed["name"].get<std::string>()
            : fs::path(scenarioPath.toStdString()).stem().string());
    m_common.clear();
    m_heating.reset();
    m_cooling.reset();
    m_policy.reset();
    m_policyParams->value = json::object();
    m_weather.reset();
    m_hosts.reset();
    m_calendar.reset();
    m_extra.clear();
    m_state = QStringLiteral("idle");
    m_progress[0] = m_progress[1] = 0.0;
    m_error.clear();
    m_kpis.clear();
    m_seriesList.clear();
    m_series[0].clear();
    m_series[1].clear();
    refreshVariantJson();
    Q_EMIT variantChanged();
    Q_EMIT changed();
    return true;
}

void WhatIfController::resetVariant()
{
    m_heating.reset();
    m_cooling.reset();
    m_policy.reset();
    m_policyParams->value = json::object();
    m_weather.reset();
    m_hosts.reset();
    m_calendar.reset();
    m_extra.clear();
    edited();
}

void WhatIfController::edited()
{
    refreshVariantJson();
    Q_EMIT variantChanged();
    if (!m_error.isEmpty() && m_state != QStringLiteral("failed")) {
        m_error.clear(); // a refused parameter's message, now out of date
        Q_EMIT changed();
    }
}

void WhatIfController::refreshVariantJson()
{
    if (m_path.isEmpty())
        return;
    const auto file = m_path.toStdString();
    const auto common = parsedCommon();
    if (auto text = sim::scenarioJson(file, common))
        m_baseJson->value = json::parse(*text, nullptr, false);
    auto all = common;
    const auto variant = allVariantOverrides();
    all.insert(all.end(), variant.begin(), variant.end());
    if (auto text = sim::scenarioJson(file, all))
        m_variantJson->value = json::parse(*text, nullptr, false);
}

void WhatIfController::setCommonOverrides(const QStringList& lines)
{
    QStringList kept;
    for (const auto& line : lines) {
        if (line.trimmed().isEmpty())
            continue;
        if (!parseLine(line)) {
            reportError(QStringLiteral("common override '") + line +
                   QStringLiteral("': expected KEY=VALUE, e.g. step_s=300"));
            return;
        }
        kept.push_back(line.trimmed());
    }
    if (kept == m_common)
        return;
    m_common = kept;
    edited();
}

WhatIfController::Overrides WhatIfController::parsedCommon() const
{
    Overrides out;
    for (const auto& line : m_common)
        if (auto o = parseLine(line))
            out.push_back(*o);
    return out;
}

WhatIfController::Overrides WhatIfController::knobOverrides() const
{
    Overrides o;
    const json& base = m_baseJson->value;
    const auto scope = setpointScopeOf(base);
    auto setpoint = [&](const char* key, const std::optional<double>& value) {
        if (!value)
            return;
        if (scope == "zones")
            for (std::size_t i = 0; i < base["zones"].size(); ++i)
                o.emplace_back("zones." + std::to_string(i) + ".hvac." + key, json(*value).dump());
        else if (scope == "building")
            o.emplace_back(std::string("building.defaults.") + key, json(*value).dump());
    };
    setpoint("heating_setpoint_c", m_heating);
    setpoint("cooling_setpoint_c", m_cooling);
    if (m_policy) {
        if (m_policy->empty()) {
            o.emplace_back("policy", "null");
        } else {
            o.emplace_back("policy.name", quoted(*m_policy));
            o.emplace_back("policy.params", m_policyParams->value.dump());
        }
    }
    if (m_weather)
        o.emplace_back("weather", quoted(*m_weather));
    if (m_hosts)
        o.emplace_back("compute.hosts", std::to_string(*m_hosts));
    if (m_calendar) {
        if (calendarOf(base).empty())
            o.emplace_back("calendars", json::array({{{"file", *m_calendar}}}).dump());
        else
            o.emplace_back("calendars.0.file", quoted(*m_calendar));
    }
    return o;
}

WhatIfController::Overrides WhatIfController::allVariantOverrides() const
{
    auto o = knobOverrides();
    for (const auto& line : m_extra)
        if (auto parsed = parseLine(line))
            o.push_back(*parsed);
    return o;
}

QStringList WhatIfController::variantOverrides() const
{
    QStringList out;
    for (const auto& o : allVariantOverrides())
        out.push_back(joinLine(o));
    return out;
}

bool WhatIfController::hasSetpoints() const
{
    return !setpointScopeOf(m_baseJson->value).empty();
}

QString WhatIfController::setpointScope() const
{
    return QString::fromStdString(setpointScopeOf(m_baseJson->value));
}

double WhatIfController::baseHeatingSetpoint() const
{
    return setpointOf(m_baseJson->value, "heating_setpoint_c",
                      sim::ThermostatSchedule{}.occupiedHeating);
}

double WhatIfController::heatingSetpoint() const
{
    return setpointOf(m_variantJson->value, "heating_setpoint_c",
                      sim::ThermostatSchedule{}.occupiedHeating);
}

void WhatIfController::setHeatingSetpoint(double celsius)
{
    if (std::abs(celsius - baseHeatingSetpoint()) < 1e-9)
        m_heating.reset();
    else
        m_heating = celsius;
    edited();
}

double WhatIfController::baseCoolingSetpoint() const
{
    return setpointOf(m_baseJson->value, "cooling_setpoint_c",
                      sim::ThermostatSchedule{}.occupiedCooling);
}

double WhatIfController::coolingSetpoint() const
{
    return setpointOf(m_variantJson->value, "cooling_setpoint_c",
                      sim::ThermostatSchedule{}.occupiedCooling);
}

void WhatIfController::setCoolingSetpoint(double celsius)
{
    if (std::abs(celsius - baseCoolingSetpoint()) < 1e-9)
        m_cooling.reset();
    else
        m_cooling = celsius;
    edited();
}

QStringList WhatIfController::policyNames() const
{
    QStringList names{QString()};
    for (const auto& d : policies::availablePolicies())
        names.push_back(QString::fromStdString(d.name));
    std::sort(names.begin() + 1, names.end());
    return names;
}

QString WhatIfController::basePolicy() const
{
    return QString::fromStdString(policyNameOf(m_baseJson->value));
}

QString WhatIfController::policy() const
{
    return QString::fromStdString(policyNameOf(m_variantJson->value));
}

void WhatIfController::setPolicy(const QString& name)
{
    if (name == basePolicy()) {
        m_policy.reset();
        m_policyParams->value = json::object();
    } else {
        m_policy = name.toStdString();
        m_policyParams->value = json::object(); // the new policy's defaults
    }
    edited();
}

QVariantList WhatIfController::policyParams() const
{
    QVariantList out;
    const auto name = policyNameOf(m_variantJson->value);
    const auto d = describe(name);
    if (!d)
        return out;
    const json params = policyParamsOf(m_variantJson->value);
    const json baseParams =
        policyNameOf(m_baseJson->value) == name ? policyParamsOf(m_baseJson->value) : json();
    for (const auto& p : d->params) {
        const json def = p.defaultJson.empty() ? json() : json::parse(p.defaultJson);
        const json value = params.contains(p.name) ? params[p.name] : def;
        const json base =
            baseParams.is_object() && baseParams.contains(p.name) ? baseParams[p.name] : def;
        QStringList choices;
        for (const auto& c : p.choices)
            choices.push_back(QString::fromStdString(c));
        out.push_back(QVariantMap{{QStringLiteral("name"), QString::fromStdString(p.name)},
                                  {QStringLiteral("type"), QString::fromStdString(p.type)},
                                  {QStringLiteral("unit"), QString::fromStdString(p.unit)},
                                  {QStringLiteral("value"), toVariant(value)},
                                  {QStringLiteral("base"), toVariant(base)},
                                  {QStringLiteral("choices"), choices},
                                  {QStringLiteral("changed"), value != base}});
    }
    return out;
}

bool WhatIfController::setPolicyParam(const QString& name, const QVariant& value)
{
    const auto current = policyNameOf(m_variantJson->value);
    const auto d = describe(current);
    if (!d) {
        reportError(QStringLiteral("policy parameter '") + name +
               QStringLiteral("': the variant has no policy; choose one first"));
        return false;
    }
    const auto key = name.toStdString();
    const auto p = std::find_if(d->params.begin(), d->params.end(),
                                [&](const auto& x) { return x.name == key; });
    if (p == d->params.end()) {
        reportError(QStringLiteral("policy parameter '") + name + QStringLiteral("': ") +
               QString::fromStdString(current) + QStringLiteral(" has no such parameter"));
        return false;
    }
    const auto converted = fromVariant(value, p->type);
    if (!converted) {
        reportError(QStringLiteral("policy parameter '") + name + QStringLiteral("': '") +
               value.toString() + QStringLiteral("' is not a valid ") +
               QString::fromStdString(p->type));
        return false;
    }
    if (!m_policy) { // start from the base's policy object
        m_policy = current;
        m_policyParams->value = policyParamsOf(m_baseJson->value);
    }
    m_policyParams->value[key] = *converted;
    if (*m_policy == policyNameOf(m_baseJson->value) &&
        m_policyParams->value == policyParamsOf(m_baseJson->value)) {
        m_policy.reset(); // the duplicate again
        m_policyParams->value = json::object();
    }
    edited();
    return true;
}

bool WhatIfController::hasWeather() const
{
    const auto& j = m_baseJson->value;
    return j.contains("weather") || !setpointScopeOf(j).empty();
}

QString WhatIfController::baseWeather() const
{
    return QString::fromStdString(stringAt(m_baseJson->value, {"weather"}));
}

QString WhatIfController::weather() const
{
    return QString::fromStdString(stringAt(m_variantJson->value, {"weather"}));
}

void WhatIfController::setWeather(const QString& file)
{
    const auto text = file.trimmed();
    if (text.isEmpty() || text == baseWeather())
        m_weather.reset();
    else
        m_weather = text.toStdString();
    edited();
}

bool WhatIfController::hasHostCount() const
{
    const auto& j = m_baseJson->value;
    return j.contains("compute") && j["compute"].is_object() && j["compute"].contains("hosts") &&
           j["compute"]["hosts"].is_number_integer();
}

int WhatIfController::baseHostCount() const
{
    return hasHostCount() ? m_baseJson->value["compute"]["hosts"].get<int>() : 0;
}

int WhatIfController::hostCount() const
{
    const auto& j = m_variantJson->value;
    if (j.contains("compute") && j["compute"].is_object() && j["compute"].contains("hosts") &&
        j["compute"]["hosts"].is_number_integer())
        return j["compute"]["hosts"].get<int>();
    return 0;
}

void WhatIfController::setHostCount(int hosts)
{
    if (!hasHostCount() || hosts == baseHostCount())
        m_hosts.reset();
    else
        m_hosts = hosts;
    edited();
}

bool WhatIfController::hasCalendar() const
{
    return !calendarOf(m_baseJson->value).empty() || !setpointScopeOf(m_baseJson->value).empty();
}

QString WhatIfController::baseCalendar() const
{
    return QString::fromStdString(calendarOf(m_baseJson->value));
}

QString WhatIfController::calendar() const
{
    return QString::fromStdString(calendarOf(m_variantJson->value));
}

void WhatIfController::setCalendar(const QString& file)
{
    const auto text = file.trimmed();
    if (text.isEmpty() || text == baseCalendar())
        m_calendar.reset();
    else
        m_calendar = text.toStdString();
    edited();
}

void WhatIfController::setExtraOverrides(const QStringList& lines)
{
    QStringList kept;
    for (const auto& line : lines) {
        if (line.trimmed().isEmpty())
            continue;
        if (!parseLine(line)) {
            reportError(QStringLiteral("override '") + line +
                   QStringLiteral("': expected KEY=VALUE, e.g. zones.0.infiltration_ach=1.5"));
            return;
        }
        kept.push_back(line.trimmed());
    }
    if (kept == m_extra)
        return;
    m_extra = kept;
    edited();
}

bool WhatIfController::addOverride(const QString& line)
{
    if (!parseLine(line)) {
        reportError(QStringLiteral("override '") + line +
               QStringLiteral("': expected KEY=VALUE, e.g. zones.0.infiltration_ach=1.5"));
        return false;
    }
    m_extra.push_back(line.trimmed());
    edited();
    return true;
}

void WhatIfController::cancel()
{
    m_cancel = true;
}

void WhatIfController::runBoth()
{
    if (m_state == QStringLiteral("running") || m_path.isEmpty())
        return;
    stopRuns();
    const auto generation = ++m_generation;
    sim::ScenarioOptions base;
    for (const auto& f : m_ontology)
        base.ontology.push_back(f.toStdString());
    base.anchorsDir = m_anchors.toStdString();
    base.overrides = parsedCommon();
    const std::array<Variant, 2> variants{Variant{m_path.toStdString(), {}},
                                          Variant{m_path.toStdString(), allVariantOverrides()}};
    const auto maxPoints = static_cast<std::size_t>(std::max(1, m_maxPoints));
    m_cancel = false;
    m_state = QStringLiteral("running");
    m_progress[0] = m_progress[1] = 0.0;
    m_error.clear();
    m_kpis.clear();
    m_seriesList.clear();
    m_series[0].clear();
    m_series[1].clear();
    Q_EMIT changed();

    m_thread = std::thread([this, base, variants, maxPoints, generation] {
        struct Side
        {
            VariantOutcome outcome;
            std::optional<RunSampler> sampler;
        };
        std::array<Side, 2> sides;
        // Both runs at once, one thread each: the mechanism of sweep and compare.
        runParallel(2, 2, [&](std::size_t i) {
            auto& side = sides[i];
            auto lastPublish = Clock::now();
            VariantHooks hooks;
            hooks.cancel = &m_cancel;
            hooks.started = [&](const policies::ScenarioRun& run) {
                RunSeriesOptions o;
                o.maxPoints = maxPoints;
                side.sampler.emplace(run, o);
            };
            hooks.afterStep = [&, i](const policies::ScenarioRun& run) {
                side.sampler->observe(run);
                if (Clock::now() - lastPublish < std::chrono::milliseconds(50))
                    return;
                lastPublish = Clock::now();
                const auto& e = run.engine();
                const auto steps = e.config().grid.stepCount();
                const double progress =
                    steps > 0 ? static_cast<double>(e.state().step) / static_cast<double>(steps)
                              : 1.0;
                QMetaObject::invokeMethod(
                    this,
                    [this, i, progress, generation] {
                        if (generation != m_generation || m_state != QStringLiteral("running"))
                            return;
                        m_progress[i] = progress;
                        Q_EMIT changed();
                    },
                    Qt::QueuedConnection);
            };
            side.outcome = runVariant(variants[i], base, hooks);
            // A failed run makes the comparison moot: stop the other one.
            if (!side.outcome.error.empty())
                m_cancel = true;
        });

        // The results, built here and handed over as immutable copies.
        QString state = QStringLiteral("finished");
        QString error;
        QVariantList kpis;
        QVariantList seriesList;
        std::array<SeriesMap, 2> series;
        for (std::size_t i = 0; i < 2 && error.isEmpty(); ++i)
            if (!sides[i].outcome.error.empty()) {
                state = QStringLiteral("failed");
                error = QString::fromStdString((i == 0 ? "base: " : "variant: ") +
                                               sides[i].outcome.error);
            }
        if (error.isEmpty() && (sides[0].outcome.cancelled || sides[1].outcome.cancelled))
            state = QStringLiteral("cancelled");
        if (state == QStringLiteral("finished")) {
            for (const auto& row : policies::compareKpis(sides[0].outcome.run->kpis(),
                                                         sides[1].outcome.run->kpis()))
                kpis.push_back(kpiRow(row));
            for (const auto& key : RunSampler::allKeys()) {
                const auto* a = sides[0].sampler->find(key);
                const auto* b = sides[1].sampler->find(key);
                if (a == nullptr || b == nullptr)
                    continue;
                seriesList.push_back(QVariantMap{{QStringLiteral("key"), QString::fromStdString(key)},
                                                 {QStringLiteral("label"), QString::fromStdString(a->label)},
                                                 {QStringLiteral("unit"), QString::fromStdString(a->unit)}});
                for (std::size_t i = 0; i < 2; ++i) {
                    auto& points = series[i][key];
                    for (const auto& [t, v] : (i == 0 ? a : b)->points)
                        points.emplace_back(t * 1000.0, v);
                }
            }
        }
        QMetaObject::invokeMethod(
            this,
            [this, generation, state, error, kpis = std::move(kpis),
             seriesList = std::move(seriesList), series = std::move(series)]() mutable {
                if (generation != m_generation)
                    return;
                m_state = state;
                m_error = error;
                m_kpis = std::move(kpis);
                m_seriesList = std::move(seriesList);
                m_series[0] = std::move(series[0]);
                m_series[1] = std::move(series[1]);
                if (state == QStringLiteral("finished"))
                    m_progress[0] = m_progress[1] = 1.0;
                Q_EMIT changed();
                Q_EMIT finished();
            },
            Qt::QueuedConnection);
    });
}

QVariantList WhatIfController::series(const QString& key, int which) const
{
    QVariantList out;
    if (which < 0 || which > 1)
        return out;
    const auto it = m_series[which].find(key.toStdString());
    if (it == m_series[which].end())
        return out;
    out.reserve(static_cast<qsizetype>(it->second.size()));
    for (const auto& [x, y] : it->second)
        out.push_back(QVariantMap{{QStringLiteral("x"), x}, {QStringLiteral("y"), y}});
    return out;
}

bool WhatIfController::saveVariant(const QString& path)
{
    if (m_path.isEmpty()) {
        reportError(QStringLiteral("save: no scenario is open"));
        return false;
    }
    auto all = parsedCommon();
    const auto variant = allVariantOverrides();
    all.insert(all.end(), variant.begin(), variant.end());
    auto text = sim::scenarioJson(m_path.toStdString(), all);
    if (!text) {
        reportError(QString::fromStdString(text.error().toString()));
        return false;
    }
    json j = json::parse(*text, nullptr, false);
    const fs::path target = fs::absolute(path.toStdString()).lexically_normal();
    const fs::path from = fs::absolute(m_path.toStdString()).lexically_normal().parent_path();
    rebasePaths(j, from, target.parent_path());
    j["name"] = target.stem().string();
    std::string description = "What-if variant of " + m_name.toStdString() + " (" +
                              fs::path(m_path.toStdString()).filename().string() + ")";
    if (!all.empty()) {
        description += " with";
        for (const auto& [k, v] : all)
            description += " " + k + "=" + v;
    }
    j["description"] = description;
    // Written beside and renamed into place: a failed save leaves no half-written file.
    const fs::path tmp = target.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << j.dump(2) << '\n';
        if (!out) {
            std::error_code ec;
            fs::remove(tmp, ec);
            reportError(path + QStringLiteral(": cannot write the variant (is the folder writable?)"));
            return false;
        }
    }
    std::error_code ec;
    fs::rename(tmp, target, ec);
    if (ec) {
        fs::remove(tmp, ec);
        reportError(path + QStringLiteral(": cannot write the variant: ") +
               QString::fromStdString(ec.message()));
        return false;
    }
    return true;
}

void WhatIfController::setProject(const QString& path, const QString& store)
{
    m_project = path;
    m_storeOverride = store;
    m_storeLocation.clear();
    m_storedSweeps.clear();
    m_storedSweep.clear();
    m_storedColumns.clear();
    m_storedRows.clear();
    m_storedMissing.clear();
    m_storedError.clear();
    Q_EMIT storedChanged();
}

namespace {

std::optional<std::string> storeOverride(const QString& store)
{
    if (store.isEmpty())
        return std::nullopt;
    return store.toStdString();
}

QString isoUtc(std::int64_t ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate);
}

} // namespace

bool WhatIfController::refreshStoredSweeps()
{
    if (m_project.isEmpty() && m_storeOverride.isEmpty()) {
        m_storedError = QStringLiteral("no project is open: stored sweeps live in a project's "
                                       "store");
        Q_EMIT storedChanged();
        return false;
    }
    auto store = SweepStore::open(m_project.toStdString(), storeOverride(m_storeOverride));
    if (!store) {
        m_storedError = QString::fromStdString(store.error().toString());
        Q_EMIT storedChanged();
        return false;
    }
    auto sweeps = store->results().list();
    if (!sweeps) {
        m_storedError = QString::fromStdString(sweeps.error().toString());
        Q_EMIT storedChanged();
        return false;
    }
    m_storeLocation = QString::fromStdString(store->describe());
    m_storedSweeps.clear();
    bool shownStillThere = false;
    for (const auto& s : *sweeps) {
        const auto name = QString::fromStdString(s.name);
        shownStillThere = shownStillThere || name == m_storedSweep;
        m_storedSweeps.push_back(
            QVariantMap{{QStringLiteral("name"), name},
                        {QStringLiteral("variants"), static_cast<qlonglong>(s.variants)},
                        {QStringLiteral("stored"), static_cast<qlonglong>(s.stored)},
                        {QStringLiteral("missing"), static_cast<qlonglong>(s.missing())},
                        {QStringLiteral("failed"), static_cast<qlonglong>(s.failed)},
                        {QStringLiteral("lastWritten"), isoUtc(s.lastWrittenMs)}});
    }
    m_storedError.clear();
    if (!m_storedSweep.isEmpty() && shownStillThere)
        return showStoredSweep(m_storedSweep);
    m_storedSweep.clear();
    m_storedColumns.clear();
    m_storedRows.clear();
    m_storedMissing.clear();
    Q_EMIT storedChanged();
    return true;
}

bool WhatIfController::showStoredSweep(const QString& name)
{
    auto store = SweepStore::open(m_project.toStdString(), storeOverride(m_storeOverride));
    if (!store) {
        m_storedError = QString::fromStdString(store.error().toString());
        Q_EMIT storedChanged();
        return false;
    }
    auto rows = store->results().read(name.toStdString());
    if (!rows || rows->empty()) {
        m_storedError = rows ? QStringLiteral("no results of sweep '%1' in %2")
                                   .arg(name, QString::fromStdString(store->describe()))
                             : QString::fromStdString(rows.error().toString());
        Q_EMIT storedChanged();
        return false;
    }
    // The rows as `sweep --collect-store` reads them; the columns those rows have.
    std::vector<json> parsed;
    bool compute = false;
    std::int64_t expected = 0;
    for (const auto& r : *rows) {
        parsed.push_back(json::parse(r.rowJson, nullptr, false));
        compute = compute || (parsed.back().is_object() && parsed.back().contains("compute_kwh"));
        expected = std::max(expected, r.variantCount);
    }
    std::vector<const SweepColumn*> columns;
    m_storedColumns.clear();
    for (const auto& c : sweepColumns()) {
        if (c.compute && !compute)
            continue;
        columns.push_back(&c);
        m_storedColumns.push_back(
            QVariantMap{{QStringLiteral("key"), QString::fromUtf8(c.key.data(), c.key.size())},
                        {QStringLiteral("name"), QString::fromUtf8(c.name.data(), c.name.size())},
                        {QStringLiteral("unit"), QString::fromUtf8(c.unit.data(), c.unit.size())}});
    }
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<std::vector<double>> values;
    std::vector<double> best(columns.size(), std::numeric_limits<double>::infinity());
    for (std::size_t i = 0; i < rows->size(); ++i) {
        std::vector<double> v(columns.size(), nan);
        if ((*rows)[i].ok && parsed[i].is_object())
            for (std::size_t c = 0; c < columns.size(); ++c) {
                const auto it = parsed[i].find(std::string(columns[c]->key));
                if (it != parsed[i].end() && it->is_number()) {
                    v[c] = it->get<double>();
                    best[c] = std::min(best[c], v[c]);
                }
            }
        values.push_back(std::move(v));
    }
    // Best only in KPI columns where the runs differ (one run, or all equal, marks nothing).
    std::vector<bool> differs(columns.size(), false);
    for (const auto& v : values)
        for (std::size_t c = 0; c < columns.size(); ++c)
            differs[c] =
                columns[c]->ranked && (differs[c] || (!std::isnan(v[c]) && v[c] != best[c]));
    m_storedRows.clear();
    std::vector<bool> present(static_cast<std::size_t>(expected), false);
    for (std::size_t i = 0; i < rows->size(); ++i) {
        const auto& r = (*rows)[i];
        QVariantList v;
        QVariantList isBest;
        for (std::size_t c = 0; c < columns.size(); ++c) {
            v.push_back(values[i][c]);
            isBest.push_back(differs[c] && !std::isnan(values[i][c]) && values[i][c] == best[c]);
        }
        QString error;
        if (!r.ok)
            error = parsed[i].is_object() && parsed[i].contains("error") &&
                            parsed[i]["error"].is_string()
                        ? QString::fromStdString(parsed[i]["error"].get<std::string>())
                        : QStringLiteral("failed");
        else if (!parsed[i].is_object())
            error = QStringLiteral("the stored row is not valid JSON");
        m_storedRows.push_back(
            QVariantMap{{QStringLiteral("index"), static_cast<qlonglong>(r.variantIndex)},
                        {QStringLiteral("label"), QString::fromStdString(r.label)},
                        {QStringLiteral("ok"), r.ok && parsed[i].is_object()},
                        {QStringLiteral("error"), error},
                        {QStringLiteral("values"), v},
                        {QStringLiteral("best"), isBest}});
        if (r.variantIndex < expected)
            present[static_cast<std::size_t>(r.variantIndex)] = true;
    }
    m_storedVariants.clear();
    for (std::size_t i = 0; i < rows->size(); ++i) {
        const auto& j = parsed[i];
        if (!j.is_object() || !j.contains("scenario") || !j["scenario"].is_string())
            continue;
        StoredVariant v{(*rows)[i].variantIndex, j["scenario"].get<std::string>(), {}};
        if (j.contains("overrides") && j["overrides"].is_object())
            for (const auto& [key, value] : j["overrides"].items())
                v.overrides.emplace_back(key, value.is_string() ? value.get<std::string>()
                                                                : value.dump());
        m_storedVariants.push_back(std::move(v));
    }
    m_storedMissing.clear();
    for (std::size_t i = 0; i < present.size(); ++i)
        if (!present[i])
            m_storedMissing.push_back(static_cast<qlonglong>(i));
    m_storedSweep = name;
    m_storeLocation = QString::fromStdString(store->describe());
    m_storedError.clear();
    Q_EMIT storedChanged();
    return true;
}

bool WhatIfController::compareStoredVariant(int variantIndex)
{
    const auto it = std::find_if(m_storedVariants.begin(), m_storedVariants.end(),
                                 [&](const StoredVariant& v) { return v.index == variantIndex; });
    if (it == m_storedVariants.end()) {
        m_storedError = QStringLiteral("variant %1 of sweep '%2' is not stored (or its row names "
                                       "no scenario)")
                            .arg(variantIndex)
                            .arg(m_storedSweep);
        Q_EMIT storedChanged();
        return false;
    }
    // The pods ran the image's assets; here they are wherever this installation keeps them.
    constexpr std::string_view kImageAssets = "/usr/share/twindesk/assets/";
    fs::path scenario = it->scenario;
    std::error_code ec;
    if (!fs::exists(scenario, ec) && it->scenario.rfind(kImageAssets, 0) == 0)
        if (const auto assets = assetsDir())
            scenario = *assets / it->scenario.substr(kImageAssets.size());
    if (!fs::exists(scenario, ec)) {
        m_storedError = QStringLiteral("variant %1: its scenario %2 is not on this machine (a "
                                       "scenario shipped in the Job's ConfigMap: open a copy "
                                       "of it and set the overrides by hand)")
                            .arg(variantIndex)
                            .arg(QString::fromStdString(it->scenario));
        Q_EMIT storedChanged();
        return false;
    }
    // What every stored variant of the same scenario shares is the setting of the sweep; the
    // rest is what makes this variant.
    QStringList common;
    QStringList own;
    for (const auto& o : it->overrides) {
        const bool shared =
            std::all_of(m_storedVariants.begin(), m_storedVariants.end(), [&](const auto& v) {
                return v.scenario != it->scenario ||
                       std::find(v.overrides.begin(), v.overrides.end(), o) != v.overrides.end();
            });
        (shared && m_storedVariants.size() > 1 ? common : own).push_back(joinLine(o));
    }
    if (!open(QString::fromStdString(scenario.string())))
        return false;
    setCommonOverrides(common);
    setExtraOverrides(own);
    m_storedError.clear();
    Q_EMIT storedChanged();
    return m_error.isEmpty();
}

} // namespace twindesk::app
