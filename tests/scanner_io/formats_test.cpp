#include "formats.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace psio = portscreen::scanner_io;
using psio::DecodeError;
using psio::DecodeLimits;
using psio::ExpectedSize;
using psio::Image16;
using psio::ImageFormat;
using ::testing::HasSubstr;

namespace {

std::string read_fixture(const std::string& relative) {
    const std::string path = std::string(PORTSCREEN_TEST_DATA) + "/" + relative;
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in.good()) << "cannot open " << path;
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

// Runs the decoder and returns the DecodeError text, or a note that it did not throw.
std::string decode_error(std::string_view bytes, ImageFormat format, ExpectedSize expected = {},
                         DecodeLimits limits = {}) {
    try {
        psio::decode_image(bytes, format, expected, limits);
    } catch (const DecodeError& error) {
        return error.what();
    }
    return "(decoded without error)";
}

// Every value class that matters: 0, 65535, and a spread in between, on an odd-sized image.
Image16 pattern(int width, int height) {
    Image16 image(width, height);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            image.at(x, y) = static_cast<std::uint16_t>((x * 7919 + y * 104729 + 13) % 65536);
        }
    }
    image.at(0, 0) = 0;
    image.at(width - 1, height - 1) = 65535;
    image.at(width / 2, height / 2) = 1;
    return image;
}

// A bit-at-a-time CRC-32 written from the PNG specification's definition, independent of the
// table-driven one under test.
std::uint32_t reference_crc32(std::string_view data) {
    std::uint32_t crc = 0xFFFFFFFFU;
    for (const char c : data) {
        crc ^= static_cast<unsigned char>(c);
        for (int bit = 0; bit < 8; ++bit) {
            crc = (crc & 1U) != 0 ? (crc >> 1) ^ 0xEDB88320U : crc >> 1;
        }
    }
    return ~crc;
}

void put_be32(std::string& out, std::uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8) {
        out.push_back(static_cast<char>((value >> shift) & 0xFFU));
    }
}

std::string png_chunk(std::string_view type, std::string_view data) {
    std::string chunk;
    put_be32(chunk, static_cast<std::uint32_t>(data.size()));
    std::string typed(type);
    typed.append(data);
    chunk.append(typed);
    put_be32(chunk, reference_crc32(typed));
    return chunk;
}

const std::string kPngSignature("\x89PNG\r\n\x1a\n", 8);

// A PNG whose header says whatever the test needs; its image data is not meant to decode.
std::string crafted_png(std::uint32_t width, std::uint32_t height, int bit_depth, int colour_type) {
    std::string header;
    put_be32(header, width);
    put_be32(header, height);
    header.push_back(static_cast<char>(bit_depth));
    header.push_back(static_cast<char>(colour_type));
    header.append(3, '\0'); // compression, filter, interlace
    // A stored (uncompressed) zlib block of a few bytes: small, whatever the header claims.
    const std::string idat("\x78\x01\x01\x04\x00\xfb\xff\x00\x00\x00\x00", 11);
    return kPngSignature + png_chunk("IHDR", header) + png_chunk("IDAT", idat) +
           png_chunk("IEND", "");
}

struct ChunkPosition {
    std::string type;
    std::size_t offset = 0; ///< of the length field
    std::size_t length = 0;
};

std::vector<ChunkPosition> png_chunks(const std::string& png) {
    std::vector<ChunkPosition> chunks;
    for (std::size_t offset = 8; offset + 12 <= png.size();) {
        const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(png[at]); };
        const std::size_t length = std::size_t{byte(offset)} << 24 |
                                   std::size_t{byte(offset + 1)} << 16 |
                                   std::size_t{byte(offset + 2)} << 8 | byte(offset + 3);
        chunks.push_back({png.substr(offset + 4, 4), offset, length});
        offset += 12 + length;
    }
    return chunks;
}

