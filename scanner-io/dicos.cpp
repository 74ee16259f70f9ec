#include "formats.hpp"
#include "message.hpp"

// osconfig.h must come before any other DCMTK header.
#include <dcmtk/config/osconfig.h>

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcdict.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcostrmb.h>
#include <dcmtk/dcmdata/dctag.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/oflog/oflog.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

// DICOS (NEMA IIC 1, "Digital Imaging and Communications in Security") digital X-ray, For
// Processing: one transmission image per energy channel. Mapping of our attributes:
//   container_number -> (0010,0020) PatientID, which holds the object of inspection's id;
//   scan_id          -> (0008,1030) StudyDescription (one study per scan, up to 64
//                       characters) and its last 16 characters in (0020,0010) StudyID;
//   scanner_id       -> (0018,1000) DeviceSerialNumber;
//   scan_time        -> (0008,002A) AcquisitionDateTime plus the Study/Acquisition/Content
//                       dates and times, all UTC with (0008,0201) TimezoneOffsetFromUTC +0000;
//   channel          -> (0020,4000) ImageComments "high energy" / "low energy";
//   energy_mev       -> (0018,0060) KVP in kV (nominal MeV x 1000, as for a linac's MV);
//   detector/along   -> (0018,1164) ImagerPixelSpacing "row spacing\column spacing": rows run
//                       down the detector and columns along the scan, so "detector\along".
// Pixels are transmitted intensities, so air is the brightest value and MONOCHROME2 (larger
// value shown brighter) displays them as cargo scanners do: dense steel dark on a white ground.
namespace portscreen::scanner_io {
namespace {

using detail::message;

[[noreturn]] void fail(const std::string& reason) {
    throw DecodeError(reason);
}

constexpr std::size_t kPreambleSize = 128;

// DCMTK logs parser complaints to stderr through oflog; every problem that matters is turned
// into an exception here instead. Its data dictionary is a file, and without it no tag has a
// VR, so its absence is an environment failure, not a bad image.
void prepare_dcmtk() {
    static std::once_flag once;
    std::call_once(once, [] { OFLog::configure(OFLogger::FATAL_LOG_LEVEL); });
    if (!dcmDataDict.isDictionaryLoaded()) {
        throw std::runtime_error("DICOS: the DCMTK data dictionary is not loaded (dicom.dic of "
                                 "the DCMTK library package missing, or DCMDICTPATH wrong)");
    }
}

std::string tag_label(const DcmTagKey& key) {
    DcmTag tag(key);
    return message(tag.getTagName(), " ", key.toString().c_str());
}

// ---- UIDs (DICOM PS3.5 annex B.2: "2.25." followed by a UUID as one decimal integer) ----

__extension__ typedef unsigned __int128 Uint128;

std::string uid_from_uuid(Uint128 uuid, unsigned version) {
    // RFC 9562 layout: version in bits 48-51 from the top, variant 10 in bits 64-65.
    const Uint128 version_mask = Uint128{0xF} << 76;
    const Uint128 variant_mask = Uint128{0x3} << 62;
    uuid = (uuid & ~version_mask) | Uint128{version} << 76;
    uuid = (uuid & ~variant_mask) | Uint128{0x2} << 62;
    std::string digits;
    do {
        digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(uuid % 10)));
        uuid /= 10;
    } while (uuid != 0);
    return std::string("2.25.").append(digits);
}

// 128-bit FNV-1a (G. Fowler, L. C. Noll, K.-P. Vo, D. Eastlake, "The FNV Non-Cryptographic Hash
// Algorithm", IETF draft-eastlake-fnv, offset basis and prime from its 128-bit table). Stable
// across runs and machines, which is all a derived UID needs: the same scan gets the same
// study UID from every writer.
Uint128 fnv1a_128(std::string_view text) {
    const Uint128 offset_basis =
        Uint128{0x6C62272E07BB0142ULL} << 64 | Uint128{0x62B821756295C58DULL};
    const Uint128 prime = Uint128{0x0000000001000000ULL} << 64 | Uint128{0x000000000000013BULL};
    Uint128 hash = offset_basis;
    for (const char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= prime;
    }
    return hash;
}

std::string derived_uid(std::string_view kind, std::string_view scan_id) {
    std::string name("portscreen scan ");
    name.append(kind).append(" ").append(scan_id);
    return uid_from_uuid(fnv1a_128(name), 8); // version 8: custom (RFC 9562)
}

