// Turning the events the schema's triggers captured into signed messages for the peers.

#include "common/log.hpp"
#include "sharing/store.hpp"
#include "store_detail.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace portscreen::sharing {
namespace detail {

using storage::Database;
using storage::Statement;

ContainerReader::ContainerReader(Database& db)
    : bls_(db, "SELECT DISTINCT b.master_bl FROM consignments b WHERE b.status = 'active' "
               "AND b.master_bl <> '' AND b.id IN (SELECT g.consignment_id FROM placements p "
               "JOIN goods_items g ON g.id = p.goods_item_id WHERE p.container_id = ?1) "
               "ORDER BY b.master_bl"),
      outcome_(db, "SELECT c.number, v.port_of_call, o.inspected_on, o.method, o.result, "
                   "o.category, o.description, o.quantity, o.unit, o.concealment, o.detection, "
                   "o.place, o.recorded_by, o.notes FROM outcomes o "
                   "JOIN containers c ON c.id = o.container_id "
                   "JOIN vessel_calls v ON v.id = c.vessel_call_id WHERE o.container_id = ?1") {}

std::vector<std::string> ContainerReader::master_bls(std::int64_t container_id) {
    bls_.bind(1, container_id);
    std::vector<std::string> out;
    while (bls_.step())
        out.push_back(bls_.column_text(0));
    return out;
}

std::optional<OutcomeBody> ContainerReader::outcome(std::int64_t container_id) {
    outcome_.bind(1, container_id);
    if (!outcome_.step())
        return std::nullopt;
    OutcomeBody body;
    body.container = outcome_.column_text(0);
    body.port_of_call = outcome_.column_text(1);
    body.inspected_on = outcome_.column_text(2);
    body.method = outcome_.column_text(3);
    body.seizure = outcome_.column_text_view(4) == "seizure";
    body.category = outcome_.column_text(5);
    body.description = outcome_.column_text(6);
    body.quantity = outcome_.column_optional_double(7);
    body.unit = outcome_.column_text(8);
    body.concealment = outcome_.column_text(9);
    body.detection = outcome_.column_text(10);
    body.place = outcome_.column_text(11);
    body.recorded_by = outcome_.column_text(12);
    body.notes = outcome_.column_text(13);
    outcome_.reset();
    body.bls = master_bls(container_id);
    return body;
}

} // namespace detail

namespace {

using detail::Outbox;
using storage::Database;
using storage::Statement;

/// Builds the messages of one produce() call, with its statements prepared once.
class Producer {
public:
    explicit Producer(Outbox& outbox)
        : outbox_(outbox), reader_(outbox.db()),
          container_(outbox.db(),
                     "SELECT c.number, v.imo, v.vessel_name, v.voyage, v.port_of_call, v.eta "
                     "FROM containers c JOIN vessel_calls v ON v.id = c.vessel_call_id "
                     "WHERE c.id = ?1"),
          consignments_(
              outbox.db(),
              "SELECT b.master_bl, b.place_of_receipt, b.port_of_loading, "
              "b.transshipment_ports, b.port_of_discharge, b.place_of_delivery, "
              "coalesce(ps.name, ''), coalesce(pc.name, '') FROM consignments b "
              "LEFT JOIN parties ps ON ps.id = b.shipper_id "
              "LEFT JOIN parties pc ON pc.id = b.consignee_id "
              "WHERE b.status = 'active' AND b.id IN (SELECT g.consignment_id FROM placements p "
              "JOIN goods_items g ON g.id = p.goods_item_id WHERE p.container_id = ?1) "
              "ORDER BY b.id"),
          score_(outbox.db(), "SELECT score, factors FROM scores WHERE container_id = ?1"),
          alerted_(outbox.db(), "INSERT OR REPLACE INTO share_alerted (container_id, message_id, "
                                "alerted_at) VALUES (?1, ?2, ?3)"),
          was_alerted_(outbox.db(), "SELECT 1 FROM share_alerted WHERE container_id = ?1"),
          watch_(outbox.db(), "SELECT entry_id, kind, value, country, reason, source, expires, "
                              "points, removed_at IS NOT NULL, origin IS NOT NULL "
                              "FROM watchlist_entries WHERE id = ?1") {}

