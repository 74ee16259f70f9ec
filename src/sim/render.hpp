#pragma once

#include "core/manifest.hpp"
#include "sim/simulator.hpp"

#include <string>

namespace portscreen::sim {

/// How one manifest goes on the wire.
struct RenderRequest {
    std::string name;
    bool edifact = true; ///< CUSCAR, else our JSON
    bool d11a = false;   ///< CUSCAR directory D11A, else D95B
    int minute_of_day = 0;
    std::string date; ///< YYYY-MM-DD of the day, for the interchange's preparation time
    std::string recipient;
    std::string control_reference;
};

/// Renders a manifest as UN/EDIFACT CUSCAR or as our JSON manifest.
Message render(const core::Manifest& manifest, const RenderRequest& request);

} // namespace portscreen::sim
