#pragma once

#include "common/result.hpp"
#include "formats.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// The header frame of the scan protocol (docs/protocols.md): what the scanner says about a scan
/// and about each image frame that follows it.
namespace portscreen::scans {

enum class Channel { high, low, single };
std::string_view channel_name(Channel channel);

struct ImageDescription {
    Channel channel = Channel::single;
    scanner_io::ImageFormat format = scanner_io::ImageFormat::png;
    int width = 0;
    int height = 0;
};

struct ScanHeader {
    std::string scan_id;
    std::string scanner_id;
    std::vector<std::string> containers; ///< numbers as read at the gate, maybe misread
    std::string scanned_at;              ///< YYYY-MM-DDTHH:MM:SSZ
    std::string view;
    double energy_high_mev = 0;
    std::optional<double> energy_low_mev;
    int air_value = 0;
    double along_mm = 0;
    double detector_mm = 0;
    bool travel_left_to_right = true;     ///< the container enters the image on the left
    bool detector_top_down = true;        ///< row 0 is the top of the detector column
    std::vector<ImageDescription> images; ///< one per frame after the header, in order
};

/// Parses and checks a header; every problem is reported, each with its JSON pointer.
Result<ScanHeader> parse_scan_header(std::string_view json);

/// The header as JSON (what `portscreen scan send` and the scanner simulator send).
std::string to_json(const ScanHeader& header);

} // namespace portscreen::scans
