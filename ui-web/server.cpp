#include "server.hpp"

#include "beast_request.hpp"
#include "common/log.hpp"
#include "event_hub.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <deque>
#include <list>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

namespace portscreen::ui_web {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

/// Headers sent with every answer: no sniffing, no framing, no referrer leaks, and scripts only
/// from the node itself.
void add_security_headers(http::fields& fields, bool is_api) {
    fields.set("X-Content-Type-Options", "nosniff");
    fields.set("X-Frame-Options", "DENY");
    fields.set("Referrer-Policy", "no-referrer");
    fields.set("Content-Security-Policy",
               "default-src 'self'; img-src 'self' data: blob:; style-src 'self' "
               "'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
               "form-action 'self'");
    if (is_api)
        fields.set(http::field::cache_control, "no-store");
}

class Connection;

struct Shared {
    ServerOptions options;
    Handler handler;
    UploadPredicate is_upload;
    EventHub& hub;
    std::mutex mutex{};
    std::list<Connection*> connections{}; // guarded by mutex; each removes itself when destroyed
};

class Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(tcp::socket&& socket, Shared& shared) : stream_(std::move(socket)), shared_(shared) {
        beast::error_code ec;
        const auto endpoint = stream_.socket().remote_endpoint(ec);
        if (!ec)
            peer_ = endpoint.address().to_string();
        std::lock_guard lock(shared_.mutex);
        entry_ = shared_.connections.insert(shared_.connections.end(), this);
    }
    ~Connection() {
        std::lock_guard lock(shared_.mutex);
        shared_.connections.erase(entry_);
    }

    void start() {
        net::dispatch(stream_.get_executor(),
                      beast::bind_front_handler(&Connection::read_header, shared_from_this()));
    }

    /// Since when this connection has waited for a request header; zero while it is busy.
    std::int64_t waiting_since() const { return waiting_since_.load(); }

    /// Closes the connection if it is still waiting for the header it waited for at `since`.
    void evict(std::int64_t since) {
        net::post(stream_.get_executor(), [self = shared_from_this(), since] {
            if (self->waiting_since_.load() != since)
                return;
            beast::error_code ignored;
            self->stream_.socket().close(ignored);
        });
    }

private:
    void read_header() {
        waiting_since_ = std::chrono::steady_clock::now().time_since_epoch().count();
        parser_.emplace();
        parser_->header_limit(16 * 1024);
        // The limit for this request is known only once its path is; until then the larger.
        parser_->body_limit(
            std::max(shared_.options.max_body_bytes, shared_.options.max_upload_bytes));
        stream_.expires_after(shared_.options.read_timeout);
        http::async_read_header(
            stream_, buffer_, *parser_,
            beast::bind_front_handler(&Connection::on_header, shared_from_this()));
    }

