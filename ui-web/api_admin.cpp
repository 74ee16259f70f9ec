// The programme manager's figures and exports, and the administrator's users, audit log and
// sharing status.

#include "accounts/users.hpp"
#include "api_internal.hpp"
#include "audit/audit.hpp"
#include "common/clock.hpp"
#include "common/log.hpp"
#include "exports/document.hpp"
#include "exports/statistics.hpp"
#include "sharing/identity.hpp"
#include "sharing/store.hpp"

#include <filesystem>

namespace portscreen::ui_web::detail {
namespace {

exports::Period period_of(const Request& request) {
    const auto today = utc_now_iso8601().substr(0, 10);
    auto from = request.param("from");
    if (from.empty()) // the last twelve months, from the first of the month a year ago
        from = std::to_string(std::stoi(today.substr(0, 4)) - 1) + today.substr(4, 3) + "-01";
    return exports::parse_period(from, request.param("to", today));
}

/// The node's name for sharing (DATA/keys/node.json), or empty when it has none: the unit of
/// its own rows in network exports. A damaged file is logged and the rows say "this node".
std::string own_unit(const Context& context) {
    const auto file = sharing::identity_path(context.options.data_dir);
    std::error_code error;
    if (!std::filesystem::exists(file, error))
        return {};
    try {
        return sharing::load_identity(file).public_part.name;
    } catch (const std::exception& e) {
        log::warn("http", std::string("network export without the node's name: ").append(e.what()));
        return {};
    }
}

/// A yes/no query parameter: "1" or "true" is yes, absent, "0" or "false" no; anything else 400.
bool flag_param(const Request& request, const std::string& name) {
    const auto value = request.param(name);
    if (value.empty() || value == "0" || value == "false")
        return false;
    if (value == "1" || value == "true")
        return true;
    throw HttpError(400, name + " must be 1 or 0, not '" + value + "'");
}

json user_row(const accounts::User& user) {
    return {{"username", user.username},
            {"display_name", user.display_name},
            {"role", accounts::to_string(user.role)},
            {"disabled", user.disabled},
            {"created_at", user.created_at}};
}

} // namespace

Response get_stats(Context& context, const Request& request, const Caller& caller,
                   const Segments&) {
    require(caller, accounts::Permission::view_stats);
    const auto period = period_of(request);
    auto lease = context.readers.acquire();
    return json_response(exports::statistics_json(exports::statistics(*lease, period)));
}

Response get_export(Context& context, const Request& request, const Caller& caller,
                    const Segments& segments) {
    require(caller, accounts::Permission::export_data);
    const auto& file = segments.at(0);
    const auto dot = file.rfind('.');
    const auto what = exports::parse_what(file.substr(0, dot));
    const auto format =
        dot == std::string::npos ? std::nullopt : exports::parse_format(file.substr(dot + 1));
    if (!what || !format)
        throw HttpError(404, "no export '" + file +
                                 "'; there are selections, outcomes, seizures and statistics as "
                                 ".csv, .xlsx or .json");
    const auto period = period_of(request);
    exports::Scope scope;
    scope.network = flag_param(request, "network");
    if (scope.network && *what != exports::What::outcomes && *what != exports::What::statistics)
        throw HttpError(400, "the network view is for outcomes and statistics, not " +
                                 std::string(exports::to_string(*what)));
    if (scope.network)
        scope.own_unit = own_unit(context);
    auto document = [&] {
        auto lease = context.readers.acquire();
        return exports::export_document(*lease, *what, *format, period, scope);
    }();
    context.writer.with([&](storage::Database& db) {
        storage::Transaction transaction(db);
        audit::append(
            db, caller.actor(), "export." + std::string(exports::to_string(*format)),
            "export:" + std::string(exports::to_string(*what)),
            json{{"from", period.from}, {"to", period.to}, {"network", scope.network}}.dump(),
            utc_now_iso8601());
        transaction.commit();
    });
    Response response;
    response.body = std::move(document.bytes);
    response.content_type = document.content_type;
    response.headers.emplace_back("Content-Disposition",
                                  "attachment; filename=\"" + document.filename + "\"");
    return response;
}

Response get_users(Context& context, const Request&, const Caller& caller, const Segments&) {
    require(caller, accounts::Permission::manage_users);
    auto lease = context.readers.acquire();
    json rows = json::array();
    for (const auto& user : accounts::list_users(*lease))
        rows.push_back(user_row(user));
    return json_ok({{"rows", std::move(rows)}});
}

Response post_user(Context& context, const Request& request, const Caller& caller,
                   const Segments&) {
    require(caller, accounts::Permission::manage_users);
    const auto body = body_json(request);
    const auto role_name = body.value("role", std::string());
    const auto role = accounts::parse_role(role_name);
    if (!role)
        throw HttpError(400, "role must be officer, operator, manager or admin, not '" + role_name +
                                 "'");
    const auto user = context.writer.with([&](storage::Database& db) {
        return accounts::add_user(
            db, body.value("username", std::string()), body.value("display_name", std::string()),
            *role, body.value("password", std::string()), caller.actor(), utc_now_iso8601());
    });
    return json_ok(user_row(user));
}

Response post_user_disable(Context& context, const Request&, const Caller& caller,
                           const Segments& segments) {
    require(caller, accounts::Permission::manage_users);
    if (segments.at(0) == caller.actor())
        throw HttpError(409, "you cannot disable your own account");
    context.writer.with([&](storage::Database& db) {
        accounts::disable_user(db, segments.at(0), caller.actor(), utc_now_iso8601());
    });
    return json_ok({{"username", segments.at(0)}, {"disabled", true}});
}

Response get_audit(Context& context, const Request& request, const Caller& caller,
                   const Segments&) {
    require(caller, accounts::Permission::view_audit);
    std::int64_t after = 0;
    std::size_t limit = 200;
    try {
        if (!request.param("after").empty())
            after = std::stoll(request.param("after"));
        if (!request.param("limit").empty())
            limit = std::clamp<std::size_t>(std::stoul(request.param("limit")), 1, 1000);
    } catch (const std::exception&) {
        throw HttpError(400, "after and limit must be numbers");
    }
    auto lease = context.readers.acquire();
    json rows = json::array();
    for (const auto& entry : audit::list(*lease, after, limit, request.param("subject"))) {
        rows.push_back({{"seq", entry.seq},
                        {"at", entry.at},
                        {"actor", entry.actor},
                        {"action", entry.action},
                        {"subject", entry.subject},
                        {"detail", parse_stored_json(entry.detail)}});
    }
    return json_ok({{"rows", std::move(rows)}});
}

Response get_audit_verify(Context& context, const Request&, const Caller& caller, const Segments&) {
    require(caller, accounts::Permission::view_audit);
    auto lease = context.readers.acquire();
    const auto result = audit::verify(*lease);
    return json_ok({{"ok", result.ok},
                    {"entries", result.entries},
                    {"first_bad_seq", result.first_bad_seq},
                    {"problem", result.problem}});
}

Response get_sharing_status(Context& context, const Request&, const Caller& caller,
                            const Segments&) {
    require(caller, accounts::Permission::manage_users);
    const auto& options = context.options.sharing;
    auto lease = context.readers.acquire();
    json peers = json::array();
    for (const auto& peer : sharing::peer_status(*lease, options)) {
        peers.push_back(
            {{"name", peer.name},
             {"endpoint", peer.endpoint},
             {"connected", peer.connected},
             {"last_seen", peer.last_seen.empty() ? json(nullptr) : json(peer.last_seen)},
             {"backlog", peer.backlog},
             {"acknowledged", peer.acknowledged},
             {"received", peer.received},
             {"refused", peer.refused}});
    }
    return json_ok({{"node", own_unit(context)},
                    {"endpoint", options.endpoint},
                    {"enabled", !options.endpoint.empty()},
                    {"hub", options.hub},
                    {"peers", std::move(peers)}});
}

} // namespace portscreen::ui_web::detail
