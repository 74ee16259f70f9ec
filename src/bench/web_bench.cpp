#include "bench/web_bench.hpp"

#include "accounts/users.hpp"
#include "bench/score_bench.hpp"
#include "common/clock.hpp"
#include "reference/reference.hpp"
#include "scoring/rescorer.hpp"
#include "scoring/selection_store.hpp"
#include "sim/random.hpp"
#include "sim/simulator.hpp"
#include "storage/database.hpp"
#include "storage/manifest_store.hpp"
#include "web_server.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace portscreen::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kUsername = "bench-officer";
constexpr const char* kPassword = "bench officer password 1";

double seconds_since(Clock::time_point from) {
    return std::chrono::duration<double>(Clock::now() - from).count();
}

/// A folder made fresh for the run and removed with everything in it at the end.
class TempFolder {
public:
    explicit TempFolder(fs::path path) : path_(std::move(path)) {
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~TempFolder() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    TempFolder(const TempFolder&) = delete;
    TempFolder& operator=(const TempFolder&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

std::string lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
        text.remove_suffix(1);
    return text;
}

struct Reply {
    int status = 0;
    std::string body;
    std::string set_cookie;
};

/// One keep-alive HTTP/1.1 connection to 127.0.0.1:port, blocking, owned by one thread. It
/// reconnects when the server closed the previous one.
class Connection {
public:
    explicit Connection(std::uint16_t port) : port_(port) {}
    ~Connection() { close(); }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /// Sends `request` (a whole request, head and body) and reads the answer.
    Reply round_trip(const std::string& request) {
        if (fd_ < 0)
            open();
        send_all(request);
        const auto head_end = read_head();
        const auto head = parse_response_head(std::string_view(buffer_).substr(0, head_end));
        while (buffer_.size() < head_end + head.content_length)
            read_more();
        Reply reply;
        reply.status = head.status;
        reply.set_cookie = head.set_cookie;
        reply.body = buffer_.substr(head_end, head.content_length);
        buffer_.erase(0, head_end + head.content_length);
        if (head.close)
            close();
        return reply;
    }

private:
    void open() {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0)
            throw std::runtime_error(std::string("cannot make a socket: ") + std::strerror(errno));
        const int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        timeval timeout{30, 0}; // a stuck server fails the bench instead of hanging it
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port_);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
            const int error = errno;
            close();
            throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port_) + ": " +
                                     std::strerror(error));
        }
        buffer_.clear();
    }

    void close() noexcept {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = -1;
    }

    void send_all(std::string_view data) {
        while (!data.empty()) {
            const auto sent = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
            if (sent < 0 && errno == EINTR)
                continue;
            if (sent <= 0) {
                const int error = errno;
                close();
                throw std::runtime_error(std::string("cannot send to the web server: ") +
                                         std::strerror(error));
            }
            data.remove_prefix(static_cast<std::size_t>(sent));
        }
    }

    void read_more() {
        char chunk[16384];
        for (;;) {
            const auto got = ::recv(fd_, chunk, sizeof chunk, 0);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0) {
                const int error = got == 0 ? 0 : errno;
                close();
                throw std::runtime_error(
                    error == 0
                        ? std::string("the web server closed the connection mid-answer")
                        : std::string("cannot read from the web server: ") + std::strerror(error));
            }
            buffer_.append(chunk, static_cast<std::size_t>(got));
            return;
        }
    }

    /// The offset just past the blank line that ends the head.
    std::size_t read_head() {
        for (;;) {
            const auto end = buffer_.find("\r\n\r\n");
            if (end != std::string::npos)
                return end + 4;
            if (buffer_.size() > 64 * 1024)
                throw std::runtime_error("the web server sent a response head over 64 KiB");
            read_more();
        }
    }

    std::uint16_t port_;
    int fd_ = -1;
    std::string buffer_;
};

std::string get_request(const std::string& target, const std::string& cookie) {
    return std::string("GET ")
        .append(target)
        .append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\nCookie: ")
        .append(cookie)
        .append("\r\n\r\n");
}

/// What one client thread saw during a phase.
struct ClientLog {
    std::vector<double> latencies_ms; ///< measured window only
    std::size_t failures = 0;
    std::string first_failure;
    std::size_t body_bytes = 0;
};

