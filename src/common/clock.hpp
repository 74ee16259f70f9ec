#pragma once

#include <string>

namespace portscreen {

/// The current UTC time as ISO 8601 with milliseconds, e.g. "2026-11-27T20:35:26.123Z".
std::string utc_now_iso8601();

} // namespace portscreen
