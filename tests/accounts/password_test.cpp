// Argon2id hashing through libsodium, random tokens and the password rules.

#include "accounts/password.hpp"
#include "accounts_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace portscreen::accounts {
namespace {

using testing::kPassword;
using testing::shared_hash;

bool mentions(const std::vector<std::string>& problems, const std::string& text) {
    return std::any_of(problems.begin(), problems.end(), [&](const std::string& problem) {
        return problem.find(text) != std::string::npos;
    });
}

TEST(Password, HashIsArgon2idAndVerifies) {
    const std::string& hash = shared_hash();
    EXPECT_EQ(hash.rfind("$argon2id$", 0), 0U) << hash;
    EXPECT_TRUE(verify_password(hash, kPassword));
    EXPECT_FALSE(verify_password(hash, "correct horse battery "));
    EXPECT_FALSE(verify_password(hash, ""));
}

TEST(Password, SameTextHashesDifferentlyEachTime) {
    // A random salt per hash: equal passwords do not show as equal hashes.
    const std::string again = hash_password(kPassword);
    EXPECT_NE(again, shared_hash());
    EXPECT_TRUE(verify_password(again, kPassword));
}

TEST(Password, MalformedHashNeverVerifies) {
    EXPECT_FALSE(verify_password("", kPassword));
    EXPECT_FALSE(verify_password("$argon2id$nonsense", kPassword));
    EXPECT_FALSE(verify_password(std::string(500, 'x'), kPassword));
}

TEST(Password, RandomTokensAreHexAndDistinct) {
    std::set<std::string> seen;
    for (int idx = 0; idx < 50; ++idx) {
        const std::string token = random_token();
        ASSERT_EQ(token.size(), 64U);
        EXPECT_TRUE(std::all_of(token.begin(), token.end(), [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        })) << token;
        seen.insert(token);
    }
    EXPECT_EQ(seen.size(), 50U);
}

TEST(PasswordProblems, AcceptsAGoodPassword) {
    EXPECT_TRUE(password_problems("correct horse battery", "ana").empty());
    EXPECT_TRUE(password_problems(std::string(128, 'x'), "ana").empty());
}

TEST(PasswordProblems, LengthIsCountedInCharacters) {
    const auto short_one = password_problems("short", "ana");
    ASSERT_EQ(short_one.size(), 1U);
    EXPECT_TRUE(mentions(short_one, "at least 12")) << short_one[0];
    EXPECT_EQ(password_problems(std::string(11, 'x'), "ana").size(), 1U);
    EXPECT_TRUE(mentions(password_problems(std::string(129, 'x'), "ana"), "at most 128"));
    // 12 two-byte characters are 12 characters, not 24 bytes.
    std::string accented;
    for (int idx = 0; idx < 12; ++idx)
        accented += "\xC3\xA9"; // é
    EXPECT_TRUE(password_problems(accented, "ana").empty());
    std::string eleven;
    for (int idx = 0; idx < 11; ++idx)
        eleven += "\xC3\xA9";
    EXPECT_TRUE(mentions(password_problems(eleven, "ana"), "has 11 characters"));
}

TEST(PasswordProblems, MayNotContainTheUsername) {
    EXPECT_TRUE(mentions(password_problems("marialopez", "marialopez"), "username"));
    EXPECT_TRUE(mentions(password_problems("my name is MariaLopez!", "marialopez"), "username"));
    EXPECT_TRUE(password_problems("my name is not hers", "marialopez").empty());
    // Every problem at once.
    EXPECT_EQ(password_problems("ana", "ana").size(), 2U);
}

} // namespace
} // namespace portscreen::accounts
