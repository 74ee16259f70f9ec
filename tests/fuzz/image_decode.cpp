// Image decoding as the scan endpoint does it: PNG, TIFF, raw 16-bit and DICOS, with the sizes a
// header declared and a pixel limit. An input that starts with a PNG, TIFF or DICOS signature is
// decoded as that format with no declared size (so image files serve as seeds as they are);
// any other input is [format byte][width u16 LE][height u16 LE][image bytes]. Property: a decoded
// image is as large as its pixels, within the limit and as declared, and survives a lossless
// re-encoding unchanged.

#include "formats.hpp"
#include "fuzz_support.hpp"

#include <cstddef>
#include <cstdint>

namespace {

using namespace portscreen;

// Smaller than a node's default so that each input stays fast; the checks are the same.
constexpr std::int64_t kMaxPixels = 4'000'000;

void check_image(const scanner_io::Image16& image, const scanner_io::ExpectedSize& expected) {
    fuzz::require(image.width > 0 && image.height > 0, "a decoded image is not empty");
    fuzz::require(static_cast<std::int64_t>(image.width) * image.height <= kMaxPixels,
                  "a decoded image is within the pixel limit");
    fuzz::require(image.pixels.size() == static_cast<std::size_t>(image.width) * image.height,
                  "a decoded image has width x height pixels");
    fuzz::require(expected.width == 0 || expected.width == image.width, "the declared width");
    fuzz::require(expected.height == 0 || expected.height == image.height, "the declared height");

    const auto raw = scanner_io::decode_image(
        scanner_io::encode_raw(image), scanner_io::ImageFormat::raw, {image.width, image.height});
    fuzz::require(raw.pixels == image.pixels, "raw re-encoding keeps the pixels");
    if (image.pixels.size() <= 16384) { // encoders are slow; small images suffice
        const auto png = scanner_io::decode_image(scanner_io::encode_png(image),
                                                  scanner_io::ImageFormat::png, {});
        fuzz::require(png.pixels == image.pixels, "PNG re-encoding keeps the pixels");
        const auto tiff = scanner_io::decode_image(scanner_io::encode_tiff(image),
                                                   scanner_io::ImageFormat::tiff, {});
        fuzz::require(tiff.pixels == image.pixels, "TIFF re-encoding keeps the pixels");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto bytes = fuzz::as_text(data, size);
    scanner_io::ImageFormat format = scanner_io::ImageFormat::png;
    scanner_io::ExpectedSize expected;
    if (const auto sniffed = scanner_io::sniff_format(bytes)) {
        format = *sniffed;
    } else {
        if (size < 5)
            return 0;
        format = static_cast<scanner_io::ImageFormat>(data[0] % 4);
        expected.width = data[1] | (data[2] << 8);
        expected.height = data[3] | (data[4] << 8);
        bytes.remove_prefix(5);
    }
    scanner_io::DecodeLimits limits;
    limits.max_pixels = kMaxPixels;
    try {
        check_image(scanner_io::decode_image(bytes, format, expected, limits), expected);
    } catch (const scanner_io::DecodeError&) {
        // A refusal with a reason is the expected answer to a bad image.
    }
    return 0;
}
