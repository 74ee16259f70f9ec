#include "core/validation.hpp"

#include "core/codes.hpp"

#include <cmath>
#include <cstdio>
#include <map>
#include <unordered_map>

namespace portscreen::core {

bool ReferenceData::knows_country(std::string_view alpha2) const {
    return countries.empty() || countries.contains(std::string(alpha2));
}

bool ReferenceData::knows_hs_subheading(std::string_view six_digits) const {
    return hs_subheadings.empty() || hs_subheadings.contains(std::string(six_digits));
}

namespace {

std::string format_mass(double kg) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", kg);
    return text;
}

std::string index_path(std::string_view parent, std::string_view member, std::size_t index) {
    std::string path(parent);
    path += '/';
    path += member;
    path += '/';
    path += std::to_string(index);
    return path;
}

/// Collects problems for one manifest. Paths and names are built only when a problem is found
/// (the arguments named `path` and `what` are callables), since a valid 20,000-container
/// manifest would otherwise build hundreds of thousands of strings for nothing.
class Checker {
public:
    explicit Checker(const ReferenceData& reference) : reference_(reference) {}

    Problems take() { return std::move(problems_); }

    void add(Severity severity, std::string code, std::string path, SourceSegment segment,
             std::string message, int contrl = 12) {
        Problem problem;
        problem.severity = severity;
        problem.code = std::move(code);
        problem.path = std::move(path);
        problem.segment = segment;
        problem.message = std::move(message);
        problem.contrl = contrl;
        problems_.push_back(std::move(problem));
    }

    void error(std::string code, std::string path, SourceSegment segment, std::string message,
               int contrl = 12) {
        add(Severity::error, std::move(code), std::move(path), segment, std::move(message), contrl);
    }

    template <typename Path, typename What>
    void locode(std::string_view code, const Path& path, SourceSegment segment, const What& what) {
        if (code.empty())
            return;
        if (!has_locode_shape(code)) {
            error("locode", path(), segment,
                  what() + " '" + std::string(code) + "' is not a UN/LOCODE");
            return;
        }
        if (!reference_.knows_country(code.substr(0, 2)))
            error("country", path(), segment,
                  what() + " '" + std::string(code) + "' names unknown country '" +
                      std::string(code.substr(0, 2)) + "'");
    }

    template <typename Path>
    void party(const Party& party, const Path& path, std::string_view role) {
        if (!party.country.empty() && !reference_.knows_country(party.country))
            error("country", path() + "/country", party.source_segment,
                  std::string(role) + " '" + party.name + "': unknown ISO 3166 country '" +
                      party.country + "'");
    }

    template <typename Path>
    void container_number(std::string_view number, const Path& path, SourceSegment segment) {
        if (number.size() != 11) {
            error("container-number", path(), segment,
                  "container number '" + std::string(number) + "' must have 11 characters");
            return;
        }
        const auto digit = iso6346_check_digit(number.substr(0, 10));
        if (!digit) {
            error("container-number", path(), segment,
                  "container number '" + std::string(number) +
                      "' does not have the ISO 6346 shape (3 letters, U/J/Z, 7 digits)");
            return;
        }
        if (number[10] - '0' != *digit)
            error("check-digit", path(), segment,
                  "container " + std::string(number) + ": check digit " + number[10] +
                      ", expected " + std::to_string(*digit));
    }

    template <typename Path, typename What>
    void mass(const std::optional<double>& kg, double max, const Path& path, SourceSegment segment,
              const What& what) {
        if (!kg || (std::isfinite(*kg) && *kg >= 0 && *kg <= max))
            return;
        error("mass-range", path(), segment,
              what() + ": mass " + format_mass(*kg) + " kg is outside 0 to " + format_mass(max) +
                  " kg");
    }

private:
    const ReferenceData& reference_;
    Problems problems_;
};

void check_vessel_call(Checker& check, const VesselCall& call) {
    const SourceSegment segment = call.source_segment;
    if (call.imo.empty())
        check.error("missing", "/vessel_call/imo", segment, "vessel IMO number is missing", 13);
    else if (!is_valid_imo_number(call.imo))
        check.error("check-digit", "/vessel_call/imo", segment,
                    "vessel IMO number '" + call.imo +
                        "' is not 7 digits with a valid check digit");
    if (call.voyage.empty())
        check.error("missing", "/vessel_call/voyage", segment, "voyage number is missing", 13);
    if (call.port_of_call.empty())
        check.error("missing", "/vessel_call/port_of_call", segment, "port of call is missing", 13);
    check.locode(
        call.port_of_call, [] { return std::string("/vessel_call/port_of_call"); }, segment,
        [] { return std::string("port of call"); });
    check.locode(
        call.last_port, [] { return std::string("/vessel_call/last_port"); }, segment,
        [] { return std::string("last port"); });
}

} // namespace

