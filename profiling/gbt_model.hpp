#pragma once

#include "feature_matrix.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

/// Gradient-boosted trees for binary risk scores, with per-feature explanations.
namespace portscreen::profiling {

/// A failure reported by the tree library, with its own message.
class GbtError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Training settings. Same settings, seed and thread count give the same model.
struct GbtParams {
    int max_depth = 6;
    double learning_rate = 0.1;
    int max_rounds = 300;
    double subsample = 1.0;
    double colsample_bytree = 1.0;
    double min_child_weight = 1.0;
    double reg_lambda = 1.0;
    int max_bin = 256;
    int threads = 2; ///< at most 2 on port hardware
    std::uint64_t seed = 0;
    /// Stop when the validation metric has not improved for this many rounds (needs a
    /// validation set); the model keeps the rounds up to the best one.
    int early_stopping_rounds = 50;
    std::string eval_metric = "logloss"; ///< a metric name of the tree library, e.g. aucpr
};

/// Labelled rows for training or validation; labels are 0 or 1, one per row.
struct GbtData {
    const FeatureMatrix* features = nullptr;
    std::span<const float> labels;
};

/// Per-row explanations: `values` is rows × (features + 1), row-major; the last column of each
/// row is the bias. Each row sums to the raw margin (log-odds) of that row.
struct Contributions {
    std::size_t rows = 0;
    std::size_t cols = 0; ///< features + 1
    std::vector<float> values;
};

/// A trained boosted-tree model. Move-only owner of the library's booster handle; a const model
/// may be used from one thread at a time.
class GbtModel {
public:
    /// Trains on `train`, with early stopping on `validation` when it has rows.
    static GbtModel train(const GbtData& train, const GbtParams& params,
                          const GbtData& validation = {});
    /// Loads a model written by serialize().
    static GbtModel deserialize(std::span<const std::uint8_t> bytes);

    GbtModel(GbtModel&&) noexcept = default;
    GbtModel& operator=(GbtModel&&) noexcept = default;
    ~GbtModel();

    /// Probabilities of the positive class, one per row.
    std::vector<float> predict(const FeatureMatrix& features) const;
    /// Raw margins (log-odds), one per row.
    std::vector<float> predict_margin(const FeatureMatrix& features) const;
    /// SHAP feature contributions per row.
    Contributions contributions(const FeatureMatrix& features) const;
    /// The model as bytes (the library's JSON model format), for storing versions.
    std::vector<std::uint8_t> serialize() const;

    std::size_t num_features() const { return num_features_; }
    /// Rounds kept in the model (the best round + 1 after early stopping).
    int rounds() const { return rounds_; }
    /// Best validation metric seen, or NaN without validation.
    double best_score() const { return best_score_; }

private:
    struct BoosterDeleter {
        void operator()(void* handle) const noexcept;
    };
    using Booster = std::unique_ptr<void, BoosterDeleter>;

    GbtModel(Booster booster, std::size_t num_features, int rounds, double best_score);
    std::vector<float> run_prediction(const FeatureMatrix& features, int type,
                                      std::size_t per_row) const;

    Booster booster_;
    std::size_t num_features_ = 0;
    int rounds_ = 0;
    double best_score_ = 0;
};

} // namespace portscreen::profiling
