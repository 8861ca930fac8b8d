// One reader of IP addresses and CIDR prefixes for the whole tree: config blocks and client
// locations, the resolver's client addresses, the admin API's ?client=, the Route 53 API's
// TestDNSAnswer and the DNS default client address.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace r53::config {

struct IpPrefix {
    uint8_t family = 0;               // 4 or 6
    uint8_t length = 0;               // prefix length: 0-32 or 0-128
    std::array<uint8_t, 16> bytes{};  // network order; IPv4 uses the first 4

    bool operator==(const IpPrefix&) const = default;
    // "192.0.2.0/24"; a full-length prefix prints as the bare address.
    std::string to_string() const;
};

enum class PrefixForm {
    AddressOrPrefix,  // "192.0.2.7" (full length) or "192.0.2.0/24"
    PrefixOnly,       // "192.0.2.0/24" only
    AddressOnly,      // "192.0.2.7" only
};

// nullopt, with `error` set when given, when the text is not an address, the length is not a
// decimal number within the family's bits, or a bit past the prefix is set: "10.0.0.1/24" is
// refused with "has host bits set past /24 (the block is 10.0.0.0/24)", since a DNS engineer
// who writes it has mistyped one of the two numbers and should say which.
std::optional<IpPrefix> parse_ip_prefix(std::string_view text,
                                        PrefixForm form = PrefixForm::AddressOrPrefix,
                                        std::string* error = nullptr);

// Whether the address lies in a special-purpose range: local, private, shared, documentation,
// benchmarking, link-local, multicast or reserved (RFC 5735, RFC 6598, RFC 5156): what Route 53
// cannot health-check. Names the range ("private (RFC 1918)") in `range` when given.
bool is_special_purpose(const IpPrefix& address, std::string* range = nullptr);

// The prefix with every bit past `length` cleared (what a resolver sends as an ECS address).
IpPrefix without_host_bits(IpPrefix prefix);

}  // namespace r53::config
