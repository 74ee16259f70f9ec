#include "gbt_model.hpp"

#include <xgboost/c_api.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <string_view>

namespace portscreen::profiling {
namespace {

void check(int status, std::string_view call) {
    if (status != 0)
        throw GbtError(std::string(call) + " failed: " + XGBGetLastError());
}

/// Owner of one DMatrix handle.
struct DMatrixDeleter {
    void operator()(void* handle) const noexcept { XGDMatrixFree(handle); }
};
using DMatrix = std::unique_ptr<void, DMatrixDeleter>;

DMatrix make_dmatrix(const FeatureMatrix& features, std::span<const float> labels) {
    if (features.values.size() != features.rows * features.cols())
        throw std::invalid_argument(
            "feature matrix holds " + std::to_string(features.values.size()) + " values, not " +
            std::to_string(features.rows) + " x " + std::to_string(features.cols()));
    DMatrixHandle handle = nullptr;
    check(XGDMatrixCreateFromMat(features.values.data(), features.rows, features.cols(),
                                 std::numeric_limits<float>::quiet_NaN(), &handle),
          "XGDMatrixCreateFromMat");
    DMatrix matrix(handle);
    if (!labels.empty()) {
        if (labels.size() != features.rows)
            throw std::invalid_argument("labels: " + std::to_string(labels.size()) +
                                        " labels for " + std::to_string(features.rows) + " rows");
        check(XGDMatrixSetFloatInfo(handle, "label", labels.data(), labels.size()),
              "XGDMatrixSetFloatInfo");
    }
    return matrix;
}

std::string number_text(double value) {
    std::ostringstream out;
    out.imbue(std::locale::classic());
    out.precision(17);
    out << value;
    return out.str();
}

void set_param(BoosterHandle booster, const char* name, const std::string& value) {
    check(XGBoosterSetParam(booster, name, value.c_str()),
          std::string("XGBoosterSetParam ") + name);
}

/// The metric value from an evaluation line like "[12]\tvalid-logloss:0.301".
double parse_metric(const char* line) {
    const std::string_view text(line);
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos)
        throw GbtError("cannot read the metric in '" + std::string(text) + "'");
    return std::stod(std::string(text.substr(colon + 1)));
}

bool metric_is_higher_better(const std::string& metric) {
    return metric.starts_with("auc") || metric.starts_with("map") || metric.starts_with("ndcg") ||
           metric.starts_with("pre");
}

} // namespace

void GbtModel::BoosterDeleter::operator()(void* handle) const noexcept {
    XGBoosterFree(handle);
}

GbtModel::GbtModel(Booster booster, std::size_t num_features, int rounds, double best_score)
    : booster_(std::move(booster)), num_features_(num_features), rounds_(rounds),
      best_score_(best_score) {}

GbtModel::~GbtModel() = default;

GbtModel GbtModel::train(const GbtData& train, const GbtParams& params, const GbtData& validation) {
    if (train.features == nullptr || train.features->rows == 0)
        throw std::invalid_argument("training set is empty");
    if (train.labels.size() != train.features->rows)
        throw std::invalid_argument("training set has " + std::to_string(train.labels.size()) +
                                    " labels for " + std::to_string(train.features->rows) +
                                    " rows");
    if (params.threads < 1 || params.max_rounds < 1)
        throw std::invalid_argument("threads and max_rounds must be at least 1");
    const bool has_validation = validation.features != nullptr && validation.features->rows > 0;
    if (has_validation && validation.features->cols() != train.features->cols())
        throw std::invalid_argument(
            "validation set has " + std::to_string(validation.features->cols()) +
            " features, training set " + std::to_string(train.features->cols()));

    check(XGBSetGlobalConfig(R"({"verbosity": 0})"), "XGBSetGlobalConfig");
    const DMatrix train_matrix = make_dmatrix(*train.features, train.labels);
    DMatrix valid_matrix;
    if (has_validation)
        valid_matrix = make_dmatrix(*validation.features, validation.labels);

    std::vector<DMatrixHandle> cache{train_matrix.get()};
    if (has_validation)
        cache.push_back(valid_matrix.get());
    BoosterHandle raw = nullptr;
    check(XGBoosterCreate(cache.data(), cache.size(), &raw), "XGBoosterCreate");
    Booster booster(raw);
    set_param(raw, "objective", "binary:logistic");
    set_param(raw, "tree_method", "hist");
    set_param(raw, "nthread", std::to_string(params.threads));
    set_param(raw, "seed", std::to_string(params.seed));
    set_param(raw, "max_depth", std::to_string(params.max_depth));
    set_param(raw, "eta", number_text(params.learning_rate));
    set_param(raw, "subsample", number_text(params.subsample));
    set_param(raw, "colsample_bytree", number_text(params.colsample_bytree));
    set_param(raw, "min_child_weight", number_text(params.min_child_weight));
    set_param(raw, "lambda", number_text(params.reg_lambda));
    set_param(raw, "max_bin", std::to_string(params.max_bin));
    set_param(raw, "eval_metric", params.eval_metric);

    const bool higher_better = metric_is_higher_better(params.eval_metric);
    double best_score = std::numeric_limits<double>::quiet_NaN();
    int best_round = params.max_rounds - 1;
    DMatrixHandle eval_sets[] = {valid_matrix.get()};
    const char* eval_names[] = {"valid"};
    for (int round = 0; round < params.max_rounds; ++round) {
        check(XGBoosterUpdateOneIter(raw, round, train_matrix.get()), "XGBoosterUpdateOneIter");
        if (!has_validation)
            continue;
        const char* line = nullptr;
        check(XGBoosterEvalOneIter(raw, round, eval_sets, eval_names, 1, &line),
              "XGBoosterEvalOneIter");
        const double score = parse_metric(line);
        const bool improved =
            std::isnan(best_score) || (higher_better ? score > best_score : score < best_score);
        if (improved) {
            best_score = score;
            best_round = round;
        } else if (round - best_round >= params.early_stopping_rounds) {
            break;
        }
    }
    int rounds = params.max_rounds;
    if (has_validation) {
        rounds = best_round + 1;
        BoosterHandle sliced = nullptr;
        check(XGBoosterSlice(raw, 0, rounds, 1, &sliced), "XGBoosterSlice");
        booster.reset(sliced);
    }
    return GbtModel(std::move(booster), train.features->cols(), rounds, best_score);
}

