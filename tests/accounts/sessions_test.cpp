// Sessions with explicit times: idle and absolute expiry, disabled users, logout, purging.

#include "accounts/iso_time.hpp"
#include "accounts/sessions.hpp"
#include "accounts_fixture.hpp"
#include "audit/audit.hpp"
#include "common/sha256.hpp"

#include <gtest/gtest.h>

namespace portscreen::accounts {
namespace {

using namespace std::chrono_literals;
using testing::AccountsTest;

TEST(IsoTime, ParsesAndFormats) {
    const auto time = parse_iso8601("2026-11-27T20:35:26.123Z");
    ASSERT_TRUE(time);
    EXPECT_EQ(format_iso8601(*time), "2026-11-27T20:35:26.123Z");
    EXPECT_EQ(format_iso8601(*parse_iso8601("2026-11-27T20:35:26Z")), "2026-11-27T20:35:26.000Z");
    EXPECT_EQ(format_iso8601(*parse_iso8601("2026-11-27T20:35:26.5Z")), "2026-11-27T20:35:26.500Z");
    EXPECT_FALSE(parse_iso8601("2026-11-27 20:35:26Z"));
    EXPECT_FALSE(parse_iso8601("2026-02-30T00:00:00Z"));
    EXPECT_FALSE(parse_iso8601("2026-11-27T24:00:00Z"));
    EXPECT_FALSE(parse_iso8601("2026-11-27T20:35:26"));
    EXPECT_FALSE(parse_iso8601("2026-11-27T20:35:26.Z"));
    EXPECT_FALSE(parse_iso8601(""));
}

TEST(IsoTime, AddSecondsCrossesDaysAndYears) {
    EXPECT_EQ(add_seconds("2026-12-31T23:59:30.250Z", 45s), "2027-01-01T00:00:15.250Z");
    EXPECT_EQ(add_seconds("2028-02-28T12:00:00.000Z", 24h), "2028-02-29T12:00:00.000Z");
    EXPECT_EQ(add_seconds("2026-11-27T00:00:10.000Z", -20s), "2026-11-26T23:59:50.000Z");
    EXPECT_THROW(add_seconds("yesterday", 1s), std::invalid_argument);
}

TEST(Sessions, ExpiryDecision) {
    const SessionOptions options; // 30 min idle, 12 h absolute
    const char* seen = "2026-11-27T10:00:00.000Z";
    const char* end = "2026-11-27T20:00:00.000Z";
    EXPECT_FALSE(session_expired(seen, end, "2026-11-27T10:30:00.000Z", options));
    EXPECT_TRUE(session_expired(seen, end, "2026-11-27T10:30:00.001Z", options));
    EXPECT_FALSE(
        session_expired("2026-11-27T19:59:00.000Z", end, "2026-11-27T19:59:59.999Z", options));
    EXPECT_TRUE(
        session_expired("2026-11-27T19:59:00.000Z", end, "2026-11-27T20:00:00.000Z", options));
}

TEST(Sessions, TouchAtMostOnceAMinute) {
    EXPECT_FALSE(needs_touch("2026-11-27T10:00:00.000Z", "2026-11-27T10:01:00.000Z"));
    EXPECT_TRUE(needs_touch("2026-11-27T10:00:00.000Z", "2026-11-27T10:01:00.001Z"));
    EXPECT_TRUE(needs_touch("garbage", "2026-11-27T10:01:00.001Z"));
}

class SessionsTest : public AccountsTest {
protected:
    Session open(const std::string& username, const std::string& now) {
        storage::Transaction transaction(db());
        Session session = create_session(db(), *find_user(db(), username), now, options_);
        transaction.commit();
        return session;
    }
    SessionOptions options_{30min, 12h};
};

TEST_F(SessionsTest, CreatedSessionIsFoundByItsToken) {
    insert_user("ana");
    const Session created = open("ana", "2026-11-27T08:00:00.000Z");
    EXPECT_EQ(created.token.size(), 64U);
    EXPECT_EQ(created.csrf_token.size(), 64U);
    EXPECT_NE(created.token, created.csrf_token);
    EXPECT_EQ(created.expires_at, "2026-11-27T20:00:00.000Z");

    // Only the token's hash is stored.
    EXPECT_EQ(count("SELECT count(*) FROM sessions WHERE token_sha256 = '" +
                    sha256_hex(created.token) + "'"),
              1);
    EXPECT_EQ(count("SELECT count(*) FROM sessions WHERE token_sha256 = '" + created.token + "'"),
              0);

    const auto found = find_session(db(), created.token, "2026-11-27T08:10:00.000Z", options_);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->user.username, "ana");
    EXPECT_EQ(found->csrf_token, created.csrf_token);
    EXPECT_TRUE(found->token.empty());
    EXPECT_FALSE(find_session(db(), "not-a-token", "2026-11-27T08:10:00.000Z", options_));
    EXPECT_FALSE(find_session(db(), "", "2026-11-27T08:10:00.000Z", options_));
}

TEST_F(SessionsTest, CreateOutsideATransactionThrows) {
    insert_user("ana");
    EXPECT_THROW(create_session(db(), *find_user(db(), "ana"), "2026-11-27T08:00:00.000Z", {}),
                 std::logic_error);
}

TEST_F(SessionsTest, IdleExpiryAndTouch) {
    insert_user("ana");
    const Session created = open("ana", "2026-11-27T08:00:00.000Z");
    EXPECT_FALSE(find_session(db(), created.token, "2026-11-27T08:30:01.000Z", options_));
    touch_session(db(), created.token, "2026-11-27T08:29:00.000Z");
    const auto found = find_session(db(), created.token, "2026-11-27T08:30:01.000Z", options_);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->last_seen_at, "2026-11-27T08:29:00.000Z");
    EXPECT_FALSE(find_session(db(), created.token, "2026-11-27T09:00:00.000Z", options_));
}

