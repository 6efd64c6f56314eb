// twindesk: the console (GUI) when started without a command, the headless CLI otherwise.
#include "cli.h"
#include "gui/gui_main.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <unistd.h>

namespace {
bool haveDisplay()
{
    for (const char* var : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}) {
        // Runs before any thread exists; getenv only races with setenv/putenv.
        const char* value = std::getenv(var); // NOLINT(concurrency-mt-unsafe)
        if (value != nullptr && *value != '\0')
            return true;
    }
    return false;
}
/// `twindesk screenshot ...`: the console on a project, its picture saved. Without a display
/// it runs itself again under xvfb-run (Quick 3D needs a real X server).
int screenshot(const std::vector<std::string>& args)
{
    const char* platform = std::getenv("QT_QPA_PLATFORM"); // NOLINT(concurrency-mt-unsafe)
    const bool offscreen = platform != nullptr && std::string(platform) == "offscreen";
    const char* display = std::getenv("DISPLAY"); // NOLINT(concurrency-mt-unsafe)
    if (display == nullptr || *display == '\0') {
        std::error_code ec;
        // The executable's own path (/proc/self/exe would be xvfb-run's shell by then).
        const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
        std::vector<std::string> again{"xvfb-run", "-a", "-s", "-screen 0 1920x1080x24",
                                       ec ? std::string("twindesk") : self.string()};
        again.insert(again.end(), args.begin(), args.end());
        std::vector<char*> cargs;
        for (auto& a : again)
            cargs.push_back(a.data());
        cargs.push_back(nullptr);
        ::setenv("QT_QPA_PLATFORM", "xcb", 1); // NOLINT(concurrency-mt-unsafe)
        ::execvp("xvfb-run", cargs.data());
        std::cerr << "error: screenshot needs a display, and xvfb-run was not found to make "
                     "one (apt-get install xvfb xauth)\n";
        return 1;
    }
    if (offscreen)
        ::setenv("QT_QPA_PLATFORM", "xcb", 1); // NOLINT(concurrency-mt-unsafe) the 3D view
    auto console = twindesk::app::screenshotConsoleArgs(args, {std::cout, std::cerr});
    if (!console)
        return 2;
    std::vector<std::string> guiArgs{"twindesk"};
    guiArgs.insert(guiArgs.end(), console->begin(), console->end());
    std::vector<char*> argvGui;
    for (auto& a : guiArgs)
        argvGui.push_back(a.data());
    argvGui.push_back(nullptr);
    const int rc = twindesk::app::runGui(static_cast<int>(guiArgs.size()), argvGui.data());
    // The demo project made for the picture is removed again.
    const std::filesystem::path project = console->front();
    if (project.filename().string().rfind(twindesk::app::kScreenshotDemoPrefix, 0) == 0) {
        std::error_code ec;
        for (const char* suffix : {"", "-wal", "-shm"})
            std::filesystem::remove(project.string() + suffix, ec);
    }
    return rc;
}

} // namespace

int main(int argc, char** argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && args.front() == "screenshot")
        return screenshot(args);
    if (!args.empty() && twindesk::app::isCliCommand(args.front()))
        return twindesk::app::runCli(args, {std::cout, std::cerr});
    if (!args.empty() && args.front().rfind('-', 0) == 0 &&
        !twindesk::app::isConsoleOption(args.front())) {
        std::cerr << "twindesk: unknown option '" << args.front() << "' (see twindesk --help)\n";
        return 2;
    }
    if (!haveDisplay()) {
        std::cerr << "twindesk: no display found; running the headless demo instead "
                     "(start it with DISPLAY set, or under xvfb-run, for the console)\n\n";
        return twindesk::app::runCli({"demo"}, {std::cout, std::cerr});
    }
    return twindesk::app::runGui(argc, argv);
}
