#pragma once

#include <cstdint>
#include <optional>

/// Physics of transmission X-ray images, as pure functions over pixel values.
namespace portscreen::scanner_io {

/// The dual-energy ratio R = ln(I0/I_low) / ln(I0/I_high) of one pixel, from the air value I0
/// and the low- and high-energy intensities. By Beer-Lambert (I = I0·exp(-μt)) the thickness
/// cancels and R = μ_low/μ_high, which depends on the material: at MeV energies R falls as the
/// atomic number rises (pair production grows with Z). Nothing when a value is at or above air (no
/// attenuation to measure) or zero (no signal left).
std::optional<double> dual_energy_ratio(std::uint16_t air, std::uint16_t low, std::uint16_t high);

} // namespace portscreen::scanner_io
