#include "sim/parties.hpp"

#include "sim/catalog.hpp"

#include <algorithm>

namespace portscreen::sim {
namespace {

constexpr std::string_view kOnsets[] = {"B",  "D",  "F",  "G",  "K",  "L",  "M",  "N",
                                        "P",  "R",  "S",  "T",  "V",  "Z",  "BR", "DR",
                                        "KR", "TR", "ST", "PR", "GR", "QU", "SH", "TH"};
constexpr std::string_view kVowels[] = {"A", "E", "I", "O", "U", "A", "E", "O", "AI", "EO"};
constexpr std::string_view kCodas[] = {"", "", "", "N", "R", "L", "S", "X", "M", "NT"};

constexpr std::string_view kExporterWords[] = {
    "TRADING",     "INDUSTRIAL", "IMPORT AND EXPORT", "MANUFACTURING", "INTERNATIONAL",
    "ENTERPRISES", "INDUSTRIES", "EXPORTS",           "GLOBAL",        "PRODUCTS"};
constexpr std::string_view kImporterWords[] = {
    "GENERAL MERCHANTS", "DISTRIBUTORS", "ENTERPRISES", "HARDWARE",
    "SUPERMARKETS",      "MILLERS",      "MOTORS",      "AGENCIES",
    "INDUSTRIES",        "TRADERS",      "HOLDINGS",    "WHOLESALERS"};
constexpr std::string_view kForwarderWords[] = {
    "LOGISTICS", "SHIPPING", "FREIGHT SERVICES", "CARGO", "CLEARING AND FORWARDING",
    "FREIGHT",   "TRANSPORT"};
constexpr std::string_view kGivenNames[] = {
    "JOHN", "MARY",   "PETER",  "GRACE", "JAMES",  "ANN",    "DAVID",  "FAITH", "JOSEPH", "SARAH",
    "ALI",  "FATUMA", "HASSAN", "AMINA", "SAMUEL", "ESTHER", "DANIEL", "RUTH",  "MOSES",  "JANE"};
constexpr std::string_view kStreetWords[] = {"ROAD", "STREET", "AVENUE", "LANE", "DRIVE"};

template <typename T, std::size_t N> std::string_view any(const T (&items)[N], Rng& rng) {
    return items[rng.index(N)];
}

std::vector<std::string> split_cities(std::string_view cities) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos <= cities.size()) {
        const std::size_t end = cities.find('|', pos);
        const std::size_t stop = end == std::string_view::npos ? cities.size() : end;
        if (stop > pos)
            out.emplace_back(cities.substr(pos, stop - pos));
        pos = stop + 1;
    }
    return out;
}

std::string pick_city(std::string_view country, Rng& rng) {
    const auto cities = split_cities(cities_of(country));
    return cities.empty() ? std::string(country) : cities[rng.index(cities.size())];
}

/// Keeps a name within the 35 characters of an EDIFACT NAD line.
std::string fit(std::string text) {
    if (text.size() > 35)
        text.resize(35);
    while (!text.empty() && (text.back() == ' ' || text.back() == ','))
        text.pop_back();
    return text;
}

std::string street_address(std::string_view country, Rng& rng) {
    const std::string street = invent_word(rng) + " " + std::string(any(kStreetWords, rng));
    const std::string_view c = country;
    if (c == "KE" || c == "UG" || c == "RW" || c == "SS" || c == "BI" || c == "TZ") {
        if (rng.chance(0.5))
            return "P.O. BOX " + std::to_string(rng.between(100, 99999));
        return fit("PLOT " + std::to_string(rng.between(1, 450)) + ", " + street);
    }
    return fit("NO. " + std::to_string(rng.between(1, 999)) + " " + street);
}

std::string tax_id(std::string_view country, Rng& rng) {
    if (country == "KE") {
        std::string pin = "P05";
        for (int digit = 0; digit < 7; ++digit)
            pin += static_cast<char>('0' + rng.between(0, 9));
        return pin + static_cast<char>('A' + rng.between(0, 25));
    }
    if (country == "UG" || country == "RW") {
        std::string tin = "10";
        for (int digit = 0; digit < 8; ++digit)
            tin += static_cast<char>('0' + rng.between(0, 9));
        return tin;
    }
    return {};
}

double zipf_weight(std::size_t rank) {
    // A few big importers and exporters carry much of the trade.
    return 1.0 / (static_cast<double>(rank) + 4.0);
}

} // namespace

std::string invent_word(Rng& rng) {
    std::string word;
    const int syllables = rng.between(2, 3);
    for (int syllable = 0; syllable < syllables; ++syllable) {
        word += any(kOnsets, rng);
        word += any(kVowels, rng);
    }
    word += any(kCodas, rng);
    return word;
}

