#include "sim/planting.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace portscreen::sim {
namespace {

enum class Pattern {
    vague_description,
    hs_description_mismatch,
    empty_with_mass,
    implausible_mass_per_package,
    implausible_route,
    first_time_private_consignee,
    first_time_forwarder_consignee,
    missing_seal,
    late_amendment,
    clean_looking_hit,
};

constexpr std::string_view kPatternNames[] = {
    "vague_description",
    "hs_description_mismatch",
    "empty_with_mass",
    "implausible_mass_per_package",
    "implausible_route",
    "first_time_private_consignee",
    "first_time_forwarder_consignee",
    "missing_seal",
    "late_amendment",
    "clean_looking_hit",
};

struct PatternRule {
    Pattern pattern;
    double weight;   ///< share among planted cases
    double hit_rate; ///< most planted indicators are real, some innocent
};

constexpr PatternRule kRules[] = {
    {Pattern::vague_description, 15, 0.75},
    {Pattern::hs_description_mismatch, 12, 0.8},
    {Pattern::empty_with_mass, 8, 0.9},
    {Pattern::implausible_mass_per_package, 12, 0.8},
    {Pattern::implausible_route, 12, 0.85},
    {Pattern::first_time_private_consignee, 10, 0.7},
    {Pattern::first_time_forwarder_consignee, 8, 0.6},
    {Pattern::missing_seal, 10, 0.6},
    {Pattern::late_amendment, 8, 0.7},
    {Pattern::clean_looking_hit, 4, 1.0},
};

constexpr std::string_view kVagueDescriptions[] = {"GENERAL CARGO",       "FAK",
                                                   "FREIGHT ALL KINDS",   "CONSOLIDATED CARGO",
                                                   "SPARE PARTS",         "PERSONAL EFFECTS",
                                                   "GOODS AS PER INVOICE"};

std::string_view finding_for(Pattern pattern, std::string_view port_of_loading, Rng& rng) {
    switch (pattern) {
    case Pattern::implausible_route:
        if (port_of_loading.substr(0, 2) == "IR")
            return "drugs: heroin in a false floor under the declared goods";
        return "drugs: cocaine in holdalls behind the declared goods";
    case Pattern::empty_with_mass: {
        constexpr std::string_view kOptions[] = {
            "tobacco and cigarettes: undeclared master cases in a declared-empty box",
            "drugs: cocaine in the container's cross members",
            "other: undeclared used goods in a declared-empty box"};
        return kOptions[rng.index(3)];
    }
    case Pattern::implausible_mass_per_package: {
        constexpr std::string_view kOptions[] = {
            "tobacco and cigarettes: cigarettes packed as the declared goods",
            "wildlife and timber: ivory tusks hidden among the declared goods",
            "drugs: cannabis resin in the declared packages"};
        return kOptions[rng.index(3)];
    }
    case Pattern::vague_description:
    case Pattern::hs_description_mismatch: {
        constexpr std::string_view kOptions[] = {
            "counterfeit/IPR goods: branded clothing and footwear",
            "revenue/undervaluation: goods of higher value than declared",
            "tobacco and cigarettes: undeclared cigarettes",
            "precursors: undeclared chemicals in drums"};
        return kOptions[rng.index(4)];
    }
    case Pattern::first_time_private_consignee:
    case Pattern::first_time_forwarder_consignee: {
        constexpr std::string_view kOptions[] = {
            "weapons and ammunition: pistols and cartridges among household goods",
            "counterfeit/IPR goods: branded electronics",
            "drugs: methamphetamine in the declared goods",
            "wildlife and timber: pangolin scales in sacks"};
        return kOptions[rng.index(4)];
    }
    case Pattern::missing_seal:
    case Pattern::late_amendment:
    case Pattern::clean_looking_hit: {
        constexpr std::string_view kOptions[] = {
            "drugs: cocaine in bags at the doors (rip-on/rip-off)",
            "tobacco and cigarettes: undeclared cigarettes", "drugs: heroin in the declared goods"};
        return kOptions[rng.index(3)];
    }
    }
    return "other: undeclared goods";
}

std::string format_kg(double kg) {
    char text[32];
    std::snprintf(text, sizeof text, "%.0f", kg);
    return text;
}

std::string short_size(const core::Container& box) {
    return box.size_type.empty() ? "" : box.size_type.substr(0, 1) == "2" ? "20'" : "40'";
}

/// Candidate units of the day by what a pattern needs.
struct Candidates {
    std::vector<std::pair<std::size_t, std::size_t>> single_fcl;
    std::vector<std::pair<std::size_t, std::size_t>> empties;
    std::vector<std::pair<std::size_t, std::size_t>> consolidations;
};

bool is_single_fcl(const Unit& unit) {
    return unit.kind == UnitKind::fcl && unit.containers.size() == 1 &&
           unit.consignments.size() == 1 && unit.consignments.front().goods_items.size() == 1 &&
           unit.containers.front().size_type != "22T1";
}

class Planter {
public:
    Planter(PlantingContext& context, Rng& rng) : context_(context), rng_(rng) {}

