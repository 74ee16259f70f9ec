#include "sim/simulator.hpp"

#include "sim/goods.hpp"
#include "sim/parties.hpp"
#include "sim/planting.hpp"
#include "sim/render.hpp"
#include "sim/traffic.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace portscreen::sim {
namespace {

constexpr int kMinutesPerDay = 24 * 60;

/// A manifest waiting to be rendered, with what its rendering needs.
struct Outgoing {
    core::Manifest manifest;
    int minute = 0;
    std::size_t call = 0;
    std::string suffix; ///< "", "-change", "-replace", "-cancel"
};

/// Where each unit of a call went: which original message.
struct Part {
    std::string document_number;
    std::size_t first_unit = 0;
    std::size_t end_unit = 0;
    int minute = 0;
};

const Carrier& pick_carrier(Rng& rng) {
    std::vector<double> shares;
    for (const auto& carrier : carriers())
        shares.push_back(carrier.share);
    return carriers()[rng.weighted(shares)];
}

std::string voyage_for(const CallPlan& plan, Rng& rng) {
    // Inbound legs to East Africa run west or south; from Durban they run north.
    char direction = 'W';
    if (plan.service != nullptr && plan.service->name.starts_with("EUROPE"))
        direction = 'S';
    if (plan.service == nullptr)
        direction = plan.feeder_hub == "ZADUR" ? 'N' : plan.feeder_hub == "DJJIB" ? 'S' : 'W';
    return std::to_string(rng.between(100, 999)) + direction;
}

std::vector<CallPlan> plan_calls(const DayPlan& day, NumberRegistry& numbers, Rng& rng) {
    const int count = std::max(1, day.vessel_calls);
    const int mainline = count >= 3 ? std::max(1, count * 5 / 12) : 1;
    std::vector<CallPlan> calls(static_cast<std::size_t>(count));
    int total = 0;
    std::vector<double> service_weights = {45, 30, 25};
    const auto hubs = words(feeder_hubs());
    for (int idx = 0; idx < count; ++idx) {
        CallPlan& plan = calls[static_cast<std::size_t>(idx)];
        plan.carrier = &pick_carrier(rng);
        if (idx < mainline) {
            plan.service = &services()[rng.weighted(service_weights)];
            plan.containers = rng.between(3000, 4000);
        } else {
            plan.feeder_hub = std::string(hubs[rng.index(hubs.size())]);
            plan.containers = rng.between(150, 900);
        }
        total += plan.containers;
    }
    // Top up the big calls until the day reaches its minimum.
    if (total < day.min_containers) {
        const int deficit = day.min_containers - total;
        for (int idx = 0; idx < mainline; ++idx)
            calls[static_cast<std::size_t>(idx)].containers +=
                deficit / mainline + (idx < deficit % mainline ? 1 : 0);
    }
    std::vector<int> etas;
    for (int idx = 0; idx < count; ++idx)
        etas.push_back(rng.between(240, kMinutesPerDay - 30));
    std::sort(etas.begin(), etas.end());
    rng.shuffle(etas); // big calls and feeders mix through the day

    for (int idx = 0; idx < count; ++idx) {
        CallPlan& plan = calls[static_cast<std::size_t>(idx)];
        plan.eta_minute = etas[static_cast<std::size_t>(idx)];
        plan.edifact = rng.chance(day.edifact_share);
        plan.d11a = rng.chance(0.5);
        core::VesselCall& vessel = plan.vessel;
        vessel.imo = numbers.imo_number(rng);
        vessel.vessel_name = std::string(plan.carrier->vessel_prefix) + invent_word(rng) +
                             std::string(plan.carrier->vessel_suffix);
        vessel.voyage = voyage_for(plan, rng);
        vessel.carrier = std::string(plan.carrier->code);
        vessel.eta = day.date + "T" + hh_mm(plan.eta_minute).insert(2, ":");
        vessel.port_of_call = day.port;
        if (plan.service != nullptr) {
            const auto last = words(plan.service->last_ports);
            vessel.last_port = std::string(last[rng.index(last.size())]);
        } else {
            vessel.last_port = plan.feeder_hub;
        }
    }
    std::stable_sort(calls.begin(), calls.end(), [](const CallPlan& a, const CallPlan& b) {
        return a.eta_minute < b.eta_minute;
    });
    return calls;
}

core::Manifest manifest_shell(const CallPlan& plan, const std::string& date,
                              const std::string& document_number, int minute) {
    core::Manifest manifest;
    manifest.document_number = document_number;
    manifest.issued_at = date + "T" + hh_mm(minute).insert(2, ":");
    manifest.sender = std::string(plan.carrier->code);
    manifest.vessel_call = plan.vessel;
    return manifest;
}

void append_unit(core::Manifest& manifest, const Unit& unit) {
    manifest.containers.insert(manifest.containers.end(), unit.containers.begin(),
                               unit.containers.end());
    manifest.consignments.insert(manifest.consignments.end(), unit.consignments.begin(),
                                 unit.consignments.end());
}

void finish(core::Manifest& manifest) {
    manifest.declared_container_count = static_cast<std::int64_t>(manifest.containers.size());
}

/// Cuts a call into messages: big carriers send one per 1,000 to 2,000 containers.
std::vector<Part> split_call(const CallPlan& plan, const std::vector<Unit>& units,
                             const std::string& port, Rng& rng) {
    std::vector<Part> parts;
    const std::string base = std::string(plan.carrier->code) + plan.vessel.voyage + "-" + port;
    // Carriers report hours before arrival; a call early in the day reported overnight, so its
    // messages open the day's feed.
    const int lead = rng.between(180, 900);
    int minute = plan.eta_minute - lead;
    if (minute < 0)
        minute = rng.between(0, std::max(0, plan.eta_minute - 150));
    int target = plan.service ? rng.between(1000, 2000) : 1 << 30;
    int in_part = 0;
    int remaining_after = 0;
    for (const auto& unit : units)
        remaining_after += static_cast<int>(unit.containers.size());
    Part part;
    for (std::size_t idx = 0; idx < units.size(); ++idx) {
        in_part += static_cast<int>(units[idx].containers.size());
        remaining_after -= static_cast<int>(units[idx].containers.size());
        const bool last = idx + 1 == units.size();
        // Close at the target unless only a sliver would be left for the next message.
        if (!last && (in_part < target || remaining_after < 300))
            continue;
        part.end_unit = idx + 1;
        part.minute = std::min(minute, kMinutesPerDay - 1);
        char number[24];
        std::snprintf(number, sizeof number, "-%02zu", parts.size() + 1);
        part.document_number = base + number;
        parts.push_back(part);
        part.first_unit = idx + 1;
        minute += rng.between(1, 9);
        in_part = 0;
        target = rng.between(1000, 2000);
    }
    return parts;
}

std::size_t part_of(const std::vector<Part>& parts, std::size_t unit) {
    for (std::size_t idx = 0; idx < parts.size(); ++idx)
        if (unit >= parts[idx].first_unit && unit < parts[idx].end_unit)
            return idx;
    return 0;
}

/// Amendments follow their originals and keep their document number with the next version.
class Amender {
public:
    Amender(const DayPlan& plan, const std::vector<CallPlan>& calls,
            std::vector<std::vector<Unit>>& units, const std::vector<std::vector<Part>>& parts,
            const PartyPools& pools, std::vector<Outgoing>& out)
        : plan_(plan), calls_(calls), units_(units), parts_(parts), pools_(pools), out_(out) {}

