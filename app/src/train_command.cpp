#include "train_command.h"

#include <twindesk/policies/consolidation.h>
#include <twindesk/policies/drift.h>
#include <twindesk/sim/compute.h>
#include <twindesk/torch/forecaster.h>
#include <twindesk/torch/model_schema.h>
#include <twindesk/torch/torch_predictor.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <system_error>

namespace twindesk::app {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

int failed(CliIo& io, const twin::Error& error)
{
    io.err << "error: " << error.toString() << '\n';
    return kFailed;
}

int usage(CliIo& io, const std::string& message)
{
    io.err << "twindesk train: " << message
           << "\nusage: twindesk train forecaster --traces DIR --train-days D1,D2,... "
              "[--test-days D3,...] -o MODEL.pt [--epochs N] [--seed S] [--quantile Q] "
              "[--history K] [--max-horizon H] [--hidden N] [--hosts N] [--max-vms N] "
              "[--policy NAME] [--safety S] [--force] [--json]\n";
    return kUsage;
}

Json scoreJson(const torch::ForecastScore& s)
{
    Json j;
    j["samples"] = s.samples;
    j["mae"] = s.mae;
    j["bias"] = s.bias;
    j["overloads"] = s.overloads;
    j["hits"] = s.hits;
    j["hit_rate"] = s.hitRate();
    j["false_alarms"] = s.falseAlarms;
    j["false_alarm_rate"] = s.falseAlarmRate();
    j["failures"] = s.failures;
    return j;
}

struct EndToEnd
{
    std::string day;
    std::string policy;
    torch::DayRunResult run;
};

/// The figures of one day run (times only when `withTime`: the schema stays deterministic).
Json runJson(const EndToEnd& e, bool withTime)
{
    const sim::ComputeMetrics& m = e.run.metrics;
    Json j;
    j["day"] = e.day;
    j["policy"] = e.policy;
    j["energy_kwh"] = m.energyKwh;
    j["migrations"] = m.migrations;
    j["slatah"] = m.slatah;
    j["pdm"] = m.pdm;
    j["slav"] = m.slav;
    j["esv"] = m.esv;
    j["host_shutdowns"] = m.hostShutdowns;
    j["overloaded_host_rounds"] = e.run.overloadedHosts;
    j["fallback_decisions"] = e.run.fallbackDecisions;
    j["predictor_errors"] = e.run.predictorErrors;
    if (!e.run.firstPredictorError.empty())
        j["first_predictor_error"] = e.run.firstPredictorError;
    if (withTime)
        j["run_seconds"] = e.run.seconds;
    return j;
}

torch::ForecastDataset horizonRows(const torch::ForecastDataset& data, int horizon)
{
    torch::ForecastDataset out;
    out.historyLength = data.historyLength;
    for (std::size_t r = 0; r < data.rows(); ++r) {
        const auto row = data.row(r);
        if (static_cast<int>(row[data.historyLength]) != horizon)
            continue;
        out.inputs.insert(out.inputs.end(), row.begin(), row.end());
        out.targets.push_back(data.targets[r]);
    }
    return out;
}

twin::Status writeText(const fs::path& file, const std::string& text)
{
    const fs::path tmp = file.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << text;
        out.close();
        if (!out)
            return twin::makeError(twin::ErrorCode::IoError, "cannot write the file", tmp.string());
    }
    std::error_code ec;
    fs::rename(tmp, file, ec);
    if (ec)
        return twin::makeError(twin::ErrorCode::IoError,
                               "cannot rename into place: " + ec.message(), file.string());
    return {};
}

std::string percent(double fraction, int precision = 2)
{
    std::ostringstream s;
    s << std::fixed << std::setprecision(precision) << 100 * fraction;
    return s.str();
}

} // namespace

namespace {

/// Forwards to the trained forecaster and keeps the histories observed at detection steps.
class ObservingPredictor final : public policies::UtilisationPredictor
{
public:
    ObservingPredictor(std::shared_ptr<const policies::UtilisationPredictor> inner, std::size_t k)
        : m_inner(std::move(inner)), m_columns(k)
    {
    }
    [[nodiscard]] twin::Result<double> predict(std::span<const double> history,
                                               int horizon) const override
    {
        return m_inner->predict(history, horizon);
    }
    [[nodiscard]] std::size_t minimumHistory() const override { return m_inner->minimumHistory(); }
    [[nodiscard]] std::string identity() const override { return m_inner->identity(); }
    void observe(std::span<const double> history) const override
    {
        if (history.size() < m_columns.size())
            return;
        for (std::size_t i = 0; i < m_columns.size(); ++i)
            m_columns[i].push_back(history[i]);
    }
    [[nodiscard]] const std::vector<double>& column(std::size_t i) const { return m_columns[i]; }

private:
    std::shared_ptr<const policies::UtilisationPredictor> m_inner;
    mutable std::vector<std::vector<double>> m_columns;
};

} // namespace

