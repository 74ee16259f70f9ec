#include "json_lines.hpp"
#include "rules.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace portscreen::profiling {
namespace {

namespace fs = std::filesystem;

const fs::path kData = fs::path(PORTSCREEN_TEST_DATA) / "rules";
const fs::path kRepo = fs::path(PORTSCREEN_TEST_DATA).parent_path().parent_path();

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in.good()) << "cannot read " << path;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void write_text(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    ASSERT_TRUE(out.good()) << "cannot write " << path;
}

// Golden files and the feature table in docs/rules.md are rewritten instead of compared when
// the tests run with PORTSCREEN_UPDATE_GOLDEN=1; review the diff before committing it.
bool updating_golden_files() {
    const char* value = std::getenv("PORTSCREEN_UPDATE_GOLDEN");
    return value != nullptr && std::string_view(value) == "1";
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

FeatureValues blank_values() {
    FeatureValues values;
    values.numbers.assign(feature_catalog().size(), kNaN);
    values.texts.assign(feature_catalog().size(), {});
    return values;
}

std::size_t feature(std::string_view name) {
    const auto index = find_feature(name);
    EXPECT_TRUE(index.has_value()) << name;
    return index.value_or(0);
}

/// A rule set of one rule "r" with the given condition and reason, and one list "countries".
RuleSet one_rule(const std::string& when, const std::string& reason = "hit") {
    const std::string text = R"({"name": "test", "version": 1,
        "lists": {"countries": ["CO", "pe"]},
        "rules": [{"id": "r", "weight": 10, "reason": ")" +
                             reason + R"(", "when": )" + when + "}]}";
    return RuleSet::parse(text, "test.json");
}

bool holds(const std::string& when, const FeatureValues& values) {
    std::vector<RuleHit> hits;
    one_rule(when).evaluate(values, hits);
    return !hits.empty();
}

std::string reason(const std::string& when, const std::string& reason,
                   const FeatureValues& values) {
    std::vector<RuleHit> hits;
    one_rule(when, reason).evaluate(values, hits);
    EXPECT_EQ(hits.size(), 1u) << when;
    return hits.empty() ? std::string() : hits.front().reason;
}

// ---------------------------------------------------------------------------------------------
// JSON positions.

TEST(JsonLines, MapsPointersToLines) {
    const std::string text = "{\n"
                             "  \"name\": \"x\",\n"
                             "  \"rules\": [\n"
                             "    {\"id\": \"a\",\n"
                             "     \"when\": {\"all\": [\n"
                             "       {\"feature\": \"f\"}]}},\n"
                             "    7\n"
                             "  ],\n"
                             "  \"a/b~c\": {\"k\\\"ey\\u00e9\": null}\n"
                             "}\n";
    const JsonLines lines(text);
    EXPECT_EQ(lines.find(""), 1u);
    EXPECT_EQ(lines.find("/name"), 2u);
    EXPECT_EQ(lines.find("/rules"), 3u);
    EXPECT_EQ(lines.find("/rules/0"), 4u);
    EXPECT_EQ(lines.find("/rules/0/id"), 4u);
    EXPECT_EQ(lines.find("/rules/0/when"), 5u);
    EXPECT_EQ(lines.find("/rules/0/when/all/0/feature"), 6u);
    EXPECT_EQ(lines.find("/rules/1"), 7u);
    EXPECT_EQ(lines.find("/a~1b~0c/k\"ey\xC3\xA9"), 9u);
    EXPECT_FALSE(lines.find("/rules/2").has_value());
    // Missing values fall back to the nearest ancestor.
    EXPECT_EQ(lines.line("/rules/0/weight"), 4u);
    EXPECT_EQ(lines.line("/nothing/here"), 1u);
    EXPECT_TRUE(lines.duplicate_keys().empty());
}

TEST(JsonLines, ReportsDuplicateKeysAndSurvivesBadInput) {
    const JsonLines duplicates("{\"a\": 1,\n \"b\": {\"c\": 1, \"c\": 2},\n \"a\": 3}");
    EXPECT_EQ(duplicates.duplicate_keys(), (std::vector<std::string>{"/b/c", "/a"}));
    EXPECT_EQ(duplicates.find("/a"), 3u) << "the last value wins, as in parsers";

    const JsonLines broken("{\"a\": 1,\n \"b\": [1, 2,\n");
    EXPECT_EQ(broken.find("/a"), 1u);
    EXPECT_EQ(broken.find("/b/1"), 2u);
    for (const char* text : {"", "{", "[1, {\"a\":", "\"open", "{\"a\" 1}", "\xEF\xBB\xBF{}"})
        EXPECT_NO_THROW(JsonLines{text});
}

