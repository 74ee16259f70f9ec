#include "render.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

namespace portscreen::scanner_io {
namespace {

namespace fs = std::filesystem;

constexpr std::uint16_t kAir = 60000;

std::uint16_t transmitted(double fraction) {
    return static_cast<std::uint16_t>(std::lround(kAir * fraction));
}

// A 600 x 120 scan: air in the top 20 rows, then cargo in vertical bands transmitting 50%, 10%,
// 2% and 1% of the air value (each band 150 columns wide).
Image16 banded_scan() {
    Image16 image(600, 120, kAir);
    constexpr double kBands[] = {0.5, 0.1, 0.02, 0.01};
    for (int y = 20; y < image.height; ++y)
        for (int x = 0; x < image.width; ++x)
            image.at(x, y) = transmitted(kBands[x / 150]);
    return image;
}

std::uint8_t grey_at(const Raster8& raster, int x, int y) {
    return raster.pixels[static_cast<std::size_t>(y) * raster.width + x];
}

double patch_deviation(const Raster8& raster, int left, int top, int width, int height) {
    double sum = 0;
    double sum_squares = 0;
    for (int y = top; y < top + height; ++y) {
        for (int x = left; x < left + width; ++x) {
            const double value = grey_at(raster, x, y);
            sum += value;
            sum_squares += value * value;
        }
    }
    const double count = static_cast<double>(width) * height;
    const double mean = sum / count;
    return std::sqrt(std::max(0.0, sum_squares / count - mean * mean));
}

// ---- Reading back PNG and JPEG headers without an image library ----

std::uint32_t big_endian(const std::string& bytes, std::size_t at, int length) {
    std::uint32_t value = 0;
    for (int index = 0; index < length; ++index)
        value = value << 8 | static_cast<std::uint8_t>(bytes[at + index]);
    return value;
}

struct ImageHeader {
    int width = 0;
    int height = 0;
    int channels = 0;
};

// PNG: 8-byte signature, then the IHDR chunk (length, "IHDR", width, height, depth, colour type).
std::optional<ImageHeader> png_header(const std::string& bytes) {
    static const std::string kSignature("\x89PNG\r\n\x1a\n", 8);
    if (bytes.size() < 33 || bytes.compare(0, 8, kSignature) != 0 ||
        bytes.compare(12, 4, "IHDR") != 0)
        return std::nullopt;
    const int colour_type = static_cast<std::uint8_t>(bytes[25]);
    const int channels = colour_type == 0 ? 1 : colour_type == 2 ? 3 : colour_type == 6 ? 4 : 0;
    return ImageHeader{static_cast<int>(big_endian(bytes, 16, 4)),
                       static_cast<int>(big_endian(bytes, 20, 4)), channels};
}

// JPEG: segments after SOI (FFD8) until a start-of-frame marker (SOF0-SOF2), whose payload is
// precision, height, width and the number of components.
std::optional<ImageHeader> jpeg_header(const std::string& bytes) {
    if (bytes.size() < 4 || static_cast<std::uint8_t>(bytes[0]) != 0xFF ||
        static_cast<std::uint8_t>(bytes[1]) != 0xD8)
        return std::nullopt;
    std::size_t at = 2;
    while (at + 4 <= bytes.size()) {
        if (static_cast<std::uint8_t>(bytes[at]) != 0xFF)
            return std::nullopt;
        const auto marker = static_cast<std::uint8_t>(bytes[at + 1]);
        const auto length = big_endian(bytes, at + 2, 2);
        if (marker >= 0xC0 && marker <= 0xC2) {
            if (at + 10 > bytes.size())
                return std::nullopt;
            return ImageHeader{static_cast<int>(big_endian(bytes, at + 7, 2)),
                               static_cast<int>(big_endian(bytes, at + 5, 2)),
                               static_cast<std::uint8_t>(bytes[at + 9])};
        }
        at += 2 + length;
    }
    return std::nullopt;
}

// By size rather than through istreambuf_iterator, which trips GCC 12's -Wnull-dereference
// in optimised builds. A missing file reads as empty.
std::string read_file(const fs::path& path) {
    std::error_code error;
    const auto size = fs::file_size(path, error);
    if (error)
        return {};
    std::string bytes(size, '\0');
    std::ifstream in(path, std::ios::binary);
    in.read(bytes.data(), static_cast<std::streamsize>(size));
    return in ? bytes : std::string();
}

std::optional<ImageHeader> tile_header(const fs::path& path) {
    const auto bytes = read_file(path);
    return path.extension() == ".png" ? png_header(bytes) : jpeg_header(bytes);
}

// A folder of its own for one test, deleted at the end.
class ScratchFolder {
public:
    ScratchFolder() {
        static std::atomic<int> counter{0};
        const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
        path_ = fs::temp_directory_path() / (std::string("render_test_")
                                                 .append(test->name())
                                                 .append("_")
                                                 .append(std::to_string(::getpid()))
                                                 .append("_")
                                                 .append(std::to_string(counter++)));
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ScratchFolder(const ScratchFolder&) = delete;
    ScratchFolder& operator=(const ScratchFolder&) = delete;
    ~ScratchFolder() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

Raster8 grey_gradient(int width, int height) {
    Raster8 raster;
    raster.width = width;
    raster.height = height;
    raster.channels = 1;
    raster.pixels.resize(static_cast<std::size_t>(width) * height);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            raster.pixels[static_cast<std::size_t>(y) * width + x] =
                static_cast<std::uint8_t>((x * 7 + y * 3) % 256);
    return raster;
}

struct DziInfo {
    std::string format;
    int overlap = -1;
    int tile_size = -1;
    int width = -1;
    int height = -1;
};

std::optional<DziInfo> parse_dzi(const std::string& text) {
    static const std::regex kImage(
        R"re(<\?xml version="1.0" encoding="UTF-8"\?>\s*)re"
        R"re(<Image xmlns="http://schemas.microsoft.com/deepzoom/2008" )re"
        R"re(Format="(\w+)" Overlap="(\d+)" TileSize="(\d+)">\s*)re"
        R"re(<Size Width="(\d+)" Height="(\d+)"/>\s*</Image>\s*)re");
    std::smatch match;
    if (!std::regex_match(text, match, kImage))
        return std::nullopt;
    return DziInfo{match[1], std::stoi(match[2]), std::stoi(match[3]), std::stoi(match[4]),
                   std::stoi(match[5])};
}

int count_entries(const fs::path& folder) {
    return static_cast<int>(
        std::distance(fs::directory_iterator(folder), fs::directory_iterator()));
}

int ceil_div(int value, int divisor) {
    return (value + divisor - 1) / divisor;
}

// ---- render ----

TEST(ParsePalette, KnowsTheThreeNames) {
    EXPECT_EQ(parse_palette("grey"), Palette::grey);
    EXPECT_EQ(parse_palette("heat"), Palette::heat);
    EXPECT_EQ(parse_palette("rainbow"), Palette::rainbow);
    EXPECT_FALSE(parse_palette("Grey"));
    EXPECT_FALSE(parse_palette("jet"));
    EXPECT_FALSE(parse_palette(""));
}

TEST(Render, ShowsAirWhiteAndDenseCargoDark) {
    const auto image = banded_scan();
    const auto raster = render(image, kAir);
    ASSERT_EQ(raster.width, 600);
    ASSERT_EQ(raster.height, 120);
    ASSERT_EQ(raster.channels, 1);
    ASSERT_EQ(raster.pixels.size(), 600u * 120u);
    EXPECT_EQ(grey_at(raster, 10, 5), 255); // air
    EXPECT_EQ(grey_at(raster, 500, 60), 0); // 1% transmission, the densest band
    EXPECT_GT(grey_at(raster, 50, 60), grey_at(raster, 200, 60));  // 50% lighter than 10%
    EXPECT_GT(grey_at(raster, 200, 60), grey_at(raster, 350, 60)); // 10% lighter than 2%
}

TEST(Render, KeepsContrastBetweenDenseRegions) {
    // On a linear window 2% and 1% transmission would be 2-3 grey levels apart; in
    // log-attenuation space they are ln 2 / ln 100 of the range apart, about 38 levels.
    const auto raster = render(banded_scan(), kAir);
    const int two_percent = grey_at(raster, 350, 60);
    const int one_percent = grey_at(raster, 500, 60);
    EXPECT_NEAR(two_percent - one_percent, 38, 3);
    // 50% is ln 2 / ln 100 below air as well: the same step of attenuation, the same step of grey.
    EXPECT_NEAR(255 - grey_at(raster, 50, 60), 38, 3);
}

TEST(Render, ClipsTheExtremePercentiles) {
    // A handful of dead pixels (0) and hot ones (above air) must not set the window.
    auto image = banded_scan();
    for (int x = 0; x < 40; ++x) {
        image.at(x, 100) = 0;
        image.at(x, 2) = 65535;
    }
    const auto raster = render(image, kAir);
    EXPECT_EQ(grey_at(raster, 500, 60), 0); // the 1% band still reaches black
    EXPECT_EQ(grey_at(raster, 10, 100), 0);
    EXPECT_EQ(grey_at(raster, 10, 2), 255);
    EXPECT_EQ(grey_at(raster, 10, 5), 255);
}

TEST(Render, InvertFlipsTheGreyLevels) {
    const auto image = banded_scan();
    const auto normal = render(image, kAir);
    const auto inverted = render(image, kAir, {.invert = true});
    ASSERT_EQ(inverted.pixels.size(), normal.pixels.size());
    for (std::size_t index = 0; index < normal.pixels.size(); ++index)
        ASSERT_EQ(inverted.pixels[index], 255 - normal.pixels[index]) << index;
    EXPECT_EQ(grey_at(inverted, 10, 5), 0);
    EXPECT_EQ(grey_at(inverted, 500, 60), 255);
}

TEST(Render, PalettesGiveThreeChannels) {
    const auto image = banded_scan();
    const auto heat = render(image, kAir, {.palette = Palette::heat});
    const auto rainbow = render(image, kAir, {.palette = Palette::rainbow});
    for (const auto* raster : {&heat, &rainbow}) {
        EXPECT_EQ(raster->channels, 3);
        EXPECT_EQ(raster->width, 600);
        EXPECT_EQ(raster->height, 120);
        ASSERT_EQ(raster->pixels.size(), 600u * 120u * 3u);
    }
    const auto bgr_at = [](const Raster8& raster, int x, int y) {
        const auto at = (static_cast<std::size_t>(y) * raster.width + x) * 3;
        return std::vector<int>{raster.pixels[at], raster.pixels[at + 1], raster.pixels[at + 2]};
    };
    // Heat runs black - red - yellow - white: air white, the densest band black.
    EXPECT_EQ(bgr_at(heat, 10, 5), (std::vector<int>{255, 255, 255}));
    EXPECT_EQ(bgr_at(heat, 500, 60), (std::vector<int>{0, 0, 0}));
    // The rainbow is coloured: air and the densest band differ, and not only in brightness.
    const auto air = bgr_at(rainbow, 10, 5);
    const auto dense = bgr_at(rainbow, 500, 60);
    EXPECT_NE(air, dense);
    EXPECT_FALSE(air[0] == air[1] && air[1] == air[2]);
    EXPECT_NE(heat.pixels, rainbow.pixels);
}

TEST(Render, ClaheRaisesLocalContrast) {
    // A wide range overall (air to 1%), and a patch whose values wobble by only +-3%: the global
    // window leaves it nearly flat, CLAHE should stretch it.
    auto image = banded_scan();
    for (int y = 40; y < 100; ++y)
        for (int x = 160; x < 290; ++x)
            image.at(x, y) =
                transmitted(0.1 * (1.0 + 0.03 * std::sin(x * 0.4) * std::cos(y * 0.3)));
    const auto plain = render(image, kAir);
    const auto equalised = render(image, kAir, {.clahe = true});
    const double plain_deviation = patch_deviation(plain, 170, 50, 100, 40);
    const double equalised_deviation = patch_deviation(equalised, 170, 50, 100, 40);
    EXPECT_GT(plain_deviation, 0.5);
    EXPECT_GT(equalised_deviation, 1.5 * plain_deviation)
        << plain_deviation << " -> " << equalised_deviation;
}

TEST(Render, CopesWithAConstantImage) {
    for (const bool clahe : {false, true}) {
        const auto air_only = render(Image16(600, 120, kAir), kAir, {.clahe = clahe});
        ASSERT_EQ(air_only.pixels.size(), 600u * 120u);
        EXPECT_EQ(air_only.pixels.front(), 255);
        EXPECT_EQ(air_only.pixels.back(), 255);

        // Uniformly dense: one grey level everywhere, and darker than air.
        const auto dense = render(Image16(600, 120, transmitted(0.01)), kAir, {.clahe = clahe});
        ASSERT_EQ(dense.pixels.size(), 600u * 120u);
        EXPECT_LT(dense.pixels.front(), 255);
        for (const auto value : dense.pixels)
            ASSERT_EQ(value, dense.pixels.front());
    }
    // Tiny images too: CLAHE pads them up to its tile grid.
    const auto tiny = render(Image16(3, 2, 1000), kAir, {.clahe = true, .palette = Palette::heat});
    EXPECT_EQ(tiny.pixels.size(), 3u * 2u * 3u);
}

TEST(Render, RefusesMalformedInput) {
    EXPECT_THROW(render(Image16(), kAir), std::invalid_argument);
    Image16 short_of_pixels(10, 10, kAir);
    short_of_pixels.pixels.resize(99);
    EXPECT_THROW(render(short_of_pixels, kAir), std::invalid_argument);
    EXPECT_THROW(render(Image16(10, 10, 100), 0), std::invalid_argument);
}

// ---- material_overlay ----

TEST(MaterialOverlay, ColoursEachClassAndLeavesNoneTransparent) {
    MaterialMap map;
    map.width = 5;
    map.height = 2;
    map.classes = {Material::none,  Material::organic,      Material::inorganic,
                   Material::metal, Material::undetermined, Material::undetermined,
                   Material::metal, Material::inorganic,    Material::organic,
                   Material::none};
    const auto overlay = material_overlay(map);
    ASSERT_EQ(overlay.channels, 4);
    ASSERT_EQ(overlay.width, 5);
    ASSERT_EQ(overlay.height, 2);
    ASSERT_EQ(overlay.pixels.size(), 40u);
    const auto bgra = [&overlay](int index) {
        const auto* pixel = &overlay.pixels[static_cast<std::size_t>(index) * 4];
        return std::vector<int>{pixel[0], pixel[1], pixel[2], pixel[3]};
    };
    EXPECT_EQ(bgra(0)[3], 0);
    EXPECT_EQ(bgra(9)[3], 0);

    const auto organic = bgra(1);
    const auto inorganic = bgra(2);
    const auto metal = bgra(3);
    const auto undetermined = bgra(4);
    for (const auto& colour : {organic, inorganic, metal, undetermined})
        EXPECT_NEAR(colour[3], 128, 10);
    // Orange: red high, green middling, blue low.
    EXPECT_GT(organic[2], 200);
    EXPECT_GT(organic[1], 80);
    EXPECT_LT(organic[1], organic[2]);
    EXPECT_LT(organic[0], 60);
    // Green dominates.
    EXPECT_GT(inorganic[1], 150);
    EXPECT_LT(inorganic[0], 60);
    EXPECT_LT(inorganic[2], 60);
    // Blue dominates.
    EXPECT_GT(metal[0], 200);
    EXPECT_LT(metal[2], 60);
    EXPECT_LT(metal[1], metal[0]);
    // Purple: red and blue, little green.
    EXPECT_GT(undetermined[0], 120);
    EXPECT_GT(undetermined[2], 120);
    EXPECT_LT(undetermined[1], 60);
    // The same class gives the same colour wherever it is.
    EXPECT_EQ(bgra(5), undetermined);
    EXPECT_EQ(bgra(6), metal);
    EXPECT_EQ(bgra(7), inorganic);
    EXPECT_EQ(bgra(8), organic);
}

TEST(MaterialOverlay, RefusesAMapThatDoesNotMatchItsSize) {
    MaterialMap map;
    map.width = 4;
    map.height = 2;
    map.classes.assign(7, Material::organic);
    EXPECT_THROW(material_overlay(map), std::invalid_argument);
    map.classes.assign(8, Material::organic);
    map.classes[5] = static_cast<Material>(9);
    EXPECT_THROW(material_overlay(map), std::invalid_argument);
}

// ---- encode_preview ----

TEST(EncodePreview, ScalesDownKeepingTheAspectRatio) {
    const auto raster = render(banded_scan(), kAir);
    const auto header = png_header(encode_preview(raster, 150));
    ASSERT_TRUE(header);
    EXPECT_EQ(header->width, 150);
    EXPECT_EQ(header->height, 30);
    EXPECT_EQ(header->channels, 1);
}

TEST(EncodePreview, NeverScalesUp) {
    const auto raster = render(banded_scan(), kAir);
    const auto header = png_header(encode_preview(raster, 1500));
    ASSERT_TRUE(header);
    EXPECT_EQ(header->width, 600);
    EXPECT_EQ(header->height, 120);
}

TEST(EncodePreview, HandlesColourAndAlpha) {
    const auto colour = render(banded_scan(), kAir, {.palette = Palette::heat});
    const auto colour_header = png_header(encode_preview(colour, 301));
    ASSERT_TRUE(colour_header);
    EXPECT_EQ(colour_header->channels, 3);
    EXPECT_EQ(colour_header->width, 301);
    EXPECT_EQ(colour_header->height, 60); // 120 * 301 / 600 = 60.2

    MaterialMap map;
    map.width = 600;
    map.height = 120;
    map.classes.assign(600u * 120u, Material::metal);
    const auto overlay_header = png_header(encode_preview(material_overlay(map), 200));
    ASSERT_TRUE(overlay_header);
    EXPECT_EQ(overlay_header->channels, 4);
    EXPECT_EQ(overlay_header->width, 200);
    EXPECT_EQ(overlay_header->height, 40);
}

TEST(EncodePreview, RefusesMalformedInput) {
    auto raster = grey_gradient(20, 10);
    EXPECT_THROW(encode_preview(raster, 0), std::invalid_argument);
    raster.channels = 2;
    EXPECT_THROW(encode_preview(raster, 10), std::invalid_argument);
    raster.channels = 3; // the pixels are now a third of what three channels need
    EXPECT_THROW(encode_preview(raster, 10), std::invalid_argument);
    EXPECT_THROW(encode_preview(Raster8{}, 10), std::invalid_argument);
}

// ---- write_deep_zoom ----

TEST(DeepZoom, WritesTheDescriptorAndEveryTileOfEveryLevel) {
    const ScratchFolder scratch;
    write_deep_zoom(grey_gradient(1001, 203), scratch.path(), "scan");

    const auto info = parse_dzi(read_file(scratch.path() / "scan.dzi"));
    ASSERT_TRUE(info) << read_file(scratch.path() / "scan.dzi");
    EXPECT_EQ(info->format, "jpg");
    EXPECT_EQ(info->overlap, 1);
    EXPECT_EQ(info->tile_size, 254);
    EXPECT_EQ(info->width, 1001);
    EXPECT_EQ(info->height, 203);

    // ceil(log2(1001)) = 10: levels 0 to 10.
    const auto files = scratch.path() / "scan_files";
    EXPECT_EQ(count_entries(files), 11);
    for (int level = 0; level <= 10; ++level) {
        const int scale = 1 << (10 - level);
        const int width = ceil_div(1001, scale);
        const int height = ceil_div(203, scale);
        const int columns = ceil_div(width, 254);
        const int rows = ceil_div(height, 254);
        const auto level_folder = files / std::to_string(level);
        ASSERT_TRUE(fs::is_directory(level_folder)) << level;
        EXPECT_EQ(count_entries(level_folder), columns * rows) << level;
        for (int column = 0; column < columns; ++column)
            for (int row = 0; row < rows; ++row)
                EXPECT_TRUE(fs::exists(
                    level_folder / (std::to_string(column) + "_" + std::to_string(row) + ".jpg")))
                    << level << "/" << column << "_" << row;
    }
    // Level 9 is 501 x 102 (odd sizes round up): two columns.
    EXPECT_EQ(count_entries(files / "9"), 2);
    const auto level9_last = tile_header(files / "9" / "1_0.jpg");
    ASSERT_TRUE(level9_last);
    EXPECT_EQ(level9_last->width, 501 - 253);
    EXPECT_EQ(level9_last->height, 102);

    // Full resolution: four columns of one row, overlapping by one pixel on inner edges.
    const std::pair<int, int> expected[] = {{255, 203}, {256, 203}, {256, 203}, {240, 203}};
    for (int column = 0; column < 4; ++column) {
        const auto header = tile_header(files / "10" / (std::to_string(column) + "_0.jpg"));
        ASSERT_TRUE(header) << column;
        EXPECT_EQ(header->width, expected[column].first) << column;
        EXPECT_EQ(header->height, expected[column].second) << column;
        EXPECT_EQ(header->channels, 1) << column;
    }
    const auto single_pixel = tile_header(files / "0" / "0_0.jpg");
    ASSERT_TRUE(single_pixel);
    EXPECT_EQ(single_pixel->width, 1);
    EXPECT_EQ(single_pixel->height, 1);
}

TEST(DeepZoom, CutsRowsAndColumnsWithTheGivenTileSizeAndOverlap) {
    const ScratchFolder scratch;
    const DeepZoomOptions options{.tile_size = 64, .overlap = 2, .jpeg_quality = 75};
    write_deep_zoom(grey_gradient(150, 130), scratch.path(), "small", options);

    const auto info = parse_dzi(read_file(scratch.path() / "small.dzi"));
    ASSERT_TRUE(info);
    EXPECT_EQ(info->tile_size, 64);
    EXPECT_EQ(info->overlap, 2);
    // ceil(log2(150)) = 8; level 8 is 150 x 130: 3 x 3 tiles.
    const auto top = scratch.path() / "small_files" / "8";
    EXPECT_EQ(count_entries(scratch.path() / "small_files"), 9);
    EXPECT_EQ(count_entries(top), 9);
    const auto size_of = [&top](int column, int row) {
        const auto header =
            tile_header(top / (std::to_string(column) + "_" + std::to_string(row) + ".jpg"));
        return header ? std::pair{header->width, header->height} : std::pair{-1, -1};
    };
    EXPECT_EQ(size_of(0, 0), (std::pair{66, 66})); // [0, 66)
    EXPECT_EQ(size_of(1, 1), (std::pair{68, 68})); // [62, 130)
    EXPECT_EQ(size_of(2, 2), (std::pair{24, 4}));  // [126, 150) x [126, 130)
    EXPECT_EQ(size_of(2, 0), (std::pair{24, 66}));
    // Level 7 is 75 x 65: 2 x 2 tiles, the last 13 x 3.
    EXPECT_EQ(count_entries(scratch.path() / "small_files" / "7"), 4);
    const auto level7_last = tile_header(scratch.path() / "small_files" / "7" / "1_1.jpg");
    ASSERT_TRUE(level7_last);
    EXPECT_EQ(level7_last->width, 75 - 62);
    EXPECT_EQ(level7_last->height, 65 - 62);
}

TEST(DeepZoom, WritesAnAlphaRasterAsPng) {
    const ScratchFolder scratch;
    MaterialMap map;
    map.width = 300;
    map.height = 70;
    map.classes.assign(300u * 70u, Material::none);
    for (int y = 20; y < 50; ++y)
        for (int x = 100; x < 200; ++x)
            map.classes[static_cast<std::size_t>(y) * 300 + x] = Material::organic;
    write_deep_zoom(material_overlay(map), scratch.path(), "materials");

    const auto info = parse_dzi(read_file(scratch.path() / "materials.dzi"));
    ASSERT_TRUE(info);
    EXPECT_EQ(info->format, "png");
    const auto top = tile_header(scratch.path() / "materials_files" / "9" / "1_0.png");
    ASSERT_TRUE(top);
    EXPECT_EQ(top->channels, 4);
    EXPECT_EQ(top->width, 300 - 253);
    EXPECT_EQ(top->height, 70);
    const auto bottom = tile_header(scratch.path() / "materials_files" / "0" / "0_0.png");
    ASSERT_TRUE(bottom);
    EXPECT_EQ(bottom->width, 1);
    EXPECT_EQ(bottom->height, 1);
    EXPECT_FALSE(fs::exists(scratch.path() / "materials_files" / "9" / "0_0.jpg"));
}

TEST(DeepZoom, ReplacesAnExistingPyramidAndLeavesNoTemporaryFolder) {
    const ScratchFolder scratch;
    write_deep_zoom(grey_gradient(1001, 203), scratch.path(), "scan");
    write_deep_zoom(grey_gradient(1001, 203), scratch.path(), "other");
    ASSERT_TRUE(fs::exists(scratch.path() / "scan_files" / "10"));

    write_deep_zoom(grey_gradient(300, 100), scratch.path(), "scan");
    const auto info = parse_dzi(read_file(scratch.path() / "scan.dzi"));
    ASSERT_TRUE(info);
    EXPECT_EQ(info->width, 300);
    EXPECT_EQ(info->height, 100);
    // ceil(log2(300)) = 9: nothing of the old level 10 is left.
    EXPECT_EQ(count_entries(scratch.path() / "scan_files"), 10);
    EXPECT_FALSE(fs::exists(scratch.path() / "scan_files" / "10"));
    const auto top = tile_header(scratch.path() / "scan_files" / "9" / "1_0.jpg");
    ASSERT_TRUE(top);
    EXPECT_EQ(top->width, 300 - 253);
    // The other pyramid is untouched, and only the two pyramids are in the folder.
    EXPECT_TRUE(parse_dzi(read_file(scratch.path() / "other.dzi")));
    EXPECT_EQ(count_entries(scratch.path() / "other_files"), 11);
    EXPECT_EQ(count_entries(scratch.path()), 4);
    for (const auto& entry : fs::directory_iterator(scratch.path()))
        EXPECT_NE(entry.path().filename().string().front(), '.') << entry.path();
}

TEST(DeepZoom, HandlesASinglePixelAndPowersOfTwo) {
    const ScratchFolder scratch;
    write_deep_zoom(grey_gradient(1, 1), scratch.path(), "dot");
    EXPECT_EQ(count_entries(scratch.path() / "dot_files"), 1);
    const auto header = tile_header(scratch.path() / "dot_files" / "0" / "0_0.jpg");
    ASSERT_TRUE(header);
    EXPECT_EQ(header->width, 1);
    EXPECT_EQ(header->height, 1);

    // log2(256) = 8 exactly: levels 0 to 8, and level 8 is the raster itself.
    write_deep_zoom(grey_gradient(256, 64), scratch.path(), "square");
    EXPECT_EQ(count_entries(scratch.path() / "square_files"), 9);
    const auto top = tile_header(scratch.path() / "square_files" / "8" / "1_0.jpg");
    ASSERT_TRUE(top);
    EXPECT_EQ(top->width, 256 - 253);
    EXPECT_EQ(top->height, 64);
}

TEST(DeepZoom, ReplacesTilesLeftWithoutADescriptor) {
    // What an interrupted earlier run could leave: tiles, no .dzi.
    const ScratchFolder scratch;
    fs::create_directories(scratch.path() / "scan_files" / "12");
    std::ofstream(scratch.path() / "scan_files" / "12" / "0_0.jpg") << "stale";
    write_deep_zoom(grey_gradient(40, 30), scratch.path(), "scan");
    EXPECT_FALSE(fs::exists(scratch.path() / "scan_files" / "12"));
    EXPECT_EQ(count_entries(scratch.path() / "scan_files"), 7); // ceil(log2(40)) = 6
    EXPECT_TRUE(parse_dzi(read_file(scratch.path() / "scan.dzi")));
    EXPECT_EQ(count_entries(scratch.path()), 2);
}

TEST(DeepZoom, NamesThePathItCannotWrite) {
    const ScratchFolder scratch;
    // A folder below a regular file cannot be created, even with every permission.
    std::ofstream(scratch.path() / "plain_file") << "not a folder";
    const auto folder = scratch.path() / "plain_file" / "pyramids";
    try {
        write_deep_zoom(grey_gradient(40, 30), folder, "scan");
        FAIL() << "expected std::runtime_error";
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string(error.what()).find(folder.string()), std::string::npos)
            << error.what();
    }

    // A regular file where the folder should be.
    try {
        write_deep_zoom(grey_gradient(40, 30), scratch.path() / "plain_file", "scan");
        FAIL() << "expected std::runtime_error";
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string(error.what()).find((scratch.path() / "plain_file").string()),
                  std::string::npos)
            << error.what();
    }
    EXPECT_EQ(read_file(scratch.path() / "plain_file"), "not a folder");
}

TEST(DeepZoom, RefusesBadArguments) {
    const ScratchFolder scratch;
    const auto raster = grey_gradient(40, 30);
    EXPECT_THROW(write_deep_zoom(raster, scratch.path(), ""), std::invalid_argument);
    EXPECT_THROW(write_deep_zoom(raster, scratch.path(), "a/b"), std::invalid_argument);
    EXPECT_THROW(write_deep_zoom(raster, scratch.path(), ".."), std::invalid_argument);
    EXPECT_THROW(write_deep_zoom(raster, scratch.path(), "scan", {.tile_size = 0}),
                 std::invalid_argument);
    EXPECT_THROW(write_deep_zoom(raster, scratch.path(), "scan", {.tile_size = 4, .overlap = 4}),
                 std::invalid_argument);
    EXPECT_THROW(write_deep_zoom(raster, scratch.path(), "scan", {.jpeg_quality = 0}),
                 std::invalid_argument);
    EXPECT_THROW(write_deep_zoom(Raster8{}, scratch.path(), "scan"), std::invalid_argument);
    EXPECT_EQ(count_entries(scratch.path()), 0);
}

} // namespace
} // namespace portscreen::scanner_io
