#include "scoring/cli.hpp"

#include "audit/audit.hpp"
#include "common/args.hpp"
#include "common/clock.hpp"
#include "common/json_writer.hpp"
#include "reference/reference.hpp"
#include "scoring/backtest.hpp"
#include "scoring/profile_store.hpp"
#include "scoring/rescorer.hpp"
#include "scoring/selection_store.hpp"
#include "scoring/training.hpp"
#include "sim/simulator.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

namespace portscreen::scoring {
namespace {

namespace fs = std::filesystem;
using storage::Database;
using storage::Statement;

std::string read_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + file.string());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

Database open_node(const Args& args) {
    const auto data = args.get("data");
    if (!data)
        throw std::invalid_argument("--data DIR is required");
    const fs::path file = fs::path(*data) / "portscreen.db";
    if (!fs::exists(file))
        throw std::runtime_error("no port node database in " + *data);
    return Database::open(file, storage::Access::writer);
}

std::string today() {
    return utc_now_iso8601().substr(0, 10);
}

std::string operator_name() {
    const char* user = std::getenv("USER");
    return user != nullptr && *user != '\0' ? user : "cli";
}

/// The audit log's actor for changes made from the command line: "cli:" and the login name.
std::string cli_actor() {
    const char* user = std::getenv("USER");
    if (user == nullptr || *user == '\0')
        return "cli";
    return std::string("cli:").append(user);
}

std::string percent(const profiling::Estimate& estimate) {
    if (!estimate.defined)
        return "n/a";
    char text[64];
    std::snprintf(text, sizeof text, "%.1f%% (95%% CI %.1f–%.1f%%)", estimate.value * 100,
                  estimate.lower * 100, estimate.upper * 100);
    return text;
}

/// The port's saved policy (or the defaults of a new node) with the options given on top.
profiling::SelectionPolicy policy_from(const Args& args, Database& db) {
    profiling::SelectionPolicy policy;
    policy.scan_capacity = 300;
    policy.exam_capacity = 40;
    policy.seed = 1;
    if (const auto saved = saved_policy(db))
        policy = *saved;
    policy.scan_capacity =
        static_cast<int>(args.number_or("scan-capacity", policy.scan_capacity, 0, 1'000'000));
    policy.exam_capacity =
        static_cast<int>(args.number_or("exam-capacity", policy.exam_capacity, 0, 1'000'000));
    policy.threshold = std::stod(args.get_or("threshold", std::to_string(policy.threshold)));
    policy.red_threshold =
        std::stod(args.get_or("red-threshold", std::to_string(policy.red_threshold)));
    policy.exploration_share =
        std::stod(args.get_or("exploration-share", std::to_string(policy.exploration_share)));
    policy.seed = static_cast<std::uint64_t>(
        args.number_or("seed", static_cast<long long>(policy.seed), 0, 1LL << 62));
    if (!(policy.exploration_share >= 0 && policy.exploration_share <= 1))
        throw std::invalid_argument("--exploration-share must be between 0 and 1");
    return policy;
}

const std::set<std::string> kPolicyOptions = {"scan-capacity", "exam-capacity",     "threshold",
                                              "red-threshold", "exploration-share", "seed"};

std::set<std::string> with_policy(std::set<std::string> options) {
    options.insert(kPolicyOptions.begin(), kPolicyOptions.end());
    return options;
}

// -- rules -------------------------------------------------------------------------------------

constexpr const char* kRulesHelp =
    R"(usage: portscreen rules check FILE
       portscreen rules activate FILE --data DIR
       portscreen rules show --data DIR
       portscreen rules backtest FILE --data DIR [--days N] [selection options]

Rule sets are JSON files (docs/rules.md). check parses one and reports every problem with its
line; activate stores it in the node and makes it the active set (a running node re-scores the
open vessel calls within a second; a broken file is refused and the active set stays); show
prints the active set. backtest replays a draft over the last N days (default 30) of stored
containers with the active watchlist and model, and reports per day how many it would select
against capacity and its hit rate on containers with known outcomes. Selection options are those
of `portscreen select`.
)";

int rules_backtest(const Args& args, const profiling::RuleSet& draft);

bool rule_set_stored(Database& db, const profiling::RuleSet& rules) {
    Statement find(db, "SELECT count(*) FROM rule_sets WHERE name = ?1 AND version = ?2");
    find.bind(1, rules.name());
    find.bind(2, rules.version());
    return find.query_int64().value_or(0) > 0;
}

