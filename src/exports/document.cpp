#include "exports/document.hpp"

#include "exports/statistics.hpp"
#include "exports/writers.hpp"

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

Document export_document(storage::Database& db, What what, Format format, const Period& period) {
    Document document;
    document.filename = std::string("portscreen-")
                            .append(to_string(what))
                            .append("-")
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
    if (what == What::statistics) {
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
