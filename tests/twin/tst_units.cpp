// Tests for twindesk/twin/units.h: the unit table, lookup, conversion and Brick heuristics.
#include "test_registry.h"

#include <twindesk/twin/units.h>

#include <QObject>
#include <QSet>
#include <QString>
#include <QtTest>

#include <cmath>
#include <limits>
#include <numbers>
#include <string>
#include <string_view>

using twindesk::twin::allUnits;
using twindesk::twin::convert;
using twindesk::twin::displayUnit;
using twindesk::twin::ErrorCode;
using twindesk::twin::findUnit;
using twindesk::twin::fromSi;
using twindesk::twin::kAllQuantities;
using twindesk::twin::parseQuantity;
using twindesk::twin::Quantity;
using twindesk::twin::quantityFromBrickName;
using twindesk::twin::quantityName;
using twindesk::twin::siUnit;
using twindesk::twin::toSi;
using twindesk::twin::Unit;

namespace {

QString qs(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

std::string utf8(const QString& text)
{
    return text.toStdString();
}

/// |actual - expected| <= tolerance * |expected| (absolute tolerance when expected is 0).
bool closeTo(double actual, double expected, double tolerance)
{
    const double scale = expected == 0.0 ? 1.0 : std::abs(expected);
    return std::abs(actual - expected) <= tolerance * scale;
}

QString describe(double actual, double expected)
{
    return QStringLiteral("actual %1, expected %2")
        .arg(actual, 0, 'g', 17)
        .arg(expected, 0, 'g', 17);
}

constexpr std::string_view kQudtPrefix = "http://qudt.org/vocab/unit/";

} // namespace

class TestUnits : public QObject
{
    Q_OBJECT

    // QtTest requires the "<test>_data" names.
    // NOLINTBEGIN(readability-identifier-naming)
private Q_SLOTS:
    void temperatureConversion_data();
    void temperatureConversion();
    void temperatureDifference_data();
    void temperatureDifference();
    void conversion_data();
    void conversion();
    void sameUnitIsExact();
    void findByQudtIri_data();
    void findByQudtIri();
    void findByAlias_data();
    void findByAlias();
    void caseInsensitiveFallback_data();
    void caseInsensitiveFallback();
    void everyUnitIsFoundByItsSpellings();
    void roundTripThroughSi();
    void siUnits();
    void displayUnits_data();
    void displayUnits();
    void unknownUnit_data();
    void unknownUnit();
    void emptyUnitIsError_data();
    void emptyUnitIsError();
    void quantityMismatch_data();
    void quantityMismatch();
    void mismatchNamesBothUnits();
    void mismatchExplainsTemperatureDifferences();
    void unknownQuantityDoesNotConvert();
    void convertNamesUnknownUnit();
    void nanPassesThrough();
    void quantityNamesRoundTrip();
    void parseQuantityLenient_data();
    void parseQuantityLenient();
    void parseQuantityError_data();
    void parseQuantityError();
    void brickNames_data();
    void brickNames();
    // NOLINTEND(readability-identifier-naming)
};

void TestUnits::temperatureConversion_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::addColumn<double>("expected");

    struct Point
    {
        double celsius;
        double fahrenheit;
        double kelvin;
    };
    // Every ordered pair (including identity) of °C/°F/K at each reference point.
    const Point points[] = {
        {0.0, 32.0, 273.15},  {-40.0, -40.0, 233.15},  {100.0, 212.0, 373.15},
        {37.0, 98.6, 310.15}, {-273.15, -459.67, 0.0},
    };
    const char* symbols[] = {"°C", "°F", "K"};
    for (const Point& p : points) {
        const double values[] = {p.celsius, p.fahrenheit, p.kelvin};
        for (int from = 0; from < 3; ++from) {
            for (int to = 0; to < 3; ++to) {
                QTest::addRow("%g %s -> %s", values[from], symbols[from], symbols[to])
                    << values[from] << QString::fromUtf8(symbols[from])
                    << QString::fromUtf8(symbols[to]) << values[to];
            }
        }
    }
}

void TestUnits::temperatureConversion()
{
    QFETCH(double, value);
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(double, expected);

    const auto result = convert(value, utf8(from), utf8(to));
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(qs(result.error().message)));
    QVERIFY2(std::abs(*result - expected) <= 1e-9, qPrintable(describe(*result, expected)));
}

