// What a received message changes here (docs/sharing.md, "Applying").

#include "scoring/profile_store.hpp"
#include "store_detail.hpp"
#include "watchlist.hpp"

#include <nlohmann/json.hpp>

#include <span>
#include <stdexcept>

namespace portscreen::sharing::detail {

using storage::Statement;

struct Applier::Statements {
    explicit Statements(storage::Database& db)
        : alert(db, "INSERT OR IGNORE INTO shared_alerts (message_id, origin, kind, container, "
                    "reason, points, created_at, expires, body) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
          outcome(db, "INSERT OR IGNORE INTO shared_outcomes (message_id, origin, container, "
                      "port_of_call, inspected_on, method, result, category, description, "
                      "quantity, unit, concealment, detection, place, body) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"),
          answer(db, "INSERT OR IGNORE INTO shared_answers (message_id, query_id, origin, body, "
                     "received_at) VALUES (?1, ?2, ?3, ?4, ?5)") {}

    Statement alert;
    Statement outcome;
    Statement answer;
    // Made on the first query: most batches carry none.
    std::unique_ptr<Statement> sightings;
    std::unique_ptr<Statement> shared_outcomes;
    std::unique_ptr<ContainerReader> reader;
    std::unique_ptr<scoring::WatchlistWriter> watchlist;
};

Applier::Applier(Outbox& outbox)
    : outbox_(outbox), statements_(std::make_unique<Statements>(outbox.db())) {}

Applier::~Applier() = default;

namespace {

void insert_alert(Statement& insert, const Envelope& envelope, std::string_view kind,
                  std::string_view container, std::string_view reason, double points,
                  const std::string& expires) {
    insert.bind(1, envelope.id);
    insert.bind(2, envelope.origin);
    insert.bind(3, kind);
    insert.bind(4, container);
    insert.bind(5, reason);
    insert.bind(6, points);
    insert.bind(7, envelope.created_at);
    insert.bind(8, expires);
    insert.bind(9, envelope.body);
    insert.run();
}

std::string seizure_reason(const OutcomeBody& outcome) {
    std::string reason = "seizure";
    if (!outcome.category.empty())
        reason += " of " + outcome.category;
    if (!outcome.port_of_call.empty())
        reason += " at " + outcome.port_of_call;
    if (!outcome.inspected_on.empty())
        reason += " on " + outcome.inspected_on;
    if (!outcome.description.empty())
        reason += ": " + outcome.description;
    return reason;
}

} // namespace

Applied Applier::apply(const Envelope& envelope) {
    auto& db = outbox_.db();
    const auto& options = outbox_.options();
    const std::string expires = add_days(outbox_.now(), options.alert_days);
    switch (envelope.kind) {
    case Kind::alert: {
        const AlertBody body = parse_alert(envelope.body);
        const std::string reason = body.reason.empty() ? "high-risk container" : body.reason;
        insert_alert(statements_->alert, envelope, "alert", body.container, reason,
                     options.alert_points, expires);
        return {true};
    }
    case Kind::outcome: {
        const OutcomeBody body = parse_outcome(envelope.body);
        auto& insert = statements_->outcome;
        insert.bind(1, envelope.id);
        insert.bind(2, envelope.origin);
        insert.bind(3, body.container);
        insert.bind(4, body.port_of_call);
        insert.bind(5, body.inspected_on);
        insert.bind(6, body.method);
        insert.bind(7, body.seizure ? "seizure" : "no_find");
        insert.bind(8, body.category);
        insert.bind(9, body.description);
        insert.bind(10, body.quantity);
        insert.bind(11, body.unit);
        insert.bind(12, body.concealment);
        insert.bind(13, body.detection);
        insert.bind(14, body.place);
        insert.bind(15, envelope.body);
        insert.run();
        if (!body.seizure)
            return {false};
        insert_alert(statements_->alert, envelope, "seizure", body.container, seizure_reason(body),
                     options.alert_points, expires);
        return {true};
    }
    case Kind::watchlist: {
        const WatchlistBody body = parse_watchlist(envelope.body);
        const std::string entry_id = envelope.origin + "/" + body.entry_id;
        if (!statements_->watchlist)
            statements_->watchlist = std::make_unique<scoring::WatchlistWriter>(db);
        if (body.removed)
            return {statements_->watchlist->remove(entry_id, outbox_.now())};
        profiling::WatchEntry entry;
        entry.id = entry_id;
        const auto kind = profiling::parse_watch_kind(body.kind);
        if (!kind)
            throw std::invalid_argument("body.kind: '" + body.kind + "' is not a watchlist kind");
        entry.kind = *kind;
        entry.value = body.value;
        entry.country = body.country;
        entry.reason = body.reason;
        entry.source = envelope.origin + ": " + body.source;
        entry.expires = body.expires;
        entry.points = body.points;
        // An entry the scorer would refuse must not reach the watchlist it loads.
        const auto problems = profiling::validate_watch_entry(entry);
        if (!problems.empty())
            throw std::invalid_argument("watchlist entry " + body.entry_id + ": " +
                                        problems.front());
        statements_->watchlist->add(entry, outbox_.now(), envelope.origin);
        return {true};
    }
    case Kind::query: {
        const QueryBody query = parse_query(envelope.body);
        if (!statements_->sightings) {
            statements_->sightings = std::make_unique<Statement>(
                db, "SELECT c.id, v.port_of_call, v.vessel_name, v.voyage, v.eta, s.score "
                    "FROM containers c JOIN vessel_calls v ON v.id = c.vessel_call_id "
                    "LEFT JOIN scores s ON s.container_id = c.id WHERE c.number = ?1 "
                    "ORDER BY v.eta, c.id");
            statements_->shared_outcomes = std::make_unique<Statement>(
                db, "SELECT body FROM shared_outcomes WHERE container = ?1 ORDER BY id");
            statements_->reader = std::make_unique<ContainerReader>(db);
        }
        AnswerBody answer;
        answer.query_id = envelope.id;
        answer.container = query.container;
        std::vector<std::int64_t> containers;
        auto& sightings = *statements_->sightings;
        sightings.bind(1, query.container);
        while (sightings.step()) {
            containers.push_back(sightings.column_int64(0));
            Sighting sighting;
            sighting.port_of_call = sightings.column_text(1);
            sighting.vessel_name = sightings.column_text(2);
            sighting.voyage = sightings.column_text(3);
            sighting.eta = sightings.column_text(4);
            sighting.score = sightings.column_optional_double(5);
            answer.sightings.push_back(std::move(sighting));
        }
        for (std::size_t idx = 0; idx < containers.size(); ++idx) {
            answer.sightings[idx].bls = statements_->reader->master_bls(containers[idx]);
            if (auto outcome = statements_->reader->outcome(containers[idx]))
                answer.outcomes.push_back(std::move(*outcome));
        }
        auto& received = *statements_->shared_outcomes;
        received.bind(1, query.container);
        while (received.step())
            answer.outcomes.push_back(parse_outcome(received.column_text_view(0)));
        bool names = false;
        for (const auto& outcome : answer.outcomes)
            names = names || !outcome.recorded_by.empty() || !outcome.notes.empty();
        outbox_.originate(Kind::answer, envelope.origin, {}, [&](bool keep_personal) {
            return Outbox::Body{to_json(answer, keep_personal), keep_personal && names};
        });
        return {false};
    }
    case Kind::answer: {
        const AnswerBody body = parse_answer(envelope.body);
        auto& insert = statements_->answer;
        insert.bind(1, envelope.id);
        insert.bind(2, body.query_id);
        insert.bind(3, envelope.origin);
        insert.bind(4, envelope.body);
        insert.bind(5, outbox_.now());
        insert.run();
        return {false};
    }
    }
    throw std::invalid_argument("kind: unknown");
}

} // namespace portscreen::sharing::detail
