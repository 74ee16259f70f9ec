#include "sharing/store.hpp"

#include "common/log.hpp"
#include "scoring/profile_store.hpp"
#include "store_detail.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <thread>
#include <vector>

namespace portscreen::sharing {
namespace detail {

using storage::Database;
using storage::Statement;

namespace {

/// An envelope's time has whole seconds: "2026-11-28T08:00:00.123Z" becomes
/// "2026-11-28T08:00:00Z".
std::string envelope_time(std::string_view now) {
    const auto dot = now.find('.');
    if (dot == std::string_view::npos)
        return std::string(now);
    return std::string(now.substr(0, dot)) + "Z";
}

} // namespace

Outbox::Outbox(Database& db, const NodeIdentity& self, const SharingOptions& options,
               std::string_view now)
    : db_(db), self_(self), options_(options), now_(now),
      read_link_(db, "SELECT next_link_seq FROM share_links WHERE peer = ?1"),
      insert_(db, "INSERT INTO share_outbox (peer, link_seq, message_id, kind, bytes, signature, "
                  "queued_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)") {}

std::int64_t Outbox::take_link_seq(const std::string& peer) {
    auto found = next_link_.find(peer);
    if (found == next_link_.end()) {
        read_link_.bind(1, peer);
        found = next_link_.emplace(peer, read_link_.query_int64().value_or(1)).first;
    }
    link_changed_[peer] = true;
    return found->second++;
}

void Outbox::queue(const std::string& peer, std::string_view message_id, Kind kind,
                   std::string_view bytes, std::string_view signature) {
    insert_.bind(1, peer);
    insert_.bind(2, take_link_seq(peer));
    insert_.bind(3, message_id);
    insert_.bind(4, to_string(kind));
    insert_.bind_blob(5, bytes);
    insert_.bind_blob(6, signature);
    insert_.bind(7, now_);
    insert_.run();
}

std::optional<std::string> Outbox::originate(Kind kind, std::string_view to,
                                             const std::vector<std::string>& ports,
                                             const BodyWriter& body, const PeerFilter& filter,
                                             bool number_always) {
    struct Target {
        const Peer* peer;
        Delivery delivery;
    };
    std::vector<Target> targets;
    for (const Peer& peer : options_.peers) {
        const Delivery delivery = deliver_own(options_, peer, kind, to, ports);
        if (!delivery.send || (filter && !filter(peer, delivery)))
            continue;
        targets.push_back({&peer, delivery});
    }
    if (targets.empty() && !number_always)
        return std::nullopt;

    if (!seq_) {
        Statement read(db_, "SELECT value FROM share_state WHERE key = 'seq'");
        seq_ = read.query_int64().value_or(0);
    }
    ++*seq_;
    seq_changed_ = true;

    Envelope envelope;
    envelope.origin = self_.public_part.name;
    envelope.seq = *seq_;
    envelope.id = envelope.origin + ":" + std::to_string(envelope.seq);
    envelope.kind = kind;
    envelope.created_at = envelope_time(now_);
    envelope.to = std::string(to);
    envelope.ports = ports;
    // At most two forms of one message: with the names and without them.
    std::optional<SignedMessage> forms[2];
    for (const Target& target : targets) {
        auto& form = forms[target.delivery.keep_personal ? 1 : 0];
        if (!form) {
            Body written = body(target.delivery.keep_personal);
            envelope.body = std::move(written.json);
            envelope.personal = written.personal;
            SignedMessage message;
            message.bytes = encode(envelope);
            message.signature = sign(message.bytes, self_.sign_secret);
            form = std::move(message);
        }
        queue(target.peer->identity.name, envelope.id, kind, form->bytes, form->signature);
    }
    return envelope.id;
}

void Outbox::flush() {
    if (seq_changed_) {
        Statement put(db_, "INSERT INTO share_state (key, value) VALUES ('seq', ?1) "
                           "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
        put.bind(1, *seq_);
        put.run();
        seq_changed_ = false;
    }
    if (link_changed_.empty())
        return;
    Statement put(db_, "INSERT INTO share_links (peer, next_link_seq) VALUES (?1, ?2) "
                       "ON CONFLICT (peer) DO UPDATE SET next_link_seq = excluded.next_link_seq");
    for (const auto& [peer, changed] : link_changed_) {
        put.bind(1, peer);
        put.bind(2, next_link_.at(peer));
        put.run();
    }
    link_changed_.clear();
}

std::string add_days(std::string_view day, int days) {
    namespace chrono = std::chrono;
    if (day.size() < 10)
        throw std::invalid_argument("'" + std::string(day) + "' is not a date");
    const auto number = [&](std::size_t from, std::size_t count) {
        return std::stoi(std::string(day.substr(from, count)));
    };
    const chrono::year_month_day date{chrono::year{number(0, 4)},
                                      chrono::month{static_cast<unsigned>(number(5, 2))},
                                      chrono::day{static_cast<unsigned>(number(8, 2))}};
    if (!date.ok())
        throw std::invalid_argument("'" + std::string(day.substr(0, 10)) + "' is not a date");
    const chrono::year_month_day later{chrono::sys_days{date} + chrono::days{days}};
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(later.year()),
                  static_cast<unsigned>(later.month()), static_cast<unsigned>(later.day()));
    return text;
}

std::vector<std::string> route_of(std::string_view place_of_receipt,
                                  std::string_view port_of_loading,
                                  std::string_view transshipment_ports,
                                  std::string_view port_of_discharge,
                                  std::string_view place_of_delivery) {
    std::vector<std::string> route;
    const auto add = [&](std::string_view port) {
        if (!port.empty() && std::find(route.begin(), route.end(), port) == route.end())
            route.emplace_back(port);
    };
    add(place_of_receipt);
    add(port_of_loading);
    while (!transshipment_ports.empty()) {
        const auto comma = transshipment_ports.find(',');
        add(transshipment_ports.substr(0, comma));
        if (comma == std::string_view::npos)
            break;
        transshipment_ports.remove_prefix(comma + 1);
    }
    add(port_of_discharge);
    add(place_of_delivery);
    return route;
}

std::vector<std::string> ports_ahead(const std::vector<std::string>& route,
                                     std::string_view port_of_call,
                                     std::string_view port_of_loading) {
    auto here = std::find(route.begin(), route.end(), port_of_call);
    if (here == route.end())
        here = std::find(route.begin(), route.end(), port_of_loading);
    if (here == route.end())
        return route;
    return {std::next(here), route.end()};
}

} // namespace detail

namespace {

using storage::Database;
using storage::Statement;
using storage::Transaction;

/// Inserts a share_links row for `peer` when there is none, so that updates find one.
void ensure_link(Database& db, std::string_view peer) {
    Statement insert(db,
                     "INSERT INTO share_links (peer) VALUES (?1) ON CONFLICT (peer) DO NOTHING");
    insert.bind(1, peer);
    insert.run();
}

std::int64_t link_value(Database& db, std::string_view column, std::string_view peer) {
    Statement get(db, "SELECT " + std::string(column) + " FROM share_links WHERE peer = ?1");
    get.bind(1, peer);
    return get.query_int64().value_or(0);
}

struct Refusal {
    std::string from;
    std::string reason;
};

} // namespace

void configure(Database& db, const SharingOptions& options) {
    Transaction transaction(db);
    if (options.endpoint.empty()) {
        db.execute("DELETE FROM share_state WHERE key = 'alert_threshold'");
    } else {
        Statement put(db, "INSERT INTO share_state (key, value) VALUES ('alert_threshold', ?1) "
                          "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
        put.bind(1, options.alert_threshold);
        put.run();
    }
    transaction.commit();
}

void request_alert(Database& db, std::int64_t container_id, std::string_view reason) {
    Statement insert(db, "INSERT INTO share_events (kind, ref, note) VALUES ('alert', ?1, ?2)");
    insert.bind(1, container_id);
    insert.bind(2, reason);
    insert.run();
}

std::string ask(Database& db, const NodeIdentity& self, const SharingOptions& options,
                std::string_view container, std::string_view now) {
    Transaction transaction(db);
    detail::Outbox outbox(db, self, options, now);
    const QueryBody query{std::string(container)};
    const auto id = outbox.originate(
        Kind::query, "", {},
        [&](bool) {
            return detail::Outbox::Body{to_json(query), false};
        },
        {}, true);
    outbox.flush();
    transaction.commit();
    return *id;
}

std::vector<ReceivedAnswer> answers(Database& db, std::string_view query_id) {
    Statement all(db, "SELECT origin, received_at, body FROM shared_answers WHERE query_id = ?1 "
                      "ORDER BY id");
    all.bind(1, query_id);
    std::vector<ReceivedAnswer> out;
    while (all.step())
        out.push_back({all.column_text(0), all.column_text(1), parse_answer(all.column_text(2))});
    return out;
}

std::vector<LinkMessage> outgoing(Database& db, std::string_view peer, std::int64_t after_link_seq,
                                  std::size_t limit) {
    Statement get(db, "SELECT link_seq, bytes, signature FROM share_outbox "
                      "WHERE peer = ?1 AND link_seq > ?2 ORDER BY link_seq LIMIT ?3");
    get.bind(1, peer);
    get.bind(2, after_link_seq);
    get.bind(3, static_cast<std::int64_t>(limit));
    std::vector<LinkMessage> out;
    while (get.step())
        out.push_back({get.column_int64(0), {get.column_blob(1), get.column_blob(2)}});
    return out;
}

void acknowledge(Database& db, std::string_view peer, std::int64_t link_seq, std::string_view now) {
    Transaction transaction(db);
    Statement remove(db, "DELETE FROM share_outbox WHERE peer = ?1 AND link_seq <= ?2");
    remove.bind(1, peer);
    remove.bind(2, link_seq);
    remove.run();
    ensure_link(db, peer);
    Statement update(db, "UPDATE share_links SET acknowledged = max(acknowledged, ?2), "
                         "last_seen = ?3 WHERE peer = ?1");
    update.bind(1, peer);
    update.bind(2, link_seq);
    update.bind(3, now);
    update.run();
    transaction.commit();
}

std::int64_t acknowledged(Database& db, std::string_view peer) {
    return link_value(db, "acknowledged", peer);
}

std::int64_t last_received(Database& db, std::string_view peer) {
    return link_value(db, "received", peer);
}

void record_link_state(Database& db, std::string_view peer, bool connected, std::string_view now) {
    Transaction transaction(db);
    ensure_link(db, peer);
    // A link going down keeps the time the peer was last heard.
    Statement update(
        db, connected ? "UPDATE share_links SET connected = 1, last_seen = ?2 WHERE peer = ?1"
                      : "UPDATE share_links SET connected = 0 WHERE peer = ?1");
    update.bind(1, peer);
    if (connected)
        update.bind(2, now);
    update.run();
    transaction.commit();
}

std::vector<PeerStatus> peer_status(Database& db, const SharingOptions& options) {
    Statement link(db, "SELECT connected, last_seen, acknowledged, received FROM share_links "
                       "WHERE peer = ?1");
    Statement backlog(db, "SELECT count(*) FROM share_outbox WHERE peer = ?1");
    Statement refused(db, "SELECT count(*) FROM share_refused WHERE from_peer = ?1");
    std::vector<PeerStatus> out;
    for (const Peer& peer : options.peers) {
        PeerStatus status;
        status.name = peer.identity.name;
        status.endpoint = peer.endpoint;
        link.bind(1, status.name);
        if (link.step()) {
            status.connected = link.column_int64(0) != 0;
            status.last_seen = link.column_text(1);
            status.acknowledged = link.column_int64(2);
            status.received = link.column_int64(3);
            link.reset();
        }
        backlog.bind(1, status.name);
        status.backlog = backlog.query_int64().value_or(0);
        refused.bind(1, status.name);
        status.refused = refused.query_int64().value_or(0);
        out.push_back(std::move(status));
    }
    return out;
}

namespace {

Checked check_one(const NodeIdentity& self, const SharingOptions& options,
                  const SignedMessage& message) {
    Checked out;
    try {
        out.envelope = decode(message.bytes);
    } catch (const std::invalid_argument& error) {
        out.problem = std::string("unreadable envelope: ") + error.what();
        return out;
    }
    if (out.envelope.origin == self.public_part.name) {
        out.own = true;
        return out;
    }
    const Peer* origin = find_peer(options, out.envelope.origin);
    if (origin == nullptr)
        out.problem = "unknown origin " + out.envelope.origin;
    else if (!verify(message.bytes, message.signature, origin->identity.sign_public))
        out.problem = "signature does not verify (" + out.envelope.id + ")";
    return out;
}

} // namespace

std::vector<Checked> check(const NodeIdentity& self, const SharingOptions& options,
                           std::span<const LinkMessage> batch) {
    std::vector<Checked> out(batch.size());
    const auto run = [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i)
            out[i] = check_one(self, options, batch[i].message);
    };
    // Verifying a signature costs more than storing the message: a large batch is checked on
    // two threads.
    const std::size_t half = batch.size() >= 32 ? batch.size() / 2 : 0;
    std::thread helper;
    if (half > 0)
        helper = std::thread(run, half, batch.size());
    run(0, half > 0 ? half : batch.size());
    if (helper.joinable())
        helper.join();
    return out;
}

Receipt receive(Database& db, const NodeIdentity& self, const SharingOptions& options,
                std::string_view from, std::span<const LinkMessage> batch, std::string_view now) {
    return receive(db, self, options, from, batch, check(self, options, batch), now);
}

Receipt receive(Database& db, const NodeIdentity& self, const SharingOptions& options,
                std::string_view from, std::span<const LinkMessage> batch,
                const std::vector<Checked>& checked, std::string_view now) {
    if (checked.size() != batch.size())
        throw std::invalid_argument("receive: the checks do not match the batch");
    Receipt receipt;
    std::vector<Refusal> refusals;
    {
        Transaction transaction(db);
        const std::string from_peer(from);
        receipt.last_link_seq = last_received(db, from);
        detail::Outbox outbox(db, self, options, now);
        detail::Applier applier(outbox);
        Statement seen(db, "SELECT 1 FROM share_inbox WHERE message_id = ?1");
        Statement store(db, "INSERT INTO share_inbox (message_id, origin, seq, kind, from_peer, "
                            "bytes, signature, received_at) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
        Statement refuse(db, "INSERT INTO share_refused (from_peer, reason, bytes, received_at) "
                             "VALUES (?1, ?2, ?3, ?4)");
        const auto refused = [&](const LinkMessage& item, std::string reason) {
            refuse.bind(1, from);
            refuse.bind(2, reason);
            refuse.bind_blob(3, item.message.bytes);
            refuse.bind(4, now);
            refuse.run();
            refusals.push_back({from_peer, std::move(reason)});
            ++receipt.refused;
        };

        for (std::size_t i = 0; i < batch.size(); ++i) {
            const LinkMessage& item = batch[i];
            if (item.link_seq <= receipt.last_link_seq) {
                ++receipt.duplicates;
                continue;
            }
            if (item.link_seq != receipt.last_link_seq + 1) {
                receipt.gap = true;
                break;
            }
            // From here the message is taken: whatever becomes of it, the link moves on.
            receipt.last_link_seq = item.link_seq;
            const SignedMessage& message = item.message;
            if (checked[i].own) {
                ++receipt.duplicates;
                continue;
            }
            if (!checked[i].problem.empty()) {
                refused(item, checked[i].problem);
                continue;
            }
            const Envelope& envelope = checked[i].envelope;
            seen.bind(1, envelope.id);
            if (seen.query_int64()) {
                ++receipt.duplicates;
                continue;
            }
            if (applies_here(envelope, self.public_part.name)) {
                try {
                    const detail::Applied applied = applier.apply(envelope);
                    receipt.rescore = receipt.rescore || applied.rescore;
                    ++receipt.applied;
                } catch (const std::invalid_argument& error) {
                    refused(item, envelope.id + ": " + error.what());
                    continue;
                }
            }
            store.bind(1, envelope.id);
            store.bind(2, envelope.origin);
            store.bind(3, envelope.seq);
            store.bind(4, to_string(envelope.kind));
            store.bind(5, from);
            store.bind_blob(6, message.bytes);
            store.bind_blob(7, message.signature);
            store.bind(8, now);
            store.run();
            for (const Peer& peer : options.peers) {
                if (peer.endpoint.empty() || !relay_to(options, peer, envelope, from))
                    continue;
                outbox.queue(peer.identity.name, envelope.id, envelope.kind, message.bytes,
                             message.signature);
                ++receipt.relayed;
            }
        }

        if (receipt.rescore)
            scoring::bump_generation(db);
        outbox.flush();
        ensure_link(db, from);
        Statement link(db, "UPDATE share_links SET received = ?2, last_seen = ?3 WHERE peer = ?1");
        link.bind(1, from);
        link.bind(2, receipt.last_link_seq);
        link.bind(3, now);
        link.run();
        transaction.commit();
    }
    for (const Refusal& refusal : refusals)
        log::warn("-", "sharing: refused a message from " + refusal.from + ": " + refusal.reason);
    return receipt;
}

} // namespace portscreen::sharing
