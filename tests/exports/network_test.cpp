#include "exports/cli.hpp"
#include "exports/document.hpp"
#include "exports/network.hpp"
#include "exports_fixture.hpp"
#include "storage/database.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace portscreen::exports {
namespace {

using Json = nlohmann::json;
using storage::Access;
using storage::Database;
using storage::Statement;
using testing::TempDir;

struct Inspection {
    std::string container;
    std::string inspected_on;
    std::string result; ///< seizure or no_find
    std::string category;
};

/// A port's database with one vessel call at `port` and one outcome per inspection.
void fill_port(const std::filesystem::path& file, const std::string& port,
               const std::vector<Inspection>& inspections) {
    Database db = Database::open(file, Access::writer);
    db.execute("INSERT INTO messages (id, message_id, content_type, content_sha256, source, "
               "received_at, reply_body, payload) "
               "VALUES (1, 'm1', 'application/json', 'abc', 'test', 't', 'ok', x'00')");
    Statement call(db, "INSERT INTO vessel_calls (id, imo, voyage, port_of_call, vessel_name, "
                       "carrier, eta, last_port, created_by, updated_by) "
                       "VALUES (1, '9074729', 'V1', ?1, 'Alpha', 'MSC', '2026-01-10T06:00:00Z', "
                       "'CNSHA', 1, 1)");
    call.bind(1, port);
    call.run();
    Statement container(db, "INSERT INTO containers (id, vessel_call_id, number, size_type, "
                            "load_status, message_row) VALUES (?1, 1, ?2, '42G1', 'full', 1)");
    Statement outcome(db, "INSERT INTO outcomes (container_id, inspected_on, method, result, "
                          "category, description, recorded_by, recorded_at, quantity, unit, "
                          "concealment, detection, place) VALUES (?1, ?2, 'physical', ?3, ?4, "
                          "?5, 'officer.jane', 't', ?6, ?7, ?8, ?9, ?10)");
    for (std::size_t index = 0; index < inspections.size(); ++index) {
        const auto& inspection = inspections[index];
        const bool seizure = inspection.result == "seizure";
        const auto id = static_cast<std::int64_t>(index + 1);
        container.bind(1, id);
        container.bind(2, inspection.container);
        container.run();
        outcome.bind(1, id);
        outcome.bind(2, inspection.inspected_on);
        outcome.bind(3, inspection.result);
        outcome.bind(4, inspection.category);
        outcome.bind(5, seizure ? "found " + inspection.category : std::string());
        if (seizure)
            outcome.bind(6, 2.5);
        else
            outcome.bind_null(6);
        outcome.bind(7, seizure ? "kg" : "");
        outcome.bind(8, seizure ? "false_wall" : "");
        outcome.bind(9, seizure ? "x_ray" : "");
        outcome.bind(10, port);
        outcome.run();
    }
}

/// Copies a port's outcomes into the hub's shared_outcomes, as receiving them would.
void share_outcomes(Database& hub, const std::filesystem::path& port_file,
                    const std::string& origin) {
    Database port = Database::open(port_file, Access::reader);
    Statement read(port, "SELECT c.number, v.port_of_call, o.inspected_on, o.method, o.result, "
                         "o.category, o.description, o.quantity, o.unit, o.concealment, "
                         "o.detection, o.place "
                         "FROM outcomes o JOIN containers c ON c.id = o.container_id "
                         "JOIN vessel_calls v ON v.id = c.vessel_call_id ORDER BY c.id");
    Statement write(hub, "INSERT INTO shared_outcomes (message_id, origin, container, "
                         "port_of_call, inspected_on, method, result, category, description, "
                         "quantity, unit, concealment, detection, place, body) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
                         "'{}')");
    int seq = 0;
    while (read.step()) {
        write.bind(1, origin + ":" + std::to_string(++seq));
        write.bind(2, origin);
        for (int column = 0; column < 12; ++column) {
            if (read.column_is_null(column))
                write.bind_null(column + 3);
            else if (column == 7)
                write.bind(column + 3, read.column_double(column));
            else
                write.bind(column + 3, read.column_text(column));
        }
        write.run();
    }
}

/// The totals of a port's own `outcomes` export: rows, no-finds, seizures, seizures by category.
struct Totals {
    std::int64_t outcomes = 0;
    std::int64_t no_finds = 0;
    std::int64_t seizures = 0;
    std::map<std::string, std::int64_t> by_category;
};

Totals totals_of_own_export(const std::filesystem::path& file, const Period& period) {
    Database db = Database::open(file, Access::reader);
    const auto document = export_document(db, What::outcomes, Format::json, period);
    Totals totals;
    for (const auto& row : Json::parse(document.bytes)) {
        ++totals.outcomes;
        if (row["result"] == "seizure") {
            ++totals.seizures;
            ++totals.by_category[row["category"].get<std::string>()];
        } else {
            ++totals.no_finds;
        }
    }
    return totals;
}

class NetworkExportsTest : public ::testing::Test {
protected:
    void SetUp() override {
        // Two ports; each has one outcome outside January to check the period.
        fill_port(antwerp(), "BEANR",
                  {{"MSCU1000001", "2026-01-11", "seizure", "drugs"},
                   {"MSCU1000002", "2026-01-12", "no_find", ""},
                   {"MSCU1000003", "2026-01-12", "seizure", "tobacco"},
                   {"MSCU1000004", "2026-01-20", "seizure", "drugs"},
                   {"MSCU1000005", "2026-02-02", "seizure", "cites"}});
        fill_port(rotterdam(), "NLRTM",
                  {{"MSKU2000001", "2026-01-05", "no_find", ""},
                   {"MSKU2000002", "2026-01-06", "no_find", ""},
                   {"MSKU2000003", "2026-01-31", "seizure", "weapons"},
                   {"MSKU2000004", "2025-12-31", "seizure", "drugs"}});
        // The hub inspects too: one outcome of its own.
        fill_port(hub(), "NLAMS", {{"TGHU3000001", "2026-01-15", "no_find", ""}});
        Database db = Database::open(hub(), Access::writer);
        share_outcomes(db, antwerp(), "BEANR-PCU");
        share_outcomes(db, rotterdam(), "NLRTM-PCU");
    }

