#pragma once

#include <string>
#include <vector>

/// `portscreen sim ...`: writes simulated traffic to files.
namespace portscreen::sim {

extern const char* const kHelp;

int run(const std::vector<std::string>& argv);

} // namespace portscreen::sim
