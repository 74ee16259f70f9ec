#include "simulate.hpp"

#include "analysis.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace portscreen::scanner_io {
namespace {

// Small scans keep the tests fast: 1500 x 300 pixels cover the same 14.4 x 3.3 m field.
constexpr int kWidth = 1500;
constexpr int kHeight = 300;

double attenuation(const DualEnergyScan& scan, const Image16& plane, int x, int y) {
    return std::log(static_cast<double>(scan.air) / std::max<int>(1, plane.at(x, y)));
}

/// Mean ln(I0/I) of the high-energy plane over a rectangle.
double mean_attenuation(const DualEnergyScan& scan, int x0, int y0, int x1, int y1) {
    double sum = 0;
    for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x)
            sum += attenuation(scan, scan.high, x, y);
    return sum / ((x1 - x0) * (y1 - y0));
}

ScanScenario organic(double mass_kg, int length_ft = 40) {
    ScanScenario scenario;
    scenario.length_ft = length_ft;
    scenario.cargo = CargoClass::organic;
    scenario.cargo_mass_kg = mass_kg;
    return scenario;
}

ScanScenario empty_container(int length_ft = 40) {
    ScanScenario scenario;
    scenario.length_ft = length_ft;
    scenario.empty = true;
    scenario.cargo_mass_kg = 0;
    return scenario;
}

