#include "render.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <random>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace portscreen::scanner_io {
namespace {

namespace fs = std::filesystem;

// Strings are built by appending: `"literal" + std::string` temporaries trip GCC 12's
// -Wnull-dereference in optimised builds.
template <typename... Parts> std::string concat(const Parts&... parts) {
    std::string text;
    (text.append(parts), ...);
    return text;
}

std::string size_text(int width, int height) {
    return concat(std::to_string(width), " x ", std::to_string(height));
}

// The share of pixels clipped at each end of the display window: enough to ignore dead and hot
// detector pixels and a few saturated ones, little enough to keep the real range.
constexpr double kClippedShare = 0.005;
// Windows narrower than this in ln(I0/I) (about a 1% change in intensity) come from a constant
// or almost constant image: stretching them would only show noise.
constexpr double kMinWindowWidth = 0.01;
// CLAHE (Zuiderveld, "Contrast Limited Adaptive Histogram Equalization", Graphics Gems IV,
// 1994): a clip limit of 2-3 brings out detail without turning detector noise into texture.
constexpr double kClaheClipLimit = 2.5;
constexpr int kClaheTiles = 8;
// PNG with the RLE strategy and no explicit level keeps OpenCV's speed settings (zlib level 1,
// the SUB filter only). For a cargo preview and for the flat colours of the material overlay it
// measured both faster (2-3x) and smaller than levels 1-3 with libpng's adaptive filters.
std::vector<int> png_parameters() {
    return {cv::IMWRITE_PNG_STRATEGY, cv::IMWRITE_PNG_STRATEGY_RLE};
}
constexpr std::uint8_t kOverlayAlpha = 128;

void check_raster(const Raster8& raster, std::string_view what) {
    if (raster.width <= 0 || raster.height <= 0)
        throw std::invalid_argument(concat(
            what, ": raster of ", size_text(raster.width, raster.height), " pixels is empty"));
    if (raster.channels != 1 && raster.channels != 3 && raster.channels != 4)
        throw std::invalid_argument(concat(what, ": raster has ", std::to_string(raster.channels),
                                           " channels, expected 1, 3 or 4"));
    const auto expected = static_cast<std::size_t>(raster.width) * raster.height * raster.channels;
    if (raster.pixels.size() != expected)
        throw std::invalid_argument(
            concat(what, ": raster of ", size_text(raster.width, raster.height), " x ",
                   std::to_string(raster.channels), " holds ", std::to_string(raster.pixels.size()),
                   " bytes, expected ", std::to_string(expected)));
}

// A read-only view of the raster's pixels; no copy.
cv::Mat view(const Raster8& raster) {
    // cv::Mat has no const-data constructor; every caller only reads through this view.
    return cv::Mat(raster.height, raster.width, CV_8UC(raster.channels),
                   const_cast<std::uint8_t*>(raster.pixels.data()));
}

Raster8 to_raster(const cv::Mat& mat) {
    Raster8 raster;
    raster.width = mat.cols;
    raster.height = mat.rows;
    raster.channels = mat.channels();
    raster.pixels.resize(mat.total() * mat.elemSize());
    mat.copyTo(view(raster));
    return raster;
}

// ln(I0/I): by Beer-Lambert proportional to the areal density crossed. Values at or above air
// have crossed nothing; zero counts are read as one so that the logarithm stays finite.
double attenuation(std::uint16_t value, double air) {
    return std::max(0.0, std::log(air / std::max<double>(value, 1.0)));
}

// The 8-bit grey value of every 16-bit value present in the image, from its histogram.
//
// The window is set in log-attenuation space rather than on raw intensities: a transmission
// image is exponential in thickness, so on a linear window everything behind 150 mm of steel
// (a few percent of I0) falls into the bottom few grey levels and dense cargo becomes a black
// blob. In ln(I0/I) each grey level stands for the same step of areal density, whether the beam
// crossed cardboard or a steel coil, which is what an officer reading the load needs. The ends
// of the window are percentiles, so a few dead or saturated pixels do not flatten the rest.
std::vector<std::uint8_t> grey_table(const Image16& image, std::uint16_t air, bool invert) {
    constexpr std::size_t kValues = std::size_t{std::numeric_limits<std::uint16_t>::max()} + 1;
    std::vector<std::uint32_t> histogram(kValues, 0);
    for (const auto value : image.pixels)
        ++histogram[value];

    const auto count = image.pixels.size();
    const auto clipped_rank =
        static_cast<std::size_t>(kClippedShare * static_cast<double>(count - 1));
    // The value at a rank (0 = darkest) of the sorted pixels.
    const auto value_at_rank = [&](std::size_t rank) {
        std::size_t seen = 0;
        for (std::size_t value = 0; value < kValues; ++value) {
            seen += histogram[value];
            if (seen > rank)
                return static_cast<std::uint16_t>(value);
        }
        return std::numeric_limits<std::uint16_t>::max();
    };
    const auto darkest = value_at_rank(clipped_rank);
    const auto brightest = value_at_rank(count - 1 - clipped_rank);

    const double air_value = air;
    double window_low = attenuation(brightest, air_value);
    double window_high = attenuation(darkest, air_value);
    if (window_high - window_low < kMinWindowWidth) {
        // Nothing to stretch: show the image on the whole physical range, from air to one count,
        // so that a uniformly dense image still looks dense and a uniform air image white.
        window_low = 0;
        window_high = attenuation(1, air_value);
    }
    const double window_width = window_high - window_low;

    std::vector<std::uint8_t> table(kValues, 0);
    for (std::size_t value = 0; value < kValues; ++value) {
        if (histogram[value] == 0)
            continue;
        // Light is little attenuation: 1 at the bright end of the window, 0 at the dense end.
        const double light =
            window_width > 0
                ? std::clamp(
                      (window_high - attenuation(static_cast<std::uint16_t>(value), air_value)) /
                          window_width,
                      0.0, 1.0)
                : 1.0;
        const auto grey = static_cast<std::uint8_t>(std::lround(255.0 * light));
        table[value] = invert ? static_cast<std::uint8_t>(255 - grey) : grey;
    }
    return table;
}

// "rainbow" is Turbo (Mikhailov, "Turbo, An Improved Rainbow Colormap for Visualization", Google
// AI Blog, 2019): the hues of Jet without its false bands, so edges in the colour are edges in
// the cargo.
int colormap_of(Palette palette) {
    switch (palette) {
    case Palette::heat: return cv::COLORMAP_HOT;
    case Palette::rainbow: return cv::COLORMAP_TURBO;
    case Palette::grey: break;
    }
    throw std::invalid_argument("render: palette has no colour map");
}

std::vector<std::uint8_t> encode(std::string_view what, const std::string& extension,
                                 const cv::Mat& image, const std::vector<int>& parameters) {
    std::vector<std::uint8_t> bytes;
    try {
        if (cv::imencode(extension, image, bytes, parameters))
            return bytes;
    } catch (const cv::Exception& error) {
        throw std::runtime_error(concat(what, ": cannot encode ", size_text(image.cols, image.rows),
                                        " image as ", extension, ": ", error.what()));
    }
    throw std::runtime_error(concat(what, ": cannot encode ", size_text(image.cols, image.rows),
                                    " image as ", extension));
}

// ---- Deep Zoom ----
//
// Layout as defined in "Deep Zoom File Format Overview" (Microsoft, Silverlight documentation,
// https://learn.microsoft.com/previous-versions/windows/silverlight/dotnet-windows-silverlight/cc645077(v=vs.95))
// and read by OpenSeadragon's DziTileSource.

void check_deep_zoom_arguments(std::string_view name, const DeepZoomOptions& options) {
    if (name.empty() || name == "." || name == ".." ||
        name.find_first_of(std::string_view("/\\\0", 3)) != std::string_view::npos)
        throw std::invalid_argument(
            concat("deep zoom: name '", name, "' is not a plain file name"));
    if (options.tile_size < 1)
        throw std::invalid_argument(
            concat("deep zoom: tile size ", std::to_string(options.tile_size), " is below 1"));
    if (options.overlap < 0 || options.overlap >= options.tile_size)
        throw std::invalid_argument(concat("deep zoom: overlap ", std::to_string(options.overlap),
                                           " is not between 0 and the tile size minus 1"));
    if (options.jpeg_quality < 1 || options.jpeg_quality > 100)
        throw std::invalid_argument(concat("deep zoom: JPEG quality ",
                                           std::to_string(options.jpeg_quality),
                                           " is not between 1 and 100"));
}

// The level at full resolution: ceil(log2(largest side)), so that level 0 is one pixel.
int top_level(int width, int height) {
    const auto side = static_cast<std::int64_t>(std::max(width, height));
    int level = 0;
    while ((std::int64_t{1} << level) < side)
        ++level;
    return level;
}

void write_file(const fs::path& path, const void* data, std::size_t size) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
        throw std::runtime_error(concat("deep zoom: cannot create ", path.string()));
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    if (!out)
        throw std::runtime_error(concat("deep zoom: cannot write ", path.string()));
}

