#include "edifact/envelope.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

namespace portscreen::edifact {
namespace {

using testing::describe;
using testing::error_count;
using testing::read_fixture;
using testing::with_code;

struct Checked {
    Envelope envelope;
    Problems problems;
};

Checked check(const std::string& bytes) {
    Checked checked;
    const SegmentList segments = tokenize(bytes, checked.problems);
    checked.envelope = check_envelope(segments, checked.problems);
    return checked;
}

TEST(Envelope, SyntheticD95bIsComplete) {
    const Checked checked = check(read_fixture("synthetic/cuscar_d95b_sea_synthetic.edi"));
    EXPECT_TRUE(checked.problems.empty()) << describe(checked.problems);
    const Envelope& envelope = checked.envelope;
    EXPECT_TRUE(envelope.complete);
    EXPECT_EQ(envelope.syntax_identifier, "UNOC");
    EXPECT_EQ(envelope.sender, "CARRIERX");
    EXPECT_EQ(envelope.recipient, "PORTCUSTOMS");
    EXPECT_EQ(envelope.prepared, "240115:0930");
    EXPECT_EQ(envelope.control_reference, "ICR0001");
    ASSERT_EQ(envelope.messages.size(), 1u);
    const MessageSpan& message = envelope.messages[0];
    EXPECT_EQ(message.header, 1u);
    EXPECT_EQ(message.trailer, 46u);
    EXPECT_TRUE(message.has_trailer);
    EXPECT_EQ(message.type, "CUSCAR");
    EXPECT_EQ(message.version, "D");
    EXPECT_EQ(message.release, "95B");
    EXPECT_EQ(message.agency, "UN");
}

TEST(Envelope, WrongUntCountIsContrl29AtUnt) {
    const Checked checked = check(read_fixture("synthetic/neg_bad_unt_count.edi"));
    ASSERT_EQ(checked.problems.size(), 1u) << describe(checked.problems);
    const Problem& problem = checked.problems[0];
    EXPECT_EQ(problem.code, "control-count");
    EXPECT_EQ(problem.contrl, 29);
    EXPECT_EQ(problem.segment, 47u);
    EXPECT_EQ(problem.segment_tag, "UNT");
    EXPECT_NE(problem.message.find("declares 50 but there are 46"), std::string::npos)
        << problem.message;
}

TEST(Envelope, MissingUnzIsIncompleteInterchange) {
    const Checked checked = check(read_fixture("synthetic/neg_truncated_no_unz.edi"));
    ASSERT_EQ(checked.problems.size(), 1u) << describe(checked.problems);
    const Problem& problem = checked.problems[0];
    EXPECT_EQ(problem.code, "incomplete-interchange");
    EXPECT_EQ(problem.severity, Severity::error);
    EXPECT_EQ(problem.contrl, 13);
    EXPECT_EQ(problem.segment, 48u);
    EXPECT_NE(problem.message.find("incomplete interchange"), std::string::npos);
    EXPECT_FALSE(checked.envelope.complete);
    ASSERT_EQ(checked.envelope.messages.size(), 1u);
    EXPECT_TRUE(checked.envelope.messages[0].has_trailer);
}

TEST(Envelope, UnescapedApostropheShowsAsUntMismatch) {
    const Checked checked = check(read_fixture("synthetic/neg_unescaped_apostrophe.edi"));
    const Problems counts = with_code(checked.problems, "control-count");
    ASSERT_EQ(counts.size(), 1u) << describe(checked.problems);
    EXPECT_EQ(counts[0].segment, 48u);
    EXPECT_EQ(counts[0].contrl, 29);
}

TEST(Envelope, PhpEdifactFixturesHaveTheDocumentedCounts) {
    // BAPLIE and COARRI are consistent; the release-character and multiline files are not.
    const Checked baplie = check(read_fixture("php-edifact/D95BBAPLIE.edi"));
    EXPECT_TRUE(baplie.problems.empty()) << describe(baplie.problems);
    ASSERT_EQ(baplie.envelope.messages.size(), 1u);
    EXPECT_EQ(baplie.envelope.messages[0].type, "BAPLIE");
    EXPECT_EQ(baplie.envelope.messages[0].association, "SMDG20");

    const Checked coarri = check(read_fixture("php-edifact/D95BCOARRI.edi"));
    EXPECT_TRUE(coarri.problems.empty()) << describe(coarri.problems);
    ASSERT_EQ(coarri.envelope.messages.size(), 2u);
    EXPECT_EQ(coarri.envelope.messages[1].trailer - coarri.envelope.messages[1].header + 1, 237u);

    const Checked wrapped = check(read_fixture("php-edifact/example_wrapped.edi"));
    EXPECT_EQ(error_count(wrapped.problems), 0u) << describe(wrapped.problems);
    const Checked utf8 = check(read_fixture("php-edifact/example_utf8.edi"));
    EXPECT_EQ(error_count(utf8.problems), 0u) << describe(utf8.problems);

    const Checked release = check(read_fixture("php-edifact/example_release_character.edi"));
    const Problems release_counts = with_code(release.problems, "control-count");
    ASSERT_EQ(release_counts.size(), 1u) << describe(release.problems);
    EXPECT_EQ(release_counts[0].segment, 24u);
    EXPECT_NE(release_counts[0].message.find("declares 14 but there are 23"), std::string::npos);
    EXPECT_EQ(error_count(release.problems), 1u) << describe(release.problems);

    const Checked multiline = check(read_fixture("php-edifact/example_multiline.edi"));
    const Problems multiline_counts = with_code(multiline.problems, "control-count");
    ASSERT_EQ(multiline_counts.size(), 1u) << describe(multiline.problems);
    EXPECT_EQ(multiline_counts[0].segment, 8u);
    EXPECT_NE(multiline_counts[0].message.find("declares 10 but there are 7"), std::string::npos);
    EXPECT_EQ(error_count(multiline.problems), 1u) << describe(multiline.problems);
}

TEST(Envelope, ReferencesMustMatch) {
    const Checked checked = check("UNB+UNOC:3+S+R+240101:1200+REF1'UNH+M1+CUSCAR:D:95B:UN'"
                                  "UNT+2+M2'UNZ+1+REF2'");
    const Problems references = with_code(checked.problems, "control-reference");
    ASSERT_EQ(references.size(), 2u) << describe(checked.problems);
    EXPECT_EQ(references[0].segment_tag, "UNT");
    EXPECT_EQ(references[0].contrl, 28);
    EXPECT_EQ(references[1].segment_tag, "UNZ");
    EXPECT_EQ(references[1].segment, 4u);
    EXPECT_EQ(error_count(checked.problems), 2u);
}

TEST(Envelope, FunctionalGroupsAreCountedAndChecked) {
    const Checked good = check("UNB+UNOC:3+S+R+240101:1200+7'"
                               "UNG+CUSCAR+S+R+240101:1200+G1+UN+D:95B'"
                               "UNH+1+CUSCAR:D:95B:UN'UNT+2+1'UNH+2+CUSCAR:D:95B:UN'UNT+2+2'"
                               "UNE+2+G1'UNZ+1+7'");
    EXPECT_TRUE(good.problems.empty()) << describe(good.problems);
    EXPECT_EQ(good.envelope.group_count, 1u);
    EXPECT_EQ(good.envelope.messages.size(), 2u);

    const Checked bad = check("UNB+UNOC:3+S+R+240101:1200+7'"
                              "UNG+CUSCAR+S+R+240101:1200+G1+UN+D:95B'"
                              "UNH+1+CUSCAR:D:95B:UN'UNT+2+1'UNE+3+G9'UNZ+2+7'");
    const Problems counts = with_code(bad.problems, "control-count");
    ASSERT_EQ(counts.size(), 2u) << describe(bad.problems);
    EXPECT_EQ(counts[0].segment_tag, "UNE");
    EXPECT_EQ(counts[1].segment_tag, "UNZ");
    EXPECT_NE(counts[1].message.find("groups"), std::string::npos);
    EXPECT_EQ(with_code(bad.problems, "control-reference").size(), 1u);
}

TEST(Envelope, CollectsEveryStructuralProblem) {
    const Checked checked = check("UNH+1+CUSCAR:D:95B:UN'BGM+85+X+9'"
                                  "UNH+2+CUSCAR:D:95B:UN'UNT+2+2'FTX+AAA'UNZ+2+7'DTM+137'");
    const Problems envelope = with_code(checked.problems, "envelope");
    ASSERT_EQ(envelope.size(), 4u) << describe(checked.problems);
    EXPECT_EQ(envelope[0].segment, 1u); // does not start with UNB
    EXPECT_EQ(envelope[0].contrl, 13);
    EXPECT_EQ(envelope[1].segment, 3u); // message 1 has no UNT
    EXPECT_NE(envelope[1].message.find("message 1"), std::string::npos);
    EXPECT_EQ(envelope[2].segment, 5u); // FTX outside a message
    EXPECT_EQ(envelope[2].contrl, 33);
    EXPECT_EQ(envelope[3].segment, 7u); // after UNZ
    ASSERT_EQ(checked.envelope.messages.size(), 2u);
    EXPECT_FALSE(checked.envelope.messages[0].has_trailer);
    EXPECT_EQ(checked.envelope.messages[0].trailer, 1u);
}

TEST(Envelope, EmptyInputIsAnError) {
    const Checked checked = check("");
    ASSERT_EQ(checked.problems.size(), 1u);
    EXPECT_EQ(checked.problems[0].contrl, 13);
}

} // namespace
} // namespace portscreen::edifact
