#include "indicators.hpp"

#include <array>
#include <cctype>
#include <string>

namespace portscreen::profiling {
namespace {

/// Upper case, dots dropped ("F.A.K." is "FAK"), other punctuation to spaces, runs of spaces
/// folded, trimmed.
std::string fold(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '.')
            continue;
        const auto byte = static_cast<unsigned char>(c);
        const char folded = std::isalnum(byte) ? static_cast<char>(std::toupper(byte)) : ' ';
        if (folded == ' ' && (out.empty() || out.back() == ' '))
            continue;
        out.push_back(folded);
    }
    if (!out.empty() && out.back() == ' ')
        out.pop_back();
    return out;
}

// Whole descriptions that name no goods.
constexpr std::array kEmptyPhrases = {
    "GENERAL CARGO",
    "GENERAL GOODS",
    "FAK",
    "FREIGHT ALL KINDS",
    "VARIOUS",
    "VARIOUS GOODS",
    "MISC",
    "MISCELLANEOUS",
    "MIXED CARGO",
    "CONSOLIDATED CARGO",
    "CONSOL",
    "GOODS",
    "CARGO",
    "STC",
    "SAID TO CONTAIN",
    "PERSONAL EFFECTS",
    "SAMPLES",
    "PARTS",
    "SPARE PARTS",
    "GOODS AS PER INVOICE",
    "AS PER INVOICE",
};

// Package words that may follow the count after a hedge ("STC 988 BAGS").
constexpr std::array<std::string_view, 24> kPackageWords = {
    "PACKAGES", "PACKAGE", "PKGS",   "PKG",     "CARTONS", "CARTON",  "CTNS",  "BAGS",
    "BAG",      "SACKS",   "DRUMS",  "PALLETS", "PLTS",    "BALES",   "CASES", "BOXES",
    "CRATES",   "ROLLS",   "PIECES", "PCS",     "UNITS",   "BUNDLES", "COILS", "BARRELS",
};

// Openings after which a description must still name something.
constexpr std::array kHedges = {"SAID TO CONTAIN ", "STC ", "SLAC ", "SHIPPER S LOAD AND COUNT "};

bool is_empty_phrase(std::string_view folded) {
    for (std::string_view phrase : kEmptyPhrases) {
        if (folded == phrase)
            return true;
    }
    return false;
}

} // namespace

bool is_vague_description(std::string_view description) {
    std::string folded = fold(description);
    if (folded.empty())
        return true;
    // Strip the hedges and the package count that usually follows them ("STC 20 PACKAGES").
    bool stripped = true;
    while (stripped) {
        stripped = false;
        for (std::string_view hedge : kHedges) {
            if (std::string_view(folded).starts_with(hedge)) {
                folded.erase(0, hedge.size());
                stripped = true;
            }
        }
    }
    std::string_view rest = folded;
    while (!rest.empty() && std::isdigit(static_cast<unsigned char>(rest.front())))
        rest.remove_prefix(1);
    if (!rest.empty() && rest.front() == ' ')
        rest.remove_prefix(1);
    for (std::string_view unit : kPackageWords) {
        if (rest == unit)
            return true;
        if (rest.starts_with(unit) && rest.size() > unit.size() && rest[unit.size()] == ' ') {
            rest.remove_prefix(unit.size() + 1);
            break;
        }
    }
    return rest.empty() || is_empty_phrase(rest);
}

} // namespace portscreen::profiling
