#include "manifest_json/manifest_json.hpp"

#include "core/validation.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace portscreen::manifest_json {
namespace {

using nlohmann::json;

/// A small valid manifest; tests change one thing in it.
json base_document() {
    return json::parse(R"({
        "format": "portscreen.manifest",
        "format_version": 1,
        "document_number": "EXLN-T-001",
        "issued_at": "2024-03-01T09:15:00Z",
        "sender": "EXLN",
        "vessel_call": {"imo": "9472153", "voyage": "0412E", "port_of_call": "KEMBA"},
        "containers": [{"number": "EXLU4012345", "size_type": "45G1", "load": "full"}],
        "consignments": [{
            "master_bl": "EXLN1001",
            "goods_items": [{
                "item_number": 1, "description": "furniture", "packages": 10,
                "placements": [{"container_number": "EXLU4012345", "packages": 10}]
            }]
        }]
    })");
}

Result<core::Manifest> parse_document(const json& document) {
    return parse(document.dump());
}

std::string paths(const Problems& problems) {
    std::string text;
    for (const auto& problem : problems)
        text += problem.path + " [" + problem.code + "] " + problem.message + "\n";
    return text;
}

TEST(ManifestJsonParse, BaseDocumentParses) {
    const auto parsed = parse_document(base_document());
    ASSERT_TRUE(parsed.ok()) << paths(parsed.problems());
    EXPECT_EQ(parsed->document_number, "EXLN-T-001");
    EXPECT_EQ(parsed->vessel_call.port_of_call, "KEMBA");
    ASSERT_EQ(parsed->consignments.size(), 1u);
    EXPECT_EQ(parsed->consignments[0].goods_items[0].placements[0].packages, 10);
    EXPECT_FALSE(parsed->declared_container_count.has_value());
}

TEST(ManifestJsonParse, FunctionAndVersionDefaultToOriginalAndOne) {
    json document = base_document();
    document["function"] = "change";
    document["version"] = 4;
    const auto amended = parse_document(document);
    ASSERT_TRUE(amended.ok()) << paths(amended.problems());
    EXPECT_EQ(amended->function, core::MessageFunction::change);
    EXPECT_EQ(amended->version, 4);

    const auto plain = parse_document(base_document());
    ASSERT_TRUE(plain.ok());
    EXPECT_EQ(plain->function, core::MessageFunction::original);
    EXPECT_EQ(plain->version, 1);
}

TEST(ManifestJsonParse, NormalisesContainerNumbersAndHsCodesOnly) {
    json document = base_document();
    document["containers"][0]["number"] = "exlu 401234-5";
    document["consignments"][0]["goods_items"][0]["placements"][0]["container_number"] =
        "EXLU-401234 5";
    document["consignments"][0]["goods_items"][0]["hs_code"] = "9403.60 10";
    document["consignments"][0]["goods_items"][0]["description"] = "  Furniture  ";
    const auto parsed = parse_document(document);
    ASSERT_TRUE(parsed.ok()) << paths(parsed.problems());
    EXPECT_EQ(parsed->containers[0].number, "EXLU4012345");
    const auto& item = parsed->consignments[0].goods_items[0];
    EXPECT_EQ(item.placements[0].container_number, "EXLU4012345");
    EXPECT_EQ(item.hs_code, "94036010");
    EXPECT_EQ(item.description, "  Furniture  ");
}

TEST(ManifestJsonParse, AcceptsUnicodeAndEscapes) {
    const std::string text = R"({"format":"portscreen.manifest","format_version":1,
        "document_number":"D","issued_at":"2024-03-01","sender":"S",
        "vessel_call":{"imo":"9472153","voyage":"V","port_of_call":"KEMBA",
                       "vessel_name":"\u00c9TOILE \ud83d\udea2 \"N\" \\ \/ 北"}})";
    const auto unicode = parse(text);
    ASSERT_TRUE(unicode.ok()) << paths(unicode.problems());
    EXPECT_EQ(unicode->vessel_call.vessel_name, "\xC3\x89TOILE \xF0\x9F\x9A\xA2 \"N\" \\ / 北");
}

