// One line per event on stderr: text by default, JSON with --log-format json.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace r53::server {

enum class LogLevel { Debug = 0, Info = 1, Warn = 2, Error = 3 };
enum class LogFormat { Text, Json };

void configure_logging(LogLevel level, LogFormat format);
bool log_enabled(LogLevel level);
bool parse_log_level(std::string_view text, LogLevel& out);

using LogField = std::pair<std::string_view, std::string>;

// Text format, one line per event whatever the values hold: a field value is quoted when it
// has a space, quote, backslash, '=' or control character, or is empty, with \" \\ \n \r \t
// and \xHH escapes inside; the message has its control characters and backslashes escaped.
// So a value taken from a request cannot start a line of its own or pose as another field.
std::string text_log_value(std::string_view value);
std::string text_log_message(std::string_view message);

// `event` is a short stable name ("reload", "health_transition"); fields add detail.
void log(LogLevel level, std::string_view event, std::string_view message,
         std::initializer_list<LogField> fields = {});

}  // namespace r53::server
