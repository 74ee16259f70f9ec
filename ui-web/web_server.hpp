#pragma once

#include "api.hpp"
#include "server.hpp"
#include "sharing/policy.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace portscreen::ui_web {

struct WebOptions {
    bool enabled = true;
    std::string listen = "127.0.0.1:8080"; ///< ADDRESS:PORT; port 0 picks a free one
    int threads = 4;
    std::size_t max_body_bytes = 1 << 20;
    std::size_t max_upload_bytes = std::size_t{128} << 20;
    std::string static_dir; ///< the built frontend; empty: the one this build made, if any
    bool secure_cookies = false;
    int session_idle_minutes = 30;
    int session_hours = 12;
    /// The node's sharing configuration (its `share` section); peers are listed on the
    /// administrator's page with the state of their links.
    sharing::SharingOptions sharing;
};

/// The node's web side: the HTTP server, the API behind it and the live event stream.
class WebServer {
public:
    WebServer(const WebOptions& options, const std::filesystem::path& data_dir,
              std::string scan_endpoint);
    ~WebServer();
    WebServer(const WebServer&) = delete;
    WebServer& operator=(const WebServer&) = delete;

    void start();
    void stop() noexcept;
    std::uint16_t port() const;

    /// Thread-safe notifications from the node's pipelines.
    void scan_stored(const std::string& scan_id);
    void scored(std::int64_t vessel_call_id, std::size_t count);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// The frontend this build made (ui-web/frontend/dist of the source tree), or empty.
std::string default_static_dir();

} // namespace portscreen::ui_web
