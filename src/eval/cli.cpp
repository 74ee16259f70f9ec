#include "eval/cli.hpp"

#include "common/args.hpp"
#include "eval/kcs_protocol.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <stdexcept>

namespace portscreen::eval {

const char* const kHelp = R"(usage: portscreen eval kcs DIR [--seed S] [--json]

kcs: runs the published protocol of the KCS synthetic customs import declarations (Jeong et al.
2022) on the files df_syn_{train,valid,test}_eng.csv in DIR. Fits the declaration features and
trains gradient-boosted trees on train, chooses settings and stops early on valid only, then
ranks test once and prints precision and recall of Fraud and recall of Critical Fraud (label 2)
when inspecting the top 1%, 2%, 5% and 10% (k = floor(n x rows), ties by row order). With
--json the last line is one JSON object with the test figures and train_seconds. The same seed
gives the same figures.

  --seed S   default 1
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

} // namespace

int run(const std::vector<std::string>& argv) {
    return run_subcommand(argv, "kcs", kHelp, run_kcs);
}

} // namespace portscreen::eval
