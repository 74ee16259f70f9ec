#pragma once

#include "core/validation.hpp"

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <thread>

namespace zmq {
class context_t;
}

namespace portscreen::messaging {

struct IngestOptions {
    std::string endpoint = "tcp://127.0.0.1:5555";
    std::size_t max_message_bytes = 64u << 20; ///< larger payloads get a NACK
    std::size_t max_batch = 64;                ///< messages per group commit
    std::size_t max_queued = 32;               ///< decoded messages waiting for the writer
};

/// The manifest ingest endpoint of a port node: a ROUTER socket that receives
/// [message-id, content-type, payload], decodes and validates on its own thread, and hands
/// valid messages to a single writer thread that stores them in group commits and replies ACK
/// only after the commit. Bad input is answered NACK at once. start() and stop() are called
/// from one thread; the server is not copyable.
class IngestServer {
public:
    IngestServer(zmq::context_t& context, IngestOptions options,
                 std::filesystem::path database_path, core::ReferenceData reference);
    ~IngestServer();
    IngestServer(const IngestServer&) = delete;
    IngestServer& operator=(const IngestServer&) = delete;

    /// Called by the writer thread after each commit with the vessel calls it wrote to, so
    /// that scoring can follow. Set before start().
    using StoredCallback = std::function<void(std::span<const std::int64_t> vessel_call_ids)>;
    void on_stored(StoredCallback callback) { on_stored_ = std::move(callback); }

    /// Opens the database, binds the endpoint and starts both threads. Throws on failure.
    void start();
    /// Stops receiving, lets the writer finish what it holds, joins both threads.
    void stop() noexcept;

    /// The bound endpoint with the port resolved (useful after binding port 0 or "*").
    const std::string& endpoint() const { return bound_endpoint_; }

private:
    class Pipeline;

    zmq::context_t& context_;
    IngestOptions options_;
    std::filesystem::path database_path_;
    core::ReferenceData reference_;
    std::string bound_endpoint_;
    StoredCallback on_stored_;
    std::unique_ptr<Pipeline> pipeline_;
};

} // namespace portscreen::messaging
