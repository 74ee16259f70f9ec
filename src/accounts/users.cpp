#include "accounts/users.hpp"

#include "accounts/password.hpp"
#include "audit/audit.hpp"
#include "common/json_writer.hpp"

#include <stdexcept>

namespace portscreen::accounts {
namespace {

using storage::Statement;

constexpr std::string_view kUserColumns =
    "id, username, display_name, role, created_at, disabled_at IS NOT NULL, password_hash";

User read_user(const Statement& row) {
    User user;
    user.id = row.column_int64(0);
    user.username = row.column_text(1);
    user.display_name = row.column_text(2);
    // The schema's CHECK keeps the role to the four names.
    user.role = parse_role(row.column_text_view(3)).value_or(Role::officer);
    user.created_at = row.column_text(4);
    user.disabled = row.column_int64(5) != 0;
    return user;
}

std::string user_label(std::string_view username) {
    return std::string("user '").append(username).append("'");
}

/// "user 'ana': problem; problem".
[[noreturn]] void refuse(std::string_view username, const std::vector<std::string>& problems) {
    std::string message = user_label(username).append(": ");
    for (std::size_t idx = 0; idx < problems.size(); ++idx)
        message.append(idx == 0 ? "" : "; ").append(problems[idx]);
    throw std::invalid_argument(message);
}

User require_user(storage::Database& db, std::string_view username) {
    auto user = find_user(db, username);
    if (!user)
        throw std::invalid_argument(std::string("no user '").append(username).append("'"));
    return *user;
}

void delete_sessions(storage::Database& db, std::int64_t user_id) {
    Statement remove(db, "DELETE FROM sessions WHERE user_id = ?1");
    remove.bind(1, user_id);
    remove.run();
}

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

} // namespace

std::string user_subject(std::string_view username) {
    return std::string("user:").append(username);
}

std::vector<std::string> username_problems(std::string_view username) {
    std::vector<std::string> problems;
    if (username.size() < 2 || username.size() > 32)
        problems.push_back(std::string("username must have 2 to 32 characters, not ")
                               .append(std::to_string(username.size())));
    if (!username.empty() && !(username.front() >= 'a' && username.front() <= 'z'))
        problems.push_back("username must start with a lower-case letter");
    for (const char c : username)
        if (!is_name_char(c)) {
            problems.push_back("username may contain only a-z, 0-9, '.', '_' and '-'");
            break;
        }
    return problems;
}

User add_user(storage::Database& db, std::string_view username, std::string_view display_name,
              Role role, std::string_view password, std::string_view actor, std::string_view now) {
    auto problems = username_problems(username);
    for (auto& problem : password_problems(password, username))
        problems.push_back(std::move(problem));
    if (display_name.size() > 200)
        problems.push_back("display name must have at most 200 characters");
    if (!problems.empty())
        refuse(username, problems);
    // Argon2 takes a tenth of a second or more: hash before taking the write lock.
    const std::string hash = hash_password(password);
    const std::string name(display_name.empty() ? username : display_name);

    storage::Transaction transaction(db);
    if (find_user(db, username))
        throw std::invalid_argument(user_label(username).append(" already exists"));
    Statement insert(db, "INSERT INTO users (username, display_name, role, password_hash, "
                         "created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
    insert.bind(1, username);
    insert.bind(2, name);
    insert.bind(3, to_string(role));
    insert.bind(4, hash);
    insert.bind(5, now);
    insert.run();
    const User user{
        db.last_insert_rowid(), std::string(username), name, role, std::string(now), false};
    JsonWriter detail;
    detail.open_object();
    detail.member("role", to_string(role));
    detail.member("display_name", name);
    detail.close_object();
    audit::append(db, actor, "user.add", user_subject(username), detail.take(), now);
    transaction.commit();
    return user;
}

std::optional<Credentials> find_credentials(storage::Database& db, std::string_view username) {
    Statement get(
        db, std::string("SELECT ").append(kUserColumns).append(" FROM users WHERE username = ?1"));
    get.bind(1, username);
    if (!get.step())
        return std::nullopt;
    Credentials found{read_user(get), get.column_text(6)};
    get.reset();
    return found;
}

std::optional<User> find_user(storage::Database& db, std::string_view username) {
    auto credentials = find_credentials(db, username);
    if (!credentials)
        return std::nullopt;
    return std::move(credentials->user);
}

std::vector<User> list_users(storage::Database& db) {
    Statement all(
        db, std::string("SELECT ").append(kUserColumns).append(" FROM users ORDER BY username"));
    std::vector<User> users;
    while (all.step())
        users.push_back(read_user(all));
    return users;
}

void disable_user(storage::Database& db, std::string_view username, std::string_view actor,
                  std::string_view now) {
    storage::Transaction transaction(db);
    const User user = require_user(db, username);
    if (user.disabled)
        return;
    if (user.role == Role::admin &&
        db.query_int64("SELECT count(*) FROM users WHERE role = 'admin' AND disabled_at IS "
                       "NULL") <= 1)
        throw std::invalid_argument(
            user_label(username).append(" is the last enabled admin and cannot be disabled"));
    Statement update(db, "UPDATE users SET disabled_at = ?2 WHERE id = ?1");
    update.bind(1, user.id);
    update.bind(2, now);
    update.run();
    delete_sessions(db, user.id);
    audit::append(db, actor, "user.disable", user_subject(username), "{}", now);
    transaction.commit();
}

void set_password(storage::Database& db, std::string_view username, std::string_view password,
                  std::string_view actor, std::string_view now) {
    const auto problems = password_problems(password, username);
    if (!problems.empty())
        refuse(username, problems);
    const std::string hash = hash_password(password);
    storage::Transaction transaction(db);
    const User user = require_user(db, username);
    Statement update(db, "UPDATE users SET password_hash = ?2 WHERE id = ?1");
    update.bind(1, user.id);
    update.bind(2, hash);
    update.run();
    delete_sessions(db, user.id);
    audit::append(db, actor, "user.password", user_subject(username), "{}", now);
    transaction.commit();
}

} // namespace portscreen::accounts
