#pragma once
// The CLI run in-process by the app tests: exit code, stdout and stderr of one command line.
#include "cli.h"

#include <sstream>
#include <string>
#include <vector>

namespace twindesk::test {

struct CliRun
{
    int code = -1;
    std::string out;
    std::string err;
};

/// `twindesk ARGS...` in this process (app::runCli), its output captured.
inline CliRun cli(const std::vector<std::string>& args)
{
    std::ostringstream out;
    std::ostringstream err;
    const int code = twindesk::app::runCli(args, {out, err});
    return {code, out.str(), err.str()};
}

} // namespace twindesk::test
