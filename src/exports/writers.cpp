#include "exports/writers.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <system_error>

namespace portscreen::exports {
namespace {

bool needs_quotes(std::string_view text) {
    return text.find_first_of(",\"\r\n") != std::string_view::npos;
}

/// Text a spreadsheet would take for a formula (or, for TAB and CR, could be made to).
bool looks_like_formula(std::string_view text) {
    if (text.empty())
        return false;
    const char first = text.front();
    return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' ||
           first == '\r';
}

void append_text_field(std::string& out, std::string_view text) {
    const bool guard = looks_like_formula(text);
    if (!guard && !needs_quotes(text)) {
        out += text;
        return;
    }
    if (!needs_quotes(text)) {
        out += '\'';
        out += text;
        return;
    }
    out += '"';
    if (guard)
        out += '\'';
    for (const char c : text) {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
}

void append_field(std::string& out, const Cell& cell) {
    if (const auto* whole = std::get_if<std::int64_t>(&cell)) {
        out += std::to_string(*whole);
    } else if (const auto* real = std::get_if<double>(&cell)) {
        out += format_number(*real);
    } else if (const auto* text = std::get_if<std::string>(&cell)) {
        append_text_field(out, *text);
    }
}

} // namespace

std::string format_number(double value) {
    if (!std::isfinite(value))
        return {};
    // Fixed notation with six decimals covers every double (up to ~310 digits before the point).
    char buffer[400];
    const auto [end, error] =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, 6);
    if (error != std::errc{})
        return {};
    std::string text(buffer, end);
    while (text.back() == '0')
        text.pop_back();
    if (text.back() == '.')
        text.pop_back();
    if (text == "-0")
        text = "0";
    return text;
}

std::string to_csv(const Table& table) {
    std::string out;
    for (std::size_t column = 0; column < table.columns.size(); ++column) {
        if (column > 0)
            out += ',';
        append_text_field(out, table.columns[column]);
    }
    out += "\r\n";
    for (const auto& row : table.rows) {
        for (std::size_t column = 0; column < row.size(); ++column) {
            if (column > 0)
                out += ',';
            append_field(out, row[column]);
        }
        out += "\r\n";
    }
    return out;
}

std::string to_csv(std::span<const Table> tables) {
    std::string out;
    for (std::size_t index = 0; index < tables.size(); ++index) {
        if (index > 0)
            out += "\r\n";
        append_text_field(out, tables[index].name);
        out += "\r\n";
        out += to_csv(tables[index]);
    }
    return out;
}

std::string to_json(const Table& table) {
    using Json = nlohmann::ordered_json;
    Json rows = Json::array();
    for (const auto& row : table.rows) {
        Json object = Json::object();
        for (std::size_t column = 0; column < table.columns.size(); ++column) {
            const Cell empty;
            const Cell& cell = column < row.size() ? row[column] : empty;
            Json value;
            if (const auto* whole = std::get_if<std::int64_t>(&cell))
                value = *whole;
            else if (const auto* real = std::get_if<double>(&cell); real && std::isfinite(*real))
                value = *real;
            else if (const auto* text = std::get_if<std::string>(&cell))
                value = *text;
            object[table.columns[column]] = std::move(value);
        }
        rows.push_back(std::move(object));
    }
    return rows.dump(-1, ' ', false, Json::error_handler_t::replace);
}

} // namespace portscreen::exports
