#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace portscreen {

/// A command line of one subcommand: `--name value` options, `--flag` switches and positional
/// arguments. Anything not declared is an error that names it.
class Args {
public:
    /// Throws std::invalid_argument for unknown options or a missing value.
    Args(const std::vector<std::string>& argv, const std::set<std::string>& options_with_value,
         const std::set<std::string>& flags);

    std::optional<std::string> get(const std::string& name) const;
    std::string get_or(const std::string& name, const std::string& fallback) const;
    /// The option as a whole number in [min, max]; throws std::invalid_argument naming it.
    long long number_or(const std::string& name, long long fallback, long long min,
                        long long max) const;
    bool flag(const std::string& name) const { return flags_.contains(name); }
    const std::vector<std::string>& positional() const { return positional_; }

private:
    std::map<std::string, std::string> values_;
    std::set<std::string> flags_;
    std::vector<std::string> positional_;
};

/// For a command with one subcommand (`portscreen bench ingest ...`): runs `run` with the
/// arguments after `name` when argv starts with it; otherwise prints `help` to stderr and
/// returns 2.
int run_subcommand(const std::vector<std::string>& argv, std::string_view name, const char* help,
                   const std::function<int(const std::vector<std::string>&)>& run);

} // namespace portscreen
