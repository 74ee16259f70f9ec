#include "accounts/login.hpp"

#include "accounts/iso_time.hpp"
#include "accounts/password.hpp"
#include "audit/audit.hpp"
#include "common/json_writer.hpp"
#include "common/log.hpp"

#include <algorithm>
#include <mutex>

namespace portscreen::accounts {
namespace {

using namespace std::chrono_literals;

constexpr auto kIdleKeyLifetime = std::chrono::hours{1};
// Long enough to reach the longest wait (30 s doubled 5 times passes 15 minutes).
constexpr std::size_t kFailuresKept = 32;
// User input goes into keys and audit entries: long names are cut.
constexpr std::size_t kMaxNameBytes = 128;

std::string clipped(std::string_view text) {
    return std::string(text.substr(0, kMaxNameBytes));
}

std::string username_key(std::string_view username) {
    std::string key = std::string("u:").append(clipped(username));
    std::transform(key.begin(), key.end(), key.begin(), [](char c) {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    });
    return key;
}

std::string address_key(std::string_view address) {
    return std::string("a:").append(clipped(address));
}

Clock::time_point to_clock(std::string_view now) {
    return Clock::time_point{require_iso8601(now).time_since_epoch()};
}

/// A hash to verify against when the user is unknown, so that answer takes as long as a wrong
/// password. Made once, from a random password nobody knows.
const std::string& decoy_hash() {
    static const std::string hash = hash_password(random_token());
    return hash;
}

void audit_failure(storage::Database& db, std::string_view username, std::string_view address,
                   std::string_view reason, std::string_view now) {
    JsonWriter detail;
    detail.open_object();
    detail.member("reason", reason);
    detail.close_object();
    storage::Transaction transaction(db);
    audit::append(db, clipped(username), "login_failed",
                  std::string("address:").append(clipped(address)), detail.take(), now);
    transaction.commit();
}

} // namespace

std::optional<std::chrono::seconds> throttle_wait(std::span<const Clock::time_point> failures,
                                                  Clock::time_point now,
                                                  const ThrottlePolicy& policy) {
    const auto recent = static_cast<std::size_t>(
        std::count_if(failures.begin(), failures.end(),
                      [&](Clock::time_point failure) { return failure + policy.window > now; }));
    if (recent < policy.free_failures || failures.empty())
        return std::nullopt;
    auto wait = policy.first_wait;
    for (std::size_t extra = recent - policy.free_failures; extra > 0 && wait < policy.longest_wait;
         --extra)
        wait *= 2;
    wait = std::min(wait, policy.longest_wait);
    const auto until = failures.back() + wait;
    if (until <= now)
        return std::nullopt;
    return std::chrono::ceil<std::chrono::seconds>(until - now);
}

LoginThrottle::LoginThrottle(ThrottlePolicy policy, std::size_t max_keys)
    : policy_(policy), max_keys_(std::max<std::size_t>(max_keys, 2)) {}

std::optional<std::chrono::seconds> LoginThrottle::retry_after(std::string_view username,
                                                               std::string_view address,
                                                               Clock::time_point now) {
    const std::lock_guard lock(mutex_);
    const auto by_user = wait_locked(username_key(username), now);
    const auto by_address = wait_locked(address_key(address), now);
    if (!by_user)
        return by_address;
    if (!by_address)
        return by_user;
    return std::max(*by_user, *by_address);
}

void LoginThrottle::record_failure(std::string_view username, std::string_view address,
                                   Clock::time_point now) {
    const std::lock_guard lock(mutex_);
    fail_locked(username_key(username), now);
    fail_locked(address_key(address), now);
}

void LoginThrottle::record_success(std::string_view username, std::string_view /*address*/,
                                   Clock::time_point /*now*/) {
    const std::lock_guard lock(mutex_);
    keys_.erase(username_key(username));
}

std::size_t LoginThrottle::key_count() const {
    const std::lock_guard lock(mutex_);
    return keys_.size();
}

std::optional<std::chrono::seconds> LoginThrottle::wait_locked(const std::string& key,
                                                               Clock::time_point now) {
    const auto found = keys_.find(key);
    if (found == keys_.end())
        return std::nullopt;
    const auto& failures = found->second.failures;
    const std::vector<Clock::time_point> times(failures.begin(), failures.end());
    return throttle_wait(times, now, policy_);
}

void LoginThrottle::fail_locked(const std::string& key, Clock::time_point now) {
    auto found = keys_.find(key);
    if (found == keys_.end()) {
        make_room_locked(now);
        found = keys_.emplace(key, KeyState{}).first;
    }
    auto& state = found->second;
    state.last_seen = now;
    state.failures.push_back(now);
    while (!state.failures.empty() && (state.failures.size() > kFailuresKept ||
                                       state.failures.front() + policy_.window <= now))
        state.failures.pop_front();
}

void LoginThrottle::make_room_locked(Clock::time_point now) {
    if (keys_.size() < max_keys_)
        return;
    std::erase_if(
        keys_, [&](const auto& entry) { return entry.second.last_seen + kIdleKeyLifetime < now; });
    if (keys_.size() < max_keys_)
        return;
    // Still full of live keys (an attack from many addresses): the least recently seen goes.
    std::string oldest_key;
    auto oldest_seen = Clock::time_point::max();
    for (const auto& [key, state] : keys_)
        if (state.last_seen < oldest_seen) {
            oldest_seen = state.last_seen;
            oldest_key = key;
        }
    keys_.erase(oldest_key);
}

LoginResult login(storage::Database& db, LoginThrottle& throttle, std::string_view username,
                  std::string_view password, std::string_view address, std::string_view now,
                  const SessionOptions& options) {
    const Clock::time_point at = to_clock(now);
    if (const auto wait = throttle.retry_after(username, address, at))
        return LoginResult{LoginResult::Status::throttled, std::nullopt, *wait};

    const auto credentials = find_credentials(db, username);
    std::string_view failure;
    if (!credentials) {
        verify_password(decoy_hash(), password);
        failure = "unknown_user";
    } else if (!verify_password(credentials->password_hash, password)) {
        failure = "wrong_password";
    } else if (credentials->user.disabled) {
        failure = "disabled";
    }
    if (!failure.empty()) {
        throttle.record_failure(username, address, at);
        audit_failure(db, username, address, failure, now);
        return LoginResult{LoginResult::Status::bad_credentials, std::nullopt, 0s};
    }

    throttle.record_success(username, address, at);
    storage::Transaction transaction(db);
    Session session = create_session(db, credentials->user, now, options);
    JsonWriter detail;
    detail.open_object();
    detail.member("address", clipped(address));
    detail.close_object();
    audit::append(db, credentials->user.username, "login", user_subject(credentials->user.username),
                  detail.take(), now);
    transaction.commit();
    // Sessions that ran out are deleted whenever someone logs in: often enough to keep the table
    // to the live ones, and never in the way of the login itself.
    try {
        purge_expired(db, now, options);
    } catch (const std::exception& e) {
        log::warn("-", std::string("cannot delete expired sessions: ") + e.what());
    }
    return LoginResult{LoginResult::Status::ok, std::move(session), 0s};
}

} // namespace portscreen::accounts
