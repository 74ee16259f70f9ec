#include "rules.hpp"

#include "json_lines.hpp"
#include "name_match.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdint>

namespace portscreen::profiling {
namespace {

using Json = nlohmann::ordered_json;

enum class NodeKind : std::uint8_t { all, any, negate, compare, is, known, any_in, none_in };
enum class CompareOp : std::uint8_t { eq, ne, lt, le, gt, ge };

/// One node of a compiled condition tree.
struct Node {
    NodeKind kind = NodeKind::all;
    CompareOp op = CompareOp::eq;
    bool expected = true;      ///< for `is` and `known`
    std::uint32_t feature = 0; ///< for comparisons
    std::uint32_t first = 0;   ///< all/any: first child slot; not: the child; any_in/none_in: list
    std::uint32_t count = 0;   ///< all/any: number of children
    double value = 0;          ///< for number comparisons
};

enum class Filter : std::uint8_t { none, abs, percent, count };

/// A piece of a reason: literal text, a feature's value or the matched items.
struct Segment {
    enum class Kind : std::uint8_t { text, feature, matched };
    Kind kind = Kind::text;
    std::string text;
    std::size_t feature = 0;
    Filter filter = Filter::none;
};

struct Rule {
    std::string id;
    double weight = 0;
    std::string reason_template;
    std::vector<Segment> reason;
    std::uint32_t root = 0;
};

constexpr std::string_view kTypeNames[] = {"a number", "a flag", "a text list"};

std::string_view type_name(FeatureType type) {
    return kTypeNames[static_cast<std::size_t>(type)];
}

bool compare(CompareOp op, double value, double limit) {
    switch (op) {
    case CompareOp::eq: return value == limit;
    case CompareOp::ne: return value != limit;
    case CompareOp::lt: return value < limit;
    case CompareOp::le: return value <= limit;
    case CompareOp::gt: return value > limit;
    case CompareOp::ge: return value >= limit;
    }
    return false;
}

constexpr std::size_t kMaxPacked = 7;

/// Up to seven bytes and the length in one integer: codes (countries, UN/LOCODEs, HS codes)
/// then compare as one integer instead of through memcmp.
std::uint64_t pack(std::string_view item) {
    std::uint64_t key = static_cast<std::uint64_t>(item.size()) << 56;
    for (std::size_t pos = 0; pos < item.size(); ++pos)
        key |= static_cast<std::uint64_t>(static_cast<unsigned char>(item[pos])) << (8 * pos);
    return key;
}

/// A list of strings compiled for lookups: short items as packed integers, the rest sorted.
struct CompiledList {
    std::vector<std::uint64_t> packed;
    std::vector<std::string> long_items;

    explicit CompiledList(std::vector<std::string> items) {
        for (auto& item : items) {
            if (item.size() <= kMaxPacked)
                packed.push_back(pack(item));
            else
                long_items.push_back(std::move(item));
        }
        std::sort(packed.begin(), packed.end());
        packed.erase(std::unique(packed.begin(), packed.end()), packed.end());
        std::sort(long_items.begin(), long_items.end());
        long_items.erase(std::unique(long_items.begin(), long_items.end()), long_items.end());
    }

    bool contains(std::string_view item) const {
        if (item.size() <= kMaxPacked)
            return std::binary_search(packed.begin(), packed.end(), pack(item));
        return std::binary_search(long_items.begin(), long_items.end(), item, std::less<>{});
    }
};

void trim_zeros(std::string& text) {
    if (text.find('.') == std::string::npos)
        return;
    while (text.back() == '0')
        text.pop_back();
    if (text.back() == '.')
        text.pop_back();
}

void append_joined(std::string& out, const std::vector<std::string>& items) {
    for (std::size_t pos = 0; pos < items.size(); ++pos) {
        if (pos > 0)
            out += ", ";
        out += items[pos];
    }
}

/// The closest of `candidates` to `name` when it is close enough to be a typo.
template <typename Range>
std::optional<std::string_view> closest(std::string_view name, const Range& candidates) {
    std::optional<std::string_view> best;
    int best_distance = 0;
    for (std::string_view candidate : candidates) {
        const int distance = edit_distance(name, candidate);
        const int allowed = std::max<int>(2, static_cast<int>(candidate.size()) / 5);
        if (distance <= allowed && (!best || distance < best_distance)) {
            best = candidate;
            best_distance = distance;
        }
    }
    return best;
}

std::string did_you_mean(std::optional<std::string_view> suggestion) {
    return suggestion ? " (did you mean '" + std::string(*suggestion) + "'?)" : std::string();
}

std::string json_kind(const Json& value) {
    switch (value.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::string: return "a string";
    case Json::value_t::array: return "an array";
    case Json::value_t::object: return "an object";
    case Json::value_t::number_float: return "a number";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "an integer";
    default: return "a value";
    }
}

} // namespace

struct RuleSet::Compiled {
    std::string source_text;
    std::string name;
    int version = 0;
    std::string description;
    double model_points = 0;
    double model_points_per_log_odds = 16;
    std::vector<Rule> rules;
    std::vector<Node> nodes;
    std::vector<std::uint32_t> children;
    std::vector<CompiledList> lists; ///< upper case; named and inline ones

