#pragma once
/// \file sweep_command.h
/// `twindesk sweep`: several scenarios, or one scenario under parameter variants, run in
/// parallel threads and compared in one table. Each run is the same deterministic engine as
/// `simulate`; threads only change the wall time, never a result.

#include "cli.h"

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace twindesk::app {

struct SweepOptions
{
    std::vector<std::filesystem::path> scenarios;
    /// "key=v1,v2,..." axes; the runs are the cartesian product of all axes per scenario.
    std::vector<std::pair<std::string, std::vector<std::string>>> axes;
    unsigned threads = 0; ///< 0: the number of cores
    bool json = false;
    std::filesystem::path anchors;
};

int runSweep(const SweepOptions& options, CliIo& io);

} // namespace twindesk::app
