// The audit log against a real SQLite file: the chain, tampering caught by verify, and the
// schema's refusal of updates and deletes.

#include "audit/audit.hpp"
#include "audit/cli.hpp"
#include "storage/database.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

namespace portscreen::audit {
namespace {

namespace fs = std::filesystem;
using storage::Database;

class AuditTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "portscreen-audit-XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
        db_.emplace(Database::open(dir_ / "portscreen.db", storage::Access::writer));
    }
    void TearDown() override {
        db_.reset();
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }

    Database& db() { return *db_; }

    void append_entries(int count) {
        storage::Transaction transaction(db());
        for (int idx = 1; idx <= count; ++idx)
            append(db(), "ana", "container.view",
                   std::string("container:MSCU") + std::to_string(1000000 + idx),
                   std::string(R"({"n":)") + std::to_string(idx) + "}",
                   "2026-11-27T10:00:0" + std::to_string(idx % 10) + ".000Z");
        transaction.commit();
    }

    void drop_triggers() {
        db().execute("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete");
    }

    fs::path dir_;
    std::optional<Database> db_;
};

TEST(EntryHash, CoversEveryFieldButTheHash) {
    Entry entry{1,    "2026-11-27T10:00:00.000Z", "ana", "login", "user:ana",
                "{}", std::string(kGenesisHash),  ""};
    const std::string base = entry_hash(entry);
    EXPECT_EQ(base.size(), 64U);
    Entry with_hash = entry;
    with_hash.hash = "anything";
    EXPECT_EQ(entry_hash(with_hash), base);
    for (std::string Entry::*field : {&Entry::at, &Entry::actor, &Entry::action, &Entry::subject,
                                      &Entry::detail, &Entry::prev_hash}) {
        Entry changed = entry;
        (changed.*field).append("x");
        EXPECT_NE(entry_hash(changed), base);
    }
    Entry next_seq = entry;
    next_seq.seq = 2;
    EXPECT_NE(entry_hash(next_seq), base);
}

TEST(EntryHash, IsSha256OfTheFieldsJoinedByNewlines) {
    // sha256("1\na\nb\nc\nd\n{}\n" + 64 zeros), computed independently with sha256sum.
    const Entry entry{1, "a", "b", "c", "d", "{}", std::string(kGenesisHash), ""};
    EXPECT_EQ(entry_hash(entry),
              "457db0410c649107398861b7d4ba2f747a4c89a517d1bcb55551fff231bf90a0");
}

TEST_F(AuditTest, AppendsAChainThatVerifies) {
    append_entries(5);
    const auto entries = list(db(), 0, 100);
    ASSERT_EQ(entries.size(), 5U);
    EXPECT_EQ(entries[0].seq, 1);
    EXPECT_EQ(entries[0].prev_hash, kGenesisHash);
    for (std::size_t idx = 1; idx < entries.size(); ++idx) {
        EXPECT_EQ(entries[idx].seq, entries[idx - 1].seq + 1);
        EXPECT_EQ(entries[idx].prev_hash, entries[idx - 1].hash);
        EXPECT_EQ(entries[idx].hash, entry_hash(entries[idx]));
    }
    const Verification result = verify(db());
    EXPECT_TRUE(result.ok) << result.problem;
    EXPECT_EQ(result.entries, 5);
    EXPECT_EQ(result.first_bad_seq, 0);
}

TEST_F(AuditTest, VerifiesInsideTheCallersTransaction) {
    append_entries(2);
    storage::Transaction transaction(db());
    append(db(), "ana", "login", "user:ana", "{}", "2026-11-27T10:01:00.000Z");
    const Verification result = verify(db());
    EXPECT_TRUE(result.ok) << result.problem;
    EXPECT_EQ(result.entries, 3); // sees the caller's uncommitted entry
    EXPECT_TRUE(db().in_transaction());
}

TEST_F(AuditTest, EmptyLogVerifies) {
    const Verification result = verify(db());
    EXPECT_TRUE(result.ok);
    EXPECT_EQ(result.entries, 0);
}

TEST_F(AuditTest, AppendReturnsWhatItStored) {
    storage::Transaction transaction(db());
    const Entry entry = append(db(), "cli:root", "user.add", "user:ana", R"({"role":"officer"})",
                               "2026-11-27T10:00:00.000Z");
    transaction.commit();
    const auto stored = list(db(), 0, 10);
    ASSERT_EQ(stored.size(), 1U);
    EXPECT_EQ(stored[0].hash, entry.hash);
    EXPECT_EQ(stored[0].actor, "cli:root");
    EXPECT_EQ(stored[0].detail, R"({"role":"officer"})");
}

TEST_F(AuditTest, AppendOutsideATransactionThrowsNamingTheAction) {
    try {
        append(db(), "ana", "export.csv", "export:selections", "{}", "2026-11-27T10:00:00.000Z");
        FAIL() << "append outside a transaction was accepted";
    } catch (const std::logic_error& e) {
        EXPECT_NE(std::string(e.what()).find("export.csv"), std::string::npos) << e.what();
    }
    EXPECT_EQ(db().query_int64("SELECT count(*) FROM audit_log"), 0);
}

TEST_F(AuditTest, DetailMustBeAJsonObject) {
    storage::Transaction transaction(db());
    EXPECT_THROW(append(db(), "ana", "login", "user:ana", "", "2026-11-27T10:00:00.000Z"),
                 std::invalid_argument);
    EXPECT_THROW(append(db(), "ana", "login", "user:ana", "[1]", "2026-11-27T10:00:00.000Z"),
                 std::invalid_argument);
}

