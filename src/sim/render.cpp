#include "sim/render.hpp"

#include "edifact/cuscar.hpp"
#include "manifest_json/manifest_json.hpp"
#include "sim/traffic.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <set>
#include <stdexcept>

namespace portscreen::sim {
namespace {

void write_file(const std::filesystem::path& file, std::string_view content) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out)
        throw std::runtime_error("cannot write " + file.string());
}

nlohmann::ordered_json planted_json(const Planted& planted) {
    nlohmann::ordered_json line;
    line["container_number"] = planted.container_number;
    line["master_bl"] = planted.master_bl;
    line["house_bl"] = planted.house_bl;
    line["imo"] = planted.imo;
    line["voyage"] = planted.voyage;
    line["pattern"] = planted.pattern;
    line["description"] = planted.description;
    line["hit"] = planted.hit;
    line["finding"] = planted.finding;
    return line;
}

nlohmann::ordered_json summary_json(const Day& day) {
    nlohmann::ordered_json plan;
    plan["seed"] = day.plan.seed;
    plan["port"] = day.plan.port;
    plan["date"] = day.plan.date;
    plan["vessel_calls"] = day.plan.vessel_calls;
    plan["min_containers"] = day.plan.min_containers;
    plan["suspicious_share"] = day.plan.suspicious_share;
    plan["edifact_share"] = day.plan.edifact_share;

    // Calls in order of first message, counted from their original messages only.
    struct CallCounts {
        const core::VesselCall* vessel = nullptr;
        std::string format;
        std::int64_t containers = 0, empty = 0, bls = 0, house_bls = 0, messages = 0;
        std::int64_t amendments = 0;
    };
    std::vector<std::string> order;
    std::map<std::string, CallCounts> calls;
    std::int64_t containers = 0, empty = 0, bls = 0, house_bls = 0, transshipped = 0;
    std::set<std::string> consignees;
    for (std::size_t idx = 0; idx < day.manifests.size(); ++idx) {
        const core::Manifest& manifest = day.manifests[idx];
        const std::string key = manifest.vessel_call.imo + "/" + manifest.vessel_call.voyage;
        auto [entry, inserted] = calls.try_emplace(key);
        if (inserted) {
            order.push_back(key);
            entry->second.vessel = &manifest.vessel_call;
            entry->second.format = day.messages[idx].content_type;
        }
        CallCounts& counts = entry->second;
        if (manifest.function != core::MessageFunction::original) {
            ++counts.amendments;
            continue;
        }
        ++counts.messages;
        for (const auto& box : manifest.containers) {
            ++counts.containers;
            counts.empty += box.load == core::LoadStatus::empty;
        }
        for (const auto& con : manifest.consignments) {
            ++counts.bls;
            counts.house_bls += !con.house_bl.empty();
            transshipped += !con.transshipment_ports.empty();
            consignees.insert(con.consignee.name);
        }
    }
    nlohmann::ordered_json call_list = nlohmann::ordered_json::array();
    for (const auto& key : order) {
        const CallCounts& counts = calls.at(key);
        nlohmann::ordered_json call;
        call["vessel"] = counts.vessel->vessel_name;
        call["imo"] = counts.vessel->imo;
        call["voyage"] = counts.vessel->voyage;
        call["carrier"] = counts.vessel->carrier;
        call["eta"] = counts.vessel->eta;
        call["last_port"] = counts.vessel->last_port;
        call["format"] = counts.format;
        call["containers"] = counts.containers;
        call["empty_containers"] = counts.empty;
        call["bls"] = counts.bls;
        call["house_bls"] = counts.house_bls;
        call["messages"] = counts.messages;
        call["amendments"] = counts.amendments;
        call_list.push_back(std::move(call));
        containers += counts.containers;
        empty += counts.empty;
        bls += counts.bls;
        house_bls += counts.house_bls;
    }

    std::map<std::string, std::int64_t> by_function;
    std::map<std::string, std::int64_t> by_format;
    for (std::size_t idx = 0; idx < day.messages.size(); ++idx) {
        ++by_function[core::to_string(day.manifests[idx].function)];
        ++by_format[day.messages[idx].content_type];
    }
    nlohmann::ordered_json patterns;
    for (const auto name : pattern_names()) {
        std::int64_t planted = 0, hits = 0;
        for (const auto& entry : day.ground_truth) {
            if (entry.pattern != name)
                continue;
            ++planted;
            hits += entry.hit;
        }
        patterns[std::string(name)] = {{"planted", planted}, {"hits", hits}};
    }

    nlohmann::ordered_json summary;
    summary["plan"] = plan;
    summary["totals"] = {{"vessel_calls", order.size()},
                         {"containers", containers},
                         {"empty_containers", empty},
                         {"bls", bls},
                         {"house_bls", house_bls},
                         {"transshipped_bls", transshipped},
                         {"distinct_consignees", consignees.size()},
                         {"messages", day.messages.size()},
                         {"planted", day.ground_truth.size()}};
    summary["messages_by_function"] = by_function;
    summary["messages_by_format"] = by_format;
    summary["planted_patterns"] = patterns;
    summary["calls"] = call_list;
    return summary;
}

} // namespace

Message render(const core::Manifest& manifest, const RenderRequest& request) {
    Message message;
    message.name = request.name;
    message.minute_of_day = request.minute_of_day;
    if (!request.edifact) {
        message.content_type = "application/json";
        message.payload = manifest_json::write(manifest);
        return message;
    }
    edifact::WriteOptions options;
    options.directory = request.d11a ? edifact::Directory::d11a : edifact::Directory::d95b;
    options.sender = manifest.sender;
    options.recipient = request.recipient;
    options.control_reference = request.control_reference;
    // UNB S004 wants YYMMDDHHMM.
    options.prepared = request.date.substr(2, 2) + request.date.substr(5, 2) +
                       request.date.substr(8, 2) + hh_mm(request.minute_of_day);
    message.content_type = "application/edifact";
    message.payload = edifact::write_cuscar(manifest, options);
    return message;
}

void write_day(const Day& day, const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir);
    for (const auto& message : day.messages)
        write_file(dir / (message.name + message.extension()), message.payload);
    std::string truth;
    for (const auto& planted : day.ground_truth)
        truth += planted_json(planted).dump() + "\n";
    write_file(dir / "ground-truth.jsonl", truth);
    write_file(dir / "summary.json", summary_json(day).dump(2) + "\n");
}

std::map<std::string, PlantedCase> read_ground_truth(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in)
        throw std::runtime_error("cannot read " + file.string());
    std::map<std::string, PlantedCase> cases;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (line.empty())
            continue;
        const auto item = nlohmann::json::parse(line, nullptr, false);
        if (!item.is_object())
            throw std::runtime_error(file.string() + ":" + std::to_string(number) +
                                     ": not a JSON object");
        PlantedCase& entry = cases[item.value("container_number", "")];
        if (item.value("hit", false) && !entry.hit) {
            entry.hit = true;
            entry.pattern = item.value("pattern", "");
            entry.finding = item.value("finding", "");
        }
    }
    return cases;
}

} // namespace portscreen::sim
