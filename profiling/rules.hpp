#pragma once

#include "features.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

/// Declarative rule sets: JSON files that give points to containers whose features meet a
/// condition, with a reason an officer can read. The format is documented in docs/rules.md.
namespace portscreen::profiling {

/// A rule set that cannot be used. `what()` lists every problem found, one per line, each as
/// "SOURCE:LINE: POINTER: message" ("default.json:41: rules/3/when/feature: unknown feature
/// 'consigne.times_seen' (did you mean 'consignee.times_seen'?)").
class RuleSetError : public std::runtime_error {
public:
    explicit RuleSetError(std::vector<std::string> problems);
    const std::vector<std::string>& problems() const noexcept { return problems_; }

private:
    std::vector<std::string> problems_;
};

/// One rule that held for a container.
struct RuleHit {
    std::size_t rule = 0; ///< index in the rule set
    double points = 0;    ///< the rule's weight
    std::string reason;   ///< the rule's reason with its placeholders filled
};

/// A parsed and compiled rule set: feature names resolved to catalogue indices, lists sorted,
/// reasons split into text and placeholders. Immutable; copies share the compiled rules, and one
/// instance may be evaluated from many threads at once.
class RuleSet {
public:
    /// Parses and checks a rule set; `source_name` (a file name) prefixes the error messages.
    /// Throws RuleSetError naming every problem with its line.
    static RuleSet parse(std::string_view json_text, std::string_view source_name);

    const std::string& name() const;
    int version() const;
    const std::string& description() const;
    /// The most points the learned model may add to a score or take from it; 0 (no model
    /// points) when the set does not say.
    double model_points() const;
    /// Points per unit of the model's log-odds against an average container (default 16).
    double model_points_per_log_odds() const;

    std::size_t size() const;
    const std::string& rule_id(std::size_t rule) const;
    double rule_weight(std::size_t rule) const;
    /// The reason as written, with its placeholders.
    const std::string& rule_reason(std::size_t rule) const;
    std::optional<std::size_t> find_rule(std::string_view id) const;

    /// Clears `hits` and adds one per rule whose condition holds, in rule order. `values` must
    /// come from `derive_features`. Allocates only for the reasons of the rules that hit.
    void evaluate(const FeatureValues& values, std::vector<RuleHit>& hits) const;

    /// The text that was parsed, byte for byte, for storing each version of a rule set.
    const std::string& source_text() const;

private:
    friend class RuleSetCompiler;
    struct Compiled;
    explicit RuleSet(std::shared_ptr<const Compiled> compiled);
    std::shared_ptr<const Compiled> compiled_;
};

/// A feature value as reasons show it: numbers with sensible precision ("3", "12.5", "0.25",
/// "12450"), flags as "yes" or "no", lists joined by ", ", unknown values as "unknown".
std::string format_feature_value(const FeatureValues& values, std::size_t feature);

/// A number as reasons show it: whole numbers without decimals, otherwise two significant
/// decimals below 10, one below 100 and none above; NaN as "unknown".
std::string format_number(double value);

} // namespace portscreen::profiling
