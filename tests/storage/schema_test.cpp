#include "storage/schema.hpp"

#include "storage_fixture.hpp"

#include <gtest/gtest.h>

#include <string>

namespace portscreen::storage {
namespace {

using testing::TempDir;

std::int64_t table_count(Database& db) {
    return db.query_int64("SELECT count(*) FROM sqlite_schema WHERE type = 'table'");
}

TEST(Schema, FreshFileIsMigratedToTheCurrentVersion) {
    TempDir dir;
    Database db = Database::open(dir.file("fresh.db"), Access::writer);
    EXPECT_EQ(schema_version(db), kSchemaVersion);
    for (const char* table : {"messages",
                              "vessel_calls",
                              "parties",
                              "consignments",
                              "consignment_revisions",
                              "goods_items",
                              "containers",
                              "seals",
                              "placements",
                              "rule_sets",
                              "models",
                              "profiling_state",
                              "watchlist_entries",
                              "scores",
                              "selections",
                              "selection_days",
                              "manual_decisions",
                              "outcomes",
                              "party_outcomes",
                              "mass_norms",
                              "scans",
                              "scan_images",
                              "scan_containers",
                              "scan_analyses",
                              "users",
                              "sessions",
                              "audit_log",
                              "workflow",
                              "workflow_transitions",
                              "attachments",
                              "scan_regions",
                              "share_state",
                              "share_events",
                              "share_alerted",
                              "share_links",
                              "share_outbox",
                              "share_inbox",
                              "share_refused",
                              "shared_alerts",
                              "shared_outcomes",
                              "shared_answers"}) {
        Statement stmt(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1");
        stmt.bind(1, table);
        EXPECT_EQ(stmt.query_int64(), 1) << table;
    }
    EXPECT_EQ(table_count(db), 41);
}

TEST(Schema, ReopeningIsIdempotentAndKeepsData) {
    TempDir dir;
    const auto path = dir.file("reopen.db");
    {
        Database db = Database::open(path, Access::writer);
        db.execute("INSERT INTO parties (party_key, name, country, identifier, address, city, "
                   "postcode, first_seen, last_seen) "
                   "VALUES ('DE|ACME', 'Acme', 'DE', '', '', '', '', 'a', 'a')");
    }
    Database db = Database::open(path, Access::writer);
    EXPECT_EQ(schema_version(db), kSchemaVersion);
    EXPECT_EQ(table_count(db), 41);
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM parties"), 1);
    migrate(db); // explicitly again: nothing to do
    EXPECT_EQ(schema_version(db), kSchemaVersion);
}

TEST(Schema, AVersionOneFileWithDataIsMigratedToTheCurrentVersion) {
    TempDir dir;
    const auto path = dir.file("v1.db");
    {
        OpenOptions options;
        options.migrate = false;
        Database db = Database::open(path, Access::writer, options);
        migrate(db, 1);
        ASSERT_EQ(schema_version(db), 1);
        db.execute("INSERT INTO messages (message_id, content_type, content_sha256, source, "
                   "received_at, reply_body, payload) "
                   "VALUES ('m1', 'application/json', 'abc', 'test', 't', 'ok', x'00')");
    }
    Database db = Database::open(path, Access::writer);
    EXPECT_EQ(schema_version(db), kSchemaVersion);
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM messages WHERE issued_at = ''"), 1);
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM scores"), 0);
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM scans"), 0);
}

TEST(Schema, AVersionTwoScoreKeepsItsRowAndGetsNoImageBasis) {
    TempDir dir;
    const auto path = dir.file("v2.db");
    {
        OpenOptions options;
        options.migrate = false;
        Database db = Database::open(path, Access::writer, options);
        migrate(db, 2);
        db.execute("INSERT INTO messages (message_id, content_type, content_sha256, source, "
                   "received_at, reply_body, payload) "
                   "VALUES ('m1', 'application/json', 'abc', 'test', 't', 'ok', x'00');"
                   "INSERT INTO vessel_calls (id, imo, voyage, port_of_call, vessel_name, carrier, "
                   "eta, last_port, created_by, updated_by) "
                   "VALUES (1, '9074729', '1', 'KEMBA', 'V', 'MSC', '2026-01-01', '', 1, 1);"
                   "INSERT INTO containers (id, vessel_call_id, number, size_type, load_status, "
                   "message_row) VALUES (1, 1, 'MSCU1234565', '22G1', 'full', 1);"
                   "INSERT INTO scores (container_id, score, main_source, factors, features, "
                   "generation, basis, scored_at) VALUES (1, 10, 'rules', '[]', x'', 1, 1, 't')");
    }
    Database db = Database::open(path, Access::writer);
    EXPECT_EQ(schema_version(db), kSchemaVersion);
    EXPECT_EQ(db.query_int64("SELECT image_basis FROM scores WHERE container_id = 1"), 0);
}

TEST(Schema, AVersionThreeOutcomeKeepsItsRowWithEmptyDetails) {
    TempDir dir;
    const auto path = dir.file("v3.db");
    {
        OpenOptions options;
        options.migrate = false;
        Database db = Database::open(path, Access::writer, options);
        migrate(db, 3);
        db.execute("INSERT INTO messages (message_id, content_type, content_sha256, source, "
                   "received_at, reply_body, payload) "
                   "VALUES ('m1', 'application/json', 'abc', 'test', 't', 'ok', x'00');"
                   "INSERT INTO vessel_calls (id, imo, voyage, port_of_call, vessel_name, carrier, "
                   "eta, last_port, created_by, updated_by) "
                   "VALUES (1, '9074729', '1', 'KEMBA', 'V', 'MSC', '2026-01-01', '', 1, 1);"
                   "INSERT INTO containers (id, vessel_call_id, number, size_type, load_status, "
                   "message_row) VALUES (1, 1, 'MSCU1234565', '22G1', 'full', 1);"
                   "INSERT INTO outcomes (container_id, inspected_on, method, result, category, "
                   "description, recorded_by, recorded_at) VALUES (1, '2026-01-02', 'physical', "
                   "'seizure', 'drugs', 'cocaine', 'ana', 't')");
    }
    Database db = Database::open(path, Access::writer);
    EXPECT_EQ(schema_version(db), kSchemaVersion);
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM outcomes WHERE unit = '' AND notes = '' AND "
                             "quantity IS NULL"),
              1);
    db.execute("INSERT INTO audit_log (at, actor, action, subject, detail, prev_hash, hash) "
               "VALUES ('t', 'a', 'login', '', '{}', '', 'h')");
    EXPECT_THROW(db.execute("UPDATE audit_log SET actor = 'b'"), Error);
    EXPECT_THROW(db.execute("DELETE FROM audit_log"), Error);
}

TEST(Schema, NewerSchemaIsRefusedByWritersAndReaders) {
    TempDir dir;
    const auto path = dir.file("newer.db");
    {
        Database db = Database::open(path, Access::writer);
        db.execute("PRAGMA user_version = " + std::to_string(kSchemaVersion + 1));
    }
    for (Access access : {Access::writer, Access::reader}) {
        try {
            Database::open(path, access);
            FAIL() << "a schema newer than the program must be refused";
        } catch (const Error& error) {
            const std::string text = error.what();
            EXPECT_NE(text.find("schema version " + std::to_string(kSchemaVersion + 1) +
                                " is newer than this program supports"),
                      std::string::npos)
                << text;
            EXPECT_NE(text.find("newer.db"), std::string::npos) << text;
        }
    }
}

TEST(Schema, ReaderOfAnUnmigratedFileDoesNotMigrate) {
    TempDir dir;
    const auto path = dir.file("plain.db");
    {
        Database db = Database::open(path, Access::writer);
        db.execute("PRAGMA user_version = 0"); // pretend no migration ran
    }
    Database reader = Database::open(path, Access::reader);
    EXPECT_EQ(schema_version(reader), 0);
}

TEST(Schema, IntegrityCheckOfAFreshFile) {
    TempDir dir;
    Database db = Database::open(dir.file("check.db"), Access::writer);
    Statement check(db, "PRAGMA integrity_check");
    EXPECT_EQ(check.query_text(), "ok");
}

} // namespace
} // namespace portscreen::storage
