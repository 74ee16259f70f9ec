#include "edifact/datetime.hpp"

namespace portscreen::edifact {

namespace {

bool all_digits(std::string_view text) {
    for (const char c : text)
        if (c < '0' || c > '9')
            return false;
    return !text.empty();
}

int number(std::string_view digits) {
    int value = 0;
    for (const char c : digits)
        value = value * 10 + (c - '0');
    return value;
}

int days_in_month(int year, int month) {
    constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : kDays[month - 1];
}

/// "CCYYMMDD[HHMM[SS]]" digits checked as a calendar date and time.
bool valid_digits(std::string_view digits) {
    if (!all_digits(digits))
        return false;
    const int year = number(digits.substr(0, 4));
    const int month = number(digits.substr(4, 2));
    const int day = number(digits.substr(6, 2));
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month))
        return false;
    if (digits.size() >= 12 &&
        (number(digits.substr(8, 2)) > 23 || number(digits.substr(10, 2)) > 59))
        return false;
    return digits.size() < 14 || number(digits.substr(12, 2)) <= 59;
}

std::string iso_from_digits(std::string_view digits) {
    std::string text;
    text.reserve(20);
    text.append(digits.substr(0, 4)).append("-").append(digits.substr(4, 2)).append("-");
    text.append(digits.substr(6, 2));
    if (digits.size() >= 12)
        text.append("T").append(digits.substr(8, 2)).append(":").append(digits.substr(10, 2));
    if (digits.size() >= 14)
        text.append(":").append(digits.substr(12, 2));
    return text;
}

std::optional<std::string> iso_zone(std::string_view zone) {
    if (zone == "UTC" || zone == "GMT" || zone == "Z")
        return std::string("Z");
    if (zone.size() < 3 || (zone[0] != '+' && zone[0] != '-'))
        return std::nullopt;
    const std::string_view digits = zone.substr(1);
    if (!all_digits(digits) || (digits.size() != 2 && digits.size() != 4))
        return std::nullopt;
    const std::string_view minutes = digits.size() == 4 ? digits.substr(2) : "00";
    if (number(digits.substr(0, 2)) > 14 || number(minutes) > 59)
        return std::nullopt;
    return std::string(1, zone[0]) + std::string(digits.substr(0, 2)) + ":" + std::string(minutes);
}

} // namespace

std::optional<std::string> edifact_to_iso8601(std::string_view value, std::string_view format) {
    if (format.empty()) {
        if (value.size() == 8)
            format = "102";
        else if (value.size() == 12)
            format = "203";
        else if (value.size() == 14)
            format = "204";
        else
            return std::nullopt;
    }
    std::size_t length = 0;
    if (format == "102")
        length = 8;
    else if (format == "203")
        length = 12;
    else if (format == "204")
        length = 14;
    else if (format == "303")
        length = 12;
    else
        return std::nullopt;
    if (value.size() < length || (format != "303" && value.size() != length))
        return std::nullopt;
    const std::string_view digits = value.substr(0, length);
    if (!valid_digits(digits))
        return std::nullopt;
    std::string text = iso_from_digits(digits);
    if (format == "303") {
        const auto zone = iso_zone(value.substr(length));
        if (!zone)
            return std::nullopt;
        text += *zone;
    }
    return text;
}

std::optional<EdifactDateTime> iso8601_to_edifact(std::string_view iso) {
    // Shapes: YYYY-MM-DD, then THH:MM, then :SS, then Z or ±HH:MM.
    if (iso.size() < 10 || iso[4] != '-' || iso[7] != '-')
        return std::nullopt;
    std::string digits;
    digits.append(iso.substr(0, 4)).append(iso.substr(5, 2)).append(iso.substr(8, 2));
    if (iso.size() == 10)
        return valid_digits(digits) ? std::optional(EdifactDateTime{digits, "102"}) : std::nullopt;
    if (iso.size() < 16 || iso[10] != 'T' || iso[13] != ':')
        return std::nullopt;
    digits.append(iso.substr(11, 2)).append(iso.substr(14, 2));
    std::string_view rest = iso.substr(16);
    if (rest.size() >= 3 && rest[0] == ':') {
        digits.append(rest.substr(1, 2));
        rest.remove_prefix(3);
    }
    if (!valid_digits(digits))
        return std::nullopt;
    if (rest.empty())
        return EdifactDateTime{digits, digits.size() == 14 ? "204" : "203"};
    // Format 303 carries minutes only; seconds are dropped rather than lose the zone.
    digits.resize(12);
    if (rest == "Z")
        return EdifactDateTime{digits + "UTC", "303"};
    if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' &&
        all_digits(rest.substr(1, 2)) && all_digits(rest.substr(4, 2))) {
        std::string zone(rest.substr(0, 3));
        if (rest.substr(4, 2) != "00")
            zone += rest.substr(4, 2);
        return EdifactDateTime{digits + zone, "303"};
    }
    return std::nullopt;
}

} // namespace portscreen::edifact
