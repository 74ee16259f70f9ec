#include "exports/cli.hpp"
#include "exports/document.hpp"
#include "exports/exports.hpp"
#include "exports/statistics.hpp"
#include "exports/writers.hpp"
#include "exports_fixture.hpp"
#include "scoring/selection_store.hpp"
#include "storage/database.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace portscreen::exports {
namespace {

using storage::Access;
using storage::Database;
using testing::TempDir;

std::string number(int serial) {
    return "MSCU10000" + std::string(serial < 10 ? "0" : "") + std::to_string(serial);
}

/// Four vessel calls (10 and 20 January, 5 February, 15 March 2026) with ten containers:
///
/// | id | call | selected (day, source, lane) | outcome (day, result, category) | rule factors |
/// |----|------|------------------------------|---------------------------------|--------------|
/// | 1  | 1    | 01-10 rule red               | 01-11 seizure drugs             | R1 R1 R2     |
/// | 2  | 1    | 01-10 random yellow          | 01-12 seizure tobacco           | R2           |
/// | 3  | 1    | 01-10 model yellow           | 01-12 no_find                   | R2           |
/// | 4  | 1    | —                            | —                               | R1 R2        |
/// | 5  | 2    | 01-20 rule yellow            | 01-21 no_find                   | R1 R2        |
/// | 6  | 2    | manual red (workflow only)   | 01-22 seizure drugs             | R3           |
/// | 7  | 2    | 01-20 random yellow          | 01-21 no_find                   | R2           |
/// | 8  | 3    | 02-05 watchlist red          | 02-06 seizure drugs             | R1           |
/// | 9  | 3    | — (not scored)               | —                               | —            |
/// | 10 | 4    | 03-15 rule red               | 03-16 seizure cites             | R1           |
class ExportsTest : public ::testing::Test {
protected:
    void SetUp() override {
        Database db = Database::open(path(), Access::writer);
        db.execute(
            "INSERT INTO messages (id, message_id, content_type, content_sha256, source, "
            "received_at, reply_body, payload) "
            "VALUES (1, 'm1', 'application/json', 'abc', 'test', 't', 'ok', x'00');"
            "INSERT INTO vessel_calls (id, imo, voyage, port_of_call, vessel_name, carrier, eta, "
            "last_port, created_by, updated_by) VALUES "
            "(1, '9074729', 'V1', 'KEMBA', 'Alpha', 'MSC', '2026-01-10T06:00:00Z', 'CNSHA', 1, 1),"
            "(2, '9074729', 'V2', 'KEMBA', 'Beta', 'MSC', '2026-01-20T08:00:00Z', 'CNSHA', 1, 1),"
            "(3, '9074729', 'V3', 'KEMBA', 'Gamma', 'MSC', '2026-02-05T10:00:00Z', '', 1, 1),"
            "(4, '9074729', 'V4', 'KEMBA', 'Delta', 'MSC', '2026-03-15T00:00:00Z', '', 1, 1);"
            "INSERT INTO parties (id, party_key, name, country, identifier, address, city, "
            "postcode, first_seen, last_seen, times_seen) VALUES "
            "(1, 'CN|ACME SECRET LTD', 'ACME SECRET LTD', 'CN', '', '', '', '', '', '', 1);");
        storage::Statement container(
            db, "INSERT INTO containers (id, vessel_call_id, number, size_type, load_status, "
                "message_row) VALUES (?1, ?2, ?3, '42G1', 'full', 1)");
        const int calls[] = {1, 1, 1, 1, 2, 2, 2, 3, 3, 4};
        for (int id = 1; id <= 10; ++id) {
            container.bind(1, id);
            container.bind(2, calls[id - 1]);
            container.bind(3, number(id));
            container.run();
        }
        storage::Statement score(
            db, "INSERT INTO scores (container_id, score, main_source, factors, features, "
                "generation, basis, scored_at) VALUES (?1, ?2, 'rule', ?3, x'', 1, 1, 't')");
        const auto rule = [](const std::string& id) {
            return nlohmann::json{{"kind", "rule"}, {"id", id}, {"points", 10}, {"text", id}};
        };
        const nlohmann::json model = {
            {"kind", "model"}, {"id", "R2"}, {"points", 3}, {"text", "model says so"}};
        const nlohmann::json watch = {
            {"kind", "watchlist"}, {"id", "W1"}, {"points", 50}, {"text", "listed"}};
        using Array = nlohmann::json::array_t;
        const std::vector<std::pair<int, Array>> scores = {
            {1, {rule("R1"), rule("R1"), rule("R2"), model}},
            {2, {rule("R2")}},
            {3, {rule("R2"), model}},
            {4, {rule("R1"), rule("R2")}},
            {5, {rule("R1"), rule("R2")}},
            {6, {rule("R3")}},
            {7, {rule("R2")}},
            {8, {watch, rule("R1")}},
            {10, {rule("R1")}}};
        for (const auto& [id, factors] : scores) {
            score.bind(1, id);
            score.bind(2, 10.0 * id);
            score.bind(3, nlohmann::json(factors).dump());
            score.run();
        }
        db.execute(
            "INSERT INTO selections (container_id, day, lane, source, random, reason, score, "
            "decided_by, decided_at) VALUES "
            "(1, '2026-01-10', 'red', 'rule', 0, 'rule R1, R2', 10, 'node', '2026-01-09T20:00Z'),"
            "(2, '2026-01-10', 'yellow', 'random', 1, 'random exploration (5% share)', 20, "
            " 'node', '2026-01-09T20:00Z'),"
            "(3, '2026-01-10', 'yellow', 'model', 0, 'model', 30, 'node', '2026-01-09T20:00Z'),"
            "(5, '2026-01-20', 'yellow', 'rule', 0, 'rule R1', 50, 'node', '2026-01-19T20:00Z'),"
            "(7, '2026-01-20', 'yellow', 'random', 1, 'random exploration (5% share)', 70, "
            " 'node', '2026-01-19T20:00Z'),"
            "(8, '2026-02-05', 'red', 'watchlist', 0, '=HYPERLINK(\"x\")', 80, 'node', "
            " '2026-02-04T20:00Z'),"
            "(10, '2026-03-15', 'red', 'rule', 0, 'rule R1', 100, 'node', '2026-03-14T20:00Z');"
            "INSERT INTO selection_days (day, candidates, targeted, pool, random_picks, policy, "
            "decided_at) VALUES ('2026-01-10', 4, 2, 2, 1, '{}', 't'),"
            "('2026-01-20', 3, 1, 2, 1, '{}', 't'), ('2026-02-05', 1, 1, 0, 0, '{}', 't'),"
            "('2026-03-15', 1, 1, 0, 0, '{}', 't');"
            "INSERT INTO workflow (container_id, state, lane, source, reason, updated_by, "
            "updated_at) VALUES "
            "(1, 'exam_ordered', 'red', 'rule', 'rule R1, R2', 'officer.b', '2026-01-10T09:00Z'),"
            "(6, 'closed', 'red', 'manual', 'tip-off', 'officer.b', '2026-01-22T10:00Z');"
            "INSERT INTO workflow_transitions (container_id, from_state, to_state, action, actor, "
            "reason, detail, at) VALUES "
            "(6, 'scored', 'selected', 'select', 'officer.a', 'tip-off', '{}', "
            " '2026-01-20T09:00Z'),"
            "(6, 'exam_ordered', 'closed', 'record_outcome', 'officer.b', '', '{}', "
            " '2026-01-22T10:00Z');"
            "INSERT INTO outcomes (container_id, inspected_on, method, result, category, "
            "description, recorded_by, recorded_at, quantity, unit, concealment, detection, "
            "place) VALUES "
            "(1, '2026-01-11', 'physical', 'seizure', 'drugs', 'cocaine, in bricks', "
            " 'officer.jane', '2026-01-11T15:00Z', 12.5, 'kg', 'false_wall', 'x_ray', 'KEMBA'),"
            "(2, '2026-01-12', 'physical', 'seizure', 'tobacco', 'cigarettes', 'officer.jane', "
            " '2026-01-12T15:00Z', 200000, 'sticks', 'inside_goods', 'random', 'KEMBA'),"
            "(3, '2026-01-12', 'scan', 'no_find', '', '', 'officer.jane', '2026-01-12T16:00Z', "
            " NULL, '', '', '', ''),"
            "(5, '2026-01-21', 'scan', 'no_find', '', '', 'officer.jane', '2026-01-21T16:00Z', "
            " NULL, '', '', '', ''),"
            "(6, '2026-01-22', 'physical', 'seizure', 'drugs', 'heroin', 'officer.b', "
            " '2026-01-22T10:00Z', 3, 'kg', 'false_floor', 'intelligence', 'KEMBA'),"
            "(7, '2026-01-21', 'scan', 'no_find', '', '', 'officer.jane', '2026-01-21T17:00Z', "
            " NULL, '', '', '', ''),"
            "(8, '2026-02-06', 'physical', 'seizure', 'drugs', 'cannabis', 'officer.jane', "
            " '2026-02-06T15:00Z', 40, 'kg', 'natural_cargo', 'dog', 'KEMBA'),"
            "(10, '2026-03-16', 'physical', 'seizure', 'cites', 'ivory', 'officer.jane', "
            " '2026-03-16T15:00Z', 5, 'pieces', 'machinery', 'x_ray', 'KEMBA');"
            "INSERT INTO consignments (id, vessel_call_id, master_bl, house_bl, shipper_id, "
            "place_of_receipt, port_of_loading, transshipment_ports, port_of_discharge, "
            "place_of_delivery, status, revision, message_row) VALUES "
            "(1, 1, 'MBL1', '', 1, 'CNSHA', 'CNSHA', 'SGSIN,LKCMB', 'KEMBA', 'KENBO', 'active', "
            " 1, 1),"
            "(2, 1, 'MBL2', '', NULL, 'CNNGB', 'CNNGB', 'SGSIN', 'KEMBA', 'UGKLA', 'active', 1, 1),"
            "(3, 1, 'MBL3', '', NULL, 'INNSA', 'INNSA', '', 'KEMBA', 'KEMBA', 'cancelled', 2, 1);"
            "INSERT INTO goods_items (id, consignment_id, item_number, hs_code, description, "
            "packages, package_type, gross_mass_kg) VALUES "
            "(1, 1, 1, '120740', 'sesame seeds', 100, 'BG', 5000),"
            "(2, 1, 2, '090111', 'coffee', 50, 'BG', 2500),"
            "(3, 2, 1, '120740', 'sesame seeds', 10, 'BG', 500),"
            "(4, 3, 1, '999999', 'cancelled goods', 1, 'PK', 1);"
            "INSERT INTO placements (goods_item_id, container_id, packages) VALUES "
            "(1, 1, 100), (2, 1, 50), (3, 1, 10), (4, 1, 1);");
    }