std::string random_uid() {
    std::random_device device;
    Uint128 value = 0;
    for (int part = 0; part < 4; ++part) {
        value = value << 32 | device();
    }
    return uid_from_uuid(value, 4);
}

bool valid_uid(std::string_view uid) {
    if (uid.empty() || uid.size() > 64) {
        return false;
    }
    std::size_t start = 0;
    while (start <= uid.size()) {
        const std::size_t end = std::min(uid.find('.', start), uid.size());
        const std::string_view component = uid.substr(start, end - start);
        if (component.empty() || (component.size() > 1 && component[0] == '0')) {
            return false;
        }
        for (const char c : component) {
            if (c < '0' || c > '9') {
                return false;
            }
        }
        start = end + 1;
    }
    return true;
}

// ---- dates and times ----

// A UTC instant with the fractional second kept as written (DICOM allows up to 6 digits).
struct UtcTime {
    std::chrono::sys_seconds seconds;
    std::string fraction; ///< digits after the decimal point, possibly empty
};

bool all_digits(std::string_view text) {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int number(std::string_view digits) {
    int value = 0;
    std::from_chars(digits.data(), digits.data() + digits.size(), value);
    return value;
}

std::optional<std::chrono::sys_seconds> make_time(int year, int month, int day, int hour,
                                                  int minute, int second) {
    using namespace std::chrono;
    const year_month_day date{std::chrono::year{year}, std::chrono::month{unsigned(month)},
                              std::chrono::day{unsigned(day)}};
    if (!date.ok() || hour > 23 || minute > 59 || second > 59) {
        return std::nullopt;
    }
    return sys_days{date} + hours{hour} + minutes{minute} + seconds{second};
}

// "YYYY-MM-DDTHH:MM:SS[.ffffff]Z"
std::optional<UtcTime> parse_iso_utc(std::string_view text) {
    if (text.size() < 20 || text.back() != 'Z' || text[4] != '-' || text[7] != '-' ||
        text[10] != 'T' || text[13] != ':' || text[16] != ':') {
        return std::nullopt;
    }
    const std::string_view fields[] = {text.substr(0, 4),  text.substr(5, 2),  text.substr(8, 2),
                                       text.substr(11, 2), text.substr(14, 2), text.substr(17, 2)};
    for (const auto field : fields) {
        if (!all_digits(field)) {
            return std::nullopt;
        }
    }
    std::string fraction;
    const std::string_view rest = text.substr(19, text.size() - 20);
    if (!rest.empty()) {
        if (rest[0] != '.' || rest.size() < 2 || rest.size() > 7 || !all_digits(rest.substr(1))) {
            return std::nullopt;
        }
        fraction = std::string(rest.substr(1));
    }
    const auto seconds = make_time(number(fields[0]), number(fields[1]), number(fields[2]),
                                   number(fields[3]), number(fields[4]), number(fields[5]));
    if (!seconds) {
        return std::nullopt;
    }
    return UtcTime{*seconds, fraction};
}

std::string padded(long value, int width) {
    std::string text = std::to_string(value);
    if (static_cast<int>(text.size()) < width) {
        text.insert(0, static_cast<std::size_t>(width) - text.size(), '0');
    }
    return text;
}

struct CivilTime {
    int year, month, day, hour, minute, second;
};

CivilTime civil(std::chrono::sys_seconds instant) {
    using namespace std::chrono;
    const auto day_start = floor<days>(instant);
    const year_month_day date{day_start};
    const hh_mm_ss clock{instant - day_start};
    return {int(date.year()),           int(unsigned(date.month())),  int(unsigned(date.day())),
            int(clock.hours().count()), int(clock.minutes().count()), int(clock.seconds().count())};
}

std::string dicom_date(const UtcTime& time) {
    const CivilTime t = civil(time.seconds);
    return padded(t.year, 4) + padded(t.month, 2) + padded(t.day, 2);
}

std::string dicom_time(const UtcTime& time) {
    const CivilTime t = civil(time.seconds);
    std::string text = padded(t.hour, 2) + padded(t.minute, 2) + padded(t.second, 2);
    if (!time.fraction.empty()) {
        text.append(".").append(time.fraction);
    }
    return text;
}

std::string iso_utc(const UtcTime& time) {
    const CivilTime t = civil(time.seconds);
    std::string text = padded(t.year, 4);
    text.append("-").append(padded(t.month, 2)).append("-").append(padded(t.day, 2));
    text.append("T").append(padded(t.hour, 2)).append(":").append(padded(t.minute, 2));
    text.append(":").append(padded(t.second, 2));
    if (!time.fraction.empty()) {
        text.append(".").append(time.fraction);
    }
    return text.append("Z");
}

// "+HHMM" / "-HHMM" as a duration east of UTC.
std::optional<std::chrono::minutes> parse_offset(std::string_view text) {
    if (text.size() != 5 || (text[0] != '+' && text[0] != '-') || !all_digits(text.substr(1))) {
        return std::nullopt;
    }
    const std::chrono::minutes offset{number(text.substr(1, 2)) * 60 + number(text.substr(3, 2))};
    return text[0] == '-' ? -offset : offset;
}

// A DICOM date ("YYYYMMDD") and time ("HHMMSS[.ffffff]") in local time `offset` east of UTC.
std::optional<UtcTime> from_dicom(std::string_view date, std::string_view time,
                                  std::chrono::minutes offset) {
    if (date.size() != 8 || !all_digits(date) || time.size() < 6 ||
        !all_digits(time.substr(0, 6))) {
        return std::nullopt;
    }
    std::string fraction;
    if (time.size() > 6) {
        if (time[6] != '.' || time.size() < 8 || time.size() > 13 || !all_digits(time.substr(7))) {
            return std::nullopt;
        }
        fraction = std::string(time.substr(7));
    }
    const auto local =
        make_time(number(date.substr(0, 4)), number(date.substr(4, 2)), number(date.substr(6, 2)),
                  number(time.substr(0, 2)), number(time.substr(2, 2)), number(time.substr(4, 2)));
    if (!local) {
        return std::nullopt;
    }
    return UtcTime{*local - offset, fraction};
}

// DS values hold at most 16 characters: shortest exact form when it fits, fewer digits if not.
std::string decimal_string(double value) {
    std::array<char, 32> buffer{};
    auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    for (int precision = 15; result.ptr - buffer.data() > 16 && precision > 1; --precision) {
        result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                               std::chars_format::general, precision);
    }
    return std::string(buffer.data(), result.ptr);
}