void create_folder(const fs::path& path) {
    std::error_code error;
    fs::create_directories(path, error);
    if (error)
        throw std::runtime_error(
            concat("deep zoom: cannot create folder ", path.string(), ": ", error.message()));
}

bool exists_entry(const fs::path& path) {
    std::error_code error;
    return fs::exists(fs::symlink_status(path, error));
}

// A fresh folder that is deleted with everything in it when this goes out of scope.
class TemporaryFolder {
public:
    TemporaryFolder(const fs::path& parent, std::string_view name) {
        std::random_device entropy;
        std::error_code error;
        for (int attempt = 0; attempt < 16; ++attempt) {
            std::array<char, 9> suffix{};
            std::snprintf(suffix.data(), suffix.size(), "%08x", entropy());
            auto candidate = parent / concat(".", name, ".tmp-", suffix.data());
            if (fs::create_directory(candidate, error)) {
                path_ = std::move(candidate);
                return;
            }
            if (error)
                throw std::runtime_error(concat("deep zoom: cannot create folder ",
                                                candidate.string(), ": ", error.message()));
        }
        throw std::runtime_error(
            concat("deep zoom: cannot find a free temporary name in ", parent.string()));
    }
    TemporaryFolder(const TemporaryFolder&) = delete;
    TemporaryFolder& operator=(const TemporaryFolder&) = delete;
    ~TemporaryFolder() {
        std::error_code ignored; // a leftover folder is harmless; a throwing destructor is not
        fs::remove_all(path_, ignored);
    }

    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

void rename_or_throw(const fs::path& from, const fs::path& to) {
    std::error_code error;
    fs::rename(from, to, error);
    if (error)
        throw std::runtime_error(concat("deep zoom: cannot rename ", from.string(), " to ",
                                        to.string(), ": ", error.message()));
}

// Moves the finished pyramid from `staging` into `folder`, the tiles first and the .dzi last,
// moving an older pyramid of that name into `staging` (deleted with it). On failure the old
// pyramid is put back as far as the file system allows, and the error is thrown.
void install(const fs::path& staging, const fs::path& folder, const std::string& dzi_name,
             const std::string& files_name) {
    const auto dzi = folder / dzi_name;
    const auto files = folder / files_name;
    const auto old_dzi = staging / "replaced.dzi";
    const auto old_files = staging / "replaced_files";
    bool moved_old_dzi = false;
    bool moved_old_files = false;
    bool placed_files = false;
    try {
        // The .dzi goes first so that, from here on, readers see no pyramid rather than an old
        // .dzi over a mix of tiles.
        if (exists_entry(dzi)) {
            rename_or_throw(dzi, old_dzi);
            moved_old_dzi = true;
        }
        if (exists_entry(files)) {
            rename_or_throw(files, old_files);
            moved_old_files = true;
        }
        rename_or_throw(staging / files_name, files);
        placed_files = true;
        rename_or_throw(staging / dzi_name, dzi);
    } catch (const std::runtime_error&) {
        std::error_code ignored; // the original error is the one worth reporting
        if (placed_files)
            fs::rename(files, staging / "failed_files", ignored);
        if (moved_old_files)
            fs::rename(old_files, files, ignored);
        if (moved_old_dzi)
            fs::rename(old_dzi, dzi, ignored);
        throw;
    }
}

std::string dzi_document(int width, int height, const std::string& format,
                         const DeepZoomOptions& options) {
    return concat("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
                  "<Image xmlns=\"http://schemas.microsoft.com/deepzoom/2008\" Format=\"", format,
                  "\" Overlap=\"", std::to_string(options.overlap), "\" TileSize=\"",
                  std::to_string(options.tile_size), "\">\n", "  <Size Width=\"",
                  std::to_string(width), "\" Height=\"", std::to_string(height), "\"/>\n",
                  "</Image>\n");
}

// Tile (column, row) of a level covers [column*size - overlap, (column+1)*size + overlap),
// without the leading overlap on the first column and clipped to the level.
cv::Rect tile_rect(int column, int row, const cv::Size& level, const DeepZoomOptions& options) {
    const int left = column * options.tile_size - (column > 0 ? options.overlap : 0);
    const int top = row * options.tile_size - (row > 0 ? options.overlap : 0);
    const int right = std::min((column + 1) * options.tile_size + options.overlap, level.width);
    const int bottom = std::min((row + 1) * options.tile_size + options.overlap, level.height);
    return {left, top, right - left, bottom - top};
}

// The next level down: ceil(size / 2). An odd side is first extended by repeating its last
// pixel, so that every output pixel averages exactly the 2 x 2 pixels it stands for, as the
// Deep Zoom grid has it; resizing by the slightly-off ratio instead would shift content by up to
// half a pixel across the level and take OpenCV's general area path, 30 times slower.
cv::Mat halve(const cv::Mat& level) {
    cv::Mat source = level;
    if (level.cols % 2 != 0 || level.rows % 2 != 0)
        cv::copyMakeBorder(level, source, 0, level.rows % 2, 0, level.cols % 2,
                           cv::BORDER_REPLICATE);
    cv::Mat halved;
    cv::resize(source, halved, cv::Size(source.cols / 2, source.rows / 2), 0, 0, cv::INTER_AREA);
    return halved;
}

void write_level_tiles(const cv::Mat& level, const fs::path& level_folder,
                       const std::string& extension, const std::vector<int>& parameters,
                       const DeepZoomOptions& options) {
    create_folder(level_folder);
    const int columns = (level.cols + options.tile_size - 1) / options.tile_size;
    const int rows = (level.rows + options.tile_size - 1) / options.tile_size;
    for (int row = 0; row < rows; ++row) {
        for (int column = 0; column < columns; ++column) {
            const auto tile_path =
                level_folder / concat(std::to_string(column), "_", std::to_string(row), extension);
            const auto bytes =
                encode("deep zoom", extension, level(tile_rect(column, row, level.size(), options)),
                       parameters);
            write_file(tile_path, bytes.data(), bytes.size());
        }
    }
}

} // namespace

