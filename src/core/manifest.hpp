#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

/// The manifest domain model: what a carrier declares for one vessel call. Every format adapter
/// (CUSCAR, our JSON) maps into these types, and everything downstream reads only them.
/// Names follow the WCO Data Model classes (BorderTransportMeans, Consignment, ConsignmentItem,
/// TransportEquipment) where one fits.
namespace portscreen::core {

/// What a message does to what is already stored (UN/EDIFACT data element 1225).
enum class MessageFunction { original, replace, change, cancel };

/// Dates and times are kept as ISO 8601 text ("2024-01-20T18:00", with "Z" or an offset when the
/// source gave a zone): the manifest's own precision survives, and text sorts correctly.
using DateTime = std::string;

/// The 1-based segment number an object was read from, in EDIFACT input; 0 otherwise.
using SourceSegment = unsigned;

struct VesselCall {
    std::string imo; ///< 7 digits with check digit
    std::string vessel_name;
    std::string voyage;
    std::string carrier; ///< carrier code (SMDG/SCAC) or name
    DateTime eta;
    std::string port_of_call; ///< UN/LOCODE
    std::string last_port;    ///< UN/LOCODE, may be empty
    SourceSegment source_segment = 0;
};

struct Party {
    std::string id; ///< identifier given by the sender, may be empty
    std::string name;
    std::string address; ///< street lines joined by ", "
    std::string city;
    std::string postcode;
    std::string country; ///< ISO 3166-1 alpha-2, may be empty
    SourceSegment source_segment = 0;

    bool empty() const { return id.empty() && name.empty(); }
};

struct Seal {
    std::string number;
    std::string sealing_party; ///< EDIFACT 9303: CA carrier, CU customs, SH shipper, TO terminal
};

enum class LoadStatus { full, empty };

struct Container {
    std::string number;    ///< ISO 6346, 11 characters
    std::string size_type; ///< ISO 6346 size-type code, e.g. "45G1"
    LoadStatus load = LoadStatus::full;
    std::optional<double> gross_mass_kg;
    std::optional<double> tare_mass_kg;
    std::vector<Seal> seals;
    SourceSegment source_segment = 0;
};

/// Part of a goods item stowed in one container. An FCL consignment has one placement per goods
/// item; LCL goods from several consignments share a container.
struct Placement {
    std::string container_number;
    std::optional<std::int64_t> packages;
    SourceSegment source_segment = 0;
};

struct GoodsItem {
    int item_number = 0;
    std::string hs_code; ///< digits only, 4 to 10 of them; empty when not declared
    std::string description;
    std::int64_t packages = 0;
    std::string package_type; ///< UN/ECE Recommendation 21 code
    std::optional<double> gross_mass_kg;
    std::vector<Placement> placements;
    SourceSegment source_segment = 0;
};

/// One bill of lading. A house B/L sits under a master B/L; the pair identifies the consignment
/// within its vessel call.
struct Consignment {
    std::string master_bl;
    std::string house_bl;
    Party shipper;
    Party consignee;
    Party notify_party;
    Party forwarder;
    std::string place_of_receipt; ///< UN/LOCODEs from here on, any may be empty
    std::string port_of_loading;
    std::vector<std::string> transshipment_ports;
    std::string port_of_discharge;
    std::string place_of_delivery;
    std::vector<GoodsItem> goods_items;
    SourceSegment source_segment = 0;

    /// "MAEU123 / HB456" or "MAEU123": how officers name the consignment.
    std::string reference() const;
};

/// One cargo report for one vessel call, as sent in one message.
struct Manifest {
    MessageFunction function = MessageFunction::original;
    std::string document_number; ///< the sender's manifest number
    int version = 1;             ///< increases with each amendment in our JSON format
    DateTime issued_at;
    std::string sender;
    VesselCall vessel_call;
    std::vector<Container> containers;
    std::vector<Consignment> consignments;
    /// Control totals declared in the message (EDIFACT CNT), checked against the content.
    std::optional<std::int64_t> declared_container_count;
};

const char* to_string(MessageFunction function);
const char* to_string(LoadStatus load);

} // namespace portscreen::core
