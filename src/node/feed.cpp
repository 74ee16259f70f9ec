#include "node/feed.hpp"

#include "ingest/decode.hpp"

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace portscreen::node {
namespace {

/// "3 consignments, 120 containers" from an ACK body.
std::string ack_summary(const std::string& body) {
    const auto doc = nlohmann::json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.contains("manifests"))
        return "unreadable ACK body";
    std::size_t consignments = 0;
    std::size_t containers = 0;
    for (const auto& manifest : doc["manifests"]) {
        consignments += manifest.value("consignments", nlohmann::json::array()).size();
        containers += manifest.value("containers", nlohmann::json::array()).size();
    }
    std::string text = std::to_string(consignments) + " consignments, " +
                       std::to_string(containers) + " containers";
    if (doc.contains("warnings"))
        text += ", " + std::to_string(doc["warnings"].size()) + " warnings";
    return text;
}

/// Every reason in a NACK body, one per line, indented.
std::string nack_reasons(const std::string& body) {
    const auto doc = nlohmann::json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_array())
        return "    " + body;
    std::string text;
    for (const auto& problem : doc) {
        text += "    " + problem.value("severity", std::string("error")) + ": " +
                problem.value("message", std::string());
        const auto where = problem.value("location", std::string());
        if (!where.empty())
            text += " (" + where + ")";
        text += '\n';
    }
    return text;
}

} // namespace

int feed_files(const std::vector<std::filesystem::path>& files,
               const messaging::FeedOptions& options) {
    std::vector<messaging::Outgoing> messages;
    for (const auto& file : files) {
        std::ifstream in(file, std::ios::binary);
        if (!in) {
            std::fprintf(stderr, "%s: cannot read file\n", file.c_str());
            return 2;
        }
        std::ostringstream content;
        content << in.rdbuf();
        std::string payload = std::move(content).str();
        const auto type = ingest::detect_content_type(payload);
        if (!type) {
            std::fprintf(stderr, "%s: neither JSON nor EDIFACT (expected '{', UNA or UNB)\n",
                         file.c_str());
            return 2;
        }
        messages.emplace_back(messaging::new_message_id(), ingest::to_string(*type),
                              std::move(payload));
    }

    zmq::context_t context;
    messaging::FeedClient client(context, options);
    const auto replies = client.send_all(messages, [&](std::size_t index, const auto& reply) {
        if (reply.status == "ACK") {
            std::printf("ACK  %s: %s\n", files[index].c_str(), ack_summary(reply.body).c_str());
        } else {
            std::printf("NACK %s:\n%s", files[index].c_str(), nack_reasons(reply.body).c_str());
        }
        std::fflush(stdout);
    });
    int exit_code = 0;
    for (std::size_t idx = 0; idx < replies.size(); ++idx) {
        if (!replies[idx]) {
            std::printf("FAIL %s: no answer from %s\n", files[idx].c_str(),
                        options.endpoint.c_str());
            exit_code = 1;
        } else if (replies[idx]->status != "ACK") {
            exit_code = 1;
        }
    }
    return exit_code;
}

} // namespace portscreen::node
