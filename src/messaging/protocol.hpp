#pragma once

#include "common/result.hpp"
#include "storage/manifest_store.hpp"

#include <string>
#include <string_view>
#include <vector>

/// The manifest ingest protocol (docs/protocols.md): the client sends
/// [message-id, content-type, payload]; the node answers [message-id, status, body].
namespace portscreen::messaging {

inline constexpr std::string_view kAck = "ACK";
inline constexpr std::string_view kNack = "NACK";

/// The ACK body: what was stored, from the store's own account of it.
std::string ack_body(const storage::IncomingMessage& message,
                     const std::vector<storage::StoredManifest>& stored, const Problems& warnings);

/// The NACK body: a JSON array with one object per problem, errors first.
std::string nack_body(const Problems& problems);

/// One error problem with no segment or path, for faults of the frames themselves.
Problems frame_problem(std::string code, std::string message);

} // namespace portscreen::messaging
