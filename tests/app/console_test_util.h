#pragma once
// Helpers of the console's tests: a results file made by the CLI in-process, and the console
// run offscreen (2D views draw there) on a project, returning its screenshot.
#include "cli.h"

#include <QImage>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <sstream>
#include <string>
#include <vector>

namespace twindesk::test {

/// `twindesk simulate SCENARIO --out OUT --no-progress EXTRA...` in-process; "" on success,
/// else what it printed on stderr.
inline std::string simulateInto(const std::string& scenario, const QString& out,
                                const std::vector<std::string>& extra)
{
    std::vector<std::string> args{"simulate", scenario, "--out", out.toStdString(),
                                  "--no-progress"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::ostringstream o;
    std::ostringstream e;
    return twindesk::app::runCli(args, {o, e}) == 0 ? std::string() : e.str() + " ";
}

/// The console on `project` with `args` (e.g. "--view", "decisions"), offscreen; its
/// screenshot, or a null image with `error` set.
inline QImage consoleScreenshot(const QString& project, const QStringList& args,
                                const QString& png, QString& error)
{
    QProcess p;
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("QT_QPA_PLATFORM", "offscreen");
    p.setProcessEnvironment(env);
    p.start(TWINDESK_EXE, QStringList{project} + args + QStringList{"--screenshot", png});
    if (!p.waitForFinished(120000) || p.exitCode() != 0) {
        error = QString::fromUtf8(p.readAllStandardError());
        return {};
    }
    return QImage(png);
}

/// The console on `project` with `args` on a real X server (Quick 3D draws nothing under the
/// offscreen platform): the test's DISPLAY (the suite runs under xvfb-run), else its own
/// `xvfb-run -a`. Its screenshot, or a null image with `error` set.
inline QImage consoleScreenshotX11(const QString& project, const QStringList& args,
                                   const QString& png, QString& error)
{
    QProcess p;
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("QT_QPA_PLATFORM", "xcb");
    p.setProcessEnvironment(env);
    const QStringList console = QStringList{project} + args + QStringList{"--screenshot", png};
    if (env.value("DISPLAY").isEmpty())
        p.start("xvfb-run", QStringList{"-a", "-s", "-screen 0 1920x1080x24", TWINDESK_EXE} + console);
    else
        p.start(TWINDESK_EXE, console);
    if (!p.waitForFinished(180000) || p.exitCode() != 0) {
        error = QString::fromUtf8(p.readAllStandardError()) + p.errorString();
        return {};
    }
    return QImage(png);
}

/// Pixels of `image` within `tolerance` (sum of channel differences) of `colour`: 0 for the
/// exact fills of rows and cards (pale colours sit close to the window's grey), more for
/// antialiased chart lines. Every `step`-th pixel in each direction.
inline int pixelsNear(const QImage& image, const QColor& colour, int step = 1, int tolerance = 0)
{
    int n = 0;
    for (int y = 0; y < image.height(); y += step)
        for (int x = 0; x < image.width(); x += step) {
            const QColor p = image.pixelColor(x, y);
            const int d = std::abs(p.red() - colour.red()) + std::abs(p.green() - colour.green()) +
                          std::abs(p.blue() - colour.blue());
            n += d <= tolerance ? 1 : 0;
        }
    return n;
}

} // namespace twindesk::test
