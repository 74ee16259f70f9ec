#include "edifact/diagnostics.hpp"

#include <charconv>

namespace portscreen::edifact::detail {

void report(Problems& problems, Severity severity, std::string code, const SegmentView& segment,
            std::string position, std::string message, int contrl) {
    Problem problem;
    problem.severity = severity;
    problem.code = std::move(code);
    problem.segment = segment.number();
    problem.segment_tag = std::string(segment.tag().substr(0, 40));
    problem.position = std::move(position);
    problem.message = std::move(message);
    problem.contrl = contrl;
    problems.push_back(std::move(problem));
}

std::string element_position(std::size_t element, std::size_t component) {
    return "element " + std::to_string(element + 1) + " component " + std::to_string(component + 1);
}

std::optional<std::int64_t> parse_count(std::string_view text) {
    std::int64_t value = 0;
    if (text.empty())
        return std::nullopt;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < 0)
        return std::nullopt;
    return value;
}

} // namespace portscreen::edifact::detail
