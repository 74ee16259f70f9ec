#include "selection.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace portscreen::profiling {
namespace {

constexpr std::string_view kDay = "2024-05-01";

Candidate candidate(std::int64_t id, double score, std::string number = {},
                    SelectionSource source = SelectionSource::rule) {
    if (number.empty())
        number = "TEST" + std::to_string(1000000 + id);
    return {id, number, score, source, "score " + std::to_string(static_cast<int>(score))};
}

SelectionPolicy policy(int scans, int exams, double share = 0.0, std::uint64_t seed = 7) {
    SelectionPolicy result;
    result.scan_capacity = scans;
    result.exam_capacity = exams;
    result.exploration_share = share;
    result.seed = seed;
    return result;
}

const Decision* find(const SelectionResult& result, std::int64_t id) {
    const auto found = std::find_if(result.selected.begin(), result.selected.end(),
                                    [id](const Decision& d) { return d.id == id; });
    return found == result.selected.end() ? nullptr : &*found;
}

std::vector<std::int64_t> ids_of(const std::vector<Decision>& decisions) {
    std::vector<std::int64_t> ids;
    for (const Decision& decision : decisions)
        ids.push_back(decision.id);
    return ids;
}

std::set<std::int64_t> random_ids(const SelectionResult& result) {
    std::set<std::int64_t> ids;
    for (const Decision& decision : result.selected)
        if (decision.random)
            ids.insert(decision.id);
    return ids;
}

// 200 containers all below the threshold, so every one is in the random pool.
std::vector<Candidate> quiet_day(int count = 200) {
    std::vector<Candidate> candidates;
    for (int idx = 0; idx < count; ++idx)
        candidates.push_back(candidate(idx + 1, idx % 39));
    return candidates;
}

TEST(Selection, RespectsCapacityAndSplitsRedAndYellow) {
    const std::vector<Candidate> candidates = {candidate(1, 90), candidate(2, 80),
                                               candidate(3, 60), candidate(4, 50),
                                               candidate(5, 45), candidate(6, 30)};
    const SelectionResult result = select(candidates, policy(3, 1), {}, kDay);

    EXPECT_EQ(ids_of(result.selected), (std::vector<std::int64_t>{1, 2, 3, 4}));
    EXPECT_EQ(find(result, 1)->lane, Lane::red);
    EXPECT_EQ(find(result, 2)->lane, Lane::yellow);
    EXPECT_EQ(find(result, 2)->reason, "score 80; exam capacity full: scan instead");
    EXPECT_EQ(find(result, 3)->lane, Lane::yellow);
    EXPECT_EQ(find(result, 3)->reason, "score 60");
    EXPECT_EQ(find(result, 4)->rank, 4);
    EXPECT_EQ(result.exams_used, 1);
    EXPECT_EQ(result.scans_used, 3);
    EXPECT_EQ(result.by_score, 4);
    EXPECT_EQ(result.targeted, 4);
    EXPECT_EQ(result.capacity_shortfall, 1); // container 5 reached 40 but found no slot
    EXPECT_EQ(result.pool, 2);               // 5 and 6
    EXPECT_EQ(result.random_slots, 0);
    EXPECT_EQ(result.over_capacity, 0);
}

TEST(Selection, UnusedExamCapacityDoesNotTakeScoresBelowTheRedThreshold) {
    const std::vector<Candidate> candidates = {candidate(1, 65), candidate(2, 55)};
    const SelectionResult result = select(candidates, policy(1, 5), {}, kDay);
    EXPECT_EQ(ids_of(result.selected), (std::vector<std::int64_t>{1}));
    EXPECT_EQ(find(result, 1)->lane, Lane::yellow);
    EXPECT_EQ(result.exams_used, 0);
    EXPECT_EQ(result.capacity_shortfall, 1);
}

TEST(Selection, ThresholdsAreInclusive) {
    const std::vector<Candidate> candidates = {candidate(1, 70), candidate(2, 69.99),
                                               candidate(3, 40), candidate(4, 39.99)};
    const SelectionResult result = select(candidates, policy(10, 10), {}, kDay);
    EXPECT_EQ(find(result, 1)->lane, Lane::red);
    EXPECT_EQ(find(result, 2)->lane, Lane::yellow);
    EXPECT_EQ(find(result, 3)->lane, Lane::yellow);
    EXPECT_EQ(find(result, 4), nullptr);
    EXPECT_EQ(result.capacity_shortfall, 0);
}

TEST(Selection, TiesAreBrokenByContainerNumberThenId) {
    const std::vector<Candidate> candidates = {candidate(5, 50, "BBBU0000001"),
                                               candidate(9, 50, "AAAU0000001"),
                                               candidate(2, 50, "AAAU0000001")};
    const SelectionResult one = select(candidates, policy(1, 0), {}, kDay);
    EXPECT_EQ(ids_of(one.selected), (std::vector<std::int64_t>{2}));
    const SelectionResult two = select(candidates, policy(2, 0), {}, kDay);
    EXPECT_EQ(ids_of(two.selected), (std::vector<std::int64_t>{2, 9}));
    EXPECT_EQ(find(two, 9)->rank, 2);
}

TEST(Selection, UnscoredContainersAreNeverTargetedButMayBePickedAtRandom) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::vector<Candidate> candidates = {candidate(1, nan), candidate(2, 10)};
    const SelectionResult targeted = select(candidates, policy(5, 5), {}, kDay);
    EXPECT_TRUE(targeted.selected.empty());
    EXPECT_EQ(targeted.pool, 2);
    const SelectionResult all_random = select(candidates, policy(2, 0, 1.0), {}, kDay);
    ASSERT_EQ(all_random.selected.size(), 2u);
    EXPECT_EQ(find(all_random, 1)->rank, 2); // unscored ranks last
    EXPECT_TRUE(find(all_random, 1)->random);
}

