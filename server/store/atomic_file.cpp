#include "server/store/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace r53::server {
namespace {

std::string failure(const char* what, const std::string& path, int error) {
    return std::string("cannot ") + what + " " + path + ": " + std::strerror(error);
}

// Closes on every path out, keeping the first error.
struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

std::string write_file_atomically(const std::string& path, std::string_view content) {
    namespace fs = std::filesystem;
    // Unique per process and call: two writers of one target never share a temporary file.
    static std::atomic<unsigned> sequence{0};
    const std::string tmp =
        path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(++sequence);
    {
        Fd file{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
        if (file.fd < 0) return failure("create", tmp, errno);
        for (size_t done = 0; done < content.size();) {
            ssize_t n = ::write(file.fd, content.data() + done, content.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                int error = errno;
                ::unlink(tmp.c_str());
                return failure("write", tmp, error);
            }
            done += static_cast<size_t>(n);
        }
        if (::fsync(file.fd) != 0) {
            int error = errno;
            ::unlink(tmp.c_str());
            return failure("sync", tmp, error);
        }
        int fd = file.fd;
        file.fd = -1;
        if (::close(fd) != 0) {
            int error = errno;
            ::unlink(tmp.c_str());
            return failure("write", tmp, error);
        }
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int error = errno;
        ::unlink(tmp.c_str());
        return failure("replace", path, error);
    }
    fs::path dir = fs::path(path).parent_path();
    if (dir.empty()) dir = ".";
    Fd directory{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (directory.fd < 0) return failure("open directory", dir.string(), errno);
    if (::fsync(directory.fd) != 0) return failure("sync directory", dir.string(), errno);
    return {};
}

}  // namespace r53::server
