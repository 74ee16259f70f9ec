#include "edifact/tokenizer.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace portscreen::edifact {
namespace {

using testing::describe;
using testing::error_count;
using testing::read_fixture;
using testing::with_code;

/// Every component of a segment, element by element, as the golden file writes them.
std::vector<std::vector<std::string>> components_of(const SegmentView& segment) {
    std::vector<std::vector<std::string>> elements;
    for (std::size_t element = 0; element < segment.element_count(); ++element) {
        auto& components = elements.emplace_back();
        for (std::size_t idx = 0; idx < segment.component_count(element); ++idx)
            components.emplace_back(segment.component(element, idx));
    }
    return elements;
}

TEST(Tokenizer, MatchesGoldenTokensOfSyntheticD95b) {
    const auto golden =
        nlohmann::json::parse(read_fixture("synthetic/cuscar_d95b_sea_synthetic.tokens.json"));
    const std::string bytes = read_fixture("synthetic/cuscar_d95b_sea_synthetic.edi");
    Problems problems;
    const SegmentList segments = tokenize(bytes, problems);

    EXPECT_TRUE(problems.empty()) << describe(problems);
    const auto& advice = golden.at("service_string_advice");
    const ServiceCharacters& service = segments.service();
    EXPECT_TRUE(segments.has_una());
    EXPECT_EQ(std::string(1, service.component_separator),
              advice.at("component_separator").get<std::string>());
    EXPECT_EQ(std::string(1, service.element_separator),
              advice.at("data_element_separator").get<std::string>());
    EXPECT_EQ(std::string(1, service.decimal_mark), advice.at("decimal_mark").get<std::string>());
    EXPECT_EQ(std::string(1, service.release_character),
              advice.at("release_character").get<std::string>());
    EXPECT_EQ(std::string(1, service.segment_terminator),
              advice.at("segment_terminator").get<std::string>());

    const auto& expected = golden.at("segments");
    ASSERT_EQ(segments.size(), expected.size());
    for (std::size_t idx = 0; idx < segments.size(); ++idx) {
        SCOPED_TRACE("segment " + std::to_string(idx + 1));
        EXPECT_EQ(segments[idx].tag(), expected[idx].at("tag").get<std::string>());
        EXPECT_EQ(components_of(segments[idx]),
                  expected[idx].at("elements").get<std::vector<std::vector<std::string>>>());
    }
    EXPECT_EQ(segments.syntax_identifier(), "UNOC");
    EXPECT_EQ(segments.syntax_version(), 3);
}

TEST(Tokenizer, NumbersSegmentsFromUnbAndKeepsByteOffsets) {
    const std::string bytes = read_fixture("synthetic/cuscar_d95b_sea_synthetic.edi");
    Problems problems;
    const SegmentList segments = tokenize(bytes, problems);
    ASSERT_GT(segments.size(), 12u);
    EXPECT_EQ(segments[0].tag(), "UNB");
    EXPECT_EQ(segments[0].number(), 1u);
    EXPECT_EQ(segments[0].byte_offset(), 10u); // after "UNA:+.? '\n"
    const SegmentView eqd = segments[11];
    EXPECT_EQ(eqd.tag(), "EQD");
    EXPECT_EQ(eqd.number(), 12u);
    EXPECT_EQ(bytes.substr(eqd.byte_offset(), 13), "EQD+CN+CSQU30");
    EXPECT_EQ(eqd.component(2, 1), "102");
    EXPECT_EQ(eqd.component(9, 0), ""); // absent elements read as empty
    EXPECT_EQ(eqd.component(1, 5), "");
}

TEST(Tokenizer, ReleaseCharacterSequencesOfPhpEdifactFixture) {
    const std::string bytes = read_fixture("php-edifact/example_release_character.edi");
    Problems problems;
    const SegmentList segments = tokenize(bytes, problems);
    EXPECT_TRUE(with_code(problems, "release-character").empty()) << describe(problems);
    // IATB is not an ISO 9735 syntax identifier: read as UNOC, with a warning.
    ASSERT_EQ(with_code(problems, "charset").size(), 1u) << describe(problems);
    EXPECT_EQ(problems[0].severity, Severity::warning);

    std::vector<SegmentView> ift;
    for (std::size_t idx = 0; idx < segments.size(); ++idx)
        if (segments[idx].tag() == "IFT")
            ift.push_back(segments[idx]);
    ASSERT_EQ(ift.size(), 12u);
    EXPECT_EQ(ift[2].element(1), "NO MORE FLIGHTS 2?");
    EXPECT_EQ(ift[3].element(1), "NO MORE ' FLIGHTS 3");
    EXPECT_EQ(ift[4].element(1), "NO MORE ? FLIGHTS 3");
    EXPECT_EQ(ift[5].element(1), "NO MORE ?' FLIGHTS 3");
    EXPECT_EQ(ift[6].element_count(), 3u);
    EXPECT_EQ(ift[7].element(1), "FIELD 1?");
    EXPECT_EQ(ift[7].element(2), "FIELD 2");
    EXPECT_EQ(ift[8].element_count(), 2u);
    EXPECT_EQ(ift[8].element(1), "FIELD 1?+FIELD 2");
    EXPECT_EQ(ift[9].component_count(1), 2u);
    EXPECT_EQ(ift[10].component(1, 0), "FIELD 1.1?");
    EXPECT_EQ(ift[10].component(1, 1), "FIELD 1.2");
    EXPECT_EQ(ift[11].component_count(1), 1u);
    EXPECT_EQ(ift[11].component(1, 0), "FIELD 1.1?:FIELD 1.2");
}

TEST(Tokenizer, ReleaseCharacterBeforeOrdinaryCharacterIsContrl22) {
    const std::string bytes = "UNA:+.? 'UNB+UNOC:3+S+R+240101:1200+7'UNH+1+CUSCAR:D:95B:UN'"
                              "FTX+AAA+++A?B:C?+D'UNT+3+1'UNZ+1+7'";
    Problems problems;
    const SegmentList segments = tokenize(bytes, problems);
    const Problems errors = with_code(problems, "release-character");
    ASSERT_EQ(errors.size(), 1u) << describe(problems);
    EXPECT_EQ(errors[0].severity, Severity::error);
    EXPECT_EQ(errors[0].contrl, 22);
    EXPECT_EQ(errors[0].segment, 3u);
    EXPECT_EQ(errors[0].segment_tag, "FTX");
    EXPECT_EQ(errors[0].position.rfind("element 4 component 1", 0), 0u) << errors[0].position;
    EXPECT_EQ(segments[2].component(3, 0), "A?B"); // kept as written
    EXPECT_EQ(segments[2].component(3, 1), "C+D");
}

TEST(Tokenizer, WholeInterchangeOnOneLine) {
    const std::string bytes = read_fixture("php-edifact/example_wrapped.edi");
    Problems problems;
    const SegmentList segments = tokenize(bytes, problems);
    ASSERT_EQ(segments.size(), 15u);
    EXPECT_EQ(segments[0].tag(), "UNB");
    EXPECT_EQ(segments[14].tag(), "UNZ");
    EXPECT_EQ(segments[8].tag(), "PDI");
    EXPECT_EQ(segments[8].component(2, 2), "3");
    EXPECT_EQ(error_count(problems), 0u) << describe(problems);
}

TEST(Tokenizer, Utf8TextUnderUnocIsTakenAsUtf8WithWarning) {
    const std::string bytes = read_fixture("php-edifact/example_utf8.edi");
    Problems problems;
    const SegmentList segments = tokenize(bytes, problems);
    const Problems charset = with_code(problems, "charset");
    ASSERT_EQ(charset.size(), 1u) << describe(problems);
    EXPECT_EQ(charset[0].severity, Severity::warning);
    EXPECT_NE(charset[0].message.find("UTF-8"), std::string::npos);
    bool found = false;
    for (std::size_t idx = 0; idx < segments.size(); ++idx)
        if (segments[idx].tag() == "IMD" && segments[idx].component(2, 3).starts_with("MUNCI")) {
            EXPECT_EQ(segments[idx].component(2, 3), "MUNCI\xC3\x8B THE MIDDLE");
            found = true;
        }
    EXPECT_TRUE(found);
}

TEST(Tokenizer, RawLineBreakInsideDataIsDroppedWithWarning) {
    const std::string bytes = read_fixture("php-edifact/example_multiline.edi");
    Problems problems;
    const SegmentList segments = tokenize(bytes, problems);
    EXPECT_EQ(error_count(problems), 0u) << describe(problems);
    EXPECT_FALSE(segments.has_una());
    EXPECT_EQ(segments.service().element_separator, '+');
    EXPECT_EQ(segments.service().component_separator, ':');
    EXPECT_EQ(segments.service().segment_terminator, '\'');
    ASSERT_EQ(segments.size(), 9u);
    const SegmentView ftx = segments[6];
    EXPECT_EQ(ftx.tag(), "FTX");
    EXPECT_EQ(ftx.component(3, 0),
              "THE SHIPPER SHALL NOT BE RESPONSIBLE FOR ANY COSTS/DELAYS OCCUR");
    EXPECT_EQ(ftx.component(3, 1), "DUE TO INTERVENTION OF CUSTOMS.");
    const Problems breaks = with_code(problems, "line-break");
    ASSERT_EQ(breaks.size(), 1u);
    EXPECT_EQ(breaks[0].severity, Severity::warning);
    EXPECT_EQ(breaks[0].segment, 7u);
}

TEST(Tokenizer, RealBaplieAndCoarriTokenizeCleanly) {
    for (const char* name : {"php-edifact/D95BBAPLIE.edi", "php-edifact/D95BCOARRI.edi"}) {
        SCOPED_TRACE(name);
        Problems problems;
        const std::string bytes = read_fixture(name);
        const SegmentList segments = tokenize(bytes, problems);
        EXPECT_TRUE(problems.empty()) << describe(problems);
        EXPECT_EQ(segments.syntax_identifier(), "UNOA");
        EXPECT_EQ(segments.syntax_version(), 2);
        EXPECT_EQ(segments[segments.size() - 1].tag(), "UNZ");
    }
    Problems problems;
    const std::string baplie = read_fixture("php-edifact/D95BBAPLIE.edi");
    const std::string coarri = read_fixture("php-edifact/D95BCOARRI.edi");
    EXPECT_EQ(tokenize(baplie, problems).size(), 32u);
    EXPECT_EQ(tokenize(coarri, problems).size(), 272u);
}

// Found by mutating the fixtures: a long run of digits as the syntax version overflowed.
TEST(Tokenizer, AbsurdSyntaxVersionIsBoundedNotOverflowed) {
    const std::string bytes =
        "UNB+UNOC:99999999999999999999+S+R+240115:0930+1'UNH+1+CUSCAR:D:95B:UN'UNT+2+1'UNZ+1+1'";
    Problems problems;
    const SegmentList segments = tokenize(bytes, problems);
    EXPECT_EQ(segments.size(), 4u);
    EXPECT_GT(segments.syntax_version(), 4);
}

TEST(Tokenizer, OtherServiceCharactersFromUna) {
    const std::string bytes = "UNA|*,# ~UNB*UNOC|3*S*R*240101|1200*7~\n"
                              "UNH*1*CUSCAR|D|95B|UN~FTX*AAA***A#*B|C#~D##|E:F+G'~UNT*3*1~UNZ*1*7~";
    Problems problems;
    const SegmentList segments = tokenize(bytes, problems);
    EXPECT_TRUE(problems.empty()) << describe(problems);
    EXPECT_EQ(segments.service().decimal_mark, ',');
    EXPECT_EQ(segments.service().release_character, '#');
    ASSERT_EQ(segments.size(), 5u);
    EXPECT_EQ(segments[1].component(1, 2), "95B");
    EXPECT_EQ(segments[2].component(3, 0), "A*B");
    EXPECT_EQ(segments[2].component(3, 1), "C~D#");
    EXPECT_EQ(segments[2].component(3, 2), "E:F+G'");
}

TEST(Tokenizer, InvalidUnaIsReported) {
    Problems problems;
    tokenize("UNA::.? 'UNB:UNOC:3'", problems);
    EXPECT_FALSE(with_code(problems, "una").empty()) << describe(problems);
    problems.clear();
    tokenize("UNA:+;? 'UNB+UNOC:3'", problems);
    ASSERT_EQ(with_code(problems, "una").size(), 1u) << describe(problems);
    EXPECT_NE(problems[0].message.find("decimal mark"), std::string::npos);
}

TEST(Tokenizer, DetectsSeparatorsWithoutUna) {
    Problems problems;
    const SegmentList plain =
        tokenize("UNB+UNOB+SENDER+RECEIVER+240101:1200+7'UNH+1+CUSCAR:D:95B:UN'", problems);
    EXPECT_EQ(plain.service().element_separator, '+');
    EXPECT_EQ(plain.service().component_separator, ':');
    EXPECT_EQ(plain.syntax_identifier(), "UNOB");
    EXPECT_EQ(plain.syntax_version(), 0);
    EXPECT_EQ(plain[0].component(3, 1), "1200");
    EXPECT_TRUE(problems.empty()) << describe(problems);

    const SegmentList control = tokenize("UNB\x1DUNOB\x1F"
                                         "3\x1DS\x1DR\x1D"
                                         "240101\x1F"
                                         "1200\x1D"
                                         "7\x1C"
                                         "UNH\x1D"
                                         "1\x1D"
                                         "CUSCAR\x1F"
                                         "D\x1F"
                                         "95B\x1F"
                                         "UN\x1C",
                                         problems);
    EXPECT_EQ(control.service().component_separator, '\x1F');
    EXPECT_EQ(control.service().segment_terminator, '\x1C');
    EXPECT_EQ(control.service().release_character, '\0');
    ASSERT_EQ(control.size(), 2u);
    EXPECT_EQ(control[1].component(1, 2), "95B");
    EXPECT_EQ(control.syntax_version(), 3);

    const SegmentList lines =
        tokenize("UNB+UNOA:3+S+R+240101:1200+7\nUNH+1+CUSCAR:D:95B:UN\nUNT+2+1\n", problems);
    EXPECT_EQ(lines.service().segment_terminator, '\n');
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[2].element(0), "2");
}

