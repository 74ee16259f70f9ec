#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace zmq {
class context_t;
}

namespace portscreen::messaging {

/// One message to send: its frames, and the id its reply carries in its first frame.
struct Outgoing {
    /// A manifest: [message-id, content-type, payload].
    Outgoing(std::string id, std::string content_type, std::string payload)
        : message_id(id), frames{std::move(id), std::move(content_type), std::move(payload)} {}
    /// Any other protocol of the node, e.g. a scan: [header, image...] answered under its id.
    Outgoing(std::string id, std::vector<std::string> all_frames)
        : message_id(std::move(id)), frames(std::move(all_frames)) {}

    std::string message_id;
    std::vector<std::string> frames;
};

struct Reply {
    std::string message_id;
    std::string status; ///< "ACK" or "NACK"
    std::string body;
};

struct FeedOptions {
    std::string endpoint = "tcp://127.0.0.1:5555";
    std::chrono::milliseconds timeout{30'000}; ///< wait per attempt before resending
    int attempts = 3;                          ///< sends per message before giving up
    std::size_t window = 8;                    ///< messages in flight at once
};

/// A DEALER client with the Lazy Pirate pattern: sends, waits for the reply with a timeout,
/// and after a timeout closes the socket, reconnects and resends under the same message-id (the
/// node answers a resend with the ACK it already gave). Several messages may be in flight;
/// replies are matched by message-id. Used from one thread.
class FeedClient {
public:
    FeedClient(zmq::context_t& context, FeedOptions options);

    /// Sends every message and returns one entry per message, in the order given: the reply,
    /// or nothing when no reply came after every attempt. `on_reply` is called as each arrives.
    std::vector<std::optional<Reply>>
    send_all(const std::vector<Outgoing>& messages,
             const std::function<void(std::size_t index, const Reply&)>& on_reply = {});

private:
    zmq::context_t& context_;
    FeedOptions options_;
};

/// A fresh random message id ("msg-" and 32 hex digits).
std::string new_message_id();

} // namespace portscreen::messaging
