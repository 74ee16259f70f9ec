#pragma once

#include <cstdint>
#include <vector>

/// The plain image types every part of scanner-io speaks. OpenCV and DCMTK stay inside the
/// module's .cpp files; these types are what crosses its boundary.
namespace portscreen::scanner_io {

/// One 16-bit grey image plane, row-major: `width` columns (along the scan, the direction of
/// travel) by `height` rows (down the detector column).
struct Image16 {
    int width = 0;
    int height = 0;
    std::vector<std::uint16_t> pixels;

    Image16() = default;
    Image16(int w, int h, std::uint16_t fill = 0)
        : width(w), height(h), pixels(static_cast<std::size_t>(w) * h, fill) {}

    std::uint16_t at(int x, int y) const { return pixels[static_cast<std::size_t>(y) * width + x]; }
    std::uint16_t& at(int x, int y) { return pixels[static_cast<std::size_t>(y) * width + x]; }
    bool empty() const { return pixels.empty(); }
};

/// An 8-bit raster for display: 1 (grey), 3 (BGR) or 4 (BGRA) channels, interleaved.
struct Raster8 {
    int width = 0;
    int height = 0;
    int channels = 1;
    std::vector<std::uint8_t> pixels;
};

/// A transmission scan as the analysis sees it: intensities at two energies of the same view
/// (or only `high` for a single-energy scanner), the unattenuated air value I0, and the pixel
/// spacing, which differs along the scan and down the detector.
struct DualEnergyScan {
    Image16 high;
    Image16 low; ///< empty for a single-energy scan
    std::uint16_t air = 60000;
    double along_mm = 2.0;    ///< pixel spacing in the direction of travel
    double detector_mm = 2.2; ///< pixel spacing down the detector column

    bool dual() const { return !low.empty(); }
};

} // namespace portscreen::scanner_io
