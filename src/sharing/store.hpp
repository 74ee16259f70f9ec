#pragma once

#include "bodies.hpp"
#include "identity.hpp"
#include "message.hpp"
#include "policy.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

/// The durable side of sharing, in the node's database (docs/storage.md, schema 6): what this
/// node makes and queues per peer (the outbox), what it received and applied (the inbox), the
/// state of each link, and what received messages change here. Functions that take no
/// transaction run their own; a message is acknowledged only after the transaction that stored
/// it committed.
namespace portscreen::sharing {

/// Writes the settings the database's triggers read (the alert threshold), so that scores
/// stored from now on at or above it become alert events. Call at node start.
void configure(storage::Database& db, const SharingOptions& options);

/// Asks for an alert on one container (an officer's decision, from the web or the command line),
/// with the officer's reason. Inside the caller's transaction.
void request_alert(storage::Database& db, std::int64_t container_id, std::string_view reason);

/// Turns the pending events (alerts asked for or scored above the threshold, outcomes recorded,
/// this node's own watchlist changes) into signed messages, one per event, queued for every peer
/// the policy sends them to, in the order of the events: at most `max_events` of the oldest, so
/// that what is signed first can be sent while the rest waits. One transaction. Returns how many
/// messages were made.
std::size_t produce(storage::Database& db, const NodeIdentity& self, const SharingOptions& options,
                    std::string_view now,
                    std::size_t max_events = std::numeric_limits<std::size_t>::max());

/// Queues a query about one container for every peer that takes queries. Returns its global id.
std::string ask(storage::Database& db, const NodeIdentity& self, const SharingOptions& options,
                std::string_view container, std::string_view now);

/// The answers received so far to a query of this node, each with the node that answered.
struct ReceivedAnswer {
    std::string origin;
    std::string received_at;
    AnswerBody body;
};
std::vector<ReceivedAnswer> answers(storage::Database& db, std::string_view query_id);

/// A message in a link, numbered by the link: the sending node numbers what it queues for each
/// peer from 1, so the receiver takes each link's messages in order and exactly once.
struct LinkMessage {
    std::int64_t link_seq = 0;
    SignedMessage message;
};

/// Queued messages for `peer` after `after_link_seq`, in order, at most `limit`.
std::vector<LinkMessage> outgoing(storage::Database& db, std::string_view peer,
                                  std::int64_t after_link_seq, std::size_t limit);

/// The peer stored everything up to `link_seq`: those rows leave the outbox.
void acknowledge(storage::Database& db, std::string_view peer, std::int64_t link_seq,
                 std::string_view now);

/// The highest link number `peer` acknowledged, 0 when none.
std::int64_t acknowledged(storage::Database& db, std::string_view peer);

/// What one received batch did.
struct Receipt {
    std::int64_t last_link_seq = 0; ///< every message of the link up to here is stored
    std::size_t applied = 0;
    std::size_t relayed = 0;    ///< queued for other peers (a hub)
    std::size_t duplicates = 0; ///< seen before, by link number or by global id
    std::size_t refused = 0;    ///< bad signature, unknown origin, unreadable body
    bool gap = false;           ///< a message came before the one expected: the sender resends
    bool rescore = false;       ///< an alert, seizure or watchlist entry changed scores
};

/// A received message as checked before it is stored: its envelope, or why it is refused.
struct Checked {
    Envelope envelope;
    std::string problem; ///< empty when the message may be taken
    bool own = false;    ///< this node's own message, come back through a hub
};

/// Checks each message of a batch: the envelope parses, its origin is a listed peer (or this
/// node) and its signature verifies with the origin's key. Only reads `self` and `options`, so
/// it may run on another thread while an earlier batch is being stored.
std::vector<Checked> check(const NodeIdentity& self, const SharingOptions& options,
                           std::span<const LinkMessage> batch);

/// Stores and applies a batch received from the peer `from`, in one transaction. Only the
/// message that follows the link's last one is taken, then the next, and so on; earlier ones are
/// duplicates and a later one ends the batch as a gap. Each taken message is checked (the
/// envelope parses, its origin is a listed peer, its signature verifies with the origin's key;
/// otherwise it is refused, recorded with the reason and logged) and dropped when its global id
/// was seen before (it came another way); otherwise it is applied here (alerts, outcomes and
/// watchlist entries stored, queries answered) and, on a hub, passed on to the other peers.
Receipt receive(storage::Database& db, const NodeIdentity& self, const SharingOptions& options,
                std::string_view from, std::span<const LinkMessage> batch, std::string_view now);

/// receive() with the batch already checked by check() (one entry per message, in order).
Receipt receive(storage::Database& db, const NodeIdentity& self, const SharingOptions& options,
                std::string_view from, std::span<const LinkMessage> batch,
                const std::vector<Checked>& checked, std::string_view now);

/// The last link number received from `peer`, 0 when none.
std::int64_t last_received(storage::Database& db, std::string_view peer);

/// Notes that the link to or from `peer` is up or down, and when it was last heard.
void record_link_state(storage::Database& db, std::string_view peer, bool connected,
                       std::string_view now);

/// What `portscreen share status` and the administrator's page show for each configured peer.
struct PeerStatus {
    std::string name;
    std::string endpoint;
    bool connected = false;
    std::string last_seen;         ///< empty when never
    std::int64_t backlog = 0;      ///< messages queued for it and not acknowledged
    std::int64_t acknowledged = 0; ///< its highest acknowledged link number
    std::int64_t received = 0;     ///< messages received from it
    std::int64_t refused = 0;      ///< of which refused
};
std::vector<PeerStatus> peer_status(storage::Database& db, const SharingOptions& options);

} // namespace portscreen::sharing
