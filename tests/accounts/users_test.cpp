// Accounts in a real node database: creation with its audit entry, refusals, disabling.

#include "accounts/password.hpp"
#include "accounts/sessions.hpp"
#include "accounts/users.hpp"
#include "accounts_fixture.hpp"
#include "audit/audit.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <functional>
#include <stdexcept>

namespace portscreen::accounts {
namespace {

using testing::AccountsTest;
using testing::kPassword;

constexpr const char* kNow = "2026-11-27T09:00:00.000Z";

std::string error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(UsernameProblems, RulesOfTheName) {
    EXPECT_TRUE(username_problems("ana").empty());
    EXPECT_TRUE(username_problems("m.lopez-2_b").empty());
    EXPECT_TRUE(username_problems(std::string(32, 'a')).empty());
    EXPECT_FALSE(username_problems("a").empty());
    EXPECT_FALSE(username_problems("").empty());
    EXPECT_FALSE(username_problems(std::string(33, 'a')).empty());
    EXPECT_FALSE(username_problems("2ana").empty());
    EXPECT_FALSE(username_problems(".ana").empty());
    EXPECT_FALSE(username_problems("Ana").empty());
    EXPECT_FALSE(username_problems("ana lopez").empty());
    EXPECT_FALSE(username_problems("ana@port").empty());
    EXPECT_EQ(username_problems("9 x").size(), 2U); // bad start and bad character
}

class UsersTest : public AccountsTest {};

TEST_F(UsersTest, AddUserWritesRowAndAuditEntry) {
    const User user =
        add_user(db(), "ana", "Ana Lopez", Role::manager, kPassword, "cli:root", kNow);
    EXPECT_GT(user.id, 0);
    EXPECT_EQ(user.role, Role::manager);

    const auto found = find_user(db(), "ana");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->display_name, "Ana Lopez");
    EXPECT_EQ(found->role, Role::manager);
    EXPECT_EQ(found->created_at, kNow);
    EXPECT_FALSE(found->disabled);
    const auto credentials = find_credentials(db(), "ana");
    ASSERT_TRUE(credentials);
    EXPECT_TRUE(verify_password(credentials->password_hash, kPassword));

    const auto entries = audit::list(db(), 0, 10);
    ASSERT_EQ(entries.size(), 1U);
    EXPECT_EQ(entries[0].action, "user.add");
    EXPECT_EQ(entries[0].actor, "cli:root");
    EXPECT_EQ(entries[0].subject, "user:ana");
    EXPECT_EQ(nlohmann::json::parse(entries[0].detail).at("role"), "manager");
    EXPECT_TRUE(audit::verify(db()).ok);
}

TEST_F(UsersTest, DuplicateUsernameIsRefused) {
    insert_user("ana");
    const std::string error = error_of(
        [&] { add_user(db(), "ana", "Another", Role::officer, kPassword, "cli:root", kNow); });
    EXPECT_EQ(error, "user 'ana' already exists");
    EXPECT_EQ(count("SELECT count(*) FROM users"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM audit_log"), 0);
}

TEST_F(UsersTest, EveryProblemIsListedAtOnce) {
    const std::string error =
        error_of([&] { add_user(db(), "Bo", "", Role::officer, "bo", "cli:root", kNow); });
    EXPECT_NE(error.find("user 'Bo'"), std::string::npos) << error;
    EXPECT_NE(error.find("lower-case letter"), std::string::npos) << error;
    EXPECT_NE(error.find("at least 12"), std::string::npos) << error;
    EXPECT_EQ(count("SELECT count(*) FROM users"), 0);
}

TEST_F(UsersTest, ListUsersByName) {
    insert_user("zed", "admin");
    insert_user("ana", "operator");
    const auto users = list_users(db());
    ASSERT_EQ(users.size(), 2U);
    EXPECT_EQ(users[0].username, "ana");
    EXPECT_EQ(users[0].role, Role::operator_);
    EXPECT_EQ(users[1].username, "zed");
    EXPECT_EQ(users[1].role, Role::admin);
}

TEST_F(UsersTest, DisableUserEndsSessionsAndIsAudited) {
    const auto id = insert_user("ana");
    {
        storage::Transaction transaction(db());
        create_session(db(), *find_user(db(), "ana"), kNow, {});
        transaction.commit();
    }
    ASSERT_EQ(count("SELECT count(*) FROM sessions"), 1);
    disable_user(db(), "ana", "root", "2026-11-27T09:05:00.000Z");
    EXPECT_TRUE(find_user(db(), "ana")->disabled);
    EXPECT_EQ(count("SELECT count(*) FROM sessions"), 0);
    const auto entries = audit::list(db(), 0, 10);
    ASSERT_EQ(entries.size(), 1U);
    EXPECT_EQ(entries[0].action, "user.disable");
    EXPECT_EQ(entries[0].subject, "user:ana");
    EXPECT_EQ(entries[0].actor, "root");
    // Again: nothing changes, nothing is recorded.
    disable_user(db(), "ana", "root", "2026-11-27T09:06:00.000Z");
    EXPECT_EQ(audit::list(db(), 0, 10).size(), 1U);
    EXPECT_GT(id, 0);
}

TEST_F(UsersTest, DisableUnknownUserThrows) {
    EXPECT_EQ(error_of([&] { disable_user(db(), "nobody", "root", kNow); }), "no user 'nobody'");
}

TEST_F(UsersTest, LastEnabledAdminCannotBeDisabled) {
    insert_user("root", "admin");
    const std::string error = error_of([&] { disable_user(db(), "root", "root", kNow); });
    EXPECT_NE(error.find("last enabled admin"), std::string::npos) << error;
    EXPECT_FALSE(find_user(db(), "root")->disabled);
    insert_user("root2", "admin");
    disable_user(db(), "root", "root2", kNow);
    EXPECT_TRUE(find_user(db(), "root")->disabled);
}

TEST_F(UsersTest, SetPasswordReplacesHashAndEndsSessions) {
    insert_user("ana");
    {
        storage::Transaction transaction(db());
        create_session(db(), *find_user(db(), "ana"), kNow, {});
        transaction.commit();
    }
    set_password(db(), "ana", "a different passphrase", "ana", kNow);
    const auto credentials = find_credentials(db(), "ana");
    EXPECT_TRUE(verify_password(credentials->password_hash, "a different passphrase"));
    EXPECT_EQ(count("SELECT count(*) FROM sessions"), 0);
    EXPECT_EQ(audit::list(db(), 0, 10).at(0).action, "user.password");
    EXPECT_NE(
        error_of([&] { set_password(db(), "ana", "short", "ana", kNow); }).find("at least 12"),
        std::string::npos);
    EXPECT_EQ(error_of([&] { set_password(db(), "bo", "long enough passphrase", "x", kNow); }),
              "no user 'bo'");
}

} // namespace
} // namespace portscreen::accounts
