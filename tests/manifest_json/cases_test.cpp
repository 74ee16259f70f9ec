#include "manifest_json/manifest_json.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace portscreen::manifest_json {
namespace {

const std::filesystem::path kData = PORTSCREEN_TEST_DATA "/json";

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// Each negative case in tests/data/json/cases.json lists the problems parse() must report, in
// order, with code and JSON pointer, and for most cases the exact message.
TEST(ManifestJsonCases, EachBadDocumentGivesExactlyItsProblems) {
    const auto cases = nlohmann::json::parse(read_file(kData / "cases.json")).at("cases");
    ASSERT_GE(cases.size(), 15u);
    for (const auto& expected : cases) {
        const std::string file = expected.at("file");
        SCOPED_TRACE(file);
        const std::string text = read_file(kData / file);
        ASSERT_FALSE(text.empty());
        const auto parsed = parse(text);
        ASSERT_FALSE(parsed.ok());
        const Problems& problems = parsed.problems();
        std::string got;
        for (const auto& problem : problems)
            got += problem.path + " [" + problem.code + "] " + problem.message + "\n";
        ASSERT_EQ(problems.size(), expected.at("problems").size()) << got;
        for (std::size_t idx = 0; idx < problems.size(); ++idx) {
            const auto& want = expected.at("problems")[idx];
            EXPECT_EQ(problems[idx].severity, Severity::error);
            EXPECT_EQ(problems[idx].code, want.at("code").get<std::string>()) << got;
            EXPECT_EQ(problems[idx].path, want.at("path").get<std::string>()) << got;
            if (want.contains("message")) {
                EXPECT_EQ(problems[idx].message, want.at("message").get<std::string>());
            }
            EXPECT_FALSE(problems[idx].message.empty());
            EXPECT_NE(problems[idx].message.back(), '.');
        }
    }
}

TEST(ManifestJsonCases, GoodDocumentsParse) {
    int count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(kData / "good")) {
        SCOPED_TRACE(entry.path().filename().string());
        const auto parsed = parse(read_file(entry.path()));
        EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.problems()[0].message);
        ++count;
    }
    EXPECT_GE(count, 2);
}

TEST(ManifestJsonCases, SyntaxErrorsCarryTheirBytePosition) {
    const auto parsed = parse(read_file(kData / "bad/trailing_comma.json"));
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.problems()[0].position, "byte 61");
    EXPECT_NE(parsed.problems()[0].message.find("line 4, column 1"), std::string::npos)
        << parsed.problems()[0].message;
}

} // namespace
} // namespace portscreen::manifest_json
