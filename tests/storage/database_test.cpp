#include "storage/database.hpp"

#include "storage_fixture.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace portscreen::storage {
namespace {

using testing::TempDir;

Database memory_db() {
    Database db = Database::open(":memory:", Access::writer);
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, i INTEGER, d REAL, s TEXT, b BLOB)");
    return db;
}

TEST(Statement, BindsAndReadsEveryType) {
    Database db = memory_db();
    Statement insert(db, "INSERT INTO t (i, d, s, b) VALUES (?1, ?2, ?3, ?4)");
    const std::string blob("a\0b\xff", 4);
    insert.bind(1, std::int64_t{1} << 40);
    insert.bind(2, 2.5);
    insert.bind(3, std::string("text"));
    insert.bind_blob(4, blob);
    insert.run();
    insert.bind(1, 7);
    insert.bind_null(2);
    insert.bind(3, "");
    insert.bind(4, nullptr);
    insert.run();

    Statement select(db, "SELECT i, d, s, b FROM t ORDER BY id");
    ASSERT_TRUE(select.step());
    EXPECT_EQ(select.column_int64(0), std::int64_t{1} << 40);
    EXPECT_DOUBLE_EQ(select.column_double(1), 2.5);
    EXPECT_EQ(select.column_text(2), "text");
    EXPECT_EQ(select.column_blob(3), blob);
    ASSERT_TRUE(select.step());
    EXPECT_EQ(select.column_int(0), 7);
    EXPECT_TRUE(select.column_is_null(1));
    EXPECT_EQ(select.column_optional_double(1), std::nullopt);
    EXPECT_FALSE(select.column_is_null(2)); // an empty string is not NULL
    EXPECT_EQ(select.column_text(2), "");
    EXPECT_TRUE(select.column_is_null(3));
    EXPECT_FALSE(select.step());
    // Done resets the statement, so it runs again from the first row.
    ASSERT_TRUE(select.step());
    EXPECT_EQ(select.column_int64(0), std::int64_t{1} << 40);
    select.reset();
}

TEST(Statement, TextOrNullAndOptionals) {
    Database db = memory_db();
    Statement insert(db, "INSERT INTO t (i, d, s) VALUES (?1, ?2, ?3)");
    insert.bind(1, std::optional<std::int64_t>{});
    insert.bind(2, std::optional<double>{4.0});
    insert.bind_text_or_null(3, "");
    insert.run();
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM t WHERE i IS NULL AND s IS NULL AND d = 4"), 1);
}

TEST(Statement, PrepareErrorNamesTheSql) {
    Database db = memory_db();
    try {
        Statement stmt(db, "SELECT * FROM missing_table");
        FAIL() << "preparing a query of a missing table must throw";
    } catch (const Error& error) {
        EXPECT_EQ(error.sql(), "SELECT * FROM missing_table");
        EXPECT_NE(std::string(error.what()).find("no such table: missing_table"), std::string::npos)
            << error.what();
        EXPECT_FALSE(error.is_constraint());
    }
}

TEST(Statement, ConstraintErrorLeavesStatementReusable) {
    Database db = memory_db();
    db.execute("CREATE TABLE u (k TEXT UNIQUE)");
    Statement insert(db, "INSERT INTO u (k) VALUES (?1)");
    insert.bind(1, "a");
    insert.run();
    try {
        insert.run();
        FAIL() << "a second identical key must break the UNIQUE constraint";
    } catch (const Error& error) {
        EXPECT_TRUE(error.is_constraint());
        EXPECT_EQ(error.extended_code(), 2067); // SQLITE_CONSTRAINT_UNIQUE
        EXPECT_NE(error.sqlite_message().find("u.k"), std::string::npos);
    }
    insert.bind(1, "b");
    insert.run();
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM u"), 2);
}

TEST(Statement, ErrorIsARuntimeError) {
    Database db = memory_db();
    EXPECT_THROW(db.execute("THIS IS NOT SQL"), std::runtime_error);
}

TEST(Transaction, RollsBackWhenAnExceptionLeavesTheScope) {
    Database db = memory_db();
    try {
        Transaction transaction(db);
        db.execute("INSERT INTO t (i) VALUES (1)");
        EXPECT_TRUE(db.in_transaction());
        throw std::runtime_error("unit of work failed");
    } catch (const std::runtime_error&) {
    }
    EXPECT_FALSE(db.in_transaction());
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM t"), 0);
}

TEST(Transaction, CommitKeepsTheChanges) {
    Database db = memory_db();
    {
        Transaction transaction(db);
        db.execute("INSERT INTO t (i) VALUES (1)");
        transaction.commit();
    }
    EXPECT_FALSE(db.in_transaction());
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM t"), 1);
}

TEST(Transaction, ExplicitRollback) {
    Database db = memory_db();
    Transaction transaction(db);
    db.execute("INSERT INTO t (i) VALUES (1)");
    transaction.rollback();
    EXPECT_EQ(db.query_int64("SELECT count(*) FROM t"), 0);
}

TEST(Savepoint, RollsBackOnlyItsOwnWork) {
    Database db = memory_db();
    Transaction transaction(db);
    db.execute("INSERT INTO t (i) VALUES (1)");
    {
        Savepoint inner(db, "inner");
        db.execute("INSERT INTO t (i) VALUES (2)");
    }
    {
        Savepoint kept(db, "kept");
        db.execute("INSERT INTO t (i) VALUES (3)");
        kept.release();
    }
    transaction.commit();
    EXPECT_EQ(db.query_int64("SELECT group_concat(i, '') FROM (SELECT i FROM t ORDER BY i)"), 13);
}

