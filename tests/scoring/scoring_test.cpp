// Scoring against a real SQLite file: simulated port days stored, scored, selected, inspected
// and learnt from; and the node's path end to end over ZeroMQ on 127.0.0.1.

#include "messaging/feed_client.hpp"
#include "messaging/ingest_server.hpp"
#include "reference/reference.hpp"
#include "scoring/backtest.hpp"
#include "scoring/facts_loader.hpp"
#include "scoring/profile_store.hpp"
#include "scoring/rescorer.hpp"
#include "scoring/scoring_service.hpp"
#include "scoring/selection_store.hpp"
#include "scoring/training.hpp"
#include "sim/simulator.hpp"
#include "storage/database.hpp"
#include "storage/manifest_store.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

namespace portscreen::scoring {
namespace {

namespace fs = std::filesystem;
using storage::Database;
using storage::Statement;

const std::vector<reference::HsEntry>& hs() {
    static const auto entries =
        reference::load_hs_nomenclature(reference::default_hs_nomenclature_path());
    return entries;
}

/// A small simulated day: a few vessel calls, a few thousand containers, planted cases.
const sim::Day& day(int index) {
    static std::map<int, sim::Day> days;
    auto found = days.find(index);
    if (found == days.end()) {
        sim::DayPlan plan;
        plan.seed = 7;
        plan.date = "2026-10-" + std::string(index < 10 ? "0" : "") + std::to_string(index);
        plan.vessel_calls = 3;
        plan.min_containers = 1500;
        plan.suspicious_share = 0.03;
        found = days.emplace(index, sim::simulate_day(plan, hs())).first;
    }
    return found->second;
}

std::string today() {
    return "2026-10-31";
}

class ScoringTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("portscreen-scoring-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        db_ = std::make_unique<Database>(Database::open(file(), storage::Access::writer));
    }
    void TearDown() override {
        db_.reset();
        fs::remove_all(dir_);
    }

    fs::path file() const { return dir_ / "portscreen.db"; }

    static bool is_amendment(const sim::Message& message) {
        return message.name.find("-change") != std::string::npos ||
               message.name.find("-replace") != std::string::npos;
    }

    /// Stores the messages of a simulated day, as ingest would: all of them, or only the
    /// originals, or only the amendments.
    enum class Part { all, originals, amendments };
    void store(const sim::Day& simulated, Part part = Part::all) {
        storage::ManifestStore store(*db_);
        for (std::size_t idx = 0; idx < simulated.messages.size(); ++idx) {
            if (part != Part::all &&
                is_amendment(simulated.messages[idx]) != (part == Part::amendments))
                continue;
            storage::IncomingMessage message;
            message.message_id = simulated.plan.date + "-" + simulated.messages[idx].name;
            message.content_type = simulated.messages[idx].content_type;
            message.payload = simulated.messages[idx].payload;
            message.content_sha256 = message.message_id; // unique is all the store asks
            message.source = "test";
            message.received_at = simulated.plan.date + "T00:00:00Z";
            message.manifests = {simulated.manifests[idx]};
            const auto results = store.store_batch(
                std::span(&message, 1), [](const auto&, const auto&) { return std::string("ok"); });
            ASSERT_EQ(results.at(0).status, storage::StoreStatus::stored) << message.message_id;
        }
    }

    std::size_t score_all(Rescorer& rescorer) {
        std::size_t scored = 0;
        for (const auto call : rescorer.open_calls("0000-00-00"))
            scored += rescorer.score_call(call, today()).scored;
        return scored;
    }

    std::int64_t count(const std::string& sql) { return db_->query_int64(sql); }

    /// Mean stored score of the planted hits and of the other containers of a day.
    std::pair<double, double> mean_scores(const sim::Day& simulated) {
        std::set<std::string> hits;
        for (const auto& planted : simulated.ground_truth)
            if (planted.hit)
                hits.insert(planted.container_number);
        Statement all(*db_, "SELECT c.number, s.score FROM scores s JOIN containers c "
                            "ON c.id = s.container_id JOIN vessel_calls v "
                            "ON v.id = c.vessel_call_id WHERE substr(v.eta, 1, 10) = ?1");
        all.bind(1, simulated.plan.date);
        double hit_sum = 0, other_sum = 0;
        int hit_n = 0, other_n = 0;
        while (all.step()) {
            if (hits.contains(all.column_text(0))) {
                hit_sum += all.column_double(1);
                ++hit_n;
            } else {
                other_sum += all.column_double(1);
                ++other_n;
            }
        }
        EXPECT_GT(hit_n, 0);
        EXPECT_GT(other_n, 0);
        return {hit_sum / std::max(1, hit_n), other_sum / std::max(1, other_n)};
    }

