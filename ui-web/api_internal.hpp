#pragma once

// Shared by the API's source files only.

#include "accounts/login.hpp"
#include "accounts/role.hpp"
#include "accounts/sessions.hpp"
#include "api.hpp"
#include "event_hub.hpp"
#include "http.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace portscreen::ui_web::detail {

using json = nlohmann::json;

/// Reader connections, one borrowed per request and returned after it.
class ReaderPool {
public:
    explicit ReaderPool(std::filesystem::path database) : database_(std::move(database)) {}

    class Lease {
    public:
        Lease(ReaderPool& pool, std::unique_ptr<storage::Database> db)
            : pool_(pool), db_(std::move(db)) {}
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        ~Lease() { pool_.give_back(std::move(db_)); }
        storage::Database& operator*() { return *db_; }

    private:
        ReaderPool& pool_;
        std::unique_ptr<storage::Database> db_;
    };

    Lease acquire();

private:
    void give_back(std::unique_ptr<storage::Database> db);

    std::filesystem::path database_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<storage::Database>> idle_;
};

/// The API's one writer connection, used by one request at a time.
class Writer {
public:
    explicit Writer(std::filesystem::path database) : database_(std::move(database)) {}

    template <class F> auto with(F&& f) {
        std::lock_guard lock(mutex_);
        if (!db_)
            db_ = std::make_unique<storage::Database>(
                storage::Database::open(database_, storage::Access::writer));
        return f(*db_);
    }

private:
    std::filesystem::path database_;
    std::mutex mutex_;
    std::unique_ptr<storage::Database> db_;
};

/// Views of container records are audited in batches: one commit a quarter second rather than
/// one per page view keeps the pages fast; a crash loses at most that quarter second of views.
class ViewAuditor {
public:
    explicit ViewAuditor(Writer& writer);
    ~ViewAuditor();
    void record(std::string actor, std::string subject, std::string detail);

private:
    struct Entry {
        std::string actor, subject, detail, at;
    };
    void run();
    void flush(std::vector<Entry>& batch);

    Writer& writer_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<Entry> queue_;
    bool stopping_ = false;
    std::thread thread_;
};

/// The person behind a request.
struct Caller {
    accounts::Session session;
    const accounts::User& user() const { return session.user; }
    std::string actor() const { return session.user.username; }
};

struct Context {
    Context(ApiOptions options_, EventHub& hub_)
        : options(std::move(options_)), hub(hub_), readers(options.data_dir / "portscreen.db"),
          writer(options.data_dir / "portscreen.db"), sessions{options.session_idle,
                                                               options.session_absolute},
          views(std::make_unique<ViewAuditor>(writer)) {}

    ApiOptions options;
    EventHub& hub;
    ReaderPool readers;
    Writer writer;
    accounts::LoginThrottle throttle;
    accounts::SessionOptions sessions;
    std::unique_ptr<ViewAuditor> views;
};

/// An exception a handler throws to answer with an error.
struct HttpError : std::runtime_error {
    HttpError(int status_code, const std::string& message, std::vector<std::string> problems_ = {})
        : std::runtime_error(message), status(status_code), problems(std::move(problems_)) {}
    int status;
    std::vector<std::string> problems;
};

/// Checks the caller's role; throws 403 naming the role and what it may not do.
void require(const Caller& caller, accounts::Permission permission);
/// The request body as a JSON object; throws 400 naming the problem.
json body_json(const Request& request);
/// A required positive integer id from a path segment; throws 404.
std::int64_t id_segment(std::string_view segment, std::string_view what);
/// A YYYY-MM-DD day from the query, today (UTC) by default; throws 400.
std::string day_param(const Request& request, const std::string& name = "day");
Response json_ok(const json& value);
/// JSON the node stored itself (an analysis, an audit detail); null if it no longer parses.
json parse_stored_json(std::string_view text);

// Handlers, one per route, in api_pages.cpp, api_scans.cpp and api_admin.cpp.
using Segments = std::vector<std::string>;
Response get_arrivals(Context&, const Request&, const Caller&, const Segments&);
Response get_queue(Context&, const Request&, const Caller&, const Segments&);
Response get_container(Context&, const Request&, const Caller&, const Segments&);
Response post_action(Context&, const Request&, const Caller&, const Segments&);
Response get_worklist(Context&, const Request&, const Caller&, const Segments&);
Response get_vocabulary(Context&, const Request&, const Caller&, const Segments&);
Response post_attachment(Context&, const Request&, const Caller&, const Segments&);
Response get_attachment(Context&, const Request&, const Caller&, const Segments&);

Response get_unmatched(Context&, const Request&, const Caller&, const Segments&);
Response post_link(Context&, const Request&, const Caller&, const Segments&);
Response post_scan(Context&, const Request&, const Caller&, const Segments&);
Response get_scan(Context&, const Request&, const Caller&, const Segments&);
Response get_scan_file(Context&, const Request&, const Caller&, const Segments&);
Response post_region(Context&, const Request&, const Caller&, const Segments&);
Response post_review(Context&, const Request&, const Caller&, const Segments&);

Response get_stats(Context&, const Request&, const Caller&, const Segments&);
Response get_export(Context&, const Request&, const Caller&, const Segments&);
Response get_users(Context&, const Request&, const Caller&, const Segments&);
Response post_user(Context&, const Request&, const Caller&, const Segments&);
Response post_user_disable(Context&, const Request&, const Caller&, const Segments&);
Response get_audit(Context&, const Request&, const Caller&, const Segments&);
Response get_audit_verify(Context&, const Request&, const Caller&, const Segments&);

/// Publishes a workflow change to the browsers.
void publish_state(Context& context, std::int64_t container_id, std::string_view state);

} // namespace portscreen::ui_web::detail
