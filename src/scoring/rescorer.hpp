#pragma once

#include "reference/reference.hpp"
#include "score.hpp"
#include "scoring/facts_loader.hpp"
#include "storage/database.hpp"
#include "tree_shap.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace portscreen::scoring {

/// The default rule set shipped with the program (profiling/rulesets/default.json).
std::string_view default_rule_set_text();

/// Everything scores rest on, loaded from the database at one profiling generation.
struct Profile {
    std::int64_t generation = 0;
    std::int64_t rule_set_id = 0;
    std::optional<std::int64_t> model_id;
    std::unique_ptr<profiling::RuleSet> rules;
    std::unique_ptr<profiling::Watchlist> watchlist;
    std::unique_ptr<profiling::TreeExplainer> model; ///< the active model's trees
    profiling::CommodityIndex commodities;
    profiling::MassNorms mass_norms;
    profiling::ScoringSetup setup;
};

/// Loads the active profile; on a node that has none yet, stores and activates the default
/// rule set first. `db` must be a writer.
std::unique_ptr<Profile> load_profile(storage::Database& db,
                                      const std::vector<reference::HsEntry>& hs);

struct RescoreCount {
    std::size_t containers = 0; ///< of the call
    std::size_t scored = 0;     ///< stale ones scored now
    double load_ms = 0;         ///< reading the facts
    double score_ms = 0;        ///< scoring them
    double store_ms = 0;        ///< writing the scores, commit included
};

/// Scores the containers whose stored score is missing or stale: their facts changed since (an
/// amendment), or the profile did (rule set, model, watchlist). One transaction per call.
/// Owned by one thread with its own writer connection.
class Rescorer {
public:
    Rescorer(storage::Database& db, const std::vector<reference::HsEntry>& hs);

    /// Reloads the profile when its generation moved on; true when it did.
    bool reload_if_changed();
    /// Scores what is stale in one vessel call as of `today` (YYYY-MM-DD).
    RescoreCount score_call(std::int64_t vessel_call_id, const std::string& today);
    /// Vessel calls with an ETA on or after `since` (YYYY-MM-DD), and calls with containers
    /// never scored: what a new profile re-scores.
    std::vector<std::int64_t> open_calls(const std::string& since);
    /// Vessel calls with containers whose scans were analysed since the last call (since start
    /// the first time): an analysis stored by any process makes their scores stale.
    std::vector<std::int64_t> calls_with_new_analyses();

    const Profile& profile() const { return *profile_; }

private:
    storage::Database& db_;
    const std::vector<reference::HsEntry>& hs_;
    std::unique_ptr<Profile> profile_;
    FactsLoader loader_;
    std::unique_ptr<profiling::BatchScorer> scorer_;
    /// Per vessel call, the newest message row already taken into account when it was last
    /// scored: later B/L changes are what to look for next time.
    std::unordered_map<std::int64_t, std::int64_t> seen_until_;
    std::int64_t analyses_seen_ = 0; ///< the newest scan analysis row looked at
};

} // namespace portscreen::scoring
