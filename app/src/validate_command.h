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
#include "validation_report.h"

#include <twindesk/policies/drift.h>
#include <twindesk/policies/validation.h>
#include <twindesk/twin/result.h>

#include <array>
#include <atomic>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

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

/// The gate's verdict on a recording: what `twindesk validate` prints and the console's replay
/// view shows. `report` is complete (and written to options.report when that is set).
struct ValidationOutcome
{
    bool pass = false;
    bool cancelled = false; ///< stopped by ValidateHooks::cancel: nothing else is filled
    std::vector<policies::GateResult> results;
    ValidationReport report;          ///< its thresholds are `results`, formatted
    std::string scope;                ///< "site" or the gate's uses joined by '+'
    std::array<std::string, 2> names; ///< baseline, candidate: id version short-hash
    std::array<std::vector<policies::InputDrift>, 2> drift;
};

struct ValidateHooks
{
    /// Checked before every step of both runs: when it turns true both stop. May be null.
    const std::atomic<bool>* cancel = nullptr;
    /// Called from the runs' threads now and then: (0 baseline / 1 candidate, fraction done).
    std::function<void(int, double)> progress;
};

/// Loads the gate and the recording's scenario, runs baseline and candidate closed loop (two
/// threads), evaluates the gate, builds the report and writes it when options.report is set.
/// Errors name the gate file, recording, policy or report path.
twin::Result<ValidationOutcome> validateRecording(const ValidateOptions& options,
                                                  const ValidateHooks& hooks = {});

} // namespace twindesk::app
