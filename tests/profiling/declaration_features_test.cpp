#include "declaration_features.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

namespace portscreen::profiling {
namespace {

Declaration declaration(const std::string& importer, const std::string& hs6, double price,
                        double mass) {
    Declaration d;
    d.id = importer + hs6;
    d.date = "2020-01-06"; // a Monday
    d.office = "30";
    d.process_type = "B";
    d.import_type = "11";
    d.import_use = "21";
    d.payment_type = "11";
    d.transport_mode = "10";
    d.declarant = "DEC0001";
    d.importer = importer;
    d.seller = "SEL0001";
    d.hs6 = hs6;
    d.country_departure = "CN";
    d.country_origin = "CN";
    d.tax_type = "A";
    d.origin_indicator = "G";
    d.tax_rate = 8.0;
    d.item_price = price;
    d.net_mass = mass;
    return d;
}

std::size_t column(const FeatureMatrix& matrix, const std::string& name) {
    const auto found = std::find(matrix.names.begin(), matrix.names.end(), name);
    EXPECT_NE(found, matrix.names.end()) << name;
    return static_cast<std::size_t>(found - matrix.names.begin());
}

/// Ten fit rows: importer A four times (two violations), B six times (none).
struct FitSet {
    std::vector<Declaration> rows;
    std::vector<Outcome> outcomes;
};

FitSet fit_set() {
    FitSet set;
    for (int idx = 0; idx < 4; ++idx) {
        set.rows.push_back(declaration("IMPAAAA", "071080", 1000.0 * (idx + 1), 10.0));
        set.outcomes.push_back(idx < 2 ? Outcome::violation : Outcome::clean);
    }
    for (int idx = 0; idx < 6; ++idx) {
        set.rows.push_back(declaration("IMPBBBB", "850440", 500.0, 1.0 + idx));
        set.outcomes.push_back(Outcome::clean);
    }
    set.outcomes[0] = Outcome::critical;
    return set;
}

TEST(DeclarationFeatures, NamesAreUniqueAndMatchTheColumns) {
    DeclarationEncoder encoder;
    const auto set = fit_set();
    const auto matrix = encoder.fit_transform(set.rows, set.outcomes);
    EXPECT_EQ(matrix.rows, set.rows.size());
    EXPECT_EQ(matrix.values.size(), matrix.rows * matrix.cols());
    EXPECT_EQ(encoder.feature_names(), matrix.names);
    EXPECT_EQ(std::set<std::string>(matrix.names.begin(), matrix.names.end()).size(),
              matrix.names.size());
    EXPECT_GT(matrix.cols(), 40u);
}

TEST(DeclarationFeatures, StatisticsComeFromTheFitRowsOnly) {
    DeclarationEncoder::Options options;
    options.smoothing = 2.0;
    DeclarationEncoder encoder(options);
    const auto set = fit_set();
    encoder.fit_transform(set.rows, set.outcomes);
    const double prior = 2.0 / 10.0;

    const std::vector<Declaration> other = {declaration("IMPAAAA", "071080", 100.0, 1.0),
                                            declaration("IMPCCCC", "999999", 0.0, 0.0)};
    const auto matrix = encoder.transform(other);
    // Importer A: 4 fit rows, 2 violations, 1 critical.
    EXPECT_FLOAT_EQ(matrix.at(0, column(matrix, "log_count_importer")), std::log1p(4.0f));
    EXPECT_FLOAT_EQ(matrix.at(0, column(matrix, "rate_importer")),
                    static_cast<float>((2 + prior * 2) / (4 + 2)));
    EXPECT_FLOAT_EQ(matrix.at(0, column(matrix, "critical_rate_importer")),
                    static_cast<float>((1 + 0.1 * 2) / (4 + 2)));
    // An importer and HS code the fit rows never saw: no history, the overall rate, no code.
    EXPECT_FLOAT_EQ(matrix.at(1, column(matrix, "log_count_importer")), 0.0f);
    EXPECT_FLOAT_EQ(matrix.at(1, column(matrix, "rate_importer")), static_cast<float>(prior));
    EXPECT_TRUE(std::isnan(matrix.at(1, column(matrix, "code_hs_heading"))));
    EXPECT_TRUE(std::isnan(matrix.at(1, column(matrix, "log_unit_value"))));
    EXPECT_FLOAT_EQ(matrix.at(0, column(matrix, "day_of_week")), 0.0f);
    EXPECT_FLOAT_EQ(matrix.at(0, column(matrix, "hs6_number")), 71080.0f);

    // Rows transformed with others do not change: nothing is learnt from transformed rows.
    std::vector<Declaration> more = other;
    for (int idx = 0; idx < 50; ++idx)
        more.push_back(declaration("IMPCCCC", "999999", 10.0, 1.0));
    const auto bigger = encoder.transform(more);
    for (std::size_t row = 0; row < 2; ++row)
        for (std::size_t col = 0; col < matrix.cols(); ++col) {
            const float a = matrix.at(row, col);
            const float b = bigger.at(row, col);
            EXPECT_TRUE(a == b || (std::isnan(a) && std::isnan(b))) << matrix.names[col];
        }
}

TEST(DeclarationFeatures, FitRowsDoNotSeeTheirOwnLabel) {
    DeclarationEncoder::Options options;
    options.smoothing = 1.0;
    options.folds = 2;
    DeclarationEncoder encoder(options);
    // Importer X has one row only, a violation: out of fold it has no history at all.
    std::vector<Declaration> rows = {
        declaration("IMPXXXX", "071080", 10.0, 1.0), declaration("IMPYYYY", "071080", 10.0, 1.0),
        declaration("IMPYYYY", "071080", 10.0, 1.0), declaration("IMPYYYY", "071080", 10.0, 1.0)};
    const std::vector<Outcome> outcomes = {Outcome::violation, Outcome::clean, Outcome::clean,
                                           Outcome::clean};
    const auto fit = encoder.fit_transform(rows, outcomes);
    const auto rate = column(fit, "rate_importer");
    // Row 0 is in fold 0; fold 1 (rows 1 and 3) has rate prior 0, and no row of importer X.
    EXPECT_FLOAT_EQ(fit.at(0, rate), 0.0f);
    EXPECT_FLOAT_EQ(fit.at(0, column(fit, "log_count_importer")), 0.0f);
    // Transformed as a new row, importer X's violation counts.
    const auto later = encoder.transform(std::vector<Declaration>{rows[0]});
    EXPECT_FLOAT_EQ(later.at(0, rate), static_cast<float>((1 + 0.25) / (1 + 1)));
}

TEST(DeclarationFeatures, RejectsMisuse) {
    DeclarationEncoder encoder;
    const std::vector<Declaration> rows = {declaration("IMPAAAA", "071080", 1.0, 1.0)};
    EXPECT_THROW(encoder.transform(rows), std::logic_error);
    EXPECT_THROW(encoder.fit_transform(rows, std::vector<Outcome>{}), std::invalid_argument);
}

} // namespace
} // namespace portscreen::profiling
