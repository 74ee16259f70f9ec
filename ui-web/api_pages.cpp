// The officer's pages: arrivals, the selection queue, the container record, and the actions
// taken on a container.

#include "api_internal.hpp"
#include "common/clock.hpp"
#include "scoring/selection_store.hpp"
#include "workflow/outcome.hpp"
#include "workflow/workflow.hpp"

#include <algorithm>

namespace portscreen::ui_web::detail {
namespace {

// The state and lane of a container as workflow::current_state derives them, in SQL so that a
// whole queue is read in one query. Needs the aliases w (workflow), s (selections), sc (scores)
// and o (outcomes).
constexpr std::string_view kStateSql =
    "COALESCE(w.state, CASE WHEN o.container_id IS NOT NULL THEN 'closed' "
    "WHEN s.lane IN ('red', 'yellow') THEN 'selected' "
    "WHEN sc.container_id IS NOT NULL THEN 'scored' ELSE 'unscored' END)";
constexpr std::string_view kLaneSql =
    "COALESCE(w.lane, CASE WHEN s.lane IN ('red', 'yellow') THEN s.lane ELSE '' END)";

json optional_number(const std::optional<double>& value) {
    return value ? json(*value) : json(nullptr);
}

bool matches_filter(const std::string& value, const std::string& wanted) {
    return wanted.empty() || wanted == "all" || value == wanted;
}

} // namespace

Response get_vocabulary(Context&, const Request&, const Caller&, const Segments&) {
    const auto list = [](std::span<const std::string_view> items) {
        json out = json::array();
        for (const auto item : items)
            out.push_back(item);
        return out;
    };
    return json_ok({{"lanes", {"red", "yellow"}},
                    {"methods", {"scan", "physical"}},
                    {"categories", list(workflow::categories())},
                    {"units", list(workflow::units())},
                    {"concealments", list(workflow::concealments())},
                    {"detections", list(workflow::detections())}});
}

Response get_arrivals(Context& context, const Request& request, const Caller& caller,
                      const Segments&) {
    require(caller, accounts::Permission::view_arrivals);
    const auto day = day_param(request);
    auto lease = context.readers.acquire();
    storage::Statement query(
        *lease, "SELECT v.id, v.vessel_name, v.imo, v.voyage, v.carrier, v.eta, v.last_port, "
                "v.port_of_call, count(c.id), count(sc.container_id), "
                "sum(" +
                    std::string(kStateSql) +
                    " NOT IN ('scored', 'unscored', 'released')), "
                    "sum(" +
                    std::string(kLaneSql) +
                    " = 'red'), "
                    "sum(" +
                    std::string(kLaneSql) +
                    " = 'yellow'), "
                    "sum(" +
                    std::string(kStateSql) +
                    " = 'closed') "
                    "FROM vessel_calls v LEFT JOIN containers c ON c.vessel_call_id = v.id "
                    "LEFT JOIN scores sc ON sc.container_id = c.id "
                    "LEFT JOIN selections s ON s.container_id = c.id "
                    "LEFT JOIN workflow w ON w.container_id = c.id "
                    "LEFT JOIN outcomes o ON o.container_id = c.id "
                    "WHERE v.eta >= ?1 AND v.eta < date(?1, '+1 day') "
                    "GROUP BY v.id ORDER BY v.eta, v.vessel_name");
    query.bind(1, day);
    json calls = json::array();
    while (query.step()) {
        calls.push_back({{"vessel_call_id", query.column_int64(0)},
                         {"vessel_name", query.column_text(1)},
                         {"imo", query.column_text(2)},
                         {"voyage", query.column_text(3)},
                         {"carrier", query.column_text(4)},
                         {"eta", query.column_text(5)},
                         {"last_port", query.column_text(6)},
                         {"port_of_call", query.column_text(7)},
                         {"containers", query.column_int64(8)},
                         {"scored", query.column_int64(9)},
                         {"selected", query.column_int64(10)},
                         {"red", query.column_int64(11)},
                         {"yellow", query.column_int64(12)},
                         {"closed", query.column_int64(13)}});
    }
    return json_ok({{"day", day}, {"calls", std::move(calls)}});
}

Response get_queue(Context& context, const Request& request, const Caller& caller,
                   const Segments&) {
    require(caller, accounts::Permission::view_arrivals);
    const auto day = day_param(request);
    const auto lane = request.param("lane");
    const auto state = request.param("state");
    auto search = request.param("q");
    for (auto& c : search)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    double min_score = -1e9;
    std::size_t limit = 100;
    std::size_t offset = 0;
    try {
        if (!request.param("min_score").empty())
            min_score = std::stod(request.param("min_score"));
        if (!request.param("limit").empty())
            limit = std::clamp<std::size_t>(std::stoul(request.param("limit")), 1, 1000);
        if (!request.param("offset").empty())
            offset = std::stoul(request.param("offset"));
    } catch (const std::exception&) {
        throw HttpError(400, "min_score, limit and offset must be numbers");
    }

    const auto snapshot =
        context.queue_cache.get(day, [](storage::Database& db, const std::string& wanted_day) {
            QueueSnapshot built;
            const auto policy = scoring::saved_policy(db).value_or(profiling::SelectionPolicy{});
            built.scan_capacity = policy.scan_capacity;
            built.exam_capacity = policy.exam_capacity;
            storage::Statement query(
                db, "SELECT c.id, c.number, v.vessel_name, v.eta, sc.score, sc.main_source, "
                    "sc.scored_at, " +
                        std::string(kStateSql) + ", " + std::string(kLaneSql) +
                        " FROM vessel_calls v JOIN containers c ON c.vessel_call_id = v.id "
                        "LEFT JOIN scores sc ON sc.container_id = c.id "
                        "LEFT JOIN selections s ON s.container_id = c.id "
                        "LEFT JOIN workflow w ON w.container_id = c.id "
                        "LEFT JOIN outcomes o ON o.container_id = c.id "
                        "WHERE v.eta >= ?1 AND v.eta < date(?1, '+1 day') "
                        "ORDER BY sc.score IS NULL, sc.score DESC, c.number, c.id");
            query.bind(1, wanted_day);
            std::int64_t rank = 0;
            while (query.step()) {
                QueueRow row;
                row.rank = ++rank;
                row.container_id = query.column_int64(0);
                row.number = query.column_text(1);
                row.vessel_name = query.column_text(2);
                row.eta = query.column_text(3);
                row.score = query.column_optional_double(4);
                row.main_source = query.column_text(5);
                row.scored_at = query.column_text(6);
                row.state = query.column_text(7);
                row.lane = query.column_text(8);
                if (row.state != "released" && row.state != "scored" && row.state != "unscored") {
                    built.scan_used += row.lane == "yellow" ? 1 : 0;
                    built.exam_used += row.lane == "red" ? 1 : 0;
                }
                built.rows.push_back(std::move(row));
            }
            return built;
        });
    json rows = json::array();
    std::size_t total = 0;
    auto lease = context.readers.acquire();
    const bool filtered = !lane.empty() || !state.empty() || !search.empty() || min_score > -1e9;
    // Unfiltered, the page is a slice of the ranked rows: nothing else needs looking at.
    const auto& all = snapshot->rows;
    // offset + limit would wrap around for an offset near the largest number ("-1").
    const std::size_t skip = std::min(offset, all.size());
    const auto first = filtered ? all.begin() : all.begin() + skip;
    const auto last = filtered ? all.end() : first + std::min(limit, all.size() - skip);
    if (!filtered) {
        total = all.size();
        offset = 0;
    }
    for (auto at = first; at != last; ++at) {
        const auto& row = *at;
        if (filtered) {
            if (!matches_filter(row.lane.empty() ? "green" : row.lane, lane) ||
                !matches_filter(row.state, state) ||
                (!search.empty() && row.number.find(search) == std::string::npos) ||
                (row.score.value_or(-1e9) < min_score))
                continue;
            ++total;
        }
        if (filtered && (total <= offset || rows.size() >= limit))
            continue;
        rows.push_back({{"container_id", row.container_id},
                        {"number", row.number},
                        {"vessel_name", row.vessel_name},
                        {"eta", row.eta},
                        {"score", optional_number(row.score)},
                        {"main_source", row.main_source},
                        {"top_factor", context.queue_cache.top_factor(*lease, row)},
                        {"state", row.state},
                        {"lane", row.lane},
                        {"rank", row.rank}});
    }
    return json_ok({{"day", day},
                    {"capacity",
                     {{"scan", snapshot->scan_capacity},
                      {"exam", snapshot->exam_capacity},
                      {"scan_used", snapshot->scan_used},
                      {"exam_used", snapshot->exam_used}}},
                    {"total", total},
                    {"rows", std::move(rows)}});
}

namespace {

json parties_of(storage::Database& db, std::int64_t consignment_id) {
    storage::Statement query(
        db, "SELECT r.role, p.name, p.country, p.times_seen, p.first_seen, p.last_seen, "
            "COALESCE(po.inspections, 0), COALESCE(po.findings, 0) FROM consignments k "
            "JOIN (SELECT 'shipper' AS role, shipper_id AS party FROM consignments WHERE id = ?1 "
            "UNION ALL SELECT 'consignee', consignee_id FROM consignments WHERE id = ?1 "
            "UNION ALL SELECT 'notify', notify_id FROM consignments WHERE id = ?1 "
            "UNION ALL SELECT 'forwarder', forwarder_id FROM consignments WHERE id = ?1) r "
            "JOIN parties p ON p.id = r.party LEFT JOIN party_outcomes po ON po.party_id = p.id "
            "WHERE k.id = ?1");
    query.bind(1, consignment_id);
    json parties = json::array();
    while (query.step()) {
        parties.push_back({{"role", query.column_text(0)},
                           {"name", query.column_text(1)},
                           {"country", query.column_text(2)},
                           {"times_seen", query.column_int64(3)},
                           {"first_seen", query.column_text(4)},
                           {"last_seen", query.column_text(5)},
                           {"inspections", query.column_int64(6)},
                           {"findings", query.column_int64(7)}});
    }
    return parties;
}

json consignments_of(storage::Database& db, std::int64_t container_id) {
    storage::Statement query(
        db, "SELECT k.id, k.master_bl, k.house_bl, k.status, k.place_of_receipt, "
            "k.port_of_loading, k.transshipment_ports, k.port_of_discharge, k.place_of_delivery, "
            "g.item_number, g.hs_code, g.description, g.packages, g.package_type, "
            "g.gross_mass_kg, p.packages FROM placements p "
            "JOIN goods_items g ON g.id = p.goods_item_id "
            "JOIN consignments k ON k.id = g.consignment_id "
            "WHERE p.container_id = ?1 ORDER BY k.master_bl, k.house_bl, g.item_number");
    query.bind(1, container_id);
    json consignments = json::array();
    std::int64_t current = -1;
    while (query.step()) {
        if (query.column_int64(0) != current) {
            current = query.column_int64(0);
            json transshipments = json::array();
            std::string ports = query.column_text(6);
            for (std::size_t at = 0; at < ports.size();) {
                const auto comma = ports.find(',', at);
                transshipments.push_back(ports.substr(at, comma - at));
                at = comma == std::string::npos ? ports.size() : comma + 1;
            }
            consignments.push_back({{"consignment_id", current},
                                    {"master_bl", query.column_text(1)},
                                    {"house_bl", query.column_text(2)},
                                    {"status", query.column_text(3)},
                                    {"route",
                                     {{"place_of_receipt", query.column_text(4)},
                                      {"port_of_loading", query.column_text(5)},
                                      {"transshipment_ports", std::move(transshipments)},
                                      {"port_of_discharge", query.column_text(7)},
                                      {"place_of_delivery", query.column_text(8)}}},
                                    {"goods", json::array()}});
        }
        consignments.back()["goods"].push_back(
            {{"item_number", query.column_int64(9)},
             {"hs_code", query.column_text(10)},
             {"description", query.column_text(11)},
             {"packages", query.column_int64(12)},
             {"package_type", query.column_text(13)},
             {"gross_mass_kg", optional_number(query.column_optional_double(14))},
             {"packages_in_container",
              query.column_is_null(15) ? json(nullptr) : json(query.column_int64(15))}});
    }
    for (auto& consignment : consignments)
        consignment["parties"] = parties_of(db, consignment["consignment_id"].get<std::int64_t>());
    return consignments;
}

json outcome_of(storage::Database& db, std::int64_t container_id) {
    storage::Statement query(
        db, "SELECT inspected_on, method, result, category, description, quantity, unit, "
            "concealment, detection, place, notes, recorded_by, recorded_at FROM outcomes "
            "WHERE container_id = ?1");
    query.bind(1, container_id);
    if (!query.step())
        return nullptr;
    json outcome = {{"inspected_on", query.column_text(0)},
                    {"method", query.column_text(1)},
                    {"result", query.column_text(2)},
                    {"category", query.column_text(3)},
                    {"description", query.column_text(4)},
                    {"quantity", optional_number(query.column_optional_double(5))},
                    {"unit", query.column_text(6)},
                    {"concealment", query.column_text(7)},
                    {"detection", query.column_text(8)},
                    {"place", query.column_text(9)},
                    {"notes", query.column_text(10)},
                    {"recorded_by", query.column_text(11)},
                    {"recorded_at", query.column_text(12)}};
    query.reset();
    return outcome;
}

/// Alerts and seizures other ports sent about this container number, newest first.
json shared_alerts_of(storage::Database& db, const std::string& number) {
    storage::Statement query(db, "SELECT origin, kind, reason, created_at, expires "
                                 "FROM shared_alerts WHERE container = ?1 "
                                 "ORDER BY created_at DESC, id DESC");
    query.bind(1, number);
    json alerts = json::array();
    while (query.step()) {
        alerts.push_back({{"origin", query.column_text(0)},
                          {"kind", query.column_text(1)},
                          {"reason", query.column_text(2)},
                          {"created_at", query.column_text(3)},
                          {"expires", query.column_text(4)}});
    }
    return alerts;
}

/// Inspection outcomes other ports sent about this container number, newest first.
json shared_outcomes_of(storage::Database& db, const std::string& number) {
    storage::Statement query(db, "SELECT origin, port_of_call, inspected_on, result, category, "
                                 "description FROM shared_outcomes WHERE container = ?1 "
                                 "ORDER BY inspected_on DESC, id DESC");
    query.bind(1, number);
    json outcomes = json::array();
    while (query.step()) {
        outcomes.push_back({{"origin", query.column_text(0)},
                            {"port_of_call", query.column_text(1)},
                            {"inspected_on", query.column_text(2)},
                            {"result", query.column_text(3)},
                            {"category", query.column_text(4)},
                            {"description", query.column_text(5)}});
    }
    return outcomes;
}

json scans_of(storage::Database& db, std::int64_t container_id) {
    storage::Statement query(
        db, "SELECT s.scan_id, s.scanned_at, s.scanner_id, s.view, "
            "(SELECT result FROM scan_analyses a WHERE a.scan_row = s.id AND "
            " (a.container_id = ?1 OR a.container_id IS NULL) ORDER BY a.id DESC LIMIT 1) "
            "FROM scan_containers l JOIN scans s ON s.id = l.scan_row "
            "WHERE l.container_id = ?1 ORDER BY s.scanned_at");
    query.bind(1, container_id);
    json scans = json::array();
    while (query.step()) {
        const auto scan_id = query.column_text(0);
        scans.push_back(
            {{"scan_id", scan_id},
             {"scanned_at", query.column_text(1)},
             {"scanner_id", query.column_text(2)},
             {"view", query.column_text(3)},
             {"analysis",
              query.column_is_null(4) ? json(nullptr) : parse_stored_json(query.column_text(4))},
             {"preview_url", "/api/scans/" + scan_id + "/preview.png"}});
    }
    return scans;
}

json history_of(storage::Database& db, const std::string& number, std::int64_t container_id) {
    storage::Statement query(
        db, "SELECT c.id, v.vessel_name, v.eta, v.port_of_call, o.result, o.category "
            "FROM containers c JOIN vessel_calls v ON v.id = c.vessel_call_id "
            "LEFT JOIN outcomes o ON o.container_id = c.id "
            "WHERE c.number = ?1 AND c.id != ?2 ORDER BY v.eta DESC LIMIT 50");
    query.bind(1, number);
    query.bind(2, container_id);
    json history = json::array();
    while (query.step()) {
        history.push_back(
            {{"container_id", query.column_int64(0)},
             {"vessel_name", query.column_text(1)},
             {"eta", query.column_text(2)},
             {"port_of_call", query.column_text(3)},
             {"outcome", query.column_is_null(4) ? json(nullptr) : json(query.column_text(4))},
             {"category", query.column_text(5)}});
    }
    return history;
}

json state_json(const workflow::ContainerState& state) {
    return {{"state", workflow::to_string(state.state)},
            {"lane", state.lane},
            {"source", state.source},
            {"reason", state.reason},
            {"updated_by", state.updated_by},
            {"updated_at", state.updated_at}};
}

/// What this caller may do to a container in its state now.
json allowed_actions(const Caller& caller, workflow::State state) {
    json actions = json::array();
    for (const auto action :
         {workflow::Action::select, workflow::Action::release, workflow::Action::order_scan,
          workflow::Action::order_exam, workflow::Action::record_outcome, workflow::Action::clear,
          workflow::Action::refer}) {
        const bool operator_action =
            action == workflow::Action::clear || action == workflow::Action::refer;
        const auto permission =
            operator_action ? accounts::Permission::scan_work : accounts::Permission::decide;
        if (accounts::allowed(caller.user().role, permission) &&
            workflow::next_state(state, action))
            actions.push_back(workflow::to_string(action));
    }
    return actions;
}

} // namespace

Response get_container(Context& context, const Request&, const Caller& caller,
                       const Segments& segments) {
    require(caller, accounts::Permission::view_container);
    const auto id = id_segment(segments.at(0), "container");
    auto lease = context.readers.acquire();
    auto& db = *lease;
    storage::Transaction snapshot(db, storage::TransactionMode::deferred);
    storage::Statement query(
        db, "SELECT c.number, c.size_type, c.load_status, c.gross_mass_kg, c.tare_mass_kg, "
            "v.id, v.vessel_name, v.imo, v.voyage, v.carrier, v.eta, v.last_port, v.port_of_call, "
            "sc.score, sc.main_source, sc.factors, sc.scored_at "
            "FROM containers c JOIN vessel_calls v ON v.id = c.vessel_call_id "
            "LEFT JOIN scores sc ON sc.container_id = c.id WHERE c.id = ?1");
    query.bind(1, id);
    if (!query.step())
        throw HttpError(404, "no container " + std::to_string(id));
    const auto number = query.column_text(0);
    json record = {{"container_id", id},
                   {"number", number},
                   {"size_type", query.column_text(1)},
                   {"load_status", query.column_text(2)},
                   {"gross_mass_kg", optional_number(query.column_optional_double(3))},
                   {"tare_mass_kg", optional_number(query.column_optional_double(4))},
                   {"vessel_call",
                    {{"vessel_call_id", query.column_int64(5)},
                     {"vessel_name", query.column_text(6)},
                     {"imo", query.column_text(7)},
                     {"voyage", query.column_text(8)},
                     {"carrier", query.column_text(9)},
                     {"eta", query.column_text(10)},
                     {"last_port", query.column_text(11)},
                     {"port_of_call", query.column_text(12)}}}};
    json watchlist_hits = json::array();
    if (query.column_is_null(13)) {
        record["score"] = nullptr;
    } else {
        auto factors = parse_stored_json(query.column_text(15));
        if (!factors.is_array())
            factors = json::array();
        for (const auto& factor : factors) {
            if (factor.value("kind", std::string()) == "watchlist")
                watchlist_hits.push_back({{"id", factor.value("id", std::string())},
                                          {"text", factor.value("text", std::string())},
                                          {"points", factor.value("points", 0.0)}});
        }
        record["score"] = {{"score", query.column_double(13)},
                           {"main_source", query.column_text(14)},
                           {"factors", std::move(factors)},
                           {"scored_at", query.column_text(16)}};
    }
    query.reset();
    record["watchlist_hits"] = std::move(watchlist_hits);

    storage::Statement seals(db, "SELECT number FROM seals WHERE container_id = ?1");
    seals.bind(1, id);
    record["seals"] = json::array();
    while (seals.step())
        record["seals"].push_back(seals.column_text(0));
    record["consignments"] = consignments_of(db, id);
    record["history"] = history_of(db, number, id);
    record["outcome"] = outcome_of(db, id);
    record["scans"] = scans_of(db, id);
    record["shared_alerts"] = shared_alerts_of(db, number);
    record["shared_outcomes"] = shared_outcomes_of(db, number);

    const auto state = workflow::current_state(db, id);
    record["state"] = state ? state_json(*state) : json(nullptr);
    record["allowed_actions"] = state ? allowed_actions(caller, state->state) : json::array();
    json transitions = json::array();
    for (const auto& transition : workflow::history(db, id)) {
        transitions.push_back({{"from_state", transition.from_state},
                               {"to_state", transition.to_state},
                               {"action", transition.action},
                               {"actor", transition.actor},
                               {"reason", transition.reason},
                               {"at", transition.at}});
    }
    record["transitions"] = std::move(transitions);
    json attachments = json::array();
    for (const auto& attachment : workflow::attachments(db, id)) {
        attachments.push_back({{"id", attachment.id},
                               {"filename", attachment.filename},
                               {"content_type", attachment.content_type},
                               {"bytes", attachment.bytes},
                               {"added_by", attachment.added_by},
                               {"added_at", attachment.added_at},
                               {"url", "/api/containers/" + std::to_string(id) + "/attachments/" +
                                           std::to_string(attachment.id)}});
    }
    record["attachments"] = std::move(attachments);
    snapshot.commit();
    context.views->record(caller.actor(), "container:" + number, json{{"container_id", id}}.dump());
    return json_ok(record);
}

namespace {

workflow::OutcomeFields outcome_from(const json& value) {
    if (!value.is_object())
        throw HttpError(400, "outcome must be an object");
    workflow::OutcomeFields outcome;
    const auto text = [&](const char* key) {
        const auto found = value.find(key);
        if (found == value.end() || found->is_null())
            return std::string();
        if (!found->is_string())
            throw HttpError(400, std::string("outcome.") + key + " must be text");
        return found->get<std::string>();
    };
    const auto seizure = value.find("seizure");
    if (seizure == value.end() || !seizure->is_boolean())
        throw HttpError(400, "outcome.seizure must be true or false");
    outcome.seizure = seizure->get<bool>();
    outcome.inspected_on = text("inspected_on");
    outcome.method = text("method");
    outcome.category = text("category");
    outcome.description = text("description");
    outcome.unit = text("unit");
    outcome.concealment = text("concealment");
    outcome.detection = text("detection");
    outcome.place = text("place");
    outcome.notes = text("notes");
    const auto quantity = value.find("quantity");
    if (quantity != value.end() && !quantity->is_null()) {
        if (!quantity->is_number())
            throw HttpError(400, "outcome.quantity must be a number");
        outcome.quantity = quantity->get<double>();
    }
    return outcome;
}

} // namespace

Response post_action(Context& context, const Request& request, const Caller& caller,
                     const Segments& segments) {
    const auto id = id_segment(segments.at(0), "container");
    const auto body = body_json(request);
    const auto action_name = body.value("action", std::string());
    const auto action = workflow::parse_action(action_name);
    if (!action || *action == workflow::Action::scan_attached)
        throw HttpError(400, "unknown action '" + action_name + "'");
    const bool operator_action =
        *action == workflow::Action::clear || *action == workflow::Action::refer;
    require(caller,
            operator_action ? accounts::Permission::scan_work : accounts::Permission::decide);
    workflow::ActionRequest action_request;
    action_request.action = *action;
    const auto text = [&](const char* key) {
        const auto found = body.find(key);
        if (found == body.end() || found->is_null())
            return std::string();
        if (!found->is_string())
            throw HttpError(400, std::string(key) + " must be text");
        return found->get<std::string>();
    };
    action_request.lane = text("lane");
    action_request.reason = text("reason");
    if (body.contains("outcome") && !body["outcome"].is_null())
        action_request.outcome = outcome_from(body["outcome"]);
    const auto state = context.writer.with([&](storage::Database& db) {
        return workflow::apply(db, id, action_request, caller.actor(), utc_now_iso8601());
    });
    publish_state(context, id, workflow::to_string(state.state));
    return json_ok({{"state", state_json(state)}});
}

Response get_worklist(Context& context, const Request&, const Caller& caller, const Segments&) {
    require(caller, accounts::Permission::scan_work);
    auto lease = context.readers.acquire();
    // Ordered scans first, then the yellow lane of the open days' selections not yet scanned,
    // then scans waiting for the operator's decision (clear or refer).
    storage::Statement query(
        *lease, "SELECT c.id, c.number, v.vessel_name, v.eta, " + std::string(kStateSql) + ", " +
                    std::string(kLaneSql) +
                    ", sc.score, "
                    "(SELECT count(*) FROM scan_containers l WHERE l.container_id = c.id), "
                    "w.updated_at FROM containers c "
                    "JOIN vessel_calls v ON v.id = c.vessel_call_id "
                    "LEFT JOIN scores sc ON sc.container_id = c.id "
                    "LEFT JOIN selections s ON s.container_id = c.id "
                    "LEFT JOIN workflow w ON w.container_id = c.id "
                    "LEFT JOIN outcomes o ON o.container_id = c.id "
                    "WHERE w.state IN ('scan_ordered', 'scanned') "
                    "OR (v.eta >= strftime('%Y-%m-%d', 'now', '-2 days') AND "
                    "((w.state IS NULL AND o.container_id IS NULL AND s.lane = 'yellow') "
                    "OR (w.state = 'selected' AND w.lane = 'yellow'))) "
                    "ORDER BY CASE w.state WHEN 'scan_ordered' THEN 0 WHEN 'scanned' THEN 2 "
                    "ELSE 1 END, v.eta, sc.score DESC LIMIT 500");
    json rows = json::array();
    while (query.step()) {
        rows.push_back({{"container_id", query.column_int64(0)},
                        {"number", query.column_text(1)},
                        {"vessel_name", query.column_text(2)},
                        {"eta", query.column_text(3)},
                        {"state", query.column_text(4)},
                        {"lane", query.column_text(5)},
                        {"score", optional_number(query.column_optional_double(6))},
                        {"scans", query.column_int64(7)},
                        {"ordered_at", query.column_text(8)}});
    }
    return json_ok({{"rows", std::move(rows)}});
}

Response post_attachment(Context& context, const Request& request, const Caller& caller,
                         const Segments& segments) {
    require(caller, accounts::Permission::decide);
    const auto id = id_segment(segments.at(0), "container");
    const auto filename = request.param("filename");
    const auto content_type = std::string(request.header("content-type"));
    const auto attachment = context.writer.with([&](storage::Database& db) {
        return workflow::add_attachment(db, context.options.data_dir, id, filename,
                                        content_type.empty() ? "application/octet-stream"
                                                             : content_type,
                                        request.body, caller.actor(), utc_now_iso8601());
    });
    return json_ok({{"id", attachment.id},
                    {"filename", attachment.filename},
                    {"bytes", attachment.bytes},
                    {"sha256", attachment.sha256}});
}

Response get_attachment(Context& context, const Request&, const Caller& caller,
                        const Segments& segments) {
    require(caller, accounts::Permission::view_container);
    const auto id = id_segment(segments.at(0), "container");
    const auto attachment_id = id_segment(segments.at(1), "attachment");
    auto lease = context.readers.acquire();
    for (const auto& attachment : workflow::attachments(*lease, id)) {
        if (attachment.id != attachment_id)
            continue;
        Response response;
        response.file = workflow::attachment_path(context.options.data_dir, attachment.sha256);
        // Served as a download, never rendered in the node's origin.
        response.content_type = "application/octet-stream";
        auto filename = attachment.filename; // quoted below, so no quote may end it early
        std::replace_if(
            filename.begin(), filename.end(), [](char c) { return c == '"' || c == '\\'; }, '_');
        response.headers.emplace_back("Content-Disposition",
                                      "attachment; filename=\"" + filename + "\"");
        return response;
    }
    throw HttpError(404, "no attachment " + segments.at(1) + " on container " + segments.at(0));
}

} // namespace portscreen::ui_web::detail
