#include "score.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace portscreen::profiling {
namespace {

std::string format_value(float value) {
    if (std::isnan(value))
        return "unknown";
    char text[32];
    std::snprintf(text, sizeof text, "%.4g", static_cast<double>(value));
    return text;
}

} // namespace

const char* to_string(FactorKind kind) {
    switch (kind) {
    case FactorKind::rule: return "rule";
    case FactorKind::watchlist: return "watchlist";
    case FactorKind::model: return "model";
    case FactorKind::other: return "other";
    case FactorKind::limit: return "limit";
    case FactorKind::alert: return "alert";
    }
    return "?";
}

ContainerScore combine(std::span<const RuleHit> rule_hits, const RuleSet& rules,
                       std::span<const WatchHit> watch_hits, const Watchlist& watchlist,
                       const ModelView* model, double model_points, double points_per_log_odds) {
    // Factors are collected as numbers first; only those that will be listed get their text,
    // which is most of the cost when a model explains every container with many features.
    struct Pending {
        FactorKind kind;
        std::size_t source; ///< rule hit, watchlist hit or model column
        double points;
    };
    std::vector<Pending> pending;
    pending.reserve(rule_hits.size() + watch_hits.size() + 8);
    double by_source[4] = {0, 0, 0, 0}; // rule, watchlist, model, alert
    for (std::size_t idx = 0; idx < rule_hits.size(); ++idx) {
        pending.push_back({FactorKind::rule, idx, rule_hits[idx].points});
        by_source[0] += rule_hits[idx].points;
    }
    for (std::size_t idx = 0; idx < watch_hits.size(); ++idx) {
        // Alerts from other ports reach the scorer as watchlist entries of their own kind.
        const bool alert = watchlist.entries()[watch_hits[idx].entry].shared_alert;
        pending.push_back(
            {alert ? FactorKind::alert : FactorKind::watchlist, idx, watch_hits[idx].points});
        by_source[alert ? 3 : 1] += watch_hits[idx].points;
    }
    if (model != nullptr && model_points > 0) {
        const auto& shap = model->contributions;
        if (shap.size() != model->feature_names.size() + 1)
            throw std::invalid_argument("model contributions do not match its features");
        // SHAP values add up to the container's log-odds less those of an average container
        // (the bias). Each is worth `points_per_log_odds` points, so the shares add up exactly;
        // when their sum passes ±model_points, all shares shrink in proportion.
        double total = 0;
        for (std::size_t idx = 0; idx + 1 < shap.size(); ++idx)
            total += points_per_log_odds * shap[idx];
        const double shrink = std::abs(total) > model_points ? model_points / std::abs(total) : 1.0;
        for (std::size_t idx = 0; idx + 1 < shap.size(); ++idx) {
            if (shap[idx] == 0.0f)
                continue;
            const double points = points_per_log_odds * shap[idx] * shrink;
            pending.push_back({FactorKind::model, idx, points});
            by_source[2] += points;
        }
    }
    ContainerScore out;
    const double total = by_source[0] + by_source[1] + by_source[2] + by_source[3];
    out.score = std::clamp(total, 0.0, 100.0);
    if (out.score != total)
        pending.push_back({FactorKind::limit, 0, out.score - total});

    // The largest magnitudes first, ties in the order collected; the tail becomes one factor.
    const auto larger = [](const Pending& a, const Pending& b) {
        return std::abs(a.points) > std::abs(b.points);
    };
    double rest = 0;
    std::size_t rest_count = 0;
    if (pending.size() > kListedFactors + 1) {
        std::stable_sort(pending.begin(), pending.end(), larger);
        for (std::size_t idx = kListedFactors; idx < pending.size(); ++idx)
            rest += pending[idx].points;
        rest_count = pending.size() - kListedFactors;
        pending.resize(kListedFactors);
    } else {
        std::stable_sort(pending.begin(), pending.end(), larger);
    }
    out.factors.reserve(pending.size() + 1);
    for (const Pending& item : pending) {
        switch (item.kind) {
        case FactorKind::rule: {
            const RuleHit& hit = rule_hits[item.source];
            out.factors.push_back({item.kind, rules.rule_id(hit.rule), hit.reason, item.points});
            break;
        }
        case FactorKind::watchlist:
        case FactorKind::alert: {
            const WatchHit& hit = watch_hits[item.source];
            out.factors.push_back(
                {item.kind, watchlist.entries()[hit.entry].id, hit.explanation, item.points});
            break;
        }
        case FactorKind::model: {
            const std::string& name = model->feature_names[item.source];
            const auto feature = find_feature(name);
            std::string text = "model: ";
            text += feature ? feature_catalog()[*feature].description : std::string_view(name);
            if (item.source < model->values.size())
                text += " (" + format_value(model->values[item.source]) + ")";
            out.factors.push_back({item.kind, name, std::move(text), item.points});
            break;
        }
        case FactorKind::limit:
            out.factors.push_back({item.kind, "limit",
                                   total > 100 ? "score capped at 100" : "score floored at 0",
                                   item.points});
            break;
        case FactorKind::other: break;
        }
    }
    if (rest_count > 0)
        out.factors.push_back(
            {FactorKind::other, "other", std::to_string(rest_count) + " smaller factors", rest});
    static constexpr const char* kSources[] = {"rule", "watchlist", "model", "alert"};
    std::size_t main = 0;
    for (std::size_t idx = 1; idx < 4; ++idx)
        if (by_source[idx] > by_source[main])
            main = idx;
    out.main_source = kSources[main];
    return out;
}

