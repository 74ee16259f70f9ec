#include "scans/processing.hpp"

#include "formats.hpp"
#include "image_store.hpp"
#include "render.hpp"

#include "common/clock.hpp"

#include <algorithm>
#include <fstream>
#include <stdexcept>

namespace portscreen::scans {
namespace {

void flip_columns(scanner_io::Image16& image) {
    for (int y = 0; y < image.height; ++y) {
        auto row = image.pixels.begin() + static_cast<std::ptrdiff_t>(y) * image.width;
        std::reverse(row, row + image.width);
    }
}

void flip_rows(scanner_io::Image16& image) {
    for (int y = 0; y < image.height / 2; ++y) {
        auto top = image.pixels.begin() + static_cast<std::ptrdiff_t>(y) * image.width;
        auto bottom =
            image.pixels.begin() + static_cast<std::ptrdiff_t>(image.height - 1 - y) * image.width;
        std::swap_ranges(top, top + image.width, bottom);
    }
}

} // namespace

void write_file_whole(const std::filesystem::path& path, const std::string& bytes) {
    const auto temporary = path.string() + ".tmp";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out)
            throw std::runtime_error("cannot write " + temporary);
    }
    std::filesystem::rename(temporary, path);
}

ScanFolders ScanFolders::in(const std::filesystem::path& data_dir) {
    return {data_dir / "images", data_dir / "derived"};
}

std::filesystem::path ScanFolders::derived_for(const std::string& sha256) const {
    return derived / sha256.substr(0, 2) / sha256;
}

std::optional<std::filesystem::path> ScanFolders::rendering_of(const ScanRecord& record) const {
    const auto image =
        std::find_if(record.images.begin(), record.images.end(),
                     [](const StoredImage& stored) { return stored.channel != Channel::low; });
    if (image == record.images.end())
        return std::nullopt;
    return derived_for(image->sha256);
}

scanner_io::DualEnergyScan assemble_scan(const ScanHeader& header,
                                         std::vector<scanner_io::Image16> planes) {
    scanner_io::DualEnergyScan scan;
    scan.air = static_cast<std::uint16_t>(header.air_value);
    scan.along_mm = header.along_mm;
    scan.detector_mm = header.detector_mm;
    for (std::size_t idx = 0; idx < header.images.size() && idx < planes.size(); ++idx) {
        auto& plane = planes[idx];
        if (!header.travel_left_to_right)
            flip_columns(plane);
        if (!header.detector_top_down)
            flip_rows(plane);
        if (header.images[idx].channel == Channel::low)
            scan.low = std::move(plane);
        else
            scan.high = std::move(plane);
    }
    return scan;
}

scanner_io::Declaration declaration_for(ScanStore& store, const ScanRecord& record) {
    scanner_io::Declaration combined;
    int linked = 0;
    for (const auto& link : record.links) {
        if (!link.container_id)
            continue;
        const auto one = store.declaration(*link.container_id);
        if (linked++ == 0) {
            combined = one;
            continue;
        }
        combined.empty = combined.empty && one.empty;
        const auto add = [](std::optional<double>& sum, const std::optional<double>& part) {
            sum = sum && part ? std::optional<double>(*sum + *part) : std::nullopt;
        };
        add(combined.gross_mass_kg, one.gross_mass_kg);
        add(combined.tare_mass_kg, one.tare_mass_kg);
        if (combined.cargo != one.cargo)
            combined.cargo = scanner_io::CargoClass::mixed;
        combined.length_ft += one.length_ft;
    }
    return combined;
}

void render_scan(const scanner_io::DualEnergyScan& scan, const std::filesystem::path& folder) {
    std::filesystem::create_directories(folder);
    const auto view = scanner_io::render(scan.high, scan.air);
    write_file_whole(folder / "preview.png", scanner_io::encode_preview(view));
    scanner_io::write_deep_zoom(view, folder, "image");
    if (scan.dual()) {
        const auto overlay = scanner_io::material_overlay(scanner_io::classify_materials(scan));
        write_file_whole(folder / "materials.png", scanner_io::encode_preview(overlay, 1500));
    }
}

scanner_io::DualEnergyScan load_scan(const ScanFolders& folders, const ScanRecord& record,
                                     const ScanHeader& header) {
    const scanner_io::ImageStore store(folders.images);
    std::vector<scanner_io::Image16> planes;
    for (const auto& description : header.images) {
        const auto stored =
            std::find_if(record.images.begin(), record.images.end(), [&](const StoredImage& image) {
                return image.channel == description.channel;
            });
        if (stored == record.images.end())
            throw std::runtime_error("scan '" + record.scan_id + "' has no " +
                                     std::string(channel_name(description.channel)) + " image");
        planes.push_back(scanner_io::decode_image(store.get(stored->sha256), stored->format,
                                                  {stored->width, stored->height}));
    }
    return assemble_scan(header, std::move(planes));
}

StoredScan load_stored(ScanStore& store, const ScanFolders& folders, const std::string& scan_id) {
    auto record = store.find(scan_id);
    if (!record)
        throw std::out_of_range("no scan with id '" + scan_id + "'");
    auto header = parse_scan_header(record->header_json);
    if (!header)
        throw std::runtime_error("the stored header of scan '" + scan_id + "' does not parse");
    auto scan = load_scan(folders, *record, *header);
    return {std::move(*record), std::move(*header), std::move(scan)};
}

std::pair<ContainerLink, std::string>
link_and_analyse(storage::Database& db, const ScanFolders& folders, const std::string& scan_id,
                 int position, const std::string& number, const std::string& officer) {
    ScanStore store(db);
    ContainerLink link;
    {
        storage::Transaction transaction(db);
        link = store.link(scan_id, position, number, officer, utc_now_iso8601());
        transaction.commit();
    }
    // Analysed after the link commits: decoding and analysis take a second, and the link must
    // not wait for them.
    const auto stored = load_stored(store, folders, scan_id);
    const auto analysis =
        scanner_io::analyse_scan(stored.scan, declaration_for(store, stored.record));
    storage::Transaction transaction(db);
    store.store_analysis(stored.record.row, link.container_id, analysis, utc_now_iso8601());
    transaction.commit();
    return {link, analysis_json(analysis)};
}

std::filesystem::path clahe_rendering(const ScanFolders& folders, const StoredScan& stored) {
    const auto rendering = folders.rendering_of(stored.record);
    if (!rendering)
        throw std::runtime_error("scan '" + stored.record.scan_id + "' has no image to render");
    const auto folder = *rendering / "clahe";
    if (std::filesystem::exists(folder / "image.dzi"))
        return folder;
    scanner_io::RenderOptions options;
    options.clahe = true;
    scanner_io::write_deep_zoom(scanner_io::render(stored.scan.high, stored.scan.air, options),
                                folder, "image");
    return folder;
}

} // namespace portscreen::scans
