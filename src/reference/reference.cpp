#include "reference/reference.hpp"

#include "common/csv.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace portscreen::reference {
namespace {

std::ifstream open_or_throw(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot open " + file.string());
    return in;
}

} // namespace

std::filesystem::path default_iso3166_path() {
    return "/usr/share/iso-codes/json/iso_3166-1.json";
}

std::filesystem::path default_hs_nomenclature_path() {
    return std::filesystem::path(PORTSCREEN_SOURCE_DIR) / "third_party" / "hs-nomenclature" /
           "harmonized-system.csv";
}

std::vector<std::string> load_iso3166_alpha2(const std::filesystem::path& json_file) {
    auto in = open_or_throw(json_file);
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(json_file.string() + ": " + e.what());
    }
    const auto countries = doc.find("3166-1");
    if (countries == doc.end() || !countries->is_array())
        throw std::runtime_error(json_file.string() + ": no \"3166-1\" array");
    std::vector<std::string> codes;
    for (const auto& entry : *countries) {
        const auto code = entry.find("alpha_2");
        if (code != entry.end() && code->is_string())
            codes.push_back(code->get<std::string>());
    }
    if (codes.empty())
        throw std::runtime_error(json_file.string() + ": no alpha_2 codes");
    return codes;
}

std::vector<HsEntry> load_hs_nomenclature(const std::filesystem::path& csv_file) {
    auto in = open_or_throw(csv_file);
    std::string line;
    std::getline(in, line);
    if (line.rfind("section,hscode,description,parent,level", 0) != 0)
        throw std::runtime_error(csv_file.string() + ":1: unexpected header '" + line + "'");
    std::vector<HsEntry> entries;
    std::size_t line_number = 1;
    while (std::getline(in, line)) {
        ++line_number;
        if (line.empty())
            continue;
        auto fields = split_csv_record(line);
        if (fields.size() != 5)
            throw std::runtime_error(csv_file.string() + ":" + std::to_string(line_number) +
                                     ": expected 5 fields, found " + std::to_string(fields.size()));
        HsEntry entry;
        entry.section = std::move(fields[0]);
        entry.code = std::move(fields[1]);
        entry.description = std::move(fields[2]);
        try {
            entry.level = std::stoi(fields[4]);
        } catch (const std::exception&) {
            throw std::runtime_error(csv_file.string() + ":" + std::to_string(line_number) +
                                     ": level '" + fields[4] + "' is not a number");
        }
        entries.push_back(std::move(entry));
    }
    return entries;
}

core::ReferenceData load_reference_data(const std::filesystem::path& iso3166_json,
                                        const std::filesystem::path& hs_csv) {
    core::ReferenceData data;
    for (auto& code : load_iso3166_alpha2(iso3166_json))
        data.countries.insert(std::move(code));
    for (auto& entry : load_hs_nomenclature(hs_csv)) {
        if (entry.level == 6)
            data.hs_subheadings.insert(std::move(entry.code));
    }
    return data;
}

} // namespace portscreen::reference
