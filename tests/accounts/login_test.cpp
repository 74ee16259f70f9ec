// Login throttling as a pure decision and in memory, and logins against a real database.

#include "accounts/iso_time.hpp"
#include "accounts/login.hpp"
#include "accounts_fixture.hpp"
#include "audit/audit.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <vector>

namespace portscreen::accounts {
namespace {

using namespace std::chrono_literals;
using testing::AccountsTest;
using testing::kPassword;

const Clock::time_point kStart = Clock::time_point{} + std::chrono::hours{24 * 20000};

std::vector<Clock::time_point> failures_at(std::initializer_list<std::chrono::seconds> offsets) {
    std::vector<Clock::time_point> times;
    for (const auto offset : offsets)
        times.push_back(kStart + offset);
    return times;
}

TEST(ThrottleWait, FourFailuresAreFree) {
    const auto times = failures_at({0s, 1s, 2s, 3s});
    EXPECT_FALSE(throttle_wait(times, kStart + 4s));
}

TEST(ThrottleWait, FifthFailureBringsThirtySeconds) {
    const auto times = failures_at({0s, 1s, 2s, 3s, 4s});
    EXPECT_EQ(throttle_wait(times, kStart + 4s), 30s);
    EXPECT_EQ(throttle_wait(times, kStart + 20s), 14s);
    EXPECT_EQ(throttle_wait(times, kStart + 33500ms), 1s); // rounded up, never 0
    EXPECT_FALSE(throttle_wait(times, kStart + 34s));
}

TEST(ThrottleWait, DoublesPerFurtherFailureUpToFifteenMinutes) {
    EXPECT_EQ(throttle_wait(failures_at({0s, 1s, 2s, 3s, 4s, 40s}), kStart + 40s), 60s);
    EXPECT_EQ(throttle_wait(failures_at({0s, 1s, 2s, 3s, 4s, 40s, 100s}), kStart + 100s), 120s);
    std::vector<Clock::time_point> many;
    for (int idx = 0; idx < 20; ++idx)
        many.push_back(kStart + std::chrono::seconds{idx});
    EXPECT_EQ(throttle_wait(many, kStart + 19s), 15min);
}

TEST(ThrottleWait, FailuresOutsideTheWindowAreForgotten) {
    // Five failures, the first of which is more than 15 minutes old at `now`.
    const auto times = failures_at({0s, 600s, 601s, 602s, 603s});
    EXPECT_EQ(throttle_wait(times, kStart + 603s), 30s);
    EXPECT_FALSE(throttle_wait(times, kStart + 901s)); // only four remain in the window
}

TEST(LoginThrottle, RefusesAfterFiveFailuresPerUsername) {
    LoginThrottle throttle;
    for (int idx = 0; idx < 5; ++idx) {
        EXPECT_FALSE(throttle.retry_after("ana", "10.0.0.1", kStart));
        throttle.record_failure("ana", std::string("10.0.0.") + std::to_string(idx), kStart);
    }
    EXPECT_EQ(throttle.retry_after("ana", "10.0.0.99", kStart + 10s), 20s);
    EXPECT_EQ(throttle.retry_after("ANA", "10.0.0.99", kStart + 10s), 20s);
    EXPECT_FALSE(throttle.retry_after("bo", "10.0.0.99", kStart + 10s));
    EXPECT_FALSE(throttle.retry_after("ana", "10.0.0.99", kStart + 30s));
}

TEST(LoginThrottle, AddressKeyIsIndependent) {
    LoginThrottle throttle;
    for (int idx = 0; idx < 5; ++idx)
        throttle.record_failure(std::string("user") + std::to_string(idx), "10.0.0.7", kStart);
    EXPECT_EQ(throttle.retry_after("someone", "10.0.0.7", kStart), 30s);
    EXPECT_FALSE(throttle.retry_after("someone", "10.0.0.8", kStart));
    EXPECT_FALSE(throttle.retry_after("user1", "10.0.0.8", kStart));
}

TEST(LoginThrottle, SuccessClearsTheUsernameOnly) {
    LoginThrottle throttle;
    for (int idx = 0; idx < 5; ++idx)
        throttle.record_failure("ana", "10.0.0.7", kStart);
    throttle.record_success("ana", "10.0.0.7", kStart + 40s);
    EXPECT_FALSE(throttle.retry_after("ana", "10.0.0.8", kStart + 40s));
    // The address's five failures still count: one more failure from it brings a wait.
    throttle.record_failure("bo", "10.0.0.7", kStart + 41s);
    EXPECT_EQ(throttle.retry_after("carla", "10.0.0.7", kStart + 41s), 60s);
}

TEST(LoginThrottle, MemoryIsBounded) {
    LoginThrottle throttle({}, 10);
    for (int idx = 0; idx < 50; ++idx)
        throttle.record_failure(std::string("u") + std::to_string(idx), "10.0.0.1",
                                kStart + std::chrono::seconds{idx});
    EXPECT_LE(throttle.key_count(), 10U);
    // The address, used by every attempt, is never the least recently used key.
    EXPECT_EQ(throttle.retry_after("anyone", "10.0.0.1", kStart + 49s), 15min);
    // Keys idle for more than an hour make room before any live key is evicted.
    LoginThrottle idle({}, 4);
    idle.record_failure("old1", "10.0.0.1", kStart);
    idle.record_failure("old2", "10.0.0.2", kStart);
    ASSERT_EQ(idle.key_count(), 4U);
    idle.record_failure("new", "10.0.0.3", kStart + 2h);
    // Every key idle for over an hour went at once, not just enough of them to make room.
    EXPECT_EQ(idle.key_count(), 2U);
}

class LoginTest : public AccountsTest {
protected:
    LoginResult attempt(const std::string& username, const std::string& password,
                        const std::string& now = "2026-11-27T08:00:00.000Z") {
        return login(db(), throttle_, username, password, "192.0.2.10", now, options_);
    }
    LoginThrottle throttle_;
    SessionOptions options_;
};

TEST_F(LoginTest, CorrectPasswordOpensASessionAndIsAudited) {
    insert_user("ana");
    const LoginResult result = attempt("ana", kPassword);
    ASSERT_EQ(result.status, LoginResult::Status::ok);
    ASSERT_TRUE(result.session);
    EXPECT_EQ(result.session->user.username, "ana");
    EXPECT_TRUE(find_session(db(), result.session->token, "2026-11-27T08:01:00.000Z", options_));
    const auto entries = audit::list(db(), 0, 10);
    ASSERT_EQ(entries.size(), 1U);
    EXPECT_EQ(entries[0].action, "login");
    EXPECT_EQ(entries[0].actor, "ana");
    EXPECT_EQ(entries[0].subject, "user:ana");
    EXPECT_EQ(nlohmann::json::parse(entries[0].detail).at("address"), "192.0.2.10");
}

TEST_F(LoginTest, ALoginDeletesSessionsThatRanOut) {
    insert_user("ana");
    insert_user("ben");
    const auto old = attempt("ana", kPassword, "2026-11-27T08:00:00.000Z");
    ASSERT_EQ(old.status, LoginResult::Status::ok);
    EXPECT_EQ(db().query_int64("SELECT count(*) FROM sessions"), 1);
    // Thirteen hours later, past the absolute limit of ana's session.
    const auto fresh = attempt("ben", kPassword, "2026-11-27T21:00:00.000Z");
    ASSERT_EQ(fresh.status, LoginResult::Status::ok);
    EXPECT_EQ(db().query_int64("SELECT count(*) FROM sessions"), 1);
    EXPECT_TRUE(find_session(db(), fresh.session->token, "2026-11-27T21:01:00.000Z", options_));
}

TEST_F(LoginTest, UnknownUserAndWrongPasswordLookTheSame) {
    insert_user("ana");
    const LoginResult unknown = attempt("nobody", kPassword);
    const LoginResult wrong = attempt("ana", "not the password");
    EXPECT_EQ(unknown.status, LoginResult::Status::bad_credentials);
    EXPECT_EQ(wrong.status, LoginResult::Status::bad_credentials);
    EXPECT_FALSE(unknown.session);
    EXPECT_FALSE(wrong.session);
    EXPECT_EQ(count("SELECT count(*) FROM sessions"), 0);

    const auto entries = audit::list(db(), 0, 10);
    ASSERT_EQ(entries.size(), 2U);
    EXPECT_EQ(entries[0].action, "login_failed");
    EXPECT_EQ(entries[0].actor, "nobody");
    EXPECT_EQ(entries[0].subject, "address:192.0.2.10");
    EXPECT_EQ(nlohmann::json::parse(entries[0].detail).at("reason"), "unknown_user");
    EXPECT_EQ(entries[1].actor, "ana");
    EXPECT_EQ(nlohmann::json::parse(entries[1].detail).at("reason"), "wrong_password");
    EXPECT_TRUE(audit::verify(db()).ok);
}

TEST_F(LoginTest, DisabledUserCannotLogIn) {
    insert_user("ana");
    insert_user("root", "admin");
    disable_user(db(), "ana", "root", "2026-11-27T07:00:00.000Z");
    const LoginResult result = attempt("ana", kPassword);
    EXPECT_EQ(result.status, LoginResult::Status::bad_credentials);
    EXPECT_EQ(count("SELECT count(*) FROM sessions"), 0);
}

TEST_F(LoginTest, ThrottledAttemptChecksNoPasswordAndWritesNothing) {
    insert_user("ana");
    const auto at =
        Clock::time_point{require_iso8601("2026-11-27T08:00:00.000Z").time_since_epoch()};
    for (int idx = 0; idx < 5; ++idx)
        throttle_.record_failure("ana", "198.51.100.1", at);
    const LoginResult result = attempt("ana", kPassword, "2026-11-27T08:00:10.000Z");
    EXPECT_EQ(result.status, LoginResult::Status::throttled);
    EXPECT_EQ(result.retry_after, 20s);
    EXPECT_FALSE(result.session);
    EXPECT_EQ(count("SELECT count(*) FROM audit_log"), 0);
    EXPECT_EQ(attempt("ana", kPassword, "2026-11-27T08:00:31.000Z").status,
              LoginResult::Status::ok);
}

} // namespace
} // namespace portscreen::accounts
