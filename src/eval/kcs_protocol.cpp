#include "eval/kcs_protocol.hpp"

#include "gbt_model.hpp"
#include "ranking.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <stdexcept>

namespace portscreen::eval {
namespace {

std::vector<profiling::Declaration> declarations(const std::vector<KcsRow>& rows) {
    std::vector<profiling::Declaration> out;
    out.reserve(rows.size());
    for (const auto& row : rows)
        out.push_back(row.declaration);
    return out;
}

std::vector<profiling::Outcome> outcomes(const std::vector<KcsRow>& rows) {
    std::vector<profiling::Outcome> out;
    out.reserve(rows.size());
    for (const auto& row : rows)
        out.push_back(row.outcome);
    return out;
}

std::vector<float> fraud_labels(const std::vector<KcsRow>& rows) {
    std::vector<float> out;
    out.reserve(rows.size());
    for (const auto& row : rows)
        out.push_back(row.outcome == profiling::Outcome::clean ? 0.0f : 1.0f);
    return out;
}

/// Mean of validation precision at 5% and 10%, the figures the protocol is judged on.
double selection_score(const std::vector<ShareFigures>& figures) {
    double sum = 0;
    for (const auto& figure : figures)
        if (figure.percent == 5 || figure.percent == 10)
            sum += figure.precision;
    return sum / 2;
}

struct Candidate {
    int max_depth;
    double min_child_weight;
};

} // namespace

KcsSplits read_kcs_splits(const std::filesystem::path& dir) {
    KcsSplits splits;
    splits.train = read_kcs_csv(dir / "df_syn_train_eng.csv");
    splits.valid = read_kcs_csv(dir / "df_syn_valid_eng.csv");
    splits.test = read_kcs_csv(dir / "df_syn_test_eng.csv");
    return splits;
}

std::vector<ShareFigures> share_figures(const std::vector<float>& scores,
                                        const std::vector<KcsRow>& rows) {
    std::vector<std::uint8_t> fraud;
    std::vector<std::uint8_t> critical;
    for (const auto& row : rows) {
        fraud.push_back(row.outcome != profiling::Outcome::clean ? 1 : 0);
        critical.push_back(row.outcome == profiling::Outcome::critical ? 1 : 0);
    }
    std::vector<ShareFigures> out;
    for (const int percent : kSharesPercent) {
        const std::size_t k = profiling::top_count(rows.size(), percent / 100.0);
        const auto caught = profiling::top_k(scores, fraud, k);
        const auto caught_critical = profiling::top_k(scores, critical, k);
        out.push_back({percent, k, caught.precision, caught.recall, caught_critical.recall});
    }
    return out;
}

KcsReport run_kcs_protocol(const KcsSplits& splits, const KcsOptions& options) {
    if (splits.train.empty() || splits.valid.empty() || splits.test.empty())
        throw std::invalid_argument("kcs protocol needs rows in train, valid and test");
    const auto start = std::chrono::steady_clock::now();

    profiling::DeclarationEncoder encoder;
    const auto train_x = encoder.fit_transform(declarations(splits.train), outcomes(splits.train));
    const auto valid_x = encoder.transform(declarations(splits.valid));
    const auto test_x = encoder.transform(declarations(splits.test));
    const auto train_y = fraud_labels(splits.train);
    const auto valid_y = fraud_labels(splits.valid);

    const Candidate candidates[] = {{4, 1.0}, {6, 1.0}, {8, 1.0}};
    KcsReport report;
    report.features = train_x.cols();
    std::optional<profiling::GbtModel> best;
    double best_score = -1;
    for (const auto& candidate : candidates) {
        profiling::GbtParams params;
        params.max_depth = candidate.max_depth;
        params.min_child_weight = candidate.min_child_weight;
        params.learning_rate = 0.1;
        params.max_rounds = 1500;
        params.subsample = 0.8;
        params.colsample_bytree = 0.8;
        params.threads = options.threads;
        params.seed = options.seed;
        params.early_stopping_rounds = 100;
        params.eval_metric = "aucpr";
        auto model = profiling::GbtModel::train({&train_x, train_y}, params, {&valid_x, valid_y});
        const auto figures = share_figures(model.predict(valid_x), splits.valid);
        const double score = selection_score(figures);
        if (score > best_score) {
            best_score = score;
            report.valid = figures;
            report.rounds = model.rounds();
            report.chosen = "max_depth " + std::to_string(candidate.max_depth) +
                            ", min_child_weight " +
                            std::to_string(static_cast<int>(candidate.min_child_weight)) +
                            ", eta 0.1, subsample 0.8, colsample 0.8";
            best = std::move(model);
        }
    }
    report.train_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    report.test = share_figures(best->predict(test_x), splits.test);
    // Explain the rows an officer would inspect (the top 10%): SHAP over every test row would
    // cost more than the training.
    const auto order = profiling::rank_rows(best->predict(test_x));
    profiling::FeatureMatrix inspected;
    inspected.names = test_x.names;
    inspected.rows = profiling::top_count(test_x.rows, 0.10);
    for (std::size_t rank = 0; rank < inspected.rows; ++rank) {
        const auto* row = &test_x.values[order[rank] * test_x.cols()];
        inspected.values.insert(inspected.values.end(), row, row + test_x.cols());
    }
    const auto contributions = best->contributions(inspected);
    std::vector<std::pair<std::string, double>> importance;
    for (std::size_t col = 0; col < train_x.cols(); ++col) {
        double sum = 0;
        for (std::size_t row = 0; row < contributions.rows; ++row)
            sum += std::abs(contributions.values[row * contributions.cols + col]);
        importance.emplace_back(train_x.names[col], sum / static_cast<double>(contributions.rows));
    }
    std::stable_sort(importance.begin(), importance.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    importance.resize(std::min<std::size_t>(importance.size(), 10));
    report.top_features = std::move(importance);
    return report;
}

} // namespace portscreen::eval
