#pragma once

#include "reference/reference.hpp"
#include "sim/catalog.hpp"
#include "sim/random.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace portscreen::sim {

/// One line of business of a shipper: an HS 2022 subheading, the wording the shipper uses for
/// it on its bills of lading, and how it packs it.
struct Product {
    std::string hs_code; ///< 6 digits
    std::string description;
    int chapter = 0;
    int heading = 0;
    const CargoProfile* profile = nullptr;
    std::string package_type;
    double kg_per_package = 0;
};

/// The level-6 rows of the HS nomenclature grouped by chapter and heading, and the products a
/// shipper of a given country plausibly sells. Immutable after construction.
class GoodsCatalog {
public:
    explicit GoodsCatalog(const std::vector<reference::HsEntry>& hs);

    /// A product typical of the trade from `country` to East Africa.
    Product product_for(std::string_view country, Rng& rng) const;

    /// A product of any subheading of the chapter, whatever its origin.
    Product product_in_chapter(int chapter, Rng& rng) const;

    /// A product of a chapter in a different HS section from `chapter`.
    Product unrelated_product(int chapter, Rng& rng) const;

    std::size_t subheading_count() const { return subheadings_; }

private:
    struct Row {
        std::string code;
        std::string text;
    };

    Product make_product(const Row& row, Rng& rng) const;
    const Row* pick_in_heading(int heading, Rng& rng) const;
    const Row* pick_in_chapter(int chapter, std::string_view country, Rng& rng) const;

    std::map<int, std::vector<Row>> by_heading_;
    std::map<int, std::vector<int>> headings_of_chapter_;
    std::map<int, std::string> section_of_chapter_;
    std::size_t subheadings_ = 0;
};

/// The goods description a manifest would carry for an HS subheading text: the nomenclature's
/// wording shortened to its head noun and first qualifier, without parentheses and legal
/// clauses ("n.e.c.", "other than ..."), upper-cased, at most 60 characters. `rng` chooses
/// between the short and the longer wording, as different shippers write it differently.
std::string manifest_description(std::string_view hs_text, Rng& rng);

/// True when `country` may ship goods with this origin list ("CN IN", empty = anywhere).
bool origin_allows(std::string_view origins, std::string_view country);

} // namespace portscreen::sim
