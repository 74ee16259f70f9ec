#include "edifact/mapper.hpp"

#include "core/codes.hpp"
#include "edifact/datetime.hpp"
#include "edifact/diagnostics.hpp"

#include <charconv>
#include <cmath>
#include <optional>

namespace portscreen::edifact {

namespace {

using detail::element_position;
using detail::report_error;
using detail::report_warning;

bool is_letter(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
char upper(char c) {
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

/// Non-empty components of one element joined by `separator`.
std::string join_components(const SegmentView& segment, std::size_t element,
                            std::string_view separator) {
    std::string text;
    const std::size_t count = segment.component_count(element);
    for (std::size_t idx = 0; idx < count; ++idx) {
        const std::string_view part = segment.component(element, idx);
        if (part.empty())
            continue;
        if (!text.empty())
            text += separator;
        text += part;
    }
    return text;
}

void append_text(std::string& text, std::string_view more) {
    if (more.empty())
        return;
    if (!text.empty())
        text += ' ';
    text += more;
}

/// Reads one message; lives for one call of map_cuscar().
class Mapper {
public:
    Mapper(const SegmentList& segments, Problems& problems)
        : segments_(segments), problems_(problems), decimal_mark_(segments.service().decimal_mark) {
    }

    core::Manifest run(const MessageSpan& message, const std::vector<SegmentRole>& roles) {
        for (std::size_t idx = 0; idx < roles.size(); ++idx) {
            const SegmentRole role = roles[idx];
            if (role.group == Group::none)
                continue;
            map_segment(segments_[message.header + idx], role);
        }
        finish_consignment();
        finish_vessel_call();
        return std::move(manifest_);
    }

private:
    void map_segment(const SegmentView& segment, SegmentRole role) {
        const std::string_view tag = segment.tag();
        switch (role.group) {
        case Group::message:
            if (tag == "BGM")
                map_bgm(segment);
            else if (tag == "DTM")
                map_header_date(segment);
            else if (tag == "NAD")
                map_header_party(segment);
            else if (tag == "LOC")
                map_vessel_location(segment);
            else if (tag == "CNT")
                map_control_total(segment);
            break;
        case Group::header_party:
            if (tag == "NAD")
                map_header_party(segment);
            break;
        case Group::voyage:
            if (tag == "TDT")
                map_tdt(segment);
            else if (tag == "LOC" && in_main_voyage_)
                map_vessel_location(segment);
            else if (tag == "DTM" && in_main_voyage_)
                map_voyage_date(segment);
            break;
        case Group::equipment:
            if (tag == "EQD")
                map_eqd(segment);
            else if (tag == "MEA" && in_container_)
                map_container_mass(segment);
            else if (tag == "SEL" && in_container_)
                map_seal(segment);
            break;
        case Group::consignment:
            if (tag == "CNI")
                map_cni(segment);
            break;
        case Group::reference:
            if (tag == "RFF")
                map_bill_of_lading(segment);
            else if (tag == "LOC")
                map_routing(segment);
            break;
        case Group::party:
            if (tag == "NAD")
                map_consignment_party(segment);
            break;
        case Group::goods: map_goods_segment(segment); break;
        default: break;
        }
    }

    // ---- numbers and dates -------------------------------------------------------------

    /// A decimal number; `what` and `owner` name it in the error message ("tare mass",
    /// "CSQU3054383"), and are only joined when there is an error.
    std::optional<double> decimal(const SegmentView& segment, std::size_t element,
                                  std::size_t component, std::string_view owner,
                                  std::string_view what) {
        const std::string_view text = segment.component(element, component);
        if (text.empty())
            return std::nullopt;
        // Only the declared decimal mark is a decimal mark; there are no thousands separators.
        char buffer[64];
        bool readable = text.size() < sizeof buffer;
        for (std::size_t idx = 0; readable && idx < text.size(); ++idx) {
            const char c = text[idx];
            buffer[idx] = c == decimal_mark_ ? '.' : c;
            readable = c != '.' || decimal_mark_ == '.';
        }
        double value = 0;
        if (readable) {
            const char* end = buffer + text.size();
            const auto [stop, error] =
                std::from_chars(buffer, end, value, std::chars_format::fixed);
            readable = error == std::errc() && stop == end && std::isfinite(value);
        }
        if (!readable) {
            report_error(problems_, "invalid-number", segment, element_position(element, component),
                         std::string(what) + " '" + std::string(text) + "' of " +
                             std::string(owner) + " is not a number",
                         12);
            return std::nullopt;
        }
        return value;
    }

    std::optional<std::int64_t> count(const SegmentView& segment, std::size_t element,
                                      std::size_t component, std::string_view what) {
        const std::string_view text = segment.component(element, component);
        if (text.empty())
            return std::nullopt;
        const auto value = detail::parse_count(text);
        if (!value)
            report_error(problems_, "invalid-number", segment, element_position(element, component),
                         std::string(what) + " '" + std::string(text) + "' is not a whole number",
                         12);
        return value;
    }

    std::optional<std::string> date(const SegmentView& segment, std::string_view what) {
        const std::string_view value = segment.component(0, 1);
        const std::string_view format = segment.component(0, 2);
        auto iso = edifact_to_iso8601(value, format);
        if (!iso)
            report_error(
                problems_, "invalid-date", segment, element_position(0, 1),
                std::string(what) + " '" + std::string(value) + "' is not a date of format " +
                    (format.empty() ? std::string("102, 203 or 204") : std::string(format)),
                12);
        return iso;
    }

    /// Mass in kilograms from MEA C174 (unit, value); nothing for other units.
    std::optional<double> mass(const SegmentView& mea, std::string_view owner,
                               std::string_view what) {
        const std::string_view unit = mea.component(2, 0);
        const auto value = decimal(mea, 2, 1, owner, what);
        if (!value)
            return std::nullopt;
        if (unit == "KGM" || unit.empty())
            return *value;
        if (unit == "TNE")
            return *value * 1000;
        if (unit == "LBR")
            return *value * 0.45359237;
        if (unit == "GRM")
            return *value / 1000;
        report_warning(problems_, "unknown-unit", mea, element_position(2, 0),
                       std::string(what) + " of " + std::string(owner) + ": unit '" +
                           std::string(unit) + "' is not a mass unit; value ignored");
        return std::nullopt;
    }

    // ---- header and voyage -------------------------------------------------------------

    void map_bgm(const SegmentView& bgm) {
        manifest_.document_number = std::string(bgm.component(1, 0));
        const std::string_view function = bgm.element(2);
        if (function == "9" || function.empty()) {
            manifest_.function = core::MessageFunction::original;
            if (function.empty())
                report_warning(problems_, "missing", bgm, element_position(2),
                               "BGM has no message function; read as 9 (original)");
        } else if (function == "5") {
            manifest_.function = core::MessageFunction::replace;
        } else if (function == "4") {
            manifest_.function = core::MessageFunction::change;
        } else if (function == "1") {
            manifest_.function = core::MessageFunction::cancel;
        } else {
            report_error(problems_, "unsupported-function", bgm, element_position(2),
                         "message function '" + std::string(function) +
                             "' is not supported (9 original, 5 replace, 4 change, "
                             "1 cancellation)",
                         12);
        }
    }

    void map_header_date(const SegmentView& dtm) {
        if (dtm.component(0, 0) != "137")
            return;
        if (auto iso = date(dtm, "document date"))
            manifest_.issued_at = std::move(*iso);
    }

    void map_header_party(const SegmentView& nad) {
        const std::string_view role = nad.element(0);
        const core::Party party = read_party(nad);
        if (role == "MS")
            manifest_.sender = party.id.empty() ? party.name : party.id;
        else if (role == "CA")
            nad_carrier_ = party.id.empty() ? party.name : party.id;
    }

    void map_control_total(const SegmentView& cnt) {
        if (cnt.component(0, 0) != "16")
            return;
        if (auto total = count(cnt, 0, 1, "equipment total"))
            manifest_.declared_container_count = *total;
    }

    void map_tdt(const SegmentView& tdt) {
        const std::string_view stage = tdt.element(0);
        in_main_voyage_ = false;
        if (voyage_seen_ || (stage != "20" && !stage.empty()))
            return;
        voyage_seen_ = true;
        in_main_voyage_ = true;
        core::VesselCall& call = manifest_.vessel_call;
        call.source_segment = tdt.number();
        call.voyage = std::string(tdt.element(1));
        tdt_carrier_ = std::string(tdt.component(4, 0));
        const std::string_view id_code = tdt.component(7, 1);
        if (id_code.empty() || id_code == "146")
            call.imo = std::string(tdt.component(7, 0));
        else if (!tdt.component(7, 0).empty())
            report_warning(problems_, "no-imo", tdt, element_position(7, 1),
                           "vessel is identified by '" + std::string(tdt.component(7, 0)) +
                               "' of kind " + std::string(id_code) + ", not by IMO number");
        call.vessel_name = std::string(tdt.component(7, 3));
    }

    void map_vessel_location(const SegmentView& loc) {
        const std::string_view function = loc.element(0);
        core::VesselCall& call = manifest_.vessel_call;
        if (function == "60")
            call.port_of_call = std::string(loc.component(1, 0));
        else if (function == "5")
            call.last_port = std::string(loc.component(1, 0));
    }

    void map_voyage_date(const SegmentView& dtm) {
        if (dtm.component(0, 0) != "132")
            return;
        if (auto iso = date(dtm, "estimated arrival"))
            manifest_.vessel_call.eta = std::move(*iso);
    }

    void finish_vessel_call() {
        manifest_.vessel_call.carrier = nad_carrier_.empty() ? tdt_carrier_ : nad_carrier_;
    }

    // ---- equipment ---------------------------------------------------------------------

    void map_eqd(const SegmentView& eqd) {
        const std::string_view kind = eqd.element(0);
        in_container_ = kind == "CN";
        if (!in_container_) {
            report_warning(problems_, "skipped-equipment", eqd, element_position(0),
                           "equipment '" + std::string(eqd.component(1, 0)) + "' of kind '" +
                               std::string(kind) + "' is not a container and was skipped");
            return;
        }
        core::Container& box = manifest_.containers.emplace_back();
        box.source_segment = eqd.number();
        box.number = std::string(eqd.component(1, 0));
        box.size_type = std::string(eqd.component(2, 0));
        const std::string_view full_empty = eqd.element(5);
        if (full_empty == "4")
            box.load = core::LoadStatus::empty;
        else if (full_empty == "5" || full_empty.empty())
            box.load = core::LoadStatus::full;
        else
            report_warning(problems_, "unknown-code", eqd, element_position(5),
                           "container " + box.number + ": full/empty indicator '" +
                               std::string(full_empty) + "' is not 4 or 5; read as full");
    }

    void map_container_mass(const SegmentView& mea) {
        core::Container& box = manifest_.containers.back();
        const std::string_view kind = mea.component(1, 0);
        if (kind == "T") {
            if (auto kg = mass(mea, box.number, "tare mass"))
                box.tare_mass_kg = kg;
        } else if (kind == "G" || kind == "AET" || kind == "VGM") {
            if (auto kg = mass(mea, box.number, "gross mass"))
                box.gross_mass_kg = kg;
        }
    }

    void map_seal(const SegmentView& sel) {
        core::Container& box = manifest_.containers.back();
        box.seals.push_back(
            core::Seal{std::string(sel.element(0)), std::string(sel.component(1, 0))});
    }

    // ---- consignments ------------------------------------------------------------------

    void map_cni(const SegmentView& cni) {
        finish_consignment();
        core::Consignment& con = manifest_.consignments.emplace_back();
        con.source_segment = cni.number();
        cni_document_ = std::string(cni.component(1, 0));
        in_consignment_ = true;
    }

    void finish_consignment() {
        finish_goods_item();
        if (!in_consignment_)
            return;
        core::Consignment& con = manifest_.consignments.back();
        if (con.master_bl.empty())
            con.master_bl = cni_document_;
        in_consignment_ = false;
    }

    void map_bill_of_lading(const SegmentView& rff) {
        finish_goods_item();
        if (!in_consignment_)
            return;
        core::Consignment& con = manifest_.consignments.back();
        const std::string_view kind = rff.component(0, 0);
        const std::string_view number = rff.component(0, 1);
        if ((kind == "BM" || kind == "MB") && con.master_bl.empty())
            con.master_bl = std::string(number);
        else if (kind == "BH" && con.house_bl.empty())
            con.house_bl = std::string(number);
    }

    void map_routing(const SegmentView& loc) {
        if (!in_consignment_)
            return;
        core::Consignment& con = manifest_.consignments.back();
        const std::string_view function = loc.element(0);
        std::string place(loc.component(1, 0));
        if (function == "88")
            con.place_of_receipt = std::move(place);
        else if (function == "9")
            con.port_of_loading = std::move(place);
        else if (function == "13")
            con.transshipment_ports.push_back(std::move(place));
        else if (function == "11")
            con.port_of_discharge = std::move(place);
        else if ((function == "7" || function == "8") && con.place_of_delivery.empty())
            con.place_of_delivery = std::move(place);
    }

    core::Party read_party(const SegmentView& nad) {
        core::Party party;
        party.source_segment = nad.number();
        party.id = std::string(nad.component(1, 0));
        party.name = join_components(nad, 3, " ");
        party.address = join_components(nad, 4, ", ");
        party.city = std::string(nad.element(5));
        party.postcode = std::string(nad.element(7));
        party.country = std::string(nad.element(8));
        // C058 is the unstructured name-and-address form: name first, then address lines.
        if (party.name.empty() && nad.component_count(2) > 0) {
            party.name = std::string(nad.component(2, 0));
            if (party.address.empty()) {
                for (std::size_t line = 1; line < nad.component_count(2); ++line) {
                    const std::string_view text = nad.component(2, line);
                    if (text.empty())
                        continue;
                    if (!party.address.empty())
                        party.address += ", ";
                    party.address += text;
                }
            }
        }
        return party;
    }

    void map_consignment_party(const SegmentView& nad) {
        finish_goods_item();
        if (!in_consignment_)
            return;
        core::Consignment& con = manifest_.consignments.back();
        const std::string_view role = nad.element(0);
        core::Party* target = nullptr;
        if (role == "CZ")
            target = &con.shipper;
        else if (role == "CN")
            target = &con.consignee;
        else if (role == "N1" || role == "NI")
            target = &con.notify_party;
        else if (role == "FW")
            target = &con.forwarder;
        if (target != nullptr && target->empty())
            *target = read_party(nad);
    }

    // ---- goods items -------------------------------------------------------------------

    void map_goods_segment(const SegmentView& segment) {
        const std::string_view tag = segment.tag();
        if (tag == "GID") {
            finish_goods_item();
            if (!in_consignment_)
                return;
            core::Consignment& con = manifest_.consignments.back();
            core::GoodsItem& item = con.goods_items.emplace_back();
            item.source_segment = segment.number();
            const auto number = count(segment, 0, 0, "goods item number");
            item.item_number = number && *number <= 1'000'000
                                   ? static_cast<int>(*number)
                                   : static_cast<int>(con.goods_items.size());
            item.packages = count(segment, 1, 0, "number of packages").value_or(0);
            item.package_type = std::string(segment.component(1, 1));
            in_goods_ = true;
            goods_text_.clear();
            return;
        }
        if (!in_goods_)
            return;
        core::GoodsItem& item = manifest_.consignments.back().goods_items.back();
        if (tag == "FTX") {
            const std::string text = join_components(segment, 3, " ");
            if (segment.element(0) == "AAA")
                append_text(item.description, text);
            append_text(goods_text_, text);
        } else if (tag == "MEA") {
            const std::string_view kind = segment.component(1, 0);
            if (kind == "G" || kind == "AAB")
                if (auto kg = mass(segment, "goods item", "gross mass"))
                    item.gross_mass_kg = kg;
        } else if (tag == "SGP") {
            core::Placement& placement = item.placements.emplace_back();
            placement.source_segment = segment.number();
            placement.container_number = std::string(segment.component(0, 0));
            placement.packages = count(segment, 1, 0, "packages in container");
        } else if (tag == "CST") {
            map_commodity_code(segment, item);
        }
    }

    void map_commodity_code(const SegmentView& cst, core::GoodsItem& item) {
        for (std::size_t element = 1; element < cst.element_count() && element <= 5; ++element) {
            const std::string_view code = cst.component(element, 0);
            if (code.empty())
                continue;
            item.hs_code = core::normalize_hs_code(code);
            return;
        }
    }

    void finish_goods_item() {
        if (!in_goods_)
            return;
        in_goods_ = false;
        core::GoodsItem& item = manifest_.consignments.back().goods_items.back();
        if (!item.hs_code.empty())
            return;
        std::string code = find_hs_code_in_text(goods_text_);
        if (code.empty())
            return;
        Problem problem;
        problem.severity = Severity::warning;
        problem.code = "hs-code-from-text";
        problem.segment = item.source_segment;
        problem.segment_tag = "GID";
        problem.message = "goods item " + std::to_string(item.item_number) + ": HS code " + code +
                          " taken from free text, no CST segment";
        problems_.push_back(std::move(problem));
        item.hs_code = std::move(code);
    }

    const SegmentList& segments_;
    Problems& problems_;
    char decimal_mark_;
    core::Manifest manifest_;
    std::string nad_carrier_;
    std::string tdt_carrier_;
    std::string cni_document_;
    std::string goods_text_;
    bool voyage_seen_ = false;
    bool in_main_voyage_ = false;
    bool in_container_ = false;
    bool in_consignment_ = false;
    bool in_goods_ = false;
};

} // namespace

std::string find_hs_code_in_text(std::string_view text) {
    // Equivalent to the pattern \bH\.?S\.?\s*(CODE)?\s*[:#-]?\s*(\d[\d .]*), case-insensitive,
    // written by hand because it runs once per goods item without a CST segment.
    for (std::size_t pos = 0; pos + 2 <= text.size(); ++pos) {
        if (upper(text[pos]) != 'H' || (pos > 0 && is_letter(text[pos - 1])))
            continue;
        std::size_t at = pos + 1;
        if (at < text.size() && text[at] == '.')
            ++at;
        if (at >= text.size() || upper(text[at]) != 'S')
            continue;
        ++at;
        if (at < text.size() && text[at] == '.')
            ++at;
        if (at < text.size() && is_letter(text[at]))
            continue;
        while (at < text.size() && text[at] == ' ')
            ++at;
        if (text.size() - at >= 4 && upper(text[at]) == 'C' && upper(text[at + 1]) == 'O' &&
            upper(text[at + 2]) == 'D' && upper(text[at + 3]) == 'E')
            at += 4;
        while (at < text.size() && text[at] == ' ')
            ++at;
        if (at < text.size() && (text[at] == ':' || text[at] == '#' || text[at] == '-'))
            ++at;
        while (at < text.size() && text[at] == ' ')
            ++at;
        std::string digits;
        while (at < text.size()) {
            if (is_digit(text[at])) {
                digits += text[at++];
                continue;
            }
            // A single space or dot may separate digit pairs ("30 04 90", "3004.90").
            if ((text[at] == ' ' || text[at] == '.') && at + 1 < text.size() &&
                is_digit(text[at + 1]) && !digits.empty()) {
                ++at;
                continue;
            }
            break;
        }
        if (digits.size() >= 4 && digits.size() <= 10 && digits.size() % 2 == 0)
            return digits;
    }
    return {};
}

core::Manifest map_cuscar(const SegmentList& segments, const MessageSpan& message,
                          const std::vector<SegmentRole>& roles, Problems& problems) {
    return Mapper(segments, problems).run(message, roles);
}

} // namespace portscreen::edifact
