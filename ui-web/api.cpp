#include "api.hpp"

#include "api_internal.hpp"
#include "audit/audit.hpp"
#include "common/clock.hpp"
#include "common/log.hpp"
#include "static_path.hpp"
#include "workflow/workflow.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace portscreen::ui_web {

using namespace detail;

namespace detail {

ReaderPool::Lease ReaderPool::acquire() {
    {
        std::lock_guard lock(mutex_);
        if (!idle_.empty()) {
            auto db = std::move(idle_.back());
            idle_.pop_back();
            return Lease(*this, std::move(db));
        }
    }
    return Lease(*this, std::make_unique<storage::Database>(
                            storage::Database::open(database_, storage::Access::reader)));
}

void ReaderPool::give_back(std::unique_ptr<storage::Database> db) {
    if (!db || db->in_transaction())
        return; // a connection left mid-transaction by an exception is not reused
    std::lock_guard lock(mutex_);
    if (idle_.size() < 16)
        idle_.push_back(std::move(db));
}

ViewAuditor::ViewAuditor(Writer& writer) : writer_(writer), thread_([this] { run(); }) {}

ViewAuditor::~ViewAuditor() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void ViewAuditor::record(std::string actor, std::string subject, std::string detail) {
    std::lock_guard lock(mutex_);
    if (queue_.size() < 100'000) // beyond this the writer is failing: the log says so
        queue_.push_back(
            {std::move(actor), std::move(subject), std::move(detail), utc_now_iso8601()});
    wake_.notify_one();
}

void ViewAuditor::run() {
    std::unique_lock lock(mutex_);
    while (true) {
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        const bool last = stopping_;
        lock.unlock();
        if (!last)
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
        lock.lock();
        std::vector<Entry> batch;
        batch.swap(queue_);
        lock.unlock();
        flush(batch);
        lock.lock();
        if (last && queue_.empty())
            return;
    }
}

void ViewAuditor::flush(std::vector<Entry>& batch) {
    if (batch.empty())
        return;
    try {
        writer_.with([&](storage::Database& db) {
            storage::Transaction transaction(db);
            for (const auto& entry : batch)
                audit::append(db, entry.actor, "container.view", entry.subject, entry.detail,
                              entry.at);
            transaction.commit();
        });
    } catch (const std::exception& e) {
        log::error("http", "cannot write " + std::to_string(batch.size()) +
                               " container views to the audit log: " + e.what());
    }
}

/// The text of the largest positive factor of a score, for one line in the queue.
std::string largest_factor_text(std::string_view factors_text) {
    const auto factors = json::parse(factors_text, nullptr, false);
    if (!factors.is_array())
        return {};
    std::string best;
    double best_points = 0;
    for (const auto& factor : factors) {
        const double points = factor.value("points", 0.0);
        if (points > best_points) {
            best_points = points;
            best = factor.value("text", std::string());
        }
    }
    return best;
}

std::shared_ptr<const QueueSnapshot>
QueueCache::get(const std::string& day,
                const std::function<QueueSnapshot(storage::Database&, const std::string&)>& build) {
    std::lock_guard lock(mutex_);
    if (!db_)
        db_ = std::make_unique<storage::Database>(
            storage::Database::open(database_, storage::Access::reader));
    // Changes when any other connection committed since this one last asked.
    const auto stamp = db_->query_int64("PRAGMA data_version");
    if (stamp != stamp_ || by_day_.size() > 31) {
        by_day_.clear();
        stamp_ = stamp;
    }
    auto& cached = by_day_[day];
    if (!cached)
        cached = std::make_shared<const QueueSnapshot>(build(*db_, day));
    return cached;
}

std::string QueueCache::top_factor(storage::Database& db, const QueueRow& row) {
    {
        std::lock_guard lock(factors_mutex_);
        const auto found = factors_.find(row.container_id);
        if (found != factors_.end() && found->second.first == row.scored_at)
            return found->second.second;
    }
    storage::Statement query(db, "SELECT factors FROM scores WHERE container_id = ?1");
    query.bind(1, row.container_id);
    const auto factors = query.query_text();
    auto text = factors ? largest_factor_text(*factors) : std::string();
    std::lock_guard lock(factors_mutex_);
    if (factors_.size() > 200'000)
        factors_.clear();
    factors_[row.container_id] = {row.scored_at, text};
    return text;
}

void require(const Caller& caller, accounts::Permission permission) {
    if (!accounts::allowed(caller.user().role, permission))
        throw HttpError(403, std::string("the ") + std::string(to_string(caller.user().role)) +
                                 " role may not " + std::string(accounts::to_string(permission)));
}

json body_json(const Request& request) {
    if (!request.header("content-type").starts_with("application/json"))
        throw HttpError(415, "the body must be JSON (Content-Type: application/json)");
    json value = json::parse(request.body, nullptr, false);
    if (value.is_discarded() || !value.is_object())
        throw HttpError(400, "the body is not a JSON object");
    return value;
}

std::int64_t id_segment(std::string_view segment, std::string_view what) {
    std::int64_t value = 0;
    if (segment.empty() || segment.size() > 18)
        throw HttpError(404, "no " + std::string(what) + " '" + std::string(segment) + "'");
    for (const char c : segment) {
        if (c < '0' || c > '9')
            throw HttpError(404, "no " + std::string(what) + " '" + std::string(segment) + "'");
        value = value * 10 + (c - '0');
    }
    return value;
}

std::string day_param(const Request& request, const std::string& name) {
    auto day = request.param(name);
    if (day.empty())
        return utc_now_iso8601().substr(0, 10);
    const bool shape = day.size() == 10 && day[4] == '-' && day[7] == '-' &&
                       std::all_of(day.begin(), day.end(),
                                   [](char c) { return (c >= '0' && c <= '9') || c == '-'; });
    if (!shape)
        throw HttpError(400, name + " must be a day YYYY-MM-DD, not '" + day + "'");
    return day;
}

Response json_ok(const json& value) {
    // Stored text (a file name, a scan id) may hold bytes that are not UTF-8.
    return json_response(value.dump(-1, ' ', false, json::error_handler_t::replace));
}

json parse_stored_json(std::string_view text) {
    auto value = json::parse(text, nullptr, false);
    return value.is_discarded() ? json(nullptr) : value;
}

void publish_state(Context& context, std::int64_t container_id, std::string_view state) {
    context.hub.publish("workflow", json{{"container_id", container_id}, {"state", state}}.dump());
}

} // namespace detail

namespace {

constexpr std::string_view kCookie = "portscreen_session";

using RouteHandler = Response (*)(Context&, const Request&, const Caller&, const Segments&);

struct Route {
    std::string_view method;
    std::string_view pattern; ///< "/api/containers/*/actions": '*' matches one segment
    RouteHandler handler;
};

constexpr std::array kRoutes{
    Route{"GET", "/api/arrivals", get_arrivals},
    Route{"GET", "/api/queue", get_queue},
    Route{"GET", "/api/vocabulary", get_vocabulary},
    Route{"GET", "/api/containers/*", get_container},
    Route{"POST", "/api/containers/*/actions", post_action},
    Route{"POST", "/api/containers/*/attachments", post_attachment},
    Route{"GET", "/api/containers/*/attachments/*", get_attachment},
    Route{"GET", "/api/worklist", get_worklist},
    Route{"GET", "/api/scans/unmatched", get_unmatched},
    Route{"POST", "/api/scans", post_scan},
    Route{"GET", "/api/scans/*", get_scan},
    Route{"POST", "/api/scans/*/link", post_link},
    Route{"POST", "/api/scans/*/regions", post_region},
    Route{"POST", "/api/scans/*/review", post_review},
    Route{"GET", "/api/scans/*/*", get_scan_file},
    Route{"GET", "/api/scans/*/image_files/*/*", get_scan_file},
    Route{"GET", "/api/stats", get_stats},
    Route{"GET", "/api/exports/*", get_export},
    Route{"GET", "/api/users", get_users},
    Route{"POST", "/api/users", post_user},
    Route{"POST", "/api/users/*/disable", post_user_disable},
    Route{"GET", "/api/audit", get_audit},
    Route{"GET", "/api/audit/verify", get_audit_verify},
    Route{"GET", "/api/sharing/status", get_sharing_status},
};

std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> segments;
    while (!path.empty()) {
        if (path.front() == '/') {
            path.remove_prefix(1);
            continue;
        }
        const auto end = path.find('/');
        segments.emplace_back(path.substr(0, end));
        path = end == std::string_view::npos ? std::string_view{} : path.substr(end);
    }
    return segments;
}

/// Matches a route pattern; the segments that '*' matched are returned decoded.
std::optional<Segments> match(std::string_view pattern, const std::vector<std::string>& path) {
    const auto parts = split_path(pattern);
    if (parts.size() != path.size())
        return std::nullopt;
    Segments captured;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (parts[i] == "*") {
            std::string decoded;
            if (!percent_decode(path[i], decoded))
                return std::nullopt;
            captured.push_back(std::move(decoded));
        } else if (parts[i] != path[i]) {
            return std::nullopt;
        }
    }
    return captured;
}

bool equal_constant_time(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    unsigned char difference = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        difference |= static_cast<unsigned char>(a[i] ^ b[i]);
    return difference == 0;
}

json user_json(const accounts::User& user) {
    return {{"username", user.username},
            {"display_name", user.display_name},
            {"role", accounts::to_string(user.role)}};
}

std::string content_type_for(const std::filesystem::path& file) {
    const auto extension = file.extension().string();
    static const std::array<std::pair<std::string_view, std::string_view>, 12> types{{
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},
        {".map", "application/json"},
    }};
    for (const auto& [ext, type] : types) {
        if (extension == ext)
            return std::string(type);
    }
    return "application/octet-stream";
}

} // namespace

