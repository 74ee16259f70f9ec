#pragma once

#include "http.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace portscreen::ui_web {

class EventHub;

struct ServerOptions {
    std::string address = "127.0.0.1";
    std::uint16_t port = 8080; ///< 0 picks a free port (see HttpServer::port)
    int threads = 4;           ///< handlers block on SQLite, so more than the cores
    std::size_t max_body_bytes = 1 << 20;
    /// Uploads of scans and attachments may be larger than other requests.
    std::size_t max_upload_bytes = std::size_t{128} << 20;
    /// A request whose headers and body do not arrive within this time is dropped (slow
    /// clients hold a connection each).
    std::chrono::seconds read_timeout{30};
    std::size_t max_connections = 1024;
};

/// Which requests may carry the larger upload bodies.
using UploadPredicate = std::function<bool(std::string_view method, std::string_view path)>;
using Handler = std::function<Response(const Request&)>;

/// An HTTP/1.1 server over Boost.Beast: a listener and `threads` threads running handlers.
/// Handlers run on the I/O threads and may block (they read SQLite); a response marked
/// `event_stream` turns its connection into a server-sent event stream fed by `hub`.
class HttpServer {
public:
    HttpServer(ServerOptions options, Handler handler, UploadPredicate is_upload, EventHub& hub);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Binds and starts the threads. Throws std::runtime_error naming the address when the
    /// port cannot be bound.
    void start();
    /// Closes the listener and every connection, then joins the threads.
    void stop() noexcept;
    /// The bound port (useful with port 0).
    std::uint16_t port() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Splits "host:port" or "[v6]:port"; throws std::invalid_argument naming the text.
void parse_listen_address(std::string_view text, std::string& host, std::uint16_t& port);

} // namespace portscreen::ui_web
