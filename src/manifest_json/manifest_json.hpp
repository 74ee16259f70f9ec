#pragma once

#include "common/result.hpp"
#include "core/manifest.hpp"

#include <string>
#include <string_view>

/// The portscreen JSON manifest format (docs/manifest-json.md, docs/manifest.schema.json).
namespace portscreen::manifest_json {

/// Parses one JSON manifest. Every problem is reported with its JSON pointer: wrong types,
/// missing required members, unknown members, invalid UTF-8.
Result<core::Manifest> parse(std::string_view text);

/// Writes a manifest in the same format; parse(write(m)) gives back m.
std::string write(const core::Manifest& manifest);

} // namespace portscreen::manifest_json
