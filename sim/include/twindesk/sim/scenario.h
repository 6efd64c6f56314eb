#pragma once
/// \file scenario.h
/// Scenario files: JSON describing what to simulate. The schema is documented in
/// docs/scenarios.md; every error names the file and the JSON path and says what is expected.
///
/// A scenario names a building (explicit zones, a Brick model or a TwinDesk project), a weather
/// file, calendars, a period and step, a seed, the HVAC mode ("hvac": ideal loads, or VAV
/// equipment: keys in hvac.h), compute hosts and their workload, a policy (taken by the
/// decision layer) and outputs. Relative paths are relative to the scenario
/// file; `${anchors}` expands to the shared real-data folder.

#include <twindesk/sim/engine.h>
#include <twindesk/twin/result.h>
#include <twindesk/twin/twin_graph.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace twindesk::sim {

struct ScenarioOptions
{
    /// Ontology files for importing Brick buildings (the app passes its bundled ones).
    std::vector<std::filesystem::path> ontology;
    /// What `${anchors}` expands to (empty: $TWINDESK_ANCHORS_DIR, else an error if used).
    std::filesystem::path anchorsDir;
    /// "key.path=value" overrides applied to the JSON before validation (value parsed as JSON
    /// when it is valid JSON, else taken as a string), e.g. {"step_s", "300"}.
    std::vector<std::pair<std::string, std::string>> overrides;
};

/// Which points a recording (a results file written with a policy) keeps: `all` the loop
/// observed, or only `policy-inputs` — the points the policy reads or commands — which makes a
/// year of a large building small enough to store and replay (docs/replay.md).
enum class RecordingScope : std::uint8_t { All, PolicyInputs };

struct OutputSpec
{
    Seconds interval = 3600; ///< telemetry sampling interval written to the historian
    bool historian = true;
    RecordingScope recording = RecordingScope::All;
};

struct Scenario
{
    std::filesystem::path file;
    std::string name;
    std::string description;
    std::shared_ptr<const SimConfig> config;
    std::shared_ptr<const twin::TwinGraph> building; ///< null for explicit-zone scenarios
    OutputSpec outputs;
    std::string policyJson;            ///< the "policy" object, verbatim (decision layer)
    std::vector<std::string> warnings; ///< e.g. unmapped meeting locations
};

twin::Result<Scenario> loadScenario(const std::filesystem::path& file,
                                    const ScenarioOptions& options);

/// The scenario file's JSON text with `overrides` applied exactly as loadScenario applies them,
/// not validated: a variant of the scenario as a document of its own (the console's what-if
/// view saves variants with it). Errors: the file unreadable or not JSON, naming it.
twin::Result<std::string>
scenarioJson(const std::filesystem::path& file,
             const std::vector<std::pair<std::string, std::string>>& overrides);

/// Parses "2025-01-01T00:00[:00]" (site standard time, offset given) or with a trailing 'Z' or
/// "+hh:mm"/"-hh:mm" offset into UTC seconds.
twin::Result<Seconds> parseDateTime(const std::string& text, double siteTzHours);

} // namespace twindesk::sim
