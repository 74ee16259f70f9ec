// The pieces of request handling that parse untrusted text on their own: query strings and
// percent escapes, static path resolution, multipart/form-data bodies. The input's first line
// is also used as a multipart boundary and the rest as the body.
// Properties: a static path never leaves the root (no "..", backslash, NUL or leading '/'); a
// multipart part's data lies inside the body; percent-decoding (alone or in a query string) what
// was encoded gives it back.

#include "fuzz_support.hpp"
#include "http.hpp"
#include "multipart.hpp"
#include "static_path.hpp"

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace {

using namespace portscreen;

void check_static_path(std::string_view target) {
    const auto file = ui_web::static_file_for(target);
    if (!file)
        return;
    fuzz::require(!file->starts_with("/"), "a static path is relative");
    fuzz::require(file->find('\\') == std::string::npos, "a static path has no backslash");
    fuzz::require(file->find('\0') == std::string::npos, "a static path has no NUL");
    std::string_view rest = *file;
    while (!rest.empty()) {
        const auto slash = rest.find('/');
        const auto segment = rest.substr(0, slash);
        fuzz::require(segment != "..", "a static path does not climb out of the root");
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    }
}

void check_multipart(std::string_view input) {
    const auto newline = input.find('\n');
    if (newline == std::string_view::npos)
        return;
    const auto content_type =
        "multipart/form-data; boundary=" + std::string(input.substr(0, newline));
    const auto boundary = ui_web::multipart_boundary(content_type);
    const auto body = input.substr(newline + 1);
    if (boundary.empty())
        return;
    try {
        for (const auto& part : ui_web::parse_multipart(body, boundary)) {
            fuzz::require(part.data.empty() ||
                              (part.data.data() >= body.data() &&
                               part.data.data() + part.data.size() <= body.data() + body.size()),
                          "a part's data lies inside the body");
        }
    } catch (const std::invalid_argument&) {
        // A malformed body is answered with 400.
    }
}

std::string percent_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : text) {
        out += '%';
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto input = fuzz::as_text(data, size);
    check_static_path(input);
    check_multipart(input);
    ui_web::parse_query(input);
    const auto key = input.substr(0, input.size() / 2);
    const auto value = input.substr(input.size() / 2);
    const auto query = ui_web::parse_query(percent_encode(key) + "=" + percent_encode(value));
    fuzz::require(input.empty() || (query.size() == 1 && query.begin()->first == key &&
                                    query.begin()->second == value),
                  "an encoded query pair decodes to itself");
    std::string decoded;
    fuzz::require(ui_web::percent_decode(percent_encode(input), decoded) && decoded == input,
                  "percent-decoding undoes percent-encoding");
    if (ui_web::percent_decode(input, decoded))
        fuzz::require(decoded.size() <= input.size(), "decoding never lengthens the text");
    return 0;
}
