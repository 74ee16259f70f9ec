#include "watchlist.hpp"

#include "core/codes.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <functional>
#include <utility>

namespace portscreen::profiling {
namespace {

// ---------------------------------------------------------------------------------------------
// Small text helpers.

char to_upper(char c) {
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

bool is_upper_letter(char c) {
    return c >= 'A' && c <= 'Z';
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

std::string_view trim(std::string_view text) {
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!text.empty() && is_space(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && is_space(text.back()))
        text.remove_suffix(1);
    return text;
}

std::string upper(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), to_upper);
    return out;
}

// ASCII letters and digits of `text` in upper case: the comparable form of container, B/L and
// IMO numbers, which manifests write with spaces, hyphens, slashes or dots.
std::string letters_and_digits(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const char u = to_upper(c);
        if (is_upper_letter(u) || is_digit(u))
            out.push_back(u);
    }
    return out;
}

// Letters of other scripts count: their UTF-8 bytes are all above 0x7F.
bool has_letter_or_digit(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char c) {
        const char u = to_upper(c);
        return is_upper_letter(u) || is_digit(u) || static_cast<unsigned char>(c) >= 0x80;
    });
}

std::string in_quotes(std::string_view text) {
    return "'" + std::string(text) + "'";
}

std::string format_number(double value) {
    std::array<char, 32> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%g", value);
    return buffer.data();
}

std::string format_similarity(double value) {
    std::array<char, 16> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%.2f", value);
    return buffer.data();
}

// ---------------------------------------------------------------------------------------------
// Codes.

bool is_leap_year(int year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

// YYYY-MM-DD naming a day of the Gregorian calendar.
bool is_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-')
        return false;
    for (const std::size_t index : {0, 1, 2, 3, 5, 6, 8, 9}) {
        if (!is_digit(text[index]))
            return false;
    }
    const auto number = [&](std::size_t from, std::size_t count) {
        int value = 0;
        for (std::size_t index = from; index < from + count; ++index)
            value = value * 10 + (text[index] - '0');
        return value;
    };
    const int year = number(0, 4);
    const int month = number(5, 2);
    const int day = number(8, 2);
    if (year < 1900 || month < 1 || month > 12 || day < 1)
        return false;
    constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const int last = month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
    return day <= last;
}

bool is_container_category(char c) {
    return c == 'U' || c == 'J' || c == 'Z';
}

// Three owner letters, a category letter and six digits, with or without the check digit.
bool has_container_shape(std::string_view number) {
    if (number.size() != 10 && number.size() != 11)
        return false;
    for (std::size_t index = 0; index < 3; ++index) {
        if (!is_upper_letter(number[index]))
            return false;
    }
    if (!is_container_category(number[3]))
        return false;
    return std::all_of(number.begin() + 4, number.end(), is_digit);
}

// A container's owner, category and serial (its first ten characters) packed into an integer,
// so that the table lookup on every container neither allocates nor hashes a string.
std::uint64_t pack_container(std::string_view first_ten) {
    std::uint64_t packed = 0;
    for (const char c : first_ten.substr(0, 10))
        packed = packed * 36 + static_cast<std::uint64_t>(is_digit(c) ? c - '0' : c - 'A' + 10);
    return packed;
}

// ---------------------------------------------------------------------------------------------
// Route patterns.

// A place (a UN/LOCODE) or a country as up to five characters packed into an integer; the
// country of a place is its low 16 bits.
std::uint64_t pack_place(std::string_view code) {
    std::uint64_t packed = 0;
    for (std::size_t index = 0; index < code.size() && index < 8; ++index)
        packed |= static_cast<std::uint64_t>(static_cast<unsigned char>(code[index]))
                  << (8 * index);
    return packed;
}

constexpr std::uint64_t kCountryMask = 0xFFFF;

struct RouteStep {
    std::uint64_t code = 0;
    bool country = false; ///< matches every place of the country

    bool matches(std::uint64_t place) const {
        return country ? (place & kCountryMask) == code : place == code;
    }
};

// UN/LOCODE location codes use letters and the digits 2 to 9.
bool is_locode(std::string_view code) {
    return code.size() == 5 && is_upper_letter(code[0]) && is_upper_letter(code[1]) &&
           std::all_of(code.begin() + 2, code.end(),
                       [](char c) { return is_upper_letter(c) || (c >= '2' && c <= '9'); });
}

bool is_country(std::string_view code) {
    return code.size() == 2 && is_upper_letter(code[0]) && is_upper_letter(code[1]);
}

// A place as manifests write it, without spaces ("AE JEA"), in upper case.
std::string place_code(std::string_view text) {
    std::string code;
    for (const char c : text) {
        if (c != ' ')
            code.push_back(to_upper(c));
    }
    return code;
}

// Parses "PKKHI > * > AE" into its steps (wildcards dropped: gaps are always allowed) and its
// canonical text. Returns an empty error on success.
std::string parse_route_pattern(std::string_view pattern, std::vector<RouteStep>& steps,
                                std::string& canonical) {
    steps.clear();
    canonical.clear();
    std::size_t step_number = 0;
    std::size_t start = 0;
    while (start <= pattern.size()) {
        const auto end = std::min(pattern.find('>', start), pattern.size());
        ++step_number;
        const auto token = place_code(trim(pattern.substr(start, end - start)));
        if (token.empty())
            return "route pattern " + in_quotes(pattern) + ": step " + std::to_string(step_number) +
                   " is empty (write steps as 'PKKHI > AEJEA > KE')";
        if (token != "*" && !is_country(token) && !is_locode(token))
            return "route pattern " + in_quotes(pattern) + ": step " + std::to_string(step_number) +
                   " " + in_quotes(token) +
                   " is not a UN/LOCODE (5 characters), a country (2 letters) or *";
        if (token != "*")
            steps.push_back({pack_place(token), token.size() == 2});
        if (!canonical.empty())
            canonical += " > ";
        canonical += token;
        start = end + 1;
    }
    if (steps.empty())
        return "route pattern " + in_quotes(pattern) + " names no place or country";
    return {};
}

