#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// The server's view of one HTTP exchange, free of Beast types: the API handles a `Request` and
/// returns a `Response`, and only server.cpp knows how either travels.
namespace portscreen::ui_web {

struct Request {
    std::string method;                       ///< upper case, e.g. "GET"
    std::string target;                       ///< as sent, query included
    std::string path;                         ///< the target without its query, not decoded
    std::map<std::string, std::string> query; ///< decoded; a repeated key keeps its last value
    std::vector<std::pair<std::string, std::string>> headers; ///< names in lower case
    std::string body;
    std::string peer; ///< the client's address, for throttling and the audit log

    /// The value of a header (lower-case name), empty when absent.
    std::string_view header(std::string_view lower_name) const;
    /// A cookie's value from the Cookie header, empty when absent.
    std::string cookie(std::string_view name) const;
    /// A query parameter, or `fallback` when absent.
    std::string param(const std::string& name, std::string fallback = {}) const;
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    /// When set, the body is this file, streamed from disk.
    std::filesystem::path file;
    /// When set, the connection becomes a server-sent event stream fed by the event hub.
    bool event_stream = false;
};

/// Splits "a=1&b=x%20y" into decoded pairs ('+' is a space). Malformed escapes are kept as
/// written.
std::map<std::string, std::string> parse_query(std::string_view query);

/// Decodes %XX escapes; nothing when an escape is malformed.
bool percent_decode(std::string_view in, std::string& out);

/// A JSON error answer: {"error": message, "problems": [...]}.
Response error_response(int status, std::string_view message,
                        const std::vector<std::string>& problems = {});

/// A JSON answer with the given body text.
Response json_response(std::string body, int status = 200);

} // namespace portscreen::ui_web
