// Two sharing services in one process, each with its own database file, talking over loopback
// with CURVE: delivery in order across a restart of the receiver, and the ZAP handler's refusal
// of keys no peer has and of clients without CURVE.

#include "core/codes.hpp"
#include "scoring/profile_store.hpp"
#include "sharing/service.hpp"
#include "sharing/store.hpp"
#include "storage/database.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <zmq.hpp>

#include <chrono>
#include <thread>

namespace portscreen::sharing {
namespace {

using namespace std::chrono_literals;
using test_support::TempDir;

std::string container_number(int serial) {
    const std::string code = "SVCU" + std::to_string(1'000'000 + serial).substr(1);
    return code + std::to_string(core::iso6346_check_digit(code).value_or(0));
}

void add_entries(const std::filesystem::path& database, int first, int count) {
    std::vector<profiling::WatchEntry> entries;
    for (int i = first; i < first + count; ++i) {
        profiling::WatchEntry entry;
        entry.id = "svc-" + std::to_string(i);
        entry.kind = profiling::WatchKind::container;
        entry.value = container_number(i);
        entry.reason = "test";
        entry.source = "service test";
        entries.push_back(std::move(entry));
    }
    auto db = storage::Database::open(database, storage::Access::writer);
    storage::Transaction transaction(db);
    scoring::add_watch_entries(db, entries, "2026-11-28T07:00:00Z");
    transaction.commit();
}

std::int64_t count(const std::filesystem::path& database, const std::string& sql) {
    auto db = storage::Database::open(database, storage::Access::reader);
    return db.query_int64(sql);
}

/// Waits up to 60 s for `sql` to count at least `target`; returns the last count.
std::int64_t wait_for(const std::filesystem::path& database, const std::string& sql,
                      std::int64_t target) {
    std::int64_t now = 0;
    for (int round = 0; round < 600; ++round) {
        now = count(database, sql);
        if (now >= target)
            break;
        std::this_thread::sleep_for(100ms);
    }
    return now;
}

Peer peer_of(const NodeIdentity& identity, const std::string& endpoint) {
    Peer peer;
    peer.identity = identity.public_part;
    peer.endpoint = endpoint;
    peer.send = {Kind::watchlist};
    return peer;
}

class ShareServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        for (const auto& file : {a_db, b_db})
            storage::Database::open(file, storage::Access::writer);
        b_options.endpoint = "tcp://127.0.0.1:0";
        b_options.peers = {peer_of(a_id, "")};
    }

    /// Answers of B's endpoint to a DEALER with `keys` (or without CURVE), after a HELLO.
    bool answered(const std::string& endpoint, const NodeIdentity* keys,
                  std::chrono::milliseconds wait) {
        zmq::context_t context;
        zmq::socket_t dealer(context, zmq::socket_type::dealer);
        dealer.set(zmq::sockopt::linger, 0);
        if (keys) {
            dealer.set(zmq::sockopt::curve_serverkey, b_id.public_part.curve_public);
            dealer.set(zmq::sockopt::curve_publickey, keys->public_part.curve_public);
            dealer.set(zmq::sockopt::curve_secretkey, keys->curve_secret);
        }
        dealer.connect(endpoint);
        dealer.send(zmq::str_buffer("HELLO"), zmq::send_flags::none);
        zmq::pollitem_t item{dealer.handle(), 0, ZMQ_POLLIN, 0};
        return zmq::poll(&item, 1, wait) > 0;
    }

    TempDir dir;
    std::filesystem::path a_db = dir.file("a.db");
    std::filesystem::path b_db = dir.file("b.db");
    NodeIdentity a_id = generate_identity("SVC-A");
    NodeIdentity b_id = generate_identity("SVC-B");
    SharingOptions b_options;
};

TEST_F(ShareServiceTest, DeliversInOrderAcrossARestartOfThePeer) {
    auto b = std::make_unique<ShareService>(b_options, b_id, b_db);
    b->start();
    const std::string b_endpoint = b->endpoint();
    SharingOptions a_options;
    a_options.endpoint = "tcp://127.0.0.1:0";
    a_options.window = 50; // several windows per run
    a_options.peers = {peer_of(b_id, b_endpoint)};
    ShareService a(a_options, a_id, a_db);
    a.start();

    add_entries(a_db, 0, 300);
    const std::string applied = "SELECT count(*) FROM watchlist_entries WHERE origin = 'SVC-A'";
    EXPECT_EQ(wait_for(b_db, applied, 300), 300);
    // Acknowledged messages leave A's outbox within a quarter of a second.
    EXPECT_EQ(wait_for(a_db, "SELECT count(*) = 0 FROM share_outbox", 1), 1);

    b->stop();
    b.reset();
    add_entries(a_db, 300, 200);
    EXPECT_EQ(wait_for(a_db, "SELECT count(*) FROM share_outbox", 200), 200);
    b_options.endpoint = b_endpoint;
    b = std::make_unique<ShareService>(b_options, b_id, b_db);
    b->start();
    EXPECT_EQ(wait_for(b_db, applied, 500), 500);
    EXPECT_EQ(wait_for(a_db, "SELECT 500 - count(*) FROM share_outbox", 500), 500);
    a.stop();
    b->stop();

    auto db = storage::Database::open(b_db, storage::Access::reader);
    storage::Statement seqs(db, "SELECT seq FROM share_inbox WHERE origin = 'SVC-A' ORDER BY id");
    std::int64_t expected = 1;
    while (seqs.step())
        EXPECT_EQ(seqs.column_int64(0), expected++);
    EXPECT_EQ(expected, 501);
}

TEST_F(ShareServiceTest, OnlyListedKeysAreAnswered) {
    ShareService b(b_options, b_id, b_db);
    b.start();
    EXPECT_TRUE(answered(b.endpoint(), &a_id, 10s));
    const auto stranger = generate_identity("STRANGER");
    EXPECT_FALSE(answered(b.endpoint(), &stranger, 1s));
    EXPECT_FALSE(answered(b.endpoint(), nullptr, 1s));
    b.stop();
    EXPECT_EQ(count(b_db, "SELECT count(*) FROM share_inbox"), 0);
}

TEST_F(ShareServiceTest, RefusesToStartWithBadSettings) {
    b_options.peers.push_back(peer_of(a_id, "tcp://127.0.0.1:1"));
    ShareService b(b_options, b_id, b_db);
    EXPECT_THROW(b.start(), std::runtime_error);
}

} // namespace
} // namespace portscreen::sharing