TEST(JsonLines, LineOfAnOffsetAndPointerEscapes) {
    EXPECT_EQ(line_at("ab\ncd\nef", 0), 1u);
    EXPECT_EQ(line_at("ab\ncd\nef", 3), 2u);
    EXPECT_EQ(line_at("ab\ncd\nef", 7), 3u);
    EXPECT_EQ(line_at("ab\ncd\nef", 99), 3u);
    EXPECT_EQ(escape_pointer_token("a/b~c"), "a~1b~0c");
}

// ---------------------------------------------------------------------------------------------
// Parsing and evaluation.

TEST(RuleSet, ParsesTheHeaderAndKeepsTheSource) {
    const std::string text = R"({
        "name": "port rules", "version": 7, "description": "for tests",
        "scoring": {"model_points": 35.5},
        "rules": [
            {"id": "no-seal", "weight": 20, "reason": "no seal",
             "description": "a note for maintainers",
             "when": {"feature": "container.full_without_seal", "is": true}},
            {"id": "known-consignee", "weight": -7.5, "reason": "known",
             "when": {"feature": "consignee.times_seen", "ge": 20}}
        ]})";
    const RuleSet rules = RuleSet::parse(text, "port.json");
    EXPECT_EQ(rules.name(), "port rules");
    EXPECT_EQ(rules.version(), 7);
    EXPECT_EQ(rules.description(), "for tests");
    EXPECT_EQ(rules.model_points(), 35.5);
    ASSERT_EQ(rules.size(), 2u);
    EXPECT_EQ(rules.rule_id(0), "no-seal");
    EXPECT_EQ(rules.rule_weight(1), -7.5);
    EXPECT_EQ(rules.rule_reason(1), "known");
    EXPECT_EQ(rules.find_rule("known-consignee"), 1u);
    EXPECT_FALSE(rules.find_rule("nothing").has_value());
    EXPECT_EQ(rules.source_text(), text);

    const RuleSet minimal = RuleSet::parse(R"({"name": "m", "version": 1, "rules": []})", "m");
    EXPECT_EQ(minimal.model_points(), 0);
    EXPECT_EQ(minimal.size(), 0u);
    EXPECT_EQ(minimal.description(), "");
}

TEST(RuleSet, EvaluatesInRuleOrderAndClearsHits) {
    const RuleSet rules = RuleSet::parse(R"({"name": "t", "version": 1, "rules": [
        {"id": "a", "weight": 5, "reason": "a", "when": {"feature": "container.seal_count", "eq": 0}},
        {"id": "b", "weight": -3, "reason": "b", "when": {"feature": "container.seal_count", "ge": 0}},
        {"id": "c", "weight": 9, "reason": "c", "when": {"feature": "container.seal_count", "gt": 0}}
    ]})",
                                         "t");
    auto values = blank_values();
    values.numbers[feature("container.seal_count")] = 0;
    std::vector<RuleHit> hits = {{7, 1, "stale"}};
    rules.evaluate(values, hits);
    ASSERT_EQ(hits.size(), 2u);
    EXPECT_EQ(hits[0].rule, 0u);
    EXPECT_EQ(hits[0].points, 5);
    EXPECT_EQ(hits[1].rule, 1u);
    EXPECT_EQ(hits[1].points, -3);
    EXPECT_EQ(hits[1].reason, "b");

    // Copies share the compiled rules and evaluate alike.
    const RuleSet copy = rules;
    std::vector<RuleHit> again;
    copy.evaluate(values, again);
    EXPECT_EQ(again.size(), 2u);
}

TEST(RuleSet, FlagOperator) {
    auto values = blank_values();
    const std::string is_true = R"({"feature": "consignee.first_time", "is": true})";
    const std::string is_false = R"({"feature": "consignee.first_time", "is": false})";
    EXPECT_FALSE(holds(is_true, values)) << "unknown";
    EXPECT_FALSE(holds(is_false, values)) << "unknown";
    values.numbers[feature("consignee.first_time")] = 1;
    EXPECT_TRUE(holds(is_true, values));
    EXPECT_FALSE(holds(is_false, values));
    values.numbers[feature("consignee.first_time")] = 0;
    EXPECT_FALSE(holds(is_true, values));
    EXPECT_TRUE(holds(is_false, values));
}

