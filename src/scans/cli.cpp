#include "scans/cli.hpp"

#include "analysis.hpp"
#include "common/args.hpp"
#include "common/clock.hpp"
#include "formats.hpp"
#include "image_store.hpp"
#include "messaging/feed_client.hpp"
#include "render.hpp"
#include "scans/processing.hpp"
#include "scans/scan_header.hpp"
#include "scans/scan_store.hpp"
#include "scans/send.hpp"
#include "simulate.hpp"
#include "storage/database.hpp"
#include "workflow/workflow.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace portscreen::scans {
namespace {

namespace fs = std::filesystem;
using storage::Database;
using storage::Statement;

const char* const kDatabaseFile = "portscreen.db";

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + path.string());
    std::ostringstream content;
    content << in.rdbuf();
    return std::move(content).str();
}

Database open_node(const Args& args, storage::Access access) {
    const auto data = args.get("data");
    if (!data)
        throw std::invalid_argument("--data DIR is required");
    const fs::path file = fs::path(*data) / kDatabaseFile;
    if (!fs::exists(file))
        throw std::runtime_error("no port node database in " + *data);
    return Database::open(file, access);
}

StoredScan load_stored(ScanStore& store, const Args& args, const std::string& scan_id) {
    return load_stored(store, ScanFolders::in(*args.get("data")), scan_id);
}

