#include "static_path.hpp"

namespace portscreen::ui_web {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::optional<std::string> percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t pos = 0; pos < text.size(); ++pos) {
        if (text[pos] != '%') {
            out.push_back(text[pos]);
            continue;
        }
        if (pos + 2 >= text.size())
            return std::nullopt;
        const int high = hex_value(text[pos + 1]);
        const int low = hex_value(text[pos + 2]);
        if (high < 0 || low < 0)
            return std::nullopt;
        out.push_back(static_cast<char>(high * 16 + low));
        pos += 2;
    }
    return out;
}

} // namespace

std::optional<std::string> static_file_for(std::string_view target) {
    target = target.substr(0, target.find_first_of("?#"));
    if (!target.starts_with('/'))
        return std::nullopt;
    // Decoding first means "%2e%2e" is checked as the ".." it stands for.
    auto decoded = percent_decode(target.substr(1));
    if (!decoded)
        return std::nullopt;
    std::string path;
    std::string_view rest = *decoded;
    while (!rest.empty()) {
        const auto slash = rest.find('/');
        const std::string_view segment = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
        if (segment.empty() || segment == ".")
            continue;
        if (segment == ".." || segment.find('\\') != std::string_view::npos ||
            segment.find('\0') != std::string_view::npos)
            return std::nullopt;
        if (!path.empty())
            path += '/';
        path += segment;
    }
    if (path.empty() || decoded->ends_with('/'))
        path += path.empty() ? "index.html" : "/index.html";
    return path;
}

} // namespace portscreen::ui_web
