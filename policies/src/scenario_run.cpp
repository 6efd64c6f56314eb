#include <twindesk/policies/fixed_schedule_policy.h>
#include <twindesk/policies/policy_registry.h>
#include <twindesk/policies/room_context.h>
#include <twindesk/policies/scenario_run.h>
#include <twindesk/sim/weather.h>

#include <nlohmann/json.hpp>

namespace twindesk::policies {

/// The loop sees the engine through a one-frame source: ScenarioRun steps the engine, and when
/// the policy is due hands the loop the frame of that instant.
class ScenarioRun::FrameSource : public sim::TelemetrySource
{
public:
    explicit FrameSource(const sim::Engine& engine) : m_engine(engine) {}
    twin::Result<bool> next(sim::TelemetryFrame& frame) override
    {
        if (!m_pending)
            return false;
        m_engine.sample(frame);
        m_pending = false;
        return true;
    }
    [[nodiscard]] sim::Seconds now() const override { return m_engine.state().time; }
    [[nodiscard]] std::shared_ptr<const sim::ComputeCluster> computeView() const override
    {
        return m_engine.state().compute;
    }
    [[nodiscard]] std::shared_ptr<const sim::RuntimeFleet> runtimeView() const override
    {
        return m_engine.state().runtimes;
    }
    void arm() { m_pending = true; }

private:
    const sim::Engine& m_engine;
    bool m_pending = false;
};

Observation observationFor(const sim::Scenario& scenario)
{
    const auto& config = *scenario.config;
    const double tz = config.weather ? config.weather->location().timeZoneHours : 0.0;
    Observation observation(scenario.building, tz);
    observation.setBookings(ScheduleBookings::fromConfig(config));
    return observation;
}

ScenarioRun::~ScenarioRun() = default;

twin::Result<std::unique_ptr<ScenarioRun>> ScenarioRun::make(const sim::Scenario& scenario,
                                                             RunOptions options)
{
    std::unique_ptr<ScenarioRun> run(new ScenarioRun());
    run->m_name = scenario.name;
    const std::string policyJson =
        options.policyJson.empty() ? scenario.policyJson : options.policyJson;
    const std::string where =
        options.where.empty() ? scenario.file.string() + ": /policy" : options.where;
    if (!policyJson.empty()) {
        auto created = createPolicy(policyJson, where, scenario.file.parent_path());
        if (!created)
            return created.error();
        run->m_policy = std::move(created).value();
        const auto period = run->m_policy->info().period;
        if (period <= 0 || period % scenario.config->grid.step() != 0)
            return twin::makeError(twin::ErrorCode::InvalidArgument,
                                   "the policy period (" + std::to_string(period) +
                                       " s) is not a multiple of step_s (" +
                                       std::to_string(scenario.config->grid.step()) + " s)",
                                   where);
    }
    auto engine = sim::Engine::create(scenario.config);
    if (!engine)
        return engine.error();
    run->m_engine = std::move(engine).value();
    if (!run->m_policy)
        return run;

    Observation observation = observationFor(scenario);
    run->m_source = std::make_unique<FrameSource>(*run->m_engine);
    run->m_loop = std::make_unique<ControlLoop>(*run->m_source, *run->m_engine, *run->m_policy,
                                                std::move(observation), options.log, scenario.name);
    auto settings = loopSettings(policyJson, where);
    if (!settings)
        return settings.error();
    run->m_loop->setGuard(options.guard ? *options.guard : settings->guard);
    if (options.recorder != nullptr &&
        scenario.outputs.recording == sim::RecordingScope::PolicyInputs && scenario.building)
        options.recorder->keepOnly(policyInputPoints(*scenario.building, run->m_policy->info()));
    run->m_loop->setRecorder(options.recorder);
    if (settings->timeoutMs > 0)
        run->m_loop->setDecisionTimeout(std::chrono::milliseconds(settings->timeoutMs));
    ApprovalGate* gate = options.approvals;
    if (gate == nullptr) {
        auto memory = ApprovalGate::inMemory();
        if (!memory)
            return memory.error();
        run->m_ownGate.emplace(std::move(memory).value());
        gate = &*run->m_ownGate;
    }
    run->m_loop->setApprovals(gate, settings->approvals);
    auto shadow = createShadowPolicy(policyJson, where, scenario.file.parent_path());
    if (!shadow)
        return shadow.error();
    run->m_shadow = std::move(shadow).value();
    run->m_loop->setShadow(run->m_shadow.get());
    if (run->m_shadow) {
        // The KPI estimate: the shadow in charge of a twin of its own, stepped in lockstep.
        RunOptions twinOptions;
        twinOptions.policyJson = nlohmann::json::parse(policyJson)["shadow"].dump();
        twinOptions.where = where + "/shadow";
        twinOptions.fallbackToBaseline = options.fallbackToBaseline;
        auto twinRun = make(scenario, twinOptions);
        if (!twinRun)
            return twinRun.error();
        run->m_shadowTwin = std::move(twinRun).value();
    }
    if (options.fallbackToBaseline) {
        auto fallback = createFallbackPolicy(policyJson, where, scenario.file.parent_path());
        if (!fallback)
            return fallback.error();
        run->m_fallback = std::move(fallback).value();
        run->m_loop->setFallback(run->m_fallback.get());
    }
    return run;
}

bool ScenarioRun::finished() const
{
    return m_engine->finished();
}

twin::Status ScenarioRun::submit(const sim::Action& action)
{
    return m_engine->submit(action);
}

twin::Status ScenarioRun::decideIfDue()
{
    if (!m_loop)
        return {};
    // A policy with event triggers sees every step (the loop decides when due or when a
    // trigger point changed); one without sees only the instants its period falls on.
    const auto& c = m_engine->config();
    if (m_policy->info().triggers.empty() &&
        (m_engine->state().time - c.grid.start()) % m_policy->info().period != 0)
        return {};
    m_source->arm();
    if (auto s = m_loop->step(); !s)
        return twin::makeError(s.error().code, "control loop: " + s.error().message, m_name);
    return {};
}

twin::Status ScenarioRun::step()
{
    if (auto s = decideIfDue(); !s)
        return s;
    if (auto s = m_engine->step(); !s)
        return twin::makeError(s.error().code, s.error().message, m_name);
    if (m_shadowTwin)
        if (auto s = m_shadowTwin->step(); !s)
            return twin::makeError(s.error().code, "shadow twin: " + s.error().message,
                                   s.error().where);
    return {};
}

twin::Status ScenarioRun::run(const std::function<void(const sim::Engine&)>& progress)
{
    while (!finished()) {
        if (auto s = step(); !s)
            return s;
        if (progress)
            progress(*m_engine);
    }
    return {};
}

KpiReport ScenarioRun::kpis(const KpiScope& scope) const
{
    auto report = computeKpis(*m_engine, scope);
    if (m_loop)
        report.loop = loopKpis(m_loop->stats());
    return report;
}

std::optional<KpiReport> ScenarioRun::shadowKpis(const KpiScope& scope) const
{
    if (!m_shadowTwin)
        return std::nullopt;
    return m_shadowTwin->kpis(scope);
}

} // namespace twindesk::policies