TEST(Selection, ManualAdditionsUseCapacityFirstAndAreHonouredBeyondIt) {
    const std::vector<Candidate> candidates = {candidate(1, 95), candidate(2, 60), candidate(3, 10),
                                               candidate(4, 5)};
    const std::vector<ManualDecision> manual = {
        {3, true, Lane::red, "tip-off from the port police", "officer-a"},
        {4, true, Lane::yellow, "seal number differs from manifest", "officer-b"}};
    const SelectionResult result = select(candidates, policy(1, 1), manual, kDay);

    // The additions took the exam and the scan, so 1 (95) finds no slot at all.
    ASSERT_NE(find(result, 3), nullptr);
    EXPECT_EQ(find(result, 3)->lane, Lane::red);
    EXPECT_EQ(find(result, 3)->source, SelectionSource::manual);
    EXPECT_EQ(find(result, 3)->officer, "officer-a");
    EXPECT_EQ(find(result, 3)->reason, "tip-off from the port police");
    EXPECT_FALSE(find(result, 3)->over_capacity);
    EXPECT_EQ(find(result, 4)->lane, Lane::yellow);
    EXPECT_EQ(find(result, 1), nullptr);
    EXPECT_EQ(find(result, 2), nullptr);
    EXPECT_EQ(result.capacity_shortfall, 2);
    EXPECT_EQ(result.manual_added, 2);
    EXPECT_EQ(result.targeted, 2);

    // A third addition beyond capacity is still honoured, and reported.
    std::vector<ManualDecision> more = manual;
    more.push_back({1, true, Lane::yellow, "second look", "officer-a"});
    const SelectionResult over = select(candidates, policy(1, 1), more, kDay);
    ASSERT_NE(find(over, 1), nullptr);
    EXPECT_TRUE(find(over, 1)->over_capacity);
    EXPECT_EQ(find(over, 1)->source, SelectionSource::manual);
    EXPECT_EQ(over.over_capacity, 1);
    EXPECT_EQ(over.scans_used, 2);
}

TEST(Selection, ManualAdditionsDoNotTakeTheRandomSlots) {
    // Scan capacity 20 at 5%: exactly one random slot, 19 for additions and targeting.
    std::vector<Candidate> candidates = quiet_day(40);
    std::vector<ManualDecision> manual;
    for (int id = 1; id <= 20; ++id)
        manual.push_back({id, true, Lane::yellow, "hand-picked", "officer-a"});
    const SelectionResult result = select(candidates, policy(20, 0, 0.05), manual, kDay);
    EXPECT_EQ(result.random_slots, 1);
    EXPECT_EQ(result.random_picks, 1);
    EXPECT_EQ(result.over_capacity, 1);
    EXPECT_EQ(result.scans_used, 21);
    EXPECT_EQ(result.pool, 20);
}

