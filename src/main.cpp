// The portscreen command: parses the subcommand and its options, then hands over to the
// libraries. No logic lives here.

#include "accounts/cli.hpp"
#include "audit/cli.hpp"
#include "bench/bench.hpp"
#include "common/args.hpp"
#include "eval/cli.hpp"
#include "exports/cli.hpp"
#include "messaging/feed_client.hpp"
#include "node/config.hpp"
#include "node/feed.hpp"
#include "node/node.hpp"
#include "node/share_cli.hpp"
#include "scans/cli.hpp"
#include "scoring/cli.hpp"
#include "sim/cli.hpp"

#include <cstdio>
#include <exception>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace {

using portscreen::Args;

struct Command {
    const char* summary;
    const char* help;
    std::function<int(const std::vector<std::string>&)> run;
};

constexpr const char* kServeHelp =
    R"(usage: portscreen serve --data DIR [--config FILE] [--ingest ENDPOINT]
                        [--scans ENDPOINT] [--http ADDRESS:PORT | --no-http]
                        [--share ENDPOINT] [--log-level LEVEL]

Runs a port node on the data folder DIR (created if missing), with its SQLite database in
DIR/portscreen.db. Manifests and X-ray scans arrive over ZeroMQ (docs/protocols.md); image files
are kept under DIR/images, previews and tiles under DIR/derived. Stops cleanly on Ctrl-C or
SIGTERM. Officers, scanner operators and managers use the node in a browser at the --http
address (accounts: portscreen user add).

  --data DIR          data folder of the node
  --config FILE       JSON configuration (docs/config.md); every setting has a default
  --ingest ENDPOINT   manifest ingest endpoint, default tcp://127.0.0.1:5555
  --scans ENDPOINT    scan ingest endpoint, default tcp://127.0.0.1:5556
  --http ADDR:PORT    web pages and API, default 127.0.0.1:8080 (port 0: any free port)
  --no-http           serve no web pages
  --share ENDPOINT    share with other ports on this endpoint (CURVE; keys: portscreen keys
                      generate; peers and policy in the config's "share" section, docs/sharing.md)
  --log-level LEVEL   debug, info, warn or error (default info)
)";

constexpr const char* kFeedHelp =
    R"(usage: portscreen feed [--to ENDPOINT] [--timeout-ms N] [--attempts N] [--window N] FILE...

Sends manifest files (UN/EDIFACT CUSCAR or portscreen JSON, detected from the content) to a
node's ingest endpoint, waits for each answer, resends after a timeout (Lazy Pirate), and prints
ACK or NACK with the reasons for each file. Exits 1 if any file was refused or unanswered.

  --to ENDPOINT       default tcp://127.0.0.1:5555
  --timeout-ms N      wait per attempt, default 30000
  --attempts N        sends per file before giving up, default 3
  --window N          files in flight at once, default 8
)";

constexpr const char* kStatusHelp = R"(usage: portscreen status --data DIR

Prints what a node's data folder holds: messages, vessel calls, consignments, containers.
)";

int run_serve(const std::vector<std::string>& argv) {
    Args args(argv, {"data", "config", "ingest", "scans", "http", "share", "log-level"},
              {"no-http"});
    const auto data = args.get("data");
    if (!data || !args.positional().empty()) {
        std::fputs(kServeHelp, stderr);
        return 2;
    }
    auto config = args.get("config") ? portscreen::node::load_config(*args.get("config"))
                                     : portscreen::node::default_config();
    if (const auto endpoint = args.get("ingest"))
        config.ingest.endpoint = *endpoint;
    if (const auto endpoint = args.get("scans"))
        config.scans.endpoint = *endpoint;
    if (const auto listen = args.get("http"))
        config.web.listen = *listen;
    if (args.flag("no-http"))
        config.web.enabled = false;
    if (const auto endpoint = args.get("share"))
        config.share.endpoint = *endpoint;
    if (const auto level = args.get("log-level")) {
        if (!portscreen::log::parse_level(*level, config.log_level))
            throw std::invalid_argument("--log-level must be debug, info, warn or error");
    }
    return portscreen::node::serve(*data, config);
}