int runTrain(const TrainOptions& o, CliIo& io)
{
    // --- the options -------------------------------------------------------------------------
    if (o.model != "forecaster")
        return usage(io, "unknown model '" + o.model + "' (the one trainable model: forecaster)");
    if (o.traces.empty())
        return usage(io, "the trace folder is required: --traces DIR (e.g. "
                         "../shared/anchors/planetlab)");
    if (o.trainDays.empty())
        return usage(io, "at least one training day is required: --train-days D1,D2,...");
    if (o.output.empty())
        return usage(io, "the model file is required: -o MODEL.pt");
    if (o.epochs < 1 || o.epochs > 10000)
        return usage(io, "--epochs must be 1..10000");
    if (!(o.quantile > 0 && o.quantile < 1))
        return usage(io, "--quantile must lie strictly between 0 and 1");
    if (o.historyLength < 10 || o.historyLength > sim::kHistoryLength)
        return usage(io, "--history must be 10..30 (the LR line compared with needs 10)");
    if (o.maxHorizon < 1 || o.maxHorizon > 12)
        return usage(io, "--max-horizon must be 1..12");
    if (o.hiddenUnits < 1 || o.hiddenUnits > 4096)
        return usage(io, "--hidden must be 1..4096");
    if (o.hosts < 1)
        return usage(io, "--hosts must be ≥ 1");
    if (!(o.safety > 0) || !std::isfinite(o.safety))
        return usage(io, "--safety must be a positive number");
    for (const std::string& day : o.testDays)
        for (const std::string& train : o.trainDays)
            if (day == train)
                return usage(io, "day " + day + " is both a training and a test day");
    auto historyPolicy = policies::ConsolidationConfig::parse(o.historyPolicy);
    if (!historyPolicy)
        return usage(io, "--policy: " + historyPolicy.error().message);
    std::ostringstream safetyText;
    safetyText << o.safety;
    const std::string mlName = "ML-MMT-" + safetyText.str();
    auto mlConfig = policies::ConsolidationConfig::parse(mlName);
    if (!mlConfig)
        return usage(io, "--safety: " + mlConfig.error().message);
    const fs::path schemaFile = torch::schemaPathFor(o.output);
    std::error_code ec;
    if (!o.force && (fs::exists(o.output, ec) || fs::exists(schemaFile, ec)))
        return usage(io, o.output.string() + " or " + schemaFile.string() +
                             " exists; pass --force to replace them");
    std::vector<fs::path> trainFolders;
    for (const std::string& day : o.trainDays)
        trainFolders.push_back(o.traces / day);
    std::vector<fs::path> testFolders;
    for (const std::string& day : o.testDays)
        testFolders.push_back(o.traces / day);

    torch::DatasetOptions dataOptions;
    dataOptions.historyLength = o.historyLength;
    dataOptions.maxHorizon = o.maxHorizon;
    dataOptions.policy = o.historyPolicy;
    dataOptions.run.hosts = o.hosts;
    torch::ForecasterOptions trainOptions;
    trainOptions.historyLength = o.historyLength;
    trainOptions.maxHorizon = o.maxHorizon;
    trainOptions.hiddenUnits = o.hiddenUnits;
    trainOptions.epochs = o.epochs;
    trainOptions.quantile = o.quantile;
    trainOptions.seed = o.seed;

    // --- simulated history of the training days ------------------------------------------------
    const auto t0 = Clock::now();
    auto hash = torch::trainingDataSha256(trainFolders);
    if (!hash)
        return failed(io, hash.error());
    torch::ForecastDataset data;
    data.historyLength = o.historyLength;
    for (const fs::path& folder : trainFolders) {
        const auto d0 = Clock::now();
        auto vms = sim::loadPlanetLabDay(folder, o.maxVms);
        if (!vms)
            return failed(io, vms.error());
        auto day = torch::simulateHistory(*vms, dataOptions);
        if (!day)
            return failed(io,
                          twin::makeError(day.error().code, day.error().message, folder.string()));
        io.err << "train: " << folder.filename().string() << ": " << vms->size() << " VMs, "
               << day->rows() << " samples (" << std::fixed << std::setprecision(1) << since(d0)
               << " s)\n";
        data.append(*day);
    }
    const double dataSeconds = since(t0);

    // --- training and saving -----------------------------------------------------------------
    torch::TrainingReport report;
    auto weights = torch::trainForecaster(data, trainOptions, &report);
    if (!weights)
        return failed(io, weights.error());
    io.err << "train: " << report.samples << " samples, " << o.epochs << " epochs in " << std::fixed
           << std::setprecision(1) << report.seconds << " s, final loss " << std::setprecision(5)
           << report.epochLoss.back() << '\n';
    torch::ForecasterProvenance provenance;
    provenance.dataSha256 = *hash;
    provenance.trainDays = o.trainDays;
    provenance.samples = data.rows();
    provenance.policy = o.historyPolicy;
    {
        Json extra;
        extra["hosts"] = o.hosts;
        extra["max_vms"] = o.maxVms;
        extra["memory_rule"] = "placement-only";
        extra["epoch_loss"] = report.epochLoss;
        provenance.extraJson = extra.dump();
    }
    if (auto saved = torch::saveForecaster(*weights, trainOptions, provenance, o.output); !saved)
        return failed(io, saved.error());

    // --- the drift reference (policies/drift.h) -------------------------------------------------
    // What the deployed detector observes — every host's history at each round's detection
    // step while ML-MMT itself consolidates the training days — not the training rows, which
    // were sampled under the history policy: the model's own consolidation changes the
    // population it is asked about, and that must not read as drift.
    {
        auto trained = torch::TorchUtilisationPredictor::load(o.output);
        if (!trained)
            return failed(io, trained.error());
        auto recorder = std::make_shared<const ObservingPredictor>(*trained, o.historyLength);
        auto observing = *mlConfig;
        observing.predictor = recorder;
        for (const fs::path& folder : trainFolders) {
            auto vms = sim::loadPlanetLabDay(folder, o.maxVms);
            if (!vms)
                return failed(io, vms.error());
            if (auto run = torch::runPlanetLabDay(*vms, observing, dataOptions.run); !run)
                return failed(
                    io, twin::makeError(run.error().code, run.error().message, folder.string()));
        }
        std::vector<policies::InputReference> refs;
        for (std::size_t i = 0; i < o.historyLength; ++i)
            refs.push_back(policies::buildInputReference("history[" + std::to_string(i) + "]",
                                                         recorder->column(i)));
        auto schema = torch::ModelSchema::read(schemaFile);
        if (!schema)
            return failed(io, schema.error());
        Json training = Json::parse(schema->trainingJson, nullptr, false);
        if (training.is_discarded() || !training.is_object())
            training = Json::object();
        training["input_reference"] = Json::parse(policies::inputReferencesJson(refs));
        training["input_reference_source"] =
            mlConfig->name() + " on the training days, hosts at each round's detection step";
        schema->trainingJson = training.dump();
        if (auto ok = writeText(schemaFile, schema->toJson()); !ok)
            return failed(io, ok.error());
        io.err << "train: drift reference from " << recorder->column(0).size()
               << " observed host histories\n";
    }

    // --- held-out evaluation through the one inference path ------------------------------------
    auto predictor = torch::TorchUtilisationPredictor::load(o.output);
    if (!predictor)
        return failed(io, predictor.error());
    mlConfig->predictor = *predictor;

    torch::ForecastDataset heldOut;
    heldOut.historyLength = o.historyLength;
    std::vector<EndToEnd> runs;
    for (const fs::path& folder : testFolders) {
        auto vms = sim::loadPlanetLabDay(folder, o.maxVms);
        if (!vms)
            return failed(io, vms.error());
        const std::string day = folder.filename().string();
        auto history = torch::simulateHistory(*vms, dataOptions);
        if (!history)
            return failed(io, twin::makeError(history.error().code, history.error().message,
                                              folder.string()));
        heldOut.append(*history);
        for (const policies::ConsolidationConfig* config : {&*historyPolicy, &*mlConfig}) {
            auto run = torch::runPlanetLabDay(*vms, *config, dataOptions.run);
            if (!run)
                return failed(
                    io, twin::makeError(run.error().code, run.error().message, folder.string()));
            runs.push_back({day, config->name(), *run});
            io.err << "test: " << day << " " << config->name() << ": " << std::fixed
                   << std::setprecision(2) << run->metrics.energyKwh << " kWh, "
                   << run->metrics.migrations << " migrations (" << std::setprecision(1)
                   << run->seconds << " s)\n";
        }
    }
    const torch::ForecastComparison all = torch::compareWithLr(heldOut, **predictor, o.safety);
    const torch::ForecastComparison one =
        torch::compareWithLr(horizonRows(heldOut, 1), **predictor, o.safety);

    // Record the held-out results in the schema (no times: the file stays deterministic).
    Json heldJson;
    heldJson["test_days"] = o.testDays;
    heldJson["safety"] = o.safety;
    heldJson["forecast_all_horizons"] = {{"model", scoreJson(all.model)},
                                         {"lr", scoreJson(all.lr)}};
    heldJson["forecast_horizon_1"] = {{"model", scoreJson(one.model)}, {"lr", scoreJson(one.lr)}};
    heldJson["end_to_end"] = Json::array();
    for (const EndToEnd& e : runs)
        heldJson["end_to_end"].push_back(runJson(e, false));
    if (!o.testDays.empty()) {
        auto schema = torch::ModelSchema::read(schemaFile);
        if (!schema)
            return failed(io, schema.error());
        Json training = Json::parse(schema->trainingJson, nullptr, false);
        if (training.is_discarded() || !training.is_object())
            training = Json::object();
        training["held_out"] = heldJson;
        schema->trainingJson = training.dump();
        if (auto ok = writeText(schemaFile, schema->toJson()); !ok)
            return failed(io, ok.error());
    }

    // --- the report --------------------------------------------------------------------------
    const std::uintmax_t bytes = fs::file_size(o.output, ec);
    if (o.json) {
        Json j;
        j["model"] = o.output.string();
        j["schema"] = schemaFile.string();
        j["model_bytes"] = ec ? 0 : bytes;
        j["identity"] = (*predictor)->identity();
        j["training_data_sha256"] = *hash;
        j["train_days"] = o.trainDays;
        j["samples"] = data.rows();
        j["data_seconds"] = dataSeconds;
        j["training_seconds"] = report.seconds;
        j["epoch_loss"] = report.epochLoss;
        heldJson["end_to_end"] = Json::array();
        for (const EndToEnd& e : runs)
            heldJson["end_to_end"].push_back(runJson(e, true));
        j["held_out"] = heldJson;
        io.out << j.dump(2) << '\n';
        return kOk;
    }
    std::ostream& out = io.out;
    out << std::fixed;
    out << "trained " << (*predictor)->identity() << " on " << o.trainDays.size() << " day(s), "
        << data.rows() << " samples (data " << std::setprecision(1) << dataSeconds
        << " s, training " << report.seconds << " s)\n"
        << "training data sha256 " << *hash << '\n'
        << "saved " << o.output.string() << " (" << (ec ? 0 : bytes) << " bytes) and "
        << schemaFile.string() << '\n';
    if (o.testDays.empty())
        return kOk;
    out << "\nheld-out forecasts (" << heldOut.rows() << " samples; overload = demand > 100 %, "
        << "fired = " << std::setprecision(2) << o.safety << " x forecast >= 1)\n";
    out << "  horizon     forecaster      MAE     bias  overloads  hit %  false alarm %\n";
    const auto line = [&](const char* horizon, const char* name, const torch::ForecastScore& s) {
        out << "  " << std::left << std::setw(11) << horizon << " " << std::setw(12) << name
            << std::right << std::setprecision(4) << std::setw(9) << s.mae << std::setw(9) << s.bias
            << std::setw(11) << s.overloads << std::setw(7) << percent(s.hitRate(), 1)
            << std::setw(15) << percent(s.falseAlarmRate(), 2) << '\n';
    };
    line("1", "model", one.model);
    line("1", "LR", one.lr);
    line("1..max", "model", all.model);
    line("1..max", "LR", all.lr);
    if (all.model.failures > 0)
        out << "  (the model failed on " << all.model.failures << " samples)\n";
    out << "\nend-to-end days (" << o.hosts << " hosts, CloudSim accounting and memory rule)\n"
        << "  day       policy          kWh  migrations  SLATAH %   PDM %  SLAV e-5  ESV e-3  "
           "pred.err  run s\n";
    for (const EndToEnd& e : runs) {
        const sim::ComputeMetrics& m = e.run.metrics;
        out << "  " << e.day << "  " << std::left << std::setw(12) << e.policy << std::right
            << std::setprecision(2) << std::setw(9) << m.energyKwh << std::setw(12) << m.migrations
            << std::setw(10) << percent(m.slatah) << std::setw(8) << percent(m.pdm, 3)
            << std::setw(10) << std::setprecision(3) << 1e5 * m.slav << std::setw(9) << 1e3 * m.esv
            << std::setw(10) << e.run.predictorErrors << std::setw(7) << std::setprecision(2)
            << e.run.seconds << '\n';
    }
    return kOk;
}

} // namespace twindesk::app