TEST(Tokenizer, ByteOrderMarkAndCrlfAreTolerated) {
    const std::string bytes = "\xEF\xBB\xBFUNA:+.? '\r\nUNB+UNOC:3+S+R+240101:1200+7'\r\n"
                              "UNH+1+CUSCAR:D:95B:UN'\r\n  UNT+2+1'\r\nUNZ+1+7'\r\n";
    Problems problems;
    const SegmentList segments = tokenize(bytes, problems);
    EXPECT_TRUE(problems.empty()) << describe(problems);
    ASSERT_EQ(segments.size(), 4u);
    EXPECT_EQ(segments[0].byte_offset(), 11u);
    EXPECT_EQ(segments[2].tag(), "UNT");
}

TEST(Tokenizer, UnoaRejectsLowerCaseNamingSegmentAndCharacter) {
    Problems problems;
    const std::string bytes = read_fixture("synthetic/neg_unoa_lowercase.edi");
    tokenize(bytes, problems);
    const Problems errors = with_code(problems, "charset");
    ASSERT_EQ(errors.size(), 1u) << describe(problems);
    EXPECT_EQ(errors[0].severity, Severity::error);
    EXPECT_EQ(errors[0].contrl, 21);
    EXPECT_EQ(errors[0].segment, 8u);
    EXPECT_EQ(errors[0].segment_tag, "TDT");
    EXPECT_EQ(errors[0].position.rfind("element 8 component 4", 0), 0u) << errors[0].position;
    EXPECT_NE(errors[0].message.find("'e'"), std::string::npos);
    EXPECT_NE(errors[0].message.find("UNOA"), std::string::npos);
}

