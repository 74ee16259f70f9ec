#pragma once

#include "declaration_features.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

/// Evaluation of risk models on public labelled data.
namespace portscreen::eval {

/// One labelled row of the KCS synthetic import declarations (Jeong et al. 2022).
struct KcsRow {
    profiling::Declaration declaration;
    profiling::Outcome outcome = profiling::Outcome::clean;
};

/// Parses a KCS CSV file's text (optional UTF-8 BOM, a header row, comma-separated, no quoting).
/// Columns are found by their header names, in any order. `source` names the file in errors,
/// which are std::runtime_error "source:line: what is wrong"; every malformed line is listed.
std::vector<KcsRow> parse_kcs_csv(std::string_view text, const std::string& source);

/// Reads and parses one KCS CSV file; throws std::runtime_error naming the file.
std::vector<KcsRow> read_kcs_csv(const std::filesystem::path& file);

} // namespace portscreen::eval
