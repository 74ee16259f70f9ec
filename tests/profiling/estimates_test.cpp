#include "estimates.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace portscreen::profiling {
namespace {

constexpr double kTable = 5e-5; // literature values are given to 4 decimals

DayOutcomes day_counts(std::int64_t targeted, std::int64_t not_targeted,
                       InspectionCounts targeted_counts, InspectionCounts random_counts) {
    DayOutcomes day;
    day.day = "2024-05-01";
    day.targeted = targeted;
    day.not_targeted = not_targeted;
    day[SelectionSource::rule] = targeted_counts;
    day[SelectionSource::random] = random_counts;
    return day;
}

TEST(Estimates, WilsonIntervalMatchesPublishedValues) {
    // Newcombe (1998): the score interval without continuity correction.
    const Interval a = wilson_interval(81, 263);
    EXPECT_NEAR(a.lower, 0.2553, kTable);
    EXPECT_NEAR(a.upper, 0.3662, kTable);
    const Interval b = wilson_interval(15, 148);
    EXPECT_NEAR(b.lower, 0.0624, kTable);
    EXPECT_NEAR(b.upper, 0.1605, kTable);
    const Interval c = wilson_interval(0, 20);
    EXPECT_EQ(c.lower, 0.0);
    EXPECT_NEAR(c.upper, 0.1611, kTable);
    const Interval d = wilson_interval(1, 29);
    EXPECT_NEAR(d.lower, 0.0061, kTable);
    EXPECT_NEAR(d.upper, 0.1718, kTable);
}

TEST(Estimates, WilsonIntervalOnSmallCountsComputedByHand) {
    // 0/10: upper = z² / (n + z²) = 3.8415 / 13.8415.
    const Interval zero = wilson_interval(0, 10);
    EXPECT_EQ(zero.lower, 0.0);
    EXPECT_NEAR(zero.upper, 0.27753, 1e-5);
    // 5/10: centre 0.5, half width z·√(2.5 + z²/4) / (10 + z²).
    const Interval half = wilson_interval(5, 10);
    EXPECT_NEAR(half.lower, 0.23659, 1e-5);
    EXPECT_NEAR(half.upper, 0.76341, 1e-5);
    const Interval all = wilson_interval(10, 10);
    EXPECT_NEAR(all.lower, 0.72247, 1e-5);
    EXPECT_EQ(all.upper, 1.0);
    const Interval none = wilson_interval(0, 0);
    EXPECT_EQ(none.lower, 0.0);
    EXPECT_EQ(none.upper, 1.0);
}

TEST(Estimates, BinomialEstimateIsUndefinedWithoutTrials) {
    const Estimate some = binomial_estimate(5, 10);
    EXPECT_TRUE(some.defined);
    EXPECT_DOUBLE_EQ(some.value, 0.5);
    EXPECT_NEAR(some.lower, 0.23659, 1e-5);
    const Estimate none = binomial_estimate(0, 0);
    EXPECT_FALSE(none.defined);
    EXPECT_EQ(none.lower, 0.0);
    EXPECT_EQ(none.upper, 1.0);
}

TEST(Estimates, OverallAndDetectionRatesOnAWorkedExample) {
    // 50 targeted, all inspected, 10 findings; 1000 others, 20 random picks, 2 findings.
    // Rest rate 0.1 with Wilson interval [0.027866, 0.301034] for 2/20.
    // Overall (10 + 0.1 × 1000) / 1050 = 0.104762; detection 10 / (10 + 100) = 0.090909.
    const std::vector<DayOutcomes> days = {day_counts(50, 1000, {50, 10}, {20, 2})};
    const HitRateEstimates estimates = estimate_hit_rates(days);

    EXPECT_DOUBLE_EQ(estimates.targeted_hit_rate.value, 0.2);
    EXPECT_DOUBLE_EQ(estimates.rest_finding_rate.value, 0.1);
    EXPECT_NEAR(estimates.rest_finding_rate.lower, 0.027866, 1e-6);
    EXPECT_NEAR(estimates.rest_finding_rate.upper, 0.301034, 1e-6);
    EXPECT_DOUBLE_EQ(estimates.random_effective_size, 20.0);
    EXPECT_DOUBLE_EQ(estimates.rest_findings, 100.0);

    const Estimate& overall = estimates.overall_finding_rate;
    EXPECT_TRUE(overall.defined);
    EXPECT_NEAR(overall.value, 110.0 / 1050.0, 1e-12);
    EXPECT_NEAR(overall.lower, (10 + 0.0278665 * 1000) / 1050, 1e-6); // 0.036063
    EXPECT_NEAR(overall.upper, (10 + 0.3010336 * 1000) / 1050, 1e-6); // 0.296223

    const Estimate& detection = estimates.detection_rate;
    EXPECT_TRUE(detection.defined);
    EXPECT_NEAR(detection.value, 10.0 / 110.0, 1e-12);
    EXPECT_NEAR(detection.lower, 10 / (10 + 0.3010336 * 1000), 1e-6); // 0.032151
    EXPECT_NEAR(detection.upper, 10 / (10 + 0.0278665 * 1000), 1e-6); // 0.264086
}

TEST(Estimates, DaysAreWeightedByPoolPerRandomPick) {
    // Day 1: pool 1000, 10 picks, 1 finding; day 2: pool 100, 10 picks, 5 findings.
    // Pooled counts would say 6/20 = 0.3; each day's rate times its pool gives 100 + 50 findings
    // in 1100 containers: 0.136364. Effective size 1100² / (1000²/10 + 100²/10) = 11.980198.
    const std::vector<DayOutcomes> days = {day_counts(0, 1000, {}, {10, 1}),
                                           day_counts(0, 100, {}, {10, 5})};
    const HitRateEstimates estimates = estimate_hit_rates(days);
    EXPECT_NEAR(estimates.rest_finding_rate.value, 150.0 / 1100.0, 1e-12);
    EXPECT_NEAR(estimates.random_effective_size, 11.980198, 1e-6);
    EXPECT_NEAR(estimates.rest_finding_rate.lower, 0.033895, 1e-6);
    EXPECT_NEAR(estimates.rest_finding_rate.upper, 0.415413, 1e-6);
    EXPECT_EQ(estimates.random_counts.inspected, 20);
    EXPECT_EQ(estimates.random_counts.findings, 6);
    EXPECT_DOUBLE_EQ(
        estimates.by_source[static_cast<std::size_t>(SelectionSource::random)].hit_rate.value, 0.3);

    // Equal pools per pick: the same interval as the pooled counts.
    const std::vector<DayOutcomes> equal = {day_counts(0, 100, {}, {10, 1}),
                                            day_counts(0, 100, {}, {10, 5})};
    const HitRateEstimates pooled = estimate_hit_rates(equal);
    const Interval plain = wilson_interval(6, 20);
    EXPECT_NEAR(pooled.random_effective_size, 20.0, 1e-12);
    EXPECT_NEAR(pooled.rest_finding_rate.lower, plain.lower, 1e-12);
    EXPECT_NEAR(pooled.rest_finding_rate.upper, plain.upper, 1e-12);
}

TEST(Estimates, HitRatesBySource) {
    DayOutcomes day = day_counts(30, 500, {10, 4}, {5, 0});
    day[SelectionSource::watchlist] = {4, 3};
    day[SelectionSource::manual] = {6, 0};
    const HitRateEstimates estimates = estimate_hit_rates(std::vector<DayOutcomes>{day});
    const auto rate = [&](SelectionSource source) {
        return estimates.by_source[static_cast<std::size_t>(source)];
    };
    EXPECT_EQ(rate(SelectionSource::rule).source, SelectionSource::rule);
    EXPECT_DOUBLE_EQ(rate(SelectionSource::rule).hit_rate.value, 0.4);
    EXPECT_DOUBLE_EQ(rate(SelectionSource::watchlist).hit_rate.value, 0.75);
    EXPECT_DOUBLE_EQ(rate(SelectionSource::manual).hit_rate.value, 0.0);
    EXPECT_TRUE(rate(SelectionSource::manual).hit_rate.defined);
    EXPECT_FALSE(rate(SelectionSource::model).hit_rate.defined);
    EXPECT_EQ(rate(SelectionSource::random).counts.inspected, 5);
    EXPECT_EQ(estimates.targeted_counts.inspected, 20);
    EXPECT_EQ(estimates.targeted_counts.findings, 7);
    EXPECT_DOUBLE_EQ(estimates.targeted_hit_rate.value, 0.35);
}

TEST(Estimates, NoRandomPicksLeavesTheRestRateOpen) {
    // 10 findings in 50 targeted, 1000 others never sampled: the rest rate could be anything,
    // so overall is within [10, 1010] / 1050 and detection within [10/1010, 1].
    const std::vector<DayOutcomes> days = {day_counts(50, 1000, {50, 10}, {})};
    const HitRateEstimates estimates = estimate_hit_rates(days);
    EXPECT_EQ(estimates.days_without_random, 1);
    EXPECT_FALSE(estimates.rest_finding_rate.defined);
    EXPECT_FALSE(estimates.overall_finding_rate.defined);
    EXPECT_NEAR(estimates.overall_finding_rate.lower, 10.0 / 1050, 1e-12);
    EXPECT_NEAR(estimates.overall_finding_rate.upper, 1010.0 / 1050, 1e-12);
    EXPECT_FALSE(estimates.detection_rate.defined);
    EXPECT_NEAR(estimates.detection_rate.lower, 10.0 / 1010, 1e-12);
    EXPECT_EQ(estimates.detection_rate.upper, 1.0);
    EXPECT_TRUE(std::isfinite(estimates.detection_rate.value));
}

TEST(Estimates, NoFindingsAnywhere) {
    // 0/20 random picks: rest rate 0 in [0, 0.161125]; overall 0 in [0, 0.161125 × 1000 / 1050].
    const std::vector<DayOutcomes> days = {day_counts(50, 1000, {50, 0}, {20, 0})};
    const HitRateEstimates estimates = estimate_hit_rates(days);
    EXPECT_TRUE(estimates.rest_finding_rate.defined);
    EXPECT_EQ(estimates.rest_finding_rate.lower, 0.0);
    EXPECT_NEAR(estimates.rest_finding_rate.upper, 0.161125, 1e-6);
    EXPECT_TRUE(estimates.overall_finding_rate.defined);
    EXPECT_EQ(estimates.overall_finding_rate.value, 0.0);
    EXPECT_NEAR(estimates.overall_finding_rate.upper, 0.161125 * 1000 / 1050, 1e-6);
    // Nothing found anywhere: what share targeting caught has no value, and it is 0 for any
    // positive rest rate.
    EXPECT_FALSE(estimates.detection_rate.defined);
    EXPECT_EQ(estimates.detection_rate.lower, 0.0);
    EXPECT_EQ(estimates.detection_rate.upper, 0.0);
}

TEST(Estimates, EverythingTargetedOrNothingAtAll) {
    const std::vector<DayOutcomes> all_targeted = {day_counts(40, 0, {40, 4}, {})};
    const HitRateEstimates targeted = estimate_hit_rates(all_targeted);
    EXPECT_EQ(targeted.days_without_random, 0);
    EXPECT_TRUE(targeted.overall_finding_rate.defined);
    EXPECT_DOUBLE_EQ(targeted.overall_finding_rate.value, 0.1);
    EXPECT_DOUBLE_EQ(targeted.overall_finding_rate.upper, 0.1);
    EXPECT_TRUE(targeted.detection_rate.defined);
    EXPECT_DOUBLE_EQ(targeted.detection_rate.value, 1.0);
    EXPECT_DOUBLE_EQ(targeted.detection_rate.lower, 1.0);

    const HitRateEstimates nothing = estimate_hit_rates({});
    EXPECT_EQ(nothing.days, 0);
    EXPECT_FALSE(nothing.targeted_hit_rate.defined);
    EXPECT_FALSE(nothing.overall_finding_rate.defined);
    EXPECT_FALSE(nothing.detection_rate.defined);
    EXPECT_EQ(nothing.overall_finding_rate.value, 0.0);
}

TEST(Estimates, RejectsInconsistentCountsNamingEachOne) {
    DayOutcomes bad = day_counts(5, 10, {6, 7}, {11, 0});
    try {
        estimate_hit_rates(std::vector<DayOutcomes>{bad});
        FAIL() << "expected std::invalid_argument";
    } catch (const std::invalid_argument& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find("rule findings 7 exceed inspections 6"), std::string::npos)
            << message;
        EXPECT_NE(message.find("targeted inspections 6 exceed the targeted containers 5"),
                  std::string::npos)
            << message;
        EXPECT_NE(message.find("random inspections 11 exceed the not-targeted containers 10"),
                  std::string::npos)
            << message;
    }
}

