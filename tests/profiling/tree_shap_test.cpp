#include "gbt_model.hpp"
#include "score.hpp"
#include "tree_shap.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <ostream>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace portscreen::profiling {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::vector<std::uint8_t> bytes_of(const std::string& text) {
    return {text.begin(), text.end()};
}

std::string text_of(const std::vector<std::uint8_t>& bytes) {
    return {bytes.begin(), bytes.end()};
}

/// Rows of `cols` features: every fifth column takes only the values 0..4, so that rows fall
/// exactly on split thresholds (x == threshold must go right); the others are uniform in
/// [0, 1). A share of the values is missing (NaN). The last two rows are all missing and all 0.
FeatureMatrix make_rows(std::size_t rows, std::size_t cols, std::uint32_t seed,
                        float missing_share) {
    std::mt19937 random(seed);
    std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
    FeatureMatrix matrix;
    for (std::size_t col = 0; col < cols; ++col)
        matrix.names.push_back(std::string("f").append(std::to_string(col)));
    matrix.rows = rows + 2;
    for (std::size_t row = 0; row < rows; ++row) {
        for (std::size_t col = 0; col < cols; ++col) {
            float value = uniform(random);
            if (col % 5 == 0)
                value = std::floor(value * 5.0f);
            if (uniform(random) < missing_share)
                value = kNaN;
            matrix.values.push_back(value);
        }
    }
    matrix.values.insert(matrix.values.end(), cols, kNaN);
    matrix.values.insert(matrix.values.end(), cols, 0.0f);
    return matrix;
}

/// A noisy label from the first columns; a missing value counts as 0.4.
std::vector<float> make_labels(const FeatureMatrix& matrix, std::uint32_t seed) {
    std::mt19937 random(seed);
    std::normal_distribution<float> noise(0.0f, 0.4f);
    std::vector<float> labels;
    for (std::size_t row = 0; row < matrix.rows; ++row) {
        const auto value = [&](std::size_t col) {
            const float x = matrix.at(row, col);
            return std::isnan(x) ? 0.4f : x;
        };
        const float score = value(0) / 4.0f + value(1) - value(2) + 0.5f * value(3) * value(4) +
                            (matrix.cols() > 6 ? 0.3f * value(6) : 0.0f) + noise(random);
        labels.push_back(score > 0.6f ? 1.0f : 0.0f);
    }
    return labels;
}

GbtModel train_model(const FeatureMatrix& rows, int depth, int rounds) {
    const std::vector<float> labels = make_labels(rows, 7);
    GbtParams params;
    params.max_depth = depth;
    params.max_rounds = rounds;
    params.learning_rate = 0.3;
    params.subsample = 0.8;
    params.colsample_bytree = 0.8;
    params.seed = 11;
    params.threads = 1; // a second thread only spins while the machine runs other tests
    return GbtModel::train({&rows, labels}, params);
}

double tolerance(double expected) {
    return 1e-4 * std::max(1.0, std::abs(expected));
}

/// Compares every value of every row with XGBoost's own and the sums with its margins, and
/// reports the number of differences with the first one.
void expect_matches_xgboost(const GbtModel& model, const TreeExplainer& explainer,
                            const FeatureMatrix& rows) {
    ASSERT_EQ(explainer.num_features(), rows.cols());
    const Contributions expected = model.contributions(rows);
    const std::vector<float> margins = model.predict_margin(rows);
    ASSERT_EQ(expected.cols, rows.cols() + 1);
    std::vector<float> got(expected.cols);
    int differences = 0;
    std::string first;
    const auto differ = [&](std::size_t row, const std::string& what, double value, double wanted) {
        if (std::abs(value - wanted) <= tolerance(wanted))
            return;
        if (differences++ == 0)
            first = "row " + std::to_string(row) + " " + what + ": " + std::to_string(value) +
                    " instead of " + std::to_string(wanted);
    };
    std::size_t nonzero = 0;
    for (std::size_t row = 0; row < rows.rows; ++row) {
        const std::span<const float> features(rows.values.data() + row * rows.cols(), rows.cols());
        explainer.contributions(features, got);
        double sum = 0;
        for (std::size_t col = 0; col < expected.cols; ++col) {
            differ(row, "column " + std::to_string(col), got[col],
                   expected.values[row * expected.cols + col]);
            sum += got[col];
            nonzero += col + 1 < expected.cols && std::abs(got[col]) > 1e-3f ? 1 : 0;
        }
        differ(row, "sum", sum, margins[row]);
        differ(row, "margin", explainer.margin(features), margins[row]);
    }
    EXPECT_EQ(differences, 0) << first;
    // Explanations that are all 0 would match a model that learned nothing.
    EXPECT_GE(nonzero, rows.rows / 2);
}

