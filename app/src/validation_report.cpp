// The validation report: plain string building, inline CSS and SVG, nothing external.
#include "validation_report.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <string_view>
#include <system_error>

namespace twindesk::app {

namespace fs = std::filesystem;

namespace {

// ---------------------------------------------------------------------------------------------
// Text and numbers

/// Escapes the five characters that matter in HTML text, attributes and XML (SVG).
std::string esc(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

/// Three significant digits, scientific where needed ("1.23e-07"), locale-independent.
std::string significant(double value)
{
    std::array<char, 64> buf{};
    const auto result =
        std::to_chars(buf.data(), buf.data() + buf.size(), value, std::chars_format::general, 3);
    const char* begin = buf.data();
    const char* end = result.ptr;
    return {begin, end};
}

/// Fixed-point text, locale-independent (std::to_chars); never "-0".
std::string fixed(double value, int decimals)
{
    std::array<char, 64> buf{};
    auto result = std::to_chars(buf.data(), buf.data() + buf.size(), value,
                                std::chars_format::fixed, decimals);
    if (result.ec != std::errc{}) {
        // Out of range for fixed notation: fall back to the shortest general form.
        result = std::to_chars(buf.data(), buf.data() + buf.size(), value,
                               std::chars_format::general, 6);
    }
    const char* begin = buf.data();
    const char* end = result.ptr;
    std::string text(begin, end);
    if (text.starts_with('-') && text.find_first_not_of("-0.") == std::string::npos)
        text.erase(0, 1); // -0.00 → 0.00
    return text;
}

/// An SVG coordinate: one decimal is enough at screen resolution and keeps the file small.
std::string coord(double value)
{
    std::string text = fixed(value, 1);
    if (text.ends_with(".0"))
        text.resize(text.size() - 2);
    return text;
}

/// A value for a person: significant digits by magnitude, thousands grouped with a narrow
/// no-break space, a real minus sign.
std::string human(double value)
{
    if (!std::isfinite(value))
        return "n/a";
    const double mag = std::fabs(value);
    // Three significant digits or more: 1234, 123, 12.3, 1.23, 0.123, 0.0123.
    int decimals = mag >= 100 || mag == 0 ? 0 : mag >= 10 ? 1 : 2;
    if (mag > 0 && mag < 1e-4)
        return (value < 0 ? "\u2212" : "") + significant(mag);
    if (mag > 0 && mag < 1)
        decimals = std::min(10, 2 - static_cast<int>(std::floor(std::log10(mag))));
    std::string digits = fixed(mag, decimals);
    if (mag < 1e15) {
        const auto point = digits.find('.');
        std::size_t intEnd = point == std::string::npos ? digits.size() : point;
        while (intEnd > 3) {
            intEnd -= 3;
            digits.insert(intEnd, "\u202f");
        }
    }
    const bool negative = value < 0 && digits.find_first_not_of("0.") != std::string::npos;
    return negative ? "\u2212" + digits : digits;
}

/// "+12.3" / "−12.3" / "±0" — a signed difference for a person.
std::string signedHuman(double value)
{
    std::string text = human(value);
    if (text == "n/a" || text.starts_with("\u2212"))
        return text;
    if (text.find_first_not_of("0.") == std::string::npos)
        return "\u00b10";
    return "+" + text;
}

/// The number of characters (code points) of a UTF-8 string, for rough text widths.
std::size_t codePoints(std::string_view text)
{
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

// ---------------------------------------------------------------------------------------------
// Time (UTC, from Unix seconds; std::chrono's calendar, no time zone database, no locale)

struct Civil
{
    int year;
    unsigned month;
    unsigned day;
    int hour;
    int minute;
};

Civil civil(std::int64_t unixSeconds)
{
    const std::int64_t days =
        unixSeconds >= 0 ? unixSeconds / 86400 : -((-unixSeconds + 86399) / 86400);
    const std::int64_t secOfDay = unixSeconds - days * 86400;
    const std::chrono::year_month_day ymd{
        std::chrono::sys_days{std::chrono::days{static_cast<int>(days)}}};
    return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
            static_cast<unsigned>(ymd.day()), static_cast<int>(secOfDay / 3600),
            static_cast<int>(secOfDay % 3600 / 60)};
}

std::string twoDigits(long value)
{
    std::string text = std::to_string(value);
    return text.size() < 2 ? "0" + text : text;
}

struct TimeTicks
{
    std::vector<std::int64_t> at;
    /// Label style: "01-06 12:00" (sub-day spacing), "01-06" (days, weeks), "2025-01-06"
    /// (quarters and longer, where the year changes between ticks).
    enum class Style { Clock, Date, Year } style = Style::Clock;
};

/// Ticks at round UTC times, spaced by the span: minutes, hours, days, weeks (on Mondays).
TimeTicks timeTicks(double t0, double t1)
{
    constexpr std::int64_t kMin = 60;
    constexpr std::int64_t kHour = 3600;
    constexpr std::int64_t kDay = 86400;
    constexpr std::array<std::int64_t, 20> kSteps{
        kMin,      2 * kMin,  5 * kMin,  10 * kMin,  15 * kMin,  30 * kMin, kHour,
        2 * kHour, 3 * kHour, 6 * kHour, 12 * kHour, kDay,       2 * kDay,  7 * kDay,
        14 * kDay, 28 * kDay, 56 * kDay, 91 * kDay,  182 * kDay, 364 * kDay};
    // "01-06" labels are ~5 characters wide, "01-06 12:00" and "2025-01-06" ~11: allow twice
    // as many of the short ones.
    const auto maxTicks = [](std::int64_t s) {
        return s % kDay == 0 && s < 91 * kDay ? 16.0 : 8.0;
    };
    const double span = t1 - t0;
    std::int64_t step = 0;
    for (const std::int64_t s : kSteps) {
        if (span / static_cast<double>(s) <= maxTicks(s)) {
            step = s;
            break;
        }
    }
    if (step == 0) // beyond eight years: whole multiples of 364 days
        step = static_cast<std::int64_t>(std::ceil(span / 8 / (364 * kDay))) * 364 * kDay;
    // Weeks start on Mondays (1970-01-05, day 4 of the epoch); everything else on round times.
    const std::int64_t offset = step % (7 * kDay) == 0 ? 4 * kDay : 0;
    TimeTicks ticks;
    ticks.style = step % kDay != 0   ? TimeTicks::Style::Clock
                  : step < 91 * kDay ? TimeTicks::Style::Date
                                     : TimeTicks::Style::Year;
    const auto first = static_cast<std::int64_t>(
        std::ceil((t0 - static_cast<double>(offset)) / static_cast<double>(step)));
    for (std::int64_t k = first;; ++k) {
        const std::int64_t t = offset + k * step;
        if (static_cast<double>(t) > t1 || ticks.at.size() > 64)
            break;
        ticks.at.push_back(t);
    }
    return ticks;
}

std::string timeLabel(std::int64_t t, TimeTicks::Style style)
{
    const Civil c = civil(t);
    std::string text = twoDigits(c.month) + "-" + twoDigits(c.day);
    if (style == TimeTicks::Style::Year)
        text = std::to_string(c.year) + "-" + text;
    if (style == TimeTicks::Style::Clock)
        text += " " + twoDigits(c.hour) + ":" + twoDigits(c.minute);
    return text;
}

// ---------------------------------------------------------------------------------------------
// Value axis

struct ValueTicks
{
    double lo = 0;
    double step = 1;
    int count = 0; ///< ticks at lo + i·step, i = 0 .. count-1
    int decimals = 0;
    [[nodiscard]] double at(int i) const { return lo + i * step; }
    [[nodiscard]] double hi() const { return at(count - 1); }
};

/// Ticks at 1-2-5 steps covering [lo, hi], about five intervals.
ValueTicks valueTicks(double lo, double hi, bool integral)
{
    if (hi < lo)
        std::swap(lo, hi);
    if (hi - lo <= std::max(std::fabs(hi), 1.0) * 1e-9) { // a flat line: open it up
        const double pad = std::max(std::fabs(hi) * 0.1, 1.0);
        lo -= pad;
        hi += pad;
    }
    const double raw = (hi - lo) / 5;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double norm = raw / mag;
    double step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
    if (integral)
        step = std::max(step, 1.0);
    ValueTicks ticks;
    ticks.step = step;
    const double first = std::floor(lo / step + 1e-9);
    const double last = std::ceil(hi / step - 1e-9);
    ticks.lo = first * step;
    ticks.count = static_cast<int>(last - first) + 1;
    ticks.decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
    return ticks;
}

// ---------------------------------------------------------------------------------------------
// Time-series plots

constexpr int kPlotWidth = 900;
constexpr int kPlotHeight = 320;
constexpr double kLeft = 72;   // plot area, in SVG pixels
constexpr double kRight = 884; // leaves room for the last time label
constexpr double kTop = 40;
constexpr double kBottom = 282;
constexpr std::size_t kDownsampleAbove = 2000;

constexpr std::array<const char*, 6> kPalette{"#4e79a7", "#e8702a", "#59a14f",
                                              "#b07aa1", "#9c755f", "#76b7b2"};

const char* seriesColour(std::size_t index)
{
    return kPalette[index % kPalette.size()];
}

/// A point that can be drawn: finite, and a time within a few thousand years of 1970 (so the
/// calendar and tick arithmetic stay in range).
bool finitePoint(const std::pair<double, double>& p)
{
    constexpr double kTimeLimit = 1e11;
    return std::isfinite(p.first) && std::isfinite(p.second) && std::fabs(p.first) < kTimeLimit;
}

/// A drawable run of points in SVG coordinates; `until` extends a step line to where the
/// series broke off (NaN), when known.
struct Run
{
    std::vector<std::pair<double, double>> xy;
    std::optional<double> until;
};

struct Frame
{
    double t0, t1;
    ValueTicks y;
    [[nodiscard]] double x(double t) const
    {
        return kLeft + (t - t0) / (t1 - t0) * (kRight - kLeft);
    }
    [[nodiscard]] double yOf(double v) const
    {
        return std::clamp(kBottom - (v - y.lo) / (y.hi() - y.lo) * (kBottom - kTop), -1e4, 1e4);
    }
};

/// The series as runs of screen points. Short series keep every point and break exactly at
/// non-finite ones. Long series keep the minimum and maximum of each pixel column (in time
/// order) and break only where a whole column or more holds no finite value but a skipped one
/// — below a pixel a gap is invisible anyway, and this bounds the output at 2 points/column.
std::vector<Run> toRuns(const ReportSeries& series, const Frame& frame)
{
    std::vector<std::pair<double, double>> pts = series.points;
    // Series normally come in time order, with gaps where they come. Out-of-order input is
    // sorted; points without a finite time have no place then and are dropped.
    double last = -INFINITY;
    bool sorted = true;
    for (const auto& p : pts) {
        if (!std::isfinite(p.first))
            continue;
        sorted = sorted && p.first >= last;
        last = p.first;
    }
    if (!sorted) {
        std::erase_if(pts, [](const auto& p) { return !std::isfinite(p.first); });
        std::stable_sort(pts.begin(), pts.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
    }
    std::vector<Run> runs;
    if (pts.size() <= kDownsampleAbove) {
        Run run;
        for (const auto& p : pts) {
            if (finitePoint(p)) {
                run.xy.emplace_back(frame.x(p.first), frame.yOf(p.second));
                continue;
            }
            if (!run.xy.empty()) {
                if (p.first >= frame.t0 && p.first <= frame.t1) // false for NaN
                    run.until = frame.x(p.first);
                runs.push_back(std::move(run));
                run = {};
            }
        }
        if (!run.xy.empty())
            runs.push_back(std::move(run));
        return runs;
    }

    const int columns = static_cast<int>(kRight - kLeft);
    const auto columnOf = [&](double t) {
        return std::clamp(static_cast<int>(std::floor(frame.x(t) - kLeft)), 0, columns - 1);
    };
    Run run;
    int column = -1;
    std::size_t minIdx = 0;
    std::size_t maxIdx = 0;
    bool skippedSince = false; // a non-finite point since the last finite one
    const auto flush = [&] {
        if (column < 0)
            return;
        const std::size_t a = std::min(minIdx, maxIdx);
        const std::size_t b = std::max(minIdx, maxIdx);
        run.xy.emplace_back(frame.x(pts[a].first), frame.yOf(pts[a].second));
        if (b != a)
            run.xy.emplace_back(frame.x(pts[b].first), frame.yOf(pts[b].second));
    };
    for (std::size_t i = 0; i < pts.size(); ++i) {
        const auto& p = pts[i];
        if (!finitePoint(p)) {
            skippedSince = true;
            continue;
        }
        const int c = columnOf(p.first);
        if (c != column) {
            flush();
            if (column >= 0 && skippedSince && c > column + 1 && !run.xy.empty()) {
                runs.push_back(std::move(run));
                run = {};
            }
            column = c;
            minIdx = maxIdx = i;
        } else {
            if (p.second < pts[minIdx].second)
                minIdx = i;
            if (p.second > pts[maxIdx].second)
                maxIdx = i;
        }
        skippedSince = false;
    }
    flush();
    if (!run.xy.empty())
        runs.push_back(std::move(run));
    return runs;
}

void drawRuns(std::string& out, const std::vector<Run>& runs, bool step, const char* colour)
{
    if (runs.empty())
        return;
    out += "<g fill=\"none\" stroke=\"";
    out += colour;
    out += "\" stroke-width=\"1.5\" stroke-linejoin=\"round\">\n";
    for (const Run& run : runs) {
        if (run.xy.size() == 1 && !(step && run.until)) {
            out += "<circle cx=\"" + coord(run.xy[0].first) + "\" cy=\"" + coord(run.xy[0].second) +
                   "\" r=\"1.8\" fill=\"" + colour + "\" stroke=\"none\"/>\n";
            continue;
        }
        if (step) {
            // A step line holds each value until the next sample: M x y (H x V y)*.
            // Unchanged values add nothing but the final horizontal.
            std::string y = coord(run.xy[0].second);
            out += "<path d=\"M" + coord(run.xy[0].first) + " " + y;
            for (std::size_t i = 1; i < run.xy.size(); ++i) {
                std::string next = coord(run.xy[i].second);
                if (next != y)
                    out += "H" + coord(run.xy[i].first) + "V" + next;
                y = std::move(next);
            }
            out += "H" + coord(run.until ? *run.until : run.xy.back().first) + "\"/>\n";
            continue;
        }
        out += "<polyline points=\"";
        for (std::size_t i = 0; i < run.xy.size(); ++i) {
            if (i > 0)
                out += ' ';
            out += coord(run.xy[i].first) + "," + coord(run.xy[i].second);
        }
        out += "\"/>\n";
    }
    out += "</g>\n";
}

void text(std::string& out, double x, double y, std::string_view content,
          std::string_view attrs = {})
{
    out += "<text x=\"" + coord(x) + "\" y=\"" + coord(y) + "\"";
    if (!attrs.empty()) {
        out += ' ';
        out += attrs;
    }
    out += ">" + esc(content) + "</text>\n";
}

void gridLine(std::string& out, double x1, double x2, double y1, double y2)
{
    out += "<line x1=\"";
    out += coord(x1);
    out += "\" x2=\"";
    out += coord(x2);
    out += "\" y1=\"";
    out += coord(y1);
    out += "\" y2=\"";
    out += coord(y2);
    out += "\"/>\n";
}

void renderPlot(std::string& out, const ReportPlot& plot, std::size_t index)
{
    const std::string titleId = "plot" + std::to_string(index) + "-title";
    out += "<figure class=\"plot\">\n<figcaption>" + esc(plot.title);
    if (!plot.unit.empty())
        out += " <span class=\"unit\">(" + esc(plot.unit) + ")</span>";
    out += "</figcaption>\n";
    out += "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(kPlotWidth) +
           " " + std::to_string(kPlotHeight) + "\" width=\"" + std::to_string(kPlotWidth) +
           "\" height=\"" + std::to_string(kPlotHeight) + "\" role=\"img\" aria-labelledby=\"" +
           titleId +
           "\" font-family=\"system-ui, sans-serif\" font-size=\"12\" fill=\"#1f2328\">\n";
    out += "<title id=\"" + titleId + "\">" + esc(plot.title) + "</title>\n";

    // Extent of the finite data (and the band, so it is always in view).
    double t0 = INFINITY;
    double t1 = -INFINITY;
    double v0 = INFINITY;
    double v1 = -INFINITY;
    bool integral = plot.step;
    for (const ReportSeries& s : plot.series) {
        for (const auto& p : s.points) {
            if (!finitePoint(p))
                continue;
            t0 = std::min(t0, p.first);
            t1 = std::max(t1, p.first);
            v0 = std::min(v0, p.second);
            v1 = std::max(v1, p.second);
            integral = integral && p.second == std::round(p.second);
        }
    }
    const bool hasData = t0 <= t1;
    std::optional<std::pair<double, double>> band = plot.band;
    if (band && (!std::isfinite(band->first) || !std::isfinite(band->second)))
        band.reset();
    if (band && band->first > band->second)
        std::swap(band->first, band->second);

    const auto frameRect = [&] {
        out += "<rect x=\"" + coord(kLeft) + "\" y=\"" + coord(kTop) + "\" width=\"" +
               coord(kRight - kLeft) + "\" height=\"" + coord(kBottom - kTop) +
               "\" fill=\"none\" stroke=\"#8c959f\"/>\n";
    };
    if (!hasData) {
        frameRect();
        text(out, (kLeft + kRight) / 2, (kTop + kBottom) / 2, "no data",
             "text-anchor=\"middle\" font-size=\"16\" fill=\"#57606a\"");
        out += "</svg>\n</figure>\n";
        return;
    }
    if (band) {
        v0 = std::min(v0, band->first);
        v1 = std::max(v1, band->second);
    }
    // Keep the axis arithmetic finite for absurd magnitudes (hi − lo must not overflow).
    constexpr double kValueLimit = 1e300;
    v0 = std::clamp(v0, -kValueLimit, kValueLimit);
    v1 = std::clamp(v1, -kValueLimit, kValueLimit);
    if (t1 - t0 < 1) { // a single instant: show an hour around it
        t0 -= 1800;
        t1 += 1800;
    }
    Frame frame{t0, t1, valueTicks(v0, v1, integral)};

    // Band, grid, axes.
    if (band) {
        const double yHi = frame.yOf(band->second);
        const double yLo = frame.yOf(band->first);
        out += "<rect class=\"band\" x=\"" + coord(kLeft) + "\" y=\"" + coord(yHi) + "\" width=\"" +
               coord(kRight - kLeft) + "\" height=\"" + coord(yLo - yHi) +
               "\" fill=\"#2da44e\" fill-opacity=\"0.13\"/>\n";
    }
    out += "<g stroke=\"#d8dee4\" stroke-width=\"1\">\n";
    for (int i = 0; i < frame.y.count; ++i) {
        const double y = frame.yOf(frame.y.at(i));
        gridLine(out, kLeft, kRight, y, y);
    }
    const TimeTicks tt = timeTicks(frame.t0, frame.t1);
    for (const std::int64_t t : tt.at) {
        const double x = frame.x(static_cast<double>(t));
        gridLine(out, x, x, kTop, kBottom);
    }
    out += "</g>\n";
    out += "<g font-variant-numeric=\"tabular-nums\">\n";
    for (int i = 0; i < frame.y.count; ++i) {
        std::string label = fixed(frame.y.at(i), frame.y.decimals);
        if (label.starts_with('-'))
            label = "\u2212" + label.substr(1);
        text(out, kLeft - 6, frame.yOf(frame.y.at(i)) + 4, label, "text-anchor=\"end\"");
    }
    const double halfLabel = tt.style == TimeTicks::Style::Date ? 18 : 36; // stay inside
    for (const std::int64_t t : tt.at) {
        const double x = frame.x(static_cast<double>(t));
        const bool atEdge = x + halfLabel > kPlotWidth - 2;
        text(out, atEdge ? kPlotWidth - 2 : x, kBottom + 16, timeLabel(t, tt.style),
             atEdge ? "text-anchor=\"end\"" : "text-anchor=\"middle\"");
    }
    out += "</g>\n";
    const int yearFrom = civil(static_cast<std::int64_t>(std::floor(frame.t0))).year;
    const int yearTo = civil(static_cast<std::int64_t>(std::floor(frame.t1))).year;
    text(out, kRight, kBottom + 33,
         "time (UTC, " + std::to_string(yearFrom) +
             (yearTo != yearFrom ? "\u2013" + std::to_string(yearTo) : std::string()) + ")",
         "text-anchor=\"end\" fill=\"#57606a\"");
    if (!plot.unit.empty())
        text(out, 16, (kTop + kBottom) / 2, plot.unit,
             "text-anchor=\"middle\" transform=\"rotate(-90 16 " + coord((kTop + kBottom) / 2) +
                 ")\" fill=\"#57606a\"");

    // Data.
    for (std::size_t i = 0; i < plot.series.size(); ++i)
        drawRuns(out, toRuns(plot.series[i], frame), plot.step, seriesColour(i));
    frameRect();

    // Legend, above the plot area.
    double lx = kLeft;
    const double ly = 20;
    for (std::size_t i = 0; i < plot.series.size(); ++i) {
        const ReportSeries& s = plot.series[i];
        const bool empty = std::none_of(s.points.begin(), s.points.end(), finitePoint);
        const std::string label = s.label + (empty ? " (no data)" : "");
        out += "<line x1=\"" + coord(lx) + "\" x2=\"" + coord(lx + 20) + "\" y1=\"" +
               coord(ly - 4) + "\" y2=\"" + coord(ly - 4) + "\" stroke=\"" + seriesColour(i) +
               "\" stroke-width=\"3\"/>\n";
        text(out, lx + 26, ly, label);
        lx += 26 + 7.0 * static_cast<double>(codePoints(label)) + 18;
    }
    if (band) {
        out += "<rect x=\"" + coord(lx) + "\" y=\"" + coord(ly - 10) +
               "\" width=\"20\" height=\"12\" fill=\"#2da44e\" fill-opacity=\"0.25\"/>\n";
        text(out, lx + 26, ly,
             "band " + human(band->first) + "\u2013" + human(band->second) +
                 (plot.unit.empty() ? "" : " " + plot.unit));
    }
    out += "</svg>\n</figure>\n";
}

// ---------------------------------------------------------------------------------------------
// KPI bars

constexpr int kBarsWidth = 560;
constexpr int kBarsHeight = 52;

/// Two horizontal bars (baseline, candidate) on one scale per KPI, with value labels.
void renderKpiBars(std::string& out, const ReportKpi& kpi)
{
    constexpr double kA = 84; // bar area
    constexpr double kB = 556;
    constexpr double kLabelRoom = 96;
    const std::array<double, 2> values{kpi.baseline, kpi.candidate};
    const std::array<const char*, 2> names{"baseline", "candidate"};
    double largest = 0;
    bool anyNegative = false;
    bool anyPositive = false;
    for (const double v : values) {
        if (!std::isfinite(v))
            continue;
        largest = std::max(largest, std::fabs(v));
        anyNegative = anyNegative || v < 0;
        anyPositive = anyPositive || v > 0;
    }
    // Zero at the left (all ≥ 0), the right (all ≤ 0) or the middle (both signs).
    const double zero = anyNegative && anyPositive ? (kA + kB) / 2 : anyNegative ? kB : kA;
    const double reach =
        anyNegative && anyPositive ? (kB - kA) / 2 - kLabelRoom : kB - kA - kLabelRoom;

    out += "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(kBarsWidth) +
           " " + std::to_string(kBarsHeight) + "\" width=\"" + std::to_string(kBarsWidth) +
           "\" height=\"" + std::to_string(kBarsHeight) +
           "\" role=\"img\" font-family=\"system-ui, sans-serif\" font-size=\"12\" "
           "fill=\"#1f2328\">\n";
    out += "<title>" + esc(kpi.label) + ": baseline " + esc(human(kpi.baseline)) + ", candidate " +
           esc(human(kpi.candidate)) + (kpi.unit.empty() ? "" : " ") + esc(kpi.unit) + "</title>\n";
    for (std::size_t i = 0; i < 2; ++i) {
        const double v = values[i];
        const double top = 6 + 24.0 * static_cast<double>(i);
        const double mid = top + 12;
        text(out, 0, mid + 4, names[i], "fill=\"#57606a\"");
        const std::string label =
            std::isfinite(v) ? human(v) + (kpi.unit.empty() ? "" : " " + kpi.unit) : "n/a";
        if (!std::isfinite(v)) {
            text(out, zero + (anyNegative && !anyPositive ? -4 : 4), mid + 4, label,
                 anyNegative && !anyPositive ? "text-anchor=\"end\"" : "");
            continue;
        }
        const double length = largest > 0 ? std::fabs(v) / largest * reach : 0;
        const double x = v < 0 ? zero - length : zero;
        out += "<rect x=\"" + coord(x) + "\" y=\"" + coord(top + 2) + "\" width=\"" +
               coord(length) + "\" height=\"16\" fill=\"" + seriesColour(i) + "\"/>\n";
        if (v < 0)
            text(out, x - 4, mid + 4, label, "text-anchor=\"end\"");
        else
            text(out, zero + length + 4, mid + 4, label);
    }
    out += "<line x1=\"" + coord(zero) + "\" x2=\"" + coord(zero) +
           "\" y1=\"4\" y2=\"48\" stroke=\"#57606a\"/>\n";
    out += "</svg>\n";
}

std::string kpiChange(const ReportKpi& kpi)
{
    if (!std::isfinite(kpi.baseline) || !std::isfinite(kpi.candidate))
        return "n/a";
    const double diff = kpi.candidate - kpi.baseline;
    std::string text = signedHuman(diff);
    if (!kpi.unit.empty())
        text += " " + kpi.unit;
    if (kpi.baseline != 0) {
        const double pct = diff / std::fabs(kpi.baseline) * 100;
        std::string p = fixed(std::fabs(pct), 1);
        if (p != "0.0")
            p = (pct < 0 ? "\u2212" : "+") + p;
        text += " (" + p + "\u202f%)";
    }
    return text;
}

// ---------------------------------------------------------------------------------------------
// The page

constexpr std::string_view kCss = R"(
:root{color-scheme:light}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2328;background:#fff;margin:0 auto;max-width:960px;padding:24px;line-height:1.4}
header.verdict{border-left:14px solid;padding:14px 20px;margin:0 0 28px;border-radius:6px}
header.verdict.pass{border-color:#1a7f37;background:#e9f6ed}
header.verdict.fail{border-color:#cf222e;background:#fdeeee}
.badge{font-size:44px;font-weight:800;letter-spacing:.04em;margin:0;line-height:1.1}
.pass .badge{color:#1a7f37}
.fail .badge{color:#cf222e}
h1{font-size:20px;margin:6px 0 12px}
h2{font-size:17px;margin:28px 0 10px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0;font-size:14px}
dl.meta dt{color:#57606a}
dl.meta dd{margin:0;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{padding:6px 8px;border-bottom:1px solid #d0d7de;text-align:left;vertical-align:middle}
th{font-weight:600;color:#57606a}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.mark{font-weight:700;white-space:nowrap}
td.mark.pass{color:#1a7f37}
td.mark.fail{color:#cf222e}
tr.fail td{background:#fff6f6}
.summary{color:#57606a;font-size:14px;margin:6px 0 0}
table.kpis td.bars{width:560px}
.unit{color:#57606a;font-weight:400}
figure{margin:0 0 26px}
figcaption{font-weight:600;margin-bottom:4px}
svg{max-width:100%;height:auto;display:block}
ul.notes{padding-left:20px;font-size:14px}
footer{margin-top:32px;color:#57606a;font-size:12px}
@media print{
body{max-width:none;padding:0;font-size:10pt}
header.verdict,tr.fail td{-webkit-print-color-adjust:exact;print-color-adjust:exact}
header,figure,tr{break-inside:avoid}
h2{break-after:avoid}
}
)";

void metaRow(std::string& out, std::string_view name, const std::string& value)
{
    out += "<dt>";
    out += name;
    out += "</dt><dd>" + (value.empty() ? std::string("\u2014") : esc(value)) + "</dd>\n";
}

} // namespace

std::string renderValidationReport(const ValidationReport& report)
{
    std::string out;
    out.reserve(std::size_t{64} * 1024);
    const char* verdict = report.pass ? "pass" : "fail";
    out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    if (!report.generatedBy.empty())
        out += "<meta name=\"generator\" content=\"" + esc(report.generatedBy) + "\">\n";
    out += "<title>" + std::string(report.pass ? "PASS" : "FAIL") + " \u2014 " + esc(report.title) +
           "</title>\n<style>";
    out += kCss;
    out += "</style>\n</head>\n<body>\n";

    // Verdict and meta.
    out += "<header class=\"verdict " + std::string(verdict) + "\">\n<p class=\"badge\">" +
           (report.pass ? "\u2714 PASS" : "\u2718 FAIL") + "</p>\n";
    out += "<h1>" + esc(report.title) + "</h1>\n<dl class=\"meta\">\n";
    metaRow(out, "Recording", report.recording);
    metaRow(out, "Period", report.period);
    metaRow(out, "Scope", report.scope);
    metaRow(out, "Baseline", report.baselineName);
    metaRow(out, "Candidate", report.candidateName);
    metaRow(out, "Gate file", report.gateFile);
    out += "</dl>\n</header>\n";

    // Thresholds.
    out += "<section>\n<h2>Thresholds</h2>\n";
    if (report.thresholds.empty()) {
        out += "<p class=\"summary\">The gate has no thresholds.</p>\n";
    } else {
        const auto passed = std::count_if(report.thresholds.begin(), report.thresholds.end(),
                                          [](const ReportThreshold& t) { return t.pass; });
        out += "<table class=\"thresholds\">\n<thead><tr><th>Result</th><th>KPI</th>"
               "<th>Rule</th><th class=\"num\">Baseline</th><th class=\"num\">Candidate</th>"
               "<th class=\"num\">Change</th></tr></thead>\n<tbody>\n";
        for (const ReportThreshold& t : report.thresholds) {
            const char* cls = t.pass ? "pass" : "fail";
            out += "<tr class=\"" + std::string(cls) + "\"><td class=\"mark " + cls + "\">" +
                   (t.pass ? "\u2714 pass" : "\u2718 fail") + "</td><td>" + esc(t.kpi) +
                   "</td><td>" + esc(t.rule) + "</td><td class=\"num\">" + esc(t.baseline) +
                   "</td><td class=\"num\">" + esc(t.candidate) + "</td><td class=\"num\">" +
                   esc(t.change) + "</td></tr>\n";
        }
        out += "</tbody>\n</table>\n<p class=\"summary\">" + std::to_string(passed) + " of " +
               std::to_string(report.thresholds.size()) + " thresholds passed.</p>\n";
    }
    out += "</section>\n";

    // KPIs.
    if (!report.kpis.empty()) {
        out += "<section>\n<h2>Key figures</h2>\n<table class=\"kpis\">\n<thead><tr><th>KPI</th>"
               "<th>Baseline vs candidate</th><th class=\"num\">Change</th></tr></thead>\n"
               "<tbody>\n";
        for (const ReportKpi& k : report.kpis) {
            out += "<tr><td>" + esc(k.label);
            if (!k.unit.empty())
                out += " <span class=\"unit\">(" + esc(k.unit) + ")</span>";
            out += "</td><td class=\"bars\">\n";
            renderKpiBars(out, k);
            out += "</td><td class=\"num\">" + esc(kpiChange(k)) + "</td></tr>\n";
        }
        out += "</tbody>\n</table>\n</section>\n";
    }

    // Time series.
    if (!report.plots.empty()) {
        out += "<section>\n<h2>Time series</h2>\n";
        for (std::size_t i = 0; i < report.plots.size(); ++i)
            renderPlot(out, report.plots[i], i);
        out += "</section>\n";
    }

    if (!report.notes.empty()) {
        out += "<section>\n<h2>Notes</h2>\n<ul class=\"notes\">\n";
        for (const std::string& note : report.notes)
            out += "<li>" + esc(note) + "</li>\n";
        out += "</ul>\n</section>\n";
    }
    if (!report.generatedBy.empty())
        out += "<footer>Generated by " + esc(report.generatedBy) + ".</footer>\n";
    out += "</body>\n</html>\n";
    return out;
}

twin::Status writeValidationReport(const ValidationReport& report, const fs::path& file)
{
    const std::string html = renderValidationReport(report);
    const fs::path tmp = file.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out.is_open())
            return twin::makeError(twin::ErrorCode::IoError,
                                   "cannot create the report (does the folder exist and is it "
                                   "writable?)",
                                   file.string());
        out.write(html.data(), static_cast<std::streamsize>(html.size()));
        out.close();
        if (!out) {
            std::error_code ignored;
            fs::remove(tmp, ignored);
            return twin::makeError(twin::ErrorCode::IoError, "cannot write the report",
                                   file.string());
        }
    }
    std::error_code ec;
    fs::rename(tmp, file, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(tmp, ignored);
        return twin::makeError(twin::ErrorCode::IoError,
                               "cannot move the report into place: " + ec.message(), file.string());
    }
    return {};
}

} // namespace twindesk::app
