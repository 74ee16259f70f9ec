#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

/// What scoring knows about one container of one vessel call: its manifest data as currently
/// stored (after amendments) and the history the node keeps about the parties in it. The node
/// fills these from its database; profiling reads nothing else.
namespace portscreen::profiling {

/// History kept by the node for one party, counted before the bill of lading being scored.
struct PartyHistory {
    std::int64_t times_seen = 0;  ///< earlier bills of lading naming the party
    std::string first_seen;       ///< date (YYYY-MM-DD) of the first one, empty when never
    std::int64_t inspections = 0; ///< earlier inspections of containers with the party in them
    std::int64_t findings = 0;    ///< of which found something
};

struct PartyFacts {
    std::string name; ///< as declared; empty when the B/L names no such party
    std::string country;
    PartyHistory history;

    bool empty() const { return name.empty(); }
};

struct GoodsFacts {
    std::string hs_code; ///< digits, may be empty
    std::string description;
    std::int64_t packages = 0; ///< packages of the item in this container
    std::string package_type;
    std::optional<double> gross_mass_kg; ///< mass of the item's share in this container
};

/// One bill of lading with goods in the container (an LCL box holds several).
struct ConsignmentFacts {
    std::string master_bl;
    std::string house_bl;
    PartyFacts shipper;
    PartyFacts consignee;
    PartyFacts notify_party;
    PartyFacts forwarder;
    std::string place_of_receipt; ///< UN/LOCODEs, any may be empty
    std::string port_of_loading;
    std::vector<std::string> transshipment_ports;
    std::string port_of_discharge;
    std::string place_of_delivery;
    int revision = 1;              ///< 1 for the original, +1 per amendment
    std::string last_changed_at;   ///< issue time of the message that last changed the B/L
    std::vector<GoodsFacts> goods; ///< the items placed in this container
};

/// What the newest X-ray scan analysis of the container found (scanner-io/analysis.hpp).
struct ImageFacts {
    bool loaded = false;
    bool declared_empty_but_loaded = false;
    bool density_inconsistent = false;
    std::optional<double> mass_ratio; ///< mass implied by the image / declared cargo mass
    double anomaly_score = 0;         ///< 0-1, the strongest anomaly region
    double confidence = 0;
};

struct ContainerFacts {
    std::int64_t container_id = 0; ///< row in the node's database, 0 outside it
    std::string number;            ///< ISO 6346
    std::string size_type;
    bool declared_empty = false;
    std::optional<double> gross_mass_kg;
    std::optional<double> tare_mass_kg;
    int seal_count = 0;

    std::string imo;
    std::string vessel_name;
    std::string voyage;
    std::string carrier;
    std::string port_of_call;
    std::string eta;       ///< ISO 8601, as declared
    std::string last_port; ///< may be empty

    std::string manifest_issued_at; ///< issue time of the message that declared the container
    std::int64_t message_row = 0;   ///< that message's row in the node's database

    std::vector<ConsignmentFacts> consignments;
    std::optional<ImageFacts> image; ///< nothing until the container is scanned
};

} // namespace portscreen::profiling