ChunkPosition find_chunk(const std::string& png, std::string_view type) {
    for (const auto& chunk : png_chunks(png)) {
        if (chunk.type == type) {
            return chunk;
        }
    }
    ADD_FAILURE() << "no " << type << " chunk";
    return {};
}

// A baseline uncompressed TIFF with one strip placed after the directory, in either byte order:
// lets the tests declare any size, depth or channel count and cut the file inside the strip.
std::string crafted_tiff(bool little_endian, std::uint32_t width, std::uint32_t height, int bits,
                         int samples, const std::string& strip) {
    std::string out;
    const auto put16 = [&](std::uint32_t value) {
        if (little_endian) {
            out.push_back(static_cast<char>(value & 0xFF));
            out.push_back(static_cast<char>((value >> 8) & 0xFF));
        } else {
            out.push_back(static_cast<char>((value >> 8) & 0xFF));
            out.push_back(static_cast<char>(value & 0xFF));
        }
    };
    const auto put32 = [&](std::uint32_t value) {
        if (little_endian) {
            put16(value & 0xFFFF);
            put16(value >> 16);
        } else {
            put16(value >> 16);
            put16(value & 0xFFFF);
        }
    };
    out.append(little_endian ? "II" : "MM");
    put16(42);
    put32(8);
    struct Entry {
        std::uint16_t tag;
        std::uint16_t type;
        std::uint32_t value;
    };
    const std::uint32_t entry_count = 9;
    const std::uint32_t strip_offset = 8 + 2 + entry_count * 12 + 4;
    const std::vector<Entry> entries{
        {256, 4, width},
        {257, 4, height},
        {258, 3, static_cast<std::uint32_t>(bits)},
        {259, 3, 1},
        {262, 3, 1},
        {273, 4, strip_offset},
        {277, 3, static_cast<std::uint32_t>(samples)},
        {278, 4, height},
        {279, 4, static_cast<std::uint32_t>(strip.size())},
    };
    put16(entry_count);
    for (const auto& entry : entries) {
        put16(entry.tag);
        put16(entry.type);
        put32(1);
        if (entry.type == 3) {
            put16(entry.value); // SHORT values sit in the first two bytes of the field
            put16(0);
        } else {
            put32(entry.value);
        }
    }
    put32(0); // no next directory
    out.append(strip);
    return out;
}

std::string strip_bytes(const Image16& image, bool little_endian) {
    std::string strip;
    for (const std::uint16_t value : image.pixels) {
        const char low = static_cast<char>(value & 0xFF);
        const char high = static_cast<char>(value >> 8);
        strip.push_back(little_endian ? low : high);
        strip.push_back(little_endian ? high : low);
    }
    return strip;
}

void expect_same_pixels(const Image16& actual, const Image16& expected) {
    ASSERT_EQ(actual.width, expected.width);
    ASSERT_EQ(actual.height, expected.height);
    ASSERT_EQ(actual.pixels.size(), expected.pixels.size());
    EXPECT_TRUE(actual.pixels == expected.pixels) << "pixel values differ";
}

} // namespace

// ---- names and magic numbers ----

TEST(ImageFormatNames, RoundTripThroughText) {
    for (const auto format :
         {ImageFormat::png, ImageFormat::tiff, ImageFormat::raw, ImageFormat::dicos}) {
        EXPECT_EQ(psio::parse_format(psio::format_name(format)), format);
    }
    EXPECT_EQ(psio::format_name(ImageFormat::tiff), "tiff");
    EXPECT_EQ(psio::parse_format("jpeg"), std::nullopt);
    EXPECT_EQ(psio::parse_format(""), std::nullopt);
}

