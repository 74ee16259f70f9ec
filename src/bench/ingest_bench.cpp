#include "bench/ingest_bench.hpp"

#include "common/sha256.hpp"
#include "edifact/cuscar.hpp"
#include "ingest/decode.hpp"
#include "manifest_json/manifest_json.hpp"
#include "messaging/feed_client.hpp"
#include "messaging/ingest_server.hpp"
#include "reference/reference.hpp"
#include "scoring/scoring_service.hpp"
#include "sim/simulator.hpp"
#include "storage/database.hpp"
#include "storage/manifest_store.hpp"

#include <zmq.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

namespace portscreen::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

std::vector<std::string> render(const std::vector<core::Manifest>& parts, bool json) {
    std::vector<std::string> payloads;
    for (std::size_t idx = 0; idx < parts.size(); ++idx) {
        if (json) {
            payloads.push_back(manifest_json::write(parts[idx]));
            continue;
        }
        edifact::WriteOptions options;
        options.directory = edifact::Directory::d11a;
        options.control_reference = "BENCH" + std::to_string(idx + 1);
        payloads.push_back(edifact::write_cuscar(parts[idx], options));
    }
    return payloads;
}

/// The rows of one bench run, written with plain prepared INSERTs: no parsing, validation,
/// duplicate checks, amendments or messaging.
class DirectLoader {
public:
    explicit DirectLoader(storage::Database& db)
        : db_(db),
          message_(db, "INSERT INTO messages (message_id, content_type, content_sha256, source, "
                       "received_at, reply_body, payload) VALUES (?, ?, ?, 'bench', ?, '{}', ?)"),
          call_(db, "INSERT INTO vessel_calls (imo, voyage, port_of_call, vessel_name, carrier, "
                    "eta, last_port, created_by, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
          party_(db, "INSERT INTO parties (party_key, name, country, identifier, address, city, "
                     "postcode, first_seen, last_seen, times_seen) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)"),
          consignment_(db, "INSERT INTO consignments (vessel_call_id, master_bl, house_bl, "
                           "shipper_id, consignee_id, notify_id, forwarder_id, place_of_receipt, "
                           "port_of_loading, transshipment_ports, port_of_discharge, "
                           "place_of_delivery, status, revision, message_row) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', 1, ?)"),
          revision_(db, "INSERT INTO consignment_revisions (consignment_id, revision, "
                        "message_row, function, action, recorded_at) "
                        "VALUES (?, 1, ?, 'original', 'created', ?)"),
          goods_(db, "INSERT INTO goods_items (consignment_id, item_number, hs_code, "
                     "description, packages, package_type, gross_mass_kg) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)"),
          container_(db, "INSERT INTO containers (vessel_call_id, number, size_type, "
                         "load_status, gross_mass_kg, tare_mass_kg, message_row) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)"),
          seal_(db, "INSERT INTO seals (container_id, number, sealing_party) VALUES (?, ?, ?)"),
          placement_(db, "INSERT INTO placements (goods_item_id, container_id, packages) "
                         "VALUES (?, ?, ?)") {}

    std::int64_t add_message(const std::string& payload, int index) {
        message_.bind(1, "bench-" + std::to_string(index));
        message_.bind(2, "application/edifact");
        message_.bind(3, sha256_hex(payload));
        message_.bind(4, "2026-01-01T00:00:00.000Z");
        message_.bind_blob(5, payload);
        message_.run();
        return db_.last_insert_rowid();
    }

    std::int64_t add_call(const core::VesselCall& call, std::int64_t message) {
        if (call_id_ != 0)
            return call_id_;
        call_.bind(1, call.imo);
        call_.bind(2, call.voyage);
        call_.bind(3, call.port_of_call);
        call_.bind(4, call.vessel_name);
        call_.bind(5, call.carrier);
        call_.bind(6, call.eta);
        call_.bind(7, call.last_port);
        call_.bind(8, message);
        call_.bind(9, message);
        call_.run();
        call_id_ = db_.last_insert_rowid();
        return call_id_;
    }

    std::optional<std::int64_t> add_party(const core::Party& party) {
        if (party.empty())
            return std::nullopt;
        const std::string key = storage::party_key(party);
        if (const auto found = parties_.find(key); found != parties_.end())
            return found->second;
        party_.bind(1, key);
        party_.bind(2, party.name);
        party_.bind(3, party.country);
        party_.bind(4, party.id);
        party_.bind(5, party.address);
        party_.bind(6, party.city);
        party_.bind(7, party.postcode);
        party_.bind(8, "2026-01-01T00:00:00.000Z");
        party_.bind(9, "2026-01-01T00:00:00.000Z");
        party_.run();
        return parties_[key] = db_.last_insert_rowid();
    }

    void bind_party(storage::Statement& statement, int index, const core::Party& party) {
        const auto id = add_party(party);
        if (id)
            statement.bind(index, *id);
        else
            statement.bind_null(index);
    }

    std::int64_t add_container(const core::Container& box, std::int64_t call,
                               std::int64_t message) {
        if (const auto found = containers_.find(box.number); found != containers_.end())
            return found->second;
        container_.bind(1, call);
        container_.bind(2, box.number);
        container_.bind(3, box.size_type);
        container_.bind(4, core::to_string(box.load));
        container_.bind(5, box.gross_mass_kg);
        container_.bind(6, box.tare_mass_kg);
        container_.bind(7, message);
        container_.run();
        const std::int64_t id = db_.last_insert_rowid();
        for (const auto& seal : box.seals) {
            seal_.bind(1, id);
            seal_.bind(2, seal.number);
            seal_.bind(3, seal.sealing_party);
            seal_.run();
        }
        return containers_[box.number] = id;
    }

    void add_consignment(const core::Consignment& con, std::int64_t call, std::int64_t message) {
        consignment_.bind(1, call);
        consignment_.bind(2, con.master_bl);
        consignment_.bind(3, con.house_bl);
        bind_party(consignment_, 4, con.shipper);
        bind_party(consignment_, 5, con.consignee);
        bind_party(consignment_, 6, con.notify_party);
        bind_party(consignment_, 7, con.forwarder);
        consignment_.bind(8, con.place_of_receipt);
        consignment_.bind(9, con.port_of_loading);
        std::string legs;
        for (const auto& port : con.transshipment_ports)
            legs += (legs.empty() ? "" : ",") + port;
        consignment_.bind(10, legs);
        consignment_.bind(11, con.port_of_discharge);
        consignment_.bind(12, con.place_of_delivery);
        consignment_.bind(13, message);
        consignment_.run();
        const std::int64_t id = db_.last_insert_rowid();
        revision_.bind(1, id);
        revision_.bind(2, message);
        revision_.bind(3, "2026-01-01T00:00:00.000Z");
        revision_.run();
        for (const auto& item : con.goods_items) {
            goods_.bind(1, id);
            goods_.bind(2, item.item_number);
            goods_.bind(3, item.hs_code);
            goods_.bind(4, item.description);
            goods_.bind(5, item.packages);
            goods_.bind(6, item.package_type);
            goods_.bind(7, item.gross_mass_kg);
            goods_.run();
            const std::int64_t item_id = db_.last_insert_rowid();
            for (const auto& placement : item.placements) {
                placement_.bind(1, item_id);
                placement_.bind(2, containers_.at(placement.container_number));
                placement_.bind(3, placement.packages);
                placement_.run();
            }
        }
    }

private:
    storage::Database& db_;
    storage::Statement message_, call_, party_, consignment_, revision_, goods_, container_, seal_,
        placement_;
    std::int64_t call_id_ = 0;
    std::unordered_map<std::string, std::int64_t> parties_;
    std::unordered_map<std::string, std::int64_t> containers_;
};

} // namespace

