// The durable side of sharing against real SQLite files: two or three databases act as nodes,
// and the messages one queues (outgoing) are handed to another (receive) as a link would.

#include "common/clock.hpp"
#include "reference/reference.hpp"
#include "scoring/profile_store.hpp"
#include "scoring/rescorer.hpp"
#include "sharing/store.hpp"
#include "storage/database.hpp"

#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <tuple>
#include <vector>

namespace portscreen::sharing {
namespace {

using storage::Database;
using storage::Statement;
using storage::Transaction;

constexpr const char* kNow = "2026-11-28T08:00:00.000Z";
constexpr const char* kWatched = "MSKU5705452"; // container 1 of the fixture
constexpr const char* kOther = "TGHU1000018";   // container 2

/// One node: its data folder, identity, sharing options and database.
struct Node {
    explicit Node(const std::string& name)
        : identity(generate_identity(name)),
          db(std::make_unique<Database>(
              Database::open(dir.file("portscreen.db"), storage::Access::writer))) {
        options.endpoint = "tcp://127.0.0.1:5557";
        configure(*db, options); // sharing on: the triggers record events
    }

    const std::string& name() const { return identity.public_part.name; }
    std::int64_t count(const std::string& sql) { return db->query_int64(sql); }

    test_support::TempDir dir;
    NodeIdentity identity;
    SharingOptions options;
    std::unique_ptr<Database> db;
};

/// `node` as a peer that takes every kind.
Peer peer_of(const Node& node, std::vector<std::string> ports, bool personal_data,
             bool hub = false) {
    Peer peer;
    peer.identity = node.identity.public_part;
    peer.endpoint = "tcp://127.0.0.1:5557";
    peer.ports = std::move(ports);
    peer.send = {Kind::alert, Kind::outcome, Kind::watchlist, Kind::query, Kind::answer};
    peer.personal_data = personal_data;
    peer.hub = hub;
    return peer;
}

/// Hands what `from` queued for `to` over, as a link does, and acknowledges what was stored.
Receipt deliver(Node& from, Node& to, std::size_t limit = 1000, std::string_view now = kNow) {
    const auto batch = outgoing(*from.db, to.name(), acknowledged(*from.db, to.name()), limit);
    const Receipt receipt = receive(*to.db, to.identity, to.options, from.name(), batch, now);
    acknowledge(*from.db, to.name(), receipt.last_link_seq, now);
    return receipt;
}

/// A vessel call at `port_of_call` with three containers on one B/L routed
/// CNSHA > NLRTM > BEANR > DEDUS, shipped by ACME TRADING LTD to SMITH IMPORTS NV.
void seed_manifest(Database& db, const std::string& port_of_call) {
    db.execute(
        "INSERT INTO messages (id, message_id, content_type, content_sha256, source, "
        "received_at, reply_body, payload) VALUES "
        "(1, 'm1', 'application/json', 'abc', 'test', '2026-11-27T00:00:00Z', 'ok', x'00');"
        "INSERT INTO vessel_calls (id, imo, voyage, port_of_call, vessel_name, carrier, eta, "
        "last_port, created_by, updated_by) VALUES (1, '9074729', 'V1', '" +
        port_of_call +
        "', 'Alpha', 'MSC', '2026-11-28T06:00:00Z', 'CNSHA', 1, 1);"
        "INSERT INTO parties (id, party_key, name, country, identifier, address, city, "
        "postcode, first_seen, last_seen, times_seen) VALUES "
        "(1, 'CN|ACME TRADING LTD', 'ACME TRADING LTD', 'CN', '', '', '', '', "
        "'2025-01-01T00:00:00Z', '2026-11-27T00:00:00Z', 20),"
        "(2, 'BE|SMITH IMPORTS NV', 'SMITH IMPORTS NV', 'BE', '', '', '', '', "
        "'2025-01-01T00:00:00Z', '2026-11-27T00:00:00Z', 20);"
        "INSERT INTO consignments (id, vessel_call_id, master_bl, house_bl, shipper_id, "
        "consignee_id, place_of_receipt, port_of_loading, transshipment_ports, "
        "port_of_discharge, place_of_delivery, status, revision, message_row) VALUES "
        "(1, 1, 'MSCUBL0001', '', 1, 2, 'CNSHA', 'CNSHA', 'NLRTM', 'BEANR', 'DEDUS', "
        "'active', 1, 1);"
        "INSERT INTO goods_items (id, consignment_id, item_number, hs_code, description, "
        "packages, package_type, gross_mass_kg) VALUES "
        "(1, 1, 1, '940360', 'wooden furniture', 30, 'PK', 6000);"
        "INSERT INTO containers (id, vessel_call_id, number, size_type, load_status, "
        "gross_mass_kg, tare_mass_kg, message_row) VALUES "
        "(1, 1, 'MSKU5705452', '42G1', 'full', 5800, 3800, 1),"
        "(2, 1, 'TGHU1000018', '42G1', 'full', 5800, 3800, 1),"
        "(3, 1, 'TGHU1000023', '42G1', 'full', 5800, 3800, 1);"
        "INSERT INTO placements (goods_item_id, container_id, packages) VALUES "
        "(1, 1, 10), (1, 2, 10), (1, 3, 10);"
        "INSERT INTO seals (container_id, number, sealing_party) VALUES "
        "(1, 'S1', 'CA'), (2, 'S2', 'CA'), (3, 'S3', 'CA');");
}

/// Stores a score for container 1, as the scoring thread would.
void store_score(Database& db, double score) {
    const nlohmann::json factors =
        nlohmann::json::array({{{"kind", "watchlist"},
                                {"id", "W-9"},
                                {"points", 50},
                                {"text", "shipper ACME TRADING LTD is watchlist entry W-9"}},
                               {{"kind", "rule"},
                                {"id", "R1"},
                                {"points", score - 50},
                                {"text", "light for its goods"}}});
    Statement put(db, "INSERT OR REPLACE INTO scores (container_id, score, main_source, factors, "
                      "features, generation, basis, scored_at) "
                      "VALUES (1, ?1, 'watchlist', ?2, x'', 1, 1, 't')");
    put.bind(1, score);
    put.bind(2, factors.dump());
    put.run();
}

void add_entry(Database& db, const std::string& id, profiling::WatchKind kind,
               const std::string& value) {
    profiling::WatchEntry entry;
    entry.id = id;
    entry.kind = kind;
    entry.value = value;
    entry.reason = "seen with cocaine before";
    entry.source = "national intelligence";
    Transaction transaction(db);
    scoring::add_watch_entries(db, std::span(&entry, 1), kNow);
    transaction.commit();
}

Envelope only_message(Node& from, const Node& to) {
    const auto batch = outgoing(*from.db, to.name(), 0, 10);
    EXPECT_EQ(batch.size(), 1u);
    return batch.empty() ? Envelope{} : decode(batch.front().message.bytes);
}

TEST(SharingStore, AnOutcomeRecordedIsSharedWithoutNamesUnlessAllowed) {
    Node a("NLRTM-PCU"), b("BEANR-PCU"), c("DEHAM-PCU");
    seed_manifest(*a.db, "NLRTM");
    a.options.peers = {peer_of(b, {"BEANR"}, false), peer_of(c, {"DEHAM"}, true)};
    b.options.peers = {peer_of(a, {"NLRTM"}, false)};
    configure(*a.db, a.options);

    scoring::Outcome outcome;
    outcome.container_id = 1;
    outcome.inspected_on = "2026-11-28";
    outcome.method = "physical";
    outcome.seizure = true;
    outcome.category = "drugs";
    outcome.description = "cocaine in the furniture";
    outcome.recorded_by = "officer.jansen";
    outcome.quantity = 12.5;
    outcome.unit = "kg";
    outcome.concealment = "inside_goods";
    outcome.detection = "x_ray";
    outcome.place = "NLRTM";
    outcome.notes = "driver J. Smith present";
    {
        Transaction transaction(*a.db);
        scoring::record_outcome(*a.db, outcome, kNow);
        transaction.commit();
    }
    EXPECT_EQ(a.count("SELECT count(*) FROM share_events"), 1);
    EXPECT_EQ(produce(*a.db, a.identity, a.options, kNow), 1u);
    EXPECT_EQ(a.count("SELECT count(*) FROM share_events"), 0);
    // Nothing left to make: a second call makes nothing again.
    EXPECT_EQ(produce(*a.db, a.identity, a.options, kNow), 0u);

    const Envelope to_b = only_message(a, b);
    const Envelope to_c = only_message(a, c);
    EXPECT_EQ(to_b.id, "NLRTM-PCU:1");
    EXPECT_EQ(to_c.id, to_b.id); // one sequence number for the event
    EXPECT_EQ(to_b.kind, Kind::outcome);
    EXPECT_FALSE(to_b.personal);
    EXPECT_TRUE(to_c.personal);
    const OutcomeBody for_b = parse_outcome(to_b.body);
    EXPECT_EQ(for_b.container, kWatched);
    EXPECT_EQ(for_b.bls, std::vector<std::string>{"MSCUBL0001"});
    EXPECT_EQ(for_b.port_of_call, "NLRTM");
    EXPECT_TRUE(for_b.seizure);
    EXPECT_EQ(for_b.recorded_by, "");
    EXPECT_EQ(for_b.notes, "");
    EXPECT_EQ(parse_outcome(to_c.body).recorded_by, "officer.jansen");

    const Receipt receipt = deliver(a, b);
    EXPECT_EQ(receipt.applied, 1u);
    EXPECT_TRUE(receipt.rescore); // a seizure raises scores here
    EXPECT_EQ(b.count("SELECT count(*) FROM shared_outcomes WHERE container = 'MSKU5705452' "
                      "AND result = 'seizure' AND origin = 'NLRTM-PCU'"),
              1);
    EXPECT_EQ(b.count("SELECT count(*) FROM shared_alerts WHERE kind = 'seizure' "
                      "AND points = 40 AND expires = '2026-12-28'"),
              1);
    EXPECT_EQ(scoring::profiling_generation(*b.db), 1);
}

TEST(SharingStore, AWatchlistImportIsSharedAndPartiesOnlyWhereNamesMayGo) {
    Node a("NLRTM-PCU"), b("BEANR-PCU"), c("DEHAM-PCU");
    a.options.peers = {peer_of(b, {"BEANR"}, false), peer_of(c, {"DEHAM"}, true)};
    b.options.peers = {peer_of(a, {"NLRTM"}, false)};
    c.options.peers = {peer_of(a, {"NLRTM"}, true)};
    add_entry(*a.db, "W-1", profiling::WatchKind::container, kWatched);
    add_entry(*a.db, "W-2", profiling::WatchKind::party, "ACME TRADING LTD");
    EXPECT_EQ(produce(*a.db, a.identity, a.options, kNow), 2u);
    EXPECT_EQ(outgoing(*a.db, b.name(), 0, 10).size(), 1u);
    EXPECT_EQ(outgoing(*a.db, c.name(), 0, 10).size(), 2u);

    EXPECT_EQ(deliver(a, b).applied, 1u);
    EXPECT_EQ(deliver(a, c).applied, 2u);
    Statement entry(*b.db, "SELECT kind, value, source, origin FROM watchlist_entries "
                           "WHERE entry_id = 'NLRTM-PCU/W-1' AND removed_at IS NULL");
    ASSERT_TRUE(entry.step());
    EXPECT_EQ(entry.column_text(0), "container");
    EXPECT_EQ(entry.column_text(1), kWatched);
    EXPECT_EQ(entry.column_text(2), "NLRTM-PCU: national intelligence");
    EXPECT_EQ(entry.column_text(3), "NLRTM-PCU");
    entry.reset();
    EXPECT_EQ(b.count("SELECT count(*) FROM watchlist_entries WHERE kind = 'party'"), 0);
    EXPECT_EQ(c.count("SELECT count(*) FROM watchlist_entries WHERE kind = 'party'"), 1);
    // Received entries are not shared again by the receiver.
    EXPECT_EQ(b.count("SELECT count(*) FROM share_events"), 0);

    {
        Transaction transaction(*a.db);
        ASSERT_TRUE(scoring::remove_watch_entry(*a.db, "W-1", kNow));
        transaction.commit();
    }
    EXPECT_EQ(produce(*a.db, a.identity, a.options, kNow), 1u);
    EXPECT_EQ(deliver(a, b).applied, 1u);
    EXPECT_EQ(b.count("SELECT count(*) FROM watchlist_entries WHERE entry_id = "
                      "'NLRTM-PCU/W-1' AND removed_at IS NOT NULL"),
              1);
}

TEST(SharingStore, AHighScoreIsAlertedOnlyToThePortsAheadAndWithoutNamesWhereNeeded) {
    Node a("NLRTM-PCU"), b("BEANR-PCU"), c("ESVLC-PCU"), d("DEDUS-PCU");
    seed_manifest(*a.db, "NLRTM");
    a.options.alert_threshold = 70;
    a.options.peers = {peer_of(b, {"BEANR"}, false), peer_of(c, {"ESVLC"}, true),
                       peer_of(d, {"DEDUS"}, true)};

    // Sharing off: no threshold, so a high score makes no event.
    SharingOptions off = a.options;
    off.endpoint.clear();
    configure(*a.db, off);
    store_score(*a.db, 90);
    EXPECT_EQ(a.count("SELECT count(*) FROM share_events"), 0);

    configure(*a.db, a.options);
    store_score(*a.db, 60); // below the threshold
    EXPECT_EQ(a.count("SELECT count(*) FROM share_events"), 0);
    store_score(*a.db, 85);
    EXPECT_EQ(a.count("SELECT count(*) FROM share_events WHERE kind = 'alert'"), 1);
    EXPECT_EQ(produce(*a.db, a.identity, a.options, kNow), 1u);
    EXPECT_EQ(outgoing(*a.db, c.name(), 0, 10).size(), 0u); // Valencia is not on the route

    const Envelope to_b = only_message(a, b);
    const Envelope to_d = only_message(a, d);
    EXPECT_EQ(to_b.ports, (std::vector<std::string>{"BEANR", "DEDUS"}));
    const AlertBody for_b = parse_alert(to_b.body);
    EXPECT_EQ(for_b.container, kWatched);
    EXPECT_EQ(for_b.route, (std::vector<std::string>{"CNSHA", "NLRTM", "BEANR", "DEDUS"}));
    EXPECT_EQ(for_b.port_of_call, "NLRTM");
    EXPECT_DOUBLE_EQ(for_b.score, 85);
    EXPECT_TRUE(for_b.shippers.empty());
    ASSERT_EQ(for_b.factors.size(), 2u);
    EXPECT_EQ(for_b.factors[0].text.find("ACME"), std::string::npos) << for_b.factors[0].text;
    EXPECT_EQ(for_b.reason.find("ACME"), std::string::npos) << for_b.reason;
    EXPECT_NE(for_b.reason.find("[name withheld]"), std::string::npos) << for_b.reason;
    const AlertBody for_d = parse_alert(to_d.body);
    EXPECT_EQ(for_d.shippers, std::vector<std::string>{"ACME TRADING LTD"});
    EXPECT_EQ(for_d.consignees, std::vector<std::string>{"SMITH IMPORTS NV"});
    EXPECT_EQ(for_d.reason, "shipper ACME TRADING LTD is watchlist entry W-9");
    EXPECT_EQ(a.count("SELECT count(*) FROM share_alerted WHERE container_id = 1 "
                      "AND message_id = 'NLRTM-PCU:1'"),
              1);

    // Scored again: already alerted, no second alert.
    store_score(*a.db, 95);
    EXPECT_EQ(a.count("SELECT count(*) FROM share_events"), 0);

    // An officer's alert carries the officer's words.
    {
        Transaction transaction(*a.db);
        request_alert(*a.db, 2, "tip-off from the shipping line");
        transaction.commit();
    }
    EXPECT_EQ(produce(*a.db, a.identity, a.options, kNow), 1u);
    const auto second = outgoing(*a.db, b.name(), 1, 10);
    ASSERT_EQ(second.size(), 1u);
    EXPECT_EQ(parse_alert(decode(second[0].message.bytes).body).reason,
              "tip-off from the shipping line");
}

TEST(SharingStore, AnAlertAtTheLastPortGoesNowhereAndIsNotMarked) {
    Node a("DEDUS-PCU"), b("BEANR-PCU");
    seed_manifest(*a.db, "DEDUS");
    a.options.peers = {peer_of(b, {"BEANR"}, false)};
    configure(*a.db, a.options);
    store_score(*a.db, 90);
    EXPECT_EQ(produce(*a.db, a.identity, a.options, kNow), 0u);
    EXPECT_EQ(a.count("SELECT count(*) FROM share_events"), 0);
    EXPECT_EQ(a.count("SELECT count(*) FROM share_alerted"), 0);
    EXPECT_EQ(a.count("SELECT count(*) FROM share_outbox"), 0);
}

TEST(SharingStore, EachMessageIsAppliedOnceAndInOrderDespiteDuplicatesAndGaps) {
    Node a("NLRTM-PCU"), b("BEANR-PCU");
    a.options.peers = {peer_of(b, {"BEANR"}, false)};
    b.options.peers = {peer_of(a, {"NLRTM"}, false)};
    for (int idx = 1; idx <= 5; ++idx)
        add_entry(*a.db, "W-" + std::to_string(idx), profiling::WatchKind::vessel,
                  "907472" + std::string("9"));
    EXPECT_EQ(produce(*a.db, a.identity, a.options, kNow), 5u);
    const auto all = outgoing(*a.db, b.name(), 0, 100);
    ASSERT_EQ(all.size(), 5u);
    for (std::size_t idx = 0; idx < all.size(); ++idx)
        EXPECT_EQ(all[idx].link_seq, static_cast<std::int64_t>(idx + 1));

    const auto take = [&](std::vector<std::size_t> positions) {
        std::vector<LinkMessage> batch;
        for (const auto position : positions)
            batch.push_back(all[position]);
        return receive(*b.db, b.identity, b.options, a.name(), batch, kNow);
    };
    Receipt receipt = take({0, 1});
    EXPECT_EQ(receipt.applied, 2u);
    EXPECT_EQ(receipt.last_link_seq, 2);
    receipt = take({0, 1, 2}); // resent after a lost acknowledgement
    EXPECT_EQ(receipt.duplicates, 2u);
    EXPECT_EQ(receipt.applied, 1u);
    EXPECT_EQ(receipt.last_link_seq, 3);
    receipt = take({4}); // the fourth was lost
    EXPECT_TRUE(receipt.gap);
    EXPECT_EQ(receipt.applied, 0u);
    EXPECT_EQ(receipt.last_link_seq, 3);
    receipt = take({3, 4});
    EXPECT_FALSE(receipt.gap);
    EXPECT_EQ(receipt.applied, 2u);
    EXPECT_EQ(last_received(*b.db, a.name()), 5);

    // Applied once each, in the order made.
    Statement entries(*b.db, "SELECT entry_id FROM watchlist_entries ORDER BY id");
    std::vector<std::string> ids;
    while (entries.step())
        ids.push_back(entries.column_text(0));
    EXPECT_EQ(ids, (std::vector<std::string>{"NLRTM-PCU/W-1", "NLRTM-PCU/W-2", "NLRTM-PCU/W-3",
                                             "NLRTM-PCU/W-4", "NLRTM-PCU/W-5"}));
    EXPECT_EQ(b.count("SELECT count(*) FROM share_inbox"), 5);
}

TEST(SharingStore, ABadSignatureAnUnknownOriginAndUnreadableBytesAreRefused) {
    Node a("NLRTM-PCU"), b("BEANR-PCU"), x("XXMAL-PCU");
    a.options.peers = {peer_of(b, {"BEANR"}, false)};
    b.options.peers = {peer_of(a, {"NLRTM"}, false)}; // x is not listed
    x.options.peers = {peer_of(b, {"BEANR"}, false)};
    add_entry(*a.db, "W-1", profiling::WatchKind::container, kWatched);
    add_entry(*x.db, "X-1", profiling::WatchKind::container, kOther);
    ASSERT_EQ(produce(*a.db, a.identity, a.options, kNow), 1u);
    ASSERT_EQ(produce(*x.db, x.identity, x.options, kNow), 1u);

    auto forged = outgoing(*a.db, b.name(), 0, 10).at(0);
    forged.message.signature[3] = static_cast<char>(forged.message.signature[3] ^ 0x01);
    auto stranger = outgoing(*x.db, b.name(), 0, 10).at(0);
    stranger.link_seq = 2; // passed on through a's link
    LinkMessage garbage{3, {"not json at all", std::string(64, 'x')}};
    const std::vector<LinkMessage> batch{forged, stranger, garbage};
    const Receipt receipt = receive(*b.db, b.identity, b.options, a.name(), batch, kNow);
    EXPECT_EQ(receipt.refused, 3u);
    EXPECT_EQ(receipt.applied, 0u);
    EXPECT_EQ(receipt.last_link_seq, 3); // the link still advances
    EXPECT_EQ(b.count("SELECT count(*) FROM watchlist_entries"), 0);
    Statement reasons(*b.db, "SELECT from_peer, reason FROM share_refused ORDER BY id");
    std::vector<std::string> seen;
    while (reasons.step()) {
        EXPECT_EQ(reasons.column_text(0), "NLRTM-PCU");
        seen.push_back(reasons.column_text(1));
    }
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[0].rfind("signature does not verify", 0), 0u) << seen[0];
    EXPECT_EQ(seen[1].rfind("unknown origin", 0), 0u) << seen[1];
    EXPECT_EQ(seen[2].rfind("unreadable envelope: ", 0), 0u) << seen[2];

