// The scanner operator's side: unmatched scans, linking, uploads from the browser, the viewer's
// files, regions and the review of a scan.

#include "api_internal.hpp"
#include "audit/audit.hpp"
#include "common/clock.hpp"
#include "messaging/feed_client.hpp"
#include "multipart.hpp"
#include "scans/processing.hpp"
#include "scans/scan_header.hpp"
#include "scans/scan_store.hpp"
#include "workflow/workflow.hpp"

#include <zmq.hpp>

namespace portscreen::ui_web::detail {
namespace {

std::mutex render_mutex; // one CLAHE rendering at a time: they are large and share folders

json region_json(const workflow::Region& region) {
    return {{"id", region.id},
            {"x", region.x},
            {"y", region.y},
            {"width", region.width},
            {"height", region.height},
            {"label", region.label},
            {"note", region.note},
            {"drawn_by", region.drawn_by},
            {"drawn_at", region.drawn_at}};
}

/// A tile or pyramid path below the rendering folder: "image.dzi", "preview.png",
/// "materials.png" or "image_files/LEVEL/COL_ROW.jpg". Anything else is refused, so no request
/// reaches a file outside the scan's folder.
std::optional<std::filesystem::path> viewer_file(const Segments& segments) {
    const auto plain = [](const std::string& text, bool allow_underscore_dot) {
        if (text.empty() || text.size() > 32)
            return false;
        for (const char c : text) {
            const bool digit = c >= '0' && c <= '9';
            if (!digit && !(allow_underscore_dot && (c == '_' || c == '.')))
                return false;
        }
        return true;
    };
    if (segments.size() == 2) {
        for (const char* name : {"image.dzi", "preview.png", "materials.png"}) {
            if (segments[1] == name)
                return std::filesystem::path(name);
        }
        return std::nullopt;
    }
    if (segments.size() == 3 && plain(segments[1], false) &&
        plain(segments[2].substr(0, segments[2].find('.')), true) &&
        (segments[2].ends_with(".jpg") || segments[2].ends_with(".png")) &&
        segments[2].find("..") == std::string::npos)
        return std::filesystem::path("image_files") / segments[1] / segments[2];
    return std::nullopt;
}

} // namespace

Response get_unmatched(Context& context, const Request&, const Caller& caller, const Segments&) {
    require(caller, accounts::Permission::scan_work);
    auto lease = context.readers.acquire();
    scans::ScanStore store(*lease);
    json rows = json::array();
    for (const auto& item : store.unmatched()) {
        rows.push_back({{"scan_id", item.scan_id},
                        {"scanned_at", item.scanned_at},
                        {"position", item.position},
                        {"number_read", item.number_read},
                        {"problem", item.problem}});
    }
    return json_ok({{"rows", std::move(rows)}});
}

Response post_link(Context& context, const Request& request, const Caller& caller,
                   const Segments& segments) {
    require(caller, accounts::Permission::scan_work);
    const auto body = body_json(request);
    const auto& scan_id = segments.at(0);
    const auto number = body.value("container_number", std::string());
    const int position = body.value("position", 0);
    if (number.empty())
        throw HttpError(400, "container_number is required");
    const auto folders = scans::ScanFolders::in(context.options.data_dir);
    try {
        std::vector<std::int64_t> moved;
        const auto [link, analysis] = context.writer.with([&](storage::Database& db) {
            auto result =
                scans::link_and_analyse(db, folders, scan_id, position, number, caller.actor());
            const auto now = utc_now_iso8601();
            {
                storage::Transaction transaction(db);
                audit::append(db, caller.actor(), "scan.link", "scan:" + scan_id,
                              json{{"position", position}, {"container", number}}.dump(), now);
                transaction.commit();
            }
            // A container waiting for its scan now has it.
            moved = workflow::scan_attached(db, scan_id, caller.actor(), now);
            return result;
        });
        for (const auto id : moved)
            publish_state(context, id, "scanned");
        context.hub.publish("scan", json{{"scan_id", scan_id}}.dump());
        return json_ok({{"scan_id", scan_id},
                        {"position", link.position},
                        {"container_id", link.container_id.value_or(0)},
                        {"analysis", parse_stored_json(analysis)}});
    } catch (const std::out_of_range&) {
        throw;
    } catch (const std::runtime_error& e) {
        if (dynamic_cast<const storage::Error*>(&e))
            throw;
        throw HttpError(409, e.what());
    }
}

Response post_scan(Context& context, const Request& request, const Caller& caller,
                   const Segments&) {
    require(caller, accounts::Permission::scan_work);
    const auto boundary = multipart_boundary(request.header("content-type"));
    if (boundary.empty())
        throw HttpError(415, "attach images as multipart/form-data with a 'header' field");
    const auto parts = parse_multipart(request.body, boundary);
    std::string header_text;
    for (const auto& part : parts) {
        if (part.name == "header")
            header_text = std::string(part.data);
    }
    if (header_text.empty())
        throw HttpError(400, "the form has no 'header' field");
    const auto header = scans::parse_scan_header(header_text);
    if (!header) {
        std::vector<std::string> problems;
        for (const auto& problem : header.problems())
            problems.push_back(problem.path + ": " + problem.message);
        throw HttpError(400, "the scan header has errors", problems);
    }
    // Frames in the order the header lists the images, each from the file field named by its
    // channel; the node's scan endpoint then checks and stores them as it does for scanners.
    std::vector<std::string> frames{header_text};
    for (const auto& image : header->images) {
        const auto channel = std::string(scans::channel_name(image.channel));
        const auto part = std::find_if(parts.begin(), parts.end(),
                                       [&](const FormPart& p) { return p.name == channel; });
        if (part == parts.end())
            throw HttpError(400, "the header lists a '" + channel +
                                     "' image but the form has no file field of that name");
        frames.emplace_back(part->data);
    }
    zmq::context_t zmq_context;
    messaging::FeedOptions options;
    options.endpoint = context.options.scan_endpoint;
    options.timeout = std::chrono::seconds(60);
    options.attempts = 1;
    options.window = 1;
    messaging::FeedClient client(zmq_context, options);
    std::vector<messaging::Outgoing> scans;
    scans.emplace_back(header->scan_id, std::move(frames));
    const auto replies = client.send_all(scans);
    if (replies.empty() || !replies.front())
        throw HttpError(504, "the node's scan endpoint did not answer within 60 s");
    const auto& reply = *replies.front();
    auto body = json::parse(reply.body, nullptr, false);
    if (body.is_discarded())
        body = json::object();
    if (reply.status != "ACK") {
        // A NACK body is an array of problems, each with a code, a message and maybe a path.
        std::vector<std::string> texts;
        if (body.is_array()) {
            for (const auto& problem : body) {
                const auto path = problem.value("path", std::string());
                texts.push_back((path.empty() ? "" : path + ": ") +
                                problem.value("message", problem.dump()));
            }
        }
        throw HttpError(400, "the scan was refused", texts);
    }
    context.writer.with([&](storage::Database& db) {
        storage::Transaction transaction(db);
        audit::append(db, caller.actor(), "scan.attach", "scan:" + header->scan_id,
                      json{{"status", body.value("status", "")}}.dump(), utc_now_iso8601());
        transaction.commit();
    });
    return json_ok({{"status", body.value("status", "stored")},
                    {"scan_id", header->scan_id},
                    {"containers", body.value("containers", json::array())},
                    {"problems", json::array()}});
}

Response get_scan(Context& context, const Request&, const Caller& caller,
                  const Segments& segments) {
    require(caller, accounts::Permission::view_container);
    const auto& scan_id = segments.at(0);
    auto lease = context.readers.acquire();
    auto& db = *lease;
    scans::ScanStore store(db);
    const auto record = store.find(scan_id);
    if (!record)
        throw HttpError(404, "no scan '" + scan_id + "'");
    const auto header = scans::parse_scan_header(record->header_json);
    json containers = json::array();
    for (const auto& link : record->links) {
        containers.push_back(
            {{"position", link.position},
             {"number_read", link.number_read},
             {"container_id", link.container_id ? json(*link.container_id) : json(nullptr)},
             {"problem", link.problem}});
    }
    int width = 0;
    int height = 0;
    for (const auto& image : record->images) {
        if (image.channel != scans::Channel::low) {
            width = image.width;
            height = image.height;
        }
    }
    storage::Statement analysis(
        db, "SELECT result FROM scan_analyses WHERE scan_row = ?1 ORDER BY id DESC LIMIT 1");
    analysis.bind(1, record->row);
    const auto analysis_text = analysis.query_text();
    json regions = json::array();
    for (const auto& region : workflow::regions(db, scan_id))
        regions.push_back(region_json(region));
    const std::string base = "/api/scans/" + scan_id;
    return json_ok({{"scan_id", scan_id},
                    {"scanner_id", record->scanner_id},
                    {"scanned_at", record->scanned_at},
                    {"view", header ? json(header->view) : json("")},
                    {"width", width},
                    {"height", height},
                    {"containers", std::move(containers)},
                    {"analysis", analysis_text ? parse_stored_json(*analysis_text) : json(nullptr)},
                    {"regions", std::move(regions)},
                    {"dzi_url", base + "/image.dzi"},
                    {"preview_url", base + "/preview.png"},
                    {"materials_url", base + "/materials.png"}});
}

Response get_scan_file(Context& context, const Request& request, const Caller& caller,
                       const Segments& segments) {
    require(caller, accounts::Permission::view_container);
    const auto& scan_id = segments.at(0);
    const auto file = viewer_file(segments);
    if (!file)
        throw HttpError(404, "no such file of scan '" + scan_id + "'");
    const auto folders = scans::ScanFolders::in(context.options.data_dir);
    std::optional<std::filesystem::path> folder;
    {
        auto lease = context.readers.acquire();
        scans::ScanStore store(*lease);
        const auto record = store.find(scan_id);
        if (!record)
            throw HttpError(404, "no scan '" + scan_id + "'");
        folder = folders.rendering_of(*record);
        const bool clahe = request.param("render") == "clahe" &&
                           (segments.size() == 3 || segments[1] == "image.dzi");
        if (folder && clahe) {
            std::lock_guard lock(render_mutex);
            folder = scans::clahe_rendering(folders, scans::load_stored(store, folders, scan_id));
        }
    }
    if (!folder)
        throw HttpError(404, "scan '" + scan_id + "' has no rendering");
    Response response;
    response.file = *folder / *file;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(response.file, ec))
        throw HttpError(404, "scan '" + scan_id + "' has no " + file->string() +
                                 " (yet: rendering follows the ACK)");
    response.content_type = file->extension() == ".dzi"   ? "application/xml"
                            : file->extension() == ".jpg" ? "image/jpeg"
                                                          : "image/png";
    response.headers.emplace_back("Cache-Control", "private, max-age=3600");
    return response;
}

