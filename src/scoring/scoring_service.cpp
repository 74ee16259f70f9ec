#include "scoring/scoring_service.hpp"

#include "common/clock.hpp"
#include "common/log.hpp"
#include "scoring/rescorer.hpp"
#include "storage/database.hpp"

#include <chrono>
#include <cstdio>

namespace portscreen::scoring {
namespace {

constexpr auto kPoll = std::chrono::seconds(1);

std::string today() {
    return utc_now_iso8601().substr(0, 10);
}

std::string days_before(int days) {
    const auto then = std::chrono::system_clock::now() - std::chrono::hours(24 * days);
    const std::chrono::year_month_day date{std::chrono::floor<std::chrono::days>(then)};
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
    return text;
}

} // namespace

ScoringService::ScoringService(std::filesystem::path database_path,
                               std::vector<reference::HsEntry> hs, ScoringOptions options)
    : database_path_(std::move(database_path)), hs_(std::move(hs)), options_(options) {}

ScoringService::~ScoringService() {
    stop();
}

void ScoringService::start() {
    // Opened here so that a broken profile stops the node at start, not later in the thread.
    auto db = std::make_unique<storage::Database>(
        storage::Database::open(database_path_, storage::Access::writer));
    auto rescorer = std::make_unique<Rescorer>(*db, hs_);
    {
        std::lock_guard lock(mutex_);
        for (const auto call : rescorer->open_calls(days_before(options_.open_days)))
            pending_.insert(call);
    }
    thread_ = std::thread([this, db = std::move(db), rescorer = std::move(rescorer)]() mutable {
        run_with(*rescorer);
        rescorer.reset(); // its statements belong to the connection, which goes next
    });
}

void ScoringService::stop() noexcept {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable())
        thread_.join();
}

void ScoringService::notify(std::span<const std::int64_t> vessel_call_ids) {
    {
        std::lock_guard lock(mutex_);
        pending_.insert(vessel_call_ids.begin(), vessel_call_ids.end());
    }
    changed_.notify_one();
}

void ScoringService::run_with(Rescorer& rescorer) {
    while (true) {
        std::set<std::int64_t> calls;
        bool last_round = false;
        {
            std::unique_lock lock(mutex_);
            changed_.wait_for(lock, kPoll, [this] { return !pending_.empty() || stopping_; });
            calls.swap(pending_);
            last_round = stopping_;
        }
        try {
            if (rescorer.reload_if_changed()) {
                log::info("", "profile changed (generation " +
                                  std::to_string(rescorer.profile().generation) +
                                  "), re-scoring open vessel calls");
                for (const auto call : rescorer.open_calls(days_before(options_.open_days)))
                    calls.insert(call);
            }
            for (const auto call : rescorer.calls_with_new_analyses())
                calls.insert(call);
            for (const auto call : calls) {
                const auto count = rescorer.score_call(call, today());
                scored_ += count.scored;
                if (count.scored > 0) {
                    char timing[160];
                    std::snprintf(timing, sizeof timing,
                                  " in %.0f ms (facts %.0f ms, scoring %.0f ms, storing %.0f ms)",
                                  count.load_ms + count.score_ms + count.store_ms, count.load_ms,
                                  count.score_ms, count.store_ms);
                    log::info("", "scored " + std::to_string(count.scored) + " of " +
                                      std::to_string(count.containers) +
                                      " containers of vessel call " + std::to_string(call) +
                                      timing);
                    if (on_scored_)
                        on_scored_(call, count.scored);
                }
            }
        } catch (const std::exception& e) {
            // The calls stay pending; the next round tries again.
            log::error("", std::string("scoring failed, will retry: ") + e.what());
            std::lock_guard lock(mutex_);
            pending_.insert(calls.begin(), calls.end());
            if (last_round)
                return;
            continue;
        }
        if (last_round)
            return;
    }
}

} // namespace portscreen::scoring