TEST(SniffFormat, RecognisesMagicBytes) {
    EXPECT_EQ(psio::sniff_format(psio::encode_png(pattern(3, 2))), ImageFormat::png);
    EXPECT_EQ(psio::sniff_format(psio::encode_tiff(pattern(3, 2))), ImageFormat::tiff);
    EXPECT_EQ(psio::sniff_format(std::string("MM\0*\0\0\0\x08", 8)), ImageFormat::tiff);
    EXPECT_EQ(psio::sniff_format(std::string("II*\0\x08\0\0\0", 8)), ImageFormat::tiff);
    EXPECT_EQ(psio::sniff_format(std::string(128, '\0') + "DICM"), ImageFormat::dicos);
    EXPECT_EQ(psio::sniff_format(std::string(128, '\0') + "DICX"), std::nullopt);
    EXPECT_EQ(psio::sniff_format(psio::encode_raw(pattern(3, 2))), std::nullopt);
    EXPECT_EQ(psio::sniff_format(""), std::nullopt);
    EXPECT_EQ(psio::sniff_format("\x89PN"), std::nullopt);
}

// ---- lossless round trips ----

TEST(PngCodec, RoundTripsOddSizeExactlyAtEveryLevel) {
    const Image16 original = pattern(37, 11);
    for (const int level : {0, 1, 9}) {
        const std::string png = psio::encode_png(original, level);
        expect_same_pixels(psio::decode_image(png, ImageFormat::png, {37, 11}), original);
    }
    const Image16 single(1, 1, 65535);
    expect_same_pixels(psio::decode_image(psio::encode_png(single), ImageFormat::png, {}), single);
}

TEST(PngCodec, RefusesLevelOutsideZlibRange) {
    EXPECT_THROW(psio::encode_png(pattern(4, 4), 10), std::invalid_argument);
    EXPECT_THROW(psio::encode_png(pattern(4, 4), -1), std::invalid_argument);
    EXPECT_THROW(psio::encode_png(Image16{}), std::invalid_argument);
}

TEST(TiffCodec, RoundTripsOddSizeExactly) {
    const Image16 original = pattern(37, 11);
    const std::string tiff = psio::encode_tiff(original);
    expect_same_pixels(psio::decode_image(tiff, ImageFormat::tiff, {37, 11}), original);
}

TEST(TiffCodec, EncoderCompresses) {
    // 200 x 100 x 2 bytes of a smooth ramp; deflate with the predictor shrinks it many times.
    Image16 ramp(200, 100);
    for (int y = 0; y < 100; ++y) {
        for (int x = 0; x < 200; ++x) {
            ramp.at(x, y) = static_cast<std::uint16_t>(1000 + x * 10 + y);
        }
    }
    const std::string tiff = psio::encode_tiff(ramp);
    EXPECT_LT(tiff.size(), ramp.pixels.size() * 2 / 4);
    expect_same_pixels(psio::decode_image(tiff, ImageFormat::tiff, {}), ramp);
}

TEST(TiffCodec, DecodesBothByteOrders) {
    const Image16 original = pattern(5, 3);
    for (const bool little_endian : {true, false}) {
        const std::string tiff =
            crafted_tiff(little_endian, 5, 3, 16, 1, strip_bytes(original, little_endian));
        SCOPED_TRACE(little_endian ? "II" : "MM");
        expect_same_pixels(psio::decode_image(tiff, ImageFormat::tiff, {5, 3}), original);
    }
}

TEST(RawCodec, RoundTripsLittleEndian) {
    Image16 original = pattern(37, 11);
    original.at(1, 0) = 0x1234;
    const std::string raw = psio::encode_raw(original);
    ASSERT_EQ(raw.size(), 37U * 11U * 2U);
    EXPECT_EQ(static_cast<unsigned char>(raw[2]), 0x34); // low byte first
    EXPECT_EQ(static_cast<unsigned char>(raw[3]), 0x12);
    expect_same_pixels(psio::decode_image(raw, ImageFormat::raw, {37, 11}), original);
}

// ---- shared fixtures ----