// The places of a consignment in route order, without empty or malformed codes and without
// repeats of the same place in a row (the place of receipt is often the port of loading).
template <typename Sink> void route_places(const ConsignmentFacts& consignment, Sink&& sink) {
    std::uint64_t last = 0;
    const auto add = [&](const std::string& text) {
        std::array<char, 5> code{};
        std::size_t size = 0;
        for (const char c : text) {
            if (c == ' ')
                continue;
            if (size == code.size())
                return; // longer than a UN/LOCODE: a place name, not a code
            code[size++] = to_upper(c);
        }
        if (size != code.size() || !is_locode({code.data(), size}))
            return;
        const auto packed = pack_place({code.data(), size});
        if (packed != last)
            sink(packed);
        last = packed;
    };
    add(consignment.place_of_receipt);
    add(consignment.port_of_loading);
    for (const auto& port : consignment.transshipment_ports)
        add(port);
    add(consignment.port_of_discharge);
    add(consignment.place_of_delivery);
}

std::string place_text(std::uint64_t packed) {
    std::string text;
    for (; packed != 0; packed >>= 8)
        text.push_back(static_cast<char>(packed & 0xFF));
    return text;
}

// ---------------------------------------------------------------------------------------------
// Validation shared by the parsers and the Watchlist constructor.

struct Problem {
    std::string field;
    std::string message;
};

constexpr std::string_view kKindNames = "party, container, vessel, bill_of_lading, route";
constexpr std::size_t kMaxBillLength = 35; // an..35 in CUSCAR

void canonicalize_value(WatchEntry& entry, std::vector<Problem>& problems) {
    const auto value = std::string(trim(entry.value));
    const auto problem = [&](std::string message) {
        problems.push_back({"value", std::move(message)});
    };
    if (value.empty()) {
        problem("missing; give the " + std::string(to_string(entry.kind)) + " to watch for");
        return;
    }
    switch (entry.kind) {
    case WatchKind::party:
        if (!has_letter_or_digit(normalize_party_name(value))) {
            problem(in_quotes(value) + " has no letters or digits to match");
            return;
        }
        entry.value = value;
        return;
    case WatchKind::container: {
        const auto number = letters_and_digits(value);
        if (number.size() != 11 || !has_container_shape(number)) {
            problem(in_quotes(value) +
                    " is not a container number (3 owner letters, U, J or Z, 6 digits and a check "
                    "digit)");
            return;
        }
        const auto expected = core::iso6346_check_digit(number.substr(0, 10));
        if (expected && *expected != number[10] - '0') {
            problem(in_quotes(value) + " has check digit " + number.substr(10) + ", expected " +
                    std::to_string(*expected));
            return;
        }
        entry.value = number;
        return;
    }
    case WatchKind::vessel: {
        auto digits = letters_and_digits(value);
        if (digits.starts_with("IMO"))
            digits.erase(0, 3);
        if (digits.size() != 7 || !std::all_of(digits.begin(), digits.end(), is_digit)) {
            problem(in_quotes(value) + " is not an IMO number (7 digits, optionally after 'IMO')");
            return;
        }
        const auto expected = core::imo_check_digit(std::string_view(digits).substr(0, 6));
        if (expected && *expected != digits[6] - '0') {
            problem("IMO number " + in_quotes(value) + " has check digit " + digits.substr(6) +
                    ", expected " + std::to_string(*expected));
            return;
        }
        entry.value = digits;
        return;
    }
    case WatchKind::bill_of_lading: {
        const auto number = letters_and_digits(value);
        if (number.empty()) {
            problem(in_quotes(value) + " has no letters or digits");
            return;
        }
        if (number.size() > kMaxBillLength) {
            problem(in_quotes(value) + " is longer than " + std::to_string(kMaxBillLength) +
                    " letters and digits");
            return;
        }
        entry.value = number;
        return;
    }
    case WatchKind::route: {
        std::vector<RouteStep> steps;
        std::string canonical;
        auto error = parse_route_pattern(value, steps, canonical);
        if (!error.empty()) {
            problem(std::move(error));
            return;
        }
        entry.value = canonical;
        return;
    }
    }
}

// Checks an entry and puts its value, country and text fields in canonical form.
std::vector<Problem> canonicalize(WatchEntry& entry) {
    std::vector<Problem> problems;
    entry.id = std::string(trim(entry.id));
    if (entry.id.empty())
        problems.push_back({"id", "missing; give each entry an id unique within the list"});
    canonicalize_value(entry, problems);

    const auto country = upper(trim(entry.country));
    if (!country.empty() && entry.kind != WatchKind::party)
        problems.push_back({"country", "only party entries have a country"});
    else if (!country.empty() && !is_country(country))
        problems.push_back(
            {"country", in_quotes(entry.country) + " is not an ISO 3166 alpha-2 code (2 letters)"});
    else
        entry.country = country;

    entry.reason = std::string(trim(entry.reason));
    if (entry.reason.empty())
        problems.push_back({"reason", "missing; say in plain words why the entry is listed"});
    entry.source = std::string(trim(entry.source));
    if (entry.source.empty())
        problems.push_back({"source", "missing; say who listed the entry"});

    entry.expires = std::string(trim(entry.expires));
    if (!entry.expires.empty() && !is_date(entry.expires))
        problems.push_back({"expires", in_quotes(entry.expires) + " is not a date (YYYY-MM-DD)"});

    if (entry.points &&
        !(std::isfinite(*entry.points) && *entry.points >= 0.0 && *entry.points <= 100.0))
        problems.push_back({"points", format_number(*entry.points) + " is not within 0..100"});
    return problems;
}

