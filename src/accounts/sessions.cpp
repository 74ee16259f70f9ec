#include "accounts/sessions.hpp"

#include "accounts/iso_time.hpp"
#include "accounts/password.hpp"
#include "audit/audit.hpp"
#include "common/sha256.hpp"

#include <stdexcept>
#include <vector>

namespace portscreen::accounts {
namespace {

using storage::Statement;

constexpr std::chrono::seconds kTouchInterval{60};

} // namespace

bool session_expired(std::string_view last_seen_at, std::string_view expires_at,
                     std::string_view now, const SessionOptions& options) {
    const TimePoint at = require_iso8601(now);
    return at >= require_iso8601(expires_at) || require_iso8601(last_seen_at) + options.idle < at;
}

bool needs_touch(std::string_view last_seen_at, std::string_view now) {
    const auto last = parse_iso8601(last_seen_at);
    const auto at = parse_iso8601(now);
    return !last || !at || *at - *last > kTouchInterval;
}

Session create_session(storage::Database& db, const User& user, std::string_view now,
                       const SessionOptions& options) {
    if (!db.in_transaction())
        throw std::logic_error(std::string("a session for user '")
                                   .append(user.username)
                                   .append("' must be created inside a transaction"));
    Session session;
    session.token = random_token();
    session.csrf_token = random_token();
    session.user = user;
    session.last_seen_at = format_iso8601(require_iso8601(now));
    session.expires_at = add_seconds(now, options.absolute);
    Statement insert(db, "INSERT INTO sessions (token_sha256, user_id, csrf_token, created_at, "
                         "last_seen_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?4, ?5)");
    insert.bind(1, sha256_hex(session.token));
    insert.bind(2, user.id);
    insert.bind(3, session.csrf_token);
    insert.bind(4, session.last_seen_at);
    insert.bind(5, session.expires_at);
    insert.run();
    return session;
}

std::optional<Session> find_session(storage::Database& db, std::string_view token,
                                    std::string_view now, const SessionOptions& options) {
    if (token.empty())
        return std::nullopt;
    Statement get(db, "SELECT s.csrf_token, s.last_seen_at, s.expires_at, u.username "
                      "FROM sessions s JOIN users u ON u.id = s.user_id "
                      "WHERE s.token_sha256 = ?1");
    get.bind(1, sha256_hex(token));
    if (!get.step())
        return std::nullopt;
    Session session;
    session.csrf_token = get.column_text(0);
    session.last_seen_at = get.column_text(1);
    session.expires_at = get.column_text(2);
    const std::string username = get.column_text(3);
    get.reset();
    if (session_expired(session.last_seen_at, session.expires_at, now, options))
        return std::nullopt;
    auto user = find_user(db, username);
    if (!user || user->disabled)
        return std::nullopt;
    session.user = std::move(*user);
    return session;
}

void touch_session(storage::Database& db, std::string_view token, std::string_view now) {
    storage::Transaction transaction(db);
    Statement update(db, "UPDATE sessions SET last_seen_at = ?2 WHERE token_sha256 = ?1");
    update.bind(1, sha256_hex(token));
    update.bind(2, format_iso8601(require_iso8601(now)));
    update.run();
    transaction.commit();
}

void end_session(storage::Database& db, std::string_view token, std::string_view actor,
                 std::string_view now) {
    storage::Transaction transaction(db);
    Statement get(db, "SELECT u.username FROM sessions s JOIN users u ON u.id = s.user_id "
                      "WHERE s.token_sha256 = ?1");
    get.bind(1, sha256_hex(token));
    const auto username = get.query_text();
    if (!username)
        return;
    Statement remove(db, "DELETE FROM sessions WHERE token_sha256 = ?1");
    remove.bind(1, sha256_hex(token));
    remove.run();
    audit::append(db, actor, "logout", user_subject(*username), "{}", now);
    transaction.commit();
}

std::size_t purge_expired(storage::Database& db, std::string_view now,
                          const SessionOptions& options) {
    storage::Transaction transaction(db);
    std::vector<std::string> doomed;
    {
        Statement all(db, "SELECT s.token_sha256, s.last_seen_at, s.expires_at, "
                          "u.disabled_at IS NOT NULL FROM sessions s JOIN users u ON u.id = "
                          "s.user_id");
        while (all.step()) {
            const bool disabled = all.column_int64(3) != 0;
            // A row with an unreadable time cannot be judged live: it goes too.
            bool expired = true;
            if (!disabled && parse_iso8601(all.column_text_view(1)) &&
                parse_iso8601(all.column_text_view(2)))
                expired =
                    session_expired(all.column_text_view(1), all.column_text_view(2), now, options);
            if (disabled || expired)
                doomed.push_back(all.column_text(0));
        }
    }
    Statement remove(db, "DELETE FROM sessions WHERE token_sha256 = ?1");
    for (const auto& token_hash : doomed) {
        remove.bind(1, token_hash);
        remove.run();
    }
    transaction.commit();
    return doomed.size();
}

} // namespace portscreen::accounts
