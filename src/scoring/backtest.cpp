#include "scoring/backtest.hpp"

#include "scoring/facts_loader.hpp"
#include "scoring/rescorer.hpp"

#include <algorithm>
#include <map>

namespace portscreen::scoring {

using storage::Statement;

profiling::BacktestReport backtest_rule_set(storage::Database& db, const profiling::RuleSet& draft,
                                            int days, const profiling::SelectionPolicy& policy,
                                            const std::vector<reference::HsEntry>& hs) {
    auto profile = load_profile(db, hs);
    profiling::ScoringSetup setup = profile->setup;
    setup.rules = &draft;
    profiling::BatchScorer scorer(setup);
    FactsLoader loader(db);

    // The last N days that have containers, newest last.
    Statement day_list(db, "SELECT DISTINCT substr(eta, 1, 10) AS day FROM vessel_calls "
                           "ORDER BY day DESC LIMIT ?1");
    day_list.bind(1, days);
    std::vector<std::string> chosen;
    while (day_list.step())
        chosen.push_back(day_list.column_text(0));
    std::reverse(chosen.begin(), chosen.end()); // oldest first
    Statement calls(db, "SELECT id FROM vessel_calls WHERE substr(eta, 1, 10) = ?1");
    Statement outcomes(db, "SELECT o.container_id, o.result FROM outcomes o "
                           "JOIN containers c ON c.id = o.container_id "
                           "JOIN vessel_calls v ON v.id = c.vessel_call_id "
                           "WHERE substr(v.eta, 1, 10) = ?1");
    std::vector<profiling::BacktestDayInput> inputs;
    std::vector<profiling::ScoredContainer> scored;
    for (const auto& day : chosen) {
        profiling::BacktestDayInput input;
        input.day = day;
        std::map<std::int64_t, profiling::InspectionOutcome> known;
        outcomes.bind(1, day);
        while (outcomes.step())
            known[outcomes.column_int64(0)] = outcomes.column_text_view(1) == "seizure"
                                                  ? profiling::InspectionOutcome::finding
                                                  : profiling::InspectionOutcome::no_find;
        calls.bind(1, day);
        std::vector<std::int64_t> call_ids;
        while (calls.step())
            call_ids.push_back(calls.column_int64(0));
        for (const auto call : call_ids) {
            auto loaded = loader.load_call(call);
            std::vector<profiling::ContainerFacts> facts;
            for (auto& container : loaded)
                facts.push_back(std::move(container.facts));
            scorer.score(facts, day, scored);
            for (std::size_t idx = 0; idx < facts.size(); ++idx) {
                profiling::BacktestContainer container;
                container.id = facts[idx].container_id;
                container.container_number = facts[idx].number;
                container.score = scored[idx].score.score;
                if (const auto it = known.find(container.id); it != known.end())
                    container.outcome = it->second;
                input.containers.push_back(std::move(container));
            }
        }
        inputs.push_back(std::move(input));
    }
    return profiling::backtest(inputs, policy);
}

} // namespace portscreen::scoring
