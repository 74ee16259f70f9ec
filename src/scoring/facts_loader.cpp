#include "scoring/facts_loader.hpp"

#include <algorithm>

namespace portscreen::scoring {
namespace {

using profiling::ConsignmentFacts;
using profiling::GoodsFacts;
using profiling::PartyFacts;

// One row per container and goods item placed in it (one row for a container with none),
// in the order of the (vessel_call_id, number) index, so no sort is needed. Cancelled bills of
// lading leave their goods rows with a NULL consignment, skipped below. Parties come by id from
// a cache, since the same few hundred appear on thousands of rows.
constexpr const char* kCallSql = R"sql(
SELECT c.id, c.number, c.size_type, c.load_status, c.gross_mass_kg, c.tare_mass_kg,
       c.message_row, (SELECT count(*) FROM seals s WHERE s.container_id = c.id),
       v.imo, v.vessel_name, v.voyage, v.carrier, v.port_of_call, v.eta, v.last_port,
       b.id, b.master_bl, b.house_bl, b.place_of_receipt, b.port_of_loading,
       b.transshipment_ports, b.port_of_discharge, b.place_of_delivery, b.revision,
       b.message_row,
       g.hs_code, g.description, coalesce(p.packages, g.packages), g.packages, g.package_type,
       g.gross_mass_kg, (SELECT count(*) FROM placements q WHERE q.goods_item_id = g.id),
       b.shipper_id, b.consignee_id, b.notify_id, b.forwarder_id
FROM containers c
JOIN vessel_calls v ON v.id = c.vessel_call_id
LEFT JOIN placements p ON p.container_id = c.id
LEFT JOIN goods_items g ON g.id = p.goods_item_id
LEFT JOIN consignments b ON b.id = g.consignment_id AND b.status = 'active'
WHERE c.vessel_call_id = ?1 AND (?2 IS NULL OR c.id IN (SELECT value FROM json_each(?2)))
ORDER BY c.number
)sql";

constexpr const char* kPartySql = R"sql(
SELECT p.name, p.country, p.times_seen, p.first_seen, o.inspections, o.findings
FROM parties p LEFT JOIN party_outcomes o ON o.party_id = p.id WHERE p.id = ?1
)sql";

// The newest scan analysis of each container of a call that has one.
constexpr const char* kImagesSql = R"sql(
SELECT a.container_id, a.id, a.loaded, a.declared_empty_but_loaded, a.density_inconsistent,
       a.mass_ratio, a.anomaly_score, a.confidence
FROM containers c JOIN scan_analyses a ON a.container_id = c.id
WHERE c.vessel_call_id = ?1
  AND a.id = (SELECT max(x.id) FROM scan_analyses x WHERE x.container_id = c.id)
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
    kParties, ///< four party ids: shipper, consignee, notify, forwarder
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

} // namespace

FactsLoader::FactsLoader(storage::Database& db)
    : call_(db, kCallSql), party_(db, kPartySql),
      message_issued_(db, "SELECT issued_at FROM messages WHERE id = ?1"), images_(db, kImagesSql) {
}

const PartyFacts& FactsLoader::party(const storage::Statement& row, int column) {
    static const PartyFacts kNone;
    if (row.column_is_null(column))
        return kNone;
    const std::int64_t id = row.column_int64(column);
    auto [it, inserted] = parties_.try_emplace(id);
    if (inserted) {
        party_.bind(1, id);
        if (party_.step()) {
            PartyFacts& party = it->second;
            party.name = party_.column_text(0);
            party.country = party_.column_text(1);
            // The B/L being scored is counted in times_seen; history is what came before it.
            party.history.times_seen = std::max<std::int64_t>(0, party_.column_int64(2) - 1);
            party.history.first_seen = party_.column_text(3).substr(0, 10);
            party.history.inspections = party_.column_int64(4);
            party.history.findings = party_.column_int64(5);
            party_.reset();
        }
    }
    return it->second;
}

const std::string& FactsLoader::issued_at(std::int64_t message_row) {
    auto [it, inserted] = issued_.try_emplace(message_row);
    if (inserted) {
        message_issued_.bind(1, message_row);
        it->second = message_issued_.query_text().value_or("");
    }
    return it->second;
}

std::vector<LoadedContainer> FactsLoader::load_call(std::int64_t vessel_call_id,
                                                    const std::vector<std::int64_t>* only) {
    std::vector<LoadedContainer> out;
    // Party history is read once per call: what it counts changes between calls, not within.
    // Issue times are kept for one call too: the loader lives as long as the node, and a cache
    // of every message ever scored would grow without bound.
    parties_.clear();
    issued_.clear();
    call_.bind(1, vessel_call_id);
    if (only != nullptr) {
        std::string ids = "[";
        for (const auto id : *only) {
            if (ids.size() > 1)
                ids += ',';
            ids += std::to_string(id);
        }
        ids += ']';
        call_.bind(2, ids);
    } else {
        call_.bind_null(2);
    }
    std::vector<std::int64_t> consignment_ids; // of the current container, parallel to its B/Ls
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
            consignment_ids.clear();
        }
        if (call_.column_is_null(kConsignmentId))
            continue; // no goods, or goods of a cancelled B/L
        LoadedContainer& loaded = out.back();
        const std::int64_t consignment_id = call_.column_int64(kConsignmentId);
        auto known = std::find(consignment_ids.begin(), consignment_ids.end(), consignment_id);
        if (known == consignment_ids.end()) {
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
            bl.shipper = party(call_, kParties);
            bl.consignee = party(call_, kParties + 1);
            bl.notify_party = party(call_, kParties + 2);
            bl.forwarder = party(call_, kParties + 3);
            loaded.facts.consignments.push_back(std::move(bl));
            consignment_ids.push_back(consignment_id);
            known = consignment_ids.end() - 1;
        }
        auto& bl =
            loaded.facts.consignments[static_cast<std::size_t>(known - consignment_ids.begin())];
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
        bl.goods.push_back(std::move(goods));
    }
    if (!out.empty()) {
        std::unordered_map<std::int64_t, LoadedContainer*> by_id;
        for (auto& loaded : out)
            by_id.emplace(loaded.facts.container_id, &loaded);
        images_.bind(1, vessel_call_id);
        while (images_.step()) {
            const auto found = by_id.find(images_.column_int64(0));
            if (found == by_id.end())
                continue;
            profiling::ImageFacts image;
            image.loaded = images_.column_int(2) != 0;
            image.declared_empty_but_loaded = images_.column_int(3) != 0;
            image.density_inconsistent = images_.column_int(4) != 0;
            image.mass_ratio = images_.column_optional_double(5);
            image.anomaly_score = images_.column_double(6);
            image.confidence = images_.column_double(7);
            found->second->facts.image = image;
            found->second->image_basis = images_.column_int64(1);
        }
    }
    return out;
}

} // namespace portscreen::scoring
