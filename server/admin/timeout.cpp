#include "server/admin/timeout.hpp"

#include <charconv>
#include <string_view>

namespace r53::server {

std::optional<std::chrono::milliseconds> timeout_from_seconds(double seconds) {
    double ms = seconds * 1000;
    if (!(ms >= 0 && ms <= 86'400'000.0)) return std::nullopt;
    return std::chrono::milliseconds(static_cast<int64_t>(ms));
}

std::optional<std::chrono::milliseconds> parse_timeout(const std::string& text) {
    if (text.empty()) return std::nullopt;
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || value < 0) return std::nullopt;
    std::string_view unit(end, text.data() + text.size() - end);
    if (unit.empty() || unit == "s") return timeout_from_seconds(value);
    if (unit == "ms") return timeout_from_seconds(value / 1000);
    if (unit == "m") return timeout_from_seconds(value * 60);
    return std::nullopt;
}

}  // namespace r53::server
