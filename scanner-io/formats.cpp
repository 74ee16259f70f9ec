#include "formats.hpp"
#include "message.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <climits>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace portscreen::scanner_io {
namespace {

using detail::message;

[[noreturn]] void fail(const std::string& reason) {
    throw DecodeError(reason);
}

std::uint8_t byte_at(std::string_view bytes, std::size_t offset) {
    return static_cast<std::uint8_t>(bytes[offset]);
}
std::uint32_t load_be32(std::string_view bytes, std::size_t offset) {
    return std::uint32_t{byte_at(bytes, offset)} << 24 |
           std::uint32_t{byte_at(bytes, offset + 1)} << 16 |
           std::uint32_t{byte_at(bytes, offset + 2)} << 8 |
           std::uint32_t{byte_at(bytes, offset + 3)};
}

// CRC-32 as PNG defines it (reflected polynomial 0xEDB88320, initial and final inversion; W3C,
// "Portable Network Graphics (PNG) Specification (Second Edition)", 2003, section 5.5 and
// annex D). Computed eight bytes at a time with eight derived tables ("slicing-by-8": M. E.
// Kounavis and F. L. Berry, "A Systematic Approach to Building High Performance Software-based
// CRC Generators", IEEE ISCC 2005), several times faster than one table lookup per byte, so
// checking every chunk costs a few milliseconds even for tens of megabytes.
using CrcTables = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr CrcTables make_crc_tables() {
    CrcTables tables{};
    for (std::uint32_t value = 0; value < 256; ++value) {
        std::uint32_t crc = value;
        for (int bit = 0; bit < 8; ++bit) {
            crc = (crc & 1U) != 0 ? 0xEDB88320U ^ (crc >> 1) : crc >> 1;
        }
        tables[0][value] = crc;
    }
    for (std::size_t slice = 1; slice < tables.size(); ++slice) {
        for (std::size_t value = 0; value < 256; ++value) {
            const std::uint32_t previous = tables[slice - 1][value];
            tables[slice][value] = (previous >> 8) ^ tables[0][previous & 0xFFU];
        }
    }
    return tables;
}

constexpr CrcTables kCrcTables = make_crc_tables();

std::uint32_t crc32(std::string_view data) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
    std::size_t remaining = data.size();
    std::uint32_t crc = 0xFFFFFFFFU;
    const auto& t = kCrcTables;
    while (remaining >= 8) {
        const std::uint32_t low = (std::uint32_t{bytes[0]} | std::uint32_t{bytes[1]} << 8 |
                                   std::uint32_t{bytes[2]} << 16 | std::uint32_t{bytes[3]} << 24) ^
                                  crc;
        crc = t[7][low & 0xFFU] ^ t[6][(low >> 8) & 0xFFU] ^ t[5][(low >> 16) & 0xFFU] ^
              t[4][low >> 24] ^ t[3][bytes[4]] ^ t[2][bytes[5]] ^ t[1][bytes[6]] ^ t[0][bytes[7]];
        bytes += 8;
        remaining -= 8;
    }
    for (; remaining > 0; --remaining, ++bytes) {
        crc = t[0][(crc ^ *bytes) & 0xFFU] ^ (crc >> 8);
    }
    return ~crc;
}

constexpr std::string_view kPngSignature{"\x89PNG\r\n\x1a\n", 8};
constexpr std::size_t kDicmOffset = 128;

// Checks what a file declares about itself against the caller's limits and the scan header,
// before any pixel memory is allocated.
struct Declared {
    std::string_view label; ///< "PNG", "TIFF", ...
    std::int64_t width = 0;
    std::int64_t height = 0;
};

void check_expected_valid(const ExpectedSize& expected) {
    if (expected.width < 0 || expected.height < 0) {
        fail(message("declared size ", expected.width, " x ", expected.height, " is invalid"));
    }
}