int run_feed(const std::vector<std::string>& argv) {
    Args args(argv, {"to", "timeout-ms", "attempts", "window"}, {});
    if (args.positional().empty()) {
        std::fputs(kFeedHelp, stderr);
        return 2;
    }
    portscreen::messaging::FeedOptions options;
    options.endpoint = args.get_or("to", options.endpoint);
    options.timeout = std::chrono::milliseconds(args.number_or("timeout-ms", 30'000, 1, 3'600'000));
    options.attempts = static_cast<int>(args.number_or("attempts", 3, 1, 100));
    options.window = static_cast<std::size_t>(args.number_or("window", 8, 1, 1000));
    std::vector<std::filesystem::path> files(args.positional().begin(), args.positional().end());
    return portscreen::node::feed_files(files, options);
}

int run_status(const std::vector<std::string>& argv) {
    Args args(argv, {"data"}, {});
    const auto data = args.get("data");
    if (!data) {
        std::fputs(kStatusHelp, stderr);
        return 2;
    }
    return portscreen::node::print_status(*data);
}

std::map<std::string, Command> commands() {
    std::map<std::string, Command> all = {
        {"serve", {"run a port node", kServeHelp, run_serve}},
        {"feed", {"send manifest files to a node", kFeedHelp, run_feed}},
        {"status", {"print what a node's data folder holds", kStatusHelp, run_status}},
        {"scan",
         {"send, list, link and export X-ray scans", portscreen::scans::kScanHelp,
          portscreen::scans::run_scan}},
        {"scanner-sim",
         {"simulate a dual-energy cargo scanner", portscreen::scans::kScannerSimHelp,
          portscreen::scans::run_scanner_sim}},
        {"sim", {"simulate port traffic", portscreen::sim::kHelp, portscreen::sim::run}},
        {"keys",
         {"make or show the node's keys for sharing", portscreen::node::kKeysHelp,
          portscreen::node::run_keys}},
        {"share",
         {"sharing status, alerts and container queries", portscreen::node::kShareHelp,
          portscreen::node::run_share}},
        {"bench", {"measure performance", portscreen::bench::kHelp, portscreen::bench::run}},
        {"eval",
         {"evaluate risk models on labelled data", portscreen::eval::kHelp, portscreen::eval::run}},
    };
    const auto add = [&all](const auto& commands) {
        for (const auto& command : commands)
            all.emplace(command.name, Command{command.summary, command.help, command.run});
    };
    add(portscreen::scoring::cli_commands());
    add(portscreen::accounts::cli_commands());
    add(portscreen::audit::cli_commands());
    add(portscreen::exports::cli_commands());
    // Network exports name this node's own rows by its unit name, which only its keys hold.
    all.at("export").run = [](const std::vector<std::string>& argv) {
        return portscreen::exports::run_export(argv, portscreen::node::unit_name);
    };
    return all;
}

void print_usage(const std::map<std::string, Command>& all) {
    std::puts("usage: portscreen COMMAND [OPTIONS]   (portscreen COMMAND --help for details)\n");
    for (const auto& [name, command] : all)
        std::printf("  %-12s %s\n", name.c_str(), command.summary);
}

} // namespace

int main(int argc, char** argv) {
    const auto all = commands();
    if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "help") {
        print_usage(all);
        return argc < 2 ? 2 : 0;
    }
    const auto found = all.find(argv[1]);
    if (found == all.end()) {
        std::fprintf(stderr, "portscreen: unknown command '%s'\n", argv[1]);
        print_usage(all);
        return 2;
    }
    std::vector<std::string> rest(argv + 2, argv + argc);
    for (const auto& arg : rest) {
        if (arg == "--help" || arg == "-h") {
            std::fputs(found->second.help, stdout);
            return 0;
        }
    }
    try {
        return found->second.run(rest);
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "portscreen %s: %s\n", argv[1], e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "portscreen %s: %s\n", argv[1], e.what());
        return 1;
    }
}
