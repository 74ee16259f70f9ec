#include "declaration_features.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>

namespace portscreen::profiling {
namespace {

constexpr float kMissing = std::numeric_limits<float>::quiet_NaN();

std::string prefix(const std::string& code, std::size_t length) {
    return code.size() >= length ? code.substr(0, length) : std::string();
}

/// A code column that is label-encoded by its frequency rank in the fit rows.
struct CodeColumn {
    const char* name;
    std::function<std::string(const Declaration&)> get;
};

/// A key whose fit-row count and violation rate become features: a party, a goods code, a
/// route, or a pair of them.
struct KeyColumn {
    const char* name;
    std::function<std::string(const Declaration&)> get;
    bool critical_rate; ///< also a critical-violation rate
};

const std::vector<CodeColumn>& code_columns() {
    static const std::vector<CodeColumn> columns = {
        {"office", [](const Declaration& d) { return d.office; }},
        {"process_type", [](const Declaration& d) { return d.process_type; }},
        {"import_type", [](const Declaration& d) { return d.import_type; }},
        {"import_use", [](const Declaration& d) { return d.import_use; }},
        {"payment_type", [](const Declaration& d) { return d.payment_type; }},
        {"transport_mode", [](const Declaration& d) { return d.transport_mode; }},
        {"tax_type", [](const Declaration& d) { return d.tax_type; }},
        {"origin_indicator", [](const Declaration& d) { return d.origin_indicator; }},
        {"country_departure", [](const Declaration& d) { return d.country_departure; }},
        {"country_origin", [](const Declaration& d) { return d.country_origin; }},
        {"hs_chapter", [](const Declaration& d) { return prefix(d.hs6, 2); }},
        {"hs_heading", [](const Declaration& d) { return prefix(d.hs6, 4); }},
    };
    return columns;
}

const std::vector<KeyColumn>& key_columns() {
    static const std::vector<KeyColumn> columns = {
        {"declarant", [](const Declaration& d) { return d.declarant; }, true},
        {"importer", [](const Declaration& d) { return d.importer; }, true},
        {"seller", [](const Declaration& d) { return d.seller; }, true},
        {"courier", [](const Declaration& d) { return d.courier; }, false},
        {"hs6", [](const Declaration& d) { return d.hs6; }, true},
        {"hs_heading", [](const Declaration& d) { return prefix(d.hs6, 4); }, false},
        {"hs_chapter", [](const Declaration& d) { return prefix(d.hs6, 2); }, false},
        {"office", [](const Declaration& d) { return d.office; }, false},
        {"country_origin", [](const Declaration& d) { return d.country_origin; }, false},
        {"route", [](const Declaration& d) { return d.country_departure + ">" + d.country_origin; },
         false},
        {"tax_type", [](const Declaration& d) { return d.tax_type; }, false},
        {"importer_hs6", [](const Declaration& d) { return d.importer + "|" + d.hs6; }, false},
        {"declarant_importer", [](const Declaration& d) { return d.declarant + "|" + d.importer; },
         false},
        {"importer_seller", [](const Declaration& d) { return d.importer + "|" + d.seller; },
         false},
        {"hs6_origin", [](const Declaration& d) { return d.hs6 + "|" + d.country_origin; }, false},
        {"declarant_office", [](const Declaration& d) { return d.declarant + "|" + d.office; },
         false},
        {"hs6_route",
         [](const Declaration& d) {
             return d.hs6 + "|" + d.country_departure + ">" + d.country_origin;
         },
         false},
        {"hs4_origin",
         [](const Declaration& d) { return prefix(d.hs6, 4) + "|" + d.country_origin; }, false},
        {"hs6_tax_type", [](const Declaration& d) { return d.hs6 + "|" + d.tax_type; }, false},
        {"hs6_office", [](const Declaration& d) { return d.hs6 + "|" + d.office; }, false},
        {"hs6_declarant", [](const Declaration& d) { return d.hs6 + "|" + d.declarant; }, false},
        {"origin_tax_type",
         [](const Declaration& d) { return d.country_origin + "|" + d.tax_type; }, false},
        {"hs6_import_type", [](const Declaration& d) { return d.hs6 + "|" + d.import_type; },
         false},
    };
    return columns;
}

/// Day of week 0..6 (Monday = 0) of a YYYY-MM-DD date, or -1 when the text is not one.
int day_of_week(const std::string& date) {
    if (date.size() != 10 || date[4] != '-' || date[7] != '-')
        return -1;
    int year = 0;
    int month = 0;
    int day = 0;
    try {
        year = std::stoi(date.substr(0, 4));
        month = std::stoi(date.substr(5, 2));
        day = std::stoi(date.substr(8, 2));
    } catch (const std::exception&) {
        return -1;
    }
    if (month < 1 || month > 12 || day < 1 || day > 31)
        return -1;
    // Days from 1970-01-01 by the civil-calendar formula; 1970-01-01 was a Thursday.
    year -= month <= 2 ? 1 : 0;
    const int era = (year >= 0 ? year : year - 399) / 400;
    const int year_of_era = year - era * 400;
    const int day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const int day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    const long days = static_cast<long>(era) * 146097 + day_of_era - 719468;
    return static_cast<int>(((days % 7) + 7 + 3) % 7);
}

float log_or_missing(double value) {
    return value > 0 ? static_cast<float>(std::log(value)) : kMissing;
}

double log_unit_value(const Declaration& d) {
    return d.item_price > 0 && d.net_mass > 0 ? std::log(d.item_price / d.net_mass)
                                              : std::numeric_limits<double>::quiet_NaN();
}

/// Column names in the order fill_row() writes them.
std::vector<std::string> build_feature_names() {
    std::vector<std::string> names = {
        "tax_rate",         "net_mass",       "item_price",     "log_item_price",
        "log_net_mass",     "log_unit_value", "log_duty",       "unit_value_z",
        "unit_value_hs6_n", "seller_blank",   "courier_blank",  "day_of_week",
        "price_zero",       "mass_zero",      "price_per_duty", "hs6_number"};
    for (const auto& column : code_columns())
        names.push_back(std::string("code_") + column.name);
    for (const auto& column : key_columns()) {
        names.push_back(std::string("log_count_") + column.name);
        names.push_back(std::string("rate_") + column.name);
        if (column.critical_rate)
            names.push_back(std::string("critical_rate_") + column.name);
    }
    return names;
}

} // namespace

FeatureMatrix DeclarationEncoder::fit_transform(std::span<const Declaration> rows,
                                                std::span<const Outcome> outcomes) {
    if (rows.size() != outcomes.size())
        throw std::invalid_argument("fit: " + std::to_string(rows.size()) + " rows but " +
                                    std::to_string(outcomes.size()) + " outcomes");
    if (rows.empty())
        throw std::invalid_argument("fit: no rows");
    if (options_.folds < 2)
        throw std::invalid_argument("fit: folds must be at least 2");

    // Code tables: most frequent code first, so related frequencies sit close together.
    codes_.assign(code_columns().size(), {});
    for (std::size_t col = 0; col < code_columns().size(); ++col) {
        std::map<std::string, std::size_t> counts;
        for (const auto& row : rows)
            ++counts[code_columns()[col].get(row)];
        std::vector<std::pair<std::string, std::size_t>> sorted(counts.begin(), counts.end());
        std::stable_sort(sorted.begin(), sorted.end(),
                         [](const auto& a, const auto& b) { return a.second > b.second; });
        for (std::size_t rank = 0; rank < sorted.size(); ++rank)
            codes_[col][sorted[rank].first] = static_cast<float>(rank);
    }

    const auto folds = static_cast<std::size_t>(options_.folds);
    stats_.assign(key_columns().size(), {});
    std::vector<std::vector<StatsTable>> fold_stats(folds,
                                                    std::vector<StatsTable>(key_columns().size()));
    std::vector<double> fold_violations(folds, 0);
    std::vector<double> fold_critical(folds, 0);
    std::vector<double> fold_rows(folds, 0);
    double violations = 0;
    double critical = 0;
    unit_values_.clear();
    for (std::size_t idx = 0; idx < rows.size(); ++idx) {
        const std::size_t fold = idx % folds;
        const double violation = outcomes[idx] != Outcome::clean ? 1.0 : 0.0;
        const double crit = outcomes[idx] == Outcome::critical ? 1.0 : 0.0;
        violations += violation;
        critical += crit;
        fold_violations[fold] += violation;
        fold_critical[fold] += crit;
        fold_rows[fold] += 1;
        for (std::size_t key = 0; key < key_columns().size(); ++key) {
            const std::string value = key_columns()[key].get(rows[idx]);
            for (StatsTable* table : {&stats_[key], &fold_stats[fold][key]}) {
                KeyStats& entry = (*table)[value];
                entry.count += 1;
                entry.violations += violation;
                entry.critical += crit;
            }
        }
        const double luv = log_unit_value(rows[idx]);
        if (!std::isnan(luv)) {
            UnitValueStats& entry = unit_values_[rows[idx].hs6];
            entry.count += 1;
            entry.sum += luv;
            entry.sum_sq += luv * luv;
        }
    }
    fit_rows_ = static_cast<double>(rows.size());
    prior_ = violations / fit_rows_;
    critical_prior_ = critical / fit_rows_;
    names_ = build_feature_names();
    fitted_ = true;

    // Out-of-fold tables: all fit rows minus the fold's own.
    std::vector<std::vector<StatsTable>> out_of_fold(folds);
    for (std::size_t fold = 0; fold < folds; ++fold) {
        out_of_fold[fold] = stats_;
        for (std::size_t key = 0; key < key_columns().size(); ++key) {
            for (const auto& [value, own] : fold_stats[fold][key]) {
                KeyStats& entry = out_of_fold[fold][key][value];
                entry.count -= own.count;
                entry.violations -= own.violations;
                entry.critical -= own.critical;
            }
        }
    }

    FeatureMatrix out = transform(rows);
    FeatureMatrix oof = out;
    for (std::size_t fold = 0; fold < folds; ++fold) {
        std::vector<const StatsTable*> tables;
        for (const auto& table : out_of_fold[fold])
            tables.push_back(&table);
        const double rest = fit_rows_ - fold_rows[fold];
        const double prior = rest > 0 ? (violations - fold_violations[fold]) / rest : prior_;
        const double crit_prior = rest > 0 ? (critical - fold_critical[fold]) / rest : 0;
        for (std::size_t idx = fold; idx < rows.size(); idx += folds)
            fill_row(rows[idx], tables, prior, crit_prior, &oof.values[idx * oof.cols()]);
    }
    return oof;
}

FeatureMatrix DeclarationEncoder::transform(std::span<const Declaration> rows) const {
    if (!fitted_)
        throw std::logic_error("declaration encoder used before fit");
    std::vector<const StatsTable*> tables;
    for (const auto& table : stats_)
        tables.push_back(&table);
    FeatureMatrix out;
    out.names = names_;
    out.rows = rows.size();
    out.values.assign(rows.size() * out.names.size(), kMissing);
    for (std::size_t idx = 0; idx < rows.size(); ++idx)
        fill_row(rows[idx], tables, prior_, critical_prior_, &out.values[idx * out.cols()]);
    return out;
}

void DeclarationEncoder::fill_row(const Declaration& row,
                                  const std::vector<const StatsTable*>& rate_tables, double prior,
                                  double critical_prior, float* out) const {
    const double luv = log_unit_value(row);
    const double duty = row.item_price * row.tax_rate / 100.0;
    float unit_value_z = kMissing;
    float unit_value_n = 0;
    if (const auto found = unit_values_.find(row.hs6); found != unit_values_.end()) {
        const UnitValueStats& stats = found->second;
        unit_value_n = static_cast<float>(stats.count);
        if (!std::isnan(luv) && stats.count >= 2) {
            const double mean = stats.sum / stats.count;
            const double variance = std::max(stats.sum_sq / stats.count - mean * mean, 0.0);
            unit_value_z = static_cast<float>((luv - mean) / std::sqrt(variance + 0.25));
        }
    }
    float hs6_number = kMissing;
    if (row.hs6.size() == 6 &&
        std::all_of(row.hs6.begin(), row.hs6.end(), [](char c) { return c >= '0' && c <= '9'; }))
        hs6_number = static_cast<float>(std::stoi(row.hs6));

    std::size_t col = 0;
    out[col++] = static_cast<float>(row.tax_rate);
    out[col++] = static_cast<float>(row.net_mass);
    out[col++] = static_cast<float>(row.item_price);
    out[col++] = log_or_missing(row.item_price);
    out[col++] = log_or_missing(row.net_mass);
    out[col++] = static_cast<float>(luv);
    out[col++] = log_or_missing(duty);
    out[col++] = unit_value_z;
    out[col++] = unit_value_n;
    out[col++] = row.seller.empty() ? 1.0f : 0.0f;
    out[col++] = row.courier.empty() ? 1.0f : 0.0f;
    const int weekday = day_of_week(row.date);
    out[col++] = weekday < 0 ? kMissing : static_cast<float>(weekday);
    out[col++] = row.item_price <= 0 ? 1.0f : 0.0f;
    out[col++] = row.net_mass <= 0 ? 1.0f : 0.0f;
    out[col++] = duty > 0 ? static_cast<float>(row.item_price / duty) : kMissing;
    out[col++] = hs6_number;

    for (std::size_t column = 0; column < code_columns().size(); ++column) {
        const auto found = codes_[column].find(code_columns()[column].get(row));
        out[col++] = found == codes_[column].end() ? kMissing : found->second;
    }
    const double m = options_.smoothing;
    for (std::size_t key = 0; key < key_columns().size(); ++key) {
        const std::string value = key_columns()[key].get(row);
        KeyStats stats;
        if (const auto found = rate_tables[key]->find(value); found != rate_tables[key]->end())
            stats = found->second;
        out[col++] = static_cast<float>(std::log1p(std::max(stats.count, 0.0)));
        out[col++] = static_cast<float>((stats.violations + prior * m) / (stats.count + m));
        if (key_columns()[key].critical_rate)
            out[col++] =
                static_cast<float>((stats.critical + critical_prior * m) / (stats.count + m));
    }
}

} // namespace portscreen::profiling
