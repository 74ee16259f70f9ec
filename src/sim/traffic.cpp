#include "sim/traffic.hpp"

#include "core/codes.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace portscreen::sim {
namespace {

bool contains_word(std::string_view list, std::string_view word) {
    const auto items = words(list);
    return std::find(items.begin(), items.end(), word) != items.end();
}

std::string pick_word(std::string_view list, Rng& rng) {
    const auto items = words(list);
    return std::string(items[rng.index(items.size())]);
}

Region region_of(std::string_view locode) {
    const OriginPort* port = find_origin_port(locode);
    return port ? port->region : Region::east_asia;
}

/// Feeders carry cargo from everywhere, gathered at their hub.
constexpr double kFeederRegionWeights[] = {25, 15, 18, 17, 14, 5, 4, 2};

} // namespace

std::string hh_mm(int minute_of_day) {
    const int clamped = std::clamp(minute_of_day, 0, 24 * 60 - 1);
    std::string out(4, '0');
    out[0] = static_cast<char>('0' + clamped / 600);
    out[1] = static_cast<char>('0' + clamped / 60 % 10);
    out[2] = static_cast<char>('0' + clamped % 60 / 10);
    out[3] = static_cast<char>('0' + clamped % 10);
    return out;
}

std::string NumberRegistry::container_number(std::string_view owner, Rng& rng) {
    for (;;) {
        std::string number(owner);
        for (int digit = 0; digit < 6; ++digit)
            number += static_cast<char>('0' + rng.between(0, 9));
        const auto check = core::iso6346_check_digit(number);
        assert(check && "owner codes in the tables have the ISO 6346 shape");
        // Serials whose remainder is 10 give check digit 0 ambiguously; owners avoid them.
        number += static_cast<char>('0' + *check);
        if (containers_.insert(number).second)
            return number;
    }
}

std::string NumberRegistry::imo_number(Rng& rng) {
    for (;;) {
        std::string imo = "9";
        for (int digit = 0; digit < 5; ++digit)
            imo += static_cast<char>('0' + rng.between(0, 9));
        imo += static_cast<char>('0' + *core::imo_check_digit(imo));
        if (imos_.insert(imo).second)
            return imo;
    }
}

std::string NumberRegistry::bl_number(std::string_view prefix, Rng& rng) {
    auto found = bl_counters_.find(prefix);
    if (found == bl_counters_.end())
        found = bl_counters_
                    .emplace(std::string(prefix),
                             rng.between(std::int64_t{100'000'000}, std::int64_t{700'000'000}))
                    .first;
    found->second += rng.between(1, 37);
    return std::string(prefix) + std::to_string(found->second);
}

double cargo_mass(const Product& product, std::int64_t packages, Rng& rng) {
    return std::round(static_cast<double>(packages) * product.kg_per_package * rng.factor(0.04));
}

std::int64_t packages_for_load(const Product& product, const SizeType& type, Rng& rng) {
    const CargoProfile& profile = *product.profile;
    double fill = rng.uniform(profile.fill_min_kg, profile.fill_max_kg);
    switch (profile.stowage) {
    case Stowage::heavy:
    case Stowage::liquid:
        // The profile's figure is for a 20' box; a 40' box is weight-limited too.
        if (type.length_ft >= 40)
            fill *= rng.uniform(0.9, 1.0);
        break;
    case Stowage::light:
    case Stowage::vehicles:
        if (type.length_ft == 20)
            fill *= 0.45;
        else if (type.length_ft == 45)
            fill *= 1.1;
        break;
    case Stowage::reefer:
        if (type.length_ft == 20)
            fill *= 0.85;
        break;
    }
    fill = std::min(fill, type.max_payload_kg * 0.97);
    const auto packages = static_cast<std::int64_t>(std::llround(fill / product.kg_per_package));
    return std::max<std::int64_t>(1, packages);
}

void settle_container_masses(Unit& unit) {
    for (auto& box : unit.containers) {
        if (box.load == core::LoadStatus::empty)
            continue;
        double cargo = 0;
        for (const auto& consignment : unit.consignments)
            for (const auto& item : consignment.goods_items)
                for (const auto& placement : item.placements)
                    if (placement.container_number == box.number && item.packages > 0)
                        cargo += item.gross_mass_kg.value_or(0) *
                                 static_cast<double>(placement.packages.value_or(0)) /
                                 static_cast<double>(item.packages);
        box.gross_mass_kg = std::round(box.tare_mass_kg.value_or(0) + cargo);
    }
}