TEST(Tokenizer, UnobAcceptsLowerCaseButNotOtherBytes) {
    Problems problems;
    const SegmentList segments =
        tokenize("UNB+UNOB:3+S+R+240101:1200+7'FTX+AAA+++Lower case'FTX+AAA+++a@b'", problems);
    const Problems errors = with_code(problems, "charset");
    ASSERT_EQ(errors.size(), 1u) << describe(problems);
    EXPECT_EQ(errors[0].segment, 3u);
    EXPECT_NE(errors[0].message.find("'@'"), std::string::npos);
    EXPECT_EQ(segments[1].component(3, 0), "Lower case");
}

struct DecodingCase {
    const char* syntax;
    std::string raw;
    std::string utf8;
};

TEST(Tokenizer, DecodesIso8859PartsToUtf8) {
    const std::vector<DecodingCase> cases = {
        {"UNOC", "\xC9T\xC9", "\xC3\x89T\xC3\x89"}, // ÉTÉ
        {"UNOD", "\xB1", "\xC4\x85"},               // ą, ISO 8859-2
        {"UNOE", "\xB0", "\xD0\x90"},               // А, ISO 8859-5
        {"UNOF", "\xC1", "\xCE\x91"},               // Α, ISO 8859-7
        {"UNOG", "\xA1", "\xC4\xA6"},               // Ħ, ISO 8859-3
        {"UNOW", "\xE2\x82\xAC", "\xE2\x82\xAC"},   // €, UTF-8
    };
    for (const auto& test : cases) {
        SCOPED_TRACE(test.syntax);
        const std::string bytes = std::string("UNB+") + test.syntax +
                                  ":3+S+R+240101:1200+7'FTX+AAA+++" + test.raw + "?+X'";
        Problems problems;
        const SegmentList segments = tokenize(bytes, problems);
        EXPECT_TRUE(problems.empty()) << describe(problems);
        ASSERT_EQ(segments.size(), 2u);
        EXPECT_EQ(segments[1].component(3, 0), test.utf8 + "+X");
    }
}

