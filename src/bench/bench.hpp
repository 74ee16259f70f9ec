#pragma once

#include <string>
#include <vector>

/// `portscreen bench ...`: measurements that print their figures, and with --json one JSON
/// object on the last line.
namespace portscreen::bench {

extern const char* const kHelp;

/// Runs the benchmark named by argv[0] with the rest as its options.
int run(const std::vector<std::string>& argv);

} // namespace portscreen::bench
