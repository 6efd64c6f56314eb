#pragma once
/// \file units.h
/// Units of measure for building-automation points: a static unit table, lookup by symbol,
/// alias, QUDT local name or QUDT IRI, and linear (scale + offset) conversion.
///
/// Every unit belongs to exactly one Quantity and is defined by its relation to that
/// quantity's SI/base unit:
///
///     si = value * unit.scale + unit.offset        value = (si - unit.offset) / unit.scale
///
/// Base unit per quantity (scale 1, offset 0; see siUnit()):
///   Dimensionless 1 · Ratio fraction · Temperature K · TemperatureDifference ΔK · Power W ·
///   Energy J · VolumeFlow m³/s · MassFlow kg/s · Concentration ppm (mole fraction) ·
///   Pressure Pa · RelativeHumidity %RH · Illuminance lx · Irradiance W/m² · Length m ·
///   Area m² · Volume m³ · Time s · Speed m/s · Angle rad · ElectricCurrent A · Voltage V ·
///   Frequency Hz · Mass kg · Boolean bool · Count count · SpecificEnthalpy J/kg
///
/// Naming decisions (deliberate; keep them when extending the table):
/// - "1" (QUDT UNITLESS) is the unit of **Dimensionless** (COP, power factor, ...). A ratio
///   (damper position, valve command) is **Ratio**, measured in "fraction" (QUDT FRACTION,
///   alias "frac") or "%" (QUDT PERCENT); only Ratio units convert to and from "%".
/// - "K" (QUDT K) is an absolute **Temperature**. Temperature *differences* (ΔT, deadbands,
///   approach) use "ΔK", "Δ°C", "Δ°F" with the ASCII aliases "delta_K", "delta_degC",
///   "delta_degF"; they have no QUDT local name and no offset, so 1 Δ°F = 5/9 ΔK.
/// - "%RH" (QUDT PERCENT_RH) is RelativeHumidity and does not convert to "%" (Ratio).
/// - Concentration is a mole fraction (ppm, ppb). Mass concentrations (mg/m³, µg/m³) need a
///   molar mass and are not in the table.
/// - "inH2O" is the conventional inch of water, ρ = 1000 kg/m³ and g_n = 9.80665 m/s²:
///   1 inH2O = 0.0254 × 1000 × 9.80665 = 249.08891 Pa (QUDT IN_H2O, "at 4 °C").
///   "inHg" is the conventional inch of mercury at 0 °C, 3386.389 Pa.
/// - "TR" (aliases "ton", "tons", "RT"; QUDT TON_FG) is the ton of refrigeration, 12 000 BTU/h
///   = 3516.8528 W. BTU is the International Table BTU (1055.05585262 J); "therm" is the US
///   therm (105 480 400 J); "hp" is mechanical horsepower (745.69987 W); "gal" is the US gallon.
/// - "rpm" (QUDT REV-PER-MIN) is filed under Frequency (1 rpm = 1/60 Hz), as fan and pump
///   speeds are in building automation.
///
/// Failures are reported through Result, never by throwing (only std::bad_alloc while building
/// an error message could escape). Lookups and conversions do not allocate; everything is
/// safe to call concurrently.

