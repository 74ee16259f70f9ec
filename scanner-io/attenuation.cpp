#include "attenuation.hpp"

#include <cmath>

namespace portscreen::scanner_io {

std::optional<double> dual_energy_ratio(std::uint16_t air, std::uint16_t low, std::uint16_t high) {
    if (low == 0 || high == 0 || low >= air || high >= air)
        return std::nullopt;
    const double low_attenuation = std::log(static_cast<double>(air) / low);
    const double high_attenuation = std::log(static_cast<double>(air) / high);
    return low_attenuation / high_attenuation;
}

} // namespace portscreen::scanner_io
