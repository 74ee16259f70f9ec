#include "eval/cli.hpp"

#include "common/args.hpp"
#include "common/durable_file.hpp"
#include "eval/kcs_protocol.hpp"
#include "evaluation.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <stdexcept>

namespace portscreen::eval {

const char* const kHelp = R"(usage: portscreen eval kcs DIR [--seed S] [--json]
       portscreen eval images [--seed S] [--count N] [--threads T] [--width W] [--height H]
                              [--scans FILE] [--json]
       portscreen eval train-dense-objects --train A-B [--validation C-D] [--count N]
                              [--threads T] --out FILE

kcs: runs the published protocol of the KCS synthetic customs import declarations (Jeong et al.
2022) on the files df_syn_{train,valid,test}_eng.csv in DIR. Fits the declaration features and
trains gradient-boosted trees on train, chooses settings and stops early on valid only, then
ranks test once and prints precision and recall of Fraud and recall of Critical Fraud (label 2)
when inspecting the top 1%, 2%, 5% and 10% (k = floor(n x rows), ties by row order). With
--json the last line is one JSON object with the test figures and train_seconds. The same seed
gives the same figures.

  --seed S   default 1

images: generates a labelled set of simulated dual-energy container scans from seed S (12%
declared and truly empty, 8% declared empty but holding a few items, a partial load or goods in
a wall or floor compartment, 30% loaded with a concealment: 40% dense objects inside organic or
mixed cargo, 30% wall, 30% floor compartments; the rest loaded and clean), analyses each against
its declaration and reports empty-container verification (detection of the loaded ones and false
alarms on the truly empty ones, at the analysis's own decision) and detection at 1% and 5% false
alarms on clean loaded scans (thresholds from the anomaly-score ROC) of hidden objects (steel,
lead, dense inorganic goods; hidden_detection_at_*), of every concealment, by kind and by what
was hidden, and which detector raised the false alarms at 5%. With --json it prints one JSON
object only.

  --seed S      default 1
  --count N     scans, default 1000
  --threads T   default 2
  --width W     pixels along the scan, default 6000 (spacing follows: 14.4 m field)
  --height H    pixels down the detector, default 1200
  --scans FILE  also writes one CSV row per scan: its group, what was hidden and where, the
                cargo loaded and declared, the analysis's scores and strongest region, and
                whether it is above the 5% threshold (a false alarm when the load is clean)

train-dense-objects: trains the dense-object detector's model on the labelled sets of seeds A to
B (the scans `eval images` generates from them), stopping early on those of seeds C to D, and
writes it to FILE (XGBoost JSON). The library builds in scanner-io/models/dense_objects.json:
train with seeds that `eval images` is not then run on.

  --count N     scans per seed, default 1000
  --threads T   default 2
)";

namespace {

void print_table(const char* title, const std::vector<ShareFigures>& figures) {
    std::printf("%s\n  top    k     precision  recall  critical recall\n", title);
    for (const auto& figure : figures)
        std::printf("  %3d%%  %5zu  %9.3f  %6.3f  %15.3f\n", figure.percent, figure.k,
                    figure.precision, figure.recall, figure.critical_recall);
}

nlohmann::json by_percent(const std::vector<ShareFigures>& figures, double ShareFigures::*member) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& figure : figures)
        out[std::to_string(figure.percent)] = figure.*member;
    return out;
}

