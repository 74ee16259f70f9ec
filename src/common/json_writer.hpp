#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace portscreen {

/// Appends compact JSON to one string, for documents too large or too hot to build as a DOM
/// first (manifests, acknowledgements). Commas are placed by one flag: every value opened or
/// written after the first in its object or array gets one. Strings are escaped; invalid UTF-8
/// becomes U+FFFD, and a non-finite number becomes null, so the output is always valid JSON.
class JsonWriter {
public:
    explicit JsonWriter(std::size_t expected_size = 0) { out_.reserve(expected_size); }

    std::string take() { return std::move(out_); }

    void open_object() { open('{'); }
    void open_array() { open('['); }
    void close_object() { close('}'); }
    void close_array() { close(']'); }

    /// Starts a member; its value follows. Member names are ours and never need escaping.
    void key(std::string_view name);

    void value(std::string_view text);
    void value(const char* text) { value(std::string_view(text)); }
    void value(std::int64_t number);
    void value(int number) { value(std::int64_t{number}); }
    void value(double number);
    void value(bool flag);

    template <typename T> void member(std::string_view name, const T& value_of_member) {
        key(name);
        value(value_of_member);
    }

    /// Writes the member only when it has a value: optional members are left out when empty.
    void optional_member(std::string_view name, std::string_view text);
    void optional_member(std::string_view name, const std::optional<double>& number);
    void optional_member(std::string_view name, const std::optional<std::int64_t>& number);

private:
    void open(char bracket);
    void close(char bracket);
    void separate();
    void append_string(std::string_view text);

    std::string out_;
    bool first_ = true;
};

} // namespace portscreen
