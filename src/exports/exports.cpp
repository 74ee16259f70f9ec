#include "exports/exports.hpp"

#include "exports/selected.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

namespace portscreen::exports {
namespace {

using storage::Database;
using storage::Statement;

/// The calendar day of a YYYY-MM-DD text, or nothing when it is not one.
std::optional<std::chrono::sys_days> parse_day(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-')
        return std::nullopt;
    int parts[3] = {0, 0, 0};
    const std::pair<std::size_t, std::size_t> spans[3] = {{0, 4}, {5, 2}, {8, 2}};
    for (std::size_t part = 0; part < 3; ++part) {
        for (std::size_t at = spans[part].first; at < spans[part].first + spans[part].second;
             ++at) {
            if (text[at] < '0' || text[at] > '9')
                return std::nullopt;
            parts[part] = parts[part] * 10 + (text[at] - '0');
        }
    }
    const std::chrono::year_month_day day{std::chrono::year{parts[0]},
                                          std::chrono::month{static_cast<unsigned>(parts[1])},
                                          std::chrono::day{static_cast<unsigned>(parts[2])}};
    if (!day.ok())
        return std::nullopt;
    return std::chrono::sys_days{day};
}

Cell text_cell(const Statement& row, int column) {
    if (row.column_is_null(column))
        return std::monostate{};
    return row.column_text(column);
}

Cell real_cell(const Statement& row, int column) {
    if (row.column_is_null(column))
        return std::monostate{};
    return row.column_double(column);
}

/// Adds `value` to a "; "-joined list unless it is empty or already there.
void add_distinct(std::string& list, std::vector<std::string>& seen, std::string_view value) {
    if (value.empty())
        return;
    for (const auto& known : seen) {
        if (known == value)
            return;
    }
    seen.emplace_back(value);
    if (!list.empty())
        list += "; ";
    list += value;
}

/// Why a container was selected, as SQL over the aliases `s` (selections) and `w` (workflow).
constexpr const char* kSelectionSource = "COALESCE(s.source, NULLIF(w.source, ''), 'none')";

} // namespace

Period parse_period(std::string_view from, std::string_view to) {
    std::vector<std::string> problems;
    const auto first = parse_day(from);
    const auto last = parse_day(to);
    if (!first)
        problems.push_back(
            std::string("from '").append(from).append("' is not a calendar day as YYYY-MM-DD"));
    if (!last)
        problems.push_back(
            std::string("to '").append(to).append("' is not a calendar day as YYYY-MM-DD"));
    if (first && last) {
        const auto days = (*last - *first).count() + 1;
        if (days < 1)
            problems.push_back(
                std::string("from ").append(from).append(" is after to ").append(to));
        else if (days > kMaxPeriodDays)
            problems.push_back(std::string("the period from ")
                                   .append(from)
                                   .append(" to ")
                                   .append(to)
                                   .append(" covers ")
                                   .append(std::to_string(days))
                                   .append(" days; at most ")
                                   .append(std::to_string(kMaxPeriodDays))
                                   .append(" are allowed"));
    }
    if (!problems.empty()) {
        std::string message = problems.front();
        for (std::size_t index = 1; index < problems.size(); ++index)
            message.append("; ").append(problems[index]);
        throw std::invalid_argument(message);
    }
    return Period{std::string(from), std::string(to)};
}

namespace detail {

std::vector<SelectedContainer> selected_containers(Database& db, const Period& period) {
    // The officers' own selections have a workflow row but no selections row; their decision is
    // the newest `select` transition (the row's updated_* follow later actions).
    Statement query(
        db, "SELECT s.day, c.number, v.vessel_name, v.imo, v.voyage, s.lane, s.source, s.random, "
            "  s.score, s.reason, s.decided_by, s.decided_at, w.state, o.result, c.id "
            "FROM selections s JOIN containers c ON c.id = s.container_id "
            "JOIN vessel_calls v ON v.id = c.vessel_call_id "
            "LEFT JOIN workflow w ON w.container_id = s.container_id "
            "LEFT JOIN outcomes o ON o.container_id = s.container_id "
            "WHERE s.day BETWEEN ?1 AND ?2 "
            "UNION ALL "
            "SELECT substr(v.eta, 1, 10), c.number, v.vessel_name, v.imo, v.voyage, w.lane, "
            "  w.source, 0, sc.score, w.reason, "
            "  COALESCE((SELECT t.actor FROM workflow_transitions t WHERE t.container_id = c.id "
            "            AND t.action = 'select' ORDER BY t.id DESC LIMIT 1), w.updated_by), "
            "  COALESCE((SELECT t.at FROM workflow_transitions t WHERE t.container_id = c.id "
            "            AND t.action = 'select' ORDER BY t.id DESC LIMIT 1), w.updated_at), "
            "  w.state, o.result, c.id "
            "FROM workflow w JOIN containers c ON c.id = w.container_id "
            "JOIN vessel_calls v ON v.id = c.vessel_call_id "
            "LEFT JOIN scores sc ON sc.container_id = w.container_id "
            "LEFT JOIN outcomes o ON o.container_id = w.container_id "
            "WHERE w.source = 'manual' AND v.eta >= ?1 AND v.eta < date(?2, '+1 day') "
            "  AND NOT EXISTS (SELECT 1 FROM selections s WHERE s.container_id = w.container_id) "
            "ORDER BY 1, 2, 15");
    query.bind(1, period.from);
    query.bind(2, period.to);
    std::vector<SelectedContainer> rows;
    while (query.step()) {
        SelectedContainer row;
        row.day = query.column_text(0);
        row.container_number = query.column_text(1);
        row.vessel_name = query.column_text(2);
        row.imo = query.column_text(3);
        row.voyage = query.column_text(4);
        row.lane = query.column_text(5);
        row.source = query.column_text(6);
        row.random = query.column_int64(7) != 0;
        row.score = query.column_optional_double(8);
        row.reason = query.column_text(9);
        row.decided_by = query.column_text(10);
        row.decided_at = query.column_text(11);
        row.state = query.column_is_null(12) ? "selected" : query.column_text(12);
        row.result = query.column_text(13);
        row.container_id = query.column_int64(14);
        rows.push_back(std::move(row));
    }
    return rows;
}

} // namespace detail

Table selections(Database& db, const Period& period) {
    Table table{"selections",
                {"day", "container_number", "vessel_name", "imo", "voyage", "lane", "source",
                 "random", "score", "reason", "decided_by", "decided_at", "state", "outcome"},
                {}};
    storage::Transaction snapshot(db, storage::TransactionMode::deferred);
    for (auto& row : detail::selected_containers(db, period)) {
        table.rows.push_back(
            {std::move(row.day), std::move(row.container_number), std::move(row.vessel_name),
             std::move(row.imo), std::move(row.voyage), std::move(row.lane), std::move(row.source),
             std::int64_t{row.random ? 1 : 0}, row.score ? Cell{*row.score} : Cell{},
             std::move(row.reason), std::move(row.decided_by), std::move(row.decided_at),
             std::move(row.state), row.result.empty() ? Cell{} : Cell{std::move(row.result)}});
    }
    snapshot.commit();
    return table;
}

Table outcomes(Database& db, const Period& period) {
    Table table{"outcomes",
                {"inspected_on", "container_number", "vessel_name", "voyage", "selection_source",
                 "method", "result", "category", "description", "quantity", "unit", "concealment",
                 "detection", "place", "recorded_by", "recorded_at"},
                {}};
    storage::Transaction snapshot(db, storage::TransactionMode::deferred);
    Statement query(db, std::string("SELECT o.inspected_on, c.number, v.vessel_name, v.voyage, ")
                            .append(kSelectionSource)
                            .append(", o.method, o.result, o.category, o.description, "
                                    "o.quantity, o.unit, o.concealment, o.detection, o.place, "
                                    "o.recorded_by, o.recorded_at "
                                    "FROM outcomes o JOIN containers c ON c.id = o.container_id "
                                    "JOIN vessel_calls v ON v.id = c.vessel_call_id "
                                    "LEFT JOIN selections s ON s.container_id = o.container_id "
                                    "LEFT JOIN workflow w ON w.container_id = o.container_id "
                                    "WHERE o.inspected_on BETWEEN ?1 AND ?2 "
                                    "ORDER BY o.inspected_on, c.number, c.id"));
    query.bind(1, period.from);
    query.bind(2, period.to);
    while (query.step()) {
        std::vector<Cell> row;
        row.reserve(table.columns.size());
        for (int column = 0; column < static_cast<int>(table.columns.size()); ++column)
            row.push_back(column == 9 ? real_cell(query, column) : text_cell(query, column));
        table.rows.push_back(std::move(row));
    }
    snapshot.commit();
    return table;
}

Table seizure_report(Database& db, const Period& period) {
    Table table{"seizures",
                {"seizure_date", "port_of_call", "container_number", "size_type", "master_bls",
                 "ports_of_loading", "transshipment_ports", "ports_of_discharge",
                 "places_of_delivery", "hs_codes", "goods_description", "category", "description",
                 "quantity", "unit", "concealment", "detection", "place", "selection_source"},
                {}};
    storage::Transaction snapshot(db, storage::TransactionMode::deferred);
    Statement seizures(db, std::string("SELECT o.inspected_on, v.port_of_call, c.number, "
                                       "c.size_type, o.category, o.description, o.quantity, "
                                       "o.unit, o.concealment, o.detection, o.place, ")
                               .append(kSelectionSource)
                               .append(", c.id "
                                       "FROM outcomes o JOIN containers c ON c.id = o.container_id "
                                       "JOIN vessel_calls v ON v.id = c.vessel_call_id "
                                       "LEFT JOIN selections s ON s.container_id = o.container_id "
                                       "LEFT JOIN workflow w ON w.container_id = o.container_id "
                                       "WHERE o.result = 'seizure' "
                                       "AND o.inspected_on BETWEEN ?1 AND ?2 "
                                       "ORDER BY o.inspected_on, c.number, c.id"));
    // The container's declared goods through its placements, current (active) B/Ls only.
    Statement goods(db, "SELECT k.master_bl, k.port_of_loading, k.transshipment_ports, "
                        "k.port_of_discharge, k.place_of_delivery, g.hs_code, g.description "
                        "FROM placements p JOIN goods_items g ON g.id = p.goods_item_id "
                        "JOIN consignments k ON k.id = g.consignment_id "
                        "WHERE p.container_id = ?1 AND k.status = 'active' "
                        "ORDER BY k.master_bl, k.house_bl, g.item_number");
    seizures.bind(1, period.from);
    seizures.bind(2, period.to);
    while (seizures.step()) {
        constexpr int kLists = 7; // master B/L, 4 route lists, HS codes, goods
        std::string lists[kLists];
        std::vector<std::string> seen[kLists];
        goods.bind(1, seizures.column_int64(12));
        while (goods.step()) {
            for (int list = 0; list < kLists; ++list) {
                const std::string_view value = goods.column_text_view(list);
                if (list != 2) {
                    add_distinct(lists[list], seen[list], value);
                    continue;
                }
                // transshipment ports are stored joined by ","
                std::size_t start = 0;
                while (start <= value.size()) {
                    const std::size_t comma = std::min(value.find(',', start), value.size());
                    add_distinct(lists[list], seen[list], value.substr(start, comma - start));
                    start = comma + 1;
                }
            }
        }
        std::vector<Cell> row;
        row.reserve(table.columns.size());
        for (int column = 0; column < 4; ++column)
            row.push_back(text_cell(seizures, column));
        for (auto& list : lists)
            row.emplace_back(std::move(list));
        for (int column = 4; column < 12; ++column)
            row.push_back(column == 6 ? real_cell(seizures, column) : text_cell(seizures, column));
        table.rows.push_back(std::move(row));
    }
    snapshot.commit();
    return table;
}

} // namespace portscreen::exports
