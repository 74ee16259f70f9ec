#pragma once

#include "image.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

/// What a transmission scan shows, compared with what the manifest declares. Pure functions of
/// the pixels and the declaration; every result carries the algorithm version and a confidence.
namespace portscreen::scanner_io {

/// Broad material classes of dual-energy X-ray, by effective atomic number.
enum class Material : std::uint8_t {
    none = 0,         ///< air, or too little attenuation to tell
    organic = 1,      ///< Z below about 10
    inorganic = 2,    ///< about 10 to 20
    metal = 3,        ///< above about 20
    undetermined = 4, ///< too dense for the beam to tell
};

struct MaterialMap {
    int width = 0;
    int height = 0;
    std::vector<Material> classes; ///< row-major, one per pixel
};

/// Per-pixel material class from the ratio of log attenuations (see attenuation.hpp). The ratio
/// is taken on a smoothed copy (noise at low attenuation would scatter it): large scans are first
/// reduced by averaging in attenuation space, so the map's classes come in blocks. Below
/// `kMaterialMinAttenuation` of high-energy attenuation a pixel is `none`; above
/// `kMaterialMaxAttenuation` there is too little signal left to tell (`undetermined`). Between,
/// R at or above `kOrganicRatio` is organic (water 1.23, cellulose 1.23, polyethylene 1.25 for a
/// 4/6 MeV pair), at or above `kInorganicRatio` inorganic (aluminium 1.17, glass and concrete
/// 1.19), below it metal (iron 1.08, copper 1.07, lead 0.96).
MaterialMap classify_materials(const DualEnergyScan& scan);

inline constexpr double kMaterialMinAttenuation = 0.1;
inline constexpr double kMaterialMaxAttenuation = 6.2;
inline constexpr double kOrganicRatio = 1.205;
inline constexpr double kInorganicRatio = 1.135;

/// The smoothed dual-energy ratio that classify_materials decides on, on the analysis grid: the
/// scan reduced `factor` times in both directions (1 for scans up to about 1,500 x 300).
struct RatioMap {
    int width = 0;
    int height = 0;
    int factor = 1;
    std::vector<float> ratio;       ///< row-major; NaN where the attenuation is too low to tell
    std::vector<float> attenuation; ///< smoothed high-energy ln(I0/I)
};

RatioMap dual_energy_ratio_map(const DualEnergyScan& scan);

/// What the cargo declared in the manifest is made of, broadly.
enum class CargoClass { unknown, organic, inorganic, metal, mixed };

/// The cargo class of an HS chapter (1-97); unknown outside.
CargoClass cargo_class_for_hs_chapter(int chapter);
const char* cargo_class_name(CargoClass cargo);

/// A typical tare when the manifest gives none: 2,200 kg for 20 ft, 3,700 kg for 40 ft, 4,800 kg
/// for 45 ft dry containers.
double typical_tare_kg(int length_ft);

/// What the manifest says about the scanned container.
struct Declaration {
    bool empty = false;
    std::optional<double> gross_mass_kg;
    std::optional<double> tare_mass_kg;
    CargoClass cargo = CargoClass::unknown;
    int length_ft = 40; ///< 20, 40 or 45, from the ISO size type
};

/// A region that stands out from the rest of the load, in image pixels.
struct AnomalyRegion {
    int x = 0;
    int y = 0;
    int width = 0;
    int height = 0;
    double score = 0; ///< 0-1, higher is more suspicious
    std::string kind; ///< "dense_object", "wall_compartment", "floor_compartment"
};

/// A rectangle in image pixels.
struct PixelBox {
    int x = 0;
    int y = 0;
    int width = 0;
    int height = 0;
};

struct ScanAnalysis {
    std::string algorithm_version;
    double confidence = 0;        ///< 0-1: how far the image can be trusted (penetration, coverage)
    bool container_found = false; ///< the container's interior was found in the image
    PixelBox interior; ///< between the end walls, floor and roof (full-resolution pixels)

    // Empty-container verification.
    bool loaded = false;   ///< something inside beyond the container's own structure
    double load_score = 0; ///< 0-1 evidence of contents; `loaded` is its threshold
    // Load profile.
    double fill_fraction = 0;            ///< share of the interior with cargo in it
    std::vector<double> density_profile; ///< mean cargo attenuation per slice along the container
    double mean_density = 0;             ///< mean cargo attenuation (ln I0/I) where loaded
    double density_spread = 0;           ///< coefficient of variation along the container
    std::optional<double> implied_cargo_mass_kg;
    double organic_share = 0; ///< shares of the loaded area by material class
    double inorganic_share = 0;
    double metal_share = 0;
    double undetermined_share = 0;
    // Anomalies.
    std::vector<AnomalyRegion> anomalies; ///< strongest first
    double anomaly_score = 0;             ///< the strongest region's score, 0 without any

    // Against the manifest.
    bool declared_empty_but_loaded = false;
    std::optional<double> declared_cargo_mass_kg; ///< gross - tare (typical tare when none)
    std::optional<double> mass_ratio;             ///< implied cargo mass / declared cargo mass
    bool density_inconsistent = false; ///< materials or density not those of the declared cargo
};

/// What the dense-object detector measures of each candidate, in the order its model takes
/// them: size; mean and peak of the high-energy top-hat; the stack's attenuation behind it and
/// the total; the metal map's excess over its opening and the ring's dual-energy ratio; how
/// peaked the top-hat is and whether the ring is organic goods; the metal map and its top-hat
/// inside the box, in a 12 cm ring (mean, spread) and a 36 cm ring, and in the box's middle half;
/// the metal map's high-pass noise; the excess over its noise at that attenuation and over the
/// top-hat; and the cargo class declared (organic, mixed, unknown).
inline constexpr std::array<const char*, 27> kDenseFeatureNames{
    "area_cm2",
    "width_mm",
    "height_mm",
    "hat_mean",
    "hat_peak",
    "stack",
    "total",
    "metal_excess",
    "ring_ratio",
    "peakiness",
    "organic_ring",
    "hat_metal_inside",
    "hat_metal_ring",
    "hat_metal_ring_sd",
    "metal_inside",
    "metal_ring",
    "metal_ring_sd",
    "metal_wide_ring",
    "metal_wide_ring_sd",
    "hat_metal_core",
    "metal_core",
    "metal_highpass",
    "excess_z",
    "excess_over_hat",
    "declared_organic",
    "declared_mixed",
    "declared_unknown",
};

/// The dense-object candidates of a scan with their measurements: what the detector's model is
/// trained on.
struct DenseCandidates {
    std::vector<float> features; ///< row-major, kDenseFeatureNames.size() values per candidate
    std::vector<PixelBox> boxes; ///< full-resolution pixels, one per candidate
};

/// Analyses a scan against its declaration. With `candidates`, also appends every dense-object
/// candidate's measurements and box to it.
ScanAnalysis analyse_scan(const DualEnergyScan& scan, const Declaration& declared,
                          DenseCandidates* candidates = nullptr);

} // namespace portscreen::scanner_io