    // Altered bytes under a genuine signature fail the same way.
    auto altered = outgoing(*a.db, b.name(), 0, 10).at(0);
    auto at = altered.message.bytes.find("W-1");
    ASSERT_NE(at, std::string::npos);
    altered.message.bytes.replace(at, 3, "W-7");
    altered.link_seq = 4;
    EXPECT_EQ(receive(*b.db, b.identity, b.options, a.name(), std::span(&altered, 1), kNow).refused,
              1u);
    const auto status = peer_status(*b.db, b.options);
    ASSERT_EQ(status.size(), 1u);
    EXPECT_EQ(status[0].refused, 4);
    EXPECT_EQ(status[0].received, 4);
}

TEST(SharingStore, AHubRelaysAndTheSameMessageComingDirectlyIsDropped) {
    Node a("NLRTM-PCU"), hub("NL-HUB"), b("BEANR-PCU");
    a.options.peers = {peer_of(hub, {}, false, true), peer_of(b, {"BEANR"}, false)};
    hub.options.hub = true;
    hub.options.peers = {peer_of(a, {"NLRTM"}, false), peer_of(b, {"BEANR"}, false)};
    b.options.peers = {peer_of(hub, {}, false, true), peer_of(a, {"NLRTM"}, false)};
    add_entry(*a.db, "W-1", profiling::WatchKind::container, kWatched);
    ASSERT_EQ(produce(*a.db, a.identity, a.options, kNow), 1u);

    const Receipt at_hub = deliver(a, hub);
    EXPECT_EQ(at_hub.applied, 1u);
    EXPECT_EQ(at_hub.relayed, 1u);
    // Passed on unchanged: the same bytes and signature as the origin's.
    EXPECT_EQ(outgoing(*hub.db, b.name(), 0, 10).at(0).message.bytes,
              outgoing(*a.db, b.name(), 0, 10).at(0).message.bytes);
    EXPECT_EQ(outgoing(*hub.db, a.name(), 0, 10).size(), 0u); // not back to its origin

    const Receipt via_hub = deliver(hub, b);
    EXPECT_EQ(via_hub.applied, 1u);
    const Receipt direct = deliver(a, b);
    EXPECT_EQ(direct.applied, 0u);
    EXPECT_EQ(direct.duplicates, 1u);
    EXPECT_EQ(b.count("SELECT count(*) FROM watchlist_entries"), 1);
    EXPECT_EQ(b.count("SELECT count(*) FROM share_inbox WHERE from_peer = 'NL-HUB'"), 1);
}

TEST(SharingStore, AQueryIsAnsweredWithSightingsAndOutcomes) {
    Node a("NLRTM-PCU"), b("BEANR-PCU");
    seed_manifest(*b.db, "BEANR");
    a.options.peers = {peer_of(b, {"BEANR"}, false)};
    b.options.peers = {peer_of(a, {"NLRTM"}, false)};
    scoring::Outcome outcome;
    outcome.container_id = 1;
    outcome.inspected_on = "2026-11-20";
    outcome.method = "scan";
    outcome.recorded_by = "officer.peeters";
    {
        Transaction transaction(*b.db);
        scoring::record_outcome(*b.db, outcome, kNow);
        transaction.commit();
    }

    const std::string query = ask(*a.db, a.identity, a.options, kWatched, kNow);
    EXPECT_EQ(query, "NLRTM-PCU:1");
    EXPECT_TRUE(answers(*a.db, query).empty());
    const Receipt asked = deliver(a, b);
    EXPECT_EQ(asked.applied, 1u);
    EXPECT_FALSE(asked.rescore);
    const Receipt answered = deliver(b, a);
    EXPECT_EQ(answered.applied, 1u);

    const auto received = answers(*a.db, query);
    ASSERT_EQ(received.size(), 1u);
    EXPECT_EQ(received[0].origin, "BEANR-PCU");
    EXPECT_EQ(received[0].body.query_id, query);
    EXPECT_EQ(received[0].body.container, kWatched);
    ASSERT_EQ(received[0].body.sightings.size(), 1u);
    EXPECT_EQ(received[0].body.sightings[0].port_of_call, "BEANR");
    EXPECT_EQ(received[0].body.sightings[0].bls, std::vector<std::string>{"MSCUBL0001"});
    ASSERT_EQ(received[0].body.outcomes.size(), 1u);
    EXPECT_FALSE(received[0].body.outcomes[0].seizure);
    EXPECT_EQ(received[0].body.outcomes[0].recorded_by, ""); // a has no personal data
}

TEST(SharingStore, AReceivedAlertRaisesTheContainersScoreWithAnAlertFactor) {
    Node a("NLRTM-PCU"), b("BEANR-PCU");
    seed_manifest(*a.db, "NLRTM");
    seed_manifest(*b.db, "BEANR");
    a.options.peers = {peer_of(b, {"BEANR"}, false)};
    b.options.peers = {peer_of(a, {"NLRTM"}, false)};
    b.options.alert_points = 40;

    // The scorer reads received alerts as of the real day, so this test lives in it.
    const std::string now = utc_now_iso8601();
    const std::string today = now.substr(0, 10);
    const auto hs = reference::load_hs_nomenclature(reference::default_hs_nomenclature_path());
    scoring::Rescorer rescorer(*b.db, hs);
    rescorer.score_call(1, today);
    const auto score_of = [&](int container) {
        Statement get(*b.db, "SELECT score, main_source, factors FROM scores "
                             "WHERE container_id = ?1");
        get.bind(1, container);
        EXPECT_TRUE(get.step());
        auto row = std::make_tuple(get.column_double(0), get.column_text(1),
                                   nlohmann::json::parse(get.column_text(2)));
        get.reset();
        return row;
    };
    const double before = std::get<0>(score_of(1));
    const double other_before = std::get<0>(score_of(2));
    ASSERT_LE(before, 60) << std::get<2>(score_of(1)).dump();

    {
        Transaction transaction(*a.db);
        request_alert(*a.db, 1, "cocaine found in a container of the same shipper");
        transaction.commit();
    }
    ASSERT_EQ(produce(*a.db, a.identity, a.options, now), 1u);
    const Receipt receipt = deliver(a, b, 1000, now);
    EXPECT_EQ(receipt.applied, 1u);
    EXPECT_TRUE(receipt.rescore);

    EXPECT_TRUE(rescorer.reload_if_changed());
    rescorer.score_call(1, today);
    const auto [after, source, factors] = score_of(1);
    EXPECT_NEAR(after, before + 40, 0.01);
    EXPECT_EQ(source, "alert");
    bool found = false;
    for (const auto& factor : factors)
        if (factor.value("kind", "") == "alert") {
            found = true;
            EXPECT_EQ(factor.value("text", ""),
                      "Alert from NLRTM-PCU: cocaine found in a container of the same shipper");
            EXPECT_EQ(factor.value("id", ""), "alert:NLRTM-PCU:1");
        }
    EXPECT_TRUE(found) << factors.dump();
    EXPECT_DOUBLE_EQ(std::get<0>(score_of(2)), other_before); // only that container

    // It counts up to its last day, and not after.
    Statement expires(*b.db, "SELECT expires FROM shared_alerts");
    const auto last_day = expires.query_text();
    ASSERT_TRUE(last_day.has_value());
    EXPECT_GT(*last_day, today);
    const auto on_last_day = scoring::active_watch_entries(*b.db, *last_day);
    ASSERT_EQ(on_last_day.size(), 1u);
    EXPECT_TRUE(on_last_day[0].shared_alert);
    EXPECT_EQ(on_last_day[0].source, "NLRTM-PCU");
    EXPECT_TRUE(scoring::active_watch_entries(*b.db, "9999-12-31").empty());
}

TEST(SharingStore, PeerStatusCountsTheBacklogAndWhatWasAcknowledged) {
    Node a("NLRTM-PCU"), b("BEANR-PCU");
    a.options.peers = {peer_of(b, {"BEANR"}, false)};
    b.options.peers = {peer_of(a, {"NLRTM"}, false)};
    for (int idx = 1; idx <= 3; ++idx)
        add_entry(*a.db, "W-" + std::to_string(idx), profiling::WatchKind::container, kWatched);
    ASSERT_EQ(produce(*a.db, a.identity, a.options, kNow), 3u);

    auto status = peer_status(*a.db, a.options);
    ASSERT_EQ(status.size(), 1u);
    EXPECT_EQ(status[0].name, "BEANR-PCU");
    EXPECT_EQ(status[0].endpoint, "tcp://127.0.0.1:5557");
    EXPECT_EQ(status[0].backlog, 3);
    EXPECT_EQ(status[0].acknowledged, 0);
    EXPECT_FALSE(status[0].connected);
    EXPECT_EQ(status[0].last_seen, "");

    EXPECT_EQ(deliver(a, b, 2).applied, 2u);
    record_link_state(*a.db, b.name(), true, "2026-11-28T08:01:00Z");
    status = peer_status(*a.db, a.options);
    EXPECT_EQ(status[0].backlog, 1);
    EXPECT_EQ(status[0].acknowledged, 2);
    EXPECT_TRUE(status[0].connected);
    EXPECT_EQ(status[0].last_seen, "2026-11-28T08:01:00Z");
    EXPECT_EQ(peer_status(*b.db, b.options)[0].received, 2);

    record_link_state(*a.db, b.name(), false, "2026-11-28T08:02:00Z");
    status = peer_status(*a.db, a.options);
    EXPECT_FALSE(status[0].connected);
    EXPECT_EQ(status[0].last_seen, "2026-11-28T08:01:00Z");
    EXPECT_EQ(deliver(a, b).applied, 1u);
    EXPECT_EQ(peer_status(*a.db, a.options)[0].backlog, 0);
}

} // namespace
} // namespace portscreen::sharing