TEST(SimulateScan, SameSeedGivesTheSamePixels) {
    const auto a = simulate_scan(organic(9'000), 42, kWidth, kHeight);
    const auto b = simulate_scan(organic(9'000), 42, kWidth, kHeight);
    const auto c = simulate_scan(organic(9'000), 43, kWidth, kHeight);
    EXPECT_EQ(a.scan.high.pixels, b.scan.high.pixels);
    EXPECT_EQ(a.scan.low.pixels, b.scan.low.pixels);
    EXPECT_NE(a.scan.high.pixels, c.scan.high.pixels);
    EXPECT_EQ(a.scan.high.width, kWidth);
    EXPECT_EQ(a.scan.high.height, kHeight);
    EXPECT_EQ(a.scan.low.width, kWidth);
    EXPECT_DOUBLE_EQ(a.scan.along_mm, 14'400.0 / kWidth);
    EXPECT_DOUBLE_EQ(a.scan.detector_mm, 3'300.0 / kHeight);
}

TEST(SimulateScan, AirReadsTheAirValueWithinPhotonNoise) {
    const auto scan = simulate_scan(empty_container(20), 7, kWidth, kHeight).scan;
    // The right half of a 20 ft scan and the rows above the container are air.
    std::vector<double> values;
    for (int y = 2; y < 10; ++y)
        for (int x = kWidth - 400; x < kWidth - 10; ++x)
            values.push_back(scan.high.at(x, y));
    double mean = 0, var = 0;
    for (const double v : values)
        mean += v;
    mean /= static_cast<double>(values.size());
    for (const double v : values)
        var += (v - mean) * (v - mean);
    const double sd = std::sqrt(var / static_cast<double>(values.size()));
    EXPECT_NEAR(mean, scan.air, 0.005 * scan.air);
    // About 40,000 photons per pixel in air: 0.5% noise, plus row gain spread.
    EXPECT_GT(sd, 0.002 * scan.air);
    EXPECT_LT(sd, 0.012 * scan.air);
}

TEST(SimulateScan, MoreCargoAttenuatesMoreAndOrganicsMoreAtLowEnergy) {
    const auto light = simulate_scan(organic(4'000), 5, kWidth, kHeight).scan;
    const auto heavy = simulate_scan(organic(16'000), 5, kWidth, kHeight).scan;
    // The interior of a 40 ft container: about 1.2 m to 12 m along, 0.6 m to 2.9 m down.
    const int x0 = 130, x1 = 1250, y0 = 60, y1 = 250;
    const double a_light = mean_attenuation(light, x0, y0, x1, y1);
    const double a_heavy = mean_attenuation(heavy, x0, y0, x1, y1);
    EXPECT_GT(a_heavy, 2.0 * a_light);
    // Beer-Lambert with μ/ρ at 4 and 6 MeV: water 0.0340 / 0.0277, R about 1.23.
    double sum = 0;
    int count = 0;
    for (int y = y0; y < y1; ++y) {
        for (int x = x0; x < x1; ++x) {
            const double high = attenuation(heavy, heavy.high, x, y);
            if (high < 0.8 || high > 4)
                continue;
            sum += attenuation(heavy, heavy.low, x, y) / high;
            ++count;
        }
    }
    ASSERT_GT(count, 1'000);
    EXPECT_NEAR(sum / count, 1.22, 0.03);
}

TEST(SimulateScan, SteelLowersTheRatio) {
    ScanScenario scenario;
    scenario.cargo = CargoClass::metal;
    scenario.cargo_mass_kg = 15'000;
    const auto scan = simulate_scan(scenario, 11, kWidth, kHeight).scan;
    int steel = 0;
    for (int y = 60; y < 250; ++y) {
        for (int x = 130; x < 1250; ++x) {
            const double high = attenuation(scan, scan.high, x, y);
            if (high > 1.0 && high < 4 && attenuation(scan, scan.low, x, y) / high < 1.12)
                ++steel;
        }
    }
    EXPECT_GT(steel, 500);
}

TEST(SimulateScan, EmptyContainerShowsItsStructure) {
    const auto scan = simulate_scan(empty_container(40), 3, kWidth, kHeight).scan;
    // Per column, the median attenuation down the middle of the height.
    const auto column = [&](int x) {
        std::vector<double> values;
        for (int y = 100; y < 200; ++y)
            values.push_back(attenuation(scan, scan.high, x, y));
        std::nth_element(values.begin(), values.begin() + 50, values.end());
        return values[50];
    };
    std::vector<double> profile;
    for (int x = 0; x < kWidth; ++x)
        profile.push_back(column(x));
    // Air before the container, thin side walls inside, dark end frames at both ends.
    const auto first =
        std::find_if(profile.begin(), profile.end(), [](double a) { return a > 0.03; });
    ASSERT_NE(first, profile.end());
    const int start = static_cast<int>(first - profile.begin());
    EXPECT_GT(start, 15);
    EXPECT_LT(profile[5], 0.02);
    const double frame = *std::max_element(profile.begin() + start, profile.begin() + start + 12);
    const double inside = profile[static_cast<std::size_t>(start + 400)];
    EXPECT_GT(inside, 0.04);
    EXPECT_LT(inside, 0.2);
    EXPECT_GT(frame, 10 * inside);
    // The floor and the roof are dark bands the whole length.
    const auto row_mean = [&](int y) {
        return mean_attenuation(scan, start + 50, y, start + 1'000, y + 1);
    };
    double floor_band = 0;
    for (int y = 200; y < kHeight; ++y)
        floor_band = std::max(floor_band, row_mean(y));
    EXPECT_GT(floor_band, 2.0);
}

TEST(SimulateScan, ConcealmentChangesPixelsOnlyInItsTruthBox) {
    ScanScenario clean = organic(8'000);
    ScanScenario hidden = clean;
    hidden.concealment = Concealment::dense_object;
    const auto a = simulate_scan(clean, 21, kWidth, kHeight);
    const auto b = simulate_scan(hidden, 21, kWidth, kHeight);
    ASSERT_EQ(b.truth.size(), 1U);
    EXPECT_TRUE(a.truth.empty());
    const AnomalyRegion& box = b.truth.front();
    EXPECT_EQ(box.kind, "dense_object");
    EXPECT_FALSE(b.concealment_detail.empty());
    constexpr int kMargin = 3; // detector blur
    int changed_inside = 0, changed_outside = 0;
    for (int y = 0; y < kHeight; ++y) {
        for (int x = 0; x < kWidth; ++x) {
            if (a.scan.high.at(x, y) == b.scan.high.at(x, y))
                continue;
            const bool inside = x >= box.x - kMargin && x < box.x + box.width + kMargin &&
                                y >= box.y - kMargin && y < box.y + box.height + kMargin;
            (inside ? changed_inside : changed_outside) += 1;
        }
    }
    EXPECT_EQ(changed_outside, 0);
    EXPECT_GT(changed_inside, box.width * box.height / 2);
}

TEST(SimulateScan, FloorCompartmentInAnEmptyContainerChangesOnlyTheFloor) {
    ScanScenario hidden = empty_container();
    hidden.concealment = Concealment::floor_compartment;
    const auto a = simulate_scan(empty_container(), 8, kWidth, kHeight);
    const auto b = simulate_scan(hidden, 8, kWidth, kHeight);
    ASSERT_EQ(b.truth.size(), 1U);
    const AnomalyRegion& box = b.truth.front();
    EXPECT_EQ(b.concealment_detail, "floor");
    EXPECT_LT(box.height * 3.3 / kHeight * 1000, 200); // mm: a layer, not a stack
    int changed_outside = 0;
    for (int y = 0; y < kHeight; ++y)
        for (int x = 0; x < kWidth; ++x)
            if (a.scan.low.at(x, y) != b.scan.low.at(x, y) &&
                (x < box.x - 3 || x >= box.x + box.width + 3 || y < box.y - 3 ||
                 y >= box.y + box.height + 3))
                ++changed_outside;
    EXPECT_EQ(changed_outside, 0);
    EXPECT_GT(b.concealed_mass_kg, 10);
}

TEST(SimulateScan, DrawsTheDeclaredCargoMass) {
    for (const double mass : {3'000.0, 12'000.0}) {
        const auto simulated = simulate_scan(organic(mass, 20), 17, kWidth, kHeight);
        EXPECT_NEAR(simulated.rendered_cargo_mass_kg, mass, 0.02 * mass);
    }
    EXPECT_EQ(simulate_scan(empty_container(), 17, kWidth, kHeight).rendered_cargo_mass_kg, 0);
}

TEST(SimulateScan, ImpliedMassMatchesTheCargoOfOrganicLoads) {
    for (const std::uint64_t seed : {31U, 32U, 33U}) {
        const auto simulated =
            simulate_scan(organic(7'000 + 2'000.0 * (seed - 31)), seed, kWidth, kHeight);
        Declaration declared;
        declared.cargo = CargoClass::organic;
        const auto analysis = analyse_scan(simulated.scan, declared);
        ASSERT_TRUE(analysis.implied_cargo_mass_kg) << seed;
        EXPECT_NEAR(*analysis.implied_cargo_mass_kg / simulated.rendered_cargo_mass_kg, 1.0, 0.25)
            << seed;
    }
}

TEST(SimulateScan, RefusesTinyImages) {
    EXPECT_THROW(simulate_scan(organic(1'000), 1, 100, 300), std::invalid_argument);
    EXPECT_THROW(simulate_scan(organic(1'000), 1, 1'000, 20), std::invalid_argument);
}

TEST(RandomScenario, DrawsADailyMix) {
    int empty = 0, hidden = 0;
    std::array<int, 5> classes{};
    for (std::uint64_t seed = 0; seed < 600; ++seed) {
        const auto scenario = random_scenario(seed);
        EXPECT_EQ(scenario.cargo_mass_kg, random_scenario(seed).cargo_mass_kg);
        empty += scenario.empty ? 1 : 0;
        hidden += scenario.concealment != Concealment::none ? 1 : 0;
        if (scenario.empty)
            continue;
        classes[static_cast<std::size_t>(scenario.cargo)] += 1;
        EXPECT_GT(scenario.cargo_mass_kg, 100);
        EXPECT_LE(scenario.cargo_mass_kg, scenario.length_ft == 20 ? 25'000 : 28'000);
        EXPECT_TRUE(scenario.length_ft == 20 || scenario.length_ft == 40 ||
                    scenario.length_ft == 45);
    }
    EXPECT_NEAR(empty / 600.0, 0.15, 0.05);
    EXPECT_EQ(hidden, 0);
    EXPECT_GT(classes[static_cast<std::size_t>(CargoClass::organic)],
              classes[static_cast<std::size_t>(CargoClass::metal)]);
}

TEST(RandomScenario, FollowsTheSharesOfAMix) {
    ScenarioMix mix;
    mix.empty = 0.1;
    mix.empty_but_loaded = 0.1;
    mix.concealment = 0.4;
    int declared_empty = 0, truly_empty = 0, concealed = 0, dense = 0;
    for (std::uint64_t seed = 0; seed < 1'000; ++seed) {
        const auto s = random_scenario(seed, mix);
        declared_empty += s.declared_empty ? 1 : 0;
        truly_empty += s.empty && s.concealment == Concealment::none ? 1 : 0;
        if (!s.declared_empty && s.concealment != Concealment::none) {
            ++concealed;
            if (s.concealment == Concealment::dense_object) {
                ++dense;
                EXPECT_TRUE(s.cargo == CargoClass::organic || s.cargo == CargoClass::mixed);
            }
        }
    }
    EXPECT_NEAR(declared_empty / 1'000.0, 0.2, 0.04);
    EXPECT_NEAR(truly_empty / 1'000.0, 0.1, 0.03);
    EXPECT_NEAR(concealed / 1'000.0, 0.4, 0.05);
    EXPECT_NEAR(dense / static_cast<double>(concealed), 0.5, 0.08);
}

} // namespace
} // namespace portscreen::scanner_io