/// Records `rules.load` when the set was new to the node, then `rules.activate`, inside the
/// activation's transaction.
void audit_rule_set(Database& db, const profiling::RuleSet& rules, bool stored_before,
                    std::string_view now) {
    const std::string subject = std::string("rule_set:")
                                    .append(rules.name())
                                    .append("@")
                                    .append(std::to_string(rules.version()));
    if (!stored_before) {
        JsonWriter detail;
        detail.open_object();
        detail.member("rules", static_cast<std::int64_t>(rules.size()));
        detail.close_object();
        audit::append(db, cli_actor(), "rules.load", subject, detail.take(), now);
    }
    audit::append(db, cli_actor(), "rules.activate", subject, "{}", now);
}

int run_rules(const std::vector<std::string>& argv) {
    if (argv.empty()) {
        std::fputs(kRulesHelp, stderr);
        return 2;
    }
    const std::string action = argv[0];
    const std::vector<std::string> rest(argv.begin() + 1, argv.end());
    Args args(rest, with_policy({"data", "days"}), {});
    if (action == "show") {
        auto db = open_node(args);
        const auto active = active_rule_set(db);
        if (!active) {
            std::puts("no rule set is active yet; the node activates the default one at start");
            return 0;
        }
        std::printf("active rule set '%s' version %d\n%s\n", active->name.c_str(), active->version,
                    active->source_text.c_str());
        return 0;
    }
    if (args.positional().size() != 1 ||
        (action != "check" && action != "activate" && action != "backtest")) {
        std::fputs(kRulesHelp, stderr);
        return 2;
    }
    const fs::path file = args.positional().front();
    std::optional<profiling::RuleSet> rules;
    try {
        rules = profiling::RuleSet::parse(read_file(file), file.string());
    } catch (const profiling::RuleSetError& e) {
        std::fprintf(stderr, "%s\nthe rule set was not loaded\n", e.what());
        return 1;
    }
    if (action == "check") {
        std::printf("%s: rule set '%s' version %d, %zu rules, no problems\n", file.c_str(),
                    rules->name().c_str(), rules->version(), rules->size());
        return 0;
    }
    if (action == "backtest")
        return rules_backtest(args, *rules);
    auto db = open_node(args);
    storage::Transaction transaction(db);
    const std::string now = utc_now_iso8601();
    const bool stored_before = rule_set_stored(db, *rules);
    activate_rule_set(db, *rules, operator_name(), now);
    audit_rule_set(db, *rules, stored_before, now);
    transaction.commit();
    std::printf("rule set '%s' version %d is active (%zu rules)\n", rules->name().c_str(),
                rules->version(), rules->size());
    return 0;
}

int rules_backtest(const Args& args, const profiling::RuleSet& draft) {
    auto db = open_node(args);
    const int days = static_cast<int>(args.number_or("days", 30, 1, 3650));
    const auto policy = policy_from(args, db);
    const auto hs = reference::load_hs_nomenclature(reference::default_hs_nomenclature_path());
    const auto report = backtest_rule_set(db, draft, days, policy, hs);
    std::printf("backtest of rule set '%s' version %d over %zu days (policy %s)\n\n",
                draft.name().c_str(), draft.version(), report.days.size(),
                policy_json(policy).c_str());
    std::printf("%-10s %10s %10s %9s %9s %6s %6s %9s %9s\n", "day", "containers", "above",
                "capacity", "selected", "over", "spare", "known", "findings");
    for (const auto& day : report.days)
        std::printf("%-10s %10d %10d %9d %9d %6d %6d %9d %9d\n", day.day.c_str(), day.containers,
                    day.above_threshold, day.capacity, day.selected, day.over_capacity,
                    day.spare_capacity, day.known_selected, day.findings_selected);
    std::printf("\nhit rate on selected containers with known outcomes: %s (%lld of %lld)\n",
                percent(report.hit_rate).c_str(),
                static_cast<long long>(report.selected_known.findings),
                static_cast<long long>(report.selected_known.inspected));
    std::printf("known findings it would miss: %lld (%lld below the threshold, %lld for want of "
                "capacity)\n",
                static_cast<long long>(report.missed_findings),
                static_cast<long long>(report.missed_below_threshold),
                static_cast<long long>(report.missed_over_capacity));
    std::printf("days over capacity: %d, days with spare capacity: %d\n", report.days_over_capacity,
                report.days_with_spare_capacity);
    std::puts("(party history is read as it stands today, so it includes what came after each "
              "day)");
    return 0;
}

// -- watchlist ---------------------------------------------------------------------------------