struct Shape {
    int depth;
    int rounds;
    std::size_t cols;
    float missing_share;
};

void PrintTo(const Shape& shape, std::ostream* out) {
    *out << "depth " << shape.depth << ", " << shape.rounds << " trees, " << shape.cols
         << " features, " << shape.missing_share << " missing";
}

std::string shape_name(const ::testing::TestParamInfo<Shape>& shape) {
    return "depth" + std::to_string(shape.param.depth) + "_trees" +
           std::to_string(shape.param.rounds);
}

class TreeExplainerVsXGBoost : public ::testing::TestWithParam<Shape> {};

TEST_P(TreeExplainerVsXGBoost, GivesXGBoostsContributionsAndMargins) {
    const Shape shape = GetParam();
    const FeatureMatrix train = make_rows(2000, shape.cols, 1, shape.missing_share);
    const GbtModel model = train_model(train, shape.depth, shape.rounds);
    const TreeExplainer explainer = TreeExplainer::from_xgboost_json(model.serialize());
    EXPECT_EQ(explainer.num_trees(), static_cast<std::size_t>(shape.rounds));
    EXPECT_LE(explainer.max_depth(), shape.depth);
    EXPECT_GE(explainer.max_depth(), std::min(shape.depth, 8)); // the trees use their depth
    expect_matches_xgboost(model, explainer, make_rows(200, shape.cols, 2, shape.missing_share));
}

INSTANTIATE_TEST_SUITE_P(Shapes, TreeExplainerVsXGBoost,
                         ::testing::Values(Shape{1, 1, 5, 0.1f}, Shape{1, 20, 5, 0.3f},
                                           Shape{2, 5, 8, 0.0f}, Shape{3, 22, 38, 0.15f},
                                           Shape{3, 60, 38, 0.15f}, Shape{4, 30, 12, 0.5f},
                                           Shape{5, 40, 12, 0.2f}, Shape{6, 100, 38, 0.15f},
                                           Shape{10, 8, 12, 0.1f}),
                         shape_name);

// ---------------------------------------------------------------------------------------------
// Hand-written models, in the JSON that XGBoost 1.7 writes and reads.

struct HandTree {
    std::vector<int> left;
    std::vector<int> right;
    std::vector<int> feature;
    std::vector<float> condition; ///< threshold, or the leaf value
    std::vector<float> cover;
    std::vector<int> default_left;
};

/// A float as XGBoost's reader wants it (with an exponent, never as an integer), exactly.
std::string number(float value) {
    char text[32];
    const auto end =
        std::to_chars(text, text + sizeof text, value, std::chars_format::scientific, 9).ptr;
    return std::string(text, end);
}

template <typename Value> std::string json_array(const std::vector<Value>& values) {
    std::string out = "[";
    for (std::size_t idx = 0; idx < values.size(); ++idx) {
        if (idx > 0)
            out += ",";
        if constexpr (std::is_same_v<Value, float>)
            out += number(values[idx]);
        else
            out += std::to_string(values[idx]);
    }
    return out + "]";
}

struct HandModel {
    std::vector<HandTree> trees;
    int num_features = 1;
    std::string objective = "binary:logistic";
    std::string base_score = "5E-1";
    std::string booster = "gbtree";
    std::string num_class = "0";
};

