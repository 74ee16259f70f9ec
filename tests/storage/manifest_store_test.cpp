#include "storage/manifest_store.hpp"

#include "storage/queries.hpp"
#include "storage_fixture.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace portscreen::storage {
namespace {

using core::MessageFunction;
using testing::consignment;
using testing::container;
using testing::container_number;
using testing::containers_of;
using testing::manifest;

/// Every write must leave a consistent file: checked after each test.
class ManifestStoreTest : public testing::StoreTest {
protected:
    void TearDown() override {
        Statement integrity(db_, "PRAGMA integrity_check");
        EXPECT_EQ(integrity.query_text(), "ok");
        Statement foreign_keys(db_, "PRAGMA foreign_key_check");
        EXPECT_FALSE(foreign_keys.step()) << "a row points at a missing parent";
        foreign_keys.reset();
    }

    /// Row counts of every table, to prove that nothing was written.
    std::vector<std::int64_t> all_rows() {
        std::vector<std::int64_t> counts;
        for (const char* table :
             {"messages", "vessel_calls", "parties", "consignments", "consignment_revisions",
              "goods_items", "containers", "seals", "placements"})
            counts.push_back(rows(table));
        return counts;
    }

    core::Manifest original_of(std::vector<core::Consignment> consignments,
                               const std::string& voyage = "042E") {
        auto containers = containers_of(consignments);
        return manifest(MessageFunction::original, std::move(consignments), std::move(containers),
                        voyage);
    }

    std::optional<ConsignmentView> find(const std::string& master_bl,
                                        const std::string& house_bl = "",
                                        const std::string& voyage = "042E") {
        return find_consignment(db_, "9321483", voyage, "DEHAM", master_bl, house_bl);
    }

