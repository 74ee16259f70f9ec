#pragma once

#include "messaging/feed_client.hpp"

#include <filesystem>
#include <vector>

namespace portscreen::node {

/// Sends each file to an ingest endpoint (format detected from its content) and prints one
/// line per file: ACK or NACK with the reasons. Returns 0 when every file was ACKed, 1 when any
/// was refused or unanswered, 2 when a file could not be read or its format not recognised.
int feed_files(const std::vector<std::filesystem::path>& files,
               const messaging::FeedOptions& options);

} // namespace portscreen::node
