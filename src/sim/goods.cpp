#include "sim/goods.hpp"

#include <algorithm>
#include <cassert>
#include <cctype>

namespace portscreen::sim {
namespace {

std::string to_upper(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view text) {
    const auto is_space = [](char c) { return c == ' ' || c == ',' || c == ':'; };
    while (!text.empty() && is_space(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && is_space(text.back()))
        text.remove_suffix(1);
    return text;
}

bool starts_with_word(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size())
        return false;
    for (std::size_t pos = 0; pos < prefix.size(); ++pos)
        if (std::tolower(static_cast<unsigned char>(text[pos])) != prefix[pos])
            return false;
    return text.size() == prefix.size() || text[prefix.size()] == ' ';
}

/// Drops parentheses and the legal clauses of the nomenclature, which no manifest repeats.
std::string strip_legal_text(std::string_view text) {
    // A parenthesis glued to a word is part of the name ("Poly(ethylene terephthalate)") and
    // keeps its content; one after a space is a remark and goes.
    std::string without_parens;
    int depth = 0;
    bool glued = false;
    for (std::size_t pos = 0; pos < text.size(); ++pos) {
        const char c = text[pos];
        if (c == '(' && depth == 0 && pos > 0 &&
            std::isalpha(static_cast<unsigned char>(text[pos - 1]))) {
            glued = true;
        } else if (c == ')' && glued) {
            glued = false;
        } else if (c == '(') {
            ++depth;
        } else if (c == ')') {
            depth = std::max(0, depth - 1);
        } else if (depth == 0) {
            without_parens += c;
        }
    }
    // Clauses that qualify by exclusion end at the next comma or semicolon.
    static constexpr std::string_view kClauseStarts[] = {
        "other than", "whether or not", "n.e.c",     "n.e.s",      "not ",         "excluding",
        "but not",    "except",         "including", "of heading", "of subheading"};
    std::string out;
    std::size_t pos = 0;
    while (pos < without_parens.size()) {
        const std::string_view rest = std::string_view(without_parens).substr(pos);
        const bool at_word = pos == 0 || without_parens[pos - 1] == ' ' ||
                             without_parens[pos - 1] == ',' || without_parens[pos - 1] == ';';
        bool skipped = false;
        if (at_word) {
            for (const auto start : kClauseStarts) {
                if (rest.size() >= start.size() && rest.substr(0, start.size()) == start) {
                    const std::size_t end = without_parens.find_first_of(",;", pos);
                    pos = end == std::string::npos ? without_parens.size() : end;
                    skipped = true;
                    break;
                }
            }
        }
        if (!skipped)
            out += without_parens[pos++];
    }
    std::string collapsed;
    for (char c : out) {
        if (c == ' ' && (collapsed.empty() || collapsed.back() == ' '))
            continue;
        if ((c == ',' || c == ';') && !collapsed.empty() && collapsed.back() == ' ')
            collapsed.pop_back();
        collapsed += c;
    }
    return collapsed;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    std::size_t pos = 0;
    for (;;) {
        const std::size_t end = text.find(separator, pos);
        const auto part = trim(text.substr(pos, end == std::string_view::npos ? end : end - pos));
        if (!part.empty())
            parts.push_back(part);
        if (end == std::string_view::npos)
            return parts;
        pos = end + 1;
    }
}

std::size_t word_count(std::string_view text) {
    return words(text).size();
}

/// Cuts at a word boundary and drops dangling joiners ("AND", "OR", "OF").
std::string shorten(std::string text, std::size_t max_chars) {
    if (text.size() > max_chars) {
        text.resize(max_chars);
        const std::size_t space = text.rfind(' ');
        if (space != std::string::npos && space > max_chars / 2)
            text.resize(space);
    }
    for (;;) {
        while (!text.empty() && (text.back() == ' ' || text.back() == ',' || text.back() == '-'))
            text.pop_back();
        const std::size_t space = text.rfind(' ');
        if (space == std::string::npos)
            return text;
        const std::string_view last = std::string_view(text).substr(space + 1);
        if (last != "AND" && last != "OR" && last != "OF" && last != "FOR" && last != "WITH" &&
            last != "THE" && last != "IN" && last != "A" && last != "ITS" && last != "THEIR")
            return text;
        text.resize(space);
    }
}

bool is_qualifier(std::string_view clause) {
    for (const auto start :
         {"of", "containing", "with", "for", "in", "used", "put", "packed", "knitted", "made"})
        if (starts_with_word(clause, start))
            return true;
    return false;
}

} // namespace

std::string manifest_description(std::string_view hs_text, Rng& rng) {
    const std::string cleaned = strip_legal_text(hs_text);
    const auto parts = split(cleaned, ';');
    if (parts.empty())
        return shorten(to_upper(trim(hs_text)), 60);
    const auto head_clauses = split(parts[0], ',');
    const std::string_view head = head_clauses.empty() ? parts[0] : head_clauses[0];
    std::string_view qualifier;
    if (parts.size() > 1) {
        const auto clauses = split(parts[1], ',');
        if (!clauses.empty())
            qualifier = clauses[0];
    }

    std::vector<std::string> choices;
    if (qualifier.empty()) {
        choices.emplace_back(head);
        if (head_clauses.size() > 1)
            choices.push_back(std::string(head) + ", " + std::string(head_clauses[1]));
    } else if (is_qualifier(qualifier)) {
        choices.push_back(std::string(head) + " " + std::string(qualifier));
    } else if (word_count(head) == 1) {
        // "Rubber; new pneumatic tyres": the qualifier names the goods and the head the
        // material, so a plural qualifier reads well alone; "Steel; stainless" turns around.
        const std::string material = head == "Plastics" ? "Plastic" : std::string(head);
        if (word_count(qualifier) == 1)
            choices.push_back(std::string(qualifier) + " " + std::string(head));
        else if (qualifier.back() == 's')
            choices.emplace_back(qualifier);
        if (material != head)
            choices.push_back(material + " " + std::string(qualifier));
        else
            choices.push_back(std::string(head) + " - " + std::string(qualifier));
    } else {
        choices.emplace_back(head);
        choices.push_back(std::string(head) + ", " + std::string(qualifier));
    }
    return shorten(to_upper(choices[rng.index(choices.size())]), 60);
}

bool origin_allows(std::string_view origins, std::string_view country) {
    if (origins.empty())
        return true;
    for (const auto code : words(origins))
        if (code == country)
            return true;
    return false;
}

GoodsCatalog::GoodsCatalog(const std::vector<reference::HsEntry>& hs) {
    for (const auto& entry : hs) {
        if (entry.level == 2 && entry.code.size() == 2)
            section_of_chapter_[std::stoi(entry.code)] = entry.section;
        if (entry.level != 6 || entry.code.size() != 6)
            continue;
        const int heading = std::stoi(entry.code.substr(0, 4));
        auto& rows = by_heading_[heading];
        if (rows.empty())
            headings_of_chapter_[heading / 100].push_back(heading);
        rows.push_back({entry.code, entry.description});
        ++subheadings_;
    }
}

const GoodsCatalog::Row* GoodsCatalog::pick_in_heading(int heading, Rng& rng) const {
    const auto found = by_heading_.find(heading);
    if (found == by_heading_.end() || found->second.empty())
        return nullptr;
    return &found->second[rng.index(found->second.size())];
}

const GoodsCatalog::Row* GoodsCatalog::pick_in_chapter(int chapter, std::string_view country,
                                                       Rng& rng) const {
    const auto found = headings_of_chapter_.find(chapter);
    if (found == headings_of_chapter_.end())
        return nullptr;
    const CargoProfile& chapter_profile = profile_for(chapter, 0);
    // Most trade sits in a few headings; the rest of the chapter still shows up now and then.
    if (!chapter_profile.headings.empty() && rng.chance(0.75)) {
        const auto preferred = words(chapter_profile.headings);
        for (int attempt = 0; attempt < 6; ++attempt) {
            const int heading = std::stoi(std::string(preferred[rng.index(preferred.size())]));
            if (!origin_allows(profile_for(chapter, heading).origins, country))
                continue;
            if (const Row* row = pick_in_heading(heading, rng))
                return row;
        }
    }
    for (int attempt = 0; attempt < 12; ++attempt) {
        const int heading = found->second[rng.index(found->second.size())];
        if (country.empty() || origin_allows(profile_for(chapter, heading).origins, country))
            return pick_in_heading(heading, rng);
    }
    return pick_in_heading(found->second.front(), rng);
}

Product GoodsCatalog::make_product(const Row& row, Rng& rng) const {
    Product product;
    product.hs_code = row.code;
    product.description = manifest_description(row.text, rng);
    product.heading = std::stoi(row.code.substr(0, 4));
    product.chapter = product.heading / 100;
    product.profile = &profile_for(product.chapter, product.heading);
    const auto packages = words(product.profile->packages);
    product.package_type = std::string(packages.size() > 1 && rng.chance(0.3)
                                           ? packages[1 + rng.index(packages.size() - 1)]
                                           : packages[0]);
    // Bulk liquid fills one tank; otherwise each shipper's packing differs a little.
    product.kg_per_package = product.package_type == "VL"
                                 ? product.profile->kg_per_package
                                 : product.profile->kg_per_package * rng.factor(0.3);
    return product;
}

Product GoodsCatalog::product_for(std::string_view country, Rng& rng) const {
    std::vector<const CargoProfile*> candidates;
    std::vector<double> weights;
    for (const auto& profile : cargo_profiles()) {
        if (profile.heading != 0 || !origin_allows(profile.origins, country) ||
            !headings_of_chapter_.contains(profile.chapter))
            continue;
        candidates.push_back(&profile);
        weights.push_back(profile.weight);
    }
    if (candidates.empty())
        return product_in_chapter(85, rng);
    const CargoProfile* chapter = candidates[rng.weighted(weights)];
    const Row* row = pick_in_chapter(chapter->chapter, country, rng);
    if (row == nullptr)
        return product_in_chapter(85, rng);
    return make_product(*row, rng);
}

Product GoodsCatalog::product_in_chapter(int chapter, Rng& rng) const {
    const Row* row = pick_in_chapter(chapter, {}, rng);
    if (row == nullptr) {
        // Only a nomenclature without the chapter gets here; take the first subheading known.
        for (const auto& [heading, rows] : by_heading_)
            if (!rows.empty())
                return make_product(rows.front(), rng);
    }
    assert(row != nullptr && "the HS nomenclature has no level-6 rows");
    return make_product(*row, rng);
}

Product GoodsCatalog::unrelated_product(int chapter, Rng& rng) const {
    const auto section = section_of_chapter_.find(chapter);
    for (int attempt = 0; attempt < 20; ++attempt) {
        const auto& profile = cargo_profiles()[rng.index(cargo_profiles().size())];
        if (profile.chapter == chapter)
            continue;
        const auto other = section_of_chapter_.find(profile.chapter);
        if (section != section_of_chapter_.end() && other != section_of_chapter_.end() &&
            other->second == section->second)
            continue;
        return product_in_chapter(profile.chapter, rng);
    }
    return product_in_chapter(chapter == 85 ? 10 : 85, rng);
}

} // namespace portscreen::sim
