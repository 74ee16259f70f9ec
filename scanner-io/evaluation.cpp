#include "evaluation.hpp"

#include "gbt_model.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace portscreen::scanner_io {
namespace {

std::uint64_t mix_seed(std::uint64_t value) {
    value += 0x9e3779b97f4a7c15ULL;
    value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
    value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
    return value ^ (value >> 31);
}

/// What one scan of the set gave.
struct Outcome {
    std::uint64_t seed = 0;
    ScanScenario scenario;
    CargoClass declared = CargoClass::unknown;
    std::string detail;
    std::vector<AnomalyRegion> truth;
    bool loaded = false;
    double load_score = 0;
    double anomaly_score = 0;
    std::vector<AnomalyRegion> anomalies;
    std::optional<double> mass_ratio;
    bool inconsistent = false;
    double simulate_ms = 0;
    double analyse_ms = 0;
};

/// The manifest a trader would file for the scenario: the cargo class (unknown for one in ten,
/// as when the HS code is missing), the gross mass from the cargo plus a typical tare.
Declaration declaration_for(const ScanScenario& scenario, double cargo_mass_kg,
                            std::uint64_t seed) {
    Declaration declared;
    declared.length_ft = scenario.length_ft;
    declared.empty = scenario.declared_empty;
    const double tare = typical_tare_kg(scenario.length_ft);
    declared.tare_mass_kg = tare;
    declared.gross_mass_kg = declared.empty ? tare : tare + cargo_mass_kg;
    declared.cargo = declared.empty || mix_seed(seed ^ 0xdec1a7edULL) % 10 == 0
                         ? CargoClass::unknown
                         : scenario.cargo;
    return declared;
}

bool overlaps(const AnomalyRegion& a, const AnomalyRegion& b) {
    return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height &&
           b.y < a.y + a.height;
}

/// The score at or below which at most `share` of `clean` lie above (detection is score >
/// threshold).
double threshold_for(std::vector<double> clean, double share) {
    if (clean.empty())
        return 0;
    std::sort(clean.begin(), clean.end(), std::greater<>());
    const auto allowed = static_cast<std::size_t>(std::floor(share * clean.size() + 1e-9));
    return allowed < clean.size() ? clean[allowed] : 0.0;
}

/// A region above `threshold` overlaps where the concealment is.
bool localised(const Outcome& outcome, double threshold) {
    return std::any_of(outcome.anomalies.begin(), outcome.anomalies.end(), [&](const auto& region) {
        return region.score > threshold &&
               std::any_of(outcome.truth.begin(), outcome.truth.end(),
                           [&](const auto& truth) { return overlaps(region, truth); });
    });
}

const char* group_of(const ScanScenario& s) {
    if (s.declared_empty)
        return !s.empty || s.concealment != Concealment::none ? "empty_but_loaded" : "empty";
    if (s.empty)
        return "empty"; // not in the evaluation's mix
    return s.concealment == Concealment::none ? "clean" : concealment_kind(s.concealment);
}

double share_above(const std::vector<double>& scores, double threshold) {
    if (scores.empty())
        return 0;
    const auto above =
        std::count_if(scores.begin(), scores.end(), [&](double s) { return s > threshold; });
    return static_cast<double>(above) / static_cast<double>(scores.size());
}

/// Runs `work` on `threads` threads, this one among them, and returns when all are done.
void run_on_threads(int threads, const std::function<void()>& work) {
    std::vector<std::jthread> pool;
    for (int t = 1; t < threads; ++t)
        pool.emplace_back(work);
    work();
}

/// Scan `index` of the labelled set of `seed`: what evaluate_images and the trainer both see.
std::uint64_t scan_seed(std::uint64_t seed, int index) {
    return mix_seed(seed * 1'000'003ULL + static_cast<std::uint64_t>(index));
}

/// The labelled candidates of the sets of `seeds`, generated on `threads` threads.
struct LabelledCandidates {
    profiling::FeatureMatrix features;
    std::vector<float> labels;
};

LabelledCandidates labelled_candidates(const std::vector<std::uint64_t>& seeds,
                                       const DenseTrainingOptions& options) {
    const int total = static_cast<int>(seeds.size()) * options.count;
    std::vector<DenseCandidates> found(static_cast<std::size_t>(total));
    std::vector<std::vector<float>> labels(found.size());
    std::atomic<int> next{0};
    const auto work = [&] {
        for (int job = next++; job < total; job = next++) {
            const std::uint64_t seed = scan_seed(
                seeds[static_cast<std::size_t>(job / options.count)], job % options.count);
            const ScanScenario scenario = random_scenario(seed, options.mix);
            const bool clean = !scenario.declared_empty && !scenario.empty &&
                               scenario.concealment == Concealment::none;
            if (!clean && scenario.concealment != Concealment::dense_object)
                continue;
            const SimulatedScan simulated =
                simulate_scan(scenario, seed, options.width, options.height);
            if (!clean && (scenario.declared_empty || simulated.concealment_detail == "drugs"))
                continue;
            DenseCandidates& candidates = found[static_cast<std::size_t>(job)];
            analyse_scan(simulated.scan,
                         declaration_for(scenario, simulated.rendered_cargo_mass_kg, seed),
                         &candidates);
            auto& label = labels[static_cast<std::size_t>(job)];
            for (const PixelBox& box : candidates.boxes) {
                const AnomalyRegion region{box.x, box.y, box.width, box.height, 0, ""};
                const bool on_object = std::any_of(
                    simulated.truth.begin(), simulated.truth.end(),
                    [&](const AnomalyRegion& truth) { return overlaps(region, truth); });
                label.push_back(clean ? 0.0F : on_object ? 1.0F : -1.0F);
            }
        }
    };
    run_on_threads(options.threads, work);
    LabelledCandidates out;
    out.features.names.assign(kDenseFeatureNames.begin(), kDenseFeatureNames.end());
    const std::size_t width = kDenseFeatureNames.size();
    for (std::size_t job = 0; job < found.size(); ++job) {
        for (std::size_t row = 0; row < labels[job].size(); ++row) {
            if (labels[job][row] < 0)
                continue; // beside a hidden object in its scan: neither label fits
            const auto first =
                found[job].features.begin() + static_cast<std::ptrdiff_t>(row * width);
            out.features.values.insert(out.features.values.end(), first,
                                       first + static_cast<std::ptrdiff_t>(width));
            ++out.features.rows;
            out.labels.push_back(labels[job][row]);
        }
    }
    return out;
}

} // namespace

