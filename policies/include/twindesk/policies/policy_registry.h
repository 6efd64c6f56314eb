#pragma once
/// \file policy_registry.h
/// The named policies a scenario can pick: `"policy": {"name": "fixed-schedule", "params": {...}}`.
/// Parameters are validated; errors name the key and say what is expected.

#include <twindesk/policies/approval_gate.h>
#include <twindesk/policies/policy.h>
#include <twindesk/policies/safety_guard.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace twindesk::policies {

/// One parameter of a policy's "params": what an editor needs to offer it (the console's
/// what-if view builds its policy form from these).
struct PolicyParameter
{
    std::string name;
    /// "number", "integer", "seconds" (whole seconds >= 0), "boolean", "text", "choice" (one of
    /// `choices`), "uses" (an array of room uses) or "file" (a path, relative to the scenario).
    std::string type;
    std::string defaultJson; ///< the default as JSON text ("21", "true", "[]"); "": required
    std::string unit;        ///< "°C", "K/h", "s", "h" or ""
    std::vector<std::string> choices;
};

struct PolicyDescription
{
    std::string name;
    std::string summary;
    std::vector<PolicyParameter> params; ///< in the order the summary names them
};

/// Every policy the registry can create (the order is not significant).
std::vector<PolicyDescription> availablePolicies();

/// Creates a policy from a scenario's "policy" object (JSON text: {"name", "params",
/// "guard", "approvals", "timeout_ms", "fallback"}). `where` prefixes error locations (e.g.
/// "office.json: /policy"); relative file parameters (the rules policy's "file") are resolved
/// against `baseDir` (the scenario's folder).
twin::Result<std::unique_ptr<Policy>> createPolicy(const std::string& policyJson,
                                                   const std::string& where,
                                                   const std::filesystem::path& baseDir = {});

/// The loop's fallback for the same "policy" object: its "fallback" object (a policy of its
/// own, created like createPolicy; null for no fallback), or by default the fixed-schedule
/// BMS baseline — none for fixed-schedule itself — and LR-MMT-1.2 for consolidation.
twin::Result<std::unique_ptr<Policy>>
createFallbackPolicy(const std::string& policyJson, const std::string& where,
                     const std::filesystem::path& baseDir = {});

/// The shadow of the same "policy" object: its "shadow" object (a policy that decides beside
/// the active one and is only logged and compared, ControlLoop::setShadow); null without one.
twin::Result<std::unique_ptr<Policy>> createShadowPolicy(const std::string& policyJson,
                                                         const std::string& where,
                                                         const std::filesystem::path& baseDir = {});

/// How the control loop runs a policy: its guard, approvals and decision timeout, from the
/// same "policy" object ("guard": {...}, "approvals": {...}, "timeout_ms": N). Keys are
/// documented in docs/scenarios.md; unknown keys are errors naming the path.
struct LoopSettings
{
    static ApprovalConfig autoApproving()
    {
        ApprovalConfig c;
        c.autoApprove = true;
        return c;
    }
    GuardConfig guard;
    /// Simulation runs approve high-impact actions automatically unless told otherwise.
    ApprovalConfig approvals = autoApproving();
    /// decide() longer than this falls back (0: no limit).
    std::int64_t timeoutMs = 0;
};
twin::Result<LoopSettings> loopSettings(const std::string& policyJson, const std::string& where);

} // namespace twindesk::policies