// ---- writing ----

// Characters allowed in the LO and SH values written here: printable ASCII except the value
// separator "\" (DICOM PS3.5 section 6.2, default character repertoire).
void check_text(std::vector<std::string>& problems, std::string_view what, std::string_view value,
                std::size_t max_length) {
    if (value.size() > max_length) {
        problems.push_back(
            message(what, " '", value, "' is longer than ", max_length, " characters"));
    }
    for (const char c : value) {
        if (c < 0x20 || c > 0x7E || c == '\\') {
            problems.push_back(message(what, " '", value,
                                       "' contains a character DICOS cannot store (control, "
                                       "non-ASCII or backslash)"));
            break;
        }
    }
}

void check_writable(const Image16& image, const DicosAttributes& attributes) {
    std::vector<std::string> problems;
    if (image.width <= 0 || image.height <= 0 || image.width > 0xFFFF || image.height > 0xFFFF ||
        image.pixels.size() != static_cast<std::size_t>(image.width) * image.height) {
        problems.push_back(message("image of ", image.width, " x ", image.height, " with ",
                                   image.pixels.size(),
                                   " pixels cannot be stored (1 to 65535 rows and columns)"));
    }
    check_text(problems, "container number", attributes.container_number, 64);
    check_text(problems, "scanner id", attributes.scanner_id, 64);
    if (attributes.scan_id.empty()) {
        problems.emplace_back("scan id is empty");
    }
    check_text(problems, "scan id", attributes.scan_id, 64);
    if (!attributes.scan_time.empty() && !parse_iso_utc(attributes.scan_time)) {
        problems.push_back(message("scan time '", attributes.scan_time,
                                   "' is not ISO 8601 UTC (YYYY-MM-DDTHH:MM:SSZ)"));
    }
    if (!attributes.channel.empty() && attributes.channel != "high" &&
        attributes.channel != "low") {
        problems.push_back(message("channel '", attributes.channel, "' is not high or low"));
    }
    if (!std::isfinite(attributes.energy_mev) || attributes.energy_mev < 0) {
        problems.push_back(message("energy ", attributes.energy_mev, " MeV is invalid"));
    }
    const bool along_set = attributes.along_mm != 0;
    const bool detector_set = attributes.detector_mm != 0;
    if (!(std::isfinite(attributes.along_mm) && attributes.along_mm >= 0) ||
        !(std::isfinite(attributes.detector_mm) && attributes.detector_mm >= 0) ||
        along_set != detector_set) {
        problems.push_back(message("pixel spacing ", attributes.detector_mm, " x ",
                                   attributes.along_mm,
                                   " mm is invalid (both positive, or both 0 for unknown)"));
    }
    for (const auto& [what, uid] : {std::pair{"study UID", &attributes.study_uid},
                                    std::pair{"series UID", &attributes.series_uid}}) {
        if (!uid->empty() && !valid_uid(*uid)) {
            problems.push_back(message(what, " '", *uid, "' is not a valid DICOM UID"));
        }
    }
    if (problems.empty()) {
        return;
    }
    std::string joined("cannot write DICOS: ");
    for (std::size_t index = 0; index < problems.size(); ++index) {
        joined.append(index == 0 ? "" : "; ").append(problems[index]);
    }
    throw std::invalid_argument(joined);
}

