#pragma once

#include "feature_matrix.hpp"

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace portscreen::profiling {

/// One declared goods item of an import declaration, as the features need it. Codes are kept
/// as text; an empty text means the field was blank.
struct Declaration {
    std::string id;
    std::string date; ///< YYYY-MM-DD
    std::string office;
    std::string process_type;
    std::string import_type;
    std::string import_use;
    std::string payment_type;
    std::string transport_mode;
    std::string declarant;
    std::string importer;
    std::string seller;
    std::string courier;
    std::string hs6; ///< six digits, leading zeros kept
    std::string country_departure;
    std::string country_origin;
    std::string tax_type;
    std::string origin_indicator;
    double tax_rate = 0;   ///< duty rate in %
    double net_mass = 0;   ///< kg; 0 when unknown
    double item_price = 0; ///< customs value; 0 when unknown
};

/// Outcome of an inspection: none found, a violation, or a critical one (a violation too).
enum class Outcome : std::uint8_t { clean = 0, violation = 1, critical = 2 };

/// Turns declarations into named numeric features. Every statistic (code tables, frequencies,
/// violation rates per party, typical unit values per HS code) is learnt in fit() from the fit
/// rows alone; transform() only looks them up, so a split's features never depend on rows or
/// labels outside the fit set. Not thread-safe while fitting; transform() is const.
class DeclarationEncoder {
public:
    struct Options {
        /// Rows of prior weight that pull a rare party's violation rate to the overall rate.
        double smoothing = 20.0;
        /// Folds for the fit rows' own violation-rate features: a fit row's rate comes from the
        /// other folds only, so the model does not learn from its own label.
        int folds = 5;
    };

    DeclarationEncoder() = default;
    explicit DeclarationEncoder(Options options) : options_(options) {}

    /// Learns the statistics from `rows` and their `outcomes`, and returns the fit rows'
    /// features (violation rates out of fold). Throws std::invalid_argument on a size mismatch.
    FeatureMatrix fit_transform(std::span<const Declaration> rows,
                                std::span<const Outcome> outcomes);
    /// Features of any rows from the fitted statistics. Throws std::logic_error before fit.
    FeatureMatrix transform(std::span<const Declaration> rows) const;

    const std::vector<std::string>& feature_names() const { return names_; }

private:
    /// Count and violation totals of one key in the fit rows.
    struct KeyStats {
        double count = 0;
        double violations = 0;
        double critical = 0;
    };
    using StatsTable = std::map<std::string, KeyStats>;
    /// Typical log unit value of one HS code.
    struct UnitValueStats {
        double count = 0;
        double sum = 0;
        double sum_sq = 0;
    };

    void fill_row(const Declaration& row, const std::vector<const StatsTable*>& rate_tables,
                  double prior, double critical_prior, float* out) const;

    Options options_;
    bool fitted_ = false;
    std::vector<std::string> names_;
    std::vector<std::map<std::string, float>> codes_; ///< per categorical column
    std::vector<StatsTable> stats_;                   ///< per keyed column, all fit rows
    std::map<std::string, UnitValueStats> unit_values_;
    double prior_ = 0;
    double critical_prior_ = 0;
    double fit_rows_ = 0;
};

} // namespace portscreen::profiling
