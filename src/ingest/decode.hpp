#pragma once

#include "common/result.hpp"
#include "core/manifest.hpp"
#include "core/validation.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// Turns one received payload into validated manifests: format dispatch, parsing and business
/// validation, as a pure function of the bytes and the reference data.
namespace portscreen::ingest {

enum class ContentType { json, edifact };

/// "application/json" or "application/edifact" (case-insensitive, parameters after ';' ignored).
std::optional<ContentType> parse_content_type(std::string_view text);
const char* to_string(ContentType type);

/// Guesses the format of a file from its first bytes: '{' for JSON, UNA or UNB for EDIFACT.
std::optional<ContentType> detect_content_type(std::string_view bytes);

struct Decoded {
    std::vector<core::Manifest> manifests;
    std::string interchange_key; ///< "sender/control-reference" of an EDIFACT interchange
    Problems warnings;
};

/// Parses and validates. Any error refuses the whole payload: the result then holds every
/// problem found, errors and warnings, each with its location.
Result<Decoded> decode(ContentType type, std::string_view payload,
                       const core::ReferenceData& reference);

} // namespace portscreen::ingest
