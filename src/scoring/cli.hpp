#pragma once

#include <string>
#include <vector>

/// The profiling commands of `portscreen`: rule sets, watchlists, models, scores, the day's
/// selection and inspection outcomes, each working on a node's data folder.
namespace portscreen::scoring {

struct CliCommand {
    const char* name;
    const char* summary;
    const char* help;
    int (*run)(const std::vector<std::string>& argv);
};

/// rules, watchlist, model, score, select, outcomes.
const std::vector<CliCommand>& cli_commands();

} // namespace portscreen::scoring
