// Writes the response to a parsed query from the resolver's Answer (references into pre-encoded
// RRsets): header, question as sent, sections with name compression, OPT. No allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "resolver/answer.hpp"
#include "server/dns/wire_parse.hpp"

namespace r53::server {

// The UDP payload size we advertise in OPT: Route 53's documented EDNS0 maximum (semantics §5,
// "Transport"), so clients learn the same limit they would from Route 53.
inline constexpr uint16_t kAdvertisedUdpPayload = 4096;
inline constexpr size_t kMaxUdpResponse = 4096;
inline constexpr size_t kClassicUdpLimit = 512;
inline constexpr size_t kTcpLimit = 65535;

inline constexpr uint16_t kRcodeFormErr = 1;
inline constexpr uint16_t kRcodeServFail = 2;
inline constexpr uint16_t kRcodeNotImp = 4;
inline constexpr uint16_t kRcodeRefused = 5;
inline constexpr uint16_t kRcodeBadVers = 16;  // extended: needs OPT

// 512 without EDNS, else the client's payload size clamped to [512, 4096].
size_t udp_response_limit(const ParsedQuery& query) noexcept;

struct EncodeResult {
    size_t size = 0;         // bytes written; 0 only if `out` cannot hold even a header
    bool truncated = false;  // TC was set
};

// `limit` is the largest response allowed on this transport (udp_response_limit or kTcpLimit);
// the effective limit is min(limit, out.size()). RFC 2181 §9: an answer RRset, or an authority
// or additional one marked `required` (negative SOA, referral NS and in-domain glue, RFC 9471),
// that does not fit sets TC=1 and empties all three sections (header + question + OPT is sent);
// other authority and additional RRsets that do not fit are dropped without TC.
EncodeResult encode_response(const ParsedQuery& query, const resolver::Answer& answer,
                             std::span<uint8_t> out, size_t limit) noexcept;

// An error with no records: the question is echoed when it parsed; OPT (version 0) is added
// when the query carried a sound one, which BADVERS needs for its upper rcode bits.
EncodeResult encode_error(const ParsedQuery& query, uint16_t rcode,
                          std::span<uint8_t> out) noexcept;

}  // namespace r53::server