TEST_F(AuditTest, RolledBackAppendLeavesNoEntry) {
    {
        storage::Transaction transaction(db());
        append(db(), "ana", "login", "user:ana", "{}", "2026-11-27T10:00:00.000Z");
    }
    EXPECT_EQ(db().query_int64("SELECT count(*) FROM audit_log"), 0);
    append_entries(1);
    EXPECT_EQ(list(db(), 0, 10).at(0).seq, 1);
}

TEST_F(AuditTest, TriggersRefuseUpdateAndDelete) {
    append_entries(2);
    EXPECT_THROW(db().execute("UPDATE audit_log SET detail = '{}' WHERE seq = 1"), storage::Error);
    EXPECT_THROW(db().execute("DELETE FROM audit_log WHERE seq = 2"), storage::Error);
    EXPECT_EQ(db().query_int64("SELECT count(*) FROM audit_log"), 2);
    EXPECT_TRUE(verify(db()).ok);
}

TEST_F(AuditTest, ChangedDetailIsNamedBySeq) {
    append_entries(5);
    drop_triggers();
    db().execute(R"(UPDATE audit_log SET detail = '{"n":99}' WHERE seq = 3)");
    const Verification result = verify(db());
    EXPECT_FALSE(result.ok);
    EXPECT_EQ(result.first_bad_seq, 3);
    EXPECT_EQ(result.problem, "entry 3: hash does not match its content");
}

TEST_F(AuditTest, RehashedEntryBreaksTheNextLink) {
    // A forger who recomputes the changed entry's hash still breaks the link to the next one.
    append_entries(4);
    drop_triggers();
    auto entries = list(db(), 0, 10);
    Entry forged = entries[1];
    forged.actor = "someone_else";
    forged.hash = entry_hash(forged);
    storage::Statement update(db(), "UPDATE audit_log SET actor = ?1, hash = ?2 WHERE seq = 2");
    update.bind(1, forged.actor);
    update.bind(2, forged.hash);
    update.run();
    const Verification result = verify(db());
    EXPECT_FALSE(result.ok);
    EXPECT_EQ(result.first_bad_seq, 3);
    EXPECT_NE(result.problem.find("prev_hash"), std::string::npos) << result.problem;
}

TEST_F(AuditTest, DeletedMiddleEntryIsAGap) {
    append_entries(5);
    drop_triggers();
    db().execute("DELETE FROM audit_log WHERE seq = 3");
    const Verification result = verify(db());
    EXPECT_FALSE(result.ok);
    EXPECT_EQ(result.first_bad_seq, 3);
    EXPECT_EQ(result.entries, 2);
    EXPECT_NE(result.problem.find("entry 3: missing"), std::string::npos) << result.problem;
}

TEST_F(AuditTest, DeletedFirstEntryIsAGap) {
    append_entries(3);
    drop_triggers();
    db().execute("DELETE FROM audit_log WHERE seq = 1");
    const Verification result = verify(db());
    EXPECT_FALSE(result.ok);
    EXPECT_EQ(result.first_bad_seq, 1);
}

TEST_F(AuditTest, ListPagesAndFiltersBySubject) {
    append_entries(5);
    storage::Transaction transaction(db());
    append(db(), "root", "user.add", "user:ana", "{}", "2026-11-27T11:00:00.000Z");
    append(db(), "root", "user.add", "user:bo", "{}", "2026-11-27T11:00:01.000Z");
    transaction.commit();

    const auto page = list(db(), 2, 2);
    ASSERT_EQ(page.size(), 2U);
    EXPECT_EQ(page[0].seq, 3);
    EXPECT_EQ(page[1].seq, 4);

    const auto one = list(db(), 0, 100, "container:MSCU1000002");
    ASSERT_EQ(one.size(), 1U);
    EXPECT_EQ(one[0].seq, 2);

    const auto users = list(db(), 0, 100, "user:");
    ASSERT_EQ(users.size(), 2U);
    EXPECT_EQ(users[0].subject, "user:ana");
    EXPECT_EQ(users[1].subject, "user:bo");

    EXPECT_TRUE(list(db(), 7, 100).empty());
}

int run_audit(const std::vector<std::string>& argv) {
    const auto& commands = cli_commands();
    EXPECT_EQ(commands.size(), 1U);
    EXPECT_STREQ(commands.at(0).name, "audit");
    return commands.at(0).run(argv);
}

TEST_F(AuditTest, CliVerifyExitsOneOnABrokenChain) {
    append_entries(3);
    EXPECT_EQ(run_audit({"verify", "--data", dir_.string()}), 0);
    EXPECT_EQ(run_audit({"list", "--data", dir_.string(), "--after", "1", "--limit", "1"}), 0);
    drop_triggers();
    db().execute("UPDATE audit_log SET actor = 'bo' WHERE seq = 2");
    EXPECT_EQ(run_audit({"verify", "--data", dir_.string()}), 1);
    EXPECT_EQ(run_audit({"check", "--data", dir_.string()}), 2);
    EXPECT_THROW(run_audit({"verify", "--data", (dir_ / "nowhere").string()}), std::runtime_error);
}

} // namespace
} // namespace portscreen::audit
