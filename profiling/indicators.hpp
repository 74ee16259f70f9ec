#pragma once

#include <string_view>

/// Risk indicators computed from manifest data, as pure functions.
namespace portscreen::profiling {

/// True when a goods description says nothing about the goods: "GENERAL CARGO", "FAK" (freight
/// all kinds), "SAID TO CONTAIN" with nothing after it, "VARIOUS", "CONSOLIDATED CARGO" and the
/// like. Vague descriptions are a classic targeting indicator in customs risk profiling, because
/// they hide what the container holds. Case and punctuation do not matter.
bool is_vague_description(std::string_view description);

} // namespace portscreen::profiling