    std::filesystem::path antwerp() const { return dir_.file("antwerp.db"); }
    std::filesystem::path rotterdam() const { return dir_.file("rotterdam.db"); }
    std::filesystem::path hub() const { return dir_.file("hub.db"); }

    TempDir dir_;
};

const Period kJanuary{"2026-01-01", "2026-01-31"};

TEST_F(NetworkExportsTest, HubTotalsPerUnitEqualEachPortsOwnExport) {
    Database db = Database::open(hub(), Access::reader);
    const auto units = network_statistics(db, kJanuary, "NL-HUB");
    ASSERT_EQ(units.size(), 3U);
    EXPECT_EQ(units[0].unit, "NL-HUB");
    EXPECT_TRUE(units[0].own);
    EXPECT_EQ(units[1].unit, "BEANR-PCU");
    EXPECT_EQ(units[2].unit, "NLRTM-PCU");

    const std::map<std::string, std::filesystem::path> ports = {
        {"NL-HUB", hub()}, {"BEANR-PCU", antwerp()}, {"NLRTM-PCU", rotterdam()}};
    for (const auto& unit : units) {
        SCOPED_TRACE(unit.unit);
        const Totals own = totals_of_own_export(ports.at(unit.unit), kJanuary);
        EXPECT_EQ(unit.outcomes, own.outcomes);
        EXPECT_EQ(unit.no_finds, own.no_finds);
        EXPECT_EQ(unit.seizures, own.seizures);
        const std::map<std::string, std::int64_t> by_category(unit.seizures_by_category.begin(),
                                                              unit.seizures_by_category.end());
        EXPECT_EQ(by_category, own.by_category);
    }
    // The figures themselves, so that two empty exports could not agree by accident.
    EXPECT_EQ(units[1].outcomes, 4);
    EXPECT_EQ(units[1].seizures, 3);
    EXPECT_EQ(units[1].seizures_by_category,
              (std::vector<std::pair<std::string, std::int64_t>>{{"drugs", 2}, {"tobacco", 1}}));
    EXPECT_EQ(units[2].outcomes, 3);
    EXPECT_EQ(units[2].no_finds, 2);
    EXPECT_EQ(units[0].outcomes, 1);
}

TEST_F(NetworkExportsTest, StatisticsDocumentsPerUnit) {
    Database db = Database::open(hub(), Access::reader);
    const Scope scope{true, "NL-HUB"};
    const auto json = export_document(db, What::statistics, Format::json, kJanuary, scope);
    EXPECT_EQ(json.filename, "portscreen-statistics-network-2026-01-01-2026-01-31.json");
    const auto object = Json::parse(json.bytes);
    ASSERT_EQ(object["units"].size(), 3U);
    EXPECT_EQ(object["units"][1]["unit"], "BEANR-PCU");
    EXPECT_EQ(object["units"][1]["seizures_by_category"][0]["category"], "drugs");
    EXPECT_EQ(object["units"][1]["seizures_by_category"][0]["seizures"], 2);
    EXPECT_EQ(object["totals"]["outcomes"], 8);
    EXPECT_EQ(object["totals"]["seizures"], 4);

    const auto csv = export_document(db, What::statistics, Format::csv, kJanuary, scope);
    EXPECT_NE(csv.bytes.find("units\r\nunit,outcomes,no_finds,seizures\r\nNL-HUB,1,1,0\r\n"
                             "BEANR-PCU,4,1,3\r\nNLRTM-PCU,3,2,1\r\n"),
              std::string::npos)
        << csv.bytes;
    EXPECT_NE(csv.bytes.find("seizures_by_category\r\nunit,category,seizures\r\n"
                             "BEANR-PCU,drugs,2\r\nBEANR-PCU,tobacco,1\r\nNLRTM-PCU,weapons,1"),
              std::string::npos)
        << csv.bytes;

    // The node's own export is unchanged by received outcomes.
    const auto own =
        Json::parse(export_document(db, What::statistics, Format::json, kJanuary).bytes);
    EXPECT_EQ(own["inspected"], 1);
    EXPECT_FALSE(own.contains("units"));
}

TEST_F(NetworkExportsTest, OutcomesListOwnRowsFirstUnderTheUnitName) {
    Database db = Database::open(hub(), Access::reader);
    const Table table = network_outcomes(db, kJanuary, "");
    ASSERT_EQ(table.columns.front(), "unit");
    ASSERT_EQ(table.rows.size(), 8U);
    const auto text = [&](std::size_t row, std::size_t column) {
        return std::get<std::string>(table.rows[row][column]);
    };
    EXPECT_EQ(text(0, 0), "this node");
    EXPECT_EQ(text(0, 2), "TGHU3000001");
    EXPECT_EQ(text(0, 3), "NLAMS");
    EXPECT_EQ(text(1, 0), "BEANR-PCU");
    EXPECT_EQ(text(1, 1), "2026-01-11");
    EXPECT_EQ(text(1, 5), "seizure");
    EXPECT_DOUBLE_EQ(std::get<double>(table.rows[1][8]), 2.5);
    EXPECT_EQ(text(1, 9), "kg");
    EXPECT_TRUE(std::holds_alternative<std::monostate>(table.rows[2][8])); // a no-find
    EXPECT_EQ(text(7, 0), "NLRTM-PCU");
    EXPECT_EQ(text(7, 2), "MSKU2000003");
    for (const auto& row : table.rows) {
        for (const auto& cell : row) {
            const auto* value = std::get_if<std::string>(&cell);
            EXPECT_TRUE(value == nullptr || value->find("officer") == std::string::npos);
        }
    }
}

TEST_F(NetworkExportsTest, NodeWithoutReceivedOutcomesShowsOnlyItself) {
    Database db = Database::open(antwerp(), Access::reader);
    const auto units = network_statistics(db, kJanuary, "");
    ASSERT_EQ(units.size(), 1U);
    EXPECT_EQ(units[0].unit, "this node");
    EXPECT_EQ(units[0].outcomes, 4);
    const auto empty = network_statistics(db, Period{"2027-01-01", "2027-01-31"}, "BEANR-PCU");
    ASSERT_EQ(empty.size(), 1U);
    EXPECT_EQ(empty[0].unit, "BEANR-PCU");
    EXPECT_EQ(empty[0].outcomes, 0);
}

TEST_F(NetworkExportsTest, NetworkViewOnlyForOutcomesAndStatistics) {
    Database db = Database::open(hub(), Access::reader);
    const Scope scope{true, "NL-HUB"};
    EXPECT_THROW(export_document(db, What::seizures, Format::csv, kJanuary, scope),
                 std::invalid_argument);
    EXPECT_THROW(export_document(db, What::selections, Format::csv, kJanuary, scope),
                 std::invalid_argument);
}

TEST_F(NetworkExportsTest, CommandTakesTheUnitNameFromTheLookup) {
    const auto data = dir_.file("hub-data");
    std::filesystem::create_directories(data);
    std::filesystem::copy_file(hub(), data / "portscreen.db");
    const auto out = dir_.file("network.csv");
    const std::vector<std::string> argv = {
        "--data",     data.string(), "--what", "outcomes", "--from",     "2026-01-01", "--to",
        "2026-01-31", "--format",    "csv",    "--out",    out.string(), "--network"};
    std::filesystem::path asked;
    EXPECT_EQ(run_export(argv,
                         [&](const std::filesystem::path& dir) {
                             asked = dir;
                             return std::string("NL-HUB");
                         }),
              0);
    EXPECT_EQ(asked, data);
    const auto read = [&] {
        std::ifstream in(out, std::ios::binary);
        std::ostringstream bytes;
        bytes << in.rdbuf();
        return bytes.str();
    };
    EXPECT_EQ(read().substr(0, 30), "unit,inspected_on,container_nu");
    EXPECT_NE(read().find("\r\nNL-HUB,2026-01-15,TGHU3000001,NLAMS,"), std::string::npos) << read();

    // Without a lookup (the command as cli_commands() lists it) the own rows are "this node".
    EXPECT_EQ(cli_commands()[0].run(argv), 0);
    EXPECT_NE(read().find("\r\nthis node,2026-01-15,TGHU3000001,"), std::string::npos) << read();

    std::vector<std::string> seizures = argv;
    seizures[3] = "seizures";
    EXPECT_THROW(run_export(seizures, {}), std::invalid_argument);
}

} // namespace
} // namespace portscreen::exports