Response post_region(Context& context, const Request& request, const Caller& caller,
                     const Segments& segments) {
    require(caller, accounts::Permission::scan_work);
    const auto body = body_json(request);
    workflow::Region region;
    try {
        region.x = body.at("x").get<std::int64_t>();
        region.y = body.at("y").get<std::int64_t>();
        region.width = body.at("width").get<std::int64_t>();
        region.height = body.at("height").get<std::int64_t>();
    } catch (const json::exception&) {
        throw HttpError(400, "x, y, width and height must be whole numbers of pixels");
    }
    region.label = body.value("label", std::string());
    region.note = body.value("note", std::string());
    const auto stored = context.writer.with([&](storage::Database& db) {
        return workflow::add_region(db, segments.at(0), region, caller.actor(), utc_now_iso8601());
    });
    context.hub.publish("scan", json{{"scan_id", segments.at(0)}}.dump());
    return json_ok(region_json(stored));
}

Response post_review(Context& context, const Request& request, const Caller& caller,
                     const Segments& segments) {
    require(caller, accounts::Permission::scan_work);
    const auto body = body_json(request);
    const auto decision = body.value("decision", std::string());
    if (decision != "clear" && decision != "refer")
        throw HttpError(400, "decision must be 'clear' or 'refer'");
    const auto states = context.writer.with([&](storage::Database& db) {
        return workflow::review_scan(db, segments.at(0), decision, body.value("note", ""),
                                     caller.actor(), utc_now_iso8601());
    });
    json changed = json::array();
    for (const auto& state : states) {
        publish_state(context, state.container_id, workflow::to_string(state.state));
        changed.push_back({{"container_id", state.container_id},
                           {"number", state.number},
                           {"state", workflow::to_string(state.state)}});
    }
    return json_ok({{"containers", std::move(changed)}});
}

} // namespace portscreen::ui_web::detail
