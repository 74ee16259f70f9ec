#pragma once

#include <array>
#include <charconv>
#include <string>
#include <string_view>
#include <type_traits>

/// Error messages from strings and numbers, for the module's own .cpp files: built by appending,
/// without `"literal" + std::string` temporaries, numbers in their shortest exact form ("2.2",
/// not "2.200000").
namespace portscreen::scanner_io::detail {

inline void append_part(std::string& out, std::string_view part) {
    out.append(part);
}

template <typename Number>
requires std::is_arithmetic_v<Number>
void append_part(std::string& out, Number number) {
    std::array<char, 32> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), number);
    out.append(buffer.data(), result.ptr);
}

template <typename... Parts> std::string message(const Parts&... parts) {
    std::string out;
    (append_part(out, parts), ...);
    return out;
}

} // namespace portscreen::scanner_io::detail
