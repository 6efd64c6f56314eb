#include "sweep_command.h"

#include "assets.h"
#include "simulate_command.h"
#include "sweep_k8s.h"
#include "sweep_store.h"
#include "variant_run.h"

#include <twindesk/policies/scenario_run.h>
#include <twindesk/sim/compute.h>
#include <twindesk/sim/engine.h>
#include <twindesk/sim/scenario.h>
#include <twindesk/sim/sim_time.h>
#include <twindesk/version.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <map>
#include <numeric>
#include <ostream>

namespace twindesk::app {

namespace {

struct Run
{
    std::filesystem::path scenario;
    std::vector<std::pair<std::string, std::string>> overrides;
    std::string label;
    // results
    bool ok = false;
    std::string error;
    double heatingMwh = 0;
    double coolingMwh = 0;
    double electricityKwh = 0;
    double gasKwh = 0;
    double discomfortKh = 0;
    double computeKwh = 0;
    std::int64_t migrations = 0;
    double slav = 0;
    bool hasCompute = false;
    double wallS = 0;
    std::uint64_t hash = 0;
    policies::KpiReport scoped; ///< KPIs within the requested scope
};

void execute(Run& run, const sim::ScenarioOptions& base, const policies::KpiScope& scope)
{
    auto outcome = runVariant({run.scenario, run.overrides}, base);
    if (!outcome.ok()) {
        run.error = outcome.error;
        return;
    }
    const auto& engine = outcome.run->engine();
    const auto& t = engine.state().totals;
    run.heatingMwh = t.heatingJ / 3.6e9;
    run.coolingMwh = t.coolingJ / 3.6e9;
    run.electricityKwh = t.energyJ[0] / 3.6e6;
    run.gasKwh = t.energyJ[1] / 3.6e6;
    run.discomfortKh = t.discomfortKh;
    if (engine.state().compute) {
        const auto m = engine.state().compute->metrics();
        run.hasCompute = true;
        run.computeKwh = m.energyKwh;
        run.migrations = m.migrations;
        run.slav = m.slav;
    }
    run.hash = engine.stateHash();
    run.scoped = outcome.run->kpis(scope);
    run.wallS = outcome.wallS;
    run.ok = true;
}

/// Runs every run in parallel threads (variant_run.h).
ParallelRun executeAll(std::vector<Run>& runs, const SweepOptions& options,
                       const policies::KpiScope& scope)
{
    sim::ScenarioOptions base;
    if (const auto assets = assetsDir())
        base.ontology = bundledOntology(*assets);
    base.anchorsDir = options.anchors.empty() ? defaultAnchorsDir() : options.anchors;
    return runParallel(runs.size(), options.threads,
                       [&](std::size_t i) { execute(runs[i], base, scope); });
}

} // namespace

namespace {

/// The runs of a sweep in their fixed order: every scenario × the cartesian product of the
/// axes (the last axis varies fastest). --variant-index and the Kubernetes pods rely on it.
std::vector<Run> planRuns(const SweepOptions& options)
{
    std::vector<Run> runs;
    for (const auto& scenario : options.scenarios) {
        std::vector<std::vector<std::pair<std::string, std::string>>> combos{{}};
        for (const auto& [key, values] : options.axes) {
            std::vector<std::vector<std::pair<std::string, std::string>>> next;
            for (const auto& combo : combos)
                for (const auto& v : values) {
                    auto c = combo;
                    c.emplace_back(key, v);
                    next.push_back(std::move(c));
                }
            combos = std::move(next);
        }
        for (auto& combo : combos) {
            Run r;
            r.scenario = scenario;
            // One scenario: the label is its variant ("algorithm=LR-MMT-1.2"), the last part
            // of each varied key, so the table stays readable.
            if (options.scenarios.size() > 1 || combo.empty())
                r.label = scenario.stem().string();
            for (const auto& [k, v] : combo) {
                const auto dot = k.rfind('.');
                const std::string shortKey = dot == std::string::npos ? k : k.substr(dot + 1);
                r.label.append(r.label.empty() ? "" : " ").append(shortKey).append("=").append(v);
            }
            r.overrides = std::move(combo);
            runs.push_back(std::move(r));
        }
    }
    return runs;
}

nlohmann::ordered_json rowJson(const Run& r)
{
    nlohmann::ordered_json o{{"run", r.label}, {"ok", r.ok}};
    if (r.ok) {
        char hash[32];
        std::snprintf(hash, sizeof hash, "%016" PRIx64, r.hash);
        o["annual_heating_mwh"] = r.heatingMwh;
        o["annual_cooling_mwh"] = r.coolingMwh;
        o["electricity_kwh"] = r.electricityKwh;
        o["gas_kwh"] = r.gasKwh;
        o["discomfort_kh"] = r.discomfortKh;
        if (r.hasCompute) {
            o["compute_kwh"] = r.computeKwh;
            o["migrations"] = r.migrations;
            o["slav"] = r.slav;
        }
        o["wall_time_s"] = r.wallS;
        o["state_hash"] = hash;
    } else {
        o["error"] = r.error;
    }
    return o;
}

/// The inverse of rowJson (for --collect); a row that does not parse becomes a failed run
/// naming the file.
Run runFromJson(const nlohmann::json& j, const std::string& file)
{
    Run r;
    try {
        r.label = j.at("run").get<std::string>();
        r.ok = j.at("ok").get<bool>();
        if (!r.ok) {
            r.error = j.value("error", std::string("failed"));
            return r;
        }
        r.heatingMwh = j.at("annual_heating_mwh").get<double>();
        r.coolingMwh = j.at("annual_cooling_mwh").get<double>();
        r.electricityKwh = j.at("electricity_kwh").get<double>();
        r.gasKwh = j.at("gas_kwh").get<double>();
        r.discomfortKh = j.at("discomfort_kh").get<double>();
        if (j.contains("compute_kwh")) {
            r.hasCompute = true;
            r.computeKwh = j.at("compute_kwh").get<double>();
            r.migrations = j.at("migrations").get<std::int64_t>();
            r.slav = j.at("slav").get<double>();
        }
        r.wallS = j.at("wall_time_s").get<double>();
        r.hash = std::stoull(j.at("state_hash").get<std::string>(), nullptr, 16);
    } catch (const std::exception& e) {
        r.ok = false;
        r.error = file + ": not a sweep result row (" + e.what() + ")";
    }
    return r;
}

/// Prints the runs as JSON or as the comparison table; returns the number of failed runs.
int printRuns(const std::vector<Run>& runs, bool json, const std::string& footer, CliIo& io)
{
    int failures = 0;
    if (json) {
        nlohmann::ordered_json j = nlohmann::ordered_json::array();
        for (const auto& r : runs) {
            j.push_back(rowJson(r));
            failures += r.ok ? 0 : 1;
        }
        io.out << j.dump(2) << '\n';
        return failures;
    }
    char line[768];
    int width = 3;
    bool compute = false;
    for (const auto& r : runs) {
        width = std::max(width, static_cast<int>(std::min<std::size_t>(r.label.size(), 60)));
        compute = compute || r.hasCompute;
    }
    std::snprintf(line, sizeof line, "%-*s %10s %10s %12s %12s %10s", width, "run", "heat MWh",
                  "cool MWh", "elec kWh", "gas kWh", "disc K·h");
    io.out << line;
    if (compute) {
        std::snprintf(line, sizeof line, " %10s %8s %10s", "IT kWh", "migr", "SLAV");
        io.out << line;
    }
    io.out << "   wall s\n";
    for (const auto& r : runs) {
        if (!r.ok) {
            io.out << r.label << "  FAILED: " << r.error << '\n';
            ++failures;
            continue;
        }
        std::snprintf(line, sizeof line, "%-*s %10.3f %10.3f %12.1f %12.1f %10.1f", width,
                      r.label.substr(0, 60).c_str(), r.heatingMwh, r.coolingMwh, r.electricityKwh,
                      r.gasKwh, r.discomfortKh);
        io.out << line;
        if (compute) {
            std::snprintf(line, sizeof line, " %10.1f %8lld %10.3g", r.computeKwh,
                          static_cast<long long>(r.migrations), r.slav);
            io.out << line;
        }
        std::snprintf(line, sizeof line, " %8.2f\n", r.wallS);
        io.out << line;
    }
    io.out << footer;
    return failures;
}

std::string resultFileName(std::size_t index)
{
    char name[32];
    std::snprintf(name, sizeof name, "variant-%04zu.json", index);
    return name;
}

/// One run's row with its index, the sweep's size, scenario and overrides: what a
/// variant-NNNN.json file and a sweep_results row hold.
nlohmann::ordered_json resultJson(std::size_t index, std::size_t count, const Run& r)
{
    auto row = rowJson(r);
    row["index"] = index;
    row["variants"] = count;
    row["scenario"] = r.scenario.string();
    nlohmann::ordered_json overrides = nlohmann::ordered_json::object();
    for (const auto& [k, v] : r.overrides)
        overrides[k] = v;
    row["overrides"] = overrides;
    row["twindesk_version"] = kVersion;
    return row;
}

/// Writes one run's row (resultJson) to `dir/variant-NNNN.json`, through a temporary file
/// renamed into place.
std::string writeResult(const std::filesystem::path& dir, std::size_t index, std::size_t count,
                        const Run& r)
{
    const auto row = resultJson(index, count, r);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    const auto file = dir / resultFileName(index);
    const auto tmp = dir / ("." + resultFileName(index) + ".tmp");
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << row.dump(2) << '\n';
        if (!out.flush())
            return "cannot write " + tmp.string();
    }
    std::filesystem::rename(tmp, file, ec);
    if (ec)
        return "cannot write " + file.string() + ": " + ec.message();
    return {};
}

int collectRuns(const SweepOptions& options, CliIo& io)
{
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (std::filesystem::directory_iterator it(options.collect, ec), end; !ec && it != end;
         it.increment(ec)) {
        const auto name = it->path().filename().string();
        if (name.rfind("variant-", 0) == 0 && it->path().extension() == ".json")
            files.push_back(it->path());
    }
    if (ec || files.empty()) {
        io.err << "error: --collect " << options.collect.string() << ": "
               << (ec ? ec.message() : std::string("no variant-NNNN.json result files")) << '\n';
        return 1;
    }
    std::sort(files.begin(), files.end());
    std::vector<Run> runs;
    std::size_t expected = 0;
    for (const auto& f : files) {
        std::ifstream in(f);
        const auto j = nlohmann::json::parse(in, nullptr, false);
        if (j.is_discarded()) {
            Run bad;
            bad.label = f.filename().string();
            bad.error = f.string() + ": not valid JSON";
            runs.push_back(bad);
            continue;
        }
        expected = std::max<std::size_t>(expected, j.value("variants", std::size_t{0}));
        runs.push_back(runFromJson(j, f.string()));
    }
    std::string footer =
        std::to_string(runs.size()) + " results from " + options.collect.string() + "\n";
    if (expected > runs.size()) {
        footer += "missing " + std::to_string(expected - runs.size()) + " of " +
                  std::to_string(expected) + " variants (still running, or failed)\n";
        io.err << "warning: " << options.collect.string() << " holds " << runs.size() << " of "
               << expected << " variants\n";
    }
    const int failures = printRuns(runs, options.json, options.json ? "" : footer, io);
    return failures == 0 && expected <= runs.size() ? 0 : 1;
}

/// "0, 3, 7" (at most `limit` indices, then "…").
std::string indexList(const std::vector<std::size_t>& indices, std::size_t limit = 20)
{
    std::string out;
    for (std::size_t i = 0; i < indices.size() && i < limit; ++i)
        out += (i == 0 ? "" : ", ") + std::to_string(indices[i]);
    if (indices.size() > limit)
        out += ", …";
    return out;
}

/// `--collect-store NAME`: the rows stored under NAME, printed as --collect prints a folder's.
int collectStored(const SweepOptions& options, CliIo& io)
{
    auto store = SweepStore::open(options.project, options.store);
    if (!store) {
        io.err << "error: " << store.error().toString() << '\n';
        return 1;
    }
    auto rows = store->results().read(options.collectStore);
    if (!rows) {
        io.err << "error: " << rows.error().toString() << '\n';
        return 1;
    }
    const auto where = "sweep '" + options.collectStore + "' in " + store->describe();
    if (rows->empty()) {
        io.err << "error: no results of " << where
               << " (twindesk sweep --list-stored shows the stored sweeps)\n";
        return 1;
    }
    std::vector<Run> runs;
    std::size_t expected = 0;
    std::vector<bool> present;
    for (const auto& row : *rows) {
        const auto variant = "variant " + std::to_string(row.variantIndex) + " of " + where;
        expected = std::max(expected, static_cast<std::size_t>(row.variantCount));
        const auto j = nlohmann::json::parse(row.rowJson, nullptr, false);
        if (j.is_discarded()) {
            Run bad;
            bad.label = row.label;
            bad.error = variant + ": the stored row is not valid JSON";
            runs.push_back(bad);
        } else {
            runs.push_back(runFromJson(j, variant));
        }
        const auto index = static_cast<std::size_t>(row.variantIndex);
        if (present.size() <= index)
            present.resize(index + 1, false);
        present[index] = true;
    }
    present.resize(std::max(present.size(), expected), false);
    std::vector<std::size_t> missing;
    for (std::size_t i = 0; i < expected; ++i)
        if (!present[i])
            missing.push_back(i);
    std::string footer = std::to_string(runs.size()) + " results of " + where + "\n";
    if (!missing.empty()) {
        footer += "missing " + std::to_string(missing.size()) + " of " + std::to_string(expected) +
                  " variants (still running, or failed): " + indexList(missing) + "\n";
        io.err << "warning: " << where << " holds " << runs.size() << " of " << expected
               << " variants; missing: " << indexList(missing) << '\n';
    }
    const int failures = printRuns(runs, options.json, options.json ? "" : footer, io);
    return failures == 0 && missing.empty() ? 0 : 1;
}

/// `--list-stored`: the sweeps a store holds, the most recent first.
int listStored(const SweepOptions& options, CliIo& io)
{
    auto store = SweepStore::open(options.project, options.store);
    if (!store) {
        io.err << "error: " << store.error().toString() << '\n';
        return 1;
    }
    auto sweeps = store->results().list();
    if (!sweeps) {
        io.err << "error: " << sweeps.error().toString() << '\n';
        return 1;
    }
    const auto utc = [](std::int64_t ms) { return sim::formatUtc(ms / 1000); };
    if (options.json) {
        nlohmann::ordered_json j = nlohmann::ordered_json::array();
        for (const auto& s : *sweeps)
            j.push_back({{"sweep", s.name},
                         {"variants", s.variants},
                         {"stored", s.stored},
                         {"missing", s.missing()},
                         {"failed", s.failed},
                         {"first_written", utc(s.firstWrittenMs)},
                         {"last_written", utc(s.lastWrittenMs)}});
        io.out << j.dump(2) << '\n';
        return 0;
    }
    if (sweeps->empty()) {
        io.out << "no sweeps stored in " << store->describe() << '\n';
        return 0;
    }
    int width = 5;
    for (const auto& s : *sweeps)
        width = std::max(width, static_cast<int>(std::min<std::size_t>(s.name.size(), 60)));
    char line[256];
    std::snprintf(line, sizeof line, "%-*s %8s %8s %8s %8s  %s\n", width, "sweep", "variants",
                  "stored", "missing", "failed", "last written (UTC)");
    io.out << line;
    for (const auto& s : *sweeps) {
        std::snprintf(line, sizeof line, "%-*s %8lld %8lld %8lld %8lld  %s\n", width,
                      s.name.substr(0, 60).c_str(), static_cast<long long>(s.variants),
                      static_cast<long long>(s.stored), static_cast<long long>(s.missing()),
                      static_cast<long long>(s.failed), utc(s.lastWrittenMs).c_str());
        io.out << line;
    }
    io.out << sweeps->size() << " sweep(s) in " << store->describe() << '\n';
    return 0;
}

/// Stores the runs' rows (resultJson) under options.sweepName in one transaction: a single
/// variant replaces its row, a whole sweep replaces the sweep.
twin::Status storeRuns(twin::SweepResultStore& store, const SweepOptions& options,
                       const std::vector<Run>& runs, const std::vector<std::size_t>& indices,
                       std::size_t count)
{
    std::vector<twin::SweepResultRow> rows;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        twin::SweepResultRow row;
        row.sweep = options.sweepName;
        row.variantIndex = static_cast<std::int64_t>(indices[i]);
        row.variantCount = static_cast<std::int64_t>(count);
        row.label = runs[i].label;
        row.ok = runs[i].ok;
        row.rowJson = resultJson(indices[i], count, runs[i]).dump();
        row.version = kVersion;
        rows.push_back(std::move(row));
    }
    return store.write(rows, options.variantIndex ? twin::SweepWriteMode::ReplaceRows
                                                  : twin::SweepWriteMode::ReplaceSweep);
}