Problems validate(const Manifest& manifest, const ReferenceData& reference, const Limits& limits) {
    Checker check(reference);
    check_vessel_call(check, manifest.vessel_call);

    // Containers: numbers, masses, and one declaration per number.
    std::unordered_map<std::string_view, std::size_t> container_index;
    container_index.reserve(manifest.containers.size());
    for (std::size_t idx = 0; idx < manifest.containers.size(); ++idx) {
        const Container& box = manifest.containers[idx];
        const auto path = [&](const char* member) {
            return index_path("", "containers", idx) + "/" + member;
        };
        const auto name = [&](const char* what) { return "container " + box.number + " " + what; };
        check.container_number(
            box.number, [&] { return path("number"); }, box.source_segment);
        if (!container_index.emplace(box.number, idx).second)
            check.error("duplicate", path("number"), box.source_segment,
                        "container " + box.number + " is declared twice", 26);
        check.mass(
            box.gross_mass_kg, limits.max_container_gross_kg, [&] { return path("gross_mass_kg"); },
            box.source_segment, [&] { return name("gross"); });
        check.mass(
            box.tare_mass_kg, limits.max_container_tare_kg, [&] { return path("tare_mass_kg"); },
            box.source_segment, [&] { return name("tare"); });
        if (box.gross_mass_kg && box.tare_mass_kg && *box.gross_mass_kg < *box.tare_mass_kg &&
            box.load == LoadStatus::full)
            check.error("mass-range", path("gross_mass_kg"), box.source_segment,
                        "container " + box.number + ": gross mass " +
                            format_mass(*box.gross_mass_kg) + " kg is below its tare " +
                            format_mass(*box.tare_mass_kg) + " kg");
    }
    if (manifest.declared_container_count &&
        *manifest.declared_container_count != static_cast<std::int64_t>(manifest.containers.size()))
        check.error("control-count", "/containers", 0,
                    "the message declares " + std::to_string(*manifest.declared_container_count) +
                        " containers but carries " + std::to_string(manifest.containers.size()),
                    29);

    // Consignments: identity, parties, routing, goods and where they are stowed.
    std::vector<bool> container_used(manifest.containers.size(), false);
    std::map<std::pair<std::string_view, std::string_view>, std::size_t> bl_index;
    for (std::size_t con_idx = 0; con_idx < manifest.consignments.size(); ++con_idx) {
        const Consignment& con = manifest.consignments[con_idx];
        const auto path = [&] { return index_path("", "consignments", con_idx); };
        const auto member = [&](const char* name) {
            return [&path, name] { return path() + "/" + name; };
        };
        const auto name = [&] { return "consignment " + con.reference(); };
        const auto named = [&](const char* what) {
            return [&name, what] { return name() + " " + what; };
        };
        const SourceSegment seg = con.source_segment;
        if (con.master_bl.empty() && con.house_bl.empty())
            check.error("missing", path() + "/master_bl", seg,
                        "consignment " + std::to_string(con_idx + 1) + " has no B/L number", 13);
        else if (!bl_index
                      .emplace(std::pair<std::string_view, std::string_view>(con.master_bl,
                                                                             con.house_bl),
                               con_idx)
                      .second)
            check.error("duplicate", path() + "/master_bl", seg,
                        name() + " appears twice in the message", 26);

        check.party(con.shipper, member("shipper"), "shipper");
        check.party(con.consignee, member("consignee"), "consignee");
        check.party(con.notify_party, member("notify_party"), "notify party");
        check.party(con.forwarder, member("forwarder"), "forwarder");
        check.locode(con.place_of_receipt, member("place_of_receipt"), seg,
                     named("place of receipt"));
        check.locode(con.port_of_loading, member("port_of_loading"), seg, named("port of loading"));
        for (std::size_t leg = 0; leg < con.transshipment_ports.size(); ++leg)
            check.locode(
                con.transshipment_ports[leg],
                [&] { return index_path(path(), "transshipment_ports", leg); }, seg,
                named("transshipment port"));
        check.locode(con.port_of_discharge, member("port_of_discharge"), seg,
                     named("port of discharge"));
        check.locode(con.place_of_delivery, member("place_of_delivery"), seg,
                     named("place of delivery"));

        if (con.goods_items.empty() && manifest.function != MessageFunction::cancel)
            check.error("missing", path() + "/goods_items", seg,
                        name() + " declares no goods items", 13);
        for (std::size_t item_idx = 0; item_idx < con.goods_items.size(); ++item_idx) {
            const GoodsItem& item = con.goods_items[item_idx];
            const auto item_path = [&] { return index_path(path(), "goods_items", item_idx); };
            const auto item_name = [&] {
                return name() + " goods item " + std::to_string(item.item_number);
            };
            const SourceSegment item_seg = item.source_segment;
            if (!item.hs_code.empty()) {
                if (!has_hs_code_shape(item.hs_code))
                    check.error("hs-code", item_path() + "/hs_code", item_seg,
                                item_name() + ": HS code '" + item.hs_code +
                                    "' is not 4 to 10 digits in pairs");
                else if (item.hs_code.size() >= 6 &&
                         !reference.knows_hs_subheading(item.hs_code.substr(0, 6)))
                    check.error("hs-code", item_path() + "/hs_code", item_seg,
                                item_name() + ": HS code '" + item.hs_code +
                                    "' is not an HS 2022 subheading");
            }
            if (item.packages < 1 || item.packages > limits.max_packages)
                check.error("count-range", item_path() + "/packages", item_seg,
                            item_name() + ": " + std::to_string(item.packages) +
                                " packages is outside 1 to " + std::to_string(limits.max_packages));
            check.mass(
                item.gross_mass_kg, limits.max_goods_item_gross_kg,
                [&] { return item_path() + "/gross_mass_kg"; }, item_seg,
                [&] { return item_name() + " gross"; });
            std::int64_t placed = 0;
            bool counted = !item.placements.empty();
            for (std::size_t pl_idx = 0; pl_idx < item.placements.size(); ++pl_idx) {
                const Placement& placement = item.placements[pl_idx];
                const auto pl_path = [&] { return index_path(item_path(), "placements", pl_idx); };
                const auto found = container_index.find(placement.container_number);
                if (found == container_index.end())
                    check.error(
                        "reference", pl_path() + "/container_number", placement.source_segment,
                        item_name() + " is placed in container " + placement.container_number +
                            ", which the message does not declare",
                        28);
                else
                    container_used[found->second] = true;
                if (!placement.packages) {
                    counted = false;
                    continue;
                }
                if (*placement.packages < 0 || *placement.packages > limits.max_packages)
                    check.error("count-range", pl_path() + "/packages", placement.source_segment,
                                item_name() + ": " + std::to_string(*placement.packages) +
                                    " packages in container " + placement.container_number +
                                    " is out of range");
                placed += *placement.packages;
            }
            if (counted && placed != item.packages)
                check.add(
                    Severity::warning, "count-mismatch", item_path() + "/placements", item_seg,
                    item_name() + ": " + std::to_string(item.packages) + " packages declared but " +
                        std::to_string(placed) + " placed in containers");
        }
    }

    // A cancellation names what it cancels and needs no goods; every other message must account
    // for each full container.
    if (manifest.function != MessageFunction::cancel) {
        for (std::size_t idx = 0; idx < manifest.containers.size(); ++idx) {
            const Container& box = manifest.containers[idx];
            if (!container_used[idx] && box.load == LoadStatus::full)
                check.add(Severity::warning, "unreferenced", index_path("", "containers", idx),
                          box.source_segment,
                          "container " + box.number + " is declared full but holds no goods item");
        }
    }
    return check.take();
}

} // namespace portscreen::core
