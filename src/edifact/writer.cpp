#include "edifact/charset.hpp"
#include "edifact/cuscar.hpp"
#include "edifact/datetime.hpp"

#include <algorithm>
#include <charconv>
#include <vector>

namespace portscreen::edifact {

namespace {

// Maximum lengths of the text components we split long values into (D95B segment directory):
// 3036 party name and 3042 street an..35, 4440 free text an..70.
constexpr std::size_t kNameWidth = 35;
constexpr std::size_t kFreeTextWidth = 70;
constexpr std::size_t kMaxTextComponents = 5;
// The largest repeat of the equipment and consignment groups in every CUSCAR directory.
constexpr std::size_t kMaxGroupRepeat = 9999;

/// Appends one segment at a time to an interchange in the UNA default service characters.
/// Separators are held back until a non-empty value follows, so trailing empty elements and
/// components are never written. Text is converted from UTF-8 to ISO 8859-1 and escaped.
class SegmentWriter {
public:
    explicit SegmentWriter(std::string& out) : out_(out) {}

    SegmentWriter& begin(std::string_view tag) {
        out_.append(tag);
        pending_elements_ = 0;
        pending_components_ = 0;
        return *this;
    }

    SegmentWriter& element(std::string_view value = {}) {
        ++pending_elements_;
        pending_components_ = 0;
        put(value);
        return *this;
    }

    SegmentWriter& component(std::string_view value) {
        ++pending_components_;
        put(value);
        return *this;
    }

    SegmentWriter& element(double value) {
        char text[64];
        const auto result =
            std::to_chars(text, text + sizeof text, value, std::chars_format::fixed);
        return element(std::string_view(text, static_cast<std::size_t>(result.ptr - text)));
    }

    SegmentWriter& component(double value) {
        char text[64];
        const auto result =
            std::to_chars(text, text + sizeof text, value, std::chars_format::fixed);
        return component(std::string_view(text, static_cast<std::size_t>(result.ptr - text)));
    }

    /// An element made of the given components, e.g. lines of a name.
    SegmentWriter& element(const std::vector<std::string_view>& parts, std::size_t first,
                           std::size_t count) {
        element(first < parts.size() ? parts[first] : std::string_view());
        for (std::size_t idx = first + 1; idx < parts.size() && idx < first + count; ++idx)
            component(parts[idx]);
        return *this;
    }

    SegmentWriter& element(std::int64_t value) { return element(std::to_string(value)); }
    SegmentWriter& component(std::int64_t value) { return component(std::to_string(value)); }

    void end() {
        out_ += "'\n";
        ++count_;
    }

    unsigned count() const { return count_; }

private:
    void put(std::string_view value) {
        if (value.empty())
            return;
        out_.append(pending_elements_, '+');
        out_.append(pending_components_, ':');
        pending_elements_ = 0;
        pending_components_ = 0;
        std::size_t pos = 0;
        while (pos < value.size()) {
            const auto byte = static_cast<unsigned char>(value[pos]);
            if (byte >= 0x80) {
                pos += put_non_ascii(value.substr(pos));
                continue;
            }
            ++pos;
            if (byte == '+' || byte == ':' || byte == '\'' || byte == '?')
                out_ += '?';
            // A raw line break would be read as a tolerated break and vanish; keep the gap.
            out_ += byte < 0x20 ? ' ' : static_cast<char>(byte);
        }
    }

    /// Writes the UTF-8 sequence at the start of `text` as one Latin-1 byte, or as a released
    /// '?' when it has none; returns the bytes consumed.
    std::size_t put_non_ascii(std::string_view text) {
        const auto lead = static_cast<unsigned char>(text[0]);
        const std::size_t length = (lead & 0xE0) == 0xC0   ? 2
                                   : (lead & 0xF0) == 0xE0 ? 3
                                   : (lead & 0xF8) == 0xF0 ? 4
                                                           : 1;
        if (length == 1 || valid_utf8_prefix(text.substr(0, length)) != length) {
            out_ += "??";
            return 1;
        }
        // Only sequences led by C2 or C3 are in Latin-1 (U+0080 to U+00FF).
        if (lead == 0xC2 || lead == 0xC3)
            out_ += static_cast<char>(((lead & 0x03) << 6) |
                                      (static_cast<unsigned char>(text[1]) & 0x3F));
        else
            out_ += "??";
        return length;
    }

