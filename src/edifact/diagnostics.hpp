#pragma once

#include "common/result.hpp"
#include "edifact/tokenizer.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

/// Helpers shared by the checking and mapping stages of this library (not installed API).
namespace portscreen::edifact::detail {

/// Appends a problem located at `segment`.
void report(Problems& problems, Severity severity, std::string code, const SegmentView& segment,
            std::string position, std::string message, int contrl = 0);

inline void report_error(Problems& problems, std::string code, const SegmentView& segment,
                         std::string position, std::string message, int contrl) {
    report(problems, Severity::error, std::move(code), segment, std::move(position),
           std::move(message), contrl);
}

inline void report_warning(Problems& problems, std::string code, const SegmentView& segment,
                           std::string position, std::string message) {
    report(problems, Severity::warning, std::move(code), segment, std::move(position),
           std::move(message), 0);
}

/// "element 2 component 1" from 0-based indices.
std::string element_position(std::size_t element, std::size_t component = 0);

/// A whole non-negative decimal number, or nothing.
std::optional<std::int64_t> parse_count(std::string_view text);

} // namespace portscreen::edifact::detail