DenseTraining train_dense_object_model(const DenseTrainingOptions& options) {
    if (options.train_seeds.empty())
        throw std::invalid_argument("training the dense-object model needs a training seed");
    if (options.count < 1)
        throw std::invalid_argument("training needs a count of at least 1, not " +
                                    std::to_string(options.count));
    if (options.threads < 1)
        throw std::invalid_argument("training needs at least 1 thread, not " +
                                    std::to_string(options.threads));
    const auto started = std::chrono::steady_clock::now();
    const LabelledCandidates train = labelled_candidates(options.train_seeds, options);
    const LabelledCandidates validation = labelled_candidates(options.validation_seeds, options);
    // Shallow trees and subsampling: the candidates of one scan are alike, so there are far
    // fewer independent examples than rows.
    profiling::GbtParams params;
    params.max_depth = 4;
    params.learning_rate = 0.1;
    params.max_rounds = 800;
    params.subsample = 0.8;
    params.colsample_bytree = 0.8;
    params.min_child_weight = 5;
    params.threads = options.threads;
    const profiling::GbtModel model = profiling::GbtModel::train(
        {&train.features, train.labels}, params, {&validation.features, validation.labels});
    DenseTraining out;
    out.scans = static_cast<int>(options.train_seeds.size() + options.validation_seeds.size()) *
                options.count;
    out.train_candidates = static_cast<int>(train.features.rows);
    out.train_positives =
        static_cast<int>(std::count(train.labels.begin(), train.labels.end(), 1.0F));
    out.validation_candidates = static_cast<int>(validation.features.rows);
    out.rounds = model.rounds();
    out.validation_logloss = model.best_score();
    out.model = model.serialize();
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return out;
}

