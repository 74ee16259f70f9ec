#include "core/validation.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace portscreen::core {
namespace {

/// A small manifest that passes every check: one FCL and one LCL container.
Manifest valid_manifest() {
    Manifest m;
    m.vessel_call = {"9123453",          "TEST CARRIER", "024W", "CRX",
                     "2024-01-20T18:00", "KEMBA",        "LKCMB"};
    Container fcl;
    fcl.number = "CSQU3054383";
    fcl.size_type = "45G1";
    fcl.gross_mass_kg = 18250;
    fcl.tare_mass_kg = 3900;
    fcl.seals = {{"CN1234567", "CA"}};
    Container lcl;
    lcl.number = "ABCU1234560";
    lcl.size_type = "22G1";
    m.containers = {fcl, lcl};

    Consignment first;
    first.master_bl = "CRXSHA0001";
    first.consignee.name = "MOMBASA EXAMPLE IMPORTS LTD";
    first.consignee.country = "KE";
    first.port_of_loading = "CNSHA";
    first.transshipment_ports = {"LKCMB"};
    first.port_of_discharge = "KEMBA";
    GoodsItem cups;
    cups.item_number = 1;
    cups.hs_code = "392690";
    cups.packages = 1200;
    cups.package_type = "CT";
    cups.gross_mass_kg = 14350;
    cups.placements = {{"CSQU3054383", 1200, 0}};
    first.goods_items = {cups};

    Consignment second = first;
    second.master_bl = "CRXSHA0002";
    second.goods_items[0].placements = {{"ABCU1234560", 1200, 0}};
    Consignment third = second;
    third.master_bl = "CRXSHA0003";
    m.consignments = {first, second, third};
    return m;
}

ReferenceData reference() {
    ReferenceData data;
    data.countries = {"KE", "CN", "LK"};
    data.hs_subheadings = {"392690", "090111"};
    return data;
}

const Problem* find(const Problems& problems, std::string_view code, std::string_view path) {
    const auto found = std::find_if(problems.begin(), problems.end(), [&](const Problem& p) {
        return p.code == code && p.path == path;
    });
    return found == problems.end() ? nullptr : &*found;
}

TEST(Validate, AcceptsAValidManifest) {
    const auto problems = validate(valid_manifest(), reference());
    for (const auto& p : problems)
        ADD_FAILURE() << p.where() << ": " << p.message;
}

TEST(Validate, ReportsEveryProblemWithItsPath) {
    Manifest m = valid_manifest();
    m.vessel_call.imo = "9123454";
    m.vessel_call.port_of_call = "KEMB";
    m.containers[0].number = "CSQU3054384";
    m.containers[0].source_segment = 25;
    m.consignments[1].goods_items[0].gross_mass_kg = -5;
    m.consignments[1].goods_items[0].hs_code = "999999";
    m.consignments[2].consignee.country = "XX";
    m.consignments[2].goods_items[0].placements[0].container_number = "MSKU5705452";

    const auto problems = validate(m, reference());
    EXPECT_TRUE(find(problems, "check-digit", "/vessel_call/imo"));
    EXPECT_TRUE(find(problems, "locode", "/vessel_call/port_of_call"));
    const Problem* digit = find(problems, "check-digit", "/containers/0/number");
    ASSERT_TRUE(digit);
    EXPECT_EQ(digit->segment, 25u);
    EXPECT_EQ(digit->message, "container CSQU3054384: check digit 4, expected 3");
    const Problem* mass =
        find(problems, "mass-range", "/consignments/1/goods_items/0/gross_mass_kg");
    ASSERT_TRUE(mass);
    EXPECT_NE(mass->message.find("-5 kg"), std::string::npos) << mass->message;
    EXPECT_TRUE(find(problems, "hs-code", "/consignments/1/goods_items/0/hs_code"));
    EXPECT_TRUE(find(problems, "country", "/consignments/2/consignee/country"));
    const Problem* ref =
        find(problems, "reference", "/consignments/2/goods_items/0/placements/0/container_number");
    ASSERT_TRUE(ref);
    EXPECT_EQ(ref->contrl, 28);
    // The first container now holds the goods that pointed at the corrected number, so nothing
    // else is wrong: exactly the problems planted above.
    EXPECT_EQ(std::count_if(problems.begin(), problems.end(),
                            [](const Problem& p) { return p.severity == Severity::error; }),
              8);
}

TEST(Validate, ChecksControlCountsAndDuplicates) {
    Manifest m = valid_manifest();
    m.declared_container_count = 3;
    m.containers.push_back(m.containers[1]);
    m.consignments.push_back(m.consignments[0]);
    const auto problems = validate(m, reference());
    const Problem* count = find(problems, "control-count", "/containers");
    EXPECT_TRUE(count == nullptr) << "3 declared and 3 carried";
    EXPECT_TRUE(find(problems, "duplicate", "/containers/2/number"));
    EXPECT_TRUE(find(problems, "duplicate", "/consignments/3/master_bl"));

    m.declared_container_count = 5;
    const auto recount = validate(m, reference());
    const Problem* mismatch = find(recount, "control-count", "/containers");
    ASSERT_TRUE(mismatch);
    EXPECT_EQ(mismatch->contrl, 29);
}

TEST(Validate, WarnsWithoutRefusing) {
    Manifest m = valid_manifest();
    m.consignments[0].goods_items[0].placements[0].packages = 1000; // 1200 declared
    Container spare;
    spare.number = "MSKU5705452";
    m.containers.push_back(spare); // full, but no goods placed in it
    const auto problems = validate(m, reference());
    EXPECT_FALSE(has_errors(problems));
    const Problem* mismatch =
        find(problems, "count-mismatch", "/consignments/0/goods_items/0/placements");
    ASSERT_TRUE(mismatch);
    EXPECT_EQ(mismatch->severity, Severity::warning);
    EXPECT_TRUE(find(problems, "unreferenced", "/containers/2"));

    m.containers[2].load = LoadStatus::empty;
    EXPECT_FALSE(find(validate(m, reference()), "unreferenced", "/containers/2"));
}

TEST(Validate, CancellationNeedsNoGoods) {
    Manifest m = valid_manifest();
    m.function = MessageFunction::cancel;
    m.containers.clear();
    for (auto& con : m.consignments)
        con.goods_items.clear();
    EXPECT_TRUE(validate(m, reference()).empty());
    m.function = MessageFunction::original;
    EXPECT_TRUE(find(validate(m, reference()), "missing", "/consignments/0/goods_items"));
}

TEST(Validate, EmptyReferenceListsCheckShapesOnly) {
    Manifest m = valid_manifest();
    m.consignments[0].consignee.country = "ZZ";
    EXPECT_FALSE(has_errors(validate(m, ReferenceData{})));
    EXPECT_TRUE(has_errors(validate(m, reference())));
}

} // namespace
} // namespace portscreen::core