void TestUnits::temperatureDifference_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::addColumn<double>("expected");

    const auto row = [](const char* name, double value, const char* from, const char* to,
                        double expected) {
        QTest::newRow(name) << value << QString::fromUtf8(from) << QString::fromUtf8(to)
                            << expected;
    };
    row("1 Δ°C = 1 ΔK", 1.0, "Δ°C", "ΔK", 1.0);
    row("1 ΔK = 1.8 Δ°F", 1.0, "ΔK", "Δ°F", 1.8);
    row("9 Δ°F = 5 Δ°C", 9.0, "Δ°F", "Δ°C", 5.0);
    row("ascii aliases", 18.0, "delta_degF", "delta_K", 10.0);
    row("delta_degC", -3.5, "delta_degC", "delta_degF", -6.3);
}

void TestUnits::temperatureDifference()
{
    QFETCH(double, value);
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(double, expected);

    const auto result = convert(value, utf8(from), utf8(to));
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(qs(result.error().message)));
    QVERIFY2(std::abs(*result - expected) <= 1e-9, qPrintable(describe(*result, expected)));
}

void TestUnits::conversion_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::addColumn<double>("expected");
    QTest::addColumn<double>("tolerance"); // relative

    const auto row = [](const char* name, double value, const char* from, const char* to,
                        double expected, double tolerance = 1e-12) {
        QTest::newRow(name) << value << QString::fromUtf8(from) << QString::fromUtf8(to) << expected
                            << tolerance;
    };
    // Power: 1 TR = 12 000 BTU/h; BTU (IT) = 1055.05585262 J.
    row("1 TR -> W", 1.0, "TR", "W", 3516.852842066667);
    row("1 ton -> W (brief: 3516.8528)", 1.0, "ton", "W", 3516.8528, 1e-7);
    row("1 BTU/h -> W", 1.0, "BTU/h", "W", 0.29307107017222222);
    row("1 BTU/h -> W (brief: 0.29307107)", 1.0, "BTU_IT-PER-HR", "W", 0.29307107, 1e-8);
    row("1 hp -> W", 1.0, "hp", "W", 745.69987158227022);
    row("2.5 MW -> kW", 2.5, "MW", "kW", 2500.0);
    // Energy
    row("1 kWh -> J", 1.0, "kWh", "J", 3.6e6);
    row("1 MWh -> kWh", 1.0, "MWh", "kWh", 1000.0);
    row("1 therm -> MJ", 1.0, "therm", "MJ", 105.4804);
    row("1 therm -> J", 1.0, "THM_US", "J", 105480400.0);
    row("1 BTU -> J", 1.0, "BTU", "J", 1055.05585262);
    row("1 kBTU -> kWh", 1.0, "kBTU", "kWh", 0.29307107017222222);
    row("1 GJ -> MWh", 1.0, "GJ", "MWh", 1.0 / 3.6);
    // Volume flow: 1 ft³ = 0.028316846592 m³, 1 US gal = 3.785411784 L.
    row("1 cfm -> L/s", 1.0, "cfm", "L/s", 0.4719474432);
    row("1 cfm -> L/s (brief: 0.47194745)", 1.0, "cfm", "L/s", 0.47194745, 1e-7);
    row("1 gpm -> L/s", 1.0, "gpm", "L/s", 0.0630901964);
    row("3.6 m³/h -> L/s", 3.6, "m³/h", "L/s", 1.0);
    row("60 L/min -> L/s", 60.0, "L/min", "L/s", 1.0);
    row("1 m³/s -> cfm", 1.0, "m³/s", "cfm", 2118.880003289315);
    // Mass flow
    row("3600 kg/h -> kg/s", 3600.0, "kg/h", "kg/s", 1.0);
    row("1 lb/h -> kg/h", 1.0, "lb/h", "kg/h", 0.45359237);
    // Pressure: conventional inch of water, 0.0254 m × 1000 kg/m³ × 9.80665 m/s².
    row("1 inH2O -> Pa", 1.0, "inH2O", "Pa", 249.08891);
    row("1 inWC -> Pa", 1.0, "inWC", "Pa", 249.08891);
    row("1 psi -> Pa", 1.0, "psi", "Pa", 6894.757293168361);
    row("1 inHg -> Pa", 1.0, "inHg", "Pa", 3386.389);
    row("1 bar -> kPa", 1.0, "bar", "kPa", 100.0);
    row("1013.25 hPa -> kPa", 1013.25, "hPa", "kPa", 101.325);
    row("1 mbar -> hPa", 1.0, "mbar", "hPa", 1.0);
    // Concentration
    row("1 ppm -> ppb", 1.0, "ppm", "ppb", 1000.0);
    row("450 ppm -> ppb", 450.0, "ppm", "ppb", 450000.0);
    row("1500 ppb -> ppm", 1500.0, "ppb", "ppm", 1.5);
    // Ratio
    row("35 % -> fraction", 35.0, "%", "fraction", 0.35);
    row("0.35 fraction -> %", 0.35, "frac", "%", 35.0);
    // Illuminance, length, area, volume
    row("1 fc -> lx", 1.0, "fc", "lx", 10.763910416709722);
    row("1 ft -> m", 1.0, "ft", "m", 0.3048);
    row("12 in -> ft", 12.0, "in", "ft", 1.0);
    row("1 km -> mm", 1.0, "km", "mm", 1e6);
    row("1 ft² -> m²", 1.0, "ft²", "m²", 0.09290304);
    row("1 gal -> L", 1.0, "gal", "L", 3.785411784);
    row("1 m³ -> ft³", 1.0, "m³", "ft³", 35.31466672148859);
    // Time, speed, angle, frequency
    row("1 d -> h", 1.0, "d", "h", 24.0);
    row("90 min -> h", 90.0, "min", "h", 1.5);
    row("36 km/h -> m/s", 36.0, "km/h", "m/s", 10.0);
    row("1 m/s -> ft/min", 1.0, "m/s", "ft/min", 196.8503937007874);
    row("60 mph -> km/h", 60.0, "mph", "km/h", 96.56064);
    row("90 deg -> rad", 90.0, "deg", "rad", std::numbers::pi / 2.0);
    row("1800 rpm -> Hz", 1800.0, "rpm", "Hz", 30.0);
    row("20 mA -> A", 20.0, "mA", "A", 0.02);
    // Mass, enthalpy (1 BTU/lb = 2.326 kJ/kg by the definition of the IT BTU)
    row("1 lb -> kg", 1.0, "lb", "kg", 0.45359237);
    row("1 BTU/lb -> kJ/kg", 1.0, "BTU/lb", "kJ/kg", 2.326);
}

