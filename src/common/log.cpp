#include "common/log.hpp"

#include "common/clock.hpp"

#include <atomic>
#include <cstdio>
#include <string>
#include <unistd.h>

namespace portscreen::log {
namespace {

std::atomic<Level> g_minimum{Level::info};

const char* name(Level level) {
    switch (level) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
    }
    return "?";
}

/// Control characters from a message would let a sender forge log lines.
void append_escaped(std::string& out, std::string_view text) {
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f) {
            char hex[5];
            std::snprintf(hex, sizeof hex, "\\x%02x", byte);
            out += hex;
        } else {
            out += c;
        }
    }
}

} // namespace

void set_level(Level minimum) {
    g_minimum = minimum;
}

bool parse_level(std::string_view text, Level& level) {
    for (Level candidate : {Level::debug, Level::info, Level::warn, Level::error}) {
        if (text == name(candidate)) {
            level = candidate;
            return true;
        }
    }
    return false;
}

void write(Level level, std::string_view message_id, std::string_view text) {
    if (level < g_minimum.load(std::memory_order_relaxed))
        return;
    std::string line = utc_now_iso8601();
    line += ' ';
    line += name(level);
    line += ' ';
    if (message_id.empty())
        line += '-';
    else
        append_escaped(line, message_id);
    line += ' ';
    append_escaped(line, text);
    line += '\n';
    // One write(2) per line keeps lines whole when threads log at once.
    [[maybe_unused]] const auto written = ::write(STDERR_FILENO, line.data(), line.size());
}

} // namespace portscreen::log