TEST_F(SessionsTest, AbsoluteExpiryDespiteActivity) {
    insert_user("ana");
    const Session created = open("ana", "2026-11-27T08:00:00.000Z");
    touch_session(db(), created.token, "2026-11-27T19:55:00.000Z");
    EXPECT_TRUE(find_session(db(), created.token, "2026-11-27T19:59:59.000Z", options_));
    EXPECT_FALSE(find_session(db(), created.token, "2026-11-27T20:00:00.000Z", options_));
}

TEST_F(SessionsTest, DisabledUserHasNoSession) {
    insert_user("ana");
    const Session created = open("ana", "2026-11-27T08:00:00.000Z");
    // Disabled behind the accounts module's back: the session must still not be honoured.
    db().execute("UPDATE users SET disabled_at = '2026-11-27T08:01:00.000Z'");
    EXPECT_FALSE(find_session(db(), created.token, "2026-11-27T08:02:00.000Z", options_));
    db().execute("UPDATE users SET disabled_at = NULL");
    ASSERT_TRUE(find_session(db(), created.token, "2026-11-27T08:02:00.000Z", options_));
    disable_user(db(), "ana", "root", "2026-11-27T08:03:00.000Z");
    EXPECT_FALSE(find_session(db(), created.token, "2026-11-27T08:04:00.000Z", options_));
    EXPECT_EQ(count("SELECT count(*) FROM sessions"), 0);
}

TEST_F(SessionsTest, EndSessionDeletesAndAudits) {
    insert_user("ana");
    const Session created = open("ana", "2026-11-27T08:00:00.000Z");
    end_session(db(), created.token, "ana", "2026-11-27T08:05:00.000Z");
    EXPECT_FALSE(find_session(db(), created.token, "2026-11-27T08:05:01.000Z", options_));
    const auto entries = audit::list(db(), 0, 10);
    ASSERT_EQ(entries.size(), 1U);
    EXPECT_EQ(entries[0].action, "logout");
    EXPECT_EQ(entries[0].subject, "user:ana");
    // A second logout with the same token finds nothing and records nothing.
    end_session(db(), created.token, "ana", "2026-11-27T08:06:00.000Z");
    EXPECT_EQ(audit::list(db(), 0, 10).size(), 1U);
}

TEST_F(SessionsTest, PurgeRemovesOnlyExpired) {
    insert_user("ana");
    insert_user("bo");
    const Session early = open("ana", "2026-11-27T08:00:00.000Z");
    const Session late = open("bo", "2026-11-27T09:00:00.000Z");
    EXPECT_EQ(purge_expired(db(), "2026-11-27T09:15:00.000Z", options_), 1U);
    EXPECT_FALSE(find_session(db(), early.token, "2026-11-27T09:15:00.000Z", options_));
    EXPECT_TRUE(find_session(db(), late.token, "2026-11-27T09:15:00.000Z", options_));
    EXPECT_EQ(count("SELECT count(*) FROM sessions"), 1);
}

} // namespace
} // namespace portscreen::accounts
