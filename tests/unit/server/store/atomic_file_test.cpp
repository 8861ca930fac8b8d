// One helper replaces files atomically (the state file, the ready file).
#include "server/store/atomic_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace r53::server {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

fs::path fresh_dir(const char* name) {
    fs::path dir =
        fs::temp_directory_path() / (std::string(name) + "." + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

TEST(AtomicFile, ReplacesContentAndLeavesNoTemporaryFile) {
    fs::path dir = fresh_dir("r53sim-atomic");
    fs::path target = dir / "state.json";
    ASSERT_EQ(write_file_atomically(target, "first\n"), "");
    ASSERT_EQ(write_file_atomically(target, "second\n"), "");
    EXPECT_EQ(read(target), "second\n");
    size_t entries = 0;
    for (auto& e : fs::directory_iterator(dir)) entries += e.is_regular_file();
    EXPECT_EQ(entries, 1u);
    fs::remove_all(dir);
}

TEST(AtomicFile, FailureNamesThePathAndKeepsTheOldContent) {
    fs::path dir = fresh_dir("r53sim-atomic-ro");
    fs::path target = dir / "ready.json";
    ASSERT_EQ(write_file_atomically(target, "old"), "");
    // A directory where the temporary file cannot be created (root ignores mode bits, so use a
    // missing directory instead of a read-only one).
    std::string error = write_file_atomically(dir / "missing" / "ready.json", "new");
    EXPECT_NE(error.find("cannot create " + (dir / "missing").string()), std::string::npos)
        << error;
    EXPECT_EQ(read(target), "old");
    fs::remove_all(dir);
}

}  // namespace
}  // namespace r53::server
