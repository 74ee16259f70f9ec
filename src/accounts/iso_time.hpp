#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

/// ISO 8601 UTC times as the database stores them ("2026-11-27T20:35:26.123Z", the form of
/// portscreen::utc_now_iso8601()), for session expiry. Pure.
namespace portscreen::accounts {

using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;

/// Reads "YYYY-MM-DDTHH:MM:SSZ" with optional fractional seconds (milliseconds are kept);
/// nothing for any other text or an impossible date.
std::optional<TimePoint> parse_iso8601(std::string_view text);

/// "YYYY-MM-DDTHH:MM:SS.mmmZ": the stored form, whose text order is time order.
std::string format_iso8601(TimePoint time);

/// `text` plus `seconds` (which may be negative) in the stored form. Throws
/// std::invalid_argument naming `text` when it is not an ISO 8601 UTC time.
std::string add_seconds(std::string_view text, std::chrono::seconds seconds);

/// `text` as a time point; throws std::invalid_argument naming it when it is not one.
TimePoint require_iso8601(std::string_view text);

} // namespace portscreen::accounts
