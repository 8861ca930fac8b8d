// "ADDR:PORT" and "[V6]:PORT" as used by --dns and --admin.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace r53::server {

struct HostPort {
    std::string host;
    uint16_t port = 0;
};

inline std::optional<HostPort> parse_host_port(std::string_view text) {
    HostPort hp;
    std::string_view port;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return std::nullopt;
        hp.host = std::string(text.substr(1, close - 1));
        port = text.substr(close + 2);
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos || colon == 0) return std::nullopt;
        hp.host = std::string(text.substr(0, colon));
        port = text.substr(colon + 1);
        if (hp.host.find(':') != std::string::npos) return std::nullopt;  // bare IPv6 needs []
    }
    if (port.empty() || port.size() > 5) return std::nullopt;
    unsigned value = 0;
    for (char c : port) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > 65535) return std::nullopt;
    hp.port = static_cast<uint16_t>(value);
    return hp;
}

inline std::string format_host_port(const std::string& host, uint16_t port) {
    if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
    return host + ":" + std::to_string(port);
}

}  // namespace r53::server
