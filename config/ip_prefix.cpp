#include "config/ip_prefix.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace r53::config {
namespace {

void set(std::string* error, std::string text) {
    if (error) *error = std::move(text);
}

bool has_host_bits(const IpPrefix& p) {
    const int bits = p.family == 4 ? 32 : 128;
    for (int bit = p.length; bit < bits; ++bit)
        if (p.bytes[bit / 8] & (0x80 >> (bit % 8))) return true;
    return false;
}

}  // namespace

std::string IpPrefix::to_string() const {
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(family == 4 ? AF_INET : AF_INET6, bytes.data(), text, sizeof text);
    const unsigned full = family == 4 ? 32 : 128;
    return length == full ? std::string(text) : std::string(text) + "/" + std::to_string(length);
}

IpPrefix without_host_bits(IpPrefix p) {
    const int bits = p.family == 4 ? 32 : 128;
    for (int bit = p.length; bit < bits; ++bit)
        p.bytes[bit / 8] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
    return p;
}

std::optional<IpPrefix> parse_ip_prefix(std::string_view text, PrefixForm form,
                                        std::string* error) {
    const size_t slash = text.find('/');
    if (form == PrefixForm::PrefixOnly && slash == std::string_view::npos) {
        set(error, "'" + std::string(text) + "' needs a prefix length (ADDRESS/LENGTH)");
        return std::nullopt;
    }
    if (form == PrefixForm::AddressOnly && slash != std::string_view::npos) {
        set(error, "'" + std::string(text) + "' must be an address without /LENGTH");
        return std::nullopt;
    }
    const std::string_view host = text.substr(0, slash);
    char buffer[INET6_ADDRSTRLEN + 1];  // inet_pton needs a terminated copy; no allocation
    IpPrefix p;
    if (host.empty() || host.size() >= sizeof buffer) {
        set(error, "'" + std::string(text) + "' is not an IP address");
        return std::nullopt;
    }
    std::memcpy(buffer, host.data(), host.size());
    buffer[host.size()] = '\0';
    if (inet_pton(AF_INET, buffer, p.bytes.data()) == 1) {
        p.family = 4;
        p.length = 32;
    } else if (inet_pton(AF_INET6, buffer, p.bytes.data()) == 1) {
        p.family = 6;
        p.length = 128;
    } else {
        set(error, "'" + std::string(text) + "' is not an IP address");
        return std::nullopt;
    }
    if (slash == std::string_view::npos) return p;
    const std::string_view digits = text.substr(slash + 1);
    unsigned length = 0;
    bool numeric = !digits.empty() && digits.size() <= 3;
    for (char c : digits) {
        if (c < '0' || c > '9') numeric = false;
        length = length * 10 + static_cast<unsigned>(c - '0');
    }
    if (!numeric || length > p.length) {
        set(error, "'" + std::string(text) + "' has an invalid prefix length (0-" +
                       std::to_string(p.length) + " for IPv" + std::to_string(p.family) + ")");
        return std::nullopt;
    }
    p.length = static_cast<uint8_t>(length);
    if (has_host_bits(p)) {
        set(error, "'" + std::string(text) + "' has host bits set past /" + std::to_string(length) +
                       " (the block is " + without_host_bits(p).to_string() + ")");
        return std::nullopt;
    }
    return p;
}

bool is_special_purpose(const IpPrefix& address, std::string* range) {
    struct Range {
        const char* prefix;
        const char* name;
    };
    static const Range kRanges[] = {
        {"0.0.0.0/8", "'this network'"},
        {"10.0.0.0/8", "private (RFC 1918)"},
        {"100.64.0.0/10", "shared address space (RFC 6598)"},
        {"127.0.0.0/8", "loopback"},
        {"169.254.0.0/16", "link-local"},
        {"172.16.0.0/12", "private (RFC 1918)"},
        {"192.0.0.0/24", "IETF protocol assignments"},
        {"192.0.2.0/24", "documentation (TEST-NET-1)"},
        {"192.88.99.0/24", "6to4 relay anycast"},
        {"192.168.0.0/16", "private (RFC 1918)"},
        {"198.18.0.0/15", "benchmarking"},
        {"198.51.100.0/24", "documentation (TEST-NET-2)"},
        {"203.0.113.0/24", "documentation (TEST-NET-3)"},
        {"224.0.0.0/4", "multicast"},
        {"240.0.0.0/4", "reserved"},
        {"::/128", "unspecified"},
        {"::1/128", "loopback"},
        {"::ffff:0:0/96", "IPv4-mapped"},
        {"100::/64", "discard-only"},
        {"2001::/23", "IETF protocol assignments"},
        {"2001:db8::/32", "documentation"},
        {"2002::/16", "6to4"},
        {"fc00::/7", "unique local (private)"},
        {"fe80::/10", "link-local"},
        {"ff00::/8", "multicast"},
    };
    for (const auto& r : kRanges) {
        auto block = parse_ip_prefix(r.prefix);
        if (!block || block->family != address.family) continue;
        IpPrefix masked = address;
        masked.length = block->length;
        masked = without_host_bits(masked);
        if (masked.bytes == block->bytes) {
            if (range) *range = r.name;
            return true;
        }
    }
    return false;
}

}  // namespace r53::config