// The optional text fields of an entry as an import gives them, before interpretation.
struct RawEntry {
    std::optional<std::string> id, kind, value, country, reason, source, expires, points;
};

// Turns the text of an import into an entry; `problems` receive what is wrong. `number_points`
// is set when the points came as a JSON number.
WatchEntry interpret(const RawEntry& raw, std::optional<double> number_points,
                     std::vector<Problem>& problems) {
    WatchEntry entry;
    entry.id = raw.id.value_or("");
    const auto kind_text = std::string(trim(raw.kind.value_or("")));
    bool kind_known = true;
    if (kind_text.empty()) {
        problems.push_back({"kind", "missing; one of " + std::string(kKindNames)});
        kind_known = false;
    } else if (const auto kind = parse_watch_kind(kind_text)) {
        entry.kind = *kind;
    } else {
        problems.push_back(
            {"kind", in_quotes(kind_text) + " is not a kind (" + std::string(kKindNames) + ")"});
        kind_known = false;
    }
    entry.value = raw.value.value_or("");
    entry.country = raw.country.value_or("");
    entry.reason = raw.reason.value_or("");
    entry.source = raw.source.value_or("");
    entry.expires = raw.expires.value_or("");
    entry.points = number_points;
    if (raw.points && !trim(*raw.points).empty()) {
        const auto text = trim(*raw.points);
        double value = 0.0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error != std::errc{} || end != text.data() + text.size())
            problems.push_back({"points", in_quotes(text) + " is not a number"});
        else
            entry.points = value;
    }
    auto found = canonicalize(entry);
    for (auto& problem : found) {
        // Without a kind, the value cannot be checked, and its problem would only mislead.
        if (!kind_known && problem.field == "value" && !trim(entry.value).empty())
            continue;
        problems.push_back(std::move(problem));
    }
    return entry;
}

// Reports ids used twice in one list; `where` tells the location of entry `index`.
void check_unique_ids(const std::vector<WatchEntry>& entries,
                      const std::function<std::string(std::size_t)>& where,
                      std::vector<std::pair<std::size_t, std::string>>& problems) {
    std::unordered_map<std::string_view, std::size_t> first_use;
    for (std::size_t index = 0; index < entries.size(); ++index) {
        const auto& id = entries[index].id;
        if (id.empty())
            continue;
        const auto [position, inserted] = first_use.emplace(id, index);
        if (!inserted)
            problems.emplace_back(index, "id " + in_quotes(id) + " is already used by " +
                                             where(position->second));
    }
}

// ---------------------------------------------------------------------------------------------
// CSV (RFC 4180).

struct CsvRow {
    std::size_t line = 0; ///< where the row starts, from 1
    std::vector<std::string> fields;
};

// Splits `text` into rows of fields. Quoted fields may hold separators, doubled quotes and line
// breaks; blanks around fields are dropped. Problems are "LINE: message".
std::vector<CsvRow> split_csv(std::string_view text,
                              std::vector<std::pair<std::size_t, std::string>>& problems) {
    std::vector<CsvRow> rows;
    std::size_t pos = 0;
    std::size_t line = 1;
    const auto at_end = [&] { return pos >= text.size(); };
    const auto skip_blanks = [&] {
        while (!at_end() && (text[pos] == ' ' || text[pos] == '\t'))
            ++pos;
    };
    const auto at_row_end = [&] { return at_end() || text[pos] == '\n' || text[pos] == '\r'; };
    const auto end_row = [&] { // consumes CR, LF or CRLF
        if (at_end())
            return;
        if (text[pos] == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n')
            ++pos;
        ++pos;
        ++line;
    };
    while (!at_end()) {
        CsvRow row;
        row.line = line;
        while (true) {
            skip_blanks();
            std::string field;
            if (!at_end() && text[pos] == '"') {
                const auto opened_on = line;
                ++pos;
                bool closed = false;
                while (!at_end()) {
                    const char c = text[pos++];
                    if (c == '"') {
                        if (!at_end() && text[pos] == '"') {
                            field.push_back('"');
                            ++pos;
                            continue;
                        }
                        closed = true;
                        break;
                    }
                    if (c == '\n' || (c == '\r' && (at_end() || text[pos] != '\n')))
                        ++line;
                    field.push_back(c);
                }
                if (!closed) {
                    problems.emplace_back(opened_on, "field " +
                                                         std::to_string(row.fields.size() + 1) +
                                                         " opens a quote that is never closed");
                    return rows;
                }
                skip_blanks();
                if (!at_row_end() && text[pos] != ',') {
                    problems.emplace_back(line, "field " + std::to_string(row.fields.size() + 1) +
                                                    " has text after its closing quote");
                    while (!at_row_end() && text[pos] != ',')
                        ++pos;
                }
            } else {
                const auto start = pos;
                while (!at_row_end() && text[pos] != ',')
                    ++pos;
                field = std::string(trim(text.substr(start, pos - start)));
            }
            row.fields.push_back(std::move(field));
            if (at_row_end())
                break;
            ++pos; // the comma
        }
        end_row();
        const bool blank = std::all_of(row.fields.begin(), row.fields.end(),
                                       [](const std::string& field) { return field.empty(); });
        if (!blank)
            rows.push_back(std::move(row));
    }
    return rows;
}

constexpr std::array<std::string_view, 8> kColumns = {"id",     "kind",   "value",   "country",
                                                      "reason", "source", "expires", "points"};
constexpr std::array<std::string_view, 5> kRequiredColumns = {"id", "kind", "value", "reason",
                                                              "source"};

std::string columns_text() {
    std::string text;
    for (const auto column : kColumns) {
        if (!text.empty())
            text += ", ";
        text += column;
    }
    return text;
}

std::optional<std::string>* raw_field(RawEntry& raw, std::string_view column) {
    if (column == "id")
        return &raw.id;
    if (column == "kind")
        return &raw.kind;
    if (column == "value")
        return &raw.value;
    if (column == "country")
        return &raw.country;
    if (column == "reason")
        return &raw.reason;
    if (column == "source")
        return &raw.source;
    if (column == "expires")
        return &raw.expires;
    if (column == "points")
        return &raw.points;
    return nullptr;
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](char c) {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    });
    return out;
}