void TestUnits::conversion()
{
    QFETCH(double, value);
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(double, expected);
    QFETCH(double, tolerance);

    const auto result = convert(value, utf8(from), utf8(to));
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(qs(result.error().message)));
    QVERIFY2(closeTo(*result, expected, tolerance), qPrintable(describe(*result, expected)));

    // And back again.
    const auto back = convert(*result, utf8(to), utf8(from));
    QVERIFY(back.ok());
    QVERIFY2(closeTo(*back, value, 1e-12), qPrintable(describe(*back, value)));
}

void TestUnits::sameUnitIsExact()
{
    for (const double value : {0.1, -40.0, 1.0 / 3.0, 98.6}) {
        const auto same = convert(value, "°F", "°F");
        QVERIFY(same.ok());
        QVERIFY(*same == value); // bit-exact, not QCOMPARE's fuzzy compare
        const auto spellings = convert(value, "degF", "http://qudt.org/vocab/unit/DEG_F");
        QVERIFY(spellings.ok());
        QVERIFY(*spellings == value);
    }
}

void TestUnits::findByQudtIri_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("symbol");

    const auto row = [](const char* name, const char* text, const char* symbol) {
        QTest::newRow(name) << QString::fromUtf8(text) << QString::fromUtf8(symbol);
    };
    row("http DEG_C", "http://qudt.org/vocab/unit/DEG_C", "°C");
    row("https KiloW-HR", "https://qudt.org/vocab/unit/KiloW-HR", "kWh");
    row("angle brackets", "<http://qudt.org/vocab/unit/FT3-PER-MIN>", "cfm");
    row("CURIE", "unit:PERCENT_RH", "%RH");
    row("whitespace", "  http://qudt.org/vocab/unit/IN_H2O \n", "inH2O");
    row("K is absolute", "http://qudt.org/vocab/unit/K", "K");
    row("TON_FG", "http://qudt.org/vocab/unit/TON_FG", "TR");
    row("BTU_IT-PER-HR", "http://qudt.org/vocab/unit/BTU_IT-PER-HR", "BTU/h");
    row("THM_US", "http://qudt.org/vocab/unit/THM_US", "therm");
    row("GAL_US-PER-MIN", "http://qudt.org/vocab/unit/GAL_US-PER-MIN", "gpm");
    row("UNITLESS", "http://qudt.org/vocab/unit/UNITLESS", "1");
    row("FRACTION", "http://qudt.org/vocab/unit/FRACTION", "fraction");
    row("PERCENT", "http://qudt.org/vocab/unit/PERCENT", "%");
    row("PPM", "http://qudt.org/vocab/unit/PPM", "ppm");
    row("LUX", "http://qudt.org/vocab/unit/LUX", "lx");
    row("W-PER-M2", "http://qudt.org/vocab/unit/W-PER-M2", "W/m²");
}

void TestUnits::findByQudtIri()
{
    QFETCH(QString, text);
    QFETCH(QString, symbol);

    const auto unit = findUnit(utf8(text));
    QVERIFY2(unit.ok(), unit.ok() ? "" : qPrintable(qs(unit.error().message)));
    QCOMPARE(qs((*unit)->symbol), symbol);
}

