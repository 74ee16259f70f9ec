#include "node/share_cli.hpp"

#include "common/args.hpp"
#include "common/clock.hpp"
#include "core/codes.hpp"
#include "node/config.hpp"
#include "node/node.hpp"
#include "sharing/store.hpp"
#include "storage/database.hpp"

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <thread>

namespace portscreen::node {
namespace {

sharing::SharingOptions options_from(const Args& args) {
    return args.get("config") ? load_config(*args.get("config")).share : default_config().share;
}

storage::Database open_node(const std::filesystem::path& data, storage::Access access) {
    const auto file = database_path(data);
    if (!std::filesystem::exists(file))
        throw std::runtime_error("no port node database in " + data.string());
    return storage::Database::open(file, access);
}

int share_status(const Args& args, const std::filesystem::path& data) {
    auto db = open_node(data, storage::Access::reader);
    const auto peers = sharing::peer_status(db, options_from(args));
    std::printf("%-20s %-9s %-20s %8s %12s %9s %8s  %s\n", "peer", "state", "last seen", "backlog",
                "acknowledged", "received", "refused", "endpoint");
    for (const auto& peer : peers)
        std::printf("%-20s %-9s %-20s %8lld %12lld %9lld %8lld  %s\n", peer.name.c_str(),
                    peer.connected ? "connected" : "offline",
                    peer.last_seen.empty() ? "never" : peer.last_seen.c_str(),
                    static_cast<long long>(peer.backlog), static_cast<long long>(peer.acknowledged),
                    static_cast<long long>(peer.received), static_cast<long long>(peer.refused),
                    peer.endpoint.empty() ? "-" : peer.endpoint.c_str());
    return 0;
}

int share_alert(const Args& args, const std::filesystem::path& data) {
    const auto container = args.get("container");
    const auto reason = args.get("reason");
    if (!container || !reason || reason->empty())
        throw std::invalid_argument("share alert needs --container NUMBER and --reason TEXT");
    auto db = open_node(data, storage::Access::writer);
    storage::Transaction transaction(db);
    // The container's newest vessel call: the one on its way to the ports ahead.
    storage::Statement find(db, "SELECT c.id FROM containers c "
                                "JOIN vessel_calls v ON v.id = c.vessel_call_id "
                                "WHERE c.number = ?1 ORDER BY v.eta DESC, c.id DESC LIMIT 1");
    find.bind(1, *container);
    const auto id = find.query_int64();
    if (!id)
        throw std::invalid_argument("container " + *container + " is not in any manifest here");
    sharing::request_alert(db, *id, *reason);
    transaction.commit();
    std::printf("alert on %s queued; the running node sends it to the ports ahead\n",
                container->c_str());
    return 0;
}

/// Prints the answers from index `from` on; returns how many there are.
std::size_t print_answers(const std::vector<sharing::ReceivedAnswer>& found, std::size_t from) {
    for (std::size_t i = from; i < found.size(); ++i) {
        const auto& answer = found[i];
        std::printf("%s answered at %s: %zu sighting(s), %zu outcome(s)\n", answer.origin.c_str(),
                    answer.received_at.c_str(), answer.body.sightings.size(),
                    answer.body.outcomes.size());
        for (const auto& seen : answer.body.sightings)
            std::printf("  seen at %s on %s %s, ETA %s\n", seen.port_of_call.c_str(),
                        seen.vessel_name.c_str(), seen.voyage.c_str(), seen.eta.c_str());
        for (const auto& outcome : answer.body.outcomes)
            std::printf("  inspected at %s on %s (%s): %s%s%s\n", outcome.port_of_call.c_str(),
                        outcome.inspected_on.c_str(), outcome.method.c_str(),
                        outcome.seizure ? "seizure" : "no find",
                        outcome.category.empty() ? "" : ", ", outcome.category.c_str());
    }
    return found.size();
}

int share_answers(const Args& args, const std::filesystem::path& data) {
    if (args.positional().size() != 2)
        throw std::invalid_argument("share answers needs the query's id");
    auto db = open_node(data, storage::Access::reader);
    if (print_answers(sharing::answers(db, args.positional()[1]), 0) == 0)
        std::printf("no answer to %s yet\n", args.positional()[1].c_str());
    return 0;
}

int share_query(const Args& args, const std::filesystem::path& data) {
    if (args.positional().size() != 2)
        throw std::invalid_argument("share query needs one container number");
    const auto container = core::normalize_container_number(args.positional()[1]);
    if (!core::is_valid_container_number(container))
        throw std::invalid_argument("'" + args.positional()[1] +
                                    "' is not an ISO 6346 container number");
    const auto options = options_from(args);
    const auto identity = sharing::load_identity(sharing::identity_path(data));
    const auto wait = std::chrono::seconds(args.number_or("wait", 10, 0, 3600));
    std::size_t asked = 0;
    for (const auto& peer : options.peers)
        asked += sharing::deliver_own(options, peer, sharing::Kind::query, "", {}).send ? 1 : 0;
    if (asked == 0)
        throw std::invalid_argument("no peer of the configuration takes queries (give --config "
                                    "FILE with peers whose \"send\" lists \"query\")");
    auto db = open_node(data, storage::Access::writer);
    const auto id = sharing::ask(db, identity, options, container, utc_now_iso8601());
    std::printf("query %s about %s sent to the peers that take queries\n", id.c_str(),
                container.c_str());
    const auto until = std::chrono::steady_clock::now() + wait;
    std::size_t shown = 0;
    while (true) {
        shown = print_answers(sharing::answers(db, id), shown);
        // Every peer asked has answered; a hub may bring more later (share answers).
        if (std::chrono::steady_clock::now() >= until || (asked > 0 && shown >= asked))
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    if (shown == 0)
        std::printf("no answer yet; later ones are kept: portscreen share answers --data %s %s\n",
                    data.c_str(), id.c_str());
    return 0;
}

} // namespace

const char* const kKeysHelp = R"(usage: portscreen keys generate --data DIR --name NAME
       portscreen keys show --data DIR

generate makes the node's identity between ports: a CURVE key pair for its encrypted links and
an Ed25519 key pair that signs every message it originates, kept in DIR/keys/node.json
(readable by its owner only; never replaced). NAME names the unit, e.g. NLRTM-PCU.
show prints the public part as JSON: what a peer adds to its config's "share" peers.
)";

const char* const kShareHelp =
    R"(usage: portscreen share status --data DIR [--config FILE]
       portscreen share alert --data DIR --container NUMBER --reason TEXT
       portscreen share query --data DIR [--config FILE] [--wait SECONDS] NUMBER
       portscreen share answers --data DIR QUERY-ID

status   each peer of the config: connected or offline, last seen, messages queued for it and
         not acknowledged, acknowledged, received from it and refused.
alert    queues an alert on a container for the ports still ahead on its route (the running
         node sends it within a second).
query    asks every peer that takes queries where a container has been seen and what was found,
         then prints the answers as they arrive, until each peer asked has answered or --wait
         seconds (default 10) have passed.
answers  the answers received so far to an earlier query, by the id query printed.
)";

