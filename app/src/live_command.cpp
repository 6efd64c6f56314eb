#include "live_command.h"

#include "replay_command.h"

#include <twindesk/live/live_events.h>
#include <twindesk/live/live_source.h>
#include <twindesk/live/mqtt_client.h>
#include <twindesk/live/mqtt_sink.h>
#include <twindesk/live/topic_map.h>
#include <twindesk/policies/approval_gate.h>
#include <twindesk/policies/control_loop.h>
#include <twindesk/policies/decision_log.h>
#include <twindesk/policies/kpi.h>
#include <twindesk/policies/policy_registry.h>
#include <twindesk/policies/recording.h>
#include <twindesk/sim/sim_time.h>
#include <twindesk/twin/historian_rollup.h>
#include <twindesk/twin/project_store.h>
#include <twindesk/twin/store_location.h>
#include <twindesk/version.h>

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <array>
#include <atomic>
#include <csignal>
#include <cstdio>

namespace twindesk::app {

namespace {

/// The running source, for the signal handler (one live loop per process).
std::atomic<live::LiveSource*> g_running{nullptr};

extern "C" void stopLive(int /*signal*/)
{
    if (auto* s = g_running.load())
        s->requestStop();
}

// This loop's name in a shared approval queue: stable across restarts of the same loop.
std::string loopName(const std::filesystem::path& project)
{
    std::array<char, 256> host{};
    if (::gethostname(host.data(), host.size() - 1) != 0)
        host[0] = '\0';
    std::error_code ec;
    const auto absolute = std::filesystem::absolute(project, ec);
    return std::string(host.data()) + ":" + (ec ? project.string() : absolute.string());
}

int fail(CliIo& io, const std::string& message)
{
    io.err << "error: " << message << '\n';
    return 1;
}

} // namespace

int runLive(const LiveCommandOptions& options, CliIo& io)
{
    // The project: its twin is what the policy sees; it receives everything recorded.
    auto store = twin::ProjectStore::open(options.project, twin::OpenMode::ReadWrite);
    if (!store)
        return fail(io, store.error().toString());
    auto model = store->loadModel();
    if (!model)
        return fail(io, model.error().toString());
    auto graph = std::make_shared<const twin::TwinGraph>(std::move(model).value());
    // The historian: the project file, or the shared store that --store or the project names.
    auto historian = twin::StoreSelection::resolve(*store, options.store);
    if (!historian)
        return fail(io, historian.error().toString());

    if (options.map.empty() && options.discovery.empty())
        return fail(io, "give a topic map (--map) or a discovery prefix (--discovery)");
    auto map = options.map.empty() ? twin::Result<live::TopicMap>(live::TopicMap{})
                                   : live::TopicMap::load(options.map);
    if (!map)
        return fail(io, map.error().toString());
    map->setPointUnitResolver([graph](std::string_view point) -> std::string {
        const auto i = graph->find(std::string(point));
        if (!i || !graph->entity(*i).point)
            return {};
        return graph->entity(*i).point->unit;
    });

    // The policy object: NAME[:PARAMS] plus the shadow; live never approves by itself.
    const std::string where = "--policy";
    auto policyJson = candidatePolicyJson(nlohmann::json::object(), options.policy, where);
    if (!policyJson)
        return fail(io, policyJson.error().toString());
    auto policyObject = nlohmann::json::parse(*policyJson);
    if (options.shadow) {
        auto shadowJson = candidatePolicyJson(nlohmann::json::object(), *options.shadow, "--shadow");
        if (!shadowJson)
            return fail(io, shadowJson.error().toString());
        policyObject["shadow"] = nlohmann::json::parse(*shadowJson);
    }
    const std::string objectJson = policyObject.dump();
    auto policy = policies::createPolicy(objectJson, where);
    if (!policy)
        return fail(io, policy.error().toString());
    auto fallback = policies::createFallbackPolicy(objectJson, where);
    if (!fallback)
        return fail(io, fallback.error().toString());
    auto shadow = policies::createShadowPolicy(objectJson, where);
    if (!shadow)
        return fail(io, shadow.error().toString());
    auto settings = policies::loopSettings(objectJson, where);
    if (!settings)
        return fail(io, settings.error().toString());
    settings->approvals.autoApprove = false;

    // The broker.
    auto url = live::parseBrokerUrl(options.broker);
    if (!url)
        return fail(io, "--broker: " + url.error().message);
    live::ClientOptions co;
    co.broker = *url;
    co.passwordFile = options.passwordFile;
    co.caFile = options.caFile;
    auto client = live::MqttClient::create(co);
    if (!client)
        return fail(io, client.error().toString());
    if (options.onProgress)
        options.onProgress(LiveProgress{.state = "connecting"});
    if (auto ok = (*client)->connect(std::chrono::seconds(10)); !ok)
        return fail(io, ok.error().toString());

    auto events = live::LiveEvents::open(*store);
    if (!events)
        return fail(io, events.error().toString());
    // Decision log and approvals live where the historian does: on a shared store every
    // loop of the site appends to one chain and every console decides on one queue.
    auto log = policies::DecisionLog::open(*historian);
    if (!log)
        return fail(io, log.error().toString());
    auto gate = policies::ApprovalGate::open(historian->sql());
    if (!gate)
        return fail(io, gate.error().toString());
    // On a shared queue this loop acts only on its own requests: named by host and project.
    if (historian->shared() != nullptr)
        gate->setOrigin(loopName(options.project));
    auto recorder = policies::FrameRecorder::open(*store);
    if (!recorder)
        return fail(io, recorder.error().toString());
    // The version writing this recording's decision log, stamped before its first row (the
    // summary written at the end is lost if the process is killed).
    if (auto s = store->setMeta("twindesk_version", kVersion); !s)
        return fail(io, s.error().toString());

    live::LiveSourceOptions so;
    so.frameInterval = options.frame;
    so.duration = options.duration;
    live::LiveSource source(**client, *map, &historian->historian(), &*events, so);
    if (!options.discovery.empty()) {
        // A discovered entity is the twin point whose local name is its object id (as
        // `simulate --publish` announces them), else a point of its own.
        auto byLocalName = std::make_shared<std::map<std::string, std::string, std::less<>>>();
        for (auto i : graph->entitiesOfKind(twin::EntityKind::Point))
            byLocalName->emplace(std::string(twin::localName(graph->entity(i).id)),
                                 graph->entity(i).id);
        source.enableDiscovery(options.discovery,
                               [byLocalName](const live::DiscoveredEntity& e) -> std::string {
                                   for (const auto* key : {&e.objectId, &e.objectIdHint})
                                       if (auto it = byLocalName->find(*key);
                                           !key->empty() && it != byLocalName->end())
                                           return it->second;
                                   return {};
                               });
    }
    if (auto ok = source.subscribe(); !ok)
        return fail(io, ok.error().toString());
    live::SinkOptions sinkOptions;
    sinkOptions.confirmTimeout = options.confirmTimeout;
    live::MqttSink sink(**client, *map, &*events, sinkOptions);
    source.setSampleListener(
        [&sink](const std::string& p, double v, std::int64_t t) { sink.onSample(p, v, t); });
    source.setTickListener([&sink](std::int64_t t) { sink.tick(t); });

    policies::Observation observation(graph, options.utcOffsetHours);
    policies::ControlLoop loop(source, sink, **policy, std::move(observation), &*log,
                               options.project.filename().string());
    loop.setGuard(settings->guard);
    loop.setFallback(fallback->get());
    loop.setApprovals(&*gate, settings->approvals);
    loop.setShadow(shadow->get());
    loop.setRecorder(recorder->get());

    const std::string started = sim::formatUtc(source.now());
    // The command line stops on SIGINT/SIGTERM; an embedding through its stop flag.
    const bool handleSignals = options.stop == nullptr;
    void (*previousInt)(int) = SIG_DFL;
    void (*previousTerm)(int) = SIG_DFL;
    if (handleSignals) {
        g_running.store(&source);
        previousInt = std::signal(SIGINT, stopLive);
        previousTerm = std::signal(SIGTERM, stopLive);
    }
    auto progress = [&] {
        if (!options.onProgress)
            return;
        const auto& c = source.counters();
        const auto& st = loop.stats();
        const auto& sc = sink.counters();
        options.onProgress(LiveProgress{
            .state = live::connectionStateName((*client)->state()),
            .nowMs = static_cast<std::int64_t>(source.now()) * 1000,
            .messages = c.messages,
            .stored = c.stored,
            .rejected = c.rejected.total,
            .stalePoints = source.stalePoints().size(),
            .decisions = st.decisions,
            .applied = st.applied,
            .pendingApprovals = st.pendingApprovals,
            .commandsSent = sc.sent,
            .commandsConfirmed = sc.confirmed});
    };
    if (!options.json)
        io.out << "live           " << live::describe(*url) << " → " << options.project.string()
               << (historian->shared() != nullptr
                       ? ", shared store " + historian->describe() +
                             " (history, decisions, approvals)"
                       : "")
               << ", policy " << (*policy)->info().id << " (Ctrl-C stops)\n";
    auto lastStatus = std::chrono::steady_clock::now();
    auto lastRollup = lastStatus;
    twin::RollupStats rolled;
    auto rollupNow = [&]() -> twin::Status {
        // Aggregates and retention run on the project file's historian; a shared store keeps
        // every raw sample (docs/store.md).
        if (historian->shared() != nullptr)
            return {};
        auto r = twin::rollup(*store, source.now() * 1000, options.retention);
        if (!r)
            return r.error();
        rolled.oneMinuteBuckets += r->oneMinuteBuckets;
        rolled.fifteenMinuteBuckets += r->fifteenMinuteBuckets;
        rolled.rawDeleted += r->rawDeleted;
        return {};
    };
    twin::Status status;
    while (true) {
        auto more = loop.step();
        if (!more) {
            status = more.error();
            break;
        }
        if (!*more)
            break;
        progress();
        if (options.stop != nullptr && options.stop->load())
            break;
        const auto now = std::chrono::steady_clock::now();
        if (now - lastRollup >= std::chrono::minutes(1)) {
            lastRollup = now;
            if (auto r = rollupNow(); !r) {
                status = r;
                break;
            }
        }
        if (!options.json && std::chrono::duration<double>(now - lastStatus).count() >=
                                 options.statusEveryS) {
            lastStatus = now;
            const auto& c = source.counters();
            const auto& st = loop.stats();
            char line[256];
            std::snprintf(line, sizeof line,
                          "%s  %s  %llu msgs, %llu stored, %llu bad, %zu stale, %lld decisions, "
                          "%lld applied, %lld pending approval\n",
                          sim::formatUtc(source.now()).c_str(),
                          live::connectionStateName((*client)->state()),
                          static_cast<unsigned long long>(c.messages),
                          static_cast<unsigned long long>(c.stored),
                          static_cast<unsigned long long>(c.rejected.total),
                          source.stalePoints().size(), static_cast<long long>(st.decisions),
                          static_cast<long long>(st.applied),
                          static_cast<long long>(st.pendingApprovals));
            io.out << line << std::flush;
        }
    }
    if (handleSignals) {
        std::signal(SIGINT, previousInt);
        std::signal(SIGTERM, previousTerm);
        g_running.store(nullptr);
    }

    // Everything received is stored before the end; the connection closes last.
    auto flushed = source.flush();
    if (flushed)
        flushed = rollupNow();
    if (flushed)
        flushed = (*recorder)->flush();
    if (flushed)
        flushed = log->flush();
    (*client)->disconnect();
    const auto& c = source.counters();
    const auto& st = loop.stats();
    const auto& sc = sink.counters();
    nlohmann::ordered_json summary;
    summary["broker"] = live::describe(*url);
    summary["project"] = options.project.string();
    summary["store"] = historian->describe();
    summary["loop"] = gate->origin();
    summary["policy"] = {{"id", (*policy)->info().id},
                         {"version", (*policy)->info().version},
                         {"hash", (*policy)->info().hash}};
    summary["started"] = started;
    summary["ended"] = sim::formatUtc(source.now());
    summary["messages"] = c.messages;
    summary["accepted"] = c.accepted;
    summary["stored"] = c.stored;
    summary["rejected"] = c.rejected.total;
    nlohmann::ordered_json reasons = nlohmann::ordered_json::object();
    for (auto r : live::kAllRejectReasons)
        if (c.rejected.count(r) > 0)
            reasons[std::string(live::rejectionName(r))] = c.rejected.count(r);
    summary["rejected_by_reason"] = reasons;
    summary["disconnects"] = c.disconnects;
    summary["stale_points"] = source.stalePoints();
    summary["frames"] = c.frames;
    summary["discovered"] = c.discovered;
    summary["historian"] = {{"buckets_1m", rolled.oneMinuteBuckets},
                            {"buckets_15m", rolled.fifteenMinuteBuckets},
                            {"raw_deleted", rolled.rawDeleted}};
    summary["decisions"] = st.decisions;
    summary["fallbacks"] = st.fallbacks;
    summary["applied"] = st.applied;
    summary["rejected_actions"] = st.rejected;
    summary["pending_approvals"] = st.pendingApprovals;
    summary["commands"] = {{"sent", sc.sent},
                           {"confirmed", sc.confirmed},
                           {"unconfirmed", sc.unconfirmed},
                           {"dropped", sc.dropped},
                           {"refused", sc.refused}};
    if (st.shadow.rounds > 0)
        summary["shadow"] = nlohmann::ordered_json::parse(policies::shadowJson(st.shadow));
    if (flushed) {
        for (const auto& [k, v] : std::map<std::string, std::string>{
                 {"kind", "live"},
                 {"twindesk_version", kVersion},
                 {"policy_json", objectJson},
                 {"live_broker", live::describe(*url)},
                 {"live_historian", historian->describe()},
                 {"live_map", options.map.empty()
                                  ? "discovery:" + options.discovery
                                  : std::filesystem::absolute(options.map).string()},
                 {"live_summary", summary.dump()}})
            if (auto s = store->setMeta(k, v); !s) {
                flushed = s;
                break;
            }
    }
    if (!status)
        return fail(io, status.error().toString());
    if (!flushed)
        return fail(io, flushed.error().toString());
    if (options.json)
        io.out << summary.dump(2) << '\n';
    else
        io.out << "stopped        " << c.messages << " messages, " << c.stored << " stored, "
               << c.rejected.summary() << "; " << st.decisions << " decisions, " << st.applied
               << " applied; commands " << sc.sent << " sent, " << sc.confirmed << " confirmed, "
               << sc.unconfirmed << " unconfirmed, " << sc.dropped << " dropped\n";
    return 0;
}

} // namespace twindesk::app
