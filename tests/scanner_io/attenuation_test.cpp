#include "attenuation.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace portscreen::scanner_io {
namespace {

// Intensity after `thickness` of a material with attenuation `mu`, from air value 60000.
std::uint16_t transmitted(double mu, double thickness) {
    return static_cast<std::uint16_t>(std::lround(60000.0 * std::exp(-mu * thickness)));
}

TEST(DualEnergyRatio, RecoversTheRatioOfAttenuationCoefficients) {
    // Any thickness gives the same ratio: Beer-Lambert makes it cancel.
    for (double thickness : {5.0, 20.0, 40.0}) {
        const auto ratio =
            dual_energy_ratio(60000, transmitted(0.0609, thickness), transmitted(0.05, thickness));
        ASSERT_TRUE(ratio);
        EXPECT_NEAR(*ratio, 1.218, 0.005) << thickness;
    }
}

TEST(DualEnergyRatio, OrdersMaterialsByAtomicNumber) {
    const auto organic = dual_energy_ratio(60000, transmitted(0.0609, 30), transmitted(0.05, 30));
    const auto lead = dual_energy_ratio(60000, transmitted(0.482, 3), transmitted(0.5, 3));
    ASSERT_TRUE(organic && lead);
    EXPECT_GT(*organic, 1.1);
    EXPECT_LT(*lead, 1.0);
}

TEST(DualEnergyRatio, RefusesPixelsWithNothingToMeasure) {
    EXPECT_FALSE(dual_energy_ratio(60000, 60000, 30000)); // low energy saw only air
    EXPECT_FALSE(dual_energy_ratio(60000, 0, 30000));     // no signal left
    EXPECT_FALSE(dual_energy_ratio(60000, 30000, 61000)); // brighter than air
}

} // namespace
} // namespace portscreen::scanner_io