[[noreturn]] void fail(std::string_view source,
                       std::vector<std::pair<std::size_t, std::string>> problems) {
    std::stable_sort(problems.begin(), problems.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string> messages;
    for (auto& [line, message] : problems) {
        messages.push_back(line == 0
                               ? std::string(source) + ": " + message
                               : std::string(source) + ":" + std::to_string(line) + ": " + message);
    }
    throw WatchlistError(std::move(messages));
}

// ---------------------------------------------------------------------------------------------
// JSON.

// The line on which each element of the top-level "entries" array starts, by a light scan of
// text already known to be valid JSON (nlohmann::json keeps no positions).
std::vector<std::size_t> json_entry_lines(std::string_view text) {
    std::vector<std::size_t> lines;
    std::size_t line = 1;
    std::vector<char> open; // '{' or '['
    std::string_view last_string;
    std::string_view key_at_top;
    std::size_t entries_depth = 0; // depth of the entries array while inside it, else 0
    bool expect_element = false;
    for (std::size_t pos = 0; pos < text.size(); ++pos) {
        const char c = text[pos];
        if (c == '\n') {
            ++line;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r')
            continue;
        const bool in_entries = entries_depth != 0 && open.size() == entries_depth;
        if (in_entries && expect_element && c != ']') {
            lines.push_back(line);
            expect_element = false;
        }
        if (c == '"') {
            const auto start = pos + 1;
            for (++pos; pos < text.size() && text[pos] != '"'; ++pos) {
                if (text[pos] == '\\')
                    ++pos;
            }
            last_string = text.substr(start, pos - start);
            continue;
        }
        switch (c) {
        case ':':
            if (open.size() == 1)
                key_at_top = last_string;
            break;
        case ',':
            if (in_entries)
                expect_element = true;
            break;
        case '{': open.push_back(c); break;
        case '[':
            open.push_back(c);
            if (open.size() == 2 && open[0] == '{' && key_at_top == "entries") {
                entries_depth = 2;
                expect_element = true;
            }
            break;
        case '}':
        case ']':
            if (open.size() == entries_depth)
                entries_depth = 0;
            if (!open.empty())
                open.pop_back();
            break;
        default: break;
        }
    }
    return lines;
}

std::string json_type(const nlohmann::json& value) {
    return value.type_name();
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Public functions.

std::string_view to_string(WatchKind kind) {
    switch (kind) {
    case WatchKind::party: return "party";
    case WatchKind::container: return "container";
    case WatchKind::vessel: return "vessel";
    case WatchKind::bill_of_lading: return "bill_of_lading";
    case WatchKind::route: return "route";
    }
    return "unknown";
}

std::optional<WatchKind> parse_watch_kind(std::string_view name) {
    const auto text = lower(trim(name));
    for (const auto kind : {WatchKind::party, WatchKind::container, WatchKind::vessel,
                            WatchKind::bill_of_lading, WatchKind::route}) {
        if (text == to_string(kind))
            return kind;
    }
    if (text == "bl")
        return WatchKind::bill_of_lading;
    return std::nullopt;
}

double default_points(WatchKind kind) {
    switch (kind) {
    case WatchKind::container: return 70.0;
    case WatchKind::bill_of_lading: return 70.0;
    case WatchKind::party: return 50.0;
    case WatchKind::vessel: return 30.0;
    case WatchKind::route: return 25.0;
    }
    return 0.0;
}

namespace {
std::string joined_lines(const std::vector<std::string>& problems) {
    std::string text;
    for (const auto& problem : problems) {
        if (!text.empty())
            text.push_back('\n');
        text += problem;
    }
    return text;
}
} // namespace

WatchlistError::WatchlistError(std::vector<std::string> problems)
    : std::runtime_error(joined_lines(problems)), problems_(std::move(problems)) {}

std::vector<std::string> validate_watch_entry(const WatchEntry& entry) {
    auto copy = entry;
    std::vector<std::string> messages;
    for (const auto& problem : canonicalize(copy))
        messages.push_back("field " + in_quotes(problem.field) + ": " + problem.message);
    return messages;
}

std::vector<WatchEntry> parse_watchlist_csv(std::string_view text, std::string_view source_name) {
    if (text.starts_with("\xEF\xBB\xBF")) // byte order mark, as spreadsheets write it
        text.remove_prefix(3);
    std::vector<std::pair<std::size_t, std::string>> problems;
    auto rows = split_csv(text, problems);
    if (rows.empty()) {
        problems.emplace_back(1, "no header row; expected the columns " + columns_text());
        fail(source_name, std::move(problems));
    }

    const auto& header = rows.front();
    std::vector<std::string> columns;
    bool header_ok = true;
    for (std::size_t index = 0; index < header.fields.size(); ++index) {
        auto name = lower(header.fields[index]);
        if (std::find(kColumns.begin(), kColumns.end(), name) == kColumns.end()) {
            problems.emplace_back(header.line, "unknown column " + in_quotes(header.fields[index]) +
                                                   " (columns: " + columns_text() + ")");
            header_ok = false;
        } else if (std::find(columns.begin(), columns.end(), name) != columns.end()) {
            problems.emplace_back(header.line, "column " + in_quotes(name) + " appears twice");
            header_ok = false;
        }
        columns.push_back(std::move(name));
    }
    for (const auto required : kRequiredColumns) {
        if (std::find(columns.begin(), columns.end(), required) == columns.end()) {
            problems.emplace_back(header.line, "missing column " + in_quotes(required));
            header_ok = false;
        }
    }
    if (!header_ok)
        fail(source_name, std::move(problems)); // rows cannot be read without their columns

    std::vector<WatchEntry> entries;
    std::vector<std::size_t> lines;
    for (std::size_t row_index = 1; row_index < rows.size(); ++row_index) {
        const auto& row = rows[row_index];
        if (row.fields.size() != columns.size()) {
            problems.emplace_back(row.line, std::to_string(row.fields.size()) +
                                                " fields, but the header has " +
                                                std::to_string(columns.size()));
            continue;
        }
        RawEntry raw;
        for (std::size_t index = 0; index < columns.size(); ++index)
            *raw_field(raw, columns[index]) = row.fields[index];
        std::vector<Problem> found;
        auto entry = interpret(raw, std::nullopt, found);
        for (auto& problem : found)
            problems.emplace_back(row.line,
                                  "column " + in_quotes(problem.field) + ": " + problem.message);
        entries.push_back(std::move(entry));
        lines.push_back(row.line);
    }
    std::vector<std::pair<std::size_t, std::string>> duplicates;
    check_unique_ids(
        entries, [&](std::size_t index) { return "line " + std::to_string(lines[index]); },
        duplicates);
    for (auto& [index, message] : duplicates)
        problems.emplace_back(lines[index], "column 'id': " + message);
    if (!problems.empty())
        fail(source_name, std::move(problems));
    return entries;
}

std::vector<WatchEntry> parse_watchlist_json(std::string_view text, std::string_view source_name) {
    nlohmann::json document;
    try {
        document = nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::parse_error& error) {
        const auto byte = std::min<std::size_t>(error.byte, text.size());
        const auto line =
            1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + byte, '\n'));
        std::string message = error.what();
        // "[json.exception.parse_error.101] parse error at line 3, column 5: syntax error ..."
        if (const auto colon = message.find(": "); colon != std::string::npos)
            message.erase(0, colon + 2);
        fail(source_name, {{line, "not valid JSON: " + message}});
    } catch (const nlohmann::json::out_of_range& error) {
        // A number too large for a double (1e999); the parser does not say where.
        std::string message = error.what();
        message.erase(0, std::min(message.size(), message.find("] ") + 2));
        fail(source_name, {{0, "not valid JSON: " + message}});
    }
    if (!document.is_object() || !document.contains("entries"))
        fail(source_name, {{0, "expected an object {\"entries\": [...]}"}});
    std::vector<std::pair<std::size_t, std::string>> problems;
    for (const auto& [key, value] : document.items()) {
        if (key != "entries")
            problems.emplace_back(0, "unknown member " + in_quotes(key) + " (only \"entries\")");
    }
    const auto& list = document["entries"];
    if (!list.is_array())
        fail(source_name, {{0, "\"entries\" is " + json_type(list) + ", expected an array"}});

    const auto lines = json_entry_lines(text);
    const auto line_of = [&](std::size_t index) {
        return index < lines.size() ? lines[index] : std::size_t{0};
    };
    const auto entry_label = [](std::size_t index) { return "entry " + std::to_string(index + 1); };
    std::vector<WatchEntry> entries;
    for (std::size_t index = 0; index < list.size(); ++index) {
        const auto& item = list[index];
        const auto here = line_of(index);
        const auto label = entry_label(index);
        if (!item.is_object()) {
            problems.emplace_back(here, label + ": is " + json_type(item) + ", expected an object");
            entries.emplace_back();
            continue;
        }
        RawEntry raw;
        std::optional<double> number_points;
        for (const auto& [key, value] : item.items()) {
            auto* field = raw_field(raw, key);
            if (field == nullptr) {
                problems.emplace_back(here, label + ": unknown field " + in_quotes(key) +
                                                " (fields: " + columns_text() + ")");
                continue;
            }
            if (value.is_null())
                continue;
            if (key == "points") {
                if (value.is_number())
                    number_points = value.get<double>();
                else
                    problems.emplace_back(here, label + ": field 'points': is " + json_type(value) +
                                                    ", expected a number");
                continue;
            }
            if (!value.is_string()) {
                problems.emplace_back(here, label + ": field " + in_quotes(key) + ": is " +
                                                json_type(value) + ", expected a string");
                continue;
            }
            *field = value.get<std::string>();
        }
        std::vector<Problem> found;
        auto entry = interpret(raw, number_points, found);
        for (auto& problem : found)
            problems.emplace_back(here, label + ": field " + in_quotes(problem.field) + ": " +
                                            problem.message);
        entries.push_back(std::move(entry));
    }
    std::vector<std::pair<std::size_t, std::string>> duplicates;
    check_unique_ids(entries, entry_label, duplicates);
    for (auto& [index, message] : duplicates)
        problems.emplace_back(line_of(index), entry_label(index) + ": field 'id': " + message);
    if (!problems.empty())
        fail(source_name, std::move(problems));
    return entries;
}

// ---------------------------------------------------------------------------------------------
// Watchlist.

namespace {

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept {
        return std::hash<std::string_view>{}(text);
    }
};

using EntryList = std::vector<std::uint32_t>;

// A Bloom filter of 64-bit keys, two bits per key in one word: most containers touch no listed
// value, and the filter says so from one cache line instead of a probe of each table.
class KeyFilter {
public:
    KeyFilter() = default;
    explicit KeyFilter(const std::vector<std::uint64_t>& keys) {
        std::size_t size = 8;
        while (size * 4 < keys.size()) // 16 bits per key: about 1% pass wrongly
            size *= 2;
        words_.assign(size, 0);
        for (const auto key : keys)
            words_[word_of(mix(key))] |= bits_of(mix(key));
    }

    bool may_hold(std::uint64_t key) const {
        const auto mixed = mix(key);
        const auto bits = bits_of(mixed);
        return !words_.empty() && (words_[word_of(mixed)] & bits) == bits;
    }

private:
    static std::uint64_t mix(std::uint64_t key) {
        key ^= key >> 33;
        key *= 0xFF51AFD7ED558CCDULL;
        key ^= key >> 33;
        key *= 0xC4CEB9FE1A85EC53ULL;
        return key ^ (key >> 33);
    }
    std::size_t word_of(std::uint64_t mixed) const {
        return static_cast<std::size_t>(mixed) & (words_.size() - 1);
    }
    static std::uint64_t bits_of(std::uint64_t mixed) {
        return std::uint64_t{1} << ((mixed >> 52) & 63U) | std::uint64_t{1}
                                                               << ((mixed >> 58) & 63U);
    }

    std::vector<std::uint64_t> words_;
};

// A key of one kind, apart from equal keys of the other kinds in the shared filter.
std::uint64_t tagged(WatchKind kind, std::uint64_t key) {
    return key ^ (static_cast<std::uint64_t>(kind) + 1) * 0x9E3779B97F4A7C15ULL;
}

// The letters and digits of `text` in upper case, in `buffer`; nullopt when they do not fit,
// so that no listed value of at most N characters can match.
template <std::size_t N>
std::optional<std::string_view> compact(std::string_view text, std::array<char, N>& buffer) {
    std::size_t size = 0;
    for (const char c : text) {
        const char u = to_upper(c);
        if (!is_upper_letter(u) && !is_digit(u))
            continue;
        if (size == N)
            return std::nullopt;
        buffer[size++] = u;
    }
    return std::string_view(buffer.data(), size);
}

// Party roles of a consignment, in the order hits are looked for.
struct Role {
    std::string_view name;
    const PartyFacts ConsignmentFacts::*party;
};

constexpr std::array<Role, 4> kRoles = {{
    {"shipper", &ConsignmentFacts::shipper},
    {"consignee", &ConsignmentFacts::consignee},
    {"notify party", &ConsignmentFacts::notify_party},
    {"forwarder", &ConsignmentFacts::forwarder},
}};

std::string bill_label(const ConsignmentFacts& consignment, std::size_t index) {
    if (!consignment.house_bl.empty())
        return "B/L " + consignment.house_bl;
    if (!consignment.master_bl.empty())
        return "B/L " + consignment.master_bl;
    return "consignment " + std::to_string(index + 1);
}

bool is_live(const WatchEntry& entry, std::string_view today) {
    return entry.expires.empty() || today <= std::string_view(entry.expires);
}

std::string listed_by(const WatchEntry& entry) {
    return " — listed by " + entry.source + ": " + entry.reason;
}

// A unique number per Watchlist in the process, so that a PartyMatchCache filled for one list
// is never read for another, even one built later at the same address. It names a list and
// never enters a decision.
std::uint64_t next_identity() {
    static std::atomic<std::uint64_t> counter{0};
    return ++counter;
}

} // namespace

