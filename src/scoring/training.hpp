#pragma once

#include "storage/database.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace portscreen::scoring {

struct TrainingOptions {
    std::uint64_t seed = 1;
    double held_out_share = 0.2; ///< the most recent outcomes, kept out of training
    int min_positives = 10;      ///< findings needed before a model is worth training
};

/// What `train_model` did, for the command line and the model's stored metrics.
struct TrainingReport {
    std::size_t rows = 0;      ///< containers with an outcome and stored features
    std::size_t positives = 0; ///< of which seizures
    std::size_t held_out_rows = 0;
    std::size_t held_out_positives = 0;
    double train_seconds = 0;
    double new_average_precision = 0;
    std::optional<double> current_average_precision; ///< of the active model, same rows
    bool adopted = false;
    std::string decision; ///< why it was adopted or refused, in one sentence
    std::int64_t model_id = 0;
};

/// Trains a model on the recorded outcomes, with the features each container had when it was
/// scored; evaluates it and the active model on the most recent outcomes held out; stores the
/// new model with its metrics and makes it active only when it does no worse. `db` is a writer.
/// Throws std::runtime_error when there are too few outcomes to train on.
TrainingReport train_model(storage::Database& db, const TrainingOptions& options);

} // namespace portscreen::scoring