std::optional<Palette> parse_palette(std::string_view name) {
    if (name == "grey")
        return Palette::grey;
    if (name == "heat")
        return Palette::heat;
    if (name == "rainbow")
        return Palette::rainbow;
    return std::nullopt;
}

Raster8 render(const Image16& image, std::uint16_t air, const RenderOptions& options) {
    if (image.width <= 0 || image.height <= 0)
        throw std::invalid_argument(
            concat("render: image of ", size_text(image.width, image.height), " pixels is empty"));
    const auto expected = static_cast<std::size_t>(image.width) * image.height;
    if (image.pixels.size() != expected)
        throw std::invalid_argument(concat(
            "render: image of ", size_text(image.width, image.height), " holds ",
            std::to_string(image.pixels.size()), " pixels, expected ", std::to_string(expected)));
    if (expected > std::numeric_limits<std::uint32_t>::max())
        throw std::invalid_argument(
            concat("render: image of ", size_text(image.width, image.height), " is too large"));
    if (air == 0)
        throw std::invalid_argument("render: air value 0 leaves no attenuation to show");

    const auto table = grey_table(image, air, options.invert);
    Raster8 grey;
    grey.width = image.width;
    grey.height = image.height;
    grey.channels = 1;
    grey.pixels.resize(expected);
    std::transform(image.pixels.begin(), image.pixels.end(), grey.pixels.begin(),
                   [&table](std::uint16_t value) { return table[value]; });

    if (options.clahe) {
        const auto clahe = cv::createCLAHE(kClaheClipLimit, cv::Size(kClaheTiles, kClaheTiles));
        cv::Mat equalised;
        clahe->apply(view(grey), equalised);
        equalised.copyTo(view(grey));
    }
    if (options.palette == Palette::grey)
        return grey;
    cv::Mat coloured;
    cv::applyColorMap(view(grey), coloured, colormap_of(options.palette));
    return to_raster(coloured);
}

