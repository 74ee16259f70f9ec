#include "scoring/training.hpp"

#include "common/clock.hpp"
#include "gbt_model.hpp"
#include "ranking.hpp"
#include "score.hpp"
#include "scoring/profile_store.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace portscreen::scoring {
namespace {

struct Labelled {
    profiling::FeatureMatrix features;
    std::vector<float> labels;
};

/// Average precision of a ranking: the mean of the precision at each positive's rank. Rewards
/// putting findings at the top, which is what a capacity-limited selection needs.
double average_precision(std::span<const float> scores, std::span<const float> labels) {
    const auto order = profiling::rank_rows(scores);
    double hits = 0;
    double sum = 0;
    for (std::size_t rank = 0; rank < order.size(); ++rank) {
        if (labels[order[rank]] > 0.5f) {
            hits += 1;
            sum += hits / static_cast<double>(rank + 1);
        }
    }
    return hits > 0 ? sum / hits : 0;
}

/// The rows [from, to) of `all` with the columns named in `names` (NaN for a column the
/// stored features lack).
profiling::FeatureMatrix columns(const profiling::FeatureMatrix& all, std::size_t from,
                                 std::size_t to, const std::vector<std::string>& names) {
    profiling::FeatureMatrix out;
    out.names = names;
    out.rows = to - from;
    out.values.assign(out.rows * names.size(), std::numeric_limits<float>::quiet_NaN());
    for (std::size_t col = 0; col < names.size(); ++col) {
        const auto found = std::find(all.names.begin(), all.names.end(), names[col]);
        if (found == all.names.end())
            continue;
        const auto source = static_cast<std::size_t>(found - all.names.begin());
        for (std::size_t row = from; row < to; ++row)
            out.values[(row - from) * names.size() + col] = all.at(row, source);
    }
    return out;
}

} // namespace

TrainingReport train_model(storage::Database& db, const TrainingOptions& options) {
    const std::vector<std::string> names = profiling::model_feature_names();
    Labelled data;
    data.features.names = names;
    // Oldest first, so the held-out share is the most recent outcomes.
    storage::Statement rows(db, "SELECT o.result, s.features FROM outcomes o "
                                "JOIN scores s ON s.container_id = o.container_id "
                                "ORDER BY o.inspected_on, o.container_id");
    while (rows.step()) {
        const std::string blob = rows.column_blob(1);
        if (blob.size() != names.size() * sizeof(float))
            continue; // scored by a program with other features
        const std::size_t at = data.features.values.size();
        data.features.values.resize(at + names.size());
        std::memcpy(data.features.values.data() + at, blob.data(), blob.size());
        data.labels.push_back(rows.column_text_view(0) == "seizure" ? 1.0f : 0.0f);
    }
    data.features.rows = data.labels.size();

    TrainingReport report;
    report.rows = data.labels.size();
    for (const float label : data.labels)
        report.positives += label > 0.5f ? 1 : 0;
    if (report.positives < static_cast<std::size_t>(options.min_positives))
        throw std::runtime_error("only " + std::to_string(report.positives) + " findings among " +
                                 std::to_string(report.rows) +
                                 " recorded outcomes; a model needs at least " +
                                 std::to_string(options.min_positives));

    const auto held_out = static_cast<std::size_t>(
        std::ceil(static_cast<double>(report.rows) * options.held_out_share));
    const std::size_t train_end = report.rows - held_out;
    // Early stopping watches the newest fifth of the training rows, never the held-out ones.
    const std::size_t fit_end = train_end - train_end / 5;
    const auto fit = columns(data.features, 0, fit_end, names);
    const auto watch = columns(data.features, fit_end, train_end, names);
    const auto test = columns(data.features, train_end, report.rows, names);
    const std::span<const float> labels(data.labels);
    report.held_out_rows = held_out;
    for (const float label : labels.subspan(train_end))
        report.held_out_positives += label > 0.5f ? 1 : 0;

    // Small trees: every container's explanation runs through all of them, on the ingest path.
    profiling::GbtParams params;
    params.max_depth = 3;
    params.max_rounds = 60;
    params.learning_rate = 0.2;
    params.min_child_weight = 2;
    params.seed = options.seed;
    params.early_stopping_rounds = 15;
    params.eval_metric = "aucpr";
    const auto started = std::chrono::steady_clock::now();
    auto model = profiling::GbtModel::train({&fit, labels.subspan(0, fit_end)}, params,
                                            {&watch, labels.subspan(fit_end, train_end - fit_end)});
    report.train_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const auto held_labels = labels.subspan(train_end);
    report.new_average_precision = average_precision(model.predict(test), held_labels);

    storage::Transaction transaction(db);
    if (auto current = active_model(db)) {
        const auto old_model = profiling::GbtModel::deserialize(current->bytes);
        const auto old_test =
            columns(data.features, train_end, report.rows, current->feature_names);
        report.current_average_precision =
            average_precision(old_model.predict(old_test), held_labels);
    }
    report.adopted = !report.current_average_precision ||
                     report.new_average_precision >= *report.current_average_precision;
    char decision[200];
    if (!report.current_average_precision)
        std::snprintf(decision, sizeof decision,
                      "adopted: no model was active (held-out average precision %.3f)",
                      report.new_average_precision);
    else
        std::snprintf(decision, sizeof decision,
                      "%s: held-out average precision %.3f against %.3f for the active model",
                      report.adopted ? "adopted" : "refused", report.new_average_precision,
                      *report.current_average_precision);
    report.decision = decision;

    StoredModel stored;
    stored.trained_at = utc_now_iso8601();
    stored.feature_names = names;
    stored.adopted = report.adopted;
    stored.bytes = model.serialize();
    stored.metrics_json = nlohmann::json{
        {"rows", report.rows},
        {"positives", report.positives},
        {"held_out_rows", report.held_out_rows},
        {"held_out_positives", report.held_out_positives},
        {"rounds", model.rounds()},
        {"seed", options.seed},
        {"held_out_average_precision", report.new_average_precision},
        {"active_model_average_precision", report.current_average_precision
                                               ? nlohmann::json(*report.current_average_precision)
                                               : nlohmann::json(nullptr)},
        {"decision",
         report.decision}}.dump();
    report.model_id = store_model(db, stored);
    transaction.commit();
    return report;
}

} // namespace portscreen::scoring
