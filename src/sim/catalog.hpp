#pragma once

#include <span>
#include <string_view>
#include <vector>

/// Public facts and invented figures the simulator draws from: carriers and their codes, ports,
/// trade services, container types and a per-chapter model of how goods are packed and how much
/// they weigh. Everything here is constant data; the figures are plausible, not statistics.
namespace portscreen::sim {

/// Splits a space-separated list ("CNSHA CNNGB") into its words; the tables stay compact.
std::vector<std::string_view> words(std::string_view list);

enum class Region {
    east_asia,
    southeast_asia,
    south_asia,
    middle_east,
    europe,
    africa,
    north_america,
    south_america,
};

struct Carrier {
    std::string_view code; ///< SCAC-style code used as the manifest sender
    std::string_view name;
    std::string_view box_prefixes; ///< owner codes of the carrier's own containers
    std::string_view bl_prefix;    ///< first letters of its bills of lading
    std::string_view seal_prefix;
    std::string_view vessel_prefix; ///< "MSC " + name, or name + " MAERSK"
    std::string_view vessel_suffix;
    double share; ///< weight among the calls of a day
};

struct OriginPort {
    std::string_view locode;
    Region region;
    double weight;           ///< share of cargo loaded there for an East African gateway
    std::string_view cities; ///< where its shippers sit, "|"-separated
};

/// Where imported cargo goes after the port: the port itself or an inland place.
struct Destination {
    std::string_view locode;
    double weight;
    std::string_view cities; ///< consignee cities, "|"-separated
};

/// A liner service calling the port: which origins it loads directly and where the rest is
/// transshipped.
struct Service {
    std::string_view name;
    std::string_view direct_ports;
    std::string_view last_ports;
    std::string_view hubs;
    double region_weights[8]; ///< by Region
};

enum class BoxKind { dry, reefer, tank, open_top };

struct SizeType {
    std::string_view code;
    BoxKind kind;
    int length_ft;
    double tare_kg;
    double max_payload_kg;
};

/// How a commodity travels: packaging, mass per package and how much of it fills a box.
enum class Stowage {
    heavy,    ///< weight-limited: fills a 20' box by mass (cement, rice, tiles, steel)
    light,    ///< volume-limited: a 40' high cube carries only a few tonnes
    reefer,   ///< needs a refrigerated box
    liquid,   ///< bulk liquid in a tank container, else drums
    vehicles, ///< units stowed in 40' boxes
};

struct CargoProfile {
    int chapter;
    int heading;               ///< 0 for the whole chapter; a heading overrides its chapter
    double weight;             ///< share of B/Ls (chapter rows only)
    std::string_view packages; ///< UN/ECE Rec. 21 codes, first most common
    double kg_per_package;
    double fill_min_kg; ///< cargo in a typical box of the profile's size
    double fill_max_kg;
    Stowage stowage;
    std::string_view headings; ///< headings most traded in the chapter, may be empty
    std::string_view origins;  ///< countries it comes from; empty for anywhere
};

std::span<const Carrier> carriers();
std::span<const OriginPort> origin_ports();
std::span<const Destination> east_african_destinations();
std::span<const Service> services();
std::span<const SizeType> size_types();
std::span<const CargoProfile> cargo_profiles();

/// Feeder hubs: the last port of a feeder call and the transshipment port of all its cargo.
std::string_view feeder_hubs();
/// Transshipment hubs that make commercial sense for cargo from a region.
std::string_view hubs_for(Region region);
/// Owner codes of container lessors, whose boxes every carrier uses.
std::string_view lessor_prefixes();
/// Ports in source regions used by the planted odd-routing pattern, and odd hub chains.
std::string_view source_ports();
std::string_view odd_hub_chains(); ///< "|"-separated chains of space-separated hubs

const OriginPort* find_origin_port(std::string_view locode);
const SizeType& size_type(std::string_view code);
const CargoProfile& profile_for(int chapter, int heading);

/// Cities of a country where invented parties live, "|"-separated; empty when unknown.
std::string_view cities_of(std::string_view country);

/// Legal-form suffix that fits a company of the country ("LTD", "CO., LTD", "GMBH").
std::string_view legal_suffix(std::string_view country);

/// "BAGS", "CARTONS": the word officers read for a package code.
std::string_view package_word(std::string_view code);

} // namespace portscreen::sim
