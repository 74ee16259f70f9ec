#pragma once

#include "core/manifest.hpp"
#include "sim/goods.hpp"
#include "sim/random.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace portscreen::sim {

/// A place cargo is delivered to, and the cities of its consignees.
struct DeliveryPlace {
    std::string locode;
    double weight = 1;
    std::vector<std::string> cities;
};

struct Shipper {
    core::Party party;
    std::string port_of_loading;
    std::vector<Product> products;
    std::vector<std::size_t> customers; ///< indices into PartyPools::consignees
    double weight = 1;
};

struct Consignee {
    core::Party party;
    std::size_t delivery = 0; ///< index into PartyPools::deliveries
    double weight = 1;
};

/// Invented trading parties of one port's trade: shippers with their products and customers,
/// consignees, forwarders and clearing agents. The pools depend only on the seed (not on the
/// date), so the same parties recur day after day. Names are made of invented syllables so
/// that they are clearly fictitious. Immutable after construction.
class PartyPools {
public:
    PartyPools(std::uint64_t seed, std::string_view port, const GoodsCatalog& goods);

    std::vector<DeliveryPlace> deliveries;
    std::vector<Shipper> shippers;
    std::vector<double> shipper_weights;
    std::vector<Consignee> consignees;
    std::vector<double> consignee_weights;
    std::vector<core::Party> forwarders;      ///< at origin, consolidating LCL cargo
    std::vector<core::Party> clearing_agents; ///< at destination, named as notify party

    std::string destination_country() const;
};

enum class CompanyKind { exporter, importer, forwarder };

/// Invented parties, also for parties seen for the first time on a day.
core::Party invent_company(CompanyKind kind, std::string_view country, std::string_view city,
                           Rng& rng);
core::Party invent_person(std::string_view country, std::string_view city, Rng& rng);

/// An invented word of two or three syllables, upper case ("VORANTEX").
std::string invent_word(Rng& rng);

} // namespace portscreen::sim
