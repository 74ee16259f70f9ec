#include "exports/cli.hpp"

#include "common/args.hpp"
#include "exports/document.hpp"
#include "exports/exports.hpp"
#include "storage/database.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <unistd.h>

namespace portscreen::exports {
namespace {

namespace fs = std::filesystem;

constexpr const char* kExportHelp =
    R"(usage: portscreen export --data DIR --what selections|outcomes|seizures|statistics
                         --from YYYY-MM-DD --to YYYY-MM-DD --format csv|xlsx|json [--out FILE]
                         [--network]

Exports from a node's data folder, for the days from --from to --to (both included, at most
3660 days): the containers selected (by selection day), the inspection outcomes (by inspection
day), a CEN-style seizure report without names of people or parties, or the programme
statistics (containers screened, selected by source and lane, inspected, findings by category
and month, hit rates with 95% Wilson intervals, the estimates of the random share, rule
effectiveness). Containers belong to the day of their vessel call's ETA.

CSV follows RFC 4180; text that a spreadsheet would run as a formula gets a leading
apostrophe. The statistics as CSV are several tables one after another, each under a line with
its name and followed by an empty line; as XLSX one worksheet each; as JSON the object the
dashboard reads. Without --out the export goes to standard output (XLSX only when that is not a
terminal). The database is opened read-only: a running node may keep writing.

--network (outcomes and statistics only): the node's own outcomes and those received from
other ports, each under a first column `unit` (the node's own rows carry its name from
DATA/keys/node.json, or "this node"); the statistics are then per unit: outcomes, no-finds,
seizures, and seizures by category. No names of people appear in either.
)";

std::string required(const Args& args, const std::string& name) {
    const auto value = args.get(name);
    if (!value || value->empty())
        throw std::invalid_argument("--" + name + " is required");
    return *value;
}

void write_output(const std::string& bytes, const std::optional<std::string>& out) {
    if (!out) {
        if (std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size() ||
            std::fflush(stdout) != 0)
            throw std::runtime_error("cannot write the export to standard output");
        return;
    }
    std::ofstream file(*out, std::ios::binary | std::ios::trunc);
    if (!file)
        throw std::runtime_error("cannot open " + *out + " for writing");
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    file.close();
    if (!file)
        throw std::runtime_error("cannot write " + *out);
}

} // namespace

int run_export(const std::vector<std::string>& argv, const UnitNameLookup& unit_name) {
    const Args args(argv, {"data", "what", "from", "to", "format", "out"}, {"network"});
    if (!args.positional().empty())
        throw std::invalid_argument("unexpected argument '" + args.positional().front() + "'");
    const std::string data = required(args, "data");
    const std::string what_text = required(args, "what");
    const std::string format_text = required(args, "format");
    const auto what = parse_what(what_text);
    if (!what)
        throw std::invalid_argument("--what must be selections, outcomes, seizures or "
                                    "statistics, not '" +
                                    what_text + "'");
    const auto format = parse_format(format_text);
    if (!format)
        throw std::invalid_argument("--format must be csv, xlsx or json, not '" + format_text +
                                    "'");
    const std::string from = required(args, "from");
    const std::string to = required(args, "to");
    Period period;
    try {
        period = parse_period(from, to);
    } catch (const std::invalid_argument& e) {
        // the messages name `from` and `to`; on the command line they are options
        throw std::invalid_argument(std::string("bad period (--from, --to): ") + e.what());
    }
    const bool network = args.flag("network");
    if (network && *what != What::outcomes && *what != What::statistics)
        throw std::invalid_argument("--network is for --what outcomes or statistics, not '" +
                                    what_text + "'");
    const auto out = args.get("out");
    if (*format == Format::xlsx && !out && isatty(fileno(stdout)) != 0)
        throw std::invalid_argument("refusing to write XLSX to a terminal; use --out FILE or "
                                    "redirect standard output");

    const fs::path file = fs::path(data) / "portscreen.db";
    if (!fs::exists(file))
        throw std::runtime_error("no port node database in " + data);
    Scope scope;
    scope.network = network;
    if (network && unit_name)
        scope.own_unit = unit_name(fs::path(data));
    auto db = storage::Database::open(file, storage::Access::reader);
    auto document = export_document(db, *what, *format, period, scope);
    if (*format == Format::json)
        document.bytes += '\n';
    write_output(document.bytes, out);
    if (out)
        std::fprintf(stderr, "wrote %s (%zu bytes)\n", out->c_str(), document.bytes.size());
    return 0;
}

namespace {

int run_export_without_identity(const std::vector<std::string>& argv) {
    return run_export(argv, {});
}

} // namespace

const std::vector<CliCommand>& cli_commands() {
    static const std::vector<CliCommand> commands = {
        {"export", "export selections, outcomes, seizures or statistics of a period", kExportHelp,
         run_export_without_identity},
    };
    return commands;
}

} // namespace portscreen::exports