    /// Originals have version 1; amendments count on from there.
    void register_original(const std::string& document_number) { versions_[document_number] = 1; }

    void late_amendments(const std::vector<LateAmendment>& late, std::vector<Planted>& truth,
                         Rng& rng) {
        for (const auto& entry : late) {
            const CallPlan& call = calls_[entry.call];
            Unit unit = units_[entry.call][entry.unit];
            const Part& part = parts_[entry.call][part_of(parts_[entry.call], entry.unit)];
            const int minute = std::clamp(call.eta_minute + rng.between(-30, 150), part.minute + 10,
                                          kMinutesPerDay - 1);
            core::Consignment& con = unit.consignments.front();
            std::string change;
            const auto& place = pools_.deliveries.front();
            if (rng.chance(0.7)) {
                con.consignee =
                    rng.chance(0.5)
                        ? invent_person(pools_.destination_country(), place.cities.front(), rng)
                        : invent_company(CompanyKind::importer, pools_.destination_country(),
                                         place.cities.front(), rng);
                con.notify_party = con.consignee;
                change = "consignee changed to first-time '" + con.consignee.name + "'";
            } else {
                auto& item = con.goods_items.front();
                const std::string was = item.description;
                item.description = "GENERAL CARGO";
                change = "goods description changed from '" + was + "' to 'GENERAL CARGO'";
            }
            const int offset = minute - call.eta_minute;
            truth[entry.planted].description =
                "B/L amended at " + hh_mm(minute).insert(2, ":") + ", " +
                std::to_string(offset < 0 ? -offset : offset) + " minutes " +
                (offset < 0 ? "before" : "after") + " arrival: " + change;
            emit(entry.call, part, unit, core::MessageFunction::change, minute);
        }
    }

