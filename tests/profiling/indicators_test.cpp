#include "indicators.hpp"

#include <gtest/gtest.h>

namespace portscreen::profiling {
namespace {

TEST(VagueDescription, FlagsDescriptionsThatNameNoGoods) {
    for (const char* text :
         {"GENERAL CARGO", "general cargo", "F.A.K.", "FAK", "Said to contain", "STC 20 PACKAGES",
          "S.T.C. 1200 CTNS GENERAL CARGO", "VARIOUS", "", "  ", "CONSOLIDATED CARGO",
          "SLAC STC 40 PKGS", "SAID TO CONTAIN 988 BAGS", "STC 12 DRUMS", "GOODS AS PER INVOICE",
          "STC 20 PALLETS GENERAL CARGO"})
        EXPECT_TRUE(is_vague_description(text)) << '"' << text << '"';
}

TEST(VagueDescription, AcceptsDescriptionsThatNameGoods) {
    for (const char* text : {"GREEN COFFEE BEANS NOT ROASTED", "PLASTIC HOUSEHOLD ARTICLES",
                             "STC 1200 CARTONS CERAMIC FLOOR TILES", "SAID TO CONTAIN FROZEN FISH",
                             "SPARE PARTS FOR TRACTORS", "CARGO NETS OF POLYPROPYLENE",
                             "STC 988 BAGS OF GREEN COFFEE"})
        EXPECT_FALSE(is_vague_description(text)) << '"' << text << '"';
}

} // namespace
} // namespace portscreen::profiling
