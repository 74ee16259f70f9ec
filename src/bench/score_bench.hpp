#pragma once

#include <cstdint>
#include <filesystem>

namespace portscreen::sim {
struct Day;
}
namespace portscreen::storage {
class Database;
}

namespace portscreen::bench {

/// Stores the messages of a simulated day straight through the manifest store, one transaction
/// each, as the ingest writer would; throws when one is not stored.
void store_simulated_day(storage::Database& db, const sim::Day& day);

struct ScoreBenchOptions {
    int containers = 20'000;        ///< containers of the scored day
    int watchlist_parties = 10'000; ///< party entries on the watchlist
    int threads = 2;
    int repeat = 3;
    std::uint64_t seed = 7;
    std::filesystem::path work_dir;
};

struct ScoreBenchResult {
    int containers = 0;
    int watchlist_entries = 0;
    int model_features = 0;
    int model_rounds = 0;
    double seconds = 0; ///< median of the runs, scoring alone
    std::size_t rule_hits = 0;
    std::size_t watchlist_hits = 0;
    std::size_t factors = 0; ///< explanation factors produced, all containers
};

/// Scores a simulated day with the default rules, a watchlist of party names and a model
/// trained on a simulated earlier day's outcomes, explanations included, on `threads` threads.
/// Preparing (simulating, storing, training, loading facts) is not timed.
ScoreBenchResult run_score_bench(const ScoreBenchOptions& options);

} // namespace portscreen::bench
