#pragma once

#include "selection.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

/// Hit-rate estimates with confidence intervals from recorded inspections, and the arithmetic of
/// a backtest: what a draft rule set would have selected on past days. Pure functions.
namespace portscreen::profiling {

/// Two-sided 95% normal quantile.
inline constexpr double kZ95 = 1.959963984540054;

struct Interval {
    double lower = 0;
    double upper = 1;
};

/// Wilson score interval for a binomial proportion (Wilson 1927, JASA 22:209–212; recommended
/// over the Wald interval by Agresti and Coull 1998, Am. Stat. 52:119–126, and Newcombe 1998,
/// Stat. Med. 17:857–872). Counts may be fractional (effective counts from weighted samples).
/// Never leaves [0, 1]; 0 successes give [0, upper], and 0 trials [0, 1].
Interval wilson_interval(double successes, double trials, double z = kZ95);

/// A proportion or a quantity derived from one, with its confidence interval.
struct Estimate {
    double value = 0; ///< point estimate; repeats `lower` when not defined
    double lower = 0;
    double upper = 1;
    bool defined = false; ///< false when the data give no point estimate (e.g. nothing inspected);
                          ///< the interval still holds what the data bound
};

/// successes / trials with its Wilson interval; undefined, [0, 1], when trials is 0.
Estimate binomial_estimate(std::int64_t successes, std::int64_t trials, double z = kZ95);

/// What an inspection found. A no-find is data; unknown means not inspected or not yet recorded.
enum class InspectionOutcome : std::uint8_t { unknown, no_find, finding };

struct InspectionCounts {
    std::int64_t inspected = 0; ///< with a recorded outcome: no-find or finding
    std::int64_t findings = 0;
};

/// One day's selection with its recorded outcomes, as counts.
struct DayOutcomes {
    std::string day;
    std::int64_t targeted = 0;     ///< selected by score or by hand (SelectionResult::targeted)
    std::int64_t not_targeted = 0; ///< the pool random picks were drawn from, picks included
                                   ///< (SelectionResult::pool); removed containers are in neither
    /// Outcomes by why the container was selected, indexed by SelectionSource; `random` holds
    /// the random picks, the others the targeted containers.
    std::array<InspectionCounts, kSelectionSourceCount> by_source{};

    InspectionCounts& operator[](SelectionSource source) {
        return by_source[static_cast<std::size_t>(source)];
    }
    const InspectionCounts& operator[](SelectionSource source) const {
        return by_source[static_cast<std::size_t>(source)];
    }
};

struct ContainerOutcome {
    std::int64_t id = 0;
    InspectionOutcome outcome = InspectionOutcome::unknown;
};

/// Counts a day's outcomes against its selection. Outcomes of containers the selection did not
/// select (released or removed ones opened for other reasons) belong to no sample and are
/// ignored; when an id repeats, its last outcome counts.
DayOutcomes tally_outcomes(const SelectionResult& selection,
                           std::span<const ContainerOutcome> outcomes);

struct SourceHitRate {
    SelectionSource source = SelectionSource::rule;
    InspectionCounts counts;
    Estimate hit_rate; ///< findings / inspected
};

/// Estimates over one or more days; every interval is 95% by default.
struct HitRateEstimates {
    int days = 0;
    int days_without_random = 0; ///< days with a pool but no random outcome: their pool is
                                 ///< assumed to find at the rate of the other days
    std::int64_t targeted = 0;   ///< containers, summed over days
    std::int64_t not_targeted = 0;
    InspectionCounts targeted_counts; ///< outcomes of targeted containers
    InspectionCounts random_counts;   ///< outcomes of random picks
    double random_effective_size = 0; ///< Kish effective sample size of the weighted random picks
    double rest_findings = 0;         ///< estimated findings among the not-targeted

    /// targeted findings / targeted inspected.
    Estimate targeted_hit_rate;
    /// Finding rate among the not-targeted, from the random picks, each day weighted by its pool
    /// per pick so that days sampled more thinly count for more containers.
    Estimate rest_finding_rate;
    /// (targeted findings + rest rate × not-targeted) / (targeted + not-targeted); the interval
    /// maps the rest rate's.
    Estimate overall_finding_rate;
    /// Share of all findings that targeting caught: targeted findings / (targeted findings +
    /// rest rate × not-targeted). The targeted findings count as known; the interval maps the
    /// rest rate's (the function decreases in it). With no targeted findings it is 0 whenever
    /// anything is to be found, and undefined when nothing was found anywhere.
    Estimate detection_rate;
    std::array<SourceHitRate, kSelectionSourceCount> by_source{}; ///< indexed by SelectionSource
};

/// Throws std::invalid_argument, naming every inconsistent count (negative, findings above
/// inspections, inspections above the population).
HitRateEstimates estimate_hit_rates(std::span<const DayOutcomes> days, double z = kZ95);

/// One container of a past day, scored by the draft rule set, with what its inspection found.
struct BacktestContainer {
    std::int64_t id = 0;
    std::string container_number;
    double score = 0; ///< under the draft; crossing the threshold is read from it and the policy
    InspectionOutcome outcome = InspectionOutcome::unknown;
};

struct BacktestDayInput {
    std::string day;
    std::vector<BacktestContainer> containers;
};

/// What the draft would have done on one day, through the same `select` as live selection.
struct BacktestDay {
    std::string day;
    int containers = 0;
    int above_threshold = 0; ///< the draft would target these given unlimited capacity
    int capacity = 0;       ///< slots for targeting: scan capacity − random slots + exam capacity
    int selected = 0;       ///< targeted within capacity
    int over_capacity = 0;  ///< above the threshold but no slot left: the draft asks too much
    int spare_capacity = 0; ///< capacity − selected: slots the draft leaves unused
    int known_selected = 0; ///< selected containers with a known outcome
    int findings_selected = 0;
    int findings_missed = 0; ///< known findings the draft would not have targeted
};

/// Backtest over all days. Known outcomes come from past selections, so they over-represent
/// what the old rules liked: a hit rate on them is indicative, not an unbiased estimate.
struct BacktestReport {
    std::vector<BacktestDay> days;
    int days_over_capacity = 0;       ///< days with over_capacity > 0
    int days_with_spare_capacity = 0; ///< days with spare_capacity > 0
    std::int64_t containers = 0;
    std::int64_t above_threshold = 0;
    std::int64_t selected = 0;
    InspectionCounts known;           ///< containers with a known outcome, and findings among them
    InspectionCounts selected_known;  ///< of those, the ones the draft would have targeted
    Estimate hit_rate;                ///< selected_known.findings / selected_known.inspected
    std::int64_t missed_findings = 0; ///< known findings not targeted, summed below
    std::int64_t missed_below_threshold = 0; ///< their draft score was under the threshold
    std::int64_t missed_over_capacity = 0;   ///< at or above the threshold, but no slot left
};

/// Runs `select` on each day with the draft scores and no manual decisions, and compares with
/// the known outcomes. Throws std::invalid_argument (naming the day) on what `select` rejects.
BacktestReport backtest(std::span<const BacktestDayInput> days, const SelectionPolicy& policy,
                        double z = kZ95);

} // namespace portscreen::profiling