    void on_header(beast::error_code ec, std::size_t) {
        waiting_since_ = 0;
        if (ec == http::error::body_limit)
            return refuse_body();
        if (ec)
            return fail(ec);
        const auto& request = parser_->get();
        const std::string_view target(request.target().data(), request.target().size());
        const std::string_view method(request.method_string().data(),
                                      request.method_string().size());
        const auto limit = shared_.is_upload(method, target.substr(0, target.find('?')))
                               ? shared_.options.max_upload_bytes
                               : shared_.options.max_body_bytes;
        const auto declared = parser_->content_length();
        if (declared && *declared > limit)
            return refuse_body();
        parser_->body_limit(limit); // for chunked bodies, counted as they arrive
        http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&Connection::on_read, shared_from_this()));
    }

    void refuse_body() {
        keep_alive_ = false;
        write(error_response(413, "request body too large"), true);
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec == http::error::body_limit)
            return refuse_body();
        if (ec)
            return fail(ec);
        const auto& message = parser_->get();
        keep_alive_ = message.keep_alive();
        const Request request = to_request(message, peer_);
        Response response;
        try {
            response = shared_.handler(request);
        } catch (const std::exception& e) {
            log::error("http", request.method + " " + request.path + ": " + e.what());
            response = error_response(500, "internal error; the node's log has the details");
        }
        const bool is_api = request.path.starts_with("/api/");
        if (response.event_stream)
            return start_events();
        write(std::move(response), is_api);
    }

    void write(Response response, bool is_api) {
        const int version = parser_ ? parser_->get().version() : 11;
        if (!response.file.empty()) {
            http::file_body::value_type body;
            beast::error_code ec;
            body.open(response.file.c_str(), beast::file_mode::scan, ec);
            if (ec) {
                response = error_response(404, "not found");
            } else {
                auto message = std::make_shared<http::response<http::file_body>>(
                    std::piecewise_construct, std::make_tuple(std::move(body)),
                    std::make_tuple(http::status::ok, version));
                fill(*message, response, is_api);
                message->prepare_payload();
                return send(std::move(message));
            }
        }
        auto message = std::make_shared<http::response<http::string_body>>(
            static_cast<http::status>(response.status), version);
        fill(*message, response, is_api);
        message->body() = std::move(response.body);
        message->prepare_payload();
        send(std::move(message));
    }

    template <class Message> void fill(Message& message, const Response& response, bool is_api) {
        message.set(http::field::server, "portscreen");
        message.set(http::field::content_type, response.content_type);
        add_security_headers(message, is_api);
        for (const auto& [name, value] : response.headers)
            message.insert(name, value);
        message.keep_alive(keep_alive_);
    }

    template <class Message> void send(std::shared_ptr<Message> message) {
        http::async_write(stream_, *message,
                          [self = shared_from_this(), message](beast::error_code ec, std::size_t) {
                              self->on_write(ec);
                          });
    }

    void on_write(beast::error_code ec) {
        if (ec)
            return fail(ec);
        if (!keep_alive_) {
            stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
            return drain();
        }
        read_header();
    }

    // A lingering close: what the client still sends (the rest of a refused body) is read and
    // dropped until it closes or five seconds pass. Closing with unread data would reset the
    // connection, and the client could lose the answer it has not read yet. The five seconds
    // are counted once: a client that keeps sending must not keep the connection.
    void drain() {
        stream_.expires_after(std::chrono::seconds(5));
        drop_input();
    }

    void drop_input() {
        stream_.async_read_some(net::buffer(ignored_),
                                [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                    if (!ec)
                                        self->drop_input();
                                });
    }

    // Server-sent events: the header goes out once, then every published event is queued on
    // this connection's strand and written in order. The stream never times out; a dead
    // client shows when a heartbeat cannot be written.
    void start_events() {
        stream_.expires_never();
        std::string header(
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
            "X-Content-Type-Options: nosniff\r\nConnection: keep-alive\r\n\r\n: connected\n\n");
        sink_ =
            std::make_shared<EventHub::Sink>([weak = weak_from_this()](const std::string& text) {
                auto connection = weak.lock();
                if (!connection || connection->closed_)
                    return false;
                net::post(connection->stream_.get_executor(),
                          [connection, text] { connection->queue_event(text); });
                return true;
            });
        if (!shared_.hub.subscribe(sink_)) {
            keep_alive_ = false;
            return write(error_response(503, "too many live update streams"), true);
        }
        queue_event(std::move(header));
        wait_for_close();
    }

    // The pending read keeps the connection alive between events and ends it when the browser
    // goes away; anything a client sends on an event stream is ignored.
    void wait_for_close() {
        stream_.socket().async_read_some(
            net::buffer(ignored_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
                if (ec) {
                    self->closed_ = true;
                    self->sink_.reset();
                    return;
                }
                self->wait_for_close();
            });
    }

    void queue_event(std::string text) {
        if (closed_)
            return;
        pending_.push_back(std::move(text));
        if (pending_.size() > 1000) { // a client that does not read: let it go
            closed_ = true;
            beast::error_code ec;
            stream_.socket().close(ec);
            return;
        }
        if (pending_.size() == 1)
            write_next_event();
    }

    void write_next_event() {
        net::async_write(stream_.socket(), net::buffer(pending_.front()),
                         [self = shared_from_this()](beast::error_code ec, std::size_t) {
                             if (ec) {
                                 self->closed_ = true;
                                 self->sink_.reset();
                                 return;
                             }
                             self->pending_.pop_front();
                             if (!self->pending_.empty())
                                 self->write_next_event();
                         });
    }

    void fail(beast::error_code ec) {
        if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
            ec == beast::error::timeout || ec == net::error::eof) {
            beast::error_code ignored;
            stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
            return;
        }
        if (ec != net::error::connection_reset && ec != net::error::broken_pipe)
            log::debug("http", "connection from " + peer_ + ": " + ec.message());
    }

    beast::tcp_stream stream_;
    Shared& shared_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::string peer_;
    bool keep_alive_ = true;
    std::shared_ptr<EventHub::Sink> sink_;
    std::deque<std::string> pending_;
    std::atomic<bool> closed_{false};
    std::array<char, 256> ignored_{};
    std::atomic<std::int64_t> waiting_since_{0};
    std::list<Connection*>::iterator entry_;
};

} // namespace

struct HttpServer::Impl {
    Impl(ServerOptions options, Handler handler, UploadPredicate is_upload, EventHub& hub)
        : shared{std::move(options), std::move(handler), std::move(is_upload), hub},
          io(shared.options.threads), acceptor(net::make_strand(io)) {}

