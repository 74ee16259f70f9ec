#include "json_lines.hpp"

#include "utf8.hpp"

#include <algorithm>

namespace portscreen::profiling {
namespace {

// Deeper documents are not configuration; stopping keeps the recursion bounded.
constexpr int kMaxDepth = 256;

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

} // namespace

/// One pass over the text, recording the line of every value under its pointer.
struct JsonLines::Scanner {
    std::string_view text;
    JsonLines& out;
    std::size_t pos = 0;
    std::size_t line = 1;
    bool failed = false;

    void skip_space() {
        while (pos < text.size()) {
            const char c = text[pos];
            if (c == '\n')
                ++line;
            else if (c != ' ' && c != '\t' && c != '\r')
                return;
            ++pos;
        }
    }

    bool at(char c) const { return pos < text.size() && text[pos] == c; }

    // Reads the four hex digits after "\u"; -1 when malformed.
    long read_hex4() {
        if (pos + 4 > text.size())
            return -1;
        long code = 0;
        for (int idx = 0; idx < 4; ++idx) {
            const int digit = hex_value(text[pos + static_cast<std::size_t>(idx)]);
            if (digit < 0)
                return -1;
            code = code * 16 + digit;
        }
        pos += 4;
        return code;
    }

    // Reads a string starting at its opening quote; the decoded text goes to `decoded` when given.
    bool read_string(std::string* decoded) {
        ++pos; // opening quote
        while (pos < text.size()) {
            const char c = text[pos++];
            if (c == '"')
                return true;
            if (c == '\n')
                return false; // raw line breaks are not allowed inside JSON strings
            if (c != '\\') {
                if (decoded)
                    decoded->push_back(c);
                continue;
            }
            if (pos >= text.size())
                return false;
            const char escape = text[pos++];
            char plain = 0;
            switch (escape) {
            case '"': plain = '"'; break;
            case '\\': plain = '\\'; break;
            case '/': plain = '/'; break;
            case 'b': plain = '\b'; break;
            case 'f': plain = '\f'; break;
            case 'n': plain = '\n'; break;
            case 'r': plain = '\r'; break;
            case 't': plain = '\t'; break;
            case 'u': {
                long code = read_hex4();
                if (code < 0)
                    return false;
                // A high surrogate followed by "\u" and a low one is one code point.
                if (code >= 0xD800 && code < 0xDC00 && pos + 1 < text.size() && text[pos] == '\\' &&
                    text[pos + 1] == 'u') {
                    pos += 2;
                    const long low = read_hex4();
                    if (low < 0xDC00 || low > 0xDFFF)
                        return false;
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                }
                if (decoded)
                    append_utf8(*decoded, static_cast<char32_t>(code));
                continue;
            }
            default: return false;
            }
            if (decoded)
                decoded->push_back(plain);
        }
        return false;
    }

    void value(std::string& pointer, int depth) {
        skip_space();
        if (pos >= text.size() || depth > kMaxDepth) {
            failed = true;
            return;
        }
        // A repeated key overwrites: parsers keep the last value, and so does this map.
        out.lines_[pointer] = line;
        const char c = text[pos];
        if (c == '{') {
            object(pointer, depth);
        } else if (c == '[') {
            array(pointer, depth);
        } else if (c == '"') {
            failed = !read_string(nullptr);
        } else {
            // Numbers, true, false, null: up to the next delimiter.
            const std::size_t start = pos;
            while (pos < text.size() &&
                   std::string_view(",]} \t\r\n").find(text[pos]) == std::string_view::npos)
                ++pos;
            failed = pos == start;
        }
    }

    void object(std::string& pointer, int depth) {
        ++pos; // '{'
        skip_space();
        if (at('}')) {
            ++pos;
            return;
        }
        std::vector<std::string> keys;
        const std::size_t base = pointer.size();
        while (!failed) {
            skip_space();
            std::string key;
            if (!at('"') || !read_string(&key)) {
                failed = true;
                return;
            }
            skip_space();
            if (!at(':')) {
                failed = true;
                return;
            }
            ++pos;
            pointer += '/';
            pointer += escape_pointer_token(key);
            if (std::find(keys.begin(), keys.end(), key) != keys.end())
                out.duplicate_keys_.push_back(pointer);
            else
                keys.push_back(std::move(key));
            value(pointer, depth + 1);
            pointer.resize(base);
            if (failed)
                return;
            if (!another('}'))
                return;
        }
    }

    /// After a member or an element: true when a comma says another follows; false at `close`,
    /// which is consumed, or at anything else, which fails the scan.
    bool another(char close) {
        skip_space();
        if (at(',')) {
            ++pos;
            return true;
        }
        if (at(close))
            ++pos;
        else
            failed = true;
        return false;
    }

    void array(std::string& pointer, int depth) {
        ++pos; // '['
        skip_space();
        if (at(']')) {
            ++pos;
            return;
        }
        const std::size_t base = pointer.size();
        for (std::size_t index = 0; !failed; ++index) {
            pointer += '/';
            pointer += std::to_string(index);
            value(pointer, depth + 1);
            pointer.resize(base);
            if (failed)
                return;
            if (!another(']'))
                return;
        }
    }
};

JsonLines::JsonLines(std::string_view text) {
    Scanner scanner{text, *this};
    // A UTF-8 byte order mark is not JSON but editors write one.
    if (text.starts_with("\xEF\xBB\xBF"))
        scanner.pos = 3;
    std::string pointer;
    scanner.value(pointer, 0);
}

std::optional<std::size_t> JsonLines::find(std::string_view pointer) const {
    const auto found = lines_.find(std::string(pointer));
    if (found == lines_.end())
        return std::nullopt;
    return found->second;
}

std::size_t JsonLines::line(std::string_view pointer) const {
    for (;;) {
        if (const auto found = find(pointer))
            return *found;
        if (pointer.empty())
            return 1;
        const std::size_t slash = pointer.rfind('/');
        pointer = slash == std::string_view::npos ? std::string_view{} : pointer.substr(0, slash);
    }
}

std::size_t line_at(std::string_view text, std::size_t offset) {
    const std::size_t end = std::min(offset, text.size());
    return 1 + static_cast<std::size_t>(
                   std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(end), '\n'));
}

std::string escape_pointer_token(std::string_view token) {
    std::string out;
    out.reserve(token.size());
    for (const char c : token) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out += c;
    }
    return out;
}

} // namespace portscreen::profiling