void check_pixel_budget(const Declared& declared, const DecodeLimits& limits) {
    if (declared.width <= 0 || declared.height <= 0) {
        fail(message(declared.label, " declares ", declared.width, " x ", declared.height,
                     " pixels, an empty image"));
    }
    // Image16 holds int dimensions; below 2^31 each, the product cannot overflow 64 bits.
    if (declared.width > INT_MAX || declared.height > INT_MAX ||
        declared.width * declared.height > limits.max_pixels) {
        fail(message(declared.label, " declares ", declared.width, " x ", declared.height,
                     " pixels, more than the limit of ", limits.max_pixels));
    }
}

void check_dimensions(const Declared& actual, const ExpectedSize& expected) {
    const bool width_differs = expected.width != 0 && expected.width != actual.width;
    const bool height_differs = expected.height != 0 && expected.height != actual.height;
    if (!width_differs && !height_differs) {
        return;
    }
    std::string declared;
    if (expected.width != 0 && expected.height != 0) {
        declared = message(expected.width, " x ", expected.height);
    } else if (expected.width != 0) {
        declared = message("a width of ", expected.width);
    } else {
        declared = message("a height of ", expected.height);
    }
    fail(message(actual.label, " is ", actual.width, " x ", actual.height,
                 ", the scan header declares ", declared));
}

// Runs OpenCV's decoder straight into the pixel vector of `image` (already sized from the
// checked header), so the pixels are written once and never copied.
void decode_with_opencv(std::string_view bytes, std::string_view label, Image16& image) {
    if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
        fail(message(label, " file of ", bytes.size(), " bytes is larger than 2 GiB"));
    }
    // imdecode only reads its input; the Mat header lets it do so without a copy.
    const cv::Mat input(1, static_cast<int>(bytes.size()), CV_8UC1,
                        const_cast<char*>(bytes.data()));
    cv::Mat output(image.height, image.width, CV_16UC1, image.pixels.data());
    cv::Mat decoded;
    try {
        decoded = cv::imdecode(input, cv::IMREAD_UNCHANGED, &output);
    } catch (const cv::Exception& error) {
        fail(message(label, " cannot be decoded: ", error.err));
    }
    if (decoded.empty()) {
        fail(message(label, " cannot be decoded: the decoder rejected the data"));
    }
    if (decoded.type() != CV_16UC1 || decoded.cols != image.width || decoded.rows != image.height) {
        fail(message(label, " decoded to ", decoded.cols, " x ", decoded.rows, " with ",
                     decoded.channels(), " channel(s) of ", decoded.elemSize1() * 8,
                     " bits, not the 16-bit grey image its header declares"));
    }
    if (decoded.data != output.data) {
        // The decoder chose its own buffer; copy once rather than fail.
        std::memcpy(image.pixels.data(), decoded.data, image.pixels.size() * 2);
    }
}

// ---- PNG ----

