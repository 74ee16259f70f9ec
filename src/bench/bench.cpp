#include "bench/bench.hpp"

#include "bench/ingest_bench.hpp"
#include "bench/scan_bench.hpp"
#include "bench/score_bench.hpp"
#include "bench/share_bench.hpp"
#include "bench/web_bench.hpp"
#include "common/args.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <unistd.h>

namespace portscreen::bench {

const char* const kHelp =
    R"(usage: portscreen bench ingest [--containers N] [--messages M] [--format edifact|json] [--score]
                              [--repeat R] [--seed S] [--json]

ingest: generates a synthetic vessel manifest of N containers (default 20000) with as many
bills of lading as a real one, renders it as CUSCAR D11A (or portscreen JSON) split into M
messages (default 1), and feeds it over tcp loopback to a port node running in this process on
a fresh database, timing first send to last ACK. In the same run it inserts the same rows
directly into a fresh database in transactions of about 1,000 containers. Prints both rates and
their ratio, the median of R runs (default 3). With --json the last line is one JSON object
with keys containers_per_s, direct_containers_per_s and ratio. --score runs the node's scoring
next to ingest and also reports how long until every container is scored.

usage: portscreen bench score [--containers N] [--watchlist W] [--threads T] [--repeat R]
                             [--seed S] [--json]

score: simulates a past day, scores and inspects it and trains a model on its outcomes, then
times scoring a simulated day of N containers (default 20000) with the default rules, W party
entries on the watchlist (default 10000) and the model, explanations included, on T threads
(default 2), storage excluded. With --json the last line has the key containers_per_s.

usage: portscreen bench scan [--scans N] [--sustained M] [--seed S] [--json]

scan: runs a scan endpoint in this process on a fresh data folder and sends it a simulated
6,000 x 1,200 dual-energy scan as two 16-bit PNGs over tcp loopback, N times one at a time
(default 15): median time from the first frame sent to the ACK, from the ACK to analysis,
preview and tiles stored, and end to end; then M scans (default 30), four in flight, for the
sustained rate. In the same run it times OpenCV alone decoding both PNGs (the floor) and prints
the ratio of end to end to that floor. With --json the last line has the keys
median_ms_end_to_end, scans_per_s, opencv_floor_ms and ratio.

usage: portscreen bench web [--containers N] [--clients C] [--seconds S] [--threads T] [--seed S]
                           [--json]

web: stores a simulated day of N containers (default 20000) arriving today on a fresh data
folder, scores and selects it (300 scans, 40 exams), adds an officer and starts the web server
in this process on a free loopback port with T threads (default 4). C clients (default 50),
each on its own keep-alive connection, then ask GET /api/queue?day=TODAY&limit=100 for S seconds
(default 10) and GET /api/containers/{id} of random containers of the day for S seconds, each
client sending its next request when the last was answered, after a one-second warm-up each.
Prints requests, requests/s and p50, p90, p99 and max latency per endpoint; any answer but 200
fails the bench. With --json the last line is one JSON object with the keys p50_ms and p99_ms
(queue), container_p50_ms, container_p99_ms, queue_requests_per_s, container_requests_per_s,
containers and clients.

usage: portscreen bench share [--messages N] [--catch-up M] [--json]

share: two nodes in this process, each with its own database, keys and sharing endpoint on
loopback, CURVE on. N container entries (default 20000) are added to A's watchlist in one
transaction; A's sharing thread signs and queues one message each, sends them to B, and B
stores and applies them: messages/s from the commit to the last one applied. Then B stops, A
queues M more (default 100000; 0 skips this) and B starts again: seconds from its start until
it has applied them all. With --json the last line has the keys messages_per_s and catch_up_s.
)";