void TestUnits::findByAlias_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("symbol");

    const auto row = [](const char* text, const char* symbol) {
        QTest::newRow(text) << QString::fromUtf8(text) << QString::fromUtf8(symbol);
    };
    row("degC", "°C");
    row("C", "°C");
    row("DEG_C", "°C");
    row("Cel", "°C");
    row("℃", "°C");
    row("degF", "°F");
    row("F", "°F");
    row("DEG_F", "°F");
    row("K", "K");
    row("delta_K", "ΔK");
    row("delta_degC", "Δ°C");
    row("delta_degF", "Δ°F");
    row("kW", "kW");
    row("KiloW", "kW");
    row("MW", "MW");
    row("Btu/h", "BTU/h");
    row("ton", "TR");
    row("HP", "hp");
    row("kWh", "kWh");
    row("KiloW-HR", "kWh");
    row("MegaW-HR", "MWh");
    row("BTU_IT", "BTU");
    row("CFM", "cfm");
    row("FT3-PER-MIN", "cfm");
    row("GPM", "gpm");
    row("m3/h", "m³/h");
    row("M3-PER-HR", "m³/h");
    row("L-PER-SEC", "L/s");
    row("l/s", "L/s");
    row("PSI", "psi");
    row("IN_H2O", "inH2O");
    row("inWC", "inH2O");
    row("%RH", "%RH");
    row("PERCENT_RH", "%RH");
    row("%", "%");
    row("percent", "%");
    row("1", "1");
    row("frac", "fraction");
    row("FC", "fc");
    row("lux", "lx");
    row("W/m2", "W/m²");
    row("m2", "m²");
    row("FT2", "ft²");
    row("GAL_US", "gal");
    row("SEC", "s");
    row("HR", "h");
    row("DAY", "d");
    row("M-PER-SEC", "m/s");
    row("°", "deg");
    row("DEG", "deg");
    row("KiloGM", "kg");
    row("bool", "bool");
    row("count", "count");
    row("  kW  ", "kW");
    row("\tdegC\n", "°C");
}

void TestUnits::findByAlias()
{
    QFETCH(QString, text);
    QFETCH(QString, symbol);

    const auto unit = findUnit(utf8(text));
    QVERIFY2(unit.ok(), unit.ok() ? "" : qPrintable(qs(unit.error().message)));
    QCOMPARE(qs((*unit)->symbol), symbol);
}

void TestUnits::caseInsensitiveFallback_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("symbol"); // empty: must be an UnknownUnit error

    const auto row = [](const char* name, const char* text, const char* symbol) {
        QTest::newRow(name) << QString::fromUtf8(text) << QString::fromUtf8(symbol);
    };
    row("kwh", "kwh", "kWh");
    row("KWH", "KWH", "kWh");
    row("KW", "KW", "kW");
    row("Cfm", "Cfm", "cfm");
    row("DEGC", "DEGC", "°C");
    row("KPA", "KPA", "kPa");
    row("Ppm", "Ppm", "ppm");
    row("HZ", "HZ", "Hz");
    row("mW is not MW", "mW", "");
    row("mw", "mw", "");
    row("mwh", "mwh", "");
    row("MWH", "MWH", "");
    row("Mbar", "Mbar", "");
    row("qudt name case", "deg_c", "");
    row("iri is exact", "http://qudt.org/vocab/unit/kilow-hr", "");
}

void TestUnits::caseInsensitiveFallback()
{
    QFETCH(QString, text);
    QFETCH(QString, symbol);

    const auto unit = findUnit(utf8(text));
    if (symbol.isEmpty()) {
        QVERIFY(!unit.ok());
        QCOMPARE(unit.error().code, ErrorCode::UnknownUnit);
        QVERIFY2(unit.error().message.find("did you mean") != std::string::npos,
                 unit.error().message.c_str());
    } else {
        QVERIFY2(unit.ok(), unit.ok() ? "" : qPrintable(qs(unit.error().message)));
        QCOMPARE(qs((*unit)->symbol), symbol);
    }
}