TEST(Estimates, TallyCountsOutcomesBySelectionSource) {
    std::vector<Candidate> candidates = {{1, "AAAU0000001", 90, SelectionSource::watchlist, ""},
                                         {2, "AAAU0000002", 60, SelectionSource::model, ""},
                                         {3, "AAAU0000003", 10, SelectionSource::rule, ""},
                                         {4, "AAAU0000004", 5, SelectionSource::rule, ""}};
    SelectionPolicy policy;
    policy.scan_capacity = 2;
    policy.exam_capacity = 1;
    policy.exploration_share = 0.5; // one random slot, one for targeting
    const std::vector<ManualDecision> manual = {{4, false, Lane::green, "trusted", "officer-a"}};
    const SelectionResult selection = select(candidates, policy, manual, "2024-05-01");
    ASSERT_EQ(selection.random_picks, 1);
    ASSERT_EQ(selection.pool, 1); // only 3: 1 and 2 targeted, 4 removed
    const std::vector<ContainerOutcome> outcomes = {{1, InspectionOutcome::finding},
                                                    {2, InspectionOutcome::unknown},
                                                    {3, InspectionOutcome::no_find},
                                                    {4, InspectionOutcome::finding},
                                                    {2, InspectionOutcome::finding}};
    const DayOutcomes day = tally_outcomes(selection, outcomes);
    EXPECT_EQ(day.day, "2024-05-01");
    EXPECT_EQ(day.targeted, 2);
    EXPECT_EQ(day.not_targeted, 1);
    EXPECT_EQ(day[SelectionSource::watchlist].inspected, 1);
    EXPECT_EQ(day[SelectionSource::watchlist].findings, 1);
    EXPECT_EQ(day[SelectionSource::model].findings, 1); // the later outcome for 2 counts
    EXPECT_EQ(day[SelectionSource::random].inspected, 1);
    EXPECT_EQ(day[SelectionSource::random].findings, 0);
    EXPECT_EQ(day[SelectionSource::rule].inspected, 0); // 4 was removed: outside every sample
}

