// twindesk: the console (GUI) when started without a command, the headless CLI otherwise.
#include "cli.h"
#include "gui/gui_main.h"

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

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
} // namespace

int main(int argc, char** argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && twindesk::app::isCliCommand(args.front()))
        return twindesk::app::runCli(args, {std::cout, std::cerr});
    if (!args.empty() && args.front().rfind('-', 0) == 0 &&
        args.front().rfind("--screenshot", 0) != 0 && args.front() != "--quit-after") {
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
