#include "server/log.hpp"

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace r53::server {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::Info)};
std::atomic<LogFormat> g_format{LogFormat::Text};
std::mutex g_write;

const char* level_name(LogLevel l) {
    switch (l) {
        case LogLevel::Debug:
            return "debug";
        case LogLevel::Info:
            return "info";
        case LogLevel::Warn:
            return "warn";
        case LogLevel::Error:
            return "error";
    }
    return "info";
}

std::string timestamp() {
    auto now = std::chrono::system_clock::now();
    auto t = std::chrono::system_clock::to_time_t(now);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(ms.count()));
    return buf;
}

}  // namespace

void configure_logging(LogLevel level, LogFormat format) {
    g_level = static_cast<int>(level);
    g_format = format;
}

bool log_enabled(LogLevel level) {
    return static_cast<int>(level) >= g_level.load();
}

bool parse_log_level(std::string_view text, LogLevel& out) {
    if (text == "debug")
        out = LogLevel::Debug;
    else if (text == "info")
        out = LogLevel::Info;
    else if (text == "warn" || text == "warning")
        out = LogLevel::Warn;
    else if (text == "error")
        out = LogLevel::Error;
    else
        return false;
    return true;
}

void log(LogLevel level, std::string_view event, std::string_view message,
         std::initializer_list<LogField> fields) {
    if (!log_enabled(level)) return;
    std::string line;
    if (g_format.load() == LogFormat::Json) {
        boost::json::object o;
        o["time"] = timestamp();
        o["level"] = level_name(level);
        o["event"] = event;
        o["msg"] = message;
        for (const auto& [k, v] : fields) o[k] = v;
        line = boost::json::serialize(o);
    } else {
        line = timestamp() + " " + level_name(level) + " " + std::string(message);
        for (const auto& [k, v] : fields) {
            line += ' ';
            line += k;
            line += '=';
            line += v.find(' ') == std::string::npos ? v : "\"" + v + "\"";
        }
    }
    line += '\n';
    std::lock_guard lock(g_write);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

}  // namespace r53::server