void check_written(const OFCondition& condition, const DcmTagKey& key) {
    if (condition.bad()) {
        throw std::runtime_error(
            message("DICOS: cannot set ", tag_label(key), ": ", condition.text()));
    }
}

void put(DcmDataset& dataset, const DcmTagKey& key, const std::string& value) {
    check_written(dataset.putAndInsertString(key, value.c_str()), key);
}

void put(DcmDataset& dataset, const DcmTagKey& key, std::uint16_t value) {
    check_written(dataset.putAndInsertUint16(key, value), key);
}

void put_attributes(DcmDataset& dataset, const Image16& image, const DicosAttributes& attributes) {
    const std::string study_uid = attributes.study_uid.empty()
                                      ? derived_uid("study", attributes.scan_id)
                                      : attributes.study_uid;
    const std::string series_uid = attributes.series_uid.empty()
                                       ? derived_uid("series", attributes.scan_id)
                                       : attributes.series_uid;
    put(dataset, DCM_SOPClassUID, std::string(UID_DICOS_DigitalXRayImageStorageForProcessing));
    put(dataset, DCM_SOPInstanceUID, random_uid());
    put(dataset, DCM_StudyInstanceUID, study_uid);
    put(dataset, DCM_SeriesInstanceUID, series_uid);
    put(dataset, DCM_ImageType, std::string("ORIGINAL\\PRIMARY"));
    put(dataset, DCM_Modality, std::string("DX"));
    put(dataset, DCM_PresentationIntentType, std::string("FOR PROCESSING"));
    put(dataset, DCM_DICOSVersion, std::string("V03"));
    // Object of inspection: the container. The DICOS type strings are upper-case CS values.
    put(dataset, DCM_OOIType, std::string("CARGO"));
    put(dataset, DCM_PatientID, attributes.container_number);
    put(dataset, DCM_PatientName, std::string());
    put(dataset, DCM_StudyDescription, attributes.scan_id);
    const auto& id = attributes.scan_id;
    put(dataset, DCM_StudyID, id.size() <= 16 ? id : id.substr(id.size() - 16));
    put(dataset, DCM_SeriesNumber, std::string("1"));
    // One series per scan: the high-energy plane is instance 1, the low-energy plane 2.
    put(dataset, DCM_InstanceNumber, std::string(attributes.channel == "low" ? "2" : "1"));
    put(dataset, DCM_Manufacturer, std::string());
    put(dataset, DCM_DeviceSerialNumber, attributes.scanner_id);

    if (const auto time = parse_iso_utc(attributes.scan_time)) {
        const std::string date = dicom_date(*time);
        const std::string clock = dicom_time(*time);
        put(dataset, DCM_TimezoneOffsetFromUTC, std::string("+0000"));
        put(dataset, DCM_StudyDate, date);
        put(dataset, DCM_StudyTime, clock);
        put(dataset, DCM_AcquisitionDate, date);
        put(dataset, DCM_AcquisitionTime, clock);
        put(dataset, DCM_ContentDate, date);
        put(dataset, DCM_ContentTime, clock);
        put(dataset, DCM_AcquisitionDateTime, date + clock + "+0000");
    } else {
        put(dataset, DCM_StudyDate, std::string());
        put(dataset, DCM_StudyTime, std::string());
    }
    if (!attributes.channel.empty()) {
        put(dataset, DCM_ImageComments, attributes.channel + " energy");
    }
    if (attributes.energy_mev > 0) {
        put(dataset, DCM_KVP, decimal_string(attributes.energy_mev * 1000));
    }
    if (attributes.along_mm > 0) {
        put(dataset, DCM_ImagerPixelSpacing,
            decimal_string(attributes.detector_mm) + "\\" + decimal_string(attributes.along_mm));
    }

    put(dataset, DCM_SamplesPerPixel, std::uint16_t{1});
    put(dataset, DCM_PhotometricInterpretation, std::string("MONOCHROME2"));
    put(dataset, DCM_Rows, static_cast<std::uint16_t>(image.height));
    put(dataset, DCM_Columns, static_cast<std::uint16_t>(image.width));
    put(dataset, DCM_BitsAllocated, std::uint16_t{16});
    put(dataset, DCM_BitsStored, std::uint16_t{16});
    put(dataset, DCM_HighBit, std::uint16_t{15});
    put(dataset, DCM_PixelRepresentation, std::uint16_t{0});
    // Values are linear in the transmitted intensity and grow with it; stored as they are.
    put(dataset, DCM_RescaleIntercept, std::string("0"));
    put(dataset, DCM_RescaleSlope, std::string("1"));
    put(dataset, DCM_RescaleType, std::string("US"));
    put(dataset, DCM_PixelIntensityRelationship, std::string("LIN"));
    put(dataset, DCM_PixelIntensityRelationshipSign, std::string("1"));
    put(dataset, DCM_BurnedInAnnotation, std::string("NO"));
    put(dataset, DCM_LossyImageCompression, std::string("00"));
    check_written(dataset.putAndInsertUint16Array(DCM_PixelData, image.pixels.data(),
                                                  static_cast<unsigned long>(image.pixels.size())),
                  DCM_PixelData);
}

