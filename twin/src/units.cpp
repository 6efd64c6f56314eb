#include <twindesk/twin/result.h>
#include <twindesk/twin/units.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <initializer_list>
#include <numbers>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace twindesk::twin {

namespace {

using Q = Quantity;

// The tables below are laid out by hand.
// clang-format off
// Exact definitions (NIST SP 811 / ISO 80000) the table is built from.
constexpr double kFoot = 0.3048;                             // m
constexpr double kInch = 0.0254;                             // m
constexpr double kSquareFoot = kFoot * kFoot;                // m²
constexpr double kCubicFoot = kSquareFoot * kFoot;           // m³
constexpr double kGallonUs = 3.785411784e-3;                 // m³
constexpr double kPound = 0.45359237;                        // kg
constexpr double kStandardGravity = 9.80665;                 // m/s²
constexpr double kBtu = 1055.05585262;                       // J, International Table BTU
constexpr double kThermUs = 105480400.0;                     // J, US therm
constexpr double kFahrenheitStep = 5.0 / 9.0;                // K per °F
constexpr double kZeroFahrenheit = 459.67 * kFahrenheitStep; // K at 0 °F
constexpr double kPoundForce = kPound * kStandardGravity;    // N

constexpr std::array kUnits{
    // Dimensionless: "1" is the SI unit of a dimensionless number (see units.h).
    Unit{"1", Q::Dimensionless, 1.0, 0.0, "UNITLESS", "one (dimensionless)"},
    // Ratio
    Unit{"fraction", Q::Ratio, 1.0, 0.0, "FRACTION", "fraction"},
    Unit{"%", Q::Ratio, 0.01, 0.0, "PERCENT", "percent"},
    // Temperature (absolute)
    Unit{"K", Q::Temperature, 1.0, 0.0, "K", "kelvin"},
    Unit{"°C", Q::Temperature, 1.0, 273.15, "DEG_C", "degree Celsius"},
    Unit{"°F", Q::Temperature, kFahrenheitStep, kZeroFahrenheit, "DEG_F", "degree Fahrenheit"},
    // TemperatureDifference (no offset)
    Unit{"ΔK", Q::TemperatureDifference, 1.0, 0.0, "", "kelvin (difference)"},
    Unit{"Δ°C", Q::TemperatureDifference, 1.0, 0.0, "", "degree Celsius (difference)"},
    Unit{"Δ°F", Q::TemperatureDifference, kFahrenheitStep, 0.0, "",
         "degree Fahrenheit (difference)"},
    // Power
    Unit{"W", Q::Power, 1.0, 0.0, "W", "watt"},
    Unit{"kW", Q::Power, 1e3, 0.0, "KiloW", "kilowatt"},
    Unit{"MW", Q::Power, 1e6, 0.0, "MegaW", "megawatt"},
    Unit{"BTU/h", Q::Power, kBtu / 3600.0, 0.0, "BTU_IT-PER-HR", "BTU (IT) per hour"},
    Unit{"TR", Q::Power, 12000.0 * kBtu / 3600.0, 0.0, "TON_FG", "ton of refrigeration"},
    Unit{"hp", Q::Power, 550.0 * kFoot * kPoundForce, 0.0, "HP", "horsepower (mechanical)"},
    // Energy
    Unit{"J", Q::Energy, 1.0, 0.0, "J", "joule"},
    Unit{"kJ", Q::Energy, 1e3, 0.0, "KiloJ", "kilojoule"},
    Unit{"MJ", Q::Energy, 1e6, 0.0, "MegaJ", "megajoule"},
    Unit{"GJ", Q::Energy, 1e9, 0.0, "GigaJ", "gigajoule"},
    Unit{"Wh", Q::Energy, 3600.0, 0.0, "W-HR", "watt hour"},
    Unit{"kWh", Q::Energy, 3.6e6, 0.0, "KiloW-HR", "kilowatt hour"},
    Unit{"MWh", Q::Energy, 3.6e9, 0.0, "MegaW-HR", "megawatt hour"},
    Unit{"BTU", Q::Energy, kBtu, 0.0, "BTU_IT", "British thermal unit (IT)"},
    Unit{"kBTU", Q::Energy, 1e3 * kBtu, 0.0, "KiloBTU_IT", "thousand BTU (IT)"},
    Unit{"therm", Q::Energy, kThermUs, 0.0, "THM_US", "therm (US)"},
    // VolumeFlow
    Unit{"m³/s", Q::VolumeFlow, 1.0, 0.0, "M3-PER-SEC", "cubic metre per second"},
    Unit{"m³/h", Q::VolumeFlow, 1.0 / 3600.0, 0.0, "M3-PER-HR", "cubic metre per hour"},
    Unit{"L/s", Q::VolumeFlow, 1e-3, 0.0, "L-PER-SEC", "litre per second"},
    Unit{"L/min", Q::VolumeFlow, 1e-3 / 60.0, 0.0, "L-PER-MIN", "litre per minute"},
    Unit{"cfm", Q::VolumeFlow, kCubicFoot / 60.0, 0.0, "FT3-PER-MIN", "cubic foot per minute"},
    Unit{"gpm", Q::VolumeFlow, kGallonUs / 60.0, 0.0, "GAL_US-PER-MIN", "US gallon per minute"},
    // MassFlow
    Unit{"kg/s", Q::MassFlow, 1.0, 0.0, "KiloGM-PER-SEC", "kilogram per second"},
    Unit{"kg/h", Q::MassFlow, 1.0 / 3600.0, 0.0, "KiloGM-PER-HR", "kilogram per hour"},
    Unit{"lb/h", Q::MassFlow, kPound / 3600.0, 0.0, "LB-PER-HR", "pound per hour"},
    // Concentration (mole fraction)
    Unit{"ppm", Q::Concentration, 1.0, 0.0, "PPM", "parts per million"},
    Unit{"ppb", Q::Concentration, 1e-3, 0.0, "PPB", "parts per billion"},
    // Pressure
    Unit{"Pa", Q::Pressure, 1.0, 0.0, "PA", "pascal"},
    Unit{"hPa", Q::Pressure, 1e2, 0.0, "HectoPA", "hectopascal"},
    Unit{"kPa", Q::Pressure, 1e3, 0.0, "KiloPA", "kilopascal"},
    Unit{"mbar", Q::Pressure, 1e2, 0.0, "MilliBAR", "millibar"},
    Unit{"bar", Q::Pressure, 1e5, 0.0, "BAR", "bar"},
    Unit{"psi", Q::Pressure, kPoundForce / (kInch * kInch), 0.0, "PSI",
         "pound-force per square inch"},
    Unit{"inH2O", Q::Pressure, kInch * 1000.0 * kStandardGravity, 0.0, "IN_H2O",
         "inch of water (conventional)"},
    Unit{"inHg", Q::Pressure, 3386.389, 0.0, "IN_HG", "inch of mercury (conventional)"},
    // RelativeHumidity
    Unit{"%RH", Q::RelativeHumidity, 1.0, 0.0, "PERCENT_RH", "percent relative humidity"},
    // Illuminance
    Unit{"lx", Q::Illuminance, 1.0, 0.0, "LUX", "lux"},
    Unit{"fc", Q::Illuminance, 1.0 / kSquareFoot, 0.0, "FC", "foot-candle"},
    // Irradiance
    Unit{"W/m²", Q::Irradiance, 1.0, 0.0, "W-PER-M2", "watt per square metre"},
    // Length
    Unit{"m", Q::Length, 1.0, 0.0, "M", "metre"},
    Unit{"mm", Q::Length, 1e-3, 0.0, "MilliM", "millimetre"},
    Unit{"cm", Q::Length, 1e-2, 0.0, "CentiM", "centimetre"},
    Unit{"km", Q::Length, 1e3, 0.0, "KiloM", "kilometre"},
    Unit{"ft", Q::Length, kFoot, 0.0, "FT", "foot"},
    Unit{"in", Q::Length, kInch, 0.0, "IN", "inch"},
    // Area
    Unit{"m²", Q::Area, 1.0, 0.0, "M2", "square metre"},
    Unit{"ft²", Q::Area, kSquareFoot, 0.0, "FT2", "square foot"},
    // Volume
    Unit{"m³", Q::Volume, 1.0, 0.0, "M3", "cubic metre"},
    Unit{"L", Q::Volume, 1e-3, 0.0, "L", "litre"},
    Unit{"ft³", Q::Volume, kCubicFoot, 0.0, "FT3", "cubic foot"},
    Unit{"gal", Q::Volume, kGallonUs, 0.0, "GAL_US", "US gallon"},
    // Time
    Unit{"s", Q::Time, 1.0, 0.0, "SEC", "second"},
    Unit{"min", Q::Time, 60.0, 0.0, "MIN", "minute"},
    Unit{"h", Q::Time, 3600.0, 0.0, "HR", "hour"},
    Unit{"d", Q::Time, 86400.0, 0.0, "DAY", "day"},
    // Speed
    Unit{"m/s", Q::Speed, 1.0, 0.0, "M-PER-SEC", "metre per second"},
    Unit{"km/h", Q::Speed, 1.0 / 3.6, 0.0, "KiloM-PER-HR", "kilometre per hour"},
    Unit{"ft/min", Q::Speed, kFoot / 60.0, 0.0, "FT-PER-MIN", "foot per minute"},
    Unit{"mph", Q::Speed, 0.44704, 0.0, "MI-PER-HR", "mile per hour"},
    // Angle
    Unit{"rad", Q::Angle, 1.0, 0.0, "RAD", "radian"},
    Unit{"deg", Q::Angle, std::numbers::pi / 180.0, 0.0, "DEG", "degree (angle)"},
    // ElectricCurrent, Voltage, Frequency
    Unit{"A", Q::ElectricCurrent, 1.0, 0.0, "A", "ampere"},
    Unit{"mA", Q::ElectricCurrent, 1e-3, 0.0, "MilliA", "milliampere"},
    Unit{"V", Q::Voltage, 1.0, 0.0, "V", "volt"},
    Unit{"Hz", Q::Frequency, 1.0, 0.0, "HZ", "hertz"},
    Unit{"rpm", Q::Frequency, 1.0 / 60.0, 0.0, "REV-PER-MIN", "revolution per minute"},
    // Mass
    Unit{"kg", Q::Mass, 1.0, 0.0, "KiloGM", "kilogram"},
    Unit{"lb", Q::Mass, kPound, 0.0, "LB", "pound (avoirdupois)"},
    // Boolean, Count
    Unit{"bool", Q::Boolean, 1.0, 0.0, "", "boolean (0 = false, 1 = true)"},
    Unit{"count", Q::Count, 1.0, 0.0, "NUM", "count"},
    // SpecificEnthalpy
    Unit{"J/kg", Q::SpecificEnthalpy, 1.0, 0.0, "J-PER-KiloGM", "joule per kilogram"},
    Unit{"kJ/kg", Q::SpecificEnthalpy, 1e3, 0.0, "KiloJ-PER-KiloGM", "kilojoule per kilogram"},
    Unit{"BTU/lb", Q::SpecificEnthalpy, kBtu / kPound, 0.0, "BTU_IT-PER-LB", "BTU (IT) per pound"},
};

/// Placeholder returned by siUnit/displayUnit for Quantity::Unknown; not in kUnits.
constexpr Unit kUnknownUnit{"", Q::Unknown, 1.0, 0.0, "", "unknown"};

/// Index of the unit with this symbol, or kUnits.size() when there is none.
constexpr std::size_t indexOf(std::string_view symbol)
{
    for (std::size_t i = 0; i < kUnits.size(); ++i) {
        if (kUnits[i].symbol == symbol)
            return i;
    }
    return kUnits.size();
}

struct Alias
{
    std::string_view text;
    std::size_t unit; // index into kUnits
};

constexpr Alias alias(std::string_view text, std::string_view symbol)
{
    return Alias{text, indexOf(symbol)};
}

/// Exact (case-sensitive) alternative spellings. Symbols and QUDT names are not repeated here.
constexpr std::array kAliases{
    alias("unitless", "1"), alias("dimensionless", "1"), alias("frac", "fraction"),
    alias("percent", "%"), alias("pct", "%"), alias("kelvin", "K"),
    alias("degC", "°C"), alias("C", "°C"), alias("Cel", "°C"), alias("deg_C", "°C"),
    alias("℃", "°C"), alias("celsius", "°C"),
    alias("degF", "°F"), alias("F", "°F"), alias("deg_F", "°F"), alias("[degF]", "°F"),
    alias("℉", "°F"), alias("fahrenheit", "°F"), alias("delta_K", "ΔK"), alias("delta_degC", "Δ°C"),
    alias("delta_degF", "Δ°F"),
    alias("Btu/h", "BTU/h"), alias("BTU/hr", "BTU/h"), alias("Btu/hr", "BTU/h"),
    alias("BTUH", "BTU/h"), alias("Btuh", "BTU/h"),
    alias("ton", "TR"), alias("tons", "TR"), alias("RT", "TR"), alias("Btu", "BTU"),
    alias("kBtu", "kBTU"), alias("thm", "therm"), alias("therms", "therm"),
    alias("m3/s", "m³/s"), alias("m^3/s", "m³/s"),
    alias("m3/h", "m³/h"), alias("m^3/h", "m³/h"), alias("m3/hr", "m³/h"), alias("CMH", "m³/h"),
    alias("l/s", "L/s"), alias("lps", "L/s"), alias("l/min", "L/min"), alias("lpm", "L/min"),
    alias("CFM", "cfm"), alias("ft³/min", "cfm"), alias("ft3/min", "cfm"),
    alias("GPM", "gpm"), alias("gal/min", "gpm"), alias("kg/hr", "kg/h"), alias("lb/hr", "lb/h"),
    alias("inWC", "inH2O"), alias("in_H2O", "inH2O"), alias("inH₂O", "inH2O"),
    alias("in_Hg", "inHg"), alias("% RH", "%RH"), alias("RH%", "%RH"), alias("%rh", "%RH"),
    alias("lux", "lx"), alias("ftcd", "fc"), alias("W/m2", "W/m²"), alias("W/m^2", "W/m²"),
    alias("m2", "m²"), alias("m^2", "m²"), alias("ft2", "ft²"), alias("sqft", "ft²"),
    alias("m3", "m³"), alias("m^3", "m³"), alias("ft3", "ft³"),
    alias("l", "L"), alias("litre", "L"), alias("liter", "L"), alias("gal_US", "gal"),
    alias("sec", "s"), alias("hr", "h"), alias("day", "d"), alias("kph", "km/h"),
    alias("fpm", "ft/min"), alias("FPM", "ft/min"), alias("°", "deg"), alias("degree", "deg"),
    alias("RPM", "rpm"), alias("r/min", "rpm"), alias("lbs", "lb"), alias("boolean", "bool"),
    alias("NUM", "count"), alias("Btu/lb", "BTU/lb"),
};

/// Spellings matched ignoring ASCII case when nothing matched exactly; written in lower case.
/// A spelling belongs here only if no unit, in the table or plausible, differs from it by
/// letter case alone: never a spelling with a milli/mega prefix ("mW" vs "MW", "mbar").
constexpr std::array kFoldedAliases{
    alias("kw", "kW"), alias("kwh", "kWh"), alias("btu", "BTU"),
    alias("btu/h", "BTU/h"), alias("btuh", "BTU/h"), alias("kbtu", "kBTU"), alias("therm", "therm"),
    alias("cfm", "cfm"), alias("gpm", "gpm"), alias("psi", "psi"), alias("kpa", "kPa"),
    alias("hpa", "hPa"), alias("ppm", "ppm"), alias("ppb", "ppb"), alias("%rh", "%RH"),
    alias("inh2o", "inH2O"), alias("inwc", "inH2O"), alias("inhg", "inHg"),
    alias("lux", "lx"), alias("lx", "lx"), alias("degc", "°C"), alias("degf", "°F"),
    alias("delta_degc", "Δ°C"), alias("delta_degf", "Δ°F"), alias("delta_k", "ΔK"),
    alias("hz", "Hz"), alias("rpm", "rpm"), alias("bool", "bool"), alias("boolean", "bool"),
    alias("count", "count"), alias("hp", "hp"), alias("l/s", "L/s"), alias("l/min", "L/min"),
    alias("m3/h", "m³/h"), alias("m3/s", "m³/s"), alias("kg/s", "kg/s"), alias("kg/h", "kg/h"),
    alias("fpm", "ft/min"),
};
// clang-format on

constexpr char toLowerAscii(char c)
{
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr bool equalsIgnoreCase(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (toLowerAscii(a[i]) != toLowerAscii(b[i]))
            return false;
    }
    return true;
}

// ---- Compile-time checks of the tables --------------------------------------------------

struct Spelling
{
    std::string_view text;
    std::size_t unit = 0;
};

/// Every exact spelling (symbol, QUDT name, alias) with its unit, sorted by text.
constexpr auto sortedSpellings()
{
    std::array<Spelling, 2 * kUnits.size() + kAliases.size()> out{};
    std::size_t n = 0;
    for (std::size_t i = 0; i < kUnits.size(); ++i) {
        out[n++] = Spelling{kUnits[i].symbol, i};
        out[n++] = Spelling{kUnits[i].qudt, i}; // may be empty: ignored by the checks
    }
    for (const Alias& a : kAliases)
        out[n++] = Spelling{a.text, a.unit};
    std::sort(out.begin(), out.end(),
              [](const Spelling& a, const Spelling& b) { return a.text < b.text; });
    return out;
}

constexpr bool tablesAreValid()
{
    for (const Unit& u : kUnits) {
        if (u.symbol.empty() || u.quantity == Q::Unknown || !(u.scale > 0.0))
            return false;
    }
    for (const Alias& a : kAliases) {
        if (a.unit >= kUnits.size() || a.text.empty())
            return false;
    }
    for (const Alias& a : kFoldedAliases) {
        if (a.unit >= kUnits.size() || a.text.empty())
            return false;
        for (char c : a.text) {
            if (toLowerAscii(c) != c)
                return false;
        }
    }
    return true;
}
static_assert(tablesAreValid(), "unit table: empty symbol, Unknown quantity, non-positive "
                                "scale, alias of a missing symbol, or upper-case folded alias");

/// No spelling names two different units.
constexpr bool spellingsAreUnique()
{
    const auto spellings = sortedSpellings();
    for (std::size_t i = 1; i < spellings.size(); ++i) {
        const Spelling& a = spellings[i - 1];
        const Spelling& b = spellings[i];
        if (!a.text.empty() && a.text == b.text && a.unit != b.unit)
            return false;
    }
    return true;
}
static_assert(spellingsAreUnique(), "unit table: a symbol/QUDT name/alias names two units");

/// A folded alias never matches (ignoring case) a spelling of another unit.
constexpr bool foldedAliasesAreUnambiguous()
{
    const auto spellings = sortedSpellings();
    for (const Alias& folded : kFoldedAliases) {
        for (const Spelling& s : spellings) {
            if (equalsIgnoreCase(folded.text, s.text) && s.unit != folded.unit)
                return false;
        }
        for (const Alias& other : kFoldedAliases) {
            if (folded.text == other.text && folded.unit != other.unit)
                return false;
        }
    }
    return true;
}
static_assert(foldedAliasesAreUnambiguous(),
              "unit table: a case-insensitive alias collides with another unit's spelling");

// ---- Quantities --------------------------------------------------------------------------

struct QuantityInfo
{
    Quantity quantity;
    std::string_view name;
    std::string_view siSymbol;
    std::string_view displaySymbol;
};

constexpr std::array<QuantityInfo, kAllQuantities.size()> kQuantityInfo{{
    {Q::Unknown, "unknown", "", ""},
    {Q::Dimensionless, "dimensionless", "1", "1"},
    {Q::Ratio, "ratio", "fraction", "%"},
    {Q::Temperature, "temperature", "K", "°C"},
    {Q::TemperatureDifference, "temperature_difference", "ΔK", "ΔK"},
    {Q::Power, "power", "W", "kW"},
    {Q::Energy, "energy", "J", "kWh"},
    {Q::VolumeFlow, "volume_flow", "m³/s", "L/s"},
    {Q::MassFlow, "mass_flow", "kg/s", "kg/s"},
    {Q::Concentration, "concentration", "ppm", "ppm"},
    {Q::Pressure, "pressure", "Pa", "Pa"},
    {Q::RelativeHumidity, "relative_humidity", "%RH", "%RH"},
    {Q::Illuminance, "illuminance", "lx", "lx"},
    {Q::Irradiance, "irradiance", "W/m²", "W/m²"},
    {Q::Length, "length", "m", "m"},
    {Q::Area, "area", "m²", "m²"},
    {Q::Volume, "volume", "m³", "m³"},
    {Q::Time, "time", "s", "s"},
    {Q::Speed, "speed", "m/s", "m/s"},
    {Q::Angle, "angle", "rad", "deg"},
    {Q::ElectricCurrent, "electric_current", "A", "A"},
    {Q::Voltage, "voltage", "V", "V"},
    {Q::Frequency, "frequency", "Hz", "Hz"},
    {Q::Mass, "mass", "kg", "kg"},
    {Q::Boolean, "boolean", "bool", "bool"},
    {Q::Count, "count", "count", "count"},
    {Q::SpecificEnthalpy, "specific_enthalpy", "J/kg", "kJ/kg"},
}};

constexpr std::size_t indexOfQuantity(Quantity quantity)
{
    return static_cast<std::size_t>(quantity);
}

/// For each quantity, the kUnits index of its SI or display unit (kUnits.size() for Unknown).
constexpr auto resolveSymbols(std::string_view QuantityInfo::*member)
{
    std::array<std::size_t, kQuantityInfo.size()> out{};
    for (std::size_t i = 0; i < kQuantityInfo.size(); ++i)
        out[i] = indexOf(kQuantityInfo[i].*member);
    return out;
}

constexpr auto kSiUnitIndex = resolveSymbols(&QuantityInfo::siSymbol);
constexpr auto kDisplayUnitIndex = resolveSymbols(&QuantityInfo::displaySymbol);

constexpr bool quantityTablesAreValid()
{
    if (indexOfQuantity(Q::SpecificEnthalpy) + 1 != kAllQuantities.size())
        return false; // a Quantity was added without updating kAllQuantities / kQuantityInfo
    for (std::size_t i = 0; i < kQuantityInfo.size(); ++i) {
        const QuantityInfo& info = kQuantityInfo[i];
        if (info.quantity != kAllQuantities[i] || indexOfQuantity(info.quantity) != i)
            return false;
        if (info.quantity == Q::Unknown)
            continue;
        if (kSiUnitIndex[i] >= kUnits.size() || kDisplayUnitIndex[i] >= kUnits.size())
            return false;
        const Unit& si = kUnits[kSiUnitIndex[i]];
        if (si.quantity != info.quantity || si.scale != 1.0 || si.offset != 0.0)
            return false;
        if (kUnits[kDisplayUnitIndex[i]].quantity != info.quantity)
            return false;
        for (std::size_t j = 0; j < i; ++j) {
            if (kQuantityInfo[j].name == info.name)
                return false;
        }
    }
    return true;
}
static_assert(quantityTablesAreValid(), "quantity table out of sync with enum Quantity");

// ---- Helpers -------------------------------------------------------------------------------

constexpr std::string_view kWhitespace = " \t\r\n\f\v";

std::string_view trimmed(std::string_view text)
{
    const auto first = text.find_first_not_of(kWhitespace);
    if (first == std::string_view::npos)
        return {};
    const auto last = text.find_last_not_of(kWhitespace);
    return text.substr(first, last - first + 1);
}

const Unit* findExact(std::string_view text)
{
    for (const Unit& u : kUnits) {
        if (u.symbol == text || (!u.qudt.empty() && u.qudt == text))
            return &u;
    }
    for (const Alias& a : kAliases) {
        if (a.text == text)
            return &kUnits[a.unit];
    }
    return nullptr;
}

const Unit* findQudt(std::string_view localName)
{
    for (const Unit& u : kUnits) {
        if (!u.qudt.empty() && u.qudt == localName)
            return &u;
    }
    return nullptr;
}

const Unit* findFolded(std::string_view text)
{
    for (const Alias& a : kFoldedAliases) {
        if (equalsIgnoreCase(a.text, text))
            return &kUnits[a.unit];
    }
    return nullptr;
}

/// The QUDT local name in "http(s)://qudt.org/vocab/unit/NAME", "<...>" or "unit:NAME".
std::optional<std::string_view> qudtLocalName(std::string_view text)
{
    if (text.size() >= 2 && text.front() == '<' && text.back() == '>')
        text = text.substr(1, text.size() - 2);
    for (std::string_view prefix :
         {std::string_view{"http://qudt.org/vocab/unit/"},
          std::string_view{"https://qudt.org/vocab/unit/"}, std::string_view{"unit:"}}) {
        if (text.starts_with(prefix))
            return text.substr(prefix.size());
    }
    return std::nullopt;
}

std::string quoted(std::string_view text)
{
    std::string out;
    out.reserve(text.size() + 2);
    out += '\'';
    out += text;
    out += '\'';
    return out;
}

/// "'kW' (power)" or "a unit of unknown quantity".
std::string describe(const Unit& unit)
{
    if (unit.quantity == Q::Unknown)
        return "a unit of unknown quantity";
    std::string out = quoted(unit.symbol);
    out += " (";
    out += quantityName(unit.quantity);
    out += ')';
    return out;
}

/// "°C, °F, K" style list of the symbols of one quantity's units.
std::string symbolsOf(Quantity quantity)
{
    std::string out;
    for (const Unit& u : kUnits) {
        if (u.quantity != quantity)
            continue;
        if (!out.empty())
            out += ", ";
        out += u.symbol;
    }
    return out;
}

/// Units whose symbol, QUDT name or alias equals `text` ignoring ASCII case, as
/// "'MW' (megawatt)" items (QUDT local names instead of symbols when `qudtNames`); empty when
/// there is none.
std::string caseSuggestions(std::string_view text, bool qudtNames)
{
    std::array<const Unit*, 4> found{};
    std::size_t count = 0;
    const auto consider = [&](std::string_view spelling, const Unit& unit) {
        if (count == found.size() || !equalsIgnoreCase(spelling, text))
            return;
        if (std::find(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(count), &unit) ==
            found.begin() + static_cast<std::ptrdiff_t>(count))
            found[count++] = &unit;
    };
    for (const Unit& u : kUnits) {
        consider(u.symbol, u);
        if (!u.qudt.empty())
            consider(u.qudt, u);
    }
    for (const Alias& a : kAliases)
        consider(a.text, kUnits[a.unit]);

    std::string out;
    for (std::size_t i = 0; i < count; ++i) {
        if (i > 0)
            out += i + 1 == count ? " or " : ", ";
        const Unit& unit = *found[i];
        out += quoted(qudtNames && !unit.qudt.empty() ? unit.qudt : unit.symbol);
        out += " (";
        out += unit.name;
        out += ')';
    }
    return out;
}

Error unknownUnitError(std::string_view input, std::string_view text, bool isIri)
{
    std::string message = "unknown unit " + quoted(input);
    if (const std::string suggestions = caseSuggestions(text, isIri); !suggestions.empty())
        message += " (units are case-sensitive; did you mean " + suggestions + "?)";
    if (isIri) {
        message += "; TwinDesk knows no QUDT unit of that name: use a QUDT unit IRI such as "
                   "http://qudt.org/vocab/unit/DEG_C or unit:KiloW-HR with the exact spelling "
                   "of a supported unit";
    } else {
        message += "; expected a unit symbol (°C, kW, m³/h, %RH), an ASCII alias (degC, kWh, "
                   "cfm, delta_K), a QUDT local name (DEG_C, KiloW-HR) or a QUDT IRI "
                   "(http://qudt.org/vocab/unit/DEG_C)";
    }
    message += "; the supported units are listed by twindesk::twin::allUnits() in "
               "twindesk/twin/units.h";
    return makeError(ErrorCode::UnknownUnit, std::move(message));
}

/// Extra advice for the mix-ups that happen in practice; empty otherwise.
std::string_view mismatchHint(Quantity a, Quantity b)
{
    const auto either = [&](Quantity x, Quantity y) {
        return (a == x && b == y) || (a == y && b == x);
    };
    if (either(Q::Temperature, Q::TemperatureDifference))
        return " (absolute temperatures use K, °C, °F; temperature differences use ΔK, Δ°C, "
               "Δ°F, alias delta_K, delta_degC, delta_degF)";
    if (either(Q::Ratio, Q::RelativeHumidity) || either(Q::Ratio, Q::Dimensionless))
        return " ('%' and 'fraction' are ratios, '%RH' is relative humidity and '1' is a "
               "dimensionless number)";
    return {};
}

// ---- Brick names ---------------------------------------------------------------------------

/// The '_'/' '/'-' separated words of a Brick local name, compared ignoring ASCII case.
class Words
{
public:
    explicit Words(std::string_view name)
    {
        const auto cut = name.find_last_of("#/:");
        if (cut != std::string_view::npos)
            name.remove_prefix(cut + 1);
        std::size_t start = 0;
        while (start <= name.size() && m_count < m_words.size()) {
            const auto end = std::min(name.find_first_of("_ -", start), name.size());
            if (end > start)
                m_words[m_count++] = name.substr(start, end - start);
            start = end + 1;
        }
    }

