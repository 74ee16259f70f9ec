#pragma once

#include "exports/exports.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// The network view of a node that receives outcomes from other ports (a hub, or any port with
/// peers): its own inspection outcomes and every received one (table shared_outcomes), each
/// under the unit that recorded it, for the programme's statistics. The rows carry no names of
/// people: received outcomes come without them, and the node's own are shown the same way.
namespace portscreen::exports {

/// The unit name of the node's own rows when it has no identity for sharing.
inline constexpr std::string_view kThisNode = "this node";

/// The name the node's own rows carry: `own_unit`, or kThisNode when that is empty.
std::string own_unit_name(std::string_view own_unit);

/// The outcomes of the period (by inspection day), own and received. Columns: unit,
/// inspected_on, container_number, port_of_call, method, result, category, description,
/// quantity, quantity_unit, concealment, detection, place. The node's own rows come first
/// (unit `own_unit_name(own_unit)`), then the received ones by unit; within a unit by day, then
/// container number.
Table network_outcomes(storage::Database& db, const Period& period, std::string_view own_unit);

/// What one unit's inspections found in the period.
struct UnitStatistics {
    std::string unit;
    bool own = false;          ///< this node's own outcomes
    std::int64_t outcomes = 0; ///< inspections recorded, no-finds included
    std::int64_t no_finds = 0;
    std::int64_t seizures = 0;
    /// Seizures per category, by category name; categories without seizures are left out.
    std::vector<std::pair<std::string, std::int64_t>> seizures_by_category;
};

/// Per unit, for the period: this node first (always, even with nothing recorded), then every
/// unit with received outcomes in the period, by name. A unit's figures equal those of its own
/// `outcomes` export for the same period.
std::vector<UnitStatistics> network_statistics(storage::Database& db, const Period& period,
                                               std::string_view own_unit);

/// The network statistics as tables for CSV and XLSX: `units` (unit, outcomes, no_finds,
/// seizures) and `seizures_by_category` (unit, category, seizures).
std::vector<Table> network_statistics_tables(const std::vector<UnitStatistics>& units);

/// The network statistics as JSON:
///
///     {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD",
///      "units": [{"unit": "BEANR-PCU", "own": true, "outcomes": n, "no_finds": n,
///                 "seizures": n, "seizures_by_category": [{"category": "drugs",
///                 "seizures": n}, ...]}, ...],
///      "totals": {"outcomes": n, "no_finds": n, "seizures": n}}
std::string network_statistics_json(const Period& period, const std::vector<UnitStatistics>& units);

} // namespace portscreen::exports
