#pragma once

#include "eval/kcs_data.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace portscreen::eval {

/// The three date-ordered splits of the published protocol.
struct KcsSplits {
    std::vector<KcsRow> train;
    std::vector<KcsRow> valid;
    std::vector<KcsRow> test;
};

/// Reads df_syn_{train,valid,test}_eng.csv from `dir`.
KcsSplits read_kcs_splits(const std::filesystem::path& dir);

/// Figures of one ranking at one inspection share.
struct ShareFigures {
    int percent = 0;
    std::size_t k = 0;
    double precision = 0;       ///< share of Fraud=1 among the top k
    double recall = 0;          ///< share of all Fraud=1 rows caught in the top k
    double critical_recall = 0; ///< share of all Critical Fraud=2 rows caught in the top k
};

struct KcsOptions {
    std::uint64_t seed = 1;
    int threads = 2;
};

/// What one run of the protocol measured.
struct KcsReport {
    std::vector<ShareFigures> valid; ///< of the chosen settings
    std::vector<ShareFigures> test;
    std::string chosen; ///< the chosen settings, in words
    int rounds = 0;     ///< trees in the chosen model
    std::size_t features = 0;
    double train_seconds = 0; ///< feature fitting plus every candidate's training
    /// Features by mean absolute contribution on the test rows, largest first (top 10).
    std::vector<std::pair<std::string, double>> top_features;
};

/// The inspection shares the protocol reports, in percent.
inline constexpr int kSharesPercent[] = {1, 2, 5, 10};

/// Figures of `scores` against the rows' outcomes at each of kSharesPercent.
std::vector<ShareFigures> share_figures(const std::vector<float>& scores,
                                        const std::vector<KcsRow>& rows);

/// Fits features on train, trains a few candidate models with early stopping on valid, keeps the
/// one with the best validation precision at 5% and 10%, and scores test with it once.
KcsReport run_kcs_protocol(const KcsSplits& splits, const KcsOptions& options);

} // namespace portscreen::eval
