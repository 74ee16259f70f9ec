#pragma once

#include "node/config.hpp"

#include <filesystem>

namespace portscreen::node {

/// The database file of a node's data folder.
std::filesystem::path database_path(const std::filesystem::path& data_dir);

/// Runs a port node on `data_dir` (created if missing) until SIGINT or SIGTERM, then stops
/// cleanly. Returns the process exit code.
int serve(const std::filesystem::path& data_dir, const Config& config);

/// Prints what a data folder holds, one "name: count" line each.
int print_status(const std::filesystem::path& data_dir);

} // namespace portscreen::node