// ---- reading ----

// Parses the buffer as a DICOM file, up to (not including) `stop` when given.
OFCondition parse(std::string_view bytes, DcmFileFormat& file, const DcmTagKey& stop) {
    DcmInputBufferStream stream;
    stream.setBuffer(bytes.data(), static_cast<offile_off_t>(bytes.size()));
    stream.setEos();
    file.transferInit();
    const OFCondition condition =
        file.readUntilTag(stream, EXS_Unknown, EGL_noChange, DCM_MaxReadLength, stop);
    file.transferEnd();
    return condition;
}

// A buffer stream that runs dry mid-element reports an invalid stream (or asks for more data);
// with the whole file in the buffer, both mean the file was cut short.
void parse_or_fail(std::string_view bytes, DcmFileFormat& file, const DcmTagKey& stop) {
    const OFCondition condition = parse(bytes, file, stop);
    if (condition == EC_InvalidStream || condition == EC_StreamNotifyClient) {
        fail(message("truncated: DICOS file ends after ", bytes.size(),
                     " bytes, before its data is complete"));
    }
    if (condition.bad()) {
        fail(message("DICOS: cannot parse the file: ", condition.text()));
    }
}

std::uint16_t required_uint16(DcmDataset& dataset, const DcmTagKey& key) {
    Uint16 value = 0;
    if (dataset.findAndGetUint16(key, value).bad()) {
        fail(message("DICOS: missing ", tag_label(key)));
    }
    return value;
}

std::string text_of(DcmItem& item, const DcmTagKey& key) {
    OFString value;
    if (item.findAndGetOFStringArray(key, value).bad()) {
        return {};
    }
    return std::string(value.c_str(), value.size());
}

double decimal_of(DcmDataset& dataset, const DcmTagKey& key, unsigned long position) {
    Float64 value = 0;
    return dataset.findAndGetFloat64(key, value, position).good() ? value : 0.0;
}

struct PixelLayout {
    int width = 0;
    int height = 0;
    std::uint16_t bits_stored = 16;
};