std::string model_json(const HandModel& model) {
    std::string trees;
    for (std::size_t idx = 0; idx < model.trees.size(); ++idx) {
        const HandTree& tree = model.trees[idx];
        const std::size_t count = tree.left.size();
        std::vector<int> parents(count, 2147483647);
        for (std::size_t node = 0; node < count; ++node)
            for (const int child : {tree.left[node], tree.right[node]})
                if (child > 0 && static_cast<std::size_t>(child) < count)
                    parents[static_cast<std::size_t>(child)] = static_cast<int>(node);
        if (idx > 0)
            trees += ",";
        trees += R"({"base_weights":)" + json_array(tree.condition) +
                 R"(,"categories":[],"categories_nodes":[],"categories_segments":[],)"
                 R"("categories_sizes":[],"default_left":)" +
                 json_array(tree.default_left) + R"(,"id":)" + std::to_string(idx) +
                 R"(,"left_children":)" + json_array(tree.left) + R"(,"loss_changes":)" +
                 json_array(std::vector<float>(count, 0.0f)) + R"(,"parents":)" +
                 json_array(parents) + R"(,"right_children":)" + json_array(tree.right) +
                 R"(,"split_conditions":)" + json_array(tree.condition) + R"(,"split_indices":)" +
                 json_array(tree.feature) + R"(,"split_type":)" +
                 json_array(std::vector<int>(count, 0)) + R"(,"sum_hessian":)" +
                 json_array(tree.cover) + R"(,"tree_param":{"num_deleted":"0","num_feature":")" +
                 std::to_string(model.num_features) + R"(","num_nodes":")" + std::to_string(count) +
                 R"(","size_leaf_vector":"0"}})";
    }
    const std::string tree_info = json_array(std::vector<int>(model.trees.size(), 0));
    return R"({"learner":{"attributes":{},"feature_names":[],"feature_types":[],)"
           R"("gradient_booster":{"model":{"gbtree_model_param":{"num_parallel_tree":"1",)"
           R"("num_trees":")" +
           std::to_string(model.trees.size()) + R"(","size_leaf_vector":"0"},"tree_info":)" +
           tree_info + R"(,"trees":[)" + trees + R"(]},"name":")" + model.booster +
           R"("},"learner_model_param":{"base_score":")" + model.base_score +
           R"(","boost_from_average":"1","num_class":")" + model.num_class +
           R"(","num_feature":")" + std::to_string(model.num_features) +
           R"(","num_target":"1"},"objective":{"name":")" + model.objective +
           R"(","reg_loss_param":{"scale_pos_weight":"1"}}},"version":[1,7,4]})";
}

/// One split on feature 0 at 0.5, NaN to the left: left leaf -1 (cover 4), right leaf 2 (cover 6).
HandTree one_split() {
    return {{1, -1, -1}, {2, -1, -1}, {0, 0, 0}, {0.5f, -1.0f, 2.0f}, {10, 4, 6}, {1, 0, 0}};
}

/// A chain of `depth` splits that cycle through 3 features, each with a leaf on its left, so
/// that features come back on the path again and again (UNWIND).
HandTree chain(int depth) {
    HandTree tree;
    const auto count = static_cast<std::size_t>(2 * depth + 1);
    tree.left.assign(count, -1);
    tree.right.assign(count, -1);
    tree.feature.assign(count, 0);
    tree.condition.assign(count, 0.0f);
    tree.cover.assign(count, 0.0f);
    tree.default_left.assign(count, 0);
    float cover = 1000.0f;
    for (int level = 0; level < depth; ++level) {
        const auto split = static_cast<std::size_t>(2 * level);
        tree.left[split] = 2 * level + 1;
        tree.right[split] = 2 * level + 2;
        tree.feature[split] = level % 3;
        tree.condition[split] = 0.5f + 0.01f * static_cast<float>(level);
        tree.default_left[split] = level % 2;
        tree.cover[split] = cover;
        tree.condition[split + 1] = 0.1f * static_cast<float>(level % 5 - 2);
        tree.cover[split + 1] = 0.3f * cover;
        cover -= 0.3f * cover;
    }
    tree.condition[count - 1] = 0.7f;
    tree.cover[count - 1] = cover;
    return tree;
}

