#include "exports/document.hpp"

#include "exports/network.hpp"
#include "exports/statistics.hpp"
#include "exports/writers.hpp"

#include <stdexcept>

namespace portscreen::exports {

std::optional<What> parse_what(std::string_view text) {
    for (const auto what : {What::selections, What::outcomes, What::seizures, What::statistics}) {
        if (to_string(what) == text)
            return what;
    }
    return std::nullopt;
}

std::optional<Format> parse_format(std::string_view text) {
    for (const auto format : {Format::csv, Format::xlsx, Format::json}) {
        if (to_string(format) == text)
            return format;
    }
    return std::nullopt;
}

std::string_view to_string(What what) {
    switch (what) {
    case What::selections: return "selections";
    case What::outcomes: return "outcomes";
    case What::seizures: return "seizures";
    case What::statistics: return "statistics";
    }
    return "?";
}

std::string_view to_string(Format format) {
    switch (format) {
    case Format::csv: return "csv";
    case Format::xlsx: return "xlsx";
    case Format::json: return "json";
    }
    return "?";
}

Document export_document(storage::Database& db, What what, Format format, const Period& period,
                         const Scope& scope) {
    if (scope.network && what != What::outcomes && what != What::statistics)
        throw std::invalid_argument(std::string("the network view is for outcomes and "
                                                "statistics, not ")
                                        .append(to_string(what)));
    Document document;
    document.filename = std::string("portscreen-")
                            .append(to_string(what))
                            .append(scope.network ? "-network-" : "-")
                            .append(period.from)
                            .append("-")
                            .append(period.to)
                            .append(".")
                            .append(to_string(format));
    switch (format) {
    case Format::csv: document.content_type = "text/csv; charset=utf-8"; break;
    case Format::xlsx:
        document.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        break;
    case Format::json: document.content_type = "application/json"; break;
    }

    std::vector<Table> tables;
    if (scope.network && what == What::statistics) {
        const auto units = network_statistics(db, period, scope.own_unit);
        if (format == Format::json) {
            document.bytes = network_statistics_json(period, units);
            return document;
        }
        tables = network_statistics_tables(units);
    } else if (scope.network) {
        tables.push_back(network_outcomes(db, period, scope.own_unit));
    } else if (what == What::statistics) {
        const auto stats = statistics(db, period);
        if (format == Format::json) {
            document.bytes = statistics_json(stats);
            return document;
        }
        tables = statistics_tables(stats);
    } else {
        tables.push_back(what == What::selections ? selections(db, period)
                         : what == What::outcomes ? outcomes(db, period)
                                                  : seizure_report(db, period));
    }
    switch (format) {
    case Format::csv:
        document.bytes = what == What::statistics ? to_csv(tables) : to_csv(tables.front());
        break;
    case Format::xlsx: document.bytes = to_xlsx(tables); break;
    case Format::json: document.bytes = to_json(tables.front()); break;
    }
    return document;
}

} // namespace portscreen::exports