TEST(XrayFixtures, PngAndTiffOfTheHighChannelAgree) {
    const Image16 png =
        psio::decode_image(read_fixture("xray/synthetic_high.png"), ImageFormat::png, {512, 128});
    const Image16 tiff =
        psio::decode_image(read_fixture("xray/synthetic_high.tiff"), ImageFormat::tiff, {512, 128});
    ASSERT_EQ(png.width, 512);
    ASSERT_EQ(png.height, 128);
    expect_same_pixels(tiff, png);
    const auto [low, high] = std::minmax_element(png.pixels.begin(), png.pixels.end());
    EXPECT_LT(*low, *high) << "a real scan is not flat";
}

TEST(XrayFixtures, LowChannelDecodesAndDiffersFromHigh) {
    const Image16 low =
        psio::decode_image(read_fixture("xray/synthetic_low.png"), ImageFormat::png, {512, 128});
    const Image16 high =
        psio::decode_image(read_fixture("xray/synthetic_high.png"), ImageFormat::png, {});
    ASSERT_EQ(low.width, 512);
    ASSERT_EQ(low.height, 128);
    EXPECT_NE(low.pixels, high.pixels);
}

TEST(XrayFixtures, EightBitLabelsAreRefused) {
    EXPECT_THAT(decode_error(read_fixture("xray/synthetic_labels.png"), ImageFormat::png),
                HasSubstr("PNG is 8-bit, 16-bit expected"));
}

// ---- PNG refusals ----

TEST(PngRefusals, TruncatedAtEveryKindOfPlace) {
    const std::string png = psio::encode_png(pattern(64, 48), 1);
    const ChunkPosition idat = find_chunk(png, "IDAT");
    const ChunkPosition iend = find_chunk(png, "IEND");
    ASSERT_GT(idat.length, 16U);

    EXPECT_THAT(decode_error(png.substr(0, 5), ImageFormat::png),
                HasSubstr("truncated: PNG ends inside its signature"));
    EXPECT_THAT(decode_error(png.substr(0, 20), ImageFormat::png),
                HasSubstr("truncated: PNG chunk IHDR at byte 8 needs 25 bytes, only 12 remain"));
    EXPECT_THAT(decode_error(png.substr(0, idat.offset + 5), ImageFormat::png),
                HasSubstr("truncated: PNG ends inside the chunk header"));
    EXPECT_THAT(decode_error(png.substr(0, idat.offset + 8 + idat.length / 2), ImageFormat::png),
                HasSubstr("truncated: PNG chunk IDAT at byte " + std::to_string(idat.offset)));
    EXPECT_THAT(decode_error(png.substr(0, iend.offset), ImageFormat::png),
                HasSubstr("truncated: PNG ends after " + std::to_string(iend.offset) +
                          " bytes without an IEND chunk"));
    EXPECT_THAT(decode_error(png.substr(0, png.size() - 2), ImageFormat::png),
                HasSubstr("truncated: PNG chunk IEND"));
}

TEST(PngRefusals, FlippedByteInImageDataFailsItsCrc) {
    std::string png = psio::encode_png(pattern(64, 48), 1);
    const ChunkPosition idat = find_chunk(png, "IDAT");
    png[idat.offset + 8 + idat.length / 2] ^= 0x10;
    EXPECT_THAT(decode_error(png, ImageFormat::png),
                HasSubstr("PNG chunk IDAT at byte " + std::to_string(idat.offset) +
                          " is corrupt (CRC mismatch)"));
}

TEST(PngRefusals, CorruptDataWithValidCrcFailsInTheDecoder) {
    // Checksums right, zlib stream wrong: only the decoder can tell, and its failure must still
    // come out as a DecodeError.
    const std::string good = psio::encode_png(pattern(16, 8));
    const ChunkPosition ihdr = find_chunk(good, "IHDR");
    const std::string bad = good.substr(0, ihdr.offset + 12 + ihdr.length) +
                            png_chunk("IDAT", std::string(40, '\xA5')) + png_chunk("IEND", "");
    EXPECT_THAT(decode_error(bad, ImageFormat::png), HasSubstr("PNG cannot be decoded"));
}