    fs::path dir_;
    std::unique_ptr<Database> db_;
};

TEST_F(ScoringTest, EveryContainerGetsAnExplainedScoreWithItsProvenance) {
    store(day(1));
    Rescorer rescorer(*db_, hs());
    const auto containers = count("SELECT count(*) FROM containers");
    EXPECT_EQ(score_all(rescorer), static_cast<std::size_t>(containers));
    EXPECT_EQ(count("SELECT count(*) FROM scores"), containers);
    // The default rule set was activated on this new node, and every score names it.
    const auto rules = active_rule_set(*db_);
    ASSERT_TRUE(rules);
    EXPECT_EQ(count("SELECT count(*) FROM scores WHERE rule_set_id = " + std::to_string(rules->id)),
              containers);
    EXPECT_EQ(count("SELECT count(*) FROM scores WHERE model_id IS NOT NULL"), 0);
    // Factors add up to the score, and stay within 0..100.
    Statement all(*db_, "SELECT score, factors, basis FROM scores");
    while (all.step()) {
        const double score = all.column_double(0);
        ASSERT_GE(score, 0);
        ASSERT_LE(score, 100);
        double sum = 0;
        for (const auto& factor : nlohmann::json::parse(all.column_text(1))) {
            sum += factor.at("points").get<double>();
            ASSERT_FALSE(factor.at("text").get<std::string>().empty());
        }
        ASSERT_NEAR(sum, score, 0.1); // each factor is stored rounded to 0.01
        ASSERT_GT(all.column_int64(2), 0);
    }
    // Nothing is stale any more: a second pass scores nothing.
    EXPECT_EQ(score_all(rescorer), 0u);
    // Planted hits stand out from the rest under the default rules alone.
    const auto [hits, others] = mean_scores(day(1));
    EXPECT_GT(hits, others + 10) << "hits " << hits << ", others " << others;
}

TEST_F(ScoringTest, TheLoaderCachesIssueTimesForOneCallOnly) {
    // The node's loader lives as long as the node: a cache of every message it ever scored
    // would grow without bound.
    store(day(1));
    FactsLoader loader(*db_);
    Statement calls(*db_, "SELECT id FROM vessel_calls ORDER BY id");
    int loaded = 0;
    while (calls.step()) {
        const auto call = std::to_string(calls.column_int64(0));
        if (loader.load_call(calls.column_int64(0)).empty())
            continue;
        ++loaded;
        const auto messages = count(
            "SELECT count(*) FROM (SELECT message_row FROM containers WHERE vessel_call_id = " +
            call + " UNION SELECT message_row FROM consignments WHERE vessel_call_id = " + call +
            ")");
        EXPECT_GT(loader.cached_issue_times(), 0u);
        EXPECT_LE(static_cast<std::int64_t>(loader.cached_issue_times()), messages);
    }
    EXPECT_GE(loaded, 2);
}

TEST_F(ScoringTest, AnAmendmentAWatchlistEntryOrANewRuleSetMakesScoresStale) {
    store(day(1), Part::originals);
    Rescorer rescorer(*db_, hs());
    const auto containers = count("SELECT count(*) FROM containers");
    EXPECT_EQ(score_all(rescorer), static_cast<std::size_t>(containers));
    // Amendments re-score the containers of the B/Ls they change, and only those.
    const auto newest_before = count("SELECT max(id) FROM messages");
    store(day(1), Part::amendments);
    ASSERT_GT(count("SELECT max(id) FROM messages"), newest_before) << "the day has amendments";
    const auto rescored = score_all(rescorer);
    EXPECT_GT(rescored, 0u);
    EXPECT_LT(rescored, static_cast<std::size_t>(containers) / 10);
    EXPECT_EQ(count("SELECT count(*) FROM scores WHERE basis > " + std::to_string(newest_before)),
              static_cast<std::int64_t>(rescored));
    // Watch the consignee of one B/L: that container alone gains a watchlist factor.
    const auto& manifest = day(1).manifests.front();
    const auto& bl = manifest.consignments.front();
    const std::string number = bl.goods_items.front().placements.front().container_number;
    profiling::WatchEntry entry;
    entry.id = "test-1";
    entry.kind = profiling::WatchKind::party;
    entry.value = bl.consignee.name;
    entry.country = bl.consignee.country;
    entry.reason = "linked to a seizure elsewhere";
    entry.source = "test unit";
    {
        storage::Transaction transaction(*db_);
        add_watch_entries(*db_, std::span(&entry, 1), "2026-10-31T00:00:00Z");
        transaction.commit();
    }
    ASSERT_TRUE(rescorer.reload_if_changed());
    EXPECT_GT(score_all(rescorer), 0u);
    Statement factors(*db_, "SELECT s.factors FROM scores s JOIN containers c "
                            "ON c.id = s.container_id WHERE c.number = ?1");
    factors.bind(1, number);
    const auto text = factors.query_text();
    ASSERT_TRUE(text);
    EXPECT_NE(text->find("\"kind\":\"watchlist\""), std::string::npos) << *text;
    EXPECT_NE(text->find("test-1"), std::string::npos) << *text;
    EXPECT_EQ(count("SELECT count(*) FROM scores WHERE factors LIKE '%\"test-1\"%'"),
              count("SELECT count(*) FROM scores WHERE factors LIKE '%test-1%'"));

    // A new rule set re-scores every container, and the scores name it.
    std::string text2 = active_rule_set(*db_)->source_text;
    const auto at = text2.find("\"version\": 1");
    ASSERT_NE(at, std::string::npos);
    text2.replace(at, 12, "\"version\": 2");
    const auto second = profiling::RuleSet::parse(text2, "default v2");
    {
        storage::Transaction transaction(*db_);
        activate_rule_set(*db_, second, "test", "2026-10-31T00:00:00Z");
        transaction.commit();
    }
    ASSERT_TRUE(rescorer.reload_if_changed());
    EXPECT_EQ(score_all(rescorer), static_cast<std::size_t>(containers));
    EXPECT_EQ(count("SELECT count(*) FROM scores s JOIN rule_sets r ON r.id = s.rule_set_id "
                    "WHERE r.version = 2"),
              containers);
}

TEST_F(ScoringTest, AmendmentsStoredWhileScoringWasDownAreFoundAfterARestart) {
    store(day(2), Part::originals);
    const auto containers = count("SELECT count(*) FROM containers");
    {
        Rescorer before(*db_, hs());
        EXPECT_EQ(score_all(before), static_cast<std::size_t>(containers));
    }
    const auto newest_before = count("SELECT max(id) FROM messages");
    store(day(2), Part::amendments);
    Rescorer after(*db_, hs()); // knows nothing of what was read before
    const auto rescored = score_all(after);
    EXPECT_GT(rescored, 0u);
    EXPECT_EQ(count("SELECT count(*) FROM scores WHERE basis > " + std::to_string(newest_before)),
              static_cast<std::int64_t>(rescored));
    EXPECT_EQ(score_all(after), 0u);
}

TEST_F(ScoringTest, ABrokenRuleSetIsRefusedAndTheActiveOneStays) {
    Rescorer rescorer(*db_, hs());
    const auto before = active_rule_set(*db_);
    ASSERT_TRUE(before);
    EXPECT_THROW(profiling::RuleSet::parse("{\"name\": \"x\",\n \"version\": 0}", "draft.json"),
                 profiling::RuleSetError);
    EXPECT_EQ(active_rule_set(*db_)->id, before->id);
    EXPECT_FALSE(rescorer.reload_if_changed());
}

TEST_F(ScoringTest, SelectionInspectionsAndRetrainingFromOutcomes) {
    profiling::SelectionPolicy policy;
    policy.scan_capacity = 120;
    policy.exam_capacity = 20;
    policy.seed = 3;
    auto rescorer = std::make_unique<Rescorer>(*db_, hs());
    for (int index = 1; index <= 6; ++index) {
        const auto& simulated = day(index);
        store(simulated);
        score_all(*rescorer);
        const auto selection = select_day(*db_, simulated.plan.date, policy, "test");
        EXPECT_LE(selection.exams_used, policy.exam_capacity);
        EXPECT_LE(selection.scans_used, policy.scan_capacity);
        EXPECT_GT(selection.random_picks, 0);
        // Simulated inspections of the selection, from the ground truth.
        std::set<std::string> hits;
        for (const auto& planted : simulated.ground_truth)
            if (planted.hit)
                hits.insert(planted.container_number);
        storage::Transaction transaction(*db_);
        for (const auto& decision : selection.selected) {
            Outcome outcome;
            outcome.container_id = decision.id;
            outcome.inspected_on = simulated.plan.date;
            outcome.method = "scan";
            outcome.seizure = hits.contains(decision.container_number);
            outcome.recorded_by = "test";
            record_outcome(*db_, outcome, "2026-10-31T00:00:00Z");
        }
        transaction.commit();
    }
    EXPECT_EQ(count("SELECT count(*) FROM selection_days"), 6);
    // The port's policy, saved, comes back the same.
    EXPECT_FALSE(saved_policy(*db_));
    save_policy(*db_, policy);
    const auto saved = saved_policy(*db_);
    ASSERT_TRUE(saved);
    EXPECT_EQ(policy_json(*saved), policy_json(policy));
    // The outcome counters of the parties follow the outcomes.
    EXPECT_EQ(count("SELECT sum(findings) > 0 FROM party_outcomes"), 1);
    const auto estimates = estimate_days(*db_, "2026-10-01", "2026-10-06");
    EXPECT_EQ(estimates.days, 6);
    EXPECT_TRUE(estimates.targeted_hit_rate.defined);
    EXPECT_GT(estimates.targeted_hit_rate.value, estimates.rest_finding_rate.value);

    TrainingOptions options;
    options.min_positives = 5;
    const auto first = train_model(*db_, options);
    EXPECT_TRUE(first.adopted) << first.decision;
    EXPECT_GT(first.new_average_precision, 0.2);
    ASSERT_TRUE(active_model(*db_));
    EXPECT_EQ(active_model(*db_)->id, first.model_id);

    // The same outcomes again: no worse, so adopted.
    const auto second = train_model(*db_, options);
    EXPECT_TRUE(second.adopted) << second.decision;

    // Outcomes corrupted in the training part only: the new model is worse on the held-out
    // recent outcomes and must not replace the active one.
    db_->execute("UPDATE outcomes SET result = CASE result WHEN 'seizure' THEN 'no_find' "
                 "ELSE 'seizure' END WHERE inspected_on < '2026-10-05'");
    const auto third = train_model(*db_, options);
    EXPECT_FALSE(third.adopted) << third.decision;
    EXPECT_EQ(active_model(*db_)->id, second.model_id);
    EXPECT_EQ(count("SELECT count(*) FROM models WHERE status = 'refused'"), 1);

    // A backtest of the active rules over the six days sees the outcomes recorded, and a draft
    // that targets nothing selects nothing and misses every known finding.
    const auto active = profiling::RuleSet::parse(active_rule_set(*db_)->source_text, "active");
    const auto report = backtest_rule_set(*db_, active, 6, policy, hs());
    ASSERT_EQ(report.days.size(), 6u);
    EXPECT_EQ(report.known.inspected, count("SELECT count(*) FROM outcomes"));
    EXPECT_EQ(report.known.findings,
              count("SELECT count(*) FROM outcomes WHERE result = 'seizure'"));
    EXPECT_GT(report.selected_known.findings, 0);
    const auto silent = profiling::RuleSet::parse(
        R"({"name": "silent", "version": 1, "rules": [{"id": "never", "weight": 1,
            "reason": "never", "when": {"feature": "container.seal_count", "lt": -1}}]})",
        "silent.json");
    const auto nothing = backtest_rule_set(*db_, silent, 6, policy, hs());
    EXPECT_EQ(nothing.selected, 0);
    EXPECT_EQ(nothing.missed_findings, report.known.findings);

    // With the model active, the next day is scored by rules, watchlists and the model.
    ASSERT_TRUE(rescorer->reload_if_changed());
    store(day(7));
    score_all(*rescorer);
    EXPECT_GT(
        count("SELECT count(*) FROM scores WHERE model_id = " + std::to_string(second.model_id)),
        0);
    EXPECT_GT(count("SELECT count(*) FROM scores WHERE factors LIKE '%\"kind\":\"model\"%'"), 0);

    // A container's score does not depend on the batch it is scored in: the whole call at
    // once gives what each container gives alone, factor by factor.
    FactsLoader loader(*db_);
    std::vector<profiling::ContainerFacts> facts;
    for (auto& loaded : loader.load_call(count("SELECT max(vessel_call_id) FROM containers")))
        facts.push_back(std::move(loaded.facts));
    ASSERT_GT(facts.size(), 100u);
    profiling::BatchScorer together(rescorer->profile().setup);
    profiling::BatchScorer alone(rescorer->profile().setup);
    std::vector<profiling::ScoredContainer> all, one;
    together.score(facts, today(), all);
    for (std::size_t idx = 0; idx < facts.size(); ++idx) {
        alone.score(std::span(facts).subspan(idx, 1), today(), one);
        ASSERT_NEAR(one[0].score.score, all[idx].score.score, 1e-9) << facts[idx].number;
        ASSERT_EQ(one[0].score.factors.size(), all[idx].score.factors.size()) << facts[idx].number;
        for (std::size_t f = 0; f < one[0].score.factors.size(); ++f)
            ASSERT_EQ(one[0].score.factors[f].text, all[idx].score.factors[f].text);
    }
}

