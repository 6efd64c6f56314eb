#include "replay_command.h"

#include "assets.h"
#include "simulate_command.h"

#include <twindesk/policies/policy_registry.h>
#include <twindesk/policies/recording.h>
#include <twindesk/policies/replay.h>
#include <twindesk/policies/scenario_run.h>
#include <twindesk/sim/scenario.h>
#include <twindesk/twin/project_store.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <ostream>

namespace twindesk::app {

namespace {

int failWith(CliIo& io, const std::string& message)
{
    io.err << "error: " << message << '\n';
    return 1;
}

} // namespace

twin::Result<RecordingContext>
loadRecordingContext(const std::filesystem::path& recording,
                     const std::optional<std::filesystem::path>& scenarioOverride,
                     const std::filesystem::path& anchors)
{
    const std::string rec = recording.string();
    RecordingContext ctx;
    {
        auto store = twin::ProjectStore::open(recording, twin::OpenMode::ReadOnly);
        if (!store)
            return store.error();
        auto m = store->allMeta();
        if (!m)
            return m.error();
        ctx.meta = std::move(m).value();
    }
    // The scenario gives the twin, the site's time zone and the calendar (exogenous inputs).
    std::filesystem::path scenarioPath;
    if (scenarioOverride)
        scenarioPath = *scenarioOverride;
    else if (auto it = ctx.meta.find("scenario"); it != ctx.meta.end())
        scenarioPath = it->second;
    else
        return twin::makeError(twin::ErrorCode::InvalidArgument,
                               "no scenario recorded; pass --scenario FILE", rec);
    sim::ScenarioOptions so;
    if (const auto assets = assetsDir())
        so.ontology = bundledOntology(*assets);
    so.anchorsDir = anchors.empty() ? defaultAnchorsDir() : anchors;
    if (auto it = ctx.meta.find("overrides"); it != ctx.meta.end()) {
        const auto j = nlohmann::json::parse(it->second, nullptr, false);
        if (j.is_array())
            for (const auto& kv : j)
                if (kv.is_array() && kv.size() == 2 && kv[0].is_string() && kv[1].is_string())
                    so.overrides.emplace_back(kv[0].get<std::string>(), kv[1].get<std::string>());
    }
    auto scenario = sim::loadScenario(scenarioPath, so);
    if (!scenario)
        return twin::makeError(scenario.error().code,
                               "the recording's scenario: " + scenario.error().message,
                               scenario.error().where);
    ctx.scenario = std::move(scenario).value();
    ctx.policy = nlohmann::json::object();
    if (auto it = ctx.meta.find("policy_json"); it != ctx.meta.end()) {
        auto p = nlohmann::json::parse(it->second, nullptr, false);
        if (p.is_object())
            ctx.policy = std::move(p);
    }
    return ctx;
}

twin::Result<std::string> candidatePolicyJson(const nlohmann::json& recorded,
                                              const std::string& spec, const std::string& where)
{
    nlohmann::json policy = recorded.is_object() ? recorded : nlohmann::json::object();
    if (!spec.empty() && spec != "recorded") {
        const auto colon = spec.find(':');
        policy["name"] = spec.substr(0, colon);
        policy["params"] = nlohmann::json::object();
        if (colon != std::string::npos) {
            const auto params = nlohmann::json::parse(spec.substr(colon + 1), nullptr, false);
            if (!params.is_object())
                return twin::makeError(twin::ErrorCode::ParseError,
                                       spec + ": the parameters after ':' must be a JSON object, "
                                              "e.g. adaptive-conference:{\"vacancy_delay_s\":900}",
                                       where);
            policy["params"] = params;
        }
        policy.erase("fallback");
    }
    if (!policy.contains("name"))
        return twin::makeError(twin::ErrorCode::InvalidArgument,
                               "no policy recorded; name one (NAME or NAME:{params})", where);
    return policy.dump();
}

int runReplay(const ReplayOptions& options, CliIo& io)
{
    const auto wallStart = std::chrono::steady_clock::now();
    const std::string rec = options.recording.string();
    std::vector<policies::ProposedAction> recorded;
    {
        auto store = twin::ProjectStore::open(options.recording, twin::OpenMode::ReadOnly);
        if (!store)
            return failWith(io, store.error().toString());
        auto proposals = policies::recordedProposals(*store);
        if (!proposals)
            return failWith(io, proposals.error().toString());
        recorded = std::move(proposals).value();
    }
    auto ctx = loadRecordingContext(options.recording, options.scenario, options.anchors);
    if (!ctx)
        return failWith(io, ctx.error().toString());
    auto* scenario = &ctx->scenario;
    const std::string where = options.policy ? "--policy" : rec + ": policy_json";
    auto json = candidatePolicyJson(ctx->policy, options.policy.value_or("recorded"), where);
    if (!json)
        return failWith(io, json.error().toString());
    const std::string policyJson = *json;
    auto candidate = policies::createPolicy(policyJson, where, scenario->file.parent_path());
    if (!candidate)
        return failWith(io, candidate.error().toString());
    if (auto it = ctx->meta.find("recording");
        it != ctx->meta.end() && it->second == "policy-inputs" && scenario->building) {
        auto original = policies::createPolicy(ctx->policy.dump(), rec + ": policy_json",
                                               scenario->file.parent_path());
        if (!original)
            return failWith(io, original.error().toString());
        if (auto s = policies::checkLeanRecordingCovers(*scenario->building, (*original)->info(),
                                                        (*candidate)->info(), rec);
            !s)
            return failWith(io, s.error().toString());
    }
    auto fallback = policies::createFallbackPolicy(policyJson, where, scenario->file.parent_path());
    if (!fallback)
        return failWith(io, fallback.error().toString());
    auto settings = policies::loopSettings(policyJson, where);
    if (!settings)
        return failWith(io, settings.error().toString());

    auto source = policies::RecordedSource::open(options.recording);
    if (!source)
        return failWith(io, source.error().toString());
    const auto r0 = std::chrono::steady_clock::now();
    auto replayed =
        policies::replayOpenLoop(**source, **candidate, fallback->get(),
                                 policies::observationFor(*scenario), *settings, nullptr);
    if (!replayed)
        return failWith(io, replayed.error().toString());
    const double replayS =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - r0).count();
    const auto c = policies::compareProposals(recorded, replayed->proposals);
    const auto& st = replayed->stats;
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wallStart).count();

    if (options.json) {
        nlohmann::ordered_json j;
        j["recording"] = rec;
        j["candidate"] = {{"name", (*candidate)->info().id},
                          {"version", (*candidate)->info().version},
                          {"hash", (*candidate)->info().hash}};
        j["frames"] = (*source)->frameCount();
        j["decisions"] = st.decisions;
        j["events"] = st.events;
        j["fallbacks"] = st.fallbacks;
        j["recorded_actions"] = c.recorded;
        j["candidate_actions"] = c.candidate;
        j["matched"] = c.matched;
        j["agreement"] = c.agreement;
        nlohmann::ordered_json kinds = nlohmann::ordered_json::object();
        for (const auto& [kind, n] : c.byKind)
            kinds[kind] = {{"recorded", n[0]}, {"candidate", n[1]}, {"matched", n[2]}};
        j["by_kind"] = kinds;
        nlohmann::ordered_json targets = nlohmann::ordered_json::array();
        for (const auto& [target, n] : c.topTargets)
            targets.push_back({{"target", target}, {"unmatched", n}});
        j["top_targets"] = targets;
        if (c.firstDivergence)
            j["first_divergence"] = {{"time", sim::formatUtc(*c.firstDivergence)},
                                     {"recorded", c.recordedAtDivergence},
                                     {"candidate", c.candidateAtDivergence}};
        else
            j["first_divergence"] = nullptr;
        j["timing"] = {{"shifted_actions", c.shifted},
                       {"mean_shift_s", c.meanShiftS},
                       {"max_abs_shift_s", c.maxAbsShiftS}};
        j["replay_s"] = replayS;
        j["decisions_per_s"] = replayS > 0 ? static_cast<double>(st.decisions) / replayS : 0.0;
        j["wall_time_s"] = wall;
        io.out << j.dump(2) << '\n';
        return 0;
    }
    char line[256];
    io.out << "recording   " << rec << " (" << (*source)->frameCount() << " frames)\n"
           << "candidate   " << (*candidate)->info().id << " " << (*candidate)->info().version
           << " " << (*candidate)->info().hash.substr(0, 19) << "…\n";
    std::snprintf(line, sizeof line,
                  "decisions   %lld (%lld on events, %lld fallbacks) in %.2f s\n",
                  static_cast<long long>(st.decisions), static_cast<long long>(st.events),
                  static_cast<long long>(st.fallbacks), replayS);
    io.out << line;
    std::snprintf(line, sizeof line,
                  "agreement   %.1f %% (%lld of %lld recorded actions, candidate %lld)\n",
                  100.0 * c.agreement, static_cast<long long>(c.matched),
                  static_cast<long long>(c.recorded), static_cast<long long>(c.candidate));
    io.out << line;
    for (const auto& [kind, n] : c.byKind) {
        std::snprintf(line, sizeof line, "  %-12s recorded %6lld  candidate %6lld  matched %6lld\n",
                      kind.c_str(), static_cast<long long>(n[0]), static_cast<long long>(n[1]),
                      static_cast<long long>(n[2]));
        io.out << line;
    }
    if (c.firstDivergence) {
        io.out << "first divergence at " << sim::formatUtc(*c.firstDivergence) << '\n';
        for (const auto& a : c.recordedAtDivergence)
            io.out << "  recorded:  " << a << '\n';
        for (const auto& a : c.candidateAtDivergence)
            io.out << "  candidate: " << a << '\n';
        if (c.shifted > 0) {
            std::snprintf(line, sizeof line,
                          "timing      %lld actions proposed at another time: mean %+.0f s, "
                          "max |%.0f| s\n",
                          static_cast<long long>(c.shifted), c.meanShiftS, c.maxAbsShiftS);
            io.out << line;
        }
        if (!c.topTargets.empty()) {
            io.out << "most different targets\n";
            for (const auto& [target, n] : c.topTargets)
                io.out << "  " << n << "  " << target << '\n';
        }
    } else {
        io.out << "identical: every recorded action, at the same time\n";
    }
    return 0;
}

} // namespace twindesk::app
