#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace portscreen::bench {

struct WebBenchOptions {
    int containers = 20'000; ///< containers of the stored day, all arriving today (UTC)
    int clients = 50;        ///< concurrent keep-alive connections, one thread each
    int seconds = 10;        ///< measured per endpoint, after a one-second warm-up
    int threads = 4;         ///< the web server's threads
    std::uint64_t seed = 7;
    std::filesystem::path work_dir; ///< made fresh, removed at the end
};

/// The latencies of one endpoint under load, over the measured seconds only.
struct EndpointFigures {
    std::size_t requests = 0; ///< answered within the measured window
    std::size_t failures = 0; ///< answers other than 200, warm-up included
    std::string first_failure;
    double requests_per_s = 0;
    double p50_ms = 0;
    double p90_ms = 0;
    double p99_ms = 0;
    double max_ms = 0;
    std::size_t body_bytes = 0; ///< of the last answer
};

struct WebBenchResult {
    int containers = 0; ///< stored for the day
    std::string day;    ///< YYYY-MM-DD, today in UTC
    int targeted = 0;   ///< containers the selection put in a lane
    double simulate_s = 0;
    double store_s = 0;
    double score_s = 0;
    double select_s = 0;
    double start_s = 0; ///< web server start and login
    EndpointFigures queue;
    EndpointFigures container;
};

/// Stores a simulated day of `containers` containers arriving today, scores and selects it,
/// starts the web server in this process over that data folder and loads GET /api/queue and
/// GET /api/containers/{id} in turn from `clients` closed-loop clients on loopback. Throws
/// std::runtime_error when the set-up fails; failed requests are counted, not thrown.
WebBenchResult run_web_bench(const WebBenchOptions& options);

/// The value at quantile `q` (0..1) of `sorted` (ascending), nearest rank; 0 when empty.
double quantile_of_sorted(const std::vector<double>& sorted, double q);

/// The status code and body length of an HTTP/1.1 response head (up to and including the blank
/// line). Throws std::runtime_error for a head that is not HTTP/1.x, or a chunked body, which
/// this client does not read.
struct ResponseHead {
    int status = 0;
    std::size_t content_length = 0;
    bool close = false;     ///< the server closes the connection after this answer
    std::string set_cookie; ///< the first Set-Cookie value, if any
};
ResponseHead parse_response_head(std::string_view head);

} // namespace portscreen::bench
