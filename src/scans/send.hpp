#pragma once

#include "messaging/feed_client.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace portscreen::scans {

/// Sends scans to a node's scan endpoint, two in flight, resending after `timeout` (Lazy
/// Pirate). Prints a line per reply ("ACK  id: body"; with `quiet` only the refusals) and one
/// per scan left unanswered; returns how many were acknowledged.
std::size_t send_scans(const std::vector<messaging::Outgoing>& scans, const std::string& endpoint,
                       std::chrono::milliseconds timeout, bool quiet);

} // namespace portscreen::scans