Raster8 material_overlay(const MaterialMap& materials) {
    const auto expected = static_cast<std::size_t>(std::max(materials.width, 0)) *
                          static_cast<std::size_t>(std::max(materials.height, 0));
    if (materials.width <= 0 || materials.height <= 0 || materials.classes.size() != expected)
        throw std::invalid_argument(
            concat("material overlay: map of ", size_text(materials.width, materials.height),
                   " holds ", std::to_string(materials.classes.size()), " classes, expected ",
                   std::to_string(expected), " and at least one"));

    // BGRA, indexed by Material. Orange, green and blue follow the colours cargo scanners use
    // for organic, inorganic and metal; purple marks what the beam could not tell.
    constexpr std::array<std::array<std::uint8_t, 4>, 5> kColours{{
        {0, 0, 0, 0},                 // none
        {0, 140, 255, kOverlayAlpha}, // organic: orange
        {0, 200, 0, kOverlayAlpha},   // inorganic: green
        {255, 90, 0, kOverlayAlpha},  // metal: blue
        {200, 0, 160, kOverlayAlpha}, // undetermined: purple
    }};

    Raster8 overlay;
    overlay.width = materials.width;
    overlay.height = materials.height;
    overlay.channels = 4;
    overlay.pixels.resize(expected * 4);
    auto* out = overlay.pixels.data();
    for (std::size_t index = 0; index < expected; ++index, out += 4) {
        const auto code = static_cast<std::size_t>(materials.classes[index]);
        if (code >= kColours.size())
            throw std::invalid_argument(
                concat("material overlay: pixel ", std::to_string(index % materials.width), ",",
                       std::to_string(index / materials.width), " has unknown material class ",
                       std::to_string(code)));
        std::copy(kColours[code].begin(), kColours[code].end(), out);
    }
    return overlay;
}