    void innocent_amendments(Rng& rng) {
        // Corrections are routine: a few per call, most well before arrival, some after it, so
        // that lateness alone does not mark a planted case.
        const int changes = 2 * static_cast<int>(calls_.size()) + rng.between(0, 6);
        for (int idx = 0; idx < changes; ++idx) {
            auto [call, unit_idx] = pick_unit(rng);
            if (unit_idx == kNone)
                return;
            Unit unit = units_[call][unit_idx];
            core::Consignment& con = unit.consignments.front();
            if (rng.chance(0.6)) {
                auto& item = con.goods_items.front();
                item.gross_mass_kg = std::round(*item.gross_mass_kg * rng.uniform(0.9, 1.1));
                settle_container_masses(unit);
            } else {
                con.consignee.address = "P.O. BOX " + std::to_string(rng.between(100, 99999));
                if (con.notify_party.name == con.consignee.name)
                    con.notify_party.address = con.consignee.address;
            }
            const Part& part = parts_[call][part_of(parts_[call], unit_idx)];
            const int minute = rng.chance(0.2)
                                   ? std::clamp(calls_[call].eta_minute + rng.between(-30, 150),
                                                part.minute + 10, kMinutesPerDay - 1)
                                   : later(call, part, rng);
            emit(call, part, unit, core::MessageFunction::change, minute);
        }
        const int cancellations = rng.between(1, 2);
        for (int idx = 0; idx < cancellations; ++idx) {
            auto [call, unit_idx] = pick_unit(rng);
            if (unit_idx == kNone)
                return;
            Unit unit = units_[call][unit_idx];
            // Shut-out cargo: the B/L is withdrawn with its container; only identities remain.
            for (auto& con : unit.consignments) {
                core::Consignment identity;
                identity.master_bl = con.master_bl;
                identity.house_bl = con.house_bl;
                con = identity;
            }
            const Part& part = parts_[call][part_of(parts_[call], unit_idx)];
            emit(call, part, unit, core::MessageFunction::cancel, later(call, part, rng));
        }
        replace_one(rng);
    }

private:
    static constexpr std::size_t kNone = static_cast<std::size_t>(-1);

    std::pair<std::size_t, std::size_t> pick_unit(Rng& rng) {
        for (int attempt = 0; attempt < 200; ++attempt) {
            const std::size_t call = rng.index(units_.size());
            if (units_[call].empty())
                continue;
            const std::size_t unit = rng.index(units_[call].size());
            Unit& candidate = units_[call][unit];
            if (candidate.touched || candidate.kind != UnitKind::fcl)
                continue;
            candidate.touched = true;
            return {call, unit};
        }
        return {0, kNone};
    }

    int later(std::size_t call, const Part& part, Rng& rng) const {
        const int latest = std::max(part.minute + 21, calls_[call].eta_minute - 30);
        return std::min(rng.between(part.minute + 20, latest), kMinutesPerDay - 1);
    }

    /// A feeder's whole message sent again with one container's mass corrected.
    void replace_one(Rng& rng) {
        std::vector<std::size_t> feeders;
        for (std::size_t call = 0; call < calls_.size(); ++call)
            if (calls_[call].service == nullptr && parts_[call].size() == 1)
                feeders.push_back(call);
        if (feeders.empty())
            return;
        const std::size_t call = feeders[rng.index(feeders.size())];
        const Part& part = parts_[call].front();
        const int minute = later(call, part, rng);
        core::Manifest manifest = shell(call, part, minute, core::MessageFunction::replace);
        for (std::size_t idx = part.first_unit; idx < part.end_unit; ++idx)
            append_unit(manifest, units_[call][idx]);
        for (auto& box : manifest.containers) {
            if (box.load == core::LoadStatus::full && box.gross_mass_kg) {
                box.gross_mass_kg = *box.gross_mass_kg + 10 * rng.between(-40, 40);
                break;
            }
        }
        finish(manifest);
        out_.push_back({std::move(manifest), minute, call, "-replace"});
    }

    core::Manifest shell(std::size_t call, const Part& part, int minute,
                         core::MessageFunction function) {
        core::Manifest manifest =
            manifest_shell(calls_[call], plan_.date, part.document_number, minute);
        manifest.function = function;
        manifest.version = ++versions_[part.document_number];
        return manifest;
    }

    void emit(std::size_t call, const Part& part, const Unit& unit, core::MessageFunction function,
              int minute) {
        core::Manifest manifest = shell(call, part, minute, function);
        append_unit(manifest, unit);
        finish(manifest);
        std::string suffix = std::string("-") + core::to_string(function);
        out_.push_back({std::move(manifest), minute, call, std::move(suffix)});
    }

