#pragma once

#include "feature_matrix.hpp"

#include <cstdint>
#include <span>
#include <vector>

/// The dense-object detector's model: gradient-boosted trees over the measurements of
/// kDenseFeatureNames, trained by `portscreen eval train-dense-objects` on labelled simulated
/// scans and built into the library from models/dense_objects.json.
namespace portscreen::scanner_io {

/// The built-in model as written by the trainer (XGBoost JSON); empty when the library was
/// built without one.
std::span<const std::uint8_t> dense_object_model();

/// The log-odds that each row of `features` (columns kDenseFeatureNames) is a hidden dense
/// object; empty when there is no row or no built-in model. Safe from any thread.
std::vector<float> dense_object_margins(const profiling::FeatureMatrix& features);

} // namespace portscreen::scanner_io