TEST(Tokenizer, UndefinedIso8859ByteBecomesReplacementWithWarning) {
    Problems problems;
    const SegmentList segments = tokenize("UNB+UNOG:3+S+R+240101:1200+7'FTX+AAA+++A\xA5"
                                          "B'",
                                          problems);
    const Problems charset = with_code(problems, "charset");
    ASSERT_EQ(charset.size(), 1u) << describe(problems);
    EXPECT_EQ(charset[0].severity, Severity::warning);
    EXPECT_EQ(charset[0].segment, 2u);
    EXPECT_EQ(segments[1].component(3, 0), "A\xEF\xBF\xBD"
                                           "B");
}

TEST(Tokenizer, InvalidUtf8UnderUnowIsAnError) {
    Problems problems;
    const SegmentList segments =
        tokenize("UNB+UNOW:4+S+R+20240101:1200+7'FTX+AAA+++OK'FTX+AAA+++A\xC3(B'", problems);
    const Problems errors = with_code(problems, "charset");
    ASSERT_EQ(errors.size(), 1u) << describe(problems);
    EXPECT_EQ(errors[0].severity, Severity::error);
    EXPECT_EQ(errors[0].contrl, 21);
    EXPECT_EQ(errors[0].segment, 3u);
    EXPECT_EQ(errors[0].segment_tag, "FTX");
    EXPECT_EQ(segments[2].component(3, 0), "A\xEF\xBF\xBD(B");
}