struct Watchlist::Tables {
    struct Route {
        std::uint32_t entry;
        std::vector<RouteStep> steps;
    };

    PartyMatcher parties;
    EntryList party_entry; ///< PartyMatcher index -> entry index
    KeyFilter filter;      ///< every key of the tables below, tagged by kind
    std::unordered_map<std::uint64_t, EntryList> containers; ///< by pack_container
    std::unordered_map<std::uint32_t, EntryList> vessels;    ///< by IMO number
    std::unordered_map<std::string, EntryList, StringHash, std::equal_to<>> bills;
    std::vector<Route> routes;
    /// Routes by the code of their first step: a place, or a country in the low 16 bits.
    std::unordered_map<std::uint64_t, EntryList> routes_by_first_step;

    Tables(PartyMatcher matcher, EntryList party_entries)
        : parties(std::move(matcher)), party_entry(std::move(party_entries)) {}
};

namespace {

std::vector<WatchlistEntry> party_list(const std::vector<WatchEntry>& entries,
                                       EntryList& party_entry) {
    std::vector<WatchlistEntry> list;
    for (std::size_t index = 0; index < entries.size(); ++index) {
        if (entries[index].kind != WatchKind::party)
            continue;
        list.push_back({entries[index].id, entries[index].value, entries[index].country});
        party_entry.push_back(static_cast<std::uint32_t>(index));
    }
    return list;
}

} // namespace

