#include "cli.h"

#include "approvals_command.h"
#include "assets.h"
#include "replay_command.h"
#include "live_command.h"
#include "simulate_command.h"
#include "sweep_command.h"
#include "sweep_k8s.h"
#include "torch_runtime.h"
#include "train_command.h"
#include "validate_command.h"

#include <twindesk/policies/decision_log.h>
#include <twindesk/live/live_events.h>
#include <twindesk/policies/recording.h>
#include <twindesk/sim/sim_time.h>
#include <twindesk/twin/brick_import.h>
#include <twindesk/twin/model_stats.h>
#include <twindesk/twin/project_store.h>
#include <twindesk/twin/sql_connection.h>
#include <twindesk/twin/store_location.h>
#include <twindesk/twin/units.h>
#include <twindesk/version.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <map>
#include <optional>
#include <ostream>
#include <sstream>
#include <unistd.h>

namespace twindesk::app {

namespace fs = std::filesystem;
using twin::Error;

namespace {

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;

/// Parsed command line of one command: positional arguments and --options.
struct Args
{
    std::vector<std::string> positional;
    std::multimap<std::string, std::string> options; // "--ontology" → value
    std::vector<std::string> flags;                  // "--json", "--force"

    [[nodiscard]] bool flag(std::string_view name) const
    {
        return std::find(flags.begin(), flags.end(), name) != flags.end();
    }
    [[nodiscard]] std::optional<std::string> option(const std::string& name) const
    {
        const auto it = options.find(name);
        if (it == options.end())
            return std::nullopt;
        return it->second;
    }
    [[nodiscard]] std::vector<std::string> all(const std::string& name) const
    {
        std::vector<std::string> out;
        for (auto [it, end] = options.equal_range(name); it != end; ++it)
            out.push_back(it->second);
        return out;
    }
};

struct CommandSpec
{
    std::string_view name;
    std::string_view synopsis;
    std::string_view summary;
    std::vector<std::string_view> valueOptions; // take a value: "-o", "--ontology"
    std::vector<std::string_view> flagOptions;  // no value: "--json"
    int (*run)(const Args&, CliIo&);
};

int cmdImportBrick(const Args& args, CliIo& io);
int cmdInfo(const Args& args, CliIo& io);
int cmdStore(const Args& args, CliIo& io);
int cmdDemo(const Args& args, CliIo& io);

/// The console lives in the executable (main.cpp runs `screenshot` there); the CLI library
/// only describes the command.
int cmdScreenshot(const Args& /*args*/, CliIo& io)
{
    io.err << "error: screenshot renders the console and runs only from the twindesk "
              "executable\n";
    return 2;
}
int cmdOntologySubset(const Args& args, CliIo& io);
int cmdQuery(const Args& args, CliIo& io);
int cmdUnits(const Args& args, CliIo& io);
int cmdSimulate(const Args& args, CliIo& io);
int cmdSweep(const Args& args, CliIo& io);
int cmdCompare(const Args& args, CliIo& io);
int cmdAudit(const Args& args, CliIo& io);
int cmdApprovals(const Args& args, CliIo& io);
int cmdTrain(const Args& args, CliIo& io);
int cmdReplay(const Args& args, CliIo& io);
int cmdValidate(const Args& args, CliIo& io);
int cmdLive(const Args& args, CliIo& io);

const std::vector<CommandSpec>& commands()
{
    static const std::vector<CommandSpec> kCommands{
        {"import-brick",
         "import-brick MODEL.ttl [--ontology ONTOLOGY.ttl]... -o PROJECT.twin [--force] [--json]",
         "Import a Brick Turtle model into a new project file. Without --ontology the bundled "
         "Brick 1.3 class hierarchy is used; TwinDesk's extension (compute hosts, VMs) is always "
         "added.",
         {"-o", "--output", "--ontology"},
         {"--force", "--json"},
         cmdImportBrick},
        {"info",
         "info PROJECT.twin [--json]",
         "Print what a project holds: entity and relation counts with Brick semantics, "
         "historian and decision-log sizes, where it came from.",
         {},
         {"--json"},
         cmdInfo},
        {"store",
         "store PROJECT.twin [postgresql://USER@HOST[:PORT]/DB | project] [--json]",
         "Show the historian store the project uses (the project file, or the shared PostgreSQL "
         "store named by its meta key 'store') with its schema version, sample count and time "
         "range. With a URL: connect (creating or migrating the shared tables) and record it "
         "in the project, so `live` and the console share that history; 'project' goes back to "
         "the project file. Passwords come from ~/.pgpass or PGPASSWORD, never the URL "
         "(docs/store.md).",
         {},
         {"--json"},
         cmdStore},
        {"query",
         "query PROJECT.twin (children|ancestors|points|fed-by|path|kind) ARG [ARG2] [--json]",
         "Query the twin graph: children/ancestors/points/fed-by ENTITY, path FROM TO, kind KIND "
         "(site, building, floor, room, zone, equipment, point, workload, other).",
         {},
         {"--json"},
         cmdQuery},
        {"screenshot",
         "screenshot [--view 3d|twin|decisions|approvals|trends|simulation|replay|live] --out "
         "FILE.png [--project PROJECT.twin] [--at TIME] [--metric M] [--select ENTITY] [--floor N] "
         "[--explode X] [--trend POINT]... [--candidate NAME[:PARAMS_JSON]]",
         "Render the console on a project (default: the demo office after its four weeks; for "
         "the replay view, two days of the conference rooms under adaptive-conference) and "
         "save a picture of the view. --candidate replays a candidate policy over the recording "
         "first (replay view; default on the demo recording: a 30-minute vacancy delay). "
         "Without a display it runs itself under xvfb-run (Quick 3D needs a real X server; it "
         "draws nothing offscreen).",
         {"--view", "--out", "--project", "--at", "--metric", "--select", "--floor", "--explode",
          "--trend", "--candidate"},
         {},
         cmdScreenshot},
        {"demo",
         "demo [--out RESULTS.twin] [--json]",
         "The headless demo: simulate the bundled demo office for four winter weeks "
         "(assets/scenarios/demo-office.json) and print the model and its KPIs.",
         {"--out"},
         {"--json"},
         cmdDemo},
        {"simulate",
         "simulate SCENARIO.json [--out RESULTS.twin] [--force] [--json] [--set KEY=VALUE]... "
         "[--trace-dir DIR] [--anchors DIR] [--no-progress] [--publish mqtt://HOST[:PORT] "
         "[--realtime-factor N] [--map-out MAP.json]]",
         "Run a scenario: the building's zones, weather, occupancy and hosts step by step. Writes "
         "telemetry to the historian of RESULTS.twin and prints KPIs (annual heating/cooling MWh, "
         "peaks, energy per carrier, comfort; for hosts energy_kwh, migrations, slatah, pdm, slav, "
         "esv, host_shutdowns). --set overrides scenario keys (e.g. step_s=300); --trace-dir "
         "replaces compute.traces (a PlanetLab day folder). --publish makes it a device "
         "simulator: every point's state goes to the broker (twindesk/<site>/<point>/state, with "
         "Home Assistant discovery) and setpoints and lights obey twindesk/<site>/<point>/set; "
         "--realtime-factor paces it (N simulated seconds per wall second; default as fast as "
         "possible), --map-out writes the topic map for `live` (docs/live.md).",
         {"--out", "-o", "--set", "--anchors", "--trace-dir", "--publish", "--realtime-factor",
          "--map-out"},
         {"--json", "--force", "--no-progress"},
         cmdSimulate},
        {"sweep",
         "sweep SCENARIO.json... [--vary KEY=V1,V2,...]... [--threads N] [--json] [--anchors DIR] "
         "[--variant-index I] [--results-dir DIR] [--store URL|project [--project PROJECT.twin] "
         "--sweep-name NAME] | sweep --collect DIR [--json] | sweep --collect-store NAME "
         "(--store URL | --project PROJECT.twin) [--json] | sweep --list-stored (--store URL | "
         "--project PROJECT.twin) [--json] | sweep SCENARIO.json... [--vary KEY=V1,V2,...]... "
         "--emit-k8s DIR [--image IMAGE] [--job-name NAME] [--parallelism N] "
         "[--results-claim CLAIM] [--store URL [--sweep-name NAME] [--store-secret SECRET]]",
         "Run several scenarios, or one under parameter variants (the cartesian product of the "
         "--vary axes), in parallel threads, and print a comparison table. Each run is "
         "deterministic: threads change the wall time, never a result. --variant-index runs only "
         "variant I (0-based, in the table's order); --results-dir also writes each run's row to "
         "DIR/variant-NNNN.json; --collect prints the table from such a folder. --emit-k8s writes "
         "a Kubernetes Indexed Job (one pod per variant, each running --variant-index "
         "$JOB_COMPLETION_INDEX into --results-dir on the claim CLAIM, default twindesk-results), "
         "a ConfigMap with the scenarios and variants, and a kustomization.yaml, instead of "
         "running (docs/packaging.md). --store writes the rows to a store's sweep_results "
         "under --sweep-name (a postgresql:// URL, or with --project the project's store): a "
         "variant replaces its own row, a whole sweep the sweep; --collect-store NAME prints the "
         "stored sweep's table, --list-stored the stored sweeps. With --emit-k8s, --store makes "
         "the pods write to that shared store (URL in the ConfigMap, password only from the "
         "Secret SECRET, default JOB-store, as PGPASSWORD) instead of the results volume.",
         {"--vary", "--threads", "--anchors", "--variant-index", "--results-dir", "--collect",
          "--emit-k8s", "--image", "--job-name", "--parallelism", "--results-claim", "--store",
          "--project", "--sweep-name", "--collect-store", "--store-secret"},
         {"--json", "--list-stored"},
         cmdSweep},
        {"compare",
         "compare BASELINE.json CANDIDATE.json [--scope USE]... [--set KEY=VALUE]... "
         "[--trace-dir DIR] [--json] [--anchors DIR]",
         "Run two scenarios side by side (typically one building under two policies, e.g. "
         "conference-baseline.json and conference-adaptive.json) in two threads and print their "
         "KPIs and the change: energy per carrier and per m², discomfort, CO2, meeting starts "
         "outside the comfort band, actions. --scope limits the building KPIs to rooms of a use "
         "(conference, office, ...).",
         {"--scope", "--set", "--anchors", "--trace-dir"},
         {"--json"},
         cmdCompare},
        {"audit",
         "audit verify PROJECT.twin [--store URL|project] [--json]",
         "Check the decision log's tamper-evident hash chain; names the first broken row. The log "
         "checked is the one the project's store holds (--store overrides, as for live). Exit 0 "
         "when intact, 1 when broken or unreadable.",
         {"--store"},
         {"--json"},
         cmdAudit},
        {"approvals",
         "approvals (list PROJECT.twin [--all] | approve PROJECT.twin ID [--note TEXT] | reject "
         "PROJECT.twin ID [--reason TEXT]) [--user NAME] [--store URL|project] [--json]",
         "Decide on the high-impact actions the control loop holds back for approval (hosts "
         "powered off, setpoints outside the comfort band, rounds touching many rooms). list "
         "shows the pending requests (--all: every request with its outcome); approve/reject "
         "record the decision as --user (default $USER) and the loop applies or drops the action "
         "at its next step. The queue is the one the project's store holds: a shared PostgreSQL "
         "store (the project's meta key, or --store) is one queue for every loop and console of "
         "the site. Exit 0 done, 1 refused (unknown id, not pending, expired), 2 usage "
         "or file errors.",
         {"--user", "--note", "--reason", "--store"},
         {"--all", "--json"},
         cmdApprovals},
        {"replay",
         "replay RECORDING.twin [--policy NAME[:PARAMS_JSON]] [--scenario FILE] [--json] "
         "[--anchors DIR]",
         "Open-loop replay: feed a recording's frames (a results file of simulate --out) "
         "through the same control loop with a candidate policy (default: the recorded one) and "
         "compare its proposals with the recorded decisions: agreement, per action kind, first "
         "divergence, time shifts, the targets that differ most. Nothing is applied.",
         {"--policy", "--scenario", "--anchors"},
         {"--json"},
         cmdReplay},
        {"live",
         "live --broker URL --project PROJECT.twin (--map MAP.json | --discovery PREFIX)... "
         "--policy NAME[:PARAMS_JSON] "
         "[--shadow NAME[:PARAMS_JSON]] [--password-file FILE] [--ca-file FILE] "
         "[--utc-offset HOURS] [--frame-ms MS] [--duration S] [--confirm-timeout S] "
         "[--retention raw=D,1m=D,15m=D] [--store URL|project] [--status-every S] [--json]",
         "Run the control loop live against an MQTT broker: telemetry in through the topic map "
         "(docs/live.md) and/or Home Assistant discovery (--discovery homeassistant), the "
         "policy with its guard and fallback, high-impact actions waiting "
         "for `approvals`, commands out on the command topics and confirmed by the devices. "
         "Records historian, decisions, frames and alarms into the project. The password comes "
         "from TWINDESK_MQTT_PASSWORD or --password-file, never the URL. Stops on Ctrl-C/SIGTERM "
         "(or after --duration) with everything flushed. The historian keeps raw samples and "
         "1-minute and 15-minute aggregates, each as long as --retention says (default: "
         "forever; e.g. raw=7d,1m=90d). --store postgresql://user@host/db writes the historian "
         "to a shared PostgreSQL store instead (default: the project's meta key 'store', else "
         "the project file; docs/store.md).",
         {"--broker", "--project", "--map", "--discovery", "--policy", "--shadow", "--password-file",
          "--ca-file",
          "--utc-offset", "--frame-ms", "--duration", "--confirm-timeout", "--status-every",
          "--retention", "--store"},
         {"--json"},
         cmdLive},
        {"validate",
         "validate --recording RECORDING.twin --candidate NAME[:PARAMS_JSON] [--baseline "
         "NAME[:PARAMS_JSON]|recorded] --gate GATE.yaml [--report REPORT.html] [--scenario FILE] "
         "[--json] [--anchors DIR]",
         "The validation gate: run the baseline (default: the recorded policy) and the "
         "candidate closed-loop over the recording's scenario (its weather, calendar, occupancy "
         "and VM demand drive the twin while each policy acts), check the gate file's KPI "
         "thresholds, print the table and write a self-contained HTML report. Exit 0 pass, 1 "
         "fail, 2 error.",
         {"--recording", "--candidate", "--baseline", "--gate", "--report", "--scenario",
          "--anchors"},
         {"--json"},
         cmdValidate},
        {"train",
         "train forecaster --traces DIR --train-days D1,D2,... [--test-days D3,...] -o MODEL.pt "
         "[--epochs N] [--seed S] [--quantile Q] [--history K] [--max-horizon H] [--hidden N] "
         "[--hosts N] [--max-vms N] [--policy NAME] [--safety S] [--force] [--json]",
         "Train the host-utilisation forecaster of the ML consolidation detector (LibTorch, in "
         "C++) on simulated history of PlanetLab training days, save it as TorchScript with its "
         "schema (MODEL.json) and training-data hash, and report on held-out days against LR: "
         "forecast error and the whole day with ML-MMT-S vs LR-MMT-1.2 (docs/torch.md).",
         {"--traces", "--train-days", "--test-days", "-o", "--output", "--epochs", "--seed",
          "--quantile", "--history", "--max-horizon", "--hidden", "--hosts", "--max-vms",
          "--policy", "--safety"},
         {"--force", "--json"},
         cmdTrain},
        {"units",
         "units [--json]",
         "List the units TwinDesk knows: quantity, symbol, QUDT name. Points and attributes must "
         "use one of these (by symbol, alias or QUDT IRI).",
         {},
         {"--json"},
         cmdUnits},
        {"ontology-subset",
         "ontology-subset ONTOLOGY.ttl... -o OUT.ttl",
         "Write the class hierarchy of ontology files (classes, subclass and equivalence edges, "
         "labels, quantities) as compact Turtle; used to build the bundled Brick subset.",
         {"-o", "--output"},
         {},
         cmdOntologySubset},
    };
    return kCommands;
}

const CommandSpec* findCommand(std::string_view name)
{
    for (const auto& c : commands())
        if (c.name == name)
            return &c;
    return nullptr;
}

std::optional<Args> parseArgs(const CommandSpec& spec, const std::vector<std::string>& argv,
                              std::ostream& err)
{
    Args args;
    for (std::size_t i = 1; i < argv.size(); ++i) {
        const auto& a = argv[i];
        if (a.size() > 1 && a[0] == '-') {
            std::string name = a;
            std::optional<std::string> inlineValue;
            if (const auto eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
                name = a.substr(0, eq);
                inlineValue = a.substr(eq + 1);
            }
            const bool takesValue = std::find(spec.valueOptions.begin(), spec.valueOptions.end(),
                                              name) != spec.valueOptions.end();
            const bool isFlag = std::find(spec.flagOptions.begin(), spec.flagOptions.end(), name) !=
                                spec.flagOptions.end();
            if (takesValue) {
                if (inlineValue) {
                    args.options.emplace(name, *inlineValue);
                } else if (i + 1 < argv.size()) {
                    args.options.emplace(name, argv[++i]);
                } else {
                    err << "twindesk " << spec.name << ": option " << name << " needs a value\n"
                        << "usage: twindesk " << spec.synopsis << '\n';
                    return std::nullopt;
                }
            } else if (isFlag && !inlineValue) {
                args.flags.push_back(name);
            } else {
                err << "twindesk " << spec.name << ": unknown option '" << a << "'\n"
                    << "usage: twindesk " << spec.synopsis << '\n';
                return std::nullopt;
            }
        } else {
            args.positional.push_back(a);
        }
    }
    return args;
}

// Left-aligns UTF-8 text in a column of `width` characters (std::setw counts bytes).
std::string pad(std::string_view text, std::size_t width)
{
    std::size_t chars = 0;
    for (const char c : text)
        chars += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1 : 0;
    std::string out(text);
    if (chars < width)
        out.append(width - chars, ' ');
    return out;
}

int fail(CliIo& io, const Error& error)
{
    io.err << "error: " << error.toString() << '\n';
    return kFailed;
}

int usageError(CliIo& io, const CommandSpec& spec, const std::string& message)
{
    io.err << "twindesk " << spec.name << ": " << message << "\nusage: twindesk " << spec.synopsis
           << '\n';
    return kUsage;
}

/// The --set KEY=VALUE scenario overrides; returns the first malformed one, if any.
std::optional<std::string> readOverrides(const Args& args,
                                         std::vector<std::pair<std::string, std::string>>& out)
{
    for (const auto& kv : args.all("--set")) {
        const auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0)
            return kv;
        out.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    }
    // --trace-dir DIR: the PlanetLab day folder of a compute scenario, relative to the
    // working directory (a --set value would be relative to the scenario's folder).
    if (auto dir = args.option("--trace-dir")) {
        std::error_code ec;
        const auto absolute = fs::absolute(*dir, ec);
        out.emplace_back("compute.traces",
                         nlohmann::json(ec ? *dir : absolute.string()).dump()); // a JSON string
    }
    return std::nullopt;
}

/// Wall-clock UTC now, ISO 8601 (for provenance records).
std::string nowIso()
{
    return sim::formatUtc(static_cast<sim::Seconds>(std::time(nullptr)));
}

twin::Result<twin::BrickOntology> loadOntology(const std::vector<std::string>& requested)
{
    const auto assets = assetsDir();
    std::vector<fs::path> files;
    if (requested.empty()) {
        if (!assets)
            return twin::makeError(twin::ErrorCode::NotFound,
                                   assetsNotFoundMessage() + " (or pass --ontology Brick.ttl)");
        files = bundledOntology(*assets);
    } else {
        files.assign(requested.begin(), requested.end());
        if (assets)
            files.push_back(*assets / "ontology" / "twindesk.ttl");
    }
    return twin::BrickOntology::load(files);
}

nlohmann::ordered_json countsJson(const twin::ModelCounts& c)
{
    nlohmann::ordered_json j;
    j["triples"] = c.triples;
    j["buildings"] = c.buildings;
    j["floors"] = c.floors;
    j["rooms"] = c.rooms;
    j["zones"] = c.zones;
    j["ahus"] = c.ahus;
    j["vavs"] = c.vavs;
    j["equipment"] = c.equipment;
    j["points"] = c.points;
    j["sensors"] = c.sensors;
    j["setpoints"] = c.setpoints;
    j["commands"] = c.commands;
    j["compute_hosts"] = c.computeHosts;
    j["vms"] = c.vms;
    j["unknown_typed"] = c.unknownTyped;
    j["relations"] = {{"hasPart", c.hasPart},
                      {"feeds", c.feeds},
                      {"hasPoint", c.hasPoint},
                      {"hasLocation", c.hasLocation},
                      {"runsOn", c.runsOn}};
    return j;
}

void printCounts(std::ostream& out, const twin::ModelCounts& c)
{
    auto row = [&out](std::string_view label, std::size_t value) {
        out << "  " << std::left << std::setw(16) << label << std::right << std::setw(8) << value
            << '\n';
    };
    if (c.triples > 0)
        row("triples", c.triples);
    row("entities", c.entities);
    row("buildings", c.buildings);
    row("floors", c.floors);
    row("rooms", c.rooms);
    row("zones", c.zones);
    row("AHUs", c.ahus);
    row("VAVs", c.vavs);
    row("equipment", c.equipment);
    row("points", c.points);
    row("  sensors", c.sensors);
    row("  setpoints", c.setpoints);
    row("  commands", c.commands);
    row("compute hosts", c.computeHosts);
    row("VMs", c.vms);
    row("unknown typed", c.unknownTyped);
    out << "  relations: hasPart " << c.hasPart << ", feeds " << c.feeds << ", hasPoint "
        << c.hasPoint << ", hasLocation " << c.hasLocation << ", runsOn " << c.runsOn << '\n';
}

// Imports `model` into `output`; prints a summary unless `quiet`.
int importInto(const fs::path& model, const std::vector<std::string>& ontologyFiles,
               const fs::path& output, twin::CreateMode mode, bool json, CliIo& io)
{
    auto ontology = loadOntology(ontologyFiles);
    if (!ontology)
        return fail(io, ontology.error());
    auto imported = twin::importBrick(model, *ontology);
    if (!imported)
        return fail(io, imported.error());
    const auto& stats = imported->stats;
    std::error_code ec;
    std::map<std::string, std::string> meta{
        {"twindesk_version", kVersion},
        {"source_file", fs::absolute(model, ec).string()},
        {"source_triples", std::to_string(stats.triples)},
        {"imported_at", nowIso()},
        {"import_untyped_entities", std::to_string(stats.untypedEntities)},
        {"import_warnings", std::to_string(stats.warnings.size())},
    };
    std::string ontologyList;
    for (const auto& o : ontologyFiles)
        ontologyList += (ontologyList.empty() ? "" : ";") + o;
    meta["ontology"] = ontologyList.empty() ? "bundled Brick 1.3 + twindesk" : ontologyList;
    if (auto s = twin::ProjectStore::writeNew(output, imported->graph, meta, mode); !s)
        return fail(io, s.error());

    const auto counts = twin::countModel(imported->graph, stats.triples);
    if (json) {
        nlohmann::ordered_json j;
        j["project"] = output.string();
        j["counts"] = countsJson(counts);
        j["untyped_entities"] = stats.untypedEntities;
        j["warnings"] = stats.warnings;
        io.out << j.dump(2) << '\n';
    } else {
        for (const auto& w : stats.warnings)
            io.err << "warning: " << w << '\n';
        io.out << "imported " << model.string() << " → " << output.string() << '\n';
        printCounts(io.out, counts);
    }
    return kOk;
}

int cmdImportBrick(const Args& args, CliIo& io)
{
    const auto& spec = *findCommand("import-brick");
    if (args.positional.size() != 1)
        return usageError(io, spec, "expected exactly one MODEL.ttl");
    auto output = args.option("-o");
    if (!output)
        output = args.option("--output");
    if (!output)
        return usageError(io, spec, "the output project is required: -o PROJECT.twin");
    return importInto(args.positional[0], args.all("--ontology"), *output,
                      args.flag("--force") ? twin::CreateMode::Replace
                                           : twin::CreateMode::FailIfExists,
                      args.flag("--json"), io);
}

int cmdStore(const Args& args, CliIo& io)
{
    const auto& spec = *findCommand("store");
    if (args.positional.empty() || args.positional.size() > 2)
        return usageError(io, spec, "expected PROJECT.twin and at most one store");
    auto project = twin::ProjectStore::open(args.positional[0], twin::OpenMode::ReadWrite);
    if (!project)
        return fail(io, project.error());
    std::optional<std::string> given;
    if (args.positional.size() == 2)
        given = args.positional[1];
    auto selection = twin::StoreSelection::resolve(*project, given);
    if (!selection)
        return fail(io, selection.error());
    if (given) {
        // Record the store only once it answered; never store a password.
        const bool shared = selection->shared() != nullptr;
        if (shared && twin::PgStore::redactedUrl(*given) != *given)
            return fail(io, twin::makeError(twin::ErrorCode::InvalidArgument,
                                            "the URL holds a password: put it in ~/.pgpass or "
                                            "PGPASSWORD and give the URL without it",
                                            selection->describe()));
        if (auto s = project->setMeta(std::string(twin::kStoreMetaKey),
                                      shared ? *given : std::string(twin::kProjectStoreName));
            !s)
            return fail(io, s.error());
    }
    auto& h = selection->historian();
    auto samples = h.sampleCount();
    if (!samples)
        return fail(io, samples.error());
    auto range = h.historianRange();
    if (!range)
        return fail(io, range.error());
    const int schema = selection->shared() != nullptr ? selection->shared()->schemaVersion()
                                                      : project->schemaVersion();
    // What else the store holds for the site: the decision log and the approval queue.
    auto count = [&selection](const char* sql) -> twin::Result<std::int64_t> {
        auto rows = selection->sql().query(sql, {}, "counting");
        if (!rows)
            return rows.error();
        return rows->empty() ? std::int64_t{0} : rows->front().int64(0);
    };
    auto decisions = count("SELECT count(*) FROM decision_log");
    if (!decisions)
        return fail(io, decisions.error());
    auto pending = count("SELECT count(*) FROM approvals WHERE status = 'pending'");
    if (!pending)
        return fail(io, pending.error());
    if (args.flag("--json")) {
        nlohmann::ordered_json j{{"project", args.positional[0]},
                                 {"store", selection->shared() != nullptr
                                               ? selection->describe()
                                               : std::string(twin::kProjectStoreName)},
                                 {"schema", schema},
                                 {"samples", *samples},
                                 {"decisions", *decisions},
                                 {"pending_approvals", *pending}};
        if (*range)
            j["range"] = {{"from", sim::formatUtc((*range)->first / 1000)},
                          {"to", sim::formatUtc((*range)->second / 1000)}};
        io.out << j.dump(2) << '\n';
        return kOk;
    }
    io.out << "project      " << args.positional[0] << '\n'
           << "store        " << selection->describe() << (given ? " (recorded)" : "") << '\n'
           << "schema       " << schema << '\n'
           << "samples      " << *samples << '\n';
    if (*range)
        io.out << "range        " << sim::formatUtc((*range)->first / 1000) << " – "
               << sim::formatUtc((*range)->second / 1000) << '\n';
    io.out << "decisions    " << *decisions << '\n'
           << "approvals    " << *pending << " pending\n";
    return kOk;
}

int cmdInfo(const Args& args, CliIo& io)
{
    const auto& spec = *findCommand("info");
    if (args.positional.size() != 1)
        return usageError(io, spec, "expected exactly one PROJECT.twin");
    auto store = twin::ProjectStore::open(args.positional[0], twin::OpenMode::ReadWrite);
    if (!store)
        return fail(io, store.error());
    auto graph = store->loadModel();
    if (!graph)
        return fail(io, graph.error());
    auto meta = store->allMeta();
    if (!meta)
        return fail(io, meta.error());
    std::size_t triples = 0;
    if (const auto it = meta->find("source_triples"); it != meta->end())
        triples = std::stoull(it->second);
    const auto counts = twin::countModel(*graph, triples);
    if (args.flag("--json")) {
        auto j = countsJson(counts);
        if (auto rec = policies::describeRecording(*store); rec && rec->frames > 0) {
            nlohmann::ordered_json policiesJson = nlohmann::ordered_json::array();
            for (const auto& p : rec->policies)
                policiesJson.push_back({{"id", p.id},
                                        {"version", p.version},
                                        {"hash", p.hash},
                                        {"decisions", p.decisions}});
            j["recording"] = {{"start", sim::formatUtc(rec->start)},
                              {"end", sim::formatUtc(rec->end)},
                              {"frames", rec->frames},
                              {"decision_frames", rec->decisionFrames},
                              {"samples", rec->samples},
                              {"points", rec->points},
                              {"policies", policiesJson}};
        }
        if (auto events = live::liveEventCounts(*store); events && !events->empty()) {
            std::int64_t alarms = 0;
            for (const auto& [kind, n] : *events)
                alarms += live::isAlarm(kind) ? n : 0;
            j["live"] = {{"events", *events}, {"alarms", alarms}};
        }
        io.out << j.dump(2) << '\n';
        return kOk;
    }
    auto samples = store->sampleCount();
    io.out << "project      " << args.positional[0] << '\n'
           << "schema       " << store->schemaVersion() << '\n';
    static const std::vector<std::pair<const char*, const char*>> kShown{
        {"kind", "kind"},
        {"source_file", "source"},
        {"imported_at", "imported"},
        {"ontology", "ontology"},
        {"scenario_name", "scenario"},
        {"period_start", "from"},
        {"period_end", "to"},
        {"seed", "seed"},
        {"twindesk_version", "written by"},
    };
    for (const auto& [key, label] : kShown)
        if (const auto it = meta->find(key); it != meta->end())
            io.out << pad(label, 13) << it->second << '\n';
    io.out << "samples      " << (samples ? *samples : 0) << '\n';
    // A shared historian is named, not queried: `twindesk store` connects and counts.
    if (const auto it = meta->find(std::string(twin::kStoreMetaKey));
        it != meta->end() && it->second != twin::kProjectStoreName)
        io.out << "store        " << twin::PgStore::redactedUrl(it->second)
               << " (historian; `twindesk store` for its figures)\n";
    // A run's results are a recording (policies/recording.h): what the loop saw and decided.
    if (auto rec = policies::describeRecording(*store); rec && rec->frames > 0) {
        io.out << "recording    " << rec->frames << " frames (" << rec->decisionFrames
               << " with decisions) from " << sim::formatUtc(rec->start) << " to "
               << sim::formatUtc(rec->end) << ", " << rec->samples << " changed values of "
               << rec->points << " points\n";
        for (const auto& p : rec->policies)
            io.out << "policy       " << p.id << " " << p.version << " " << p.hash.substr(0, 19)
                   << "…: " << p.decisions << " decision-log rows\n";
    }
    // A live project: what happened on the connection, alarms first.
    if (auto events = live::liveEventCounts(*store); events && !events->empty()) {
        std::string alarms;
        std::string rest;
        for (const auto& [kind, n] : *events)
            (live::isAlarm(kind) ? alarms : rest) +=
                (kind + " " + std::to_string(n) + ", ");
        if (const auto it = meta->find("live_broker"); it != meta->end())
            io.out << "live         " << it->second << '\n';
        io.out << "alarms       " << (alarms.empty() ? "none" : alarms.substr(0, alarms.size() - 2))
               << '\n';
        if (!rest.empty())
            io.out << "events       " << rest.substr(0, rest.size() - 2) << '\n';
    }
    // Results projects carry the KPIs of the run that wrote them.
    if (const auto it = meta->find("kpis"); it != meta->end()) {
        const auto kpi = nlohmann::json::parse(it->second, nullptr, false);
        if (kpi.is_object()) {
            char line[256];
            std::snprintf(line, sizeof line,
                          "kpis         heating %.3f MWh, cooling %.3f MWh, peaks %.2f / %.2f kW, "
                          "discomfort %.1f K·h\n",
                          kpi.value("annual_heating_mwh", 0.0),
                          kpi.value("annual_cooling_mwh", 0.0), kpi.value("peak_heating_kw", 0.0),
                          kpi.value("peak_cooling_kw", 0.0), kpi.value("discomfort_kh", 0.0));
            io.out << line << "state        " << kpi.value("state_hash", std::string()) << '\n';
        }
    }
    io.out << "model\n";
    printCounts(io.out, counts);
    return kOk;
}

int cmdOntologySubset(const Args& args, CliIo& io)
{
    const auto& spec = *findCommand("ontology-subset");
    auto output = args.option("-o");
    if (!output)
        output = args.option("--output");
    if (args.positional.empty() || !output)
        return usageError(io, spec, "expected ontology files and -o OUT.ttl");
    std::vector<fs::path> files(args.positional.begin(), args.positional.end());
    auto ontology = twin::BrickOntology::load(files);
    if (!ontology)
        return fail(io, ontology.error());
    if (auto s = ontology->writeClassSubset(*output); !s)
        return fail(io, s.error());
    io.out << "wrote " << ontology->classCount() << " classes and " << ontology->subclassEdgeCount()
           << " subclass edges to " << *output << '\n';
    return kOk;
}

nlohmann::ordered_json entityJson(const twin::TwinGraph& g, twin::EntityIndex i)
{
    const auto& e = g.entity(i);
    nlohmann::ordered_json j{
        {"id", e.id}, {"name", e.name}, {"kind", twin::entityKindName(e.kind)}};
    if (e.kind == twin::EntityKind::Equipment)
        j["type"] = twin::equipmentTypeName(e.equipmentType);
    if (e.point) {
        j["point_type"] = twin::pointTypeName(e.point->type);
        j["quantity"] = twin::quantityName(e.point->quantity);
        j["unit"] = e.point->unit;
    }
    return j;
}

int cmdQuery(const Args& args, CliIo& io)
{
    const auto& spec = *findCommand("query");
    if (args.positional.size() < 3)
        return usageError(io, spec, "expected PROJECT.twin, a query and its argument");
    auto store = twin::ProjectStore::open(args.positional[0], twin::OpenMode::ReadOnly);
    if (!store)
        return fail(io, store.error());
    auto graph = store->loadModel();
    if (!graph)
        return fail(io, graph.error());
    const auto& g = *graph;
    const auto& query = args.positional[1];
    auto resolve = [&](const std::string& text) -> twin::Result<twin::EntityIndex> {
        if (auto i = g.find(text))
            return *i;
        // Accept a unique local name or label for convenience ("vav_1_01").
        std::optional<twin::EntityIndex> match;
        for (twin::EntityIndex i = 0; i < g.entityCount(); ++i) {
            const auto& e = g.entity(i);
            if (twin::localName(e.id) == text || e.name == text) {
                if (match)
                    return twin::makeError(twin::ErrorCode::InvalidArgument,
                                           "'" + text +
                                               "' matches several entities; use the full id");
                match = i;
            }
        }
        if (!match)
            return twin::makeError(twin::ErrorCode::NotFound,
                                   "no entity with id, local name or label '" + text + "'",
                                   args.positional[0]);
        return *match;
    };

    std::vector<twin::EntityIndex> result;
    if (query == "kind") {
        const auto kind = twin::parseEntityKind(args.positional[2]);
        if (!kind)
            return usageError(io, spec, "unknown kind '" + args.positional[2] + "'");
        result = g.entitiesOfKind(*kind);
    } else if (query == "path") {
        if (args.positional.size() != 4)
            return usageError(io, spec, "path needs FROM and TO");
        auto from = resolve(args.positional[2]);
        if (!from)
            return fail(io, from.error());
        auto to = resolve(args.positional[3]);
        if (!to)
            return fail(io, to.error());
        auto path = g.shortestPath(*from, *to);
        if (!path)
            return fail(io, path.error());
        if (args.flag("--json")) {
            nlohmann::ordered_json j = nlohmann::ordered_json::array();
            for (const auto& step : *path)
                j.push_back({{"from", g.entity(step.from).id},
                             {"relation", step.forward ? twin::relationName(step.relation)
                                                       : twin::inverseRelationName(step.relation)},
                             {"to", g.entity(step.to).id}});
            io.out << j.dump(2) << '\n';
        } else {
            io.out << g.describePath(*path) << '\n';
        }
        return kOk;
    } else {
        auto at = resolve(args.positional[2]);
        if (!at)
            return fail(io, at.error());
        if (query == "children")
            result = g.children(*at, twin::Containment::PartsAndLocations);
        else if (query == "ancestors")
            result = g.ancestors(*at);
        else if (query == "points")
            result = g.pointsOf(*at);
        else if (query == "fed-by")
            result = g.zonesFedBy(*at);
        else
            return usageError(io, spec, "unknown query '" + query + "'");
    }
    if (args.flag("--json")) {
        nlohmann::ordered_json j = nlohmann::ordered_json::array();
        for (auto i : result)
            j.push_back(entityJson(g, i));
        io.out << j.dump(2) << '\n';
    } else {
        for (auto i : result) {
            const auto& e = g.entity(i);
            io.out << std::left << std::setw(10) << twin::entityKindName(e.kind) << ' ' << e.name;
            if (e.point)
                io.out << " [" << e.point->unit << ']';
            io.out << "  <" << e.id << ">\n";
        }
        io.out << result.size() << " result(s)\n";
    }
    return kOk;
}

int cmdUnits(const Args& args, CliIo& io)
{
    if (!args.positional.empty())
        return usageError(io, *findCommand("units"), "takes no arguments");
    if (args.flag("--json")) {
        nlohmann::ordered_json j = nlohmann::ordered_json::array();
        for (const auto& u : twin::allUnits())
            j.push_back({{"symbol", u.symbol},
                         {"quantity", twin::quantityName(u.quantity)},
                         {"qudt", u.qudt},
                         {"name", u.name},
                         {"scale", u.scale},
                         {"offset", u.offset}});
        io.out << j.dump(2) << '\n';
        return kOk;
    }
    io.out << std::left << std::setw(24) << "quantity" << std::setw(10) << "symbol" << std::setw(18)
           << "QUDT"
           << "name\n";
    for (const auto& u : twin::allUnits())
        io.out << pad(twin::quantityName(u.quantity), 24) << pad(u.symbol, 10)
               << pad(u.qudt.empty() ? "-" : u.qudt, 18) << u.name << '\n';
    return kOk;
}

int cmdSimulate(const Args& args, CliIo& io)
{
    const auto& spec = *findCommand("simulate");
    if (args.positional.size() != 1)
        return usageError(io, spec, "expected exactly one SCENARIO.json");
    SimulateOptions o;
    o.scenario = args.positional[0];
    if (auto out = args.option("--out"))
        o.out = *out;
    else if (auto shortOut = args.option("-o"))
        o.out = *shortOut;
    o.json = args.flag("--json");
    o.force = args.flag("--force");
    o.progress = !args.flag("--no-progress");
    if (auto anchors = args.option("--anchors"))
        o.anchors = *anchors;
    if (auto bad = readOverrides(args, o.overrides))
        return usageError(io, spec, "--set needs KEY=VALUE, got '" + *bad + "'");
    if (auto url = args.option("--publish"))
        o.publish = *url;
    if (auto factor = args.option("--realtime-factor")) {
        o.realtimeFactor = parseRealtimeFactor(*factor);
        if (!o.realtimeFactor)
            return usageError(io, spec,
                              "--realtime-factor needs a number > 0 (simulated seconds per wall "
                              "second), got '" +
                                  *factor + "'");
    }
    if (auto map = args.option("--map-out"))
        o.mapOut = *map;
    if (!o.publish && (o.realtimeFactor || o.mapOut))
        return usageError(io, spec, "--realtime-factor and --map-out need --publish URL");
    return runSimulate(o, io);
}

int cmdSweep(const Args& args, CliIo& io)
{
    const auto& spec = *findCommand("sweep");
    SweepOptions o;
    o.json = args.flag("--json");
    o.store = args.option("--store");
    o.project = args.option("--project").value_or("");
    o.sweepName = args.option("--sweep-name").value_or("");
    o.storeSecret = args.option("--store-secret").value_or("");
    const bool listStored = args.flag("--list-stored");
    const auto collectStore = args.option("--collect-store");
    if (args.option("--collect") || collectStore || listStored) {
        const char* what = collectStore ? "--collect-store NAME"
                           : listStored ? "--list-stored"
                                        : "--collect DIR";
        if (!args.positional.empty() || !args.all("--vary").empty() || args.option("--emit-k8s"))
            return usageError(io, spec,
                              std::string(what) + " takes no scenarios, --vary or --emit-k8s");
        if ((args.option("--collect") ? 1 : 0) + (collectStore ? 1 : 0) + (listStored ? 1 : 0) > 1)
            return usageError(io, spec,
                              "--collect, --collect-store and --list-stored exclude each other");
        if (args.option("--collect")) {
            if (o.store || !o.project.empty())
                return usageError(io, spec,
                                  "--collect DIR reads a folder; --collect-store NAME reads a "
                                  "store (--store, --project)");
            o.collect = *args.option("--collect");
        } else if (!o.store && o.project.empty()) {
            return usageError(io, spec,
                              std::string(what) +
                                  " needs a store: --store postgresql://USER@HOST/DB, or "
                                  "--project PROJECT.twin [--store project]");
        }
        if (collectStore)
            o.collectStore = *collectStore;
        o.listStored = listStored;
        if (collectStore && o.collectStore.empty())
            return usageError(io, spec, "--collect-store needs a sweep name");
        return runSweep(o, io);
    }
    if (args.positional.empty())
        return usageError(io, spec, "expected at least one SCENARIO.json");
    if (!o.sweepName.empty() && !o.store && o.project.empty())
        return usageError(io, spec,
                          "--sweep-name names the rows in a store: give --store (or --project)");
    if ((o.store || !o.project.empty()) && !args.option("--emit-k8s") && o.sweepName.empty())
        return usageError(io, spec,
                          "storing results needs --sweep-name NAME (what --collect-store NAME "
                          "and the console find them by)");
    if (!o.storeSecret.empty() && !args.option("--emit-k8s"))
        return usageError(io, spec, "--store-secret belongs to --emit-k8s");
    o.scenarios.assign(args.positional.begin(), args.positional.end());
    const auto whole = [&](const char* flag, std::size_t min) -> std::optional<std::size_t> {
        const auto v = args.option(flag);
        try {
            std::size_t used = 0;
            const auto n = std::stoull(*v, &used);
            if (used == v->size() && (*v)[0] != '-' && n >= min)
                return static_cast<std::size_t>(n);
        } catch (const std::exception&) {
        }
        return std::nullopt;
    };
    if (args.option("--variant-index")) {
        o.variantIndex = whole("--variant-index", 0);
        if (!o.variantIndex)
            return usageError(io, spec,
                              "--variant-index needs a whole number >= 0, got '" +
                                  *args.option("--variant-index") + "'");
    }
    if (auto v = args.option("--results-dir"))
        o.resultsDir = *v;
    if (auto dir = args.option("--emit-k8s")) {
        if (o.variantIndex || !o.resultsDir.empty())
            return usageError(io, spec,
                              "--emit-k8s writes the Job, whose pods choose --variant-index and "
                              "--results-dir themselves: leave those out");
        o.emitK8s = *dir;
        if (!o.project.empty())
            return usageError(io, spec,
                              "--emit-k8s: the pods cannot open a project file; give the shared "
                              "store as --store postgresql://USER@HOST/DB");
        if (!o.storeSecret.empty() && !o.store)
            return usageError(io, spec, "--store-secret belongs to --store");
        if (!o.storeSecret.empty())
            if (const auto why = checkK8sName(o.storeSecret); !why.empty())
                return usageError(io, spec, "--store-secret " + o.storeSecret + ": " + why);
        o.image = args.option("--image").value_or("");
        o.jobName = args.option("--job-name").value_or("");
        o.resultsClaim = args.option("--results-claim").value_or("");
        if (!o.jobName.empty())
            if (const auto why = checkK8sName(o.jobName); !why.empty())
                return usageError(io, spec,
                                  "--job-name " + o.jobName + ": a Kubernetes Job name " + why);
        if (!o.resultsClaim.empty())
            if (const auto why = checkK8sName(o.resultsClaim); !why.empty())
                return usageError(io, spec, "--results-claim " + o.resultsClaim + ": " + why);
        if (args.option("--parallelism")) {
            const auto n = whole("--parallelism", 1);
            if (!n)
                return usageError(io, spec,
                                  "--parallelism needs a whole number >= 1, got '" +
                                      *args.option("--parallelism") + "'");
            o.parallelism = static_cast<unsigned>(*n);
        }
    } else {
        for (const char* k8s : {"--image", "--job-name", "--parallelism", "--results-claim"})
            if (args.option(k8s))
                return usageError(io, spec, std::string(k8s) + " belongs to --emit-k8s");
    }
    if (auto anchors = args.option("--anchors"))
        o.anchors = *anchors;
    if (auto threads = args.option("--threads")) {
        try {
            o.threads = static_cast<unsigned>(std::stoul(*threads));
        } catch (const std::exception&) {
            return usageError(io, spec, "--threads needs a number, got '" + *threads + "'");
        }
    }
    for (const auto& axis : args.all("--vary")) {
        const auto eq = axis.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == axis.size())
            return usageError(io, spec, "--vary needs KEY=V1,V2,..., got '" + axis + "'");
        std::vector<std::string> values;
        std::string rest = axis.substr(eq + 1);
        for (std::size_t pos = 0; pos <= rest.size();) {
            const auto comma = rest.find(',', pos);
            values.push_back(
                rest.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
            if (comma == std::string::npos)
                break;
            pos = comma + 1;
        }
        o.axes.emplace_back(axis.substr(0, eq), std::move(values));
    }
    return runSweep(o, io);
}

int cmdCompare(const Args& args, CliIo& io)
{
    const auto& spec = *findCommand("compare");
    if (args.positional.size() != 2)
        return usageError(io, spec, "expected BASELINE.json and CANDIDATE.json");
    CompareOptions o;
    o.baseline = args.positional[0];
    o.candidate = args.positional[1];
    o.json = args.flag("--json");
    o.uses = args.all("--scope");
    if (auto anchors = args.option("--anchors"))
        o.anchors = *anchors;
    if (auto bad = readOverrides(args, o.overrides))
        return usageError(io, spec, "--set needs KEY=VALUE, got '" + *bad + "'");
    return runCompare(o, io);
}

int cmdAudit(const Args& args, CliIo& io)
{
    const auto& spec = *findCommand("audit");
    if (args.positional.size() != 2 || args.positional[0] != "verify")
        return usageError(io, spec, "expected: audit verify PROJECT.twin");
    // The log lives where the project's store says (or --store): the file or the shared store.
    auto project = twin::ProjectStore::open(args.positional[1], twin::OpenMode::ReadOnly);
    if (!project)
        return fail(io, project.error());
    auto selection = twin::StoreSelection::resolve(*project, args.option("--store"));
    if (!selection)
        return fail(io, selection.error());
    const std::string checked =
        selection->shared() != nullptr ? selection->describe() : args.positional[1];
    auto report = selection->shared() != nullptr
                      ? policies::DecisionLog::verify(*selection->shared())
                      : policies::DecisionLog::verify(args.positional[1]);
    if (!report)
        return fail(io, report.error());
    const auto& r = *report;
    if (args.flag("--json")) {
        nlohmann::ordered_json j{
            {"ok", r.ok}, {"rows", r.rows}, {"head_hash", r.headHash}, {"warnings", r.warnings}};
        if (r.firstBrokenSeq) {
            j["first_broken_seq"] = *r.firstBrokenSeq;
            j["reason"] = r.reason;
        }
        io.out << j.dump(2) << '\n';
    } else if (r.ok) {
        io.out << checked << ": decision log intact, " << r.rows << " rows, head " << r.headHash
               << '\n';
    } else {
        io.out << checked << ": decision log BROKEN at seq "
               << r.firstBrokenSeq.value_or(0) << ": " << r.reason << '\n';
    }
    for (const auto& w : r.warnings)
        io.err << "warning: " << w << '\n';
    return r.ok ? kOk : kFailed;
}

int cmdApprovals(const Args& args, CliIo& io)
{
    const auto& spec = *findCommand("approvals");
    const auto& p = args.positional;
    if (p.empty())
        return usageError(io, spec, "expected list, approve or reject");
    ApprovalsOptions o;
    const auto& verb = p[0];
    if (verb == "list") {
        if (p.size() != 2)
            return usageError(io, spec, "expected: approvals list PROJECT.twin");
        o.verb = ApprovalsOptions::Verb::List;
    } else if (verb == "approve" || verb == "reject") {
        if (p.size() != 3)
            return usageError(io, spec, "expected: approvals " + verb + " PROJECT.twin ID");
        o.verb =
            verb == "approve" ? ApprovalsOptions::Verb::Approve : ApprovalsOptions::Verb::Reject;
        const auto id = parseApprovalId(p[2]);
        if (!id)
            return usageError(io, spec,
                              "ID must be a request number such as 12 or #12, got '" + p[2] +
                                  "' (see `twindesk approvals list PROJECT.twin`)");
        o.id = *id;
    } else {
        return usageError(io, spec, "unknown subcommand '" + verb + "'");
    }
    o.file = p[1];
    o.store = args.option("--store");
    o.all = args.flag("--all");
    o.json = args.flag("--json");
    if (o.all && o.verb != ApprovalsOptions::Verb::List)
        return usageError(io, spec, "--all belongs to list");
    if (args.option("--note") && o.verb != ApprovalsOptions::Verb::Approve)
        return usageError(io, spec, "--note belongs to approve (reject takes --reason)");
    if (args.option("--reason") && o.verb != ApprovalsOptions::Verb::Reject)
        return usageError(io, spec, "--reason belongs to reject (approve takes --note)");
    o.text = args.option("--note").value_or(args.option("--reason").value_or(""));
    if (o.verb != ApprovalsOptions::Verb::List) {
        if (auto user = args.option("--user")) {
            o.user = *user;
        } else if (const char* env = std::getenv("USER"); env != nullptr) {
            o.user = env;
        }
        if (o.user.empty())
            return usageError(io, spec, "who decides? pass --user NAME (or set USER)");
    }
    return runApprovals(o, io);
}

int cmdDemo(const Args& args, CliIo& io)
{
    const auto assets = assetsDir();
    if (!assets)
        return fail(io, twin::makeError(twin::ErrorCode::NotFound, assetsNotFoundMessage()));
    const fs::path out =
        args.option("--out").value_or((fs::temp_directory_path() / "twindesk-demo.twin").string());
    const bool json = args.flag("--json");

    // The demo scenario imports the demo office through the Brick path, simulates it and
    // writes a results project that holds the model and the telemetry.
    SimulateOptions o;
    o.scenario = *assets / "scenarios" / "demo-office.json";
    o.out = out;
    o.force = true;
    o.json = json;
    if (!json)
        io.out << "TwinDesk demo: the demo office (" << (*assets / "demo" / "office.ttl").string()
               << ")\n\n";
    if (int rc = runSimulate(o, io); rc != kOk || json)
        return rc;

    auto store = twin::ProjectStore::open(out, twin::OpenMode::ReadOnly);
    if (!store)
        return fail(io, store.error());
    auto graph = store->loadModel();
    if (!graph)
        return fail(io, graph.error());
    const auto& g = *graph;
    io.out << "\nmodel\n";
    printCounts(io.out, twin::countModel(g, 0));
    io.out << "air handling\n";
    for (auto ahu : g.equipmentOfType(twin::EquipmentType::Ahu))
        io.out << "  " << g.entity(ahu).name << " feeds " << g.zonesFedBy(ahu).size()
               << " rooms and zones\n";
    std::size_t hosts = 0;
    std::size_t busy = 0;
    for (auto host : g.equipmentOfType(twin::EquipmentType::ComputeHost)) {
        ++hosts;
        busy += g.incoming(host, twin::Relation::RunsOn).empty() ? 0 : 1;
    }
    io.out << "server room\n  " << hosts << " compute hosts, " << busy << " running VMs, "
           << g.entitiesOfKind(twin::EntityKind::Workload).size() << " VMs\n";
    const auto vms = g.entitiesOfKind(twin::EntityKind::Workload);
    const auto buildings = g.entitiesOfKind(twin::EntityKind::Building);
    if (!vms.empty() && !buildings.empty())
        if (auto path = g.shortestPath(vms.front(), buildings.front()))
            io.out << "  " << g.describePath(*path) << '\n';
    io.out << "\nopen the results in the console: twindesk " << out.string() << '\n';
    return kOk;
}

} // namespace