namespace {

int run_ingest(const std::vector<std::string>& argv) {
    Args args(argv, {"containers", "messages", "format", "repeat", "seed"}, {"json", "score"});
    IngestBenchOptions options;
    options.containers = static_cast<int>(args.number_or("containers", 20'000, 10, 1'000'000));
    options.messages = static_cast<int>(args.number_or("messages", 1, 1, 10'000));
    options.repeat = static_cast<int>(args.number_or("repeat", 3, 1, 100));
    options.seed = static_cast<std::uint64_t>(args.number_or("seed", 7, 0, 1'000'000'000));
    const std::string format = args.get_or("format", "edifact");
    if (format != "edifact" && format != "json")
        throw std::invalid_argument("--format must be edifact or json");
    options.json = format == "json";
    options.score = args.flag("score");
    options.work_dir =
        std::filesystem::temp_directory_path() / ("portscreen-bench-" + std::to_string(::getpid()));

    const IngestBenchResult result = run_ingest_bench(options);
    std::filesystem::remove_all(options.work_dir);

    const double rate = result.containers / result.end_to_end_s;
    const double direct_rate = result.containers / result.direct_s;
    std::printf("manifest: %d containers, %d bills of lading, %d message(s), %s, %.1f MB\n",
                result.containers, result.consignments, options.messages,
                options.json ? "JSON" : "CUSCAR D11A", result.payload_bytes / 1e6);
    std::printf("decode and validate alone: %8.1f ms\n", result.decode_s * 1e3);
    std::printf("end to end over tcp:       %8.1f ms  %9.0f containers/s\n",
                result.end_to_end_s * 1e3, rate);
    std::printf("direct SQLite inserts:     %8.1f ms  %9.0f containers/s\n", result.direct_s * 1e3,
                direct_rate);
    std::printf("ratio end to end / direct: %8.2f   (median of %d runs)\n", rate / direct_rate,
                options.repeat);
    if (options.score)
        std::printf("all containers scored:     %8.1f ms  %9.0f containers/s\n",
                    result.scored_s * 1e3, result.containers / result.scored_s);
    if (args.flag("json")) {
        nlohmann::json figures = {
            {"containers_per_s", rate},           {"direct_containers_per_s", direct_rate},
            {"ratio", rate / direct_rate},        {"containers", result.containers},
            {"messages", options.messages},       {"format", format},
            {"decode_ms", result.decode_s * 1e3},
        };
        if (options.score)
            figures["scored_containers_per_s"] = result.containers / result.scored_s;
        std::printf("%s\n", figures.dump().c_str());
    }
    return 0;
}

int run_score(const std::vector<std::string>& argv) {
    Args args(argv, {"containers", "watchlist", "threads", "repeat", "seed"}, {"json"});
    ScoreBenchOptions options;
    options.containers = static_cast<int>(args.number_or("containers", 20'000, 1'000, 1'000'000));
    options.watchlist_parties = static_cast<int>(args.number_or("watchlist", 10'000, 0, 1'000'000));
    options.threads = static_cast<int>(args.number_or("threads", 2, 1, 64));
    options.repeat = static_cast<int>(args.number_or("repeat", 3, 1, 100));
    options.seed = static_cast<std::uint64_t>(args.number_or("seed", 7, 0, 1LL << 40));
    options.work_dir = std::filesystem::temp_directory_path() /
                       ("portscreen-bench-score-" + std::to_string(::getpid()));
    const auto result = run_score_bench(options);
    const double rate = result.containers / result.seconds;
    std::printf("scored %d containers on %d threads: rules, %d watchlist entries, a model of %d "
                "trees over %d features, explanations included\n",
                result.containers, options.threads, result.watchlist_entries, result.model_rounds,
                result.model_features);
    std::printf("time: %.1f ms  %9.0f containers/s  (median of %d runs)\n", result.seconds * 1e3,
                rate, options.repeat);
    std::printf("rule hits %zu, watchlist hits %zu, explanation factors %zu\n", result.rule_hits,
                result.watchlist_hits, result.factors);
    if (args.flag("json")) {
        const nlohmann::json figures = {
            {"containers_per_s", rate},
            {"containers", result.containers},
            {"threads", options.threads},
            {"watchlist_entries", result.watchlist_entries},
            {"model_rounds", result.model_rounds},
            {"rule_hits", result.rule_hits},
            {"watchlist_hits", result.watchlist_hits},
        };
        std::printf("%s\n", figures.dump().c_str());
    }
    return 0;
}

int run_scan(const std::vector<std::string>& argv) {
    Args args(argv, {"scans", "sustained", "seed"}, {"json"});
    ScanBenchOptions options;
    options.scans = static_cast<int>(args.number_or("scans", 15, 1, 1000));
    options.sustained = static_cast<int>(args.number_or("sustained", 30, 1, 10'000));
    options.seed = static_cast<std::uint64_t>(args.number_or("seed", 7, 0, 1LL << 40));
    options.work_dir = std::filesystem::temp_directory_path() /
                       ("portscreen-bench-scan-" + std::to_string(::getpid()));
    const auto result = run_scan_bench(options);
    const double ratio = result.median_end_to_end_ms / result.opencv_floor_ms;
    std::printf("scan: %d x %d, two 16-bit PNGs of %.1f MB together\n", result.width, result.height,
                result.png_bytes / 1e6);
    std::printf("OpenCV alone, decoding both:     %7.1f ms (the floor)\n", result.opencv_floor_ms);
    std::printf("first frame sent to ACK:         %7.1f ms (median of %d)\n",
                result.median_to_ack_ms, options.scans);
    std::printf("ACK to analysis, preview, tiles: %7.1f ms\n", result.median_ack_to_done_ms);
    std::printf("end to end:                      %7.1f ms, %.2f x the floor\n",
                result.median_end_to_end_ms, ratio);
    std::printf("sustained:                       %7.2f scans/s (%d scans, 4 in flight)\n",
                result.scans_per_s, options.sustained);
    if (args.flag("json")) {
        const nlohmann::json figures = {
            {"median_ms_end_to_end", result.median_end_to_end_ms},
            {"median_ms_to_ack", result.median_to_ack_ms},
            {"median_ms_ack_to_analysed", result.median_ack_to_done_ms},
            {"scans_per_s", result.scans_per_s},
            {"opencv_floor_ms", result.opencv_floor_ms},
            {"ratio", ratio},
        };
        std::printf("%s\n", figures.dump().c_str());
    }
    return 0;
}

void print_endpoint(const char* name, const EndpointFigures& figures) {
    std::printf("%-22s %7zu requests %8.1f/s  p50 %7.2f  p90 %7.2f  p99 %7.2f  max %7.2f ms  "
                "(%zu bytes)\n",
                name, figures.requests, figures.requests_per_s, figures.p50_ms, figures.p90_ms,
                figures.p99_ms, figures.max_ms, figures.body_bytes);
}

int run_web(const std::vector<std::string>& argv) {
    Args args(argv, {"containers", "clients", "seconds", "threads", "seed"}, {"json"});
    WebBenchOptions options;
    options.containers = static_cast<int>(args.number_or("containers", 20'000, 10, 1'000'000));
    options.clients = static_cast<int>(args.number_or("clients", 50, 1, 1000));
    options.seconds = static_cast<int>(args.number_or("seconds", 10, 1, 3600));
    options.threads = static_cast<int>(args.number_or("threads", 4, 1, 64));
    options.seed = static_cast<std::uint64_t>(args.number_or("seed", 7, 0, 1LL << 40));
    options.work_dir = std::filesystem::temp_directory_path() /
                       ("portscreen-bench-web-" + std::to_string(::getpid()));
    const auto result = run_web_bench(options);
    std::printf("day %s: %d containers stored, %d targeted; simulate %.1f s, store %.1f s, "
                "score %.1f s, select %.1f s, server start and login %.3f s\n",
                result.day.c_str(), result.containers, result.targeted, result.simulate_s,
                result.store_s, result.score_s, result.select_s, result.start_s);
    std::printf("%d clients, keep-alive, closed loop, %d s per endpoint after 1 s warm-up, "
                "%d server threads\n",
                options.clients, options.seconds, options.threads);
    print_endpoint("GET /api/queue", result.queue);
    print_endpoint("GET /api/containers/id", result.container);
    if (args.flag("json")) {
        const nlohmann::json figures = {
            {"p50_ms", result.queue.p50_ms},
            {"p99_ms", result.queue.p99_ms},
            {"container_p50_ms", result.container.p50_ms},
            {"container_p99_ms", result.container.p99_ms},
            {"queue_requests_per_s", result.queue.requests_per_s},
            {"container_requests_per_s", result.container.requests_per_s},
            {"containers", result.containers},
            {"clients", options.clients},
        };
        std::printf("%s\n", figures.dump().c_str());
    }
    const std::size_t failures = result.queue.failures + result.container.failures;
    if (failures > 0) {
        std::fprintf(stderr,
                     "bench web: %zu request(s) failed (queue %zu, container %zu); first: "
                     "%s\n",
                     failures, result.queue.failures, result.container.failures,
                     (result.queue.failures > 0 ? result.queue.first_failure
                                                : result.container.first_failure)
                         .c_str());
        return 1;
    }
    return 0;
}

int run_share(const std::vector<std::string>& argv) {
    Args args(argv, {"messages", "catch-up"}, {"json"});
    ShareBenchOptions options;
    options.messages = static_cast<int>(args.number_or("messages", 20'000, 1, 10'000'000));
    options.catch_up = static_cast<int>(args.number_or("catch-up", 100'000, 0, 10'000'000));
    options.work_dir = std::filesystem::temp_directory_path() /
                       ("portscreen-bench-share-" + std::to_string(::getpid()));
    const auto result = run_share_bench(options);
    std::printf("two nodes, CURVE, durable outbox and inbox: %d messages in %.2f s, %.0f "
                "messages/s\n",
                options.messages, result.live_s, result.messages_per_s);
    if (options.catch_up > 0)
        std::printf("peer offline: %d messages signed and queued in %.2f s; caught up %.2f s "
                    "after it started\n",
                    options.catch_up, result.queue_s, result.catch_up_s);
    if (args.flag("json")) {
        nlohmann::json figures = {{"messages_per_s", result.messages_per_s},
                                  {"messages", options.messages}};
        if (options.catch_up > 0) {
            figures["catch_up_s"] = result.catch_up_s;
            figures["catch_up_messages"] = options.catch_up;
        }
        std::printf("%s\n", figures.dump().c_str());
    }
    return 0;
}

} // namespace

int run(const std::vector<std::string>& argv) {
    if (!argv.empty() && argv[0] == "share")
        return run_share(std::vector<std::string>(argv.begin() + 1, argv.end()));
    if (!argv.empty() && argv[0] == "scan")
        return run_scan(std::vector<std::string>(argv.begin() + 1, argv.end()));
    if (!argv.empty() && argv[0] == "web")
        return run_web(std::vector<std::string>(argv.begin() + 1, argv.end()));
    if (!argv.empty() && argv[0] == "score")
        return run_score(std::vector<std::string>(argv.begin() + 1, argv.end()));
    return run_subcommand(argv, "ingest", kHelp, run_ingest);
}

} // namespace portscreen::bench