Watchlist::Watchlist(std::vector<WatchEntry> entries, MatchOptions party_options)
    : entries_(std::move(entries)), identity_(next_identity()) {
    std::vector<std::string> problems;
    for (std::size_t index = 0; index < entries_.size(); ++index) {
        for (const auto& problem : canonicalize(entries_[index]))
            problems.push_back("entry " + std::to_string(index + 1) + " (id " +
                               in_quotes(entries_[index].id) + "): field " +
                               in_quotes(problem.field) + ": " + problem.message);
    }
    if (!problems.empty())
        throw WatchlistError(std::move(problems));

    EntryList party_entry;
    auto parties = party_list(entries_, party_entry);
    auto tables = std::make_unique<Tables>(PartyMatcher(std::move(parties), party_options),
                                           std::move(party_entry));
    std::vector<std::uint64_t> keys;
    for (std::size_t index = 0; index < entries_.size(); ++index) {
        const auto& entry = entries_[index];
        const auto entry_index = static_cast<std::uint32_t>(index);
        switch (entry.kind) {
        case WatchKind::party: break;
        case WatchKind::container: {
            const auto key = pack_container(entry.value);
            tables->containers[key].push_back(entry_index);
            keys.push_back(tagged(WatchKind::container, key));
            break;
        }
        case WatchKind::vessel: {
            const auto imo = static_cast<std::uint32_t>(std::stoul(entry.value));
            tables->vessels[imo].push_back(entry_index);
            keys.push_back(tagged(WatchKind::vessel, imo));
            break;
        }
        case WatchKind::bill_of_lading:
            tables->bills[entry.value].push_back(entry_index);
            keys.push_back(tagged(WatchKind::bill_of_lading, StringHash{}(entry.value)));
            break;
        case WatchKind::route: {
            Tables::Route route{entry_index, {}};
            std::string canonical;
            [[maybe_unused]] const auto error =
                parse_route_pattern(entry.value, route.steps, canonical);
            assert(error.empty() && "canonicalize checked the pattern");
            const auto first = route.steps.front().code;
            tables->routes_by_first_step[first].push_back(
                static_cast<std::uint32_t>(tables->routes.size()));
            keys.push_back(tagged(WatchKind::route, first));
            tables->routes.push_back(std::move(route));
            break;
        }
        }
    }
    tables->filter = KeyFilter(keys);
    tables_ = std::move(tables);
}