TEST(Selection, ManualRemovalsExcludeFromTargetingAndFromRandomPicks) {
    const std::vector<Candidate> candidates = {candidate(1, 90), candidate(2, 80), candidate(3, 10),
                                               candidate(4, 5)};
    const std::vector<ManualDecision> manual = {
        {1, false, Lane::green, "inspected at the port of loading", "officer-c"},
        {4, false, Lane::green, "diplomatic cargo", "officer-c"}};
    // Every scan slot is random and there are more slots than containers left.
    const SelectionResult result = select(candidates, policy(10, 0, 1.0), manual, kDay);
    EXPECT_EQ(find(result, 1), nullptr);
    EXPECT_EQ(find(result, 4), nullptr);
    EXPECT_EQ(random_ids(result), (std::set<std::int64_t>{2, 3}));
    ASSERT_EQ(result.removed.size(), 2u);
    EXPECT_EQ(result.removed[0].id, 1);
    EXPECT_EQ(result.removed[0].lane, Lane::green);
    EXPECT_EQ(result.removed[0].reason, "inspected at the port of loading");
    EXPECT_EQ(result.pool, 2);
}

TEST(Selection, RemovedContainerIsNeverPickedAtRandomOverManySeeds) {
    const std::vector<Candidate> candidates = quiet_day(3);
    const std::vector<ManualDecision> manual = {{2, false, Lane::green, "trusted", "officer-c"}};
    std::map<std::int64_t, int> picks;
    for (std::uint64_t seed = 0; seed < 300; ++seed) {
        const SelectionResult result = select(candidates, policy(20, 0, 0.05, seed), manual, kDay);
        ASSERT_EQ(result.random_picks, 1);
        for (const std::int64_t id : random_ids(result))
            ++picks[id];
    }
    EXPECT_EQ(picks.count(2), 0u);
    EXPECT_GT(picks[1], 100);
    EXPECT_GT(picks[3], 100);
}

TEST(Selection, LastManualDecisionWinsAndBadOnesAreReported) {
    const std::vector<Candidate> candidates = {candidate(1, 90), candidate(2, 20)};
    const std::vector<ManualDecision> manual = {
        {1, false, Lane::green, "looked fine", "officer-a"},
        {1, true, Lane::red, "changed my mind", "officer-a"},
        {2, true, Lane::yellow, "odd route", "officer-b"},
        {2, false, Lane::green, "route explained", "officer-b"},
        {77, true, Lane::yellow, "typo", "officer-d"},
        {1, true, Lane::green, "green is no addition", "officer-d"}};
    const SelectionResult result = select(candidates, policy(5, 5), manual, kDay);
    // The last decision for 1 is the invalid green addition: skipped, so 1 is targeted by score.
    ASSERT_NE(find(result, 1), nullptr);
    EXPECT_EQ(find(result, 1)->source, SelectionSource::rule);
    EXPECT_EQ(find(result, 2), nullptr);
    ASSERT_EQ(result.removed.size(), 1u);
    EXPECT_EQ(result.removed[0].reason, "route explained");
    ASSERT_EQ(result.problems.size(), 2u);
    EXPECT_EQ(result.problems[0],
              "manual addition by officer-d: container id 77 is not among the day's candidates");
    EXPECT_EQ(result.problems[1], "manual addition of container TEST1000001 by officer-d: an "
                                  "addition needs the yellow or red lane");

    const std::vector<ManualDecision> add_then_remove = {
        {1, true, Lane::red, "tip-off", "officer-a"},
        {1, false, Lane::green, "tip-off withdrawn", "officer-a"}};
    const SelectionResult removed = select(candidates, policy(5, 5), add_then_remove, kDay);
    EXPECT_EQ(find(removed, 1), nullptr);
    EXPECT_EQ(removed.exams_used, 0);
}

