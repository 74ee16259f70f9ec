#pragma once

#include "identity.hpp"
#include "policy.hpp"

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

/// The node's sharing thread: binds the sharing endpoint as a CURVE server with a ZAP handler that
/// admits only listed peers, connects to every peer with an endpoint, sends each its outbox in
/// order with a window, stores and applies what arrives, and turns new events into messages
/// (looked for 20 times a second: triggers put them in the database, whoever made the change).
/// It has a ZeroMQ context of its own, so that its ZAP handler answers for its sockets only.
namespace portscreen::sharing {

class ShareService {
public:
    ShareService(SharingOptions options, NodeIdentity identity,
                 std::filesystem::path database_path);
    ~ShareService();
    ShareService(const ShareService&) = delete;
    ShareService& operator=(const ShareService&) = delete;

    /// Binds the endpoint and starts the thread. Throws when the endpoint cannot be bound.
    void start();
    /// Stops the thread; what is not acknowledged stays queued for the next start.
    void stop() noexcept;

    /// The bound endpoint, with its port resolved (valid after start).
    const std::string& endpoint() const { return endpoint_; }

private:
    class Worker;

    SharingOptions options_;
    NodeIdentity identity_;
    std::filesystem::path database_path_;
    std::string endpoint_;
    std::unique_ptr<Worker> worker_;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

} // namespace portscreen::sharing
