#pragma once

#include <optional>
#include <string>
#include <string_view>

/// Conversions between EDIFACT date/time values (DTM C507, format qualifier 2379) and the ISO
/// 8601 text of the manifest model.
namespace portscreen::edifact {

/// ISO 8601 text of `value` read with format `format` (2379): 102 CCYYMMDD → "2024-01-20",
/// 203 CCYYMMDDHHMM → "2024-01-20T18:00", 204 adds seconds, 303 adds a zone (UTC/GMT → "Z",
/// "+hh" or "+hhmm" → "+hh:mm"). An empty format is inferred from the length. Nothing when the
/// value does not fit the format or is not a calendar date and time.
std::optional<std::string> edifact_to_iso8601(std::string_view value, std::string_view format);

/// An EDIFACT value and its 2379 format for ISO 8601 text of the shapes above.
struct EdifactDateTime {
    std::string value;
    std::string format;
};

/// The inverse of edifact_to_iso8601(); nothing for text of another shape.
std::optional<EdifactDateTime> iso8601_to_edifact(std::string_view iso);

} // namespace portscreen::edifact