/// `--emit-k8s DIR`: the manifests of sweep_k8s.h for these runs, written instead of running.
int emitK8sSweep(const SweepOptions& options, const std::vector<Run>& runs, CliIo& io)
{
    namespace fs = std::filesystem;
    K8sSweepSpec spec;
    spec.name = options.jobName.empty() ? "twindesk-sweep" : options.jobName;
    spec.image = options.image.empty() ? std::string("twindesk:") + kVersion : options.image;
    spec.version = kVersion;
    spec.parallelism = options.parallelism;
    spec.resultsClaim = options.resultsClaim.empty() ? "twindesk-results" : options.resultsClaim;
    if (options.store) {
        // The pods have no project file: only a shared store, named without a password (the
        // URL goes into a ConfigMap; the password into a Secret the user creates).
        const auto& url = *options.store;
        if (!twin::PgStore::isPostgresUrl(url)) {
            io.err << "error: --store " << twin::PgStore::redactedUrl(url)
                   << ": the pods need a shared store, postgresql://USER@HOST[:PORT]/DB (a "
                      "project file stays on this machine)\n";
            return 1;
        }
        if (twin::PgStore::redactedUrl(url) != url) {
            io.err << "error: --store " << twin::PgStore::redactedUrl(url)
                   << ": the URL holds a password, which would be written into the ConfigMap; "
                      "give the URL without it and put the password in the Secret "
                   << (options.storeSecret.empty() ? spec.name + "-store" : options.storeSecret)
                   << " (key 'password')\n";
            return 1;
        }
        spec.store = url;
        spec.storeSecret = options.storeSecret.empty() ? spec.name + "-store" : options.storeSecret;
        spec.sweepName = options.sweepName.empty() ? spec.name : options.sweepName;
        // With a store the results volume is only mounted when a claim is named.
        spec.resultsVolume = !options.resultsClaim.empty();
    }
    for (const auto& [key, values] : options.axes) {
        std::string arg = key + "=";
        for (std::size_t i = 0; i < values.size(); ++i)
            arg += (i == 0 ? "" : ",") + values[i];
        spec.varyArgs.push_back(arg);
    }
    // Scenarios among the bundled assets are in the image (the .deb installs them under
    // /usr/share/twindesk/assets); any other goes into the ConfigMap. Files a shipped scenario
    // refers to by a relative path must be in the image too (docs/packaging.md).
    const auto assets = assetsDir();
    std::error_code ec;
    const auto assetsCanon = assets ? fs::weakly_canonical(*assets, ec) : fs::path();
    std::map<fs::path, std::string> containerPath;
    for (const auto& scenario : options.scenarios) {
        const auto canon = fs::weakly_canonical(scenario, ec);
        if (containerPath.count(canon) != 0) {
            spec.scenarios.push_back(containerPath[canon]);
            continue;
        }
        std::ifstream in(scenario);
        if (!in) {
            io.err << "error: " << scenario.string() << ": cannot read the scenario\n";
            return 1;
        }
        std::string where;
        const auto rel = assetsCanon.empty() ? fs::path() : canon.lexically_relative(assetsCanon);
        if (!rel.empty() && *rel.begin() != "..") {
            where = "/usr/share/twindesk/assets/" + rel.generic_string();
        } else {
            std::string key = k8sConfigKey(scenario.filename().string());
            for (const auto& [k, content] : spec.configFiles)
                if (k == key)
                    key = std::to_string(spec.configFiles.size()) + "-" + key;
            spec.configFiles.emplace_back(key, std::string(std::istreambuf_iterator<char>(in),
                                                           std::istreambuf_iterator<char>()));
            where = std::string(kK8sConfigMount) + "/" + key;
        }
        containerPath[canon] = where;
        spec.scenarios.push_back(where);
    }
    std::map<fs::path, std::string> byScenario;
    for (std::size_t i = 0; i < options.scenarios.size(); ++i)
        byScenario[options.scenarios[i]] = spec.scenarios[i];
    for (std::size_t i = 0; i < runs.size(); ++i)
        spec.variants.push_back(
            {i, runs[i].label, byScenario[runs[i].scenario], runs[i].overrides});

    const auto manifests = renderK8sSweep(spec);
    fs::create_directories(options.emitK8s, ec);
    if (ec) {
        io.err << "error: --emit-k8s " << options.emitK8s.string() << ": " << ec.message() << '\n';
        return 1;
    }
    for (const auto& [name, text] :
         {std::pair{"configmap.yaml", &manifests.configMap}, std::pair{"job.yaml", &manifests.job},
          std::pair{"kustomization.yaml", &manifests.kustomization}}) {
        std::ofstream out(options.emitK8s / name, std::ios::trunc);
        out << *text;
        if (!out.flush()) {
            io.err << "error: cannot write " << (options.emitK8s / name).string() << '\n';
            return 1;
        }
    }
    const auto parallel =
        spec.parallelism == 0 ? runs.size() : std::min<std::size_t>(spec.parallelism, runs.size());
    io.out << "wrote " << (options.emitK8s / "job.yaml").string() << ": Indexed Job " << spec.name
           << ", " << runs.size() << " pods (one per variant), " << parallel << " at a time, image "
           << spec.image << "\n"
           << "wrote " << (options.emitK8s / "configmap.yaml").string() << ": "
           << spec.configFiles.size() << " scenario file(s) and variants.json\n"
           << "apply: kubectl apply -k " << options.emitK8s.string() << '\n';
    if (spec.resultsVolume)
        io.out << "results: " << kK8sResultsMount << "/" << spec.name << " on the claim "
               << spec.resultsClaim << " (twindesk sweep --collect DIR reads them back)\n";
    if (!spec.store.empty())
        io.out << "results: sweep '" << spec.sweepName << "' in the store " << spec.store
               << " (twindesk sweep --collect-store " << spec.sweepName << " --store " << spec.store
               << " reads them back; the console's what-if view lists them)\n"
               << "password: kubectl create secret generic " << spec.storeSecret
               << " --from-literal=password=...   (becomes PGPASSWORD in the pods; not needed "
                  "for a store without password authentication)\n";
    return 0;
}

} // namespace