TEST(RuleSet, NumberOperators) {
    auto values = blank_values();
    const auto with = [](std::string_view op, double limit) {
        return R"({"feature": "route.transshipments", ")" + std::string(op) +
               "\": " + nlohmann::json(limit).dump() + "}";
    };
    const std::size_t index = feature("route.transshipments");
    for (const char* op : {"eq", "ne", "lt", "le", "gt", "ge"})
        EXPECT_FALSE(holds(with(op, 2), values)) << op << ": unknown never satisfies";
    values.numbers[index] = 2;
    EXPECT_TRUE(holds(with("eq", 2), values));
    EXPECT_FALSE(holds(with("eq", 3), values));
    EXPECT_TRUE(holds(with("ne", 3), values));
    EXPECT_FALSE(holds(with("ne", 2), values));
    EXPECT_TRUE(holds(with("lt", 2.5), values));
    EXPECT_FALSE(holds(with("lt", 2), values));
    EXPECT_TRUE(holds(with("le", 2), values));
    EXPECT_FALSE(holds(with("le", 1.5), values));
    EXPECT_TRUE(holds(with("gt", 1), values));
    EXPECT_FALSE(holds(with("gt", 2), values));
    EXPECT_TRUE(holds(with("ge", 2), values));
    EXPECT_FALSE(holds(with("ge", 2.01), values));
    EXPECT_TRUE(holds(with("gt", -1e9), values));

    // Several operators on one feature make a range.
    const std::string range = R"({"feature": "route.transshipments", "ge": 0, "lt": 2})";
    EXPECT_FALSE(holds(range, values));
    values.numbers[index] = 1.5;
    EXPECT_TRUE(holds(range, values));
    values.numbers[index] = -0.5;
    EXPECT_FALSE(holds(range, values));
}

TEST(RuleSet, ListOperators) {
    auto values = blank_values();
    const std::size_t countries = feature("route.countries");
    const std::string inline_any = R"({"feature": "route.countries", "any_in": ["ec", "BR"]})";
    const std::string named_any =
        R"({"feature": "route.countries", "any_in": {"list": "countries"}})";
    const std::string named_none =
        R"({"feature": "route.countries", "none_in": {"list": "countries"}})";
    EXPECT_FALSE(holds(inline_any, values)) << "an empty list is unknown";
    EXPECT_FALSE(holds(named_none, values)) << "an empty list is unknown";

    values.texts[countries] = {"CN", "LK", "KE"};
    EXPECT_FALSE(holds(inline_any, values));
    EXPECT_FALSE(holds(named_any, values));
    EXPECT_TRUE(holds(named_none, values));

    values.texts[countries] = {"PE", "PA", "KE"}; // "pe" in the list is upper-cased
    EXPECT_TRUE(holds(named_any, values));
    EXPECT_FALSE(holds(named_none, values));
    values.texts[countries] = {"EC"};
    EXPECT_TRUE(holds(inline_any, values));
}

TEST(RuleSet, KnownOperator) {
    auto values = blank_values();
    const std::string number_known = R"({"feature": "consignee.days_known", "known": true})";
    const std::string number_unknown = R"({"feature": "consignee.days_known", "known": false})";
    const std::string list_known = R"({"feature": "goods.hs_codes", "known": true})";
    EXPECT_FALSE(holds(number_known, values));
    EXPECT_TRUE(holds(number_unknown, values));
    EXPECT_FALSE(holds(list_known, values));
    values.numbers[feature("consignee.days_known")] = 0;
    values.texts[feature("goods.hs_codes")] = {"690721"};
    EXPECT_TRUE(holds(number_known, values));
    EXPECT_FALSE(holds(number_unknown, values));
    EXPECT_TRUE(holds(list_known, values));
}

