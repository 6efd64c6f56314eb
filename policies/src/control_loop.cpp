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
    ++m_stats.decisions;
    m_stats.latency.observeUs.push_back(m_observeUs);

    auto ask = [this](Policy& p, std::string& failure) -> std::vector<Action> {
        try {
            auto decided = p.decide(m_observation);
            if (decided)
                return std::move(decided).value();
            failure = decided.error().toString();
        } catch (const std::exception& e) {
            failure = std::string("policy threw: ") + e.what();
        } catch (...) {
            failure = "policy threw a non-standard exception";
        }
        return {};
    };
    const auto t0 = Clock::now();
    std::string failure;
    auto actions = ask(m_policy, failure);
    const double decideUs = micros(t0, Clock::now());
    m_stats.latency.decideUs.push_back(decideUs);
    if (failure.empty())
        return act(m_policy, actions, decideUs, {});

    ++m_stats.policyErrors;
    if (m_fallback != nullptr) {
        std::string fallbackFailure;
        auto safe = ask(*m_fallback, fallbackFailure);
        if (fallbackFailure.empty()) {
            ++m_stats.fallbacks;
            return act(*m_fallback, safe, decideUs,
                       "fallback after " + m_policy.info().id + ": " + failure);
        }
        failure += "; fallback " + m_fallback->info().id + " failed too: " + fallbackFailure;
    }
    if (m_log == nullptr)
        return {};
    DecisionRecord r;
    r.timeMs = m_observation.time() * 1000;
    r.policyId = m_policy.info().id;
    r.policyVersion = m_policy.info().version;
    r.policyHash = m_policy.info().hash;
    r.modelHash = m_modelHash;
    r.verdict = "fallback: no action (" + failure + ")";
    r.latency = "{\"decide\":" + fmt(decideUs) + "}";
    return m_log->append(std::move(r));
}

twin::Status ControlLoop::act(const Policy& by, const std::vector<Action>& actions, double decideUs,
                              const std::string& note)
{
    const auto& info = by.info();
    for (const auto& action : actions) {
        ++m_stats.proposed;
        const auto g0 = Clock::now();
        const auto checked = m_guard.check(action, m_observation.time(), info.emits,
                                           m_observation.value(action.target));
        const auto g1 = Clock::now();
        std::string verdict(verdictName(checked.verdict));
        if (!checked.rule.empty())
            verdict += " (" + checked.rule + "): " + checked.reason;
        if (!note.empty())
            verdict += " [" + note + "]";
        std::string applied;
        if (checked.verdict != Verdict::Rejected) {
            if (auto s = m_sink.submit(checked.action); s) {
                applied = sim::describeAction(checked.action);
                m_guard.applied(checked.action, m_observation.time());
                ++m_stats.applied;
                if (checked.verdict == Verdict::Modified)
                    ++m_stats.modified;
            } else {
                verdict = "rejected by the sink: " + s.error().message;
                ++m_stats.rejected;
            }
        } else {
            ++m_stats.rejected;
        }
        const auto g2 = Clock::now();
        const double guardUs = micros(g0, g1);
        const double actUs = micros(g1, g2);
        m_stats.latency.guardUs.push_back(guardUs);
        m_stats.latency.actUs.push_back(actUs);
        if (m_log == nullptr)
            continue;
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
        r.proposed = sim::describeAction(action);
        r.verdict = verdict;
        r.approval = applied.empty() ? "" : "auto";
        r.applied = applied;
        r.latency = "{\"observe\":" + fmt(m_observeUs) + ",\"decide\":" + fmt(decideUs) +
                    ",\"guard\":" + fmt(guardUs) + ",\"act\":" + fmt(actUs) + "}";
        if (auto s = m_log->append(std::move(r)); !s)
            return s;
        m_stats.latency.logUs.push_back(micros(l0, Clock::now()));
    }
    return {};
}

} // namespace twindesk::policies
