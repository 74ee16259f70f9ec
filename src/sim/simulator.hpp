#pragma once

#include "core/manifest.hpp"
#include "reference/reference.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

/// A simulated day of manifest traffic at one port, with planted suspicious cases and their
/// ground truth, for demonstrations, benchmarks and honest evaluation of risk scoring.
/// Deterministic: the same plan and HS nomenclature give byte-identical output.
namespace portscreen::sim {

struct DayPlan {
    std::uint64_t seed = 1;     ///< parties depend on the seed only, traffic on seed and date
    std::string port = "KEMBA"; ///< UN/LOCODE of the port of discharge
    std::string date = "2026-11-27";
    int vessel_calls = 12;
    int min_containers = 20000;
    double suspicious_share = 0.015; ///< planted containers per container of the day
    double edifact_share = 0.6;      ///< share of calls reported in CUSCAR rather than JSON
};

/// One planted case: a container whose manifest data carries a risk pattern, or a hit that
/// carries none. Never part of any manifest.
struct Planted {
    std::string container_number;
    std::string master_bl; ///< empty for an empty container, which has no B/L
    std::string house_bl;
    std::string imo;
    std::string voyage;
    std::string pattern;     ///< one of pattern_names()
    std::string description; ///< one line on what was planted
    bool hit = false;        ///< an inspection would find contraband
    std::string finding;     ///< what it would find, when a hit
};

/// One message as a carrier would send it to the port node.
struct Message {
    std::string name;         ///< "0001-0630-MAEU-245W": order, time, carrier, voyage
    std::string content_type; ///< "application/edifact" or "application/json"
    std::string payload;
    int minute_of_day = 0;
    std::string extension() const; ///< ".edi" or ".json"
};

/// `manifests[i]` is the content of `messages[i]`; both are in sending order. Amendments
/// (replace, change, cancel) follow their originals and reuse their document numbers.
struct Day {
    DayPlan plan;
    std::vector<core::Manifest> manifests;
    std::vector<Message> messages;
    std::vector<Planted> ground_truth;
};

/// The planted pattern names, in the order of the ground-truth counts of summary.json.
std::span<const std::string_view> pattern_names();

/// Simulates the manifests, messages and ground truth of one day. `hs` is the HS 2022
/// nomenclature as loaded by reference::load_hs_nomenclature; its level-6 rows give the goods.
Day simulate_day(const DayPlan& plan, const std::vector<reference::HsEntry>& hs);

/// One big mainline call with exactly `containers` containers and no planted cases, for the
/// ingest benchmark. Linear in `containers`.
core::Manifest synthetic_vessel_manifest(std::uint64_t seed, int containers,
                                         const std::vector<reference::HsEntry>& hs);

/// Writes one file per message (name + extension), ground-truth.jsonl (one planted case a line)
/// and summary.json (calls, counts, patterns) into `dir`, creating it. Throws
/// std::runtime_error naming the file when a write fails.
void write_day(const Day& day, const std::filesystem::path& dir);

/// What ground-truth.jsonl says of one container: whether an inspection would find something,
/// and then which planted pattern hides it and what would be found.
struct PlantedCase {
    bool hit = false;
    std::string pattern;
    std::string finding;
};

/// Reads a ground-truth.jsonl written by write_day, by container number. Throws
/// std::runtime_error naming the file and line of anything it cannot read.
std::map<std::string, PlantedCase> read_ground_truth(const std::filesystem::path& file);

} // namespace portscreen::sim
