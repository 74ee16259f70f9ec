#pragma once

#include <filesystem>

namespace portscreen::bench {

struct ShareBenchOptions {
    int messages = 20'000;          ///< sent while both nodes run
    int catch_up = 100'000;         ///< queued while the receiver is down, 0 to skip
    std::filesystem::path work_dir; ///< made fresh, removed at the end
};

struct ShareBenchResult {
    double messages_per_s = 0; ///< from the commit of the events to the last one applied
    double live_s = 0;
    double queue_s = 0;    ///< to sign and queue the catch-up messages
    double catch_up_s = 0; ///< from the receiver's start to the last one applied
};

/// Two nodes in this process, each with its own data folder, keys and sharing service on a
/// loopback port, CURVE on: node A's watchlist gets `messages` container entries in one
/// transaction, which its sharing thread signs, queues and sends to B, which stores and applies
/// them. Then B stops, A queues `catch_up` more, and B starts again.
ShareBenchResult run_share_bench(const ShareBenchOptions& options);

} // namespace portscreen::bench