#include <twindesk/twin/result.h>

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace twindesk::twin {

/// What a point measures. `Unknown` is first (value 0) so a default-initialised Quantity is
/// Unknown. Persist quantities by quantityName(), never by their numeric value.
enum class Quantity : std::uint8_t {
    Unknown,
    Dimensionless,
    Ratio,
    Temperature,
    TemperatureDifference,
    Power,
    Energy,
    VolumeFlow,
    MassFlow,
    Concentration,
    Pressure,
    RelativeHumidity,
    Illuminance,
    Irradiance,
    Length,
    Area,
    Volume,
    Time,
    Speed,
    Angle,
    ElectricCurrent,
    Voltage,
    Frequency,
    Mass,
    Boolean,
    Count,
    SpecificEnthalpy, ///< J/kg, kJ/kg, BTU/lb (air-side enthalpy sensors)
};

/// Every Quantity, in declaration order (Unknown first).
inline constexpr std::array kAllQuantities{
    Quantity::Unknown,
    Quantity::Dimensionless,
    Quantity::Ratio,
    Quantity::Temperature,
    Quantity::TemperatureDifference,
    Quantity::Power,
    Quantity::Energy,
    Quantity::VolumeFlow,
    Quantity::MassFlow,
    Quantity::Concentration,
    Quantity::Pressure,
    Quantity::RelativeHumidity,
    Quantity::Illuminance,
    Quantity::Irradiance,
    Quantity::Length,
    Quantity::Area,
    Quantity::Volume,
    Quantity::Time,
    Quantity::Speed,
    Quantity::Angle,
    Quantity::ElectricCurrent,
    Quantity::Voltage,
    Quantity::Frequency,
    Quantity::Mass,
    Quantity::Boolean,
    Quantity::Count,
    Quantity::SpecificEnthalpy,
};

/// One unit of the static table. All strings are static (UTF-8); a `const Unit&` or
/// `const Unit*` returned by this header points into one static table and stays valid for the
/// life of the program, so units can be compared by address.
struct Unit
{
    std::string_view symbol; ///< canonical display symbol, e.g. "°C", "m³/h" (unique)
    Quantity quantity = Quantity::Unknown;
    double scale = 1.0;    ///< si = value * scale + offset
    double offset = 0.0;   ///< non-zero only for °C and °F
    std::string_view qudt; ///< QUDT local name, e.g. "DEG_C"; empty when QUDT has none
    std::string_view name; ///< English name, e.g. "degree Celsius"
};

/// The whole unit table, grouped by quantity (the order is stable but not otherwise
/// meaningful). Does not contain the placeholder unit of Quantity::Unknown.
std::span<const Unit> allUnits();

/// Looks a unit up by its text, after trimming surrounding ASCII whitespace. Accepted
/// (case-sensitive; no spelling names two units, which the table checks at compile time):
///   - the symbol ("°C", "kW", "m³/h", "%RH");
///   - the QUDT local name ("DEG_C", "KiloW-HR", "FT3-PER-MIN");
///   - an alias ("degC", "C", "Cel", "kWh", "m3/h", "cfm", "delta_K", "ton", ...);
///   - a QUDT IRI `http://qudt.org/vocab/unit/NAME` or `https://...`, optionally in angle
///     brackets, or the CURIE `unit:NAME` — NAME must be a QUDT local name, exactly.
/// If none matches (and the text is not an IRI/CURIE), a short fixed list of spellings is
/// matched ignoring ASCII case, chosen so that no other unit differs from them only in letter
/// case: kw, kwh, btu, btu/h, btuh, kbtu, therm, cfm, gpm, psi, kpa, hpa, ppm, ppb, %rh,
/// inh2o, inwc, inhg, lux, lx, degc, degf, delta_degc, delta_degf, delta_k, hz, rpm, bool,
/// boolean, count, hp, l/s, l/min, m3/h, m3/s, kg/s, kg/h, fpm. Prefix letters whose meaning
/// depends on case (m/M for milli/mega: "mW" vs "MW", "mbar", "mWh") are never folded.
/// Errors: UnknownUnit for empty input or unknown text; the message quotes the input, says
/// what is accepted and, when the text matches a unit except for letter case, suggests it.
/// `Error::where` is left empty for the caller to fill.
Result<const Unit*> findUnit(std::string_view text);

/// Converts `value` from one unit to another of the same quantity. NaN stays NaN and ±∞ stays
/// ±∞ (scaled), so missing samples pass through unchanged; the result is exact (== value)
/// when `from` and `to` are the same unit.
/// Errors: UnitMismatch when the quantities differ (or either is Unknown); the message names
/// both units and both quantities.
Result<double> convert(double value, const Unit& from, const Unit& to);

/// As above, looking both units up with findUnit() first.
/// Errors: UnknownUnit naming the unknown text (and, when the other unit is known, listing
/// the units of its quantity); UnitMismatch as above.
Result<double> convert(double value, std::string_view from, std::string_view to);

/// `value` in `unit` expressed in the quantity's base unit (see the table above).
double toSi(double value, const Unit& unit);

/// `si` (in the quantity's base unit) expressed in `unit`.
double fromSi(double si, const Unit& unit);

/// The base unit of a quantity (scale 1, offset 0). For Quantity::Unknown: a placeholder unit
/// with empty symbol, quantity Unknown, scale 1, offset 0 (it is not in allUnits()).
const Unit& siUnit(Quantity quantity);

/// The unit TwinDesk shows a quantity in by default: °C, ΔK, kW, kWh, L/s, kg/s, ppm, Pa,
/// %RH, %, lx, W/m², m, m², m³, s, m/s, deg, A, V, Hz, kg, bool, count, 1, kJ/kg.
/// For Quantity::Unknown: the same placeholder as siUnit(Quantity::Unknown).
const Unit& displayUnit(Quantity quantity);

/// snake_case name: "unknown", "dimensionless", "ratio", "temperature",
/// "temperature_difference", "power", "energy", "volume_flow", "mass_flow", "concentration",
/// "pressure", "relative_humidity", "illuminance", "irradiance", "length", "area", "volume",
/// "time", "speed", "angle", "electric_current", "voltage", "frequency", "mass", "boolean",
/// "count", "specific_enthalpy". Stable: use it to persist a Quantity.
std::string_view quantityName(Quantity quantity);

/// Inverse of quantityName(). Also accepts other letter case and the enumerator spelling
/// ("VolumeFlow", "volume flow"): the comparison ignores ASCII case and the separators '_',
/// '-' and ' '. Surrounding whitespace is trimmed. "unknown" parses to Quantity::Unknown.
/// Errors: InvalidArgument quoting the input and listing the valid names.
Result<Quantity> parseQuantity(std::string_view text);

/// Guesses the quantity from a Brick class or Brick quantity name, e.g.
/// "Zone_Air_Temperature_Sensor" → Temperature. Accepts a bare local name, a CURIE
/// ("brick:CO2_Level_Sensor") or a full IRI (everything up to the last '#', '/' or ':' is
/// dropped). The name is split into words at '_' (also ' ' and '-'); words compare
/// case-insensitively. The first matching rule wins:
///  1. Alarm or Fault, without Setpoint/Limit/Parameter            → Boolean
///  2. Temperature or Dewpoint with Differential/Difference/Delta/Deadband
///                                                                  → TemperatureDifference
///  3. Humidity with Absolute/Specific/Ratio                        → Unknown
///  4. Humidity                                                     → RelativeHumidity
///  5. Enthalpy                                                     → SpecificEnthalpy
///  6. Temperature, Dewpoint                                        → Temperature
///  7. PM1/PM2.5/PM10/Particulate (mass concentration)             → Unknown
///  8. CO2, CO, NO2, O3, Ozone, Methane, TVOC, VOC, Concentration   → Concentration
///  9. Count                                                        → Count
/// 10. Position, Percent, Percentage                                → Ratio
/// 11. Occupancy                                                    → Boolean
/// 12. Pressure                                                     → Pressure
/// 13. Power with Factor                                            → Dimensionless
/// 14. Power                                                        → Power
/// 15. Energy                                                       → Energy
/// 16. Flow with Mass → MassFlow; Flow                              → VolumeFlow
/// 17. Frequency                                                    → Frequency
/// 18. Speed with Rotational/Fan/Motor/Pump/Drive/VFD/Compressor    → Frequency
/// 19. Speed, Velocity                                              → Speed
/// 20. Direction, Angle, Azimuth, Tilt                              → Angle
/// 21. Illuminance, Lux                                             → Illuminance
/// 22. Irradiance, Radiance, Radiation, Insolation                  → Irradiance
/// 23. Current → ElectricCurrent; Voltage                           → Voltage
/// 24. Time, Duration, Runtime, Hours, Delay                        → Time
/// 25. Mass/Weight → Mass; Volume → Volume; Area → Area; Length/Distance/Height/Depth → Length
/// 26. Mode                                                         → Unknown
/// 27. On, Off, Run, Enable, Disable, Start, Stop, Open, Close, Status, Switch → Boolean
/// Otherwise Unknown. Only the first 24 words are considered.
Quantity quantityFromBrickName(std::string_view name);

} // namespace twindesk::twin