TEST(Selection, ExplorationShareSizeAndMarking) {
    std::vector<Candidate> candidates = quiet_day();
    candidates.push_back(candidate(1000, 99));
    const SelectionResult result = select(candidates, policy(100, 1, 0.05), {}, kDay);
    EXPECT_EQ(result.random_slots, 5);
    EXPECT_EQ(result.random_picks, 5);
    EXPECT_EQ(result.targeted, 1);
    EXPECT_EQ(result.scans_used, 5);
    EXPECT_EQ(result.pool, 200);
    for (const Decision& decision : result.selected) {
        if (decision.id == 1000) {
            EXPECT_FALSE(decision.random);
            continue;
        }
        EXPECT_TRUE(decision.random);
        EXPECT_EQ(decision.source, SelectionSource::random);
        EXPECT_EQ(decision.lane, Lane::yellow);
        EXPECT_EQ(decision.reason, "random exploration (5% share)");
    }
    const SelectionResult half = select(candidates, policy(200, 0, 0.025), {}, kDay);
    EXPECT_EQ(half.random_slots, 5);
    EXPECT_EQ(half.selected.back().reason, "random exploration (2.5% share)");
}

TEST(Selection, RandomSlotsRoundAtRandomSoTheLongRunShareIsExact) {
    EXPECT_EQ(random_slots(policy(100, 0, 0.07), kDay), 7); // 7.000000000000001 in binary
    EXPECT_EQ(random_slots(policy(100, 0, 0.0), kDay), 0);
    EXPECT_EQ(random_slots(policy(0, 3, 0.5), kDay), 0);
    EXPECT_EQ(random_slots(policy(9, 0, 1.0), kDay), 9);
    // 10 × 5% = 0.5 slot a day: 0 or 1, one day in two; 30 × 5% = 1.5: 1 or 2.
    int slots_small = 0;
    int slots_large = 0;
    constexpr int kDays = 4000;
    for (int day = 0; day < kDays; ++day) {
        const std::string name = "day-" + std::to_string(day);
        const int small = random_slots(policy(10, 0, 0.05, 11), name);
        const int large = random_slots(policy(30, 0, 0.05, 11), name);
        ASSERT_TRUE(small == 0 || small == 1);
        ASSERT_TRUE(large == 1 || large == 2);
        slots_small += small;
        slots_large += large;
    }
    // Mean 0.5 with standard error 0.5 / √4000 ≈ 0.008: ±0.04 is five standard errors.
    EXPECT_NEAR(static_cast<double>(slots_small) / kDays, 0.5, 0.04);
    EXPECT_NEAR(static_cast<double>(slots_large) / kDays, 1.5, 0.04);
    EXPECT_THROW(random_slots(policy(10, 0, 1.5), kDay), std::invalid_argument);
}

TEST(Selection, SameInputsAndSeedGiveTheSameResultWhateverTheInputOrder) {
    std::vector<Candidate> candidates = quiet_day();
    candidates.push_back(candidate(501, 85));
    candidates.push_back(candidate(502, 55));
    const SelectionPolicy day_policy = policy(40, 1, 0.05, 2024);
    const SelectionResult first = select(candidates, day_policy, {}, kDay);
    const SelectionResult again = select(candidates, day_policy, {}, kDay);
    std::vector<Candidate> shuffled(candidates.rbegin(), candidates.rend());
    std::rotate(shuffled.begin(), shuffled.begin() + 77, shuffled.end());
    const SelectionResult reordered = select(shuffled, day_policy, {}, kDay);

    ASSERT_EQ(first.random_picks, 2);
    EXPECT_EQ(ids_of(first.selected), ids_of(again.selected));
    EXPECT_EQ(ids_of(first.selected), ids_of(reordered.selected));
    for (std::size_t idx = 0; idx < first.selected.size(); ++idx) {
        EXPECT_EQ(first.selected[idx].lane, reordered.selected[idx].lane);
        EXPECT_EQ(first.selected[idx].rank, reordered.selected[idx].rank);
    }
}

TEST(Selection, DifferentSeedsOrDaysPickDifferently) {
    const std::vector<Candidate> candidates = quiet_day();
    const auto picks = [&](std::uint64_t seed, std::string_view day) {
        return random_ids(select(candidates, policy(100, 0, 0.05, seed), {}, day));
    };
    EXPECT_NE(picks(1, kDay), picks(2, kDay));
    EXPECT_NE(picks(1, kDay), picks(1, "2024-05-02"));
    EXPECT_EQ(picks(1, kDay), picks(1, kDay));
}

