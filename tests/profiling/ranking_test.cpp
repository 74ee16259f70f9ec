#include "ranking.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace portscreen::profiling {
namespace {

TEST(Ranking, TopCountIsTheFloorOfTheShare) {
    EXPECT_EQ(top_count(8481, 0.05), 424u);
    EXPECT_EQ(top_count(8481, 0.10), 848u);
    EXPECT_EQ(top_count(8481, 0.01), 84u);
    EXPECT_EQ(top_count(100, 0.07), 7u); // 100 × 0.07 is 7.000000000000001 in binary
    EXPECT_EQ(top_count(10, 0.0), 0u);
    EXPECT_EQ(top_count(10, 1.0), 10u);
    EXPECT_THROW(top_count(10, 1.5), std::invalid_argument);
    EXPECT_THROW(top_count(10, -0.1), std::invalid_argument);
}

TEST(Ranking, OrdersByScoreThenRowWithNanLast) {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const std::vector<float> scores = {0.2f, nan, 0.9f, 0.5f, 0.9f, 0.5f};
    EXPECT_EQ(rank_rows(scores), (std::vector<std::size_t>{2, 4, 3, 5, 0, 1}));
}

TEST(Ranking, PrecisionAndRecallOnAHandComputedCase) {
    // Ranking: rows 0 (pos), 3 (neg), 1 (pos), 4 (neg), 2 (pos), 5 (neg).
    const std::vector<float> scores = {0.9f, 0.7f, 0.3f, 0.8f, 0.6f, 0.1f};
    const std::vector<std::uint8_t> positive = {1, 1, 1, 0, 0, 0};
    const TopK top2 = top_k(scores, positive, 2);
    EXPECT_EQ(top2.hits, 1u);
    EXPECT_EQ(top2.positives, 3u);
    EXPECT_DOUBLE_EQ(top2.precision, 0.5);
    EXPECT_DOUBLE_EQ(top2.recall, 1.0 / 3.0);
    const TopK top3 = top_k(scores, positive, 3);
    EXPECT_DOUBLE_EQ(top3.precision, 2.0 / 3.0);
    EXPECT_DOUBLE_EQ(top3.recall, 2.0 / 3.0);
    const TopK all = top_k(scores, positive, 6);
    EXPECT_DOUBLE_EQ(all.precision, 0.5);
    EXPECT_DOUBLE_EQ(all.recall, 1.0);
}

TEST(Ranking, TiesAtTheCutAreBrokenByRowOrder) {
    // Rows 1, 2 and 3 tie; with k = 2 the earlier tied row 1 (negative) is inspected, not 2 or 3.
    const std::vector<float> scores = {0.9f, 0.5f, 0.5f, 0.5f};
    const std::vector<std::uint8_t> positive = {1, 0, 1, 1};
    EXPECT_DOUBLE_EQ(top_k(scores, positive, 2).precision, 0.5);
    EXPECT_DOUBLE_EQ(top_k(scores, positive, 3).precision, 2.0 / 3.0);
    const std::vector<std::uint8_t> reversed = {1, 1, 0, 0};
    EXPECT_DOUBLE_EQ(top_k(scores, reversed, 2).precision, 1.0);
}

TEST(Ranking, EmptySelectionsAndMismatchedInput) {
    const std::vector<float> scores = {0.4f, 0.3f};
    const std::vector<std::uint8_t> none = {0, 0};
    const TopK zero = top_k(scores, none, 0);
    EXPECT_EQ(zero.precision, 0.0);
    EXPECT_EQ(top_k(scores, none, 2).recall, 0.0);
    const std::vector<std::uint8_t> three = {0, 1, 0};
    EXPECT_THROW(top_k(scores, three, 1), std::invalid_argument);
    EXPECT_THROW(top_k(scores, none, 3), std::invalid_argument);
}

} // namespace
} // namespace portscreen::profiling
