#include "core/codes.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace portscreen::core {
namespace {

struct Row {
    std::string id;
    bool valid;
    std::string check_digit;
};

std::vector<Row> read_fixture() {
    std::ifstream in(PORTSCREEN_TEST_DATA "/iso6346/iso6346_container_ids.csv");
    std::vector<Row> rows;
    std::string line;
    std::getline(in, line); // header
    while (std::getline(in, line)) {
        std::stringstream fields(line);
        Row row;
        std::string valid;
        std::getline(fields, row.id, ',');
        std::getline(fields, valid, ',');
        std::getline(fields, row.check_digit, ',');
        row.valid = valid == "true";
        rows.push_back(row);
    }
    return rows;
}

TEST(Iso6346, FixtureTableAgrees) {
    const auto rows = read_fixture();
    ASSERT_EQ(rows.size(), 37u);
    int valid_rows = 0;
    for (const auto& row : rows) {
        EXPECT_EQ(is_valid_container_number(row.id), row.valid) << row.id;
        if (row.valid) {
            ++valid_rows;
            const auto digit = iso6346_check_digit(std::string_view(row.id).substr(0, 10));
            ASSERT_TRUE(digit) << row.id;
            EXPECT_EQ(std::to_string(*digit), row.check_digit) << row.id;
        }
    }
    EXPECT_EQ(valid_rows, 30);
}

TEST(Iso6346, WorkedExampleAndRemainderTen) {
    EXPECT_EQ(iso6346_check_digit("CSQU305438"), 3);
    EXPECT_EQ(iso6346_check_digit("CSQU000007"), 0); // remainder 10 gives 0
    EXPECT_FALSE(iso6346_check_digit("CSQX305438")); // category must be U, J or Z
    EXPECT_FALSE(iso6346_check_digit("csqu305438"));
    EXPECT_FALSE(is_valid_container_number("CSQU3054384"));
}

TEST(Iso6346, NormalizesPrintedNumbers) {
    EXPECT_EQ(normalize_container_number("csqu 305438-3"), "CSQU3054383");
}

TEST(Imo, CheckDigits) {
    for (const char* imo : {"9074729", "9354351", "9178393", "9123453"})
        EXPECT_TRUE(is_valid_imo_number(imo)) << imo;
    EXPECT_FALSE(is_valid_imo_number("9123454"));
    EXPECT_FALSE(is_valid_imo_number("912345"));
    EXPECT_FALSE(is_valid_imo_number("91234A3"));
}

TEST(Locode, Shape) {
    EXPECT_TRUE(has_locode_shape("KEMBA"));
    EXPECT_TRUE(has_locode_shape("NLRTM"));
    EXPECT_TRUE(has_locode_shape("US2AB"));
    EXPECT_FALSE(has_locode_shape("US1AB")); // 0 and 1 are not used
    EXPECT_FALSE(has_locode_shape("kemba"));
    EXPECT_FALSE(has_locode_shape("KEMB"));
}

TEST(HsCode, ShapeAndNormalization) {
    EXPECT_TRUE(has_hs_code_shape("090111"));
    EXPECT_TRUE(has_hs_code_shape("8517130000"));
    EXPECT_FALSE(has_hs_code_shape("09011"));
    EXPECT_FALSE(has_hs_code_shape("09"));
    EXPECT_FALSE(has_hs_code_shape("0901AB"));
    EXPECT_EQ(normalize_hs_code("3004.90 10"), "30049010");
}

} // namespace
} // namespace portscreen::core
