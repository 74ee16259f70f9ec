#pragma once

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

} // namespace portscreen::exports