// Everything about the pixels that must hold before the pixel data is read.
PixelLayout check_pixel_header(DcmDataset& dataset, const DecodeLimits& limits) {
    const DcmXfer transfer_syntax(dataset.getOriginalXfer());
    if (transfer_syntax.isEncapsulated()) {
        fail(message("DICOS: pixel data is compressed (", transfer_syntax.getXferName(),
                     "), uncompressed expected"));
    }
    const std::uint16_t rows = required_uint16(dataset, DCM_Rows);
    const std::uint16_t columns = required_uint16(dataset, DCM_Columns);
    if (rows == 0 || columns == 0) {
        fail(message("DICOS: declares ", columns, " x ", rows, " pixels, an empty image"));
    }
    if (std::int64_t{rows} * columns > limits.max_pixels) {
        fail(message("DICOS declares ", columns, " x ", rows, " pixels, more than the limit of ",
                     limits.max_pixels));
    }
    const std::uint16_t samples = required_uint16(dataset, DCM_SamplesPerPixel);
    if (samples != 1) {
        fail(message("DICOS: ", samples, " samples per pixel, 1 (grey) expected"));
    }
    const std::uint16_t allocated = required_uint16(dataset, DCM_BitsAllocated);
    if (allocated != 16) {
        fail(message("DICOS: ", allocated, " bits allocated, 16 expected"));
    }
    const std::uint16_t stored = required_uint16(dataset, DCM_BitsStored);
    const std::uint16_t high_bit = required_uint16(dataset, DCM_HighBit);
    if (stored == 0 || stored > 16 || high_bit != stored - 1) {
        fail(message("DICOS: ", stored, " bits stored with high bit ", high_bit,
                     ", 1 to 16 bits with high bit = bits stored - 1 expected"));
    }
    if (required_uint16(dataset, DCM_PixelRepresentation) != 0) {
        fail("DICOS: pixel data is signed (PixelRepresentation 1), unsigned expected");
    }
    const std::string photometric = text_of(dataset, DCM_PhotometricInterpretation);
    if (photometric != "MONOCHROME2" && photometric != "MONOCHROME1") {
        fail(message("DICOS: photometric interpretation '", photometric,
                     "', MONOCHROME2 or MONOCHROME1 expected"));
    }
    Sint32 frames = 1;
    if (dataset.findAndGetSint32(DCM_NumberOfFrames, frames).good() && frames != 1) {
        fail(message("DICOS: ", frames, " frames, a single frame expected"));
    }
    return {columns, rows, stored};
}

std::string read_scan_time(DcmDataset& dataset) {
    std::chrono::minutes offset{0}; // no offset given: the times are taken as UTC
    if (const auto given = parse_offset(text_of(dataset, DCM_TimezoneOffsetFromUTC))) {
        offset = *given;
    }
    std::optional<UtcTime> time;
    const std::string date_time = text_of(dataset, DCM_AcquisitionDateTime);
    if (date_time.size() >= 14) {
        std::string_view clock = std::string_view(date_time).substr(8);
        const std::size_t sign = clock.find_first_of("+-");
        auto local_offset = offset;
        if (sign != std::string_view::npos) {
            if (const auto own = parse_offset(clock.substr(sign))) {
                local_offset = *own;
            }
            clock = clock.substr(0, sign);
        }
        time = from_dicom(std::string_view(date_time).substr(0, 8), clock, local_offset);
    }
    if (!time) {
        time = from_dicom(text_of(dataset, DCM_AcquisitionDate),
                          text_of(dataset, DCM_AcquisitionTime), offset);
    }
    if (!time) {
        time = from_dicom(text_of(dataset, DCM_ContentDate), text_of(dataset, DCM_ContentTime),
                          offset);
    }
    return time ? iso_utc(*time) : std::string();
}

DicosAttributes read_attributes(DcmDataset& dataset) {
    DicosAttributes attributes;
    attributes.container_number = text_of(dataset, DCM_PatientID);
    attributes.scan_id = text_of(dataset, DCM_StudyDescription);
    if (attributes.scan_id.empty())
        attributes.scan_id = text_of(dataset, DCM_StudyID);
    attributes.scanner_id = text_of(dataset, DCM_DeviceSerialNumber);
    attributes.scan_time = read_scan_time(dataset);
    const std::string comments = text_of(dataset, DCM_ImageComments);
    if (comments == "high energy" || comments == "low energy") {
        attributes.channel = comments.substr(0, comments.find(' '));
    }
    attributes.energy_mev = decimal_of(dataset, DCM_KVP, 0) / 1000;
    const DcmTagKey spacing = dataset.tagExistsWithValue(DCM_ImagerPixelSpacing)
                                  ? DCM_ImagerPixelSpacing
                                  : DCM_PixelSpacing;
    attributes.detector_mm = decimal_of(dataset, spacing, 0);
    attributes.along_mm = decimal_of(dataset, spacing, 1);
    attributes.study_uid = text_of(dataset, DCM_StudyInstanceUID);
    attributes.series_uid = text_of(dataset, DCM_SeriesInstanceUID);
    return attributes;
}

} // namespace