ImageEvaluation evaluate_images(const ImageEvaluationOptions& options) {
    if (options.count < 1)
        throw std::invalid_argument("image evaluation needs a count of at least 1, not " +
                                    std::to_string(options.count));
    if (options.threads < 1)
        throw std::invalid_argument("image evaluation needs at least 1 thread, not " +
                                    std::to_string(options.threads));
    const auto started = std::chrono::steady_clock::now();
    std::vector<Outcome> outcomes(static_cast<std::size_t>(options.count));
    std::atomic<int> next{0};
    const auto work = [&] {
        for (int idx = next++; idx < options.count; idx = next++) {
            const std::uint64_t seed = scan_seed(options.seed, idx);
            Outcome& outcome = outcomes[static_cast<std::size_t>(idx)];
            outcome.scenario = random_scenario(seed, options.mix);
            const auto t0 = std::chrono::steady_clock::now();
            const SimulatedScan simulated =
                simulate_scan(outcome.scenario, seed, options.width, options.height);
            const auto t1 = std::chrono::steady_clock::now();
            const Declaration declared =
                declaration_for(outcome.scenario, simulated.rendered_cargo_mass_kg, seed);
            const ScanAnalysis analysis = analyse_scan(simulated.scan, declared);
            const auto t2 = std::chrono::steady_clock::now();
            outcome.seed = seed;
            outcome.declared = declared.cargo;
            outcome.load_score = analysis.load_score;
            outcome.truth = simulated.truth;
            outcome.detail = simulated.concealment_detail;
            outcome.loaded = analysis.loaded;
            outcome.anomaly_score = analysis.anomaly_score;
            outcome.anomalies = analysis.anomalies;
            outcome.mass_ratio = analysis.mass_ratio;
            outcome.inconsistent = analysis.density_inconsistent;
            outcome.simulate_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
            outcome.analyse_ms = std::chrono::duration<double, std::milli>(t2 - t1).count();
        }
    };
    run_on_threads(options.threads, work);

    ImageEvaluation report;
    report.seed = options.seed;
    report.count = options.count;
    report.width = options.width;
    report.height = options.height;
    std::array<EmptyLoadFigures, 3> empty_loads{EmptyLoadFigures{"few_items"},
                                                EmptyLoadFigures{"partial"},
                                                EmptyLoadFigures{"compartment"}};
    std::vector<double> clean_scores, ratios;
    std::array<std::vector<const Outcome*>, 3> concealed_by_kind;
    for (const auto& outcome : outcomes) {
        report.simulate_ms += outcome.simulate_ms;
        report.analyse_ms += outcome.analyse_ms;
        const ScanScenario& s = outcome.scenario;
        if (s.declared_empty) {
            ++report.declared_empty;
            const bool holds_something = !s.empty || s.concealment != Concealment::none;
            if (!holds_something) {
                ++report.truly_empty;
                report.empty_false_alarms += outcome.loaded ? 1 : 0;
                continue;
            }
            ++report.empty_but_loaded;
            report.empty_detected += outcome.loaded ? 1 : 0;
            auto& figures = empty_loads[s.empty ? 2 : s.pattern == LoadPattern::few_items ? 0 : 1];
            ++figures.count;
            figures.detected += outcome.loaded ? 1 : 0;
            continue;
        }
        if (s.empty)
            continue; // not in this mix: an empty container declared loaded
        if (s.concealment == Concealment::none) {
            clean_scores.push_back(outcome.anomaly_score);
            if (outcome.mass_ratio)
                ratios.push_back(*outcome.mass_ratio);
            report.density_inconsistent_clean += outcome.inconsistent ? 1 : 0;
            continue;
        }
        concealed_by_kind[static_cast<std::size_t>(s.concealment) - 1].push_back(&outcome);
    }
    report.simulate_ms /= options.count;
    report.analyse_ms /= options.count;
    report.empty_detection_rate =
        report.empty_but_loaded
            ? static_cast<double>(report.empty_detected) / report.empty_but_loaded
            : 0.0;
    report.empty_false_alarm_rate =
        report.truly_empty ? static_cast<double>(report.empty_false_alarms) / report.truly_empty
                           : 0.0;
    report.empty_loads.assign(empty_loads.begin(), empty_loads.end());

    report.clean_loaded = static_cast<int>(clean_scores.size());
    report.threshold_1pct = threshold_for(clean_scores, 0.01);
    report.threshold_5pct = threshold_for(clean_scores, 0.05);
    report.false_alarm_1pct = share_above(clean_scores, report.threshold_1pct);
    report.false_alarm_5pct = share_above(clean_scores, report.threshold_5pct);
    const auto figures_of = [&](std::string name, const std::vector<const Outcome*>& group) {
        KindFigures figures;
        figures.kind = std::move(name);
        std::vector<double> scores;
        int found = 0;
        for (const Outcome* outcome : group) {
            scores.push_back(outcome->anomaly_score);
            found += localised(*outcome, report.threshold_5pct) ? 1 : 0;
        }
        figures.count = static_cast<int>(scores.size());
        figures.detection_at_1pct_fa = share_above(scores, report.threshold_1pct);
        figures.detection_at_5pct_fa = share_above(scores, report.threshold_5pct);
        figures.localised_at_5pct_fa =
            scores.empty() ? 0.0 : static_cast<double>(found) / static_cast<double>(scores.size());
        return figures;
    };
    std::vector<double> all_concealed, hidden_objects;
    std::map<std::string, std::vector<const Outcome*>> by_detail;
    for (std::size_t kind = 0; kind < concealed_by_kind.size(); ++kind) {
        const std::string name = concealment_kind(static_cast<Concealment>(kind + 1));
        report.kinds.push_back(figures_of(name, concealed_by_kind[kind]));
        for (const Outcome* outcome : concealed_by_kind[kind]) {
            all_concealed.push_back(outcome->anomaly_score);
            if (outcome->scenario.concealment == Concealment::dense_object &&
                outcome->detail != "drugs")
                hidden_objects.push_back(outcome->anomaly_score);
            by_detail[name + "/" + outcome->detail].push_back(outcome);
        }
    }
    for (const auto& [name, group] : by_detail)
        report.details.push_back(figures_of(name, group));
    report.concealed = static_cast<int>(all_concealed.size());
    report.concealment_detection_at_1pct_fa = share_above(all_concealed, report.threshold_1pct);
    report.concealment_detection_at_5pct_fa = share_above(all_concealed, report.threshold_5pct);
    report.hidden_objects = static_cast<int>(hidden_objects.size());
    report.hidden_detection_at_1pct_fa = share_above(hidden_objects, report.threshold_1pct);
    report.hidden_detection_at_5pct_fa = share_above(hidden_objects, report.threshold_5pct);
    if (!ratios.empty()) {
        std::sort(ratios.begin(), ratios.end());
        report.median_mass_ratio = ratios[ratios.size() / 2];
    }
    std::map<std::string, int> false_alarms;
    for (std::size_t idx = 0; idx < outcomes.size(); ++idx) {
        const Outcome& outcome = outcomes[idx];
        ScanOutcome scan;
        scan.index = static_cast<int>(idx);
        scan.scan_seed = outcome.seed;
        scan.group = group_of(outcome.scenario);
        scan.detail = outcome.detail;
        scan.length_ft = outcome.scenario.length_ft;
        scan.cargo = outcome.scenario.empty ? CargoClass::unknown : outcome.scenario.cargo;
        scan.declared = outcome.declared;
        scan.loaded = outcome.loaded;
        scan.load_score = outcome.load_score;
        scan.anomaly_score = outcome.anomaly_score;
        if (!outcome.anomalies.empty())
            scan.strongest = outcome.anomalies.front();
        scan.truth = outcome.truth;
        scan.flagged_5pct = outcome.anomaly_score > report.threshold_5pct;
        scan.localised_5pct = localised(outcome, report.threshold_5pct);
        if (scan.group == "clean" && scan.flagged_5pct)
            ++false_alarms[scan.strongest->kind + " in " + cargo_class_name(scan.declared)];
        report.scans.push_back(std::move(scan));
    }
    report.false_alarms_5pct.assign(false_alarms.begin(), false_alarms.end());
    std::stable_sort(report.false_alarms_5pct.begin(), report.false_alarms_5pct.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
}

} // namespace portscreen::scanner_io