TrafficBuilder::TrafficBuilder(const PartyPools& pools, const GoodsCatalog& goods, std::string port,
                               NumberRegistry& numbers)
    : pools_(pools), goods_(goods), port_(std::move(port)), numbers_(numbers) {
    for (std::size_t idx = 0; idx < pools_.shippers.size(); ++idx) {
        const Shipper& shipper = pools_.shippers[idx];
        const Region region = region_of(shipper.port_of_loading);
        shippers_by_region_[region].push_back(idx);
        weights_by_region_[region].push_back(shipper.weight);
        shippers_by_port_[shipper.port_of_loading].push_back(idx);
    }
}

std::string TrafficBuilder::seal_number(std::string_view prefix, Rng& rng) const {
    std::string seal(prefix);
    for (int digit = 0; digit < 7; ++digit)
        seal += static_cast<char>('0' + rng.between(0, 9));
    return seal;
}

core::Container TrafficBuilder::make_container(const Carrier& carrier,
                                               std::string_view size_type_code, Rng& rng) {
    const SizeType& type = size_type(size_type_code);
    core::Container box;
    const std::string owner =
        rng.chance(0.7) ? pick_word(carrier.box_prefixes, rng) : pick_word(lessor_prefixes(), rng);
    box.number = numbers_.container_number(owner, rng);
    box.size_type = std::string(type.code);
    box.tare_mass_kg = std::round((type.tare_kg + rng.between(-60, 60)) / 10.0) * 10.0;
    box.gross_mass_kg = box.tare_mass_kg;
    // Every loaded box leaves sealed; the carrier's bolt seal is the rule, customs at origin and
    // shippers add their own now and then.
    box.seals.push_back({seal_number(carrier.seal_prefix, rng), rng.chance(0.995) ? "CA" : "SH"});
    if (rng.chance(0.06))
        box.seals.push_back({seal_number("CS", rng), "CU"});
    if (rng.chance(0.03))
        box.seals.push_back({seal_number("S", rng), "SH"});
    return box;
}

const Shipper& TrafficBuilder::pick_shipper(const CallPlan& plan, Rng& rng) const {
    const double* region_weights =
        plan.service ? plan.service->region_weights : kFeederRegionWeights;
    std::vector<double> weights(region_weights, region_weights + 8);
    for (std::size_t region = 0; region < weights.size(); ++region)
        if (!shippers_by_region_.contains(static_cast<Region>(region)))
            weights[region] = 0;
    const auto region = static_cast<Region>(rng.weighted(weights));
    const auto& indices = shippers_by_region_.at(region);
    return pools_.shippers[indices[rng.weighted(weights_by_region_.at(region))]];
}

const Shipper& TrafficBuilder::shipper_from_port(std::string_view port, Rng& rng) const {
    const auto found = shippers_by_port_.find(port);
    assert(found != shippers_by_port_.end() && "every port of a pool shipper has shippers");
    return pools_.shippers[found->second[rng.index(found->second.size())]];
}

TrafficBuilder::Route TrafficBuilder::route_for(const CallPlan& plan,
                                                std::string_view port_of_loading, Rng& rng) const {
    Route route;
    route.port_of_loading = std::string(port_of_loading);
    const Region region = region_of(port_of_loading);
    if (plan.service == nullptr) {
        if (port_of_loading == plan.feeder_hub)
            return route;
        // Long-haul cargo may have changed ships once before reaching the feeder's hub.
        const auto hubs = words(hubs_for(region));
        const std::string first_hub(hubs[rng.index(hubs.size())]);
        if (rng.chance(0.1) && first_hub != plan.feeder_hub && first_hub != port_of_loading)
            route.transshipment_ports.push_back(first_hub);
        route.transshipment_ports.push_back(plan.feeder_hub);
        return route;
    }
    if (contains_word(plan.service->direct_ports, port_of_loading))
        return route;
    std::vector<std::string_view> hubs;
    for (const auto hub : words(hubs_for(region)))
        if (contains_word(plan.service->hubs, hub) && hub != port_of_loading)
            hubs.push_back(hub);
    if (hubs.empty())
        for (const auto hub : words(hubs_for(region)))
            if (hub != port_of_loading)
                hubs.push_back(hub);
    if (!hubs.empty())
        route.transshipment_ports.emplace_back(hubs[rng.index(hubs.size())]);
    return route;
}

