#include "manifest_json/manifest_json.hpp"

#include "core/validation.hpp"
#include "manifest_equal.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace portscreen::manifest_json {
namespace {

const std::filesystem::path kExamples = PORTSCREEN_DOCS "/examples";

core::Manifest read_example(const std::string& name) {
    std::ifstream in(kExamples / name, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = parse(text.str());
    if (!parsed.ok()) {
        ADD_FAILURE() << name << ": " << parsed.problems()[0].path << " "
                      << parsed.problems()[0].message;
        return {};
    }
    return std::move(*parsed);
}

std::string describe(const Problems& problems) {
    std::string text;
    for (const auto& problem : problems)
        text += problem.path + " " + problem.message + "\n";
    return text;
}

// The examples in docs/ are what integrators copy: each must parse, pass validation without a
// single problem, and survive a round trip.
TEST(ManifestJsonExamples, EveryExampleParsesValidatesAndRoundTrips) {
    int count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(kExamples)) {
        const std::string name = entry.path().filename().string();
        SCOPED_TRACE(name);
        const core::Manifest manifest = read_example(name);
        const Problems problems = core::validate(manifest, {});
        EXPECT_TRUE(problems.empty()) << describe(problems);
        const auto back = parse(write(manifest));
        ASSERT_TRUE(back.ok());
        EXPECT_TRUE(*back == manifest);
        ++count;
    }
    EXPECT_EQ(count, 4);
}

TEST(ManifestJsonExamples, FclExampleShowsNormalisation) {
    const core::Manifest fcl = read_example("fcl.json");
    ASSERT_EQ(fcl.consignments.size(), 2u);
    EXPECT_EQ(fcl.consignments[0].goods_items[0].hs_code, "940360");
    EXPECT_EQ(fcl.consignments[1].goods_items[0].placements[0].container_number, "TGHU8123457");
    ASSERT_EQ(fcl.containers.size(), 3u);
    EXPECT_EQ(fcl.containers[2].load, core::LoadStatus::empty);
    EXPECT_EQ(fcl.containers[0].seals.size(), 2u);
}

TEST(ManifestJsonExamples, LclExampleSharesOneContainer) {
    const core::Manifest lcl = read_example("lcl.json");
    ASSERT_EQ(lcl.containers.size(), 1u);
    ASSERT_EQ(lcl.consignments.size(), 2u);
    for (const auto& con : lcl.consignments) {
        EXPECT_EQ(con.master_bl, "EXLN240301017");
        EXPECT_FALSE(con.house_bl.empty());
        EXPECT_EQ(con.transshipment_ports, (std::vector<std::string>{"SGSIN", "LKCMB"}));
        for (const auto& item : con.goods_items)
            EXPECT_EQ(item.placements.at(0).container_number, lcl.containers[0].number);
    }
}

TEST(ManifestJsonExamples, AmendmentAndCancellationFollowTheOriginal) {
    const core::Manifest original = read_example("fcl.json");
    const core::Manifest replacement = read_example("replace.json");
    const core::Manifest cancellation = read_example("cancel.json");
    EXPECT_EQ(original.function, core::MessageFunction::original);
    EXPECT_EQ(replacement.function, core::MessageFunction::replace);
    EXPECT_EQ(cancellation.function, core::MessageFunction::cancel);
    EXPECT_EQ(replacement.document_number, original.document_number);
    EXPECT_EQ(cancellation.document_number, original.document_number);
    EXPECT_GT(replacement.version, original.version);
    EXPECT_GT(cancellation.version, replacement.version);
    EXPECT_EQ(cancellation.vessel_call.imo, original.vessel_call.imo);
    ASSERT_EQ(cancellation.consignments.size(), 1u);
    EXPECT_TRUE(cancellation.consignments[0].goods_items.empty());
}

} // namespace
} // namespace portscreen::manifest_json
