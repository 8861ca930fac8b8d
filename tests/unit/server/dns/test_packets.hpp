// Hand-built DNS packets and RRsets for the server's unit tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "resolver/zone_set.hpp"

namespace r53::server::testing {

inline void put16(std::vector<uint8_t>& b, uint16_t v) {
    b.push_back(static_cast<uint8_t>(v >> 8));
    b.push_back(static_cast<uint8_t>(v));
}
inline void put32(std::vector<uint8_t>& b, uint32_t v) {
    put16(b, static_cast<uint16_t>(v >> 16));
    put16(b, static_cast<uint16_t>(v));
}

// "www.example.com" -> wire form, case kept.
inline std::vector<uint8_t> wire_name(const std::string& dotted) {
    std::vector<uint8_t> out;
    size_t start = 0;
    while (start < dotted.size()) {
        size_t dot = dotted.find('.', start);
        if (dot == std::string::npos) dot = dotted.size();
        out.push_back(static_cast<uint8_t>(dot - start));
        out.insert(out.end(), dotted.begin() + static_cast<long>(start),
                   dotted.begin() + static_cast<long>(dot));
        start = dot + 1;
    }
    out.push_back(0);
    return out;
}

inline std::vector<uint8_t> documentation_prefix() {
    return {192, 0, 2};
}

struct Ecs {
    uint16_t family = 1;
    uint8_t source = 24;
    uint8_t scope = 0;
    std::vector<uint8_t> address = documentation_prefix();  // a braced list trips GCC 12's
                                                            // maybe-uninitialized at -O1
};

struct QuerySpec {
    uint16_t id = 0x1234;
    uint16_t flags = 0x0100;  // RD
    std::string qname = "www.example.com";
    uint16_t qtype = 1;
    uint16_t qclass = 1;
    bool edns = false;
    uint16_t payload = 4096;
    uint8_t version = 0;
    bool dnssec_ok = false;
    bool ecs = false;
    Ecs subnet;
};

inline std::vector<uint8_t> opt_record(const QuerySpec& s) {
    std::vector<uint8_t> b;
    b.push_back(0);
    put16(b, 41);
    put16(b, s.payload);
    b.push_back(0);
    b.push_back(s.version);
    put16(b, s.dnssec_ok ? 0x8000 : 0);
    std::vector<uint8_t> options;
    if (s.ecs) {
        put16(options, 8);
        put16(options, static_cast<uint16_t>(4 + s.subnet.address.size()));
        put16(options, s.subnet.family);
        options.push_back(s.subnet.source);
        options.push_back(s.subnet.scope);
        options.insert(options.end(), s.subnet.address.begin(), s.subnet.address.end());
    }
    put16(b, static_cast<uint16_t>(options.size()));
    b.insert(b.end(), options.begin(), options.end());
    return b;
}

inline std::vector<uint8_t> make_query(const QuerySpec& s) {
    std::vector<uint8_t> b;
    put16(b, s.id);
    put16(b, s.flags);
    put16(b, 1);
    put16(b, 0);
    put16(b, 0);
    put16(b, s.edns ? 1 : 0);
    const auto name = wire_name(s.qname);
    b.insert(b.end(), name.begin(), name.end());
    put16(b, s.qtype);
    put16(b, s.qclass);
    if (s.edns) {
        const auto opt = opt_record(s);
        b.insert(b.end(), opt.begin(), opt.end());
    }
    return b;
}

inline std::vector<uint8_t> lower_wire(const std::string& dotted) {
    auto n = wire_name(dotted);
    for (auto& c : n)
        if (c >= 'A' && c <= 'Z') c = static_cast<uint8_t>(c + 32);
    return n;
}

// An RRset as ZoneSet lays it out: RDLENGTH + RDATA per record.
inline resolver::RRset make_rrset(const std::string& owner, uint16_t type, uint32_t ttl,
                                  const std::vector<std::vector<uint8_t>>& rdatas,
                                  std::vector<uint16_t> name_at = {}) {
    resolver::RRset r;
    r.owner = lower_wire(owner);
    r.type = type;
    r.ttl = ttl;
    for (const auto& rd : rdatas) {
        r.offsets.push_back(static_cast<uint32_t>(r.rdata.size()));
        put16(r.rdata, static_cast<uint16_t>(rd.size()));
        r.rdata.insert(r.rdata.end(), rd.begin(), rd.end());
    }
    if (name_at.empty()) name_at.assign(rdatas.size(), 0xFFFF);
    r.compressible_name_at = name_at;
    return r;
}

inline std::vector<uint8_t> a_rdata(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    return {a, b, c, d};
}

}  // namespace r53::server::testing