TEST(RuleSet, AllAnyNot) {
    auto values = blank_values();
    values.numbers[feature("consignee.first_time")] = 1;
    values.numbers[feature("shipper.first_time")] = 0;
    const std::string consignee = R"({"feature": "consignee.first_time", "is": true})";
    const std::string shipper = R"({"feature": "shipper.first_time", "is": true})";
    const std::string forwarder = R"({"feature": "consignee.is_forwarder", "is": true})";
    EXPECT_TRUE(holds(R"({"all": [)" + consignee + "]}", values));
    EXPECT_FALSE(holds(R"({"all": [)" + consignee + "," + shipper + "]}", values));
    EXPECT_TRUE(holds(R"({"any": [)" + shipper + "," + consignee + "]}", values));
    EXPECT_FALSE(holds(R"({"any": [)" + shipper + "," + forwarder + "]}", values));
    EXPECT_TRUE(holds(R"({"not": )" + shipper + "}", values));
    EXPECT_FALSE(holds(R"({"not": )" + consignee + "}", values));
    // `not` inverts the result, so it holds for an unknown value too.
    EXPECT_TRUE(holds(R"({"not": )" + forwarder + "}", values));
    EXPECT_TRUE(holds(R"({"all": [{"not": {"any": [)" + shipper + "," + forwarder + "]}}, " +
                          consignee + "]}",
                      values));
}

TEST(RuleSet, ReasonsFillPlaceholders) {
    auto values = blank_values();
    const std::string always = R"({"feature": "container.seal_count", "known": false})";
    values.numbers[feature("container.cargo_mass_kg")] = 12450.6;
    values.numbers[feature("goods.mass_per_package_z")] = -3.14159;
    values.numbers[feature("consignee.finding_rate")] = 0.25;
    values.numbers[feature("manifest.hours_before_eta")] = -12.4;
    values.numbers[feature("consignee.first_time")] = 1;
    values.numbers[feature("consignee.is_forwarder")] = 0;
    values.texts[feature("route.ports")] = {"ECGYE", "PAMIT", "KEMBA"};
    EXPECT_EQ(reason(always, "{container.cargo_mass_kg} kg", values), "12451 kg");
    EXPECT_EQ(reason(always, "z {goods.mass_per_package_z}", values), "z -3.14");
    EXPECT_EQ(reason(always, "{consignee.finding_rate|percent}", values), "25%");
    EXPECT_EQ(reason(always, "{manifest.hours_before_eta|abs} h late", values), "12.4 h late");
    EXPECT_EQ(reason(always, "new: {consignee.first_time}, {consignee.is_forwarder}", values),
              "new: yes, no");
    EXPECT_EQ(reason(always, "via {route.ports} ({route.ports|count} ports)", values),
              "via ECGYE, PAMIT, KEMBA (3 ports)");
    EXPECT_EQ(
        reason(always, "{shipper.times_seen} / {goods.hs_codes} / {shipper.first_time}", values),
        "unknown / none / unknown");
    EXPECT_EQ(reason(always, "{{literal}} braces", values), "{literal} braces");
}

TEST(RuleSet, MatchedShowsTheItemsFoundInLists) {
    auto values = blank_values();
    values.texts[feature("route.countries")] = {"EC", "PA", "PE", "KE"};
    values.texts[feature("route.transshipment_ports")] = {"PAMIT", "ESALG"};
    values.numbers[feature("route.transshipments")] = 2;
    const std::string when = R"({"all": [
        {"feature": "route.countries", "any_in": {"list": "countries"}},
        {"any": [{"feature": "route.transshipment_ports", "any_in": ["PAMIT", "PABLB"]},
                 {"feature": "route.transshipments", "ge": 3}]},
        {"not": {"feature": "route.countries", "any_in": ["KE", "TZ"]}}]})";
    // The `not` branch fails here (KE is in the route), so nothing hits ...
    EXPECT_FALSE(holds(when, values));
    values.texts[feature("route.countries")] = {"EC", "PA", "PE", "CO"};
    // ... and once it holds, {matched} lists what the positive any_in comparisons found.
    EXPECT_EQ(reason(when, "from {matched}", values), "from PE, CO, PAMIT");
}

TEST(FormatNumber, SensiblePrecision) {
    EXPECT_EQ(format_number(3), "3");
    EXPECT_EQ(format_number(0), "0");
    EXPECT_EQ(format_number(-0.0001), "0");
    EXPECT_EQ(format_number(0.256), "0.26");
    EXPECT_EQ(format_number(2.5), "2.5");
    EXPECT_EQ(format_number(12.345), "12.3");
    EXPECT_EQ(format_number(-1.5), "-1.5");
    EXPECT_EQ(format_number(99.99), "100");
    EXPECT_EQ(format_number(12450.6), "12451");
    EXPECT_EQ(format_number(kNaN), "unknown");
    EXPECT_EQ(format_number(std::numeric_limits<double>::infinity()), "infinite");
}

