#pragma once

#include "bodies.hpp"
#include "identity.hpp"
#include "message.hpp"
#include "policy.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// What store.cpp, produce.cpp and apply.cpp share: the numbering of messages and links and the
/// queueing of signed messages, kept in memory for one transaction and written once at its end,
/// so that a batch of thousands of messages prepares each statement once.
namespace portscreen::sharing::detail {

/// The counters and the outbox of one transaction. Not thread-safe; lives on the stack of the
/// function that opened the transaction, and `flush()` must run before its commit.
class Outbox {
public:
    Outbox(storage::Database& db, const NodeIdentity& self, const SharingOptions& options,
           std::string_view now);
    Outbox(const Outbox&) = delete;
    Outbox& operator=(const Outbox&) = delete;

    /// The next link number for `peer` (share_links.next_link_seq), taken.
    std::int64_t take_link_seq(const std::string& peer);

    /// Queues signed bytes for `peer` with its next link number.
    void queue(const std::string& peer, std::string_view message_id, Kind kind,
               std::string_view bytes, std::string_view signature);

    /// A body as written for one peer, and whether it kept names of persons or parties.
    struct Body {
        std::string json;
        bool personal = false;
    };
    /// Writes the body for a peer that may (true) or may not (false) have personal data.
    using BodyWriter = std::function<Body(bool keep_personal)>;
    /// Whether a peer takes this message beyond what deliver_own decides (e.g. party watchlist
    /// entries only go to peers with personal data).
    using PeerFilter = std::function<bool(const Peer&, const Delivery&)>;

    /// Makes one message of this node: chooses the peers by deliver_own (and `filter`), gives
    /// the message the next sequence number when at least one peer takes it (or always, with
    /// `number_always`), encodes and signs it once per form (with or without names) and queues
    /// it for each peer. Returns the global id, or nothing when no peer takes it.
    std::optional<std::string> originate(Kind kind, std::string_view to,
                                         const std::vector<std::string>& ports,
                                         const BodyWriter& body, const PeerFilter& filter = {},
                                         bool number_always = false);

    /// Writes the counters taken (share_state 'seq', share_links.next_link_seq).
    void flush();

    storage::Database& db() { return db_; }
    const NodeIdentity& self() const { return self_; }
    const SharingOptions& options() const { return options_; }
    const std::string& now() const { return now_; }

private:
    storage::Database& db_;
    const NodeIdentity& self_;
    const SharingOptions& options_;
    std::string now_;
    std::optional<std::int64_t> seq_; ///< the last sequence number given, once read
    bool seq_changed_ = false;
    std::map<std::string, std::int64_t, std::less<>> next_link_; ///< read on first use
    std::map<std::string, bool, std::less<>> link_changed_;
    storage::Statement read_link_;
    storage::Statement insert_;
};

/// Reads what messages say of a container of this node, with statements prepared once.
class ContainerReader {
public:
    explicit ContainerReader(storage::Database& db);

    /// The master B/L numbers of the container's active consignments, in order.
    std::vector<std::string> master_bls(std::int64_t container_id);
    /// The outcome recorded for the container, with its B/Ls and port of call; nothing when
    /// none was recorded.
    std::optional<OutcomeBody> outcome(std::int64_t container_id);

private:
    storage::Statement bls_;
    storage::Statement outcome_;
};

/// What applying one received message did.
struct Applied {
    bool rescore = false; ///< scores rest on what it changed
};

/// Prepared statements for applying received messages, made once per batch.
class Applier {
public:
    explicit Applier(Outbox& outbox);
    ~Applier();
    Applier(const Applier&) = delete;
    Applier& operator=(const Applier&) = delete;

    /// Applies one verified, new message here (design: "Applying"). Throws
    /// std::invalid_argument when its body does not parse or is refused (nothing is written
    /// then); storage errors propagate.
    Applied apply(const Envelope& envelope);

private:
    struct Statements;
    Outbox& outbox_;
    std::unique_ptr<Statements> statements_;
};

/// The day `days` after `day` (YYYY-MM-DD, or a timestamp whose first ten characters are one).
std::string add_days(std::string_view day, int days);

/// The route of a consignment in order, without empty or repeated ports.
std::vector<std::string> route_of(std::string_view place_of_receipt,
                                  std::string_view port_of_loading,
                                  std::string_view transshipment_ports,
                                  std::string_view port_of_discharge,
                                  std::string_view place_of_delivery);

/// The ports of `route` still ahead of a node at `port_of_call`: those after it, or, when it is
/// not on the route, those after `port_of_loading` (the whole route when that is not on it
/// either).
std::vector<std::string> ports_ahead(const std::vector<std::string>& route,
                                     std::string_view port_of_call,
                                     std::string_view port_of_loading);

} // namespace portscreen::sharing::detail
