#include "bench/score_bench.hpp"

#include "reference/reference.hpp"
#include "scoring/facts_loader.hpp"
#include "scoring/profile_store.hpp"
#include "scoring/rescorer.hpp"
#include "scoring/training.hpp"
#include "sim/parties.hpp"
#include "sim/random.hpp"
#include "sim/simulator.hpp"
#include "storage/database.hpp"
#include "storage/manifest_store.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <stdexcept>
#include <thread>

namespace portscreen::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

sim::Day simulate(std::uint64_t seed, const std::string& date, int containers,
                  const std::vector<reference::HsEntry>& hs) {
    sim::DayPlan plan;
    plan.seed = seed;
    plan.date = date;
    plan.vessel_calls = std::max(2, containers / 2000);
    plan.min_containers = containers;
    plan.suspicious_share = 0.03;
    return sim::simulate_day(plan, hs);
}

/// Outcomes for the planted cases and a random tenth of the rest, as if inspected.
void record_outcomes(storage::Database& db, const sim::Day& day, std::uint64_t seed) {
    std::set<std::string> planted, hits;
    for (const auto& item : day.ground_truth) {
        planted.insert(item.container_number);
        if (item.hit)
            hits.insert(item.container_number);
    }
    sim::Rng rng(seed);
    storage::Transaction transaction(db);
    storage::Statement all(db, "SELECT c.id, c.number FROM containers c JOIN vessel_calls v "
                               "ON v.id = c.vessel_call_id WHERE substr(v.eta, 1, 10) = ?1");
    all.bind(1, day.plan.date);
    std::vector<scoring::Outcome> outcomes;
    while (all.step()) {
        const std::string number = all.column_text(1);
        if (!planted.contains(number) && !rng.chance(0.1))
            continue;
        scoring::Outcome outcome;
        outcome.container_id = all.column_int64(0);
        outcome.inspected_on = day.plan.date;
        outcome.method = "physical";
        outcome.seizure = hits.contains(number);
        outcome.recorded_by = "bench";
        outcomes.push_back(std::move(outcome));
    }
    for (const auto& outcome : outcomes)
        scoring::record_outcome(db, outcome, "bench");
    transaction.commit();
}

/// Party entries: invented companies and persons from many countries, and a few of the day's
/// rare consignees so that some containers match.
std::vector<profiling::WatchEntry> watchlist(int parties, const sim::Day& day, std::uint64_t seed) {
    static constexpr const char* kCountries[] = {"CN", "AE", "IN", "PK", "IR", "TR", "NG",
                                                 "CO", "EC", "BR", "DE", "NL", "KE", "TZ"};
    sim::Rng rng(seed);
    std::vector<profiling::WatchEntry> out;
    // Watched parties are rare ones: consignees named on a single B/L of the day.
    std::map<std::string, int> named;
    std::set<std::string> everyone; // invented names must not be the day's parties by chance
    for (const auto& manifest : day.manifests)
        for (const auto& bl : manifest.consignments) {
            ++named[bl.consignee.name];
            for (const auto* party : {&bl.shipper, &bl.consignee, &bl.notify_party, &bl.forwarder})
                everyone.insert(profiling::normalize_party_name(party->name));
        }
    for (const auto& manifest : day.manifests)
        for (const auto& bl : manifest.consignments)
            if (out.size() < 20 && !bl.consignee.name.empty() && named[bl.consignee.name] == 1 &&
                rng.chance(0.2))
                out.push_back({"bench-real-" + std::to_string(out.size()),
                               profiling::WatchKind::party, bl.consignee.name, bl.consignee.country,
                               "bench entry", "bench", "", std::nullopt});
    while (static_cast<int>(out.size()) < parties) {
        const char* country = kCountries[rng.index(std::size(kCountries))];
        const auto party = rng.chance(0.3)
                               ? sim::invent_person(country, "", rng)
                               : sim::invent_company(sim::CompanyKind::exporter, country, "", rng);
        if (everyone.contains(profiling::normalize_party_name(party.name)))
            continue;
        out.push_back({"bench-" + std::to_string(out.size()), profiling::WatchKind::party,
                       party.name, party.country, "bench entry", "bench", "", std::nullopt});
    }
    return out;
}

} // namespace

