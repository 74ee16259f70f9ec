#include "estimates.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unordered_map>

namespace portscreen::profiling {
namespace {

constexpr std::array kAllSources = {SelectionSource::rule,      SelectionSource::model,
                                    SelectionSource::watchlist, SelectionSource::alert,
                                    SelectionSource::random,    SelectionSource::manual};
static_assert(kAllSources.size() == kSelectionSourceCount);

double ratio(double numerator, double denominator) {
    return denominator > 0 ? numerator / denominator : 0.0;
}

InspectionCounts& operator+=(InspectionCounts& total, const InspectionCounts& counts) {
    total.inspected += counts.inspected;
    total.findings += counts.findings;
    return total;
}

InspectionCounts targeted_counts_of(const DayOutcomes& day) {
    InspectionCounts total;
    for (const SelectionSource source : kAllSources)
        if (source != SelectionSource::random)
            total += day[source];
    return total;
}

void check_counts(const DayOutcomes& day, std::vector<std::string>& problems) {
    const std::string where = "day " + day.day + ": ";
    if (day.targeted < 0 || day.not_targeted < 0)
        problems.push_back(where + "negative population");
    for (const SelectionSource source : kAllSources) {
        const InspectionCounts& counts = day[source];
        const std::string name(to_string(source));
        if (counts.inspected < 0 || counts.findings < 0)
            problems.push_back(where + name + " counts are negative");
        if (counts.findings > counts.inspected)
            problems.push_back(where + name + " findings " + std::to_string(counts.findings) +
                               " exceed inspections " + std::to_string(counts.inspected));
    }
    const InspectionCounts targeted = targeted_counts_of(day);
    if (targeted.inspected > day.targeted)
        problems.push_back(where + "targeted inspections " + std::to_string(targeted.inspected) +
                           " exceed the targeted containers " + std::to_string(day.targeted));
    if (day[SelectionSource::random].inspected > day.not_targeted)
        problems.push_back(
            where + "random inspections " + std::to_string(day[SelectionSource::random].inspected) +
            " exceed the not-targeted containers " + std::to_string(day.not_targeted));
}

} // namespace

Interval wilson_interval(double successes, double trials, double z) {
    if (!(trials > 0))
        return {0.0, 1.0};
    const double share = std::clamp(successes / trials, 0.0, 1.0);
    const double z2 = z * z;
    const double centre = (share + z2 / (2 * trials)) / (1 + z2 / trials);
    const double half_width = z / (1 + z2 / trials) *
                              std::sqrt(share * (1 - share) / trials + z2 / (4 * trials * trials));
    // At 0 or all successes the bound is exactly 0 or 1; rounding would leave a tiny residue.
    const double lower = successes <= 0 ? 0.0 : std::max(0.0, centre - half_width);
    const double upper = successes >= trials ? 1.0 : std::min(1.0, centre + half_width);
    return {lower, upper};
}

Estimate binomial_estimate(std::int64_t successes, std::int64_t trials, double z) {
    const Interval interval =
        wilson_interval(static_cast<double>(successes), static_cast<double>(trials), z);
    if (trials <= 0)
        return {interval.lower, interval.lower, interval.upper, false};
    return {static_cast<double>(successes) / static_cast<double>(trials), interval.lower,
            interval.upper, true};
}

DayOutcomes tally_outcomes(const SelectionResult& selection,
                           std::span<const ContainerOutcome> outcomes) {
    DayOutcomes day;
    day.day = selection.day;
    day.targeted = selection.targeted;
    day.not_targeted = selection.pool;
    std::unordered_map<std::int64_t, InspectionOutcome> outcome_of;
    for (const ContainerOutcome& outcome : outcomes)
        outcome_of[outcome.id] = outcome.outcome;
    for (const Decision& decision : selection.selected) {
        const auto found = outcome_of.find(decision.id);
        if (found == outcome_of.end() || found->second == InspectionOutcome::unknown)
            continue;
        InspectionCounts& counts = day[decision.source];
        ++counts.inspected;
        counts.findings += found->second == InspectionOutcome::finding ? 1 : 0;
    }
    return day;
}

HitRateEstimates estimate_hit_rates(std::span<const DayOutcomes> days, double z) {
    std::vector<std::string> problems;
    for (const DayOutcomes& day : days)
        check_counts(day, problems);
    if (!problems.empty()) {
        std::string message = "inconsistent outcome counts";
        for (const auto& problem : problems)
            message += (&problem == &problems.front() ? ": " : "; ") + problem;
        throw std::invalid_argument(message);
    }

    HitRateEstimates result;
    result.days = static_cast<int>(days.size());
    for (std::size_t source_idx = 0; source_idx < kSelectionSourceCount; ++source_idx)
        result.by_source[source_idx].source = kAllSources[source_idx];

    // Each random pick stands for pool / picks containers of its day. Days differ in that weight
    // (same slots, different pool sizes), so a plain pooled rate would over-weight quiet days.
    double weight_sum = 0;         // Σ pool_d over days with random outcomes
    double weighted_findings = 0;  // Σ pool_d · findings_d / picks_d
    double squared_weight_sum = 0; // Σ pool_d² / picks_d
    for (const DayOutcomes& day : days) {
        result.targeted += day.targeted;
        result.not_targeted += day.not_targeted;
        for (std::size_t source_idx = 0; source_idx < kSelectionSourceCount; ++source_idx)
            result.by_source[source_idx].counts += day.by_source[source_idx];
        result.targeted_counts += targeted_counts_of(day);
        const InspectionCounts& random = day[SelectionSource::random];
        result.random_counts += random;
        if (random.inspected == 0) {
            result.days_without_random += day.not_targeted > 0 ? 1 : 0;
            continue;
        }
        const auto pool = static_cast<double>(day.not_targeted);
        const auto picks = static_cast<double>(random.inspected);
        weight_sum += pool;
        weighted_findings += pool * static_cast<double>(random.findings) / picks;
        squared_weight_sum += pool * pool / picks;
    }
    for (auto& source : result.by_source)
        source.hit_rate = binomial_estimate(source.counts.findings, source.counts.inspected, z);
    result.targeted_hit_rate =
        binomial_estimate(result.targeted_counts.findings, result.targeted_counts.inspected, z);

    // Wilson interval on the Kish effective sample size (Σw)² / Σw², as done for weighted
    // survey proportions; with equal weights it is the plain interval on the pooled counts.
    Estimate& rest = result.rest_finding_rate;
    if (weight_sum > 0) {
        const double rate = weighted_findings / weight_sum;
        result.random_effective_size = weight_sum * weight_sum / squared_weight_sum;
        const Interval interval =
            wilson_interval(rate * result.random_effective_size, result.random_effective_size, z);
        rest = {rate, interval.lower, interval.upper, true};
    }

    const auto targeted_findings = static_cast<double>(result.targeted_counts.findings);
    const auto rest_count = static_cast<double>(result.not_targeted);
    const auto all = static_cast<double>(result.targeted + result.not_targeted);
    // With no pool the rest rate does not matter, even when nothing could estimate it.
    const bool rest_known = rest.defined || result.not_targeted == 0;
    result.rest_findings = rest.value * rest_count;

    const auto overall = [&](double rest_rate) {
        return ratio(targeted_findings + rest_rate * rest_count, all);
    };
    result.overall_finding_rate = {overall(rest.value), overall(rest.lower), overall(rest.upper),
                                   all > 0 && rest_known};

    // Decreasing in the rest rate, so the interval's ends swap. With no targeted findings the
    // share is 0 for every positive rest rate: 0 is also its limit at a rest rate of 0.
    const auto detection = [&](double rest_rate) {
        return ratio(targeted_findings, targeted_findings + rest_rate * rest_count);
    };
    const bool anything_found = targeted_findings + rest.value * rest_count > 0;
    result.detection_rate = {detection(rest.value), detection(rest.upper), detection(rest.lower),
                             anything_found && rest_known};
    if (!rest_known) {
        result.overall_finding_rate.value = result.overall_finding_rate.lower;
        result.detection_rate.value = result.detection_rate.lower;
    }
    return result;
}

BacktestReport backtest(std::span<const BacktestDayInput> days, const SelectionPolicy& policy,
                        double z) {
    BacktestReport report;
    for (const BacktestDayInput& input : days) {
        std::vector<Candidate> candidates;
        candidates.reserve(input.containers.size());
        for (const BacktestContainer& container : input.containers)
            candidates.push_back({container.id,
                                  container.container_number,
                                  container.score,
                                  SelectionSource::rule,
                                  {}});
        SelectionResult selection;
        try {
            selection = select(candidates, policy, {}, input.day);
        } catch (const std::invalid_argument& error) {
            throw std::invalid_argument("backtest day " + input.day + ": " + error.what());
        }

        std::unordered_map<std::int64_t, bool> targeted;
        for (const Decision& decision : selection.selected)
            targeted[decision.id] = !decision.random;

        BacktestDay day;
        day.day = input.day;
        day.containers = selection.candidates;
        day.capacity = policy.scan_capacity - selection.random_slots + policy.exam_capacity;
        day.selected = selection.by_score;
        day.over_capacity = selection.capacity_shortfall;
        day.spare_capacity = day.capacity - day.selected;
        for (const BacktestContainer& container : input.containers) {
            const bool above = container.score >= policy.threshold; // false for NaN
            day.above_threshold += above ? 1 : 0;
            if (container.outcome == InspectionOutcome::unknown)
                continue;
            const bool finding = container.outcome == InspectionOutcome::finding;
            ++report.known.inspected;
            report.known.findings += finding ? 1 : 0;
            const auto found = targeted.find(container.id);
            if (found != targeted.end() && found->second) {
                ++day.known_selected;
                day.findings_selected += finding ? 1 : 0;
                continue;
            }
            if (!finding)
                continue;
            ++day.findings_missed;
            ++(above ? report.missed_over_capacity : report.missed_below_threshold);
        }

        report.containers += day.containers;
        report.above_threshold += day.above_threshold;
        report.selected += day.selected;
        report.selected_known.inspected += day.known_selected;
        report.selected_known.findings += day.findings_selected;
        report.missed_findings += day.findings_missed;
        report.days_over_capacity += day.over_capacity > 0 ? 1 : 0;
        report.days_with_spare_capacity += day.spare_capacity > 0 ? 1 : 0;
        report.days.push_back(std::move(day));
    }
    report.hit_rate =
        binomial_estimate(report.selected_known.findings, report.selected_known.inspected, z);
    return report;
}

} // namespace portscreen::profiling