/// Runs `clients` closed-loop clients for a one-second warm-up and then `seconds` measured
/// seconds; `target_for(client, rng)` names each request's target.
template <typename TargetFor>
EndpointFigures load(std::uint16_t port, const std::string& cookie, int clients, int seconds,
                     std::uint64_t seed, const TargetFor& target_for) {
    const auto start = Clock::now();
    const auto measure_from = start + std::chrono::seconds(1);
    const auto measure_to = measure_from + std::chrono::seconds(seconds);
    std::vector<ClientLog> logs(static_cast<std::size_t>(clients));
    std::vector<std::thread> threads;
    for (int client = 0; client < clients; ++client) {
        threads.emplace_back([&, client] {
            auto& log = logs[static_cast<std::size_t>(client)];
            sim::Rng rng(seed * 1000 + static_cast<std::uint64_t>(client));
            Connection connection(port);
            for (;;) {
                const auto sent = Clock::now();
                if (sent >= measure_to)
                    return;
                const auto request = get_request(target_for(rng), cookie);
                try {
                    const auto reply = connection.round_trip(request);
                    const auto answered = Clock::now();
                    if (sent >= measure_from && answered <= measure_to)
                        log.latencies_ms.push_back(
                            std::chrono::duration<double, std::milli>(answered - sent).count());
                    log.body_bytes = reply.body.size();
                    if (reply.status != 200 && log.failures++ == 0)
                        log.first_failure =
                            std::to_string(reply.status).append(" ").append(reply.body);
                } catch (const std::exception& e) {
                    if (log.failures++ == 0)
                        log.first_failure = e.what();
                }
            }
        });
    }
    for (auto& thread : threads)
        thread.join();

    EndpointFigures figures;
    std::vector<double> all;
    for (const auto& log : logs) {
        all.insert(all.end(), log.latencies_ms.begin(), log.latencies_ms.end());
        figures.failures += log.failures;
        if (figures.first_failure.empty())
            figures.first_failure = log.first_failure;
        figures.body_bytes = std::max(figures.body_bytes, log.body_bytes);
    }
    std::sort(all.begin(), all.end());
    figures.requests = all.size();
    figures.requests_per_s = static_cast<double>(all.size()) / seconds;
    figures.p50_ms = quantile_of_sorted(all, 0.50);
    figures.p90_ms = quantile_of_sorted(all, 0.90);
    figures.p99_ms = quantile_of_sorted(all, 0.99);
    figures.max_ms = all.empty() ? 0 : all.back();
    return figures;
}

} // namespace

