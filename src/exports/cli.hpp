#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

/// The `export` command of `portscreen`: selections, outcomes, seizures or statistics of a
/// period from a node's data folder, as CSV, XLSX or JSON.
namespace portscreen::exports {

struct CliCommand {
    const char* name;
    const char* summary;
    const char* help;
    int (*run)(const std::vector<std::string>& argv);
};

/// export.
const std::vector<CliCommand>& cli_commands();

/// Finds the name of the unit whose data folder is `data_dir` (its identity for sharing), for
/// the node's own rows in network exports; an empty name when it has none.
using UnitNameLookup = std::function<std::string(const std::filesystem::path& data_dir)>;

/// `portscreen export` with `argv` after the command name. `unit_name` may be empty: the own
/// rows are then "this node". cli_commands() runs it without a lookup, since exports does not
/// link the sharing module; the program's wiring passes one that reads DATA/keys/node.json.
int run_export(const std::vector<std::string>& argv, const UnitNameLookup& unit_name);

} // namespace portscreen::exports
