#include "scoring/profile_store.hpp"

#include "common/clock.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace portscreen::scoring {
namespace {

using storage::Database;
using storage::Statement;

std::optional<std::string> state(Database& db, std::string_view key) {
    Statement get(db, "SELECT value FROM profiling_state WHERE key = ?1");
    get.bind(1, key);
    return get.query_text();
}

void set_state(Database& db, std::string_view key, std::string_view value) {
    Statement put(db, "INSERT INTO profiling_state (key, value) VALUES (?1, ?2) "
                      "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    put.bind(1, key);
    put.bind(2, value);
    put.run();
}

} // namespace

std::int64_t profiling_generation(Database& db) {
    const auto value = state(db, "generation");
    return value ? std::stoll(*value) : 0;
}

void bump_generation(Database& db) {
    set_state(db, "generation", std::to_string(profiling_generation(db) + 1));
}

std::int64_t activate_rule_set(Database& db, const profiling::RuleSet& rules,
                               std::string_view loaded_by, std::string_view now) {
    Statement find(db, "SELECT id, source_text FROM rule_sets WHERE name = ?1 AND version = ?2");
    find.bind(1, rules.name());
    find.bind(2, rules.version());
    std::int64_t id = 0;
    if (find.step()) {
        id = find.column_int64(0);
        const bool same = find.column_text_view(1) == rules.source_text();
        find.reset();
        if (!same)
            throw std::runtime_error("rule set '" + rules.name() + "' version " +
                                     std::to_string(rules.version()) +
                                     " is already stored with other rules; raise its version");
    } else {
        Statement insert(db, "INSERT INTO rule_sets (name, version, source_text, loaded_at, "
                             "loaded_by) VALUES (?1, ?2, ?3, ?4, ?5)");
        insert.bind(1, rules.name());
        insert.bind(2, rules.version());
        insert.bind(3, rules.source_text());
        insert.bind(4, now);
        insert.bind(5, loaded_by);
        insert.run();
        id = db.last_insert_rowid();
    }
    if (state(db, "active_rule_set") != std::to_string(id)) {
        set_state(db, "active_rule_set", std::to_string(id));
        bump_generation(db);
    }
    return id;
}

std::optional<StoredRuleSet> active_rule_set(Database& db) {
    const auto id = state(db, "active_rule_set");
    if (!id)
        return std::nullopt;
    Statement get(db, "SELECT id, name, version, source_text FROM rule_sets WHERE id = ?1");
    get.bind(1, static_cast<std::int64_t>(std::stoll(*id)));
    if (!get.step())
        return std::nullopt;
    StoredRuleSet out{get.column_int64(0), get.column_text(1), get.column_int(2),
                      get.column_text(3)};
    get.reset();
    return out;
}

std::int64_t store_model(Database& db, const StoredModel& model) {
    Statement insert(db, "INSERT INTO models (trained_at, feature_names, metrics, status, model) "
                         "VALUES (?1, ?2, ?3, ?4, ?5)");
    insert.bind(1, model.trained_at);
    insert.bind(2, nlohmann::json(model.feature_names).dump());
    insert.bind(3, model.metrics_json);
    insert.bind(4, model.adopted ? "adopted" : "refused");
    insert.bind_blob(
        5, std::string_view(reinterpret_cast<const char*>(model.bytes.data()), model.bytes.size()));
    insert.run();
    const std::int64_t id = db.last_insert_rowid();
    if (model.adopted) {
        set_state(db, "active_model", std::to_string(id));
        bump_generation(db);
    }
    return id;
}

namespace {

StoredModel read_model(const Statement& row, bool with_bytes) {
    StoredModel model;
    model.id = row.column_int64(0);
    model.trained_at = row.column_text(1);
    model.feature_names =
        nlohmann::json::parse(row.column_text_view(2)).get<std::vector<std::string>>();
    model.metrics_json = row.column_text(3);
    model.adopted = row.column_text_view(4) == "adopted";
    if (with_bytes) {
        const std::string bytes = row.column_blob(5);
        model.bytes.assign(bytes.begin(), bytes.end());
    }
    return model;
}

} // namespace

std::optional<StoredModel> active_model(Database& db) {
    const auto id = state(db, "active_model");
    if (!id)
        return std::nullopt;
    Statement get(db, "SELECT id, trained_at, feature_names, metrics, status, model FROM models "
                      "WHERE id = ?1");
    get.bind(1, static_cast<std::int64_t>(std::stoll(*id)));
    if (!get.step())
        return std::nullopt;
    StoredModel model = read_model(get, true);
    get.reset();
    return model;
}

std::vector<StoredModel> list_models(Database& db) {
    Statement all(db, "SELECT id, trained_at, feature_names, metrics, status FROM models "
                      "ORDER BY id");
    std::vector<StoredModel> out;
    while (all.step())
        out.push_back(read_model(all, false));
    return out;
}

WatchlistWriter::WatchlistWriter(Database& db)
    : db_(db),
      upsert_(db, "INSERT INTO watchlist_entries (entry_id, kind, value, country, reason, source, "
                  "expires, points, added_at, origin) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                  "?10) ON CONFLICT (entry_id) DO UPDATE SET kind = excluded.kind, "
                  "value = excluded.value, country = excluded.country, reason = excluded.reason, "
                  "source = excluded.source, expires = excluded.expires, "
                  "points = excluded.points, added_at = excluded.added_at, removed_at = NULL, "
                  "origin = excluded.origin"),
      remove_(db, "UPDATE watchlist_entries SET removed_at = ?2 "
                  "WHERE entry_id = ?1 AND removed_at IS NULL") {}

