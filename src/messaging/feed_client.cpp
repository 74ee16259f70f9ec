#include "messaging/feed_client.hpp"

#include "common/log.hpp"

#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <algorithm>
#include <cstdio>
#include <random>
#include <unordered_map>

namespace portscreen::messaging {
namespace {

using Clock = std::chrono::steady_clock;

zmq::socket_t connect_dealer(zmq::context_t& context, const std::string& endpoint) {
    zmq::socket_t socket(context, zmq::socket_type::dealer);
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::heartbeat_ivl, 5000);
    socket.set(zmq::sockopt::heartbeat_timeout, 15000);
    socket.connect(endpoint);
    return socket;
}

struct InFlight {
    std::size_t index;
    int attempts;
    Clock::time_point deadline;
};

} // namespace

FeedClient::FeedClient(zmq::context_t& context, FeedOptions options)
    : context_(context), options_(std::move(options)) {}

std::vector<std::optional<Reply>>
FeedClient::send_all(const std::vector<Outgoing>& messages,
                     const std::function<void(std::size_t, const Reply&)>& on_reply) {
    std::vector<std::optional<Reply>> replies(messages.size());
    auto socket = connect_dealer(context_, options_.endpoint);
    std::unordered_map<std::string, InFlight> in_flight;
    std::size_t next = 0;
    std::size_t finished = 0;

    auto send = [&](std::size_t index) {
        std::vector<zmq::const_buffer> frames;
        for (const auto& frame : messages[index].frames)
            frames.push_back(zmq::buffer(frame));
        zmq::send_multipart(socket, frames);
    };

    while (finished < messages.size()) {
        while (next < messages.size() && in_flight.size() < options_.window) {
            send(next);
            in_flight[messages[next].message_id] = {next, 1, Clock::now() + options_.timeout};
            ++next;
        }
        auto earliest = Clock::now() + options_.timeout;
        for (const auto& [id, flight] : in_flight)
            earliest = std::min(earliest, flight.deadline);
        const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::max(earliest - Clock::now(), Clock::duration::zero()));
        zmq::pollitem_t items[] = {{socket.handle(), 0, ZMQ_POLLIN, 0}};
        zmq::poll(items, 1, wait);
        if (items[0].revents & ZMQ_POLLIN) {
            std::vector<zmq::message_t> frames;
            if (!zmq::recv_multipart(socket, std::back_inserter(frames)))
                continue;
            if (frames.size() != 3)
                continue;
            Reply reply{frames[0].to_string(), frames[1].to_string(), frames[2].to_string()};
            const auto found = in_flight.find(reply.message_id);
            if (found == in_flight.end())
                continue; // a late answer to a message already answered after a resend
            const std::size_t index = found->second.index;
            in_flight.erase(found);
            if (on_reply)
                on_reply(index, reply);
            replies[index] = std::move(reply);
            ++finished;
            continue;
        }
        // Timed out: Lazy Pirate drops the socket (and anything stuck in it) and resends.
        const auto now = Clock::now();
        bool expired = false;
        for (const auto& [id, flight] : in_flight)
            expired = expired || flight.deadline <= now;
        if (!expired)
            continue;
        socket = connect_dealer(context_, options_.endpoint);
        for (auto it = in_flight.begin(); it != in_flight.end();) {
            if (it->second.attempts >= options_.attempts && it->second.deadline <= now) {
                log::warn(it->first, "no reply after " + std::to_string(options_.attempts) +
                                         " attempts, giving up");
                ++finished;
                it = in_flight.erase(it);
                continue;
            }
            // Every message still in flight went down with the old socket: send it again.
            if (it->second.deadline <= now)
                ++it->second.attempts;
            log::info(it->first, "resending, attempt " + std::to_string(it->second.attempts));
            send(it->second.index);
            it->second.deadline = now + options_.timeout;
            ++it;
        }
    }
    return replies;
}

std::string new_message_id() {
    static thread_local std::mt19937_64 generator{std::random_device{}()};
    char text[40];
    std::snprintf(text, sizeof text, "msg-%016llx%016llx",
                  static_cast<unsigned long long>(generator()),
                  static_cast<unsigned long long>(generator()));
    return text;
}

} // namespace portscreen::messaging
