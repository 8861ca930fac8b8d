// Timeouts as the admin API's waits take them: "5s", "250ms", "2m", or a number of seconds.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace r53::server {

// nullopt for a negative value, an unknown unit, or more than a day (which would overflow the
// deadline arithmetic).
std::optional<std::chrono::milliseconds> parse_timeout(const std::string& text);
std::optional<std::chrono::milliseconds> timeout_from_seconds(double seconds);

}  // namespace r53::server
