#include "scoring/rescorer.hpp"

#include "common/clock.hpp"
#include "common/log.hpp"
#include "scoring/profile_store.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace portscreen::scoring {
namespace {

using storage::Database;
using storage::Statement;

struct StoredScore {
    std::int64_t basis = 0;
    std::int64_t generation = 0;
    std::int64_t image_basis = 0;
};

std::string factors_json(const profiling::ContainerScore& score) {
    nlohmann::json factors = nlohmann::json::array();
    for (const auto& factor : score.factors) {
        // Rounded so that the stored text stays short; the score is rounded the same way.
        factors.push_back({{"kind", profiling::to_string(factor.kind)},
                           {"id", factor.id},
                           {"points", std::round(factor.points * 100) / 100},
                           {"text", factor.text}});
    }
    return factors.dump();
}

} // namespace

std::unique_ptr<Profile> load_profile(Database& db, const std::vector<reference::HsEntry>& hs) {
    auto profile = std::make_unique<Profile>();
    {
        storage::Transaction transaction(db);
        if (!active_rule_set(db)) {
            const auto rules =
                profiling::RuleSet::parse(default_rule_set_text(), "default rule set");
            activate_rule_set(db, rules, "portscreen", utc_now_iso8601());
            log::info("", "activated the default rule set '" + rules.name() + "' version " +
                              std::to_string(rules.version()));
        }
        transaction.commit();
    }
    storage::Transaction snapshot(db, storage::TransactionMode::deferred);
    profile->generation = profiling_generation(db);
    const auto stored_rules = active_rule_set(db);
    profile->rule_set_id = stored_rules->id;
    profile->rules = std::make_unique<profiling::RuleSet>(profiling::RuleSet::parse(
        stored_rules->source_text,
        "rule set '" + stored_rules->name + "' version " + std::to_string(stored_rules->version)));
    profile->watchlist = std::make_unique<profiling::Watchlist>(active_watch_entries(db));
    if (auto model = active_model(db)) {
        profile->model_id = model->id;
        profile->model = std::make_unique<profiling::TreeExplainer>(
            profiling::TreeExplainer::from_xgboost_json(model->bytes));
        profile->setup.model_feature_names = std::move(model->feature_names);
    }
    profile->mass_norms = load_mass_norms(db);
    snapshot.commit();

    std::vector<std::pair<std::string, std::string>> commodities;
    commodities.reserve(hs.size());
    for (const auto& entry : hs)
        commodities.emplace_back(entry.code, entry.description);
    profile->commodities = profiling::CommodityIndex(commodities);
    profile->setup.rules = profile->rules.get();
    profile->setup.watchlist = profile->watchlist.get();
    profile->setup.model = profile->model.get();
    profile->setup.context.commodities = &profile->commodities;
    profile->setup.context.mass_norms = &profile->mass_norms;
    return profile;
}

Rescorer::Rescorer(Database& db, const std::vector<reference::HsEntry>& hs)
    : db_(db), hs_(hs), profile_(load_profile(db, hs)), loader_(db),
      scorer_(std::make_unique<profiling::BatchScorer>(profile_->setup)) {}

bool Rescorer::reload_if_changed() {
    if (profiling_generation(db_) == profile_->generation)
        return false;
    // The scorer refers to the profile, so it goes first and comes back with the new one.
    scorer_.reset();
    profile_ = load_profile(db_, hs_);
    scorer_ = std::make_unique<profiling::BatchScorer>(profile_->setup);
    return true;
}

std::vector<std::int64_t> Rescorer::open_calls(const std::string& since) {
    Statement calls(db_, "SELECT id FROM vessel_calls WHERE substr(eta, 1, 10) >= ?1 "
                         "UNION SELECT DISTINCT c.vessel_call_id FROM containers c "
                         "WHERE NOT EXISTS (SELECT 1 FROM scores s WHERE s.container_id = c.id) "
                         "ORDER BY 1");
    calls.bind(1, since);
    std::vector<std::int64_t> out;
    while (calls.step())
        out.push_back(calls.column_int64(0));
    return out;
}

namespace {

double ms_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
}

} // namespace

std::vector<std::int64_t> Rescorer::calls_with_new_analyses() {
    std::vector<std::int64_t> calls;
    Statement newer(db_, "SELECT DISTINCT c.vessel_call_id FROM scan_analyses a "
                         "JOIN containers c ON c.id = a.container_id WHERE a.id > ?1");
    newer.bind(1, analyses_seen_);
    const auto newest = db_.query_int64("SELECT coalesce(max(id), 0) FROM scan_analyses");
    while (newer.step())
        calls.push_back(newer.column_int64(0));
    analyses_seen_ = newest;
    return calls;
}