core::Consignment TrafficBuilder::consignment_for(const CallPlan& plan, const Shipper& shipper,
                                                  const Route& route, Rng& rng) const {
    core::Consignment con;
    con.master_bl = numbers_.bl_number(plan.carrier->bl_prefix, rng);
    con.shipper = shipper.party;
    const Consignee* consignee = nullptr;
    if (!shipper.customers.empty() && rng.chance(0.85))
        consignee = &pools_.consignees[shipper.customers[rng.index(shipper.customers.size())]];
    else if (rng.chance(0.9))
        consignee = &pools_.consignees[rng.weighted(pools_.consignee_weights)];
    const DeliveryPlace* place = nullptr;
    if (consignee != nullptr) {
        con.consignee = consignee->party;
        place = &pools_.deliveries[consignee->delivery];
    } else {
        // An ordinary importer seen for the first time: companies start trading every day.
        place = &pools_.deliveries[rng.index(pools_.deliveries.size())];
        con.consignee = invent_company(CompanyKind::importer, place->locode.substr(0, 2),
                                       place->cities[rng.index(place->cities.size())], rng);
    }
    con.notify_party = rng.chance(0.65)
                           ? pools_.clearing_agents[rng.index(pools_.clearing_agents.size())]
                           : con.consignee;
    if (rng.chance(0.3)) {
        // The shipper's forwarder works in the shipper's country when the pool has one there.
        std::vector<const core::Party*> local;
        for (const auto& candidate : pools_.forwarders)
            if (candidate.country == shipper.party.country)
                local.push_back(&candidate);
        con.forwarder = local.empty() ? pools_.forwarders[rng.index(pools_.forwarders.size())]
                                      : *local[rng.index(local.size())];
    }
    con.place_of_receipt = rng.chance(0.7) ? route.port_of_loading : std::string{};
    con.port_of_loading = route.port_of_loading;
    con.transshipment_ports = route.transshipment_ports;
    con.port_of_discharge = port_;
    con.place_of_delivery = place->locode;
    return con;
}

std::string TrafficBuilder::pick_size_type(const Product& product, Rng& rng) const {
    switch (product.profile->stowage) {
    case Stowage::heavy: return rng.chance(0.88) ? "22G1" : "42G1";
    case Stowage::reefer: return rng.chance(0.7) ? "45R1" : "22R1";
    case Stowage::liquid: return product.package_type == "VL" ? "22T1" : "22G1";
    case Stowage::vehicles: return rng.chance(0.6) ? "45G1" : "42G1";
    case Stowage::light: {
        if (product.chapter == 84 && product.kg_per_package > 300 && rng.chance(0.12))
            return "42U1";
        const double pick = rng.uniform();
        if (pick < 0.55)
            return "45G1";
        if (pick < 0.80)
            return "42G1";
        if (pick < 0.95)
            return "22G1";
        return "L5G1";
    }
    }
    return "22G1";
}

Unit TrafficBuilder::fcl_unit(const CallPlan& plan, int max_containers, Rng& rng) {
    Unit unit;
    unit.kind = UnitKind::fcl;
    const Shipper& shipper = pick_shipper(plan, rng);
    const Route route = route_for(plan, shipper.port_of_loading, rng);
    core::Consignment con = consignment_for(plan, shipper, route, rng);

    const double size_pick = rng.uniform();
    int boxes = size_pick < 0.75   ? 1
                : size_pick < 0.87 ? 2
                : size_pick < 0.93 ? 3
                                   : rng.between(4, 10);
    boxes = std::min(boxes, max_containers);
    const Product& product = shipper.products[rng.index(shipper.products.size())];
    const std::string type_code = pick_size_type(product, rng);
    const SizeType& type = size_type(type_code);

    // A second product shares a single box now and then (a supplier's mixed load).
    const Product* second = nullptr;
    if (boxes == 1 && shipper.products.size() > 1 && rng.chance(0.15)) {
        second = &shipper.products[rng.index(shipper.products.size())];
        if (second->hs_code == product.hs_code || second->profile->stowage != Stowage::light ||
            product.profile->stowage != Stowage::light)
            second = nullptr;
    }

    core::GoodsItem item;
    item.item_number = 1;
    item.hs_code = product.hs_code;
    item.description = product.description;
    item.package_type = product.package_type;
    for (int box_idx = 0; box_idx < boxes; ++box_idx) {
        core::Container box = make_container(*plan.carrier, type_code, rng);
        std::int64_t packages = packages_for_load(product, type, rng);
        if (second != nullptr)
            packages = std::max<std::int64_t>(1, packages * 6 / 10);
        item.packages += packages;
        item.placements.push_back({box.number, packages, 0});
        unit.containers.push_back(std::move(box));
    }
    item.gross_mass_kg = cargo_mass(product, item.packages, rng);
    con.goods_items.push_back(std::move(item));
    if (second != nullptr) {
        core::GoodsItem extra;
        extra.item_number = 2;
        extra.hs_code = second->hs_code;
        extra.description = second->description;
        extra.package_type = second->package_type;
        extra.packages = std::max<std::int64_t>(1, packages_for_load(*second, type, rng) * 4 / 10);
        extra.gross_mass_kg = cargo_mass(*second, extra.packages, rng);
        extra.placements.push_back({unit.containers.front().number, extra.packages, 0});
        con.goods_items.push_back(std::move(extra));
    }
    unit.consignments.push_back(std::move(con));
    settle_container_masses(unit);
    return unit;
}

