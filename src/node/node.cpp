#include "node/node.hpp"

#include "common/log.hpp"
#include "reference/reference.hpp"
#include "scans/scan_server.hpp"
#include "scoring/scoring_service.hpp"
#include "sharing/service.hpp"
#include "storage/database.hpp"
#include "storage/queries.hpp"
#include "web_server.hpp"

#include <zmq.hpp>

#include <csignal>
#include <cstdio>
#include <pthread.h>

namespace portscreen::node {

std::filesystem::path database_path(const std::filesystem::path& data_dir) {
    return data_dir / "portscreen.db";
}

int serve(const std::filesystem::path& data_dir, const Config& config) {
    log::set_level(config.log_level);
    // Signals are taken by sigwait below; blocking them first keeps every thread started later
    // (ZeroMQ's included) from being interrupted by them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    std::filesystem::create_directories(data_dir);
    const auto database = database_path(data_dir);
    auto reference =
        reference::load_reference_data(config.iso3166_json, config.hs_nomenclature_csv);
    log::info("", "reference data: " + std::to_string(reference.countries.size()) + " countries, " +
                      std::to_string(reference.hs_subheadings.size()) + " HS subheadings");

    scoring::ScoringService scoring(database,
                                    reference::load_hs_nomenclature(config.hs_nomenclature_csv));
    std::unique_ptr<ui_web::WebServer> web;
    if (config.web.enabled) {
        auto web_options = config.web;
        web_options.sharing = config.share;
        web = std::make_unique<ui_web::WebServer>(web_options, data_dir, config.scans.endpoint);
        scoring.on_scored(
            [&web](std::int64_t call, std::size_t count) { web->scored(call, count); });
    }
    scoring.start();
    zmq::context_t context;
    messaging::IngestServer ingest(context, config.ingest, database, std::move(reference));
    scans::ScanServer scans(context, config.scans, data_dir, database);
    ingest.on_stored([&scoring, &scans](std::span<const std::int64_t> calls) {
        scoring.notify(calls);
        scans.manifests_stored();
    });
    scans.on_analysed([&scoring, &web](const scans::AnalysedScan& scan) {
        scoring.notify(scan.vessel_call_ids);
        if (web)
            web->scan_stored(scan.scan_id);
    });
    // Sharing between ports: only with an endpoint, and only with the node's own keys.
    std::unique_ptr<sharing::ShareService> share;
    if (!config.share.endpoint.empty()) {
        share = std::make_unique<sharing::ShareService>(
            config.share, sharing::load_identity(sharing::identity_path(data_dir)), database);
        share->start();
    }
    // Scans first: ingest's writer calls scans.manifests_stored() after its first commit, which
    // must not race with scans.start() setting up what that call uses.
    scans.start();
    ingest.start();
    if (web) {
        web->start();
        log::info("", "web pages and API on http://" +
                          config.web.listen.substr(0, config.web.listen.rfind(':')) + ":" +
                          std::to_string(web->port()) + "/");
    }
    log::info("", "port node serving " + database.string() + "; stop with Ctrl-C or SIGTERM");

    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    log::info("", std::string("received ") + (signal_number == SIGINT ? "SIGINT" : "SIGTERM") +
                      ", stopping");
    if (web)
        web->stop();
    ingest.stop();
    scans.stop();
    if (share)
        share->stop();
    scoring.stop();
    log::info("", "stopped cleanly");
    return 0;
}

int print_status(const std::filesystem::path& data_dir) {
    const auto file = database_path(data_dir);
    if (!std::filesystem::exists(file)) {
        std::fprintf(stderr, "no port node database in %s\n", data_dir.c_str());
        return 1;
    }
    auto db = storage::Database::open(file, storage::Access::reader);
    const auto counts = storage::count_all(db);
    std::printf(
        "messages: %lld\nvessel calls: %lld\nconsignments: %lld (active %lld)\n"
        "containers: %lld\ngoods items: %lld\nparties: %lld\nscored: %lld\n"
        "selected: %lld\noutcomes: %lld\n",
        static_cast<long long>(counts.messages), static_cast<long long>(counts.vessel_calls),
        static_cast<long long>(counts.consignments),
        static_cast<long long>(counts.active_consignments),
        static_cast<long long>(counts.containers), static_cast<long long>(counts.goods_items),
        static_cast<long long>(counts.parties), static_cast<long long>(counts.scores),
        static_cast<long long>(counts.selections), static_cast<long long>(counts.outcomes));
    return 0;
}

} // namespace portscreen::node
