#include "ingest/decode.hpp"
#include "reference/reference.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace portscreen::ingest {
namespace {

std::string fixture(const std::string& name) {
    std::ifstream in(std::string(PORTSCREEN_TEST_DATA) + "/" + name, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

const core::ReferenceData& reference() {
    static const core::ReferenceData data = reference::load_reference_data(
        reference::default_iso3166_path(), reference::default_hs_nomenclature_path());
    return data;
}

TEST(ContentType, ParsesTheTwoKnownTypes) {
    EXPECT_EQ(parse_content_type("application/json"), ContentType::json);
    EXPECT_EQ(parse_content_type(" Application/EDIFACT ; charset=latin1"), ContentType::edifact);
    EXPECT_FALSE(parse_content_type("application/xml"));
    EXPECT_FALSE(parse_content_type(""));
}

TEST(ContentType, DetectsTheFormatOfAFile) {
    EXPECT_EQ(detect_content_type("\xEF\xBB\xBF  {\"format\": 1}"), ContentType::json);
    EXPECT_EQ(detect_content_type("UNA:+.? 'UNB+UNOC:3"), ContentType::edifact);
    EXPECT_EQ(detect_content_type("\r\nUNB+UNOA:2"), ContentType::edifact);
    EXPECT_FALSE(detect_content_type("<xml/>"));
    EXPECT_FALSE(detect_content_type("   "));
}

TEST(Decode, CuscarBecomesValidatedManifests) {
    const std::string payload = fixture("edifact/synthetic/cuscar_d95b_sea_synthetic.edi");
    const auto decoded = decode(ContentType::edifact, payload, reference());
    ASSERT_TRUE(decoded) << decoded.problems().front().message;
    EXPECT_EQ(decoded->interchange_key, "CARRIERX/ICR0001");
    ASSERT_EQ(decoded->manifests.size(), 1u);
    EXPECT_EQ(decoded->manifests[0].containers.size(), 2u);
}

TEST(Decode, ContentErrorsNameTheSegment) {
    const std::string payload = fixture("edifact/synthetic/neg_bad_check_digit.edi");
    const auto decoded = decode(ContentType::edifact, payload, reference());
    ASSERT_FALSE(decoded);
    const Problem& problem = decoded.problems().front();
    EXPECT_EQ(problem.code, "check-digit");
    EXPECT_EQ(problem.segment, 12u);
    EXPECT_EQ(problem.segment_tag, "EQD");
    EXPECT_EQ(problem.where(), "segment 12 (EQD), /containers/0/number");
}

TEST(Decode, JsonErrorsComeFromTheParserBeforeValidation) {
    const auto broken = decode(ContentType::json, "{\"format\": ", reference());
    ASSERT_FALSE(broken);
    EXPECT_EQ(broken.problems().front().code, "syntax");
    const auto wrong_format = decode(ContentType::edifact, "{\"format\": 1}", reference());
    ASSERT_FALSE(wrong_format);
}

} // namespace
} // namespace portscreen::ingest
