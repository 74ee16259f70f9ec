#include "sim/simulator.hpp"

#include "core/codes.hpp"
#include "core/validation.hpp"
#include "edifact/cuscar.hpp"
#include "manifest_json/manifest_json.hpp"
#include "sim/goods.hpp"
#include "sim/parties.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <set>

namespace portscreen::sim {
namespace {

const std::vector<reference::HsEntry>& nomenclature() {
    static const auto hs =
        reference::load_hs_nomenclature(reference::default_hs_nomenclature_path());
    return hs;
}

/// The default day, simulated once for all tests of this file.
const Day& default_day() {
    static const Day day = simulate_day(DayPlan{}, nomenclature());
    return day;
}

/// A small day for tests that simulate several days.
DayPlan small_plan(std::uint64_t seed, std::string date = "2026-11-27") {
    DayPlan plan;
    plan.seed = seed;
    plan.date = std::move(date);
    plan.vessel_calls = 4;
    plan.min_containers = 3000;
    return plan;
}

std::string call_key(const core::Manifest& manifest) {
    return manifest.vessel_call.imo + "/" + manifest.vessel_call.voyage;
}

std::vector<const core::Manifest*> originals(const Day& day) {
    std::vector<const core::Manifest*> out;
    for (const auto& manifest : day.manifests)
        if (manifest.function == core::MessageFunction::original)
            out.push_back(&manifest);
    return out;
}

struct Located {
    const core::Manifest* manifest = nullptr;
    const core::Container* container = nullptr;
};

std::map<std::string, Located> containers_of_originals(const Day& day) {
    std::map<std::string, Located> out;
    for (const auto* manifest : originals(day))
        for (const auto& box : manifest->containers)
            out[box.number] = {manifest, &box};
    return out;
}

TEST(SimulateDay, HasAboutADozenCallsAndAtLeastTwentyThousandContainers) {
    const Day& day = default_day();
    std::map<std::string, std::size_t> per_call;
    for (const auto* manifest : originals(day))
        per_call[call_key(*manifest)] += manifest->containers.size();
    EXPECT_EQ(per_call.size(), 12u);
    std::size_t total = 0;
    int mainline = 0;
    int feeders = 0;
    for (const auto& [key, count] : per_call) {
        total += count;
        mainline += count >= 3000;
        feeders += count < 1000;
    }
    EXPECT_GE(total, 20000u);
    EXPECT_GE(mainline, 4);
    EXPECT_GE(feeders, 5);
}

TEST(SimulateDay, ContainerAndImoNumbersAreValidAndContainersUnique) {
    const Day& day = default_day();
    std::set<std::string> seen;
    std::set<std::string> imos;
    for (const auto& manifest : day.manifests) {
        EXPECT_TRUE(core::is_valid_imo_number(manifest.vessel_call.imo))
            << manifest.vessel_call.imo;
        imos.insert(manifest.vessel_call.imo);
        for (const auto& box : manifest.containers)
            ASSERT_TRUE(core::is_valid_container_number(box.number)) << box.number;
    }
    for (const auto* manifest : originals(day))
        for (const auto& box : manifest->containers)
            ASSERT_TRUE(seen.insert(box.number).second) << box.number << " appears twice";
    EXPECT_EQ(imos.size(), 12u);
}

TEST(SimulateDay, EveryManifestValidatesWithoutProblems) {
    const Day& day = default_day();
    const core::ReferenceData reference = reference::load_reference_data(
        reference::default_iso3166_path(), reference::default_hs_nomenclature_path());
    for (const auto& manifest : day.manifests) {
        const Problems problems = core::validate(manifest, reference);
        ASSERT_TRUE(problems.empty())
            << manifest.document_number << " v" << manifest.version << ": " << problems.front().path
            << " " << problems.front().message << " (" << problems.size() << " problems)";
    }
}

TEST(SimulateDay, PartiesRecurAcrossCalls) {
    const Day& day = default_day();
    std::map<std::string, std::set<std::string>> consignee_calls;
    std::map<std::string, std::set<std::string>> shipper_calls;
    for (const auto* manifest : originals(day))
        for (const auto& con : manifest->consignments) {
            consignee_calls[con.consignee.name].insert(call_key(*manifest));
            shipper_calls[con.shipper.name].insert(call_key(*manifest));
        }
    int recurring_consignees = 0;
    int once = 0;
    for (const auto& [name, calls] : consignee_calls) {
        recurring_consignees += calls.size() >= 2;
        once += calls.size() == 1;
    }
    int recurring_shippers = 0;
    for (const auto& [name, calls] : shipper_calls)
        recurring_shippers += calls.size() >= 2;
    EXPECT_GT(recurring_consignees, 300);
    EXPECT_GT(recurring_shippers, 100);
    EXPECT_GT(once, 10); // newcomers and small importers
}

TEST(SimulateDay, PartiesAreStablePerSeedAndSomeConsigneesAreNew) {
    const GoodsCatalog goods(nomenclature());
    const PartyPools pools(1, "KEMBA", goods);
    std::set<std::string> pool_names;
    for (const auto& consignee : pools.consignees)
        pool_names.insert(consignee.party.name);

    const Day next_day = simulate_day(small_plan(1, "2026-11-28"), nomenclature());
    int known = 0;
    int unknown = 0;
    for (const auto* manifest : originals(next_day))
        for (const auto& con : manifest->consignments) {
            if (pool_names.contains(con.consignee.name))
                ++known;
            else
                ++unknown;
        }
    EXPECT_GT(known, 20 * unknown) << "the pools of seed 1 should serve most B/Ls";
    EXPECT_GT(unknown, 0) << "some consignees should be seen for the first time";

    const PartyPools again(1, "KEMBA", goods);
    EXPECT_EQ(again.consignees.front().party.name, pools.consignees.front().party.name);
    EXPECT_EQ(again.shippers.back().products.front().hs_code,
              pools.shippers.back().products.front().hs_code);
    const PartyPools other(2, "KEMBA", goods);
    EXPECT_NE(other.consignees.front().party.name, pools.consignees.front().party.name);
}

TEST(SimulateDay, RoutesUseTransshipmentHubsAndWorldwideOrigins) {
    const Day& day = default_day();
    std::size_t bls = 0;
    std::size_t transshipped = 0;
    std::set<std::string> hubs;
    std::set<std::string> origin_countries;
    for (const auto* manifest : originals(day))
        for (const auto& con : manifest->consignments) {
            ++bls;
            transshipped += !con.transshipment_ports.empty();
            hubs.insert(con.transshipment_ports.begin(), con.transshipment_ports.end());
            origin_countries.insert(con.port_of_loading.substr(0, 2));
            EXPECT_TRUE(core::has_locode_shape(con.port_of_loading)) << con.port_of_loading;
            EXPECT_EQ(con.port_of_discharge, "KEMBA");
        }
    EXPECT_GT(transshipped, bls / 5);
    EXPECT_LT(transshipped, bls * 9 / 10);
    for (const auto* hub : {"SGSIN", "LKCMB", "AEJEA"})
        EXPECT_TRUE(hubs.contains(hub)) << hub;
    EXPECT_GE(origin_countries.size(), 20u);
}

TEST(SimulateDay, HasLclContainersAndHouseBills) {
    const Day& day = default_day();
    int shared = 0;
    int house = 0;
    for (const auto* manifest : originals(day)) {
        std::map<std::string, std::set<std::string>> bls_per_box;
        for (const auto& con : manifest->consignments) {
            house += !con.house_bl.empty();
            for (const auto& item : con.goods_items)
                for (const auto& placement : item.placements)
                    bls_per_box[placement.container_number].insert(con.reference());
        }
        for (const auto& [box, bls] : bls_per_box)
            shared += bls.size() >= 2;
    }
    EXPECT_GT(shared, 200);
    EXPECT_GT(house, 500);
}

TEST(SimulateDay, HasEmptyContainersDeclaredAtTare) {
    const Day& day = default_day();
    std::set<std::string> planted;
    for (const auto& entry : day.ground_truth)
        planted.insert(entry.container_number);
    int empties = 0;
    for (const auto* manifest : originals(day))
        for (const auto& box : manifest->containers) {
            if (box.load != core::LoadStatus::empty)
                continue;
            ++empties;
            if (!planted.contains(box.number)) {
                EXPECT_EQ(box.gross_mass_kg, box.tare_mass_kg) << box.number;
            }
        }
    EXPECT_GT(empties, 300);
}

TEST(SimulateDay, MassesArePlausible) {
    const Day& day = default_day();
    std::set<std::string> planted;
    for (const auto& entry : day.ground_truth)
        planted.insert(entry.container_number);
    for (const auto* manifest : originals(day)) {
        for (const auto& box : manifest->containers) {
            ASSERT_TRUE(box.gross_mass_kg && box.tare_mass_kg) << box.number;
            EXPECT_LE(*box.gross_mass_kg, 36000) << box.number;
            EXPECT_GE(*box.tare_mass_kg, 2000) << box.number;
        }
        for (const auto& con : manifest->consignments)
            for (const auto& item : con.goods_items) {
                ASSERT_TRUE(item.gross_mass_kg);
                EXPECT_GT(*item.gross_mass_kg, 0);
            }
    }
}

TEST(SimulateDay, PlantsTheConfiguredShareInExistingContainers) {
    const Day& day = default_day();
    const auto boxes = containers_of_originals(day);
    const double share =
        static_cast<double>(day.ground_truth.size()) / static_cast<double>(boxes.size());
    EXPECT_GE(share, 0.01);
    EXPECT_LE(share, 0.02);
    std::set<std::string> patterns;
    int hits = 0;
    std::set<std::string> planted_boxes;
    for (const auto& entry : day.ground_truth) {
        patterns.insert(entry.pattern);
        hits += entry.hit;
        EXPECT_TRUE(planted_boxes.insert(entry.container_number).second)
            << entry.container_number << " planted twice";
        const auto found = boxes.find(entry.container_number);
        ASSERT_NE(found, boxes.end()) << entry.container_number;
        EXPECT_EQ(found->second.manifest->vessel_call.imo, entry.imo);
        EXPECT_EQ(found->second.manifest->vessel_call.voyage, entry.voyage);
        EXPECT_FALSE(entry.description.empty());
        EXPECT_EQ(entry.hit, !entry.finding.empty());
        if (entry.pattern == "empty_with_mass") {
            EXPECT_TRUE(entry.master_bl.empty());
            continue;
        }
        bool bl_found = false;
        for (const auto& con : found->second.manifest->consignments)
            if (con.master_bl == entry.master_bl && con.house_bl == entry.house_bl)
                for (const auto& item : con.goods_items)
                    for (const auto& placement : item.placements)
                        bl_found |= placement.container_number == entry.container_number;
        EXPECT_TRUE(bl_found) << entry.master_bl << " does not use " << entry.container_number;
    }
    for (const auto name : pattern_names())
        EXPECT_TRUE(patterns.contains(std::string(name))) << name << " never planted";
    const auto planted = static_cast<int>(day.ground_truth.size());
    EXPECT_GT(hits, planted / 2);
    EXPECT_LT(hits, planted);
}

TEST(SimulateDay, PlantedPatternsShowInTheManifests) {
    const Day& day = default_day();
    const auto boxes = containers_of_originals(day);
    const std::set<std::string> vague = {"GENERAL CARGO",       "FAK",         "FREIGHT ALL KINDS",
                                         "CONSOLIDATED CARGO",  "SPARE PARTS", "PERSONAL EFFECTS",
                                         "GOODS AS PER INVOICE"};
    for (const auto& entry : day.ground_truth) {
        const auto& located = boxes.at(entry.container_number);
        const core::Container& box = *located.container;
        const core::Consignment* con = nullptr;
        for (const auto& candidate : located.manifest->consignments)
            if (candidate.master_bl == entry.master_bl && candidate.house_bl == entry.house_bl)
                con = &candidate;
        if (entry.pattern == "empty_with_mass") {
            EXPECT_EQ(box.load, core::LoadStatus::empty);
            EXPECT_GE(*box.gross_mass_kg, *box.tare_mass_kg + 5000);
        } else if (entry.pattern == "missing_seal") {
            EXPECT_TRUE(box.seals.empty()) << box.number;
        } else if (entry.pattern == "vague_description") {
            const std::string& text = con->goods_items.front().description;
            EXPECT_TRUE(vague.contains(text) || text.rfind("SAID TO CONTAIN", 0) == 0) << text;
        } else if (entry.pattern == "implausible_route") {
            EXPECT_GE(con->transshipment_ports.size(), 1u);
            EXPECT_TRUE(std::string("EC CO PE BR IR").find(con->port_of_loading.substr(0, 2)) !=
                        std::string::npos)
                << con->port_of_loading;
        } else if (entry.pattern == "first_time_private_consignee" ||
                   entry.pattern == "first_time_forwarder_consignee") {
            EXPECT_NE(entry.description.find(con->consignee.name), std::string::npos);
            EXPECT_TRUE(con->consignee.id.empty()) << con->consignee.name;
        }
    }
}

TEST(SimulateDay, AmendmentsFollowTheirOriginals) {
    const Day& day = default_day();
    std::map<std::string, std::size_t> original_at;
    std::map<core::MessageFunction, int> count;
    std::set<std::string> late_bls;
    for (const auto& entry : day.ground_truth)
        if (entry.pattern == "late_amendment")
            late_bls.insert(entry.master_bl);
    int late_found = 0;
    for (std::size_t idx = 0; idx < day.manifests.size(); ++idx) {
        const core::Manifest& manifest = day.manifests[idx];
        ++count[manifest.function];
        if (manifest.function == core::MessageFunction::original) {
            EXPECT_EQ(manifest.version, 1);
            EXPECT_TRUE(original_at.emplace(manifest.document_number, idx).second)
                << manifest.document_number;
            continue;
        }
        ASSERT_TRUE(original_at.contains(manifest.document_number))
            << manifest.document_number << " amended before its original";
        EXPECT_GT(manifest.version, 1);
        EXPECT_GE(day.messages[idx].minute_of_day,
                  day.messages[original_at[manifest.document_number]].minute_of_day);
        for (const auto& con : manifest.consignments)
            late_found += manifest.function == core::MessageFunction::change &&
                          late_bls.contains(con.master_bl);
    }
    EXPECT_GE(count[core::MessageFunction::change], 6);
    EXPECT_GE(count[core::MessageFunction::cancel], 1);
    EXPECT_GE(count[core::MessageFunction::replace], 1);
    EXPECT_EQ(late_found, static_cast<int>(late_bls.size()));
}

TEST(SimulateDay, MessagesAreOrderedNamedAndMixFormats) {
    const Day& day = default_day();
    ASSERT_EQ(day.messages.size(), day.manifests.size());
    std::set<std::string> names;
    int edifact = 0;
    int previous = -1;
    for (std::size_t idx = 0; idx < day.messages.size(); ++idx) {
        const Message& message = day.messages[idx];
        EXPECT_TRUE(names.insert(message.name).second) << message.name;
        EXPECT_GE(message.minute_of_day, previous);
        previous = message.minute_of_day;
        char prefix[32];
        std::snprintf(prefix, sizeof prefix, "%04zu-", idx + 1);
        EXPECT_EQ(message.name.rfind(prefix, 0), 0u) << message.name;
        EXPECT_NE(message.name.find(day.manifests[idx].vessel_call.voyage), std::string::npos);
        EXPECT_FALSE(message.payload.empty());
        edifact += message.content_type == "application/edifact";
        if (message.content_type == "application/edifact") {
            EXPECT_EQ(message.payload.rfind("UNA", 0), 0u) << message.name;
        }
    }
    EXPECT_GT(edifact, 0);
    EXPECT_LT(edifact, static_cast<int>(day.messages.size()));
}

TEST(SimulateDay, EveryMessageReadsBackToTheSameCounts) {
    const Day& day = default_day();
    for (std::size_t idx = 0; idx < day.messages.size(); ++idx) {
        const Message& message = day.messages[idx];
        const core::Manifest& expected = day.manifests[idx];
        core::Manifest read;
        if (message.content_type == "application/edifact") {
            auto interchange = edifact::read_cuscar(message.payload);
            ASSERT_TRUE(interchange.ok())
                << message.name << ": " << interchange.problems().front().message;
            ASSERT_EQ(interchange->manifests.size(), 1u) << message.name;
            read = interchange->manifests.front();
        } else {
            auto parsed = manifest_json::parse(message.payload);
            ASSERT_TRUE(parsed.ok()) << message.name << ": " << parsed.problems().front().message;
            read = *parsed;
        }
        EXPECT_EQ(read.containers.size(), expected.containers.size()) << message.name;
        EXPECT_EQ(read.consignments.size(), expected.consignments.size()) << message.name;
        EXPECT_EQ(read.function, expected.function) << message.name;
        EXPECT_EQ(read.vessel_call.imo, expected.vessel_call.imo) << message.name;
    }
}

TEST(SimulateDay, SameSeedGivesIdenticalOutputAndAnotherSeedDiffers) {
    const Day first = simulate_day(small_plan(7), nomenclature());
    const Day second = simulate_day(small_plan(7), nomenclature());
    ASSERT_EQ(first.messages.size(), second.messages.size());
    for (std::size_t idx = 0; idx < first.messages.size(); ++idx) {
        ASSERT_EQ(first.messages[idx].name, second.messages[idx].name);
        ASSERT_EQ(first.messages[idx].payload, second.messages[idx].payload)
            << first.messages[idx].name;
    }
    ASSERT_EQ(first.ground_truth.size(), second.ground_truth.size());
    for (std::size_t idx = 0; idx < first.ground_truth.size(); ++idx) {
        EXPECT_EQ(first.ground_truth[idx].container_number,
                  second.ground_truth[idx].container_number);
        EXPECT_EQ(first.ground_truth[idx].description, second.ground_truth[idx].description);
        EXPECT_EQ(first.ground_truth[idx].hit, second.ground_truth[idx].hit);
    }
    const Day other = simulate_day(small_plan(8), nomenclature());
    EXPECT_NE(other.messages.front().payload, first.messages.front().payload);
}

TEST(SimulateDay, SmallPlanStillMeetsItsMinimum) {
    const Day day = simulate_day(small_plan(3), nomenclature());
    std::size_t containers = 0;
    std::set<std::string> calls;
    for (const auto* manifest : originals(day)) {
        containers += manifest->containers.size();
        calls.insert(call_key(*manifest));
    }
    EXPECT_GE(containers, 3000u);
    EXPECT_EQ(calls.size(), 4u);
}

TEST(SyntheticVesselManifest, HasExactlyTheRequestedContainersAndValidates) {
    const core::Manifest manifest = synthetic_vessel_manifest(5, 2500, nomenclature());
    EXPECT_EQ(manifest.containers.size(), 2500u);
    EXPECT_EQ(manifest.declared_container_count, 2500);
    EXPECT_GT(manifest.consignments.size(), 1000u);
    const core::ReferenceData reference = reference::load_reference_data(
        reference::default_iso3166_path(), reference::default_hs_nomenclature_path());
    const Problems problems = core::validate(manifest, reference);
    EXPECT_TRUE(problems.empty()) << problems.front().message;

    const core::Manifest again = synthetic_vessel_manifest(5, 2500, nomenclature());
    EXPECT_EQ(manifest_json::write(again), manifest_json::write(manifest));
}

TEST(WriteDay, WritesMessagesGroundTruthAndSummary) {
    const Day day = simulate_day(small_plan(4), nomenclature());
    const auto dir = std::filesystem::temp_directory_path() /
                     ("portscreen-sim-test-" +
                      std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
    std::filesystem::remove_all(dir);
    write_day(day, dir);

    std::size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        (void)entry;
        ++files;
    }
    EXPECT_EQ(files, day.messages.size() + 2);
    const Message& first = day.messages.front();
    std::ifstream payload(dir / (first.name + first.extension()), std::ios::binary);
    const std::string content((std::istreambuf_iterator<char>(payload)),
                              std::istreambuf_iterator<char>());
    EXPECT_EQ(content, first.payload);

    std::ifstream truth(dir / "ground-truth.jsonl");
    std::size_t lines = 0;
    for (std::string line; std::getline(truth, line); ++lines) {
        const auto json = nlohmann::json::parse(line);
        EXPECT_EQ(json.at("container_number"), day.ground_truth[lines].container_number);
        EXPECT_EQ(json.at("hit").get<bool>(), day.ground_truth[lines].hit);
    }
    EXPECT_EQ(lines, day.ground_truth.size());

    std::ifstream summary_file(dir / "summary.json");
    const auto summary = nlohmann::json::parse(summary_file);
    EXPECT_EQ(summary.at("totals").at("vessel_calls"), 4);
    EXPECT_GE(summary.at("totals").at("containers").get<int>(), 3000);
    EXPECT_EQ(summary.at("totals").at("messages").get<std::size_t>(), day.messages.size());
    EXPECT_EQ(summary.at("calls").size(), 4u);
    std::filesystem::remove_all(dir);
}

} // namespace
} // namespace portscreen::sim
