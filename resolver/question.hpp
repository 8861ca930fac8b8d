// What the server hands the resolver: one parsed question plus where the client is.
#pragma once

#include <array>
#include <cstdint>

namespace r53::resolver {

// The client's address: the EDNS Client Subnet prefix when the query carried one, else the
// packet's source address as a full-length prefix (semantics §2.4).
struct ClientAddress {
    uint8_t family = 0;  // 0 = unknown, 4, 6
    uint8_t prefix_length = 0;
    std::array<uint8_t, 16> bytes{};  // network order; IPv4 uses the first 4
};

struct Question {
    // The qname in wire format, lower-cased, including the root label; at most 255 bytes.
    const uint8_t* qname = nullptr;
    uint8_t qname_length = 0;
    uint16_t qtype = 0;
    uint16_t qclass = 1;
    ClientAddress client;
    bool client_from_ecs = false;
};

}  // namespace r53::resolver
