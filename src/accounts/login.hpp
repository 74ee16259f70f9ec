#pragma once

#include "accounts/sessions.hpp"
#include "storage/database.hpp"

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

/// Logging in: password check, throttling of repeated failures, session creation and auditing.
namespace portscreen::accounts {

using Clock = std::chrono::system_clock;

/// How failed logins slow down further attempts for one key (a username or a client address).
struct ThrottlePolicy {
    std::size_t free_failures = 5;              ///< failures within the window before a wait
    std::chrono::seconds window{15 * 60};       ///< failures older than this are forgotten
    std::chrono::seconds first_wait{30};        ///< wait after the `free_failures`-th failure
    std::chrono::seconds longest_wait{15 * 60}; ///< the wait doubles per failure up to this
};

/// How long a key with these failure times (oldest first) must still wait at `now`, or nothing
/// when it may try. After `free_failures` failures within the window, attempts are refused for
/// `first_wait` after the last failure, doubling with each further failure, at most
/// `longest_wait`. Pure.
std::optional<std::chrono::seconds> throttle_wait(std::span<const Clock::time_point> failures,
                                                  Clock::time_point now,
                                                  const ThrottlePolicy& policy = {});

/// Failed logins per username and per client address, in memory. Memory is bounded: keys idle
/// for an hour are dropped, and at `max_keys` the least recently used key makes room.
///
/// Thread-safe: every member locks one mutex.
class LoginThrottle {
public:
    explicit LoginThrottle(ThrottlePolicy policy = {}, std::size_t max_keys = 100'000);

    /// How long this attempt must wait (the longer of the username's and the address's wait),
    /// or nothing when it may go ahead.
    std::optional<std::chrono::seconds>
    retry_after(std::string_view username, std::string_view address, Clock::time_point now);
    /// Counts a failure against both the username and the address.
    void record_failure(std::string_view username, std::string_view address, Clock::time_point now);
    /// Clears the username's failures. The address keeps its own: one good password does not
    /// excuse an address that is guessing at other accounts.
    void record_success(std::string_view username, std::string_view address, Clock::time_point now);

    std::size_t key_count() const;

private:
    struct KeyState {
        std::deque<Clock::time_point> failures;
        Clock::time_point last_seen;
    };

    std::optional<std::chrono::seconds> wait_locked(const std::string& key, Clock::time_point now);
    void fail_locked(const std::string& key, Clock::time_point now);
    void make_room_locked(Clock::time_point now);

    ThrottlePolicy policy_;
    std::size_t max_keys_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, KeyState> keys_;
};

struct LoginResult {
    enum class Status { ok, bad_credentials, throttled };
    Status status = Status::bad_credentials;
    std::optional<Session> session;      ///< with its token, when ok
    std::chrono::seconds retry_after{0}; ///< when throttled
};

/// Checks a login attempt. A throttled attempt is refused before any password check. An unknown
/// user, a disabled one and a wrong password all give the same `bad_credentials` after the same
/// amount of hashing, so answers reveal no account names; each failure is counted and audited as
/// `login_failed` (actor: the username given, subject `address:<address>`). A success opens a
/// session and audits `login` in one transaction. `now` is ISO 8601 UTC.
LoginResult login(storage::Database& db, LoginThrottle& throttle, std::string_view username,
                  std::string_view password, std::string_view address, std::string_view now,
                  const SessionOptions& options);

} // namespace portscreen::accounts
