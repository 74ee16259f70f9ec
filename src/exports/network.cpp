#include "exports/network.hpp"

#include <nlohmann/json.hpp>

#include <utility>

namespace portscreen::exports {
namespace {

using storage::Database;
using storage::Statement;

/// The node's own outcomes and the received ones as one relation with the same columns: rank
/// (0 own, 1 received), unit, then the columns of the network outcomes table. ?1 and ?2 are
/// the period, ?3 the own unit's name.
constexpr const char* kNetworkOutcomes =
    "SELECT 0 AS rank, ?3 AS unit, o.inspected_on, c.number AS container, v.port_of_call, "
    "  o.method, o.result, o.category, o.description, o.quantity, o.unit AS quantity_unit, "
    "  o.concealment, o.detection, o.place "
    "FROM outcomes o JOIN containers c ON c.id = o.container_id "
    "JOIN vessel_calls v ON v.id = c.vessel_call_id "
    "WHERE o.inspected_on BETWEEN ?1 AND ?2 "
    "UNION ALL "
    "SELECT 1, s.origin, s.inspected_on, s.container, s.port_of_call, s.method, s.result, "
    "  s.category, s.description, s.quantity, s.unit, s.concealment, s.detection, s.place "
    "FROM shared_outcomes s WHERE s.inspected_on BETWEEN ?1 AND ?2";

Cell column_cell(const Statement& row, int column) {
    if (row.column_is_null(column))
        return std::monostate{};
    return row.column_text(column);
}

} // namespace

std::string own_unit_name(std::string_view own_unit) {
    return std::string(own_unit.empty() ? kThisNode : own_unit);
}

Table network_outcomes(Database& db, const Period& period, std::string_view own_unit) {
    Table table{"network_outcomes",
                {"unit", "inspected_on", "container_number", "port_of_call", "method", "result",
                 "category", "description", "quantity", "quantity_unit", "concealment", "detection",
                 "place"},
                {}};
    storage::Transaction snapshot(db, storage::TransactionMode::deferred);
    Statement query(db, std::string("SELECT unit, inspected_on, container, port_of_call, method, "
                                    "result, category, description, quantity, quantity_unit, "
                                    "concealment, detection, place FROM (")
                            .append(kNetworkOutcomes)
                            .append(") ORDER BY rank, unit, inspected_on, container"));
    query.bind(1, period.from);
    query.bind(2, period.to);
    query.bind(3, own_unit_name(own_unit));
    constexpr int kQuantity = 8;
    while (query.step()) {
        std::vector<Cell> row;
        row.reserve(table.columns.size());
        for (int column = 0; column < static_cast<int>(table.columns.size()); ++column) {
            if (column == kQuantity && !query.column_is_null(column))
                row.emplace_back(query.column_double(column));
            else
                row.push_back(column_cell(query, column));
        }
        table.rows.push_back(std::move(row));
    }
    snapshot.commit();
    return table;
}

std::vector<UnitStatistics> network_statistics(Database& db, const Period& period,
                                               std::string_view own_unit) {
    std::vector<UnitStatistics> units;
    units.push_back(UnitStatistics{own_unit_name(own_unit), true, 0, 0, 0, {}});
    storage::Transaction snapshot(db, storage::TransactionMode::deferred);
    Statement query(db, std::string("SELECT rank, unit, result, category, COUNT(*) FROM (")
                            .append(kNetworkOutcomes)
                            .append(") GROUP BY rank, unit, result, category "
                                    "ORDER BY rank, unit, category"));
    query.bind(1, period.from);
    query.bind(2, period.to);
    query.bind(3, own_unit_name(own_unit));
    while (query.step()) {
        const bool own = query.column_int64(0) == 0;
        std::string unit = query.column_text(1);
        // Rows come grouped by unit, own first: a new unit starts a new entry.
        if (!own && (units.back().own || units.back().unit != unit))
            units.push_back(UnitStatistics{std::move(unit), false, 0, 0, 0, {}});
        auto& current = units.back();
        const std::string result = query.column_text(2);
        const std::int64_t count = query.column_int64(4);
        current.outcomes += count;
        if (result == "seizure") {
            current.seizures += count;
            current.seizures_by_category.emplace_back(query.column_text(3), count);
        } else {
            current.no_finds += count;
        }
    }
    snapshot.commit();
    return units;
}

std::vector<Table> network_statistics_tables(const std::vector<UnitStatistics>& units) {
    Table summary{"units", {"unit", "outcomes", "no_finds", "seizures"}, {}};
    Table categories{"seizures_by_category", {"unit", "category", "seizures"}, {}};
    for (const auto& unit : units) {
        summary.rows.push_back({unit.unit, unit.outcomes, unit.no_finds, unit.seizures});
        for (const auto& [category, seizures] : unit.seizures_by_category)
            categories.rows.push_back({unit.unit, category, seizures});
    }
    std::vector<Table> tables;
    tables.push_back(std::move(summary));
    tables.push_back(std::move(categories));
    return tables;
}

std::string network_statistics_json(const Period& period,
                                    const std::vector<UnitStatistics>& units) {
    using Json = nlohmann::ordered_json;
    Json out;
    out["from"] = period.from;
    out["to"] = period.to;
    Json list = Json::array();
    std::int64_t outcomes = 0;
    std::int64_t no_finds = 0;
    std::int64_t seizures = 0;
    for (const auto& unit : units) {
        Json categories = Json::array();
        for (const auto& [category, count] : unit.seizures_by_category)
            categories.push_back({{"category", category}, {"seizures", count}});
        list.push_back({{"unit", unit.unit},
                        {"own", unit.own},
                        {"outcomes", unit.outcomes},
                        {"no_finds", unit.no_finds},
                        {"seizures", unit.seizures},
                        {"seizures_by_category", std::move(categories)}});
        outcomes += unit.outcomes;
        no_finds += unit.no_finds;
        seizures += unit.seizures;
    }
    out["units"] = std::move(list);
    out["totals"] = {{"outcomes", outcomes}, {"no_finds", no_finds}, {"seizures", seizures}};
    return out.dump();
}

} // namespace portscreen::exports