    std::string& out_;
    std::size_t pending_elements_ = 0;
    std::size_t pending_components_ = 0;
    unsigned count_ = 0;
};

/// Splits `text` into pieces of at most `width` characters, breaking at a space where one is
/// near, so that joining the pieces with a space gives the text back.
std::vector<std::string_view> split_text(std::string_view text, std::size_t width) {
    std::vector<std::string_view> pieces;
    while (!text.empty()) {
        // Count characters, not bytes: continuation bytes of UTF-8 do not count.
        std::size_t chars = 0;
        std::size_t cut = 0;
        while (cut < text.size() && chars < width) {
            ++cut;
            while (cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
                ++cut;
            ++chars;
        }
        if (cut == text.size()) {
            pieces.push_back(text);
            break;
        }
        const std::size_t space = text.substr(0, cut + 1).rfind(' ');
        if (space != std::string_view::npos && space > 0) {
            pieces.push_back(text.substr(0, space));
            text.remove_prefix(space + 1);
        } else {
            pieces.push_back(text.substr(0, cut));
            text.remove_prefix(cut);
        }
    }
    return pieces;
}

const char* function_code(core::MessageFunction function) {
    switch (function) {
    case core::MessageFunction::original: return "9";
    case core::MessageFunction::replace: return "5";
    case core::MessageFunction::change: return "4";
    case core::MessageFunction::cancel: return "1";
    }
    return "9";
}

/// Writes the message body for one directory; the segment order follows its message structure.
class CuscarWriter {
public:
    CuscarWriter(std::string& out, const core::Manifest& manifest, const WriteOptions& options)
        : writer_(out), manifest_(manifest), options_(options),
          later_family_(options.directory != Directory::d95b &&
                        options.directory != Directory::d96b) {}

    void run() {
        write_interchange_header();
        // A segment group repeats at most 9999 times per message; larger manifests go out as
        // a chain of messages linked by UNH 0068 and numbered in S010 (ISO 9735).
        const std::size_t parts =
            std::max({std::size_t{1}, ceil_div(manifest_.containers.size(), kMaxGroupRepeat),
                      ceil_div(manifest_.consignments.size(), kMaxGroupRepeat)});
        for (std::size_t part = 0; part < parts; ++part)
            write_message(part, parts);
        writer_.begin("UNZ")
            .element(static_cast<std::int64_t>(parts))
            .element(options_.control_reference);
        writer_.end();
    }

private:
    static std::size_t ceil_div(std::size_t count, std::size_t size) {
        return (count + size - 1) / size;
    }

    void write_message(std::size_t part, std::size_t parts) {
        const unsigned before = writer_.count();
        const std::string reference = std::to_string(part + 1);
        writer_.begin("UNH")
            .element(reference)
            .element("CUSCAR")
            .component("D")
            .component(std::string_view(to_string(options_.directory)).substr(1))
            .component("UN");
        if (parts > 1) {
            writer_.element(manifest_.document_number.empty() ? options_.control_reference
                                                              : manifest_.document_number);
            writer_.element(reference).component(part == 0 ? "C" : part + 1 == parts ? "F" : "");
        }
        writer_.end();
        write_header();
        write_voyage();
        const std::size_t first_box = part * kMaxGroupRepeat;
        const std::size_t end_box =
            std::min(manifest_.containers.size(), first_box + kMaxGroupRepeat);
        for (std::size_t idx = first_box; idx < end_box; ++idx)
            write_container(manifest_.containers[idx]);
        // The total goes in the first part only; a reader adds up the parts.
        const std::int64_t total = manifest_.declared_container_count.value_or(
            static_cast<std::int64_t>(manifest_.containers.size()));
        if (part == 0 && (total > 0 || !manifest_.containers.empty())) {
            writer_.begin("CNT").element("16").component(total);
            writer_.end();
        }
        const std::size_t first_con = part * kMaxGroupRepeat;
        const std::size_t end_con =
            std::min(manifest_.consignments.size(), first_con + kMaxGroupRepeat);
        for (std::size_t idx = first_con; idx < end_con; ++idx)
            write_consignment(manifest_.consignments[idx], idx + 1);
        const auto segments = static_cast<std::int64_t>(writer_.count() - before + 1);
        writer_.begin("UNT").element(segments).element(reference);
        writer_.end();
    }

    void write_interchange_header() {
        const std::string_view prepared = options_.prepared;
        writer_.begin("UNB").element("UNOC").component("3");
        writer_.element(options_.sender).component("ZZZ");
        writer_.element(options_.recipient).component("ZZZ");
        writer_.element(prepared.substr(0, 6)).component(prepared.substr(6, 4));
        writer_.element(options_.control_reference);
        writer_.end();
    }

    void write_date(std::string_view qualifier, const std::string& iso) {
        const auto value = iso8601_to_edifact(iso);
        if (!value)
            return;
        writer_.begin("DTM").element(qualifier).component(value->value).component(value->format);
        writer_.end();
    }

    void write_location(std::string_view function, const std::string& locode) {
        if (locode.empty())
            return;
        writer_.begin("LOC").element(function).element(locode).component("139").component("6");
        writer_.end();
    }

    void write_header() {
        writer_.begin("BGM")
            .element("85")
            .element(manifest_.document_number)
            .element(function_code(manifest_.function));
        writer_.end();
        write_date("137", manifest_.issued_at);
        if (later_family_)
            write_location("60", manifest_.vessel_call.port_of_call);
        if (!manifest_.document_number.empty()) {
            writer_.begin("RFF").element("AFB").component(manifest_.document_number);
            writer_.end();
        }
        if (!manifest_.sender.empty()) {
            writer_.begin("NAD")
                .element("MS")
                .element(manifest_.sender)
                .component("")
                .component("ZZZ");
            writer_.end();
        }
        if (!manifest_.vessel_call.carrier.empty()) {
            writer_.begin("NAD")
                .element("CA")
                .element(manifest_.vessel_call.carrier)
                .component("")
                .component("ZZZ");
            writer_.end();
        }
    }

    void write_voyage() {
        const core::VesselCall& call = manifest_.vessel_call;
        writer_.begin("TDT").element("20").element(call.voyage).element("1").element();
        writer_.element(call.carrier).component("").component(call.carrier.empty() ? "" : "ZZZ");
        writer_.element().element();
        writer_.element(call.imo)
            .component(call.imo.empty() ? "" : "146")
            .component(call.imo.empty() ? "" : "11")
            .component(call.vessel_name);
        writer_.end();
        write_location("5", call.last_port);
        write_location("60", call.port_of_call);
        write_date("132", call.eta);
    }

    void write_mass(std::string_view kind, const std::optional<double>& kg) {
        if (!kg)
            return;
        writer_.begin("MEA").element("AAE").element(kind).element("KGM").component(*kg);
        writer_.end();
    }

    void write_container(const core::Container& box) {
        writer_.begin("EQD").element("CN").element(box.number).element(box.size_type);
        if (!box.size_type.empty())
            writer_.component("102").component("5");
        writer_.element().element().element(box.load == core::LoadStatus::empty ? "4" : "5");
        writer_.end();
        write_mass("T", box.tare_mass_kg);
        write_mass(later_family_ ? "AET" : "G", box.gross_mass_kg);
        for (const core::Seal& seal : box.seals) {
            writer_.begin("SEL").element(seal.number).element(seal.sealing_party);
            writer_.end();
        }
    }

    void write_party(std::string_view role, const core::Party& party) {
        if (party.empty() && party.address.empty() && party.city.empty())
            return;
        const auto name = split_text(party.name, kNameWidth);
        std::vector<std::string_view> street;
        std::string_view address = party.address;
        while (!address.empty()) {
            // Street lines are joined by ", " in the model; the fourth takes the rest.
            const std::size_t comma =
                street.size() == 3 ? std::string_view::npos : address.find(", ");
            street.push_back(address.substr(0, comma));
            address =
                comma == std::string_view::npos ? std::string_view() : address.substr(comma + 2);
        }
        writer_.begin("NAD").element(role).element(party.id).element();
        writer_.element(name, 0, kMaxTextComponents).element(street, 0, 4);
        writer_.element(party.city).element().element(party.postcode).element(party.country);
        writer_.end();
    }

    void write_free_text(const std::string& text) {
        const auto pieces = split_text(text, kFreeTextWidth);
        for (std::size_t first = 0; first < pieces.size(); first += kMaxTextComponents) {
            writer_.begin("FTX").element("AAA").element().element();
            writer_.element(pieces, first, kMaxTextComponents);
            writer_.end();
        }
    }

    void write_goods_item(const core::GoodsItem& item) {
        writer_.begin("GID")
            .element(static_cast<std::int64_t>(item.item_number))
            .element(item.packages)
            .component(item.package_type);
        writer_.end();
        write_free_text(item.description);
        write_mass(later_family_ ? "AAB" : "G", item.gross_mass_kg);
        for (const core::Placement& placement : item.placements) {
            writer_.begin("SGP").element(placement.container_number);
            if (placement.packages)
                writer_.element(*placement.packages);
            writer_.end();
        }
        if (!item.hs_code.empty()) {
            writer_.begin("CST").element().element(item.hs_code).component("169").component("1");
            writer_.end();
        }
    }

    void write_consignment(const core::Consignment& con, std::size_t sequence) {
        writer_.begin("CNI").element(static_cast<std::int64_t>(sequence)).element(con.master_bl);
        writer_.end();
        // One reference group per consignment: the house B/L when there is one (the master is
        // then in CNI), else the master. A second group would need goods of its own.
        if (!con.house_bl.empty())
            writer_.begin("RFF").element("BH").component(con.house_bl);
        else
            writer_.begin("RFF").element("BM").component(con.master_bl);
        writer_.end();
        write_location("88", con.place_of_receipt);
        write_location("9", con.port_of_loading);
        for (const std::string& port : con.transshipment_ports)
            write_location("13", port);
        write_location("11", con.port_of_discharge);
        write_location("7", con.place_of_delivery);
        write_party("CZ", con.shipper);
        write_party("CN", con.consignee);
        write_party("N1", con.notify_party);
        write_party("FW", con.forwarder);
        for (const core::GoodsItem& item : con.goods_items)
            write_goods_item(item);
    }

    SegmentWriter writer_;
    const core::Manifest& manifest_;
    const WriteOptions& options_;
    bool later_family_; ///< D03B and later: header LOC, AET/AAB mass codes
};

std::size_t estimated_size(const core::Manifest& manifest) {
    std::size_t goods = 0;
    for (const core::Consignment& con : manifest.consignments)
        goods += con.goods_items.size();
    return 1024 + manifest.containers.size() * 160 + manifest.consignments.size() * 480 +
           goods * 200;
}

} // namespace

std::string write_cuscar(const core::Manifest& manifest, const WriteOptions& options) {
    std::string out;
    out.reserve(estimated_size(manifest));
    out += "UNA:+.? '\n";
    CuscarWriter(out, manifest, options).run();
    return out;
}

} // namespace portscreen::edifact