std::optional<std::vector<std::string>> screenshotConsoleArgs(const std::vector<std::string>& argv,
                                                              CliIo io)
{
    const auto* spec = findCommand("screenshot");
    auto args = parseArgs(*spec, argv, io.err);
    if (!args)
        return std::nullopt;
    if (!args->positional.empty()) {
        io.err << "error: screenshot takes no positional arguments (the project is --project)\n";
        return std::nullopt;
    }
    const auto out = args->option("--out");
    if (!out) {
        io.err << "error: screenshot needs --out FILE.png\n";
        return std::nullopt;
    }
    const std::string view = args->option("--view").value_or("3d");
    static const std::vector<std::string> kViews{"3d",         "twin",   "decisions", "approvals",
                                                 "trends",     "simulation", "replay", "live"};
    if (std::find(kViews.begin(), kViews.end(), view) == kViews.end()) {
        io.err << "error: --view " << view
               << ": expected 3d, twin, decisions, approvals, trends, simulation, replay or live\n";
        return std::nullopt;
    }
    const bool replay = view == "replay";
    std::string project;
    const bool demo = !args->option("--project");
    if (!demo) {
        project = *args->option("--project");
        std::error_code ec;
        if (!fs::exists(project, ec)) {
            io.err << "error: --project " << project << ": no such file\n";
            return std::nullopt;
        }
    } else {
        // The demo office after its four simulated weeks (a few seconds), in a file the
        // caller removes (kScreenshotDemoPrefix).
        project = (fs::temp_directory_path() /
                   (std::string(kScreenshotDemoPrefix) + std::to_string(::getpid()) + ".twin"))
                      .string();
        std::ostringstream quiet;
        if (replay) {
            // The replay view needs a recording: two January days of the conference rooms
            // under adaptive-conference (about a second).
            const auto assets = assetsDir();
            if (!assets) {
                io.err << "error: screenshot --view replay: the bundled assets were not found; "
                          "pass --project RECORDING.twin\n";
                return std::nullopt;
            }
            if (runCli({"simulate", (*assets / "scenarios" / "conference-adaptive.json").string(),
                        "--out", project, "--force", "--no-progress", "--set",
                        "period.end=\"2025-01-08T00:00\""},
                       {quiet, io.err}) != 0)
                return std::nullopt;
        } else if (runCli({"demo", "--out", project}, {quiet, io.err}) != 0) {
            return std::nullopt;
        }
    }
    std::vector<std::string> console{project, "--view", view, "--screenshot", *out};
    for (const char* name : {"--at", "--metric", "--select", "--floor", "--explode", "--candidate"})
        if (const auto v = args->option(name)) {
            console.push_back(name);
            console.push_back(*v);
        }
    for (const auto& t : args->all("--trend")) {
        console.push_back("--trend");
        console.push_back(t);
    }
    if (demo && replay && !args->option("--candidate")) {
        // On the demo recording: a candidate that waits longer before standby diverges at
        // the first vacancy.
        console.push_back("--candidate");
        console.push_back(R"(adaptive-conference:{"vacancy_delay_s":1800})");
    }
    if (demo && !replay) {
        // On the demo: a weekday afternoon (15:00 in Chicago) and room 201's temperatures.
        if (!args->option("--at")) {
            console.push_back("--at");
            console.push_back("2025-01-29T21:00Z");
        }
        if (args->all("--trend").empty())
            for (const char* p : {"urn:twindesk:demo:office#room_201_zat",
                                  "urn:twindesk:demo:office#room_201_zhsp"}) {
                console.push_back("--trend");
                console.push_back(p);
            }
    }
    return console;
}