std::vector<std::string> model_feature_names() {
    std::vector<std::string> names;
    const auto catalog = feature_catalog();
    for (const std::size_t idx : model_feature_indices())
        names.emplace_back(catalog[idx].name);
    return names;
}

BatchScorer::BatchScorer(const ScoringSetup& setup) : setup_(setup) {
    if (setup.rules == nullptr || setup.watchlist == nullptr)
        throw std::invalid_argument("scoring needs a rule set and a watchlist");
    for (const auto& name : setup.model_feature_names) {
        const auto idx = find_feature(name);
        if (!idx)
            throw std::invalid_argument("the model uses feature '" + name +
                                        "', which this program does not compute");
        model_columns_.push_back(*idx);
    }
    if (setup.model != nullptr && setup.model->num_features() != model_columns_.size())
        throw std::invalid_argument("the model has " + std::to_string(setup.model->num_features()) +
                                    " features but names " + std::to_string(model_columns_.size()));
    stored_columns_ = model_feature_indices();
    row_.resize(model_columns_.size());
    explained_.resize(model_columns_.size() + 1);
}

void BatchScorer::score(std::span<const ContainerFacts> facts, std::string_view today,
                        std::vector<ScoredContainer>& out) {
    out.resize(facts.size());
    for (std::size_t row = 0; row < facts.size(); ++row) {
        derive_features(facts[row], setup_.context, values_);
        setup_.rules->evaluate(values_, rule_hits_);
        setup_.watchlist->match(facts[row], today, watch_hits_, &cache_);
        auto& features = out[row].model_features;
        features.resize(stored_columns_.size());
        for (std::size_t col = 0; col < stored_columns_.size(); ++col)
            features[col] = static_cast<float>(values_.numbers[stored_columns_[col]]);
        if (setup_.model == nullptr) {
            out[row].score =
                combine(rule_hits_, *setup_.rules, watch_hits_, *setup_.watchlist, nullptr, 0, 0);
            continue;
        }
        for (std::size_t col = 0; col < model_columns_.size(); ++col)
            row_[col] = static_cast<float>(values_.numbers[model_columns_[col]]);
        setup_.model->contributions(row_, explained_);
        const ModelView view{explained_, setup_.model_feature_names, row_};
        out[row].score =
            combine(rule_hits_, *setup_.rules, watch_hits_, *setup_.watchlist, &view,
                    setup_.rules->model_points(), setup_.rules->model_points_per_log_odds());
    }
}

} // namespace portscreen::profiling
