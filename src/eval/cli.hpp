#pragma once

#include <string>
#include <vector>

/// `portscreen eval ...`: evaluates risk models on labelled data and prints the figures, with
/// --json one JSON object on the last line.
namespace portscreen::eval {

extern const char* const kHelp;

/// Runs the evaluation named by argv[0] with the rest as its options.
int run(const std::vector<std::string>& argv);

} // namespace portscreen::eval