RescoreCount Rescorer::score_call(std::int64_t vessel_call_id, const std::string& today) {
    RescoreCount count;
    auto started = std::chrono::steady_clock::now();
    std::vector<LoadedContainer> loaded;
    std::unordered_map<std::int64_t, StoredScore> stored;
    {
        // One snapshot, so the facts and the scores they are compared with agree.
        storage::Transaction snapshot(db_, storage::TransactionMode::deferred);
        // Candidates first, cheaply: containers never scored, scored under another profile or
        // declared again since, and those holding goods of a B/L changed since their score.
        // Only they are read in full, so a call arriving in many messages is not read again
        // and again.
        std::vector<std::int64_t> candidates;
        std::int64_t oldest_basis = std::numeric_limits<std::int64_t>::max();
        std::size_t containers = 0;
        Statement state(db_, "SELECT c.id, c.message_row, s.basis, s.generation, "
                             "EXISTS (SELECT 1 FROM outcomes o WHERE o.container_id = c.id), "
                             "s.image_basis, (SELECT coalesce(max(a.id), 0) FROM scan_analyses a "
                             "WHERE a.container_id = c.id) "
                             "FROM containers c LEFT JOIN scores s ON s.container_id = c.id "
                             "WHERE c.vessel_call_id = ?1");
        state.bind(1, vessel_call_id);
        while (state.step()) {
            ++containers;
            const std::int64_t id = state.column_int64(0);
            if (state.column_int(4) != 0) {
                // An inspected container keeps the score it was selected on: its stored
                // features are what the model learns from, and must not see the outcome they
                // led to.
                stored[id] = {std::numeric_limits<std::int64_t>::max(), profile_->generation,
                              std::numeric_limits<std::int64_t>::max()};
                continue;
            }
            if (state.column_is_null(2)) {
                candidates.push_back(id);
                continue;
            }
            const StoredScore score{state.column_int64(2), state.column_int64(3),
                                    state.column_int64(5)};
            stored[id] = score;
            oldest_basis = std::min(oldest_basis, score.basis);
            if (score.generation != profile_->generation || state.column_int64(1) > score.basis ||
                state.column_int64(6) > score.image_basis)
                candidates.push_back(id);
        }
        // B/Ls written since this call was last read here; after a restart, since its oldest
        // score.
        const auto seen = seen_until_.find(vessel_call_id);
        Statement changed(db_, "SELECT DISTINCT p.container_id FROM consignments b "
                               "JOIN goods_items g ON g.consignment_id = b.id "
                               "JOIN placements p ON p.goods_item_id = g.id "
                               "WHERE b.vessel_call_id = ?1 AND b.message_row > ?2");
        changed.bind(1, vessel_call_id);
        changed.bind(2, seen != seen_until_.end() ? seen->second : oldest_basis);
        while (changed.step())
            candidates.push_back(changed.column_int64(0));
        std::sort(candidates.begin(), candidates.end());
        candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
        count.containers = containers;
        if (!candidates.empty())
            loaded = loader_.load_call(vessel_call_id, &candidates);
        seen_until_[vessel_call_id] = db_.query_int64("SELECT coalesce(max(id), 0) FROM messages");
        snapshot.commit();
    }
    std::vector<profiling::ContainerFacts> stale;
    std::vector<std::int64_t> bases;
    std::vector<std::int64_t> image_bases;
    std::vector<bool> first_time;
    for (auto& container : loaded) {
        const auto it = stored.find(container.facts.container_id);
        if (it != stored.end() && it->second.basis >= container.basis &&
            it->second.generation == profile_->generation &&
            it->second.image_basis >= container.image_basis)
            continue;
        first_time.push_back(it == stored.end());
        bases.push_back(container.basis);
        image_bases.push_back(container.image_basis);
        stale.push_back(std::move(container.facts));
    }
    if (stale.empty())
        return count;

    count.load_ms = ms_since(started);
    started = std::chrono::steady_clock::now();
    std::vector<profiling::ScoredContainer> scored;
    scorer_->score(stale, today, scored);
    count.score_ms = ms_since(started);
    started = std::chrono::steady_clock::now();

    const std::string now = utc_now_iso8601();
    storage::Transaction transaction(db_);
    Statement put(db_, "INSERT OR REPLACE INTO scores (container_id, score, main_source, factors, "
                       "features, rule_set_id, model_id, generation, basis, scored_at, "
                       "image_basis) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    Statement norm(db_, "INSERT INTO mass_norms (hs4, count, sum_log, sum_sq_log) "
                        "VALUES (?1, 1, ?2, ?2 * ?2) ON CONFLICT (hs4) DO UPDATE SET "
                        "count = count + 1, sum_log = sum_log + excluded.sum_log, "
                        "sum_sq_log = sum_sq_log + excluded.sum_sq_log");
    for (std::size_t idx = 0; idx < stale.size(); ++idx) {
        const auto& result = scored[idx];
        put.bind(1, stale[idx].container_id);
        put.bind(2, std::round(result.score.score * 100) / 100);
        put.bind(3, result.score.main_source);
        put.bind(4, factors_json(result.score));
        put.bind_blob(5,
                      std::string_view(reinterpret_cast<const char*>(result.model_features.data()),
                                       result.model_features.size() * sizeof(float)));
        put.bind(6, profile_->rule_set_id);
        put.bind(7, profile_->model_id);
        put.bind(8, profile_->generation);
        put.bind(9, bases[idx]);
        put.bind(10, now);
        put.bind(11, image_bases[idx]);
        put.run();
        if (!first_time[idx])
            continue;
        // Each container adds to the mass norms once, when first scored.
        for (const auto& observation : profiling::mass_observations(stale[idx])) {
            norm.bind(1, observation.hs4);
            norm.bind(2, std::log(observation.kg_per_package));
            norm.run();
            profile_->mass_norms.add(observation.hs4, observation.kg_per_package);
        }
    }
    transaction.commit();
    count.store_ms = ms_since(started);
    count.scored = stale.size();
    return count;
}

} // namespace portscreen::scoring