Watchlist::~Watchlist() = default;
Watchlist::Watchlist(Watchlist&&) noexcept = default;
Watchlist& Watchlist::operator=(Watchlist&&) noexcept = default;

std::vector<CachedPartyMatch> Watchlist::match_party(std::string_view name,
                                                     std::string_view country) const {
    std::vector<CachedPartyMatch> found;
    if (name.empty())
        return found;
    for (const auto& match : tables_->parties.match(name, country)) {
        const auto entry = tables_->party_entry[match.entry_index];
        auto reasons = describe(match.detail);
        if (match.detail.country_differs)
            reasons += " (" + upper(country) + " vs " + entries_[entry].country + ")";
        found.push_back({entry, match.score, std::move(reasons)});
    }
    return found;
}

std::size_t PartyMatchCache::Hash::operator()(const KeyView& key) const noexcept {
    const auto name = std::hash<std::string_view>{}(key.name);
    const auto country = std::hash<std::string_view>{}(key.country);
    return name ^ (country + 0x9E3779B97F4A7C15ULL + (name << 6) + (name >> 2));
}

const std::vector<CachedPartyMatch>& Watchlist::cached_party(PartyMatchCache& cache,
                                                             std::string_view name,
                                                             std::string_view country) const {
    if (cache.owner_ != identity_) {
        cache.map_.clear();
        cache.owner_ = identity_;
    }
    if (const auto found = cache.map_.find(PartyMatchCache::KeyView{name, country});
        found != cache.map_.end()) {
        ++cache.hits_;
        return found->second;
    }
    ++cache.misses_;
    if (cache.map_.size() >= cache.max_names_)
        cache.map_.clear();
    const auto [position, inserted] = cache.map_.emplace(
        PartyMatchCache::Key{std::string(name), std::string(country)}, match_party(name, country));
    return position->second;
}

