#include "eval/kcs_protocol.hpp"

#include <gtest/gtest.h>

#include <random>

namespace portscreen::eval {
namespace {

/// Rows where half the importers always commit a violation and the rest never do, with a
/// critical one now and then; other fields are noise.
std::vector<KcsRow> make_rows(std::size_t count, std::uint32_t seed) {
    std::mt19937 random(seed);
    std::uniform_int_distribution<int> importer(0, 39);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    std::vector<KcsRow> rows;
    for (std::size_t idx = 0; idx < count; ++idx) {
        KcsRow row;
        const int who = importer(random);
        row.declaration.importer = "IMP" + std::to_string(who);
        row.declaration.hs6 = "0" + std::to_string(10000 + importer(random));
        row.declaration.date = "2020-02-03";
        row.declaration.item_price = 1000.0 * uniform(random);
        row.declaration.net_mass = 10.0 * uniform(random);
        row.declaration.tax_rate = 8.0;
        if (who % 2 == 0)
            row.outcome = uniform(random) < 0.1 ? profiling::Outcome::critical
                                                : profiling::Outcome::violation;
        rows.push_back(std::move(row));
    }
    return rows;
}

TEST(KcsProtocol, ShareFiguresCountFraudAndCriticalAtEachShare) {
    std::vector<KcsRow> rows(100);
    std::vector<float> scores(100);
    for (std::size_t idx = 0; idx < 100; ++idx)
        scores[idx] = static_cast<float>(100 - idx); // row order is rank order
    for (std::size_t idx = 0; idx < 100; idx += 4)
        rows[idx].outcome = profiling::Outcome::violation; // 25 positives: 0, 4, 8, ...
    rows[4].outcome = profiling::Outcome::critical;
    rows[96].outcome = profiling::Outcome::critical;
    const auto figures = share_figures(scores, rows);
    ASSERT_EQ(figures.size(), 4u);
    EXPECT_EQ(figures[0].percent, 1);
    EXPECT_EQ(figures[0].k, 1u);
    EXPECT_DOUBLE_EQ(figures[0].precision, 1.0);
    EXPECT_DOUBLE_EQ(figures[0].critical_recall, 0.0);
    EXPECT_EQ(figures[2].k, 5u); // rows 0..4: positives 0 and 4
    EXPECT_DOUBLE_EQ(figures[2].precision, 0.4);
    EXPECT_DOUBLE_EQ(figures[2].recall, 2.0 / 25.0);
    EXPECT_DOUBLE_EQ(figures[2].critical_recall, 0.5);
    EXPECT_EQ(figures[3].k, 10u); // rows 0..9: 0, 4, 8
    EXPECT_DOUBLE_EQ(figures[3].precision, 0.3);
}

TEST(KcsProtocol, LearnsAPartySignalAndIsReproducible) {
    KcsSplits splits;
    splits.train = make_rows(1500, 1);
    splits.valid = make_rows(400, 2);
    splits.test = make_rows(400, 3);
    KcsOptions options;
    options.seed = 5;
    const auto first = run_kcs_protocol(splits, options);
    ASSERT_EQ(first.test.size(), 4u);
    EXPECT_EQ(first.test[3].k, 40u);
    EXPECT_DOUBLE_EQ(first.test[3].precision, 1.0);
    EXPECT_GT(first.rounds, 0);
    EXPECT_FALSE(first.chosen.empty());
    ASSERT_FALSE(first.top_features.empty());
    EXPECT_NE(first.top_features[0].first.find("importer"), std::string::npos)
        << first.top_features[0].first;
    const auto second = run_kcs_protocol(splits, options);
    for (std::size_t idx = 0; idx < 4; ++idx) {
        EXPECT_EQ(first.test[idx].precision, second.test[idx].precision);
        EXPECT_EQ(first.test[idx].critical_recall, second.test[idx].critical_recall);
    }
    EXPECT_EQ(first.chosen, second.chosen);
    EXPECT_THROW(run_kcs_protocol(KcsSplits{}, options), std::invalid_argument);
}

} // namespace
} // namespace portscreen::eval
