#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

/// Source positions for JSON documents, so that errors found after parsing can name a line.
namespace portscreen::profiling {

/// Maps each value of a JSON text, by its JSON pointer (RFC 6901: "/rules/3/when/feature"), to
/// the 1-based line where the value starts. nlohmann/json keeps no positions, so this scanner
/// reads the text a second time. It checks little: on malformed input it stops at the fault and
/// keeps what it read before. Immutable after construction.
class JsonLines {
public:
    JsonLines() = default;
    explicit JsonLines(std::string_view text);

    /// Line of the value at `pointer` ("" is the whole document); when the text has no value
    /// there, the line of the nearest enclosing value that it has, and 1 when it has none.
    std::size_t line(std::string_view pointer) const;

    /// Line of the value at `pointer`, or nothing when the text has no value there.
    std::optional<std::size_t> find(std::string_view pointer) const;

    /// Pointers of object members whose key already occurred in the same object, in text order.
    /// JSON parsers silently keep one of the two values; a configuration should say which.
    const std::vector<std::string>& duplicate_keys() const { return duplicate_keys_; }

private:
    struct Scanner;
    std::unordered_map<std::string, std::size_t> lines_;
    std::vector<std::string> duplicate_keys_;
};

/// The 1-based line holding byte `offset` of `text`; offsets past the end give the last line.
std::size_t line_at(std::string_view text, std::size_t offset);

/// `token` escaped for a JSON pointer: "~" becomes "~0" and "/" becomes "~1".
std::string escape_pointer_token(std::string_view token);

} // namespace portscreen::profiling
