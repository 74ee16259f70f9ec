#pragma once

#include "accounts/role.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// User accounts as stored in `users`. Every change is one transaction with its audit entry.
namespace portscreen::accounts {

struct User {
    std::int64_t id = 0;
    std::string username, display_name;
    Role role = Role::officer;
    std::string created_at;
    bool disabled = false;
};

/// A user with the stored password hash, for checking a login.
struct Credentials {
    User user;
    std::string password_hash;
};

/// Every reason `username` is not acceptable: 2 to 32 characters of a-z, 0-9, '.', '_' and
/// '-', starting with a letter. Empty when it is. Pure.
std::vector<std::string> username_problems(std::string_view username);

/// Creates an account and appends its `user.add` audit entry (subject `user:<username>`) in one
/// transaction. Throws std::invalid_argument naming the username and listing every problem
/// with the username and password, or saying that the user already exists.
User add_user(storage::Database& db, std::string_view username, std::string_view display_name,
              Role role, std::string_view password, std::string_view actor, std::string_view now);

std::optional<User> find_user(storage::Database& db, std::string_view username);
std::optional<Credentials> find_credentials(storage::Database& db, std::string_view username);
/// Every account, disabled ones included, by username.
std::vector<User> list_users(storage::Database& db);

/// Stops `username` from logging in and ends its sessions, with a `user.disable` audit entry.
/// Throws std::invalid_argument for an unknown user or the last enabled admin (nobody could
/// manage accounts afterwards). Disabling a disabled user changes nothing and records nothing.
void disable_user(storage::Database& db, std::string_view username, std::string_view actor,
                  std::string_view now);

/// Replaces the password of `username` and ends its sessions, with a `user.password` audit
/// entry. Throws std::invalid_argument for an unknown user or an unacceptable password.
void set_password(storage::Database& db, std::string_view username, std::string_view password,
                  std::string_view actor, std::string_view now);

/// "user:<username>", the audit subject of an account.
std::string user_subject(std::string_view username);

} // namespace portscreen::accounts