    void plant(std::size_t count) {
        Candidates candidates;
        for (std::size_t call = 0; call < context_.units.size(); ++call)
            for (std::size_t idx = 0; idx < context_.units[call].size(); ++idx) {
                const Unit& unit = context_.units[call][idx];
                if (is_single_fcl(unit))
                    candidates.single_fcl.emplace_back(call, idx);
                else if (unit.kind == UnitKind::empty)
                    candidates.empties.emplace_back(call, idx);
                else if (unit.kind == UnitKind::consolidation)
                    candidates.consolidations.emplace_back(call, idx);
            }
        rng_.shuffle(candidates.single_fcl);
        rng_.shuffle(candidates.empties);
        rng_.shuffle(candidates.consolidations);

        std::vector<double> weights;
        for (const auto& rule : kRules)
            weights.push_back(rule.weight);
        std::size_t next_fcl = 0;
        std::size_t next_empty = 0;
        std::size_t next_consolidation = 0;
        for (std::size_t planted = 0; planted < count; ++planted) {
            const PatternRule& rule = kRules[rng_.weighted(weights)];
            std::pair<std::size_t, std::size_t> where;
            if (rule.pattern == Pattern::empty_with_mass &&
                next_empty < candidates.empties.size()) {
                where = candidates.empties[next_empty++];
            } else if (rule.pattern == Pattern::first_time_private_consignee &&
                       next_consolidation < candidates.consolidations.size() && rng_.chance(0.4)) {
                where = candidates.consolidations[next_consolidation++];
            } else if (next_fcl < candidates.single_fcl.size()) {
                where = candidates.single_fcl[next_fcl++];
            } else {
                return; // a day too small for its share: plant what fits
            }
            Unit& unit = context_.units[where.first][where.second];
            const Pattern pattern = unit.kind == UnitKind::empty ? Pattern::empty_with_mass
                                    : rule.pattern == Pattern::empty_with_mass
                                        ? Pattern::missing_seal
                                        : rule.pattern;
            apply(pattern, where.first, where.second, unit);
        }
    }

private:
    void record(Pattern pattern, std::size_t call, const Unit& unit, std::size_t consignment,
                std::string description) {
        const CallPlan& plan = context_.calls[call];
        Planted planted;
        planted.container_number = unit.containers.front().number;
        if (!unit.consignments.empty()) {
            planted.master_bl = unit.consignments[consignment].master_bl;
            planted.house_bl = unit.consignments[consignment].house_bl;
        }
        planted.imo = plan.vessel.imo;
        planted.voyage = plan.vessel.voyage;
        planted.pattern = std::string(kPatternNames[static_cast<int>(pattern)]);
        planted.description = std::move(description);
        double hit_rate = 1.0;
        for (const auto& rule : kRules)
            if (rule.pattern == pattern)
                hit_rate = rule.hit_rate;
        planted.hit = rng_.chance(hit_rate);
        if (planted.hit) {
            std::string_view pol; // not a ?: with "", whose std::string result would dangle
            if (!unit.consignments.empty())
                pol = unit.consignments[consignment].port_of_loading;
            planted.finding = std::string(finding_for(pattern, pol, rng_));
        }
        context_.ground_truth.push_back(std::move(planted));
    }

