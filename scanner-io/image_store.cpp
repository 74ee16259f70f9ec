#include "image_store.hpp"

#include "common/sha256.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <signal.h>
#include <sstream>
#include <unistd.h>

namespace portscreen::scanner_io {
namespace {

namespace fs = std::filesystem;

bool is_hash(const std::string& text) {
    if (text.size() != 64)
        return false;
    for (const char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

/// A file descriptor closed when it leaves scope.
class Descriptor {
public:
    explicit Descriptor(int fd) : fd_(fd) {}
    ~Descriptor() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;
    int get() const { return fd_; }
    /// Closes now, reporting the error close() may return after a delayed write failure.
    int release_and_close() {
        const int result = ::close(fd_);
        fd_ = -1;
        return result;
    }

private:
    int fd_;
};

[[noreturn]] void fail(const std::string& what, const fs::path& path) {
    throw ImageStoreError(what + " " + path.string() + ": " + std::strerror(errno));
}

void sync_directory(const fs::path& directory) {
    Descriptor fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0 || ::fsync(fd.get()) != 0)
        fail("cannot sync directory", directory);
}

} // namespace

ImageStore::ImageStore(fs::path root) : root_(std::move(root)) {
    fs::create_directories(root_ / "tmp");
}

std::size_t ImageStore::remove_abandoned() const {
    std::size_t removed = 0;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root_ / "tmp", ec)) {
        // Named HASH.PID.COUNTER by put(); the writer's process id tells whether it may still
        // be writing.
        const std::string name = entry.path().filename().string();
        const auto first = name.find('.');
        const auto second = name.find('.', first == std::string::npos ? first : first + 1);
        if (second == std::string::npos)
            continue;
        const std::string pid_text = name.substr(first + 1, second - first - 1);
        if (pid_text.empty() || pid_text.size() > 9 ||
            pid_text.find_first_not_of("0123456789") != std::string::npos)
            continue;
        const auto pid = static_cast<pid_t>(std::stol(pid_text));
        if (pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH)
            continue;
        if (fs::remove(entry.path(), ec))
            ++removed;
    }
    return removed;
}

fs::path ImageStore::path_of(const std::string& sha256) const {
    if (!is_hash(sha256))
        throw ImageStoreError("not an image hash: '" + sha256.substr(0, 80) + "'");
    return root_ / sha256.substr(0, 2) / sha256;
}

bool ImageStore::contains(const std::string& sha256) const {
    return fs::exists(path_of(sha256));
}

std::string ImageStore::put(std::string_view bytes) const {
    std::string sha256 = sha256_hex(bytes);
    put(bytes, sha256);
    return sha256;
}

bool ImageStore::put(std::string_view bytes, const std::string& sha256) const {
    const fs::path final_path = path_of(sha256);
    if (fs::exists(final_path) && fs::file_size(final_path) == bytes.size())
        return false;
    static std::atomic<unsigned> counter{0};
    const fs::path temporary =
        root_ / "tmp" /
        (sha256 + "." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1)));
    Descriptor fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (fd.get() < 0)
        fail("cannot create", temporary);
    std::size_t written = 0;
    while (written < bytes.size()) {
        const ssize_t n = ::write(fd.get(), bytes.data() + written, bytes.size() - written);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            const int saved = errno;
            ::unlink(temporary.c_str());
            errno = saved;
            fail("cannot write", temporary);
        }
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd.get()) != 0 || fd.release_and_close() != 0) {
        const int saved = errno;
        ::unlink(temporary.c_str());
        errno = saved;
        fail("cannot sync", temporary);
    }
    fs::create_directories(final_path.parent_path());
    if (::rename(temporary.c_str(), final_path.c_str()) != 0) {
        const int saved = errno;
        ::unlink(temporary.c_str());
        errno = saved;
        fail("cannot rename into", final_path);
    }
    sync_directory(final_path.parent_path());
    return true;
}

void ImageStore::remove(const std::string& sha256) const {
    std::error_code ignored;
    fs::remove(path_of(sha256), ignored);
}

std::string ImageStore::get(const std::string& sha256) const {
    const fs::path path = path_of(sha256);
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw ImageStoreError("image " + sha256 + " is missing from " + root_.string());
    std::ostringstream content;
    content << in.rdbuf();
    std::string bytes = std::move(content).str();
    if (sha256_hex(bytes) != sha256)
        throw ImageStoreError("image " + sha256 + " is corrupt: " + path.string() +
                              " no longer matches its hash");
    return bytes;
}

} // namespace portscreen::scanner_io