struct Api::Impl {
    Impl(ApiOptions options, EventHub& hub) : context(std::move(options), hub) {}

    std::string session_cookie(const std::string& token, bool clear) const {
        std::string cookie(kCookie);
        cookie.append("=").append(clear ? "" : token).append("; Path=/; HttpOnly; SameSite=Strict");
        if (clear)
            cookie.append("; Max-Age=0");
        if (context.options.secure_cookies)
            cookie.append("; Secure");
        return cookie;
    }

    std::optional<accounts::Session> session_of(const Request& request, const std::string& now) {
        const auto token = request.cookie(kCookie);
        if (token.empty())
            return std::nullopt;
        auto lease = context.readers.acquire();
        auto session = accounts::find_session(*lease, token, now, context.sessions);
        if (session && accounts::needs_touch(session->last_seen_at, now)) {
            context.writer.with(
                [&](storage::Database& db) { accounts::touch_session(db, token, now); });
        }
        if (session)
            session->token = token;
        return session;
    }

    Response login(const Request& request) {
        // A cross-site form cannot send JSON without a preflight, and a browser names the
        // page's origin: together they stop login CSRF.
        const auto origin = request.header("origin");
        if (!origin.empty() && !origin.ends_with("//" + std::string(request.header("host"))))
            throw HttpError(403, "login from another site is refused");
        const auto body = body_json(request);
        const auto username = body.value("username", std::string());
        const auto password = body.value("password", std::string());
        if (username.empty() || password.empty())
            throw HttpError(400, "username and password are required");
        const auto now = utc_now_iso8601();
        const auto result = context.writer.with([&](storage::Database& db) {
            return accounts::login(db, context.throttle, username, password, request.peer, now,
                                   context.sessions);
        });
        if (result.status == accounts::LoginResult::Status::throttled) {
            auto response = json_response(json{{"error", "too many failed logins; try again later"},
                                               {"problems", json::array()},
                                               {"retry_after_s", result.retry_after.count()}}
                                              .dump(),
                                          429);
            response.headers.emplace_back("Retry-After",
                                          std::to_string(result.retry_after.count()));
            return response;
        }
        if (result.status != accounts::LoginResult::Status::ok || !result.session)
            throw HttpError(401, "unknown user or wrong password");
        auto response = json_ok({{"user", user_json(result.session->user)},
                                 {"csrf_token", result.session->csrf_token}});
        response.headers.emplace_back("Set-Cookie", session_cookie(result.session->token, false));
        return response;
    }