std::string encode_preview(const Raster8& raster, int max_width) {
    check_raster(raster, "preview");
    if (max_width < 1)
        throw std::invalid_argument(
            concat("preview: maximum width ", std::to_string(max_width), " is below 1"));

    const auto source = view(raster);
    cv::Mat scaled = source;
    if (raster.width > max_width) {
        const auto height = std::max<long>(
            1, std::lround(static_cast<double>(raster.height) * max_width / raster.width));
        // INTER_AREA averages every source pixel: no aliasing moiré on container corrugation.
        cv::resize(source, scaled, cv::Size(max_width, static_cast<int>(height)), 0, 0,
                   cv::INTER_AREA);
    }
    const auto bytes = encode("preview", ".png", scaled, png_parameters());
    return std::string(bytes.begin(), bytes.end());
}

void write_deep_zoom(const Raster8& raster, const fs::path& folder, std::string_view name,
                     const DeepZoomOptions& options) {
    check_raster(raster, "deep zoom");
    check_deep_zoom_arguments(name, options);

    const bool with_alpha = raster.channels == 4;
    const std::string format = with_alpha ? "png" : "jpg";
    const std::string extension = concat(".", format);
    const std::vector<int> parameters =
        with_alpha ? png_parameters()
                   : std::vector<int>{cv::IMWRITE_JPEG_QUALITY, options.jpeg_quality};
    const std::string dzi_name = concat(name, ".dzi");
    const std::string files_name = concat(name, "_files");

    create_folder(folder);
    const TemporaryFolder staging(folder, name);
    const auto staged_files = staging.path() / files_name;

    // Each level halves the one above it (rounding up), which is what ceil(size / 2^(max - L))
    // amounts to: every pixel is read about 4/3 times in all, not once per level.
    // Alpha is premultiplied while halving: averaging straight colours with transparent black
    // would draw dark fringes round every material region at the coarser levels.
    const int top = top_level(raster.width, raster.height);
    const auto full = view(raster);
    // Fresh Mats for every conversion: a destination that shares pixels with its source would
    // be converted in place, writing into the caller's raster or the level still to be halved.
    cv::Mat level;
    if (with_alpha)
        cv::cvtColor(full, level, cv::COLOR_RGBA2mRGBA);
    else
        level = full;
    for (int level_index = top; level_index >= 0; --level_index) {
        if (level_index < top)
            level = halve(level);
        cv::Mat tiles_source;
        if (level_index == top || !with_alpha)
            tiles_source = level_index == top ? full : level;
        else
            cv::cvtColor(level, tiles_source, cv::COLOR_mRGBA2RGBA);
        write_level_tiles(tiles_source, staged_files / std::to_string(level_index), extension,
                          parameters, options);
    }

    const auto document = dzi_document(raster.width, raster.height, format, options);
    write_file(staging.path() / dzi_name, document.data(), document.size());
    install(staging.path(), folder, dzi_name, files_name);
}

} // namespace portscreen::scanner_io
