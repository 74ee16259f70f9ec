#pragma once

#include "common/sha256.hpp"
#include "core/codes.hpp"
#include "core/manifest.hpp"
#include "storage/database.hpp"
#include "storage/manifest_store.hpp"

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <string>
#include <vector>

namespace portscreen::storage::testing {

using portscreen::test_support::TempDir;

/// An ISO 6346 container number with a correct check digit.
inline std::string container_number(int serial, const std::string& owner = "MSCU") {
    std::string first_ten =
        owner + std::string(6 - std::to_string(serial).size(), '0') + std::to_string(serial);
    return first_ten + std::to_string(*core::iso6346_check_digit(first_ten));
}

inline core::Party party(const std::string& name, const std::string& country) {
    core::Party p;
    p.name = name;
    p.country = country;
    p.city = "Somewhere";
    return p;
}

inline core::Container container(const std::string& number, double gross_kg = 18'000) {
    core::Container c;
    c.number = number;
    c.size_type = "45G1";
    c.gross_mass_kg = gross_kg;
    c.tare_mass_kg = 3'800;
    c.seals.push_back({"SL" + number.substr(4, 6), "CA"});
    return c;
}

/// One goods item per container given, each placed wholly in its container.
inline core::Consignment consignment(const std::string& master_bl,
                                     const std::vector<std::string>& containers,
                                     const std::string& description = "ceramic tiles",
                                     const std::string& house_bl = "") {
    core::Consignment c;
    c.master_bl = master_bl;
    c.house_bl = house_bl;
    c.shipper = party("Foshan Ceramics Co., Ltd.", "CN");
    c.consignee = party("Acme Trading GmbH", "DE");
    c.notify_party = c.consignee;
    c.place_of_receipt = "CNFOS";
    c.port_of_loading = "CNSHK";
    c.transshipment_ports = {"SGSIN", "LKCMB"};
    c.port_of_discharge = "DEHAM";
    c.place_of_delivery = "DEHAM";
    int item_number = 0;
    for (const auto& number : containers) {
        core::GoodsItem item;
        item.item_number = ++item_number;
        item.hs_code = "690721";
        item.description = description;
        item.packages = 20;
        item.package_type = "PK";
        item.gross_mass_kg = 14'000;
        item.placements.push_back({number, 20, 0});
        c.goods_items.push_back(item);
    }
    return c;
}

inline core::Manifest manifest(core::MessageFunction function,
                               std::vector<core::Consignment> consignments,
                               std::vector<core::Container> containers = {},
                               const std::string& voyage = "042E") {
    core::Manifest m;
    m.function = function;
    m.document_number = "DOC-" + voyage;
    m.sender = "MSC";
    m.issued_at = "2024-01-18T10:00:00Z";
    m.vessel_call.imo = "9321483";
    m.vessel_call.vessel_name = "MSC EXAMPLE";
    m.vessel_call.voyage = voyage;
    m.vessel_call.carrier = "MSC";
    m.vessel_call.eta = "2024-01-20T18:00:00Z";
    m.vessel_call.port_of_call = "DEHAM";
    m.vessel_call.last_port = "NLRTM";
    m.containers = std::move(containers);
    m.consignments = std::move(consignments);
    return m;
}

/// Every container a set of consignments places goods in, once each.
inline std::vector<core::Container> containers_of(const std::vector<core::Consignment>& list) {
    std::vector<core::Container> result;
    std::vector<std::string> seen;
    for (const auto& c : list)
        for (const auto& item : c.goods_items)
            for (const auto& placement : item.placements)
                if (std::find(seen.begin(), seen.end(), placement.container_number) == seen.end()) {
                    seen.push_back(placement.container_number);
                    result.push_back(container(placement.container_number));
                }
    return result;
}

/// Acknowledgements that list what was stored, so tests can see what the formatter was given.
inline std::string test_ack(const IncomingMessage& message,
                            const std::vector<StoredManifest>& stored) {
    std::string body = "ack " + message.message_id;
    for (const auto& m : stored)
        for (const auto& c : m.consignments)
            body += " " + c.master_bl + (c.house_bl.empty() ? "" : "/" + c.house_bl) + ":" +
                    c.action + ":" + std::to_string(c.revision);
    return body;
}

/// Opens a writer on a temporary file and owns the payloads the messages point into.
class StoreTest : public ::testing::Test {
protected:
    StoreTest() : db_(Database::open(dir_.file("store.db"), Access::writer)), store_(db_) {}

    /// A JSON-style message whose payload (and so its hash) is `payload`, or derived from the
    /// id when empty.
    IncomingMessage message(const std::string& id, std::vector<core::Manifest> manifests,
                            std::string payload = {}) {
        if (payload.empty())
            payload = "{\"message\":\"" + id + "\"}";
        const std::string& kept = payloads_.emplace_back(std::move(payload));
        IncomingMessage m;
        m.message_id = id;
        m.content_type = "application/json";
        m.payload = kept;
        m.content_sha256 = sha256_hex(kept);
        m.source = "carrier-msc";
        m.received_at = "2024-01-18T10:00:0" + std::to_string(payloads_.size() % 10) + "Z";
        m.manifests = std::move(manifests);
        return m;
    }

    std::vector<StoreResult> store(const std::vector<IncomingMessage>& batch) {
        return store_.store_batch(batch, test_ack);
    }

    StoreResult store_one(const IncomingMessage& m) { return store({m}).at(0); }

    std::int64_t rows(const std::string& table) {
        return db_.query_int64("SELECT count(*) FROM " + table);
    }

    TempDir dir_;
    std::deque<std::string> payloads_; // a deque never moves its elements
    Database db_;
    ManifestStore store_;
};

} // namespace portscreen::storage::testing
