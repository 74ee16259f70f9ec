#pragma once

#include "accounts/password.hpp"
#include "storage/database.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

namespace portscreen::accounts::testing {

/// The password every test account has.
inline constexpr const char* kPassword = "correct horse battery";

/// Its Argon2id hash, computed once: each hash takes a noticeable time under the sanitizers.
inline const std::string& shared_hash() {
    static const std::string hash = hash_password(kPassword);
    return hash;
}

/// A node database in a fresh temporary directory, removed afterwards.
class AccountsTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "portscreen-accounts-XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
        db_.emplace(storage::Database::open(dir_ / "portscreen.db", storage::Access::writer));
    }
    void TearDown() override {
        db_.reset();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

    storage::Database& db() { return *db_; }

    /// Writes an account directly with the shared hash, so tests that are not about add_user
    /// spend no time hashing. Returns its id.
    std::int64_t insert_user(const std::string& username, const std::string& role = "officer") {
        storage::Statement insert(db(), "INSERT INTO users (username, display_name, role, "
                                        "password_hash, created_at) VALUES (?1, ?1, ?2, ?3, "
                                        "'2026-11-27T08:00:00.000Z')");
        insert.bind(1, username);
        insert.bind(2, role);
        insert.bind(3, shared_hash());
        insert.run();
        return db().last_insert_rowid();
    }

    std::int64_t count(const std::string& sql) { return db().query_int64(sql); }

    std::filesystem::path dir_;
    std::optional<storage::Database> db_;
};

} // namespace portscreen::accounts::testing
