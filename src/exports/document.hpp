#pragma once

#include "exports/exports.hpp"

#include <optional>
#include <string>
#include <string_view>

/// One export as a file: what the `export` command writes and what the web UI sends for
/// GET /api/exports/{what}.{format}.
namespace portscreen::exports {

enum class What { selections, outcomes, seizures, statistics };
enum class Format { csv, xlsx, json };

/// "selections", "outcomes", "seizures" or "statistics"; nothing for anything else.
std::optional<What> parse_what(std::string_view text);
/// "csv", "xlsx" or "json"; nothing for anything else.
std::optional<Format> parse_format(std::string_view text);

std::string_view to_string(What what);
std::string_view to_string(Format format);

/// The bytes of an export with the HTTP content type and a file name for them.
struct Document {
    std::string bytes;
    std::string content_type; ///< e.g. "text/csv; charset=utf-8"
    std::string filename;     ///< portscreen-<what>-<from>-<to>.<format>
};

/// Whose outcomes an export covers. The network view (outcomes and statistics only) adds the
/// outcomes received from other ports to the node's own, each row under its unit
/// (network.hpp); `own_unit` names this node there (kThisNode when empty).
struct Scope {
    bool network = false;
    std::string own_unit;
};

/// Builds an export. The statistics are, as CSV, their tables one after another (each under a
/// line holding its name, separated by an empty line); as XLSX one worksheet per table; as
/// JSON the dashboard's object (statistics_json). The other exports are one table. Call it
/// outside a transaction: it reads its own snapshots. The network view of statistics is, as
/// JSON, network_statistics_json; its file name reads portscreen-<what>-network-<from>-<to>.
/// Throws std::invalid_argument for the network view of selections or seizures.
Document export_document(storage::Database& db, What what, Format format, const Period& period,
                         const Scope& scope = {});

} // namespace portscreen::exports
