#include "web_server.hpp"

#include "common/log.hpp"
#include "event_hub.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace portscreen::ui_web {

std::string default_static_dir() {
#ifdef PORTSCREEN_FRONTEND_DIST
    if (std::filesystem::exists(std::filesystem::path(PORTSCREEN_FRONTEND_DIST) / "index.html"))
        return PORTSCREEN_FRONTEND_DIST;
#endif
    return {};
}

struct WebServer::Impl {
    Impl(const WebOptions& options, const std::filesystem::path& data_dir,
         std::string scan_endpoint)
        : api(api_options(options, data_dir, std::move(scan_endpoint)), hub),
          server(
              server_options(options), [this](const Request& r) { return api.handle(r); },
              &Api::is_upload, hub) {}

    static ApiOptions api_options(const WebOptions& options, const std::filesystem::path& data,
                                  std::string scan_endpoint) {
        ApiOptions api;
        api.data_dir = data;
        api.static_dir = options.static_dir.empty() ? default_static_dir() : options.static_dir;
        api.scan_endpoint = std::move(scan_endpoint);
        api.secure_cookies = options.secure_cookies;
        api.session_idle = std::chrono::minutes(options.session_idle_minutes);
        api.session_absolute = std::chrono::hours(options.session_hours);
        api.sharing = options.sharing;
        return api;
    }

    static ServerOptions server_options(const WebOptions& options) {
        ServerOptions server;
        parse_listen_address(options.listen, server.address, server.port);
        server.threads = options.threads;
        server.max_body_bytes = options.max_body_bytes;
        server.max_upload_bytes = options.max_upload_bytes;
        return server;
    }

    // Keeps idle event streams open and finds browsers that went away.
    void heartbeats() {
        std::unique_lock lock(mutex);
        while (!stopping) {
            if (wake.wait_for(lock, std::chrono::seconds(15), [this] { return stopping; }))
                return;
            lock.unlock();
            hub.heartbeat();
            lock.lock();
        }
    }

    EventHub hub;
    Api api;
    HttpServer server;
    std::mutex mutex;
    std::condition_variable wake;
    bool stopping = false;
    std::thread heartbeat_thread;
};

WebServer::WebServer(const WebOptions& options, const std::filesystem::path& data_dir,
                     std::string scan_endpoint)
    : impl_(std::make_unique<Impl>(options, data_dir, std::move(scan_endpoint))) {}

WebServer::~WebServer() {
    stop();
}

void WebServer::start() {
    impl_->server.start();
    impl_->heartbeat_thread = std::thread([this] { impl_->heartbeats(); });
}

void WebServer::stop() noexcept {
    if (!impl_->heartbeat_thread.joinable())
        return;
    {
        std::lock_guard lock(impl_->mutex);
        impl_->stopping = true;
    }
    impl_->wake.notify_all();
    impl_->heartbeat_thread.join();
    impl_->server.stop();
}

std::uint16_t WebServer::port() const {
    return impl_->server.port();
}

void WebServer::scan_stored(const std::string& scan_id) {
    impl_->api.scan_stored(scan_id);
}

void WebServer::scored(std::int64_t vessel_call_id, std::size_t count) {
    impl_->api.scored(vessel_call_id, count);
}

} // namespace portscreen::ui_web
