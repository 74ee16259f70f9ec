#pragma once

#include "accounts/users.hpp"
#include "storage/database.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

/// Login sessions. The cookie carries a random token; the database keeps only its SHA-256, so
/// a copy of the file opens no session. A session ends when idle too long, at its absolute
/// expiry, at logout, or when its user is disabled or given a new password.
namespace portscreen::accounts {

struct SessionOptions {
    std::chrono::seconds idle{30 * 60};       ///< ends after this long without a request
    std::chrono::seconds absolute{12 * 3600}; ///< ends this long after login whatever happens
};

struct Session {
    std::string token; ///< the cookie's value; only filled in by `create_session`
    std::string csrf_token;
    User user;
    std::string expires_at;   ///< the absolute end; idleness may end the session earlier
    std::string last_seen_at; ///< for `needs_touch`
};

/// Opens a session for `user` with fresh random session and CSRF tokens. Runs inside the
/// caller's transaction (login records its audit entry in the same one); throws
/// std::logic_error otherwise.
Session create_session(storage::Database& db, const User& user, std::string_view now,
                       const SessionOptions& options);

/// The live session of `token`, or nothing when there is none, it expired (absolute or idle:
/// last_seen_at + idle < now) or its user is disabled. `token` is left empty in the result.
std::optional<Session> find_session(storage::Database& db, std::string_view token,
                                    std::string_view now, const SessionOptions& options);

/// Whether a request at `now` should record itself in last_seen_at: more than 60 s since the
/// last record, so a busy page costs at most one write a minute. Pure.
bool needs_touch(std::string_view last_seen_at, std::string_view now);

/// Sets last_seen_at of the session of `token` to `now`, in its own transaction.
void touch_session(storage::Database& db, std::string_view token, std::string_view now);

/// Ends the session of `token` with a `logout` audit entry (subject `user:<username>`); does
/// nothing when there is no such session.
void end_session(storage::Database& db, std::string_view token, std::string_view actor,
                 std::string_view now);

/// Deletes sessions that expired by `now` or belong to disabled users; returns how many.
std::size_t purge_expired(storage::Database& db, std::string_view now,
                          const SessionOptions& options);

/// Whether a session last seen at `last_seen_at` with absolute end `expires_at` is over at
/// `now`. Throws std::invalid_argument for a time that is not ISO 8601. Pure.
bool session_expired(std::string_view last_seen_at, std::string_view expires_at,
                     std::string_view now, const SessionOptions& options);

} // namespace portscreen::accounts
