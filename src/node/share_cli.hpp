#pragma once

#include <filesystem>
#include <string>
#include <vector>

/// The `keys` and `share` commands: a node's identity between ports, and what it shares.
namespace portscreen::node {

extern const char* const kKeysHelp;
extern const char* const kShareHelp;

int run_keys(const std::vector<std::string>& argv);
int run_share(const std::vector<std::string>& argv);

/// The unit name of the node whose data folder is `data_dir`, from its keys; empty without.
std::string unit_name(const std::filesystem::path& data_dir);

} // namespace portscreen::node