void TestUnits::everyUnitIsFoundByItsSpellings()
{
    QVERIFY(allUnits().size() >= 80);
    QSet<QString> symbols;
    for (const Unit& unit : allUnits()) {
        const QString symbol = qs(unit.symbol);
        QVERIFY2(!symbol.isEmpty(), qPrintable(qs(unit.name)));
        QVERIFY2(!symbols.contains(symbol), qPrintable(symbol));
        symbols.insert(symbol);
        QVERIFY2(unit.quantity != Quantity::Unknown, qPrintable(symbol));
        QVERIFY2(unit.scale > 0.0, qPrintable(symbol));
        QVERIFY2(!unit.name.empty(), qPrintable(symbol));

        const auto bySymbol = findUnit(unit.symbol);
        QVERIFY2(bySymbol.ok() && *bySymbol == &unit, qPrintable(symbol));
        if (!unit.qudt.empty()) {
            const auto byName = findUnit(unit.qudt);
            QVERIFY2(byName.ok() && *byName == &unit, qPrintable(qs(unit.qudt)));
            const std::string iri = std::string(kQudtPrefix) + std::string(unit.qudt);
            const auto byIri = findUnit(iri);
            QVERIFY2(byIri.ok() && *byIri == &unit, iri.c_str());
            const auto byHttps = findUnit("https://qudt.org/vocab/unit/" + std::string(unit.qudt));
            QVERIFY2(byHttps.ok() && *byHttps == &unit, qPrintable(qs(unit.qudt)));
        }
    }
}

void TestUnits::roundTripThroughSi()
{
    for (const Unit& unit : allUnits()) {
        const Unit& si = siUnit(unit.quantity);
        for (const double value : {1.0, -17.5, 123.456, 1e6, 1e-3, 0.0}) {
            const double inSi = toSi(value, unit);
            const double back = fromSi(inSi, unit);
            QVERIFY2(closeTo(back, value, 1e-9),
                     qPrintable(qs(unit.symbol) + ": " + describe(back, value)));

            const auto viaConvert = convert(value, unit, si);
            QVERIFY2(viaConvert.ok(), qPrintable(qs(unit.symbol)));
            QVERIFY2(closeTo(*viaConvert, inSi, 1e-12),
                     qPrintable(qs(unit.symbol) + ": " + describe(*viaConvert, inSi)));
            const auto viaDisplay = convert(value, unit, displayUnit(unit.quantity));
            QVERIFY2(viaDisplay.ok(), qPrintable(qs(unit.symbol)));
            const auto backFromDisplay = convert(*viaDisplay, displayUnit(unit.quantity), unit);
            QVERIFY(backFromDisplay.ok());
            QVERIFY2(closeTo(*backFromDisplay, value, 1e-9),
                     qPrintable(qs(unit.symbol) + ": " + describe(*backFromDisplay, value)));
        }
    }
}

void TestUnits::siUnits()
{
    for (const Quantity quantity : kAllQuantities) {
        const QString name = qs(quantityName(quantity));
        const Unit& si = siUnit(quantity);
        QVERIFY2(si.quantity == quantity, qPrintable(name));
        QCOMPARE(si.scale, 1.0);
        QCOMPARE(si.offset, 0.0);
        if (quantity == Quantity::Unknown) {
            QVERIFY(si.symbol.empty());
            QVERIFY(displayUnit(quantity).symbol.empty());
            QVERIFY(displayUnit(quantity).quantity == Quantity::Unknown);
            continue;
        }
        // Base and display units are entries of the table.
        const auto found = findUnit(si.symbol);
        QVERIFY2(found.ok() && *found == &si, qPrintable(name));
        const Unit& display = displayUnit(quantity);
        QVERIFY2(display.quantity == quantity, qPrintable(name));
        const auto foundDisplay = findUnit(display.symbol);
        QVERIFY2(foundDisplay.ok() && *foundDisplay == &display, qPrintable(name));
    }
    QCOMPARE(qs(siUnit(Quantity::Temperature).symbol), QStringLiteral("K"));
    QCOMPARE(qs(siUnit(Quantity::Ratio).symbol), QStringLiteral("fraction"));
    QCOMPARE(qs(siUnit(Quantity::Dimensionless).symbol), QStringLiteral("1"));
    QCOMPARE(qs(siUnit(Quantity::VolumeFlow).symbol), QStringLiteral("m³/s"));
    QCOMPARE(qs(siUnit(Quantity::Concentration).symbol), QStringLiteral("ppm"));
}

void TestUnits::displayUnits_data()
{
    QTest::addColumn<QString>("quantity");
    QTest::addColumn<QString>("symbol");

    const auto row = [](const char* quantity, const char* symbol) {
        QTest::newRow(quantity) << QString::fromUtf8(quantity) << QString::fromUtf8(symbol);
    };
    row("temperature", "°C");
    row("temperature_difference", "ΔK");
    row("power", "kW");
    row("energy", "kWh");
    row("volume_flow", "L/s");
    row("mass_flow", "kg/s");
    row("concentration", "ppm");
    row("pressure", "Pa");
    row("relative_humidity", "%RH");
    row("ratio", "%");
    row("dimensionless", "1");
    row("illuminance", "lx");
    row("irradiance", "W/m²");
    row("length", "m");
    row("area", "m²");
    row("volume", "m³");
    row("time", "s");
    row("speed", "m/s");
    row("angle", "deg");
    row("electric_current", "A");
    row("voltage", "V");
    row("frequency", "Hz");
    row("mass", "kg");
    row("boolean", "bool");
    row("count", "count");
    row("specific_enthalpy", "kJ/kg");
    row("unknown", "");
}

