#pragma once

#include "analysis.hpp"
#include "scans/scan_header.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

/// Scan metadata in the node's database: scans, their images (the files themselves are in the
/// ImageStore), the link from each container number read at the gate to the manifest's
/// container, and the analyses.
namespace portscreen::scans {

struct StoredImage {
    Channel channel = Channel::single;
    scanner_io::ImageFormat format = scanner_io::ImageFormat::png;
    int width = 0;
    int height = 0;
    std::string sha256;
    std::int64_t bytes = 0;
};

struct ContainerLink {
    int position = 0;
    std::string number_read;
    std::optional<std::int64_t> container_id; ///< nothing while unmatched
    std::optional<std::int64_t> vessel_call_id;
    std::string problem; ///< why it is unmatched
    std::string linked_by;
};

struct ScanRecord {
    std::int64_t row = 0;
    std::string scan_id;
    std::string scanner_id;
    std::string scanned_at;
    std::string received_at;
    std::string header_json;
    std::vector<StoredImage> images;
    std::vector<ContainerLink> links;
};

/// How far from the scan a vessel call's ETA may be for its manifest to claim the container.
inline constexpr int kLinkWindowDays = 30;

class ScanStore {
public:
    explicit ScanStore(storage::Database& db);

    std::optional<ScanRecord> find(const std::string& scan_id);
    std::optional<ScanRecord> find_row(std::int64_t row);

    /// Inserts the scan, its images and its container links (each number matched against the
    /// manifests now), in the caller's transaction.
    ScanRecord insert(const ScanHeader& header, std::string_view header_json,
                      const std::vector<StoredImage>& images, const std::string& source,
                      const std::string& received_at);

    /// What the manifest declares about a container, for comparing with its scan.
    scanner_io::Declaration declaration(std::int64_t container_id);

    /// Stores one analysis of a scan, against the container it was compared with.
    std::int64_t store_analysis(std::int64_t scan_row, std::optional<std::int64_t> container_id,
                                const scanner_io::ScanAnalysis& analysis,
                                const std::string& analysed_at);

    /// Links a container number of a scan by hand: the number must check and a manifest must
    /// list it. Returns the link; throws std::runtime_error naming what is wrong.
    ContainerLink link(const std::string& scan_id, int position, const std::string& number,
                       const std::string& officer, const std::string& at);

    /// Tries the unmatched links again (a manifest may have arrived since); returns the rows
    /// of the scans that gained a link.
    std::vector<std::int64_t> relink_unmatched(const std::string& at);

    struct Unmatched {
        std::string scan_id;
        std::string scanned_at;
        int position = 0;
        std::string number_read;
        std::string problem;
    };
    std::vector<Unmatched> unmatched();

private:
    ContainerLink match(const std::string& number_read, const std::string& scanned_at);

    storage::Database& db_;
};

/// The analysis as JSON, as stored and as the web API shows it.
std::string analysis_json(const scanner_io::ScanAnalysis& analysis);

} // namespace portscreen::scans
