#pragma once

#include <string>
#include <vector>

/// The `audit` command of `portscreen`: verify the audit log's hash chain and list its entries.
namespace portscreen::audit {

/// One top-level command, shaped like scoring::CliCommand so main.cpp wires both the same way.
struct CliCommand {
    const char* name;
    const char* summary;
    const char* help;
    int (*run)(const std::vector<std::string>& argv);
};

/// audit.
const std::vector<CliCommand>& cli_commands();

} // namespace portscreen::audit
