#include "score.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace portscreen::profiling {
namespace {

// A rule set whose rules are only named: combine() reads their ids, hits carry the points.
RuleSet rules_named(int count) {
    std::string text = R"({"name": "test", "version": 1, "scoring": {"model_points": 50},
                           "rules": [)";
    for (int idx = 0; idx < count; ++idx)
        text += std::string(idx ? "," : "") + R"({"id": "r)" + std::to_string(idx) +
                R"(", "weight": 10, "reason": "reason )" + std::to_string(idx) +
                R"(", "when": {"feature": "container.declared_empty", "is": true}})";
    return RuleSet::parse(text + "]}", "test.json");
}

double sum_of(const ContainerScore& score) {
    return std::accumulate(score.factors.begin(), score.factors.end(), 0.0,
                           [](double sum, const Factor& f) { return sum + f.points; });
}

TEST(Combine, RulePointsAddUpAndTheLargestSourceLeads) {
    const auto rules = rules_named(2);
    const Watchlist watchlist({});
    const std::vector<RuleHit> hits = {{0, 30, "first"}, {1, 12, "second"}};
    const auto score = combine(hits, rules, {}, watchlist, nullptr, 0, 0);
    EXPECT_DOUBLE_EQ(score.score, 42);
    EXPECT_DOUBLE_EQ(sum_of(score), 42);
    ASSERT_EQ(score.factors.size(), 2u);
    EXPECT_EQ(score.factors[0].id, "r0");
    EXPECT_EQ(score.factors[0].text, "first");
    EXPECT_EQ(score.main_source, "rule");
}

TEST(Combine, ScoresAreKeptWithinZeroAndHundredByANamedFactor) {
    const auto rules = rules_named(3);
    const Watchlist watchlist({});
    const std::vector<RuleHit> high = {{0, 60, "a"}, {1, 50, "b"}, {2, 20, "c"}};
    const auto capped = combine(high, rules, {}, watchlist, nullptr, 0, 0);
    EXPECT_DOUBLE_EQ(capped.score, 100);
    EXPECT_NEAR(sum_of(capped), 100, 1e-9);
    const auto limit = std::find_if(capped.factors.begin(), capped.factors.end(),
                                    [](const Factor& f) { return f.kind == FactorKind::limit; });
    ASSERT_NE(limit, capped.factors.end());
    EXPECT_DOUBLE_EQ(limit->points, -30);
    EXPECT_EQ(limit->text, "score capped at 100");

    const std::vector<RuleHit> negative = {{0, -15, "known trader"}};
    const auto floored = combine(negative, rules, {}, watchlist, nullptr, 0, 0);
    EXPECT_DOUBLE_EQ(floored.score, 0);
    EXPECT_NEAR(sum_of(floored), 0, 1e-9);
}

TEST(Combine, ModelPointsAreItsLogOddsAgainstAnAverageContainer) {
    const auto rules = rules_named(1);
    const Watchlist watchlist({});
    const std::vector<std::string> names = {"container.cargo_mass_kg", "container.seal_count"};
    const std::vector<float> shap = {1.5f, -0.5f, -2.0f}; // two features, then the bias
    const std::vector<float> values = {21000.0f, 0.0f};
    const ModelView view{shap, names, values};
    // 16 points per unit of log-odds: 24 and −8, 16 in all, within the ±50 allowed.
    const auto score = combine({}, rules, {}, watchlist, &view, 50, 16);
    EXPECT_NEAR(score.score, 16, 1e-6);
    EXPECT_NEAR(sum_of(score), 16, 1e-6);
    EXPECT_EQ(score.main_source, "model");
    ASSERT_EQ(score.factors.size(), 2u);
    EXPECT_EQ(score.factors[0].id, names[0]);
    EXPECT_NEAR(score.factors[0].points, 24, 1e-6);
    EXPECT_EQ(score.factors[0].text,
              "model: " + std::string(feature_catalog()[*find_feature(names[0])].description) +
                  " (2.1e+04)");
    EXPECT_NEAR(score.factors[1].points, -8, 1e-6);
}

TEST(Combine, ModelPointsBeyondTheLimitShrinkInProportion) {
    const auto rules = rules_named(1);
    const Watchlist watchlist({});
    const std::vector<std::string> names = {"container.cargo_mass_kg", "container.seal_count"};
    const std::vector<float> shap = {4.0f, 1.0f, -2.0f};
    const std::vector<float> values = {21000.0f, 0.0f};
    const ModelView view{shap, names, values};
    // 64 + 16 = 80 points asked, 50 allowed: each share is 50/80 of its own.
    const auto score = combine({}, rules, {}, watchlist, &view, 50, 16);
    EXPECT_NEAR(score.score, 50, 1e-6);
    ASSERT_EQ(score.factors.size(), 2u);
    EXPECT_NEAR(score.factors[0].points, 40, 1e-6);
    EXPECT_NEAR(score.factors[1].points, 10, 1e-6);

    // A model that speaks against the rules takes points away from them.
    const std::vector<float> against = {-3.0f, 0.0f, -2.0f};
    const ModelView safe{against, names, values};
    const std::vector<RuleHit> hits = {{0, 60, "a rule"}};
    const auto lowered = combine(hits, rules, {}, watchlist, &safe, 50, 16);
    EXPECT_NEAR(lowered.score, 60 - 48, 1e-6);
    EXPECT_NEAR(sum_of(lowered), 12, 1e-6);
    EXPECT_EQ(lowered.main_source, "rule");
}

