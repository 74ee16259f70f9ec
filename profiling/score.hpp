#pragma once

#include "facts.hpp"
#include "features.hpp"
#include "rules.hpp"
#include "tree_shap.hpp"
#include "watchlist.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

/// One explained risk score per container, from rules, watchlists and a learned model.
/// The formula is in docs/scoring.md; in short, points add up and the sum is kept within 0–100.
namespace portscreen::profiling {

enum class FactorKind {
    rule,      ///< a rule of the active rule set hit
    watchlist, ///< a watchlist entry matched
    model,     ///< one feature's share of the model's points
    other,     ///< the remainder of the factors not listed one by one
    limit,     ///< what keeping the score within 0–100 took away
    alert,     ///< an alert or seizure received from another port
};

const char* to_string(FactorKind kind);

/// One signed contribution to a score, in points.
struct Factor {
    FactorKind kind = FactorKind::rule;
    std::string id;   ///< rule id, watchlist entry id or feature name
    std::string text; ///< what an officer reads
    double points = 0;
};

struct ContainerScore {
    double score = 0;            ///< 0..100; the factors' points add up to it
    std::vector<Factor> factors; ///< largest magnitude first
    /// "rule", "watchlist", "model" or "alert": the largest positive share
    std::string main_source;
};

/// The model's view of one container: the SHAP values (log-odds) of its features, as
/// `GbtModel::contributions` returns them (features, then the bias); they add up to the
/// margin.
struct ModelView {
    std::span<const float> contributions;
    std::span<const std::string> feature_names;
    std::span<const float> values; ///< the features' values, for the explanation
};

/// How many factors a stored explanation lists one by one; the rest are summed into one.
inline constexpr std::size_t kListedFactors = 8;

/// Combines the parts into one score. The model, when given, adds `points_per_log_odds` points
/// per unit of log-odds that each feature's SHAP value moves the container away from an
/// average one, within ±`model_points` in all (see docs/scoring.md), so that every factor is in
/// points and they add up exactly.
ContainerScore combine(std::span<const RuleHit> rule_hits, const RuleSet& rules,
                       std::span<const WatchHit> watch_hits, const Watchlist& watchlist,
                       const ModelView* model, double model_points, double points_per_log_odds);

/// What scoring needs, all immutable while it runs. `model` may be null: a new node scores
/// from rules and watchlists alone.
struct ScoringSetup {
    const RuleSet* rules = nullptr;
    const Watchlist* watchlist = nullptr;
    const TreeExplainer* model = nullptr;         ///< the learned model's trees
    std::vector<std::string> model_feature_names; ///< the model's columns, by catalogue name
    FeatureContext context;
};

/// A scored container with its model features as known when it was scored (in the order of
/// `model_feature_names()`), kept for training later models.
struct ScoredContainer {
    ContainerScore score;
    std::vector<float> model_features;
};

/// Scores containers. One per thread: it keeps its buffers and a party-match cache between
/// calls.
class BatchScorer {
public:
    explicit BatchScorer(const ScoringSetup& setup);

    /// Scores `facts` as of `today` (YYYY-MM-DD, for watchlist expiry); `out` gets one entry
    /// per container, in order.
    void score(std::span<const ContainerFacts> facts, std::string_view today,
               std::vector<ScoredContainer>& out);

private:
    const ScoringSetup& setup_;
    std::vector<std::size_t> model_columns_;  ///< catalogue index of each column of the model
    std::vector<std::size_t> stored_columns_; ///< catalogue index of each stored feature
    FeatureValues values_;
    std::vector<RuleHit> rule_hits_;
    std::vector<WatchHit> watch_hits_;
    std::vector<float> row_;       ///< the model's columns of one container
    std::vector<float> explained_; ///< their SHAP values, then the bias
    PartyMatchCache cache_;
};

/// The catalogue names of the features a new model is trained on.
std::vector<std::string> model_feature_names();

} // namespace portscreen::profiling