// ---------------------------------------------------------------------------------------------
// Errors: each file under tests/data/rules/bad/ with every message it must produce.

struct BadCase {
    const char* file;
    const char* expected;
};

const BadCase kBadCases[] = {
    {"syntax.json", "syntax.json:6: syntax error while parsing value - unexpected ']'; expected "
                    "'[', '{', or a literal"},
    {"not_an_object.json", "not_an_object.json:1: top level: a rule set is a JSON object, found "
                           "an array"},
    {"missing_keys.json", "missing_keys.json:1: top level: missing key 'name'\n"
                          "missing_keys.json:1: top level: missing key 'version'\n"
                          "missing_keys.json:1: top level: missing key 'rules'"},
    {"unknown_keys.json",
     "unknown_keys.json:4: scoring/model_point: unknown key 'model_point' (did you mean "
     "'model_points'?)\n"
     "unknown_keys.json:5: rule: unknown key 'rule' (did you mean 'rules'?)\n"
     "unknown_keys.json:7: rules/0: missing key 'weight'\n"
     "unknown_keys.json:9: rules/0/wieght: unknown key 'wieght' (did you mean 'weight'?)"},
    {"types.json",
     "types.json:2: name: expected a string, found an integer\n"
     "types.json:3: version: version must be a positive integer, found 2.5\n"
     "types.json:4: scoring/model_points: model_points must be a number of at least 0, found "
     "-1\n"
     "types.json:5: lists/hubs: expected an array of strings, found a string\n"
     "types.json:8: rules/0/id: rule id 'Route Hub' may hold only a-z, 0-9, '-', '_' and '.'\n"
     "types.json:9: rules/0/weight: weight must be a number of points, found a string\n"
     "types.json:10: rules/0/reason: must not be empty\n"
     "types.json:11: rules/0/when/any_in/1: expected a string, found an integer\n"
     "types.json:13: rules/1: a rule is an object, found a string"},
    {"version_zero.json",
     "version_zero.json:1: version: version must be a positive integer, found 0"},
    {"unknown_feature.json", "unknown_feature.json:10: rules/1/when/all/1/feature: unknown feature "
                             "'consigne.times_seen' (did you mean 'consignee.times_seen'?)\n"
                             "unknown_feature.json:13: rules/2/when/feature: unknown feature "
                             "'vessel.flag_of_convenience'"},
    {"operator_type.json",
     "operator_type.json:5: rules/0/when/gt: operator 'gt' needs a number feature; "
     "'route.ports' is a text list (use any_in or none_in)\n"
     "operator_type.json:6: rules/1/when/is: operator 'is' needs a flag feature; "
     "'route.transshipments' is a number (use eq, ne, lt, le, gt or ge)\n"
     "operator_type.json:7: rules/2/when/any_in: operator 'any_in' needs a text list feature; "
     "'goods.vague_description' is a flag (use is)\n"
     "operator_type.json:8: rules/3/when/eq: operator 'eq' needs a number feature; "
     "'goods.vague_description' is a flag (use is)\n"
     "operator_type.json:9: rules/4/when/ge: 'ge' takes a number, found a string\n"
     "operator_type.json:10: rules/5/when/is: 'is' takes true or false, found a string\n"
     "operator_type.json:11: rules/6/when/known: 'known' takes true or false, found an "
     "integer"},
    {"unknown_list.json",
     "unknown_list.json:10: rules/0/when/any_in/list: unknown list 'source_contries' (did you "
     "mean 'source_countries'?)\n"
     "unknown_list.json:16: rules/1/when/none_in/name: unknown key 'name'\n"
     "unknown_list.json:16: rules/1/when/none_in: missing key 'list'"},
    {"unknown_operator.json",
     "unknown_operator.json:6: rules/0/when/gte: unknown operator 'gte' (did you mean 'ge'?)\n"
     "unknown_operator.json:8: rules/1/when: comparison has no operator (is, eq, ne, lt, le, "
     "gt, ge, any_in, none_in or known)"},
    {"duplicate_ids.json",
     "duplicate_ids.json:9: rules/2/id: duplicate rule id 'no-seal' (first at rules/0)"},
    {"empty_groups.json", "empty_groups.json:5: rules/0/when/all: 'all' needs at least one "
                          "condition\n"
                          "empty_groups.json:6: rules/1/when/not/any: 'any' needs at least one "
                          "condition\n"
                          "empty_groups.json:7: rules/2/when: empty condition: give 'all', "
                          "'any', 'not' or 'feature'"},
    {"duplicate_key.json", "duplicate_key.json:9: rules/0/weight: duplicate key 'weight'"},
    {"empty_list.json", "empty_list.json:4: lists/hubs: an empty list matches nothing\n"
                        "empty_list.json:7: rules/0/when/any_in: an empty list matches nothing"},
    {"placeholders.json",
     "placeholders.json:5: rules/0/reason: unknown feature 'consignee.name' in placeholder "
     "{consignee.name} (did you mean 'consignee.names'?)\n"
     "placeholders.json:7: rules/1/reason: '{matched}' needs an 'any_in' comparison in 'when' "
     "(not under 'not')\n"
     "placeholders.json:9: rules/2/reason: unclosed '{' in reason\n"
     "placeholders.json:11: rules/3/reason: filter 'abs' needs a number feature; 'route.ports' "
     "is a text list\n"
     "placeholders.json:13: rules/4/reason: single '}' in reason: write '}}' for a brace"},
    {"condition_shape.json",
     "condition_shape.json:5: rules/0/when: a condition is an object ({\"all\": [...]}, "
     "{\"any\": [...]}, {\"not\": {...}} or {\"feature\": ...}), found an array\n"
     "condition_shape.json:7: rules/1/when: a condition has one of 'all', 'any' and 'not'; "
     "this one has 'all' and 'any': nest them\n"
     "condition_shape.json:9: rules/2/when/not: a condition is an object ({\"all\": [...]}, "
     "{\"any\": [...]}, {\"not\": {...}} or {\"feature\": ...}), found an array\n"
     "condition_shape.json:10: rules/3/when/is: operator 'is' needs a 'feature'\n"
     "condition_shape.json:11: rules/4/when/allof: unknown key 'allof' (did you mean 'all'?)\n"
     "condition_shape.json:13: rules/5/when/all: 'all' cannot sit beside 'feature': nest the "
     "comparison"},
};

