#pragma once

#include "storage/database.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

/// What a programme manager exports from a node for a period of days: selections, inspection
/// outcomes and a CEN-style seizure report, each as a table that the writers (writers.hpp) turn
/// into CSV, XLSX or JSON. Every function here only reads the database, in a snapshot of its
/// own: call them on a reader connection (or the writer) outside a transaction.
namespace portscreen::exports {

/// One value of a table: empty (SQL NULL), a whole number, a real number or text. Numbers stay
/// numbers so that a spreadsheet can sum them and CSV never guards them as formulas.
using Cell = std::variant<std::monostate, std::int64_t, double, std::string>;

/// A named table with a header; every row has one cell per column.
struct Table {
    std::string name; ///< the worksheet's name in XLSX (at most 31 characters are kept)
    std::vector<std::string> columns;
    std::vector<std::vector<Cell>> rows;
};

/// Days from `from` to `to`, both included, as YYYY-MM-DD. A container belongs to the day of
/// its vessel call's ETA, a selection to its `day` and an outcome to its `inspected_on`.
struct Period {
    std::string from;
    std::string to;
};

/// The longest period accepted, in days: ten years, so that one request cannot ask a node for
/// its whole history by mistake.
inline constexpr int kMaxPeriodDays = 3660;

/// Validates a period given by a user (command line, HTTP query): both dates real calendar
/// days as YYYY-MM-DD, `from` not after `to`, at most kMaxPeriodDays days. Throws
/// std::invalid_argument naming the parameter (`from`, `to`) and every problem at once.
Period parse_period(std::string_view from, std::string_view to);

/// The containers selected on the days of the period, one row each: the day's selection
/// (`selections`) and the officers' own selections kept only in `workflow` (source manual, the
/// day of the call's ETA), with where each now stands and its outcome. Columns: day,
/// container_number, vessel_name, imo, voyage, lane, source, random, score, reason, decided_by,
/// decided_at, state, outcome. Ordered by day, then container number.
Table selections(storage::Database& db, const Period& period);

/// The inspection outcomes recorded for the days of the period (by `inspected_on`), with why each
/// container was selected (`none` when it was not). Ordered by day, then container number.
Table outcomes(storage::Database& db, const Period& period);

/// Seizures of the period in the manner of the WCO Customs Enforcement Network report, without
/// names of people or parties: where and when, the container, its bills of lading (master B/L
/// numbers), routes, HS codes and declared goods, what was found, how it was hidden and
/// detected, and why the container was selected.
Table seizure_report(storage::Database& db, const Period& period);

} // namespace portscreen::exports