TEST(Combine, LongExplanationsKeepTheLargestFactorsAndStillAddUp) {
    const auto rules = rules_named(12);
    const Watchlist watchlist({});
    std::vector<RuleHit> hits;
    for (std::size_t idx = 0; idx < 12; ++idx)
        hits.push_back({idx, static_cast<double>(idx + 1), "hit"});
    const auto score = combine(hits, rules, {}, watchlist, nullptr, 0, 0);
    ASSERT_EQ(score.factors.size(), kListedFactors + 1);
    EXPECT_EQ(score.factors.front().id, "r11");
    EXPECT_EQ(score.factors.back().kind, FactorKind::other);
    EXPECT_DOUBLE_EQ(score.factors.back().points, 1 + 2 + 3 + 4);
    EXPECT_DOUBLE_EQ(sum_of(score), 78);
}

TEST(BatchScorer, EachBatchStartsFromNothing) {
    const auto rules = rules_named(1);
    WatchEntry entry;
    entry.id = "W-1";
    entry.kind = WatchKind::container;
    entry.value = "MSKU5705452";
    entry.reason = "used for concealment before";
    entry.source = "test";
    const Watchlist watchlist({entry});
    ScoringSetup setup;
    setup.rules = &rules;
    setup.watchlist = &watchlist;
    BatchScorer scorer(setup);

    ContainerFacts watched;
    watched.number = "MSKU5705452";
    watched.seal_count = 1;
    ContainerFacts other = watched;
    other.number = "MSCU1234565";
    std::vector<ScoredContainer> out;
    scorer.score(std::vector<ContainerFacts>{watched}, "2026-11-27", out);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].score.main_source, "watchlist");
    EXPECT_GT(out[0].score.score, 0);
    // The next batch reuses the buffers: the first batch's hit must not follow its row.
    scorer.score(std::vector<ContainerFacts>{other}, "2026-11-27", out);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_DOUBLE_EQ(out[0].score.score, 0);
    EXPECT_TRUE(out[0].score.factors.empty());
}

TEST(BatchScorer, AnAlertFromAnotherPortIsAnAlertFactor) {
    const auto rules = rules_named(1);
    WatchEntry alert;
    alert.id = "alert:BEANR-PCU:7";
    alert.kind = WatchKind::container;
    alert.value = "MSKU5705452";
    alert.reason = "cocaine in a sister container";
    alert.source = "BEANR-PCU";
    alert.points = 40;
    alert.shared_alert = true;
    WatchEntry listed = alert;
    listed.id = "W-2";
    listed.shared_alert = false;
    listed.points = 10;
    listed.source = "test";
    const Watchlist watchlist({alert, listed});
    ScoringSetup setup;
    setup.rules = &rules;
    setup.watchlist = &watchlist;
    BatchScorer scorer(setup);

    ContainerFacts facts;
    facts.number = "MSKU5705452";
    facts.seal_count = 1;
    std::vector<ScoredContainer> out;
    scorer.score(std::vector<ContainerFacts>{facts}, "2026-11-27", out);
    ASSERT_EQ(out.size(), 1u);
    const auto& score = out[0].score;
    EXPECT_DOUBLE_EQ(score.score, 50);
    EXPECT_EQ(score.main_source, "alert");
    ASSERT_EQ(score.factors.size(), 2u);
    EXPECT_EQ(score.factors[0].kind, FactorKind::alert);
    EXPECT_EQ(score.factors[0].id, "alert:BEANR-PCU:7");
    EXPECT_EQ(score.factors[0].text, "Alert from BEANR-PCU: cocaine in a sister container");
    EXPECT_DOUBLE_EQ(score.factors[0].points, 40);
    // An entry of the node's own list stays a watchlist factor, with who listed it.
    EXPECT_EQ(score.factors[1].kind, FactorKind::watchlist);
    EXPECT_NE(score.factors[1].text.find("listed by test"), std::string::npos);
    EXPECT_STREQ(to_string(FactorKind::alert), "alert");

    // Past its expiry the alert no longer counts.
    WatchEntry expired = alert;
    expired.expires = "2026-11-26";
    const Watchlist later({expired});
    setup.watchlist = &later;
    BatchScorer again(setup);
    again.score(std::vector<ContainerFacts>{facts}, "2026-11-27", out);
    EXPECT_DOUBLE_EQ(out[0].score.score, 0);
}

} // namespace
} // namespace portscreen::profiling
