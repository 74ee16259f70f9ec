#pragma once

#include "http.hpp"
#include "sharing/policy.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace portscreen::ui_web {

class EventHub;

struct ApiOptions {
    std::filesystem::path data_dir;   ///< the node's data folder (database, images, derived)
    std::filesystem::path static_dir; ///< the built frontend; empty serves no pages
    std::string scan_endpoint;        ///< the node's own scan endpoint, for browser uploads
    std::chrono::seconds session_idle{30 * 60};
    std::chrono::seconds session_absolute{12 * 3600};
    bool secure_cookies = false; ///< mark cookies Secure (behind a TLS proxy)
    /// The node's sharing configuration: its peers, for the administrator's sharing status.
    sharing::SharingOptions sharing;
};

/// The node's web API and static pages: authenticates each request by its session cookie,
/// checks CSRF tokens and roles, and answers from the database. Thread-safe: each request
/// borrows a reader connection; writes go through one writer connection at a time.
class Api {
public:
    Api(ApiOptions options, EventHub& hub);
    ~Api();
    Api(const Api&) = delete;
    Api& operator=(const Api&) = delete;

    Response handle(const Request& request);

    /// Requests that may carry large bodies (image and attachment uploads).
    static bool is_upload(std::string_view method, std::string_view path);

    /// Tells the API a scan was stored and linked: containers waiting for it move to
    /// "scanned", and the browsers hear of it.
    void scan_stored(const std::string& scan_id);
    /// Tells the browsers that containers of a vessel call have new scores.
    void scored(std::int64_t vessel_call_id, std::size_t count);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace portscreen::ui_web