void TestUnits::displayUnits()
{
    QFETCH(QString, quantity);
    QFETCH(QString, symbol);

    const auto parsed = parseQuantity(utf8(quantity));
    QVERIFY(parsed.ok());
    QCOMPARE(qs(displayUnit(*parsed).symbol), symbol);
}

void TestUnits::unknownUnit_data()
{
    QTest::addColumn<QString>("text");

    QTest::newRow("xyz") << "xyz";
    QTest::newRow("furlong") << "furlong";
    QTest::newRow("degK") << "degK";
    QTest::newRow("kWhh") << "kWhh";
    QTest::newRow("mg/m3 (mass concentration)") << "mg/m3";
    QTest::newRow("unknown QUDT IRI") << "http://qudt.org/vocab/unit/DEG_X";
    QTest::newRow("unknown CURIE") << "unit:NOPE";
    QTest::newRow("other vocabulary") << "http://example.org/unit/DEG_C";
    QTest::newRow("symbol with junk") << "°C!";
}

void TestUnits::unknownUnit()
{
    QFETCH(QString, text);

    const auto unit = findUnit(utf8(text));
    QVERIFY(!unit.ok());
    QCOMPARE(unit.error().code, ErrorCode::UnknownUnit);
    const std::string& message = unit.error().message;
    QVERIFY2(message.find("'" + utf8(text) + "'") != std::string::npos, message.c_str());
    QVERIFY2(message.find("QUDT") != std::string::npos, message.c_str()); // says what works
}

void TestUnits::emptyUnitIsError_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("empty") << "";
    QTest::newRow("spaces") << "   ";
    QTest::newRow("tab newline") << "\t\n";
}

void TestUnits::emptyUnitIsError()
{
    QFETCH(QString, text);

    const auto unit = findUnit(utf8(text));
    QVERIFY(!unit.ok());
    QCOMPARE(unit.error().code, ErrorCode::UnknownUnit);
    QVERIFY(!unit.error().message.empty());
}

void TestUnits::quantityMismatch_data()
{
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");

    const auto row = [](const char* name, const char* from, const char* to) {
        QTest::newRow(name) << QString::fromUtf8(from) << QString::fromUtf8(to);
    };
    row("°C -> kW", "°C", "kW");
    row("K -> ΔK (absolute vs difference)", "K", "ΔK");
    row("%RH -> %", "%RH", "%");
    row("1 -> % (dimensionless vs ratio)", "1", "%");
    row("kW -> kWh", "kW", "kWh");
    row("L/s -> kg/s", "L/s", "kg/s");
    row("bool -> count", "bool", "count");
}

void TestUnits::quantityMismatch()
{
    QFETCH(QString, from);
    QFETCH(QString, to);

    const auto result = convert(1.0, utf8(from), utf8(to));
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, ErrorCode::UnitMismatch);
}

void TestUnits::mismatchNamesBothUnits()
{
    const auto byText = convert(20.0, "°C", "kW");
    QVERIFY(!byText.ok());
    QCOMPARE(byText.error().code, ErrorCode::UnitMismatch);
    const std::string& message = byText.error().message;
    for (const char* part : {"°C", "kW", "temperature", "power"})
        QVERIFY2(message.find(part) != std::string::npos, message.c_str());

    const auto celsius = findUnit("degC");
    const auto kilowatt = findUnit("KiloW");
    QVERIFY(celsius.ok() && kilowatt.ok());
    const auto byUnit = convert(20.0, **kilowatt, **celsius);
    QVERIFY(!byUnit.ok());
    QCOMPARE(byUnit.error().code, ErrorCode::UnitMismatch);
    for (const char* part : {"°C", "kW", "temperature", "power"})
        QVERIFY2(byUnit.error().message.find(part) != std::string::npos,
                 byUnit.error().message.c_str());
}

void TestUnits::mismatchExplainsTemperatureDifferences()
{
    const auto result = convert(5.0, "K", "delta_K");
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, ErrorCode::UnitMismatch);
    QVERIFY2(result.error().message.find("delta_K") != std::string::npos,
             result.error().message.c_str());
}

