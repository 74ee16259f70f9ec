#include "eval/kcs_data.hpp"

#include "common/csv.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace portscreen::eval {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr std::size_t kMaxReportedErrors = 20;

/// The columns a row needs, by their header names.
enum class Column : std::size_t {
    id,
    date,
    office,
    process_type,
    import_type,
    import_use,
    payment_type,
    transport_mode,
    declarant,
    importer,
    seller,
    courier,
    hs6,
    country_departure,
    country_origin,
    tax_rate,
    tax_type,
    origin_indicator,
    net_mass,
    item_price,
    fraud,
    critical_fraud,
    count
};

constexpr std::array<std::string_view, static_cast<std::size_t>(Column::count)> kColumnNames = {
    "Declaration ID",
    "Date",
    "Office ID",
    "Process Type",
    "Import Type",
    "Import Use",
    "Payment Type",
    "Mode of Transport",
    "Declarant ID",
    "Importer ID",
    "Seller ID",
    "Courier ID",
    "HS6 Code",
    "Country of Departure",
    "Country of Origin",
    "Tax Rate",
    "Tax Type",
    "Country of Origin Indicator",
    "Net Mass",
    "Item Price",
    "Fraud",
    "Critical Fraud",
};

bool parse_number(std::string_view text, double& out) {
    if (text.empty())
        return false;
    // std::from_chars for double is locale-independent and exact.
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    return error == std::errc() && end == text.data() + text.size() && std::isfinite(out);
}

} // namespace

std::vector<KcsRow> parse_kcs_csv(std::string_view text, const std::string& source) {
    if (text.starts_with(kBom))
        text.remove_prefix(kBom.size());
    std::vector<KcsRow> rows;
    std::vector<std::string> errors;
    std::array<std::size_t, static_cast<std::size_t>(Column::count)> index{};
    std::size_t header_fields = 0;
    std::size_t line_number = 0;
    bool have_header = false;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos)
            end = text.size();
        std::string_view line = text.substr(start, end - start);
        start = end + 1;
        ++line_number;
        if (line.ends_with('\r'))
            line.remove_suffix(1);
        if (line.empty())
            continue;
        const auto fields = split_csv_record(line);
        const auto where = source + ":" + std::to_string(line_number) + ": ";
        if (!have_header) {
            std::map<std::string, std::size_t, std::less<>> by_name;
            for (std::size_t idx = 0; idx < fields.size(); ++idx)
                by_name[fields[idx]] = idx;
            std::string missing;
            for (std::size_t col = 0; col < kColumnNames.size(); ++col) {
                const auto found = by_name.find(kColumnNames[col]);
                if (found == by_name.end())
                    missing += (missing.empty() ? "" : ", ") + std::string(kColumnNames[col]);
                else
                    index[col] = found->second;
            }
            if (!missing.empty())
                throw std::runtime_error(where + "header lacks column(s) " + missing);
            header_fields = fields.size();
            have_header = true;
            continue;
        }
        if (fields.size() != header_fields) {
            errors.push_back(where + std::to_string(fields.size()) + " fields, header has " +
                             std::to_string(header_fields));
            continue;
        }
        const auto field = [&](Column col) { return fields[index[static_cast<std::size_t>(col)]]; };
        const auto text_of = [&](Column col) { return field(col); };
        KcsRow row;
        auto& d = row.declaration;
        d.id = text_of(Column::id);
        d.date = text_of(Column::date);
        d.office = text_of(Column::office);
        d.process_type = text_of(Column::process_type);
        d.import_type = text_of(Column::import_type);
        d.import_use = text_of(Column::import_use);
        d.payment_type = text_of(Column::payment_type);
        d.transport_mode = text_of(Column::transport_mode);
        d.declarant = text_of(Column::declarant);
        d.importer = text_of(Column::importer);
        d.seller = text_of(Column::seller);
        d.courier = text_of(Column::courier);
        d.hs6 = text_of(Column::hs6);
        d.country_departure = text_of(Column::country_departure);
        d.country_origin = text_of(Column::country_origin);
        d.tax_type = text_of(Column::tax_type);
        d.origin_indicator = text_of(Column::origin_indicator);
        std::string problem;
        const auto number = [&](Column col, double& out) {
            if (!parse_number(field(col), out))
                problem += (problem.empty() ? "" : "; ") +
                           std::string(kColumnNames[static_cast<std::size_t>(col)]) + " '" +
                           std::string(field(col)) + "' is not a number";
        };
        number(Column::tax_rate, d.tax_rate);
        number(Column::net_mass, d.net_mass);
        number(Column::item_price, d.item_price);
        double fraud = 0;
        double critical = 0;
        number(Column::fraud, fraud);
        number(Column::critical_fraud, critical);
        if (problem.empty()) {
            if (fraud != 0 && fraud != 1)
                problem = "Fraud " + text_of(Column::fraud) + " is not 0 or 1";
            else if (critical != 0 && critical != 1 && critical != 2)
                problem = "Critical Fraud " + text_of(Column::critical_fraud) + " is not 0, 1 or 2";
            else if ((fraud == 0) != (critical == 0))
                problem = "Fraud " + text_of(Column::fraud) + " disagrees with Critical Fraud " +
                          text_of(Column::critical_fraud);
        }
        if (!problem.empty()) {
            errors.push_back(where + problem);
            continue;
        }
        row.outcome = critical == 2   ? profiling::Outcome::critical
                      : critical == 1 ? profiling::Outcome::violation
                                      : profiling::Outcome::clean;
        rows.push_back(std::move(row));
    }
    if (!have_header)
        throw std::runtime_error(source + ": no header row");
    if (!errors.empty()) {
        std::string message = std::to_string(errors.size()) + " malformed line(s): ";
        for (std::size_t idx = 0; idx < errors.size() && idx < kMaxReportedErrors; ++idx)
            message += (idx == 0 ? "" : "\n") + errors[idx];
        throw std::runtime_error(message);
    }
    return rows;
}

std::vector<KcsRow> read_kcs_csv(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw std::runtime_error(file.string() + ": cannot open");
    std::ostringstream content;
    content << in.rdbuf();
    if (in.bad())
        throw std::runtime_error(file.string() + ": read failed");
    return parse_kcs_csv(content.str(), file.string());
}

} // namespace portscreen::eval