int run_keys(const std::vector<std::string>& argv) {
    Args args(argv, {"data", "name"}, {});
    const auto data = args.get("data");
    if (!data || args.positional().size() != 1)
        throw std::invalid_argument("keys needs generate or show, and --data DIR");
    const auto file = sharing::identity_path(*data);
    if (args.positional()[0] == "generate") {
        const auto name = args.get("name");
        if (!name)
            throw std::invalid_argument("keys generate needs --name NAME");
        const auto identity = sharing::generate_identity(*name);
        sharing::save_identity(file, identity);
        std::printf("%s\n", sharing::public_identity_json(identity.public_part).c_str());
        std::fprintf(stderr, "keys of %s written to %s\n", name->c_str(), file.c_str());
        return 0;
    }
    if (args.positional()[0] == "show") {
        std::printf(
            "%s\n",
            sharing::public_identity_json(sharing::load_identity(file).public_part).c_str());
        return 0;
    }
    throw std::invalid_argument("keys: unknown subcommand '" + args.positional()[0] + "'");
}

std::string unit_name(const std::filesystem::path& data_dir) {
    const auto file = sharing::identity_path(data_dir);
    return std::filesystem::exists(file) ? sharing::load_identity(file).public_part.name : "";
}

int run_share(const std::vector<std::string>& argv) {
    Args args(argv, {"data", "config", "container", "reason", "wait"}, {});
    const auto data = args.get("data");
    if (!data || args.positional().empty())
        throw std::invalid_argument("share needs status, alert, query or answers, and --data DIR");
    const auto& what = args.positional()[0];
    if (what == "status")
        return share_status(args, *data);
    if (what == "alert")
        return share_alert(args, *data);
    if (what == "query")
        return share_query(args, *data);
    if (what == "answers")
        return share_answers(args, *data);
    throw std::invalid_argument("share: unknown subcommand '" + what + "'");
}

} // namespace portscreen::node
