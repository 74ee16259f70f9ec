#include "sharing/service.hpp"

#include "common/clock.hpp"
#include "common/log.hpp"
#include "sharing/store.hpp"
#include "storage/database.hpp"

#include <zmq.hpp>

#include <array>
#include <charconv>
#include <chrono>
#include <deque>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

namespace portscreen::sharing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";
constexpr const char* kZapDomain = "portscreen-share";
/// Messages per BATCH frame set: one receiving transaction each.
constexpr std::size_t kBatch = 500;
/// The most a peer may send in one BATCH: a bound on what one request holds in memory.
constexpr std::size_t kMaxBatchIn = 2000;
constexpr auto kTick = 50ms;
constexpr auto kHello = 2s;          ///< how often an idle link says hello (a heartbeat)
constexpr auto kSilence = 10s;       ///< no answer for this long: the peer counts as gone
constexpr auto kFirstRetry = 3s;     ///< unacknowledged messages are sent again after this...
constexpr auto kLastRetry = 30s;     ///< ...doubling up to this while the peer stays silent
constexpr auto kProduceEvery = 50ms; ///< events are looked for at least this often
constexpr std::size_t kProduceBatch = 1000; ///< events turned into messages per transaction
constexpr auto kStoreAcknowledged = 250ms;  ///< how often acknowledgements are written

std::optional<std::int64_t> parse_number(std::string_view text) {
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < 0)
        return std::nullopt;
    return value;
}

std::string z85_key(const zmq::message_t& binary) {
    if (binary.size() != 32)
        return "(not a CURVE key)";
    std::array<char, 41> text{};
    zmq_z85_encode(text.data(), binary.data<std::uint8_t>(), 32);
    return text.data();
}

/// The frames of the multipart message waiting on `socket`; none when nothing waits.
std::vector<zmq::message_t> receive_waiting(zmq::socket_t& socket) {
    std::vector<zmq::message_t> frames;
    do {
        zmq::message_t frame;
        if (!socket.recv(frame, zmq::recv_flags::dontwait))
            break;
        frames.push_back(std::move(frame));
    } while (frames.back().more());
    return frames;
}

/// The sending side of one link: where the peer stands and what is in flight.
struct Link {
    const Peer* peer = nullptr;
    std::unique_ptr<zmq::socket_t> dealer;
    std::int64_t acknowledged = 0;
    std::int64_t stored_acknowledged = 0; ///< what the outbox has forgotten
    Clock::time_point stored_at{};
    std::int64_t next = 1; ///< the next link number to send
    bool more = true;      ///< the outbox may hold messages not yet sent
    Clock::time_point last_sent{};
    Clock::time_point last_heard{};
    Clock::time_point retry_at{};
    std::chrono::milliseconds retry = kFirstRetry;
    bool connected = false;
    bool behind_reported = false;
};

} // namespace

class ShareService::Worker {
public:
    explicit Worker(ShareService& owner)
        : owner_(owner), options_(owner.options_), self_(owner.identity_),
          db_(storage::Database::open(owner.database_path_, storage::Access::writer)),
          zap_(context_, zmq::socket_type::rep), router_(context_, zmq::socket_type::router) {}

