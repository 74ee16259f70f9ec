#pragma once

#include "exports/exports.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

/// Programme statistics for a period: what the dashboard shows and the `statistics` export.
namespace portscreen::exports {

/// A rate with its 95% interval. `defined` is false when the data give no point estimate
/// (nothing inspected); `value` then repeats `low` and the interval still holds what is known.
struct RateEstimate {
    double value = 0;
    double low = 0;
    double high = 1;
    bool defined = false;
};

/// The selection sources, in the order they are reported.
inline constexpr std::array<std::string_view, 6> kSources = {"rule",  "model",  "watchlist",
                                                             "alert", "random", "manual"};

/// Containers selected from one source in the period, by lane, and what their inspections found.
struct SourceStatistics {
    std::string source;
    std::int64_t red = 0;
    std::int64_t yellow = 0;
    std::int64_t selected = 0;  ///< red + yellow (+ any other lane stored)
    std::int64_t inspected = 0; ///< of the selected, those with a recorded outcome
    std::int64_t findings = 0;  ///< of those, seizures
    RateEstimate hit_rate;      ///< findings / inspected, Wilson 95%
};

/// One month (YYYY-MM) of the period.
struct MonthStatistics {
    std::string month;
    std::int64_t containers_screened = 0; ///< by the month of the call's ETA
    std::int64_t selected = 0;            ///< by selection day
    std::int64_t inspected = 0;           ///< by inspection day
    std::int64_t findings = 0;            ///< seizures, by inspection day
};

/// Seizures of one category, in total and per month of the period (aligned with
/// Statistics::months).
struct CategoryStatistics {
    std::string category;
    std::int64_t findings = 0;
    std::vector<std::int64_t> by_month;
};

/// How one rule of the rule sets did: over the containers of the period whose stored score
/// names it as a factor of kind `rule`.
struct RuleStatistics {
    std::string rule_id;
    std::int64_t fired = 0;     ///< containers whose score it contributed to
    std::int64_t selected = 0;  ///< of those, selected (any source)
    std::int64_t inspected = 0; ///< of those fired, with a recorded outcome
    std::int64_t findings = 0;  ///< of those inspected, seizures
    RateEstimate hit_rate;      ///< findings / inspected, Wilson 95%
};

/// What the random share implies for the period (scoring::estimate_days, docs/selection.md).
struct RandomShareEstimates {
    int days = 0;                ///< selection days in the period
    int days_without_random = 0; ///< with a pool but no random outcome
    std::int64_t targeted = 0;
    std::int64_t not_targeted = 0;
    std::int64_t targeted_inspected = 0;
    std::int64_t targeted_findings = 0;
    std::int64_t random_inspected = 0;
    std::int64_t random_findings = 0;
    RateEstimate targeted_hit_rate;
    RateEstimate rest_finding_rate;    ///< among the not-targeted, from the random picks
    RateEstimate overall_finding_rate; ///< over all containers of the selection days
    RateEstimate detection_rate;       ///< share of all findings that targeting caught
};

/// Programme statistics of a period.
struct Statistics {
    Period period;
    std::int64_t containers = 0;          ///< on vessel calls with ETA in the period
    std::int64_t containers_screened = 0; ///< of those, with a stored score
    std::int64_t selected = 0;            ///< selected on days of the period
    std::int64_t inspected = 0;           ///< outcomes recorded for days of the period
    std::int64_t no_finds = 0;
    std::int64_t findings = 0;                  ///< seizures among `inspected`
    std::vector<SourceStatistics> by_source;    ///< one per kSources entry, in that order
    std::vector<MonthStatistics> months;        ///< every month of the period, ascending
    std::vector<CategoryStatistics> categories; ///< categories with findings, by name
    RandomShareEstimates estimates;
    std::vector<RuleStatistics> rules; ///< by rule id
};

/// Computes the statistics of the period. Reads one snapshot for the counts, then the stored
/// selection days for the estimates (scoring::estimate_days takes its own snapshot).
Statistics statistics(storage::Database& db, const Period& period);

/// The statistics as tables, for CSV and XLSX: summary, selected_by_source, findings_by_month
/// (category × month), monthly, random_share, rules.
std::vector<Table> statistics_tables(const Statistics& stats);

/// The statistics as the JSON object the dashboard reads (keys snake_case; monthly arrays in
/// ascending month order; every rate as {"value", "low", "high", "defined"}):
///
///     {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD",
///      "containers": n, "containers_screened": n, "selected": n, "inspected": n,
///      "no_finds": n, "findings": n,
///      "by_source": [{"source": "rule", "red": n, "yellow": n, "selected": n,
///                     "inspected": n, "findings": n, "hit_rate": rate}, ...],  // kSources order
///      "months": [{"month": "YYYY-MM", "containers_screened": n, "selected": n,
///                  "inspected": n, "findings": n}, ...],
///      "findings_by_category": [{"category": "drugs", "findings": n,
///                                "by_month": [n, ...]}, ...],  // by_month aligned with months
///      "random_share": {"days": n, "days_without_random": n, "targeted": n,
///                       "not_targeted": n, "targeted_inspected": n, "targeted_findings": n,
///                       "random_inspected": n, "random_findings": n,
///                       "targeted_hit_rate": rate, "rest_finding_rate": rate,
///                       "overall_finding_rate": rate, "detection_rate": rate},
///      "rules": [{"rule_id": "R1", "fired": n, "selected": n, "inspected": n,
///                 "findings": n, "hit_rate": rate}, ...]}  // by rule id
std::string statistics_json(const Statistics& stats);

} // namespace portscreen::exports
