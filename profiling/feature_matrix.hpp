#pragma once

#include <cassert>
#include <cstddef>
#include <string>
#include <vector>

namespace portscreen::profiling {

/// A dense row-major table of float features with one name per column. A missing value is NaN.
struct FeatureMatrix {
    std::vector<std::string> names;
    std::size_t rows = 0;
    std::vector<float> values;

    std::size_t cols() const { return names.size(); }
    float at(std::size_t row, std::size_t col) const {
        assert(row < rows && col < cols() && "feature index out of range");
        return values[row * cols() + col];
    }
};

} // namespace portscreen::profiling
