// Replace a file so that readers and crashes see the old content or the new, never half: write
// a temporary file beside it, fsync it, rename it over the target, fsync the directory (without
// that last step the rename itself may be lost at a power cut).
#pragma once

#include <string>
#include <string_view>

namespace r53::server {

// "" on success, else what failed and where ("cannot write /x/state.json.tmp.42.1: No space
// left on device"); on failure the target is untouched and the temporary file removed.
std::string write_file_atomically(const std::string& path, std::string_view content);

}  // namespace r53::server