    const DayPlan& plan_;
    const std::vector<CallPlan>& calls_;
    std::vector<std::vector<Unit>>& units_;
    const std::vector<std::vector<Part>>& parts_;
    const PartyPools& pools_;
    std::vector<Outgoing>& out_;
    std::map<std::string, int> versions_;
};

} // namespace

std::string Message::extension() const {
    return content_type == "application/edifact" ? ".edi" : ".json";
}

Day simulate_day(const DayPlan& plan, const std::vector<reference::HsEntry>& hs) {
    const GoodsCatalog goods(hs);
    const PartyPools pools(plan.seed, plan.port, goods);
    Rng rng(stream_seed(plan.seed, "day " + plan.date + " " + plan.port));
    NumberRegistry numbers;
    TrafficBuilder builder(pools, goods, plan.port, numbers);

    Day day;
    day.plan = plan;
    const std::vector<CallPlan> calls = plan_calls(plan, numbers, rng);
    std::vector<std::vector<Unit>> units;
    for (const auto& call : calls)
        units.push_back(builder.build_call(call, rng));

    std::vector<LateAmendment> late;
    PlantingContext context{calls, units, goods, pools, day.ground_truth, late};
    plant_patterns(context, plan.suspicious_share, rng);

    std::vector<std::vector<Part>> parts;
    std::vector<Outgoing> outgoing;
    Amender amender(plan, calls, units, parts, pools, outgoing);
    for (std::size_t call = 0; call < calls.size(); ++call) {
        parts.push_back(split_call(calls[call], units[call], plan.port, rng));
        for (const auto& part : parts.back()) {
            core::Manifest manifest =
                manifest_shell(calls[call], plan.date, part.document_number, part.minute);
            for (std::size_t idx = part.first_unit; idx < part.end_unit; ++idx)
                append_unit(manifest, units[call][idx]);
            finish(manifest);
            amender.register_original(part.document_number);
            outgoing.push_back({std::move(manifest), part.minute, call, ""});
        }
    }
    amender.late_amendments(late, day.ground_truth, rng);
    amender.innocent_amendments(rng);

    // Sending order; ties keep the order of creation, so originals precede their amendments.
    std::stable_sort(outgoing.begin(), outgoing.end(),
                     [](const Outgoing& a, const Outgoing& b) { return a.minute < b.minute; });
    for (std::size_t idx = 0; idx < outgoing.size(); ++idx) {
        Outgoing& message = outgoing[idx];
        const CallPlan& call = calls[message.call];
        char sequence[24];
        std::snprintf(sequence, sizeof sequence, "%04zu", idx + 1);
        RenderRequest request;
        request.name = std::string(sequence) + "-" + hh_mm(message.minute) + "-" +
                       std::string(call.carrier->code) + "-" + call.vessel.voyage + message.suffix;
        request.edifact = call.edifact;
        request.d11a = call.d11a;
        request.minute_of_day = message.minute;
        request.date = plan.date;
        request.recipient = plan.port + "CUSTOMS";
        // Unique across days as well, as a carrier's references are: "2611270002".
        std::string day_digits;
        for (const char c : plan.date.substr(2))
            if (c != '-')
                day_digits += c;
        request.control_reference = day_digits + sequence;
        day.messages.push_back(render(message.manifest, request));
        day.manifests.push_back(std::move(message.manifest));
    }
    return day;
}

core::Manifest synthetic_vessel_manifest(std::uint64_t seed, int containers,
                                         const std::vector<reference::HsEntry>& hs) {
    const GoodsCatalog goods(hs);
    const std::string port = "KEMBA";
    const PartyPools pools(seed, port, goods);
    Rng rng(stream_seed(seed, "synthetic vessel"));
    NumberRegistry numbers;
    TrafficBuilder builder(pools, goods, port, numbers);

    CallPlan plan;
    plan.carrier = &carriers()[0];
    plan.service = &services()[0];
    plan.containers = std::max(0, containers);
    plan.eta_minute = 12 * 60;
    plan.vessel.imo = numbers.imo_number(rng);
    plan.vessel.vessel_name = std::string(plan.carrier->vessel_prefix) + invent_word(rng);
    plan.vessel.voyage = voyage_for(plan, rng);
    plan.vessel.carrier = std::string(plan.carrier->code);
    plan.vessel.eta = "2026-11-27T12:00";
    plan.vessel.port_of_call = port;
    plan.vessel.last_port = "LKCMB";

    const std::vector<Unit> units = builder.build_call(plan, rng);
    core::Manifest manifest =
        manifest_shell(plan, "2026-11-26",
                       std::string(plan.carrier->code) + plan.vessel.voyage + "-" + port, 18 * 60);
    for (const auto& unit : units)
        append_unit(manifest, unit);
    finish(manifest);
    return manifest;
}

} // namespace portscreen::sim
