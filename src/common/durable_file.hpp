#pragma once

#include <filesystem>
#include <string_view>
#include <sys/types.h>

namespace portscreen {

/// Writes `bytes` to `path` so that after a crash or power loss the file is either whole or
/// absent: a temporary file in the same folder, synced, renamed over `path`, then the folder and
/// its parent synced (the folder may be new). Creates missing folders. The file gets `mode`
/// (before the umask). Throws std::system_error naming the file on any failure, leaving no
/// temporary file behind.
void write_file_durably(const std::filesystem::path& path, std::string_view bytes,
                        mode_t mode = 0644);

} // namespace portscreen
