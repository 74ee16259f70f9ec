#include "formats.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace psio = portscreen::scanner_io;
using psio::DecodeError;
using psio::DicosAttributes;
using psio::Image16;
using psio::ImageFormat;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

constexpr std::string_view kDxForProcessing = "1.2.840.10008.5.1.4.1.1.501.2.2";

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in.good()) << "cannot open " << path;
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

std::string fixture() {
    return read_file(std::filesystem::path(PORTSCREEN_TEST_DATA) / "dicos" /
                     "synthetic_dicos_dx.dcs");
}

std::string read_error(std::string_view bytes, psio::DecodeLimits limits = {}) {
    try {
        psio::read_dicos(bytes, limits);
    } catch (const DecodeError& error) {
        return error.what();
    }
    return "(read without error)";
}

std::string write_error(const Image16& image, const DicosAttributes& attributes) {
    try {
        psio::write_dicos(image, attributes);
    } catch (const std::invalid_argument& error) {
        return error.what();
    }
    return "(written without error)";
}

Image16 pattern(int width, int height) {
    Image16 image(width, height);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            image.at(x, y) = static_cast<std::uint16_t>((x * 7919 + y * 104729 + 13) % 65536);
        }
    }
    image.at(0, 0) = 0;
    image.at(width - 1, height - 1) = 65535;
    return image;
}

DicosAttributes sample_attributes() {
    DicosAttributes attributes;
    attributes.container_number = "CSQU3054383";
    attributes.scan_id = "KEMBA-G1-20261128-0042"; // longer than a StudyID holds
    attributes.scanner_id = "GANTRY-7";
    attributes.scan_time = "2026-11-28T08:15:00Z";
    attributes.channel = "low";
    attributes.energy_mev = 4.0;
    attributes.along_mm = 5.0;
    attributes.detector_mm = 2.2;
    return attributes;
}

// Replaces every occurrence of `from` by `to` (same length), returning how many were replaced.
int patch_all(std::string& bytes, std::string_view from, std::string_view to) {
    EXPECT_EQ(from.size(), to.size());
    int replaced = 0;
    for (std::size_t at = bytes.find(from); at != std::string::npos;
         at = bytes.find(from, at + 1)) {
        bytes.replace(at, from.size(), to);
        ++replaced;
    }
    return replaced;
}

// The explicit-VR little-endian encoding of a US element (group, element, "US", length 2,
// value): lets a test change one header value of a written file.
std::string us_element(std::uint16_t group, std::uint16_t element, std::uint16_t value) {
    std::string out;
    for (const std::uint16_t part : {group, element}) {
        out.push_back(static_cast<char>(part & 0xFF));
        out.push_back(static_cast<char>(part >> 8));
    }
    out.append("US");
    out.push_back('\x02');
    out.push_back('\0');
    out.push_back(static_cast<char>(value & 0xFF));
    out.push_back(static_cast<char>(value >> 8));
    return out;
}