    [[nodiscard]] bool has(std::string_view word) const
    {
        for (std::size_t i = 0; i < m_count; ++i) {
            if (equalsIgnoreCase(m_words[i], word))
                return true;
        }
        return false;
    }

    [[nodiscard]] bool hasAny(std::initializer_list<std::string_view> words) const
    {
        return std::any_of(words.begin(), words.end(),
                           [this](std::string_view w) { return has(w); });
    }

private:
    std::array<std::string_view, 24> m_words{};
    std::size_t m_count = 0;
};

} // namespace

// ---- Public API ----------------------------------------------------------------------------

std::span<const Unit> allUnits()
{
    return kUnits;
}

Result<const Unit*> findUnit(std::string_view text)
{
    const std::string_view input = trimmed(text);
    if (input.empty()) {
        return makeError(ErrorCode::UnknownUnit,
                         "empty unit " + quoted(text) +
                             "; expected a unit symbol (°C, kW), an alias (degC, kWh), a QUDT "
                             "local name (DEG_C) or a QUDT IRI "
                             "(http://qudt.org/vocab/unit/DEG_C)");
    }
    if (const Unit* unit = findExact(input))
        return unit;
    if (const auto localName = qudtLocalName(input)) {
        if (const Unit* unit = findQudt(*localName))
            return unit;
        return unknownUnitError(input, *localName, true);
    }
    if (const Unit* unit = findFolded(input))
        return unit;
    return unknownUnitError(input, input, false);
}

