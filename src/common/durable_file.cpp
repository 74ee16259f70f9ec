#include "common/durable_file.hpp"

#include <cerrno>
#include <fcntl.h>
#include <stdlib.h>
#include <string>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace portscreen {
namespace {

/// Owns a file descriptor; closes it on every path out.
class FileDescriptor {
public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    int get() const noexcept { return fd_; }
    /// Closes now, reporting the error a delayed write may only show here.
    int close() noexcept {
        const int result = ::close(fd_);
        fd_ = -1;
        return result;
    }

private:
    int fd_;
};

[[noreturn]] void fail_io(std::string_view what, const std::filesystem::path& path) {
    throw std::system_error(errno, std::generic_category(),
                            std::string(what).append(" ").append(path.string()));
}

void fsync_directory(const std::filesystem::path& dir) {
    FileDescriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0)
        fail_io("cannot open folder", dir);
    if (::fsync(fd.get()) != 0)
        fail_io("cannot sync folder", dir);
}

} // namespace

void write_file_durably(const std::filesystem::path& path, std::string_view bytes, mode_t mode) {
    auto dir = path.parent_path();
    if (dir.empty())
        dir = ".";
    std::filesystem::create_directories(dir);
    std::string temporary = path.string().append(".tmp-XXXXXX");
    FileDescriptor fd(::mkstemp(temporary.data()));
    if (fd.get() < 0)
        fail_io("cannot create", temporary);
    try {
        // mkstemp makes the file 0600; widen it only as far as the umask allows.
        const mode_t mask = ::umask(0);
        ::umask(mask);
        if (::fchmod(fd.get(), mode & ~mask) != 0)
            fail_io("cannot set the permissions of", temporary);
        std::size_t written = 0;
        while (written < bytes.size()) {
            const auto result = ::write(fd.get(), bytes.data() + written, bytes.size() - written);
            if (result < 0) {
                if (errno == EINTR)
                    continue;
                fail_io("cannot write", temporary);
            }
            written += static_cast<std::size_t>(result);
        }
        if (::fsync(fd.get()) != 0)
            fail_io("cannot sync", temporary);
        if (fd.close() != 0)
            fail_io("cannot close", temporary);
        std::filesystem::rename(temporary, path);
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        throw;
    }
    fsync_directory(dir);
    fsync_directory(dir.parent_path().empty() ? std::filesystem::path(".") : dir.parent_path());
}

} // namespace portscreen