Unit TrafficBuilder::lcl_unit(const CallPlan& plan, bool consolidation, Rng& rng) {
    Unit unit;
    unit.kind = consolidation ? UnitKind::consolidation : UnitKind::co_loaded;
    const Shipper& first = pick_shipper(plan, rng);
    const Route route = route_for(plan, first.port_of_loading, rng);
    const double type_pick = rng.uniform();
    const std::string type_code = type_pick < 0.6 ? "45G1" : type_pick < 0.8 ? "42G1" : "22G1";
    const SizeType& type = size_type(type_code);
    unit.containers.push_back(make_container(*plan.carrier, type_code, rng));
    const std::string& box_number = unit.containers.front().number;

    const core::Party* forwarder = nullptr;
    std::string master_bl;
    std::string house_prefix;
    if (consolidation) {
        // The consolidator is a forwarder of the loading country when the pool has one.
        const std::string country = first.port_of_loading.substr(0, 2);
        std::vector<const core::Party*> local;
        for (const auto& candidate : pools_.forwarders)
            if (candidate.country == country)
                local.push_back(&candidate);
        forwarder = local.empty() ? &pools_.forwarders[rng.index(pools_.forwarders.size())]
                                  : local[rng.index(local.size())];
        master_bl = numbers_.bl_number(plan.carrier->bl_prefix, rng);
        for (char c : forwarder->name)
            if (c >= 'A' && c <= 'Z' && house_prefix.size() < 3)
                house_prefix += c;
        house_prefix += forwarder->country;
    }

    const int bls = consolidation ? rng.between(3, 9) : rng.between(2, 4);
    double budget = type.max_payload_kg * rng.uniform(0.25, 0.6);
    for (int bl_idx = 0; bl_idx < bls; ++bl_idx) {
        const Shipper& shipper =
            bl_idx == 0 ? first : shipper_from_port(first.port_of_loading, rng);
        core::Consignment con = consignment_for(plan, shipper, route, rng);
        if (consolidation) {
            con.master_bl = master_bl;
            con.house_bl = numbers_.bl_number(house_prefix, rng);
            con.forwarder = *forwarder;
        }
        const Product& product = shipper.products[rng.index(shipper.products.size())];
        core::GoodsItem item;
        item.item_number = 1;
        item.hs_code = product.hs_code;
        item.description = product.description;
        item.package_type = product.package_type == "VL" ? "DR" : product.package_type;
        const double share = budget / static_cast<double>(bls - bl_idx) * rng.uniform(0.5, 1.5);
        const double kg_per_package = product.package_type == "VL" ? 190 : product.kg_per_package;
        item.packages = std::clamp<std::int64_t>(std::llround(share / kg_per_package), 1, 900);
        item.gross_mass_kg =
            std::round(static_cast<double>(item.packages) * kg_per_package * rng.factor(0.04));
        budget = std::max(0.0, budget - *item.gross_mass_kg);
        item.placements.push_back({box_number, item.packages, 0});
        con.goods_items.push_back(std::move(item));
        unit.consignments.push_back(std::move(con));
    }
    settle_container_masses(unit);
    return unit;
}

Unit TrafficBuilder::empty_unit(const CallPlan& plan, Rng& rng) {
    Unit unit;
    unit.kind = UnitKind::empty;
    const double type_pick = rng.uniform();
    const char* type_code = type_pick < 0.45 ? "45G1" : type_pick < 0.8 ? "22G1" : "42G1";
    core::Container box = make_container(*plan.carrier, type_code, rng);
    box.load = core::LoadStatus::empty;
    box.gross_mass_kg = box.tare_mass_kg;
    // Empties travel mostly unsealed.
    if (rng.chance(0.75))
        box.seals.clear();
    unit.containers.push_back(std::move(box));
    return unit;
}

std::vector<Unit> TrafficBuilder::build_call(const CallPlan& plan, Rng& rng) {
    std::vector<Unit> units;
    int remaining = plan.containers;
    // About 3% of a mainline call's boxes and 5% of a feeder's are empties; they come in
    // batches of 1 to 12 from the carrier's equipment desk, so the chance is per batch.
    const double batch_chance = plan.service ? 0.007 : 0.012;
    while (remaining > 0) {
        const double pick = rng.uniform();
        if (pick < batch_chance) {
            const int batch = std::min(remaining, rng.between(1, 12));
            for (int box = 0; box < batch; ++box)
                units.push_back(empty_unit(plan, rng));
            remaining -= batch;
        } else if (pick < batch_chance + 0.05) {
            units.push_back(lcl_unit(plan, rng.chance(0.65), rng));
            remaining -= 1;
        } else {
            units.push_back(fcl_unit(plan, remaining, rng));
            remaining -= static_cast<int>(units.back().containers.size());
        }
    }
    return units;
}

} // namespace portscreen::sim