double toSi(double value, const Unit& unit)
{
    return value * unit.scale + unit.offset;
}

double fromSi(double si, const Unit& unit)
{
    return (si - unit.offset) / unit.scale;
}

Result<double> convert(double value, const Unit& from, const Unit& to)
{
    if (from.quantity != to.quantity || from.quantity == Q::Unknown) {
        std::string message = "cannot convert from " + describe(from) + " to " + describe(to);
        if (from.quantity == Q::Unknown || to.quantity == Q::Unknown)
            message += ": a value of unknown quantity cannot be converted";
        else
            message += ": the units measure different quantities";
        message += mismatchHint(from.quantity, to.quantity);
        return makeError(ErrorCode::UnitMismatch, std::move(message));
    }
    if (&from == &to)
        return value;
    return fromSi(toSi(value, from), to);
}

Result<double> convert(double value, std::string_view from, std::string_view to)
{
    auto fromUnit = findUnit(from);
    auto toUnit = findUnit(to);
    if (!fromUnit || !toUnit) {
        Error error = !fromUnit ? fromUnit.error() : toUnit.error();
        const auto& known = !fromUnit ? toUnit : fromUnit;
        if (known) {
            const Quantity quantity = (*known)->quantity;
            error.message +=
                "; known " + std::string(quantityName(quantity)) + " units: " + symbolsOf(quantity);
        }
        return error;
    }
    return convert(value, **fromUnit, **toUnit);
}

