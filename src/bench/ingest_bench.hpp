#pragma once

#include "core/manifest.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace portscreen::bench {

struct IngestBenchOptions {
    int containers = 20'000;
    int messages = 1;  ///< the manifest split into this many messages
    bool json = false; ///< send portscreen JSON instead of CUSCAR
    int repeat = 3;    ///< runs; the median is reported
    std::uint64_t seed = 7;
    bool score = false;             ///< run the node's scoring next to ingest, as a node does
    std::filesystem::path work_dir; ///< scratch folder for the databases
};

struct IngestBenchResult {
    int containers = 0;
    int consignments = 0;
    std::size_t payload_bytes = 0;
    double end_to_end_s = 0; ///< first send to last ACK, median of the runs
    double decode_s = 0;     ///< parsing and validation alone, median
    double direct_s = 0;     ///< the same rows inserted directly, median
    double scored_s = 0;     ///< first send until every container is scored, median (--score)
};

/// Splits a manifest into `parts` messages by consignment; each part declares the containers
/// its goods are placed in, and empty containers go with the last part.
std::vector<core::Manifest> split_manifest(const core::Manifest& manifest, int parts);

/// Inserts the rows of `manifests` straight into a fresh database with the node's schema, in
/// transactions of about `containers_per_transaction` containers: the baseline the ingest path
/// is compared with. Returns the seconds taken.
double insert_directly(const std::filesystem::path& database,
                       const std::vector<core::Manifest>& manifests,
                       const std::vector<std::string>& payloads,
                       int containers_per_transaction = 1000);

IngestBenchResult run_ingest_bench(const IngestBenchOptions& options);

} // namespace portscreen::bench
