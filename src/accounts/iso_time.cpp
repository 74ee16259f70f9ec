#include "accounts/iso_time.hpp"

#include <cstdio>
#include <stdexcept>

namespace portscreen::accounts {
namespace {

/// Reads `count` decimal digits at `pos`; nothing when any is not a digit.
std::optional<int> digits(std::string_view text, std::size_t pos, std::size_t count) {
    if (pos + count > text.size())
        return std::nullopt;
    int value = 0;
    for (std::size_t idx = pos; idx < pos + count; ++idx) {
        if (text[idx] < '0' || text[idx] > '9')
            return std::nullopt;
        value = value * 10 + (text[idx] - '0');
    }
    return value;
}

} // namespace

std::optional<TimePoint> parse_iso8601(std::string_view text) {
    using namespace std::chrono;
    const auto year = digits(text, 0, 4);
    const auto month = digits(text, 5, 2);
    const auto day = digits(text, 8, 2);
    const auto hour = digits(text, 11, 2);
    const auto minute = digits(text, 14, 2);
    const auto second = digits(text, 17, 2);
    if (!year || !month || !day || !hour || !minute || !second || text[4] != '-' ||
        text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':')
        return std::nullopt;
    if (*hour > 23 || *minute > 59 || *second > 60)
        return std::nullopt;
    const year_month_day date{std::chrono::year{*year},
                              std::chrono::month{static_cast<unsigned>(*month)},
                              std::chrono::day{static_cast<unsigned>(*day)}};
    if (!date.ok())
        return std::nullopt;
    std::size_t pos = 19;
    int millis = 0;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        int scale = 100;
        const std::size_t first = pos;
        for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) {
            millis += (text[pos] - '0') * scale;
            scale /= 10;
        }
        if (pos == first)
            return std::nullopt;
    }
    if (pos + 1 != text.size() || text[pos] != 'Z')
        return std::nullopt;
    return TimePoint{sys_days{date}} + hours{*hour} + minutes{*minute} + seconds{*second} +
           milliseconds{millis};
}

std::string format_iso8601(TimePoint time) {
    using namespace std::chrono;
    const auto day_start = floor<days>(time);
    const year_month_day date{day_start};
    const hh_mm_ss clock{time - day_start};
    char text[40];
    std::snprintf(
        text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int{date.year()},
        unsigned{date.month()}, unsigned{date.day()}, static_cast<int>(clock.hours().count()),
        static_cast<int>(clock.minutes().count()), static_cast<int>(clock.seconds().count()),
        static_cast<int>(clock.subseconds().count()));
    return text;
}

TimePoint require_iso8601(std::string_view text) {
    const auto time = parse_iso8601(text);
    if (!time)
        throw std::invalid_argument(std::string("'").append(text).append(
            "' is not an ISO 8601 UTC time (YYYY-MM-DDTHH:MM:SS.mmmZ)"));
    return *time;
}

std::string add_seconds(std::string_view text, std::chrono::seconds seconds) {
    return format_iso8601(require_iso8601(text) + seconds);
}

} // namespace portscreen::accounts
