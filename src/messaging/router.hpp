#pragma once

#include <zmq.hpp>

#include <cstdint>
#include <string>
#include <string_view>

/// What every ROUTER endpoint of a node shares.
namespace portscreen::messaging {

/// Sets a ROUTER up the way the node's endpoints are, then binds it: replies to a gone peer fail
/// loudly (router_mandatory) instead of vanishing, a message over `max_message_bytes` drops its
/// peer before it costs memory, ZMTP heartbeats (5 s, timeout 15 s) find dead peers. Returns the
/// bound endpoint with its port resolved; throws std::runtime_error naming `what` and the
/// endpoint when binding fails.
std::string bind_router(zmq::socket_t& router, const std::string& endpoint,
                        std::int64_t max_message_bytes, std::string_view what);

/// The peer's address of a received frame, "unknown" when ZeroMQ does not say.
std::string peer_address(zmq::message_t& frame);

} // namespace portscreen::messaging
