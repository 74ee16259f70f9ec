#include "scoring/facts_loader.hpp"

#include <algorithm>

namespace portscreen::scoring {
namespace {

using profiling::ConsignmentFacts;
using profiling::GoodsFacts;
using profiling::PartyFacts;

// One row per container and goods item placed in it (one row for a container with none).
// Cancelled bills of lading leave their goods rows with a NULL consignment, skipped below.
constexpr const char* kCallSql = R"sql(
SELECT c.id, c.number, c.size_type, c.load_status, c.gross_mass_kg, c.tare_mass_kg,
       c.message_row, (SELECT count(*) FROM seals s WHERE s.container_id = c.id),
       v.imo, v.vessel_name, v.voyage, v.carrier, v.port_of_call, v.eta, v.last_port,
       b.id, b.master_bl, b.house_bl, b.place_of_receipt, b.port_of_loading,
       b.transshipment_ports, b.port_of_discharge, b.place_of_delivery, b.revision,
       b.message_row,
       g.hs_code, g.description, coalesce(p.packages, g.packages), g.packages, g.package_type,
       g.gross_mass_kg, (SELECT count(*) FROM placements q WHERE q.goods_item_id = g.id),
       ps.name, ps.country, ps.times_seen, ps.first_seen, o1.inspections, o1.findings,
       pc.name, pc.country, pc.times_seen, pc.first_seen, o2.inspections, o2.findings,
       pn.name, pn.country, pn.times_seen, pn.first_seen, o3.inspections, o3.findings,
       pf.name, pf.country, pf.times_seen, pf.first_seen, o4.inspections, o4.findings
FROM containers c
JOIN vessel_calls v ON v.id = c.vessel_call_id
LEFT JOIN placements p ON p.container_id = c.id
LEFT JOIN goods_items g ON g.id = p.goods_item_id
LEFT JOIN consignments b ON b.id = g.consignment_id AND b.status = 'active'
LEFT JOIN parties ps ON ps.id = b.shipper_id
LEFT JOIN party_outcomes o1 ON o1.party_id = b.shipper_id
LEFT JOIN parties pc ON pc.id = b.consignee_id
LEFT JOIN party_outcomes o2 ON o2.party_id = b.consignee_id
LEFT JOIN parties pn ON pn.id = b.notify_id
LEFT JOIN party_outcomes o3 ON o3.party_id = b.notify_id
LEFT JOIN parties pf ON pf.id = b.forwarder_id
LEFT JOIN party_outcomes o4 ON o4.party_id = b.forwarder_id
WHERE c.vessel_call_id = ?1
ORDER BY c.id, b.id, g.item_number
)sql";

enum Column {
    kContainerId,
    kNumber,
    kSizeType,
    kLoadStatus,
    kGross,
    kTare,
    kContainerMessage,
    kSeals,
    kImo,
    kVesselName,
    kVoyage,
    kCarrier,
    kPortOfCall,
    kEta,
    kLastPort,
    kConsignmentId,
    kMasterBl,
    kHouseBl,
    kPlaceOfReceipt,
    kPortOfLoading,
    kTransshipment,
    kPortOfDischarge,
    kPlaceOfDelivery,
    kRevision,
    kConsignmentMessage,
    kHsCode,
    kDescription,
    kPackagesHere,
    kPackagesTotal,
    kPackageType,
    kItemMass,
    kItemPlacements,
    kParties, ///< four parties of six columns each: shipper, consignee, notify, forwarder
};

std::vector<std::string> split_ports(std::string_view text) {
    std::vector<std::string> ports;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find(',', pos);
        if (end == std::string_view::npos)
            end = text.size();
        if (end > pos)
            ports.emplace_back(text.substr(pos, end - pos));
        pos = end + 1;
    }
    return ports;
}

PartyFacts read_party(const storage::Statement& row, int first) {
    PartyFacts party;
    if (row.column_is_null(first))
        return party;
    party.name = row.column_text(first);
    party.country = row.column_text(first + 1);
    // The B/L being scored is counted in times_seen; history is what came before it.
    party.history.times_seen = std::max<std::int64_t>(0, row.column_int64(first + 2) - 1);
    party.history.first_seen = row.column_text(first + 3).substr(0, 10);
    party.history.inspections = row.column_int64(first + 4);
    party.history.findings = row.column_int64(first + 5);
    return party;
}

} // namespace

