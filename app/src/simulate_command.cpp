#include "simulate_command.h"

#include "assets.h"

#include <twindesk/live/device_publisher.h>
#include <twindesk/live/mqtt_client.h>
#include <twindesk/policies/control_loop.h>
#include <twindesk/policies/policy_registry.h>
#include <twindesk/policies/scenario_run.h>
#include <twindesk/policies/validation.h>
#include <twindesk/sim/compute.h>
#include <twindesk/sim/engine.h>
#include <twindesk/sim/scenario.h>
#include <twindesk/sim/weather.h>
#include <twindesk/twin/project_store.h>
#include <twindesk/version.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <charconv>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ostream>
#include <thread>
#include <unistd.h>

namespace twindesk::app {

namespace fs = std::filesystem;

fs::path defaultAnchorsDir()
{
    // getenv races only with setenv/putenv, which nothing in TwinDesk calls.
    // NOLINTNEXTLINE(concurrency-mt-unsafe)
    if (const char* env = std::getenv("TWINDESK_ANCHORS_DIR"); env != nullptr && *env != '\0')
        return env;
#ifdef TWINDESK_SOURCE_ASSETS_DIR
    const fs::path candidate =
        fs::path(TWINDESK_SOURCE_ASSETS_DIR).parent_path().parent_path() / "shared" / "anchors";
    std::error_code ec;
    if (fs::exists(candidate, ec))
        return candidate.lexically_normal();
#endif
    return {};
}

std::optional<double> parseRealtimeFactor(const std::string& text)
{
    double value = 0.0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end || !std::isfinite(value) || value <= 0.0)
        return std::nullopt;
    return value;
}

namespace {

void drawProgress(double fraction, double seconds)
{
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(fraction * kWidth);
    std::fprintf(stderr, "\r[%.*s%*s] %5.1f%%  %.1f s", filled, "##############################",
                 kWidth - filled, "", fraction * 100.0, seconds);
    std::fflush(stderr);
}

} // namespace

namespace {

// Set by SIGINT/SIGTERM while publishing: the run stops at the end of the current step.
std::atomic<bool> stopRequested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "used from a signal handler");

extern "C" void onStopSignal(int /*signal*/)
{
    stopRequested.store(true);
}

/// Installs onStopSignal for SIGINT and SIGTERM for one scope, then restores what was there.
class StopSignalScope
{
public:
    StopSignalScope()
    {
        stopRequested.store(false);
        m_int = std::signal(SIGINT, onStopSignal);
        m_term = std::signal(SIGTERM, onStopSignal);
    }
    ~StopSignalScope()
    {
        std::signal(SIGINT, m_int == SIG_ERR ? SIG_DFL : m_int);
        std::signal(SIGTERM, m_term == SIG_ERR ? SIG_DFL : m_term);
    }
    StopSignalScope(const StopSignalScope&) = delete;
    StopSignalScope& operator=(const StopSignalScope&) = delete;
    StopSignalScope(StopSignalScope&&) = delete;
    StopSignalScope& operator=(StopSignalScope&&) = delete;

private:
    void (*m_int)(int) = SIG_DFL;
    void (*m_term)(int) = SIG_DFL;
};

/// The --set overrides as JSON ([[key, value], ...]), kept with the results so a replay
/// rebuilds the same scenario.
std::string overridesJson(const std::vector<std::pair<std::string, std::string>>& overrides)
{
    nlohmann::json j = nlohmann::json::array();
    for (const auto& [k, v] : overrides)
        j.push_back({k, v});
    return j.dump();
}
} // namespace

