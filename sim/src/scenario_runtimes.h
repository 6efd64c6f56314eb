#pragma once
// The scenario's "runtimes" section (docs/scenarios.md, docs/runtimes.md): runtime hosts,
// workloads, services used by rooms, warm pools, meeting needs and runtime profiles. Adds the
// hosts, services and workloads to the scenario's twin (with their uses/runsOn relations) and
// builds SimConfig::runtimes.

#include "json_reader.h"

#include <twindesk/sim/engine.h>
#include <twindesk/sim/scenario.h>

namespace twindesk::sim {

twin::Status readRuntimes(const json::Json& section, const std::string& file, Scenario& scenario,
                          SimConfig& config);

} // namespace twindesk::sim
