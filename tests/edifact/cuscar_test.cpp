#include "edifact/cuscar.hpp"

#include "core/validation.hpp"
#include "edifact/datetime.hpp"
#include "edifact/mapper.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

namespace portscreen::edifact {
namespace {

using testing::describe;
using testing::read_fixture;
using testing::with_code;

/// A one-message D95B interchange around `body` with a correct UNT count.
std::string interchange(const std::string& body, const std::string& release = "95B",
                        const std::string& una = "UNA:+.? '") {
    std::size_t segments = 2;
    for (const char c : body)
        segments += c == '\'' ? 1 : 0;
    return una + "UNB+UNOC:3+S+R+240101:1200+7'UNH+1+CUSCAR:D:" + release + ":UN'" + body + "UNT+" +
           std::to_string(segments) + "+1'UNZ+1+7'";
}

const std::string kMinimalBody = "BGM+85+M1+9'TDT+20+V1+1+++++9123453:146:11:SHIP'"
                                 "LOC+60+KEMBA:139:6'EQD+CN+CSQU3054383+45G1:102:5+++5'"
                                 "CNI+1+BL1'RFF+BM:BL1'GID+1+10:CT'SGP+CSQU3054383+10'";

TEST(ReadCuscar, SyntheticD95bMapsEveryField) {
    const auto result = read_cuscar(read_fixture("synthetic/cuscar_d95b_sea_synthetic.edi"));
    ASSERT_TRUE(result.ok()) << describe(result.problems());
    const CuscarInterchange& interchange = *result;
    EXPECT_EQ(interchange.syntax_identifier, "UNOC");
    EXPECT_EQ(interchange.sender, "CARRIERX");
    EXPECT_EQ(interchange.recipient, "PORTCUSTOMS");
    EXPECT_EQ(interchange.control_reference, "ICR0001");
    EXPECT_TRUE(interchange.warnings.empty()) << describe(interchange.warnings);
    ASSERT_EQ(interchange.manifests.size(), 1u);
    ASSERT_EQ(interchange.directories.size(), 1u);
    EXPECT_EQ(interchange.directories[0], Directory::d95b);
    const core::Manifest& manifest = interchange.manifests[0];

    EXPECT_EQ(manifest.function, core::MessageFunction::original);
    EXPECT_EQ(manifest.document_number, "MFT2024-0001");
    EXPECT_EQ(manifest.issued_at, "2024-01-15T09:30");
    EXPECT_EQ(manifest.sender, "CARRIERX");
    EXPECT_EQ(manifest.declared_container_count, 2);

    const core::VesselCall& call = manifest.vessel_call;
    EXPECT_EQ(call.imo, "9123453");
    EXPECT_EQ(call.vessel_name, "TEST CARRIER");
    EXPECT_EQ(call.voyage, "024W");
    EXPECT_EQ(call.carrier, "CRX");
    EXPECT_EQ(call.eta, "2024-01-20T18:00");
    EXPECT_EQ(call.port_of_call, "KEMBA");
    EXPECT_EQ(call.last_port, "LKCMB");
    EXPECT_EQ(call.source_segment, 8u);

    ASSERT_EQ(manifest.containers.size(), 2u);
    const core::Container& first = manifest.containers[0];
    EXPECT_EQ(first.number, "CSQU3054383");
    EXPECT_EQ(first.size_type, "45G1");
    EXPECT_EQ(first.load, core::LoadStatus::full);
    EXPECT_EQ(first.tare_mass_kg, 3900.0);
    EXPECT_EQ(first.gross_mass_kg, 18250.0);
    ASSERT_EQ(first.seals.size(), 2u);
    EXPECT_EQ(first.seals[0].number, "CN1234567");
    EXPECT_EQ(first.seals[0].sealing_party, "CA");
    EXPECT_EQ(first.seals[1].number, "CU0000123");
    EXPECT_EQ(first.seals[1].sealing_party, "CU");
    EXPECT_EQ(first.source_segment, 12u);
    const core::Container& second = manifest.containers[1];
    EXPECT_EQ(second.number, "ABCU1234560");
    EXPECT_EQ(second.size_type, "22G1");
    EXPECT_EQ(second.gross_mass_kg, 9120.0);
    EXPECT_FALSE(second.tare_mass_kg.has_value());
    ASSERT_EQ(second.seals.size(), 1u);
    EXPECT_EQ(second.seals[0].number, "CN7654321");
    EXPECT_EQ(second.source_segment, 17u);

    ASSERT_EQ(manifest.consignments.size(), 2u);
    const core::Consignment& plastics = manifest.consignments[0];
    EXPECT_EQ(plastics.master_bl, "CRXSHA0001");
    EXPECT_EQ(plastics.house_bl, "");
    EXPECT_EQ(plastics.source_segment, 21u);
    EXPECT_EQ(plastics.port_of_loading, "CNSHA");
    EXPECT_EQ(plastics.transshipment_ports, std::vector<std::string>{"LKCMB"});
    EXPECT_EQ(plastics.port_of_discharge, "KEMBA");
    EXPECT_EQ(plastics.shipper.name, "SHANGHAI EXAMPLE EXPORT CO LTD");
    EXPECT_EQ(plastics.shipper.address, "1 EXAMPLE ROAD");
    EXPECT_EQ(plastics.shipper.city, "SHANGHAI");
    EXPECT_EQ(plastics.shipper.postcode, "200000");
    EXPECT_EQ(plastics.shipper.country, "CN");
    EXPECT_EQ(plastics.shipper.source_segment, 28u);
    EXPECT_EQ(plastics.consignee.name, "MOMBASA EXAMPLE IMPORTS LTD");
    EXPECT_EQ(plastics.consignee.country, "KE");
    EXPECT_EQ(plastics.notify_party.name, "SAME AS CONSIGNEE");
    ASSERT_EQ(plastics.goods_items.size(), 1u);
    const core::GoodsItem& cups = plastics.goods_items[0];
    EXPECT_EQ(cups.item_number, 1);
    EXPECT_EQ(cups.packages, 1200);
    EXPECT_EQ(cups.package_type, "CT");
    EXPECT_EQ(cups.description, "PLASTIC HOUSEHOLD ARTICLES 50+ CUPS PER CARTON");
    EXPECT_EQ(cups.gross_mass_kg, 18250.0);
    EXPECT_EQ(cups.hs_code, "392690");
    EXPECT_EQ(cups.source_segment, 31u);
    ASSERT_EQ(cups.placements.size(), 1u);
    EXPECT_EQ(cups.placements[0].container_number, "CSQU3054383");
    EXPECT_EQ(cups.placements[0].packages, 1200);
    EXPECT_EQ(cups.placements[0].source_segment, 34u);

    const core::Consignment& coffee = manifest.consignments[1];
    EXPECT_EQ(coffee.master_bl, "CRXSHA0002");
    EXPECT_TRUE(coffee.transshipment_ports.empty());
    EXPECT_EQ(coffee.shipper.name, "O'BRIEN EXAMPLE COFFEE EXPORTS");
    EXPECT_EQ(coffee.shipper.address, "2 EXAMPLE STREET");
    EXPECT_EQ(coffee.consignee.city, "NAIROBI");
    EXPECT_EQ(coffee.consignee.postcode, "00100");
    ASSERT_EQ(coffee.goods_items.size(), 1u);
    EXPECT_EQ(coffee.goods_items[0].hs_code, "090111");
    EXPECT_EQ(coffee.goods_items[0].package_type, "BG");
    EXPECT_EQ(coffee.goods_items[0].description, "GREEN COFFEE BEANS NOT ROASTED");
    EXPECT_EQ(coffee.goods_items[0].placements.at(0).container_number, "ABCU1234560");

    EXPECT_TRUE(core::validate(manifest, core::ReferenceData{}).empty());
}

TEST(ReadCuscar, SyntheticD11aMapsEveryField) {
    const auto result = read_cuscar(read_fixture("synthetic/cuscar_d11a_sea_synthetic.edi"));
    ASSERT_TRUE(result.ok()) << describe(result.problems());
    ASSERT_EQ(result->manifests.size(), 1u);
    EXPECT_EQ(result->directories.at(0), Directory::d11a);
    const core::Manifest& manifest = result->manifests[0];
    EXPECT_EQ(manifest.document_number, "MFT2024-0002");
    EXPECT_EQ(manifest.sender, "CARRIERX");
    EXPECT_EQ(manifest.vessel_call.carrier, "CRX");
    EXPECT_EQ(manifest.vessel_call.imo, "9123453");
    EXPECT_EQ(manifest.vessel_call.port_of_call, "KEMBA");
    EXPECT_EQ(manifest.vessel_call.last_port, "LKCMB");
    EXPECT_EQ(manifest.vessel_call.eta, "2024-01-20T18:00");
    ASSERT_EQ(manifest.containers.size(), 1u);
    EXPECT_EQ(manifest.containers[0].gross_mass_kg, 18250.0); // AET
    EXPECT_EQ(manifest.containers[0].tare_mass_kg, 3900.0);
    EXPECT_EQ(manifest.containers[0].seals.at(0).number, "CN1234567");
    ASSERT_EQ(manifest.consignments.size(), 1u);
    const core::Consignment& con = manifest.consignments[0];
    EXPECT_EQ(con.master_bl, "CRXSHA0001");
    EXPECT_EQ(con.transshipment_ports, std::vector<std::string>{"LKCMB"});
    EXPECT_EQ(con.shipper.name, "SHANGHAI EXAMPLE EXPORT CO LTD");
    ASSERT_EQ(con.goods_items.size(), 1u);
    EXPECT_EQ(con.goods_items[0].gross_mass_kg, 14350.0); // AAB
    EXPECT_EQ(con.goods_items[0].hs_code, "392690");
    EXPECT_EQ(con.goods_items[0].source_segment, 25u);
}

TEST(ReadCuscar, NegativeFixturesGiveTheExpectedErrors) {
    struct Case {
        const char* file;
        const char* code;
        unsigned segment;
        int contrl;
    };
    const Case cases[] = {
        {"synthetic/neg_bad_unt_count.edi", "control-count", 47, 29},
        {"synthetic/neg_truncated_no_unz.edi", "incomplete-interchange", 48, 13},
        {"synthetic/neg_unescaped_apostrophe.edi", "invalid-tag", 41, 12},
        {"synthetic/neg_unescaped_apostrophe.edi", "control-count", 48, 29},
        {"synthetic/neg_unoa_lowercase.edi", "charset", 8, 21},
    };
    for (const Case& test : cases) {
        SCOPED_TRACE(std::string(test.file) + " " + test.code);
        const auto result = read_cuscar(read_fixture(test.file));
        ASSERT_FALSE(result.ok());
        const Problems found = with_code(result.problems(), test.code);
        ASSERT_EQ(found.size(), 1u) << describe(result.problems());
        EXPECT_EQ(found[0].severity, Severity::error);
        EXPECT_EQ(found[0].segment, test.segment);
        EXPECT_EQ(found[0].contrl, test.contrl);
    }
}

TEST(ReadCuscar, BadCheckDigitReadsFineAndValidationCatchesIt) {
    const auto result = read_cuscar(read_fixture("synthetic/neg_bad_check_digit.edi"));
    ASSERT_TRUE(result.ok()) << describe(result.problems());
    const Problems problems = core::validate(result->manifests.at(0), core::ReferenceData{});
    const Problems digits = with_code(problems, "check-digit");
    ASSERT_EQ(digits.size(), 1u) << describe(problems);
    EXPECT_EQ(digits[0].path, "/containers/0/number");
    EXPECT_EQ(digits[0].segment, 12u);
    EXPECT_NE(digits[0].message.find("CSQU3054384"), std::string::npos);
}

TEST(ReadCuscar, OtherMessagesAndDirectoriesAreRefused) {
    const auto baplie = read_cuscar(read_fixture("php-edifact/D95BBAPLIE.edi"));
    ASSERT_FALSE(baplie.ok());
    const Problems message = with_code(baplie.problems(), "unsupported-message");
    ASSERT_EQ(message.size(), 1u) << describe(baplie.problems());
    EXPECT_EQ(message[0].segment, 2u);
    EXPECT_NE(message[0].message.find("BAPLIE"), std::string::npos);

    const auto old = read_cuscar(interchange(kMinimalBody, "99A"));
    ASSERT_FALSE(old.ok());
    const Problems directory = with_code(old.problems(), "unsupported-directory");
    ASSERT_EQ(directory.size(), 1u) << describe(old.problems());
    EXPECT_NE(directory[0].message.find("D:99A"), std::string::npos);
    EXPECT_EQ(directory[0].contrl, 12);

    for (const char* release : {"96B", "03B", "16A", "21B"}) {
        SCOPED_TRACE(release);
        // The minimal body has no header LOC/RFF/NAD, so it fits every family.
        const auto accepted = read_cuscar(interchange(kMinimalBody, release));
        EXPECT_TRUE(accepted.ok()) << describe(accepted.problems());
    }
}

TEST(ReadCuscar, StructureErrorsRefuseTheInterchange) {
    const auto result =
        read_cuscar(interchange("BGM+85+M1+9'EQD+CN+CSQU3054383'TDT+20+V1'CNI+1+BL1'RFF+BM:BL1'"));
    ASSERT_FALSE(result.ok());
    const Problems& problems = result.problems();
    const Problems unexpected = with_code(problems, "unexpected-segment");
    ASSERT_EQ(unexpected.size(), 1u) << describe(problems);
    EXPECT_EQ(unexpected[0].segment, 5u);
    EXPECT_EQ(unexpected[0].segment_tag, "TDT");
    EXPECT_EQ(with_code(problems, "missing-segment").size(), 1u) << describe(problems);
}

TEST(ReadCuscar, CancellationNeedsNoGoods) {
    const auto result =
        read_cuscar(interchange("BGM+85+M1+1'TDT+20+V1'CNI+1+BL1'RFF+BM:BL1'CNI+2+BL2'"));
    ASSERT_TRUE(result.ok()) << describe(result.problems());
    const core::Manifest& manifest = result->manifests.at(0);
    EXPECT_EQ(manifest.function, core::MessageFunction::cancel);
    ASSERT_EQ(manifest.consignments.size(), 2u);
    EXPECT_EQ(manifest.consignments[1].master_bl, "BL2"); // from CNI, no RFF
}

TEST(ReadCuscar, MessageFunctions) {
    const std::pair<const char*, core::MessageFunction> accepted[] = {
        {"9", core::MessageFunction::original},
        {"5", core::MessageFunction::replace},
        {"4", core::MessageFunction::change},
    };
    for (const auto& [code, function] : accepted) {
        std::string body = kMinimalBody;
        body.replace(body.find("+9'"), 3, std::string("+") + code + "'");
        const auto result = read_cuscar(interchange(body));
        ASSERT_TRUE(result.ok()) << describe(result.problems());
        EXPECT_EQ(result->manifests.at(0).function, function);
    }
    std::string body = kMinimalBody;
    body.replace(body.find("+9'"), 3, "+22'");
    const auto refused = read_cuscar(interchange(body));
    ASSERT_FALSE(refused.ok());
    const Problems function = with_code(refused.problems(), "unsupported-function");
    ASSERT_EQ(function.size(), 1u) << describe(refused.problems());
    EXPECT_NE(function[0].message.find("'22'"), std::string::npos);
    EXPECT_EQ(function[0].segment, 3u);
}

TEST(ReadCuscar, VariantsOfPartiesReferencesMassesAndCodes) {
    const std::string body =
        "BGM+85+M1+9'NAD+MS+++PORT SENDER LTD'TDT+20+V1+1++CRX:172:20'"
        "LOC+60+KEMBA:139:6'DTM+132:202401201800?+03:303'"
        "EQD+CN+CSQU3054383+45G1:102:5+++4'MEA+AAE+T+TNE:3.9'MEA+AAE+VGM+LBR:1000'"
        "EQD+TE+TRAILER1'MEA+AAE+G+KGM:999'"
        "CNI+1+MASTER1'RFF+BH:HOUSE1'LOC+88+CNSZX'LOC+8+KENBO'"
        "NAD+FW+FWD1::ZZZ+FORWARDER NAME:LINE 2:BOX 7:NAIROBI'"
        "NAD+NI+++NOTIFY:PARTY+STREET 1:FLOOR 2+MOMBASA++80100+KE'"
        "GID+1+5:PK'FTX+AAA+++MEDICINES:HS CODE?: 30 04 90'MEA+AAE+G+KGM:12'"
        "SGP+CSQU3054383'";
    const auto result = read_cuscar(interchange(body));
    ASSERT_TRUE(result.ok()) << describe(result.problems());
    const core::Manifest& manifest = result->manifests.at(0);
    EXPECT_EQ(manifest.sender, "PORT SENDER LTD");
    EXPECT_EQ(manifest.vessel_call.carrier, "CRX"); // from TDT: no NAD+CA
    EXPECT_EQ(manifest.vessel_call.eta, "2024-01-20T18:00+03:00");
    ASSERT_EQ(manifest.containers.size(), 1u); // the trailer is skipped
    const core::Container& box = manifest.containers[0];
    EXPECT_EQ(box.load, core::LoadStatus::empty);
    EXPECT_DOUBLE_EQ(*box.tare_mass_kg, 3900);
    EXPECT_DOUBLE_EQ(*box.gross_mass_kg, 453.59237);
    const Problems skipped = with_code(result->warnings, "skipped-equipment");
    ASSERT_EQ(skipped.size(), 1u) << describe(result->warnings);
    EXPECT_EQ(skipped[0].segment, 11u);

    const core::Consignment& con = manifest.consignments.at(0);
    EXPECT_EQ(con.master_bl, "MASTER1");
    EXPECT_EQ(con.house_bl, "HOUSE1");
    EXPECT_EQ(con.reference(), "MASTER1 / HOUSE1");
    EXPECT_EQ(con.place_of_receipt, "CNSZX");
    EXPECT_EQ(con.place_of_delivery, "KENBO");
    EXPECT_EQ(con.forwarder.id, "FWD1");
    EXPECT_EQ(con.forwarder.name, "FORWARDER NAME");
    EXPECT_EQ(con.forwarder.address, "LINE 2, BOX 7, NAIROBI");
    EXPECT_EQ(con.notify_party.name, "NOTIFY PARTY");
    EXPECT_EQ(con.notify_party.address, "STREET 1, FLOOR 2");
    const core::GoodsItem& item = con.goods_items.at(0);
    EXPECT_EQ(item.description, "MEDICINES HS CODE: 30 04 90");
    EXPECT_EQ(item.hs_code, "300490");
    EXPECT_FALSE(item.placements.at(0).packages.has_value());
    EXPECT_EQ(with_code(result->warnings, "hs-code-from-text").size(), 1u);
}

TEST(ReadCuscar, DecimalCommaFromUna) {
    std::string body = kMinimalBody;
    body.insert(body.find("SGP+"), "MEA+AAE+G+KGM:1234,5'");
    const auto result = read_cuscar(interchange(body, "95B", "UNA:+,? '"));
    ASSERT_TRUE(result.ok()) << describe(result.problems());
    EXPECT_DOUBLE_EQ(*result->manifests.at(0).consignments.at(0).goods_items.at(0).gross_mass_kg,
                     1234.5);

    // With the default '.' a comma is not a decimal mark: there are no thousands separators.
    const auto refused = read_cuscar(interchange(body));
    ASSERT_FALSE(refused.ok());
    const Problems number = with_code(refused.problems(), "invalid-number");
    ASSERT_EQ(number.size(), 1u) << describe(refused.problems());
    EXPECT_EQ(number[0].position, "element 3 component 2");
}

TEST(ReadCuscar, BadDatesAndCountsAreErrorsWithPosition) {
    const auto result = read_cuscar(interchange(
        "BGM+85+M1+9'DTM+137:20241301:102'TDT+20+V1'CNT+16:X'CNI+1'RFF+BM:B'GID+1+X:CT'"));
    ASSERT_FALSE(result.ok());
    const Problems dates = with_code(result.problems(), "invalid-date");
    ASSERT_EQ(dates.size(), 1u) << describe(result.problems());
    EXPECT_EQ(dates[0].segment, 4u);
    EXPECT_NE(dates[0].message.find("20241301"), std::string::npos);
    EXPECT_EQ(with_code(result.problems(), "invalid-number").size(), 2u);
}

TEST(ReadCuscar, CollectsProblemsFromAllMessages) {
    const std::string text = "UNA:+.? 'UNB+UNOC:3+S+R+240101:1200+7'"
                             "UNH+1+CUSCAR:D:95B:UN'" +
                             kMinimalBody +
                             "UNT+10+1'"
                             "UNH+2+CUSCAR:D:95B:UN'BGM+85+M2+7'UNT+3+2'UNZ+2+7'";
    const auto result = read_cuscar(text);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(with_code(result.problems(), "unsupported-function").size(), 1u)
        << describe(result.problems());
    EXPECT_EQ(testing::error_count(result.problems()), 1u) << describe(result.problems());
}

TEST(DateTime, ConvertsEdifactFormats) {
    EXPECT_EQ(edifact_to_iso8601("20240120", "102"), "2024-01-20");
    EXPECT_EQ(edifact_to_iso8601("202401201800", "203"), "2024-01-20T18:00");
    EXPECT_EQ(edifact_to_iso8601("20240120180005", "204"), "2024-01-20T18:00:05");
    EXPECT_EQ(edifact_to_iso8601("202401201800UTC", "303"), "2024-01-20T18:00Z");
    EXPECT_EQ(edifact_to_iso8601("202401201800-0530", "303"), "2024-01-20T18:00-05:30");
    EXPECT_EQ(edifact_to_iso8601("202401201800", ""), "2024-01-20T18:00");
    EXPECT_EQ(edifact_to_iso8601("20240230", "102"), std::nullopt);
    EXPECT_EQ(edifact_to_iso8601("202401202400", "203"), std::nullopt);
    EXPECT_EQ(edifact_to_iso8601("2024012018", "203"), std::nullopt);
    EXPECT_EQ(edifact_to_iso8601("20240120", "999"), std::nullopt);
    EXPECT_EQ(edifact_to_iso8601("202401201800EST", "303"), std::nullopt);

    const auto eta = iso8601_to_edifact("2024-01-20T18:00");
    ASSERT_TRUE(eta);
    EXPECT_EQ(eta->value, "202401201800");
    EXPECT_EQ(eta->format, "203");
    EXPECT_EQ(iso8601_to_edifact("2024-01-20")->format, "102");
    EXPECT_EQ(iso8601_to_edifact("2024-01-20T18:00:05")->value, "20240120180005");
    EXPECT_EQ(iso8601_to_edifact("2024-01-20T18:00Z")->value, "202401201800UTC");
    EXPECT_EQ(iso8601_to_edifact("2024-01-20T18:00+03:00")->value, "202401201800+03");
    EXPECT_FALSE(iso8601_to_edifact("20 January 2024").has_value());
    EXPECT_FALSE(iso8601_to_edifact("2024-02-30").has_value());
}

TEST(HsCodeInText, FindsCodeInCommonSpellings) {
    EXPECT_EQ(find_hs_code_in_text("HS CODE: 30 04 90"), "300490");
    EXPECT_EQ(find_hs_code_in_text("TABLETS H.S. 3004.90.00 IN CARTONS"), "30049000");
    EXPECT_EQ(find_hs_code_in_text("hs code 090111 coffee"), "090111");
    EXPECT_EQ(find_hs_code_in_text("HS#8471"), "8471");
    EXPECT_EQ(find_hs_code_in_text("THIS SHIPMENT 123456"), "");
    EXPECT_EQ(find_hs_code_in_text("HS 123"), "");
    EXPECT_EQ(find_hs_code_in_text("HS 12345"), "");
}

} // namespace
} // namespace portscreen::edifact
