#include "edifact/charset.hpp"

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <iconv.h>

namespace portscreen::edifact {

namespace {

// ISO 9735 syntax identifiers; UNOG to UNOK follow the order of the ISO 8859 parts they name.
constexpr std::array kSyntaxIdentifiers = {
    SyntaxIdentifier{"UNOA", Repertoire::level_a, nullptr},
    SyntaxIdentifier{"UNOB", Repertoire::level_b, nullptr},
    SyntaxIdentifier{"UNOC", Repertoire::latin1, nullptr},
    SyntaxIdentifier{"UNOD", Repertoire::iso8859, "ISO-8859-2"},
    SyntaxIdentifier{"UNOE", Repertoire::iso8859, "ISO-8859-5"},
    SyntaxIdentifier{"UNOF", Repertoire::iso8859, "ISO-8859-7"},
    SyntaxIdentifier{"UNOG", Repertoire::iso8859, "ISO-8859-3"},
    SyntaxIdentifier{"UNOH", Repertoire::iso8859, "ISO-8859-4"},
    SyntaxIdentifier{"UNOI", Repertoire::iso8859, "ISO-8859-6"},
    SyntaxIdentifier{"UNOJ", Repertoire::iso8859, "ISO-8859-8"},
    SyntaxIdentifier{"UNOK", Repertoire::iso8859, "ISO-8859-9"},
    SyntaxIdentifier{"UNOW", Repertoire::utf8, nullptr},
    SyntaxIdentifier{"UNOY", Repertoire::utf8, nullptr},
};

constexpr std::string_view kLevelAPunctuation = " .,-()/='+:?";
constexpr std::string_view kLevelAVersion4Punctuation = "!\"%&*;<>";

} // namespace

std::optional<SyntaxIdentifier> find_syntax_identifier(std::string_view code) {
    for (const auto& identifier : kSyntaxIdentifiers)
        if (identifier.code == code)
            return identifier;
    return std::nullopt;
}

bool in_level_a(unsigned char c, int syntax_version) {
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    if (c == 0 || c >= 0x80)
        return false;
    if (kLevelAPunctuation.find(static_cast<char>(c)) != std::string_view::npos)
        return true;
    return syntax_version >= 4 &&
           kLevelAVersion4Punctuation.find(static_cast<char>(c)) != std::string_view::npos;
}

bool in_level_b(unsigned char c, int syntax_version) {
    return (c >= 'a' && c <= 'z') || in_level_a(c, syntax_version);
}

std::size_t valid_utf8_prefix(std::string_view text) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t size = text.size();
    std::size_t pos = 0;
    while (pos < size) {
        const unsigned char lead = bytes[pos];
        if (lead < 0x80) {
            ++pos;
            continue;
        }
        std::size_t length = 0;
        char32_t min = 0;
        char32_t code = 0;
        if ((lead & 0xE0) == 0xC0) {
            length = 2, min = 0x80, code = lead & 0x1F;
        } else if ((lead & 0xF0) == 0xE0) {
            length = 3, min = 0x800, code = lead & 0x0F;
        } else if ((lead & 0xF8) == 0xF0) {
            length = 4, min = 0x10000, code = lead & 0x07;
        } else {
            return pos;
        }
        if (pos + length > size)
            return pos;
        for (std::size_t idx = 1; idx < length; ++idx) {
            const unsigned char next = bytes[pos + idx];
            if ((next & 0xC0) != 0x80)
                return pos;
            code = (code << 6) | (next & 0x3F);
        }
        if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
            return pos;
        pos += length;
    }
    return pos;
}

bool is_multibyte_utf8(std::string_view text) {
    // Most interchanges are pure ASCII: find the first high byte eight at a time.
    std::size_t pos = 0;
    constexpr std::uint64_t kHighBits = 0x8080'8080'8080'8080ull;
    for (; pos + 8 <= text.size(); pos += 8) {
        std::uint64_t word = 0;
        std::memcpy(&word, text.data() + pos, sizeof word);
        if (word & kHighBits)
            break;
    }
    while (pos < text.size() && static_cast<unsigned char>(text[pos]) < 0x80)
        ++pos;
    if (pos == text.size())
        return false;
    return valid_utf8_prefix(text.substr(pos)) == text.size() - pos;
}

void append_latin1_as_utf8(std::string& out, std::string_view text) {
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x80) {
            out.push_back(c);
            continue;
        }
        out.push_back(static_cast<char>(0xC0 | (byte >> 6)));
        out.push_back(static_cast<char>(0x80 | (byte & 0x3F)));
    }
}

void append_utf8_as_latin1(std::string& out, std::string_view text, char replacement) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
    std::size_t pos = 0;
    while (pos < text.size()) {
        const unsigned char lead = bytes[pos];
        if (lead < 0x80) {
            out.push_back(static_cast<char>(lead));
            ++pos;
            continue;
        }
        const std::size_t valid = valid_utf8_prefix(text.substr(pos, 4));
        if (valid == 0) {
            out.push_back(replacement);
            ++pos;
            continue;
        }
        // Only two-byte sequences led by C2 or C3 fall into Latin-1 (U+0080 to U+00FF).
        if (lead == 0xC2 || lead == 0xC3)
            out.push_back(static_cast<char>(((lead & 0x03) << 6) | (bytes[pos + 1] & 0x3F)));
        else
            out.push_back(replacement);
        pos += (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : 4;
    }
}

void Iconv::Closer::operator()(void* handle) const noexcept {
    iconv_close(static_cast<iconv_t>(handle));
}

Iconv::Iconv(const char* from) {
    iconv_t handle = iconv_open("UTF-8", from);
    if (handle != reinterpret_cast<iconv_t>(-1))
        handle_.reset(handle);
}

std::optional<std::size_t> Iconv::append(std::string& out, std::string_view text) {
    std::optional<std::size_t> first_undefined;
    auto* handle = static_cast<iconv_t>(handle_.get());
    iconv(handle, nullptr, nullptr, nullptr, nullptr);
    // iconv takes a non-const input pointer but does not write through it.
    char* in = const_cast<char*>(text.data());
    std::size_t in_left = text.size();
    char buffer[256];
    while (in_left > 0) {
        char* chunk = buffer;
        std::size_t chunk_left = sizeof buffer;
        const std::size_t converted = iconv(handle, &in, &in_left, &chunk, &chunk_left);
        out.append(buffer, static_cast<std::size_t>(chunk - buffer));
        if (converted != static_cast<std::size_t>(-1) || errno == E2BIG)
            continue;
        // EILSEQ or EINVAL: a byte with no character in this part of ISO 8859.
        if (!first_undefined)
            first_undefined = text.size() - in_left;
        out += "\xEF\xBF\xBD";
        ++in;
        --in_left;
    }
    return first_undefined;
}

} // namespace portscreen::edifact