const Unit& siUnit(Quantity quantity)
{
    const std::size_t i = indexOfQuantity(quantity);
    if (i >= kSiUnitIndex.size() || kSiUnitIndex[i] >= kUnits.size())
        return kUnknownUnit;
    return kUnits[kSiUnitIndex[i]];
}

const Unit& displayUnit(Quantity quantity)
{
    const std::size_t i = indexOfQuantity(quantity);
    if (i >= kDisplayUnitIndex.size() || kDisplayUnitIndex[i] >= kUnits.size())
        return kUnknownUnit;
    return kUnits[kDisplayUnitIndex[i]];
}

std::string_view quantityName(Quantity quantity)
{
    const std::size_t i = indexOfQuantity(quantity);
    return i < kQuantityInfo.size() ? kQuantityInfo[i].name : kQuantityInfo[0].name;
}

Result<Quantity> parseQuantity(std::string_view text)
{
    const std::string_view input = trimmed(text);
    // Compare ignoring ASCII case and the separators '_', '-' and ' '.
    const auto isSeparator = [](char c) { return c == '_' || c == '-' || c == ' '; };
    const auto sameName = [&](std::string_view a, std::string_view b) {
        std::size_t i = 0;
        std::size_t j = 0;
        while (true) {
            while (i < a.size() && isSeparator(a[i]))
                ++i;
            while (j < b.size() && isSeparator(b[j]))
                ++j;
            if (i == a.size() || j == b.size())
                return i == a.size() && j == b.size();
            if (toLowerAscii(a[i]) != toLowerAscii(b[j]))
                return false;
            ++i;
            ++j;
        }
    };
    if (!input.empty()) {
        for (const QuantityInfo& info : kQuantityInfo) {
            if (sameName(info.name, input))
                return info.quantity;
        }
    }
    std::string message = "unknown quantity " + quoted(text) + "; expected one of: ";
    for (std::size_t i = 0; i < kQuantityInfo.size(); ++i) {
        if (i > 0)
            message += ", ";
        message += kQuantityInfo[i].name;
    }
    return makeError(ErrorCode::InvalidArgument, std::move(message));
}