    std::string bind() {
        configure(db_, options_);
        // The handler is bound before the endpoint: a CURVE server without one would admit any
        // key.
        zap_.bind(kZapEndpoint);
        router_.set(zmq::sockopt::zap_domain, kZapDomain);
        router_.set(zmq::sockopt::curve_server, 1);
        router_.set(zmq::sockopt::curve_secretkey, self_.curve_secret);
        router_.set(zmq::sockopt::router_mandatory, 1);
        router_.set(zmq::sockopt::linger, 0);
        router_.set(zmq::sockopt::maxmsgsize, options_.max_message_bytes);
        router_.set(zmq::sockopt::heartbeat_ivl, 5000);
        router_.set(zmq::sockopt::heartbeat_timeout, 15000);
        try {
            router_.bind(options_.endpoint);
        } catch (const zmq::error_t& e) {
            throw std::runtime_error("cannot bind the sharing endpoint " + options_.endpoint +
                                     ": " + e.what());
        }
        for (const auto& peer : options_.peers) {
            if (peer.endpoint.empty())
                continue;
            Link link;
            link.peer = &peer;
            link.dealer = std::make_unique<zmq::socket_t>(context_, zmq::socket_type::dealer);
            auto& dealer = *link.dealer;
            dealer.set(zmq::sockopt::curve_serverkey, peer.identity.curve_public);
            dealer.set(zmq::sockopt::curve_publickey, self_.public_part.curve_public);
            dealer.set(zmq::sockopt::curve_secretkey, self_.curve_secret);
            dealer.set(zmq::sockopt::linger, 0);
            // Queue only to a live connection: what cannot be sent stays in the outbox.
            dealer.set(zmq::sockopt::immediate, 1);
            dealer.set(zmq::sockopt::reconnect_ivl, 250);
            dealer.set(zmq::sockopt::reconnect_ivl_max, 5000);
            dealer.set(zmq::sockopt::maxmsgsize, options_.max_message_bytes);
            dealer.set(zmq::sockopt::heartbeat_ivl, 5000);
            dealer.set(zmq::sockopt::heartbeat_timeout, 15000);
            dealer.connect(peer.endpoint);
            link.acknowledged = acknowledged(db_, peer.identity.name);
            link.stored_acknowledged = link.acknowledged;
            link.next = link.acknowledged + 1;
            links_.push_back(std::move(link));
        }
        return router_.get(zmq::sockopt::last_endpoint);
    }

    void run() {
        auto next_produce = Clock::now();
        while (!owner_.stopping_) {
            std::vector<zmq::pollitem_t> items{{zap_.handle(), 0, ZMQ_POLLIN, 0},
                                               {router_.handle(), 0, ZMQ_POLLIN, 0}};
            for (auto& link : links_)
                items.push_back({link.dealer->handle(), 0, ZMQ_POLLIN, 0});
            zmq::poll(items, kTick);
            const auto now = Clock::now();
            if (items[0].revents & ZMQ_POLLIN)
                answer_zap();
            if (items[1].revents & ZMQ_POLLIN)
                serve_router();
            for (std::size_t i = 0; i < links_.size(); ++i)
                if (items[i + 2].revents & ZMQ_POLLIN)
                    hear(links_[i]);
            if (now >= next_produce) {
                next_produce = now + kProduceEvery;
                guarded("making messages", [&] {
                    // While events keep coming, come back on the next round, sending what is
                    // signed in between.
                    if (produce(db_, self_, options_, utc_now_iso8601(), kProduceBatch) > 0)
                        next_produce = now;
                });
                mark_all_dirty(); // another process may have queued messages too
                forget_silent(now);
            }
            for (auto& link : links_)
                pump(link, Clock::now());
        }
        // Stopping: what was acknowledged leaves the outbox, and the links are down, but nobody
        // is to blame in the log.
        for (auto& link : links_)
            store_acknowledged(link, Clock::now(), true);
        for (auto& link : links_)
            guarded("recording the link state", [&] {
                record_link_state(db_, link.peer->identity.name, false, utc_now_iso8601());
            });
        forget_silent(Clock::time_point::max());
    }

private:
    template <typename Work> void guarded(const char* what, Work&& work) {
        try {
            work();
        } catch (const std::exception& e) {
            // A database that is busy or full: the work is tried again on the next round.
            log::error("share", std::string("sharing: ") + what + " failed: " + e.what());
        }
    }

    void mark_all_dirty() {
        for (auto& link : links_)
            link.more = true;
    }

