#include "exports/statistics.hpp"

#include "estimates.hpp"
#include "exports/selected.hpp"
#include "scoring/selection_store.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <stdexcept>
#include <utility>

namespace portscreen::exports {
namespace {

using storage::Database;
using storage::Statement;

RateEstimate rate(std::int64_t findings, std::int64_t inspected) {
    const auto estimate = profiling::binomial_estimate(findings, inspected);
    return {estimate.value, estimate.lower, estimate.upper, estimate.defined};
}

RateEstimate rate(const profiling::Estimate& estimate) {
    return {estimate.value, estimate.lower, estimate.upper, estimate.defined};
}

/// Every month (YYYY-MM) from the month of `from` to that of `to`, ascending.
std::vector<std::string> months_of(const Period& period) {
    int year = std::stoi(period.from.substr(0, 4));
    int month = std::stoi(period.from.substr(5, 2));
    const int last_year = std::stoi(period.to.substr(0, 4));
    const int last_month = std::stoi(period.to.substr(5, 2));
    std::vector<std::string> months;
    while (year < last_year || (year == last_year && month <= last_month)) {
        std::string text = std::to_string(year);
        text.insert(0, 4 - std::min<std::size_t>(text.size(), 4), '0');
        text.append(month < 10 ? "-0" : "-").append(std::to_string(month));
        months.push_back(std::move(text));
        if (++month > 12) {
            month = 1;
            ++year;
        }
    }
    return months;
}

std::size_t source_index(std::string_view source) {
    for (std::size_t index = 0; index < kSources.size(); ++index) {
        if (kSources[index] == source)
            return index;
    }
    return kSources.size();
}

/// The rule ids among a stored score's factors (kind "rule"), each once.
std::set<std::string> fired_rules(std::int64_t container_id, std::string_view factors_text) {
    const auto factors = nlohmann::json::parse(factors_text, nullptr, false);
    if (factors.is_discarded() || !factors.is_array())
        throw std::runtime_error(std::string("the stored score of container row ")
                                     .append(std::to_string(container_id))
                                     .append(" has factors that are not a JSON array"));
    std::set<std::string> rules;
    for (const auto& factor : factors) {
        if (!factor.is_object())
            continue;
        const auto kind = factor.find("kind");
        const auto id = factor.find("id");
        if (kind == factor.end() || id == factor.end() || !kind->is_string() || !id->is_string() ||
            *kind != "rule")
            continue;
        rules.insert(id->get<std::string>());
    }
    return rules;
}

void count_containers(Database& db, Statistics& stats, std::map<std::string, std::size_t>& month) {
    Statement query(db, "SELECT substr(v.eta, 1, 7), count(*), count(sc.container_id) "
                        "FROM containers c JOIN vessel_calls v ON v.id = c.vessel_call_id "
                        "LEFT JOIN scores sc ON sc.container_id = c.id "
                        "WHERE v.eta >= ?1 AND v.eta < date(?2, '+1 day') GROUP BY 1");
    query.bind(1, stats.period.from);
    query.bind(2, stats.period.to);
    while (query.step()) {
        stats.containers += query.column_int64(1);
        stats.containers_screened += query.column_int64(2);
        if (const auto found = month.find(query.column_text(0)); found != month.end())
            stats.months[found->second].containers_screened += query.column_int64(2);
    }
}

void count_selected(Database& db, Statistics& stats, std::map<std::string, std::size_t>& month) {
    for (const auto& row : detail::selected_containers(db, stats.period)) {
        ++stats.selected;
        if (const auto found = month.find(row.day.substr(0, 7)); found != month.end())
            ++stats.months[found->second].selected;
        const std::size_t index = source_index(row.source);
        if (index == kSources.size())
            continue; // a source this version does not know: counted in the total only
        auto& source = stats.by_source[index];
        ++source.selected;
        if (row.lane == "red")
            ++source.red;
        else if (row.lane == "yellow")
            ++source.yellow;
        if (!row.result.empty()) {
            ++source.inspected;
            if (row.result == "seizure")
                ++source.findings;
        }
    }
    for (auto& source : stats.by_source)
        source.hit_rate = rate(source.findings, source.inspected);
}

void count_outcomes(Database& db, Statistics& stats, std::map<std::string, std::size_t>& month) {
    Statement query(db, "SELECT substr(inspected_on, 1, 7), result, category FROM outcomes "
                        "WHERE inspected_on BETWEEN ?1 AND ?2");
    query.bind(1, stats.period.from);
    query.bind(2, stats.period.to);
    std::map<std::string, CategoryStatistics> categories;
    while (query.step()) {
        ++stats.inspected;
        const auto found = month.find(query.column_text(0));
        const bool in_months = found != month.end();
        if (in_months)
            ++stats.months[found->second].inspected;
        if (query.column_text_view(1) != "seizure") {
            ++stats.no_finds;
            continue;
        }
        ++stats.findings;
        std::string name = query.column_text(2);
        if (name.empty())
            name = "unspecified";
        auto& category = categories[name];
        if (category.category.empty()) {
            category.category = name;
            category.by_month.assign(stats.months.size(), 0);
        }
        ++category.findings;
        if (in_months) {
            ++stats.months[found->second].findings;
            ++category.by_month[found->second];
        }
    }
    for (auto& [name, category] : categories)
        stats.categories.push_back(std::move(category));
}

void count_rules(Database& db, Statistics& stats) {
    Statement query(db, "SELECT c.id, sc.factors, o.result, "
                        "  EXISTS (SELECT 1 FROM selections s WHERE s.container_id = c.id) "
                        "  OR EXISTS (SELECT 1 FROM workflow w WHERE w.container_id = c.id "
                        "             AND w.source = 'manual') "
                        "FROM scores sc JOIN containers c ON c.id = sc.container_id "
                        "JOIN vessel_calls v ON v.id = c.vessel_call_id "
                        "LEFT JOIN outcomes o ON o.container_id = c.id "
                        "WHERE v.eta >= ?1 AND v.eta < date(?2, '+1 day')");
    query.bind(1, stats.period.from);
    query.bind(2, stats.period.to);
    std::map<std::string, RuleStatistics> rules;
    while (query.step()) {
        const bool inspected = !query.column_is_null(2);
        const bool finding = inspected && query.column_text_view(2) == "seizure";
        const bool selected = query.column_int64(3) != 0;
        for (const auto& id : fired_rules(query.column_int64(0), query.column_text_view(1))) {
            auto& rule = rules[id];
            rule.rule_id = id;
            ++rule.fired;
            rule.selected += selected ? 1 : 0;
            rule.inspected += inspected ? 1 : 0;
            rule.findings += finding ? 1 : 0;
        }
    }
    for (auto& [id, rule] : rules) {
        rule.hit_rate = rate(rule.findings, rule.inspected);
        stats.rules.push_back(std::move(rule));
    }
}

void add_estimates(Database& db, Statistics& stats) {
    const auto estimates = scoring::estimate_days(db, stats.period.from, stats.period.to);
    auto& out = stats.estimates;
    out.days = estimates.days;
    out.days_without_random = estimates.days_without_random;
    out.targeted = estimates.targeted;
    out.not_targeted = estimates.not_targeted;
    out.targeted_inspected = estimates.targeted_counts.inspected;
    out.targeted_findings = estimates.targeted_counts.findings;
    out.random_inspected = estimates.random_counts.inspected;
    out.random_findings = estimates.random_counts.findings;
    out.targeted_hit_rate = rate(estimates.targeted_hit_rate);
    out.rest_finding_rate = rate(estimates.rest_finding_rate);
    out.overall_finding_rate = rate(estimates.overall_finding_rate);
    out.detection_rate = rate(estimates.detection_rate);
}

Cell rate_value(const RateEstimate& estimate) {
    return estimate.defined ? Cell{estimate.value} : Cell{};
}

nlohmann::ordered_json rate_json(const RateEstimate& estimate) {
    return {{"value", estimate.value},
            {"low", estimate.low},
            {"high", estimate.high},
            {"defined", estimate.defined}};
}

} // namespace

Statistics statistics(Database& db, const Period& period) {
    Statistics stats;
    stats.period = period;
    std::map<std::string, std::size_t> month;
    for (auto& name : months_of(period)) {
        month.emplace(name, stats.months.size());
        stats.months.emplace_back().month = std::move(name);
    }
    for (const auto source : kSources)
        stats.by_source.emplace_back().source = source;
    {
        storage::Transaction snapshot(db, storage::TransactionMode::deferred);
        count_containers(db, stats, month);
        count_selected(db, stats, month);
        count_outcomes(db, stats, month);
        count_rules(db, stats);
        snapshot.commit();
    }
    add_estimates(db, stats);
    return stats;
}

std::vector<Table> statistics_tables(const Statistics& stats) {
    std::vector<Table> tables;

    Table summary{"summary", {"measure", "value"}, {}};
    summary.rows.push_back({std::string("from"), stats.period.from});
    summary.rows.push_back({std::string("to"), stats.period.to});
    const std::pair<const char*, std::int64_t> counts[] = {
        {"containers", stats.containers}, {"containers_screened", stats.containers_screened},
        {"selected", stats.selected},     {"inspected", stats.inspected},
        {"no_finds", stats.no_finds},     {"findings", stats.findings}};
    for (const auto& [name, value] : counts)
        summary.rows.push_back({std::string(name), value});
    tables.push_back(std::move(summary));

    Table sources{"selected_by_source",
                  {"source", "red", "yellow", "selected", "inspected", "findings", "hit_rate",
                   "hit_rate_low", "hit_rate_high"},
                  {}};
    for (const auto& source : stats.by_source)
        sources.rows.push_back({source.source, source.red, source.yellow, source.selected,
                                source.inspected, source.findings, rate_value(source.hit_rate),
                                source.hit_rate.low, source.hit_rate.high});
    tables.push_back(std::move(sources));

    Table matrix{"findings_by_month", {"category"}, {}};
    for (const auto& month : stats.months)
        matrix.columns.push_back(month.month);
    matrix.columns.emplace_back("total");
    for (const auto& category : stats.categories) {
        std::vector<Cell> row{category.category};
        for (const auto count : category.by_month)
            row.emplace_back(count);
        row.emplace_back(category.findings);
        matrix.rows.push_back(std::move(row));
    }
    std::vector<Cell> total{std::string("all")};
    for (const auto& month : stats.months)
        total.emplace_back(month.findings);
    total.emplace_back(stats.findings);
    matrix.rows.push_back(std::move(total));
    tables.push_back(std::move(matrix));

    Table monthly{
        "monthly", {"month", "containers_screened", "selected", "inspected", "findings"}, {}};
    for (const auto& month : stats.months)
        monthly.rows.push_back({month.month, month.containers_screened, month.selected,
                                month.inspected, month.findings});
    tables.push_back(std::move(monthly));

    const auto& random = stats.estimates;
    Table share{"random_share", {"measure", "value", "low", "high", "defined"}, {}};
    const std::pair<const char*, std::int64_t> share_counts[] = {
        {"days", random.days},
        {"days_without_random", random.days_without_random},
        {"targeted", random.targeted},
        {"not_targeted", random.not_targeted},
        {"targeted_inspected", random.targeted_inspected},
        {"targeted_findings", random.targeted_findings},
        {"random_inspected", random.random_inspected},
        {"random_findings", random.random_findings}};
    for (const auto& [name, value] : share_counts)
        share.rows.push_back({std::string(name), value, Cell{}, Cell{}, Cell{}});
    const std::pair<const char*, const RateEstimate*> rates[] = {
        {"targeted_hit_rate", &random.targeted_hit_rate},
        {"rest_finding_rate", &random.rest_finding_rate},
        {"overall_finding_rate", &random.overall_finding_rate},
        {"detection_rate", &random.detection_rate}};
    for (const auto& [name, estimate] : rates)
        share.rows.push_back({std::string(name), rate_value(*estimate), estimate->low,
                              estimate->high, std::int64_t{estimate->defined ? 1 : 0}});
    tables.push_back(std::move(share));

    Table rules{"rules",
                {"rule_id", "fired", "selected", "inspected", "findings", "hit_rate",
                 "hit_rate_low", "hit_rate_high"},
                {}};
    for (const auto& rule : stats.rules)
        rules.rows.push_back({rule.rule_id, rule.fired, rule.selected, rule.inspected,
                              rule.findings, rate_value(rule.hit_rate), rule.hit_rate.low,
                              rule.hit_rate.high});
    tables.push_back(std::move(rules));
    return tables;
}

std::string statistics_json(const Statistics& stats) {
    using Json = nlohmann::ordered_json;
    Json out;
    out["from"] = stats.period.from;
    out["to"] = stats.period.to;
    out["containers"] = stats.containers;
    out["containers_screened"] = stats.containers_screened;
    out["selected"] = stats.selected;
    out["inspected"] = stats.inspected;
    out["no_finds"] = stats.no_finds;
    out["findings"] = stats.findings;
    Json sources = Json::array();
    for (const auto& source : stats.by_source)
        sources.push_back({{"source", source.source},
                           {"red", source.red},
                           {"yellow", source.yellow},
                           {"selected", source.selected},
                           {"inspected", source.inspected},
                           {"findings", source.findings},
                           {"hit_rate", rate_json(source.hit_rate)}});
    out["by_source"] = std::move(sources);
    Json months = Json::array();
    for (const auto& month : stats.months)
        months.push_back({{"month", month.month},
                          {"containers_screened", month.containers_screened},
                          {"selected", month.selected},
                          {"inspected", month.inspected},
                          {"findings", month.findings}});
    out["months"] = std::move(months);
    Json categories = Json::array();
    for (const auto& category : stats.categories)
        categories.push_back({{"category", category.category},
                              {"findings", category.findings},
                              {"by_month", category.by_month}});
    out["findings_by_category"] = std::move(categories);
    const auto& random = stats.estimates;
    out["random_share"] = {{"days", random.days},
                           {"days_without_random", random.days_without_random},
                           {"targeted", random.targeted},
                           {"not_targeted", random.not_targeted},
                           {"targeted_inspected", random.targeted_inspected},
                           {"targeted_findings", random.targeted_findings},
                           {"random_inspected", random.random_inspected},
                           {"random_findings", random.random_findings},
                           {"targeted_hit_rate", rate_json(random.targeted_hit_rate)},
                           {"rest_finding_rate", rate_json(random.rest_finding_rate)},
                           {"overall_finding_rate", rate_json(random.overall_finding_rate)},
                           {"detection_rate", rate_json(random.detection_rate)}};
    Json rules = Json::array();
    for (const auto& rule : stats.rules)
        rules.push_back({{"rule_id", rule.rule_id},
                         {"fired", rule.fired},
                         {"selected", rule.selected},
                         {"inspected", rule.inspected},
                         {"findings", rule.findings},
                         {"hit_rate", rate_json(rule.hit_rate)}});
    out["rules"] = std::move(rules);
    return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

} // namespace portscreen::exports