constexpr const char* kWatchlistHelp =
    R"(usage: portscreen watchlist import FILE --data DIR
       portscreen watchlist list --data DIR
       portscreen watchlist remove ENTRY-ID --data DIR

Watchlists (docs/watchlists.md) list parties, containers, vessels, bills of lading and routes,
each with a reason, a source and an expiry. import reads a CSV or JSON file (by its extension)
and adds or replaces its entries in one transaction: a file with any problem is refused whole,
with every problem and its line. A running node re-scores the open vessel calls within a second.
)";

int run_watchlist(const std::vector<std::string>& argv) {
    if (argv.empty()) {
        std::fputs(kWatchlistHelp, stderr);
        return 2;
    }
    const std::string action = argv[0];
    Args args(std::vector<std::string>(argv.begin() + 1, argv.end()), {"data"}, {});
    if (action == "list") {
        auto db = open_node(args);
        const auto entries = active_watch_entries(db);
        for (const auto& entry : entries)
            std::printf("%-16s %-15s %-40s %-3s expires %-10s %s (%s)\n", entry.id.c_str(),
                        std::string(profiling::to_string(entry.kind)).c_str(), entry.value.c_str(),
                        entry.country.c_str(),
                        entry.expires.empty() ? "never" : entry.expires.c_str(),
                        entry.reason.c_str(), entry.source.c_str());
        std::printf("%zu active entries\n", entries.size());
        return 0;
    }
    if (args.positional().size() != 1 || (action != "import" && action != "remove")) {
        std::fputs(kWatchlistHelp, stderr);
        return 2;
    }
    auto db = open_node(args);
    if (action == "remove") {
        storage::Transaction transaction(db);
        const std::string now = utc_now_iso8601();
        const std::string& entry_id = args.positional().front();
        const bool removed = remove_watch_entry(db, entry_id, now);
        if (removed)
            audit::append(db, cli_actor(), "watchlist.remove",
                          std::string("watchlist:").append(entry_id), "{}", now);
        transaction.commit();
        if (!removed) {
            std::fprintf(stderr, "no active watchlist entry '%s'\n",
                         args.positional().front().c_str());
            return 1;
        }
        std::printf("removed %s\n", args.positional().front().c_str());
        return 0;
    }
    const fs::path file = args.positional().front();
    std::vector<profiling::WatchEntry> entries;
    try {
        const std::string text = read_file(file);
        entries = file.extension() == ".json" ? profiling::parse_watchlist_json(text, file.string())
                                              : profiling::parse_watchlist_csv(text, file.string());
    } catch (const profiling::WatchlistError& e) {
        std::fprintf(stderr, "%s\nnothing was imported\n", e.what());
        return 1;
    }
    storage::Transaction transaction(db);
    const std::string now = utc_now_iso8601();
    const auto added = add_watch_entries(db, entries, now);
    for (const auto& entry : entries) {
        JsonWriter detail;
        detail.open_object();
        detail.member("kind", profiling::to_string(entry.kind));
        detail.member("value", entry.value);
        detail.member("expires", entry.expires);
        detail.member("file", file.filename().string());
        detail.close_object();
        audit::append(db, cli_actor(), "watchlist.add", std::string("watchlist:").append(entry.id),
                      detail.take(), now);
    }
    transaction.commit();
    std::printf("imported %zu watchlist entries from %s\n", added, file.c_str());
    return 0;
}

// -- model ---------------------------------------------------------------------------------------

constexpr const char* kModelHelp =
    R"(usage: portscreen model train --data DIR [--seed N]
       portscreen model list --data DIR

train fits gradient-boosted trees to the recorded inspection outcomes, using the features each
container had when it was scored. The most recent fifth of the outcomes is held out: the new
model becomes active only if its average precision there is no worse than the active model's.
Every model is stored with its metrics, adopted or not. list shows them.
)";

int run_model(const std::vector<std::string>& argv) {
    if (argv.empty() || (argv[0] != "train" && argv[0] != "list")) {
        std::fputs(kModelHelp, stderr);
        return 2;
    }
    Args args(std::vector<std::string>(argv.begin() + 1, argv.end()), {"data", "seed"}, {});
    auto db = open_node(args);
    if (argv[0] == "list") {
        for (const auto& model : list_models(db))
            std::printf("model %lld  %s  %s  %s\n", static_cast<long long>(model.id),
                        model.trained_at.c_str(), model.adopted ? "adopted" : "refused",
                        model.metrics_json.c_str());
        return 0;
    }
    TrainingOptions options;
    options.seed = static_cast<std::uint64_t>(args.number_or("seed", 1, 0, 1LL << 62));
    const auto report = train_model(db, options);
    std::printf("trained on %zu outcomes (%zu findings) in %.2f s; held out the latest %zu "
                "(%zu findings)\n%s\nmodel %lld stored\n",
                report.rows - report.held_out_rows, report.positives - report.held_out_positives,
                report.train_seconds, report.held_out_rows, report.held_out_positives,
                report.decision.c_str(), static_cast<long long>(report.model_id));
    return 0;
}

