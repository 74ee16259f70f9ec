#pragma once

#include "common/result.hpp"
#include "core/manifest.hpp"

#include <string>
#include <string_view>
#include <unordered_set>

namespace portscreen::core {

/// Code lists the validator checks against. Empty sets switch the check off, so a node
/// without the lists still checks shapes and check digits.
struct ReferenceData {
    std::unordered_set<std::string> countries;      ///< ISO 3166-1 alpha-2
    std::unordered_set<std::string> hs_subheadings; ///< HS 2022, 6 digits

    bool knows_country(std::string_view alpha2) const;
    bool knows_hs_subheading(std::string_view six_digits) const;
};

/// Plausibility limits; beyond them a value is an error in the message, not a risk.
struct Limits {
    double max_container_gross_kg = 60'000;
    double max_container_tare_kg = 15'000;
    double max_goods_item_gross_kg = 10'000'000;
    std::int64_t max_packages = 10'000'000;
};

/// Checks one manifest and returns every problem found, each with its path in the model and its
/// source segment when known: check digits, code shapes and lists, masses and counts, and
/// references between goods items and containers. Pure: no I/O.
Problems validate(const Manifest& manifest, const ReferenceData& reference,
                  const Limits& limits = {});

} // namespace portscreen::core