double quantile_of_sorted(const std::vector<double>& sorted, double q) {
    if (sorted.empty())
        return 0;
    const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

ResponseHead parse_response_head(std::string_view head) {
    const auto line_end = head.find("\r\n");
    const auto status_line = head.substr(0, line_end);
    if (!status_line.starts_with("HTTP/1.") || status_line.size() < 12)
        throw std::runtime_error("not an HTTP/1.x response: '" + std::string(status_line) + "'");
    ResponseHead out;
    for (const char c : status_line.substr(9, 3)) {
        if (c < '0' || c > '9')
            throw std::runtime_error("bad status in '" + std::string(status_line) + "'");
        out.status = out.status * 10 + (c - '0');
    }
    out.close = status_line.starts_with("HTTP/1.0");
    std::size_t at = line_end == std::string_view::npos ? head.size() : line_end + 2;
    while (at < head.size()) {
        auto end = head.find("\r\n", at);
        if (end == std::string_view::npos)
            end = head.size();
        const auto line = head.substr(at, end - at);
        at = end + 2;
        const auto colon = line.find(':');
        if (colon == std::string_view::npos)
            continue;
        const auto name = lower(trim(line.substr(0, colon)));
        const auto value = trim(line.substr(colon + 1));
        if (name == "content-length") {
            out.content_length = 0;
            for (const char c : value) {
                if (c < '0' || c > '9')
                    throw std::runtime_error("bad Content-Length '" + std::string(value) + "'");
                out.content_length = out.content_length * 10 + static_cast<std::size_t>(c - '0');
            }
        } else if (name == "transfer-encoding" && lower(value) != "identity") {
            throw std::runtime_error("a " + std::string(value) +
                                     " body, which this client does not read");
        } else if (name == "connection") {
            out.close = lower(value) == "close";
        } else if (name == "set-cookie" && out.set_cookie.empty()) {
            out.set_cookie = std::string(value);
        }
    }
    return out;
}

WebBenchResult run_web_bench(const WebBenchOptions& options) {
    WebBenchResult result;
    result.day = utc_now_iso8601().substr(0, 10);
    const TempFolder folder(options.work_dir);
    const auto hs = reference::load_hs_nomenclature(reference::default_hs_nomenclature_path());

    auto started = Clock::now();
    sim::DayPlan plan;
    plan.seed = options.seed;
    plan.date = result.day;
    plan.vessel_calls = std::max(2, options.containers / 2000);
    plan.min_containers = options.containers;
    plan.suspicious_share = 0.03;
    const auto day = sim::simulate_day(plan, hs);
    result.simulate_s = seconds_since(started);

    std::vector<std::int64_t> container_ids;
    {
        auto db = storage::Database::open(folder.path() / "portscreen.db", storage::Access::writer);
        started = Clock::now();
        store_simulated_day(db, day);
        result.store_s = seconds_since(started);

        started = Clock::now();
        {
            scoring::Rescorer rescorer(db, hs);
            for (const auto call : rescorer.open_calls("0000-00-00"))
                rescorer.score_call(call, result.day);
        }
        result.score_s = seconds_since(started);

        started = Clock::now();
        profiling::SelectionPolicy policy;
        policy.scan_capacity = 300;
        policy.exam_capacity = 40;
        policy.seed = options.seed;
        {
            storage::Transaction transaction(db);
            scoring::save_policy(db, policy);
            transaction.commit();
        }
        result.targeted = scoring::select_day(db, result.day, policy, "bench").targeted;
        result.select_s = seconds_since(started);

        accounts::add_user(db, kUsername, "Bench Officer", accounts::Role::officer, kPassword,
                           "bench", utc_now_iso8601());

        storage::Statement ids(db, "SELECT c.id FROM containers c JOIN vessel_calls v "
                                   "ON v.id = c.vessel_call_id WHERE substr(v.eta, 1, 10) = ?1 "
                                   "ORDER BY c.id");
        ids.bind(1, result.day);
        while (ids.step())
            container_ids.push_back(ids.column_int64(0));
    }
    result.containers = static_cast<int>(container_ids.size());
    if (container_ids.empty())
        throw std::runtime_error("the simulated day " + result.day + " stored no containers");

    started = Clock::now();
    ui_web::WebOptions web;
    web.listen = "127.0.0.1:0";
    web.threads = options.threads;
    // Uploads are not benchmarked: nothing listens on the scan endpoint.
    ui_web::WebServer server(web, folder.path(), "tcp://127.0.0.1:1");
    server.start();
    const auto port = server.port();

    std::string cookie;
    {
        Connection connection(port);
        const std::string body = std::string("{\"username\":\"")
                                     .append(kUsername)
                                     .append("\",\"password\":\"")
                                     .append(kPassword)
                                     .append("\"}");
        const auto reply =
            connection.round_trip(std::string("POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                              "Content-Type: application/json\r\nContent-Length: ")
                                      .append(std::to_string(body.size()))
                                      .append("\r\n\r\n")
                                      .append(body));
        if (reply.status != 200 || reply.set_cookie.empty())
            throw std::runtime_error("logging in as " + std::string(kUsername) +
                                     " failed: " + std::to_string(reply.status) + " " + reply.body);
        cookie = reply.set_cookie.substr(0, reply.set_cookie.find(';'));
    }
    result.start_s = seconds_since(started);

    const std::string queue_target = "/api/queue?day=" + result.day + "&limit=100";
    result.queue = load(port, cookie, options.clients, options.seconds, options.seed,
                        [&](sim::Rng&) { return queue_target; });
    result.container =
        load(port, cookie, options.clients, options.seconds, options.seed + 1, [&](sim::Rng& rng) {
            const auto id = container_ids[rng.index(container_ids.size())];
            return "/api/containers/" + std::to_string(id);
        });
    server.stop();
    return result;
}

} // namespace portscreen::bench
