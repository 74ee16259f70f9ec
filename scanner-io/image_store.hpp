#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace portscreen::scanner_io {

/// An image file that is missing, unreadable or no longer matches its name.
class ImageStoreError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Image files stored content-addressed: each under its SHA-256 (ROOT/ab/abcdef...), written
/// once, never changed, and checked against its name whenever it is read. A file is durable when
/// put() returns (written to a temporary name, synced, renamed, directory synced), so the
/// database row that names it can be committed after it.
class ImageStore {
public:
    explicit ImageStore(std::filesystem::path root);

    /// Stores `bytes` and returns their SHA-256 (lower-case hex). A file already stored under
    /// that hash is kept as it is.
    std::string put(std::string_view bytes) const;
    /// The same, with the hash already computed by the caller. Returns whether the file was
    /// written now (false when it was already stored). Safe to call from several threads.
    bool put(std::string_view bytes, const std::string& sha256) const;

    /// Removes a stored file; for one written for input that was then refused.
    void remove(const std::string& sha256) const;

    /// Removes the temporary files of processes that no longer run (a node killed while it
    /// wrote an image) and returns how many.
    std::size_t remove_abandoned() const;

    /// The bytes stored under `sha256`, verified. Throws ImageStoreError naming the hash when
    /// the file is missing or its content no longer hashes to its name.
    std::string get(const std::string& sha256) const;

    bool contains(const std::string& sha256) const;
    std::filesystem::path path_of(const std::string& sha256) const;
    const std::filesystem::path& root() const { return root_; }

private:
    std::filesystem::path root_;
};

} // namespace portscreen::scanner_io
