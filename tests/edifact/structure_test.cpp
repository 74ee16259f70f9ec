#include "edifact/structure.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace portscreen::edifact {
namespace {

using testing::describe;
using testing::read_fixture;

struct Walk {
    std::unique_ptr<std::string> text; ///< the segments point into it, so it never moves
    SegmentList segments;
    std::vector<SegmentRole> roles;
    Problems problems;
};

/// Tokenizes `body` (segments without envelope) and checks it as one message from UNH to UNT.
Walk walk(const std::string& text, CuscarFamily family, StructureOptions options = {}) {
    Walk result;
    result.text = std::make_unique<std::string>(text);
    result.segments = tokenize(*result.text, result.problems);
    result.problems.clear();
    result.roles = check_structure(result.segments, 0, result.segments.size() - 1, family, options,
                                   result.problems);
    return result;
}

std::string message(const std::string& body) {
    return "UNH+1+CUSCAR:D:95B:UN'BGM+85+M1+9'" + body + "UNT+99+1'";
}

TEST(Structure, SyntheticFilesFitTheirTrees) {
    Problems problems;
    const std::string d95b_bytes = read_fixture("synthetic/cuscar_d95b_sea_synthetic.edi");
    const SegmentList d95b = tokenize(d95b_bytes, problems);
    const auto roles = check_structure(d95b, 1, 46, CuscarFamily::d95b, {}, problems);
    EXPECT_TRUE(problems.empty()) << describe(problems);
    ASSERT_EQ(roles.size(), 46u);
    // Roles are indexed from UNH (segment 2).
    EXPECT_EQ(roles[12 - 2].group, Group::equipment); // EQD
    EXPECT_TRUE(roles[12 - 2].opens_group);
    EXPECT_EQ(roles[15 - 2].group, Group::equipment); // SEL
    EXPECT_FALSE(roles[15 - 2].opens_group);
    EXPECT_EQ(roles[20 - 2].group, Group::message); // CNT+16
    EXPECT_EQ(roles[21 - 2].group, Group::consignment);
    EXPECT_EQ(roles[23 - 2].group, Group::reference); // CNT+7 inside the B/L group
    EXPECT_EQ(roles[26 - 2].group, Group::reference); // LOC+13
    EXPECT_EQ(roles[28 - 2].group, Group::party);     // NAD+CZ
    EXPECT_EQ(roles[31 - 2].group, Group::goods);     // GID
    EXPECT_EQ(roles[35 - 2].group, Group::goods);     // CST

    const std::string d11a_bytes = read_fixture("synthetic/cuscar_d11a_sea_synthetic.edi");
    const SegmentList d11a = tokenize(d11a_bytes, problems);
    const auto later = check_structure(d11a, 1, 29, CuscarFamily::d03b, {}, problems);
    EXPECT_TRUE(problems.empty()) << describe(problems);
    EXPECT_EQ(later[5 - 2].group, Group::message);          // header LOC+60
    EXPECT_EQ(later[6 - 2].group, Group::header_reference); // RFF+AFB
    EXPECT_EQ(later[7 - 2].group, Group::header_party);     // NAD+MS
    EXPECT_EQ(later[10 - 2].group, Group::voyage);          // LOC+5

    // D95B has no header LOC, so the D11A file does not fit the D95B tree.
    check_structure(d11a, 1, 29, CuscarFamily::d95b, {}, problems);
    ASSERT_FALSE(problems.empty());
    EXPECT_EQ(problems[0].segment, 5u);
    EXPECT_EQ(problems[0].segment_tag, "LOC");
}

TEST(Structure, SegmentOutOfOrderIsUnexpected) {
    const Walk result =
        walk(message("TDT+20+V1'EQD+CN+ABCU1234560'DTM+137:20240101:102'"), CuscarFamily::d95b);
    ASSERT_EQ(result.problems.size(), 1u) << describe(result.problems);
    const Problem& problem = result.problems[0];
    EXPECT_EQ(problem.code, "unexpected-segment");
    EXPECT_EQ(problem.contrl, 15);
    EXPECT_EQ(problem.segment, 5u);
    EXPECT_EQ(problem.segment_tag, "DTM");
    EXPECT_NE(problem.message.find("equipment"), std::string::npos);
    EXPECT_EQ(result.roles[4].group, Group::none);
    EXPECT_EQ(result.roles[5].group, Group::message); // UNT still found its place
}

TEST(Structure, TooManySegmentRepetitionsIsContrl35) {
    std::string body = "EQD+CN+ABCU1234560'";
    for (int seal = 0; seal < 12; ++seal)
        body += "SEL+S" + std::to_string(seal) + "+CA'";
    const Walk result = walk(message(body), CuscarFamily::d95b);
    ASSERT_EQ(result.problems.size(), 1u) << describe(result.problems);
    EXPECT_EQ(result.problems[0].code, "too-many-repetitions");
    EXPECT_EQ(result.problems[0].contrl, 35);
    EXPECT_EQ(result.problems[0].segment, 13u); // the tenth SEL; the rest are not repeated
    EXPECT_NE(result.problems[0].message.find("more than 9"), std::string::npos);
}

TEST(Structure, TooManyGroupRepetitionsIsContrl36) {
    const Walk result = walk(message("AUT+A1'AUT+A2'"), CuscarFamily::d95b);
    ASSERT_EQ(result.problems.size(), 1u) << describe(result.problems);
    EXPECT_EQ(result.problems[0].contrl, 36);
    EXPECT_EQ(result.problems[0].segment, 4u);
    EXPECT_NE(result.problems[0].message.find("group authentication"), std::string::npos);
}

TEST(Structure, MissingMandatoryGoodsGroupExceptForCancellation) {
    const std::string text = message("CNI+1+BL1'RFF+BM:BL1'LOC+9+CNSHA'");
    const Walk strict = walk(text, CuscarFamily::d95b);
    ASSERT_EQ(strict.problems.size(), 1u) << describe(strict.problems);
    EXPECT_EQ(strict.problems[0].code, "missing-segment");
    EXPECT_EQ(strict.problems[0].contrl, 13);
    EXPECT_EQ(strict.problems[0].segment_tag, "UNT");
    EXPECT_NE(strict.problems[0].message.find("group goods (GID)"), std::string::npos);

    StructureOptions cancellation;
    cancellation.goods_optional = true;
    EXPECT_TRUE(walk(text, CuscarFamily::d95b, cancellation).problems.empty());
}

TEST(Structure, MissingBgmIsReported) {
    const Walk result =
        walk("UNH+1+CUSCAR:D:95B:UN'DTM+137:20240101:102'UNT+3+1'", CuscarFamily::d95b);
    ASSERT_EQ(result.problems.size(), 1u) << describe(result.problems);
    EXPECT_NE(result.problems[0].message.find("segment BGM"), std::string::npos);
    EXPECT_EQ(result.problems[0].segment, 2u);
}

TEST(Structure, RepeatedTagsResolveToTheRightLevel) {
    // RFF at header level, then as the B/L trigger; NAD in header and in the party group;
    // FTX under goods; a second GID opens a new goods item; a second CNI pops two levels.
    const Walk result = walk(message("RFF+AFB:M1'NAD+MS+S'TDT+20+V'LOC+60+KEMBA'DTM+132:1:2'"
                                     "CNI+1'RFF+BM:B1'NAD+CZ+++N'GID+1'FTX+AAA+++D'GID+2'"
                                     "CNI+2'RFF+BM:B2'GID+1'"),
                             CuscarFamily::d95b);
    EXPECT_TRUE(result.problems.empty()) << describe(result.problems);
    const std::vector<Group> expected = {
        Group::message, Group::message, Group::message,     Group::message,     Group::voyage,
        Group::voyage,  Group::voyage,  Group::consignment, Group::reference,   Group::party,
        Group::goods,   Group::goods,   Group::goods,       Group::consignment, Group::reference,
        Group::goods,   Group::message};
    ASSERT_EQ(result.roles.size(), expected.size());
    for (std::size_t idx = 0; idx < expected.size(); ++idx)
        EXPECT_EQ(result.roles[idx].group, expected[idx]) << "segment " << idx + 1;
    EXPECT_TRUE(result.roles[12].opens_group);
}

TEST(Structure, D96bUsesGisAndHeaderGroups) {
    const std::string text = "UNH+1+CUSCAR:D:96B:UN'BGM+85+M1+9'RFF+AFB:M1'NAD+MS+S'TDT+20+V'"
                             "GIS+23'EQD+CN+ABCU1234560'CNI+1'RFF+BM:B'GID+1'UNT+11+1'";
    EXPECT_TRUE(walk(text, CuscarFamily::d96b).problems.empty());
    // GEI does not exist before D02B.
    const std::string later = "UNH+1+CUSCAR:D:96B:UN'BGM+85+M1+9'GEI+23'UNT+4+1'";
    EXPECT_EQ(walk(later, CuscarFamily::d96b).problems.size(), 1u);
    EXPECT_TRUE(walk(later, CuscarFamily::d03b).problems.empty());
}

} // namespace
} // namespace portscreen::edifact