void store_simulated_day(storage::Database& db, const sim::Day& day) {
    storage::ManifestStore store(db);
    for (std::size_t idx = 0; idx < day.messages.size(); ++idx) {
        storage::IncomingMessage message;
        message.message_id = day.plan.date + "-" + day.messages[idx].name;
        message.content_type = day.messages[idx].content_type;
        message.payload = day.messages[idx].payload;
        message.content_sha256 = message.message_id;
        message.source = "bench";
        message.received_at = day.plan.date + "T00:00:00Z";
        message.manifests = {day.manifests[idx]};
        const auto results = store.store_batch(
            std::span(&message, 1), [](const auto&, const auto&) { return std::string("ok"); });
        if (results.at(0).status != storage::StoreStatus::stored)
            throw std::runtime_error("the simulated message " + message.message_id +
                                     " was not stored");
    }
}

ScoreBenchResult run_score_bench(const ScoreBenchOptions& options) {
    const auto hs = reference::load_hs_nomenclature(reference::default_hs_nomenclature_path());
    fs::remove_all(options.work_dir);
    fs::create_directories(options.work_dir);
    auto db = storage::Database::open(options.work_dir / "score.db", storage::Access::writer);

    // A past day, scored by the rules and inspected, teaches the model.
    const auto past = simulate(options.seed, "2026-01-01", 8000, hs);
    store_simulated_day(db, past);
    {
        scoring::Rescorer rescorer(db, hs);
        for (const auto call : rescorer.open_calls("0000-00-00"))
            rescorer.score_call(call, "2026-01-01");
    }
    record_outcomes(db, past, options.seed);
    scoring::TrainingOptions training;
    training.seed = options.seed;
    scoring::train_model(db, training);

    const auto day = simulate(options.seed, "2026-01-02", options.containers, hs);
    store_simulated_day(db, day);
    const auto entries = watchlist(options.watchlist_parties, day, options.seed);
    {
        storage::Transaction transaction(db);
        scoring::add_watch_entries(db, entries, "bench");
        transaction.commit();
    }
    auto profile = scoring::load_profile(db, hs);
    if (!profile->model)
        throw std::runtime_error("the bench model was not adopted");

    std::vector<profiling::ContainerFacts> facts;
    scoring::FactsLoader loader(db);
    storage::Statement calls(db, "SELECT id FROM vessel_calls WHERE substr(eta, 1, 10) = ?1");
    calls.bind(1, day.plan.date);
    std::vector<std::int64_t> call_ids;
    while (calls.step())
        call_ids.push_back(calls.column_int64(0));
    for (const auto call : call_ids)
        for (auto& loaded : loader.load_call(call))
            facts.push_back(std::move(loaded.facts));

    ScoreBenchResult result;
    result.containers = static_cast<int>(facts.size());
    result.watchlist_entries = static_cast<int>(entries.size());
    result.model_features = static_cast<int>(profile->setup.model_feature_names.size());
    result.model_rounds = static_cast<int>(profile->model->num_trees());

    // Each thread has its own scorer (buffers, cache); the profile is shared.
    const int threads = std::max(1, options.threads);
    constexpr std::size_t kBatch = 512;
    std::vector<double> runs;
    for (int run = 0; run < options.repeat; ++run) {
        std::vector<std::size_t> rule_hits(threads), watch_hits(threads), factors(threads);
        std::vector<std::thread> workers;
        const auto start = Clock::now();
        for (int t = 0; t < threads; ++t) {
            workers.emplace_back([&, t] {
                profiling::BatchScorer scorer(profile->setup);
                std::vector<profiling::ScoredContainer> out;
                const std::size_t share = (facts.size() + threads - 1) / threads;
                const std::size_t from = std::min(facts.size(), share * t);
                const std::size_t to = std::min(facts.size(), from + share);
                for (std::size_t at = from; at < to; at += kBatch) {
                    const std::size_t n = std::min(kBatch, to - at);
                    scorer.score(std::span(facts).subspan(at, n), "2026-01-02", out);
                    for (const auto& scored : out) {
                        factors[t] += scored.score.factors.size();
                        for (const auto& factor : scored.score.factors) {
                            rule_hits[t] += factor.kind == profiling::FactorKind::rule;
                            watch_hits[t] += factor.kind == profiling::FactorKind::watchlist;
                        }
                    }
                }
            });
        }
        for (auto& worker : workers)
            worker.join();
        runs.push_back(std::chrono::duration<double>(Clock::now() - start).count());
        result.rule_hits = result.watchlist_hits = result.factors = 0;
        for (int t = 0; t < threads; ++t) {
            result.rule_hits += rule_hits[t];
            result.watchlist_hits += watch_hits[t];
            result.factors += factors[t];
        }
    }
    std::sort(runs.begin(), runs.end());
    result.seconds = runs[runs.size() / 2];
    fs::remove_all(options.work_dir);
    return result;
}

} // namespace portscreen::bench