std::string chunk_type(std::string_view bytes, std::size_t offset) {
    std::string type(bytes.substr(offset + 4, 4));
    for (char& c : type) {
        const auto u = static_cast<unsigned char>(c);
        if (!((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z'))) {
            c = '?';
        }
    }
    return type;
}

std::string_view png_colour_name(int colour_type) {
    switch (colour_type) {
    case 0: return "grey";
    case 2: return "RGB";
    case 3: return "palette";
    case 4: return "grey and alpha";
    case 6: return "RGBA";
    default: return "unknown";
    }
}

// Verifies one chunk starting at `offset` (length, type, data, CRC all inside the file, CRC
// right) and returns its type and the offset of the next chunk.
struct PngChunk {
    std::string type;
    std::size_t data_offset = 0;
    std::size_t length = 0;
    std::size_t next = 0;
};

PngChunk check_png_chunk(std::string_view bytes, std::size_t offset) {
    constexpr std::size_t kChunkOverhead = 12; // length, type, CRC
    const std::size_t remaining = bytes.size() - offset;
    if (remaining < 8) {
        fail(message("truncated: PNG ends inside the chunk header at byte ", offset));
    }
    const std::uint32_t length = load_be32(bytes, offset);
    PngChunk chunk{chunk_type(bytes, offset), offset + 8, length, 0};
    if (length > 0x7FFFFFFFU) {
        fail(message("PNG chunk ", chunk.type, " at byte ", offset, " declares ", length,
                     " bytes, more than PNG allows (corrupt)"));
    }
    if (remaining < kChunkOverhead + length) {
        fail(message("truncated: PNG chunk ", chunk.type, " at byte ", offset, " needs ",
                     kChunkOverhead + length, " bytes, only ", remaining, " remain"));
    }
    const std::uint32_t stored_crc = load_be32(bytes, offset + 8 + length);
    if (crc32(bytes.substr(offset + 4, 4 + length)) != stored_crc) {
        fail(message("PNG chunk ", chunk.type, " at byte ", offset, " is corrupt (CRC mismatch)"));
    }
    chunk.next = offset + kChunkOverhead + length;
    return chunk;
}

Image16 decode_png(std::string_view bytes, const ExpectedSize& expected,
                   const DecodeLimits& limits) {
    if (bytes.size() < kPngSignature.size() && kPngSignature.starts_with(bytes)) {
        fail(message("truncated: PNG ends inside its signature, after ", bytes.size(), " bytes"));
    }
    if (!bytes.starts_with(kPngSignature)) {
        fail("not a PNG file (signature missing)");
    }
    const PngChunk header = check_png_chunk(bytes, kPngSignature.size());
    if (header.type != "IHDR" || header.length != 13) {
        fail(message("PNG starts with chunk ", header.type, " of ", header.length,
                     " bytes, IHDR of 13 bytes expected"));
    }
    const std::size_t ihdr = header.data_offset;
    const Declared declared{"PNG", load_be32(bytes, ihdr), load_be32(bytes, ihdr + 4)};
    const int bit_depth = byte_at(bytes, ihdr + 8);
    const int colour_type = byte_at(bytes, ihdr + 9);

    check_pixel_budget(declared, limits);
    if (colour_type != 0) {
        const int channels = colour_type == 2 || colour_type == 3 ? 3 : colour_type == 4 ? 2 : 4;
        fail(message("PNG has ", channels, " channels (", png_colour_name(colour_type),
                     "), 1 (grey) expected"));
    }
    if (bit_depth != 16) {
        fail(message("PNG is ", bit_depth, "-bit, 16-bit expected"));
    }
    check_dimensions(declared, expected);

    // Walking the chunks is cheap next to inflating them, and it turns a truncated or damaged
    // file into a precise reason instead of a decoder failure halfway through.
    bool has_image_data = false;
    bool has_end = false;
    for (std::size_t offset = header.next; offset < bytes.size() && !has_end;) {
        const PngChunk chunk = check_png_chunk(bytes, offset);
        has_image_data = has_image_data || chunk.type == "IDAT";
        has_end = chunk.type == "IEND";
        offset = chunk.next;
    }
    if (!has_end) {
        fail(message("truncated: PNG ends after ", bytes.size(), " bytes without an IEND chunk"));
    }
    if (!has_image_data) {
        fail("PNG has no image data (IDAT chunk missing)");
    }

    Image16 image(static_cast<int>(declared.width), static_cast<int>(declared.height));
    decode_with_opencv(bytes, "PNG", image);
    return image;
}

// ---- TIFF (baseline, first directory; "TIFF Revision 6.0", Adobe/Aldus, 1992) ----

enum class TiffTag : std::uint16_t {
    image_width = 256,
    image_length = 257,
    bits_per_sample = 258,
    compression = 259,
    photometric = 262,
    strip_offsets = 273,
    samples_per_pixel = 277,
    strip_byte_counts = 279,
    tile_offsets = 324,
    tile_byte_counts = 325,
    sample_format = 339,
};

// Reads integers of the file's byte order at offsets that the caller has bounds-checked.
class TiffReader {
public:
    TiffReader(std::string_view bytes, bool little_endian)
        : bytes_(bytes), little_endian_(little_endian) {}

    std::uint16_t u16(std::size_t offset) const {
        const std::uint16_t a = byte_at(bytes_, offset);
        const std::uint16_t b = byte_at(bytes_, offset + 1);
        return little_endian_ ? static_cast<std::uint16_t>(a | b << 8)
                              : static_cast<std::uint16_t>(a << 8 | b);
    }
    std::uint32_t u32(std::size_t offset) const {
        const std::uint32_t first = u16(offset);
        const std::uint32_t second = u16(offset + 2);
        return little_endian_ ? (first | second << 16) : (first << 16 | second);
    }
    std::size_t size() const { return bytes_.size(); }

private:
    std::string_view bytes_;
    bool little_endian_;
};

// One directory entry: the values of SHORT and LONG tags, inline or at an offset.
struct TiffEntry {
    std::uint16_t tag = 0;
    std::uint16_t type = 0;
    std::uint32_t count = 0;
    std::size_t values_offset = 0; ///< where the values are, checked to lie inside the file

    std::size_t value_size() const { return type == 3 ? 2 : 4; }
    std::uint32_t value(const TiffReader& reader, std::uint32_t index) const {
        const std::size_t offset = values_offset + index * value_size();
        return type == 3 ? reader.u16(offset) : reader.u32(offset);
    }
};

std::string tiff_tag_name(std::uint16_t tag) {
    switch (static_cast<TiffTag>(tag)) {
    case TiffTag::image_width: return "ImageWidth (256)";
    case TiffTag::image_length: return "ImageLength (257)";
    case TiffTag::bits_per_sample: return "BitsPerSample (258)";
    case TiffTag::compression: return "Compression (259)";
    case TiffTag::photometric: return "PhotometricInterpretation (262)";
    case TiffTag::strip_offsets: return "StripOffsets (273)";
    case TiffTag::samples_per_pixel: return "SamplesPerPixel (277)";
    case TiffTag::strip_byte_counts: return "StripByteCounts (279)";
    case TiffTag::tile_offsets: return "TileOffsets (324)";
    case TiffTag::tile_byte_counts: return "TileByteCounts (325)";
    case TiffTag::sample_format: return "SampleFormat (339)";
    }
    return message("tag ", tag);
}

// The tags this decoder reads, each found at most once in the first directory.
struct TiffDirectory {
    std::array<std::optional<TiffEntry>, 11> entries{};

    static std::optional<std::size_t> slot(std::uint16_t tag) {
        constexpr std::array<TiffTag, 11> kTags{
            TiffTag::image_width,       TiffTag::image_length,      TiffTag::bits_per_sample,
            TiffTag::compression,       TiffTag::photometric,       TiffTag::strip_offsets,
            TiffTag::samples_per_pixel, TiffTag::strip_byte_counts, TiffTag::tile_offsets,
            TiffTag::tile_byte_counts,  TiffTag::sample_format};
        for (std::size_t index = 0; index < kTags.size(); ++index) {
            if (static_cast<std::uint16_t>(kTags[index]) == tag) {
                return index;
            }
        }
        return std::nullopt;
    }
    const std::optional<TiffEntry>& find(TiffTag tag) const {
        return entries[*slot(static_cast<std::uint16_t>(tag))];
    }
};

TiffDirectory read_tiff_directory(const TiffReader& reader, std::uint32_t directory_offset) {
    const std::size_t size = reader.size();
    if (directory_offset < 8 || std::size_t{directory_offset} + 2 > size) {
        fail(message("truncated: TIFF directory offset ", directory_offset,
                     " is outside the file (", size, " bytes)"));
    }
    const std::uint16_t entry_count = reader.u16(directory_offset);
    const std::size_t directory_end =
        std::size_t{directory_offset} + 2 + 12 * std::size_t{entry_count};
    if (directory_end > size) {
        fail(message("truncated: TIFF directory at byte ", directory_offset, " has ", entry_count,
                     " entries ending at byte ", directory_end, ", the file has ", size, " bytes"));
    }
    TiffDirectory directory;
    for (std::size_t index = 0; index < entry_count; ++index) {
        const std::size_t at = std::size_t{directory_offset} + 2 + 12 * index;
        const std::uint16_t tag = reader.u16(at);
        const auto slot = TiffDirectory::slot(tag);
        if (!slot) {
            continue;
        }
        TiffEntry entry{tag, reader.u16(at + 2), reader.u32(at + 4), at + 8};
        if (entry.type != 3 && entry.type != 4) {
            fail(message("TIFF tag ", tiff_tag_name(tag), " has type ", entry.type,
                         ", SHORT or LONG expected"));
        }
        if (entry.count == 0) {
            fail(message("TIFF tag ", tiff_tag_name(tag), " has no value"));
        }
        const std::size_t values_size = std::size_t{entry.count} * entry.value_size();
        if (values_size > 4) {
            entry.values_offset = reader.u32(at + 8);
            if (entry.values_offset + values_size > size) {
                fail(message("truncated: TIFF tag ", tiff_tag_name(tag), " points to bytes ",
                             entry.values_offset, "..", entry.values_offset + values_size,
                             ", the file has ", size, " bytes"));
            }
        }
        directory.entries[*slot] = entry;
    }
    return directory;
}

std::uint32_t tiff_value(const TiffReader& reader, const TiffDirectory& directory, TiffTag tag,
                         std::optional<std::uint32_t> fallback = std::nullopt) {
    const auto& entry = directory.find(tag);
    if (entry) {
        return entry->value(reader, 0);
    }
    if (!fallback) {
        fail(message("TIFF has no ", tiff_tag_name(static_cast<std::uint16_t>(tag))));
    }
    return *fallback;
}

// Every strip (or tile) must lie inside the file: a cut-off file is refused with the first
// piece that is missing, before libtiff is handed the data.
void check_tiff_pieces(const TiffReader& reader, const TiffDirectory& directory) {
    const bool tiled = directory.find(TiffTag::tile_offsets).has_value();
    const TiffTag offsets_tag = tiled ? TiffTag::tile_offsets : TiffTag::strip_offsets;
    const TiffTag counts_tag = tiled ? TiffTag::tile_byte_counts : TiffTag::strip_byte_counts;
    const std::string_view piece = tiled ? "tile" : "strip";
    const auto& offsets = directory.find(offsets_tag);
    const auto& counts = directory.find(counts_tag);
    if (!offsets || !counts) {
        fail(message("TIFF has no ", tiff_tag_name(static_cast<std::uint16_t>(
                                         offsets ? counts_tag : offsets_tag))));
    }
    if (offsets->count != counts->count) {
        fail(message("TIFF has ", offsets->count, " ", piece, " offsets but ", counts->count,
                     " byte counts"));
    }
    for (std::uint32_t index = 0; index < offsets->count; ++index) {
        const std::uint64_t start = offsets->value(reader, index);
        const std::uint64_t end = start + counts->value(reader, index);
        if (end > reader.size()) {
            fail(message("truncated: TIFF ", piece, " ", index + 1, " of ", offsets->count,
                         " covers bytes ", start, "..", end, ", the file has ", reader.size(),
                         " bytes"));
        }
    }
}

Image16 decode_tiff(std::string_view bytes, const ExpectedSize& expected,
                    const DecodeLimits& limits) {
    if (bytes.size() < 8) {
        fail(message("truncated: TIFF header needs 8 bytes, the file has ", bytes.size()));
    }
    const std::string_view order = bytes.substr(0, 2);
    if (order != "II" && order != "MM") {
        fail("not a TIFF file (byte order mark missing)");
    }
    const TiffReader reader(bytes, order == "II");
    const std::uint16_t magic = reader.u16(2);
    if (magic == 43) {
        fail("TIFF is BigTIFF, which is not supported");
    }
    if (magic != 42) {
        fail(message("not a TIFF file (version ", magic, ", 42 expected)"));
    }
    const TiffDirectory directory = read_tiff_directory(reader, reader.u32(4));

    const Declared declared{"TIFF", tiff_value(reader, directory, TiffTag::image_width),
                            tiff_value(reader, directory, TiffTag::image_length)};
    check_pixel_budget(declared, limits);
    const std::uint32_t samples = tiff_value(reader, directory, TiffTag::samples_per_pixel, 1);
    if (samples != 1) {
        fail(message("TIFF has ", samples, " channels, 1 (grey) expected"));
    }
    const std::uint32_t bits = tiff_value(reader, directory, TiffTag::bits_per_sample, 1);
    if (bits != 16) {
        fail(message("TIFF is ", bits, "-bit, 16-bit expected"));
    }
    const std::uint32_t sample_format = tiff_value(reader, directory, TiffTag::sample_format, 1);
    if (sample_format != 1) {
        fail(message("TIFF sample format is ",
                     sample_format == 2 ? "signed integer" : "floating point or other",
                     ", unsigned integer expected"));
    }
    const std::uint32_t photometric = tiff_value(reader, directory, TiffTag::photometric, 1);
    if (photometric != 1) {
        fail(message("TIFF photometric interpretation is ", photometric,
                     ", 1 (BlackIsZero) expected"));
    }
    // Lossless schemes only: anything lossy would change the intensities analysis relies on.
    const std::uint32_t compression = tiff_value(reader, directory, TiffTag::compression, 1);
    constexpr std::array<std::uint32_t, 5> kLossless{1, 5, 8, 32773, 32946};
    if (std::find(kLossless.begin(), kLossless.end(), compression) == kLossless.end()) {
        fail(message("TIFF compression ", compression,
                     " is not supported (none, LZW, Deflate and PackBits are)"));
    }
    check_dimensions(declared, expected);
    check_tiff_pieces(reader, directory);

    Image16 image(static_cast<int>(declared.width), static_cast<int>(declared.height));
    decode_with_opencv(bytes, "TIFF", image);
    return image;
}

// ---- raw ----

Image16 decode_raw(std::string_view bytes, const ExpectedSize& expected,
                   const DecodeLimits& limits) {
    if (expected.width == 0 || expected.height == 0) {
        fail("raw image needs its width and height declared in the scan header");
    }
    const Declared declared{"raw image", expected.width, expected.height};
    check_pixel_budget(declared, limits);
    const std::uint64_t needed = std::uint64_t{2} * static_cast<std::uint64_t>(declared.width) *
                                 static_cast<std::uint64_t>(declared.height);
    if (bytes.size() != needed) {
        fail(message("raw image has ", bytes.size(), " bytes, ", expected.width, " x ",
                     expected.height, " x 2 = ", needed, " expected"));
    }
    Image16 image(expected.width, expected.height);
    std::memcpy(image.pixels.data(), bytes.data(), bytes.size());
    if constexpr (std::endian::native == std::endian::big) {
        for (auto& value : image.pixels) {
            value = static_cast<std::uint16_t>(value << 8 | value >> 8);
        }
    }
    return image;
}

void check_encodable(const Image16& image) {
    if (image.width <= 0 || image.height <= 0 ||
        image.pixels.size() != static_cast<std::size_t>(image.width) * image.height) {
        throw std::invalid_argument(message("cannot encode an image of ", image.width, " x ",
                                            image.height, " with ", image.pixels.size(),
                                            " pixels"));
    }
}

std::string encode_with_opencv(const Image16& image, const char* extension,
                               const std::vector<int>& parameters) {
    check_encodable(image);
    // imencode only reads the pixels; the Mat header avoids copying them.
    const cv::Mat mat(image.height, image.width, CV_16UC1,
                      const_cast<std::uint16_t*>(image.pixels.data()));
    std::vector<uchar> encoded;
    bool written = false;
    try {
        written = cv::imencode(extension, mat, encoded, parameters);
    } catch (const cv::Exception& error) {
        throw std::runtime_error(message("cannot encode ", extension, ": ", error.err));
    }
    if (!written) {
        throw std::runtime_error(message("cannot encode ", extension, ": the encoder failed"));
    }
    return {encoded.begin(), encoded.end()};
}

} // namespace

std::string_view format_name(ImageFormat format) {
    switch (format) {
    case ImageFormat::png: return "png";
    case ImageFormat::tiff: return "tiff";
    case ImageFormat::raw: return "raw";
    case ImageFormat::dicos: return "dicos";
    }
    return "unknown";
}

std::optional<ImageFormat> parse_format(std::string_view name) {
    for (const auto format :
         {ImageFormat::png, ImageFormat::tiff, ImageFormat::raw, ImageFormat::dicos}) {
        if (format_name(format) == name) {
            return format;
        }
    }
    return std::nullopt;
}

std::optional<ImageFormat> sniff_format(std::string_view bytes) {
    if (bytes.substr(0, kPngSignature.size()) == kPngSignature) {
        return ImageFormat::png;
    }
    const std::string_view head = bytes.substr(0, 4);
    // Classic TIFF and BigTIFF ("II+\0"), so BigTIFF gets its own refusal from the decoder.
    if (head == std::string_view("II*\0", 4) || head == std::string_view("MM\0*", 4) ||
        head == std::string_view("II+\0", 4) || head == std::string_view("MM\0+", 4)) {
        return ImageFormat::tiff;
    }
    if (bytes.size() >= kDicmOffset + 4 && bytes.substr(kDicmOffset, 4) == "DICM") {
        return ImageFormat::dicos;
    }
    return std::nullopt;
}

Image16 decode_image(std::string_view bytes, ImageFormat format, const ExpectedSize& expected,
                     const DecodeLimits& limits) {
    check_expected_valid(expected);
    if (bytes.empty()) {
        fail(message("empty ", format_name(format), " image (0 bytes)"));
    }
    switch (format) {
    case ImageFormat::png: return decode_png(bytes, expected, limits);
    case ImageFormat::tiff: return decode_tiff(bytes, expected, limits);
    case ImageFormat::raw: return decode_raw(bytes, expected, limits);
    case ImageFormat::dicos: {
        DicosImage dicos = read_dicos(bytes, limits);
        check_dimensions(Declared{"DICOS image", dicos.image.width, dicos.image.height}, expected);
        return std::move(dicos.image);
    }
    }
    fail("unknown image format");
}

std::size_t decode_with_opencv_only(std::string_view bytes) {
    const cv::Mat input(1, static_cast<int>(bytes.size()), CV_8UC1,
                        const_cast<char*>(bytes.data()));
    const cv::Mat decoded = cv::imdecode(input, cv::IMREAD_UNCHANGED);
    return decoded.total();
}

std::string encode_png(const Image16& image, int level) {
    if (level < 0 || level > 9) {
        throw std::invalid_argument(message("PNG compression level ", level, " is not 0-9"));
    }
    return encode_with_opencv(image, ".png", {cv::IMWRITE_PNG_COMPRESSION, level});
}

std::string encode_tiff(const Image16& image) {
    // Adobe Deflate (libtiff COMPRESSION_ADOBE_DEFLATE = 8) with OpenCV's horizontal
    // predictor: lossless, about as small as PNG and several times faster to write and read.
    constexpr int kAdobeDeflate = 8;
    return encode_with_opencv(image, ".tiff", {cv::IMWRITE_TIFF_COMPRESSION, kAdobeDeflate});
}

std::string encode_raw(const Image16& image) {
    check_encodable(image);
    std::string bytes(image.pixels.size() * 2, '\0');
    std::memcpy(bytes.data(), image.pixels.data(), bytes.size());
    if constexpr (std::endian::native == std::endian::big) {
        for (std::size_t index = 0; index < bytes.size(); index += 2) {
            std::swap(bytes[index], bytes[index + 1]);
        }
    }
    return bytes;
}

} // namespace portscreen::scanner_io