core::Party invent_company(CompanyKind kind, std::string_view country, std::string_view city,
                           Rng& rng) {
    core::Party party;
    std::string_view trade;
    switch (kind) {
    case CompanyKind::exporter: trade = any(kExporterWords, rng); break;
    case CompanyKind::importer: trade = any(kImporterWords, rng); break;
    case CompanyKind::forwarder: trade = any(kForwarderWords, rng); break;
    }
    std::string core_name = invent_word(rng);
    if (rng.chance(0.25)) {
        core_name += ' ';
        core_name += invent_word(rng);
    }
    const std::string suffix(legal_suffix(country));
    std::string name = country == "ID" ? "PT " + core_name + " " + std::string(trade)
                                       : core_name + " " + std::string(trade) + " " + suffix;
    if (name.size() > 35)
        name = core_name + " " + suffix;
    party.name = fit(name);
    party.address = street_address(country, rng);
    party.city = city.empty() ? pick_city(country, rng) : std::string(city);
    party.country = std::string(country);
    if (kind == CompanyKind::importer)
        party.id = tax_id(country, rng);
    return party;
}

core::Party invent_person(std::string_view country, std::string_view city, Rng& rng) {
    core::Party party;
    std::string name = std::string(any(kGivenNames, rng));
    if (rng.chance(0.5))
        name += std::string(" ") + static_cast<char>('A' + rng.between(0, 25)) + ".";
    party.name = fit(name + " " + invent_word(rng));
    party.address = street_address(country, rng);
    party.city = city.empty() ? pick_city(country, rng) : std::string(city);
    party.country = std::string(country);
    return party;
}

PartyPools::PartyPools(std::uint64_t seed, std::string_view port, const GoodsCatalog& goods) {
    Rng rng(stream_seed(seed, "parties"));
    const std::string port_country(port.substr(0, 2));

    if (port_country == "KE") {
        for (const auto& place : east_african_destinations())
            deliveries.push_back(
                {std::string(place.locode), place.weight, split_cities(place.cities)});
    } else {
        auto cities = split_cities(cities_of(port_country));
        if (cities.empty())
            cities.emplace_back(port);
        deliveries.push_back({std::string(port), 1, cities});
    }
    std::vector<double> delivery_weights;
    for (const auto& place : deliveries)
        delivery_weights.push_back(place.weight);

    constexpr std::size_t kConsignees = 800;
    for (std::size_t idx = 0; idx < kConsignees; ++idx) {
        Consignee consignee;
        consignee.delivery = rng.weighted(delivery_weights);
        const DeliveryPlace& place = deliveries[consignee.delivery];
        const std::string& city = place.cities[rng.index(place.cities.size())];
        consignee.party =
            invent_company(CompanyKind::importer, place.locode.substr(0, 2), city, rng);
        consignees.push_back(std::move(consignee));
    }
    std::vector<std::size_t> ranks(consignees.size());
    for (std::size_t idx = 0; idx < ranks.size(); ++idx)
        ranks[idx] = idx;
    rng.shuffle(ranks);
    for (std::size_t idx = 0; idx < consignees.size(); ++idx) {
        consignees[idx].weight = zipf_weight(ranks[idx]);
        consignee_weights.push_back(consignees[idx].weight);
    }

    std::vector<double> port_weights;
    for (const auto& origin : origin_ports())
        port_weights.push_back(origin.weight);

    constexpr std::size_t kShippers = 1200;
    for (std::size_t idx = 0; idx < kShippers; ++idx) {
        const OriginPort& origin = origin_ports()[rng.weighted(port_weights)];
        const std::string country(origin.locode.substr(0, 2));
        const auto cities = split_cities(origin.cities);
        Shipper shipper;
        shipper.port_of_loading = std::string(origin.locode);
        shipper.party =
            invent_company(CompanyKind::exporter, country, cities[rng.index(cities.size())], rng);
        const int product_count = rng.chance(0.6) ? 1 : rng.between(2, 3);
        for (int product = 0; product < product_count; ++product)
            shipper.products.push_back(goods.product_for(country, rng));
        const int customer_count = rng.between(1, 6);
        for (int customer = 0; customer < customer_count; ++customer)
            shipper.customers.push_back(rng.weighted(consignee_weights));
        shippers.push_back(std::move(shipper));
    }
    rng.shuffle(ranks);
    for (std::size_t idx = 0; idx < shippers.size(); ++idx) {
        shippers[idx].weight = zipf_weight(ranks[idx % ranks.size()] + idx / ranks.size());
        shipper_weights.push_back(shippers[idx].weight);
    }

    for (int idx = 0; idx < 60; ++idx) {
        const OriginPort& origin = origin_ports()[rng.weighted(port_weights)];
        forwarders.push_back(
            invent_company(CompanyKind::forwarder, origin.locode.substr(0, 2), {}, rng));
    }
    // Clearing agents sit in the port's country, at the port or at its inland depots.
    std::vector<std::string> agent_cities;
    for (const auto& place : deliveries)
        if (place.locode.substr(0, 2) == port_country)
            agent_cities.insert(agent_cities.end(), place.cities.begin(), place.cities.end());
    for (int idx = 0; idx < 40; ++idx)
        clearing_agents.push_back(invent_company(CompanyKind::forwarder, port_country,
                                                 agent_cities[rng.index(agent_cities.size())],
                                                 rng));
}

std::string PartyPools::destination_country() const {
    return deliveries.front().locode.substr(0, 2);
}

} // namespace portscreen::sim
