#include "scans/scan_store.hpp"

#include "core/codes.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <stdexcept>

namespace portscreen::scans {
namespace {

using storage::Statement;

Channel channel_from(std::string_view name) {
    return name == "high" ? Channel::high : name == "low" ? Channel::low : Channel::single;
}

int length_ft(std::string_view size_type) {
    if (size_type.empty())
        return 40;
    switch (size_type[0]) {
    case '2': return 20;
    case 'L':
    case 'M': return 45;
    default: return 40;
    }
}

} // namespace

ScanStore::ScanStore(storage::Database& db) : db_(db) {}

std::optional<ScanRecord> ScanStore::find(const std::string& scan_id) {
    Statement row(db_, "SELECT id FROM scans WHERE scan_id = ?1");
    row.bind(1, scan_id);
    const auto found = row.query_int64();
    if (!found)
        return std::nullopt;
    return find_row(*found);
}

std::optional<ScanRecord> ScanStore::find_row(std::int64_t row) {
    Statement scan(db_, "SELECT scan_id, scanner_id, scanned_at, received_at, header "
                        "FROM scans WHERE id = ?1");
    scan.bind(1, row);
    if (!scan.step())
        return std::nullopt;
    ScanRecord record;
    record.row = row;
    record.scan_id = scan.column_text(0);
    record.scanner_id = scan.column_text(1);
    record.scanned_at = scan.column_text(2);
    record.received_at = scan.column_text(3);
    record.header_json = scan.column_text(4);
    scan.reset();
    Statement images(db_, "SELECT channel, format, width, height, sha256, bytes FROM scan_images "
                          "WHERE scan_row = ?1 ORDER BY channel");
    images.bind(1, row);
    while (images.step()) {
        StoredImage image;
        image.channel = channel_from(images.column_text_view(0));
        image.format = *scanner_io::parse_format(images.column_text_view(1));
        image.width = images.column_int(2);
        image.height = images.column_int(3);
        image.sha256 = images.column_text(4);
        image.bytes = images.column_int64(5);
        record.images.push_back(std::move(image));
    }
    Statement links(db_, "SELECT s.position, s.number_read, s.container_id, c.vessel_call_id, "
                         "s.problem, s.linked_by FROM scan_containers s "
                         "LEFT JOIN containers c ON c.id = s.container_id "
                         "WHERE s.scan_row = ?1 ORDER BY s.position");
    links.bind(1, row);
    while (links.step()) {
        ContainerLink link;
        link.position = links.column_int(0);
        link.number_read = links.column_text(1);
        link.container_id = links.column_optional_int64(2);
        link.vessel_call_id = links.column_optional_int64(3);
        link.problem = links.column_text(4);
        link.linked_by = links.column_text(5);
        record.links.push_back(std::move(link));
    }
    return record;
}

ContainerLink ScanStore::match(const std::string& number_read, const std::string& scanned_at) {
    ContainerLink link;
    link.number_read = number_read;
    const std::string number = core::normalize_container_number(number_read);
    if (!core::is_valid_container_number(number)) {
        link.problem = "'" + number_read + "' is not a valid ISO 6346 container number (its " +
                       "check digit does not match, or it was misread)";
        return link;
    }
    // The vessel call nearest in time to the scan claims the container: the same box calls at
    // a port many times a year.
    Statement nearest(db_,
                      "SELECT c.id, c.vessel_call_id, "
                      "abs(julianday(substr(v.eta, 1, 10)) - julianday(substr(?2, 1, 10))) AS d "
                      "FROM containers c JOIN vessel_calls v ON v.id = c.vessel_call_id "
                      "WHERE c.number = ?1 ORDER BY d, c.id DESC LIMIT 1");
    nearest.bind(1, number);
    nearest.bind(2, scanned_at);
    if (!nearest.step()) {
        link.problem = "no manifest lists container " + number;
        return link;
    }
    if (nearest.column_double(2) > kLinkWindowDays) {
        link.problem = "no manifest lists container " + number + " within " +
                       std::to_string(kLinkWindowDays) + " days of the scan";
        nearest.reset();
        return link;
    }
    link.container_id = nearest.column_int64(0);
    link.vessel_call_id = nearest.column_int64(1);
    nearest.reset();
    return link;
}

ScanRecord ScanStore::insert(const ScanHeader& header, std::string_view header_json,
                             const std::vector<StoredImage>& images, const std::string& source,
                             const std::string& received_at) {
    Statement scan(db_, "INSERT INTO scans (scan_id, scanner_id, scanned_at, view, header, "
                        "source, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    scan.bind(1, header.scan_id);
    scan.bind(2, header.scanner_id);
    scan.bind(3, header.scanned_at);
    scan.bind(4, header.view);
    scan.bind(5, header_json);
    scan.bind(6, source);
    scan.bind(7, received_at);
    scan.run();
    ScanRecord record;
    record.row = db_.last_insert_rowid();
    record.scan_id = header.scan_id;
    record.scanner_id = header.scanner_id;
    record.scanned_at = header.scanned_at;
    record.received_at = received_at;
    record.header_json = std::string(header_json);
    record.images = images;

    Statement image(db_, "INSERT INTO scan_images (scan_row, channel, format, width, height, "
                         "sha256, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    for (const auto& stored : images) {
        image.bind(1, record.row);
        image.bind(2, channel_name(stored.channel));
        image.bind(3, scanner_io::format_name(stored.format));
        image.bind(4, stored.width);
        image.bind(5, stored.height);
        image.bind(6, stored.sha256);
        image.bind(7, stored.bytes);
        image.run();
    }
    Statement put(db_, "INSERT INTO scan_containers (scan_row, position, number_read, "
                       "container_id, problem, linked_by, linked_at) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    for (std::size_t idx = 0; idx < header.containers.size(); ++idx) {
        ContainerLink link = match(header.containers[idx], header.scanned_at);
        link.position = static_cast<int>(idx);
        link.linked_by = link.container_id ? "gate" : "";
        put.bind(1, record.row);
        put.bind(2, link.position);
        put.bind(3, link.number_read);
        put.bind(4, link.container_id);
        put.bind(5, link.problem);
        put.bind(6, link.linked_by);
        put.bind(7, link.container_id ? received_at : std::string());
        put.run();
        record.links.push_back(std::move(link));
    }
    return record;
}

scanner_io::Declaration ScanStore::declaration(std::int64_t container_id) {
    scanner_io::Declaration declared;
    Statement box(db_, "SELECT load_status, gross_mass_kg, tare_mass_kg, size_type "
                       "FROM containers WHERE id = ?1");
    box.bind(1, container_id);
    if (!box.step())
        throw std::runtime_error("no container with id " + std::to_string(container_id));
    declared.empty = box.column_text_view(0) == "empty";
    declared.gross_mass_kg = box.column_optional_double(1);
    declared.tare_mass_kg = box.column_optional_double(2);
    declared.length_ft = length_ft(box.column_text_view(3));
    box.reset();
    // The cargo class that carries most of the declared mass (or most items without masses).
    Statement goods(db_, "SELECT g.hs_code, coalesce(g.gross_mass_kg, 1) FROM placements p "
                         "JOIN goods_items g ON g.id = p.goods_item_id "
                         "JOIN consignments b ON b.id = g.consignment_id "
                         "WHERE p.container_id = ?1 AND b.status = 'active'");
    goods.bind(1, container_id);
    std::map<scanner_io::CargoClass, double> mass_by_class;
    while (goods.step()) {
        const auto hs = goods.column_text_view(0);
        if (hs.size() < 2)
            continue;
        const int chapter = (hs[0] - '0') * 10 + (hs[1] - '0');
        mass_by_class[scanner_io::cargo_class_for_hs_chapter(chapter)] += goods.column_double(1);
    }
    double best = 0;
    for (const auto& [cargo, mass] : mass_by_class) {
        if (mass > best) {
            best = mass;
            declared.cargo = cargo;
        }
    }
    return declared;
}

std::int64_t ScanStore::store_analysis(std::int64_t scan_row,
                                       std::optional<std::int64_t> container_id,
                                       const scanner_io::ScanAnalysis& analysis,
                                       const std::string& analysed_at) {
    Statement put(db_, "INSERT INTO scan_analyses (scan_row, container_id, algorithm_version, "
                       "confidence, loaded, declared_empty_but_loaded, density_inconsistent, "
                       "mass_ratio, anomaly_score, result, analysed_at) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    put.bind(1, scan_row);
    put.bind(2, container_id);
    put.bind(3, analysis.algorithm_version);
    put.bind(4, analysis.confidence);
    put.bind(5, analysis.loaded ? 1 : 0);
    put.bind(6, analysis.declared_empty_but_loaded ? 1 : 0);
    put.bind(7, analysis.density_inconsistent ? 1 : 0);
    put.bind(8, analysis.mass_ratio);
    put.bind(9, analysis.anomaly_score);
    put.bind(10, analysis_json(analysis));
    put.bind(11, analysed_at);
    put.run();
    return db_.last_insert_rowid();
}

ContainerLink ScanStore::link(const std::string& scan_id, int position, const std::string& number,
                              const std::string& officer, const std::string& at) {
    const auto record = find(scan_id);
    if (!record)
        throw std::runtime_error("no scan with id '" + scan_id + "'");
    if (position < 0 || position >= static_cast<int>(record->links.size()))
        throw std::runtime_error("scan '" + scan_id + "' has no container at position " +
                                 std::to_string(position));
    ContainerLink link = match(number, record->scanned_at);
    if (!link.container_id)
        throw std::runtime_error("cannot link scan '" + scan_id + "': " + link.problem);
    Statement put(db_, "UPDATE scan_containers SET container_id = ?3, problem = '', "
                       "linked_by = ?4, linked_at = ?5 WHERE scan_row = ?1 AND position = ?2");
    put.bind(1, record->row);
    put.bind(2, position);
    put.bind(3, link.container_id);
    put.bind(4, officer);
    put.bind(5, at);
    put.run();
    link.position = position;
    link.number_read = record->links[static_cast<std::size_t>(position)].number_read;
    link.linked_by = officer;
    return link;
}

std::vector<std::int64_t> ScanStore::relink_unmatched(const std::string& at) {
    struct Pending {
        std::int64_t row;
        int position;
        std::string number;
        std::string scanned_at;
    };
    std::vector<Pending> pending;
    {
        Statement open(db_, "SELECT s.scan_row, s.position, s.number_read, x.scanned_at "
                            "FROM scan_containers s JOIN scans x ON x.id = s.scan_row "
                            "WHERE s.container_id IS NULL");
        while (open.step())
            pending.push_back({open.column_int64(0), open.column_int(1), open.column_text(2),
                               open.column_text(3)});
    }
    std::vector<std::int64_t> linked;
    Statement put(db_, "UPDATE scan_containers SET container_id = ?3, problem = '', "
                       "linked_by = 'gate', linked_at = ?4 WHERE scan_row = ?1 AND position = ?2");
    for (const auto& item : pending) {
        const ContainerLink link = match(item.number, item.scanned_at);
        if (!link.container_id)
            continue;
        put.bind(1, item.row);
        put.bind(2, item.position);
        put.bind(3, link.container_id);
        put.bind(4, at);
        put.run();
        if (linked.empty() || linked.back() != item.row)
            linked.push_back(item.row);
    }
    return linked;
}

std::vector<ScanStore::Unmatched> ScanStore::unmatched() {
    std::vector<Unmatched> result;
    Statement open(db_, "SELECT x.scan_id, x.scanned_at, s.position, s.number_read, s.problem "
                        "FROM scan_containers s JOIN scans x ON x.id = s.scan_row "
                        "WHERE s.container_id IS NULL ORDER BY x.scanned_at, s.position");
    while (open.step())
        result.push_back({open.column_text(0), open.column_text(1), open.column_int(2),
                          open.column_text(3), open.column_text(4)});
    return result;
}

std::string analysis_json(const scanner_io::ScanAnalysis& analysis) {
    using nlohmann::json;
    const auto rounded = [](double value) { return std::round(value * 10000) / 10000; };
    json regions = json::array();
    for (const auto& region : analysis.anomalies)
        regions.push_back({{"kind", region.kind},
                           {"score", rounded(region.score)},
                           {"x", region.x},
                           {"y", region.y},
                           {"width", region.width},
                           {"height", region.height}});
    json profile = json::array();
    for (const double value : analysis.density_profile)
        profile.push_back(rounded(value));
    json document = {
        {"algorithm_version", analysis.algorithm_version},
        {"confidence", rounded(analysis.confidence)},
        {"loaded", analysis.loaded},
        {"load_score", rounded(analysis.load_score)},
        {"fill_fraction", rounded(analysis.fill_fraction)},
        {"mean_density", rounded(analysis.mean_density)},
        {"density_spread", rounded(analysis.density_spread)},
        {"density_profile", std::move(profile)},
        {"materials",
         {{"organic", rounded(analysis.organic_share)},
          {"inorganic", rounded(analysis.inorganic_share)},
          {"metal", rounded(analysis.metal_share)},
          {"undetermined", rounded(analysis.undetermined_share)}}},
        {"anomaly_score", rounded(analysis.anomaly_score)},
        {"anomalies", std::move(regions)},
        {"declared_empty_but_loaded", analysis.declared_empty_but_loaded},
        {"density_inconsistent", analysis.density_inconsistent},
    };
    document["implied_cargo_mass_kg"] =
        analysis.implied_cargo_mass_kg ? json(std::round(*analysis.implied_cargo_mass_kg)) : json();
    document["mass_ratio"] = analysis.mass_ratio ? json(rounded(*analysis.mass_ratio)) : json();
    return document.dump();
}

} // namespace portscreen::scans
