#pragma once
/// \file meeting_compute_policy.h
/// Meeting-aware compute (issue #10 §3, docs/runtimes.md) and its baseline.
///
/// `meeting-compute` reads the runtime fleet (Observation::runtimes(): services, workloads,
/// the flagged meetings' needs, warm pools) and every period, for every service:
///  - **provisions** its workload early enough to be Running at the next known need's start:
///    lead = the chosen kind's start-up quantile `lead_quantile` (warm when its host's pool of
///    that kind has an idle instance, else cold) + one period. The kind is chosen among those
///    whose isolation class is at least the service's, that can hold the workload's GPUs and
///    vCPUs: the cheapest whose lead fits the time left, else the fastest (PlaceVm, text = kind).
///  - reports a meeting **booked too late** to prepare — booked (CREATED) after its latest
///    provisioning moment, start − lead of the fastest eligible kind — once, as a decision-log
///    note, and provisions it at once anyway;
///  - **throttles** (Throttle to `batch_throttle_pct`) or **moves** (MigrateVm to `batch_host`)
///    the batch workloads on the hosts of services whose meetings run (from one period before
///    the start), and restores the throttle after; critical workloads are the guard's to refuse;
///  - **tears down** a service's workload (Switch 0) `teardown_delay_s` after its last need
///    ended, unless the next one is due within its lead time plus the delay.
/// Everything goes through the control loop: guard (critical-workload rule), approval gate
/// (gpu-instance rule) and decision log.
///
/// `always-on-compute` is the baseline: it starts every stopped service workload as declared
/// and never throttles, moves or stops anything.
/// Deterministic: decisions depend on the observation only.

#include <twindesk/policies/policy.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace twindesk::sim {
class RuntimeFleet;
}

namespace twindesk::policies {

struct MeetingComputeParams
{
    double leadQuantile = 0.99;
    Seconds period = 60;
    Seconds teardownDelay = 300;
    double batchThrottlePct = 20.0;
    std::string batchHost; ///< non-empty: move batch work there instead of throttling
};

/// The chosen runtime kind and its lead time for one service workload.
struct KindChoice
{
    twin::WorkloadType kind = twin::WorkloadType::None; ///< None: no kind qualifies
    double leadS = 0.0;                                 ///< quantile start-up + period
    std::string why;                                    ///< when None: what rules everything out
};

/// Chooses the runtime for service `service` given `timeLeftS` until it must run (see the file
/// comment). Pure; exposed for tests.
KindChoice chooseRuntime(const sim::RuntimeFleet& fleet, std::size_t service, double timeLeftS,
                         double quantile, Seconds period);

class MeetingComputePolicy : public Policy
{
public:
    static twin::Result<std::unique_ptr<MeetingComputePolicy>> make(MeetingComputeParams params);
    [[nodiscard]] const PolicyInfo& info() const override { return m_info; }
    twin::Result<std::vector<Action>> decide(const Observation& observation) override;
    std::vector<std::string> takeNotes() override;

    /// Meetings reported as booked too late to prepare (by title@start), so far.
    [[nodiscard]] const std::set<std::string>& tooLate() const { return m_tooLate; }

private:
    explicit MeetingComputePolicy(MeetingComputeParams params) : m_params(std::move(params)) {}
    MeetingComputeParams m_params;
    PolicyInfo m_info;
    std::set<std::size_t> m_seenNeeds;
    std::set<std::string> m_tooLate;
    std::vector<std::string> m_notes;
};

class AlwaysOnComputePolicy : public Policy
{
public:
    /// `period`: how often it checks that every service workload runs, s.
    explicit AlwaysOnComputePolicy(Seconds period = 300);
    [[nodiscard]] const PolicyInfo& info() const override { return m_info; }
    twin::Result<std::vector<Action>> decide(const Observation& observation) override;

private:
    PolicyInfo m_info;
};

} // namespace twindesk::policies