void WatchlistWriter::add(const profiling::WatchEntry& entry, std::string_view now,
                          std::string_view origin) {
    upsert_.bind(1, entry.id);
    upsert_.bind(2, profiling::to_string(entry.kind));
    upsert_.bind(3, entry.value);
    upsert_.bind(4, entry.country);
    upsert_.bind(5, entry.reason);
    upsert_.bind(6, entry.source);
    upsert_.bind(7, entry.expires);
    upsert_.bind(8, entry.points);
    upsert_.bind(9, now);
    upsert_.bind_text_or_null(10, origin);
    upsert_.run();
}

bool WatchlistWriter::remove(std::string_view entry_id, std::string_view now) {
    remove_.bind(1, entry_id);
    remove_.bind(2, now);
    remove_.run();
    return db_.changes() > 0;
}

std::size_t add_watch_entries(Database& db, std::span<const profiling::WatchEntry> entries,
                              std::string_view now, std::string_view origin) {
    WatchlistWriter writer(db);
    for (const auto& entry : entries)
        writer.add(entry, now, origin);
    if (!entries.empty())
        bump_generation(db);
    return entries.size();
}

bool remove_watch_entry(Database& db, std::string_view entry_id, std::string_view now) {
    if (!WatchlistWriter(db).remove(entry_id, now))
        return false;
    bump_generation(db);
    return true;
}

