#pragma once

#include "common/result.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>

namespace portscreen::edifact::testing {

/// The bytes of a fixture under tests/data/edifact.
inline std::string read_fixture(std::string_view relative) {
    const std::string path =
        std::string(PORTSCREEN_TEST_DATA) + "/edifact/" + std::string(relative);
    std::ifstream file(path, std::ios::binary);
    if (!file)
        return "cannot open " + path;
    return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

/// Problems with this code, in order.
inline Problems with_code(const Problems& problems, std::string_view code) {
    Problems found;
    std::copy_if(problems.begin(), problems.end(), std::back_inserter(found),
                 [&](const Problem& problem) { return problem.code == code; });
    return found;
}

inline std::size_t error_count(const Problems& problems) {
    return static_cast<std::size_t>(
        std::count_if(problems.begin(), problems.end(),
                      [](const Problem& problem) { return problem.severity == Severity::error; }));
}

/// All problems as text, for failure messages.
inline std::string describe(const Problems& problems) {
    std::ostringstream text;
    for (const Problem& problem : problems)
        text << (problem.severity == Severity::error ? "error " : "warning ") << problem.code
             << " [" << problem.where() << "] " << problem.message << " (CONTRL " << problem.contrl
             << ")\n";
    return text.str();
}

} // namespace portscreen::edifact::testing
