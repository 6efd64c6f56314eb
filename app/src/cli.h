#pragma once
/// \file cli.h
/// The headless command-line interface of the `twindesk` executable.
///
/// Each command reads its arguments, does its work through the core libraries and writes to
/// the given streams; nothing here touches Qt GUI, so every command runs without a display.
/// Exit codes: 0 success, 1 the input or the operation failed (message on `err`),
/// 2 the command line itself is wrong (usage on `err`).

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace twindesk::app {

struct CliIo
{
    std::ostream& out;
    std::ostream& err;
};

/// True when `word` names a CLI command (so main() need not start the GUI).
bool isCliCommand(std::string_view word);

/// Runs one command; `args[0]` is the command name.
int runCli(const std::vector<std::string>& args, CliIo io);

/// The full help text (also the source of the man page and bash completion, which
/// packaging/gen-cli-docs.sh generates from it at build time).
std::string usageText();

/// One option of the console (`twindesk [PROJECT.twin] [OPTION]...`). The GUI builds its
/// QCommandLineParser from this table and usageText() lists it, so `--help`, the man page and
/// the completion always show what the console accepts.
struct ConsoleOption
{
    std::string_view name;        ///< without the leading "--"
    std::string_view valueName;   ///< empty for a flag
    std::string_view description; ///< one sentence, UTF-8
};
const std::vector<ConsoleOption>& consoleOptions();

/// The console option named `name` (without "--"), or nullptr.
const ConsoleOption* findConsoleOption(std::string_view name);

/// True when `arg` is `--NAME` or `--NAME=VALUE` of a console option.
bool isConsoleOption(std::string_view arg);

/// The file name prefix (in the temp folder) of the demo project `screenshot` makes.
inline constexpr const char* kScreenshotDemoPrefix = "twindesk-screenshot-demo-";

/// `twindesk screenshot ...` (argv[0] = "screenshot"): checks the options and prepares the
/// project (the demo office when none is given) and returns the console's arguments
/// (PROJECT --view V --screenshot FILE ...), or std::nullopt after printing the error.
std::optional<std::vector<std::string>> screenshotConsoleArgs(const std::vector<std::string>& argv,
                                                              CliIo io);

} // namespace twindesk::app