FactsLoader::FactsLoader(storage::Database& db)
    : call_(db, kCallSql), message_issued_(db, "SELECT issued_at FROM messages WHERE id = ?1") {}

const std::string& FactsLoader::issued_at(std::int64_t message_row) {
    auto [it, inserted] = issued_.try_emplace(message_row);
    if (inserted) {
        message_issued_.bind(1, message_row);
        it->second = message_issued_.query_text().value_or("");
    }
    return it->second;
}

std::vector<LoadedContainer> FactsLoader::load_call(std::int64_t vessel_call_id) {
    std::vector<LoadedContainer> out;
    call_.bind(1, vessel_call_id);
    std::int64_t consignment_id = 0;
    while (call_.step()) {
        const std::int64_t container_id = call_.column_int64(kContainerId);
        if (out.empty() || out.back().facts.container_id != container_id) {
            LoadedContainer loaded;
            auto& facts = loaded.facts;
            facts.container_id = container_id;
            facts.number = call_.column_text(kNumber);
            facts.size_type = call_.column_text(kSizeType);
            facts.declared_empty = call_.column_text_view(kLoadStatus) == "empty";
            facts.gross_mass_kg = call_.column_optional_double(kGross);
            facts.tare_mass_kg = call_.column_optional_double(kTare);
            facts.message_row = call_.column_int64(kContainerMessage);
            facts.seal_count = call_.column_int(kSeals);
            facts.imo = call_.column_text(kImo);
            facts.vessel_name = call_.column_text(kVesselName);
            facts.voyage = call_.column_text(kVoyage);
            facts.carrier = call_.column_text(kCarrier);
            facts.port_of_call = call_.column_text(kPortOfCall);
            facts.eta = call_.column_text(kEta);
            facts.last_port = call_.column_text(kLastPort);
            facts.manifest_issued_at = issued_at(facts.message_row);
            loaded.basis = facts.message_row;
            out.push_back(std::move(loaded));
            consignment_id = 0;
        }
        if (call_.column_is_null(kConsignmentId))
            continue; // no goods, or goods of a cancelled B/L
        LoadedContainer& loaded = out.back();
        const std::int64_t this_consignment = call_.column_int64(kConsignmentId);
        if (this_consignment != consignment_id) {
            consignment_id = this_consignment;
            ConsignmentFacts bl;
            bl.master_bl = call_.column_text(kMasterBl);
            bl.house_bl = call_.column_text(kHouseBl);
            bl.place_of_receipt = call_.column_text(kPlaceOfReceipt);
            bl.port_of_loading = call_.column_text(kPortOfLoading);
            bl.transshipment_ports = split_ports(call_.column_text_view(kTransshipment));
            bl.port_of_discharge = call_.column_text(kPortOfDischarge);
            bl.place_of_delivery = call_.column_text(kPlaceOfDelivery);
            bl.revision = call_.column_int(kRevision);
            const std::int64_t changed_by = call_.column_int64(kConsignmentMessage);
            bl.last_changed_at = issued_at(changed_by);
            loaded.basis = std::max(loaded.basis, changed_by);
            bl.shipper = read_party(call_, kParties);
            bl.consignee = read_party(call_, kParties + 6);
            bl.notify_party = read_party(call_, kParties + 12);
            bl.forwarder = read_party(call_, kParties + 18);
            loaded.facts.consignments.push_back(std::move(bl));
        }
        GoodsFacts goods;
        goods.hs_code = call_.column_text(kHsCode);
        goods.description = call_.column_text(kDescription);
        goods.packages = call_.column_int64(kPackagesHere);
        goods.package_type = call_.column_text(kPackageType);
        // An item spread over several containers: its mass is shared by packages where the
        // placement says how many, else evenly.
        if (const auto mass = call_.column_optional_double(kItemMass)) {
            const double total = static_cast<double>(call_.column_int64(kPackagesTotal));
            const auto placements = std::max<std::int64_t>(1, call_.column_int64(kItemPlacements));
            if (placements == 1)
                goods.gross_mass_kg = *mass;
            else if (total > 0)
                goods.gross_mass_kg = *mass * static_cast<double>(goods.packages) / total;
            else
                goods.gross_mass_kg = *mass / static_cast<double>(placements);
        }
        loaded.facts.consignments.back().goods.push_back(std::move(goods));
    }
    return out;
}

} // namespace portscreen::scoring
