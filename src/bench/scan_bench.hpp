#pragma once

#include <cstdint>
#include <filesystem>

namespace portscreen::bench {

struct ScanBenchOptions {
    int scans = 15;     ///< sent one at a time, for the latency figures
    int sustained = 30; ///< sent as fast as the node takes them, for the rate
    std::uint64_t seed = 7;
    std::filesystem::path work_dir;
};

struct ScanBenchResult {
    int width = 0;
    int height = 0;
    std::size_t png_bytes = 0;        ///< both planes
    double opencv_floor_ms = 0;       ///< decoding both PNGs with OpenCV alone, one after the other
    double median_to_ack_ms = 0;      ///< first frame sent to ACK
    double median_ack_to_done_ms = 0; ///< ACK to analysis, preview and tiles stored
    double median_end_to_end_ms = 0;
    double scans_per_s = 0;
};

/// Runs a scan endpoint in this process on a fresh data folder and sends it simulated 6,000 x
/// 1,200 dual-energy scans as 16-bit PNGs over tcp loopback.
ScanBenchResult run_scan_bench(const ScanBenchOptions& options);

} // namespace portscreen::bench
