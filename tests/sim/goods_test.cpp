#include "sim/goods.hpp"

#include <gtest/gtest.h>

namespace portscreen::sim {
namespace {

const std::vector<reference::HsEntry>& nomenclature() {
    static const auto hs =
        reference::load_hs_nomenclature(reference::default_hs_nomenclature_path());
    return hs;
}

TEST(ManifestDescription, DropsParenthesesAndLegalClauses) {
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        Rng rng(seed);
        const std::string text = manifest_description(
            "Footwear; n.e.c. in heading no. 6403, (not covering the ankle), outer soles and "
            "uppers of leather",
            rng);
        EXPECT_EQ(text.find('('), std::string::npos) << text;
        EXPECT_EQ(text.find("N.E.C"), std::string::npos) << text;
        EXPECT_EQ(text.rfind("FOOTWEAR", 0), 0u) << text;
    }
}

TEST(ManifestDescription, MaterialHeadLetsTheGoodsLead) {
    Rng rng(1);
    const std::string text = manifest_description(
        "Rubber; new pneumatic tyres, of a kind used on buses or lorries", rng);
    EXPECT_NE(text.find("NEW PNEUMATIC TYRES"), std::string::npos) << text;
}

TEST(ManifestDescription, QualifierFollowsTheHead) {
    Rng rng(1);
    EXPECT_EQ(manifest_description("T-shirts, singlets and other vests; of cotton, knitted or "
                                   "crocheted",
                                   rng),
              "T-SHIRTS OF COTTON");
}

TEST(ManifestDescription, GluedParenthesisKeepsTheName) {
    Rng rng(1);
    const std::string text = manifest_description(
        "Poly(ethylene terephthalate); in primary forms, having a viscosity of 78ml/g or higher",
        rng);
    EXPECT_EQ(text.rfind("POLYETHYLENE TEREPHTHALATE", 0), 0u) << text;
}

TEST(ManifestDescription, EveryNomenclatureRowGivesAShortUpperCaseText) {
    Rng rng(5);
    int rows = 0;
    for (const auto& entry : nomenclature()) {
        if (entry.level != 6)
            continue;
        ++rows;
        const std::string text = manifest_description(entry.description, rng);
        ASSERT_FALSE(text.empty()) << entry.code;
        ASSERT_LE(text.size(), 60u) << entry.code;
        for (char c : text)
            ASSERT_FALSE(c >= 'a' && c <= 'z') << entry.code << ": " << text;
    }
    EXPECT_GT(rows, 5000);
}

TEST(GoodsCatalog, ProductsFitTheirOrigin) {
    const GoodsCatalog catalog(nomenclature());
    Rng rng(9);
    for (int draw = 0; draw < 300; ++draw) {
        const Product product = catalog.product_for("GB", rng);
        ASSERT_EQ(product.hs_code.size(), 6u);
        ASSERT_NE(product.profile, nullptr);
        EXPECT_TRUE(origin_allows(product.profile->origins, "GB"))
            << product.hs_code << " is not shipped from GB in the profile table";
        EXPECT_GT(product.kg_per_package, 0);
    }
}

TEST(GoodsCatalog, UnrelatedProductIsInAnotherChapter) {
    const GoodsCatalog catalog(nomenclature());
    Rng rng(2);
    for (int draw = 0; draw < 100; ++draw)
        EXPECT_NE(catalog.unrelated_product(69, rng).chapter, 69);
}

} // namespace
} // namespace portscreen::sim