std::vector<core::Manifest> split_manifest(const core::Manifest& manifest, int parts) {
    parts = std::max(1, std::min<int>(parts, static_cast<int>(manifest.consignments.size())));
    std::unordered_map<std::string, const core::Container*> by_number;
    for (const auto& box : manifest.containers)
        by_number.emplace(box.number, &box);

    std::vector<core::Manifest> out(static_cast<std::size_t>(parts));
    std::unordered_set<std::string> placed;
    const std::size_t per_part = (manifest.consignments.size() + parts - 1) / parts;
    for (std::size_t part = 0; part < out.size(); ++part) {
        core::Manifest& piece = out[part];
        piece.function = manifest.function;
        piece.document_number = manifest.document_number + "-" + std::to_string(part + 1);
        piece.version = manifest.version;
        piece.issued_at = manifest.issued_at;
        piece.sender = manifest.sender;
        piece.vessel_call = manifest.vessel_call;
        std::unordered_set<std::string> declared;
        const std::size_t first = part * per_part;
        const std::size_t last = std::min(manifest.consignments.size(), first + per_part);
        for (std::size_t idx = first; idx < last; ++idx) {
            const auto& con = manifest.consignments[idx];
            piece.consignments.push_back(con);
            for (const auto& item : con.goods_items) {
                for (const auto& placement : item.placements) {
                    if (declared.insert(placement.container_number).second)
                        piece.containers.push_back(*by_number.at(placement.container_number));
                    placed.insert(placement.container_number);
                }
            }
        }
    }
    for (const auto& box : manifest.containers) {
        if (!placed.contains(box.number))
            out.back().containers.push_back(box);
    }
    return out;
}

