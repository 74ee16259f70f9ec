#include "storage/queries.hpp"

#include "storage_fixture.hpp"

#include <gtest/gtest.h>

namespace portscreen::storage {
namespace {

using core::MessageFunction;
using testing::consignment;
using testing::container_number;
using testing::containers_of;
using testing::manifest;

class QueriesTest : public testing::StoreTest {
protected:
    StoreResult file(const std::string& id, const std::string& voyage,
                     std::vector<core::Consignment> consignments) {
        auto containers = containers_of(consignments);
        return store_one(message(id, {manifest(MessageFunction::original, std::move(consignments),
                                               std::move(containers), voyage)}));
    }
};

TEST_F(QueriesTest, CountsOfAnEmptyDatabase) {
    const Counts counts = count_all(db_);
    EXPECT_EQ(counts.messages, 0);
    EXPECT_EQ(counts.vessel_calls, 0);
    EXPECT_EQ(counts.consignments, 0);
    EXPECT_EQ(counts.active_consignments, 0);
    EXPECT_EQ(counts.containers, 0);
    EXPECT_EQ(counts.goods_items, 0);
    EXPECT_EQ(counts.parties, 0);
}

TEST_F(QueriesTest, ReaderConnectionSeesEachCommittedBatch) {
    Database reader = Database::open(dir_.file("store.db"), Access::reader);
    EXPECT_EQ(count_all(reader).messages, 0);
    ASSERT_EQ(file("m1", "042E",
                   {consignment("BL1", {container_number(1), container_number(2)}),
                    consignment("BL2", {container_number(3)})})
                  .status,
              StoreStatus::stored);
    const Counts counts = count_all(reader);
    EXPECT_EQ(counts.messages, 1);
    EXPECT_EQ(counts.vessel_calls, 1);
    EXPECT_EQ(counts.consignments, 2);
    EXPECT_EQ(counts.active_consignments, 2);
    EXPECT_EQ(counts.containers, 3);
    EXPECT_EQ(counts.goods_items, 3);
    EXPECT_EQ(counts.parties, 2);
    EXPECT_FALSE(reader.in_transaction()); // the snapshot was ended
    const auto view = find_consignment(reader, "9321483", "042E", "DEHAM", "BL2");
    ASSERT_TRUE(view);
    EXPECT_EQ(view->goods_items.size(), 1u);
}

TEST_F(QueriesTest, CountsInsideTheWritersTransaction) {
    Transaction transaction(db_);
    db_.execute("INSERT INTO parties (party_key, name, country, identifier, address, city, "
                "postcode, first_seen, last_seen) VALUES ('|X', 'X', '', '', '', '', '', '', '')");
    EXPECT_EQ(count_all(db_).parties, 1);
    EXPECT_TRUE(db_.in_transaction());
}

TEST_F(QueriesTest, UnknownConsignmentIsNothing) {
    ASSERT_EQ(file("m1", "042E", {consignment("BL1", {container_number(1)})}).status,
              StoreStatus::stored);
    EXPECT_FALSE(find_consignment(db_, "9321483", "042E", "DEHAM", "BL2"));
    EXPECT_FALSE(find_consignment(db_, "9321483", "042E", "DEHAM", "BL1", "HB1"));
    EXPECT_FALSE(find_consignment(db_, "9321483", "043W", "DEHAM", "BL1"));
    EXPECT_TRUE(find_consignment(db_, "9321483", "042E", "DEHAM", "BL1"));
}

TEST_F(QueriesTest, ContainerAcrossVesselCalls) {
    const std::string number = container_number(77);
    ASSERT_EQ(file("m1", "042E", {consignment("BL1", {number})}).status, StoreStatus::stored);
    ASSERT_EQ(file("m2", "043W", {consignment("BL9", {number})}).status, StoreStatus::stored);
    const auto views = find_containers(db_, number);
    ASSERT_EQ(views.size(), 2u);
    EXPECT_NE(views[0].vessel_call_id, views[1].vessel_call_id);
    EXPECT_EQ(views[0].consignments, (std::vector<std::string>{"BL1"}));
    EXPECT_EQ(views[1].consignments, (std::vector<std::string>{"BL9"}));
    EXPECT_EQ(views[0].load_status, "full");
    EXPECT_EQ(views[0].tare_mass_kg, 3'800);
    EXPECT_TRUE(find_containers(db_, container_number(78)).empty());
}

} // namespace
} // namespace portscreen::storage