TEST(TreeExplainer, FollowsXGBoostsSplitRules) {
    HandModel hand;
    hand.trees = {one_split()};
    const auto json = bytes_of(model_json(hand));
    const TreeExplainer explainer = TreeExplainer::from_xgboost_json(json);
    // The mean leaf value is (4 × -1 + 6 × 2) / 10 = 0.8, the bias with logit(0.5) = 0.
    EXPECT_FLOAT_EQ(explainer.bias(), 0.8f);
    std::vector<float> out(2);
    const std::vector<float> on_threshold{0.5f};
    explainer.contributions(on_threshold, out); // x < 0.5 is false: right
    EXPECT_FLOAT_EQ(out[0], 2.0f - 0.8f);
    EXPECT_FLOAT_EQ(out[1], 0.8f);
    EXPECT_FLOAT_EQ(explainer.margin(on_threshold), 2.0f);
    const std::vector<float> below{0.4999f};
    EXPECT_FLOAT_EQ(explainer.margin(below), -1.0f);
    const std::vector<float> missing{kNaN};
    explainer.contributions(missing, out); // NaN goes to the default side, left here
    EXPECT_FLOAT_EQ(out[0], -1.0f - 0.8f);
    EXPECT_FLOAT_EQ(explainer.margin(missing), -1.0f);

    FeatureMatrix rows;
    rows.names = {"x"};
    rows.rows = 4;
    rows.values = {0.5f, 0.4999f, kNaN, 1e30f};
    expect_matches_xgboost(GbtModel::deserialize(json), explainer, rows);
}

TEST(TreeExplainer, HandlesTheDeepestTreeItAccepts) {
    HandModel hand;
    hand.num_features = 4;
    hand.trees = {chain(TreeExplainer::kMaxDepth), chain(12), one_split()};
    const auto json = bytes_of(model_json(hand));
    const TreeExplainer explainer = TreeExplainer::from_xgboost_json(json);
    EXPECT_EQ(explainer.max_depth(), TreeExplainer::kMaxDepth);
    // Values around the thresholds 0.5 .. 0.8 take the chain to every depth.
    FeatureMatrix rows = make_rows(300, 4, 5, 0.2f);
    for (float& value : rows.values)
        if (!std::isnan(value))
            value = 0.45f + 0.4f * (value - std::floor(value));
    expect_matches_xgboost(GbtModel::deserialize(json), explainer, rows);
}

TEST(TreeExplainer, ExplainsSingleLeafTreesByTheBiasAlone) {
    // Constant features leave nothing to split on: every tree is one leaf.
    FeatureMatrix rows;
    rows.names = {"a", "b", "c"};
    rows.rows = 50;
    rows.values.assign(150, 1.0f);
    std::vector<float> labels(50, 0.0f);
    for (std::size_t row = 0; row < 50; row += 3)
        labels[row] = 1.0f;
    GbtParams params;
    params.max_rounds = 3;
    params.threads = 1;
    const GbtModel model = GbtModel::train({&rows, labels}, params);
    const TreeExplainer explainer = TreeExplainer::from_xgboost_json(model.serialize());
    EXPECT_EQ(explainer.num_trees(), 3u);
    EXPECT_EQ(explainer.max_depth(), 0);
    std::vector<float> out(4);
    const std::vector<float> row{1.0f, kNaN, 5.0f};
    explainer.contributions(row, out);
    EXPECT_EQ(out[0], 0.0f);
    EXPECT_EQ(out[1], 0.0f);
    EXPECT_EQ(out[2], 0.0f);
    const float margin = model.predict_margin(rows)[0];
    EXPECT_LT(margin, -0.1f); // a third are positive: the trees moved the margin
    EXPECT_NEAR(out[3], margin, tolerance(margin));
    EXPECT_NEAR(explainer.margin(row), margin, tolerance(margin));
}

