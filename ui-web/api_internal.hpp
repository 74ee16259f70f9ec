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
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
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

/// One row of a day's queue, in rank order. The top factor is looked up only for the rows of
/// the page asked for: parsing every explanation of a day would double the cost of a build.
struct QueueRow {
    std::int64_t container_id = 0;
    std::string number, vessel_name, eta, main_source, scored_at, state, lane;
    std::optional<double> score;
    std::int64_t rank = 0;
};

/// A day's whole queue at one database version.
struct QueueSnapshot {
    std::int64_t scan_capacity = 0, exam_capacity = 0, scan_used = 0, exam_used = 0;
    std::vector<QueueRow> rows;
};

/// The last queue built per day, rebuilt when any connection committed since (PRAGMA
/// data_version on a connection of its own). Reading a day's queue means reading and ordering
/// every container of the day, about 30 ms for 20,000; officers ask for it far more often than
/// the database changes. One build at a time; thread-safe.
class QueueCache {
public:
    explicit QueueCache(std::filesystem::path database) : database_(std::move(database)) {}
    /// The day's queue, built by `build` on the cache's own connection when missing or stale.
    std::shared_ptr<const QueueSnapshot>
    get(const std::string& day,
        const std::function<QueueSnapshot(storage::Database&, const std::string&)>& build);

    /// The text of the row's largest positive factor, kept per container until it is scored
    /// again, so a page of the queue parses no explanation it parsed before.
    std::string top_factor(storage::Database& db, const QueueRow& row);

private:
    std::filesystem::path database_;
    std::mutex mutex_;
    std::unique_ptr<storage::Database> db_;
    std::int64_t stamp_ = -1;
    std::map<std::string, std::shared_ptr<const QueueSnapshot>> by_day_;
    std::mutex factors_mutex_;
    std::unordered_map<std::int64_t, std::pair<std::string, std::string>> factors_; // at, text
};

struct Context {
    Context(ApiOptions options_, EventHub& hub_)
        : options(std::move(options_)), hub(hub_), readers(options.data_dir / "portscreen.db"),
          writer(options.data_dir / "portscreen.db"), sessions{options.session_idle,
                                                               options.session_absolute},
          views(std::make_unique<ViewAuditor>(writer)),
          queue_cache(options.data_dir / "portscreen.db") {}

    ApiOptions options;
    EventHub& hub;
    ReaderPool readers;
    Writer writer;
    accounts::LoginThrottle throttle;
    accounts::SessionOptions sessions;
    std::unique_ptr<ViewAuditor> views;
    QueueCache queue_cache;
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
/// The text of the largest positive factor of a score's explanation (JSON), for one line.
std::string largest_factor_text(std::string_view factors_text);
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
Response get_sharing_status(Context&, const Request&, const Caller&, const Segments&);

/// Publishes a workflow change to the browsers.
void publish_state(Context& context, std::int64_t container_id, std::string_view state);

} // namespace portscreen::ui_web::detail
