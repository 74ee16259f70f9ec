#pragma once

#include <optional>
#include <string>
#include <string_view>

/// Mapping of HTTP request targets onto the built frontend's files.
namespace portscreen::ui_web {

/// The file path, relative to the static root, that a request target names: query and
/// fragment dropped, percent-escapes decoded, "/" mapped to "index.html". Nothing when the
/// target could leave the root or is malformed: ".." segments, backslashes, NUL bytes, bad
/// escapes, or a target that does not start with "/". The result never starts with "/".
std::optional<std::string> static_file_for(std::string_view target);

} // namespace portscreen::ui_web
