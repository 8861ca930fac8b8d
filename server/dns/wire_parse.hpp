// Parses one DNS query from untrusted bytes: header, the single question, EDNS (OPT, Client
// Subnet). Every length is bounds-checked; nothing is allocated.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace r53::server {

// What to do with a packet that is not a plain, well-formed query.
enum class ParseStatus : uint8_t {
    Ok,
    Drop,     // QR=1 or shorter than a header: never answered
    FormErr,  // malformed question, counts, names, OPT or trailing bytes
    NotImp,   // opcode other than QUERY
    BadVers,  // EDNS version other than 0 (extended rcode 16)
};

inline constexpr uint16_t kTypeOpt = 41;
inline constexpr uint16_t kOptionClientSubnet = 8;
inline constexpr size_t kHeaderSize = 12;
inline constexpr size_t kMaxNameLength = 255;

struct EdnsInfo {
    bool present = false;  // one valid OPT record was found
    uint8_t version = 0;
    bool dnssec_ok = false;
    uint16_t udp_payload = 0;  // as sent by the client (may be < 512)
    // EDNS Client Subnet (RFC 7871).
    bool has_client_subnet = false;
    uint16_t subnet_family = 0;  // IANA address family: 1 = IPv4, 2 = IPv6
    uint8_t subnet_source_prefix = 0;
    std::array<uint8_t, 16> subnet_address;  // network order, zero past the source prefix
};

struct ParsedQuery {
    ParseStatus status = ParseStatus::Drop;
    uint16_t id = 0;
    uint16_t flags = 0;  // the header's second 16-bit word as received
    uint8_t opcode = 0;
    bool recursion_desired = false;
    bool checking_disabled = false;
    // True once the question parsed, so even error responses can echo it.
    bool has_question = false;
    uint8_t qname_length = 0;  // includes the root label
    // Filled up to qname_length only: left uninitialised so parsing writes nothing it need not.
    std::array<uint8_t, kMaxNameLength> qname_lower;     // matching and the resolver
    std::array<uint8_t, kMaxNameLength> qname_original;  // echoed as sent (decompressed)
    uint16_t qtype = 0;
    uint16_t qclass = 0;
    EdnsInfo edns;
};

// Fills `out` and returns out.status.
ParseStatus parse_query(std::span<const uint8_t> packet, ParsedQuery& out) noexcept;

inline ParsedQuery parse_query(std::span<const uint8_t> packet) noexcept {
    ParsedQuery q;
    parse_query(packet, q);
    return q;
}

}  // namespace r53::server
