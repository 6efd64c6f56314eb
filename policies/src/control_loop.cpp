#include <twindesk/policies/control_loop.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <string>

namespace twindesk::policies {

namespace {

using Clock = std::chrono::steady_clock;

double micros(Clock::time_point a, Clock::time_point b)
{
    return std::chrono::duration<double, std::micro>(b - a).count();
}

std::string fmt(double us)
{
    return std::to_string(static_cast<long long>(std::llround(us)));
}

} // namespace

double percentile(std::vector<double> samples, double p)
{
    if (samples.empty())
        return 0.0;
    std::sort(samples.begin(), samples.end());
    const auto rank =
        static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(samples.size())));
    return samples[std::min(samples.size() - 1, rank == 0 ? 0 : rank - 1)];
}

ControlLoop::ControlLoop(sim::TelemetrySource& source, sim::ActuatorSink& sink, Policy& policy,
                         Observation observation, DecisionLog* log, std::string modelHash)
    : m_source(source), m_sink(sink), m_policy(policy), m_observation(std::move(observation)),
      m_log(log), m_modelHash(std::move(modelHash))
{
}

twin::Result<bool> ControlLoop::step()
{
    sim::TelemetryFrame frame;
    const auto t0 = Clock::now();
    auto more = m_source.next(frame);
    if (!more)
        return more.error();
    if (!*more)
        return false;
    m_observation.update(frame);
    m_observeUs = micros(t0, Clock::now());
    ++m_stats.frames;
    if (!m_started) {
        m_nextDecision = frame.time;
        m_started = true;
    }
    if (frame.time >= m_nextDecision) {
        if (auto s = decideAndAct(); !s)
            return s.error();
        while (m_nextDecision <= frame.time)
            m_nextDecision += m_policy.info().period;
    }
    return true;
}

twin::Status ControlLoop::run()
{
    while (true) {
        auto more = step();
        if (!more)
            return more.error();
        if (!*more)
            break;
    }
    if (m_log != nullptr)
        return m_log->flush();
    return {};
}

twin::Status ControlLoop::decideAndAct()
{
    const auto& info = m_policy.info();
    ++m_stats.decisions;
    m_stats.latency.observeUs.push_back(m_observeUs);

    const auto t0 = Clock::now();
    twin::Result<std::vector<Action>> decided = std::vector<Action>{};
    std::string failure;
    try {
        decided = m_policy.decide(m_observation);
        if (!decided)
            failure = decided.error().toString();
    } catch (const std::exception& e) {
        failure = std::string("policy threw: ") + e.what();
    } catch (...) {
        failure = "policy threw a non-standard exception";
    }
    const auto t1 = Clock::now();
    const double decideUs = micros(t0, t1);
    m_stats.latency.decideUs.push_back(decideUs);

    auto logRow = [&](const std::string& proposed, const std::string& verdict,
                      const std::string& applied, double guardUs, double actUs) -> twin::Status {
        if (m_log == nullptr)
            return {};
        const auto l0 = Clock::now();
        DecisionRecord r;
        r.timeMs = m_observation.time() * 1000;
        r.policyId = info.id;
        r.policyVersion = info.version;
        r.policyHash = info.hash;
        r.modelHash = m_modelHash;
        r.inputs = "{\"t\":" + std::to_string(m_observation.time()) +
                   ",\"points\":" + std::to_string(m_observation.pointCount()) +
                   R"(,"ref":"historian"})";
        r.proposed = proposed;
        r.verdict = verdict;
        r.approval = verdict == "accepted" ? "auto" : "";
        r.applied = applied;
        r.latency = "{\"observe\":" + fmt(m_observeUs) + ",\"decide\":" + fmt(decideUs) +
                    ",\"guard\":" + fmt(guardUs) + ",\"act\":" + fmt(actUs) + "}";
        auto s = m_log->append(std::move(r));
        m_stats.latency.logUs.push_back(micros(l0, Clock::now()));
        return s;
    };

    if (!failure.empty()) {
        ++m_stats.policyErrors;
        return logRow("", "fallback: " + failure, "", 0.0, 0.0);
    }
    for (const auto& action : *decided) {
        ++m_stats.proposed;
        const auto g0 = Clock::now();
        // Checks every action must pass: its schema, and a kind the policy declared.
        std::string verdict = "accepted";
        if (auto v = sim::validateAction(action); !v)
            verdict = "rejected: " + v.error().message;
        else if (std::find(info.emits.begin(), info.emits.end(), action.kind) == info.emits.end())
            verdict = "rejected: " + std::string(sim::actionKindName(action.kind)) +
                      " is not among the kinds " + info.id + " declares";
        const auto g1 = Clock::now();
        std::string applied;
        if (verdict == "accepted") {
            if (auto s = m_sink.submit(action); s) {
                applied = sim::describeAction(action);
                ++m_stats.applied;
            } else {
                verdict = "rejected by the sink: " + s.error().message;
                ++m_stats.rejected;
            }
        } else {
            ++m_stats.rejected;
        }
        const auto g2 = Clock::now();
        m_stats.latency.guardUs.push_back(micros(g0, g1));
        m_stats.latency.actUs.push_back(micros(g1, g2));
        if (auto s = logRow(sim::describeAction(action), verdict, applied, micros(g0, g1),
                            micros(g1, g2));
            !s)
            return s;
    }
    return {};
}

} // namespace twindesk::policies