TEST(TreeExplainer, TakesTheBaseScoreAndRegLogistic) {
    const FeatureMatrix train = make_rows(1000, 6, 3, 0.1f);
    const std::string json = text_of(train_model(train, 3, 10).serialize());
    const std::string base = R"("base_score":"5E-1")";
    const std::string objective = R"("name":"binary:logistic")";
    ASSERT_NE(json.find(base), std::string::npos);
    ASSERT_NE(json.find(objective), std::string::npos);
    std::string changed = json;
    changed.replace(changed.find(base), base.size(), R"("base_score":"2E-1")");
    changed.replace(changed.find(objective), objective.size(), R"("name":"reg:logistic")");
    const auto bytes = bytes_of(changed);
    const TreeExplainer explainer = TreeExplainer::from_xgboost_json(bytes);
    const TreeExplainer original = TreeExplainer::from_xgboost_json(bytes_of(json));
    // logit(0.2) = -ln 4 moves the bias and nothing else.
    EXPECT_NEAR(explainer.bias() - original.bias(), -std::log(4.0f), 1e-5);
    expect_matches_xgboost(GbtModel::deserialize(bytes), explainer, make_rows(100, 6, 4, 0.1f));
}

TEST(TreeExplainer, ChecksRowSizes) {
    HandModel hand;
    hand.num_features = 2;
    hand.trees = {one_split()};
    const TreeExplainer explainer = TreeExplainer::from_xgboost_json(bytes_of(model_json(hand)));
    std::vector<float> out(3);
    const std::vector<float> short_row{1.0f};
    EXPECT_THROW(explainer.contributions(short_row, out), std::invalid_argument);
    EXPECT_THROW((void)explainer.margin(short_row), std::invalid_argument);
    const std::vector<float> row{1.0f, 2.0f};
    std::vector<float> small_out(2);
    EXPECT_THROW(explainer.contributions(row, small_out), std::invalid_argument);
}

TEST(TreeExplainer, ScoresContainersAsTheLibraryDoes) {
    const std::vector<std::string> names = model_feature_names();
    FeatureMatrix train = make_rows(1000, names.size(), 9, 0.2f);
    train.names = names;
    const GbtModel model = train_model(train, 3, 20);
    const TreeExplainer explainer = TreeExplainer::from_xgboost_json(model.serialize());
    const RuleSet rules = RuleSet::parse(
        R"({"name": "test", "version": 1, "scoring": {"model_points": 50}, "rules": [
            {"id": "empty", "weight": 10, "reason": "declared empty",
             "when": {"feature": "container.declared_empty", "is": true}}]})",
        "test.json");
    const Watchlist watchlist({});
    std::vector<ContainerFacts> containers(40);
    for (std::size_t idx = 0; idx < containers.size(); ++idx) {
        ContainerFacts& facts = containers[idx];
        facts.number = "MSCU" + std::to_string(1000000 + idx);
        facts.declared_empty = idx % 7 == 0;
        facts.gross_mass_kg = 2000.0 + 700.0 * static_cast<double>(idx);
        facts.tare_mass_kg = 2200.0;
        facts.seal_count = static_cast<int>(idx % 3);
    }
    ScoringSetup setup;
    setup.rules = &rules;
    setup.watchlist = &watchlist;
    setup.model = &explainer;
    setup.model_feature_names = names;
    std::vector<ScoredContainer> got;
    BatchScorer(setup).score(containers, "2024-05-01", got);
    ASSERT_EQ(got.size(), containers.size());
    // The library's own SHAP values for the same rows give the same model points: 16 per unit
    // of log-odds against the bias, within ±50, on top of the one rule.
    FeatureMatrix rows;
    rows.names = names;
    rows.rows = got.size();
    for (const auto& scored : got) // stored in the order of model_feature_names()
        rows.values.insert(rows.values.end(), scored.model_features.begin(),
                           scored.model_features.end());
    const Contributions library = model.contributions(rows);
    std::size_t model_factors = 0;
    for (std::size_t idx = 0; idx < got.size(); ++idx) {
        double log_odds = 0;
        for (std::size_t col = 0; col + 1 < library.cols; ++col)
            log_odds += library.values[idx * library.cols + col];
        const double rule = containers[idx].declared_empty ? 10 : 0;
        const double expected =
            std::clamp(rule + std::clamp(16 * log_odds, -50.0, 50.0), 0.0, 100.0);
        EXPECT_NEAR(got[idx].score.score, expected, 1e-3) << "container " << idx;
        for (const Factor& factor : got[idx].score.factors)
            model_factors += factor.kind == FactorKind::model ? 1 : 0;
    }
    EXPECT_GT(model_factors, containers.size()); // the model explained something
}

