#pragma once

#include "analysis.hpp"
#include "image.hpp"

#include <cstdint>
#include <string>
#include <vector>

/// A simulated dual-energy cargo scanner: physically grounded transmission images of containers
/// with realistic loads, and hidden objects inserted by threat image projection.
///
/// The model: a 4/6 MeV linac pair seen as two monoenergetic beams at 4 and 6 MeV, Beer-Lambert
/// attenuation with NIST mass attenuation coefficients, a side view of an ISO dry container
/// (corrugated walls, roof, plywood floor on cross members, end frames, doors) and its cargo,
/// then detector blur, photon and electronic noise, per-row gain and offset, dead detector rows,
/// 16-bit quantisation. The field of view is 14.4 m along the scan by 3.3 m down the detector for
/// every scan, so a 45 ft container just fits and a 20 ft one fills less than half the width (the
/// rest is air), as on a scanner whose spacing is fixed by speed and pulse rate.
namespace portscreen::scanner_io {

enum class Concealment { none, dense_object, wall_compartment, floor_compartment };

/// "none", "dense_object", "wall_compartment" or "floor_compartment": the `kind` of the truth
/// region and of the analysis's anomaly regions.
const char* concealment_kind(Concealment concealment);

/// How the cargo of a loaded container is laid out.
enum class LoadPattern {
    full,      ///< stacks along most of the length
    partial,   ///< a group of stacks over a part of the length
    few_items, ///< a few cartons, sacks or pallets
};

/// What is in the container being scanned.
struct ScanScenario {
    int length_ft = 40;
    CargoClass cargo = CargoClass::organic; ///< ignored when empty
    /// No cargo. A wall or floor compartment may still be hidden in the structure.
    bool empty = false;
    double cargo_mass_kg = 10'000;
    Concealment concealment = Concealment::none;
    LoadPattern pattern = LoadPattern::full;
    bool high_cube = false; ///< 2.90 m high instead of 2.59 m (45 ft containers always are)
    /// For labelled sets: the manifest declares the container empty (true for every empty one,
    /// and for the `empty_but_loaded` share of a mix). The rendering ignores it.
    bool declared_empty = false;
};

struct SimulatedScan {
    DualEnergyScan scan;
    ScanScenario scenario;
    std::vector<AnomalyRegion> truth;  ///< where the concealments are (score 1)
    double rendered_cargo_mass_kg = 0; ///< the cargo actually drawn (declared cargo, not hidden)
    double concealed_mass_kg = 0;      ///< what the concealment adds, its structure included
    /// What was hidden: "steel", "lead", "drugs", "inorganic" for dense objects, "front_wall" or
    /// "side_panel" for wall compartments, "floor" for floor compartments; empty for none.
    std::string concealment_detail;
};

/// Renders one scan (width along the container, height down the detector). The same scenario,
/// seed and size give the same pixels. Throws std::invalid_argument for a width below 200 or a
/// height below 50.
SimulatedScan simulate_scan(const ScanScenario& scenario, std::uint64_t seed, int width = 6000,
                            int height = 1200);

/// Shares of a labelled set; each share is of all scans.
struct ScenarioMix {
    double empty = 0.15;           ///< declared empty and truly empty
    double empty_but_loaded = 0.0; ///< declared empty but holding something
    double concealment = 0.0;      ///< loaded with a concealment (dense, wall, floor)
    double dense_share = 0.5;      ///< of the concealments: dense objects
    double wall_share = 0.25;      ///< of the concealments: wall compartments
};

/// A scenario drawn like a port's daily mix: 15% empty, cargo classes organic 45%, mixed 30%,
/// inorganic 15%, metal 10%; 12% of loaded containers partly loaded; masses by class and length
/// (20 ft up to 25 t, 40 and 45 ft up to 28 t, mostly 5-20 t); a third of 40 ft and all 45 ft
/// high cube; no concealment.
ScanScenario random_scenario(std::uint64_t seed);

/// The same daily mix with the shares of `mix`: `empty_but_loaded` scans hold a few items (35%:
/// half 30-150 kg of cartons or sacks, half 150-1,500 kg, pallets likely), a partial load (35%,
/// 0.5-5 t) or goods in a wall or floor compartment (30%); concealed scans hold a dense object
/// inside organic (80%) or mixed cargo (steel 55%, lead 10%, dense inorganic 20%, packed drugs
/// 15%), a wall compartment (a false front wall 15-60 cm deep 65%, a false side panel 1-3.5 m
/// long 35%, contents drugs, cigarettes, cash or arms) or a floor compartment (a false floor
/// 6-15 cm high over 1-5 m, or the whole length for one in five).
ScanScenario random_scenario(std::uint64_t seed, const ScenarioMix& mix);

} // namespace portscreen::scanner_io