TEST(Tokenizer, UnterminatedLastSegmentAndBadTagsAreErrors) {
    Problems problems;
    const SegmentList segments =
        tokenize("UNB+UNOC:3+S+R+240101:1200+7'UNH+1+CUSCAR:D:95B:UN'bgm+85'UNT+3", problems);
    ASSERT_EQ(segments.size(), 4u);
    const Problems tags = with_code(problems, "invalid-tag");
    ASSERT_EQ(tags.size(), 1u) << describe(problems);
    EXPECT_EQ(tags[0].segment, 3u);
    const Problems open = with_code(problems, "unterminated");
    ASSERT_EQ(open.size(), 1u) << describe(problems);
    EXPECT_EQ(open[0].segment, 4u);
    EXPECT_EQ(open[0].segment_tag, "UNT");
}

TEST(Tokenizer, UnescapedApostropheCutsSegmentInTwo) {
    Problems problems;
    const std::string bytes = read_fixture("synthetic/neg_unescaped_apostrophe.edi");
    const SegmentList segments = tokenize(bytes, problems);
    const Problems tags = with_code(problems, "invalid-tag");
    ASSERT_EQ(tags.size(), 1u) << describe(problems);
    EXPECT_EQ(tags[0].segment, 41u);
    EXPECT_EQ(tags[0].segment_tag, "BRIEN EXAMPLE COFFEE EXPORTS");
    EXPECT_EQ(segments[39].tag(), "NAD");
    EXPECT_EQ(segments[39].element(3), "O");
    EXPECT_EQ(segments[40].element(0), "2 EXAMPLE STREET");
}

} // namespace
} // namespace portscreen::edifact
