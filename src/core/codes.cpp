#include "core/codes.hpp"

#include <algorithm>
#include <cctype>

namespace portscreen::core {
namespace {

bool is_upper(char c) {
    return c >= 'A' && c <= 'Z';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

int iso6346_letter_value(char letter) {
    // A=10, then one more per letter, skipping 11, 22 and 33.
    int value = 10 + (letter - 'A');
    for (int multiple : {11, 22, 33})
        value += value >= multiple;
    return value;
}

} // namespace

std::optional<int> iso6346_check_digit(std::string_view s) {
    if (s.size() != 10)
        return std::nullopt;
    if (!std::all_of(s.begin(), s.begin() + 3, is_upper))
        return std::nullopt;
    if (s[3] != 'U' && s[3] != 'J' && s[3] != 'Z')
        return std::nullopt;
    if (!std::all_of(s.begin() + 4, s.end(), is_digit))
        return std::nullopt;
    long sum = 0;
    for (std::size_t pos = 0; pos < 10; ++pos) {
        const int value = is_digit(s[pos]) ? s[pos] - '0' : iso6346_letter_value(s[pos]);
        sum += static_cast<long>(value) << pos;
    }
    return static_cast<int>(sum % 11 % 10);
}

std::string normalize_container_number(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (char c : raw) {
        if (c == ' ' || c == '-')
            continue;
        out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
    return out;
}

bool is_valid_container_number(std::string_view number) {
    if (number.size() != 11 || !is_digit(number[10]))
        return false;
    const auto digit = iso6346_check_digit(number.substr(0, 10));
    return digit && *digit == number[10] - '0';
}

std::optional<int> imo_check_digit(std::string_view s) {
    if (s.size() != 6 || !std::all_of(s.begin(), s.end(), is_digit))
        return std::nullopt;
    int sum = 0;
    for (std::size_t pos = 0; pos < 6; ++pos)
        sum += (s[pos] - '0') * static_cast<int>(7 - pos);
    return sum % 10;
}

bool is_valid_imo_number(std::string_view imo) {
    if (imo.size() != 7 || !is_digit(imo[6]))
        return false;
    const auto digit = imo_check_digit(imo.substr(0, 6));
    return digit && *digit == imo[6] - '0';
}

bool has_locode_shape(std::string_view code) {
    if (code.size() != 5 || !is_upper(code[0]) || !is_upper(code[1]))
        return false;
    return std::all_of(code.begin() + 2, code.end(),
                       [](char c) { return is_upper(c) || (c >= '2' && c <= '9'); });
}

bool has_hs_code_shape(std::string_view code) {
    return code.size() >= 4 && code.size() <= 10 && code.size() % 2 == 0 &&
           std::all_of(code.begin(), code.end(), is_digit);
}

std::string normalize_hs_code(std::string_view raw) {
    std::string out;
    for (char c : raw) {
        if (c == '.' || c == ' ')
            continue;
        out.push_back(c);
    }
    return out;
}

} // namespace portscreen::core
