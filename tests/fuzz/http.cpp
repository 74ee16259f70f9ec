// HTTP requests as the web server handles them: the raw bytes go through Beast's request parser
// with the limits server.cpp sets (16 KiB of headers; the body limit chosen by path once the
// headers are in, uploads larger), become a `Request` through the server's own to_request(),
// and go to the node's real `Api` over a real node database made once at start, with one user
// of each role.
// Several requests may follow one another in the input, as on a kept-alive connection.
//
// Input: [session byte][raw HTTP bytes]. The session byte '0' to '3' sends the cookie and CSRF
// token of the officer, operator, manager or admin; '4' the officer's cookie without the CSRF
// token; anything else only what the bytes carry.
//
// Not sent to the API (the harness skips them): login, which hashes a password for 0.2 s;
// logout, user creation and disabling, which would end the harness's own sessions; and scan
// uploads, which wait up to 60 s for the node's scan endpoint. Their parsing (multipart bodies,
// scan headers) is fuzzed by http_parts and scan_header.
//
// Properties: the handler never throws (the server would answer 500), answers with a valid
// status, and a file it serves lies inside the static folder or the node's data folder.

#include "accounts/role.hpp"
#include "accounts/sessions.hpp"
#include "accounts/users.hpp"
#include "api.hpp"
#include "beast_request.hpp"
#include "common/clock.hpp"
#include "common/log.hpp"
#include "event_hub.hpp"
#include "fuzz_support.hpp"
#include "server.hpp"
#include "storage/database.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

namespace {

using namespace portscreen;
namespace beast = boost::beast;
namespace http = beast::http;

constexpr std::size_t kMaxRequests = 4;

struct World {
    fuzz::ScratchDir dir;
    std::filesystem::path data = dir.path() / "data";
    std::filesystem::path static_dir = dir.path() / "static";
    ui_web::ServerOptions server; // the limits a node's server applies
    std::unique_ptr<ui_web::EventHub> hub;
    std::unique_ptr<ui_web::Api> api;
    std::array<accounts::Session, 4> sessions; ///< officer, operator, manager, admin
};

std::unique_ptr<World> world;

void write_file(const std::filesystem::path& path, std::string_view text) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

bool inside(const std::filesystem::path& file, const std::filesystem::path& folder) {
    const auto canonical_file = std::filesystem::weakly_canonical(file).string();
    const auto canonical_folder = std::filesystem::weakly_canonical(folder).string() + "/";
    return canonical_file.starts_with(canonical_folder);
}

bool skipped(const ui_web::Request& request) {
    if (request.method != "POST")
        return false;
    return request.path == "/api/login" || request.path == "/api/logout" ||
           request.path == "/api/users" || request.path.ends_with("/disable") ||
           ui_web::Api::is_upload(request.method, request.path);
}

void add_session(ui_web::Request& request, std::uint8_t session_byte) {
    if (session_byte < '0' || session_byte > '4')
        return;
    const auto& session = world->sessions[session_byte == '4' ? 0 : session_byte - '0'];
    std::vector<std::pair<std::string, std::string>> added = {
        {"cookie", "portscreen_session=" + session.token}};
    if (session_byte != '4')
        added.emplace_back("x-csrf-token", session.csrf_token);
    request.headers.insert(request.headers.begin(), added.begin(), added.end());
}

void handle(ui_web::Request request) {
    ui_web::Response response;
    try {
        response = world->api->handle(request);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s %s: %s\n", request.method.c_str(), request.path.c_str(), e.what());
        fuzz::require(false, "the API answers without throwing (the server would send 500)");
    }
    // PORTSCREEN_FUZZ_TRACE=1 shows each answer, for reading what a saved input does.
    static const bool trace = std::getenv("PORTSCREEN_FUZZ_TRACE") != nullptr;
    if (trace)
        std::fprintf(stderr, "%s %s -> %d %.200s\n", request.method.c_str(), request.path.c_str(),
                     response.status, response.body.c_str());
    fuzz::require(response.status >= 100 && response.status <= 599, "a valid status");
    if (!response.file.empty()) {
        fuzz::require(inside(response.file, world->static_dir) ||
                          inside(response.file, world->data),
                      "a served file lies inside the static or the data folder");
    }
}

/// Parses one request from the front of `bytes` as the server reads it, and handles it.
/// Returns false when the connection would end here (incomplete or refused input).
bool one_request(std::string_view& bytes, std::uint8_t session_byte) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(std::max(world->server.max_body_bytes, world->server.max_upload_bytes));
    beast::error_code ec;
    // Feeds what is left; false when the parser refuses the input or it ends before the
    // message does. All input is there from the start, so no progress means the client closed
    // its side early.
    const auto put = [&] {
        const auto used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
        bytes.remove_prefix(used);
        if (used == 0 && (!ec || ec == http::error::need_more) && !parser.is_done()) {
            parser.put_eof(ec);
            return false;
        }
        return !ec || ec == http::error::need_more;
    };
    while (!parser.is_header_done())
        if (!put())
            return false;
    const auto& header = parser.get();
    const std::string_view target(header.target().data(), header.target().size());
    const std::string_view method(header.method_string().data(), header.method_string().size());
    const auto limit = ui_web::Api::is_upload(method, target.substr(0, target.find('?')))
                           ? world->server.max_upload_bytes
                           : world->server.max_body_bytes;
    const auto declared = parser.content_length();
    if (declared && *declared > limit)
        return false; // answered 413 without reading the body
    parser.body_limit(limit);
    parser.eager(true);
    while (!parser.is_done())
        if (!put())
            return false;
    auto request = ui_web::to_request(parser.get(), "127.0.0.1");
    add_session(request, session_byte);
    if (!skipped(request))
        handle(std::move(request));
    return parser.get().keep_alive();
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    log::set_level(log::Level::error); // refusals are expected here, thousands a second
    world = std::make_unique<World>();
    write_file(world->static_dir / "index.html", "<!doctype html><title>portscreen</title>");
    write_file(world->static_dir / "assets" / "app.js", "console.log('portscreen');");
    write_file(world->dir.path() / "outside.txt", "not to be served");
    std::filesystem::create_directories(world->data);

    const auto now = utc_now_iso8601();
    accounts::SessionOptions lasting{std::chrono::hours(24 * 365), std::chrono::hours(24 * 365)};
    {
        auto db = storage::Database::open(world->data / "portscreen.db", storage::Access::writer);
        const std::array roles = {accounts::Role::officer, accounts::Role::operator_,
                                  accounts::Role::manager, accounts::Role::admin};
        const std::array names = {"officer", "operator", "manager", "admin"};
        for (std::size_t index = 0; index < roles.size(); ++index) {
            const auto user = accounts::add_user(db, names[index], names[index], roles[index],
                                                 "correct horse battery staple", "fuzz", now);
            storage::Transaction transaction(db);
            world->sessions[index] = accounts::create_session(db, user, now, lasting);
            transaction.commit();
        }
    }
    ui_web::ApiOptions options;
    options.data_dir = world->data;
    options.static_dir = world->static_dir;
    options.session_idle = lasting.idle;
    options.session_absolute = lasting.absolute;
    world->hub = std::make_unique<ui_web::EventHub>();
    world->api = std::make_unique<ui_web::Api>(options, *world->hub);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    const std::uint8_t session_byte = data[0];
    auto bytes = fuzz::as_text(data + 1, size - 1);
    for (std::size_t count = 0; count < kMaxRequests && !bytes.empty(); ++count)
        if (!one_request(bytes, session_byte))
            break;
    return 0;
}
