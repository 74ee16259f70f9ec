#pragma once

#include <optional>
#include <string>
#include <string_view>

/// Identifier schemes of the trade: check digits and shapes, as pure functions.
namespace portscreen::core {

/// ISO 6346 check digit of the first ten characters of a container number (owner code,
/// category, serial), or nothing when they do not have the shape `AAA[UJZ]999999`.
/// Letters count A=10 upwards skipping multiples of 11; position i weighs 2^i; the sum is taken
/// mod 11 and then mod 10 (ISO 6346:1995 Annex A).
std::optional<int> iso6346_check_digit(std::string_view first_ten);

/// Upper-cases and removes spaces and hyphens, as printed numbers often carry them.
std::string normalize_container_number(std::string_view raw);

/// True when `number` is 11 characters of the ISO 6346 shape with a correct check digit.
bool is_valid_container_number(std::string_view number);

/// IMO ship identification number check digit: the first six digits weighted 7 down to 2,
/// summed, mod 10 (IMO Resolution A.1117(30)). Nothing when the input is not six digits.
std::optional<int> imo_check_digit(std::string_view first_six);

bool is_valid_imo_number(std::string_view imo);

/// UN/LOCODE shape: two letters (the country) and three letters or digits 2-9.
bool has_locode_shape(std::string_view code);

/// HS code shape: 4 to 10 digits, an even number of them.
bool has_hs_code_shape(std::string_view code);

/// Digits of an HS code written with dots or spaces ("3004.90" → "300490").
std::string normalize_hs_code(std::string_view raw);

} // namespace portscreen::core
