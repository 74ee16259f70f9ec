#pragma once

#include <string>
#include <vector>

/// The `scan` and `scanner-sim` commands.
namespace portscreen::scans {

extern const char* const kScanHelp;
int run_scan(const std::vector<std::string>& argv);

extern const char* const kScannerSimHelp;
int run_scanner_sim(const std::vector<std::string>& argv);

} // namespace portscreen::scans
