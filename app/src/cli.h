#pragma once
/// \file cli.h
/// The headless command-line interface of the `twindesk` executable.
///
/// Each command reads its arguments, does its work through the core libraries and writes to
/// the given streams; nothing here touches Qt GUI, so every command runs without a display.
/// Exit codes: 0 success, 1 the input or the operation failed (message on `err`),
/// 2 the command line itself is wrong (usage on `err`).

#include <iosfwd>
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

/// The full help text (also the source of the man page).
std::string usageText();

} // namespace twindesk::app
