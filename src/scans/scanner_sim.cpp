// `portscreen scanner-sim`: the simulated scanner as a program. It writes labelled sets to
// disk and sends scans to a node, either of random loads or of the containers a node selected.

#include "analysis.hpp"
#include "common/args.hpp"
#include "core/codes.hpp"
#include "formats.hpp"
#include "messaging/feed_client.hpp"
#include "scans/cli.hpp"
#include "scans/processing.hpp"
#include "scans/scan_header.hpp"
#include "scans/scan_store.hpp"
#include "scans/send.hpp"
#include "sim/simulator.hpp"
#include "simulate.hpp"
#include "storage/database.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <future>
#include <stdexcept>

namespace portscreen::scans {
namespace {

namespace fs = std::filesystem;
using scanner_io::Concealment;
using scanner_io::ScanScenario;

// The simulated linac's nominal energies (scanner-io/simulate.cpp models the same pair).
constexpr double kHighMeV = 6.0;
constexpr double kLowMeV = 4.0;

std::uint64_t mix(std::uint64_t value) {
    value += 0x9e3779b97f4a7c15ULL;
    value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
    value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
    return value ^ (value >> 31);
}

std::uint64_t hash_text(std::string_view text, std::uint64_t seed) {
    std::uint64_t value = seed;
    for (const char c : text)
        value = mix(value ^ static_cast<unsigned char>(c));
    return value;
}

/// A valid ISO 6346 number for a simulated container that no manifest lists.
std::string simulated_container_number(std::uint64_t seed) {
    char digits[16];
    std::snprintf(digits, sizeof digits, "SIMU%06llu",
                  static_cast<unsigned long long>(mix(seed) % 1'000'000));
    return std::string(digits) + std::to_string(*core::iso6346_check_digit(digits));
}

struct Encoded {
    ScanHeader header;
    std::vector<std::string> frames; ///< header JSON, high PNG, low PNG
};

Encoded encode_scan(const scanner_io::SimulatedScan& simulated, std::string scan_id,
                    std::string container, std::string scanned_at) {
    Encoded out;
    ScanHeader& header = out.header;
    header.scan_id = std::move(scan_id);
    header.scanner_id = "SIM-SCANNER-1";
    header.containers = {std::move(container)};
    header.scanned_at = std::move(scanned_at);
    header.view = "side";
    header.energy_high_mev = kHighMeV;
    header.energy_low_mev = kLowMeV;
    header.air_value = simulated.scan.air;
    header.along_mm = simulated.scan.along_mm;
    header.detector_mm = simulated.scan.detector_mm;
    const auto& high = simulated.scan.high;
    header.images = {{Channel::high, scanner_io::ImageFormat::png, high.width, high.height},
                     {Channel::low, scanner_io::ImageFormat::png, high.width, high.height}};
    // The two planes compress on two cores: PNG encoding is the slow part of a simulated scan.
    auto low =
        std::async(std::launch::async, [&] { return scanner_io::encode_png(simulated.scan.low); });
    out.frames.push_back(to_json(header));
    out.frames.push_back(scanner_io::encode_png(high));
    out.frames.push_back(low.get());
    return out;
}

nlohmann::json truth_json(const scanner_io::SimulatedScan& simulated) {
    nlohmann::json regions = nlohmann::json::array();
    for (const auto& region : simulated.truth)
        regions.push_back({{"kind", region.kind},
                           {"x", region.x},
                           {"y", region.y},
                           {"width", region.width},
                           {"height", region.height}});
    const auto& scenario = simulated.scenario;
    return {{"empty", scenario.empty},
            {"cargo", scanner_io::cargo_class_name(scenario.cargo)},
            {"cargo_mass_kg", scenario.cargo_mass_kg},
            {"length_ft", scenario.length_ft},
            {"concealment", scanner_io::concealment_kind(scenario.concealment)},
            {"regions", std::move(regions)}};
}

int write_set(const Args& args) {
    const auto out = args.get("out");
    if (!out)
        throw std::invalid_argument("--out DIR is required");
    const auto seed = static_cast<std::uint64_t>(args.number_or("seed", 1, 0, 1LL << 62));
    const int count = static_cast<int>(args.number_or("count", 10, 1, 100'000));
    const int width = static_cast<int>(args.number_or("width", 6000, 100, 20'000));
    const int height = static_cast<int>(args.number_or("height", 1200, 50, 5'000));
    fs::create_directories(*out);
    std::ofstream labels(fs::path(*out) / "labels.jsonl", std::ios::trunc);
    for (int idx = 0; idx < count; ++idx) {
        const std::uint64_t scan_seed = mix(seed * 1'000'003 + static_cast<std::uint64_t>(idx));
        const auto simulated = scanner_io::simulate_scan(scanner_io::random_scenario(scan_seed),
                                                         scan_seed, width, height);
        char name[32];
        std::snprintf(name, sizeof name, "scan-%05d", idx + 1);
        auto encoded = encode_scan(
            simulated, std::string("SIM-") + std::to_string(seed) + "-" + std::to_string(idx + 1),
            simulated_container_number(scan_seed), "2026-01-01T08:00:00Z");
        const fs::path base = fs::path(*out) / name;
        write_file_whole(base.string() + ".json", encoded.frames[0]);
        write_file_whole(base.string() + "-high.png", encoded.frames[1]);
        write_file_whole(base.string() + "-low.png", encoded.frames[2]);
        nlohmann::json label = truth_json(simulated);
        label["scan"] = name;
        label["scan_id"] = encoded.header.scan_id;
        labels << label.dump() << '\n';
    }
    if (!labels)
        throw std::runtime_error("cannot write labels.jsonl in " + *out);
    std::printf("%d labelled scans written to %s (header, high and low PNG each; labels.jsonl)\n",
                count, out->c_str());
    return 0;
}

/// What is really in a selected container: its declaration, unless the simulator's ground
/// truth planted something there.
ScanScenario scenario_for(const scanner_io::Declaration& declared, const sim::PlantedCase* planted,
                          std::uint64_t seed) {
    ScanScenario scenario;
    scenario.length_ft = declared.length_ft >= 45 ? 45 : declared.length_ft;
    scenario.empty = declared.empty;
    scenario.cargo = declared.cargo == scanner_io::CargoClass::unknown
                         ? scanner_io::CargoClass::mixed
                         : declared.cargo;
    const double tare = declared.tare_mass_kg.value_or(scenario.length_ft == 20 ? 2'200 : 3'700);
    scenario.cargo_mass_kg = std::max(500.0, declared.gross_mass_kg.value_or(tare) - tare);
    if (planted && planted->hit) {
        if (planted->pattern == "empty_with_mass" || declared.empty) {
            scenario.empty = false;
            scenario.cargo = scanner_io::CargoClass::organic;
            scenario.cargo_mass_kg = 2'000 + static_cast<double>(seed % 6'000);
        } else {
            const auto roll = seed % 10;
            scenario.concealment = roll < 6   ? Concealment::dense_object
                                   : roll < 8 ? Concealment::wall_compartment
                                              : Concealment::floor_compartment;
        }
    }
    return scenario;
}

int scan_selected(const Args& args) {
    const auto data = args.get("data");
    const auto day = args.get("day");
    const auto truth_file = args.get("truth");
    if (!data || !day || !truth_file)
        throw std::invalid_argument("selected needs --data DIR --day YYYY-MM-DD --truth FILE");
    const auto seed = static_cast<std::uint64_t>(args.number_or("seed", 1, 0, 1LL << 62));
    const auto limit = args.number_or("limit", 1'000'000, 0, 1'000'000);
    const auto truth = sim::read_ground_truth(*truth_file);

    struct Target {
        std::string number;
        scanner_io::Declaration declared;
    };
    std::vector<Target> targets;
    {
        auto db =
            storage::Database::open(fs::path(*data) / "portscreen.db", storage::Access::reader);
        ScanStore store(db);
        // The scanning lane in the order the officers' queue shows it.
        storage::Statement selected(db, "SELECT s.container_id, c.number FROM selections s "
                                        "JOIN containers c ON c.id = s.container_id "
                                        "WHERE s.day = ?1 AND s.lane = 'yellow' "
                                        "ORDER BY s.score DESC, c.number LIMIT ?2");
        selected.bind(1, *day);
        selected.bind(2, static_cast<std::int64_t>(limit));
        while (selected.step())
            targets.push_back(
                {selected.column_text(1), store.declaration(selected.column_int64(0))});
    }
    std::vector<messaging::Outgoing> scans;
    std::size_t hidden = 0;
    for (std::size_t idx = 0; idx < targets.size(); ++idx) {
        const auto& target = targets[idx];
        const std::uint64_t scan_seed = hash_text(target.number, seed);
        const auto found = truth.find(target.number);
        const auto scenario = scenario_for(
            target.declared, found == truth.end() ? nullptr : &found->second, scan_seed);
        hidden +=
            scenario.concealment != Concealment::none || (target.declared.empty && !scenario.empty)
                ? 1
                : 0;
        const auto simulated = scanner_io::simulate_scan(scenario, scan_seed);
        char time[32];
        std::snprintf(time, sizeof time, "%sT%02zu:%02zu:00Z", day->c_str(), 6 + idx / 60 % 16,
                      idx % 60);
        auto encoded = encode_scan(simulated, *day + "-" + target.number, target.number, time);
        scans.emplace_back(encoded.header.scan_id, std::move(encoded.frames));
    }
    std::printf("scanning %zu containers of the yellow lane (%zu hold something undeclared)\n",
                scans.size(), hidden);
    const std::size_t acked = send_scans(scans, args.get_or("to", "tcp://127.0.0.1:5556"),
                                         std::chrono::seconds(60), true);
    std::printf("%zu of %zu scans acknowledged\n", acked, scans.size());
    return acked == scans.size() ? 0 : 1;
}

int send_random(const Args& args) {
    const auto seed = static_cast<std::uint64_t>(args.number_or("seed", 1, 0, 1LL << 62));
    const int count = static_cast<int>(args.number_or("count", 1, 1, 100'000));
    std::vector<messaging::Outgoing> scans;
    for (int idx = 0; idx < count; ++idx) {
        const std::uint64_t scan_seed = mix(seed * 1'000'003 + static_cast<std::uint64_t>(idx));
        const auto simulated =
            scanner_io::simulate_scan(scanner_io::random_scenario(scan_seed), scan_seed);
        auto encoded =
            encode_scan(simulated, "SIM-" + std::to_string(seed) + "-" + std::to_string(idx + 1),
                        simulated_container_number(scan_seed), "2026-01-01T08:00:00Z");
        scans.emplace_back(encoded.header.scan_id, std::move(encoded.frames));
    }
    const std::size_t acked = send_scans(scans, args.get_or("to", "tcp://127.0.0.1:5556"),
                                         std::chrono::seconds(60), false);
    return acked == scans.size() ? 0 : 1;
}

} // namespace

const char* const kScannerSimHelp =
    R"(usage: portscreen scanner-sim COMMAND ...

A simulated dual-energy cargo scanner (scanner-io/simulate.hpp): 6,000 x 1,200 16-bit images at
two energies, Beer-Lambert transmission through the container and its load, concealments inserted
by threat image projection.

  set --out DIR [--seed S] [--count N] [--width W] [--height H]
      writes a labelled set: scan-NNNNN.json (the protocol header), -high.png, -low.png, and
      labels.jsonl with what each scan holds and where its concealments are
  send [--to ENDPOINT] [--seed S] [--count N]
      sends random scans (of containers no manifest lists) to a node
  selected --data DIR --day YYYY-MM-DD --truth GROUND-TRUTH.jsonl [--to ENDPOINT]
           [--limit N] [--seed S]
      scans the containers the node put in the day's yellow lane, as declared in their
      manifests, with something hidden in those the traffic simulator planted a hit in
)";

int run_scanner_sim(const std::vector<std::string>& argv) {
    if (argv.empty()) {
        std::fputs(kScannerSimHelp, stderr);
        return 2;
    }
    const std::vector<std::string> rest(argv.begin() + 1, argv.end());
    if (argv.front() == "set")
        return write_set(Args(rest, {"out", "seed", "count", "width", "height"}, {}));
    if (argv.front() == "send")
        return send_random(Args(rest, {"to", "seed", "count"}, {}));
    if (argv.front() == "selected")
        return scan_selected(Args(rest, {"data", "day", "truth", "to", "limit", "seed"}, {}));
    std::fputs(kScannerSimHelp, stderr);
    return 2;
}

} // namespace portscreen::scans
