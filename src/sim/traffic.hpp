#pragma once

#include "core/manifest.hpp"
#include "sim/catalog.hpp"
#include "sim/goods.hpp"
#include "sim/parties.hpp"
#include "sim/random.hpp"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace portscreen::sim {

enum class UnitKind {
    fcl,           ///< one B/L, one or more containers of its own
    co_loaded,     ///< several carrier B/Ls sharing one container
    consolidation, ///< house B/Ls under a forwarder's master B/L in one container
    empty,         ///< an empty container being repositioned, no B/L
};

/// Containers and the B/Ls that use only them: the smallest piece a manifest can be split into
/// without a B/L pointing at a container declared in another message.
struct Unit {
    UnitKind kind = UnitKind::fcl;
    std::vector<core::Container> containers;
    std::vector<core::Consignment> consignments;
    bool touched = false; ///< planted or amended: not to be picked twice
};

/// One vessel call before it is cut into messages.
struct CallPlan {
    const Carrier* carrier = nullptr;
    const Service* service = nullptr; ///< nullptr for a feeder
    std::string feeder_hub;
    int containers = 0;
    int eta_minute = 0;
    bool edifact = true;
    bool d11a = false;
    core::VesselCall vessel;
};

/// Numbers that must be unique across a day: container numbers, IMO numbers, B/L numbers.
class NumberRegistry {
public:
    std::string container_number(std::string_view owner, Rng& rng);
    std::string imo_number(Rng& rng);
    std::string bl_number(std::string_view prefix, Rng& rng);

private:
    std::set<std::string, std::less<>> containers_;
    std::set<std::string, std::less<>> imos_;
    std::map<std::string, std::int64_t, std::less<>> bl_counters_;
};

/// Builds the containers and B/Ls of vessel calls from the party pools and the goods
/// catalogue. Holds references to both; one builder per simulated day.
class TrafficBuilder {
public:
    TrafficBuilder(const PartyPools& pools, const GoodsCatalog& goods, std::string port,
                   NumberRegistry& numbers);

    /// Units holding exactly `plan.containers` containers.
    std::vector<Unit> build_call(const CallPlan& plan, Rng& rng);

    /// A cargo-carrying container of a size type, sealed as the carrier would seal it.
    core::Container make_container(const Carrier& carrier, std::string_view size_type_code,
                                   Rng& rng);

    std::string seal_number(std::string_view prefix, Rng& rng) const;

    const PartyPools& pools() const { return pools_; }

private:
    struct Route {
        std::string port_of_loading;
        std::vector<std::string> transshipment_ports;
    };

    Unit fcl_unit(const CallPlan& plan, int max_containers, Rng& rng);
    Unit lcl_unit(const CallPlan& plan, bool consolidation, Rng& rng);
    Unit empty_unit(const CallPlan& plan, Rng& rng);

    const Shipper& pick_shipper(const CallPlan& plan, Rng& rng) const;
    const Shipper& shipper_from_port(std::string_view port, Rng& rng) const;
    Route route_for(const CallPlan& plan, std::string_view port_of_loading, Rng& rng) const;
    core::Consignment consignment_for(const CallPlan& plan, const Shipper& shipper,
                                      const Route& route, Rng& rng) const;
    std::string pick_size_type(const Product& product, Rng& rng) const;

    const PartyPools& pools_;
    const GoodsCatalog& goods_;
    std::string port_;
    NumberRegistry& numbers_;
    std::map<Region, std::vector<std::size_t>> shippers_by_region_;
    std::map<Region, std::vector<double>> weights_by_region_;
    std::map<std::string, std::vector<std::size_t>, std::less<>> shippers_by_port_;
};

/// Cargo mass for `packages` of a product, whole kilograms.
double cargo_mass(const Product& product, std::int64_t packages, Rng& rng);

/// Packages of a product that make a typical load of a box of the size type.
std::int64_t packages_for_load(const Product& product, const SizeType& type, Rng& rng);

/// Sets each container's gross mass to its tare plus the goods placed in it.
void settle_container_masses(Unit& unit);

std::string hh_mm(int minute_of_day);

} // namespace portscreen::sim