    bool holds(std::uint32_t index, const FeatureValues& values) const;
    void collect_matched(std::uint32_t index, const FeatureValues& values,
                         std::vector<std::string>& matched) const;
    std::string reason(const Rule& rule, const FeatureValues& values) const;
};

bool RuleSet::Compiled::holds(std::uint32_t index, const FeatureValues& values) const {
    const Node& node = nodes[index];
    switch (node.kind) {
    case NodeKind::all:
        for (std::uint32_t slot = node.first; slot < node.first + node.count; ++slot)
            if (!holds(children[slot], values))
                return false;
        return true;
    case NodeKind::any:
        for (std::uint32_t slot = node.first; slot < node.first + node.count; ++slot)
            if (holds(children[slot], values))
                return true;
        return false;
    case NodeKind::negate: return !holds(node.first, values);
    case NodeKind::compare: {
        // NaN compares false with everything, `ne` included: unknown never satisfies.
        const double value = values.numbers[node.feature];
        return !std::isnan(value) && compare(node.op, value, node.value);
    }
    case NodeKind::is: {
        const double value = values.numbers[node.feature];
        return !std::isnan(value) && (value != 0) == node.expected;
    }
    case NodeKind::known: {
        const bool known = feature_catalog()[node.feature].type == FeatureType::text_list
                               ? !values.texts[node.feature].empty()
                               : !std::isnan(values.numbers[node.feature]);
        return known == node.expected;
    }
    case NodeKind::any_in:
    case NodeKind::none_in: {
        const auto& items = values.texts[node.feature];
        if (items.empty())
            return false; // an empty list is an unknown value
        const auto& list = lists[node.first];
        const bool any = std::any_of(items.begin(), items.end(), [&list](const std::string& item) {
            return list.contains(item);
        });
        return node.kind == NodeKind::any_in ? any : !any;
    }
    }
    return false;
}

void RuleSet::Compiled::collect_matched(std::uint32_t index, const FeatureValues& values,
                                        std::vector<std::string>& matched) const {
    const Node& node = nodes[index];
    switch (node.kind) {
    case NodeKind::all:
    case NodeKind::any:
        for (std::uint32_t slot = node.first; slot < node.first + node.count; ++slot)
            collect_matched(children[slot], values, matched);
        return;
    case NodeKind::any_in:
        for (const auto& item : values.texts[node.feature])
            if (lists[node.first].contains(item) &&
                std::find(matched.begin(), matched.end(), item) == matched.end())
                matched.push_back(item);
        return;
    default: return; // what sits under `not` matched nothing
    }
}

std::string RuleSet::Compiled::reason(const Rule& rule, const FeatureValues& values) const {
    std::string out;
    for (const auto& segment : rule.reason) {
        switch (segment.kind) {
        case Segment::Kind::text: out += segment.text; break;
        case Segment::Kind::matched: {
            std::vector<std::string> matched;
            collect_matched(rule.root, values, matched);
            append_joined(out, matched);
            break;
        }
        case Segment::Kind::feature: {
            const double number = values.numbers[segment.feature];
            switch (segment.filter) {
            case Filter::none: out += format_feature_value(values, segment.feature); break;
            case Filter::abs: out += format_number(std::abs(number)); break;
            case Filter::percent:
                out += std::isnan(number) ? "unknown" : format_number(number * 100) + "%";
                break;
            case Filter::count: out += std::to_string(values.texts[segment.feature].size()); break;
            }
            break;
        }
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Parsing and checking.

namespace {

// Deeper conditions are a mistake, not a rule, and would exhaust the stack when evaluated.
constexpr int kMaxConditionDepth = 32;

constexpr std::string_view kOperators[] = {"is", "eq", "ne",     "lt",      "le",
                                           "gt", "ge", "any_in", "none_in", "known"};

/// The operator meant by a common other spelling ("gte", ">=", "in"), else the closest one.
std::optional<std::string_view> operator_hint(std::string_view key) {
    constexpr std::pair<std::string_view, std::string_view> kSpellings[] = {
        {"gte", "ge"},    {">=", "ge"},         {"lte", "le"},    {"<=", "le"},
        {">", "gt"},      {"<", "lt"},          {"==", "eq"},     {"=", "eq"},
        {"!=", "ne"},     {"neq", "ne"},        {"in", "any_in"}, {"not_in", "none_in"},
        {"equals", "eq"}, {"is_known", "known"}};
    for (const auto& [spelling, op] : kSpellings)
        if (key == spelling)
            return op;
    return closest(key, kOperators);
}

/// nlohmann's parse error without its prefix: "syntax error while parsing object ...".
std::string syntax_message(const nlohmann::json::parse_error& error) {
    std::string_view message = error.what();
    const std::size_t column = message.find(", column ");
    const std::size_t colon = message.find(": ", column == std::string_view::npos ? 0 : column);
    if (colon != std::string_view::npos)
        message.remove_prefix(colon + 2);
    return std::string(message);
}

} // namespace

/// Walks a parsed rule set, compiling what is valid and collecting every problem.
class RuleSetCompiler {
public:
    RuleSetCompiler(std::string_view text, std::string_view source, RuleSet::Compiled& out)
        : source_(source), lines_(text), out_(out) {}

    void compile(const Json& root);

    std::vector<std::string> problems() {
        std::stable_sort(problems_.begin(), problems_.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        std::vector<std::string> messages;
        for (auto& [line, message] : problems_)
            messages.push_back(std::move(message));
        return messages;
    }

private:
    void problem(const std::string& pointer, const std::string& message) {
        const std::size_t line = lines_.line(pointer);
        const std::string where = pointer.empty() ? std::string("top level") : pointer.substr(1);
        problems_.emplace_back(line, std::string(source_) + ":" + std::to_string(line) + ": " +
                                         where + ": " + message);
    }

    static std::string child(const std::string& pointer, std::string_view key) {
        return pointer + "/" + escape_pointer_token(key);
    }
    static std::string child(const std::string& pointer, std::size_t index) {
        return pointer + "/" + std::to_string(index);
    }

    /// Reports keys of `object` that are not in `allowed`.
    void check_keys(const Json& object, const std::string& pointer,
                    std::initializer_list<std::string_view> allowed) {
        for (const auto& [key, value] : object.items()) {
            if (std::find(allowed.begin(), allowed.end(), key) != allowed.end())
                continue;
            problem(child(pointer, key),
                    "unknown key '" + key + "'" + did_you_mean(closest(key, allowed)));
        }
    }

    /// The member `key` of `object`, reporting it when required and missing.
    const Json* member(const Json& object, const std::string& pointer, std::string_view key,
                       bool required) {
        const auto found = object.find(std::string(key));
        if (found != object.end())
            return &*found;
        if (required)
            problem(pointer, "missing key '" + std::string(key) + "'");
        return nullptr;
    }

    std::optional<std::string> string_value(const Json& value, const std::string& pointer,
                                            bool non_empty) {
        if (!value.is_string()) {
            problem(pointer, "expected a string, found " + json_kind(value));
            return std::nullopt;
        }
        auto text = value.get<std::string>();
        if (non_empty && text.empty()) {
            problem(pointer, "must not be empty");
            return std::nullopt;
        }
        return text;
    }

    void compile_lists(const Json& lists, const std::string& pointer);
    std::optional<std::uint32_t> compile_items(const Json& items, const std::string& pointer);
    std::optional<std::uint32_t> compile_condition(const Json& condition,
                                                   const std::string& pointer, int depth);
    std::optional<std::uint32_t> compile_comparison(const Json& condition,
                                                    const std::string& pointer);
    std::vector<Segment> compile_reason(const std::string& text, const std::string& pointer,
                                        bool has_any_in);
    bool has_positive_any_in(std::uint32_t node) const;

    std::uint32_t add_node(const Node& node) {
        out_.nodes.push_back(node);
        return static_cast<std::uint32_t>(out_.nodes.size() - 1);
    }

    std::string_view source_;
    JsonLines lines_;
    RuleSet::Compiled& out_;
    std::vector<std::pair<std::size_t, std::string>> problems_;
    std::vector<std::pair<std::string, std::uint32_t>> list_names_;
};

void RuleSetCompiler::compile(const Json& root) {
    for (const auto& pointer : lines_.duplicate_keys())
        problem(pointer, "duplicate key '" + pointer.substr(pointer.rfind('/') + 1) + "'");
    if (!root.is_object()) {
        problem("", "a rule set is a JSON object, found " + json_kind(root));
        return;
    }
    check_keys(root, "", {"name", "version", "description", "scoring", "lists", "rules"});

    if (const Json* name = member(root, "", "name", true))
        if (auto text = string_value(*name, "/name", true))
            out_.name = std::move(*text);
    if (const Json* version = member(root, "", "version", true)) {
        if (!version->is_number_integer() || version->get<std::int64_t>() < 1 ||
            version->get<std::int64_t>() > 1'000'000'000)
            problem("/version", "version must be a positive integer, found " + version->dump());
        else
            out_.version = version->get<int>();
    }
    if (const Json* description = member(root, "", "description", false))
        if (auto text = string_value(*description, "/description", false))
            out_.description = std::move(*text);
    if (const Json* scoring = member(root, "", "scoring", false)) {
        if (!scoring->is_object()) {
            problem("/scoring", "expected an object, found " + json_kind(*scoring));
        } else {
            check_keys(*scoring, "/scoring", {"model_points", "model_points_per_log_odds"});
            for (const auto& [key, target] :
                 {std::pair{"model_points", &out_.model_points},
                  std::pair{"model_points_per_log_odds", &out_.model_points_per_log_odds}}) {
                const Json* points = member(*scoring, "/scoring", key, false);
                if (points == nullptr)
                    continue;
                if (!points->is_number() || !std::isfinite(points->get<double>()) ||
                    points->get<double>() < 0)
                    problem(std::string("/scoring/") + key,
                            std::string(key) + " must be a number of at least 0, found " +
                                points->dump());
                else
                    *target = points->get<double>();
            }
        }
    }
    if (const Json* lists = member(root, "", "lists", false))
        compile_lists(*lists, "/lists");

    const Json* rules = member(root, "", "rules", true);
    if (!rules)
        return;
    if (!rules->is_array()) {
        problem("/rules", "expected an array of rules, found " + json_kind(*rules));
        return;
    }
    for (std::size_t index = 0; index < rules->size(); ++index) {
        const Json& json = (*rules)[index];
        const std::string pointer = child("/rules", index);
        if (!json.is_object()) {
            problem(pointer, "a rule is an object, found " + json_kind(json));
            continue;
        }
        check_keys(json, pointer, {"id", "weight", "reason", "when", "description"});
        Rule rule;
        bool valid = true;
        if (const Json* id = member(json, pointer, "id", true)) {
            if (auto text = string_value(*id, child(pointer, "id"), true)) {
                const bool plain = std::all_of(text->begin(), text->end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                           c == '_' || c == '.';
                });
                const auto same =
                    std::find_if(out_.rules.begin(), out_.rules.end(),
                                 [&](const Rule& other) { return other.id == *text; });
                if (!plain) {
                    problem(child(pointer, "id"),
                            "rule id '" + *text + "' may hold only a-z, 0-9, '-', '_' and '.'");
                    valid = false;
                } else if (same != out_.rules.end()) {
                    problem(child(pointer, "id"),
                            "duplicate rule id '" + *text + "' (first at rules/" +
                                std::to_string(same - out_.rules.begin()) + ")");
                    valid = false;
                }
                rule.id = std::move(*text);
            } else {
                valid = false;
            }
        } else {
            valid = false;
        }
        if (const Json* weight = member(json, pointer, "weight", true)) {
            if (!weight->is_number() || !std::isfinite(weight->get<double>())) {
                problem(child(pointer, "weight"),
                        "weight must be a number of points, found " + json_kind(*weight));
                valid = false;
            } else {
                rule.weight = weight->get<double>();
            }
        } else {
            valid = false;
        }
        if (const Json* description = member(json, pointer, "description", false))
            string_value(*description, child(pointer, "description"), false);
        std::optional<std::uint32_t> root_node;
        if (const Json* when = member(json, pointer, "when", true))
            root_node = compile_condition(*when, child(pointer, "when"), 0);
        if (!root_node)
            valid = false;
        if (const Json* reason = member(json, pointer, "reason", true)) {
            if (auto text = string_value(*reason, child(pointer, "reason"), true)) {
                // A broken condition is reported already; {matched} is not judged against it.
                rule.reason = compile_reason(*text, child(pointer, "reason"),
                                             !root_node || has_positive_any_in(*root_node));
                rule.reason_template = std::move(*text);
            } else {
                valid = false;
            }
        } else {
            valid = false;
        }
        // An invalid rule still occupies its id, so that a duplicate of it is reported too.
        if (root_node)
            rule.root = *root_node;
        if (!valid && rule.id.empty())
            continue;
        out_.rules.push_back(std::move(rule));
    }
}

void RuleSetCompiler::compile_lists(const Json& lists, const std::string& pointer) {
    if (!lists.is_object()) {
        problem(pointer, "expected an object of named lists, found " + json_kind(lists));
        return;
    }
    for (const auto& [name, items] : lists.items()) {
        const std::string item_pointer = child(pointer, name);
        if (name.empty()) {
            problem(item_pointer, "a list needs a name");
            continue;
        }
        if (const auto index = compile_items(items, item_pointer))
            list_names_.emplace_back(name, *index);
    }
}

std::optional<std::uint32_t> RuleSetCompiler::compile_items(const Json& items,
                                                            const std::string& pointer) {
    if (!items.is_array()) {
        problem(pointer, "expected an array of strings, found " + json_kind(items));
        return std::nullopt;
    }
    if (items.empty()) {
        problem(pointer, "an empty list matches nothing");
        return std::nullopt;
    }
    std::vector<std::string> list;
    bool valid = true;
    for (std::size_t index = 0; index < items.size(); ++index) {
        const auto text = string_value(items[index], child(pointer, index), true);
        if (!text) {
            valid = false;
            continue;
        }
        std::string item = *text;
        // Features are upper-case ASCII, so lists are too.
        for (char& c : item)
            if (c >= 'a' && c <= 'z')
                c = static_cast<char>(c - ('a' - 'A'));
        list.push_back(std::move(item));
    }
    if (!valid)
        return std::nullopt;
    out_.lists.emplace_back(std::move(list));
    return static_cast<std::uint32_t>(out_.lists.size() - 1);
}

std::optional<std::uint32_t>
RuleSetCompiler::compile_condition(const Json& condition, const std::string& pointer, int depth) {
    if (depth > kMaxConditionDepth) {
        problem(pointer,
                "conditions nest deeper than " + std::to_string(kMaxConditionDepth) + " levels");
        return std::nullopt;
    }
    if (!condition.is_object()) {
        problem(pointer, "a condition is an object ({\"all\": [...]}, {\"any\": [...]}, "
                         "{\"not\": {...}} or {\"feature\": ...}), found " +
                             json_kind(condition));
        return std::nullopt;
    }
    if (condition.contains("feature"))
        return compile_comparison(condition, pointer);

    std::vector<std::string> kinds;
    for (const auto& [key, value] : condition.items()) {
        if (key == "all" || key == "any" || key == "not")
            kinds.push_back(key);
        else if (std::find(std::begin(kOperators), std::end(kOperators), key) !=
                 std::end(kOperators))
            problem(child(pointer, key), "operator '" + key + "' needs a 'feature'");
        else
            problem(child(pointer, key),
                    "unknown key '" + key + "'" +
                        did_you_mean(closest(key, std::initializer_list<std::string_view>{
                                                      "all", "any", "not", "feature"})));
    }
    if (kinds.empty()) {
        if (condition.empty())
            problem(pointer, "empty condition: give 'all', 'any', 'not' or 'feature'");
        return std::nullopt;
    }
    if (kinds.size() > 1) {
        problem(pointer, "a condition has one of 'all', 'any' and 'not'; this one has '" +
                             kinds[0] + "' and '" + kinds[1] + "': nest them");
        return std::nullopt;
    }
    const std::string& kind = kinds.front();
    const Json& body = condition.at(kind);
    const std::string body_pointer = child(pointer, kind);
    if (kind == "not") {
        const auto inner = compile_condition(body, body_pointer, depth + 1);
        if (!inner)
            return std::nullopt;
        Node node;
        node.kind = NodeKind::negate;
        node.first = *inner;
        return add_node(node);
    }
    if (!body.is_array()) {
        problem(body_pointer,
                "'" + kind + "' takes an array of conditions, found " + json_kind(body));
        return std::nullopt;
    }
    if (body.empty()) {
        problem(body_pointer, "'" + kind + "' needs at least one condition");
        return std::nullopt;
    }
    std::vector<std::uint32_t> parts;
    bool valid = true;
    for (std::size_t index = 0; index < body.size(); ++index) {
        const auto part = compile_condition(body[index], child(body_pointer, index), depth + 1);
        if (part)
            parts.push_back(*part);
        else
            valid = false;
    }
    if (!valid)
        return std::nullopt;
    Node node;
    node.kind = kind == "all" ? NodeKind::all : NodeKind::any;
    node.first = static_cast<std::uint32_t>(out_.children.size());
    node.count = static_cast<std::uint32_t>(parts.size());
    out_.children.insert(out_.children.end(), parts.begin(), parts.end());
    return add_node(node);
}

std::optional<std::uint32_t> RuleSetCompiler::compile_comparison(const Json& condition,
                                                                 const std::string& pointer) {
    const Json& name_json = condition.at("feature");
    const std::string feature_pointer = child(pointer, "feature");
    std::optional<std::size_t> feature;
    if (auto name = string_value(name_json, feature_pointer, true)) {
        feature = find_feature(*name);
        if (!feature) {
            std::vector<std::string_view> names;
            for (const auto& def : feature_catalog())
                names.push_back(def.name);
            problem(feature_pointer,
                    "unknown feature '" + *name + "'" + did_you_mean(closest(*name, names)));
        }
    }

    std::vector<std::uint32_t> parts;
    bool valid = feature.has_value();
    bool any_operator = false;
    bool reported = false; // a key that is no operator was reported already
    // Not a structured binding: clang 14 cannot capture one in a lambda.
    for (const auto& item : condition.items()) {
        const auto& key = item.key();
        const auto& value = item.value();
        if (key == "feature")
            continue;
        const std::string op_pointer = child(pointer, key);
        if (key == "all" || key == "any" || key == "not") {
            problem(op_pointer, "'" + key + "' cannot sit beside 'feature': nest the comparison");
            valid = false;
            reported = true;
            continue;
        }
        if (std::find(std::begin(kOperators), std::end(kOperators), key) == std::end(kOperators)) {
            problem(op_pointer,
                    "unknown operator '" + key + "'" + did_you_mean(operator_hint(key)));
            valid = false;
            reported = true;
            continue;
        }
        any_operator = true;
        if (!feature)
            continue;
        const FeatureDef& def = feature_catalog()[*feature];
        const auto wrong_type = [&](std::string_view needs, std::string_view hint) {
            problem(op_pointer, "operator '" + key + "' needs " + std::string(needs) +
                                    " feature; '" + std::string(def.name) + "' is " +
                                    std::string(type_name(def.type)) + std::string(hint));
            valid = false;
        };
        Node node;
        node.feature = static_cast<std::uint32_t>(*feature);
        if (key == "known") {
            if (!value.is_boolean()) {
                problem(op_pointer, "'known' takes true or false, found " + json_kind(value));
                valid = false;
                continue;
            }
            node.kind = NodeKind::known;
            node.expected = value.get<bool>();
        } else if (key == "is") {
            if (def.type != FeatureType::flag) {
                wrong_type("a flag", def.type == FeatureType::number
                                         ? " (use eq, ne, lt, le, gt or ge)"
                                         : " (use any_in or none_in)");
                continue;
            }
            if (!value.is_boolean()) {
                problem(op_pointer, "'is' takes true or false, found " + json_kind(value));
                valid = false;
                continue;
            }
            node.kind = NodeKind::is;
            node.expected = value.get<bool>();
        } else if (key == "any_in" || key == "none_in") {
            if (def.type != FeatureType::text_list) {
                wrong_type("a text list",
                           def.type == FeatureType::flag ? " (use is)" : " (use eq, ne, lt ...)");
                continue;
            }
            std::optional<std::uint32_t> list;
            if (value.is_object()) {
                check_keys(value, op_pointer, {"list"});
                const Json* name = member(value, op_pointer, "list", true);
                if (name) {
                    if (auto text = string_value(*name, child(op_pointer, "list"), true)) {
                        const auto found =
                            std::find_if(list_names_.begin(), list_names_.end(),
                                         [&](const auto& entry) { return entry.first == *text; });
                        if (found != list_names_.end()) {
                            list = found->second;
                        } else {
                            std::vector<std::string_view> names;
                            for (const auto& entry : list_names_)
                                names.push_back(entry.first);
                            problem(child(op_pointer, "list"),
                                    "unknown list '" + *text + "'" +
                                        did_you_mean(closest(*text, names)));
                        }
                    }
                }
            } else if (value.is_array()) {
                list = compile_items(value, op_pointer);
            } else {
                problem(op_pointer, "'" + key +
                                        "' takes an array of strings or {\"list\": NAME}, found " +
                                        json_kind(value));
            }
            if (!list) {
                valid = false;
                continue;
            }
            node.kind = key == "any_in" ? NodeKind::any_in : NodeKind::none_in;
            node.first = *list;
        } else {
            if (def.type != FeatureType::number) {
                wrong_type("a number", def.type == FeatureType::flag ? " (use is)"
                                                                     : " (use any_in or none_in)");
                continue;
            }
            if (!value.is_number() || !std::isfinite(value.get<double>())) {
                problem(op_pointer, "'" + key + "' takes a number, found " + json_kind(value));
                valid = false;
                continue;
            }
            node.kind = NodeKind::compare;
            node.value = value.get<double>();
            constexpr std::pair<std::string_view, CompareOp> kOps[] = {
                {"eq", CompareOp::eq}, {"ne", CompareOp::ne}, {"lt", CompareOp::lt},
                {"le", CompareOp::le}, {"gt", CompareOp::gt}, {"ge", CompareOp::ge}};
            for (const auto& [op_name, op] : kOps)
                if (op_name == key)
                    node.op = op;
        }
        parts.push_back(add_node(node));
    }
    if (!any_operator) {
        if (!reported)
            problem(pointer, "comparison has no operator (is, eq, ne, lt, le, gt, ge, any_in, "
                             "none_in or known)");
        return std::nullopt;
    }
    if (!valid)
        return std::nullopt;
    if (parts.size() == 1)
        return parts.front();
    // Several operators on one feature must all hold: {"ge": 0, "lt": 2} is a range.
    Node node;
    node.kind = NodeKind::all;
    node.first = static_cast<std::uint32_t>(out_.children.size());
    node.count = static_cast<std::uint32_t>(parts.size());
    out_.children.insert(out_.children.end(), parts.begin(), parts.end());
    return add_node(node);
}

bool RuleSetCompiler::has_positive_any_in(std::uint32_t index) const {
    const Node& node = out_.nodes[index];
    switch (node.kind) {
    case NodeKind::any_in: return true;
    case NodeKind::all:
    case NodeKind::any:
        for (std::uint32_t slot = node.first; slot < node.first + node.count; ++slot)
            if (has_positive_any_in(out_.children[slot]))
                return true;
        return false;
    default: return false;
    }
}

std::vector<Segment> RuleSetCompiler::compile_reason(const std::string& text,
                                                     const std::string& pointer, bool has_any_in) {
    std::vector<Segment> segments;
    std::string literal;
    const auto flush = [&] {
        if (!literal.empty())
            segments.push_back({Segment::Kind::text, std::move(literal), 0, Filter::none});
        literal.clear();
    };
    for (std::size_t pos = 0; pos < text.size(); ++pos) {
        const char c = text[pos];
        if (c == '}') {
            if (pos + 1 < text.size() && text[pos + 1] == '}') {
                literal += '}';
                ++pos;
                continue;
            }
            problem(pointer, "single '}' in reason: write '}}' for a brace");
            return {};
        }
        if (c != '{') {
            literal += c;
            continue;
        }
        if (pos + 1 < text.size() && text[pos + 1] == '{') {
            literal += '{';
            ++pos;
            continue;
        }
        const std::size_t end = text.find('}', pos);
        if (end == std::string::npos) {
            problem(pointer, "unclosed '{' in reason");
            return {};
        }
        const std::string placeholder = text.substr(pos + 1, end - pos - 1);
        pos = end;
        const std::size_t bar = placeholder.find('|');
        const std::string name = placeholder.substr(0, bar);
        const std::string filter_name =
            bar == std::string::npos ? std::string() : placeholder.substr(bar + 1);
        flush();
        if (name == "matched") {
            if (!has_any_in) {
                problem(pointer, "'{matched}' needs an 'any_in' comparison in 'when' (not "
                                 "under 'not')");
                return {};
            }
            if (!filter_name.empty()) {
                problem(pointer, "'{matched}' takes no filter");
                return {};
            }
            segments.push_back({Segment::Kind::matched, {}, 0, Filter::none});
            continue;
        }
        const auto feature = find_feature(name);
        if (!feature) {
            std::vector<std::string_view> names{"matched"};
            for (const auto& def : feature_catalog())
                names.push_back(def.name);
            problem(pointer, "unknown feature '" + name + "' in placeholder {" + placeholder + "}" +
                                 did_you_mean(closest(name, names)));
            return {};
        }
        const FeatureType type = feature_catalog()[*feature].type;
        Filter filter = Filter::none;
        if (filter_name == "abs" || filter_name == "percent") {
            if (type != FeatureType::number) {
                problem(pointer, "filter '" + filter_name + "' needs a number feature; '" + name +
                                     "' is " + std::string(type_name(type)));
                return {};
            }
            filter = filter_name == "abs" ? Filter::abs : Filter::percent;
        } else if (filter_name == "count") {
            if (type != FeatureType::text_list) {
                problem(pointer, "filter 'count' needs a text list feature; '" + name + "' is " +
                                     std::string(type_name(type)));
                return {};
            }
            filter = Filter::count;
        } else if (!filter_name.empty()) {
            problem(pointer, "unknown filter '" + filter_name + "' in placeholder {" + placeholder +
                                 "} (abs, percent or count)");
            return {};
        }
        segments.push_back({Segment::Kind::feature, {}, *feature, filter});
    }
    flush();
    return segments;
}

RuleSetError::RuleSetError(std::vector<std::string> problems)
    : std::runtime_error([&problems] {
          std::string joined;
          for (const auto& problem : problems) {
              if (!joined.empty())
                  joined += '\n';
              joined += problem;
          }
          return joined;
      }()),
      problems_(std::move(problems)) {}

RuleSet::RuleSet(std::shared_ptr<const Compiled> compiled) : compiled_(std::move(compiled)) {}

RuleSet RuleSet::parse(std::string_view json_text, std::string_view source_name) {
    auto compiled = std::make_shared<Compiled>();
    compiled->source_text = std::string(json_text);
    Json root;
    try {
        root = Json::parse(json_text);
    } catch (const nlohmann::json::parse_error& error) {
        const std::size_t line = line_at(json_text, error.byte > 0 ? error.byte - 1 : 0);
        throw RuleSetError(
            {std::string(source_name) + ":" + std::to_string(line) + ": " + syntax_message(error)});
    } catch (const nlohmann::json::out_of_range& error) {
        // A number too large for a double (1e999); the parser does not say where.
        std::string_view message = error.what();
        message.remove_prefix(std::min(message.size(), message.find("] ") + 2));
        throw RuleSetError({std::string(source_name) + ": " + std::string(message)});
    }
    RuleSetCompiler compiler(json_text, source_name, *compiled);
    compiler.compile(root);
    auto problems = compiler.problems();
    if (!problems.empty())
        throw RuleSetError(std::move(problems));
    return RuleSet(std::move(compiled));
}

const std::string& RuleSet::name() const {
    return compiled_->name;
}
int RuleSet::version() const {
    return compiled_->version;
}
const std::string& RuleSet::description() const {
    return compiled_->description;
}
double RuleSet::model_points() const {
    return compiled_->model_points;
}

double RuleSet::model_points_per_log_odds() const {
    return compiled_->model_points_per_log_odds;
}
std::size_t RuleSet::size() const {
    return compiled_->rules.size();
}
const std::string& RuleSet::rule_id(std::size_t rule) const {
    return compiled_->rules.at(rule).id;
}
double RuleSet::rule_weight(std::size_t rule) const {
    return compiled_->rules.at(rule).weight;
}
const std::string& RuleSet::rule_reason(std::size_t rule) const {
    return compiled_->rules.at(rule).reason_template;
}
const std::string& RuleSet::source_text() const {
    return compiled_->source_text;
}

std::optional<std::size_t> RuleSet::find_rule(std::string_view id) const {
    const auto& rules = compiled_->rules;
    for (std::size_t index = 0; index < rules.size(); ++index)
        if (rules[index].id == id)
            return index;
    return std::nullopt;
}

void RuleSet::evaluate(const FeatureValues& values, std::vector<RuleHit>& hits) const {
    assert(values.numbers.size() == feature_catalog().size() &&
           values.texts.size() == feature_catalog().size() && "values come from derive_features");
    hits.clear();
    const auto& rules = compiled_->rules;
    for (std::size_t index = 0; index < rules.size(); ++index) {
        const Rule& rule = rules[index];
        if (compiled_->holds(rule.root, values))
            hits.push_back({index, rule.weight, compiled_->reason(rule, values)});
    }
}

std::string format_number(double value) {
    if (std::isnan(value))
        return "unknown";
    if (std::isinf(value))
        return value > 0 ? "infinite" : "-infinite";
    const double magnitude = std::abs(value);
    const int precision = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2;
    std::array<char, 400> text{}; // room for the largest doubles in fixed notation
    const auto end = std::to_chars(text.data(), text.data() + text.size(), value,
                                   std::chars_format::fixed, precision)
                         .ptr;
    std::string out(text.data(), end);
    trim_zeros(out);
    if (out == "-0")
        out = "0";
    return out;
}

std::string format_feature_value(const FeatureValues& values, std::size_t feature) {
    const FeatureType type = feature_catalog()[feature].type;
    if (type == FeatureType::text_list) {
        if (values.texts[feature].empty())
            return "none";
        std::string out;
        append_joined(out, values.texts[feature]);
        return out;
    }
    const double value = values.numbers[feature];
    if (type == FeatureType::flag && !std::isnan(value))
        return value != 0 ? "yes" : "no";
    return format_number(value);
}

} // namespace portscreen::profiling
