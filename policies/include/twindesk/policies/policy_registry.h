#pragma once
/// \file policy_registry.h
/// The named policies a scenario can pick: `"policy": {"name": "fixed-schedule", "params": {...}}`.
/// Parameters are validated; errors name the key and say what is expected.

#include <twindesk/policies/policy.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace twindesk::policies {

struct PolicyDescription
{
    std::string name;
    std::string summary;
};

/// Every policy the registry can create, in name order.
std::vector<PolicyDescription> availablePolicies();

/// Creates a policy from a scenario's "policy" object (JSON text: {"name", "params"}).
/// `where` prefixes error locations (e.g. "office.json: /policy").
twin::Result<std::unique_ptr<Policy>> createPolicy(const std::string& policyJson,
                                                   const std::string& where);

} // namespace twindesk::policies
