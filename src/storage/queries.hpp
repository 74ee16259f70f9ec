#pragma once

#include "core/manifest.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// Read-side queries: figures for the node's status output and the state of single objects.
/// Each function reads one consistent snapshot and works on a reader or the writer connection.
namespace portscreen::storage {

struct Counts {
    std::int64_t messages = 0;
    std::int64_t vessel_calls = 0;
    std::int64_t consignments = 0;
    std::int64_t active_consignments = 0;
    std::int64_t containers = 0; ///< one per container and vessel call
    std::int64_t goods_items = 0;
    std::int64_t parties = 0;
    std::int64_t scores = 0;     ///< containers with a current score
    std::int64_t selections = 0; ///< containers selected, all days
    std::int64_t outcomes = 0;   ///< inspection outcomes recorded
};

Counts count_all(Database& db);

struct RevisionView {
    int revision = 0;
    std::string function;    ///< original, replace, change or cancel
    std::string action;      ///< created, replaced, changed or cancelled
    std::string message_id;  ///< the client's id of the message that made the revision
    std::string recorded_at; ///< when that message was received
};

struct PlacementView {
    std::string container_number;
    std::optional<std::int64_t> packages;
};

struct GoodsItemView {
    int item_number = 0;
    std::string hs_code;
    std::string description;
    std::int64_t packages = 0;
    std::string package_type;
    std::optional<double> gross_mass_kg;
    std::vector<PlacementView> placements;
};

/// A consignment as it stands now, with the history of its revisions.
struct ConsignmentView {
    std::int64_t id = 0;
    std::int64_t vessel_call_id = 0;
    std::string master_bl;
    std::string house_bl;
    std::string status; ///< active or cancelled
    int revision = 0;
    std::string message_id; ///< the message that made the current revision
    std::string shipper;    ///< party names, empty when absent
    std::string consignee;
    std::string notify_party;
    std::string forwarder;
    std::string place_of_receipt;
    std::string port_of_loading;
    std::vector<std::string> transshipment_ports;
    std::string port_of_discharge;
    std::string place_of_delivery;
    std::vector<GoodsItemView> goods_items; ///< by item number
    std::vector<RevisionView> revisions;    ///< oldest first
};

std::optional<ConsignmentView> find_consignment(Database& db, std::string_view imo,
                                                std::string_view voyage,
                                                std::string_view port_of_call,
                                                std::string_view master_bl,
                                                std::string_view house_bl = {});

struct PartyView {
    std::int64_t id = 0;
    std::string name; ///< as first seen
    std::string country;
    std::string first_seen;
    std::string last_seen;
    std::int64_t times_seen = 0; ///< bills of lading that named the party
};

/// Finds a party by its deduplication key (see `party_key`), so spelling variants match.
std::optional<PartyView> find_party(Database& db, const core::Party& party);

/// One container on one vessel call, with what it holds.
struct ContainerView {
    std::int64_t vessel_call_id = 0;
    std::string number;
    std::string size_type;
    std::string load_status; ///< full or empty
    std::optional<double> gross_mass_kg;
    std::optional<double> tare_mass_kg;
    std::vector<std::string> seals;
    std::vector<std::string> consignments; ///< "MASTER" or "MASTER / HOUSE" of its goods
};

/// Every call of the container with this number, oldest first.
std::vector<ContainerView> find_containers(Database& db, std::string_view number);

} // namespace portscreen::storage
