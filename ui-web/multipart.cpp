#include "multipart.hpp"

#include <stdexcept>

namespace portscreen::ui_web {
namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

/// The value of `key="value"` or `key=value` in a header's parameters.
std::string parameter(std::string_view header, std::string_view key) {
    std::size_t at = 0;
    while (at < header.size()) {
        const auto semicolon = header.find(';', at);
        std::string_view item = header.substr(
            at, semicolon == std::string_view::npos ? std::string_view::npos : semicolon - at);
        at = semicolon == std::string_view::npos ? header.size() : semicolon + 1;
        while (!item.empty() && item.front() == ' ')
            item.remove_prefix(1);
        const auto equals = item.find('=');
        if (equals == std::string_view::npos || lower(item.substr(0, equals)) != key)
            continue;
        std::string_view value = item.substr(equals + 1);
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
            value = value.substr(1, value.size() - 2);
        return std::string(value);
    }
    return {};
}

} // namespace

std::string multipart_boundary(std::string_view content_type) {
    if (!lower(content_type).starts_with("multipart/form-data"))
        return {};
    return parameter(content_type, "boundary");
}

std::vector<FormPart> parse_multipart(std::string_view body, std::string_view boundary) {
    if (boundary.empty() || boundary.size() > 70)
        throw std::invalid_argument("multipart body: the boundary is missing or longer than 70");
    const std::string delimiter = "--" + std::string(boundary);
    const std::string separator = "\r\n" + delimiter;
    if (!body.starts_with(delimiter))
        throw std::invalid_argument("multipart body: does not start with its boundary");
    std::vector<FormPart> parts;
    std::size_t at = delimiter.size();
    while (true) {
        if (body.substr(at, 2) == "--")
            return parts; // the closing delimiter
        if (body.substr(at, 2) != "\r\n")
            throw std::invalid_argument("multipart body: a boundary is not followed by CRLF");
        at += 2;
        const auto headers_end = body.find("\r\n\r\n", at);
        if (headers_end == std::string_view::npos)
            throw std::invalid_argument("multipart body: part " + std::to_string(parts.size() + 1) +
                                        " has no end of headers");
        FormPart part;
        std::string_view headers = body.substr(at, headers_end - at);
        while (!headers.empty()) {
            const auto line_end = headers.find("\r\n");
            const std::string_view line = headers.substr(0, line_end);
            headers = line_end == std::string_view::npos ? std::string_view{}
                                                         : headers.substr(line_end + 2);
            const auto colon = line.find(':');
            if (colon == std::string_view::npos)
                continue;
            const auto name = lower(line.substr(0, colon));
            std::string_view value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ')
                value.remove_prefix(1);
            if (name == "content-disposition") {
                part.name = parameter(value, "name");
                part.filename = parameter(value, "filename");
            } else if (name == "content-type") {
                part.content_type = std::string(value);
            }
        }
        if (part.name.empty())
            throw std::invalid_argument("multipart body: part " + std::to_string(parts.size() + 1) +
                                        " has no name");
        const auto data_start = headers_end + 4;
        const auto data_end = body.find(separator, data_start);
        if (data_end == std::string_view::npos)
            throw std::invalid_argument("multipart body: part '" + part.name +
                                        "' is not closed by the boundary");
        part.data = body.substr(data_start, data_end - data_start);
        parts.push_back(std::move(part));
        at = data_end + separator.size();
    }
}

} // namespace portscreen::ui_web
