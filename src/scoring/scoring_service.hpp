#pragma once

#include "reference/reference.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <set>
#include <span>
#include <thread>
#include <vector>

namespace portscreen::scoring {

class Rescorer;

struct ScoringOptions {
    /// Vessel calls with an ETA this many days back or later are re-scored when the profile
    /// changes; older ones keep the scores they had when they were worked.
    int open_days = 2;
};

/// The node's scoring thread: scores the containers of every vessel call that ingest stored,
/// and re-scores the open calls when a rule set, model or watchlist changes (it polls the
/// profiling generation, so a change made by another process is seen within a second).
/// Has its own database connection; start() and stop() are called from one thread.
class ScoringService {
public:
    ScoringService(std::filesystem::path database_path, std::vector<reference::HsEntry> hs,
                   ScoringOptions options = {});
    ~ScoringService();
    ScoringService(const ScoringService&) = delete;
    ScoringService& operator=(const ScoringService&) = delete;

    /// Loads the profile (activating the default rule set on a new node) and starts the thread.
    void start();
    /// Scores what is pending, then joins the thread.
    void stop() noexcept;

    /// Asks for the stale containers of these vessel calls to be scored. Thread-safe.
    void notify(std::span<const std::int64_t> vessel_call_ids);

    /// Called on the scoring thread after the scores of a vessel call are stored, with how many
    /// containers were scored. Set before start().
    void on_scored(std::function<void(std::int64_t vessel_call_id, std::size_t scored)> callback) {
        on_scored_ = std::move(callback);
    }

    /// Containers scored since start, for logs and tests.
    std::size_t scored() const { return scored_; }

private:
    void run_with(Rescorer& rescorer);

    std::filesystem::path database_path_;
    std::vector<reference::HsEntry> hs_;
    ScoringOptions options_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::set<std::int64_t> pending_;
    bool stopping_ = false;
    std::atomic<std::size_t> scored_{0};
    std::function<void(std::int64_t, std::size_t)> on_scored_;
    std::thread thread_;
};

} // namespace portscreen::scoring