    /// ZAP (RFC 27): admit the keys of listed peers, refuse and log every other.
    void answer_zap() {
        std::vector<zmq::message_t> request = receive_waiting(zap_);
        if (request.empty())
            return;
        const auto text = [&request](std::size_t i) {
            return i < request.size() ? request[i].to_string() : std::string();
        };
        std::string status = "400";
        std::string status_text = "unknown key";
        std::string user;
        if (request.size() >= 7 && text(5) == "CURVE") {
            const auto key = z85_key(request[6]);
            if (const Peer* peer = find_peer_by_curve_key(options_, key)) {
                status = "200";
                status_text = "OK";
                user = peer->identity.name;
            } else {
                log::warn("share", "sharing: refused a connection from " + text(3) +
                                       " with a key no peer has: " + key);
            }
        } else {
            status_text = "CURVE required";
            log::warn("share", "sharing: refused a connection from " + text(3) +
                                   " without CURVE (" + text(5) + ")");
        }
        const std::array<std::string, 6> reply{text(0), text(1), status, status_text, user, ""};
        for (std::size_t i = 0; i < reply.size(); ++i)
            zap_.send(zmq::buffer(reply[i]),
                      i + 1 < reply.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }

    /// Requests from the peers' DEALERs: HELLO or a BATCH of messages. A batch is checked on
    /// another thread while the one before it is stored, since checking the signatures costs
    /// about as much as storing the messages.
    void serve_router() {
        for (int round = 0; round < 64; ++round) {
            std::vector<zmq::message_t> frames = receive_waiting(router_);
            if (frames.size() < 2)
                break;
            std::string peer;
            try {
                peer = frames[1].gets("User-Id");
            } catch (const zmq::error_t&) {
                continue; // not authenticated by our handler: cannot happen with ZAP bound
            }
            handle(frames, peer);
        }
        store_checked(0);
    }

    void handle(std::vector<zmq::message_t>& frames, const std::string& peer) {
        note_heard(peer);
        const std::string verb = frames[1].to_string();
        if (verb == "HELLO" && frames.size() == 2) {
            store_checked(0); // the answer counts every batch received before it
            reply(frames[0], "ACK", received_from(peer));
        } else if (verb == "BATCH" && frames.size() >= 5 && (frames.size() - 2) % 3 == 0 &&
                   (frames.size() - 2) / 3 <= kMaxBatchIn) {
            auto batch = std::make_shared<std::vector<LinkMessage>>();
            batch->reserve((frames.size() - 2) / 3);
            for (std::size_t i = 2; i + 2 < frames.size(); i += 3) {
                const auto seq = parse_number(frames[i].to_string_view());
                if (!seq)
                    break;
                batch->push_back(
                    {*seq, SignedMessage{frames[i + 1].to_string(), frames[i + 2].to_string()}});
            }
            auto checked = std::async(std::launch::async,
                                      [this, batch] { return check(self_, options_, *batch); });
            pending_.push_back({std::move(frames[0]), peer, batch, std::move(checked)});
            store_checked(1);
        } else {
            log::warn("share", "sharing: " + peer +
                                   " sent a request that is not HELLO or a BATCH of at most " +
                                   std::to_string(kMaxBatchIn) + " messages");
        }
    }

    /// Stores the checked batches, oldest first, until `keep` are left, and answers each peer.
    void store_checked(std::size_t keep) {
        while (pending_.size() > keep) {
            Pending item = std::move(pending_.front());
            pending_.pop_front();
            Receipt receipt;
            try {
                receipt = receive(db_, self_, options_, item.peer, *item.batch, item.checked.get(),
                                  utc_now_iso8601());
            } catch (const std::exception& e) {
                // Nothing of the batch was stored; the peer sends it again after its timeout.
                log::error("share",
                           "sharing: cannot store messages from " + item.peer + ": " + e.what());
                continue;
            }
            received_[item.peer] = receipt.last_link_seq;
            if (receipt.relayed > 0)
                mark_all_dirty();
            reply(item.identity, receipt.gap ? "GAP" : "ACK", receipt.last_link_seq);
        }
    }

    void reply(zmq::message_t& identity, const std::string& verb, std::int64_t last) {
        const std::string number = std::to_string(last);
        try {
            router_.send(identity, zmq::send_flags::sndmore);
            router_.send(zmq::buffer(verb), zmq::send_flags::sndmore);
            router_.send(zmq::buffer(number), zmq::send_flags::none);
        } catch (const zmq::error_t&) {
            // The peer went away; it asks again with HELLO when it is back.
        }
    }

    std::int64_t received_from(const std::string& peer) {
        const auto found = received_.find(peer);
        if (found != received_.end())
            return found->second;
        const auto last = last_received(db_, peer);
        received_[peer] = last;
        return last;
    }

    /// An answer on one of our links: ACK or GAP with the peer's last stored link number.
    void hear(Link& link) {
        while (true) {
            std::vector<zmq::message_t> frames = receive_waiting(*link.dealer);
            if (frames.empty())
                return;
            const std::int64_t last =
                frames.size() == 2 ? parse_number(frames[1].to_string_view()).value_or(-1) : -1;
            const std::string verb = frames[0].to_string();
            if (last < 0 || (verb != "ACK" && verb != "GAP")) {
                log::warn("share", "sharing: " + link.peer->identity.name +
                                       " answered with something that is not ACK or GAP");
                continue;
            }
            link.last_heard = Clock::now();
            link.retry = kFirstRetry;
            link.retry_at = link.last_heard + link.retry;
            const bool was_connected = link.connected;
            note_state(link, true);
            if (last > link.acknowledged)
                link.acknowledged = last;
            if (last < link.acknowledged && !link.behind_reported) {
                // The peer acknowledged more before: its database was restored from an older
                // copy. What it lost has left our outbox and cannot be sent again.
                log::error("share", "sharing: " + link.peer->identity.name +
                                        " has messages up to " + std::to_string(last) +
                                        " but acknowledged up to " +
                                        std::to_string(link.acknowledged) +
                                        "; the link cannot resume (see docs/sharing.md)");
                link.behind_reported = true;
            }
            // What was in flight when the connection dropped is gone with it; after a GAP the
            // peer dropped the rest. Either way, send again from the first unacknowledged.
            if (verb == "GAP" || !was_connected || link.next <= link.acknowledged)
                link.next = link.acknowledged + 1;
            link.more = true;
        }
    }

    /// Sends what the window allows, says hello when idle, and goes back to the first
    /// unacknowledged message when the peer has been silent too long.
    /// Acknowledged messages leave the outbox a few times a second, not once per ACK: one
    /// commit for many batches. Until then a restart only sends some again, as duplicates.
    void store_acknowledged(Link& link, Clock::time_point now, bool at_once) {
        if (link.acknowledged <= link.stored_acknowledged ||
            (!at_once && now - link.stored_at < kStoreAcknowledged))
            return;
        guarded("recording an acknowledgement", [&] {
            acknowledge(db_, link.peer->identity.name, link.acknowledged, utc_now_iso8601());
            link.stored_acknowledged = link.acknowledged;
            link.stored_at = now;
        });
    }

    void pump(Link& link, Clock::time_point now) {
        store_acknowledged(link, now, false);
        const bool in_flight = link.next > link.acknowledged + 1;
        if (in_flight && now >= link.retry_at) {
            link.next = link.acknowledged + 1;
            link.retry = std::min<std::chrono::milliseconds>(link.retry * 2, kLastRetry);
            link.retry_at = now + link.retry;
            link.more = true;
        }
        if (link.connected && now - link.last_heard > kSilence)
            note_state(link, false);
        if (now - link.last_sent >= kHello && (!in_flight || !link.connected)) {
            const std::string hello = "HELLO";
            if (link.dealer->send(zmq::buffer(hello), zmq::send_flags::dontwait))
                link.last_sent = now;
        }
        if (!link.connected)
            return;
        while (link.more && link.next - link.acknowledged - 1 < options_.window) {
            const auto room =
                static_cast<std::size_t>(options_.window - (link.next - link.acknowledged - 1));
            std::vector<LinkMessage> batch;
            guarded("reading the outbox", [&] {
                batch =
                    outgoing(db_, link.peer->identity.name, link.next - 1, std::min(kBatch, room));
            });
            if (batch.empty()) {
                link.more = false;
                return;
            }
            if (!send_batch(link, batch))
                return;
            link.next = batch.back().link_seq + 1;
            link.last_sent = now;
            if (!in_flight)
                link.retry_at = now + link.retry;
        }
    }

    bool send_batch(Link& link, const std::vector<LinkMessage>& batch) {
        std::vector<zmq::message_t> frames;
        frames.reserve(1 + batch.size() * 3);
        frames.emplace_back(std::string_view("BATCH"));
        for (const auto& message : batch) {
            frames.emplace_back(std::to_string(message.link_seq));
            frames.emplace_back(message.message.bytes);
            frames.emplace_back(message.message.signature);
        }
        for (std::size_t i = 0; i < frames.size(); ++i) {
            const auto flags =
                i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
            // With ZMQ_IMMEDIATE a gone peer refuses the first frame; a multipart message is
            // then sent whole or not at all.
            if (!link.dealer->send(frames[i], flags | zmq::send_flags::dontwait)) {
                if (i == 0)
                    return false;
                throw std::logic_error("a ZeroMQ multipart message was cut short");
            }
        }
        return true;
    }

    /// A peer we do not connect to (it has no endpoint here) is up while it talks to us; one we
    /// connect to is judged by its link's answers instead.
    void note_heard(const std::string& peer) {
        for (const auto& link : links_)
            if (link.peer->identity.name == peer)
                return;
        auto& heard = inbound_[peer];
        const bool recorded_lately = Clock::now() - heard < 5s;
        heard = Clock::now();
        if (!recorded_lately)
            guarded("recording the link state",
                    [&] { record_link_state(db_, peer, true, utc_now_iso8601()); });
    }

    /// Inbound-only peers silent for too long count as gone.
    void forget_silent(Clock::time_point now) {
        for (auto it = inbound_.begin(); it != inbound_.end();) {
            if (now - it->second <= kSilence) {
                ++it;
                continue;
            }
            guarded("recording the link state",
                    [&] { record_link_state(db_, it->first, false, utc_now_iso8601()); });
            it = inbound_.erase(it);
        }
    }

    void note_state(Link& link, bool connected) {
        if (link.connected == connected && connected &&
            Clock::now() - last_noted_[link.peer->identity.name] < 5s)
            return;
        if (link.connected != connected)
            log::info("share", "sharing: " + link.peer->identity.name +
                                   (connected ? " connected" : " is not answering"));
        link.connected = connected;
        last_noted_[link.peer->identity.name] = Clock::now();
        guarded("recording the link state", [&] {
            record_link_state(db_, link.peer->identity.name, connected, utc_now_iso8601());
        });
    }

    ShareService& owner_;
    const SharingOptions& options_;
    const NodeIdentity& self_;
    storage::Database db_;
    zmq::context_t context_;
    zmq::socket_t zap_;
    zmq::socket_t router_;
    std::vector<Link> links_;
    /// A received batch whose check runs on another thread.
    struct Pending {
        zmq::message_t identity;
        std::string peer;
        std::shared_ptr<std::vector<LinkMessage>> batch;
        std::future<std::vector<Checked>> checked;
    };
    std::deque<Pending> pending_;
    std::map<std::string, std::int64_t> received_;
    std::map<std::string, Clock::time_point> last_noted_;
    std::map<std::string, Clock::time_point> inbound_; ///< when each inbound-only peer last spoke
};

ShareService::ShareService(SharingOptions options, NodeIdentity identity,
                           std::filesystem::path database_path)
    : options_(std::move(options)), identity_(std::move(identity)),
      database_path_(std::move(database_path)) {}

ShareService::~ShareService() {
    stop();
}

void ShareService::start() {
    if (const auto problems = validate(options_); !problems.empty())
        throw std::runtime_error("sharing settings: " + problems.front());
    worker_ = std::make_unique<Worker>(*this);
    endpoint_ = worker_->bind();
    stopping_ = false;
    thread_ = std::thread([this] {
        try {
            worker_->run();
        } catch (const std::exception& e) {
            log::error("share", std::string("sharing stopped: ") + e.what());
        }
    });
    log::info("share", "sharing as " + identity_.public_part.name + " on " + endpoint_ + " with " +
                           std::to_string(options_.peers.size()) + " peer(s)");
}

void ShareService::stop() noexcept {
    stopping_ = true;
    if (thread_.joinable())
        thread_.join();
    worker_.reset();
}

} // namespace portscreen::sharing