int runSweep(const SweepOptions& options, CliIo& io)
{
    if (!options.collect.empty())
        return collectRuns(options, io);
    if (!options.collectStore.empty())
        return collectStored(options, io);
    if (options.listStored)
        return listStored(options, io);
    auto runs = planRuns(options);
    if (!options.emitK8s.empty())
        return emitK8sSweep(options, runs, io);
    // The store is opened before anything runs: a wrong URL or a server that is down fails
    // now, not after the runs.
    std::optional<SweepStore> store;
    if (options.store || !options.project.empty()) {
        auto opened = SweepStore::open(options.project, options.store);
        if (!opened) {
            io.err << "error: " << opened.error().toString() << '\n';
            return 1;
        }
        store.emplace(std::move(opened).value());
    }
    std::vector<std::size_t> indices(runs.size());
    std::iota(indices.begin(), indices.end(), std::size_t{0});
    const std::size_t count = runs.size();
    if (options.variantIndex) {
        if (*options.variantIndex >= runs.size()) {
            io.err << "twindesk sweep: --variant-index " << *options.variantIndex
                   << " is out of range: the sweep has " << runs.size() << " variants (0-"
                   << runs.size() - 1 << ")\n";
            return 2;
        }
        runs = {runs[*options.variantIndex]};
        indices = {*options.variantIndex};
    }
    const auto [wall, threads] = executeAll(runs, options, {});
    int writeErrors = 0;
    if (!options.resultsDir.empty())
        for (std::size_t i = 0; i < runs.size(); ++i)
            if (const auto e = writeResult(options.resultsDir, indices[i], count, runs[i]);
                !e.empty()) {
                io.err << "error: " << e << '\n';
                ++writeErrors;
            }
    std::string footer(160, '\0');
    footer.resize(static_cast<std::size_t>(std::snprintf(footer.data(), footer.size(),
                                                         "%zu runs on %u threads in %.2f s\n",
                                                         runs.size(), threads, wall)));
    if (store) {
        // All the rows or none (a failed write names the store and keeps nothing).
        if (const auto s = storeRuns(store->results(), options, runs, indices, count); !s) {
            io.err << "error: " << s.error().toString() << '\n';
            ++writeErrors;
        } else {
            footer += "stored " + std::to_string(runs.size()) + " result(s) as sweep '" +
                      options.sweepName + "' in " + store->describe() + "\n";
        }
    }
    const int failures = printRuns(runs, options.json, options.json ? "" : footer, io);
    return failures == 0 && writeErrors == 0 ? 0 : 1;
}

} // namespace twindesk::app