TEST(PngRefusals, WrongChannelCounts) {
    EXPECT_THAT(decode_error(crafted_png(8, 8, 16, 2), ImageFormat::png),
                HasSubstr("PNG has 3 channels (RGB), 1 (grey) expected"));
    EXPECT_THAT(decode_error(crafted_png(8, 8, 16, 4), ImageFormat::png),
                HasSubstr("PNG has 2 channels (grey and alpha)"));
    EXPECT_THAT(decode_error(crafted_png(8, 8, 8, 3), ImageFormat::png), HasSubstr("(palette)"));
    EXPECT_THAT(decode_error(crafted_png(8, 8, 8, 0), ImageFormat::png),
                HasSubstr("PNG is 8-bit, 16-bit expected"));
}

TEST(PngRefusals, DimensionsOtherThanDeclared) {
    const std::string png = read_fixture("xray/synthetic_high.png");
    EXPECT_THAT(decode_error(png, ImageFormat::png, {600, 128}),
                HasSubstr("PNG is 512 x 128, the scan header declares 600 x 128"));
    EXPECT_THAT(decode_error(png, ImageFormat::png, {600, 0}),
                HasSubstr("the scan header declares a width of 600"));
    EXPECT_THAT(decode_error(png, ImageFormat::png, {0, 100}),
                HasSubstr("the scan header declares a height of 100"));
    EXPECT_THAT(decode_error(png, ImageFormat::png, {-1, 128}),
                HasSubstr("declared size -1 x 128 is invalid"));
    EXPECT_EQ(psio::decode_image(png, ImageFormat::png, {512, 0}).width, 512);
}

TEST(PngRefusals, BombIsRefusedFromItsHeader) {
    const std::string bomb = crafted_png(100000, 100000, 16, 0);
    ASSERT_LT(bomb.size(), 100U);
    ASSERT_EQ(psio::sniff_format(bomb), ImageFormat::png);
    EXPECT_THAT(decode_error(bomb, ImageFormat::png),
                HasSubstr("PNG declares 100000 x 100000 pixels, more than the limit of 64000000"));
    // Past 2^31 in one dimension, which no int-sized image can hold, whatever the budget.
    EXPECT_THAT(decode_error(crafted_png(0x80000000U, 1, 16, 0), ImageFormat::png, {}, {INT64_MAX}),
                HasSubstr("declares 2147483648 x 1 pixels"));
    EXPECT_THAT(decode_error(crafted_png(0, 10, 16, 0), ImageFormat::png),
                HasSubstr("PNG declares 0 x 10 pixels, an empty image"));
}

TEST(PngRefusals, LimitIsTheCallersChoice) {
    const std::string png = read_fixture("xray/synthetic_high.png");
    EXPECT_THAT(decode_error(png, ImageFormat::png, {}, {65535}),
                HasSubstr("PNG declares 512 x 128 pixels, more than the limit of 65535"));
    EXPECT_EQ(psio::decode_image(png, ImageFormat::png, {}, {65536}).height, 128);
}

TEST(PngRefusals, GarbageAndEmptyInput) {
    EXPECT_THAT(decode_error("this is not an image at all", ImageFormat::png),
                HasSubstr("not a PNG file"));
    EXPECT_THAT(decode_error("", ImageFormat::png), HasSubstr("empty png image (0 bytes)"));
    EXPECT_THAT(decode_error("", ImageFormat::tiff), HasSubstr("empty tiff image"));
    EXPECT_THAT(decode_error("", ImageFormat::raw, {2, 2}), HasSubstr("empty raw image"));
    EXPECT_THAT(decode_error("", ImageFormat::dicos), HasSubstr("empty dicos image"));
}

TEST(PngRefusals, FirstChunkMustBeTheHeader) {
    const std::string png = kPngSignature + png_chunk("IEND", "");
    EXPECT_THAT(decode_error(png, ImageFormat::png),
                HasSubstr("PNG starts with chunk IEND of 0 bytes, IHDR of 13 bytes expected"));
}

// ---- TIFF refusals ----