TEST(ManifestJsonParse, AcceptsIntegersWrittenWithZeroFraction) {
    json document = base_document();
    document["consignments"][0]["goods_items"][0]["packages"] = 10.0;
    document["version"] = 2.0;
    const auto parsed = parse(document.dump());
    ASSERT_TRUE(parsed.ok()) << paths(parsed.problems());
    EXPECT_EQ(parsed->consignments[0].goods_items[0].packages, 10);
    EXPECT_EQ(parsed->version, 2);
}

TEST(ManifestJsonParse, LengthLimitsAreInclusive) {
    json document = base_document();
    document["consignments"][0]["master_bl"] = std::string(512, 'B');
    document["consignments"][0]["goods_items"][0]["description"] = std::string(4096, 'd');
    EXPECT_TRUE(parse_document(document).ok());

    document["consignments"][0]["master_bl"] = std::string(513, 'B');
    const auto parsed = parse_document(document);
    ASSERT_FALSE(parsed.ok());
    ASSERT_EQ(parsed.problems().size(), 1u);
    EXPECT_EQ(parsed.problems()[0].code, "too-long");
    EXPECT_EQ(parsed.problems()[0].path, "/consignments/0/master_bl");
}

TEST(ManifestJsonParse, LengthCountsCharactersNotBytes) {
    json document = base_document();
    std::string name;
    for (int idx = 0; idx < 4096; ++idx)
        name += "船"; // three bytes each
    document["consignments"][0]["consignee"] = {{"name", name}};
    EXPECT_TRUE(parse_document(document).ok());
    document["consignments"][0]["consignee"]["name"] = name + "船";
    EXPECT_FALSE(parse_document(document).ok());
}

TEST(ManifestJsonParse, MalformedJsonReportsBytePosition) {
    const auto parsed = parse("{\"format\": \"portscreen.manifest\",\n \"format_version\": tru}");
    ASSERT_FALSE(parsed.ok());
    ASSERT_EQ(parsed.problems().size(), 1u);
    const Problem& problem = parsed.problems()[0];
    EXPECT_EQ(problem.code, "syntax");
    EXPECT_EQ(problem.position, "byte 57");
    EXPECT_EQ(problem.path, "");
    EXPECT_EQ(problem.message, "malformed JSON at line 2, column 23, byte 57: invalid literal; "
                               "last read: '\"format_version\": tru}'");
}

TEST(ManifestJsonParse, EmptyInputIsMalformed) {
    const auto parsed = parse("");
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.problems()[0].code, "syntax");
    EXPECT_NE(parsed.problems()[0].message.find("unexpected end of input"), std::string::npos);
}

TEST(ManifestJsonParse, InvalidUtf8IsNamedAsSuch) {
    json document = base_document();
    std::string text = document.dump();
    text.replace(text.find("furniture"), 9, "furn\xC3\x28ture");
    const auto parsed = parse(text);
    ASSERT_FALSE(parsed.ok());
    ASSERT_EQ(parsed.problems().size(), 1u);
    EXPECT_EQ(parsed.problems()[0].code, "encoding");
    EXPECT_NE(parsed.problems()[0].message.find("invalid UTF-8"), std::string::npos);
    EXPECT_EQ(parsed.problems()[0].message.find('\xC3'), std::string::npos)
        << "the invalid bytes must not be copied into the message";
}

TEST(ManifestJsonParse, TopLevelScalarIsRefused) {
    const auto parsed = parse("\"portscreen.manifest\"");
    ASSERT_FALSE(parsed.ok());
    ASSERT_EQ(parsed.problems().size(), 1u);
    EXPECT_EQ(parsed.problems()[0].message, "the manifest must be a JSON object, got string");
}

