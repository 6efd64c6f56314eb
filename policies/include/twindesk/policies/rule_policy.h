#pragma once
/// \file rule_policy.h
/// Declarative rule policies: a YAML (or JSON) file of rules with conditions over points,
/// time and the calendar, turned into typed actions. The format is documented with examples
/// in docs/rules.md; shipped examples live in assets/rules/.
///
/// A rule applies to each instance of its scope (every room matching a use or an id list, or
/// every listed point). Per instance it evaluates its `when` condition to true, false or
/// unknown (a point with no value, a room the calendar does not know), holds the result for
/// `min_dwell`, and asks for the `then` actions while true and the `else` actions while false.
/// An unknown result changes nothing and asks for nothing.
///
/// Determinism: all state (`for:` timers, hysteresis latches, dwell) is kept per
/// rule × scope instance inside the policy and depends only on the observation times and
/// values, never on the wall clock. If an observation's time goes backwards the state is reset
/// (a new run). Rules are evaluated in file order; when two rules target the same point in one
/// round the earlier rule wins. A SetSetpoint/Dim/Switch is emitted only when the observed
/// value of its target differs from the wanted one; a SetMode (no observable value) once each
/// time the rule enters the branch that asks for it.
///
/// Errors: parsing refuses anything it does not understand with a twin::Error whose `where` is
/// "<file>:<line>:<column>" (1-based) and whose message names the problem and what is
/// expected. decide() fails (and the loop falls back) when the model does not fit the rules: a
/// calendar condition without Bookings attached, an id the twin does not know, a unit that does
/// not convert; its `where` points at the rule in the file. A failed decide() leaves the state
/// as it was before the call.
/// Thread affinity: as every Policy, used by one loop on one thread.

#include <twindesk/policies/policy.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace twindesk::policies {

class RulePolicy : public Policy
{
public:
    ~RulePolicy() override;

    /// Reads and parses a rule file. A missing or unreadable file is an error naming the path;
    /// error locations use the path as given.
    static twin::Result<std::unique_ptr<RulePolicy>> load(const std::filesystem::path& file);
    /// Parses rule text. `name` is used in error locations as the file name.
    static twin::Result<std::unique_ptr<RulePolicy>> parse(std::string_view text, std::string name);

    /// id "rules:<policy>", version from the file, hash "sha256:<hex of the file's bytes>",
    /// period from the file (default 5 min), emits = the action kinds the rules use, reads =
    /// the point roles (and full point IRIs) the conditions read.
    [[nodiscard]] const PolicyInfo& info() const override { return m_info; }
    twin::Result<std::vector<Action>> decide(const Observation& observation) override;

    /// The rule names, in file order.
    [[nodiscard]] std::vector<std::string> ruleNames() const;

private:
    struct Impl;
    RulePolicy();
    std::unique_ptr<Impl> m_impl;
    PolicyInfo m_info;
};

} // namespace twindesk::policies