// -- score ---------------------------------------------------------------------------------------

constexpr const char* kScoreHelp = R"(usage: portscreen score --data DIR

Scores every container of the node whose score is missing or stale, as a running node does on
its own; for a data folder whose node is stopped. Prints how many were scored.
)";

int run_score(const std::vector<std::string>& argv) {
    Args args(argv, {"data"}, {});
    auto db = open_node(args);
    const auto hs = reference::load_hs_nomenclature(reference::default_hs_nomenclature_path());
    Rescorer rescorer(db, hs);
    std::size_t scored = 0;
    std::size_t containers = 0;
    for (const auto call : rescorer.open_calls("0000-00-00")) {
        const auto count = rescorer.score_call(call, today());
        scored += count.scored;
        containers += count.containers;
    }
    std::printf("scored %zu of %zu containers\n", scored, containers);
    return 0;
}

// -- select --------------------------------------------------------------------------------------

constexpr const char* kSelectHelp =
    R"(usage: portscreen select --data DIR --day YYYY-MM-DD [options]
       portscreen select add CONTAINER --data DIR --day D --lane red|yellow --reason TEXT
                         [--officer NAME]
       portscreen select remove CONTAINER --data DIR --day D --reason TEXT [--officer NAME]
       portscreen select list --data DIR --day D [--limit N]
       portscreen select estimate --data DIR --from D --to D

Selects, among the containers arriving on a day, those to examine (red lane) and to scan
(yellow), by score within the day's capacity, plus a random share of the rest marked as random
(docs/selection.md). Policy options given to a selection are saved as the port's policy and
used by later selections and backtests; the defaults below hold until then. add and remove record an officer's decision for the next selection.
list prints the stored selection of a day, examinations first, each with its score and the
factors that explain it. estimate reports hit rates with 95% confidence intervals from the
stored selections and outcomes of a period.

  --scan-capacity N       scans per day (default 300)
  --exam-capacity N       physical examinations per day (default 40)
  --threshold X           lowest score targeted (default 40)
  --red-threshold X       lowest score sent to examination (default 70)
  --exploration-share X   share of the scan capacity picked at random (default 0.05)
  --seed N                seed of the random picks (default 1)
)";

/// The day's selection as stored, with each container's explanation.
int print_selection(Database& db, const std::string& day, long long limit) {
    Statement rows(db, "SELECT c.number, s.lane, s.source, s.random, s.score, s.reason, "
                       "sc.factors FROM selections s JOIN containers c ON c.id = s.container_id "
                       "LEFT JOIN scores sc ON sc.container_id = s.container_id "
                       "WHERE s.day = ?1 ORDER BY s.lane = 'red' DESC, s.random, s.score DESC, "
                       "c.number LIMIT ?2");
    rows.bind(1, day);
    rows.bind(2, static_cast<std::int64_t>(limit));
    std::size_t shown = 0;
    while (rows.step()) {
        ++shown;
        std::printf("%-6s %s  score %5.1f  %s%s\n", rows.column_text(1).c_str(),
                    rows.column_text(0).c_str(), rows.column_double(4), rows.column_text(2).c_str(),
                    rows.column_int(3) ? " (random pick)" : "");
        const auto factors = nlohmann::json::parse(rows.column_text_view(6), nullptr, false);
        if (!factors.is_array())
            continue;
        int listed = 0;
        for (const auto& factor : factors) {
            if (listed++ == 4)
                break;
            std::printf("         %+6.1f  %s\n", factor.value("points", 0.0),
                        factor.value("text", "").c_str());
        }
    }
    if (shown == 0)
        std::printf("no selection stored for %s\n", day.c_str());
    return 0;
}