    Response serve_static(const Request& request) {
        if (request.method != "GET" && request.method != "HEAD")
            return error_response(405, "method not allowed");
        if (context.options.static_dir.empty())
            return error_response(404, "this node serves no pages");
        const auto relative = static_file_for(request.target);
        if (!relative)
            return error_response(400, "bad path");
        auto file = context.options.static_dir / *relative;
        std::error_code ec;
        if (!std::filesystem::is_regular_file(file, ec)) {
            // The app's own routes (/queue, /scan/ID) load the app, which then draws the page;
            // a missing bundle file is a plain 404.
            if (relative->starts_with("assets/"))
                return error_response(404, "not found");
            file = context.options.static_dir / "index.html";
        }
        Response response;
        response.file = file;
        response.content_type = content_type_for(file);
        response.headers.emplace_back("Cache-Control", relative->starts_with("assets/")
                                                           ? "public, max-age=31536000, immutable"
                                                           : "no-cache");
        return response;
    }

    Response handle(const Request& request) {
        if (!request.path.starts_with("/api/") && request.path != "/api")
            return serve_static(request);
        if (request.method == "POST" && request.path == "/api/login")
            return login(request);

        const auto now = utc_now_iso8601();
        auto session = session_of(request, now);
        if (!session)
            throw HttpError(401, "not logged in, or the session has expired");
        const Caller caller{std::move(*session)};
        const bool changes_state = request.method != "GET" && request.method != "HEAD";
        if (changes_state &&
            !equal_constant_time(request.header("x-csrf-token"), caller.session.csrf_token))
            throw HttpError(403, "missing or wrong CSRF token (header X-CSRF-Token)");

        if (request.path == "/api/session" && request.method == "GET")
            return json_ok(
                {{"user", user_json(caller.user())}, {"csrf_token", caller.session.csrf_token}});
        if (request.path == "/api/logout" && request.method == "POST") {
            context.writer.with([&](storage::Database& db) {
                accounts::end_session(db, caller.session.token, caller.actor(), now);
            });
            auto response = json_ok(json::object());
            response.headers.emplace_back("Set-Cookie", session_cookie("", true));
            return response;
        }
        if (request.path == "/api/events" && request.method == "GET") {
            Response response;
            response.event_stream = true;
            return response;
        }

        const auto path = split_path(request.path);
        bool path_known = false;
        for (const auto& route : kRoutes) {
            const auto captured = match(route.pattern, path);
            if (!captured)
                continue;
            path_known = true;
            if (route.method != request.method)
                continue;
            return route.handler(context, request, caller, *captured);
        }
        if (path_known)
            throw HttpError(405, request.method + " is not allowed on " + request.path);
        throw HttpError(404, "no API at " + request.path);
    }