int runSimulate(const SimulateOptions& options, CliIo& io)
{
    using Clock = std::chrono::steady_clock;
    const auto wallStart = Clock::now();
    sim::ScenarioOptions so;
    if (const auto assets = assetsDir())
        so.ontology = bundledOntology(*assets);
    so.anchorsDir = options.anchors.empty() ? defaultAnchorsDir() : options.anchors;
    so.overrides = options.overrides;
    auto scenario = sim::loadScenario(options.scenario, so);
    if (!scenario) {
        io.err << "error: " << scenario.error().toString() << '\n';
        return 1;
    }
    auto& scenarioRef = *scenario;
    const auto& config = *scenario->config;

    // Results are written to a temporary project and renamed into place only after the run
    // finished: a failed or interrupted run never leaves a half-written results file.
    std::optional<twin::ProjectStore> store;
    fs::path tmp;
    std::vector<std::int64_t> series;
    std::vector<twin::ProjectStore::SeriesSample> batch;
    if (options.out) {
        std::error_code ec;
        if (!options.force && fs::exists(*options.out, ec)) {
            io.err << "error: " << options.out->string()
                   << ": a file exists already; choose another name or pass --force\n";
            return 1;
        }
        tmp = options.out->string() + ".tmp-" + std::to_string(::getpid());
        auto created = twin::ProjectStore::create(tmp, twin::CreateMode::Replace);
        if (!created) {
            io.err << "error: " << created.error().toString() << '\n';
            return 1;
        }
        store.emplace(std::move(created).value());
        if (scenario->building)
            if (auto s = store->saveModel(*scenario->building); !s) {
                io.err << "error: " << s.error().toString() << '\n';
                return 1;
            }
        for (const auto& b : config.bindings) {
            auto id = store->seriesId(b.point);
            if (!id) {
                io.err << "error: " << id.error().toString() << '\n';
                return 1;
            }
            series.push_back(*id);
        }
    }
    auto cleanup = [&] {
        store.reset();
        std::error_code ec;
        for (const char* suffix : {"", "-wal", "-shm"})
            fs::remove(tmp.string() + suffix, ec);
    };

    // The audit trail and the approval requests live in the results project.
    std::optional<policies::DecisionLog> decisionLog;
    std::optional<policies::ApprovalGate> gate;
    if (store && !scenario->policyJson.empty()) {
        auto opened = policies::DecisionLog::open(*store);
        if (!opened) {
            io.err << "error: " << opened.error().toString() << '\n';
            cleanup();
            return 1;
        }
        decisionLog.emplace(std::move(opened).value());
        auto approvals = policies::ApprovalGate::open(*store);
        if (!approvals) {
            io.err << "error: " << approvals.error().toString() << '\n';
            decisionLog.reset();
            cleanup();
            return 1;
        }
        gate.emplace(std::move(approvals).value());
    }
    // The results file is a recording: every frame the loop observed (policies/recording.h).
    std::unique_ptr<policies::FrameRecorder> recorder;
    if (decisionLog) {
        auto opened = policies::FrameRecorder::open(*store);
        if (!opened) {
            io.err << "error: " << opened.error().toString() << '\n';
            decisionLog.reset();
            gate.reset();
            cleanup();
            return 1;
        }
        recorder = std::move(opened).value();
    }
    policies::RunOptions runOptions;
    runOptions.where = options.scenario.string() + ": /policy";
    runOptions.log = decisionLog ? &*decisionLog : nullptr;
    runOptions.approvals = gate ? &*gate : nullptr;
    runOptions.recorder = recorder.get();
    auto made = policies::ScenarioRun::make(scenarioRef, runOptions);
    if (!made) {
        io.err << "error: " << made.error().toString() << '\n';
        recorder.reset();
        decisionLog.reset();
        cleanup();
        return 1;
    }
    auto& run = **made;
    const auto& e = run.engine();
    const auto* policy = run.policy();
    // The decision log writes into the results store: close it before the store goes.
    auto abortRun = [&] {
        made->reset();
        recorder.reset();
        decisionLog.reset();
        gate.reset();
        cleanup();
    };

    // The device simulator (issue #7 §6): connect first, so a broker that is down stops the
    // run before it starts; the client outlives the publisher that points at it.
    std::unique_ptr<live::MqttClient> mqtt;
    std::optional<live::DevicePublisher> publisher;
    std::optional<StopSignalScope> stopSignals;
    std::string brokerText;
    if (options.publish) {
        auto url = live::parseBrokerUrl(*options.publish);
        if (!url) {
            io.err << "error: --publish: " << url.error().toString() << '\n';
            abortRun();
            return 1;
        }
        brokerText = live::describe(*url);
        live::ClientOptions clientOptions;
        clientOptions.broker = *url;
        auto client = live::MqttClient::create(clientOptions);
        if (client)
            mqtt = std::move(client).value();
        twin::Status connected =
            client ? mqtt->connect(std::chrono::seconds(10)) : twin::Status(client.error());
        if (!connected) {
            io.err << "error: cannot publish to " << brokerText << ": "
                   << connected.error().toString()
                   << "\n(is the broker running and reachable? see docs/live.md)\n";
            abortRun();
            return 1;
        }
        live::DevicePublisherOptions po;
        po.realtimeFactor = options.realtimeFactor;
        auto createdPublisher = live::DevicePublisher::create(e.config(), *mqtt, po);
        if (!createdPublisher) {
            io.err << "error: " << createdPublisher.error().toString() << '\n';
            abortRun();
            return 1;
        }
        publisher.emplace(std::move(createdPublisher).value());
        if (options.mapOut)
            if (auto s = publisher->writeTopicMap(*options.mapOut); !s) {
                io.err << "error: --map-out: " << s.error().toString() << '\n';
                abortRun();
                return 1;
            }
        if (auto s = publisher->start(); !s) {
            io.err << "error: " << brokerText << ": " << s.error().toString() << '\n';
            abortRun();
            return 1;
        }
        stopSignals.emplace();
    }
    const auto submitToRun = [&run](const sim::Action& a) { return run.submit(a); };
    const auto paceStart = Clock::now();
    const sim::Seconds simStart = e.state().time;
    sim::TelemetryFrame publishFrame;
    bool interrupted = false;

    const bool tty = options.progress && ::isatty(STDERR_FILENO) != 0;
    const auto total = config.grid.stepCount();
    const auto every = std::max<std::int64_t>(1, total / 200);
    const sim::Seconds interval = scenario->outputs.interval;
    sim::TelemetryFrame frame;
    std::int64_t samplesWritten = 0;
    while (!e.finished()) {
        // Commands received since the last step, in arrival order: applied by this step.
        if (publisher)
            publisher->applyCommands(submitToRun);
        if (auto s = run.step(); !s) {
            if (tty)
                std::fputc('\n', stderr);
            io.err << "error: " << options.scenario.string() << ": " << s.error().toString()
                   << '\n';
            abortRun();
            return 1;
        }
        if (store && (e.state().time - config.grid.start()) % interval == 0) {
            e.sample(frame);
            for (std::size_t i = 0; i < frame.samples.size(); ++i)
                batch.push_back({series[i], frame.time * 1000, frame.samples[i].value});
            if (batch.size() >= 100000) {
                if (auto s = store->appendSeries(batch); !s) {
                    io.err << "error: " << s.error().toString() << '\n';
                    abortRun();
                    return 1;
                }
                samplesWritten += static_cast<std::int64_t>(batch.size());
                batch.clear();
            }
        }
        if (tty && e.state().step % every == 0)
            drawProgress(static_cast<double>(e.state().step) / static_cast<double>(total),
                         std::chrono::duration<double>(Clock::now() - wallStart).count());
        if (publisher) {
            e.sample(publishFrame);
            if (auto sent = publisher->publish(publishFrame); !sent) {
                io.err << "error: " << sent.error().toString() << '\n';
                abortRun();
                return 1;
            }
            if (stopRequested.load()) {
                interrupted = true;
                break;
            }
            // Pacing: this step's end is due at start + simulated time / factor (wall).
            if (options.realtimeFactor) {
                const auto due =
                    paceStart +
                    std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                        static_cast<double>(e.state().time - simStart) / *options.realtimeFactor));
                // Short naps, so a signal ends the run without waiting for a long step.
                for (auto now = Clock::now(); now < due && !stopRequested.load();
                     now = Clock::now())
                    std::this_thread::sleep_for(
                        std::min<Clock::duration>(due - now, std::chrono::milliseconds(100)));
                if (stopRequested.load()) {
                    interrupted = true;
                    break;
                }
            }
        }
    }
    // The last values reach the broker before the connection closes.
    bool flushed = true;
    if (publisher) {
        flushed = publisher->flush(std::chrono::seconds(10));
        mqtt->disconnect();
        stopSignals.reset();
    }
    if (tty) {
        drawProgress(1.0, std::chrono::duration<double>(Clock::now() - wallStart).count());
        std::fputc('\n', stderr);
    }
    const double wall = std::chrono::duration<double>(Clock::now() - wallStart).count();
    const auto& t = e.state().totals;
    const double zoneSteps = static_cast<double>(total) * static_cast<double>(config.zones.size());
    char hash[32];
    std::snprintf(hash, sizeof hash, "%016" PRIx64, e.stateHash());

    nlohmann::ordered_json kpi;
    kpi["scenario"] = scenario->name;
    kpi["annual_heating_mwh"] = t.heatingJ / 3.6e9;
    kpi["annual_cooling_mwh"] = t.coolingJ / 3.6e9;
    kpi["peak_heating_kw"] = t.peakHeatingW / 1000.0;
    kpi["peak_cooling_kw"] = t.peakCoolingW / 1000.0;
    kpi["peak_heating_time"] = sim::formatUtc(t.peakHeatingTime);
    kpi["peak_cooling_time"] = sim::formatUtc(t.peakCoolingTime);
    // energy_kwh: what the site drew, all carriers; for a data centre without a building the
    // hosts' energy as the compute accounting books it (the figure the paper reports).
    const double siteKwh = (t.energyJ[0] + t.energyJ[1] + t.energyJ[2]) / 3.6e6;
    const bool dataCentreOnly = config.zones.empty() && e.state().compute;
    kpi["energy_kwh"] = dataCentreOnly ? e.state().compute->metrics().energyKwh : siteKwh;
    kpi["energy_by_carrier_kwh"] = {{"electricity", t.energyJ[0] / 3.6e6},
                                    {"gas", t.energyJ[1] / 3.6e6},
                                    {"district_heat", t.energyJ[2] / 3.6e6}};
    kpi["lighting_kwh"] = t.lightingJ / 3.6e6;
    kpi["plug_kwh"] = t.plugJ / 3.6e6;
    kpi["it_kwh"] = t.itJ / 3.6e6;
    kpi["discomfort_kh"] = t.discomfortKh;
    kpi["co2_above_1000_ppmh"] = t.co2PpmH;
    kpi["zone_air_min_c"] = t.minAirC;
    kpi["zone_air_max_c"] = t.maxAirC;
    kpi["zone_air_mean_c"] = zoneSteps > 0 ? t.sumAirCSteps / zoneSteps : 0.0;
    kpi["numerical_issues"] = t.numericalIssues;
    if (e.state().compute) {
        const auto m = e.state().compute->metrics();
        // The consolidation figures at the top level (fractions, not percent).
        kpi["migrations"] = m.migrations;
        kpi["slatah"] = m.slatah;
        kpi["pdm"] = m.pdm;
        kpi["slav"] = m.slav;
        kpi["esv"] = m.esv;
        kpi["host_shutdowns"] = m.hostShutdowns;
        kpi["compute"] = {{"hosts", e.state().compute->hostCount()},
                          {"vms", e.state().compute->vmCount()},
                          {"energy_kwh", m.energyKwh},
                          {"slatah", m.slatah},
                          {"pdm", m.pdm},
                          {"slav", m.slav},
                          {"esv", m.esv},
                          {"migrations", m.migrations},
                          {"host_shutdowns", m.hostShutdowns},
                          {"overall_sla_violation", m.overallSlaViolation}};
    }
    kpi["zones"] = config.zones.size();
    kpi["steps"] = total;
    kpi["step_s"] = config.grid.step();
    kpi["seed"] = config.seed;
    kpi["state_hash"] = hash;
    kpi["wall_time_s"] = wall;
    kpi["zone_steps_per_s"] = wall > 0 ? zoneSteps / wall : 0.0;

    if (const auto* controlLoop = run.loop()) {
        const auto& st = controlLoop->stats();
        kpi["policy"] = {{"name", policy->info().id},
                         {"version", policy->info().version},
                         {"hash", policy->info().hash},
                         {"decisions", st.decisions},
                         {"actions_applied", st.applied},
                         {"actions_modified", st.modified},
                         {"actions_rejected", st.rejected},
                         {"fallbacks", st.fallbacks},
                         {"policy_errors", st.policyErrors},
                         {"decide_p50_us", policies::percentile(st.latency.decideUs, 50)},
                         {"decide_p99_us", policies::percentile(st.latency.decideUs, 99)}};
        if (const auto drift = policies::policyDrift(policy); !drift.empty()) {
            for (const auto& x : drift) {
                if (x.alarm)
                    io.err << "warning: drift alarm: the model's input " << x.name << " has PSI "
                           << x.psi << " against its training data (>= " << policies::kDriftPsiAlarm
                           << ")\n";
            }
            kpi["policy"]["drift"] = nlohmann::json::parse(policies::inputDriftJson(drift));
        }
        if (st.shadow.rounds > 0) {
            kpi["policy"]["shadow"] = nlohmann::json::parse(policies::shadowJson(st.shadow));
            // What would have happened with the shadow in charge (its own twin, lockstep).
            if (const auto estimate = run.shadowKpis())
                kpi["policy"]["shadow"]["kpis"] =
                    nlohmann::json::parse(policies::kpiJson(*estimate));
        }
        if (recorder) {
            if (auto s = recorder->flush(); !s) {
                io.err << "error: " << s.error().toString() << '\n';
                abortRun();
                return 1;
            }
            kpi["recording"] = {{"frames", recorder->frames()}, {"samples", recorder->samples()}};
        }
        if (decisionLog)
            if (auto s = decisionLog->flush(); !s) {
                io.err << "error: " << s.error().toString() << '\n';
                abortRun();
                return 1;
            }
        // They borrow the store's connection: close them before it closes. The loop that
        // points at them is done.
        recorder.reset();
        decisionLog.reset();
        gate.reset();
    }
    if (publisher) {
        const auto& st = publisher->stats();
        nlohmann::ordered_json m;
        m["broker"] = brokerText;
        m["site"] = publisher->site();
        m["points"] = publisher->points().size();
        m["messages_published"] = st.published;
        m["discovery_published"] = st.discoveryPublished;
        m["failed_publishes"] = st.failedPublishes;
        m["non_finite_skipped"] = st.nonFinite;
        m["commands_applied"] = st.commandsApplied;
        m["commands_rejected"] = st.commandsRejected;
        if (!st.lastRejection.empty())
            m["last_rejection"] = st.lastRejection;
        m["all_delivered_to_network"] = flushed;
        if (options.realtimeFactor)
            m["realtime_factor"] = *options.realtimeFactor;
        if (options.mapOut)
            m["topic_map"] = options.mapOut->string();
        m["interrupted"] = interrupted;
        m["steps_run"] = e.state().step;
        kpi["mqtt"] = m;
    }
    // An interrupted run covers only part of the period: keep no results file for it.
    if (interrupted && store) {
        cleanup();
        io.err << "note: the run was interrupted at " << sim::formatUtc(e.state().time) << "; "
               << options.out->string() << " was not written\n";
    }
    // The KPI module's report (docs/kpis.md): site scope, plus the loop's figures.
    kpi["kpis"] = nlohmann::json::parse(policies::kpiJson(run.kpis()));
    if (store) {
        if (!batch.empty()) {
            if (auto s = store->appendSeries(batch); !s) {
                io.err << "error: " << s.error().toString() << '\n';
                abortRun();
                return 1;
            }
            samplesWritten += static_cast<std::int64_t>(batch.size());
        }
        kpi["samples_written"] = samplesWritten;
        const std::map<std::string, std::string> meta{
            {"twindesk_version", kVersion},
            {"kind", "results"},
            {"scenario", fs::absolute(options.scenario).lexically_normal().string()},
            {"overrides", overridesJson(options.overrides)},
            {"policy_json", scenario->policyJson},
            {"recording", scenario->outputs.recording == sim::RecordingScope::PolicyInputs
                              ? "policy-inputs"
                              : "all"},
            {"scenario_name", scenario->name},
            {"seed", std::to_string(config.seed)},
            {"step_s", std::to_string(config.grid.step())},
            {"period_start", sim::formatUtc(config.grid.start())},
            {"period_end", sim::formatUtc(config.grid.end())},
            {"kpis", kpi.dump()},
        };
        for (const auto& [k, v] : meta)
            if (auto s = store->setMeta(k, v); !s) {
                io.err << "error: " << s.error().toString() << '\n';
                abortRun();
                return 1;
            }
        store.reset(); // close: checkpoint the WAL before the rename
        std::error_code ec;
        fs::rename(tmp, *options.out, ec);
        if (ec) {
            io.err << "error: " << options.out->string()
                   << ": cannot move results into place: " << ec.message() << '\n';
            abortRun();
            return 1;
        }
    }

    if (options.json) {
        io.out << kpi.dump(2) << '\n';
        return 0;
    }
    char line[256];
    io.out << "scenario       " << scenario->name << " (" << config.zones.size() << " zones, "
           << total << " steps of " << config.grid.step() << " s)\n";
    if (!config.zones.empty()) {
        std::snprintf(line, sizeof line, "heating        %.3f MWh (peak %.3f kW at %s)\n",
                      t.heatingJ / 3.6e9, t.peakHeatingW / 1000.0,
                      sim::formatUtc(t.peakHeatingTime).c_str());
        io.out << line;
        std::snprintf(line, sizeof line, "cooling        %.3f MWh (peak %.3f kW at %s)\n",
                      t.coolingJ / 3.6e9, t.peakCoolingW / 1000.0,
                      sim::formatUtc(t.peakCoolingTime).c_str());
        io.out << line;
        std::snprintf(line, sizeof line,
                      "energy         electricity %.1f kWh, gas %.1f kWh, district heat %.1f kWh\n",
                      t.energyJ[0] / 3.6e6, t.energyJ[1] / 3.6e6, t.energyJ[2] / 3.6e6);
        io.out << line;
        std::snprintf(
            line, sizeof line,
            "comfort        %.1f K·h outside 20–26 °C while occupied; CO2 %.0f ppm·h above 1000\n",
            t.discomfortKh, t.co2PpmH);
        io.out << line;
        std::snprintf(line, sizeof line, "zone air       min %.2f °C, mean %.2f °C, max %.2f °C\n",
                      t.minAirC, zoneSteps > 0 ? t.sumAirCSteps / zoneSteps : 0.0, t.maxAirC);
        io.out << line;
    }
    if (t.ahuRunS > 0.0) {
        std::snprintf(line, sizeof line,
                      "air handling   fans %.1f kWh, chiller %.1f kWh, reheat %.1f kWh, preheat "
                      "%.1f kWh, radiators %.1f kWh, economizer %.0f AHU-h\n",
                      t.fanJ / 3.6e6, t.chillerJ / 3.6e6, t.reheatJ / 3.6e6, t.preheatJ / 3.6e6,
                      t.radiatorJ / 3.6e6, t.economizerS / 3600.0);
        io.out << line;
    }
    if (e.state().compute) {
        const auto m = e.state().compute->metrics();
        std::snprintf(
            line, sizeof line,
            "compute        %zu hosts, %zu VMs: %.1f kWh, SLATAH %.4f, PDM %.6f, SLAV %.3g, "
            "ESV %.3g, %lld migrations\n",
            e.state().compute->hostCount(), e.state().compute->vmCount(), m.energyKwh, m.slatah,
            m.pdm, m.slav, m.esv, static_cast<long long>(m.migrations));
        io.out << line;
    }
    if (const auto estimate = run.shadowKpis()) {
        const auto active = run.kpis();
        const auto& sh = kpi["policy"]["shadow"];
        std::snprintf(line, sizeof line,
                      "shadow         agreement %.1f %%; in charge it would use %.1f kWh (active "
                      "%.1f kWh), discomfort %.1f K·h (active %.1f K·h)\n",
                      100.0 * sh.value("agreement", 1.0), estimate->energy.totalKwh,
                      active.energy.totalKwh, estimate->comfort.discomfortKh,
                      active.comfort.discomfortKh);
        io.out << line;
    }
    if (publisher) {
        const auto& st = publisher->stats();
        io.out << "mqtt           " << brokerText << " (site " << publisher->site() << ", "
               << publisher->points().size() << " points): " << st.published
               << " messages published (" << st.discoveryPublished << " discovery), "
               << st.failedPublishes << " failed; commands " << st.commandsApplied << " applied, "
               << st.commandsRejected << " rejected"
               << (interrupted ? "; interrupted at " + sim::formatUtc(e.state().time) : "") << '\n';
        if (!st.lastRejection.empty())
            io.err << "note: last rejected command: " << st.lastRejection << '\n';
        if (!flushed)
            io.err << "warning: some of the last messages may not have reached " << brokerText
                   << '\n';
    }
    std::snprintf(line, sizeof line, "run            %.2f s wall, %.2e zone-steps/s, state %s\n",
                  wall, wall > 0 ? zoneSteps / wall : 0.0, hash);
    io.out << line;
    if (options.out)
        io.out << "results        " << options.out->string() << " (" << samplesWritten
               << " samples)\n";
    return 0;
}

} // namespace twindesk::app
