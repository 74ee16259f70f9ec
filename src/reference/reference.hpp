#pragma once

#include "core/validation.hpp"

#include <filesystem>
#include <string>
#include <vector>

/// Reference code lists read from files: ISO 3166 from Debian's iso-codes JSON and the HS 2022
/// nomenclature CSV shipped in third_party/. Errors name the file and the line.
namespace portscreen::reference {

struct HsEntry {
    std::string code; ///< 2, 4 or 6 digits
    std::string description;
    std::string section; ///< Roman numeral I-XXI
    int level = 0;       ///< 2 chapter, 4 heading, 6 subheading
};

/// Default locations: Debian's iso-codes package and the copy in the source tree.
std::filesystem::path default_iso3166_path();
std::filesystem::path default_hs_nomenclature_path();

/// Alpha-2 codes of ISO 3166-1. Throws std::runtime_error naming the file on failure.
std::vector<std::string> load_iso3166_alpha2(const std::filesystem::path& json_file);

/// Every row of the HS nomenclature CSV (section,hscode,description,parent,level).
std::vector<HsEntry> load_hs_nomenclature(const std::filesystem::path& csv_file);

/// Both lists, ready for the validator.
core::ReferenceData load_reference_data(const std::filesystem::path& iso3166_json,
                                        const std::filesystem::path& hs_csv);

} // namespace portscreen::reference