std::string write_dicos(const Image16& image, const DicosAttributes& attributes) {
    prepare_dcmtk();
    check_writable(image, attributes);
    DcmFileFormat file;
    put_attributes(*file.getDataset(), image, attributes);

    std::string bytes;
    bytes.reserve(image.pixels.size() * 2 + 4096);
    std::vector<char> buffer(1 << 20);
    DcmOutputBufferStream stream(buffer.data(), static_cast<offile_off_t>(buffer.size()));
    file.transferInit();
    // The stream reports EC_StreamNotifyClient whenever its buffer is full; the buffer is then
    // drained and writing resumes where it stopped.
    OFCondition condition = EC_StreamNotifyClient;
    while (condition == EC_StreamNotifyClient) {
        condition = file.write(stream, EXS_LittleEndianExplicit, EET_ExplicitLength, nullptr,
                               EGL_recalcGL, EPD_withoutPadding, 0, 0, 0, EWM_createNewMeta);
        void* filled = nullptr;
        offile_off_t length = 0;
        stream.flushBuffer(filled, length);
        bytes.append(static_cast<const char*>(filled), static_cast<std::size_t>(length));
    }
    file.transferEnd();
    if (condition.bad()) {
        throw std::runtime_error(message("DICOS: cannot write the file: ", condition.text()));
    }
    return bytes;
}

DicosImage read_dicos(std::string_view bytes, const DecodeLimits& limits) {
    prepare_dcmtk();
    if (bytes.empty()) {
        fail("DICOS: empty file (0 bytes)");
    }
    if (bytes.size() < kPreambleSize + 4 || bytes.substr(kPreambleSize, 4) != "DICM") {
        fail("DICOS: not a DICOM file (no DICM marker at byte 128)");
    }
    // First pass: the header only, so the pixel budget is checked before DCMTK loads the
    // pixel data. Parsing stops at (7FE0,0010); the second pass reads the whole file.
    PixelLayout layout;
    {
        DcmFileFormat header;
        parse_or_fail(bytes, header, DCM_PixelData);
        layout = check_pixel_header(*header.getDataset(), limits);
    }

    DcmFileFormat file;
    parse_or_fail(bytes, file, DCM_UndefinedTagKey);
    DcmDataset& dataset = *file.getDataset();

    const Uint16* values = nullptr;
    unsigned long count = 0;
    if (!dataset.tagExists(DCM_PixelData)) {
        fail("DICOS: missing PixelData (7FE0,0010)");
    }
    if (dataset.findAndGetUint16Array(DCM_PixelData, values, &count).bad() || values == nullptr) {
        fail("DICOS: PixelData (7FE0,0010) cannot be read as 16-bit values");
    }
    const auto expected_count = static_cast<unsigned long>(layout.width) * layout.height;
    if (count < expected_count) {
        fail(message("truncated: DICOS PixelData has ", count, " values, Columns x Rows = ",
                     layout.width, " x ", layout.height, " = ", expected_count, " expected"));
    }
    if (count != expected_count) {
        fail(message("DICOS: PixelData has ", count, " values, Columns x Rows = ", layout.width,
                     " x ", layout.height, " = ", expected_count, " expected"));
    }

    DicosImage result;
    result.image = Image16(layout.width, layout.height);
    // Bits above BitsStored are not part of the value (DICOM PS3.5 section 8.1.1).
    const auto mask = static_cast<std::uint16_t>(0xFFFFU >> (16 - layout.bits_stored));
    std::transform(values, values + count, result.image.pixels.begin(),
                   [mask](Uint16 value) { return static_cast<std::uint16_t>(value & mask); });
    result.attributes = read_attributes(dataset);
    result.sop_class_uid = text_of(dataset, DCM_SOPClassUID);
    result.sop_instance_uid = text_of(dataset, DCM_SOPInstanceUID);
    if (result.sop_class_uid.empty()) {
        result.sop_class_uid = text_of(*file.getMetaInfo(), DCM_MediaStorageSOPClassUID);
    }
    return result;
}

} // namespace portscreen::scanner_io
