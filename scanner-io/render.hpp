#pragma once

#include "analysis.hpp"
#include "image.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

/// Images for people: 8-bit renderings of a 16-bit scan, a preview, and a Deep Zoom tile pyramid
/// that a viewer (OpenSeadragon) zooms into down to full resolution.
namespace portscreen::scanner_io {

enum class Palette { grey, heat, rainbow };

/// Applied in this order: window, invert, CLAHE, palette. A palette colours the grey level, so
/// heat runs from black (dense) through red and yellow to white (air), and rainbow (Turbo) from
/// dark blue (dense) to dark red (air); `invert` reverses both.
struct RenderOptions {
    bool clahe = false;  ///< contrast-limited adaptive histogram equalisation, 8 x 8 tiles
    bool invert = false; ///< dense as light instead of dark
    Palette palette = Palette::grey;
};

/// "grey", "heat" or "rainbow" (exactly, lower case); nothing for any other name.
std::optional<Palette> parse_palette(std::string_view name);

/// Maps attenuation to 8 bits with a window taken from the image's own histogram, then applies
/// the options. One channel for grey, three (BGR) for a palette. The window runs from the 0.5th
/// to the 99.5th percentile of the pixel values, in log-attenuation space ln(air/I); by default
/// air (and anything brighter) is white and the densest cargo black. Throws
/// std::invalid_argument for an empty image, pixels that do not match the size, or air 0.
Raster8 render(const Image16& image, std::uint16_t air, const RenderOptions& options = {});

/// The material classes as a translucent BGRA overlay in the usual colours (organic orange,
/// inorganic green, metal blue, undetermined purple; nothing where there is no material). Alpha
/// is 128 where there is a material and 0 elsewhere. Throws std::invalid_argument when the
/// classes do not match the size or hold a value outside the enumeration.
Raster8 material_overlay(const MaterialMap& materials);

/// PNG of the raster scaled down to at most `max_width` columns (never up), keeping the aspect
/// ratio. Throws std::invalid_argument for an empty or malformed raster or max_width < 1.
std::string encode_preview(const Raster8& raster, int max_width = 1500);

struct DeepZoomOptions {
    int tile_size = 254;   ///< at least 1
    int overlap = 1;       ///< 0 to tile_size - 1
    int jpeg_quality = 90; ///< 1-100; tiles of 1 and 3-channel rasters are JPEG, BGRA ones PNG
};

/// Writes `name`.dzi and `name`_files/LEVEL/COL_ROW.jpg (or .png) under `folder`, as the Deep
/// Zoom format defines: level L holds the image scaled to ceil(size / 2^(max - L)), the last
/// level is full resolution. Files are written under a temporary name and renamed, so a reader
/// never sees a half-written pyramid.
///
/// Everything is first written into `folder`/.`name`.tmp-XXXXXXXX; then the tiles folder is
/// renamed into place and the .dzi last, so the .dzi existing means the pyramid is complete. An
/// existing pyramid of the same name is replaced: its .dzi is moved away first (from then on it
/// reads as absent), then its tiles, and it is deleted once the new one is in place; if a rename
/// fails the old pyramid is put back. A viewer that loaded the old .dzi before the swap may
/// fetch tiles of the new one. Writers of the same `name` must not run concurrently. Files are
/// not fsynced: a pyramid is derived data that can be rendered again. `folder` is created if
/// missing. Throws std::runtime_error naming the path when something cannot be written, and
/// std::invalid_argument for a malformed raster, bad options or a `name` that is not a plain file
/// name.
void write_deep_zoom(const Raster8& raster, const std::filesystem::path& folder,
                     std::string_view name, const DeepZoomOptions& options = {});

} // namespace portscreen::scanner_io