int run_select(const std::vector<std::string>& argv) {
    const bool manual = !argv.empty() && (argv[0] == "add" || argv[0] == "remove");
    const bool estimate = !argv.empty() && argv[0] == "estimate";
    const bool list = !argv.empty() && argv[0] == "list";
    const std::vector<std::string> rest =
        manual || estimate || list ? std::vector<std::string>(argv.begin() + 1, argv.end()) : argv;
    Args args(rest,
              with_policy({"data", "day", "lane", "reason", "officer", "from", "to", "limit"}), {});
    auto db = open_node(args);
    if (estimate) {
        const auto e =
            estimate_days(db, args.get_or("from", "0000-00-00"), args.get_or("to", "9999-99-99"));
        std::printf("days: %d, targeted: %lld, not targeted: %lld\n", e.days,
                    static_cast<long long>(e.targeted), static_cast<long long>(e.not_targeted));
        std::printf("hit rate of the targeted share: %s\n", percent(e.targeted_hit_rate).c_str());
        std::printf("finding rate among the rest (random share, %lld inspected): %s\n",
                    static_cast<long long>(e.random_counts.inspected),
                    percent(e.rest_finding_rate).c_str());
        std::printf("overall finding rate: %s\n", percent(e.overall_finding_rate).c_str());
        std::printf("detection rate of the targeted share: %s\n",
                    percent(e.detection_rate).c_str());
        return 0;
    }
    const auto day = args.get("day");
    if (!day) {
        std::fputs(kSelectHelp, stderr);
        return 2;
    }
    if (list)
        return print_selection(db, *day, args.number_or("limit", 20, 1, 1'000'000));
    if (manual) {
        if (args.positional().size() != 1 || !args.get("reason")) {
            std::fputs(kSelectHelp, stderr);
            return 2;
        }
        profiling::ManualDecision decision;
        decision.add = argv[0] == "add";
        const std::string lane = args.get_or("lane", decision.add ? "yellow" : "green");
        decision.lane = lane == "red"      ? profiling::Lane::red
                        : lane == "yellow" ? profiling::Lane::yellow
                                           : profiling::Lane::green;
        decision.reason = *args.get("reason");
        decision.officer = args.get_or("officer", operator_name());
        record_manual_decision(db, *day, args.positional().front(), decision);
        std::printf("recorded: %s %s (%s); it applies from the next selection of %s\n",
                    argv[0].c_str(), args.positional().front().c_str(), decision.reason.c_str(),
                    day->c_str());
        return 0;
    }
    const auto policy = policy_from(args, db);
    if (std::any_of(kPolicyOptions.begin(), kPolicyOptions.end(),
                    [&](const std::string& option) { return args.get(option).has_value(); })) {
        storage::Transaction transaction(db);
        save_policy(db, policy);
        transaction.commit();
    }
    const auto result = select_day(db, *day, policy, operator_name());
    std::printf("selection of %s: %d containers, %d targeted (%d by score, %d by hand), "
                "%d random of %d slots; exams %d, scans %d; %d above the threshold found no "
                "capacity\n",
                day->c_str(), result.candidates, result.targeted, result.by_score,
                result.manual_added, result.random_picks, result.random_slots, result.exams_used,
                result.scans_used, result.capacity_shortfall);
    for (const auto& problem : result.problems)
        std::printf("  note: %s\n", problem.c_str());
    return 0;
}

// -- outcomes ------------------------------------------------------------------------------------

constexpr const char* kOutcomesHelp =
    R"(usage: portscreen outcomes record CONTAINER --data DIR --day D --result no_find|seizure
                         [--method scan|physical] [--category TEXT] [--description TEXT]
                         [--officer NAME]
       portscreen outcomes simulate --data DIR --day D --truth GROUND-TRUTH.jsonl

record stores the outcome of the inspection of a container arriving on day D; outcomes are the
labels `portscreen model train` learns from. simulate, for demonstrations, inspects the day's
selection against the simulator's ground truth (a planted hit is found, everything else is a
no-find) and reports how well the selection did.
)";

int outcomes_simulate(Database& db, const std::string& day, const fs::path& truth_file);

