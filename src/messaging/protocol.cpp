#include "messaging/protocol.hpp"

#include "common/json_writer.hpp"

#include <algorithm>

namespace portscreen::messaging {
namespace {

void write_problem(JsonWriter& out, const Problem& problem) {
    out.open_object();
    out.member("severity", problem.severity == Severity::error ? "error" : "warning");
    out.member("code", problem.code);
    out.member("message", problem.message);
    out.member("location", problem.where());
    out.optional_member("path", problem.path);
    if (problem.segment != 0)
        out.member("segment", static_cast<std::int64_t>(problem.segment));
    out.optional_member("segment_tag", problem.segment_tag);
    out.optional_member("position", problem.position);
    if (problem.contrl != 0)
        out.member("contrl", problem.contrl);
    out.close_object();
}

void write_stored(JsonWriter& out, const storage::StoredManifest& manifest) {
    out.open_object();
    out.member("function", manifest.function);
    out.key("vessel_call");
    out.open_object();
    out.member("id", manifest.vessel_call_id);
    out.member("imo", manifest.imo);
    out.member("vessel_name", manifest.vessel_name);
    out.member("voyage", manifest.voyage);
    out.member("port_of_call", manifest.port_of_call);
    out.close_object();
    out.key("consignments");
    out.open_array();
    for (const auto& con : manifest.consignments) {
        out.open_object();
        out.member("master_bl", con.master_bl);
        out.optional_member("house_bl", con.house_bl);
        out.member("revision", con.revision);
        out.member("action", con.action);
        out.close_object();
    }
    out.close_array();
    out.key("containers");
    out.open_array();
    for (const auto& number : manifest.containers)
        out.value(number);
    out.close_array();
    out.close_object();
}

} // namespace

std::string ack_body(const storage::IncomingMessage& message,
                     const std::vector<storage::StoredManifest>& stored, const Problems& warnings) {
    // Written directly rather than through a JSON DOM: the ACK of a large vessel call lists
    // tens of thousands of containers, and it is built inside the writer's transaction.
    std::size_t expected = 512 + warnings.size() * 256;
    for (const auto& manifest : stored)
        expected += manifest.containers.size() * 14 + manifest.consignments.size() * 80;
    JsonWriter out(expected);
    out.open_object();
    out.member("message_id", message.message_id);
    out.member("received_at", message.received_at);
    out.member("content_sha256", message.content_sha256);
    out.key("manifests");
    out.open_array();
    for (const auto& manifest : stored)
        write_stored(out, manifest);
    out.close_array();
    if (!warnings.empty()) {
        out.key("warnings");
        out.open_array();
        for (const auto& warning : warnings)
            write_problem(out, warning);
        out.close_array();
    }
    out.close_object();
    return out.take();
}

std::string nack_body(const Problems& problems) {
    Problems ordered = problems;
    std::stable_partition(ordered.begin(), ordered.end(),
                          [](const Problem& p) { return p.severity == Severity::error; });
    JsonWriter out;
    out.open_array();
    for (const auto& problem : ordered)
        write_problem(out, problem);
    out.close_array();
    return out.take();
}

Problems frame_problem(std::string code, std::string message) {
    Problem problem;
    problem.code = std::move(code);
    problem.message = std::move(message);
    return {problem};
}

} // namespace portscreen::messaging