Quantity quantityFromBrickName(std::string_view name)
{
    const Words w(name);
    const bool temperature = w.hasAny({"Temperature", "Dewpoint"});

    if (w.hasAny({"Alarm", "Fault"}) && !w.hasAny({"Setpoint", "Limit", "Parameter"}))
        return Q::Boolean;
    if (temperature && w.hasAny({"Differential", "Difference", "Delta", "Deadband"}))
        return Q::TemperatureDifference;
    if (w.has("Humidity"))
        return w.hasAny({"Absolute", "Specific", "Ratio"}) ? Q::Unknown : Q::RelativeHumidity;
    if (w.has("Enthalpy"))
        return Q::SpecificEnthalpy;
    if (temperature)
        return Q::Temperature;
    if (w.hasAny({"PM1", "PM2.5", "PM10", "Particulate"}))
        return Q::Unknown; // a mass concentration (µg/m³), not a mole fraction
    if (w.hasAny({"CO2", "CO", "NO2", "O3", "Ozone", "Methane", "TVOC", "VOC", "Concentration"}))
        return Q::Concentration;
    if (w.has("Count"))
        return Q::Count;
    if (w.hasAny({"Position", "Percent", "Percentage"}))
        return Q::Ratio;
    if (w.has("Occupancy"))
        return Q::Boolean;
    if (w.has("Pressure"))
        return Q::Pressure;
    if (w.has("Power"))
        return w.has("Factor") ? Q::Dimensionless : Q::Power;
    if (w.has("Energy"))
        return Q::Energy;
    if (w.has("Flow"))
        return w.has("Mass") ? Q::MassFlow : Q::VolumeFlow;
    if (w.has("Frequency"))
        return Q::Frequency;
    if (w.has("Speed") &&
        w.hasAny({"Rotational", "Fan", "Motor", "Pump", "Drive", "VFD", "Compressor"}))
        return Q::Frequency;
    if (w.hasAny({"Speed", "Velocity"}))
        return Q::Speed;
    if (w.hasAny({"Direction", "Angle", "Azimuth", "Tilt"}))
        return Q::Angle;
    if (w.hasAny({"Illuminance", "Lux"}))
        return Q::Illuminance;
    if (w.hasAny({"Irradiance", "Radiance", "Radiation", "Insolation"}))
        return Q::Irradiance;
    if (w.has("Current"))
        return Q::ElectricCurrent;
    if (w.has("Voltage"))
        return Q::Voltage;
    if (w.hasAny({"Time", "Duration", "Runtime", "Hours", "Delay"}))
        return Q::Time;
    if (w.hasAny({"Mass", "Weight"}))
        return Q::Mass;
    if (w.has("Volume"))
        return Q::Volume;
    if (w.has("Area"))
        return Q::Area;
    if (w.hasAny({"Length", "Distance", "Height", "Depth"}))
        return Q::Length;
    if (w.has("Mode"))
        return Q::Unknown;
    if (w.hasAny({"On", "Off", "Run", "Enable", "Disable", "Start", "Stop", "Open", "Close",
                  "Status", "Switch"}))
        return Q::Boolean;
    return Q::Unknown;
}

} // namespace twindesk::twin
