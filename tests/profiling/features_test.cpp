#include "features.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace portscreen::profiling {
namespace {

using Texts = std::vector<std::string>;

/// A regular full container: ceramic tiles from Shanghai to Nairobi via Colombo, known parties.
ContainerFacts regular_container() {
    ContainerFacts facts;
    facts.number = "MSCU1234565";
    facts.size_type = "42G1";
    facts.gross_mass_kg = 24000;
    facts.tare_mass_kg = 3750;
    facts.seal_count = 1;
    facts.eta = "2026-03-10T12:00";
    facts.manifest_issued_at = "2026-03-09T20:00";

    ConsignmentFacts bl;
    bl.master_bl = "MEDU1234567";
    bl.shipper = {"FOSHAN CERAMICS CO., LTD.", "CN", {40, "2024-01-05", 5, 0}};
    bl.consignee = {"NAIROBI HARDWARE LTD", "KE", {25, "2025-12-10", 4, 0}};
    bl.notify_party = {"KENYA CLEARING SERVICES LTD", "KE", {}};
    bl.place_of_receipt = "CNFOS";
    bl.port_of_loading = "CNSHA";
    bl.transshipment_ports = {"LKCMB"};
    bl.port_of_discharge = "KEMBA";
    bl.place_of_delivery = "KENBO";
    bl.revision = 1;
    bl.last_changed_at = "2026-03-09T20:00";
    bl.goods.push_back({"690721", "CERAMIC FLOOR TILES", 1000, "CT", 20250.0});
    facts.consignments.push_back(bl);
    return facts;
}

std::size_t id(std::string_view name) {
    const auto index = find_feature(name);
    EXPECT_TRUE(index.has_value()) << name;
    return index.value_or(0);
}

double number(const FeatureValues& values, std::string_view name) {
    return values.numbers.at(id(name));
}

const Texts& texts(const FeatureValues& values, std::string_view name) {
    return values.texts.at(id(name));
}

bool unknown(const FeatureValues& values, std::string_view name) {
    return std::isnan(number(values, name));
}

FeatureValues derive(const ContainerFacts& facts, const FeatureContext& context = {}) {
    return derive_features(facts, context);
}

// A small nomenclature in the shape of the HS list.
std::vector<std::pair<std::string, std::string>> small_nomenclature() {
    return {
        {"61", "Apparel and clothing accessories; knitted or crocheted"},
        {"6109", "T-shirts, singlets and other vests; knitted or crocheted"},
        {"610910", "T-shirts, singlets and other vests; of cotton, knitted or crocheted"},
        {"69", "Ceramic products"},
        {"6907", "Ceramic flags and paving, hearth or wall tiles; ceramic mosaic cubes"},
        {"85", "Electrical machinery and equipment and parts thereof"},
        {"8517", "Telephone sets, including smartphones and other telephones for cellular "
                 "networks"},
        {"08", "Fruit and nuts, edible; peel of citrus fruit or melons"},
        {"0803", "Bananas, including plantains; fresh or dried"},
        {"52", "Cotton"},
        {"5205", "Cotton yarn (other than sewing thread), multiple (folded) or cabled"},
        {"70", "Glass and glassware"},
        {"7008", "Glass; multiple-walled insulating units of glass"},
    };
}

// ---------------------------------------------------------------------------------------------

TEST(FeatureCatalog, NamesAreUniqueAndFound) {
    std::set<std::string_view> names;
    const auto catalog = feature_catalog();
    ASSERT_GT(catalog.size(), 40u);
    for (std::size_t index = 0; index < catalog.size(); ++index) {
        const auto& def = catalog[index];
        EXPECT_TRUE(names.insert(def.name).second) << def.name;
        EXPECT_EQ(find_feature(def.name), index) << def.name;
        EXPECT_FALSE(def.description.empty()) << def.name;
        EXPECT_NE(def.name.find('.'), std::string_view::npos) << def.name << " has no group";
    }
    EXPECT_FALSE(find_feature("consigne.times_seen").has_value());
    EXPECT_FALSE(find_feature("").has_value());
}

TEST(FeatureCatalog, CoversTheDomainIndicators) {
    for (const char* name : {"route.ports",
                             "route.countries",
                             "route.port_of_loading",
                             "route.transshipments",
                             "goods.hs_codes",
                             "goods.hs_chapters",
                             "container.declared_empty",
                             "container.cargo_mass_kg",
                             "container.empty_with_cargo_mass",
                             "container.seal_count",
                             "container.full_without_seal",
                             "goods.vague_description",
                             "goods.missing_hs_code",
                             "goods.hs_description_mismatch",
                             "goods.mass_per_package_z",
                             "container.cargo_kg_per_teu",
                             "manifest.hours_before_eta",
                             "manifest.amendments",
                             "manifest.last_change_hours_before_eta",
                             "consignee.times_seen",
                             "consignee.days_known",
                             "consignee.finding_rate",
                             "consignee.first_time",
                             "shipper.times_seen",
                             "shipper.days_known",
                             "shipper.finding_rate",
                             "shipper.first_time",
                             "consignee.is_forwarder",
                             "consignee.is_private_person",
                             "consignee.is_notify_party",
                             "container.consignments",
                             "consignee.countries",
                             "shipper.countries"})
        EXPECT_TRUE(find_feature(name).has_value()) << name;
}

TEST(FeatureCatalog, ModelFeaturesAreNumbersAndFlagsWithoutExplanationOnlyValues) {
    const auto indices = model_feature_indices();
    ASSERT_FALSE(indices.empty());
    EXPECT_TRUE(std::is_sorted(indices.begin(), indices.end()));
    for (const auto index : indices)
        EXPECT_NE(feature_catalog()[index].type, FeatureType::text_list)
            << feature_catalog()[index].name;
    const auto contains = [&](std::string_view name) {
        return std::find(indices.begin(), indices.end(), id(name)) != indices.end();
    };
    EXPECT_TRUE(contains("consignee.first_time"));
    EXPECT_TRUE(contains("goods.mass_per_package_z"));
    EXPECT_TRUE(contains("container.cargo_kg_per_teu"));
    EXPECT_FALSE(contains("goods.usual_mass_per_package_kg"));
    EXPECT_FALSE(contains("goods.mass_per_package_kg"));
    EXPECT_FALSE(contains("route.ports"));
}

TEST(Features, ValuesHaveOneSlotPerFeatureAndTextsOnlyForLists) {
    const auto values = derive(regular_container());
    const auto catalog = feature_catalog();
    ASSERT_EQ(values.numbers.size(), catalog.size());
    ASSERT_EQ(values.texts.size(), catalog.size());
    for (std::size_t index = 0; index < catalog.size(); ++index) {
        if (catalog[index].type == FeatureType::text_list)
            EXPECT_TRUE(std::isnan(values.numbers[index])) << catalog[index].name;
        else
            EXPECT_TRUE(values.texts[index].empty()) << catalog[index].name;
        if (catalog[index].type == FeatureType::flag && !std::isnan(values.numbers[index])) {
            EXPECT_TRUE(values.numbers[index] == 0 || values.numbers[index] == 1)
                << catalog[index].name;
        }
    }
}

TEST(Features, Route) {
    auto facts = regular_container();
    auto values = derive(facts);
    EXPECT_EQ(texts(values, "route.ports"), (Texts{"CNFOS", "CNSHA", "LKCMB", "KEMBA", "KENBO"}));
    EXPECT_EQ(texts(values, "route.countries"), (Texts{"CN", "LK", "KE"}));
    EXPECT_EQ(texts(values, "route.port_of_loading"), (Texts{"CNSHA"}));
    EXPECT_EQ(texts(values, "route.loading_countries"), (Texts{"CN"}));
    EXPECT_EQ(texts(values, "route.transshipment_ports"), (Texts{"LKCMB"}));
    EXPECT_EQ(number(values, "route.transshipments"), 1);
    EXPECT_EQ(number(values, "route.shipper_outside_loading_country"), 0);

    // A second B/L: its ports join in order without repeats; lower case is folded.
    ConsignmentFacts second = facts.consignments.front();
    second.place_of_receipt = "";
    second.port_of_loading = "ecgye";
    second.transshipment_ports = {"PAMIT", "ESALG", "LKCMB", " "}; // a blank one is no port
    second.shipper.country = "CO";
    facts.consignments.push_back(second);
    values = derive(facts);
    EXPECT_EQ(texts(values, "route.ports"),
              (Texts{"CNFOS", "CNSHA", "LKCMB", "KEMBA", "KENBO", "ECGYE", "PAMIT", "ESALG"}));
    EXPECT_EQ(texts(values, "route.countries"), (Texts{"CN", "LK", "KE", "EC", "PA", "ES"}));
    EXPECT_EQ(texts(values, "route.port_of_loading"), (Texts{"CNSHA", "ECGYE"}));
    EXPECT_EQ(texts(values, "route.transshipment_ports"), (Texts{"LKCMB", "PAMIT", "ESALG"}));
    EXPECT_EQ(number(values, "route.transshipments"), 3);
    EXPECT_EQ(number(values, "route.shipper_outside_loading_country"), 1);
    EXPECT_EQ(number(values, "container.consignments"), 2);
}

TEST(Features, RouteUnknownWithoutConsignments) {
    ContainerFacts facts = regular_container();
    facts.consignments.clear();
    const auto values = derive(facts);
    EXPECT_TRUE(texts(values, "route.ports").empty());
    EXPECT_TRUE(unknown(values, "route.transshipments"));
    EXPECT_TRUE(unknown(values, "route.shipper_outside_loading_country"));
    EXPECT_EQ(number(values, "container.consignments"), 0);
}

TEST(Features, GoodsCodesAndDescriptions) {
    auto facts = regular_container();
    auto values = derive(facts);
    EXPECT_EQ(texts(values, "goods.hs_codes"), (Texts{"690721"}));
    EXPECT_EQ(texts(values, "goods.hs_chapters"), (Texts{"69"}));
    EXPECT_EQ(texts(values, "goods.hs_headings"), (Texts{"6907"}));
    EXPECT_EQ(number(values, "goods.missing_hs_code"), 0);
    EXPECT_EQ(number(values, "goods.vague_description"), 0);
    EXPECT_EQ(number(values, "goods.items"), 1);
    EXPECT_EQ(number(values, "goods.packages"), 1000);
    EXPECT_EQ(number(values, "goods.total_mass_kg"), 20250);

    auto& goods = facts.consignments.front().goods;
    goods.push_back({"", "said to contain general cargo", 10, "PK", 500.0});
    goods.push_back({"6907.22", "WALL TILES", 10, "CT", std::nullopt});
    values = derive(facts);
    EXPECT_EQ(texts(values, "goods.hs_codes"), (Texts{"690721", "6907"}));
    EXPECT_EQ(texts(values, "goods.hs_headings"), (Texts{"6907"}));
    EXPECT_EQ(number(values, "goods.missing_hs_code"), 1);
    EXPECT_EQ(number(values, "goods.vague_description"), 1);
    EXPECT_EQ(texts(values, "goods.vague_descriptions"), (Texts{"SAID TO CONTAIN GENERAL CARGO"}));
    EXPECT_EQ(number(values, "goods.items"), 3);
    EXPECT_EQ(number(values, "goods.packages"), 1020);
    EXPECT_TRUE(unknown(values, "goods.total_mass_kg")) << "an item without mass";
}

TEST(Features, GoodsFlagsUnknownWithoutGoods) {
    auto facts = regular_container();
    facts.consignments.front().goods.clear();
    const auto values = derive(facts);
    EXPECT_TRUE(unknown(values, "goods.missing_hs_code"));
    EXPECT_TRUE(unknown(values, "goods.vague_description"));
    EXPECT_TRUE(unknown(values, "goods.hs_description_mismatch"));
    EXPECT_EQ(number(values, "goods.items"), 0);
}

TEST(Features, HsDescriptionMismatch) {
    const CommodityIndex index(small_nomenclature());
    const FeatureContext context{&index, nullptr};
    auto facts = regular_container();
    auto& item = facts.consignments.front().goods.front();

    auto values = derive(facts, context);
    EXPECT_EQ(number(values, "goods.hs_description_mismatch"), 0);
    EXPECT_TRUE(texts(values, "goods.mismatched_hs_codes").empty());

    item.hs_code = "610910";
    values = derive(facts, context);
    EXPECT_EQ(number(values, "goods.hs_description_mismatch"), 1);
    EXPECT_EQ(texts(values, "goods.mismatched_hs_codes"), (Texts{"610910"}));
    EXPECT_EQ(texts(values, "goods.described_chapters"), (Texts{"69"}));

    // Trade words read as the HS wording: "PHONES" is "telephones".
    item = {"851713", "MOBILE PHONES", 200, "CT", 1000.0};
    values = derive(facts, context);
    EXPECT_EQ(number(values, "goods.hs_description_mismatch"), 0);

    // No informative word, a vague description, an unknown chapter: not judged.
    for (const auto& [code, description] :
         std::vector<std::pair<std::string, std::string>>{{"610910", "ASSORTED ITEMS"},
                                                          {"610910", "GENERAL CARGO"},
                                                          {"940161", "CERAMIC TILES"},
                                                          {"", "CERAMIC TILES"}}) {
        item.hs_code = code;
        item.description = description;
        values = derive(facts, context);
        EXPECT_TRUE(unknown(values, "goods.hs_description_mismatch")) << description;
    }

    // Without the nomenclature nothing is judged.
    item = {"610910", "CERAMIC FLOOR TILES", 10, "CT", 100.0};
    EXPECT_TRUE(unknown(derive(facts), "goods.hs_description_mismatch"));
}

TEST(Features, HsDescriptionMismatchAggregatesOverItems) {
    const CommodityIndex index(small_nomenclature());
    const FeatureContext context{&index, nullptr};
    auto facts = regular_container();
    ConsignmentFacts house = facts.consignments.front();
    house.goods = {{"080390", "T-SHIRTS OF COTTON", 100, "CT", 900.0},
                   {"080310", "FRESH BANANAS", 100, "CT", 1800.0}};
    facts.consignments.push_back(house);
    const auto values = derive(facts, context);
    EXPECT_EQ(number(values, "goods.hs_description_mismatch"), 1);
    EXPECT_EQ(texts(values, "goods.mismatched_hs_codes"), (Texts{"080390"}));
    EXPECT_EQ(texts(values, "goods.described_chapters"), (Texts{"61"}));
}

TEST(CommodityIndex, RanksChaptersAndDropsCommonWords) {
    auto nomenclature = small_nomenclature();
    // "OTHER" in 13 chapters says nothing about any of them.
    for (int chapter = 10; chapter < 23; ++chapter)
        nomenclature.emplace_back(std::to_string(chapter), "Other goods");
    const CommodityIndex index(nomenclature);
    EXPECT_TRUE(index.has_chapter(69));
    EXPECT_FALSE(index.has_chapter(71));

    const auto other = index.chapters_for("OTHER");
    EXPECT_EQ(other.informative_words, 0);
    EXPECT_TRUE(other.reached.none());

    const auto tiles = index.chapters_for("Ceramic wall tiles, other");
    EXPECT_EQ(tiles.informative_words, 3);
    EXPECT_TRUE(tiles.reached.test(69));
    ASSERT_GE(tiles.best_count, 1);
    EXPECT_EQ(tiles.best[0], 69);

    const auto shirts = index.chapters_for("cotton t-shirts and bananas");
    EXPECT_TRUE(shirts.reached.test(61));
    EXPECT_TRUE(shirts.reached.test(8));
    EXPECT_FALSE(shirts.reached.test(69));

    EXPECT_EQ(CommodityIndex().chapters_for("CERAMIC TILES").informative_words, 0);
}

TEST(CommodityIndex, OneIncidentalSharedWordDoesNotMakeADescriptionFit) {
    const CommodityIndex index(small_nomenclature());
    const auto glass = index.chapters_for("MULTIPLE-WALLED INSULATING GLASS UNITS");
    EXPECT_TRUE(glass.reached.test(52)) << "'MULTIPLE' occurs in cotton yarn";
    EXPECT_TRUE(glass.fits(70));
    EXPECT_FALSE(glass.fits(52));
    EXPECT_FALSE(glass.fits(0));
    ASSERT_EQ(glass.best_count, 1);
    EXPECT_EQ(glass.best[0], 70);
    EXPECT_GT(glass.best_score, 0);
    EXPECT_FALSE(index.chapters_for("ASSORTED ITEMS").fits(70));

    auto facts = regular_container();
    facts.consignments.front().goods.front() = {"520512", "MULTIPLE-WALLED INSULATING GLASS UNITS",
                                                10, "CR", 800.0};
    const FeatureContext context{&index, nullptr};
    const auto values = derive(facts, context);
    EXPECT_EQ(number(values, "goods.hs_description_mismatch"), 1);
    EXPECT_EQ(texts(values, "goods.described_chapters"), (Texts{"70"}));
}

TEST(MassNorms, StatisticsAndLookup) {
    MassNorm norm;
    EXPECT_TRUE(std::isnan(norm.mean_log()));
    norm.add(10);
    EXPECT_TRUE(std::isnan(norm.sd_log()));
    norm.add(40);
    EXPECT_NEAR(norm.mean_log(), std::log(20.0), 1e-12);
    EXPECT_NEAR(norm.sd_log(), std::log(4.0) / std::sqrt(2.0), 1e-12);

    MassNorms norms;
    EXPECT_EQ(norms.find("6907"), nullptr);
    norms.add("6907", 20);
    norms.add("6907", -1); // ignored: not a mass
    norms.add("690", 20);  // ignored: not a heading
    norms.add("69AB", 20); // ignored
    ASSERT_NE(norms.find("6907"), nullptr);
    EXPECT_EQ(norms.find("6907")->count, 1);
    EXPECT_EQ(norms.headings(), 1u);
    norms.set("0803", norm);
    EXPECT_EQ(norms.find("0803")->count, 2);
    EXPECT_EQ(norms.headings(), 2u);
}

TEST(MassNorms, ObservationsOfAContainer) {
    auto facts = regular_container();
    facts.consignments.front().goods.push_back({"85", "PARTS", 10, "CT", 50.0});
    facts.consignments.front().goods.push_back({"851713", "PHONES", 0, "CT", 50.0});
    facts.consignments.front().goods.push_back({"851713", "PHONES", 5, "CT", std::nullopt});
    const auto observations = mass_observations(facts);
    ASSERT_EQ(observations.size(), 1u);
    EXPECT_EQ(observations[0].hs4, "6907");
    EXPECT_DOUBLE_EQ(observations[0].kg_per_package, 20.25);
}

MassNorms norms_around(std::string_view hs4, double typical_kg, int count) {
    MassNorms norms;
    // Spread of about ±20% around the typical mass.
    for (int idx = 0; idx < count; ++idx)
        norms.add(hs4, typical_kg * (idx % 2 == 0 ? 1.2 : 1 / 1.2));
    return norms;
}

TEST(Features, MassPerPackageZScore) {
    const MassNorms norms = norms_around("6907", 20, 30);
    const FeatureContext context{nullptr, &norms};
    auto facts = regular_container();
    auto values = derive(facts, context);
    EXPECT_LT(std::abs(number(values, "goods.mass_per_package_z")), 1.0);

    // Five times heavier than usual: far out, positive.
    facts.consignments.front().goods.front().gross_mass_kg = 100000;
    values = derive(facts, context);
    const double sd = std::log(1.2) * std::sqrt(30.0 / 29.0);
    EXPECT_NEAR(number(values, "goods.mass_per_package_z"), std::log(100.0 / 20) / sd, 1e-9);
    EXPECT_DOUBLE_EQ(number(values, "goods.mass_per_package_kg"), 100);
    EXPECT_NEAR(number(values, "goods.usual_mass_per_package_kg"), 20, 1e-9);
    EXPECT_EQ(texts(values, "goods.mass_per_package_heading"), (Texts{"6907"}));

    // Another item lighter by more: the most extreme one wins, sign kept.
    facts.consignments.front().goods.push_back({"690722", "WALL TILES", 100, "CT", 100.0});
    values = derive(facts, context);
    EXPECT_LT(number(values, "goods.mass_per_package_z"), -15);
    EXPECT_DOUBLE_EQ(number(values, "goods.mass_per_package_kg"), 1);
}

TEST(Features, MassPerPackageUnknownWithFewObservations) {
    const MassNorms norms = norms_around("6907", 20, 19);
    auto values = derive(regular_container(), {nullptr, &norms});
    EXPECT_TRUE(unknown(values, "goods.mass_per_package_z"));
    EXPECT_TRUE(texts(values, "goods.mass_per_package_heading").empty());
    values = derive(regular_container());
    EXPECT_TRUE(unknown(values, "goods.mass_per_package_z"));
}

TEST(Features, ContainerMasses) {
    auto facts = regular_container();
    auto values = derive(facts);
    EXPECT_EQ(number(values, "container.declared_empty"), 0);
    EXPECT_EQ(number(values, "container.gross_mass_kg"), 24000);
    EXPECT_EQ(number(values, "container.cargo_mass_kg"), 20250);
    EXPECT_EQ(number(values, "container.teu"), 2);
    EXPECT_EQ(number(values, "container.cargo_kg_per_teu"), 10125);
    EXPECT_EQ(number(values, "container.goods_mass_gap_kg"), 0);
    EXPECT_EQ(number(values, "container.empty_with_cargo_mass"), 0);

    facts.size_type = "L5G1";
    facts.gross_mass_kg = 30000;
    values = derive(facts);
    EXPECT_EQ(number(values, "container.teu"), 2.25);
    EXPECT_EQ(number(values, "container.goods_mass_gap_kg"), 30000 - 3750 - 20250);

    facts.size_type = "";
    facts.tare_mass_kg.reset();
    values = derive(facts);
    EXPECT_TRUE(unknown(values, "container.teu"));
    EXPECT_TRUE(unknown(values, "container.cargo_mass_kg"));
    EXPECT_TRUE(unknown(values, "container.cargo_kg_per_teu"));
    EXPECT_TRUE(unknown(values, "container.goods_mass_gap_kg"));
}

TEST(Features, DeclaredEmptyWithCargoMass) {
    ContainerFacts facts;
    facts.size_type = "22G1";
    facts.declared_empty = true;
    facts.gross_mass_kg = 2300;
    facts.tare_mass_kg = 2200;
    EXPECT_EQ(number(derive(facts), "container.empty_with_cargo_mass"), 0);
    facts.gross_mass_kg = 2650;
    EXPECT_EQ(number(derive(facts), "container.empty_with_cargo_mass"), 1);
    facts.gross_mass_kg = 14500;
    auto values = derive(facts);
    EXPECT_EQ(number(values, "container.empty_with_cargo_mass"), 1);
    EXPECT_EQ(number(values, "container.cargo_mass_kg"), 12300);
    EXPECT_EQ(number(values, "container.declared_empty"), 1);

    // Without a tare the heaviest usual tare of a 20' box is assumed: a reefer is no alarm.
    facts.tare_mass_kg.reset();
    facts.gross_mass_kg = 3050;
    EXPECT_EQ(number(derive(facts), "container.empty_with_cargo_mass"), 0);
    facts.gross_mass_kg = 9000;
    EXPECT_EQ(number(derive(facts), "container.empty_with_cargo_mass"), 1);
    facts.gross_mass_kg.reset();
    EXPECT_TRUE(unknown(derive(facts), "container.empty_with_cargo_mass"));
}

TEST(Features, Seals) {
    auto facts = regular_container();
    EXPECT_EQ(number(derive(facts), "container.seal_count"), 1);
    EXPECT_EQ(number(derive(facts), "container.full_without_seal"), 0);
    facts.seal_count = 0;
    EXPECT_EQ(number(derive(facts), "container.full_without_seal"), 1);
    facts.declared_empty = true;
    EXPECT_EQ(number(derive(facts), "container.full_without_seal"), 0);
}

TEST(Features, ManifestTiming) {
    auto facts = regular_container();
    auto values = derive(facts);
    EXPECT_DOUBLE_EQ(number(values, "manifest.hours_before_eta"), 16);
    EXPECT_EQ(number(values, "manifest.amendments"), 0);
    EXPECT_TRUE(unknown(values, "manifest.last_change_hours_before_eta"));

    facts.manifest_issued_at = "2026-03-10T13:30:00";
    EXPECT_DOUBLE_EQ(number(derive(facts), "manifest.hours_before_eta"), -1.5);
    // Zones count when both times give one.
    facts.eta = "2026-03-10T12:00Z";
    facts.manifest_issued_at = "2026-03-10T14:00+03:00";
    EXPECT_DOUBLE_EQ(number(derive(facts), "manifest.hours_before_eta"), 1);
    facts.manifest_issued_at = "2026-03-10T10:00:30.250-0200";
    EXPECT_NEAR(number(derive(facts), "manifest.hours_before_eta"), -0.5 / 60, 1e-9);
    // Across a month end and a leap day.
    facts.eta = "2028-03-01T06:00";
    facts.manifest_issued_at = "2028-02-28T18:00";
    EXPECT_DOUBLE_EQ(number(derive(facts), "manifest.hours_before_eta"), 36);
    for (const char* bad :
         {"", "yesterday", "2026-02-30T10:00", "2026-03-10T25:00", "2026-03-10T10:00 CET"}) {
        facts.manifest_issued_at = bad;
        EXPECT_TRUE(unknown(derive(facts), "manifest.hours_before_eta")) << bad;
    }
}

TEST(Features, Amendments) {
    auto facts = regular_container();
    facts.consignments.front().revision = 3;
    facts.consignments.front().last_changed_at = "2026-03-10T09:00";
    ConsignmentFacts other = facts.consignments.front();
    other.revision = 2;
    other.last_changed_at = "2026-03-10T13:00";
    ConsignmentFacts original = facts.consignments.front();
    original.revision = 1;
    original.last_changed_at = "2026-03-10T23:00"; // an original is no change
    facts.consignments.push_back(other);
    facts.consignments.push_back(original);
    const auto values = derive(facts);
    EXPECT_EQ(number(values, "manifest.amendments"), 2);
    EXPECT_DOUBLE_EQ(number(values, "manifest.last_change_hours_before_eta"), -1);
}

TEST(Features, PartyHistoryTakesTheRiskiest) {
    auto facts = regular_container();
    auto values = derive(facts);
    EXPECT_EQ(number(values, "consignee.times_seen"), 25);
    EXPECT_EQ(number(values, "consignee.days_known"), 90); // 2025-12-10 to 2026-03-10
    EXPECT_EQ(number(values, "consignee.inspections"), 4);
    EXPECT_EQ(number(values, "consignee.findings"), 0);
    EXPECT_EQ(number(values, "consignee.finding_rate"), 0);
    EXPECT_EQ(number(values, "consignee.first_time"), 0);
    EXPECT_TRUE(texts(values, "consignee.new_names").empty());
    EXPECT_EQ(texts(values, "consignee.names"), (Texts{"NAIROBI HARDWARE LTD"}));
    EXPECT_EQ(texts(values, "consignee.countries"), (Texts{"KE"}));
    EXPECT_EQ(number(values, "shipper.times_seen"), 40);
    EXPECT_EQ(texts(values, "shipper.countries"), (Texts{"CN"}));

    ConsignmentFacts house = facts.consignments.front();
    house.consignee = {"Mombasa Traders Ltd", "ke", {3, "2026-02-20", 2, 1}};
    house.shipper = {"NEW EXPORTER LTD", "CN", {0, "", 0, 0}};
    ConsignmentFacts first_time = facts.consignments.front();
    first_time.consignee = {"KISUMU GENERAL MERCHANTS LTD", "KE", {0, "", 0, 0}};
    facts.consignments.push_back(house);
    facts.consignments.push_back(first_time);
    values = derive(facts);
    EXPECT_EQ(number(values, "consignee.times_seen"), 0);
    EXPECT_EQ(number(values, "consignee.days_known"), 0);
    EXPECT_EQ(number(values, "consignee.inspections"), 0);
    EXPECT_EQ(number(values, "consignee.findings"), 1);
    EXPECT_EQ(number(values, "consignee.finding_rate"), 0.5);
    EXPECT_EQ(number(values, "consignee.first_time"), 1);
    EXPECT_EQ(texts(values, "consignee.new_names"), (Texts{"KISUMU GENERAL MERCHANTS LTD"}));
    EXPECT_EQ(
        texts(values, "consignee.names"),
        (Texts{"NAIROBI HARDWARE LTD", "MOMBASA TRADERS LTD", "KISUMU GENERAL MERCHANTS LTD"}));
    EXPECT_EQ(texts(values, "consignee.countries"), (Texts{"KE"}));
    EXPECT_EQ(number(values, "shipper.first_time"), 1);
    EXPECT_EQ(number(values, "shipper.days_known"), 0);
    EXPECT_EQ(texts(values, "shipper.new_names"), (Texts{"NEW EXPORTER LTD"}));
}

TEST(Features, PartyHistoryUnknowns) {
    auto facts = regular_container();
    facts.consignments.front().consignee.history = {5, "", 0, 0};
    auto values = derive(facts);
    EXPECT_TRUE(unknown(values, "consignee.days_known")) << "seen, but since when?";
    EXPECT_TRUE(unknown(values, "consignee.finding_rate")) << "never inspected";
    EXPECT_EQ(number(values, "consignee.findings"), 0);

    facts.consignments.front().consignee = {};
    values = derive(facts);
    for (const char* name : {"consignee.times_seen", "consignee.days_known", "consignee.first_time",
                             "consignee.is_forwarder", "consignee.is_private_person",
                             "consignee.is_notify_party", "consignee.to_order"})
        EXPECT_TRUE(unknown(values, name)) << name;
    EXPECT_EQ(number(values, "shipper.times_seen"), 40);
}

TEST(Features, ConsigneeKinds) {
    auto facts = regular_container();
    auto& consignee = facts.consignments.front().consignee;
    const auto kind = [&](std::string name) {
        consignee.name = std::move(name);
        const auto values = derive(facts);
        return std::pair{number(values, "consignee.is_forwarder"),
                         number(values, "consignee.is_private_person")};
    };
    EXPECT_EQ(kind("NAIROBI HARDWARE LTD"), std::pair(0.0, 0.0));
    EXPECT_EQ(kind("SWIFT LOGISTICS LTD"), std::pair(1.0, 0.0));
    EXPECT_EQ(kind("Bravo Clearing and Forwarding"), std::pair(1.0, 0.0));
    EXPECT_EQ(kind("KILIMO FREIGHT SERVICES"), std::pair(1.0, 0.0));
    EXPECT_EQ(kind("JOHN K. BRAVOR"), std::pair(0.0, 1.0));
    EXPECT_EQ(kind("Mary Wanjiku"), std::pair(0.0, 1.0));
    EXPECT_EQ(kind("BRAVO PEREZ S.A."), std::pair(0.0, 0.0)) << "a dotted legal form";
    EXPECT_EQ(kind("SAFARICOM"), std::pair(0.0, 0.0)) << "one word cannot tell";
    EXPECT_EQ(kind("KAMAU AND SONS"), std::pair(0.0, 0.0));
    EXPECT_EQ(kind("PLOT 45 INDUSTRIAL AREA"), std::pair(0.0, 0.0));

    consignee.name = "JOHN K. BRAVOR";
    const auto values = derive(facts);
    EXPECT_EQ(texts(values, "consignee.person_names"), (Texts{"JOHN K. BRAVOR"}));
    EXPECT_TRUE(texts(values, "consignee.forwarder_names").empty());
}

TEST(Features, ConsigneeIsNotifyParty) {
    auto facts = regular_container();
    auto& bl = facts.consignments.front();
    EXPECT_EQ(number(derive(facts), "consignee.is_notify_party"), 0);
    bl.notify_party.name = "nairobi hardware ltd.";
    EXPECT_EQ(number(derive(facts), "consignee.is_notify_party"), 1);
    bl.notify_party.name = "SAME AS CONSIGNEE";
    EXPECT_EQ(number(derive(facts), "consignee.is_notify_party"), 1);
    bl.consignee.name = "ACME TRADING CO., LTD.";
    bl.notify_party.name = "ACME TRADING COMPANY LIMITED";
    EXPECT_EQ(number(derive(facts), "consignee.is_notify_party"), 1);
    bl.notify_party.name = "";
    EXPECT_EQ(number(derive(facts), "consignee.is_notify_party"), 0);
}

TEST(Features, ConsigneeToOrder) {
    auto facts = regular_container();
    auto& consignee = facts.consignments.front().consignee;
    for (const char* name : {"TO ORDER", "To the order of KCB Bank", "ORDER"}) {
        consignee.name = name;
        const auto values = derive(facts);
        EXPECT_EQ(number(values, "consignee.to_order"), 1) << name;
        EXPECT_EQ(number(values, "consignee.is_private_person"), 0) << name;
    }
    consignee.name = "ORDERLY TRADERS LTD";
    EXPECT_EQ(number(derive(facts), "consignee.to_order"), 0);
}

TEST(Features, ReusedBuffersHoldNothingOfThePreviousContainer) {
    const CommodityIndex commodities(small_nomenclature());
    const MassNorms norms = norms_around("6907", 20, 30);
    const FeatureContext context{&commodities, &norms};

    auto busy = regular_container();
    busy.consignments.push_back(busy.consignments.front());
    busy.consignments.back().port_of_loading = "ECGYE";
    busy.consignments.back().consignee = {"JOHN K. BRAVOR", "KE", {0, "", 0, 0}};
    busy.consignments.back().goods = {{"610910", "CERAMIC TILES", 10, "CT", 5000.0}};
    auto quiet = regular_container();
    quiet.consignments.front().transshipment_ports.clear();

    FeatureValues reused;
    derive_features(busy, context, reused);
    derive_features(quiet, context, reused);
    const FeatureValues fresh = derive_features(quiet, context);
    ASSERT_EQ(reused.texts, fresh.texts);
    ASSERT_EQ(reused.numbers.size(), fresh.numbers.size());
    for (std::size_t index = 0; index < fresh.numbers.size(); ++index) {
        if (std::isnan(fresh.numbers[index]))
            EXPECT_TRUE(std::isnan(reused.numbers[index])) << feature_catalog()[index].name;
        else
            EXPECT_EQ(reused.numbers[index], fresh.numbers[index]) << feature_catalog()[index].name;
    }
}

TEST(Features, NothingKnownGivesUnknowns) {
    const ContainerFacts facts;
    const auto values = derive(facts);
    for (const char* name :
         {"container.gross_mass_kg", "container.cargo_mass_kg", "container.teu",
          "manifest.hours_before_eta", "manifest.amendments", "consignee.times_seen",
          "shipper.first_time", "goods.vague_description", "route.transshipments"})
        EXPECT_TRUE(unknown(values, name)) << name;
    EXPECT_EQ(number(values, "container.declared_empty"), 0);
    EXPECT_EQ(number(values, "container.full_without_seal"), 1);
    for (const auto& list : values.texts)
        EXPECT_TRUE(list.empty());
}

} // namespace
} // namespace portscreen::profiling
