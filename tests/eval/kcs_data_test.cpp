#include "eval/kcs_data.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <stdexcept>
#include <string>

namespace portscreen::eval {
namespace {

const std::string kData = PORTSCREEN_TEST_DATA;

std::string error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const std::runtime_error& error) {
        return error.what();
    }
    return "";
}

TEST(KcsData, ReadsTheRealFormatWithBomAndLeadingZeros) {
    const auto rows = read_kcs_csv(kData + "/kcs/good.csv");
    ASSERT_EQ(rows.size(), 3u);
    const auto& first = rows[0].declaration;
    EXPECT_EQ(first.id, "10000001"); // the BOM is not part of the first column name or value
    EXPECT_EQ(first.date, "2020-01-01");
    EXPECT_EQ(first.hs6, "071080");
    EXPECT_EQ(first.courier, "");
    EXPECT_EQ(first.tax_type, "FEU1");
    EXPECT_DOUBLE_EQ(first.net_mass, 108.0);
    EXPECT_DOUBLE_EQ(first.item_price, 372254.4);
    EXPECT_EQ(rows[0].outcome, profiling::Outcome::clean);
    EXPECT_EQ(rows[1].declaration.seller, "");
    EXPECT_EQ(rows[1].declaration.courier, "COU0001");
    EXPECT_DOUBLE_EQ(rows[1].declaration.tax_rate, 8.0);
    EXPECT_EQ(rows[1].outcome, profiling::Outcome::violation);
    EXPECT_EQ(rows[2].declaration.hs6, "030617");
    EXPECT_EQ(rows[2].outcome, profiling::Outcome::critical);
}

TEST(KcsData, ColumnsAreFoundByNameInAnyOrder) {
    const std::string text =
        "Fraud,Critical Fraud,HS6 Code,Declaration ID,Date,Office ID,Process Type,Import Type,"
        "Import Use,Payment Type,Mode of Transport,Declarant ID,Importer ID,Seller ID,Courier "
        "ID,Country of Departure,Country of Origin,Tax Rate,Tax Type,Country of Origin "
        "Indicator,Net Mass,Item Price,Extra\r\n"
        "1,2,010121,7,2021-04-01,30,B,11,21,11,10,D,I,S,,CN,KR,3.5,A,G,1.5,20,x\r\n";
    const auto rows = parse_kcs_csv(text, "reordered.csv");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].declaration.hs6, "010121");
    EXPECT_EQ(rows[0].declaration.id, "7");
    EXPECT_EQ(rows[0].declaration.country_origin, "KR");
    EXPECT_DOUBLE_EQ(rows[0].declaration.tax_rate, 3.5);
    EXPECT_EQ(rows[0].outcome, profiling::Outcome::critical);
}

TEST(KcsData, MalformedLinesAreAllReportedWithFileAndLine) {
    const std::string file = kData + "/kcs/malformed.csv";
    const std::string message = error_of([&] { read_kcs_csv(file); });
    EXPECT_NE(message.find("2 malformed line(s)"), std::string::npos) << message;
    EXPECT_NE(message.find(file + ":3: 19 fields, header has 22"), std::string::npos) << message;
    EXPECT_NE(message.find(file + ":4: Item Price 'heavy' is not a number"), std::string::npos)
        << message;
}

TEST(KcsData, RejectsMissingColumnsInconsistentLabelsAndMissingFiles) {
    EXPECT_NE(error_of([] {
                  parse_kcs_csv("Declaration ID,Date\n1,2020-01-01\n", "short.csv");
              }).find("short.csv:1: header lacks column(s) Office ID, Process Type"),
              std::string::npos);
    const std::string text =
        "Declaration ID,Date,Office ID,Process Type,Import Type,Import Use,Payment Type,Mode of "
        "Transport,Declarant ID,Importer ID,Seller ID,Courier ID,HS6 Code,Country of "
        "Departure,Country of Origin,Tax Rate,Tax Type,Country of Origin Indicator,Net Mass,Item "
        "Price,Fraud,Critical Fraud\n"
        "1,2020-01-01,30,B,11,21,11,10,D,I,S,,071080,BE,BE,0.0,A,G,1,1,0,2\n";
    EXPECT_NE(error_of([&] {
                  parse_kcs_csv(text, "labels.csv");
              }).find("labels.csv:2: Fraud 0 disagrees with Critical Fraud 2"),
              std::string::npos);
    EXPECT_NE(error_of([] { parse_kcs_csv("", "empty.csv"); }).find("empty.csv: no header row"),
              std::string::npos);
    EXPECT_NE(error_of([] { read_kcs_csv(kData + "/kcs/absent.csv"); }).find("cannot open"),
              std::string::npos);
}

} // namespace
} // namespace portscreen::eval
