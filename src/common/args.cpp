#include "common/args.hpp"

#include <cstdio>

namespace portscreen {

Args::Args(const std::vector<std::string>& argv, const std::set<std::string>& options_with_value,
           const std::set<std::string>& flags) {
    for (std::size_t idx = 0; idx < argv.size(); ++idx) {
        const std::string& arg = argv[idx];
        if (arg.size() < 3 || !arg.starts_with("--")) {
            positional_.push_back(arg);
            continue;
        }
        std::string name = arg.substr(2);
        std::optional<std::string> inline_value;
        if (const auto eq = name.find('='); eq != std::string::npos) {
            inline_value = name.substr(eq + 1);
            name.resize(eq);
        }
        if (flags.contains(name) && !inline_value) {
            flags_.insert(name);
        } else if (options_with_value.contains(name)) {
            if (inline_value) {
                values_[name] = *inline_value;
            } else if (idx + 1 < argv.size()) {
                values_[name] = argv[++idx];
            } else {
                throw std::invalid_argument("option --" + name + " needs a value");
            }
        } else {
            throw std::invalid_argument("unknown option --" + name);
        }
    }
}

std::optional<std::string> Args::get(const std::string& name) const {
    const auto found = values_.find(name);
    if (found == values_.end())
        return std::nullopt;
    return found->second;
}

std::string Args::get_or(const std::string& name, const std::string& fallback) const {
    return get(name).value_or(fallback);
}

long long Args::number_or(const std::string& name, long long fallback, long long min,
                          long long max) const {
    const auto text = get(name);
    if (!text)
        return fallback;
    std::size_t used = 0;
    long long value = 0;
    try {
        value = std::stoll(*text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text->size() || value < min || value > max)
        throw std::invalid_argument("option --" + name + " must be a whole number from " +
                                    std::to_string(min) + " to " + std::to_string(max) + ", got '" +
                                    *text + "'");
    return value;
}

int run_subcommand(const std::vector<std::string>& argv, std::string_view name, const char* help,
                   const std::function<int(const std::vector<std::string>&)>& run) {
    if (argv.empty() || argv[0] != name) {
        std::fputs(help, stderr);
        return 2;
    }
    return run(std::vector<std::string>(argv.begin() + 1, argv.end()));
}

} // namespace portscreen