    Context context;
};

Api::Api(ApiOptions options, EventHub& hub)
    : impl_(std::make_unique<Impl>(std::move(options), hub)) {}

Api::~Api() = default;

Response Api::handle(const Request& request) {
    try {
        return impl_->handle(request);
    } catch (const HttpError& e) {
        return error_response(e.status, e.what(), e.problems);
    } catch (const workflow::Refused& e) {
        return error_response(e.kind() == workflow::RefusalKind::conflict ? 409 : 400, e.what(),
                              e.problems());
    } catch (const std::invalid_argument& e) {
        return error_response(400, e.what());
    } catch (const std::out_of_range& e) {
        return error_response(404, e.what());
    } catch (const json::type_error& e) {
        // A body member of another type than the handler reads (a string for a number).
        return error_response(400,
                              std::string("a member of the body has the wrong type: ") + e.what());
    } catch (const storage::Error& e) {
        if (e.is_busy())
            return error_response(503, "the database is busy; try again");
        throw;
    }
}

bool Api::is_upload(std::string_view method, std::string_view path) {
    return method == "POST" && (path == "/api/scans" || (path.starts_with("/api/containers/") &&
                                                         path.ends_with("/attachments")));
}

void Api::scan_stored(const std::string& scan_id) {
    auto& context = impl_->context;
    try {
        const auto moved = context.writer.with([&](storage::Database& db) {
            return workflow::scan_attached(db, scan_id, "system", utc_now_iso8601());
        });
        for (const auto id : moved)
            publish_state(context, id, "scanned");
    } catch (const std::exception& e) {
        log::error("http",
                   "scan " + scan_id + ": cannot move its containers to scanned: " + e.what());
    }
    context.hub.publish("scan", json{{"scan_id", scan_id}}.dump());
}

void Api::scored(std::int64_t vessel_call_id, std::size_t count) {
    impl_->context.hub.publish("scored",
                               json{{"vessel_call_id", vessel_call_id}, {"count", count}}.dump());
}

} // namespace portscreen::ui_web