std::vector<profiling::WatchEntry> active_watch_entries(Database& db, std::string_view today) {
    Statement all(db, "SELECT entry_id, kind, value, country, reason, source, expires, points "
                      "FROM watchlist_entries WHERE removed_at IS NULL ORDER BY id");
    std::vector<profiling::WatchEntry> out;
    while (all.step()) {
        profiling::WatchEntry entry;
        entry.id = all.column_text(0);
        const auto kind = profiling::parse_watch_kind(all.column_text_view(1));
        if (!kind)
            throw std::runtime_error("unknown watchlist kind '" + all.column_text(1) +
                                     "' in the database");
        entry.kind = *kind;
        entry.value = all.column_text(2);
        entry.country = all.column_text(3);
        entry.reason = all.column_text(4);
        entry.source = all.column_text(5);
        entry.expires = all.column_text(6);
        entry.points = all.column_optional_double(7);
        out.push_back(std::move(entry));
    }
    // Alerts and seizures from other ports raise the container's score until they expire.
    const std::string day =
        today.empty() ? utc_now_iso8601().substr(0, 10) : std::string(today.substr(0, 10));
    Statement alerts(db, "SELECT message_id, origin, container, reason, points, expires "
                         "FROM shared_alerts WHERE expires >= ?1 ORDER BY id");
    alerts.bind(1, day);
    while (alerts.step()) {
        profiling::WatchEntry entry;
        entry.id = "alert:" + alerts.column_text(0);
        entry.kind = profiling::WatchKind::container;
        entry.shared_alert = true;
        entry.source = alerts.column_text(1);
        entry.value = alerts.column_text(2);
        entry.reason = alerts.column_text(3);
        entry.points = alerts.column_double(4);
        entry.expires = alerts.column_text(5);
        // The Watchlist refuses an invalid entry as a whole: one bad alert must not stop scoring.
        if (!profiling::validate_watch_entry(entry).empty())
            continue;
        out.push_back(std::move(entry));
    }
    return out;
}

void record_outcome(Database& db, const Outcome& outcome, std::string_view now) {
    Statement insert(db, "INSERT INTO outcomes (container_id, inspected_on, method, result, "
                         "category, description, recorded_by, recorded_at, quantity, unit, "
                         "concealment, detection, place, notes) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
    insert.bind(1, outcome.container_id);
    insert.bind(2, outcome.inspected_on);
    insert.bind(3, outcome.method);
    insert.bind(4, outcome.seizure ? "seizure" : "no_find");
    insert.bind(5, outcome.category);
    insert.bind(6, outcome.description);
    insert.bind(7, outcome.recorded_by);
    insert.bind(8, now);
    insert.bind(9, outcome.quantity);
    insert.bind(10, outcome.unit);
    insert.bind(11, outcome.concealment);
    insert.bind(12, outcome.detection);
    insert.bind(13, outcome.place);
    insert.bind(14, outcome.notes);
    insert.run();
    // Every party named on a B/L with goods in the container learns of the outcome once.
    Statement count(
        db, "INSERT INTO party_outcomes (party_id, inspections, findings) "
            "SELECT party, 1, ?2 FROM ("
            "  SELECT DISTINCT party FROM ("
            "    SELECT b.shipper_id AS party FROM placements p "
            "      JOIN goods_items g ON g.id = p.goods_item_id "
            "      JOIN consignments b ON b.id = g.consignment_id WHERE p.container_id = ?1 "
            "    UNION SELECT b.consignee_id FROM placements p "
            "      JOIN goods_items g ON g.id = p.goods_item_id "
            "      JOIN consignments b ON b.id = g.consignment_id WHERE p.container_id = ?1 "
            "    UNION SELECT b.notify_id FROM placements p "
            "      JOIN goods_items g ON g.id = p.goods_item_id "
            "      JOIN consignments b ON b.id = g.consignment_id WHERE p.container_id = ?1 "
            "    UNION SELECT b.forwarder_id FROM placements p "
            "      JOIN goods_items g ON g.id = p.goods_item_id "
            "      JOIN consignments b ON b.id = g.consignment_id WHERE p.container_id = ?1) "
            "  WHERE party IS NOT NULL) WHERE true "
            "ON CONFLICT (party_id) DO UPDATE SET inspections = inspections + 1, "
            "findings = findings + excluded.findings");
    count.bind(1, outcome.container_id);
    count.bind(2, outcome.seizure ? 1 : 0);
    count.run();
}

profiling::MassNorms load_mass_norms(Database& db) {
    Statement all(db, "SELECT hs4, count, sum_log, sum_sq_log FROM mass_norms");
    profiling::MassNorms norms;
    while (all.step())
        norms.set(
            all.column_text(0),
            profiling::MassNorm{all.column_double(1), all.column_double(2), all.column_double(3)});
    return norms;
}

} // namespace portscreen::scoring