TEST(TiffRefusals, TruncatedHeaderDirectoryAndStrip) {
    const std::string fixture = read_fixture("xray/synthetic_high.tiff");
    EXPECT_THAT(decode_error(fixture.substr(0, 6), ImageFormat::tiff),
                HasSubstr("truncated: TIFF header needs 8 bytes, the file has 6"));
    // The fixture keeps its directory at the end, so a cut loses the directory first.
    EXPECT_THAT(decode_error(fixture.substr(0, fixture.size() / 2), ImageFormat::tiff),
                HasSubstr("truncated: TIFF directory offset"));
    // A directory cut in the middle of its entries.
    const std::string crafted = crafted_tiff(true, 5, 3, 16, 1, strip_bytes(pattern(5, 3), true));
    EXPECT_THAT(decode_error(crafted.substr(0, 40), ImageFormat::tiff),
                HasSubstr("truncated: TIFF directory at byte 8 has 9 entries"));
    // Directory intact, image data cut short.
    EXPECT_THAT(decode_error(crafted.substr(0, crafted.size() - 7), ImageFormat::tiff),
                HasSubstr("truncated: TIFF strip 1 of 1 covers bytes 122..152, the file has 145"));
}

TEST(TiffRefusals, DepthChannelsDimensionsAndSize) {
    const std::string eight_bit = crafted_tiff(true, 4, 4, 8, 1, std::string(16, '\x40'));
    EXPECT_THAT(decode_error(eight_bit, ImageFormat::tiff),
                HasSubstr("TIFF is 8-bit, 16-bit expected"));
    const std::string rgb = crafted_tiff(false, 4, 4, 16, 3, std::string(96, '\x40'));
    EXPECT_THAT(decode_error(rgb, ImageFormat::tiff),
                HasSubstr("TIFF has 3 channels, 1 (grey) expected"));
    const std::string tiff = crafted_tiff(true, 5, 3, 16, 1, strip_bytes(pattern(5, 3), true));
    EXPECT_THAT(decode_error(tiff, ImageFormat::tiff, {5, 4}),
                HasSubstr("TIFF is 5 x 3, the scan header declares 5 x 4"));
    const std::string bomb = crafted_tiff(false, 100000, 100000, 16, 1, std::string(8, '\0'));
    EXPECT_THAT(decode_error(bomb, ImageFormat::tiff),
                HasSubstr("TIFF declares 100000 x 100000 pixels, more than the limit of 64000000"));
}

TEST(TiffRefusals, GarbageIsNotTiff) {
    EXPECT_THAT(decode_error("GIF89a and then some more bytes", ImageFormat::tiff),
                HasSubstr("not a TIFF file"));
    EXPECT_THAT(decode_error(std::string("II+\0\x08\0\0\0\0\0\0\0\0\0\0\0", 16), ImageFormat::tiff),
                HasSubstr("BigTIFF"));
}

// ---- raw refusals ----

TEST(RawRefusals, SizeMustMatchTheDeclaration) {
    EXPECT_THAT(decode_error(std::string(10, '\0'), ImageFormat::raw, {600, 128}),
                HasSubstr("raw image has 10 bytes, 600 x 128 x 2 = 153600 expected"));
    // One byte too many is as wrong as one too few.
    EXPECT_THAT(decode_error(std::string(600 * 128 * 2 + 1, '\0'), ImageFormat::raw, {600, 128}),
                HasSubstr("raw image has 153601 bytes"));
    EXPECT_THAT(decode_error(std::string(8, '\0'), ImageFormat::raw, {}),
                HasSubstr("raw image needs its width and height declared"));
    EXPECT_THAT(decode_error(std::string(8, '\0'), ImageFormat::raw, {4, 0}),
                HasSubstr("raw image needs its width and height declared"));
    EXPECT_THAT(decode_error(std::string(8, '\0'), ImageFormat::raw, {100000, 100000}),
                HasSubstr("raw image declares 100000 x 100000 pixels, more than the limit"));
}