int scan_send(const std::vector<std::string>& argv) {
    Args args(argv, {"to", "timeout-ms"}, {});
    if (args.positional().size() < 2)
        throw std::invalid_argument("usage: portscreen scan send [--to ENDPOINT] HEADER.json "
                                    "IMAGE...");
    std::vector<std::string> frames;
    for (const auto& file : args.positional())
        frames.push_back(read_file(file));
    const auto header = parse_scan_header(frames.front());
    const std::string id = header ? header->scan_id : "(header with errors)";
    std::vector<messaging::Outgoing> scans;
    scans.emplace_back(id, std::move(frames));
    const auto timeout =
        std::chrono::milliseconds(args.number_or("timeout-ms", 60'000, 1, 3'600'000));
    return send_scans(scans, args.get_or("to", "tcp://127.0.0.1:5556"), timeout, false) == 1 ? 0
                                                                                             : 1;
}

int scan_list(const std::vector<std::string>& argv) {
    Args args(argv, {"data", "limit"}, {});
    auto db = open_node(args, storage::Access::reader);
    Statement scans(db, "SELECT x.scan_id, x.scanned_at, "
                        "(SELECT group_concat(s.number_read || CASE WHEN s.container_id IS NULL "
                        "THEN ' (unmatched)' ELSE '' END, ', ') FROM scan_containers s "
                        "WHERE s.scan_row = x.id), a.loaded, a.anomaly_score, "
                        "a.declared_empty_but_loaded, a.density_inconsistent, a.mass_ratio "
                        "FROM scans x LEFT JOIN scan_analyses a ON a.id = "
                        "(SELECT max(id) FROM scan_analyses WHERE scan_row = x.id) "
                        "ORDER BY x.id DESC LIMIT ?1");
    scans.bind(1, static_cast<std::int64_t>(args.number_or("limit", 20, 1, 1'000'000)));
    std::printf("%-28s %-20s %-26s %s\n", "scan", "scanned at", "containers", "analysis");
    while (scans.step()) {
        std::string analysis = "not analysed yet";
        if (!scans.column_is_null(3)) {
            char text[160];
            std::snprintf(text, sizeof text, "%s, anomaly %.2f%s%s",
                          scans.column_int(3) ? "loaded" : "empty", scans.column_double(4),
                          scans.column_int(5) ? ", DECLARED EMPTY BUT LOADED" : "",
                          scans.column_int(6) ? ", density inconsistent" : "");
            analysis = text;
            if (const auto ratio = scans.column_optional_double(7)) {
                std::snprintf(text, sizeof text, ", mass %.2fx declared", *ratio);
                analysis += text;
            }
        }
        std::printf("%-28s %-20s %-26s %s\n", scans.column_text(0).c_str(),
                    scans.column_text(1).c_str(), scans.column_text(2).c_str(), analysis.c_str());
    }
    return 0;
}

int scan_show(const std::vector<std::string>& argv) {
    Args args(argv, {"data"}, {});
    if (args.positional().size() != 1)
        throw std::invalid_argument("usage: portscreen scan show --data DIR SCAN_ID");
    auto db = open_node(args, storage::Access::reader);
    ScanStore store(db);
    const auto record = store.find(args.positional().front());
    if (!record)
        throw std::runtime_error("no scan with id '" + args.positional().front() + "'");
    nlohmann::json out = {{"scan_id", record->scan_id},
                          {"scanner_id", record->scanner_id},
                          {"scanned_at", record->scanned_at},
                          {"received_at", record->received_at},
                          {"header", nlohmann::json::parse(record->header_json)}};
    for (const auto& image : record->images)
        out["images"].push_back({{"channel", channel_name(image.channel)},
                                 {"format", scanner_io::format_name(image.format)},
                                 {"sha256", image.sha256},
                                 {"bytes", image.bytes}});
    for (const auto& link : record->links) {
        nlohmann::json item = {{"number_read", link.number_read}, {"linked_by", link.linked_by}};
        if (link.container_id)
            item["container_id"] = *link.container_id;
        else
            item["problem"] = link.problem;
        out["containers"].push_back(std::move(item));
    }
    Statement analyses(db, "SELECT container_id, result, analysed_at FROM scan_analyses "
                           "WHERE scan_row = ?1 ORDER BY id");
    analyses.bind(1, record->row);
    while (analyses.step()) {
        nlohmann::json item = nlohmann::json::parse(analyses.column_text(1));
        item["analysed_at"] = analyses.column_text(2);
        if (!analyses.column_is_null(0))
            item["container_id"] = analyses.column_int64(0);
        out["analyses"].push_back(std::move(item));
    }
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
}

int scan_unmatched(const std::vector<std::string>& argv) {
    Args args(argv, {"data"}, {});
    auto db = open_node(args, storage::Access::reader);
    ScanStore store(db);
    const auto open = store.unmatched();
    for (const auto& item : open)
        std::printf("%s  %s  position %d  read as %s: %s\n", item.scan_id.c_str(),
                    item.scanned_at.c_str(), item.position, item.number_read.c_str(),
                    item.problem.c_str());
    std::printf("%zu unmatched container number%s\n", open.size(), open.size() == 1 ? "" : "s");
    return 0;
}

int scan_link(const std::vector<std::string>& argv) {
    Args args(argv, {"data", "position", "officer"}, {});
    if (args.positional().size() != 2 || !args.get("officer"))
        throw std::invalid_argument("usage: portscreen scan link --data DIR --officer NAME "
                                    "[--position N] SCAN_ID CONTAINER_NUMBER");
    const std::string& scan_id = args.positional()[0];
    auto db = open_node(args, storage::Access::writer);
    const auto [link, analysis] =
        link_and_analyse(db, ScanFolders::in(*args.get("data")), scan_id,
                         static_cast<int>(args.number_or("position", 0, 0, 16)),
                         args.positional()[1], *args.get("officer"));
    std::printf("scan %s linked to container %s (row %lld)\n", scan_id.c_str(),
                args.positional()[1].c_str(), static_cast<long long>(*link.container_id));
    // As from the operator's page: a container that waited for this scan is now scanned.
    const auto moved =
        workflow::scan_attached(db, scan_id, *args.get("officer"), utc_now_iso8601());
    if (!moved.empty())
        std::printf("container now scanned in the inspection workflow\n");
    // A running node re-scores the container within a second.
    std::printf("analysed against its manifest: %s\n", analysis.c_str());
    return 0;
}

int scan_export(const std::vector<std::string>& argv) {
    Args args(argv, {"data", "dicos"}, {});
    if (args.positional().size() != 1 || !args.get("dicos"))
        throw std::invalid_argument("usage: portscreen scan export --data DIR --dicos OUT_DIR "
                                    "SCAN_ID");
    auto db = open_node(args, storage::Access::reader);
    ScanStore store(db);
    // Not a structured binding: clang 14 cannot capture one in a lambda.
    const StoredScan stored = load_stored(store, args, args.positional().front());
    const auto& record = stored.record;
    const auto& header = stored.header;
    const auto& scan = stored.scan;
    const fs::path out = *args.get("dicos");
    fs::create_directories(out);
    const auto export_plane = [&](const scanner_io::Image16& image, const char* channel,
                                  double energy) {
        scanner_io::DicosAttributes attributes;
        attributes.container_number = header.containers.front();
        attributes.scan_id = record.scan_id;
        attributes.scanner_id = record.scanner_id;
        attributes.scan_time = record.scanned_at;
        attributes.channel = channel;
        attributes.energy_mev = energy;
        attributes.along_mm = header.along_mm;
        attributes.detector_mm = header.detector_mm;
        const fs::path file = out / (record.scan_id + "-" + channel + ".dcm");
        write_file_whole(file, scanner_io::write_dicos(image, attributes));
        std::printf("%s\n", file.c_str());
    };
    export_plane(scan.high, "high", header.energy_high_mev);
    if (scan.dual())
        export_plane(scan.low, "low", header.energy_low_mev.value_or(0));
    return 0;
}

int scan_render(const std::vector<std::string>& argv) {
    Args args(argv, {"data", "out", "palette", "width"}, {"clahe", "invert", "materials"});
    if (args.positional().size() != 1 || !args.get("out"))
        throw std::invalid_argument("usage: portscreen scan render --data DIR --out FILE.png "
                                    "[--clahe] [--invert] [--palette grey|heat|rainbow] "
                                    "[--materials] [--width N] SCAN_ID");
    auto db = open_node(args, storage::Access::reader);
    ScanStore store(db);
    const auto scan = load_stored(store, args, args.positional().front()).scan;
    scanner_io::RenderOptions options;
    options.clahe = args.flag("clahe");
    options.invert = args.flag("invert");
    const std::string palette = args.get_or("palette", "grey");
    const auto parsed = scanner_io::parse_palette(palette);
    if (!parsed)
        throw std::invalid_argument("--palette must be grey, heat or rainbow, not '" + palette +
                                    "'");
    options.palette = *parsed;
    const int width = static_cast<int>(args.number_or("width", 1500, 16, 100'000));
    const auto raster = args.flag("materials") && scan.dual()
                            ? scanner_io::material_overlay(scanner_io::classify_materials(scan))
                            : scanner_io::render(scan.high, scan.air, options);
    write_file_whole(*args.get("out"), scanner_io::encode_preview(raster, width));
    std::printf("%s\n", args.get("out")->c_str());
    return 0;
}

} // namespace

const char* const kScanHelp =
    R"(usage: portscreen scan COMMAND ...

  send [--to ENDPOINT] [--timeout-ms N] HEADER.json IMAGE...
      sends one scan (docs/protocols.md) to a node's scan endpoint (default
      tcp://127.0.0.1:5556) and prints the ACK or NACK; exits 1 unless acknowledged
  list --data DIR [--limit N]
      the newest scans with their containers and what analysis found
  show --data DIR SCAN_ID
      one scan as JSON: header, image hashes, container links, every analysis
  unmatched --data DIR
      container numbers read at the gate that match no manifest yet, and why
  link --data DIR --officer NAME [--position N] SCAN_ID CONTAINER_NUMBER
      links an unmatched number by hand, then compares the scan with that manifest
  export --data DIR --dicos OUT_DIR SCAN_ID
      writes the scan as NEMA DICOS digital X-ray files, one per energy
  render --data DIR --out FILE.png [--clahe] [--invert] [--palette grey|heat|rainbow]
         [--materials] [--width N] SCAN_ID
      renders the high-energy image (or with --materials the material classes) as a PNG at
      most N pixels wide (default 1500)
)";

int run_scan(const std::vector<std::string>& argv) {
    static const std::map<std::string, int (*)(const std::vector<std::string>&)> commands = {
        {"send", scan_send},           {"list", scan_list}, {"show", scan_show},
        {"unmatched", scan_unmatched}, {"link", scan_link}, {"export", scan_export},
        {"render", scan_render},
    };
    const auto found = argv.empty() ? commands.end() : commands.find(argv.front());
    if (found == commands.end()) {
        std::fputs(kScanHelp, stderr);
        return 2;
    }
    return found->second(std::vector<std::string>(argv.begin() + 1, argv.end()));
}

} // namespace portscreen::scans
