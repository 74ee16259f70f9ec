#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

/// Exact SHAP values of a boosted-tree model, computed here rather than by the tree library.
namespace portscreen::profiling {

/// A tree ensemble read from XGBoost's JSON model (the bytes GbtModel::serialize returns), in a
/// compact form for exact SHAP values and margins without the library. Immutable; safe to share
/// between threads.
class TreeExplainer {
public:
    /// The deepest tree accepted (levels below the root). The per-row paths live in stack
    /// buffers sized by it, so deeper models are refused when they are read.
    static constexpr int kMaxDepth = 31;

    /// Reads a `gbtree` model with objective `binary:logistic` or `reg:logistic` (XGBoost 1.7's
    /// JSON schema). Throws std::runtime_error naming what it cannot read or does not support:
    /// other objectives and boosters, several outputs, categorical splits, trees deeper than
    /// kMaxDepth.
    static TreeExplainer from_xgboost_json(std::span<const std::uint8_t> model_json);

    std::size_t num_features() const { return num_features_; }
    std::size_t num_trees() const { return trees_.size(); }
    /// Levels below the root of the deepest tree (0 when every tree is a single leaf).
    int max_depth() const { return max_depth_; }
    /// The expected margin: the base score in margin space plus each tree's cover-weighted mean
    /// leaf value. It is the last value contributions() writes.
    float bias() const { return bias_; }

    /// Exact path-dependent TreeSHAP values of one row: num_features() values, then the bias.
    /// They are the values XGBoost's pred_contribs gives (up to float rounding), and they add up
    /// to margin(row). `row` has num_features() values (NaN = missing), `out` room for
    /// num_features() + 1; other sizes throw std::invalid_argument. Allocates nothing.
    void contributions(std::span<const float> row, std::span<float> out) const;
    /// The raw margin (log-odds) of one row, as GbtModel::predict_margin computes it.
    float margin(std::span<const float> row) const;

private:
    /// One node, with the children of a split stored next to each other.
    struct Node {
        float split;           ///< threshold of a split (x < split goes left); value of a leaf
        float cover_share;     ///< this node's cover (sum of hessians) / its parent's; 1 at a root
        std::uint32_t feature; ///< split feature; the top bit is set when NaN goes left
        std::uint32_t left;    ///< index of the left child, the right one follows; 0 for a leaf
    };
    struct Tree {
        std::uint32_t root; ///< index in nodes_
        int depth;          ///< levels below the root
    };

    TreeExplainer() = default;
    float mean_value(std::uint32_t node_idx, const std::vector<float>& covers) const;

    std::vector<Node> nodes_; ///< all trees; node 0 is a root, never a child, so 0 marks a leaf
    std::vector<Tree> trees_;
    std::size_t num_features_ = 0;
    int max_depth_ = 0;
    float base_margin_ = 0; ///< the base score in margin space
    float bias_ = 0;
};

} // namespace portscreen::profiling
