// What the resolver decided, as references into the pre-encoded zone data. The server encodes it.
// Fixed capacity: deciding an answer never allocates.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace r53::resolver {

struct RRset;  // zone_set.hpp

enum class Rcode : uint8_t {
    NoError = 0,
    FormErr = 1,
    ServFail = 2,
    NxDomain = 3,
    NotImp = 4,
    Refused = 5
};

struct AnswerEntry {
    const RRset* rrset = nullptr;
    // Owner to write: nullptr = the question name as sent (answers, wildcard synthesis);
    // otherwise a lower-case wire name (SOA/NS owner, additional targets).
    const uint8_t* owner = nullptr;
    uint32_t ttl = 0;     // TTL to write (alias answers carry the target's TTL, §3)
    uint16_t rotate = 0;  // start the values at this index: Route 53 returns them in random order
    uint16_t first = 0;   // subset of the RRset's records, [first, first + count)
    uint16_t count = 0;
    uint16_t type_override = 0;  // non-zero: write this type (unused for now)
    // Authority and additional only (answer RRsets are always needed): an RRset the response
    // cannot do without, so TC=1 when it does not fit - the SOA of a negative answer, the NS set
    // of a referral and its in-domain glue (RFC 9471). The others are dropped silently when they
    // do not fit (RFC 2181 §9).
    bool required = false;
};

struct Section {
    static constexpr int kCapacity = 48;
    std::array<AnswerEntry, kCapacity> entries{};
    uint8_t size = 0;
    bool push(const AnswerEntry& e) noexcept {
        if (size >= kCapacity) return false;
        entries[size++] = e;
        return true;
    }
};

struct Answer {
    Rcode rcode = Rcode::NoError;
    bool authoritative = true;
    Section answer, authority, additional;
    // EDNS Client Subnet scope prefix to echo (0 = answer does not depend on the client).
    uint8_t ecs_scope = 0;
    // The hosted zone that answered (its bare id, owned by the snapshot's ZoneSet); empty when
    // none did (REFUSED). The query log names it.
    std::string_view zone_id;
    void clear() noexcept { *this = Answer{}; }
};

}  // namespace r53::resolver
