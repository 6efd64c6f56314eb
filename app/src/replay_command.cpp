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

#include <algorithm>
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

namespace {

/// A recording's frames with a progress report and a way out: ends the stream early when
/// cancelled (the loop then finishes its statistics as at the end of a recording).
class HookedSource : public sim::TelemetrySource
{
public:
    HookedSource(policies::RecordedSource& inner, const ReplayHooks& hooks)
        : m_inner(inner), m_hooks(hooks)
    {
    }
    twin::Result<bool> next(sim::TelemetryFrame& frame) override
    {
        if (m_hooks.cancel != nullptr && m_hooks.cancel->load()) {
            m_cancelled = true;
            return false;
        }
        if (m_hooks.progress)
            m_hooks.progress(m_done, m_inner.frameCount());
        auto more = m_inner.next(frame);
        if (more && *more)
            ++m_done;
        return more;
    }
    [[nodiscard]] sim::Seconds now() const override { return m_inner.now(); }
    [[nodiscard]] std::size_t done() const { return m_done; }
    [[nodiscard]] bool cancelled() const { return m_cancelled; }

private:
    policies::RecordedSource& m_inner;
    const ReplayHooks& m_hooks;
    std::size_t m_done = 0;
    bool m_cancelled = false;
};

} // namespace

twin::Result<CandidateReplay>
replayCandidate(const std::filesystem::path& recording, const std::string& spec,
                const std::string& where, const std::optional<std::filesystem::path>& scenarioPath,
                const std::filesystem::path& anchors, const ReplayHooks& hooks)
{
    const std::string rec = recording.string();
    CandidateReplay out;
    {
        auto store = twin::ProjectStore::open(recording, twin::OpenMode::ReadOnly);
        if (!store)
            return store.error();
        auto proposals = policies::recordedProposals(*store);
        if (!proposals)
            return proposals.error();
        out.recorded = std::move(proposals).value();
    }
    auto ctx = loadRecordingContext(recording, scenarioPath, anchors);
    if (!ctx)
        return ctx.error();
    auto* scenario = &ctx->scenario;
    const bool named = !spec.empty() && spec != "recorded";
    const std::string policyWhere = named ? where : rec + ": policy_json";
    auto json = candidatePolicyJson(ctx->policy, spec, policyWhere);
    if (!json)
        return json.error();
    const std::string policyJson = *json;
    auto candidate = policies::createPolicy(policyJson, policyWhere, scenario->file.parent_path());
    if (!candidate)
        return candidate.error();
    if (auto it = ctx->meta.find("recording");
        it != ctx->meta.end() && it->second == "policy-inputs" && scenario->building) {
        auto original = policies::createPolicy(ctx->policy.dump(), rec + ": policy_json",
                                               scenario->file.parent_path());
        if (!original)
            return original.error();
        if (auto s = policies::checkLeanRecordingCovers(*scenario->building, (*original)->info(),
                                                        (*candidate)->info(), rec);
            !s)
            return s.error();
    }
    auto fallback =
        policies::createFallbackPolicy(policyJson, policyWhere, scenario->file.parent_path());
    if (!fallback)
        return fallback.error();
    auto settings = policies::loopSettings(policyJson, policyWhere);
    if (!settings)
        return settings.error();

    auto source = policies::RecordedSource::open(recording);
    if (!source)
        return source.error();
    HookedSource hooked(**source, hooks);
    const auto r0 = std::chrono::steady_clock::now();
    auto replayed =
        policies::replayOpenLoop(hooked, **candidate, fallback->get(),
                                 policies::observationFor(*scenario), *settings, nullptr);
    if (!replayed)
        return replayed.error();
    out.replayS = std::chrono::duration<double>(std::chrono::steady_clock::now() - r0).count();
    const auto& info = (*candidate)->info();
    out.candidateId = info.id;
    out.candidateVersion = info.version;
    out.candidateHash = info.hash;
    out.frames = (*source)->frameCount();
    out.replayed = hooked.done();
    out.cancelled = hooked.cancelled();
    out.stats = replayed->stats;
    out.candidate = std::move(replayed->proposals);
    out.comparison = policies::compareProposals(out.recorded, out.candidate);
    return out;
}

std::vector<ReplayRound> replayRounds(const std::vector<policies::ProposedAction>& recorded,
                                      const std::vector<policies::ProposedAction>& candidate)
{
    std::map<sim::Seconds, ReplayRound> byTime;
    for (const auto& a : recorded)
        byTime[a.time].recorded.push_back(a.action);
    for (const auto& a : candidate)
        byTime[a.time].candidate.push_back(a.action);
    std::vector<ReplayRound> out;
    out.reserve(byTime.size());
    for (auto& [time, round] : byTime) {
        round.time = time;
        std::sort(round.recorded.begin(), round.recorded.end());
        std::sort(round.candidate.begin(), round.candidate.end());
        round.agree = round.recorded == round.candidate;
        out.push_back(std::move(round));
    }
    return out;
}

int runReplay(const ReplayOptions& options, CliIo& io)
{
    const auto wallStart = std::chrono::steady_clock::now();
    const std::string rec = options.recording.string();
    auto replayed = replayCandidate(options.recording, options.policy.value_or("recorded"),
                                    "--policy", options.scenario, options.anchors);
    if (!replayed)
        return failWith(io, replayed.error().toString());
    const double replayS = replayed->replayS;
    const auto& c = replayed->comparison;
    const auto& st = replayed->stats;
    const std::size_t frames = replayed->frames;
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wallStart).count();

    if (options.json) {
        nlohmann::ordered_json j;
        j["recording"] = rec;
        j["candidate"] = {{"name", replayed->candidateId},
                          {"version", replayed->candidateVersion},
                          {"hash", replayed->candidateHash}};
        j["frames"] = frames;
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
    io.out << "recording   " << rec << " (" << frames << " frames)\n"
           << "candidate   " << replayed->candidateId << " " << replayed->candidateVersion << " "
           << replayed->candidateHash.substr(0, 19) << "…\n";
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
