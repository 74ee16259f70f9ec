#include "common/json_writer.hpp"

#include <charconv>
#include <cmath>

namespace portscreen {
namespace {

/// Length of the well-formed UTF-8 sequence starting at `at`, or 0 when the bytes there are not
/// one (stray continuation byte, overlong form, surrogate, beyond U+10FFFF, truncated).
std::size_t utf8_sequence_length(std::string_view text, std::size_t at) {
    const auto byte = [&](std::size_t offset) {
        return static_cast<unsigned char>(text[at + offset]);
    };
    const auto continuation = [&](std::size_t offset) {
        return at + offset < text.size() && (byte(offset) & 0xC0) == 0x80;
    };
    const unsigned char lead = byte(0);
    if (lead >= 0xC2 && lead <= 0xDF)
        return continuation(1) ? 2 : 0;
    if (lead >= 0xE0 && lead <= 0xEF) {
        if (!continuation(1) || !continuation(2))
            return 0;
        if ((lead == 0xE0 && byte(1) < 0xA0) || (lead == 0xED && byte(1) > 0x9F))
            return 0;
        return 3;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        if (!continuation(1) || !continuation(2) || !continuation(3))
            return 0;
        if ((lead == 0xF0 && byte(1) < 0x90) || (lead == 0xF4 && byte(1) > 0x8F))
            return 0;
        return 4;
    }
    return 0;
}

} // namespace

void JsonWriter::key(std::string_view name) {
    separate();
    out_ += '"';
    out_ += name;
    out_ += "\":";
    first_ = true; // the value itself takes no comma
}

void JsonWriter::value(std::string_view text) {
    separate();
    append_string(text);
}

void JsonWriter::value(std::int64_t number) {
    separate();
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, number).ptr;
    out_.append(digits, end);
}

void JsonWriter::value(bool flag) {
    separate();
    out_ += flag ? "true" : "false";
}

void JsonWriter::value(double number) {
    separate();
    // JSON has no NaN or infinity; null makes a reader refuse the value loudly instead of
    // receiving a made-up number.
    if (!std::isfinite(number)) {
        out_ += "null";
        return;
    }
    // Shortest text that reads back to the same double.
    char digits[32];
    const auto end = std::to_chars(digits, digits + sizeof digits, number).ptr;
    out_.append(digits, end);
}

void JsonWriter::optional_member(std::string_view name, std::string_view text) {
    if (!text.empty())
        member(name, text);
}

void JsonWriter::optional_member(std::string_view name, const std::optional<double>& number) {
    if (number)
        member(name, *number);
}

void JsonWriter::optional_member(std::string_view name, const std::optional<std::int64_t>& number) {
    if (number)
        member(name, *number);
}

void JsonWriter::open(char bracket) {
    separate();
    out_ += bracket;
    first_ = true;
}

void JsonWriter::close(char bracket) {
    out_ += bracket;
    first_ = false;
}

void JsonWriter::separate() {
    if (!first_)
        out_ += ',';
    first_ = false;
}

void JsonWriter::append_string(std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    out_ += '"';
    std::size_t plain_from = 0;
    std::size_t at = 0;
    const auto flush = [&] { out_.append(text.data() + plain_from, at - plain_from); };
    while (at < text.size()) {
        const auto byte = static_cast<unsigned char>(text[at]);
        if (byte >= 0x20 && byte < 0x80 && byte != '"' && byte != '\\') {
            ++at;
            continue;
        }
        if (byte >= 0x80) {
            if (const std::size_t length = utf8_sequence_length(text, at)) {
                at += length;
                continue;
            }
            // Invalid UTF-8 would make the whole document unreadable; replace the byte
            // with U+FFFD as UTF-8 decoders do.
            flush();
            out_ += "\xEF\xBF\xBD";
            plain_from = ++at;
            continue;
        }
        flush();
        switch (byte) {
        case '"': out_ += "\\\""; break;
        case '\\': out_ += "\\\\"; break;
        case '\n': out_ += "\\n"; break;
        case '\r': out_ += "\\r"; break;
        case '\t': out_ += "\\t"; break;
        default:
            out_ += "\\u00";
            out_ += kHex[byte >> 4];
            out_ += kHex[byte & 0x0F];
        }
        plain_from = ++at;
    }
    flush();
    out_ += '"';
}

} // namespace portscreen