TEST(ManifestJsonParse, UnknownMemberValueIsSkippedAndLaterProblemsStillFound) {
    json document = base_document();
    document["vessel_call"]["remarks"] = {{"a", json::array({1, {{"b", nullptr}}})}};
    document["containers"][0]["gross_mass_kg"] = "heavy";
    const auto parsed = parse_document(document);
    ASSERT_FALSE(parsed.ok());
    ASSERT_EQ(parsed.problems().size(), 2u) << paths(parsed.problems());
    // nlohmann's dump() sorts members: "containers" comes before "vessel_call".
    EXPECT_EQ(parsed.problems()[0].path, "/containers/0/gross_mass_kg");
    EXPECT_EQ(parsed.problems()[0].message,
              "container EXLU4012345: gross_mass_kg must be a number, got string");
    EXPECT_EQ(parsed.problems()[1].path, "/vessel_call/remarks");
    EXPECT_EQ(parsed.problems()[1].message, "vessel call: unknown member 'remarks'");
}

TEST(ManifestJsonParse, PointerTokensOfUnknownMembersAreEscaped) {
    json document = base_document();
    document["a/b~c"] = 1;
    const auto parsed = parse_document(document);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.problems()[0].path, "/a~1b~0c");
}

TEST(ManifestJsonParse, NamesItemsByIdentifiersReadLaterInTheObject) {
    // The B/L number follows the faulty goods item: the message still names the consignment.
    const std::string text = R"({"format":"portscreen.manifest","format_version":1,
        "document_number":"D","issued_at":"2024-03-01","sender":"S",
        "vessel_call":{"imo":"9472153","voyage":"V","port_of_call":"KEMBA"},
        "consignments":[{"goods_items":[{"packages":1,"description":"x","gross_mass_kg":false,
                                         "item_number":4}],
                         "master_bl":"EXLN77","house_bl":"HB1"}]})";
    const auto parsed = parse(text);
    ASSERT_FALSE(parsed.ok());
    ASSERT_EQ(parsed.problems().size(), 1u);
    EXPECT_EQ(parsed.problems()[0].message,
              "consignment EXLN77 / HB1 goods item 4: gross_mass_kg must be a number, got boolean");
}

TEST(ManifestJsonParse, CancellationNeedsOnlyTheBlNumbers) {
    const std::string text = R"({"format":"portscreen.manifest","format_version":1,
        "function":"cancel","version":2,"document_number":"D","issued_at":"2024-03-01T10:00Z",
        "sender":"S","vessel_call":{"imo":"9472153","voyage":"V","port_of_call":"KEMBA"},
        "consignments":[{"master_bl":"EXLN1001"},{"master_bl":"EXLN1001","house_bl":"HB2"}]})";
    const auto parsed = parse(text);
    ASSERT_TRUE(parsed.ok()) << paths(parsed.problems());
    EXPECT_EQ(parsed->function, core::MessageFunction::cancel);
    EXPECT_EQ(parsed->version, 2);
    ASSERT_EQ(parsed->consignments.size(), 2u);
    EXPECT_EQ(parsed->consignments[1].reference(), "EXLN1001 / HB2");
    EXPECT_TRUE(parsed->consignments[1].goods_items.empty());
    EXPECT_TRUE(core::validate(*parsed, {}).empty());
}

TEST(ManifestJsonParse, BusinessRulesAreLeftToValidation) {
    json document = base_document();
    document["containers"][0]["number"] = "EXLU4012346"; // wrong check digit
    document["consignments"][0]["goods_items"][0]["placements"][0]["container_number"] =
        "EXLU4012346";
    const auto parsed = parse_document(document);
    ASSERT_TRUE(parsed.ok()) << paths(parsed.problems());
    const Problems problems = core::validate(*parsed, {});
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].code, "check-digit");
    EXPECT_EQ(problems[0].path, "/containers/0/number");
}

} // namespace
} // namespace portscreen::manifest_json
