#include "reference/reference.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace portscreen::reference {
namespace {

namespace fs = std::filesystem;

TEST(Reference, LoadsIso3166FromIsoCodes) {
    const auto codes = load_iso3166_alpha2(default_iso3166_path());
    EXPECT_EQ(codes.size(), 249u);
    EXPECT_NE(std::find(codes.begin(), codes.end(), "KE"), codes.end());
}

TEST(Reference, LoadsTheHsNomenclature) {
    const auto entries = load_hs_nomenclature(default_hs_nomenclature_path());
    const auto count = [&](int level) {
        return std::count_if(entries.begin(), entries.end(),
                             [level](const HsEntry& entry) { return entry.level == level; });
    };
    EXPECT_EQ(count(2), 97);
    EXPECT_EQ(count(4), 1229);
    EXPECT_EQ(count(6), 5613);
    const auto coffee = std::find_if(entries.begin(), entries.end(),
                                     [](const HsEntry& entry) { return entry.code == "090111"; });
    ASSERT_NE(coffee, entries.end());
    EXPECT_EQ(coffee->section, "II");
    EXPECT_NE(coffee->description.find("not roasted"), std::string::npos) << coffee->description;
}

TEST(Reference, NamesTheLineOfABrokenFile) {
    const fs::path file =
        fs::temp_directory_path() / ("portscreen-hs-" + std::to_string(::getpid()) + ".csv");
    std::ofstream(file)
        << "section,hscode,description,parent,level\nI,01,\"Animals; live\",TOTAL,2\n"
           "I,0101,missing fields\n";
    try {
        load_hs_nomenclature(file);
        ADD_FAILURE() << "a short row was accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(":3: expected 5 fields"), std::string::npos)
            << e.what();
    }
    fs::remove(file);
    EXPECT_THROW(load_iso3166_alpha2(file), std::runtime_error);
}

} // namespace
} // namespace portscreen::reference
