#pragma once
/// \file telemetry.h
/// The two interfaces every telemetry source plugs into: one control loop, three sources.
///
/// A TelemetrySource yields frames: all samples of one instant, in time order. The simulator,
/// a recording (replay) and a live broker each implement it. An ActuatorSink accepts actions:
/// the simulator applies them at the start of its next step; a live sink publishes them.
/// Point ids are the twin's entity ids (IRIs), so a policy reads and acts on the same names
/// whichever source is attached.

#include <twindesk/sim/action.h>
#include <twindesk/sim/sim_time.h>
#include <twindesk/twin/result.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace twindesk::sim {

class ComputeCluster;
class RuntimeFleet;

/// One value of one point. `quality` false marks a sample known to be bad (sensor fault,
/// stale, NaN from a device) — kept, not dropped, so gaps stay visible.
struct PointSample
{
    std::string point; ///< point entity id (IRI)
    double value = 0.0;
    bool quality = true;
};

/// All samples of one instant.
struct TelemetryFrame
{
    Seconds time = 0;
    std::vector<PointSample> samples;
};

class TelemetrySource
{
public:
    virtual ~TelemetrySource() = default;
    TelemetrySource() = default;
    TelemetrySource(const TelemetrySource&) = delete;
    TelemetrySource& operator=(const TelemetrySource&) = delete;
    TelemetrySource(TelemetrySource&&) = delete;
    TelemetrySource& operator=(TelemetrySource&&) = delete;

    /// Fills `frame` with the next instant's samples. Returns false at the end of the stream
    /// (or an Error when the source failed: broker down, corrupt recording).
    virtual twin::Result<bool> next(TelemetryFrame& frame) = 0;
    /// The time of the last frame returned (or the start time before the first).
    [[nodiscard]] virtual Seconds now() const = 0;
    /// The compute hosts and their workloads as the source knows them at now() — placement,
    /// demand, utilisation histories — for policies that plan over a whole cluster (VM
    /// consolidation); null when the source has none. It may be the source's live object:
    /// valid and unchanged only until the next call to next() (the loop hands a policy that
    /// decides on another thread a copy).
    [[nodiscard]] virtual std::shared_ptr<const ComputeCluster> computeView() const
    {
        return nullptr;
    }
    /// The virtualization runtimes (runtime.h) at now(): workload phases, services, meeting
    /// needs; null when the source has none. Same validity as computeView().
    [[nodiscard]] virtual std::shared_ptr<const RuntimeFleet> runtimeView() const
    {
        return nullptr;
    }
};

class ActuatorSink
{
public:
    virtual ~ActuatorSink() = default;
    ActuatorSink() = default;
    ActuatorSink(const ActuatorSink&) = delete;
    ActuatorSink& operator=(const ActuatorSink&) = delete;
    ActuatorSink(ActuatorSink&&) = delete;
    ActuatorSink& operator=(ActuatorSink&&) = delete;

    /// Accepts an action for execution. An Error says why it cannot be carried out (unknown
    /// target, wrong kind for the target, host still running VMs, ...); nothing is applied.
    virtual twin::Status submit(const Action& action) = 0;
    /// Workloads (VMs, containers) running on or migrating onto compute host `host` now, for
    /// the guard's "never power off a host that still runs workloads"; nullopt when the sink
    /// does not know the host (the guard then refuses to power it off).
    [[nodiscard]] virtual std::optional<int> workloadsOn(const std::string& host) const
    {
        (void)host;
        return std::nullopt;
    }
};

} // namespace twindesk::sim
