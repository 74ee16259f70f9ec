#include "gbt_model.hpp"
#include "ranking.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>

namespace portscreen::profiling {
namespace {

/// Rows of 4 uniform features whose label is x0 > 0.5, flipped for 5% of rows; x1..x3 are noise.
struct Synthetic {
    FeatureMatrix features;
    std::vector<float> labels;
    std::vector<std::uint8_t> clean_labels; ///< x0 > 0.5, before the flips
};

Synthetic make_synthetic(std::size_t rows, std::uint32_t seed) {
    std::mt19937 random(seed);
    std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
    Synthetic data;
    data.features.names = {"x0", "x1", "x2", "x3"};
    data.features.rows = rows;
    for (std::size_t row = 0; row < rows; ++row) {
        for (int col = 0; col < 4; ++col)
            data.features.values.push_back(uniform(random));
        const bool signal = data.features.values[row * 4] > 0.5f;
        const bool flip = uniform(random) < 0.05f;
        data.labels.push_back(signal != flip ? 1.0f : 0.0f);
        data.clean_labels.push_back(signal ? 1 : 0);
    }
    return data;
}

GbtParams small_params() {
    GbtParams params;
    params.max_depth = 3;
    params.max_rounds = 30;
    params.subsample = 0.8;
    params.colsample_bytree = 0.8;
    params.seed = 42;
    params.threads = 2;
    return params;
}

TEST(GbtModel, RanksTheKnownSignalFirst) {
    const auto train = make_synthetic(2000, 1);
    const auto test = make_synthetic(1000, 2);
    const auto model = GbtModel::train({&train.features, train.labels}, small_params());
    EXPECT_EQ(model.num_features(), 4u);
    EXPECT_EQ(model.rounds(), 30);
    const auto scores = model.predict(test.features);
    ASSERT_EQ(scores.size(), 1000u);
    // Half the rows have x0 > 0.5; the top 40% should be almost all of them.
    EXPECT_GT(top_k(scores, test.clean_labels, 400).precision, 0.97);
    const std::vector<float> reversed(scores.rbegin(), scores.rend());
    EXPECT_LT(top_k(reversed, test.clean_labels, 400).precision, 0.9);
}

TEST(GbtModel, ContributionsSumToTheMarginAndNameTheSignal) {
    const auto train = make_synthetic(2000, 3);
    const auto test = make_synthetic(200, 4);
    const auto model = GbtModel::train({&train.features, train.labels}, small_params());
    const auto margins = model.predict_margin(test.features);
    const auto probabilities = model.predict(test.features);
    const auto contributions = model.contributions(test.features);
    ASSERT_EQ(contributions.rows, 200u);
    ASSERT_EQ(contributions.cols, 5u);
    double signal_share = 0;
    for (std::size_t row = 0; row < contributions.rows; ++row) {
        double sum = 0;
        double total_abs = 0;
        for (std::size_t col = 0; col < contributions.cols; ++col) {
            sum += contributions.values[row * contributions.cols + col];
            if (col < 4)
                total_abs += std::abs(contributions.values[row * contributions.cols + col]);
        }
        EXPECT_NEAR(sum, margins[row], 1e-4) << "row " << row;
        EXPECT_NEAR(1.0 / (1.0 + std::exp(-margins[row])), probabilities[row], 1e-5);
        signal_share += std::abs(contributions.values[row * contributions.cols]) / total_abs;
    }
    EXPECT_GT(signal_share / contributions.rows, 0.8);
}

TEST(GbtModel, SerializationRoundTripsToIdenticalPredictions) {
    const auto train = make_synthetic(1000, 5);
    const auto model = GbtModel::train({&train.features, train.labels}, small_params());
    const auto bytes = model.serialize();
    ASSERT_FALSE(bytes.empty());
    const auto loaded = GbtModel::deserialize(bytes);
    EXPECT_EQ(loaded.num_features(), 4u);
    EXPECT_EQ(loaded.rounds(), model.rounds());
    EXPECT_EQ(loaded.predict(train.features), model.predict(train.features));
    EXPECT_EQ(loaded.serialize(), bytes);
}

TEST(GbtModel, SameSeedSameModelOtherSeedOtherModel) {
    const auto train = make_synthetic(1000, 6);
    const auto first = GbtModel::train({&train.features, train.labels}, small_params());
    const auto second = GbtModel::train({&train.features, train.labels}, small_params());
    EXPECT_EQ(first.predict(train.features), second.predict(train.features));
    auto other = small_params();
    other.seed = 43;
    const auto third = GbtModel::train({&train.features, train.labels}, other);
    EXPECT_NE(first.predict(train.features), third.predict(train.features));
}

TEST(GbtModel, EarlyStoppingKeepsTheBestRounds) {
    const auto train = make_synthetic(1000, 7);
    const auto valid = make_synthetic(500, 8);
    auto params = small_params();
    params.max_rounds = 400;
    params.learning_rate = 0.3;
    params.early_stopping_rounds = 10;
    const auto model =
        GbtModel::train({&train.features, train.labels}, params, {&valid.features, valid.labels});
    // A threshold on one feature is learnt within a few dozen rounds; the rest is noise.
    EXPECT_LT(model.rounds(), 400);
    EXPECT_GE(model.rounds(), 1);
    EXPECT_GT(model.best_score(), 0.0);
    EXPECT_LT(model.best_score(), 0.4); // validation logloss
    const auto reloaded = GbtModel::deserialize(model.serialize());
    EXPECT_EQ(reloaded.rounds(), model.rounds());
}

TEST(GbtModel, RejectsBadInputAndReportsLibraryErrors) {
    const auto train = make_synthetic(100, 9);
    const std::vector<float> short_labels(10, 0.0f);
    EXPECT_THROW(GbtModel::train({&train.features, short_labels}, small_params()),
                 std::invalid_argument);
    EXPECT_THROW(GbtModel::train({}, small_params()), std::invalid_argument);
    const auto model = GbtModel::train({&train.features, train.labels}, small_params());
    FeatureMatrix narrow;
    narrow.names = {"x0"};
    narrow.rows = 1;
    narrow.values = {0.5f};
    EXPECT_THROW(model.predict(narrow), std::invalid_argument);
    const std::vector<std::uint8_t> garbage = {'n', 'o', 't', ' ', 'a', ' ', 'm', 'o', 'd'};
    try {
        GbtModel::deserialize(garbage);
        FAIL() << "garbage loaded as a model";
    } catch (const GbtError& error) {
        EXPECT_NE(std::string(error.what()).find("XGBoosterLoadModelFromBuffer"),
                  std::string::npos);
    }
}

} // namespace
} // namespace portscreen::profiling