/// The message from_xgboost_json throws for `json`, or "" when it reads the model.
std::string refusal(const std::string& json) {
    try {
        (void)TreeExplainer::from_xgboost_json(bytes_of(json));
    } catch (const std::runtime_error& error) {
        return error.what();
    }
    return "";
}

TEST(TreeExplainer, RefusesModelsItCannotReadWithTheReason) {
    HandModel good;
    good.num_features = 4;
    good.trees = {one_split(), chain(3)};
    ASSERT_EQ(refusal(model_json(good)), "");

    struct Case {
        std::string name;
        std::string json;
        std::string message; ///< a part of the message
    };
    std::vector<Case> cases;
    const auto with = [&](const std::string& name, auto change, const std::string& message) {
        HandModel model = good;
        change(model);
        cases.push_back({name, model_json(model), message});
    };
    cases.push_back({"not json", R"({"learner": )", "not valid JSON"});
    cases.push_back({"no learner", R"({"version": [1, 7, 4]})", "/learner is missing"});
    with(
        "multi-class objective", [](HandModel& model) { model.objective = "multi:softprob"; },
        "objective 'multi:softprob' is not supported");
    with(
        "several classes", [](HandModel& model) { model.num_class = "3"; }, "num_class is 3");
    with(
        "dart", [](HandModel& model) { model.booster = "dart"; },
        "gradient booster 'dart' is not supported");
    with(
        "base score 0", [](HandModel& model) { model.base_score = "0"; }, "base score");
    with(
        "child out of range", [](HandModel& model) { model.trees[1].right[0] = 40; },
        "trees/1 node 0: child 40 is not a node of the tree (7 nodes)");
    with(
        "cycle", [](HandModel& model) { model.trees[1].right[2] = 2; },
        "trees/1 node 2: child 2 is reached twice");
    with(
        "feature out of range", [](HandModel& model) { model.trees[0].feature[0] = 4; },
        "trees/0 node 0: split feature 4 is not one of the model's 4 features");
    with(
        "array lengths", [](HandModel& model) { model.trees[0].cover.pop_back(); },
        "trees/0/sum_hessian has 2 entries, not 3");
    with(
        "negative cover", [](HandModel& model) { model.trees[0].cover[1] = -1.0f; },
        "trees/0 node 1: cover (sum_hessian) -1.000000 is not a finite number");
    with(
        "too deep", [](HandModel& model) { model.trees = {chain(TreeExplainer::kMaxDepth + 1)}; },
        "trees/0 is deeper than 31 levels");
    std::string categorical = model_json(good);
    categorical.replace(categorical.find(R"("split_type":[0)"), 15, R"("split_type":[1)");
    cases.push_back({"categorical split", categorical, "categorical splits are not supported"});

    for (const Case& item : cases) {
        const std::string message = refusal(item.json);
        EXPECT_NE(message.find(item.message), std::string::npos)
            << item.name << ": '" << message << "'";
        EXPECT_EQ(message.rfind("xgboost model: ", 0), 0u) << item.name << ": '" << message << "'";
    }
}

} // namespace
} // namespace portscreen::profiling