    void accept() {
        acceptor.async_accept(net::make_strand(io), [this](beast::error_code ec, tcp::socket s) {
            if (ec == net::error::operation_aborted || !acceptor.is_open())
                return;
            if (ec == net::error::no_descriptors && !evict_longest_waiting()) {
                // Out of file descriptors with no one to make room: wait, not spin.
                pause.expires_after(std::chrono::milliseconds(100));
                return pause.async_wait([this](beast::error_code) { accept(); });
            }
            if (!ec) {
                if (at_limit() && !evict_longest_waiting()) {
                    beast::error_code ignored;
                    s.close(ignored);
                } else {
                    std::make_shared<Connection>(std::move(s), shared)->start();
                }
            }
            accept();
        });
    }

    bool at_limit() {
        std::lock_guard lock(shared.mutex);
        return shared.connections.size() >= shared.options.max_connections;
    }

    // At the limit, the connection that has waited longest for a request header makes room:
    // otherwise a client trickling headers on every free connection (slowloris) would keep
    // everyone out until the read timeout. A client that sends its request at once is never
    // the one that waited longest.
    bool evict_longest_waiting() {
        std::shared_ptr<Connection> oldest; // released outside the lock: it may be the last owner
        std::int64_t since = 0;
        {
            std::lock_guard lock(shared.mutex);
            Connection* found = nullptr;
            for (auto* connection : shared.connections) {
                const auto waiting = connection->waiting_since();
                if (waiting != 0 && (since == 0 || waiting < since)) {
                    since = waiting;
                    found = connection;
                }
            }
            if (found != nullptr)
                oldest = found->weak_from_this().lock(); // empty if it is being destroyed
        }
        if (!oldest)
            return false;
        oldest->evict(since);
        return true;
    }

    Shared shared;
    net::io_context io;
    tcp::acceptor acceptor;
    net::steady_timer pause{acceptor.get_executor()};
    std::vector<std::thread> threads;
    std::uint16_t bound_port = 0;
};

HttpServer::HttpServer(ServerOptions options, Handler handler, UploadPredicate is_upload,
                       EventHub& hub)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), std::move(is_upload),
                                   hub)) {}

HttpServer::~HttpServer() {
    stop();
}

void HttpServer::start() {
    auto& impl = *impl_;
    const auto where = impl.shared.options.address + ":" + std::to_string(impl.shared.options.port);
    try {
        const tcp::endpoint endpoint(net::ip::make_address(impl.shared.options.address),
                                     impl.shared.options.port);
        impl.acceptor.open(endpoint.protocol());
        impl.acceptor.set_option(net::socket_base::reuse_address(true));
        impl.acceptor.bind(endpoint);
        impl.acceptor.listen(net::socket_base::max_listen_connections);
        impl.bound_port = impl.acceptor.local_endpoint().port();
    } catch (const std::exception& e) {
        throw std::runtime_error("cannot listen for HTTP on " + where + ": " + e.what());
    }
    impl.accept();
    for (int i = 0; i < std::max(1, impl.shared.options.threads); ++i)
        impl.threads.emplace_back([&impl] { impl.io.run(); });
}

void HttpServer::stop() noexcept {
    if (!impl_ || impl_->threads.empty())
        return;
    net::post(impl_->acceptor.get_executor(), [this] {
        beast::error_code ignored;
        impl_->acceptor.close(ignored);
    });
    impl_->io.stop();
    for (auto& thread : impl_->threads)
        thread.join();
    impl_->threads.clear();
}

std::uint16_t HttpServer::port() const {
    return impl_->bound_port;
}

void parse_listen_address(std::string_view text, std::string& host, std::uint16_t& port) {
    const auto colon = text.rfind(':');
    const auto bad = [&] {
        return std::invalid_argument("HTTP address '" + std::string(text) +
                                     "' must be HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080");
    };
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size())
        throw bad();
    std::string_view host_part = text.substr(0, colon);
    if (host_part.front() == '[') {
        if (host_part.back() != ']')
            throw bad();
        host_part = host_part.substr(1, host_part.size() - 2);
    }
    unsigned long value = 0;
    for (const char c : text.substr(colon + 1)) {
        if (c < '0' || c > '9')
            throw bad();
        value = value * 10 + static_cast<unsigned long>(c - '0');
        if (value > 65535)
            throw bad();
    }
    boost::system::error_code ec;
    net::ip::make_address(std::string(host_part), ec);
    if (ec)
        throw std::invalid_argument("HTTP address '" + std::string(text) + "': '" +
                                    std::string(host_part) + "' is not an IP address");
    host = std::string(host_part);
    port = static_cast<std::uint16_t>(value);
}

} // namespace portscreen::ui_web