double insert_directly(const fs::path& database, const std::vector<core::Manifest>& manifests,
                       const std::vector<std::string>& payloads, int containers_per_transaction) {
    auto db = storage::Database::open(database, storage::Access::writer);
    const auto start = Clock::now();
    DirectLoader loader(db);
    for (std::size_t idx = 0; idx < manifests.size(); ++idx) {
        const core::Manifest& manifest = manifests[idx];
        std::optional<storage::Transaction> transaction(std::in_place, db);
        const std::int64_t message = loader.add_message(payloads[idx], static_cast<int>(idx));
        const std::int64_t call = loader.add_call(manifest.vessel_call, message);
        for (const auto& box : manifest.containers)
            loader.add_container(box, call, message);
        // Consignments in batches that carry about the chosen number of containers each.
        int in_batch = 0;
        for (const auto& con : manifest.consignments) {
            loader.add_consignment(con, call, message);
            for (const auto& item : con.goods_items)
                in_batch += static_cast<int>(item.placements.size());
            if (in_batch >= containers_per_transaction) {
                transaction->commit();
                transaction.emplace(db);
                in_batch = 0;
            }
        }
        transaction->commit();
    }
    return seconds_since(start);
}

IngestBenchResult run_ingest_bench(const IngestBenchOptions& options) {
    const auto hs = reference::load_hs_nomenclature(reference::default_hs_nomenclature_path());
    const auto reference_data = reference::load_reference_data(
        reference::default_iso3166_path(), reference::default_hs_nomenclature_path());
    const core::Manifest manifest =
        sim::synthetic_vessel_manifest(options.seed, options.containers, hs);
    const auto parts = split_manifest(manifest, options.messages);
    const auto payloads = render(parts, options.json);

    IngestBenchResult result;
    result.containers = static_cast<int>(manifest.containers.size());
    result.consignments = static_cast<int>(manifest.consignments.size());
    for (const auto& payload : payloads)
        result.payload_bytes += payload.size();

    const auto type = options.json ? ingest::ContentType::json : ingest::ContentType::edifact;
    std::vector<double> end_to_end, decode, direct, scored;
    zmq::context_t context;
    for (int run = 0; run < options.repeat; ++run) {
        const fs::path dir = options.work_dir / ("run-" + std::to_string(run));
        fs::remove_all(dir);
        fs::create_directories(dir);

        auto start = Clock::now();
        for (const auto& payload : payloads) {
            if (!ingest::decode(type, payload, reference_data))
                throw std::runtime_error("the synthetic manifest does not pass validation");
        }
        decode.push_back(seconds_since(start));

        messaging::IngestOptions ingest_options;
        ingest_options.endpoint = "tcp://127.0.0.1:*";
        std::optional<scoring::ScoringService> scorer;
        if (options.score) {
            scorer.emplace(dir / "ingest.db", hs);
            scorer->start();
        }
        messaging::IngestServer server(context, ingest_options, dir / "ingest.db", reference_data);
        if (scorer)
            server.on_stored([&](std::span<const std::int64_t> calls) { scorer->notify(calls); });
        server.start();
        std::vector<messaging::Outgoing> messages;
        for (std::size_t idx = 0; idx < payloads.size(); ++idx)
            messages.push_back(
                {messaging::new_message_id(), ingest::to_string(type), payloads[idx]});
        messaging::FeedOptions feed;
        feed.endpoint = server.endpoint();
        feed.window = messages.size();
        feed.timeout = std::chrono::minutes(5);
        messaging::FeedClient client(context, feed);
        start = Clock::now();
        const auto replies = client.send_all(messages);
        end_to_end.push_back(seconds_since(start));
        if (scorer) {
            // Bounded: ten minutes is far beyond any plausible scoring time.
            for (int wait = 0;
                 wait < 600'000 && scorer->scored() < static_cast<std::size_t>(result.containers);
                 ++wait)
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            scored.push_back(seconds_since(start));
        }
        server.stop();
        if (scorer)
            scorer->stop();
        for (const auto& reply : replies) {
            if (!reply || reply->status != "ACK")
                throw std::runtime_error("the node did not acknowledge a bench message: " +
                                         (reply ? reply->body.substr(0, 500) : "no reply"));
        }

        direct.push_back(insert_directly(dir / "direct.db", parts, payloads));
        fs::remove_all(dir);
    }
    result.end_to_end_s = median(end_to_end);
    result.decode_s = median(decode);
    result.direct_s = median(direct);
    result.scored_s = scored.empty() ? 0 : median(scored);
    return result;
}

} // namespace portscreen::bench