    const std::string c1_ = container_number(1);
    const std::string c2_ = container_number(2);
    const std::string c3_ = container_number(3);
};

TEST_F(ManifestStoreTest, OriginalIsStoredWithEverything) {
    const auto m =
        message("m1", {original_of({consignment("BL1", {c1_, c2_}), consignment("BL2", {c3_})})});
    const StoreResult result = store_one(m);
    ASSERT_EQ(result.status, StoreStatus::stored);
    EXPECT_TRUE(result.problems.empty());
    EXPECT_EQ(result.reply_body, "ack m1 BL1:created:1 BL2:created:1");

    // messages, calls, parties, consignments, revisions, goods, containers, seals, placements
    EXPECT_EQ(all_rows(), (std::vector<std::int64_t>{1, 1, 2, 2, 2, 3, 3, 3, 3}));
    Statement stored(db_, "SELECT payload, reply_body, interchange_key IS NULL, source "
                          "FROM messages WHERE message_id = 'm1'");
    ASSERT_TRUE(stored.step());
    EXPECT_EQ(stored.column_blob(0), m.payload);
    EXPECT_EQ(stored.column_text(1), result.reply_body);
    EXPECT_EQ(stored.column_int(2), 1);
    EXPECT_EQ(stored.column_text(3), "carrier-msc");
    stored.reset();

    const auto bl1 = find("BL1");
    ASSERT_TRUE(bl1);
    EXPECT_EQ(bl1->status, "active");
    EXPECT_EQ(bl1->revision, 1);
    EXPECT_EQ(bl1->message_id, "m1");
    EXPECT_EQ(bl1->consignee, "Acme Trading GmbH");
    EXPECT_EQ(bl1->transshipment_ports, (std::vector<std::string>{"SGSIN", "LKCMB"}));
    ASSERT_EQ(bl1->goods_items.size(), 2u);
    ASSERT_EQ(bl1->goods_items[1].placements.size(), 1u);
    EXPECT_EQ(bl1->goods_items[1].placements[0].container_number, c2_);
    EXPECT_EQ(bl1->goods_items[1].placements[0].packages, 20);
    ASSERT_EQ(bl1->revisions.size(), 1u);
    EXPECT_EQ(bl1->revisions[0].action, "created");
    EXPECT_EQ(bl1->revisions[0].function, "original");
}

TEST_F(ManifestStoreTest, ResendIsADuplicateWithTheSameReply) {
    const auto m = message("m1", {original_of({consignment("BL1", {c1_})})});
    const StoreResult first = store_one(m);
    ASSERT_EQ(first.status, StoreStatus::stored);
    const auto before = all_rows();

    const StoreResult again = store_one(m);
    EXPECT_EQ(again.status, StoreStatus::duplicate);
    EXPECT_EQ(again.reply_body, first.reply_body);
    EXPECT_EQ(all_rows(), before);
}

TEST_F(ManifestStoreTest, SameContentUnderANewIdIsADuplicate) {
    const std::string payload = "{\"same\":true}";
    const StoreResult first =
        store_one(message("m1", {original_of({consignment("BL1", {c1_})})}, payload));
    ASSERT_EQ(first.status, StoreStatus::stored);
    const auto before = all_rows();

    const StoreResult second =
        store_one(message("m2", {original_of({consignment("BL1", {c1_})})}, payload));
    EXPECT_EQ(second.status, StoreStatus::duplicate);
    EXPECT_EQ(second.reply_body, "ack m1 BL1:created:1");
    EXPECT_EQ(all_rows(), before);
}

TEST_F(ManifestStoreTest, DuplicatesWithinOneBatch) {
    const std::string payload = "{\"batch\":1}";
    const auto m1 = message("m1", {original_of({consignment("BL1", {c1_})})}, payload);
    const auto m2 = message("m2", {original_of({consignment("BL1", {c1_})})}, payload);
    const auto results = store({m1, m1, m2});
    ASSERT_EQ(results.size(), 3u);
    EXPECT_EQ(results[0].status, StoreStatus::stored);
    EXPECT_EQ(results[1].status, StoreStatus::duplicate);
    EXPECT_EQ(results[2].status, StoreStatus::duplicate);
    EXPECT_EQ(results[1].reply_body, results[0].reply_body);
    EXPECT_EQ(results[2].reply_body, results[0].reply_body);
    EXPECT_EQ(rows("messages"), 1);
    EXPECT_EQ(rows("consignments"), 1);
}

TEST_F(ManifestStoreTest, ReplaceBumpsTheRevisionAndReplacesTheGoods) {
    ASSERT_EQ(store_one(message("m1", {original_of({consignment("BL1", {c1_, c2_})})})).status,
              StoreStatus::stored);

    auto amended = consignment("BL1", {c1_}, "porcelain tableware");
    const StoreResult result = store_one(
        message("m2", {manifest(MessageFunction::replace, {amended}, containers_of({amended}))}));
    ASSERT_EQ(result.status, StoreStatus::stored);
    EXPECT_EQ(result.reply_body, "ack m2 BL1:replaced:2");

    const auto view = find("BL1");
    ASSERT_TRUE(view);
    EXPECT_EQ(view->revision, 2);
    EXPECT_EQ(view->message_id, "m2");
    ASSERT_EQ(view->goods_items.size(), 1u);
    EXPECT_EQ(view->goods_items[0].description, "porcelain tableware");
    ASSERT_EQ(view->revisions.size(), 2u);
    EXPECT_EQ(view->revisions[0].message_id, "m1");
    EXPECT_EQ(view->revisions[1].message_id, "m2");
    EXPECT_EQ(view->revisions[1].function, "replace");
    EXPECT_EQ(view->revisions[1].action, "replaced");
    EXPECT_EQ(rows("goods_items"), 1);
    EXPECT_EQ(rows("placements"), 1);
    EXPECT_EQ(rows("containers"), 2); // containers stay with the call
}

TEST_F(ManifestStoreTest, ChangeCarriesTheWholeAmendedBl) {
    ASSERT_EQ(store_one(message("m1", {original_of(
                                          {consignment("BL1", {c1_}), consignment("BL2", {c2_})})}))
                  .status,
              StoreStatus::stored);
    auto amended = consignment("BL2", {c2_, c3_}, "wall tiles");
    const StoreResult result = store_one(
        message("m2", {manifest(MessageFunction::change, {amended}, containers_of({amended}))}));
    ASSERT_EQ(result.status, StoreStatus::stored);
    EXPECT_EQ(result.reply_body, "ack m2 BL2:changed:2");

    const auto bl2 = find("BL2");
    ASSERT_TRUE(bl2);
    EXPECT_EQ(bl2->revision, 2);
    ASSERT_EQ(bl2->goods_items.size(), 2u);
    EXPECT_EQ(bl2->goods_items[0].description, "wall tiles");
    EXPECT_EQ(bl2->revisions.back().action, "changed");
    const auto bl1 = find("BL1");
    ASSERT_TRUE(bl1);
    EXPECT_EQ(bl1->revision, 1); // a change touches only the B/Ls it lists
    EXPECT_EQ(bl1->goods_items.size(), 1u);
}

TEST_F(ManifestStoreTest, ReplaceOfAnUnknownBlCreatesIt) {
    auto lost = consignment("BL9", {c1_});
    const StoreResult result = store_one(
        message("m1", {manifest(MessageFunction::replace, {lost}, containers_of({lost}))}));
    ASSERT_EQ(result.status, StoreStatus::stored);
    EXPECT_EQ(result.reply_body, "ack m1 BL9:created:1");
    const auto view = find("BL9");
    ASSERT_TRUE(view);
    EXPECT_EQ(view->revision, 1);
    EXPECT_EQ(view->revisions.at(0).function, "replace");
}

TEST_F(ManifestStoreTest, CancelOfOneBl) {
    ASSERT_EQ(store_one(message("m1", {original_of(
                                          {consignment("BL1", {c1_}), consignment("BL2", {c2_})})}))
                  .status,
              StoreStatus::stored);
    auto listed = consignment("BL1", {});
    const StoreResult result =
        store_one(message("m2", {manifest(MessageFunction::cancel, {listed})}));
    ASSERT_EQ(result.status, StoreStatus::stored);
    EXPECT_EQ(result.reply_body, "ack m2 BL1:cancelled:2");

    const auto bl1 = find("BL1");
    ASSERT_TRUE(bl1);
    EXPECT_EQ(bl1->status, "cancelled");
    EXPECT_EQ(bl1->revision, 2);
    EXPECT_EQ(bl1->goods_items.size(), 1u); // kept for history
    EXPECT_EQ(bl1->revisions.back().function, "cancel");
    EXPECT_EQ(find("BL2")->status, "active");
    const Counts counts = count_all(db_);
    EXPECT_EQ(counts.consignments, 2);
    EXPECT_EQ(counts.active_consignments, 1);
}

TEST_F(ManifestStoreTest, CancelListingNoBlCancelsTheWholeCall) {
    ASSERT_EQ(store_one(message("m1", {original_of(
                                          {consignment("BL1", {c1_}), consignment("BL2", {c2_})})}))
                  .status,
              StoreStatus::stored);
    // Another call of the same vessel must stay untouched.
    const auto other_call = message("m2", {original_of({consignment("BL1", {c3_})}, "043W")});
    ASSERT_EQ(store_one(other_call).status, StoreStatus::stored);

    const StoreResult result = store_one(message("m3", {manifest(MessageFunction::cancel, {})}));
    ASSERT_EQ(result.status, StoreStatus::stored);
    EXPECT_EQ(result.reply_body, "ack m3 BL1:cancelled:2 BL2:cancelled:2");
    EXPECT_EQ(find("BL1")->status, "cancelled");
    EXPECT_EQ(find("BL2")->status, "cancelled");
    EXPECT_EQ(find("BL1", "", "043W")->status, "active");
    EXPECT_EQ(count_all(db_).active_consignments, 1);

    // Cancelling again finds nothing active: stored, with a warning.
    const StoreResult again = store_one(message("m4", {manifest(MessageFunction::cancel, {})}));
    ASSERT_EQ(again.status, StoreStatus::stored);
    ASSERT_EQ(again.problems.size(), 1u);
    EXPECT_EQ(again.problems[0].severity, Severity::warning);
    EXPECT_EQ(again.problems[0].code, "nothing-to-cancel");
    EXPECT_EQ(find("BL1")->revision, 2);
}

TEST_F(ManifestStoreTest, CancelOfAnUnknownBlIsRejected) {
    ASSERT_EQ(store_one(message("m1", {original_of({consignment("BL1", {c1_})})})).status,
              StoreStatus::stored);
    const auto before = all_rows();
    const auto listed = std::vector{consignment("BL1", {}), consignment("BLX", {})};
    const StoreResult result =
        store_one(message("m2", {manifest(MessageFunction::cancel, listed)}));
    ASSERT_EQ(result.status, StoreStatus::rejected);
    ASSERT_EQ(result.problems.size(), 1u);
    EXPECT_EQ(result.problems[0].code, "unknown-bill-of-lading");
    EXPECT_EQ(result.problems[0].path, "/consignments/1");
    EXPECT_EQ(result.problems[0].message,
              "bill of lading BLX is not filed for vessel call IMO 9321483 voyage 042E at DEHAM; "
              "there is nothing to cancel");
    EXPECT_TRUE(result.reply_body.empty());
    EXPECT_EQ(all_rows(), before);
    EXPECT_EQ(find("BL1")->status, "active"); // the valid half was rolled back too
}

TEST_F(ManifestStoreTest, CancelOfAnUnknownCallIsRejected) {
    const StoreResult result = store_one(message("m1", {manifest(MessageFunction::cancel, {})}));
    ASSERT_EQ(result.status, StoreStatus::rejected);
    ASSERT_EQ(result.problems.size(), 1u);
    EXPECT_EQ(result.problems[0].code, "unknown-vessel-call");
    EXPECT_EQ(rows("messages"), 0);
    EXPECT_EQ(rows("vessel_calls"), 0);
}

TEST_F(ManifestStoreTest, ReplaceReinstatesACancelledBl) {
    ASSERT_EQ(store_one(message("m1", {original_of({consignment("BL1", {c1_})})})).status,
              StoreStatus::stored);
    ASSERT_EQ(store_one(message("m2", {manifest(MessageFunction::cancel, {})})).status,
              StoreStatus::stored);
    auto refiled = consignment("BL1", {c1_});
    ASSERT_EQ(store_one(message("m3", {manifest(MessageFunction::replace, {refiled},
                                                containers_of({refiled}))}))
                  .status,
              StoreStatus::stored);
    const auto view = find("BL1");
    EXPECT_EQ(view->status, "active");
    EXPECT_EQ(view->revision, 3);
    EXPECT_EQ(view->revisions.size(), 3u);
}

TEST_F(ManifestStoreTest, OriginalForAnExistingBlIsRejectedAloneInItsBatch) {
    ASSERT_EQ(store_one(message("m1", {original_of({consignment("BL1", {c1_})})})).status,
              StoreStatus::stored);

    // m2 files BL1 again (with a new container and parties) and is refused; m3 and m4 in the
    // same batch are stored.
    auto again = consignment("BL1", {c2_});
    again.consignee = testing::party("Other Importer Ltd", "GB");
    const auto m2 = message("m2", {original_of({consignment("BL5", {c3_}), again})});
    const auto m3 = message("m3", {original_of({consignment("BL2", {c3_})})});
    const auto m4 = message("m4", {original_of({consignment("BL3", {c3_})})});
    const auto results = store({m2, m3, m4});

    ASSERT_EQ(results.size(), 3u);
    ASSERT_EQ(results[0].status, StoreStatus::rejected);
    ASSERT_EQ(results[0].problems.size(), 1u);
    EXPECT_EQ(results[0].problems[0].code, "bill-of-lading-exists");
    EXPECT_EQ(results[0].problems[0].message,
              "bill of lading BL1 is already filed for vessel call IMO 9321483 voyage 042E at "
              "DEHAM; amend it with function replace or change");
    EXPECT_EQ(results[0].problems[0].path, "/consignments/1");
    EXPECT_EQ(results[1].status, StoreStatus::stored);
    EXPECT_EQ(results[2].status, StoreStatus::stored);

    EXPECT_EQ(rows("messages"), 3);
    EXPECT_FALSE(find("BL5")); // m2's other B/L went with it
    EXPECT_TRUE(find("BL2"));
    EXPECT_TRUE(find("BL3"));
    EXPECT_EQ(find("BL1")->revision, 1);
    EXPECT_FALSE(find_party(db_, testing::party("Other Importer Ltd", "GB")));
    EXPECT_EQ(find_containers(db_, c2_).size(), 0u);
    Statement ids(db_, "SELECT group_concat(message_id, ',') FROM messages");
    EXPECT_EQ(ids.query_text(), "m1,m3,m4");

    // The refused message can be sent again once corrected; its id is not taken.
    const StoreResult retry = store_one(
        message("m2", {original_of({consignment("BL5", {c3_})})}, "{\"corrected\":true}"));
    EXPECT_EQ(retry.status, StoreStatus::stored);
}

TEST_F(ManifestStoreTest, OriginalWithAHigherVersionUpgrades) {
    ASSERT_EQ(store_one(message("m1", {original_of({consignment("BL1", {c1_})})})).status,
              StoreStatus::stored);
    auto v2 = original_of({consignment("BL1", {c1_}, "glazed tiles")});
    v2.version = 2;
    const StoreResult result = store_one(message("m2", {v2}));
    ASSERT_EQ(result.status, StoreStatus::stored);
    EXPECT_EQ(result.reply_body, "ack m2 BL1:replaced:2");
    EXPECT_EQ(find("BL1")->goods_items.at(0).description, "glazed tiles");

    // The same version again is no upgrade.
    auto v2_again = original_of({consignment("BL1", {c1_}, "other")});
    v2_again.version = 2;
    EXPECT_EQ(store_one(message("m3", {v2_again})).status, StoreStatus::rejected);
}

TEST_F(ManifestStoreTest, InterchangeKeyWithDifferentContentIsRejected) {
    auto edifact = [&](const std::string& id, const std::string& payload) {
        auto m = message(id, {original_of({consignment("BL-" + id, {c1_})})}, payload);
        m.content_type = "application/edifact";
        m.interchange_key = "MSCSENDER/000123";
        return m;
    };
    ASSERT_EQ(store_one(edifact("e1", "UNB+UNOC:3+MSCSENDER'first")).status, StoreStatus::stored);
    const auto before = all_rows();

    const StoreResult conflict = store_one(edifact("e2", "UNB+UNOC:3+MSCSENDER'second"));
    ASSERT_EQ(conflict.status, StoreStatus::rejected);
    ASSERT_EQ(conflict.problems.size(), 1u);
    EXPECT_EQ(conflict.problems[0].code, "duplicate-interchange");
    EXPECT_EQ(conflict.problems[0].contrl, 26);
    EXPECT_NE(conflict.problems[0].message.find("MSCSENDER/000123"), std::string::npos);
    EXPECT_EQ(all_rows(), before);

    // The identical interchange under a new id is a plain duplicate.
    EXPECT_EQ(store_one(edifact("e3", "UNB+UNOC:3+MSCSENDER'first")).status,
              StoreStatus::duplicate);
    Statement key(db_, "SELECT interchange_key FROM messages");
    EXPECT_EQ(key.query_text(), "MSCSENDER/000123");
}

TEST_F(ManifestStoreTest, LclBlsShareOneContainer) {
    auto a = consignment("BL1", {c1_}, "toys", "HB1");
    auto b = consignment("BL1", {c1_}, "shoes", "HB2");
    ASSERT_EQ(store_one(message("m1", {original_of({a, b})})).status, StoreStatus::stored);
    EXPECT_EQ(rows("containers"), 1);
    EXPECT_EQ(rows("placements"), 2);
    const auto views = find_containers(db_, c1_);
    ASSERT_EQ(views.size(), 1u);
    EXPECT_EQ(views[0].consignments, (std::vector<std::string>{"BL1 / HB1", "BL1 / HB2"}));
    EXPECT_EQ(find("BL1", "HB2")->goods_items.at(0).description, "shoes");

    // A later house B/L may place goods in a container declared by an earlier message.
    auto c = consignment("BL1", {c1_}, "bags", "HB3");
    ASSERT_EQ(store_one(message("m2", {manifest(MessageFunction::original, {c})})).status,
              StoreStatus::stored);
    EXPECT_EQ(find_containers(db_, c1_).at(0).consignments.size(), 3u);
}

// Two messages of one interchange about the same, new vessel call: the second sees what the
// first stored even though the call did not exist before the interchange.
TEST_F(ManifestStoreTest, SecondManifestOfAMessageSeesTheFirst) {
    auto first = consignment("BL1", {c1_}, "toys", "HB1");
    auto second = consignment("BL1", {c1_}, "shoes", "HB2");
    const StoreResult stored = store_one(
        message("m1", {original_of({first}), manifest(MessageFunction::original, {second})}));
    ASSERT_EQ(stored.status, StoreStatus::stored);
    EXPECT_EQ(rows("containers"), 1);
    EXPECT_EQ(rows("placements"), 2);

    const StoreResult twice = store_one(message(
        "m2",
        {manifest(MessageFunction::original, {consignment("BL9", {c2_})}, {container(c2_)}, "043E"),
         manifest(MessageFunction::original, {consignment("BL9", {c2_})}, {}, "043E")}));
    ASSERT_EQ(twice.status, StoreStatus::rejected);
    EXPECT_EQ(twice.problems.at(0).code, "bill-of-lading-exists");
    EXPECT_EQ(rows("messages"), 1);
}

TEST_F(ManifestStoreTest, PartiesAreDeduplicatedAndCounted) {
    auto a = consignment("BL1", {c1_});
    auto b = consignment("BL2", {c2_});
    b.consignee = testing::party("ACME  TRADING G.M.B.H.", "de"); // same party, other spelling
    b.notify_party = testing::party("Acme Trading GmbH", "AT");   // same name, other country
    ASSERT_EQ(store_one(message("m1", {original_of({a, b})})).status, StoreStatus::stored);

    EXPECT_EQ(rows("parties"), 3);
    const auto acme = find_party(db_, testing::party("Acme Trading GmbH", "DE"));
    ASSERT_TRUE(acme);
    EXPECT_EQ(acme->name, "Acme Trading GmbH");
    EXPECT_EQ(acme->times_seen, 2); // BL1 (consignee and notify) and BL2: once per B/L
    const std::string first_seen = acme->first_seen;
    EXPECT_EQ(first_seen, "2024-01-20T18:00:00Z"); // the call's ETA, not the time of receipt
    EXPECT_EQ(find_party(db_, testing::party("Acme Trading GmbH", "AT"))->times_seen, 1);
    EXPECT_EQ(find_party(db_, testing::party("FOSHAN CERAMICS CO LTD", "CN"))->times_seen, 2);

    // An amendment naming the same parties counts nothing new; a new B/L does.
    auto replaced = consignment("BL1", {c1_}, "floor tiles");
    auto c = consignment("BL3", {c3_});
    auto amendment =
        manifest(MessageFunction::replace, {replaced, c}, containers_of({replaced, c}));
    amendment.vessel_call.eta = "2024-01-21T06:00:00Z"; // delayed
    ASSERT_EQ(store_one(message("m2", {amendment})).status, StoreStatus::stored);
    const auto later = find_party(db_, testing::party("Acme Trading GmbH", "DE"));
    EXPECT_EQ(later->times_seen, 3);
    EXPECT_EQ(later->first_seen, first_seen);
    EXPECT_GT(later->last_seen, first_seen);
    EXPECT_EQ(find_consignment(db_, "9321483", "042E", "DEHAM", "BL2", "")->consignee,
              "Acme Trading GmbH");
}

TEST(PartyKey, NormalisesSpellings) {
    EXPECT_EQ(party_key(testing::party("Acme Trading GmbH", "de")), "DE|ACME TRADING GMBH");
    EXPECT_EQ(party_key(testing::party("  A.C.M.E. trading, g.m.b.h. ", "DE")),
              "DE|ACME TRADING GMBH");
    EXPECT_EQ(party_key(testing::party("Foshan Ceramics Co.,Ltd", "CN")),
              "CN|FOSHAN CERAMICS CO LTD");
    core::Party unnamed;
    unnamed.id = "DE123456789";
    EXPECT_EQ(party_key(unnamed), "|id:DE123456789");
}

TEST_F(ManifestStoreTest, LatestMessageDescribesTheContainer) {
    ASSERT_EQ(store_one(message("m1", {original_of({consignment("BL1", {c1_})})})).status,
              StoreStatus::stored);
    auto updated = container(c1_, 21'500);
    updated.size_type = "42G1";
    updated.seals = {{"NEWSEAL1", "CU"}, {"NEWSEAL2", "SH"}};
    auto amended = consignment("BL1", {c1_});
    ASSERT_EQ(
        store_one(message("m2", {manifest(MessageFunction::change, {amended}, {updated})})).status,
        StoreStatus::stored);
    const auto views = find_containers(db_, c1_);
    ASSERT_EQ(views.size(), 1u);
    EXPECT_EQ(views[0].size_type, "42G1");
    EXPECT_EQ(views[0].gross_mass_kg, 21'500);
    EXPECT_EQ(views[0].seals, (std::vector<std::string>{"NEWSEAL1", "NEWSEAL2"}));
    EXPECT_EQ(rows("seals"), 2);
}

TEST_F(ManifestStoreTest, RepeatedSealsAndPlacementsAreMerged) {
    auto bl = consignment("BL1", {c1_});
    bl.goods_items[0].placements.push_back({c1_, 5, 0}); // a second part in the same box
    auto box = container(c1_);
    box.seals = {{"S1", "CA"}, {"S1", "CU"}};
    ASSERT_EQ(store_one(message("m1", {manifest(MessageFunction::original, {bl}, {box})})).status,
              StoreStatus::stored);
    const auto view = find("BL1");
    ASSERT_EQ(view->goods_items.at(0).placements.size(), 1u);
    EXPECT_EQ(view->goods_items[0].placements[0].packages, 25);
    Statement seal(db_, "SELECT sealing_party FROM seals");
    EXPECT_EQ(seal.query_text(), "CU"); // the later listing wins
    EXPECT_EQ(rows("seals"), 1);
}

TEST_F(ManifestStoreTest, VesselCallDetailsFollowLaterMessages) {
    ASSERT_EQ(store_one(message("m1", {original_of({consignment("BL1", {c1_})})})).status,
              StoreStatus::stored);
    auto later = original_of({consignment("BL2", {c2_})});
    later.vessel_call.eta = "2024-01-21T06:00:00Z";
    later.vessel_call.carrier = ""; // absent: the stored carrier stays
    ASSERT_EQ(store_one(message("m2", {later})).status, StoreStatus::stored);
    EXPECT_EQ(rows("vessel_calls"), 1);
    Statement call(db_, "SELECT v.eta, v.carrier, c.message_id, u.message_id FROM vessel_calls v "
                        "JOIN messages c ON c.id = v.created_by "
                        "JOIN messages u ON u.id = v.updated_by");
    ASSERT_TRUE(call.step());
    EXPECT_EQ(call.column_text(0), "2024-01-21T06:00:00Z");
    EXPECT_EQ(call.column_text(1), "MSC");
    EXPECT_EQ(call.column_text(2), "m1");
    EXPECT_EQ(call.column_text(3), "m2");
    call.reset();
}

TEST_F(ManifestStoreTest, PlacementInAnUndeclaredContainerIsRejected) {
    auto bl = consignment("BL1", {c1_});
    const StoreResult result =
        store_one(message("m1", {manifest(MessageFunction::original, {bl}, {})}));
    ASSERT_EQ(result.status, StoreStatus::rejected);
    ASSERT_EQ(result.problems.size(), 1u);
    EXPECT_EQ(result.problems[0].code, "unknown-container");
    EXPECT_EQ(result.problems[0].path,
              "/consignments/0/goods_items/0/placements/0/container_number");
    EXPECT_EQ(rows("messages"), 0);
}

TEST_F(ManifestStoreTest, SameBlTwiceInOneManifestIsRejected) {
    const StoreResult result = store_one(
        message("m1", {original_of({consignment("BL1", {c1_}), consignment("BL1", {c2_})})}));
    ASSERT_EQ(result.status, StoreStatus::rejected);
    EXPECT_EQ(result.problems.at(0).code, "duplicate-bill-of-lading");
    EXPECT_EQ(rows("consignments"), 0);
}

TEST_F(ManifestStoreTest, ConstraintBreachRejectsOnlyThatMessage) {
    auto bad = consignment("BL1", {c1_, c2_});
    bad.goods_items[1].item_number = 1; // twice item 1: UNIQUE (consignment, item number)
    const auto results = store({message("m1", {original_of({bad})}),
                                message("m2", {original_of({consignment("BL2", {c3_})})})});
    ASSERT_EQ(results.at(0).status, StoreStatus::rejected);
    EXPECT_EQ(results[0].problems.at(0).code, "storage-constraint");
    EXPECT_NE(results[0].problems[0].message.find("goods_items"), std::string::npos)
        << results[0].problems[0].message;
    EXPECT_EQ(results.at(1).status, StoreStatus::stored);
    EXPECT_EQ(rows("messages"), 1);
    EXPECT_EQ(rows("consignments"), 1);
}

TEST_F(ManifestStoreTest, FormatterFailureRollsBackTheWholeBatch) {
    const std::vector<IncomingMessage> batch{
        message("m1", {original_of({consignment("BL1", {c1_})})}),
        message("m2", {original_of({consignment("BL2", {c2_})})})};
    int calls = 0;
    const AckFormatter failing = [&](const IncomingMessage& m,
                                     const std::vector<StoredManifest>& stored) -> std::string {
        if (++calls == 2)
            throw std::runtime_error("formatter broke");
        return testing::test_ack(m, stored);
    };
    EXPECT_THROW(store_.store_batch(batch, failing), std::runtime_error);
    EXPECT_FALSE(db_.in_transaction());
    EXPECT_EQ(all_rows(), (std::vector<std::int64_t>{0, 0, 0, 0, 0, 0, 0, 0, 0}));

    // The store and its statements are usable after the failure.
    EXPECT_EQ(store(batch).at(1).status, StoreStatus::stored);
    EXPECT_EQ(rows("messages"), 2);
}

TEST_F(ManifestStoreTest, FormatterSeesWhatWasStored) {
    std::vector<StoredManifest> seen;
    const AckFormatter capture = [&](const IncomingMessage&,
                                     const std::vector<StoredManifest>& stored) {
        seen = stored;
        return std::string("ok");
    };
    const std::vector<IncomingMessage> batch{
        message("m1", {original_of({consignment("BL1", {c1_, c2_})}),
                       original_of({consignment("BL7", {c3_})}, "043W")})};
    ASSERT_EQ(store_.store_batch(batch, capture).at(0).reply_body, "ok");
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].imo, "9321483");
    EXPECT_EQ(seen[0].vessel_name, "MSC EXAMPLE");
    EXPECT_EQ(seen[0].voyage, "042E");
    EXPECT_EQ(seen[0].port_of_call, "DEHAM");
    EXPECT_EQ(seen[0].function, "original");
    EXPECT_EQ(seen[0].containers, (std::vector<std::string>{c1_, c2_}));
    EXPECT_NE(seen[0].vessel_call_id, seen[1].vessel_call_id);
    ASSERT_EQ(seen[1].consignments.size(), 1u);
    EXPECT_EQ(seen[1].consignments[0].master_bl, "BL7");
    EXPECT_EQ(seen[1].consignments[0].action, "created");
}

TEST_F(ManifestStoreTest, EmptyBatchCommitsNothing) {
    EXPECT_TRUE(store({}).empty());
    EXPECT_FALSE(db_.in_transaction());
    EXPECT_EQ(rows("messages"), 0);
}

TEST(ManifestStoreFile, DataSurvivesCloseAndReopen) {
    testing::TempDir dir;
    const auto path = dir.file("durable.db");
    std::string payload = "{\"durable\":1}";
    {
        Database db = Database::open(path, Access::writer);
        ManifestStore store(db);
        IncomingMessage m;
        m.message_id = "m1";
        m.content_type = "application/json";
        m.payload = payload;
        m.content_sha256 = sha256_hex(payload);
        m.source = "carrier";
        m.received_at = "2024-01-18T10:00:00Z";
        auto bl = consignment("BL1", {container_number(1)});
        m.manifests = {manifest(MessageFunction::original, {bl}, containers_of({bl}))};
        ASSERT_EQ(store.store_batch({&m, 1}, testing::test_ack).at(0).status, StoreStatus::stored);
    }
    Database reader = Database::open(path, Access::reader);
    const Counts counts = count_all(reader);
    EXPECT_EQ(counts.messages, 1);
    EXPECT_EQ(counts.consignments, 1);
    EXPECT_EQ(counts.containers, 1);
    Statement payload_back(reader, "SELECT payload FROM messages");
    ASSERT_TRUE(payload_back.step());
    EXPECT_EQ(payload_back.column_blob(0), payload);
    payload_back.reset();
    Statement integrity(reader, "PRAGMA integrity_check");
    EXPECT_EQ(integrity.query_text(), "ok");
}

} // namespace
} // namespace portscreen::storage
