#include "manifest_json/manifest_json.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace portscreen::manifest_json {
namespace {

/// Length of the well-formed UTF-8 sequence starting at `at`, or 0 when the bytes there are not
/// one (stray continuation byte, overlong form, surrogate, beyond U+10FFFF, truncated).
std::size_t utf8_sequence_length(std::string_view text, std::size_t at) {
    const auto byte = [&](std::size_t offset) {
        return static_cast<unsigned char>(text[at + offset]);
    };
    const auto continuation = [&](std::size_t offset) {
        return at + offset < text.size() && (byte(offset) & 0xC0) == 0x80;
    };
    const unsigned char lead = byte(0);
    if (lead >= 0xC2 && lead <= 0xDF)
        return continuation(1) ? 2 : 0;
    if (lead >= 0xE0 && lead <= 0xEF) {
        if (!continuation(1) || !continuation(2))
            return 0;
        if ((lead == 0xE0 && byte(1) < 0xA0) || (lead == 0xED && byte(1) > 0x9F))
            return 0;
        return 3;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        if (!continuation(1) || !continuation(2) || !continuation(3))
            return 0;
        if ((lead == 0xF0 && byte(1) < 0x90) || (lead == 0xF4 && byte(1) > 0x8F))
            return 0;
        return 4;
    }
    return 0;
}

/// Appends compact JSON to one string. Commas are placed by one flag: every value opened or
/// written after the first in its object or array gets one.
class Writer {
public:
    explicit Writer(std::size_t expected_size) { out_.reserve(expected_size); }

    std::string take() { return std::move(out_); }

    void open_object() { open('{'); }
    void open_array() { open('['); }
    void close_object() { close('}'); }
    void close_array() { close(']'); }

    /// Starts a member; its value follows.
    void key(std::string_view name) {
        separate();
        out_ += '"';
        out_ += name;  // our member names never need escaping
        out_ += "\":";
        first_ = true;  // the value itself takes no comma
    }

    void value(std::string_view text) {
        separate();
        append_string(text);
    }

    void value(std::int64_t number) {
        separate();
        char digits[24];
        const auto end = std::to_chars(digits, digits + sizeof digits, number).ptr;
        out_.append(digits, end);
    }

    void value(double number) {
        separate();
        // JSON has no NaN or infinity; null makes a reader refuse the value loudly instead of
        // receiving a made-up number.
        if (!std::isfinite(number)) {
            out_ += "null";
            return;
        }
        // Shortest text that reads back to the same double.
        char digits[32];
        const auto end = std::to_chars(digits, digits + sizeof digits, number).ptr;
        out_.append(digits, end);
    }

    void member(std::string_view name, std::string_view text) {
        key(name);
        value(text);
    }

    /// Writes the member only when it has a value: optional members are left out when empty.
    void optional_member(std::string_view name, std::string_view text) {
        if (!text.empty())
            member(name, text);
    }

    void optional_member(std::string_view name, const std::optional<double>& number) {
        if (!number)
            return;
        key(name);
        value(*number);
    }

    void optional_member(std::string_view name, const std::optional<std::int64_t>& number) {
        if (!number)
            return;
        key(name);
        value(*number);
    }

private:
    void open(char bracket) {
        separate();
        out_ += bracket;
        first_ = true;
    }

    void close(char bracket) {
        out_ += bracket;
        first_ = false;
    }

    void separate() {
        if (!first_)
            out_ += ',';
        first_ = false;
    }

    void append_string(std::string_view text) {
        static constexpr char kHex[] = "0123456789abcdef";
        out_ += '"';
        std::size_t plain_from = 0;
        std::size_t at = 0;
        const auto flush = [&] { out_.append(text.data() + plain_from, at - plain_from); };
        while (at < text.size()) {
            const auto byte = static_cast<unsigned char>(text[at]);
            if (byte >= 0x20 && byte < 0x80 && byte != '"' && byte != '\\') {
                ++at;
                continue;
            }
            if (byte >= 0x80) {
                if (const std::size_t length = utf8_sequence_length(text, at)) {
                    at += length;
                    continue;
                }
                // Invalid UTF-8 would make the whole document unreadable; replace the byte
                // with U+FFFD as UTF-8 decoders do.
                flush();
                out_ += "\xEF\xBF\xBD";
                plain_from = ++at;
                continue;
            }
            flush();
            switch (byte) {
            case '"': out_ += "\\\""; break;
            case '\\': out_ += "\\\\"; break;
            case '\n': out_ += "\\n"; break;
            case '\r': out_ += "\\r"; break;
            case '\t': out_ += "\\t"; break;
            default:
                out_ += "\\u00";
                out_ += kHex[byte >> 4];
                out_ += kHex[byte & 0x0F];
            }
            plain_from = ++at;
        }
        flush();
        out_ += '"';
    }

    std::string out_;
    bool first_ = true;
};

bool has_content(const core::Party& party) {
    return !party.id.empty() || !party.name.empty() || !party.address.empty() ||
           !party.city.empty() || !party.postcode.empty() || !party.country.empty();
}

void write_party(Writer& out, std::string_view role, const core::Party& party) {
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

void write_vessel_call(Writer& out, const core::VesselCall& call) {
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

void write_container(Writer& out, const core::Container& box) {
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

void write_goods_item(Writer& out, const core::GoodsItem& item) {
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

void write_consignment(Writer& out, const core::Consignment& con) {
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
    Writer out(1024 + manifest.containers.size() * 160 + manifest.consignments.size() * 480);
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
