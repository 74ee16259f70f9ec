#pragma once

#include "analysis.hpp"
#include "image.hpp"
#include "scans/scan_header.hpp"
#include "scans/scan_store.hpp"

#include <filesystem>
#include <optional>
#include <utility>
#include <vector>

/// The steps between a stored scan and its analysis, shared by the node's scan server and the
/// command line (which re-analyses a scan linked by hand).
namespace portscreen::scans {

/// Where a node keeps its image files and what is rendered from them.
struct ScanFolders {
    std::filesystem::path images;  ///< content-addressed originals
    std::filesystem::path derived; ///< previews and tile pyramids, one folder per scan image

    static ScanFolders in(const std::filesystem::path& data_dir);
    /// The folder of what is rendered from the image with this hash.
    std::filesystem::path derived_for(const std::string& sha256) const;
    /// The folder of a scan's preview, tiles and overlay: that of its high-energy (or single)
    /// image; nothing for a scan without one.
    std::optional<std::filesystem::path> rendering_of(const ScanRecord& record) const;
};

/// The decoded planes of a scan turned into what the analysis expects: air value and spacing
/// from the header, flipped so the container travels left to right and row 0 is the top.
scanner_io::DualEnergyScan assemble_scan(const ScanHeader& header,
                                         std::vector<scanner_io::Image16> planes);

/// The declaration to compare a scan with: that of its one linked container, or of all of them
/// together when a vehicle carried several (masses add up); nothing known when none is linked.
scanner_io::Declaration declaration_for(ScanStore& store, const ScanRecord& record);

/// Writes the preview, the Deep Zoom pyramid and the material overlay of a scan into `folder`.
void render_scan(const scanner_io::DualEnergyScan& scan, const std::filesystem::path& folder);

/// Writes a file under a temporary name and renames it into place, so that a reader sees the
/// old file or the whole new one. Throws std::runtime_error naming the path.
void write_file_whole(const std::filesystem::path& path, const std::string& bytes);

/// Reads the scan's images back from the store (hashes verified), decodes and assembles them.
scanner_io::DualEnergyScan load_scan(const ScanFolders& folders, const ScanRecord& record,
                                     const ScanHeader& header);

/// A stored scan read back whole: its record, its header and its planes (hashes verified).
struct StoredScan {
    ScanRecord record;
    ScanHeader header;
    scanner_io::DualEnergyScan scan;
};

/// Throws std::out_of_range when no scan has the id, std::runtime_error when its stored header
/// no longer parses or an image fails its hash.
StoredScan load_stored(ScanStore& store, const ScanFolders& folders, const std::string& scan_id);

/// Links a container number of a scan by hand (`ScanStore::link`), then analyses the scan
/// against that container's manifest and stores the analysis, so the container is re-scored.
/// Returns the link and the analysis as JSON.
std::pair<ContainerLink, std::string>
link_and_analyse(storage::Database& db, const ScanFolders& folders, const std::string& scan_id,
                 int position, const std::string& number, const std::string& officer);

/// The folder of the scan's contrast-enhanced (CLAHE) Deep Zoom pyramid, `clahe/image.dzi`
/// beside the plain one, rendered on first use. Callers must not render the same scan twice at
/// once.
std::filesystem::path clahe_rendering(const ScanFolders& folders, const StoredScan& stored);

} // namespace portscreen::scans
