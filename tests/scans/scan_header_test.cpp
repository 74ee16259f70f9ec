#include "scans/scan_header.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace portscreen::scans {
namespace {

using nlohmann::json;

json good_header() {
    return json::parse(R"({
        "scan_id": "KEMBA-G1-0001", "scanner_id": "KEMBA-GATE-1",
        "containers": ["EXLU2208719"], "scanned_at": "2024-03-08T10:00:00Z", "view": "side",
        "energies_mev": {"high": 6, "low": 4}, "air_value": 60000,
        "pixel_spacing_mm": {"along_scan": 2.0, "detector": 2.2},
        "orientation": {"travel": "right_to_left", "detector": "top_down"},
        "images": [{"channel": "high", "format": "png", "width": 600, "height": 120},
                   {"channel": "low", "format": "png", "width": 600, "height": 120}]})");
}

const Problem* find_path(const Problems& problems, std::string_view path) {
    for (const auto& problem : problems)
        if (problem.path == path)
            return &problem;
    return nullptr;
}

TEST(ScanHeader, AGoodHeaderParsesAndWritesBackTheSame) {
    const auto header = parse_scan_header(good_header().dump());
    ASSERT_TRUE(header) << header.problems().front().message;
    EXPECT_EQ(header->scan_id, "KEMBA-G1-0001");
    EXPECT_EQ(header->containers, std::vector<std::string>{"EXLU2208719"});
    EXPECT_FALSE(header->travel_left_to_right);
    EXPECT_TRUE(header->detector_top_down);
    ASSERT_EQ(header->images.size(), 2u);
    EXPECT_EQ(header->images[1].channel, Channel::low);
    EXPECT_EQ(header->images[1].width, 600);
    EXPECT_EQ(*header->energy_low_mev, 4.0);
    const auto again = parse_scan_header(to_json(*header));
    ASSERT_TRUE(again);
    EXPECT_EQ(to_json(*again), to_json(*header));
}

TEST(ScanHeader, EveryProblemIsReportedWithItsPath) {
    json header = good_header();
    header.erase("scanner_id");
    header["scan_id"] = "has spaces";
    header["scanned_at"] = "2024-03-08 10:00";
    header["air_value"] = 70000;
    header["pixel_spacing_mm"]["detector"] = -1;
    header["images"][1]["format"] = "jpeg";
    header["images"][1]["width"] = 0;
    const auto parsed = parse_scan_header(header.dump());
    ASSERT_FALSE(parsed);
    const auto& problems = parsed.problems();
    for (const char* path : {"/scanner_id", "/scan_id", "/scanned_at", "/air_value",
                             "/pixel_spacing_mm/detector", "/images/1/format", "/images/1/width"})
        EXPECT_NE(find_path(problems, path), nullptr) << path;
    EXPECT_NE(find_path(problems, "/images/1/format")->message.find("'jpeg'"), std::string::npos);
}

TEST(ScanHeader, ImagesMustBeOneSingleOrAHighAndLowPair) {
    json header = good_header();
    header["images"][1]["channel"] = "high";
    auto parsed = parse_scan_header(header.dump());
    ASSERT_FALSE(parsed);
    EXPECT_NE(find_path(parsed.problems(), "/images"), nullptr);

    header = good_header();
    header["images"][1]["height"] = 121;
    parsed = parse_scan_header(header.dump());
    ASSERT_FALSE(parsed);
    EXPECT_NE(find_path(parsed.problems(), "/images/1/height"), nullptr);

    header = good_header();
    header["energies_mev"].erase("low");
    parsed = parse_scan_header(header.dump());
    ASSERT_FALSE(parsed);
    EXPECT_NE(find_path(parsed.problems(), "/energies_mev/low"), nullptr);
}

TEST(ScanHeader, NotJsonOrNotAnObjectIsRefused) {
    for (const char* text : {"", "{", "[1, 2]", "\"scan\""}) {
        const auto parsed = parse_scan_header(text);
        ASSERT_FALSE(parsed) << text;
        EXPECT_EQ(parsed.problems().front().code, "json") << text;
    }
}

} // namespace
} // namespace portscreen::scans