void TestUnits::unknownQuantityDoesNotConvert()
{
    const Unit& unknown = siUnit(Quantity::Unknown);
    const auto self = convert(1.0, unknown, unknown);
    QVERIFY(!self.ok());
    QCOMPARE(self.error().code, ErrorCode::UnitMismatch);
    const auto toKnown = convert(1.0, unknown, siUnit(Quantity::Power));
    QVERIFY(!toKnown.ok());
    QCOMPARE(toKnown.error().code, ErrorCode::UnitMismatch);
}

void TestUnits::convertNamesUnknownUnit()
{
    const auto badTarget = convert(1.0, "degC", "furlong");
    QVERIFY(!badTarget.ok());
    QCOMPARE(badTarget.error().code, ErrorCode::UnknownUnit);
    const std::string& message = badTarget.error().message;
    QVERIFY2(message.find("'furlong'") != std::string::npos, message.c_str());
    // The known side's quantity lists its units.
    QVERIFY2(message.find("temperature units: ") != std::string::npos, message.c_str());
    QVERIFY2(message.find("°F") != std::string::npos, message.c_str());

    const auto badSource = convert(1.0, "nope", "kW");
    QVERIFY(!badSource.ok());
    QCOMPARE(badSource.error().code, ErrorCode::UnknownUnit);
    QVERIFY2(badSource.error().message.find("'nope'") != std::string::npos,
             badSource.error().message.c_str());
    QVERIFY2(badSource.error().message.find("BTU/h") != std::string::npos,
             badSource.error().message.c_str());

    const auto bothBad = convert(1.0, "", "nope");
    QVERIFY(!bothBad.ok());
    QCOMPARE(bothBad.error().code, ErrorCode::UnknownUnit);
}

void TestUnits::nanPassesThrough()
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();

    for (const auto& [from, to] : {std::pair{"°C", "°F"}, std::pair{"kW", "W"},
                                   std::pair{"°F", "K"}, std::pair{"ppm", "ppb"}}) {
        const auto result = convert(nan, from, to);
        QVERIFY2(result.ok(), from);
        QVERIFY2(std::isnan(*result), from);
    }
    const auto celsius = findUnit("°C");
    QVERIFY(celsius.ok());
    QVERIFY(std::isnan(toSi(nan, **celsius)));
    QVERIFY(std::isnan(fromSi(nan, **celsius)));
    const auto same = convert(nan, **celsius, **celsius);
    QVERIFY(same.ok() && std::isnan(*same));

    const auto infinite = convert(inf, "kW", "W");
    QVERIFY(infinite.ok());
    QCOMPARE(*infinite, inf);
    const auto negative = convert(-inf, "°C", "°F");
    QVERIFY(negative.ok());
    QCOMPARE(*negative, -inf);
}

void TestUnits::quantityNamesRoundTrip()
{
    QSet<QString> names;
    for (const Quantity quantity : kAllQuantities) {
        const QString name = qs(quantityName(quantity));
        QVERIFY(!name.isEmpty());
        QVERIFY2(!names.contains(name), qPrintable(name));
        names.insert(name);
        for (const QChar c : name)
            QVERIFY2((c >= u'a' && c <= u'z') || c == u'_', qPrintable(name)); // snake_case

        const auto parsed = parseQuantity(quantityName(quantity));
        QVERIFY2(parsed.ok(), qPrintable(name));
        QVERIFY2(*parsed == quantity, qPrintable(name));
    }
    QCOMPARE(names.size(), static_cast<qsizetype>(kAllQuantities.size()));
    QCOMPARE(static_cast<int>(kAllQuantities.front()), 0);
    QVERIFY(kAllQuantities.front() == Quantity::Unknown);
    QVERIFY(Quantity{} == Quantity::Unknown);

    QCOMPARE(qs(quantityName(Quantity::TemperatureDifference)),
             QStringLiteral("temperature_difference"));
    QCOMPARE(qs(quantityName(Quantity::VolumeFlow)), QStringLiteral("volume_flow"));
    QCOMPARE(qs(quantityName(Quantity::MassFlow)), QStringLiteral("mass_flow"));
    QCOMPARE(qs(quantityName(Quantity::RelativeHumidity)), QStringLiteral("relative_humidity"));
    QCOMPARE(qs(quantityName(Quantity::ElectricCurrent)), QStringLiteral("electric_current"));
    QCOMPARE(qs(quantityName(Quantity::Unknown)), QStringLiteral("unknown"));
}

void TestUnits::parseQuantityLenient_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("name");

    const auto row = [](const char* name, const char* text, const char* quantity) {
        QTest::newRow(name) << QString::fromUtf8(text) << QString::fromUtf8(quantity);
    };
    row("enumerator spelling", "VolumeFlow", "volume_flow");
    row("capitalised, padded", " Temperature ", "temperature");
    row("spaces", "relative humidity", "relative_humidity");
    row("upper case", "TEMPERATURE_DIFFERENCE", "temperature_difference");
    row("hyphen", "mass-flow", "mass_flow");
}