    /// One event; true when a message was made.
    bool event(std::string_view kind, std::int64_t ref, std::string_view note) {
        if (kind == "alert")
            return alert(ref, note);
        if (kind == "outcome")
            return outcome(ref);
        if (kind == "watchlist")
            return watchlist(ref);
        log::warn("-", "sharing: unknown event kind '" + std::string(kind) + "' skipped");
        return false;
    }

private:
    bool alert(std::int64_t container_id, std::string_view note) {
        // A score above the threshold alerts once, however often the container is re-scored
        // before the events are drained; an officer's alert always goes.
        was_alerted_.bind(1, container_id);
        if (note.empty() && was_alerted_.query_int64())
            return false;
        container_.bind(1, container_id);
        if (!container_.step()) {
            log::warn("-", "sharing: alert on container row " + std::to_string(container_id) +
                               ", which does not exist, skipped");
            return false;
        }
        AlertBody body;
        body.container = container_.column_text(0);
        body.vessel_imo = container_.column_text(1);
        body.vessel_name = container_.column_text(2);
        body.voyage = container_.column_text(3);
        body.port_of_call = container_.column_text(4);
        body.eta = container_.column_text(5);
        container_.reset();

        std::string port_of_loading;
        consignments_.bind(1, container_id);
        const auto add_unique = [](std::vector<std::string>& list, std::string value) {
            if (!value.empty() && std::find(list.begin(), list.end(), value) == list.end())
                list.push_back(std::move(value));
        };
        while (consignments_.step()) {
            add_unique(body.bls, consignments_.column_text(0));
            const auto route = detail::route_of(
                consignments_.column_text_view(1), consignments_.column_text_view(2),
                consignments_.column_text_view(3), consignments_.column_text_view(4),
                consignments_.column_text_view(5));
            for (const auto& port : route)
                add_unique(body.route, port);
            if (port_of_loading.empty())
                port_of_loading = consignments_.column_text(2);
            add_unique(body.shippers, consignments_.column_text(6));
            add_unique(body.consignees, consignments_.column_text(7));
        }

        score_.bind(1, container_id);
        if (score_.step()) {
            body.score = score_.column_double(0);
            const auto factors = nlohmann::json::parse(score_.column_text_view(1));
            score_.reset();
            for (const auto& factor : factors)
                body.factors.push_back(
                    {factor.value("kind", std::string()), factor.value("id", std::string()),
                     factor.value("text", std::string()), factor.value("points", 0.0)});
        }
        body.reason = std::string(note);
        if (body.reason.empty()) {
            const SharedFactor* largest = nullptr;
            for (const auto& factor : body.factors)
                if (factor.points > 0 && (largest == nullptr || factor.points > largest->points))
                    largest = &factor;
            body.reason = largest != nullptr ? largest->text : "high-risk container";
        }

        const auto ahead = detail::ports_ahead(body.route, body.port_of_call, port_of_loading);
        if (ahead.empty())
            return false; // its last port: no port ahead to warn
        // Without personal data, to_json leaves the parties out and withholds their names
        // wherever a reason or factor quotes them.
        const bool parties = !body.shippers.empty() || !body.consignees.empty();
        const auto id = outbox_.originate(Kind::alert, "", ahead, [&](bool keep_personal) {
            return Outbox::Body{to_json(body, keep_personal), keep_personal && parties};
        });
        if (!id)
            return false;
        alerted_.bind(1, container_id);
        alerted_.bind(2, *id);
        alerted_.bind(3, outbox_.now());
        alerted_.run();
        return true;
    }

    bool outcome(std::int64_t container_id) {
        const auto body = reader_.outcome(container_id);
        if (!body) {
            log::warn("-", "sharing: no outcome for container row " + std::to_string(container_id) +
                               ", event skipped");
            return false;
        }
        const bool names = !body->recorded_by.empty() || !body->notes.empty();
        return outbox_
            .originate(
                Kind::outcome, "", {},
                [&](bool keep_personal) {
                    return Outbox::Body{to_json(*body, keep_personal), keep_personal && names};
                })
            .has_value();
    }

    bool watchlist(std::int64_t row) {
        watch_.bind(1, row);
        if (!watch_.step())
            return false;
        WatchlistBody body;
        body.entry_id = watch_.column_text(0);
        body.kind = watch_.column_text(1);
        body.value = watch_.column_text(2);
        body.country = watch_.column_text(3);
        body.reason = watch_.column_text(4);
        body.source = watch_.column_text(5);
        body.expires = watch_.column_text(6);
        body.points = watch_.column_optional_double(7);
        body.removed = watch_.column_int64(8) != 0;
        const bool received = watch_.column_int64(9) != 0;
        watch_.reset();
        if (received)
            return false; // only this node's own entries are shared
        // A party entry is a name: it goes only where names may go.
        const bool party = body.kind == "party";
        return outbox_
            .originate(
                Kind::watchlist, "", {},
                [&](bool) {
                    return Outbox::Body{to_json(body), party};
                },
                [&](const Peer&, const Delivery& delivery) {
                    return !party || delivery.keep_personal;
                })
            .has_value();
    }

    Outbox& outbox_;
    detail::ContainerReader reader_;
    Statement container_;
    Statement consignments_;
    Statement score_;
    Statement alerted_;
    Statement was_alerted_;
    Statement watch_;
};

} // namespace

std::size_t produce(Database& db, const NodeIdentity& self, const SharingOptions& options,
                    std::string_view now, std::size_t max_events) {
    // Most calls find nothing to do: look before taking the write lock.
    if (db.query_int64("SELECT EXISTS (SELECT 1 FROM share_events)") == 0)
        return 0;
    storage::Transaction transaction(db);
    Outbox outbox(db, self, options, now);
    Producer producer(outbox);
    Statement events(db, "SELECT id, kind, ref, note FROM share_events ORDER BY id LIMIT ?1");
    events.bind(1, static_cast<std::int64_t>(std::min<std::size_t>(
                       max_events, std::numeric_limits<std::int64_t>::max())));
    std::size_t made = 0;
    std::int64_t last_event = 0;
    while (events.step()) {
        last_event = events.column_int64(0);
        if (producer.event(events.column_text(1), events.column_int64(2), events.column_text(3)))
            ++made;
    }
    if (last_event == 0)
        return 0;
    Statement consumed(db, "DELETE FROM share_events WHERE id <= ?1");
    consumed.bind(1, last_event);
    consumed.run();
    outbox.flush();
    transaction.commit();
    return made;
}

} // namespace portscreen::sharing
