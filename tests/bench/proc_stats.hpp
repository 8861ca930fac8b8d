// What the probe benchmarks read about their own process from /proc: the health engine thread's
// CPU time and the resident set size.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace r53::bench {

// utime + stime of the engine thread ("r53-health"), in clock ticks; 0 when it is not running.
inline long engine_thread_ticks() {
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
        std::ifstream comm(task.path() / "comm");
        std::string name;
        std::getline(comm, name);
        if (name != "r53-health") continue;
        std::ifstream stat(task.path() / "stat");
        std::string line;
        std::getline(stat, line);
        // Fields after the command name, which may hold spaces: state is field 3.
        std::istringstream fields(line.substr(line.rfind(')') + 2));
        std::string field;
        long utime = 0, stime = 0;
        for (int i = 3; fields >> field; ++i) {
            if (i == 14) utime = std::stol(field);
            if (i == 15) {
                stime = std::stol(field);
                break;
            }
        }
        return utime + stime;
    }
    return 0;
}

// VmRSS of this process, in KiB.
inline long rss_kib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return 0;
}

}  // namespace r53::bench
