#include "ranking.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

namespace portscreen::profiling {

std::size_t top_count(std::size_t rows, double share) {
    if (!(share >= 0.0 && share <= 1.0))
        throw std::invalid_argument("share " + std::to_string(share) + " is not between 0 and 1");
    return static_cast<std::size_t>(std::floor(static_cast<double>(rows) * share + 1e-9));
}

std::vector<std::size_t> rank_rows(std::span<const float> scores) {
    std::vector<std::size_t> order(scores.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    const auto ranks_before = [&](std::size_t a, std::size_t b) {
        const bool a_nan = std::isnan(scores[a]);
        const bool b_nan = std::isnan(scores[b]);
        if (a_nan || b_nan)
            return !a_nan && b_nan;
        return scores[a] > scores[b];
    };
    std::stable_sort(order.begin(), order.end(), ranks_before);
    return order;
}

TopK top_k(std::span<const float> scores, std::span<const std::uint8_t> positive, std::size_t k) {
    if (scores.size() != positive.size())
        throw std::invalid_argument("top_k: " + std::to_string(scores.size()) + " scores but " +
                                    std::to_string(positive.size()) + " labels");
    if (k > scores.size())
        throw std::invalid_argument("top_k: k " + std::to_string(k) + " exceeds " +
                                    std::to_string(scores.size()) + " rows");
    TopK result;
    result.k = k;
    result.positives = static_cast<std::size_t>(
        std::count_if(positive.begin(), positive.end(), [](std::uint8_t p) { return p != 0; }));
    const auto order = rank_rows(scores);
    for (std::size_t rank = 0; rank < k; ++rank)
        result.hits += positive[order[rank]] != 0 ? 1 : 0;
    if (k > 0)
        result.precision = static_cast<double>(result.hits) / static_cast<double>(k);
    if (result.positives > 0)
        result.recall = static_cast<double>(result.hits) / static_cast<double>(result.positives);
    return result;
}

} // namespace portscreen::profiling