bool isCliCommand(std::string_view word)
{
    return findCommand(word) != nullptr || word == "help" || word == "--help" || word == "-h" ||
           word == "--version" || word == "version";
}

const std::vector<ConsoleOption>& consoleOptions()
{
    static const std::vector<ConsoleOption> kOptions{
        {"view", "NAME",
         "The view to show at start: twin or 3d (the default: tree, 3D building, properties), "
         "decisions, approvals, trends, simulation, replay, live or whatif."},
        {"select", "ENTITY", "Select an entity (id, local name or label) at start."},
        {"metric", "METRIC",
         "Colour the 3D building by temperature (default), co2, occupancy, power or cpu."},
        {"floor", "N", "Show only this floor (0 = the lowest) in 3D."},
        {"explode", "X", "Explode the floors in 3D (0 stacked … 2; default 0)."},
        {"at", "TIME",
         "Colour the 3D building by the historian at this time (ISO 8601, UTC unless it has an "
         "offset; default: the last sample)."},
        {"trend", "POINT", "A point (id) to show in the trends (repeatable)."},
        {"scenario", "FILE", "A scenario to load in the simulation view."},
        {"whatif", "FILE", "A base scenario to open in the what-if view."},
        {"whatif-set", "KEY=JSON",
         "An override of the what-if variant, KEY=JSON as simulate --set (repeatable)."},
        {"whatif-common", "KEY=JSON",
         "An override of both what-if runs, KEY=JSON (repeatable), e.g. a shorter period."},
        {"whatif-run", "",
         "Run the what-if base and variant at start (with --screenshot: grab when both are "
         "done)."},
        {"recording", "FILE",
         "A recording (results file of simulate --out with a policy) for the replay view "
         "(default: the project when it is one)."},
        {"candidate", "NAME[:PARAMS_JSON]",
         "A candidate policy, as replay --policy, replayed over the recording at start (with "
         "--screenshot: grab when it is done)."},
        {"screenshot", "FILE", "Save a PNG of the window and quit."},
        {"quit-after", "MS", "Quit after this many milliseconds."},
        {"frame-stats", "FRAMES",
         "Benchmark: orbit the 3D view for N frames, print frame times and quit."},
    };
    return kOptions;
}

