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

void escape_into(std::string& out, char c) {
    switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
                char hex[8];
                std::snprintf(hex, sizeof hex, "\\x%02X", static_cast<unsigned char>(c));
                out += hex;
            } else {
                out += c;
            }
    }
}

bool needs_quotes(std::string_view v) {
    if (v.empty()) return true;
    for (char c : v)
        if (c == ' ' || c == '"' || c == '\\' || c == '=' || static_cast<unsigned char>(c) < 0x20 ||
            c == 0x7F)
            return true;
    return false;
}

}  // namespace

std::string text_log_value(std::string_view value) {
    if (!needs_quotes(value)) return std::string(value);
    std::string out = "\"";
    for (char c : value) escape_into(out, c);
    out += '"';
    return out;
}

std::string text_log_message(std::string_view message) {
    std::string out;
    out.reserve(message.size());
    for (char c : message) {
        // Quotes are plain text in a message; only what could break the line is escaped.
        if (c == '"')
            out += c;
        else
            escape_into(out, c);
    }
    return out;
}

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
        line = timestamp() + " " + level_name(level) + " " + text_log_message(message);
        for (const auto& [k, v] : fields) {
            line += ' ';
            line += k;
            line += '=';
            line += text_log_value(v);
        }
    }
    line += '\n';
    std::lock_guard lock(g_write);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

}  // namespace r53::server