TEST(RuleSetErrors, NameEveryProblemWithItsLine) {
    for (const auto& [file, expected] : kBadCases) {
        const std::string text = read_text(kData / "bad" / file);
        try {
            RuleSet::parse(text, file);
            ADD_FAILURE() << file << " parsed without error";
        } catch (const RuleSetError& error) {
            EXPECT_EQ(std::string(error.what()), expected) << file;
            std::size_t lines = 1;
            for (const char c : std::string_view(expected))
                lines += c == '\n' ? 1 : 0;
            EXPECT_EQ(error.problems().size(), lines) << file;
        }
    }
}

TEST(RuleSetErrors, EveryBadFileIsTested) {
    std::size_t files = 0;
    for (const auto& entry : fs::directory_iterator(kData / "bad")) {
        if (entry.path().extension() != ".json")
            continue;
        ++files;
        const auto name = entry.path().filename().string();
        const bool listed = std::any_of(std::begin(kBadCases), std::end(kBadCases),
                                        [&](const BadCase& c) { return name == c.file; });
        EXPECT_TRUE(listed) << name << " has no expected message";
    }
    EXPECT_EQ(files, std::size(kBadCases));
}

// ---------------------------------------------------------------------------------------------
// The default rule set.

RuleSet default_rules() {
    const fs::path path = kRepo / "profiling" / "rulesets" / "default.json";
    return RuleSet::parse(read_text(path), "default.json");
}

