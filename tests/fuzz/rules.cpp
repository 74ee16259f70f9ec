// Rule set files as `RuleSet::parse` reads them (docs/rules.md). A set that parses is evaluated
// against a few synthetic containers (every feature unknown, zero, or set), so that conditions,
// list lookups and reason placeholders all run. Properties: a refusal names its problems; a hit
// names a rule of the set, carries its weight, and hits come in rule order.

#include "rules.hpp"
#include "fuzz_support.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace portscreen;

/// Feature values where every number is `number` and every list holds `codes`.
profiling::FeatureValues values_of(double number, const std::vector<std::string>& codes) {
    const auto catalog = profiling::feature_catalog();
    profiling::FeatureValues values;
    values.numbers.assign(catalog.size(), number);
    values.texts.resize(catalog.size());
    for (std::size_t feature = 0; feature < catalog.size(); ++feature) {
        if (catalog[feature].type == profiling::FeatureType::text_list)
            values.texts[feature] = codes;
        else if (catalog[feature].type == profiling::FeatureType::flag && !std::isnan(number))
            values.numbers[feature] = number != 0 ? 1 : 0;
    }
    return values;
}

const std::vector<profiling::FeatureValues>& containers() {
    static const std::vector<profiling::FeatureValues> all = {
        values_of(std::numeric_limits<double>::quiet_NaN(), {}),
        values_of(0, {}),
        values_of(1, {"CO", "PE", "BO", "AF", "3004", "0803", "ACME TRADING LTD"}),
        values_of(-12.5, {"NLRTM"}),
        values_of(1e9, {"CN", "DE", "8471"}),
    };
    return all;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = fuzz::as_text(data, size);
    std::optional<profiling::RuleSet> rules;
    try {
        rules.emplace(profiling::RuleSet::parse(text, "fuzz.json"));
    } catch (const profiling::RuleSetError& error) {
        fuzz::require(!error.problems().empty(), "a refusal names its problems");
        return 0;
    }
    fuzz::require(rules->source_text() == text, "the source text is kept byte for byte");
    fuzz::require(!rules->name().empty() && rules->version() > 0, "name and version are checked");
    std::vector<profiling::RuleHit> hits;
    for (const auto& values : containers()) {
        rules->evaluate(values, hits);
        std::size_t previous = 0;
        for (std::size_t index = 0; index < hits.size(); ++index) {
            const auto& hit = hits[index];
            fuzz::require(hit.rule < rules->size(), "a hit names a rule of the set");
            fuzz::require(index == 0 || hit.rule > previous, "hits come in rule order");
            fuzz::require(hit.points == rules->rule_weight(hit.rule), "a hit carries its weight");
            previous = hit.rule;
        }
    }
    for (std::size_t rule = 0; rule < rules->size(); ++rule)
        fuzz::require(rules->find_rule(rules->rule_id(rule)) == rule, "rule ids are unique");
    return 0;
}
