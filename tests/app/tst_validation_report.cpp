// The validation report renderer: one self-contained HTML document with inline SVG charts.
#include "test_registry.h"
#include "validation_report.h"

#include <QRegularExpression>
#include <QTemporaryDir>
#include <QXmlStreamReader>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

using namespace twindesk::app;
namespace fs = std::filesystem;

namespace {

constexpr double kT0 = 1736143200; // 2025-01-06T06:00Z
constexpr const char* kHostile = "<script>alert(\"x\")</script> & 'q'";

ReportSeries series(std::string label, int n, double stepSeconds, double offset)
{
    ReportSeries s{std::move(label), {}};
    s.points.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        s.points.emplace_back(kT0 + stepSeconds * i,
                              offset + 2 * std::sin(i * 0.013) +
                                  (i % 1440 > 180 && i % 1440 < 660 ? 3 : 0));
    return s;
}

ValidationReport sample(bool pass = true)
{
    ValidationReport r;
    r.title = "Validation: adaptive-conference vs fixed-schedule";
    r.recording = "/data/conference-month.twin";
    r.period = "2025-01-06T06:00Z \u2013 2025-02-06T06:00Z";
    r.scope = "conference";
    r.baselineName = "fixed-schedule 1.0.0 3f2a9c1d";
    r.candidateName = "adaptive-conference 1.2.0 9e8d7c6b";
    r.gateFile = "gates/conference.json";
    r.pass = pass;
    r.thresholds = {
        {"energy_kwh", "change \u2264 \u221210 %", "12 345", "10 800", "\u221212.5 %", true},
        {"comfort_violation_kh", "change \u2264 +0.5", "1.20", "1.40", "+0.20", true},
        {"actions_per_day", "\u2264 200", "120", "260", "+140", pass}};
    r.kpis = {{"Energy, all carriers", "kWh", 12345.6, 10800.2},
              {"Net export", "kWh", -120, 35},
              {"Unmet hours", "h", 0, 0},
              {"Cost", "\u20ac", -10, -30},
              {"Equal", "", 5, 5}};
    ReportPlot temp{"Zone air temperature, conference rooms (mean)",
                    "\u00b0C",
                    {},
                    std::pair{20.0, 24.0},
                    false};
    temp.series = {series("baseline", 2880, 60, 20), series("candidate", 2880, 60, 19.5)};
    ReportPlot hosts{"Active hosts", "hosts", {}, {}, true};
    hosts.series = {series("baseline", 48, 3600, 40), series("candidate", 48, 3600, 30)};
    for (auto& s : hosts.series)
        for (auto& p : s.points)
            p.second = std::round(p.second);
    r.plots = {temp, hosts};
    r.notes = {"Weather and occupancy were replayed from the recording."};
    r.generatedBy = "twindesk 0.1.0";
    return r;
}

/// Every <svg ...>...</svg> block of the document.
QStringList svgBlocks(const std::string& html)
{
    QStringList blocks;
    std::size_t pos = 0;
    while ((pos = html.find("<svg", pos)) != std::string::npos) {
        const std::size_t end = html.find("</svg>", pos);
        if (end == std::string::npos) {
            blocks << QString::fromStdString(html.substr(pos)); // unterminated: fails to parse
            break;
        }
        blocks << QString::fromStdString(html.substr(pos, end + 6 - pos));
        pos = end + 6;
    }
    return blocks;
}

QString xmlErrors(const QString& svg)
{
    QXmlStreamReader xml(svg);
    while (!xml.atEnd())
        xml.readNext();
    return xml.hasError() ? xml.errorString() + " at line " + QString::number(xml.lineNumber())
                          : QString();
}

std::size_t count(const std::string& text, const std::string& what)
{
    std::size_t n = 0;
    for (std::size_t pos = text.find(what); pos != std::string::npos;
         pos = text.find(what, pos + what.size()))
        ++n;
    return n;
}

/// The point counts of every <polyline points="..."> in the document.
std::vector<int> polylinePointCounts(const std::string& html)
{
    std::vector<int> counts;
    static const QRegularExpression re(QStringLiteral("<polyline points=\"([^\"]*)\""));
    auto it = re.globalMatch(QString::fromStdString(html));
    while (it.hasNext())
        counts.push_back(static_cast<int>(
            it.next().captured(1).split(QLatin1Char(' '), Qt::SkipEmptyParts).size()));
    return counts;
}

} // namespace

