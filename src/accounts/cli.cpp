#include "accounts/cli.hpp"

#include "accounts/role.hpp"
#include "accounts/users.hpp"
#include "common/args.hpp"
#include "common/clock.hpp"
#include "storage/database.hpp"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>

namespace portscreen::accounts {
namespace {

namespace fs = std::filesystem;

constexpr const char* kUserHelp =
    R"(usage: portscreen user add --data DIR --username U --role ROLE [--name "Display Name"]
       portscreen user list --data DIR
       portscreen user disable --data DIR --username U
       portscreen user password --data DIR --username U

Accounts of the web interface. ROLE is officer, operator (scanner operator), manager
(programme manager) or admin. add and password read the password from the environment
variable PORTSCREEN_PASSWORD when it is set, otherwise from the first line of standard input
(never from an argument, which any user could read in the process list). A password has 12 to
128 characters and does not contain the username. disable stops the account from logging in
and ends its sessions; the last enabled admin cannot be disabled. password ends the account's
sessions. Every change is recorded in the audit log with the actor cli:$USER.
)";

storage::Database open_node(const Args& args) {
    const auto data = args.get("data");
    if (!data)
        throw std::invalid_argument("--data DIR is required");
    const fs::path file = fs::path(*data) / "portscreen.db";
    if (!fs::exists(file))
        throw std::runtime_error("no port node database in " + *data);
    return storage::Database::open(file, storage::Access::writer);
}

std::string cli_actor() {
    const char* user = std::getenv("USER");
    if (user == nullptr || *user == '\0')
        return "cli";
    return std::string("cli:").append(user);
}

std::string require(const Args& args, const std::string& name) {
    auto value = args.get(name);
    if (!value || value->empty())
        throw std::invalid_argument(std::string("--").append(name).append(" is required"));
    return *value;
}

/// Turns terminal echo off while it lives, so a typed password is not shown.
class EchoOff {
public:
    EchoOff() {
        if (isatty(STDIN_FILENO) == 0 || tcgetattr(STDIN_FILENO, &saved_) != 0)
            return;
        termios quiet = saved_;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        active_ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;
    ~EchoOff() {
        if (active_) {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
            std::fputs("\n", stderr);
        }
    }

private:
    termios saved_{};
    bool active_ = false;
};

std::string read_password() {
    if (const char* from_env = std::getenv("PORTSCREEN_PASSWORD"); from_env != nullptr)
        return from_env;
    if (isatty(STDIN_FILENO) != 0)
        std::fputs("password: ", stderr);
    std::string line;
    {
        const EchoOff quiet;
        if (!std::getline(std::cin, line))
            throw std::invalid_argument(
                "no password: set PORTSCREEN_PASSWORD or give it on the first line of stdin");
    }
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    return line;
}

int user_add(const Args& args) {
    const std::string username = require(args, "username");
    const std::string role_name = require(args, "role");
    const auto role = parse_role(role_name);
    if (!role)
        throw std::invalid_argument(
            std::string("--role '")
                .append(role_name)
                .append("' is not one of officer, operator, manager, admin"));
    auto db = open_node(args);
    const std::string password = read_password();
    const User user = add_user(db, username, args.get_or("name", ""), *role, password, cli_actor(),
                               utc_now_iso8601());
    std::printf("added user '%s' (%s) as %s\n", user.username.c_str(), user.display_name.c_str(),
                std::string(to_string(user.role)).c_str());
    return 0;
}

int user_list(const Args& args) {
    auto db = open_node(args);
    const auto users = list_users(db);
    for (const User& user : users)
        std::printf("%-32s %-9s %-8s %s  %s\n", user.username.c_str(),
                    std::string(to_string(user.role)).c_str(),
                    user.disabled ? "disabled" : "enabled", user.created_at.c_str(),
                    user.display_name.c_str());
    std::printf("%zu users\n", users.size());
    return 0;
}

int user_disable(const Args& args) {
    const std::string username = require(args, "username");
    auto db = open_node(args);
    disable_user(db, username, cli_actor(), utc_now_iso8601());
    std::printf("user '%s' is disabled\n", username.c_str());
    return 0;
}

int user_password(const Args& args) {
    const std::string username = require(args, "username");
    auto db = open_node(args);
    const std::string password = read_password();
    set_password(db, username, password, cli_actor(), utc_now_iso8601());
    std::printf("password of user '%s' changed; its sessions are ended\n", username.c_str());
    return 0;
}

int run_user(const std::vector<std::string>& argv) {
    if (argv.empty()) {
        std::fputs(kUserHelp, stderr);
        return 2;
    }
    const std::string action = argv[0];
    const Args args(std::vector<std::string>(argv.begin() + 1, argv.end()),
                    {"data", "username", "role", "name"}, {});
    if (!args.positional().empty()) {
        std::fputs(kUserHelp, stderr);
        return 2;
    }
    if (action == "add")
        return user_add(args);
    if (action == "list")
        return user_list(args);
    if (action == "disable")
        return user_disable(args);
    if (action == "password")
        return user_password(args);
    std::fputs(kUserHelp, stderr);
    return 2;
}

} // namespace

const std::vector<CliCommand>& cli_commands() {
    static const std::vector<CliCommand> commands = {
        {"user", "add, list and disable web accounts; set passwords", kUserHelp, run_user},
    };
    return commands;
}

} // namespace portscreen::accounts
