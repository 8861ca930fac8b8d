// What the query path writes into its worker's QueryRing: a fixed-size copy of the question,
// the answering zone, the rcode and the addresses. No allocation, no lock, no formatting.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string_view>

#include "resolver/question.hpp"
#include "server/dns/query_counters.hpp"
#include "server/dns/query_log_ring.hpp"
#include "server/dns/wire_parse.hpp"

namespace r53::server {

inline int64_t query_log_now_ns() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

inline void log_query(QueryRing& ring, int64_t received_ns, const ParsedQuery& query,
                      std::string_view zone_id, uint16_t rcode, Transport transport,
                      const resolver::ClientAddress& source) noexcept {
    QueryLogEntry e;
    e.time_ns = received_ns;
    e.rcode = rcode;
    e.transport = static_cast<uint8_t>(transport);
    if (query.has_question) {
        e.qtype = query.qtype;
        e.qname_length = query.qname_length;
        std::memcpy(e.qname.data(), query.qname_original.data(), query.qname_length);
    }
    e.zone_id_length = static_cast<uint8_t>(std::min(zone_id.size(), e.zone_id.size()));
    if (e.zone_id_length) std::memcpy(e.zone_id.data(), zone_id.data(), e.zone_id_length);
    e.resolver_family = source.family;
    std::memcpy(e.resolver.data(), source.bytes.data(), e.resolver.size());
    if (query.edns.has_client_subnet) {
        e.ecs_family = query.edns.subnet_family == 1 ? 4 : 6;
        e.ecs_source_prefix = query.edns.subnet_source_prefix;
        e.ecs_address = query.edns.subnet_address;
    }
    ring.push(e);
}

}  // namespace r53::server
