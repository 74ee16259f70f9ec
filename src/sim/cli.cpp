#include "sim/cli.hpp"

#include "common/args.hpp"
#include "core/codes.hpp"
#include "sim/simulator.hpp"

#include <chrono>
#include <cstdio>
#include <stdexcept>

namespace portscreen::sim {

const char* const kHelp =
    R"(usage: portscreen sim day --out DIR [--seed S] [--port LOCODE] [--date YYYY-MM-DD]
                         [--calls N] [--containers N] [--suspicious SHARE]

day: simulates one day of manifest traffic at a port (default KEMBA, Mombasa): vessel calls with
CUSCAR (D95B and D11A) and JSON manifests, amendments later in the day, recurring parties,
transshipment routes, and a small planted share of suspicious containers. Writes one file per
message into DIR in order of arrival (feed them with `portscreen feed`), ground-truth.jsonl with
the planted cases, and summary.json. The same seed gives the same files.

  --seed S            default 1
  --calls N           vessel calls, default 12
  --containers N      at least this many containers in the day, default 20000
  --suspicious SHARE  planted share of containers, default 0.015
)";

namespace {

int run_day(const std::vector<std::string>& argv) {
    Args args(argv, {"out", "seed", "port", "date", "calls", "containers", "suspicious"}, {});
    const auto out = args.get("out");
    if (!out)
        throw std::invalid_argument("--out DIR is required");
    DayPlan plan;
    plan.seed = static_cast<std::uint64_t>(args.number_or("seed", 1, 0, 1'000'000'000'000));
    plan.port = args.get_or("port", plan.port);
    if (!core::has_locode_shape(plan.port))
        throw std::invalid_argument("--port must be a UN/LOCODE such as KEMBA");
    plan.date = args.get_or("date", plan.date);
    plan.vessel_calls = static_cast<int>(args.number_or("calls", plan.vessel_calls, 1, 200));
    plan.min_containers =
        static_cast<int>(args.number_or("containers", plan.min_containers, 10, 1'000'000));
    if (const auto share = args.get("suspicious")) {
        plan.suspicious_share = std::stod(*share);
        if (plan.suspicious_share < 0 || plan.suspicious_share > 0.5)
            throw std::invalid_argument("--suspicious must be a share from 0 to 0.5");
    }

    const auto start = std::chrono::steady_clock::now();
    const auto hs = reference::load_hs_nomenclature(reference::default_hs_nomenclature_path());
    const Day day = simulate_day(plan, hs);
    write_day(day, *out);
    std::size_t containers = 0;
    std::size_t consignments = 0;
    for (const auto& manifest : day.manifests) {
        if (manifest.function != core::MessageFunction::original)
            continue;
        containers += manifest.containers.size();
        consignments += manifest.consignments.size();
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("simulated %s at %s (seed %llu) in %.2f s: %zu messages, %zu containers, %zu "
                "bills of lading, %zu planted cases\nwritten to %s\n",
                plan.date.c_str(), plan.port.c_str(), static_cast<unsigned long long>(plan.seed),
                seconds, day.messages.size(), containers, consignments, day.ground_truth.size(),
                out->c_str());
    return 0;
}

} // namespace

int run(const std::vector<std::string>& argv) {
    return run_subcommand(argv, "day", kHelp, run_day);
}

} // namespace portscreen::sim
