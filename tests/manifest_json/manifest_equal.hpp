#pragma once

#include "core/manifest.hpp"

#include <ostream>
#include <tuple>

// Field-by-field equality for the model, so that round trips are checked independently of
// write(). source_segment is left out: the JSON format does not carry it.
namespace portscreen::core {

inline bool operator==(const Seal& a, const Seal& b) {
    return std::tie(a.number, a.sealing_party) == std::tie(b.number, b.sealing_party);
}

inline bool operator==(const Container& a, const Container& b) {
    return std::tie(a.number, a.size_type, a.load, a.gross_mass_kg, a.tare_mass_kg, a.seals) ==
           std::tie(b.number, b.size_type, b.load, b.gross_mass_kg, b.tare_mass_kg, b.seals);
}

inline bool operator==(const VesselCall& a, const VesselCall& b) {
    return std::tie(a.imo, a.vessel_name, a.voyage, a.carrier, a.eta, a.port_of_call,
                    a.last_port) ==
           std::tie(b.imo, b.vessel_name, b.voyage, b.carrier, b.eta, b.port_of_call, b.last_port);
}

inline bool operator==(const Party& a, const Party& b) {
    return std::tie(a.id, a.name, a.address, a.city, a.postcode, a.country) ==
           std::tie(b.id, b.name, b.address, b.city, b.postcode, b.country);
}

inline bool operator==(const Placement& a, const Placement& b) {
    return std::tie(a.container_number, a.packages) == std::tie(b.container_number, b.packages);
}

inline bool operator==(const GoodsItem& a, const GoodsItem& b) {
    return std::tie(a.item_number, a.hs_code, a.description, a.packages, a.package_type,
                    a.gross_mass_kg,
                    a.placements) == std::tie(b.item_number, b.hs_code, b.description, b.packages,
                                              b.package_type, b.gross_mass_kg, b.placements);
}

inline bool operator==(const Consignment& a, const Consignment& b) {
    return std::tie(a.master_bl, a.house_bl, a.shipper, a.consignee, a.notify_party, a.forwarder,
                    a.place_of_receipt, a.port_of_loading, a.transshipment_ports,
                    a.port_of_discharge, a.place_of_delivery, a.goods_items) ==
           std::tie(b.master_bl, b.house_bl, b.shipper, b.consignee, b.notify_party, b.forwarder,
                    b.place_of_receipt, b.port_of_loading, b.transshipment_ports,
                    b.port_of_discharge, b.place_of_delivery, b.goods_items);
}

inline bool operator==(const Manifest& a, const Manifest& b) {
    return std::tie(a.function, a.document_number, a.version, a.issued_at, a.sender, a.vessel_call,
                    a.containers, a.consignments, a.declared_container_count) ==
           std::tie(b.function, b.document_number, b.version, b.issued_at, b.sender, b.vessel_call,
                    b.containers, b.consignments, b.declared_container_count);
}

// Readable failure output: GoogleTest would otherwise print raw bytes.
inline void PrintTo(const Container& box, std::ostream* out) {
    *out << "container " << box.number;
}
inline void PrintTo(const Consignment& con, std::ostream* out) {
    *out << "consignment " << con.reference();
}
inline void PrintTo(const VesselCall& call, std::ostream* out) {
    *out << "vessel call " << call.imo << " " << call.voyage << " " << call.port_of_call;
}

} // namespace portscreen::core