TEST(DefaultRuleSet, ParsesWithTheExpectedRules) {
    const RuleSet rules = default_rules();
    EXPECT_EQ(rules.name(), "default");
    EXPECT_EQ(rules.version(), 1);
    EXPECT_EQ(rules.model_points(), 50);
    for (const char* id :
         {"route-cocaine-source", "route-opiate-source", "route-cocaine-relay-hub",
          "consignee-first-time", "consignee-forwarder", "consignee-private-person",
          "goods-vague-description", "goods-missing-hs-code", "goods-hs-mismatch",
          "goods-mass-per-package", "container-empty-with-mass", "container-overweight",
          "manifest-late", "bl-amended", "bl-amended-late", "container-no-seal",
          "consignee-past-findings", "shipper-past-findings"})
        EXPECT_TRUE(rules.find_rule(id).has_value()) << id;
    for (std::size_t rule = 0; rule < rules.size(); ++rule) {
        // One indicator alone stays below a selection; stacked ones add up.
        EXPECT_LE(rules.rule_weight(rule), 40) << rules.rule_id(rule);
        EXPECT_GE(rules.rule_weight(rule), -20) << rules.rule_id(rule);
    }
}

TEST(DefaultRuleSet, NothingKnownHitsNothing) {
    std::vector<RuleHit> hits;
    default_rules().evaluate(blank_values(), hits);
    EXPECT_TRUE(hits.empty());
}

// ---------------------------------------------------------------------------------------------
// Golden cases: tests/data/rules/golden/NAME.json describes a container (its facts, and the
// mass norms it is judged against); NAME.expected.json holds the default rule set's hits.

using Json = nlohmann::json;

PartyFacts load_party(const Json& json) {
    PartyFacts party;
    party.name = json.value("name", "");
    party.country = json.value("country", "");
    party.history.times_seen = json.value("times_seen", std::int64_t{0});
    party.history.first_seen = json.value("first_seen", "");
    party.history.inspections = json.value("inspections", std::int64_t{0});
    party.history.findings = json.value("findings", std::int64_t{0});
    return party;
}

std::optional<double> optional_number(const Json& json, const char* key) {
    if (!json.contains(key) || json.at(key).is_null())
        return std::nullopt;
    return json.at(key).get<double>();
}

ContainerFacts load_facts(const Json& json) {
    ContainerFacts facts;
    facts.number = json.value("number", "");
    facts.size_type = json.value("size_type", "");
    facts.declared_empty = json.value("declared_empty", false);
    facts.gross_mass_kg = optional_number(json, "gross_mass_kg");
    facts.tare_mass_kg = optional_number(json, "tare_mass_kg");
    facts.seal_count = json.value("seal_count", 0);
    facts.port_of_call = json.value("port_of_call", "");
    facts.eta = json.value("eta", "");
    facts.manifest_issued_at = json.value("manifest_issued_at", "");
    for (const auto& item : json.value("consignments", Json::array())) {
        ConsignmentFacts bl;
        bl.master_bl = item.value("master_bl", "");
        bl.house_bl = item.value("house_bl", "");
        bl.shipper = load_party(item.value("shipper", Json::object()));
        bl.consignee = load_party(item.value("consignee", Json::object()));
        bl.notify_party = load_party(item.value("notify_party", Json::object()));
        bl.place_of_receipt = item.value("place_of_receipt", "");
        bl.port_of_loading = item.value("port_of_loading", "");
        bl.transshipment_ports = item.value("transshipment_ports", std::vector<std::string>{});
        bl.port_of_discharge = item.value("port_of_discharge", "");
        bl.place_of_delivery = item.value("place_of_delivery", "");
        bl.revision = item.value("revision", 1);
        bl.last_changed_at = item.value("last_changed_at", "");
        for (const auto& goods : item.value("goods", Json::array()))
            bl.goods.push_back({goods.value("hs_code", ""), goods.value("description", ""),
                                goods.value("packages", std::int64_t{0}),
                                goods.value("package_type", ""),
                                optional_number(goods, "gross_mass_kg")});
        facts.consignments.push_back(std::move(bl));
    }
    return facts;
}

/// Norms given as {"HEADING": {"count": N, "typical_kg": KG, "sd_log": S}}.
MassNorms load_norms(const Json& json) {
    MassNorms norms;
    for (const auto& [heading, stats] : json.items()) {
        const double count = stats.at("count").get<double>();
        const double mean = std::log(stats.at("typical_kg").get<double>());
        const double sd = stats.at("sd_log").get<double>();
        MassNorm norm;
        norm.count = count;
        norm.sum_log = count * mean;
        norm.sum_sq_log = (count - 1) * sd * sd + count * mean * mean;
        norms.set(heading, norm);
    }
    return norms;
}

CommodityIndex load_nomenclature() {
    const Json rows = Json::parse(read_text(kData / "hs_nomenclature.json"));
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const auto& row : rows)
        pairs.emplace_back(row.at(0).get<std::string>(), row.at(1).get<std::string>());
    return CommodityIndex(pairs);
}