namespace twindesk::app {

int runCompare(const CompareOptions& options, CliIo& io)
{
    std::vector<Run> runs(2);
    runs[0].scenario = options.baseline;
    runs[1].scenario = options.candidate;
    for (auto& r : runs) {
        r.label = r.scenario.stem().string();
        r.overrides = options.overrides;
    }
    SweepOptions so;
    so.anchors = options.anchors;
    policies::KpiScope scope;
    scope.uses = options.uses;
    const double wall = executeAll(runs, so, scope).wallS;
    for (const auto& r : runs)
        if (!r.ok) {
            io.err << "error: " << r.error << '\n';
            return 1;
        }
    const auto& a = runs[0].scoped;
    const auto& b = runs[1].scoped;
    const auto rows = policies::compareKpis(a, b);
    if (options.json) {
        nlohmann::ordered_json j;
        j["scope"] = a.scope;
        j["baseline"] = {{"scenario", options.baseline.string()},
                         {"kpis", nlohmann::json::parse(policies::kpiJson(a))}};
        j["candidate"] = {{"scenario", options.candidate.string()},
                          {"kpis", nlohmann::json::parse(policies::kpiJson(b))}};
        nlohmann::ordered_json d;
        for (const auto& r : rows)
            d[r.key] = {{"baseline", r.baseline},
                        {"candidate", r.candidate},
                        {"change", r.change()},
                        {"change_percent", r.changePercent().value_or(0.0)}};
        j["comparison"] = d;
        j["wall_time_s"] = wall;
        io.out << j.dump(2) << '\n';
        return 0;
    }
    char line[512];
    io.out << "scope      " << a.scope << " (" << a.zonesInScope << " zones, " << a.energy.areaM2
           << " m², " << a.hours << " h)\n";
    io.out << "baseline   " << options.baseline.string() << '\n';
    io.out << "candidate  " << options.candidate.string() << "\n\n";
    // Columns sized to their contents; widths in characters, not bytes (m², K·h, 20–26 °C).
    auto width = [](const std::string& text) {
        return static_cast<int>(std::count_if(text.begin(), text.end(), [](char c) {
            return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
        }));
    };
    auto pad = [&](const std::string& text, int w, bool left) {
        const std::string fill(static_cast<std::size_t>(std::max(0, w - width(text))), ' ');
        return left ? text + fill : fill + text;
    };
    std::vector<std::string> labels;
    int labelWidth = 3;
    for (const auto& r : rows) {
        labels.push_back(r.unit.empty() ? r.label : r.label + " (" + r.unit + ")");
        labelWidth = std::max(labelWidth, width(labels.back()));
    }
    const int runWidth = std::max({14, width(runs[0].label), width(runs[1].label)});
    io.out << pad("KPI", labelWidth, true) << ' ' << pad(runs[0].label, runWidth, false) << ' '
           << pad(runs[1].label, runWidth, false) << ' ' << pad("change", 12, false) << ' '
           << pad("%", 9, false) << '\n';
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        char number[64];
        io.out << pad(labels[i], labelWidth, true) << ' ';
        std::snprintf(number, sizeof number, "%.2f", r.baseline);
        io.out << pad(number, runWidth, false) << ' ';
        std::snprintf(number, sizeof number, "%.2f", r.candidate);
        io.out << pad(number, runWidth, false) << ' ';
        std::snprintf(number, sizeof number, "%+.2f", r.change());
        io.out << pad(number, 12, false) << ' ';
        // No percentage of a zero baseline.
        if (const auto pct = r.changePercent())
            std::snprintf(number, sizeof number, "%+.1f%%", *pct);
        else
            std::snprintf(number, sizeof number, "—");
        io.out << pad(number, 9, false) << '\n';
    }
    std::snprintf(line, sizeof line, "\n2 runs in %.2f s\n", wall);
    io.out << line;
    return 0;
}

} // namespace twindesk::app
