// Feeds files to a fuzz target's LLVMFuzzerTestOneInput in the ordinary build, where there is no
// libFuzzer: the seeds and every saved crash run as a test under the build's sanitizers.
// Usage: fuzz_<target>_replay PATH... (files, or folders read recursively; names starting with
// '.' are skipped). Fails when a path is missing or when no input was found at all.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

bool hidden(const std::filesystem::path& path) {
    return path.filename().string().starts_with(".");
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::string bytes(std::filesystem::file_size(path), '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return bytes;
}

} // namespace

int main(int argc, char** argv) {
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    std::vector<std::filesystem::path> files;
    for (int arg = 1; arg < argc; ++arg) {
        const std::filesystem::path path(argv[arg]);
        if (std::filesystem::is_regular_file(path)) {
            files.push_back(path);
        } else if (std::filesystem::is_directory(path)) {
            for (const auto& entry : std::filesystem::recursive_directory_iterator(path))
                if (entry.is_regular_file() && !hidden(entry.path()))
                    files.push_back(entry.path());
        } else {
            std::fprintf(stderr, "no such file or folder: %s\n", path.c_str());
            return 2;
        }
    }
    if (files.empty()) {
        std::fprintf(stderr, "no inputs to replay\n");
        return 2;
    }
    // A stable order, so that a failure names the same input on every machine.
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        std::fprintf(stderr, "replaying %s\n", file.c_str());
        const std::string bytes = read_file(file);
        // A heap copy of exactly the input's size, so that ASan sees a read past its end.
        const auto input = std::make_unique<std::uint8_t[]>(bytes.size());
        std::copy(bytes.begin(), bytes.end(), input.get());
        LLVMFuzzerTestOneInput(input.get(), bytes.size());
    }
    std::fprintf(stderr, "replayed %zu inputs\n", files.size());
    return 0;
}
