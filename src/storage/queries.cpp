#include "storage/queries.hpp"

#include "storage/manifest_store.hpp"

namespace portscreen::storage {
namespace {

std::vector<std::string> split_ports(std::string_view joined) {
    std::vector<std::string> ports;
    while (!joined.empty()) {
        const auto comma = joined.find(',');
        ports.emplace_back(joined.substr(0, comma));
        if (comma == std::string_view::npos)
            break;
        joined.remove_prefix(comma + 1);
    }
    return ports;
}

std::string bl_name(const std::string& master_bl, const std::string& house_bl) {
    return house_bl.empty() ? master_bl : master_bl + " / " + house_bl;
}

} // namespace

Counts count_all(Database& db) {
    // A savepoint outside a transaction opens a read transaction: one snapshot for all counts.
    // Inside the writer's transaction it nests, so this works on either connection.
    Savepoint snapshot(db, "count_all");
    Statement stmt(db,
                   "SELECT (SELECT count(*) FROM messages), (SELECT count(*) FROM vessel_calls), "
                   "(SELECT count(*) FROM consignments), "
                   "(SELECT count(*) FROM consignments WHERE status = 'active'), "
                   "(SELECT count(*) FROM containers), (SELECT count(*) FROM goods_items), "
                   "(SELECT count(*) FROM parties), (SELECT count(*) FROM scores), "
                   "(SELECT count(*) FROM selections), (SELECT count(*) FROM outcomes)");
    Counts counts;
    if (stmt.step()) {
        counts.messages = stmt.column_int64(0);
        counts.vessel_calls = stmt.column_int64(1);
        counts.consignments = stmt.column_int64(2);
        counts.active_consignments = stmt.column_int64(3);
        counts.containers = stmt.column_int64(4);
        counts.goods_items = stmt.column_int64(5);
        counts.parties = stmt.column_int64(6);
        counts.scores = stmt.column_int64(7);
        counts.selections = stmt.column_int64(8);
        counts.outcomes = stmt.column_int64(9);
        stmt.reset();
    }
    snapshot.release();
    return counts;
}

std::optional<ConsignmentView> find_consignment(Database& db, std::string_view imo,
                                                std::string_view voyage,
                                                std::string_view port_of_call,
                                                std::string_view master_bl,
                                                std::string_view house_bl) {
    Savepoint snapshot(db, "find_consignment");
    Statement head(db, "SELECT c.id, c.vessel_call_id, c.master_bl, c.house_bl, c.status, "
                       "c.revision, m.message_id, "
                       "coalesce(s.name, ''), coalesce(n.name, ''), coalesce(p.name, ''), "
                       "coalesce(f.name, ''), c.place_of_receipt, c.port_of_loading, "
                       "c.transshipment_ports, c.port_of_discharge, c.place_of_delivery "
                       "FROM vessel_calls v "
                       "JOIN consignments c ON c.vessel_call_id = v.id "
                       "JOIN messages m ON m.id = c.message_row "
                       "LEFT JOIN parties s ON s.id = c.shipper_id "
                       "LEFT JOIN parties n ON n.id = c.consignee_id "
                       "LEFT JOIN parties p ON p.id = c.notify_id "
                       "LEFT JOIN parties f ON f.id = c.forwarder_id "
                       "WHERE v.imo = ?1 AND v.voyage = ?2 AND v.port_of_call = ?3 "
                       "AND c.master_bl = ?4 AND c.house_bl = ?5");
    head.bind(1, imo);
    head.bind(2, voyage);
    head.bind(3, port_of_call);
    head.bind(4, master_bl);
    head.bind(5, house_bl);
    if (!head.step()) {
        snapshot.release();
        return std::nullopt;
    }
    ConsignmentView view;
    view.id = head.column_int64(0);
    view.vessel_call_id = head.column_int64(1);
    view.master_bl = head.column_text(2);
    view.house_bl = head.column_text(3);
    view.status = head.column_text(4);
    view.revision = head.column_int(5);
    view.message_id = head.column_text(6);
    view.shipper = head.column_text(7);
    view.consignee = head.column_text(8);
    view.notify_party = head.column_text(9);
    view.forwarder = head.column_text(10);
    view.place_of_receipt = head.column_text(11);
    view.port_of_loading = head.column_text(12);
    view.transshipment_ports = split_ports(head.column_text_view(13));
    view.port_of_discharge = head.column_text(14);
    view.place_of_delivery = head.column_text(15);
    head.reset();

    Statement goods(db, "SELECT g.item_number, g.hs_code, g.description, g.packages, "
                        "g.package_type, g.gross_mass_kg, k.number, p.packages "
                        "FROM goods_items g "
                        "LEFT JOIN placements p ON p.goods_item_id = g.id "
                        "LEFT JOIN containers k ON k.id = p.container_id "
                        "WHERE g.consignment_id = ?1 ORDER BY g.item_number, k.number");
    goods.bind(1, view.id);
    while (goods.step()) {
        const int item_number = goods.column_int(0);
        if (view.goods_items.empty() || view.goods_items.back().item_number != item_number) {
            GoodsItemView& item = view.goods_items.emplace_back();
            item.item_number = item_number;
            item.hs_code = goods.column_text(1);
            item.description = goods.column_text(2);
            item.packages = goods.column_int64(3);
            item.package_type = goods.column_text(4);
            item.gross_mass_kg = goods.column_optional_double(5);
        }
        if (!goods.column_is_null(6))
            view.goods_items.back().placements.push_back(
                {goods.column_text(6), goods.column_optional_int64(7)});
    }

    Statement revisions(db, "SELECT r.revision, r.function, r.action, m.message_id, "
                            "r.recorded_at FROM consignment_revisions r "
                            "JOIN messages m ON m.id = r.message_row "
                            "WHERE r.consignment_id = ?1 ORDER BY r.revision");
    revisions.bind(1, view.id);
    while (revisions.step())
        view.revisions.push_back({revisions.column_int(0), revisions.column_text(1),
                                  revisions.column_text(2), revisions.column_text(3),
                                  revisions.column_text(4)});
    snapshot.release();
    return view;
}

std::optional<PartyView> find_party(Database& db, const core::Party& party) {
    Statement stmt(db, "SELECT id, name, country, first_seen, last_seen, times_seen "
                       "FROM parties WHERE party_key = ?1");
    stmt.bind(1, party_key(party));
    if (!stmt.step())
        return std::nullopt;
    PartyView view{stmt.column_int64(0), stmt.column_text(1), stmt.column_text(2),
                   stmt.column_text(3),  stmt.column_text(4), stmt.column_int64(5)};
    stmt.reset();
    return view;
}

std::vector<ContainerView> find_containers(Database& db, std::string_view number) {
    Savepoint snapshot(db, "find_containers");
    Statement head(db, "SELECT id, vessel_call_id, number, size_type, load_status, "
                       "gross_mass_kg, tare_mass_kg FROM containers WHERE number = ?1 "
                       "ORDER BY id");
    Statement seals(db, "SELECT number FROM seals WHERE container_id = ?1 ORDER BY number");
    Statement held(db, "SELECT DISTINCT c.master_bl, c.house_bl FROM placements p "
                       "JOIN goods_items g ON g.id = p.goods_item_id "
                       "JOIN consignments c ON c.id = g.consignment_id "
                       "WHERE p.container_id = ?1 ORDER BY c.master_bl, c.house_bl");
    std::vector<ContainerView> views;
    head.bind(1, number);
    while (head.step()) {
        const std::int64_t container_id = head.column_int64(0);
        ContainerView& view = views.emplace_back();
        view.vessel_call_id = head.column_int64(1);
        view.number = head.column_text(2);
        view.size_type = head.column_text(3);
        view.load_status = head.column_text(4);
        view.gross_mass_kg = head.column_optional_double(5);
        view.tare_mass_kg = head.column_optional_double(6);
        seals.bind(1, container_id);
        while (seals.step())
            view.seals.push_back(seals.column_text(0));
        held.bind(1, container_id);
        while (held.step())
            view.consignments.push_back(bl_name(held.column_text(0), held.column_text(1)));
    }
    snapshot.release();
    return views;
}

} // namespace portscreen::storage
