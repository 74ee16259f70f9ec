#include "bench/share_bench.hpp"

#include "common/clock.hpp"
#include "core/codes.hpp"
#include "scoring/profile_store.hpp"
#include "sharing/service.hpp"
#include "sharing/store.hpp"
#include "storage/database.hpp"
#include "watchlist.hpp"

#include <chrono>
#include <stdexcept>
#include <thread>

namespace portscreen::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point from) {
    return std::chrono::duration<double>(Clock::now() - from).count();
}

/// An ISO 6346 number for `serial` under the owner code "BNC".
std::string container_number(int serial) {
    const std::string code = "BNCU" + std::to_string(1'000'000 + serial).substr(1);
    return code + std::to_string(core::iso6346_check_digit(code).value_or(0));
}

sharing::Peer peer_of(const sharing::NodeIdentity& identity, const std::string& endpoint) {
    sharing::Peer peer;
    peer.identity = identity.public_part;
    peer.endpoint = endpoint;
    peer.send = {sharing::Kind::watchlist};
    return peer;
}

/// Adds `count` container entries to the node's own watchlist in one transaction: the triggers
/// make one sharing event of each.
void add_entries(const fs::path& database, int first, int count) {
    std::vector<profiling::WatchEntry> entries;
    entries.reserve(static_cast<std::size_t>(count));
    for (int i = first; i < first + count; ++i) {
        profiling::WatchEntry entry;
        entry.id = "bench-" + std::to_string(i);
        entry.kind = profiling::WatchKind::container;
        entry.value = container_number(i);
        entry.reason = "benchmark";
        entry.source = "bench share";
        entries.push_back(std::move(entry));
    }
    auto db = storage::Database::open(database, storage::Access::writer);
    storage::Transaction transaction(db);
    scoring::add_watch_entries(db, entries, utc_now_iso8601());
    transaction.commit();
}

/// Polls until `sql` counts `target`; throws after 60 s without progress. One reader
/// connection, looking every 20 ms, so that the measuring costs the nodes little.
void wait_for(const fs::path& database, const char* sql, std::int64_t target, const char* what) {
    auto db = storage::Database::open(database, storage::Access::reader);
    storage::Statement count(db, sql);
    auto last_progress = Clock::now();
    std::int64_t last = -1;
    while (true) {
        const auto now = count.query_int64().value_or(0);
        if (now >= target)
            return;
        if (now != last) {
            last = now;
            last_progress = Clock::now();
        } else if (seconds_since(last_progress) > 60) {
            throw std::runtime_error(std::string("bench share: no progress for 60 s while ") +
                                     what + " (" + std::to_string(now) + " of " +
                                     std::to_string(target) + ")");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

std::string loopback_endpoint() {
    return "tcp://127.0.0.1:0";
}

} // namespace

ShareBenchResult run_share_bench(const ShareBenchOptions& options) {
    fs::remove_all(options.work_dir);
    fs::create_directories(options.work_dir);
    struct Cleanup {
        fs::path path;
        ~Cleanup() {
            std::error_code ignored;
            fs::remove_all(path, ignored);
        }
    } cleanup{options.work_dir};

    const auto a_db = options.work_dir / "a.db";
    const auto b_db = options.work_dir / "b.db";
    const auto a_id = sharing::generate_identity("BENCH-A");
    const auto b_id = sharing::generate_identity("BENCH-B");
    for (const auto& file : {a_db, b_db})
        storage::Database::open(file, storage::Access::writer); // creates the schema

    // B binds first on a free port; A must know where B is, and B where A is.
    sharing::SharingOptions b_options;
    b_options.endpoint = loopback_endpoint();
    b_options.peers = {peer_of(a_id, "")};
    auto b = std::make_unique<sharing::ShareService>(b_options, b_id, b_db);
    b->start();
    const std::string b_endpoint = b->endpoint();
    sharing::SharingOptions a_options;
    a_options.endpoint = loopback_endpoint();
    a_options.peers = {peer_of(b_id, b_endpoint)};
    sharing::ShareService a(a_options, a_id, a_db);
    a.start();

    ShareBenchResult result;
    const char* applied = "SELECT count(*) FROM share_inbox";
    auto start = Clock::now();
    add_entries(a_db, 0, options.messages);
    wait_for(b_db, applied, options.messages, "sending to a running peer");
    result.live_s = seconds_since(start);
    result.messages_per_s = options.messages / result.live_s;

    if (options.catch_up > 0) {
        wait_for(a_db, "SELECT count(*) = 0 FROM share_outbox", 1, "emptying the outbox");
        b->stop();
        b.reset();
        start = Clock::now();
        add_entries(a_db, options.messages, options.catch_up);
        wait_for(a_db, "SELECT count(*) FROM share_outbox", options.catch_up,
                 "queueing for a stopped peer");
        result.queue_s = seconds_since(start);
        // The same endpoint again, so that A finds B where it was.
        b_options.endpoint = b_endpoint;
        b = std::make_unique<sharing::ShareService>(b_options, b_id, b_db);
        start = Clock::now();
        b->start();
        wait_for(b_db, applied, options.messages + options.catch_up, "catching up");
        result.catch_up_s = seconds_since(start);
    }
    a.stop();
    b->stop();
    return result;
}

} // namespace portscreen::bench
