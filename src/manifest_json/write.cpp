#include "manifest_json/manifest_json.hpp"

#include "common/json_writer.hpp"

#include <cstdint>

namespace portscreen::manifest_json {
namespace {

bool has_content(const core::Party& party) {
    return !party.id.empty() || !party.name.empty() || !party.address.empty() ||
           !party.city.empty() || !party.postcode.empty() || !party.country.empty();
}

void write_party(JsonWriter& out, std::string_view role, const core::Party& party) {
    if (!has_content(party))
        return;
    out.key(role);
    out.open_object();
    out.optional_member("id", party.id);
    out.member("name", party.name);
    out.optional_member("address", party.address);
    out.optional_member("city", party.city);
    out.optional_member("postcode", party.postcode);
    out.optional_member("country", party.country);
    out.close_object();
}

void write_vessel_call(JsonWriter& out, const core::VesselCall& call) {
    out.key("vessel_call");
    out.open_object();
    out.member("imo", call.imo);
    out.optional_member("vessel_name", call.vessel_name);
    out.member("voyage", call.voyage);
    out.optional_member("carrier", call.carrier);
    out.optional_member("eta", call.eta);
    out.member("port_of_call", call.port_of_call);
    out.optional_member("last_port", call.last_port);
    out.close_object();
}

void write_container(JsonWriter& out, const core::Container& box) {
    out.open_object();
    out.member("number", box.number);
    out.member("size_type", box.size_type);
    out.member("load", core::to_string(box.load));
    out.optional_member("gross_mass_kg", box.gross_mass_kg);
    out.optional_member("tare_mass_kg", box.tare_mass_kg);
    if (!box.seals.empty()) {
        out.key("seals");
        out.open_array();
        for (const auto& seal : box.seals) {
            out.open_object();
            out.member("number", seal.number);
            out.optional_member("sealing_party", seal.sealing_party);
            out.close_object();
        }
        out.close_array();
    }
    out.close_object();
}

void write_goods_item(JsonWriter& out, const core::GoodsItem& item) {
    out.open_object();
    out.key("item_number");
    out.value(std::int64_t{item.item_number});
    out.optional_member("hs_code", item.hs_code);
    out.member("description", item.description);
    out.key("packages");
    out.value(item.packages);
    out.optional_member("package_type", item.package_type);
    out.optional_member("gross_mass_kg", item.gross_mass_kg);
    if (!item.placements.empty()) {
        out.key("placements");
        out.open_array();
        for (const auto& placement : item.placements) {
            out.open_object();
            out.member("container_number", placement.container_number);
            out.optional_member("packages", placement.packages);
            out.close_object();
        }
        out.close_array();
    }
    out.close_object();
}

void write_consignment(JsonWriter& out, const core::Consignment& con) {
    out.open_object();
    out.member("master_bl", con.master_bl);
    out.optional_member("house_bl", con.house_bl);
    write_party(out, "shipper", con.shipper);
    write_party(out, "consignee", con.consignee);
    write_party(out, "notify_party", con.notify_party);
    write_party(out, "forwarder", con.forwarder);
    out.optional_member("place_of_receipt", con.place_of_receipt);
    out.optional_member("port_of_loading", con.port_of_loading);
    if (!con.transshipment_ports.empty()) {
        out.key("transshipment_ports");
        out.open_array();
        for (const auto& port : con.transshipment_ports)
            out.value(port);
        out.close_array();
    }
    out.optional_member("port_of_discharge", con.port_of_discharge);
    out.optional_member("place_of_delivery", con.place_of_delivery);
    if (!con.goods_items.empty()) {
        out.key("goods_items");
        out.open_array();
        for (const auto& item : con.goods_items)
            write_goods_item(out, item);
        out.close_array();
    }
    out.close_object();
}

} // namespace

std::string write(const core::Manifest& manifest) {
    // About what a container and a consignment take in practice, to avoid most regrowth.
    JsonWriter out(1024 + manifest.containers.size() * 160 + manifest.consignments.size() * 480);
    out.open_object();
    out.member("format", "portscreen.manifest");
    out.key("format_version");
    out.value(std::int64_t{1});
    out.member("function", core::to_string(manifest.function));
    out.key("version");
    out.value(std::int64_t{manifest.version});
    out.member("document_number", manifest.document_number);
    out.member("issued_at", manifest.issued_at);
    out.member("sender", manifest.sender);
    write_vessel_call(out, manifest.vessel_call);
    out.optional_member("declared_container_count", manifest.declared_container_count);
    if (!manifest.containers.empty()) {
        out.key("containers");
        out.open_array();
        for (const auto& box : manifest.containers)
            write_container(out, box);
        out.close_array();
    }
    if (!manifest.consignments.empty()) {
        out.key("consignments");
        out.open_array();
        for (const auto& con : manifest.consignments)
            write_consignment(out, con);
        out.close_array();
    }
    out.close_object();
    return out.take();
}

} // namespace portscreen::manifest_json