TEST(Estimates, BacktestOnATinyWorkedExample) {
    SelectionPolicy policy;
    policy.scan_capacity = 2;
    policy.exam_capacity = 1;
    policy.exploration_share = 0;
    // Day 1: 90 red, 80 and 60 yellow; 50 reaches the threshold but finds no slot; 30 is below.
    // Day 2: 45 yellow; one scan and the exam unused.
    const std::vector<BacktestDayInput> days = {
        {"2024-05-01",
         {{1, "AAAU0000001", 90, InspectionOutcome::finding},
          {2, "AAAU0000002", 80, InspectionOutcome::no_find},
          {3, "AAAU0000003", 60, InspectionOutcome::finding},
          {4, "AAAU0000004", 50, InspectionOutcome::finding},
          {5, "AAAU0000005", 30, InspectionOutcome::finding},
          {6, "AAAU0000006", 20, InspectionOutcome::unknown}}},
        {"2024-05-02",
         {{7, "AAAU0000007", 45, InspectionOutcome::finding},
          {8, "AAAU0000008", 20, InspectionOutcome::no_find}}}};
    const BacktestReport report = backtest(days, policy);

    ASSERT_EQ(report.days.size(), 2u);
    const BacktestDay& first = report.days[0];
    EXPECT_EQ(first.containers, 6);
    EXPECT_EQ(first.above_threshold, 4);
    EXPECT_EQ(first.capacity, 3);
    EXPECT_EQ(first.selected, 3);
    EXPECT_EQ(first.over_capacity, 1);
    EXPECT_EQ(first.spare_capacity, 0);
    EXPECT_EQ(first.known_selected, 3);
    EXPECT_EQ(first.findings_selected, 2);
    EXPECT_EQ(first.findings_missed, 2);
    const BacktestDay& second = report.days[1];
    EXPECT_EQ(second.above_threshold, 1);
    EXPECT_EQ(second.selected, 1);
    EXPECT_EQ(second.over_capacity, 0);
    EXPECT_EQ(second.spare_capacity, 2);
    EXPECT_EQ(second.findings_selected, 1);

    EXPECT_EQ(report.days_over_capacity, 1);
    EXPECT_EQ(report.days_with_spare_capacity, 1);
    EXPECT_EQ(report.containers, 8);
    EXPECT_EQ(report.above_threshold, 5);
    EXPECT_EQ(report.selected, 4);
    EXPECT_EQ(report.known.inspected, 7);
    EXPECT_EQ(report.known.findings, 5);
    EXPECT_EQ(report.selected_known.inspected, 4);
    EXPECT_EQ(report.selected_known.findings, 3);
    // 3/4 with Wilson interval [0.300642, 0.954413].
    EXPECT_DOUBLE_EQ(report.hit_rate.value, 0.75);
    EXPECT_NEAR(report.hit_rate.lower, 0.300642, 1e-6);
    EXPECT_NEAR(report.hit_rate.upper, 0.954413, 1e-6);
    EXPECT_EQ(report.missed_findings, 2);
    EXPECT_EQ(report.missed_over_capacity, 1);
    EXPECT_EQ(report.missed_below_threshold, 1);
}

