#pragma once

#include "exports/exports.hpp"

#include <span>
#include <string>

/// Writes tables as CSV, XLSX or JSON, returned as bytes for a file or an HTTP body.
namespace portscreen::exports {

/// RFC 4180: the header row, then one record per row, CRLF line ends; a field holding a comma,
/// quote, CR or LF is quoted with quotes doubled. Whole numbers are written as such, real
/// numbers with at most six decimals and no trailing zeros (12.5, 0.333333), empty cells and
/// non-finite numbers as empty fields. Text that begins with = + - @ TAB or CR gets a leading
/// apostrophe so that a spreadsheet never runs it as a formula (OWASP, CSV injection); numbers
/// are never guarded, so -3 stays -3.
std::string to_csv(const Table& table);

/// Several tables in one CSV text, for exports that are more than one table: each table is
/// preceded by a record holding only its name and followed by an empty line, except the last.
std::string to_csv(std::span<const Table> tables);

/// An XLSX workbook, one worksheet per table (named from Table::name: characters Excel forbids
/// become '_', cut to 31 characters), header row bold and frozen, numbers as numbers, column
/// widths from the content (capped). Cells are written as values, never as formulas. Throws
/// std::runtime_error naming the worksheet and cell when the library refuses something (e.g. a
/// text longer than 32767 characters, more than 1048575 rows) or the file cannot be written.
std::string to_xlsx(std::span<const Table> tables);

/// A JSON array with one object per row, keyed by column name in column order; empty cells and
/// non-finite numbers are null. Invalid UTF-8 in text is replaced by U+FFFD.
std::string to_json(const Table& table);

/// A real number as to_csv writes it: at most six decimals, no trailing zeros, no "-0".
std::string format_number(double value);

} // namespace portscreen::exports