void TestUnits::parseQuantityLenient()
{
    QFETCH(QString, text);
    QFETCH(QString, name);

    const auto parsed = parseQuantity(utf8(text));
    QVERIFY2(parsed.ok(), parsed.ok() ? "" : parsed.error().message.c_str());
    QCOMPARE(qs(quantityName(*parsed)), name);
}

void TestUnits::parseQuantityError_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("nonsense") << "nonsense";
    QTest::newRow("empty") << "";
    QTest::newRow("prefix only") << "temp";
    QTest::newRow("separators only") << "__";
}

void TestUnits::parseQuantityError()
{
    QFETCH(QString, text);

    const auto parsed = parseQuantity(utf8(text));
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.error().code, ErrorCode::InvalidArgument);
    const std::string& message = parsed.error().message;
    QVERIFY2(message.find("'" + utf8(text) + "'") != std::string::npos, message.c_str());
    for (const char* name : {"temperature_difference", "volume_flow", "relative_humidity"})
        QVERIFY2(message.find(name) != std::string::npos, message.c_str());
}

void TestUnits::brickNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("quantity");

    const auto row = [](const char* name, const char* quantity) {
        QTest::newRow(name) << QString::fromUtf8(name) << QString::fromUtf8(quantity);
    };
    row("Zone_Air_Temperature_Sensor", "temperature");
    row("Differential_Temperature", "temperature_difference");
    row("Temperature", "temperature");
    row("CO2_Level_Sensor", "concentration");
    row("CO2_Concentration", "concentration");
    row("Relative_Humidity_Sensor", "relative_humidity");
    row("Humidity", "relative_humidity");
    row("Air_Flow_Sensor", "volume_flow");
    row("Flow", "volume_flow");
    row("Supply_Air_Static_Pressure_Setpoint", "pressure");
    row("Active_Power", "power");
    row("Electrical_Power_Sensor", "power");
    row("Power", "power");
    row("Energy_Usage_Sensor", "energy");
    row("Energy", "energy");
    row("Illuminance_Sensor", "illuminance");
    row("Occupancy_Sensor", "boolean");
    row("Occupancy_Status", "boolean");
    row("Occupancy_Count_Sensor", "count");
    row("Damper_Position_Command", "ratio");
    row("Valve_Position_Sensor", "ratio");
    row("Position", "ratio");
    row("On_Off_Command", "boolean");
    row("On_Off_Status", "boolean");
    row("Run_Status", "boolean");
    row("Enable_Command", "boolean");
    row("Speed", "speed");
    row("Frequency", "frequency");
    row("Solar_Radiance", "irradiance");
    row("Irradiance", "irradiance");
    row("Wind_Speed_Sensor", "speed");
    row("Wind_Direction_Sensor", "angle");
    row("Current", "electric_current");
    row("Voltage", "voltage");
    // More specific rules win over the plain quantity word.
    row("Supply_Air_Temperature_Deadband_Setpoint", "temperature_difference");
    row("High_Temperature_Alarm", "boolean");
    row("Power_Factor_Sensor", "dimensionless");
    row("Velocity_Pressure_Sensor", "pressure");
    row("Fan_Speed_Command", "frequency");
    row("Air_Velocity_Sensor", "speed");
    row("Outside_Air_Enthalpy_Sensor", "specific_enthalpy");
    row("Dewpoint_Sensor", "temperature");
    row("Absolute_Humidity", "unknown");
    row("PM2.5_Level_Sensor", "unknown");
    row("Occupancy_Percentage", "ratio");
    row("Mass_Flow_Sensor", "mass_flow");
    row("Run_Time_Sensor", "time");
    row("Operating_Mode_Status", "unknown");
    row("Luminance_Sensor", "unknown");
    // IRIs, CURIEs and letter case.
    row("brick:Zone_Air_Temperature_Sensor", "temperature");
    row("https://brickschema.org/schema/Brick#CO2_Concentration", "concentration");
    row("https://brickschema.org/schema/Brick#Electric_Current", "electric_current");
    row("zone_air_humidity_setpoint", "relative_humidity");
    row("", "unknown");
    row("Building", "unknown");
}

void TestUnits::brickNames()
{
    QFETCH(QString, name);
    QFETCH(QString, quantity);

    QCOMPARE(qs(quantityName(quantityFromBrickName(utf8(name)))), quantity);
}

TWINDESK_TEST(TestUnits)
#include "tst_units.moc"
