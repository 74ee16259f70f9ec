#include "messaging/router.hpp"

#include <stdexcept>

namespace portscreen::messaging {

std::string bind_router(zmq::socket_t& router, const std::string& endpoint,
                        std::int64_t max_message_bytes, std::string_view what) {
    router.set(zmq::sockopt::router_mandatory, 1);
    router.set(zmq::sockopt::linger, 1000);
    router.set(zmq::sockopt::maxmsgsize, max_message_bytes);
    router.set(zmq::sockopt::heartbeat_ivl, 5000);
    router.set(zmq::sockopt::heartbeat_timeout, 15000);
    try {
        router.bind(endpoint);
    } catch (const zmq::error_t& e) {
        throw std::runtime_error("cannot bind the " + std::string(what) + " endpoint " + endpoint +
                                 ": " + e.what());
    }
    return router.get(zmq::sockopt::last_endpoint);
}

std::string peer_address(zmq::message_t& frame) {
    try {
        return frame.gets("Peer-Address");
    } catch (const zmq::error_t&) {
        return "unknown";
    }
}

} // namespace portscreen::messaging
