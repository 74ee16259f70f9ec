#include "messaging/protocol.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace portscreen::messaging {
namespace {

nlohmann::json problem_json(const Problem& problem) {
    nlohmann::json out = {
        {"severity", problem.severity == Severity::error ? "error" : "warning"},
        {"code", problem.code},
        {"message", problem.message},
        {"location", problem.where()},
    };
    if (!problem.path.empty())
        out["path"] = problem.path;
    if (problem.segment != 0)
        out["segment"] = problem.segment;
    if (!problem.segment_tag.empty())
        out["segment_tag"] = problem.segment_tag;
    if (!problem.position.empty())
        out["position"] = problem.position;
    if (problem.contrl != 0)
        out["contrl"] = problem.contrl;
    return out;
}

// Payloads may carry bytes that are not UTF-8 into a message; replace rather than throw.
std::string dump(const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace

std::string ack_body(const storage::IncomingMessage& message,
                     const std::vector<storage::StoredManifest>& stored, const Problems& warnings) {
    nlohmann::json manifests = nlohmann::json::array();
    for (const auto& manifest : stored) {
        nlohmann::json consignments = nlohmann::json::array();
        for (const auto& con : manifest.consignments) {
            nlohmann::json entry = {{"master_bl", con.master_bl},
                                    {"revision", con.revision},
                                    {"action", con.action}};
            if (!con.house_bl.empty())
                entry["house_bl"] = con.house_bl;
            consignments.push_back(std::move(entry));
        }
        manifests.push_back({
            {"function", manifest.function},
            {"vessel_call",
             {{"id", manifest.vessel_call_id},
              {"imo", manifest.imo},
              {"vessel_name", manifest.vessel_name},
              {"voyage", manifest.voyage},
              {"port_of_call", manifest.port_of_call}}},
            {"consignments", std::move(consignments)},
            {"containers", manifest.containers},
        });
    }
    nlohmann::json body = {
        {"message_id", message.message_id},
        {"received_at", message.received_at},
        {"content_sha256", message.content_sha256},
        {"manifests", std::move(manifests)},
    };
    if (!warnings.empty()) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& warning : warnings)
            list.push_back(problem_json(warning));
        body["warnings"] = std::move(list);
    }
    return dump(body);
}

std::string nack_body(const Problems& problems) {
    Problems ordered = problems;
    std::stable_partition(ordered.begin(), ordered.end(),
                          [](const Problem& p) { return p.severity == Severity::error; });
    nlohmann::json list = nlohmann::json::array();
    for (const auto& problem : ordered)
        list.push_back(problem_json(problem));
    return dump(list);
}

Problems frame_problem(std::string code, std::string message) {
    Problem problem;
    problem.code = std::move(code);
    problem.message = std::move(message);
    return {problem};
}

} // namespace portscreen::messaging
