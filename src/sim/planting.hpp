#pragma once

#include "sim/goods.hpp"
#include "sim/simulator.hpp"
#include "sim/traffic.hpp"

#include <vector>

namespace portscreen::sim {

/// A unit of a call whose B/L the planted "late amendment" pattern changes after the original
/// was sent; the change message is made once the originals exist.
struct LateAmendment {
    std::size_t call = 0;
    std::size_t unit = 0;
    std::size_t planted = 0; ///< index into the ground truth, whose description is completed
};

/// What the planting step needs of the day being built.
struct PlantingContext {
    const std::vector<CallPlan>& calls;
    std::vector<std::vector<Unit>>& units;
    const GoodsCatalog& goods;
    const PartyPools& pools;
    std::vector<Planted>& ground_truth;
    std::vector<LateAmendment>& late_amendments;
};

/// Plants about `share` of all containers with suspicious patterns (and a few clean-looking
/// hits), changing the units in place and recording each case in the ground truth.
void plant_patterns(PlantingContext& context, double share, Rng& rng);

} // namespace portscreen::sim
