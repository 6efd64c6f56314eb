#pragma once
/// \file action.h
/// The typed actions a policy may emit and an ActuatorSink carries out. Every action reaches a
/// sink only through the control loop (guard → approval → act → log). The vocabulary lives in
/// sim/ because the simulator is one of the sinks; policies/ builds on it.

#include <twindesk/twin/result.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace twindesk::sim {

enum class ActionKind : std::uint8_t {
    SetSetpoint, ///< target: a setpoint point; value in the point's unit
    SetMode,     ///< target: equipment; text: the mode ("occupied", "unoccupied", "off", ...)
    Switch,      ///< target: equipment or command point; value 0 (off) or 1 (on)
    Dim,         ///< target: lighting; value 0..100 %
    MigrateVm,   ///< target: workload; destination: host
    PowerHost,   ///< target: compute host; value 0 (off) or 1 (on)
    Throttle,    ///< target: workload or host; value 0..100 % of its CPU cap
    PlaceVm,     ///< target: a workload not running yet; destination: the host to start it on;
                 ///< text: for a runtime workload (runtime.h) the runtime kind (empty: declared)
};

std::string_view actionKindName(ActionKind kind);
std::optional<ActionKind> parseActionKind(std::string_view name);

struct Action
{
    ActionKind kind = ActionKind::SetSetpoint;
    std::string target;      ///< entity id (IRI)
    double value = 0.0;      ///< meaning depends on kind (see ActionKind)
    std::string text;        ///< SetMode: the mode; PlaceVm: the runtime kind (optional)
    std::string destination; ///< MigrateVm, PlaceVm: the destination host id
    bool operator==(const Action&) const = default;
};

/// Checks an action against its kind's schema (finite values, ranges, required fields).
/// The error message names the action and the offending field.
twin::Status validateAction(const Action& action);

/// "SetSetpoint target=… value=21.5" — stable, used in logs and hashes.
std::string describeAction(const Action& action);

} // namespace twindesk::sim
