#include "image_store.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace portscreen::scanner_io {
namespace {

namespace fs = std::filesystem;

// SHA-256 of "abc" (FIPS 180-2, appendix B.1).
constexpr const char* kAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

class ImageStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        root_ =
            fs::temp_directory_path() / ("portscreen-image-store-" + std::to_string(::getpid()));
        fs::remove_all(root_);
    }
    void TearDown() override { fs::remove_all(root_); }

    fs::path root_;
};

TEST_F(ImageStoreTest, StoresUnderTheHashOnceAndReadsBackVerified) {
    const ImageStore store(root_);
    EXPECT_EQ(store.put("abc"), kAbc);
    EXPECT_EQ(store.path_of(kAbc), root_ / "ba" / kAbc);
    EXPECT_TRUE(store.contains(kAbc));
    EXPECT_EQ(store.get(kAbc), "abc");
    EXPECT_FALSE(store.put("abc", kAbc)) << "a stored file is not written again";
    EXPECT_TRUE(fs::is_empty(root_ / "tmp")) << "no temporary file is left behind";
    store.remove(kAbc);
    EXPECT_FALSE(store.contains(kAbc));
}

TEST_F(ImageStoreTest, AMissingOrChangedFileIsAnErrorNamingItsHash) {
    const ImageStore store(root_);
    try {
        store.get(kAbc);
        ADD_FAILURE() << "a missing file was read";
    } catch (const ImageStoreError& e) {
        EXPECT_NE(std::string(e.what()).find(std::string(kAbc) + " is missing"), std::string::npos);
    }
    store.put("abc");
    std::ofstream(store.path_of(kAbc), std::ios::trunc) << "abd";
    try {
        store.get(kAbc);
        ADD_FAILURE() << "a changed file was read";
    } catch (const ImageStoreError& e) {
        EXPECT_NE(std::string(e.what()).find(std::string(kAbc) + " is corrupt"), std::string::npos);
    }
}

TEST_F(ImageStoreTest, RefusesNamesThatAreNotHashes) {
    const ImageStore store(root_);
    EXPECT_THROW(store.path_of("../../etc/passwd"), ImageStoreError);
    EXPECT_THROW(store.path_of(std::string(64, 'G')), ImageStoreError);
    EXPECT_THROW(store.get("abc"), ImageStoreError);
}

TEST_F(ImageStoreTest, RemovesOnlyTheTemporaryFilesOfProcessesThatNoLongerRun) {
    const ImageStore store(root_);
    // Above the kernel's largest process id (2^22), so no process has it.
    const fs::path abandoned = root_ / "tmp" / (std::string(kAbc) + ".999999999.0");
    const fs::path own =
        root_ / "tmp" / (std::string(kAbc) + "." + std::to_string(::getpid()) + ".0");
    const fs::path other = root_ / "tmp" / "notes.txt";
    for (const auto& path : {abandoned, own, other})
        std::ofstream(path) << "partial";
    EXPECT_EQ(store.remove_abandoned(), 1u);
    EXPECT_FALSE(fs::exists(abandoned));
    EXPECT_TRUE(fs::exists(own));
    EXPECT_TRUE(fs::exists(other));
}

} // namespace
} // namespace portscreen::scanner_io