    std::filesystem::path path() const { return dir_.file("portscreen.db"); }
    Database reader() const { return Database::open(path(), Access::reader); }

    TempDir dir_;
};

const Period kJanFeb{"2026-01-01", "2026-02-28"};
const Period kFeb{"2026-02-01", "2026-02-28"};

std::string text(const Cell& cell) {
    if (const auto* value = std::get_if<std::string>(&cell))
        return *value;
    ADD_FAILURE() << "cell is not text";
    return {};
}

std::int64_t whole(const Cell& cell) {
    if (const auto* value = std::get_if<std::int64_t>(&cell))
        return *value;
    ADD_FAILURE() << "cell is not a whole number";
    return -1;
}

double real(const Cell& cell) {
    if (const auto* value = std::get_if<double>(&cell))
        return *value;
    ADD_FAILURE() << "cell is not a real number";
    return -1;
}

std::size_t column(const Table& table, const std::string& name) {
    for (std::size_t index = 0; index < table.columns.size(); ++index) {
        if (table.columns[index] == name)
            return index;
    }
    ADD_FAILURE() << "no column " << name << " in " << table.name;
    return 0;
}

std::vector<std::string> column_texts(const Table& table, const std::string& name) {
    std::vector<std::string> values;
    for (const auto& row : table.rows)
        values.push_back(text(row[column(table, name)]));
    return values;
}

TEST(ExportsPeriodTest, AcceptsInclusiveDaysUpToTheLimit) {
    const auto period = parse_period("2026-01-01", "2026-01-01");
    EXPECT_EQ(period.from, "2026-01-01");
    EXPECT_EQ(period.to, "2026-01-01");
    // 2016-01-01 to 2026-01-07 is 3660 days, both ends included
    EXPECT_NO_THROW(parse_period("2016-01-01", "2026-01-07"));
    EXPECT_NO_THROW(parse_period("2024-02-29", "2024-03-01"));
}

TEST(ExportsPeriodTest, RefusesBadPeriodsNamingTheParameter) {
    const auto message = [](std::string_view from, std::string_view to) {
        try {
            parse_period(from, to);
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    EXPECT_EQ(message("2026-02-30", "2026-03-01"),
              "from '2026-02-30' is not a calendar day as YYYY-MM-DD");
    EXPECT_EQ(message("2026-01-01", "2026-1-5"),
              "to '2026-1-5' is not a calendar day as YYYY-MM-DD");
    const auto both = message("", "2025-02-29");
    EXPECT_NE(both.find("from ''"), std::string::npos) << both;
    EXPECT_NE(both.find("to '2025-02-29'"), std::string::npos) << both;
    EXPECT_EQ(message("2026-03-01", "2026-02-28"), "from 2026-03-01 is after to 2026-02-28");
    const auto long_period = message("2016-01-01", "2026-01-08");
    EXPECT_NE(long_period.find("covers 3661 days; at most 3660"), std::string::npos) << long_period;
    EXPECT_NE(message("2026-01-0x", "2026-01-02").find("from"), std::string::npos);
}

TEST_F(ExportsTest, SelectionsOfAPeriodIncludeManualOnesFromTheWorkflow) {
    auto db = reader();
    const auto table = selections(db, kJanFeb);
    EXPECT_EQ(table.name, "selections");
    ASSERT_EQ(table.columns.size(), 14U);
    EXPECT_EQ(column_texts(table, "container_number"),
              (std::vector<std::string>{number(1), number(2), number(3), number(5), number(6),
                                        number(7), number(8)}));
    EXPECT_EQ(column_texts(table, "day"),
              (std::vector<std::string>{"2026-01-10", "2026-01-10", "2026-01-10", "2026-01-20",
                                        "2026-01-20", "2026-01-20", "2026-02-05"}));
    EXPECT_EQ(column_texts(table, "source"),
              (std::vector<std::string>{"rule", "random", "model", "rule", "manual", "random",
                                        "watchlist"}));
    EXPECT_EQ(column_texts(table, "state"),
              (std::vector<std::string>{"exam_ordered", "selected", "selected", "selected",
                                        "closed", "selected", "selected"}));
    const auto& first = table.rows[0];
    EXPECT_EQ(text(first[column(table, "vessel_name")]), "Alpha");
    EXPECT_EQ(text(first[column(table, "imo")]), "9074729");
    EXPECT_EQ(text(first[column(table, "voyage")]), "V1");
    EXPECT_EQ(text(first[column(table, "lane")]), "red");
    EXPECT_EQ(whole(first[column(table, "random")]), 0);
    EXPECT_DOUBLE_EQ(real(first[column(table, "score")]), 10);
    EXPECT_EQ(text(first[column(table, "reason")]), "rule R1, R2");
    EXPECT_EQ(text(first[column(table, "decided_by")]), "node");
    EXPECT_EQ(text(first[column(table, "outcome")]), "seizure");
    EXPECT_EQ(whole(table.rows[1][column(table, "random")]), 1);
    EXPECT_EQ(text(table.rows[2][column(table, "outcome")]), "no_find");

    const auto& manual = table.rows[4];
    EXPECT_EQ(text(manual[column(table, "lane")]), "red");
    EXPECT_EQ(whole(manual[column(table, "random")]), 0);
    EXPECT_DOUBLE_EQ(real(manual[column(table, "score")]), 60); // its stored score
    EXPECT_EQ(text(manual[column(table, "reason")]), "tip-off");
    EXPECT_EQ(text(manual[column(table, "decided_by")]), "officer.a"); // who selected, not closed
    EXPECT_EQ(text(manual[column(table, "decided_at")]), "2026-01-20T09:00Z");

    const auto feb = selections(db, kFeb);
    ASSERT_EQ(feb.rows.size(), 1U);
    EXPECT_EQ(text(feb.rows[0][column(feb, "container_number")]), number(8));
    EXPECT_TRUE(selections(db, {"2026-04-01", "2026-04-30"}).rows.empty());
}

TEST_F(ExportsTest, OutcomesOfAPeriodWithTheirSelectionSource) {
    auto db = reader();
    const auto table = outcomes(db, kJanFeb);
    EXPECT_EQ(column_texts(table, "container_number"),
              (std::vector<std::string>{number(1), number(2), number(3), number(5), number(7),
                                        number(6), number(8)}));
    EXPECT_EQ(column_texts(table, "selection_source"),
              (std::vector<std::string>{"rule", "random", "model", "rule", "random", "manual",
                                        "watchlist"}));
    const auto& first = table.rows[0];
    EXPECT_EQ(text(first[column(table, "inspected_on")]), "2026-01-11");
    EXPECT_EQ(text(first[column(table, "vessel_name")]), "Alpha");
    EXPECT_EQ(text(first[column(table, "method")]), "physical");
    EXPECT_EQ(text(first[column(table, "result")]), "seizure");
    EXPECT_EQ(text(first[column(table, "category")]), "drugs");
    EXPECT_EQ(text(first[column(table, "description")]), "cocaine, in bricks");
    EXPECT_DOUBLE_EQ(real(first[column(table, "quantity")]), 12.5);
    EXPECT_EQ(text(first[column(table, "unit")]), "kg");
    EXPECT_EQ(text(first[column(table, "concealment")]), "false_wall");
    EXPECT_EQ(text(first[column(table, "detection")]), "x_ray");
    EXPECT_EQ(text(first[column(table, "place")]), "KEMBA");
    EXPECT_EQ(text(first[column(table, "recorded_by")]), "officer.jane");
    EXPECT_TRUE(std::holds_alternative<std::monostate>(table.rows[2][column(table, "quantity")]));

    const auto feb = outcomes(db, kFeb);
    ASSERT_EQ(feb.rows.size(), 1U);
    EXPECT_EQ(text(feb.rows[0][column(feb, "container_number")]), number(8));
}

TEST_F(ExportsTest, SeizureReportJoinsRoutesAndGoodsWithoutNames) {
    auto db = reader();
    const auto table = seizure_report(db, kJanFeb);
    EXPECT_EQ(column_texts(table, "container_number"),
              (std::vector<std::string>{number(1), number(2), number(6), number(8)}));
    const auto& first = table.rows[0];
    EXPECT_EQ(text(first[column(table, "seizure_date")]), "2026-01-11");
    EXPECT_EQ(text(first[column(table, "port_of_call")]), "KEMBA");
    EXPECT_EQ(text(first[column(table, "size_type")]), "42G1");
    EXPECT_EQ(text(first[column(table, "master_bls")]), "MBL1; MBL2"); // cancelled MBL3 left out
    EXPECT_EQ(text(first[column(table, "ports_of_loading")]), "CNSHA; CNNGB");
    EXPECT_EQ(text(first[column(table, "transshipment_ports")]), "SGSIN; LKCMB");
    EXPECT_EQ(text(first[column(table, "ports_of_discharge")]), "KEMBA");
    EXPECT_EQ(text(first[column(table, "places_of_delivery")]), "KENBO; UGKLA");
    EXPECT_EQ(text(first[column(table, "hs_codes")]), "120740; 090111");
    EXPECT_EQ(text(first[column(table, "goods_description")]), "sesame seeds; coffee");
    EXPECT_EQ(text(first[column(table, "category")]), "drugs");
    EXPECT_DOUBLE_EQ(real(first[column(table, "quantity")]), 12.5);
    EXPECT_EQ(text(first[column(table, "concealment")]), "false_wall");
    EXPECT_EQ(text(first[column(table, "detection")]), "x_ray");
    EXPECT_EQ(text(first[column(table, "selection_source")]), "rule");
    EXPECT_EQ(text(table.rows[1][column(table, "selection_source")]), "random");
    EXPECT_EQ(text(table.rows[2][column(table, "selection_source")]), "manual");
    EXPECT_EQ(text(table.rows[2][column(table, "master_bls")]), ""); // no goods declared

    const std::string csv = to_csv(table);
    EXPECT_EQ(csv.find("ACME"), std::string::npos);
    EXPECT_EQ(csv.find("officer"), std::string::npos);
    for (const auto& name : table.columns)
        EXPECT_EQ(name.find("recorded_by"), std::string::npos);

    EXPECT_EQ(seizure_report(db, kFeb).rows.size(), 1U);
    EXPECT_EQ(seizure_report(db, {"2026-03-01", "2026-03-31"}).rows.size(), 1U);
}

TEST_F(ExportsTest, StatisticsCountScreenedSelectedInspectedAndFindings) {
    auto db = reader();
    const auto stats = statistics(db, kJanFeb);
    EXPECT_EQ(stats.containers, 9);
    EXPECT_EQ(stats.containers_screened, 8);
    EXPECT_EQ(stats.selected, 7);
    EXPECT_EQ(stats.inspected, 7);
    EXPECT_EQ(stats.no_finds, 3);
    EXPECT_EQ(stats.findings, 4);

    ASSERT_EQ(stats.by_source.size(), kSources.size());
    const auto source = [&](std::string_view name) {
        for (const auto& entry : stats.by_source) {
            if (entry.source == name)
                return entry;
        }
        ADD_FAILURE() << "no source " << name;
        return SourceStatistics{};
    };
    EXPECT_EQ(stats.by_source[0].source, "rule");
    EXPECT_EQ(stats.by_source[5].source, "manual");
    const auto rule = source("rule");
    EXPECT_EQ(rule.red, 1);
    EXPECT_EQ(rule.yellow, 1);
    EXPECT_EQ(rule.selected, 2);
    EXPECT_EQ(rule.inspected, 2);
    EXPECT_EQ(rule.findings, 1);
    const auto random = source("random");
    EXPECT_EQ(random.red, 0);
    EXPECT_EQ(random.yellow, 2);
    EXPECT_EQ(random.findings, 1);
    EXPECT_TRUE(random.hit_rate.defined);
    EXPECT_DOUBLE_EQ(random.hit_rate.value, 0.5);
    EXPECT_NEAR(random.hit_rate.low, 0.0945, 5e-5);
    EXPECT_NEAR(random.hit_rate.high, 0.9055, 5e-5);
    const auto manual = source("manual");
    EXPECT_EQ(manual.red, 1);
    EXPECT_EQ(manual.findings, 1);
    EXPECT_NEAR(manual.hit_rate.low, 0.2065, 5e-5);
    EXPECT_DOUBLE_EQ(manual.hit_rate.high, 1);
    const auto model = source("model");
    EXPECT_EQ(model.inspected, 1);
    EXPECT_DOUBLE_EQ(model.hit_rate.value, 0);
    EXPECT_NEAR(model.hit_rate.high, 0.7935, 5e-5);
    const auto alert = source("alert");
    EXPECT_EQ(alert.selected, 0);
    EXPECT_FALSE(alert.hit_rate.defined);
    EXPECT_DOUBLE_EQ(alert.hit_rate.low, 0);
    EXPECT_DOUBLE_EQ(alert.hit_rate.high, 1);
    EXPECT_EQ(source("watchlist").red, 1);
}

TEST_F(ExportsTest, StatisticsFindingsByCategoryAndMonth) {
    auto db = reader();
    const auto stats = statistics(db, {"2025-12-15", "2026-02-28"});
    ASSERT_EQ(stats.months.size(), 3U);
    EXPECT_EQ(stats.months[0].month, "2025-12");
    EXPECT_EQ(stats.months[1].month, "2026-01");
    EXPECT_EQ(stats.months[2].month, "2026-02");
    EXPECT_EQ(stats.months[0].findings, 0);
    EXPECT_EQ(stats.months[1].containers_screened, 7);
    EXPECT_EQ(stats.months[1].selected, 6);
    EXPECT_EQ(stats.months[1].inspected, 6);
    EXPECT_EQ(stats.months[1].findings, 3);
    EXPECT_EQ(stats.months[2].containers_screened, 1);
    EXPECT_EQ(stats.months[2].findings, 1);
    ASSERT_EQ(stats.categories.size(), 2U);
    EXPECT_EQ(stats.categories[0].category, "drugs");
    EXPECT_EQ(stats.categories[0].findings, 3);
    EXPECT_EQ(stats.categories[0].by_month, (std::vector<std::int64_t>{0, 2, 1}));
    EXPECT_EQ(stats.categories[1].category, "tobacco");
    EXPECT_EQ(stats.categories[1].by_month, (std::vector<std::int64_t>{0, 1, 0}));

    const auto tables = statistics_tables(stats);
    const Table* matrix = nullptr;
    for (const auto& table : tables) {
        if (table.name == "findings_by_month")
            matrix = &table;
    }
    ASSERT_NE(matrix, nullptr);
    EXPECT_EQ(matrix->columns,
              (std::vector<std::string>{"category", "2025-12", "2026-01", "2026-02", "total"}));
    ASSERT_EQ(matrix->rows.size(), 3U);
    EXPECT_EQ(to_csv(*matrix), "category,2025-12,2026-01,2026-02,total\r\n"
                               "drugs,0,2,1,3\r\n"
                               "tobacco,0,1,0,1\r\n"
                               "all,0,3,1,4\r\n");

    const auto march = statistics(db, {"2026-03-01", "2026-03-31"});
    ASSERT_EQ(march.categories.size(), 1U);
    EXPECT_EQ(march.categories[0].category, "cites");
}

TEST_F(ExportsTest, RuleEffectivenessFromStoredFactors) {
    auto db = reader();
    const auto stats = statistics(db, kJanFeb);
    ASSERT_EQ(stats.rules.size(), 3U); // R1, R2, R3; model and watchlist factors are not rules
    const auto& r1 = stats.rules[0];
    EXPECT_EQ(r1.rule_id, "R1");
    EXPECT_EQ(r1.fired, 4); // containers 1 (twice in its factors, counted once), 4, 5, 8
    EXPECT_EQ(r1.selected, 3);
    EXPECT_EQ(r1.inspected, 3);
    EXPECT_EQ(r1.findings, 2);
    EXPECT_NEAR(r1.hit_rate.low, 0.2077, 5e-5);
    EXPECT_NEAR(r1.hit_rate.high, 0.9385, 5e-5);
    const auto& r2 = stats.rules[1];
    EXPECT_EQ(r2.rule_id, "R2");
    EXPECT_EQ(r2.fired, 6);
    EXPECT_EQ(r2.selected, 5);
    EXPECT_EQ(r2.inspected, 5);
    EXPECT_EQ(r2.findings, 2);
    EXPECT_DOUBLE_EQ(r2.hit_rate.value, 0.4);
    EXPECT_NEAR(r2.hit_rate.low, 0.1176, 5e-5);
    EXPECT_NEAR(r2.hit_rate.high, 0.7693, 5e-5);
    const auto& r3 = stats.rules[2];
    EXPECT_EQ(r3.rule_id, "R3");
    EXPECT_EQ(r3.fired, 1);
    EXPECT_EQ(r3.selected, 1); // the officer's own selection
    EXPECT_EQ(r3.findings, 1);

    const auto feb = statistics(db, kFeb);
    ASSERT_EQ(feb.rules.size(), 1U);
    EXPECT_EQ(feb.rules[0].rule_id, "R1");
    EXPECT_EQ(feb.rules[0].fired, 1);
}

TEST_F(ExportsTest, RandomShareEstimatesAreThoseOfTheStoredDays) {
    auto db = reader();
    const auto stats = statistics(db, kJanFeb);
    const auto& random = stats.estimates;
    EXPECT_EQ(random.days, 3);
    EXPECT_EQ(random.days_without_random, 0); // 2026-02-05 has no pool
    EXPECT_EQ(random.targeted, 4);
    EXPECT_EQ(random.not_targeted, 4);
    EXPECT_EQ(random.targeted_inspected, 4);
    EXPECT_EQ(random.targeted_findings, 2);
    EXPECT_EQ(random.random_inspected, 2);
    EXPECT_EQ(random.random_findings, 1);
    EXPECT_TRUE(random.targeted_hit_rate.defined);
    EXPECT_DOUBLE_EQ(random.targeted_hit_rate.value, 0.5);
    EXPECT_NEAR(random.targeted_hit_rate.low, 0.15, 5e-5);
    EXPECT_NEAR(random.targeted_hit_rate.high, 0.85, 5e-5);

    const auto expected = scoring::estimate_days(db, kJanFeb.from, kJanFeb.to);
    EXPECT_TRUE(random.rest_finding_rate.defined);
    EXPECT_DOUBLE_EQ(random.rest_finding_rate.value, expected.rest_finding_rate.value);
    EXPECT_DOUBLE_EQ(random.rest_finding_rate.value, 0.5); // pools 2 and 2, 1 of 1 and 0 of 1
    EXPECT_DOUBLE_EQ(random.overall_finding_rate.low, expected.overall_finding_rate.lower);
    EXPECT_DOUBLE_EQ(random.detection_rate.high, expected.detection_rate.upper);
    EXPECT_EQ(random.detection_rate.defined, expected.detection_rate.defined);
}

TEST_F(ExportsTest, StatisticsJsonForTheDashboard) {
    auto db = reader();
    const auto json = nlohmann::json::parse(statistics_json(statistics(db, kJanFeb)));
    EXPECT_EQ(json["from"], "2026-01-01");
    EXPECT_EQ(json["to"], "2026-02-28");
    EXPECT_EQ(json["containers_screened"], 8);
    EXPECT_EQ(json["findings"], 4);
    ASSERT_EQ(json["by_source"].size(), 6U);
    EXPECT_EQ(json["by_source"][4]["source"], "random");
    EXPECT_EQ(json["by_source"][4]["yellow"], 2);
    EXPECT_DOUBLE_EQ(json["by_source"][4]["hit_rate"]["value"].get<double>(), 0.5);
    EXPECT_EQ(json["by_source"][3]["hit_rate"]["defined"], false);
    ASSERT_EQ(json["months"].size(), 2U);
    EXPECT_EQ(json["months"][0]["month"], "2026-01");
    EXPECT_EQ(json["months"][1]["findings"], 1);
    EXPECT_EQ(json["findings_by_category"][0]["category"], "drugs");
    EXPECT_EQ(json["findings_by_category"][0]["by_month"], nlohmann::json::array({2, 1}));
    EXPECT_EQ(json["random_share"]["targeted_findings"], 2);
    EXPECT_NEAR(json["random_share"]["targeted_hit_rate"]["low"].get<double>(), 0.15, 5e-5);
    EXPECT_TRUE(json["random_share"]["rest_finding_rate"].contains("high"));
    EXPECT_EQ(json["rules"][1]["rule_id"], "R2");
    EXPECT_NEAR(json["rules"][1]["hit_rate"]["high"].get<double>(), 0.7693, 5e-5);
}

TEST_F(ExportsTest, StatisticsTablesForCsvAndXlsx) {
    auto db = reader();
    const auto tables = statistics_tables(statistics(db, kJanFeb));
    std::vector<std::string> names;
    for (const auto& table : tables)
        names.push_back(table.name);
    EXPECT_EQ(names, (std::vector<std::string>{"summary", "selected_by_source", "findings_by_month",
                                               "monthly", "random_share", "rules"}));
    EXPECT_EQ(to_csv(tables[0]), "measure,value\r\nfrom,2026-01-01\r\nto,2026-02-28\r\n"
                                 "containers,9\r\ncontainers_screened,8\r\nselected,7\r\n"
                                 "inspected,7\r\nno_finds,3\r\nfindings,4\r\n");
    const std::string sources = to_csv(tables[1]);
    EXPECT_NE(sources.find("random,0,2,2,2,1,0.5,0.094"), std::string::npos) << sources;
    EXPECT_NE(sources.find("alert,0,0,0,0,0,,0,1\r\n"), std::string::npos) << sources;
    const std::string rules = to_csv(tables[5]);
    EXPECT_NE(rules.find("R2,6,5,5,2,0.4,0.117"), std::string::npos) << rules;
}

TEST_F(ExportsTest, DocumentsForDownload) {
    EXPECT_EQ(parse_what("seizures"), What::seizures);
    EXPECT_FALSE(parse_what("parties"));
    EXPECT_EQ(parse_format("xlsx"), Format::xlsx);
    EXPECT_FALSE(parse_format("pdf"));
    auto db = reader();
    const auto csv = export_document(db, What::statistics, Format::csv, kJanFeb);
    EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
    EXPECT_EQ(csv.filename, "portscreen-statistics-2026-01-01-2026-02-28.csv");
    EXPECT_EQ(csv.bytes.substr(0, 24), "summary\r\nmeasure,value\r\n");
    EXPECT_NE(csv.bytes.find("findings,4\r\n\r\nselected_by_source\r\nsource,red,"),
              std::string::npos)
        << csv.bytes;
    const auto json = export_document(db, What::statistics, Format::json, kJanFeb);
    EXPECT_EQ(json.content_type, "application/json");
    EXPECT_EQ(nlohmann::json::parse(json.bytes)["selected"], 7);
    const auto rows = export_document(db, What::outcomes, Format::json, kFeb);
    const auto outcome_rows = nlohmann::json::parse(rows.bytes);
    ASSERT_EQ(outcome_rows.size(), 1U);
    EXPECT_EQ(outcome_rows[0]["container_number"], number(8));
    EXPECT_DOUBLE_EQ(outcome_rows[0]["quantity"].get<double>(), 40);
    const auto xlsx = export_document(db, What::selections, Format::xlsx, kJanFeb);
    EXPECT_EQ(xlsx.content_type,
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    EXPECT_EQ(xlsx.bytes.substr(0, 2), "PK");
}

TEST_F(ExportsTest, CommandWritesTheExportToAFile) {
    const auto& commands = cli_commands();
    ASSERT_EQ(commands.size(), 1U);
    EXPECT_STREQ(commands[0].name, "export");
    const auto out = dir_.file("seizures.csv");
    const int status = commands[0].run({"--data", dir_.path().string(), "--what", "seizures",
                                        "--from", "2026-02-01", "--to", "2026-02-28", "--format",
                                        "csv", "--out", out.string()});
    EXPECT_EQ(status, 0);
    std::ifstream in(out, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    EXPECT_EQ(bytes.str().substr(0, 26), "seizure_date,port_of_call,");
    EXPECT_NE(bytes.str().find("\r\n2026-02-06,KEMBA," + number(8) + ",42G1,"), std::string::npos)
        << bytes.str();

    const auto xlsx = dir_.file("statistics.xlsx");
    EXPECT_EQ(commands[0].run({"--data", dir_.path().string(), "--what", "statistics", "--from",
                               "2026-01-01", "--to", "2026-02-28", "--format", "xlsx", "--out",
                               xlsx.string()}),
              0);
    std::ifstream workbook(xlsx, std::ios::binary);
    char magic[2] = {};
    workbook.read(magic, 2);
    EXPECT_EQ(std::string(magic, 2), "PK");

    try {
        commands[0].run({"--data", dir_.path().string(), "--what", "outcomes", "--from",
                         "2026-03-01", "--to", "2026-02-01", "--format", "csv"});
        ADD_FAILURE() << "a reversed period was accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("from 2026-03-01 is after to 2026-02-01"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_THROW(commands[0].run({"--data", dir_.path().string(), "--what", "parties", "--from",
                                  "2026-01-01", "--to", "2026-02-01", "--format", "csv"}),
                 std::invalid_argument);
    EXPECT_THROW(commands[0].run({"--data", dir_.path().string(), "--what", "outcomes", "--from",
                                  "2026-01-01", "--to", "2026-02-01", "--format", "pdf"}),
                 std::invalid_argument);
}

} // namespace
} // namespace portscreen::exports