int run_outcomes(const std::vector<std::string>& argv) {
    if (argv.empty() || (argv[0] != "record" && argv[0] != "simulate")) {
        std::fputs(kOutcomesHelp, stderr);
        return 2;
    }
    Args args(std::vector<std::string>(argv.begin() + 1, argv.end()),
              {"data", "day", "result", "method", "category", "description", "officer", "truth"},
              {});
    auto db = open_node(args);
    const auto day = args.get("day");
    if (!day) {
        std::fputs(kOutcomesHelp, stderr);
        return 2;
    }
    if (argv[0] == "simulate") {
        const auto truth = args.get("truth");
        if (!truth) {
            std::fputs(kOutcomesHelp, stderr);
            return 2;
        }
        return outcomes_simulate(db, *day, *truth);
    }
    const auto result = args.get("result");
    if (args.positional().size() != 1 || !result ||
        (*result != "no_find" && *result != "seizure")) {
        std::fputs(kOutcomesHelp, stderr);
        return 2;
    }
    Statement find(db, "SELECT c.id FROM containers c JOIN vessel_calls v "
                       "ON v.id = c.vessel_call_id "
                       "WHERE c.number = ?1 AND substr(v.eta, 1, 10) = ?2");
    find.bind(1, args.positional().front());
    find.bind(2, *day);
    const auto id = find.query_int64();
    if (!id)
        throw std::runtime_error("no container " + args.positional().front() + " arrives on " +
                                 *day);
    Outcome outcome;
    outcome.container_id = *id;
    outcome.inspected_on = *day;
    outcome.method = args.get_or("method", "physical");
    outcome.seizure = *result == "seizure";
    outcome.category = args.get_or("category", "");
    outcome.description = args.get_or("description", "");
    outcome.recorded_by = args.get_or("officer", operator_name());
    storage::Transaction transaction(db);
    record_outcome(db, outcome, utc_now_iso8601());
    transaction.commit();
    std::printf("outcome recorded for %s: %s\n", args.positional().front().c_str(),
                result->c_str());
    return 0;
}

int outcomes_simulate(Database& db, const std::string& day, const fs::path& truth_file) {
    // Planted cases by container number: hits are found when inspected.
    const auto truth = sim::read_ground_truth(truth_file);
    std::size_t hits = 0;
    for (const auto& [number, entry] : truth)
        hits += entry.hit ? 1 : 0;
    Statement selected(db, "SELECT s.container_id, c.number, s.lane, s.random FROM selections s "
                           "JOIN containers c ON c.id = s.container_id WHERE s.day = ?1 "
                           "AND NOT EXISTS (SELECT 1 FROM outcomes o "
                           "WHERE o.container_id = s.container_id)");
    selected.bind(1, day);
    std::size_t inspected = 0;
    std::size_t found = 0;
    std::size_t random_inspected = 0;
    std::size_t random_found = 0;
    storage::Transaction transaction(db);
    const std::string now = utc_now_iso8601();
    std::vector<Outcome> outcomes;
    while (selected.step()) {
        Outcome outcome;
        outcome.container_id = selected.column_int64(0);
        const auto it = truth.find(selected.column_text(1));
        outcome.inspected_on = day;
        outcome.method = selected.column_text_view(2) == "red" ? "physical" : "scan";
        outcome.seizure = it != truth.end() && it->second.hit;
        if (outcome.seizure) {
            const std::string& finding = it->second.finding;
            outcome.category = finding.substr(0, finding.find(':'));
            outcome.description = finding;
        }
        outcome.recorded_by = "simulated inspection";
        const bool random = selected.column_int(3) != 0;
        ++inspected;
        found += outcome.seizure ? 1 : 0;
        random_inspected += random ? 1 : 0;
        random_found += random && outcome.seizure ? 1 : 0;
        outcomes.push_back(std::move(outcome));
    }
    for (const auto& outcome : outcomes)
        record_outcome(db, outcome, now);
    transaction.commit();
    std::printf("%s: inspected %zu selected containers, found %zu of the %zu planted hits "
                "(%.1f%% detected, hit rate %.1f%%); random share: %zu inspected, %zu found\n",
                day.c_str(), inspected, found, hits,
                hits > 0 ? 100.0 * static_cast<double>(found) / static_cast<double>(hits) : 0.0,
                inspected > 0 ? 100.0 * static_cast<double>(found) / static_cast<double>(inspected)
                              : 0.0,
                random_inspected, random_found);
    return 0;
}

} // namespace

const std::vector<CliCommand>& cli_commands() {
    static const std::vector<CliCommand> commands = {
        {"rules", "check, activate and backtest rule sets", kRulesHelp, run_rules},
        {"watchlist", "import and list watchlist entries", kWatchlistHelp, run_watchlist},
        {"model", "train risk models from inspection outcomes", kModelHelp, run_model},
        {"score", "score the containers of a stopped node", kScoreHelp, run_score},
        {"select", "select the day's containers for scan and examination", kSelectHelp, run_select},
        {"outcomes", "record inspection outcomes", kOutcomesHelp, run_outcomes},
    };
    return commands;
}

} // namespace portscreen::scoring
