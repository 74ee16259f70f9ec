#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// The messages ports share (docs/protocols.md, "Sharing between ports"): what each kind
/// carries, and the signed envelope that wraps it. Pure: no I/O, no clock.
namespace portscreen::sharing {

enum class Kind : std::uint8_t {
    alert,     ///< a high-risk container bound for the peer's port
    outcome,   ///< an inspection outcome, no-finds included
    watchlist, ///< a watchlist entry added or removed
    query,     ///< "where has this container been seen, and what was found?"
    answer,    ///< the answer to a query, addressed to the node that asked
};

/// "alert", "outcome", "watchlist", "query", "answer".
std::string_view to_string(Kind kind);
std::optional<Kind> parse_kind(std::string_view name);

/// One message as its origin wrote it. `id` is global: "<origin>:<seq>", where `seq` counts the
/// messages the origin ever made, from 1.
struct Envelope {
    std::string id;
    std::string origin; ///< the originating node's name
    std::int64_t seq = 0;
    Kind kind = Kind::alert;
    std::string created_at; ///< UTC, ISO 8601 with a Z
    /// Addressed to one node (answers); empty for every node the policies let it reach.
    std::string to;
    /// Ports (UN/LOCODEs) the message concerns: an alert's ports still ahead on the route.
    std::vector<std::string> ports;
    /// True when the body holds names of persons or parties (the sending policy allowed them).
    bool personal = false;
    std::string body; ///< the kind's JSON object, as text
};

/// The envelope as the bytes that are signed and sent: compact JSON with a fixed key order.
std::string encode(const Envelope& envelope);

/// Parses and checks an envelope: every field present with its type, the id matching origin
/// and seq, a known kind, a body that is a JSON object. Throws std::invalid_argument naming the
/// field.
Envelope decode(std::string_view bytes);

/// A signed message as it travels and as outboxes and inboxes keep it.
struct SignedMessage {
    std::string bytes;     ///< encode(envelope)
    std::string signature; ///< 64 bytes of Ed25519 by the origin
};

} // namespace portscreen::sharing