TEST(ScoringEndToEnd, ManifestsOverZeroMqAreStoredScoredAndSelected) {
    const fs::path dir =
        fs::temp_directory_path() / ("portscreen-scoring-e2e-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const fs::path file = dir / "portscreen.db";
    const auto reference = reference::load_reference_data(
        reference::default_iso3166_path(), reference::default_hs_nomenclature_path());
    {
        ScoringService scoring(file, hs());
        scoring.start();
        zmq::context_t context;
        messaging::IngestOptions options;
        options.endpoint = "tcp://127.0.0.1:*";
        messaging::IngestServer ingest(context, options, file, reference);
        ingest.on_stored(
            [&scoring](std::span<const std::int64_t> calls) { scoring.notify(calls); });
        ingest.start();

        messaging::FeedOptions feed;
        feed.endpoint = ingest.endpoint();
        feed.timeout = std::chrono::milliseconds(10'000);
        std::vector<messaging::Outgoing> messages;
        for (const auto& message : day(1).messages)
            messages.push_back(
                {messaging::new_message_id(), message.content_type, message.payload});
        const auto replies = messaging::FeedClient(context, feed).send_all(messages);
        for (const auto& reply : replies) {
            ASSERT_TRUE(reply);
            ASSERT_EQ(reply->status, "ACK") << reply->body;
        }
        // Scoring follows the commits on its own thread: wait for it, within a bound.
        auto reader = Database::open(file, storage::Access::reader);
        const auto containers = reader.query_int64("SELECT count(*) FROM containers");
        for (int attempt = 0; attempt < 300; ++attempt) {
            if (reader.query_int64("SELECT count(*) FROM scores") == containers)
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        EXPECT_EQ(reader.query_int64("SELECT count(*) FROM scores"), containers);
        ingest.stop();
        scoring.stop();
    }
    auto db = Database::open(file, storage::Access::writer);
    profiling::SelectionPolicy policy;
    policy.scan_capacity = 60;
    policy.exam_capacity = 10;
    const auto selection = select_day(db, day(1).plan.date, policy, "test");
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM selections"),
              static_cast<std::int64_t>(selection.selected.size()));
    EXPECT_GT(db.query_int64("SELECT count(*) FROM selections WHERE random = 1"), 0);
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM selections WHERE lane = 'red'"),
              selection.exams_used);
}

} // namespace
} // namespace portscreen::scoring