int run_kcs(const std::vector<std::string>& argv) {
    Args args(argv, {"seed"}, {"json"});
    if (args.positional().size() != 1)
        throw std::invalid_argument("kcs needs exactly one data folder DIR");
    KcsOptions options;
    options.seed = static_cast<std::uint64_t>(args.number_or("seed", 1, 0, 1'000'000'000));
    const KcsSplits splits = read_kcs_splits(args.positional()[0]);
    std::printf("rows: train %zu, valid %zu, test %zu\n", splits.train.size(), splits.valid.size(),
                splits.test.size());
    const KcsReport report = run_kcs_protocol(splits, options);
    std::printf("features: %zu; chosen on valid: %s; %d trees; trained in %.1f s\n",
                report.features, report.chosen.c_str(), report.rounds, report.train_seconds);
    print_table("valid (chosen settings)", report.valid);
    print_table("test", report.test);
    std::printf("largest mean |contribution| on the top 10%% of test:");
    for (const auto& [name, value] : report.top_features)
        std::printf(" %s %.3f", name.c_str(), value);
    std::printf("\n");
    if (args.flag("json")) {
        const nlohmann::json out = {
            {"test",
             {{"precision_at", by_percent(report.test, &ShareFigures::precision)},
              {"recall_at", by_percent(report.test, &ShareFigures::recall)},
              {"critical_recall_at", by_percent(report.test, &ShareFigures::critical_recall)}}},
            {"train_seconds", report.train_seconds},
        };
        std::printf("%s\n", out.dump().c_str());
    }
    return 0;
}

nlohmann::json kind_json(const scanner_io::KindFigures& figures) {
    return {{"count", figures.count},
            {"detection_at_1pct_fa", figures.detection_at_1pct_fa},
            {"detection_at_5pct_fa", figures.detection_at_5pct_fa},
            {"localised_at_5pct_fa", figures.localised_at_5pct_fa}};
}

nlohmann::json report_json(const scanner_io::ImageEvaluation& report) {
    nlohmann::json kinds = nlohmann::json::object(), details = nlohmann::json::object(),
                   empty_loads = nlohmann::json::object();
    for (const auto& figures : report.kinds)
        kinds[figures.kind] = kind_json(figures);
    for (const auto& figures : report.details)
        details[figures.kind] = kind_json(figures);
    for (const auto& figures : report.empty_loads)
        empty_loads[figures.kind] = {{"count", figures.count}, {"detected", figures.detected}};
    nlohmann::json false_alarms = nlohmann::json::object();
    for (const auto& [cause, count] : report.false_alarms_5pct)
        false_alarms[cause] = count;
    return {
        {"seed", report.seed},
        {"count", report.count},
        {"width", report.width},
        {"height", report.height},
        {"declared_empty", report.declared_empty},
        {"truly_empty", report.truly_empty},
        {"empty_but_loaded", report.empty_but_loaded},
        {"empty_detection_rate", report.empty_detection_rate},
        {"empty_false_alarm_rate", report.empty_false_alarm_rate},
        {"empty_loads", empty_loads},
        {"clean_loaded", report.clean_loaded},
        {"concealed", report.concealed},
        {"threshold_1pct", report.threshold_1pct},
        {"threshold_5pct", report.threshold_5pct},
        {"false_alarm_1pct", report.false_alarm_1pct},
        {"false_alarm_5pct", report.false_alarm_5pct},
        {"concealment_detection_at_1pct_fa", report.concealment_detection_at_1pct_fa},
        {"concealment_detection_at_5pct_fa", report.concealment_detection_at_5pct_fa},
        {"hidden_objects", report.hidden_objects},
        {"hidden_detection_at_1pct_fa", report.hidden_detection_at_1pct_fa},
        {"hidden_detection_at_5pct_fa", report.hidden_detection_at_5pct_fa},
        {"kinds", kinds},
        {"details", details},
        {"false_alarms_5pct", false_alarms},
        {"median_mass_ratio", report.median_mass_ratio},
        {"density_inconsistent_clean", report.density_inconsistent_clean},
        {"seconds", report.seconds},
        {"simulate_ms_per_scan", report.simulate_ms},
        {"analyse_ms_per_scan", report.analyse_ms},
    };
}

/// The scans of the set, one CSV row each.
std::string scans_csv(const scanner_io::ImageEvaluation& report) {
    std::string out = "index,scan_seed,group,detail,length_ft,cargo,declared_cargo,loaded,"
                      "load_score,anomaly_score,strongest_kind,strongest_score,strongest_x,"
                      "strongest_y,strongest_width,strongest_height,truth_x,truth_y,truth_width,"
                      "truth_height,flagged_5pct,localised_5pct\n";
    const auto box = [](const scanner_io::AnomalyRegion* region) {
        if (!region)
            return std::string(",,,");
        return std::to_string(region->x) + ',' + std::to_string(region->y) + ',' +
               std::to_string(region->width) + ',' + std::to_string(region->height);
    };
    char scores[64];
    for (const auto& scan : report.scans) {
        const scanner_io::AnomalyRegion* strongest = scan.strongest ? &*scan.strongest : nullptr;
        std::snprintf(scores, sizeof scores, "%.4f,%.4f,", scan.load_score, scan.anomaly_score);
        out += std::to_string(scan.index) + ',' + std::to_string(scan.scan_seed) + ',' +
               scan.group + ',' + scan.detail + ',' + std::to_string(scan.length_ft) + ',' +
               scanner_io::cargo_class_name(scan.cargo) + ',' +
               scanner_io::cargo_class_name(scan.declared) + ',' + (scan.loaded ? "1," : "0,") +
               scores + (strongest ? strongest->kind : "") + ',';
        if (strongest) {
            std::snprintf(scores, sizeof scores, "%.4f", strongest->score);
            out += scores;
        }
        out += ',' + box(strongest) + ',' + box(scan.truth.empty() ? nullptr : &scan.truth[0]) +
               ',' + (scan.flagged_5pct ? "1," : "0,") + (scan.localised_5pct ? "1\n" : "0\n");
    }
    return out;
}

void print_kind(const scanner_io::KindFigures& figures) {
    std::printf("  %-32s %5d  %8.3f  %8.3f  %9.3f\n", figures.kind.c_str(), figures.count,
                figures.detection_at_1pct_fa, figures.detection_at_5pct_fa,
                figures.localised_at_5pct_fa);
}

int run_images(const std::vector<std::string>& argv) {
    Args args(argv, {"seed", "count", "threads", "width", "height", "scans"}, {"json"});
    if (!args.positional().empty())
        throw std::invalid_argument("images takes no positional argument, got " +
                                    args.positional()[0]);
    scanner_io::ImageEvaluationOptions options;
    options.seed = static_cast<std::uint64_t>(args.number_or("seed", 1, 0, 1LL << 62));
    options.count = static_cast<int>(args.number_or("count", 1'000, 1, 1'000'000));
    options.threads = static_cast<int>(args.number_or("threads", 2, 1, 64));
    options.width = static_cast<int>(args.number_or("width", 6'000, 200, 20'000));
    options.height = static_cast<int>(args.number_or("height", 1'200, 50, 5'000));
    const auto report = scanner_io::evaluate_images(options);
    if (const auto path = args.get("scans"))
        write_file_durably(*path, scans_csv(report));
    if (args.flag("json")) {
        std::printf("%s\n", report_json(report).dump().c_str());
        return 0;
    }
    std::printf("%d scans of %d x %d from seed %llu in %.1f s (per scan: simulate %.0f ms, "
                "analyse %.0f ms)\n",
                report.count, report.width, report.height,
                static_cast<unsigned long long>(report.seed), report.seconds, report.simulate_ms,
                report.analyse_ms);
    std::printf("empty-container verification: %d declared empty, %d truly empty, %d holding "
                "something\n  detection %.3f, false alarms %.3f\n",
                report.declared_empty, report.truly_empty, report.empty_but_loaded,
                report.empty_detection_rate, report.empty_false_alarm_rate);
    for (const auto& figures : report.empty_loads)
        std::printf("  %-12s %d of %d detected\n", figures.kind.c_str(), figures.detected,
                    figures.count);
    std::printf("concealments: %d clean loaded, %d concealed; thresholds %.3f (1%% FA, actual "
                "%.3f) and %.3f (5%% FA, actual %.3f)\n",
                report.clean_loaded, report.concealed, report.threshold_1pct,
                report.false_alarm_1pct, report.threshold_5pct, report.false_alarm_5pct);
    std::printf("  %-32s %5s  %8s  %8s  %9s\n", "kind", "count", "at 1% FA", "at 5% FA",
                "localised");
    print_kind({"hidden (steel, lead, inorganic)", report.hidden_objects,
                report.hidden_detection_at_1pct_fa, report.hidden_detection_at_5pct_fa, 0.0});
    print_kind({"every concealment", report.concealed, report.concealment_detection_at_1pct_fa,
                report.concealment_detection_at_5pct_fa, 0.0});
    for (const auto& figures : report.kinds)
        print_kind(figures);
    for (const auto& figures : report.details)
        print_kind(figures);
    std::printf("false alarms at 5%% by the strongest region:%s\n",
                report.false_alarms_5pct.empty() ? " none" : "");
    for (const auto& [cause, count] : report.false_alarms_5pct)
        std::printf("  %-32s %5d\n", cause.c_str(), count);
    std::printf("median implied / declared cargo mass on clean loads %.3f; %d clean loads "
                "flagged inconsistent\n",
                report.median_mass_ratio, report.density_inconsistent_clean);
    return 0;
}

/// "A-B" or "A": the seeds from A to B.
std::vector<std::uint64_t> seed_range(const std::string& option, const std::string& text) {
    const auto dash = text.find('-');
    const auto number = [&](const std::string& part) {
        std::size_t used = 0;
        unsigned long long value = 0;
        try {
            value = std::stoull(part, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (part.empty() || used != part.size() || part[0] == '-' || part[0] == '+')
            throw std::invalid_argument("--" + option + " takes seeds A-B, not '" + text + "'");
        return static_cast<std::uint64_t>(value);
    };
    const std::uint64_t first = number(text.substr(0, dash));
    const std::uint64_t last = dash == std::string::npos ? first : number(text.substr(dash + 1));
    if (last < first || last - first >= 1'000)
        throw std::invalid_argument(
            "--" + option + " takes at most 1000 seeds A-B with A <= B, not '" + text + "'");
    std::vector<std::uint64_t> seeds;
    for (std::uint64_t seed = first; seed <= last; ++seed)
        seeds.push_back(seed);
    return seeds;
}

int run_train_dense_objects(const std::vector<std::string>& argv) {
    Args args(argv, {"train", "validation", "count", "threads", "out"}, {});
    if (!args.positional().empty())
        throw std::invalid_argument("train-dense-objects takes no positional argument, got " +
                                    args.positional()[0]);
    const auto train = args.get("train");
    const auto out = args.get("out");
    if (!train || !out)
        throw std::invalid_argument("train-dense-objects needs --train A-B and --out FILE");
    scanner_io::DenseTrainingOptions options;
    options.train_seeds = seed_range("train", *train);
    if (const auto validation = args.get("validation"))
        options.validation_seeds = seed_range("validation", *validation);
    options.count = static_cast<int>(args.number_or("count", 1'000, 1, 1'000'000));
    options.threads = static_cast<int>(args.number_or("threads", 2, 1, 64));
    const auto trained = scanner_io::train_dense_object_model(options);
    write_file_durably(*out, std::string_view(reinterpret_cast<const char*>(trained.model.data()),
                                              trained.model.size()));
    std::printf("%d scans in %.0f s; trained on %d candidates (%d on a hidden object), "
                "%d validation candidates; %d trees, validation log loss %.4f; wrote %s\n",
                trained.scans, trained.seconds, trained.train_candidates, trained.train_positives,
                trained.validation_candidates, trained.rounds, trained.validation_logloss,
                out->c_str());
    return 0;
}

} // namespace

int run(const std::vector<std::string>& argv) {
    if (!argv.empty() && argv[0] == "train-dense-objects")
        return run_train_dense_objects(std::vector<std::string>(argv.begin() + 1, argv.end()));
    if (!argv.empty() && argv[0] == "images")
        return run_images(std::vector<std::string>(argv.begin() + 1, argv.end()));
    return run_subcommand(argv, "kcs", kHelp, run_kcs);
}

} // namespace portscreen::eval
