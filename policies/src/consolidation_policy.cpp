#include <twindesk/policies/consolidation_policy.h>
#include <twindesk/policies/decision_log.h>

#include <mutex>
#include <sstream>

namespace twindesk::policies {

namespace {

std::mutex& loaderMutex()
{
    static std::mutex m;
    return m;
}

PredictorLoader& loaderSlot()
{
    static PredictorLoader loader;
    return loader;
}

} // namespace

void setPredictorLoader(PredictorLoader loader)
{
    const std::lock_guard lock(loaderMutex());
    loaderSlot() = std::move(loader);
}

twin::Result<std::shared_ptr<const UtilisationPredictor>>
loadUtilisationPredictor(const std::filesystem::path& model)
{
    PredictorLoader loader;
    {
        const std::lock_guard lock(loaderMutex());
        loader = loaderSlot();
    }
    if (!loader)
        return twin::makeError(twin::ErrorCode::InvalidArgument,
                               "this build has no model runtime (LibTorch) to load '" +
                                   model.string() + "'");
    return loader(model);
}

twin::Result<std::unique_ptr<ConsolidationPolicy>>
ConsolidationPolicy::make(const ConsolidationPolicyParams& params)
{
    std::unique_ptr<ConsolidationPolicy> policy(new ConsolidationPolicy());
    if (params.period <= 0)
        return twin::makeError(twin::ErrorCode::InvalidArgument,
                               "consolidation: the period must be > 0 s");
    const bool npa = params.algorithm == "NPA" || params.algorithm == "npa";
    const bool dvfs = params.algorithm == "DVFS" || params.algorithm == "dvfs";
    std::string identity;
    if (npa || dvfs) {
        policy->m_baseline = true;
        identity = npa ? "NPA" : "DVFS";
    } else {
        auto config = ConsolidationConfig::parse(params.algorithm);
        if (!config)
            return config.error();
        policy->m_config = *config;
        policy->m_config.seed = params.seed;
        policy->m_config.idleHosts =
            params.switchOffIdleHosts ? IdleHosts::SwitchOff : IdleHosts::KeepOn;
        identity = policy->m_config.name();
        if (policy->m_config.detector == OverloadDetector::Ml) {
            if (params.model.empty())
                return twin::makeError(twin::ErrorCode::InvalidArgument,
                                       "consolidation: the ML detector needs a 'model' file");
            auto predictor = loadUtilisationPredictor(params.model);
            if (predictor) {
                policy->m_config.predictor = *predictor;
                identity += " model=" + (*predictor)->identity();
            } else {
                policy->m_modelError = "model '" + params.model.string() +
                                       "' could not be loaded: " + predictor.error().message;
                identity += " model=" + params.model.filename().string() + " (not loaded)";
            }
        } else if (!params.model.empty()) {
            return twin::makeError(twin::ErrorCode::InvalidArgument,
                                   "consolidation: 'model' belongs to an ML detector, not " +
                                       identity);
        }
    }
    std::ostringstream canonical;
    canonical << "consolidation|" << identity << "|seed=" << params.seed
              << "|idle=" << (params.switchOffIdleHosts ? "off" : "on")
              << "|period=" << params.period;
    auto hash = sha256Hex(canonical.str());
    if (!hash)
        return hash.error();
    auto& info = policy->m_info;
    info.id = "consolidation";
    info.version = "1.0.0";
    info.hash = "sha256:" + *hash;
    info.period = params.period;
    if (!policy->m_baseline)
        info.emits = {ActionKind::PlaceVm, ActionKind::MigrateVm, ActionKind::PowerHost};
    return policy;
}

twin::Result<std::vector<Action>> ConsolidationPolicy::decide(const Observation& observation)
{
    std::vector<Action> actions;
    if (m_baseline)
        return actions;
    const sim::ComputeCluster* view = observation.compute();
    if (view == nullptr)
        return twin::makeError(twin::ErrorCode::InvalidArgument,
                               "consolidation: the telemetry source provides no compute view "
                               "(hosts and VMs)");
    if (!m_modelError.empty())
        return twin::makeError(twin::ErrorCode::InvalidArgument, "consolidation: " + m_modelError);

    // VMs not running yet: PABFD on a copy, one PlaceVm each (any order fits: placements only
    // add up to the copy's final state).
    bool unplaced = false;
    for (std::size_t j = 0; j < view->vmCount() && !unplaced; ++j)
        unplaced = view->vmHost(j) == sim::kNoHost;
    if (unplaced) {
        sim::ComputeCluster copy = *view;
        auto placed = placePabfd(copy, m_config);
        if (!placed)
            return placed.error();
        m_lastPlan = {};
        // Host by host, each in the order PABFD placed its VMs: the simulator's hosts then
        // hold their VMs in the same order (selection breaks ties by it).
        for (std::size_t h = 0; h < copy.hostCount(); ++h)
            for (const std::uint32_t j : copy.hostVms(h)) {
                if (view->vmHost(j) != sim::kNoHost)
                    continue;
                Action a;
                a.kind = ActionKind::PlaceVm;
                a.target = view->vmSpec(j).id;
                a.destination = view->hostSpec(h).id;
                actions.push_back(std::move(a));
            }
        return actions;
    }

    m_lastPlan = planConsolidation(*view, m_config);
    if (m_lastPlan.predictorErrors > 0)
        return twin::makeError(twin::ErrorCode::InvalidArgument,
                               "consolidation: the model failed on " +
                                   std::to_string(m_lastPlan.predictorErrors) +
                                   " host decision(s), first " + m_lastPlan.firstPredictorError);
    return std::move(m_lastPlan.actions);
}

} // namespace twindesk::policies
