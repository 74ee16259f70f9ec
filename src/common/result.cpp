#include "common/result.hpp"

#include <algorithm>

namespace portscreen {

std::string Problem::where() const {
    std::string text;
    if (segment != 0) {
        text = "segment " + std::to_string(segment);
        if (!segment_tag.empty())
            text += " (" + segment_tag + ")";
    }
    if (!position.empty()) {
        if (!text.empty())
            text += ' ';
        text += position;
    }
    if (!path.empty()) {
        if (!text.empty())
            text += ", ";
        text += path;
    }
    return text;
}

bool has_errors(const Problems& problems) {
    return std::any_of(problems.begin(), problems.end(),
                       [](const Problem& p) { return p.severity == Severity::error; });
}

} // namespace portscreen
