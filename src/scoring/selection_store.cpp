#include "scoring/selection_store.hpp"

#include "common/clock.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>

namespace portscreen::scoring {
namespace {

using profiling::Lane;
using profiling::SelectionSource;
using storage::Database;
using storage::Statement;

SelectionSource source_from(std::string_view name) {
    for (std::size_t idx = 0; idx < profiling::kSelectionSourceCount; ++idx) {
        const auto source = static_cast<SelectionSource>(idx);
        if (profiling::to_string(source) == name)
            return source;
    }
    return SelectionSource::rule;
}

Lane lane_from(std::string_view name) {
    for (const Lane lane : {Lane::green, Lane::yellow, Lane::red})
        if (profiling::to_string(lane) == name)
            return lane;
    throw std::runtime_error("unknown lane '" + std::string(name) + "'");
}

/// The explanation's first listed factor: what the queue shows next to the score.
std::string top_reason(std::string_view factors_json) {
    const auto factors = nlohmann::json::parse(factors_json, nullptr, false);
    if (!factors.is_array() || factors.empty())
        return "";
    return factors.front().value("text", "");
}

} // namespace

std::string policy_json(const profiling::SelectionPolicy& policy) {
    return nlohmann::json{{"scan_capacity", policy.scan_capacity},
                          {"exam_capacity", policy.exam_capacity},
                          {"threshold", policy.threshold},
                          {"red_threshold", policy.red_threshold},
                          {"exploration_share", policy.exploration_share},
                          {"seed", policy.seed}}
        .dump();
}

std::optional<profiling::SelectionPolicy> saved_policy(Database& db) {
    Statement get(db, "SELECT value FROM profiling_state WHERE key = 'selection_policy'");
    const auto text = get.query_text();
    if (!text)
        return std::nullopt;
    const auto json = nlohmann::json::parse(*text);
    profiling::SelectionPolicy policy;
    policy.scan_capacity = json.at("scan_capacity").get<int>();
    policy.exam_capacity = json.at("exam_capacity").get<int>();
    policy.threshold = json.at("threshold").get<double>();
    policy.red_threshold = json.at("red_threshold").get<double>();
    policy.exploration_share = json.at("exploration_share").get<double>();
    policy.seed = json.at("seed").get<std::uint64_t>();
    return policy;
}

void save_policy(Database& db, const profiling::SelectionPolicy& policy) {
    Statement put(db, "INSERT INTO profiling_state (key, value) VALUES ('selection_policy', ?1) "
                      "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    put.bind(1, policy_json(policy));
    put.run();
}

profiling::SelectionResult select_day(Database& db, const std::string& day,
                                      const profiling::SelectionPolicy& policy,
                                      std::string_view decided_by) {
    storage::Transaction transaction(db);
    std::vector<profiling::Candidate> candidates;
    Statement all(db, "SELECT c.id, c.number, s.score, s.main_source, s.factors "
                      "FROM containers c JOIN vessel_calls v ON v.id = c.vessel_call_id "
                      "LEFT JOIN scores s ON s.container_id = c.id "
                      "WHERE substr(v.eta, 1, 10) = ?1 ORDER BY c.id");
    all.bind(1, day);
    while (all.step()) {
        profiling::Candidate candidate;
        candidate.id = all.column_int64(0);
        candidate.container_number = all.column_text(1);
        candidate.score =
            all.column_is_null(2) ? std::numeric_limits<double>::quiet_NaN() : all.column_double(2);
        candidate.source = source_from(all.column_text_view(3));
        candidate.reason = top_reason(all.column_text_view(4));
        candidates.push_back(std::move(candidate));
    }
    // The latest decision per container counts.
    std::map<std::int64_t, profiling::ManualDecision> latest;
    Statement manual(db, "SELECT m.container_id, m.action, m.lane, m.reason, m.officer "
                         "FROM manual_decisions m JOIN containers c ON c.id = m.container_id "
                         "JOIN vessel_calls v ON v.id = c.vessel_call_id "
                         "WHERE substr(v.eta, 1, 10) = ?1 ORDER BY m.id");
    manual.bind(1, day);
    while (manual.step()) {
        profiling::ManualDecision decision;
        decision.id = manual.column_int64(0);
        decision.add = manual.column_text_view(1) == "add";
        decision.lane = lane_from(manual.column_text_view(2));
        decision.reason = manual.column_text(3);
        decision.officer = manual.column_text(4);
        latest[decision.id] = decision;
    }
    std::vector<profiling::ManualDecision> decisions;
    for (auto& [id, decision] : latest)
        decisions.push_back(std::move(decision));

    auto result = profiling::select(candidates, policy, decisions, day);

    Statement clear(db, "DELETE FROM selections WHERE day = ?1");
    clear.bind(1, day);
    clear.run();
    const std::string now = utc_now_iso8601();
    Statement put(db, "INSERT INTO selections (container_id, day, lane, source, random, reason, "
                      "score, decided_by, decided_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    for (const auto& decision : result.selected) {
        put.bind(1, decision.id);
        put.bind(2, day);
        put.bind(3, profiling::to_string(decision.lane));
        put.bind(4, profiling::to_string(decision.source));
        put.bind(5, decision.random ? 1 : 0);
        put.bind(6, decision.reason);
        put.bind(7, std::isnan(decision.score) ? 0.0 : decision.score);
        put.bind(8, decision.officer.empty() ? decided_by : std::string_view(decision.officer));
        put.bind(9, now);
        put.run();
    }
    Statement summary(db, "INSERT OR REPLACE INTO selection_days (day, candidates, targeted, "
                          "pool, random_picks, policy, decided_at) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    summary.bind(1, day);
    summary.bind(2, result.candidates);
    summary.bind(3, result.targeted);
    summary.bind(4, result.pool);
    summary.bind(5, result.random_picks);
    summary.bind(6, policy_json(policy));
    summary.bind(7, now);
    summary.run();
    transaction.commit();
    return result;
}

void record_manual_decision(Database& db, const std::string& day, std::string_view container_number,
                            const profiling::ManualDecision& decision) {
    storage::Transaction transaction(db);
    Statement find(db, "SELECT c.id FROM containers c JOIN vessel_calls v "
                       "ON v.id = c.vessel_call_id "
                       "WHERE c.number = ?1 AND substr(v.eta, 1, 10) = ?2");
    find.bind(1, container_number);
    find.bind(2, day);
    const auto id = find.query_int64();
    if (!id)
        throw std::runtime_error("no container " + std::string(container_number) + " arrives on " +
                                 day);
    Statement put(db, "INSERT INTO manual_decisions (container_id, action, lane, reason, "
                      "officer, decided_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    put.bind(1, *id);
    put.bind(2, decision.add ? "add" : "remove");
    put.bind(3, profiling::to_string(decision.lane));
    put.bind(4, decision.reason);
    put.bind(5, decision.officer);
    put.bind(6, utc_now_iso8601());
    put.run();
    transaction.commit();
}

profiling::HitRateEstimates estimate_days(Database& db, const std::string& from,
                                          const std::string& to) {
    storage::Transaction snapshot(db, storage::TransactionMode::deferred);
    std::vector<profiling::DayOutcomes> days;
    Statement day_rows(db, "SELECT day, targeted, pool FROM selection_days "
                           "WHERE day BETWEEN ?1 AND ?2 ORDER BY day");
    Statement chosen(db, "SELECT s.container_id, s.source, s.random, o.result "
                         "FROM selections s LEFT JOIN outcomes o "
                         "ON o.container_id = s.container_id WHERE s.day = ?1");
    day_rows.bind(1, from);
    day_rows.bind(2, to);
    while (day_rows.step()) {
        profiling::SelectionResult selection;
        selection.day = day_rows.column_text(0);
        selection.targeted = day_rows.column_int(1);
        selection.pool = day_rows.column_int(2);
        std::vector<profiling::ContainerOutcome> outcomes;
        chosen.bind(1, selection.day);
        while (chosen.step()) {
            profiling::Decision decision;
            decision.id = chosen.column_int64(0);
            decision.source = source_from(chosen.column_text_view(1));
            decision.random = chosen.column_int(2) != 0;
            selection.selected.push_back(decision);
            if (!chosen.column_is_null(3))
                outcomes.push_back({decision.id, chosen.column_text_view(3) == "seizure"
                                                     ? profiling::InspectionOutcome::finding
                                                     : profiling::InspectionOutcome::no_find});
        }
        days.push_back(profiling::tally_outcomes(selection, outcomes));
    }
    snapshot.commit();
    return profiling::estimate_hit_rates(days);
}

} // namespace portscreen::scoring
