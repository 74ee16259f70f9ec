#include "scans/send.hpp"

#include <zmq.hpp>

#include <cstdio>

namespace portscreen::scans {

std::size_t send_scans(const std::vector<messaging::Outgoing>& scans, const std::string& endpoint,
                       std::chrono::milliseconds timeout, bool quiet) {
    zmq::context_t context;
    messaging::FeedOptions options;
    options.endpoint = endpoint;
    options.timeout = timeout;
    options.window = 2; // a scan is megabytes: two keep both of the node's decoders busy
    messaging::FeedClient client(context, options);
    std::size_t acked = 0;
    const auto replies = client.send_all(scans, [&](std::size_t, const messaging::Reply& reply) {
        acked += reply.status == "ACK" ? 1 : 0;
        if (!quiet || reply.status != "ACK")
            std::printf("%-4s %s: %s\n", reply.status.c_str(), reply.message_id.c_str(),
                        reply.body.c_str());
    });
    for (std::size_t idx = 0; idx < replies.size(); ++idx) {
        if (!replies[idx])
            std::printf("FAIL %s: no reply from %s\n", scans[idx].message_id.c_str(),
                        endpoint.c_str());
    }
    return acked;
}

} // namespace portscreen::scans
