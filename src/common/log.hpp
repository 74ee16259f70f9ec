#pragma once

#include <string_view>

/// One line per event on stderr: UTC time, level, the message id it concerns (or "-"), text.
/// Thread-safe: each line is written with one call.
namespace portscreen::log {

enum class Level { debug, info, warn, error };

void set_level(Level minimum);
bool parse_level(std::string_view name, Level& level);

void write(Level level, std::string_view message_id, std::string_view text);

inline void debug(std::string_view id, std::string_view text) {
    write(Level::debug, id, text);
}
inline void info(std::string_view id, std::string_view text) {
    write(Level::info, id, text);
}
inline void warn(std::string_view id, std::string_view text) {
    write(Level::warn, id, text);
}
inline void error(std::string_view id, std::string_view text) {
    write(Level::error, id, text);
}

} // namespace portscreen::log