// A file in the system temporary directory, removed when the test ends.
class TempFile {
public:
    explicit TempFile(std::string_view suffix) {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("portscreen-dicos-" + std::to_string(::getpid()) + "-" +
                 std::to_string(counter++) + std::string(suffix));
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile() {
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
    }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

std::string find_dcmdump() {
    for (const char* candidate : {"/usr/bin/dcmdump", "/usr/local/bin/dcmdump"}) {
        if (::access(candidate, X_OK) == 0) {
            return candidate;
        }
    }
    return {};
}

} // namespace

// ---- the shared fixture (written by pydicom) ----

TEST(DicosFixture, ReadsImageAndAttributes) {
    const psio::DicosImage dicos = psio::read_dicos(fixture());
    EXPECT_EQ(dicos.sop_class_uid, kDxForProcessing);
    ASSERT_EQ(dicos.image.width, 64);
    ASSERT_EQ(dicos.image.height, 32);
    // The fixture's pixel i (row-major) holds 31 * i, as `dcmdump +W` extracts it: 0, 31, 62...
    // up to 31 * 2047 = 63457.
    for (std::size_t index = 0; index < dicos.image.pixels.size(); ++index) {
        ASSERT_EQ(dicos.image.pixels[index], 31 * index) << "pixel " << index;
    }
    EXPECT_EQ(dicos.image.at(1, 1), 31 * 65);
    const DicosAttributes& attributes = dicos.attributes;
    EXPECT_EQ(attributes.container_number, "CSQU3054383");
    EXPECT_DOUBLE_EQ(attributes.energy_mev, 6.0); // KVP 6000
    EXPECT_DOUBLE_EQ(attributes.along_mm, 5.0);
    EXPECT_DOUBLE_EQ(attributes.detector_mm, 5.0);
    EXPECT_EQ(attributes.scan_time, "2024-01-02T03:04:05Z"); // ContentDate and ContentTime
    EXPECT_EQ(attributes.study_uid,
              "1.2.826.0.1.3680043.8.498.75972047880747573199124607596416773834");
    EXPECT_EQ(dicos.sop_instance_uid,
              "1.2.826.0.1.3680043.8.498.12445667586482509358378936782597554115");
    EXPECT_EQ(attributes.channel, "");
}

TEST(DicosFixture, DecodeImageChecksDeclaredSize) {
    const std::string bytes = fixture();
    ASSERT_EQ(psio::sniff_format(bytes), ImageFormat::dicos);
    const Image16 image = psio::decode_image(bytes, ImageFormat::dicos, {64, 32});
    EXPECT_EQ(image.pixels[2047], 63457);
    try {
        psio::decode_image(bytes, ImageFormat::dicos, {65, 32});
        FAIL() << "accepted a size other than declared";
    } catch (const DecodeError& error) {
        EXPECT_THAT(error.what(),
                    HasSubstr("DICOS image is 64 x 32, the scan header declares 65 x 32"));
    }
}

// ---- writing and reading back ----

TEST(DicosWrite, RoundTripsPixelsAndAttributes) {
    const Image16 original = pattern(37, 11);
    const DicosAttributes attributes = sample_attributes();
    const std::string bytes = psio::write_dicos(original, attributes);

    ASSERT_GT(bytes.size(), 132U);
    EXPECT_EQ(bytes.substr(0, 128), std::string(128, '\0')) << "preamble";
    EXPECT_EQ(bytes.substr(128, 4), "DICM");
    EXPECT_EQ(psio::sniff_format(bytes), ImageFormat::dicos);

    const psio::DicosImage back = psio::read_dicos(bytes);
    EXPECT_EQ(back.sop_class_uid, kDxForProcessing);
    ASSERT_EQ(back.image.width, 37);
    ASSERT_EQ(back.image.height, 11);
    EXPECT_TRUE(back.image.pixels == original.pixels);
    EXPECT_EQ(back.attributes.container_number, attributes.container_number);
    EXPECT_EQ(back.attributes.scan_id, attributes.scan_id);
    EXPECT_EQ(back.attributes.scanner_id, attributes.scanner_id);
    EXPECT_EQ(back.attributes.scan_time, attributes.scan_time);
    EXPECT_EQ(back.attributes.channel, "low");
    EXPECT_DOUBLE_EQ(back.attributes.energy_mev, 4.0);
    EXPECT_DOUBLE_EQ(back.attributes.along_mm, 5.0);
    EXPECT_DOUBLE_EQ(back.attributes.detector_mm, 2.2);
    EXPECT_THAT(back.attributes.study_uid, ::testing::StartsWith("2.25."));
    EXPECT_THAT(back.attributes.series_uid, ::testing::StartsWith("2.25."));
    EXPECT_NE(back.attributes.study_uid, back.attributes.series_uid);
}

TEST(DicosWrite, FractionalSecondsAndHighChannelSurvive) {
    DicosAttributes attributes = sample_attributes();
    attributes.scan_time = "2026-02-28T23:59:59.125Z";
    attributes.channel = "high";
    attributes.energy_mev = 6.0;
    const psio::DicosImage back = psio::read_dicos(psio::write_dicos(pattern(3, 2), attributes));
    EXPECT_EQ(back.attributes.scan_time, "2026-02-28T23:59:59.125Z");
    EXPECT_EQ(back.attributes.channel, "high");
    EXPECT_DOUBLE_EQ(back.attributes.energy_mev, 6.0);
}

TEST(DicosWrite, StudyAndSeriesUidsFollowTheScanId) {
    const Image16 image = pattern(4, 4);
    DicosAttributes attributes = sample_attributes();
    const psio::DicosImage first = psio::read_dicos(psio::write_dicos(image, attributes));
    attributes.channel = "high";
    const psio::DicosImage second = psio::read_dicos(psio::write_dicos(image, attributes));
    // Both channels of one scan: same study and series, distinct instances.
    EXPECT_EQ(first.attributes.study_uid, second.attributes.study_uid);
    EXPECT_EQ(first.attributes.series_uid, second.attributes.series_uid);
    EXPECT_NE(first.sop_instance_uid, second.sop_instance_uid);
    EXPECT_THAT(first.sop_instance_uid, ::testing::StartsWith("2.25."));

    attributes.scan_id = "SYN-0002";
    const psio::DicosImage other = psio::read_dicos(psio::write_dicos(image, attributes));
    EXPECT_NE(other.attributes.study_uid, first.attributes.study_uid);

    for (const auto& uid : {first.attributes.study_uid, first.attributes.series_uid,
                            first.sop_instance_uid, other.attributes.study_uid}) {
        EXPECT_LE(uid.size(), 64U) << uid;
        EXPECT_TRUE(std::all_of(uid.begin(), uid.end(), [](char c) {
            return c == '.' || (c >= '0' && c <= '9');
        })) << uid;
    }

    attributes.study_uid = "1.2.3.4";
    attributes.series_uid = "1.2.3.4.5";
    const psio::DicosImage given = psio::read_dicos(psio::write_dicos(image, attributes));
    EXPECT_EQ(given.attributes.study_uid, "1.2.3.4");
    EXPECT_EQ(given.attributes.series_uid, "1.2.3.4.5");
}

TEST(DicosWrite, TimezoneOffsetsAreConvertedToUtc) {
    DicosAttributes attributes = sample_attributes();
    attributes.scan_time = "2026-01-01T01:00:00Z";
    std::string bytes = psio::write_dicos(pattern(2, 2), attributes);
    // The same wall-clock time read as two hours east of UTC is 23:00 UTC the day before. Both
    // TimezoneOffsetFromUTC and the offset inside AcquisitionDateTime carry "+0000".
    ASSERT_EQ(patch_all(bytes, "+0000", "+0200"), 2);
    EXPECT_EQ(psio::read_dicos(bytes).attributes.scan_time, "2025-12-31T23:00:00Z");
}

TEST(DicosWrite, ReadCleanlyByDcmtkCommandLineTools) {
    const std::string dcmdump = find_dcmdump();
    ASSERT_FALSE(dcmdump.empty())
        << "dcmdump not found: install the dcmtk package (tools/install-deps installs it)";
    const TempFile file(".dcs");
    const TempFile out(".out");
    const TempFile err(".err");
    {
        std::ofstream stream(file.path(), std::ios::binary);
        const std::string bytes = psio::write_dicos(pattern(37, 11), sample_attributes());
        stream.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        ASSERT_TRUE(stream.good());
    }
    // +fo: the file must have a meta header; -dc: no silent repairs; warnings logged; the
    // default --stop-on-error makes a damaged file a failure. Values of odd length are shown
    // with the space that pads them to even length.
    const std::string command = dcmdump + " +fo -dc -ll warn '" + file.path().string() + "' >'" +
                                out.path().string() + "' 2>'" + err.path().string() + "'";
    const int status = std::system(command.c_str());
    ASSERT_TRUE(WIFEXITED(status)) << command;
    const std::string dump = read_file(out.path());
    const std::string complaints = read_file(err.path());
    EXPECT_EQ(WEXITSTATUS(status), 0) << complaints;
    EXPECT_EQ(complaints, "") << "dcmdump complained";
    EXPECT_THAT(dump, HasSubstr("=DICOS_DigitalXRayImageStorageForProcessing"));
    EXPECT_THAT(dump, HasSubstr("=LittleEndianExplicit"));
    EXPECT_THAT(dump, HasSubstr("(0010,0020) LO [CSQU3054383 ]"));
    EXPECT_THAT(dump, HasSubstr("(4010,1042) CS [CARGO ]"));
    EXPECT_THAT(dump, HasSubstr("(4010,103a) CS [V03 ]"));
    EXPECT_THAT(dump, HasSubstr("(0018,1164) DS [2.2\\5 ]"));
    EXPECT_THAT(dump, HasSubstr("(0018,0060) DS [4000]"));
    EXPECT_THAT(dump, HasSubstr("(0028,0004) CS [MONOCHROME2 ]"));
    EXPECT_THAT(dump, HasSubstr("(0008,0068) CS [FOR PROCESSING]"));
    EXPECT_THAT(dump, HasSubstr("(7fe0,0010) OW"));
}

TEST(DicosWrite, RefusesAttributesItCannotStoreAndNamesThemAll) {
    DicosAttributes attributes = sample_attributes();
    attributes.scan_id = std::string(65, 'S');
    attributes.channel = "medium";
    attributes.scan_time = "28/11/2026 08:15";
    attributes.container_number = "CSQU\\3054383";
    attributes.study_uid = "1.2.03";
    const std::string error = write_error(pattern(2, 2), attributes);
    EXPECT_THAT(error, HasSubstr("scan id '" + std::string(65, 'S') + "' is longer than 64"));
    EXPECT_THAT(error, HasSubstr("channel 'medium' is not high or low"));
    EXPECT_THAT(error, HasSubstr("scan time '28/11/2026 08:15' is not ISO 8601 UTC"));
    EXPECT_THAT(error, HasSubstr("container number 'CSQU\\3054383' contains a character"));
    EXPECT_THAT(error, HasSubstr("study UID '1.2.03' is not a valid DICOM UID"));

    EXPECT_THAT(write_error(Image16{}, sample_attributes()), HasSubstr("cannot be stored"));
    attributes = sample_attributes();
    attributes.along_mm = 0;
    EXPECT_THAT(write_error(pattern(2, 2), attributes), HasSubstr("pixel spacing 2.2 x 0 mm"));
    attributes = sample_attributes();
    attributes.scan_id.clear();
    EXPECT_THAT(write_error(pattern(2, 2), attributes), HasSubstr("scan id is empty"));
}

// ---- refusals ----

TEST(DicosRefusals, NotDicomAtAll) {
    EXPECT_THAT(read_error("just some bytes"), HasSubstr("DICOS: not a DICOM file"));
    EXPECT_THAT(read_error(std::string(300, '\0')), HasSubstr("DICOS: not a DICOM file"));
    EXPECT_THAT(read_error(""), HasSubstr("DICOS: empty file"));
}

TEST(DicosRefusals, TruncatedFiles) {
    const std::string bytes = fixture();
    // Inside the pixel data, the last element of the file.
    EXPECT_THAT(read_error(bytes.substr(0, bytes.size() - 100)),
                HasSubstr("truncated: DICOS file ends after " + std::to_string(bytes.size() - 100) +
                          " bytes"));
    EXPECT_THAT(read_error(bytes.substr(0, bytes.size() / 2)), HasSubstr("truncated: DICOS"));
    // Inside the preamble: not even recognisable as DICOM.
    EXPECT_THAT(read_error(bytes.substr(0, 100)), HasSubstr("DICOS: not a DICOM file"));
    // Inside the meta header or the first data elements.
    EXPECT_THAT(read_error(bytes.substr(0, 200)), HasSubstr("truncated: DICOS"));
    EXPECT_THAT(read_error(bytes.substr(0, 400)), HasSubstr("truncated: DICOS"));
}

TEST(DicosRefusals, RowsTimesColumnsBeyondTheLimit) {
    EXPECT_THAT(read_error(fixture(), {1000}),
                HasSubstr("DICOS declares 64 x 32 pixels, more than the limit of 1000"));
    // A small file whose header claims 65535 x 65535: refused from the header alone.
    std::string bytes = psio::write_dicos(pattern(6, 5), sample_attributes());
    ASSERT_EQ(patch_all(bytes, us_element(0x0028, 0x0010, 5), us_element(0x0028, 0x0010, 65535)),
              1);
    ASSERT_EQ(patch_all(bytes, us_element(0x0028, 0x0011, 6), us_element(0x0028, 0x0011, 65535)),
              1);
    EXPECT_THAT(read_error(bytes),
                HasSubstr("DICOS declares 65535 x 65535 pixels, more than the limit of 64000000"));
}

TEST(DicosRefusals, HeaderValuesThatDoNotFit) {
    const std::string good = psio::write_dicos(pattern(6, 5), sample_attributes());

    std::string eight_bit = good;
    ASSERT_EQ(patch_all(eight_bit, us_element(0x0028, 0x0100, 16), us_element(0x0028, 0x0100, 8)),
              1);
    EXPECT_THAT(read_error(eight_bit), HasSubstr("DICOS: 8 bits allocated, 16 expected"));

    std::string signed_pixels = good;
    ASSERT_EQ(
        patch_all(signed_pixels, us_element(0x0028, 0x0103, 0), us_element(0x0028, 0x0103, 1)), 1);
    EXPECT_THAT(read_error(signed_pixels), HasSubstr("DICOS: pixel data is signed"));

    std::string compressed = good;
    // Declares RLE Lossless in the meta header: the data set still parses, the pixels would not.
    ASSERT_EQ(patch_all(compressed, std::string("1.2.840.10008.1.2.1\0", 20),
                        std::string("1.2.840.10008.1.2.5\0", 20)),
              1);
    EXPECT_THAT(read_error(compressed),
                HasSubstr("DICOS: pixel data is compressed (RLE Lossless), uncompressed expected"));

    std::string fewer_rows = good;
    ASSERT_EQ(patch_all(fewer_rows, us_element(0x0028, 0x0010, 5), us_element(0x0028, 0x0010, 4)),
              1);
    EXPECT_THAT(read_error(fewer_rows),
                HasSubstr("DICOS: PixelData has 30 values, Columns x Rows = 6 x 4 = 24 expected"));

    std::string no_rows = good;
    // Renaming the tag to an unused element of the group makes Rows disappear.
    ASSERT_EQ(patch_all(no_rows, us_element(0x0028, 0x0010, 5), us_element(0x0028, 0x0012, 5)), 1);
    EXPECT_THAT(read_error(no_rows), HasSubstr("DICOS: missing Rows (0028,0010)"));
    EXPECT_THAT(read_error(good), Not(HasSubstr("DICOS")));
}