const ConsoleOption* findConsoleOption(std::string_view name)
{
    for (const auto& o : consoleOptions())
        if (o.name == name)
            return &o;
    return nullptr;
}

bool isConsoleOption(std::string_view arg)
{
    if (arg.rfind("--", 0) != 0)
        return false;
    arg.remove_prefix(2);
    return findConsoleOption(arg.substr(0, arg.find('='))) != nullptr;
}

std::string usageText()
{
    std::ostringstream s;
    s << "TwinDesk " << kVersion << " — desktop digital-twin simulator and control console\n\n"
      << "usage: twindesk [PROJECT.twin] [CONSOLE OPTION]...   open the console (GUI)\n"
      << "       twindesk COMMAND [ARGS...]                    run a command headless\n\n"
      << "commands:\n";
    for (const auto& c : commands())
        s << "  " << c.synopsis << "\n      " << c.summary << "\n\n";
    s << "console options:\n";
    for (const auto& o : consoleOptions()) {
        s << "  --" << o.name;
        if (!o.valueName.empty())
            s << ' ' << o.valueName;
        s << "\n      " << o.description << "\n";
    }
    s << "\nother options:\n";
    s << "  --version   print the version\n  --help      print this help\n";
    return s.str();
}

namespace {

int cmdLive(const Args& args, CliIo& io)
{
    const auto& spec = *findCommand("live");
    if (!args.positional.empty())
        return usageError(io, spec, "unexpected argument '" + args.positional[0] + "'");
    LiveCommandOptions o;
    for (const auto* required : {"--broker", "--project", "--policy"})
        if (!args.option(required))
            return usageError(io, spec, std::string(required) + " is required");
    if (!args.option("--map") && !args.option("--discovery"))
        return usageError(io, spec, "--map or --discovery (or both) is required");
    o.broker = *args.option("--broker");
    o.project = *args.option("--project");
    o.map = args.option("--map").value_or("");
    o.discovery = args.option("--discovery").value_or("");
    o.policy = *args.option("--policy");
    o.shadow = args.option("--shadow");
    o.passwordFile = args.option("--password-file").value_or("");
    o.caFile = args.option("--ca-file").value_or("");
    o.store = args.option("--store");
    o.json = args.flag("--json");
    auto number = [&](const char* flag, double& out, double min) -> bool {
        const auto v = args.option(flag);
        if (!v)
            return true;
        try {
            std::size_t used = 0;
            out = std::stod(*v, &used);
            return used == v->size() && out >= min;
        } catch (const std::exception&) {
            return false;
        }
    };
    double frameMs = 1000;
    double durationS = 0;
    double confirmS = 30;
    if (!number("--utc-offset", o.utcOffsetHours, -14) || !number("--frame-ms", frameMs, 1000) ||
        !number("--duration", durationS, 0) || !number("--confirm-timeout", confirmS, 0.1) ||
        !number("--status-every", o.statusEveryS, 0.1))
        return usageError(io, spec,
                          "--utc-offset, --frame-ms (≥ 1000: frames are whole seconds), --duration, --confirm-timeout and "
                          "--status-every take numbers");
    if (auto text = args.option("--retention")) {
        auto retention = twin::parseRetention(*text);
        if (!retention)
            return usageError(io, spec, retention.error().toString());
        o.retention = *retention;
    }
    o.frame = std::chrono::milliseconds(static_cast<std::int64_t>(frameMs));
    o.duration = std::chrono::milliseconds(static_cast<std::int64_t>(durationS * 1000));
    o.confirmTimeout = std::chrono::milliseconds(static_cast<std::int64_t>(confirmS * 1000));
    return runLive(o, io);
}

int cmdReplay(const Args& args, CliIo& io)
{
    const auto& spec = *findCommand("replay");
    if (args.positional.size() != 1)
        return usageError(io, spec, "expected one RECORDING.twin");
    ReplayOptions o;
    o.recording = args.positional[0];
    o.policy = args.option("--policy");
    if (auto v = args.option("--scenario"))
        o.scenario = *v;
    if (auto v = args.option("--anchors"))
        o.anchors = *v;
    o.json = args.flag("--json");
    return runReplay(o, io);
}

int cmdValidate(const Args& args, CliIo& io)
{
    const auto& spec = *findCommand("validate");
    ValidateOptions o;
    const auto recording = args.option("--recording");
    const auto candidate = args.option("--candidate");
    const auto gate = args.option("--gate");
    if (!args.positional.empty() || !recording || !candidate || !gate)
        return usageError(io, spec, "expected --recording, --candidate and --gate");
    o.recording = *recording;
    o.candidate = *candidate;
    o.gate = *gate;
    if (auto v = args.option("--baseline"))
        o.baseline = *v;
    if (auto v = args.option("--report"))
        o.report = *v;
    if (auto v = args.option("--scenario"))
        o.scenario = *v;
    if (auto v = args.option("--anchors"))
        o.anchors = *v;
    o.json = args.flag("--json");
    return runValidate(o, io);
}

int cmdTrain(const Args& args, CliIo& io)
{
    const auto& spec = *findCommand("train");
    if (args.positional.size() != 1)
        return usageError(io, spec, "expected what to train: forecaster");
    TrainOptions o;
    o.model = args.positional[0];
    o.force = args.flag("--force");
    o.json = args.flag("--json");
    if (auto v = args.option("--traces"))
        o.traces = *v;
    for (const char* key : {"-o", "--output"})
        if (auto v = args.option(key))
            o.output = *v;
    for (const auto& [key, days] :
         {std::pair{"--train-days", &o.trainDays}, std::pair{"--test-days", &o.testDays}})
        if (auto v = args.option(key)) {
            auto list = parseDayList(*v);
            if (!list)
                return usageError(io, spec,
                                  std::string(key) + " needs days such as 20110303,20110306");
            *days = std::move(*list);
        }
    if (auto v = args.option("--policy"))
        o.historyPolicy = *v;
    // Numbers: whole and plain, or a usage error naming the option.
    std::string bad;
    auto whole = [&](const char* key, auto& out) {
        if (auto v = args.option(key)) {
            std::size_t used = 0;
            try {
                const auto n = std::stoll(*v, &used);
                if (used != v->size() || n < 0)
                    throw std::invalid_argument(*v);
                out = static_cast<std::remove_reference_t<decltype(out)>>(n);
            } catch (const std::exception&) {
                bad = std::string(key) + " needs a whole number >= 0, got '" + *v + "'";
            }
        }
    };
    auto real = [&](const char* key, double& out) {
        if (auto v = args.option(key)) {
            std::size_t used = 0;
            try {
                out = std::stod(*v, &used);
                if (used != v->size())
                    throw std::invalid_argument(*v);
            } catch (const std::exception&) {
                bad = std::string(key) + " needs a number, got '" + *v + "'";
            }
        }
    };
    whole("--epochs", o.epochs);
    whole("--seed", o.seed);
    whole("--history", o.historyLength);
    whole("--max-horizon", o.maxHorizon);
    whole("--hidden", o.hiddenUnits);
    whole("--hosts", o.hosts);
    whole("--max-vms", o.maxVms);
    real("--quantile", o.quantile);
    real("--safety", o.safety);
    if (!bad.empty())
        return usageError(io, spec, bad);
    auto runtime = torchRuntime();
    if (!runtime)
        return fail(io, runtime.error());
    return runtime->train(o, io);
}

} // namespace

int runCli(const std::vector<std::string>& args, CliIo io)
{
    // Scenario policies that name a model load it through LibTorch, opened only then.
    installLazyTorchLoader();
    if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
        io.out << usageText();
        return kOk;
    }
    if (args[0] == "--version" || args[0] == "version") {
        io.out << "twindesk " << kVersion << '\n';
        return kOk;
    }
    const auto* spec = findCommand(args[0]);
    if (spec == nullptr) {
        io.err << "twindesk: unknown command '" << args[0] << "' (see twindesk --help)\n";
        return kUsage;
    }
    const auto parsed = parseArgs(*spec, args, io.err);
    if (!parsed)
        return kUsage;
    try {
        return spec->run(*parsed, io);
    } catch (const std::exception& e) {
        // Last line of defence: the core reports errors as Result values, so reaching this
        // is a bug, but the user still gets a message rather than an abort.
        io.err << "internal error in '" << args[0] << "': " << e.what() << '\n';
        return kFailed;
    }
}

} // namespace twindesk::app
