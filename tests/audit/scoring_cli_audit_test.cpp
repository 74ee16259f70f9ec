// Rule-set and watchlist changes made with the scoring commands leave audit entries.

#include "audit/audit.hpp"
#include "scoring/cli.hpp"
#include "scoring/rescorer.hpp"
#include "storage/database.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace portscreen::audit {
namespace {

namespace fs = std::filesystem;

class ScoringCliAuditTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "portscreen-audit-XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
        db_.emplace(storage::Database::open(dir_ / "portscreen.db", storage::Access::writer));
        setenv("USER", "tester", 1);
    }
    void TearDown() override {
        db_.reset();
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }

    int run(const std::string& command, std::vector<std::string> argv) {
        for (const auto& candidate : scoring::cli_commands())
            if (candidate.name == command) {
                argv.push_back("--data");
                argv.push_back(dir_.string());
                return candidate.run(argv);
            }
        ADD_FAILURE() << "no command " << command;
        return -1;
    }

    fs::path write(const std::string& name, std::string_view text) {
        std::ofstream(dir_ / name, std::ios::binary) << text;
        return dir_ / name;
    }

    fs::path dir_;
    std::optional<storage::Database> db_;
};

TEST_F(ScoringCliAuditTest, RuleSetActivationIsAudited) {
    const fs::path rules = write("rules.json", scoring::default_rule_set_text());
    ASSERT_EQ(run("rules", {"activate", rules.string()}), 0);
    auto entries = list(*db_, 0, 10);
    ASSERT_EQ(entries.size(), 2U);
    EXPECT_EQ(entries[0].action, "rules.load");
    EXPECT_EQ(entries[1].action, "rules.activate");
    EXPECT_EQ(entries[0].actor, "cli:tester");
    EXPECT_EQ(entries[0].subject.rfind("rule_set:", 0), 0U) << entries[0].subject;
    EXPECT_NE(entries[0].subject.find('@'), std::string::npos) << entries[0].subject;
    EXPECT_EQ(entries[1].subject, entries[0].subject);

    // The same set again is not loaded again, only activated.
    ASSERT_EQ(run("rules", {"activate", rules.string()}), 0);
    entries = list(*db_, 2, 10);
    ASSERT_EQ(entries.size(), 1U);
    EXPECT_EQ(entries[0].action, "rules.activate");
    EXPECT_TRUE(verify(*db_).ok);
}

TEST_F(ScoringCliAuditTest, WatchlistImportAndRemovalAreAudited) {
    const fs::path list_file = write("list.csv", "id,kind,value,reason,source\n"
                                                 "C-1,container,CSQU3054383,Reused seals,PCU\n"
                                                 "P-1,party,ACME TRADING,Named in a case,PCU\n");
    ASSERT_EQ(run("watchlist", {"import", list_file.string()}), 0);
    auto entries = list(*db_, 0, 10);
    ASSERT_EQ(entries.size(), 2U);
    EXPECT_EQ(entries[0].action, "watchlist.add");
    EXPECT_EQ(entries[0].subject, "watchlist:C-1");
    EXPECT_EQ(entries[1].subject, "watchlist:P-1");
    EXPECT_NE(entries[0].detail.find("CSQU3054383"), std::string::npos) << entries[0].detail;

    ASSERT_EQ(run("watchlist", {"remove", "C-1"}), 0);
    entries = list(*db_, 2, 10);
    ASSERT_EQ(entries.size(), 1U);
    EXPECT_EQ(entries[0].action, "watchlist.remove");
    EXPECT_EQ(entries[0].subject, "watchlist:C-1");

    // Removing what is not there records nothing.
    EXPECT_EQ(run("watchlist", {"remove", "C-1"}), 1);
    EXPECT_EQ(list(*db_, 0, 10).size(), 3U);
    EXPECT_TRUE(verify(*db_).ok);
}

} // namespace
} // namespace portscreen::audit
