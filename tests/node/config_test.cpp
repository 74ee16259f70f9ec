#include "node/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace portscreen::node {
namespace {

namespace fs = std::filesystem;

/// Writes `text` to a fresh config file and removes it afterwards.
class ConfigFile {
public:
    explicit ConfigFile(const std::string& text)
        : path_(fs::temp_directory_path() /
                ("portscreen-config-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".json")) {
        std::ofstream(path_) << text;
    }
    ~ConfigFile() { fs::remove(path_); }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

std::string load_error(const std::string& text) {
    ConfigFile file(text);
    try {
        load_config(file.path());
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

TEST(Config, DefaultsRunANode) {
    const Config config = default_config();
    EXPECT_EQ(config.ingest.endpoint, "tcp://127.0.0.1:5555");
    EXPECT_EQ(config.ingest.max_message_bytes, 64u << 20);
    EXPECT_EQ(config.log_level, log::Level::info);
    EXPECT_TRUE(fs::exists(config.hs_nomenclature_csv)) << config.hs_nomenclature_csv;
}

TEST(Config, FileOverridesOnlyWhatItNames) {
    ConfigFile file(R"({"ingest": {"endpoint": "tcp://127.0.0.1:6000", "max_batch": 8},
                        "log": {"level": "debug"}})");
    const Config config = load_config(file.path());
    EXPECT_EQ(config.ingest.endpoint, "tcp://127.0.0.1:6000");
    EXPECT_EQ(config.ingest.max_batch, 8u);
    EXPECT_EQ(config.ingest.max_message_bytes, 64u << 20);
    EXPECT_EQ(config.log_level, log::Level::debug);
}

TEST(Config, NamesEveryWrongSetting) {
    const std::string error = load_error(R"({"ingest": {"endpont": "x", "max_batch": "8",
        "max_message_bytes": 10}, "log": {"level": "loud"}, "extra": 1})");
    EXPECT_NE(error.find("/ingest/endpont: unknown setting"), std::string::npos) << error;
    EXPECT_NE(error.find("/ingest/max_batch: must be a whole number"), std::string::npos) << error;
    EXPECT_NE(error.find("/ingest/max_message_bytes: 10 is outside"), std::string::npos) << error;
    EXPECT_NE(error.find("/log/level: 'loud'"), std::string::npos) << error;
    EXPECT_NE(error.find("/extra: unknown setting"), std::string::npos) << error;
}

TEST(Config, RefusesFilesThatAreNotAJsonObject) {
    EXPECT_NE(load_error("[1, 2]").find("must hold a JSON object"), std::string::npos);
    EXPECT_NE(load_error("{\"ingest\": ").find("config file"), std::string::npos);
    EXPECT_THROW(load_config("/nonexistent/portscreen.json"), std::runtime_error);
}

} // namespace
} // namespace portscreen::node
