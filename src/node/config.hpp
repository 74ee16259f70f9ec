#pragma once

#include "common/log.hpp"
#include "messaging/ingest_server.hpp"
#include "scans/scan_server.hpp"
#include "sharing/policy.hpp"
#include "web_server.hpp"

#include <filesystem>
#include <string>

namespace portscreen::node {

/// Everything a port node can be told, each with a default that runs (docs/config.md).
struct Config {
    messaging::IngestOptions ingest;
    scans::ScanServerOptions scans;
    ui_web::WebOptions web;
    sharing::SharingOptions share;
    std::filesystem::path iso3166_json;
    std::filesystem::path hs_nomenclature_csv;
    log::Level log_level = log::Level::info;
};

Config default_config();

/// Reads a JSON config file over the defaults. Unknown keys and wrong types are errors that name
/// the file and the key; throws std::runtime_error with all of them.
Config load_config(const std::filesystem::path& file);

} // namespace portscreen::node