TEST(DefaultRuleSet, GoldenCases) {
    const RuleSet rules = default_rules();
    const CommodityIndex commodities = load_nomenclature();
    std::vector<fs::path> cases;
    for (const auto& entry : fs::directory_iterator(kData / "golden")) {
        const std::string name = entry.path().filename().string();
        if (name.ends_with(".json") && !name.ends_with(".expected.json"))
            cases.push_back(entry.path());
    }
    std::sort(cases.begin(), cases.end());
    ASSERT_GE(cases.size(), 5u);

    FeatureValues values;
    std::vector<RuleHit> hits;
    for (const auto& path : cases) {
        const Json input = Json::parse(read_text(path));
        const MassNorms norms = load_norms(input.value("mass_norms", Json::object()));
        const FeatureContext context{&commodities, &norms};
        derive_features(load_facts(input.at("container")), context, values);
        rules.evaluate(values, hits);

        Json actual = {{"total_points", 0.0}, {"hits", Json::array()}};
        double total = 0;
        for (const auto& hit : hits) {
            actual["hits"].push_back({{"rule", rules.rule_id(hit.rule)},
                                      {"points", hit.points},
                                      {"reason", hit.reason}});
            total += hit.points;
        }
        actual["total_points"] = total;

        fs::path expected_path = path;
        expected_path.replace_extension(".expected.json");
        if (updating_golden_files()) {
            write_text(expected_path, actual.dump(2) + "\n");
            continue;
        }
        ASSERT_TRUE(fs::exists(expected_path))
            << expected_path << " is missing; run with PORTSCREEN_UPDATE_GOLDEN=1";
        const Json expected = Json::parse(read_text(expected_path));
        EXPECT_EQ(actual.dump(2), expected.dump(2)) << path.filename();
    }
}

// ---------------------------------------------------------------------------------------------
// docs/rules.md carries the feature catalogue between two markers; it must match the code.

std::string catalogue_table() {
    constexpr std::string_view kTypes[] = {"number", "flag", "text list"};
    std::string table = "| feature | type | meaning |\n|---|---|---|\n";
    for (const auto& def : feature_catalog()) {
        table += "| `" + std::string(def.name) + "` | " +
                 std::string(kTypes[static_cast<std::size_t>(def.type)]) + " | " +
                 std::string(def.description) + " |\n";
    }
    return table;
}

TEST(RulesDoc, DocumentsEveryFeature) {
    const fs::path path = kRepo / "docs" / "rules.md";
    std::string doc = read_text(path);
    const std::string begin = "<!-- feature catalogue: begin -->\n";
    const std::string end = "<!-- feature catalogue: end -->";
    const std::size_t from = doc.find(begin);
    const std::size_t to = doc.find(end);
    ASSERT_NE(from, std::string::npos) << "no catalogue begin marker in " << path;
    ASSERT_NE(to, std::string::npos) << "no catalogue end marker in " << path;
    ASSERT_LT(from, to);
    const std::size_t start = from + begin.size();
    const std::string table = catalogue_table();
    if (updating_golden_files()) {
        doc.replace(start, to - start, table);
        write_text(path, doc);
        return;
    }
    // Report the first line that differs, not two copies of a long table.
    std::istringstream documented(doc.substr(start, to - start));
    std::istringstream generated(table);
    std::string documented_line;
    std::string generated_line;
    for (int line = 1;; ++line) {
        const bool more_documented = static_cast<bool>(std::getline(documented, documented_line));
        const bool more_generated = static_cast<bool>(std::getline(generated, generated_line));
        if (!more_documented && !more_generated)
            break;
        if (more_documented != more_generated || documented_line != generated_line) {
            ADD_FAILURE() << "line " << line << " of the feature table in docs/rules.md differs "
                          << "from feature_catalog(); run the tests with "
                          << "PORTSCREEN_UPDATE_GOLDEN=1 to regenerate it\n  documented: "
                          << documented_line << "\n  generated:  " << generated_line;
            break;
        }
    }
    for (const auto& def : feature_catalog())
        EXPECT_NE(doc.find("`" + std::string(def.name) + "`"), std::string::npos) << def.name;
}

} // namespace
} // namespace portscreen::profiling
