#pragma once

#include "image.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

/// Image file formats of X-ray scanners: 16-bit PNG and TIFF, raw 16-bit little-endian, and
/// NEMA DICOS digital X-ray (DICOM-based). Decoding checks what it is given before it spends
/// memory on it: the declared size against a pixel budget (decompression bombs), the bit depth,
/// the dimensions the sender declared.
namespace portscreen::scanner_io {

enum class ImageFormat { png, tiff, raw, dicos };

/// "png", "tiff", "raw" or "dicos".
std::string_view format_name(ImageFormat format);
std::optional<ImageFormat> parse_format(std::string_view name);
/// The format named by the file's magic bytes; nothing for raw, which has none.
std::optional<ImageFormat> sniff_format(std::string_view bytes);

/// An image that cannot be accepted; what() says why in words an operator can act on
/// ("PNG is 8-bit, 16-bit expected", "truncated: PNG ends after 812 bytes without an IEND
/// chunk", ...).
class DecodeError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// What the sender declared about an image; 0 means not declared. Raw images need both.
struct ExpectedSize {
    int width = 0;
    int height = 0;
};

struct DecodeLimits {
    /// Largest image accepted, in pixels; a file declaring more is refused before decoding.
    std::int64_t max_pixels = 64'000'000;
};

/// Decodes one single-channel 16-bit image. Throws DecodeError for anything else: corrupt or
/// truncated data, another bit depth or channel count, dimensions other than declared, more
/// pixels than the limits allow.
Image16 decode_image(std::string_view bytes, ImageFormat format, const ExpectedSize& expected,
                     const DecodeLimits& limits = {});

/// Decodes with OpenCV alone, none of decode_image's checks, into a buffer it discards; returns
/// the pixel count. A reference for benchmarks only: never use it on input.
std::size_t decode_with_opencv_only(std::string_view bytes);

/// Lossless encoders; they throw std::invalid_argument for an empty or inconsistent image.
/// PNG `level` is zlib's 0-9 (1 is fast and nearly as small).
std::string encode_png(const Image16& image, int level = 1);
/// Baseline TIFF, Adobe Deflate compression (8) with the horizontal predictor.
std::string encode_tiff(const Image16& image);
std::string encode_raw(const Image16& image); ///< 16-bit little-endian, row-major, no header

/// Attributes carried in a DICOS digital X-ray file (NEMA IIC 1, DX IOD "For Processing").
struct DicosAttributes {
    std::string container_number; ///< object of inspection id, (0010,0020)
    std::string scan_id;
    std::string scanner_id;
    std::string scan_time;  ///< ISO 8601 UTC, "2026-11-28T08:15:00Z"
    std::string channel;    ///< "high" or "low"
    double energy_mev = 0;  ///< nominal source energy of this channel
    double along_mm = 0;    ///< pixel spacing in the direction of travel
    double detector_mm = 0; ///< pixel spacing down the detector
    std::string study_uid;  ///< empty: derived from scan_id
    std::string series_uid; ///< empty: derived from scan_id
};

/// Writes one image as a DICOS DX For Processing file (preamble, meta header, explicit VR
/// little endian, MONOCHROME2: larger values brighter, so air is white). The scan id becomes the
/// Study ID (SH, so at most 16 characters) and is required; each call gets a new SOP Instance
/// UID, while derived study and series UIDs depend only on the scan id. Throws
/// std::invalid_argument listing every attribute that cannot be stored.
std::string write_dicos(const Image16& image, const DicosAttributes& attributes);

struct DicosImage {
    Image16 image;
    DicosAttributes attributes;
    std::string sop_class_uid;
    std::string sop_instance_uid;
};

/// Reads a DICOS (or plain DICOM) single-frame, uncompressed, unsigned 16-bit grey image with
/// its attributes; Rows x Columns is checked against the limits before the pixel data is read.
/// Throws DecodeError naming the problem ("DICOS: missing Rows (0028,0010)", ...). Times are
/// converted to UTC; an attribute that is absent or cannot be parsed is left empty (or 0).
DicosImage read_dicos(std::string_view bytes, const DecodeLimits& limits = {});

} // namespace portscreen::scanner_io