GbtModel GbtModel::deserialize(std::span<const std::uint8_t> bytes) {
    BoosterHandle raw = nullptr;
    check(XGBoosterCreate(nullptr, 0, &raw), "XGBoosterCreate");
    Booster booster(raw);
    check(XGBoosterLoadModelFromBuffer(raw, bytes.data(), bytes.size()),
          "XGBoosterLoadModelFromBuffer");
    bst_ulong features = 0;
    check(XGBoosterGetNumFeature(raw, &features), "XGBoosterGetNumFeature");
    int rounds = 0;
    check(XGBoosterBoostedRounds(raw, &rounds), "XGBoosterBoostedRounds");
    set_param(raw, "nthread", "1");
    return GbtModel(std::move(booster), static_cast<std::size_t>(features), rounds,
                    std::numeric_limits<double>::quiet_NaN());
}

std::vector<float> GbtModel::run_prediction(const FeatureMatrix& features, int type,
                                            std::size_t per_row) const {
    if (features.cols() != num_features_)
        throw std::invalid_argument("model expects " + std::to_string(num_features_) +
                                    " features, got " + std::to_string(features.cols()));
    if (features.rows == 0)
        return {};
    const DMatrix matrix = make_dmatrix(features, {});
    const std::string config = R"({"type": )" + std::to_string(type) +
                               R"(, "training": false, "iteration_begin": 0, )"
                               R"("iteration_end": 0, "strict_shape": false})";
    const bst_ulong* shape = nullptr;
    bst_ulong dims = 0;
    const float* result = nullptr;
    check(XGBoosterPredictFromDMatrix(booster_.get(), matrix.get(), config.c_str(), &shape, &dims,
                                      &result),
          "XGBoosterPredictFromDMatrix");
    bst_ulong total = 1;
    for (bst_ulong dim = 0; dim < dims; ++dim)
        total *= shape[dim];
    if (total != features.rows * per_row)
        throw GbtError("prediction returned " + std::to_string(total) + " values for " +
                       std::to_string(features.rows) + " rows");
    return std::vector<float>(result, result + total);
}

std::vector<float> GbtModel::predict(const FeatureMatrix& features) const {
    return run_prediction(features, 0, 1);
}

std::vector<float> GbtModel::predict_margin(const FeatureMatrix& features) const {
    return run_prediction(features, 1, 1);
}

Contributions GbtModel::contributions(const FeatureMatrix& features) const {
    Contributions out;
    out.rows = features.rows;
    out.cols = num_features_ + 1;
    out.values = run_prediction(features, 2, out.cols);
    return out;
}

std::vector<std::uint8_t> GbtModel::serialize() const {
    bst_ulong length = 0;
    const char* data = nullptr;
    check(XGBoosterSaveModelToBuffer(booster_.get(), R"({"format": "json"})", &length, &data),
          "XGBoosterSaveModelToBuffer");
    return std::vector<std::uint8_t>(data, data + length);
}

} // namespace portscreen::profiling