TEST(Estimates, BacktestKeepsTheRandomSlotsOutOfTheCapacity) {
    SelectionPolicy policy;
    policy.scan_capacity = 20;
    policy.exam_capacity = 2;
    std::vector<BacktestContainer> containers;
    for (int id = 1; id <= 30; ++id)
        containers.push_back(
            {id, "AAAU" + std::to_string(1000000 + id), 50.0 + id, InspectionOutcome::unknown});
    const BacktestReport report =
        backtest(std::vector<BacktestDayInput>{{"2024-05-01", containers}}, policy);
    // 5% of 20 is exactly one random slot: 19 scans and 2 exams for targeting.
    EXPECT_EQ(report.days[0].capacity, 21);
    EXPECT_EQ(report.days[0].selected, 21);
    EXPECT_EQ(report.days[0].over_capacity, 9);
    EXPECT_FALSE(report.hit_rate.defined);

    std::vector<BacktestContainer> duplicate = {{1, "A", 50, InspectionOutcome::unknown},
                                                {1, "B", 60, InspectionOutcome::unknown}};
    EXPECT_THROW(backtest(std::vector<BacktestDayInput>{{"2024-05-02", duplicate}}, policy),
                 std::invalid_argument);
}

} // namespace
} // namespace portscreen::profiling
