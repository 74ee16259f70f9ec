#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

/// Ranking metrics for risk selection: inspect the k highest-scored rows, count what they catch.
namespace portscreen::profiling {

/// Number of rows inspected when inspecting the top `share` (0..1) of `rows`: floor(rows·share).
/// A tiny tolerance keeps 0.05 × 8480 at 424 despite binary rounding.
std::size_t top_count(std::size_t rows, double share);

/// Row indices ordered by descending score; equal scores keep row order, and NaN ranks last, so
/// the order is deterministic.
std::vector<std::size_t> rank_rows(std::span<const float> scores);

/// What the top k rows of a ranking catch.
struct TopK {
    std::size_t k = 0;
    std::size_t hits = 0;      ///< positives among the top k
    std::size_t positives = 0; ///< positives among all rows
    double precision = 0;      ///< hits / k, 0 when k is 0
    double recall = 0;         ///< hits / positives, 0 when there are none
};

/// Precision and recall of the top k rows by score; `positive[i]` is nonzero for a positive row.
/// Throws std::invalid_argument when the sizes differ or k exceeds the row count.
TopK top_k(std::span<const float> scores, std::span<const std::uint8_t> positive, std::size_t k);

} // namespace portscreen::profiling
