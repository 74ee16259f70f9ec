// The `user` command on a real node database, run as main.cpp would run it.

#include "accounts/cli.hpp"
#include "accounts/users.hpp"
#include "accounts_fixture.hpp"
#include "audit/audit.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace portscreen::accounts {
namespace {

using testing::AccountsTest;

class UserCliTest : public AccountsTest {
protected:
    int run(std::vector<std::string> argv) {
        const auto& commands = cli_commands();
        EXPECT_EQ(commands.size(), 1U);
        EXPECT_STREQ(commands.at(0).name, "user");
        argv.push_back("--data");
        argv.push_back(dir_.string());
        return commands.at(0).run(argv);
    }
    void TearDown() override {
        unsetenv("PORTSCREEN_PASSWORD");
        AccountsTest::TearDown();
    }
};

TEST_F(UserCliTest, AddsListsAndDisablesWithThePasswordFromTheEnvironment) {
    setenv("USER", "tester", 1);
    setenv("PORTSCREEN_PASSWORD", "a long enough passphrase", 1);
    EXPECT_EQ(run({"add", "--username", "ana", "--role", "officer", "--name", "Ana Lopez"}), 0);
    const auto ana = find_user(db(), "ana");
    ASSERT_TRUE(ana);
    EXPECT_EQ(ana->display_name, "Ana Lopez");
    EXPECT_EQ(ana->role, Role::officer);
    EXPECT_EQ(run({"list"}), 0);
    EXPECT_EQ(run({"disable", "--username", "ana"}), 0);
    EXPECT_TRUE(find_user(db(), "ana")->disabled);

    const auto entries = audit::list(db(), 0, 10);
    ASSERT_EQ(entries.size(), 2U);
    EXPECT_EQ(entries[0].action, "user.add");
    EXPECT_EQ(entries[0].actor, "cli:tester");
    EXPECT_EQ(entries[1].action, "user.disable");
}

TEST_F(UserCliTest, PasswordFromTheFirstLineOfStandardInput) {
    unsetenv("PORTSCREEN_PASSWORD");
    insert_user("ana");
    std::istringstream input("a new passphrase here\r\nsecond line\n");
    std::streambuf* const saved = std::cin.rdbuf(input.rdbuf());
    const int status = run({"password", "--username", "ana"});
    std::cin.rdbuf(saved);
    EXPECT_EQ(status, 0);
    EXPECT_TRUE(
        verify_password(find_credentials(db(), "ana")->password_hash, "a new passphrase here"));
    EXPECT_EQ(audit::list(db(), 0, 10).at(0).action, "user.password");
}

TEST_F(UserCliTest, RefusesBadRoleAndUnknownAction) {
    setenv("PORTSCREEN_PASSWORD", "a long enough passphrase", 1);
    EXPECT_THROW(run({"add", "--username", "ana", "--role", "boss"}), std::invalid_argument);
    EXPECT_THROW(run({"add", "--role", "officer"}), std::invalid_argument);
    EXPECT_EQ(run({"promote", "--username", "ana"}), 2);
    EXPECT_EQ(count("SELECT count(*) FROM users"), 0);
}

} // namespace
} // namespace portscreen::accounts