    void apply(Pattern pattern, std::size_t call, std::size_t unit_idx, Unit& unit) {
        unit.touched = true;
        core::Container& box = unit.containers.front();
        const std::string dest_country = context_.pools.destination_country();
        switch (pattern) {
        case Pattern::vague_description: {
            core::GoodsItem& item = unit.consignments.front().goods_items.front();
            const std::string was = item.description;
            std::string vague(kVagueDescriptions[rng_.index(std::size(kVagueDescriptions))]);
            if (rng_.chance(0.3))
                vague = "SAID TO CONTAIN " + std::to_string(item.packages) + " " +
                        std::string(package_word(item.package_type));
            item.description = vague;
            const bool drop_hs = rng_.chance(0.4);
            if (drop_hs)
                item.hs_code.clear();
            record(pattern, call, unit, 0,
                   "goods described only as '" + vague + "'" +
                       (drop_hs ? " with no HS code" : " under HS " + item.hs_code) +
                       " (the shipper usually declares '" + was + "')");
            return;
        }
        case Pattern::hs_description_mismatch: {
            core::GoodsItem& item = unit.consignments.front().goods_items.front();
            const int chapter = std::stoi(item.hs_code.substr(0, 2));
            const Product other = context_.goods.unrelated_product(chapter, rng_);
            item.description = other.description;
            record(pattern, call, unit, 0,
                   "HS " + item.hs_code + " declared for '" + other.description +
                       "', which belongs in chapter " + other.hs_code.substr(0, 2));
            return;
        }
        case Pattern::empty_with_mass: {
            const double extra = std::round(rng_.uniform(6000, 21000) / 10) * 10;
            box.gross_mass_kg = box.tare_mass_kg.value_or(2200) + extra;
            record(pattern, call, unit, 0,
                   "declared empty " + box.size_type + " weighing " +
                       format_kg(*box.gross_mass_kg) + " kg, " + format_kg(extra) +
                       " kg above its tare");
            return;
        }
        case Pattern::implausible_mass_per_package: {
            core::GoodsItem& item = unit.consignments.front().goods_items.front();
            const double usual = item.gross_mass_kg.value_or(0) /
                                 static_cast<double>(std::max<std::int64_t>(1, item.packages));
            // Dense contraband makes light goods heavy; bulky contraband makes heavy goods light.
            const double factor = usual > 300 ? rng_.uniform(0.15, 0.3) : rng_.uniform(3.0, 6.0);
            const double per_package = std::max(1.0, std::round(usual * factor));
            const double cargo_cap = 26000;
            item.packages = std::clamp<std::int64_t>(
                item.packages, 1, static_cast<std::int64_t>(cargo_cap / per_package));
            item.placements.front().packages = item.packages;
            item.gross_mass_kg = per_package * static_cast<double>(item.packages);
            settle_container_masses(unit);
            record(pattern, call, unit, 0,
                   std::to_string(item.packages) + " " +
                       std::string(package_word(item.package_type)) + " of '" + item.description +
                       "' at " + format_kg(per_package) + " kg per package, where about " +
                       format_kg(usual) + " kg is usual");
            return;
        }
        case Pattern::implausible_route: {
            core::Consignment& con = unit.consignments.front();
            const auto sources = words(source_ports());
            const std::string source(sources[rng_.index(sources.size())]);
            std::vector<std::string> chain;
            if (source == "IRBND") {
                chain = {rng_.chance(0.5) ? "OMSLL" : "AEJEA"};
            } else {
                const std::string_view chains = odd_hub_chains();
                std::vector<std::string_view> options;
                std::size_t pos = 0;
                while (pos <= chains.size()) {
                    const std::size_t end = chains.find('|', pos);
                    const std::size_t stop = end == std::string_view::npos ? chains.size() : end;
                    options.push_back(chains.substr(pos, stop - pos));
                    pos = stop + 1;
                }
                for (const auto hub : words(options[rng_.index(options.size())]))
                    chain.emplace_back(hub);
            }
            con.port_of_loading = source;
            con.place_of_receipt = source;
            con.transshipment_ports = chain;
            con.shipper = invent_company(CompanyKind::exporter, source.substr(0, 2), {}, rng_);
            std::string hubs;
            for (const auto& hub : chain)
                hubs += (hubs.empty() ? "" : ", ") + hub;
            record(pattern, call, unit, 0,
                   "'" + con.goods_items.front().description + "' loaded at " + source +
                       " by first-time shipper '" + con.shipper.name + "', transshipped at " +
                       hubs + ": source-region routing that makes no commercial sense");
            return;
        }
        case Pattern::first_time_private_consignee: {
            const std::size_t which = rng_.index(unit.consignments.size());
            core::Consignment& con = unit.consignments[which];
            const auto& place = context_.pools.deliveries.front();
            con.consignee = invent_person(dest_country, place.cities.front(), rng_);
            con.place_of_delivery = place.locode;
            if (rng_.chance(0.5))
                con.notify_party = con.consignee;
            record(pattern, call, unit, which,
                   "first-time consignee '" + con.consignee.name + "', a private person, for " +
                       (unit.kind == UnitKind::consolidation
                            ? "a house B/L of '" + con.goods_items.front().description + "'"
                            : "a full " + short_size(box) + " container of '" +
                                  con.goods_items.front().description + "'"));
            return;
        }
        case Pattern::first_time_forwarder_consignee: {
            core::Consignment& con = unit.consignments.front();
            const auto& place = context_.pools.deliveries.front();
            con.consignee =
                invent_company(CompanyKind::forwarder, dest_country, place.cities.front(), rng_);
            con.place_of_delivery = place.locode;
            record(pattern, call, unit, 0,
                   "first-time consignee '" + con.consignee.name +
                       "' is a forwarder, not the buyer of '" +
                       con.goods_items.front().description + "'");
            return;
        }
        case Pattern::missing_seal:
            box.seals.clear();
            record(pattern, call, unit, 0,
                   "full container of '" +
                       unit.consignments.front().goods_items.front().description +
                       "' declared without any seal");
            return;
        case Pattern::late_amendment:
            // The original stays clean; the change message comes after the originals exist.
            record(pattern, call, unit, 0, "late amendment");
            context_.late_amendments.push_back({call, unit_idx, context_.ground_truth.size() - 1});
            return;
        case Pattern::clean_looking_hit:
            record(pattern, call, unit, 0,
                   "no manifest indicator: a regular shipment of a known consignee");
            return;
        }
    }

    PlantingContext& context_;
    Rng& rng_;
};

} // namespace

std::span<const std::string_view> pattern_names() {
    return kPatternNames;
}

void plant_patterns(PlantingContext& context, double share, Rng& rng) {
    std::size_t containers = 0;
    for (const auto& call : context.units)
        for (const auto& unit : call)
            containers += unit.containers.size();
    const auto count = static_cast<std::size_t>(
        std::llround(std::max(0.0, share) * static_cast<double>(containers)));
    Planter(context, rng).plant(count);
}

} // namespace portscreen::sim
