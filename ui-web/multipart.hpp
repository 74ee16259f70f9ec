#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace portscreen::ui_web {

/// One part of a multipart/form-data body (RFC 7578).
struct FormPart {
    std::string name;
    std::string filename; ///< empty for a plain field
    std::string content_type;
    std::string_view data; ///< points into the body passed to parse_multipart
};

/// The boundary parameter of a multipart/form-data content type; empty when there is none.
std::string multipart_boundary(std::string_view content_type);

/// Splits a multipart/form-data body into its parts. Throws std::invalid_argument naming what
/// is malformed (missing boundary, a part without a name, a body that ends early).
std::vector<FormPart> parse_multipart(std::string_view body, std::string_view boundary);

} // namespace portscreen::ui_web
