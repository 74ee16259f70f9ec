#pragma once

#include "score.hpp"
#include "storage/database.hpp"
#include "watchlist.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

/// What scores rest on, as kept in the node's database: rule sets, models, watchlist entries,
/// outcomes and the counters derived from them. Each write function runs inside the caller's
/// transaction and raises the profiling generation where a running node must re-score.
namespace portscreen::scoring {

/// Bumped by every change that alters scores; a running node polls it.
std::int64_t profiling_generation(storage::Database& db);
void bump_generation(storage::Database& db);

struct StoredRuleSet {
    std::int64_t id = 0;
    std::string name;
    int version = 0;
    std::string source_text;
};

/// Stores a parsed rule set (refusing a name and version already stored with other text) and
/// makes it the active one. Returns its row id.
std::int64_t activate_rule_set(storage::Database& db, const profiling::RuleSet& rules,
                               std::string_view loaded_by, std::string_view now);
std::optional<StoredRuleSet> active_rule_set(storage::Database& db);

struct StoredModel {
    std::int64_t id = 0;
    std::string trained_at;
    std::vector<std::string> feature_names;
    std::string metrics_json;
    bool adopted = false;
    std::vector<std::uint8_t> bytes;
};

/// Stores a trained model; an adopted one becomes active.
std::int64_t store_model(storage::Database& db, const StoredModel& model);
std::optional<StoredModel> active_model(storage::Database& db);
std::vector<StoredModel> list_models(storage::Database& db); ///< without their bytes

/// Adds entries, replacing any with the same id. Returns how many were added or replaced.
/// `origin` names the port that shared them (schema 6, watchlist_entries.origin); empty for
/// this node's own entries, the only ones it shares in turn.
std::size_t add_watch_entries(storage::Database& db, std::span<const profiling::WatchEntry> entries,
                              std::string_view now, std::string_view origin = {});
/// Marks an entry removed; false when there is no such active entry.
bool remove_watch_entry(storage::Database& db, std::string_view entry_id, std::string_view now);

/// Adds and removes watchlist entries one by one with statements prepared once, for many
/// changes in one transaction (entries received from other ports). Unlike the functions above
/// it leaves the profiling generation alone: the caller bumps it once when anything changed.
class WatchlistWriter {
public:
    explicit WatchlistWriter(storage::Database& db);
    /// As add_watch_entries, for one entry.
    void add(const profiling::WatchEntry& entry, std::string_view now,
             std::string_view origin = {});
    /// As remove_watch_entry.
    bool remove(std::string_view entry_id, std::string_view now);

private:
    storage::Database& db_;
    storage::Statement upsert_;
    storage::Statement remove_;
};
/// The entries that match from `today` (YYYY-MM-DD; empty for the current UTC day): those not
/// removed, then the alerts and seizures received from other ports (shared_alerts) that have not
/// expired, as container entries with `shared_alert` set, id "alert:<message id>", the origin
/// as source. A received alert whose container number is not valid is left out.
std::vector<profiling::WatchEntry> active_watch_entries(storage::Database& db,
                                                        std::string_view today = {});

/// An inspection outcome of one container.
struct Outcome {
    std::int64_t container_id = 0;
    std::string inspected_on; ///< YYYY-MM-DD
    std::string method;       ///< scan or physical
    bool seizure = false;
    std::string category;
    std::string description;
    std::string recorded_by;
    // CEN-style seizure details (schema version 4); empty or absent for a no-find.
    std::optional<double> quantity; ///< in `unit`, greater than 0 for a seizure
    std::string unit;               ///< kg, g, l, pieces, packages, sticks or usd
    std::string concealment;        ///< where the goods were hidden
    std::string detection;          ///< what found them (or how the container was examined)
    std::string place;              ///< UN/LOCODE or free text
    std::string notes;
};

/// Records an outcome and counts it for every party of the container's bills of lading.
/// Refuses a second outcome for the same container.
void record_outcome(storage::Database& db, const Outcome& outcome, std::string_view now);

/// The HS-heading mass norms as stored.
profiling::MassNorms load_mass_norms(storage::Database& db);

} // namespace portscreen::scoring
