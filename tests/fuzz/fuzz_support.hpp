#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <unistd.h>

/// What every fuzz target shares: the input as text, property checks that stop the run, and a
/// private temporary folder for targets that need files.
namespace portscreen::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return size == 0 ? std::string_view()
                     : std::string_view(reinterpret_cast<const char*>(data), size);
}

/// A property of the code under test that must hold for every input: a violation is a finding,
/// so it stops the run the way a sanitizer report does, with the reason on stderr.
inline void require(bool holds, const char* property) {
    if (holds)
        return;
    std::fprintf(stderr, "fuzz property violated: %s\n", property);
    std::fflush(stderr);
    __builtin_trap();
}

/// Shows where two texts that should be equal part, for the log of a failed property.
inline void print_difference(std::string_view expected, std::string_view actual) {
    std::size_t at = 0;
    while (at < expected.size() && at < actual.size() && expected[at] == actual[at])
        ++at;
    const std::size_t from = at < 80 ? 0 : at - 80;
    std::fprintf(stderr, "texts differ at byte %zu\n  expected: %.*s\n  actual:   %.*s\n", at,
                 static_cast<int>(std::min<std::size_t>(expected.size() - from, 200)),
                 expected.data() + from,
                 static_cast<int>(std::min<std::size_t>(actual.size() - from, 200)),
                 actual.data() + from);
}

/// A fresh folder for the life of the process, in memory when /dev/shm exists so that SQLite's
/// syncs cost nothing. Removed at exit.
class ScratchDir {
public:
    ScratchDir() {
        const std::filesystem::path base = std::filesystem::is_directory("/dev/shm")
                                               ? std::filesystem::path("/dev/shm")
                                               : std::filesystem::temp_directory_path();
        std::string pattern = (base / "portscreen-fuzz-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr)
            require(false, "cannot make a temporary folder");
        path_ = pattern;
    }
    ~ScratchDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

} // namespace portscreen::fuzz