class TestValidationReport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void verdictAndMeta()
    {
        const std::string pass = renderValidationReport(sample(true));
        QVERIFY(pass.starts_with("<!DOCTYPE html>"));
        QVERIFY(pass.find("<header class=\"verdict pass\">") != std::string::npos);
        QVERIFY(pass.find("\u2714 PASS") != std::string::npos);
        QVERIFY(pass.find("verdict fail") == std::string::npos);
        for (const char* meta :
             {"/data/conference-month.twin", "2025-01-06T06:00Z", "fixed-schedule 1.0.0 3f2a9c1d",
              "adaptive-conference 1.2.0 9e8d7c6b", "gates/conference.json", "<dd>conference</dd>"})
            QVERIFY2(pass.find(meta) != std::string::npos, meta);

        const std::string fail = renderValidationReport(sample(false));
        QVERIFY(fail.find("<header class=\"verdict fail\">") != std::string::npos);
        QVERIFY(fail.find("\u2718 FAIL") != std::string::npos);
        QVERIFY(fail.find("verdict pass") == std::string::npos);
    }

    void oneRowPerThreshold()
    {
        const std::string html = renderValidationReport(sample(false));
        const auto begin = html.find("<table class=\"thresholds\">");
        QVERIFY(begin != std::string::npos);
        const std::string table = html.substr(begin, html.find("</table>", begin) - begin);
        QCOMPARE(count(table, "<tr class=\"pass\">"), std::size_t{2});
        QCOMPARE(count(table, "<tr class=\"fail\">"), std::size_t{1});
        // Pass and fail are marked with a sign and a word, not colour alone.
        QCOMPARE(count(table, "\u2714 pass"), std::size_t{2});
        QCOMPARE(count(table, "\u2718 fail"), std::size_t{1});
        QVERIFY(table.find("actions_per_day") != std::string::npos);
        QVERIFY(table.find("\u2264 200") != std::string::npos);
        QVERIFY(table.find("+140") != std::string::npos);
        QVERIFY(html.find("2 of 3 thresholds passed") != std::string::npos);
    }

    void escapesEveryText()
    {
        ValidationReport r = sample();
        r.title = r.recording = r.period = r.scope = r.baselineName = r.candidateName = r.gateFile =
            r.generatedBy = kHostile;
        r.thresholds[0] = {kHostile, kHostile, kHostile, kHostile, kHostile, false};
        r.kpis[0].label = r.kpis[0].unit = kHostile;
        r.plots[0].title = r.plots[0].unit = r.plots[0].series[0].label = kHostile;
        r.notes = {kHostile};
        const std::string html = renderValidationReport(r);
        QVERIFY(html.find("<script") == std::string::npos);
        QVERIFY(html.find("alert(\"x\")") == std::string::npos);
        QVERIFY(html.find("'q'") == std::string::npos);
        QVERIFY(html.find("</script>") == std::string::npos);
        QVERIFY(count(html,
                      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;") >= 15);
        for (const QString& svg : svgBlocks(html))
            QVERIFY2(xmlErrors(svg).isEmpty(), qPrintable(xmlErrors(svg)));
    }

    void selfContained()
    {
        const std::string html = renderValidationReport(sample());
        QVERIFY(html.find("<script") == std::string::npos);
        QVERIFY(html.find("https://") == std::string::npos);
        QCOMPARE(count(html, "http://"), count(html, "xmlns=\"http://www.w3.org/2000/svg\""));
        for (const char* external : {"<link", " src=", "href=", "@import", "url("})
            QVERIFY2(html.find(external) == std::string::npos, external);
        QVERIFY(html.find("<meta charset=\"utf-8\">") != std::string::npos);
        QVERIFY(html.find("@media print") != std::string::npos);
    }

    void svgIsWellFormed()
    {
        const ValidationReport r = sample();
        const std::string html = renderValidationReport(r);
        const QStringList blocks = svgBlocks(html);
        QCOMPARE(blocks.size(), static_cast<qsizetype>(r.kpis.size() + r.plots.size()));
        for (const QString& svg : blocks)
            QVERIFY2(xmlErrors(svg).isEmpty(), qPrintable(xmlErrors(svg) + "\n" + svg.left(400)));
    }

    void kpiBarsHandleZeroNegativeEqual()
    {
        const std::string html = renderValidationReport(sample());
        QVERIFY(html.find("width=\"-") == std::string::npos);
        QVERIFY(html.find("\u2212120 kWh") != std::string::npos); // negative label, real minus
        QVERIFY(html.find("35.0 kWh") != std::string::npos);
        QVERIFY(html.find("\u221230.0 \u20ac") != std::string::npos);
        QVERIFY(html.find("12\u202f346 kWh") != std::string::npos);   // grouped thousands
        QVERIFY(html.find("\u00b10 h") != std::string::npos);         // zero vs zero
        QVERIFY(html.find("\u221212.5\u202f%") != std::string::npos); // the KPI change column
        // Equal values: two bars of the same length.
        const auto equal = html.find("<title>Equal:");
        QVERIFY(equal != std::string::npos);
        const std::string svg = html.substr(equal, html.find("</svg>", equal) - equal);
        QCOMPARE(count(svg, "width=\"376\""), std::size_t{2});
    }

    void bandAndStep()
    {
        ValidationReport r = sample();
        std::string html = renderValidationReport(r);
        QCOMPARE(count(html, "<rect class=\"band\""), std::size_t{1});
        QVERIFY(html.find("band 20.0\u201324.0 \u00b0C") != std::string::npos); // its legend
        // The step plot draws paths of horizontals and verticals, not polylines.
        const auto hosts = html.find("<title id=\"plot1-title\">");
        QVERIFY(hosts != std::string::npos);
        const std::string plot = html.substr(hosts, html.find("</svg>", hosts) - hosts);
        QVERIFY(plot.find("<polyline") == std::string::npos);
        QCOMPARE(count(plot, "<path d=\"M"), std::size_t{2});
        QVERIFY(plot.find('H') != std::string::npos && plot.find('V') != std::string::npos);

        r.plots[0].band.reset();
        html = renderValidationReport(r);
        QVERIFY(html.find("class=\"band\"") == std::string::npos);
    }

    void timeAxis()
    {
        const std::string html = renderValidationReport(sample());
        // Two days of minute data: ticks every few hours with date and clock, UTC.
        QVERIFY(html.find(">01-06 12:00</text>") != std::string::npos);
        QVERIFY(html.find(">01-07 00:00</text>") != std::string::npos);
        QVERIFY(html.find("time (UTC, 2025)") != std::string::npos);

        ValidationReport month = sample();
        month.plots = {month.plots[0]};
        month.plots[0].series = {series("baseline", 44640, 60, 20)};
        const std::string m = renderValidationReport(month);
        // A month: whole days, date only.
        QVERIFY(m.find(">01-08</text>") != std::string::npos);
        QVERIFY(m.find(">02-05</text>") != std::string::npos);
        QVERIFY(m.find(">01-08 00:00</text>") == std::string::npos);
    }

    void downsamplingBoundsTheSize()
    {
        ValidationReport r = sample();
        r.plots.clear();
        for (int p = 0; p < 4; ++p) {
            ReportPlot plot{"Plot " + std::to_string(p), "kW", {}, {}, p == 3};
            plot.series = {series("baseline", 45000, 60, 40), series("candidate", 45000, 60, 35)};
            r.plots.push_back(plot);
        }
        const std::string html = renderValidationReport(r);
        QVERIFY2(html.size() < 2'000'000, qPrintable(QString::number(html.size())));
        const std::vector<int> counts = polylinePointCounts(html);
        QCOMPARE(counts.size(), std::size_t{6}); // 3 line plots × 2 series, one run each
        for (const int n : counts) {
            QVERIFY2(n <= 2 * 900, qPrintable(QString::number(n)));
            QVERIFY(n > 500); // still a detailed line, not a handful of points
        }
        for (const QString& svg : svgBlocks(html))
            QVERIFY(xmlErrors(svg).isEmpty());
        qInfo("4 plots x 2 series x 45000 points: %zu bytes", html.size());
    }

    void nonFinitePointsBreakTheLine()
    {
        ValidationReport r = sample();
        const double nan = std::numeric_limits<double>::quiet_NaN();
        const double inf = std::numeric_limits<double>::infinity();
        ReportPlot plot{"Gaps", "ppm", {}, {}, false};
        plot.series = {series("short", 100, 60, 400), series("long", 45000, 60, 400)};
        plot.series[0].points[50].second = nan;
        plot.series[0].points[70].second = inf;
        plot.series[0].points[71].first = nan;
        for (int i = 20000; i < 25000; ++i) // a long outage in the long series
            plot.series[1].points[static_cast<std::size_t>(i)].second = nan;
        plot.series[1].points[30000].second = -inf;
        r.plots = {plot};
        const std::string html = renderValidationReport(r);
        static const QRegularExpression bad(QStringLiteral("\\b(nan|inf|infinity)\\b"),
                                            QRegularExpression::CaseInsensitiveOption);
        QVERIFY(!bad.match(QString::fromStdString(html)).hasMatch());
        const std::vector<int> counts = polylinePointCounts(html);
        // short: 0–49, 51–69, 72–99; long: before and after the outage.
        QCOMPARE(counts.size(), std::size_t{5});
        QCOMPARE(counts[0], 50);
        QCOMPARE(counts[1], 19);
        QCOMPARE(counts[2], 28);
        for (const QString& svg : svgBlocks(html))
            QVERIFY(xmlErrors(svg).isEmpty());
    }

    void emptyPlotsShowNoData()
    {
        ValidationReport r = sample();
        ReportPlot none{"Nothing", "kW", {}, std::pair{1.0, 2.0}, false};
        ReportPlot emptySeries{
            "Empty series", "kW", {{"baseline", {}}, {"candidate", {}}}, {}, false};
        ReportPlot allNan{"All NaN", "kW", {{"baseline", {{kT0, std::nan("")}}}}, {}, true};
        ReportPlot oneEmpty{
            "One empty", "kW", {series("baseline", 10, 60, 1), {"candidate", {}}}, {}, false};
        r.plots = {none, emptySeries, allNan, oneEmpty};
        const std::string html = renderValidationReport(r);
        QCOMPARE(count(html, ">no data</text>"), std::size_t{3});
        QVERIFY(html.find("candidate (no data)") != std::string::npos);
        const QStringList blocks = svgBlocks(html);
        QCOMPARE(blocks.size(), static_cast<qsizetype>(r.kpis.size() + 4));
        for (const QString& svg : blocks)
            QVERIFY(xmlErrors(svg).isEmpty());

        // A single point and a flat line still get an axis.
        ReportPlot single{"Single", "kW", {{"baseline", {{kT0, 5.0}}}}, {}, false};
        r.plots = {single};
        const std::string one = renderValidationReport(r);
        QVERIFY(one.find("<circle") != std::string::npos);
        QVERIFY(one.find(">no data</text>") == std::string::npos);

        ValidationReport bare;
        const std::string minimal = renderValidationReport(bare);
        QVERIFY(minimal.find("verdict fail") != std::string::npos);
        QVERIFY(minimal.find("no thresholds") != std::string::npos);
        QVERIFY(svgBlocks(minimal).isEmpty());
    }

    void deterministic()
    {
        const ValidationReport r = sample();
        const ValidationReport copy = r; // NOLINT(performance-unnecessary-copy-initialization)
        const std::string first = renderValidationReport(r);
        QCOMPARE(renderValidationReport(r), first);
        QCOMPARE(renderValidationReport(copy), first);
    }

    void writesAtomically()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const fs::path file = fs::path(dir.path().toStdString()) / "report.html";
        const ValidationReport r = sample();
        const twindesk::twin::Status written = writeValidationReport(r, file);
        QVERIFY2(written.ok(), written.ok() ? "" : written.error().toString().c_str());
        std::ifstream in(file, std::ios::binary);
        std::stringstream content;
        content << in.rdbuf();
        QCOMPARE(content.str(), renderValidationReport(r));
        QVERIFY(!fs::exists(file.string() + ".tmp"));
        // Overwriting an existing report works too.
        QVERIFY(writeValidationReport(sample(false), file).ok());

        const fs::path missing = fs::path(dir.path().toStdString()) / "no-such-dir" / "r.html";
        const twindesk::twin::Status failed = writeValidationReport(r, missing);
        QVERIFY(!failed.ok());
        QCOMPARE(failed.error().code, twindesk::twin::ErrorCode::IoError);
        QVERIFY(failed.error().toString().find(missing.string()) != std::string::npos);
        QVERIFY(!fs::exists(missing));
    }
};

TWINDESK_TEST(TestValidationReport)
#include "tst_validation_report.moc"