TEST(Selection, RandomPicksDoNotDependOnTheOtherContainersScores) {
    std::vector<Candidate> candidates = quiet_day();
    const auto before = random_ids(select(candidates, policy(100, 0, 0.05, 5), {}, kDay));
    for (Candidate& each : candidates)
        each.score = 39 - each.score; // reverse the order, all still below the threshold
    const auto after = random_ids(select(candidates, policy(100, 0, 0.05, 5), {}, kDay));
    EXPECT_EQ(before, after);
}

TEST(Selection, RandomPicksAreRoughlyUniformOverSeeds) {
    // 20 pool members, one random slot a day, 4000 seeds: 200 picks each expected. Chi-square
    // with 19 degrees of freedom exceeds 50 with probability about 1e-4; the seeds are fixed, so
    // the test is deterministic.
    const std::vector<Candidate> candidates = quiet_day(20);
    std::map<std::int64_t, int> picks;
    constexpr int kSeeds = 4000;
    for (int seed = 0; seed < kSeeds; ++seed) {
        const SelectionResult result = select(candidates, policy(20, 0, 0.05, seed), {}, kDay);
        ASSERT_EQ(result.random_picks, 1);
        ++picks[result.selected.front().id];
    }
    ASSERT_EQ(picks.size(), 20u);
    const double expected = kSeeds / 20.0;
    double chi_square = 0;
    for (const auto& [id, count] : picks) {
        EXPECT_GT(count, 140) << "container " << id;
        EXPECT_LT(count, 260) << "container " << id;
        chi_square += (count - expected) * (count - expected) / expected;
    }
    EXPECT_LT(chi_square, 50.0);
}

TEST(Selection, KeyedHashIsStable) {
    // Computed with an independent implementation of FNV-1a 64 and SplitMix64; a change here
    // would change which containers past days picked, so it must be deliberate.
    EXPECT_EQ(selection_key(0, "2024-05-01", "MSCU1234565"), 0x5a738ff67c3c85a6ULL);
    EXPECT_EQ(selection_key(42, "2024-05-01", "MSCU1234565"), 0xa9eadc8bcbf0f230ULL);
    EXPECT_EQ(selection_key(42, "2024-05-02", "MSCU1234565"), 0xbe766724c62f2ebaULL);
}

TEST(Selection, RejectsInvalidInputNamingEveryProblem) {
    SelectionPolicy bad = policy(-1, -2, 1.5);
    bad.threshold = std::numeric_limits<double>::quiet_NaN();
    try {
        select({}, bad, {}, kDay);
        FAIL() << "expected std::invalid_argument";
    } catch (const std::invalid_argument& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find("scan capacity -1 is negative"), std::string::npos) << message;
        EXPECT_NE(message.find("exam capacity -2 is negative"), std::string::npos) << message;
        EXPECT_NE(message.find("threshold is not a number"), std::string::npos) << message;
        EXPECT_NE(message.find("exploration share 1.5 is not between 0 and 1"), std::string::npos)
            << message;
    }
    const std::vector<Candidate> duplicate = {candidate(1, 50), candidate(1, 60)};
    EXPECT_THROW(select(duplicate, policy(1, 1), {}, kDay), std::invalid_argument);
    const std::vector<Candidate> random_source = {candidate(1, 50, {}, SelectionSource::random)};
    EXPECT_THROW(select(random_source, policy(1, 1), {}, kDay), std::invalid_argument);
}

TEST(Selection, EmptyDayAndZeroCapacity) {
    const SelectionResult empty = select({}, policy(10, 2, 0.05), {}, kDay);
    EXPECT_TRUE(empty.selected.empty());
    EXPECT_EQ(empty.random_picks, 0);
    EXPECT_EQ(empty.pool, 0);
    const std::vector<Candidate> candidates = {candidate(1, 90), candidate(2, 10)};
    const SelectionResult none = select(candidates, policy(0, 0, 0.05), {}, kDay);
    EXPECT_TRUE(none.selected.empty());
    EXPECT_EQ(none.capacity_shortfall, 1);
    EXPECT_EQ(none.pool, 2);
    EXPECT_EQ(to_string(Lane::red), "red");
    EXPECT_EQ(to_string(SelectionSource::watchlist), "watchlist");
}

} // namespace
} // namespace portscreen::profiling
