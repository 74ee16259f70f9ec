#pragma once

#include <string>
#include <vector>

/// The `user` command of `portscreen`: create, list and disable accounts, set passwords.
namespace portscreen::accounts {

/// One top-level command, shaped like scoring::CliCommand so main.cpp wires both the same way.
struct CliCommand {
    const char* name;
    const char* summary;
    const char* help;
    int (*run)(const std::vector<std::string>& argv);
};

/// user.
const std::vector<CliCommand>& cli_commands();

} // namespace portscreen::accounts