TEST(Database, WriterSettings) {
    TempDir dir;
    Database db = Database::open(dir.file("settings.db"), Access::writer);
    Statement mode(db, "PRAGMA journal_mode");
    EXPECT_EQ(mode.query_text(), "wal");
    EXPECT_EQ(db.query_int64("PRAGMA foreign_keys"), 1);
    EXPECT_EQ(db.query_int64("PRAGMA synchronous"), 2); // FULL
    EXPECT_EQ(db.query_int64("PRAGMA cache_size"), -OpenOptions{}.writer_cache_kib);
    EXPECT_EQ(db.query_int64("PRAGMA busy_timeout"), 5000);
}

TEST(Database, ForeignKeysAreEnforced) {
    Database db = Database::open(":memory:", Access::writer);
    EXPECT_THROW(db.execute("INSERT INTO seals (container_id, number, sealing_party) "
                            "VALUES (42, 'S1', 'CA')"),
                 Error);
}

TEST(Database, ReaderSeesCommittedDataOnly) {
    TempDir dir;
    Database writer = Database::open(dir.file("shared.db"), Access::writer);
    writer.execute("CREATE TABLE t (i INTEGER)");
    writer.execute("INSERT INTO t VALUES (1)");
    Database reader = Database::open(dir.file("shared.db"), Access::reader);
    EXPECT_EQ(reader.query_int64("SELECT count(*) FROM t"), 1);

    Transaction transaction(writer);
    writer.execute("INSERT INTO t VALUES (2)");
    EXPECT_EQ(reader.query_int64("SELECT count(*) FROM t"), 1); // not committed yet
    transaction.commit();
    EXPECT_EQ(reader.query_int64("SELECT count(*) FROM t"), 2);
}

TEST(Database, ReaderCannotWrite) {
    TempDir dir;
    Database writer = Database::open(dir.file("ro.db"), Access::writer);
    Database reader = Database::open(dir.file("ro.db"), Access::reader);
    try {
        reader.execute("DELETE FROM parties");
        FAIL() << "a reader connection must refuse writes";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("DELETE FROM parties"), std::string::npos);
    }
}

TEST(Database, ReaderOfAMissingFileThrows) {
    TempDir dir;
    EXPECT_THROW(Database::open(dir.file("absent.db"), Access::reader), Error);
    EXPECT_FALSE(std::filesystem::exists(dir.file("absent.db")));
}

TEST(Database, WriterInAMissingDirectoryThrows) {
    TempDir dir;
    try {
        Database::open(dir.file("no/such/dir.db"), Access::writer);
        FAIL() << "opening a file in a missing directory must throw";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("dir.db"), std::string::npos) << error.what();
    }
}

TEST(Database, SecondWriterTimesOutWhileTheFirstWrites) {
    TempDir dir;
    Database first = Database::open(dir.file("busy.db"), Access::writer);
    OpenOptions impatient;
    impatient.busy_timeout = std::chrono::milliseconds(50);
    Database second = Database::open(dir.file("busy.db"), Access::writer, impatient);
    Transaction holding(first);
    try {
        Transaction waiting(second);
        FAIL() << "BEGIN IMMEDIATE must fail while another connection holds the write lock";
    } catch (const Error& error) {
        EXPECT_TRUE(error.is_busy()) << error.what();
    }
    EXPECT_FALSE(second.in_transaction());
}

TEST(Statement, UnownedBindingsReadTheCallersBytes) {
    Database db = memory_db();
    Statement insert(db, "INSERT INTO t (s, b) VALUES (?1, ?2)");
    const std::string text = "kept by the caller";
    const std::string bytes("\x00\x01", 2);
    insert.bind_unowned(1, text);
    insert.bind_blob_unowned(2, bytes);
    insert.run();
    Statement select(db, "SELECT s, b FROM t");
    ASSERT_TRUE(select.step());
    EXPECT_EQ(select.column_text(0), text);
    EXPECT_EQ(select.column_blob(1), bytes);
    select.reset();
}

TEST(Database, ManualCheckpointMovesTheLogIntoTheFile) {
    TempDir dir;
    OpenOptions options;
    options.wal_autocheckpoint_pages = 0;
    Database db = Database::open(dir.file("wal.db"), Access::writer, options);
    EXPECT_EQ(db.query_int64("PRAGMA wal_autocheckpoint"), 0);
    db.execute("CREATE TABLE big (b BLOB)");
    db.execute("INSERT INTO big VALUES (zeroblob(1000000))");
    const auto before = std::filesystem::file_size(dir.file("wal.db"));
    EXPECT_GT(std::filesystem::file_size(dir.file("wal.db-wal")), 1'000'000u);
    db.checkpoint();
    EXPECT_GT(std::filesystem::file_size(dir.file("wal.db")), before + 1'000'000u);
}

TEST(Database, MovedConnectionKeepsWorking) {
    Database db = memory_db();
    Database moved = std::move(db);
    moved.execute("INSERT INTO t (i) VALUES (5)");
    EXPECT_EQ(moved.query_int64("SELECT i FROM t"), 5);
    EXPECT_EQ(moved.last_insert_rowid(), 1);
    EXPECT_EQ(moved.changes(), 1);
}

TEST(Database, StatementMayOutliveAClosedConnectionHandle) {
    Database db = memory_db();
    Statement stmt(db, "SELECT count(*) FROM t");
    db.close();
    // Destroying the statement after the close must neither crash nor leak; close_v2 waits.
}

} // namespace
} // namespace portscreen::storage