void Watchlist::match(const ContainerFacts& facts, std::string_view today,
                      std::vector<WatchHit>& out, PartyMatchCache* cache) const {
    assert(is_date(today.substr(0, 10)) && "today is YYYY-MM-DD");
    out.clear();
    today = today.substr(0, 10);
    const auto& tables = *tables_;
    // Most containers match nothing: the checks below allocate nothing until something matches,
    // and `found` holds every place where an entry matched, built in full.
    std::vector<WatchHit> found;
    const auto add = [&](std::uint32_t entry_index, std::string where, std::string matched,
                         double similarity, std::string explanation) {
        const auto& entry = entries_[entry_index];
        const double points =
            entry.points_or_default() * (entry.kind == WatchKind::party ? similarity : 1.0);
        found.push_back({entry_index, entry.kind, std::move(where), std::move(matched), similarity,
                         points,
                         entry.shared_alert ? explanation : explanation + listed_by(entry)});
    };
    const auto entry_label = [&](std::uint32_t entry_index) {
        return "watchlist entry " + entries_[entry_index].id;
    };

    // Container: by owner, category and serial, so that a missing or mistyped check digit in
    // the manifest does not hide a listed box.
    std::array<char, 11> number_buffer{};
    const auto number = compact(facts.number, number_buffer);
    if (!tables.containers.empty() && number && has_container_shape(*number) &&
        tables.filter.may_hold(tagged(WatchKind::container, pack_container(*number)))) {
        if (const auto listed = tables.containers.find(pack_container(*number));
            listed != tables.containers.end()) {
            for (const auto entry_index : listed->second) {
                const auto& entry = entries_[entry_index];
                if (!is_live(entry, today))
                    continue;
                if (entry.shared_alert) {
                    add(entry_index, "container", facts.number, 1.0,
                        "Alert from " + entry.source + ": " + entry.reason);
                    continue;
                }
                std::string text = "container " + facts.number;
                if (*number == entry.value)
                    text += " is " + entry_label(entry_index);
                else if (number->size() == 10)
                    text +=
                        " (no check digit) matches " + entry_label(entry_index) + " " + entry.value;
                else
                    text += " matches " + entry_label(entry_index) + " " + entry.value +
                            " but for its check digit, which is wrong in the manifest";
                add(entry_index, "container", facts.number, 1.0, std::move(text));
            }
        }
    }

    // Vessel: by IMO number, which stays with the hull when its name changes.
    std::array<char, 10> imo_buffer{};
    auto imo = compact(facts.imo, imo_buffer);
    if (imo && imo->starts_with("IMO"))
        imo->remove_prefix(3);
    if (!tables.vessels.empty() && imo && imo->size() == 7 &&
        std::all_of(imo->begin(), imo->end(), is_digit)) {
        std::uint32_t imo_number = 0;
        for (const char digit : *imo)
            imo_number = imo_number * 10 + static_cast<std::uint32_t>(digit - '0');
        const auto listed = tables.filter.may_hold(tagged(WatchKind::vessel, imo_number))
                                ? tables.vessels.find(imo_number)
                                : tables.vessels.end();
        if (listed != tables.vessels.end()) {
            for (const auto entry_index : listed->second) {
                if (!is_live(entries_[entry_index], today))
                    continue;
                std::string text = "vessel";
                if (!facts.vessel_name.empty())
                    text += " " + in_quotes(facts.vessel_name);
                text += " (IMO " + std::string(*imo) + ") is " + entry_label(entry_index);
                add(entry_index, "vessel", facts.imo, 1.0, std::move(text));
            }
        }
    }

    for (std::size_t consignment_index = 0; consignment_index < facts.consignments.size();
         ++consignment_index) {
        const auto& consignment = facts.consignments[consignment_index];
        const auto bill = [&] { return bill_label(consignment, consignment_index); };

        if (!tables.party_entry.empty()) {
            for (const auto& role : kRoles) {
                const auto& party = consignment.*role.party;
                if (party.empty())
                    continue;
                std::vector<CachedPartyMatch> uncached;
                const auto& matches = cache != nullptr
                                          ? cached_party(*cache, party.name, party.country)
                                          : (uncached = match_party(party.name, party.country));
                for (const auto& match : matches) {
                    const auto& entry = entries_[match.entry];
                    if (!is_live(entry, today))
                        continue;
                    auto text = std::string(role.name) + " " + in_quotes(party.name) + " of " +
                                bill() + " matches " + entry_label(match.entry) + " " +
                                in_quotes(entry.value) + " (" +
                                format_similarity(match.similarity) + "): " + match.reasons;
                    add(match.entry, std::string(role.name) + " of " + bill(), party.name,
                        match.similarity, std::move(text));
                }
            }
        }

        if (!tables.bills.empty()) {
            for (const auto& [declared, label] : {std::pair{&consignment.master_bl, "master B/L"},
                                                  std::pair{&consignment.house_bl, "house B/L"}}) {
                std::array<char, kMaxBillLength> bill_buffer{};
                const auto bill_number = compact(*declared, bill_buffer);
                if (!bill_number || bill_number->empty() ||
                    !tables.filter.may_hold(
                        tagged(WatchKind::bill_of_lading, StringHash{}(*bill_number))))
                    continue;
                const auto listed = tables.bills.find(*bill_number);
                if (listed == tables.bills.end())
                    continue;
                for (const auto entry_index : listed->second) {
                    if (!is_live(entries_[entry_index], today))
                        continue;
                    add(entry_index, label, *declared, 1.0,
                        std::string(label) + " " + *declared + " is " + entry_label(entry_index));
                }
            }
        }

        if (!tables.routes.empty())
            match_routes(consignment, [&](std::uint32_t entry_index, const std::string& route) {
                if (!is_live(entries_[entry_index], today))
                    return;
                add(entry_index, "route of " + bill(), route, 1.0,
                    "route " + route + " of " + bill() + " follows " + entry_label(entry_index) +
                        " " + in_quotes(entries_[entry_index].value));
            });
    }

    if (found.empty())
        return;
    // One hit per entry: the most similar, the first in manifest order among equals.
    std::stable_sort(found.begin(), found.end(), [](const WatchHit& a, const WatchHit& b) {
        if (a.entry != b.entry)
            return a.entry < b.entry;
        return a.similarity > b.similarity;
    });
    found.erase(
        std::unique(found.begin(), found.end(),
                    [](const WatchHit& a, const WatchHit& b) { return a.entry == b.entry; }),
        found.end());
    std::stable_sort(found.begin(), found.end(), [](const WatchHit& a, const WatchHit& b) {
        return a.points > b.points; // already by entry among equal points
    });
    out = std::move(found);
}

template <typename Sink>
void Watchlist::match_routes(const ConsignmentFacts& consignment, Sink&& sink) const {
    const auto& tables = *tables_;
    std::array<std::uint64_t, 16> inline_places{};
    std::vector<std::uint64_t> more_places; // routes of more than 16 places are rare
    std::size_t count = 0;
    bool may_match = false;
    route_places(consignment, [&](std::uint64_t place) {
        if (count < inline_places.size())
            inline_places[count] = place;
        else
            more_places.push_back(place);
        ++count;
        may_match = may_match || tables.filter.may_hold(tagged(WatchKind::route, place)) ||
                    tables.filter.may_hold(tagged(WatchKind::route, place & kCountryMask));
    });
    if (!may_match)
        return;
    const auto place_at = [&](std::size_t index) {
        return index < inline_places.size() ? inline_places[index]
                                            : more_places[index - inline_places.size()];
    };
    // Each pattern is tried from the first place its first step matches: matching the rest
    // greedily from there finds the pattern whenever the route holds it.
    std::vector<std::uint32_t> tried;
    for (std::size_t start = 0; start < count; ++start) {
        const auto place = place_at(start);
        for (const auto key : {place, place & kCountryMask}) {
            if (!tables.filter.may_hold(tagged(WatchKind::route, key)))
                continue;
            const auto listed = tables.routes_by_first_step.find(key);
            if (listed == tables.routes_by_first_step.end())
                continue;
            for (const auto route_index : listed->second) {
                if (std::find(tried.begin(), tried.end(), route_index) != tried.end())
                    continue;
                tried.push_back(route_index);
                const auto& route = tables.routes[route_index];
                std::size_t step = 1;
                for (auto next = start + 1; next < count && step < route.steps.size(); ++next) {
                    if (route.steps[step].matches(place_at(next)))
                        ++step;
                }
                if (step < route.steps.size())
                    continue;
                std::string text;
                for (std::size_t index = 0; index < count; ++index)
                    text += (index == 0 ? "" : " > ") + place_text(place_at(index));
                sink(route.entry, text);
            }
        }
    }
}

} // namespace portscreen::profiling
