#include "audit/cli.hpp"

#include "audit/audit.hpp"
#include "common/args.hpp"
#include "storage/database.hpp"

#include <cstdio>
#include <filesystem>
#include <limits>
#include <stdexcept>

namespace portscreen::audit {
namespace {

namespace fs = std::filesystem;

constexpr const char* kAuditHelp =
    R"(usage: portscreen audit verify --data DIR
       portscreen audit list --data DIR [--after SEQ] [--limit N] [--subject S]

The audit log records who logged in, viewed, decided, exported and changed what, each entry
chained to the one before by a SHA-256 hash. verify walks the chain and names the first entry
that was changed, removed or reordered (exit 1), or reports it intact. list prints entries after
SEQ (default 0), oldest first, at most N (default 100), one per line: seq, time, actor, action,
subject, detail. --subject keeps one subject ("container:MSCU1234565"), or every subject
starting with S when S ends in ':' ("user:").
)";

storage::Database open_node(const Args& args) {
    const auto data = args.get("data");
    if (!data)
        throw std::invalid_argument("--data DIR is required");
    const fs::path file = fs::path(*data) / "portscreen.db";
    if (!fs::exists(file))
        throw std::runtime_error("no port node database in " + *data);
    return storage::Database::open(file, storage::Access::writer);
}

int run_verify(const Args& args) {
    auto db = open_node(args);
    const Verification result = verify(db);
    if (!result.ok) {
        std::printf("audit log broken at entry %lld: %s\n",
                    static_cast<long long>(result.first_bad_seq), result.problem.c_str());
        return 1;
    }
    std::printf("audit log: %lld entries, chain intact\n", static_cast<long long>(result.entries));
    return 0;
}

int run_list(const Args& args) {
    auto db = open_node(args);
    const auto after = args.number_or("after", 0, 0, std::numeric_limits<long long>::max());
    const auto limit = args.number_or("limit", 100, 1, 1'000'000);
    for (const Entry& entry :
         list(db, after, static_cast<std::size_t>(limit), args.get_or("subject", "")))
        std::printf("%lld %s %s %s %s %s\n", static_cast<long long>(entry.seq), entry.at.c_str(),
                    entry.actor.c_str(), entry.action.c_str(), entry.subject.c_str(),
                    entry.detail.c_str());
    return 0;
}

int run_audit(const std::vector<std::string>& argv) {
    if (argv.empty() || (argv[0] != "verify" && argv[0] != "list")) {
        std::fputs(kAuditHelp, stderr);
        return 2;
    }
    const Args args(std::vector<std::string>(argv.begin() + 1, argv.end()),
                    {"data", "after", "limit", "subject"}, {});
    if (!args.positional().empty()) {
        std::fputs(kAuditHelp, stderr);
        return 2;
    }
    return argv[0] == "verify" ? run_verify(args) : run_list(args);
}

} // namespace

const std::vector<CliCommand>& cli_commands() {
    static const std::vector<CliCommand> commands = {
        {"audit", "verify and list the audit log", kAuditHelp, run_audit},
    };
    return commands;
}

} // namespace portscreen::audit
