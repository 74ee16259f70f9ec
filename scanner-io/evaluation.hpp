#pragma once

#include "simulate.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

/// Measures the scan analysis on a labelled set of simulated scans: empty-container verification
/// and hidden-object detection, as a customs unit would judge them.
namespace portscreen::scanner_io {

struct ImageEvaluationOptions {
    std::uint64_t seed = 1;
    int count = 1'000;
    int threads = 2;
    int width = 6'000;
    int height = 1'200;
    /// The labelled set: 12% declared and truly empty, 8% declared empty but holding something,
    /// 30% loaded with a concealment (40% dense objects, 30% wall, 30% floor compartments), the
    /// rest loaded and clean.
    ScenarioMix mix{0.12, 0.08, 0.30, 0.4, 0.3};
};

/// Detection of one kind of hidden object at the two false-alarm budgets.
struct KindFigures {
    std::string kind;
    int count = 0;
    double detection_at_1pct_fa = 0;
    double detection_at_5pct_fa = 0;
    /// At 5% false alarms, and a region above the threshold overlaps the truth box.
    double localised_at_5pct_fa = 0;
};

/// Empty verification of one kind of declared-empty container that holds something.
struct EmptyLoadFigures {
    std::string kind; ///< "few_items", "partial", "compartment"
    int count = 0;
    int detected = 0;
};

/// One scan of the set as the analysis saw it: what was missed and what raised a false alarm.
struct ScanOutcome {
    int index = 0;
    std::uint64_t scan_seed = 0; ///< simulate_scan's seed for this scan
    /// "empty", "empty_but_loaded", "clean", or the concealment kind ("dense_object", ...)
    std::string group;
    std::string detail; ///< what was hidden ("steel", "front_wall", ...), empty for none
    int length_ft = 40;
    CargoClass cargo = CargoClass::unknown;    ///< what was loaded
    CargoClass declared = CargoClass::unknown; ///< what the manifest said
    bool loaded = false;
    double load_score = 0;
    double anomaly_score = 0;
    std::optional<AnomalyRegion> strongest; ///< the strongest anomaly region, if any
    std::vector<AnomalyRegion> truth;       ///< where the concealment is
    bool flagged_5pct = false;              ///< anomaly_score above the 5% threshold
    bool localised_5pct = false;            ///< a region above that threshold overlaps the truth
};

struct ImageEvaluation {
    std::uint64_t seed = 0;
    int count = 0;
    int width = 0;
    int height = 0;

    // Empty-container verification over the scans declared empty, at the analysis's own
    // `loaded` decision.
    int declared_empty = 0;
    int truly_empty = 0;
    int empty_but_loaded = 0;
    int empty_detected = 0;     ///< loaded ones flagged loaded
    int empty_false_alarms = 0; ///< truly empty ones flagged loaded
    double empty_detection_rate = 0;
    double empty_false_alarm_rate = 0;
    std::vector<EmptyLoadFigures> empty_loads;

    // Concealments in loaded containers, from the ROC of anomaly_score: thresholds chosen so
    // that at most 1% (5%) of the clean loaded scans score above them.
    int clean_loaded = 0;
    int concealed = 0;
    double threshold_1pct = 0;
    double threshold_5pct = 0;
    double false_alarm_1pct = 0; ///< share of clean scans above the threshold (at most 1%)
    double false_alarm_5pct = 0;
    /// Hidden objects: the dense ones (steel, lead, dense inorganic goods) the 90% target is set
    /// for. Packed drugs, as light as organic cargo, are reported under their own detail.
    int hidden_objects = 0;
    double hidden_detection_at_1pct_fa = 0;
    double hidden_detection_at_5pct_fa = 0;
    /// Every concealment: hidden objects, packed drugs, false walls, side panels and floors.
    double concealment_detection_at_1pct_fa = 0;
    double concealment_detection_at_5pct_fa = 0;
    std::vector<KindFigures> kinds; ///< dense_object, wall_compartment, floor_compartment
    /// The same by what was hidden ("dense_object/steel", "wall_compartment/front_wall", ...).
    std::vector<KindFigures> details;

    /// False alarms at the 5% budget by the strongest region's kind and the declared cargo
    /// class ("dense_object in organic", ...), most first.
    std::vector<std::pair<std::string, int>> false_alarms_5pct;

    // Other checks on loaded scans.
    double median_mass_ratio = 0;       ///< implied / declared cargo mass, loaded clean scans
    int density_inconsistent_clean = 0; ///< clean loaded scans flagged inconsistent

    double seconds = 0;
    double simulate_ms = 0; ///< mean per scan (one thread)
    double analyse_ms = 0;  ///< mean per scan (one thread)

    std::vector<ScanOutcome> scans; ///< in index order
};

/// What the dense-object model is trained on: the labelled sets of `train_seeds` (the same
/// scans `evaluate_images` generates from those seeds), with early stopping on those of
/// `validation_seeds`.
struct DenseTrainingOptions {
    std::vector<std::uint64_t> train_seeds;
    std::vector<std::uint64_t> validation_seeds;
    int count = 1'000; ///< scans per seed
    int threads = 2;
    int width = 6'000;
    int height = 1'200;
    ScenarioMix mix = ImageEvaluationOptions{}.mix;
};

struct DenseTraining {
    int scans = 0;            ///< scans generated, both parts
    int train_candidates = 0; ///< labelled candidates trained on
    int train_positives = 0;  ///< of them, on a hidden steel, lead or dense inorganic object
    int validation_candidates = 0;
    int rounds = 0; ///< trees kept (early stopping)
    double validation_logloss = 0;
    std::vector<std::uint8_t> model; ///< XGBoost JSON, for models/dense_objects.json
    double seconds = 0;
};

/// Trains the dense-object model. A candidate is labelled 1 when its box overlaps a hidden
/// steel, lead or dense inorganic object, 0 when its scan is a clean load; candidates of other
/// scans (declared empty, walls, floors, packed drugs) are left out. Throws
/// std::invalid_argument for no training seed, a count below 1 or threads below 1.
DenseTraining train_dense_object_model(const DenseTrainingOptions& options);

/// Generates `count` scans from `seed` (scan i from a seed derived from both, so the figures do
/// not depend on the number of threads), analyses each against its declaration and computes the
/// figures. Throws std::invalid_argument for a count below 1 or threads below 1.
ImageEvaluation evaluate_images(const ImageEvaluationOptions& options);

} // namespace portscreen::scanner_io
