#pragma once
/// \file validate_command.h
/// `twindesk validate`: the validation gate (issue #6 §5). Runs the baseline and the candidate
/// policy closed-loop over a recording — its scenario's exogenous inputs (weather file,
/// calendar, the seeded occupancy, VM demand traces) drive the simulator from the scenario's
/// initial state while each policy acts and the twin responds — evaluates the gate file's KPI
/// thresholds (policies/validation.h), prints the table and writes a self-contained HTML
/// report (validation_report.h).
///
/// Exit codes: 0 every threshold passed; 1 at least one failed; 2 an error (bad gate file,
/// recording, policy, or the report could not be written — the message names it).

#include "cli.h"

#include <filesystem>
#include <optional>
#include <string>

namespace twindesk::app {

struct ValidateOptions
{
    std::filesystem::path recording;
    std::string candidate;             ///< "NAME[:PARAMS_JSON]" or "recorded"
    std::string baseline = "recorded"; ///< same forms
    std::filesystem::path gate;
    std::optional<std::filesystem::path> report; ///< HTML output
    std::optional<std::filesystem::path> scenario;
    std::filesystem::path anchors;
    bool json = false;
};

int runValidate(const ValidateOptions& options, CliIo& io);

} // namespace twindesk::app
